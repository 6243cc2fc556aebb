/* reindex.c - `idx reindex --db DB [--index-format N] [--jobs N]`: rebuild a
 * database from its own stored articles (no source files needed), in
 * another index format (document.h) or its own, and put the new one in its
 * place atomically.
 *
 * The old database stays open for writing the whole time, so no `idx add`
 * slips a change in that the copy would miss (a writer that tries is told
 * the database is locked).  The new one is built in DB.reindex-XXXXXX, a
 * staging directory beside DB held under its lock (staging.h): by jobs
 * processes as `idx add --jobs` builds (each reads every stored article and
 * keeps its share; the parts merged by Xapian's compactor), or by one
 * process and then compacted.  When its document count matches, the two
 * directories are swapped in one step (renameat2 RENAME_EXCHANGE, fs.h):
 * readers and idxd see the old database or the new one, whole, never
 * neither (idxd reopens a database moved into place).  The old one is then
 * removed with the staging directory.  A failure or a killed run leaves DB
 * as it was; the next reindex removes what a killed one left.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "clock.h"
#include "document.h"
#include "fs.h"
#include "idx.h"
#include "journal.h"
#include "writer.h"

#define TAG ".reindex-"

/* What w stored, as a job reports it. */
static void counts_of(const idx_writer *w, idx_add_counts *c)
{
    const idx_write_counts *k = idx_writer_counts(w);
    c->added = k->added;
    c->replaced = k->replaced;
    c->rejected = k->rejected;
}

/* The last idxd journal record the database holds (journal.h) goes with its
 * articles into the rebuilt one, so idxd does not replay what it holds. */
static int copy_journal_seq(idx_db *src, idx_writer *w, idx_err *err)
{
    char *v = NULL;
    int rc = idx_db_get_metadata(src, IDX_META_JOURNAL_SEQ, &v, err);
    if (!rc && v && *v) rc = idx_writer_set_metadata(w, IDX_META_JOURNAL_SEQ, v, err);
    free(v);
    return rc;
}

/* A job of the parallel rebuild: every stored article of o->db, through its
 * writer of b (which keeps its share). */
static int reindex_job(const idx_opts *o, const idx_build *b, unsigned job, idx_add_counts *c)
{
    idx_err err;
    idx_err_clear(&err);
    idx_db *src = NULL;
    idx_writer *w = NULL;
    int rc = idx_db_open(o->db, IDX_DB_READ, &src, &err);
    if (!rc) rc = idx_build_writer(b, job, &w, &err);
    if (!rc) rc = idx_writer_put_stored(w, src, &err);
    if (!rc) rc = copy_journal_seq(src, w, &err);
    if (!rc) rc = idx_writer_commit(w, &err);
    if (w) counts_of(w, c);
    if (rc) idx_die_msg("%s", err.msg);
    idx_writer_close(w);
    idx_db_close(src);
    return rc ? EXIT_DB : EXIT_OK;
}

/* One process: src into a part in the staging directory, compacted to dst. */
static int rebuild_alone(const idx_writer_opts *wo, idx_db *src, const char *part, const char *dst,
                         idx_add_counts *c, idx_err *err)
{
    idx_writer_opts po = *wo;
    po.db = part;
    idx_writer *w = NULL;
    idx_db *p = NULL;
    int rc = idx_writer_open(&po, &w, err);
    if (!rc) rc = idx_writer_put_stored(w, src, err);
    if (!rc) rc = copy_journal_seq(src, w, err);
    if (!rc) rc = idx_writer_commit(w, err);
    if (w) counts_of(w, c);
    idx_writer_close(w);
    if (!rc) rc = idx_db_open(part, IDX_DB_READ, &p, err);
    if (!rc) rc = idx_db_compact(p, dst, err);
    idx_db_close(p);
    if (!rc) rc = idx_compacted_record(dst, err);
    return rc;
}

int idx_cmd_reindex(const idx_opts *o)
{
    if (o->nargs != 0) {
        idx_die_msg("reindex takes no operands: idx reindex --db DB [--index-format N] [--jobs N]");
        return EXIT_USAGE;
    }
    struct stat st;
    if (stat(o->db, &st) != 0) { /* (a writer would make one) */
        idx_die_msg("no database at %s to reindex", o->db);
        return EXIT_DB;
    }
    size_t dl = strlen(o->db);
    while (dl > 1 && o->db[dl - 1] == '/') dl--;
    size_t cap = dl + 64;
    char *stage = malloc(cap), *dst = malloc(cap), *part = malloc(cap), *busy = NULL;
    int status = EXIT_OK, lockfd = -1, rc;
    idx_db *db = NULL, *check = NULL;
    idx_build *b = NULL;
    idx_err err;
    idx_err_clear(&err);
    double t0 = idx_clock();
    unsigned long long before = idx_fs_usage(o->db);
    if (!stage || !dst || !part) {
        idx_die_msg("out of memory");
        status = EXIT_DB;
        goto done;
    }
    /* the writer's lock, held to the end: nothing changes under the copy */
    if ((rc = idx_db_open(o->db, IDX_DB_WRITE, &db, &err))) {
        idx_die_msg("cannot reindex %s: %s", o->db, err.msg);
        status = EXIT_DB;
        goto done;
    }
    if (idx_db_is_archive(db)) {
        idx_die_msg("cannot reindex %s: it is an archive; reindex its shards one by one "
                    "(idx reindex --db %s/shards/KEY) while nothing writes to it",
                    o->db, o->db);
        status = EXIT_USAGE;
        goto done;
    }
    idx_schema sc;
    idx_db_stats before_st;
    if ((rc = idx_schema_read(db, &sc, &err)) || (rc = idx_db_get_stats(db, &before_st, &err))) {
        idx_die_msg("cannot reindex %s: %s", o->db, err.msg);
        status = EXIT_DB;
        goto done;
    }
    if (idx_stage_scan(o->db, dl, TAG, "idx reindex", NULL, &busy, idx_note, NULL) != 0) {
        idx_die_msg("out of memory");
        status = EXIT_DB;
        goto done;
    }
    if ((lockfd = idx_stage_make(stage, cap, o->db, dl, TAG)) < 0) {
        idx_die_msg("cannot make a staging directory beside %s: %s", o->db, strerror(errno));
        status = EXIT_DB;
        goto done;
    }
    snprintf(dst, cap, "%s/db", stage);
    snprintf(part, cap, "%s/part", stage);
    idx_writer_opts wo = {
        .db = dst,
        .want = {.format = o->index_format ? o->index_format : sc.format,
                 .unigrams = sc.unigrams,
                 .fold = sc.fold},
        .no_cluster = o->no_cluster,
    };
    unsigned jobs = o->jobs ? o->jobs : idx_jobs_per_core();
    idx_add_counts sum = {0, 0, 0, 0};
    if (jobs >= 2) {
        if ((rc = idx_build_open(&wo, jobs, idx_note, NULL, &b, &err))) {
            idx_die_msg("cannot reindex %s: %s", o->db, err.msg);
            status = idx_add_exit(rc);
            goto done;
        }
        status = idx_run_jobs(o, jobs, b, reindex_job, &sum);
        if (status == EXIT_OK && (rc = idx_build_finish(b, &err))) {
            idx_die_msg("cannot reindex %s: %s", o->db, err.msg);
            status = EXIT_DB;
        }
    } else if ((rc = rebuild_alone(&wo, db, part, dst, &sum, &err))) {
        idx_die_msg("cannot reindex %s: %s", o->db, err.msg);
        status = idx_add_exit(rc);
    }
    if (status != EXIT_OK) {
        if (status < EXIT_DB) status = EXIT_DB;
        idx_die_msg("%s is as it was", o->db);
        goto done;
    }
    /* the copy holds what the database held, or it is not used */
    idx_db_stats after_st;
    if ((rc = idx_db_open(dst, IDX_DB_READ, &check, &err)) ||
        (rc = idx_db_get_stats(check, &after_st, &err))) {
        idx_die_msg("cannot open the rebuilt database %s: %s (%s is as it was)", dst, err.msg,
                    o->db);
        status = EXIT_DB;
        goto done;
    }
    idx_db_close(check);
    check = NULL;
    if (after_st.documents + sum.rejected != before_st.documents) {
        idx_die_msg("the rebuilt database holds %llu articles where %s holds %llu (%llu "
                    "rejected): not used, %s is as it was",
                    (unsigned long long)after_st.documents, o->db,
                    (unsigned long long)before_st.documents, sum.rejected, o->db);
        status = EXIT_DB;
        goto done;
    }
    if (idx_fs_exchange(dst, o->db) != 0) {
        idx_die_msg("cannot put the rebuilt database in place of %s: %s (%s is as it was)",
                    o->db, strerror(errno), o->db);
        status = EXIT_DB;
        goto done;
    }
    printf("reindexed %llu articles of %s in format %d: %.1f MiB, was %.1f MiB (%.2f s, %u "
           "job%s)",
           (unsigned long long)after_st.documents, o->db, wo.want.format,
           idx_fs_usage(o->db) / 1048576.0, before / 1048576.0, idx_clock() - t0, jobs,
           jobs == 1 ? "" : "s");
    if (sum.rejected)
        printf(" - %llu stored records were not articles and were left out", sum.rejected);
    printf("\n");
    if (sum.rejected) status = EXIT_PARTIAL;
done:
    idx_db_close(check);
    if (b) {
        idx_err_clear(&err);
        if (idx_build_close(b, &err)) idx_die_msg("%s", err.msg);
    }
    idx_db_close(db); /* the old database (moved into the staging directory once swapped) */
    if (lockfd >= 0 && idx_stage_remove(stage, lockfd) != 0)
        idx_die_msg("could not remove the staging directory %s: %s (the next idx reindex of "
                    "%s removes it)", stage, strerror(errno), o->db);
    free(stage);
    free(dst);
    free(part);
    free(busy);
    return status;
}
