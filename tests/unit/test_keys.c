/* test_keys.c - idxd's API keys (keys.h): the keys file and its errors
 * (FILE:LINE, never a secret), its mode, checking plain keys, and scoped
 * keys: the round trip, and every way one can be malformed, forged,
 * tampered with or expired.  Forged keys are made here with OpenSSL's HMAC
 * and a base64url encoder of the test's own, so the format is checked
 * against a second implementation, not against itself.
 */
#include <openssl/hmac.h>
#include <openssl/sha.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "keys.h"
#include "test.h"

/* the secrets of the standard key set: none may show up in a message */
#define S_ADMIN "admin-secret-0123456789abcdef"
#define S_SEARCH "search-secret-0123456789abcdef"
#define S_OTHER "other.search.secret.ABCDEFGH"
#define S_STRAY "a-secret-in-no-file-0123456789"
static const char *const SECRETS[] = {S_ADMIN, S_SEARCH, S_OTHER, S_STRAY};

static const char STANDARD[] = "# idxd keys\n"
                               "\n"
                               "ops admin " S_ADMIN "\n"
                               "  web\tsearch   " S_SEARCH "  \r\n"
                               "\t# indented comment\n"
                               "app.v2 search " S_OTHER "\n";

#define NOW 1800000000LL /* 2027-01-15T08:00:00Z */

/* CHECK that msg holds none of the secrets above (nor the extra one). */
static void check_no_secret(const char *msg, const char *extra)
{
    for (size_t i = 0; i < sizeof SECRETS / sizeof *SECRETS; i++) CHECK(!strstr(msg, SECRETS[i]));
    if (extra) CHECK(!strstr(msg, extra));
}

/* Load text from a 0600 temp file; the path (removed again) into path. */
static int load_text(const char *text, char path[32], idx_keys **k, idx_err *err)
{
    idx_err_clear(err);
    *k = NULL;
    if (t_temp_file(path, text) != 0) return -1;
    int rc = idx_keys_load(path, k, err);
    remove(path);
    return rc;
}

static idx_keys *standard(void)
{
    char path[32];
    idx_keys *k;
    idx_err err;
    int rc = load_text(STANDARD, path, &k, &err);
    if (rc != IDX_OK) fprintf(stderr, "  load: %s\n", err.msg);
    return k;
}

/* text must be refused with EINVAL and a message holding want (a "%s" in
 * want stands for the file's path), and no secret. */
static void check_refused(const char *text, const char *want, const char *extra_secret)
{
    char path[32], expect[256];
    idx_keys *k;
    idx_err err;
    int rc = load_text(text, path, &k, &err);
    CHECK_INT(rc, IDX_EINVAL);
    CHECK(k == NULL);
    snprintf(expect, sizeof expect, want, path);
    if (!strstr(err.msg, expect))
        fprintf(stderr, "  text: %s\n  got:  %s\n  want: %s\n", text, err.msg, expect);
    CHECK(strstr(err.msg, expect) != NULL);
    CHECK_STR(err.where, "keys.load");
    check_no_secret(err.msg, extra_secret);
    idx_keys_free(k);
}

/* ---- the keys file ---- */

static void test_load_good_file(void)
{
    idx_keys *k = standard();
    CHECK(k != NULL);
    if (!k) return;
    CHECK_INT(idx_keys_count(k), 3);
    int role = -1;
    CHECK_STR(idx_keys_name(k, 0, &role), "ops");
    CHECK_INT(role, IDX_ROLE_ADMIN);
    CHECK_STR(idx_keys_name(k, 1, &role), "web");
    CHECK_INT(role, IDX_ROLE_SEARCH);
    CHECK_STR(idx_keys_name(k, 2, NULL), "app.v2");
    CHECK(idx_keys_name(k, 3, &role) == NULL);
    idx_keys_free(k);
    idx_keys_free(NULL);
    CHECK_INT(idx_keys_count(NULL), 0);
}

static void test_limits_of_names_and_secrets(void)
{
    char text[1024], name[65], s16[17], s256[257];
    memset(name, 'n', 64), name[64] = '\0';
    memset(s16, '!', 16), s16[16] = '\0';
    memset(s256, '~', 256), s256[256] = '\0';
    snprintf(text, sizeof text, "%s admin %s\nA_z-0.9 search %s", name, s16, s256); /* no final \n */
    char path[32];
    idx_keys *k;
    idx_err err;
    CHECK_INT(load_text(text, path, &k, &err), IDX_OK);
    CHECK_INT(idx_keys_count(k), 2);
    CHECK_STR(idx_keys_name(k, 1, NULL), "A_z-0.9");
    idx_key_auth a;
    CHECK_INT(idx_keys_check(k, s256, 256, NOW, &a, NULL), IDX_OK);
    CHECK_STR(a.name, "A_z-0.9");
    idx_keys_free(k);
}

static void test_bad_lines_named_file_line(void)
{
    check_refused("ops admin\n", "%s:1: expected NAME ROLE SECRET, found 2 fields", NULL);
    check_refused("# c\n\nops\n", "%s:3: expected NAME ROLE SECRET, found 1 field ", NULL);
    check_refused("ops admin " S_ADMIN " # trailing comment\n",
                  "%s:1: expected NAME ROLE SECRET, found 6 fields", NULL);
    check_refused("web search " S_SEARCH "\nops admin " S_ADMIN " extra\n",
                  "%s:2: expected NAME ROLE SECRET, found 4 fields", NULL);
    check_refused("o/ps admin " S_ADMIN "\n", "%s:1: the name (field 1) must be 1 to 64 of", NULL);
    check_refused("ops Admin " S_ADMIN "\n", "%s:1: the role (field 2) must be admin or search", NULL);
    check_refused("ops root " S_ADMIN "\n", "%s:1: the role (field 2) must be admin or search", NULL);
    check_refused("ops admin 123456789012345\n",
                  "%s:1: the secret (field 3) is not 16 to 256 bytes long", "123456789012345");
    char text[400];
    memset(text, 0, sizeof text);
    memset(text, 'n', 65); /* a name of 65 */
    strcpy(text + 65, " admin " S_ADMIN);
    check_refused(text, "%s:1: the name (field 1) must be 1 to 64 of", NULL);
    memset(text, 0, sizeof text);
    strcpy(text, "ops admin ");
    memset(text + 10, 'x', 257);
    check_refused(text, "%s:1: the secret (field 3) is not 16 to 256 bytes long", text + 10);
    check_refused("ops admin secret\x01secretsecret\n",
                  "%s:1: the secret (field 3) holds a byte that is not printable ASCII", NULL);
    check_refused("ops admin secret\x7fsecretsecret\n",
                  "%s:1: the secret (field 3) holds a byte that is not printable ASCII", NULL);
    check_refused("ops admin secret\xe6\x96\xb0secretsecret\n",
                  "%s:1: the secret (field 3) holds a byte that is not printable ASCII", NULL);
    check_refused("ops admin secret\vsecretsecret\n",
                  "%s:1: the secret (field 3) holds a byte that is not printable ASCII", NULL);
    check_refused("web search idxs1_abcdefghijklmnop\n",
                  "%s:1: the secret (field 3) starts with idxs1_", "idxs1_abcdefghijklmnop");
    /* the fields swapped: the secret where the name goes is not echoed */
    check_refused(S_STRAY " admin bob\n", "%s:1: the secret (field 3) is not 16 to 256", S_STRAY);
    check_refused(S_STRAY " bob search\n", "%s:1: the role (field 2) must be", S_STRAY);
}

static void test_no_keys_is_an_error(void)
{
    check_refused("", "%s: no keys in it", NULL);
    check_refused("# only\n\n   \n\t# comments\n", "%s: no keys in it", NULL);
}

static void test_duplicates_refused(void)
{
    check_refused("ops admin " S_ADMIN "\nweb search " S_SEARCH "\nops search " S_OTHER "\n",
                  "%s:3: the name ops is taken already (line 1)", NULL);
    check_refused("ops admin " S_ADMIN "\n# x\nweb search " S_ADMIN "\n",
                  "%s:3: key web has the same secret as key ops (line 1)", NULL);
}

static void test_mode_must_shut_out_group_and_others(void)
{
    char path[32];
    if (t_temp_file(path, STANDARD) != 0) {
        CHECK(0);
        return;
    }
    static const unsigned bad[] = {0644, 0640, 0604, 0602, 0620, 0601, 0610};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        chmod(path, bad[i]);
        idx_keys *k = NULL;
        idx_err err;
        idx_err_clear(&err);
        CHECK_INT(idx_keys_load(path, &k, &err), IDX_EINVAL);
        CHECK(k == NULL);
        char mode[16], fix[64];
        snprintf(mode, sizeof mode, "mode %04o", bad[i]);
        snprintf(fix, sizeof fix, "chmod 600 %s", path);
        CHECK(strstr(err.msg, path) && strstr(err.msg, mode) && strstr(err.msg, fix));
        check_no_secret(err.msg, NULL);
    }
    static const unsigned good[] = {0600, 0400, 0700};
    for (size_t i = 0; i < sizeof good / sizeof *good; i++) {
        chmod(path, good[i]);
        idx_keys *k = NULL;
        CHECK_INT(idx_keys_load(path, &k, NULL), IDX_OK);
        CHECK_INT(idx_keys_count(k), 3);
        idx_keys_free(k);
    }
    remove(path);
    idx_keys *k = NULL;
    idx_err err;
    idx_err_clear(&err);
    CHECK_INT(idx_keys_load(path, &k, &err), IDX_EIO);
    CHECK(strstr(err.msg, path) != NULL);
    idx_err_clear(&err);
    CHECK_INT(idx_keys_load("/tmp", &k, &err), IDX_EINVAL); /* a directory */
    CHECK(k == NULL);
}

static void test_parse_from_memory(void)
{
    idx_keys *k = NULL;
    idx_err err;
    idx_err_clear(&err);
    CHECK_INT(idx_keys_parse("mem", STANDARD, sizeof STANDARD - 1, &k, &err), IDX_OK);
    CHECK_INT(idx_keys_count(k), 3);
    idx_keys_free(k);
    /* a NUL inside a line is a bad byte, not the end of the text */
    static const char nul[] = "ops admin secretsecret\0secret\n";
    idx_err_clear(&err);
    CHECK_INT(idx_keys_parse("mem", nul, sizeof nul - 1, &k, &err), IDX_EINVAL);
    CHECK(strstr(err.msg, "mem:1: the secret (field 3) holds a byte") != NULL);
}

/* ---- plain keys ---- */

static void check_not_found(const idx_keys *k, const char *p, size_t n)
{
    idx_key_auth a;
    idx_err err;
    idx_err_clear(&err);
    memset(&a, 0x5a, sizeof a);
    CHECK_INT(idx_keys_check(k, p, n, NOW, &a, &err), IDX_ENOTFOUND);
    CHECK(a.role == IDX_ROLE_NONE && a.name == NULL && a.filter == NULL && a.expires == 0);
    CHECK(err.msg[0]);
    check_no_secret(err.msg, NULL);
}

static void test_check_plain_keys(void)
{
    idx_keys *k = standard();
    if (!k) return;
    idx_key_auth a;
    idx_err err;
    idx_err_clear(&err);
    CHECK_INT(idx_keys_check(k, S_ADMIN, strlen(S_ADMIN), NOW, &a, &err), IDX_OK);
    CHECK_INT(a.role, IDX_ROLE_ADMIN);
    CHECK_STR(a.name, "ops");
    CHECK(a.filter == NULL && a.expires == 0);
    CHECK_INT(idx_keys_check(k, S_SEARCH, strlen(S_SEARCH), NOW, &a, &err), IDX_OK);
    CHECK_INT(a.role, IDX_ROLE_SEARCH);
    CHECK_STR(a.name, "web");
    CHECK_INT(idx_keys_check(k, S_OTHER, strlen(S_OTHER), NOW, &a, &err), IDX_OK);
    CHECK_STR(a.name, "app.v2");
    check_not_found(k, S_STRAY, strlen(S_STRAY));
    check_not_found(k, S_ADMIN, strlen(S_ADMIN) - 1);               /* a prefix */
    check_not_found(k, S_ADMIN "x", strlen(S_ADMIN) + 1);           /* longer */
    check_not_found(k, "x" S_ADMIN, strlen(S_ADMIN) + 1);
    check_not_found(k, "", 0);
    check_not_found(k, "ops", 3);                                   /* a name is no key */
    char big[5000];
    memset(big, 'a', sizeof big);
    check_not_found(k, big, sizeof big);
    idx_keys_free(k);
}

/* ---- scoped keys ---- */

static size_t b64url(const unsigned char *in, size_t n, char *out)
{
    static const char a[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    size_t o = 0, bits = 0;
    unsigned acc = 0;
    for (size_t i = 0; i < n; i++) {
        acc = acc << 8 | in[i];
        bits += 8;
        while (bits >= 6) out[o++] = a[(acc >> (bits -= 6)) & 63];
    }
    if (bits) out[o++] = a[(acc << (6 - bits)) & 63];
    out[o] = '\0';
    return o;
}

/* A scoped key with payload json, signed with secret (made here, not by keys.c). */
static char *forge(const char *json, const char *secret)
{
    static char key[8192];
    size_t n = strlen("idxs1_");
    memcpy(key, "idxs1_", n);
    n += b64url((const unsigned char *)json, strlen(json), key + n);
    unsigned char mac[32];
    unsigned len;
    HMAC(EVP_sha256(), secret, (int)strlen(secret), (unsigned char *)key, n, mac, &len);
    key[n++] = '.';
    b64url(mac, 32, key + n);
    return key;
}

/* "p" of a secret */
static const char *pid(const char *secret)
{
    static char hex[17];
    unsigned char d[32];
    SHA256((const unsigned char *)secret, strlen(secret), d);
    for (int i = 0; i < 8; i++) snprintf(hex + 2 * i, 3, "%02x", d[i]);
    return hex;
}

/* key must be refused as a bad scoped key, the message holding want. */
static void check_bad_scoped(const idx_keys *k, const char *key, size_t n, const char *want)
{
    idx_key_auth a;
    idx_err err;
    idx_err_clear(&err);
    memset(&a, 0x5a, sizeof a);
    CHECK_INT(idx_keys_check(k, key, n, NOW, &a, &err), IDX_EINVAL);
    CHECK(a.role == IDX_ROLE_NONE && a.name == NULL && a.filter == NULL && a.expires == 0);
    if (!strstr(err.msg, want)) fprintf(stderr, "  got:  %s\n  want: %s\n", err.msg, want);
    CHECK(strstr(err.msg, want) != NULL);
    CHECK_STR(err.where, "keys.check");
    check_no_secret(err.msg, NULL);
}

static void check_forged(const idx_keys *k, const char *json, const char *secret, const char *want)
{
    const char *key = forge(json, secret);
    check_bad_scoped(k, key, strlen(key), want);
}

static void test_scoped_round_trip(void)
{
    idx_keys *k = standard();
    if (!k) return;
    const char *filter = "source:新华社 -title:\"体育 新闻\" \\ \t";
    char *key = NULL;
    idx_err err;
    idx_err_clear(&err);
    CHECK_INT(idx_key_scope(S_OTHER, strlen(S_OTHER), filter, NOW + 3600, &key, &err), IDX_OK);
    CHECK(key && strncmp(key, "idxs1_", 6) == 0 && strlen(key) <= IDX_KEY_MAX_BYTES);
    CHECK(key && !strstr(key, S_OTHER));
    idx_key_auth a;
    CHECK_INT(idx_keys_check(k, key, strlen(key), NOW, &a, &err), IDX_OK);
    CHECK_INT(a.role, IDX_ROLE_SEARCH);
    CHECK_STR(a.name, "app.v2");
    CHECK_STR(a.filter, filter);
    CHECK_INT(a.expires, NOW + 3600);
    free(a.filter);
    /* the same as made independently here */
    char json[256];
    snprintf(json, sizeof json,
             "{\"p\":\"%s\",\"f\":\"source:新华社 -title:\\\"体育 新闻\\\" \\\\ \\t\",\"e\":%lld}",
             pid(S_OTHER), NOW + 3600);
    CHECK_STR(key, forge(json, S_OTHER));
    free(key);
    /* the other search key is a parent too, and comes back by name */
    CHECK_INT(idx_key_scope(S_SEARCH, strlen(S_SEARCH), "x", NOW + 1, &key, &err), IDX_OK);
    CHECK_INT(idx_keys_check(k, key, strlen(key), NOW, &a, &err), IDX_OK);
    CHECK_STR(a.name, "web");
    CHECK_STR(a.filter, "x");
    free(a.filter);
    free(key);
    idx_keys_free(k);
}

static void test_scoped_filter_limits(void)
{
    idx_keys *k = standard();
    if (!k) return;
    char f[IDX_KEY_FILTER_MAX + 2];
    memset(f, 'q', sizeof f);
    f[IDX_KEY_FILTER_MAX] = '\0';
    char *key = NULL;
    CHECK_INT(idx_key_scope(S_SEARCH, strlen(S_SEARCH), f, NOW + 1, &key, NULL), IDX_OK);
    idx_key_auth a;
    CHECK_INT(idx_keys_check(k, key, strlen(key), NOW, &a, NULL), IDX_OK);
    CHECK(a.filter && strlen(a.filter) == IDX_KEY_FILTER_MAX);
    free(a.filter);
    free(key);
    f[IDX_KEY_FILTER_MAX] = 'q', f[IDX_KEY_FILTER_MAX + 1] = '\0';
    idx_err err;
    idx_err_clear(&err);
    CHECK_INT(idx_key_scope(S_SEARCH, strlen(S_SEARCH), f, NOW + 1, &key, &err), IDX_EINVAL);
    CHECK(key == NULL && strstr(err.msg, "filter"));
    /* 1024 control characters escape to 6 bytes each: a key over 4096 */
    memset(f, '\x01', IDX_KEY_FILTER_MAX), f[IDX_KEY_FILTER_MAX] = '\0';
    idx_err_clear(&err);
    CHECK_INT(idx_key_scope(S_SEARCH, strlen(S_SEARCH), f, NOW + 1, &key, &err), IDX_EINVAL);
    CHECK(key == NULL && strstr(err.msg, "over 4096"));
    /* one over the filter limit, validly signed: refused by the checker too */
    char json[IDX_KEY_FILTER_MAX + 128];
    memset(f, 'q', IDX_KEY_FILTER_MAX + 1), f[IDX_KEY_FILTER_MAX + 1] = '\0';
    snprintf(json, sizeof json, "{\"p\":\"%s\",\"f\":\"%s\",\"e\":%lld}", pid(S_SEARCH), f, NOW + 9);
    check_forged(k, json, S_SEARCH, "filter is not 1 to 1024 bytes");
    idx_keys_free(k);
}

static void test_scoped_tampered(void)
{
    idx_keys *k = standard();
    if (!k) return;
    char *key = NULL;
    CHECK_INT(idx_key_scope(S_SEARCH, strlen(S_SEARCH), "source:a", NOW + 60, &key, NULL), IDX_OK);
    if (!key) return;
    char *dot = strchr(key, '.');
    /* another payload (a wider filter, a later expiry) under the old signature */
    char json[128], *forged;
    snprintf(json, sizeof json, "{\"p\":\"%s\",\"f\":\"source:b\",\"e\":%lld}", pid(S_SEARCH), NOW + 60);
    forged = forge(json, S_SEARCH);
    strcpy(strchr(forged, '.'), dot);
    check_bad_scoped(k, forged, strlen(forged), "signature does not match");
    snprintf(json, sizeof json, "{\"p\":\"%s\",\"f\":\"source:a\",\"e\":%lld}", pid(S_SEARCH), NOW + 9999);
    forged = forge(json, S_SEARCH);
    strcpy(strchr(forged, '.'), dot);
    check_bad_scoped(k, forged, strlen(forged), "signature does not match");
    /* one character of the signature changed (the first: all 6 bits count) */
    dot[1] = dot[1] == 'A' ? 'B' : 'A';
    check_bad_scoped(k, key, strlen(key), "signature does not match");
    /* the signature cut or lengthened */
    free(key);
    CHECK_INT(idx_key_scope(S_SEARCH, strlen(S_SEARCH), "source:a", NOW + 60, &key, NULL), IDX_OK);
    size_t n = strlen(key);
    check_bad_scoped(k, key, n - 1, "signature is not 43 base64url characters");
    char longer[2048];
    snprintf(longer, sizeof longer, "%sA", key);
    check_bad_scoped(k, longer, n + 1, "signature is not 43 base64url characters");
    /* a byte of the payload flipped */
    key[8] ^= 1;
    idx_key_auth a;
    CHECK(idx_keys_check(k, key, n, NOW, &a, NULL) == IDX_EINVAL);
    free(key);
    idx_keys_free(k);
}

static void test_scoped_wrong_or_admin_parent(void)
{
    idx_keys *k = standard();
    if (!k) return;
    char *key = NULL;
    /* from a secret in no file */
    CHECK_INT(idx_key_scope(S_STRAY, strlen(S_STRAY), "a", NOW + 60, &key, NULL), IDX_OK);
    check_bad_scoped(k, key, strlen(key), "not derived from a search key");
    free(key);
    /* from the admin key: refused */
    CHECK_INT(idx_key_scope(S_ADMIN, strlen(S_ADMIN), "a", NOW + 60, &key, NULL), IDX_OK);
    check_bad_scoped(k, key, strlen(key), "not derived from a search key");
    free(key);
    /* naming a search key as parent but signed with another secret */
    char json[128];
    snprintf(json, sizeof json, "{\"p\":\"%s\",\"f\":\"a\",\"e\":%lld}", pid(S_SEARCH), NOW + 60);
    check_forged(k, json, S_OTHER, "signature does not match");
    check_forged(k, json, S_ADMIN, "signature does not match");
    idx_keys_free(k);
}

static void test_scoped_expired(void)
{
    idx_keys *k = standard();
    if (!k) return;
    char *key = NULL;
    long long e = 1801440000; /* 2027-02-01T00:00:00Z */
    CHECK_INT(idx_key_scope(S_SEARCH, strlen(S_SEARCH), "a", e, &key, NULL), IDX_OK);
    idx_key_auth a;
    CHECK_INT(idx_keys_check(k, key, strlen(key), e - 1, &a, NULL), IDX_OK);
    free(a.filter);
    idx_err err;
    idx_err_clear(&err);
    CHECK_INT(idx_keys_check(k, key, strlen(key), e, &a, &err), IDX_EINVAL);
    CHECK_STR(err.msg, "the scoped key expired at 2027-02-01T00:00:00Z");
    CHECK(a.filter == NULL && a.name == NULL);
    idx_err_clear(&err);
    CHECK_INT(idx_keys_check(k, key, strlen(key), e + 86400 * 365, &a, &err), IDX_EINVAL);
    CHECK(strstr(err.msg, "expired") != NULL);
    free(key);
    idx_keys_free(k);
}

static void test_scoped_bad_payloads(void)
{
    idx_keys *k = standard();
    if (!k) return;
    char json[256];
    const char *p = pid(S_SEARCH);
    static const char *const members[] = {
        "{\"p\":\"%s\",\"f\":\"a\"}",                              /* e missing */
        "{\"p\":\"%s\",\"f\":\"a\",\"e\":1900000000,\"x\":1}",     /* a fourth member */
        "{\"p\":\"%s\",\"f\":\"a\",\"g\":1900000000}",             /* e misnamed */
        "{\"p\":\"%s\",\"f\":\"a\",\"f\":\"b\",\"e\":1900000000}", /* duplicate */
    };
    for (size_t i = 0; i < sizeof members / sizeof *members; i++) {
        snprintf(json, sizeof json, members[i], p);
        check_forged(k, json, S_SEARCH, i == 3 ? "not a JSON object" : "exactly p, f and e");
    }
    snprintf(json, sizeof json, "{\"p\":\"%.15s\",\"f\":\"a\",\"e\":1900000000}", p);
    check_forged(k, json, S_SEARCH, "p is not 16 hex digits");
    snprintf(json, sizeof json, "{\"p\":\"%.15sG\",\"f\":\"a\",\"e\":1900000000}", p);
    check_forged(k, json, S_SEARCH, "p is not 16 hex digits");
    check_forged(k, "{\"p\":\"ABCDEF0123456789\",\"f\":\"a\",\"e\":1900000000}", S_SEARCH,
                 "p is not 16 hex digits");
    check_forged(k, "{\"p\":7,\"f\":\"a\",\"e\":1900000000}", S_SEARCH, "p is not 16 hex digits");
    snprintf(json, sizeof json, "{\"p\":\"%s\",\"f\":\"\",\"e\":1900000000}", p);
    check_forged(k, json, S_SEARCH, "filter is not 1 to 1024 bytes");
    snprintf(json, sizeof json, "{\"p\":\"%s\",\"f\":[\"a\"],\"e\":1900000000}", p);
    check_forged(k, json, S_SEARCH, "filter is not 1 to 1024 bytes");
    snprintf(json, sizeof json, "{\"p\":\"%s\",\"f\":\"a\\u0000b\",\"e\":1900000000}", p);
    check_forged(k, json, S_SEARCH, "not a JSON object"); /* jansson refuses \u0000 */
    snprintf(json, sizeof json, "{\"p\":\"%s\",\"f\":\"a\xff\",\"e\":1900000000}", p);
    check_forged(k, json, S_SEARCH, "not a JSON object"); /* not UTF-8 */
    snprintf(json, sizeof json, "{\"p\":\"%s\",\"f\":\"a\",\"e\":\"1900000000\"}", p);
    check_forged(k, json, S_SEARCH, "expiry is not a time");
    snprintf(json, sizeof json, "{\"p\":\"%s\",\"f\":\"a\",\"e\":1900000000.0}", p);
    check_forged(k, json, S_SEARCH, "expiry is not a time");
    snprintf(json, sizeof json, "{\"p\":\"%s\",\"f\":\"a\",\"e\":-5}", p);
    check_forged(k, json, S_SEARCH, "expiry is not a time");
    snprintf(json, sizeof json, "{\"p\":\"%s\",\"f\":\"a\",\"e\":253402300800}", p);
    check_forged(k, json, S_SEARCH, "expiry is not a time");
    snprintf(json, sizeof json, "{\"p\":\"%s\",\"f\":\"a\",\"e\":99999999999999999999}", p);
    check_forged(k, json, S_SEARCH, "not a JSON object");
    snprintf(json, sizeof json, "{\"p\":\"%s\",\"f\":\"a\",\"e\":1900000000}x", p);
    check_forged(k, json, S_SEARCH, "not a JSON object");
    check_forged(k, "[1,2,3]", S_SEARCH, "not a JSON object");
    check_forged(k, "\"str\"", S_SEARCH, "not a JSON object");
    /* valid after all, spaced as jansson would not write it */
    snprintf(json, sizeof json, "{ \"e\" : 1900000000 , \"f\":\"a\", \"p\":\"%s\" }", p);
    const char *key = forge(json, S_SEARCH);
    idx_key_auth a;
    CHECK_INT(idx_keys_check(k, key, strlen(key), NOW, &a, NULL), IDX_OK);
    CHECK_INT(a.expires, 1900000000);
    free(a.filter);
    idx_keys_free(k);
}

static void test_scoped_garbage(void)
{
    idx_keys *k = standard();
    if (!k) return;
    check_bad_scoped(k, "idxs1_", 6, "no '.'");
    check_bad_scoped(k, "idxs1_abcd", 10, "no '.'");
    check_bad_scoped(k, "idxs1_.", 7, "signature is not 43");
    const char *sig = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"; /* 43 */
    char key[8192];
    snprintf(key, sizeof key, "idxs1_.%s", sig);
    check_bad_scoped(k, key, strlen(key), "payload is not base64url");
    snprintf(key, sizeof key, "idxs1_eyJ@.%s", sig);
    check_bad_scoped(k, key, strlen(key), "payload is not base64url");
    snprintf(key, sizeof key, "idxs1_eyJwIjo=.%s", sig); /* padding */
    check_bad_scoped(k, key, strlen(key), "payload is not base64url");
    snprintf(key, sizeof key, "idxs1_eyJwI+o/.%s", sig); /* plain base64's characters */
    check_bad_scoped(k, key, strlen(key), "payload is not base64url");
    snprintf(key, sizeof key, "idxs1_eyJwI.%s", sig); /* 5 characters: one dangles */
    check_bad_scoped(k, key, strlen(key), "payload is not base64url");
    snprintf(key, sizeof key, "idxs1_eB.%s", sig); /* unused low bits set: not canonical */
    check_bad_scoped(k, key, strlen(key), "payload is not base64url");
    snprintf(key, sizeof key, "idxs1_eA.%s", sig); /* canonical "x": but no JSON object */
    check_bad_scoped(k, key, strlen(key), "not a JSON object");
    snprintf(key, sizeof key, "idxs1_eA.%.42sB", sig); /* the signature's last bits set */
    check_bad_scoped(k, key, strlen(key), "signature is not 43");
    snprintf(key, sizeof key, "idxs1_eA.%.42s=", sig);
    check_bad_scoped(k, key, strlen(key), "signature is not 43");
    snprintf(key, sizeof key, "idxs1_eA.eA.%s", sig); /* two dots */
    check_bad_scoped(k, key, strlen(key), "signature is not 43");
    snprintf(key, sizeof key, "idxs1_eA.%.20s.%.22s", sig, sig);
    check_bad_scoped(k, key, strlen(key), "signature is not 43");
    memset(key, 'A', sizeof key);
    memcpy(key, "idxs1_", 6);
    check_bad_scoped(k, key, IDX_KEY_MAX_BYTES + 1, "over 4096 bytes");
    check_bad_scoped(k, key, sizeof key, "over 4096 bytes");
    /* a NUL inside: the length counts, not the NUL */
    char *good = NULL;
    CHECK_INT(idx_key_scope(S_SEARCH, strlen(S_SEARCH), "a", NOW + 60, &good, NULL), IDX_OK);
    size_t n = strlen(good);
    memcpy(key, good, n + 1);
    key[10] = '\0';
    idx_key_auth a;
    CHECK_INT(idx_keys_check(k, key, n, NOW, &a, NULL), IDX_EINVAL);
    CHECK_INT(idx_keys_check(k, good, n, NOW, &a, NULL), IDX_OK);
    free(a.filter);
    free(good);
    /* "idxs" without the rest is just an unknown plain key */
    check_not_found(k, "idxs1", 5);
    check_not_found(k, "idxs2_abc.def", 13);
    idx_keys_free(k);
}

static void test_scope_refuses_bad_input(void)
{
    char *key = (char *)1;
    idx_err err;
    idx_err_clear(&err);
    CHECK_INT(idx_key_scope("short", 5, "a", NOW, &key, &err), IDX_EINVAL);
    CHECK(key == NULL && !strstr(err.msg, "short"));
    idx_err_clear(&err);
    CHECK_INT(idx_key_scope("has a space in it ok", 20, "a", NOW, &key, &err), IDX_EINVAL);
    idx_err_clear(&err);
    CHECK_INT(idx_key_scope("idxs1_abcdefghijklmnop", 22, "a", NOW, &key, &err), IDX_EINVAL);
    CHECK(strstr(err.msg, "cannot be scoped again") != NULL);
    idx_err_clear(&err);
    CHECK_INT(idx_key_scope(S_SEARCH, strlen(S_SEARCH), "", NOW, &key, &err), IDX_EINVAL);
    CHECK_INT(idx_key_scope(S_SEARCH, strlen(S_SEARCH), NULL, NOW, &key, NULL), IDX_EINVAL);
    CHECK_INT(idx_key_scope(S_SEARCH, strlen(S_SEARCH), "a\xc3", NOW, &key, NULL), IDX_EINVAL);
    CHECK_INT(idx_key_scope(S_SEARCH, strlen(S_SEARCH), "a", 0, &key, NULL), IDX_EINVAL);
    CHECK_INT(idx_key_scope(S_SEARCH, strlen(S_SEARCH), "a", -1, &key, NULL), IDX_EINVAL);
    CHECK_INT(idx_key_scope(S_SEARCH, strlen(S_SEARCH), "a", 253402300800LL, &key, NULL), IDX_EINVAL);
    CHECK_INT(idx_key_scope(S_SEARCH, strlen(S_SEARCH), "a", 253402300799LL, &key, NULL), IDX_OK);
    free(key);
}

static void test_random_secrets(void)
{
    char a[64], b[64];
    idx_err err;
    idx_err_clear(&err);
    CHECK_INT(idx_key_random(a, sizeof a, &err), IDX_OK);
    CHECK_INT(idx_key_random(b, sizeof b, &err), IDX_OK);
    CHECK_INT(strlen(a), IDX_KEY_RANDOM_LEN);
    CHECK(strcmp(a, b) != 0);
    CHECK_INT(strspn(a, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"),
              IDX_KEY_RANDOM_LEN);
    CHECK_INT(idx_key_random(a, IDX_KEY_RANDOM_LEN, &err), IDX_EINVAL);
    /* one is a good secret in a keys file, and checks */
    char text[128], path[32];
    snprintf(text, sizeof text, "fresh search %s\n", b);
    idx_keys *k;
    CHECK_INT(load_text(text, path, &k, &err), IDX_OK);
    idx_key_auth au;
    CHECK_INT(idx_keys_check(k, b, strlen(b), NOW, &au, NULL), IDX_OK);
    CHECK_STR(au.name, "fresh");
    idx_keys_free(k);
}

static void test_role_names(void)
{
    CHECK_INT(idx_key_role("admin", 5), IDX_ROLE_ADMIN);
    CHECK_INT(idx_key_role("search", 6), IDX_ROLE_SEARCH);
    CHECK_INT(idx_key_role("searc", 5), IDX_ROLE_NONE);
    CHECK_INT(idx_key_role("admins", 6), IDX_ROLE_NONE);
    CHECK_STR(idx_key_role_name(IDX_ROLE_ADMIN), "admin");
    CHECK_STR(idx_key_role_name(IDX_ROLE_SEARCH), "search");
    CHECK_STR(idx_key_role_name(IDX_ROLE_NONE), "none");
    CHECK(idx_key_name_ok("a", 1) && !idx_key_name_ok("", 0) && !idx_key_name_ok("a b", 3));
}

int main(void)
{
    TEST(test_load_good_file);
    TEST(test_limits_of_names_and_secrets);
    TEST(test_bad_lines_named_file_line);
    TEST(test_no_keys_is_an_error);
    TEST(test_duplicates_refused);
    TEST(test_mode_must_shut_out_group_and_others);
    TEST(test_parse_from_memory);
    TEST(test_check_plain_keys);
    TEST(test_scoped_round_trip);
    TEST(test_scoped_filter_limits);
    TEST(test_scoped_tampered);
    TEST(test_scoped_wrong_or_admin_parent);
    TEST(test_scoped_expired);
    TEST(test_scoped_bad_payloads);
    TEST(test_scoped_garbage);
    TEST(test_scope_refuses_bad_input);
    TEST(test_random_secrets);
    TEST(test_role_names);
    TEST_SUMMARY();
}
