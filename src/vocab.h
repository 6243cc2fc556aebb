/* vocab.h - vocabulary the archive teaches itself: abbreviations.
 *
 * News writes an organization's full name once with its abbreviation in
 * brackets, then the abbreviation alone: 亚洲基础设施投资银行（亚投行）,
 * 世界贸易组织（世贸组织）.  A reader types the abbreviation; many reports
 * use only the full name.  At index time idx_vocab_scan finds such pairs in
 * an article's text and the document gets one boolean term per pair,
 * IDX_PREFIX_ABBR + abbreviation + 0x1f + full name (normalized as the
 * database normalizes), so the archive's own count of a pair is that term's
 * document count: right after upserts, deletes, parallel builds, compaction
 * and across shards, with nothing kept beside the index.  At query time
 * idx_vocab_expand turns a part that is a known abbreviation into the OR of
 * it and its full names, which are then matched and highlighted like any
 * part (synonyms.h does the expansion).
 *
 * What counts as a pair: after "(" or "（", an optional 简称/以下简称/下称
 * and quotes, 2 to IDX_ABBR_MAX_CHARS CJK characters, then ")" or "）";
 * the full name is the shortest tail of the CJK run before the bracket
 * that starts with the abbreviation's first character, ends with its last,
 * holds its characters in order but not side by side, and is longer than
 * it, at most IDX_ABBR_MAX_FULL characters.  So 中国国际进口博览会（进博会）
 * pairs 进博会 with 进口博览会 (which every mention of the long name
 * contains), and （记者 张三）, （2014年）, （图）, 长三角协同共建（长三角）
 * pair nothing.  A full name is used when at least IDX_ABBR_MIN_DOCS
 * articles pair it and at least a fifth of the abbreviation's pairings do.
 * (Few news archives write many such pairs - the 75k 新闻联播 corpus 20 -
 * but each is the archive's own word, never a list typed in.)
 */
#ifndef IDX_VOCAB_H
#define IDX_VOCAB_H

#include <stddef.h>

#include "buf.h"
#include "db.h"
#include "err.h"
#include "qtree.h"

#define IDX_PREFIX_ABBR "XA"
#define IDX_ABBR_MAX_CHARS 6
#define IDX_ABBR_MAX_FULL 24
#define IDX_ABBR_MIN_DOCS 1
#define IDX_ABBR_MAX_EXPANSIONS 3
#define IDX_ABBR_MAX_PARTS 8 /* parts looked up per query (a term-list seek each) */

/* Called with each pair's term (prefix included); returning non-OK stops the
 * scan with that code. */
typedef int (*idx_vocab_fn)(void *ctx, const char *term, size_t n, idx_err *err);

/* Find the pairs in s[0..n) (valid UTF-8), normalized with tokflags'
 * folding (idx_schema_tokflags); a pair seen twice is given twice.
 * IDX_OK, IDX_EUTF8, IDX_ENOMEM, or fn's code. */
int idx_vocab_scan(const char *s, size_t n, int tokflags, idx_vocab_fn fn, void *ctx,
                   idx_err *err);

/* Expand every TEXT node of t (the first IDX_ABBR_MAX_PARTS that qualify)
 * that is one CJK run of 2 to
 * IDX_ABBR_MAX_CHARS characters and a known abbreviation in db into the OR
 * of it and its full names (the most used first, at most
 * IDX_ABBR_MAX_EXPANSIONS), and recompute t's parts.  IDX_OK (also when
 * nothing matched), IDX_ENOMEM or a database error. */
int idx_vocab_expand(idx_db *db, idx_qtree *t, idx_err *err);

/* The text of TEXT node nd of t when it is one CJK run of 2 to max_chars
 * characters (its bigrams at consecutive positions), normalized as t's
 * tokens are, into b (replacing its contents): 1; otherwise 0. */
int idx_vocab_run_text(const idx_qtree *t, const idx_qnode *nd, size_t max_chars, idx_buf *b);

#endif
