/* worker.c - one idxd worker thread: event base, evhttp, index handle.
 *
 * Every worker accepts on its own listening socket, all bound to one address
 * with SO_REUSEPORT, so the kernel spreads new connections evenly over the
 * workers (on one shared socket, connections opened together mostly landed
 * on one worker while the other idled).  A 200 ms tick reopens the index
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
 * Fairness: evhttp hands a worker each complete request (on_request); the
 * worker queues it and answers one at a time from a lower-priority event
 * re-armed as a zero timeout after each answer: every loop pass reads
 * whatever the sockets have before a request is picked, so the queue sees
 * every request that is waiting.  A lower priority is skipped in any pass
 * with a socket event, so sockets that are always busy (clients trickling
 * bytes) could hold the queue back: when its oldest request has waited
 * STARVE_S, the next socket event or 200 ms tick answers one itself.  The
 * next one answered is that of the connection whose requests have cost
 * least lately (the seconds they took, halving every COST_HALF_LIFE_S), ties
 * in arrival order.  With --budget bounding every
 * search, a cheap request waits at most for the request being answered when
 * it came, however many expensive ones other clients keep sending.
 *
 * Memory: every 5 s worker 0 calls malloc_trim(0), which hands the free pages
 * inside glibc's heaps back to the system.  Without it, the buffers of a
 * burst of connections stay resident after they are freed (scattered between
 * live blocks, so the heap top cannot shrink), and resident memory drifts up
 * and down by megabytes with the connection churn, hiding a real leak.
 *
 * Writes (writes.h): after each commit the writer thread makes every
 * worker's `wake` event active; the worker reopens the index at once and
 * answers the ?wait=1 write requests parked on it (api.c) whose tasks are
 * done.  The tick answers those past their deadline with the task as it
 * stands (202), and a stop answers all of them so.
 *
 * Graceful stop: the main thread activates stop_ev.  The worker accepts the
 * connections its accept queue holds at that moment (TCP_INFO's count of a
 * listening socket), so that they get an answer instead of a reset, and then
 * closes its listening socket (clients that connect later are refused and try
 * another server; keep-alive clients that reconnect after each 503 are not
 * served for the whole grace period): every request that arrives after the
 * stop is answered 503 shutting_down with "Connection: close" (api.c); requests read
 * before it are still answered while there is time for one more search
 * within grace_s, else they get the 503 too.  Every 20 ms it checks whether
 * anything is left to do: a request waiting, a reply with bytes unsent, or a
 * connection accepted in the last QUIET_S; when nothing is (or after
 * grace_s, with a little more to flush the last 503s) it leaves its loop and
 * idxd_worker_join closes the idle connections and frees the rest.
 */
#include <errno.h>
#include <malloc.h>
#include <math.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/listener.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "cache.h"
#include "idxd.h"
#include "stream.h"
#include "metrics.h"
#include "document.h"
#include "search.h"
#include "writes.h"

#define TRIM_EVERY_S 5.0
#define COST_HALF_LIFE_S 2.0
#define STARVE_S 0.5 /* a queued request waits no longer for busy sockets */
#define QUIET_S 0.1  /* a stop waits this long after the last accept */
#define FLUSH_S 0.5  /* and past the grace, this long for the last replies to go out */

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
    if (idx_db_get_stats(db, &st, &err) == IDX_OK)
        idxd_cache_revision(w->cache, st.revision, st.identity);
    else idxd_cache_clear(w->cache);
    idxd_worker_cache_changed(w);
    return 0;
}

void idxd_worker_cache_changed(idxd_worker *w)
{
    idxd_cache_stats st;
    idxd_cache_counts(w->cache, &st);
    atomic_store(&w->cache_bytes, st.bytes);
}

void idxd_server_cache_bytes(idxd_server *s, size_t *bytes, size_t *max_bytes)
{
    *bytes = 0;
    for (int i = 0; i < s->cfg.threads; i++) *bytes += atomic_load(&s->workers[i].cache_bytes);
    *max_bytes = s->cfg.cache_entries > 0 ? s->cfg.cache_bytes : 0;
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
    size_t body = 16 * c->max_body;
    if (w->srv->writes && c->max_docs_body > body) body = c->max_docs_body;
    bufferevent_setwatermark(bev, EV_READ, 0, c->max_headers + body + 4096);
    bufferevent_incref(bev);
    w->last_accept = idx_clock();
    if (w->draining && --w->stop_queue <= 0) set_accepting(w, 0); /* the queue is taken */
    /* at the cap, closed ones may not be counted off yet: sweep before the
     * new one joins the list (evhttp sets its callbacks after this returns,
     * and a bufferevent without callbacks is what sweep takes for one
     * evhttp freed) */
    if (atomic_load(&w->srv->conns) + 1 >= w->srv->cfg.max_conns && !w->draining) sweep(w);
    w->conns[w->nconns] = (idxd_conn){.bev = bev, .since = w->last_accept};
    w->nconns++;
    long open = atomic_fetch_add(&w->srv->conns, 1) + 1;
    long peak = atomic_load(&w->srv->conns_peak);
    while (open > peak && !atomic_compare_exchange_weak(&w->srv->conns_peak, &peak, open)) {
    }
    /* (the queue at a stop is taken whole) */
    if (open >= w->srv->cfg.max_conns && !w->draining) set_accepting(w, 0);
    return bev;
}

void idxd_worker_conn_closed(struct evhttp_connection *conn, void *arg)
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

/* Answer the next waiting request on a later pass of the loop: run_ev as a
 * zero timeout, not an active event, because an event made active from its
 * own callback runs again at once, without the sockets being polled (the
 * requests of connections that wait unread would not be seen). */
static void next_turn(idxd_worker *w)
{
    static const struct timeval now = {0, 0};
    if (!event_pending(w->run_ev, EV_TIMEOUT, NULL)) event_add(w->run_ev, &now);
}

static idxd_conn *find_conn(idxd_worker *w, struct bufferevent *bev)
{
    for (size_t i = 0; bev && i < w->nconns; i++)
        if (w->conns[i].bev == bev) return &w->conns[i];
    return NULL;
}

void idxd_worker_conn_streaming(idxd_worker *w, struct bufferevent *bev)
{
    idxd_conn *c = find_conn(w, bev);
    if (c) c->streaming = 1;
}

/* A connection's cost as of now: what its requests took, halving every
 * COST_HALF_LIFE_S. */
static double cost_now(const idxd_conn *c, double now)
{
    return c->cost * exp2(-(now - c->cost_at) / COST_HALF_LIFE_S);
}

static void on_run(evutil_socket_t fd, short what, void *arg);

/* Has the queue gone unserved for STARVE_S with requests waiting (sockets
 * busy every pass)?  Then answer one now, from a socket event or the tick. */
static void unstarve(idxd_worker *w, double now)
{
    if (w->npend == 0) return;
    double oldest = w->pend[0].arrived;
    for (size_t i = 1; i < w->npend; i++)
        if (w->pend[i].arrived < oldest) oldest = w->pend[i].arrived;
    if (now - oldest >= STARVE_S && now - w->last_run >= STARVE_S) on_run(-1, 0, w);
}

/* evhttp: a complete request.  Its connection's deadline restarts and it
 * gets the close callback that counts it off; the request waits its turn. */
static void on_request(struct evhttp_request *req, void *arg)
{
    idxd_worker *w = arg;
    double now = idx_clock();
    struct evhttp_connection *conn = evhttp_request_get_connection(req);
    struct bufferevent *bev = conn ? evhttp_connection_get_bufferevent(conn) : NULL;
    if (conn) evhttp_connection_set_closecb(conn, idxd_worker_conn_closed, w);
    idxd_conn *c = find_conn(w, bev);
    if (c) c->since = now;
    if (w->npend == w->cappend) {
        size_t cap = w->cappend ? w->cappend * 2 : 16;
        idxd_pending *v = realloc(w->pend, cap * sizeof *v);
        if (!v) { /* out of memory: answer it at once rather than drop it */
            idxd_api_handle(w, req, now, w->stopped_at > 0);
            return;
        }
        w->pend = v;
        w->cappend = cap;
    }
    /* a connection not answered yet starts level with the cheapest request
     * waiting (as a new task joins a fair scheduler at the least-served one's
     * time), so a client that opens a connection per request cannot jump
     * ahead of every keep-alive client */
    if (c && c->cost_at == 0) {
        double least = 0;
        for (size_t i = 0; i < w->npend; i++)
            if (i == 0 || w->pend[i].cost < least) least = w->pend[i].cost;
        c->cost = least;
        c->cost_at = now;
    }
    w->pend[w->npend++] = (idxd_pending){req, bev, c ? cost_now(c, now) : 0, now, w->seq++};
    next_turn(w);
    unstarve(w, now);
}

/* Should a request read at `arrived` be refused now (a stop under way)? */
static int refuse(const idxd_worker *w, double arrived, double now)
{
    if (w->stopped_at <= 0) return 0;
    if (arrived >= w->stopped_at) return 1;
    return now + w->srv->cfg.budget_ms / 1e3 >= w->drain_deadline;
}

/* Answer the waiting request that goes first (see the top). */
static void on_run(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    idxd_worker *w = arg;
    if (w->npend == 0) return;
    size_t best = 0;
    for (size_t i = 1; i < w->npend; i++) {
        const idxd_pending *a = &w->pend[i], *b = &w->pend[best];
        if (a->cost < b->cost || (a->cost == b->cost && a->seq < b->seq)) best = i;
    }
    idxd_pending p = w->pend[best];
    memmove(&w->pend[best], &w->pend[best + 1], (w->npend - best - 1) * sizeof *w->pend);
    w->npend--;
    double t0 = idx_clock();
    idxd_api_handle(w, p.req, p.arrived, refuse(w, p.arrived, t0));
    double t1 = idx_clock();
    w->last_run = t1;
    idxd_conn *c = find_conn(w, p.bev);
    if (c) {
        c->cost = cost_now(c, t1) + (t1 - t0);
        c->cost_at = t1;
    }
    if (w->npend > 0) next_turn(w);
}

/* Shut down connections late with a complete request (see the top). */
static void expire(idxd_worker *w)
{
    double now = idx_clock();
    for (size_t i = 0; i < w->nconns; i++) {
        idxd_conn *c = &w->conns[i];
        if (c->streaming) continue; /* a stream: its heartbeats find a dead client */
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
        double now = idx_clock();
        if (now - w->last_accept_warning > 10) {
            w->last_accept_warning = now;
            fprintf(stderr, "idxd: accept: %s; pausing accepts (raise ulimit -n or lower "
                            "--max-connections)\n", strerror(e));
        }
    }
}

uint64_t idxd_server_seen(idxd_server *s)
{
    uint64_t m = UINT64_MAX;
    for (int i = 0; i < s->cfg.threads; i++) {
        uint64_t v = atomic_load(&s->workers[i].seen_commit);
        if (v < m) m = v;
    }
    return m == UINT64_MAX ? 0 : m;
}

/* w's index has seen the writer's commit c: when that makes every worker's
 * have, each is told to answer its waiters (once per commit). */
static void seen(idxd_worker *w, uint64_t c)
{
    idxd_server *s = w->srv;
    if (c <= atomic_load(&w->seen_commit)) return;
    atomic_store(&w->seen_commit, c);
    uint64_t all = idxd_server_seen(s), was = atomic_load(&s->announced);
    while (was < all && !atomic_compare_exchange_weak(&s->announced, &was, all)) {
    }
    if (was >= all || !atomic_load(&s->workers_ready)) return;
    for (int i = 0; i < s->cfg.threads; i++)
        if (s->workers[i].answer) event_active(s->workers[i].answer, EV_READ, 0);
}

/* Reopen the index at its newest commit (or open it, if it could not be). */
static void reopen(idxd_worker *w)
{
    /* read before the reopen: the commits counted are in what it sees */
    uint64_t c = w->srv->writes ? idxd_writes_commits(w->srv->writes) : 0;
    if (!w->db) {
        if (idxd_worker_ensure_db(w) == 0) seen(w, c);
        return;
    }
    idx_err err;
    idx_err_clear(&err);
    idx_schema sc;
    idx_db_stats st;
    if (idx_db_reopen(w->db, &err) == IDX_OK && idx_schema_read(w->db, &sc, &err) == IDX_OK &&
        idx_db_get_stats(w->db, &st, &err) == IDX_OK) {
        w->schema = sc; /* a database created after idxd started records it late */
        /* a commit, or another database moved into place, empties the cache */
        idxd_cache_revision(w->cache, st.revision, st.identity);
        idxd_worker_cache_changed(w);
        seen(w, c);
        return;
    }
    /* the index went away or broke: close it, reopen on the next tick */
    idxd_cache_clear(w->cache);
    idxd_worker_cache_changed(w);
    snprintf(w->db_error, sizeof w->db_error, "index %.300s: %.500s", w->srv->cfg.db, err.msg);
    idx_db_close(w->db);
    w->db = NULL;
}

/* Answer the parked write requests whose tasks are done, or (force, or
 * their deadline passed) all of them with their tasks as they stand. */
static void answer_waiters(idxd_worker *w, int force)
{
    double now = idx_clock();
    size_t k = 0;
    for (size_t i = 0; i < w->nwaiters; i++) {
        idxd_waiter *wt = &w->waiters[i];
        if (!idxd_api_answer_waiter(w, wt, force || now >= wt->deadline)) w->waiters[k++] = *wt;
    }
    w->nwaiters = k;
}

int idxd_worker_park(idxd_worker *w, struct evhttp_request *req, uint64_t task, double arrived,
                     double deadline)
{
    if (w->nwaiters == w->capwaiters) {
        size_t cap = w->capwaiters ? w->capwaiters * 2 : 8;
        idxd_waiter *v = realloc(w->waiters, cap * sizeof *v);
        if (!v) return -1;
        w->waiters = v;
        w->capwaiters = cap;
    }
    w->waiters[w->nwaiters++] = (idxd_waiter){req, task, arrived, deadline};
    return 0;
}

/* A commit: the writer thread made this active.  The index is reopened
 * first; a waiter is answered once every worker has reopened past its
 * commit (here, or when `answer` is made active by the last to do so), so
 * it finds its articles in every search. */
static void on_wake(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    idxd_worker *w = arg;
    reopen(w);
    answer_waiters(w, 0);
    idxd_streams_run(w);
}

static void on_answer(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    answer_waiters(arg, 0);
}

int idxd_worker_reserve_write(idxd_worker *w)
{
    if (w->npwrites < w->cappwrites) return 0;
    size_t cap = w->cappwrites ? w->cappwrites * 2 : 8;
    idxd_pending_write **v = realloc(w->pwrites, cap * sizeof *v);
    if (!v) return -1;
    w->pwrites = v;
    w->cappwrites = cap;
    return 0;
}

void idxd_worker_add_write(idxd_worker *w, idxd_pending_write *p)
{
    w->pwrites[w->npwrites++] = p;
}

void idxd_worker_write_notify(void *arg)
{
    idxd_worker *w = arg;
    event_active(w->appended, EV_READ, 0);
}

/* The journal thread has appended some pending writes: answer those. */
static void on_appended(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    idxd_worker *w = arg;
    size_t k = 0;
    for (size_t i = 0; i < w->npwrites; i++) {
        idxd_pending_write *p = w->pwrites[i];
        if (atomic_load(&p->a.done)) idxd_api_finish_write(w, p);
        else w->pwrites[k++] = p;
    }
    w->npwrites = k;
}

void idxd_server_committed(void *server)
{
    idxd_server *s = server;
    if (!atomic_load(&s->workers_ready)) return; /* their 200 ms reopen sees it */
    for (int i = 0; i < s->cfg.threads; i++)
        if (s->workers[i].wake) event_active(s->workers[i].wake, EV_READ, 0);
}

static void on_tick(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    idxd_worker *w = arg;
    sweep(w);
    expire(w);
    unstarve(w, idx_clock());
    if (w->id == 0 && idx_clock() - w->last_trim >= TRIM_EVERY_S) {
        w->last_trim = idx_clock();
        malloc_trim(0);
    }
    reopen(w);
    answer_waiters(w, 0);
    idxd_streams_run(w);
}

/* Does a live connection still have reply bytes to send? */
static int output_pending(idxd_worker *w)
{
    sweep(w);
    for (size_t i = 0; i < w->nconns; i++)
        if (evbuffer_get_length(bufferevent_get_output(w->conns[i].bev)) > 0) return 1;
    return 0;
}

/* Is a stopping worker done: nothing waiting, nothing unsent, no connection
 * just accepted (its request may be on the way)? */
static int drained(idxd_worker *w, double now)
{
    return w->npend == 0 && w->nwaiters == 0 && w->npwrites == 0 && !output_pending(w) &&
           now - w->last_accept >= QUIET_S;
}

/* A stopping worker's listening socket goes (later connects are refused). */
static void close_listener(idxd_worker *w)
{
    if (!w->bound) return;
    evhttp_del_accept_socket(w->http, w->bound);
    w->bound = NULL;
}

static void on_drain(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    idxd_worker *w = arg;
    double now = idx_clock();
    /* the queue found at the stop is taken, or time is up */
    if (w->stop_queue <= 0 || now >= w->drain_deadline) close_listener(w);
    if (now >= w->drain_deadline) /* out of time: whatever still waits gets its 503 now */
        while (w->npend > 0) {
            idxd_pending p = w->pend[--w->npend];
            idxd_api_handle(w, p.req, p.arrived, 1);
        }
    if (drained(w, now) || now >= w->drain_deadline + FLUSH_S) event_base_loopexit(w->base, NULL);
}

/* Connections waiting in the worker's accept queue (Linux reports a
 * listening socket's queue length as tcpi_unacked); when it cannot be read,
 * as many as the queue may hold. */
static long accept_queue(idxd_worker *w)
{
    if (!w->bound) return 0;
    struct tcp_info ti;
    socklen_t len = sizeof ti;
    if (getsockopt(evhttp_bound_socket_get_fd(w->bound), IPPROTO_TCP, TCP_INFO, &ti, &len) != 0)
        return SOMAXCONN;
    return (long)ti.tcpi_unacked;
}

static void on_stop(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    idxd_worker *w = arg;
    if (w->draining) return;
    w->draining = 1;
    w->stopped_at = idx_clock();
    w->drain_deadline = w->stopped_at + w->srv->cfg.grace_s;
    /* the connections waiting in the accept queue are answered, not reset */
    w->stop_queue = accept_queue(w);
    answer_waiters(w, 1); /* write requests waiting for their tasks: 202, the task as it stands */
    idxd_streams_end(w);  /* streams: their last chunk, and the connection closes */
    if (w->stop_queue <= 0) close_listener(w);
    else if (w->paused) set_accepting(w, 1);
    struct timeval every = {0, 20000};
    if (!(w->drain = event_new(w->base, -1, EV_PERSIST, on_drain, w)) ||
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
    size_t share = c->cache_bytes / (size_t)(c->threads > 0 ? c->threads : 1);
    if (!(w->cache = idxd_cache_new((size_t)c->cache_entries, share))) {
        fprintf(stderr, "idxd: out of memory for the answer cache\n");
        return -1;
    }
    /* three priorities: sockets, the tick and accepting (1, the default)
     * before answering the next request (run_ev, 2) */
    w->base = event_base_new();
    if (!w->base || event_base_priority_init(w->base, 3) < 0 || !(w->http = evhttp_new(w->base))) {
        fprintf(stderr, "idxd: cannot create an event base\n");
        return -1;
    }
    evhttp_set_allowed_methods(w->http, EVHTTP_REQ_GET | EVHTTP_REQ_POST | EVHTTP_REQ_HEAD |
                                            EVHTTP_REQ_PUT | EVHTTP_REQ_DELETE |
                                            EVHTTP_REQ_OPTIONS | EVHTTP_REQ_TRACE |
                                            EVHTTP_REQ_CONNECT | EVHTTP_REQ_PATCH);
    evhttp_set_max_headers_size(w->http, (ev_ssize_t)c->max_headers);
    /* bodies up to 16x the cap are read and refused with a JSON 413 by
     * api.c; anything larger gets libevent's own 413 without being read
     * (POST /docs has its own, larger cap, when this server takes writes) */
    size_t body = 16 * c->max_body;
    if (w->srv->writes && c->max_docs_body > body) body = c->max_docs_body;
    evhttp_set_max_body_size(w->http, (ev_ssize_t)body);
    struct timeval tv = {c->timeout_s, 0};
    evhttp_set_timeout_tv(w->http, &tv);
    evhttp_set_bevcb(w->http, new_bev, w);
    evhttp_set_gencb(w->http, on_request, w);
    int fd = w->srv->listen_fds[w->id];
    if (!(w->bound = evhttp_accept_socket_with_handle(w->http, fd))) {
        fprintf(stderr, "idxd: cannot listen: %s\n", strerror(errno));
        return -1;
    }
    w->srv->listen_fds[w->id] = -1; /* evhttp's now: closed with it */
    evconnlistener_set_error_cb(evhttp_bound_socket_get_listener(w->bound), on_accept_error);
    w->tick = event_new(w->base, -1, EV_PERSIST, on_tick, w);
    w->stop_ev = event_new(w->base, -1, 0, on_stop, w);
    w->run_ev = event_new(w->base, -1, 0, on_run, w);
    w->wake = event_new(w->base, -1, 0, on_wake, w);
    w->answer = event_new(w->base, -1, 0, on_answer, w);
    w->appended = event_new(w->base, -1, 0, on_appended, w);
    struct timeval every = {0, 200000};
    if (!w->tick || !w->stop_ev || !w->run_ev || !w->wake || !w->answer || !w->appended ||
        event_priority_set(w->run_ev, 2) < 0 ||
        event_add(w->tick, &every) < 0) {
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

void idxd_worker_wait(idxd_worker *w)
{
    if (w->thread) pthread_join(w->thread, NULL);
    w->thread = 0;
}

void idxd_worker_join(idxd_worker *w)
{
    idxd_worker_wait(w);
    /* requests still waiting (a stop past its grace): evhttp frees them with
     * their connections */
    free(w->pend);
    idxd_streams_end(w); /* (ended at the stop; any left go with their connections) */
    free(w->streams);
    if (w->http) evhttp_free(w->http); /* closes the connections left */
    for (size_t i = 0; i < w->nconns; i++) bufferevent_decref(w->conns[i].bev);
    free(w->conns);
    if (w->tick) event_free(w->tick);
    if (w->stop_ev) event_free(w->stop_ev);
    if (w->drain) event_free(w->drain);
    if (w->run_ev) event_free(w->run_ev);
    if (w->wake) event_free(w->wake);
    if (w->answer) event_free(w->answer);
    if (w->appended) event_free(w->appended);
    /* writes whose answers a stop cut off: appended (the journal thread has
     * ended), their requests go with the connections */
    for (size_t i = 0; i < w->npwrites; i++) {
        free(w->pwrites[i]->data);
        free(w->pwrites[i]);
    }
    free(w->pwrites);
    free(w->waiters); /* (answered at the stop; evhttp frees what is left) */
    if (w->base) event_base_free(w->base);
    idx_db_close(w->db);
    idxd_cache_free(w->cache);
    memset(w, 0, sizeof *w);
}
