/* fuzz_keys.c - libFuzzer target: API keys (keys.h).  Every input is
 * (1) presented to idx_keys_check as a key, against a fixed key set,
 * (2) read as a keys file by idx_keys_parse, and (3) when it can be a
 * filter, made into a scoped key and checked back.
 * Invariants: a presented key is accepted only as one of the set's (a
 * plain secret gives its own key, a scoped key a search key's name and a
 * filter of 1 to 1024 bytes of UTF-8 with an expiry in the future); a
 * refusal is ENOTFOUND or EINVAL with a message, *out left zero; no
 * message holds a secret of the set; an accepted keys file has valid names
 * and roles; a scoped key round-trips its filter and expiry. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "keys.h"
#include "utf8.h"

#define S_ADMIN "admin-secret-0123456789abcdef"
#define S_SEARCH "search-secret-0123456789abcdef"
#define NOW 1800000000LL

static const char SET[] = "ops admin " S_ADMIN "\n"
                          "web search " S_SEARCH "\n";

static const idx_keys *key_set(void)
{
    static idx_keys *k;
    if (!k && idx_keys_parse("set", SET, sizeof SET - 1, &k, NULL) != IDX_OK) abort();
    return k;
}

static void no_secret(const char *msg)
{
    if (strstr(msg, S_ADMIN) || strstr(msg, S_SEARCH)) abort();
}

static void check_presented(const idx_keys *k, const char *s, size_t n)
{
    idx_key_auth a;
    idx_err err;
    idx_err_clear(&err);
    int rc = idx_keys_check(k, s, n, NOW, &a, &err);
    no_secret(err.msg);
    if (rc != IDX_OK) {
        if ((rc != IDX_ENOTFOUND && rc != IDX_EINVAL) || !err.msg[0] || a.role || a.name ||
            a.filter || a.expires)
            abort();
        return;
    }
    if (!a.filter) { /* a plain key: exactly one of the set's secrets */
        int admin = n == strlen(S_ADMIN) && memcmp(s, S_ADMIN, n) == 0;
        int search = n == strlen(S_SEARCH) && memcmp(s, S_SEARCH, n) == 0;
        if (!(admin ? a.role == IDX_ROLE_ADMIN && strcmp(a.name, "ops") == 0
                    : search && a.role == IDX_ROLE_SEARCH && strcmp(a.name, "web") == 0) ||
            a.expires)
            abort();
        return;
    }
    size_t fl = strlen(a.filter);
    if (a.role != IDX_ROLE_SEARCH || strcmp(a.name, "web") != 0 || !fl || fl > IDX_KEY_FILTER_MAX ||
        !idx_utf8_valid(a.filter, fl, NULL) || a.expires <= NOW || n > IDX_KEY_MAX_BYTES ||
        strncmp(s, IDX_KEY_SCOPED_PREFIX, strlen(IDX_KEY_SCOPED_PREFIX)) != 0)
        abort();
    free(a.filter);
}

static void check_file(const char *s, size_t n)
{
    idx_keys *k = NULL;
    idx_err err;
    idx_err_clear(&err);
    if (idx_keys_parse("f", s, n, &k, &err) != IDX_OK) {
        if (k || !err.msg[0] || strncmp(err.msg, "f:", 2) != 0) abort();
        return;
    }
    if (!idx_keys_count(k)) abort();
    for (size_t i = 0; i < idx_keys_count(k); i++) {
        int role = IDX_ROLE_NONE;
        const char *name = idx_keys_name(k, i, &role);
        if (!name || !idx_key_name_ok(name, strlen(name)) ||
            (role != IDX_ROLE_ADMIN && role != IDX_ROLE_SEARCH))
            abort();
    }
    idx_keys_free(k);
}

static void check_round_trip(const idx_keys *k, const char *s, size_t n)
{
    if (!n || n > IDX_KEY_FILTER_MAX || memchr(s, '\0', n) || !idx_utf8_valid(s, n, NULL)) return;
    char *filter = strndup(s, n), *key = NULL;
    if (!filter) abort();
    long long expires = NOW + 1 + (long long)(n * 977);
    int rc = idx_key_scope(S_SEARCH, strlen(S_SEARCH), filter, expires, &key, NULL);
    if (rc == IDX_OK) { /* refused only when escaping makes it too long */
        idx_key_auth a, late;
        if (idx_keys_check(k, key, strlen(key), NOW, &a, NULL) != IDX_OK ||
            strcmp(a.filter, filter) != 0 || a.expires != expires || strcmp(a.name, "web") != 0 ||
            idx_keys_check(k, key, strlen(key), expires, &late, NULL) != IDX_EINVAL || late.filter)
            abort();
        free(a.filter);
    } else if (rc != IDX_EINVAL || key) {
        abort();
    }
    free(key);
    free(filter);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const idx_keys *k = key_set();
    const char *s = (const char *)data;
    check_presented(k, s, size);
    check_file(s, size);
    check_round_trip(k, s, size);
    return 0;
}
