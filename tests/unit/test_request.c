/* test_request.c - the request vocabulary (request.h): one table read by
 * both programs, its defaults and bounds, and the messages each gives. */
#include <string.h>

#include "discover.h"
#include "request.h"
#include "histogram.h"
#include "test.h"

/* GET /search?s: 0 or the error code, its message in msg.  r's strings
 * point into the form, freed by the next call (or form_done). */
static idx_form form;
static int form_live;

static void form_done(void)
{
    if (form_live) idx_form_fini(&form);
    form_live = 0;
}

static int search_form(const char *s, idx_search_req *r, char *msg)
{
    idx_err e;
    idx_err_clear(&e);
    form_done();
    int rc = idx_form_parse(s, strlen(s), &form, &e);
    form_live = 1;
    if (!rc) rc = idx_search_req_form(&form, r, &e);
    strcpy(msg, e.msg);
    return rc;
}

/* The number of the command-line option name, or -1. */
static int cli_index(const char *name, int *takes_value)
{
    const char *n;
    for (size_t i = 0; (n = idx_search_cli_option(i, takes_value)); i++)
        if (strcmp(n, name) == 0) return (int)i;
    return -1;
}

/* idx search --name value: 0 or the error code, its message in msg. */
static int cli(idx_search_req *r, const char *name, const char *value, char *msg)
{
    int takes;
    idx_err e;
    idx_err_clear(&e);
    int i = cli_index(name, &takes);
    CHECK(i >= 0);
    int rc = idx_search_cli_set(r, (size_t)(i < 0 ? 999 : i), value, &e);
    strcpy(msg, e.msg);
    return rc;
}

static void test_search_defaults_alike_in_both_programs(void)
{
    idx_search_req h, c;
    char msg[512];
    CHECK_INT(search_form("q=x", &h, msg), IDX_OK);
    idx_search_req_init(&c);
    CHECK_INT(h.qlen, 1);
    CHECK(memcmp(h.q, "x", 1) == 0);
    form_done();
    CHECK(c.q == NULL && c.qlen == 0);
    const idx_search_req *both[2] = {&h, &c};
    for (int k = 0; k < 2; k++) {
        const idx_search_req *r = both[k];
        CHECK_INT(r->limit, IDX_SEARCH_DEFAULT_LIMIT);
        CHECK_INT(r->offset, 0);
        CHECK_INT(r->sort, IDX_SORT_RELEVANCE);
        CHECK(r->title_weight < 0); /* IDX_TITLE_WEIGHT_DEFAULT */
        CHECK_INT(r->snippets, 1);
        CHECK_INT(r->all_copies, 0);
        CHECK_INT(r->exact_total, 0);
        CHECK_INT(r->explain, 0);
        CHECK_INT(r->facets, 0);
        CHECK(r->recency_days == 0 && r->recency_weight == 0);
        CHECK(!r->filters.from && !r->filters.to && !r->filters.source &&
              !r->filters.category && !r->filters.year);
        CHECK_INT(r->hl.max_chars, IDX_SNIPPET_DEFAULT_CHARS);
        CHECK(r->synonyms == NULL && r->budget_ms == 0);
    }
}

static void test_http_reads_every_parameter(void)
{
    idx_search_req r;
    char msg[512];
    CHECK_INT(search_form("q=%E5%8D%97%E9%80%9A&limit=100&offset=10000&sort=-date&from=2022-01-01"
                          "&to=2022-12-31&source=A&category=B&year=2022&facets=year,source"
                          "&recency=30&recency_weight=1.5&exact_total=1&explain=1&dedup=0"
                          "&snippet_len=1000&_=123",
                          &r, msg),
              IDX_OK);
    CHECK_INT(r.qlen, 6);
    CHECK(memcmp(r.q, "南通", 6) == 0);
    CHECK_INT(r.limit, 100);
    CHECK_INT(r.offset, 10000);
    CHECK_INT(r.sort, IDX_SORT_DATE_DESC);
    CHECK_STR(r.filters.from, "2022-01-01");
    CHECK_STR(r.filters.to, "2022-12-31");
    CHECK_STR(r.filters.source, "A");
    CHECK_STR(r.filters.category, "B");
    CHECK_STR(r.filters.year, "2022");
    CHECK_INT(r.facets, (1u << IDX_FACET_YEAR) | (1u << IDX_FACET_SOURCE));
    CHECK(r.recency_days == 30 && r.recency_weight == 1.5);
    CHECK_INT(r.exact_total, 1);
    CHECK_INT(r.explain, 1);
    CHECK_INT(r.all_copies, 1);
    CHECK_INT(r.hl.max_chars, 1000);
    CHECK_INT(search_form("q=x&sort=date&dedup=1&limit=1", &r, msg), IDX_OK);
    CHECK_INT(r.sort, IDX_SORT_DATE_ASC);
    CHECK_INT(r.all_copies, 0);
    CHECK_INT(r.limit, 1);
    form_done();
}

/* the messages idxd answered with before the table, word for word */
static void test_http_refusals_name_the_parameter(void)
{
    static const struct {
        const char *query, *msg;
    } cases[] = {
        {"", "q (the query) is required"},
        {"q=", "q (the query) is required"},
        {"limit=5", "q (the query) is required"},
        {"q=x&limt=5", "unknown parameter 'limt'"},
        {"q=x&limit=0", "limit is 0; it must be from 1 to 100"},
        {"q=x&limit=101", "limit is 101; it must be from 1 to 100"},
        {"q=x&limit=abc", "limit must be a whole number from 1 to 100"},
        {"q=x&limit=-1", "limit must be a whole number from 1 to 100"},
        {"q=x&limit=+5", "limit must be a whole number from 1 to 100"},
        {"q=x&limit=12345678901", "limit must be a whole number from 1 to 100"},
        {"q=x&offset=10001", "offset is 10001; it must be from 0 to 10000"},
        {"q=x&dedup=2", "dedup is 2; it must be from 0 to 1"},
        {"q=x&exact_total=2", "exact_total is 2; it must be from 0 to 1"},
        {"q=x&explain=yes", "explain must be a whole number from 0 to 1"},
        {"q=x&snippet_len=0", "snippet_len is 0; it must be from 1 to 1000"},
        {"q=x&snippet_len=1001", "snippet_len is 1001; it must be from 1 to 1000"},
        {"q=x&recency=0", "recency is 0; it must be from 1 to 36500"},
        {"q=x&recency=36501", "recency is 36501; it must be from 1 to 36500"},
        {"q=x&recency=1.5", "recency must be a whole number from 1 to 36500"},
        {"q=x&recency_weight=x", "recency_weight must be a number above 0 and at most 1000"},
        {"q=x&recency_weight=0", "recency_weight must be a number above 0 and at most 1000"},
        {"q=x&recency_weight=1001", "recency_weight must be a number above 0 and at most 1000"},
        {"q=x&recency_weight=nan", "recency_weight must be a number above 0 and at most 1000"},
        {"q=x&facets=bogus", "facets: unknown facet 'bogus' (facets: source, category, year)"},
        {"q=x&sort=bogus", "sort must be relevance, date, -date or revision"},
        /* the first bad one in the table's order is reported */
        {"q=x&sort=bogus&limit=0", "limit is 0; it must be from 1 to 100"},
        /* options only the command line has */
        {"q=x&all=1", "unknown parameter 'all'"},
        {"q=x&title_weight=1", "unknown parameter 'title_weight'"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        idx_search_req r;
        char msg[512];
        int rc = search_form(cases[i].query, &r, msg);
        if (rc != IDX_EINVAL || strcmp(msg, cases[i].msg) != 0)
            fprintf(stderr, "  %s: rc %d, \"%s\"\n", cases[i].query, rc, msg);
        CHECK_INT(rc, IDX_EINVAL);
        CHECK_STR(msg, cases[i].msg);
    }
    form_done();
}

static void test_http_limits_of_suggest_and_related(void)
{
    idx_form f;
    idx_err e;
    idx_suggest_req s;
    idx_related_req r;
    idx_err_clear(&e);
    CHECK_INT(idx_form_parse("q=%E7%BB%8F", 11, &f, &e), IDX_OK);
    CHECK_INT(idx_suggest_req_form(&f, &s, &e), IDX_OK);
    CHECK_INT(s.limit, 8);
    CHECK_INT(s.qlen, 3);
    idx_form_fini(&f);
    idx_err_clear(&e);
    CHECK_INT(idx_form_parse("q=x&limit=21", 12, &f, &e), IDX_OK);
    CHECK_INT(idx_suggest_req_form(&f, &s, &e), IDX_EINVAL);
    CHECK_STR(e.msg, "limit is 21; it must be from 1 to 20");
    idx_form_fini(&f);
    idx_err_clear(&e);
    CHECK_INT(idx_form_parse("limit=3", 7, &f, &e), IDX_OK);
    CHECK_INT(idx_suggest_req_form(&f, &s, &e), IDX_EINVAL);
    CHECK_STR(e.msg, "q (what was typed) is required");
    idx_err_clear(&e);
    CHECK_INT(idx_related_req_form(&f, &r, &e), IDX_OK);
    CHECK_INT(r.limit, 3);
    idx_form_fini(&f);
    idx_err_clear(&e);
    CHECK_INT(idx_form_parse("", 0, &f, &e), IDX_OK);
    CHECK_INT(idx_related_req_form(&f, &r, &e), IDX_OK);
    CHECK_INT(r.limit, 5);
    idx_form_fini(&f);
    idx_err_clear(&e);
    CHECK_INT(idx_form_parse("limit=51", 8, &f, &e), IDX_OK);
    CHECK_INT(idx_related_req_form(&f, &r, &e), IDX_EINVAL);
    CHECK_STR(e.msg, "limit is 51; it must be from 1 to 50");
    idx_form_fini(&f);
    idx_err_clear(&e);
    CHECK_INT(idx_form_parse("q=x", 3, &f, &e), IDX_OK);
    CHECK_INT(idx_related_req_form(&f, &r, &e), IDX_EINVAL);
    CHECK_STR(e.msg, "unknown parameter 'q'");
    idx_form_fini(&f);
}

static void test_http_routes_without_parameters(void)
{
    idx_form f;
    idx_err e;
    idx_err_clear(&e);
    CHECK_INT(idx_form_parse("_=1", 3, &f, &e), IDX_OK);
    CHECK_INT(idx_req_form_none(&f, &e), IDX_OK);
    idx_form_fini(&f);
    CHECK_INT(idx_form_parse("x=1", 3, &f, &e), IDX_OK);
    CHECK_INT(idx_req_form_none(&f, &e), IDX_EINVAL);
    CHECK_STR(e.msg, "unknown parameter 'x'");
    idx_form_fini(&f);
}

static void test_cli_options_are_the_table(void)
{
    static const struct {
        const char *name;
        int takes_value;
    } want[] = {{"limit", 1},          {"offset", 1},         {"exact-total", 0},
                {"explain", 0},        {"recency", 1},        {"recency-weight", 1},
                {"facets", 1},         {"sort", 1},           {"from", 1},
                {"to", 1},             {"source", 1},         {"category", 1},
                {"year", 1},           {"since", 1},          {"until", 1},
                {"histogram", 1},      {"fragments", 1},      {"all", 0},
                {"title-weight", 1},   {"rank", 1}};
    size_t n = 0;
    int takes;
    while (idx_search_cli_option(n, &takes)) n++;
    CHECK_INT(n, sizeof want / sizeof *want);
    for (size_t i = 0; i < sizeof want / sizeof *want; i++) {
        CHECK(cli_index(want[i].name, &takes) >= 0);
        CHECK_INT(takes, want[i].takes_value);
    }
    CHECK(cli_index("dedup", &takes) < 0);
    CHECK(cli_index("snippet-len", &takes) < 0);
    CHECK(cli_index("q", &takes) < 0);
}

static void test_cli_reads_every_option(void)
{
    idx_search_req r;
    char msg[512];
    idx_search_req_init(&r);
    CHECK_INT(cli(&r, "limit", "1000", msg), IDX_OK);
    CHECK_INT(r.limit, 1000);
    CHECK_INT(cli(&r, "limit", "0", msg), IDX_OK); /* a count alone */
    CHECK_INT(r.limit, 0);
    CHECK_INT(cli(&r, "offset", "1000000", msg), IDX_OK);
    CHECK_INT(r.offset, 1000000);
    CHECK_INT(cli(&r, "sort", "date", msg), IDX_OK);
    CHECK_INT(r.sort, IDX_SORT_DATE_ASC);
    CHECK_INT(cli(&r, "from", "2022-01-01", msg), IDX_OK);
    CHECK_STR(r.filters.from, "2022-01-01");
    CHECK_INT(cli(&r, "to", "2022-02-01", msg), IDX_OK);
    CHECK_STR(r.filters.to, "2022-02-01");
    CHECK_INT(cli(&r, "source", "A", msg), IDX_OK);
    CHECK_STR(r.filters.source, "A");
    CHECK_INT(cli(&r, "category", "B", msg), IDX_OK);
    CHECK_STR(r.filters.category, "B");
    CHECK_INT(cli(&r, "year", "2021", msg), IDX_OK);
    CHECK_STR(r.filters.year, "2021");
    CHECK_INT(cli(&r, "facets", "category", msg), IDX_OK);
    CHECK_INT(r.facets, 1u << IDX_FACET_CATEGORY);
    CHECK_INT(cli(&r, "recency", "0.5", msg), IDX_OK); /* any number of days here */
    CHECK(r.recency_days == 0.5);
    CHECK_INT(cli(&r, "recency-weight", "100", msg), IDX_OK);
    CHECK(r.recency_weight == 100);
    CHECK_INT(cli(&r, "title-weight", "0", msg), IDX_OK);
    CHECK(r.title_weight == 0);
    CHECK_INT(cli(&r, "exact-total", NULL, msg), IDX_OK);
    CHECK_INT(cli(&r, "explain", NULL, msg), IDX_OK);
    CHECK_INT(cli(&r, "all", NULL, msg), IDX_OK);
    CHECK(r.exact_total == 1 && r.explain == 1 && r.all_copies == 1);
}

/* the messages idx printed before the table, word for word (after "idx: ") */
static void test_cli_refusals_name_the_option(void)
{
    static const struct {
        const char *name, *value, *msg;
    } cases[] = {
        {"limit", "1001", "--limit: expected a whole number from 0 to 1000, got \"1001\""},
        {"limit", "-1", "--limit: expected a whole number from 0 to 1000, got \"-1\""},
        {"limit", "", "--limit: expected a whole number from 0 to 1000, got \"\""},
        {"offset", "1000001",
         "--offset: expected a whole number from 0 to 1000000, got \"1000001\""},
        {"sort", "newest", "--sort: expected relevance, date, -date or revision, got \"newest\""},
        {"recency", "0", "--recency: expected a number above 0 and at most 36500"},
        {"recency", "36501", "--recency: expected a number above 0 and at most 36500"},
        {"recency-weight", "x", "--recency-weight: expected a number above 0 and at most 1000"},
        {"title-weight", "101", "--title-weight: expected a number from 0 to 100, got \"101\""},
        {"title-weight", "-1", "--title-weight: expected a number from 0 to 100, got \"-1\""},
        {"title-weight", "nan", "--title-weight: expected a number from 0 to 100, got \"nan\""},
        {"facets", "bogus", "--facets: unknown facet 'bogus' (facets: source, category, year)"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        idx_search_req r, before;
        char msg[512];
        idx_search_req_init(&r);
        memcpy(&before, &r, sizeof r);
        CHECK_INT(cli(&r, cases[i].name, cases[i].value, msg), IDX_EINVAL);
        CHECK_STR(msg, cases[i].msg);
        CHECK(memcmp(&r, &before, sizeof r) == 0); /* a refused value changes nothing */
    }
}

/* the monitoring parameters: since/until revisions, histogram, fragments */
static void test_revisions_histogram_fragments(void)
{
    idx_search_req r;
    char msg[512];
    CHECK_INT(search_form("q=x&since=5&until=9&histogram=month&fragments=3&sort=revision", &r, msg),
              IDX_OK);
    CHECK_INT(r.since, 5);
    CHECK_INT(r.until, 9);
    CHECK_INT(r.histogram, IDX_HIST_MONTH);
    CHECK_INT(r.hl.fragments, 3);
    CHECK_INT(r.sort, IDX_SORT_REVISION);
    CHECK_INT(search_form("q=x", &r, msg), IDX_OK);
    CHECK_INT(r.since, 0);
    CHECK_INT(r.until, 0);
    CHECK_INT(r.histogram, IDX_HIST_NONE);
    CHECK_INT(r.hl.fragments, 1);
    CHECK_INT(search_form("q=x&fragments=6", &r, msg), IDX_EINVAL);
    CHECK_STR(msg, "fragments is 6; it must be from 1 to 5");
    CHECK_INT(search_form("q=x&until=0", &r, msg), IDX_EINVAL);
    CHECK_INT(search_form("q=x&since=-1", &r, msg), IDX_EINVAL);
    CHECK_INT(search_form("q=x&histogram=hour", &r, msg), IDX_EINVAL);
    CHECK_STR(msg, "histogram must be none, day, week, month or year");
    form_done();
}

/* a request written back as a query string reads as the same request */
static void test_query_string_round_trip(void)
{
    idx_search_req a, b;
    char msg[512];
    CHECK_INT(search_form("q=%E5%8D%97%E9%80%9A%20a%26b&limit=20&sort=-date&source=%E6%96%B0+1"
                          "&since=7&histogram=week&fragments=2&dedup=0&facets=year,source",
                          &a, msg),
              IDX_OK);
    idx_buf qs;
    idx_buf_init(&qs);
    idx_err e;
    idx_err_clear(&e);
    CHECK_INT(idx_search_req_query(&a, &qs, &e), IDX_OK);
    CHECK_STR(idx_buf_cstr(&qs), "q=%E5%8D%97%E9%80%9A%20a%26b&limit=20&dedup=0&facets=source%2Cyear"
                                 "&sort=-date&source=%E6%96%B0%201&since=7&histogram=week"
                                 "&fragments=2");
    idx_form f2;
    CHECK_INT(idx_form_parse(qs.data, qs.len, &f2, &e), IDX_OK);
    CHECK_INT(idx_search_req_form(&f2, &b, &e), IDX_OK);
    CHECK(b.qlen == a.qlen && memcmp(a.q, b.q, a.qlen) == 0);
    CHECK_INT(b.limit, 20);
    CHECK_INT(b.sort, IDX_SORT_DATE_DESC);
    CHECK_STR(b.filters.source, "新 1");
    CHECK_INT(b.since, 7);
    CHECK_INT(b.histogram, IDX_HIST_WEEK);
    CHECK_INT(b.hl.fragments, 2);
    CHECK_INT(b.all_copies, 1);
    CHECK_INT(b.facets, a.facets);
    idx_form_fini(&f2);
    idx_buf_fini(&qs);
    form_done();
}

static void test_whole_numbers_are_digits_only(void)
{
    unsigned long x = 7;
    CHECK_INT(idx_req_uint("0", &x), 1);
    CHECK_INT(x, 0);
    CHECK_INT(idx_req_uint("0010", &x), 1);
    CHECK_INT(x, 10);
    CHECK_INT(idx_req_uint("9999999999", &x), 1);
    CHECK_INT(x, 9999999999UL);
    CHECK_INT(idx_req_uint("", &x), 0);
    CHECK_INT(idx_req_uint("+5", &x), 0);
    CHECK_INT(idx_req_uint(" 5", &x), 0);
    CHECK_INT(idx_req_uint("5 ", &x), 0);
    CHECK_INT(idx_req_uint("1e3", &x), 0);
    CHECK_INT(idx_req_uint("12345678901", &x), 0);
}

int main(void)
{
    TEST(test_search_defaults_alike_in_both_programs);
    TEST(test_http_reads_every_parameter);
    TEST(test_http_refusals_name_the_parameter);
    TEST(test_http_limits_of_suggest_and_related);
    TEST(test_http_routes_without_parameters);
    TEST(test_cli_options_are_the_table);
    TEST(test_cli_reads_every_option);
    TEST(test_cli_refusals_name_the_option);
    TEST(test_whole_numbers_are_digits_only);
    TEST(test_revisions_histogram_fragments);
    TEST(test_query_string_round_trip);
    TEST_SUMMARY();
}
