/* db.h - an index as idx opens it: one Xapian database, or an archive
 * (archive.h) whose shards are searched and written as one.
 *
 * Implemented in db.c over the Xapian shim (xap.h), which it includes: the
 * handles, documents, queries and search types are the shim's.  This layer
 * owns what an archive adds: which shards there are (the stub), a reader's
 * union of the shards that open (local, or remote within a timeout), the
 * missing ones ("NAME: why") and how often they are tried again, opening
 * the union afresh when the stub changes, a remote shard goes away or a
 * directory is replaced; a writer's shards, each with its own transaction,
 * routing a document to the shard for its key (made, and added to the stub,
 * when new), moving it between shards, and metadata for shards made later.
 * A plain database is the same API over one Xapian database.
 *
 * Errors are the shim's (xap.h, where "xap.op"), and this layer's own
 * (where "db.op").  A handle is used by one thread at a time.
 */
#ifndef IDX_DB_H
#define IDX_DB_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "xap.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct idx_db idx_db;

enum {
    IDX_DB_READ = 0,
    IDX_DB_WRITE = 1,  /* create if missing */
    IDX_DB_SCRATCH = 2 /* a plain writer whose commits skip fsync: a staging
                          database that is merged (idx_db_merge) before anything
                          relies on it; a crash may lose its last commits */
};

/* Open path; *out is owned by the caller (idx_db_close).  A second writer
 * gets IDX_ELOCKED.  path may be an archive (archive.h: a stub file, or a
 * directory holding XAPIANDB): readers search the union of its shards (global
 * statistics, so scores are those of one database holding everything) and
 * carry on without a shard that cannot be opened (idx_db_nmissing); writers
 * open every local shard. */
int idx_db_open(const char *path, int mode, idx_db **out, idx_err *err);
/* A writer of an archive that opens only the shards parallel writer job of
 * jobs owns (idx_archive_shard_owner); the others are left to other
 * processes.  An article must then only go to a shard this job owns. */
int idx_db_open_part(const char *path, unsigned job, unsigned jobs, idx_db **out, idx_err *err);
void idx_db_close(idx_db *db); /* NULL ok; uncommitted changes are dropped */
/* Move a reader to the latest committed revision.  A database directory
 * (or an archive's stub or a local shard) replaced since it was opened (a
 * build moved into place: another inode) is opened afresh, whole; one that
 * is gone gives IDX_ENODB.  An archive whose stub was rewritten, or whose
 * missing shards were last tried a while ago (1 s, doubling up to 30 s while
 * they stay away), is opened afresh too. */
int idx_db_reopen(idx_db *db, idx_err *err);

/* Transactions (writers): begin, then commit or cancel.  A commit is atomic
 * and durable (fsync); a crash loses only the open transaction.  In an
 * archive each shard commits on its own: each commit is atomic, the set of
 * them is not. */
int idx_db_begin(idx_db *db, idx_err *err);
int idx_db_commit(idx_db *db, idx_err *err);
int idx_db_cancel(idx_db *db, idx_err *err);

/* Replace the document holding unique term uid (or add it); *existed (may be
 * NULL) tells which.  The document is copied; the caller still owns it. */
int idx_db_replace(idx_db *db, const char *uid, size_t uidlen, const idx_xdoc *doc, int *existed,
                   idx_err *err);
/* The same in an archive (archive.h): into the shard for shard_key (made
 * when new), deleting the article from any other shard it was in (its date
 * changed), so there is never a second copy; *existed counts those too.  On a
 * plain database shard_key is ignored. */
int idx_db_replace_in(idx_db *db, const char *shard_key, const char *uid, size_t uidlen,
                      const idx_xdoc *doc, int *existed, idx_err *err);
/* An archive's shard-by SPEC ("" for a plain database or a stub without one). */
const char *idx_db_shard_by(const idx_db *db);
/* Shards (1 for a plain database), and those a reader could not open: each
 * described as "NAME: why".  Searches run over the others. */
size_t idx_db_nshards(const idx_db *db);
int idx_db_is_archive(const idx_db *db);
/* Does it have remote shards?  (They cannot run idx's own weighting code,
 * e.g. the recency boost: xapian-tcpsrv knows only Xapian's own.) */
int idx_db_has_remote(const idx_db *db);
size_t idx_db_nmissing(const idx_db *db);
const char *idx_db_missing(const idx_db *db, size_t i);
/* Per-operation timeout for remote shards (xapian-tcpsrv), process-wide;
 * default 5000 ms. */
void idx_db_set_remote_timeout(unsigned ms);
/* Write everything db holds (all shards of an archive, merged) as one new,
 * compact database at dst, which must not exist yet (Xapian's compactor).
 * IDX_ENODB when a shard is missing; IDX_EMODIFIED when writers moved on
 * past the revision being copied (remove dst, reopen, try again). */
int idx_db_compact(idx_db *db, const char *dst, idx_err *err);
/* Merge the plain databases srcs[0..n) into one new compact database at dst
 * (must not exist yet), documents renumbered in srcs order; user metadata of
 * each key from the first source that has it (Xapian's compactor). */
int idx_db_merge(const char *const *srcs, size_t n, const char *dst, idx_err *err);
/* Delete the document holding uid (from every shard holding it);
 * IDX_ENOTFOUND if none. */
int idx_db_delete(idx_db *db, const char *uid, size_t uidlen, idx_err *err);
/* Stored data of the document holding uid, malloc'd and NUL-terminated for
 * the caller (free()).  IDX_ENOTFOUND if none. */
int idx_db_get_data(idx_db *db, const char *uid, size_t uidlen, char **data, size_t *len,
                    idx_err *err);

/* A writer of an archive sets it in every shard, and in those it makes later. */
int idx_db_set_metadata(idx_db *db, const char *key, const char *value, idx_err *err);
/* *value is malloc'd ("" when unset). */
int idx_db_get_metadata(idx_db *db, const char *key, char **value, idx_err *err);

/* The shim's statistics (xap.h) of everything db holds; an archive's
 * revision is the sum of its shards'. */
typedef idx_xstats idx_db_stats;
int idx_db_get_stats(idx_db *db, idx_db_stats *st, idx_err *err);
/* "More like this" (idx_xrd_more_like) over everything db holds. */
int idx_db_more_like(idx_db *db, const char *uid, size_t uidlen, unsigned nterms,
                     idx_xq **out, idx_err *err);

/* Near-duplicate candidates (idx_xrd_near_candidates; a writer sees its
 * uncommitted changes), and the stored data of one by its docid
 * (idx_xrd_doc_data). */
int idx_db_near_candidates(idx_db *db, const char *const *terms, const size_t *lens, size_t n,
                           unsigned sig_slot, unsigned key_slot, size_t max, idx_near_cand **out,
                           size_t *nout, idx_err *err);
int idx_db_doc_data(idx_db *db, unsigned docid, char **data, size_t *len, idx_err *err);
/* The number in value slot of document docid (idx_xrd_doc_number). */
int idx_db_doc_number(idx_db *db, unsigned docid, unsigned slot, double *v, idx_err *err);
/* The revision db is at (IDX_META_REV, document.h: every commit of idx's
 * write path counts one; 0 for a database from before revisions).  An
 * archive's shards are committed one after another, so *rev is the
 * smallest of its shards' (a revision counts once every shard has it) and
 * *max (may be NULL) the largest: a writer's next revision is *max + 1. */
int idx_db_revision(idx_db *db, uint64_t *rev, uint64_t *max, idx_err *err);
/* fn for every document (idx_xrd_each_doc with the schema's id and cluster
 * terms, document.h), for `idx check`. */
int idx_db_each_doc(idx_db *db, idx_doc_visit_fn fn, void *ctx, idx_err *err);

/* Number of documents indexed by term. */
int idx_db_term_freq(idx_db *db, const char *term, size_t n, uint64_t *freq, idx_err *err);
/* The terms starting with prefix (idx_xrd_terms_prefix); *out owned by the
 * caller (idx_terms_free). */
int idx_db_terms_prefix(idx_db *db, const char *prefix, size_t n, size_t max,
                        idx_term_freq **out, size_t *nout, idx_err *err);

/* Run q (idx_xrd_search); *out owned by the caller (idx_results_free).  On an
 * archive with remote shards, Xapian's own counts and time limit. */
int idx_db_search(idx_db *db, const idx_xq *q, const idx_search_opts *opts, idx_results **out,
                  idx_err *err);

#ifdef __cplusplus
}
#endif
#endif
