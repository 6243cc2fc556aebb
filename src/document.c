/* document.c - see document.h for the schema. */
#include "document.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tokenize.h"
#include "utf8.h"

int idx_filter_term(const char *prefix, const char *v, size_t n, idx_buf *out, idx_err *err)
{
    idx_buf_reset(out);
    idx_buf_append(out, prefix, strlen(prefix));
    idx_buf_append(out, v, idx_utf8_clip(v, n, IDX_FILTER_MAX));
    if (out->oom) return idx_err_set(err, IDX_ENOMEM, "[document][filter] out of memory");
    return IDX_OK;
}

int idx_uid_term(const char *id, size_t n, idx_buf *out, idx_err *err)
{
    idx_buf_reset(out);
    idx_buf_append(out, IDX_PREFIX_ID, strlen(IDX_PREFIX_ID));
    idx_buf_append(out, id, n);
    if (out->oom) return idx_err_set(err, IDX_ENOMEM, "[document][uid] out of memory");
    return IDX_OK;
}

typedef struct sink {
    idx_xdoc *doc;
    int title; /* also index with the title prefix */
    int unigrams;
    idx_err *err;
} sink;

static int add_one(idx_xdoc *doc, const char *t, size_t n, const idx_token *tok, idx_err *err)
{
    if (tok->positional) return idx_xdoc_add_posting(doc, t, n, tok->pos, err);
    return idx_xdoc_add_term(doc, t, n, err);
}

static int on_token(void *ctx, const idx_token *tok)
{
    sink *s = ctx;
    if (!tok->positional && s->unigrams == IDX_UNIGRAMS_EDGES) return IDX_OK;
    int rc = add_one(s->doc, tok->term, tok->len, tok, s->err);
    if (rc || !s->title) return rc;
    char b[IDX_TOKEN_MAX_WORD + 8];
    size_t pl = strlen(IDX_PREFIX_TITLE);
    memcpy(b, IDX_PREFIX_TITLE, pl);
    memcpy(b + pl, tok->term, tok->len);
    return add_one(s->doc, b, pl + tok->len, tok, s->err);
}

static int add_filter(idx_xdoc *doc, const char *prefix, const char *v, size_t n, idx_buf *tmp,
                      idx_err *err)
{
    int rc = idx_filter_term(prefix, v, n, tmp, err);
    if (rc) return rc;
    return idx_xdoc_add_boolean_term(doc, tmp->data, tmp->len, err);
}

int idx_schema_read(idx_db *db, idx_schema *sc, idx_err *err)
{
    char *u = NULL, *f = NULL;
    int rc = idx_db_get_metadata(db, IDX_META_UNIGRAMS, &u, err);
    if (!rc) rc = idx_db_get_metadata(db, IDX_META_FOLD, &f, err);
    if (!rc) {
        sc->unigrams = strcmp(u, "edges") == 0 ? IDX_UNIGRAMS_EDGES : IDX_UNIGRAMS_ALL;
        sc->fold = strcmp(f, "t2s") == 0 ? IDX_FOLD_T2S : IDX_FOLD_NONE;
    }
    free(u);
    free(f);
    return rc;
}

int idx_schema_tokflags(const idx_schema *sc)
{
    return sc && sc->fold == IDX_FOLD_T2S ? IDX_TOKENIZE_FOLD_T2S : 0;
}

int idx_document_build(const idx_article *a, const idx_schema *sc, idx_xdoc **out, idx_buf *uid,
                       idx_err *err)
{
    int unigrams = sc->unigrams, flags = idx_schema_tokflags(sc);
    idx_xdoc *doc = NULL;
    idx_buf tmp;
    char *data = NULL;
    idx_buf_init(&tmp);
    *out = NULL;
    int rc = idx_xdoc_new(&doc, err);
    if (rc) goto done;

    sink s = {doc, 1, unigrams, err};
    uint32_t pos = 1;
    if (a->title.s && (rc = idx_tokenize(a->title.s, a->title.n, IDX_TOKENIZE_DOCUMENT | flags, pos,
                                         on_token, &s, &pos, err)))
        goto done;
    s.title = 0;
    if (a->body.s && (rc = idx_tokenize(a->body.s, a->body.n, IDX_TOKENIZE_DOCUMENT | flags,
                                        pos + IDX_BODY_POS_GAP, on_token, &s, NULL, err)))
        goto done;

    if (a->source.s) {
        if ((rc = add_filter(doc, IDX_PREFIX_SOURCE, a->source.s, a->source.n, &tmp, err)) ||
            (rc = idx_xdoc_set_value(doc, IDX_SLOT_SOURCE, a->source.s, a->source.n, err)))
            goto done;
    }
    if (a->category.s) {
        if ((rc = add_filter(doc, IDX_PREFIX_CATEGORY, a->category.s, a->category.n, &tmp, err)) ||
            (rc = idx_xdoc_set_value(doc, IDX_SLOT_CATEGORY, a->category.s, a->category.n, err)))
            goto done;
    }
    if (a->tags) {
        size_t i;
        json_t *t;
        json_array_foreach(a->tags, i, t) {
            if ((rc = add_filter(doc, IDX_PREFIX_TAG, json_string_value(t), json_string_length(t),
                                 &tmp, err)))
                goto done;
        }
    }
    if (a->has_date) {
        char v[18], b[16];
        size_t vn = idx_sortable_serialise((double)a->date.secs, v);
        if ((rc = idx_xdoc_set_value(doc, IDX_SLOT_DATE, v, vn, err))) goto done;
        snprintf(b, sizeof b, "%04d", a->date.year);
        if ((rc = idx_xdoc_set_value(doc, IDX_SLOT_YEAR, b, 4, err)) ||
            (rc = add_filter(doc, IDX_PREFIX_YEAR, b, 4, &tmp, err)))
            goto done;
        snprintf(b, sizeof b, "%04d%02d", a->date.year, a->date.month);
        if ((rc = add_filter(doc, IDX_PREFIX_MONTH, b, 6, &tmp, err))) goto done;
        snprintf(b, sizeof b, "%04d%02d%02d", a->date.year, a->date.month, a->date.day);
        if ((rc = add_filter(doc, IDX_PREFIX_DAY, b, 8, &tmp, err))) goto done;
    }

    size_t dn = 0;
    data = json_dumps(a->json, JSON_COMPACT);
    if (!data) {
        rc = idx_err_set(err, IDX_ENOMEM, "[document][build] cannot serialize article");
        goto done;
    }
    dn = strlen(data);
    if ((rc = idx_xdoc_set_data(doc, data, dn, err))) goto done;

    if ((rc = idx_uid_term(a->id.s, a->id.n, uid, err)) ||
        (rc = idx_xdoc_add_boolean_term(doc, uid->data, uid->len, err)))
        goto done;
    *out = doc;
    doc = NULL;
done:
    free(data);
    idx_xdoc_free(doc);
    idx_buf_fini(&tmp);
    return rc;
}
