/* worker.c - one idxd worker thread: event base, evhttp, index handle.
 *
 * Every worker accepts on its own dup() of the one listening socket, so an
 * idle worker picks up the next connection.  A 200 ms tick reopens the index
 * (a commit by `idx add` is served within that tick; a read that races a
 * commit is retried once by xap.cc) and sweeps the connection list.
 *
 * Connection cap: libevent 2.1's evhttp has no connection limit, so the
 * worker makes each connection's bufferevent itself (evhttp_set_bevcb),
 * counts it and holds one extra reference to it.  A connection that has
 * sent a request gets a close callback (api.c registers it) that drops our
 * reference and the count at once.  One that closes before any request is
 * caught by the tick: evhttp_connection_free() sends FIN and
 * bufferevent_free()s it, which clears all of its callbacks, so the tick
 * drops our reference to any bufferevent whose callbacks are gone.  At
 * cfg.max_conns open connections a worker stops accepting (new clients wait
 * in the listen backlog) until the count falls again; workers accepting at
 * the same instant can overshoot by threads - 1.  When accept() fails for
 * want of file descriptors the worker also pauses until the next tick,
 * instead of spinning on a listening socket that stays readable.
 *
 * Each connection's input is capped (read high-water mark) at what one
 * request may hold, so a client that pipelines requests without reading
 * the replies cannot make idxd buffer without bound.
 *
 * Request deadline: libevent's timeout is per read, so a client trickling a
 * byte every second would hold its connection for ever (slowloris).  Each
 * connection therefore owes a complete request within cfg.timeout_s of
 * connecting or of its previous reply being sent; the tick shuts down the
 * socket of one that is late (evhttp then sees EOF and frees it) and counts
 * it in /metrics.  A connection with reply bytes still unsent is not late.
 *
 * Memory: every 5 s worker 0 calls malloc_trim(0), which hands the free pages
 * inside glibc's heaps back to the system.  Without it, the buffers of a
 * burst of connections stay resident after they are freed (scattered between
 * live blocks, so the heap top cannot shrink), and resident memory drifts up
 * and down by megabytes with the connection churn, hiding a real leak.
 *
 * Graceful stop: the main thread activates stop_ev; the worker removes its
 * listener, answers any further request on an open keep-alive connection
 * with 503 and "Connection: close" (api.c), and every 20 ms checks whether a
 * live connection still has reply bytes waiting to be sent; when none has (or
 * after grace_s) it leaves its loop and idxd_worker_join closes the idle
 * connections and frees the rest.  Replies are written synchronously into the
 * connection's output buffer, so "nothing left in any output buffer" means
 * every request that was read has been answered.
 */
#include <errno.h>
#include <malloc.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/listener.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "cache.h"
#include "idxd.h"
#include "metrics.h"
#include "document.h"
#include "search.h"

#define TRIM_EVERY_S 5.0

double idxd_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

double idxd_wall(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

int idxd_worker_ensure_db(idxd_worker *w)
{
    if (w->db) return 0;
    idx_err err;
    idx_err_clear(&err);
    idx_db *db = NULL;
    if (idx_db_open(w->srv->cfg.db, IDX_DB_READ, &db, &err) != IDX_OK) {
        snprintf(w->db_error, sizeof w->db_error, "cannot open index %.300s: %.500s", w->srv->cfg.db,
                 err.msg);
        return -1;
    }
    idx_schema sc;
    if (idx_schema_read(db, &sc, &err) != IDX_OK) {
        snprintf(w->db_error, sizeof w->db_error, "cannot read index %.300s: %.500s", w->srv->cfg.db,
                 err.msg);
        idx_db_close(db);
        return -1;
    }
    w->db = db;
    w->schema = sc;
    w->db_error[0] = '\0';
    idx_db_stats st; /* the revision the cache's answers will be made at */
    if (idx_db_get_stats(db, &st, &err) == IDX_OK) idxd_cache_revision(w->cache, st.revision);
    else idxd_cache_clear(w->cache);
    return 0;
}

static void set_accepting(idxd_worker *w, int on)
{
    if (!w->bound) return;
    struct evconnlistener *l = evhttp_bound_socket_get_listener(w->bound);
    if (on)
        evconnlistener_enable(l);
    else
        evconnlistener_disable(l);
    w->paused = !on;
}

/* Drop our reference to connections evhttp has freed. */
static void sweep(idxd_worker *w)
{
    size_t k = 0;
    for (size_t i = 0; i < w->nconns; i++) {
        struct bufferevent *bev = w->conns[i].bev;
        bufferevent_data_cb rcb, wcb;
        bufferevent_event_cb ecb;
        void *arg;
        bufferevent_getcb(bev, &rcb, &wcb, &ecb, &arg);
        if (!rcb && !wcb && !ecb && !arg) {
            bufferevent_decref(bev);
            atomic_fetch_sub(&w->srv->conns, 1);
        } else {
            w->conns[k++] = w->conns[i];
        }
    }
    w->nconns = k;
    long open = atomic_load(&w->srv->conns);
    if (w->paused && !w->draining && open < w->srv->cfg.max_conns)
        set_accepting(w, 1);
    else if (!w->paused && open >= w->srv->cfg.max_conns)
        set_accepting(w, 0); /* another worker reached the cap */
}

static struct bufferevent *new_bev(struct event_base *base, void *arg)
{
    idxd_worker *w = arg;
    if (w->nconns == w->capconns) {
        size_t cap = w->capconns ? w->capconns * 2 : 64;
        idxd_conn *v = realloc(w->conns, cap * sizeof *v);
        if (!v) return NULL; /* libevent makes its own: served, not counted */
        w->conns = v;
        w->capconns = cap;
    }
    struct bufferevent *bev = bufferevent_socket_new(base, -1, BEV_OPT_CLOSE_ON_FREE);
    if (!bev) return NULL;
    const idxd_config *c = &w->srv->cfg;
    bufferevent_setwatermark(bev, EV_READ, 0, c->max_headers + 16 * c->max_body + 4096);
    bufferevent_incref(bev);
    w->conns[w->nconns].bev = bev;
    w->conns[w->nconns++].since = idxd_now();
    long open = atomic_fetch_add(&w->srv->conns, 1) + 1;
    long peak = atomic_load(&w->srv->conns_peak);
    while (open > peak && !atomic_compare_exchange_weak(&w->srv->conns_peak, &peak, open)) {
    }
    if (open >= w->srv->cfg.max_conns) {
        sweep(w); /* closed ones may not be counted off yet */
        if (atomic_load(&w->srv->conns) >= w->srv->cfg.max_conns) set_accepting(w, 0);
    }
    return bev;
}

static void conn_closed(struct evhttp_connection *conn, void *arg)
{
    idxd_worker *w = arg;
    struct bufferevent *bev = evhttp_connection_get_bufferevent(conn);
    for (size_t i = 0; i < w->nconns; i++) {
        if (w->conns[i].bev != bev) continue;
        w->conns[i] = w->conns[--w->nconns];
        bufferevent_decref(bev); /* evhttp still holds its own reference */
        atomic_fetch_sub(&w->srv->conns, 1);
        break;
    }
}

void idxd_worker_conn_request(idxd_worker *w, struct evhttp_connection *conn)
{
    evhttp_connection_set_closecb(conn, conn_closed, w);
    struct bufferevent *bev = evhttp_connection_get_bufferevent(conn);
    for (size_t i = 0; i < w->nconns; i++) {
        if (w->conns[i].bev != bev) continue;
        w->conns[i].since = idxd_now();
        break;
    }
}

/* Shut down connections late with a complete request (see the top). */
static void expire(idxd_worker *w)
{
    double now = idxd_now();
    for (size_t i = 0; i < w->nconns; i++) {
        idxd_conn *c = &w->conns[i];
        if (evbuffer_get_length(bufferevent_get_output(c->bev)) > 0) {
            c->since = now; /* still sending a reply: its clock starts after */
            continue;
        }
        if (now - c->since <= w->srv->cfg.timeout_s) continue;
        evutil_socket_t fd = bufferevent_getfd(c->bev);
        if (fd >= 0) shutdown(fd, SHUT_RDWR);
        c->since = now + 1e9; /* once; the sweep drops it when evhttp frees it */
        idxd_metrics_conn_expired();
    }
}

static void on_accept_error(struct evconnlistener *l, void *arg)
{
    (void)l;
    idxd_worker *w = arg;
    int e = EVUTIL_SOCKET_ERROR();
    if (e == EMFILE || e == ENFILE || e == ENOBUFS || e == ENOMEM) {
        set_accepting(w, 0); /* the tick tries again */
        double now = idxd_now();
        if (now - w->last_accept_warning > 10) {
            w->last_accept_warning = now;
            fprintf(stderr, "idxd: accept: %s; pausing accepts (raise ulimit -n or lower "
                            "--max-connections)\n", strerror(e));
        }
    }
}

static void on_tick(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    idxd_worker *w = arg;
    sweep(w);
    expire(w);
    if (w->id == 0 && idxd_now() - w->last_trim >= TRIM_EVERY_S) {
        w->last_trim = idxd_now();
        malloc_trim(0);
    }
    if (!w->db) {
        idxd_worker_ensure_db(w);
        return;
    }
    idx_err err;
    idx_err_clear(&err);
    idx_schema sc;
    idx_db_stats st;
    if (idx_db_reopen(w->db, &err) == IDX_OK && idx_schema_read(w->db, &sc, &err) == IDX_OK &&
        idx_db_get_stats(w->db, &st, &err) == IDX_OK) {
        w->schema = sc; /* a database created after idxd started records it late */
        idxd_cache_revision(w->cache, st.revision); /* a commit empties the cache */
        return;
    }
    {
        /* the index went away or broke: close it, reopen on the next tick */
        idxd_cache_clear(w->cache);
        snprintf(w->db_error, sizeof w->db_error, "index %.300s: %.500s", w->srv->cfg.db, err.msg);
        idx_db_close(w->db);
        w->db = NULL;
    }
}

/* Does a live connection still have reply bytes to send? */
static int output_pending(idxd_worker *w)
{
    sweep(w);
    for (size_t i = 0; i < w->nconns; i++)
        if (evbuffer_get_length(bufferevent_get_output(w->conns[i].bev)) > 0) return 1;
    return 0;
}

static void on_drain(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    idxd_worker *w = arg;
    if (!output_pending(w) || idxd_now() >= w->drain_deadline) event_base_loopexit(w->base, NULL);
}

static void on_stop(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    idxd_worker *w = arg;
    if (w->draining) return;
    w->draining = 1;
    w->drain_deadline = idxd_now() + w->srv->cfg.grace_s;
    if (w->bound) {
        evhttp_del_accept_socket(w->http, w->bound);
        w->bound = NULL;
    }
    struct timeval every = {0, 20000};
    if (!output_pending(w) || !(w->drain = event_new(w->base, -1, EV_PERSIST, on_drain, w)) ||
        event_add(w->drain, &every) < 0)
        event_base_loopexit(w->base, NULL);
}

static void *run(void *arg)
{
    idxd_worker *w = arg;
    event_base_dispatch(w->base);
    return NULL;
}

int idxd_worker_start(idxd_worker *w)
{
    const idxd_config *c = &w->srv->cfg;
    if (!(w->cache = idxd_cache_new((size_t)c->cache_entries))) {
        fprintf(stderr, "idxd: out of memory for the answer cache\n");
        return -1;
    }
    w->base = event_base_new();
    if (!w->base || !(w->http = evhttp_new(w->base))) {
        fprintf(stderr, "idxd: cannot create an event base\n");
        return -1;
    }
    evhttp_set_allowed_methods(w->http, EVHTTP_REQ_GET | EVHTTP_REQ_POST | EVHTTP_REQ_HEAD |
                                            EVHTTP_REQ_PUT | EVHTTP_REQ_DELETE |
                                            EVHTTP_REQ_OPTIONS | EVHTTP_REQ_TRACE |
                                            EVHTTP_REQ_CONNECT | EVHTTP_REQ_PATCH);
    evhttp_set_max_headers_size(w->http, (ev_ssize_t)c->max_headers);
    /* bodies up to 16x the cap are read and refused with a JSON 413 by
     * api.c; anything larger gets libevent's own 413 without being read */
    evhttp_set_max_body_size(w->http, (ev_ssize_t)(c->max_body * 16));
    struct timeval tv = {c->timeout_s, 0};
    evhttp_set_timeout_tv(w->http, &tv);
    evhttp_set_bevcb(w->http, new_bev, w);
    evhttp_set_gencb(w->http, idxd_api_handle, w);
    int fd = dup(w->srv->listen_fd);
    if (fd < 0 || evutil_make_socket_nonblocking(fd) < 0 ||
        !(w->bound = evhttp_accept_socket_with_handle(w->http, fd))) {
        fprintf(stderr, "idxd: cannot listen: %s\n", strerror(errno));
        if (fd >= 0) close(fd);
        return -1;
    }
    evconnlistener_set_error_cb(evhttp_bound_socket_get_listener(w->bound), on_accept_error);
    w->tick = event_new(w->base, -1, EV_PERSIST, on_tick, w);
    w->stop_ev = event_new(w->base, -1, 0, on_stop, w);
    struct timeval every = {0, 200000};
    if (!w->tick || !w->stop_ev || event_add(w->tick, &every) < 0) {
        fprintf(stderr, "idxd: out of memory\n");
        return -1;
    }
    if (idxd_worker_ensure_db(w) != 0 && w->id == 0)
        fprintf(stderr, "idxd: warning: %s; answering 503 until it can be opened\n", w->db_error);
    if (pthread_create(&w->thread, NULL, run, w) != 0) {
        fprintf(stderr, "idxd: cannot start a worker thread\n");
        return -1;
    }
    return 0;
}

void idxd_worker_stop(idxd_worker *w)
{
    if (w->stop_ev) event_active(w->stop_ev, EV_READ, 0);
}

void idxd_worker_join(idxd_worker *w)
{
    if (w->thread) pthread_join(w->thread, NULL);
    if (w->http) evhttp_free(w->http); /* closes the connections left */
    for (size_t i = 0; i < w->nconns; i++) bufferevent_decref(w->conns[i].bev);
    free(w->conns);
    if (w->tick) event_free(w->tick);
    if (w->stop_ev) event_free(w->stop_ev);
    if (w->drain) event_free(w->drain);
    if (w->base) event_base_free(w->base);
    idx_db_close(w->db);
    idxd_cache_free(w->cache);
    memset(w, 0, sizeof *w);
}
