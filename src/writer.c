/* writer.c - the write path (writer.h): a writer, and parallel builds.
 *
 * A writer keeps one transaction open: put adds to it, and every `batch`
 * articles it is committed and the next one begun; idx_writer_commit
 * commits without beginning one (the next change does).  The text options
 * are settled when the writer opens, before its first batch, so that every
 * document of the database is built with the ones it records.
 *
 * How one record is stored (idx_writer_put):
 *   parse (article.h) -> share: the shard's owner in an archive build, the
 *   router's choice (route.h) in a parts build -> signature (cluster.h) ->
 *   document (document.h) -> cluster key and bands -> replace by the Q<id>
 *   term, into its shard (archive.h's key) -> count, commit a full batch.
 * Every writer of a parallel build sees every record in the same order, so
 * the routers agree and exactly one writer stores each article.
 *
 * A parts build lives in DB.parts-XXXXXX beside DB (staging.h): part J in
 * DB.parts-X/J (scratch databases, commits without fsync), merged into
 * DB.parts-X/db, fsync'd and renamed to DB; the staging directory and its
 * lock go when the build is closed.
 */
#include "writer.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "archive.h"
#include "article.h"
#include "buf.h"
#include "cluster.h"
#include "fs.h"
#include "route.h"
#include "db.h"

struct idx_writer {
    idx_db *db;
    char *path;           /* o->db, or the part's (owned): for messages */
    const char *shard_by; /* idx_db_shard_by(db): "" for a plain database */
    idx_schema schema;
    unsigned batch, in_batch;
    unsigned job, jobs;   /* job of jobs writers of a build; 0 of 1 alone */
    idx_route *route;     /* a part of a build: which part takes an article */
    int cluster;          /* near-duplicate clustering on */
    int in_txn;           /* a batch is open */
    int failed;           /* the database error that ended it, or IDX_OK */
    uint64_t rev;         /* the revision the open batch commits (document.h) */
    int rev_fixed;        /* a part of a build: one revision for all it stores */
    uint64_t pend_added, pend_replaced, pend_deleted;
    idx_write_counts counts;
    idx_buf uid, cluster_key; /* scratch */
};

/* A write failed (disk full, I/O error, out of memory): w is done.  The
 * code is never IDX_EINVAL, which would read as the caller's mistake. */
static int fail(idx_writer *w, int rc, const idx_err *why, idx_err *err)
{
    w->failed = rc == IDX_EINVAL ? IDX_EDB : rc;
    return idx_err_set(err, w->failed, "writer", "cannot write to database %s: %s", w->path,
                       why->msg);
}

static int begin(idx_writer *w, idx_err *err)
{
    idx_err e;
    idx_err_clear(&e);
    if (idx_db_begin(w->db, &e)) return fail(w, e.rc, &e, err);
    w->in_txn = 1;
    return IDX_OK;
}

/* Commit the open batch, with the time; the next one begun when reopen. */
static int commit(idx_writer *w, int reopen, idx_err *err)
{
    char ts[32];
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%SZ", &tm);
    idx_err e;
    idx_err_clear(&e);
    char rev[24];
    snprintf(rev, sizeof rev, "%llu", (unsigned long long)w->rev);
    if (idx_db_set_metadata(w->db, "idx.last_update", ts, &e) ||
        idx_db_set_metadata(w->db, IDX_META_REV, rev, &e) || idx_db_commit(w->db, &e))
        return fail(w, e.rc, &e, err);
    if (!w->rev_fixed) w->rev++;
    w->in_txn = 0;
    w->in_batch = 0;
    w->counts.added += w->pend_added;
    w->counts.replaced += w->pend_replaced;
    w->counts.deleted += w->pend_deleted;
    w->pend_added = w->pend_replaced = w->pend_deleted = 0;
    w->counts.pending = 0;
    return reopen ? begin(w, err) : IDX_OK;
}

/* The archive at db that shard_by names: made when there is none, else its
 * stub must name the same SPEC. */
static int prepare_archive(const char *db, const char *shard_by, idx_err *err)
{
    char *stub = NULL;
    if (idx_archive_detect(db, &stub) != 1) return idx_archive_create(db, shard_by, err);
    idx_archive ar;
    idx_err e;
    idx_err_clear(&e);
    int rc = idx_archive_read(stub, &ar, &e);
    free(stub);
    if (rc) /* a stub idx cannot use is the database's fault */
        return idx_err_set(err, rc == IDX_EINVAL ? IDX_EDB : rc, e.where, "%s", e.msg);
    if (strcmp(ar.shard_by, shard_by) != 0)
        rc = idx_err_set(err, IDX_EINVAL, "writer", "%s is an archive sharded by %s, not %s", db,
                         ar.shard_by[0] ? ar.shard_by : "hand (no shard-by line)", shard_by);
    idx_archive_fini(&ar);
    return rc;
}

/* Open the writer of path: alone (jobs 1), or job of jobs writers of a build
 * - of the shards it owns of the archive path, or (part) of a part. */
static int writer_open(const idx_writer_opts *o, const char *path, int part, unsigned job,
                       unsigned jobs, idx_writer **out, idx_err *err)
{
    *out = NULL;
    if (idx_fs_make_parents(path) != 0)
        return idx_err_set(err, IDX_EIO, "writer", "cannot create the directories above %s: %s",
                           path, strerror(errno));
    int rc;
    if (o->shard_by && jobs <= 1 && (rc = prepare_archive(path, o->shard_by, err))) return rc;
    idx_writer *w = calloc(1, sizeof *w);
    if (!w || !(w->path = strdup(path))) {
        free(w);
        return idx_err_set(err, IDX_ENOMEM, "writer", "out of memory");
    }
    w->job = job;
    w->jobs = jobs;
    w->cluster = !o->no_cluster;
    w->batch = o->batch ? o->batch : part ? IDX_BATCH_PART : IDX_BATCH_DEFAULT;
    idx_buf_init(&w->uid);
    idx_buf_init(&w->cluster_key);
    idx_err e;
    idx_err_clear(&e);
    rc = part       ? idx_db_open(path, IDX_DB_SCRATCH, &w->db, &e)
         : jobs > 1 ? idx_db_open_part(path, job, jobs, &w->db, &e)
                    : idx_db_open(path, IDX_DB_WRITE, &w->db, &e);
    if (rc == IDX_ELOCKED) {
        idx_err_set(err, rc, "writer",
                    "database %s is locked: another writer (idx add/rm) is running", path);
        goto fail;
    }
    if (rc) { /* the database's failure, not the caller's mistake */
        rc = idx_err_set(err, rc == IDX_EINVAL ? IDX_EDB : rc, "writer",
                         "cannot open database %s: %s", path, e.msg);
        goto fail;
    }
    w->shard_by = idx_db_shard_by(w->db);
    if (!w->shard_by[0] && idx_db_is_archive(w->db)) {
        rc = idx_err_set(err, IDX_EINVAL, "writer",
                         "%s is a stub without a \"# idx shard-by\" line: idx add cannot tell "
                         "which shard an article goes to (add to a shard directly)",
                         path);
        goto fail;
    }
    rc = idx_schema_negotiate(w->db, &o->want, &w->schema, &e);
    if (rc == IDX_EINVAL) {
        idx_err_set(err, rc, e.where, "%s", e.msg);
        goto fail;
    }
    if (rc) {
        rc = fail(w, rc, &e, err);
        goto fail;
    }
    idx_db_stats st;
    uint64_t rev_min, rev_max;
    if ((rc = idx_db_get_stats(w->db, &st, &e)) ||
        (rc = idx_db_revision(w->db, &rev_min, &rev_max, &e))) {
        rc = fail(w, rc, &e, err);
        goto fail;
    }
    /* past every shard's: a reader's revision (their smallest) never goes back */
    w->rev = part ? 1 : rev_max + 1;
    w->rev_fixed = part;
    if ((rc = begin(w, err)) || (part && (rc = idx_route_new(jobs, &w->route, err)))) goto fail;
    /* a database this writer makes: "0" (made by commits, its compact size
     * not known yet), stored with the first commit (idx_writer_compact_if_grown) */
    if (st.documents == 0 && !w->shard_by[0] &&
        (rc = idx_db_set_metadata(w->db, IDX_META_COMPACT_BYTES, "0", &e))) {
        rc = fail(w, rc, &e, err);
        goto fail;
    }
    *out = w;
    return IDX_OK;
fail:
    idx_writer_close(w);
    return rc;
}

int idx_writer_open(const idx_writer_opts *o, idx_writer **out, idx_err *err)
{
    return writer_open(o, o->db, 0, 0, 1, out, err);
}

/* idx_writer_put, the article marked as committed in revision rev (0: the
 * one the open batch commits; put_stored keeps the source's). */
static int put(idx_writer *w, const char *json, size_t n, uint64_t rev, int *outcome,
               idx_err *err)
{
    int ignored;
    if (!outcome) outcome = &ignored;
    *outcome = 0;
    if (w->failed)
        return idx_err_set(err, w->failed, "writer",
                           "cannot write to database %s: an earlier write failed", w->path);
    idx_article a;
    idx_err e;
    idx_err_clear(&e);
    if (idx_article_parse(json, n, &a, &e)) {
        if (w->job != 0) { /* every writer of a build sees it; job 0 rejects it */
            *outcome = IDX_PUT_ELSEWHERE;
            return IDX_OK;
        }
        w->counts.rejected++;
        return idx_err_set(err, IDX_EINVAL, e.where, "%s", e.msg);
    }
    char key[IDX_SHARD_KEY_MAX] = "";
    if (w->shard_by[0])
        idx_archive_key(w->shard_by, a.id.s, a.id.n, a.has_date, a.date.year, a.date.month, key);
    idx_xdoc *doc = NULL;
    int rc = IDX_OK, existed = 0;
    if (w->jobs > 1 && !w->route && idx_archive_key_owner(key, w->jobs) != w->job) {
        *outcome = IDX_PUT_ELSEWHERE; /* another writer's shard */
        goto done;
    }
    idx_sig sig; /* near-duplicates: the signature of its body */
    memset(&sig, 0, sizeof sig);
    const char *body = a.body.s ? a.body.s : "";
    rc = w->cluster ? idx_sig_of(body, a.body.n, &sig, &e) : IDX_OK;
    if (!rc && w->route) {
        unsigned j;
        rc = idx_route_job(w->route, a.id.s, a.id.n, &sig, &j, &e);
        if (!rc && j != w->job) {
            *outcome = IDX_PUT_ELSEWHERE; /* another writer's part */
            goto done;
        }
    }
    if (!rc && !w->in_txn && (rc = begin(w, err))) goto done;
    if (!rc) {
        rc = idx_document_build(&a, &w->schema, &doc, &w->uid, &e);
        if (rc == IDX_EUTF8 || rc == IDX_EINVAL) { /* cannot happen after parse; stay safe */
            w->counts.rejected++;
            rc = idx_err_set(err, IDX_EINVAL, e.where, "%s", e.msg);
            goto done;
        }
    }
    if (!rc && w->cluster) { /* the cluster of its body */
        rc = idx_cluster_assign(w->db, a.id.s, a.id.n, body, a.body.n, &sig, &w->cluster_key, &e);
        if (!rc) rc = idx_cluster_mark(doc, &sig, w->cluster_key.data, w->cluster_key.len, &e);
    }
    if (!rc)
        rc = idx_document_set_revision(doc, rev ? rev : w->rev, &e);
    if (!rc)
        rc = w->shard_by[0]
                 ? idx_db_replace_in(w->db, key, w->uid.data, w->uid.len, doc, &existed, &e)
                 : idx_db_replace(w->db, w->uid.data, w->uid.len, doc, &existed, &e);
    if (rc) {
        rc = fail(w, rc, &e, err);
        goto done;
    }
    if (existed) w->pend_replaced++;
    else w->pend_added++;
    w->counts.pending++;
    *outcome = existed ? IDX_PUT_REPLACED : IDX_PUT_ADDED;
    if (++w->in_batch < w->batch) goto done;
    rc = commit(w, 1, err);
    if (w->in_batch == 0) *outcome |= IDX_PUT_COMMITTED; /* also when the next failed to begin */
done:
    idx_xdoc_free(doc);
    idx_article_fini(&a);
    return rc;
}

int idx_writer_put(idx_writer *w, const char *json, size_t n, int *outcome, idx_err *err)
{
    return put(w, json, n, 0, outcome, err);
}

int idx_writer_put_stored(idx_writer *w, idx_db *src, idx_err *err)
{
    /* each article keeps the revision that committed it, and the revisions
     * go on from the source's: a poller (since=) sees nothing twice */
    idx_db_stats st;
    uint64_t rev_min, rev_max;
    int rc = idx_db_get_stats(src, &st, err);
    if (!rc) rc = idx_db_revision(src, &rev_min, &rev_max, err);
    if (!rc && w->rev <= rev_max) w->rev = rev_max + 1;
    for (uint64_t did = 1; !rc && did <= st.last_docid; did++) {
        char *data = NULL;
        size_t len = 0;
        idx_err e;
        idx_err_clear(&e);
        rc = idx_db_doc_data(src, (unsigned)did, &data, &len, &e);
        if (rc == IDX_ENOTFOUND) { /* a deleted or replaced article's id */
            rc = IDX_OK;
            continue;
        }
        if (rc) {
            idx_err_set(err, rc, "writer.stored", "cannot read article %llu of the source: %s",
                        (unsigned long long)did, e.msg);
            break;
        }
        double rev = 0;
        rc = idx_db_doc_number(src, (unsigned)did, IDX_SLOT_REV, &rev, &e);
        if (rc) {
            free(data);
            idx_err_set(err, rc, "writer.stored", "cannot read article %llu of the source: %s",
                        (unsigned long long)did, e.msg);
            break;
        }
        rc = put(w, data, len, rev >= 1 ? (uint64_t)rev : 0, NULL, err);
        free(data);
        if (rc == IDX_EINVAL) { /* counted rejected: carry on */
            idx_err_clear(err);
            rc = IDX_OK;
        }
    }
    return rc;
}

int idx_writer_delete(idx_writer *w, const char *id, size_t n, idx_err *err)
{
    if (w->failed)
        return idx_err_set(err, w->failed, "writer",
                           "cannot write to database %s: an earlier write failed", w->path);
    if (w->jobs > 1)
        return idx_err_set(err, IDX_EINVAL, "writer",
                           "a writer of a parallel build holds only a share of "
                           "%s: it cannot delete",
                           w->path);
    idx_err e;
    idx_err_clear(&e);
    int rc = idx_uid_term(id, n, &w->uid, &e);
    if (!rc && !w->in_txn && (rc = begin(w, err))) return rc;
    if (!rc) rc = idx_db_delete(w->db, w->uid.data, w->uid.len, &e);
    if (rc == IDX_ENOTFOUND)
        return idx_err_set(err, rc, "writer", "not found: %.*s",
                           (int)(n > IDX_ARTICLE_MAX_ID ? IDX_ARTICLE_MAX_ID : n), id);
    if (rc) return fail(w, rc, &e, err);
    w->pend_deleted++;
    w->counts.pending++;
    return IDX_OK;
}

int idx_writer_set_metadata(idx_writer *w, const char *key, const char *value, idx_err *err)
{
    return idx_db_set_metadata(w->db, key, value, err);
}

int idx_writer_commit(idx_writer *w, idx_err *err)
{
    if (w->failed)
        return idx_err_set(err, w->failed, "writer",
                           "cannot write to database %s: an earlier write failed", w->path);
    return commit(w, 0, err);
}

const idx_write_counts *idx_writer_counts(const idx_writer *w)
{
    return &w->counts;
}

void idx_writer_close(idx_writer *w)
{
    if (!w) return;
    idx_db_close(w->db); /* an open batch is dropped */
    idx_route_free(w->route);
    idx_buf_fini(&w->uid);
    idx_buf_fini(&w->cluster_key);
    free(w->path);
    free(w);
}

/* ---- parallel builds ---- */

struct idx_build {
    idx_writer_opts o; /* o.db: the target */
    unsigned jobs;
    int parts;         /* a new plain database, built in parts */
    char *stage;       /* parts: the staging directory (owned) */
    int lockfd;        /* its lock (staging.h), or -1 */
    char **part;       /* part[j]: job j's database, in stage (owned) */
    char *merged;      /* stage/db: the parts merged (owned) */
};

#define COMPACT_TAG ".recompact-" /* idx_writer_compact_if_grown's staging */
#define STAGE_TAG ".parts-"
#define STAGE_WHAT "idx add --jobs" /* for the notes of idx_stage_scan */

/* The shards of the hash archive o.db (made first when o.shard_by names
 * one), all made now: no writer of the build rewrites the stub. */
static int prepare_shards(idx_build *b, idx_err *err)
{
    const char *db = b->o.db;
    if (idx_fs_make_parents(db) != 0)
        return idx_err_set(err, IDX_EIO, "writer", "cannot create the directories above %s: %s", db,
                           strerror(errno));
    int rc;
    if (b->o.shard_by && (rc = prepare_archive(db, b->o.shard_by, err))) return rc;
    idx_archive ar;
    char *stub = NULL;
    idx_err e;
    idx_err_clear(&e);
    if (idx_archive_detect(db, &stub) != 1 || idx_archive_read(stub, &ar, &e) != IDX_OK) {
        free(stub);
        return idx_err_set(err, IDX_EINVAL, "writer",
                           "--jobs builds the shards of an archive sharded by hash:N, or a new "
                           "plain database; %s is neither",
                           db);
    }
    free(stub);
    unsigned nshards = strncmp(ar.shard_by, "hash:", 5) == 0 ? (unsigned)atoi(ar.shard_by + 5) : 0;
    rc = IDX_OK;
    if (nshards == 0)
        rc = idx_err_set(err, IDX_EINVAL, "writer",
                         "--jobs needs an archive sharded by hash:N; %s is "
                         "sharded by %s",
                         db, ar.shard_by[0] ? ar.shard_by : "hand");
    else if (b->jobs > nshards)
        rc = idx_err_set(err, IDX_EINVAL, "writer",
                         "--jobs %u: the archive has only %u shards (hash:%u)", b->jobs, nshards,
                         nshards);
    for (unsigned k = 0; rc == IDX_OK && k < nshards; k++) {
        char key[IDX_SHARD_KEY_MAX];
        snprintf(key, sizeof key, "h%03u", k);
        if (idx_archive_find(&ar, key) < 0 && (rc = idx_archive_add_shard(&ar, key, &e)))
            rc = idx_err_set(err, rc == IDX_EINVAL ? IDX_EDB : rc, e.where, "%s", e.msg);
    }
    idx_archive_fini(&ar);
    return rc;
}

/* The staging directory of a new plain database o.db and its parts' paths;
 * stale staging directories removed first (and again, with mine made: of two
 * builds starting at once, one sees the other). */
static int prepare_parts(idx_build *b, idx_note_fn note, void *ctx, idx_err *err)
{
    const char *db = b->o.db;
    size_t dl = strlen(db);
    while (dl > 1 && db[dl - 1] == '/') dl--;
    size_t cap = dl + 32;
    char *busy = NULL;
    int rc;
    b->stage = malloc(cap);
    b->merged = malloc(cap);
    b->part = calloc(b->jobs, sizeof *b->part);
    if (!b->stage || !b->merged || !b->part ||
        idx_stage_scan(db, dl, STAGE_TAG, STAGE_WHAT, NULL, &busy, note, ctx) != 0)
        return idx_err_set(err, IDX_ENOMEM, "writer", "out of memory");
    if (busy) goto busy;
    if (idx_fs_is_free(db) != 1)
        return idx_err_set(err, IDX_EINVAL, "writer",
                           "--jobs builds a new database, and %s exists: add to it without "
                           "--jobs (or build a new one and swap it in)",
                           db);
    if (idx_fs_make_parents(db) != 0)
        return idx_err_set(err, IDX_EIO, "writer", "cannot create the directories above %s: %s", db,
                           strerror(errno));
    if ((b->lockfd = idx_stage_make(b->stage, cap, db, dl, STAGE_TAG)) < 0)
        return idx_err_set(err, IDX_EIO, "writer", "cannot make a staging directory beside %s: %s",
                           db, strerror(errno));
    if (idx_stage_scan(db, dl, STAGE_TAG, STAGE_WHAT, b->stage, &busy, note, ctx) != 0)
        return idx_err_set(err, IDX_ENOMEM, "writer", "out of memory");
    if (busy) goto busy;
    snprintf(b->merged, cap, "%s/db", b->stage);
    for (unsigned j = 0; j < b->jobs; j++) {
        if (!(b->part[j] = malloc(cap)))
            return idx_err_set(err, IDX_ENOMEM, "writer", "out of memory");
        snprintf(b->part[j], cap, "%s/%u", b->stage, j);
    }
    return IDX_OK;
busy:
    rc = idx_err_set(err, IDX_ELOCKED, "writer",
                     "another idx add --jobs is building %s (its staging directory %s is in "
                     "use): wait for it to finish, or build into another directory",
                     db, busy);
    free(busy);
    return rc;
}

int idx_build_open(const idx_writer_opts *o, unsigned jobs, idx_note_fn note, void *ctx,
                   idx_build **out, idx_err *err)
{
    *out = NULL;
    if (jobs < 2 || jobs > 256)
        return idx_err_set(err, IDX_EINVAL, "writer",
                           "a parallel build takes 2 to 256 writers, not %u", jobs);
    idx_build *b = calloc(1, sizeof *b);
    if (!b) return idx_err_set(err, IDX_ENOMEM, "writer", "out of memory");
    b->o = *o;
    b->jobs = jobs;
    b->lockfd = -1;
    char *stub = NULL;
    int isarch = idx_archive_detect(o->db, &stub);
    free(stub);
    b->parts = !o->shard_by && isarch == 0;
    int rc = b->parts ? prepare_parts(b, note, ctx, err) : prepare_shards(b, err);
    if (rc) {
        idx_err e;
        idx_err_clear(&e);
        if (idx_build_close(b, &e) && note) note(ctx, e.msg);
        return rc;
    }
    *out = b;
    return IDX_OK;
}

int idx_build_parts(const idx_build *b)
{
    return b->parts;
}

int idx_build_writer(const idx_build *b, unsigned job, idx_writer **out, idx_err *err)
{
    *out = NULL;
    if (job >= b->jobs)
        return idx_err_set(err, IDX_EINVAL, "writer", "no job %u in a build of %u", job, b->jobs);
    return writer_open(&b->o, b->parts ? b->part[job] : b->o.db, b->parts, job, b->jobs, out,
                       err);
}

int idx_compacted_record(const char *dir, idx_err *err)
{
    idx_db *d = NULL;
    char num[32];
    snprintf(num, sizeof num, "%llu", idx_fs_usage(dir));
    int rc = idx_db_open(dir, IDX_DB_WRITE, &d, err);
    if (!rc) rc = idx_db_set_metadata(d, IDX_META_COMPACT_BYTES, num, err);
    if (!rc) rc = idx_db_commit(d, err);
    idx_db_close(d);
    return rc;
}

int idx_writer_compact_if_grown(idx_writer *w, unsigned long long *before,
                                unsigned long long *after, idx_note_fn note, void *ctx,
                                idx_err *err)
{
    *before = *after = 0;
    if (w->failed || w->jobs > 1 || *w->shard_by) return IDX_OK;
    char *rec = NULL;
    int rc = idx_db_get_metadata(w->db, IDX_META_COMPACT_BYTES, &rec, err);
    if (rc) return rc;
    int recorded = *rec != '\0';
    unsigned long long was = strtoull(rec, NULL, 10), now = idx_fs_usage(w->path);
    free(rec);
    if (!recorded ||
        (was ? now <= (unsigned long long)(IDX_COMPACT_GROWTH * (double)was) : now < IDX_COMPACT_FIRST))
        return IDX_OK;
    size_t pl = strlen(w->path), cap = pl + 64;
    char *stage = malloc(cap), *dst = malloc(cap), *busy = NULL;
    int lockfd = -1;
    if (!stage || !dst) {
        rc = idx_err_set(err, IDX_ENOMEM, "writer.compact", "out of memory");
        goto done;
    }
    if (idx_stage_scan(w->path, pl, COMPACT_TAG, "idx add (compacting)", NULL, &busy, note,
                       ctx) != 0) {
        rc = idx_err_set(err, IDX_ENOMEM, "writer.compact", "out of memory");
        goto done;
    }
    if ((lockfd = idx_stage_make(stage, cap, w->path, pl, COMPACT_TAG)) < 0) {
        rc = idx_err_set(err, IDX_EIO, "writer.compact",
                         "cannot make a staging directory beside %s: %s", w->path,
                         strerror(errno));
        goto done;
    }
    snprintf(dst, cap, "%s/db", stage);
    idx_err e;
    idx_err_clear(&e);
    if (idx_db_compact(w->db, dst, &e) || idx_compacted_record(dst, &e)) {
        rc = idx_err_set(err, e.rc == IDX_EINVAL ? IDX_EDB : e.rc, "writer.compact",
                         "cannot compact %s: %s (it is as it was)", w->path, e.msg);
        goto done;
    }
    if (idx_fs_exchange(dst, w->path) != 0) {
        rc = idx_err_set(err, IDX_EIO, "writer.compact",
                         "cannot put the compacted database in place of %s: %s (it is as it was)",
                         w->path, strerror(errno));
        goto done;
    }
    w->failed = IDX_EDB; /* its database moved away: only idx_writer_close is left */
    *before = now;
    *after = idx_fs_usage(w->path);
done:
    if (lockfd >= 0 && idx_stage_remove(stage, lockfd) != 0 && note)
        note(ctx, "could not remove a compaction's staging directory (the next compaction "
                  "removes it)");
    free(stage);
    free(dst);
    free(busy);
    return rc;
}

int idx_build_finish(idx_build *b, idx_err *err)
{
    if (!b->parts) return IDX_OK;
    idx_err e;
    idx_err_clear(&e);
    if (idx_db_merge((const char *const *)b->part, b->jobs, b->merged, &e) != IDX_OK ||
        idx_compacted_record(b->merged, &e) != IDX_OK)
        return idx_err_set(err, e.rc == IDX_EINVAL ? IDX_EDB : e.rc, "writer",
                           "cannot merge the parts in %s: %s", b->stage, e.msg);
    if (idx_stage_store(b->merged, b->o.db) != 0)
        return idx_err_set(err, IDX_EIO, "writer", "cannot store the merged database as %s: %s",
                           b->o.db, strerror(errno));
    return IDX_OK;
}

int idx_build_close(idx_build *b, idx_err *err)
{
    if (!b) return IDX_OK;
    int rc = IDX_OK;
    /* removed under the lock: no other build takes it for a stale one meanwhile */
    if (b->lockfd >= 0 && idx_stage_remove(b->stage, b->lockfd) != 0)
        rc = idx_err_set(err, IDX_EIO, "writer",
                         "could not remove the staging directory %s: %s (the next idx add "
                         "--jobs into %s removes it)",
                         b->stage, strerror(errno), b->o.db);
    for (unsigned j = 0; b->part && j < b->jobs; j++) free(b->part[j]);
    free(b->part);
    free(b->stage);
    free(b->merged);
    free(b);
    return rc;
}
