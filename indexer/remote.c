/* remote.c - `idx add --server URL --key KEY [FILE...]`: the input of idx add
 * sent to a running idxd instead of written into --db.
 *
 * The input is read as local idx add reads it (lines.h: files or standard
 * input, plain, gzip or zstd; a line over the reader's cap reported as
 * FILE:LINE and skipped) and cut into batches of 1000 lines (--batch N) or
 * 4 MiB, whichever comes first; every line keeps its FILE:LINE.  A batch goes
 * out as one POST {prefix}/docs?wait=1 (NDJSON, gzip over 64 KiB, the key as
 * a bearer token) over one HTTP/1.1 connection (libevent, one blocking
 * exchange at a time), and the server's task answers it: finished (200), or
 * accepted and polled at GET {prefix}/tasks/N until it is (202).  The task's
 * per-line errors come back numbered within the batch and are printed as
 * FILE:LINE: reason, so the output is local idx add's: those lines on stderr,
 * the summary line on stdout, exit 0 when every line was accepted, 1 when
 * some were rejected.
 *
 * The server's refusals: 429 (queue full) waits Retry-After and resends, for
 * up to 10 minutes; 413 halves the batch and remembers the smaller size (a
 * single line too large is that line's rejection); 5xx and a lost connection
 * are retried 3 times with backoff; 401/403 stop with exit 2; anything else,
 * and a task that failed, stops with exit 3.  Batches go out in input order
 * and one at a time, so what the server has acknowledged is always a prefix
 * of the input: a stop names its last line, and re-running the same input
 * finishes the job (re-adding an id replaces it).
 *
 * Plain http:// only; for TLS a terminating proxy or an ssh tunnel carries it.
 */
#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <jansson.h>
#include <zlib.h>

#include "buf.h"
#include "clock.h"
#include "idx.h"
#include "lines.h"

#define REMOTE_BATCH_LINES 1000        /* lines a batch, unless --batch */
#define REMOTE_BATCH_BYTES (4u << 20)  /* body bytes a batch (before gzip) */
#define REMOTE_GZIP_MIN (64u << 10)    /* bodies from this size go gzip'd */
#define REMOTE_TIMEOUT_S 60            /* connect, and each read or write */
#define REMOTE_POLL_S 0.2              /* between GET /tasks/N */
#define REMOTE_TASK_MAX_S 600.0        /* a task not applied after this: give up waiting */
#define REMOTE_BUSY_MAX_S 600.0        /* 429 waits for one request, in all */
#define REMOTE_RETRIES 3               /* 5xx and lost connections, per request */
#define REMOTE_REPLY_MAX (16 << 20)    /* an answer's body */
#define REMOTE_ERRORS_SHOWN 100        /* what the server lists at most */

static volatile sig_atomic_t g_stop;

static void on_signal(int sig)
{
    (void)sig;
    g_stop = 1;
}

/* Where a line of the batch came from, and where it starts in the body. */
typedef struct origin {
    const char *name; /* as reported: the path, or "<stdin>" */
    unsigned long long line;
    size_t off;
} origin;

typedef struct remote {
    const idx_opts *o;
    const char *url;  /* --server, as given, for messages */
    char *host;       /* to connect to (an IPv6 address without brackets) */
    int port;
    char *host_header;
    char *prefix;     /* the URL's path without its trailing '/' ("" none) */
    char *auth;       /* "Bearer KEY" */
    struct event_base *base;
    struct evhttp_connection *conn; /* NULL until needed, and after a lost one */
    unsigned max_lines;
    size_t max_body;  /* lowered by a 413 */
    int gzip;         /* 0 after the server refused a gzip'd body (415) */

    idx_buf body;     /* the open batch: its lines, each followed by '\n' */
    origin *lines;
    size_t nlines, cap;
    idx_buf zbody;    /* the body gzip'd, for one request */

    unsigned long long added, replaced, deleted, rejected;
    unsigned long long lines_sent, lines_acked; /* read into batches; answered */
    const char *acked_name; /* last line the server has acknowledged */
    unsigned long long acked_line;

    int progress;     /* progress line on stderr (a terminal, no -q) */
    int drawn;        /* its width on screen, 0 when none */
    idx_lines *in;    /* the input being read, for the progress line */
    const char *in_name;
    double t0, last_draw;
} remote;

/* One HTTP exchange's outcome, filled in by on_reply / on_error. */
typedef struct reply {
    struct event_base *base;
    int status;       /* HTTP status; 0: no answer */
    int neterr;       /* enum evhttp_request_error, -1 none */
    double retry_after; /* seconds, -1 when not given */
    idx_buf body;
} reply;

/* ---- messages ---- */

/* Take the progress line off the screen before anything else goes to stderr. */
static void clear_progress(remote *r)
{
    if (r->drawn) fprintf(stderr, "\r%*s\r", r->drawn, "");
    r->drawn = 0;
}

static void draw_progress(remote *r, int final)
{
    double now = idx_clock();
    if (!r->progress || !r->in || (!final && now - r->last_draw < 0.2)) return;
    r->last_draw = now;
    uint64_t done, total;
    idx_lines_progress(r->in, &done, &total);
    unsigned long long n = r->added + r->replaced;
    double rate = n / (now - r->t0 > 1e-9 ? now - r->t0 : 1e-9);
    int w;
    if (total > 0) {
        int pct = (int)(done * 100 / total);
        if (pct > 100) pct = 100;
        char bar[31];
        for (int i = 0; i < 30; i++) bar[i] = i < pct * 30 / 100 ? '#' : '.';
        bar[30] = '\0';
        w = fprintf(stderr, "\r%s [%s] %3d%% %llu articles %.0f/s ", r->in_name, bar, pct, n,
                    rate);
    } else {
        w = fprintf(stderr, "\r%s %llu articles %.0f/s ", r->in_name, n, rate);
    }
    r->drawn = w > 1 ? w - 1 : 0;
    if (final) {
        fputc('\n', stderr);
        r->drawn = 0;
    }
}

/* "FILE:A-B" or "FILE:A to FILE2:B": lines [lo, hi) of the batch. */
static const char *span(const remote *r, size_t lo, size_t hi, char *out, size_t cap)
{
    const origin *a = &r->lines[lo], *b = &r->lines[hi - 1];
    if (hi - lo == 1)
        snprintf(out, cap, "%s:%llu", a->name, a->line);
    else if (a->name == b->name || strcmp(a->name, b->name) == 0)
        snprintf(out, cap, "%s:%llu-%llu", a->name, a->line, b->line);
    else
        snprintf(out, cap, "%s:%llu to %s:%llu", a->name, a->line, b->name, b->line);
    return out;
}

/* The server's words for a refusal: error.message of its JSON error body
 * (with error.code), else the start of the body, else the status. */
static void server_says(const reply *rp, char *out, size_t cap)
{
    json_t *j = rp->body.len ? json_loadb(rp->body.data, rp->body.len, 0, NULL) : NULL;
    json_t *e = json_object_get(j, "error");
    const char *msg = json_string_value(json_object_get(e, "message"));
    const char *code = json_string_value(json_object_get(e, "code"));
    if (!msg) msg = json_string_value(e); /* {"error":"..."} */
    if (msg && code)
        snprintf(out, cap, "%s (%s, HTTP %d)", msg, code, rp->status);
    else if (msg)
        snprintf(out, cap, "%s (HTTP %d)", msg, rp->status);
    else if (rp->body.len) {
        size_t n = 0;
        char text[201];
        for (size_t i = 0; i < rp->body.len && n < sizeof text - 1; i++) {
            unsigned char c = (unsigned char)rp->body.data[i];
            text[n++] = c < 0x20 || c == 0x7f ? ' ' : (char)c;
        }
        while (n > 0 && text[n - 1] == ' ') n--;
        text[n] = '\0';
        snprintf(out, cap, "HTTP %d: %s", rp->status, text);
    } else
        snprintf(out, cap, "HTTP %d", rp->status);
    json_decref(j);
}

/* Why no answer came. */
static void no_answer(const reply *rp, char *out, size_t cap)
{
    const char *what;
    switch (rp->neterr) {
    case EVREQ_HTTP_TIMEOUT: what = "no answer within 60 s"; break;
    case EVREQ_HTTP_EOF: what = "the connection was closed before an answer"; break;
    case EVREQ_HTTP_INVALID_HEADER: what = "an answer that is not HTTP"; break;
    case EVREQ_HTTP_DATA_TOO_LONG: what = "an answer larger than 16 MiB"; break;
    default: what = "the connection failed without an answer"; break;
    }
    snprintf(out, cap, "%s", what);
}

/* Why HOST:PORT cannot be reached, into out ("" when a connection opens):
 * libevent tells a refused connection from a dropped one only in its debug
 * log, so the last failure is looked into once more, by hand. */
static void unreachable(const remote *r, char *out, size_t cap)
{
    char port[16];
    snprintf(port, sizeof port, "%d", r->port);
    struct addrinfo hints = {.ai_socktype = SOCK_STREAM}, *ai = NULL;
    int g = getaddrinfo(r->host, port, &hints, &ai);
    if (g) {
        snprintf(out, cap, "cannot resolve %s: %s", r->host, gai_strerror(g));
        return;
    }
    int e = 0;
    for (struct addrinfo *a = ai; a; a = a->ai_next) {
        int fd = socket(a->ai_family, a->ai_socktype | SOCK_NONBLOCK, a->ai_protocol);
        if (fd < 0) {
            e = errno;
            continue;
        }
        e = 0;
        if (connect(fd, a->ai_addr, a->ai_addrlen) != 0) {
            e = errno;
            struct pollfd p = {.fd = fd, .events = POLLOUT};
            socklen_t n = sizeof e;
            if (e == EINPROGRESS) {
                int k = poll(&p, 1, REMOTE_TIMEOUT_S * 1000);
                e = k == 0 ? ETIMEDOUT
                    : k < 0 || getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &n) ? errno : e;
            }
        }
        close(fd);
        if (!e) break;
    }
    freeaddrinfo(ai);
    if (e)
        snprintf(out, cap, "cannot connect to %s port %d: %s", r->host, r->port, strerror(e));
    else
        out[0] = '\0';
}

/* ---- one HTTP exchange ---- */

static void on_error(enum evhttp_request_error e, void *arg)
{
    reply *rp = arg;
    rp->neterr = (int)e;
}

static void on_reply(struct evhttp_request *req, void *arg)
{
    reply *rp = arg;
    int code = req ? evhttp_request_get_response_code(req) : 0;
    /* libevent 2.1 hands a connect timeout over as a "400" without headers */
    struct evkeyvalq *h = req ? evhttp_request_get_input_headers(req) : NULL;
    if (code > 0 && rp->neterr < 0 && h && h->tqh_first) {
        rp->status = code;
        struct evbuffer *in = evhttp_request_get_input_buffer(req);
        size_t n = evbuffer_get_length(in);
        if (n) idx_buf_append(&rp->body, evbuffer_pullup(in, -1), n);
        const char *ra = evhttp_find_header(h, "Retry-After");
        char *end;
        double s = ra ? strtod(ra, &end) : -1;
        if (ra && end != ra && s >= 0) rp->retry_after = s;
    }
    event_base_loopbreak(rp->base);
}

/* The whole of secs, signals or not. */
static void nap(double secs)
{
    for (double end = idx_clock() + secs, left = secs; left > 0; left = end - idx_clock())
        idx_sleep(left);
}

/* Send one request and wait for its answer (rp->status 0: none came). */
static int request_once(remote *r, enum evhttp_cmd_type method, const char *path,
                        const char *body, size_t n, int gz, reply *rp, idx_err *err)
{
    idx_buf_reset(&rp->body);
    rp->base = r->base;
    rp->status = 0;
    rp->neterr = -1;
    rp->retry_after = -1;
    if (!r->conn) {
        r->conn = evhttp_connection_base_new(r->base, NULL, r->host, (unsigned short)r->port);
        if (!r->conn) return idx_err_set(err, IDX_ENOMEM, "remote.connect", "out of memory");
        evhttp_connection_set_timeout(r->conn, REMOTE_TIMEOUT_S);
        evhttp_connection_set_max_body_size(r->conn, REMOTE_REPLY_MAX);
        /* an early refusal (413) is read even when the body could not be written */
        evhttp_connection_set_flags(r->conn, EVHTTP_CON_READ_ON_WRITE_ERROR);
    }
    struct evhttp_request *req = evhttp_request_new(on_reply, rp);
    if (!req) return idx_err_set(err, IDX_ENOMEM, "remote.request", "out of memory");
    evhttp_request_set_error_cb(req, on_error);
    struct evkeyvalq *h = evhttp_request_get_output_headers(req);
    int bad = evhttp_add_header(h, "Host", r->host_header) ||
              evhttp_add_header(h, "Authorization", r->auth) ||
              evhttp_add_header(h, "Accept", "application/json");
    if (method == EVHTTP_REQ_POST) {
        bad = bad || evhttp_add_header(h, "Content-Type", "application/x-ndjson") ||
              (gz && evhttp_add_header(h, "Content-Encoding", "gzip")) ||
              evbuffer_add(evhttp_request_get_output_buffer(req), body, n);
    }
    if (bad) {
        evhttp_request_free(req);
        return idx_err_set(err, IDX_ENOMEM, "remote.request", "out of memory");
    }
    if (evhttp_make_request(r->conn, req, method, path) != 0) /* req is freed */
        return idx_err_set(err, IDX_EIO, "remote.request", "could not send a request to %s",
                           r->url);
    event_base_dispatch(r->base);
    if (rp->body.oom) return idx_err_set(err, IDX_ENOMEM, "remote.reply", "out of memory");
    if (rp->neterr >= 0) rp->status = 0;
    if (rp->status == 0) { /* start the next request on a fresh connection */
        evhttp_connection_free(r->conn);
        r->conn = NULL;
    }
    return IDX_OK;
}

/* One request, answered: 429 waited out and resent, 5xx and lost
 * connections retried with backoff.  IDX_OK with any other answer in rp;
 * IDX_EIO when the server never gave one (err says why, `what` naming what
 * was being sent). */
static int exchange(remote *r, enum evhttp_cmd_type method, const char *path, const char *body,
                    size_t n, int gz, const char *what, reply *rp, idx_err *err)
{
    double busy = 0;
    int tries = 0;
    char why[512];
    for (;;) {
        int rc = request_once(r, method, path, body, n, gz, rp, err);
        if (rc) return rc;
        if (rp->status == 429) { /* queue full: it says when to come back */
            double wait = rp->retry_after >= 0 ? rp->retry_after : 1.0;
            if (wait < 0.2) wait = 0.2;
            if (busy + wait > REMOTE_BUSY_MAX_S) {
                server_says(rp, why, sizeof why);
                return idx_err_set(err, IDX_EIO, "remote.busy",
                                   "%s stayed busy for %.0f s sending %s: %s", r->url, busy,
                                   what, why);
            }
            nap(wait);
            busy += wait;
            continue;
        }
        if (rp->status == 0 || rp->status >= 500) {
            if (tries < REMOTE_RETRIES) {
                double wait = 1 << tries; /* 1, 2, 4 s */
                if (rp->status && rp->retry_after >= 0 && rp->retry_after <= 60)
                    wait = rp->retry_after;
                nap(wait);
                tries++;
                continue;
            }
            if (rp->status) server_says(rp, why, sizeof why);
            else unreachable(r, why, sizeof why);
            if (!why[0]) no_answer(rp, why, sizeof why);
            return idx_err_set(err, IDX_EIO, "remote.send", "%s failed %s: %s (tried %d times)",
                               r->url, what, why, tries + 1);
        }
        return IDX_OK;
    }
}

/* ---- batches ---- */

/* The server's task for lines [lo, hi): its rejections printed as
 * FILE:LINE, its counts added up.  IDX_EIO when the task failed. */
static int task_done(remote *r, size_t lo, size_t hi, json_t *task, idx_err *err)
{
    char where[1200];
    size_t nerr = 0, i;
    json_t *e;
    json_array_foreach(json_object_get(task, "errors"), i, e) {
        json_int_t l = json_integer_value(json_object_get(e, "line"));
        const char *why = json_string_value(json_object_get(e, "reason"));
        clear_progress(r);
        if (l >= 1 && (size_t)l <= hi - lo)
            fprintf(stderr, "%s:%llu: %s\n", r->lines[lo + l - 1].name, r->lines[lo + l - 1].line,
                    why ? why : "rejected");
        else
            fprintf(stderr, "idx: the server rejected line %lld of the batch %s: %s\n",
                    (long long)l, span(r, lo, hi, where, sizeof where), why ? why : "rejected");
        nerr++;
    }
    unsigned long long rej = (unsigned long long)json_integer_value(json_object_get(task, "rejected"));
    if (json_is_true(json_object_get(task, "errors_truncated")) && rej > nerr) {
        clear_progress(r);
        fprintf(stderr, "idx: %llu more lines of %s were rejected (the server lists the first %zu)\n",
                rej - nerr, span(r, lo, hi, where, sizeof where), nerr);
    }
    r->added += (unsigned long long)json_integer_value(json_object_get(task, "added"));
    r->replaced += (unsigned long long)json_integer_value(json_object_get(task, "replaced"));
    r->deleted += (unsigned long long)json_integer_value(json_object_get(task, "deleted"));
    r->rejected += rej;
    const char *status = json_string_value(json_object_get(task, "status"));
    long long id = (long long)json_integer_value(json_object_get(task, "task"));
    if (status && strcmp(status, "succeeded") == 0) {
        r->lines_acked += hi - lo;
        r->acked_name = r->lines[hi - 1].name;
        r->acked_line = r->lines[hi - 1].line;
        return IDX_OK;
    }
    if (status && strcmp(status, "failed") == 0) {
        const char *why = json_string_value(json_object_get(task, "error"));
        if (!why) why = json_string_value(json_object_get(json_object_get(task, "error"), "message"));
        return idx_err_set(err, IDX_EIO, "remote.task", "%s: task %lld (%s) failed: %s", r->url,
                           id, span(r, lo, hi, where, sizeof where), why ? why : "no reason given");
    }
    return idx_err_set(err, IDX_EIO, "remote.task", "%s: task %lld (%s) ended as \"%s\"", r->url, id,
                       span(r, lo, hi, where, sizeof where), status ? status : "(no status)");
}

/* The JSON object of a 200/202 answer, or NULL with err set. */
static json_t *answer_json(remote *r, const reply *rp, const char *what, idx_err *err)
{
    json_error_t je;
    json_t *j = json_loadb(rp->body.data ? rp->body.data : "", rp->body.len, 0, &je);
    if (!json_is_object(j)) {
        json_decref(j);
        idx_err_set(err, IDX_EIO, "remote.reply", "%s answered %s with HTTP %d but no JSON task",
                    r->url, what, rp->status);
        return NULL;
    }
    return j;
}

/* A refusal that stops the run: 401/403 (the key, exit 2) or anything else. */
static int refused(remote *r, const reply *rp, const char *what, idx_err *err)
{
    char why[512];
    server_says(rp, why, sizeof why);
    if (rp->status == 401 || rp->status == 403)
        return idx_err_set(err, IDX_EINVAL, "remote.auth", "server %s refused the key: %s",
                           r->url, why);
    return idx_err_set(err, IDX_EIO, "remote.refused", "%s refused %s: %s", r->url, what, why);
}

/* Poll GET {prefix}/tasks/ID until the task of lines [lo, hi) has finished. */
static int wait_task(remote *r, size_t lo, size_t hi, long long id, reply *rp, idx_err *err)
{
    char where[1100], what[1200];
    idx_buf path;
    idx_buf_init(&path);
    idx_buf_printf(&path, "%s/tasks/%lld", r->prefix, id);
    if (path.oom) return idx_err_set(err, IDX_ENOMEM, "remote.poll", "out of memory");
    snprintf(what, sizeof what, "asking after task %lld (%s, accepted)", id,
             span(r, lo, hi, where, sizeof where));
    int rc;
    for (double waited = 0;; waited += REMOTE_POLL_S) {
        if (waited >= REMOTE_TASK_MAX_S) {
            /* durable there, but not applied: the server's log says why
             * (its database locked by another writer, a full disk...) */
            rc = idx_err_set(err, IDX_EIO, "remote.poll",
                             "server %s accepted task %lld (%s) but has not applied it after "
                             "%.0f s; it is in the server's journal and will be applied when "
                             "the server can (see its log)",
                             r->url, id, span(r, lo, hi, where, sizeof where), REMOTE_TASK_MAX_S);
            break;
        }
        nap(REMOTE_POLL_S);
        if ((rc = exchange(r, EVHTTP_REQ_GET, idx_buf_cstr(&path), NULL, 0, 0, what, rp, err)))
            break;
        if (rp->status != 200) {
            rc = refused(r, rp, what, err);
            break;
        }
        json_t *task = answer_json(r, rp, what, err);
        if (!task) {
            rc = err->rc;
            break;
        }
        const char *st = json_string_value(json_object_get(task, "status"));
        if (st && (strcmp(st, "enqueued") == 0 || strcmp(st, "processing") == 0)) {
            json_decref(task);
            draw_progress(r, 0);
            continue;
        }
        rc = task_done(r, lo, hi, task, err);
        json_decref(task);
        break;
    }
    idx_buf_fini(&path);
    return rc;
}

static int gzip_body(const char *p, size_t n, idx_buf *out)
{
    z_stream z;
    memset(&z, 0, sizeof z);
    if (deflateInit2(&z, 1, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY) != Z_OK) return -1;
    uLong bound = deflateBound(&z, (uLong)n);
    idx_buf_reset(out);
    if (idx_buf_reserve(out, bound)) {
        deflateEnd(&z);
        return -1;
    }
    z.next_in = (Bytef *)p;
    z.avail_in = (uInt)n;
    z.next_out = (Bytef *)out->data;
    z.avail_out = (uInt)bound;
    int zr = deflate(&z, Z_FINISH);
    out->len = z.total_out;
    deflateEnd(&z);
    return zr == Z_STREAM_END ? 0 : -1;
}

/* Send lines [lo, hi) of the open batch and see them through. */
static int send_range(remote *r, size_t lo, size_t hi, idx_err *err)
{
    const char *p = r->body.data + r->lines[lo].off;
    size_t end = hi < r->nlines ? r->lines[hi].off : r->body.len, n = end - r->lines[lo].off;
    char where[1100], what[1200];
    snprintf(what, sizeof what, "the batch %s", span(r, lo, hi, where, sizeof where));
    int gz = r->gzip && n >= REMOTE_GZIP_MIN && gzip_body(p, n, &r->zbody) == 0;
    idx_buf path;
    idx_buf_init(&path);
    idx_buf_printf(&path, "%s/docs?wait=1", r->prefix);
    if (path.oom) return idx_err_set(err, IDX_ENOMEM, "remote.send", "out of memory");
    reply rp;
    memset(&rp, 0, sizeof rp);
    idx_buf_init(&rp.body);
    int rc = exchange(r, EVHTTP_REQ_POST, idx_buf_cstr(&path), gz ? r->zbody.data : p,
                      gz ? r->zbody.len : n, gz, what, &rp, err);
    idx_buf_fini(&path);
    if (rc) goto done;
    if (rp.status == 200 || rp.status == 202) {
        json_t *task = answer_json(r, &rp, what, err);
        if (!task) {
            rc = err->rc;
            goto done;
        }
        long long id = (long long)json_integer_value(json_object_get(task, "task"));
        const char *st = json_string_value(json_object_get(task, "status"));
        if (rp.status == 202 || (st && (strcmp(st, "enqueued") == 0 || strcmp(st, "processing") == 0)))
            rc = wait_task(r, lo, hi, id, &rp, err);
        else
            rc = task_done(r, lo, hi, task, err);
        json_decref(task);
    } else if (rp.status == 413 && hi - lo == 1) { /* this line alone is too large */
        clear_progress(r);
        fprintf(stderr, "%s:%llu: line of %zu bytes is larger than the server accepts\n",
                r->lines[lo].name, r->lines[lo].line, n - 1);
        r->rejected++;
        r->lines_acked++;
        r->acked_name = r->lines[lo].name;
        r->acked_line = r->lines[lo].line;
    } else if (rp.status == 413) { /* halves, and batches no larger from now on */
        if (n / 2 < r->max_body) r->max_body = n / 2 > 1 ? n / 2 : 1;
        size_t mid = lo + (hi - lo) / 2;
        if (!(rc = send_range(r, lo, mid, err))) rc = send_range(r, mid, hi, err);
    } else if (rp.status == 415 && gz) { /* no gzip bodies here */
        r->gzip = 0;
        rc = send_range(r, lo, hi, err);
    } else {
        rc = refused(r, &rp, what, err);
    }
done:
    idx_buf_fini(&rp.body);
    return rc;
}

/* Send the open batch, if any, and empty it. */
static int flush(remote *r, idx_err *err)
{
    if (r->nlines == 0) return IDX_OK;
    int rc = send_range(r, 0, r->nlines, err);
    r->nlines = 0;
    idx_buf_reset(&r->body);
    draw_progress(r, 0);
    return rc;
}

/* One line into the open batch, sending the batch when it is full. */
static int add_line(remote *r, const char *name, unsigned long long ln, const char *line,
                    size_t len, idx_err *err)
{
    int rc;
    if (r->nlines && r->body.len + len + 1 > r->max_body && (rc = flush(r, err))) return rc;
    if (r->nlines == r->cap) {
        size_t cap = r->cap ? r->cap * 2 : 1024;
        origin *l = realloc(r->lines, cap * sizeof *l);
        if (!l) return idx_err_set(err, IDX_ENOMEM, "remote.batch", "out of memory");
        r->lines = l;
        r->cap = cap;
    }
    r->lines[r->nlines++] = (origin){.name = name, .line = ln, .off = r->body.len};
    idx_buf_append(&r->body, line, len);
    idx_buf_putc(&r->body, '\n');
    if (r->body.oom) return idx_err_set(err, IDX_ENOMEM, "remote.batch", "out of memory");
    r->lines_sent++;
    return r->nlines >= r->max_lines ? flush(r, err) : IDX_OK;
}

/* Read one input into batches.  Returns IDX_OK or what stopped the run;
 * an unreadable input sets *input_failed. */
static int send_file(remote *r, const char *path, int *input_failed, idx_err *err)
{
    idx_err rerr;
    idx_err_clear(&rerr);
    idx_lines *in = NULL;
    const char *name = strcmp(path, "-") == 0 ? "<stdin>" : path;
    if (idx_lines_open(path, &in, &rerr)) {
        clear_progress(r);
        idx_die_msg("%s", rerr.msg);
        *input_failed = 1;
        return IDX_OK;
    }
    r->in = in;
    r->in_name = name;
    int rc = IDX_OK, k;
    const char *line;
    size_t len;
    while (!g_stop && (k = idx_lines_next(in, &line, &len, &rerr)) != IDX_LINES_EOF) {
        unsigned long long ln = (unsigned long long)idx_lines_lineno(in);
        if (k == IDX_LINES_ERROR) {
            clear_progress(r);
            fprintf(stderr, "%s:%llu: %s\n", name, ln + 1, rerr.msg);
            *input_failed = 1;
            break;
        }
        if (k == IDX_LINES_TOOLONG) {
            clear_progress(r);
            fprintf(stderr, "%s:%llu: line longer than %u bytes, skipped\n", name, ln,
                    IDX_LINES_MAX);
            r->rejected++;
            continue;
        }
        if ((rc = add_line(r, name, ln, line, len, err))) break;
    }
    draw_progress(r, 1);
    r->in = NULL;
    idx_lines_close(in);
    return rc;
}

/* ---- the command ---- */

/* --server URL into r: http://HOST[:PORT][/PREFIX].  Exit status or -1. */
static int parse_server(remote *r, const char *url)
{
    struct evhttp_uri *u = evhttp_uri_parse(url);
    const char *scheme = u ? evhttp_uri_get_scheme(u) : NULL;
    const char *host = u ? evhttp_uri_get_host(u) : NULL;
    int status = -1;
    if (scheme && strcasecmp(scheme, "https") == 0) {
        idx_die_msg("--server %s: https is not spoken here; reach the server through a "
                    "TLS-terminating proxy or an ssh tunnel (ssh -L 8080:127.0.0.1:8080 HOST) "
                    "and give its http:// address",
                    url);
        status = EXIT_USAGE;
    } else if (!scheme || strcasecmp(scheme, "http") != 0 || !host || !*host ||
               evhttp_uri_get_query(u) || evhttp_uri_get_fragment(u) ||
               evhttp_uri_get_userinfo(u)) {
        idx_die_msg("--server %s: expected http://HOST[:PORT][/PREFIX]", url);
        status = EXIT_USAGE;
    } else {
        size_t hn = strlen(host);
        int v6 = hn > 2 && host[0] == '[' && host[hn - 1] == ']';
        r->host = v6 ? idx_memdup(host + 1, hn - 2) : idx_memdup(host, hn);
        r->port = evhttp_uri_get_port(u) > 0 ? evhttp_uri_get_port(u) : 80;
        const char *path = evhttp_uri_get_path(u);
        size_t pn = path ? strlen(path) : 0;
        while (pn > 0 && path[pn - 1] == '/') pn--;
        r->prefix = idx_memdup(path ? path : "", pn);
        idx_buf h;
        idx_buf_init(&h);
        int bare_v6 = !v6 && strchr(host, ':');
        idx_buf_printf(&h, "%s%s%s", bare_v6 ? "[" : "", host, bare_v6 ? "]" : "");
        if (r->port != 80) idx_buf_printf(&h, ":%d", r->port);
        r->host_header = idx_buf_detach(&h, NULL);
        if (!r->host || !r->prefix || !r->host_header) {
            idx_die_msg("out of memory");
            status = EXIT_DB;
        }
    }
    if (u) evhttp_uri_free(u);
    return status;
}

/* What idx add --server cannot do, as a usage error (exit status), or -1. */
static int check_opts(const idx_opts *o)
{
    const char *local = o->shard_by ? "--shard-by"
                        : o->jobs > 1 ? "--jobs"
                        : o->index_format ? "--index-format"
                        : o->unigrams >= 0 ? "--cjk-unigrams"
                        : o->fold >= 0 ? "--fold"
                        : o->no_cluster ? "--no-cluster"
                        : NULL;
    if (local) {
        idx_die_msg("%s is about a local database; it has no effect with add --server", local);
        return EXIT_USAGE;
    }
    if (!o->key || !*o->key) {
        idx_die_msg("add --server needs --key KEY, an admin key of the server");
        return EXIT_USAGE;
    }
    for (const char *k = o->key; *k; k++)
        if ((unsigned char)*k < 0x20 || *k == 0x7f) {
            idx_die_msg("--key: control characters are not allowed in a key");
            return EXIT_USAGE;
        }
    for (int i = 0; i < o->nargs; i++) {
        const char *a = o->args[i];
        size_t n = strlen(a);
        struct stat st;
        int page = o->format == IDX_FORMAT_TEXT || o->format == IDX_FORMAT_HTML ||
                   (strcmp(a, "-") != 0 && stat(a, &st) == 0 && S_ISDIR(st.st_mode)) ||
                   (o->format != IDX_FORMAT_JSONL &&
                    ((n > 4 && strcmp(a + n - 4, ".txt") == 0) ||
                     (n > 5 && strcmp(a + n - 5, ".html") == 0) ||
                     (n > 4 && strcmp(a + n - 4, ".htm") == 0)));
        if (page) {
            idx_die_msg("add --server sends JSON Lines, not pages (%s); clean them first: "
                        "idx clean PAGE... | idx add --server URL --key KEY",
                        a);
            return EXIT_USAGE;
        }
    }
    return -1;
}

int idx_add_remote(const idx_opts *o)
{
    int status = check_opts(o);
    if (status >= 0) return status;
    remote r = {
        .o = o,
        .url = o->server,
        .max_lines = o->batch ? o->batch : REMOTE_BATCH_LINES,
        .max_body = REMOTE_BATCH_BYTES,
        .gzip = 1,
        .progress = !o->quiet && isatty(2),
        .t0 = idx_clock(),
    };
    idx_buf_init(&r.body);
    idx_buf_init(&r.zbody);
    idx_buf a;
    idx_buf_init(&a);
    idx_buf_printf(&a, "Bearer %s", o->key);
    r.auth = idx_buf_detach(&a, NULL);
    idx_err err;
    idx_err_clear(&err);
    int rc = IDX_OK, input_failed = 0;
    if ((status = parse_server(&r, o->server)) >= 0) goto done;
    r.base = event_base_new();
    if (!r.auth || !r.base) {
        idx_die_msg("out of memory");
        status = EXIT_DB;
        goto done;
    }

    /* the first SIGINT/SIGTERM stops reading and sends what was read; a
     * second one is not caught */
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sa.sa_flags = SA_RESETHAND;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    signal(SIGPIPE, SIG_IGN); /* a closed connection is an error, not death */

    static char *stdin_only[] = {"-"};
    char **files = o->nargs ? o->args : stdin_only;
    int nfiles = o->nargs ? o->nargs : 1;
    for (int i = 0; i < nfiles && !g_stop && rc == IDX_OK; i++)
        rc = send_file(&r, files[i], &input_failed, &err);
    if (rc == IDX_OK) rc = flush(&r, &err);
    clear_progress(&r);

    double secs = idx_clock() - r.t0;
    if (rc) {
        idx_die_msg("%s", err.msg);
        if (rc != IDX_EINVAL) {
            if (r.acked_name)
                fprintf(stderr, "idx: the server has acknowledged every line up to %s:%llu; ",
                        r.acked_name, r.acked_line);
            else
                fprintf(stderr, "idx: the server acknowledged no line of this run; ");
            fprintf(stderr, "re-run the same input to finish (re-adding an id replaces it)\n");
        }
    }
    if (g_stop) fprintf(stderr, "idx: interrupted; everything read so far was sent\n");
    if (rc == IDX_EINVAL && r.lines_acked == 0) { /* the key, at the first request */
        status = EXIT_USAGE;
        goto done;
    }
    printf("added %llu, replaced %llu, rejected %llu", r.added, r.replaced, r.rejected);
    if (r.deleted) printf(", deleted %llu", r.deleted);
    printf(", %.0f articles/s (%.2f s)", secs > 0 ? (r.added + r.replaced) / secs : 0.0, secs);
    if (rc)
        printf(" - stopped: the last %llu lines read were NOT acknowledged by the server",
               r.lines_sent - r.lines_acked);
    printf("\n");
    if (rc) status = idx_add_exit(rc);
    else if (input_failed) status = EXIT_DB;
    else if (r.rejected || g_stop) status = EXIT_PARTIAL;
    else status = EXIT_OK;

done:
    if (r.conn) evhttp_connection_free(r.conn);
    if (r.base) event_base_free(r.base);
    idx_buf_fini(&r.body);
    idx_buf_fini(&r.zbody);
    free(r.lines);
    free(r.host);
    free(r.host_header);
    free(r.prefix);
    free(r.auth);
    return status;
}
