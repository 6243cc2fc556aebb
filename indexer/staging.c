/* staging.c - staging directories beside a target (staging.h).
 *
 * Moved out of parallel.c (`idx add --jobs`) so that `idx compact` shares
 * it.  The lock protocol: a run makes TARGET<tag>XXXXXX with mkdtemp, then
 * creates owner.lock in it (O_EXCL) and takes an flock on it, checking that
 * the file it locked is still the one at that path.  A scanning run opens a
 * candidate's owner.lock and tries LOCK_EX|LOCK_NB: when it gets the lock, no
 * live run holds the directory, and it removes the tree while holding the
 * lock; the maker of a directory so removed sees its lock file gone (or the
 * directory gone) and takes another name.  A candidate without owner.lock is
 * either empty (a run killed between mkdtemp and the lock: removed with
 * rmdir) or not ours (left alone, with a note).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "idx.h"
#include "staging.h"

#define STAGE_LOCK "owner.lock"

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st, (void)flag, (void)ftw;
    return remove(path) != 0 && errno != ENOENT ? -1 : 0;
}

/* rm -rf path (symbolic links removed, not followed).  0 (also when path is
 * missing) or -1 (errno). */
static int remove_tree(const char *path)
{
    if (nftw(path, remove_entry, 16, FTW_DEPTH | FTW_PHYS) == 0) return 0;
    return errno == ENOENT ? 0 : -1;
}

int idx_stage_make(char *stage, size_t cap, const char *target, size_t tl, const char *tag)
{
    char lock[4096];
    for (int tries = 0; tries < 8; tries++) {
        int n = snprintf(stage, cap, "%.*s%sXXXXXX", (int)tl, target, tag);
        if (n < 0 || (size_t)n >= cap) {
            errno = ENAMETOOLONG;
            return -1;
        }
        if (!mkdtemp(stage)) return -1;
        snprintf(lock, sizeof lock, "%s/" STAGE_LOCK, stage);
        int fd = open(lock, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
        if (fd < 0) {
            if (errno == ENOENT) continue; /* removed while empty */
            int e = errno;
            rmdir(stage);
            errno = e;
            return -1;
        }
        struct stat held, now;
        if (flock(fd, LOCK_EX | LOCK_NB) == 0) {
            if (fstat(fd, &held) == 0 && stat(lock, &now) == 0 && held.st_ino == now.st_ino &&
                held.st_dev == now.st_dev)
                return fd;
        } else if (errno != EWOULDBLOCK) {
            int e = errno;
            close(fd);
            remove_tree(stage);
            errno = e;
            return -1;
        }
        close(fd); /* a cleaner has it: it removes the directory */
    }
    errno = EAGAIN;
    return -1;
}

int idx_stage_scan(const char *target, size_t tl, const char *tag, const char *what,
                   const char *mine, char **busy)
{
    *busy = NULL;
    size_t bo = tl; /* where the base name starts */
    while (bo > 0 && target[bo - 1] != '/') bo--;
    const char *base = target + bo;
    size_t bl = tl - bo, gl = strlen(tag), want = bl + gl + 6;
    char *parent = bo == 0 ? strdup(".") : bo == 1 ? strdup("/") : strndup(target, bo - 1);
    if (!parent) return -1;
    DIR *d = opendir(parent);
    free(parent);
    if (!d) return 0; /* nothing beside it (yet) */
    struct dirent *e;
    char path[4096], lock[4096 + sizeof STAGE_LOCK];
    int rc = 0;
    while ((e = readdir(d))) {
        if (strlen(e->d_name) != want || strncmp(e->d_name, base, bl) != 0 ||
            strncmp(e->d_name + bl, tag, gl) != 0)
            continue;
        snprintf(path, sizeof path, "%.*s%s", (int)bo, target, e->d_name);
        struct stat st;
        if ((mine && strcmp(path, mine) == 0) || lstat(path, &st) != 0 || !S_ISDIR(st.st_mode))
            continue;
        snprintf(lock, sizeof lock, "%s/" STAGE_LOCK, path);
        int fd = open(lock, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
        if (fd < 0 && errno == ENOENT && rmdir(path) != 0 &&
            (errno == ENOTEMPTY || errno == EEXIST)) /* not empty: its lock made since? */
            fd = open(lock, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
        if (fd < 0) {
            /* gone (empty: a run killed before its lock), or not one of ours
             * (an older idx's, which kept no lock): left alone, said once */
            if (errno == ENOENT && !mine && access(path, F_OK) == 0)
                idx_die_msg("left %s as it is: it looks like the staging directory of an "
                            "older %s into %.*s, without a lock saying whether it "
                            "still runs; remove it by hand if none does", path, what, (int)tl,
                            target);
            continue;
        }
        if (flock(fd, LOCK_EX | LOCK_NB) == 0) {
            if (remove_tree(path) == 0)
                idx_die_msg("removed %s, the staging directory of an interrupted %s into %.*s",
                            path, what, (int)tl, target);
            else
                idx_die_msg("cannot remove %s, the staging directory of an interrupted %s: %s",
                            path, what, strerror(errno));
        } else if (errno == EWOULDBLOCK && !*busy && !(*busy = strdup(path))) {
            rc = -1;
        }
        close(fd);
    }
    closedir(d);
    return rc;
}

static int fsync_path(const char *path)
{
    int fd = open(path, O_RDONLY);
    if (fd < 0) return -1;
    int rc = fsync(fd);
    close(fd);
    return rc;
}

/* fsync every file in dir, and dir. */
static int sync_flat_dir(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d) return -1;
    struct dirent *e;
    int rc = 0;
    char p[4096];
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.') continue;
        snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
        if (fsync_path(p) != 0) rc = -1;
    }
    closedir(d);
    return fsync_path(dir) == 0 ? rc : -1;
}

int idx_stage_store(const char *dir, const char *target)
{
    if (sync_flat_dir(dir) != 0 || rename(dir, target) != 0) return -1;
    /* the rename itself, made durable (best effort: the database is whole either way) */
    char *parent = strdup(target), *slash = parent ? strrchr(parent, '/') : NULL;
    if (slash) *slash = '\0';
    if (parent) fsync_path(slash ? (parent[0] ? parent : "/") : ".");
    free(parent);
    return 0;
}

int idx_stage_remove(const char *stage, int lockfd)
{
    int rc = remove_tree(stage), e = errno;
    close(lockfd);
    errno = e;
    return rc;
}
