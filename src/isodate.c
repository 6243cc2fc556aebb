/* isodate.c - see isodate.h.  idx_days_from_civil is the classic era-based
 * conversion (400-year eras of 146097 days), exact for every year. */
#include "isodate.h"

int64_t idx_days_from_civil(int y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static int digits(const char *s, size_t n, size_t at, int count, int *out)
{
    if (at + (size_t)count > n) return -1;
    int v = 0;
    for (int i = 0; i < count; i++) {
        char c = s[at + i];
        if (c < '0' || c > '9') return -1;
        v = v * 10 + (c - '0');
    }
    *out = v;
    return 0;
}

static int days_in_month(int y, int m)
{
    static const int dm[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0)) return 29;
    return dm[m - 1];
}

#define BAD(what) idx_err_set(err, IDX_EINVAL, "date.parse", "%s in \"%.*s\" (want YYYY-MM-DD or " \
                              "YYYY-MM-DDTHH:MM[:SS][Z|+HH:MM])", what, (int)(n > 40 ? 40 : n), s)

int idx_date_parse(const char *s, size_t n, idx_date *out, idx_err *err)
{
    idx_date d = {0};
    if (digits(s, n, 0, 4, &d.year) || n < 10 || s[4] != '-' || digits(s, n, 5, 2, &d.month) ||
        s[7] != '-' || digits(s, n, 8, 2, &d.day))
        return BAD("not an ISO 8601 date");
    if (d.year < 1) return BAD("year out of range");
    if (d.month < 1 || d.month > 12) return BAD("month out of range");
    if (d.day < 1 || d.day > days_in_month(d.year, d.month)) return BAD("day out of range");
    size_t i = 10;
    if (i < n && (s[i] == 'T' || s[i] == ' ')) {
        i++;
        if (digits(s, n, i, 2, &d.hour) || i + 5 > n || s[i + 2] != ':' ||
            digits(s, n, i + 3, 2, &d.minute))
            return BAD("bad time");
        i += 5;
        if (i < n && s[i] == ':') {
            if (digits(s, n, i + 1, 2, &d.second)) return BAD("bad seconds");
            i += 3;
            if (i < n && (s[i] == '.' || s[i] == ',')) {
                size_t j = i + 1;
                while (j < n && s[j] >= '0' && s[j] <= '9') j++;
                if (j == i + 1) return BAD("bad fraction of a second");
                i = j;
            }
        }
        if (d.hour > 24 || d.minute > 59 || d.second > 60 ||
            (d.hour == 24 && (d.minute || d.second)))
            return BAD("time out of range");
        if (i < n && s[i] == 'Z') {
            i++;
            d.zoned = 1;
        } else if (i < n && (s[i] == '+' || s[i] == '-')) {
            int oh = 0, om = 0, sign = s[i] == '-' ? -1 : 1;
            if (digits(s, n, i + 1, 2, &oh)) return BAD("bad zone offset");
            i += 3;
            if (i < n && s[i] == ':') {
                if (digits(s, n, i + 1, 2, &om)) return BAD("bad zone offset");
                i += 3;
            } else if (i + 2 <= n && !digits(s, n, i, 2, &om)) {
                i += 2;
            }
            if (oh > 18 || om > 59) return BAD("zone offset out of range");
            d.zoned = 1;
            d.offset = sign * (oh * 3600 + om * 60);
        }
    }
    if (i != n) return BAD("trailing characters");
    d.secs = idx_days_from_civil(d.year, d.month, d.day) * 86400 + d.hour * 3600 +
             d.minute * 60 + d.second;
    *out = d;
    return IDX_OK;
}
