/* archive.c - see archive.h. */
#include "archive.h"

#include "buf.h"
#include "fs.h"
#include "hash.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int idx_archive_detect(const char *path, char **stub)
{
    struct stat st;
    *stub = NULL;
    if (stat(path, &st) != 0) return 0;
    if (S_ISREG(st.st_mode)) {
        /* a file: Xapian's stub (databases are directories) */
        return (*stub = strdup(path)) ? 1 : -1;
    }
    if (!S_ISDIR(st.st_mode)) return 0;
    size_t n = strlen(path);
    char *p = malloc(n + sizeof "/" IDX_ARCHIVE_STUB);
    if (!p) return -1;
    snprintf(p, n + sizeof "/" IDX_ARCHIVE_STUB, "%s/%s", path, IDX_ARCHIVE_STUB);
    if (stat(p, &st) == 0 && S_ISREG(st.st_mode)) {
        *stub = p;
        return 1;
    }
    free(p);
    return 0;
}

int idx_archive_spec_ok(const char *spec)
{
    if (strcmp(spec, "year") == 0 || strcmp(spec, "month") == 0) return 1;
    if (strncmp(spec, "hash:", 5) != 0) return 0;
    char *end;
    long n = strtol(spec + 5, &end, 10);
    return end != spec + 5 && *end == '\0' && n >= 2 && n <= 256;
}

void idx_archive_fini(idx_archive *a)
{
    if (!a) return;
    for (size_t i = 0; i < a->nshards; i++) {
        free(a->shards[i].path);
        free(a->shards[i].host);
        free(a->shards[i].name);
    }
    free(a->shards);
    free(a->stub);
    free(a->dir);
    memset(a, 0, sizeof *a);
}

/* Append a shard; name and the rest are copied. */
static int push(idx_archive *a, int kind, const char *name, size_t nlen, idx_err *err)
{
    if (a->nshards >= IDX_ARCHIVE_MAX_SHARDS)
        return idx_err_set(err, IDX_EINVAL, "archive", "%s: more than %d shards", a->stub,
                           IDX_ARCHIVE_MAX_SHARDS);
    idx_shard *v = realloc(a->shards, (a->nshards + 1) * sizeof *v);
    if (!v) return idx_err_set(err, IDX_ENOMEM, "archive", "out of memory");
    a->shards = v;
    idx_shard *s = &v[a->nshards];
    memset(s, 0, sizeof *s);
    s->kind = kind;
    if (!(s->name = idx_memdup(name, nlen)))
        return idx_err_set(err, IDX_ENOMEM, "archive", "out of memory");
    a->nshards++;
    if (kind == IDX_SHARD_LOCAL) {
        size_t dl = strlen(a->dir);
        if (name[0] == '/') {
            s->path = idx_memdup(name, nlen);
        } else if ((s->path = malloc(dl + nlen + 2))) {
            memcpy(s->path, a->dir, dl);
            s->path[dl] = '/';
            memcpy(s->path + dl + 1, name, nlen);
            s->path[dl + 1 + nlen] = '\0';
        }
        if (!s->path) return idx_err_set(err, IDX_ENOMEM, "archive", "out of memory");
        return IDX_OK;
    }
    /* HOST:PORT, the host possibly in [brackets] */
    const char *colon = NULL;
    for (size_t i = nlen; i > 0; i--)
        if (name[i - 1] == ':') {
            colon = name + i - 1;
            break;
        }
    char *end = NULL;
    long port = colon ? strtol(colon + 1, &end, 10) : 0;
    if (!colon || colon == name || end != name + nlen || port < 1 || port > 65535)
        return idx_err_set(err, IDX_EINVAL, "archive", "%s: remote shard '%.*s' is not HOST:PORT",
                           a->stub, (int)nlen, name);
    const char *h = name;
    size_t hl = (size_t)(colon - name);
    if (hl > 2 && h[0] == '[' && h[hl - 1] == ']') {
        h++;
        hl -= 2;
    }
    if (!(s->host = idx_memdup(h, hl)))
        return idx_err_set(err, IDX_ENOMEM, "archive", "out of memory");
    s->port = (unsigned)port;
    return IDX_OK;
}

int idx_archive_read(const char *stub, idx_archive *a, idx_err *err)
{
    memset(a, 0, sizeof *a);
    FILE *f = fopen(stub, "r");
    if (!f)
        return idx_err_set(err, IDX_EIO, "archive", "cannot read %s: %s", stub, strerror(errno));
    a->stub = strdup(stub);
    const char *slash = strrchr(stub, '/');
    a->dir = slash ? idx_memdup(stub, (size_t)(slash - stub)) : strdup(".");
    if (slash == stub) {
        free(a->dir);
        a->dir = strdup("/");
    }
    int rc = IDX_OK;
    if (!a->stub || !a->dir) rc = idx_err_set(err, IDX_ENOMEM, "archive", "out of memory");
    char line[4096];
    unsigned long ln = 0;
    while (!rc && fgets(line, sizeof line, f)) {
        ln++;
        size_t n = strlen(line);
        while (n && (line[n - 1] == '\n' || line[n - 1] == '\r' || line[n - 1] == ' ' ||
                     line[n - 1] == '\t'))
            line[--n] = '\0';
        char *p = line;
        while (*p == ' ' || *p == '\t') p++;
        if (!*p) continue;
        if (*p == '#') {
            const char *tag = "# idx shard-by ";
            if (strncmp(p, tag, strlen(tag)) == 0) {
                const char *spec = p + strlen(tag);
                if (!idx_archive_spec_ok(spec))
                    rc = idx_err_set(err, IDX_EINVAL, "archive", "%s:%lu: unknown shard-by '%.40s'",
                                     stub, ln, spec);
                else
                    snprintf(a->shard_by, sizeof a->shard_by, "%s", spec);
            }
            continue;
        }
        char *sp = p;
        while (*sp && *sp != ' ' && *sp != '\t') sp++;
        size_t kl = (size_t)(sp - p);
        char *arg = sp;
        while (*arg == ' ' || *arg == '\t') arg++;
        if (!*arg) {
            rc = idx_err_set(err, IDX_EINVAL, "archive", "%s:%lu: '%.*s' without a database", stub,
                             ln, (int)kl, p);
        } else if ((kl == 4 && strncmp(p, "auto", 4) == 0) || (kl == 5 && strncmp(p, "glass", 5) == 0)) {
            rc = push(a, IDX_SHARD_LOCAL, arg, strlen(arg), err);
        } else if (kl == 6 && strncmp(p, "remote", 6) == 0) {
            if (arg[0] == ':')
                rc = idx_err_set(err, IDX_EINVAL, "archive",
                                 "%s:%lu: remote programs (remote :PROG) are not supported; "
                                 "serve the shard with xapian-tcpsrv and write remote HOST:PORT",
                                 stub, ln);
            else
                rc = push(a, IDX_SHARD_REMOTE, arg, strlen(arg), err);
        } else {
            rc =
                idx_err_set(err, IDX_EINVAL, "archive",
                            "%s:%lu: unknown line '%.40s' (expected auto PATH or remote HOST:PORT)",
                            stub, ln, p);
        }
    }
    if (!rc && ferror(f)) rc = idx_err_set(err, IDX_EIO, "archive", "cannot read %s", stub);
    fclose(f);
    if (rc) idx_archive_fini(a);
    return rc;
}

/* Write the stub of a (its shard-by and shards) in place of the old one,
 * atomically (fs.h). */
static int write_stub(const idx_archive *a, idx_err *err)
{
    idx_buf b;
    idx_buf_init(&b);
    idx_buf_printf(&b, "# idx archive: a Xapian stub database, one shard per line (auto PATH or\n"
                       "# remote HOST:PORT).  idx add routes articles to shards/KEY by:\n");
    if (a->shard_by[0]) idx_buf_printf(&b, "# idx shard-by %s\n", a->shard_by);
    for (size_t i = 0; i < a->nshards; i++)
        idx_buf_printf(&b, "%s %s\n", a->shards[i].kind == IDX_SHARD_LOCAL ? "auto" : "remote",
                       a->shards[i].name);
    int rc = IDX_OK;
    if (b.oom)
        rc = idx_err_set(err, IDX_ENOMEM, "archive", "out of memory");
    else if (idx_fs_write_atomic(a->stub, b.data, b.len) != 0)
        rc = idx_err_set(err, IDX_EIO, "archive", "cannot write %s: %s", a->stub, strerror(errno));
    idx_buf_fini(&b);
    return rc;
}

int idx_archive_create(const char *dir, const char *shard_by, idx_err *err)
{
    if (!idx_archive_spec_ok(shard_by))
        return idx_err_set(err, IDX_EINVAL, "archive",
                           "--shard-by '%.40s': expected year, month or hash:N (2 <= N <= 256)",
                           shard_by);
    if (mkdir(dir, 0777) != 0 && errno != EEXIST)
        return idx_err_set(err, IDX_EIO, "archive", "cannot create %s: %s", dir, strerror(errno));
    int empty = idx_fs_is_free(dir);
    if (empty < 0)
        return idx_err_set(err, IDX_EIO, "archive", "cannot open %s: %s", dir, strerror(errno));
    if (!empty)
        return idx_err_set(err, IDX_EINVAL, "archive",
                           "%s is not empty: --shard-by makes a new archive in a new directory",
                           dir);
    idx_archive a;
    memset(&a, 0, sizeof a);
    size_t n = strlen(dir);
    a.dir = strdup(dir);
    a.stub = malloc(n + sizeof "/" IDX_ARCHIVE_STUB);
    if (!a.dir || !a.stub) {
        idx_archive_fini(&a);
        return idx_err_set(err, IDX_ENOMEM, "archive", "out of memory");
    }
    snprintf(a.stub, n + sizeof "/" IDX_ARCHIVE_STUB, "%s/%s", dir, IDX_ARCHIVE_STUB);
    snprintf(a.shard_by, sizeof a.shard_by, "%s", shard_by);
    int rc = write_stub(&a, err);
    idx_archive_fini(&a);
    return rc;
}

long idx_archive_find(const idx_archive *a, const char *key)
{
    char name[IDX_SHARD_KEY_MAX + 8];
    snprintf(name, sizeof name, "shards/%s", key);
    for (size_t i = 0; i < a->nshards; i++)
        if (a->shards[i].kind == IDX_SHARD_LOCAL && strcmp(a->shards[i].name, name) == 0)
            return (long)i;
    return -1;
}

int idx_archive_add_shard(idx_archive *a, const char *key, idx_err *err)
{
    char name[IDX_SHARD_KEY_MAX + 8];
    snprintf(name, sizeof name, "shards/%s", key);
    int rc = push(a, IDX_SHARD_LOCAL, name, strlen(name), err);
    if (rc) return rc;
    char *sd = malloc(strlen(a->dir) + sizeof "/shards");
    if (!sd) return idx_err_set(err, IDX_ENOMEM, "archive", "out of memory");
    sprintf(sd, "%s/shards", a->dir);
    if (mkdir(sd, 0777) != 0 && errno != EEXIST) {
        rc = idx_err_set(err, IDX_EIO, "archive", "cannot create %s: %s", sd, strerror(errno));
        free(sd);
        return rc;
    }
    free(sd);
    return write_stub(a, err);
}

unsigned idx_archive_key_owner(const char *key, unsigned jobs)
{
    if (jobs <= 1) return 0;
    if (key[0] == 'h' && key[1] >= '0' && key[1] <= '9')
        return (unsigned)(strtoul(key + 1, NULL, 10) % jobs);
    return idx_hash32(IDX_HASH32_SEED, key, strlen(key)) % jobs;
}

unsigned idx_archive_shard_owner(const char *name, unsigned jobs)
{
    return idx_archive_key_owner(strncmp(name, "shards/", 7) == 0 ? name + 7 : name, jobs);
}

void idx_archive_key(const char *spec, const char *id, size_t idlen, int has_date, int year,
                     int month, char key[IDX_SHARD_KEY_MAX])
{
    if (strncmp(spec, "hash:", 5) == 0) {
        unsigned long n = strtoul(spec + 5, NULL, 10);
        uint32_t h = idx_hash32(IDX_HASH32_SEED, id, idlen); /* stable across machines */
        snprintf(key, IDX_SHARD_KEY_MAX, "h%03lu", n ? (unsigned long)(h % n) : 0ul);
    } else if (!has_date) {
        snprintf(key, IDX_SHARD_KEY_MAX, "undated");
    } else if (strcmp(spec, "month") == 0) {
        snprintf(key, IDX_SHARD_KEY_MAX, "%04d-%02d", year, month);
    } else {
        snprintf(key, IDX_SHARD_KEY_MAX, "%04d", year);
    }
}
