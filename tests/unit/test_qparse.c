/* test_qparse.c - golden cases for the query language (qparse.c): input ->
 * tree, rendered as AND(..), OR(..), NOT(..), "terms" (a text part, its
 * tokens space-separated; title:"..." for the title field), PREFIX=value for
 * filters and date[from..to]; plus the fallback warning of malformed input
 * and the positive parts the highlighter gets.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "query.h"
#include "synonyms.h"
#include "test.h"

static void render_node(const idx_parsed_query *pq, int id, idx_buf *b)
{
    const idx_qnode *nd = &pq->nodes[id];
    switch (nd->type) {
    case IDX_QN_TEXT:
        idx_buf_printf(b, "%s\"", nd->field == IDX_FIELD_TITLE ? "title:" : "");
        for (size_t i = 0; i < nd->n; i++)
            idx_buf_printf(b, "%s%s", i ? " " : "", pq->toks[nd->first + i].term);
        idx_buf_putc(b, '"');
        break;
    case IDX_QN_FILTER: idx_buf_printf(b, "%s=%s", nd->prefix, nd->value); break;
    case IDX_QN_DATE:
        idx_buf_printf(b, "date[%s..%s]", nd->from ? nd->from : "", nd->to ? nd->to : "");
        break;
    default:
        idx_buf_printf(b, "%s(", nd->type == IDX_QN_AND ? "AND" : nd->type == IDX_QN_OR ? "OR" : "NOT");
        for (int k = nd->kid; k >= 0; k = pq->nodes[k].next) {
            if (k != nd->kid) idx_buf_putc(b, ' ');
            render_node(pq, k, b);
        }
        idx_buf_putc(b, ')');
    }
}

static char out[4096], warn[300], parts[1024];

/* Parse q; fills out (tree or "ERROR code"), warn and parts. */
static const char *tree(const char *q)
{
    idx_parsed_query pq;
    idx_err err;
    idx_err_clear(&err);
    idx_buf b;
    idx_buf_init(&b);
    int rc = idx_query_parse(q, strlen(q), IDX_TOKENIZE_FOLD_T2S, &pq, &err);
    warn[0] = parts[0] = '\0';
    if (rc) {
        snprintf(out, sizeof out, "ERROR %d", rc);
    } else {
        render_node(&pq, pq.root, &b);
        snprintf(out, sizeof out, "%s", idx_buf_cstr(&b));
        snprintf(warn, sizeof warn, "%s", pq.warning);
        idx_buf_reset(&b);
        for (size_t i = 0; i < pq.nparts; i++) {
            idx_buf_printf(&b, "%s%s", i ? "|" : "", pq.parts[i].field ? "title:" : "");
            for (size_t k = 0; k < pq.parts[i].n; k++)
                idx_buf_printf(&b, "%s%s", k ? " " : "", pq.toks[pq.parts[i].first + k].term);
        }
        snprintf(parts, sizeof parts, "%s", idx_buf_cstr(&b));
    }
    idx_buf_fini(&b);
    idx_parsed_query_fini(&pq);
    return out;
}

static void test_implicit_and_and_phrases(void)
{
    CHECK_STR(tree("南通开发区"), "\"南通 通开 开发 发区\"");
    CHECK_STR(tree("南通 开发区"), "AND(\"南通\" \"开发 发区\")");
    CHECK_STR(tree("南通　开发区"), "AND(\"南通\" \"开发 发区\")"); /* U+3000 */
    CHECK_STR(tree("南通 AND 开发区"), "AND(\"南通\" \"开发 发区\")");
    CHECK_STR(tree("5G基站 iPhone14"), "AND(\"5g 基站\" \"iphone14\")");
    CHECK_STR(tree("COVID-19"), "\"covid 19\"");
    CHECK_STR(tree("\"iphone 14\" 发布"), "AND(\"iphone 14\" \"发布\")");
    CHECK_STR(tree("“南通 开发区”"), "\"南通 通开 开发 发区\"");
    CHECK(warn[0] == '\0');
    /* traditional characters fold to simplified terms */
    CHECK_STR(tree("開發區 臺灣"), "AND(\"开发 发区\" \"台湾\")");
}

/* Inside quotes, CJK pieces apart only by white space are one run: the
 * document side bigrams 开发区 as 开发 发区 and gives the inner 区 no position,
 * so "开发 区" read as 开发 + 区 found 开发区 only where 区 ended a run. */
static void test_phrase_joins_cjk_pieces(void)
{
    CHECK_STR(tree("\"开发 区\""), "\"开发 发区\"");
    CHECK_STR(parts, "开发 发区");
    CHECK_STR(tree("\"中 国\""), "\"中国\"");
    CHECK_STR(tree("\"中  \t国\""), "\"中国\""); /* any run of white space */
    CHECK_STR(tree("\"中　国\""), "\"中国\"");     /* U+3000 */
    CHECK_STR(tree("“中 国”"), "\"中国\"");
    CHECK_STR(tree("\"南 通 开 发 区\""), "\"南通 通开 开发 发区\"");
    CHECK_STR(tree("\"南通 开发区\""), "\"南通 通开 开发 发区\"");
    CHECK_STR(tree("title:\"南 通\""), "title:\"南通\"");
    CHECK_STR(parts, "title:南通");
    /* the positions are those of the unbroken run */
    idx_parsed_query pq;
    idx_err err;
    idx_err_clear(&err);
    CHECK_INT(idx_query_parse("\"开发 区\"", strlen("\"开发 区\""), 0, &pq, &err), IDX_OK);
    CHECK_INT(pq.ntoks, 2);
    CHECK_INT(pq.ntoks == 2 ? (int)(pq.toks[1].pos - pq.toks[0].pos) : -1, 1);
    idx_parsed_query_fini(&pq);
    /* full-width and traditional forms join after folding */
    CHECK_STR(tree("\"開發 區\""), "\"开发 发区\"");
    /* a lone character stays a unigram */
    CHECK_STR(tree("\"中\""), "\"中\"");
    CHECK_STR(tree("\" 中 \""), "\"中\"");
    /* Latin words and numbers stay words; CJK next to them is not joined
     * to them, as 5G网络 is indexed 5g 网络 */
    CHECK_STR(tree("\"new york\""), "\"new york\"");
    CHECK_STR(tree("\"5G 网络\""), "\"5g 网络\"");
    CHECK_STR(tree("\"5G 网 络\""), "\"5g 网络\"");
    CHECK_STR(tree("\"网 5G 络\""), "\"网 5g 络\"");
    CHECK_STR(tree("\"ＡＰＥＣ 会 议\""), "\"apec 会议\"");
    /* punctuation still breaks the run */
    CHECK_STR(tree("\"开发，区\""), "\"开发 区\"");
    /* inside OR, NOT and groups alike */
    CHECK_STR(tree("\"开发 区\" OR \"中 国\""), "OR(\"开发 发区\" \"中国\")");
    CHECK_STR(tree("经济 -\"中 国\""), "AND(\"经济\" NOT(\"中国\"))");
    CHECK_STR(tree("(\"南 通\" OR title:\"开发 区\") 经济"),
              "AND(OR(\"南通\" title:\"开发 发区\") \"经济\")");
    CHECK(warn[0] == '\0');
    /* unquoted pieces stay separate parts (an AND) */
    CHECK_STR(tree("开发 区"), "AND(\"开发\" \"区\")");
}

static void test_or_not_and_grouping(void)
{
    CHECK_STR(tree("疫情 OR 新冠"), "OR(\"疫情\" \"新冠\")");
    CHECK_STR(tree("a b OR c"), "OR(AND(\"a\" \"b\") \"c\")");
    CHECK_STR(tree("经济 -疫情"), "AND(\"经济\" NOT(\"疫情\"))");
    CHECK_STR(parts, "经济");
    CHECK_STR(tree("经济 NOT 疫情"), "AND(\"经济\" NOT(\"疫情\"))");
    CHECK_STR(tree("(疫情 OR 新冠) 防控"), "AND(OR(\"疫情\" \"新冠\") \"防控\")");
    CHECK_STR(parts, "疫情|新冠|防控");
    CHECK_STR(tree("-疫情"), "NOT(\"疫情\")");
    CHECK_STR(tree("-(a OR b) c"), "AND(NOT(OR(\"a\" \"b\")) \"c\")");
    CHECK_STR(parts, "c");
    /* lower-case or/and/not are words; a dash inside or alone is not NOT */
    CHECK_STR(tree("rock or roll"), "AND(\"rock\" \"or\" \"roll\")");
    CHECK_STR(tree("5 - 3"), "AND(\"5\" \"3\")");
    /* what a Chinese keyboard types: full-width －（）：＂ and other spaces */
    CHECK_STR(tree("经济 －疫情"), "AND(\"经济\" NOT(\"疫情\"))");
    CHECK_STR(tree("（疫情 OR 新冠） 接种"), "AND(OR(\"疫情\" \"新冠\") \"接种\")");
    CHECK_STR(tree("title：经济"), "title:\"经济\"");
    CHECK_STR(tree("经济\xC2\xA0-疫情"), "AND(\"经济\" NOT(\"疫情\"))"); /* NBSP */
    tree("（南通 开发区");
    CHECK(strstr(warn, "unclosed parenthesis at byte 0") != NULL);
    tree("南通 ）");
    CHECK(strstr(warn, "unmatched closing parenthesis at byte 7") != NULL);
}

static void test_fields(void)
{
    CHECK_STR(tree("title:南通"), "title:\"南通\"");
    CHECK_STR(parts, "title:南通");
    CHECK_STR(tree("title:\"南通 开发区\" 经济"), "AND(title:\"南通 通开 开发 发区\" \"经济\")");
    CHECK_STR(tree("TITLE:南通"), "title:\"南通\"");
    CHECK_STR(tree("source:\"CCTV 新闻联播 (tv.cctv.com)\" 经济"),
              "AND(XS=CCTV 新闻联播 (tv.cctv.com) \"经济\")");
    CHECK_STR(parts, "经济");
    CHECK_STR(tree("category:新闻联播"), "XC=新闻联播");
    CHECK_STR(tree("tag:科技 -tag:体育"), "AND(K=科技 NOT(K=体育))");
    CHECK_STR(tree("date:2022-01-01..2022-06-30 疫情"),
              "AND(date[2022-01-01..2022-06-30] \"疫情\")");
    CHECK_STR(tree("date:2022-01-01.."), "date[2022-01-01..]");
    CHECK_STR(tree("date:..2022-06-30"), "date[..2022-06-30]");
    CHECK_STR(tree("date:2022-05-18"), "date[2022-05-18..2022-05-18]");
    /* not a field name: the colon is punctuation inside a word */
    CHECK_STR(tree("http://cctv.com"), "\"http cctv com\"");
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
    CHECK_STR(tree("(南通 开发区"), "AND(\"南通\" \"开发 发区\")");
    /* ... minus operator words and field names, keeping a leading '-' */
    CHECK_STR(tree("南通 OR"), "\"南通\"");
    CHECK_STR(tree("(疫情 OR 新冠"), "AND(\"疫情\" \"新冠\")");
    CHECK_STR(tree("疫情 -\"新冠"), "AND(\"疫情\" NOT(\"新冠\"))");
    CHECK_STR(tree("source: 经济"), "\"经济\"");
}

static void test_deep_nesting_and_limits(void)
{
    char q[200] = "";
    for (int i = 0; i < 40; i++) strcat(q, "(");
    strcat(q, "a");
    for (int i = 0; i < 40; i++) strcat(q, ")");
    CHECK_STR(tree(q), "\"a\"");
    CHECK(strstr(warn, "nested too deep") != NULL);
    char q2[200] = "";
    for (int i = 0; i < 10; i++) strcat(q2, "(");
    strcat(q2, "a");
    for (int i = 0; i < 10; i++) strcat(q2, ")");
    CHECK_STR(tree(q2), "\"a\"");
    CHECK(warn[0] == '\0');
    CHECK_STR(tree("()"), "ERROR 2"); /* nothing searchable */
    CHECK_STR(tree("NOT NOT 经济"), "\"经济\"");
    CHECK_STR(tree("-(-经济) 发展"), "AND(\"经济\" \"发展\")");
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

static void test_synonym_expansion(void)
{
    const char *path = "/tmp/idx-test-synonyms.txt";
    FILE *f = fopen(path, "w");
    fputs("# comment\n新冠 新型冠状病毒 COVID-19\n\n台湾 宝岛\n", f);
    fclose(f);
    idx_synonyms *syn = NULL;
    idx_err err;
    idx_err_clear(&err);
    CHECK_INT(idx_synonyms_load(path, &syn, &err), IDX_OK);
    CHECK_INT(syn ? syn->ngroups : 0, 2);
    idx_parsed_query pq;
    const char *q = "新冠 疫苗 -臺灣";
    CHECK_INT(idx_query_parse(q, strlen(q), IDX_TOKENIZE_FOLD_T2S, &pq, &err), IDX_OK);
    CHECK_INT(idx_query_expand_synonyms(&pq, syn, &err), IDX_OK);
    idx_buf b;
    idx_buf_init(&b);
    render_node(&pq, pq.root, &b);
    CHECK_STR(idx_buf_cstr(&b),
              "AND(OR(\"新冠\" \"新型 型冠 冠状 状病 病毒\" \"covid 19\") \"疫苗\" "
              "NOT(OR(\"台湾\" \"宝岛\")))");
    CHECK_INT(pq.nparts, 4); /* the three members and 疫苗: negated ones are not marked */
    idx_buf_fini(&b);
    idx_parsed_query_fini(&pq);
    idx_synonyms_free(syn);

    /* a quoted phrase of pieces is its joined run: "新 冠" is the member 新冠 */
    idx_err_clear(&err);
    CHECK_INT(idx_synonyms_load(path, &syn, &err), IDX_OK);
    const char *qj = "\"新 冠\" 疫苗";
    CHECK_INT(idx_query_parse(qj, strlen(qj), IDX_TOKENIZE_FOLD_T2S, &pq, &err), IDX_OK);
    CHECK_INT(idx_query_expand_synonyms(&pq, syn, &err), IDX_OK);
    idx_buf_init(&b);
    render_node(&pq, pq.root, &b);
    CHECK_STR(idx_buf_cstr(&b),
              "AND(OR(\"新冠\" \"新型 型冠 冠状 状病 病毒\" \"covid 19\") \"疫苗\")");
    idx_buf_fini(&b);
    idx_parsed_query_fini(&pq);
    idx_synonyms_free(syn);

    /* a key in two groups gets both; spellings that fold alike count once */
    f = fopen(path, "w");
    fputs("经济 economy\n经济 发展\n台湾 臺灣 台灣 宝岛\n", f);
    fclose(f);
    idx_err_clear(&err);
    CHECK_INT(idx_synonyms_load(path, &syn, &err), IDX_OK);
    const char *q2 = "经济 台湾";
    CHECK_INT(idx_query_parse(q2, strlen(q2), IDX_TOKENIZE_FOLD_T2S, &pq, &err), IDX_OK);
    CHECK_INT(idx_query_expand_synonyms(&pq, syn, &err), IDX_OK);
    idx_buf_init(&b);
    render_node(&pq, pq.root, &b);
    CHECK_STR(idx_buf_cstr(&b), "AND(OR(\"经济\" \"economy\" \"发展\") OR(\"台湾\" \"宝岛\"))");
    idx_buf_fini(&b);
    idx_parsed_query_fini(&pq);
    /* expansion past the term limit is skipped, not an error */
    idx_buf big;
    idx_buf_init(&big);
    for (int i = 0; i < 254; i++) idx_buf_printf(&big, "w%d ", i);
    idx_buf_printf(&big, "经济");
    CHECK_INT(idx_query_parse(big.data, big.len, IDX_TOKENIZE_FOLD_T2S, &pq, &err), IDX_OK);
    CHECK_INT(idx_query_expand_synonyms(&pq, syn, &err), IDX_OK);
    CHECK_INT(pq.ntoks, 255);
    idx_parsed_query_fini(&pq);
    idx_buf_fini(&big);
    idx_synonyms_free(syn);

    f = fopen(path, "w");
    fputs("新冠 新型冠状病毒\nlonely\n", f);
    fclose(f);
    idx_err_clear(&err);
    CHECK_INT(idx_synonyms_load(path, &syn, &err), IDX_EINVAL);
    CHECK(strstr(err.msg, "idx-test-synonyms.txt:2:") != NULL);
    idx_err_clear(&err);
    CHECK_INT(idx_synonyms_load("/nonexistent/syn.txt", &syn, &err), IDX_EIO);
    remove(path);
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
    TEST(test_synonym_expansion);
    TEST_SUMMARY();
}
