/* writes.h - idxd's write path: tasks in, one writer thread, commits out.
 *
 * POST /docs and DELETE /docs/{id} (api.c) submit their payload here: it is
 * appended to the journal (src/journal.h) and fsync'd, and becomes task N
 * (N = its journal sequence number), answered 202 then.  The appends and
 * their fsync happen on a journal thread, not on the worker that read the
 * request, so the searches queued on that worker never wait for the disk;
 * the submissions that arrive while one fsync runs are appended together
 * and share the next (a group commit).  One writer
 * thread reads the journal in order, applies the records in batches through
 * the shared write path (src/writer.h: the same article checks, upserts by
 * id and near-duplicate clustering as `idx add`), and commits each batch
 * with the sequence number of its last record in the database's metadata
 * (IDX_META_JOURNAL_SEQ).  Starting, it resumes after that number: what a
 * crash left unapplied is replayed, nothing twice.
 *
 * The writer holds the database's write lock only while it applies a batch
 * (opened, applied, committed, closed), so `idx add` and `idx rm` can take
 * turns with it; while they hold the lock, tasks wait (a note on stderr
 * every 10 s says why) and are applied once it is free.
 *
 * Backpressure: the journal bytes not yet applied are counted; a submission
 * that would take them past max_queue is refused (the caller answers 429).
 *
 * Tasks: the last IDXD_TASKS_KEPT are kept in memory; finished ones are
 * also appended to JOURNAL.tasks (JSON Lines), read back at start, so GET
 * /tasks/N still answers after a restart.
 */
#ifndef IDXD_WRITES_H
#define IDXD_WRITES_H

#include <jansson.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"

#define IDXD_TASKS_KEPT 4096
#define IDXD_TASK_ERRORS 100 /* errors listed per task; the rest counted */

typedef struct idxd_writes idxd_writes;

typedef struct idxd_writes_opts {
    const char *db;      /* the database written (made on the first write when missing) */
    const char *journal; /* the journal file */
    uint64_t max_queue;  /* bytes submitted and not applied yet, at most */
    /* called by the writer thread after each commit (may be NULL) */
    void (*committed)(void *ctx);
    void *ctx;
} idxd_writes_opts;

/* Open the journal, read how far the database got, and start the writer
 * thread (which first replays what the database lacks).  *out owned by the
 * caller (idxd_writes_close); o's strings must outlive it.  Errors name
 * the journal or database (IDX_ELOCKED: another idxd writes it). */
int idxd_writes_open(const idxd_writes_opts *o, idxd_writes **out, idx_err *err);

/* Stop the writer thread: it applies what is queued for up to a few seconds
 * more (what is left stays in the journal, replayed at the next start), and
 * free everything. */
void idxd_writes_close(idxd_writes *w); /* NULL ok */

/* A submission in flight (idxd_writes_submit_async), owned by the caller,
 * which fills the first fields and must keep it until done is set. */
typedef struct idxd_append {
    int type;          /* IDX_JREC_DOCS or IDX_JREC_DELETE */
    const char *data;  /* the payload, the caller's until done */
    size_t n;
    void (*notify)(void *arg); /* called on the journal thread once done is set */
    void *notify_arg;
    /* set by the journal thread, then done (read them after done is 1) */
    int rc;            /* IDX_OK: durable, task numbered; else err says */
    uint64_t task;
    uint64_t cost;     /* (the queue bytes it reserved) */
    idx_err err;
    atomic_int done;
    struct idxd_append *next; /* (the journal thread's queue) */
} idxd_append;

/* Submit a without waiting for the disk: IDX_OK when it was queued (the
 * journal thread sets a->rc and a->task, then a->done, then calls
 * a->notify); *full set and IDX_OK when the queue is full, or IDX_ETOOBIG,
 * with nothing queued and notify not called.  Any thread. */
int idxd_writes_submit_async(idxd_writes *w, idxd_append *a, int *full, idx_err *err);

/* Task id as its JSON object (a new reference), or NULL when it is not
 * known (never given, or older than the tasks kept).  *done (may be NULL):
 * 1 when it succeeded or failed; *commit (may be NULL): the number of this
 * process's commit that finished it (idxd_writes_commits; 0: before this
 * process). Any thread. */
json_t *idxd_writes_task(idxd_writes *w, uint64_t id, int *done, uint64_t *commit);
/* The commits the writer thread has made (counted before the committed
 * callback runs). Any thread. */
uint64_t idxd_writes_commits(idxd_writes *w);

typedef struct idxd_writes_stats {
    uint64_t last_task;    /* the last task number given */
    uint64_t applied;      /* the last one the database holds */
    uint64_t queue_bytes;  /* submitted, not applied */
    uint64_t max_queue;
    uint64_t journal_bytes;
    uint64_t commits;      /* made by this process */
    int waiting_for_lock;  /* another writer holds the database now */
} idxd_writes_stats;
void idxd_writes_get_stats(idxd_writes *w, idxd_writes_stats *st);

#endif
