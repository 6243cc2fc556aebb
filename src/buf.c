/* buf.c - see buf.h. */
#include "buf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void idx_buf_init(idx_buf *b) { memset(b, 0, sizeof *b); }

void idx_buf_fini(idx_buf *b)
{
    free(b->data);
    idx_buf_init(b);
}

void idx_buf_reset(idx_buf *b)
{
    b->len = 0;
    if (b->data) b->data[0] = '\0';
}

int idx_buf_reserve(idx_buf *b, size_t extra)
{
    if (b->oom) return -1;
    if (extra > (size_t)-1 / 2 - b->len) { b->oom = 1; return -1; }
    size_t need = b->len + extra + 1;
    if (need <= b->cap) return 0;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < need) cap *= 2;
    char *p = realloc(b->data, cap);
    if (!p) { b->oom = 1; return -1; }
    b->data = p;
    b->cap = cap;
    return 0;
}

void idx_buf_append(idx_buf *b, const void *p, size_t n)
{
    if (idx_buf_reserve(b, n) != 0) return;
    if (n) memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = '\0';
}

void idx_buf_putc(idx_buf *b, char c) { idx_buf_append(b, &c, 1); }

void idx_buf_printf(idx_buf *b, const char *fmt, ...)
{
    char small[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0) { b->oom = 1; return; }
    if ((size_t)n < sizeof small) { idx_buf_append(b, small, (size_t)n); return; }
    if (idx_buf_reserve(b, (size_t)n) != 0) return;
    va_start(ap, fmt);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

const char *idx_buf_cstr(idx_buf *b)
{
    if (b->oom || !b->data) return "";
    return b->data;
}

char *idx_buf_detach(idx_buf *b, size_t *len)
{
    char *p = b->oom ? NULL : b->data;
    if (b->oom) free(b->data);
    else if (!p) p = calloc(1, 1);
    if (len) *len = p ? b->len : 0;
    idx_buf_init(b);
    return p;
}

char *idx_memdup(const char *s, size_t n)
{
    char *p = malloc(n + 1);
    if (!p) return NULL;
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}
