/* utf8.h - strict UTF-8 decoding/encoding and character classes.
 *
 * Decoding is strict (RFC 3629): overlong forms, surrogates (U+D800-DFFF),
 * code points above U+10FFFF and truncated sequences are errors, reported
 * with the byte offset of the offending sequence.  Code points are 32-bit so
 * CJK Extension B-G ideographs (4-byte sequences) survive intact.  Text is
 * always (const char *s, size_t n): no terminating NUL is assumed.
 */
#ifndef IDX_UTF8_H
#define IDX_UTF8_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

/* Decode the character starting at s[i] (i < n).  On success stores the code
 * point and its length in bytes and returns 0; returns -1 if the bytes at s[i]
 * are not a valid UTF-8 sequence. */
int idx_utf8_decode(const char *s, size_t n, size_t i, uint32_t *cp, size_t *len);

/* Returns 1 if s[0..n) is valid UTF-8; otherwise 0 and, if bad_off is not
 * NULL, the byte offset of the first invalid sequence. */
int idx_utf8_valid(const char *s, size_t n, size_t *bad_off);

/* IDX_OK if valid, else IDX_EUTF8 with "invalid UTF-8 in <what> at byte N". */
int idx_utf8_check(const char *s, size_t n, const char *what, idx_err *err);

/* Encode cp (must be a valid scalar value) into out; returns 1-4 bytes. */
size_t idx_utf8_encode(uint32_t cp, char out[4]);

/* Length in bytes of the longest prefix of s[0..n) that has at most max_bytes
 * bytes and ends on a character boundary (s must be valid UTF-8). */
size_t idx_utf8_clip(const char *s, size_t n, size_t max_bytes);

/* 1 if cp is white space: ASCII space, tab, line feed, carriage return, form
 * feed, vertical tab, and Unicode's space separators (no-break space U+00A0,
 * U+1680, U+2000-200A, U+202F, U+205F, ideographic space U+3000). */
int idx_utf8_is_space(uint32_t cp);
/* The length in bytes of the white-space character at s[i] (i < n), or 0
 * when there is none (or the bytes there are not valid UTF-8). */
size_t idx_utf8_space_at(const char *s, size_t n, size_t i);

/* 1 if cp belongs to the CJK run class: Han (URO, Ext A-H, compatibility
 * ideographs, radicals), Kana, Hangul, Bopomofo, and U+3005-3007, U+303B. */
int idx_utf8_is_cjk(uint32_t cp);

#endif
