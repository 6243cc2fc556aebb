/* test_utf8.c - strict UTF-8 decoding/encoding and the CJK run class (utf8.h).
 *
 * Rejections are checked with the exact byte offset idx_utf8_valid reports:
 * each bad sequence is put after a known-good prefix so an off-by-one would
 * show.  Hex escapes that could swallow a following hex digit are split into
 * separate string literals ("\xC0" "af").
 */
#include <stdint.h>
#include <string.h>

#include "test.h"
#include "utf8.h"

/* Decode the single character making up s and check its code point and length. */
static void check_decode_one(const char *s, uint32_t want_cp, size_t want_len)
{
    uint32_t cp = 0;
    size_t len = 0;
    CHECK_INT(idx_utf8_decode(s, strlen(s), 0, &cp, &len), 0);
    CHECK_INT(cp, want_cp);
    CHECK_INT(len, want_len);
}

/* Check that s[0..n) is invalid with its first bad sequence at want_off. */
static void check_invalid_at(const char *s, size_t n, size_t want_off)
{
    size_t off = (size_t)-1;
    CHECK_INT(idx_utf8_valid(s, n, &off), 0);
    CHECK_INT(off, want_off);
}

static void test_decode_ascii_is_one_byte(void)
{
    check_decode_one("A", 0x41, 1);
    check_decode_one("\x7F", 0x7F, 1);
}

static void test_decode_two_byte_char(void)
{
    check_decode_one("é", 0xE9, 2);       /* C3 A9 */
    check_decode_one("\xC2\x80", 0x80, 2); /* smallest 2-byte */
}

static void test_decode_three_byte_cjk_char(void)
{
    check_decode_one("中", 0x4E2D, 3);       /* E4 B8 AD */
    check_decode_one("\xEF\xBF\xBF", 0xFFFF, 3);
}

static void test_decode_four_byte_ext_b_ideograph(void)
{
    check_decode_one("𠮷", 0x20BB7, 4); /* F0 A0 AE B7 */
    check_decode_one("\xF4\x8F\xBF\xBF", 0x10FFFF, 4);
}

static void test_decode_at_offset_inside_string(void)
{
    const char *s = "a中𠮷";
    uint32_t cp = 0;
    size_t len = 0;
    CHECK_INT(idx_utf8_decode(s, strlen(s), 1, &cp, &len), 0);
    CHECK_INT(cp, 0x4E2D);
    CHECK_INT(len, 3);
    CHECK_INT(idx_utf8_decode(s, strlen(s), 4, &cp, &len), 0);
    CHECK_INT(cp, 0x20BB7);
    CHECK_INT(len, 4);
}

static void test_valid_accepts_mixed_text(void)
{
    const char *s = "ab é 中文 𠮷野家 ＡＰＥＣ";
    size_t off = 12345;
    CHECK_INT(idx_utf8_valid(s, strlen(s), &off), 1);
    CHECK_INT(off, 12345); /* untouched on success */
    CHECK_INT(idx_utf8_valid("", 0, NULL), 1);
}

static void test_valid_rejects_overlong_two_byte(void)
{
    check_invalid_at("\xC0\xAF", 2, 0);
    check_invalid_at("ab\xC1\xBF", 4, 2);
}

static void test_valid_rejects_overlong_three_byte(void)
{
    check_invalid_at("\xE0\x80\xAF", 3, 0);
    check_invalid_at("中\xE0\x9F\xBF", 6, 3);
}

static void test_valid_rejects_overlong_four_byte(void)
{
    check_invalid_at("x\xF0\x8F\xBF\xBF", 5, 1);
}

static void test_valid_rejects_surrogate(void)
{
    check_invalid_at("\xED\xA0\x80", 3, 0);      /* U+D800 */
    check_invalid_at("ab\xED\xBF\xBF", 5, 2);    /* U+DFFF */
    CHECK_INT(idx_utf8_valid("\xED\x9F\xBF", 3, NULL), 1); /* U+D7FF is fine */
}

static void test_valid_rejects_above_max_code_point(void)
{
    check_invalid_at("\xF4\x90\x80\x80", 4, 0); /* U+110000 */
    check_invalid_at("中\xF4\x90\x80\x80", 7, 3);
}

static void test_valid_rejects_truncated_sequence_at_end(void)
{
    check_invalid_at("ab\xE4\xB8", 4, 2);            /* 中 missing its last byte */
    check_invalid_at("中\xF0\xA0\xAE", 6, 3);        /* 𠮷 missing its last byte */
    check_invalid_at("\xC3", 1, 0);
    /* a full character cut by n counts as truncated too */
    check_invalid_at("中", 2, 0);
}

static void test_valid_rejects_truncated_sequence_before_ascii(void)
{
    check_invalid_at("\xE4\xB8" "a", 3, 0);
}

static void test_valid_rejects_stray_continuation_byte(void)
{
    check_invalid_at("\x80", 1, 0);
    check_invalid_at("中\xAD" "a", 5, 3);
}

static void test_valid_rejects_f5_and_above_lead(void)
{
    check_invalid_at("\xF5\x80\x80\x80", 4, 0);
    check_invalid_at("ab\xF8\x88\x80\x80\x80", 7, 2);
    check_invalid_at("a\xFF", 2, 1);
    check_invalid_at("a\xFE", 2, 1);
}

static void test_decode_returns_error_for_invalid(void)
{
    uint32_t cp = 0;
    size_t len = 0;
    CHECK_INT(idx_utf8_decode("\xC0\xAF", 2, 0, &cp, &len), -1);
    CHECK_INT(idx_utf8_decode("\xED\xA0\x80", 3, 0, &cp, &len), -1);
    CHECK_INT(idx_utf8_decode("\xF4\x90\x80\x80", 4, 0, &cp, &len), -1);
    CHECK_INT(idx_utf8_decode("\x80", 1, 0, &cp, &len), -1);
}

static void test_check_ok_leaves_err_clear(void)
{
    idx_err err;
    idx_err_clear(&err);
    CHECK_INT(idx_utf8_check("中文", 6, "title", &err), IDX_OK);
    CHECK_INT(err.rc, IDX_OK);
    CHECK_STR(err.msg, "");
}

static void test_check_message_names_byte_offset(void)
{
    idx_err err;
    idx_err_clear(&err);
    CHECK_INT(idx_utf8_check("中文\xFF", 7, "title", &err), IDX_EUTF8);
    CHECK_INT(err.rc, IDX_EUTF8);
    CHECK(strstr(err.msg, "at byte 6") != NULL);
    CHECK(strstr(err.msg, "title") != NULL);
    CHECK_STR(err.where, "utf8.check");
    CHECK(strncmp(err.msg, "invalid UTF-8", 13) == 0);
}

static void test_check_accepts_null_err(void)
{
    CHECK_INT(idx_utf8_check("\xC0\xAF", 2, "x", NULL), IDX_EUTF8);
}

static void test_encode_lengths(void)
{
    char b[4];
    CHECK_INT(idx_utf8_encode(0x41, b), 1);
    CHECK(memcmp(b, "A", 1) == 0);
    CHECK_INT(idx_utf8_encode(0xE9, b), 2);
    CHECK(memcmp(b, "é", 2) == 0);
    CHECK_INT(idx_utf8_encode(0x4E2D, b), 3);
    CHECK(memcmp(b, "中", 3) == 0);
    CHECK_INT(idx_utf8_encode(0x20BB7, b), 4);
    CHECK(memcmp(b, "𠮷", 4) == 0);
}

static void test_encode_decode_round_trip(void)
{
    static const uint32_t cps[] = {0x0,    0x7F,   0x80,    0x7FF,   0x800,    0xD7FF,
                                   0xE000, 0xFFFD, 0xFFFF,  0x10000, 0x20BB7,  0x10FFFF,
                                   0x3000, 0xFF21, 0x4E2D,  0xAC00,  0x2F800};
    for (size_t k = 0; k < sizeof cps / sizeof cps[0]; k++) {
        char b[4];
        size_t n = idx_utf8_encode(cps[k], b);
        uint32_t cp = 0;
        size_t len = 0;
        CHECK_INT(idx_utf8_decode(b, n, 0, &cp, &len), 0);
        CHECK_INT(cp, cps[k]);
        CHECK_INT(len, n);
        CHECK_INT(idx_utf8_valid(b, n, NULL), 1);
    }
}

static void test_clip_never_cuts_a_character(void)
{
    const char *s = "a中𠮷b"; /* bytes: a[0] 中[1,4) 𠮷[4,8) b[8] */
    size_t n = strlen(s);
    static const size_t want[] = {0, 1, 1, 1, 4, 4, 4, 4, 8, 9, 9};
    for (size_t max = 0; max <= 10; max++) CHECK_INT(idx_utf8_clip(s, n, max), want[max]);
}

static void test_clip_every_prefix_is_valid(void)
{
    const char *s = "南通𠮷ＡＰＥＣé";
    size_t n = strlen(s);
    for (size_t max = 0; max <= n; max++) {
        size_t k = idx_utf8_clip(s, n, max);
        CHECK(k <= max);
        CHECK_INT(idx_utf8_valid(s, k, NULL), 1);
    }
}

static void test_is_cjk_han(void)
{
    CHECK_INT(idx_utf8_is_cjk(0x4E2D), 1);  /* 中 */
    CHECK_INT(idx_utf8_is_cjk(0x4E00), 1);
    CHECK_INT(idx_utf8_is_cjk(0x9FFF), 1);
    CHECK_INT(idx_utf8_is_cjk(0xF900), 1);  /* compatibility ideograph */
}

static void test_is_cjk_ext_a(void)
{
    CHECK_INT(idx_utf8_is_cjk(0x3400), 1);
    CHECK_INT(idx_utf8_is_cjk(0x4DB5), 1);
}

static void test_is_cjk_ext_b(void)
{
    CHECK_INT(idx_utf8_is_cjk(0x20BB7), 1); /* 𠮷 */
    CHECK_INT(idx_utf8_is_cjk(0x20000), 1);
    CHECK_INT(idx_utf8_is_cjk(0x2A6DF), 1);
}

static void test_is_cjk_kana(void)
{
    CHECK_INT(idx_utf8_is_cjk(0x3072), 1); /* ひ */
    CHECK_INT(idx_utf8_is_cjk(0x304C), 1); /* が */
    CHECK_INT(idx_utf8_is_cjk(0x30AB), 1); /* カ */
    CHECK_INT(idx_utf8_is_cjk(0x30FC), 1); /* ー prolonged sound mark */
}

static void test_is_cjk_iteration_mark_and_hangul(void)
{
    CHECK_INT(idx_utf8_is_cjk(0x3005), 1); /* 々 */
    CHECK_INT(idx_utf8_is_cjk(0xD55C), 1); /* 한 */
    CHECK_INT(idx_utf8_is_cjk(0xAC00), 1); /* 가 */
    CHECK_INT(idx_utf8_is_cjk(0x3105), 1); /* ㄅ Bopomofo */
}

static void test_is_cjk_rejects_latin_digits_and_symbols(void)
{
    CHECK_INT(idx_utf8_is_cjk('A'), 0);
    CHECK_INT(idx_utf8_is_cjk('z'), 0);
    CHECK_INT(idx_utf8_is_cjk('0'), 0);
    CHECK_INT(idx_utf8_is_cjk(0xE9), 0);   /* é */
    CHECK_INT(idx_utf8_is_cjk(0x30FB), 0); /* ・ katakana middle dot */
    CHECK_INT(idx_utf8_is_cjk(0xFF21), 0); /* full-width Ａ */
    CHECK_INT(idx_utf8_is_cjk(0xFF10), 0); /* full-width ０ */
    CHECK_INT(idx_utf8_is_cjk(0x3000), 0); /* ideographic space */
    CHECK_INT(idx_utf8_is_cjk(0x3001), 0); /* 、 */
    CHECK_INT(idx_utf8_is_cjk(0x3002), 0); /* 。 */
    CHECK_INT(idx_utf8_is_cjk(0xFF0C), 0); /* ， */
}

static void test_space(void)
{
    const uint32_t yes[] = {' ', '\t', '\n', '\r', '\f', '\v', 0xA0, 0x1680, 0x2000, 0x2005,
                            0x200A, 0x202F, 0x205F, 0x3000};
    const uint32_t no[] = {0, 'a', 0x7F, 0x85, 0x200B, 0x200D, 0xFEFF, 0x3001, 0x4E2D, 0xFF0C};
    for (size_t k = 0; k < sizeof yes / sizeof *yes; k++) CHECK(idx_utf8_is_space(yes[k]));
    for (size_t k = 0; k < sizeof no / sizeof *no; k++) CHECK(!idx_utf8_is_space(no[k]));
    const char *s = "a \xC2\xA0\xE3\x80\x80\xE2\x80\x83\xE4\xB8\xAD\xE3\x80\x81\xE3\x80";
    size_t n = strlen(s);
    CHECK_INT(idx_utf8_space_at(s, n, 0), 0); /* a */
    CHECK_INT(idx_utf8_space_at(s, n, 1), 1); /* space */
    CHECK_INT(idx_utf8_space_at(s, n, 2), 2); /* no-break space */
    CHECK_INT(idx_utf8_space_at(s, n, 4), 3); /* ideographic space */
    CHECK_INT(idx_utf8_space_at(s, n, 7), 3); /* em space */
    CHECK_INT(idx_utf8_space_at(s, n, 10), 0); /* 中 */
    CHECK_INT(idx_utf8_space_at(s, n, 13), 0); /* 、 */
    CHECK_INT(idx_utf8_space_at(s, n, 16), 0); /* truncated */
}

int main(void)
{
    TEST(test_decode_ascii_is_one_byte);
    TEST(test_decode_two_byte_char);
    TEST(test_decode_three_byte_cjk_char);
    TEST(test_decode_four_byte_ext_b_ideograph);
    TEST(test_decode_at_offset_inside_string);
    TEST(test_valid_accepts_mixed_text);
    TEST(test_valid_rejects_overlong_two_byte);
    TEST(test_valid_rejects_overlong_three_byte);
    TEST(test_valid_rejects_overlong_four_byte);
    TEST(test_valid_rejects_surrogate);
    TEST(test_valid_rejects_above_max_code_point);
    TEST(test_valid_rejects_truncated_sequence_at_end);
    TEST(test_valid_rejects_truncated_sequence_before_ascii);
    TEST(test_valid_rejects_stray_continuation_byte);
    TEST(test_valid_rejects_f5_and_above_lead);
    TEST(test_decode_returns_error_for_invalid);
    TEST(test_check_ok_leaves_err_clear);
    TEST(test_check_message_names_byte_offset);
    TEST(test_check_accepts_null_err);
    TEST(test_encode_lengths);
    TEST(test_encode_decode_round_trip);
    TEST(test_clip_never_cuts_a_character);
    TEST(test_clip_every_prefix_is_valid);
    TEST(test_is_cjk_han);
    TEST(test_is_cjk_ext_a);
    TEST(test_is_cjk_ext_b);
    TEST(test_is_cjk_kana);
    TEST(test_is_cjk_iteration_mark_and_hangul);
    TEST(test_is_cjk_rejects_latin_digits_and_symbols);
    TEST(test_space);
    TEST_SUMMARY();
}
