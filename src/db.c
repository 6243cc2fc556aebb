/* db.c - one Xapian database, or an archive's set of shards, as one index
 * (see db.h), over the shim's readers and writers (xap.h).
 *
 * Every idx_db has a reader, rd: the plain database; for an archive reader
 * the union of the shards that opened (the others listed in missing); for a
 * writer the union of what its writers hold, uncommitted changes included.
 * Every read goes through rd.  A writer of a plain database holds one shim
 * writer (wr); a writer of an archive one per shard it owns (shards), each
 * with its own transaction, and makes a shard (stub line, database, the
 * metadata set so far, the open transaction) when an article is routed to
 * a key that has none yet.
 *
 * An archive reader is built whole, never patched: rebuild() reads the stub
 * again and opens every shard, and replaces the old union only when at
 * least one shard opened.  It runs when the stub changes, when shards are
 * missing and were last tried retry_every seconds ago (1 s, doubling to 30 s
 * while they stay away: each try can block up to the remote timeout), when a
 * remote shard goes away under a read (the read is then made once more on
 * the new union), and when a directory it was opened from is replaced (the
 * inodes noted in ident).
 */
#include "db.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "archive.h"
#include "clock.h"
#include "document.h"

/* A writer's shard. */
struct shard {
    char *name;  /* as in the stub (owned) */
    idx_xwr *w;  /* owned */
};

/* Metadata a writer of an archive set: given to shards made later. */
struct meta {
    char *key, *value; /* owned */
};

/* A path a reader was opened from, and its inode then. */
struct ident {
    char *path; /* owned */
    dev_t dev;
    ino_t ino;
};

struct idx_db {
    idx_xrd *rd;          /* always set once open (owned) */
    idx_xwr *wr;          /* a plain database's writer (owned), else NULL */
    /* archives only: */
    idx_archive arch;     /* the stub as read (arch.stub NULL: not an archive) */
    int writer;           /* opened to write its local shards */
    int in_txn;           /* writers: a transaction is open (shards made now join it) */
    struct shard *shards; /* writers: the shards open (owned) */
    size_t nshards;
    struct meta *meta;    /* writers: metadata set (owned) */
    size_t nmeta;
    char **missing;       /* readers: "NAME: why" of the shards that did not open (owned) */
    size_t nmissing;
    struct timespec stub_mtime; /* readers: to see a stub rewritten by idx add */
    double last_rebuild;  /* readers: last attempt to open missing shards */
    double retry_every;   /* readers: seconds between such attempts (backs off) */
    /* readers: the directories (and an archive's stub) as opened, to see one
     * replaced by another (a build moved into place) although its revision
     * matches */
    char *path;           /* a plain database's (owned) */
    struct ident *ident;  /* owned */
    size_t nident;
};

static unsigned remote_timeout_ms = 5000;

void idx_db_set_remote_timeout(unsigned ms)
{
    remote_timeout_ms = ms ? ms : 1;
}

/* Where an error of operation op came from: "db.op". */
static const char *db_where(char buf[48], const char *op)
{
    snprintf(buf, 48, "db.%s", op);
    return buf;
}
#define DBWHERE(op) db_where((char[48]){0}, op)

static int oom(idx_err *err, const char *op)
{
    return idx_err_set(err, IDX_ENOMEM, DBWHERE(op), "out of memory");
}

static int is_archive(const idx_db *db)
{
    return db->arch.stub != NULL;
}

static int reader_of_archive(const idx_db *db)
{
    return is_archive(db) && !db->writer;
}

static int has_remote(const idx_archive *a)
{
    for (size_t i = 0; i < a->nshards; i++)
        if (a->shards[i].kind == IDX_SHARD_REMOTE) return 1;
    return 0;
}

/* ---------------- what a reader was opened from ---------------- */

static void free_idents(struct ident *v, size_t n)
{
    for (size_t i = 0; i < n; i++) free(v[i].path);
    free(v);
}

/* Remember path's inode among the things db was opened from (nothing when
 * there is nothing there). */
static int note_ident(idx_db *db, const char *path, const char *op, idx_err *err)
{
    struct stat st;
    if (stat(path, &st) != 0) return IDX_OK;
    struct ident *v = realloc(db->ident, (db->nident + 1) * sizeof *v);
    if (!v) return oom(err, op);
    db->ident = v;
    if (!(v[db->nident].path = strdup(path))) return oom(err, op);
    v[db->nident].dev = st.st_dev;
    v[db->nident].ino = st.st_ino;
    db->nident++;
    return IDX_OK;
}

/* Is any of them gone, or another inode now? */
static int ident_changed(const idx_db *db)
{
    for (size_t i = 0; i < db->nident; i++) {
        struct stat st;
        if (stat(db->ident[i].path, &st) != 0 || st.st_dev != db->ident[i].dev ||
            st.st_ino != db->ident[i].ino)
            return 1;
    }
    return 0;
}

/* ---------------- readers of archives ---------------- */

static void free_strings(char **v, size_t n)
{
    for (size_t i = 0; i < n; i++) free(v[i]);
    free(v);
}

/* Append "name: why" to (*v)[0..*n). */
static int push_missing(char ***v, size_t *n, const char *name, const char *why, const char *op,
                        idx_err *err)
{
    char **nv = realloc(*v, (*n + 1) * sizeof *nv);
    if (!nv) return oom(err, op);
    *v = nv;
    size_t len = strlen(name) + strlen(why) + 3;
    if (!(nv[*n] = malloc(len))) return oom(err, op);
    snprintf(nv[*n], len, "%s: %s", name, why);
    (*n)++;
    return IDX_OK;
}

/* (Re)build an archive reader's union from its stub: every shard that opens
 * (remote ones within remote_timeout_ms) is in, the others are listed in
 * db->missing.  When the stub cannot be read or no shard opens, IDX_ENODB
 * (tagged op) and db keeps its union. */
static int rebuild(idx_db *db, const char *op, idx_err *err)
{
    db->last_rebuild = idx_clock();
    struct stat st;
    if (stat(db->arch.stub, &st) == 0) db->stub_mtime = st.st_mtim;
    idx_archive a;
    idx_err e;
    idx_err_clear(&e);
    if (idx_archive_read(db->arch.stub, &a, &e) != IDX_OK)
        return idx_err_set(err, IDX_ENODB, DBWHERE(op), "cannot open database: %s", e.msg);
    idx_xrd *all = NULL;
    char **missing = NULL;
    size_t nmissing = 0, nopen = 0;
    free_idents(db->ident, db->nident);
    db->ident = NULL;
    db->nident = 0;
    int rc = note_ident(db, db->arch.stub, op, err);
    if (!rc) rc = idx_xrd_new(has_remote(&a) ? IDX_XRD_REMOTE : 0, &all, err);
    for (size_t i = 0; !rc && i < a.nshards; i++) {
        const idx_shard *s = &a.shards[i];
        char *why = NULL;
        if (s->kind == IDX_SHARD_LOCAL) {
            rc = note_ident(db, s->path, op, err);
            if (!rc) rc = idx_xrd_add_local(all, s->path, &why, err);
        } else {
            rc = idx_xrd_add_remote(all, s->host, s->port, remote_timeout_ms, &why, err);
        }
        if (!rc && why) rc = push_missing(&missing, &nmissing, s->name, why, op, err);
        else if (!rc) nopen++;
        free(why);
    }
    if (!rc && a.nshards > 0 && nopen == 0)
        rc = idx_err_set(err, IDX_ENODB,
                         DBWHERE(op), "cannot open database: no shard of %s could be opened (%s)",
                         db->arch.stub, nmissing ? missing[0] : "");
    if (rc) {
        idx_xrd_close(all);
        free_strings(missing, nmissing);
        idx_archive_fini(&a);
        return rc;
    }
    idx_archive_fini(&db->arch);
    db->arch = a;
    idx_xrd_close(db->rd);
    db->rd = all;
    free_strings(db->missing, db->nmissing);
    db->missing = missing;
    db->nmissing = nmissing;
    /* a shard that stays away is retried less and less often (1 s .. 30 s):
     * each attempt can block this reader up to the remote timeout */
    db->retry_every = nmissing == 0 ? 1 : db->retry_every * 2 < 30 ? db->retry_every * 2 : 30;
    return IDX_OK;
}

/* A read on db failed with *first.  When it failed because a remote shard
 * of an archive reader went away, the union is built again without it and
 * 1 says to read once more (or, when that fails, its error is in err and
 * *rc); otherwise the read's error goes on to err and 0 is returned. */
static int read_again(idx_db *db, int *rc, const idx_err *first, const char *op, idx_err *err)
{
    if (!reader_of_archive(db) || !idx_xrd_lost(db->rd)) {
        idx_err_set(err, first->rc, first->where, "%s", first->msg);
        return 0;
    }
    return (*rc = rebuild(db, op, err)) == IDX_OK;
}

/* ---------------- opening ---------------- */

/* Open the local shard s to write and keep it among db->shards (not yet in
 * db->rd). */
static int open_shard(idx_db *db, const idx_shard *s, idx_err *err)
{
    struct shard *v = realloc(db->shards, (db->nshards + 1) * sizeof *v);
    if (!v) return oom(err, "open");
    db->shards = v;
    idx_xwr *w = NULL;
    int rc = idx_xwr_open(s->path, 0, &w, err);
    if (rc) return rc;
    char *name = strdup(s->name);
    if (!name) {
        idx_xwr_close(w);
        return oom(err, "open");
    }
    v[db->nshards++] = (struct shard){.name = name, .w = w};
    return IDX_OK;
}

/* Writers of an archive open every shard, all local, to write (or, for one
 * of several parallel writers, the shards it owns). */
static int open_archive_writer(idx_db *db, unsigned job, unsigned jobs, idx_err *err)
{
    db->writer = 1;
    int rc = idx_xrd_new(has_remote(&db->arch) ? IDX_XRD_REMOTE : 0, &db->rd, err);
    for (size_t i = 0; !rc && i < db->arch.nshards; i++) {
        const idx_shard *s = &db->arch.shards[i];
        if (jobs > 1 && idx_archive_shard_owner(s->name, jobs) != job) continue;
        if (s->kind != IDX_SHARD_LOCAL)
            return idx_err_set(err, IDX_EDB, "db.open",
                               "InvalidOperationError: cannot write to the remote "
                               "shard %s: index it on the machine that serves it",
                               s->name);
        rc = open_shard(db, s, err);
        if (!rc) rc = idx_xrd_add_writer(db->rd, db->shards[db->nshards - 1].w, err);
    }
    return rc;
}

static int open_plain(idx_db *db, const char *path, int mode, idx_err *err)
{
    if (mode != IDX_DB_READ && mode != IDX_DB_WRITE && mode != IDX_DB_SCRATCH)
        return idx_err_set(err, IDX_EINVAL, "db.open", "unknown open mode %d", mode);
    if (mode == IDX_DB_READ) {
        if (!(db->path = strdup(path))) return oom(err, "open");
        int rc = note_ident(db, path, "open", err);
        return rc ? rc : idx_xrd_open(path, &db->rd, err);
    }
    int rc = idx_xwr_open(path, mode == IDX_DB_SCRATCH ? IDX_XWR_NO_SYNC : 0, &db->wr, err);
    if (!rc) rc = idx_xrd_new(0, &db->rd, err);
    if (!rc) rc = idx_xrd_add_writer(db->rd, db->wr, err);
    return rc;
}

static int open_any(const char *path, int mode, unsigned job, unsigned jobs, idx_db **out,
                    idx_err *err)
{
    *out = NULL;
    idx_db *db = calloc(1, sizeof *db);
    if (!db) return oom(err, "open");
    db->retry_every = 1;
    char *stub = NULL;
    int isarch = idx_archive_detect(path, &stub);
    int rc;
    if (isarch < 0) {
        rc = oom(err, "open");
    } else if (isarch) {
        rc = idx_archive_read(stub, &db->arch, err);
        free(stub);
        if (!rc)
            rc = mode != IDX_DB_READ ? open_archive_writer(db, job, jobs, err)
                                     : rebuild(db, "open", err);
    } else {
        rc = open_plain(db, path, mode, err);
    }
    if (rc) {
        idx_db_close(db);
        return rc;
    }
    *out = db;
    return IDX_OK;
}

int idx_db_open(const char *path, int mode, idx_db **out, idx_err *err)
{
    return open_any(path, mode, 0, 1, out, err);
}

int idx_db_open_part(const char *path, unsigned job, unsigned jobs, idx_db **out, idx_err *err)
{
    return open_any(path, IDX_DB_WRITE, job, jobs, out, err);
}

void idx_db_close(idx_db *db)
{
    if (!db) return;
    idx_xwr_close(db->wr);
    for (size_t i = 0; i < db->nshards; i++) {
        idx_xwr_close(db->shards[i].w);
        free(db->shards[i].name);
    }
    free(db->shards);
    idx_xrd_close(db->rd); /* the last handle: the databases close */
    for (size_t i = 0; i < db->nmeta; i++) {
        free(db->meta[i].key);
        free(db->meta[i].value);
    }
    free(db->meta);
    free_strings(db->missing, db->nmissing);
    free_idents(db->ident, db->nident);
    free(db->path);
    idx_archive_fini(&db->arch);
    free(db);
}

int idx_db_reopen(idx_db *db, idx_err *err)
{
    if (reader_of_archive(db)) {
        /* the stub rewritten (a shard added), or shards missing a while: rebuild */
        struct stat st;
        int changed = stat(db->arch.stub, &st) == 0 &&
                      (st.st_mtim.tv_sec != db->stub_mtime.tv_sec ||
                       st.st_mtim.tv_nsec != db->stub_mtime.tv_nsec);
        if (changed || (db->nmissing && idx_clock() - db->last_rebuild >= db->retry_every))
            return rebuild(db, "reopen", err);
    }
    if (!db->wr && !db->writer && ident_changed(db)) {
        /* moved into place or removed: reopen whole, never half */
        if (is_archive(db)) return rebuild(db, "reopen", err);
        /* what the old handle was opened on stays noted until the new one
         * opens: a database gone now is noticed again next time */
        struct ident *old = db->ident;
        size_t nold = db->nident;
        db->ident = NULL;
        db->nident = 0;
        int rc = note_ident(db, db->path, "reopen", err);
        if (!rc) rc = idx_xrd_reopen(db->rd, db->path, err);
        if (rc) {
            free_idents(db->ident, db->nident);
            db->ident = old;
            db->nident = nold;
            return rc;
        }
        free_idents(old, nold);
        return IDX_OK;
    }
    idx_err first;
    idx_err_clear(&first);
    int rc = idx_xrd_reopen(db->rd, NULL, &first);
    if (rc && read_again(db, &rc, &first, "reopen", err)) rc = IDX_OK; /* without the shard gone */
    return rc;
}

/* ---------------- about the database ---------------- */

const char *idx_db_shard_by(const idx_db *db)
{
    return is_archive(db) ? db->arch.shard_by : "";
}

int idx_db_has_remote(const idx_db *db)
{
    return is_archive(db) && has_remote(&db->arch);
}

int idx_db_is_archive(const idx_db *db)
{
    return is_archive(db);
}

size_t idx_db_nshards(const idx_db *db)
{
    return is_archive(db) ? db->arch.nshards : 1;
}

size_t idx_db_nmissing(const idx_db *db)
{
    return db->nmissing;
}

const char *idx_db_missing(const idx_db *db, size_t i)
{
    return i < db->nmissing ? db->missing[i] : NULL;
}

int idx_db_compact(idx_db *db, const char *dst, idx_err *err)
{
    if (db->nmissing)
        return idx_err_set(err, IDX_ENODB, "db.compact", "a shard is missing (%s)",
                           db->missing[0]);
    return idx_xrd_compact(db->rd, dst, err);
}

int idx_db_merge(const char *const *srcs, size_t n, const char *dst, idx_err *err)
{
    return idx_xap_merge(srcs, n, dst, err);
}

/* ---------------- writing ---------------- */

static int need_writer(const idx_db *db, idx_err *err, const char *op)
{
    if (db->wr || db->writer) return IDX_OK;
    return idx_err_set(err, IDX_EINVAL, DBWHERE(op), "database was opened read-only");
}

int idx_db_begin(idx_db *db, idx_err *err)
{
    if (need_writer(db, err, "begin")) return IDX_EINVAL;
    if (!db->writer) return idx_xwr_begin(db->wr, err);
    for (size_t i = 0; i < db->nshards; i++) {
        if (idx_xwr_in_txn(db->shards[i].w)) continue;
        int rc = idx_xwr_begin(db->shards[i].w, err);
        if (rc) return rc;
    }
    db->in_txn = 1;
    return IDX_OK;
}

int idx_db_commit(idx_db *db, idx_err *err)
{
    if (need_writer(db, err, "commit")) return IDX_EINVAL;
    if (!db->writer) return idx_xwr_commit(db->wr, err);
    /* shard by shard: each commit is atomic, the set of them is not */
    db->in_txn = 0;
    for (size_t i = 0; i < db->nshards; i++) {
        int rc = idx_xwr_commit(db->shards[i].w, err);
        if (rc) return rc;
    }
    return IDX_OK;
}

int idx_db_cancel(idx_db *db, idx_err *err)
{
    if (need_writer(db, err, "cancel")) return IDX_EINVAL;
    if (!db->writer) return idx_xwr_cancel(db->wr, err);
    db->in_txn = 0;
    for (size_t i = 0; i < db->nshards; i++) {
        int rc = idx_xwr_cancel(db->shards[i].w, err);
        if (rc) return rc;
    }
    return IDX_OK;
}

/* The writer's shard for key (*at in db->shards), made (stub line,
 * database, metadata, open transaction) when it is new. */
static int shard_for(idx_db *db, const char *key, size_t *at, idx_err *err)
{
    long i = idx_archive_find(&db->arch, key);
    if (i >= 0) {
        const char *name = db->arch.shards[i].name;
        for (*at = 0; *at < db->nshards; (*at)++)
            if (strcmp(db->shards[*at].name, name) == 0) return IDX_OK;
        return idx_err_set(err, IDX_EDB, "db.replace",
                           "InvalidOperationError: shard %s is written by another "
                           "process",
                           name);
    }
    idx_err e;
    idx_err_clear(&e);
    if (idx_archive_add_shard(&db->arch, key, &e) != IDX_OK)
        return idx_err_set(err, IDX_EDB, "db.replace", "DatabaseError: %s", e.msg);
    int rc = open_shard(db, &db->arch.shards[db->arch.nshards - 1], err);
    if (rc) return rc;
    *at = db->nshards - 1;
    idx_xwr *w = db->shards[*at].w;
    for (size_t m = 0; !rc && m < db->nmeta; m++)
        rc = idx_xwr_set_metadata(w, db->meta[m].key, db->meta[m].value, err);
    if (!rc && db->in_txn) rc = idx_xwr_begin(w, err);
    if (!rc) rc = idx_xrd_add_writer(db->rd, w, err);
    return rc;
}

int idx_db_replace_in(idx_db *db, const char *shard_key, const char *uid, size_t uidlen,
                      const idx_xdoc *doc, int *existed, idx_err *err)
{
    if (!db->writer) return idx_db_replace(db, uid, uidlen, doc, existed, err);
    size_t t = 0;
    int rc = shard_for(db, shard_key, &t, err);
    int had = 0, found;
    for (size_t i = 0; !rc && i < db->nshards; i++) {
        if (i == t) continue;
        rc = idx_xwr_delete(db->shards[i].w, uid, uidlen, &found, err); /* it moved shard */
        had |= found;
    }
    if (!rc) rc = idx_xwr_replace(db->shards[t].w, uid, uidlen, doc, &found, err);
    if (!rc && existed) *existed = had || found;
    return rc;
}

int idx_db_replace(idx_db *db, const char *uid, size_t uidlen, const idx_xdoc *doc, int *existed,
                   idx_err *err)
{
    if (need_writer(db, err, "replace")) return IDX_EINVAL;
    if (db->writer)
        return idx_err_set(err, IDX_EINVAL, "db.replace", "an archive needs a shard key");
    return idx_xwr_replace(db->wr, uid, uidlen, doc, existed, err);
}

int idx_db_delete(idx_db *db, const char *uid, size_t uidlen, idx_err *err)
{
    if (need_writer(db, err, "delete")) return IDX_EINVAL;
    int any = 0, found = 0, rc = IDX_OK;
    if (!db->writer) rc = idx_xwr_delete(db->wr, uid, uidlen, &any, err);
    for (size_t i = 0; !rc && i < db->nshards; i++) {
        rc = idx_xwr_delete(db->shards[i].w, uid, uidlen, &found, err);
        any |= found;
    }
    if (!rc && !any)
        return idx_err_set(err, IDX_ENOTFOUND, "db.delete", "no document with this id");
    return rc;
}

int idx_db_set_metadata(idx_db *db, const char *key, const char *value, idx_err *err)
{
    if (need_writer(db, err, "set_metadata")) return IDX_EINVAL;
    if (!db->writer) return idx_xwr_set_metadata(db->wr, key, value, err);
    size_t m = 0;
    while (m < db->nmeta && strcmp(db->meta[m].key, key) != 0) m++;
    char *v = strdup(value);
    if (!v) return oom(err, "set_metadata");
    if (m == db->nmeta) {
        struct meta *nv = realloc(db->meta, (db->nmeta + 1) * sizeof *nv);
        char *k = nv ? strdup(key) : NULL;
        if (!k) {
            if (nv) db->meta = nv;
            free(v);
            return oom(err, "set_metadata");
        }
        db->meta = nv;
        db->meta[db->nmeta++] = (struct meta){.key = k, .value = v};
    } else {
        free(db->meta[m].value);
        db->meta[m].value = v;
    }
    for (size_t i = 0; i < db->nshards; i++) {
        int rc = idx_xwr_set_metadata(db->shards[i].w, key, value, err);
        if (rc) return rc;
    }
    return IDX_OK;
}

/* ---------------- reading ----------------
 * Each read is tried once more when read_again() rebuilt the union after a
 * remote shard went away. */

int idx_db_get_metadata(idx_db *db, const char *key, char **value, idx_err *err)
{
    *value = NULL;
    for (size_t m = 0; m < db->nmeta; m++) /* a writer's own, set for every shard */
        if (strcmp(db->meta[m].key, key) == 0)
            return (*value = strdup(db->meta[m].value)) ? IDX_OK : oom(err, "get_metadata");
    idx_err first;
    idx_err_clear(&first);
    int rc = idx_xrd_get_metadata(db->rd, key, value, &first);
    if (rc && read_again(db, &rc, &first, "get_metadata", err))
        rc = idx_xrd_get_metadata(db->rd, key, value, err);
    return rc;
}

int idx_db_get_data(idx_db *db, const char *uid, size_t uidlen, char **data, size_t *len,
                    idx_err *err)
{
    idx_err first;
    idx_err_clear(&first);
    int rc = idx_xrd_get_data(db->rd, uid, uidlen, data, len, &first);
    if (rc && read_again(db, &rc, &first, "get", err))
        rc = idx_xrd_get_data(db->rd, uid, uidlen, data, len, err);
    return rc;
}

int idx_db_doc_data(idx_db *db, unsigned docid, char **data, size_t *len, idx_err *err)
{
    idx_err first;
    idx_err_clear(&first);
    int rc = idx_xrd_doc_data(db->rd, docid, data, len, &first);
    if (rc && read_again(db, &rc, &first, "doc_data", err))
        rc = idx_xrd_doc_data(db->rd, docid, data, len, err);
    return rc;
}

int idx_db_doc_number(idx_db *db, unsigned docid, unsigned slot, double *v, idx_err *err)
{
    idx_err first;
    idx_err_clear(&first);
    int rc = idx_xrd_doc_number(db->rd, docid, slot, v, &first);
    if (rc && read_again(db, &rc, &first, "doc_number", err))
        rc = idx_xrd_doc_number(db->rd, docid, slot, v, err);
    return rc;
}

int idx_db_revision(idx_db *db, uint64_t *rev, uint64_t *max, idx_err *err)
{
    uint64_t hi = 0;
    idx_err first;
    idx_err_clear(&first);
    int rc = idx_xrd_meta_range(db->rd, IDX_META_REV, rev, &hi, &first);
    if (rc && read_again(db, &rc, &first, "revision", err))
        rc = idx_xrd_meta_range(db->rd, IDX_META_REV, rev, &hi, err);
    if (max) *max = hi;
    return rc;
}

int idx_db_each_doc(idx_db *db, idx_doc_visit_fn fn, void *ctx, idx_err *err)
{
    return idx_xrd_each_doc(db->rd, IDX_PREFIX_ID, IDX_PREFIX_CLUSTER, IDX_SLOT_CLUSTER, fn, ctx,
                            err);
}

int idx_db_get_stats(idx_db *db, idx_db_stats *st, idx_err *err)
{
    idx_err first;
    idx_err_clear(&first);
    int rc = idx_xrd_stats(db->rd, st, &first);
    if (rc && read_again(db, &rc, &first, "stats", err)) rc = idx_xrd_stats(db->rd, st, err);
    return rc;
}

int idx_db_term_freq(idx_db *db, const char *term, size_t n, uint64_t *freq, idx_err *err)
{
    idx_err first;
    idx_err_clear(&first);
    int rc = idx_xrd_term_freq(db->rd, term, n, freq, &first);
    if (rc && read_again(db, &rc, &first, "term_freq", err))
        rc = idx_xrd_term_freq(db->rd, term, n, freq, err);
    return rc;
}

int idx_db_terms_prefix(idx_db *db, const char *prefix, size_t n, size_t max,
                        idx_term_freq **out, size_t *nout, idx_err *err)
{
    idx_err first;
    idx_err_clear(&first);
    int rc = idx_xrd_terms_prefix(db->rd, prefix, n, max, out, nout, &first);
    if (rc && read_again(db, &rc, &first, "terms_prefix", err))
        rc = idx_xrd_terms_prefix(db->rd, prefix, n, max, out, nout, err);
    return rc;
}

int idx_db_more_like(idx_db *db, const char *uid, size_t uidlen, unsigned nterms, idx_xq **out,
                     idx_err *err)
{
    idx_err first;
    idx_err_clear(&first);
    int rc = idx_xrd_more_like(db->rd, uid, uidlen, nterms, out, &first);
    if (rc && read_again(db, &rc, &first, "more_like", err))
        rc = idx_xrd_more_like(db->rd, uid, uidlen, nterms, out, err);
    return rc;
}

int idx_db_near_candidates(idx_db *db, const char *const *terms, const size_t *lens, size_t n,
                           unsigned sig_slot, unsigned key_slot, size_t max, idx_near_cand **out,
                           size_t *nout, idx_err *err)
{
    idx_err first;
    idx_err_clear(&first);
    int rc = idx_xrd_near_candidates(db->rd, terms, lens, n, sig_slot, key_slot, max, out, nout,
                                     &first);
    if (rc && read_again(db, &rc, &first, "near_candidates", err))
        rc = idx_xrd_near_candidates(db->rd, terms, lens, n, sig_slot, key_slot, max, out, nout,
                                     err);
    return rc;
}

int idx_db_search(idx_db *db, const idx_xq *q, const idx_search_opts *opts, idx_results **out,
                  idx_err *err)
{
    idx_err first;
    idx_err_clear(&first);
    int rc = idx_xrd_search(db->rd, q, opts, out, &first);
    if (rc && read_again(db, &rc, &first, "search", err))
        rc = idx_xrd_search(db->rd, q, opts, out, err);
    return rc;
}
