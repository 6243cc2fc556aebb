/* vocab.c - see vocab.h: finding "full name（abbreviation）" pairs in an
 * article (on its normalized characters, so the pair's term is spelled as
 * the database spells its terms) and expanding a query's abbreviations
 * with the pairs the database counts.
 */
#include "vocab.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "normalize.h"
#include "synonyms.h"
#include "tokenize.h"
#include "utf8.h"

#define MAX_INSIDE 16 /* characters looked at between the brackets */

static int has_bracket(const char *s, size_t n)
{
    return memchr(s, '(', n) != NULL || memmem(s, n, "\xef\xbc\x88", 3) != NULL;
}

/* The normalized code points of s[0..n) into *cp (malloc'd), *ncp of them. */
static int normalize_all(const char *s, size_t n, int tokflags, uint32_t **cp, size_t *ncp,
                         idx_err *err)
{
    idx_norm it;
    idx_nchar c;
    size_t cap = n / 2 + 16, k = 0;
    uint32_t *v = malloc(cap * sizeof *v);
    int r;
    if (!v) return idx_err_set(err, IDX_ENOMEM, "vocab", "out of memory");
    idx_norm_init(&it, s, n);
    it.fold_t2s = (tokflags & IDX_TOKENIZE_FOLD_T2S) != 0;
    while ((r = idx_norm_next(&it, &c, err)) == 1) {
        if (k == cap) {
            uint32_t *w = realloc(v, (cap *= 2) * sizeof *v);
            if (!w) {
                free(v);
                return idx_err_set(err, IDX_ENOMEM, "vocab", "out of memory");
            }
            v = w;
        }
        v[k++] = c.cp;
    }
    if (r < 0) {
        free(v);
        return IDX_EUTF8;
    }
    *cp = v;
    *ncp = k;
    return IDX_OK;
}

static int is_quote(uint32_t c)
{
    return c == '"' || c == '\'' || c == 0x201C || c == 0x201D || c == 0x2018 || c == 0x2019 ||
           c == 0x300C || c == 0x300D || c == 0x300E || c == 0x300F;
}

/* Length of a lead-in ("以下简称", "以下称", "下称", "简称") at v[0..n), or 0. */
static size_t lead_in(const uint32_t *v, size_t n)
{
    static const uint32_t leads[][5] = {
        {0x4EE5, 0x4E0B, 0x7B80, 0x79F0, 0}, /* 以下简称 */
        {0x4EE5, 0x4E0B, 0x79F0, 0, 0},      /* 以下称 */
        {0x4E0B, 0x79F0, 0, 0, 0},           /* 下称 */
        {0x7B80, 0x79F0, 0, 0, 0},           /* 简称 */
    };
    for (size_t l = 0; l < sizeof leads / sizeof *leads; l++) {
        size_t k = 0;
        while (k < 4 && leads[l][k] && k < n && v[k] == leads[l][k]) k++;
        if (k < 5 && leads[l][k] == 0 && k > 0) return k;
    }
    return 0;
}

/* Is a[0..na) a subsequence of b[0..nb)? */
static int subsequence(const uint32_t *a, size_t na, const uint32_t *b, size_t nb)
{
    size_t i = 0;
    for (size_t j = 0; j < nb && i < na; j++)
        if (b[j] == a[i]) i++;
    return i == na;
}

/* Does b[0..nb) hold a[0..na) as a contiguous run? */
static int contains(const uint32_t *b, size_t nb, const uint32_t *a, size_t na)
{
    for (size_t i = 0; i + na <= nb; i++)
        if (memcmp(b + i, a, na * sizeof *a) == 0) return 1;
    return 0;
}

static void put_cps(idx_buf *b, const uint32_t *v, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char u[4];
        idx_buf_append(b, u, idx_utf8_encode(v[i], u));
    }
}

int idx_vocab_scan(const char *s, size_t n, int tokflags, idx_vocab_fn fn, void *ctx,
                   idx_err *err)
{
    if (!s || !has_bracket(s, n)) return IDX_OK;
    uint32_t *v = NULL;
    size_t nv = 0;
    int rc = normalize_all(s, n, tokflags, &v, &nv, err);
    if (rc) return rc;
    idx_buf term;
    idx_buf_init(&term);
    for (size_t i = 1; i < nv && !rc; i++) {
        if (v[i] != '(' || !idx_utf8_is_cjk(v[i - 1])) continue;
        size_t a = i + 1, b = a;
        while (b < nv && b - a < MAX_INSIDE && v[b] != ')' && v[b] != '(') b++;
        if (b >= nv || v[b] != ')') continue;
        a += lead_in(v + a, b - a);
        while (a < b && is_quote(v[a])) a++;
        while (b > a && is_quote(v[b - 1])) b--;
        size_t ny = b - a, k;
        if (ny < 2 || ny > IDX_ABBR_MAX_CHARS) continue;
        for (k = a; k < b && idx_utf8_is_cjk(v[k]); k++) {
        }
        if (k < b) continue;
        /* the CJK run before the bracket, at most IDX_ABBR_MAX_FULL back */
        size_t r0 = i;
        while (r0 > 0 && i - r0 < IDX_ABBR_MAX_FULL && idx_utf8_is_cjk(v[r0 - 1])) r0--;
        if (i - r0 <= ny) continue;
        if (v[i - 1] != v[b - 1]) continue; /* 亚洲…银行（亚投行）: the same last character */
        for (size_t p = i - ny - 1 + 1; p-- > r0;) {
            if (v[p] != v[a] || !subsequence(v + a + 1, ny - 1, v + p + 1, i - p - 1)) continue;
            if (contains(v + p, i - p, v + a, ny)) break; /* 长三角协同…（长三角）: a word, not a name */
            idx_buf_reset(&term);
            idx_buf_append(&term, IDX_PREFIX_ABBR, strlen(IDX_PREFIX_ABBR));
            put_cps(&term, v + a, ny);
            idx_buf_putc(&term, '\x1f');
            put_cps(&term, v + p, i - p);
            if (term.oom)
                rc = idx_err_set(err, IDX_ENOMEM, "vocab", "out of memory");
            else
                rc = fn(ctx, term.data, term.len, err);
            break;
        }
    }
    idx_buf_fini(&term);
    free(v);
    return rc;
}

int idx_vocab_run_text(const idx_qtree *t, const idx_qnode *nd, size_t max_chars, idx_buf *b)
{
    if (nd->n < 1 || nd->n + 1 > max_chars) return 0;
    const idx_qtoken *tk = t->toks + nd->first;
    idx_buf_reset(b);
    for (size_t i = 0; i < nd->n; i++) {
        if (tk[i].kind != IDX_TOK_BIGRAM || (i && tk[i].pos != tk[i - 1].pos + 1)) return 0;
        size_t c1 = idx_utf8_clip(tk[i].term, tk[i].len, 4);
        if (i == 0)
            idx_buf_append(b, tk[i].term, tk[i].len);
        else
            idx_buf_append(b, tk[i].term + c1, tk[i].len - c1);
    }
    return !b->oom;
}

static int by_freq(const void *x, const void *y)
{
    const idx_term_freq *a = x, *b = y;
    return a->freq < b->freq ? 1 : a->freq > b->freq ? -1 : 0;
}

/* Expand the nodes equal to text (len n) with its full names from db. */
static int expand_one(idx_db *db, idx_qtree *t, const char *text, size_t n, idx_err *err)
{
    idx_buf prefix;
    idx_buf_init(&prefix);
    idx_buf_append(&prefix, IDX_PREFIX_ABBR, strlen(IDX_PREFIX_ABBR));
    idx_buf_append(&prefix, text, n);
    idx_buf_putc(&prefix, '\x1f');
    if (prefix.oom) {
        idx_buf_fini(&prefix);
        return idx_err_set(err, IDX_ENOMEM, "vocab", "out of memory");
    }
    idx_term_freq *tf = NULL;
    size_t ntf = 0;
    int rc = idx_db_terms_prefix(db, prefix.data, prefix.len, 256, &tf, &ntf, err);
    uint64_t total = 0;
    for (size_t i = 0; !rc && i < ntf; i++) total += tf[i].freq;
    if (!rc && ntf > 0) {
        qsort(tf, ntf, sizeof *tf, by_freq);
        const char *members[1 + IDX_ABBR_MAX_EXPANSIONS];
        size_t lens[1 + IDX_ABBR_MAX_EXPANSIONS], m = 0;
        members[m] = text;
        lens[m++] = n;
        for (size_t i = 0; i < ntf && m <= IDX_ABBR_MAX_EXPANSIONS; i++) {
            if (tf[i].freq < IDX_ABBR_MIN_DOCS || tf[i].freq * 5 < total) break;
            members[m] = tf[i].term + prefix.len;
            lens[m++] = tf[i].len - prefix.len;
        }
        idx_synonyms *syn = NULL;
        if (m > 1 && !(rc = idx_synonyms_group(members, lens, m, &syn, err)))
            rc = idx_synonyms_expand(t, syn, err);
        idx_synonyms_free(syn);
    }
    idx_terms_free(tf, ntf);
    idx_buf_fini(&prefix);
    return rc;
}

int idx_vocab_expand(idx_db *db, idx_qtree *t, idx_err *err)
{
    if (t->root < 0) return IDX_OK;
    size_t n0 = t->nnodes;
    idx_buf text;
    idx_buf_init(&text);
    int rc = IDX_OK, looked = 0;
    for (size_t id = 0; id < n0 && !rc && looked < IDX_ABBR_MAX_PARTS; id++) {
        if (t->nodes[id].type != IDX_QN_TEXT ||
            !idx_vocab_run_text(t, &t->nodes[id], IDX_ABBR_MAX_CHARS, &text))
            continue;
        looked++;
        rc = expand_one(db, t, text.data, text.len, err);
    }
    idx_buf_fini(&text);
    return rc;
}
