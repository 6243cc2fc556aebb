/* xap.h - the plain C face of Xapian (implemented in xap.cc, the only C++).
 *
 * Handles are opaque.  Every function catches every C++ exception and turns
 * it into an idx_err: DatabaseLockError -> IDX_ELOCKED, DocNotFoundError ->
 * IDX_ENOTFOUND, DatabaseOpening/NotFound -> IDX_ENODB, InvalidArgument ->
 * IDX_EINVAL, std::bad_alloc -> IDX_ENOMEM, any other Xapian::Error ->
 * IDX_EDB with "Type: message".  Reads on a database that a writer has moved
 * on reopen() and retry once (DatabaseModifiedError).  There is no tokenizing
 * and no JSON in here: callers hand over finished terms and bytes.
 *
 * A path may name a database directory or a Xapian stub database file.
 */
#ifndef IDX_XAP_H
#define IDX_XAP_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct idx_db idx_db;
typedef struct idx_xdoc idx_xdoc;
typedef struct idx_xq idx_xq;

/* ---- databases ---- */
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
 * is gone gives IDX_ENODB. */
int idx_db_reopen(idx_db *db, idx_err *err);

/* Transactions (writers): begin, then commit or cancel.  A commit is atomic
 * and durable (fsync); a crash loses only the open transaction. */
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
 * compact database at dst, which must not exist yet (Xapian's compactor). */
int idx_db_compact(idx_db *db, const char *dst, idx_err *err);
/* Merge the plain databases srcs[0..n) into one new compact database at dst
 * (must not exist yet), documents renumbered in srcs order; user metadata of
 * each key from the first source that has it (Xapian's compactor). */
int idx_db_merge(const char *const *srcs, size_t n, const char *dst, idx_err *err);
/* Delete the document holding uid; IDX_ENOTFOUND if none. */
int idx_db_delete(idx_db *db, const char *uid, size_t uidlen, idx_err *err);
/* Stored data of the document holding uid, malloc'd and NUL-terminated for
 * the caller (free()).  IDX_ENOTFOUND if none. */
int idx_db_get_data(idx_db *db, const char *uid, size_t uidlen, char **data, size_t *len,
                    idx_err *err);

int idx_db_set_metadata(idx_db *db, const char *key, const char *value, idx_err *err);
/* *value is malloc'd ("" when unset). */
int idx_db_get_metadata(idx_db *db, const char *key, char **value, idx_err *err);

typedef struct idx_db_stats {
    uint64_t documents;
    uint64_t total_length; /* sum of document lengths: indexed term occurrences */
    double avg_length;
    uint64_t revision;
    uint64_t last_docid;
    int has_positions;
    uint64_t identity; /* a hash of the database's UUIDs: a database built elsewhere and
                          moved into place has another, even at the same revision */
} idx_db_stats;
int idx_db_get_stats(idx_db *db, idx_db_stats *st, idx_err *err);
/* "More like this": the query of the nterms content terms that best tell the
 * document with unique term uid apart (Xapian's relevance-feedback
 * expansion, an ESet over an RSet of that one document), OR'd.  Prefixed
 * terms (ids, titles, filters) and single CJK characters are left out.
 * *out owned by the caller; IDX_ENOTFOUND when there is no such document,
 * IDX_EINVAL when it has no usable terms. */
int idx_db_more_like(idx_db *db, const char *uid, size_t uidlen, unsigned nterms,
                     struct idx_xq **out, idx_err *err);

/* ---- near-duplicate lookup (cluster.c) ---- */
typedef struct idx_near_cand {
    unsigned docid;  /* in db's own numbering, for idx_db_doc_data */
    char *sig;       /* the value of sig_slot (malloc'd, NUL-terminated) */
    size_t siglen;
    char *key;       /* the value of key_slot (malloc'd, NUL-terminated) */
    size_t keylen;
} idx_near_cand;
/* The documents indexed by any of terms[0..n) (at most max of them, those
 * met first), with two of their values.  A writer sees its uncommitted
 * changes.  *out (idx_near_cands_free) belongs to the caller. */
int idx_db_near_candidates(idx_db *db, const char *const *terms, const size_t *lens, size_t n,
                           unsigned sig_slot, unsigned key_slot, size_t max, idx_near_cand **out,
                           size_t *nout, idx_err *err);
void idx_near_cands_free(idx_near_cand *c, size_t n);
/* Stored data of document docid (as above), malloc'd and NUL-terminated;
 * IDX_ENOTFOUND when there is none. */
int idx_db_doc_data(idx_db *db, unsigned docid, char **data, size_t *len, idx_err *err);

/* Number of documents indexed by term. */
int idx_db_term_freq(idx_db *db, const char *term, size_t n, uint64_t *freq, idx_err *err);

/* ---- documents to index ---- */
int idx_xdoc_new(idx_xdoc **out, idx_err *err);
void idx_xdoc_free(idx_xdoc *doc);
/* term at position pos (wdf +1). */
int idx_xdoc_add_posting(idx_xdoc *doc, const char *t, size_t n, uint32_t pos, idx_err *err);
/* term without position (wdf +1). */
int idx_xdoc_add_term(idx_xdoc *doc, const char *t, size_t n, idx_err *err);
/* filter term: no position, wdf 0. */
int idx_xdoc_add_boolean_term(idx_xdoc *doc, const char *t, size_t n, idx_err *err);
int idx_xdoc_set_value(idx_xdoc *doc, unsigned slot, const char *v, size_t n, idx_err *err);
int idx_xdoc_set_data(idx_xdoc *doc, const char *d, size_t n, idx_err *err);

/* Xapian::sortable_serialise: bytes that sort like the double. Returns
 * length (<= 18). */
size_t idx_sortable_serialise(double v, char out[18]);

/* ---- queries (each returned handle is owned by the caller: idx_xq_free) ---- */
enum { IDX_XQ_AND, IDX_XQ_OR, IDX_XQ_AND_NOT, IDX_XQ_AND_MAYBE, IDX_XQ_FILTER };

int idx_xq_term(const char *t, size_t n, idx_xq **out, idx_err *err);
/* Terms in this order within `window` positions (0: exactly adjacent). */
int idx_xq_phrase(const char *const *terms, const size_t *lens, size_t nterms, unsigned window,
                  idx_xq **out, idx_err *err);
/* Combine subqueries (copied; caller keeps its handles). */
int idx_xq_combine(int op, idx_xq *const *subs, size_t n, idx_xq **out, idx_err *err);
/* Value range on slot; lo or hi NULL for an open end. */
int idx_xq_value_range(unsigned slot, const char *lo, size_t lolen, const char *hi, size_t hilen,
                       idx_xq **out, idx_err *err);
/* Terms starting with prefix (OR of up to max_expansion most frequent;
 * 0 = all of them). */
int idx_xq_prefix(const char *p, size_t n, unsigned max_expansion, idx_xq **out, idx_err *err);
/* Freshness: every document with a value in slot (a sortable_serialise'd
 * time in seconds), weighted max_weight * 2^(-(now - time) / half_life_s);
 * meant as the optional side of an AND_MAYBE. */
int idx_xq_recency(unsigned slot, double now, double half_life_s, double max_weight,
                   idx_xq **out, idx_err *err);
/* Every document (weight 0). */
int idx_xq_all(idx_xq **out, idx_err *err);
/* q with its weights multiplied by factor (0: a pure filter). */
int idx_xq_scale(const idx_xq *q, double factor, idx_xq **out, idx_err *err);
/* Xapian's description, malloc'd. */
int idx_xq_describe(const idx_xq *q, char **out, idx_err *err);
void idx_xq_free(idx_xq *q);

/* ---- searching ---- */
enum { IDX_SORT_RELEVANCE = 0, IDX_SORT_DATE_ASC = 1, IDX_SORT_DATE_DESC = 2 };

typedef struct idx_search_opts {
    unsigned offset, limit;
    int sort;               /* IDX_SORT_* */
    unsigned sort_slot;     /* value slot for date sorts */
    unsigned check_at_least;/* count at least this many matches exactly */
    const unsigned *facet_slots; /* count the values of these slots over */
    size_t nfacets;              /* every match (then all are checked) */
    unsigned facet_limit;        /* most frequent values kept per slot */
    int with_key;                /* read each hit's value of key_slot (idx_hit.key) */
    int no_data;                 /* hits without their stored data (idx_hit.data NULL) */
    int collapse;                /* keep only the best hit per non-empty key_slot value */
    unsigned key_slot;
    double deadline;             /* idx_clock() time to stop matching at (0: none) once
                                    a page (offset + limit) has been matched: the hits and
                                    counts of what was matched by then come back, marked
                                    timed_out (not on archives with remote shards, where
                                    Xapian's own time limit is set instead) */
    double deadline_hard;        /* and to stop at even without a page (0: deadline) */
} idx_search_opts;

typedef struct idx_hit {
    unsigned docid;
    double score;
    unsigned rank;  /* 0-based rank in the whole result list */
    char *data;     /* stored data, malloc'd, NUL-terminated */
    size_t data_len;
    char *key;      /* with_key: the value of key_slot (malloc'd; "" when unset) */
    size_t key_len;
    unsigned collapsed; /* collapse: hits of the same key left out (a lower bound) */
} idx_hit;

typedef struct idx_facet_value {
    char *value; /* malloc'd, NUL-terminated */
    size_t len;
    uint64_t count;
} idx_facet_value;

typedef struct idx_facet {
    unsigned slot;
    size_t nvalues;         /* most frequent first */
    idx_facet_value *values;
} idx_facet;

typedef struct idx_results {
    uint64_t estimated, lower, upper; /* with collapse: clusters (an article without a
                                          key counts as one), exact when at most
                                          check_at_least articles match */
    int exact;      /* lower == upper */
    int timed_out;  /* the deadline stopped the match: hits and counts are of the
                       documents matched until then (exact is 0) */
    size_t nhits;
    idx_hit *hits;
    size_t nfacets; /* as asked in idx_search_opts, same order */
    idx_facet *facets;
} idx_results;

/* Run q; *out owned by the caller (idx_results_free). */
int idx_db_search(idx_db *db, const idx_xq *q, const idx_search_opts *opts, idx_results **out,
                  idx_err *err);
void idx_results_free(idx_results *r);

#ifdef __cplusplus
}
#endif
#endif
