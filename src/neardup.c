/* neardup.c - see neardup.h. */
#include "neardup.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hash.h"
#include "normalize.h"

/* Punctuation, symbols and spaces outside ASCII (Latin-1 symbols, general
 * punctuation to misc. symbols, CJK punctuation; full-width forms are folded
 * to ASCII before this). */
static int is_punct(uint32_t cp)
{
    return (cp >= 0x80 && cp <= 0xBF) || cp == 0xD7 || cp == 0xF7 || (cp >= 0x2000 && cp <= 0x2BFF) ||
           (cp >= 0x3000 && cp <= 0x303F) || (cp >= 0xFE10 && cp <= 0xFE6F) ||
           (cp >= 0xFF00 && cp <= 0xFF0F) || (cp >= 0xFF1A && cp <= 0xFF20) ||
           (cp >= 0xFF3B && cp <= 0xFF40) || (cp >= 0xFF5B && cp <= 0xFF65);
}

/* Letters and digits of s as the one normalizer folds them (normalize.h:
 * width, case, compatibility forms), as code points (at most max).  Invalid
 * UTF-8 bytes are skipped. */
static size_t letters(const char *s, size_t n, uint32_t *out, size_t max)
{
    size_t k = 0, base = 0;
    idx_norm it;
    idx_norm_init(&it, s, n);
    while (k < max) {
        idx_nchar c;
        idx_err err;
        idx_err_clear(&err);
        int r = idx_norm_next(&it, &c, &err);
        if (r == 0) break;
        if (r < 0) { /* past the bad byte, go on */
            base += it.i + 1;
            if (base >= n) break;
            idx_norm_init(&it, s + base, n - base);
            continue;
        }
        uint32_t cp = c.cp;
        if (cp < 0x80 ? !((cp >= 'a' && cp <= 'z') || (cp >= '0' && cp <= '9')) : is_punct(cp))
            continue;
        out[k++] = cp;
    }
    return k;
}

static int cmp_u64(const void *x, const void *y)
{
    uint64_t a = *(const uint64_t *)x, b = *(const uint64_t *)y;
    return (a > b) - (a < b);
}

/* Sort h[0..m) and drop repeats; returns how many are left. */
static size_t sort_distinct(uint64_t *h, size_t m)
{
    qsort(h, m, sizeof *h, cmp_u64);
    size_t u = 0;
    for (size_t i = 0; i < m; i++)
        if (u == 0 || h[i] != h[u - 1]) h[u++] = h[i];
    return u;
}

/* How many values two sorted, distinct arrays share. */
static size_t common(const uint64_t *a, size_t na, const uint64_t *b, size_t nb)
{
    size_t i = 0, j = 0, both = 0;
    while (i < na && j < nb) {
        if (a[i] == b[j]) {
            both++;
            i++;
            j++;
        } else if (a[i] < b[j]) {
            i++;
        } else {
            j++;
        }
    }
    return both;
}

/* Sorted, distinct hashes of the k-shingles of cp[0..n); returns the count. */
static size_t shingles(const uint32_t *cp, size_t n, uint64_t *h)
{
    size_t m = 0;
    for (size_t i = 0; i + IDX_NEARDUP_SHINGLE <= n; i++) {
        uint64_t x = IDX_HASH_SEED; /* FNV-1a over the code points */
        for (size_t j = 0; j < IDX_NEARDUP_SHINGLE; j++) x = idx_hash_unit(x, cp[i + j]);
        h[m++] = x;
    }
    return sort_distinct(h, m);
}

int idx_text_shingles(const char *s, size_t n, uint64_t **out, size_t *count)
{
    const size_t max = IDX_NEARDUP_MAX_CHARS;
    *out = NULL;
    *count = 0;
    uint32_t *cp = malloc(max * sizeof *cp);
    uint64_t *h = malloc(max * sizeof *h);
    if (!cp || !h) {
        free(cp);
        free(h);
        return -1;
    }
    size_t k = letters(s, n, cp, max);
    *count = k >= IDX_NEARDUP_SHINGLE ? shingles(cp, k, h) : 0;
    free(cp);
    *out = h;
    return 0;
}

/* Distinct shingles of a and b and how many they share; texts too short
 * for shingles are compared as exact strings of their letters/digits
 * (*ua = *ub = 1 and *both 1 or 0, or all 0 when empty).  -1 when out of
 * memory. */
static int overlap(const char *a, size_t an, const char *b, size_t bn, size_t *ua, size_t *ub,
                   size_t *both)
{
    const size_t max = IDX_NEARDUP_MAX_CHARS;
    uint32_t *ca = malloc(max * sizeof *ca), *cb = malloc(max * sizeof *cb);
    uint64_t *ha = malloc(max * sizeof *ha), *hb = malloc(max * sizeof *hb);
    int rc = -1;
    *ua = *ub = *both = 0;
    if (!ca || !cb || !ha || !hb) goto done;
    rc = 0;
    size_t na = letters(a, an, ca, max), nb = letters(b, bn, cb, max);
    if (na < IDX_NEARDUP_SHINGLE || nb < IDX_NEARDUP_SHINGLE) {
        if (na == 0 && nb == 0) goto done;
        *ua = *ub = 1;
        *both = na == nb && memcmp(ca, cb, na * sizeof *ca) == 0;
        goto done;
    }
    *ua = shingles(ca, na, ha);
    *ub = shingles(cb, nb, hb);
    *both = common(ha, *ua, hb, *ub);
done:
    free(ca);
    free(cb);
    free(ha);
    free(hb);
    return rc;
}

double idx_text_similarity(const char *a, size_t an, const char *b, size_t bn)
{
    size_t ua, ub, both;
    if (overlap(a, an, b, bn, &ua, &ub, &both) != 0) return -1;
    return ua + ub - both ? (double)both / (double)(ua + ub - both) : 0;
}

/* The distinct numbers (runs of digits among the letters/digits) of s,
 * hashed and sorted into h (room for IDX_NEARDUP_MAX_NUMBERS); returns how
 * many, or -1 when out of memory. */
static long numbers(const char *s, size_t n, uint64_t *h)
{
    const size_t max = IDX_NEARDUP_MAX_CHARS;
    uint32_t *cp = malloc(max * sizeof *cp);
    if (!cp) return -1;
    size_t k = letters(s, n, cp, max), m = 0;
    for (size_t i = 0; i < k && m < IDX_NEARDUP_MAX_NUMBERS;) {
        if (cp[i] < '0' || cp[i] > '9') {
            i++;
            continue;
        }
        uint64_t x = IDX_HASH_SEED;
        for (; i < k && cp[i] >= '0' && cp[i] <= '9'; i++) x = idx_hash_unit(x, cp[i]);
        h[m++] = x;
    }
    free(cp);
    return (long)sort_distinct(h, m);
}

/* Do a and b state different figures: of the numbers of the one with fewer
 * (at least 2 of them), under IDX_NEARDUP_NUMBERS are in the other?  (A
 * reprint keeps the figures; a daily report in a fixed template changes
 * them.)  -1 when out of memory. */
static int other_figures(const char *a, size_t an, const char *b, size_t bn)
{
    uint64_t *ha = malloc(2 * IDX_NEARDUP_MAX_NUMBERS * sizeof *ha);
    if (!ha) return -1;
    uint64_t *hb = ha + IDX_NEARDUP_MAX_NUMBERS;
    long na = numbers(a, an, ha), nb = numbers(b, bn, hb);
    int rc = -1;
    if (na >= 0 && nb >= 0) {
        long lo = na < nb ? na : nb;
        size_t both = common(ha, (size_t)na, hb, (size_t)nb);
        rc = lo >= 2 && (double)both < IDX_NEARDUP_NUMBERS * (double)lo;
    }
    free(ha);
    return rc;
}

/* Does the title of a work (in 《》) in b appear in a?  -1 when b names
 * none. */
static int shares_a_work(const char *a, size_t an, const char *b, size_t bn)
{
    static const char open[] = "《", close[] = "》";
    int named = -1;
    for (size_t i = 0; i + 3 <= bn; i++) {
        if (memcmp(b + i, open, 3) != 0) continue;
        size_t e = i + 3;
        while (e + 3 <= bn && memcmp(b + e, close, 3) != 0) e++;
        if (e + 3 > bn) break;
        if (e > i + 3) {
            named = 0;
            for (size_t k = 0; k + (e + 3 - i) <= an; k++)
                if (memcmp(a + k, b + i, e + 3 - i) == 0) return 1;
        }
        i = e;
    }
    return named;
}

int idx_text_same_story(const char *a, size_t an, const char *b, size_t bn, double *sim)
{
    size_t ua, ub, both;
    *sim = 0;
    if (overlap(a, an, b, bn, &ua, &ub, &both) != 0) return -1;
    if (ua + ub - both == 0) return 0;
    *sim = (double)both / (double)(ua + ub - both);
    size_t lo = ua < ub ? ua : ub, hi = ua < ub ? ub : ua;
    int same = *sim >= IDX_NEARDUP_THRESHOLD ||
               (lo >= IDX_NEARDUP_SHINGLE && (double)lo >= IDX_NEARDUP_MIN_SHARE * (double)hi &&
                (double)both >= IDX_NEARDUP_CONTAINED * (double)lo);
    if (!same || *sim >= IDX_NEARDUP_SAME_FIGURES_NOT_NEEDED) return same;
    /* the same template about other works: "习近平《在…的讲话》单行本出版" */
    if (shares_a_work(a, an, b, bn) == 0 && shares_a_work(b, bn, a, an) == 0) return 0;
    int other = other_figures(a, an, b, bn);
    return other < 0 ? -1 : !other;
}
