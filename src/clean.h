/* clean.h - a scraped news page (its text) into an article: the headline,
 * the publication date, the outlet when the page names it, and the body
 * paragraphs, without the site's navigation and footer.
 *
 * The page is cut into lines, and each line is weighed.  Prose (20+
 * characters with sentence punctuation) counts for the body.  Against it
 * count: blocks of lines the page repeats (a footer printed three times; a
 * short line repeated on its own, like a speaker tag 【同期】 before quotes,
 * is the body's), and lines with navigation/contact/licence signals (联系我们,
 * 欢迎来到, ICP备, 电话:, 地址:, Copyright, ...; weak ones that prose also
 * uses, 注册, 上一篇, only on short lines that are not sentences).  Short
 * lines cost a little, so a sub-heading between paragraphs stays in.  The
 * body is the run of lines with the highest total weight (a maximum-sum
 * segment), widened over a short line between the headline/date and it
 * ("本台消息：") and over closing sentences after it ("杨洁篪等参加会见。").
 * The date is the nearest date line above the body, labelled ones first
 * (发布日期/发布时间/时间/日期, or a bare date; 2022-05-18, 2022/05/18,
 * 2022年5月18日, with a time when given; a sentence that names a date is
 * prose, not a date line).  The headline is the closest plausible line above
 * the date (not a byline, not labelled metadata), unless a line up to
 * TITLE_ECHO_LINES further up is echoed by another (a breadcrumb ends with
 * it, an HTML <title> starts with it).  The outlet is a "来源:" line.
 *
 * Evidence across the pages of a site (idx_site): lines that recur on many
 * of its pages - its navigation, sidebars, "about us" blurb and footer, even
 * those written as sentences and free of the signals above - are its
 * template: they weigh against the body like a signal line; those on
 * IDX_SITE_TEMPLATE_SHARE of the pages are a headline only as a last resort
 * (a column's headline, 国内联播快讯, recurs too).  A line is template when
 * the site has at least IDX_SITE_MIN_PAGES pages and the line is on at least
 * IDX_SITE_MIN_LINE_PAGES of them and on IDX_SITE_SHARE of them.  Should
 * that leave a page without a body (the site holds copies of the very
 * article), the page is cleaned on its own evidence.  Dates are still read
 * from template lines (a day's pages share "发布日期: 2022-05-18").
 */
#ifndef IDX_CLEAN_H
#define IDX_CLEAN_H
#include <stddef.h>
#include <stdint.h>
#include "buf.h"
#include "err.h"

#define IDX_CLEAN_MAX_BYTES (4 * 1024 * 1024)

typedef struct idx_cleaned {
    char *title;  /* NULL when none was found */
    char *date;   /* ISO 8601 ("2022-05-18" or "2022-05-18T10:30:00"), or NULL */
    char *source; /* from a 来源: line, or NULL */
    char *body;   /* paragraphs joined by "\n" ("" when none) */
} idx_cleaned;

#define IDX_SITE_MIN_PAGES 4
#define IDX_SITE_MIN_LINE_PAGES 3
#define IDX_SITE_SHARE 0.3
#define IDX_SITE_TEMPLATE_SHARE 0.6 /* a headline candidate only as a last resort */

/* The lines of a site's pages (owned by the caller: idx_site_free). */
typedef struct idx_site idx_site;
int idx_site_new(idx_site **out, idx_err *err);
void idx_site_free(idx_site *s); /* NULL ok */
/* Learn one page's text (as it will be cleaned, a leading byte-order mark
 * skipped; each distinct line counted once per page).  IDX_EUTF8,
 * IDX_ENOMEM. */
int idx_site_add(idx_site *s, const char *text, size_t n, idx_err *err);
size_t idx_site_pages(const idx_site *s);

/* ---- a page's bytes as UTF-8 (before cleaning) ----
 * A page that is not UTF-8 is read as GB18030 (the superset of GBK and
 * GB2312 that Chinese sites write) when that reading takes every byte, and
 * refused otherwise: never guessed at, so no mojibake is indexed.  Bytes
 * that are mostly UTF-8 with a few bad ones are damaged UTF-8, not GBK, and
 * refused too. */

/* The bytes text[0..n) as UTF-8: *t, *tn point into text itself when it is
 * UTF-8 (after a leading byte-order mark), else into buf (reset first),
 * holding its GB18030 reading; *gb (may be NULL) says which.  IDX_EUTF8
 * naming the first byte that is not UTF-8 when neither reading holds,
 * IDX_ENOMEM.  *t is valid while text and buf are. */
int idx_clean_decode(const char *text, size_t n, idx_buf *buf, const char **t, size_t *tn,
                     int *gb, idx_err *err);
/* Append s[0..n), in charset cs (a name glibc's iconv knows: gbk, big5,
 * shift_jis, ...) to out as UTF-8.  IDX_EINVAL when cs is unknown, IDX_EUTF8
 * naming the byte where s stops being cs (out then holds what came before),
 * IDX_ENOMEM. */
int idx_clean_convert(const char *cs, const char *s, size_t n, idx_buf *out, idx_err *err);

/* Clean text[0..n) (UTF-8; a leading byte-order mark is skipped) with the
 * evidence of its site (NULL: the page alone).  IDX_EUTF8 naming the byte
 * offset of invalid UTF-8, IDX_ETOOBIG over IDX_CLEAN_MAX_BYTES, IDX_ENOMEM.
 * The caller frees with idx_cleaned_fini (also after an error). */
int idx_clean_page(const char *text, size_t n, const idx_site *site, idx_cleaned *out,
                   idx_err *err);
/* The page alone: idx_clean_page(text, n, NULL, out, err). */
int idx_clean_text(const char *text, size_t n, idx_cleaned *out, idx_err *err);
void idx_cleaned_fini(idx_cleaned *c);

#endif
