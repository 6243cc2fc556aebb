/* synonyms.h - synonym groups for query-time expansion.
 *
 * File format: UTF-8, one group per line, members separated by white space
 * (a member may not contain spaces); blank lines and lines starting with '#'
 * are skipped.  Example:
 *     新冠 新型冠状病毒 COVID-19
 * A query part equal to any member (same tokens at the same relative
 * positions, after the database's normalization) becomes the OR of every
 * member of its group (idx_query_expand_synonyms in qparse.c), and each
 * member is highlighted.  A member may belong to several groups.
 */
#ifndef IDX_SYNONYMS_H
#define IDX_SYNONYMS_H

#include <stddef.h>

#include "err.h"
#include "query.h"

typedef struct idx_synonyms {
    char **members;     /* all members, NUL-terminated, owned; a group's
                           members are consecutive */
    size_t *group;      /* members[i] belongs to group group[i] */
    char **key[2];      /* members[i] tokenized (QUERY mode) as a string of
                           "term@relpos" items: [0] plain, [1] folded t2s */
    size_t nmembers, ngroups;
} idx_synonyms;

/* The comparison key of tokens toks[0..n) (as in idx_synonyms.key), malloc'd. */
char *idx_synonyms_key(const idx_qtoken *toks, size_t n);

/* Load path; *out owned by the caller (idx_synonyms_free).  Errors name the
 * file and line: IDX_EIO (unreadable), IDX_EUTF8, IDX_EINVAL (a group with
 * one member), IDX_ETOOBIG (over 100,000 members), IDX_ENOMEM. */
int idx_synonyms_load(const char *path, idx_synonyms **out, idx_err *err);
void idx_synonyms_free(idx_synonyms *s);

#endif
