/* request.c - see request.h.  The tables below are the one place a request
 * parameter is named, typed, defaulted and bounded; the readers after them
 * walk a table for a decoded query string (HTTP) or for one command-line
 * option.  A row fills one field of its request, found by offsetof.
 *
 * Rows are in the order HTTP checks them: with several bad parameters, the
 * first bad one in the table is the one reported.
 */
#include "request.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "discover.h"
#include "histogram.h"
#include "snippet.h"
#include "utf8.h"

enum kind {
    K_UINT,   /* whole number into an unsigned or size_t field */
    K_REAL,   /* number into a double field */
    K_NAME,   /* one of names[] into an int field: its index */
    K_FACETS, /* facet list into an unsigned bit set (idx_search_parse_facets) */
    K_FLAG,   /* 0 or 1 into an int field (negate: stored as 0 or 1 the other way) */
    K_TEXT,   /* kept as given, into a const char * field */
    K_QUERY,  /* required, non-empty: a const char * field and its size_t length */
};

/* Bounds of a number: [lo, hi], or (lo, hi] when above. */
typedef struct bounds {
    double lo, hi;
    unsigned char above; /* lo itself is out: "a number above lo" */
    unsigned char whole; /* a K_REAL read as a whole number */
} bounds;

typedef struct param {
    const char *http, *cli;   /* its name in a query string / long option; NULL: not there */
    enum kind kind;
    size_t off, size;         /* the field it fills (K_UINT: an unsigned or a size_t) */
    size_t len_off;           /* K_QUERY: the field of its length */
    double def;               /* default of a number, flag or name (else NULL/0) */
    bounds range;             /* K_UINT, K_REAL */
    bounds cli_range;         /* the command line's own range where it differs (hi 0: none) */
    const char *const *names; /* K_NAME: NULL-terminated; the value is the index */
    int negate;               /* K_FLAG: the field holds the opposite of the value */
    const char *what;         /* K_QUERY: what q is, for "q (...) is required" */
} param;

#define FIELD(T, f) .off = offsetof(T, f), .size = sizeof(((T *)0)->f)

/* IDX_SORT_* in order */
static const char *const sort_names[] = {"relevance", "date", "-date", "revision", NULL};
/* IDX_HIST_* in order */
static const char *const hist_names[] = {"none", "day", "week", "month", "year", NULL};

static const param search_params[] = {
    {.http = "q", .kind = K_QUERY, FIELD(idx_search_req, q),
     .len_off = offsetof(idx_search_req, qlen), .what = "the query"},
    {.http = "limit", .cli = "limit", .kind = K_UINT, FIELD(idx_search_req, limit),
     .def = IDX_SEARCH_DEFAULT_LIMIT, .range = {.lo = 1, .hi = IDX_SEARCH_MAX_LIMIT},
     .cli_range = {.lo = 0, .hi = IDX_CLI_MAX_LIMIT}},
    {.http = "dedup", .kind = K_FLAG, FIELD(idx_search_req, all_copies), .def = 1, .negate = 1},
    {.http = "offset", .cli = "offset", .kind = K_UINT, FIELD(idx_search_req, offset),
     .range = {.lo = 0, .hi = IDX_SEARCH_MAX_OFFSET},
     .cli_range = {.lo = 0, .hi = IDX_CLI_MAX_OFFSET}},
    {.http = "exact_total", .cli = "exact-total", .kind = K_FLAG,
     FIELD(idx_search_req, exact_total)},
    {.http = "snippet_len", .kind = K_UINT, FIELD(idx_search_req, hl.max_chars),
     .def = IDX_SNIPPET_DEFAULT_CHARS, .range = {.lo = 1, .hi = IDX_SNIPPET_MAX_CHARS}},
    {.http = "explain", .cli = "explain", .kind = K_FLAG, FIELD(idx_search_req, explain)},
    {.http = "recency", .cli = "recency", .kind = K_REAL, FIELD(idx_search_req, recency_days),
     .range = {.lo = 1, .hi = IDX_RECENCY_MAX_DAYS, .whole = 1},
     .cli_range = {.lo = 0, .hi = IDX_RECENCY_MAX_DAYS, .above = 1}},
    {.http = "recency_weight", .cli = "recency-weight", .kind = K_REAL,
     FIELD(idx_search_req, recency_weight), .range = {.lo = 0, .hi = 1000, .above = 1}},
    {.http = "facets", .cli = "facets", .kind = K_FACETS, FIELD(idx_search_req, facets)},
    {.http = "sort", .cli = "sort", .kind = K_NAME, FIELD(idx_search_req, sort),
     .def = IDX_SORT_RELEVANCE, .names = sort_names},
    {.http = "from", .cli = "from", .kind = K_TEXT, FIELD(idx_search_req, filters.from)},
    {.http = "to", .cli = "to", .kind = K_TEXT, FIELD(idx_search_req, filters.to)},
    {.http = "source", .cli = "source", .kind = K_TEXT, FIELD(idx_search_req, filters.source)},
    {.http = "category", .cli = "category", .kind = K_TEXT,
     FIELD(idx_search_req, filters.category)},
    {.http = "year", .cli = "year", .kind = K_TEXT, FIELD(idx_search_req, filters.year)},
    {.http = "since", .cli = "since", .kind = K_UINT, FIELD(idx_search_req, since),
     .range = {.lo = 0, .hi = IDX_REVISION_MAX}},
    {.http = "until", .cli = "until", .kind = K_UINT, FIELD(idx_search_req, until),
     .range = {.lo = 1, .hi = IDX_REVISION_MAX}},
    {.http = "histogram", .cli = "histogram", .kind = K_NAME, FIELD(idx_search_req, histogram),
     .def = IDX_HIST_NONE, .names = hist_names},
    {.http = "fragments", .cli = "fragments", .kind = K_UINT, FIELD(idx_search_req, hl.fragments),
     .def = 1, .range = {.lo = 1, .hi = IDX_SNIPPET_MAX_FRAGMENTS}},
    /* the command line's only: --all is dedup=0; the title weight (-1: the default) */
    /* the same field as HTTP's dedup (negated); both rows default to collapsing */
    {.cli = "all", .kind = K_FLAG, FIELD(idx_search_req, all_copies)},
    {.cli = "title-weight", .kind = K_REAL, FIELD(idx_search_req, title_weight), .def = -1,
     .range = {.lo = 0, .hi = 100}},
    /* the command line's only: ranking parameters for bench/relevance.sh (query.h) */
    {.cli = "rank", .kind = K_TEXT, FIELD(idx_search_req, rank)},
};

static const param suggest_params[] = {
    {.http = "q", .kind = K_QUERY, FIELD(idx_suggest_req, q),
     .len_off = offsetof(idx_suggest_req, qlen), .what = "what was typed"},
    {.http = "limit", .kind = K_UINT, FIELD(idx_suggest_req, limit), .def = 8,
     .range = {.lo = 1, .hi = IDX_SUGGEST_MAX_LIMIT}},
};

static const param related_params[] = {
    {.http = "limit", .kind = K_UINT, FIELD(idx_related_req, limit), .def = 5,
     .range = {.lo = 1, .hi = IDX_RELATED_MAX_LIMIT}},
};

static const param write_params[] = {
    {.http = "wait", .kind = K_FLAG, FIELD(idx_write_req, wait)},
};

#define NPARAMS(t) (sizeof t / sizeof *t)

int idx_req_uint(const char *v, unsigned long *out)
{
    unsigned long x = 0;
    size_t i = 0;
    for (; v[i] >= '0' && v[i] <= '9' && i < 10; i++) x = x * 10 + (unsigned long)(v[i] - '0');
    if (i == 0 || v[i] != '\0') return 0;
    *out = x;
    return 1;
}

static void *at(void *req, size_t off)
{
    return (char *)req + off;
}

static void store_uint(const param *p, void *req, unsigned long x)
{
    if (p->size == sizeof(size_t))
        *(size_t *)at(req, p->off) = x;
    else
        *(unsigned *)at(req, p->off) = (unsigned)x;
}

static void store_flag(const param *p, void *req, int on)
{
    *(int *)at(req, p->off) = p->negate ? !on : on;
}

static void set_defaults(const param *t, size_t n, void *req)
{
    for (size_t i = 0; i < n; i++) {
        const param *p = &t[i];
        switch (p->kind) {
        case K_UINT: store_uint(p, req, (unsigned long)p->def); break;
        case K_REAL: *(double *)at(req, p->off) = p->def; break;
        case K_NAME: *(int *)at(req, p->off) = (int)p->def; break;
        case K_FLAG: store_flag(p, req, p->def != 0); break;
        case K_FACETS: *(unsigned *)at(req, p->off) = 0; break;
        case K_TEXT: *(const char **)at(req, p->off) = NULL; break;
        case K_QUERY:
            *(const char **)at(req, p->off) = NULL;
            *(size_t *)at(req, p->len_off) = 0;
            break;
        }
    }
}

/* A whole number within b into *x; the message as the command line (cli)
 * or HTTP gives it otherwise. */
static int read_whole(const char *name, int cli, bounds b, const char *v, unsigned long *x,
                      idx_err *err)
{
    int number = idx_req_uint(v, x);
    if (number && *x >= b.lo && *x <= b.hi) return IDX_OK;
    if (cli)
        return idx_err_set(err, IDX_EINVAL, "request",
                           "--%s: expected a whole number from %u to %u, got \"%s\"", name,
                           (unsigned)b.lo, (unsigned)b.hi, v);
    if (!number)
        return idx_err_set(err, IDX_EINVAL, "request", "%s must be a whole number from %u to %u",
                           name, (unsigned)b.lo, (unsigned)b.hi);
    return idx_err_set(err, IDX_EINVAL, "request", "%s is %lu; it must be from %u to %u", name, *x,
                       (unsigned)b.lo, (unsigned)b.hi);
}

/* A number within b into *d (NaN never is). */
static int read_real(const char *name, int cli, bounds b, const char *v, double *d, idx_err *err)
{
    if (b.whole) {
        unsigned long x = 0;
        int rc = read_whole(name, cli, b, v, &x, err);
        *d = (double)x;
        return rc;
    }
    char *end;
    *d = strtod(v, &end);
    if (end != v && !*end && (b.above ? *d > b.lo : *d >= b.lo) && *d <= b.hi) return IDX_OK;
    if (cli && b.above)
        return idx_err_set(err, IDX_EINVAL, "request",
                           "--%s: expected a number above %g and at most %g", name, b.lo, b.hi);
    if (cli)
        return idx_err_set(err, IDX_EINVAL, "request",
                           "--%s: expected a number from %g to %g, got \"%s\"", name, b.lo, b.hi,
                           v);
    return idx_err_set(err, IDX_EINVAL, "request", "%s must be a number %s %g %s %g", name,
                       b.above ? "above" : "from", b.lo, b.above ? "and at most" : "to", b.hi);
}

/* One of names into *i. */
static int read_name(const char *name, int cli, const char *const *names, const char *v, int *i,
                     idx_err *err)
{
    for (*i = 0; names[*i]; ++*i)
        if (strcmp(v, names[*i]) == 0) return IDX_OK;
    char list[128]; /* "a, b or c" */
    size_t k = 0;
    for (int n = 0; names[n] && k < sizeof list; n++)
        k += (size_t)snprintf(list + k, sizeof list - k, "%s%s",
                              n == 0 ? "" : names[n + 1] ? ", " : " or ", names[n]);
    if (cli)
        return idx_err_set(err, IDX_EINVAL, "request", "--%s: expected %s, got \"%s\"", name, list,
                           v);
    return idx_err_set(err, IDX_EINVAL, "request", "%s must be %s", name, list);
}

/* Read v (NUL-terminated, vlen bytes; NULL: absent) as the value of p into
 * req, the field changed only when it is good; cli: as the command line
 * gives it (its range, its messages; a flag's value is NULL there). */
static int set(const param *p, int cli, const char *v, size_t vlen, void *req, idx_err *err)
{
    const char *name = cli ? p->cli : p->http;
    bounds b = cli && p->cli_range.hi > 0 ? p->cli_range : p->range;
    int rc = IDX_OK, i;
    unsigned long x;
    double d;
    unsigned bits;
    switch (p->kind) {
    case K_UINT:
        if (!(rc = read_whole(name, cli, b, v, &x, err))) store_uint(p, req, x);
        break;
    case K_REAL:
        if (!(rc = read_real(name, cli, b, v, &d, err))) *(double *)at(req, p->off) = d;
        break;
    case K_NAME:
        if (!(rc = read_name(name, cli, p->names, v, &i, err))) *(int *)at(req, p->off) = i;
        break;
    case K_FLAG: /* over HTTP a whole number, 0 or 1 */
        x = 1;
        if (cli || !(rc = read_whole(name, cli, (bounds){.lo = 0, .hi = 1}, v, &x, err)))
            store_flag(p, req, x != 0);
        break;
    case K_FACETS: {
        idx_err ferr;
        idx_err_clear(&ferr);
        if (idx_search_parse_facets(v, &bits, &ferr))
            rc = idx_err_set(err, ferr.rc, "request", "%s%s: %s", cli ? "--" : "", name, ferr.msg);
        else
            *(unsigned *)at(req, p->off) = bits;
        break;
    }
    case K_TEXT: *(const char **)at(req, p->off) = v; break;
    case K_QUERY:
        if (!v || vlen == 0) {
            rc = idx_err_set(err, IDX_EINVAL, "request", "%s (%s) is required", name, p->what);
            break;
        }
        *(const char **)at(req, p->off) = v;
        *(size_t *)at(req, p->len_off) = vlen;
        break;
    }
    return rc;
}

/* Every parameter of f named by a row of t (the rest refused), in the
 * table's order, into req after its defaults. */
static int read_form(const param *t, size_t n, const idx_form *f, void *req, idx_err *err)
{
    set_defaults(t, n, req);
    for (size_t i = 0; i < f->n; i++) {
        size_t k = 0;
        while (k < n && !(t[k].http && strcmp(t[k].http, f->p[i].name) == 0)) k++;
        if (k == n && strcmp(f->p[i].name, "_") != 0)
            return idx_err_set(err, IDX_EINVAL, "request", "unknown parameter '%.*s'",
                               (int)idx_utf8_clip(f->p[i].name, f->p[i].name_len, 60),
                               f->p[i].name);
    }
    for (size_t k = 0; k < n; k++) {
        if (!t[k].http) continue;
        size_t len = 0;
        const char *v = idx_form_get(f, t[k].http, &len);
        int rc = v || t[k].kind == K_QUERY ? set(&t[k], 0, v, len, req, err) : IDX_OK;
        if (rc) return rc;
    }
    return IDX_OK;
}

void idx_search_req_init(idx_search_req *r)
{
    *r = (idx_search_req){.snippets = 1};
    set_defaults(search_params, NPARAMS(search_params), r);
}

int idx_search_req_form(const idx_form *f, idx_search_req *r, idx_err *err)
{
    idx_search_req_init(r);
    return read_form(search_params, NPARAMS(search_params), f, r, err);
}

int idx_suggest_req_form(const idx_form *f, idx_suggest_req *r, idx_err *err)
{
    return read_form(suggest_params, NPARAMS(suggest_params), f, r, err);
}

int idx_related_req_form(const idx_form *f, idx_related_req *r, idx_err *err)
{
    return read_form(related_params, NPARAMS(related_params), f, r, err);
}

int idx_write_req_form(const idx_form *f, idx_write_req *r, idx_err *err)
{
    return read_form(write_params, NPARAMS(write_params), f, r, err);
}

int idx_req_form_none(const idx_form *f, idx_err *err)
{
    return read_form(NULL, 0, f, NULL, err);
}

/* The i-th row with a command-line name, or NULL. */
static const param *cli_param(size_t i)
{
    for (size_t k = 0; k < NPARAMS(search_params); k++)
        if (search_params[k].cli && i-- == 0) return &search_params[k];
    return NULL;
}

const char *idx_search_cli_option(size_t i, int *takes_value)
{
    const param *p = cli_param(i);
    if (p) *takes_value = p->kind != K_FLAG;
    return p ? p->cli : NULL;
}

int idx_search_cli_set(idx_search_req *r, size_t i, const char *value, idx_err *err)
{
    const param *p = cli_param(i);
    if (!p) return idx_err_set(err, IDX_EINVAL, "request", "no search option number %zu", i);
    return set(p, 1, value, value ? strlen(value) : 0, r, err);
}

void idx_search_req_standing(idx_search_req *r)
{
    r->sort = IDX_SORT_REVISION;
    r->limit = 100;
    r->offset = 0;
    r->facets = 0;
    r->histogram = IDX_HIST_NONE;
    r->exact_total = 0;
    r->explain = 0;
    r->budget_ms = 0;
}

/* v percent-encoded (all but ALPHA / DIGIT / - . _ ~) onto out. */
static void encode(idx_buf *out, const char *v, size_t n)
{
    static const char hex[] = "0123456789ABCDEF";
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)v[i];
        if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
            ch == '-' || ch == '.' || ch == '_' || ch == '~') {
            idx_buf_append(out, v + i, 1);
        } else {
            char e[3] = {'%', hex[ch >> 4], hex[ch & 15]};
            idx_buf_append(out, e, 3);
        }
    }
}

int idx_search_req_query(const idx_search_req *r, idx_buf *out, idx_err *err)
{
    idx_search_req def;
    idx_search_req_init(&def);
    for (size_t k = 0; k < NPARAMS(search_params); k++) {
        const param *p = &search_params[k];
        if (!p->http) continue;
        const void *a = at((void *)r, p->off), *b = at(&def, p->off);
        char num[64];
        const char *v = NULL;
        size_t vn = 0;
        switch (p->kind) {
        case K_UINT: {
            unsigned long x = p->size == sizeof(size_t) ? (unsigned long)*(const size_t *)a
                                                        : *(const unsigned *)a;
            unsigned long y = p->size == sizeof(size_t) ? (unsigned long)*(const size_t *)b
                                                        : *(const unsigned *)b;
            if (x == y) continue;
            vn = (size_t)snprintf(num, sizeof num, "%lu", x);
            v = num;
            break;
        }
        case K_REAL:
            if (*(const double *)a == *(const double *)b) continue;
            vn = (size_t)snprintf(num, sizeof num, "%.17g", *(const double *)a);
            v = num;
            break;
        case K_NAME:
            if (*(const int *)a == *(const int *)b) continue;
            v = p->names[*(const int *)a];
            vn = strlen(v);
            break;
        case K_FLAG:
            if (*(const int *)a == *(const int *)b) continue;
            v = (*(const int *)a != 0) != (p->negate != 0) ? "1" : "0";
            vn = 1;
            break;
        case K_FACETS: {
            unsigned bits = *(const unsigned *)a;
            if (bits == *(const unsigned *)b) continue;
            static const char *const facet_names[IDX_FACET_COUNT] = {
                [IDX_FACET_SOURCE] = "source", [IDX_FACET_CATEGORY] = "category",
                [IDX_FACET_YEAR] = "year"};
            size_t k2 = 0;
            for (int f = 0; f < IDX_FACET_COUNT; f++)
                if (bits & (1u << f))
                    k2 += (size_t)snprintf(num + k2, sizeof num - k2, "%s%s", k2 ? "," : "",
                                           facet_names[f]);
            v = num;
            vn = k2;
            break;
        }
        case K_TEXT:
            if (!(v = *(const char *const *)a)) continue;
            vn = strlen(v);
            break;
        case K_QUERY:
            if (!(v = *(const char *const *)a)) continue;
            vn = *(const size_t *)at((void *)r, p->len_off);
            break;
        }
        if (out->len) idx_buf_append(out, "&", 1);
        idx_buf_append(out, p->http, strlen(p->http));
        idx_buf_append(out, "=", 1);
        encode(out, v, vn);
    }
    if (out->oom) return idx_err_set(err, IDX_ENOMEM, "request", "out of memory");
    return IDX_OK;
}
