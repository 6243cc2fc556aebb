/* test_document.c - the document builder (document.h): what a known article
 * becomes, watched through idx_document_emit, the items idx_document_build
 * puts in the Xapian document.  Items render as
 *   term@pos (a term at a position), term (no position), =term (a filter
 *   term), #slot=value (a value; the date slot in hex), data:{...}.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "document.h"
#include "test.h"

static int on_item(void *ctx, const idx_doc_item *it, idx_err *err)
{
    (void)err;
    idx_buf *b = ctx;
    if (b->len) idx_buf_putc(b, ' ');
    switch (it->kind) {
    case IDX_DOC_POSTING: idx_buf_printf(b, "%.*s@%u", (int)it->n, it->s, (unsigned)it->pos); break;
    case IDX_DOC_TERM: idx_buf_printf(b, "%.*s", (int)it->n, it->s); break;
    case IDX_DOC_BOOLEAN: idx_buf_printf(b, "=%.*s", (int)it->n, it->s); break;
    case IDX_DOC_VALUE:
        idx_buf_printf(b, "#%u=", it->slot);
        if (it->slot == IDX_SLOT_DATE)
            for (size_t i = 0; i < it->n; i++) idx_buf_printf(b, "%02x", (unsigned char)it->s[i]);
        else
            idx_buf_printf(b, "%.*s", (int)it->n, it->s);
        break;
    default: idx_buf_printf(b, "data:%.*s", (int)it->n, it->s);
    }
    return IDX_OK;
}

static char out[8192];

/* The items of the article in JSON line `line`, with options sc. */
static const char *items(const char *line, idx_schema sc)
{
    idx_article a;
    idx_err err;
    idx_err_clear(&err);
    idx_buf b;
    idx_buf_init(&b);
    int rc = idx_article_parse(line, strlen(line), &a, &err);
    if (!rc) rc = idx_document_emit(&a, &sc, on_item, &b, &err);
    if (rc) {
        snprintf(out, sizeof out, "ERROR %d", rc);
    } else {
        snprintf(out, sizeof out, "%s", idx_buf_cstr(&b));
        idx_article_fini(&a);
    }
    idx_buf_fini(&b);
    return out;
}

static const idx_schema all = {.unigrams = IDX_UNIGRAMS_ALL, .fold = IDX_FOLD_T2S};

/* The hex of the date slot's value for these seconds. */
static const char *date_hex(long long secs, char *buf)
{
    char v[18];
    size_t n = idx_sortable_serialise((double)secs, v);
    for (size_t i = 0; i < n; i++) sprintf(buf + 2 * i, "%02x", (unsigned char)v[i]);
    return buf;
}

/* Title tokens at positions from 1, again with the title prefix; the body
 * IDX_BODY_POS_GAP positions after the title; inner CJK unigrams without a
 * position; then filters and values, the data, the unique id. */
static void test_article_terms_positions_values(void)
{
    const char *line = "{\"id\":\"a1\",\"title\":\"南通开发区\",\"body\":\"5G基站。\","
                       "\"date\":\"2022-05-18T08:30:00Z\",\"source\":\"新华社\","
                       "\"category\":\"国内\",\"tags\":[\"经济\",\"科技\"]}";
    char hex[40], want[2048];
    snprintf(want, sizeof want,
             /* title: bigrams and the run's edge unigrams at positions,
              * inner unigrams without; each again with S */
             "南通@1 S南通@1 南@1 S南@1 通开@2 S通开@2 通 S通 开发@3 S开发@3 开 S开 "
             "发区@4 S发区@4 发 S发 区@5 S区@5 "
             /* body: from the title's next position (6) + IDX_BODY_POS_GAP */
             "5g@106 基站@107 基@107 站@108 "
             "=XS新华社 #1=新华社 =XC国内 #2=国内 =K经济 =K科技 "
             "#0=%s #3=2022 =Y2022 =M202205 =D20220518 "
             "data:%s =Qa1",
             date_hex(1652862600LL, hex), line);
    CHECK_STR(items(line, all), want);
}

/* Format 2: every CJK character and word at its position, bigrams without;
 * the rest as in format 1. */
static void test_format2_positions_on_characters(void)
{
    idx_schema f2 = {.format = 2, .unigrams = IDX_UNIGRAMS_ALL, .fold = IDX_FOLD_T2S};
    const char *line = "{\"id\":\"a2\",\"title\":\"南通区\",\"body\":\"5G基站 美国\"}";
    char want[1024];
    snprintf(want, sizeof want,
             "南通 S南通 南@1 S南@1 通区 S通区 通@2 S通@2 区@3 S区@3 "
             /* body from 4 + IDX_BODY_POS_GAP; the run after the space one later */
             "5g@104 基站 基@105 站@106 美国 美@108 国@109 data:%s =Qa2",
             line);
    CHECK_STR(items(line, f2), want);
}

/* IDX_UNIGRAMS_EDGES keeps only the positioned (edge) unigrams. */
static void test_edges_mode_drops_inner_unigrams(void)
{
    idx_schema edges = {.unigrams = IDX_UNIGRAMS_EDGES, .fold = IDX_FOLD_T2S};
    const char *line = "{\"id\":\"e\",\"title\":\"开发区\"}";
    CHECK_STR(items(line, edges),
              "开发@1 S开发@1 开@1 S开@1 发区@2 S发区@2 区@3 S区@3 data:{\"id\":\"e\",\"title\":"
              "\"开发区\"} =Qe");
}

/* Folding follows the schema: traditional forms index as simplified with
 * IDX_FOLD_T2S and as they are without. */
static void test_fold_follows_schema(void)
{
    const char *line = "{\"id\":\"f\",\"body\":\"臺灣\"}";
    CHECK_STR(items(line, all), "台湾@101 台@101 湾@102 data:{\"id\":\"f\",\"body\":\"臺灣\"} =Qf");
    idx_schema none = {.unigrams = IDX_UNIGRAMS_ALL, .fold = IDX_FOLD_NONE};
    CHECK_STR(items(line, none), "臺灣@101 臺@101 灣@102 data:{\"id\":\"f\",\"body\":\"臺灣\"} =Qf");
}

/* Filter values are clipped to IDX_FILTER_MAX bytes at a character
 * boundary (the stored value is not). */
static void test_long_source_clipped(void)
{
    char src[700], line[1024];
    src[0] = '\0';
    for (int i = 0; i < 70; i++) strcat(src, "新"); /* 210 bytes */
    snprintf(line, sizeof line, "{\"id\":\"c\",\"body\":\"x\",\"source\":\"%s\"}", src);
    items(line, all);
    char want[1500];
    snprintf(want, sizeof want, " =XS%.198s #1=%s ", src, src); /* 66 characters */
    CHECK(strstr(out, want) != NULL);
}

/* idx_document_build: the same items into a Xapian document, and the
 * unique-id term for upserts. */
static void test_build_gives_document_and_uid(void)
{
    const char *line = "{\"id\":\"a1\",\"title\":\"南通\"}";
    idx_article a;
    idx_err err;
    idx_err_clear(&err);
    CHECK_INT(idx_article_parse(line, strlen(line), &a, &err), IDX_OK);
    idx_xdoc *doc = NULL;
    idx_buf uid;
    idx_buf_init(&uid);
    CHECK_INT(idx_document_build(&a, &all, &doc, &uid, &err), IDX_OK);
    CHECK(doc != NULL);
    CHECK_STR(idx_buf_cstr(&uid), "Qa1");
    idx_xdoc_free(doc);
    idx_buf_fini(&uid);
    idx_article_fini(&a);
}

/* The first error of the callback stops the builder and is returned. */
static int fail_third(void *ctx, const idx_doc_item *it, idx_err *err)
{
    (void)it;
    int *n = ctx;
    return ++*n == 3 ? idx_err_set(err, IDX_EDB, "test_document", "third item refused") : IDX_OK;
}

static void test_callback_error_stops(void)
{
    const char *line = "{\"id\":\"a1\",\"title\":\"南通开发区\",\"body\":\"经济\"}";
    idx_article a;
    idx_err err;
    idx_err_clear(&err);
    CHECK_INT(idx_article_parse(line, strlen(line), &a, &err), IDX_OK);
    int n = 0;
    CHECK_INT(idx_document_emit(&a, &all, fail_third, &n, &err), IDX_EDB);
    CHECK_INT(n, 3);
    CHECK_STR(err.msg, "third item refused");
    idx_article_fini(&a);
}

int main(void)
{
    TEST(test_article_terms_positions_values);
    TEST(test_edges_mode_drops_inner_unigrams);
    TEST(test_fold_follows_schema);
    TEST(test_format2_positions_on_characters);
    TEST(test_long_source_clipped);
    TEST(test_build_gives_document_and_uid);
    TEST(test_callback_error_stops);
    TEST_SUMMARY();
}
