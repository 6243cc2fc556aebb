/* snippet.c - see snippet.h.
 *
 * Three steps:
 *   1. scan: tokenize the text (DOCUMENT mode, first IDX_SNIPPET_SCAN_MAX
 *      bytes) and keep the tokens equal to a query term, in text order
 *      (their positions never decrease);
 *   2. spans: for each query part, every place where all its tokens occur at
 *      the part's relative positions gives a span [first start, last end);
 *      spans sorted by start and merged when they overlap or touch;
 *   3. render: copy a byte range, escaping HTML, collapsing white space and
 *      opening/closing marks at the merged spans.
 * idx_snippet adds the window choice between 2 and 3 (two pointers over the
 * spans, counting distinct parts inside max_chars characters).
 */
#include "snippet.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hash.h"
#include "tokenize.h"
#include "utf8.h"

#define MAX_MATCHES 20000 /* matched tokens kept per text (bounds memory) */

typedef struct mtok {
    uint32_t pos, tid;
    size_t start, end;
} mtok;

typedef struct span {
    size_t start, end; /* bytes */
    size_t cs, ce;     /* characters */
    uint32_t part;
} span;

typedef struct scan {
    const idx_qtree *q;
    uint32_t *tid;     /* query token -> distinct term id */
    uint32_t *uniq;    /* distinct term id -> first query token index */
    size_t nuniq;
    idx_map ids;       /* hash of a term -> its distinct term id (uint32_t) */
    mtok *m;
    size_t nm, cap;
    int oom;
} scan;

/* Distinct term id of t[0..n), or -1. */
static long term_id(const scan *s, const char *t, size_t n)
{
    size_t it = 0;
    for (const uint32_t *u; (u = idx_map_next(&s->ids, idx_hash(IDX_HASH_SEED, t, n), &it));) {
        const idx_qtoken *qt = &s->q->toks[s->uniq[*u]];
        if (qt->len == n && memcmp(qt->term, t, n) == 0) return (long)*u;
    }
    return -1;
}

static int on_token(void *vctx, const idx_token *t)
{
    scan *s = vctx;
    long u = term_id(s, t->term, t->len);
    if (u >= 0) {
        if (s->nm == MAX_MATCHES) return IDX_ETOOBIG; /* enough: stop scanning */
        if (s->nm == s->cap) {
            size_t cap = s->cap ? s->cap * 2 : 64;
            mtok *m = realloc(s->m, cap * sizeof *m);
            if (!m) {
                s->oom = 1;
                return IDX_ENOMEM;
            }
            s->m = m;
            s->cap = cap;
        }
        s->m[s->nm++] =
            (mtok){.pos = t->pos, .tid = (uint32_t)u, .start = t->start, .end = t->end};
    }
    return IDX_OK;
}

/* First index in m[0..n) with pos >= want. */
static size_t lower_bound(const mtok *m, size_t n, uint32_t want)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (m[mid].pos < want)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static int span_cmp(const void *a, const void *b)
{
    const span *x = a, *y = b;
    if (x->start != y->start) return x->start < y->start ? -1 : 1;
    if (x->end != y->end) return x->end < y->end ? -1 : 1;
    return 0;
}

typedef struct spans {
    span *v;     /* every match of every part, sorted by start */
    size_t n;
    span *merged; /* overlapping/touching spans joined */
    size_t nmerged;
} spans;

static void spans_fini(spans *sp)
{
    free(sp->v);
    free(sp->merged);
}

/* Steps 1 and 2 over text[0..n). */
static int find_spans(const idx_qtree *q, const char *text, size_t n, int body, spans *sp,
                      idx_err *err)
{
    memset(sp, 0, sizeof *sp);
    scan s;
    memset(&s, 0, sizeof s);
    idx_map_init(&s.ids, sizeof(uint32_t));
    s.q = q;
    uint32_t *first = NULL, *order = NULL; /* matches grouped by term id */
    int rc = IDX_OK;
    size_t scan_n = n > IDX_SNIPPET_SCAN_MAX ? idx_utf8_clip(text, n, IDX_SNIPPET_SCAN_MAX) : n;
    if (!q || q->ntoks == 0 || scan_n == 0) return IDX_OK;
    s.tid = malloc(q->ntoks * sizeof *s.tid);
    s.uniq = malloc(q->ntoks * sizeof *s.uniq);
    if (!s.tid || !s.uniq) {
        rc = idx_err_set(err, IDX_ENOMEM, "snippet", "out of memory");
        goto done;
    }
    for (size_t i = 0; i < q->ntoks; i++) {
        const idx_qtoken *b = &q->toks[i];
        long u = term_id(&s, b->term, b->len);
        if (u < 0) {
            u = (long)s.nuniq;
            s.uniq[s.nuniq++] = (uint32_t)i;
            uint32_t *id = idx_map_add(&s.ids, idx_hash(IDX_HASH_SEED, b->term, b->len));
            if (!id) {
                rc = idx_err_set(err, IDX_ENOMEM, "snippet", "out of memory");
                goto done;
            }
            *id = (uint32_t)u;
        }
        s.tid[i] = (uint32_t)u;
    }
    rc = idx_tokenize(text, scan_n, IDX_TOKENIZE_DOCUMENT | q->tokflags, 0, on_token, &s, NULL,
                      err);
    if (rc == IDX_ETOOBIG) rc = IDX_OK; /* MAX_MATCHES reached */
    if (s.oom) rc = idx_err_set(err, IDX_ENOMEM, "snippet", "out of memory");
    if (rc) goto done;

    if (s.nm == 0) goto done;
    /* group the matches by term id (counting sort), keeping text order */
    first = calloc(s.nuniq + 1, sizeof *first);
    order = malloc(s.nm * sizeof *order);
    if (!first || !order) {
        rc = idx_err_set(err, IDX_ENOMEM, "snippet", "out of memory");
        goto done;
    }
    for (size_t i = 0; i < s.nm; i++) first[s.m[i].tid + 1]++;
    for (size_t u = 0; u < s.nuniq; u++) first[u + 1] += first[u];
    {
        uint32_t *fill = calloc(s.nuniq, sizeof *fill);
        if (!fill) {
            rc = idx_err_set(err, IDX_ENOMEM, "snippet", "out of memory");
            goto done;
        }
        for (size_t i = 0; i < s.nm; i++) order[first[s.m[i].tid] + fill[s.m[i].tid]++] = (uint32_t)i;
        free(fill);
    }

    /* at most one span per (part, match of its first token) */
    size_t cap = 0;
    for (size_t p = 0; p < q->nparts; p++) {
        uint32_t t0 = s.tid[q->parts[p].first];
        if (!(body && q->parts[p].field == IDX_FIELD_TITLE)) cap += first[t0 + 1] - first[t0];
    }
    if (cap == 0) goto done;
    sp->v = malloc(cap * sizeof *sp->v);
    if (!sp->v) {
        rc = idx_err_set(err, IDX_ENOMEM, "snippet", "out of memory");
        goto done;
    }
    for (size_t p = 0; p < q->nparts; p++) {
        const idx_qpart *part = &q->parts[p];
        if (body && part->field == IDX_FIELD_TITLE) continue; /* title: parts */
        const idx_qtoken *qt = &q->toks[part->first];
        uint32_t t0 = s.tid[part->first];
        for (uint32_t o = first[t0]; o < first[t0 + 1]; o++) {
            size_t i = order[o];
            size_t a = s.m[i].start, b = s.m[i].end;
            int ok = 1;
            for (size_t k = 1; k < part->n && ok; k++) {
                uint32_t want = s.m[i].pos + (qt[k].pos - qt[0].pos);
                uint32_t tk = s.tid[part->first + k];
                ok = 0;
                for (size_t j = lower_bound(s.m, s.nm, want); j < s.nm && s.m[j].pos == want; j++) {
                    if (s.m[j].tid != tk) continue;
                    if (s.m[j].start < a) a = s.m[j].start;
                    if (s.m[j].end > b) b = s.m[j].end;
                    ok = 1;
                    break;
                }
            }
            if (ok) sp->v[sp->n++] = (span){.start = a, .end = b, .part = (uint32_t)p};
        }
    }
    if (sp->n == 0) goto done;
    qsort(sp->v, sp->n, sizeof *sp->v, span_cmp);

    /* character offsets: starts ascend, so one walk counts them */
    size_t at = 0, chars = 0;
    for (size_t i = 0; i < sp->n; i++) {
        for (; at < sp->v[i].start; at++) chars += ((unsigned char)text[at] & 0xC0) != 0x80;
        sp->v[i].cs = chars;
        size_t ce = chars;
        for (size_t k = sp->v[i].start; k < sp->v[i].end; k++)
            ce += ((unsigned char)text[k] & 0xC0) != 0x80;
        sp->v[i].ce = ce;
    }

    sp->merged = malloc(sp->n * sizeof *sp->merged);
    if (!sp->merged) {
        rc = idx_err_set(err, IDX_ENOMEM, "snippet", "out of memory");
        goto done;
    }
    for (size_t i = 0; i < sp->n; i++) {
        span *last = sp->nmerged ? &sp->merged[sp->nmerged - 1] : NULL;
        if (last && sp->v[i].start <= last->end) {
            if (sp->v[i].end > last->end) {
                last->end = sp->v[i].end;
                last->ce = sp->v[i].ce;
            }
        } else {
            sp->merged[sp->nmerged++] = sp->v[i];
        }
    }
done:
    free(first);
    free(order);
    free(s.tid);
    free(s.uniq);
    idx_map_fini(&s.ids);
    free(s.m);
    if (rc) {
        spans_fini(sp);
        memset(sp, 0, sizeof *sp);
    }
    return rc;
}

/* ---- characters ---- */

/* An ASCII white-space byte (utf8.h's set; none of its other characters
 * starts with a byte below 0x80). */
static int is_space_byte(unsigned char c)
{
    return c < 0x80 && idx_utf8_is_space(c);
}
/* Start of the character that ends just before byte i (i > 0). */
static size_t prev_char(const char *t, size_t i)
{
    do i--;
    while (i > 0 && ((unsigned char)t[i] & 0xC0) == 0x80);
    return i;
}

/* Byte after the character starting at i (i < n). */
static size_t next_char(const char *t, size_t n, size_t i)
{
    do i++;
    while (i < n && ((unsigned char)t[i] & 0xC0) == 0x80);
    return i;
}

static uint32_t cp_at(const char *t, size_t n, size_t i)
{
    uint32_t cp;
    size_t len;
    return idx_utf8_decode(t, n, i, &cp, &len) == 0 ? cp : 0xFFFD;
}

/* Does the character at i end a sentence? */
static int is_sentence_end(const char *t, size_t n, size_t i)
{
    uint32_t cp = cp_at(t, n, i);
    switch (cp) {
    case 0x3002: case 0xFF01: case 0xFF1F: case 0xFF1B: case '!': case '?': case ';':
    case '\n': case 0xFF61:
        return 1;
    case '.': /* not inside "2.14" or "www.cctv.com" */
        return i + 1 >= n || is_space_byte((unsigned char)t[i + 1]);
    default:
        return 0;
    }
}

/* Closing quotes/brackets that belong to the sentence before them. */
static int is_closer(uint32_t cp)
{
    switch (cp) {
    case 0x201D: case 0x2019: case 0x300D: case 0x300F: case 0xFF09: case ')': case '"':
    case '\'': case 0x3011: case 0x300B:
        return 1;
    default:
        return 0;
    }
}

/* The byte after the sentence end at i and its closing quotes. */
static size_t after_sentence_end(const char *t, size_t n, size_t i)
{
    i = next_char(t, n, i);
    while (i < n && is_closer(cp_at(t, n, i))) i = next_char(t, n, i);
    return i;
}

/* ---- rendering ---- */

typedef struct marks {
    const char *open, *close;
    size_t olen, clen;
    int plain;
} marks;

static marks marks_of(const idx_hl_opts *o)
{
    marks m;
    m.open = o && o->open ? o->open : "<mark>";
    m.close = o && o->close ? o->close : "</mark>";
    m.olen = strlen(m.open);
    m.clen = strlen(m.close);
    m.plain = o ? o->plain : 0;
    return m;
}

/* Append text[from..to) with marks at the merged spans. */
static void render(const char *t, size_t from, size_t to, const spans *sp, const marks *mk,
                   idx_buf *out)
{
    size_t k = 0;
    int in = 0, last_space = 0;
    while (k < sp->nmerged && sp->merged[k].end <= from) k++;
    for (size_t i = from; i < to; i++) {
        if (in && i >= sp->merged[k].end) {
            idx_buf_append(out, mk->close, mk->clen);
            in = 0;
            k++;
        }
        if (!in && k < sp->nmerged && sp->merged[k].start <= i) {
            idx_buf_append(out, mk->open, mk->olen);
            in = 1;
        }
        unsigned char c = (unsigned char)t[i];
        if (is_space_byte(c)) {
            if (!last_space) idx_buf_putc(out, ' ');
            last_space = 1;
            continue;
        }
        last_space = 0;
        if (c < 0x20 || c == 0x7F) continue; /* other control characters */
        if (!mk->plain) {
            switch (c) {
            case '&': idx_buf_append(out, "&amp;", 5); continue;
            case '<': idx_buf_append(out, "&lt;", 4); continue;
            case '>': idx_buf_append(out, "&gt;", 4); continue;
            case '"': idx_buf_append(out, "&quot;", 6); continue;
            case '\'': idx_buf_append(out, "&#39;", 5); continue;
            default: break;
            }
        }
        idx_buf_putc(out, (char)c);
    }
    if (in) idx_buf_append(out, mk->close, mk->clen);
}

/* White space and control characters: nothing a reader sees. */
static int is_blank_byte(unsigned char c)
{
    return c < 0x20 || c == ' ' || c == 0x7F;
}

static size_t skip_space(const char *t, size_t i, size_t n)
{
    while (i < n && is_blank_byte((unsigned char)t[i])) i++;
    return i;
}

static size_t trim_space(const char *t, size_t from, size_t to)
{
    while (to > from && is_blank_byte((unsigned char)t[to - 1])) to--;
    return to;
}

static int finish(idx_buf *out, idx_err *err)
{
    return out->oom ? idx_err_set(err, IDX_ENOMEM, "snippet", "out of memory") : IDX_OK;
}

int idx_highlight(const idx_qtree *q, const char *text, size_t n, const idx_hl_opts *opts,
                  idx_buf *out, idx_err *err)
{
    /* a huge "title" is shown up to the scan limit, like a snippet */
    size_t shown = n > IDX_SNIPPET_SCAN_MAX ? idx_utf8_clip(text, n, IDX_SNIPPET_SCAN_MAX) : n;
    int rc = idx_utf8_check(text, shown, "text to highlight", err);
    if (rc) return rc;
    spans sp;
    if ((rc = find_spans(q, text, shown, 0, &sp, err))) return rc;
    marks mk = marks_of(opts);
    size_t a = skip_space(text, 0, shown), b = trim_space(text, a, shown);
    render(text, a, b, &sp, &mk, out);
    if (skip_space(text, b, n) < n) idx_buf_append(out, "…", strlen("…"));
    spans_fini(&sp);
    return finish(out, err);
}

/* The window [*from, *to) of text for the spans v[i..j) (or the start of the
 * text when there are none). */
static void place_window(const char *t, size_t n, const spans *sp, size_t i, size_t j,
                         size_t max, size_t *from, size_t *to)
{
    size_t bs = 0, be = 0, cs = 0, ce = 0;
    if (j > i) {
        bs = sp->v[i].start;
        cs = sp->v[i].cs;
        for (size_t k = i; k < j; k++) {
            if (sp->v[k].end > be) be = sp->v[k].end;
            if (sp->v[k].ce > ce) ce = sp->v[k].ce;
        }
    }
    size_t slack = ce - cs < max ? max - (ce - cs) : 0;

    /* start: the text start if near, else just after the nearest sentence
     * end within slack characters, else a lead of half the slack */
    size_t a = 0;
    if (cs > slack) {
        size_t p = bs, k, found = (size_t)-1;
        for (k = 0; k < slack && p > 0; k++) {
            p = prev_char(t, p);
            if (is_sentence_end(t, n, p)) {
                found = after_sentence_end(t, n, p);
                break;
            }
        }
        if (found != (size_t)-1 && found <= bs) {
            a = found;
        } else {
            a = bs;
            for (k = 0; k < slack / 2 && a > 0; k++) a = prev_char(t, a);
        }
    }
    /* a marked span is never cut at the start */
    for (size_t k = 0; k < sp->nmerged; k++)
        if (sp->merged[k].start < a && a < sp->merged[k].end) a = sp->merged[k].start;
    a = skip_space(t, a, n);

    /* end: max characters on, pulled back to a sentence end that keeps at
     * least half the window */
    size_t b = a, chars = 0;
    while (b < n && chars < max) {
        b = next_char(t, n, b);
        chars++;
    }
    if (b < be) b = be;
    if (b < n) {
        size_t p = b, c = chars;
        while (p > be && c > max / 2) {
            p = prev_char(t, p);
            c--;
            if (is_sentence_end(t, n, p)) {
                b = after_sentence_end(t, n, p);
                break;
            }
        }
    }
    for (size_t k = 0; k < sp->nmerged; k++)
        if (sp->merged[k].start < b && b < sp->merged[k].end)
            b = sp->merged[k].start >= be ? sp->merged[k].start : sp->merged[k].end;
    *from = a;
    *to = trim_space(t, a, b);
}

/* A window of spans v[i..j) and what it covers, for fragments(). */
typedef struct cand {
    size_t i, j, parts;
} cand;

static int cand_order(const void *x, const void *y)
{
    const cand *a = x, *b = y;
    if (a->parts != b->parts) return a->parts > b->parts ? -1 : 1;
    if (a->j - a->i != b->j - b->i) return a->j - a->i > b->j - b->i ? -1 : 1;
    return a->i < b->i ? -1 : a->i > b->i;
}

static int by_start(const void *x, const void *y)
{
    const size_t *a = x, *b = y;
    return a[0] < b[0] ? -1 : a[0] > b[0];
}

/* Up to nfrag windows of text (idx_snippet with fragments > 1): every
 * window of spans (each span starting one, as many following spans as fit
 * in max characters) in the order most distinct parts, most spans,
 * earliest; each taken when it shares no byte with one taken before (a
 * window leaves the spans inside it to itself); printed in text order,
 * "…" between them and at each end where text was left out. */
static int fragments(const idx_qtree *q, const char *text, size_t n, const spans *sp, size_t max,
                     unsigned nfrag, const idx_hl_opts *opts, idx_buf *out, idx_err *err)
{
    cand *c = malloc(sp->n * sizeof *c);
    uint32_t *count = calloc(q->nparts, sizeof *count);
    size_t (*win)[2] = malloc(nfrag * sizeof *win), nwin = 0;
    int rc = IDX_OK;
    if (!c || !count || !win) {
        rc = idx_err_set(err, IDX_ENOMEM, "snippet", "out of memory");
        goto done;
    }
    size_t j = 0, distinct = 0;
    for (size_t i = 0; i < sp->n; i++) {
        if (j <= i) {
            j = i + 1;
            if (count[sp->v[i].part]++ == 0) distinct++;
        }
        while (j < sp->n && sp->v[j].ce - sp->v[i].cs <= max) {
            if (count[sp->v[j].part]++ == 0) distinct++;
            j++;
        }
        c[i] = (cand){.i = i, .j = j, .parts = distinct};
        if (--count[sp->v[i].part] == 0) distinct--;
    }
    qsort(c, sp->n, sizeof *c, cand_order);
    for (size_t k = 0; k < sp->n && nwin < nfrag; k++) {
        size_t a, b;
        place_window(text, n, sp, c[k].i, c[k].j, max, &a, &b);
        int clash = 0;
        for (size_t w = 0; w < nwin && !clash; w++) clash = a < win[w][1] && win[w][0] < b;
        if (clash || b <= a) continue;
        win[nwin][0] = a;
        win[nwin][1] = b;
        nwin++;
    }
    qsort(win, nwin, sizeof *win, by_start);
    marks mk = marks_of(opts);
    for (size_t w = 0; w < nwin; w++)
        if ((rc = idx_utf8_check(text + win[w][0], win[w][1] - win[w][0], "text to highlight",
                                 err)))
            goto done;
    for (size_t w = 0; w < nwin; w++) {
        size_t from = w ? win[w - 1][1] : 0;
        if (skip_space(text, from, win[w][0]) < win[w][0]) idx_buf_append(out, "…", strlen("…"));
        else if (w) idx_buf_append(out, " ", 1);
        render(text, win[w][0], win[w][1], sp, &mk, out);
    }
    if (nwin && skip_space(text, win[nwin - 1][1], n) < n) idx_buf_append(out, "…", strlen("…"));
done:
    free(c);
    free(count);
    free(win);
    return rc;
}

int idx_snippet(const idx_qtree *q, const char *text, size_t n, const idx_hl_opts *opts,
                idx_buf *out, idx_err *err)
{
    size_t max = opts && opts->max_chars ? opts->max_chars : IDX_SNIPPET_DEFAULT_CHARS;
    if (max > IDX_SNIPPET_MAX_CHARS) max = IDX_SNIPPET_MAX_CHARS;
    spans sp;
    int rc = find_spans(q, text, n, 1, &sp, err);
    if (rc) return rc;

    /* best window: most distinct parts, then most spans, then earliest */
    size_t best_i = 0, best_j = 0, best_parts = 0, best_count = 0;
    if (sp.n) {
        uint32_t *count = calloc(q->nparts, sizeof *count);
        if (!count) {
            spans_fini(&sp);
            return idx_err_set(err, IDX_ENOMEM, "snippet", "out of memory");
        }
        size_t j = 0, distinct = 0;
        for (size_t i = 0; i < sp.n; i++) {
            if (j <= i) { /* a span longer than the window stands alone */
                j = i + 1;
                if (count[sp.v[i].part]++ == 0) distinct++;
            }
            while (j < sp.n && sp.v[j].ce - sp.v[i].cs <= max) {
                if (count[sp.v[j].part]++ == 0) distinct++;
                j++;
            }
            if (distinct > best_parts || (distinct == best_parts && j - i > best_count)) {
                best_parts = distinct;
                best_count = j - i;
                best_i = i;
                best_j = j;
            }
            if (--count[sp.v[i].part] == 0) distinct--;
        }
        free(count);
    }
    size_t a, b;
    unsigned nfrag = opts && opts->fragments > 1 ? opts->fragments : 1;
    if (nfrag > 1 && sp.n > 1) {
        rc = fragments(q, text, n, &sp, max, nfrag, opts, out, err);
        spans_fini(&sp);
        return rc ? rc : finish(out, err);
    }
    place_window(text, n, &sp, best_i, best_j, max, &a, &b);
    if ((rc = idx_utf8_check(text + a, b - a, "text to highlight", err))) {
        spans_fini(&sp);
        return rc;
    }
    marks mk = marks_of(opts);
    if (skip_space(text, 0, a) < a) idx_buf_append(out, "…", strlen("…"));
    render(text, a, b, &sp, &mk, out);
    if (skip_space(text, b, n) < n) idx_buf_append(out, "…", strlen("…"));
    spans_fini(&sp);
    return finish(out, err);
}
