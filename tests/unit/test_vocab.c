/* test_vocab.c - vocabulary the archive teaches (vocab.h) and the regional
 * wording table (regional.h): the pairs found in text (golden cases), and
 * their expansion in real searches on a small database built through the
 * write path, against the same searches with each expansion turned off.
 * Also the ranking parameters' parser (query.h idx_rank_parse) and the
 * words split from digits of a new database (document.h IDX_META_WORDS).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "regional.h"
#include "search.h"
#include "test.h"
#include "test_json.h"
#include "tokenize.h"
#include "vocab.h"
#include "test_db.h"

static int collect(void *ctx, const char *term, size_t n, idx_err *err)
{
    (void)err;
    idx_buf *b = ctx;
    idx_buf_printf(b, "%s%.*s", b->len ? " | " : "", (int)(n - 2), term + 2);
    return IDX_OK;
}

/* The pairs idx_vocab_scan finds in s, "abbr\x1f" shown as "=". */
static char *pairs(const char *s, int flags)
{
    idx_buf b;
    idx_buf_init(&b);
    idx_err err;
    idx_err_clear(&err);
    int rc = idx_vocab_scan(s, strlen(s), flags, collect, &b, &err);
    if (rc) idx_buf_printf(&b, "ERROR %d", rc);
    for (size_t i = 0; i < b.len; i++)
        if (b.data[i] == '\x1f') b.data[i] = '=';
    return idx_buf_detach(&b, NULL);
}

static void test_scan_golden(void)
{
    static const struct {
        const char *text;
        int flags;
        const char *want;
    } g[] = {
        {"中国倡议成立的亚洲基础设施投资银行（亚投行）今天开业", 0, "亚投行=亚洲基础设施投资银行"},
        {"加入世界贸易组织(以下简称“世贸组织”)十年", 0, "世贸组织=世界贸易组织"},
        {"中国国际进口博览会（进博会）开幕", 0, "进博会=进口博览会"},
        {"阿拉伯国家联盟（阿盟）和东南亚国家联盟（东盟）", 0,
         "阿盟=阿拉伯国家联盟 | 东盟=东南亚国家联盟"},
        {"聯合國糧食計劃署（世糧署）", IDX_TOKENIZE_FOLD_T2S, ""},
        {"世界粮食计划署（世粮署）", 0, "世粮署=世界粮食计划署"},
        {"世界糧食計劃署（世糧署）", IDX_TOKENIZE_FOLD_T2S, "世粮署=世界粮食计划署"},
        /* not pairs: a byline, a year, a word that is there whole, a last character
         * that differs, Latin, nothing before the bracket, no closing bracket */
        {"报道（记者 张三）", 0, ""},
        {"二〇一四年（2014年）", 0, ""},
        {"长三角协同共建上海（长三角）", 0, ""},
        {"北大西洋公约组织（北约）", 0, ""},
        {"亚太经合组织（APEC）", 0, ""},
        {"（亚投行）", 0, ""},
        {"亚洲基础设施投资银行（亚投行", 0, ""},
        {"亚洲基础设施投资银行（亚投行行行行行行行行行行行行行行行行行行）", 0, ""},
    };
    for (size_t i = 0; i < sizeof g / sizeof *g; i++) {
        char *got = pairs(g[i].text, g[i].flags);
        if (strcmp(got, g[i].want) != 0) fprintf(stderr, "  case %zu: %s\n", i, g[i].text);
        CHECK_STR(got, g[i].want);
        free(got);
    }
    idx_buf b;
    idx_buf_init(&b);
    idx_err err;
    idx_err_clear(&err);
    CHECK_INT(idx_vocab_scan("亚洲（\xff）", 13, 0, collect, &b, &err), IDX_EUTF8);
    idx_buf_fini(&b);
}


static const char *const articles[] = {
    "{\"id\":\"v1\",\"title\":\"亚投行开业\",\"body\":\"中国倡议成立的亚洲基础设施投资银行（亚投行）今天开业。\"}",
    "{\"id\":\"v2\",\"title\":\"理事会\",\"body\":\"亚洲基础设施投资银行理事会年会召开。\"}",
    "{\"id\":\"v3\",\"title\":\"银行年会\",\"body\":\"亚投行年会闭幕。\"}",
    "{\"id\":\"v4\",\"title\":\"会议\",\"body\":\"2014APEC会议在北京举行。\"}",
    "{\"id\":\"v5\",\"title\":\"手机\",\"body\":\"iPhone4S上市。\"}",
    "{\"id\":\"c1\",\"title\":\"芯片一\",\"body\":\"国产芯片设计。\"}",
    "{\"id\":\"c2\",\"title\":\"芯片二\",\"body\":\"芯片设计产业。\"}",
    "{\"id\":\"c3\",\"title\":\"芯片三\",\"body\":\"芯片设计大赛。\"}",
    "{\"id\":\"c4\",\"title\":\"芯片四\",\"body\":\"芯片设计人才。\"}",
    "{\"id\":\"c5\",\"title\":\"芯片五\",\"body\":\"芯片设计软件。\"}",
};

static t_db tdb;

static char out[4096];

/* "total: id=snippet id=snippet ..." of q under the ranking spec rank. */
static const char *hits(const char *q, const char *rank)
{
    idx_search_req r = {.limit = 10, .title_weight = -1, .snippets = 1, .rank = rank,
                        .hl = {.max_chars = 60}};
    r.q = q;
    r.qlen = strlen(q);
    json_t *res = NULL;
    idx_err err;
    idx_err_clear(&err);
    int rc = idx_search_json(tdb.db, &tdb.schema, &r, &res, &err);
    if (rc) {
        snprintf(out, sizeof out, "ERROR %d %s", rc, err.msg);
        return out;
    }
    int n = snprintf(out, sizeof out, "%d:", (int)json_integer_value(json_object_get(res, "total")));
    /* in id order, so ties in score do not matter */
    const char *lines[16];
    size_t nl = 0, i;
    json_t *h;
    static char buf[16][256];
    json_array_foreach(json_object_get(res, "hits"), i, h) {
        if (nl == 16) break;
        snprintf(buf[nl], sizeof buf[nl], " %s=%s", json_string_value(json_object_get(h, "id")),
                 json_string_value(json_object_get(h, "snippet")));
        lines[nl] = buf[nl];
        nl++;
    }
    for (size_t a = 0; a < nl; a++)
        for (size_t b = a + 1; b < nl; b++)
            if (strcmp(lines[b], lines[a]) < 0) {
                const char *t = lines[a];
                lines[a] = lines[b];
                lines[b] = t;
            }
    for (size_t a = 0; a < nl && n < (int)sizeof out; a++)
        n += snprintf(out + n, sizeof out - (size_t)n, "%s", lines[a]);
    json_decref(res);
    return out;
}

/* An abbreviation the archive pairs finds the reports that use only the
 * full name, marked; off, only its own. */
static void test_abbreviation_expands(void)
{
    CHECK_STR(hits("亚投行", NULL),
              "3: v1=中国倡议成立的<mark>亚洲基础设施投资银行</mark>（<mark>亚投行</mark>）今天开业。"
              " v2=<mark>亚洲基础设施投资银行</mark>理事会年会召开。"
              " v3=<mark>亚投行</mark>年会闭幕。");
    CHECK_STR(hits("亚投行", "abbreviations=0"),
              "2: v1=中国倡议成立的亚洲基础设施投资银行（<mark>亚投行</mark>）今天开业。"
              " v3=<mark>亚投行</mark>年会闭幕。");
    /* the full name is not shortened the other way */
    CHECK_STR(hits("亚洲基础设施投资银行 年会", NULL),
              "1: v2=<mark>亚洲基础设施投资银行</mark>理事会<mark>年会</mark>召开。");
}

/* Letters glued to digits are words of their own in a new database. */
static void test_words_split_from_digits(void)
{
    CHECK_INT(tdb.schema.words, IDX_WORDS_SPLIT);
    CHECK_STR(hits("APEC", NULL), "1: v4=2014<mark>APEC</mark>会议在北京举行。");
    CHECK_STR(hits("2014APEC", NULL), "1: v4=<mark>2014APEC</mark>会议在北京举行。");
    CHECK_STR(hits("iPhone", NULL), "1: v5=<mark>iPhone</mark>4S上市。");
    CHECK_STR(hits("iPhone 4S", NULL), "1: v5=<mark>iPhone4S</mark>上市。");
    CHECK_STR(hits("iPhone4S", NULL), "1: v5=<mark>iPhone4S</mark>上市。");
    CHECK_STR(hits("iPhone5", NULL), "0:");
}

/* A Taiwan wording the archive does not use finds the mainland one, marked;
 * off, nothing. */
static void test_regional_wording(void)
{
    CHECK_STR(hits("晶片", NULL),
              "5: c1=国产<mark>芯片</mark>设计。 c2=<mark>芯片</mark>设计产业。"
              " c3=<mark>芯片</mark>设计大赛。 c4=<mark>芯片</mark>设计人才。"
              " c5=<mark>芯片</mark>设计软件。");
    CHECK_STR(hits("晶片", "regional=0"), "0:");
    /* inside a longer part, in traditional characters */
    CHECK_STR(hits("晶片設計 大賽", NULL), "1: c3=<mark>芯片设计大赛</mark>。");
    /* fewer than five articles of the mainland wording: left as typed */
    CHECK_STR(hits("晶片設計大賽", NULL), "0:");
}

static void test_rank_parse(void)
{
    idx_rank r = idx_rank_default();
    idx_err err;
    idx_err_clear(&err);
    CHECK_INT(idx_rank_parse("title_weight=1.5,near_window=12,bm25_b=0.3", &r, &err), IDX_OK);
    CHECK(r.title_weight == 1.5 && r.near_window == 12 && r.bm25_b == 0.3);
    CHECK_INT(idx_rank_parse("", &r, &err), IDX_OK);
    static const char *const bad[] = {"title_weight", "nope=1", "prior_weight=-1",
                                      "prior_weight=1x", "prior_weight=1,,", "=1",
                                      "prior_weight=", "prior_weight=nan"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        idx_err_clear(&err);
        CHECK_INT(idx_rank_parse(bad[i], &r, &err), IDX_EINVAL);
    }
    idx_err_clear(&err);
    CHECK_INT(idx_rank_parse("a=1,nope=1", &r, &err), IDX_EINVAL);
    CHECK(strstr(err.msg, "\"a=1\"") != NULL);
    CHECK_STR(hits("亚投行", "bogus=1"), "ERROR 2 bad ranking item \"bogus=1\" "
                                       "(name=value, a number from 0 to 1000000, names as in "
                                       "idx_rank)");
}

/* Xapian's description of the query q becomes under the ranking rank. */
static const char *xapian_query(const char *q, const char *rank)
{
    idx_search_req r = {.limit = 1, .title_weight = -1, .rank = rank, .explain = 1};
    r.q = q;
    r.qlen = strlen(q);
    json_t *res = NULL;
    idx_err err;
    idx_err_clear(&err);
    if (idx_search_json(tdb.db, &tdb.schema, &r, &res, &err)) return "ERROR";
    snprintf(out, sizeof out, "%s",
             json_string_value(json_object_get(json_object_get(res, "explain"), "xapian")));
    json_decref(res);
    return out;
}

/* The default ranking: the title's length evidence on each part, no
 * proximity; --rank adds proximity or takes the evidence away. */
static void test_default_ranking_query(void)
{
    const char *d = xapian_query("会议 北京", NULL);
    CHECK(strstr(d, "0.5 * S会议 AND PostingSource(idx.Length(8.000000, 1500.000000))") != NULL);
    CHECK(strstr(d, "NEAR") == NULL);
    CHECK(strstr(xapian_query("会议 北京", "near_weight=4"), "4 * (会议 NEAR 64 北京)") != NULL);
    CHECK(strstr(xapian_query("会议 北京", "title_len_weight=0"), "idx.Length") == NULL);
    CHECK(strstr(xapian_query("会议", "prior_weight=2,prior_len=800"),
                 "AND_MAYBE PostingSource(idx.Length(2.000000, 800.000000))") != NULL);
}

int main(void)
{
    TEST(test_scan_golden);
    if (t_db_build(&tdb, "vocab", articles, sizeof articles / sizeof *articles) != 0) {
        fprintf(stderr, "cannot build the test database\n");
        return 1;
    }
    TEST(test_abbreviation_expands);
    TEST(test_words_split_from_digits);
    TEST(test_regional_wording);
    TEST(test_rank_parse);
    TEST(test_default_ranking_query);
    t_db_remove(&tdb);
    TEST_SUMMARY();
}
