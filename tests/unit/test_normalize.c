/* test_normalize.c - character folding that keeps original spans (normalize.h).
 *
 * idx_normalize is checked on whole strings (NFKC width folding, case folding,
 * accent stripping for alphabetic scripts only, ignorables removed); the
 * iterator idx_norm_next is checked for the [start,end) span each output code
 * point carries back to the original bytes.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "normalize.h"
#include "test.h"

/* Normalize s (n bytes) and check rc and, on success, the output. */
static void check_norm_n(const char *s, size_t n, const char *want)
{
    idx_buf out;
    idx_err err;
    idx_buf_init(&out);
    idx_err_clear(&err);
    CHECK_INT(idx_normalize(s, n, 0, &out, &err), IDX_OK);
    CHECK_INT(err.rc, IDX_OK);
    CHECK_INT(out.len, strlen(want));
    CHECK_STR(idx_buf_cstr(&out), want);
    idx_buf_fini(&out);
}

static void check_norm(const char *s, const char *want) { check_norm_n(s, strlen(s), want); }

/* Render every nchar of s as "U+XXXX[start,end)" joined by spaces; caller frees. */
static char *render_nchars(const char *s, size_t n, int *rc_out)
{
    idx_norm it;
    idx_nchar c;
    idx_err err;
    idx_buf b;
    int r;
    idx_buf_init(&b);
    idx_err_clear(&err);
    idx_norm_init(&it, s, n);
    while ((r = idx_norm_next(&it, &c, &err)) == 1)
        idx_buf_printf(&b, "%sU+%04X[%zu,%zu)", b.len ? " " : "", (unsigned)c.cp, c.start, c.end);
    *rc_out = r;
    char *res = strdup(idx_buf_cstr(&b));
    idx_buf_fini(&b);
    return res;
}

static void test_fullwidth_letters_and_digits_fold_to_ascii(void)
{
    check_norm("ＡＰＥＣ１２３", "apec123");
}

static void test_ascii_upper_case_folds(void)
{
    check_norm("iPhone", "iphone");
    check_norm("HELLO world 42", "hello world 42");
}

static void test_sharp_s_case_folds_to_ss(void)
{
    check_norm("Straße", "strasse");
}

static void test_precomposed_accent_stripped(void)
{
    check_norm("café", "cafe"); /* U+00E9 */
    check_norm("Ÿ", "y");
}

static void test_combining_accent_stripped(void)
{
    check_norm("cafe\xCC\x81", "cafe"); /* e + U+0301 */
}

static void test_ideographic_space_becomes_space(void)
{
    check_norm("中国\xE3\x80\x80美国", "中国 美国");
}

static void test_kana_keeps_voicing_mark(void)
{
    check_norm("が", "が");           /* U+304C */
    check_norm("ガイド", "ガイド");
}

static void test_halfwidth_katakana_folds_to_fullwidth(void)
{
    check_norm("ｶﾀｶﾅ", "カタカナ");
}

/* NFKC composes a half-width kana with its half-width voiced mark (ｶﾞ -> ガ)
 * and a kana with a combining voiced mark (か + U+3099 -> が). */
static void test_halfwidth_voiced_kana_composes(void)
{
    check_norm("ｶﾞｽ", "ガス"); /* U+FF76 U+FF9E U+FF7D -> U+30AC U+30B9 */
}

static void test_decomposed_kana_composes(void)
{
    check_norm("\xE3\x81\x8B\xE3\x82\x99", "が"); /* U+304B U+3099 -> U+304C */
}

static void test_compatibility_ideograph_folds_to_unified(void)
{
    check_norm("\xEF\xA4\x80", "\xE8\xB1\x88"); /* U+F900 -> U+8C48 豈 */
}

static void test_hangul_syllables_unchanged(void)
{
    check_norm("한국", "한국");
}

static void test_chinese_text_unchanged(void)
{
    check_norm("南通开发区𠮷野家", "南通开发区𠮷野家");
}

static void test_soft_hyphen_removed(void)
{
    check_norm("co\xC2\xADop", "coop"); /* U+00AD */
}

static void test_zero_width_joiner_removed(void)
{
    check_norm("a\xE2\x80\x8D" "b", "ab"); /* U+200D */
}

static void test_circled_digit_folds(void)
{
    check_norm("①", "1");
}

static void test_empty_string(void)
{
    check_norm_n("", 0, "");
}

static void test_does_not_read_past_n(void)
{
    check_norm_n("ABCD", 2, "ab");
}

static void test_invalid_utf8_reports_byte_offset(void)
{
    idx_buf out;
    idx_err err;
    idx_buf_init(&out);
    idx_err_clear(&err);
    CHECK_INT(idx_normalize("中文\xC0\xAF", 8, 0, &out, &err), IDX_EUTF8);
    CHECK_INT(err.rc, IDX_EUTF8);
    CHECK(strstr(err.msg, "at byte 6") != NULL);
    idx_buf_fini(&out);
}

static void test_invalid_utf8_truncated_at_end(void)
{
    idx_buf out;
    idx_err err;
    idx_buf_init(&out);
    idx_err_clear(&err);
    CHECK_INT(idx_normalize("ab\xE4\xB8", 4, 0, &out, &err), IDX_EUTF8);
    CHECK(strstr(err.msg, "at byte 2") != NULL);
    idx_buf_fini(&out);
}

static void test_iter_fullwidth_keeps_original_span(void)
{
    int rc;
    char *got = render_nchars("Ａb", 4, &rc);
    CHECK_INT(rc, 0);
    CHECK_STR(got, "U+0061[0,3) U+0062[3,4)");
    free(got);
}

static void test_iter_expansion_shares_span(void)
{
    int rc;
    char *got = render_nchars("㈱", 3, &rc); /* U+3231 -> ( 株 ) */
    CHECK_INT(rc, 0);
    CHECK_STR(got, "U+0028[0,3) U+682A[0,3) U+0029[0,3)");
    free(got);
}

static void test_iter_ext_b_span_is_four_bytes(void)
{
    int rc;
    char *got = render_nchars("𠮷a", 5, &rc);
    CHECK_INT(rc, 0);
    CHECK_STR(got, "U+20BB7[0,4) U+0061[4,5)");
    free(got);
}

static void test_iter_ignorable_yields_nothing(void)
{
    int rc;
    char *got = render_nchars("a\xC2\xAD" "b", 4, &rc);
    CHECK_INT(rc, 0);
    CHECK_STR(got, "U+0061[0,1) U+0062[3,4)");
    free(got);
}

static void test_iter_combining_mark_stripped_but_spanned_for_latin(void)
{
    int rc;
    char *got = render_nchars("e\xCC\x81x", 4, &rc);
    CHECK_INT(rc, 0);
    CHECK_STR(got, "U+0065[0,3) U+0078[3,4)");
    free(got);
}

static void test_iter_sharp_s_expands_with_one_span(void)
{
    int rc;
    char *got = render_nchars("ß", 2, &rc);
    CHECK_INT(rc, 0);
    CHECK_STR(got, "U+0073[0,2) U+0073[0,2)");
    free(got);
}

static void test_iter_error_after_valid_prefix(void)
{
    idx_norm it;
    idx_nchar c;
    idx_err err;
    idx_err_clear(&err);
    idx_norm_init(&it, "a\xFF", 2);
    CHECK_INT(idx_norm_next(&it, &c, &err), 1);
    CHECK_INT(c.cp, 'a');
    CHECK_INT(idx_norm_next(&it, &c, &err), -1);
    CHECK_INT(err.rc, IDX_EUTF8);
    CHECK(strstr(err.msg, "at byte 1") != NULL);
}

static void test_iter_end_of_text_returns_zero(void)
{
    idx_norm it;
    idx_nchar c;
    idx_err err;
    idx_err_clear(&err);
    idx_norm_init(&it, "", 0);
    CHECK_INT(idx_norm_next(&it, &c, &err), 0);
    CHECK_INT(idx_norm_next(&it, &c, &err), 0);
    CHECK_INT(err.rc, IDX_OK);
}

int main(void)
{
    TEST(test_fullwidth_letters_and_digits_fold_to_ascii);
    TEST(test_ascii_upper_case_folds);
    TEST(test_sharp_s_case_folds_to_ss);
    TEST(test_precomposed_accent_stripped);
    TEST(test_combining_accent_stripped);
    TEST(test_ideographic_space_becomes_space);
    TEST(test_kana_keeps_voicing_mark);
    TEST(test_halfwidth_katakana_folds_to_fullwidth);
    TEST(test_halfwidth_voiced_kana_composes);
    TEST(test_decomposed_kana_composes);
    TEST(test_compatibility_ideograph_folds_to_unified);
    TEST(test_hangul_syllables_unchanged);
    TEST(test_chinese_text_unchanged);
    TEST(test_soft_hyphen_removed);
    TEST(test_zero_width_joiner_removed);
    TEST(test_circled_digit_folds);
    TEST(test_empty_string);
    TEST(test_does_not_read_past_n);
    TEST(test_invalid_utf8_reports_byte_offset);
    TEST(test_invalid_utf8_truncated_at_end);
    TEST(test_iter_fullwidth_keeps_original_span);
    TEST(test_iter_expansion_shares_span);
    TEST(test_iter_ext_b_span_is_four_bytes);
    TEST(test_iter_ignorable_yields_nothing);
    TEST(test_iter_combining_mark_stripped_but_spanned_for_latin);
    TEST(test_iter_sharp_s_expands_with_one_span);
    TEST(test_iter_error_after_valid_prefix);
    TEST(test_iter_end_of_text_returns_zero);
    TEST_SUMMARY();
}
