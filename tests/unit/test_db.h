/* test_db.h - a small real database for unit tests that search: articles
 * written through the real write path (writer.h) as idx add writes them
 * (documents, near-duplicate clusters, one commit, the default text
 * options), in a temporary directory, then opened again to read.  No mocks. */
#ifndef IDX_TEST_DB_H
#define IDX_TEST_DB_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "document.h"
#include "writer.h"

typedef struct t_db {
    char dir[64], path[96];
    idx_db *db;
    idx_schema schema;
} t_db;

/* Build t from articles[0..n) (JSON lines) under /tmp/idx-test-TAG-XXXXXX;
 * 0, or -1 after printing why. */
static int t_db_build(t_db *t, const char *tag, const char *const *articles, size_t n)
{
    idx_err err;
    idx_err_clear(&err);
    snprintf(t->dir, sizeof t->dir, "/tmp/idx-test-%s-XXXXXX", tag);
    if (!mkdtemp(t->dir)) return -1;
    snprintf(t->path, sizeof t->path, "%s/db", t->dir);
    idx_writer_opts o = {.db = t->path, .want = {.unigrams = -1, .fold = -1}};
    idx_writer *w = NULL;
    int rc = idx_writer_open(&o, &w, &err);
    for (size_t i = 0; !rc && i < n; i++)
        rc = idx_writer_put(w, articles[i], strlen(articles[i]), NULL, &err);
    if (!rc) rc = idx_writer_commit(w, &err);
    idx_writer_close(w);
    if (!rc) rc = idx_db_open(t->path, IDX_DB_READ, &t->db, &err);
    if (!rc) rc = idx_schema_read(t->db, &t->schema, &err);
    if (rc) fprintf(stderr, "  building the test database: %s\n", err.msg);
    return rc ? -1 : 0;
}

static void t_db_remove(t_db *t)
{
    idx_db_close(t->db);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", t->dir);
    if (system(cmd) != 0) fprintf(stderr, "  could not remove %s\n", t->dir);
}

#endif
