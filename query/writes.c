/* writes.c - idxd's write path (writes.h): the journal, the task table and
 * the one writer thread.
 *
 * Threads: workers queue submissions (amu guards the queue); the journal
 * thread appends them in groups with one fdatasync each and numbers their
 * tasks; the writer thread applies the journal.  w->mu guards the task
 * table, the counters and the stop flag; the journal has its own mutex.
 * Neither thread holds w->mu while it writes to the disk, and no worker
 * waits for the disk at all, so GET /tasks and searches never wait for
 * either.  A task's slot may be made by the writer before the journal
 * thread gets to it (the record is in the journal before either touches
 * the table): whoever comes second leaves it.
 */
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "db.h"
#include "fs.h"
#include "journal.h"
#include "writer.h"
#include "writes.h"

#define BATCH_ARTICLES 5000     /* articles per commit, at most */
#define BATCH_BYTES (64u << 20) /* journal bytes per commit, at most */
#define TRIM_MIN_BYTES (8u << 20)
#define TASKS_LOG_MAX (16u << 20) /* JOURNAL.tasks is cut back at start past this */
#define NOTE_EVERY_S 10.0
#define STOP_DRAIN_S 5.0 /* at a stop, the longest spent applying what is queued */
#define FAIL_TRIES 3     /* a record failing on its own, alone in a batch, this often: failed */

enum { T_NONE, T_ENQUEUED, T_PROCESSING, T_SUCCEEDED, T_FAILED };
static const char *const status_names[] = {"unknown", "enqueued", "processing", "succeeded",
                                            "failed"};

typedef struct task {
    uint64_t id;
    int type, status;
    uint64_t added, replaced, deleted, rejected;
    json_t *errors; /* [{"line","reason"}], at most IDXD_TASK_ERRORS */
    uint64_t more_errors;
    double enqueued, finished; /* CLOCK_REALTIME seconds; 0: not known / not yet */
    uint64_t commit;           /* the writer's commit that applied it (0: not this process's) */
    uint64_t bytes;            /* its record's size in the journal */
    char *error;               /* a failed task: why */
    json_t *kept;              /* a finished task read back from JOURNAL.tasks */
} task;

struct idxd_writes {
    idxd_writes_opts o;
    idx_journal *j;
    char *tasks_path;
    FILE *tasks_log;
    pthread_t thread;
    int started;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int stopping;
    uint64_t applied;     /* last sequence number the database holds */
    uint64_t queue_bytes; /* submitted, not applied */
    uint64_t commits;
    int waiting_for_lock;
    /* the writer thread's own: a batch ends before cut_at (a record that
     * failed on its own inside one); fail_seq failed fail_tries times alone */
    uint64_t cut_at, fail_seq;
    int fail_tries;
    /* the journal thread: submissions queued (amu guards), appended in groups */
    pthread_t jthread;
    int jstarted;
    pthread_mutex_t amu;
    pthread_cond_t acv;
    idxd_append *aq_head, *aq_tail;
    int astop;
    task tasks[IDXD_TASKS_KEPT];
};

static double wall(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void note(const char *fmt, ...)
{
    char line[1200];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(line, sizeof line - 1, fmt, ap);
    va_end(ap);
    if (n < 0) return;
    if (n > (int)sizeof line - 2) n = (int)sizeof line - 2;
    line[n++] = '\n';
    ssize_t wr = write(STDERR_FILENO, line, (size_t)n); /* one write: lines never interleave */
    (void)wr;
}

static void task_clear(task *t)
{
    json_decref(t->errors);
    json_decref(t->kept);
    free(t->error);
    memset(t, 0, sizeof *t);
}

static task *slot(idxd_writes *w, uint64_t id)
{
    return &w->tasks[id % IDXD_TASKS_KEPT];
}

/* The slot of task id, made (enqueued) when it holds another; w->mu held. */
static task *task_get(idxd_writes *w, uint64_t id, int type, double enqueued, uint64_t bytes)
{
    task *t = slot(w, id);
    if (t->id != id || t->kept) { /* (a kept one is of a journal numbered before) */
        task_clear(t);
        t->id = id;
        t->type = type;
        t->status = T_ENQUEUED;
        t->enqueued = enqueued;
        t->bytes = bytes;
    }
    return t;
}

static void iso_time(double t, char out[32])
{
    time_t s = (time_t)t;
    struct tm tm;
    gmtime_r(&s, &tm);
    int ms = (int)((t - (double)s) * 1000);
    if (ms < 0) ms = 0;
    if (ms > 999) ms = 999;
    char base[24];
    strftime(base, sizeof base, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(out, 32, "%s.%03dZ", base, ms);
}

static json_t *time_json(double t)
{
    if (t <= 0) return json_null();
    char s[32];
    iso_time(t, s);
    return json_string(s);
}

/* t as JSON (a new reference); w->mu held. */
static json_t *task_json(const task *t)
{
    if (t->kept) return json_incref(t->kept);
    /* a copy: the writer thread replaces a task's errors while workers read */
    json_t *errors = t->errors ? json_deep_copy(t->errors) : json_array();
    json_t *o = json_pack("{s:I, s:s, s:s, s:I, s:I, s:I, s:I, s:o, s:o, s:o}", "task",
                          (json_int_t)t->id, "type", t->type == IDX_JREC_DELETE ? "delete" : "docs",
                          "status", status_names[t->status], "added", (json_int_t)t->added,
                          "replaced", (json_int_t)t->replaced, "deleted", (json_int_t)t->deleted,
                          "rejected", (json_int_t)t->rejected, "errors", errors, "enqueued_at",
                          time_json(t->enqueued), "finished_at", time_json(t->finished));
    if (!o) return NULL;
    if (t->more_errors) {
        json_object_set_new(o, "errors_truncated", json_true());
        json_object_set_new(o, "errors_more", json_integer((json_int_t)t->more_errors));
    }
    if (t->error) json_object_set_new(o, "error", json_string(t->error));
    return o;
}

json_t *idxd_writes_task(idxd_writes *w, uint64_t id, int *done, uint64_t *commit)
{
    if (commit) *commit = 0;
    pthread_mutex_lock(&w->mu);
    const task *t = slot(w, id);
    json_t *o = NULL;
    if (t->id == id && id > 0) {
        o = task_json(t);
        if (done) *done = t->status == T_SUCCEEDED || t->status == T_FAILED;
        if (commit) *commit = t->commit;
    } else if (id > 0 && id <= w->applied) {
        /* applied, its outcome not kept (older than the tasks kept, or the
         * tasks file was removed): all that is known is that it is done */
        o = json_pack("{s:I, s:s, s:s, s:n, s:n, s:n, s:n, s:n, s:n, s:n, s:s}", "task",
                      (json_int_t)id, "type", "unknown", "status", "succeeded", "added", "replaced",
                      "deleted", "rejected", "errors", "enqueued_at", "finished_at", "note",
                      "applied; its counts are no longer kept");
        if (done) *done = 1;
    }
    pthread_mutex_unlock(&w->mu);
    return o;
}

uint64_t idxd_writes_commits(idxd_writes *w)
{
    pthread_mutex_lock(&w->mu);
    uint64_t c = w->commits;
    pthread_mutex_unlock(&w->mu);
    return c;
}

void idxd_writes_get_stats(idxd_writes *w, idxd_writes_stats *st)
{
    pthread_mutex_lock(&w->mu);
    st->applied = w->applied;
    st->queue_bytes = w->queue_bytes;
    st->max_queue = w->o.max_queue;
    st->commits = w->commits;
    st->waiting_for_lock = w->waiting_for_lock;
    pthread_mutex_unlock(&w->mu);
    st->last_task = idx_journal_last_seq(w->j);
    st->journal_bytes = idx_journal_bytes(w->j);
}

/* Reserve the queue bytes a record of n bytes costs: 1, or 0 when the queue
 * is full (nothing reserved). */
static int reserve(idxd_writes *w, size_t n, uint64_t *cost)
{
    *cost = IDX_JOURNAL_RECORD_HEAD + (uint64_t)n;
    pthread_mutex_lock(&w->mu);
    /* one request larger than the queue alone is let in when it is empty */
    int ok = !(w->queue_bytes > 0 && w->queue_bytes + *cost > w->o.max_queue);
    if (ok) w->queue_bytes += *cost; /* reserved before the append: no overshoot */
    pthread_mutex_unlock(&w->mu);
    return ok;
}

int idxd_writes_submit_async(idxd_writes *w, idxd_append *a, int *full, idx_err *err)
{
    *full = 0;
    if (a->n > IDX_JOURNAL_MAX_PAYLOAD)
        return idx_err_set(err, IDX_ETOOBIG, "writes", "a body of %zu bytes (max %u)", a->n,
                           IDX_JOURNAL_MAX_PAYLOAD);
    if (!reserve(w, a->n, &a->cost)) {
        *full = 1;
        return IDX_OK;
    }
    atomic_store(&a->done, 0);
    a->next = NULL;
    pthread_mutex_lock(&w->amu);
    if (w->aq_tail) w->aq_tail->next = a;
    else w->aq_head = a;
    w->aq_tail = a;
    pthread_cond_signal(&w->acv);
    pthread_mutex_unlock(&w->amu);
    return IDX_OK;
}

/* The journal thread: takes every submission queued, appends them with one
 * fdatasync, numbers their tasks, and tells each submitter.  At a stop it
 * empties the queue first. */
static void *journal_main(void *arg)
{
    idxd_writes *w = arg;
    for (;;) {
        pthread_mutex_lock(&w->amu);
        while (!w->aq_head && !w->astop) pthread_cond_wait(&w->acv, &w->amu);
        idxd_append *group = w->aq_head;
        w->aq_head = w->aq_tail = NULL;
        pthread_mutex_unlock(&w->amu);
        if (!group) break; /* stopping, and nothing left */
        size_t count = 0;
        for (idxd_append *a = group; a; a = a->next) count++;
        int *types = malloc(count * sizeof *types);
        const void **datas = malloc(count * sizeof *datas);
        size_t *lens = malloc(count * sizeof *lens);
        uint64_t *seqs = malloc(count * sizeof *seqs);
        idx_err err;
        idx_err_clear(&err);
        int rc;
        if (!types || !datas || !lens || !seqs) {
            rc = idx_err_set(&err, IDX_ENOMEM, "writes", "out of memory");
        } else {
            size_t k = 0;
            for (idxd_append *a = group; a; a = a->next, k++) {
                types[k] = a->type;
                datas[k] = a->data;
                lens[k] = a->n;
            }
            rc = idx_journal_append_many(w->j, count, types, datas, lens, seqs, &err);
        }
        double now = wall();
        pthread_mutex_lock(&w->mu);
        size_t k = 0;
        for (idxd_append *a = group; a; a = a->next, k++) {
            if (rc) w->queue_bytes = w->queue_bytes > a->cost ? w->queue_bytes - a->cost : 0;
            else task_get(w, seqs[k], a->type, now, a->cost);
        }
        pthread_cond_signal(&w->cv);
        pthread_mutex_unlock(&w->mu);
        k = 0;
        for (idxd_append *a = group, *next; a; a = next, k++) {
            next = a->next; /* (a may be freed once done is set) */
            a->rc = rc;
            a->task = rc ? 0 : seqs[k];
            a->err = err;
            void (*notify)(void *) = a->notify;
            void *narg = a->notify_arg;
            atomic_store(&a->done, 1);
            if (notify) notify(narg);
        }
        free(types);
        free(datas);
        free(lens);
        free(seqs);
    }
    return NULL;
}

/* ---- the writer thread ---- */

static void add_error(task *t, uint64_t line, const char *reason)
{
    t->rejected++;
    if (!t->errors) t->errors = json_array();
    if (json_array_size(t->errors) >= IDXD_TASK_ERRORS) {
        t->more_errors++;
        return;
    }
    json_t *rs = json_string(reason);
    if (!rs) rs = json_string("(reason not valid UTF-8)");
    json_t *e = json_pack("{s:I, s:o}", "line", (json_int_t)line, "reason", rs);
    if (e) json_array_append_new(t->errors, e);
}

/* Apply one record to wr, counting into t (its counts reset first: a
 * record is applied again after a failed commit).  IDX_OK, or the
 * database's error. */
static int apply_record(idx_writer *wr, const idx_jrec *r, task *t, idx_err *err)
{
    t->added = t->replaced = t->deleted = t->rejected = t->more_errors = 0;
    json_decref(t->errors);
    t->errors = NULL;
    if (r->type == IDX_JREC_DELETE) {
        idx_err e;
        idx_err_clear(&e);
        int rc = idx_writer_delete(wr, r->data, r->len, &e);
        if (rc == IDX_OK) t->deleted = 1;
        else if (rc != IDX_ENOTFOUND) return *err = e, rc;
        return IDX_OK;
    }
    const char *p = r->data, *end = r->data + r->len;
    if (r->len >= 3 && memcmp(p, "\xef\xbb\xbf", 3) == 0) p += 3; /* a byte-order mark, as idx add */
    for (uint64_t line = 1; p < end; line++) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *le = nl ? nl : end;
        size_t len = (size_t)(le - p);
        if (len > 0 && p[len - 1] == '\r') len--;
        size_t k = 0;
        while (k < len && (p[k] == ' ' || p[k] == '\t')) k++;
        if (k < len) { /* blank lines are skipped, as idx add skips them */
            idx_err e;
            idx_err_clear(&e);
            int outcome = 0;
            int rc = idx_writer_put(wr, p, len, &outcome, &e);
            if (rc == IDX_EINVAL) add_error(t, line, e.msg);
            else if (rc) return *err = e, rc;
            else if (outcome & IDX_PUT_REPLACED) t->replaced++;
            else if (outcome & IDX_PUT_ADDED) t->added++;
        }
        p = nl ? nl + 1 : end;
    }
    return IDX_OK;
}

/* Append finished tasks [from, to] to the tasks file (kept for GET /tasks
 * after a restart; not fsync'd: a task's outcome can be recomputed, its
 * articles are in the database). */
static void log_tasks(idxd_writes *w, uint64_t from, uint64_t to)
{
    if (!w->tasks_log) return;
    for (uint64_t id = from; id <= to; id++) {
        pthread_mutex_lock(&w->mu);
        const task *t = slot(w, id);
        json_t *o = t->id == id ? task_json(t) : NULL;
        pthread_mutex_unlock(&w->mu);
        char *s = o ? json_dumps(o, JSON_COMPACT) : NULL;
        if (s) fprintf(w->tasks_log, "%s\n", s);
        free(s);
        json_decref(o);
    }
    fflush(w->tasks_log);
}

/* Whether an error applying a record is the database's (a full disk, a
 * lock, a read that raced a commit: the batch is applied again later) and
 * not the record's own. */
static int database_error(int rc)
{
    return rc == IDX_EDB || rc == IDX_EIO || rc == IDX_ELOCKED || rc == IDX_EMODIFIED ||
           rc == IDX_ENODB;
}

/* The database's writer for one batch: its own text options (the ones it
 * records), every put in the batch (committed by the caller). */
static int open_writer(idxd_writes *w, idx_writer **wr, idx_err *err)
{
    idx_writer_opts wo = {.db = w->o.db, .want = {.format = -1, .unigrams = -1, .fold = -1},
                          .batch = 0xffffffffu};
    return idx_writer_open(&wo, wr, err);
}

/* After the commit of records first..c->seq (bytes of journal): the tasks
 * done, the callers told, the journal trimmed. */
static void batch_done(idxd_writes *w, idx_jcursor *c, uint64_t first, uint64_t bytes)
{
    double now = wall();
    pthread_mutex_lock(&w->mu);
    w->commits++;
    for (uint64_t id = first; id <= c->seq; id++) {
        task *t = slot(w, id);
        if (t->id != id) continue;
        if (t->status != T_FAILED) t->status = T_SUCCEEDED;
        t->finished = now;
        t->commit = w->commits;
    }
    w->applied = c->seq;
    w->queue_bytes = w->queue_bytes > bytes ? w->queue_bytes - bytes : 0;
    pthread_cond_broadcast(&w->cv);
    pthread_mutex_unlock(&w->mu);
    log_tasks(w, first, c->seq);
    if (w->o.committed) w->o.committed(w->o.ctx);
    idx_err te;
    idx_err_clear(&te);
    int trimmed;
    if (idx_journal_trim(w->j, c, TRIM_MIN_BYTES, &trimmed, &te) != IDX_OK)
        note("idxd: %s", te.msg);
}

/* Record seq (size bytes of journal, the cursor just past it) failed on its
 * own, err says why: a commit of nothing but the journal's mark past it,
 * and its task failed.  IDX_OK with *committed, or the database's error
 * (the cursor back before it, to be tried again). */
static int skip_failed(idxd_writes *w, idx_jcursor *c, uint64_t seq, uint64_t size,
                       int *committed, idx_err *err)
{
    char why[sizeof err->msg];
    snprintf(why, sizeof why, "%s", err->msg);
    idx_err_clear(err);
    uint64_t start_off = c->off - size;
    idx_writer *wr = NULL;
    char mark[32];
    snprintf(mark, sizeof mark, "%llu", (unsigned long long)seq);
    int rc = open_writer(w, &wr, err);
    if (!rc) rc = idx_writer_set_metadata(wr, IDX_META_JOURNAL_SEQ, mark, err);
    if (!rc) rc = idx_writer_commit(wr, err);
    idx_writer_close(wr);
    pthread_mutex_lock(&w->mu);
    task *t = slot(w, seq);
    if (t->id == seq) {
        if (!rc) t->added = t->replaced = t->deleted = 0; /* none of it is in */
        t->status = rc ? T_ENQUEUED : T_FAILED;
        free(t->error);
        t->error = rc ? NULL : strdup(why);
    }
    pthread_mutex_unlock(&w->mu);
    if (rc) {
        c->off = start_off;
        c->seq = seq - 1;
        return rc;
    }
    note("idxd: task %llu failed %d times on its own; nothing of it is applied, and the writes "
         "after it go on: %s",
         (unsigned long long)seq, FAIL_TRIES, why);
    w->cut_at = 0;
    *committed = 1;
    batch_done(w, c, seq, size);
    return IDX_OK;
}

/* Apply the records after c->seq, up to a batch, and commit: IDX_OK with
 * *committed 1 (a batch was committed) or 0 (nothing to do), IDX_ELOCKED
 * when another writer holds the database, or another error (err says; the
 * cursor is back where it was, the batch dropped, to be applied again).
 * A record that fails on its own (not a database error) inside a batch
 * drops it, and the next batch ends before that record (cut_at); alone at
 * the head of one, it is tried FAIL_TRIES times (a second apart), then its
 * task is marked failed (with the reason), none of it is applied, and a
 * commit records the journal past it (skip_failed), so one bad record
 * never holds back the ones after it. */
static int apply_batch(idxd_writes *w, idx_jcursor *c, int *committed, idx_err *err)
{
    *committed = 0;
    idx_writer *wr = NULL;
    int rc = open_writer(w, &wr, err);
    if (rc) return rc;
    uint64_t start_off = c->off, start_seq = c->seq, first = 0, bytes = 0, articles = 0;
    int recut = 0; /* a record failed on its own inside: the batch is made again before it */
    idx_jrec r;
    while (articles < BATCH_ARTICLES && bytes < BATCH_BYTES) {
        int got = idx_journal_next(w->j, c, &r, err);
        if (got != 1) {
            rc = got; /* 0: nothing more; else the journal's error */
            break;
        }
        uint64_t size = IDX_JOURNAL_RECORD_HEAD + r.len;
        if (first && w->cut_at && r.seq >= w->cut_at) { /* for the next batch */
            c->off -= size;
            c->seq = r.seq - 1;
            rc = 0;
            break;
        }
        if (!first) first = r.seq;
        pthread_mutex_lock(&w->mu);
        task *t = task_get(w, r.seq, r.type, r.time_ms / 1e3, size);
        t->status = T_PROCESSING;
        task scratch = *t; /* counted outside the lock */
        t->errors = NULL;
        pthread_mutex_unlock(&w->mu);
        scratch.kept = NULL;
        scratch.error = NULL;
        rc = apply_record(wr, &r, &scratch, err);
        pthread_mutex_lock(&w->mu);
        t = slot(w, r.seq);
        if (t->id == r.seq) {
            json_decref(t->errors);
            t->added = scratch.added;
            t->replaced = scratch.replaced;
            t->deleted = scratch.deleted;
            t->rejected = scratch.rejected;
            t->errors = scratch.errors;
            t->more_errors = scratch.more_errors;
        } else {
            json_decref(scratch.errors);
        }
        pthread_mutex_unlock(&w->mu);
        if (rc && !database_error(rc) && r.seq != first) {
            w->cut_at = r.seq; /* the records before it go first, then it alone */
            recut = 1;
        } else if (rc && !database_error(rc)) {
            w->fail_tries = w->fail_seq == r.seq ? w->fail_tries + 1 : 1;
            w->fail_seq = r.seq;
            if (w->fail_tries >= FAIL_TRIES) {
                idx_writer_close(wr);
                return skip_failed(w, c, r.seq, size, committed, err);
            }
        }
        if (rc) break;
        bytes += size;
        articles += 1 + scratch.added + scratch.replaced + scratch.rejected;
    }
    char seq[32];
    snprintf(seq, sizeof seq, "%llu", (unsigned long long)c->seq);
    if (!rc && first) rc = idx_writer_set_metadata(wr, IDX_META_JOURNAL_SEQ, seq, err);
    if (!rc && first) rc = idx_writer_commit(wr, err);
    if (rc || !first) {
        idx_writer_close(wr); /* the batch is dropped: applied again next time */
        pthread_mutex_lock(&w->mu);
        for (uint64_t id = start_seq + 1; first && id <= c->seq; id++)
            if (slot(w, id)->id == id) slot(w, id)->status = T_ENQUEUED;
        pthread_mutex_unlock(&w->mu);
        c->off = start_off;
        c->seq = start_seq;
        return recut ? IDX_OK : rc; /* (a cut batch is made again at once) */
    }
    /* no compaction here (idx_writer_compact_if_grown): a compact database
     * doubles at its next commit (Xapian copies the blocks a commit
     * touches), so compacting after a batch would mean compacting after
     * every batch; `idx compact` does it when wanted */
    idx_writer_close(wr);
    w->cut_at = 0;
    *committed = 1;
    batch_done(w, c, first, bytes);
    return IDX_OK;
}

static void *writer_main(void *arg)
{
    idxd_writes *w = arg;
    idx_jcursor c;
    idx_jcursor_init(&c, w->applied);
    double last_note = 0, backoff = 0, stop_by = 0;
    for (;;) {
        pthread_mutex_lock(&w->mu);
        while (!w->stopping && (backoff > 0 || idx_journal_last_seq(w->j) <= w->applied)) {
            struct timespec until;
            clock_gettime(CLOCK_REALTIME, &until);
            double wait = backoff > 0 ? backoff : 1.0;
            until.tv_sec += (time_t)wait;
            until.tv_nsec += (long)((wait - (double)(time_t)wait) * 1e9);
            if (until.tv_nsec >= 1000000000L) {
                until.tv_sec++;
                until.tv_nsec -= 1000000000L;
            }
            int r = pthread_cond_timedwait(&w->cv, &w->mu, &until);
            if (backoff > 0 && r == ETIMEDOUT) backoff = 0;
        }
        int stop = w->stopping, pending = idx_journal_last_seq(w->j) > w->applied;
        pthread_mutex_unlock(&w->mu);
        /* a stop applies what is acknowledged for up to STOP_DRAIN_S more
         * (the rest stays in the journal, for the next start) */
        if (stop && !stop_by) stop_by = idx_clock() + STOP_DRAIN_S;
        if (stop && (!pending || idx_clock() >= stop_by)) break;
        if (stop && backoff > 0) {
            idx_sleep(backoff);
            backoff = 0;
        }
        idx_err err;
        idx_err_clear(&err);
        int committed;
        int rc = apply_batch(w, &c, &committed, &err);
        pthread_mutex_lock(&w->mu);
        w->waiting_for_lock = rc == IDX_ELOCKED;
        pthread_mutex_unlock(&w->mu);
        if (rc == IDX_OK) continue;
        double now = idx_clock();
        backoff = rc == IDX_ELOCKED ? 0.2 : 1.0;
        if (now - last_note >= NOTE_EVERY_S) {
            last_note = now;
            if (rc == IDX_ELOCKED)
                note("idxd: writes wait: database %s is locked by another writer (idx add/rm?); "
                     "they are applied when it is free",
                     w->o.db);
            else
                note("idxd: cannot apply writes to %s (retrying; they stay in the journal): %s",
                     w->o.db, err.msg);
        }
    }
    idx_jcursor_fini(&c);
    return NULL;
}

/* ---- opening ---- */

/* The last journal record the database holds (0: none, or no database). */
static int db_applied(const char *path, uint64_t *seq, idx_err *err)
{
    *seq = 0;
    idx_db *db = NULL;
    idx_err e;
    idx_err_clear(&e);
    int rc = idx_db_open(path, IDX_DB_READ, &db, &e);
    if (rc == IDX_ENODB) return IDX_OK; /* made by the first write */
    if (rc) return idx_err_set(err, rc, "writes", "cannot open database %s: %s", path, e.msg);
    if (idx_db_is_archive(db)) {
        /* an archive's shards commit one after another: a crash between two
         * would leave them at different journal records */
        idx_db_close(db);
        return idx_err_set(err, IDX_EINVAL, "writes",
                           "%s is a sharded archive: writes over HTTP go to a plain database "
                           "(add to an archive with idx add)",
                           path);
    }
    char *v = NULL;
    rc = idx_db_get_metadata(db, IDX_META_JOURNAL_SEQ, &v, &e);
    if (rc == IDX_OK && v && *v) *seq = strtoull(v, NULL, 10);
    free(v);
    idx_db_close(db);
    if (rc) return idx_err_set(err, rc, "writes", "cannot read database %s: %s", path, e.msg);
    return IDX_OK;
}

/* Read back the finished tasks of JOURNAL.tasks (the newest win their
 * slots), cut it back when it has grown large, and open it to append. */
static void load_tasks(idxd_writes *w)
{
    FILE *f = fopen(w->tasks_path, "r");
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    long size = 0;
    while (f && (n = getline(&line, &cap, f)) > 0) {
        json_t *o = json_loadb(line, (size_t)n, 0, NULL);
        json_int_t id = json_integer_value(json_object_get(o, "task"));
        if (o && id > 0 && (uint64_t)id <= w->applied) { /* (later ones: another journal's) */
            task *t = slot(w, (uint64_t)id);
            task_clear(t);
            t->id = (uint64_t)id;
            t->status = T_SUCCEEDED;
            t->kept = o;
        } else {
            json_decref(o);
        }
    }
    if (f) {
        size = ftell(f);
        fclose(f);
    }
    free(line);
    if (size > (long)TASKS_LOG_MAX) { /* keep what the table holds */
        char *tmp = NULL;
        size_t tl = 0;
        FILE *m = open_memstream(&tmp, &tl);
        for (size_t i = 0; m && i < IDXD_TASKS_KEPT; i++) {
            char *s = w->tasks[i].kept ? json_dumps(w->tasks[i].kept, JSON_COMPACT) : NULL;
            if (s) fprintf(m, "%s\n", s);
            free(s);
        }
        if (m && fclose(m) == 0 && idx_fs_write_atomic(w->tasks_path, tmp, tl) != 0)
            note("idxd: cannot rewrite %s: %s", w->tasks_path, strerror(errno));
        free(tmp);
    }
    if (!(w->tasks_log = fopen(w->tasks_path, "a")))
        note("idxd: warning: cannot write %s (%s): finished tasks are not kept across restarts",
             w->tasks_path, strerror(errno));
}

int idxd_writes_open(const idxd_writes_opts *o, idxd_writes **out, idx_err *err)
{
    *out = NULL;
    idxd_writes *w = calloc(1, sizeof *w);
    if (!w) return idx_err_set(err, IDX_ENOMEM, "writes", "out of memory");
    w->o = *o;
    pthread_mutex_init(&w->mu, NULL);
    pthread_mutex_init(&w->amu, NULL);
    pthread_cond_init(&w->acv, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_cond_init(&w->cv, &ca);
    pthread_condattr_destroy(&ca);
    uint64_t applied = 0;
    int rc = db_applied(o->db, &applied, err);
    idx_jinfo info;
    if (!rc) rc = idx_journal_open(o->journal, applied, &w->j, &info, err);
    if (rc) {
        idxd_writes_close(w);
        return rc;
    }
    w->applied = applied;
    if (info.dropped_applied)
        note("idxd: journal %s: emptied of %llu bytes of records the database already holds "
             "(%s); kept in %s",
             o->journal, (unsigned long long)info.dropped_bytes, info.dropped_why,
             info.dropped_to);
    else if (info.dropped_bytes)
        note("idxd: journal %s: dropped a torn tail of %llu bytes (%s), never acknowledged; "
             "kept in %s",
             o->journal, (unsigned long long)info.dropped_bytes, info.dropped_why,
             info.dropped_to);
    if (info.records && info.first_seq > applied + 1)
        note("idxd: warning: the database %s holds tasks up to %llu and the journal %s starts at "
             "task %llu: tasks %llu-%llu are in neither (a database restored from an older "
             "backup?); re-send them if they matter",
             o->db, (unsigned long long)applied, o->journal, (unsigned long long)info.first_seq,
             (unsigned long long)applied + 1, (unsigned long long)info.first_seq - 1);
    size_t pl = strlen(o->journal);
    if (!(w->tasks_path = malloc(pl + 7))) {
        idxd_writes_close(w);
        return idx_err_set(err, IDX_ENOMEM, "writes", "out of memory");
    }
    memcpy(w->tasks_path, o->journal, pl);
    memcpy(w->tasks_path + pl, ".tasks", 7);
    load_tasks(w); /* (before the replay: a replayed task wins its slot) */
    /* what the database lacks is queued again */
    idx_jcursor c;
    idx_jcursor_init(&c, applied);
    idx_jrec r;
    uint64_t replay = 0;
    while ((rc = idx_journal_next(w->j, &c, &r, err)) == 1) {
        uint64_t size = IDX_JOURNAL_RECORD_HEAD + r.len;
        w->queue_bytes += size;
        task_get(w, r.seq, r.type, r.time_ms / 1e3, size); /* GET /tasks/N: enqueued */
        replay++;
    }
    idx_jcursor_fini(&c);
    if (rc) {
        idxd_writes_close(w);
        return rc;
    }
    if (replay)
        note("idxd: journal %s: %llu writes after task %llu are not in the database yet; "
             "applying them",
             o->journal, (unsigned long long)replay, (unsigned long long)applied);
    if (pthread_create(&w->thread, NULL, writer_main, w) != 0) {
        idxd_writes_close(w);
        return idx_err_set(err, IDX_ENOMEM, "writes", "cannot start the writer thread");
    }
    w->started = 1;
    if (pthread_create(&w->jthread, NULL, journal_main, w) != 0) {
        idxd_writes_close(w);
        return idx_err_set(err, IDX_ENOMEM, "writes", "cannot start the journal thread");
    }
    w->jstarted = 1;
    *out = w;
    return IDX_OK;
}

void idxd_writes_close(idxd_writes *w)
{
    if (!w) return;
    if (w->jstarted) { /* what is queued is appended (and answered) first */
        pthread_mutex_lock(&w->amu);
        w->astop = 1;
        pthread_cond_broadcast(&w->acv);
        pthread_mutex_unlock(&w->amu);
        pthread_join(w->jthread, NULL);
    }
    if (w->started) {
        pthread_mutex_lock(&w->mu);
        w->stopping = 1;
        pthread_cond_broadcast(&w->cv);
        pthread_mutex_unlock(&w->mu);
        pthread_join(w->thread, NULL);
    }
    for (size_t i = 0; i < IDXD_TASKS_KEPT; i++) task_clear(&w->tasks[i]);
    if (w->tasks_log) fclose(w->tasks_log);
    idx_journal_close(w->j);
    free(w->tasks_path);
    pthread_cond_destroy(&w->cv);
    pthread_mutex_destroy(&w->mu);
    pthread_cond_destroy(&w->acv);
    pthread_mutex_destroy(&w->amu);
    free(w);
}
