/* article.h - the article model: one JSON object per line.
 *
 * Fields: id (required string, 1-200 bytes, no control characters), title
 * and body (strings; at least one non-empty), date (ISO 8601, see
 * isodate.h), url, source, category (strings), tags (array of strings).
 * null counts as absent.  Unknown fields are kept: the parsed object is what
 * gets stored and returned.  Input must be valid UTF-8 (the error names the
 * byte offset) and valid JSON without duplicate keys or NUL characters.
 *
 * Every string pointer below points into `json` and lives as long as it.
 */
#ifndef IDX_ARTICLE_H
#define IDX_ARTICLE_H

#include <jansson.h>
#include <stddef.h>

#include "err.h"
#include "isodate.h"

#define IDX_ARTICLE_MAX_ID 200

typedef struct idx_str {
    const char *s; /* NULL when absent */
    size_t n;
} idx_str;

typedef struct idx_article {
    json_t *json; /* owned: the whole object */
    idx_str id, title, body, url, source, category;
    int has_date;
    idx_date date;
    json_t *tags; /* borrowed from json; NULL or an array of strings */
} idx_article;

/* Parse one line (no trailing newline needed).  On success the caller owns
 * *a and must call idx_article_fini.  On failure *a holds nothing and err
 * says what is wrong (IDX_EUTF8, IDX_EJSON or IDX_EINVAL). */
int idx_article_parse(const char *line, size_t n, idx_article *a, idx_err *err);

/* Same from an already parsed object; takes a reference to obj on success. */
int idx_article_from_json(json_t *obj, idx_article *a, idx_err *err);

void idx_article_fini(idx_article *a);

#endif
