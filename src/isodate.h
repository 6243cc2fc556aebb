/* isodate.h - ISO 8601 dates for articles and date filters.
 *
 * Accepted: YYYY-MM-DD, optionally followed by 'T' or ' ' and HH:MM,
 * HH:MM:SS or HH:MM:SS.fraction, optionally followed by 'Z' or an offset
 * (+08:00, +0800, +08).  Years 0001-9999; the calendar is checked (no
 * 2022-02-30).  The value kept for sorting and ranges is the wall-clock time
 * as written, in seconds since 1970-01-01T00:00 (negative before): a news
 * archive's dates are the dates its readers saw, so "2022-05-18" filters and
 * sorts as the 18th whatever the zone.  The offset is validated, not applied
 * to secs; it is kept in offset for callers that need the instant (an API
 * key's expiry: secs - offset is UTC).
 */
#ifndef IDX_ISODATE_H
#define IDX_ISODATE_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

typedef struct idx_date {
    int year, month, day;
    int hour, minute, second;
    int64_t secs; /* wall-clock seconds since 1970-01-01T00:00 */
    int zoned;    /* 1 when a 'Z' or an offset was written */
    int offset;   /* the offset written, seconds east of UTC (0: 'Z' or none) */
} idx_date;

/* Parse s[0..n).  Returns IDX_OK or IDX_EINVAL naming what is wrong. */
int idx_date_parse(const char *s, size_t n, idx_date *out, idx_err *err);

/* Days since 1970-01-01 of a proleptic Gregorian date. */
int64_t idx_days_from_civil(int y, int m, int d);

#endif
