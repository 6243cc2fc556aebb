/* fuzz_neardup.c - libFuzzer target: reprint similarity (neardup.h) on any
 * bytes.  Input: text a, a NUL byte, text b.  Invariants: the similarity is
 * in [0, 1], symmetric, and 1 for a text with itself whenever it has any
 * letter or digit shingle; "one story" (idx_text_same_story) is symmetric
 * and reports that same similarity. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "neardup.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *s = (const char *)data;
    const char *nul = memchr(s, '\0', size);
    size_t an = nul ? (size_t)(nul - s) : size;
    const char *b = nul ? nul + 1 : "";
    size_t bn = nul ? size - an - 1 : 0;
    double ab = idx_text_similarity(s, an, b, bn), ba = idx_text_similarity(b, bn, s, an);
    if (ab < 0 || ab > 1 || ab != ba) abort();
    double aa = idx_text_similarity(s, an, s, an);
    if (aa != 0 && aa != 1) abort();
    /* one story or not: symmetric, and its similarity is the one above */
    double sab, sba;
    int x = idx_text_same_story(s, an, b, bn, &sab), y = idx_text_same_story(b, bn, s, an, &sba);
    if (x < 0 || y < 0) return 0; /* out of memory */
    if (x != y || sab != ab || sba != ab || x > 1) abort();
    return 0;
}
