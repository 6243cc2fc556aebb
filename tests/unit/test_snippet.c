/* test_snippet.c - golden cases for highlighted titles and snippets (snippet.h).
 *
 * hl(query, text) is idx_highlight's output, snip(query, text, max) is
 * idx_snippet's.  Cases cover merged spans, whole-match-only marking, CJK
 * cut points, sentence-boundary windows, HTML escaping and the scan bound.
 */
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "snippet.h"
#include "test.h"
#include "utf8.h"

static char out_buf[1 << 18];

static const char *run(int snippet, const char *query, const char *text, size_t max,
                       const idx_hl_opts *o_in)
{
    idx_qtree pq;
    idx_err err;
    idx_err_clear(&err);
    idx_buf b;
    idx_buf_init(&b);
    int rc = idx_qtree_parse(query, strlen(query), IDX_TOKENIZE_FOLD_T2S, &pq, &err);
    idx_hl_opts o = {.max_chars = max};
    if (o_in) o = *o_in;
    if (!rc)
        rc = snippet ? idx_snippet(&pq, text, strlen(text), &o, &b, &err)
                     : idx_highlight(&pq, text, strlen(text), &o, &b, &err);
    if (rc)
        snprintf(out_buf, sizeof out_buf, "ERROR %d %s", rc, err.msg);
    else
        snprintf(out_buf, sizeof out_buf, "%s", idx_buf_cstr(&b));
    idx_buf_fini(&b);
    idx_qtree_fini(&pq);
    return out_buf;
}

static const char *hl(const char *q, const char *t) { return run(0, q, t, 0, NULL); }
static const char *snip(const char *q, const char *t, size_t max) { return run(1, q, t, max, NULL); }

static void test_phrase_marked_whole(void)
{
    CHECK_STR(hl("南通开发区", "江苏南通开发区招商引资"), "江苏<mark>南通开发区</mark>招商引资");
    /* the phrase is not there: its bigrams are never marked one by one */
    CHECK_STR(hl("南通开发区", "南通市的开发区"), "南通市的开发区");
    CHECK_STR(hl("开发", "南通开发区"), "南通<mark>开发</mark>区");
}

static void test_adjacent_and_overlapping_merged(void)
{
    CHECK_STR(hl("南通 开发区", "江苏南通开发区"), "江苏<mark>南通开发区</mark>");
    CHECK_STR(hl("南通开 通开发", "南通开发区"), "<mark>南通开发</mark>区");
    /* not touching: two marks */
    CHECK_STR(hl("南通 开发区", "南通的开发区"), "<mark>南通</mark>的<mark>开发区</mark>");
}

static void test_single_character(void)
{
    CHECK_STR(hl("区", "南通开发区"), "南通开发<mark>区</mark>");
    CHECK_STR(hl("通", "南通开发区"), "南<mark>通</mark>开发区");
    /* a two-character query never marks one of its characters alone */
    CHECK_STR(hl("通开", "南通和开发"), "南通和开发");
}

static void test_words_and_mixed(void)
{
    CHECK_STR(hl("5G基站", "建设5G 基站"), "建设<mark>5G 基站</mark>");
    CHECK_STR(hl("iphone", "新款iPhone发布"), "新款<mark>iPhone</mark>发布");
    CHECK_STR(hl("abc", "ＡＢＣ新闻"), "<mark>ＡＢＣ</mark>新闻");
    CHECK_STR(hl("2.14亿", "投资2.14亿元"), "投资<mark>2.14亿</mark>元");
    /* a word is matched whole, never inside a longer word */
    CHECK_STR(hl("phone", "iPhone phone"), "iPhone <mark>phone</mark>");
}

static void test_traditional_folded_offsets_exact(void)
{
    /* traditional text, simplified query, and the reverse: the original
     * characters are marked, byte for byte */
    CHECK_STR(hl("开发区", "南通開發區招商"), "南通<mark>開發區</mark>招商");
    CHECK_STR(hl("臺灣", "台湾海峡"), "<mark>台湾</mark>海峡");
    CHECK_STR(hl("發", "南通開發區"), "南通開<mark>發</mark>區");
}

static void test_html_escaped(void)
{
    CHECK_STR(hl("alert", "<script>alert(1)</script> \"onerror= & 'x'"),
              "&lt;script&gt;<mark>alert</mark>(1)&lt;/script&gt; &quot;onerror= &amp; &#39;x&#39;");
    CHECK_STR(hl("onerror", "<img src=x \"onerror=alert(1)>"),
              "&lt;img src=x &quot;<mark>onerror</mark>=alert(1)&gt;");
    idx_hl_opts plain = {.open = "[", .close = "]", .plain = 1};
    CHECK_STR(run(0, "alert", "<b>alert</b>", 0, &plain), "<b>[alert]</b>");
}

static void test_whitespace_collapsed(void)
{
    CHECK_STR(hl("新闻", "  今天\n\n\t新闻  联播 \n"), "今天 <mark>新闻</mark> 联播");
    CHECK_STR(hl("新闻", "a\x01" "b新闻"), "ab<mark>新闻</mark>");
}

static void test_snippet_short_text_whole(void)
{
    CHECK_STR(snip("新闻", "今天的新闻联播。", 120), "今天的<mark>新闻</mark>联播。");
}

/* 40 distinct filler sentences of 10 characters each ("第NN句内容。" style). */
static void filler(idx_buf *b, int from, int n)
{
    for (int i = from; i < from + n; i++) idx_buf_printf(b, "这是第%02d句的内容。", i);
}

static void test_snippet_window_sentence_start(void)
{
    idx_buf t;
    idx_buf_init(&t);
    filler(&t, 0, 20);
    idx_buf_printf(&t, "南通开发区招商引资成果显著。");
    filler(&t, 20, 20);
    const char *s = snip("南通开发区", idx_buf_cstr(&t), 60);
    /* starts right after the previous sentence's 。 with an ellipsis */
    CHECK(strncmp(s, "…", 3) == 0);
    CHECK(strstr(s, "<mark>南通开发区</mark>") != NULL);
    CHECK(strncmp(s, "…这是第", 9) == 0 || strncmp(s, "…<mark>", 9) == 0);
    /* ends with a sentence end then an ellipsis */
    size_t n = strlen(s);
    CHECK(n > 6 && strcmp(s + n - 6, "。…") == 0);
    /* about 60 characters: never more than the window plus the ellipses */
    size_t chars = 0;
    for (const char *p = s; *p; p++) chars += ((unsigned char)*p & 0xC0) != 0x80;
    chars -= strlen("<mark></mark>");
    CHECK(chars <= 62);
    CHECK(chars >= 30);
    idx_buf_fini(&t);
}

static void test_snippet_no_match_is_start(void)
{
    idx_buf t;
    idx_buf_init(&t);
    filler(&t, 0, 30);
    const char *s = snip("南通", idx_buf_cstr(&t), 25);
    CHECK(strncmp(s, "这是第00句的内容。", strlen("这是第00句的内容。")) == 0);
    size_t n = strlen(s);
    CHECK(n > 3 && strcmp(s + n - 3, "…") == 0);
    CHECK(strstr(s, "<mark>") == NULL);
    idx_buf_fini(&t);
}

static void test_snippet_prefers_distinct_parts(void)
{
    idx_buf t;
    idx_buf_init(&t);
    idx_buf_printf(&t, "招商引资");
    filler(&t, 0, 20);
    idx_buf_printf(&t, "南通开发区的招商引资。");
    filler(&t, 20, 20);
    const char *s = snip("南通 招商引资", idx_buf_cstr(&t), 40);
    CHECK(strstr(s, "<mark>南通</mark>开发区的<mark>招商引资</mark>") != NULL);
    idx_buf_fini(&t);
}

/* Every cut lands on a character boundary and marks stay balanced. */
static void test_snippet_cuts_valid_utf8(void)
{
    const char *text = "𠀀𠀁南通开发区，ＡＢＣ新闻 iPhone14發佈；남북한 대화。ｶﾀｶﾅ与かな，再次南通开发区。结束";
    for (size_t max = 1; max <= 40; max++) {
        const char *s = snip("南通开发区 新闻", text, max);
        CHECK(idx_utf8_valid(s, strlen(s), NULL));
        const char *p = s;
        int open = 0, bad = 0;
        while ((p = strstr(p, "mark>"))) {
            if (p[-1] == '<') open++;
            else if (p[-1] == '/') open--;
            if (open < 0 || open > 1) bad = 1;
            p += 5;
        }
        CHECK(!bad && open == 0);
    }
}

static void test_snippet_scan_bound(void)
{
    size_t pad = IDX_SNIPPET_SCAN_MAX + 100;
    char *t = malloc(pad + 16);
    memset(t, 'x', pad);
    for (size_t i = 9; i < pad; i += 10) t[i] = ' ';
    strcpy(t + pad, "南通");
    const char *s = snip("南通", t, 30);
    CHECK(strstr(s, "<mark>") == NULL);
    CHECK(strncmp(s, "xxxxxxxxx xxxx", 14) == 0);
    free(t);
}

static void test_highlight_bounded(void)
{
    size_t n = IDX_SNIPPET_SCAN_MAX * 2;
    char *t = malloc(n + 1);
    for (size_t i = 0; i < n; i++) t[i] = i % 10 == 9 ? ' ' : 'x';
    t[n] = '\0';
    memcpy(t, "news ", 5);
    const char *s = run(0, "news", t, 0, NULL);
    CHECK(strncmp(s, "<mark>news</mark> xxxx", 22) == 0);
    size_t len = strlen(s);
    CHECK(len <= IDX_SNIPPET_SCAN_MAX + 32);
    CHECK(len > 3 && strcmp(s + len - 3, "…") == 0);
    free(t);
}

static void test_snippet_long_match_not_cut(void)
{
    /* a span longer than the window is shown whole */
    const char *s = snip("中华人民共和国国务院", "前言。中华人民共和国国务院发布通知。", 4);
    CHECK(strstr(s, "<mark>中华人民共和国国务院</mark>") != NULL);
}

/* Random mixes of CJK, Latin, digits, markup and white space, snippeted
 * with random queries drawn from the same alphabet: output is always valid
 * UTF-8, marks balanced, no raw markup outside the marks. */
static void test_snippet_random_inputs(void)
{
    static const char *const pieces[] = {"南", "通", "开", "发", "区", "的", "。", "，", " ", "\n",
                                         "a", "B", "5", "G", ".", "<", ">", "&", "\"", "'",
                                         "𠀀", "ｶ", "é", "\t", "！", "”"};
    const size_t np = sizeof pieces / sizeof *pieces;
    unsigned seed = 12345;
    int bad_utf8 = 0, bad_marks = 0, raw_markup = 0;
    for (int iter = 0; iter < 2000; iter++) {
        char text[1024] = "", query[64] = "";
        size_t tn = (size_t)(rand_r(&seed) % 200), qn = 1 + (size_t)(rand_r(&seed) % 4);
        for (size_t i = 0; i < tn; i++) strcat(text, pieces[rand_r(&seed) % np]);
        for (size_t i = 0; i < qn; i++) strcat(query, pieces[rand_r(&seed) % 10]);
        for (int snippet = 0; snippet < 2; snippet++) {
            const char *s = run(snippet, query, text, 1 + (size_t)(rand_r(&seed) % 60), NULL);
            if (strncmp(s, "ERROR", 5) == 0) {
                /* only "no searchable terms" queries may fail */
                if (!strstr(s, "no searchable terms")) bad_marks++;
                continue;
            }
            if (!idx_utf8_valid(s, strlen(s), NULL)) bad_utf8++;
            int open = 0;
            for (const char *p = s; *p; p++) {
                if (strncmp(p, "<mark>", 6) == 0) {
                    if (open++) bad_marks++;
                    p += 5;
                } else if (strncmp(p, "</mark>", 7) == 0) {
                    if (!open--) bad_marks++;
                    p += 6;
                } else if (*p == '<' || *p == '>' || *p == '"' || *p == '\'') {
                    raw_markup++;
                }
            }
            if (open) bad_marks++;
        }
    }
    CHECK_INT(bad_utf8, 0);
    CHECK_INT(bad_marks, 0);
    CHECK_INT(raw_markup, 0);
}

static const char *frag(const char *q, const char *t, size_t max, unsigned n)
{
    idx_hl_opts o = {.max_chars = max, .fragments = n};
    return run(1, q, t, max, &o);
}

/* fragments=N: up to N windows that share no byte, most distinct parts
 * first, shown in text order joined by "…" */
static void test_snippet_fragments(void)
{
    static const char text[] =
        "台风登陆福建沿海。当地组织群众转移安置，学校停课，航班取消，铁路部门调整了列车运行。"
        "专家说明了今年气候的特点。地震发生在四川，救援队伍连夜赶到现场，道路正在抢修。"
        "市场供应总体平稳，蔬菜价格小幅上涨，部门加强了监测。台风过后福建开始恢复生产。";
    /* one window: as before */
    CHECK_STR(frag("台风 地震", text, 20, 1), snip("台风 地震", text, 20));
    CHECK_STR(frag("台风 地震", text, 20, 2),
              "<mark>台风</mark>登陆福建沿海。当地组织群众转移安置，…"
              "<mark>地震</mark>发生在四川，救援队伍连夜赶到现场，道…");
    CHECK_STR(frag("台风 地震", text, 20, 3),
              "<mark>台风</mark>登陆福建沿海。当地组织群众转移安置，…"
              "<mark>地震</mark>发生在四川，救援队伍连夜赶到现场，道…"
              "<mark>台风</mark>过后福建开始恢复生产。");
    /* no more windows than matches, and none without one */
    CHECK_STR(frag("地震", text, 20, 5), "…<mark>地震</mark>发生在四川，救援队伍连夜赶到现场，道…");
    /* a window covering two parts comes before windows of one, whatever the order in the text */
    CHECK_STR(frag("福建 恢复", text, 20, 1), "…台风过后<mark>福建</mark>开始<mark>恢复</mark>生产。");
    /* no match: the start of the text, once */
    CHECK_STR(frag("飓风", text, 20, 3), snip("飓风", text, 20));
    /* marks and escaping as in one window */
    CHECK_STR(frag("a", "a <b> x x x x x x x x x x x x x x x x x x x x x x x x x a &", 6, 2),
              "<mark>a</mark> &lt;b&gt;…x <mark>a</mark> &amp;");
}

int main(void)
{
    TEST(test_phrase_marked_whole);
    TEST(test_adjacent_and_overlapping_merged);
    TEST(test_single_character);
    TEST(test_words_and_mixed);
    TEST(test_traditional_folded_offsets_exact);
    TEST(test_html_escaped);
    TEST(test_whitespace_collapsed);
    TEST(test_snippet_short_text_whole);
    TEST(test_snippet_window_sentence_start);
    TEST(test_snippet_no_match_is_start);
    TEST(test_snippet_prefers_distinct_parts);
    TEST(test_snippet_cuts_valid_utf8);
    TEST(test_snippet_scan_bound);
    TEST(test_snippet_fragments);
    TEST(test_snippet_long_match_not_cut);
    TEST(test_snippet_random_inputs);
    TEST(test_highlight_bounded);
    TEST_SUMMARY();
}
