/* fuzz_article.c - libFuzzer target: one JSON Lines record through the
 * article reader and, when it is accepted, the document builder. */
#include <stdint.h>
#include <stdlib.h>

#include "article.h"
#include "document.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    idx_article a;
    idx_err err;
    idx_err_clear(&err);
    if (idx_article_parse((const char *)data, size, &a, &err) != IDX_OK) {
        if (!err.msg[0]) abort();
        return 0;
    }
    idx_schema sc = {.format = IDX_FORMAT_MAX, .unigrams = IDX_UNIGRAMS_ALL, .fold = IDX_FOLD_T2S,
                     .words = IDX_WORDS_SPLIT};
    idx_xdoc *doc = NULL;
    idx_buf uid;
    idx_buf_init(&uid);
    if (idx_document_build(&a, &sc, &doc, &uid, &err) == IDX_OK && !doc) abort();
    idx_xdoc_free(doc);
    idx_buf_fini(&uid);
    idx_article_fini(&a);
    return 0;
}
