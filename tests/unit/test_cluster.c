/* test_cluster.c - near-duplicate signatures (cluster.h): a reprint with
 * edits and another layout estimates close to its exact similarity and
 * shares a band term with the original; a different story on the same topic
 * estimates low and shares none; short texts get no signature; the stored
 * form round-trips.  (Cluster assignment against a database is exercised end
 * to end by tests/e2e/test_pages.sh.) */
#include <math.h>
#include <string.h>

#include "cluster.h"
#include "neardup.h"
#include "test.h"

static const char *story =
    "全市一季度产业项目建设综合考核最新揭晓，南通开发区以优异成绩再次获得流动红旗，"
    "这是该区连续第十四次获此殊荣。今年以来，开发区坚持项目为王，聚焦新一代信息技术、"
    "高端装备、新材料等主导产业，一批重大项目加快落地建设。一季度，全区新开工亿元以上"
    "产业项目二十六个，竣工项目十八个，完成产业投资一百二十亿元，同比增长百分之二十三。"
    "区内重点企业产能持续释放，工业开票销售同比增长百分之十八，外资到账创历史同期新高。";

static const char *reprint = /* another outlet: lead-in, a word changed, a sentence dropped, a tail */
    "（转载）全市一季度产业项目建设综合考核最新揭晓 南通开发区以优异成绩再次获得流动红旗\n"
    "这是该区连续第十四次获此荣誉。今年以来，开发区坚持项目为王，聚焦新一代信息技术、"
    "高端装备、新材料等主导产业，一批重大项目加快落地建设。一季度，全区新开工亿元以上"
    "产业项目二十六个，竣工项目十八个，完成产业投资一百二十亿元，同比增长百分之二十三。"
    "来源：南通日报 责任编辑：王五";

static const char *other = /* same place and topic, another story */
    "南通开发区举行重大项目集中开工仪式，总投资超过两百亿元的二十个项目同时开工，"
    "涵盖新能源、生物医药等领域。区领导表示，将持续优化营商环境，服务企业发展，"
    "推动项目早建成、早投产、早见效，为全市高质量发展作出更大贡献。仪式上，"
    "多家企业代表作了发言，表示将加快建设进度，力争年内实现投产达效。";

static idx_sig sig(const char *s)
{
    idx_sig g;
    idx_err err;
    idx_err_clear(&err);
    CHECK_INT(idx_sig_of(s, strlen(s), &g, &err), IDX_OK);
    return g;
}

static int shared_bands(const idx_sig *a, const idx_sig *b)
{
    int k = 0;
    for (int i = 0; i < IDX_SIG_BANDS; i++) {
        char x[IDX_SIG_TERM_MAX], y[IDX_SIG_TERM_MAX];
        size_t nx = idx_sig_band_term(a, i, x), ny = idx_sig_band_term(b, i, y);
        k += nx && nx == ny && memcmp(x, y, nx) == 0;
    }
    return k;
}

static void test_identical(void)
{
    idx_sig a = sig(story), b = sig(story);
    CHECK(a.valid);
    CHECK(idx_sig_estimate(&a, &b) == 1.0);
    int with_term = 0; /* a band with an empty bin has none */
    for (int i = 0; i < IDX_SIG_BANDS; i++) {
        char t[IDX_SIG_TERM_MAX];
        with_term += idx_sig_band_term(&a, i, t) > 0;
    }
    CHECK(with_term >= IDX_SIG_BANDS / 2);
    CHECK_INT(shared_bands(&a, &b), with_term);
}

static void test_reprint_is_candidate(void)
{
    idx_sig a = sig(story), b = sig(reprint);
    double exact = idx_text_similarity(story, strlen(story), reprint, strlen(reprint));
    double est = idx_sig_estimate(&a, &b);
    CHECK(exact >= IDX_NEARDUP_THRESHOLD);
    CHECK(est >= IDX_CLUSTER_PREFILTER);
    CHECK(fabs(est - exact) < 0.25);
    CHECK(shared_bands(&a, &b) >= 1);
}

static void test_other_story_is_not(void)
{
    idx_sig a = sig(story), b = sig(other);
    CHECK(idx_sig_estimate(&a, &b) < IDX_CLUSTER_PREFILTER);
    CHECK_INT(shared_bands(&a, &b), 0);
}

static void test_short_has_none(void)
{
    idx_sig a = sig("南通开发区获流动红旗"), e = sig("");
    CHECK(!a.valid);
    CHECK(!e.valid);
}

static void test_encode_roundtrip(void)
{
    idx_sig a = sig(story), b;
    char v[IDX_SIG_BYTES];
    idx_sig_encode(&a, v);
    CHECK(idx_sig_decode(v, sizeof v, &b));
    CHECK(memcmp(a.bin, b.bin, sizeof a.bin) == 0);
    CHECK(!idx_sig_decode(v, sizeof v - 1, &b)); /* not a signature */
}

static void test_band_terms(void)
{
    idx_sig a = sig(story);
    char t[IDX_SIG_TERM_MAX];
    size_t n = idx_sig_band_term(&a, 0, t);
    CHECK(n == strlen(t));
    CHECK(strncmp(t, "XBa", 3) == 0);
    a.bin[1] = UINT32_MAX; /* an empty bin: no term for its band */
    CHECK_INT(idx_sig_band_term(&a, 0, t), 0);
}

int main(void)
{
    TEST(test_identical);
    TEST(test_reprint_is_candidate);
    TEST(test_other_story_is_not);
    TEST(test_short_has_none);
    TEST(test_encode_roundtrip);
    TEST(test_band_terms);
    TEST_SUMMARY();
}
