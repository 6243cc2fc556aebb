/* api.c - idxd's HTTP routes.
 *
 *   GET /search            ranked search with highlighted snippets (search.h)
 *   GET /suggest           as-you-type title suggestions (discover.h)
 *   GET /docs/ID           the stored article
 *   GET /docs/ID/related   related articles, reprints left out (discover.h)
 *   GET /health            200 when the index is open, else 503
 *   GET /stats             documents, revision, last update, uptime
 *   GET /metrics           Prometheus text (metrics.h)
 *   GET /api               what this server is and its routes
 *   GET /, /app.js, ...    the search page (web.h)
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

#include "cache.h"
#include "discover.h"
#include "document.h"
#include "form.h"
#include "idxd.h"
#include "metrics.h"
#include "request.h"
#include "search.h"
#include "utf8.h"
#include "web.h"

typedef struct ctx {
    idxd_worker *w;
    struct evhttp_request *req;
    double t0;
    int route;
    int head;
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
    char line[768], uri[400];
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
    int n = snprintf(line, sizeof line, "%s %s %s %s %d %zu %lluus\n", ts, peer ? peer : "-",
                     method_name(evhttp_request_get_command(c->req)), uri, status, bytes,
                     (unsigned long long)us);
    if (n > (int)sizeof line - 1) n = (int)sizeof line - 1;
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
        {200, "OK"}, {204, "No Content"}, {400, "Bad Request"}, {404, "Not Found"},
        {405, "Method Not Allowed"}, {413, "Payload Too Large"},
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

/* GET /search.  query is the request's query string as sent: the key of
 * the worker's answer cache (cache.h), tried first. */
static void handle_search(ctx *c, const idx_form *f, const char *query)
{
    size_t qslen = query ? strlen(query) : 0;
    int cacheable = c->w->db && !idx_db_has_remote(c->w->db);
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
    r.synonyms = c->w->srv->cfg.synonyms;
    r.budget_ms = c->w->srv->cfg.budget_ms;
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
    int rc = idx_uid_term(id, idlen, &uid, &err);
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
                     .cache_max_bytes = cmax};
    idx_db_stats st;
    idx_err err;
    idx_err_clear(&err);
    if (idxd_worker_ensure_db(c->w) == 0 && idx_db_get_stats(c->w->db, &st, &err) == IDX_OK) {
        g.documents = st.documents;
        g.revision = st.revision;
        g.index_up = 1;
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
    if (idx_suggest_json(c->w->db, &c->w->schema, r.q, r.qlen, r.limit, &out, &err) != IDX_OK) {
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
    int rc = idx_related_json(c->w->db, id, idlen, r.limit, &out, &err);
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
    reply(c, 200, a.ctype, a.data, a.len);
}

static void handle_root(ctx *c)
{
    json_t *j = json_pack("{s:s, s:s, s:[s,s,s,s,s,s,s,s]}", "name", "idxd", "description",
                          "idx full-text search server for news archives", "endpoints",
                          "GET / (the search page)", "GET /search?q=", "GET /suggest?q=",
                          "GET /docs/{id}", "GET /docs/{id}/related", "GET /health",
                          "GET /stats", "GET /metrics");
    reply_json(c, 200, j);
    json_decref(j);
}

void idxd_api_handle(idxd_worker *w, struct evhttp_request *req, double arrived, int refuse)
{
    ctx c = {.w = w, .req = req, .t0 = arrived, .route = ROUTE_OTHER};
    const idxd_config *cfg = &c.w->srv->cfg;
    const struct evhttp_uri *uri = evhttp_request_get_evhttp_uri(req);
    const char *path = uri ? evhttp_uri_get_path(uri) : NULL;
    const char *query = uri ? evhttp_uri_get_query(uri) : NULL;
    if (!path || !*path) path = "/";

    if (strcmp(path, "/search") == 0) c.route = ROUTE_SEARCH;
    else if (strncmp(path, "/docs/", 6) == 0) c.route = ROUTE_DOCS;
    else if (strcmp(path, "/health") == 0) c.route = ROUTE_HEALTH;
    else if (strcmp(path, "/stats") == 0) c.route = ROUTE_STATS;
    else if (strcmp(path, "/metrics") == 0) c.route = ROUTE_METRICS;
    else if (strcmp(path, "/suggest") == 0) c.route = ROUTE_SUGGEST;
    else if (strcmp(path, "/api") == 0) c.route = ROUTE_ROOT;
    else if (idxd_web_asset(path, NULL)) c.route = ROUTE_PAGE;

    enum evhttp_cmd_type m = evhttp_request_get_command(req);
    c.head = m == EVHTTP_REQ_HEAD;
    if (refuse) { /* stopping: answer, and close the connection */
        evhttp_add_header(evhttp_request_get_output_headers(req), "Connection", "close");
        reply_error(&c, 503, "shutting_down", "idxd is shutting down; retry on another server");
        return;
    }
    if (m == EVHTTP_REQ_OPTIONS && cfg->cors_origin) { /* CORS preflight */
        struct evkeyvalq *h = evhttp_request_get_output_headers(req);
        evhttp_add_header(h, "Access-Control-Allow-Methods", "GET, HEAD, OPTIONS");
        evhttp_add_header(h, "Access-Control-Allow-Headers", "Content-Type");
        evhttp_add_header(h, "Access-Control-Max-Age", "86400");
        reply(&c, 204, NULL, NULL, 0);
        return;
    }
    if (m != EVHTTP_REQ_GET && m != EVHTTP_REQ_HEAD) {
        struct evkeyvalq *h = evhttp_request_get_output_headers(req);
        evhttp_add_header(h, "Allow", cfg->cors_origin ? "GET, HEAD, OPTIONS" : "GET, HEAD");
        /* libevent sends no Content-Length for CONNECT; close so the reply is framed */
        if (m == EVHTTP_REQ_CONNECT) evhttp_add_header(h, "Connection", "close");
        reply_error(&c, 405, "method_not_allowed", "%s is not allowed here; use GET",
                    method_name(m));
        return;
    }
    size_t body = evbuffer_get_length(evhttp_request_get_input_buffer(req));
    if (body > cfg->max_body) {
        reply_error(&c, 413, "body_too_large", "request body is %zu bytes (max %zu)", body,
                    cfg->max_body);
        return;
    }
    if (c.route == ROUTE_OTHER) {
        reply_error(&c, 404, "not_found", "no such endpoint (try GET /search?q=...)");
        return;
    }
    if (c.route == ROUTE_PAGE) { /* its query string is the page's state: app.js reads it */
        handle_asset(&c, path);
        return;
    }
    idx_form f;
    idx_err err;
    idx_err_clear(&err);
    if (idx_form_parse(query, query ? strlen(query) : 0, &f, &err) != IDX_OK) {
        idx_form_fini(&f);
        if (err.rc == IDX_ETOOBIG) err.rc = IDX_EINVAL;
        reply_idx_error(&c, &err);
        return;
    }
    switch (c.route) {
    case ROUTE_SEARCH: handle_search(&c, &f, query); break;
    case ROUTE_DOCS: handle_doc(&c, path + 6, &f); break;
    case ROUTE_SUGGEST: handle_suggest(&c, &f); break;
    case ROUTE_HEALTH: if (no_params(&c, &f)) handle_health(&c); break;
    case ROUTE_STATS: if (no_params(&c, &f)) handle_stats(&c); break;
    case ROUTE_METRICS: if (no_params(&c, &f)) handle_metrics(&c); break;
    default: if (no_params(&c, &f)) handle_root(&c); break;
    }
    idx_form_fini(&f);
}
