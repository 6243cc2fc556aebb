/* staging.c - staging directories beside a target (staging.h).
 *
 * Shared by the write path's parallel builds (writer.c) and `idx compact`.
 * The lock protocol: a run makes TARGET<tag>XXXXXX with mkdtemp, then
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
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "staging.h"

#include "fs.h"

#define STAGE_LOCK "owner.lock"

/* note's message, formatted. */
static void say(idx_note_fn note, void *ctx, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void say(idx_note_fn note, void *ctx, const char *fmt, ...)
{
    if (!note) return;
    char msg[8192 + 256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    note(ctx, msg);
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
            idx_fs_remove_tree(stage);
            errno = e;
            return -1;
        }
        close(fd); /* a cleaner has it: it removes the directory */
    }
    errno = EAGAIN;
    return -1;
}

int idx_stage_scan(const char *target, size_t tl, const char *tag, const char *what,
                   const char *mine, char **busy, idx_note_fn note, void *ctx)
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
                say(note, ctx, "left %s as it is: it looks like the staging directory of an "
                            "older %s into %.*s, without a lock saying whether it "
                            "still runs; remove it by hand if none does", path, what, (int)tl,
                            target);
            continue;
        }
        if (flock(fd, LOCK_EX | LOCK_NB) == 0) {
            if (idx_fs_remove_tree(path) == 0)
                say(note, ctx, "removed %s, the staging directory of an interrupted %s into %.*s",
                            path, what, (int)tl, target);
            else
                say(note, ctx, "cannot remove %s, the staging directory of an interrupted %s: %s",
                            path, what, strerror(errno));
        } else if (errno == EWOULDBLOCK && !*busy && !(*busy = strdup(path))) {
            rc = -1;
        }
        close(fd);
    }
    closedir(d);
    return rc;
}

int idx_stage_store(const char *dir, const char *target)
{
    if (idx_fs_sync_dir(dir) != 0 || rename(dir, target) != 0) return -1;
    idx_fs_sync_parent(target); /* the rename made durable (best effort: the database is
                                   whole either way) */
    return 0;
}

int idx_stage_remove(const char *stage, int lockfd)
{
    int rc = idx_fs_remove_tree(stage), e = errno;
    close(lockfd);
    errno = e;
    return rc;
}
