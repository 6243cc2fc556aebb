/* regional.c - see regional.h.  The table's Taiwan wordings are normalized
 * once per folding mode (the first query that needs them; pthread_once) and
 * sorted, so the runs of a query part are looked up by binary search; only
 * a part holding one costs the counts that decide whether to expand it
 * (weightless matches that stop at their cap).
 */
#include "regional.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "normalize.h"
#include "synonyms.h"
#include "tokenize.h"
#include "utf8.h"
#include "vocab.h"

typedef struct entry {
    char *tw;       /* the Taiwan wording, normalized */
    char *mainland; /* its mainland wording(s), normalized, space-separated */
} entry;

typedef struct table {
    entry *e; /* sorted by tw */
    size_t n;
} table;

static table tables[2]; /* [folded t2s] */
static pthread_once_t once = PTHREAD_ONCE_INIT;

/* s normalized (malloc'd, NUL-terminated), or NULL when out of memory. */
static char *normalized(const char *s, int fold)
{
    idx_buf b;
    idx_err e;
    idx_buf_init(&b);
    if (idx_normalize(s, strlen(s), fold, &b, &e) != IDX_OK) {
        idx_buf_fini(&b);
        return NULL;
    }
    return idx_buf_detach(&b, NULL);
}

static int by_tw(const void *x, const void *y)
{
    return strcmp(((const entry *)x)->tw, ((const entry *)y)->tw);
}

/* Both folding modes' tables, every wording normalized once; an entry that
 * cannot be (out of memory) is left out. */
static void build(void)
{
    for (int f = 0; f < 2; f++) {
        entry *e = calloc(idx_regional_count, sizeof *e);
        if (!e) return; /* then nothing is expanded */
        size_t n = 0;
        for (size_t i = 0; i < idx_regional_count; i++) {
            e[n].tw = normalized(idx_regional_pairs[i].tw, f);
            e[n].mainland = normalized(idx_regional_pairs[i].mainland, f);
            if (e[n].tw && e[n].mainland) {
                n++;
            } else {
                free(e[n].tw);
                free(e[n].mainland);
            }
        }
        qsort(e, n, sizeof *e, by_tw);
        tables[f] = (table){.e = e, .n = n};
    }
}

static const entry *lookup(int fold, const char *text)
{
    const table *t = &tables[fold];
    size_t lo = 0, hi = t->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(t->e[mid].tw, text);
        if (c == 0) return &t->e[mid];
        if (c < 0) lo = mid + 1;
        else hi = mid;
    }
    return NULL;
}

/* Articles matching text (a part's words), counted exactly up to cap. */
static int count(idx_db *db, const idx_query_opts *qo, const char *text, size_t n,
                 unsigned cap, uint64_t *out, idx_err *err)
{
    idx_query_opts o = {.unigrams = qo->unigrams, .format = qo->format, .tokflags = qo->tokflags};
    idx_xq *q = NULL, *b = NULL;
    idx_results *res = NULL;
    int rc = idx_query_compile(text, n, &o, &q, err);
    /* weightless, so the match stops once cap documents are counted */
    idx_search_opts so = {.limit = 0, .check_at_least = cap, .no_data = 1};
    if (!rc) rc = idx_xq_scale(q, 0, &b, err);
    if (!rc) rc = idx_db_search(db, b, &so, &res, err);
    idx_xq_free(b);
    if (!rc) *out = res->lower;
    idx_results_free(res);
    idx_xq_free(q);
    return rc;
}

#define MAX_VARIANTS 4
#define MAX_TW_CHARS 10   /* the longest Taiwan wording of the table, in characters */
#define MAX_PART_CHARS 16 /* the longest query part looked into, in characters */

/* The variants of text[0..n) with its Taiwan wordings (found left to
 * right, longest first) replaced by each mainland one, into v[] (malloc'd,
 * at most MAX_VARIANTS); returns how many (0: no Taiwan wording in it). */
static size_t variants(const char *text, size_t n, int fold, char **v, size_t *vlen)
{
    idx_buf cur[MAX_VARIANTS];
    size_t nv = 1, found = 0;
    for (size_t k = 0; k < MAX_VARIANTS; k++) idx_buf_init(&cur[k]);
    size_t i = 0;
    while (i < n) {
        const entry *hit = NULL;
        size_t hitlen = 0;
        /* try the longest run of characters from i that is a Taiwan wording */
        size_t ends[MAX_TW_CHARS + 1], ne = 0, j = i;
        while (j < n && ne < MAX_TW_CHARS) {
            uint32_t cp;
            size_t c = 1;
            idx_utf8_decode(text, n, j, &cp, &c); /* valid: a part's normalized text */
            j += c;
            ends[ne++] = j;
        }
        char tmp[MAX_TW_CHARS * 4 + 1];
        for (size_t e = ne; e-- > 1 && !hit;) { /* two characters at least */
            size_t len = ends[e] - i;
            memcpy(tmp, text + i, len);
            tmp[len] = '\0';
            if ((hit = lookup(fold, tmp))) hitlen = len;
        }
        if (!hit) {
            size_t c = ends[0] - i;
            for (size_t k = 0; k < nv; k++) idx_buf_append(&cur[k], text + i, c);
            i += c;
            continue;
        }
        found++;
        /* each variant so far times each mainland wording (up to the cap) */
        const char *alts = hit->mainland;
        size_t nv0 = nv;
        idx_buf base[MAX_VARIANTS];
        for (size_t k = 0; k < nv0; k++) {
            base[k] = cur[k];
            idx_buf_init(&cur[k]);
        }
        nv = 0;
        for (const char *p = alts; *p;) {
            size_t k = strcspn(p, " ");
            for (size_t b = 0; b < nv0 && nv < MAX_VARIANTS; b++) {
                idx_buf_append(&cur[nv], base[b].data, base[b].len);
                idx_buf_append(&cur[nv], p, k);
                nv++;
            }
            p += k;
            while (*p == ' ') p++;
        }
        for (size_t k = 0; k < nv0; k++) idx_buf_fini(&base[k]);
        i += hitlen;
    }
    size_t out = 0;
    for (size_t k = 0; k < MAX_VARIANTS; k++) {
        if (found && k < nv && !cur[k].oom) {
            v[out] = idx_buf_detach(&cur[k], &vlen[out]);
            if (v[out]) out++;
        }
        idx_buf_fini(&cur[k]);
    }
    return out;
}

/* Expand text (a part) with its mainland variants, when the archive says
 * the part is the rare one. */
static int expand_one(idx_db *db, const idx_query_opts *qo, idx_qtree *t, const char *text,
                      size_t n, int *looked, idx_err *err)
{
    int fold = (qo->tokflags & IDX_TOKENIZE_FOLD_T2S) != 0;
    char *v[MAX_VARIANTS];
    size_t vlen[MAX_VARIANTS];
    size_t nv = variants(text, n, fold, v, vlen);
    if (nv == 0) return IDX_OK;
    (*looked)++;
    uint64_t have = 0;
    int rc = count(db, qo, text, n, IDX_REGIONAL_RARE, &have, err);
    const char *members[1 + MAX_VARIANTS];
    size_t lens[1 + MAX_VARIANTS], m = 0;
    members[m] = text;
    lens[m++] = n;
    for (size_t k = 0; !rc && have < IDX_REGIONAL_RARE && k < nv; k++) {
        uint64_t theirs = 0;
        rc = count(db, qo, v[k], vlen[k], 5 * IDX_REGIONAL_RARE, &theirs, err);
        if (!rc && theirs >= 5 * (have ? have : 1)) {
            members[m] = v[k];
            lens[m++] = vlen[k];
        }
    }
    idx_synonyms *syn = NULL;
    if (!rc && m > 1 && !(rc = idx_synonyms_group(members, lens, m, &syn, err)))
        rc = idx_synonyms_expand(t, syn, err);
    idx_synonyms_free(syn);
    for (size_t k = 0; k < nv; k++) free(v[k]);
    return rc;
}

int idx_regional_expand(idx_db *db, const idx_query_opts *qo, idx_qtree *t, idx_err *err)
{
    if (t->root < 0) return IDX_OK;
    pthread_once(&once, build);
    size_t n0 = t->nnodes;
    idx_buf text;
    idx_buf_init(&text);
    int rc = IDX_OK, looked = 0;
    for (size_t id = 0; id < n0 && !rc && looked < IDX_REGIONAL_MAX_PARTS; id++) {
        if (t->nodes[id].type != IDX_QN_TEXT ||
            !idx_vocab_run_text(t, &t->nodes[id], MAX_PART_CHARS, &text))
            continue;
        rc = expand_one(db, qo, t, text.data, text.len, &looked, err);
    }
    idx_buf_fini(&text);
    return rc;
}
