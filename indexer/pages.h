/* pages.h - raw scraped pages as article records (pages.c). */
#ifndef IDX_PAGES_H
#define IDX_PAGES_H
#include <stddef.h>
#include "clean.h"
#include "err.h"

/* The whole file at path (at most IDX_CLEAN_MAX_BYTES); *text malloc'd. */
int idx_page_read(const char *path, char **text, size_t *n, idx_err *err);
/* Is the page HTML?  By --format (IDX_FORMAT_*), else by its name (.html,
 * .htm), else by its start (<!doctype html or <html). */
int idx_page_is_html(const char *path, const char *text, size_t n, int format);
/* The cleaned article of a page (HTML when html) as one compact JSON object
 * (malloc'd, free), with the evidence of its site (may be NULL); source and
 * url (may be NULL) override what the page says.  The page's bytes may be
 * UTF-8 or GB18030 (idx_clean_decode; HTML: idx_html_text).  IDX_EINVAL when
 * the page holds no article or no body (a headline alone), or when its HTML
 * cannot be read whole; IDX_EUTF8 when its charset cannot be settled. */
int idx_page_json(const char *text, size_t n, int html, const idx_site *site, const char *source,
                  const char *url, char **out, idx_err *err);
/* The regular files at path: itself, or those under a directory (name order,
 * hidden ones skipped).  Free with idx_page_files_free. */
int idx_page_files(const char *path, char ***files, size_t *n, idx_err *err);
void idx_page_files_free(char **files, size_t n);
/* What file, one of idx_page_files(arg), is.  arg itself (a file named on
 * the command line) is a page: the command was told so.  A file found in a
 * directory is sorted by its name first: .jsonl or .ndjson, plain or .gz or
 * .zst, is JSON Lines whatever format says; .txt, .html or .htm is a page;
 * then under --format text or html every file is a page, else one that
 * starts like HTML is (idx_page_is_html).  Anything else is
 * IDX_PAGE_FILE_OTHER, *why (static) saying why, for "FILE: skipped: WHY". */
enum { IDX_PAGE_FILE_PAGE, IDX_PAGE_FILE_JSONL, IDX_PAGE_FILE_OTHER };
int idx_page_file_kind(const char *arg, const char *file, int format, const char **why);

/* The sites of the pages at paths (files or directories, walked; of these
 * only the pages, idx_page_file_kind): one per directory, each learnt from
 * all its pages (idx_site_add).  Unreadable
 * pages are skipped here (they are reported when cleaned).  *out owned by
 * the caller (idx_page_sites_free); IDX_ENOMEM only. */
typedef struct idx_page_sites idx_page_sites;
int idx_page_sites_learn(char *const *paths, size_t npaths, int format, idx_page_sites **out,
                         idx_err *err);
/* The site of a page file (NULL when ps is NULL or never saw its directory). */
const idx_site *idx_page_site_of(const idx_page_sites *ps, const char *file);
void idx_page_sites_free(idx_page_sites *ps); /* NULL ok */

#endif
