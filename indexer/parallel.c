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
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "archive.h"
#include "err.h"
#include "idx.h"
#include "xap.h"

static void on_signal(int sig)
{
    (void)sig; /* the jobs get it too: they stop reading and commit */
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
    for (unsigned j = 0; j < o->jobs; j++) {
        pid_t p = fork();
        if (p < 0) {
            idx_die_msg("fork: %s", strerror(errno));
            status = EXIT_DB;
            break;
        }
        if (p == 0) {
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
    /* Ctrl-C reaches the jobs too: they commit what they read and report; wait for them */
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
    double t0 = idx_now();
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
    summary(&sum, idx_now() - t0, o->jobs, "");
    if (status == EXIT_DB)
        printf(" - a job failed: up to %llu articles read were NOT committed", sum.lost);
    printf("\n");
    return status;
}

/* Remove the plain files in dir, then dir (a Xapian database has no
 * subdirectories).  0 or -1. */
static int remove_flat_dir(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d) return errno == ENOENT ? 0 : -1;
    struct dirent *e;
    int rc = 0;
    char p[4096];
    while ((e = readdir(d))) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) continue;
        snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
        if (unlink(p) != 0) rc = -1;
    }
    closedir(d);
    return rmdir(dir) == 0 ? rc : -1;
}

static int fsync_path(const char *path)
{
    int fd = open(path, O_RDONLY);
    if (fd < 0) return -1;
    int rc = fsync(fd);
    close(fd);
    return rc;
}

/* fsync every file in dir, and dir. */
static int sync_flat_dir(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d) return -1;
    struct dirent *e;
    int rc = 0;
    char p[4096];
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.') continue;
        snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
        if (fsync_path(p) != 0) rc = -1;
    }
    closedir(d);
    return fsync_path(dir) == 0 ? rc : -1;
}

/* --jobs N building a new plain database: parts, merged (see the top). */
static int parallel_new(const idx_opts *o)
{
    double t0 = idx_now();
    if (idx_path_is_free(o->db) != 1) {
        idx_die_msg("--jobs builds a new database, and %s exists: add to it without --jobs (or "
                    "build a new one and swap it in)", o->db);
        return EXIT_USAGE;
    }
    if (idx_make_parents(o->db) != 0) {
        idx_die_msg("cannot create the directories above %s: %s", o->db, strerror(errno));
        return EXIT_DB;
    }
    size_t dl = strlen(o->db);
    while (dl > 1 && o->db[dl - 1] == '/') dl--;
    size_t cap = dl + 32;
    char *stage = malloc(cap), *merged = malloc(cap);
    char **parts = calloc(o->jobs, sizeof *parts);
    int status = EXIT_OK;
    if (!stage || !merged || !parts) {
        idx_die_msg("out of memory");
        status = EXIT_DB;
        goto done;
    }
    snprintf(stage, cap, "%.*s.parts-XXXXXX", (int)dl, o->db);
    if (!mkdtemp(stage)) {
        idx_die_msg("cannot make a staging directory beside %s: %s", o->db, strerror(errno));
        free(stage);
        stage = NULL;
        status = EXIT_DB;
        goto done;
    }
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
        summary(&sum, idx_now() - t0, o->jobs, "");
        printf(" - a job failed: nothing was stored in %s\n", o->db);
        goto done;
    }
    double tm = idx_now();
    idx_err err;
    idx_err_clear(&err);
    if (idx_db_merge((const char *const *)parts, o->jobs, merged, &err) != IDX_OK) {
        idx_die_msg("cannot merge the parts in %s: %s", stage, err.msg);
        status = EXIT_DB;
    } else if (sync_flat_dir(merged) != 0 || rename(merged, o->db) != 0) {
        idx_die_msg("cannot store the merged database as %s: %s", o->db, strerror(errno));
        status = EXIT_DB;
    } else {
        char *parent = strdup(o->db), *slash = parent ? strrchr(parent, '/') : NULL;
        if (slash) *slash = '\0';
        if (parent) fsync_path(slash ? (parent[0] ? parent : "/") : ".");
        free(parent);
    }
    char extra[64];
    snprintf(extra, sizeof extra, ", merged in %.2f s", idx_now() - tm);
    summary(&sum, idx_now() - t0, o->jobs, extra);
    if (status == EXIT_DB) printf(" - nothing was stored in %s", o->db);
    printf("\n");
done:
    if (stage) {
        int left = 0;
        for (unsigned j = 0; parts && j < o->jobs; j++)
            if (parts[j] && remove_flat_dir(parts[j]) != 0) left = 1;
        if (remove_flat_dir(merged) != 0 || rmdir(stage) != 0 || left)
            idx_die_msg("could not remove the staging directory %s (remove it by hand)", stage);
    }
    for (unsigned j = 0; parts && j < o->jobs; j++) free(parts[j]);
    free(parts);
    free(stage);
    free(merged);
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
