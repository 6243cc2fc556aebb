/* lines.h - read JSON Lines input: plain, gzip or zstd, file or stdin.
 *
 * The format is detected from the first bytes (gzip 1f 8b, zstd 28 b5 2f fd),
 * not from the name, so `zcat`-able data works from stdin too; concatenated
 * gzip members are read as one stream.  Lines are returned without their
 * '\n' (and without a '\r' before it); a UTF-8 byte-order mark at the start
 * of the (decoded) input is skipped.  A line longer than IDX_LINES_MAX is
 * skipped whole and reported as such, so one monster line cannot exhaust
 * memory or stop an ingest.
 */
#ifndef IDX_LINES_H
#define IDX_LINES_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

#define IDX_LINES_MAX (64u << 20)

typedef struct idx_lines idx_lines;

enum { IDX_LINES_EOF = 0, IDX_LINES_OK = 1, IDX_LINES_TOOLONG = 2, IDX_LINES_ERROR = -1 };

/* Open path ("-" = standard input).  *out is owned by the caller. */
int idx_lines_open(const char *path, idx_lines **out, idx_err *err);

/* Next line: IDX_LINES_OK with line and len valid until the next call;
 * IDX_LINES_TOOLONG (line skipped); IDX_LINES_EOF; IDX_LINES_ERROR with err
 * (I/O error, corrupt or truncated compressed data). */
int idx_lines_next(idx_lines *r, const char **line, size_t *len, idx_err *err);

/* 1-based number of the line last returned. */
uint64_t idx_lines_lineno(const idx_lines *r);

/* Raw (compressed) bytes consumed and the input size (0 if not a regular
 * file), for progress bars. */
void idx_lines_progress(const idx_lines *r, uint64_t *done, uint64_t *total);

void idx_lines_close(idx_lines *r); /* NULL ok */

/* Decode gzip data in[0..n) held in memory (idxd's POST /docs with
 * Content-Encoding: gzip; concatenated members too) into *out, NUL-
 * terminated, owned by the caller (free).  IDX_ETOOBIG when it decodes to
 * more than max bytes, IDX_EINVAL when it is not whole gzip data. */
int idx_gunzip(const void *in, size_t n, size_t max, char **out, size_t *outlen, idx_err *err);

#endif
