/* main.c - `idx`: the command-line indexer and search tool.
 *
 * Options may come before or after the subcommand (getopt_long permutes);
 * `--` ends options, so a query may start with '-'.  --db defaults to $IDX_DB,
 * else ./data/idx.
 */
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "document.h"
#include "archive.h"
#include "idx.h"
#include "request.h"
#include "search.h"
#include "query.h"
#include "xap.h"

#define IDX_VERSION "0.1.0"

static void usage(FILE *f)
{
    fprintf(f,
"usage: idx [options] COMMAND [ARGS]\n"
"\n"
"Commands:\n"
"  add [FILE...]       index JSON Lines articles (plain, .gz or .zst; none or - = stdin);\n"
"                      re-adding an id replaces it; commits every --batch articles\n"
"  rm ID...            delete articles by id\n"
"  get ID              print the stored article JSON\n"
"  stats               documents, terms, size, revision, last update\n"
"  search QUERY...     ranked search (parts ANDed; a CJK run matches as a phrase)\n"
"  clean PAGE...       print scraped pages (text or HTML files, or directories)\n"
"                      as cleaned article JSON: headline, date, outlet, body\n"
"  compact DEST        write --db (an archive: all its shards merged) as one new\n"
"                      compact database DEST (Xapian's compactor)\n"
"  backup DEST         a consistent copy of --db (one revision, while idxd serves and\n"
"                      idx add writes) as a new compact database DEST, checked before\n"
"                      it is stored (all or nothing)\n"
"  check               Xapian's check and idx's invariants of --db: exit 0 sound,\n"
"                      1 problems (listed), 3 unreadable\n"
"  reindex             rebuild --db from its own stored articles (in the format of\n"
"                      --index-format, else its own; --jobs N processes, default\n"
"                      one per core) and swap it in atomically, all or nothing\n"
"  bench QUERYFILE     query latency: --url URL (idxd) or --db (in-process), open\n"
"                      loop at --rate R (latency from each request's intended send\n"
"                      time) or closed loop on --connections N; percentiles, errors\n"
"                      by kind, --json, --svg FILE; --plot OUT.svg RUN.json... draws\n"
"                      several runs' JSON on one chart\n"
"  watch QUERY...      print the articles that match as they are committed (like\n"
"                      tail -f): REVISION DATE ID TITLE a line, or --json hits;\n"
"                      from --db, or from a running idxd with --server URL\n"
"  key new NAME ROLE   print a keys-file line NAME ROLE SECRET for idxd --keys (ROLE\n"
"                      admin or search), with a fresh random secret\n"
"  key scope           print a scoped key made from the search key --key: searches\n"
"                      with it are ANDed with --filter QUERY, and it stops working\n"
"                      at --expires (needs no server; idxd checks it)\n"
"\n"
"Options:\n"
"  --db DIR            database directory or stub file (default $IDX_DB, else ./data/idx)\n"
"  --batch N           add: articles per atomic commit (default 2000; a --jobs\n"
"                      part of a new database flushes every 500)\n"
"  -q, --quiet         add: no progress bar\n"
"  --cjk-unigrams M    add, new database only: all (default: every CJK character is\n"
"                      also a term) or edges (smaller index; one-character queries\n"
"                      expand over bigrams); see bench/RESULTS.md\n"
"  --fold F            add, new database only: t2s (default: traditional Chinese\n"
"                      characters are searched as simplified, both ways) or none\n"
"  --index-format N    add (new database only), reindex: 1 (default: positions on\n"
"                      bigrams, the fastest phrases) or 2 (positions on\n"
"                      characters: a quarter smaller, phrases slower); see\n"
"                      bench/RESULTS.md\n"
"  --shard-by SPEC     add, new archive: year, month or hash:N; --db DIR becomes\n"
"                      DIR/XAPIANDB (a Xapian stub) + DIR/shards/KEY databases,\n"
"                      searched as one wherever --db is taken\n"
"  --format F          add: jsonl, or text / html (raw scraped pages, cleaned; a\n"
"                      directory is walked); default by extension (.txt, .html)\n"
"  --url URL           clean/add of one page: its address, also its id; bench: the\n"
"                      idxd to measure (http://HOST:PORT)\n"
"  --rate R            bench: requests a second, open loop (default: closed loop)\n"
"  --duration S        bench: seconds to run (default 10)\n"
"  --warmup S          bench: send for S seconds first without counting them (the\n"
"                      --duration starts after; not with a query log)\n"
"  --connections N     bench: connections (closed loop default 8; open loop at most,\n"
"                      default 256)\n"
"  --path TEMPLATE     bench: the request, %%s the query (default /search?q=%%s&limit=10)\n"
"  --svg FILE          bench: the run's latency by percentile as an SVG chart\n"
"  --plot OUT.svg      bench: draw the runs RUN.json... (bench --json) on one chart\n"
"  --server URL        add: send the articles to a running idxd (POST /docs) instead\n"
"                      of writing --db; bad lines are reported as FILE:LINE as here;\n"
"                      watch: follow GET /search/stream of that idxd\n"
"  --key KEY           add --server: an admin key; watch --server: a search key; key\n"
"                      scope: the search key to derive\n"
"                      from (default $IDX_KEY: a key on the command line shows in ps)\n"
"  --filter QUERY      key scope: the filter every search with the new key is ANDed with\n"
"  --expires DATE      key scope: when the new key stops working: an ISO date (valid\n"
"                      through that day UTC), a date-time with Z or an offset, or\n"
"                      +Nd / +Nh from now\n"
"  --lock-wait SECS    add, rm, compact, backup: wait this long for a database another\n"
"                      writer holds (idxd applying writes, another idx add; default\n"
"                      30; 0: fail)\n"
"  --no-cluster        add: skip near-duplicate clustering (reprints then each\n"
"                      show up in searches; faster ingest of known-unique input)\n"
"  --jobs N            add: N processes at once, building a new database (parts\n"
"                      merged by Xapian's compactor: compact, whole or not at all)\n"
"                      or the shards of a hash:M archive (N <= M; idx compact\n"
"                      merges them when wanted).  Default: a new database from\n"
"                      8 MiB or more of JSON Lines files (no --batch) is built\n"
"                      so, one job per core (at most 8); else one process\n"
"  --json              stats/search: JSON output\n"
"  --limit N           search: hits to return (default %d, max %d)\n"
"  --offset N          search: hits to skip (default 0)\n"
"  --sort ORDER        search: relevance (default), date (oldest first), -date (newest),\n"
"                      revision (in commit order)\n"
"  --since R           search: only articles committed after revision R (every answer\n"
"                      says its revision); watch: start after R\n"
"  --until R           search: and at or before revision R\n"
"  --histogram I       search: counts of the matches by day, week, month or year\n"
"  --fragments N       search: up to N snippet windows per hit (1-5, default 1)\n"
"  --from DATE --to DATE   search: only articles dated in this range (inclusive)\n"
"  --source S --category C search: only articles with this exact source / category\n"
"                      (clean, add --format text: the outlet of the pages)\n"
"  --all               search: show every near-duplicate (reprint) instead of\n"
"                      the best one per cluster with a count\n"
"  --exact-total       search: count all matches exactly (slower on big results)\n"
"  --year YYYY         search: only articles from that year\n"
"  --facets LIST       search: value counts over all matches (source,category,year)\n"
"  --explain           search: add the parsed query (JSON output)\n"
"  --synonyms FILE     search, watch --db: expand query parts by synonym groups (one per line)\n"
"  --recency DAYS      search: boost newer articles (half-life in days)\n"
"  --recency-weight W  search: the boost of an article dated today (default 3)\n"
"  --title-weight W    search: weight of title matches over body (default %.1f)\n"
"  --rank SPEC         search: ranking parameters over the default, name=value,...\n"
"                      (for measuring them: bench/relevance.py; README: Ranking)\n"
"  -h, --help          this help;  --version  print the version\n"
"\n"
"Exit status: 0 ok; 1 some lines rejected or ids not found; 2 usage error;\n"
"3 database or I/O error (e.g. locked by another writer).\n",
            IDX_SEARCH_DEFAULT_LIMIT, IDX_CLI_MAX_LIMIT, IDX_TITLE_WEIGHT_DEFAULT);
}

void idx_die_msg(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("idx: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

static int parse_uint(const char *name, const char *v, unsigned max, unsigned *out)
{
    unsigned long x;
    if (!idx_req_uint(v, &x) || x > max) {
        idx_die_msg("%s: expected a whole number from 0 to %u, got \"%s\"", name, max, v);
        return -1;
    }
    *out = (unsigned)x;
    return 0;
}

/* idx's own options; O_SEARCH + i is the i-th search option of request.h */
enum {
    O_DB = 256, O_BATCH, O_JSON, O_VERSION, O_UNIGRAMS, O_FOLD, O_INDEXFORMAT, O_SYNONYMS, O_SHARDBY, O_JOBS,
    O_URL, O_FORMAT, O_NOCLUSTER, O_SERVER, O_KEY, O_FILTER, O_EXPIRES, O_LOCKWAIT, O_RATE, O_DURATION, O_CONNECTIONS, O_PATH,
    O_SVG, O_PLOT, O_WARMUP, O_SEARCH = 512
};

/* Apply one option.  Returns -1 to go on, else the exit status to stop with. */
static int apply_opt(int c, const char *arg, const char *text, idx_opts *o)
{
    if (c >= O_SEARCH) { /* the search request's vocabulary: request.h */
        idx_err err;
        idx_err_clear(&err);
        if (idx_search_cli_set(&o->search, (size_t)(c - O_SEARCH), arg, &err) == IDX_OK) return -1;
        idx_die_msg("%s", err.msg);
        return EXIT_USAGE;
    }
    switch (c) {
    case O_DB: o->db = arg; break;
    case O_BATCH:
        if (parse_uint("--batch", arg, 10000000, &o->batch)) return EXIT_USAGE;
        if (o->batch == 0) { idx_die_msg("--batch must be at least 1"); return EXIT_USAGE; }
        break;
    case O_JSON: o->json = 1; break;
    case 'q': o->quiet = 1; break;
    case O_SYNONYMS: o->synonyms = arg; break;
    case O_URL: o->url = arg; break;
    case O_NOCLUSTER: o->no_cluster = 1; break;
    case O_SERVER: o->server = arg; break;
    case O_KEY: o->key = arg; break;
    case O_FILTER: o->filter = arg; break;
    case O_EXPIRES: o->expires = arg; break;
    case O_LOCKWAIT:
        if (parse_uint("--lock-wait", arg, 86400, &o->lock_wait)) return EXIT_USAGE;
        break;
    case O_RATE:
    case O_DURATION:
    case O_WARMUP: {
        char *end;
        double v = strtod(arg, &end);
        if (end == arg || *end || !(v > 0 || (c == O_WARMUP && v == 0)) || v > 1e6) {
            idx_die_msg("%s: expected a number %s, got \"%s\"", text,
                        c == O_WARMUP ? "of 0 or more" : "above 0", arg);
            return EXIT_USAGE;
        }
        if (c == O_RATE) o->rate = v;
        else if (c == O_DURATION) o->duration = v;
        else o->warmup = v;
        break;
    }
    case O_CONNECTIONS:
        if (parse_uint("--connections", arg, 10000, &o->connections)) return EXIT_USAGE;
        break;
    case O_PATH: o->path = arg; break;
    case O_SVG: o->svg = arg; break;
    case O_PLOT: o->plot = arg; break;
    case O_FORMAT:
        if (strcmp(arg, "jsonl") == 0) o->format = IDX_FORMAT_JSONL;
        else if (strcmp(arg, "text") == 0) o->format = IDX_FORMAT_TEXT;
        else if (strcmp(arg, "html") == 0) o->format = IDX_FORMAT_HTML;
        else {
            idx_die_msg("--format: expected jsonl, text or html, got \"%s\"", arg);
            return EXIT_USAGE;
        }
        break;
    case O_JOBS:
        if (parse_uint("--jobs", arg, 256, &o->jobs)) return EXIT_USAGE;
        if (o->jobs == 0) { idx_die_msg("--jobs must be at least 1"); return EXIT_USAGE; }
        break;
    case O_SHARDBY:
        if (!idx_archive_spec_ok(arg)) {
            idx_die_msg("--shard-by: expected year, month or hash:N (2 <= N <= 256), got \"%s\"", arg);
            return EXIT_USAGE;
        }
        o->shard_by = arg;
        break;
    case O_FOLD:
        if (strcmp(arg, "t2s") == 0) o->fold = IDX_FOLD_T2S;
        else if (strcmp(arg, "none") == 0) o->fold = IDX_FOLD_NONE;
        else {
            idx_die_msg("--fold: expected t2s or none, got \"%s\"", arg);
            return EXIT_USAGE;
        }
        break;
    case O_INDEXFORMAT: {
        unsigned f;
        if (parse_uint("--index-format", arg, IDX_FORMAT_MAX, &f)) return EXIT_USAGE;
        if (f == 0) {
            idx_die_msg("--index-format: expected 1 to %d, got 0", IDX_FORMAT_MAX);
            return EXIT_USAGE;
        }
        o->index_format = (int)f;
        break;
    }
    case O_UNIGRAMS:
        if (strcmp(arg, "all") == 0) o->unigrams = IDX_UNIGRAMS_ALL;
        else if (strcmp(arg, "edges") == 0) o->unigrams = IDX_UNIGRAMS_EDGES;
        else {
            idx_die_msg("--cjk-unigrams: expected all or edges, got \"%s\"", arg);
            return EXIT_USAGE;
        }
        break;
    case 'h': usage(stdout); return EXIT_OK;
    case O_VERSION: printf("idx %s\n", IDX_VERSION); return EXIT_OK;
    default:
        idx_die_msg("unknown option or missing value: %s (see idx --help)", text);
        return EXIT_USAGE;
    }
    return -1;
}

int main(int argc, char **argv)
{
    static const struct option own[] = {
        {"db", required_argument, 0, O_DB},
        {"batch", required_argument, 0, O_BATCH},
        {"json", no_argument, 0, O_JSON},
        {"quiet", no_argument, 0, 'q'},
        {"synonyms", required_argument, 0, O_SYNONYMS},
        {"cjk-unigrams", required_argument, 0, O_UNIGRAMS},
        {"fold", required_argument, 0, O_FOLD},
        {"index-format", required_argument, 0, O_INDEXFORMAT},
        {"shard-by", required_argument, 0, O_SHARDBY},
        {"jobs", required_argument, 0, O_JOBS},
        {"url", required_argument, 0, O_URL},
        {"format", required_argument, 0, O_FORMAT},
        {"no-cluster", no_argument, 0, O_NOCLUSTER},
        {"server", required_argument, 0, O_SERVER},
        {"key", required_argument, 0, O_KEY},
        {"filter", required_argument, 0, O_FILTER},
        {"expires", required_argument, 0, O_EXPIRES},
        {"lock-wait", required_argument, 0, O_LOCKWAIT},
        {"rate", required_argument, 0, O_RATE},
        {"duration", required_argument, 0, O_DURATION},
        {"warmup", required_argument, 0, O_WARMUP},
        {"connections", required_argument, 0, O_CONNECTIONS},
        {"path", required_argument, 0, O_PATH},
        {"svg", required_argument, 0, O_SVG},
        {"plot", required_argument, 0, O_PLOT},
        {"help", no_argument, 0, 'h'},
        {"version", no_argument, 0, O_VERSION},
    };
    /* idx's own options, then the search options of request.h's table */
    struct option longopts[sizeof own / sizeof *own + 32];
    size_t nopts = sizeof own / sizeof *own;
    memcpy(longopts, own, sizeof own);
    const char *name;
    int takes_value;
    for (size_t i = 0; (name = idx_search_cli_option(i, &takes_value)); i++) {
        if (nopts + 1 == sizeof longopts / sizeof *longopts) abort(); /* make longopts longer */
        longopts[nopts++] = (struct option){
            .name = name, .has_arg = takes_value ? required_argument : no_argument,
            .val = O_SEARCH + (int)i};
    }
    longopts[nopts] = (struct option){0};
    /* --batch 0: not given (the writer picks, writer.h); --cjk-unigrams, --fold -1: not given */
    idx_opts o = {.db = getenv("IDX_DB"), .unigrams = -1, .fold = -1, .key = getenv("IDX_KEY"),
                  .lock_wait = IDX_LOCK_WAIT_DEFAULT};
    if (o.key && !*o.key) o.key = NULL;
    if (!o.db || !*o.db) o.db = "data/idx";
    idx_search_req_init(&o.search);

    /* GNU getopt_long permutes: options may stand before or after the
     * command; operands keep their order; "--" ends the options. */
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, "hq", longopts, NULL)) != -1) {
        int rc = apply_opt(c, optarg, argv[optind - 1], &o);
        if (rc >= 0) return rc;
    }
    if (optind >= argc) {
        usage(stderr);
        return EXIT_USAGE;
    }
    o.source = o.search.filters.source; /* clean, add --format text: the pages' outlet */
    const char *cmd = argv[optind];
    o.args = argv + optind + 1;
    o.nargs = argc - optind - 1;

    if (strcmp(cmd, "add") == 0) return idx_cmd_add(&o);
    if (strcmp(cmd, "rm") == 0) return idx_cmd_rm(&o);
    if (strcmp(cmd, "get") == 0) return idx_cmd_get(&o);
    if (strcmp(cmd, "stats") == 0) return idx_cmd_stats(&o);
    if (strcmp(cmd, "search") == 0) return idx_cmd_search(&o);
    if (strcmp(cmd, "compact") == 0) return idx_cmd_compact(&o);
    if (strcmp(cmd, "backup") == 0) return idx_cmd_backup(&o);
    if (strcmp(cmd, "check") == 0) return idx_cmd_check(&o);
    if (strcmp(cmd, "bench") == 0) return idx_cmd_bench(&o);
    if (strcmp(cmd, "watch") == 0) return idx_cmd_watch(&o);
    if (strcmp(cmd, "reindex") == 0) return idx_cmd_reindex(&o);
    if (strcmp(cmd, "clean") == 0) return idx_cmd_clean(&o);
    if (strcmp(cmd, "key") == 0) return idx_cmd_key(&o);
    if (strcmp(cmd, "help") == 0) { usage(stdout); return EXIT_OK; }
    idx_die_msg("unknown command \"%s\" (see idx --help)", cmd);
    return EXIT_USAGE;
}
