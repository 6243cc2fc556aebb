/* request.h - the request vocabulary both programs read: one table
 * (request.c) of every parameter of a search, a suggestion and a related
 * list, with its name over HTTP and on idx's command line, its kind, its
 * default and its bounds, and the readers that fill a request from either.
 *
 *   idx search --limit 20 --sort -date --recency 30 -- 南通
 *   GET /search?q=南通&limit=20&sort=-date&recency=30
 *
 * both land in the same idx_search_req (search.h) through the same rows of
 * the table: a value is parsed, bounded and refused in one place, and the
 * programs only hand over their options or parameters.  Kinds:
 *   whole number   decimal digits only (no sign, no spaces, at most 10)
 *   real number    strtod's syntax
 *   name           one of a few names (sort: relevance, date, -date, revision;
 *                  histogram: none, day, week, month, year)
 *   facet list     comma-separated facet names (search.h)
 *   flag           HTTP 0 or 1; on the command line an option without a value
 *   text           kept as given: from, to, source, category, year, checked
 *                  when the query is built (query.h idx_query_filter)
 *   query          HTTP's q, required; the command line's operands instead
 * Over HTTP a parameter no row of the route names is refused ("limt=5" is
 * not silently ignored), except "_", the cache-buster some JavaScript
 * libraries add.
 *
 * Bounds.  Each row has one range; a row the command line reads differently
 * has the command line's own range beside it (never a second parser):
 *   limit    HTTP 1-100, the command line 0-1000
 *   offset   HTTP 0-10000, the command line 0-1000000
 *   recency  HTTP whole days 1-36500, the command line any number of days
 *            above 0 up to 36500
 * HTTP's bounds protect a shared server from one request's cost (a page of
 * snippets, a deep page to collect); on the command line that cost falls on
 * the user's own process, and scripts read long lists (`--limit 1000`), so
 * it keeps the larger bounds it always had.
 *
 * Errors are IDX_EINVAL naming the parameter as its program spells it: over
 * HTTP "limit is 101; it must be from 1 to 100" (idxd answers 400
 * bad_parameter with it), on the command line "--limit: expected a whole
 * number from 0 to 1000, got \"5000\"" (idx prints it and exits 2).
 */
#ifndef IDX_REQUEST_H
#define IDX_REQUEST_H

#include <stddef.h>

#include "buf.h"
#include "err.h"
#include "form.h"
#include "search.h"

#define IDX_SEARCH_DEFAULT_LIMIT 10 /* hits per page, both programs */
#define IDX_SEARCH_MAX_LIMIT 100    /* HTTP: hits per page */
#define IDX_SEARCH_MAX_OFFSET 10000 /* HTTP: hits skipped */
#define IDX_CLI_MAX_LIMIT 1000      /* idx search --limit */
#define IDX_CLI_MAX_OFFSET 1000000  /* idx search --offset */
#define IDX_RECENCY_MAX_DAYS 36500  /* recency half-life, both programs */
#define IDX_REVISION_MAX 4000000000u /* since, until */

/* GET /suggest: q[0..qlen) (what was typed) and the most titles to give. */
typedef struct idx_suggest_req {
    const char *q;
    size_t qlen;
    unsigned limit;
} idx_suggest_req;

/* GET /docs/{id}/related: the most related articles to give. */
typedef struct idx_related_req {
    unsigned limit;
} idx_related_req;

/* POST /docs, DELETE /docs/{id}: answer once the write is committed and
 * searchable (wait=1) instead of as soon as it is durable. */
typedef struct idx_write_req {
    int wait;
} idx_write_req;

/* ---- HTTP: a decoded query string (form.h) into a request ---- */

/* *r gets the defaults (idx_search_req_init), then every parameter of f.
 * IDX_EINVAL naming the first parameter that is unknown, missing (q) or
 * bad.  r's strings point into f: valid while f is.  synonyms and budget_ms
 * are the server's to set. */
int idx_search_req_form(const idx_form *f, idx_search_req *r, idx_err *err);
/* The same for GET /suggest (q required, limit 1-IDX_SUGGEST_MAX_LIMIT,
 * default 8) and GET /docs/{id}/related (limit 1-IDX_RELATED_MAX_LIMIT,
 * default 5). */
int idx_suggest_req_form(const idx_form *f, idx_suggest_req *r, idx_err *err);
int idx_related_req_form(const idx_form *f, idx_related_req *r, idx_err *err);
/* And for POST /docs and DELETE /docs/{id} (wait 0 or 1, default 0). */
int idx_write_req_form(const idx_form *f, idx_write_req *r, idx_err *err);
/* For a route that takes no parameters: IDX_EINVAL naming the first in f. */
int idx_req_form_none(const idx_form *f, idx_err *err);

/* Make r a standing query's: its matches in commit order (sort=revision),
 * pages of 100 from the first, no facets, histogram or explanation, no time
 * budget (a stream or idx watch never skips a match); the caller sets since
 * and until.  GET /search/stream and idx watch both. */
void idx_search_req_standing(idx_search_req *r);

/* The other way: r as a query string (every HTTP parameter whose value is
 * not its default, percent-encoded, in the table's order) appended to out -
 * what `idx watch --server` asks an idxd with its command line's options.
 * IDX_ENOMEM only. */
int idx_search_req_query(const idx_search_req *r, idx_buf *out, idx_err *err);

/* ---- the command line: idx search's options into a request ---- */

/* The defaults of every row (limit 10, relevance, near-duplicates
 * collapsed, title weight and snippet length their defaults), snippets on,
 * no query. */
void idx_search_req_init(idx_search_req *r);

/* The i-th command-line option of the table (i = 0, 1, ... until NULL): its
 * long name without "--" (static), and whether it takes a value. */
const char *idx_search_cli_option(size_t i, int *takes_value);

/* Apply the i-th option, with its value (NULL for a flag), to r.
 * IDX_EINVAL with "--NAME: ..." when the value is bad (r unchanged).  A text
 * value is kept as given: it must outlive r (argv does). */
int idx_search_cli_set(idx_search_req *r, size_t i, const char *value, idx_err *err);

/* 1 when v is a whole number in decimal digits only (no sign, no spaces, at
 * most 10 digits), its value in *out; else 0.  The one reader of whole
 * numbers for both programs (idx's --batch and --jobs too). */
int idx_req_uint(const char *v, unsigned long *out);

#endif
