/* test_clean.c - scraped pages into articles (clean.h): the seed page gives
 * exactly the hand-made sample record; dates in their forms; the headline
 * above the date; sub-headings kept inside the body; repeated footers,
 * navigation and contact lines dropped; 来源 read; pages without an article
 * or a date; invalid UTF-8 named by offset. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clean.h"
#include "test.h"

static idx_cleaned clean(const char *text)
{
    idx_cleaned c;
    idx_err err;
    idx_err_clear(&err);
    CHECK_INT(idx_clean_text(text, strlen(text), &c, &err), IDX_OK);
    return c;
}

static void test_seed_page(void)
{
    FILE *f = fopen("tests/sample/seed_page.txt", "rb");
    CHECK(f != NULL);
    if (!f) return;
    static char buf[16384];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    idx_cleaned c = clean(buf);
    CHECK_STR(c.title, "南通经济技术开发区:南通开发区项目建设连续14次拿下“流动红旗”");
    CHECK_STR(c.date, "2022-05-18");
    CHECK(c.source == NULL);
    CHECK(strncmp(c.body, "全市一季度产业项目建设综合考核最新揭晓", strlen("全市一季度产业项目建设综合考核最新揭晓")) == 0);
    const char *end = "跨国公司地区总部等领域。";
    size_t bl = strlen(c.body), el = strlen(end);
    CHECK(bl > el && strcmp(c.body + bl - el, end) == 0);
    CHECK(strstr(c.body, "“云招商” 洽谈不掉线") != NULL); /* a sub-heading stays */
    CHECK(strstr(c.body, "梦都大街") == NULL);
    CHECK(strstr(c.body, "联系我们") == NULL);
    CHECK(strstr(c.body, "欢迎来到") == NULL);
    CHECK(strstr(c.body, "发布日期") == NULL);
    idx_cleaned_fini(&c);
}

static const char *page(const char *date_line, const char *extra)
{
    static char b[4096];
    snprintf(b, sizeof b,
             "首页 新闻中心 国内新闻\n"
             "某市举行新能源汽车产业发展大会\n"
             "%s\n%s\n"
             "本报讯 某市今天举行新能源汽车产业发展大会，来自全国的一百多家企业参加了会议，会上签约项目二十个。\n"
             "会议指出，新能源汽车产业是推动绿色发展的重要力量，要进一步优化营商环境，服务企业发展。\n"
             "版权所有 某市日报社 ICP备12345678号\n",
             date_line, extra);
    return b;
}

static void test_date_forms(void)
{
    static const struct {
        const char *line, *want;
    } cases[] = {
        {"发布时间：2021年3月5日 10:30", "2021-03-05T10:30:00"},
        {"时间:2021/03/05", "2021-03-05"},
        {"2021-03-05 08:01:02", "2021-03-05T08:01:02"},
        {"日期：2021.3.5", "2021-03-05"},
        {"发布日期:2021-02-30", NULL}, /* no such day: no date */
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        idx_cleaned c = clean(page(cases[i].line, ""));
        if (cases[i].want)
            CHECK_STR(c.date, cases[i].want);
        else
            CHECK(c.date == NULL);
        CHECK_STR(c.title, "某市举行新能源汽车产业发展大会");
        CHECK(strncmp(c.body, "本报讯", strlen("本报讯")) == 0);
        CHECK(strstr(c.body, "版权所有") == NULL);
        idx_cleaned_fini(&c);
    }
}

static void test_source_line(void)
{
    idx_cleaned c = clean(page("发布时间：2021-03-05 来源：某市日报  作者：王某", ""));
    CHECK_STR(c.source, "某市日报");
    CHECK_STR(c.date, "2021-03-05");
    idx_cleaned_fini(&c);
    c = clean(page("2021-03-05", "来源:新华社"));
    CHECK_STR(c.source, "新华社");
    idx_cleaned_fini(&c);
}

static void test_no_article(void)
{
    idx_cleaned c = clean("首页\n联系我们\n版权所有 ICP备1号\n");
    CHECK_STR(c.body, "");
    idx_cleaned_fini(&c);
    c = clean("");
    CHECK(c.title == NULL);
    CHECK_STR(c.body, "");
    idx_cleaned_fini(&c);
}

static void test_no_date_no_title(void)
{
    idx_cleaned c = clean("这是一段没有标题也没有日期的正文，内容足够长，带有标点符号，可以算作文章。\n");
    CHECK(c.date == NULL);
    CHECK(c.title == NULL);
    CHECK_STR(c.body, "这是一段没有标题也没有日期的正文，内容足够长，带有标点符号，可以算作文章。");
    idx_cleaned_fini(&c);
}

static void test_repeated_footer_dropped(void)
{
    const char *t = "标题在这里出现\n"
                    "第一段正文，内容足够长，带有标点符号，可以算作文章的一部分。\n"
                    "友情链接 关于我们\n"
                    "第二段正文，内容同样足够长，也带有标点符号，仍然属于文章。\n"
                    "友情链接 关于我们\n";
    idx_cleaned c = clean(t);
    CHECK(strstr(c.body, "友情链接") == NULL);
    CHECK(strstr(c.body, "第一段正文") != NULL);
    idx_cleaned_fini(&c);
}

static void test_invalid_utf8(void)
{
    idx_cleaned c;
    idx_err err;
    idx_err_clear(&err);
    const char bad[] = "标题\n正文\xff\xfe";
    CHECK_INT(idx_clean_text(bad, sizeof bad - 1, &c, &err), IDX_EUTF8);
    CHECK(strstr(err.msg, "byte") != NULL || strstr(err.msg, "offset") != NULL);
    idx_cleaned_fini(&c);
}

int main(void)
{
    TEST(test_seed_page);
    TEST(test_date_forms);
    TEST(test_source_line);
    TEST(test_no_article);
    TEST(test_no_date_no_title);
    TEST(test_repeated_footer_dropped);
    TEST(test_invalid_utf8);
    TEST_SUMMARY();
}
