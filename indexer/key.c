/* key.c - `idx key`: making idxd's API keys (keys.h) on the command line.
 *
 *   idx key new NAME ROLE     one line `NAME ROLE SECRET` with a fresh random
 *                             secret, to append to idxd's keys file
 *   idx key scope --key SEARCHKEY --filter QUERY --expires WHEN
 *                             a scoped key: searches with it are ANDed with
 *                             QUERY, and it stops working at WHEN
 *
 * Nothing here reads the keys file or talks to idxd: a scoped key is made
 * from the search key's secret alone, and idxd checks it.  WHEN is an ISO
 * date (valid through that day, UTC: the key ends at the next midnight UTC),
 * a date-time with Z or an offset, or +Nd / +Nh from now.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "idx.h"
#include "isodate.h"
#include "keys.h"
#include "qtree.h"

#define MAX_DAYS 36500 /* +Nd: about a hundred years */

static int key_new(const idx_opts *o)
{
    if (o->nargs != 3) {
        idx_die_msg("key new: give NAME and ROLE (idx key new NAME admin|search)");
        return EXIT_USAGE;
    }
    const char *name = o->args[1], *role = o->args[2];
    if (!idx_key_name_ok(name, strlen(name))) {
        idx_die_msg("key new: the name must be 1 to %d of A-Z a-z 0-9 _ . -, got \"%s\"",
                    IDX_KEY_NAME_MAX, name);
        return EXIT_USAGE;
    }
    if (idx_key_role(role, strlen(role)) == IDX_ROLE_NONE) {
        idx_die_msg("key new: the role must be admin or search, got \"%s\"", role);
        return EXIT_USAGE;
    }
    char secret[64];
    idx_err err;
    idx_err_clear(&err);
    if (idx_key_random(secret, sizeof secret, &err) != IDX_OK) {
        idx_die_msg("key new: %s", err.msg);
        return EXIT_DB;
    }
    printf("%s %s %s\n", name, role, secret);
    memset(secret, 0, sizeof secret);
    return fflush(stdout) == 0 ? EXIT_OK : EXIT_DB;
}

/* +N followed by d or h: now plus that many days or hours.  0 or -1. */
static int parse_relative(const char *s, long long now, long long *out)
{
    char *end;
    if (s[0] != '+' || s[1] < '0' || s[1] > '9') return -1;
    unsigned long long v = strtoull(s + 1, &end, 10);
    if ((*end != 'd' && *end != 'h') || end[1] || v < 1) return -1;
    unsigned long long max = *end == 'd' ? MAX_DAYS : MAX_DAYS * 24ull;
    if (v > max) return -1;
    *out = now + (long long)v * (*end == 'd' ? 86400 : 3600);
    return 0;
}

/* --expires WHEN as Unix seconds.  Prints why not and returns -1. */
static int parse_expires(const char *s, long long now, long long *out)
{
    if (s[0] == '+') {
        if (parse_relative(s, now, out) == 0) return 0;
        idx_die_msg("--expires: expected +Nd or +Nh (N from 1, at most %d days), got \"%s\"",
                    MAX_DAYS, s);
        return -1;
    }
    idx_date d;
    idx_err err;
    idx_err_clear(&err);
    size_t n = strlen(s);
    if (idx_date_parse(s, n, &d, &err) != IDX_OK) {
        idx_die_msg("--expires: %s, or +Nd / +Nh", err.msg);
        return -1;
    }
    if (n == 10) { /* a date: valid through it, so until the next midnight UTC */
        *out = (long long)d.secs + 86400;
        return 0;
    }
    if (!d.zoned) {
        idx_die_msg("--expires: give the time's zone, Z or an offset (%sZ, %s+08:00)", s, s);
        return -1;
    }
    *out = (long long)d.secs - d.offset;
    return 0;
}

/* The filter must parse as a query as it is written, not as plain words. */
static int check_filter(const char *q)
{
    if (!*q) {
        idx_die_msg("--filter: the filter is empty");
        return -1;
    }
    idx_qtree t = {0};
    idx_err err;
    idx_err_clear(&err);
    int rc = idx_qtree_parse(q, strlen(q), 0, &t, &err);
    if (rc != IDX_OK) idx_die_msg("--filter: \"%s\": %s", q, err.msg);
    else if (t.warning[0]) idx_die_msg("--filter: \"%s\" must parse as written: %s", q, t.warning);
    int bad = rc != IDX_OK || t.warning[0];
    idx_qtree_fini(&t);
    return bad ? -1 : 0;
}

static int key_scope(const idx_opts *o)
{
    if (o->nargs != 1) {
        idx_die_msg("key scope: takes no operands (--key, --filter and --expires)");
        return EXIT_USAGE;
    }
    if (!o->key || !o->filter || !o->expires) {
        idx_die_msg("key scope: give --key SEARCHKEY (or $IDX_KEY), --filter QUERY and --expires WHEN");
        return EXIT_USAGE;
    }
    long long now = (long long)time(NULL), expires;
    if (check_filter(o->filter) || parse_expires(o->expires, now, &expires)) return EXIT_USAGE;
    if (expires <= now) {
        idx_die_msg("--expires: %s is in the past", o->expires);
        return EXIT_USAGE;
    }
    idx_err err;
    idx_err_clear(&err);
    char *k = NULL;
    if (idx_key_scope(o->key, strlen(o->key), o->filter, expires, &k, &err) != IDX_OK) {
        idx_die_msg("key scope: %s", err.msg);
        return err.rc == IDX_EINVAL ? EXIT_USAGE : EXIT_DB;
    }
    printf("%s\n", k);
    free(k);
    return fflush(stdout) == 0 ? EXIT_OK : EXIT_DB;
}

int idx_cmd_key(const idx_opts *o)
{
    const char *sub = o->nargs > 0 ? o->args[0] : "";
    if (strcmp(sub, "new") == 0) return key_new(o);
    if (strcmp(sub, "scope") == 0) return key_scope(o);
    idx_die_msg("key: expected new NAME ROLE, or scope --key K --filter Q --expires WHEN");
    return EXIT_USAGE;
}
