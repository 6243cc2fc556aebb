/* xap.h - the plain C face of Xapian (implemented in xap.cc, the only C++).
 *
 * It wraps Xapian's objects and nothing more: readers (idx_xrd, a
 * Xapian::Database: one database, or the union of several, local or served
 * by xapian-tcpsrv), writers (idx_xwr, a Xapian::WritableDatabase),
 * documents (idx_xdoc), queries (idx_xq) and the search over a reader.
 * What idx builds on them (a database or an archive of shards, the shards
 * that are missing, routing an article to its shard) is db.h.
 *
 * Handles are opaque.  Every function catches every C++ exception and turns
 * it into an idx_err: DatabaseLockError -> IDX_ELOCKED, DocNotFoundError ->
 * IDX_ENOTFOUND, DatabaseOpening/NotFound -> IDX_ENODB, InvalidArgument ->
 * IDX_EINVAL, DatabaseModifiedError past the retry (below) -> IDX_EMODIFIED,
 * std::bad_alloc -> IDX_ENOMEM, any other Xapian::Error ->
 * IDX_EDB with "Type: message"; its where is "xap.OP" (the operation).  Reads on a database that a writer has moved
 * on reopen() and retry once (DatabaseModifiedError).  A read that fails
 * because a remote database went away (NetworkError) fails like any other;
 * idx_xrd_lost() then tells the caller, who may open the union afresh
 * without it and ask again.  There is no tokenizing and no JSON in here:
 * callers hand over finished terms and bytes.
 */
#ifndef IDX_XAP_H
#define IDX_XAP_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct idx_xrd idx_xrd;
typedef struct idx_xwr idx_xwr;
typedef struct idx_xdoc idx_xdoc;
typedef struct idx_xq idx_xq;

/* ---- readers ---- */

/* Open the database at path (a directory) to read; *out is owned by the
 * caller (idx_xrd_close). */
int idx_xrd_open(const char *path, idx_xrd **out, idx_err *err);

enum {
    IDX_XRD_REMOTE = 1 /* some of the union's databases are (or may be) served by
                          xapian-tcpsrv, which runs only Xapian's own code: its
                          searches use no match spy or posting source of idx's */
};
/* An empty union (flags IDX_XRD_*), owned by the caller (idx_xrd_close), to
 * add databases to.  Its databases are searched as one, with global
 * statistics (scores are those of one database holding everything); its
 * revision is the sum of theirs. */
int idx_xrd_new(unsigned flags, idx_xrd **out, idx_err *err);
/* Add the database at path, or the one xapian-tcpsrv serves at host:port
 * (connecting, and then each operation, within timeout_ms), to the union
 * rd.  When Xapian cannot open it, rd is unchanged and *why (malloc'd, for
 * the caller to free) is Xapian's description of the error ("NetworkError:
 * ..."); else *why is NULL.  Either way IDX_OK: only other failures (out of
 * memory) are errors. */
int idx_xrd_add_local(idx_xrd *rd, const char *path, char **why, idx_err *err);
int idx_xrd_add_remote(idx_xrd *rd, const char *host, unsigned port, unsigned timeout_ms,
                       char **why, idx_err *err);
/* Add what the writer w holds to the union rd, its uncommitted changes
 * included; w must stay open as long as rd. */
int idx_xrd_add_writer(idx_xrd *rd, idx_xwr *w, idx_err *err);
void idx_xrd_close(idx_xrd *rd); /* NULL ok */
/* Move rd to the latest committed revision of its databases; or, with path
 * (rd from idx_xrd_open), open the database at path afresh in place of the
 * one rd holds (which was replaced: a build moved into place); rd is
 * unchanged when that fails. */
int idx_xrd_reopen(idx_xrd *rd, const char *path, idx_err *err);
/* Did the last read on rd fail because a remote database went away
 * (Xapian::NetworkError, on the first try: not on the retry after a
 * DatabaseModifiedError)? */
int idx_xrd_lost(const idx_xrd *rd);

/* Stored data of the document holding the unique term uid, malloc'd and
 * NUL-terminated for the caller (free()).  IDX_ENOTFOUND if none. */
int idx_xrd_get_data(idx_xrd *rd, const char *uid, size_t uidlen, char **data, size_t *len,
                     idx_err *err);
/* Stored data of document docid (as above); IDX_ENOTFOUND when there is none. */
int idx_xrd_doc_data(idx_xrd *rd, unsigned docid, char **data, size_t *len, idx_err *err);
/* *value is malloc'd ("" when unset; a union's from its first database). */
int idx_xrd_get_metadata(idx_xrd *rd, const char *key, char **value, idx_err *err);
/* The metadata of key read as a whole number (unset or not a number: 0) in
 * each database of rd (each part of a union, at the revision the union
 * reads): the smallest in *min, the largest in *max. */
int idx_xrd_meta_range(idx_xrd *rd, const char *key, uint64_t *min, uint64_t *max,
                       idx_err *err);
/* The value in slot of document docid, read as a sortable_serialise'd
 * number (*v 0 when the slot is empty); IDX_ENOTFOUND when there is no such
 * document. */
int idx_xrd_doc_number(idx_xrd *rd, unsigned docid, unsigned slot, double *v, idx_err *err);
/* Number of documents indexed by term. */
int idx_xrd_term_freq(idx_xrd *rd, const char *term, size_t n, uint64_t *freq, idx_err *err);
/* The terms starting with prefix (at most max, in term order), each with
 * its document count; *out (an array of *nout) owned by the caller
 * (idx_terms_free). */
typedef struct idx_term_freq {
    char *term; /* malloc'd, NUL-terminated */
    size_t len;
    uint64_t freq;
} idx_term_freq;
int idx_xrd_terms_prefix(idx_xrd *rd, const char *prefix, size_t n, size_t max,
                         idx_term_freq **out, size_t *nout, idx_err *err);
void idx_terms_free(idx_term_freq *t, size_t n);

typedef struct idx_xstats {
    uint64_t documents;
    uint64_t total_length; /* sum of document lengths: indexed term occurrences */
    double avg_length;
    uint64_t revision;     /* a union's: the sum of its databases' (it grows with every
                              commit to any; a remote one counts 0) */
    uint64_t last_docid;
    int has_positions;
    uint64_t identity; /* a hash of the database's UUIDs: a database built elsewhere and
                          moved into place has another, even at the same revision */
} idx_xstats;
int idx_xrd_stats(idx_xrd *rd, idx_xstats *st, idx_err *err);

/* "More like this": the query of the nterms content terms that best tell the
 * document with unique term uid apart (Xapian's relevance-feedback
 * expansion, an ESet over an RSet of that one document), OR'd.  Prefixed
 * terms (ids, titles, filters) and single CJK characters are left out.
 * *out owned by the caller; IDX_ENOTFOUND when there is no such document,
 * IDX_EINVAL when it has no usable terms. */
int idx_xrd_more_like(idx_xrd *rd, const char *uid, size_t uidlen, unsigned nterms,
                      idx_xq **out, idx_err *err);

/* ---- near-duplicate lookup (cluster.c) ---- */
typedef struct idx_near_cand {
    unsigned docid;  /* in the reader's own numbering, for idx_xrd_doc_data */
    char *sig;       /* the value of sig_slot (malloc'd, NUL-terminated) */
    size_t siglen;
    char *key;       /* the value of key_slot (malloc'd, NUL-terminated) */
    size_t keylen;
} idx_near_cand;
/* The documents indexed by any of terms[0..n) (at most max of them, those
 * met first), with two of their values.  A union with a writer sees its
 * uncommitted changes.  *out (idx_near_cands_free) belongs to the caller. */
int idx_xrd_near_candidates(idx_xrd *rd, const char *const *terms, const size_t *lens, size_t n,
                            unsigned sig_slot, unsigned key_slot, size_t max,
                            idx_near_cand **out, size_t *nout, idx_err *err);
void idx_near_cands_free(idx_near_cand *c, size_t n);

/* ---- compaction (Xapian's compactor) ---- */
/* Write everything rd holds (a union merged) as one new, compact database
 * at dst, which must not exist yet (IDX_EINVAL).  IDX_EMODIFIED when a
 * writer committed twice during the copy and the revision read is gone: dst
 * is left half-written for the caller to remove (not retried in here). */
int idx_xrd_compact(idx_xrd *rd, const char *dst, idx_err *err);
/* Merge the databases at srcs[0..n) into one new compact database at dst
 * (must not exist yet), documents renumbered in srcs order; user metadata of
 * each key from the first source that has it. */
int idx_xap_merge(const char *const *srcs, size_t n, const char *dst, idx_err *err);

/* Xapian's own consistency check (Xapian::Database::check) of the database
 * directory at path: *errors the problems it found, *report (may be NULL)
 * its words (malloc'd, the caller frees).  IDX_EDB when it cannot be
 * checked at all (no database there, or one too damaged to open). */
int idx_xap_check(const char *path, uint64_t *errors, char **report, idx_err *err);

/* What `idx check` looks at in one document (pointers valid during the
 * callback only). */
typedef struct idx_doc_facts {
    unsigned docid;
    const char *uid;      /* its first unique-id term (uid_prefix...), NULL if none */
    size_t uidlen;
    unsigned nuids;       /* unique-id terms it has */
    const char *cluster;  /* its value in cluster_slot ("" when none) */
    size_t clusterlen;
    int in_cluster;       /* it has the term cluster_prefix + that value */
    unsigned nclusters;   /* cluster_prefix terms it has */
    const char *data;     /* its stored article */
    size_t datalen;
} idx_doc_facts;
typedef int (*idx_doc_visit_fn)(void *ctx, const idx_doc_facts *f, idx_err *err);

/* fn for every document of rd in docid order; stops at fn's first error.
 * The prefixes and the slot are the schema's (document.h), which this file
 * does not know. */
int idx_xrd_each_doc(idx_xrd *rd, const char *uid_prefix, const char *cluster_prefix,
                     unsigned cluster_slot, idx_doc_visit_fn fn, void *ctx, idx_err *err);

/* ---- writers ---- */
enum {
    IDX_XWR_NO_SYNC = 1 /* commits skip fsync: a crash may lose the last ones */
};
/* Open the database at path to write (created when missing; flags
 * IDX_XWR_*); *out owned by the caller (idx_xwr_close).  A second writer
 * gets IDX_ELOCKED. */
int idx_xwr_open(const char *path, unsigned flags, idx_xwr **out, idx_err *err);
/* NULL ok; an open transaction is cancelled. */
void idx_xwr_close(idx_xwr *w);

/* libxapian 1.4 can end the process: when a commit fails on a write (a full
 * disk) while value chunks are merged, the ValueUpdater's destructor writes
 * again during the unwinding, and the second exception calls
 * std::terminate (glass_values.cc; still so in 1.4.28).  The revision on
 * disk is the last one committed (the new one never got its version file).
 * Install hook as what runs then (a terminate inside idx_xwr_commit; any
 * other aborts as it would): it gets the exception as an idx_err
 * (classified as every other Xapian error here) and should end the process
 * with its own message; if it returns, the message is printed and the
 * process aborts.  Process-wide; NULL leaves the message and the abort. */
void idx_xap_on_fatal(void (*hook)(const idx_err *err));
/* Transactions: begin, then commit or cancel.  A commit is atomic and
 * durable (unless IDX_XWR_NO_SYNC); a failed one ends the transaction too.
 * Outside a transaction commit commits what was changed, cancel does
 * nothing. */
int idx_xwr_begin(idx_xwr *w, idx_err *err);
int idx_xwr_commit(idx_xwr *w, idx_err *err);
int idx_xwr_cancel(idx_xwr *w, idx_err *err);
int idx_xwr_in_txn(const idx_xwr *w); /* is a transaction open? */
/* Replace the document holding the unique term uid (or add it); *existed
 * (may be NULL) tells which.  The document is copied; the caller still owns
 * it. */
int idx_xwr_replace(idx_xwr *w, const char *uid, size_t uidlen, const idx_xdoc *doc,
                    int *existed, idx_err *err);
/* Delete the document holding uid, if any; *found tells whether there was one. */
int idx_xwr_delete(idx_xwr *w, const char *uid, size_t uidlen, int *found, idx_err *err);
int idx_xwr_set_metadata(idx_xwr *w, const char *key, const char *value, idx_err *err);

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
/* And back (Xapian::sortable_unserialise). */
double idx_sortable_unserialise(const char *v, size_t n);

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
/* Every document, weighted max_weight * len / (len + half_len) by its
 * length (the sum of its terms' wdf): a prior for substantive articles, or
 * (ANDed with a subquery) evidence that counts for little in a one-line
 * notice.  A PostingSource of idx's own: not on remote shards. */
int idx_xq_length(double max_weight, double half_len, idx_xq **out, idx_err *err);
/* Subqueries (terms or OR of terms) within window positions of each other,
 * in any order; weight the sum of theirs. */
int idx_xq_near(idx_xq *const *subs, size_t n, unsigned window, idx_xq **out, idx_err *err);
/* Every document (weight 0). */
int idx_xq_all(idx_xq **out, idx_err *err);
/* q with its weights multiplied by factor (0: a pure filter). */
int idx_xq_scale(const idx_xq *q, double factor, idx_xq **out, idx_err *err);
/* Xapian's description, malloc'd. */
int idx_xq_describe(const idx_xq *q, char **out, idx_err *err);
void idx_xq_free(idx_xq *q);

/* ---- searching ---- */
enum { IDX_SORT_RELEVANCE = 0, IDX_SORT_DATE_ASC = 1, IDX_SORT_DATE_DESC = 2 };
/* search.h's fourth order (sort=revision): here IDX_SORT_DATE_ASC on the
 * revision's slot */
#define IDX_SORT_REVISION 3

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
                                    timed_out (not on an IDX_XRD_REMOTE union, where
                                    Xapian's own time limit is set instead) */
    double deadline_hard;        /* and to stop at even without a page (0: deadline) */
    double bm25_k1, bm25_b;      /* BM25's parameters (0: Xapian's defaults, 1 and 0.5) */
    int with_number;             /* read each hit's value of number_slot (idx_hit.number) */
    unsigned number_slot;
    int hist;                    /* count every value of hist_slot over every match, as */
    unsigned hist_slot;          /* facets count (idx_results.hist) */
} idx_search_opts;

typedef struct idx_hit {
    unsigned docid;
    double score;
    unsigned rank;  /* 0-based rank in the whole result list */
    char *data;     /* stored data, malloc'd, NUL-terminated */
    size_t data_len;
    char *key;      /* with_key: the value of key_slot (malloc'd; "" when unset) */
    size_t key_len;
    double number;  /* with_number: number_slot's sortable value (0 when unset) */
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
                                          check_at_least articles match (not on an
                                          IDX_XRD_REMOTE union: Xapian's estimates) */
    int exact;      /* lower == upper */
    int timed_out;  /* the deadline stopped the match: hits and counts are of the
                       documents matched until then (exact is 0) */
    size_t nhits;
    idx_hit *hits;
    size_t nfacets; /* as asked in idx_search_opts, same order */
    idx_facet *facets;
    idx_facet hist; /* hist: every value of hist_slot and its count, in value order */
} idx_results;

/* Run q over rd; *out owned by the caller (idx_results_free). */
int idx_xrd_search(idx_xrd *rd, const idx_xq *q, const idx_search_opts *opts,
                   idx_results **out, idx_err *err);
void idx_results_free(idx_results *r);

#ifdef __cplusplus
}
#endif
#endif
