/* err.h - error codes and the caller-owned error record.
 *
 * Every function in src/ that can fail returns an int from the table below and
 * takes an `idx_err *` as its last argument (NULL allowed).  The first error
 * recorded wins: later failures while unwinding do not overwrite the message
 * that explains the root cause.  The record keeps apart where the error came
 * from ("module.op", e.g. "xap.replace", for logs and debugging) and the
 * message, which is for the user: it says what went wrong in their terms
 * (the file and line, the byte, the parameter) and never carries a tag, so
 * nothing has to strip one.  Out of memory is an ordinary code; only main()
 * decides to exit.
 */
#ifndef IDX_ERR_H
#define IDX_ERR_H

#include <stddef.h>

/* X(name, value, short text) */
#define IDX_ERR_TABLE(X)                                   \
    X(IDX_OK, 0, "ok")                                     \
    X(IDX_ENOMEM, 1, "out of memory")                      \
    X(IDX_EINVAL, 2, "invalid argument")                   \
    X(IDX_EUTF8, 3, "invalid UTF-8")                       \
    X(IDX_EJSON, 4, "invalid JSON")                        \
    X(IDX_EIO, 5, "input/output error")                    \
    X(IDX_ENOTFOUND, 6, "not found")                       \
    X(IDX_ELOCKED, 7, "database locked")                   \
    X(IDX_EDB, 8, "database error")                        \
    X(IDX_ETOOBIG, 9, "too large")                         \
    X(IDX_ENODB, 10, "database unavailable")               \
    X(IDX_EMODIFIED, 11, "database modified meanwhile")

enum {
#define IDX_ERR_ENUM(name, value, text) name = value,
    IDX_ERR_TABLE(IDX_ERR_ENUM)
#undef IDX_ERR_ENUM
};

#ifdef __cplusplus
extern "C" {
#endif

typedef struct idx_err {
    int rc;
    char where[48]; /* "module.op" of the code that recorded it ("" when none) */
    char msg[512];  /* for the user */
} idx_err;

/* Reset an error record to IDX_OK with an empty message. */
void idx_err_clear(idx_err *err);

/* Record rc, where it came from ("module.op") and a printf-style message
 * unless an error is already recorded.  Returns rc so callers can write
 * `return idx_err_set(err, IDX_EINVAL, "article.parse", ...)`.  err may be
 * NULL (the code is still returned). */
int idx_err_set(idx_err *err, int rc, const char *where, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Short static text for a code ("out of memory"). */
const char *idx_err_name(int rc);

#ifdef __cplusplus
}
#endif

#endif
