/* buf.h - growable byte buffer with a sticky out-of-memory flag.
 *
 * Appends never fail loudly: once an allocation fails the buffer sets `oom`
 * and ignores further appends, so a long builder can check once at the end
 * (FTS5's sticky p->rc).  The buffer is always NUL-terminated when len > 0
 * or after idx_buf_cstr(), but the length is authoritative.
 */
#ifndef IDX_BUF_H
#define IDX_BUF_H

#include <stddef.h>
#include <stdint.h>

typedef struct idx_buf {
    char *data; /* owned; NULL until the first append */
    size_t len;
    size_t cap;
    int oom;
} idx_buf;

void idx_buf_init(idx_buf *b);
void idx_buf_fini(idx_buf *b);               /* frees data, resets */
void idx_buf_reset(idx_buf *b);              /* len = 0, keeps memory */
int idx_buf_reserve(idx_buf *b, size_t extra); /* 0 ok, -1 oom */
void idx_buf_append(idx_buf *b, const void *p, size_t n);
void idx_buf_putc(idx_buf *b, char c);
void idx_buf_printf(idx_buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* NUL-terminated view of the contents ("" when empty or after oom). */
const char *idx_buf_cstr(idx_buf *b);
/* Hand the malloc'd contents to the caller (NUL-terminated, may be NULL on
 * oom); the buffer is left empty. */
char *idx_buf_detach(idx_buf *b, size_t *len);

/* A malloc'd, NUL-terminated copy of s[0..n); NULL when out of memory. */
char *idx_memdup(const char *s, size_t n);

#endif
