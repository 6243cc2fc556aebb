/* synonyms.c - see synonyms.h. */
#include "synonyms.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "tokenize.h"
#include "utf8.h"

#define MAX_MEMBERS 100000

static int add(idx_synonyms *s, const char *w, size_t n, size_t group, size_t *cap)
{
    if (s->nmembers == *cap) {
        size_t c = *cap ? *cap * 2 : 64;
        char **m = realloc(s->members, c * sizeof *m);
        if (!m) return -1;
        s->members = m;
        size_t *g = realloc(s->group, c * sizeof *g);
        if (!g) return -1;
        s->group = g;
        *cap = c;
    }
    char *d = malloc(n + 1);
    if (!d) return -1;
    memcpy(d, w, n);
    d[n] = '\0';
    s->members[s->nmembers] = d;
    s->group[s->nmembers] = group;
    s->nmembers++;
    return 0;
}

char *idx_synonyms_key(const idx_qtoken *toks, size_t n)
{
    idx_buf b;
    idx_buf_init(&b);
    for (size_t i = 0; i < n; i++)
        idx_buf_printf(&b, "%s%s@%u", i ? "\x1f" : "", toks[i].term,
                       (unsigned)(toks[i].pos - toks[0].pos));
    idx_buf_putc(&b, '\0');
    return idx_buf_detach(&b, NULL);
}

typedef struct keyctx {
    idx_qtoken toks[64];
    size_t n;
} keyctx;

static int key_token(void *vctx, const idx_token *t)
{
    keyctx *c = vctx;
    if (c->n == 64) return IDX_ETOOBIG;
    idx_qtoken_set(&c->toks[c->n++], t);
    return IDX_OK;
}

/* Keys of every member, plain and folded. */
static int make_keys(idx_synonyms *s, const char *path, idx_err *err)
{
    for (int f = 0; f < 2; f++) {
        s->key[f] = calloc(s->nmembers ? s->nmembers : 1, sizeof *s->key[f]);
        if (!s->key[f]) return idx_err_set(err, IDX_ENOMEM, "%s: out of memory", path);
        for (size_t i = 0; i < s->nmembers; i++) {
            keyctx c;
            c.n = 0;
            int rc = idx_tokenize(s->members[i], strlen(s->members[i]),
                                  IDX_TOKENIZE_QUERY | (f ? IDX_TOKENIZE_FOLD_T2S : 0), 0,
                                  key_token, &c, NULL, err);
            if (rc == IDX_ETOOBIG)
                return idx_err_set(err, IDX_ETOOBIG, "%s: synonym '%.60s' is too long", path,
                                   s->members[i]);
            if (rc) return rc;
            if (c.n == 0)
                return idx_err_set(err, IDX_EINVAL, "%s: synonym '%.60s' has nothing searchable",
                                   path, s->members[i]);
            if (!(s->key[f][i] = idx_synonyms_key(c.toks, c.n)))
                return idx_err_set(err, IDX_ENOMEM, "%s: out of memory", path);
        }
    }
    return IDX_OK;
}

/* Length of a separator at line[i]: space, tab or the ideographic space. */
static size_t sep_len(const char *line, size_t i, size_t n)
{
    if (line[i] == ' ' || line[i] == '\t') return 1;
    if (i + 2 < n && (unsigned char)line[i] == 0xE3 && (unsigned char)line[i + 1] == 0x80 &&
        (unsigned char)line[i + 2] == 0x80)
        return 3;
    return 0;
}

int idx_synonyms_load(const char *path, idx_synonyms **out, idx_err *err)
{
    *out = NULL;
    FILE *f = fopen(path, "r");
    if (!f) return idx_err_set(err, IDX_EIO, "%s: %s", path, strerror(errno));
    idx_synonyms *s = calloc(1, sizeof *s);
    char *line = NULL;
    size_t lcap = 0, cap = 0, lineno = 0;
    ssize_t len;
    int rc = s ? IDX_OK : idx_err_set(err, IDX_ENOMEM, "%s: out of memory", path);
    while (!rc && (len = getline(&line, &lcap, f)) >= 0) {
        lineno++;
        size_t n = (size_t)len;
        while (n && (line[n - 1] == '\n' || line[n - 1] == '\r')) n--;
        size_t bad;
        if (!idx_utf8_valid(line, n, &bad)) {
            rc = idx_err_set(err, IDX_EUTF8, "%s:%zu: invalid UTF-8 at byte %zu", path, lineno, bad);
            break;
        }
        size_t i = 0, members = 0, first = s->nmembers;
        while (i < n && sep_len(line, i, n)) i += sep_len(line, i, n);
        if (i == n || line[i] == '#') continue;
        while (i < n) {
            size_t a = i;
            while (i < n && !sep_len(line, i, n)) i++;
            if (s->nmembers >= MAX_MEMBERS) {
                rc = idx_err_set(err, IDX_ETOOBIG, "%s:%zu: more than %d synonyms", path, lineno,
                                 MAX_MEMBERS);
                break;
            }
            if (add(s, line + a, i - a, s->ngroups, &cap)) {
                rc = idx_err_set(err, IDX_ENOMEM, "%s: out of memory", path);
                break;
            }
            members++;
            while (i < n && sep_len(line, i, n)) i += sep_len(line, i, n);
        }
        if (!rc && members < 2) {
            rc = idx_err_set(err, IDX_EINVAL, "%s:%zu: a synonym group needs two or more members",
                             path, lineno);
            (void)first;
        }
        s->ngroups++;
    }
    if (!rc && ferror(f)) rc = idx_err_set(err, IDX_EIO, "%s: %s", path, strerror(errno));
    free(line);
    fclose(f);
    if (!rc) rc = make_keys(s, path, err);
    if (rc) {
        idx_synonyms_free(s);
        return rc;
    }
    *out = s;
    return IDX_OK;
}

void idx_synonyms_free(idx_synonyms *s)
{
    if (!s) return;
    for (size_t i = 0; i < s->nmembers; i++) {
        free(s->members[i]);
        if (s->key[0]) free(s->key[0][i]);
        if (s->key[1]) free(s->key[1][i]);
    }
    free(s->key[0]);
    free(s->key[1]);
    free(s->members);
    free(s->group);
    free(s);
}
