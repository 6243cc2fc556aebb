/* normalize.c - see normalize.h.
 *
 * Per character: utf8proc_decompose_char with COMPAT|CASEFOLD|IGNORE (plus
 * STRIPMARK for alphabetic scripts), then utf8proc_normalize_utf32 with
 * COMPOSE to recompose what the decomposition split (Hangul, accented
 * letters whose marks are kept).  ASCII and U+4E00-9FFF are fixed points of
 * that function except for ASCII upper case, so they skip utf8proc.
 */
#include "normalize.h"

#include <utf8proc.h>

#include "utf8.h"

void idx_norm_init(idx_norm *it, const char *s, size_t n)
{
    it->s = s;
    it->n = n;
    it->i = 0;
    it->npend = it->ipend = 0;
    it->pstart = it->pend_end = 0;
}

/* Alphabetic scripts where a stripped accent is still the same letter to a
 * reader: Latin, Greek, Cyrillic and their combining marks. */
static int strip_marks_for(uint32_t cp)
{
    return cp < 0x0530 || (cp >= 0x1E00 && cp <= 0x1FFF);
}

/* Fold one code point into it->pend; returns number of code points. */
static int fold_char(idx_norm *it, uint32_t cp)
{
    utf8proc_option_t opt = UTF8PROC_DECOMPOSE | UTF8PROC_COMPAT | UTF8PROC_CASEFOLD |
                            UTF8PROC_IGNORE;
    if (strip_marks_for(cp)) opt |= UTF8PROC_STRIPMARK;
    int last_boundclass = 0;
    utf8proc_ssize_t k = utf8proc_decompose_char((utf8proc_int32_t)cp, it->pend,
                                                 IDX_NORM_PENDING, opt, &last_boundclass);
    if (k < 0 || k > IDX_NORM_PENDING) {
        /* Cannot happen for valid scalar values (the longest compatibility
         * decomposition is 18); keep the character as it is. */
        it->pend[0] = (int32_t)cp;
        return 1;
    }
    if (k > 1) {
        k = utf8proc_normalize_utf32(it->pend, k, UTF8PROC_COMPOSE | UTF8PROC_STABLE);
        if (k < 0) { it->pend[0] = (int32_t)cp; return 1; }
    }
    return (int)k;
}

int idx_norm_next(idx_norm *it, idx_nchar *out, idx_err *err)
{
    for (;;) {
        if (it->ipend < it->npend) {
            out->cp = (uint32_t)it->pend[it->ipend++];
            out->start = it->pstart;
            out->end = it->pend_end;
            return 1;
        }
        if (it->i >= it->n) return 0;
        size_t i = it->i;
        unsigned char c = (unsigned char)it->s[i];
        if (c < 0x80) { /* ASCII fast path */
            it->i = i + 1;
            out->cp = (c >= 'A' && c <= 'Z') ? (uint32_t)(c + 32) : c;
            out->start = i;
            out->end = i + 1;
            return 1;
        }
        uint32_t cp;
        size_t len;
        if (idx_utf8_decode(it->s, it->n, i, &cp, &len) != 0) {
            idx_err_set(err, IDX_EUTF8, "[normalize][next] invalid UTF-8 at byte %zu (0x%02X)",
                        i, (unsigned)c);
            return -1;
        }
        it->i = i + len;
        if (cp >= 0x4E00 && cp <= 0x9FFF) { /* unified ideographs: fixed points */
            out->cp = cp;
            out->start = i;
            out->end = i + len;
            return 1;
        }
        it->npend = fold_char(it, cp);
        it->ipend = 0;
        it->pstart = i;
        it->pend_end = i + len;
    }
}

int idx_normalize(const char *s, size_t n, idx_buf *out, idx_err *err)
{
    idx_norm it;
    idx_nchar ch;
    int r;
    idx_norm_init(&it, s, n);
    while ((r = idx_norm_next(&it, &ch, err)) == 1) {
        char enc[4];
        idx_buf_append(out, enc, idx_utf8_encode(ch.cp, enc));
    }
    if (r < 0) return IDX_EUTF8;
    if (out->oom) return idx_err_set(err, IDX_ENOMEM, "[normalize][string] out of memory");
    return IDX_OK;
}
