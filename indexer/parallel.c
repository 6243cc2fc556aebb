/* parallel.c - `idx add --jobs N`: N processes index at once.
 *
 * The build itself is the write path's (writer.h, idx_build): on a hash:M
 * archive each job writes the shards it owns, in place, with the usual
 * committed batches; a new plain database is built in parts in a staging
 * directory beside it and merged, appearing whole, compact, or not at all (a
 * crash or failed job leaves no database; the staging directory is removed
 * when the run can, else by the next --jobs build into it).  This file makes
 * and minds the processes: it opens the build, forks one job per writer
 * (each runs ingest.c over all of the input files - so not standard input,
 * which can be read only once - with its writer of the build), collects one
 * count line per job over a pipe, finishes the build and prints one summary.
 * Ctrl-C stops reading; what was read is committed (and merged and stored),
 * as in one process.
 *
 * Nothing outlives a killed run.  The jobs die with the parent
 * (PR_SET_PDEATHSIG), and SIGINT/SIGTERM sent to the parent alone are passed
 * on to them.  Building a new database, the parent holds the staging
 * directory's lock for the whole build (the jobs inherit it), so a build
 * into the same database started meanwhile stops at once instead of racing
 * this one.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "err.h"
#include "idx.h"
#include "writer.h"

/* The running jobs, for on_signal; g_njobs is 0 outside run_jobs' wait. */
static pid_t *g_jobs;
static volatile sig_atomic_t g_njobs;

static void on_signal(int sig)
{
    /* A terminal's Ctrl-C reaches the jobs too, a `kill PARENT` does not:
     * pass it on (a job that gets it twice stops once).  They stop reading,
     * commit and report. */
    int e = errno;
    for (sig_atomic_t j = 0; j < g_njobs; j++)
        if (g_jobs[j] > 0) kill(g_jobs[j], sig);
    errno = e;
}

unsigned idx_jobs_per_core(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n < 1 ? 1 : n > IDX_BULK_MAX_JOBS ? IDX_BULK_MAX_JOBS : (unsigned)n;
}

int idx_run_jobs(const idx_opts *o, unsigned jobs, const idx_build *b, idx_job_fn fn,
                 idx_add_counts *sum)
{
    int status = EXIT_OK;
    int fds[2];
    memset(sum, 0, sizeof *sum);
    if (pipe(fds) != 0) {
        idx_die_msg("pipe: %s", strerror(errno));
        return EXIT_DB;
    }
    fflush(stdout);
    fflush(stderr);
    pid_t *pids = calloc(jobs, sizeof *pids);
    if (!pids) {
        idx_die_msg("out of memory");
        close(fds[0]);
        close(fds[1]);
        return EXIT_DB;
    }
    pid_t parent = getpid();
    for (unsigned j = 0; j < jobs; j++) {
        pid_t p = fork();
        if (p < 0) {
            idx_die_msg("fork: %s", strerror(errno));
            status = EXIT_DB;
            break;
        }
        if (p == 0) {
            /* die with the parent, also when it died before this line */
            if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || getppid() != parent) _exit(EXIT_DB);
            close(fds[0]);
            idx_add_counts c = {0, 0, 0, 0};
            int st = fn(o, b, j, &c);
            char line[160];
            int n = snprintf(line, sizeof line, "%d %llu %llu %llu %llu\n", st, c.added,
                             c.replaced, c.rejected, c.lost);
            ssize_t w = write(fds[1], line, (size_t)n); /* < PIPE_BUF: one piece */
            (void)w;
            _exit(st);
        }
        pids[j] = p;
    }
    close(fds[1]);
    /* SIGINT/SIGTERM: the jobs commit what they read and report; wait for them */
    g_jobs = pids;
    g_njobs = (sig_atomic_t)jobs;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sa.sa_flags = SA_RESTART;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    FILE *f = fdopen(fds[0], "r");
    int st;
    unsigned long long a, r, x, l;
    unsigned reported = 0;
    while (f && fscanf(f, "%d %llu %llu %llu %llu", &st, &a, &r, &x, &l) == 5) {
        reported++;
        sum->added += a;
        sum->replaced += r;
        sum->rejected += x;
        sum->lost += l;
        if (st > status) status = st;
    }
    if (f) fclose(f);
    else close(fds[0]);
    g_njobs = 0; /* every job has exited (or is exiting): no pid of theirs is reused before the wait */
    for (unsigned j = 0; j < jobs; j++) {
        int ws;
        if (pids[j] > 0 && waitpid(pids[j], &ws, 0) == pids[j] && !(WIFEXITED(ws)))
            status = EXIT_DB; /* killed */
    }
    free(pids);
    if (reported < jobs && status < EXIT_DB) status = EXIT_DB;
    return status;
}

static void summary(const idx_add_counts *sum, double secs, unsigned jobs, const char *extra)
{
    unsigned long long n = sum->added + sum->replaced;
    printf("added %llu, replaced %llu, rejected %llu, %.0f articles/s (%.2f s, %u jobs%s)",
           sum->added, sum->replaced, sum->rejected, secs > 0 ? n / secs : 0.0, secs, jobs, extra);
}

int idx_add_parallel(const idx_opts *o)
{
    int from_stdin = o->nargs == 0;
    for (int i = 0; i < o->nargs; i++)
        if (strcmp(o->args[i], "-") == 0) from_stdin = 1;
    if (from_stdin) {
        idx_die_msg("--jobs needs input files: every job reads all of the input, and standard "
                    "input can be read only once (save it to a file first)");
        return EXIT_USAGE;
    }
    double t0 = idx_clock();
    idx_writer_opts wo = idx_add_writer_opts(o);
    idx_build *b;
    idx_err err;
    idx_err_clear(&err);
    int rc = idx_build_open(&wo, o->jobs, idx_note, NULL, &b, &err);
    if (rc) {
        idx_die_msg("%s", err.msg);
        return idx_add_exit(rc);
    }
    idx_add_counts sum;
    int status = idx_run_jobs(o, o->jobs, b, idx_add_run, &sum);
    if (!idx_build_parts(b)) { /* shards, written in place */
        summary(&sum, idx_clock() - t0, o->jobs, "");
        if (status == EXIT_DB)
            printf(" - a job failed: up to %llu articles read were NOT committed", sum.lost);
        printf("\n");
    } else if (status == EXIT_DB) {
        summary(&sum, idx_clock() - t0, o->jobs, "");
        printf(" - a job failed: nothing was stored in %s\n", o->db);
    } else {
        double tm = idx_clock();
        if (idx_build_finish(b, &err)) {
            idx_die_msg("%s", err.msg);
            status = EXIT_DB;
        }
        char extra[64];
        snprintf(extra, sizeof extra, ", merged in %.2f s", idx_clock() - tm);
        summary(&sum, idx_clock() - t0, o->jobs, extra);
        if (status == EXIT_DB) printf(" - nothing was stored in %s", o->db);
        printf("\n");
    }
    idx_err_clear(&err);
    if (idx_build_close(b, &err)) idx_die_msg("%s", err.msg);
    return status;
}
