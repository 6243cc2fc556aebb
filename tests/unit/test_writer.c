/* test_writer.c - the write path (writer.h) against real databases in a
 * temporary directory: puts add, replace and reject (with the reason for the
 * user), a full batch commits, deletions, the text options settled with the
 * database's, an archive's shard-by checked, a second writer locked out, and
 * a parallel build in parts whose writers each keep their share and whose
 * merge holds every article once.  (What `idx add` prints around it is
 * tests/e2e/test_ingest.sh's and test_shards.sh's.) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "document.h"
#include "test.h"
#include "writer.h"

static char dir[64];

static const char *rec[] = {
    "{\"id\":\"a\",\"title\":\"南通开发区\",\"body\":\"项目建设综合考核\"}",
    "{\"id\":\"b\",\"title\":\"第二篇\",\"date\":\"2021-03-04\"}",
    "{\"id\":\"c\",\"title\":\"第三篇\",\"date\":\"2022-05-06\"}",
    "{\"id\":\"d\",\"body\":\"第四篇的正文\"}",
    "{\"id\":\"e\",\"title\":\"第五篇\"}",
};
#define NREC (sizeof rec / sizeof *rec)

static const char *path(const char *name)
{
    static char p[128];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    return p;
}

static idx_writer_opts opts(const char *db)
{
    return (idx_writer_opts){.db = db, .want = {.unigrams = -1, .fold = -1}};
}

static int put(idx_writer *w, const char *s, int *outcome, idx_err *err)
{
    idx_err_clear(err);
    return idx_writer_put(w, s, strlen(s), outcome, err);
}

/* The stored record of id in db (malloc'd), or NULL. */
static char *stored(const char *db, const char *id)
{
    idx_db *d = NULL;
    idx_buf uid;
    idx_buf_init(&uid);
    char *data = NULL;
    size_t n;
    if (idx_db_open(db, IDX_DB_READ, &d, NULL) == IDX_OK &&
        idx_uid_term(id, strlen(id), &uid, NULL) == IDX_OK &&
        idx_db_get_data(d, uid.data, uid.len, &data, &n, NULL) != IDX_OK)
        data = NULL;
    idx_db_close(d);
    idx_buf_fini(&uid);
    return data;
}

static uint64_t documents(const char *db)
{
    idx_db *d = NULL;
    idx_db_stats st = {0};
    if (idx_db_open(db, IDX_DB_READ, &d, NULL) == IDX_OK) idx_db_get_stats(d, &st, NULL);
    idx_db_close(d);
    return st.documents;
}

static void test_put_adds_replaces_and_rejects(void)
{
    const char *db = path("one/db"); /* the directories above are made */
    idx_writer_opts o = opts(db);
    idx_writer *w;
    idx_err err = {.rc = IDX_OK};
    idx_err_clear(&err);
    CHECK_INT(idx_writer_open(&o, &w, &err), IDX_OK);
    if (!w) return;
    int out;
    CHECK_INT(put(w, rec[0], &out, &err), IDX_OK);
    CHECK_INT(out, IDX_PUT_ADDED);
    CHECK_INT(put(w, rec[1], &out, &err), IDX_OK);
    CHECK_INT(out, IDX_PUT_ADDED);
    CHECK_INT(put(w, "{\"title\":\"无id\"}", &out, &err), IDX_EINVAL);
    CHECK_STR(err.msg, "missing \"id\""); /* for the user: no tag */
    CHECK_INT(out, 0);
    CHECK_INT(put(w, "{\"id\":\"a\",\"title\":\"改过的\"}", &out, &err), IDX_OK);
    CHECK_INT(out, IDX_PUT_REPLACED);
    const idx_write_counts *c = idx_writer_counts(w);
    CHECK_INT(c->added + c->replaced, 0);
    CHECK_INT(c->pending, 3);
    CHECK_INT(c->rejected, 1);
    CHECK_INT(idx_writer_commit(w, &err), IDX_OK);
    CHECK_INT(c->added, 2);
    CHECK_INT(c->replaced, 1);
    CHECK_INT(c->pending, 0);
    idx_writer_close(w);
    char *a = stored(db, "a");
    CHECK(a && strstr(a, "改过的"));
    free(a);
    CHECK_INT(documents(db), 2);
}

static void test_a_full_batch_commits(void)
{
    const char *db = path("batch");
    idx_writer_opts o = opts(db);
    o.batch = 2;
    idx_writer *w;
    idx_err err = {.rc = IDX_OK};
    CHECK_INT(idx_writer_open(&o, &w, &err), IDX_OK);
    if (!w) return;
    int out;
    CHECK_INT(put(w, rec[0], &out, &err), IDX_OK);
    CHECK_INT(out, IDX_PUT_ADDED);
    CHECK_INT(put(w, rec[1], &out, &err), IDX_OK);
    CHECK_INT(out, IDX_PUT_ADDED | IDX_PUT_COMMITTED);
    CHECK_INT(put(w, rec[2], &out, &err), IDX_OK);
    CHECK_INT(documents(db), 2); /* a reader sees the committed batch only */
    CHECK_INT(idx_writer_counts(w)->added, 2);
    CHECK_INT(idx_writer_counts(w)->pending, 1);
    idx_writer_close(w); /* the open batch is dropped */
    CHECK_INT(documents(db), 2);
}

static void test_delete(void)
{
    const char *db = path("del");
    idx_writer_opts o = opts(db);
    idx_writer *w;
    idx_err err = {.rc = IDX_OK};
    CHECK_INT(idx_writer_open(&o, &w, &err), IDX_OK);
    if (!w) return;
    CHECK_INT(put(w, rec[0], NULL, &err), IDX_OK);
    CHECK_INT(put(w, rec[1], NULL, &err), IDX_OK);
    CHECK_INT(idx_writer_commit(w, &err), IDX_OK);
    idx_err_clear(&err);
    CHECK_INT(idx_writer_delete(w, "a", 1, &err), IDX_OK);
    CHECK_INT(idx_writer_delete(w, "zz", 2, &err), IDX_ENOTFOUND);
    CHECK_STR(err.msg, "not found: zz");
    idx_err_clear(&err);
    CHECK_INT(idx_writer_commit(w, &err), IDX_OK);
    CHECK_INT(idx_writer_counts(w)->deleted, 1);
    idx_writer_close(w);
    char *a = stored(db, "a"), *b = stored(db, "b");
    CHECK(!a && b);
    free(a);
    free(b);
}

static void test_text_options_are_settled_once(void)
{
    const char *db = path("schema");
    idx_writer_opts o = opts(db);
    o.want.unigrams = IDX_UNIGRAMS_EDGES;
    idx_writer *w;
    idx_err err = {.rc = IDX_OK};
    CHECK_INT(idx_writer_open(&o, &w, &err), IDX_OK); /* a new one takes the wish */
    if (!w) return;
    CHECK_INT(put(w, rec[0], NULL, &err), IDX_OK);
    CHECK_INT(idx_writer_commit(w, &err), IDX_OK);
    idx_writer_close(w);
    idx_db *d = NULL;
    idx_schema sc = {.unigrams = -1, .fold = -1};
    CHECK_INT(idx_db_open(db, IDX_DB_READ, &d, NULL), IDX_OK);
    CHECK_INT(idx_schema_read(d, &sc, NULL), IDX_OK);
    idx_db_close(d);
    CHECK_INT(sc.unigrams, IDX_UNIGRAMS_EDGES);
    CHECK_INT(sc.fold, IDX_FOLD_T2S); /* the default */
    /* with documents: no wish keeps them, another wish is refused */
    o = opts(db);
    CHECK_INT(idx_writer_open(&o, &w, &err), IDX_OK);
    idx_writer_close(w);
    o.want.fold = IDX_FOLD_NONE;
    idx_err_clear(&err);
    CHECK_INT(idx_writer_open(&o, &w, &err), IDX_EINVAL);
    CHECK(w == NULL);
    CHECK_STR(err.msg, "--fold cannot change on a database that holds documents (it was built "
                       "with \"t2s\")");
}

static void test_archive_spec_is_checked(void)
{
    const char *db = path("arch");
    idx_writer_opts o = opts(db);
    o.shard_by = "year";
    idx_writer *w;
    idx_err err = {.rc = IDX_OK};
    CHECK_INT(idx_writer_open(&o, &w, &err), IDX_OK); /* made */
    if (!w) return;
    for (size_t i = 0; i < NREC; i++) CHECK_INT(put(w, rec[i], NULL, &err), IDX_OK);
    CHECK_INT(idx_writer_commit(w, &err), IDX_OK);
    idx_writer_close(w);
    CHECK_INT(documents(db), NREC);
    o.shard_by = "month";
    idx_err_clear(&err);
    CHECK_INT(idx_writer_open(&o, &w, &err), IDX_EINVAL);
    char want[256];
    snprintf(want, sizeof want, "%s is an archive sharded by year, not month", db);
    CHECK_STR(err.msg, want);
}

static void test_a_second_writer_is_locked_out(void)
{
    const char *db = path("locked");
    idx_writer_opts o = opts(db);
    idx_writer *w, *w2;
    idx_err err = {.rc = IDX_OK};
    CHECK_INT(idx_writer_open(&o, &w, &err), IDX_OK);
    idx_err_clear(&err);
    CHECK_INT(idx_writer_open(&o, &w2, &err), IDX_ELOCKED);
    CHECK(strstr(err.msg, "is locked: another writer") != NULL);
    idx_writer_close(w);
}

static void test_build_in_parts(void)
{
    const char *db = path("parts/db");
    idx_writer_opts o = opts(db);
    idx_build *b;
    idx_err err = {.rc = IDX_OK};
    idx_err_clear(&err);
    CHECK_INT(idx_build_open(&o, 2, NULL, NULL, &b, &err), IDX_OK);
    if (!b) return;
    CHECK(idx_build_parts(b));
    int kept[NREC] = {0};
    for (unsigned j = 0; j < 2; j++) { /* the jobs, one after the other here */
        idx_writer *w;
        CHECK_INT(idx_build_writer(b, j, &w, &err), IDX_OK);
        if (!w) continue;
        for (size_t i = 0; i < NREC; i++) {
            int out;
            CHECK_INT(put(w, rec[i], &out, &err), IDX_OK);
            if (out != IDX_PUT_ELSEWHERE) kept[i]++;
        }
        int out; /* a bad record is job 0's to reject */
        CHECK_INT(put(w, "not json", &out, &err), j == 0 ? IDX_EINVAL : IDX_OK);
        if (j) CHECK_INT(out, IDX_PUT_ELSEWHERE);
        CHECK_INT(idx_writer_delete(w, "a", 1, &err), IDX_EINVAL);
        CHECK_INT(idx_writer_commit(w, &err), IDX_OK);
        idx_writer_close(w);
    }
    for (size_t i = 0; i < NREC; i++) CHECK_INT(kept[i], 1);
    CHECK_INT(documents(db), 0); /* nothing there before the merge */
    CHECK_INT(idx_build_finish(b, &err), IDX_OK);
    CHECK_INT(idx_build_close(b, &err), IDX_OK);
    CHECK_INT(documents(db), NREC);
    /* a second build into it: it exists now */
    idx_err_clear(&err);
    CHECK_INT(idx_build_open(&o, 2, NULL, NULL, &b, &err), IDX_EINVAL);
    CHECK(b == NULL);
}

static void test_build_of_a_year_archive_is_refused(void)
{
    idx_writer_opts o = opts(path("arch")); /* made by test_archive_spec_is_checked */
    idx_build *b;
    idx_err err = {.rc = IDX_OK};
    idx_err_clear(&err);
    CHECK_INT(idx_build_open(&o, 2, NULL, NULL, &b, &err), IDX_EINVAL);
    CHECK(strstr(err.msg, "--jobs needs an archive sharded by hash:N") != NULL);
}

int main(void)
{
    snprintf(dir, sizeof dir, "/tmp/idx-test-writer.XXXXXX");
    if (!mkdtemp(dir)) return 1;
    TEST(test_put_adds_replaces_and_rejects);
    TEST(test_a_full_batch_commits);
    TEST(test_delete);
    TEST(test_text_options_are_settled_once);
    TEST(test_archive_spec_is_checked);
    TEST(test_a_second_writer_is_locked_out);
    TEST(test_build_in_parts);
    TEST(test_build_of_a_year_archive_is_refused);
    char cmd[160];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", dir);
    TEST_SUMMARY();
}
