/* pages.h - raw scraped pages as article records (pages.c). */
#ifndef IDX_PAGES_H
#define IDX_PAGES_H
#include <stddef.h>
#include "err.h"

/* The whole file at path (at most IDX_CLEAN_MAX_BYTES); *text malloc'd. */
int idx_page_read(const char *path, char **text, size_t *n, idx_err *err);
/* Is the page HTML?  By --format (IDX_FORMAT_*), else by its name (.html,
 * .htm), else by its start (<!doctype html or <html). */
int idx_page_is_html(const char *path, const char *text, size_t n, int format);
/* The cleaned article of a page (HTML when html) as one compact JSON object
 * (malloc'd, free); source and url (may be NULL) override what the page says.
 * IDX_EINVAL when the page holds no article. */
int idx_page_json(const char *text, size_t n, int html, const char *source, const char *url,
                  char **out, idx_err *err);
/* The regular files at path: itself, or those under a directory (name order,
 * hidden ones skipped).  Free with idx_page_files_free. */
int idx_page_files(const char *path, char ***files, size_t *n, idx_err *err);
void idx_page_files_free(char **files, size_t n);

#endif
