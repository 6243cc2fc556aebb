/* stream.c - GET /search/stream (stream.h): each worker keeps its streams
 * in a list and feeds them after each reopen of its index, on its own
 * thread, with the same search code /search runs (search.h), narrowed to
 * the revisions not sent yet (since/until: an OR of a few XR terms, so a
 * standing query costs little when few articles are new).
 *
 * A stream's connection gets a close callback of its own, which marks the
 * stream gone and counts the connection off as the worker's does: libevent
 * then has detached the request (a reply under way is not freed with its
 * connection), and the next run frees it with evhttp_send_reply_end.  An
 * end of ours (a stop, a slow reader) takes the stream off the list before
 * it ends the reply, so no callback finds it after.
 */
#include "stream.h"

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/http.h>
#include <jansson.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "form.h"
#include "keys.h"
#include "request.h"
#include "search.h"

struct idxd_stream {
    struct evhttp_request *req;
    struct evhttp_connection *conn;
    idx_form form;      /* the request's query string, decoded once */
    idx_search_req sreq; /* the search it asks, made standing (strings in form) */
    char *scope;        /* a scoped key's filter, or NULL */
    long long expires;  /* its expiry (Unix seconds), or 0 */
    char *key;          /* the key it was opened with (never logged), or NULL */
    const struct idx_keys *keys; /* the keys that key was last checked against */
    uint64_t last; /* every match up to this revision was sent */
    double last_write;
    double last_run; /* idx_clock() of its last catch-up */
    int gone; /* the client went away: req is detached, free it */
};

static atomic_long open_streams;

long idxd_streams_open(void)
{
    return atomic_load(&open_streams);
}

static void stream_free(idxd_stream *s)
{
    idx_form_fini(&s->form);
    free(s->scope);
    free(s->key);
    free(s);
    atomic_fetch_sub(&open_streams, 1);
}

/* The client closed (or the connection failed): see the top. */
static void stream_conn_closed(struct evhttp_connection *conn, void *arg)
{
    idxd_worker *w = arg;
    for (size_t i = 0; i < w->nstreams; i++)
        if (w->streams[i]->conn == conn) w->streams[i]->gone = 1;
    idxd_worker_conn_closed(conn, w);
}

static void send_text(idxd_stream *s, const char *text, size_t n)
{
    struct evbuffer *b = evbuffer_new();
    if (!b) return;
    evbuffer_add(b, text, n);
    evhttp_send_reply_chunk(s->req, b);
    evbuffer_free(b);
    s->last_write = idx_clock();
}

int idxd_stream_open(idxd_worker *w, struct evhttp_request *req, const char *query,
                     const idxd_stream_auth *auth, uint64_t start)
{
    if (w->nstreams == w->capstreams) {
        size_t cap = w->capstreams ? w->capstreams * 2 : 8;
        idxd_stream **v = realloc(w->streams, cap * sizeof *v);
        if (!v) return -1;
        w->streams = v;
        w->capstreams = cap;
    }
    idxd_stream *s = calloc(1, sizeof *s);
    idx_err err;
    idx_err_clear(&err);
    if (!s || (auth->scope && !(s->scope = strdup(auth->scope))) ||
        (auth->key && !(s->key = strdup(auth->key))) ||
        idx_form_parse(query, query ? strlen(query) : 0, &s->form, &err) != IDX_OK) {
        if (s) {
            idx_form_fini(&s->form); /* (zeroed, or what a failed parse holds) */
            free(s->scope);
            free(s->key);
            free(s);
        }
        return -1;
    }
    atomic_fetch_add(&open_streams, 1);
    /* (the caller checked the request: it reads) */
    if (idx_search_req_form(&s->form, &s->sreq, &err) != IDX_OK) {
        stream_free(s);
        return -1;
    }
    idx_search_req_standing(&s->sreq);
    s->sreq.scope = s->scope;
    s->expires = auth->expires;
    s->keys = auth->keys;
    s->req = req;
    s->conn = evhttp_request_get_connection(req);
    s->last = start;
    w->streams[w->nstreams++] = s;
    if (s->conn) {
        evhttp_connection_set_closecb(s->conn, stream_conn_closed, w);
        idxd_worker_conn_streaming(w, evhttp_connection_get_bufferevent(s->conn));
    }
    struct evkeyvalq *h = evhttp_request_get_output_headers(req);
    evhttp_add_header(h, "Content-Type", "text/event-stream; charset=utf-8");
    evhttp_add_header(h, "Cache-Control", "no-store");
    evhttp_add_header(h, "X-Accel-Buffering", "no"); /* nginx: pass events on at once */
    evhttp_add_header(h, "Connection", "close");
    const char *origin = w->srv->cfg.cors_origin;
    if (origin) {
        evhttp_add_header(h, "Access-Control-Allow-Origin", origin);
        evhttp_add_header(h, "Vary", "Origin");
    }
    evhttp_send_reply_start(req, 200, "OK");
    char hello[96];
    int n = snprintf(hello, sizeof hello, "retry: 1000\n: idx stream from revision %llu\n\n",
                     (unsigned long long)start);
    send_text(s, hello, (size_t)n);
    return 0;
}

/* Take s off w's list (it stays allocated). */
static void unlist(idxd_worker *w, size_t i)
{
    memmove(&w->streams[i], &w->streams[i + 1], (w->nstreams - i - 1) * sizeof *w->streams);
    w->nstreams--;
}

/* End s's reply (its last chunk; the connection closes) and free it. */
static void end_stream(idxd_worker *w, idxd_stream *s)
{
    if (s->conn) evhttp_connection_set_closecb(s->conn, idxd_worker_conn_closed, w);
    evhttp_send_reply_end(s->req);
    stream_free(s);
}

/* One event: "id:" when the hit ends its revision (or the catch-up). */
static int send_hit(idxd_stream *s, json_t *hit, uint64_t id)
{
    char *js = json_dumps(hit, JSON_COMPACT);
    if (!js) return -1;
    struct evbuffer *b = evbuffer_new();
    if (!b) {
        free(js);
        return -1;
    }
    if (id) evbuffer_add_printf(b, "id: %llu\n", (unsigned long long)id);
    evbuffer_add_printf(b, "event: hit\ndata: %s\n\n", js);
    evhttp_send_reply_chunk(s->req, b);
    evbuffer_free(b);
    free(js);
    s->last_write = idx_clock();
    return 0;
}

static uint64_t hit_rev(json_t *hit)
{
    json_int_t r = json_integer_value(json_object_get(hit, "revision"));
    return r > 0 ? (uint64_t)r : 0;
}

/* Send s the matches committed in (s->last, upto], STREAM_BATCH hits a
 * turn at most, whole revisions at a time; s->last moves past what was
 * sent.  -1 when the query cannot run (the stream is ended). */
static int catch_up(idxd_worker *w, idxd_stream *s, uint64_t upto)
{
    idx_err err;
    idx_err_clear(&err);
    idx_search_req r = s->sreq;
    int rc = 0;
    r.since = (unsigned)s->last;
    r.until = (unsigned)upto;
    r.synonyms = atomic_load(&w->srv->synonyms); /* (SIGHUP may have changed them) */
    json_t *held = NULL; /* the last hit, sent once the next one shows where its revision ends */
    size_t sent = 0;
    uint64_t done = s->last; /* the last revision sent whole */
    while (!rc) {
        json_t *out = NULL;
        if (idx_search_json(w->db, &w->schema, &r, &out, &err) != IDX_OK) {
            rc = -1;
            break;
        }
        json_t *hits = json_object_get(out, "hits");
        size_t n = json_array_size(hits);
        for (size_t i = 0; i < n && !rc; i++) {
            json_t *hit = json_array_get(hits, i);
            if (held && hit_rev(held) != hit_rev(hit)) { /* held ends its revision */
                rc = send_hit(s, held, hit_rev(held));
                done = hit_rev(held);
                json_decref(held);
                held = NULL;
                sent++;
                if (sent >= STREAM_BATCH) break;
            } else if (held) {
                rc = send_hit(s, held, 0);
                json_decref(held);
                held = NULL;
                sent++;
            }
            held = json_incref(hit);
        }
        json_decref(out);
        if (rc || sent >= STREAM_BATCH) break;
        if (n < r.limit) { /* the end: everything up to upto is out */
            if (held) rc = send_hit(s, held, upto);
            done = upto;
            break;
        }
        r.offset += r.limit;
    }
    json_decref(held); /* at a batch's end: sent next turn, its revision whole */
    s->last = done;
    return rc;
}

/* The event that ends s when SIGHUP has loaded keys that no longer take
 * its key, else NULL (checked once per keys loaded). */
static const char *revoked(idxd_worker *w, idxd_stream *s)
{
    const idx_keys *now = atomic_load(&w->srv->keys);
    if (!s->key || !now || now == s->keys) return NULL;
    s->keys = now;
    idx_key_auth a;
    memset(&a, 0, sizeof a);
    idx_err err;
    idx_err_clear(&err);
    int rc = idx_keys_check(now, s->key, strlen(s->key), (long long)time(NULL), &a, &err);
    free(a.filter);
    if (rc == IDX_OK && a.role >= IDX_ROLE_SEARCH) return NULL;
    return "event: error\ndata: {\"error\":\"key_revoked\","
           "\"message\":\"the key this stream was opened with is no longer taken\"}\n\n";
}

void idxd_streams_run(idxd_worker *w)
{
    double now = idx_clock();
    uint64_t rev = 0;
    int have = 0;
    if (w->db && w->nstreams) {
        idx_err err;
        idx_err_clear(&err);
        have = idx_db_revision(w->db, &rev, NULL, &err) == IDX_OK;
    }
    for (size_t i = 0; i < w->nstreams;) {
        idxd_stream *s = w->streams[i];
        if (s->gone) { /* the request was detached from its closed connection */
            unlist(w, i);
            evhttp_send_reply_end(s->req); /* frees it */
            stream_free(s);
            continue;
        }
        struct bufferevent *bev = s->conn ? evhttp_connection_get_bufferevent(s->conn) : NULL;
        if (bev && evbuffer_get_length(bufferevent_get_output(bev)) > STREAM_MAX_UNSENT) {
            unlist(w, i); /* a reader this slow reconnects and resumes */
            end_stream(w, s);
            continue;
        }
        const char *ended = !s->expires || (long long)time(NULL) < s->expires
                                ? revoked(w, s)
                                : "event: error\ndata: {\"error\":\"key_expired\","
                                  "\"message\":\"the scoped key has expired\"}\n\n";
        if (ended) { /* a key outlives nothing it was given for */
            send_text(s, ended, strlen(ended));
            unlist(w, i);
            end_stream(w, s);
            continue;
        }
        if (have && s->last < rev && now - s->last_run >= STREAM_GAP_S) {
            s->last_run = now;
            if (catch_up(w, s, rev) != 0) {
                unlist(w, i);
                end_stream(w, s);
                continue;
            }
        }
        if (now - s->last_write >= w->srv->cfg.stream_heartbeat_s)
            send_text(s, ": heartbeat\n\n", 13);
        i++;
    }
}

void idxd_streams_end(idxd_worker *w)
{
    while (w->nstreams > 0) {
        idxd_stream *s = w->streams[w->nstreams - 1];
        w->nstreams--;
        if (s->gone) {
            evhttp_send_reply_end(s->req);
            stream_free(s);
        } else {
            end_stream(w, s);
        }
    }
}
