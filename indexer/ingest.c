/* ingest.c - `idx add`: the input side of the write path (writer.h).
 *
 * Reads the inputs - files or standard input, JSON Lines plain or
 * compressed (lines.h), raw pages and directories of them (pages.h) - and
 * gives each article record to a writer, which commits every --batch
 * accepted articles and at the end, so the database always holds a committed
 * prefix of the input: a crash or SIGKILL loses at most the open batch and
 * never corrupts.  SIGINT and SIGTERM stop reading, commit what was read,
 * and exit 1.
 *
 * A bad line is reported as FILE:LINE: reason on stderr and skipped; the
 * exit status is 0 only if every line was accepted.  The last line on stdout
 * is the summary: added, replaced (both as committed), rejected and the rate.
 *
 * A database error (a full disk, an I/O error) stops the run: the open batch
 * is dropped, stderr names the database, the OS reason and the last input
 * line whose article is stored, and the exit status is 3.  The database keeps
 * its last commit; re-running the same input finishes the job (upserts).
 *
 * In a --jobs build (parallel.c) every job runs this over all of the input
 * with its own writer of the build, which keeps the job's share; job 0
 * reports what is wrong with the input.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "idx.h"
#include "lines.h"
#include "xap.h" /* idx_xap_on_fatal */
#include "pages.h"
#include "writer.h"

static volatile sig_atomic_t g_stop;

static void on_signal(int sig)
{
    (void)sig;
    g_stop = 1;
}

typedef struct ingest {
    const idx_opts *o;
    idx_writer *w;
    unsigned job;            /* of a --jobs build (0 alone): job 0 reports bad input */
    uint64_t rejected;       /* input no writer saw: long lines, pages without an article */
    uint64_t skipped;        /* files of a directory that are neither page nor JSON Lines */
    const char *name;        /* input being read */
    unsigned long long line; /* its line last read */
    char stored_upto[512];   /* "FILE:LINE" of the last commit, or "" */
    int progress;
    int summary;             /* this process prints the summary (not a job of a build) */
    double t0, last_draw;
    idx_page_sites *sites;   /* raw pages: their sites' template lines */
} ingest;

idx_writer_opts idx_add_writer_opts(const idx_opts *o)
{
    return (idx_writer_opts){
        .db = o->db,
        .shard_by = o->shard_by,
        .want = {.format = o->index_format, .unigrams = o->unigrams, .fold = o->fold},
        .batch = o->batch,
        .no_cluster = o->no_cluster,
    };
}

static void draw_progress(ingest *g, idx_lines *in, const char *name, int final)
{
    double now = idx_clock();
    if (!final && now - g->last_draw < 0.2) return;
    g->last_draw = now;
    uint64_t done, total;
    idx_lines_progress(in, &done, &total);
    const idx_write_counts *c = idx_writer_counts(g->w);
    uint64_t n = c->added + c->replaced + c->pending;
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

/* A write to the database failed (disk full, I/O error): say which database
 * and why (err, from the writer), and what it still holds. */
static void db_failed(ingest *g, const char *doing, const idx_err *err)
{
    idx_die_msg("%s", err->msg);
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

/* The summary line on stdout: counts c, the run stopped by a database error
 * (failed), compacted from before to after bytes (before 0: not). */
static void print_summary(const ingest *g, const idx_write_counts *c, int failed,
                          unsigned long long before, unsigned long long after)
{
    double secs = idx_clock() - g->t0;
    uint64_t n = c->added + c->replaced;
    printf("added %llu, replaced %llu, rejected %llu, %.0f articles/s (%.2f s)",
           (unsigned long long)c->added, (unsigned long long)c->replaced,
           (unsigned long long)(c->rejected + g->rejected), secs > 0 ? n / secs : 0.0, secs);
    if (failed)
        printf(" - stopped by a database error: the last %llu articles read were NOT committed",
               (unsigned long long)c->pending);
    if (before)
        printf(" - compacted %.1f MiB to %.1f MiB", before / 1048576.0, after / 1048576.0);
    printf("\n");
}

/* The run under way, for fatal_in_xapian (one per process: a --jobs build
 * forks its jobs). */
static ingest *g_run;

/* libxapian ended the process inside a failed commit (xap.h,
 * idx_xap_on_fatal): the same message and exit status as any other failed
 * commit - the database is at its last commit. */
static void fatal_in_xapian(const idx_err *why)
{
    ingest *g = g_run;
    if (!g) return;
    idx_err e;
    idx_err_clear(&e);
    idx_err_set(&e, IDX_EDB, "writer", "cannot write to database %s: %s", g->o->db, why->msg);
    db_failed(g, "committing", &e);
    if (g->summary) print_summary(g, idx_writer_counts(g->w), 1, 0, 0);
    fflush(stdout);
    fflush(stderr);
    _exit(EXIT_DB);
}

/* One article record (a JSON object) from name:ln, given to the writer; a
 * rejected one is reported.  Returns IDX_OK, or the database error that stops
 * the run. */
static int ingest_record(ingest *g, const char *name, unsigned long long ln, const char *rec,
                         size_t len)
{
    idx_err err;
    idx_err_clear(&err);
    int outcome;
    int rc = idx_writer_put(g->w, rec, len, &outcome, &err);
    if ((outcome & IDX_PUT_COMMITTED) && g->name)
        snprintf(g->stored_upto, sizeof g->stored_upto, "%s:%llu", g->name, g->line);
    if (rc == IDX_EINVAL) {
        if (g->progress) fputc('\r', stderr);
        fprintf(stderr, "%s:%llu: %s\n", name, ln, err.msg);
        return IDX_OK;
    }
    if (rc) db_failed(g, outcome ? "committing" : "adding", &err);
    return rc;
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

/* One ingest run: see idx.h. */
int idx_add_run(const idx_opts *o, const idx_build *b, unsigned job, idx_add_counts *counts)
{
    ingest g = {
        .o = o,
        .job = job,
        .progress = !o->quiet && isatty(2) && !b,
        .summary = !counts,
        .t0 = idx_clock(),
    };
    idx_err err;
    idx_err_clear(&err);

    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);

    idx_writer_opts wo = idx_add_writer_opts(o);
    int rc = b ? idx_build_writer(b, job, &g.w, &err) : idx_writer_open(&wo, &g.w, &err);
    for (double since = 0; !b && rc == IDX_ELOCKED && idx_lock_wait(o, &since);) {
        idx_err_clear(&err);
        rc = idx_writer_open(&wo, &g.w, &err);
    }
    if (rc) {
        idx_die_msg("%s", err.msg);
        return idx_add_exit(rc);
    }
    g_run = &g;
    idx_xap_on_fatal(fatal_in_xapian);
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
        idx_writer_close(g.w);
        g_run = NULL;
        return EXIT_DB;
    }
    free(pagev);
    int input_failed = 0;
    for (int i = 0; i < nfiles && !g_stop && rc == IDX_OK; i++)
        rc = is_text_page(o, files[i]) ? ingest_pages(&g, files[i], &input_failed)
                                       : ingest_file(&g, files[i], &input_failed);
    if (rc == IDX_OK && (rc = idx_writer_commit(g.w, &err)))
        db_failed(&g, "committing after", &err);
    idx_write_counts c = *idx_writer_counts(g.w); /* a failed batch's articles: pending */
    /* grown past its compact size by batch commits: compacted in place
     * (writer.h; not for a job of a build, whose part is merged anyway) */
    unsigned long long before = 0, after = 0;
    if (rc == IDX_OK && !b && !g_stop &&
        idx_writer_compact_if_grown(g.w, &before, &after, idx_note, NULL, &err) != IDX_OK) {
        fprintf(stderr, "idx: %s\n", err.msg); /* what was added is committed all the same */
        idx_err_clear(&err);
    }
    idx_writer_close(g.w); /* a failed batch is dropped; earlier ones stay */
    g_run = NULL;
    idx_page_sites_free(g.sites);

    uint64_t rejected = c.rejected + g.rejected;
    if (g_stop) fprintf(stderr, "idx: interrupted; everything read so far was committed\n");
    int status = EXIT_OK;
    if (rc || input_failed) status = EXIT_DB;
    else if (rejected || g.skipped || g_stop) status = EXIT_PARTIAL;
    if (counts) {
        counts->added = c.added;
        counts->replaced = c.replaced;
        counts->rejected = rejected;
        counts->lost = c.pending;
        return status;
    }
    print_summary(&g, &c, rc != 0, before, after);
    return status;
}

/* The bulk path by default: with no --jobs and no --batch, a database that
 * does not exist yet, made from IDX_BULK_MIN_BYTES or more of JSON Lines
 * files (not standard input, not pages), is built as `--jobs N` builds it -
 * one job per core (at most IDX_BULK_MAX_JOBS), parts merged by Xapian's
 * compactor - so it is built in about 1/N of the time and compact (half the
 * size of one process's batch commits), appearing whole or not at all.
 * Returns the jobs to use, or 0 for one process. */
static unsigned bulk_jobs(const idx_opts *o)
{
    unsigned jobs = idx_jobs_per_core();
    if (o->jobs || o->batch || o->shard_by || o->nargs == 0 || jobs < 2) return 0;
    struct stat st;
    if (stat(o->db, &st) == 0 || errno != ENOENT) return 0;
    unsigned long long bytes = 0;
    for (int i = 0; i < o->nargs; i++) {
        if (strcmp(o->args[i], "-") == 0 || is_text_page(o, o->args[i])) return 0;
        if (stat(o->args[i], &st) != 0 || !S_ISREG(st.st_mode)) return 0;
        bytes += (unsigned long long)st.st_size;
    }
    return bytes < IDX_BULK_MIN_BYTES ? 0 : jobs;
}

int idx_cmd_add(const idx_opts *o)
{
    if (o->server) return idx_add_remote(o);
    unsigned bulk = bulk_jobs(o);
    if (bulk) {
        idx_opts b = *o;
        b.jobs = bulk;
        return idx_add_parallel(&b);
    }
    if (o->jobs > 1) return idx_add_parallel(o);
    return idx_add_run(o, NULL, 0, NULL);
}
