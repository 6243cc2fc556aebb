/* document.c - see document.h for the schema: the document builder, and the
 * text options a database records (read by every reader, settled with a
 * writer's wishes by idx_schema_negotiate). */
#include "document.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tokenize.h"
#include "utf8.h"
#include "vocab.h"

int idx_filter_term(const char *prefix, const char *v, size_t n, idx_buf *out, idx_err *err)
{
    idx_buf_reset(out);
    idx_buf_append(out, prefix, strlen(prefix));
    idx_buf_append(out, v, idx_utf8_clip(v, n, IDX_FILTER_MAX));
    if (out->oom) return idx_err_set(err, IDX_ENOMEM, "document.filter", "out of memory");
    return IDX_OK;
}

int idx_uid_term(const char *id, size_t n, idx_buf *out, idx_err *err)
{
    idx_buf_reset(out);
    idx_buf_append(out, IDX_PREFIX_ID, strlen(IDX_PREFIX_ID));
    idx_buf_append(out, id, n);
    if (out->oom) return idx_err_set(err, IDX_ENOMEM, "document.uid", "out of memory");
    return IDX_OK;
}

/* Where the builder's items go, and how tokens become items. */
typedef struct sink {
    idx_doc_fn fn;
    void *ctx;
    int title; /* also index with the title prefix */
    int unigrams;
    int format;
    idx_err *err;
} sink;

static int emit(const sink *s, int kind, const char *t, size_t n, uint32_t pos, unsigned slot)
{
    idx_doc_item it = {.kind = kind, .s = t, .n = n, .pos = pos, .slot = slot};
    return s->fn(s->ctx, &it, s->err);
}

/* Does tok carry its position in format f? */
static int positional(const idx_token *tok, int f)
{
    if (f >= 2) return tok->kind != IDX_TOK_BIGRAM;
    return tok->positional;
}

static int add_one(const sink *s, const char *t, size_t n, const idx_token *tok)
{
    if (positional(tok, s->format)) return emit(s, IDX_DOC_POSTING, t, n, tok->pos, 0);
    return emit(s, IDX_DOC_TERM, t, n, 0, 0);
}

static int on_token(void *ctx, const idx_token *tok)
{
    sink *s = ctx;
    if (s->format < 2 && !tok->positional && s->unigrams == IDX_UNIGRAMS_EDGES) return IDX_OK;
    int rc = add_one(s, tok->term, tok->len, tok);
    if (rc || !s->title) return rc;
    char b[IDX_TOKEN_MAX_WORD + 8];
    size_t pl = strlen(IDX_PREFIX_TITLE);
    memcpy(b, IDX_PREFIX_TITLE, pl);
    memcpy(b + pl, tok->term, tok->len);
    return add_one(s, b, pl + tok->len, tok);
}

static int add_filter(const sink *s, const char *prefix, const char *v, size_t n, idx_buf *tmp)
{
    int rc = idx_filter_term(prefix, v, n, tmp, s->err);
    if (rc) return rc;
    return emit(s, IDX_DOC_BOOLEAN, tmp->data, tmp->len, 0, 0);
}

/* An abbreviation pair's term (vocab.h) as a filter term. */
static int vocab_term(void *ctx, const char *term, size_t n, idx_err *err)
{
    (void)err;
    return emit(ctx, IDX_DOC_BOOLEAN, term, n, 0, 0);
}

/* The options recorded as u, f and w ("" when a key is unset). */
static void schema_of(const char *u, const char *f, const char *w, idx_schema *sc)
{
    sc->words = strcmp(w, "split") == 0 ? IDX_WORDS_SPLIT : IDX_WORDS_WHOLE;
    sc->unigrams = strcmp(u, "edges") == 0 ? IDX_UNIGRAMS_EDGES : IDX_UNIGRAMS_ALL;
    sc->fold = strcmp(f, "t2s") == 0 ? IDX_FOLD_T2S : IDX_FOLD_NONE;
}

/* The format recorded as v ("" when unset: 1) into sc->format; IDX_ENODB
 * when it is not one this idx knows. */
static int format_of(const char *v, idx_schema *sc, idx_err *err)
{
    char *end;
    long f = *v ? strtol(v, &end, 10) : 1;
    if (*v && (*end || end == v || f < 1)) f = 0;
    sc->format = (int)(f > 0 && f <= 1000000 ? f : 0);
    if (sc->format >= 1 && sc->format <= IDX_FORMAT_MAX) return IDX_OK;
    if (sc->format > IDX_FORMAT_MAX)
        return idx_err_set(err, IDX_ENODB, "document.format",
                           "the index is in format %d, newer than this idx reads (1 to %d): "
                           "use the idx that built it, or a newer one",
                           sc->format, IDX_FORMAT_MAX);
    return idx_err_set(err, IDX_ENODB, "document.format",
                       "the index records an unknown format \"%.40s\" (%s is \"%d\" here)", v,
                       IDX_META_FORMAT, IDX_FORMAT_MAX);
}

static const char *unigrams_name(int u)
{
    return u == IDX_UNIGRAMS_EDGES ? "edges" : "all";
}

static const char *fold_name(int f)
{
    return f == IDX_FOLD_T2S ? "t2s" : "none";
}

int idx_schema_read(idx_db *db, idx_schema *sc, idx_err *err)
{
    char *u = NULL, *f = NULL, *v = NULL, *w = NULL;
    int rc = idx_db_get_metadata(db, IDX_META_UNIGRAMS, &u, err);
    if (!rc) rc = idx_db_get_metadata(db, IDX_META_FOLD, &f, err);
    if (!rc) rc = idx_db_get_metadata(db, IDX_META_FORMAT, &v, err);
    if (!rc) rc = idx_db_get_metadata(db, IDX_META_WORDS, &w, err);
    if (!rc) schema_of(u, f, w, sc);
    if (!rc) rc = format_of(v, sc, err);
    free(u);
    free(f);
    free(v);
    free(w);
    return rc;
}

int idx_schema_negotiate(idx_db *db, const idx_schema *want, idx_schema *sc, idx_err *err)
{
    char *u = NULL, *f = NULL, *v = NULL, *w = NULL;
    idx_db_stats st;
    idx_schema have;
    char num[16];
    int rc = idx_db_get_metadata(db, IDX_META_UNIGRAMS, &u, err);
    if (!rc) rc = idx_db_get_metadata(db, IDX_META_FOLD, &f, err);
    if (!rc) rc = idx_db_get_metadata(db, IDX_META_FORMAT, &v, err);
    if (!rc) rc = idx_db_get_metadata(db, IDX_META_WORDS, &w, err);
    if (!rc) rc = idx_db_get_stats(db, &st, err);
    if (rc) goto done;
    schema_of(u, f, w, &have);
    if ((rc = format_of(v, &have, err))) goto done;
    if (st.documents > 0) {
        if (want->format > 0 && want->format != have.format) {
            rc = idx_err_set(err, IDX_EINVAL, "document",
                             "--index-format cannot change on a database that holds documents"
                             " (it is in format %d: idx reindex --index-format N rebuilds it)",
                             have.format);
            goto done;
        }
        if (*u && want->unigrams >= 0 && want->unigrams != have.unigrams) {
            rc = idx_err_set(err, IDX_EINVAL, "document",
                             "--cjk-unigrams cannot change on a database that holds documents"
                             " (it was built with \"%s\")",
                             unigrams_name(have.unigrams));
            goto done;
        }
        if (want->fold >= 0 && want->fold != have.fold) {
            rc = idx_err_set(err, IDX_EINVAL, "document",
                             "--fold cannot change on a database that holds documents"
                             " (it was built with \"%s\")",
                             fold_name(have.fold));
            goto done;
        }
        *sc = have;
    } else {
        sc->unigrams = want->unigrams >= 0 ? want->unigrams : IDX_UNIGRAMS_ALL;
        sc->fold = want->fold >= 0 ? want->fold : IDX_FOLD_T2S;
        sc->format = want->format > 0 ? want->format : IDX_FORMAT_DEFAULT;
        sc->words = want->words > 0 ? want->words : IDX_WORDS_SPLIT;
        if (sc->format > IDX_FORMAT_MAX) {
            rc = idx_err_set(err, IDX_EINVAL, "document", "--index-format: this idx writes formats 1 to %d",
                             IDX_FORMAT_MAX);
            goto done;
        }
        if (sc->format >= 2 && sc->unigrams == IDX_UNIGRAMS_EDGES) {
            rc = idx_err_set(err, IDX_EINVAL, "document",
                             "--cjk-unigrams edges needs --index-format 1 (format %d indexes every "
                             "character, at its position)",
                             sc->format);
            goto done;
        }
    }
    /* recorded when missing or (no documents yet) different */
    if (!*u || st.documents == 0)
        rc = idx_db_set_metadata(db, IDX_META_UNIGRAMS, unigrams_name(sc->unigrams), err);
    if (!rc && (!*f || st.documents == 0))
        rc = idx_db_set_metadata(db, IDX_META_FOLD, fold_name(sc->fold), err);
    if (!rc && (!*w || st.documents == 0))
        rc = idx_db_set_metadata(db, IDX_META_WORDS,
                                 sc->words == IDX_WORDS_SPLIT ? "split" : "whole", err);
    snprintf(num, sizeof num, "%d", sc->format);
    if (!rc && strcmp(v, num) != 0) rc = idx_db_set_metadata(db, IDX_META_FORMAT, num, err);
done:
    free(u);
    free(f);
    free(v);
    free(w);
    return rc;
}

int idx_schema_tokflags(const idx_schema *sc)
{
    if (!sc) return 0;
    return (sc->fold == IDX_FOLD_T2S ? IDX_TOKENIZE_FOLD_T2S : 0) |
           (sc->format >= 2 ? IDX_TOKENIZE_RUN_GAP : 0) |
           (sc->words == IDX_WORDS_SPLIT ? IDX_TOKENIZE_SPLIT_ALNUM : 0);
}

int idx_document_emit(const idx_article *a, const idx_schema *sc, idx_doc_fn fn, void *ctx,
                      idx_err *err)
{
    int flags = idx_schema_tokflags(sc), rc = IDX_OK;
    idx_buf tmp;
    char *data = NULL;
    idx_buf_init(&tmp);
    sink s = {.fn = fn,
              .ctx = ctx,
              .title = 1,
              .unigrams = sc->unigrams,
              .format = sc->format,
              .err = err};
    uint32_t pos = 1;
    if (a->title.s && (rc = idx_tokenize(a->title.s, a->title.n, IDX_TOKENIZE_DOCUMENT | flags, pos,
                                         on_token, &s, &pos, err)))
        goto done;
    s.title = 0;
    if (a->body.s && (rc = idx_tokenize(a->body.s, a->body.n, IDX_TOKENIZE_DOCUMENT | flags,
                                        pos + IDX_BODY_POS_GAP, on_token, &s, NULL, err)))
        goto done;

    if ((rc = idx_vocab_scan(a->body.s, a->body.n, flags, vocab_term, &s, err))) goto done;

    if (a->source.s) {
        if ((rc = add_filter(&s, IDX_PREFIX_SOURCE, a->source.s, a->source.n, &tmp)) ||
            (rc = emit(&s, IDX_DOC_VALUE, a->source.s, a->source.n, 0, IDX_SLOT_SOURCE)))
            goto done;
    }
    if (a->category.s) {
        if ((rc = add_filter(&s, IDX_PREFIX_CATEGORY, a->category.s, a->category.n, &tmp)) ||
            (rc = emit(&s, IDX_DOC_VALUE, a->category.s, a->category.n, 0, IDX_SLOT_CATEGORY)))
            goto done;
    }
    if (a->tags) {
        size_t i;
        json_t *t;
        json_array_foreach(a->tags, i, t) {
            if ((rc = add_filter(&s, IDX_PREFIX_TAG, json_string_value(t), json_string_length(t),
                                 &tmp)))
                goto done;
        }
    }
    if (a->has_date) {
        char v[18], b[16];
        size_t vn = idx_sortable_serialise((double)a->date.secs, v);
        if ((rc = emit(&s, IDX_DOC_VALUE, v, vn, 0, IDX_SLOT_DATE))) goto done;
        snprintf(b, sizeof b, "%04d", a->date.year);
        if ((rc = emit(&s, IDX_DOC_VALUE, b, 4, 0, IDX_SLOT_YEAR)) ||
            (rc = add_filter(&s, IDX_PREFIX_YEAR, b, 4, &tmp)))
            goto done;
        snprintf(b, sizeof b, "%04d%02d", a->date.year, a->date.month);
        if ((rc = add_filter(&s, IDX_PREFIX_MONTH, b, 6, &tmp))) goto done;
        snprintf(b, sizeof b, "%04d%02d%02d", a->date.year, a->date.month, a->date.day);
        if ((rc = add_filter(&s, IDX_PREFIX_DAY, b, 8, &tmp))) goto done;
    }

    data = json_dumps(a->json, JSON_COMPACT);
    if (!data) {
        rc = idx_err_set(err, IDX_ENOMEM, "document.build", "cannot serialize article");
        goto done;
    }
    if ((rc = emit(&s, IDX_DOC_DATA, data, strlen(data), 0, 0))) goto done;

    if ((rc = idx_uid_term(a->id.s, a->id.n, &tmp, err)) ||
        (rc = emit(&s, IDX_DOC_BOOLEAN, tmp.data, tmp.len, 0, 0)))
        goto done;
done:
    free(data);
    idx_buf_fini(&tmp);
    return rc;
}

/* idx_document_emit into a Xapian document. */
static int to_xdoc(void *ctx, const idx_doc_item *it, idx_err *err)
{
    idx_xdoc *doc = ctx;
    switch (it->kind) {
    case IDX_DOC_POSTING: return idx_xdoc_add_posting(doc, it->s, it->n, it->pos, err);
    case IDX_DOC_TERM: return idx_xdoc_add_term(doc, it->s, it->n, err);
    case IDX_DOC_BOOLEAN: return idx_xdoc_add_boolean_term(doc, it->s, it->n, err);
    case IDX_DOC_VALUE: return idx_xdoc_set_value(doc, it->slot, it->s, it->n, err);
    default: return idx_xdoc_set_data(doc, it->s, it->n, err);
    }
}

int idx_document_build(const idx_article *a, const idx_schema *sc, idx_xdoc **out, idx_buf *uid,
                       idx_err *err)
{
    idx_xdoc *doc = NULL;
    *out = NULL;
    int rc = idx_xdoc_new(&doc, err);
    if (!rc) rc = idx_document_emit(a, sc, to_xdoc, doc, err);
    if (!rc) rc = idx_uid_term(a->id.s, a->id.n, uid, err);
    if (rc) {
        idx_xdoc_free(doc);
        return rc;
    }
    *out = doc;
    return IDX_OK;
}

int idx_revision_term(uint64_t rev, idx_buf *term, idx_err *err)
{
    char t[32];
    int n = snprintf(t, sizeof t, IDX_PREFIX_REV "%llu", (unsigned long long)rev);
    idx_buf_reset(term);
    idx_buf_append(term, t, (size_t)n);
    if (term->oom) return idx_err_set(err, IDX_ENOMEM, "document", "out of memory");
    return IDX_OK;
}

int idx_document_set_revision(idx_xdoc *doc, uint64_t rev, idx_err *err)
{
    char v[18], t[32];
    size_t vn = idx_sortable_serialise((double)rev, v);
    int tn = snprintf(t, sizeof t, IDX_PREFIX_REV "%llu", (unsigned long long)rev);
    int rc = idx_xdoc_set_value(doc, IDX_SLOT_REV, v, vn, err);
    if (!rc) rc = idx_xdoc_add_boolean_term(doc, t, (size_t)tn, err);
    return rc;
}
