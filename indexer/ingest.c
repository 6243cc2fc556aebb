/* ingest.c - `idx add`: JSON Lines in, committed batches out.
 *
 * All input goes through one open transaction that is committed every
 * --batch accepted articles and at the end, so the database always holds a
 * committed prefix of the input: a crash or SIGKILL loses at most the open
 * batch and never corrupts (Xapian commits are atomic and fsync'd).  SIGINT
 * and SIGTERM stop reading, commit what was read, and exit 1.
 *
 * A bad line is reported as FILE:LINE: reason on stderr and skipped; the
 * exit status is 0 only if every line was accepted.  The last line on stdout
 * is the summary: added, replaced (both as committed), rejected and the rate.
 *
 * A database error (a full disk, an I/O error) stops the run: the open batch
 * is dropped, stderr names the database, the OS reason and the last input
 * line whose article is stored, and the exit status is 3.  The database keeps
 * its last commit; re-running the same input finishes the job (upserts).
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <sys/wait.h>
#include <unistd.h>

#include "archive.h"
#include "article.h"
#include "buf.h"
#include "cluster.h"
#include "document.h"
#include "idx.h"
#include "lines.h"
#include "pages.h"
#include "route.h"
#include "xap.h"

static volatile sig_atomic_t g_stop;

static void on_signal(int sig)
{
    (void)sig;
    g_stop = 1;
}

/* mkdir -p of the parent directories of path. */
int idx_make_parents(const char *path)
{
    char *p = strdup(path);
    if (!p) return -1;
    for (char *s = p + 1; *s; s++) {
        if (*s != '/') continue;
        *s = '\0';
        if (mkdir(p, 0777) != 0 && errno != EEXIST) {
            free(p);
            return -1;
        }
        *s = '/';
    }
    free(p);
    return 0;
}

/* A message without its leading "[module][op] " tag: FILE:LINE already says
 * where, the user needs the reason. */
static const char *untagged(const char *m)
{
    const char *p = m;
    while (*p == '[') {
        const char *q = strchr(p, ']');
        if (!q) return m;
        p = q + 1;
    }
    return p != m && *p == ' ' ? p + 1 : m;
}

/* The database's text options (document.h).  A new (empty) database takes
 * the wanted ones (or the defaults: all unigrams, folding on) and records
 * them.  Changing one on a database that holds documents is IDX_EINVAL: its
 * documents would disagree with its queries.  A database with documents but
 * no fold key was built before folding existed and stays unfolded. */
static int idx_db_schema(idx_db *db, int want_unigrams, int want_fold, idx_schema *sc,
                         idx_err *err)
{
    char *u = NULL, *f = NULL;
    idx_db_stats st;
    int rc = idx_db_get_metadata(db, IDX_META_UNIGRAMS, &u, err);
    if (!rc) rc = idx_db_get_metadata(db, IDX_META_FOLD, &f, err);
    if (!rc) rc = idx_db_get_stats(db, &st, err);
    if (rc) goto done;
    int have_u = strcmp(u, "edges") == 0 ? IDX_UNIGRAMS_EDGES : IDX_UNIGRAMS_ALL;
    int have_f = strcmp(f, "t2s") == 0 ? IDX_FOLD_T2S : IDX_FOLD_NONE;
    if (st.documents > 0) {
        if (*u && want_unigrams >= 0 && want_unigrams != have_u) {
            rc = idx_err_set(err, IDX_EINVAL,
                             "--cjk-unigrams cannot change on a database that holds documents"
                             " (it was built with \"%s\")", have_u ? "edges" : "all");
            goto done;
        }
        if (want_fold >= 0 && want_fold != have_f) {
            rc = idx_err_set(err, IDX_EINVAL,
                             "--fold cannot change on a database that holds documents"
                             " (it was built with \"%s\")", have_f ? "t2s" : "none");
            goto done;
        }
        sc->unigrams = have_u;
        sc->fold = have_f;
        if (!*u) rc = idx_db_set_metadata(db, IDX_META_UNIGRAMS, have_u ? "edges" : "all", err);
        if (!rc && !*f) rc = idx_db_set_metadata(db, IDX_META_FOLD, "none", err);
        goto done;
    }
    sc->unigrams = want_unigrams >= 0 ? want_unigrams : IDX_UNIGRAMS_ALL;
    sc->fold = want_fold >= 0 ? want_fold : IDX_FOLD_T2S;
    rc = idx_db_set_metadata(db, IDX_META_UNIGRAMS, sc->unigrams ? "edges" : "all", err);
    if (!rc) rc = idx_db_set_metadata(db, IDX_META_FOLD, sc->fold ? "t2s" : "none", err);
done:
    free(u);
    free(f);
    return rc;
}

typedef struct ingest {
    idx_db *db;
    const idx_opts *o;
    uint64_t added, replaced, rejected, in_batch;
    uint64_t skipped;                   /* files of a directory that are neither page nor JSON Lines */
    unsigned batch;                     /* articles per commit */
    uint64_t pend_added, pend_replaced; /* in the open batch */
    const char *name;                   /* input being read */
    unsigned long long line;            /* its line last read */
    char stored_upto[512];              /* "FILE:LINE" of the last commit, or "" */
    const char *shard_by;               /* archive: how articles go to shards ("" plain) */
    unsigned job, jobs;                 /* --jobs: this process is job of jobs */
    idx_schema schema;
    int progress;
    double t0, last_draw;
    idx_buf uid;
    int cluster;         /* near-duplicate clustering on */
    idx_buf cluster_key; /* scratch */
    idx_page_sites *sites; /* raw pages: their sites' template lines */
    idx_route *route;      /* --jobs parts of a plain database: who takes what */
} ingest;

static int commit_batch(ingest *g, int reopen, idx_err *err)
{
    char ts[32];
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%SZ", &tm);
    int rc;
    if ((rc = idx_db_set_metadata(g->db, "idx.last_update", ts, err)) ||
        (rc = idx_db_commit(g->db, err)))
        return rc;
    g->in_batch = 0;
    g->added += g->pend_added;
    g->replaced += g->pend_replaced;
    g->pend_added = g->pend_replaced = 0;
    if (g->name) snprintf(g->stored_upto, sizeof g->stored_upto, "%s:%llu", g->name, g->line);
    return reopen ? idx_db_begin(g->db, err) : IDX_OK;
}

static void draw_progress(ingest *g, idx_lines *in, const char *name, int final)
{
    double now = idx_clock();
    if (!final && now - g->last_draw < 0.2) return;
    g->last_draw = now;
    uint64_t done, total;
    idx_lines_progress(in, &done, &total);
    uint64_t n = g->added + g->replaced + g->pend_added + g->pend_replaced;
    double rate = n / (now - g->t0 > 1e-9 ? now - g->t0 : 1e-9);
    if (total > 0) {
        int pct = (int)(done * 100 / total);
        if (pct > 100) pct = 100;
        char bar[31];
        int fill = pct * 30 / 100;
        for (int i = 0; i < 30; i++) bar[i] = i < fill ? '#' : '.';
        bar[30] = '\0';
        fprintf(stderr, "\r%s [%s] %3d%% %llu articles %.0f/s ", name, bar, pct,
                (unsigned long long)n, rate);
    } else {
        fprintf(stderr, "\r%s %llu articles %.0f/s ", name, (unsigned long long)n, rate);
    }
    if (final) fputc('\n', stderr);
}

/* A write to the database failed (disk full, I/O error): say which database,
 * why, and what it still holds. */
static void db_failed(ingest *g, const char *doing, const idx_err *err)
{
    idx_die_msg("cannot write to database %s: %s", g->o->db, untagged(err->msg));
    if (g->name)
        fprintf(stderr, "idx: stopped while %s %s:%llu; ", doing, g->name, g->line);
    else
        fprintf(stderr, "idx: stopped while %s; ", doing);
    if (g->stored_upto[0])
        fprintf(stderr, "the database keeps its last commit, which ends with %s; ",
                g->stored_upto);
    else
        fprintf(stderr, "the database keeps what it held before this run; ");
    fprintf(stderr, "re-run the same input to finish\n");
}

/* One article record (a JSON object) from name:ln: parsed, built and
 * added; a bad record is reported and counted.  Returns IDX_OK, or the
 * database error that stops the run. */
static int ingest_record(ingest *g, const char *name, unsigned long long ln, const char *line,
                         size_t len)
{
    int rc;
    idx_article a;
    idx_err lerr;
    idx_err_clear(&lerr);
    if (idx_article_parse(line, len, &a, &lerr)) {
        if (g->job != 0) return IDX_OK; /* every job reads every line; one reports */
        const char *m = untagged(lerr.msg);
        if (g->progress) fputc('\r', stderr);
        fprintf(stderr, "%s:%llu: %s\n", name, ln, m);
        g->rejected++;
        return IDX_OK;
    }
    char key[IDX_SHARD_KEY_MAX] = "";
    if (g->shard_by[0])
        idx_archive_key(g->shard_by, a.id.s, a.id.n, a.has_date, a.date.year, a.date.month,
                        key);
    if (g->jobs > 1 && !g->route && idx_archive_key_owner(key, g->jobs) != g->job) {
        idx_article_fini(&a); /* another job's shard */
        return IDX_OK;
    }
    idx_sig sig; /* near-duplicates: the signature of its body */
    memset(&sig, 0, sizeof sig);
    const char *body = a.body.s ? a.body.s : "";
    rc = g->cluster ? idx_sig_of(body, a.body.n, &sig, &lerr) : IDX_OK;
    if (!rc && g->route) {
        unsigned j;
        rc = idx_route_job(g->route, a.id.s, a.id.n, &sig, &j, &lerr);
        if (!rc && j != g->job) {
            idx_article_fini(&a); /* another job's part */
            return IDX_OK;
        }
    }
    idx_xdoc *doc = NULL;
    int existed = 0;
    if (!rc) rc = idx_document_build(&a, &g->schema, &doc, &g->uid, &lerr);
    if (rc == IDX_EUTF8 || rc == IDX_EINVAL) { /* cannot happen after parse; stay safe */
        fprintf(stderr, "%s:%llu: %s\n", name, ln, lerr.msg);
        g->rejected++;
        idx_article_fini(&a);
        return IDX_OK;
    }
    if (!rc && g->cluster) { /* the cluster of its body */
        rc = idx_cluster_assign(g->db, a.id.s, a.id.n, body, a.body.n, &sig, &g->cluster_key,
                                &lerr);
        if (!rc) rc = idx_cluster_mark(doc, &sig, g->cluster_key.data, g->cluster_key.len, &lerr);
    }
    if (!rc && g->shard_by[0]) {
        rc = idx_db_replace_in(g->db, key, g->uid.data, g->uid.len, doc, &existed, &lerr);
    } else if (!rc) {
        rc = idx_db_replace(g->db, g->uid.data, g->uid.len, doc, &existed, &lerr);
    }
    idx_xdoc_free(doc);
    idx_article_fini(&a);
    if (rc) {
        db_failed(g, "adding", &lerr);
        return rc;
    }
    if (existed) g->pend_replaced++;
    else g->pend_added++;
    if (++g->in_batch >= g->batch && (rc = commit_batch(g, 1, &lerr))) {
        db_failed(g, "committing", &lerr);
        return rc;
    }
    return IDX_OK;
}

/* Index one input; returns IDX_OK, or a database error code (fatal). Input
 * errors are reported and counted. *input_failed is set on an unreadable
 * input. */
static int ingest_file(ingest *g, const char *path, int *input_failed)
{
    idx_err err;
    idx_err_clear(&err);
    idx_lines *in = NULL;
    const char *name = strcmp(path, "-") == 0 ? "<stdin>" : path;
    if (idx_lines_open(path, &in, &err)) {
        idx_die_msg("%s", err.msg);
        *input_failed = 1;
        return IDX_OK;
    }
    int rc = IDX_OK, r;
    const char *line;
    size_t len;
    while (!g_stop && (r = idx_lines_next(in, &line, &len, &err)) != IDX_LINES_EOF) {
        unsigned long long ln = (unsigned long long)idx_lines_lineno(in);
        g->name = name;
        g->line = ln;
        if (r == IDX_LINES_ERROR) {
            if (g->progress) fputc('\n', stderr);
            fprintf(stderr, "%s:%llu: %s\n", name, ln + 1, err.msg);
            *input_failed = 1;
            break;
        }
        if (r == IDX_LINES_TOOLONG) {
            if (g->job == 0) { /* every job reads every line; one reports */
                fprintf(stderr, "%s:%llu: line longer than %u bytes, skipped\n", name, ln,
                        IDX_LINES_MAX);
                g->rejected++;
            }
            continue;
        }
        size_t k = 0;
        while (k < len && (line[k] == ' ' || line[k] == '\t')) k++;
        if (k == len) continue; /* blank line */

        if ((rc = ingest_record(g, name, ln, line, len)) != IDX_OK) break;
        if (g->progress) draw_progress(g, in, name, 0);
    }
    if (g->progress) draw_progress(g, in, name, 1);
    idx_lines_close(in);
    return rc;
}

/* Raw pages (files, or directories of them): each cleaned into one article
 * record (pages.c) and added like a JSON line; a page without an article, or
 * unreadable, is reported as FILE: reason and counted as rejected.  In a
 * directory, JSON Lines files are read as JSON Lines (ingest_file), and a
 * file that is neither is reported as FILE: skipped: reason
 * (idx_page_file_kind). */
static int ingest_pages(ingest *g, const char *path, int *input_failed)
{
    char **files;
    size_t nf;
    idx_err err;
    idx_err_clear(&err);
    if (idx_page_files(path, &files, &nf, &err)) {
        idx_die_msg("%s", err.msg);
        *input_failed = 1;
        return IDX_OK;
    }
    int rc = IDX_OK;
    for (size_t i = 0; i < nf && !g_stop && rc == IDX_OK; i++) {
        char *text = NULL, *json = NULL;
        size_t n = 0;
        const char *why;
        int kind = idx_page_file_kind(path, files[i], g->o->format, &why);
        if (kind == IDX_PAGE_FILE_JSONL) {
            rc = ingest_file(g, files[i], input_failed);
            continue;
        }
        if (kind == IDX_PAGE_FILE_OTHER) {
            if (g->job == 0) fprintf(stderr, "%s: skipped: %s\n", files[i], why);
            g->skipped++;
            continue;
        }
        idx_err_clear(&err);
        g->name = files[i];
        g->line = 1;
        int prc = idx_page_read(files[i], &text, &n, &err);
        if (!prc)
            prc = idx_page_json(text, n, idx_page_is_html(files[i], text, n, g->o->format),
                                idx_page_site_of(g->sites, files[i]), g->o->source, g->o->url,
                                &json, &err);
        if (prc) {
            if (g->job == 0) {
                fprintf(stderr, "%s: %s\n", files[i], err.msg);
                g->rejected++;
            }
        } else {
            rc = ingest_record(g, files[i], 1, json, strlen(json));
        }
        free(text);
        free(json);
    }
    g->name = NULL; /* the file names are freed below */
    idx_page_files_free(files, nf);
    return rc;
}

static int is_text_page(const idx_opts *o, const char *path)
{
    if (o->format == IDX_FORMAT_TEXT || o->format == IDX_FORMAT_HTML) return 1;
    if (o->format == IDX_FORMAT_JSONL || strcmp(path, "-") == 0) return 0;
    struct stat st;
    if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) return 1; /* a directory of pages */
    size_t n = strlen(path);
    return (n > 4 && strcmp(path + n - 4, ".txt") == 0) ||
           (n > 5 && strcmp(path + n - 5, ".html") == 0) ||
           (n > 4 && strcmp(path + n - 4, ".htm") == 0);
}

/* The archive (made when new) that --shard-by names, its spec matching. */
int idx_add_prepare_archive(const idx_opts *o, idx_err *err)
{
    char *stub = NULL;
    int isarch = idx_archive_detect(o->db, &stub);
    if (isarch != 1) {
        if (idx_archive_create(o->db, o->shard_by, err) != IDX_OK) {
            idx_die_msg("%s", err->msg);
            return err->rc == IDX_EINVAL ? EXIT_USAGE : EXIT_DB;
        }
        return EXIT_OK;
    }
    idx_archive ar;
    int rc0 = idx_archive_read(stub, &ar, err);
    free(stub);
    if (rc0) {
        idx_die_msg("%s", err->msg);
        return EXIT_DB;
    }
    int same = strcmp(ar.shard_by, o->shard_by) == 0;
    if (!same)
        idx_die_msg("%s is an archive sharded by %s, not %s", o->db,
                    ar.shard_by[0] ? ar.shard_by : "hand (no shard-by line)", o->shard_by);
    idx_archive_fini(&ar);
    return same ? EXIT_OK : EXIT_USAGE;
}

/* One ingest: all of it, or (jobs > 1) the share of job: the articles of the
 * shards it owns of a hash archive, or (parts) those route.h gives it, into
 * the scratch database o->db.  Prints the summary line unless counts is
 * given. */
int idx_add_run(const idx_opts *o, unsigned job, unsigned jobs, int parts, idx_add_counts *counts)
{
    ingest g;
    memset(&g, 0, sizeof g);
    g.o = o;
    g.job = job;
    g.jobs = jobs;
    idx_buf_init(&g.uid);
    idx_buf_init(&g.cluster_key);
    g.cluster = !o->no_cluster;
    g.batch = o->batch ? o->batch : parts ? IDX_BATCH_PART : IDX_BATCH_DEFAULT;
    g.progress = !o->quiet && isatty(2) && jobs <= 1;
    g.t0 = idx_clock();
    idx_err err;
    idx_err_clear(&err);

    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);

    if (idx_make_parents(o->db) != 0) {
        idx_die_msg("cannot create the directories above %s: %s", o->db, strerror(errno));
        return EXIT_DB;
    }
    if (o->shard_by && jobs <= 1) {
        int st = idx_add_prepare_archive(o, &err);
        if (st != EXIT_OK) return st;
    }
    if (parts ? idx_db_open(o->db, IDX_DB_SCRATCH, &g.db, &err)
        : jobs > 1 ? idx_db_open_part(o->db, job, jobs, &g.db, &err)
                   : idx_db_open(o->db, IDX_DB_WRITE, &g.db, &err)) {
        if (err.rc == IDX_ELOCKED)
            idx_die_msg("database %s is locked: another writer (idx add/rm) is running", o->db);
        else
            idx_die_msg("cannot open database %s: %s", o->db, err.msg);
        return EXIT_DB;
    }
    int status = EXIT_OK, input_failed = 0, rc;
    g.shard_by = idx_db_shard_by(g.db);
    if (!g.shard_by[0] && idx_db_is_archive(g.db)) {
        idx_die_msg("%s is a stub without a \"# idx shard-by\" line: idx add cannot tell which "
                    "shard an article goes to (add to a shard directly)", o->db);
        idx_db_close(g.db);
        return EXIT_USAGE;
    }
    if ((rc = idx_db_schema(g.db, o->unigrams, o->fold, &g.schema, &err))) {
        if (rc == IDX_EINVAL)
            idx_die_msg("%s", err.msg);
        else
            idx_die_msg("cannot write to database %s: %s", o->db, untagged(err.msg));
        idx_db_close(g.db);
        return rc == IDX_EINVAL ? EXIT_USAGE : EXIT_DB;
    }
    if ((rc = idx_db_begin(g.db, &err))) {
        idx_die_msg("cannot write to database %s: %s", o->db, untagged(err.msg));
        idx_db_close(g.db);
        return EXIT_DB;
    }
    if (parts && idx_route_new(jobs, &g.route, &err)) {
        idx_die_msg("%s", err.msg);
        idx_db_close(g.db);
        return EXIT_DB;
    }
    static char *stdin_only[] = {"-"};
    char **files = o->nargs ? o->args : stdin_only;
    int nfiles = o->nargs ? o->nargs : 1;
    /* raw pages: every page read once first, for its site's template */
    char **pagev = malloc((size_t)nfiles * sizeof *pagev);
    size_t np = 0;
    for (int i = 0; pagev && i < nfiles; i++)
        if (is_text_page(o, files[i])) pagev[np++] = files[i];
    if (!pagev || (np && idx_page_sites_learn(pagev, np, o->format, &g.sites, &err))) {
        idx_die_msg("reading the pages: out of memory");
        free(pagev);
        idx_route_free(g.route);
        idx_db_close(g.db);
        return EXIT_DB;
    }
    free(pagev);
    for (int i = 0; i < nfiles && !g_stop && rc == IDX_OK; i++)
        rc = is_text_page(o, files[i]) ? ingest_pages(&g, files[i], &input_failed)
                                       : ingest_file(&g, files[i], &input_failed);
    if (rc == IDX_OK) {
        if ((rc = commit_batch(&g, 0, &err))) db_failed(&g, "committing after", &err);
    } else {
        idx_db_cancel(g.db, NULL); /* the failed batch is dropped; earlier ones stay */
    }
    idx_db_close(g.db);
    idx_buf_fini(&g.uid);
    idx_buf_fini(&g.cluster_key);
    idx_page_sites_free(g.sites);
    idx_route_free(g.route);

    double secs = idx_clock() - g.t0;
    uint64_t n = g.added + g.replaced;
    if (g_stop) fprintf(stderr, "idx: interrupted; everything read so far was committed\n");
    uint64_t lost = g.pend_added + g.pend_replaced;
    if (rc || input_failed) status = EXIT_DB;
    else if (g.rejected || g.skipped || g_stop) status = EXIT_PARTIAL;
    if (counts) {
        counts->added = g.added;
        counts->replaced = g.replaced;
        counts->rejected = g.rejected;
        counts->lost = lost;
        return status;
    }
    printf("added %llu, replaced %llu, rejected %llu, %.0f articles/s (%.2f s)",
           (unsigned long long)g.added, (unsigned long long)g.replaced,
           (unsigned long long)g.rejected, secs > 0 ? n / secs : 0.0, secs);
    if (rc)
        printf(" - stopped by a database error: the last %llu articles read were NOT committed",
               (unsigned long long)lost);
    printf("\n");
    return status;
}

int idx_cmd_add(const idx_opts *o)
{
    if (o->jobs > 1) return idx_add_parallel(o);
    return idx_add_run(o, 0, 1, 0, NULL);
}
