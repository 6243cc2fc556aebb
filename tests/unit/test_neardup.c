/* test_neardup.c - text similarity for reprint detection (neardup.h): the
 * same story with another layout, punctuation, a few edits or a different
 * headline scores at or above IDX_NEARDUP_THRESHOLD; different stories on one
 * topic score below it; short, empty and invalid texts are handled. */
#include <string.h>

#include "neardup.h"
#include "test.h"

static double sim(const char *a, const char *b)
{
    return idx_text_similarity(a, strlen(a), b, strlen(b));
}

static const char *story =
    "全市一季度产业项目建设综合考核最新揭晓，南通开发区以优异成绩再次获得流动红旗，"
    "这是该区连续第十四次获此殊荣。今年以来，开发区坚持项目为王，聚焦新一代信息技术、"
    "高端装备、新材料等主导产业，一批重大项目加快落地建设。";

static void test_identical_is_one(void)
{
    CHECK(sim(story, story) == 1.0);
}

static void test_layout_and_punctuation_ignored(void)
{
    const char *reflowed =
        "全市一季度产业项目建设综合考核最新揭晓 南通开发区以优异成绩再次获得流动红旗\n\n"
        "这是该区连续第十四次获此殊荣 今年以来 开发区坚持项目为王 聚焦新一代信息技术 "
        "高端装备 新材料等主导产业 一批重大项目加快落地建设";
    CHECK(sim(story, reflowed) == 1.0);
}

static void test_reprint_with_edits_is_near(void)
{
    const char *edited =
        "（转载）全市一季度产业项目建设综合考核最新揭晓，南通开发区以优异成绩再次获得流动红旗，"
        "这是该区连续第十四次获此荣誉。今年以来，开发区坚持项目为王，聚焦新一代信息技术、"
        "高端装备、新材料等主导产业，一批重大项目加快建设。来源：南通日报";
    double s = sim(story, edited);
    CHECK(s >= IDX_NEARDUP_THRESHOLD);
    CHECK(s < 1.0);
}

static void test_same_topic_other_story_is_far(void)
{
    const char *other =
        "南通开发区举行重大项目集中开工仪式，总投资超过两百亿元的二十个项目同时开工，"
        "涵盖新能源、生物医药等领域。区领导表示，将持续优化营商环境，服务企业发展。";
    CHECK(sim(story, other) < IDX_NEARDUP_THRESHOLD);
    CHECK(sim(story, other) > 0); /* they do share phrases (南通开发区) */
}

static void test_latin_case_ignored(void)
{
    CHECK(sim("APEC Leaders Meeting in Beijing", "apec leaders meeting in beijing!") == 1.0);
    CHECK(sim("APEC Leaders Meeting in Beijing", "The G20 summit opens in Osaka") < 0.2);
    /* width folds as in the index: full-width letters are the same letters */
    CHECK(sim("ＡＰＥＣ Leaders Meeting", "apec leaders meeting") == 1.0);
}

static void test_short_and_empty(void)
{
    CHECK(sim("", "") == 0);
    CHECK(sim("南通", "南通") == 1.0);
    CHECK(sim("南通", "北京") == 0);
    CHECK(sim("南通", story) == 0);
    CHECK(sim("，。！", "？？") == 0);
}

static void test_invalid_utf8_skipped(void)
{
    const char bad[] = "全市一季度\xff\xfe产业项目建设综合考核";
    CHECK(sim(bad, "全市一季度产业项目建设综合考核") == 1.0);
}

static void test_same_story(void)
{
    double sim;
    /* the story cut to its first half by a reprint: Jaccard about 0.5 or
     * below, but nearly all of it is in the original */
    const char *longer =
        "全市一季度产业项目建设综合考核最新揭晓，南通开发区以优异成绩再次获得流动红旗，"
        "这是该区连续第十四次获此殊荣。今年以来，开发区坚持项目为王，聚焦新一代信息技术、"
        "高端装备、新材料等主导产业，一批重大项目加快落地建设。一季度，全区新开工亿元以上"
        "产业项目二十六个，竣工项目十八个，完成产业投资一百二十亿元，同比增长百分之二十三。";
    const char *half = "全市一季度产业项目建设综合考核最新揭晓，南通开发区以优异成绩再次获得流动红旗，"
                       "这是该区连续第十四次获此殊荣。今年以来，开发区坚持项目为王，聚焦新一代信息技术。";
    CHECK_INT(idx_text_same_story(longer, strlen(longer), half, strlen(half), &sim), 1);
    CHECK(sim < IDX_NEARDUP_THRESHOLD);
    CHECK_INT(idx_text_same_story(story, strlen(story), story, strlen(story), &sim), 1);
    CHECK(sim == 1.0);
    /* a short item inside a long roundup is not the roundup's story */
    const char *item = "全市一季度产业项目建设综合考核最新揭晓。";
    CHECK_INT(idx_text_same_story(longer, strlen(longer), item, strlen(item), &sim), 0);
    const char *other =
        "南通开发区举行重大项目集中开工仪式，总投资超过两百亿元的二十个项目同时开工，"
        "涵盖新能源、生物医药等领域。区领导表示，将持续优化营商环境，服务企业发展。";
    CHECK_INT(idx_text_same_story(story, strlen(story), other, strlen(other), &sim), 0);
    CHECK_INT(idx_text_same_story("", 0, "", 0, &sim), 0);
    /* a daily report in a fixed template: another day, other figures */
    const char *d1 = "国家卫生健康委今天（8月1日）通报，7月31日0—24时，31个省（自治区、直辖市）"
                     "和新疆生产建设兵团报告新增确诊病例45例，其中境外输入病例6例，本土病例39例。"
                     "截至7月31日24时，现有确诊病例714例。"
                     "各地继续落实常态化防控措施，加强入境人员健康管理，严防输入风险和本土反弹。";
    const char *d2 = "国家卫生健康委今天（8月2日）通报，8月1日0—24时，31个省（自治区、直辖市）"
                     "和新疆生产建设兵团报告新增确诊病例49例，其中境外输入病例8例，本土病例41例。"
                     "截至8月1日24时，现有确诊病例752例。"
                     "各地继续落实常态化防控措施，加强入境人员健康管理，严防输入风险和本土反弹。";
    CHECK(idx_text_similarity(d1, strlen(d1), d2, strlen(d2)) >= IDX_NEARDUP_THRESHOLD);
    CHECK_INT(idx_text_same_story(d1, strlen(d1), d2, strlen(d2), &sim), 0);
    /* ... while a reprint of one day keeps its figures */
    const char *d1r = "据报道，国家卫生健康委今天（8月1日）通报，7月31日0—24时，31个省（自治区、直辖市）"
                      "和新疆生产建设兵团报告新增确诊病例45例，其中境外输入病例6例，本土病例39例。";
    CHECK_INT(idx_text_same_story(d1, strlen(d1), d1r, strlen(d1r), &sim), 1);
    /* the same announcement about another book */
    const char *b1 = "中共中央总书记、国家主席、中央军委主席习近平《在企业家座谈会上的讲话》单行本，"
                     "已由人民出版社出版，即日起在全国新华书店发行。";
    const char *b2 = "中共中央总书记、国家主席、中央军委主席习近平《在经济社会领域专家座谈会上的讲话》单行本，"
                     "已由人民出版社出版，即日起在全国新华书店发行。";
    CHECK_INT(idx_text_same_story(b1, strlen(b1), b2, strlen(b2), &sim), 0);
    CHECK_INT(idx_text_same_story(b1, strlen(b1), b1, strlen(b1), &sim), 1);
}

int main(void)
{
    TEST(test_identical_is_one);
    TEST(test_layout_and_punctuation_ignored);
    TEST(test_reprint_with_edits_is_near);
    TEST(test_same_topic_other_story_is_far);
    TEST(test_latin_case_ignored);
    TEST(test_short_and_empty);
    TEST(test_invalid_utf8_skipped);
    TEST(test_same_story);
    TEST_SUMMARY();
}
