/* tokenize.h - the one tokenizer: CJK bigrams plus whole words.
 *
 * The indexer, the query compiler and the snippet highlighter all call this,
 * so an index term, a query term and a highlighted span can never disagree.
 * Input is original UTF-8; it is normalized on the fly (normalize.h) and every
 * token carries [start,end) byte offsets into the ORIGINAL text.
 *
 * Rules (after normalization):
 *   - A run of CJK characters (Han incl. Ext B+, Kana, Hangul, Bopomofo, 々)
 *     gives overlapping bigrams; each character takes one position and a
 *     bigram sits at the position of its first character.
 *   - A lone CJK character (run of one) is a unigram.
 *   - Letters, digits and combining marks form words, kept whole: "5G" -> 5g,
 *     "iPhone14" -> iphone14 (split at letter/digit changes with
 *     IDX_TOKENIZE_SPLIT_ALNUM: 5 g, iphone 14); a '.' or ',' between two digits stays inside the
 *     word ("2.14", "1,000"; not a full-width "，").  A word takes one position.  Words longer than
 *     IDX_TOKEN_MAX_WORD bytes are not emitted but still take their position.
 *   - Anything else (spaces, punctuation, symbols) and any script change
 *     breaks a run; it takes no position.
 *
 * DOCUMENT mode also emits a unigram for every CJK character of a longer run
 * (so a one-character query finds the character inside words).  The unigrams
 * of a run's first and last character are positional (so "3月" matches
 * "3月份" and "本月3日" as a phrase); inner ones are flagged non-positional
 * and are indexed without position data.  QUERY mode emits only bigrams and
 * lone unigrams, with the same positions as DOCUMENT mode, so a query run is
 * a phrase over its bigrams.
 *
 * Example (DOCUMENT): "3月15日" -> 3@0[0,1) 月@1[1,4) 15@2[4,6) 日@3[6,9)
 *          (DOCUMENT): "南通区"  -> 南通@0[0,6) 南@0[0,3) 通区@1[3,9)
 *                                   通@1[3,6)(non-positional) 区@2[6,9)
 *          (QUERY):    "南通区"  -> 南通@0[0,6) 通区@1[3,9)
 */
#ifndef IDX_TOKENIZE_H
#define IDX_TOKENIZE_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

#define IDX_TOKEN_MAX_WORD 64

enum { IDX_TOKENIZE_DOCUMENT = 0, IDX_TOKENIZE_QUERY = 1 };
/* OR'd into the mode: fold traditional Chinese characters to simplified
 * (normalize.h), as databases created with folding on (document.h) need on
 * both the index and the query side. */
#define IDX_TOKENIZE_FOLD_T2S 0x100
/* OR'd into the mode: a CJK run that follows another CJK run across a
 * separator starts one position later, so the empty position keeps a phrase
 * of characters from spanning the break ("南通 开发区": 南@0 通@1 开@3 发@4
 * 区@5).  Index format 2 (document.h) matches runs as phrases of characters
 * and needs it on both sides; format 1's bigrams never span a break. */
#define IDX_TOKENIZE_RUN_GAP 0x200
/* OR'd into the mode: letters and digits glued together are separate words,
 * one position each, so "2014APEC" is 2014@0 apec@1 and "iPhone4S" is
 * iphone@0 4@1 s@2: a query for APEC, iPhone or "iPhone 4S" finds them, and
 * the query "iPhone4S" (a phrase of its words) finds "iPhone 4S" too.  A
 * '.' or ',' inside a number keeps it one word ("PM2.5": pm@0 2.5@1).
 * Databases made since (IDX_META_WORDS "split", document.h) use it on both
 * sides; older ones keep such words whole. */
#define IDX_TOKENIZE_SPLIT_ALNUM 0x400
#define IDX_TOKENIZE_MODE_MASK 0xFF
enum { IDX_TOK_WORD = 1, IDX_TOK_BIGRAM = 2, IDX_TOK_UNIGRAM = 3 };

typedef struct idx_token {
    const char *term;  /* normalized UTF-8; valid only during the callback */
    size_t len;
    uint32_t pos;      /* token position (relative to pos0) */
    size_t start, end; /* byte span in the original text */
    int kind;          /* IDX_TOK_* */
    int positional;    /* 0 for inner unigrams: index without position */
} idx_token;

/* Called once per token, in text order.  Return IDX_OK to go on; any other
 * value stops tokenizing and is returned by idx_tokenize. */
typedef int (*idx_token_cb)(void *ctx, const idx_token *tok);

/* Tokenize s[0..n) in the given mode, numbering positions from pos0.
 * If next_pos is not NULL it receives the first position after the text.
 * Returns IDX_OK, IDX_EUTF8 (err names the byte offset), or the callback's
 * non-OK code. */
int idx_tokenize(const char *s, size_t n, int mode, uint32_t pos0, idx_token_cb cb, void *ctx,
                 uint32_t *next_pos, idx_err *err);

#endif
