/* test_query.c - golden cases for the query builder (query.c): query text
 * -> tree (qtree.h) -> Xapian query, shown as Xapian's own description
 * (idx_xq_describe), so no database is needed.  Covers phrases and their
 * windows, unigrams in both unigram modes, the title boost and title:
 * parts, NOT/OR/AND, filters in the tree and beside it (idx_query_filter),
 * date ranges, synonyms and the title-only mode of suggestions.
 *
 * Reading the descriptions: `a PHRASE 4 b ...` is a phrase in a window of
 * 4 positions, `2 * (...)` a boost scaled by 2, `0 * XS新华社` a filter that
 * adds no weight, `<alldocuments>` MatchAll, `WILDCARD SYNONYM 区` the terms
 * starting with 区.  Dates are sortable-serialised bytes: range() builds
 * the expected text from the seconds of each bound.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "document.h"
#include "query.h"
#include "synonyms.h"
#include "test.h"

static char out[4096];

/* The description of q, or "ERROR code". */
static const char *describe(int rc, idx_xq *q)
{
    char *d = NULL;
    idx_err err;
    idx_err_clear(&err);
    if (!rc) rc = idx_xq_describe(q, &d, &err);
    if (rc)
        snprintf(out, sizeof out, "ERROR %d", rc);
    else
        snprintf(out, sizeof out, "%s", d);
    free(d);
    idx_xq_free(q);
    return out;
}

/* q parsed (t2s folding on), expanded with syn (may be NULL) and built with
 * opts (may be NULL). */
static const char *built_with(const char *q, const idx_synonyms *syn, const idx_query_opts *opts)
{
    idx_qtree t;
    idx_err err;
    idx_err_clear(&err);
    idx_xq *x = NULL;
    int rc = idx_qtree_parse(q, strlen(q), IDX_TOKENIZE_FOLD_T2S, &t, &err);
    if (!rc) rc = idx_synonyms_expand(&t, syn, &err);
    if (!rc) rc = idx_query_build(&t, opts, &x, &err);
    idx_qtree_fini(&t);
    return describe(rc, x);
}

static const idx_query_opts boost = {.title_weight = 2.0, .tokflags = IDX_TOKENIZE_FOLD_T2S};
static const idx_query_opts plain = {.tokflags = IDX_TOKENIZE_FOLD_T2S};
static const idx_query_opts edges = {.unigrams = IDX_UNIGRAMS_EDGES,
                                     .tokflags = IDX_TOKENIZE_FOLD_T2S};

static const char *built(const char *q) { return built_with(q, NULL, &boost); }
static const char *unboosted(const char *q) { return built_with(q, NULL, &plain); }

/* q (an idx_xq_* query) filtered by f. */
static const char *filtered(const char *q, const idx_filters *f)
{
    idx_err err;
    idx_err_clear(&err);
    idx_xq *x = NULL, *y = NULL;
    int rc = idx_query_compile(q, strlen(q), &plain, &x, &err);
    if (!rc) rc = idx_query_filter(x, f, &y, &err);
    idx_xq_free(x);
    return describe(rc, y);
}

/* The description of a date range over [lo, hi] seconds (either < 0: open),
 * without "Query(...)": VALUE_RANGE 0 <lo> <hi>, VALUE_GE or VALUE_LE. */
static const char *range(long long lo, long long hi, char *buf, size_t cap)
{
    char a[18], b[18];
    size_t an = lo >= 0 ? idx_sortable_serialise((double)lo, a) : 0;
    size_t bn = hi >= 0 ? idx_sortable_serialise((double)hi, b) : 0;
    idx_xq *q = NULL;
    char *d = NULL;
    idx_err err;
    idx_err_clear(&err);
    if (idx_xq_value_range(IDX_SLOT_DATE, lo >= 0 ? a : NULL, an, hi >= 0 ? b : NULL, bn, &q,
                           &err) ||
        idx_xq_describe(q, &d, &err)) {
        snprintf(buf, cap, "ERROR");
    } else { /* "Query(X)" -> "X" */
        snprintf(buf, cap, "%.*s", (int)(strlen(d) - 7), d + 6);
    }
    free(d);
    idx_xq_free(q);
    return buf;
}

#define JAN1 1640995200LL   /* 2022-01-01T00:00:00Z */
#define JUN30 1656547200LL  /* 2022-06-30T00:00:00Z */
#define MAY18 1652832000LL  /* 2022-05-18T00:00:00Z */
#define DAY_END 86399       /* an upper bound that is a day holds all of it */

/* A CJK run is a phrase over its bigrams in a window of their positions;
 * the boost is the AND of the same terms in the title (ranking evidence: no
 * position check, which would cost one lookup per term and match), scaled
 * by title_weight. */
static void test_cjk_run_is_phrase_with_title_boost(void)
{
    CHECK_STR(built("南通开发区"),
              "Query(((南通 PHRASE 4 通开 PHRASE 4 开发 PHRASE 4 发区) AND_MAYBE "
              "2 * (S南通 AND S通开 AND S开发 AND S发区)))");
    CHECK_STR(unboosted("南通开发区"), "Query((南通 PHRASE 4 通开 PHRASE 4 开发 PHRASE 4 发区))");
    /* mixed runs and numbers keep their tokens' positions */
    CHECK_STR(unboosted("5G基站"), "Query((5g PHRASE 2 基站))");
    CHECK_STR(unboosted("3月15日"), "Query((3 PHRASE 4 月 PHRASE 4 15 PHRASE 4 日))");
    /* words are ANDed; a quoted phrase is one part */
    CHECK_STR(unboosted("iphone 14"), "Query((iphone AND 14))");
    CHECK_STR(unboosted("\"iphone 14\""), "Query((iphone PHRASE 2 14))");
}

/* Format 2 (bigrams without positions): a run of several tokens is the AND
 * of its tokens (the same weights) filtered by the phrase of its characters
 * and words at their positions; a lone token stays one term.  Its tree is
 * parsed with the run gap, as format 2 databases are. */
static const char *format2(const char *q, double tw)
{
    idx_query_opts o = {.title_weight = tw, .format = 2,
                        .tokflags = IDX_TOKENIZE_FOLD_T2S | IDX_TOKENIZE_RUN_GAP};
    idx_qtree t;
    idx_err err;
    idx_err_clear(&err);
    idx_xq *x = NULL;
    int rc = idx_qtree_parse(q, strlen(q), o.tokflags, &t, &err);
    if (!rc) rc = idx_query_build(&t, &o, &x, &err);
    idx_qtree_fini(&t);
    return describe(rc, x);
}

static void test_format2_runs_filter_by_character_phrase(void)
{
    CHECK_STR(format2("南通开发区", 0),
              "Query(((南通 AND 通开 AND 开发 AND 发区) FILTER "
              "(南 PHRASE 5 通 PHRASE 5 开 PHRASE 5 发 PHRASE 5 区)))");
    CHECK_STR(format2("南通", 0), "Query(南通)");
    CHECK_STR(format2("中", 0), "Query(中)");
    CHECK_STR(format2("5G基站", 0),
              "Query(((5g AND 基站) FILTER (5g PHRASE 3 基 PHRASE 3 站)))");
    CHECK_STR(format2("3月15日", 0),
              "Query(((3 AND 月 AND 15 AND 日) FILTER (3 PHRASE 4 月 PHRASE 4 15 PHRASE 4 日)))");
    CHECK_STR(format2("南通区", 2.0),
              "Query((((南通 AND 通区) FILTER (南 PHRASE 3 通 PHRASE 3 区)) AND_MAYBE "
              "2 * (S南通 AND S通区)))");
}

/* The boost ORs every positive part over the title; opts NULL or a weight
 * of 0 adds none. */
static void test_title_boost_covers_positive_parts(void)
{
    CHECK_STR(built("南通 5G"), "Query(((南通 AND 5g) AND_MAYBE 2 * (S南通 OR S5g)))");
    CHECK_STR(built("经济 -疫情"), "Query(((经济 AND_NOT 疫情) AND_MAYBE 2 * S经济))");
    CHECK_STR(built_with("南通 5G", NULL, NULL), "Query((南通 AND 5g))");
    CHECK_STR(unboosted("南通 5G"), "Query((南通 AND 5g))");
    idx_query_opts half = boost;
    half.title_weight = 0.5;
    CHECK_STR(built_with("南通", NULL, &half), "Query((南通 AND_MAYBE 0.5 * S南通))");
}

/* title: parts match title terms and are not boosted again. */
static void test_title_field(void)
{
    CHECK_STR(built("title:经济"), "Query(S经济)");
    CHECK_STR(built("title:经济 南通"), "Query(((S经济 AND 南通) AND_MAYBE 2 * S南通))");
    CHECK_STR(built("title:\"南通 开发区\""),
              "Query((S南通 PHRASE 4 S通开 PHRASE 4 S开发 PHRASE 4 S发区))");
}

/* IDX_UNIGRAMS_ALL: a lone CJK character is its unigram term.  EDGES: the
 * unigram OR every term starting with it (the bigrams it begins); runs and
 * Latin words are unchanged. */
static void test_unigram_modes(void)
{
    CHECK_STR(unboosted("区"), "Query(区)");
    CHECK_STR(built("区"), "Query((区 AND_MAYBE 2 * S区))");
    CHECK_STR(built_with("区", NULL, &edges), "Query((区 OR WILDCARD SYNONYM 区))");
    CHECK_STR(built_with("\"中\"", NULL, &edges), "Query((中 OR WILDCARD SYNONYM 中))");
    CHECK_STR(built_with("开发区 区", NULL, &edges),
              "Query(((开发 PHRASE 2 发区) AND (区 OR WILDCARD SYNONYM 区)))");
    CHECK_STR(built_with("a", NULL, &edges), "Query(a)");
    idx_query_opts edges_boost = edges;
    edges_boost.title_weight = 2.0;
    CHECK_STR(built_with("区", NULL, &edges_boost),
              "Query(((区 OR WILDCARD SYNONYM 区) AND_MAYBE 2 * (S区 OR WILDCARD SYNONYM S区)))");
}

/* NOT is subtracted from the rest of its AND, from everything when there is
 * no rest; under an OR it stands alone. */
static void test_not_and_or(void)
{
    CHECK_STR(unboosted("疫情 OR 新冠"), "Query((疫情 OR 新冠))");
    CHECK_STR(unboosted("经济 -疫情"), "Query((经济 AND_NOT 疫情))");
    CHECK_STR(unboosted("经济 NOT 疫情"), "Query((经济 AND_NOT 疫情))");
    CHECK_STR(unboosted("-疫情"), "Query((<alldocuments> AND_NOT 疫情))");
    CHECK_STR(unboosted("-疫情 -新冠"), "Query((<alldocuments> AND_NOT (疫情 OR 新冠)))");
    CHECK_STR(unboosted("经济 -(疫情 OR 新冠)"), "Query((经济 AND_NOT (疫情 OR 新冠)))");
    CHECK_STR(unboosted("(经济 -疫情) OR 南通"), "Query(((经济 AND_NOT 疫情) OR 南通))");
    CHECK_STR(unboosted("经济 OR -疫情"), "Query((经济 OR (<alldocuments> AND_NOT 疫情)))");
    CHECK_STR(built("(经济 -疫情) OR 南通"),
              "Query((((经济 AND_NOT 疫情) OR 南通) AND_MAYBE 2 * (S经济 OR S南通)))");
}

/* source:, category:, tag: in the query are exact terms that weigh nothing. */
static void test_filters_in_the_query(void)
{
    CHECK_STR(built("source:新华社 经济"),
              "Query(((0 * XS新华社 AND 经济) AND_MAYBE 2 * S经济))");
    CHECK_STR(unboosted("category:国内 tag:科技 -tag:体育"),
              "Query(((0 * XC国内 AND 0 * K科技) AND_NOT K体育))");
    CHECK_STR(unboosted("source:\"CCTV 新闻联播\""), "Query(0 * XSCCTV 新闻联播)");
}

/* date: is an inclusive value range on the date slot; an upper bound that
 * is a day holds the whole day, one with minutes the whole minute. */
static void test_dates_in_the_query(void)
{
    char r[200], want[400];
    snprintf(want, sizeof want, "Query(((%s AND 经济) AND_MAYBE 2 * S经济))",
             range(JAN1, JUN30 + DAY_END, r, sizeof r));
    CHECK_STR(built("date:2022-01-01..2022-06-30 经济"), want);
    snprintf(want, sizeof want, "Query(%s)", range(MAY18, MAY18 + DAY_END, r, sizeof r));
    CHECK_STR(unboosted("date:2022-05-18"), want);
    snprintf(want, sizeof want, "Query(%s)", range(JAN1, -1, r, sizeof r));
    CHECK_STR(unboosted("date:2022-01-01.."), want);
    CHECK(strstr(out, "VALUE_GE 0 ") != NULL);
    snprintf(want, sizeof want, "Query(%s)", range(-1, JUN30 + DAY_END, r, sizeof r));
    CHECK_STR(unboosted("date:..2022-06-30"), want);
    CHECK(strstr(out, "VALUE_LE 0 ") != NULL);
    snprintf(want, sizeof want, "Query(%s)",
             range(JAN1 + 8 * 3600, JAN1 + 9 * 3600 + 30 * 60 + 59, r, sizeof r));
    CHECK_STR(unboosted("date:2022-01-01T08:00..2022-01-01T09:30"), want);
}

/* Filters beside the query (idx_query_filter) are a FILTER: they select and
 * never score; with none the copy is the query scaled by 1. */
static void test_filters_beside_the_query(void)
{
    CHECK_STR(filtered("经济", &(idx_filters){0}), "Query(1 * 经济)");
    CHECK_STR(filtered("经济", NULL), "Query(1 * 经济)");
    CHECK_STR(filtered("经济", &(idx_filters){.source = "新华社"}), "Query((经济 FILTER XS新华社))");
    CHECK_STR(filtered("经济", &(idx_filters){.category = "国内", .year = "2022"}),
              "Query((经济 FILTER (XC国内 AND Y2022)))");
    char r[200], want[400];
    snprintf(want, sizeof want, "Query((经济 FILTER (%s AND XS新华社)))",
             range(JAN1, JUN30 + DAY_END, r, sizeof r));
    CHECK_STR(filtered("经济", &(idx_filters){.from = "2022-01-01", .to = "2022-06-30",
                                               .source = "新华社"}),
              want);
    CHECK_STR(filtered("经济", &(idx_filters){.year = "22"}), "ERROR 2");
    CHECK_STR(filtered("经济", &(idx_filters){.from = "2022-13-01"}), "ERROR 2");
}

/* A part equal to a synonym becomes the OR of its group, and every member
 * is boosted in titles too. */
static void test_synonyms_become_or(void)
{
    char path[32];
    CHECK(t_temp_file(path, "新冠 COVID-19\n") == 0);
    idx_synonyms *syn = NULL;
    idx_err err;
    idx_err_clear(&err);
    CHECK_INT(idx_synonyms_load(path, &syn, &err), IDX_OK);
    remove(path);
    CHECK_STR(built_with("新冠 疫苗", syn, &boost),
              "Query((((新冠 OR (covid PHRASE 2 19)) AND 疫苗) AND_MAYBE "
              "2 * (S新冠 OR (Scovid AND S19) OR S疫苗)))");
    CHECK_STR(built_with("-新冠", syn, &plain),
              "Query((<alldocuments> AND_NOT (新冠 OR (covid PHRASE 2 19))))");
    idx_synonyms_free(syn);
}

/* Suggestions: every text part in titles only, never boosted. */
static void test_title_only(void)
{
    idx_query_opts o = boost;
    o.title_only = 1;
    CHECK_STR(built_with("南通 经济", NULL, &o), "Query((S南通 AND S经济))");
    CHECK_STR(built_with("南通开发区 -疫情", NULL, &o),
              "Query(((S南通 PHRASE 4 S通开 PHRASE 4 S开发 PHRASE 4 S发区) AND_NOT S疫情))");
}

static void test_empty_tree_is_einval(void)
{
    idx_qtree t = {.root = -1};
    idx_xq *x = NULL;
    idx_err err;
    idx_err_clear(&err);
    CHECK_INT(idx_query_build(&t, &boost, &x, &err), IDX_EINVAL);
    CHECK(x == NULL);
    CHECK_STR(unboosted("，。"), "ERROR 2");
}

int main(void)
{
    TEST(test_cjk_run_is_phrase_with_title_boost);
    TEST(test_title_boost_covers_positive_parts);
    TEST(test_format2_runs_filter_by_character_phrase);
    TEST(test_title_field);
    TEST(test_unigram_modes);
    TEST(test_not_and_or);
    TEST(test_filters_in_the_query);
    TEST(test_dates_in_the_query);
    TEST(test_filters_beside_the_query);
    TEST(test_synonyms_become_or);
    TEST(test_title_only);
    TEST(test_empty_tree_is_einval);
    TEST_SUMMARY();
}
