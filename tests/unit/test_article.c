/* test_article.c - one JSON Lines record -> idx_article (article.h).
 *
 * Accepted lines are checked field by field (string pointers point into the
 * parsed object); rejected lines are checked for the code and for a message
 * that says what to fix.  Every parsed article is released with
 * idx_article_fini so the sanitizers see the reference counting.
 */
#include <jansson.h>
#include <string.h>

#include "article.h"
#include "test.h"

/* Check an idx_str against a C string (NULL = absent). */
#define CHECK_ISTR(field, want)                                        \
    do {                                                               \
        const char *_w = (want);                                       \
        if (!_w) {                                                     \
            CHECK((field).s == NULL);                                  \
            CHECK_INT((field).n, 0);                                   \
        } else {                                                       \
            CHECK((field).s != NULL);                                  \
            CHECK_INT((field).n, strlen(_w));                          \
            if ((field).s && (field).n == strlen(_w))                  \
                CHECK(memcmp((field).s, _w, (field).n) == 0);          \
        }                                                              \
    } while (0)

/* Parse line and expect rejection with rc and a message containing needle. */
static void check_reject(const char *line, int rc, const char *needle)
{
    idx_article a;
    idx_err err;
    idx_err_clear(&err);
    memset(&a, 0x5A, sizeof a);
    int got = idx_article_parse(line, strlen(line), &a, &err);
    if (got != rc || !strstr(err.msg, needle))
        fprintf(stderr, "  line: %s\n  msg:  %s\n", line, err.msg);
    CHECK_INT(got, rc);
    CHECK_INT(err.rc, rc);
    CHECK(strstr(err.msg, needle) != NULL);
    CHECK(a.json == NULL); /* holds nothing on failure */
    idx_article_fini(&a);  /* and fini on it is harmless */
}

static int parse_ok(const char *line, idx_article *a)
{
    idx_err err;
    idx_err_clear(&err);
    int rc = idx_article_parse(line, strlen(line), a, &err);
    if (rc != IDX_OK) fprintf(stderr, "  line: %s\n  msg:  %s\n", line, err.msg);
    return rc;
}

static void test_full_line_parses_every_field(void)
{
    const char *line =
        "{\"id\":\"xh-2022-0518-001\",\"title\":\"南通开发区新项目\",\"body\":\"正文 text\","
        "\"date\":\"2022-05-18T08:30:00+08:00\",\"url\":\"https://example.com/a\","
        "\"source\":\"新华社\",\"category\":\"经济\",\"tags\":[\"南通\",\"开发区\"],"
        "\"author\":\"张三\",\"extra\":{\"k\":[1,2]}}";
    idx_article a;
    CHECK_INT(parse_ok(line, &a), IDX_OK);
    CHECK_ISTR(a.id, "xh-2022-0518-001");
    CHECK_ISTR(a.title, "南通开发区新项目");
    CHECK_ISTR(a.body, "正文 text");
    CHECK_ISTR(a.url, "https://example.com/a");
    CHECK_ISTR(a.source, "新华社");
    CHECK_ISTR(a.category, "经济");
    CHECK_INT(a.has_date, 1);
    CHECK_INT(a.date.year, 2022);
    CHECK_INT(a.date.secs, 1652832000 + 8 * 3600 + 30 * 60);
    CHECK(a.tags != NULL && json_is_array(a.tags));
    CHECK_INT(json_array_size(a.tags), 2);
    CHECK_STR(json_string_value(json_array_get(a.tags, 0)), "南通");
    CHECK_STR(json_string_value(json_array_get(a.tags, 1)), "开发区");
    /* unknown fields are kept in the stored object */
    CHECK(json_is_object(a.json));
    CHECK_INT(json_object_size(a.json), 10);
    CHECK_STR(json_string_value(json_object_get(a.json, "author")), "张三");
    json_t *extra = json_object_get(a.json, "extra");
    CHECK(json_is_object(extra));
    CHECK_INT(json_array_size(json_object_get(extra, "k")), 2);
    idx_article_fini(&a);
    CHECK(a.json == NULL);
}

static void test_minimal_line_leaves_optional_fields_absent(void)
{
    idx_article a;
    CHECK_INT(parse_ok("{\"id\":\"1\",\"title\":\"标题\"}", &a), IDX_OK);
    CHECK_ISTR(a.id, "1");
    CHECK_ISTR(a.title, "标题");
    CHECK_ISTR(a.body, NULL);
    CHECK_ISTR(a.url, NULL);
    CHECK_ISTR(a.source, NULL);
    CHECK_ISTR(a.category, NULL);
    CHECK_INT(a.has_date, 0);
    CHECK(a.tags == NULL);
    idx_article_fini(&a);
}

static void test_body_only_accepted(void)
{
    idx_article a;
    CHECK_INT(parse_ok("{\"id\":\"b\",\"body\":\"只有正文\"}", &a), IDX_OK);
    CHECK_ISTR(a.title, NULL);
    CHECK_ISTR(a.body, "只有正文");
    idx_article_fini(&a);
}

static void test_line_without_newline_or_with_trailing_space(void)
{
    idx_article a;
    CHECK_INT(parse_ok("  {\"id\":\"s\",\"title\":\"t\"}  ", &a), IDX_OK);
    CHECK_ISTR(a.id, "s");
    idx_article_fini(&a);
}

static void test_null_fields_treated_as_absent(void)
{
    idx_article a;
    CHECK_INT(parse_ok("{\"id\":\"n\",\"title\":null,\"body\":\"正文\",\"date\":null,"
                       "\"url\":null,\"source\":null,\"category\":null,\"tags\":null}",
                       &a),
              IDX_OK);
    CHECK_ISTR(a.title, NULL);
    CHECK_ISTR(a.body, "正文");
    CHECK_ISTR(a.url, NULL);
    CHECK_ISTR(a.source, NULL);
    CHECK_ISTR(a.category, NULL);
    CHECK_INT(a.has_date, 0);
    CHECK(a.tags == NULL);
    idx_article_fini(&a);
}

static void test_id_of_max_length_accepted(void)
{
    char line[300];
    char id[201];
    memset(id, 'x', 200);
    id[200] = '\0';
    snprintf(line, sizeof line, "{\"id\":\"%s\",\"title\":\"t\"}", id);
    idx_article a;
    CHECK_INT(parse_ok(line, &a), IDX_OK);
    CHECK_INT(a.id.n, 200);
    idx_article_fini(&a);
}

static void test_missing_id_rejected(void)
{
    check_reject("{\"title\":\"t\"}", IDX_EINVAL, "missing \"id\"");
}

static void test_null_id_rejected_as_missing(void)
{
    check_reject("{\"id\":null,\"title\":\"t\"}", IDX_EINVAL, "missing \"id\"");
}

static void test_numeric_id_rejected(void)
{
    check_reject("{\"id\":123,\"title\":\"t\"}", IDX_EINVAL, "\"id\" must be a string");
}

static void test_empty_id_rejected(void)
{
    check_reject("{\"id\":\"\",\"title\":\"t\"}", IDX_EINVAL, "\"id\" is empty");
}

static void test_id_too_long_rejected(void)
{
    char line[300];
    char id[202];
    memset(id, 'x', 201);
    id[201] = '\0';
    snprintf(line, sizeof line, "{\"id\":\"%s\",\"title\":\"t\"}", id);
    check_reject(line, IDX_EINVAL, "\"id\" is 201 bytes (max 200)");
}

static void test_id_with_newline_rejected(void)
{
    check_reject("{\"id\":\"a\\nb\",\"title\":\"t\"}", IDX_EINVAL, "control character");
}

static void test_id_with_tab_or_del_rejected(void)
{
    check_reject("{\"id\":\"a\\tb\",\"title\":\"t\"}", IDX_EINVAL, "control character");
    check_reject("{\"id\":\"a\\u007fb\",\"title\":\"t\"}", IDX_EINVAL, "control character");
}

static void test_no_title_and_no_body_rejected(void)
{
    check_reject("{\"id\":\"x\"}", IDX_EINVAL, "non-empty \"title\" or \"body\"");
}

static void test_blank_title_and_body_rejected(void)
{
    check_reject("{\"id\":\"x\",\"title\":\"  \",\"body\":\"\\n\\t\"}", IDX_EINVAL,
                 "non-empty \"title\" or \"body\"");
}

static void test_non_string_title_rejected(void)
{
    check_reject("{\"id\":\"x\",\"title\":5}", IDX_EINVAL, "field \"title\" must be a string");
}

static void test_bad_date_rejected(void)
{
    check_reject("{\"id\":\"x\",\"title\":\"t\",\"date\":\"2022-13-01\"}", IDX_EINVAL,
                 "bad \"date\": month out of range");
    check_reject("{\"id\":\"x\",\"title\":\"t\",\"date\":\"2022/05/18\"}", IDX_EINVAL,
                 "bad \"date\"");
}

static void test_non_string_date_rejected(void)
{
    check_reject("{\"id\":\"x\",\"title\":\"t\",\"date\":20220518}", IDX_EINVAL,
                 "field \"date\" must be a string");
}

static void test_tags_not_array_rejected(void)
{
    check_reject("{\"id\":\"x\",\"title\":\"t\",\"tags\":\"南通\"}", IDX_EINVAL,
                 "\"tags\" must be an array");
}

static void test_tags_with_non_string_rejected(void)
{
    check_reject("{\"id\":\"x\",\"title\":\"t\",\"tags\":[\"a\",2]}", IDX_EINVAL,
                 "\"tags\"[1] must be a string");
}

static void test_empty_tags_array_accepted(void)
{
    idx_article a;
    CHECK_INT(parse_ok("{\"id\":\"x\",\"title\":\"t\",\"tags\":[]}", &a), IDX_OK);
    CHECK(a.tags != NULL);
    CHECK_INT(json_array_size(a.tags), 0);
    idx_article_fini(&a);
}

static void test_malformed_json_rejected(void)
{
    check_reject("{\"id\":\"x\",\"title\":\"t\"", IDX_EJSON, "invalid JSON at byte");
    check_reject("{\"id\":\"x\",,}", IDX_EJSON, "invalid JSON at byte");
    check_reject("", IDX_EJSON, "invalid JSON at byte");
}

static void test_trailing_garbage_rejected(void)
{
    check_reject("{\"id\":\"x\",\"title\":\"t\"} {}", IDX_EJSON, "invalid JSON at byte");
}

static void test_not_an_object_rejected(void)
{
    check_reject("[1,2]", IDX_EINVAL, "not a JSON object");
    /* a bare scalar is not even accepted as JSON text by the loader */
    check_reject("\"id\"", IDX_EJSON, "invalid JSON at byte");
}

static void test_invalid_utf8_rejected_with_offset(void)
{
    /* {"id":"x","title":"中<FF>"}: 中 is bytes 19-21, the bad byte is 22 */
    check_reject("{\"id\":\"x\",\"title\":\"中\xFF\"}", IDX_EUTF8, "at byte 22");
}

static void test_surrogate_bytes_rejected_as_utf8(void)
{
    check_reject("{\"id\":\"x\",\"title\":\"\xED\xA0\x80\"}", IDX_EUTF8, "at byte 19");
}

static void test_duplicate_keys_rejected(void)
{
    check_reject("{\"id\":\"x\",\"title\":\"a\",\"title\":\"b\"}", IDX_EJSON,
                 "invalid JSON at byte");
}

static void test_nul_escape_rejected(void)
{
    check_reject("{\"id\":\"x\",\"title\":\"a\\u0000b\"}", IDX_EJSON, "invalid JSON at byte");
}

static void test_parse_respects_length(void)
{
    const char *line = "{\"id\":\"x\",\"title\":\"t\"}GARBAGE";
    idx_article a;
    idx_err err;
    idx_err_clear(&err);
    CHECK_INT(idx_article_parse(line, strlen(line) - 7, &a, &err), IDX_OK);
    CHECK_ISTR(a.title, "t");
    idx_article_fini(&a);
}

static void test_from_json_takes_a_reference(void)
{
    json_error_t jerr;
    json_t *obj = json_loads("{\"id\":\"r\",\"body\":\"b\"}", 0, &jerr);
    CHECK(obj != NULL);
    idx_article a;
    idx_err err;
    idx_err_clear(&err);
    CHECK_INT(idx_article_from_json(obj, &a, &err), IDX_OK);
    CHECK(a.json == obj);
    json_decref(obj); /* the article still holds its own reference */
    CHECK_ISTR(a.id, "r");
    CHECK_ISTR(a.body, "b");
    idx_article_fini(&a);
}

static void test_from_json_failure_takes_no_reference(void)
{
    json_t *obj = json_pack("{s:i}", "id", 1);
    CHECK(obj != NULL);
    idx_article a;
    idx_err err;
    idx_err_clear(&err);
    CHECK_INT(idx_article_from_json(obj, &a, &err), IDX_EINVAL);
    CHECK(a.json == NULL);
    CHECK_INT(obj->refcount, 1);
    json_decref(obj);
}

int main(void)
{
    TEST(test_full_line_parses_every_field);
    TEST(test_minimal_line_leaves_optional_fields_absent);
    TEST(test_body_only_accepted);
    TEST(test_line_without_newline_or_with_trailing_space);
    TEST(test_null_fields_treated_as_absent);
    TEST(test_id_of_max_length_accepted);
    TEST(test_missing_id_rejected);
    TEST(test_null_id_rejected_as_missing);
    TEST(test_numeric_id_rejected);
    TEST(test_empty_id_rejected);
    TEST(test_id_too_long_rejected);
    TEST(test_id_with_newline_rejected);
    TEST(test_id_with_tab_or_del_rejected);
    TEST(test_no_title_and_no_body_rejected);
    TEST(test_blank_title_and_body_rejected);
    TEST(test_non_string_title_rejected);
    TEST(test_bad_date_rejected);
    TEST(test_non_string_date_rejected);
    TEST(test_tags_not_array_rejected);
    TEST(test_tags_with_non_string_rejected);
    TEST(test_empty_tags_array_accepted);
    TEST(test_malformed_json_rejected);
    TEST(test_trailing_garbage_rejected);
    TEST(test_not_an_object_rejected);
    TEST(test_invalid_utf8_rejected_with_offset);
    TEST(test_surrogate_bytes_rejected_as_utf8);
    TEST(test_duplicate_keys_rejected);
    TEST(test_nul_escape_rejected);
    TEST(test_parse_respects_length);
    TEST(test_from_json_takes_a_reference);
    TEST(test_from_json_failure_takes_no_reference);
    TEST_SUMMARY();
}
