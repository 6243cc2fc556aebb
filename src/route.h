/* route.h - which of N parallel ingest jobs an article goes to, when N jobs
 * build one database together (idx add --jobs N on a plain database: each
 * job builds a part, and the parts are merged by Xapian's compactor).
 *
 * Every job reads the whole input and routes every article with its own
 * router; the routers see the same articles in the same order, so they agree
 * without talking to each other.  Two things must land in one job:
 *   - every version of an id (an upsert replaces, it must not make a second
 *     copy in another part): an id seen before goes where it went;
 *   - the reprints of one story (near-duplicate clustering, cluster.h, looks
 *     for candidates only in the job's own part): a new id whose signature
 *     shares a band (the same XB filter term the cluster lookup uses) with an
 *     earlier article goes to that article's job - the first band, in band
 *     order, that was seen decides.
 * Anything else goes by a hash of its id (FNV-1a, as hash shards do).
 * So each part holds complete clusters and complete upsert chains, and
 * clustering in the merged database is that of one sequential ingest up to
 * rare band collisions across three or more stories.
 *
 * Memory: a 9-byte slot (hash.h's map with one-byte values) per distinct id and
 * per distinct band of a body long enough to have a signature, in a table kept
 * at most half full: 18-36 bytes each, so 300-600 bytes per article with a
 * signature, 18-36 without.
 */
#ifndef IDX_ROUTE_H
#define IDX_ROUTE_H
#include <stddef.h>

#include "cluster.h"
#include "err.h"

typedef struct idx_route idx_route;

/* A router over jobs (1..256) jobs; *out owned by the caller
 * (idx_route_free).  IDX_EINVAL or IDX_ENOMEM. */
int idx_route_new(unsigned jobs, idx_route **out, idx_err *err);
void idx_route_free(idx_route *r); /* NULL ok */

/* The job of the article id[0..n) with body signature sig (NULL or invalid:
 * none, e.g. clustering is off), recorded for what follows.  IDX_ENOMEM
 * only. */
int idx_route_job(idx_route *r, const char *id, size_t n, const idx_sig *sig, unsigned *job,
                  idx_err *err);

#endif
