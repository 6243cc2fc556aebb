/* test_clean.c - scraped pages into articles (clean.h): the seed page gives
 * exactly the hand-made sample record; dates in their forms; the headline
 * above the date; sub-headings kept inside the body; repeated footers,
 * navigation and contact lines dropped; 来源 read; pages without an article
 * or a date; invalid UTF-8 named by offset.  With a site's evidence
 * (idx_site): template prose free of signal words is dropped, a column's
 * recurring headline is still the headline, and a site holding copies of
 * the very article falls back to the page alone.  Speaker tags repeated
 * inside a body, bylines, weak signal words inside prose, sentences naming
 * a date, and short closing sentences stay the body's. */
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
    /* chrome repeats in blocks (a lone repeated line is the body's: see
     * test_body_edges_and_tags) */
    const char *t = "友情链接 关于我们\n网站导航 服务指南\n"
                    "标题在这里出现\n"
                    "第一段正文，内容足够长，带有标点符号，可以算作文章的一部分。\n"
                    "第二段正文，内容同样足够长，也带有标点符号，仍然属于文章。\n"
                    "友情链接 关于我们\n网站导航 服务指南\n";
    idx_cleaned c = clean(t);
    CHECK(strstr(c.body, "友情链接") == NULL);
    CHECK(strstr(c.body, "网站导航") == NULL);
    CHECK(strstr(c.body, "第一段正文") != NULL);
    CHECK(strstr(c.body, "第二段正文") != NULL);
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

/* A site page: template blurb and sidebar prose around title, date, body. */
static char *site_page(const char *title, const char *body)
{
    static char buf[4096];
    snprintf(buf, sizeof buf,
             "某某新闻网\n本站是一家综合性新闻网站，致力于为读者提供及时、准确、全面的新闻资讯。\n"
             "某地举行春季招聘会，提供岗位三千余个，吸引了众多求职者前来咨询洽谈。\n%s\n"
             "发布时间：2022-05-18 10:30\n%s\n"
             "相关阅读：某市召开年度工作会议，部署全年重点任务，要求各部门狠抓落实。\n",
             title, body);
    return buf;
}

static void test_site_evidence(void)
{
    static const char *const bodies[] = {
        "第一篇文章的正文，讲述了一个完整的新闻事件，内容足够长，带有标点符号。",
        "第二篇文章的正文，报道了另一件事情的来龙去脉，同样带有足够的标点符号。",
        "第三篇文章的正文，介绍了某项政策的主要内容和实施步骤，也是完整的句子。",
        "第四篇文章的正文，记录了一场会议的经过与结论，文字通顺，标点齐全。",
        "第五篇文章的正文，描写了当地群众的生活变化，读来生动，句子完整。",
    };
    static const char *const titles[] = {"国内快讯", "国内快讯", "某地召开会议", "国内快讯",
                                         "某地发布新政"};
    idx_site *site;
    idx_err err;
    idx_err_clear(&err);
    CHECK_INT(idx_site_new(&site, &err), IDX_OK);
    for (int i = 0; i < 5; i++) {
        const char *p = site_page(titles[i], bodies[i]);
        CHECK_INT(idx_site_add(site, p, strlen(p), &err), IDX_OK);
    }
    CHECK_INT(idx_site_pages(site), 5);
    const char *p = site_page(titles[0], bodies[0]);
    idx_cleaned alone = clean(p), with;
    CHECK(strstr(alone.body, "招聘会") != NULL || strstr(alone.body, "本站") != NULL ||
          strstr(alone.body, "相关阅读") != NULL); /* the page alone cannot tell */
    CHECK_INT(idx_clean_page(p, strlen(p), site, &with, &err), IDX_OK);
    CHECK_STR(with.body, bodies[0]);
    CHECK_STR(with.title, "国内快讯"); /* on 3 of 5 pages: a column, not the template */
    CHECK_STR(with.date, "2022-05-18T10:30:00");
    idx_cleaned_fini(&alone);
    idx_cleaned_fini(&with);
    idx_site_free(site);

    /* a site of copies of one article: the page is read on its own */
    CHECK_INT(idx_site_new(&site, &err), IDX_OK);
    for (int i = 0; i < 5; i++) {
        const char *q = site_page(titles[2], bodies[2]);
        CHECK_INT(idx_site_add(site, q, strlen(q), &err), IDX_OK);
    }
    p = site_page(titles[2], bodies[2]);
    CHECK_INT(idx_clean_page(p, strlen(p), site, &with, &err), IDX_OK);
    CHECK(strstr(with.body, bodies[2]) != NULL);
    idx_cleaned_fini(&with);
    idx_site_free(site);
}

static void test_body_edges_and_tags(void)
{
    const char *t = "某某报\n会见外宾\n本台记者 张三\n2016-10-12 20:27\n本台消息：\n"
                    "国家主席今天在人民大会堂会见了来访的外国元首，双方就双边关系深入交换意见。\n"
                    "【同期】外国元首\n"
                    "我们希望同中方加强合作，共同应对挑战，推动两国关系不断向前发展。\n"
                    "据统计，我国注册护士总数达到三百多万人，比2010年增长百分之五十八。\n"
                    "【同期】外国元首\n"
                    "这次访问非常成功，我们达成了许多共识，将于2016年10月在北京签署协议。\n"
                    "杨洁篪等参加会见。\n"
                    "分享到：微信 微博\n";
    idx_cleaned c = clean(t);
    CHECK_STR(c.title, "会见外宾"); /* not the byline */
    CHECK(strncmp(c.body, "本台消息：\n", strlen("本台消息：\n")) == 0);
    CHECK(strstr(c.body, "【同期】外国元首") != NULL); /* a speaker tag, repeated */
    CHECK(strstr(c.body, "注册护士") != NULL);        /* 注册 in prose is no signal */
    CHECK(strstr(c.body, "2016年10月在北京") != NULL); /* a sentence naming a date */
    size_t n = strlen(c.body), m = strlen("杨洁篪等参加会见。");
    CHECK(n >= m && strcmp(c.body + n - m, "杨洁篪等参加会见。") == 0);
    CHECK(strstr(c.body, "分享到") == NULL);
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
    TEST(test_site_evidence);
    TEST(test_body_edges_and_tags);
    TEST_SUMMARY();
}
