/* fuzz_form.c - libFuzzer target: HTTP query strings and path segments.
 * Invariants: accepted values are valid UTF-8 without NUL bytes, their
 * stated lengths are right, and every refusal says why. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "form.h"
#include "utf8.h"

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
