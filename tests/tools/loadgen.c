/* loadgen.c - HTTP load generator for the query server idxd.
 *
 * usage: loadgen [options] QUERYFILE
 *   -u, --url URL           base URL, http://host[:port] (default http://127.0.0.1:8080; no TLS)
 *   -c, --concurrency N     keep-alive connections (default 8, at most 10000)
 *   -t, --duration SECS     measured run time, may be fractional (default 10)
 *   -n, --requests N        stop after N measured requests instead (overrides -t)
 *   -p, --path PATH         request path; every %s becomes the query, percent-encoded
 *                           (default /search?q=%s&limit=10)
 *   -w, --warmup SECS       send for SECS first without counting anything (default 0)
 *       --check             check every reply (see Checking below)
 *       --json              print one JSON object line instead of the table
 *   -h, --help
 *
 * QUERYFILE holds one UTF-8 query per line; blank lines and lines starting with '#' are skipped.
 * Every byte of a query that is not ALPHA / DIGIT / - . _ ~ is percent-encoded (`5G 基站` ->
 * `5G%20%E5%9F%BA%E7%AB%99`).  All connections share one counter over the queries, so together
 * they cycle through the file in order and connection i starts at query i mod Q.
 *
 * How it works.  One thread, one event_base, N evhttp_connections (HTTP/1.1, keep-alive, Host
 * header set), each with exactly one request in flight (a closed loop): when a reply arrives
 * its latency is recorded and the connection's next request goes out from the reply callback.
 * One thread is enough to saturate a 2-core server: the client does far less per request (no
 * parsing beyond the status line and headers, no JSON) than idxd does to answer it; on the
 * 2-core development machine it drives about 36k requests/s against a trivial libevent server
 * that shares those cores, far more than idxd answers.
 *
 * How it measures.  Latency is CLOCK_MONOTONIC from evhttp_make_request() to the reply
 * callback, in microseconds, kept for every measured HTTP reply (2xx or not; errors have no
 * latency) and sorted at the end for nearest-rank percentiles.  A request is measured when
 * it is sent after the warm-up; "requests" counts every measured request that finished,
 * errors included, and the measured seconds run from the first measured send to the last
 * measured completion, so requests/s = requests / seconds.  At the end of the budget (-t or
 * -n) no new request is sent and the ones in flight are waited for (the request timeout
 * plus 2 s at most) and counted.
 *
 * Errors.  An error is a request that got no HTTP response: the connection was refused or
 * did not open in time ("connect"), no reply within 10 s ("timeout"), the server closed the
 * connection or the socket could not be opened at all, e.g. out of file descriptors ("eof",
 * as libevent reports both), or the reply could not be parsed ("bad_header", "buffer",
 * "too_long").  The connection reconnects on its next request, which is sent 10 ms later so
 * that a server that is down is not hammered.  When there have been errors and not one HTTP
 * response for 3 s, the run stops and reports what it has (a dead server does not keep the
 * client spinning).  SIGINT or SIGTERM ends the run like the end of the budget; a second
 * one quits at once.  Note: libevent's client only closes a connection on "Connection:
 * close"; an HTTP/1.0 server that closes after every reply without saying so (python3 -m
 * http.server) makes every second request fail with "eof".  idxd speaks HTTP/1.1.
 *
 * Checking (--check), for tests that serve while an index changes: every 200 reply to a
 * query must be a JSON object whose "hits" array holds at most "limit" hits, each with a
 * non-empty string "id", a string "title" and "snippet" and "rank" = offset + position,
 * and whose "total" (when "total_exact") covers offset + hits.  After each such reply with
 * hits, that connection's next request is GET /docs/{id} for its first hit, which must be
 * a 200 with that "id": a hit pointing at a missing document fails here.  A reply that
 * fails a check counts as "inconsistent" (the first few are printed on stderr); non-2xx
 * replies are counted as usual and not checked.  The /docs requests count as requests.
 *
 * Output (human):
 *   url        http://127.0.0.1:8080  path /search?q=%s&limit=10
 *   queries    40 (from ../shared/queries/zh_news.txt)
 *   clients    8 keep-alive connections, 10.00 s
 *   requests   12345 (1234.5/s)   2xx 12345   non-2xx 0   errors 0
 *   latency    p50 1.23 ms  p90 ...  p95 ...  p99 ...  p99.9 ...  max ...  mean ...
 * plus a "status" line with the most frequent non-2xx codes and an "errors" line by kind
 * when there are any.  With --json, one line with the keys url, path, queries, concurrency,
 * seconds, requests, rps, ok, non2xx, errors, status_counts (code -> count, 2xx included),
 * error_counts (kind -> count), p50_ms, p90_ms, p95_ms, p99_ms, p999_ms, max_ms, mean_ms,
 * and with --check also checked (replies checked) and inconsistent.
 *
 * Exit status: 0 the run happened (even with errors: check the counts), 1 the query file
 * cannot be read or the URL is invalid or cannot be resolved, 2 usage error.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1
#endif

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <netdb.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <jansson.h>

#define DEFAULT_URL "http://127.0.0.1:8080"
#define DEFAULT_PATH "/search?q=%s&limit=10"
#define MAX_CONCURRENCY 10000
#define REQUEST_TIMEOUT_S 10
#define ERROR_BACKOFF_US 10000          /* pause of a connection after an error */
#define STALL_NS (3ull * 1000000000ull) /* errors and no response this long: stop */
#define DRAIN_GRACE_NS (2ull * 1000000000ull)
#define TICK_US 100000
#define NSTATUS 1000 /* status codes 0..999; anything else is counted under 0 */
#define MAX_LOG_LINES 5

enum { ERR_CONNECT, ERR_TIMEOUT, ERR_EOF, ERR_HEADER, ERR_BUFFER, ERR_TOO_LONG, ERR_OTHER, ERR_NKINDS };
static const char *const err_names[ERR_NKINDS] = {
    "connect", "timeout", "eof", "bad_header", "buffer", "too_long", "other",
};

struct options {
    const char *url;
    const char *path;
    const char *qfile;
    long concurrency;
    double duration; /* seconds */
    double warmup;   /* seconds */
    uint64_t requests; /* 0: use duration */
    int json;
    int check;
};

struct run;

/* One keep-alive connection with at most one request in flight. */
struct conn {
    struct run *run;
    struct evhttp_connection *evcon;
    struct event *kick; /* sends the next request a little after an error */
    uint64_t t_send;    /* ns, CLOCK_MONOTONIC */
    int measured;       /* the request in flight was sent after the warm-up */
    int err_kind;       /* set by the request's error callback; -1 none */
    int busy;           /* a request or a kick is pending */
    char *follow;       /* --check: the next request, GET /docs/{id} (malloc'd) */
    char *want_id;      /* --check: the id the /docs request in flight must return */
};

struct run {
    struct options o;
    struct event_base *base;
    struct conn *conns;
    long nconns;
    char **uris; /* request URI per query */
    size_t nq;
    char *host_header;

    uint64_t next_q;
    uint64_t t_start, t_measure, t_end; /* ns; t_end only with a duration */
    uint64_t t_first_send, t_last_done;
    int have_first;
    uint64_t measured_sent;
    long busy; /* connections with a request or kick pending */
    int stopping, aborted, interrupted, drain_timeout, oom;
    uint64_t t_stop;
    uint64_t t_last_response, errors_since_response;

    uint64_t requests, ok, non2xx, errors;
    uint64_t status[NSTATUS];
    uint64_t err_counts[ERR_NKINDS];
    uint64_t checked, inconsistent; /* --check */
    uint32_t *lat; /* microseconds, one per measured reply */
    size_t nlat, caplat;
    int lat_oom;
};

static int log_lines;

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void usage(FILE *f)
{
    fputs("usage: loadgen [options] QUERYFILE\n"
          "  -u, --url URL           base URL http://host[:port] (default " DEFAULT_URL ")\n"
          "  -c, --concurrency N     keep-alive connections, one request in flight each\n"
          "                          (default 8, at most 10000)\n"
          "  -t, --duration SECS     measured run time, may be fractional (default 10)\n"
          "  -n, --requests N        stop after N measured requests instead (overrides -t)\n"
          "  -p, --path PATH         request path, %s = percent-encoded query\n"
          "                          (default " DEFAULT_PATH ")\n"
          "  -w, --warmup SECS       send for SECS first without counting (default 0)\n"
          "      --check             check each reply's hits; GET /docs/{id} of each first hit\n"
          "      --json              print one JSON object line instead of the table\n"
          "  -h, --help              this text\n"
          "QUERYFILE: one query per line; blank lines and lines starting with '#' are skipped.\n"
          "Exit status: 0 run done (check the error counts), 1 bad query file or URL, 2 usage.\n",
          f);
}

/* Libevent logs some connection failures itself; keep a few, drop the rest. */
static void on_evlog(int severity, const char *msg)
{
    if (severity < EVENT_LOG_WARN) return;
    if (log_lines++ < MAX_LOG_LINES) fprintf(stderr, "loadgen: libevent: %s\n", msg);
}

static int parse_long(const char *s, long lo, long hi, long *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || end == s || *end || v < lo || v > hi) return -1;
    *out = v;
    return 0;
}

static int parse_secs(const char *s, double lo, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || end == s || *end || !isfinite(v) || v < lo || v > 1e7) return -1;
    *out = v;
    return 0;
}

/* ---- queries and request URIs ---- */

static int is_unreserved(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
           c == '-' || c == '.' || c == '_' || c == '~';
}

/* The path template with every "%s" replaced by the percent-encoded query q[0..n).
 * Returns a malloc'd string or NULL when out of memory. */
static char *build_uri(const char *tmpl, const char *q, size_t n)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t holes = 0, tlen = strlen(tmpl);
    for (const char *p = tmpl; (p = strstr(p, "%s")) != NULL; p += 2) holes++;
    if (n > (SIZE_MAX - tlen - 1) / 3 / (holes ? holes : 1)) return NULL;
    char *enc = malloc(3 * n + 1), *out = NULL;
    if (!enc) return NULL;
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)q[i];
        if (is_unreserved(c)) {
            enc[m++] = (char)c;
        } else {
            enc[m++] = '%';
            enc[m++] = hex[c >> 4];
            enc[m++] = hex[c & 15];
        }
    }
    out = malloc(tlen + holes * m + 1);
    if (out) {
        char *w = out;
        for (const char *p = tmpl; *p;) {
            if (p[0] == '%' && p[1] == 's') {
                memcpy(w, enc, m);
                w += m;
                p += 2;
            } else {
                *w++ = *p++;
            }
        }
        *w = '\0';
    }
    free(enc);
    return out;
}

static int is_blank(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] != ' ' && s[i] != '\t') return 0;
    return 1;
}

/* Reads the query file into r->uris.  Returns 0, or -1 after printing why. */
static int load_queries(struct run *r)
{
    FILE *f = fopen(r->o.qfile, "r");
    if (!f) {
        fprintf(stderr, "loadgen: %s: %s\n", r->o.qfile, strerror(errno));
        return -1;
    }
    char *line = NULL;
    size_t cap = 0, nalloc = 0;
    ssize_t len;
    int rc = 0;
    while ((len = getline(&line, &cap, f)) >= 0) {
        size_t n = (size_t)len;
        while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r')) n--;
        if (n == 0 || line[0] == '#' || is_blank(line, n)) continue;
        if (r->nq == nalloc) {
            size_t nn = nalloc ? 2 * nalloc : 64;
            char **u = realloc(r->uris, nn * sizeof *u);
            if (!u) {
                rc = -1;
                break;
            }
            r->uris = u;
            nalloc = nn;
        }
        if (!(r->uris[r->nq] = build_uri(r->o.path, line, n))) {
            rc = -1;
            break;
        }
        r->nq++;
    }
    if (rc) {
        fprintf(stderr, "loadgen: %s: out of memory\n", r->o.qfile);
    } else if (ferror(f)) {
        fprintf(stderr, "loadgen: %s: %s\n", r->o.qfile, strerror(errno));
        rc = -1;
    } else if (r->nq == 0) {
        fprintf(stderr, "loadgen: %s: no queries\n", r->o.qfile);
        rc = -1;
    }
    free(line);
    fclose(f);
    return rc;
}

/* ---- URL and address ---- */

/* Parses r->o.url into a numeric address to connect to, a port and the Host header.
 * Where the name has several addresses, picks the first one that accepts a connection
 * ("localhost" may give ::1 first while the server listens on 127.0.0.1 only).
 * Returns 0, or -1 after printing why. */
static int resolve_url(struct run *r, char *addr, size_t addrlen, int *port)
{
    struct evhttp_uri *u = evhttp_uri_parse(r->o.url);
    struct addrinfo *res = NULL;
    int rc = -1;
    const char *scheme = u ? evhttp_uri_get_scheme(u) : NULL;
    const char *host = u ? evhttp_uri_get_host(u) : NULL;
    const char *path = u ? evhttp_uri_get_path(u) : NULL;
    if (!u || !scheme || strcasecmp(scheme, "http") != 0 || !host || !*host ||
        evhttp_uri_get_userinfo(u) || evhttp_uri_get_query(u) || evhttp_uri_get_fragment(u) ||
        (path && *path && strcmp(path, "/") != 0)) {
        fprintf(stderr, "loadgen: bad URL '%s': expected http://host[:port]\n", r->o.url);
        goto done;
    }
    *port = evhttp_uri_get_port(u);
    if (*port < 0) *port = 80;
    if (*port == 0 || *port > 65535) {
        fprintf(stderr, "loadgen: bad URL '%s': bad port\n", r->o.url);
        goto done;
    }
    size_t hl = strlen(host);
    r->host_header = malloc(hl + 16);
    char *name = malloc(hl + 1);
    if (!r->host_header || !name) {
        free(name);
        fprintf(stderr, "loadgen: out of memory\n");
        goto done;
    }
    if (*port == 80)
        snprintf(r->host_header, hl + 16, "%s", host);
    else
        snprintf(r->host_header, hl + 16, "%s:%d", host, *port);
    /* An IPv6 literal comes back in brackets; getaddrinfo wants it bare. */
    if (host[0] == '[' && hl > 2 && host[hl - 1] == ']') {
        memcpy(name, host + 1, hl - 2);
        name[hl - 2] = '\0';
    } else {
        memcpy(name, host, hl + 1);
    }
    char portstr[16];
    snprintf(portstr, sizeof portstr, "%d", *port);
    struct addrinfo hints = {0};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    int gai = getaddrinfo(name, portstr, &hints, &res);
    if (gai != 0) {
        fprintf(stderr, "loadgen: %s: %s\n", name, gai_strerror(gai));
        free(name);
        goto done;
    }
    free(name);
    const struct addrinfo *pick = res;
    if (res->ai_next) {
        for (const struct addrinfo *ai = res; ai; ai = ai->ai_next) {
            int fd = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
            if (fd < 0) continue;
            struct timeval tv = {1, 0};
            setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
            int ok = connect(fd, ai->ai_addr, ai->ai_addrlen) == 0;
            close(fd);
            if (ok) {
                pick = ai;
                break;
            }
        }
    }
    if (getnameinfo(pick->ai_addr, pick->ai_addrlen, addr, (socklen_t)addrlen, NULL, 0,
                    NI_NUMERICHOST) != 0) {
        fprintf(stderr, "loadgen: cannot use the address of '%s'\n", r->o.url);
        goto done;
    }
    rc = 0;
done:
    if (res) freeaddrinfo(res);
    if (u) evhttp_uri_free(u);
    return rc;
}

/* ---- the closed loop ---- */

static void send_request(struct conn *c);

static void begin_stop(struct run *r, uint64_t now)
{
    if (r->stopping) return;
    r->stopping = 1;
    r->t_stop = now;
}

static void maybe_finish(struct run *r)
{
    if (r->stopping && r->busy == 0) event_base_loopbreak(r->base);
}

/* Whether another request may be sent now; reaching the budget starts the stop. */
static int want_more(struct run *r, uint64_t now)
{
    if (r->stopping) return 0;
    if (r->o.requests ? r->measured_sent >= r->o.requests : now >= r->t_end) {
        begin_stop(r, now);
        return 0;
    }
    return 1;
}

static void release(struct conn *c)
{
    c->busy = 0;
    c->run->busy--;
    maybe_finish(c->run);
}

static void record_latency(struct run *r, uint64_t ns)
{
    if (r->nlat == r->caplat) {
        size_t nc = r->caplat ? 2 * r->caplat : 1 << 16;
        uint32_t *p = r->lat_oom ? NULL : realloc(r->lat, nc * sizeof *p);
        if (!p) {
            r->lat_oom = 1;
            return;
        }
        r->lat = p;
        r->caplat = nc;
    }
    uint64_t us = ns / 1000;
    r->lat[r->nlat++] = us > UINT32_MAX ? UINT32_MAX : (uint32_t)us;
}

/* A request finished: code is the HTTP status, or kind >= 0 the error kind. */
static void complete(struct conn *c, int code, int kind)
{
    struct run *r = c->run;
    uint64_t now = now_ns();
    if (kind < 0) {
        r->t_last_response = now;
        r->errors_since_response = 0;
    } else {
        r->errors_since_response++;
    }
    if (c->measured) {
        r->requests++;
        r->t_last_done = now;
        if (kind >= 0) {
            r->errors++;
            r->err_counts[kind]++;
        } else {
            if (code >= 200 && code <= 299)
                r->ok++;
            else
                r->non2xx++;
            r->status[code > 0 && code < NSTATUS ? code : 0]++;
            record_latency(r, now - c->t_send);
        }
    }
    if (!want_more(r, now)) {
        release(c);
    } else if (kind >= 0) {
        /* Never resend from here after an error: libevent may report a failed connect
         * synchronously from inside evhttp_make_request, which would recurse. */
        struct timeval tv = {0, ERROR_BACKOFF_US};
        evtimer_add(c->kick, &tv);
    } else {
        send_request(c);
    }
}

static void on_request_error(enum evhttp_request_error e, void *arg)
{
    struct conn *c = arg;
    switch (e) {
    case EVREQ_HTTP_TIMEOUT: c->err_kind = ERR_TIMEOUT; break;
    case EVREQ_HTTP_EOF: c->err_kind = ERR_EOF; break;
    case EVREQ_HTTP_INVALID_HEADER: c->err_kind = ERR_HEADER; break;
    case EVREQ_HTTP_BUFFER_ERROR: c->err_kind = ERR_BUFFER; break;
    case EVREQ_HTTP_DATA_TOO_LONG: c->err_kind = ERR_TOO_LONG; break;
    default: c->err_kind = ERR_OTHER; break;
    }
}

/* ---- --check ---- */

static void inconsistent(struct run *r, const char *what, const char *detail)
{
    r->inconsistent++;
    if (r->inconsistent <= MAX_LOG_LINES)
        fprintf(stderr, "loadgen: inconsistent reply: %s%s%.300s\n", what, detail ? ": " : "",
                detail ? detail : "");
}

/* Checks a 200 reply (see Checking at the top); may set c->follow. */
static void check_reply(struct conn *c, struct evhttp_request *req)
{
    struct run *r = c->run;
    struct evbuffer *in = evhttp_request_get_input_buffer(req);
    size_t n = evbuffer_get_length(in);
    const char *body = n ? (const char *)evbuffer_pullup(in, -1) : "";
    json_error_t jerr;
    json_t *j = json_loadb(body, n, 0, &jerr);
    char *want = c->want_id;
    c->want_id = NULL;
    r->checked++;
    if (!json_is_object(j)) {
        inconsistent(r, want ? "GET /docs: not a JSON object" : "not a JSON object", jerr.text);
        goto done;
    }
    if (want) {
        const char *id = json_string_value(json_object_get(j, "id"));
        if (!id || strcmp(id, want) != 0) inconsistent(r, "GET /docs/{id} returned another id", want);
        goto done;
    }
    json_t *hits = json_object_get(j, "hits");
    json_t *total = json_object_get(j, "total"), *off = json_object_get(j, "offset");
    json_t *lim = json_object_get(j, "limit");
    if (!json_is_array(hits) || !json_is_integer(total) || !json_is_integer(off) ||
        !json_is_integer(lim)) {
        inconsistent(r, "search reply without hits/total/offset/limit", NULL);
        goto done;
    }
    json_int_t nh = (json_int_t)json_array_size(hits), o = json_integer_value(off);
    if (nh > json_integer_value(lim)) inconsistent(r, "more hits than limit", NULL);
    if (nh > 0 && json_is_true(json_object_get(j, "total_exact")) &&
        json_integer_value(total) < o + nh)
        inconsistent(r, "total below offset + hits", NULL);
    for (json_int_t i = 0; i < nh; i++) {
        json_t *h = json_array_get(hits, (size_t)i);
        const char *id = json_string_value(json_object_get(h, "id"));
        if (!id || !*id || !json_is_string(json_object_get(h, "title")) ||
            !json_is_string(json_object_get(h, "snippet")) ||
            json_integer_value(json_object_get(h, "rank")) != o + i + 1) {
            inconsistent(r, "a hit without id, title, snippet or its rank", id);
            break;
        }
        if (i == 0) {
            /* GET /docs/{id}: the id percent-encoded as one path segment */
            char *uri = build_uri("/docs/%s", id, strlen(id));
            char *copy = strdup(id);
            if (!uri || !copy) {
                free(uri);
                free(copy);
                r->oom = 1;
            } else {
                free(c->follow);
                free(c->want_id);
                c->follow = uri;
                c->want_id = copy;
            }
        }
    }
done:
    free(want);
    json_decref(j);
}

/* Libevent reports a request that failed in two ways: req == NULL after the error
 * callback above (timeout, EOF, bad reply), or a request with status 0 and no error
 * callback when the connection could not be made (refused, connect timeout).  In both
 * cases libevent frees the request after this returns. */
static void on_reply(struct evhttp_request *req, void *arg)
{
    struct conn *c = arg;
    int code = req ? evhttp_request_get_response_code(req) : 0;
    if (c->run->o.check && code == 200) {
        check_reply(c, req);
    } else if (c->want_id) {
        if (code > 0) inconsistent(c->run, "GET /docs/{id} of a hit did not answer 200", c->want_id);
        free(c->want_id);
        c->want_id = NULL;
    }
    if (code > 0)
        complete(c, code, -1);
    else
        complete(c, 0, req ? ERR_CONNECT : c->err_kind >= 0 ? c->err_kind : ERR_OTHER);
}

static void on_kick(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    struct conn *c = arg;
    if (want_more(c->run, now_ns()))
        send_request(c);
    else
        release(c);
}

static void send_request(struct conn *c)
{
    struct run *r = c->run;
    char *follow = c->follow;
    c->follow = NULL;
    if (!follow) {
        free(c->want_id); /* a failed /docs request: expect nothing */
        c->want_id = NULL;
    }
    const char *uri = follow ? follow : r->uris[r->next_q++ % r->nq];
    struct evhttp_request *req = evhttp_request_new(on_reply, c);
    if (!req || evhttp_add_header(evhttp_request_get_output_headers(req), "Host",
                                  r->host_header) != 0) {
        if (req) evhttp_request_free(req);
        free(follow);
        r->oom = 1;
        begin_stop(r, now_ns());
        release(c);
        return;
    }
    evhttp_request_set_error_cb(req, on_request_error);
    c->err_kind = -1;
    c->t_send = now_ns();
    c->measured = c->t_send >= r->t_measure;
    if (c->measured) {
        if (!r->have_first) {
            r->have_first = 1;
            r->t_first_send = c->t_send;
        }
        r->measured_sent++;
    }
    /* On failure libevent has freed (or never queued) the request; no callback comes. */
    int bad = evhttp_make_request(c->evcon, req, EVHTTP_REQ_GET, uri) != 0; /* copies uri */
    free(follow);
    if (bad) complete(c, 0, ERR_OTHER);
}

static void on_tick(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    struct run *r = arg;
    uint64_t now = now_ns();
    want_more(r, now); /* the time budget also ends while every reply is slow */
    if (!r->stopping && r->errors_since_response > 0 && now - r->t_last_response >= STALL_NS) {
        r->aborted = 1;
        begin_stop(r, now);
        event_base_loopbreak(r->base);
        return;
    }
    if (r->stopping) {
        if (r->busy == 0) {
            event_base_loopbreak(r->base);
        } else if (now - r->t_stop >= REQUEST_TIMEOUT_S * 1000000000ull + DRAIN_GRACE_NS) {
            r->drain_timeout = 1;
            event_base_loopbreak(r->base);
        }
    }
}

static void on_signal(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    struct run *r = arg;
    if (r->interrupted) {
        event_base_loopbreak(r->base);
        return;
    }
    r->interrupted = 1;
    begin_stop(r, now_ns());
    maybe_finish(r);
}

static void raise_fd_limit(long want)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) != 0) return;
    rlim_t need = (rlim_t)want;
    if (rl.rlim_cur >= need) return;
    rl.rlim_cur = rl.rlim_max == RLIM_INFINITY || rl.rlim_max >= need ? need : rl.rlim_max;
    setrlimit(RLIMIT_NOFILE, &rl);
    if (rl.rlim_cur < need)
        fprintf(stderr, "loadgen: warning: open-file limit %lu is below %ld; expect connect errors\n",
                (unsigned long)rl.rlim_cur, want);
}

/* ---- report ---- */

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

/* Nearest-rank percentile of sorted v[0..n), per ten thousand, in ms. */
static double pct_ms(const uint32_t *v, size_t n, unsigned per10k)
{
    if (n == 0) return 0;
    size_t i = (size_t)(((uint64_t)n * per10k + 9999) / 10000);
    return v[i ? i - 1 : 0] / 1000.0;
}

static void json_str(FILE *f, const char *s)
{
    fputc('"', f);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\')
            fprintf(f, "\\%c", *p);
        else if (*p < 0x20)
            fprintf(f, "\\u%04x", *p);
        else
            fputc(*p, f);
    }
    fputc('"', f);
}

static void report(struct run *r)
{
    static const unsigned per10k[5] = {5000, 9000, 9500, 9900, 9990};
    double p[5], max_ms = 0, mean_ms = 0;
    if (r->nlat) qsort(r->lat, r->nlat, sizeof *r->lat, cmp_u32);
    for (int i = 0; i < 5; i++) p[i] = pct_ms(r->lat, r->nlat, per10k[i]);
    if (r->nlat) {
        uint64_t sum = 0;
        for (size_t i = 0; i < r->nlat; i++) sum += r->lat[i];
        max_ms = r->lat[r->nlat - 1] / 1000.0;
        mean_ms = (double)sum / (double)r->nlat / 1000.0;
    }
    double secs = r->have_first && r->t_last_done > r->t_first_send
                      ? (double)(r->t_last_done - r->t_first_send) / 1e9
                      : 0;
    double rps = secs > 0 ? (double)r->requests / secs : 0;

    if (r->o.json) {
        printf("{\"url\":");
        json_str(stdout, r->o.url);
        printf(",\"path\":");
        json_str(stdout, r->o.path);
        printf(",\"queries\":%zu,\"concurrency\":%ld,\"seconds\":%.3f,\"requests\":%" PRIu64
               ",\"rps\":%.1f,\"ok\":%" PRIu64 ",\"non2xx\":%" PRIu64 ",\"errors\":%" PRIu64,
               r->nq, r->o.concurrency, secs, r->requests, rps, r->ok, r->non2xx, r->errors);
        printf(",\"status_counts\":{");
        const char *sep = "";
        for (int i = 0; i < NSTATUS; i++) {
            if (!r->status[i]) continue;
            printf("%s\"%d\":%" PRIu64, sep, i, r->status[i]);
            sep = ",";
        }
        printf("},\"error_counts\":{");
        sep = "";
        for (int i = 0; i < ERR_NKINDS; i++) {
            if (!r->err_counts[i]) continue;
            printf("%s\"%s\":%" PRIu64, sep, err_names[i], r->err_counts[i]);
            sep = ",";
        }
        printf("},\"p50_ms\":%.3f,\"p90_ms\":%.3f,\"p95_ms\":%.3f,\"p99_ms\":%.3f,"
               "\"p999_ms\":%.3f,\"max_ms\":%.3f,\"mean_ms\":%.3f",
               p[0], p[1], p[2], p[3], p[4], max_ms, mean_ms);
        if (r->o.check)
            printf(",\"checked\":%" PRIu64 ",\"inconsistent\":%" PRIu64, r->checked,
                   r->inconsistent);
        printf("}\n");
    } else {
        printf("url        %s  path %s\n", r->o.url, r->o.path);
        printf("queries    %zu (from %s)\n", r->nq, r->o.qfile);
        printf("clients    %ld keep-alive connections, %.2f s", r->o.concurrency, secs);
        if (r->o.warmup > 0) printf(" (after %.1f s warm-up)", r->o.warmup);
        printf("\nrequests   %" PRIu64 " (%.1f/s)   2xx %" PRIu64 "   non-2xx %" PRIu64
               "   errors %" PRIu64 "\n",
               r->requests, rps, r->ok, r->non2xx, r->errors);
        if (r->non2xx) {
            /* The five most frequent non-2xx codes. */
            int shown[5], ns = 0;
            printf("status    ");
            while (ns < 5) {
                int best = -1;
                for (int i = 0; i < NSTATUS; i++) {
                    if (!r->status[i] || (i >= 200 && i <= 299)) continue;
                    int seen = 0;
                    for (int k = 0; k < ns; k++) seen |= shown[k] == i;
                    if (!seen && (best < 0 || r->status[i] > r->status[best])) best = i;
                }
                if (best < 0) break;
                const char *sep = ns ? "   " : " ";
                if (best)
                    printf("%s%d: %" PRIu64, sep, best, r->status[best]);
                else
                    printf("%sother: %" PRIu64, sep, r->status[best]);
                shown[ns++] = best;
            }
            printf("\n");
        }
        if (r->errors) {
            printf("errors    ");
            const char *sep = " ";
            for (int i = 0; i < ERR_NKINDS; i++) {
                if (!r->err_counts[i]) continue;
                printf("%s%s: %" PRIu64, sep, err_names[i], r->err_counts[i]);
                sep = "   ";
            }
            printf("\n");
        }
        if (r->o.check)
            printf("checked    %" PRIu64 " replies, %" PRIu64 " inconsistent\n", r->checked,
                   r->inconsistent);
        if (r->nlat)
            printf("latency    p50 %.2f ms  p90 %.2f ms  p95 %.2f ms  p99 %.2f ms  p99.9 %.2f ms"
                   "  max %.2f ms  mean %.2f ms\n",
                   p[0], p[1], p[2], p[3], p[4], max_ms, mean_ms);
        else
            printf("latency    - (no HTTP responses)\n");
    }
    if (r->aborted)
        fprintf(stderr, "loadgen: stopped early: errors and no HTTP response for %llu s"
                        " (is the server running at %s?)\n",
                STALL_NS / 1000000000ull, r->o.url);
    if (r->interrupted) fprintf(stderr, "loadgen: interrupted\n");
    if (r->drain_timeout)
        fprintf(stderr, "loadgen: %ld requests still in flight at the end were not counted\n", r->busy);
    if (r->oom) fprintf(stderr, "loadgen: out of memory creating a request; stopped early\n");
    if (r->lat_oom) fprintf(stderr, "loadgen: out of memory: some latencies were not recorded\n");
    if (log_lines > MAX_LOG_LINES)
        fprintf(stderr, "loadgen: %d more libevent messages not shown\n", log_lines - MAX_LOG_LINES);
}

/* ---- main ---- */

static int parse_options(int argc, char **argv, struct options *o)
{
    static const struct option longopts[] = {
        {"url", required_argument, NULL, 'u'},      {"concurrency", required_argument, NULL, 'c'},
        {"duration", required_argument, NULL, 't'}, {"requests", required_argument, NULL, 'n'},
        {"path", required_argument, NULL, 'p'},     {"warmup", required_argument, NULL, 'w'},
        {"json", no_argument, NULL, 'J'},           {"help", no_argument, NULL, 'h'},
        {"check", no_argument, NULL, 'C'},
        {NULL, 0, NULL, 0},
    };
    o->url = DEFAULT_URL;
    o->path = DEFAULT_PATH;
    o->concurrency = 8;
    o->duration = 10;
    o->warmup = 0;
    o->requests = 0;
    o->json = 0;
    o->check = 0;
    int ch;
    long n;
    while ((ch = getopt_long(argc, argv, "u:c:t:n:p:w:h", longopts, NULL)) != -1) {
        switch (ch) {
        case 'u': o->url = optarg; break;
        case 'p': o->path = optarg; break;
        case 'J': o->json = 1; break;
        case 'C': o->check = 1; break;
        case 'h': usage(stdout); exit(0);
        case 'c':
            if (parse_long(optarg, 1, MAX_CONCURRENCY, &o->concurrency) != 0) {
                fprintf(stderr, "loadgen: -c wants 1..%d, got '%s'\n", MAX_CONCURRENCY, optarg);
                return -1;
            }
            break;
        case 'n':
            if (parse_long(optarg, 1, LONG_MAX, &n) != 0) {
                fprintf(stderr, "loadgen: -n wants a positive count, got '%s'\n", optarg);
                return -1;
            }
            o->requests = (uint64_t)n;
            break;
        case 't':
            if (parse_secs(optarg, 0, &o->duration) != 0 || o->duration <= 0) {
                fprintf(stderr, "loadgen: -t wants seconds > 0, got '%s'\n", optarg);
                return -1;
            }
            break;
        case 'w':
            if (parse_secs(optarg, 0, &o->warmup) != 0) {
                fprintf(stderr, "loadgen: -w wants seconds >= 0, got '%s'\n", optarg);
                return -1;
            }
            break;
        default: return -1;
        }
    }
    if (optind + 1 != argc) {
        fprintf(stderr, "loadgen: %s\n", optind >= argc ? "missing QUERYFILE" : "one QUERYFILE only");
        return -1;
    }
    o->qfile = argv[optind];
    if (o->path[0] != '/') {
        fprintf(stderr, "loadgen: -p: the path must start with '/'\n");
        return -1;
    }
    for (const unsigned char *p = (const unsigned char *)o->path; *p; p++) {
        if (*p <= 0x20 || *p >= 0x7f) {
            fprintf(stderr, "loadgen: -p: the path must be percent-encoded ASCII without spaces\n");
            return -1;
        }
    }
    return 0;
}

int main(int argc, char **argv)
{
    static struct run run; /* large (status table); zeroed */
    struct run *r = &run;
    struct event *tick = NULL, *sigint = NULL, *sigterm = NULL;
    char addr[NI_MAXHOST];
    int port = 0, rc = 1;

    if (parse_options(argc, argv, &r->o) != 0) {
        usage(stderr);
        return 2;
    }
    if (resolve_url(r, addr, sizeof addr, &port) != 0 || load_queries(r) != 0) goto done;

    signal(SIGPIPE, SIG_IGN);
    raise_fd_limit(r->o.concurrency + 64);
    event_set_log_callback(on_evlog);
    if (!(r->base = event_base_new())) {
        fprintf(stderr, "loadgen: cannot create the event base\n");
        goto done;
    }
    r->conns = calloc((size_t)r->o.concurrency, sizeof *r->conns);
    if (!r->conns) {
        fprintf(stderr, "loadgen: out of memory\n");
        goto done;
    }
    for (long i = 0; i < r->o.concurrency; i++) {
        struct conn *c = &r->conns[i];
        c->run = r;
        c->evcon = evhttp_connection_base_new(r->base, NULL, addr, (ev_uint16_t)port);
        c->kick = evtimer_new(r->base, on_kick, c);
        r->nconns = i + 1;
        if (!c->evcon || !c->kick) {
            fprintf(stderr, "loadgen: cannot create connection %ld\n", i);
            goto done;
        }
        evhttp_connection_set_timeout(c->evcon, REQUEST_TIMEOUT_S);
    }
    struct timeval tv = {0, TICK_US};
    tick = event_new(r->base, -1, EV_PERSIST, on_tick, r);
    sigint = evsignal_new(r->base, SIGINT, on_signal, r);
    sigterm = evsignal_new(r->base, SIGTERM, on_signal, r);
    if (!tick || !sigint || !sigterm || event_add(tick, &tv) != 0 || event_add(sigint, NULL) != 0 ||
        event_add(sigterm, NULL) != 0) {
        fprintf(stderr, "loadgen: cannot set up timers and signals\n");
        goto done;
    }

    r->t_start = now_ns();
    r->t_measure = r->t_start + (uint64_t)(r->o.warmup * 1e9);
    r->t_end = r->t_measure + (uint64_t)(r->o.duration * 1e9);
    r->t_last_response = r->t_start;
    for (long i = 0; i < r->o.concurrency && want_more(r, now_ns()); i++) {
        r->conns[i].busy = 1;
        r->busy++;
        send_request(&r->conns[i]);
    }
    if (!(r->stopping && r->busy == 0)) event_base_dispatch(r->base);

    report(r);
    rc = 0;
done:
    for (long i = 0; i < r->nconns; i++) {
        if (r->conns[i].kick) event_free(r->conns[i].kick);
        free(r->conns[i].follow);
        free(r->conns[i].want_id);
        if (r->conns[i].evcon) evhttp_connection_free(r->conns[i].evcon);
    }
    free(r->conns);
    if (tick) event_free(tick);
    if (sigint) event_free(sigint);
    if (sigterm) event_free(sigterm);
    if (r->base) event_base_free(r->base);
    libevent_global_shutdown();
    for (size_t i = 0; i < r->nq; i++) free(r->uris[i]);
    free(r->uris);
    free(r->host_header);
    free(r->lat);
    return rc;
}
