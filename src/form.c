/* form.c - see form.h. */
#include "form.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "utf8.h"

static int hexval(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

static int decode(const char *s, size_t n, int plus_space, const char *what, char **out,
                  size_t *outlen, idx_err *err)
{
    char *d = malloc(n + 1);
    if (!d) return idx_err_set(err, IDX_ENOMEM, "form", "out of memory");
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c == '%') {
            int hi = i + 1 < n ? hexval(s[i + 1]) : -1;
            int lo = i + 2 < n ? hexval(s[i + 2]) : -1;
            if (hi < 0 || lo < 0) {
                free(d);
                return idx_err_set(err, IDX_EINVAL, "form", "%s: bad percent escape at byte %zu",
                                   what, i);
            }
            c = (char)(hi * 16 + lo);
            if (c == '\0') {
                free(d);
                return idx_err_set(err, IDX_EINVAL, "form",
                                   "%s: encoded NUL byte (%%00) at byte %zu", what, i);
            }
            i += 2;
        } else if (c == '+' && plus_space) {
            c = ' ';
        } else if (c == '\0') {
            free(d);
            return idx_err_set(err, IDX_EINVAL, "form", "%s: NUL byte at byte %zu", what, i);
        }
        d[k++] = c;
    }
    d[k] = '\0';
    size_t bad;
    if (!idx_utf8_valid(d, k, &bad)) {
        free(d);
        return idx_err_set(err, IDX_EUTF8, "form",
                           "%s: invalid UTF-8 at byte %zu of the decoded value", what, bad);
    }
    *out = d;
    if (outlen) *outlen = k;
    return IDX_OK;
}

int idx_url_decode(const char *s, size_t n, const char *what, char **out, size_t *outlen,
                   idx_err *err)
{
    return decode(s, n, 0, what, out, outlen, err);
}

int idx_form_parse(const char *s, size_t n, idx_form *f, idx_err *err)
{
    memset(f, 0, sizeof *f);
    size_t i = 0;
    while (s && i < n) {
        size_t j = i;
        while (j < n && s[j] != '&') j++;
        if (j > i) { /* skip empty pairs ("a=1&&b=2") */
            size_t eq = i;
            while (eq < j && s[eq] != '=') eq++;
            if (f->n == IDX_FORM_MAX_PARAMS)
                return idx_err_set(err, IDX_ETOOBIG, "form", "more than %d query parameters",
                                   IDX_FORM_MAX_PARAMS);
            idx_form_param *p = &f->p[f->n];
            int rc = decode(s + i, eq - i, 1, "parameter name", &p->name, &p->name_len, err);
            if (rc) return rc;
            char what[80];
            snprintf(what, sizeof what, "parameter '%.*s'",
                     (int)idx_utf8_clip(p->name, p->name_len, 40), p->name);
            rc = eq < j ? decode(s + eq + 1, j - eq - 1, 1, what, &p->value, &p->value_len, err)
                        : decode("", 0, 1, what, &p->value, &p->value_len, err);
            if (rc) {
                free(p->name);
                p->name = NULL;
                return rc;
            }
            f->n++;
            for (size_t k = 0; k + 1 < f->n; k++)
                if (strcmp(f->p[k].name, p->name) == 0)
                    return idx_err_set(err, IDX_EINVAL, "form", "%s given more than once", what);
        }
        i = j + 1;
    }
    return IDX_OK;
}

void idx_form_fini(idx_form *f)
{
    for (size_t i = 0; i < f->n; i++) {
        free(f->p[i].name);
        free(f->p[i].value);
    }
    f->n = 0;
}

const char *idx_form_get(const idx_form *f, const char *name, size_t *len)
{
    for (size_t i = 0; i < f->n; i++)
        if (strcmp(f->p[i].name, name) == 0) {
            if (len) *len = f->p[i].value_len;
            return f->p[i].value;
        }
    return NULL;
}
