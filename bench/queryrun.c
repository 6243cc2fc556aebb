/* queryrun.c - the in-process cost of search requests, without HTTP.
 *
 * usage: queryrun [-r ROUNDS] [-l LIMIT] [-b BUDGET_MS] [-k RANK] [-x] [-v] DB QUERYFILE
 *
 * Runs every query of QUERYFILE (one per line; blank and '#' lines skipped)
 * ROUNDS times (default 5, after one untimed warm-up round) through the same
 * code idxd's GET /search uses (idx_search_json, then serializing the JSON),
 * on one thread, and prints latency percentiles and queries/s.  It does this
 * twice: with snippets and highlighted titles (what idxd serves) and without
 * them, so the cost of highlighting is visible.  -x asks for exact totals
 * with every copy (exact_total=1&dedup=0).  -v also prints, per query, its
 * fastest time over the rounds (with snippets), the slowest first: which
 * queries make the tail.  -b MS searches with idxd's
 * time budget (default 250 ms there), so its deadline checks are counted.  -k SPEC
 * ranks with idx search --rank SPEC over the default (query.h), to see what a
 * ranking signal costs.  Compare with `idx bench --url ... --connections 1`
 * to see what HTTP adds (bench/load.sh does both).
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "document.h"
#include "request.h"
#include "search.h"

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double pct(const double *v, size_t n, double p)
{
    size_t i = (size_t)(p / 100.0 * (double)(n - 1) + 0.5);
    return v[i < n ? i : n - 1];
}

static int exact_all; /* -x: exact totals, every copy (exact_total=1&dedup=0) */
static int verbose;   /* -v: per query times */
static double budget; /* -b MS: idxd's --budget (its deadline checks); 0: none */
static const char *rank; /* -k SPEC: ranking parameters over the default; NULL: default */

/* One pass over the queries; latencies (ms) appended to lat if not NULL. */
static int pass(idx_db *db, const idx_schema *sc, char **qs, size_t nq, unsigned limit, int snippets,
                double *lat, size_t *nlat, unsigned long long *bytes)
{
    for (size_t i = 0; i < nq; i++) {
        idx_search_req r = {.q = qs[i], .qlen = strlen(qs[i]), .limit = limit,
                            .sort = IDX_SORT_RELEVANCE, .title_weight = -1, .snippets = snippets,
                            .exact_total = exact_all, .all_copies = exact_all,
                            .budget_ms = budget, .rank = rank};
        idx_err err;
        idx_err_clear(&err);
        json_t *out = NULL;
        double t0 = idx_clock();
        if (idx_search_json(db, sc, &r, &out, &err) != IDX_OK) {
            fprintf(stderr, "queryrun: query '%s': %s\n", qs[i], err.msg);
            return -1;
        }
        char *s = json_dumps(out, JSON_COMPACT);
        double t1 = idx_clock();
        if (bytes && s) *bytes += strlen(s);
        free(s);
        json_decref(out);
        if (lat) lat[(*nlat)++] = (t1 - t0) * 1e3;
    }
    return 0;
}

typedef struct qtime {
    double best;
    const char *q;
} qtime;

static int cmp_qtime(const void *a, const void *b)
{
    double x = ((const qtime *)a)->best, y = ((const qtime *)b)->best;
    return x > y ? -1 : x < y;
}

/* lat[r * nq + i]: query i's time in round r.  Prints each query's fastest. */
static void per_query(char **qs, size_t nq, const double *lat, int rounds)
{
    qtime *t = malloc(nq * sizeof *t);
    if (!t) return;
    for (size_t i = 0; i < nq; i++) {
        t[i].q = qs[i];
        t[i].best = lat[i];
        for (int r = 1; r < rounds; r++)
            if (lat[(size_t)r * nq + i] < t[i].best) t[i].best = lat[(size_t)r * nq + i];
    }
    qsort(t, nq, sizeof *t, cmp_qtime);
    for (size_t i = 0; i < nq; i++) printf("query %9.3f ms  %s\n", t[i].best, t[i].q);
    free(t);
}

int main(int argc, char **argv)
{
    int rounds = 5, o;
    unsigned limit = 10;
    while ((o = getopt(argc, argv, "r:l:b:k:xvh")) != -1) {
        if (o == 'r') rounds = atoi(optarg);
        else if (o == 'b') budget = atof(optarg);
        else if (o == 'v') verbose = 1;
        else if (o == 'k') rank = optarg;
        else if (o == 'l') limit = (unsigned)atoi(optarg);
        else if (o == 'x') exact_all = 1;
        else {
            fprintf(stderr, "usage: queryrun [-r ROUNDS] [-l LIMIT] [-b BUDGET_MS] [-k RANK] [-x] [-v] DB QUERYFILE\n");
            return 2;
        }
    }
    if (argc - optind != 2 || rounds < 1 || limit < 1 || limit > IDX_SEARCH_MAX_LIMIT) {
        fprintf(stderr, "usage: queryrun [-r ROUNDS] [-l LIMIT] [-b BUDGET_MS] [-k RANK] [-x] [-v] DB QUERYFILE\n");
        return 2;
    }
    FILE *f = fopen(argv[optind + 1], "r");
    if (!f) {
        perror(argv[optind + 1]);
        return 1;
    }
    char **qs = NULL, line[8192];
    size_t nq = 0;
    while (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\r\n")] = '\0';
        if (!line[0] || line[0] == '#') continue;
        char **nqs = realloc(qs, (nq + 1) * sizeof *qs);
        if (!nqs) return 1;
        qs = nqs;
        qs[nq++] = strdup(line);
    }
    fclose(f);
    if (!nq) {
        fprintf(stderr, "queryrun: no queries in %s\n", argv[optind + 1]);
        return 1;
    }
    idx_err err;
    idx_err_clear(&err);
    idx_db *db = NULL;
    idx_schema sc;
    if (idx_db_open(argv[optind], IDX_DB_READ, &db, &err) ||
        idx_schema_read(db, &sc, &err)) {
        fprintf(stderr, "queryrun: %s\n", err.msg);
        return 1;
    }
    double *lat = malloc(nq * (size_t)rounds * sizeof *lat);
    printf("in-process search, 1 thread, %zu queries x %d rounds, limit %u%s\n", nq, rounds, limit,
           exact_all ? ", exact totals, every copy" : "");
    printf("%-22s %9s %9s %9s %9s %9s %10s %11s\n", "mode", "p50_ms", "p95_ms", "p99_ms",
           "max_ms", "mean_ms", "queries/s", "bytes/resp");
    for (int snippets = 1; snippets >= 0; snippets--) {
        size_t n = 0;
        unsigned long long bytes = 0;
        if (pass(db, &sc, qs, nq, limit, snippets, NULL, NULL, NULL)) return 1; /* warm */
        double t0 = idx_clock();
        for (int r = 0; r < rounds; r++)
            if (pass(db, &sc, qs, nq, limit, snippets, lat, &n, &bytes)) return 1;
        double secs = idx_clock() - t0, sum = 0;
        for (size_t i = 0; i < n; i++) sum += lat[i];
        if (verbose && snippets) per_query(qs, nq, lat, rounds);
        qsort(lat, n, sizeof *lat, cmp_double);
        printf("%-22s %9.3f %9.3f %9.3f %9.3f %9.3f %10.1f %11llu\n",
               snippets ? "with snippets (idxd)" : "without snippets", pct(lat, n, 50),
               pct(lat, n, 95), pct(lat, n, 99), lat[n - 1], sum / (double)n, (double)n / secs,
               bytes / n);
    }
    free(lat);
    for (size_t i = 0; i < nq; i++) free(qs[i]);
    free(qs);
    idx_db_close(db);
    return 0;
}
