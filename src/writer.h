/* writer.h - the write path: article records in, committed batches out.
 *
 * Everything that stores articles goes through here: `idx add` (indexer/)
 * now, idxd's writer later.  An idx_writer holds one database or archive
 * open for writing.  Each article record it is given (a JSON object,
 * article.h) becomes a document (document.h), joins the cluster of its
 * near-duplicates (cluster.h), and goes into the open batch - into its shard
 * of an archive (archive.h) - replacing any earlier version with the same
 * id.  Every `batch` articles, and when asked, the batch is committed: atomic
 * and durable, so the database always holds a committed prefix of what it
 * was given, and a crash loses at most the open batch, never corrupts.
 * Opening settles the database's text options with the caller's wishes
 * (idx_schema_negotiate, recorded in the database) and, given a shard-by
 * SPEC, makes the archive when new or checks that it has that SPEC.
 *
 * A parallel build (idx_build) lets several writers, one per process, build
 * one database at once.  Every writer is given every article, in the same
 * order, and keeps its share (the others come back IDX_PUT_ELSEWHERE):
 *   - on an archive sharded by hash:N, the shards it owns, written in place;
 *   - for a new plain database, a part in a staging directory beside it
 *     (staging.h), route.h deciding which part takes an article so that the
 *     versions of an id and the reprints of a story stay together;
 *     idx_build_finish merges the parts (Xapian's compactor) and stores the
 *     result, so the database appears whole, compact, or not at all.
 * Making the processes is the caller's (indexer/parallel.c forks them).
 *
 * Errors: IDX_EINVAL means that what was asked cannot be done as asked
 * (options that disagree with the database; an article that is rejected):
 * the caller's mistake, and a writer carries on.  Any other code is the
 * database or the file system failing; a writer that failed so can only be
 * closed (its open batch is lost).  Messages are sentences for the user that
 * name the database; nothing here prints.
 */
#ifndef IDX_WRITER_H
#define IDX_WRITER_H

#include <stddef.h>
#include <stdint.h>

#include "document.h"
#include "err.h"
#include "staging.h"

/* Articles per commit by default, and in a part of a parallel build (a
 * scratch database nobody reads until the merge: there only speed counts,
 * and Xapian's in-memory inverter gets slower as a batch grows; see
 * bench/RESULTS.md). */
#define IDX_BATCH_DEFAULT 2000
#define IDX_BATCH_PART 500

typedef struct idx_writer_opts {
    const char *db;       /* a database or an archive; made (and the directories
                             above it) when missing */
    const char *shard_by; /* NULL, or the archive SPEC db must have (made when new) */
    idx_schema want;      /* text options wished for, each -1 when none
                             (idx_schema_negotiate) */
    unsigned batch;       /* articles per commit; 0: IDX_BATCH_DEFAULT, or
                             IDX_BATCH_PART in a part of a parallel build */
    int no_cluster;       /* no near-duplicate clustering */
} idx_writer_opts;

typedef struct idx_writer idx_writer;

/* Open o->db for writing; *out owned by the caller (idx_writer_close).
 * IDX_ELOCKED when another writer holds it; IDX_EINVAL when o->shard_by or
 * o->want disagree with the database, or when it is an archive whose stub
 * names no shard-by (no way to tell an article's shard). */
int idx_writer_open(const idx_writer_opts *o, idx_writer **out, idx_err *err);

/* What became of an article (idx_writer_put's *outcome). */
enum {
    IDX_PUT_ADDED = 1,     /* a new id, in the open batch */
    IDX_PUT_REPLACED = 2,  /* an id stored before (or earlier in the batch) */
    IDX_PUT_ELSEWHERE = 4, /* another writer's share of a parallel build */
    IDX_PUT_COMMITTED = 8, /* or'd in: the article closed its batch, committed */
};

/* Store the article record json[0..n).  Returns IDX_OK (*outcome says
 * what became of it), IDX_EINVAL when it is rejected (err says why, for the
 * user: not an article, e.g. no "id"; counted, nothing stored), or a
 * database error, after which only idx_writer_close is left.  *outcome (may
 * be NULL) then says how far it got: 0 (not stored), ADDED or REPLACED (it
 * was, but committing its batch failed), with COMMITTED too (the batch was
 * committed; opening the next one failed).  A record that cannot be read is
 * the share of job 0 of a parallel build: the others let it pass
 * (ELSEWHERE). */
int idx_writer_put(idx_writer *w, const char *json, size_t n, int *outcome, idx_err *err);

/* Put every article stored in src (a plain database, opened by the caller
 * to read) through w, in the order src stores them (its document ids: the
 * order they were first added, so reprints cluster as they did), as
 * idx_writer_put does - `idx reindex` rebuilding a database from its own
 * stored articles.  What became of them is in idx_writer_counts (a stored
 * record that is not an article any more is counted rejected, and
 * skipped).  Returns IDX_OK, or a database error of either side (err names
 * which). */
int idx_writer_put_stored(idx_writer *w, idx_db *src, idx_err *err);

/* Delete the article with id[0..n) in the open batch (a batch is closed by
 * puts or idx_writer_commit, not by deletions).  IDX_ENOTFOUND when there is
 * none (the writer carries on); IDX_EINVAL in a parallel build, where a
 * writer holds only a share. */
int idx_writer_delete(idx_writer *w, const char *id, size_t n, idx_err *err);

/* Set metadata key to value in the open batch: committed with it, in every
 * shard of an archive (idxd records the last journal record a commit holds,
 * journal.h). */
int idx_writer_set_metadata(idx_writer *w, const char *key, const char *value, idx_err *err);

/* Commit the open batch (also when it is empty: the database records the
 * time of its last update, and a new one its text options). */
int idx_writer_commit(idx_writer *w, idx_err *err);

typedef struct idx_write_counts {
    uint64_t added, replaced, deleted; /* committed */
    uint64_t pending;                  /* changes in the open batch */
    uint64_t rejected;                 /* records put refused */
} idx_write_counts;

/* The counts so far; the pointer is good until idx_writer_close. */
const idx_write_counts *idx_writer_counts(const idx_writer *w);

/* Close w (NULL ok); what was not committed is dropped. */
void idx_writer_close(idx_writer *w);

/* Keeping an incrementally written database compact.  Batch commits leave
 * Xapian's B-trees about half full, so a database that grows by commits
 * reaches twice the size a compaction gives it (bench/RESULTS.md).  The
 * size a database had when it was last made compact (a parallel build, a
 * compaction, `idx reindex`) is recorded in its metadata under
 * IDX_META_COMPACT_BYTES ("0" in one a writer made by commits, whose
 * compact size is not known yet); after its last commit, a writer of a plain
 * database that has grown past IDX_COMPACT_GROWTH times that (with "0",
 * past IDX_COMPACT_FIRST bytes) compacts it in place.  A database that
 * records nothing (made before idx recorded it) is left alone: `idx
 * reindex` makes it compact and records it.  Compacting:
 * Xapian's compactor writes a copy in a staging directory beside it, which
 * is swapped in in one step (renameat2 RENAME_EXCHANGE: readers and idxd see
 * the old database or the new one, whole) while w still holds the lock.  So
 * adding never leaves a database more than IDX_COMPACT_GROWTH times its
 * compact size.  *before and *after are its sizes when it was compacted
 * (both 0 when it was not); afterwards w can only be closed.  A failure
 * leaves the database as it was.  note (may be NULL) hears of stale staging
 * directories removed. */
#define IDX_META_COMPACT_BYTES "idx.compact_bytes"
#define IDX_COMPACT_GROWTH 1.5
#define IDX_COMPACT_FIRST (64ull << 20)
int idx_writer_compact_if_grown(idx_writer *w, unsigned long long *before,
                                unsigned long long *after, idx_note_fn note, void *ctx,
                                idx_err *err);

/* Record the size of the compact database in dir (just made, not in use)
 * under IDX_META_COMPACT_BYTES: one small commit. */
int idx_compacted_record(const char *dir, idx_err *err);

/* ---- parallel builds ---- */
typedef struct idx_build idx_build;

/* Prepare o->db to be built by jobs (2..256) writers at once: the archive
 * sharded by hash:N (N >= jobs) that it is or that o->shard_by makes, its
 * shards all made now; or, when it is nothing yet and o names no shard-by, a
 * new plain database built in parts (a staging directory made beside it,
 * held under its lock; stale ones of killed builds are removed, each told to
 * note (may be NULL) with ctx, as is a failure to remove its own again when
 * it cannot start).  o and its strings must outlive *out, which is owned by
 * the caller (idx_build_close).  IDX_EINVAL when o->db is neither kind of
 * target, IDX_ELOCKED when another build into o->db runs. */
int idx_build_open(const idx_writer_opts *o, unsigned jobs, idx_note_fn note, void *ctx,
                   idx_build **out, idx_err *err);

/* Does b build a new plain database in parts (merged by idx_build_finish)?
 * Else it writes the shards of an archive in place. */
int idx_build_parts(const idx_build *b);

/* The writer of job (0..jobs-1), opened as idx_writer_open does: meant to
 * run in a process of its own, which then leaves b alone (the process that
 * opened b finishes and closes it). */
int idx_build_writer(const idx_build *b, unsigned job, idx_writer **out, idx_err *err);

/* Once every job has committed: merge the parts into one compact database,
 * fsync it and rename it to o->db (nothing for an archive). */
int idx_build_finish(idx_build *b, idx_err *err);

/* Close b (NULL ok), removing its staging directory (a database not
 * finished is not stored).  IDX_EIO when the directory cannot be removed
 * (the next build into o->db removes it); b is freed all the same. */
int idx_build_close(idx_build *b, idx_err *err);

#endif
