/* web.c - see web.h.  The bytes come from web_assets.S (.incbin). */
#include "web.h"

#include <string.h>

extern const char idxd_web_index_html[], idxd_web_index_html_end[];
extern const char idxd_web_app_js[], idxd_web_app_js_end[];
extern const char idxd_web_app_css[], idxd_web_app_css_end[];
extern const char idxd_web_favicon_svg[], idxd_web_favicon_svg_end[];
extern const char idxd_openapi_json[], idxd_openapi_json_end[];

int idxd_web_asset(const char *path, idxd_asset *out)
{
    static const struct {
        const char *path, *ctype, *start, *end;
    } files[] = {
        {"/", "text/html; charset=utf-8", idxd_web_index_html, idxd_web_index_html_end},
        {"/app.js", "text/javascript; charset=utf-8", idxd_web_app_js, idxd_web_app_js_end},
        {"/app.css", "text/css; charset=utf-8", idxd_web_app_css, idxd_web_app_css_end},
        {"/favicon.svg", "image/svg+xml", idxd_web_favicon_svg, idxd_web_favicon_svg_end},
    };
    for (size_t i = 0; i < sizeof files / sizeof *files; i++) {
        if (strcmp(path, files[i].path) != 0) continue;
        if (out) {
            out->ctype = files[i].ctype;
            out->data = files[i].start;
            out->len = (size_t)(files[i].end - files[i].start);
        }
        return 1;
    }
    return 0;
}

void idxd_openapi(idxd_asset *out)
{
    out->ctype = "application/json; charset=utf-8";
    out->data = idxd_openapi_json;
    out->len = (size_t)(idxd_openapi_json_end - idxd_openapi_json);
}
