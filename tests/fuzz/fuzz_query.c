/* fuzz_query.c - libFuzzer target: the query language parser, synonym-free,
 * then building the Xapian query from the tree.  Any input must either
 * parse (possibly with a warning) and build, or fail with a code. */
#include <stdint.h>
#include <stdlib.h>

#include "query.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    idx_qtree pq;
    idx_err err;
    idx_err_clear(&err);
    int rc = idx_qtree_parse((const char *)data, size, IDX_TOKENIZE_FOLD_T2S, &pq, &err);
    if (rc == IDX_OK) {
        if (pq.root < 0) abort();
        idx_query_opts o = {.title_weight = 2.0, .tokflags = IDX_TOKENIZE_FOLD_T2S};
        idx_xq *q = NULL;
        if (idx_query_build(&pq, &o, &q, &err) == IDX_OK && !q) abort();
        idx_xq_free(q);
    } else if (!err.msg[0]) {
        abort(); /* every failure says why */
    }
    idx_qtree_fini(&pq);
    return 0;
}
