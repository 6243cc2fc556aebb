/* staging.h - staging directories beside a target: a database that appears
 * whole or not at all.
 *
 * A command that writes a new database TARGET (`idx add --jobs` into a new
 * database, `idx compact`) builds it in TARGET<tag>XXXXXX (tag ".parts-",
 * ".compact-"), made beside TARGET so that the final rename() stays on one
 * filesystem, while it holds an flock on its owner.lock; when the database is
 * complete it is fsync'd and renamed to TARGET (idx_stage_store), and the
 * staging directory is removed (idx_stage_remove).  A killed run leaves its
 * staging directory with a lock nobody holds: the next run into TARGET
 * removes it (idx_stage_scan); one whose lock is held belongs to a live run
 * and is never touched.  Only TARGET's own staging directories (same
 * prefix, same tag, the XXXXXX length) are looked at.
 *
 * Used by the write path's parallel builds (writer.h) and by `idx compact`.
 * Nothing here prints: what a scan did is told to the caller's note
 * function, and failures are -1 with errno, as in POSIX.
 */
#ifndef IDX_STAGING_H
#define IDX_STAGING_H

#include <stddef.h>

/* A note for the user, in words (a stale staging directory removed or left
 * alone); msg lives for the call only. */
typedef void (*idx_note_fn)(void *ctx, const char *msg);

/* Make a new staging directory "TARGET<tag>XXXXXX" (the first tl bytes of
 * target; written into stage, cap bytes, at least tl + strlen(tag) + 7) and
 * take its lock.  Returns the lock's descriptor, to hold for the run's life
 * and to give to idx_stage_remove, or -1 (errno). */
int idx_stage_make(char *stage, size_t cap, const char *target, size_t tl, const char *tag);

/* Look at target's (tl bytes of it) staging directories of this tag: remove
 * those no live run holds (left by a killed run; each removal, or a
 * directory left alone, told to note (may be NULL) with ctx, naming the
 * command what, e.g. "idx compact"), and give the first one a live run
 * holds, other than mine, in *busy (a copy of its path, the caller frees;
 * NULL when none).  mine: the caller's own staging directory (NULL before it
 * made one).  Returns 0 or -1 (out of memory). */
int idx_stage_scan(const char *target, size_t tl, const char *tag, const char *what,
                   const char *mine, char **busy, idx_note_fn note, void *ctx);

/* Store the finished database dir (a flat directory, normally inside the
 * staging directory) as target: fsync its files and itself, rename() it to
 * target (which must not exist, or be an empty directory), fsync target's
 * parent.  Returns 0 or -1 (errno; target then is as it was). */
int idx_stage_store(const char *dir, const char *target);

/* Remove the staging directory stage (rm -rf, under its lock, so that no
 * other run takes it for a stale one meanwhile), then release the lock
 * lockfd.  Returns 0 or -1 (errno of the removal; the lock is released all
 * the same, and the next run into the target removes what is left). */
int idx_stage_remove(const char *stage, int lockfd);

#endif
