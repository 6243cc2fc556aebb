/* fuzz_snippet.c - libFuzzer target: highlighted titles and snippets.
 * Input: query, a NUL byte, then the text; byte 0 of the query and the
 * query's length pick the window length and the number of windows.  Invariants: output is valid UTF-8 with balanced,
 * non-nested <mark> tags and no raw '<', '>', '"' or '\'' outside them. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "snippet.h"
#include "utf8.h"

static void check(const idx_buf *b)
{
    const char *s = b->data ? b->data : "";
    size_t n = b->len;
    if (!idx_utf8_valid(s, n, NULL)) abort();
    int open = 0;
    for (size_t i = 0; i < n; i++) {
        if (n - i >= 6 && memcmp(s + i, "<mark>", 6) == 0) {
            if (open++) abort();
            i += 5;
        } else if (n - i >= 7 && memcmp(s + i, "</mark>", 7) == 0) {
            if (!open--) abort();
            i += 6;
        } else if (s[i] == '<' || s[i] == '>' || s[i] == '"' || s[i] == '\'') {
            abort();
        }
    }
    if (open) abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *nul = memchr(data, 0, size);
    if (!nul || nul == data) return 0;
    const char *q = (const char *)data, *text = (const char *)nul + 1;
    size_t qn = (size_t)(nul - data), tn = size - qn - 1;
    if (!idx_utf8_valid(text, tn, NULL)) return 0; /* stored text is always valid */
    idx_qtree pq;
    idx_err err;
    idx_err_clear(&err);
    if (idx_qtree_parse(q, qn, IDX_TOKENIZE_FOLD_T2S, &pq, &err) == IDX_OK) {
        idx_hl_opts o = {.max_chars = 1 + (size_t)data[0] % 200,
                         .fragments = 1 + (unsigned)(data[0] / 200 + qn) % IDX_SNIPPET_MAX_FRAGMENTS};
        idx_buf b;
        idx_buf_init(&b);
        if (idx_snippet(&pq, text, tn, &o, &b, &err) == IDX_OK) check(&b);
        idx_buf_reset(&b);
        if (idx_highlight(&pq, text, tn, &o, &b, &err) == IDX_OK) check(&b);
        idx_buf_fini(&b);
    }
    idx_qtree_fini(&pq);
    return 0;
}
