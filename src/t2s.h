/* t2s.h - traditional -> simplified Chinese, one character at a time.
 *
 * The table (t2s_table.c) is generated from OpenCC's t2s conversion by
 * src/gen/gen_t2s.c (`make regen-t2s`) and committed, so an indexer and a
 * server built on different machines always agree; only
 * one-character-to-one-character conversions are
 * kept, so the normalizer (normalize.c) can fold 開發區 -> 开发区 in place and
 * every token still names the exact bytes of the original text.
 */
#ifndef IDX_T2S_H
#define IDX_T2S_H

#include <stddef.h>
#include <stdint.h>

typedef struct idx_t2s_pair {
    uint32_t from, to;
} idx_t2s_pair;

extern const idx_t2s_pair idx_t2s_pairs[]; /* sorted by from */
extern const size_t idx_t2s_count;

/* The simplified form of cp, or cp itself. */
uint32_t idx_t2s(uint32_t cp);

#endif
