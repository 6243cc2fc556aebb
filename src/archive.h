/* archive.h - sharded archives: a set of Xapian databases searched as one,
 * described by a Xapian stub database file.
 *
 * The stub is Xapian's own format, so Xapian's tools (xapian-delve,
 * xapian-check on each shard) and any Xapian program read it too: one shard
 * per line, "auto PATH" (a local database; PATH relative to the stub's
 * directory) or "remote HOST:PORT" (a database served by xapian-tcpsrv);
 * blank lines and lines starting with '#' are ignored.  idx adds one comment
 * of its own, "# idx shard-by SPEC", naming how `idx add` routes articles.
 *
 * An archive made by `idx add --shard-by SPEC --db DIR` is the directory DIR
 * with its stub in DIR/XAPIANDB (which Xapian opens when given DIR) and its
 * shards in DIR/shards/KEY.  A stub can also be any file written by hand,
 * e.g. local shards plus remote ones on other machines: everywhere a --db is
 * taken, a stub (or a directory holding XAPIANDB) works.
 *
 * SPEC: "year" (KEY = 2019, or "undated"), "month" (2019-05, or "undated"),
 * "hash:N" (KEY = h000 .. h(N-1), by a hash of the article id; 2 <= N <= 256).
 *
 * This module only reads and writes stubs and names keys; db.c opens an
 * archive's shards as one index (db.h).
 */
#ifndef IDX_ARCHIVE_H
#define IDX_ARCHIVE_H
#include <stddef.h>
#include "err.h"

#ifdef __cplusplus
extern "C" {
#endif

#define IDX_ARCHIVE_STUB "XAPIANDB"
#define IDX_ARCHIVE_MAX_SHARDS 4096
#define IDX_SHARD_KEY_MAX 16

enum { IDX_SHARD_LOCAL = 0, IDX_SHARD_REMOTE = 1 };

typedef struct idx_shard {
    int kind;       /* IDX_SHARD_* */
    char *path;     /* LOCAL: absolute or relative to the current directory (owned) */
    char *host;     /* REMOTE (owned) */
    unsigned port;  /* REMOTE */
    char *name;     /* as written in the stub: "shards/2019", "10.0.0.5:33333" (owned) */
} idx_shard;

typedef struct idx_archive {
    char *stub;        /* path of the stub file (owned) */
    char *dir;         /* its directory (owned) */
    char shard_by[32]; /* "" when the stub names none */
    idx_shard *shards; /* owned */
    size_t nshards;
} idx_archive;

/* Is path a stub file, or a directory holding XAPIANDB?  Sets *stub (owned by
 * the caller, free) to the stub's path when so; returns 1, 0 (a plain
 * database or nothing there), or -1 when out of memory. */
int idx_archive_detect(const char *path, char **stub);

/* Read the stub file at stub.  IDX_EINVAL naming the line for a line idx
 * cannot use, IDX_EIO when unreadable.  idx_archive_fini after success. */
int idx_archive_read(const char *stub, idx_archive *a, idx_err *err);
void idx_archive_fini(idx_archive *a);

/* A new archive in directory dir (created, or existing and empty) with no
 * shards yet.  IDX_EINVAL for a bad spec or a directory that holds anything. */
int idx_archive_create(const char *dir, const char *shard_by, idx_err *err);

/* Append the local shard "shards/KEY" to the stub (rewritten atomically);
 * also adds it to a. */
int idx_archive_add_shard(idx_archive *a, const char *key, idx_err *err);

/* Index of the local shard named shards/KEY in a, or -1. */
long idx_archive_find(const idx_archive *a, const char *key);

/* Is spec a shard-by SPEC idx knows?  Returns 1 or 0. */
int idx_archive_spec_ok(const char *spec);

/* The shard KEY of an article under spec: its id, and its date's year and
 * month when has_date.  key has room for IDX_SHARD_KEY_MAX bytes. */
void idx_archive_key(const char *spec, const char *id, size_t idlen, int has_date, int year,
                     int month, char key[IDX_SHARD_KEY_MAX]);

/* Which of jobs parallel writers (idx add --jobs) owns the shard KEY:
 * hNNN -> NNN mod jobs; any other key by a hash of it. */
unsigned idx_archive_key_owner(const char *key, unsigned jobs);

/* The same for a shard named in the stub ("shards/KEY"); remote or other
 * names by a hash of the name. */
unsigned idx_archive_shard_owner(const char *name, unsigned jobs);

#ifdef __cplusplus
}
#endif
#endif
