/* html.h - an HTML page as plain text for the page cleaner (clean.h), read
 * with libxml2's HTML parser (Debian's libxml2): script, style, noscript and
 * the like dropped, comments dropped, entities decoded, the page's declared
 * charset converted to UTF-8, and every block element (p, div, br, h1, li,
 * td, ...) on lines of its own, so the cleaner sees the page's paragraphs as
 * lines.  Of <head>, only <title> is kept. */
#ifndef IDX_HTML_H
#define IDX_HTML_H
#include <stddef.h>
#include "buf.h"
#include "err.h"

/* Append the text of html[0..n) to out.  IDX_EINVAL when libxml2 cannot read
 * it at all, IDX_ENOMEM. */
int idx_html_text(const char *html, size_t n, idx_buf *out, idx_err *err);

#endif
