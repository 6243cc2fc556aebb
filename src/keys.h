/* keys.h - idxd's API keys: the keys file, checking a presented key in
 * constant time, and scoped keys derived from a search key.
 *
 * The keys file (idxd --keys FILE) holds one key a line, `NAME ROLE SECRET`,
 * the fields separated by spaces or tabs; a line whose first non-blank
 * character is '#' is a comment, blank lines are skipped.  NAME is 1-64 of
 * [A-Za-z0-9_.-], ROLE `admin` or `search`, SECRET 16-256 printable ASCII
 * bytes without spaces, not starting with `idxs1_`.  Names and secrets are
 * unique.  The file must give group and others no access (mode & 077 == 0).
 * No error message ever holds a secret: they name FILE:LINE and the field.
 *
 * A plain key is checked by hashing it and every configured secret with
 * SHA-256 and comparing each pair with CRYPTO_memcmp, all of them every
 * time, so the time taken says nothing of which key matched or how much.
 *
 * A scoped key (Typesense's model, our own format) is made from a search
 * key's secret by anyone who holds it, with no call to the server:
 *
 *   idxs1_ base64url(PAYLOAD) . base64url(HMAC-SHA256(secret, "idxs1_" base64url(PAYLOAD)))
 *   PAYLOAD = {"p":"<16 hex: first 8 bytes of SHA-256(secret)>","f":FILTER,"e":EXPIRES}
 *
 * base64url without padding; PAYLOAD compact JSON with exactly those three
 * members.  "p" picks the parent among the search keys, the HMAC proves the
 * maker held its secret, so the filter (a query every search with the key
 * is ANDed with) and the expiry (Unix seconds) cannot be changed.  The
 * server checks it with idx_keys_check like a plain key.
 */
#ifndef IDX_KEYS_H
#define IDX_KEYS_H

#include <stddef.h>

#include "err.h"

enum { IDX_ROLE_NONE = 0, IDX_ROLE_SEARCH = 1, IDX_ROLE_ADMIN = 2 };

#define IDX_KEY_NAME_MAX 64
#define IDX_KEY_SECRET_MIN 16
#define IDX_KEY_SECRET_MAX 256
#define IDX_KEY_MAX_BYTES 4096     /* the longest key idx_keys_check reads */
#define IDX_KEY_FILTER_MAX 1024    /* the longest filter of a scoped key */
#define IDX_KEY_SCOPED_PREFIX "idxs1_"
#define IDX_KEY_RANDOM_LEN 43      /* idx_key_random's characters (no NUL) */
#define IDX_KEYS_FILE_MAX (1 << 20) /* the largest keys file read */

typedef struct idx_keys idx_keys;

/* Read the keys file at path.  *out: a new key set owned by the caller
 * (idx_keys_free).  Errors: IDX_EIO (cannot open or read it), IDX_EINVAL
 * (its mode lets group or others in, a bad line named FILE:LINE, a duplicate
 * name or secret, no key at all), IDX_ETOOBIG (over IDX_KEYS_FILE_MAX),
 * IDX_ENOMEM. */
int idx_keys_load(const char *path, idx_keys **out, idx_err *err);

/* The same from text[0..n) in memory, errors named file:LINE (file is only
 * used in messages).  For idx_keys_load, the tests and the fuzz target. */
int idx_keys_parse(const char *file, const char *text, size_t n, idx_keys **out, idx_err *err);

/* Free k, wiping its secrets first (OPENSSL_cleanse).  NULL ok. */
void idx_keys_free(idx_keys *k);

/* How many keys k holds (at least 1; 0 for NULL). */
size_t idx_keys_count(const idx_keys *k);

/* The i-th key's name (in file order; valid while k lives) and, when role
 * is not NULL, its IDX_ROLE_*.  Never its secret.  NULL when i is out of
 * range. */
const char *idx_keys_name(const idx_keys *k, size_t i, int *role);

typedef struct idx_key_auth {
    int role;            /* IDX_ROLE_* of the key (a scoped key: IDX_ROLE_SEARCH) */
    const char *name;    /* the key's name in the file (a scoped key: its parent's); valid while k lives */
    char *filter;        /* a scoped key: its filter query (malloc'd, caller frees; NULL otherwise) */
    long long expires;   /* a scoped key: Unix seconds; 0 otherwise */
} idx_key_auth;

/* Check a presented key p[0..n) at Unix time now against k (NULL: no
 * keys, so ENOTFOUND).  IDX_OK: *out filled.
 * IDX_ENOTFOUND: no such key (the server answers 401).  IDX_EINVAL: a
 * scoped key (one starting with idxs1_) that is malformed, tampered with,
 * derived from no search key, or expired (err says which, without secrets;
 * 401 too).  IDX_ENOMEM.  On any error *out is all zero (filter NULL). */
int idx_keys_check(const idx_keys *k, const char *p, size_t n, long long now, idx_key_auth *out,
                   idx_err *err);

/* A scoped key derived from the search key secret[0..n): embeds filter (a
 * non-empty query, <= IDX_KEY_FILTER_MAX bytes, valid UTF-8) and expires
 * (Unix seconds, 1 to 9999-12-31).  *out: malloc'd NUL-terminated key,
 * caller frees.  Errors: IDX_EINVAL (secret not 16-256 printable bytes, or
 * itself a scoped key; bad filter or expiry; a filter whose escaped form
 * makes the key longer than IDX_KEY_MAX_BYTES), IDX_ENOMEM.  Which role the
 * secret has is not known here: a key derived from an admin key is refused
 * when checked. */
int idx_key_scope(const char *secret, size_t n, const char *filter, long long expires, char **out,
                  idx_err *err);

/* A new random secret (32 random bytes, base64url, no padding: 43
 * characters and a NUL) into out[cap], cap > IDX_KEY_RANDOM_LEN (64 is
 * plenty); never one starting with idxs1_.  Errors: IDX_EINVAL (cap too
 * small), IDX_EIO (no randomness). */
int idx_key_random(char *out, size_t cap, idx_err *err);

/* 1 when s[0..n) is a valid key name (1-64 of [A-Za-z0-9_.-]), else 0. */
int idx_key_name_ok(const char *s, size_t n);

/* The IDX_ROLE_* named by s[0..n) ("admin", "search"); IDX_ROLE_NONE for
 * anything else. */
int idx_key_role(const char *s, size_t n);

/* "admin", "search" or "none". */
const char *idx_key_role_name(int role);

#endif
