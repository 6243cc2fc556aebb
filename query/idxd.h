/* idxd.h - the query server's shared state (query/).
 *
 * main.c parses options, opens the listening socket and runs one worker
 * thread per core; worker.c gives each worker its own event base, evhttp,
 * read-only database handle (reopened on new commits) and connection
 * bookkeeping; api.c answers the routes; metrics.c counts.  Requests are
 * answered inside the worker that read them (a search is a few milliseconds
 * of CPU, so a worker per core keeps every core busy without handing work
 * between threads), one at a time, the waiting request of the connection
 * that has cost least lately first, so that clients sending expensive
 * searches wait behind each other and not in front of cheap ones (worker.c).
 * Writes (POST /docs, DELETE /docs/{id}) are journaled by the worker that
 * reads them and applied by one writer thread (writes.h), which wakes the
 * workers after each commit.
 */
#ifndef IDXD_H
#define IDXD_H

#include <event2/event.h>
#include <event2/http.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "clock.h" /* idx_clock: every time and deadline here */
#include "writes.h"
#include "document.h"
#include "db.h"

typedef struct idxd_config {
    const char *db;
    const char *host;   /* listen address */
    int port;           /* 0: any free port */
    int threads;
    const char *cors_origin; /* NULL: no CORS headers */
    int timeout_s;      /* per connection read/write/idle timeout */
    int max_conns;      /* accepting pauses at this many open connections */
    size_t max_body;    /* request body cap (bytes) */
    size_t max_headers; /* request line + headers cap (bytes) */
    double grace_s;     /* shutdown: longest wait for replies in flight */
    int access_log;
    const char *synonyms_path; /* --synonyms (the groups: the server's, reloaded on SIGHUP) */
    const char *log_path;   /* --log FILE: stderr goes there, reopened on SIGHUP */
    int log_json;           /* --log-format json: access-log lines as JSON objects */
    int cache_entries;  /* --cache: /search answers kept per worker (0: none) */
    size_t cache_bytes; /* --cache-memory: bytes of answers kept, all workers together */
    double budget_ms;   /* --budget: longest a /search may take (0: unbounded) */
    const char *keys_path; /* --keys: NULL, every route open (writes refused); the keys
                              themselves are the server's (reloaded on SIGHUP) */
    int public_search;  /* --public-search: read routes need no key */
    const char *page_key; /* --page-key: the search page's key (its data-key) */
    int read_only;      /* --read-only, or a replica: writes refused */
    const char *journal; /* --journal: the write-ahead journal (writes.h) */
    size_t max_docs_body; /* --max-docs-body: a POST /docs body (decoded), at most */
    size_t max_queue;   /* --max-queue: journal bytes not applied yet, at most */
    double stream_heartbeat_s; /* --stream-heartbeat: a quiet stream's comment line, this often */
} idxd_config;

struct bufferevent;

/* A connection a worker made: its bufferevent (we hold a reference) and
 * since when it owes us a complete request (connected, or last replied). */
typedef struct idxd_conn {
    struct bufferevent *bev;
    double since;
    double cost, cost_at; /* seconds its requests took, decayed (worker.c), as of cost_at */
    int streaming;        /* holds a stream (stream.h): no request deadline */
} idxd_conn;

/* A complete request read and waiting for its turn (worker.c). */
typedef struct idxd_pending {
    struct evhttp_request *req;
    struct bufferevent *bev; /* its connection's, to find its cost */
    double cost;             /* the connection's cost when it came: lowest goes first */
    double arrived;          /* idx_clock() */
    uint64_t seq;            /* arrival order, among equal costs */
} idxd_pending;
typedef struct idxd_server idxd_server;
typedef struct idxd_stream idxd_stream;

/* A write request whose record the journal thread is appending (api.c
 * submits it, worker.c keeps it until done, api.c answers it). */
typedef struct idxd_pending_write {
    idxd_append a;
    struct evhttp_request *req;
    double t0;
    int wait;
    char *data; /* the payload (owned) */
} idxd_pending_write;

/* A write request answered once its task is done (?wait=1), or at its
 * deadline with the task as it stands (worker.c, api.c). */
typedef struct idxd_waiter {
    struct evhttp_request *req;
    uint64_t task;
    double arrived, deadline; /* idx_clock() */
} idxd_waiter;

typedef struct idxd_worker {
    idxd_server *srv;
    int id;
    pthread_t thread;
    struct event_base *base;
    struct evhttp *http;
    struct evhttp_bound_socket *bound;
    struct event *tick;    /* every 200 ms: reopen the index, sweep connections */
    struct event *stop_ev; /* made active by the main thread on SIGTERM/SIGINT */
    struct event *drain;   /* while stopping: every 20 ms, are all replies sent? */
    struct event *run_ev;  /* lowest priority: answer the next waiting request */
    struct event *wake;    /* made active by the writer thread after a commit */
    struct event *answer;  /* made active when every worker has seen a commit */
    atomic_uint_least64_t seen_commit; /* the writer's commits its index has seen */
    idxd_waiter *waiters;  /* write requests waiting for their task */
    size_t nwaiters, capwaiters;
    idxd_pending_write **pwrites; /* write requests whose records are being appended */
    size_t npwrites, cappwrites;
    struct event *appended; /* made active by the journal thread: some are */
    idxd_stream **streams; /* GET /search/stream replies under way (stream.h) */
    size_t nstreams, capstreams;
    idxd_pending *pend;    /* requests read and not answered yet */
    size_t npend, cappend;
    uint64_t seq;
    double stopped_at;     /* idx_clock() at the stop, 0 before */
    double drain_deadline; /* idx_clock() + grace_s */
    double last_accept;    /* idx_clock() of the newest connection */
    double last_run;       /* idx_clock() when a queued request was last answered */
    idx_db *db;            /* NULL while the index cannot be opened */
    idx_schema schema;     /* the index's text options */
    struct idxd_cache *cache; /* /search answers at the index revision read (cache.h) */
    unsigned generation;   /* the server's generation the cache's answers were made in */
    atomic_size_t cache_bytes; /* what it holds, for other workers' /stats and /metrics */
    char db_error[1024];
    struct idxd_conn *conns; /* connections this worker created */
    size_t nconns, capconns;
    int paused;   /* accepting paused (at max_conns, or out of descriptors) */
    double last_accept_warning;
    double last_trim; /* worker 0: malloc_trim every TRIM_EVERY_S */
    int draining; /* shutting down */
    long stop_queue; /* while stopping: connections still to accept of those the
                        stop found waiting in the accept queue */
} idxd_worker;

struct idxd_server {
    idxd_config cfg;
    int *listen_fds; /* one per worker: SO_REUSEPORT spreads connections over them */
    double started; /* CLOCK_REALTIME seconds */
    atomic_long conns;
    atomic_long conns_peak; /* most connections open at once */
    idxd_worker *workers;
    struct idxd_writes *writes; /* NULL: writes refused (no admin key, or read-only); set
                                   before the workers start, never changed while they run */
    atomic_int workers_ready;   /* every worker started: the writer may wake them */
    atomic_uint_least64_t announced; /* the last commit every worker was told all have seen */
    /* what SIGHUP reloads (main.c): the keys and synonyms in use (the ones
     * replaced are kept until exit: a request may still hold them), and a
     * generation that tells workers to drop answers made with the old ones */
    _Atomic(const struct idx_keys *) keys;
    _Atomic(const struct idx_synonyms *) synonyms;
    atomic_uint generation;
    const char *writes_off;     /* why they are refused */
};

/* worker.c */
int idxd_worker_start(idxd_worker *w);  /* 0 ok; -1 with a message on stderr */
void idxd_worker_stop(idxd_worker *w);  /* any thread: begin a graceful stop */
void idxd_worker_wait(idxd_worker *w);  /* wait for the thread to end */
void idxd_worker_join(idxd_worker *w);  /* wait for the thread, free everything */
/* (Re)open the index if it is not open; 0 when w->db is usable. */
int idxd_worker_ensure_db(idxd_worker *w);
/* After a change to w's cache: publish the bytes it holds (for the sums). */
void idxd_worker_cache_changed(idxd_worker *w);
/* evhttp's close callback of a connection of w (arg): counted off. */
void idxd_worker_conn_closed(struct evhttp_connection *conn, void *arg);
/* The connection of bev holds a stream: the request deadline leaves it be. */
void idxd_worker_conn_streaming(idxd_worker *w, struct bufferevent *bev);
/* Bytes held by every worker's cache, and their bound. */
void idxd_server_cache_bytes(idxd_server *s, size_t *bytes, size_t *max_bytes);

/* Park a write request until its task is done or deadline (worker's
 * thread); 0, or -1 when out of memory (answer it now). */
int idxd_worker_park(idxd_worker *w, struct evhttp_request *req, uint64_t task, double arrived,
                     double deadline);
/* Room for one more pending write (worker's thread): 0, or -1 when out of
 * memory.  Then, once its record is submitted, add it (cannot fail). */
int idxd_worker_reserve_write(idxd_worker *w);
void idxd_worker_add_write(idxd_worker *w, idxd_pending_write *p);
/* The journal thread: a pending write of worker arg is done (notify). */
void idxd_worker_write_notify(void *arg);
/* api.c: answer a pending write whose record is done, and free it. */
void idxd_api_finish_write(idxd_worker *w, idxd_pending_write *p);

/* The writer thread, after a commit: every worker reopens the index and
 * answers the waiters whose tasks are done and seen by every worker. */
void idxd_server_committed(void *server);
/* The writer's commits (idxd_writes_commits) that every worker's index has
 * seen: a ?wait=1 write is answered once its commit is at most this, so a
 * search on any connection finds it.  Any thread. */
uint64_t idxd_server_seen(idxd_server *s);

/* api.c: answer a parked write request with its task: 200 when done, else
 * (force: its deadline passed, or a stop) 202 with the task as it stands.
 * 1 when answered, 0 when it should wait on. */
int idxd_api_answer_waiter(idxd_worker *w, const idxd_waiter *wt, int force);

/* api.c: answer req, read at idx_clock() time arrived, on worker w.  With
 * refuse set (a stop is under way) the answer is 503 shutting_down. */
void idxd_api_handle(idxd_worker *w, struct evhttp_request *req, double arrived, int refuse);

double idxd_wall(void);     /* CLOCK_REALTIME seconds */

#endif
