/* fuzz_form.c - libFuzzer target: HTTP query strings and path segments,
 * and the request parameters read from them (request.h).
 * Invariants: accepted values are valid UTF-8 without NUL bytes, their
 * stated lengths are right, an accepted request is within the table's
 * bounds, and every refusal says why. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "form.h"
#include "request.h"
#include "utf8.h"

/* The readers of request.h over a decoded form. */
static void check_requests(const idx_form *f)
{
    idx_err err;
    idx_err_clear(&err);
    idx_search_req r;
    if (idx_search_req_form(f, &r, &err) == IDX_OK) {
        if (!r.q || !r.qlen || r.limit < 1 || r.limit > IDX_SEARCH_MAX_LIMIT ||
            r.offset > IDX_SEARCH_MAX_OFFSET || r.hl.max_chars < 1 ||
            r.hl.max_chars > IDX_SNIPPET_MAX_CHARS || r.recency_days < 0 ||
            r.recency_days > IDX_RECENCY_MAX_DAYS || r.recency_weight < 0 ||
            r.sort < IDX_SORT_RELEVANCE || r.sort > IDX_SORT_DATE_DESC)
            abort();
    } else if (err.rc != IDX_EINVAL || !err.msg[0]) {
        abort();
    }
    idx_err_clear(&err);
    idx_suggest_req s;
    if (idx_suggest_req_form(f, &s, &err) == IDX_OK ? !s.qlen || s.limit < 1 : !err.msg[0])
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *s = (const char *)data;
    idx_form f;
    idx_err err;
    idx_err_clear(&err);
    if (idx_form_parse(s, size, &f, &err) == IDX_OK) {
        for (size_t i = 0; i < f.n; i++)
            if (strlen(f.p[i].name) != f.p[i].name_len || strlen(f.p[i].value) != f.p[i].value_len ||
                !idx_utf8_valid(f.p[i].value, f.p[i].value_len, NULL))
                abort();
        check_requests(&f);
    } else if (!err.msg[0]) {
        abort();
    }
    idx_form_fini(&f);
    char *out = NULL;
    size_t n = 0;
    idx_err_clear(&err);
    if (idx_url_decode(s, size, "path", &out, &n, &err) == IDX_OK &&
        (strlen(out) != n || !idx_utf8_valid(out, n, NULL)))
        abort();
    free(out);
    return 0;
}
