/* normalize.h - character-level normalization that keeps original offsets.
 *
 * The tokenizer never sees raw text: it pulls normalized code points from this
 * iterator.  Each original character is folded on its own (so every output
 * code point can name the ORIGINAL bytes it came from):
 *   - NFKC compatibility folding: full-width ＡＰＥＣ１２３ -> APEC123,
 *     ideographic space -> space, compatibility ideographs -> unified, ① -> 1;
 *   - Unicode case folding (iPhone -> iphone, ß -> ss);
 *   - default-ignorable characters (soft hyphen, ZWJ, ...) vanish;
 *   - for Latin/Greek/Cyrillic only, diacritics are stripped (café -> cafe);
 *     Kana keep their voicing marks (が stays が).
 *   - with fold_t2s set, traditional Chinese characters fold to simplified
 *     ones (開發區 -> 开发区; one character to one, table from OpenCC: t2s.h).
 * One cluster may yield several code points (㈱ -> (株)); they all carry the
 * cluster's [start,end) span, marks included (so "cafe\u0301" is one word
 * whose span covers the accent, and か + U+3099 is が).  A character that folds to nothing yields
 * no output at all.  Folding uses utf8proc's tables (a maintained library),
 * with fast paths for ASCII and the common CJK block.
 *
 * Example: "Ａb" -> {'a',[0,3)} {'b',[3,4)}.
 */
#ifndef IDX_NORMALIZE_H
#define IDX_NORMALIZE_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "err.h"

typedef struct idx_nchar {
    uint32_t cp;   /* normalized code point */
    size_t start;  /* original byte span of the character it came from */
    size_t end;
} idx_nchar;

#define IDX_NORM_PENDING 32

typedef struct idx_norm {
    const char *s;
    size_t n;
    size_t i;                 /* next original byte to read */
    int32_t pend[IDX_NORM_PENDING];
    int npend, ipend;         /* buffered output of the current character */
    size_t pstart, pend_end;  /* its original span */
    int fold_t2s;             /* set after init: traditional -> simplified */
} idx_norm;

/* Start iterating over s[0..n).  s is borrowed for the iterator's life. */
void idx_norm_init(idx_norm *it, const char *s, size_t n);

/* Produce the next normalized code point.  Returns 1 and fills *out, 0 at the
 * end of the text, or -1 with IDX_EUTF8 in err (message names the byte
 * offset) when the text is not valid UTF-8. */
int idx_norm_next(idx_norm *it, idx_nchar *out, idx_err *err);

/* Normalize a whole string into out (appended, UTF-8), folding traditional
 * characters to simplified when fold_t2s is set.  Returns IDX_OK, IDX_EUTF8
 * or IDX_ENOMEM. */
int idx_normalize(const char *s, size_t n, int fold_t2s, idx_buf *out, idx_err *err);

#endif
