/* form.h - strict decoding of URL query strings (application/x-www-form-urlencoded).
 *
 * idxd reads every request parameter through this, so a parameter is either
 * decoded exactly or rejected with a message naming it: '+' is a space,
 * %XX a byte, a bad escape, an encoded NUL (%00) or invalid UTF-8 in a name
 * or value is an error (IDX_EINVAL / IDX_EUTF8), as is a repeated name.
 * Decoded strings are NUL-terminated and owned by the idx_form.
 */
#ifndef IDX_FORM_H
#define IDX_FORM_H

#include <stddef.h>

#include "err.h"

#define IDX_FORM_MAX_PARAMS 32

typedef struct idx_form_param {
    char *name, *value;
    size_t name_len, value_len;
} idx_form_param;

typedef struct idx_form {
    idx_form_param p[IDX_FORM_MAX_PARAMS];
    size_t n;
} idx_form;

/* Decode s[0..n) (the part after '?'; NULL or empty is fine) into *f, which
 * the caller finalizes with idx_form_fini even after an error.  More than
 * IDX_FORM_MAX_PARAMS parameters is IDX_ETOOBIG. */
int idx_form_parse(const char *s, size_t n, idx_form *f, idx_err *err);
void idx_form_fini(idx_form *f);

/* The decoded value of name, or NULL if absent. */
const char *idx_form_get(const idx_form *f, const char *name, size_t *len);

/* Percent-decode s[0..n) into a new malloc'd NUL-terminated string (for URL
 * path segments: '+' stays '+').  `what` names it in errors. */
int idx_url_decode(const char *s, size_t n, const char *what, char **out, size_t *outlen,
                   idx_err *err);

#endif
