/* clean.h - a scraped news page (its text) into an article: the headline,
 * the publication date, the outlet when the page names it, and the body
 * paragraphs, without the site's navigation and footer.
 *
 * Lone-page evidence only (so far): the page is cut into lines, and each line
 * is weighed - prose (sentences: long, with sentence punctuation) counts for
 * the body, lines the site repeats on the page (a footer printed three
 * times), and lines with navigation/contact/licence signals (联系我们, 欢迎来到,
 * ICP备, 电话:, 地址:, Copyright, ...) count against; short lines cost a little
 * (so a sub-heading between paragraphs stays in).  The body is the run of
 * lines with the highest total weight (a maximum-sum segment).  The date is
 * the first date before the body (发布日期/发布时间/时间/日期 labels, or a bare
 * date; 2022-05-18, 2022/05/18, 2022年5月18日, with a time when given), the
 * headline the line closest above the body that the page also repeats (as on
 * a breadcrumb) or, failing that, the nearest plausible line above the date,
 * the outlet a "来源:" line.
 */
#ifndef IDX_CLEAN_H
#define IDX_CLEAN_H
#include <stddef.h>
#include "err.h"

#define IDX_CLEAN_MAX_BYTES (4 * 1024 * 1024)

typedef struct idx_cleaned {
    char *title;  /* NULL when none was found */
    char *date;   /* ISO 8601 ("2022-05-18" or "2022-05-18T10:30:00"), or NULL */
    char *source; /* from a 来源: line, or NULL */
    char *body;   /* paragraphs joined by "\n" ("" when none) */
} idx_cleaned;

/* Clean text[0..n) (UTF-8).  IDX_EUTF8 naming the byte offset of invalid
 * UTF-8, IDX_ETOOBIG over IDX_CLEAN_MAX_BYTES, IDX_ENOMEM.  The caller frees
 * with idx_cleaned_fini (also after an error). */
int idx_clean_text(const char *text, size_t n, idx_cleaned *out, idx_err *err);
void idx_cleaned_fini(idx_cleaned *c);

#endif
