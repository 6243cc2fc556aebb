/* search.h - one search request, start to finish: query text and options in,
 * the response JSON object out.
 *
 * Both `idx search --json` and idxd's GET /search call this, so the command
 * line and the HTTP API always answer alike.  Steps: parse the query into
 * its tree (qtree.h), expand synonyms (synonyms.h), build the Xapian query
 * with the title boost and the database's unigram mode and apply filters
 * (query.h), run it (db.h), then for each hit read the stored article
 * and add title_html (idx_highlight of the title) and snippet (idx_snippet of
 * the body).
 *
 * Response: {"query","total","total_exact","offset","limit","took_ms","revision",
 *            "hits":[{"id","title","title_html","snippet","url","date",
 *                     "source","category","score","rank","revision",
 *                     "duplicates","duplicate_ids"  (near-duplicates folded
 *                                      into this hit: their count and ids)
 *                     "cluster"}],     (all_copies: the hit's near-duplicate
 *                                      cluster, when it has other members)
 *            "facets":{"year":{"2022":12,...},...}   (when asked)
            "histogram":{"interval":"month","buckets":[{"start":"2020-01-01",
                         "count":N},...]}        (when asked: histogram.h)
 *            "warning":"..."                          (bad syntax, read as words)
 *            "timed_out":true     (the budget ran out: hits, total and facets are of what
 *                                  was matched by then, total_exact false unless the
 *                                  match had finished; hits not read and highlighted
 *                                  in time, or their duplicates, are left out)
 *            "partial":true, "missing_shards":["NAME: why"]  (an archive with
 *                                      shards that could not be reached: the
 *                                      hits come from the others)
 *            "explain":{"tree":...,"xapian":"..."}}   (when asked)
 * total is exact whenever at most IDX_SEARCH_EXACT_UPTO documents match (or
 * exact_total is set) and the budget did not run out; otherwise it is an
 * estimate and total_exact is false.  With near-duplicates collapsed, total
 * counts clusters (an article in none counts as one), exactly under the same
 * rule.  rank is 1-based over the whole result list.
 *
 * Revisions (document.h): "revision" is the one the answer was computed at
 * (idx_db_revision: an archive's smallest), a hit's the one that committed
 * its current version.  since=S returns only articles committed in
 * (S, R], R the answer's revision (or until when smaller), so a poller that
 * asks since= the last revision it was given sees every new match once:
 * the revisions go on across restarts, compaction and reindexing, and an
 * archive's shard committed ahead of the others holds its new articles back
 * until all have the revision.  sort=revision lists in commit order.
 *
 * Near-duplicates (cluster.h): by default each cluster of reprints shows as
 * its best-ranked matching member (Xapian's collapse on IDX_SLOT_CLUSTER),
 * so total, pages and ranks count a cluster once; the member carries how
 * many other matches it stands for.  all_copies shows every article.
 */
#ifndef IDX_SEARCH_H
#define IDX_SEARCH_H

#include <jansson.h>
#include <stddef.h>

#include "err.h"
#include "query.h"
#include "snippet.h"
#include "document.h"
#include "db.h"

#define IDX_SEARCH_EXACT_UPTO 1000
#define IDX_SEARCH_DUP_IDS 20 /* duplicate_ids listed per hit, at most */

/* A search request.  Both programs fill it from the one table of
 * request.h (its defaults, names and bounds), then set what is theirs
 * (synonyms, budget_ms, the command line's marks in hl). */
typedef struct idx_search_req {
    const char *q; /* query text (need not be NUL-terminated) */
    size_t qlen;
    unsigned offset, limit;
    int sort;            /* IDX_SORT_* */
    idx_filters filters;
    int exact_total;     /* count every match */
    double title_weight; /* <0: IDX_TITLE_WEIGHT_DEFAULT */
    int snippets;        /* add title_html and snippet */
    idx_hl_opts hl;      /* snippet length and marks */
    unsigned facets;     /* bit set of 1 << IDX_FACET_* */
    int explain;         /* add "explain": the parsed tree and Xapian's query */
    const struct idx_synonyms *synonyms; /* query-time expansion; NULL = none */
    double recency_days;   /* > 0: add a freshness boost with this half-life */
    double recency_weight; /* its largest addition to a score (<= 0: default) */
    int all_copies;        /* show near-duplicates (dedup=0) instead of collapsing them */
    const char *rank;      /* the command line's --rank "name=value,..." over the
                              default ranking (query.h idx_rank_parse); NULL: default */
    double budget_ms;      /* > 0: the longest the search may take; past it the answer
                              holds what was matched by then, marked "timed_out" */
    const char *scope;     /* a scoped API key's filter (query language, NUL-terminated):
                              only its matches may be found; NULL: none (idxd sets it) */
    unsigned since;        /* > 0: only articles committed after this revision */
    unsigned until;        /* > 0: and at or before this one (else the reader's) */
    int histogram;         /* IDX_HIST_* (histogram.h): counts of the matches by date */
} idx_search_req;

/* Freshness blend: a hit dated now gains IDX_RECENCY_WEIGHT_DEFAULT, one
 * recency_days old half that, and so on.  Title-boosted BM25 scores of real
 * matches here are ~10-60, so the default nudges ties and near-ties toward
 * newer articles without burying a clearly better older match (see README). */
#define IDX_RECENCY_WEIGHT_DEFAULT 3.0

/* Facets: counts of values over the whole result set. */
enum { IDX_FACET_SOURCE, IDX_FACET_CATEGORY, IDX_FACET_YEAR, IDX_FACET_COUNT };
#define IDX_FACET_TOP 20 /* values kept per facet, most frequent first */

/* Parse a comma-separated list ("source,year") into a bit set; IDX_EINVAL
 * naming an unknown facet. */
int idx_search_parse_facets(const char *list, unsigned *bits, idx_err *err);

/* Run req on db (a reader whose text options are sc).  *out is a new
 * object owned by the caller (json_decref).  Errors: the query's own
 * (IDX_EUTF8, IDX_ETOOBIG, IDX_EINVAL: the caller's fault), IDX_ENOMEM, or a
 * database code (IDX_EDB, IDX_ENODB). */
int idx_search_json(idx_db *db, const idx_schema *sc, const idx_search_req *req, json_t **out,
                    idx_err *err);

/* Is the article with the unique-id term uid[0..uidlen) (idx_uid_term)
 * among the matches of scope (as idx_search_req.scope; NULL: every
 * article)?  *yes 1 or 0. */
int idx_scope_has(idx_db *db, const idx_schema *sc, const char *scope, const char *uid,
                  size_t uidlen, int *yes, idx_err *err);

/* The stored article of a hit as a JSON object (*doc: new reference);
 * IDX_EDB naming the document when its data is unreadable. */
int idx_search_hit_doc(const idx_hit *h, json_t **doc, idx_err *err);
/* A new hit object with the article's stored fields (id, title, url, date,
 * source, category; null when absent); NULL when out of memory. */
json_t *idx_search_hit_fields(json_t *doc);

#endif
