/* pages.c - raw scraped pages as articles: `idx clean FILE...` and the page
 * side of `idx add --format text`.  A page is one file (a directory is walked
 * for its files, in name order; of these, JSON Lines are JSON Lines and what
 * is neither is skipped: idx_page_file_kind).  Its bytes become UTF-8
 * (idx_clean_decode, or src/html.c for HTML), its text goes through
 * src/clean.c and comes out as the same JSON record a JSON Lines input would
 * hold, so the indexer has one path for both; a page that yields no body is
 * refused, never indexed empty.  The pages of one directory are taken as one
 * site: they are all read once first, so that the lines they share (the
 * site's template) are known when each is cleaned (idx_site in clean.h).  The
 * id is --url when given, else "page-" and a stable hash of the cleaned
 * headline and body, so re-ingesting the same page is an upsert.
 */
#include <dirent.h>
#include <errno.h>
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <strings.h>

#include "buf.h"
#include "hash.h"
#include "clean.h"
#include "html.h"
#include "idx.h"
#include "pages.h"

int idx_page_read(const char *path, char **text, size_t *n, idx_err *err)
{
    *text = NULL;
    *n = 0;
    FILE *f = fopen(path, "rb");
    if (!f) return idx_err_set(err, IDX_EIO, "pages", "%s: %s", path, strerror(errno));
    size_t cap = 65536, len = 0;
    char *buf = malloc(cap);
    int rc = IDX_OK;
    while (buf) {
        if (len == cap) {
            if (cap > IDX_CLEAN_MAX_BYTES) {
                rc = idx_err_set(err, IDX_ETOOBIG, "pages", "%s: page larger than %d bytes", path,
                                 IDX_CLEAN_MAX_BYTES);
                break;
            }
            char *b = realloc(buf, cap * 2);
            if (!b) break;
            buf = b;
            cap *= 2;
        }
        size_t k = fread(buf + len, 1, cap - len, f);
        len += k;
        if (k == 0) break;
    }
    if (!buf) rc = idx_err_set(err, IDX_ENOMEM, "pages", "%s: out of memory", path);
    else if (!rc && ferror(f))
        rc = idx_err_set(err, IDX_EIO, "pages", "%s: %s", path, strerror(errno));
    fclose(f);
    if (rc) {
        free(buf);
        return rc;
    }
    *text = buf;
    *n = len;
    return IDX_OK;
}

int idx_page_is_html(const char *path, const char *text, size_t n, int format)
{
    if (format == IDX_FORMAT_HTML) return 1;
    if (format == IDX_FORMAT_TEXT) return 0;
    size_t pl = strlen(path);
    if ((pl > 5 && strcasecmp(path + pl - 5, ".html") == 0) ||
        (pl > 4 && strcasecmp(path + pl - 4, ".htm") == 0))
        return 1;
    size_t i = 0;
    if (n >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0) i = 3; /* BOM */
    while (i < n && (text[i] == ' ' || text[i] == '\t' || text[i] == '\r' || text[i] == '\n')) i++;
    return (n - i >= 14 && strncasecmp(text + i, "<!doctype html", 14) == 0) ||
           (n - i >= 5 && strncasecmp(text + i, "<html", 5) == 0);
}

/* Does name end with suffix, ignoring case? */
static int ends_with(const char *name, const char *suffix)
{
    size_t n = strlen(name), m = strlen(suffix);
    return n > m && strcasecmp(name + n - m, suffix) == 0;
}

int idx_page_file_kind(const char *arg, const char *file, int format, const char **why)
{
    *why = NULL;
    if (strcmp(arg, file) == 0) return IDX_PAGE_FILE_PAGE;
    static const char *const jsonl[] = {".jsonl", ".jsonl.gz", ".jsonl.zst",
                                        ".ndjson", ".ndjson.gz", ".ndjson.zst"};
    for (size_t i = 0; i < sizeof jsonl / sizeof *jsonl; i++)
        if (ends_with(file, jsonl[i])) return IDX_PAGE_FILE_JSONL;
    if (ends_with(file, ".txt") || ends_with(file, ".html") || ends_with(file, ".htm") ||
        format == IDX_FORMAT_TEXT || format == IDX_FORMAT_HTML)
        return IDX_PAGE_FILE_PAGE;
    char head[512];
    size_t k = 0;
    FILE *f = fopen(file, "rb");
    if (!f) return IDX_PAGE_FILE_PAGE; /* its error is reported when it is read */
    k = fread(head, 1, sizeof head, f);
    fclose(f);
    if (idx_page_is_html(file, head, k, IDX_FORMAT_AUTO)) return IDX_PAGE_FILE_PAGE;
    *why = "neither a page (.txt, .html, .htm, or starting like HTML) nor JSON Lines "
           "(.jsonl, .jsonl.gz, .jsonl.zst)";
    return IDX_PAGE_FILE_OTHER;
}

/* The text a page is cleaned from: itself (UTF-8, or its GB18030 reading:
 * idx_clean_decode), or for HTML its text lines (idx_html_text), in plain. */
static int page_text(const char *text, size_t n, int html, idx_buf *plain, const char **t,
                     size_t *tn, idx_err *err)
{
    if (!html) return idx_clean_decode(text, n, plain, t, tn, NULL, err);
    int rc = idx_html_text(text, n, plain, err);
    if (rc) return rc;
    *t = plain->data ? plain->data : "";
    *tn = plain->len;
    return IDX_OK;
}

int idx_page_json(const char *text, size_t n, int html, const idx_site *site, const char *source,
                  const char *url, char **out, idx_err *err)
{
    *out = NULL;
    idx_cleaned c;
    memset(&c, 0, sizeof c);
    idx_buf plain;
    idx_buf_init(&plain);
    int rc = page_text(text, n, html, &plain, &text, &n, err);
    if (!rc) rc = idx_clean_page(text, n, site, &c, err);
    idx_buf_fini(&plain);
    if (rc) {
        idx_cleaned_fini(&c);
        return rc;
    }
    if (!c.title && !c.body[0]) {
        idx_cleaned_fini(&c);
        return idx_err_set(err, IDX_EINVAL, "pages",
                           "no article found on the page (no headline, no body)");
    }
    if (!c.body[0]) { /* a headline alone is a page the cleaner could not read */
        idx_cleaned_fini(&c);
        return idx_err_set(err, IDX_EINVAL, "pages",
                           "no article body found on the page (only a headline)");
    }
    char id[64];
    if (url && *url) {
        snprintf(id, sizeof id, "%s", ""); /* the URL itself, below */
    } else {
        uint64_t h = IDX_HASH_SEED; /* stable across runs and machines */
        const char *parts[2] = {c.title ? c.title : "", c.body};
        for (int p = 0; p < 2; p++) {
            h = idx_hash(h, parts[p], strlen(parts[p]));
            h = idx_hash(h, "\n", 1);
        }
        snprintf(id, sizeof id, "page-%016llx", (unsigned long long)h);
    }
    json_t *j = json_object();
    if (j) {
        json_object_set_new(j, "id", json_string(url && *url ? url : id));
        if (c.title) json_object_set_new(j, "title", json_string(c.title));
        if (c.date) json_object_set_new(j, "date", json_string(c.date));
        if (source && *source) json_object_set_new(j, "source", json_string(source));
        else if (c.source) json_object_set_new(j, "source", json_string(c.source));
        if (url && *url) json_object_set_new(j, "url", json_string(url));
        json_object_set_new(j, "body", json_string(c.body));
        *out = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER);
    }
    json_decref(j);
    idx_cleaned_fini(&c);
    if (!*out) return idx_err_set(err, IDX_ENOMEM, "pages", "out of memory");
    return IDX_OK;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Append the regular files under path (itself when a file) to *v. */
static int walk(const char *path, char ***v, size_t *n, size_t *cap, int depth, idx_err *err)
{
    struct stat st;
    if (stat(path, &st) != 0)
        return idx_err_set(err, IDX_EIO, "pages", "%s: %s", path, strerror(errno));
    if (S_ISREG(st.st_mode)) {
        if (*n == *cap) {
            size_t nc = *cap ? *cap * 2 : 64;
            char **w = realloc(*v, nc * sizeof *w);
            if (!w) return idx_err_set(err, IDX_ENOMEM, "pages", "out of memory");
            *v = w;
            *cap = nc;
        }
        if (!((*v)[*n] = strdup(path)))
            return idx_err_set(err, IDX_ENOMEM, "pages", "out of memory");
        (*n)++;
        return IDX_OK;
    }
    if (!S_ISDIR(st.st_mode) || depth > 32) return IDX_OK;
    DIR *d = opendir(path);
    if (!d) return idx_err_set(err, IDX_EIO, "pages", "%s: %s", path, strerror(errno));
    size_t first = *n;
    struct dirent *e;
    int rc = IDX_OK;
    while (!rc && (e = readdir(d))) {
        if (e->d_name[0] == '.') continue; /* ., .., hidden files */
        size_t len = strlen(path) + strlen(e->d_name) + 2;
        char *p = malloc(len);
        if (!p) {
            rc = idx_err_set(err, IDX_ENOMEM, "pages", "out of memory");
            break;
        }
        snprintf(p, len, "%s/%s", path, e->d_name);
        rc = walk(p, v, n, cap, depth + 1, err);
        free(p);
    }
    closedir(d);
    if (!rc) qsort(*v + first, *n - first, sizeof **v, cmp_str);
    return rc;
}

int idx_page_files(const char *path, char ***files, size_t *n, idx_err *err)
{
    size_t cap = 0;
    *files = NULL;
    *n = 0;
    int rc = walk(path, files, n, &cap, 0, err);
    if (rc) {
        idx_page_files_free(*files, *n);
        *files = NULL;
        *n = 0;
    }
    return rc;
}

void idx_page_files_free(char **files, size_t n)
{
    for (size_t i = 0; i < n; i++) free(files[i]);
    free(files);
}

/* ---- sites: the pages of one directory ---- */
typedef struct site_ent {
    char *dir;
    idx_site *site;
} site_ent;

struct idx_page_sites {
    site_ent *v; /* sorted by dir */
    size_t n, cap;
};

/* The directory part of path ("." when none), into a new string. */
static char *dir_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? idx_memdup(path, (size_t)(slash - path)) : strdup(".");
}

/* The index of dir in ps->v, or where it would go (*found 0). */
static size_t site_pos(const idx_page_sites *ps, const char *dir, int *found)
{
    size_t lo = 0, hi = ps->n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int c = strcmp(ps->v[mid].dir, dir);
        if (c == 0) {
            *found = 1;
            return mid;
        }
        if (c < 0) lo = mid + 1;
        else hi = mid;
    }
    *found = 0;
    return lo;
}

static int learn_page(idx_page_sites *ps, const char *file, int format, idx_err *err)
{
    char *text = NULL, *dir = dir_of(file);
    size_t n = 0;
    if (!dir) return idx_err_set(err, IDX_ENOMEM, "pages", "out of memory");
    if (idx_page_read(file, &text, &n, err) != IDX_OK) { /* reported when it is cleaned */
        free(dir);
        return IDX_OK;
    }
    int found, rc = IDX_OK;
    size_t at = site_pos(ps, dir, &found);
    if (!found) {
        if (ps->n == ps->cap) {
            size_t nc = ps->cap ? 2 * ps->cap : 16;
            site_ent *v = realloc(ps->v, nc * sizeof *v);
            if (!v) rc = idx_err_set(err, IDX_ENOMEM, "pages", "out of memory");
            else {
                ps->v = v;
                ps->cap = nc;
            }
        }
        idx_site *site = NULL;
        if (!rc) rc = idx_site_new(&site, err);
        if (!rc) {
            memmove(ps->v + at + 1, ps->v + at, (ps->n - at) * sizeof *ps->v);
            ps->v[at] = (site_ent){dir, site};
            ps->n++;
            dir = NULL;
        }
    }
    if (!rc) {
        idx_buf plain;
        idx_buf_init(&plain);
        const char *t;
        size_t tn;
        idx_err ignored; /* a page that cannot be read as text is reported when cleaned */
        idx_err_clear(&ignored);
        if (page_text(text, n, idx_page_is_html(file, text, n, format), &plain, &t, &tn,
                      &ignored) == IDX_OK &&
            idx_site_add(ps->v[at].site, t, tn, &ignored) == IDX_ENOMEM)
            rc = idx_err_set(err, IDX_ENOMEM, "pages", "out of memory");
        idx_buf_fini(&plain);
    }
    free(dir);
    free(text);
    return rc;
}

int idx_page_sites_learn(char *const *paths, size_t npaths, int format, idx_page_sites **out,
                         idx_err *err)
{
    *out = calloc(1, sizeof **out);
    if (!*out) return idx_err_set(err, IDX_ENOMEM, "pages", "out of memory");
    int rc = IDX_OK;
    for (size_t a = 0; a < npaths && !rc; a++) {
        char **files;
        size_t nf;
        idx_err ignored; /* an unreadable path is reported when it is ingested */
        idx_err_clear(&ignored);
        if (idx_page_files(paths[a], &files, &nf, &ignored) != IDX_OK) continue;
        for (size_t i = 0; i < nf && !rc; i++) {
            const char *why;
            if (idx_page_file_kind(paths[a], files[i], format, &why) == IDX_PAGE_FILE_PAGE)
                rc = learn_page(*out, files[i], format, err);
        }
        idx_page_files_free(files, nf);
    }
    if (rc) {
        idx_page_sites_free(*out);
        *out = NULL;
    }
    return rc;
}

const idx_site *idx_page_site_of(const idx_page_sites *ps, const char *file)
{
    if (!ps) return NULL;
    char *dir = dir_of(file);
    int found = 0;
    size_t at = dir ? site_pos(ps, dir, &found) : 0;
    free(dir);
    return found ? ps->v[at].site : NULL;
}

void idx_page_sites_free(idx_page_sites *ps)
{
    if (!ps) return;
    for (size_t i = 0; i < ps->n; i++) {
        free(ps->v[i].dir);
        idx_site_free(ps->v[i].site);
    }
    free(ps->v);
    free(ps);
}

int idx_cmd_clean(const idx_opts *o)
{
    if (o->nargs < 1) {
        idx_die_msg("clean wants one or more page files or directories");
        return EXIT_USAGE;
    }
    int status = EXIT_OK;
    idx_page_sites *sites = NULL;
    idx_err err;
    idx_err_clear(&err);
    if (idx_page_sites_learn(o->args, (size_t)o->nargs, o->format, &sites, &err)) {
        idx_die_msg("%s", err.msg);
        return EXIT_DB;
    }
    for (int a = 0; a < o->nargs; a++) {
        char **files;
        size_t nf;
        idx_err_clear(&err);
        if (idx_page_files(o->args[a], &files, &nf, &err)) {
            idx_die_msg("%s", err.msg);
            status = EXIT_DB;
            continue;
        }
        for (size_t i = 0; i < nf; i++) {
            char *text = NULL, *json = NULL;
            size_t n = 0;
            const char *why;
            int kind = idx_page_file_kind(o->args[a], files[i], o->format, &why);
            if (kind != IDX_PAGE_FILE_PAGE) { /* JSON Lines are articles already */
                fprintf(stderr, "%s: skipped: %s\n", files[i],
                        kind == IDX_PAGE_FILE_JSONL ? "JSON Lines, not a page (idx add reads them)"
                                                    : why);
                if (status == EXIT_OK) status = EXIT_PARTIAL;
                continue;
            }
            idx_err_clear(&err);
            int rc = idx_page_read(files[i], &text, &n, &err);
            if (!rc)
                rc = idx_page_json(text, n, idx_page_is_html(files[i], text, n, o->format),
                                   idx_page_site_of(sites, files[i]), o->source, o->url, &json,
                                   &err);
            if (rc) {
                fprintf(stderr, "%s: %s\n", files[i], err.msg);
                if (status == EXIT_OK) status = EXIT_PARTIAL;
            } else {
                printf("%s\n", json);
            }
            free(text);
            free(json);
        }
        idx_page_files_free(files, nf);
    }
    idx_page_sites_free(sites);
    return status;
}
