/* synonyms.c - see synonyms.h: loading a synonym file (each member's
 * comparison key computed once, plain and folded t2s) and expanding a query
 * tree with it.
 *
 * A key is a part's tokens with their positions relative to its first,
 * "term@relpos" joined by 0x1f, so "新 冠" quoted (joined to 新冠 by the
 * parser) and 新冠 compare equal, and COVID-19 is "covid@0\x1f19@1".
 */
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

/* The comparison key of tokens toks[0..n) (as in idx_synonyms.key), malloc'd. */
static char *key_of(const idx_qtoken *toks, size_t n)
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

/* Which key of a member tokflags read: bit 0 t2s folding, bit 1 the run
 * gap, bit 2 letters split from digits. */
static int key_index(int tokflags)
{
    return ((tokflags & IDX_TOKENIZE_FOLD_T2S) ? 1 : 0) |
           ((tokflags & IDX_TOKENIZE_RUN_GAP) ? 2 : 0) |
           ((tokflags & IDX_TOKENIZE_SPLIT_ALNUM) ? 4 : 0);
}

/* Keys of every member under each combination of the flags. */
static int make_keys(idx_synonyms *s, const char *path, idx_err *err)
{
    for (int f = 0; f < IDX_SYNONYM_KEYS; f++) {
        s->key[f] = calloc(s->nmembers ? s->nmembers : 1, sizeof *s->key[f]);
        if (!s->key[f]) return idx_err_set(err, IDX_ENOMEM, "synonyms", "%s: out of memory", path);
        for (size_t i = 0; i < s->nmembers; i++) {
            keyctx c;
            c.n = 0;
            int rc = idx_tokenize(s->members[i], strlen(s->members[i]),
                                  IDX_TOKENIZE_QUERY | ((f & 1) ? IDX_TOKENIZE_FOLD_T2S : 0) |
                                      ((f & 2) ? IDX_TOKENIZE_RUN_GAP : 0) |
                                      ((f & 4) ? IDX_TOKENIZE_SPLIT_ALNUM : 0),
                                  0,
                                  key_token, &c, NULL, err);
            if (rc == IDX_ETOOBIG)
                return idx_err_set(err, IDX_ETOOBIG, "synonyms", "%s: synonym '%.60s' is too long",
                                   path, s->members[i]);
            if (rc) return rc;
            if (c.n == 0)
                return idx_err_set(err, IDX_EINVAL, "synonyms",
                                   "%s: synonym '%.60s' has nothing searchable", path,
                                   s->members[i]);
            if (!(s->key[f][i] = key_of(c.toks, c.n)))
                return idx_err_set(err, IDX_ENOMEM, "synonyms", "%s: out of memory", path);
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
    if (!f) return idx_err_set(err, IDX_EIO, "synonyms", "%s: %s", path, strerror(errno));
    idx_synonyms *s = calloc(1, sizeof *s);
    char *line = NULL;
    size_t lcap = 0, cap = 0, lineno = 0;
    ssize_t len;
    int rc = s ? IDX_OK : idx_err_set(err, IDX_ENOMEM, "synonyms", "%s: out of memory", path);
    while (!rc && (len = getline(&line, &lcap, f)) >= 0) {
        lineno++;
        size_t n = (size_t)len;
        while (n && (line[n - 1] == '\n' || line[n - 1] == '\r')) n--;
        size_t bad;
        if (!idx_utf8_valid(line, n, &bad)) {
            rc = idx_err_set(err, IDX_EUTF8, "synonyms", "%s:%zu: invalid UTF-8 at byte %zu", path,
                             lineno, bad);
            break;
        }
        size_t i = 0, members = 0;
        while (i < n && sep_len(line, i, n)) i += sep_len(line, i, n);
        if (i == n || line[i] == '#') continue;
        while (i < n) {
            size_t a = i;
            while (i < n && !sep_len(line, i, n)) i++;
            if (s->nmembers >= MAX_MEMBERS) {
                rc = idx_err_set(err, IDX_ETOOBIG, "synonyms", "%s:%zu: more than %d synonyms",
                                 path, lineno, MAX_MEMBERS);
                break;
            }
            if (add(s, line + a, i - a, s->ngroups, &cap)) {
                rc = idx_err_set(err, IDX_ENOMEM, "synonyms", "%s: out of memory", path);
                break;
            }
            members++;
            while (i < n && sep_len(line, i, n)) i += sep_len(line, i, n);
        }
        if (!rc && members < 2)
            rc = idx_err_set(err, IDX_EINVAL, "synonyms",
                             "%s:%zu: a synonym group needs two or more members", path, lineno);
        s->ngroups++;
    }
    if (!rc && ferror(f))
        rc = idx_err_set(err, IDX_EIO, "synonyms", "%s: %s", path, strerror(errno));
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

int idx_synonyms_group(const char *const *members, const size_t *lens, size_t n,
                       idx_synonyms **out, idx_err *err)
{
    *out = NULL;
    idx_synonyms *s = calloc(1, sizeof *s);
    size_t cap = 0;
    int rc = s ? IDX_OK : idx_err_set(err, IDX_ENOMEM, "synonyms", "out of memory");
    for (size_t i = 0; !rc && i < n; i++)
        if (add(s, members[i], lens[i], 0, &cap))
            rc = idx_err_set(err, IDX_ENOMEM, "synonyms", "out of memory");
    if (!rc) {
        s->ngroups = 1;
        rc = make_keys(s, "query expansion", err);
    }
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
        for (int f = 0; f < IDX_SYNONYM_KEYS; f++)
            if (s->key[f]) free(s->key[f][i]);
    }
    for (int f = 0; f < IDX_SYNONYM_KEYS; f++) free(s->key[f]);
    free(s->members);
    free(s->group);
    free(s);
}

/* Turn TEXT node id (whose key is key) into OR(itself, every member of every
 * group that holds key, each distinct key once).  On an error nothing has
 * changed. */
static int expand_node(idx_qtree *t, int id, const idx_synonyms *syn, char **keys,
                       const char *key, idx_err *err)
{
    size_t nn0 = t->nnodes, nt0 = t->ntoks;
    idx_qnode orig = t->nodes[id];
    int copy, last, added = 0;
    int rc = idx_qtree_add_node(t, IDX_QN_TEXT, &copy, err);
    if (rc) goto fail;
    t->nodes[copy].first = orig.first;
    t->nodes[copy].n = orig.n;
    t->nodes[copy].field = orig.field;
    last = copy;
    for (size_t j = 0; j < syn->nmembers; j++) {
        if (strcmp(keys[j], key) == 0) continue; /* the part itself, or a twin of it */
        /* is j in a group that holds key? */
        size_t a = j, b = j;
        while (a > 0 && syn->group[a - 1] == syn->group[j]) a--;
        while (b < syn->nmembers && syn->group[b] == syn->group[j]) b++;
        int in = 0;
        for (size_t k = a; k < b && !in; k++) in = strcmp(keys[k], key) == 0;
        if (!in) continue;
        /* not already added under another spelling */
        int dup = 0;
        for (int x = t->nodes[copy].next; x >= 0 && !dup; x = t->nodes[x].next) {
            char *kx = key_of(t->toks + t->nodes[x].first, t->nodes[x].n);
            if (!kx) {
                rc = idx_err_set(err, IDX_ENOMEM, "query.synonyms", "out of memory");
                goto fail;
            }
            dup = strcmp(kx, keys[j]) == 0;
            free(kx);
        }
        if (dup) continue;
        int k;
        if ((rc = idx_qtree_add_text(t, syn->members[j], strlen(syn->members[j]), orig.field, &k,
                                     err)))
            goto fail;
        if (k < 0) continue;
        t->nodes[last].next = k;
        last = k;
        added++;
    }
    if (!added) { /* nothing to add: drop the copy */
        t->nnodes = nn0;
        return IDX_OK;
    }
    idx_qnode *nd = &t->nodes[id];
    nd->type = IDX_QN_OR;
    nd->kid = copy;
    nd->first = nd->n = 0; /* nd->next (its own sibling) stays */
    return IDX_OK;
fail:
    t->nnodes = nn0; /* roll back (TEXT nodes own nothing): the query stays as it was */
    t->ntoks = nt0;
    return rc;
}

int idx_synonyms_expand(idx_qtree *t, const idx_synonyms *syn, idx_err *err)
{
    if (!syn || t->root < 0) return IDX_OK;
    char **keys = syn->key[key_index(t->tokflags)];
    size_t n0 = t->nnodes;
    int changed = 0;
    for (size_t id = 0; id < n0; id++) {
        if (t->nodes[id].type != IDX_QN_TEXT) continue;
        char *key = key_of(t->toks + t->nodes[id].first, t->nodes[id].n);
        if (!key) return idx_err_set(err, IDX_ENOMEM, "query.synonyms", "out of memory");
        size_t m;
        for (m = 0; m < syn->nmembers && strcmp(keys[m], key) != 0; m++) {
        }
        int rc = m < syn->nmembers ? expand_node(t, (int)id, syn, keys, key, err) : IDX_OK;
        free(key);
        if (rc == IDX_ETOOBIG) { /* best effort: keep the query as far as it fits */
            idx_err_clear(err);
            break;
        }
        if (rc) return rc;
        changed |= m < syn->nmembers;
    }
    if (!changed) return IDX_OK;
    return idx_qtree_set_parts(t, err);
}
