/* test_histogram.c - the timeline's buckets (histogram.h): calendar starts,
 * steps, empty buckets, coarsening past IDX_HIST_MAX_BUCKETS, undated. */
#include <stdlib.h>
#include <string.h>

#include "histogram.h"
#include "isodate.h"
#include "test.h"

static int64_t at(int y, int m, int d)
{
    return idx_days_from_civil(y, m, d) * 86400;
}

static void test_bucket_starts(void)
{
    int64_t t = at(2024, 2, 29) + 13 * 3600; /* a Thursday afternoon, leap day */
    CHECK(idx_hist_start(IDX_HIST_DAY, t) == at(2024, 2, 29));
    CHECK(idx_hist_start(IDX_HIST_WEEK, t) == at(2024, 2, 26)); /* Monday */
    CHECK(idx_hist_start(IDX_HIST_MONTH, t) == at(2024, 2, 1));
    CHECK(idx_hist_start(IDX_HIST_YEAR, t) == at(2024, 1, 1));
    CHECK(idx_hist_start(IDX_HIST_WEEK, at(2024, 3, 3)) == at(2024, 2, 26)); /* Sunday */
    CHECK(idx_hist_start(IDX_HIST_WEEK, at(2024, 3, 4)) == at(2024, 3, 4));  /* Monday */
    /* before 1970 */
    CHECK(idx_hist_start(IDX_HIST_DAY, at(1949, 10, 1) + 10) == at(1949, 10, 1));
    CHECK(idx_hist_start(IDX_HIST_WEEK, at(1969, 12, 31)) == at(1969, 12, 29));
    CHECK(idx_hist_start(IDX_HIST_MONTH, at(1949, 10, 1) - 1) == at(1949, 9, 1));
    CHECK(idx_hist_next(IDX_HIST_MONTH, at(2023, 12, 1)) == at(2024, 1, 1));
    CHECK(idx_hist_next(IDX_HIST_MONTH, at(2024, 1, 1)) == at(2024, 2, 1));
    CHECK(idx_hist_next(IDX_HIST_YEAR, at(2024, 1, 1)) == at(2025, 1, 1));
    CHECK(idx_hist_next(IDX_HIST_WEEK, at(2024, 2, 26)) == at(2024, 3, 4));
}

/* values as a match spy gives them: sortable dates with counts, in order */
static idx_facet_value *values(const int64_t *t, const uint64_t *c, size_t n)
{
    idx_facet_value *v = calloc(n, sizeof *v);
    for (size_t i = 0; i < n; i++) {
        char b[18];
        v[i].len = t[i] < 0 ? 0 : idx_sortable_serialise((double)t[i], b);
        v[i].value = malloc(v[i].len + 1);
        memcpy(v[i].value, b, v[i].len);
        v[i].count = c[i];
    }
    return v;
}

static void free_values(idx_facet_value *v, size_t n)
{
    for (size_t i = 0; i < n; i++) free(v[i].value);
    free(v);
}

static char *dump(int interval, const int64_t *t, const uint64_t *c, size_t n)
{
    idx_facet_value *v = values(t, c, n);
    json_t *h = NULL;
    idx_err err;
    idx_err_clear(&err);
    CHECK_INT(idx_hist_json(interval, v, n, &h, &err), IDX_OK);
    char *s = h ? json_dumps(h, JSON_COMPACT | JSON_PRESERVE_ORDER) : strdup("null");
    json_decref(h);
    free_values(v, n);
    return s;
}

static void test_json_buckets(void)
{
    int64_t t[] = {-1, at(2024, 1, 5) + 3600, at(2024, 1, 20), at(2024, 3, 31) + 86399};
    uint64_t c[] = {2, 3, 1, 4};
    char *s = dump(IDX_HIST_MONTH, t, c, 4);
    CHECK_STR(s, "{\"interval\":\"month\",\"undated\":2,\"buckets\":[{\"start\":\"2024-01-01\","
                 "\"count\":4},{\"start\":\"2024-02-01\",\"count\":0},{\"start\":\"2024-03-01\","
                 "\"count\":4}]}");
    free(s);
    s = dump(IDX_HIST_YEAR, t + 1, c + 1, 3);
    CHECK_STR(s, "{\"interval\":\"year\",\"buckets\":[{\"start\":\"2024-01-01\",\"count\":8}]}");
    free(s);
    s = dump(IDX_HIST_DAY, NULL, NULL, 0);
    CHECK_STR(s, "{\"interval\":\"day\",\"buckets\":[]}");
    free(s);
}

static void test_coarsened_past_the_cap(void)
{
    /* days over 25 years: too many buckets, weeks (1,305) still too many, months fit */
    int64_t t[] = {at(2000, 6, 15), at(2025, 6, 15)};
    uint64_t c[] = {1, 1};
    char *s = dump(IDX_HIST_DAY, t, c, 2);
    CHECK(strncmp(s, "{\"interval\":\"month\",\"asked\":\"day\",\"buckets\":[{\"start\":\"2000-06-01\"",
                  strlen("{\"interval\":\"month\",\"asked\":\"day\",\"buckets\":[{\"start\":\"2000-06-01\"")) == 0);
    json_t *j = json_loads(s, 0, NULL);
    CHECK(json_array_size(json_object_get(j, "buckets")) == 301);
    json_decref(j);
    free(s);
}

int main(void)
{
    TEST(test_bucket_starts);
    TEST(test_json_buckets);
    TEST(test_coarsened_past_the_cap);
    TEST_SUMMARY();
}
