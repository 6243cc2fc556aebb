/* metrics.c - see metrics.h. */
#include "metrics.h"

#include <stdatomic.h>

static const char *const route_names[ROUTE_COUNT] = {
    "search", "docs", "health", "stats", "metrics", "root", "other", "suggest", "related", "page",
    "write", "tasks", "keys", "stream"};

/* statuses counted separately; anything else is "other" */
static const int statuses[] = {200, 202, 204, 400, 401, 403, 404, 405, 413, 429, 500, 503};
#define NSTATUS (sizeof statuses / sizeof *statuses + 1)

/* histogram upper bounds in microseconds */
static const uint64_t bounds_us[] = {250,   500,    1000,   2500,   5000,    10000,
                                     25000, 50000, 100000, 250000, 1000000, 5000000};
#define NBUCKET (sizeof bounds_us / sizeof *bounds_us)

static _Atomic uint64_t count[ROUTE_COUNT][NSTATUS];
static _Atomic uint64_t other_status_seen[ROUTE_COUNT];
static _Atomic uint64_t bucket[ROUTE_COUNT][NBUCKET + 1]; /* last: +Inf only */
static _Atomic uint64_t sum_us[ROUTE_COUNT];
static _Atomic uint64_t expired;
static _Atomic uint64_t timeouts;

void idxd_metrics_search_timed_out(void)
{
    atomic_fetch_add_explicit(&timeouts, 1, memory_order_relaxed);
}

void idxd_metrics_conn_expired(void)
{
    atomic_fetch_add_explicit(&expired, 1, memory_order_relaxed);
}

const char *idxd_route_name(int route)
{
    return route >= 0 && route < ROUTE_COUNT ? route_names[route] : "other";
}

void idxd_metrics_observe(int route, int status, uint64_t micros)
{
    if (route < 0 || route >= ROUTE_COUNT) route = ROUTE_OTHER;
    size_t s = NSTATUS - 1;
    for (size_t i = 0; i < NSTATUS - 1; i++)
        if (statuses[i] == status) s = i;
    if (s == NSTATUS - 1) atomic_store_explicit(&other_status_seen[route], (uint64_t)status,
                                                memory_order_relaxed);
    atomic_fetch_add_explicit(&count[route][s], 1, memory_order_relaxed);
    size_t b = 0;
    while (b < NBUCKET && micros > bounds_us[b]) b++;
    atomic_fetch_add_explicit(&bucket[route][b], 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&sum_us[route], micros, memory_order_relaxed);
}

static uint64_t get(_Atomic uint64_t *v)
{
    return atomic_load_explicit(v, memory_order_relaxed);
}

void idxd_metrics_render(const idxd_gauges *g, idx_buf *out)
{
    idx_buf_printf(out, "# HELP idxd_requests_total HTTP requests answered, by route and status.\n"
                        "# TYPE idxd_requests_total counter\n");
    for (int r = 0; r < ROUTE_COUNT; r++)
        for (size_t s = 0; s < NSTATUS; s++) {
            uint64_t c = get(&count[r][s]);
            if (!c && statuses[s < NSTATUS - 1 ? s : 0] != 200) continue; /* keep it short */
            if (!c && s == NSTATUS - 1) continue;
            if (s < NSTATUS - 1)
                idx_buf_printf(out, "idxd_requests_total{route=\"%s\",status=\"%d\"} %llu\n",
                               route_names[r], statuses[s], (unsigned long long)c);
            else
                idx_buf_printf(out, "idxd_requests_total{route=\"%s\",status=\"other\"} %llu\n",
                               route_names[r], (unsigned long long)c);
        }
    idx_buf_printf(out, "# HELP idxd_request_duration_seconds Time from request read to reply "
                        "queued, by route.\n"
                        "# TYPE idxd_request_duration_seconds histogram\n");
    for (int r = 0; r < ROUTE_COUNT; r++) {
        uint64_t cum = 0;
        for (size_t b = 0; b < NBUCKET; b++) {
            cum += get(&bucket[r][b]);
            idx_buf_printf(out, "idxd_request_duration_seconds_bucket{route=\"%s\",le=\"%g\"} %llu\n",
                           route_names[r], bounds_us[b] / 1e6, (unsigned long long)cum);
        }
        cum += get(&bucket[r][NBUCKET]);
        idx_buf_printf(out, "idxd_request_duration_seconds_bucket{route=\"%s\",le=\"+Inf\"} %llu\n",
                       route_names[r], (unsigned long long)cum);
        idx_buf_printf(out, "idxd_request_duration_seconds_sum{route=\"%s\"} %.6f\n",
                       route_names[r], get(&sum_us[r]) / 1e6);
        idx_buf_printf(out, "idxd_request_duration_seconds_count{route=\"%s\"} %llu\n",
                       route_names[r], (unsigned long long)cum);
    }
    idx_buf_printf(out,
                   "# HELP idxd_index_up 1 if the index could be opened.\n"
                   "# TYPE idxd_index_up gauge\nidxd_index_up %d\n"
                   "# HELP idxd_index_documents Documents in the index.\n"
                   "# TYPE idxd_index_documents gauge\nidxd_index_documents %llu\n"
                   "# HELP idxd_index_revision Committed revision of the index being served.\n"
                   "# TYPE idxd_index_revision gauge\nidxd_index_revision %llu\n"
                   "# HELP idxd_connections Open client connections.\n"
                   "# TYPE idxd_connections gauge\nidxd_connections %ld\n"
                   "# HELP idxd_connections_peak Most client connections open at once.\n"
                   "# TYPE idxd_connections_peak gauge\nidxd_connections_peak %ld\n"
                   "# HELP idxd_connections_expired_total Connections closed for not sending a "
                   "complete request within --timeout.\n"
                   "# TYPE idxd_connections_expired_total counter\n"
                   "idxd_connections_expired_total %llu\n"
                   "# HELP idxd_uptime_seconds Seconds since idxd started.\n"
                   "# TYPE idxd_uptime_seconds gauge\nidxd_uptime_seconds %.3f\n"
                   "# HELP idxd_search_timeouts_total Searches cut short by --budget.\n"
                   "# TYPE idxd_search_timeouts_total counter\nidxd_search_timeouts_total %llu\n"
                   "# HELP idxd_cache_bytes Bytes held by the answer caches.\n"
                   "# TYPE idxd_cache_bytes gauge\nidxd_cache_bytes %llu\n"
                   "# HELP idxd_cache_max_bytes The answer caches' bound (--cache-memory).\n"
                   "# TYPE idxd_cache_max_bytes gauge\nidxd_cache_max_bytes %llu\n"
                   "# HELP idxd_search_revision The revision answers are computed at (since=).\n"
                   "# TYPE idxd_search_revision gauge\nidxd_search_revision %llu\n"
                   "# HELP idxd_streams Open GET /search/stream replies.\n"
                   "# TYPE idxd_streams gauge\nidxd_streams %ld\n",
                   g->index_up, (unsigned long long)g->documents, (unsigned long long)g->revision,
                   g->connections, g->connections_peak, (unsigned long long)get(&expired),
                   g->uptime_s, (unsigned long long)get(&timeouts),
                   (unsigned long long)g->cache_bytes, (unsigned long long)g->cache_max_bytes,
                   (unsigned long long)g->search_revision, g->streams);
    if (g->writes)
        idx_buf_printf(out,
                       "# HELP idxd_write_last_task The last write task number given.\n"
                       "# TYPE idxd_write_last_task gauge\nidxd_write_last_task %llu\n"
                       "# HELP idxd_write_applied_task The last write task the database holds.\n"
                       "# TYPE idxd_write_applied_task gauge\nidxd_write_applied_task %llu\n"
                       "# HELP idxd_write_queue_bytes Journaled writes not applied yet, in bytes.\n"
                       "# TYPE idxd_write_queue_bytes gauge\nidxd_write_queue_bytes %llu\n"
                       "# HELP idxd_write_commits_total Commits of the writer thread.\n"
                       "# TYPE idxd_write_commits_total counter\nidxd_write_commits_total %llu\n",
                       (unsigned long long)g->write_last_task,
                       (unsigned long long)g->write_applied,
                       (unsigned long long)g->write_queue_bytes,
                       (unsigned long long)g->write_commits);
}
