/* fuzz_vocab.c - libFuzzer target: the abbreviation pairs of an article's
 * text (vocab.h).  The first byte picks folding; the rest is the text.
 * Invariants: invalid UTF-8 is refused, never scanned; every pair's term is
 * IDX_PREFIX_ABBR + abbreviation + 0x1f + full name, valid UTF-8, short
 * enough for a Xapian term, the full name longer than the abbreviation. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tokenize.h"
#include "utf8.h"
#include "vocab.h"

static int on_pair(void *ctx, const char *term, size_t n, idx_err *err)
{
    (void)ctx;
    (void)err;
    size_t pl = strlen(IDX_PREFIX_ABBR), bad;
    const char *sep = memchr(term, '\x1f', n);
    if (n <= pl || memcmp(term, IDX_PREFIX_ABBR, pl) != 0 || !sep || n > 240 ||
        !idx_utf8_valid(term + pl, n - pl, &bad))
        abort();
    size_t abbr = (size_t)(sep - term) - pl, full = n - (size_t)(sep - term) - 1;
    if (abbr < 2 * 3 || full <= abbr) abort(); /* two CJK characters at least, each >= 3 bytes */
    return IDX_OK;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) return 0;
    int flags = (data[0] & 1) ? IDX_TOKENIZE_FOLD_T2S : 0;
    idx_err err;
    idx_err_clear(&err);
    size_t bad;
    int rc = idx_vocab_scan((const char *)data + 1, size - 1, flags, on_pair, NULL, &err);
    if (rc != IDX_OK && rc != IDX_EUTF8) abort();
    if (rc == IDX_OK && !idx_utf8_valid((const char *)data + 1, size - 1, &bad)) {
        /* a text with no bracket is not read at all: only then may it pass */
        if (memchr(data + 1, '(', size - 1) || memmem(data + 1, size - 1, "\xef\xbc\x88", 3))
            abort();
    }
    return 0;
}
