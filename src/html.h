/* html.h - an HTML page as plain text for the page cleaner (clean.h), read
 * with libxml2's HTML parser (Debian's libxml2): script, style, noscript and
 * the like dropped, comments dropped, entities decoded, and every block
 * element (p, div, br, h1, li, td, ...) on lines of its own, so the cleaner
 * sees the page's paragraphs as lines.  Of <head>, only <title> is kept.
 *
 * The charset is settled before libxml2 sees the page, so what it is given
 * is always UTF-8 and nothing is guessed: a byte-order mark (UTF-8, UTF-16)
 * first, else the charset the page declares (<meta charset>, <meta
 * http-equiv content="...; charset=">, <?xml encoding=?>; GBK and GB2312 read
 * as their superset GB18030).  A page that declares none, or utf-8, and is
 * not UTF-8 is read as GB18030 when that takes every byte
 * (idx_clean_decode), as is one that is not the charset it declares but
 * UTF-8 or GB18030; anything else is refused (IDX_EUTF8), never indexed as
 * mojibake.
 *
 * Depth: libxml2 stops building a document nested deeper than its
 * xmlParserMaxDepth (256 by default, so a page inside 260 <div>s, or after
 * 260 unclosed <font>s, came out empty).  Unbounded (XML_PARSE_HUGE) is no
 * answer: every stray end tag costs a scan of the whole stack of open
 * elements, so 20 000 unclosed <font> and 100 000 stray </p> (half a
 * megabyte) take 6.6 s, and a 4 MB page of them minutes.  idx allows
 * IDX_HTML_MAX_DEPTH levels (the worst 4 MB page: about 3 s, against 1.6 s
 * at 256) and refuses a page nested deeper (IDX_EINVAL), as it refuses one
 * libxml2 stopped reading for any other reason, rather than clean what was
 * read before the stop.
 */
#ifndef IDX_HTML_H
#define IDX_HTML_H
#include <stddef.h>
#include "buf.h"
#include "err.h"

#define IDX_HTML_MAX_DEPTH 512

/* Append the text of html[0..n) to out.  IDX_EUTF8 when its charset cannot be
 * settled (above), IDX_EINVAL when libxml2 cannot read it at all or stopped
 * (deeper than IDX_HTML_MAX_DEPTH), IDX_ETOOBIG, IDX_ENOMEM; out may hold
 * part of the text after an error. */
int idx_html_text(const char *html, size_t n, idx_buf *out, idx_err *err);

#endif
