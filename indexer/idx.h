/* idx.h - shared pieces of the `idx` command (indexer/).
 *
 * main.c parses options (before or after the subcommand) into idx_opts and
 * dispatches; ingest.c implements `idx add` (reading the input into the
 * write path, writer.h), parallel.c its --jobs processes, pages.c raw pages
 * and `idx clean`; key.c `idx key` (idxd's API keys); commands.c the rest
 * (rm, get, stats, search, compact).
 * Each command returns the process exit status.
 */
#ifndef IDX_CMD_H
#define IDX_CMD_H

#include <stddef.h>

#include "clock.h"  /* idx_clock */
#include "search.h" /* idx_search_req */
#include "writer.h" /* idx_writer_opts, idx_build */

/* Exit statuses, documented in --help and the README. */
enum {
    EXIT_OK = 0,       /* everything done */
    EXIT_PARTIAL = 1,  /* done, but some input was rejected / some id not found */
    EXIT_USAGE = 2,    /* bad command line */
    EXIT_DB = 3,       /* database or I/O failure (locked, unreadable, disk full) */
};

typedef struct idx_opts {
    const char *db;
    unsigned batch; /* --batch; 0: not given (IDX_BATCH_DEFAULT, or IDX_BATCH_PART) */
    int json;
    int quiet;
    idx_search_req search; /* search: its options, read by request.h's table */
    int unigrams; /* IDX_UNIGRAMS_* from --cjk-unigrams, -1 if not given */
    int fold;     /* IDX_FOLD_* from --fold, -1 if not given */
    int index_format; /* --index-format N (document.h's formats), 0 if not given */
    const char *source;   /* clean, add --format text: --source, the pages' outlet */
    const char *synonyms; /* --synonyms FILE */
    const char *shard_by; /* --shard-by SPEC (add, new archive) */
    unsigned jobs;        /* --jobs N (add to a hash archive; 0/1: one process) */
    const char *url;      /* --url URL (clean, add --format text: the page's address) */
    int format;           /* add: IDX_FORMAT_* */
    int no_cluster;       /* add --no-cluster: no near-duplicate clustering */
    const char *server;   /* add --server URL: send to a running idxd (remote.c) */
    const char *key;      /* --key KEY: add --server's admin key; key scope's search key */
    const char *filter;   /* key scope --filter QUERY */
    const char *expires;  /* key scope --expires DATE */
    unsigned lock_wait;   /* --lock-wait SECS: add/rm wait this long for a locked database */
    double rate;          /* bench --rate R: requests a second, open loop (0: closed loop) */
    double duration;      /* bench --duration S (0: the default) */
    double warmup;        /* bench --warmup S: sent first, not counted (0: none) */
    unsigned connections; /* bench --connections N (0: the default) */
    const char *path;     /* bench --path TEMPLATE: the request, %s the query */
    const char *svg;      /* bench --svg FILE: the run's latency plot */
    const char *plot;     /* bench --plot OUT.svg: runs' JSON (operands) on one chart */
    char **args; /* operands after the subcommand */
    int nargs;
} idx_opts;

/* idx add: see main.c's usage.  A new database from IDX_BULK_MIN_BYTES or
 * more of JSON Lines files, with neither --jobs nor --batch given, is built
 * by one job per core (at most IDX_BULK_MAX_JOBS) as --jobs builds it. */
#define IDX_BULK_MIN_BYTES (8ull << 20)
#define IDX_BULK_MAX_JOBS 8
int idx_cmd_add(const idx_opts *o);
/* idx add --server URL (remote.c): the input sent to a running idxd as
 * batches of POST /docs, reported as idx add reports; returns the exit
 * status.  idx_cmd_add calls it when o->server is set. */
int idx_add_remote(const idx_opts *o);
/* One job per core, at most IDX_BULK_MAX_JOBS, at least 1 (parallel.c):
 * the jobs of idx add's default build and of idx reindex. */
unsigned idx_jobs_per_core(void);
int idx_cmd_rm(const idx_opts *o);
/* A writer found the database o->db locked: idxd's writer holds it while it
 * applies a batch (writes.h), another idx add/rm for its whole run.  Says so
 * once, then 1 after a pause (try again), until o->lock_wait seconds have
 * passed since *since (0 at the first call): 0, give up. */
#define IDX_LOCK_WAIT_DEFAULT 30
int idx_lock_wait(const idx_opts *o, double *since);
int idx_cmd_get(const idx_opts *o);
int idx_cmd_stats(const idx_opts *o);
int idx_cmd_search(const idx_opts *o);
/* The query of idx search and idx watch: the operands joined by spaces,
 * onto q.  0, or -1 after saying "out of memory". */
int idx_operands_query(const idx_opts *o, idx_buf *q);
int idx_cmd_compact(const idx_opts *o);
/* idx backup --db D OUT: idx compact's copy, checked before it is stored. */
int idx_cmd_backup(const idx_opts *o);
/* idx bench (bench.c). */
int idx_cmd_bench(const idx_opts *o);
/* idx watch (watch.c): new matches printed as they are committed. */
int idx_cmd_watch(const idx_opts *o);
/* idx check --db D (check.c). */
int idx_cmd_check(const idx_opts *o);
/* Check the database at path (check.c: Xapian's check and idx's invariants;
 * quiet: no line per shard on stdout); *docs checked, *problems found (the
 * first ones on stderr).  EXIT_OK, EXIT_PARTIAL (problems), EXIT_DB (it
 * cannot be read). */
int idx_check_db(const char *path, int quiet, uint64_t *docs, uint64_t *problems);
int idx_cmd_clean(const idx_opts *o);
/* idx key new | scope (key.c): idxd's API keys, keys.h. */
int idx_cmd_key(const idx_opts *o);

/* ---- idx add, shared by ingest.c and parallel.c ---- */
/* Counts one run reports to the parent of parallel jobs. */
typedef struct idx_add_counts {
    unsigned long long added, replaced, rejected, lost;
} idx_add_counts;
/* The write path's options from the command line's. */
idx_writer_opts idx_add_writer_opts(const idx_opts *o);
/* One ingest run (ingest.c) of all the input: into o->db (b NULL), or as job
 * of the parallel build b, with its writer (idx_build_writer).  Prints its
 * summary unless counts is given.  Returns the exit status. */
int idx_add_run(const idx_opts *o, const idx_build *b, unsigned job, idx_add_counts *counts);
/* --jobs N (parallel.c). */
int idx_add_parallel(const idx_opts *o);
/* What a job of a parallel build runs in its process (idx_add_run for idx
 * add): its share of the work with its writer of b, its counts filled in;
 * returns its exit status. */
typedef int (*idx_job_fn)(const idx_opts *o, const idx_build *b, unsigned job,
                          idx_add_counts *counts);
/* Fork jobs processes, job j running fn(o, b, j, ...); sums their counts
 * into *sum; returns the worst exit status (EXIT_DB when a job died without
 * reporting).  SIGINT/SIGTERM sent to the caller are passed on to them. */
int idx_run_jobs(const idx_opts *o, unsigned jobs, const idx_build *b, idx_job_fn fn,
                 idx_add_counts *sum);
/* idx reindex (reindex.c). */
int idx_cmd_reindex(const idx_opts *o);
/* The exit status of a write path failure (writer.h): IDX_EINVAL is the
 * user's mistake, anything else the database's or the system's. */
static inline int idx_add_exit(int rc)
{
    return rc == IDX_EINVAL ? EXIT_USAGE : EXIT_DB;
}

/* idx add --format: by extension (.txt = text, else JSON Lines), or forced */
enum { IDX_FORMAT_AUTO = 0, IDX_FORMAT_JSONL, IDX_FORMAT_TEXT, IDX_FORMAT_HTML };

/* "idx: <msg>" on stderr. */
void idx_die_msg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* The same for a note from src/ (staging.h's idx_note_fn; ctx unused). */
static inline void idx_note(void *ctx, const char *msg)
{
    (void)ctx;
    idx_die_msg("%s", msg);
}


#endif
