/* snippet.h - highlighted titles and body snippets for search hits.
 *
 * Matching uses the one tokenizer (DOCUMENT mode) against the parts of the
 * query tree (qtree.h), so a highlighted span is exactly what the index
 * matched: a query part of several tokens (南通开发区 -> 南通 通开 开发 发区)
 * is marked only where all its tokens occur at the same relative positions,
 * from the first token's first byte to the last token's last byte; a
 * one-character query marks that character; no character of a longer term
 * is ever marked on its own.
 * Overlapping or touching spans are merged, so the user sees
 * <mark>南通开发区</mark>, never <mark>南通</mark><mark>开发区</mark>.
 *
 * idx_snippet picks the window of about max_chars characters that covers the
 * most distinct query parts (then the most matches, then the earliest), starts
 * it after a sentence end (。！？；!?; or a line break) when one is close
 * before the first match, ends it at one when that keeps at least half the
 * window, and never cuts inside a character or a marked span.  "…" marks
 * each end where text was left out.  Runs of white space print as one space.
 * With no match the snippet is the start of the text.  With fragments N > 1
 * it picks up to N such windows that do not overlap, best first by the same
 * order (each window chosen among the matches the earlier ones leave out),
 * and prints them in text order joined by "…"; a window without a match is
 * never added, so a text with one match gets one window.
 *
 * Output is HTML: everything outside the marks is escaped (& < > " ').  Only
 * the first IDX_SNIPPET_SCAN_MAX bytes of a text are searched for matches,
 * which bounds the cost on very long articles; idx_highlight shows no more
 * than that either.
 */
#ifndef IDX_SNIPPET_H
#define IDX_SNIPPET_H

#include <stddef.h>

#include "buf.h"
#include "err.h"
#include "qtree.h"

#define IDX_SNIPPET_DEFAULT_CHARS 120
#define IDX_SNIPPET_MAX_CHARS 1000
#define IDX_SNIPPET_SCAN_MAX (64 * 1024)
#define IDX_SNIPPET_MAX_FRAGMENTS 5

typedef struct idx_hl_opts {
    size_t max_chars;         /* snippet window; 0 = IDX_SNIPPET_DEFAULT_CHARS */
    const char *open, *close; /* NULL = "<mark>", "</mark>" */
    int plain;                /* 1: no HTML escaping (terminal output) */
    unsigned fragments;       /* idx_snippet's windows, 1-IDX_SNIPPET_MAX_FRAGMENTS
                                 (0: one) */
} idx_hl_opts;

/* Append the whole of text[0..n), highlighted, to out (at most its first
 * IDX_SNIPPET_SCAN_MAX bytes, then "…").  q NULL: nothing is marked; opts
 * may be NULL.  Returns IDX_OK, IDX_EUTF8 or IDX_ENOMEM. */
int idx_highlight(const idx_qtree *q, const char *text, size_t n, const idx_hl_opts *opts,
                  idx_buf *out, idx_err *err);

/* Append the best snippet of text[0..n) (an article body: title: parts are
 * not marked in it), highlighted, to out.  q NULL: the start of the text,
 * nothing marked; opts may be NULL.  Returns IDX_OK, IDX_EUTF8 or
 * IDX_ENOMEM. */
int idx_snippet(const idx_qtree *q, const char *text, size_t n, const idx_hl_opts *opts,
                idx_buf *out, idx_err *err);

#endif
