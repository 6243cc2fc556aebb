/* watch.c - `idx watch [--db D | --server URL [--key K]] [options] QUERY...`:
 * the articles that match QUERY printed as they are committed, like
 * `tail -f`, for pipelines that alert by mail or chat.
 *
 * It starts at the revision the database is at (or after --since R) and
 * from then on prints every article a commit adds or replaces that matches,
 * once, in commit order: one line each,
 *   REVISION <TAB> DATE <TAB> ID <TAB> TITLE
 * or, with --json, the hit object /search gives (snippet included) as JSON
 * Lines; stdout is flushed after every batch.  The search options (--source,
 * --from, --all, ...) narrow it as they narrow idx search.
 *
 * With --db it reads the database itself: a reopen every 200 ms, and a
 * search with since = the last revision printed and until = the new one
 * (search.h), paged in revision order.  With --server it holds a
 * GET /search/stream open on idxd (stream.h) and prints its events; when
 * the connection drops it reconnects after a second with Last-Event-ID, so
 * nothing is missed.  It runs until SIGINT or SIGTERM (exit 0), or until
 * standard output is closed; a bad query or a refused key exits 2, a
 * database or server that cannot be used 3.  --synonyms expands the query
 * as idx search does (--db only: a server expands with its own file).
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <jansson.h>

#include "buf.h"
#include "clock.h"
#include "idx.h"
#include "request.h"
#include "search.h"
#include "synonyms.h"

static volatile sig_atomic_t g_stop;

static void on_signal(int sig)
{
    (void)sig;
    g_stop = 1;
}

/* One hit on stdout; -1 when stdout is gone. */
static int print_hit(const idx_opts *o, json_t *hit)
{
    if (o->json) {
        if (json_dumpf(hit, stdout, JSON_COMPACT) != 0) return -1;
        fputc('\n', stdout);
    } else {
        const char *fields[] = {"date", "id", "title"};
        printf("%lld", (long long)json_integer_value(json_object_get(hit, "revision")));
        for (size_t f = 0; f < 3; f++) {
            const char *v = json_string_value(json_object_get(hit, fields[f]));
            fputc('\t', stdout);
            for (; v && *v; v++) fputc((unsigned char)*v < 0x20 ? ' ' : *v, stdout);
        }
        fputc('\n', stdout);
    }
    return ferror(stdout) ? -1 : 0;
}

/* ---- --db: the database, polled ---- */

static int watch_db(const idx_opts *o, idx_search_req req)
{
    idx_err err;
    idx_err_clear(&err);
    idx_db *db = NULL;
    idx_schema sc;
    if (idx_db_open(o->db, IDX_DB_READ, &db, &err) || idx_schema_read(db, &sc, &err)) {
        idx_die_msg("cannot open database %s: %s", o->db, err.msg);
        idx_db_close(db);
        return EXIT_DB;
    }
    uint64_t last = req.since, rev = 0;
    if (!last && idx_db_revision(db, &last, NULL, &err)) {
        idx_die_msg("cannot read %s: %s", o->db, err.msg);
        idx_db_close(db);
        return EXIT_DB;
    }
    int status = EXIT_OK;
    while (!g_stop) {
        if (idx_db_reopen(db, &err) == IDX_OK) idx_schema_read(db, &sc, &err);
        idx_err_clear(&err);
        if (idx_db_revision(db, &rev, NULL, &err) != IDX_OK) {
            idx_err_clear(&err);
            idx_sleep(0.2);
            continue;
        }
        /* every page first, then printed: a read that fails halfway prints nothing twice */
        json_t *all = rev > last ? json_array() : NULL;
        for (req.offset = 0; all && !g_stop;) {
            req.since = (unsigned)last;
            req.until = (unsigned)rev;
            json_t *out = NULL;
            int rc = idx_search_json(db, &sc, &req, &out, &err);
            if (rc == IDX_EUTF8 || rc == IDX_ETOOBIG || rc == IDX_EINVAL) {
                idx_die_msg("bad query: %s", err.msg);
                json_decref(all);
                status = EXIT_USAGE;
                goto done;
            }
            if (rc) { /* a commit raced the read, or the database went away: next turn */
                idx_err_clear(&err);
                json_decref(all);
                all = NULL;
                break;
            }
            json_t *hits = json_object_get(out, "hits");
            size_t n = json_array_size(hits);
            json_array_extend(all, hits);
            json_decref(out);
            if (n < req.limit) break;
            req.offset += req.limit;
        }
        if (all && !g_stop) {
            size_t i;
            json_t *hit;
            json_array_foreach(all, i, hit) if (print_hit(o, hit) != 0) g_stop = 1;
            if (fflush(stdout) != 0) g_stop = 1;
            last = rev;
        }
        json_decref(all);
        idx_sleep(0.2);
    }
done:
    idx_db_close(db);
    return status;
}

/* ---- --server: GET /search/stream ---- */

typedef struct sse {
    const idx_opts *o;
    struct event_base *base;
    idx_buf line;     /* the event stream's unparsed tail */
    idx_buf data;     /* the event being read: its data lines */
    uint64_t id;      /* its id line (0: none) */
    int is_hit;       /* its event line said hit */
    uint64_t last;    /* the last id seen: Last-Event-ID on a reconnect */
    int status;       /* the reply's HTTP status (0: none) */
    idx_buf body;     /* a refusal's body */
    int fatal;        /* stop: EXIT_* */
} sse;

static void sse_event(sse *s)
{
    if (s->is_hit && s->data.len) {
        json_t *hit = json_loadb(s->data.data, s->data.len, 0, NULL);
        if (hit && print_hit(s->o, hit) != 0) g_stop = 1;
        json_decref(hit);
    }
    if (s->id) s->last = s->id;
    if (fflush(stdout) != 0) g_stop = 1;
    idx_buf_reset(&s->data);
    s->id = 0;
    s->is_hit = 0;
}

/* One line of the event stream (without its newline). */
static void sse_line(sse *s, const char *l, size_t n)
{
    if (n == 0) {
        sse_event(s);
        return;
    }
    if (n >= 4 && memcmp(l, "id: ", 4) == 0) {
        s->id = strtoull(l + 4, NULL, 10);
    } else if (n >= 7 && memcmp(l, "event: ", 7) == 0) {
        s->is_hit = n == 10 && memcmp(l + 7, "hit", 3) == 0;
    } else if (n >= 6 && memcmp(l, "data: ", 6) == 0) {
        if (s->data.len) idx_buf_append(&s->data, "\n", 1);
        idx_buf_append(&s->data, l + 6, n - 6);
    } /* comments (": heartbeat") and retry: lines are for browsers */
}

static void on_chunk(struct evhttp_request *req, void *arg)
{
    sse *s = arg;
    s->status = evhttp_request_get_response_code(req);
    struct evbuffer *in = evhttp_request_get_input_buffer(req);
    size_t n = evbuffer_get_length(in);
    if (s->status != 200) { /* a refusal: its JSON body, said at the end */
        if (s->body.len < 4096) {
            char tmp[4096];
            size_t k = n < sizeof tmp ? n : sizeof tmp;
            evbuffer_copyout(in, tmp, k);
            idx_buf_append(&s->body, tmp, k);
        }
        evbuffer_drain(in, n);
        return;
    }
    char *p = malloc(n ? n : 1);
    if (!p) return;
    evbuffer_remove(in, p, n);
    idx_buf_append(&s->line, p, n);
    free(p);
    size_t start = 0;
    for (size_t i = 0; i < s->line.len; i++) {
        if (s->line.data[i] != '\n') continue;
        size_t len = i - start;
        if (len && s->line.data[start + len - 1] == '\r') len--;
        sse_line(s, s->line.data + start, len);
        start = i + 1;
    }
    memmove(s->line.data, s->line.data + start, s->line.len - start);
    s->line.len -= start;
    if (g_stop) event_base_loopbreak(s->base);
}

static void on_done(struct evhttp_request *req, void *arg)
{
    sse *s = arg;
    if (req) {
        int code = evhttp_request_get_response_code(req);
        if (code && code != 200) s->status = code;
        if (code == 200 || s->status == 200) on_chunk(req, arg);
    }
    event_base_loopbreak(s->base);
}

static void on_sig(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    g_stop = 1;
    event_base_loopbreak(((sse *)arg)->base);
}

static int watch_server(const idx_opts *o, idx_search_req req)
{
    struct evhttp_uri *uri = evhttp_uri_parse(o->server);
    const char *host = uri ? evhttp_uri_get_host(uri) : NULL;
    if (!host || !evhttp_uri_get_scheme(uri) || strcmp(evhttp_uri_get_scheme(uri), "http") != 0) {
        idx_die_msg("--server %s: expected http://HOST[:PORT][/PREFIX]", o->server);
        if (uri) evhttp_uri_free(uri);
        return EXIT_USAGE;
    }
    int port = evhttp_uri_get_port(uri) > 0 ? evhttp_uri_get_port(uri) : 80;
    const char *prefix = evhttp_uri_get_path(uri) ? evhttp_uri_get_path(uri) : "";
    size_t pl = strlen(prefix);
    while (pl && prefix[pl - 1] == '/') pl--;
    idx_buf path, qs;
    idx_buf_init(&path);
    idx_buf_init(&qs);
    idx_err err;
    idx_err_clear(&err);
    sse s = {.o = o, .last = req.since};
    idx_buf_init(&s.line);
    idx_buf_init(&s.data);
    idx_buf_init(&s.body);
    req.since = 0; /* the stream's start goes as Last-Event-ID */
    req.sort = 0;
    idx_search_req_query(&req, &qs, &err);
    idx_buf_append(&path, prefix, pl);
    idx_buf_append(&path, "/search/stream?", 15);
    idx_buf_append(&path, qs.data ? qs.data : "", qs.len);
    s.base = event_base_new();
    struct event *sigint = s.base ? evsignal_new(s.base, SIGINT, on_sig, &s) : NULL;
    struct event *sigterm = s.base ? evsignal_new(s.base, SIGTERM, on_sig, &s) : NULL;
    int status = EXIT_OK;
    if (!sigint || !sigterm || path.oom || event_add(sigint, NULL) || event_add(sigterm, NULL)) {
        idx_die_msg("out of memory");
        status = EXIT_DB;
        goto done;
    }
    int said = 0;
    while (!g_stop) {
        struct evhttp_connection *conn = evhttp_connection_base_new(s.base, NULL, host,
                                                                    (unsigned short)port);
        struct evhttp_request *r = conn ? evhttp_request_new(on_done, &s) : NULL;
        if (!r) {
            if (conn) evhttp_connection_free(conn);
            idx_die_msg("out of memory");
            status = EXIT_DB;
            break;
        }
        evhttp_connection_set_timeout(conn, 120); /* heartbeats come every 15 s */
        evhttp_request_set_chunked_cb(r, on_chunk);
        struct evkeyvalq *h = evhttp_request_get_output_headers(r);
        evhttp_add_header(h, "Host", host);
        evhttp_add_header(h, "Accept", "text/event-stream");
        char num[32], auth[600];
        if (s.last) {
            snprintf(num, sizeof num, "%llu", (unsigned long long)s.last);
            evhttp_add_header(h, "Last-Event-ID", num);
        }
        if (o->key) {
            snprintf(auth, sizeof auth, "Bearer %s", o->key);
            evhttp_add_header(h, "Authorization", auth);
        }
        s.status = 0;
        idx_buf_reset(&s.body);
        idx_buf_reset(&s.line);
        if (evhttp_make_request(conn, r, EVHTTP_REQ_GET, idx_buf_cstr(&path)) == 0)
            event_base_dispatch(s.base);
        evhttp_connection_free(conn);
        if (g_stop) break;
        if (s.status == 400 || s.status == 401 || s.status == 403 || s.status == 404) {
            idx_die_msg("%s refused the stream (HTTP %d): %.*s", o->server, s.status,
                        (int)s.body.len, s.body.data ? s.body.data : "");
            status = EXIT_USAGE;
            break;
        }
        if (!said) /* said once; it keeps trying */
            fprintf(stderr, "idx watch: the stream from %s ended (HTTP %d); reconnecting\n",
                    o->server, s.status);
        said = s.status == 200 ? 0 : 1;
        idx_sleep(1);
    }
done:
    if (sigint) event_free(sigint);
    if (sigterm) event_free(sigterm);
    if (s.base) event_base_free(s.base);
    evhttp_uri_free(uri);
    idx_buf_fini(&path);
    idx_buf_fini(&qs);
    idx_buf_fini(&s.line);
    idx_buf_fini(&s.data);
    idx_buf_fini(&s.body);
    return status;
}

int idx_cmd_watch(const idx_opts *o)
{
    if (o->nargs < 1) {
        idx_die_msg("watch wants a query: idx watch [--db DB | --server URL] QUERY...");
        return EXIT_USAGE;
    }
    idx_buf q;
    idx_buf_init(&q);
    if (idx_operands_query(o, &q) != 0) {
        idx_buf_fini(&q);
        return EXIT_DB;
    }
    idx_search_req req = o->search;
    req.q = idx_buf_cstr(&q);
    req.qlen = q.len;
    idx_search_req_standing(&req);
    idx_synonyms *syn = NULL;
    if (o->synonyms) {
        idx_err err;
        idx_err_clear(&err);
        if (o->server) {
            idx_die_msg("--synonyms is for watch --db: a server expands queries with its own "
                        "--synonyms file");
            idx_buf_fini(&q);
            return EXIT_USAGE;
        }
        if (idx_synonyms_load(o->synonyms, &syn, &err)) {
            idx_die_msg("--synonyms: %s", err.msg);
            idx_buf_fini(&q);
            return err.rc == IDX_EIO ? EXIT_DB : EXIT_USAGE;
        }
        req.synonyms = syn;
    }
    struct sigaction sa = {.sa_handler = on_signal};
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    signal(SIGPIPE, SIG_IGN); /* a closed stdout ends the watch through ferror */
    int status = o->server ? watch_server(o, req) : watch_db(o, req);
    idx_synonyms_free(syn);
    idx_buf_fini(&q);
    return status;
}
