/* article.c - see article.h.  Validation order follows what a user should
 * fix first: bytes (UTF-8), then syntax (JSON), then fields. */
#include "article.h"

#include <string.h>

#include "utf8.h"

/* Optional string field: absent/null -> s = NULL. */
static int get_str(json_t *obj, const char *key, idx_str *out, idx_err *err)
{
    json_t *v = json_object_get(obj, key);
    out->s = NULL;
    out->n = 0;
    if (!v || json_is_null(v)) return IDX_OK;
    if (!json_is_string(v))
        return idx_err_set(err, IDX_EINVAL, "article.parse", "field \"%s\" must be a string", key);
    out->s = json_string_value(v);
    out->n = json_string_length(v);
    return IDX_OK;
}

static int has_text(const idx_str *s)
{
    for (size_t i = 0; i < s->n; i++) {
        unsigned char c = (unsigned char)s->s[i];
        if (c != ' ' && c != '\t' && c != '\n' && c != '\r') return 1;
    }
    return 0;
}

int idx_article_from_json(json_t *obj, idx_article *a, idx_err *err)
{
    memset(a, 0, sizeof *a);
    if (!json_is_object(obj))
        return idx_err_set(err, IDX_EINVAL, "article.parse", "line is not a JSON object");
    json_t *id = json_object_get(obj, "id");
    if (!id || json_is_null(id))
        return idx_err_set(err, IDX_EINVAL, "article.parse", "missing \"id\"");
    if (!json_is_string(id))
        return idx_err_set(err, IDX_EINVAL, "article.parse", "\"id\" must be a string");
    a->id.s = json_string_value(id);
    a->id.n = json_string_length(id);
    if (a->id.n == 0) return idx_err_set(err, IDX_EINVAL, "article.parse", "\"id\" is empty");
    if (a->id.n > IDX_ARTICLE_MAX_ID)
        return idx_err_set(err, IDX_EINVAL, "article.parse", "\"id\" is %zu bytes (max %d)",
                           a->id.n, IDX_ARTICLE_MAX_ID);
    for (size_t i = 0; i < a->id.n; i++)
        if ((unsigned char)a->id.s[i] < 0x20 || a->id.s[i] == 0x7f)
            return idx_err_set(err, IDX_EINVAL, "article.parse",
                               "\"id\" contains a control character");

    int rc;
    if ((rc = get_str(obj, "title", &a->title, err)) || (rc = get_str(obj, "body", &a->body, err)) ||
        (rc = get_str(obj, "url", &a->url, err)) || (rc = get_str(obj, "source", &a->source, err)) ||
        (rc = get_str(obj, "category", &a->category, err)))
        return rc;
    if (!(a->title.s && has_text(&a->title)) && !(a->body.s && has_text(&a->body)))
        return idx_err_set(err, IDX_EINVAL, "article.parse",
                           "needs a non-empty \"title\" or \"body\"");

    idx_str date;
    if ((rc = get_str(obj, "date", &date, err))) return rc;
    if (date.s) {
        idx_err derr;
        idx_err_clear(&derr);
        if (idx_date_parse(date.s, date.n, &a->date, &derr))
            return idx_err_set(err, IDX_EINVAL, "article.parse", "bad \"date\": %s",
                               derr.msg);
        a->has_date = 1;
    }

    json_t *tags = json_object_get(obj, "tags");
    if (tags && !json_is_null(tags)) {
        if (!json_is_array(tags))
            return idx_err_set(err, IDX_EINVAL, "article.parse", "\"tags\" must be an array");
        size_t i;
        json_t *t;
        json_array_foreach(tags, i, t) {
            if (!json_is_string(t))
                return idx_err_set(err, IDX_EINVAL, "article.parse",
                                   "\"tags\"[%zu] must be a string", i);
        }
        a->tags = tags;
    }
    a->json = json_incref(obj);
    return IDX_OK;
}

int idx_article_parse(const char *line, size_t n, idx_article *a, idx_err *err)
{
    memset(a, 0, sizeof *a);
    int rc = idx_utf8_check(line, n, "line", err);
    if (rc) return rc;
    json_error_t jerr;
    json_t *obj = json_loadb(line, n, JSON_REJECT_DUPLICATES, &jerr);
    if (!obj)
        return idx_err_set(err, IDX_EJSON, "article.parse", "invalid JSON at byte %d: %s",
                           jerr.position, jerr.text);
    rc = idx_article_from_json(obj, a, err);
    json_decref(obj);
    return rc;
}

void idx_article_fini(idx_article *a)
{
    if (a->json) json_decref(a->json);
    memset(a, 0, sizeof *a);
}
