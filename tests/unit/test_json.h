/* test_json.h - JSON as the unit tests compare it: compact, with ' for "
 * so that expected values read as C strings without escapes.  Shared by the
 * tests of the query tree's rendering (test_qparse, test_synonyms) and of
 * whole search responses (test_search). */
#ifndef IDX_TEST_JSON_H
#define IDX_TEST_JSON_H

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>

/* j (NULL: out of memory) written into out[0..cap); returns out.  j is
 * left to the caller. */
static inline const char *t_json(const json_t *j, char *out, size_t cap)
{
    char *s = j ? json_dumps(j, JSON_COMPACT) : NULL;
    snprintf(out, cap, "%s", s ? s : "(out of memory)");
    for (char *c = out; *c; c++)
        if (*c == '"') *c = '\'';
    free(s);
    return out;
}

#endif
