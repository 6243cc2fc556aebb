/* nospace.c - LD_PRELOAD fault injection: a disk that fills up after N bytes.
 *
 * tests/e2e/test_disk.sh runs `idx add` with this library preloaded to make
 * the disk "full" at many exact points of an ingest, without needing a small
 * filesystem (it also uses a real small tmpfs where it may mount one).
 *
 * It wraps write, pwrite, pwrite64, writev and pwritev.  Only writes to
 * regular files whose path starts with $IDX_FAULT_DIR count; everything else
 * (stdout, stderr, pipes, other files) passes through untouched.  Once the
 * bytes written under that directory reach $IDX_FAULT_NOSPACE_AFTER, every
 * further write there fails with ENOSPC, and the write that crosses the limit
 * is cut short to the bytes that still fit, as a real full disk does.  fsync
 * and fdatasync then fail with ENOSPC as well, as they may on a full disk.
 * Without $IDX_FAULT_NOSPACE_AFTER nothing fails and the library only counts:
 * at exit it writes the byte total to the file named by $IDX_FAULT_REPORT
 * (so a test can spread its limits over a whole run).
 * With $IDX_FAULT_STOP_AFTER=N the process instead stops itself (SIGSTOP,
 * once) at the write that brings the bytes under the directory past N: a
 * test catches a writer mid-way at an exact point, not by polling a race.
 *
 * Test tooling, not part of idx: built without sanitizers, never linked in.
 */
#define _GNU_SOURCE 1
#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <unistd.h>

static atomic_llong written;     /* bytes written under the directory */
static long long limit = -1;     /* -1: count only */
static long long stop_at = -1;   /* -1: never stop the process */
static atomic_int stopped;
static const char *dir;
static size_t dirlen;
static int ready;

static ssize_t (*real_write)(int, const void *, size_t);
static ssize_t (*real_pwrite)(int, const void *, size_t, off_t);
static ssize_t (*real_pwrite64)(int, const void *, size_t, off_t);
static ssize_t (*real_writev)(int, const struct iovec *, int);
static ssize_t (*real_pwritev)(int, const struct iovec *, int, off_t);
static int (*real_fsync)(int);
static int (*real_fdatasync)(int);

static void report(void)
{
    const char *path = getenv("IDX_FAULT_REPORT");
    if (!path || !real_write) return;
    FILE *f = fopen(path, "w");
    if (!f) return;
    fprintf(f, "%lld\n", (long long)atomic_load(&written));
    fclose(f);
}

__attribute__((constructor)) static void init(void)
{
    if (ready) return;
    real_write = (ssize_t(*)(int, const void *, size_t))dlsym(RTLD_NEXT, "write");
    real_pwrite = (ssize_t(*)(int, const void *, size_t, off_t))dlsym(RTLD_NEXT, "pwrite");
    real_pwrite64 = (ssize_t(*)(int, const void *, size_t, off_t))dlsym(RTLD_NEXT, "pwrite64");
    real_writev = (ssize_t(*)(int, const struct iovec *, int))dlsym(RTLD_NEXT, "writev");
    real_pwritev = (ssize_t(*)(int, const struct iovec *, int, off_t))dlsym(RTLD_NEXT, "pwritev");
    real_fsync = (int (*)(int))dlsym(RTLD_NEXT, "fsync");
    real_fdatasync = (int (*)(int))dlsym(RTLD_NEXT, "fdatasync");
    dir = getenv("IDX_FAULT_DIR");
    dirlen = dir ? strlen(dir) : 0;
    const char *n = getenv("IDX_FAULT_NOSPACE_AFTER");
    if (n && *n) limit = strtoll(n, NULL, 10);
    const char *s = getenv("IDX_FAULT_STOP_AFTER");
    if (s && *s) stop_at = strtoll(s, NULL, 10);
    ready = 1;
    atexit(report);
}

/* Is fd a regular file under the watched directory? */
static int watched(int fd)
{
    if (!ready) init(); /* a write before the constructors ran */
    if (dirlen == 0) return 0;
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) return 0;
    char link[64], path[PATH_MAX];
    snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
    ssize_t k = readlink(link, path, sizeof path - 1);
    if (k < 0) return 0;
    path[k] = '\0';
    return strncmp(path, dir, dirlen) == 0;
}

/* How many of n bytes may be written to fd now: n, fewer, or -1 (ENOSPC). */
static ssize_t allow(int fd, size_t n)
{
    if (!watched(fd)) return (ssize_t)n;
    if (limit < 0) {
        long long now = atomic_fetch_add(&written, (long long)n) + (long long)n;
        if (stop_at >= 0 && now > stop_at && atomic_exchange(&stopped, 1) == 0) raise(SIGSTOP);
        return (ssize_t)n;
    }
    long long before = atomic_load(&written);
    if (before >= limit) {
        errno = ENOSPC;
        return -1;
    }
    long long room = limit - before;
    size_t k = (long long)n > room ? (size_t)room : n;
    atomic_fetch_add(&written, (long long)k);
    return (ssize_t)k;
}

static int full(int fd)
{
    return limit >= 0 && atomic_load(&written) >= limit && watched(fd);
}

ssize_t write(int fd, const void *buf, size_t n)
{
    ssize_t k = allow(fd, n);
    return k < 0 ? -1 : real_write(fd, buf, (size_t)k);
}

ssize_t pwrite(int fd, const void *buf, size_t n, off_t off)
{
    ssize_t k = allow(fd, n);
    return k < 0 ? -1 : real_pwrite(fd, buf, (size_t)k, off);
}

ssize_t pwrite64(int fd, const void *buf, size_t n, off_t off)
{
    ssize_t k = allow(fd, n);
    return k < 0 ? -1 : real_pwrite64(fd, buf, (size_t)k, off);
}

/* the vector calls are cut to the first k bytes by writing them one by one */
static ssize_t vec(int fd, const struct iovec *iov, int cnt, off_t off, int positional)
{
    size_t n = 0;
    for (int i = 0; i < cnt; i++) n += iov[i].iov_len;
    ssize_t k = allow(fd, n);
    if (k < 0) return -1;
    if ((size_t)k == n)
        return positional ? real_pwritev(fd, iov, cnt, off) : real_writev(fd, iov, cnt);
    ssize_t done = 0;
    for (int i = 0; i < cnt && done < k; i++) {
        size_t part = iov[i].iov_len < (size_t)(k - done) ? iov[i].iov_len : (size_t)(k - done);
        ssize_t w = positional ? real_pwrite(fd, iov[i].iov_base, part, off + done)
                               : real_write(fd, iov[i].iov_base, part);
        if (w < 0) return done ? done : -1;
        done += w;
        if ((size_t)w < part) break;
    }
    return done;
}

ssize_t writev(int fd, const struct iovec *iov, int cnt)
{
    return vec(fd, iov, cnt, 0, 0);
}

ssize_t pwritev(int fd, const struct iovec *iov, int cnt, off_t off)
{
    return vec(fd, iov, cnt, off, 1);
}

int fsync(int fd)
{
    if (full(fd)) {
        errno = ENOSPC;
        return -1;
    }
    return real_fsync(fd);
}

int fdatasync(int fd)
{
    if (full(fd)) {
        errno = ENOSPC;
        return -1;
    }
    return real_fdatasync(fd);
}
