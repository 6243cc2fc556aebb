/* stream.h - GET /search/stream: a standing query as Server-Sent Events.
 *
 * A stream is a /search query (the same parameters; sort, paging, facets
 * and histogram are the stream's own) held open on its connection.  It
 * starts at a revision (document.h): the request's Last-Event-ID, else its
 * since=, else the revision the worker reads when it opens; every time the
 * worker sees a newer revision R (its 200 ms reopen, or at once after idxd's
 * own commits), the stream's query runs with since = the last revision it
 * sent and until = R, sorted by revision, and each match goes out as
 *   event: hit
 *   data: {the hit object /search gives, snippet included}
 * the last event of each revision carrying "id: REVISION", so a client that
 * reconnects with Last-Event-ID resumes after what it has seen: nothing is
 * lost, and only the events of a revision cut in half can come twice.  A
 * catch-up (since= far back) goes out STREAM_BATCH hits a turn, whole
 * revisions at a time, so a stream never holds its worker for long, and
 * a stream runs at most every STREAM_GAP_S: commits that come faster are
 * sent together (the cost of a standing query is per catch-up, not per
 * commit), still within a second of the commit.  A
 * comment line (": heartbeat") goes out when nothing else has for
 * --stream-heartbeat seconds, for proxies that close quiet connections.
 *
 * Streams are connections: they count against --max-connections, and the
 * worker's request deadline leaves them alone.  A client that reads too
 * slowly (STREAM_MAX_UNSENT bytes waiting) is cut off; it reconnects and
 * resumes.  On SIGTERM every stream ends cleanly (its last chunk sent).
 * Keys apply as for /search: a scoped key's filter is kept with its stream.
 */
#ifndef IDXD_STREAM_H
#define IDXD_STREAM_H

#include <event2/http.h>
#include <stdint.h>

#include "idxd.h"

#define STREAM_BATCH 1000
#define STREAM_GAP_S 0.3
#define STREAM_MAX_UNSENT (4u << 20)

/* Who opened a stream: the key presented (NULL: none needed) and the keys
 * it was checked against, a scoped key's filter (or NULL) and expiry (Unix
 * seconds, or 0). */
typedef struct idxd_stream_auth {
    const char *key;
    const struct idx_keys *keys;
    const char *scope;
    long long expires;
} idxd_stream_auth;

/* Take req (a validated GET /search/stream; the reply is started here)
 * into w's streams from revision start; query is the request's query
 * string (copied, as are auth's strings).  The stream ends with an "event:
 * error" when its scoped key expires (key_expired), or when SIGHUP loads
 * keys that no longer take its key (key_revoked).  0, or -1 when out of
 * memory (nothing was sent: the caller answers). */
int idxd_stream_open(idxd_worker *w, struct evhttp_request *req, const char *query,
                     const idxd_stream_auth *auth, uint64_t start);

/* Send every stream of w what is new at the revision w's index is at now,
 * and heartbeats that are due (after each reopen). */
void idxd_streams_run(idxd_worker *w);

/* End every stream of w (a stop), and free what is left (join). */
void idxd_streams_end(idxd_worker *w);

/* How many streams are open, all workers together (for /stats). */
long idxd_streams_open(void);

#endif
