/* test_qparse.c - golden cases for the query language (qparse.c): input ->
 * tree, rendered by the tree's one renderer (idx_qtree_json, the "tree" that
 * explain shows), compact, with ' for " so the goldens need no escapes; plus
 * the fallback warning of malformed input and the positive parts the
 * highlighter gets.  Synonym expansion is in test_synonyms.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "qtree.h"
#include "test.h"
#include "test_json.h"

static char out[4096], warn[300], parts[1024];

/* Parse q; fills out (the tree or "ERROR code"), warn and parts. */
static const char *tree(const char *q)
{
    idx_qtree pq;
    idx_err err;
    idx_err_clear(&err);
    idx_buf b;
    idx_buf_init(&b);
    int rc = idx_qtree_parse(q, strlen(q), IDX_TOKENIZE_FOLD_T2S, &pq, &err);
    warn[0] = parts[0] = '\0';
    if (rc) {
        snprintf(out, sizeof out, "ERROR %d", rc);
    } else {
        json_t *j = idx_qtree_json(&pq, pq.root);
        t_json(j, out, sizeof out);
        json_decref(j);
        snprintf(warn, sizeof warn, "%s", pq.warning);
        for (size_t i = 0; i < pq.nparts; i++) {
            idx_buf_printf(&b, "%s%s", i ? "|" : "", pq.parts[i].field ? "title:" : "");
            for (size_t k = 0; k < pq.parts[i].n; k++)
                idx_buf_printf(&b, "%s%s", k ? " " : "", pq.toks[pq.parts[i].first + k].term);
        }
        snprintf(parts, sizeof parts, "%s", idx_buf_cstr(&b));
    }
    idx_buf_fini(&b);
    idx_qtree_fini(&pq);
    return out;
}

static void test_implicit_and_and_phrases(void)
{
    CHECK_STR(tree("南通开发区"), "{'type':'text','field':'any','terms':['南通','通开','开发','发区']}");
    CHECK_STR(tree("南通 开发区"),
              "{'type':'and','children':[{'type':'text','field':'any','terms':['南通']},"
              "{'type':'text','field':'any','terms':['开发','发区']}]}");
    CHECK_STR(tree("南通　开发区"),
              "{'type':'and','children':[{'type':'text','field':'any','terms':['南通']},"
              "{'type':'text','field':'any','terms':['开发','发区']}]}"); /* U+3000 */
    CHECK_STR(tree("南通 AND 开发区"),
              "{'type':'and','children':[{'type':'text','field':'any','terms':['南通']},"
              "{'type':'text','field':'any','terms':['开发','发区']}]}");
    CHECK_STR(tree("5G基站 iPhone14"),
              "{'type':'and','children':[{'type':'text','field':'any','terms':['5g','基站']},"
              "{'type':'text','field':'any','terms':['iphone14']}]}");
    CHECK_STR(tree("COVID-19"), "{'type':'text','field':'any','terms':['covid','19']}");
    CHECK_STR(tree("\"iphone 14\" 发布"),
              "{'type':'and','children':[{'type':'text','field':'any','terms':['iphone','14']},"
              "{'type':'text','field':'any','terms':['发布']}]}");
    CHECK_STR(tree("“南通 开发区”"), "{'type':'text','field':'any','terms':['南通','通开','开发','发区']}");
    CHECK(warn[0] == '\0');
    /* traditional characters fold to simplified terms */
    CHECK_STR(tree("開發區 臺灣"),
              "{'type':'and','children':[{'type':'text','field':'any','terms':['开发','发区']},"
              "{'type':'text','field':'any','terms':['台湾']}]}");
}

/* Inside quotes, CJK pieces apart only by white space are one run: the
 * document side bigrams 开发区 as 开发 发区 and gives the inner 区 no position,
 * so "开发 区" read as 开发 + 区 found 开发区 only where 区 ended a run. */
static void test_phrase_joins_cjk_pieces(void)
{
    CHECK_STR(tree("\"开发 区\""), "{'type':'text','field':'any','terms':['开发','发区']}");
    CHECK_STR(parts, "开发 发区");
    CHECK_STR(tree("\"中 国\""), "{'type':'text','field':'any','terms':['中国']}");
    /* any run of white space, U+3000 included */
    CHECK_STR(tree("\"中  \t国\""), "{'type':'text','field':'any','terms':['中国']}");
    CHECK_STR(tree("\"中　国\""), "{'type':'text','field':'any','terms':['中国']}");
    CHECK_STR(tree("“中 国”"), "{'type':'text','field':'any','terms':['中国']}");
    CHECK_STR(tree("\"南 通 开 发 区\""), "{'type':'text','field':'any','terms':['南通','通开','开发','发区']}");
    CHECK_STR(tree("\"南通 开发区\""), "{'type':'text','field':'any','terms':['南通','通开','开发','发区']}");
    CHECK_STR(tree("title:\"南 通\""), "{'type':'text','field':'title','terms':['南通']}");
    CHECK_STR(parts, "title:南通");
    /* the positions are those of the unbroken run */
    idx_qtree pq;
    idx_err err;
    idx_err_clear(&err);
    CHECK_INT(idx_qtree_parse("\"开发 区\"", strlen("\"开发 区\""), 0, &pq, &err), IDX_OK);
    CHECK_INT(pq.ntoks, 2);
    CHECK_INT(pq.ntoks == 2 ? (int)(pq.toks[1].pos - pq.toks[0].pos) : -1, 1);
    idx_qtree_fini(&pq);
    /* full-width and traditional forms join after folding */
    CHECK_STR(tree("\"開發 區\""), "{'type':'text','field':'any','terms':['开发','发区']}");
    /* a lone character stays a unigram */
    CHECK_STR(tree("\"中\""), "{'type':'text','field':'any','terms':['中']}");
    CHECK_STR(tree("\" 中 \""), "{'type':'text','field':'any','terms':['中']}");
    /* Latin words and numbers stay words; CJK next to them is not joined
     * to them, as 5G网络 is indexed 5g 网络 */
    CHECK_STR(tree("\"new york\""), "{'type':'text','field':'any','terms':['new','york']}");
    CHECK_STR(tree("\"5G 网络\""), "{'type':'text','field':'any','terms':['5g','网络']}");
    CHECK_STR(tree("\"5G 网 络\""), "{'type':'text','field':'any','terms':['5g','网络']}");
    CHECK_STR(tree("\"网 5G 络\""), "{'type':'text','field':'any','terms':['网','5g','络']}");
    CHECK_STR(tree("\"ＡＰＥＣ 会 议\""), "{'type':'text','field':'any','terms':['apec','会议']}");
    /* punctuation still breaks the run */
    CHECK_STR(tree("\"开发，区\""), "{'type':'text','field':'any','terms':['开发','区']}");
    /* inside OR, NOT and groups alike */
    CHECK_STR(tree("\"开发 区\" OR \"中 国\""),
              "{'type':'or','children':[{'type':'text','field':'any','terms':['开发','发区']},"
              "{'type':'text','field':'any','terms':['中国']}]}");
    CHECK_STR(tree("经济 -\"中 国\""),
              "{'type':'and','children':[{'type':'text','field':'any','terms':['经济']},"
              "{'type':'not','children':[{'type':'text','field':'any','terms':['中国']}]}]}");
    CHECK_STR(tree("(\"南 通\" OR title:\"开发 区\") 经济"),
              "{'type':'and','children':[{'type':'or','children':["
              "{'type':'text','field':'any','terms':['南通']},"
              "{'type':'text','field':'title','terms':['开发','发区']}]},"
              "{'type':'text','field':'any','terms':['经济']}]}");
    CHECK(warn[0] == '\0');
    /* unquoted pieces stay separate parts (an AND) */
    CHECK_STR(tree("开发 区"),
              "{'type':'and','children':[{'type':'text','field':'any','terms':['开发']},"
              "{'type':'text','field':'any','terms':['区']}]}");
}

static void test_or_not_and_grouping(void)
{
    CHECK_STR(tree("疫情 OR 新冠"),
              "{'type':'or','children':[{'type':'text','field':'any','terms':['疫情']},"
              "{'type':'text','field':'any','terms':['新冠']}]}");
    CHECK_STR(tree("a b OR c"),
              "{'type':'or','children':[{'type':'and','children':["
              "{'type':'text','field':'any','terms':['a']},"
              "{'type':'text','field':'any','terms':['b']}]},"
              "{'type':'text','field':'any','terms':['c']}]}");
    CHECK_STR(tree("经济 -疫情"),
              "{'type':'and','children':[{'type':'text','field':'any','terms':['经济']},"
              "{'type':'not','children':[{'type':'text','field':'any','terms':['疫情']}]}]}");
    CHECK_STR(parts, "经济");
    CHECK_STR(tree("经济 NOT 疫情"),
              "{'type':'and','children':[{'type':'text','field':'any','terms':['经济']},"
              "{'type':'not','children':[{'type':'text','field':'any','terms':['疫情']}]}]}");
    CHECK_STR(tree("(疫情 OR 新冠) 防控"),
              "{'type':'and','children':[{'type':'or','children':["
              "{'type':'text','field':'any','terms':['疫情']},"
              "{'type':'text','field':'any','terms':['新冠']}]},"
              "{'type':'text','field':'any','terms':['防控']}]}");
    CHECK_STR(parts, "疫情|新冠|防控");
    CHECK_STR(tree("-疫情"),
              "{'type':'not','children':[{'type':'text','field':'any','terms':['疫情']}]}");
    CHECK_STR(tree("-(a OR b) c"),
              "{'type':'and','children':[{'type':'not','children':[{'type':'or','children':["
              "{'type':'text','field':'any','terms':['a']},"
              "{'type':'text','field':'any','terms':['b']}]}]},"
              "{'type':'text','field':'any','terms':['c']}]}");
    CHECK_STR(parts, "c");
    /* lower-case or/and/not are words; a dash inside or alone is not NOT */
    CHECK_STR(tree("rock or roll"),
              "{'type':'and','children':[{'type':'text','field':'any','terms':['rock']},"
              "{'type':'text','field':'any','terms':['or']},"
              "{'type':'text','field':'any','terms':['roll']}]}");
    CHECK_STR(tree("5 - 3"),
              "{'type':'and','children':[{'type':'text','field':'any','terms':['5']},"
              "{'type':'text','field':'any','terms':['3']}]}");
    /* what a Chinese keyboard types: full-width －（）：＂ and other spaces */
    CHECK_STR(tree("经济 －疫情"),
              "{'type':'and','children':[{'type':'text','field':'any','terms':['经济']},"
              "{'type':'not','children':[{'type':'text','field':'any','terms':['疫情']}]}]}");
    CHECK_STR(tree("（疫情 OR 新冠） 接种"),
              "{'type':'and','children':[{'type':'or','children':["
              "{'type':'text','field':'any','terms':['疫情']},"
              "{'type':'text','field':'any','terms':['新冠']}]},"
              "{'type':'text','field':'any','terms':['接种']}]}");
    CHECK_STR(tree("title：经济"), "{'type':'text','field':'title','terms':['经济']}");
    CHECK_STR(tree("经济\xC2\xA0-疫情"), /* NBSP */
              "{'type':'and','children':[{'type':'text','field':'any','terms':['经济']},"
              "{'type':'not','children':[{'type':'text','field':'any','terms':['疫情']}]}]}");
    tree("（南通 开发区");
    CHECK(strstr(warn, "unclosed parenthesis at byte 0") != NULL);
    tree("南通 ）");
    CHECK(strstr(warn, "unmatched closing parenthesis at byte 7") != NULL);
}

static void test_fields(void)
{
    CHECK_STR(tree("title:南通"), "{'type':'text','field':'title','terms':['南通']}");
    CHECK_STR(parts, "title:南通");
    CHECK_STR(tree("title:\"南通 开发区\" 经济"),
              "{'type':'and','children':["
              "{'type':'text','field':'title','terms':['南通','通开','开发','发区']},"
              "{'type':'text','field':'any','terms':['经济']}]}");
    CHECK_STR(tree("TITLE:南通"), "{'type':'text','field':'title','terms':['南通']}");
    CHECK_STR(tree("source:\"CCTV 新闻联播 (tv.cctv.com)\" 经济"),
              "{'type':'and','children':["
              "{'type':'filter','field':'source','value':'CCTV 新闻联播 (tv.cctv.com)'},"
              "{'type':'text','field':'any','terms':['经济']}]}");
    CHECK_STR(parts, "经济");
    CHECK_STR(tree("category:新闻联播"), "{'type':'filter','field':'category','value':'新闻联播'}");
    CHECK_STR(tree("tag:科技 -tag:体育"),
              "{'type':'and','children':[{'type':'filter','field':'tag','value':'科技'},"
              "{'type':'not','children':[{'type':'filter','field':'tag','value':'体育'}]}]}");
    /* the worked example of qtree.h */
    CHECK_STR(tree("经济 -title:疫情 source:新华社"),
              "{'type':'and','children':[{'type':'text','field':'any','terms':['经济']},"
              "{'type':'not','children':[{'type':'text','field':'title','terms':['疫情']}]},"
              "{'type':'filter','field':'source','value':'新华社'}]}");
    CHECK_STR(parts, "经济");
    CHECK_STR(tree("date:2022-01-01..2022-06-30 疫情"),
              "{'type':'and','children':[{'type':'date','from':'2022-01-01','to':'2022-06-30'},"
              "{'type':'text','field':'any','terms':['疫情']}]}");
    CHECK_STR(tree("date:2022-01-01.."), "{'type':'date','from':'2022-01-01','to':null}");
    CHECK_STR(tree("date:..2022-06-30"), "{'type':'date','from':null,'to':'2022-06-30'}");
    CHECK_STR(tree("date:2022-05-18"), "{'type':'date','from':'2022-05-18','to':'2022-05-18'}");
    /* not a field name: the colon is punctuation inside a word */
    CHECK_STR(tree("http://cctv.com"),
              "{'type':'text','field':'any','terms':['http','cctv','com']}");
}

static void test_malformed_falls_back(void)
{
    static const struct {
        const char *q, *why;
    } cases[] = {
        {"(南通 开发区", "unclosed parenthesis at byte 0"},
        {"南通) 开发区", "unmatched closing parenthesis at byte 6"},
        {"\"南通 开发区", "unclosed quote at byte 0"},
        {"OR 南通", "OR with nothing before it at byte 0"},
        {"南通 OR", "OR with nothing after it at byte 7"},
        {"南通 AND", "AND needs something on both sides at byte 7"},
        {"南通 NOT", "NOT with nothing after it at byte 7"},
        {"title: 南通", "field without a value at byte 0"},
        {"date:2022-13-45", "bad date range"},
        {"date:.. 经济", "bad date range"},
        {"title:\"南通", "unclosed quote at byte 0"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        const char *t = tree(cases[i].q);
        CHECK(strncmp(t, "ERROR", 5) != 0);
        if (!strstr(warn, cases[i].why) || !strstr(warn, "searched for the words as typed")) {
            fprintf(stderr, "  query %s: warning [%s], want [%s]\n", cases[i].q, warn, cases[i].why);
            CHECK(0);
        }
    }
    /* the fallback searches the words as typed */
    CHECK_STR(tree("(南通 开发区"),
              "{'type':'and','children':[{'type':'text','field':'any','terms':['南通']},"
              "{'type':'text','field':'any','terms':['开发','发区']}]}");
    /* ... minus operator words and field names, keeping a leading '-' */
    CHECK_STR(tree("南通 OR"), "{'type':'text','field':'any','terms':['南通']}");
    CHECK_STR(tree("(疫情 OR 新冠"),
              "{'type':'and','children':[{'type':'text','field':'any','terms':['疫情']},"
              "{'type':'text','field':'any','terms':['新冠']}]}");
    CHECK_STR(tree("疫情 -\"新冠"),
              "{'type':'and','children':[{'type':'text','field':'any','terms':['疫情']},"
              "{'type':'not','children':[{'type':'text','field':'any','terms':['新冠']}]}]}");
    CHECK_STR(tree("source: 经济"), "{'type':'text','field':'any','terms':['经济']}");
}

static void test_deep_nesting_and_limits(void)
{
    char q[200] = "";
    for (int i = 0; i < 40; i++) strcat(q, "(");
    strcat(q, "a");
    for (int i = 0; i < 40; i++) strcat(q, ")");
    CHECK_STR(tree(q), "{'type':'text','field':'any','terms':['a']}");
    CHECK(strstr(warn, "nested too deep") != NULL);
    char q2[200] = "";
    for (int i = 0; i < 10; i++) strcat(q2, "(");
    strcat(q2, "a");
    for (int i = 0; i < 10; i++) strcat(q2, ")");
    CHECK_STR(tree(q2), "{'type':'text','field':'any','terms':['a']}");
    CHECK(warn[0] == '\0');
    CHECK_STR(tree("()"), "ERROR 2"); /* nothing searchable */
    CHECK_STR(tree("NOT NOT 经济"), "{'type':'text','field':'any','terms':['经济']}");
    CHECK_STR(tree("-(-经济) 发展"),
              "{'type':'and','children':[{'type':'text','field':'any','terms':['经济']},"
              "{'type':'text','field':'any','terms':['发展']}]}");
    char nots[300] = "";
    for (int i = 0; i < 40; i++) strcat(nots, "NOT ");
    strcat(nots, "经济");
    tree(nots);
    CHECK(strstr(warn, "nested too deep") != NULL);
    CHECK_STR(tree("，。！"), "ERROR 2");
    CHECK_STR(tree("\xff"), "ERROR 3");
    /* 300 one-word parts: over IDX_QUERY_MAX_TERMS */
    char *big = malloc(300 * 3 + 1);
    big[0] = '\0';
    for (int i = 0; i < 300; i++) strcat(big, "ab ");
    CHECK_STR(tree(big), "ERROR 9");
    free(big);
}

/* Random operator soup never crashes and never leaves a node unreachable. */
static void test_random_soup(void)
{
    static const char *const bits[] = {"(", ")", "\"", "OR ", "AND ", "NOT ", "-", "南通", " ",
                                       "title:", "source:", "date:", "2022-01-01", "..", "a",
                                       "“", "”", "　", "，"};
    unsigned seed = 99;
    int crashes_avoided = 0;
    for (int iter = 0; iter < 3000; iter++) {
        char q[400] = "";
        int n = rand_r(&seed) % 20;
        for (int i = 0; i < n; i++) strcat(q, bits[rand_r(&seed) % (sizeof bits / sizeof *bits)]);
        const char *t = tree(q);
        if (strncmp(t, "ERROR", 5) == 0 && strcmp(t, "ERROR 2") != 0) crashes_avoided++;
    }
    CHECK_INT(crashes_avoided, 0); /* only "nothing searchable" may fail */
}

int main(void)
{
    TEST(test_implicit_and_and_phrases);
    TEST(test_phrase_joins_cjk_pieces);
    TEST(test_or_not_and_grouping);
    TEST(test_fields);
    TEST(test_malformed_falls_back);
    TEST(test_deep_nesting_and_limits);
    TEST(test_random_soup);
    TEST_SUMMARY();
}
