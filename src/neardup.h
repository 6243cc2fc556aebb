/* neardup.h - how much two texts are the same text: the Jaccard similarity of
 * their sets of 4-character shingles, over letters and digits only, as the
 * one normalizer folds them (spaces, punctuation, case and width ignored), so a reprint with another layout, a few
 * edits or a different headline still scores high, while two stories on one
 * topic share only some phrases and score low.
 *
 * Used to keep near-duplicates of an article out of its related articles
 * (discover.c), and as the exact check behind near-duplicate clusters
 * (cluster.c, whose signatures are built from the same shingles).  Exact over the first IDX_NEARDUP_MAX_CHARS letters/digits of
 * each text; a few microseconds per kilobyte.
 */
#ifndef IDX_NEARDUP_H
#define IDX_NEARDUP_H
#include <stddef.h>
#include <stdint.h>

#define IDX_NEARDUP_MAX_CHARS 8000
#define IDX_NEARDUP_SHINGLE 4
/* At or above this similarity two bodies are treated as one story; so is a
 * body cut short (at least IDX_NEARDUP_MIN_SHARE of the other's shingles,
 * and at least IDX_NEARDUP_CONTAINED of its own in the other). */
#define IDX_NEARDUP_THRESHOLD 0.5
#define IDX_NEARDUP_MIN_SHARE 0.4
#define IDX_NEARDUP_CONTAINED 0.8
/* ... unless they state other figures: of the numbers of the one with fewer
 * (2 or more), under IDX_NEARDUP_NUMBERS are in the other - a daily report
 * in a fixed template ("新增确诊病例45例") is another story every day - or
 * that each name works in 《》 but none in common (the same announcement
 * about another book).  Texts at least IDX_NEARDUP_SAME_FIGURES_NOT_NEEDED
 * alike are one story whatever their figures (a corrected figure in a
 * reprint). */
#define IDX_NEARDUP_NUMBERS 0.8
#define IDX_NEARDUP_SAME_FIGURES_NOT_NEEDED 0.9
#define IDX_NEARDUP_MAX_NUMBERS 512

/* Similarity in [0, 1] of a[0..an) and b[0..bn) (UTF-8; invalid bytes are
 * skipped).  Texts with fewer than IDX_NEARDUP_SHINGLE letters/digits are
 * compared as exact strings of their letters/digits (1 or 0).  Returns -1
 * when out of memory. */
double idx_text_similarity(const char *a, size_t an, const char *b, size_t bn);

/* Are a and b one story (see IDX_NEARDUP_THRESHOLD and IDX_NEARDUP_NUMBERS)?  1 or 0, and their
 * similarity in *sim; -1 when out of memory. */
int idx_text_same_story(const char *a, size_t an, const char *b, size_t bn, double *sim);

/* The sorted, distinct 64-bit hashes of the shingles of s[0..n) that the
 * similarity above compares: *out malloc'd (free; room for
 * IDX_NEARDUP_MAX_CHARS), *count of them (0 under IDX_NEARDUP_SHINGLE
 * letters/digits).  Returns 0, or -1 when out of memory. */
int idx_text_shingles(const char *s, size_t n, uint64_t **out, size_t *count);

#endif
