/* test_isodate.c - ISO 8601 dates for articles and filters (isodate.h).
 *
 * secs is wall-clock time as written (the zone offset is validated, not
 * applied), in seconds since 1970-01-01T00:00, negative before it.
 */
#include <stdint.h>
#include <string.h>

#include "isodate.h"
#include "test.h"

/* Parse s and check every field of the result. */
static void check_date(const char *s, int y, int mo, int d, int h, int mi, int sec, int64_t secs)
{
    idx_date out;
    idx_err err;
    memset(&out, 0xAB, sizeof out);
    idx_err_clear(&err);
    CHECK_INT(idx_date_parse(s, strlen(s), &out, &err), IDX_OK);
    CHECK_STR(err.msg, "");
    CHECK_INT(out.year, y);
    CHECK_INT(out.month, mo);
    CHECK_INT(out.day, d);
    CHECK_INT(out.hour, h);
    CHECK_INT(out.minute, mi);
    CHECK_INT(out.second, sec);
    CHECK_INT(out.secs, secs);
}

/* Parse s (n bytes) and check it is rejected with IDX_EINVAL and a tagged message. */
static void check_bad_n(const char *s, size_t n)
{
    idx_date out;
    idx_err err;
    idx_err_clear(&err);
    int rc = idx_date_parse(s, n, &out, &err);
    if (rc != IDX_EINVAL) fprintf(stderr, "  input: \"%.*s\"\n", (int)n, s);
    CHECK_INT(rc, IDX_EINVAL);
    CHECK_INT(err.rc, IDX_EINVAL);
    CHECK_STR(err.where, "date.parse");
    CHECK(err.msg[0] && err.msg[0] != '['); /* no tag in the message */
}

static void check_bad(const char *s) { check_bad_n(s, strlen(s)); }

static void test_epoch_is_zero(void)
{
    check_date("1970-01-01", 1970, 1, 1, 0, 0, 0, 0);
}

static void test_plain_date(void)
{
    check_date("2022-05-18", 2022, 5, 18, 0, 0, 0, 1652832000);
}

static void test_date_before_epoch_is_negative(void)
{
    check_date("1946-10-01", 1946, 10, 1, 0, 0, 0, -733795200);
    check_date("1969-12-31T23:59:59", 1969, 12, 31, 23, 59, 59, -1);
}

static void test_date_time_with_t(void)
{
    check_date("2022-05-18T08:30:15", 2022, 5, 18, 8, 30, 15, 1652832000 + 8 * 3600 + 30 * 60 + 15);
}

static void test_date_time_with_space(void)
{
    check_date("2022-05-18 08:30", 2022, 5, 18, 8, 30, 0, 1652832000 + 8 * 3600 + 30 * 60);
}

static void test_zulu_suffix(void)
{
    check_date("2022-05-18T08:30:00Z", 2022, 5, 18, 8, 30, 0, 1652832000 + 8 * 3600 + 30 * 60);
}

static void test_offset_with_colon_not_applied(void)
{
    /* wall-clock time as written: +08:00 does not shift secs */
    check_date("2022-05-18T08:30:00+08:00", 2022, 5, 18, 8, 30, 0, 1652832000 + 8 * 3600 + 30 * 60);
    check_date("2022-05-18T08:30:00-05:00", 2022, 5, 18, 8, 30, 0, 1652832000 + 8 * 3600 + 30 * 60);
}

static void test_offset_without_colon(void)
{
    check_date("2022-05-18T08:30+0800", 2022, 5, 18, 8, 30, 0, 1652832000 + 8 * 3600 + 30 * 60);
}

static void test_offset_hours_only(void)
{
    check_date("2022-05-18T08:30:00+08", 2022, 5, 18, 8, 30, 0, 1652832000 + 8 * 3600 + 30 * 60);
}

/* the zone written is kept apart (zoned, offset) for callers that need the
 * instant, e.g. an API key's expiry */
static void check_zone(const char *s, int zoned, int offset)
{
    idx_date out;
    memset(&out, 0xAB, sizeof out);
    CHECK_INT(idx_date_parse(s, strlen(s), &out, NULL), IDX_OK);
    CHECK_INT(out.zoned, zoned);
    CHECK_INT(out.offset, offset);
}

static void test_zone_kept_apart(void)
{
    check_zone("2022-05-18", 0, 0);
    check_zone("2022-05-18T08:30", 0, 0);
    check_zone("2022-05-18T08:30Z", 1, 0);
    check_zone("2022-05-18T08:30:00+08:00", 1, 8 * 3600);
    check_zone("2022-05-18T08:30-0530", 1, -(5 * 3600 + 30 * 60));
    check_zone("2022-05-18T08:30:15.5-03", 1, -3 * 3600);
    check_zone("2022-05-18T08:30+00:00", 1, 0);
}

static void test_fraction_of_second_ignored(void)
{
    check_date("2022-05-18T08:30:15.123456Z", 2022, 5, 18, 8, 30, 15,
               1652832000 + 8 * 3600 + 30 * 60 + 15);
    check_date("2022-05-18T08:30:15,5+08:00", 2022, 5, 18, 8, 30, 15,
               1652832000 + 8 * 3600 + 30 * 60 + 15);
}

static void test_leap_day_in_leap_year(void)
{
    check_date("2024-02-29", 2024, 2, 29, 0, 0, 0, 1709164800);
    check_date("2000-02-29", 2000, 2, 29, 0, 0, 0, 951782400);
}

static void test_leap_day_in_common_year_rejected(void)
{
    check_bad("2023-02-29");
    check_bad("1900-02-29"); /* divisible by 100, not by 400 */
}

static void test_day_past_month_end_rejected(void)
{
    check_bad("2022-02-30");
    check_bad("2022-04-31");
}

static void test_month_13_rejected(void)
{
    check_bad("2022-13-01");
}

static void test_month_0_rejected(void)
{
    check_bad("2022-00-10");
}

static void test_day_0_rejected(void)
{
    check_bad("2022-05-00");
}

static void test_year_0_rejected(void)
{
    check_bad("0000-01-01");
}

static void test_trailing_junk_rejected(void)
{
    check_bad("2022-05-18x");
    check_bad("2022-05-18 ");
    check_bad("2022-05-18T08:30:00Zjunk");
    check_bad("2022-05-18T08:30:00+08:00:00");
}

static void test_slashes_rejected(void)
{
    check_bad("2022/05/18");
}

static void test_short_forms_rejected(void)
{
    check_bad("2022-5-18");
    check_bad("22-05-18");
    check_bad("2022-05");
    check_bad("20220518");
}

static void test_empty_rejected(void)
{
    check_bad_n("", 0);
}

static void test_bad_times_rejected(void)
{
    check_bad("2022-05-18T");
    check_bad("2022-05-18T8:30");
    check_bad("2022-05-18T25:00");
    check_bad("2022-05-18T12:60");
    check_bad("2022-05-18T12:00:61");
    check_bad("2022-05-18T24:01");
    check_bad("2022-05-18T12:00:00.");
}

static void test_bad_offsets_rejected(void)
{
    check_bad("2022-05-18T12:00+8");
    check_bad("2022-05-18T12:00+08:0");
    check_bad("2022-05-18T12:00+19:00");
    check_bad("2022-05-18T12:00+08:60");
}

static void test_does_not_read_past_n(void)
{
    idx_date out;
    idx_err err;
    idx_err_clear(&err);
    CHECK_INT(idx_date_parse("2022-05-18T08:30", 10, &out, &err), IDX_OK);
    CHECK_INT(out.secs, 1652832000);
    CHECK_INT(out.hour, 0);
}

static void test_days_from_civil(void)
{
    CHECK_INT(idx_days_from_civil(1970, 1, 1), 0);
    CHECK_INT(idx_days_from_civil(1969, 12, 31), -1);
    CHECK_INT(idx_days_from_civil(2000, 3, 1), 11017);
    CHECK_INT(idx_days_from_civil(1, 1, 1), -719162);
    CHECK_INT(idx_days_from_civil(9999, 12, 31), 2932896);
}

int main(void)
{
    TEST(test_epoch_is_zero);
    TEST(test_plain_date);
    TEST(test_date_before_epoch_is_negative);
    TEST(test_date_time_with_t);
    TEST(test_date_time_with_space);
    TEST(test_zulu_suffix);
    TEST(test_offset_with_colon_not_applied);
    TEST(test_offset_without_colon);
    TEST(test_offset_hours_only);
    TEST(test_zone_kept_apart);
    TEST(test_fraction_of_second_ignored);
    TEST(test_leap_day_in_leap_year);
    TEST(test_leap_day_in_common_year_rejected);
    TEST(test_day_past_month_end_rejected);
    TEST(test_month_13_rejected);
    TEST(test_month_0_rejected);
    TEST(test_day_0_rejected);
    TEST(test_year_0_rejected);
    TEST(test_trailing_junk_rejected);
    TEST(test_slashes_rejected);
    TEST(test_short_forms_rejected);
    TEST(test_empty_rejected);
    TEST(test_bad_times_rejected);
    TEST(test_bad_offsets_rejected);
    TEST(test_does_not_read_past_n);
    TEST(test_days_from_civil);
    TEST_SUMMARY();
}
