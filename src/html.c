/* html.c - see html.h. */
#include "html.h"

#include <string.h>
#include <strings.h>

#include <libxml/HTMLparser.h>
#include <libxml/tree.h>

/* Elements whose text is never article text. */
static int skipped(const char *name)
{
    static const char *const skip[] = {"script", "style", "noscript", "template", "iframe", "svg",
                                       "object", "embed", "select", "canvas", "math"};
    for (size_t i = 0; i < sizeof skip / sizeof *skip; i++)
        if (strcasecmp(name, skip[i]) == 0) return 1;
    return 0;
}

/* Elements that start and end a line of text. */
static int block(const char *name)
{
    static const char *const blocks[] = {
        "p",     "div",    "br",     "h1",      "h2",         "h3",   "h4",      "h5",   "h6",
        "li",    "ul",     "ol",     "tr",      "td",         "th",   "table",   "section",
        "article", "header", "footer", "nav",   "aside",      "main", "blockquote", "pre",
        "title", "dd",     "dt",     "dl",      "form",       "hr",   "figure",  "figcaption",
        "address", "center", "body",  "html",   "caption",    "tbody", "thead",  "tfoot"};
    for (size_t i = 0; i < sizeof blocks / sizeof *blocks; i++)
        if (strcasecmp(name, blocks[i]) == 0) return 1;
    return 0;
}

static void newline(idx_buf *out)
{
    if (out->len && out->data[out->len - 1] != '\n') idx_buf_putc(out, '\n');
}

/* Text content with runs of HTML white space as one space. */
static void text(idx_buf *out, const char *s)
{
    int space = out->len && (out->data[out->len - 1] == ' ' || out->data[out->len - 1] == '\n');
    for (const char *p = s; *p; p++) {
        if (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r' || *p == '\f') {
            if (!space) idx_buf_putc(out, ' ');
            space = 1;
        } else {
            idx_buf_putc(out, *p);
            space = 0;
        }
    }
}

static void walk(xmlNode *n, idx_buf *out, int in_head, int depth)
{
    for (; n; n = n->next) {
        if (n->type == XML_TEXT_NODE || n->type == XML_CDATA_SECTION_NODE) {
            if (!in_head && n->content) text(out, (const char *)n->content);
            continue;
        }
        if (n->type != XML_ELEMENT_NODE || !n->name || depth > 512) continue;
        const char *name = (const char *)n->name;
        if (skipped(name)) continue;
        int head = strcasecmp(name, "head") == 0;
        int title = strcasecmp(name, "title") == 0;
        int b = block(name);
        if (b) newline(out);
        /* in <head> only the <title> is text */
        walk(n->children, out, (in_head || head) && !title, depth + 1);
        if (b) newline(out);
    }
}

int idx_html_text(const char *html, size_t n, idx_buf *out, idx_err *err)
{
    if (n > (size_t)0x7fffffff) return idx_err_set(err, IDX_ETOOBIG, "HTML page too large");
    /* recover from bad markup, no network, no error output; libxml2 reads the
     * page's <meta charset> and gives UTF-8 */
    htmlDocPtr doc = htmlReadMemory(html, (int)n, NULL, NULL,
                                    HTML_PARSE_RECOVER | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING |
                                        HTML_PARSE_NONET | HTML_PARSE_NOBLANKS);
    if (!doc) return idx_err_set(err, IDX_EINVAL, "not an HTML page libxml2 can read");
    walk(xmlDocGetRootElement(doc), out, 0, 0);
    xmlFreeDoc(doc);
    if (out->oom) return idx_err_set(err, IDX_ENOMEM, "[html] out of memory");
    return IDX_OK;
}
