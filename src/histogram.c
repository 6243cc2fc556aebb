/* histogram.c - see histogram.h.  Calendar arithmetic on days since
 * 1970-01-01 (isodate.h's idx_days_from_civil and its inverse here). */
#include "histogram.h"

#include <stdio.h>
#include <stdlib.h>

#include "isodate.h"

static const char *const names[] = {"none", "day", "week", "month", "year"};

const char *idx_hist_name(int interval)
{
    return interval >= IDX_HIST_NONE && interval <= IDX_HIST_YEAR ? names[interval] : "none";
}

/* Days since 1970-01-01 -> y, m, d (proleptic Gregorian; Howard Hinnant's
 * civil_from_days, the inverse of idx_days_from_civil). */
static void civil(int64_t z, int *y, int *m, int *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = (int)(yoe + era * 400 + (*m <= 2));
}

static int64_t floor_div(int64_t a, int64_t b)
{
    return a / b - (a % b != 0 && (a < 0) != (b < 0));
}

int64_t idx_hist_start(int interval, int64_t t)
{
    int64_t day = floor_div(t, 86400);
    int y, m, d;
    switch (interval) {
    case IDX_HIST_WEEK: /* 1970-01-01 was a Thursday: Monday is day 4 of that week */
        return (day - ((day + 3) % 7 + 7) % 7) * 86400;
    case IDX_HIST_MONTH:
        civil(day, &y, &m, &d);
        return idx_days_from_civil(y, m, 1) * 86400;
    case IDX_HIST_YEAR:
        civil(day, &y, &m, &d);
        return idx_days_from_civil(y, 1, 1) * 86400;
    default: return day * 86400;
    }
}

int64_t idx_hist_next(int interval, int64_t start)
{
    int64_t day = floor_div(start, 86400);
    int y, m, d;
    switch (interval) {
    case IDX_HIST_WEEK: return start + 7 * 86400;
    case IDX_HIST_MONTH:
        civil(day, &y, &m, &d);
        return idx_days_from_civil(m == 12 ? y + 1 : y, m == 12 ? 1 : m + 1, 1) * 86400;
    case IDX_HIST_YEAR:
        civil(day, &y, &m, &d);
        return idx_days_from_civil(y + 1, 1, 1) * 86400;
    default: return start + 86400;
    }
}

/* Buckets from the bucket of lo to that of hi, inclusive (capped past max). */
static size_t span(int interval, int64_t lo, int64_t hi, size_t max)
{
    size_t k = 0;
    for (int64_t s = idx_hist_start(interval, lo); s <= hi && k <= max;
         s = idx_hist_next(interval, s))
        k++;
    return k;
}

int idx_hist_json(int interval, const idx_facet_value *v, size_t n, json_t **out, idx_err *err)
{
    *out = NULL;
    int asked = interval;
    uint64_t undated = 0;
    size_t first = 0;
    while (first < n && v[first].len == 0) undated += v[first++].count;
    json_t *obj = json_object(), *buckets = json_array();
    if (!obj || !buckets) goto oom;
    if (first < n) {
        int64_t lo = (int64_t)idx_sortable_unserialise(v[first].value, v[first].len);
        int64_t hi = (int64_t)idx_sortable_unserialise(v[n - 1].value, v[n - 1].len);
        while (interval < IDX_HIST_YEAR && span(interval, lo, hi, IDX_HIST_MAX_BUCKETS) >
                                               IDX_HIST_MAX_BUCKETS)
            interval++;
        size_t i = first;
        for (int64_t s = idx_hist_start(interval, lo); s <= hi;) {
            int64_t next = idx_hist_next(interval, s);
            uint64_t count = 0;
            for (; i < n && (int64_t)idx_sortable_unserialise(v[i].value, v[i].len) < next; i++)
                count += v[i].count;
            int y, m, d;
            civil(floor_div(s, 86400), &y, &m, &d);
            char date[16];
            snprintf(date, sizeof date, "%04d-%02d-%02d", y, m, d);
            if (json_array_append_new(buckets, json_pack("{s:s, s:I}", "start", date, "count",
                                                         (json_int_t)count)))
                goto oom;
            s = next;
        }
    } else {
        interval = asked;
    }
    if (json_object_set_new(obj, "interval", json_string(idx_hist_name(interval))) ||
        (interval != asked && json_object_set_new(obj, "asked", json_string(idx_hist_name(asked)))) ||
        (undated && json_object_set_new(obj, "undated", json_integer((json_int_t)undated))))
        goto oom;
    json_object_set_new(obj, "buckets", buckets);
    *out = obj;
    return IDX_OK;
oom:
    json_decref(obj);
    json_decref(buckets);
    return idx_err_set(err, IDX_ENOMEM, "histogram", "out of memory");
}
