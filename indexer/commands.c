/* commands.c - `idx rm`, `idx get`, `idx stats`, `idx search`.
 *
 * Each opens the database for just what it needs (rm: writer; the rest:
 * reader), reports errors as "idx: ..." on stderr and returns the exit
 * status.  JSON output is built with jansson so it is always valid.
 */
#include <dirent.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "document.h"
#include "idx.h"
#include "query.h"
#include "xap.h"

static int open_db(const idx_opts *o, int mode, idx_db **db)
{
    idx_err err;
    idx_err_clear(&err);
    if (idx_db_open(o->db, mode, db, &err) == IDX_OK) return 0;
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

/* Bytes allocated on disk under path (a file or a directory tree). */
static unsigned long long disk_usage(const char *path)
{
    struct stat st;
    if (lstat(path, &st) != 0) return 0;
    unsigned long long total = (unsigned long long)st.st_blocks * 512ULL;
    if (!S_ISDIR(st.st_mode)) return total;
    DIR *d = opendir(path);
    if (!d) return total;
    struct dirent *e;
    char sub[4096];
    while ((e = readdir(d))) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) continue;
        snprintf(sub, sizeof sub, "%s/%s", path, e->d_name);
        total += disk_usage(sub);
    }
    closedir(d);
    return total;
}

int idx_cmd_stats(const idx_opts *o)
{
    idx_db *db;
    if (open_db(o, IDX_DB_READ, &db)) return EXIT_DB;
    idx_err err;
    idx_err_clear(&err);
    idx_db_stats st;
    char *last = NULL;
    int rc = idx_db_get_stats(db, &st, &err);
    if (!rc) rc = idx_db_get_metadata(db, "idx.last_update", &last, &err);
    idx_db_close(db);
    if (rc) {
        idx_die_msg("%s", err.msg);
        free(last);
        return EXIT_DB;
    }
    unsigned long long size = disk_usage(o->db);
    if (o->json) {
        json_t *j = json_pack("{s:s, s:I, s:I, s:f, s:I, s:I, s:s?}", "db", o->db, "documents",
                              (json_int_t)st.documents, "terms", (json_int_t)st.total_length,
                              "avg_doc_length", st.avg_length, "size_bytes", (json_int_t)size,
                              "revision", (json_int_t)st.revision, "last_update",
                              last && *last ? last : NULL);
        if (!j) {
            idx_die_msg("out of memory");
            free(last);
            return EXIT_DB;
        }
        if (!last || !*last) json_object_set_new(j, "last_update", json_null());
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
    }
    free(last);
    return EXIT_OK;
}

static const char *jstr(json_t *obj, const char *key)
{
    json_t *v = json_object_get(obj, key);
    return json_is_string(v) ? json_string_value(v) : NULL;
}

int idx_cmd_search(const idx_opts *o)
{
    if (o->nargs < 1) {
        idx_die_msg("search: give a query");
        return EXIT_USAGE;
    }
    /* the query is the operands joined by spaces */
    size_t qn = 0;
    for (int i = 0; i < o->nargs; i++) qn += strlen(o->args[i]) + 1;
    char *q = malloc(qn + 1);
    if (!q) { idx_die_msg("out of memory"); return EXIT_DB; }
    q[0] = '\0';
    for (int i = 0; i < o->nargs; i++) {
        if (i) strcat(q, " ");
        strcat(q, o->args[i]);
    }

    idx_err err;
    idx_err_clear(&err);
    idx_db *db = NULL;
    idx_xq *xq = NULL, *fq = NULL;
    idx_results *res = NULL;
    json_t *out = NULL;
    int status = EXIT_OK;
    double t0 = idx_now();
    idx_query_opts qo = {o->title_weight, IDX_UNIGRAMS_ALL};
    idx_filters f = {o->from, o->to, o->source, o->category};
    if (open_db(o, IDX_DB_READ, &db)) { status = EXIT_DB; goto done; }
    char *mode = NULL;
    if (idx_db_get_metadata(db, IDX_META_UNIGRAMS, &mode, &err) == IDX_OK &&
        strcmp(mode, "edges") == 0)
        qo.unigrams = IDX_UNIGRAMS_EDGES;
    free(mode);
    idx_err_clear(&err);
    int rc = idx_query_compile(q, strlen(q), &qo, &xq, &err);
    if (!rc) rc = idx_query_filter(xq, &f, &fq, &err);
    if (rc) {
        idx_die_msg("bad query: %s", err.msg);
        status = EXIT_USAGE;
        goto done;
    }
    idx_search_opts so = {o->offset, o->limit, o->sort, IDX_SLOT_DATE, 0};
    if (o->exact_total) so.check_at_least = (unsigned)-1;
    if ((rc = idx_db_search(db, fq, &so, &res, &err))) {
        idx_die_msg("search failed: %s", err.msg);
        status = EXIT_DB;
        goto done;
    }
    double took = (idx_now() - t0) * 1000.0;
    json_t *hits = json_array();
    out = json_pack("{s:s, s:I, s:b, s:i, s:i, s:f, s:o}", "query", q, "total",
                    (json_int_t)res->estimated, "total_exact", res->exact, "offset", o->offset,
                    "limit", o->limit, "took_ms", took, "hits", hits);
    if (!out) { idx_die_msg("out of memory"); status = EXIT_DB; goto done; }
    for (size_t i = 0; i < res->nhits; i++) {
        idx_hit *h = &res->hits[i];
        json_t *doc = json_loadb(h->data, h->data_len, 0, NULL);
        json_t *hit = json_object();
        if (!hit) { json_decref(doc); idx_die_msg("out of memory"); status = EXIT_DB; goto done; }
        static const char *const fields[] = {"id", "title", "date", "url", "source", "category"};
        for (size_t k = 0; k < sizeof fields / sizeof *fields; k++) {
            const char *v = doc ? jstr(doc, fields[k]) : NULL;
            json_object_set_new(hit, fields[k], v ? json_string(v) : json_null());
        }
        json_object_set_new(hit, "score", json_real(h->score));
        json_object_set_new(hit, "rank", json_integer(h->rank + 1));
        json_array_append_new(hits, hit);
        json_decref(doc);
    }
    if (o->json) {
        json_dumpf(out, stdout, JSON_COMPACT);
        fputc('\n', stdout);
    } else {
        printf("%s%llu results for \"%s\" (%.1f ms)\n", res->exact ? "" : "about ",
               (unsigned long long)res->estimated, q, took);
        size_t i;
        json_t *hit;
        json_array_foreach(hits, i, hit) {
            const char *title = jstr(hit, "title"), *date = jstr(hit, "date");
            printf("%3d. %s%s%s%s  (score %.2f)\n", (int)json_integer_value(json_object_get(hit, "rank")),
                   title ? title : "(untitled)", date ? "  [" : "", date ? date : "",
                   date ? "]" : "", json_real_value(json_object_get(hit, "score")));
            printf("     id: %s%s%s\n", jstr(hit, "id") ? jstr(hit, "id") : "?",
                   jstr(hit, "url") ? "  " : "", jstr(hit, "url") ? jstr(hit, "url") : "");
        }
    }
done:
    json_decref(out);
    idx_results_free(res);
    idx_xq_free(xq);
    idx_xq_free(fq);
    idx_db_close(db);
    free(q);
    return status;
}
