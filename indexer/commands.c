/* commands.c - `idx rm`, `idx get`, `idx stats`, `idx search`, `idx compact`.
 *
 * Each opens the database for just what it needs (rm: writer; the rest:
 * reader), reports errors as "idx: ..." on stderr and returns the exit
 * status.  JSON output is built with jansson so it is always valid.
 * compact writes its new database through a staging directory (staging.h).
 */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "clock.h"
#include "document.h"
#include "fs.h"
#include "idx.h"
#include "writer.h"
#include "query.h"
#include "search.h"
#include "staging.h"
#include "synonyms.h"
#include "db.h"

int idx_lock_wait(const idx_opts *o, double *since)
{
    double now = idx_clock();
    if (o->lock_wait == 0) return 0;
    if (*since == 0) {
        *since = now;
        fprintf(stderr, "idx: database %s is locked by another writer (idxd applying writes, "
                        "or idx add/rm); waiting up to %u s (--lock-wait)\n",
                o->db, o->lock_wait);
    }
    if (now - *since >= o->lock_wait) return 0;
    idx_sleep(0.1);
    return 1;
}

static int open_db(const idx_opts *o, int mode, idx_db **db)
{
    idx_err err;
    idx_err_clear(&err);
    double since = 0;
    int rc;
    while ((rc = idx_db_open(o->db, mode, db, &err)) == IDX_ELOCKED && mode == IDX_DB_WRITE &&
           idx_lock_wait(o, &since))
        idx_err_clear(&err);
    if (rc == IDX_OK) return 0;
    if (err.rc == IDX_ELOCKED)
        idx_die_msg("database %s is locked: another writer (idx add/rm) is running", o->db);
    else if (err.rc == IDX_ENODB)
        idx_die_msg("no database at %s (create one with: idx add --db %s FILE)", o->db, o->db);
    else
        idx_die_msg("cannot open database %s: %s", o->db, err.msg);
    return -1;
}

int idx_cmd_rm(const idx_opts *o)
{
    if (o->nargs < 1) {
        idx_die_msg("rm: give at least one article id");
        return EXIT_USAGE;
    }
    idx_db *db;
    if (open_db(o, IDX_DB_WRITE, &db)) return EXIT_DB;
    idx_err err;
    idx_err_clear(&err);
    idx_buf uid;
    idx_buf_init(&uid);
    unsigned long removed = 0, missing = 0;
    int rc = idx_db_begin(db, &err);
    for (int i = 0; i < o->nargs && rc == IDX_OK; i++) {
        rc = idx_uid_term(o->args[i], strlen(o->args[i]), &uid, &err);
        if (rc == IDX_OK) rc = idx_db_delete(db, uid.data, uid.len, &err);
        if (rc == IDX_ENOTFOUND) {
            fprintf(stderr, "idx: not found: %s\n", o->args[i]);
            missing++;
            idx_err_clear(&err);
            rc = IDX_OK;
        } else if (rc == IDX_OK) {
            removed++;
        }
    }
    if (rc == IDX_OK) rc = idx_db_commit(db, &err);
    if (rc) idx_die_msg("rm failed, nothing removed: %s", err.msg);
    idx_db_close(db);
    idx_buf_fini(&uid);
    if (rc) return EXIT_DB;
    printf("removed %lu, not found %lu\n", removed, missing);
    return missing ? EXIT_PARTIAL : EXIT_OK;
}

int idx_cmd_get(const idx_opts *o)
{
    if (o->nargs != 1) {
        idx_die_msg("get: give exactly one article id");
        return EXIT_USAGE;
    }
    idx_db *db;
    if (open_db(o, IDX_DB_READ, &db)) return EXIT_DB;
    idx_err err;
    idx_err_clear(&err);
    idx_buf uid;
    idx_buf_init(&uid);
    char *data = NULL;
    size_t len = 0;
    int rc = idx_uid_term(o->args[0], strlen(o->args[0]), &uid, &err);
    if (rc == IDX_OK) rc = idx_db_get_data(db, uid.data, uid.len, &data, &len, &err);
    int status = EXIT_OK;
    if (rc == IDX_ENOTFOUND) {
        idx_die_msg("not found: %s", o->args[0]);
        status = EXIT_PARTIAL;
    } else if (rc) {
        idx_die_msg("%s", err.msg);
        status = EXIT_DB;
    } else {
        fwrite(data, 1, len, stdout);
        fputc('\n', stdout);
    }
    free(data);
    idx_buf_fini(&uid);
    idx_db_close(db);
    return status;
}

/* `idx compact --db DB OUT`: Xapian's compactor writes DB (an archive: its
 * shards merged) into OUT.compact-XXXXXX/db, a staging directory beside OUT
 * held under its lock (staging.h), which is fsync'd and renamed to OUT when
 * complete.  OUT appears whole or not at all: a failure (a full disk) removes
 * the staging directory, and one a killed run left is removed by the next
 * compaction into OUT; one a live compaction holds makes this one stop. */
#if defined(__SANITIZE_ADDRESS__)
/* Under LeakSanitizer (make SAN=1): Xapian's compactor (Debian's 1.4, glass)
 * leaks the tables it opened when DatabaseModifiedError interrupts a copy
 * (copy_revision below retries it), from inside the library, whose frames
 * are all LeakSanitizer sees of those allocations.  Leaks allocated inside
 * libxapian are not reported in idx; allocations of idx's own code (the
 * handles xap.cc makes included) still are. */
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void)
{
    return "leak:libxapian.so\n";
}
const char *__lsan_default_options(void); /* and stderr stays idx's own */
const char *__lsan_default_options(void)
{
    return "print_suppressions=0";
}
#endif

/* Compact *db into dst at one revision, *at.  Glass keeps a revision's
 * blocks only until the second commit after it, so a writer committing
 * twice during the copy takes the revision being read away: the half copy
 * is removed and the copy starts again at the newest revision, COPY_TRIES
 * times; then once more with the database's write lock held by *lock, which
 * no commit can overtake (idxd's writes wait in its journal, idx add and rm
 * up to their --lock-wait).  *db may be replaced by a new reader; the caller
 * closes *db and *lock (the lock is held until then). */
enum { COPY_TRIES = 3 };
static int copy_revision(const idx_opts *o, const char *cmd, idx_db **db, idx_db **lock,
                         idx_db_stats *at, const char *dst, idx_err *err)
{
    for (int tries = 1;; tries++) {
        int rc = idx_db_compact(*db, dst, err);
        if (rc != IDX_EMODIFIED || tries > COPY_TRIES) return rc;
        if (idx_fs_remove_tree(dst) != 0)
            return idx_err_set(err, IDX_EIO, "compact", "cannot remove the half copy %s: %s",
                               dst, strerror(errno));
        idx_err_clear(err);
        if (tries < COPY_TRIES) {
            fprintf(stderr, "idx %s: %s was committed to twice during the copy (try %d of %d); "
                            "copying its newest revision\n",
                    cmd, o->db, tries, COPY_TRIES + 1);
            rc = idx_db_reopen(*db, err);
        } else {
            fprintf(stderr, "idx %s: %s was committed to twice during each of %d copies; "
                            "copying it once more with its write lock held (writers wait)\n",
                    cmd, o->db, tries);
            if (open_db(o, IDX_DB_WRITE, lock) != 0)
                return idx_err_set(err, IDX_ELOCKED, "compact",
                                   "it is committed to faster than it can be copied, and its "
                                   "write lock was not free within --lock-wait (%u s): copy it "
                                   "between ingest runs, with larger idx add --batch, or from "
                                   "a replica",
                                   o->lock_wait);
            /* a reader opened under the lock: at the last commit, for good */
            idx_db_close(*db);
            *db = NULL;
            if (open_db(o, IDX_DB_READ, db) != 0)
                return idx_err_set(err, IDX_ENODB, "compact", "cannot open it again");
            rc = IDX_OK;
        }
        if (!rc) rc = idx_db_get_stats(*db, at, err);
        if (rc) return rc;
    }
}

/* idx compact, and idx backup (backup: the copy is checked - Xapian's check,
 * idx's invariants, the document count of the revision it was made from -
 * before it is stored; a copy that fails is not stored). */
static int compact_into(const idx_opts *o, int backup)
{
    const char *cmd = backup ? "backup" : "compact";
    if (o->nargs != 1) {
        idx_die_msg("%s wants one DEST (a new directory), e.g. idx %s --db DB OUT", cmd, cmd);
        return EXIT_USAGE;
    }
    const char *out = o->args[0];
    size_t ol = strlen(out);
    while (ol > 1 && out[ol - 1] == '/') ol--;
    size_t cap = ol + 32;
    char *stage = malloc(cap), *dst = malloc(cap), *busy = NULL;
    int status = EXIT_OK, lockfd = -1;
    idx_db *db = NULL;
    idx_err err;
    idx_err_clear(&err);
    double t0 = idx_clock();
    size_t nshards = 0;
    if (!stage || !dst ||
        idx_stage_scan(out, ol, ".compact-", "idx compact", NULL, &busy, idx_note, NULL) != 0) {
        idx_die_msg("out of memory");
        status = EXIT_DB;
        goto done;
    }
    if (busy) goto busy;
    struct stat st;
    if (lstat(out, &st) == 0) {
        idx_die_msg("cannot %s %s into %s: %s exists already (%s makes a new directory)", cmd,
                    o->db, out, out, cmd);
        status = EXIT_USAGE;
        goto done;
    }
    if (open_db(o, IDX_DB_READ, &db)) {
        status = EXIT_DB;
        goto done;
    }
    nshards = idx_db_nshards(db);
    idx_db_stats at; /* the revision the copy is made of (the compactor reads this handle) */
    if (idx_db_get_stats(db, &at, &err) != IDX_OK) {
        idx_die_msg("cannot read %s: %s", o->db, err.msg);
        status = EXIT_DB;
        goto done;
    }
    if (backup && idx_db_nmissing(db) > 0) {
        idx_die_msg("cannot back up %s: %zu of its shards cannot be reached (%s)", o->db,
                    idx_db_nmissing(db), idx_db_missing(db, 0));
        status = EXIT_DB;
        goto done;
    }
    if (idx_fs_make_parents(out) != 0) {
        idx_die_msg("cannot create the directories above %s: %s", out, strerror(errno));
        status = EXIT_DB;
        goto done;
    }
    if ((lockfd = idx_stage_make(stage, cap, out, ol, ".compact-")) < 0) {
        idx_die_msg("cannot make a staging directory beside %s: %s", out, strerror(errno));
        status = EXIT_DB;
        goto done;
    }
    /* again, with mine made: of two compactions starting at once, one sees the other */
    if (idx_stage_scan(out, ol, ".compact-", "idx compact", stage, &busy, idx_note,
                       NULL) != 0) {
        idx_die_msg("out of memory");
        status = EXIT_DB;
        goto done;
    }
    if (busy) goto busy;
    snprintf(dst, cap, "%s/db", stage);
    idx_db *lock = NULL;
    int rc = copy_revision(o, cmd, &db, &lock, &at, dst, &err);
    idx_db_close(db);
    idx_db_close(lock);
    db = NULL;
    if (!rc) rc = idx_compacted_record(dst, &err); /* for adds into OUT later (writer.h) */
    uint64_t docs = 0, problems = 0;
    if (!rc && backup) {
        int cs = idx_check_db(dst, 1, &docs, &problems);
        if (cs != EXIT_OK || docs != at.documents) {
            idx_die_msg("the copy of %s fails its check (%llu problems; %llu documents, the "
                        "revision copied has %llu): nothing was stored in %s",
                        o->db, (unsigned long long)problems, (unsigned long long)docs,
                        (unsigned long long)at.documents, out);
            status = EXIT_DB;
            goto done;
        }
    }
    if (rc) {
        idx_die_msg("cannot compact %s into %s: %s (nothing was stored in %s)", o->db, out,
                    err.msg, out);
        status = rc == IDX_EINVAL ? EXIT_USAGE : EXIT_DB;
    } else if (idx_stage_store(dst, out) != 0) {
        idx_die_msg("cannot store the compacted database as %s: %s (nothing was stored there)",
                    out, strerror(errno));
        status = EXIT_DB;
    } else if (backup) {
        printf("backed up %s (%zu shard%s, %llu documents) into %s, %llu bytes, checked: ok "
               "(%.2f s)\n",
               o->db, nshards, nshards == 1 ? "" : "s", (unsigned long long)docs, out,
               idx_fs_usage(out), idx_clock() - t0);
    } else {
        printf("compacted %s (%zu shard%s) into %s, %llu bytes (%.2f s)\n", o->db, nshards,
               nshards == 1 ? "" : "s", out, idx_fs_usage(out), idx_clock() - t0);
    }
    goto done;
busy:
    idx_die_msg("another idx compact or backup is writing %s (its staging directory %s is in "
                "use): wait for it to finish, or write into another directory", out, busy);
    status = EXIT_DB;
done:
    if (db) idx_db_close(db);
    if (lockfd >= 0 && idx_stage_remove(stage, lockfd) != 0)
        idx_die_msg("could not remove the staging directory %s: %s (the next idx compact into "
                    "%s removes it)", stage, strerror(errno), out);
    free(stage);
    free(dst);
    free(busy);
    return status;
}

int idx_cmd_compact(const idx_opts *o)
{
    return compact_into(o, 0);
}

int idx_cmd_backup(const idx_opts *o)
{
    return compact_into(o, 1);
}

int idx_cmd_stats(const idx_opts *o)
{
    idx_db *db;
    if (open_db(o, IDX_DB_READ, &db)) return EXIT_DB;
    idx_err err;
    idx_err_clear(&err);
    idx_db_stats st;
    char *last = NULL, *format = NULL;
    int rc = idx_db_get_stats(db, &st, &err);
    if (!rc) rc = idx_db_get_metadata(db, "idx.last_update", &last, &err);
    if (!rc) rc = idx_db_get_metadata(db, IDX_META_FORMAT, &format, &err);
    /* the index format (document.h): unrecorded means made before formats were, 1 */
    const char *fmt = format && *format ? format : "1";
    size_t nshards = idx_db_nshards(db), nmissing = idx_db_nmissing(db);
    json_t *missing = json_array();
    for (size_t i = 0; missing && i < nmissing; i++)
        json_array_append_new(missing, json_string(idx_db_missing(db, i)));
    int archive = idx_db_is_archive(db);
    idx_db_close(db);
    if (rc) {
        idx_die_msg("%s", err.msg);
        free(last);
        free(format);
        json_decref(missing);
        return EXIT_DB;
    }
    unsigned long long size = idx_fs_usage(o->db);
    if (o->json) {
        json_t *j = json_pack("{s:s, s:I, s:I, s:f, s:I, s:I, s:s?}", "db", o->db, "documents",
                              (json_int_t)st.documents, "terms", (json_int_t)st.total_length,
                              "avg_doc_length", st.avg_length, "size_bytes", (json_int_t)size,
                              "revision", (json_int_t)st.revision, "last_update",
                              last && *last ? last : NULL);
        if (!j) {
            idx_die_msg("out of memory");
            free(last);
            free(format);
            json_decref(missing);
            return EXIT_DB;
        }
        if (!last || !*last) json_object_set_new(j, "last_update", json_null());
        json_object_set_new(j, "format", json_string(fmt));
        json_object_set_new(j, "shards", json_integer((json_int_t)nshards));
        json_object_set_new(j, "missing_shards", missing ? json_incref(missing) : json_array());
        json_dumpf(j, stdout, JSON_COMPACT);
        fputc('\n', stdout);
        json_decref(j);
    } else {
        printf("database     %s\n", o->db);
        printf("documents    %llu\n", (unsigned long long)st.documents);
        printf("terms        %llu (indexed term occurrences; %.1f per document)\n",
               (unsigned long long)st.total_length, st.avg_length);
        printf("size         %llu bytes (%.1f MiB on disk)\n", size, size / 1048576.0);
        printf("revision     %llu\n", (unsigned long long)st.revision);
        printf("last update  %s\n", last && *last ? last : "never");
        long f = strtol(fmt, NULL, 10);
        if (f >= 1 && f <= IDX_FORMAT_MAX)
            printf("format       %s\n", fmt);
        else
            printf("format       %s (this idx reads formats 1 to %d)\n", fmt, IDX_FORMAT_MAX);
        if (archive)
            printf("shards       %zu (archive%s)\n", nshards, nmissing ? ", some missing" : "");
        for (size_t i = 0; i < nmissing; i++)
            printf("missing      %s\n", json_string_value(json_array_get(missing, i)));
    }
    free(last);
    free(format);
    json_decref(missing);
    return EXIT_OK;
}

static const char *jstr(json_t *obj, const char *key)
{
    json_t *v = json_object_get(obj, key);
    return json_is_string(v) ? json_string_value(v) : NULL;
}

int idx_operands_query(const idx_opts *o, idx_buf *q)
{
    for (int i = 0; i < o->nargs; i++) {
        if (i) idx_buf_putc(q, ' ');
        idx_buf_append(q, o->args[i], strlen(o->args[i]));
    }
    if (!q->oom) return 0;
    idx_die_msg("out of memory");
    return -1;
}

int idx_cmd_search(const idx_opts *o)
{
    if (o->nargs < 1) {
        idx_die_msg("search: give a query");
        return EXIT_USAGE;
    }
    idx_buf q;
    idx_buf_init(&q);
    if (idx_operands_query(o, &q) != 0) {
        idx_buf_fini(&q);
        return EXIT_DB;
    }

    idx_err err;
    idx_err_clear(&err);
    idx_db *db = NULL;
    json_t *out = NULL;
    int status = EXIT_OK;
    idx_schema sc;
    idx_synonyms *syn = NULL;
    int tty = isatty(STDOUT_FILENO);
    /* the options as request.h read them, the query, and the marks: JSON
     * carries the HTML the server sends, a terminal gets bold ones */
    idx_search_req req = o->search;
    req.q = idx_buf_cstr(&q);
    req.qlen = q.len;
    req.hl = o->json ? (idx_hl_opts){0}
                     : (idx_hl_opts){.max_chars = 80, .open = tty ? "\033[1m" : "[",
                                     .close = tty ? "\033[0m" : "]", .plain = 1};
    if (o->synonyms && idx_synonyms_load(o->synonyms, &syn, &err)) {
        idx_die_msg("--synonyms: %s", err.msg);
        status = err.rc == IDX_EIO ? EXIT_DB : EXIT_USAGE;
        goto done;
    }
    req.synonyms = syn;
    if (open_db(o, IDX_DB_READ, &db)) { status = EXIT_DB; goto done; }
    if (idx_schema_read(db, &sc, &err)) {
        idx_die_msg("cannot read database %s: %s", o->db, err.msg);
        status = EXIT_DB;
        goto done;
    }
    int rc = idx_search_json(db, &sc, &req, &out, &err);
    if (rc == IDX_EUTF8 || rc == IDX_ETOOBIG || rc == IDX_EINVAL) {
        idx_die_msg("bad query: %s", err.msg);
        status = EXIT_USAGE;
        goto done;
    } else if (rc) {
        idx_die_msg("search failed: %s", err.msg);
        status = EXIT_DB;
        goto done;
    }
    if (o->json) {
        json_dumpf(out, stdout, JSON_COMPACT);
        fputc('\n', stdout);
        goto done;
    }
    printf("%s%lld results for \"%s\" (%.1f ms)\n",
           json_is_true(json_object_get(out, "total_exact")) ? "" : "about ",
           (long long)json_integer_value(json_object_get(out, "total")), req.q,
           json_real_value(json_object_get(out, "took_ms")));
    const char *warning = jstr(out, "warning");
    if (warning) fprintf(stderr, "idx: warning: %s\n", warning);
    size_t i;
    json_t *hit;
    json_array_foreach(json_object_get(out, "hits"), i, hit) {
        const char *title = jstr(hit, "title_html"), *date = jstr(hit, "date");
        const char *url = jstr(hit, "url"), *snippet = jstr(hit, "snippet");
        printf("%3d. %s%s%s%s  (score %.2f)\n", (int)json_integer_value(json_object_get(hit, "rank")),
               title && *title ? title : "(untitled)", date ? "  [" : "", date ? date : "",
               date ? "]" : "", json_real_value(json_object_get(hit, "score")));
        if (snippet && *snippet) printf("     %s\n", snippet);
        printf("     id: %s%s%s\n", jstr(hit, "id") ? jstr(hit, "id") : "?", url ? "  " : "",
               url ? url : "");
        json_t *dups = json_object_get(hit, "duplicates");
        if (json_is_integer(dups)) {
            printf("     + %lld near-duplicate%s:", (long long)json_integer_value(dups),
                   json_integer_value(dups) == 1 ? "" : "s");
            size_t k;
            json_t *d;
            json_array_foreach(json_object_get(hit, "duplicate_ids"), k, d)
                printf(" %s", json_string_value(d));
            printf("\n");
        }
        if (jstr(hit, "cluster")) printf("     cluster: %s\n", jstr(hit, "cluster"));
    }
    const char *fname;
    json_t *counts;
    json_object_foreach(json_object_get(out, "facets"), fname, counts) {
        printf("%s:", fname);
        const char *v;
        json_t *c;
        json_object_foreach(counts, v, c) printf("  %s (%lld)", v, (long long)json_integer_value(c));
        printf("\n");
    }
    json_t *hist = json_object_get(out, "histogram");
    if (hist) { /* a bar of up to 40 marks a bucket, scaled to the largest */
        json_t *buckets = json_object_get(hist, "buckets"), *b;
        json_int_t max = 1;
        json_array_foreach(buckets, i, b) {
            json_int_t n = json_integer_value(json_object_get(b, "count"));
            if (n > max) max = n;
        }
        printf("histogram by %s:\n", jstr(hist, "interval") ? jstr(hist, "interval") : "?");
        json_array_foreach(buckets, i, b) {
            json_int_t n = json_integer_value(json_object_get(b, "count"));
            printf("  %s %6lld ", jstr(b, "start") ? jstr(b, "start") : "?", (long long)n);
            for (json_int_t k = 0; k < (n * 40 + max - 1) / max; k++) fputs("#", stdout);
            printf("\n");
        }
    }
done:
    json_decref(out);
    idx_db_close(db);
    idx_synonyms_free(syn);
    idx_buf_fini(&q);
    return status;
}
