/* idx.h - shared pieces of the `idx` command (indexer/).
 *
 * main.c parses options (before or after the subcommand) into idx_opts and
 * dispatches; ingest.c implements `idx add`; commands.c the rest (rm, get,
 * stats, search).  Each command returns the process exit status.
 */
#ifndef IDX_CMD_H
#define IDX_CMD_H

#include <stddef.h>

#include "clock.h" /* idx_clock */

/* Articles per commit: --batch's default, and the flush size of a --jobs
 * part (a scratch database nobody reads until the merge: there only speed
 * counts, and Xapian's in-memory inverter gets slower as a batch grows; see
 * bench/RESULTS.md). */
#define IDX_BATCH_DEFAULT 2000
#define IDX_BATCH_PART 500

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
    unsigned limit, offset;
    int sort;
    int exact_total;
    double title_weight;
    int unigrams; /* IDX_UNIGRAMS_* from --cjk-unigrams, -1 if not given */
    int fold;     /* IDX_FOLD_* from --fold, -1 if not given */
    const char *from, *to, *source, *category, *year;
    const char *facets; /* --facets list */
    int explain;
    const char *synonyms; /* --synonyms FILE */
    const char *shard_by; /* --shard-by SPEC (add, new archive) */
    unsigned jobs;        /* --jobs N (add to a hash archive; 0/1: one process) */
    const char *url;      /* --url URL (clean, add --format text: the page's address) */
    int format;           /* add: IDX_FORMAT_* */
    int no_cluster;       /* add --no-cluster: no near-duplicate clustering */
    int all_copies;       /* search --all: near-duplicates not collapsed */
    double recency_days, recency_weight; /* --recency, --recency-weight (0: off/default) */
    char **args; /* operands after the subcommand */
    int nargs;
} idx_opts;

int idx_cmd_add(const idx_opts *o);
int idx_cmd_rm(const idx_opts *o);
int idx_cmd_get(const idx_opts *o);
int idx_cmd_stats(const idx_opts *o);
int idx_cmd_search(const idx_opts *o);
int idx_cmd_compact(const idx_opts *o);
int idx_cmd_clean(const idx_opts *o);

/* ---- idx add, shared by ingest.c and parallel.c ---- */
/* Counts one run reports to the parent of parallel jobs. */
typedef struct idx_add_counts {
    unsigned long long added, replaced, rejected, lost;
} idx_add_counts;
/* One ingest run (ingest.c): everything (jobs 1), or job's share of jobs -
 * the shards it owns of the hash archive o->db, or (parts) the articles
 * route.h gives it, into the scratch database o->db.  Prints its summary
 * unless counts is given.  Returns the exit status. */
int idx_add_run(const idx_opts *o, unsigned job, unsigned jobs, int parts,
                idx_add_counts *counts);
/* --jobs N (parallel.c). */
int idx_add_parallel(const idx_opts *o);
/* The archive --shard-by names, made when new; its spec must match. */
struct idx_err;
int idx_add_prepare_archive(const idx_opts *o, struct idx_err *err);
/* mkdir -p of the directories above path; 0 or -1 (errno). */
int idx_make_parents(const char *path);

/* idx add --format: by extension (.txt = text, else JSON Lines), or forced */
enum { IDX_FORMAT_AUTO = 0, IDX_FORMAT_JSONL, IDX_FORMAT_TEXT, IDX_FORMAT_HTML };

/* "idx: <msg>" on stderr. */
void idx_die_msg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));


#endif
