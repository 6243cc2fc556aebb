/* metrics.h - request counters and latency histograms for GET /metrics.
 *
 * One process-wide table of relaxed C11 atomics: worker threads add to it
 * without locks, /metrics reads it (a scrape may see a request counted in
 * one series and not yet in another; Prometheus tolerates that).  Rendered
 * in the Prometheus text format (version 0.0.4).
 */
#ifndef IDXD_METRICS_H
#define IDXD_METRICS_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

enum idxd_route {
    ROUTE_SEARCH, ROUTE_DOCS, ROUTE_HEALTH, ROUTE_STATS, ROUTE_METRICS, ROUTE_ROOT, ROUTE_OTHER,
    ROUTE_SUGGEST, ROUTE_RELATED, ROUTE_PAGE, ROUTE_WRITE, ROUTE_TASKS, ROUTE_KEYS, ROUTE_STREAM,
    ROUTE_COUNT
};

const char *idxd_route_name(int route);

/* Count one request: its route, HTTP status and duration in microseconds. */
void idxd_metrics_observe(int route, int status, uint64_t micros);

/* Count one connection closed for not sending a complete request in time. */
void idxd_metrics_conn_expired(void);
/* Count one /search cut short by --budget. */
void idxd_metrics_search_timed_out(void);

/* Gauges the caller knows (index and connections), then everything counted. */
typedef struct idxd_gauges {
    uint64_t documents, revision;
    int index_up;
    long connections, connections_peak;
    double uptime_s;
    uint64_t cache_bytes, cache_max_bytes; /* answer caches, all workers together */
    int writes;                 /* this server takes writes: the four below are set */
    uint64_t write_last_task;   /* the last task number given */
    uint64_t write_applied;     /* the last one the database holds */
    uint64_t write_queue_bytes; /* journaled, not applied yet */
    uint64_t write_commits;     /* commits of the writer thread */
    uint64_t search_revision;   /* idx's revision answers are at (document.h) */
    long streams;               /* GET /search/stream replies open (stream.h) */
} idxd_gauges;

void idxd_metrics_render(const idxd_gauges *g, idx_buf *out);

#endif
