/* tokenize.c - see tokenize.h for the rules and worked examples.
 *
 * One pass over normalized characters with a state machine of two run kinds
 * (word, CJK).  A CJK run keeps only the previous character, so a bigram is
 * emitted when its second character arrives and the run's edges are known
 * when the run ends; nothing is buffered beyond one word.
 */
#include "tokenize.h"

#include <string.h>
#include <utf8proc.h>

#include "normalize.h"
#include "utf8.h"

enum { C_SEP, C_WORD, C_MARK, C_CJK };

static int classify(uint32_t cp)
{
    if (cp < 0x80) {
        if ((cp >= 'a' && cp <= 'z') || (cp >= '0' && cp <= '9') || (cp >= 'A' && cp <= 'Z'))
            return C_WORD;
        return C_SEP;
    }
    if (idx_utf8_is_cjk(cp)) return C_CJK;
    switch (utf8proc_category((utf8proc_int32_t)cp)) {
    case UTF8PROC_CATEGORY_LU: case UTF8PROC_CATEGORY_LL: case UTF8PROC_CATEGORY_LT:
    case UTF8PROC_CATEGORY_LM: case UTF8PROC_CATEGORY_LO:
    case UTF8PROC_CATEGORY_ND: case UTF8PROC_CATEGORY_NL: case UTF8PROC_CATEGORY_NO:
        return C_WORD;
    case UTF8PROC_CATEGORY_MN: case UTF8PROC_CATEGORY_MC: case UTF8PROC_CATEGORY_ME:
        return C_MARK;
    default:
        return C_SEP;
    }
}

static int is_digit(uint32_t cp)
{
    return (cp >= '0' && cp <= '9') ||
           (cp >= 0x80 && utf8proc_category((utf8proc_int32_t)cp) == UTF8PROC_CATEGORY_ND);
}

typedef struct tk {
    int mode;
    idx_token_cb cb;
    void *ctx;
    uint32_t pos;
    /* current word */
    int in_word;
    char word[IDX_TOKEN_MAX_WORD + 4];
    size_t wlen;
    int wtoolong;
    int split, wdigit; /* IDX_TOKENIZE_SPLIT_ALNUM; the current word is digits */
    uint32_t wpos, wlast;
    size_t wstart, wend;
    /* current CJK run: previous character */
    int in_cjk;
    size_t runlen;
    idx_nchar prev;
    uint32_t prevpos;
    /* IDX_TOKENIZE_RUN_GAP: a separator ended the last CJK run, and no word
     * came since */
    int run_gap, after_sep;
} tk;

static int emit(tk *t, const char *term, size_t len, uint32_t pos, size_t start, size_t end,
                int kind, int positional)
{
    idx_token tok = {.term = term, .len = len, .pos = pos, .start = start, .end = end,
                     .kind = kind, .positional = positional};
    return t->cb(t->ctx, &tok);
}

static int flush_word(tk *t)
{
    if (!t->in_word) return IDX_OK;
    t->in_word = 0;
    if (t->wtoolong) return IDX_OK;
    return emit(t, t->word, t->wlen, t->wpos, t->wstart, t->wend, IDX_TOK_WORD, 1);
}

static int unigram(tk *t, const idx_nchar *c, uint32_t pos, int positional)
{
    char b[4];
    size_t n = idx_utf8_encode(c->cp, b);
    return emit(t, b, n, pos, c->start, c->end, IDX_TOK_UNIGRAM, positional);
}

static int end_cjk(tk *t)
{
    if (!t->in_cjk) return IDX_OK;
    t->in_cjk = 0;
    /* the last character: a lone unigram, or (DOCUMENT) the run's last edge */
    if (t->runlen == 1 || t->mode == IDX_TOKENIZE_DOCUMENT)
        return unigram(t, &t->prev, t->prevpos, 1);
    return IDX_OK;
}

static int add_cjk(tk *t, const idx_nchar *c)
{
    int rc;
    uint32_t pos = t->pos++;
    if (t->in_cjk) {
        char b[8];
        size_t n = idx_utf8_encode(t->prev.cp, b);
        n += idx_utf8_encode(c->cp, b + n);
        if ((rc = emit(t, b, n, t->prevpos, t->prev.start, c->end, IDX_TOK_BIGRAM, 1)))
            return rc;
        if (t->mode == IDX_TOKENIZE_DOCUMENT &&
            (rc = unigram(t, &t->prev, t->prevpos, t->runlen == 1)))
            return rc;
        t->runlen++;
    } else {
        if (t->after_sep && t->run_gap) pos = t->pos++; /* one empty position between */
        t->after_sep = 0;
        t->in_cjk = 1;
        t->runlen = 1;
    }
    t->prev = *c;
    t->prevpos = pos;
    return IDX_OK;
}

static void word_append(tk *t, const idx_nchar *c)
{
    char b[4];
    size_t n = idx_utf8_encode(c->cp, b);
    if (t->wlen + n > IDX_TOKEN_MAX_WORD) t->wtoolong = 1;
    else { memcpy(t->word + t->wlen, b, n); t->wlen += n; }
    t->wend = c->end;
    t->wlast = c->cp;
}

int idx_tokenize(const char *s, size_t n, int mode, uint32_t pos0, idx_token_cb cb, void *ctx,
                 uint32_t *next_pos, idx_err *err)
{
    tk t;
    memset(&t, 0, sizeof t);
    t.mode = mode & IDX_TOKENIZE_MODE_MASK;
    t.cb = cb;
    t.ctx = ctx;
    t.pos = pos0;
    t.run_gap = (mode & IDX_TOKENIZE_RUN_GAP) != 0;
    t.split = (mode & IDX_TOKENIZE_SPLIT_ALNUM) != 0;

    idx_norm it;
    idx_nchar c;
    int r, rc = IDX_OK;
    idx_norm_init(&it, s, n);
    it.fold_t2s = (mode & IDX_TOKENIZE_FOLD_T2S) != 0;
    while ((r = idx_norm_next(&it, &c, err)) == 1) {
        int cls = classify(c.cp);
        if (cls == C_CJK) {
            if ((rc = flush_word(&t))) goto done;
            if ((rc = add_cjk(&t, &c))) goto done;
            continue;
        }
        if (cls == C_WORD) {
            if ((rc = end_cjk(&t))) goto done;
            /* letters after digits or digits after letters: a new word */
            if (t.in_word && t.split && is_digit(c.cp) != t.wdigit && (rc = flush_word(&t)))
                goto done;
            if (!t.in_word) {
                t.after_sep = 0;
                t.in_word = 1;
                t.wlen = 0;
                t.wtoolong = 0;
                t.wpos = t.pos++;
                t.wstart = c.start;
                t.wdigit = is_digit(c.cp);
            }
            word_append(&t, &c);
            continue;
        }
        if (cls == C_MARK) { /* extends a word; ignored elsewhere */
            if (t.in_word) word_append(&t, &c);
            continue;
        }
        /* separator: '.' (any width) or an ASCII ',' between digits stays
         * inside a number; a full-width '，' separates clauses in Chinese */
        if ((c.cp == '.' || (c.cp == ',' && c.end - c.start == 1)) && t.in_word &&
            is_digit(t.wlast)) {
            idx_norm peek = it;
            idx_nchar nx;
            idx_err tmp;
            idx_err_clear(&tmp);
            if (idx_norm_next(&peek, &nx, &tmp) == 1 && is_digit(nx.cp)) {
                word_append(&t, &c);
                continue;
            }
        }
        if ((rc = flush_word(&t))) goto done;
        if (t.in_cjk) t.after_sep = 1;
        if ((rc = end_cjk(&t))) goto done;
    }
    if (r < 0) { rc = IDX_EUTF8; goto done; }
    if ((rc = flush_word(&t))) goto done;
    rc = end_cjk(&t);
done:
    if (next_pos) *next_pos = t.pos;
    return rc;
}
