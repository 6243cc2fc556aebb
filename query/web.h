/* web.h - the search page's files (query/web/), embedded in idxd at build
 * time by web_assets.S, so a running idxd needs no files besides its index. */
#ifndef IDXD_WEB_H
#define IDXD_WEB_H
#include <stddef.h>

typedef struct idxd_asset {
    const char *ctype; /* Content-Type */
    const char *data;  /* static, not NUL-terminated */
    size_t len;
} idxd_asset;

/* Fill *out (may be NULL) with the asset served at path: 1, or 0 when there
 * is none. */
int idxd_web_asset(const char *path, idxd_asset *out);

/* The OpenAPI 3.1 document of idxd's routes (query/openapi.json), served at
 * GET /openapi.json. */
void idxd_openapi(idxd_asset *out);

#endif
