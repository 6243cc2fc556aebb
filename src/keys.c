/* keys.c - see keys.h.  The keys file parser, the constant-time check of a
 * plain key, and the scoped keys (strict base64url, a three-member JSON
 * payload, HMAC-SHA256 from OpenSSL's libcrypto).
 *
 * Each key keeps its secret (wiped when freed) and SHA-256 of it: a plain
 * key is checked by comparing digests, so lengths never differ; the first 8
 * bytes of the digest, as hex, are a scoped key's "p".  Worked example: a
 * search key whose secret hashes to 3f2a...; a scoped key with filter
 * `source:新华社` until 2027-02-01 is
 *   idxs1_ + b64u({"p":"3f2a9c0d11e2b7a4","f":"source:新华社","e":1801440000})
 *          + "." + b64u(HMAC-SHA256(secret, "idxs1_eyJwIjoi..."))
 * Checking it decodes the payload, finds the search key whose digest starts
 * 3f2a9c0d11e2b7a4, recomputes the HMAC and compares, then the expiry.
 */
#include "keys.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <openssl/sha.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "hash.h"
#include "utf8.h"

#define PREFIX_LEN (sizeof IDX_KEY_SCOPED_PREFIX - 1)
#define DIGEST_LEN 32                 /* SHA-256, HMAC-SHA256 */
#define PID_BYTES 8                   /* "p": this many bytes of the digest, as hex */
#define SIG_CHARS 43                  /* base64url of DIGEST_LEN bytes */
#define EXPIRES_MAX 253402300799LL    /* 9999-12-31T23:59:59Z */

typedef struct key {
    char name[IDX_KEY_NAME_MAX + 1];
    int role;
    char *secret;                      /* owned, NUL-terminated, wiped when freed */
    size_t len;
    unsigned char digest[DIGEST_LEN];  /* SHA-256(secret) */
    size_t line;                       /* in the keys file */
} key;

struct idx_keys {
    key *keys;
    size_t n, cap;
    idx_map names, secrets; /* hash of the name / first digest bytes -> index + 1 */
};

/* ---- base64url, no padding, strict ---- */

static const char B64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

static size_t b64_len(size_t n)
{
    return n / 3 * 4 + (n % 3 ? n % 3 + 1 : 0);
}

/* Encode in[0..n) into out (b64_len(n) characters, no NUL); returns the length. */
static size_t b64_encode(const unsigned char *in, size_t n, char *out)
{
    size_t o = 0;
    for (size_t i = 0; i < n; i += 3) {
        uint32_t v = (uint32_t)in[i] << 16;
        if (i + 1 < n) v |= (uint32_t)in[i + 1] << 8;
        if (i + 2 < n) v |= in[i + 2];
        size_t chars = n - i >= 3 ? 4 : n - i + 1;
        for (size_t c = 0; c < chars; c++) out[o++] = B64[(v >> (18 - 6 * c)) & 63];
    }
    return o;
}

static int b64_value(unsigned char c)
{
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '-') return 62;
    if (c == '_') return 63;
    return -1;
}

/* Decode s[0..n) into out (room for n / 4 * 3 + 2 bytes); *len its length.
 * Only the canonical form is taken: no padding or other characters, no
 * dangling character, the unused low bits of the last one zero.  0 or -1. */
static int b64_decode(const char *s, size_t n, unsigned char *out, size_t *len)
{
    if (n % 4 == 1) return -1;
    uint32_t acc = 0;
    int bits = 0;
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        int v = b64_value((unsigned char)s[i]);
        if (v < 0) return -1;
        acc = (acc << 6 | (uint32_t)v) & 0xffffff;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out[o++] = (unsigned char)(acc >> bits);
        }
    }
    if (bits && (acc & ((1u << bits) - 1))) return -1;
    *len = o;
    return 0;
}

/* ---- the keys file ---- */

int idx_key_name_ok(const char *s, size_t n)
{
    if (n < 1 || n > IDX_KEY_NAME_MAX) return 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '.' || c == '-'))
            return 0;
    }
    return 1;
}

int idx_key_role(const char *s, size_t n)
{
    if (n == 5 && memcmp(s, "admin", 5) == 0) return IDX_ROLE_ADMIN;
    if (n == 6 && memcmp(s, "search", 6) == 0) return IDX_ROLE_SEARCH;
    return IDX_ROLE_NONE;
}

const char *idx_key_role_name(int role)
{
    return role == IDX_ROLE_ADMIN ? "admin" : role == IDX_ROLE_SEARCH ? "search" : "none";
}

/* The offset of the first byte of s[0..n) that is not printable ASCII
 * (0x21-0x7e), or n. */
static size_t unprintable_at(const char *s, size_t n)
{
    size_t i = 0;
    while (i < n && s[i] > 0x20 && s[i] < 0x7f) i++;
    return i;
}

/* What is wrong with a secret, or NULL. */
static const char *secret_problem(const char *s, size_t n)
{
    if (n < IDX_KEY_SECRET_MIN || n > IDX_KEY_SECRET_MAX) return "is not 16 to 256 bytes long";
    if (unprintable_at(s, n) != n) return "holds a byte that is not printable ASCII";
    if (memcmp(s, IDX_KEY_SCOPED_PREFIX, PREFIX_LEN) == 0)
        return "starts with " IDX_KEY_SCOPED_PREFIX ", the prefix of scoped keys";
    return NULL;
}

/* Split s[0..n) at spaces and tabs: up to 3 fields into f/fl; returns how
 * many there are (all of them counted). */
static size_t split_fields(const char *s, size_t n, const char *f[3], size_t fl[3])
{
    size_t nf = 0, i = 0;
    for (;;) {
        while (i < n && (s[i] == ' ' || s[i] == '\t')) i++;
        if (i == n) return nf;
        size_t start = i;
        while (i < n && s[i] != ' ' && s[i] != '\t') i++;
        if (nf < 3) f[nf] = s + start, fl[nf] = i - start;
        nf++;
    }
}

/* Refuse a name or a secret (by its digest d) that an earlier key has.
 * The map keys: nh (the name's hash) and sh (the digest's first bytes). */
static int check_unique(const idx_keys *k, const char *file, size_t line, const char *name,
                        size_t nl, uint64_t nh, const unsigned char d[DIGEST_LEN], uint64_t sh,
                        idx_err *err)
{
    size_t it = 0;
    for (size_t *v; (v = idx_map_next(&k->names, nh, &it));) {
        const key *e = &k->keys[*v - 1];
        if (strlen(e->name) == nl && memcmp(e->name, name, nl) == 0)
            return idx_err_set(err, IDX_EINVAL, "keys.load",
                               "%s:%zu: the name %.*s is taken already (line %zu)", file, line,
                               (int)nl, name, e->line);
    }
    it = 0;
    for (size_t *v; (v = idx_map_next(&k->secrets, sh, &it));) {
        const key *e = &k->keys[*v - 1];
        if (memcmp(e->digest, d, DIGEST_LEN) == 0)
            return idx_err_set(err, IDX_EINVAL, "keys.load",
                               "%s:%zu: key %.*s has the same secret as key %s (line %zu); each "
                               "key needs its own", file, line, (int)nl, name, e->name, e->line);
    }
    return IDX_OK;
}

/* Append the key of a valid line (fields f/fl) unless its name or secret is taken. */
static int add_key(idx_keys *k, const char *file, size_t line, const char *f[3],
                   const size_t fl[3], int role, idx_err *err)
{
    const char *W = "keys.load";
    uint64_t nh = idx_hash(IDX_HASH_SEED, f[0], fl[0]), sh;
    unsigned char d[DIGEST_LEN];
    SHA256((const unsigned char *)f[2], fl[2], d);
    memcpy(&sh, d, sizeof sh);
    int rc = check_unique(k, file, line, f[0], fl[0], nh, d, sh, err);
    if (rc != IDX_OK) return rc;
    if (k->n == k->cap) {
        size_t cap = k->cap ? k->cap * 2 : 8;
        key *nk = realloc(k->keys, cap * sizeof *nk);
        if (!nk) return idx_err_set(err, IDX_ENOMEM, W, "out of memory reading %s", file);
        k->keys = nk, k->cap = cap;
    }
    key *e = &k->keys[k->n];
    memset(e, 0, sizeof *e);
    if (!(e->secret = malloc(fl[2] + 1)))
        return idx_err_set(err, IDX_ENOMEM, W, "out of memory reading %s", file);
    size_t *nv = idx_map_add(&k->names, nh), *sv = nv ? idx_map_add(&k->secrets, sh) : NULL;
    if (!sv) {
        if (nv) idx_map_remove(&k->names, nv);
        free(e->secret);
        return idx_err_set(err, IDX_ENOMEM, W, "out of memory reading %s", file);
    }
    memcpy(e->name, f[0], fl[0]);
    memcpy(e->secret, f[2], fl[2]);
    e->secret[fl[2]] = '\0';
    e->len = fl[2];
    memcpy(e->digest, d, DIGEST_LEN);
    e->role = role;
    e->line = line;
    *nv = *sv = ++k->n;
    return IDX_OK;
}

/* One line s[0..n) (no '\n') of the keys file. */
static int parse_line(idx_keys *k, const char *file, size_t line, const char *s, size_t n,
                      idx_err *err)
{
    const char *W = "keys.load";
    if (n && s[n - 1] == '\r') n--;
    const char *f[3];
    size_t fl[3];
    size_t nf = split_fields(s, n, f, fl);
    if (nf == 0 || f[0][0] == '#') return IDX_OK;
    if (nf != 3)
        return idx_err_set(err, IDX_EINVAL, W,
                           "%s:%zu: expected NAME ROLE SECRET, found %zu field%s (a secret holds "
                           "no spaces; a comment is a line of its own starting with #)",
                           file, line, nf, nf == 1 ? "" : "s");
    if (!idx_key_name_ok(f[0], fl[0]))
        return idx_err_set(err, IDX_EINVAL, W,
                           "%s:%zu: the name (field 1) must be 1 to %d of A-Z a-z 0-9 _ . -",
                           file, line, IDX_KEY_NAME_MAX);
    int role = idx_key_role(f[1], fl[1]);
    if (role == IDX_ROLE_NONE)
        return idx_err_set(err, IDX_EINVAL, W,
                           "%s:%zu: the role (field 2) must be admin or search", file, line);
    const char *why = secret_problem(f[2], fl[2]);
    if (why)
        return idx_err_set(err, IDX_EINVAL, W,
                           "%s:%zu: the secret (field 3) %s (it must be 16 to 256 printable "
                           "ASCII bytes without spaces, not starting with " IDX_KEY_SCOPED_PREFIX ")",
                           file, line, why);
    return add_key(k, file, line, f, fl, role, err);
}

int idx_keys_parse(const char *file, const char *text, size_t n, idx_keys **out, idx_err *err)
{
    *out = NULL;
    idx_keys *k = calloc(1, sizeof *k);
    if (!k) return idx_err_set(err, IDX_ENOMEM, "keys.load", "out of memory reading %s", file);
    idx_map_init(&k->names, sizeof(size_t));
    idx_map_init(&k->secrets, sizeof(size_t));
    int rc = IDX_OK;
    size_t line = 0;
    for (size_t at = 0; at < n && rc == IDX_OK;) {
        const char *nl = memchr(text + at, '\n', n - at);
        size_t end = nl ? (size_t)(nl - text) : n;
        rc = parse_line(k, file, ++line, text + at, end - at, err);
        at = end + 1;
    }
    if (rc == IDX_OK && k->n == 0)
        rc = idx_err_set(err, IDX_EINVAL, "keys.load",
                         "%s: no keys in it (one a line: NAME ROLE SECRET, ROLE admin or search)", file);
    if (rc != IDX_OK) {
        idx_keys_free(k);
        return rc;
    }
    *out = k;
    return IDX_OK;
}

/* Read the whole of fd (at most IDX_KEYS_FILE_MAX bytes) into *buf. */
static int read_all(int fd, const char *path, char **buf, size_t *len, idx_err *err)
{
    size_t cap = 4096, n = 0;
    char *b = malloc(cap);
    if (!b) return idx_err_set(err, IDX_ENOMEM, "keys.load", "out of memory reading %s", path);
    for (;;) {
        if (n == cap) {
            char *nb = cap > IDX_KEYS_FILE_MAX ? NULL : malloc(cap * 2);
            if (!nb) {
                OPENSSL_cleanse(b, n);
                free(b);
                return cap > IDX_KEYS_FILE_MAX
                           ? idx_err_set(err, IDX_ETOOBIG, "keys.load",
                                         "keys file %s is over %d bytes", path, IDX_KEYS_FILE_MAX)
                           : idx_err_set(err, IDX_ENOMEM, "keys.load", "out of memory reading %s", path);
            }
            memcpy(nb, b, n);
            OPENSSL_cleanse(b, n);
            free(b);
            b = nb, cap *= 2;
        }
        ssize_t r = read(fd, b + n, cap - n);
        if (r == 0) break;
        if (r < 0 && errno == EINTR) continue;
        if (r < 0) {
            int e = errno;
            OPENSSL_cleanse(b, n);
            free(b);
            return idx_err_set(err, IDX_EIO, "keys.load", "cannot read keys file %s: %s", path,
                               strerror(e));
        }
        n += (size_t)r;
    }
    *buf = b, *len = n;
    return IDX_OK;
}

int idx_keys_load(const char *path, idx_keys **out, idx_err *err)
{
    const char *W = "keys.load";
    *out = NULL;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return idx_err_set(err, IDX_EIO, W, "cannot open keys file %s: %s", path, strerror(errno));
    struct stat st;
    int rc = IDX_OK;
    if (fstat(fd, &st) != 0)
        rc = idx_err_set(err, IDX_EIO, W, "cannot stat keys file %s: %s", path, strerror(errno));
    else if (!S_ISREG(st.st_mode))
        rc = idx_err_set(err, IDX_EINVAL, W, "keys file %s is not a regular file", path);
    else if (st.st_mode & 077)
        rc = idx_err_set(err, IDX_EINVAL, W,
                         "keys file %s has mode %04o: group or others may read or write it, and it "
                         "holds secrets; run chmod 600 %s", path, (unsigned)(st.st_mode & 07777), path);
    else if (st.st_size > IDX_KEYS_FILE_MAX)
        rc = idx_err_set(err, IDX_ETOOBIG, W, "keys file %s is over %d bytes", path, IDX_KEYS_FILE_MAX);
    char *buf = NULL;
    size_t len = 0;
    if (rc == IDX_OK) rc = read_all(fd, path, &buf, &len, err);
    close(fd);
    if (rc != IDX_OK) return rc;
    rc = idx_keys_parse(path, buf, len, out, err);
    OPENSSL_cleanse(buf, len);
    free(buf);
    return rc;
}

void idx_keys_free(idx_keys *k)
{
    if (!k) return;
    for (size_t i = 0; i < k->n; i++) {
        OPENSSL_cleanse(k->keys[i].secret, k->keys[i].len);
        free(k->keys[i].secret);
        OPENSSL_cleanse(k->keys[i].digest, DIGEST_LEN);
    }
    free(k->keys);
    idx_map_fini(&k->names);
    idx_map_fini(&k->secrets);
    free(k);
}

size_t idx_keys_count(const idx_keys *k)
{
    return k ? k->n : 0;
}

const char *idx_keys_name(const idx_keys *k, size_t i, int *role)
{
    if (!k || i >= k->n) return NULL;
    if (role) *role = k->keys[i].role;
    return k->keys[i].name;
}

/* ---- checking ---- */

/* The index of the key whose digest is d, looked for in every key, in time
 * that does not depend on which one matches; k->n when none. */
static size_t find_digest(const idx_keys *k, const unsigned char d[DIGEST_LEN])
{
    size_t hit = k->n;
    for (size_t i = 0; i < k->n; i++) {
        size_t eq = CRYPTO_memcmp(d, k->keys[i].digest, DIGEST_LEN) == 0;
        size_t mask = (size_t)0 - eq;
        hit = (hit & ~mask) | (i & mask);
    }
    return hit;
}

/* "p" of a secret with digest d: 16 lowercase hex characters and a NUL. */
static void pid_hex(const unsigned char d[DIGEST_LEN], char out[2 * PID_BYTES + 1])
{
    static const char hex[] = "0123456789abcdef";
    for (int i = 0; i < PID_BYTES; i++) {
        out[2 * i] = hex[d[i] >> 4];
        out[2 * i + 1] = hex[d[i] & 15];
    }
    out[2 * PID_BYTES] = '\0';
}

typedef struct payload {
    char pid[2 * PID_BYTES + 1];
    const char *filter; /* in the JSON object */
    size_t flen;
    long long expires;
} payload;

static int filter_ok(const char *s, size_t n)
{
    return n > 0 && n <= IDX_KEY_FILTER_MAX && !memchr(s, '\0', n) && idx_utf8_valid(s, n, NULL);
}

static int is_pid(const char *s, size_t n)
{
    if (n != 2 * PID_BYTES) return 0;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f'))) return 0;
    return 1;
}

/* Read the JSON object o of a scoped key's payload into *pl (filter kept in o). */
static int read_payload(json_t *o, payload *pl, idx_err *err)
{
    const char *W = "keys.check";
    json_t *p = json_object_get(o, "p"), *f = json_object_get(o, "f"), *e = json_object_get(o, "e");
    if (json_object_size(o) != 3 || !p || !f || !e)
        return idx_err_set(err, IDX_EINVAL, W, "the scoped key's payload must have exactly p, f and e");
    if (!json_is_string(p) || !is_pid(json_string_value(p), json_string_length(p)))
        return idx_err_set(err, IDX_EINVAL, W, "the scoped key's p is not 16 hex digits");
    if (!json_is_string(f) || !filter_ok(json_string_value(f), json_string_length(f)))
        return idx_err_set(err, IDX_EINVAL, W,
                           "the scoped key's filter is not 1 to %d bytes of UTF-8", IDX_KEY_FILTER_MAX);
    if (!json_is_integer(e) || json_integer_value(e) < 1 || json_integer_value(e) > EXPIRES_MAX)
        return idx_err_set(err, IDX_EINVAL, W, "the scoped key's expiry is not a time in Unix seconds");
    memcpy(pl->pid, json_string_value(p), sizeof pl->pid);
    pl->filter = json_string_value(f);
    pl->flen = json_string_length(f);
    pl->expires = json_integer_value(e);
    return IDX_OK;
}

/* HMAC-SHA256 of d[0..n) under secret[0..slen) into mac. */
static int sign(const char *secret, size_t slen, const char *d, size_t n,
                unsigned char mac[DIGEST_LEN], idx_err *err)
{
    unsigned int len = 0;
    if (!HMAC(EVP_sha256(), secret, (int)slen, (const unsigned char *)d, n, mac, &len) ||
        len != DIGEST_LEN)
        return idx_err_set(err, IDX_ENOMEM, "keys.hmac", "HMAC-SHA256 failed");
    return IDX_OK;
}

/* The search key that signed p[0..signed_n) with sig and whose "p" is pid:
 * its index via *hit.  Every candidate's HMAC is compared, in constant time. */
static int find_parent(const idx_keys *k, const char *pid, const char *p, size_t signed_n,
                       const unsigned char sig[DIGEST_LEN], size_t *hit, idx_err *err)
{
    const char *W = "keys.check";
    size_t found = k->n, candidates = 0;
    for (size_t i = 0; i < k->n; i++) {
        char hex[2 * PID_BYTES + 1];
        pid_hex(k->keys[i].digest, hex);
        if (k->keys[i].role != IDX_ROLE_SEARCH || memcmp(hex, pid, sizeof hex) != 0) continue;
        candidates++;
        unsigned char mac[DIGEST_LEN];
        int rc = sign(k->keys[i].secret, k->keys[i].len, p, signed_n, mac, err);
        if (rc != IDX_OK) return rc;
        size_t eq = CRYPTO_memcmp(mac, sig, DIGEST_LEN) == 0;
        OPENSSL_cleanse(mac, sizeof mac); /* the right signature for what was presented */
        size_t mask = (size_t)0 - eq;
        found = (found & ~mask) | (i & mask);
    }
    if (!candidates)
        return idx_err_set(err, IDX_EINVAL, W, "the scoped key is not derived from a search key");
    if (found == k->n)
        return idx_err_set(err, IDX_EINVAL, W,
                           "the scoped key's signature does not match: it was altered, or made "
                           "with another secret");
    *hit = found;
    return IDX_OK;
}

/* "2027-02-01T00:00:00Z" */
static void iso_utc(long long t, char out[32])
{
    time_t tt = (time_t)t;
    struct tm tm;
    if (!gmtime_r(&tt, &tm) || !strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm))
        snprintf(out, 32, "%lld", t);
}

static int check_scoped(const idx_keys *k, const char *p, size_t n, long long now,
                        idx_key_auth *out, idx_err *err)
{
    const char *W = "keys.check";
    if (n > IDX_KEY_MAX_BYTES)
        return idx_err_set(err, IDX_EINVAL, W, "the scoped key is over %d bytes", IDX_KEY_MAX_BYTES);
    const char *dot = memchr(p + PREFIX_LEN, '.', n - PREFIX_LEN);
    if (!dot) return idx_err_set(err, IDX_EINVAL, W, "the scoped key has no '.' before its signature");
    size_t signed_n = (size_t)(dot - p), plen = signed_n - PREFIX_LEN, slen = n - signed_n - 1;
    unsigned char sig[DIGEST_LEN + 2], buf[IDX_KEY_MAX_BYTES / 4 * 3 + 2];
    size_t len;
    if (slen != SIG_CHARS || b64_decode(dot + 1, slen, sig, &len) || len != DIGEST_LEN)
        return idx_err_set(err, IDX_EINVAL, W, "the scoped key's signature is not %d base64url characters",
                           SIG_CHARS);
    if (!plen || b64_decode(p + PREFIX_LEN, plen, buf, &len))
        return idx_err_set(err, IDX_EINVAL, W, "the scoped key's payload is not base64url");
    json_error_t jerr;
    json_t *o = json_loadb((const char *)buf, len, JSON_REJECT_DUPLICATES, &jerr);
    if (!o || !json_is_object(o)) {
        json_decref(o);
        return idx_err_set(err, IDX_EINVAL, W, "the scoped key's payload is not a JSON object");
    }
    payload pl;
    size_t hit = 0;
    int rc = read_payload(o, &pl, err);
    if (rc == IDX_OK) rc = find_parent(k, pl.pid, p, signed_n, sig, &hit, err);
    if (rc == IDX_OK && now >= pl.expires) {
        char when[32];
        iso_utc(pl.expires, when);
        rc = idx_err_set(err, IDX_EINVAL, W, "the scoped key expired at %s", when);
    }
    if (rc == IDX_OK && !(out->filter = strndup(pl.filter, pl.flen)))
        rc = idx_err_set(err, IDX_ENOMEM, W, "out of memory");
    if (rc == IDX_OK) {
        out->role = IDX_ROLE_SEARCH;
        out->name = k->keys[hit].name;
        out->expires = pl.expires;
    }
    json_decref(o);
    return rc;
}

int idx_keys_check(const idx_keys *k, const char *p, size_t n, long long now, idx_key_auth *out,
                   idx_err *err)
{
    memset(out, 0, sizeof *out);
    if (!k) return idx_err_set(err, IDX_ENOTFOUND, "keys.check", "no such key");
    if (n >= PREFIX_LEN && memcmp(p, IDX_KEY_SCOPED_PREFIX, PREFIX_LEN) == 0)
        return check_scoped(k, p, n, now, out, err);
    if (n == 0 || n > IDX_KEY_MAX_BYTES)
        return idx_err_set(err, IDX_ENOTFOUND, "keys.check", "no such key");
    unsigned char d[DIGEST_LEN];
    SHA256((const unsigned char *)p, n, d);
    size_t hit = find_digest(k, d);
    OPENSSL_cleanse(d, sizeof d);
    if (hit == k->n) return idx_err_set(err, IDX_ENOTFOUND, "keys.check", "no such key");
    out->role = k->keys[hit].role;
    out->name = k->keys[hit].name;
    return IDX_OK;
}

/* ---- making keys ---- */

int idx_key_scope(const char *secret, size_t n, const char *filter, long long expires, char **out,
                  idx_err *err)
{
    const char *W = "keys.scope";
    *out = NULL;
    if (n >= PREFIX_LEN && memcmp(secret, IDX_KEY_SCOPED_PREFIX, PREFIX_LEN) == 0)
        return idx_err_set(err, IDX_EINVAL, W,
                           "a scoped key cannot be scoped again: give the search key it came from");
    if (secret_problem(secret, n))
        return idx_err_set(err, IDX_EINVAL, W,
                           "the search key must be 16 to 256 printable ASCII characters without spaces");
    size_t flen = filter ? strlen(filter) : 0;
    if (!filter_ok(filter, flen))
        return idx_err_set(err, IDX_EINVAL, W, "the filter must be 1 to %d bytes of UTF-8 (is %zu)",
                           IDX_KEY_FILTER_MAX, flen);
    if (expires < 1 || expires > EXPIRES_MAX)
        return idx_err_set(err, IDX_EINVAL, W, "the expiry %lld is not a time in Unix seconds", expires);
    unsigned char d[DIGEST_LEN];
    SHA256((const unsigned char *)secret, n, d);
    char pid[2 * PID_BYTES + 1];
    pid_hex(d, pid);
    OPENSSL_cleanse(d, DIGEST_LEN);
    json_t *o = json_pack("{s:s, s:s, s:I}", "p", pid, "f", filter, "e", (json_int_t)expires);
    char *js = o ? json_dumps(o, JSON_COMPACT) : NULL;
    json_decref(o);
    if (!js) return idx_err_set(err, IDX_ENOMEM, W, "out of memory");
    size_t jn = strlen(js), signed_n = PREFIX_LEN + b64_len(jn), total = signed_n + 1 + SIG_CHARS;
    if (total > IDX_KEY_MAX_BYTES) {
        free(js);
        return idx_err_set(err, IDX_EINVAL, W,
                           "the filter makes a key of %zu bytes, over %d: make it shorter", total,
                           IDX_KEY_MAX_BYTES);
    }
    char *s = malloc(total + 1);
    unsigned char mac[DIGEST_LEN];
    int rc = s ? IDX_OK : idx_err_set(err, IDX_ENOMEM, W, "out of memory");
    if (rc == IDX_OK) {
        memcpy(s, IDX_KEY_SCOPED_PREFIX, PREFIX_LEN);
        b64_encode((const unsigned char *)js, jn, s + PREFIX_LEN);
        rc = sign(secret, n, s, signed_n, mac, err);
    }
    free(js);
    if (rc != IDX_OK) {
        free(s);
        return rc;
    }
    s[signed_n] = '.';
    b64_encode(mac, DIGEST_LEN, s + signed_n + 1);
    s[total] = '\0';
    *out = s;
    return IDX_OK;
}

int idx_key_random(char *out, size_t cap, idx_err *err)
{
    if (cap < IDX_KEY_RANDOM_LEN + 1)
        return idx_err_set(err, IDX_EINVAL, "keys.random", "room for %d characters needed, got %zu",
                           IDX_KEY_RANDOM_LEN + 1, cap);
    unsigned char raw[DIGEST_LEN];
    do {
        if (RAND_bytes(raw, sizeof raw) != 1)
            return idx_err_set(err, IDX_EIO, "keys.random", "no random bytes from the system");
        b64_encode(raw, sizeof raw, out);
        out[IDX_KEY_RANDOM_LEN] = '\0';
    } while (memcmp(out, IDX_KEY_SCOPED_PREFIX, PREFIX_LEN) == 0);
    OPENSSL_cleanse(raw, sizeof raw);
    return IDX_OK;
}
