/* fuzz_tokenize.c - libFuzzer target: the one tokenizer in every mode.
 * The first byte picks DOCUMENT/QUERY, folding, the run gap and letters
 * split from digits; the rest is
 * the text.  Invariants: token spans lie inside the text and never run
 * backwards; terms are non-empty and at most IDX_TOKEN_MAX_WORD bytes;
 * positions never decrease. */
#include <stdint.h>
#include <stdlib.h>

#include "tokenize.h"

typedef struct chk {
    size_t n, last_start;
    uint32_t last_pos;
} chk;

static int on_token(void *ctx, const idx_token *t)
{
    chk *c = ctx;
    if (t->len == 0 || t->len > IDX_TOKEN_MAX_WORD || t->start >= t->end || t->end > c->n ||
        t->start < c->last_start || t->pos < c->last_pos)
        abort();
    c->last_start = t->start;
    c->last_pos = t->pos;
    return IDX_OK;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) return 0;
    int mode = (data[0] & 1) ? IDX_TOKENIZE_QUERY : IDX_TOKENIZE_DOCUMENT;
    if (data[0] & 2) mode |= IDX_TOKENIZE_FOLD_T2S;
    if (data[0] & 4) mode |= IDX_TOKENIZE_RUN_GAP;
    if (data[0] & 8) mode |= IDX_TOKENIZE_SPLIT_ALNUM;
    chk c = {size - 1, 0, 0};
    idx_err err;
    idx_err_clear(&err);
    idx_tokenize((const char *)data + 1, size - 1, mode, 0, on_token, &c, NULL, &err);
    return 0;
}
