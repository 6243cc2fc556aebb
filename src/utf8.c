/* utf8.c - see utf8.h.  The decoder follows the well-formed byte sequence
 * table of Unicode (ch. 3, table 3-7), so every rejection is exact. */
#include "utf8.h"

int idx_utf8_decode(const char *s, size_t n, size_t i, uint32_t *cp, size_t *len)
{
    const unsigned char *p = (const unsigned char *)s + i;
    size_t avail = n - i;
    unsigned c = p[0];
    if (c < 0x80) { *cp = c; *len = 1; return 0; }
    if (c < 0xC2) return -1; /* continuation byte or overlong 2-byte lead */
    if (c < 0xE0) {
        if (avail < 2 || (p[1] & 0xC0) != 0x80) return -1;
        *cp = ((uint32_t)(c & 0x1F) << 6) | (p[1] & 0x3F);
        *len = 2;
        return 0;
    }
    if (c < 0xF0) {
        if (avail < 3) return -1;
        unsigned lo = 0x80, hi = 0xBF;
        if (c == 0xE0) lo = 0xA0;        /* overlong */
        else if (c == 0xED) hi = 0x9F;   /* surrogates */
        if (p[1] < lo || p[1] > hi || (p[2] & 0xC0) != 0x80) return -1;
        *cp = ((uint32_t)(c & 0x0F) << 12) | ((uint32_t)(p[1] & 0x3F) << 6) | (p[2] & 0x3F);
        *len = 3;
        return 0;
    }
    if (c < 0xF5) {
        if (avail < 4) return -1;
        unsigned lo = 0x80, hi = 0xBF;
        if (c == 0xF0) lo = 0x90;        /* overlong */
        else if (c == 0xF4) hi = 0x8F;   /* above U+10FFFF */
        if (p[1] < lo || p[1] > hi || (p[2] & 0xC0) != 0x80 || (p[3] & 0xC0) != 0x80)
            return -1;
        *cp = ((uint32_t)(c & 0x07) << 18) | ((uint32_t)(p[1] & 0x3F) << 12) |
              ((uint32_t)(p[2] & 0x3F) << 6) | (p[3] & 0x3F);
        *len = 4;
        return 0;
    }
    return -1;
}

int idx_utf8_valid(const char *s, size_t n, size_t *bad_off)
{
    size_t i = 0;
    while (i < n) {
        if ((unsigned char)s[i] < 0x80) { i++; continue; }
        uint32_t cp;
        size_t len;
        if (idx_utf8_decode(s, n, i, &cp, &len) != 0) {
            if (bad_off) *bad_off = i;
            return 0;
        }
        i += len;
    }
    return 1;
}

int idx_utf8_check(const char *s, size_t n, const char *what, idx_err *err)
{
    size_t off;
    if (idx_utf8_valid(s, n, &off)) return IDX_OK;
    return idx_err_set(err, IDX_EUTF8, "utf8.check", "invalid UTF-8 in %s at byte %zu (0x%02X)",
                       what, off, (unsigned)(unsigned char)s[off]);
}

size_t idx_utf8_encode(uint32_t cp, char out[4])
{
    if (cp < 0x80) { out[0] = (char)cp; return 1; }
    if (cp < 0x800) {
        out[0] = (char)(0xC0 | (cp >> 6));
        out[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (char)(0xE0 | (cp >> 12));
        out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        out[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = (char)(0xF0 | (cp >> 18));
    out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    out[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

size_t idx_utf8_clip(const char *s, size_t n, size_t max_bytes)
{
    if (n <= max_bytes) return n;
    size_t i = max_bytes;
    while (i > 0 && ((unsigned char)s[i] & 0xC0) == 0x80) i--;
    return i;
}

int idx_utf8_is_cjk(uint32_t cp)
{
    if (cp < 0x1100) return 0;
    return (cp >= 0x4E00 && cp <= 0x9FFF)      /* CJK Unified Ideographs */
        || (cp >= 0x3400 && cp <= 0x4DBF)      /* Ext A */
        || (cp >= 0x20000 && cp <= 0x323AF)    /* Ext B-H (planes 2-3) */
        || (cp >= 0xF900 && cp <= 0xFAFF)      /* Compatibility Ideographs */
        || (cp >= 0x2F800 && cp <= 0x2FA1F)    /* Compatibility Supplement */
        || (cp >= 0x2E80 && cp <= 0x2FDF)      /* radicals (usually NFKC-folded) */
        || (cp >= 0x3041 && cp <= 0x3098)      /* Hiragana (not the voicing marks) */
        || (cp >= 0x309D && cp <= 0x309F)      /* ゝ ゞ ゟ */
        || (cp >= 0x30A1 && cp <= 0x30FF && cp != 0x30FB) /* Katakana, ー; not ・ */
        || (cp >= 0x31F0 && cp <= 0x31FF)      /* Katakana phonetic extensions */
        || (cp >= 0x3100 && cp <= 0x312F)      /* Bopomofo */
        || (cp >= 0x31A0 && cp <= 0x31BF)      /* Bopomofo extended */
        || (cp >= 0xAC00 && cp <= 0xD7AF)      /* Hangul syllables */
        || (cp >= 0x1100 && cp <= 0x11FF)      /* Hangul jamo */
        || (cp >= 0x3130 && cp <= 0x318F)      /* Hangul compatibility jamo */
        || (cp >= 0xA960 && cp <= 0xA97F)      /* Hangul jamo ext A */
        || (cp >= 0xD7B0 && cp <= 0xD7FF)      /* Hangul jamo ext B */
        || (cp >= 0x3005 && cp <= 0x3007)      /* 々 〆 〇 */
        || cp == 0x303B                        /* 〻 */
        || (cp >= 0x1B000 && cp <= 0x1B16F);   /* Kana supplement / ext A */
}

int idx_utf8_is_space(uint32_t cp)
{
    switch (cp) {
    case ' ': case '\t': case '\n': case '\r': case '\f': case '\v':
    case 0x00A0: case 0x1680: case 0x202F: case 0x205F: case 0x3000:
        return 1;
    default:
        return cp >= 0x2000 && cp <= 0x200A;
    }
}

size_t idx_utf8_space_at(const char *s, size_t n, size_t i)
{
    unsigned char c = (unsigned char)s[i];
    if (c < 0x80) return idx_utf8_is_space(c) ? 1 : 0;
    if (c != 0xC2 && c != 0xE1 && c != 0xE2 && c != 0xE3) return 0; /* no space starts so */
    uint32_t cp;
    size_t len;
    if (idx_utf8_decode(s, n, i, &cp, &len) != 0) return 0;
    return idx_utf8_is_space(cp) ? len : 0;
}
