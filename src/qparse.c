/* qparse.c - the query language: text -> query tree (idx_qtree_parse, qtree.h).
 *
 *   南通 开发区             both parts (implicit AND); `AND` may be written
 *   疫情 OR 新冠            either
 *   经济 -疫情, 经济 NOT 疫情 the first without the second
 *   "iphone 14"             a phrase: words adjacent, in order ("…" or “…”);
 *   "开发 区"                CJK pieces apart only by spaces are one run (开发区)
 *   (疫情 OR 新冠) 防控      grouping
 *   title:南通              in the title only; title:"..." for a phrase
 *   source:X category:X tag:X
 *                           exact filters (quote a value with spaces)
 *   date:2022-01-01..2022-06-30, date:2022-01-01.., date:..2022-06-30,
 *   date:2022-05-18         inclusive date ranges
 *
 * OR, AND and NOT are operators only in capitals; any other word, CJK run or
 * mixed-script run (5G基站, iPhone14) is a text part, tokenized by the one
 * tokenizer and matched as a phrase at the indexer's relative positions.
 * Bad syntax (an unclosed parenthesis or quote, an operator with nothing to
 * work on, an empty or unknown-valued field, a bad date) never fails the
 * search: the input is read again as plain white-space separated words and
 * t->warning says what was wrong and where.
 *
 * Recursive descent over the raw bytes; nesting is capped at MAX_DEPTH so a
 * hostile "((((…" cannot exhaust the stack.  Nodes and tokens are added
 * through qtree.h's building blocks, which the synonym expansion shares.
 */
#include "qtree.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "isodate.h"
#include "normalize.h"
#include "utf8.h"

#define MAX_DEPTH 32
#define NONE (-1)  /* nothing parsed here */
#define EMPTY IDX_QTREE_EMPTY /* a text part with no searchable token: skipped */

typedef struct parser {
    const char *s;
    size_t n, i;
    idx_qtree *t;
    int depth;
    int rc;          /* hard error (ETOOBIG, ENOMEM, EUTF8): stop */
    int syntax;      /* a syntax error was found: fall back */
    char msg[200];
    idx_err *err;
    const size_t *map; /* byte of s -> byte of the user's text (for messages) */
} parser;

static void syntax_error(parser *p, size_t at, const char *what)
{
    if (p->syntax || p->rc) return;
    p->syntax = 1;
    snprintf(p->msg, sizeof p->msg, "%s at byte %zu", what, p->map ? p->map[at] : at);
}

static int new_node(parser *p, int type)
{
    int id, rc = idx_qtree_add_node(p->t, type, &id, p->err);
    if (rc) p->rc = rc;
    return rc ? NONE : id;
}

/* ---- characters ---- */

/* The length of the white-space character at i (utf8.h's set), or 0. */
static int space_at(const parser *p, size_t i)
{
    return (int)idx_utf8_space_at(p->s, p->n, i);
}

static void skip_ws(parser *p)
{
    int k;
    while (p->i < p->n && (k = space_at(p, p->i))) p->i += (size_t)k;
}

/* Length of an opening quote at i (" or “), else 0. */
static int open_quote(const parser *p, size_t i)
{
    if (p->s[i] == '"') return 1;
    if (i + 2 < p->n && memcmp(p->s + i, "\xE2\x80\x9C", 3) == 0) return 3;
    return 0;
}

/* Length of a closing quote at i (" or ”), else 0. */
static int close_quote(const parser *p, size_t i)
{
    if (p->s[i] == '"') return 1;
    if (i + 2 < p->n && memcmp(p->s + i, "\xE2\x80\x9D", 3) == 0) return 3;
    return 0;
}

/* End of the bare word starting at i. */
static size_t word_end(const parser *p, size_t i)
{
    while (i < p->n && !space_at(p, i) && p->s[i] != '(' && p->s[i] != ')' && !open_quote(p, i) &&
           !close_quote(p, i))
        i++;
    return i;
}

static int word_is(const parser *p, const char *w)
{
    size_t e = word_end(p, p->i), len = strlen(w);
    return e - p->i == len && memcmp(p->s + p->i, w, len) == 0;
}

/* ---- leaves ---- */

/* A TEXT node for t[0..n), or EMPTY when it holds nothing searchable. */
static int tokens_node(parser *p, const char *t, size_t n, int field)
{
    int id, rc = idx_qtree_add_text(p->t, t, n, field, &id, p->err);
    if (rc) p->rc = rc;
    return rc ? NONE : id;
}

/* A TEXT node for s[a..b), or EMPTY when it holds nothing searchable. */
static int text_node(parser *p, size_t a, size_t b, int field)
{
    return tokens_node(p, p->s + a, b - a, field);
}

/* A TEXT node for the quoted phrase s[a..b): as text_node, except that white
 * space between two CJK characters is dropped first, so the pieces are one
 * run.  The document side bigrams every adjacent pair and gives an inner
 * character's unigram no position, so "开发 区" read as 开发@0 区@2 would
 * find 开发区 only where 区 ends a run; read as 开发区 it is 开发 发区 at
 * consecutive positions and matches wherever the characters stand together
 * ("中 国" is 中国, "南通 开发区" is 南通开发区).  Latin words and numbers
 * keep their spaces ("new york"), and nothing is joined to them: "5G 网络"
 * is 5g 网络, as 5G网络 is indexed.  Characters are classed as the tokenizer
 * classes them, after normalization (full-width, traditional forms). */
static int phrase_node(parser *p, size_t a, size_t b, int field)
{
    idx_buf out;
    idx_buf_init(&out);
    idx_norm it;
    idx_nchar c;
    idx_norm_init(&it, p->s + a, b - a);
    it.fold_t2s = (p->t->tokflags & IDX_TOKENIZE_FOLD_T2S) != 0;
    size_t copied = a, gap = 0, gap_end = 0, prev_end = a;
    int prev_cjk = 0, in_gap = 0, r;
    while ((r = idx_norm_next(&it, &c, p->err)) == 1) {
        size_t cs = a + c.start, ce = a + c.end;
        if (cs >= prev_end && (size_t)space_at(p, cs) == ce - cs) { /* white space */
            if (prev_cjk && !in_gap) {
                in_gap = 1;
                gap = cs;
            }
            gap_end = ce;
            continue;
        }
        int cjk = idx_utf8_is_cjk(c.cp);
        if (in_gap && cjk) { /* CJK, spaces, CJK: drop the spaces */
            idx_buf_append(&out, p->s + copied, gap - copied);
            copied = gap_end;
        }
        in_gap = 0;
        prev_cjk = cjk;
        prev_end = ce;
    }
    if (r < 0) {
        idx_buf_fini(&out);
        p->rc = IDX_EUTF8;
        return NONE;
    }
    if (copied == a) { /* nothing joined */
        idx_buf_fini(&out);
        return text_node(p, a, b, field);
    }
    idx_buf_append(&out, p->s + copied, b - copied);
    if (out.oom) {
        idx_buf_fini(&out);
        p->rc = idx_err_set(p->err, IDX_ENOMEM, "query.parse", "out of memory");
        return NONE;
    }
    int id = tokens_node(p, out.data, out.len, field);
    idx_buf_fini(&out);
    return id;
}

static char *dup_range(parser *p, size_t a, size_t b)
{
    char *v = malloc(b - a + 1);
    if (!v) {
        p->rc = idx_err_set(p->err, IDX_ENOMEM, "query.parse", "out of memory");
        return NULL;
    }
    memcpy(v, p->s + a, b - a);
    v[b - a] = '\0';
    return v;
}

static int valid_date(const char *s, size_t n)
{
    idx_date d;
    return idx_date_parse(s, n, &d, NULL) == IDX_OK;
}

/* date:A..B, date:A.., date:..B or date:A (that day) in s[a..b). */
static int date_node(parser *p, size_t a, size_t b)
{
    const char *s = p->s;
    size_t dots = a;
    while (dots + 1 < b && !(s[dots] == '.' && s[dots + 1] == '.')) dots++;
    size_t fa = a, fb, ta, tb = b;
    if (dots + 1 < b) {
        fb = dots;
        ta = dots + 2;
    } else { /* a single day */
        fb = b;
        ta = a;
    }
    if ((fb > fa && !valid_date(s + fa, fb - fa)) || (tb > ta && !valid_date(s + ta, tb - ta)) ||
        (fb == fa && tb == ta)) {
        syntax_error(p, a, "bad date range (want date:YYYY-MM-DD..YYYY-MM-DD)");
        return NONE;
    }
    int id = new_node(p, IDX_QN_DATE);
    if (id < 0) return NONE;
    idx_qnode *nd = &p->t->nodes[id];
    if (fb > fa && !(nd->from = dup_range(p, fa, fb))) return NONE;
    if (tb > ta && !(nd->to = dup_range(p, ta, tb))) return NONE;
    return id;
}

static const struct {
    const char *name;
    int field; /* IDX_FIELD_*; -1: date */
} fields[] = {
    {"title", IDX_FIELD_TITLE}, {"date", -1}, {"source", IDX_FIELD_SOURCE},
    {"category", IDX_FIELD_CATEGORY}, {"tag", IDX_FIELD_TAG},
};

/* Field name of the word at p->i ("title:..."), or -1. */
static int field_at(const parser *p, size_t end)
{
    for (size_t f = 0; f < sizeof fields / sizeof *fields; f++) {
        size_t len = strlen(fields[f].name);
        if (p->i + len < end && p->s[p->i + len] == ':' &&
            strncasecmp(p->s + p->i, fields[f].name, len) == 0)
            return (int)f;
    }
    return -1;
}

/* A field (p->i at its name; the word ends at end). */
static int field_node(parser *p, int f, size_t end)
{
    size_t at = p->i;
    p->i += strlen(fields[f].name) + 1;
    size_t a = p->i, b = end;
    int q;
    if (a == b && a < p->n && (q = open_quote(p, a))) { /* title:"..." */
        a += (size_t)q;
        for (b = a; b < p->n && !close_quote(p, b); b++) {
        }
        if (b >= p->n) {
            syntax_error(p, at, "unclosed quote");
            return NONE;
        }
        p->i = b + (size_t)close_quote(p, b);
    } else {
        p->i = end;
    }
    if (a == b) {
        syntax_error(p, at, "field without a value");
        return NONE;
    }
    if (fields[f].field == IDX_FIELD_TITLE) return phrase_node(p, a, b, IDX_FIELD_TITLE);
    if (fields[f].field < 0) return date_node(p, a, b);
    int id = new_node(p, IDX_QN_FILTER);
    if (id < 0) return NONE;
    p->t->nodes[id].field = fields[f].field;
    if (!(p->t->nodes[id].value = dup_range(p, a, b))) return NONE;
    return id;
}

/* ---- grammar ---- */

static int parse_or(parser *p);

static int not_node(parser *p, int kid)
{
    int id = new_node(p, IDX_QN_NOT);
    if (id < 0) return NONE;
    p->t->nodes[id].kid = kid;
    return id;
}

static int parse_unary(parser *p)
{
    skip_ws(p);
    if (p->i >= p->n) return NONE;
    size_t at = p->i;
    int q;
    if (word_is(p, "NOT") || (p->s[p->i] == '-' && p->i + 1 < p->n && !space_at(p, p->i + 1) &&
                              p->s[p->i + 1] != ')' && p->s[p->i + 1] != '-')) {
        p->i += p->s[p->i] == '-' ? 1 : 3;
        if (++p->depth > MAX_DEPTH) {
            syntax_error(p, at, "operators nested too deep");
            return NONE;
        }
        int k = parse_unary(p);
        p->depth--;
        if (k == NONE) {
            syntax_error(p, at, "NOT with nothing after it");
            return NONE;
        }
        if (k == EMPTY) return EMPTY;
        if (p->t->nodes[k].type == IDX_QN_NOT) return p->t->nodes[k].kid; /* NOT NOT x = x */
        return not_node(p, k);
    }
    if (p->s[p->i] == '(') {
        if (++p->depth > MAX_DEPTH) {
            syntax_error(p, at, "parentheses nested too deep");
            return NONE;
        }
        p->i++;
        int k = parse_or(p);
        p->depth--;
        skip_ws(p);
        if (p->syntax || p->rc) return NONE;
        if (p->i >= p->n || p->s[p->i] != ')') {
            syntax_error(p, at, "unclosed parenthesis");
            return NONE;
        }
        p->i++;
        if (k == NONE) return EMPTY; /* "()" holds nothing */
        return k;
    }
    if ((q = open_quote(p, p->i))) {
        size_t a = p->i + (size_t)q, b;
        for (b = a; b < p->n && !close_quote(p, b); b++) {
        }
        if (b >= p->n) {
            syntax_error(p, at, "unclosed quote");
            return NONE;
        }
        p->i = b + (size_t)close_quote(p, b);
        return phrase_node(p, a, b, IDX_FIELD_ANY);
    }
    if ((q = close_quote(p, p->i))) { /* a stray closing quote: punctuation */
        p->i += (size_t)q;
        return EMPTY;
    }
    size_t end = word_end(p, p->i);
    int f = field_at(p, end);
    if (f >= 0) return field_node(p, f, end);
    p->i = end;
    return text_node(p, at, end, IDX_FIELD_ANY);
}

/* Link kids (ids, in order) under a new node of type t; one kid is itself. */
static int group(parser *p, int type, const int *kids, size_t nk)
{
    if (nk == 0) return NONE;
    if (nk == 1) return kids[0];
    int id = new_node(p, type);
    if (id < 0) return NONE;
    idx_qnode *nodes = p->t->nodes;
    nodes[id].kid = kids[0];
    for (size_t k = 0; k + 1 < nk; k++) nodes[kids[k]].next = kids[k + 1];
    return id;
}

static int parse_and(parser *p)
{
    int kids[IDX_QUERY_MAX_TERMS];
    size_t nk = 0;
    for (;;) {
        skip_ws(p);
        if (p->i >= p->n || p->s[p->i] == ')' || word_is(p, "OR")) break;
        if (word_is(p, "AND")) {
            size_t at = p->i;
            p->i += 3;
            skip_ws(p);
            if (p->i >= p->n || p->s[p->i] == ')' || word_is(p, "OR") || nk == 0) {
                syntax_error(p, at, "AND needs something on both sides");
                return NONE;
            }
            continue;
        }
        int k = parse_unary(p);
        if (p->syntax || p->rc) return NONE;
        if (k == EMPTY || k == NONE) continue;
        if (nk == IDX_QUERY_MAX_TERMS) {
            p->rc = idx_err_set(p->err, IDX_ETOOBIG, "query.parse", "query is too complex");
            return NONE;
        }
        kids[nk++] = k;
    }
    return group(p, IDX_QN_AND, kids, nk);
}

static int parse_or(parser *p)
{
    int kids[IDX_QUERY_MAX_TERMS];
    size_t nk = 0;
    skip_ws(p);
    size_t at = p->i;
    int k = parse_and(p);
    if (p->syntax || p->rc) return NONE;
    if (k != NONE) kids[nk++] = k;
    while (skip_ws(p), p->i < p->n && word_is(p, "OR")) {
        at = p->i;
        p->i += 2;
        if (nk == 0) {
            syntax_error(p, at, "OR with nothing before it");
            return NONE;
        }
        k = parse_and(p);
        if (p->syntax || p->rc) return NONE;
        if (k == NONE) {
            syntax_error(p, at, "OR with nothing after it");
            return NONE;
        }
        if (nk == IDX_QUERY_MAX_TERMS) {
            p->rc = idx_err_set(p->err, IDX_ETOOBIG, "query.parse", "query is too complex");
            return NONE;
        }
        kids[nk++] = k;
    }
    (void)at;
    return group(p, IDX_QN_OR, kids, nk);
}

/* Fallback: every white-space separated chunk is a text part, ANDed, except
 * that bare AND/OR/NOT are dropped, field names are stripped ("source:x" is
 * the word x) and a leading '-' still excludes its word. */
static int parse_plain(parser *p)
{
    int kids[IDX_QUERY_MAX_TERMS];
    size_t nk = 0;
    p->i = 0;
    for (;;) {
        skip_ws(p);
        if (p->i >= p->n) break;
        size_t a = p->i;
        while (p->i < p->n && !space_at(p, p->i)) p->i++;
        size_t b = p->i, len = b - a;
        if ((len == 2 && memcmp(p->s + a, "OR", 2) == 0) ||
            (len == 3 && (memcmp(p->s + a, "AND", 3) == 0 || memcmp(p->s + a, "NOT", 3) == 0)))
            continue;
        int neg = 0;
        while (a < b && (p->s[a] == '-' || p->s[a] == '(' || p->s[a] == '"')) {
            if (p->s[a] == '-') neg = 1;
            a++;
        }
        for (size_t f = 0; f < sizeof fields / sizeof *fields; f++) {
            size_t fl = strlen(fields[f].name);
            if (a + fl < b && p->s[a + fl] == ':' && strncasecmp(p->s + a, fields[f].name, fl) == 0) {
                a += fl + 1;
                break;
            }
        }
        int k = text_node(p, a, b, IDX_FIELD_ANY);
        if (p->rc) return NONE;
        if (k < 0) continue;
        if (neg && (k = not_node(p, k)) < 0) return NONE;
        if (nk == IDX_QUERY_MAX_TERMS) {
            p->rc = idx_err_set(p->err, IDX_ETOOBIG, "query.parse", "query is too complex");
            return NONE;
        }
        kids[nk++] = k;
    }
    return group(p, IDX_QN_AND, kids, nk);
}

static int parse_query(parser *pp);

/* The query with full-width operator characters (－（）：＂) made ASCII and
 * every Unicode space made ' ', so that what a Chinese keyboard types works
 * like what an ASCII one does; map[k] is the user's byte for byte k.  The
 * text must be valid UTF-8.  Returns the new length, or -1 on OOM. */
static long ascii_operators(const char *s, size_t n, char **out, size_t **map)
{
    char *d = malloc(n + 1);
    size_t *m = malloc((n + 1) * sizeof *m);
    if (!d || !m) {
        free(d);
        free(m);
        return -1;
    }
    size_t k = 0;
    for (size_t i = 0; i < n;) {
        uint32_t cp;
        size_t len;
        if (idx_utf8_decode(s, n, i, &cp, &len) != 0) len = 1, cp = 0;
        char a = 0;
        switch (cp) {
        case 0xFF0D: a = '-'; break;
        case 0xFF08: a = '('; break;
        case 0xFF09: a = ')'; break;
        case 0xFF1A: a = ':'; break;
        case 0xFF02: a = '"'; break;
        default:
            if (cp >= 0x80 && idx_utf8_is_space(cp)) a = ' ';
        }
        if (a) {
            m[k] = i;
            d[k++] = a;
        } else {
            for (size_t j = 0; j < len; j++) {
                m[k] = i + j;
                d[k++] = s[i + j];
            }
        }
        i += len;
    }
    m[k] = n;
    d[k] = '\0';
    *out = d;
    *map = m;
    return (long)k;
}

int idx_qtree_parse(const char *s, size_t n, int tokflags, idx_qtree *t, idx_err *err)
{
    memset(t, 0, sizeof *t);
    t->root = NONE;
    t->tokflags = tokflags & ~IDX_TOKENIZE_MODE_MASK;
    if (n > IDX_QUERY_MAX_BYTES)
        return idx_err_set(err, IDX_ETOOBIG, "query.parse", "query is %zu bytes (max %d)", n,
                           IDX_QUERY_MAX_BYTES);
    int rc = idx_utf8_check(s, n, "query", err);
    if (rc) return rc;
    t->toks = malloc(IDX_QUERY_MAX_TERMS * sizeof *t->toks);
    if (!t->toks) return idx_err_set(err, IDX_ENOMEM, "query.parse", "out of memory");
    char *qs = NULL;
    size_t *map = NULL;
    long qn = ascii_operators(s, n, &qs, &map);
    if (qn < 0) return idx_err_set(err, IDX_ENOMEM, "query.parse", "out of memory");
    parser p = {.s = qs, .n = (size_t)qn, .t = t, .rc = IDX_OK, .err = err, .map = map};
    rc = parse_query(&p);
    free(qs);
    free(map);
    return rc;
}

/* idx_qtree_parse on the ASCII-operator form of the query. */
static int parse_query(parser *pp)
{
    parser p = *pp;
    idx_qtree *t = p.t;
    idx_err *err = p.err;
    size_t n = p.n;
    int root = parse_or(&p);
    if (!p.rc && !p.syntax && p.i < n) syntax_error(&p, p.i, "unmatched closing parenthesis");
    if (p.rc) {
        /* a hard error; t stays consistent for fini */
        return p.rc;
    }
    if (p.syntax) {
        snprintf(t->warning, sizeof t->warning, "query syntax: %s; searched for the words as typed",
                 p.msg);
        idx_qtree_clear(t);
        p.syntax = 0;
        root = parse_plain(&p);
        if (p.rc) return p.rc;
    }
    if (root < 0)
        return idx_err_set(err, IDX_EINVAL, "query.parse",
                           "query has no searchable terms (only punctuation, "
                           "or words over %d bytes)",
                           IDX_TOKEN_MAX_WORD);
    t->root = root;
    return idx_qtree_set_parts(t, err);
}
