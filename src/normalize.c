/* normalize.c - see normalize.h.
 *
 * Per cluster (a character and the combining marks after it):
 * utf8proc_decompose_char with COMPAT|CASEFOLD|IGNORE (plus STRIPMARK for
 * alphabetic scripts), then utf8proc_normalize_utf32 with COMPOSE to
 * recompose what the decomposition split (Hangul, kana with voicing marks,
 * accented letters whose marks are kept).  ASCII and U+4E00-9FFF are fixed points of
 * that function except for ASCII upper case, so they skip utf8proc.
 */
#include "normalize.h"
#include "t2s.h"

#include <utf8proc.h>

#include "utf8.h"

void idx_norm_init(idx_norm *it, const char *s, size_t n)
{
    it->s = s;
    it->n = n;
    it->i = 0;
    it->npend = it->ipend = 0;
    it->pstart = it->pend_end = 0;
    it->fold_t2s = 0;
}

/* Alphabetic scripts where a stripped accent is still the same letter to a
 * reader: Latin, Greek, Cyrillic and their combining marks. */
static int strip_marks_for(uint32_t cp)
{
    return cp < 0x0530 || (cp >= 0x1E00 && cp <= 0x1FFF);
}

/* Does cp attach to the character before it (a combining mark, or a
 * half-width kana voicing mark that NFKC turns into one)? */
static int is_mark(uint32_t cp)
{
    if (cp < 0x0300) return 0;
    if (cp == 0xFF9E || cp == 0xFF9F) return 1;
    utf8proc_category_t c = utf8proc_category((utf8proc_int32_t)cp);
    return c == UTF8PROC_CATEGORY_MN || c == UTF8PROC_CATEGORY_MC || c == UTF8PROC_CATEGORY_ME;
}

/* Append the folded form of cp to it->pend[0..*k); 0 ok, -1 no room. */
static int fold_append(idx_norm *it, uint32_t cp, int strip, int *k)
{
    utf8proc_option_t opt = UTF8PROC_DECOMPOSE | UTF8PROC_COMPAT | UTF8PROC_CASEFOLD |
                            UTF8PROC_IGNORE;
    if (strip) opt |= UTF8PROC_STRIPMARK;
    int last_boundclass = 0;
    utf8proc_ssize_t r = utf8proc_decompose_char((utf8proc_int32_t)cp, it->pend + *k,
                                                 IDX_NORM_PENDING - *k, opt, &last_boundclass);
    if (r < 0 || r > IDX_NORM_PENDING - *k) return -1;
    *k += (int)r;
    return 0;
}

/* Fold the cluster starting at s[i] (cp, len bytes): the character and the
 * combining marks after it, composed together (か + U+3099 -> が, ｶﾞ -> ガ,
 * e + U+0301 -> e with the mark stripped).  Sets it->pend/npend and the
 * cluster's span; returns the byte just past the cluster. */
static size_t fold_cluster(idx_norm *it, size_t i, uint32_t cp, size_t len)
{
    int k = 0, strip = strip_marks_for(cp);
    size_t end = i + len;
    if (fold_append(it, cp, strip, &k) != 0) {
        it->pend[0] = (int32_t)cp;
        k = 1;
    }
    while (end < it->n && (unsigned char)it->s[end] >= 0xCC) {
        uint32_t m;
        size_t mlen;
        if (idx_utf8_decode(it->s, it->n, end, &m, &mlen) != 0 || !is_mark(m)) break;
        int saved = k;
        if (fold_append(it, m, strip, &k) != 0) { k = saved; break; }
        end += mlen;
    }
    if (k > 1) {
        utf8proc_ssize_t r = utf8proc_normalize_utf32(it->pend, k, UTF8PROC_COMPOSE | UTF8PROC_STABLE);
        if (r >= 0) k = (int)r;
    }
    if (it->fold_t2s)
        for (int j = 0; j < k; j++) it->pend[j] = (int32_t)idx_t2s((uint32_t)it->pend[j]);
    it->npend = k;
    it->ipend = 0;
    it->pstart = i;
    it->pend_end = end;
    return end;
}

/* Is the character at s[i] certainly not a combining mark?  (Marks start at
 * U+0300, whose UTF-8 lead byte is 0xCC.) */
static int no_mark_at(const idx_norm *it, size_t i)
{
    return i >= it->n || (unsigned char)it->s[i] < 0xCC;
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
        if (c < 0x80 && no_mark_at(it, i + 1)) { /* ASCII fast path */
            it->i = i + 1;
            out->cp = (c >= 'A' && c <= 'Z') ? (uint32_t)(c + 32) : c;
            out->start = i;
            out->end = i + 1;
            return 1;
        }
        uint32_t cp;
        size_t len;
        if (idx_utf8_decode(it->s, it->n, i, &cp, &len) != 0) {
            idx_err_set(err, IDX_EUTF8, "normalize.next", "invalid UTF-8 at byte %zu (0x%02X)",
                        i, (unsigned)c);
            return -1;
        }
        if (cp >= 0x4E00 && cp <= 0x9FFF && no_mark_at(it, i + len)) {
            /* unified ideographs are fixed points of the folding */
            it->i = i + len;
            out->cp = it->fold_t2s ? idx_t2s(cp) : cp;
            out->start = i;
            out->end = i + len;
            return 1;
        }
        it->i = fold_cluster(it, i, cp, len);
    }
}

int idx_normalize(const char *s, size_t n, int fold_t2s, idx_buf *out, idx_err *err)
{
    idx_norm it;
    idx_nchar ch;
    int r;
    idx_norm_init(&it, s, n);
    it.fold_t2s = fold_t2s;
    while ((r = idx_norm_next(&it, &ch, err)) == 1) {
        char enc[4];
        idx_buf_append(out, enc, idx_utf8_encode(ch.cp, enc));
    }
    if (r < 0) return IDX_EUTF8;
    if (out->oom) return idx_err_set(err, IDX_ENOMEM, "normalize.string", "out of memory");
    return IDX_OK;
}
