/* lines.c - see lines.h.
 *
 * Two buffers: `in` holds raw bytes from the file descriptor, `out` holds
 * decoded text.  fill() decodes more of `in` into `out` (plain: copy; gzip:
 * zlib inflate; zstd: ZSTD_decompressStream); next() looks for '\n' in the
 * unread part of `out` and compacts/grows it when a line is incomplete.
 * A UTF-8 byte-order mark (EF BB BF) at the start of the decoded text (of a
 * plain file, of stdin, inside the gzip or zstd data) is dropped before the
 * first line, so an editor's BOM does not make line 1 invalid JSON.
 */
#include "lines.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

enum { F_PLAIN, F_GZIP, F_ZSTD };

#define IN_CAP (256u << 10)

struct idx_lines {
    int fd, own_fd, fmt, in_eof, out_eof, skipping;
    int bom_done;       /* the start of the text was checked for a byte-order mark */
    char *path;
    unsigned char *in;
    size_t in_pos, in_len;
    char *out;
    size_t out_pos, out_len, out_cap;
    uint64_t lineno, raw_done, raw_total;
    z_stream z;
    int z_init, z_end;  /* z_end: the current gzip member ended */
    ZSTD_DCtx *zs;
    size_t zs_last;     /* last ZSTD_decompressStream hint: 0 = frame complete */
};

static int io_err(idx_lines *r, idx_err *err, const char *what)
{
    return idx_err_set(err, IDX_EIO, "lines.read", "%s: %s: %s", r->path, what, strerror(errno));
}

static int read_raw(idx_lines *r, idx_err *err)
{
    if (r->in_pos < r->in_len || r->in_eof) return IDX_OK;
    for (;;) {
        ssize_t k = read(r->fd, r->in, IN_CAP);
        if (k < 0 && errno == EINTR) continue;
        if (k < 0) return io_err(r, err, "read failed");
        r->in_pos = 0;
        r->in_len = (size_t)k;
        r->raw_done += (uint64_t)k;
        if (k == 0) r->in_eof = 1;
        return IDX_OK;
    }
}

static int grow_out(idx_lines *r, size_t want, idx_err *err)
{
    /* compact first */
    if (r->out_pos > 0) {
        memmove(r->out, r->out + r->out_pos, r->out_len - r->out_pos);
        r->out_len -= r->out_pos;
        r->out_pos = 0;
    }
    if (r->out_cap - r->out_len >= want) return IDX_OK;
    size_t cap = r->out_cap ? r->out_cap : (1u << 20);
    while (cap - r->out_len < want) cap *= 2;
    char *p = realloc(r->out, cap);
    if (!p) return idx_err_set(err, IDX_ENOMEM, "lines.read", "out of memory");
    r->out = p;
    r->out_cap = cap;
    return IDX_OK;
}

/* Decode at least one more byte into out, or set out_eof. */
static int fill(idx_lines *r, idx_err *err)
{
    int rc;
    if ((rc = grow_out(r, 64u << 10, err))) return rc;
    for (;;) {
        if ((rc = read_raw(r, err))) return rc;
        size_t avail_in = r->in_len - r->in_pos;
        char *dst = r->out + r->out_len;
        size_t room = r->out_cap - r->out_len;
        if (r->in_eof && avail_in == 0) {
            if (r->fmt == F_GZIP && r->z_init && !r->z_end)
                return idx_err_set(err, IDX_EIO, "lines.read", "%s: gzip data is truncated",
                                   r->path);
            if (r->fmt == F_ZSTD && r->zs_last != 0)
                return idx_err_set(err, IDX_EIO, "lines.read", "%s: zstd data is truncated",
                                   r->path);
            r->out_eof = 1;
            return IDX_OK;
        }
        size_t produced = 0;
        if (r->fmt == F_PLAIN) {
            produced = avail_in < room ? avail_in : room;
            memcpy(dst, r->in + r->in_pos, produced);
            r->in_pos += produced;
        } else if (r->fmt == F_GZIP) {
            if (r->z_end) { /* another member follows */
                if (inflateReset(&r->z) != Z_OK)
                    return idx_err_set(err, IDX_EIO, "lines.read", "%s: zlib reset failed",
                                       r->path);
                r->z_end = 0;
            }
            r->z.next_in = r->in + r->in_pos;
            r->z.avail_in = (uInt)avail_in;
            r->z.next_out = (Bytef *)dst;
            r->z.avail_out = (uInt)room;
            int zr = inflate(&r->z, Z_NO_FLUSH);
            if (zr != Z_OK && zr != Z_STREAM_END && zr != Z_BUF_ERROR)
                return idx_err_set(err, IDX_EIO, "lines.read", "%s: corrupt gzip data (%s)",
                                   r->path, r->z.msg ? r->z.msg : "inflate failed");
            r->in_pos += avail_in - r->z.avail_in;
            produced = room - r->z.avail_out;
            if (zr == Z_STREAM_END) r->z_end = 1;
        } else {
            ZSTD_inBuffer ib = {r->in + r->in_pos, avail_in, 0};
            ZSTD_outBuffer ob = {dst, room, 0};
            size_t zr = ZSTD_decompressStream(r->zs, &ob, &ib);
            if (ZSTD_isError(zr))
                return idx_err_set(err, IDX_EIO, "lines.read", "%s: corrupt zstd data (%s)",
                                   r->path, ZSTD_getErrorName(zr));
            r->zs_last = zr;
            r->in_pos += ib.pos;
            produced = ob.pos;
        }
        r->out_len += produced;
        if (produced) return IDX_OK;
    }
}

int idx_lines_open(const char *path, idx_lines **out, idx_err *err)
{
    *out = NULL;
    idx_lines *r = calloc(1, sizeof *r);
    if (!r) return idx_err_set(err, IDX_ENOMEM, "lines.open", "out of memory");
    r->path = strdup(strcmp(path, "-") == 0 ? "<stdin>" : path);
    r->in = malloc(IN_CAP);
    if (!r->path || !r->in) {
        idx_lines_close(r);
        return idx_err_set(err, IDX_ENOMEM, "lines.open", "out of memory");
    }
    if (strcmp(path, "-") == 0) {
        r->fd = 0;
    } else {
        r->fd = open(path, O_RDONLY | O_CLOEXEC);
        if (r->fd < 0) {
            int rc = idx_err_set(err, IDX_EIO, "lines.open", "%s: %s", path, strerror(errno));
            idx_lines_close(r);
            return rc;
        }
        r->own_fd = 1;
        struct stat st;
        if (fstat(r->fd, &st) == 0 && S_ISREG(st.st_mode)) r->raw_total = (uint64_t)st.st_size;
        if (fstat(r->fd, &st) == 0 && S_ISDIR(st.st_mode)) {
            int rc = idx_err_set(err, IDX_EIO, "lines.open", "%s: is a directory", path);
            idx_lines_close(r);
            return rc;
        }
    }
    /* sniff the format from the first bytes */
    while (r->in_len < 4 && !r->in_eof) {
        ssize_t k = read(r->fd, r->in + r->in_len, IN_CAP - r->in_len);
        if (k < 0 && errno == EINTR) continue;
        if (k < 0) {
            int rc = io_err(r, err, "read failed");
            idx_lines_close(r);
            return rc;
        }
        if (k == 0) r->in_eof = 1;
        r->in_len += (size_t)k;
        r->raw_done += (uint64_t)k;
    }
    const unsigned char *m = r->in;
    if (r->in_len >= 2 && m[0] == 0x1f && m[1] == 0x8b) {
        r->fmt = F_GZIP;
        if (inflateInit2(&r->z, 15 + 16) != Z_OK) {
            idx_lines_close(r);
            return idx_err_set(err, IDX_ENOMEM, "lines.open", "zlib init failed");
        }
        r->z_init = 1;
    } else if (r->in_len >= 4 && m[0] == 0x28 && m[1] == 0xb5 && m[2] == 0x2f && m[3] == 0xfd) {
        r->fmt = F_ZSTD;
        r->zs = ZSTD_createDCtx();
        if (!r->zs) {
            idx_lines_close(r);
            return idx_err_set(err, IDX_ENOMEM, "lines.open", "zstd init failed");
        }
        /* the shared corpus is written with --long=27 */
        ZSTD_DCtx_setParameter(r->zs, ZSTD_d_windowLogMax, 31);
    }
    *out = r;
    return IDX_OK;
}

/* Drop a UTF-8 byte-order mark at the start of the decoded text. */
static int skip_bom(idx_lines *r, idx_err *err)
{
    int rc;
    r->bom_done = 1;
    while (r->out_len - r->out_pos < 3 && !r->out_eof)
        if ((rc = fill(r, err))) return rc;
    if (r->out_len - r->out_pos >= 3 && memcmp(r->out + r->out_pos, "\xEF\xBB\xBF", 3) == 0)
        r->out_pos += 3;
    return IDX_OK;
}

int idx_lines_next(idx_lines *r, const char **line, size_t *len, idx_err *err)
{
    if (!r->bom_done && skip_bom(r, err)) return IDX_LINES_ERROR;
    size_t scan = r->out_pos;
    for (;;) {
        char *nl = scan < r->out_len ? memchr(r->out + scan, '\n', r->out_len - scan) : NULL;
        if (nl) {
            size_t start = r->out_pos, end = (size_t)(nl - r->out);
            r->out_pos = end + 1;
            r->lineno++;
            if (r->skipping || end - start > IDX_LINES_MAX) {
                r->skipping = 0;
                return IDX_LINES_TOOLONG;
            }
            if (end > start && r->out[end - 1] == '\r') end--;
            *line = r->out + start;
            *len = end - start;
            return IDX_LINES_OK;
        }
        if (r->skipping || r->out_len - r->out_pos > IDX_LINES_MAX) { /* drop what we have, keep skipping */
            r->skipping = 1;
            r->out_pos = r->out_len;
        }
        if (r->out_eof) {
            if (r->out_pos < r->out_len || r->skipping) { /* last line without '\n' */
                size_t start = r->out_pos;
                r->out_pos = r->out_len;
                r->lineno++;
                if (r->skipping || r->out_len - start > IDX_LINES_MAX) {
                    r->skipping = 0;
                    return IDX_LINES_TOOLONG;
                }
                *line = r->out + start;
                *len = r->out_len - start;
                if (*len && (*line)[*len - 1] == '\r') (*len)--;
                return IDX_LINES_OK;
            }
            return IDX_LINES_EOF;
        }
        size_t keep = r->out_len - r->out_pos;
        if (fill(r, err)) return IDX_LINES_ERROR;
        scan = r->out_pos + keep; /* fill() may have compacted; skip what was scanned */
    }
}

uint64_t idx_lines_lineno(const idx_lines *r) { return r->lineno; }

void idx_lines_progress(const idx_lines *r, uint64_t *done, uint64_t *total)
{
    *done = r->raw_done;
    *total = r->raw_total;
}

void idx_lines_close(idx_lines *r)
{
    if (!r) return;
    if (r->own_fd) close(r->fd);
    if (r->z_init) inflateEnd(&r->z);
    if (r->zs) ZSTD_freeDCtx(r->zs);
    free(r->in);
    free(r->out);
    free(r->path);
    free(r);
}

int idx_gunzip(const void *in, size_t n, size_t max, char **out, size_t *outlen, idx_err *err)
{
    *out = NULL;
    *outlen = 0;
    z_stream z;
    memset(&z, 0, sizeof z);
    if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK)
        return idx_err_set(err, IDX_ENOMEM, "gunzip", "out of memory");
    size_t cap = n * 4 + 1024 < max + 1 ? n * 4 + 1024 : max + 1, len = 0;
    char *buf = malloc(cap + 1);
    int rc = buf ? IDX_OK : idx_err_set(err, IDX_ENOMEM, "gunzip", "out of memory");
    z.next_in = (Bytef *)(uintptr_t)in;
    size_t left = n;
    while (!rc) {
        if (z.avail_in == 0 && left > 0) {
            z.avail_in = left > (1u << 30) ? (1u << 30) : (uInt)left;
            left -= z.avail_in;
        }
        if (len == cap) {
            if (cap > max) {
                rc = idx_err_set(err, IDX_ETOOBIG, "gunzip", "decompressed body is larger than %zu bytes", max);
                break;
            }
            size_t nc = cap * 2 < max + 1 ? cap * 2 : max + 1;
            char *nb = realloc(buf, nc + 1);
            if (!nb) {
                rc = idx_err_set(err, IDX_ENOMEM, "gunzip", "out of memory");
                break;
            }
            buf = nb;
            cap = nc;
        }
        z.next_out = (Bytef *)buf + len;
        z.avail_out = (uInt)(cap - len > (1u << 30) ? (1u << 30) : cap - len);
        uInt before = z.avail_out;
        int zr = inflate(&z, Z_NO_FLUSH);
        len += before - z.avail_out;
        if (zr == Z_STREAM_END) {
            if (z.avail_in == 0 && left == 0) break;
            if (inflateReset(&z) != Z_OK) /* another member follows */
                rc = idx_err_set(err, IDX_EINVAL, "gunzip", "body is not valid gzip data");
        } else if (zr == Z_BUF_ERROR && z.avail_in == 0 && left == 0) {
            rc = idx_err_set(err, IDX_EINVAL, "gunzip", "gzip body is truncated");
        } else if (zr != Z_OK && zr != Z_BUF_ERROR) {
            rc = idx_err_set(err, IDX_EINVAL, "gunzip", "body is not valid gzip data (%s)",
                             z.msg ? z.msg : "corrupt");
        }
    }
    inflateEnd(&z);
    if (len > max && !rc)
        rc = idx_err_set(err, IDX_ETOOBIG, "gunzip", "decompressed body is larger than %zu bytes", max);
    if (rc) {
        free(buf);
        return rc;
    }
    buf[len] = '\0';
    *out = buf;
    *outlen = len;
    return IDX_OK;
}
