/* journal.c - idxd's write-ahead journal (journal.h): appending with
 * fdatasync, reading back in order, dropping a torn tail, emptying.
 *
 * Every number in the file is little-endian, written and read byte by byte
 * (put_u32/get_u64), so the format does not depend on the machine.  The
 * mutex orders appenders (and the rewrite); the end of the file and the
 * last number given are atomics, written under it and read without it (so
 * a thread that only asks how far the journal is never waits for an
 * fsync); the reader reads below `end` only, so it never sees a record
 * being written.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "fs.h"
#include "journal.h"

static const char header_magic[8] = {'I', 'D', 'X', 'J', 'R', 'N', 'L', '1'};
static const char record_magic[4] = {'J', 'R', 'E', 'C'};

struct idx_journal {
    int fd;
    char *path;
    pthread_mutex_t mu;
    _Atomic uint64_t end;      /* file size: every byte below is a whole record */
    _Atomic uint64_t last_seq; /* of the last record appended, or the floor */
    int broken;        /* a failed append could not be cut back: no more appends */
};

static void put_u32(unsigned char *p, uint32_t v)
{
    for (int i = 0; i < 4; i++) p[i] = (unsigned char)(v >> (8 * i));
}

static void put_u64(unsigned char *p, uint64_t v)
{
    for (int i = 0; i < 8; i++) p[i] = (unsigned char)(v >> (8 * i));
}

static uint32_t get_u32(const unsigned char *p)
{
    uint32_t v = 0;
    for (int i = 3; i >= 0; i--) v = v << 8 | p[i];
    return v;
}

static uint64_t get_u64(const unsigned char *p)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--) v = v << 8 | p[i];
    return v;
}

/* CRC-32 of a record's bytes after its magic and checksum: the rest of the
 * head, then the payload. */
static uint32_t record_crc(const unsigned char *head, const void *data, size_t n)
{
    uLong c = crc32(0L, Z_NULL, 0);
    c = crc32(c, head + 8, IDX_JOURNAL_RECORD_HEAD - 8);
    const unsigned char *d = data;
    while (n > 0) { /* zlib's length is a uInt */
        uInt k = n > (1u << 30) ? (1u << 30) : (uInt)n;
        c = crc32(c, d, k);
        d += k;
        n -= k;
    }
    return (uint32_t)c;
}

long long idx_journal_decode(const unsigned char *buf, size_t n, idx_jrec *rec, const char **why)
{
    *why = "";
    if (n < IDX_JOURNAL_RECORD_HEAD) return 0;
    if (memcmp(buf, record_magic, 4) != 0) {
        *why = "no record starts here";
        return -1;
    }
    uint32_t len = get_u32(buf + 20);
    int type = buf[16];
    if (len > IDX_JOURNAL_MAX_PAYLOAD) {
        *why = "record length out of range";
        return -1;
    }
    if (type != IDX_JREC_DOCS && type != IDX_JREC_DELETE) {
        *why = "unknown record type";
        return -1;
    }
    if (n - IDX_JOURNAL_RECORD_HEAD < len) return 0;
    if (get_u32(buf + 4) != record_crc(buf, buf + IDX_JOURNAL_RECORD_HEAD, len)) {
        *why = "checksum mismatch";
        return -1;
    }
    rec->seq = get_u64(buf + 8);
    rec->type = type;
    rec->cont = buf[17] & IDX_JREC_FLAG_CONT;
    rec->time_ms = get_u64(buf + 24);
    rec->data = (const char *)buf + IDX_JOURNAL_RECORD_HEAD;
    rec->len = len;
    return (long long)IDX_JOURNAL_RECORD_HEAD + len;
}

/* pread all of buf[0..n) at off: n, fewer at the end of the file, or -1. */
static ssize_t read_at(int fd, void *buf, size_t n, uint64_t off)
{
    size_t got = 0;
    while (got < n) {
        ssize_t r = pread(fd, (char *)buf + got, n - got, (off_t)(off + got));
        if (r < 0 && errno == EINTR) continue;
        if (r < 0) return -1;
        if (r == 0) break;
        got += (size_t)r;
    }
    return (ssize_t)got;
}

/* Write all of buf[0..n) at off (every write here says where: a failed
 * append cut back never leaves later records behind stray bytes). */
static int write_at(int fd, const void *buf, size_t n, uint64_t off)
{
    const char *p = buf;
    while (n > 0) {
        ssize_t w = pwrite(fd, p, n, (off_t)off);
        if (w < 0 && errno == EINTR) continue;
        if (w < 0) return -1;
        p += w;
        off += (uint64_t)w;
        n -= (size_t)w;
    }
    return 0;
}

/* Read the record at c->off below end into c->buf: 1 with *rec, 0 when
 * there is no whole record there, -1 (errno) on a read error; *why says
 * what is wrong when 0 is returned before end. */
static int read_record(int fd, idx_jcursor *c, uint64_t end, idx_jrec *rec, const char **why)
{
    *why = "";
    if (c->off + IDX_JOURNAL_RECORD_HEAD > end) {
        if (c->off < end) *why = "incomplete record head";
        return 0;
    }
    unsigned char head[IDX_JOURNAL_RECORD_HEAD];
    ssize_t r = read_at(fd, head, sizeof head, c->off);
    if (r < 0) return -1;
    if ((size_t)r < sizeof head) {
        *why = "incomplete record head";
        return 0;
    }
    idx_jrec tmp;
    if (idx_journal_decode(head, sizeof head, &tmp, why) < 0) return 0; /* magic, type, length */
    size_t total = IDX_JOURNAL_RECORD_HEAD + (size_t)get_u32(head + 20);
    if (c->off + total > end) {
        *why = "incomplete record";
        return 0;
    }
    if (total + 1 > c->cap) {
        char *nb = realloc(c->buf, total + 1);
        if (!nb) {
            errno = ENOMEM;
            return -1;
        }
        c->buf = nb;
        c->cap = total + 1;
    }
    r = read_at(fd, c->buf, total, c->off);
    if (r < 0) return -1;
    if ((size_t)r < total) {
        *why = "incomplete record";
        return 0;
    }
    long long used = idx_journal_decode((const unsigned char *)c->buf, total, rec, why);
    if (used <= 0) return 0;
    c->buf[total] = '\0'; /* the payload ends with a NUL the reader may rely on */
    return 1;
}

/* Copy the journal's bytes [from, to) to fd at offset dest on: 0, or -1. */
static int copy_range(idx_journal *j, int fd, uint64_t from, uint64_t to, uint64_t dest)
{
    char buf[65536];
    for (uint64_t at = from; at < to;) {
        size_t want = to - at < sizeof buf ? (size_t)(to - at) : sizeof buf;
        ssize_t r = read_at(j->fd, buf, want, at);
        if (r <= 0 || write_at(fd, buf, (size_t)r, dest + (at - from)) != 0) return -1;
        at += (uint64_t)r;
    }
    return 0;
}

/* Copy the bytes of the file from off to its end to PATH.dropped-TIME. */
static int keep_dropped(idx_journal *j, uint64_t off, uint64_t size, idx_jinfo *info)
{
    long long now = (long long)time(NULL);
    int out = -1;
    /* never over an earlier copy: two drops in one second get -TIME.1, ... */
    for (int k = 0; out < 0 && k < 1000; k++) {
        if (k == 0)
            snprintf(info->dropped_to, sizeof info->dropped_to, "%.480s.dropped-%lld", j->path, now);
        else
            snprintf(info->dropped_to, sizeof info->dropped_to, "%.480s.dropped-%lld.%d", j->path,
                     now, k);
        out = open(info->dropped_to, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
        if (out < 0 && errno != EEXIST) return -1;
    }
    if (out < 0) return -1;
    int rc = copy_range(j, out, off, size, 0) == 0 ? fsync(out) : -1;
    close(out);
    return rc;
}

static int io_error(idx_err *err, const char *what, const char *path)
{
    return idx_err_set(err, IDX_EIO, "journal", "%s journal %s: %s", what, path, strerror(errno));
}

/* Whether a whole record with a sequence number above prev, starting a
 * group, starts somewhere in the file's bytes [from+skip, size): 1 with
 * *at, 0, or -1 when the bytes cannot be read (errno).  A crash tears the
 * last group only (a group is appended with one fdatasync before the next
 * is): the first record of a later group after bad bytes means damage, not
 * a torn tail.  skip: where the
 * search starts - past the whole torn record when only its end is missing
 * (a payload may itself hold record-shaped bytes: a client's body is
 * journaled as it came), else 1. */
static int valid_record_after(int fd, uint64_t from, uint64_t skip, uint64_t size, uint64_t prev,
                              uint64_t *at)
{
    size_t n = (size_t)(size - from);
    unsigned char *buf = malloc(n ? n : 1);
    uint64_t found = 0;
    if (!buf) {
        errno = ENOMEM;
        return -1;
    }
    if (read_at(fd, buf, n, from) != (ssize_t)n) {
        int e = errno ? errno : EIO;
        free(buf);
        errno = e;
        return -1;
    }
    for (size_t i = (size_t)skip; i + IDX_JOURNAL_RECORD_HEAD <= n && !found; i++) {
        const unsigned char *m = memchr(buf + i, 'J', n - i);
        if (!m) break;
        i = (size_t)(m - buf);
        idx_jrec rec;
        const char *why;
        /* a record that continues a group may be whole while an earlier one
         * of its group is not (one fdatasync for the group): only a record
         * that starts one shows that what came before was acknowledged */
        if (idx_journal_decode(m, n - i, &rec, &why) > 0 && rec.seq > prev && !rec.cont)
            found = from + i;
    }
    free(buf);
    *at = found;
    return found ? 1 : 0;
}

/* Check the header (writing it into an empty file); scan the records and
 * drop a bad tail. */
static int scan(idx_journal *j, uint64_t floor_seq, idx_jinfo *info, idx_err *err)
{
    struct stat st;
    if (fstat(j->fd, &st) != 0) return io_error(err, "cannot stat", j->path);
    uint64_t size = (uint64_t)st.st_size;
    unsigned char h[IDX_JOURNAL_HEADER];
    if (size < IDX_JOURNAL_HEADER) {
        /* new, or its creation was cut short: only a header can be missing */
        if (size > 0 && (read_at(j->fd, h, (size_t)size, 0) != (ssize_t)size ||
                         memcmp(h, header_magic, size < 8 ? (size_t)size : 8) != 0))
            return idx_err_set(err, IDX_EINVAL, "journal",
                               "%s is not an idx journal (%llu bytes without its header); "
                               "move it away",
                               j->path, (unsigned long long)size);
        memset(h, 0, sizeof h);
        memcpy(h, header_magic, sizeof header_magic);
        if (ftruncate(j->fd, 0) != 0 || pwrite(j->fd, h, sizeof h, 0) != (ssize_t)sizeof h ||
            fsync(j->fd) != 0 || idx_fs_sync_parent(j->path) != 0)
            return io_error(err, "cannot write the header of", j->path);
        size = IDX_JOURNAL_HEADER;
    } else if (read_at(j->fd, h, sizeof h, 0) != (ssize_t)sizeof h ||
               memcmp(h, header_magic, sizeof header_magic) != 0) {
        return idx_err_set(err, IDX_EINVAL, "journal",
                           "%s is not an idx journal (no IDXJRNL1 header); move it away",
                           j->path);
    }
    idx_jcursor c;
    idx_jcursor_init(&c, 0);
    c.off = IDX_JOURNAL_HEADER;
    idx_jrec rec;
    const char *why = "";
    int r;
    uint64_t prev = 0;
    while ((r = read_record(j->fd, &c, size, &rec, &why)) == 1) {
        if (rec.seq == 0 || (prev && rec.seq != prev + 1)) {
            /* a whole record, checksum and all, out of order: not torn */
            idx_jcursor_fini(&c);
            return idx_err_set(err, IDX_EDB, "journal",
                               "journal %s is damaged: the record at byte %llu is number %llu, "
                               "after %llu; nothing is dropped, and writes stay off until it is "
                               "repaired or moved away",
                               j->path, (unsigned long long)c.off, (unsigned long long)rec.seq,
                               (unsigned long long)prev);
        }
        if (!prev) info->first_seq = rec.seq;
        prev = rec.seq;
        info->records++;
        c.off += IDX_JOURNAL_RECORD_HEAD + rec.len;
    }
    idx_jcursor_fini(&c);
    if (r < 0) return io_error(err, "cannot read", j->path);
    uint64_t later = 0;
    if (c.off < size) {
        /* a record whose head is whole and whose end is missing: the search
         * for a later record starts past where it would end */
        uint64_t skip = 1;
        unsigned char head[IDX_JOURNAL_RECORD_HEAD];
        idx_jrec hr;
        const char *hwhy;
        if (size - c.off >= sizeof head &&
            read_at(j->fd, head, sizeof head, c.off) == (ssize_t)sizeof head &&
            idx_journal_decode(head, sizeof head, &hr, &hwhy) == 0 &&
            get_u64(head + 8) == prev + 1) { /* (the next number: not a damaged length) */
            uint64_t whole = IDX_JOURNAL_RECORD_HEAD + (uint64_t)get_u32(head + 20);
            if (c.off + whole > size) skip = size - c.off; /* nothing after it to search */
        }
        int f = valid_record_after(j->fd, c.off, skip, size, prev, &later);
        if (f < 0) return io_error(err, "cannot read the tail of", j->path);
    }
    if (later)
        return idx_err_set(err, IDX_EDB, "journal",
                           "journal %s is damaged at byte %llu (%s) and a whole record follows "
                           "at byte %llu: not a torn tail, so nothing is dropped; writes stay "
                           "off until it is repaired or moved away",
                           j->path, (unsigned long long)c.off, why, (unsigned long long)later);
    if (c.off < size) { /* a torn tail: kept aside, cut off */
        info->dropped_bytes = size - c.off;
        snprintf(info->dropped_why, sizeof info->dropped_why, "%s at byte %llu", why,
                 (unsigned long long)c.off);
        if (keep_dropped(j, c.off, size, info) != 0)
            return io_error(err, "cannot copy the torn tail of", j->path);
        if (ftruncate(j->fd, (off_t)c.off) != 0 || fsync(j->fd) != 0)
            return io_error(err, "cannot cut the torn tail of", j->path);
        size = c.off;
    }
    if (info->records && prev < floor_seq) {
        /* the database is past every record kept (it was written through
         * another journal, or restored): they are applied, and numbering on
         * from the database's would leave a gap after them.  Kept aside and
         * emptied. */
        info->dropped_bytes = size - IDX_JOURNAL_HEADER;
        snprintf(info->dropped_why, sizeof info->dropped_why,
                 "records %llu-%llu, all at or before the database's last applied record %llu",
                 (unsigned long long)info->first_seq, (unsigned long long)prev,
                 (unsigned long long)floor_seq);
        if (keep_dropped(j, IDX_JOURNAL_HEADER, size, info) != 0)
            return io_error(err, "cannot copy the applied records of", j->path);
        if (ftruncate(j->fd, IDX_JOURNAL_HEADER) != 0 || fsync(j->fd) != 0)
            return io_error(err, "cannot empty", j->path);
        size = IDX_JOURNAL_HEADER;
        info->records = info->first_seq = prev = 0;
        info->dropped_applied = 1;
    }
    info->last_seq = prev;
    info->bytes = size;
    j->end = size;
    j->last_seq = prev > floor_seq ? prev : floor_seq;
    return IDX_OK;
}

int idx_journal_open(const char *path, uint64_t floor_seq, idx_journal **out, idx_jinfo *info,
                     idx_err *err)
{
    *out = NULL;
    idx_jinfo own;
    if (!info) info = &own;
    memset(info, 0, sizeof *info);
    idx_journal *j = calloc(1, sizeof *j);
    if (!j || !(j->path = strdup(path))) {
        free(j);
        return idx_err_set(err, IDX_ENOMEM, "journal", "out of memory");
    }
    pthread_mutex_init(&j->mu, NULL);
    int rc;
    if (idx_fs_make_parents(path) != 0 ||
        (j->fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600)) < 0) {
        j->fd = -1;
        rc = io_error(err, "cannot open", path);
        goto fail;
    }
    if (flock(j->fd, LOCK_EX | LOCK_NB) != 0) {
        rc = errno == EWOULDBLOCK
                 ? idx_err_set(err, IDX_ELOCKED, "journal",
                               "journal %s is in use by another idxd (one server writes a "
                               "database)",
                               path)
                 : io_error(err, "cannot lock", path);
        goto fail;
    }
    if ((rc = scan(j, floor_seq, info, err))) goto fail;
    *out = j;
    return IDX_OK;
fail:
    idx_journal_close(j);
    return rc;
}

void idx_journal_close(idx_journal *j)
{
    if (!j) return;
    if (j->fd >= 0) close(j->fd); /* the flock goes with it */
    pthread_mutex_destroy(&j->mu);
    free(j->path);
    free(j);
}

int idx_journal_append_many(idx_journal *j, size_t count, const int *types,
                            const void *const *datas, const size_t *lens, uint64_t *seqs,
                            idx_err *err)
{
    for (size_t k = 0; k < count; k++)
        if (lens[k] > IDX_JOURNAL_MAX_PAYLOAD)
            return idx_err_set(err, IDX_ETOOBIG, "journal", "a record of %zu bytes (max %u)",
                               lens[k], IDX_JOURNAL_MAX_PAYLOAD);
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    uint64_t ms = (uint64_t)now.tv_sec * 1000 + (uint64_t)now.tv_nsec / 1000000;
    pthread_mutex_lock(&j->mu);
    int rc = IDX_OK;
    if (j->broken) {
        rc = idx_err_set(err, IDX_EIO, "journal",
                         "journal %s: an earlier append failed and could not be undone; "
                         "restart idxd",
                         j->path);
        pthread_mutex_unlock(&j->mu);
        return rc;
    }
    /* each record's head and payload at the end, one after another, then
     * one fdatasync for all of them (a group commit) */
    uint64_t at = j->end, s = j->last_seq;
    int ok = 1;
    for (size_t k = 0; ok && k < count; k++) {
        unsigned char head[IDX_JOURNAL_RECORD_HEAD];
        memcpy(head, record_magic, 4);
        put_u64(head + 8, ++s);
        head[16] = (unsigned char)types[k];
        head[17] = k > 0 ? IDX_JREC_FLAG_CONT : 0; /* a group's later records */
        head[18] = head[19] = 0;
        put_u32(head + 20, (uint32_t)lens[k]);
        put_u64(head + 24, ms);
        put_u32(head + 4, record_crc(head, datas[k], lens[k]));
        ok = write_at(j->fd, head, sizeof head, at) == 0 &&
             write_at(j->fd, datas[k], lens[k], at + sizeof head) == 0;
        at += sizeof head + lens[k];
    }
    if (!ok || fdatasync(j->fd) != 0) {
        int e = errno;
        /* nothing half-written stays: the next append goes at end again,
         * and if the file cannot be cut back, nothing is appended after it
         * (a restart drops the stray bytes as a torn tail) */
        if (ftruncate(j->fd, (off_t)j->end) != 0 || fdatasync(j->fd) != 0) j->broken = 1;
        errno = e;
        rc = io_error(err, "cannot append to", j->path);
    } else {
        for (size_t k = 0; k < count; k++)
            if (seqs) seqs[k] = j->last_seq + 1 + k;
        j->end = at;
        j->last_seq = s;
    }
    pthread_mutex_unlock(&j->mu);
    return rc;
}

int idx_journal_append(idx_journal *j, int type, const void *data, size_t n, uint64_t *seq,
                       idx_err *err)
{
    return idx_journal_append_many(j, 1, &type, &data, &n, seq, err);
}

uint64_t idx_journal_last_seq(idx_journal *j)
{
    return j->last_seq;
}

uint64_t idx_journal_bytes(idx_journal *j)
{
    return j->end - IDX_JOURNAL_HEADER;
}

void idx_jcursor_init(idx_jcursor *c, uint64_t after)
{
    memset(c, 0, sizeof *c);
    c->off = IDX_JOURNAL_HEADER;
    c->seq = after;
}

void idx_jcursor_fini(idx_jcursor *c)
{
    free(c->buf);
    c->buf = NULL;
    c->cap = 0;
}

int idx_journal_next(idx_journal *j, idx_jcursor *c, idx_jrec *rec, idx_err *err)
{
    uint64_t end = j->end;
    for (;;) {
        const char *why;
        int r = read_record(j->fd, c, end, rec, &why);
        if (r < 0) return io_error(err, "cannot read", j->path);
        if (r == 0) {
            if (c->off < end)
                return idx_err_set(err, IDX_EDB, "journal", "journal %s: %s at byte %llu",
                                   j->path, why, (unsigned long long)c->off);
            return 0;
        }
        c->off += IDX_JOURNAL_RECORD_HEAD + rec->len;
        if (rec->seq <= c->seq) continue; /* the database has it */
        c->seq = rec->seq;
        return 1;
    }
}

/* Replace the journal by its header and the bytes from `from` on: a new
 * file beside it, locked, fsync'd and renamed over it.  The bytes there
 * when it starts are copied without j->mu (appends go on meanwhile, at the
 * old file's end); the lock is held only for what was appended since, the
 * fsync and the rename.  Called without j->mu; from the one reader.
 * *replaced: the new file is in use (even when an error follows). */
static int rewrite_tail(idx_journal *j, uint64_t from, int *replaced, idx_err *err)
{
    *replaced = 0;
    char tmp[600];
    snprintf(tmp, sizeof tmp, "%.580s.tmp", j->path);
    int fd = open(tmp, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) return io_error(err, "cannot rewrite", j->path);
    unsigned char h[IDX_JOURNAL_HEADER] = {0};
    memcpy(h, header_magic, sizeof header_magic);
    uint64_t snap = j->end;
    int ok = flock(fd, LOCK_EX | LOCK_NB) == 0 && write_at(fd, h, sizeof h, 0) == 0 &&
             copy_range(j, fd, from, snap, IDX_JOURNAL_HEADER) == 0 && fdatasync(fd) == 0;
    pthread_mutex_lock(&j->mu);
    ok = ok && !j->broken &&
         copy_range(j, fd, snap, j->end, IDX_JOURNAL_HEADER + (snap - from)) == 0 &&
         fsync(fd) == 0 && rename(tmp, j->path) == 0;
    if (!ok) {
        int e = errno;
        pthread_mutex_unlock(&j->mu);
        close(fd);
        unlink(tmp);
        errno = e;
        return io_error(err, "cannot rewrite", j->path);
    }
    close(j->fd);
    j->fd = fd;
    j->end = IDX_JOURNAL_HEADER + (j->end - from);
    *replaced = 1;
    /* until the directory is on disk, a crash can bring back the old file,
     * which lacks what is appended from now on: no appends until it is */
    int e = 0;
    if (idx_fs_sync_parent(j->path) != 0) {
        e = errno;
        j->broken = 1;
    }
    pthread_mutex_unlock(&j->mu);
    if (e) {
        errno = e;
        return io_error(err, "cannot sync the directory of (appends are off until a restart)",
                        j->path);
    }
    return IDX_OK;
}

int idx_journal_trim(idx_journal *j, idx_jcursor *c, uint64_t min_bytes, int *trimmed,
                     idx_err *err)
{
    pthread_mutex_lock(&j->mu);
    int rc = IDX_OK, rewrite = 0;
    *trimmed = 0;
    if (c->off <= IDX_JOURNAL_HEADER) {
        /* nothing read yet */
    } else if (j->last_seq == c->seq && c->off == j->end) { /* every record applied */
        if (ftruncate(j->fd, IDX_JOURNAL_HEADER) != 0 || fdatasync(j->fd) != 0) {
            rc = io_error(err, "cannot empty", j->path);
        } else {
            j->end = IDX_JOURNAL_HEADER;
            c->off = IDX_JOURNAL_HEADER;
            *trimmed = 1;
        }
    } else {
        /* the records kept are copied: only when those applied are at least
         * min_bytes and as large as them, so a copy costs at most what was
         * applied since the last one */
        uint64_t applied = c->off - IDX_JOURNAL_HEADER, kept = j->end - c->off;
        rewrite = applied >= min_bytes && applied >= kept;
    }
    pthread_mutex_unlock(&j->mu);
    int replaced = 0;
    if (rewrite) rc = rewrite_tail(j, c->off, &replaced, err);
    if (replaced) {
        c->off = IDX_JOURNAL_HEADER;
        *trimmed = 1;
    }
    return rc;
}
