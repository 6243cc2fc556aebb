/* fuzz_clean.c - libFuzzer target: the scraped-page cleaner (clean.h) on any
 * bytes; when the first byte is odd, the rest goes through the HTML reader
 * (html.h, libxml2) first; when it is even and has bit 2 set, the rest is
 * read as UTF-8 or GB18030 first (idx_clean_decode).  Invariants: what
 * either gives is valid UTF-8; a page is cleaned or refused with a message; the body
 * and headline are valid UTF-8 and the body is made of the page's own lines;
 * a date, when found, is ISO 8601 that idx reads back.  When the first byte
 * has bit 1 set, the input is also cut at form feeds into the pages of one
 * site (idx_site), and the page is cleaned with that site's evidence. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "clean.h"
#include "html.h"
#include "isodate.h"
#include "utf8.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *s = (const char *)data;
    idx_cleaned c;
    idx_err err;
    idx_err_clear(&err);
    idx_buf plain;
    idx_buf_init(&plain);
    if (size > 0 && (data[0] & 1)) {
        if (idx_html_text(s + 1, size - 1, &plain, &err) != IDX_OK) {
            if (!err.msg[0]) abort();
            idx_buf_fini(&plain);
            return 0;
        }
        s = plain.data ? plain.data : "";
        size = plain.len;
        if (!idx_utf8_valid(s, size, NULL)) abort();
    } else if (size > 0 && (data[0] & 4)) {
        const char *t;
        size_t tn;
        if (idx_clean_decode(s + 1, size - 1, &plain, &t, &tn, NULL, &err) != IDX_OK) {
            if (!err.msg[0]) abort();
            idx_buf_fini(&plain);
            return 0;
        }
        if (!idx_utf8_valid(t, tn, NULL)) abort();
        s = t;
        size = tn;
    }
    idx_site *site = NULL;
    if (size > 0 && (data[0] & 2) && idx_site_new(&site, &err) == IDX_OK) {
        for (size_t a = 0; a < size;) {
            const char *ff = memchr(s + a, '\f', size - a);
            size_t e = ff ? (size_t)(ff - s) : size;
            idx_err perr;
            idx_err_clear(&perr);
            if (idx_site_add(site, s + a, e - a, &perr) != IDX_OK && !perr.msg[0]) abort();
            a = e + 1;
        }
    }
    if (idx_clean_page(s, size, site, &c, &err) == IDX_OK) {
        if (!c.body || !idx_utf8_valid(c.body, strlen(c.body), NULL)) abort();
        if (c.title && !idx_utf8_valid(c.title, strlen(c.title), NULL)) abort();
        if (strlen(c.body) > size) abort();
        idx_date d;
        if (c.date && idx_date_parse(c.date, strlen(c.date), &d, NULL) != IDX_OK) abort();
    } else if (!err.msg[0]) {
        abort();
    }
    idx_cleaned_fini(&c);
    idx_site_free(site);
    idx_buf_fini(&plain);
    return 0;
}
