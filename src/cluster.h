/* cluster.h - near-duplicate clusters: is a new article a reprint of one
 * already stored, and if so, of which cluster.
 *
 * Signature: a one-permutation MinHash of the body's shingles (the very
 * shingles neardup.h compares: 4 letters/digits as the one normalizer folds
 * them), IDX_SIG_BINS 32-bit minima, stored in IDX_SLOT_SIG.  A body with
 * fewer than IDX_SIG_MIN_SHINGLES distinct shingles gets none and is never
 * clustered (too short to tell a reprint from a stock phrase).
 * Candidates: locality-sensitive banding.  The bins are cut into
 * IDX_SIG_BANDS bands of IDX_SIG_ROWS; each band is one filter term
 * XB<band><hash>.  Two bodies of similarity J share a band with probability
 * 1 - (1 - J^3)^16: 0.88 at J = 0.5, 0.97 at 0.6, 0.998 at 0.7, 0.007 at 0.1.
 * Decision: candidates are ranked by the fraction of equal bins (an
 * estimate of J); the best few at or above IDX_CLUSTER_PREFILTER are
 * compared exactly (idx_text_same_story of the stored bodies: similarity at
 * least IDX_NEARDUP_THRESHOLD, or a copy cut short) - the same line as
 * "reprint" in related articles - and the most similar such one gives its
 * cluster.  Otherwise the article starts a cluster keyed "ID#HASH": its own
 * id (clipped to IDX_CLUSTER_KEY_ID bytes) and a hash of the id with the
 * signature.  A key stays with its cluster after the founding member is
 * deleted or changed, and never names another: the same id given later to
 * an unrelated story starts a new cluster (with an id alone as the key, the
 * old cluster's reprints would have been folded into the unrelated story).
 * Databases built before keep their id-only keys; they cluster alike.
 * Stored: the key in IDX_SLOT_CLUSTER (Xapian's collapse key for searches)
 * and as the filter term XD<key> (a cluster's members).
 */
#ifndef IDX_CLUSTER_H
#define IDX_CLUSTER_H
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "err.h"
#include "db.h"

#define IDX_SIG_BINS 48
#define IDX_SIG_ROWS 3
#define IDX_SIG_BANDS (IDX_SIG_BINS / IDX_SIG_ROWS)
#define IDX_SIG_BYTES (IDX_SIG_BINS * 4)
#define IDX_SIG_MIN_SHINGLES 16
#define IDX_SIG_TERM_MAX 16
#define IDX_CLUSTER_PREFILTER 0.3
#define IDX_CLUSTER_VERIFY 8       /* candidates compared exactly, at most */
#define IDX_CLUSTER_CANDIDATES 512 /* candidates looked at, at most */
#define IDX_CLUSTER_KEY_ID 160     /* bytes of the founding id in a key, at most */

typedef struct idx_sig {
    uint32_t bin[IDX_SIG_BINS]; /* UINT32_MAX: no shingle fell in the bin */
    int valid;                  /* 0: too short to have one */
} idx_sig;

/* The signature of text[0..n).  IDX_ENOMEM only. */
int idx_sig_of(const char *text, size_t n, idx_sig *s, idx_err *err);
/* Estimated similarity of two valid signatures, in [0, 1]. */
double idx_sig_estimate(const idx_sig *a, const idx_sig *b);
/* As stored (IDX_SIG_BYTES bytes), and back: decode returns 0 when v is not
 * a signature. */
void idx_sig_encode(const idx_sig *s, char out[IDX_SIG_BYTES]);
int idx_sig_decode(const char *v, size_t n, idx_sig *s);
/* The filter term of band b into out (NUL-terminated); returns its length,
 * or 0 when the band has an empty bin (no term: empty bins of short texts
 * would match each other). */
size_t idx_sig_band_term(const idx_sig *s, int band, char out[IDX_SIG_TERM_MAX]);

/* The cluster of the article id[0..idn) whose body[0..bodyn) has signature
 * s (idx_sig_of) in db (a writer: its uncommitted articles count), written
 * over key.  Without a valid signature the key is left empty (not
 * clustered).  An article upserted with a similar body finds its own old
 * version and keeps its cluster. */
int idx_cluster_assign(idx_db *db, const char *id, size_t idn, const char *body, size_t bodyn,
                       const idx_sig *s, idx_buf *key, idx_err *err);
/* Put signature, band terms and cluster key (when key_len > 0) on doc. */
int idx_cluster_mark(idx_xdoc *doc, const idx_sig *s, const char *key, size_t key_len,
                     idx_err *err);

#endif
