/* parallel.c - `idx add --jobs N`: N processes index at once.
 *
 * Every job reads all the input files (so not standard input, which can be
 * read only once) and indexes its share (ingest.c does the
 * work; this file forks, collects one count line per job over a pipe and
 * prints one summary).  Two kinds of target:
 *   - a hash:M archive (archive.h): each job writes the shards it owns, in
 *     place, with the usual committed batches;
 *   - a new plain database: each job builds a part in a staging directory
 *     beside it (DB.parts-XXXXXX, scratch databases without fsync; route.h
 *     decides which job takes an article so that upserts and reprints stay
 *     together), then Xapian's compactor merges the parts into DB.parts-X/db,
 *     which is fsync'd and renamed to DB.  DB appears whole, compact, or not
 *     at all: a crash or failed job leaves no DB (nothing was stored there
 *     before) and the staging directory is removed when the run can.  Ctrl-C
 *     stops reading; what was read is merged and stored, as in one process.
 *
 * Nothing outlives a killed run.  The jobs die with the parent
 * (PR_SET_PDEATHSIG), and SIGINT/SIGTERM sent to the parent alone are passed
 * on to them.  The parent holds an flock on DB.parts-X/owner.lock for the
 * whole build (the jobs inherit it); a staging directory whose lock can be
 * taken belongs to no live build, and the next --jobs build into DB removes
 * it.  One whose lock is held is another build into DB: this one stops at
 * once instead of racing it.  Staging directories of other targets (another
 * name's prefix) are never looked at.  The staging directory, its lock, the
 * stale removal and the final fsync and rename are staging.h's (shared with
 * `idx compact`).
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "archive.h"
#include "err.h"
#include "idx.h"
#include "staging.h"
#include "xap.h"

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

/* Fork jobs processes; job j runs idx_add_run over dbs[j] (or o->db).  Sums
 * their counts into *sum; returns the worst exit status (EXIT_DB when a job
 * died without reporting). */
static int run_jobs(const idx_opts *o, char **dbs, int parts, idx_add_counts *sum)
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
    pid_t *pids = calloc(o->jobs, sizeof *pids);
    if (!pids) {
        idx_die_msg("out of memory");
        close(fds[0]);
        close(fds[1]);
        return EXIT_DB;
    }
    pid_t parent = getpid();
    for (unsigned j = 0; j < o->jobs; j++) {
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
            idx_opts jo = *o;
            if (dbs) jo.db = dbs[j];
            idx_add_counts c = {0, 0, 0, 0};
            int st = idx_add_run(&jo, j, o->jobs, parts, &c);
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
    g_njobs = (sig_atomic_t)o->jobs;
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
    for (unsigned j = 0; j < o->jobs; j++) {
        int ws;
        if (pids[j] > 0 && waitpid(pids[j], &ws, 0) == pids[j] && !(WIFEXITED(ws)))
            status = EXIT_DB; /* killed */
    }
    free(pids);
    if (reported < o->jobs && status < EXIT_DB) status = EXIT_DB;
    return status;
}

static void summary(const idx_add_counts *sum, double secs, unsigned jobs, const char *extra)
{
    unsigned long long n = sum->added + sum->replaced;
    printf("added %llu, replaced %llu, rejected %llu, %.0f articles/s (%.2f s, %u jobs%s)",
           sum->added, sum->replaced, sum->rejected, secs > 0 ? n / secs : 0.0, secs, jobs, extra);
}

/* --jobs N on a hash:M archive: each job builds the shards it owns (all M
 * made first, so no process rewrites the stub). */
static int parallel_archive(const idx_opts *o)
{
    idx_err err;
    idx_err_clear(&err);
    double t0 = idx_clock();
    if (idx_make_parents(o->db) != 0) {
        idx_die_msg("cannot create the directories above %s: %s", o->db, strerror(errno));
        return EXIT_DB;
    }
    idx_archive ar;
    char *stub = NULL;
    if (o->shard_by) {
        int st = idx_add_prepare_archive(o, &err);
        if (st != EXIT_OK) return st;
    }
    if (idx_archive_detect(o->db, &stub) != 1 || idx_archive_read(stub, &ar, &err) != IDX_OK) {
        free(stub);
        idx_die_msg("--jobs builds the shards of an archive sharded by hash:N, or a new plain "
                    "database; %s is neither", o->db);
        return EXIT_USAGE;
    }
    free(stub);
    unsigned nshards = strncmp(ar.shard_by, "hash:", 5) == 0 ? (unsigned)atoi(ar.shard_by + 5) : 0;
    int status = EXIT_OK;
    if (nshards == 0) {
        idx_die_msg("--jobs needs an archive sharded by hash:N; %s is sharded by %s", o->db,
                    ar.shard_by[0] ? ar.shard_by : "hand");
        status = EXIT_USAGE;
    } else if (o->jobs > nshards) {
        idx_die_msg("--jobs %u: the archive has only %u shards (hash:%u)", o->jobs, nshards,
                    nshards);
        status = EXIT_USAGE;
    }
    for (unsigned k = 0; status == EXIT_OK && k < nshards; k++) {
        char key[IDX_SHARD_KEY_MAX];
        snprintf(key, sizeof key, "h%03u", k);
        if (idx_archive_find(&ar, key) < 0 && idx_archive_add_shard(&ar, key, &err) != IDX_OK) {
            idx_die_msg("%s", err.msg);
            status = EXIT_DB;
        }
    }
    idx_archive_fini(&ar);
    if (status != EXIT_OK) return status;

    idx_add_counts sum;
    status = run_jobs(o, NULL, 0, &sum);
    summary(&sum, idx_clock() - t0, o->jobs, "");
    if (status == EXIT_DB)
        printf(" - a job failed: up to %llu articles read were NOT committed", sum.lost);
    printf("\n");
    return status;
}

/* --jobs N building a new plain database: parts, merged (see the top). */
static int parallel_new(const idx_opts *o)
{
    double t0 = idx_clock();
    size_t dl = strlen(o->db);
    while (dl > 1 && o->db[dl - 1] == '/') dl--;
    size_t cap = dl + 32;
    char *stage = malloc(cap), *merged = malloc(cap), *busy = NULL;
    char **parts = calloc(o->jobs, sizeof *parts);
    int status = EXIT_OK, lockfd = -1;
    if (!stage || !merged || !parts || idx_stage_scan(o->db, dl, ".parts-", "idx add --jobs", NULL, &busy) != 0) {
        idx_die_msg("out of memory");
        status = EXIT_DB;
        goto done;
    }
    if (busy) goto busy;
    if (idx_path_is_free(o->db) != 1) {
        idx_die_msg("--jobs builds a new database, and %s exists: add to it without --jobs (or "
                    "build a new one and swap it in)", o->db);
        status = EXIT_USAGE;
        goto done;
    }
    if (idx_make_parents(o->db) != 0) {
        idx_die_msg("cannot create the directories above %s: %s", o->db, strerror(errno));
        status = EXIT_DB;
        goto done;
    }
    if ((lockfd = idx_stage_make(stage, cap, o->db, dl, ".parts-")) < 0) {
        idx_die_msg("cannot make a staging directory beside %s: %s", o->db, strerror(errno));
        status = EXIT_DB;
        goto done;
    }
    /* again, with mine made: of two builds starting at once, one sees the other */
    if (idx_stage_scan(o->db, dl, ".parts-", "idx add --jobs", stage, &busy) != 0) {
        idx_die_msg("out of memory");
        status = EXIT_DB;
        goto done;
    }
    if (busy) goto busy;
    snprintf(merged, cap, "%s/db", stage);
    for (unsigned j = 0; j < o->jobs; j++) {
        if (!(parts[j] = malloc(cap))) {
            idx_die_msg("out of memory");
            status = EXIT_DB;
            goto done;
        }
        snprintf(parts[j], cap, "%s/%u", stage, j);
    }

    idx_add_counts sum;
    status = run_jobs(o, parts, 1, &sum);
    if (status == EXIT_DB) {
        summary(&sum, idx_clock() - t0, o->jobs, "");
        printf(" - a job failed: nothing was stored in %s\n", o->db);
        goto done;
    }
    double tm = idx_clock();
    idx_err err;
    idx_err_clear(&err);
    if (idx_db_merge((const char *const *)parts, o->jobs, merged, &err) != IDX_OK) {
        idx_die_msg("cannot merge the parts in %s: %s", stage, err.msg);
        status = EXIT_DB;
    } else if (idx_stage_store(merged, o->db) != 0) {
        idx_die_msg("cannot store the merged database as %s: %s", o->db, strerror(errno));
        status = EXIT_DB;
    }
    char extra[64];
    snprintf(extra, sizeof extra, ", merged in %.2f s", idx_clock() - tm);
    summary(&sum, idx_clock() - t0, o->jobs, extra);
    if (status == EXIT_DB) printf(" - nothing was stored in %s", o->db);
    printf("\n");
    goto done;
busy:
    idx_die_msg("another idx add --jobs is building %s (its staging directory %s is in use): "
                "wait for it to finish, or build into another directory", o->db, busy);
    status = EXIT_DB;
done:
    if (lockfd >= 0) {
        /* removed under the lock: no other run takes it for a stale one meanwhile */
        if (idx_stage_remove(stage, lockfd) != 0)
            idx_die_msg("could not remove the staging directory %s: %s (the next idx add --jobs "
                        "into %s removes it)", stage, strerror(errno), o->db);
    }
    for (unsigned j = 0; parts && j < o->jobs; j++) free(parts[j]);
    free(parts);
    free(stage);
    free(merged);
    free(busy);
    return status;
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
    char *stub = NULL;
    int isarch = idx_archive_detect(o->db, &stub);
    free(stub);
    if (!o->shard_by && isarch == 0) return parallel_new(o);
    return parallel_archive(o);
}
