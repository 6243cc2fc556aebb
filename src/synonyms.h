/* synonyms.h - synonym groups and their query-time expansion.
 *
 * File format: UTF-8, one group per line, members separated by white space
 * (a member may not contain spaces); blank lines and lines starting with '#'
 * are skipped.  Example:
 *     新冠 新型冠状病毒 COVID-19
 * A query part equal to any member (same tokens at the same relative
 * positions, after the database's normalization) becomes the OR of every
 * member of its group (idx_synonyms_expand), and each member is
 * highlighted.  A member may belong to several groups.  Expansion works on
 * the query tree (qtree.h), before the Xapian query is built (query.h):
 *     新冠 疫苗  ->  AND(OR(新冠, 新型冠状病毒, COVID-19), 疫苗)
 */
#ifndef IDX_SYNONYMS_H
#define IDX_SYNONYMS_H

#include <stddef.h>

#include "err.h"
#include "qtree.h"

#define IDX_SYNONYM_KEYS 8

typedef struct idx_synonyms {
    char **members;     /* all members, NUL-terminated, owned; a group's
                           members are consecutive */
    size_t *group;      /* members[i] belongs to group group[i] */
    char **key[IDX_SYNONYM_KEYS]; /* members[i] tokenized (QUERY mode) as a
                           string of "term@relpos" items, under the flags of
                           index: folded t2s or not, with the run gap of
                           index format 2 or not, letters split from digits
                           or not */
    size_t nmembers, ngroups;
} idx_synonyms;

/* Load path; *out owned by the caller (idx_synonyms_free).  Errors name the
 * file and line: IDX_EIO (unreadable), IDX_EUTF8, IDX_EINVAL (a group with
 * one member), IDX_ETOOBIG (over 100,000 members), IDX_ENOMEM. */
int idx_synonyms_load(const char *path, idx_synonyms **out, idx_err *err);
/* One group of the n members members[i][0..lens[i]) (at least two), as if
 * loaded from a file of that one line; *out owned by the caller.  Errors as
 * for a file ("query expansion" named in place of its path). */
int idx_synonyms_group(const char *const *members, const size_t *lens, size_t n,
                       idx_synonyms **out, idx_err *err);
void idx_synonyms_free(idx_synonyms *s);

/* Replace every TEXT node of t equal to a member by the OR of the members of
 * every group holding it (each distinct spelling once), and recompute
 * t->parts so every member is highlighted.  syn may be NULL (nothing to do).
 * A member that no longer fits (IDX_QUERY_MAX_TERMS) stops the expansion
 * there: the query is kept as far as it was expanded, not failed.
 * IDX_OK or IDX_ENOMEM. */
int idx_synonyms_expand(idx_qtree *t, const idx_synonyms *syn, idx_err *err);

#endif
