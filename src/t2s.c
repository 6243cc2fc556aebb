/* t2s.c - see t2s.h.  Lookups are a bitmap test for the BMP (most characters
 * have no traditional form to fold) and a binary search of the generated
 * pairs; the bitmap is built once, thread-safely. */
#include "t2s.h"

#include <pthread.h>

static unsigned char bmp_has[0x10000 / 8];
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void build(void)
{
    for (size_t i = 0; i < idx_t2s_count; i++)
        if (idx_t2s_pairs[i].from < 0x10000)
            bmp_has[idx_t2s_pairs[i].from >> 3] |= (unsigned char)(1u << (idx_t2s_pairs[i].from & 7));
}

uint32_t idx_t2s(uint32_t cp)
{
    if (cp < 0x3400) return cp;
    pthread_once(&once, build);
    if (cp < 0x10000 && !(bmp_has[cp >> 3] & (1u << (cp & 7)))) return cp;
    size_t lo = 0, hi = idx_t2s_count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (idx_t2s_pairs[mid].from < cp)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < idx_t2s_count && idx_t2s_pairs[lo].from == cp ? idx_t2s_pairs[lo].to : cp;
}
