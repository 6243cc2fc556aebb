/* api.c - idxd's HTTP routes.
 *
 *   GET /search            ranked search with highlighted snippets (search.h)
 *   GET /suggest           as-you-type title suggestions (discover.h)
 *   GET /docs/ID           the stored article
 *   GET /docs/ID/related   related articles, reprints left out (discover.h)
 *   GET /health            200 when the index is open, else 503
 *   GET /stats             documents, revision, last update, uptime
 *   GET /metrics           Prometheus text (metrics.h)
 *   GET /search/stream     a standing query: new matches as Server-Sent Events
 *                          (stream.h)
 *   GET /api               what this server is and its routes
 *   GET /openapi.json      the routes as an OpenAPI 3.1 document (query/openapi.json)
 *   GET /, /app.js, ...    the search page (web.h)
 *   POST /docs             JSON Lines of articles, each an upsert (writes.h)
 *   DELETE /docs/ID        delete an article (writes.h)
 *   GET /tasks/N           what became of write N
 *   GET /keys              the API keys' names and roles
 *
 * Keys (--keys, keys.h): with keys configured every route but /health and
 * the page's files needs "Authorization: Bearer KEY" (401 without one or
 * with an unknown one), and admin routes (writes, /tasks, /keys, /stats,
 * /metrics) an admin key (403 for a search key); --public-search leaves the
 * read routes open.  A scoped key's filter is ANDed into every search,
 * suggestion and related list made with it, and an article outside it is
 * not found.  Keys are never logged (only the URI is).
 *
 * Every answer is JSON (except /metrics and the page), with CORS headers when
 * --cors-origin is set.  Errors are {"error":{"code","message"}}: 400
 * bad_parameter / invalid_utf8 / query_too_long, 404 not_found, 405
 * method_not_allowed, 413 body_too_large, 503 index_unavailable or
 * shutting_down, 500 internal.  Parameters are decoded strictly (form.h) and
 * read by the one table of request parameters (request.h), the one `idx
 * search` reads its options by: names, defaults, bounds and the messages of a
 * bad one live there, and unknown ones are refused so a typo ("limt=5") is
 * not silently ignored.  Each request adds one access-log line on stderr and
 * one observation to the metrics; an internal error (500) also a line saying
 * where it came from (idx_err.where).
 */
#include <event2/buffer.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "cache.h"
#include "discover.h"
#include "journal.h"
#include "keys.h"
#include "lines.h"
#include "writes.h"
#include "document.h"
#include "form.h"
#include "idxd.h"
#include "metrics.h"
#include "request.h"
#include "search.h"
#include "stream.h"
#include "utf8.h"
#include "web.h"

typedef struct ctx {
    idxd_worker *w;
    struct evhttp_request *req;
    double t0;
    int route;
    int head;
    char *scope;          /* a scoped key's filter (owned), or NULL */
    long long expires;    /* a scoped key's expiry (Unix seconds), or 0 */
    const char *key;      /* the key presented (in the request's headers), or NULL */
    const struct idx_keys *keys; /* the keys it was checked against */
} ctx;

static const char *method_name(enum evhttp_cmd_type m)
{
    switch (m) {
    case EVHTTP_REQ_GET: return "GET";
    case EVHTTP_REQ_POST: return "POST";
    case EVHTTP_REQ_HEAD: return "HEAD";
    case EVHTTP_REQ_PUT: return "PUT";
    case EVHTTP_REQ_DELETE: return "DELETE";
    case EVHTTP_REQ_OPTIONS: return "OPTIONS";
    case EVHTTP_REQ_TRACE: return "TRACE";
    case EVHTTP_REQ_CONNECT: return "CONNECT";
    case EVHTTP_REQ_PATCH: return "PATCH";
    default: return "?";
    }
}

static void access_log(ctx *c, int status, size_t bytes, uint64_t us)
{
    if (!c->w->srv->cfg.access_log) return;
    char line[4096], uri[400]; /* (a JSON line escapes the URI: at most 6 bytes each) */
    const char *u = evhttp_request_get_uri(c->req);
    size_t k = 0;
    for (; u && *u && k < sizeof uri - 4; u++) /* no control bytes in the log */
        uri[k++] = (unsigned char)*u < 0x20 || *u == 0x7f ? '?' : *u;
    if (u && *u) {
        memcpy(uri + k, "...", 3);
        k += 3;
    }
    uri[k] = '\0';
    char *peer = NULL;
    ev_uint16_t port = 0;
    struct evhttp_connection *conn = evhttp_request_get_connection(c->req);
    if (conn) evhttp_connection_get_peer(conn, &peer, &port);
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    char ts[32];
    strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%SZ", &tm);
    int n;
    if (c->w->srv->cfg.log_json) { /* one object a line; the URI as JSON escapes it */
        json_t *ju = json_string(uri); /* raw bytes that are not UTF-8: said so */
        json_t *j = json_pack("{s:s, s:s, s:s, s:o, s:i, s:I, s:I}", "time", ts, "peer",
                              peer ? peer : "-", "method",
                              method_name(evhttp_request_get_command(c->req)), "uri",
                              ju ? ju : json_string("(not UTF-8)"), "status", status, "bytes",
                              (json_int_t)bytes, "us", (json_int_t)us);
        char *js = j ? json_dumps(j, JSON_COMPACT | JSON_ENSURE_ASCII) : NULL;
        json_decref(j);
        n = snprintf(line, sizeof line, "%s\n", js ? js : "{}");
        free(js);
    } else {
        n = snprintf(line, sizeof line, "%s %s %s %s %d %zu %lluus\n", ts, peer ? peer : "-",
                     method_name(evhttp_request_get_command(c->req)), uri, status, bytes,
                     (unsigned long long)us);
    }
    /* one write per line, so threads never interleave within a line */
    ssize_t wr = write(STDERR_FILENO, line, (size_t)n);
    (void)wr;
}

/* Send body (may be NULL) with status; takes ownership of nothing. */
static void reply(ctx *c, int status, const char *ctype, const char *body, size_t len)
{
    struct evkeyvalq *h = evhttp_request_get_output_headers(c->req);
    if (ctype) evhttp_add_header(h, "Content-Type", ctype);
    const char *origin = c->w->srv->cfg.cors_origin;
    if (origin) {
        evhttp_add_header(h, "Access-Control-Allow-Origin", origin);
        evhttp_add_header(h, "Vary", "Origin");
    }
    evhttp_add_header(h, "Cache-Control", "no-store");
    /* a browser must never sniff an echoed query as HTML */
    evhttp_add_header(h, "X-Content-Type-Options", "nosniff");
    if (c->head && body) {
        /* HEAD: the length of the body a GET would get, and no body */
        char cl[32];
        snprintf(cl, sizeof cl, "%zu", len);
        evhttp_add_header(h, "Content-Length", cl);
        body = NULL;
    }
    struct evbuffer *buf = evbuffer_new();
    if (buf && body) evbuffer_add(buf, body, len);
    static const struct { int code; const char *text; } reasons[] = {
        {200, "OK"}, {202, "Accepted"}, {204, "No Content"}, {400, "Bad Request"},
        {401, "Unauthorized"}, {403, "Forbidden"}, {404, "Not Found"},
        {405, "Method Not Allowed"}, {413, "Payload Too Large"},
        {415, "Unsupported Media Type"}, {429, "Too Many Requests"},
        {500, "Internal Server Error"}, {503, "Service Unavailable"}};
    const char *reason = "Unknown";
    for (size_t i = 0; i < sizeof reasons / sizeof *reasons; i++)
        if (reasons[i].code == status) reason = reasons[i].text;
    /* count and log before sending: the request belongs to libevent after */
    uint64_t us = (uint64_t)((idx_clock() - c->t0) * 1e6);
    idxd_metrics_observe(c->route, status, us);
    access_log(c, status, body ? len : 0, us);
    evhttp_send_reply(c->req, status, reason, buf);
    if (buf) evbuffer_free(buf);
}

static void reply_json(ctx *c, int status, json_t *j)
{
    char *s = j ? json_dumps(j, JSON_COMPACT) : NULL;
    if (!s) {
        static const char oom[] = "{\"error\":{\"code\":\"internal\",\"message\":\"out of memory\"}}";
        reply(c, 500, "application/json; charset=utf-8", oom, sizeof oom - 1);
        return;
    }
    size_t n = strlen(s);
    s[n] = '\n'; /* overwrite the NUL: the body ends with a newline */
    reply(c, status, "application/json; charset=utf-8", s, n + 1);
    free(s);
}

/* A 200 JSON reply from obj[0..n), a serialized object ("{...}\n") without
 * took_ms: it is put first, with "cached":true for an answer from the cache. */
static void reply_timed(ctx *c, int cached, const char *obj, size_t n)
{
    char head[96];
    int hn = snprintf(head, sizeof head, "{%s\"took_ms\":%.6f%s", cached ? "\"cached\":true," : "",
                      (idx_clock() - c->t0) * 1e3, n > 3 ? "," : "");
    char *b = malloc((size_t)hn + n);
    if (!b || n < 2) {
        free(b);
        reply_json(c, 500, NULL);
        return;
    }
    memcpy(b, head, (size_t)hn);
    memcpy(b + hn, obj + 1, n - 1); /* past its "{" */
    reply(c, 200, "application/json; charset=utf-8", b, (size_t)hn + n - 1);
    free(b);
}

static void reply_error(ctx *c, int status, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void reply_error(ctx *c, int status, const char *code, const char *fmt, ...)
{
    char msg[600];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    /* messages can quote user input clipped mid-character: keep them valid */
    json_t *m = json_string(msg);
    if (!m) m = json_string("(message not valid UTF-8)");
    json_t *j = json_pack("{s:{s:s, s:o}}", "error", "code", code, "message", m);
    reply_json(c, status, j);
    json_decref(j);
}

/* Map a core error code from a request's own input to a reply. */
static void reply_idx_error(ctx *c, const idx_err *err)
{
    switch (err->rc) {
    case IDX_EUTF8: reply_error(c, 400, "invalid_utf8", "%s", err->msg); break;
    case IDX_ETOOBIG: reply_error(c, 400, "query_too_long", "%s", err->msg); break;
    case IDX_EINVAL: reply_error(c, 400, "bad_parameter", "%s", err->msg); break;
    case IDX_ENOTFOUND: reply_error(c, 404, "not_found", "%s", err->msg); break;
    case IDX_ENODB: reply_error(c, 503, "index_unavailable", "%s", err->msg); break;
    default: /* not the request's fault: the log says where it came from */
        fprintf(stderr, "idxd: internal error (%s): %s\n", err->where, err->msg);
        reply_error(c, 500, "internal", "%s", err->msg);
        break;
    }
}

static int need_db(ctx *c)
{
    if (idxd_worker_ensure_db(c->w) == 0) return 1;
    reply_error(c, 503, "index_unavailable", "%s", c->w->db_error);
    return 0;
}

/* After a database error the handle may be stale or broken: reopen it on
 * the next request. */
static void db_failed(ctx *c, const idx_err *err)
{
    if (err->rc == IDX_EDB || err->rc == IDX_ENODB) {
        idx_db_close(c->w->db);
        c->w->db = NULL;
    }
}

/* For a route that takes no parameters: 1, or 0 after a 400 naming one. */
static int no_params(ctx *c, const idx_form *f)
{
    idx_err err;
    idx_err_clear(&err);
    if (idx_req_form_none(f, &err) == IDX_OK) return 1;
    reply_idx_error(c, &err);
    return 0;
}

static void search_cached(ctx *c, const idx_form *f, const char *query, int cache_ok);

/* GET /search.  raw_query is the request's query string as sent: the key of
 * the worker's answer cache (cache.h), tried first (after the scoped key's
 * filter, if any). */
static void handle_search(ctx *c, const idx_form *f, const char *raw_query)
{
    /* a scoped key's answers are cached under its filter too ("FILTER\x1fQUERY");
     * an unscoped request whose own query string holds that separator is not
     * cached, so it can never be taken for a scoped key's */
    char *scoped_key = NULL;
    const char *query = raw_query;
    int cache_ok = !raw_query || !strchr(raw_query, '\x1f');
    if (c->scope) {
        size_t sl = strlen(c->scope), ql = raw_query ? strlen(raw_query) : 0;
        if (!(scoped_key = malloc(sl + ql + 2))) {
            reply_json(c, 500, NULL);
            return;
        }
        memcpy(scoped_key, c->scope, sl);
        scoped_key[sl] = '\x1f';
        memcpy(scoped_key + sl + 1, raw_query ? raw_query : "", ql + 1);
        query = scoped_key;
        cache_ok = 1;
    }
    search_cached(c, f, query, cache_ok);
    free(scoped_key);
}

static void search_cached(ctx *c, const idx_form *f, const char *query, int cache_ok)
{
    size_t qslen = query ? strlen(query) : 0;
    unsigned gen = atomic_load(&c->w->srv->generation);
    if (gen != c->w->generation) { /* SIGHUP reloaded the synonyms: old answers go */
        idxd_cache_clear(c->w->cache);
        idxd_worker_cache_changed(c->w);
        c->w->generation = gen;
    }
    int cacheable = cache_ok && c->w->db && !idx_db_has_remote(c->w->db);
    size_t hitlen = 0;
    const char *hit = cacheable ? idxd_cache_get(c->w->cache, query ? query : "", qslen, &hitlen)
                                : NULL;
    if (hit) {
        reply_timed(c, 1, hit, hitlen);
        return;
    }
    idx_search_req r;
    idx_err err;
    idx_err_clear(&err);
    if (idx_search_req_form(f, &r, &err)) {
        reply_idx_error(c, &err);
        return;
    }
    r.synonyms = atomic_load(&c->w->srv->synonyms);
    r.budget_ms = c->w->srv->cfg.budget_ms;
    r.scope = c->scope;
    if (!need_db(c)) return;
    json_t *out = NULL;
    if (idx_search_json(c->w->db, &c->w->schema, &r, &out, &err) != IDX_OK) {
        reply_idx_error(c, &err);
        db_failed(c, &err);
        return;
    }
    /* serialized once, without took_ms: the reply and the cache share it */
    json_object_del(out, "took_ms");
    int partial = json_is_true(json_object_get(out, "timed_out"));
    char *s = json_dumps(out, JSON_COMPACT);
    json_decref(out);
    if (!s) {
        reply_json(c, 500, NULL);
        return;
    }
    size_t n = strlen(s);
    s[n] = '\n';
    reply_timed(c, 0, s, n + 1);
    /* kept unless it depends on the clock (recency, or cut short by the
     * budget) or lacks shards */
    if (cacheable && !partial && r.recency_days <= 0 && idx_db_nmissing(c->w->db) == 0) {
        idxd_cache_put(c->w->cache, query ? query : "", qslen, s, n + 1);
        idxd_worker_cache_changed(c->w);
    }
    if (partial) idxd_metrics_search_timed_out();
    free(s);
}

/* GET /search/stream (stream.h): the request checked as a /search, then
 * held open.  It starts after the revision in Last-Event-ID (a reconnect),
 * else since=, else the one the index is at. */
static void handle_stream(ctx *c, const idx_form *f, const char *raw_query)
{
    idx_search_req r;
    idx_err err;
    idx_err_clear(&err);
    if (idx_search_req_form(f, &r, &err)) {
        reply_idx_error(c, &err);
        return;
    }
    if (!need_db(c)) return;
    uint64_t start = r.since;
    const char *last = evhttp_find_header(evhttp_request_get_input_headers(c->req),
                                          "Last-Event-ID");
    unsigned long v = 0;
    if (last && *last) {
        if (!idx_req_uint(last, &v) || v > IDX_REVISION_MAX) {
            reply_error(c, 400, "bad_parameter",
                        "Last-Event-ID must be a revision (a whole number) this stream sent");
            return;
        }
        start = v;
    } else if (!idx_form_get(f, "since", NULL)) {
        if (idx_db_revision(c->w->db, &start, NULL, &err) != IDX_OK) {
            reply_idx_error(c, &err);
            db_failed(c, &err);
            return;
        }
    }
    if (c->head) {
        reply(c, 200, "text/event-stream; charset=utf-8", NULL, 0);
        return;
    }
    idxd_stream_auth auth = {.key = c->key, .keys = c->keys, .scope = c->scope,
                             .expires = c->expires};
    if (idxd_stream_open(c->w, c->req, raw_query, &auth, start) != 0) {
        reply_json(c, 500, NULL);
        return;
    }
    /* the reply has started: counted and logged once, as the 200 it is */
    uint64_t us = (uint64_t)((idx_clock() - c->t0) * 1e6);
    idxd_metrics_observe(c->route, 200, us);
    access_log(c, 200, 0, us);
    idxd_streams_run(c->w); /* a catch-up (since=, Last-Event-ID) starts now */
}

static void handle_related(ctx *c, const char *id, size_t idlen, const idx_form *f);

static void handle_doc(ctx *c, const char *raw_id, const idx_form *f)
{
    idx_err err;
    idx_err_clear(&err);
    char *id = NULL;
    size_t idlen = 0;
    /* /docs/{id}/related: a '/' inside an id must come percent-encoded */
    size_t rawlen = strlen(raw_id), rl = strlen("/related");
    int related = rawlen > rl && strcmp(raw_id + rawlen - rl, "/related") == 0;
    if (related) {
        rawlen -= rl;
        c->route = ROUTE_RELATED;
    }
    if (idx_url_decode(raw_id, rawlen, "article id", &id, &idlen, &err) != IDX_OK) {
        reply_idx_error(c, &err);
        return;
    }
    if (idlen == 0 || idlen > IDX_ARTICLE_MAX_ID) {
        reply_error(c, 404, "not_found", "no article with that id (ids are 1 to %d bytes)",
                    IDX_ARTICLE_MAX_ID);
        free(id);
        return;
    }
    if (!need_db(c)) {
        free(id);
        return;
    }
    if (related) {
        handle_related(c, id, idlen, f);
        free(id);
        return;
    }
    if (!no_params(c, f)) {
        free(id);
        return;
    }
    idx_buf uid;
    idx_buf_init(&uid);
    char *data = NULL;
    size_t len = 0;
    int inside = 1;
    int rc = idx_uid_term(id, idlen, &uid, &err);
    if (!rc) rc = idx_scope_has(c->w->db, &c->w->schema, c->scope, uid.data, uid.len, &inside, &err);
    if (!rc && !inside) rc = IDX_ENOTFOUND; /* outside the key's scope: as if absent */
    if (!rc) rc = idx_db_get_data(c->w->db, uid.data, uid.len, &data, &len, &err);
    if (rc == IDX_ENOTFOUND)
        reply_error(c, 404, "not_found", "no article with id '%.*s'",
                    (int)idx_utf8_clip(id, idlen, 200), id);
    else if (rc) {
        reply_idx_error(c, &err);
        db_failed(c, &err);
    } else {
        data[len] = '\n'; /* data is NUL-terminated: len + 1 bytes are ours */
        reply(c, 200, "application/json; charset=utf-8", data, len + 1);
    }
    free(data);
    free(id);
    idx_buf_fini(&uid);
}

/* Documents, revision and last update of the open index. */
static int index_facts(ctx *c, idx_db_stats *st, char **last)
{
    idx_err err;
    idx_err_clear(&err);
    *last = NULL;
    if (idx_db_get_stats(c->w->db, st, &err) == IDX_OK &&
        idx_db_get_metadata(c->w->db, "idx.last_update", last, &err) == IDX_OK)
        return 1;
    free(*last);
    *last = NULL;
    reply_idx_error(c, &err);
    db_failed(c, &err);
    return 0;
}

static void handle_health(ctx *c)
{
    if (!need_db(c)) return;
    idx_db_stats st;
    char *last;
    if (!index_facts(c, &st, &last)) return;
    /* an archive missing shards still answers (partial results): "degraded" */
    json_t *j = json_pack("{s:s, s:I, s:I, s:I, s:I}", "status",
                          idx_db_nmissing(c->w->db) ? "degraded" : "ok", "documents",
                          (json_int_t)st.documents, "revision", (json_int_t)st.revision, "shards",
                          (json_int_t)idx_db_nshards(c->w->db), "missing_shards",
                          (json_int_t)idx_db_nmissing(c->w->db));
    reply_json(c, 200, j);
    json_decref(j);
    free(last);
}

static void handle_stats(ctx *c)
{
    if (!need_db(c)) return;
    idx_db_stats st;
    char *last;
    if (!index_facts(c, &st, &last)) return;
    const idxd_server *s = c->w->srv;
    idxd_cache_stats cs;
    idxd_cache_counts(c->w->cache, &cs);
    size_t all_bytes, max_bytes;
    idxd_server_cache_bytes(c->w->srv, &all_bytes, &max_bytes);
    json_t *j = json_pack("{s:s, s:I, s:I, s:f, s:o, s:f, s:i, s:I, s:I, s:f,"
                          " s:{s:I, s:I, s:I, s:i, s:I, s:I}}",
                          "db", s->cfg.db, "documents",
                          (json_int_t)st.documents, "revision", (json_int_t)st.revision,
                          "avg_doc_length", st.avg_length, "last_update",
                          last && *last ? json_string(last) : json_null(), "uptime_s",
                          idxd_wall() - s->started, "threads", s->cfg.threads, "connections",
                          (json_int_t)atomic_load(&c->w->srv->conns), "connections_peak",
                          (json_int_t)atomic_load(&c->w->srv->conns_peak), "budget_ms",
                          s->cfg.budget_ms, "cache", "hits", (json_int_t)cs.hits, "misses",
                          (json_int_t)cs.misses, "entries", (json_int_t)cs.entries, "max",
                          s->cfg.cache_entries, "bytes", (json_int_t)all_bytes, "max_bytes",
                          (json_int_t)max_bytes);
    if (j && c->w->srv->writes) {
        idxd_writes_stats ws;
        idxd_writes_get_stats(c->w->srv->writes, &ws);
        json_object_set_new(
            j, "writes",
            json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:b}", "last_task", (json_int_t)ws.last_task,
                      "applied", (json_int_t)ws.applied, "queue_bytes",
                      (json_int_t)ws.queue_bytes, "max_queue", (json_int_t)ws.max_queue,
                      "journal_bytes", (json_int_t)ws.journal_bytes, "commits",
                      (json_int_t)ws.commits, "waiting_for_lock", ws.waiting_for_lock));
    } else if (j) {
        json_object_set_new(j, "writes", json_null());
    }
    uint64_t rev = 0;
    idx_err err;
    idx_err_clear(&err);
    idx_db_revision(c->w->db, &rev, NULL, &err);
    if (j) { /* idx's revision (since=), next to Xapian's "revision" of the files */
        json_object_set_new(j, "search_revision", json_integer((json_int_t)rev));
        json_object_set_new(j, "streams", json_integer((json_int_t)idxd_streams_open()));
    }
    reply_json(c, 200, j);
    json_decref(j);
    free(last);
}

static void handle_metrics(ctx *c)
{
    size_t cb, cmax;
    idxd_server_cache_bytes(c->w->srv, &cb, &cmax);
    idxd_gauges g = {.connections = atomic_load(&c->w->srv->conns),
                     .connections_peak = atomic_load(&c->w->srv->conns_peak),
                     .uptime_s = idxd_wall() - c->w->srv->started, .cache_bytes = cb,
                     .cache_max_bytes = cmax, .streams = idxd_streams_open()};
    if (c->w->srv->writes) {
        idxd_writes_stats ws;
        idxd_writes_get_stats(c->w->srv->writes, &ws);
        g.writes = 1;
        g.write_last_task = ws.last_task;
        g.write_applied = ws.applied;
        g.write_queue_bytes = ws.queue_bytes;
        g.write_commits = ws.commits;
    }
    idx_db_stats st;
    idx_err err;
    idx_err_clear(&err);
    if (idxd_worker_ensure_db(c->w) == 0 && idx_db_get_stats(c->w->db, &st, &err) == IDX_OK) {
        g.documents = st.documents;
        g.revision = st.revision;
        g.index_up = 1;
        idx_db_revision(c->w->db, &g.search_revision, NULL, &err);
    }
    idx_buf b;
    idx_buf_init(&b);
    idxd_metrics_render(&g, &b);
    if (b.oom)
        reply_error(c, 500, "internal", "out of memory");
    else
        reply(c, 200, "text/plain; version=0.0.4; charset=utf-8", b.data, b.len);
    idx_buf_fini(&b);
}

static void handle_suggest(ctx *c, const idx_form *f)
{
    idx_suggest_req r;
    idx_err err;
    idx_err_clear(&err);
    if (idx_suggest_req_form(f, &r, &err)) {
        reply_idx_error(c, &err);
        return;
    }
    if (!need_db(c)) return;
    json_t *out = NULL;
    if (idx_suggest_json(c->w->db, &c->w->schema, r.q, r.qlen, r.limit, c->scope, &out, &err) !=
        IDX_OK) {
        reply_idx_error(c, &err);
        db_failed(c, &err);
        return;
    }
    reply_json(c, 200, out);
    json_decref(out);
}

/* GET /docs/{id}/related: id as decoded by handle_doc. */
static void handle_related(ctx *c, const char *id, size_t idlen, const idx_form *f)
{
    idx_related_req r;
    idx_err err;
    idx_err_clear(&err);
    if (idx_related_req_form(f, &r, &err)) {
        reply_idx_error(c, &err);
        return;
    }
    json_t *out = NULL;
    int rc = idx_related_json(c->w->db, &c->w->schema, id, idlen, r.limit, c->scope, &out, &err);
    if (rc == IDX_ENOTFOUND) {
        reply_error(c, 404, "not_found", "no article with id '%.*s'",
                    (int)idx_utf8_clip(id, idlen, 200), id);
    } else if (rc) {
        reply_idx_error(c, &err);
        db_failed(c, &err);
    } else {
        reply_json(c, 200, out);
    }
    json_decref(out);
}

/* The search page (query/web/, embedded by web_assets.S).  Its scripts and
 * styles are separate files so the Content-Security-Policy can forbid any
 * inline script: even markup that slipped into a page could not run. */
static void handle_asset(ctx *c, const char *path)
{
    idxd_asset a;
    if (!idxd_web_asset(path, &a)) {
        reply_error(c, 404, "not_found", "no such endpoint (try GET /search?q=...)");
        return;
    }
    struct evkeyvalq *h = evhttp_request_get_output_headers(c->req);
    evhttp_add_header(h, "Content-Security-Policy",
                      "default-src 'none'; script-src 'self'; style-src 'self'; "
                      "connect-src 'self'; img-src 'self'; base-uri 'none'; form-action 'self'; "
                      "frame-ancestors 'none'");
    evhttp_add_header(h, "Referrer-Policy", "no-referrer");
    const char *key = c->w->srv->cfg.page_key, *slot = "data-key=\"\"";
    const char *at = key && strcmp(path, "/") == 0 ? memmem(a.data, a.len, slot, strlen(slot)) : NULL;
    if (!at) {
        reply(c, 200, a.ctype, a.data, a.len);
        return;
    }
    /* the page's key (--page-key), escaped into its data-key attribute */
    idx_buf b;
    idx_buf_init(&b);
    size_t head = (size_t)(at - a.data) + strlen("data-key=\"");
    idx_buf_append(&b, a.data, head);
    for (const char *k = key; *k; k++) {
        const char *e = *k == '&' ? "&amp;" : *k == '<' ? "&lt;" : *k == '>' ? "&gt;"
                      : *k == '"' ? "&quot;" : *k == '\'' ? "&#39;" : NULL;
        if (e) idx_buf_append(&b, e, strlen(e));
        else idx_buf_append(&b, k, 1);
    }
    idx_buf_append(&b, a.data + head, a.len - head);
    if (b.oom) reply_error(c, 500, "internal", "out of memory");
    else reply(c, 200, a.ctype, b.data, b.len);
    idx_buf_fini(&b);
}

static void handle_root(ctx *c)
{
    json_t *j = json_pack("{s:s, s:s, s:s, s:[s,s,s,s,s,s,s,s,s,s,s,s,s,s,s]}", "name", "idxd",
                          "description", "idx full-text search server for news archives",
                          "openapi", "/openapi.json", "endpoints", "GET / (the search page)",
                          "GET /search?q=", "GET /search/stream?q=", "GET /suggest?q=", "GET /docs/{id}",
                          "GET /docs/{id}/related", "GET /health", "GET /stats", "GET /metrics",
                          "POST /docs", "DELETE /docs/{id}", "GET /tasks/{n}", "GET /keys",
                          "GET /api", "GET /openapi.json");
    reply_json(c, 200, j);
    json_decref(j);
}

/* GET /openapi.json: the API described (query/openapi.json, embedded). */
static void handle_openapi(ctx *c)
{
    idxd_asset a;
    idxd_openapi(&a);
    reply(c, 200, a.ctype, a.data, a.len);
}

/* ---- writes ---- */

/* 1 when this server takes writes, else 0 after a 403 saying why not. */
static int writes_on(ctx *c)
{
    if (c->w->srv->writes) return 1;
    reply_error(c, 403, "read_only", "%s", c->w->srv->writes_off);
    return 0;
}

/* Answer a write request with task id: 202 with the task as it stands, or
 * with ?wait=1 park it until it is done. */
static void answer_task(ctx *c, uint64_t id, int wait)
{
    const idxd_config *cfg = &c->w->srv->cfg;
    char loc[48];
    snprintf(loc, sizeof loc, "/tasks/%llu", (unsigned long long)id);
    evhttp_add_header(evhttp_request_get_output_headers(c->req), "Location", loc);
    if (wait && c->w->stopped_at <= 0) { /* (a stopping worker answers at once) */
        /* at most 30 s from its arrival, inside the connection's own deadline */
        double limit = cfg->timeout_s * 0.8 < 30 ? cfg->timeout_s * 0.8 : 30;
        idxd_waiter wt = {c->req, id, c->t0, c->t0 + limit};
        if (idxd_api_answer_waiter(c->w, &wt, 0)) return; /* done already */
        if (idxd_worker_park(c->w, c->req, id, c->t0, wt.deadline) == 0) return;
    }
    idxd_waiter now = {c->req, id, c->t0, 0};
    idxd_api_answer_waiter(c->w, &now, 1);
}

int idxd_api_answer_waiter(idxd_worker *w, const idxd_waiter *wt, int force)
{
    ctx c = {.w = w, .req = wt->req, .t0 = wt->arrived, .route = ROUTE_WRITE};
    int done = 0;
    uint64_t commit = 0;
    json_t *t = idxd_writes_task(w->srv->writes, wt->task, &done, &commit);
    /* done, and in every worker's index: a search on any connection finds it */
    if (done && commit > idxd_server_seen(w->srv)) done = 0;
    if (!done && !force) {
        json_decref(t);
        return 0;
    }
    if (!t) /* cannot happen: the task was just given */
        reply_error(&c, 500, "internal", "task %llu is not known", (unsigned long long)wt->task);
    else
        reply_json(&c, done ? 200 : 202, t);
    json_decref(t);
    return 1;
}

/* Submit a record to the journal thread (a copy of data: the request's
 * buffers are not kept), answered when it is appended
 * (idxd_api_finish_write); the errors found at once answered now. */
static void submit(ctx *c, int type, const char *data, size_t n, int wait)
{
    idx_err err;
    idx_err_clear(&err);
    idxd_pending_write *p = calloc(1, sizeof *p);
    char *copy = p ? malloc(n ? n : 1) : NULL;
    if (!copy || idxd_worker_reserve_write(c->w) != 0) {
        free(copy);
        free(p);
        reply_error(c, 500, "internal", "out of memory");
        return;
    }
    memcpy(copy, data, n);
    p->data = copy;
    p->req = c->req;
    p->t0 = c->t0;
    p->wait = wait;
    p->a = (idxd_append){.type = type, .data = copy, .n = n,
                         .notify = idxd_worker_write_notify, .notify_arg = c->w};
    int full = 0;
    int rc = idxd_writes_submit_async(c->w->srv->writes, &p->a, &full, &err);
    if (!rc && !full) {
        idxd_worker_add_write(c->w, p);
        return;
    }
    free(copy);
    free(p);
    if (!rc && full) {
        evhttp_add_header(evhttp_request_get_output_headers(c->req), "Retry-After", "1");
        reply_error(c, 429, "queue_full",
                    "the writes waiting to be applied reach --max-queue (%zu bytes); retry after "
                    "Retry-After seconds",
                    c->w->srv->cfg.max_queue);
    } else if (rc == IDX_ETOOBIG) {
        reply_error(c, 413, "body_too_large", "%s", err.msg);
    } else {
        reply_idx_error(c, &err);
    }
}

void idxd_api_finish_write(idxd_worker *w, idxd_pending_write *p)
{
    ctx c = {.w = w, .req = p->req, .t0 = p->t0, .route = ROUTE_WRITE};
    if (p->a.rc == IDX_OK) {
        answer_task(&c, p->a.task, p->wait);
    } else {
        fprintf(stderr, "idxd: write refused (%s): %s\n", p->a.err.where, p->a.err.msg);
        evhttp_add_header(evhttp_request_get_output_headers(c.req), "Retry-After", "5");
        reply_error(&c, 503, "journal_unavailable", "the write was not stored: %s", p->a.err.msg);
    }
    free(p->data);
    free(p);
}

/* A write's parameters into *r: 1, or 0 after a 400, or a 403 when this
 * server takes no writes. */
static int write_request(ctx *c, const idx_form *f, idx_write_req *r)
{
    idx_err err;
    idx_err_clear(&err);
    if (idx_write_req_form(f, r, &err)) {
        reply_idx_error(c, &err);
        return 0;
    }
    return writes_on(c);
}

/* POST /docs: a body of JSON Lines (gzip too), journaled as one task. */
static void handle_post_docs(ctx *c, const idx_form *f)
{
    idx_write_req r;
    if (!write_request(c, f, &r)) return;
    idx_err err;
    idx_err_clear(&err);
    const idxd_config *cfg = &c->w->srv->cfg;
    struct evbuffer *in = evhttp_request_get_input_buffer(c->req);
    size_t n = evbuffer_get_length(in);
    if (n == 0) {
        reply_error(c, 400, "empty_body", "POST /docs wants a body of JSON Lines, one article a line");
        return;
    }
    const char *body = (const char *)evbuffer_pullup(in, -1);
    if (!body) {
        reply_error(c, 500, "internal", "out of memory");
        return;
    }
    const char *enc = evhttp_find_header(evhttp_request_get_input_headers(c->req), "Content-Encoding");
    char *plain = NULL;
    size_t plen = n;
    if (enc && strcasecmp(enc, "identity") != 0) {
        if (strcasecmp(enc, "gzip") != 0) {
            reply_error(c, 415, "unsupported_encoding",
                        "Content-Encoding %.40s is not supported (gzip or none)", enc);
            return;
        }
        if (idx_gunzip(body, n, cfg->max_docs_body, &plain, &plen, &err)) {
            if (err.rc == IDX_ETOOBIG)
                reply_error(c, 413, "body_too_large", "%s (--max-docs-body)", err.msg);
            else if (err.rc == IDX_EINVAL)
                reply_error(c, 400, "bad_body", "%s", err.msg);
            else
                reply_idx_error(c, &err);
            return;
        }
        body = plain;
    }
    if (plen > cfg->max_docs_body)
        reply_error(c, 413, "body_too_large", "request body is %zu bytes (max %zu, --max-docs-body)",
                    plen, cfg->max_docs_body);
    else
        submit(c, IDX_JREC_DOCS, body, plen, r.wait);
    free(plain);
}

/* DELETE /docs/ID: raw_id as in the path. */
static void handle_delete_doc(ctx *c, const char *raw_id, const idx_form *f)
{
    idx_write_req r;
    if (!write_request(c, f, &r)) return;
    idx_err err;
    idx_err_clear(&err);
    char *id = NULL;
    size_t idlen = 0;
    if (idx_url_decode(raw_id, strlen(raw_id), "article id", &id, &idlen, &err) != IDX_OK) {
        reply_idx_error(c, &err);
        return;
    }
    if (idlen == 0 || idlen > IDX_ARTICLE_MAX_ID || memchr(id, '\0', idlen))
        reply_error(c, 400, "bad_parameter", "an article id is 1 to %d bytes", IDX_ARTICLE_MAX_ID);
    else if (idx_utf8_check(id, idlen, "article id", &err) != IDX_OK)
        reply_idx_error(c, &err);
    else
        submit(c, IDX_JREC_DELETE, id, idlen, r.wait);
    free(id);
}

/* GET /tasks/N */
static void handle_task(ctx *c, const char *num, const idx_form *f)
{
    if (!no_params(c, f) || !writes_on(c)) return;
    unsigned long long id = 0;
    size_t k = 0;
    for (; num[k] >= '0' && num[k] <= '9' && k < 19; k++) id = id * 10 + (unsigned)(num[k] - '0');
    json_t *t = k > 0 && num[k] == '\0' ? idxd_writes_task(c->w->srv->writes, id, NULL, NULL) : NULL;
    if (!t)
        reply_error(c, 404, "not_found",
                    "no task %.30s (tasks are numbered from 1; the last %d are kept)", num,
                    IDXD_TASKS_KEPT);
    else
        reply_json(c, 200, t);
    json_decref(t);
}

/* GET /keys: names and roles, never secrets. */
static void handle_keys(ctx *c)
{
    const idx_keys *k = atomic_load(&c->w->srv->keys);
    json_t *list = json_array();
    for (size_t i = 0; k && list && i < idx_keys_count(k); i++) {
        int role = 0;
        const char *name = idx_keys_name(k, i, &role);
        json_array_append_new(list, json_pack("{s:s, s:s}", "name", name, "role",
                                              role == IDX_ROLE_ADMIN ? "admin" : "search"));
    }
    json_t *j = json_pack("{s:o}", "keys", list);
    reply_json(c, 200, j);
    json_decref(j);
}

/* ---- keys ---- */

/* Which role a route needs: 0 (open), IDX_ROLE_SEARCH or IDX_ROLE_ADMIN. */
static int route_role(int route)
{
    switch (route) {
    case ROUTE_HEALTH:
    case ROUTE_PAGE: return 0;
    case ROUTE_STATS:
    case ROUTE_METRICS:
    case ROUTE_WRITE:
    case ROUTE_TASKS:
    case ROUTE_KEYS: return IDX_ROLE_ADMIN;
    default: return IDX_ROLE_SEARCH;
    }
}

static void reply_unauthorized(ctx *c, const char *code, const char *msg)
{
    evhttp_add_header(evhttp_request_get_output_headers(c->req), "WWW-Authenticate",
                      "Bearer realm=\"idxd\"");
    reply_error(c, 401, code, "%s", msg);
}

/* 1 when the request may go on (c->scope set for a scoped key), else 0
 * after a 401 or 403. */
static int authorize(ctx *c)
{
    const idxd_config *cfg = &c->w->srv->cfg;
    int need = route_role(c->route);
    const idx_keys *keys = atomic_load(&c->w->srv->keys);
    if (!keys || need == 0) return 1;
    const char *h = evhttp_find_header(evhttp_request_get_input_headers(c->req), "Authorization");
    if (!h) {
        if (need == IDX_ROLE_SEARCH && cfg->public_search) return 1;
        reply_unauthorized(c, "missing_key",
                           "this route needs an API key: send Authorization: Bearer KEY");
        return 0;
    }
    if (strncasecmp(h, "Bearer ", 7) != 0) {
        reply_unauthorized(c, "bad_authorization", "the Authorization header must be Bearer KEY");
        return 0;
    }
    const char *key = h + 7;
    while (*key == ' ') key++;
    idx_key_auth a;
    memset(&a, 0, sizeof a);
    idx_err err;
    idx_err_clear(&err);
    int rc = idx_keys_check(keys, key, strlen(key), (long long)time(NULL), &a, &err);
    if (rc == IDX_ENOTFOUND) {
        reply_unauthorized(c, "unknown_key", "the API key is not known to this server");
        return 0;
    }
    if (rc == IDX_EINVAL) {
        reply_unauthorized(c, "invalid_key", err.msg);
        return 0;
    }
    if (rc) {
        reply_idx_error(c, &err);
        return 0;
    }
    if (a.role < need) {
        reply_error(c, 403, "forbidden", "this route needs an admin key; '%s' is a search key",
                    a.name ? a.name : "?");
        free(a.filter);
        return 0;
    }
    c->scope = a.filter;
    c->expires = a.expires;
    c->key = key;
    c->keys = keys;
    return 1;
}

static void handle(ctx *c, int refuse)
{
    struct evhttp_request *req = c->req;
    const idxd_config *cfg = &c->w->srv->cfg;
    const struct evhttp_uri *uri = evhttp_request_get_evhttp_uri(req);
    const char *path = uri ? evhttp_uri_get_path(uri) : NULL;
    const char *query = uri ? evhttp_uri_get_query(uri) : NULL;
    if (!path || !*path) path = "/";
    enum evhttp_cmd_type m = evhttp_request_get_command(req);
    c->head = m == EVHTTP_REQ_HEAD;

    /* the methods a path takes: GET and HEAD, and the writes' own */
    const char *allow = "GET, HEAD";
    if (strcmp(path, "/search") == 0) c->route = ROUTE_SEARCH;
    else if (strcmp(path, "/search/stream") == 0) c->route = ROUTE_STREAM;
    else if (strcmp(path, "/docs") == 0) {
        c->route = ROUTE_WRITE;
        allow = "POST";
    } else if (strncmp(path, "/docs/", 6) == 0) {
        c->route = m == EVHTTP_REQ_DELETE ? ROUTE_WRITE : ROUTE_DOCS;
        allow = "GET, HEAD, DELETE";
    } else if (strncmp(path, "/tasks/", 7) == 0) c->route = ROUTE_TASKS;
    else if (strcmp(path, "/keys") == 0) c->route = ROUTE_KEYS;
    else if (strcmp(path, "/health") == 0) c->route = ROUTE_HEALTH;
    else if (strcmp(path, "/stats") == 0) c->route = ROUTE_STATS;
    else if (strcmp(path, "/metrics") == 0) c->route = ROUTE_METRICS;
    else if (strcmp(path, "/suggest") == 0) c->route = ROUTE_SUGGEST;
    else if (strcmp(path, "/api") == 0 || strcmp(path, "/openapi.json") == 0) c->route = ROUTE_ROOT;
    else if (idxd_web_asset(path, NULL)) c->route = ROUTE_PAGE;

    if (refuse) { /* stopping: answer, and close the connection */
        evhttp_add_header(evhttp_request_get_output_headers(req), "Connection", "close");
        reply_error(c, 503, "shutting_down", "idxd is shutting down; retry on another server");
        return;
    }
    if (m == EVHTTP_REQ_OPTIONS && cfg->cors_origin) { /* CORS preflight */
        struct evkeyvalq *h = evhttp_request_get_output_headers(req);
        evhttp_add_header(h, "Access-Control-Allow-Methods", "GET, HEAD, POST, DELETE, OPTIONS");
        evhttp_add_header(h, "Access-Control-Allow-Headers",
                          "Content-Type, Content-Encoding, Authorization");
        evhttp_add_header(h, "Access-Control-Max-Age", "86400");
        reply(c, 204, NULL, NULL, 0);
        return;
    }
    int is_write = c->route == ROUTE_WRITE;
    int method_ok = !is_write ? (m == EVHTTP_REQ_GET || m == EVHTTP_REQ_HEAD)
                    : strcmp(path, "/docs") == 0 ? m == EVHTTP_REQ_POST
                                                 : m == EVHTTP_REQ_DELETE;
    if (!method_ok) {
        struct evkeyvalq *h = evhttp_request_get_output_headers(req);
        char allowed[64];
        snprintf(allowed, sizeof allowed, "%s%s", allow, cfg->cors_origin ? ", OPTIONS" : "");
        evhttp_add_header(h, "Allow", allowed);
        /* libevent sends no Content-Length for CONNECT; close so the reply is framed */
        if (m == EVHTTP_REQ_CONNECT) evhttp_add_header(h, "Connection", "close");
        reply_error(c, 405, "method_not_allowed", "%s is not allowed here; use %s", method_name(m),
                    allow);
        return;
    }
    size_t body = evbuffer_get_length(evhttp_request_get_input_buffer(req));
    size_t cap = is_write && m == EVHTTP_REQ_POST ? cfg->max_docs_body : cfg->max_body;
    if (body > cap) {
        reply_error(c, 413, "body_too_large", "request body is %zu bytes (max %zu)", body, cap);
        return;
    }
    if (c->route == ROUTE_OTHER) {
        reply_error(c, 404, "not_found", "no such endpoint (try GET /search?q=...)");
        return;
    }
    if (c->route == ROUTE_PAGE) { /* its query string is the page's state: app.js reads it */
        handle_asset(c, path);
        return;
    }
    if (!authorize(c)) return;
    idx_form f;
    idx_err err;
    idx_err_clear(&err);
    if (idx_form_parse(query, query ? strlen(query) : 0, &f, &err) != IDX_OK) {
        idx_form_fini(&f);
        if (err.rc == IDX_ETOOBIG) err.rc = IDX_EINVAL;
        reply_idx_error(c, &err);
        return;
    }
    switch (c->route) {
    case ROUTE_SEARCH: handle_search(c, &f, query); break;
    case ROUTE_STREAM: handle_stream(c, &f, query); break;
    case ROUTE_DOCS: handle_doc(c, path + 6, &f); break;
    case ROUTE_WRITE:
        if (m == EVHTTP_REQ_POST) handle_post_docs(c, &f);
        else handle_delete_doc(c, path + 6, &f);
        break;
    case ROUTE_TASKS: handle_task(c, path + 7, &f); break;
    case ROUTE_KEYS: if (no_params(c, &f)) handle_keys(c); break;
    case ROUTE_SUGGEST: handle_suggest(c, &f); break;
    case ROUTE_HEALTH: if (no_params(c, &f)) handle_health(c); break;
    case ROUTE_STATS: if (no_params(c, &f)) handle_stats(c); break;
    case ROUTE_METRICS: if (no_params(c, &f)) handle_metrics(c); break;
    default:
        if (!no_params(c, &f)) break;
        if (strcmp(path, "/openapi.json") == 0) handle_openapi(c);
        else handle_root(c);
        break;
    }
    idx_form_fini(&f);
}

void idxd_api_handle(idxd_worker *w, struct evhttp_request *req, double arrived, int refuse)
{
    ctx c = {.w = w, .req = req, .t0 = arrived, .route = ROUTE_OTHER};
    handle(&c, refuse);
    free(c.scope);
}
