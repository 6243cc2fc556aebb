/* err.c - see err.h.  The table in err.h is the single list of codes. */
#include "err.h"

#include <stdarg.h>
#include <stdio.h>

void idx_err_clear(idx_err *err)
{
    if (!err) return;
    err->rc = IDX_OK;
    err->where[0] = '\0';
    err->msg[0] = '\0';
}

int idx_err_set(idx_err *err, int rc, const char *where, const char *fmt, ...)
{
    if (!err || err->rc != IDX_OK) return rc;
    err->rc = rc;
    snprintf(err->where, sizeof err->where, "%s", where ? where : "");
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->msg, sizeof err->msg, fmt, ap);
    va_end(ap);
    return rc;
}

const char *idx_err_name(int rc)
{
    switch (rc) {
#define IDX_ERR_CASE(name, value, text) case value: return text;
        IDX_ERR_TABLE(IDX_ERR_CASE)
#undef IDX_ERR_CASE
    }
    return "unknown error";
}
