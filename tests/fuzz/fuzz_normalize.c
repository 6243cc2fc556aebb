/* fuzz_normalize.c - libFuzzer target: strict UTF-8 checking and the
 * normalizer (with and without traditional->simplified folding) on any bytes.
 * Invariants: idx_utf8_valid agrees with the normalizer's error; every
 * normalized character names a byte span inside the input, in order. */
#include <stdint.h>
#include <stdlib.h>

#include "normalize.h"
#include "utf8.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *s = (const char *)data;
    int valid = idx_utf8_valid(s, size, NULL);
    for (int fold = 0; fold < 2; fold++) {
        idx_norm it;
        idx_nchar c;
        idx_err err;
        idx_err_clear(&err);
        idx_norm_init(&it, s, size);
        it.fold_t2s = fold;
        size_t last = 0;
        int r;
        while ((r = idx_norm_next(&it, &c, &err)) == 1) {
            if (c.start < last || c.end > size || c.start >= c.end) abort();
            last = c.start;
        }
        if ((r == 0) != valid) abort();
    }
    return 0;
}
