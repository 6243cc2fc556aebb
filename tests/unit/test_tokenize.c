/* test_tokenize.c - golden cases for the CJK bigram + word tokenizer (tokenize.h).
 *
 * Each case renders every token as "term@pos[start,end)", joined by spaces,
 * with a trailing "~" on non-positional tokens (DOCUMENT mode's inner
 * unigrams).  Offsets are bytes into the ORIGINAL text: BMP CJK characters,
 * full-width forms and the ideographic space are 3 bytes, Ext-B ideographs 4.
 *
 * Worked example (DOCUMENT): "南通区" -> 南通@0[0,6) 南@0[0,3) 通区@1[3,9)
 * 通@1[3,6)~ 区@2[6,9): a bigram and its first character's unigram share a
 * position; the run's first and last unigrams are positional.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "test.h"
#include "tokenize.h"

#define DOC IDX_TOKENIZE_DOCUMENT
#define QRY IDX_TOKENIZE_QUERY

/* 10 Latin letters; a word of 7 of these is 70 bytes, over IDX_TOKEN_MAX_WORD. */
#define A10 "abcdefghij"

typedef struct render_ctx {
    idx_buf out;
    int ntok;
    int stop_after; /* >0: return stop_rc from the stop_after-th token */
    int stop_rc;
} render_ctx;

static int render_cb(void *vctx, const idx_token *tok)
{
    render_ctx *c = vctx;
    idx_buf_printf(&c->out, "%s%.*s@%u[%zu,%zu)%s", c->out.len ? " " : "", (int)tok->len,
                   tok->term, (unsigned)tok->pos, tok->start, tok->end,
                   tok->positional ? "" : "~");
    c->ntok++;
    if (c->stop_after > 0 && c->ntok == c->stop_after) return c->stop_rc;
    return IDX_OK;
}

/* Tokenize s in mode from pos0; returns the rendering (caller frees) and the
 * return code, next position and error. */
static char *tokens(const char *s, size_t n, int mode, uint32_t pos0, int *rc, uint32_t *next_pos,
                    idx_err *err)
{
    render_ctx c;
    memset(&c, 0, sizeof c);
    idx_buf_init(&c.out);
    idx_err_clear(err);
    *rc = idx_tokenize(s, n, mode, pos0, render_cb, &c, next_pos, err);
    char *res = strdup(idx_buf_cstr(&c.out));
    idx_buf_fini(&c.out);
    return res;
}

typedef struct golden {
    const char *input;
    int mode;
    const char *want;
} golden;

static void check_golden(const golden *g, size_t count)
{
    for (size_t k = 0; k < count; k++) {
        int rc;
        uint32_t next;
        idx_err err;
        char *got = tokens(g[k].input, strlen(g[k].input), g[k].mode, 0, &rc, &next, &err);
        CHECK_INT(rc, IDX_OK);
        if (strcmp(got, g[k].want) != 0)
            fprintf(stderr, "  case %zu: \"%s\" (%s)\n", k, g[k].input,
                    g[k].mode == DOC ? "DOCUMENT" : "QUERY");
        CHECK_STR(got, g[k].want);
        free(got);
    }
}

static void test_golden_cjk_runs(void)
{
    static const golden g[] = {
        {"中", DOC, "中@0[0,3)"},
        {"中", QRY, "中@0[0,3)"},
        {"中国", DOC, "中国@0[0,6) 中@0[0,3) 国@1[3,6)"},
        {"中国", QRY, "中国@0[0,6)"},
        {"南通区", DOC, "南通@0[0,6) 南@0[0,3) 通区@1[3,9) 通@1[3,6)~ 区@2[6,9)"},
        {"南通区", QRY, "南通@0[0,6) 通区@1[3,9)"},
        {"南通开发区", DOC,
         "南通@0[0,6) 南@0[0,3) 通开@1[3,9) 通@1[3,6)~ 开发@2[6,12) 开@2[6,9)~ "
         "发区@3[9,15) 发@3[9,12)~ 区@4[12,15)"},
        {"南通开发区", QRY, "南通@0[0,6) 通开@1[3,9) 开发@2[6,12) 发区@3[9,15)"},
    };
    check_golden(g, sizeof g / sizeof g[0]);
}

static void test_golden_numbers_break_cjk_runs(void)
{
    static const golden g[] = {
        {"3月15日", DOC, "3@0[0,1) 月@1[1,4) 15@2[4,6) 日@3[6,9)"},
        {"3月15日", QRY, "3@0[0,1) 月@1[1,4) 15@2[4,6) 日@3[6,9)"},
        {"第1，2名", QRY, "第@0[0,3) 1@1[3,4) 2@2[7,8) 名@3[8,11)"},
        {"２．１４亿", QRY, "2.14@0[0,12) 亿@1[12,15)"},
        {"5G基站", DOC, "5g@0[0,2) 基站@1[2,8) 基@1[2,5) 站@2[5,8)"},
        {"5G基站", QRY, "5g@0[0,2) 基站@1[2,8)"},
        {"中国2022年", DOC, "中国@0[0,6) 中@0[0,3) 国@1[3,6) 2022@2[6,10) 年@3[10,13)"},
    };
    check_golden(g, sizeof g / sizeof g[0]);
}

static void test_golden_latin_words(void)
{
    static const golden g[] = {
        {"iPhone 14", DOC, "iphone@0[0,6) 14@1[7,9)"},
        {"iPhone 14", QRY, "iphone@0[0,6) 14@1[7,9)"},
        {"iPhone14", DOC, "iphone14@0[0,8)"},
        {"iPhone14", QRY, "iphone14@0[0,8)"},
        {"COVID-19", DOC, "covid@0[0,5) 19@1[6,8)"},
        {"café au lait", DOC, "cafe@0[0,5) au@1[6,8) lait@2[9,13)"},
    };
    check_golden(g, sizeof g / sizeof g[0]);
}

static void test_golden_decimal_and_thousands_separators(void)
{
    static const golden g[] = {
        {"2.14亿美元", DOC,
         "2.14@0[0,4) 亿美@1[4,10) 亿@1[4,7) 美元@2[7,13) 美@2[7,10)~ 元@3[10,13)"},
        {"2.14亿美元", QRY, "2.14@0[0,4) 亿美@1[4,10) 美元@2[7,13)"},
        {"1,000", DOC, "1,000@0[0,5)"},
        {"1,000", QRY, "1,000@0[0,5)"},
        {"1,000.50", DOC, "1,000.50@0[0,8)"},
        {"end.", DOC, "end@0[0,3)"},
        {"end. next", DOC, "end@0[0,3) next@1[5,9)"},
        {"14.", DOC, "14@0[0,2)"},
        {"14. 5", DOC, "14@0[0,2) 5@1[4,5)"},
        {"a.b", DOC, "a@0[0,1) b@1[2,3)"},
        {"v1.2", DOC, "v1.2@0[0,4)"},
    };
    check_golden(g, sizeof g / sizeof g[0]);
}

static void test_golden_fullwidth_forms(void)
{
    static const golden g[] = {
        /* 7 full-width characters x 3 bytes = 21 bytes */
        {"ＡＰＥＣ１２３", DOC, "apec123@0[0,21)"},
        {"ＡＰＥＣ１２３", QRY, "apec123@0[0,21)"},
        {"ＡＰＥＣ会议", DOC, "apec@0[0,12) 会议@1[12,18) 会@1[12,15) 议@2[15,18)"},
    };
    check_golden(g, sizeof g / sizeof g[0]);
}

static void test_golden_spaces_and_punctuation_break_runs(void)
{
    static const golden g[] = {
        {"中国　美国", DOC, "中国@0[0,6) 中@0[0,3) 国@1[3,6) 美国@2[9,15) 美@2[9,12) 国@3[12,15)"},
        {"中国　美国", QRY, "中国@0[0,6) 美国@2[9,15)"},
        {"中国，美国", DOC, "中国@0[0,6) 中@0[0,3) 国@1[3,6) 美国@2[9,15) 美@2[9,12) 国@3[12,15)"},
        {"中国，美国", QRY, "中国@0[0,6) 美国@2[9,15)"},
        {"中国、美国", DOC, "中国@0[0,6) 中@0[0,3) 国@1[3,6) 美国@2[9,15) 美@2[9,12) 国@3[12,15)"},
        {"中国、美国", QRY, "中国@0[0,6) 美国@2[9,15)"},
        {"中 国", DOC, "中@0[0,3) 国@1[4,7)"},
        {"中・国", DOC, "中@0[0,3) 国@1[6,9)"},
    };
    check_golden(g, sizeof g / sizeof g[0]);
}

/* IDX_TOKENIZE_RUN_GAP (index format 2): a run after a separator that ended
 * another run starts one position later, in both modes; a word between, or
 * a separator after a word, leaves none. */
static void test_golden_run_gap(void)
{
    static const golden g[] = {
        {"中国　美国", DOC | IDX_TOKENIZE_RUN_GAP,
         "中国@0[0,6) 中@0[0,3) 国@1[3,6) 美国@3[9,15) 美@3[9,12) 国@4[12,15)"},
        {"中国　美国", QRY | IDX_TOKENIZE_RUN_GAP, "中国@0[0,6) 美国@3[9,15)"},
        {"中国。。美", QRY | IDX_TOKENIZE_RUN_GAP, "中国@0[0,6) 美@3[12,15)"},
        {"中 国", DOC | IDX_TOKENIZE_RUN_GAP, "中@0[0,3) 国@2[4,7)"},
        {"中国5G美国", QRY | IDX_TOKENIZE_RUN_GAP, "中国@0[0,6) 5g@2[6,8) 美国@3[8,14)"},
        {"中国 5G 美国", QRY | IDX_TOKENIZE_RUN_GAP, "中国@0[0,6) 5g@2[7,9) 美国@3[10,16)"},
        {"5G 美国", QRY | IDX_TOKENIZE_RUN_GAP, "5g@0[0,2) 美国@1[3,9)"},
    };
    check_golden(g, sizeof g / sizeof g[0]);
}

/* IDX_TOKENIZE_SPLIT_ALNUM (databases recording idx.words "split"):
 * letters and digits glued together are separate words, one position
 * each, in both modes; a number keeps its '.' and ','. */
static void test_golden_split_alnum(void)
{
#define SPL IDX_TOKENIZE_SPLIT_ALNUM
    static const golden g[] = {
        {"2014APEC", DOC | SPL, "2014@0[0,4) apec@1[4,8)"},
        {"iPhone4S", QRY | SPL, "iphone@0[0,6) 4@1[6,7) s@2[7,8)"},
        {"iPhone 4S", QRY | SPL, "iphone@0[0,6) 4@1[7,8) s@2[8,9)"},
        {"PM2.5浓度", DOC | SPL, "pm@0[0,2) 2.5@1[2,5) 浓度@2[5,11) 浓@2[5,8) 度@3[8,11)"},
        {"5G基站", QRY | SPL, "5@0[0,1) g@1[1,2) 基站@2[2,8)"},
        {"H7N9", QRY | SPL, "h@0[0,1) 7@1[1,2) n@2[2,3) 9@3[3,4)"},
        {"v1.2", DOC | SPL, "v@0[0,1) 1.2@1[1,4)"},
        {"COVID-19", DOC | SPL, "covid@0[0,5) 19@1[6,8)"},
        {"ＡＢ１２", QRY | SPL, "ab@0[0,6) 12@1[6,12)"},
        {"iPhone4S", QRY, "iphone4s@0[0,8)"}, /* without the flag: whole */
    };
#undef SPL
    check_golden(g, sizeof g / sizeof g[0]);
}

static void test_golden_ext_b_in_run(void)
{
    static const golden g[] = {
        {"𠮷野家", DOC, "𠮷野@0[0,7) 𠮷@0[0,4) 野家@1[4,10) 野@1[4,7)~ 家@2[7,10)"},
        {"𠮷野家", QRY, "𠮷野@0[0,7) 野家@1[4,10)"},
        {"𠮷", DOC, "𠮷@0[0,4)"},
    };
    check_golden(g, sizeof g / sizeof g[0]);
}

static void test_golden_kana_and_hangul_runs(void)
{
    static const golden g[] = {
        {"ひらがな", DOC,
         "ひら@0[0,6) ひ@0[0,3) らが@1[3,9) ら@1[3,6)~ がな@2[6,12) が@2[6,9)~ な@3[9,12)"},
        {"ひらがな", QRY, "ひら@0[0,6) らが@1[3,9) がな@2[6,12)"},
        {"한국어", DOC, "한국@0[0,6) 한@0[0,3) 국어@1[3,9) 국@1[3,6)~ 어@2[6,9)"},
        {"한국어", QRY, "한국@0[0,6) 국어@1[3,9)"},
        {"人々", DOC, "人々@0[0,6) 人@0[0,3) 々@1[3,6)"},
        {"タワー", QRY, "タワ@0[0,6) ワー@1[3,9)"},
    };
    check_golden(g, sizeof g / sizeof g[0]);
}

/* A voiced kana written as two characters (half-width ｶﾞ, or か + U+3099)
 * must give the same terms as the precomposed one, spanning both originals. */
static void test_golden_decomposed_kana_matches_precomposed(void)
{
    static const golden g[] = {
        {"ｶﾞｽ", QRY, "ガス@0[0,9)"},
        {"ｶﾞｽ", DOC, "ガス@0[0,9) ガ@0[0,6) ス@1[6,9)"},
        {"\xE3\x81\x8B\xE3\x82\x99", DOC, "が@0[0,6)"},
    };
    check_golden(g, sizeof g / sizeof g[0]);
}

/* Combining marks belong to the word (tokenize.h), so the word's span covers
 * them even when normalization strips them: "cafe" + U+0301 is 6 bytes. */
static void test_golden_word_span_includes_trailing_combining_mark(void)
{
    static const golden g[] = {
        {"cafe\xCC\x81 x", DOC, "cafe@0[0,6) x@1[7,8)"},
    };
    check_golden(g, sizeof g / sizeof g[0]);
}

static void test_golden_script_change_breaks_run(void)
{
    static const golden g[] = {
        {"南通ABC开发", DOC,
         "南通@0[0,6) 南@0[0,3) 通@1[3,6) abc@2[6,9) 开发@3[9,15) 开@3[9,12) 发@4[12,15)"},
        {"南通ABC开发", QRY, "南通@0[0,6) abc@2[6,9) 开发@3[9,15)"},
        {"A股", DOC, "a@0[0,1) 股@1[1,4)"},
    };
    check_golden(g, sizeof g / sizeof g[0]);
}

static void test_golden_long_word_skipped_but_takes_position(void)
{
    static const golden g[] = {
        /* 70 bytes: over the limit, not emitted; "x" still lands at position 1 */
        {A10 A10 A10 A10 A10 A10 A10 " x", DOC, "x@1[71,72)"},
        {A10 A10 A10 A10 A10 A10 A10 " x", QRY, "x@1[71,72)"},
        {A10 A10 A10 A10 A10 A10 A10 "中国", DOC, "中国@1[70,76) 中@1[70,73) 国@2[73,76)"},
        /* exactly 64 bytes is still emitted, 65 is not */
        {A10 A10 A10 A10 A10 A10 "abcd x", DOC,
         A10 A10 A10 A10 A10 A10 "abcd@0[0,64) x@1[65,66)"},
        {A10 A10 A10 A10 A10 A10 "abcde x", DOC, "x@1[66,67)"},
    };
    check_golden(g, sizeof g / sizeof g[0]);
}

static void test_golden_empty_and_punctuation_only(void)
{
    static const golden g[] = {
        {"", DOC, ""},
        {"", QRY, ""},
        {"，。！", DOC, ""},
        {"，。！", QRY, ""},
        {"  \t\n", DOC, ""},
    };
    check_golden(g, sizeof g / sizeof g[0]);
}

typedef struct kind_ctx {
    int kinds[16];
    int n;
} kind_ctx;

static int kind_cb(void *vctx, const idx_token *tok)
{
    kind_ctx *c = vctx;
    if (c->n < 16) c->kinds[c->n] = tok->kind;
    c->n++;
    return IDX_OK;
}

static void test_token_kinds(void)
{
    /* "ab中国": word, bigram 中国, unigram 中, unigram 国 */
    kind_ctx c;
    memset(&c, 0, sizeof c);
    CHECK_INT(idx_tokenize("ab中国", 8, DOC, 0, kind_cb, &c, NULL, NULL), IDX_OK);
    CHECK_INT(c.n, 4);
    CHECK_INT(c.kinds[0], IDX_TOK_WORD);
    CHECK_INT(c.kinds[1], IDX_TOK_BIGRAM);
    CHECK_INT(c.kinds[2], IDX_TOK_UNIGRAM);
    CHECK_INT(c.kinds[3], IDX_TOK_UNIGRAM);
}

static void test_lone_cjk_is_unigram_in_query_mode(void)
{
    kind_ctx c;
    memset(&c, 0, sizeof c);
    CHECK_INT(idx_tokenize("中", 3, QRY, 0, kind_cb, &c, NULL, NULL), IDX_OK);
    CHECK_INT(c.n, 1);
    CHECK_INT(c.kinds[0], IDX_TOK_UNIGRAM);
}

static void test_invalid_utf8_returns_eutf8_with_offset(void)
{
    int rc;
    uint32_t next;
    idx_err err;
    char *got = tokens("中国\xC0\xAF", 8, DOC, 0, &rc, &next, &err);
    CHECK_INT(rc, IDX_EUTF8);
    CHECK_INT(err.rc, IDX_EUTF8);
    CHECK(strstr(err.msg, "at byte 6") != NULL);
    free(got);
}

static void test_invalid_utf8_in_word_names_offset(void)
{
    int rc;
    uint32_t next;
    idx_err err;
    char *got = tokens("abc \xED\xA0\x80", 7, QRY, 0, &rc, &next, &err);
    CHECK_INT(rc, IDX_EUTF8);
    CHECK(strstr(err.msg, "at byte 4") != NULL);
    free(got);
}

static void test_callback_error_stops_and_is_returned(void)
{
    render_ctx c;
    memset(&c, 0, sizeof c);
    idx_buf_init(&c.out);
    c.stop_after = 2;
    c.stop_rc = IDX_ETOOBIG;
    idx_err err;
    idx_err_clear(&err);
    int rc = idx_tokenize("南通开发区 iphone", strlen("南通开发区 iphone"), DOC, 0, render_cb, &c,
                          NULL, &err);
    CHECK_INT(rc, IDX_ETOOBIG);
    CHECK_INT(c.ntok, 2);
    CHECK_STR(idx_buf_cstr(&c.out), "南通@0[0,6) 南@0[0,3)");
    idx_buf_fini(&c.out);
}

static void test_callback_error_on_last_token_is_returned(void)
{
    render_ctx c;
    memset(&c, 0, sizeof c);
    idx_buf_init(&c.out);
    c.stop_after = 1;
    c.stop_rc = IDX_EDB;
    int rc = idx_tokenize("word", 4, QRY, 0, render_cb, &c, NULL, NULL);
    CHECK_INT(rc, IDX_EDB);
    CHECK_INT(c.ntok, 1);
    idx_buf_fini(&c.out);
}

static void test_next_pos_counts_every_position(void)
{
    int rc;
    uint32_t next = 999;
    idx_err err;
    char *got = tokens("南通开发区", strlen("南通开发区"), DOC, 0, &rc, &next, &err);
    CHECK_INT(next, 5);
    free(got);
    got = tokens("3月15日", strlen("3月15日"), QRY, 0, &rc, &next, &err);
    CHECK_INT(next, 4);
    free(got);
    got = tokens(A10 A10 A10 A10 A10 A10 A10, 70, DOC, 0, &rc, &next, &err);
    CHECK_STR(got, "");
    CHECK_INT(next, 1); /* the skipped word still took a position */
    free(got);
}

static void test_next_pos_of_empty_text_is_pos0(void)
{
    int rc;
    uint32_t next = 999;
    idx_err err;
    char *got = tokens("", 0, DOC, 7, &rc, &next, &err);
    CHECK_INT(rc, IDX_OK);
    CHECK_INT(next, 7);
    free(got);
    got = tokens("，。！", strlen("，。！"), DOC, 7, &rc, &next, &err);
    CHECK_INT(next, 7);
    free(got);
}

static void test_pos0_offsets_positions(void)
{
    int rc;
    uint32_t next = 0;
    idx_err err;
    char *got = tokens("南通区 abc", strlen("南通区 abc"), DOC, 100, &rc, &next, &err);
    CHECK_INT(rc, IDX_OK);
    CHECK_STR(got, "南通@100[0,6) 南@100[0,3) 通区@101[3,9) 通@101[3,6)~ 区@102[6,9) abc@103[10,13)");
    CHECK_INT(next, 104);
    free(got);
}

static void test_pos0_continues_across_fields(void)
{
    /* a second field tokenized from the first's next_pos continues numbering */
    int rc;
    uint32_t next = 0;
    idx_err err;
    char *got = tokens("中国", 6, QRY, 0, &rc, &next, &err);
    free(got);
    got = tokens("美国", 6, QRY, next, &rc, &next, &err);
    CHECK_STR(got, "美国@2[0,6)");
    CHECK_INT(next, 4);
    free(got);
}

static void test_does_not_read_past_n(void)
{
    int rc;
    uint32_t next;
    idx_err err;
    char *got = tokens("中国人民", 6, DOC, 0, &rc, &next, &err);
    CHECK_STR(got, "中国@0[0,6) 中@0[0,3) 国@1[3,6)");
    free(got);
}

int main(void)
{
    TEST(test_golden_cjk_runs);
    TEST(test_golden_numbers_break_cjk_runs);
    TEST(test_golden_latin_words);
    TEST(test_golden_decimal_and_thousands_separators);
    TEST(test_golden_fullwidth_forms);
    TEST(test_golden_spaces_and_punctuation_break_runs);
    TEST(test_golden_run_gap);
    TEST(test_golden_split_alnum);
    TEST(test_golden_ext_b_in_run);
    TEST(test_golden_kana_and_hangul_runs);
    TEST(test_golden_decomposed_kana_matches_precomposed);
    TEST(test_golden_word_span_includes_trailing_combining_mark);
    TEST(test_golden_script_change_breaks_run);
    TEST(test_golden_long_word_skipped_but_takes_position);
    TEST(test_golden_empty_and_punctuation_only);
    TEST(test_token_kinds);
    TEST(test_lone_cjk_is_unigram_in_query_mode);
    TEST(test_invalid_utf8_returns_eutf8_with_offset);
    TEST(test_invalid_utf8_in_word_names_offset);
    TEST(test_callback_error_stops_and_is_returned);
    TEST(test_callback_error_on_last_token_is_returned);
    TEST(test_next_pos_counts_every_position);
    TEST(test_next_pos_of_empty_text_is_pos0);
    TEST(test_pos0_offsets_positions);
    TEST(test_pos0_continues_across_fields);
    TEST(test_does_not_read_past_n);
    TEST_SUMMARY();
}
