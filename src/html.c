/* html.c - see html.h.  Three steps: the page's bytes as UTF-8 (page_utf8:
 * a BOM, the declared charset, else idx_clean_decode), libxml2's HTML parser
 * over them with the declaration ignored (HTML_PARSE_IGNORE_ENC) and the
 * depth capped at IDX_HTML_MAX_DEPTH, and an iterative walk of the tree into
 * lines (no recursion, so no depth of its own to cut content at). */
#include "html.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

#include <libxml/HTMLparser.h>
#include <libxml/parserInternals.h>
#include <libxml/tree.h>

#include "clean.h"

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

/* Where the walk stands: inside how many <head> and <title> elements (in
 * <head> only the <title> is text). */
typedef struct walker {
    idx_buf *out;
    int heads, titles;
} walker;

/* Enter element n; 0 when its content is skipped. */
static int enter(walker *w, const xmlNode *n)
{
    const char *name = (const char *)n->name;
    if (skipped(name)) return 0;
    if (block(name)) newline(w->out);
    if (strcasecmp(name, "head") == 0) w->heads++;
    if (strcasecmp(name, "title") == 0) w->titles++;
    return 1;
}

static void leave(walker *w, const xmlNode *n)
{
    const char *name = (const char *)n->name;
    if (strcasecmp(name, "head") == 0) w->heads--;
    if (strcasecmp(name, "title") == 0) w->titles--;
    if (block(name)) newline(w->out);
}

/* The text of root and its following siblings, in document order. */
static void walk(xmlNode *root, idx_buf *out)
{
    walker w = {.out = out};
    xmlNode *top = root ? root->parent : NULL, *n = root;
    while (n) {
        int down = 0;
        if (n->type == XML_TEXT_NODE || n->type == XML_CDATA_SECTION_NODE) {
            if (n->content && !(w.heads && !w.titles)) text(out, (const char *)n->content);
        } else if (n->type == XML_ELEMENT_NODE && n->name && enter(&w, n)) {
            if (n->children) down = 1;
            else leave(&w, n);
        }
        if (down) {
            n = n->children;
            continue;
        }
        while (n && !n->next) { /* up to the first ancestor with a next sibling */
            n = n->parent;
            if (!n || n == top) return;
            leave(&w, n); /* only entered elements have children walked */
        }
        n = n->next;
    }
}

/* ---- the charset ---- */

/* s[i..) starts with word, ignoring case? */
static int at_word(const char *s, size_t n, size_t i, const char *word)
{
    size_t m = strlen(word);
    return n - i >= m && strncasecmp(s + i, word, m) == 0;
}

/* The value after key= in s[i..end) (quotes, spaces allowed) into cs; 1
 * when found. */
static int value_after(const char *s, size_t i, size_t end, const char *key, char *cs,
                       size_t cap)
{
    for (; i < end; i++) {
        if (!at_word(s, end, i, key)) continue;
        size_t j = i + strlen(key);
        while (j < end && isspace((unsigned char)s[j])) j++;
        if (j >= end || s[j] != '=') continue;
        j++;
        while (j < end && (isspace((unsigned char)s[j]) || s[j] == '"' || s[j] == '\'')) j++;
        size_t k = 0;
        while (j < end && k + 1 < cap &&
               (isalnum((unsigned char)s[j]) || strchr("-_.:", s[j]) != NULL))
            cs[k++] = (char)tolower((unsigned char)s[j++]);
        cs[k] = '\0';
        if (k) return 1;
    }
    return 0;
}

/* The charset the page declares in its first 64 KiB (lower case, "" when
 * none): an <?xml ... encoding=?> at the start, else the first <meta> with
 * a charset (<meta charset=X>, <meta http-equiv content="...; charset=X">). */
static void declared_charset(const char *s, size_t n, char *cs, size_t cap)
{
    cs[0] = '\0';
    if (n > 65536) n = 65536;
    if (at_word(s, n, 0, "<?xml")) {
        const char *e = memchr(s, '>', n);
        if (e && value_after(s, 5, (size_t)(e - s), "encoding", cs, cap)) return;
    }
    for (size_t i = 0; i + 5 < n; i++) {
        if (s[i] != '<' || !at_word(s, n, i + 1, "meta") ||
            !(isspace((unsigned char)s[i + 5]) || s[i + 5] == '/'))
            continue;
        const char *e = memchr(s + i, '>', n - i);
        size_t end = e ? (size_t)(e - s) : n;
        if (value_after(s, i + 5, end, "charset", cs, cap)) return;
        i = end;
    }
}

static int is_utf8_name(const char *cs)
{
    return strcmp(cs, "utf-8") == 0 || strcmp(cs, "utf8") == 0;
}

/* The GB family, read as GB18030: its superset (a "gb2312" page often holds
 * GBK characters). */
static int is_gb_name(const char *cs)
{
    static const char *const gb[] = {"gb2312",  "gbk",    "gb18030",  "x-gbk",     "cp936",
                                     "ms936",   "euc-cn", "csgb2312", "gb_2312-80", "windows-936"};
    for (size_t i = 0; i < sizeof gb / sizeof *gb; i++)
        if (strcmp(cs, gb[i]) == 0) return 1;
    return 0;
}

/* The page html[0..n) as UTF-8 in *t, *tn (into html itself or into buf). */
static int page_utf8(const char *html, size_t n, idx_buf *buf, const char **t, size_t *tn,
                     idx_err *err)
{
    const unsigned char *u = (const unsigned char *)html;
    if (n >= 2 && ((u[0] == 0xFF && u[1] == 0xFE) || (u[0] == 0xFE && u[1] == 0xFF))) {
        int rc = idx_clean_convert("UTF-16", html, n, buf, err); /* the BOM says which */
        *t = buf->data ? buf->data : "";
        *tn = buf->len;
        return rc;
    }
    char cs[64];
    declared_charset(html, n, cs, sizeof cs);
    if ((n >= 3 && u[0] == 0xEF && u[1] == 0xBB && u[2] == 0xBF) || !cs[0] || is_utf8_name(cs))
        return idx_clean_decode(html, n, buf, t, tn, NULL, err); /* UTF-8, else GB18030 */
    /* a declared charset; a page that is not what it says may still be
     * UTF-8 or GB18030 (idx_clean_decode: all of it, or refused) */
    const char *from = is_gb_name(cs) ? "GB18030" : cs;
    idx_err cerr;
    idx_err_clear(&cerr);
    int rc = idx_clean_convert(from, html, n, buf, &cerr);
    if (rc == IDX_OK) {
        *t = buf->data ? buf->data : "";
        *tn = buf->len;
        return IDX_OK;
    }
    if (rc == IDX_ENOMEM) return idx_err_set(err, IDX_ENOMEM, "html", "out of memory");
    idx_err derr;
    idx_err_clear(&derr);
    rc = idx_clean_decode(html, n, buf, t, tn, NULL, &derr);
    if (rc == IDX_OK) return IDX_OK;
    if (rc == IDX_ENOMEM) return idx_err_set(err, rc, derr.where, "%s", derr.msg);
    return idx_err_set(err, IDX_EUTF8, "html", "%s (it declares charset=%s), nor UTF-8 or GB18030",
                       cerr.msg, cs);
}

int idx_html_text(const char *html, size_t n, idx_buf *out, idx_err *err)
{
    if (n > (size_t)0x7fffffff) return idx_err_set(err, IDX_ETOOBIG, "html", "HTML page too large");
    idx_buf utf8;
    idx_buf_init(&utf8);
    const char *t;
    size_t tn;
    int rc = page_utf8(html, n, &utf8, &t, &tn, err);
    if (rc) {
        idx_buf_fini(&utf8);
        return rc;
    }
    /* the depth libxml2 builds before it stops (process-wide, and read by
     * nodePush in libxml2 2.9: idx parses no other XML) */
    xmlParserMaxDepth = IDX_HTML_MAX_DEPTH;
    htmlParserCtxtPtr ctxt = htmlNewParserCtxt();
    if (!ctxt) {
        idx_buf_fini(&utf8);
        return idx_err_set(err, IDX_ENOMEM, "html", "out of memory");
    }
    /* recover from bad markup, no network, no error output; the bytes are
     * UTF-8 already, whatever the page declares */
    htmlDocPtr doc = htmlCtxtReadMemory(ctxt, t, (int)tn, NULL, "UTF-8",
                                        HTML_PARSE_RECOVER | HTML_PARSE_NOERROR |
                                            HTML_PARSE_NOWARNING | HTML_PARSE_NONET |
                                            HTML_PARSE_NOBLANKS | HTML_PARSE_IGNORE_ENC);
    idx_buf_fini(&utf8);
    /* stopped before the end (too deep, out of memory): what it read is a
     * truncated page, not the page */
    if (ctxt->disableSAX || ctxt->errNo == XML_ERR_NO_MEMORY) {
        const char *m = ctxt->lastError.message ? ctxt->lastError.message : "";
        if (ctxt->errNo == XML_ERR_NO_MEMORY)
            rc = idx_err_set(err, IDX_ENOMEM, "html", "out of memory");
        else if (strstr(m, "depth"))
            rc = idx_err_set(err, IDX_EINVAL, "html",
                             "elements nested deeper than %d levels: not read", IDX_HTML_MAX_DEPTH);
        else
            rc = idx_err_set(err, IDX_EINVAL, "html", "libxml2 stopped reading the page: %.*s",
                             (int)strcspn(m, "\n"), m);
    } else if (!doc) {
        rc = idx_err_set(err, IDX_EINVAL, "html", "not an HTML page libxml2 can read");
    }
    if (!rc) walk(xmlDocGetRootElement(doc), out);
    if (doc) xmlFreeDoc(doc);
    htmlFreeParserCtxt(ctxt);
    if (!rc && out->oom) rc = idx_err_set(err, IDX_ENOMEM, "html", "out of memory");
    return rc;
}
