/* regional.h - a reader's regional wording matched to the archive's.
 *
 * Traditional-character input folds to simplified characters (normalize.h),
 * but a reader from Taiwan also uses other words: 晶片 for 芯片, 人工智慧 for
 * 人工智能, 網路 for 網絡, 紐西蘭 for 新西蘭.  Folded, those are still other
 * words, rare in a mainland archive.  The table (regional_table.c,
 * generated from OpenCC's TWPhrasesRev dictionary by src/gen/gen_regional.sh,
 * never written by hand) pairs each Taiwan wording with the mainland one(s);
 * idx_regional_expand turns a query part (a CJK run) holding a Taiwan
 * wording into the OR of it and its variants with the mainland wording(s)
 * in its place (網路安全 -> 網路安全 OR 網絡安全), expanded and highlighted
 * like any synonym (synonyms.h), but only where the archive itself says so:
 * the part matches fewer than IDX_REGIONAL_RARE articles and a variant at
 * least five times as many.  So 檢視 (检视, common in mainland reports too)
 * stays as typed, and 晶片 finds the reports on 芯片.
 */
#ifndef IDX_REGIONAL_H
#define IDX_REGIONAL_H

#include <stddef.h>

#include "db.h"
#include "err.h"
#include "qtree.h"
#include "query.h"

typedef struct idx_regional_pair {
    const char *tw;       /* the Taiwan wording (traditional characters) */
    const char *mainland; /* the mainland wording(s), space-separated */
} idx_regional_pair;

extern const idx_regional_pair idx_regional_pairs[]; /* sorted by tw's bytes */
extern const size_t idx_regional_count;

#define IDX_REGIONAL_RARE 20
#define IDX_REGIONAL_MAX_PARTS 4 /* parts holding a Taiwan wording looked at per query:
                                    each costs 1 + up to 4 counts (its variants) */

/* Expand t's TEXT nodes that are a rare Taiwan wording in db (queries
 * built with qo's text options to count them; the first
 * IDX_REGIONAL_MAX_PARTS parts holding one, so a hostile query of many
 * cannot make a search count hundreds of times), and recompute t's parts.
 * IDX_OK (also when nothing matched), IDX_ENOMEM or a database error. */
int idx_regional_expand(idx_db *db, const idx_query_opts *qo, idx_qtree *t, idx_err *err);

#endif
