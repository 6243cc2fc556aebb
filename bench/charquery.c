/* charquery.c - latency of one-character CJK queries, per unigram mode.
 *
 * usage: charquery DB CHAR...
 * For each character, compiles the query the way `idx search` does for this
 * database (a unigram term in an "all" database; unigram OR bigram wildcard
 * in an "edges" one), runs it 20 times with an exact count, and prints the
 * match count and the median and worst latency.  Comparing the same
 * characters over an "all" and an "edges" build of the same corpus gives the
 * latency cost of each choice (see bench/RESULTS.md).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "document.h"
#include "query.h"
#include "clock.h"
#include "db.h"

#define REPS 20

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: %s DB CHAR...\n", argv[0]);
        return 2;
    }
    idx_err err;
    idx_err_clear(&err);
    idx_db *db;
    if (idx_db_open(argv[1], IDX_DB_READ, &db, &err)) {
        fprintf(stderr, "%s\n", err.msg);
        return 3;
    }
    idx_schema sc = {.format = IDX_FORMAT_MAX, .unigrams = IDX_UNIGRAMS_ALL, .fold = IDX_FOLD_NONE};
    if (idx_schema_read(db, &sc, &err)) {
        fprintf(stderr, "%s\n", err.msg);
        return 3;
    }
    const char *mode = sc.unigrams == IDX_UNIGRAMS_EDGES ? "edges" : "all";
    idx_query_opts qo = {.title_weight = IDX_TITLE_WEIGHT_DEFAULT, .unigrams = sc.unigrams, .format = sc.format,
                         .tokflags = idx_schema_tokflags(&sc)};
    printf("%-6s %-6s %10s %10s %10s\n", "mode", "query", "matches", "median_ms", "max_ms");
    for (int i = 2; i < argc; i++) {
        idx_xq *q = NULL;
        if (idx_query_compile(argv[i], strlen(argv[i]), &qo, &q, &err)) {
            fprintf(stderr, "%s: %s\n", argv[i], err.msg);
            return 2;
        }
        double t[REPS];
        unsigned long long matches = 0;
        for (int r = 0; r < REPS; r++) {
            idx_search_opts so = {.limit = 10, .sort = IDX_SORT_RELEVANCE, .sort_slot = IDX_SLOT_DATE,
                                  .check_at_least = (unsigned)-1};
            idx_results *res = NULL;
            double t0 = idx_clock();
            if (idx_db_search(db, q, &so, &res, &err)) {
                fprintf(stderr, "%s\n", err.msg);
                return 3;
            }
            t[r] = (idx_clock() - t0) * 1e3;
            matches = res->estimated;
            idx_results_free(res);
        }
        qsort(t, REPS, sizeof *t, cmp);
        printf("%-6s %-6s %10llu %10.2f %10.2f\n", mode && *mode ? mode : "all", argv[i], matches,
               t[REPS / 2], t[REPS - 1]);
        idx_xq_free(q);
    }
    idx_db_close(db);
    return 0;
}
