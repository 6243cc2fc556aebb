/* discover.h - the reader's side paths beside search: as-you-type
 * suggestions and related articles.  GET /suggest and GET /docs/{id}/related
 * of idxd call these (and the search page uses both).
 *
 * Suggestions are article titles that hold what was typed: the text is parsed
 * like a query (the same tokenizer and language) and every part is matched in
 * titles only, as a phrase; a trailing Latin word still being typed ("APE")
 * matches as a prefix of title words (APEC).  Ranked by BM25 over titles;
 * identical titles are given once.
 *
 * Related articles: the terms that best tell the article apart (Xapian's
 * relevance-feedback expansion of the article itself, db.h
 * idx_db_more_like) searched as one OR query; the article itself and its
 * near-duplicates (same title, or the same story by idx_text_same_story:
 * reprints, neardup.h) are left out, and the results hold one article per
 * near-duplicate cluster (cluster.h).
 */
#ifndef IDX_DISCOVER_H
#define IDX_DISCOVER_H
#include <jansson.h>
#include <stddef.h>
#include "document.h"
#include "err.h"
#include "db.h"

#define IDX_SUGGEST_MAX_LIMIT 20
#define IDX_SUGGEST_PREFIX_TERMS 30 /* title words a partial word may expand to */
#define IDX_RELATED_MAX_LIMIT 50
#define IDX_RELATED_TERMS 25        /* expansion terms of the article */

/* {"query","took_ms","suggestions":[{"id","text","html"}]}: at most limit
 * titles matching q[0..qlen); "html" is the title escaped with the typed
 * parts in <mark>.  *out owned by the caller.  Errors as idx_search_json
 * (IDX_EINVAL when nothing in q is searchable). */
int idx_suggest_json(idx_db *db, const idx_schema *sc, const char *q, size_t qlen, unsigned limit,
                     const char *scope, json_t **out, idx_err *err);

/* {"id","took_ms","near_duplicates","related":[{"id","title","url","date",
 * "source","category","snippet","score"}]}: at most limit articles related to
 * the one with this id; "snippet" is the escaped start of the body;
 * "near_duplicates" counts the candidates left out as reprints.  *out owned
 * by the caller.  IDX_ENOTFOUND when there is no such article.
 * Both with scope (a scoped API key's filter, search.h; NULL: none): only
 * articles among its matches are given, and an article outside it has no
 * related articles (IDX_ENOTFOUND, as if it did not exist). */
int idx_related_json(idx_db *db, const idx_schema *sc, const char *id, size_t idlen,
                     unsigned limit, const char *scope, json_t **out, idx_err *err);

#endif
