/* fuzz_clean.c - libFuzzer target: the scraped-page cleaner (clean.h) on any
 * bytes; when the first byte is odd, the rest goes through the HTML reader
 * (html.h, libxml2) first.  Invariants: a page is cleaned or refused with a message; the body
 * and headline are valid UTF-8 and the body is made of the page's own lines;
 * a date, when found, is ISO 8601 that idx reads back. */
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
    }
    if (idx_clean_text(s, size, &c, &err) == IDX_OK) {
        if (!c.body || !idx_utf8_valid(c.body, strlen(c.body), NULL)) abort();
        if (c.title && !idx_utf8_valid(c.title, strlen(c.title), NULL)) abort();
        if (strlen(c.body) > size) abort();
        idx_date d;
        if (c.date && idx_date_parse(c.date, strlen(c.date), &d, NULL) != IDX_OK) abort();
    } else if (!err.msg[0]) {
        abort();
    }
    idx_cleaned_fini(&c);
    idx_buf_fini(&plain);
    return 0;
}
