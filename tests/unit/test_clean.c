/* test_clean.c - scraped pages into articles (clean.h): the seed page gives
 * exactly the hand-made sample record; dates in their forms; the headline
 * above the date; sub-headings kept inside the body; repeated footers,
 * navigation and contact lines dropped; 来源 read; pages without an article
 * or a date; invalid UTF-8 named by offset.  With a site's evidence
 * (idx_site): template prose free of signal words is dropped, a column's
 * recurring headline is still the headline, and a site holding copies of
 * the very article falls back to the page alone.  Speaker tags repeated
 * inside a body, bylines, weak signal words inside prose, sentences naming
 * a date, and short closing sentences stay the body's.  A byte-order mark
 * is not the headline's.  Charsets (idx_clean_decode, idx_html_text): GBK
 * without a declaration or declaring utf-8 is read as GB18030, bytes that
 * are neither (or damaged UTF-8) are refused; HTML nested past libxml2's
 * default 256 levels keeps its text, and past IDX_HTML_MAX_DEPTH is refused,
 * never cleaned into an empty body. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clean.h"
#include "html.h"
#include "test.h"

/* 新闻标题 and 今天举行大会，会议取得圆满成功。 in GBK */
#define GBK_TITLE "\xD0\xC2\xCE\xC5\xB1\xEA\xCC\xE2"
#define GBK_BODY                                                                            \
    "\xBD\xF1\xCC\xEC\xBE\xD9\xD0\xD0\xB4\xF3\xBB\xE1\xA3\xAC\xBB\xE1\xD2\xE9\xC8\xA1\xB5\xC3\xD4\xB2\xC2" \
    "\xFA\xB3\xC9\xB9\xA6\xA1\xA3"
#define UTF8_BODY "今天举行大会，会议取得圆满成功。"

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

/* The cleaner trims ASCII, no-break and ideographic spaces only: an em space
 * indenting a paragraph (&emsp; in HTML) stays, as it always did, so the
 * cleaned text - and a page's id, a hash of it - never changes. */
static void test_trimmed_spaces(void)
{
    const char *t = "\xE3\x80\x80会见外宾\xC2\xA0\n2016-10-12\n"
                    "\xE2\x80\x83\xE2\x80\x83国家主席今天在人民大会堂会见了来访的外国元首，"
                    "双方就双边关系深入交换意见。\xE3\x80\x80\n"
                    "\xE2\x80\x83\xE2\x80\x83我们希望同中方加强合作，共同应对挑战，推动两国关系不断向前发展。\n";
    idx_cleaned c = clean(t);
    CHECK_STR(c.title, "会见外宾");
    CHECK(c.body && strncmp(c.body, "\xE2\x80\x83\xE2\x80\x83国家主席", 6 + strlen("国家主席")) == 0);
    CHECK(c.body && strstr(c.body, "交换意见。\n\xE2\x80\x83\xE2\x80\x83我们") != NULL);
    idx_cleaned_fini(&c);
}

/* A UTF-8 byte-order mark before the first line is not part of the headline
 * (nor of the site's evidence). */
static void test_bom_not_in_title(void)
{
    idx_cleaned c = clean("\xEF\xBB\xBF新闻标题测试\n"
                          "本报讯 某市今天举行新能源汽车产业发展大会，来自全国的一百多家企业参加了会议。\n");
    CHECK_STR(c.title, "新闻标题测试");
    idx_cleaned_fini(&c);
}

/* idx_clean_decode on bytes t[0..n): the UTF-8 it gives (NULL when refused)
 * and whether it read GB18030. */
static char *decode(const char *t, size_t n, int *gb, idx_err *err)
{
    idx_buf b;
    idx_buf_init(&b);
    const char *u;
    size_t un;
    idx_err_clear(err);
    char *res = NULL;
    if (idx_clean_decode(t, n, &b, &u, &un, gb, err) == IDX_OK) res = idx_memdup(u, un);
    idx_buf_fini(&b);
    return res;
}

static void test_decode_charsets(void)
{
    idx_err err;
    int gb;
    char *s = decode("南通 abc", strlen("南通 abc"), &gb, &err);
    CHECK_STR(s, "南通 abc");
    CHECK_INT(gb, 0);
    free(s);
    s = decode("\xEF\xBB\xBF南通", strlen("\xEF\xBB\xBF南通"), &gb, &err);
    CHECK_STR(s, "南通"); /* the BOM skipped */
    free(s);
    const char g[] = GBK_TITLE "\n" GBK_BODY "\n";
    s = decode(g, sizeof g - 1, &gb, &err);
    CHECK_STR(s, "新闻标题\n" UTF8_BODY "\n");
    CHECK_INT(gb, 1);
    free(s);
    /* Latin-1 (é then a space) is not GB18030: refused, naming the byte */
    const char l[] = "caf\xE9 au lait";
    CHECK(decode(l, sizeof l - 1, &gb, &err) == NULL);
    CHECK_INT(err.rc, IDX_EUTF8);
    CHECK(strstr(err.msg, "invalid UTF-8 in page at byte 3 (0xE9)") != NULL);
    /* UTF-8 with one bad byte is damaged UTF-8, even if GB18030 takes it */
    const char d[] = "今天\xB0\xB0大会"; /* GB18030 reads it: 浠婂ぉ鞍澶т細 */
    CHECK(decode(d, sizeof d - 1, &gb, &err) == NULL);
    CHECK_INT(err.rc, IDX_EUTF8);
    /* a GBK character cut short at the end is refused */
    const char cut[] = GBK_TITLE "\xD0";
    CHECK(decode(cut, sizeof cut - 1, &gb, &err) == NULL);
    CHECK_INT(err.rc, IDX_EUTF8);
}

/* The text idx_html_text gives for h (NULL on error, err set). */
static char *html(const char *h, size_t n, idx_err *err)
{
    idx_buf b;
    idx_buf_init(&b);
    idx_err_clear(err);
    char *res = NULL;
    if (idx_html_text(h, n, &b, err) == IDX_OK) res = strdup(idx_buf_cstr(&b));
    idx_buf_fini(&b);
    return res;
}

static void test_html_charsets(void)
{
    idx_err err;
    const char *want = "新闻标题\n" UTF8_BODY "\n";
    const char nodecl[] = "<html><body><h1>" GBK_TITLE "</h1><p>" GBK_BODY "</p></body></html>";
    char *s = html(nodecl, sizeof nodecl - 1, &err);
    CHECK_STR(s, want); /* no declaration: GB18030, not Latin-1 mojibake */
    free(s);
    const char utf8decl[] = "<html><head><meta charset=\"utf-8\"></head><body><h1>" GBK_TITLE
                            "</h1><p>" GBK_BODY "</p></body></html>";
    s = html(utf8decl, sizeof utf8decl - 1, &err);
    CHECK_STR(s, want); /* declares utf-8, is GBK */
    free(s);
    const char gbdecl[] = "<html><head><meta http-equiv=\"Content-Type\" content=\"text/html; "
                          "charset=gb2312\"></head><body><h1>" GBK_TITLE "</h1><p>" GBK_BODY
                          "</p></body></html>";
    s = html(gbdecl, sizeof gbdecl - 1, &err);
    CHECK_STR(s, want);
    free(s);
    const char *lie = "<html><head><meta charset=gbk></head><body><h1>新闻标题</h1><p>" UTF8_BODY
                      "</p></body></html>";
    s = html(lie, strlen(lie), &err);
    CHECK_STR(s, want); /* declares gbk, is UTF-8 */
    free(s);
    const char *bom = "\xEF\xBB\xBF<html><body><h1>新闻标题</h1><p>" UTF8_BODY "</p></body></html>";
    s = html(bom, strlen(bom), &err);
    CHECK_STR(s, want);
    free(s);
    const char latin1[] = "<html><body><h1>caf\xE9 au lait</h1><p>cr\xE8me br\xFBl\xE9" "e</p></body></html>";
    CHECK(html(latin1, sizeof latin1 - 1, &err) == NULL); /* neither: refused */
    CHECK_INT(err.rc, IDX_EUTF8);
    CHECK(strstr(err.msg, "at byte 19 (0xE9)") != NULL);
}

/* n levels of <tag> around a headline and a paragraph, closed or not. */
static char *nested(const char *tag, int n, int close)
{
    idx_buf b;
    idx_buf_init(&b);
    idx_buf_printf(&b, "<html><body>");
    for (int i = 0; i < n; i++) idx_buf_printf(&b, "<%s>", tag);
    idx_buf_printf(&b, "<h1>新闻标题</h1><p>" UTF8_BODY "</p>");
    for (int i = 0; close && i < n; i++) idx_buf_printf(&b, "</%s>", tag);
    idx_buf_printf(&b, "</body></html>");
    return idx_buf_detach(&b, NULL);
}

static void test_html_deep_nesting(void)
{
    idx_err err;
    static const struct {
        const char *tag;
        int n, close;
    } ok[] = {{"div", 260, 1}, {"font", 260, 0}, {"div", IDX_HTML_MAX_DEPTH - 8, 1},
              {"span", IDX_HTML_MAX_DEPTH - 8, 0}};
    for (size_t i = 0; i < sizeof ok / sizeof *ok; i++) {
        char *h = nested(ok[i].tag, ok[i].n, ok[i].close);
        char *s = html(h, strlen(h), &err);
        CHECK(s != NULL && strstr(s, UTF8_BODY) != NULL); /* not an empty body */
        if (!s || !strstr(s, UTF8_BODY))
            fprintf(stderr, "  <%s> x %d: %s\n", ok[i].tag, ok[i].n, s ? s : err.msg);
        free(s);
        free(h);
    }
    /* deeper than the cap: refused, saying why */
    static const int deep[] = {IDX_HTML_MAX_DEPTH + 10, 100000};
    for (size_t i = 0; i < sizeof deep / sizeof *deep; i++) {
        char *h = nested("font", deep[i], 0);
        char *s = html(h, strlen(h), &err);
        CHECK(s == NULL);
        CHECK_INT(err.rc, IDX_EINVAL);
        CHECK(strstr(err.msg, "nested deeper than") != NULL);
        free(s);
        free(h);
    }
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
    TEST(test_trimmed_spaces);
    TEST(test_bom_not_in_title);
    TEST(test_decode_charsets);
    TEST(test_html_charsets);
    TEST(test_html_deep_nesting);
    TEST_SUMMARY();
}
