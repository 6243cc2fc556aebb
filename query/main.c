/* main.c - idxd: the HTTP JSON query server.  See idxd.h for the design and
 * `idxd --help` for usage.
 *
 * The main thread parses options, binds the listening socket, starts the
 * workers, prints "idxd: listening on http://HOST:PORT/" on stdout once the
 * socket accepts (scripts wait for that line; with --listen HOST:0 it names
 * the port the kernel chose), then waits for SIGTERM/SIGINT and stops the
 * workers gracefully.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <event2/event.h>
#include <event2/thread.h>
#include <getopt.h>
#include <netdb.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include "idxd.h"
#include "keys.h"
#include "synonyms.h"
#include "writes.h"

static void usage(FILE *f)
{
    fprintf(f,
            "usage: idxd [options]\n"
            "\n"
            "Serve an idx database over HTTP (JSON).\n"
            "\n"
            "  --db DIR             database (default $IDX_DB, else data/idx)\n"
            "  --listen HOST:PORT   address to listen on (default 127.0.0.1:8080;\n"
            "                       port 0 picks a free port, printed at start)\n"
            "  --threads N          worker threads (default: number of cores)\n"
            "  --cors-origin ORIGIN send Access-Control-Allow-Origin: ORIGIN\n"
            "  --timeout SECS       a connection must send each whole request within SECS\n"
            "                       of connecting or of its last reply (default 30)\n"
            "  --max-connections N  stop accepting at N open connections (default 1024)\n"
            "  --max-body BYTES     largest request body accepted (default 65536)\n"
            "  --grace SECS         on SIGTERM, longest wait for replies in flight (default 10)\n"
            "  --no-access-log      do not log one line per request on stderr\n"
            "  --synonyms FILE      expand query parts by synonym groups (one group per line)\n"
            "  --shard-timeout MS   an archive's remote shards: connect and answer within MS,\n"
            "                       else results are partial without them (default 5000)\n"
            "  --cache N            keep the answers of N distinct /search requests per\n"
            "                       worker until the index changes (default 1024; 0: off)\n"
            "  --cache-memory MB    and at most MB megabytes of them, all workers together\n"
            "                       (default 64)\n"
            "  --budget MS          a /search stops matching after MS milliseconds and\n"
            "                       answers with what it found, marked \"timed_out\"\n"
            "                       (default 250; 0: no limit)\n"
            "  --stream-heartbeat S a /search/stream with nothing to send sends a comment\n"
            "                       line every S seconds, for proxies (default 15)\n"
            "  --keys FILE          API keys, one a line: NAME ROLE SECRET (ROLE admin or\n"
            "                       search; the file must be mode 0600).  Every route but\n"
            "                       /health and the page then needs Authorization: Bearer KEY;\n"
            "                       writes (POST /docs, DELETE /docs/{id}) need an admin key\n"
            "  --public-search      with --keys: the read routes need no key\n"
            "  --page-key KEY       the key the search page sends (a search or scoped key)\n"
            "  --read-only          refuse writes (a replica is always read-only)\n"
            "  --journal FILE       the write-ahead journal (default DB.journal beside --db)\n"
            "  --max-docs-body BYTES largest POST /docs body, decoded (default 33554432)\n"
            "  --max-queue MB       writes acknowledged and not applied yet, at most; past it\n"
            "                       POST /docs answers 429 with Retry-After (default 256)\n"
            "  --log FILE           write the log (access lines and messages) to FILE instead\n"
            "                       of stderr; reopened on SIGHUP (logrotate)\n"
            "  --log-format F       access-log lines as text (default) or json (one object\n"
            "                       a line: time, peer, method, uri, status, bytes, us)\n"
            "  --config FILE        read options from FILE first (one a line: NAME = VALUE,\n"
            "                       the long names without --); the command line overrides it\n"
            "  -h, --help           this help\n"
            "\n"
            "Routes: GET /search?q=&limit=&offset=&sort=relevance|date|-date&from=&to=\n"
            "        &source=&category=&exact_total=0|1&snippet_len=,\n"
            "        GET /docs/{id}, /health, /stats, /metrics; POST /docs?wait=0|1,\n"
            "        DELETE /docs/{id}, GET /tasks/{n}, GET /keys; GET /openapi.json\n"
            "        describes them all (OpenAPI 3.1).  See README.md.\n"
            "SIGHUP reloads --keys and --synonyms (kept as they were when a file is bad)\n"
            "and reopens --log.\n"
            "Exit status: 0 after a clean shutdown, 2 bad usage, 3 cannot listen.\n");
}

static int parse_int(const char *s, long lo, long hi, long *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || end == s || *end || v < lo || v > hi) return -1;
    *out = v;
    return 0;
}

/* An integer option in [lo, hi]; 0, or -1 after saying what it wants. */
static int int_opt(const char *arg, const char *where, const char *name, const char *what, long lo,
                   long hi, long *out)
{
    if (parse_int(arg, lo, hi, out) == 0) return 0;
    fprintf(stderr, "idxd: %s%s wants %s from %ld to %ld\n", where, name, what, lo, hi);
    return -1;
}

/* "HOST:PORT" of a bound socket into bound. */
static void describe_bound(int fd, char *bound, size_t boundlen, int *port)
{
    struct sockaddr_storage ss;
    socklen_t sl = sizeof ss;
    char ip[INET6_ADDRSTRLEN] = "?";
    if (getsockname(fd, (struct sockaddr *)&ss, &sl) != 0) return;
    if (ss.ss_family == AF_INET) {
        struct sockaddr_in *a = (struct sockaddr_in *)&ss;
        inet_ntop(AF_INET, &a->sin_addr, ip, sizeof ip);
        *port = ntohs(a->sin_port);
        snprintf(bound, boundlen, "%s:%d", ip, *port);
    } else {
        struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;
        inet_ntop(AF_INET6, &a->sin6_addr, ip, sizeof ip);
        *port = ntohs(a->sin6_port);
        snprintf(bound, boundlen, "[%s]:%d", ip, *port);
    }
}

static void set_port(struct sockaddr_storage *ss, int port)
{
    if (ss->ss_family == AF_INET) ((struct sockaddr_in *)ss)->sin_port = htons((uint16_t)port);
    else ((struct sockaddr_in6 *)ss)->sin6_port = htons((uint16_t)port);
}

/* A socket on addr (SO_REUSEADDR, and SO_REUSEPORT when reuseport); with
 * backlog > 0 listening.  -1 with errno set. */
static int bind_one(int family, const struct sockaddr_storage *addr, socklen_t len, int reuseport,
                    int backlog)
{
    int fd = socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) return -1;
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if ((reuseport && setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one) != 0) ||
        bind(fd, (const struct sockaddr *)addr, len) != 0 || (backlog > 0 && listen(fd, backlog))) {
        int e = errno;
        close(fd);
        errno = e;
        return -1;
    }
    return fd;
}

/* n listening sockets on host:port, one per worker, in one SO_REUSEPORT
 * group.  A plain bind first proves the address free: SO_REUSEPORT alone
 * would let a second idxd of the same user share the port silently. */
static int open_listeners(const char *host, int port, int n, int *fds, char *bound,
                          size_t boundlen)
{
    struct addrinfo hints = {0}, *res = NULL;
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
    char portstr[16];
    snprintf(portstr, sizeof portstr, "%d", port);
    int gai = getaddrinfo(host, portstr, &hints, &res);
    if (gai != 0) {
        fprintf(stderr, "idxd: cannot resolve %s: %s\n", host, gai_strerror(gai));
        return -1;
    }
    int ok = 0;
    for (struct addrinfo *ai = res; ai && !ok; ai = ai->ai_next) {
        struct sockaddr_storage addr;
        socklen_t len = (socklen_t)ai->ai_addrlen;
        memcpy(&addr, ai->ai_addr, ai->ai_addrlen);
        int probe = bind_one(ai->ai_family, &addr, len, 0, 0);
        if (probe < 0) {
            fprintf(stderr, "idxd: cannot listen on %s:%d: %s\n", host, port, strerror(errno));
            continue;
        }
        int p = port;
        describe_bound(probe, bound, boundlen, &p);
        close(probe);
        set_port(&addr, p); /* port 0: the free one the probe got */
        int i = 0;
        for (; i < n; i++)
            if ((fds[i] = bind_one(ai->ai_family, &addr, len, 1, 1024)) < 0) break;
        if (i == n) {
            ok = 1;
            break;
        }
        fprintf(stderr, "idxd: cannot listen on %s: %s\n", bound, strerror(errno));
        while (i > 0) close(fds[--i]);
    }
    freeaddrinfo(res);
    return ok ? 0 : -1;
}

/* stderr (the log) to path, appended: 0, or -1 after saying why. */
static int open_log(const char *path)
{
    int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
    if (fd < 0 || dup2(fd, STDERR_FILENO) < 0) {
        fprintf(stderr, "idxd: --log %s: %s\n", path, strerror(errno));
        if (fd >= 0) close(fd);
        return -1;
    }
    close(fd);
    return 0;
}

/* What SIGHUP replaced: freed at exit (a request may still use them). */
static idx_keys **old_keys;
static idx_synonyms **old_synonyms;
static size_t nold_keys, nold_synonyms;

static void on_hup(evutil_socket_t sig, short what, void *arg)
{
    (void)sig;
    (void)what;
    idxd_server *srv = arg;
    const idxd_config *c = &srv->cfg;
    if (c->log_path && open_log(c->log_path) == 0)
        fprintf(stderr, "idxd: SIGHUP: log %s reopened\n", c->log_path);
    idx_err err;
    idx_err_clear(&err);
    if (c->keys_path) {
        idx_keys *k = NULL, **v = realloc(old_keys, (nold_keys + 1) * sizeof *v);
        if (v) old_keys = v;
        if (!v || idx_keys_load(c->keys_path, &k, &err) != IDX_OK) {
            fprintf(stderr, "idxd: SIGHUP: keeping the keys in use: %s\n", v ? err.msg : "out of memory");
        } else {
            old_keys[nold_keys++] = (idx_keys *)atomic_exchange(&srv->keys, k);
            fprintf(stderr, "idxd: SIGHUP: %zu API keys from %s\n", idx_keys_count(k), c->keys_path);
        }
    }
    idx_err_clear(&err);
    if (c->synonyms_path) {
        idx_synonyms *s = NULL, **v = realloc(old_synonyms, (nold_synonyms + 1) * sizeof *v);
        if (v) old_synonyms = v;
        if (!v || idx_synonyms_load(c->synonyms_path, &s, &err) != IDX_OK) {
            fprintf(stderr, "idxd: SIGHUP: keeping the synonyms in use: %s\n", v ? err.msg : "out of memory");
        } else {
            old_synonyms[nold_synonyms++] = (idx_synonyms *)atomic_exchange(&srv->synonyms, s);
            fprintf(stderr, "idxd: SIGHUP: %zu synonym groups from %s\n", s->ngroups, c->synonyms_path);
        }
    }
    atomic_fetch_add(&srv->generation, 1); /* answers made with the old ones are dropped */
}

static void on_signal(evutil_socket_t sig, short what, void *arg)
{
    (void)what;
    struct event_base *base = arg;
    fprintf(stderr, "idxd: %s, finishing requests in flight and stopping\n",
            sig == SIGINT ? "SIGINT" : "SIGTERM");
    event_base_loopbreak(base);
}

enum { O_DB = 256, O_LISTEN, O_THREADS, O_CORS, O_TIMEOUT, O_MAXCONN, O_MAXBODY, O_GRACE,
       O_NOLOG, O_SYNONYMS, O_SHARDTIMEOUT, O_CACHE, O_CACHEMEM, O_BUDGET, O_KEYS,
       O_PUBLIC, O_PAGEKEY, O_READONLY, O_JOURNAL, O_MAXDOCS, O_MAXQUEUE, O_CONFIG, O_LOG,
       O_LOGFORMAT, O_HEARTBEAT };
static const struct option opts[] = {
    {"db", required_argument, 0, O_DB},
    {"listen", required_argument, 0, O_LISTEN},
    {"threads", required_argument, 0, O_THREADS},
    {"cors-origin", required_argument, 0, O_CORS},
    {"timeout", required_argument, 0, O_TIMEOUT},
    {"max-connections", required_argument, 0, O_MAXCONN},
    {"max-body", required_argument, 0, O_MAXBODY},
    {"grace", required_argument, 0, O_GRACE},
    {"no-access-log", no_argument, 0, O_NOLOG},
    {"synonyms", required_argument, 0, O_SYNONYMS},
    {"shard-timeout", required_argument, 0, O_SHARDTIMEOUT},
    {"cache", required_argument, 0, O_CACHE},
    {"cache-memory", required_argument, 0, O_CACHEMEM},
    {"budget", required_argument, 0, O_BUDGET},
    {"keys", required_argument, 0, O_KEYS},
    {"public-search", no_argument, 0, O_PUBLIC},
    {"page-key", required_argument, 0, O_PAGEKEY},
    {"read-only", no_argument, 0, O_READONLY},
    {"journal", required_argument, 0, O_JOURNAL},
    {"max-docs-body", required_argument, 0, O_MAXDOCS},
    {"max-queue", required_argument, 0, O_MAXQUEUE},
    {"config", required_argument, 0, O_CONFIG},
    {"log", required_argument, 0, O_LOG},
    {"log-format", required_argument, 0, O_LOGFORMAT},
    {"stream-heartbeat", required_argument, 0, O_HEARTBEAT},
    {"help", no_argument, 0, 'h'},
    {0, 0, 0, 0},
};

/* What the options set besides the config, and the buffers they need. */
typedef struct startup {
    idxd_config *c;
    const char *synonyms_path, *keys_path;
    char host[256];
    char **values; /* a config file's values the options point into (freed at exit) */
    size_t nvalues;
} startup;

/* Apply option o (its getopt code) with arg; where prefixes messages ("" on
 * the command line, "FILE:LINE: " in a config file).  0, 1 after --help, or
 * the exit status of a bad value (2). */
static int apply_option(startup *st, int o, const char *arg, const char *where)
{
    long v;
    switch (o) {
    case O_DB: st->c->db = arg; break;
    case O_LISTEN: {
        const char *colon = strrchr(arg, ':');
        if (!colon || colon == arg || (size_t)(colon - arg) >= sizeof st->host ||
            parse_int(colon + 1, 0, 65535, &v)) {
            fprintf(stderr, "idxd: %s--listen wants HOST:PORT, e.g. 127.0.0.1:8080\n", where);
            return 2;
        }
        size_t hl = (size_t)(colon - arg);
        if (arg[0] == '[' && hl > 2 && arg[hl - 1] == ']') { /* [::1]:8080 */
            memcpy(st->host, arg + 1, hl - 2);
            st->host[hl - 2] = '\0';
        } else {
            memcpy(st->host, arg, hl);
            st->host[hl] = '\0';
        }
        st->c->host = st->host;
        st->c->port = (int)v;
        break;
    }
    case O_THREADS:
        if (int_opt(arg, where, "--threads", "a number", 1, 256, &v)) return 2;
        st->c->threads = (int)v;
        break;
    case O_CORS: st->c->cors_origin = arg; break;
    case O_TIMEOUT:
        if (int_opt(arg, where, "--timeout", "seconds", 1, 3600, &v)) return 2;
        st->c->timeout_s = (int)v;
        break;
    case O_MAXCONN:
        if (int_opt(arg, where, "--max-connections", "a number", 1, 1000000, &v)) return 2;
        st->c->max_conns = (int)v;
        break;
    case O_MAXBODY:
        if (int_opt(arg, where, "--max-body", "bytes", 0, 64L << 20, &v)) return 2;
        st->c->max_body = (size_t)v;
        break;
    case O_GRACE:
        if (int_opt(arg, where, "--grace", "seconds", 0, 3600, &v)) return 2;
        st->c->grace_s = (double)v;
        break;
    case O_NOLOG: st->c->access_log = 0; break;
    case O_SYNONYMS: st->synonyms_path = arg; break;
    case O_SHARDTIMEOUT:
        if (int_opt(arg, where, "--shard-timeout", "milliseconds", 1, 600000, &v)) return 2;
        idx_db_set_remote_timeout((unsigned)v);
        break;
    case O_CACHE:
        if (int_opt(arg, where, "--cache", "entries", 0, 1000000, &v)) return 2;
        st->c->cache_entries = (int)v;
        break;
    case O_CACHEMEM:
        if (int_opt(arg, where, "--cache-memory", "megabytes", 0, 1 << 20, &v)) return 2;
        st->c->cache_bytes = (size_t)v << 20;
        break;
    case O_BUDGET:
        if (int_opt(arg, where, "--budget", "milliseconds", 0, 3600000, &v)) return 2;
        st->c->budget_ms = (double)v;
        break;
    case O_HEARTBEAT:
        if (int_opt(arg, where, "--stream-heartbeat", "seconds", 1, 3600, &v)) return 2;
        st->c->stream_heartbeat_s = (double)v;
        break;
    case O_KEYS: st->keys_path = arg; break;
    case O_PUBLIC: st->c->public_search = 1; break;
    case O_PAGEKEY: st->c->page_key = arg; break;
    case O_READONLY: st->c->read_only = 1; break;
    case O_JOURNAL: st->c->journal = arg; break;
    case O_MAXDOCS:
        if (int_opt(arg, where, "--max-docs-body", "bytes", 1, 1L << 30, &v)) return 2;
        st->c->max_docs_body = (size_t)v;
        break;
    case O_MAXQUEUE:
        if (int_opt(arg, where, "--max-queue", "megabytes", 1, 1 << 20, &v)) return 2;
        st->c->max_queue = (size_t)v << 20;
        break;
    case O_CONFIG: break; /* read before the options (main) */
    case O_LOG: st->c->log_path = arg; break;
    case O_LOGFORMAT:
        if (strcmp(arg, "text") != 0 && strcmp(arg, "json") != 0) {
            fprintf(stderr, "idxd: %s--log-format wants text or json\n", where);
            return 2;
        }
        st->c->log_json = strcmp(arg, "json") == 0;
        break;
    case 'h': usage(stdout); return 1;
    default: usage(stderr); return 2;
    }
    return 0;
}

/* Read a config file: one option a line by its long name without "--",
 * "name = value" or "name value" ("name = true" for an option without a
 * value), "#" comments (also after a value, following a space).  Every name and value goes through apply_option, so
 * the file takes exactly what the command line takes.  0, or 2 after a
 * message naming FILE:LINE (an unknown name, a bad value, an unreadable
 * file).  Values are kept for the life of the process. */
static int read_config(const char *path, startup *st)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        fprintf(stderr, "idxd: --config %s: %s\n", path, strerror(errno));
        return 2;
    }
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    int rc = 0;
    for (unsigned ln = 1; rc == 0 && (n = getline(&line, &cap, f)) >= 0; ln++) {
        char where[600];
        snprintf(where, sizeof where, "%.500s:%u: ", path, ln);
        char *p = line;
        while (*p == ' ' || *p == '\t') p++;
        if (*p == '#' || *p == '\n' || *p == '\r' || *p == '\0') continue;
        for (char *h = p + 1; *h; h++) /* a comment after a value: " # ..." */
            if (*h == '#' && (h[-1] == ' ' || h[-1] == '\t')) {
                *h = '\0';
                break;
            }
        char *e = p + strlen(p);
        while (e > p && (e[-1] == '\n' || e[-1] == '\r' || e[-1] == ' ' || e[-1] == '\t')) *--e = '\0';
        char *name = p;
        while (*p && *p != ' ' && *p != '\t' && *p != '=') p++;
        char *name_end = p;
        while (*p == ' ' || *p == '\t') p++;
        if (*p == '=') p++;
        while (*p == ' ' || *p == '\t') p++;
        *name_end = '\0';
        const struct option *opt = NULL;
        for (size_t i = 0; opts[i].name && !opt; i++)
            if (strcmp(opts[i].name, name) == 0) opt = &opts[i];
        if (!opt || opt->val == 'h' || opt->val == O_CONFIG) {
            fprintf(stderr, "idxd: %sunknown option '%.100s' (the names are idxd's long options "
                            "without --)\n", where, name);
            rc = 2;
        } else if (!*p) {
            fprintf(stderr, "idxd: %s%s wants a value\n", where, name);
            rc = 2;
        } else if (opt->has_arg == no_argument) {
            int yes = strcmp(p, "true") == 0 || strcmp(p, "yes") == 0 || strcmp(p, "1") == 0;
            int no = strcmp(p, "false") == 0 || strcmp(p, "no") == 0 || strcmp(p, "0") == 0;
            if (!yes && !no) {
                fprintf(stderr, "idxd: %s%s wants true or false, got '%.100s'\n", where, name, p);
                rc = 2;
            } else if (yes) {
                rc = apply_option(st, opt->val, NULL, where);
            }
        } else {
            char *value = strdup(p); /* kept: the config points into it */
            char **v = value ? realloc(st->values, (st->nvalues + 1) * sizeof *v) : NULL;
            if (v) {
                st->values = v;
                st->values[st->nvalues++] = value;
                rc = apply_option(st, opt->val, value, where);
            } else {
                free(value);
                fprintf(stderr, "idxd: %sout of memory\n", where);
                rc = 2;
            }
        }
    }
    free(line);
    fclose(f);
    return rc;
}

/* Is the database at path a replica kept by xapian-replicate (its stub
 * names a replica_N copy)?  Writes there would be overwritten. */
static int is_replica(const char *path)
{
    char stub[4200];
    snprintf(stub, sizeof stub, "%.4000s/XAPIANDB", path);
    FILE *f = fopen(stub, "r");
    if (!f) return 0;
    char line[512];
    int yes = 0;
    while (!yes && fgets(line, sizeof line, f)) yes = strncmp(line, "auto replica_", 13) == 0;
    fclose(f);
    return yes;
}

/* Take writes when an admin key may send them and the database may take
 * them; else say why they are refused (403 read_only). */
static void open_writes(idxd_server *srv)
{
    idxd_config *c = &srv->cfg;
    int admin = 0;
    const idx_keys *keys = atomic_load(&srv->keys);
    for (size_t i = 0; keys && i < idx_keys_count(keys); i++) {
        int role = 0;
        idx_keys_name(keys, i, &role);
        admin |= role == IDX_ROLE_ADMIN;
    }
    if (!keys || !admin) {
        srv->writes_off = "this server takes no writes: start idxd with --keys FILE holding an "
                          "admin key";
        return;
    }
    if (c->read_only) {
        srv->writes_off = "this server is read-only (--read-only)";
        return;
    }
    if (is_replica(c->db)) {
        srv->writes_off = "this database is a replica kept by xapian-replicate: write to its "
                          "master";
        fprintf(stderr, "idxd: %s is a replica: writes are refused\n", c->db);
        return;
    }
    idxd_writes_opts wo = {.db = c->db, .journal = c->journal, .max_queue = c->max_queue,
                           .committed = idxd_server_committed, .ctx = srv};
    idx_err err;
    idx_err_clear(&err);
    if (idxd_writes_open(&wo, &srv->writes, &err) != IDX_OK) {
        static char why[1200];
        snprintf(why, sizeof why, "writes are off: %s", err.msg);
        srv->writes_off = why;
        fprintf(stderr, "idxd: warning: %s\n", why);
        return;
    }
    fprintf(stderr, "idxd: taking writes (journal %s)\n", c->journal);
}

/* libxapian ended the process inside a failed commit of the writer thread
 * (xap.h): say what survives, then abort as the library would. */
static void fatal_in_xapian(const idx_err *why)
{
    fprintf(stderr, "idxd: libxapian stopped the process while a commit failed: %s; the "
                    "database keeps its last commit and the journal every acknowledged write, "
                    "applied at the next start\n",
            why->msg);
    fflush(stderr);
    abort();
}

int main(int argc, char **argv)
{
    idx_xap_on_fatal(fatal_in_xapian);
    idxd_server srv;
    memset(&srv, 0, sizeof srv);
    idxd_config *c = &srv.cfg;
    c->db = getenv("IDX_DB") && *getenv("IDX_DB") ? getenv("IDX_DB") : "data/idx";
    c->host = "127.0.0.1";
    c->port = 8080;
    long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    c->threads = ncpu > 0 ? (int)(ncpu > 256 ? 256 : ncpu) : 1;
    c->timeout_s = 30;
    c->max_conns = 1024;
    c->max_body = 65536;
    c->max_headers = 65536;
    c->grace_s = 10;
    c->access_log = 1;
    c->cache_entries = 1024;
    c->cache_bytes = 64u << 20;
    c->budget_ms = 250;
    c->stream_heartbeat_s = 15;
    c->max_docs_body = 32u << 20;
    c->max_queue = 256u << 20;

    static startup st;
    st.c = c;
    idx_keys *keys = NULL;
    idx_synonyms *synonyms = NULL;
    int o;
    /* a config file first (--config, wherever it stands), then the
     * options, which override it */
    for (int i = 1; i < argc; i++) {
        const char *cf = strcmp(argv[i], "--config") == 0 && i + 1 < argc ? argv[i + 1]
                         : strncmp(argv[i], "--config=", 9) == 0 ? argv[i] + 9
                                                                 : NULL;
        if (strcmp(argv[i], "--") == 0) break;
        if (cf && (o = read_config(cf, &st)) != 0) return o == 1 ? 0 : o;
    }
    while ((o = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        int rc = apply_option(&st, o, optarg, "");
        if (rc) return rc == 1 ? 0 : rc;
    }
    if (optind < argc) {
        fprintf(stderr, "idxd: unexpected argument '%s'\n", argv[optind]);
        usage(stderr);
        return 2;
    }

    if (c->log_path && open_log(c->log_path) != 0) return 2;
    if (st.synonyms_path) {
        idx_err serr;
        idx_err_clear(&serr);
        if (idx_synonyms_load(st.synonyms_path, &synonyms, &serr) != IDX_OK) {
            fprintf(stderr, "idxd: --synonyms: %s\n", serr.msg);
            return 2;
        }
        c->synonyms_path = st.synonyms_path;
        atomic_store(&srv.synonyms, synonyms);
        fprintf(stderr, "idxd: %zu synonym groups from %s\n", synonyms->ngroups, st.synonyms_path);
    }
    if (st.keys_path) {
        idx_err kerr;
        idx_err_clear(&kerr);
        if (idx_keys_load(st.keys_path, &keys, &kerr) != IDX_OK) {
            fprintf(stderr, "idxd: --keys: %s\n", kerr.msg);
            idx_synonyms_free(synonyms);
            return 2;
        }
        c->keys_path = st.keys_path;
        atomic_store(&srv.keys, keys);
        fprintf(stderr, "idxd: %zu API keys from %s\n", idx_keys_count(keys), st.keys_path);
    } else if (c->public_search) {
        fprintf(stderr, "idxd: --public-search needs --keys\n");
        return 2;
    }
    if (c->page_key && keys) { /* the page must not hand out an admin key */
        idx_key_auth a;
        memset(&a, 0, sizeof a);
        idx_err kerr;
        idx_err_clear(&kerr);
        int krc = idx_keys_check(keys, c->page_key, strlen(c->page_key), (long long)time(NULL),
                                 &a, &kerr);
        free(a.filter);
        if (krc != IDX_OK || a.role != IDX_ROLE_SEARCH) {
            fprintf(stderr, "idxd: --page-key must be a search key or a scoped key of --keys "
                            "(the page shows it to every visitor)\n");
            idx_keys_free(keys);
            idx_synonyms_free(synonyms);
            return 2;
        }
    }
    static char journal_default[4200];
    if (!c->journal) {
        snprintf(journal_default, sizeof journal_default, "%.4000s.journal", c->db);
        size_t jl = strlen(journal_default);
        while (jl > 8 && journal_default[jl - 9] == '/') { /* "data/idx/" -> data/idx.journal */
            memmove(journal_default + jl - 9, journal_default + jl - 8, 9);
            jl--;
        }
        c->journal = journal_default;
    }
    signal(SIGPIPE, SIG_IGN);
    /* every connection is a descriptor, and each worker holds the index's
     * files: raise the soft limit as far as allowed, and keep the cap under it */
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
        if (rl.rlim_cur < rl.rlim_max) {
            rl.rlim_cur = rl.rlim_max;
            setrlimit(RLIMIT_NOFILE, &rl);
            getrlimit(RLIMIT_NOFILE, &rl);
        }
        long reserve = 32 + 16L * c->threads;
        if (rl.rlim_cur != RLIM_INFINITY && (rlim_t)c->max_conns + (rlim_t)reserve > rl.rlim_cur) {
            long fit = (long)rl.rlim_cur - reserve;
            if (fit < 1) fit = 1;
            fprintf(stderr, "idxd: warning: open-file limit %llu allows about %ld connections; "
                            "--max-connections lowered from %d\n",
                    (unsigned long long)rl.rlim_cur, fit, c->max_conns);
            c->max_conns = (int)fit;
        }
    }
    if (evthread_use_pthreads() != 0) {
        fprintf(stderr, "idxd: libevent has no thread support\n");
        idx_synonyms_free(synonyms);
        return 3;
    }
    char bound[300] = "";
    srv.listen_fds = calloc((size_t)c->threads, sizeof *srv.listen_fds);
    if (!srv.listen_fds ||
        open_listeners(c->host, c->port, c->threads, srv.listen_fds, bound, sizeof bound) != 0) {
        if (!srv.listen_fds) fprintf(stderr, "idxd: out of memory\n");
        free(srv.listen_fds);
        idx_synonyms_free(synonyms);
        return 3;
    }
    srv.started = idxd_wall();
    srv.workers = calloc((size_t)c->threads, sizeof *srv.workers);
    struct event_base *base = event_base_new();
    struct event *sigterm = base ? evsignal_new(base, SIGTERM, on_signal, base) : NULL;
    struct event *sigint = base ? evsignal_new(base, SIGINT, on_signal, base) : NULL;
    struct event *sighup = base ? evsignal_new(base, SIGHUP, on_hup, &srv) : NULL;
    if (!srv.workers || !sigterm || !sigint || !sighup || event_add(sigterm, NULL) ||
        event_add(sigint, NULL) || event_add(sighup, NULL)) {
        fprintf(stderr, "idxd: out of memory\n");
        return 3;
    }
    int status = 0, started = 0;
    open_writes(&srv); /* before the workers, which read srv.writes */
    for (int i = 0; i < c->threads; i++) {
        srv.workers[i].srv = &srv;
        srv.workers[i].id = i;
        if (idxd_worker_start(&srv.workers[i]) != 0) {
            status = 3;
            break;
        }
        started++;
    }
    if (status == 0) atomic_store(&srv.workers_ready, 1);
    if (status == 0) {
        printf("idxd: listening on http://%s/ (%d threads, database %s)\n", bound, c->threads,
               c->db);
        fflush(stdout);
        event_base_dispatch(base); /* until SIGTERM/SIGINT */
    }
    for (int i = 0; i < started; i++) idxd_worker_stop(&srv.workers[i]);
    /* the workers finish (they read srv.writes until then), then the writer
     * stops, then the workers' events it wakes are freed */
    for (int i = 0; i < c->threads; i++) idxd_worker_wait(&srv.workers[i]);
    idxd_writes_close(srv.writes);
    for (int i = 0; i < c->threads; i++) idxd_worker_join(&srv.workers[i]);
    for (int i = 0; i < c->threads; i++) /* those no worker took (a failed start) */
        if (srv.listen_fds[i] >= 0) close(srv.listen_fds[i]);
    free(srv.listen_fds);
    free(srv.workers);
    event_free(sigterm);
    event_free(sigint);
    event_free(sighup);
    event_base_free(base);
    /* the ones in use (SIGHUP may have replaced those loaded at start) and
     * the ones replaced */
    idx_synonyms_free((idx_synonyms *)atomic_load(&srv.synonyms));
    idx_keys_free((idx_keys *)atomic_load(&srv.keys));
    for (size_t i = 0; i < nold_keys; i++) idx_keys_free(old_keys[i]);
    for (size_t i = 0; i < nold_synonyms; i++) idx_synonyms_free(old_synonyms[i]);
    free(old_keys);
    free(old_synonyms);
    for (size_t i = 0; i < st.nvalues; i++) free(st.values[i]);
    free(st.values);
    if (status == 0) fprintf(stderr, "idxd: stopped\n");
    return status;
}
