/* fs.h - the file-system helpers of idx: making, removing, measuring and
 * durably writing files and directories.
 *
 * One copy of each, used by the staging directories (staging.c), archives'
 * stub files (archive.c), the write path (writer.c) and `idx stats` /
 * `idx compact`.  Nothing here prints; failures are -1 with errno, as in
 * POSIX, so the caller words the message (naming the path) and picks the
 * idx_err code.
 */
#ifndef IDX_FS_H
#define IDX_FS_H

#include <stddef.h>

/* mkdir -p of the directories above path (not path itself).  0 or -1. */
int idx_fs_make_parents(const char *path);

/* 1 when path is missing or an empty directory (a place a new database or
 * archive may be made), 0 when it is a directory with entries, -1 (errno)
 * when it cannot be read or is not a directory (ENOTDIR). */
int idx_fs_is_free(const char *path);

/* rm -rf path (symbolic links removed, not followed).  0 (also when path is
 * missing) or -1. */
int idx_fs_remove_tree(const char *path);

/* fsync the file or directory at path.  0 or -1. */
int idx_fs_fsync(const char *path);

/* fsync every entry of the flat directory dir (names starting with '.' left
 * out), then dir itself.  0 or -1 (the first failure's errno). */
int idx_fs_sync_dir(const char *dir);

/* fsync the directory holding path (after a rename into it).  0 or -1. */
int idx_fs_sync_parent(const char *path);

/* Replace the file at path with data[0..n) atomically: written to
 * path.tmp, fsync'd, renamed over path, the directory fsync'd.  A crash
 * leaves the old file or the new one, never a part.  0 or -1 (path.tmp
 * removed). */
int idx_fs_write_atomic(const char *path, const void *data, size_t n);

/* Swap the entries a and b (two directories: a database rebuilt beside
 * the one in use) in one atomic step, renameat2(RENAME_EXCHANGE), then
 * fsync the directories holding them: every reader finds one or the other
 * whole, at every moment.  0 or -1 (errno; EINVAL or ENOSYS where the
 * file system cannot: nothing was moved). */
int idx_fs_exchange(const char *a, const char *b);

/* Bytes allocated on disk (st_blocks) to path and, for a directory,
 * everything below it (symbolic links not followed); 0 when missing. */
unsigned long long idx_fs_usage(const char *path);

#endif
