/* histogram.h - a timeline of matches: how many fall on each day, week,
 * month or year.
 *
 * A search with histogram=INTERVAL has the matches' dates (IDX_SLOT_DATE,
 * document.h: wall-clock seconds, sortable-serialised) counted by a
 * Xapian match spy over every match, as facets are (xap.h idx_results.hist:
 * each distinct date and its count, in date order); this module puts those
 * dates into buckets and writes
 *   {"interval": "month", "buckets": [{"start": "2020-01-01", "count": N}, ...]}
 * in date order, every bucket from the first match's to the last match's,
 * empty ones included (count 0), so a chart's bars sit at even steps.
 * Buckets are calendar ones on the articles' own wall-clock dates: a day
 * from 00:00, a week from Monday (ISO 8601), a month from its 1st, a year
 * from 1 January.  More than IDX_HIST_MAX_BUCKETS buckets (days over
 * decades) is coarsened to the next interval until it fits, and "interval"
 * says which one was used (with "asked" the one asked for), so an answer's
 * size is bounded whatever the archive spans.  Articles without a date are
 * counted in "undated" when there are any.
 */
#ifndef IDX_HISTOGRAM_H
#define IDX_HISTOGRAM_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "xap.h"

enum { IDX_HIST_NONE, IDX_HIST_DAY, IDX_HIST_WEEK, IDX_HIST_MONTH, IDX_HIST_YEAR };
#define IDX_HIST_MAX_BUCKETS 1000

/* "day", "week", "month", "year" ("none" for IDX_HIST_NONE). */
const char *idx_hist_name(int interval);

/* The start (wall-clock seconds since 1970-01-01T00:00) of the bucket of
 * interval that holds t, and of the bucket after the one starting at
 * start. */
int64_t idx_hist_start(int interval, int64_t t);
int64_t idx_hist_next(int interval, int64_t start);

/* The histogram object of interval for dates v[0..n) (an idx_results.hist:
 * sortable-serialised seconds with counts, in value order; an empty value
 * is an undated article).  *out a new reference owned by the caller.
 * IDX_ENOMEM only. */
int idx_hist_json(int interval, const idx_facet_value *v, size_t n, json_t **out, idx_err *err);

#endif
