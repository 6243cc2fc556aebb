/* bench.c - `idx bench`: query latency as a user of idx measures it.
 *
 *   idx bench --url URL [--rate R | --connections N] [--duration S] [--warmup S]
 *             [--json] [--svg FILE] [--path TEMPLATE] [--key KEY] QUERYFILE
 *   idx bench --db DIR [--rate R] ... QUERYFILE          (in-process searches)
 *   idx bench --plot OUT.svg RUN.json...                 (several runs, one chart)
 *
 * QUERYFILE holds one query a line (blank lines and "#" comments skipped), or
 * is a query log: every line "SECONDS<TAB>QUERY", replayed at the offsets it
 * records (open loop, --rate ignored).  The queries are sent in turn, again
 * from the start when the file runs out, until --duration (default 10 s).
 *
 * --warmup S sends for S seconds first, in the same loop, and counts nothing
 * of it: a request is measured when it is due (open loop) or sent (closed)
 * after the warm-up, so replies to warm-up requests that arrive later are
 * not counted either, and --duration and duration_s run from the end of the
 * warm-up.  A query log is refused with --warmup (exit 2): it is replayed
 * from its first line, and a warm-up would shift or drop its offsets.
 *
 * Open loop (--rate R, a log): request i is due at start + i/R.  Its latency
 * is measured from that intended time, not from when it could be sent, so a
 * server that stalls shows in the percentiles with every request that should
 * have gone out meanwhile (no coordinated omission: a closed-loop client
 * would wait politely and record one slow request).  A due request goes on
 * an idle keep-alive connection, else on a new one (at most
 * --connections, default 256), else waits for one - the wait counts.
 * Closed loop (no --rate): --connections N (default 8), each sending its
 * next request when the previous answer arrives.
 *
 * Every latency is kept (8 bytes each) and sorted at the end: percentiles
 * are exact; the histogram in the output has log-spaced buckets (10 per
 * decade from 10 us).  Errors are counted by kind: connect, timeout (no
 * answer in 10 s), eof, and HTTP status (non-2xx counted per code).
 *
 * Output: a table, or with --json one JSON object: requests, errors (no
 * answer, or a non-2xx one), error_kinds, status (HTTP status code as a
 * string -> count, 2xx included), rate (the intended rate; 0 closed),
 * achieved_rps (requests / duration_s), mode, connections, duration_s,
 * warmup_s, p50_ms, p90_ms, p99_ms, p999_ms, max_ms, mean_ms, spectrum
 * [[percentile, ms], ...] and histogram [[upper_ms, count], ...].  --svg
 * FILE draws the percentile spectrum (latency against 1/(1-p) on a log
 * axis), --plot draws several runs' JSON on one chart.
 * Exit status 0 after a run (errors are counted, not fatal), 2 bad usage,
 * 3 the query file, the URL or the database cannot be used.
 */
#include <errno.h>
#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "clock.h"
#include "idx.h"
#include "request.h"
#include "search.h"

#define BENCH_OPEN_CONNS 256
#define BENCH_CLOSED_CONNS 8
#define BENCH_TIMEOUT_S 10
#define BENCH_MAX_REQUESTS 20000000

enum { E_CONNECT, E_TIMEOUT, E_EOF, E_OTHER, E_NKINDS };
static const char *const err_names[E_NKINDS] = {"connect", "timeout", "eof", "other"};

typedef struct query {
    char *path; /* the request path, query percent-encoded (HTTP), or the text */
    double at;  /* a log's offset in seconds (-1: none) */
} query;

typedef struct bench bench;

typedef struct conn {
    bench *b;
    struct evhttp_connection *evcon;
    int busy;
    int err;    /* the request in flight failed: E_* (-1: not) */
    double due; /* intended send time of the request in flight */
} conn;

/* Open loop: a request due while every connection was busy. */
typedef struct waiter {
    double due;
    const query *q;
} waiter;

struct bench {
    const idx_opts *o;
    const char *target; /* --url, or --db for in-process searches */
    query *q;
    size_t nq, next;
    int log; /* the query file is a log with offsets */
    double rate, duration, warmup;
    double start, measure, end; /* the first send, the end of the warm-up, the last due */
    unsigned maxconns;
    struct event_base *base;
    struct evhttp_uri *uri;
    const char *host;
    int port;
    conn *conns;
    size_t nconns;
    waiter *waiting; /* open loop: requests waiting for a connection (FIFO) */
    size_t nwait, capwait, headwait;
    uint64_t sent; /* requests made due so far */
    double *lat;   /* seconds, one per answered request */
    size_t nlat, caplat;
    uint64_t errors[E_NKINDS], status[600];
    struct event *tick;
};

static int add_latency(bench *b, double s)
{
    if (b->nlat == b->caplat) {
        size_t cap = b->caplat ? b->caplat * 2 : 4096;
        double *v = realloc(b->lat, cap * sizeof *v);
        if (!v) return -1;
        b->lat = v;
        b->caplat = cap;
    }
    b->lat[b->nlat++] = s;
    return 0;
}

/* Percent-encode q into path template tpl at its %s. */
static char *make_path(const char *tpl, const char *q)
{
    idx_buf b;
    idx_buf_init(&b);
    const char *s = strstr(tpl, "%s");
    idx_buf_append(&b, tpl, s ? (size_t)(s - tpl) : strlen(tpl));
    for (const unsigned char *p = (const unsigned char *)q; s && *p; p++) {
        if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
            *p == '-' || *p == '.' || *p == '_' || *p == '~')
            idx_buf_putc(&b, (char)*p);
        else
            idx_buf_printf(&b, "%%%02X", *p);
    }
    if (s) idx_buf_append(&b, s + 2, strlen(s + 2));
    size_t n;
    char *out = b.oom ? NULL : idx_buf_detach(&b, &n);
    idx_buf_fini(&b);
    return out;
}

/* Read the queries (or the log); 0, or -1 after a message. */
static int read_queries(bench *b, const char *file, const char *tpl)
{
    FILE *f = strcmp(file, "-") == 0 ? stdin : fopen(file, "r");
    if (!f) {
        idx_die_msg("bench: cannot read %s: %s", file, strerror(errno));
        return -1;
    }
    char *line = NULL;
    size_t cap = 0, capq = 0, nlog = 0;
    ssize_t n;
    char **lines = NULL; /* every query line as read: a log is known only at the end */
    size_t nlines = 0;
    while ((n = getline(&line, &cap, f)) > 0) {
        while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r')) line[--n] = '\0';
        if (n == 0 || line[0] == '#') continue;
        if (nlines == capq) {
            capq = capq ? capq * 2 : 256;
            char **v = realloc(lines, capq * sizeof *v);
            if (!v) break;
            lines = v;
        }
        if (!(lines[nlines] = strdup(line))) break;
        char *tab = strchr(line, '\t'), *end;
        if (tab && strtod(line, &end) >= 0 && end == tab) nlog++;
        nlines++;
    }
    free(line);
    if (f != stdin) fclose(f);
    /* a log only when every line is SECONDS<TAB>QUERY; else lines are queries as they stand */
    b->log = nlines > 0 && nlog == nlines;
    b->q = nlines ? calloc(nlines, sizeof *b->q) : NULL;
    for (size_t i = 0; b->q && i < nlines; i++) {
        const char *text = lines[i];
        double at = -1;
        if (b->log) {
            char *tab = strchr(lines[i], '\t');
            at = strtod(lines[i], NULL);
            text = tab + 1;
        }
        char *p = b->o->url ? make_path(tpl, text) : strdup(text);
        if (!p) break;
        b->q[b->nq++] = (query){p, at};
    }
    for (size_t i = 0; i < nlines; i++) free(lines[i]);
    free(lines);
    if (b->nq == 0) {
        idx_die_msg("bench: %s holds no queries", file);
        return -1;
    }
    return 0;
}

/* The next query and when it is due (open loop), or NULL when the run is over. */
static const query *next_query(bench *b, double *due)
{
    if (b->sent >= BENCH_MAX_REQUESTS) return NULL;
    size_t i = (size_t)(b->sent % b->nq);
    uint64_t round = b->sent / b->nq;
    const query *q = &b->q[i];
    if (b->log) /* replayed at the log's offsets, from its first */
        *due = b->start + (q->at - b->q[0].at) +
               (double)round * (b->q[b->nq - 1].at - b->q[0].at + 1.0);
    else if (b->rate > 0)
        *due = b->start + (double)b->sent / b->rate;
    else
        *due = idx_clock();
    if (*due >= b->end) return NULL;
    return q;
}

static void send_on(conn *c, const query *q, double due);

static void on_reply(struct evhttp_request *req, void *arg)
{
    conn *c = arg;
    bench *b = c->b;
    double now = idx_clock();
    c->busy = 0;
    int st = req ? evhttp_request_get_response_code(req) : 0;
    if (c->due < b->measure) {
        /* a warm-up request: nothing of it counts */
    } else if (c->err >= 0 || st == 0) {
        b->errors[c->err >= 0 ? c->err : E_OTHER]++;
    } else {
        b->status[st < 600 ? st : 0]++;
        if (add_latency(b, now - c->due) != 0) b->errors[E_OTHER]++;
    }
    if (b->rate > 0 || b->log) { /* the oldest request waiting for a connection */
        if (b->headwait < b->nwait) {
            const waiter *w = &b->waiting[b->headwait++];
            send_on(c, w->q, w->due);
        }
    } else { /* closed loop: this connection's next request */
        double due;
        const query *q = next_query(b, &due);
        if (q) {
            b->sent++;
            send_on(c, q, due);
        } else {
            int busy = 0;
            for (size_t i = 0; i < b->nconns && !busy; i++) busy = b->conns[i].busy;
            if (!busy) event_base_loopbreak(b->base);
        }
    }
}

static void on_error(enum evhttp_request_error e, void *arg)
{
    conn *c = arg;
    c->err = e == EVREQ_HTTP_TIMEOUT ? E_TIMEOUT : e == EVREQ_HTTP_EOF ? E_EOF : E_OTHER;
}

static void send_on(conn *c, const query *q, double due)
{
    bench *b = c->b;
    struct evhttp_request *req = evhttp_request_new(on_reply, c);
    if (!req) {
        if (due >= b->measure) b->errors[E_OTHER]++;
        return;
    }
    evhttp_request_set_error_cb(req, on_error);
    c->err = -1;
    struct evkeyvalq *h = evhttp_request_get_output_headers(req);
    evhttp_add_header(h, "Host", b->host);
    if (b->o->key) {
        char auth[4200];
        snprintf(auth, sizeof auth, "Bearer %.4000s", b->o->key);
        evhttp_add_header(h, "Authorization", auth);
    }
    c->busy = 1;
    c->due = due;
    if (evhttp_make_request(c->evcon, req, EVHTTP_REQ_GET, q->path) != 0) {
        c->busy = 0;
        if (due >= b->measure) b->errors[E_CONNECT]++;
    }
}

static conn *new_conn(bench *b)
{
    if (b->nconns >= b->maxconns) return NULL;
    conn *c = &b->conns[b->nconns];
    c->b = b;
    c->evcon = evhttp_connection_base_new(b->base, NULL, b->host, (unsigned short)b->port);
    if (!c->evcon) return NULL;
    evhttp_connection_set_timeout(c->evcon, BENCH_TIMEOUT_S);
    evhttp_connection_set_retries(c->evcon, 0);
    b->nconns++;
    return c;
}

/* Open loop: every 1 ms, make due what is due. */
static void on_tick(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    bench *b = arg;
    double now = idx_clock(), due;
    const query *q;
    while ((q = next_query(b, &due)) && due <= now) {
        b->sent++;
        conn *c = NULL;
        for (size_t i = 0; i < b->nconns && !c; i++)
            if (!b->conns[i].busy) c = &b->conns[i];
        if (!c) c = new_conn(b);
        if (c) {
            send_on(c, q, due);
            continue;
        }
        if (b->nwait == b->capwait) { /* every connection busy: it waits, and the wait counts */
            size_t cap = b->capwait ? b->capwait * 2 : 1024;
            waiter *v = realloc(b->waiting, cap * sizeof *v);
            if (!v) {
                if (due >= b->measure) b->errors[E_OTHER]++;
                continue;
            }
            b->waiting = v;
            b->capwait = cap;
        }
        b->waiting[b->nwait++] = (waiter){due, q};
    }
    int busy = b->headwait < b->nwait;
    for (size_t i = 0; i < b->nconns && !busy; i++) busy = b->conns[i].busy;
    if (!q && !busy) event_base_loopbreak(b->base);
    if (!q && now > b->end + BENCH_TIMEOUT_S + 1) event_base_loopbreak(b->base);
}

static int run_http(bench *b)
{
    b->uri = evhttp_uri_parse(b->target);
    const char *scheme = b->uri ? evhttp_uri_get_scheme(b->uri) : NULL;
    if (!b->uri || !scheme || strcmp(scheme, "http") != 0 || !evhttp_uri_get_host(b->uri)) {
        idx_die_msg("bench: --url wants http://HOST[:PORT], got \"%s\"", b->target);
        if (b->uri) evhttp_uri_free(b->uri);
        return EXIT_USAGE;
    }
    b->host = evhttp_uri_get_host(b->uri);
    b->port = evhttp_uri_get_port(b->uri) > 0 ? evhttp_uri_get_port(b->uri) : 80;
    b->base = event_base_new();
    b->conns = calloc(b->maxconns, sizeof *b->conns);
    if (!b->base || !b->conns) {
        idx_die_msg("bench: out of memory");
        if (b->base) event_base_free(b->base);
        free(b->conns);
        evhttp_uri_free(b->uri);
        return EXIT_DB;
    }
    b->start = idx_clock();
    b->measure = b->start + b->warmup;
    b->end = b->measure + b->duration;
    if (b->rate > 0 || b->log) {
        b->tick = event_new(b->base, -1, EV_PERSIST, on_tick, b);
        struct timeval ms = {0, 1000};
        event_add(b->tick, &ms);
    } else {
        for (unsigned i = 0; i < b->maxconns; i++) {
            conn *c = new_conn(b);
            double due;
            const query *q = c ? next_query(b, &due) : NULL;
            if (!q) break;
            b->sent++;
            send_on(c, q, due);
        }
    }
    event_base_dispatch(b->base);
    if (b->tick) event_free(b->tick);
    for (size_t i = 0; i < b->nconns; i++) evhttp_connection_free(b->conns[i].evcon);
    /* requests never answered (still waiting at the end) count as timeouts */
    for (size_t i = b->headwait; i < b->nwait; i++)
        if (b->waiting[i].due >= b->measure) b->errors[E_TIMEOUT]++;
    event_base_free(b->base);
    evhttp_uri_free(b->uri);
    free(b->conns);
    return EXIT_OK;
}

/* In-process: the searches themselves, one after another, each measured
 * from its intended time (open loop) or from its start (closed). */
static int run_local(bench *b)
{
    idx_db *db = NULL;
    idx_err err;
    idx_err_clear(&err);
    idx_schema sc;
    if (idx_db_open(b->o->db, IDX_DB_READ, &db, &err) || idx_schema_read(db, &sc, &err)) {
        idx_die_msg("bench: cannot open %s: %s", b->o->db, err.msg);
        idx_db_close(db);
        return EXIT_DB;
    }
    b->start = idx_clock();
    b->measure = b->start + b->warmup;
    b->end = b->measure + b->duration;
    double due;
    const query *q;
    while ((q = next_query(b, &due))) {
        b->sent++;
        double now = idx_clock();
        idx_sleep(due - now);
        idx_search_req r = b->o->search;
        r.q = q->path;
        r.qlen = strlen(q->path);
        json_t *out = NULL;
        idx_err_clear(&err);
        int rc = idx_search_json(db, &sc, &r, &out, &err);
        if (due >= b->measure) { /* a warm-up search is not counted */
            if (rc != IDX_OK) b->errors[E_OTHER]++;
            else add_latency(b, idx_clock() - due);
        }
        json_decref(out);
    }
    idx_db_close(db);
    return EXIT_OK;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* Nearest-rank percentile p (0-100) of the sorted latencies, in ms. */
static double pct(const bench *b, double p)
{
    if (b->nlat == 0) return 0;
    size_t k = (size_t)ceil(p / 100.0 * (double)b->nlat);
    if (k < 1) k = 1;
    if (k > b->nlat) k = b->nlat;
    return b->lat[k - 1] * 1e3;
}

static json_t *result_json(bench *b, double secs)
{
    if (b->nlat) qsort(b->lat, b->nlat, sizeof *b->lat, cmp_double);
    uint64_t failed = 0; /* requests without an answer */
    json_t *kinds = json_object(), *status = json_object(), *spec = json_array(),
           *hist = json_array();
    for (int k = 0; k < E_NKINDS; k++) {
        failed += b->errors[k];
        if (b->errors[k]) json_object_set_new(kinds, err_names[k], json_integer((json_int_t)b->errors[k]));
    }
    uint64_t errors = failed;
    for (int s = 0; s < 600; s++) {
        if (!b->status[s]) continue;
        char code[16];
        snprintf(code, sizeof code, "%d", s);
        json_object_set_new(status, code, json_integer((json_int_t)b->status[s]));
        if (s < 200 || s > 299) { /* answered, but an error all the same */
            errors += b->status[s];
            json_int_t h = json_integer_value(json_object_get(kinds, "http"));
            json_object_set_new(kinds, "http", json_integer(h + (json_int_t)b->status[s]));
        }
    }
    static const double points[] = {0, 10, 25, 50, 75, 90, 95, 99, 99.5, 99.9, 99.99, 99.999, 100};
    for (size_t i = 0; i < sizeof points / sizeof *points; i++)
        json_array_append_new(spec, json_pack("[f, f]", points[i], pct(b, points[i] ? points[i] : 1e-9)));
    double sum = 0;
    size_t k = 0;
    for (double upper = 0.01; k < b->nlat; upper *= pow(10, 0.1)) { /* 10 buckets a decade */
        size_t c = 0;
        while (k < b->nlat && b->lat[k] * 1e3 <= upper) {
            sum += b->lat[k++];
            c++;
        }
        if (c) json_array_append_new(hist, json_pack("[f, I]", upper, (json_int_t)c));
    }
    uint64_t answered = b->nlat;
    return json_pack("{s:s, s:s, s:f, s:I, s:f, s:f, s:I, s:I, s:o, s:o, s:f, s:f, s:f, s:f, s:f, "
                     "s:f, s:f, s:o, s:o}",
                     "target", b->target, "mode",
                     b->log ? "log" : b->rate > 0 ? "open" : "closed", "rate", b->rate,
                     "connections", (json_int_t)b->nconns, "duration_s", secs, "warmup_s",
                     b->warmup, "requests",
                     (json_int_t)(answered + failed), "errors", (json_int_t)errors,
                     "error_kinds", kinds, "status", status, "achieved_rps",
                     secs > 0 ? (double)(answered + failed) / secs : 0.0, "p50_ms", pct(b, 50),
                     "p90_ms", pct(b, 90), "p99_ms", pct(b, 99), "p999_ms", pct(b, 99.9),
                     "max_ms", pct(b, 100), "mean_ms", b->nlat ? sum / (double)b->nlat * 1e3 : 0.0,
                     "spectrum", spec, "histogram", hist);
}

/* ---- the percentile spectrum as SVG ---- */

static void svg_runs(FILE *f, json_t *const *runs, const char *const *names, size_t n)
{
    static const char *const colors[] = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b"};
    const double W = 760, H = 420, L = 90, R = 50, T = 30, B = 60;
    double ymax = 1;
    for (size_t r = 0; r < n; r++) {
        json_t *p;
        size_t i;
        json_array_foreach(json_object_get(runs[r], "spectrum"), i, p) {
            double y = json_number_value(json_array_get(p, 1));
            if (y > ymax) ymax = y;
        }
    }
    ymax *= 1.1;
    /* x: log10(1/(1-p)) from 0 (p 0) to 5 (p 99.999) */
    const double xmax = 5;
    fprintf(f, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\" "
               "viewBox=\"0 0 %.0f %.0f\" font-family=\"sans-serif\" font-size=\"12\">\n"
               "<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n"
               "<text x=\"%.0f\" y=\"18\" font-size=\"14\">latency by percentile (idx bench)</text>\n",
            W, H, W, H, L);
    fprintf(f, "<line x1=\"%.0f\" y1=\"%.0f\" x2=\"%.0f\" y2=\"%.0f\" stroke=\"black\"/>\n", L, H - B, W - R, H - B);
    fprintf(f, "<line x1=\"%.0f\" y1=\"%.0f\" x2=\"%.0f\" y2=\"%.0f\" stroke=\"black\"/>\n", L, T, L, H - B);
    static const char *const xl[] = {"0%", "90%", "99%", "99.9%", "99.99%", "99.999%"};
    for (int i = 0; i <= 5; i++) {
        double x = L + (W - L - R) * i / xmax;
        fprintf(f, "<line x1=\"%.1f\" y1=\"%.0f\" x2=\"%.1f\" y2=\"%.0f\" stroke=\"#ddd\"/>"
                   "<text x=\"%.1f\" y=\"%.0f\" text-anchor=\"middle\">%s</text>\n",
                x, T, x, H - B, x, H - B + 16, xl[i]);
    }
    for (int i = 0; i <= 4; i++) {
        double v = ymax * i / 4, y = H - B - (H - B - T) * i / 4;
        fprintf(f, "<text x=\"%.0f\" y=\"%.1f\" text-anchor=\"end\">%.*f ms</text>\n", L - 6, y + 4,
                ymax >= 100 ? 0 : 1, v);
    }
    fprintf(f, "<text x=\"%.0f\" y=\"%.0f\" text-anchor=\"middle\">percentile</text>\n", (L + W - R) / 2, H - 20);
    for (size_t r = 0; r < n; r++) {
        const char *col = colors[r % (sizeof colors / sizeof *colors)];
        fprintf(f, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"2\" points=\"", col);
        json_t *p;
        size_t i;
        json_array_foreach(json_object_get(runs[r], "spectrum"), i, p) {
            double pc = json_number_value(json_array_get(p, 0)), y = json_number_value(json_array_get(p, 1));
            double lx = pc >= 100 ? xmax : -log10(1 - pc / 100.0);
            if (lx > xmax) lx = xmax;
            fprintf(f, "%.1f,%.1f ", L + (W - L - R) * lx / xmax, H - B - (H - B - T) * y / ymax);
        }
        fprintf(f, "\"/>\n<text x=\"%.0f\" y=\"%.0f\" fill=\"%s\">", L + 10, T + 16 + 16 * (double)r, col);
        for (const char *c = names[r]; *c; c++) { /* escaped: names are file names */
            if (*c == '<') fputs("&lt;", f);
            else if (*c == '&') fputs("&amp;", f);
            else if (*c == '>') fputs("&gt;", f);
            else fputc(*c, f);
        }
        fprintf(f, " (p99 %.1f ms)</text>\n", json_number_value(json_object_get(runs[r], "p99_ms")));
    }
    fputs("</svg>\n", f);
}

static int write_svg(const char *path, json_t *const *runs, const char *const *names, size_t n)
{
    FILE *f = fopen(path, "w");
    if (!f) {
        idx_die_msg("bench: cannot write %s: %s", path, strerror(errno));
        return EXIT_DB;
    }
    svg_runs(f, runs, names, n);
    if (fclose(f) != 0) {
        idx_die_msg("bench: cannot write %s: %s", path, strerror(errno));
        return EXIT_DB;
    }
    return EXIT_OK;
}

/* idx bench --plot OUT.svg RUN.json... */
static int plot(const idx_opts *o)
{
    if (o->nargs < 1) {
        idx_die_msg("bench --plot OUT.svg wants one or more RUN.json (idx bench --json output)");
        return EXIT_USAGE;
    }
    json_t **runs = calloc((size_t)o->nargs, sizeof *runs);
    int rc = runs ? EXIT_OK : EXIT_DB;
    for (int i = 0; rc == EXIT_OK && i < o->nargs; i++) {
        json_error_t je;
        runs[i] = json_load_file(o->args[i], 0, &je);
        if (!runs[i] || !json_is_array(json_object_get(runs[i], "spectrum"))) {
            idx_die_msg("bench: %s is not the JSON of an idx bench run (%s)", o->args[i], je.text);
            rc = EXIT_USAGE;
        }
    }
    if (rc == EXIT_OK) rc = write_svg(o->plot, runs, (const char *const *)o->args, (size_t)o->nargs);
    for (int i = 0; runs && i < o->nargs; i++) json_decref(runs[i]);
    free(runs);
    return rc;
}

int idx_cmd_bench(const idx_opts *o)
{
    if (o->plot) return plot(o);
    if (o->nargs != 1) {
        idx_die_msg("bench wants one QUERYFILE (one query a line, or SECONDS<TAB>QUERY lines of a log)");
        return EXIT_USAGE;
    }
    bench b = {.o = o, .target = o->url ? o->url : o->db, .rate = o->rate,
               .duration = o->duration > 0 ? o->duration : 10, .warmup = o->warmup};
    b.maxconns = o->connections ? o->connections : b.rate > 0 ? BENCH_OPEN_CONNS : BENCH_CLOSED_CONNS;
    const char *tpl = o->path ? o->path : "/search?q=%s&limit=10";
    int rc = read_queries(&b, o->args[0], tpl) != 0 ? EXIT_DB : EXIT_OK;
    if (rc == EXIT_OK && b.log && b.warmup > 0) {
        idx_die_msg("bench: --warmup does not apply to a query log (%s is replayed from its first "
                    "line at its offsets); leave --warmup out",
                    o->args[0]);
        rc = EXIT_USAGE;
    }
    if (rc == EXIT_OK) rc = o->url ? run_http(&b) : run_local(&b);
    double secs = idx_clock() - b.measure; /* the measured part, after the warm-up */
    if (rc == EXIT_OK) {
        json_t *j = result_json(&b, secs);
        if (!j) {
            idx_die_msg("bench: out of memory");
            rc = EXIT_DB;
        } else if (o->json) {
            char *s = j ? json_dumps(j, JSON_COMPACT) : NULL;
            if (s) printf("%s\n", s);
            free(s);
        } else {
            printf("target     %s (%s loop%s)", json_string_value(json_object_get(j, "target")),
                   b.rate > 0 || b.log ? "open" : "closed", b.log ? ", replaying a log" : "");
            if (b.warmup > 0) printf(", after %.1f s warm-up", b.warmup);
            printf("\n");
            printf("requests   %lld in %.2f s (%.1f/s; intended rate %.1f/s), errors %lld\n",
                   json_integer_value(json_object_get(j, "requests")), secs,
                   json_number_value(json_object_get(j, "achieved_rps")), b.rate,
                   json_integer_value(json_object_get(j, "errors")));
            printf("latency    p50 %.2f ms  p90 %.2f  p99 %.2f  p99.9 %.2f  max %.2f  mean %.2f\n",
                   pct(&b, 50), pct(&b, 90), pct(&b, 99), pct(&b, 99.9), pct(&b, 100),
                   json_number_value(json_object_get(j, "mean_ms")));
        }
        if (j && o->svg) {
            const char *name = o->args[0];
            rc = write_svg(o->svg, &j, &name, 1);
        }
        json_decref(j);
    }
    for (size_t i = 0; i < b.nq; i++) free(b.q[i].path);
    free(b.q);
    free(b.lat);
    free(b.waiting);
    return rc;
}
