/* test_lines.c - JSON Lines input: plain, gzip, zstd (lines.h).
 *
 * Each test writes its input to a mkstemp file under /tmp (compressed with
 * zlib's gz* API or ZSTD_compress), reads it back with idx_lines and removes
 * the file.  The whole sequence of lines is rendered as one string, each line
 * in brackets, so a lost '\r', a merged line or a missing last line shows.
 * A byte-order mark at the start of the text is not part of line 1.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include "buf.h"
#include "lines.h"
#include "test.h"

/* Create an empty temp file, its name written into path (at least 32 bytes);
 * returns the open descriptor (or -1). */
static int make_temp(char *path)
{
    strcpy(path, "/tmp/idx_test_lines_XXXXXX");
    int fd = mkstemp(path);
    CHECK(fd >= 0);
    return fd;
}

static void write_file(const char *path, const void *data, size_t n)
{
    FILE *f = fopen(path, "wb");
    CHECK(f != NULL);
    if (!f) return;
    CHECK_INT(fwrite(data, 1, n, f), n);
    fclose(f);
}

static void write_temp(char *path, const void *data, size_t n)
{
    int fd = make_temp(path);
    if (fd >= 0) close(fd);
    write_file(path, data, n);
}

/* Write one gzip member holding data to path (mode "wb", "wb1" or "ab"). */
static void gzip_member(const char *path, const char *mode, const char *data, size_t n)
{
    gzFile g = gzopen(path, mode);
    CHECK(g != NULL);
    if (!g) return;
    CHECK_INT(gzwrite(g, data, (unsigned)n), n);
    CHECK_INT(gzclose(g), Z_OK);
}

/* Read the whole file into a malloc'd buffer. */
static char *slurp(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    CHECK(f != NULL);
    if (!f) { *n = 0; return NULL; }
    idx_buf b;
    idx_buf_init(&b);
    char tmp[4096];
    size_t k;
    while ((k = fread(tmp, 1, sizeof tmp, f)) > 0) idx_buf_append(&b, tmp, k);
    fclose(f);
    return idx_buf_detach(&b, n);
}

/* Read every line of path as "[line]" joined (a line over 100 bytes as
 * "[<N bytes>]", a skipped one as "<toolong>"); returns the rendering (caller
 * frees), the last idx_lines_next result and the error.  Also checks that
 * idx_lines_lineno counts each returned line. */
static char *read_all(const char *path, int *last_rc, idx_err *err)
{
    idx_lines *r = NULL;
    idx_buf b;
    idx_buf_init(&b);
    idx_err_clear(err);
    *last_rc = IDX_LINES_ERROR;
    if (idx_lines_open(path, &r, err) != IDX_OK) return NULL;
    const char *line;
    size_t len;
    int rc;
    uint64_t want_lineno = 0;
    while ((rc = idx_lines_next(r, &line, &len, err)) == IDX_LINES_OK ||
           rc == IDX_LINES_TOOLONG) {
        want_lineno++;
        CHECK_INT(idx_lines_lineno(r), want_lineno);
        if (rc == IDX_LINES_TOOLONG) {
            idx_buf_append(&b, "<toolong>", 9);
        } else if (len > 100) {
            idx_buf_printf(&b, "[<%zu bytes>]", len);
        } else {
            idx_buf_putc(&b, '[');
            idx_buf_append(&b, line, len);
            idx_buf_putc(&b, ']');
        }
    }
    *last_rc = rc;
    idx_lines_close(r);
    char *res = strdup(idx_buf_cstr(&b));
    idx_buf_fini(&b);
    return res;
}

static void check_lines(const char *path, const char *want)
{
    int rc;
    idx_err err;
    char *got = read_all(path, &rc, &err);
    CHECK_INT(rc, IDX_LINES_EOF);
    CHECK_INT(err.rc, IDX_OK);
    CHECK_STR(got, want);
    free(got);
}

static void test_plain_lf_lines(void)
{
    char path[32];
    const char *s = "{\"id\":\"1\"}\n中文行\n\nlast\n";
    write_temp(path, s, strlen(s));
    check_lines(path, "[{\"id\":\"1\"}][中文行][][last]");
    unlink(path);
}

static void test_plain_crlf_lines_lose_cr(void)
{
    char path[32];
    const char *s = "a\r\nb\r\n\r\nc\r\n";
    write_temp(path, s, strlen(s));
    check_lines(path, "[a][b][][c]");
    unlink(path);
}

static void test_last_line_without_newline(void)
{
    char path[32];
    const char *s = "one\ntwo\r\nthree";
    write_temp(path, s, strlen(s));
    check_lines(path, "[one][two][three]");
    unlink(path);
}

static void test_last_line_without_newline_keeps_inner_cr(void)
{
    char path[32];
    const char *s = "a\rb\nc\r";
    write_temp(path, s, strlen(s));
    check_lines(path, "[a\rb][c]");
    unlink(path);
}

static void test_empty_file_has_no_lines(void)
{
    char path[32];
    write_temp(path, "", 0);
    check_lines(path, "");
    unlink(path);
}

static void test_single_newline_is_one_empty_line(void)
{
    char path[32];
    write_temp(path, "\n", 1);
    check_lines(path, "[]");
    unlink(path);
}

static void test_short_file_below_magic_length(void)
{
    char path[32];
    write_temp(path, "ab", 2);
    check_lines(path, "[ab]");
    unlink(path);
}

static void test_lineno_counts_returned_lines(void)
{
    char path[32];
    const char *s = "x\ny\nz";
    write_temp(path, s, strlen(s));
    idx_lines *r = NULL;
    idx_err err;
    idx_err_clear(&err);
    CHECK_INT(idx_lines_open(path, &r, &err), IDX_OK);
    const char *line;
    size_t len;
    CHECK_INT(idx_lines_lineno(r), 0);
    CHECK_INT(idx_lines_next(r, &line, &len, &err), IDX_LINES_OK);
    CHECK_INT(idx_lines_lineno(r), 1);
    CHECK_INT(idx_lines_next(r, &line, &len, &err), IDX_LINES_OK);
    CHECK_INT(idx_lines_lineno(r), 2);
    CHECK_INT(idx_lines_next(r, &line, &len, &err), IDX_LINES_OK);
    CHECK_INT(idx_lines_lineno(r), 3);
    CHECK_INT(len, 1);
    CHECK(memcmp(line, "z", 1) == 0);
    CHECK_INT(idx_lines_next(r, &line, &len, &err), IDX_LINES_EOF);
    CHECK_INT(idx_lines_lineno(r), 3);
    CHECK_INT(idx_lines_next(r, &line, &len, &err), IDX_LINES_EOF);
    idx_lines_close(r);
    unlink(path);
}

static void test_progress_reports_file_size(void)
{
    char path[32];
    const char *s = "abc\ndef\n";
    write_temp(path, s, strlen(s));
    idx_lines *r = NULL;
    idx_err err;
    idx_err_clear(&err);
    CHECK_INT(idx_lines_open(path, &r, &err), IDX_OK);
    const char *line;
    size_t len;
    while (idx_lines_next(r, &line, &len, &err) == IDX_LINES_OK) {}
    uint64_t done = 0, total = 0;
    idx_lines_progress(r, &done, &total);
    CHECK_INT(total, 8);
    CHECK_INT(done, 8);
    idx_lines_close(r);
    unlink(path);
}

static void test_gzip_file(void)
{
    char path[32];
    int fd = make_temp(path);
    if (fd >= 0) close(fd);
    const char *s = "{\"id\":\"g1\"}\r\n南通\nno newline";
    gzip_member(path, "wb", s, strlen(s));
    check_lines(path, "[{\"id\":\"g1\"}][南通][no newline]");
    unlink(path);
}

static void test_gzip_concatenated_members(void)
{
    char path[32];
    int fd = make_temp(path);
    if (fd >= 0) close(fd);
    gzip_member(path, "wb", "a\nb\n", 4);
    gzip_member(path, "ab", "c\nd", 3);
    gzip_member(path, "ab", "e\n", 2); /* "d" and "e" join: members are one stream */
    check_lines(path, "[a][b][c][de]");
    unlink(path);
}

static void test_gzip_empty_member(void)
{
    char path[32];
    int fd = make_temp(path);
    if (fd >= 0) close(fd);
    gzip_member(path, "wb", "", 0);
    gzip_member(path, "ab", "x\n", 2);
    check_lines(path, "[x]");
    unlink(path);
}

static void test_zstd_file(void)
{
    char path[32];
    const char *s = "{\"id\":\"z1\"}\n中文\r\nlast";
    size_t cap = ZSTD_compressBound(strlen(s));
    char *z = malloc(cap);
    size_t zn = ZSTD_compress(z, cap, s, strlen(s), 3);
    CHECK(!ZSTD_isError(zn));
    write_temp(path, z, zn);
    check_lines(path, "[{\"id\":\"z1\"}][中文][last]");
    free(z);
    unlink(path);
}

static void test_zstd_concatenated_frames(void)
{
    char path[32];
    size_t cap = ZSTD_compressBound(16) * 2;
    char *z = malloc(cap);
    size_t n1 = ZSTD_compress(z, cap, "a\nb\n", 4, 1);
    CHECK(!ZSTD_isError(n1));
    size_t n2 = ZSTD_compress(z + n1, cap - n1, "c\n", 2, 1);
    CHECK(!ZSTD_isError(n2));
    write_temp(path, z, n1 + n2);
    check_lines(path, "[a][b][c]");
    free(z);
    unlink(path);
}

/* A UTF-8 byte-order mark (an editor's, Windows Notepad's) starts the text:
 * it is not part of line 1, which would otherwise be invalid JSON at byte 3. */
static void test_plain_bom_skipped(void)
{
    char path[32];
    const char *s = "\xEF\xBB\xBF{\"id\":\"b1\"}\n{\"id\":\"b2\"}\n";
    write_temp(path, s, strlen(s));
    check_lines(path, "[{\"id\":\"b1\"}][{\"id\":\"b2\"}]");
    unlink(path);
}

static void test_bom_alone_is_no_line(void)
{
    char path[32];
    write_temp(path, "\xEF\xBB\xBF", 3);
    check_lines(path, "");
    unlink(path);
    write_temp(path, "\xEF\xBB\xBF\r\nx", 6);
    check_lines(path, "[][x]");
    unlink(path);
}

/* Only at the very start: a BOM further on is data (the JSON parser names
 * it), and two bytes of one are not a BOM. */
static void test_bom_only_at_start(void)
{
    char path[32];
    const char *s = "a\n\xEF\xBB\xBF" "b\n";
    write_temp(path, s, strlen(s));
    check_lines(path, "[a][\xEF\xBB\xBF" "b]");
    unlink(path);
    write_temp(path, "\xEF\xBB", 2);
    check_lines(path, "[\xEF\xBB]");
    unlink(path);
    s = "\xEF\xBB\xBF\xEF\xBB\xBF" "c";
    write_temp(path, s, strlen(s));
    check_lines(path, "[\xEF\xBB\xBF" "c]"); /* one BOM skipped, not every one */
    unlink(path);
}

/* Compressed input: the BOM is at the start of the decompressed text. */
static void test_gzip_bom_skipped(void)
{
    char path[32];
    int fd = make_temp(path);
    if (fd >= 0) close(fd);
    gzip_member(path, "wb", "\xEF\xBB\xBF{\"id\":\"g\"}\n", 13);
    check_lines(path, "[{\"id\":\"g\"}]");
    unlink(path);
    /* a first member that holds only part of the BOM's bytes still counts */
    fd = make_temp(path);
    if (fd >= 0) close(fd);
    gzip_member(path, "wb", "\xEF", 1);
    gzip_member(path, "ab", "\xBB\xBFx\n", 4);
    check_lines(path, "[x]");
    unlink(path);
}

static void test_zstd_bom_skipped(void)
{
    char path[32];
    const char *s = "\xEF\xBB\xBF{\"id\":\"z\"}\n";
    size_t cap = ZSTD_compressBound(strlen(s));
    char *z = malloc(cap);
    size_t zn = ZSTD_compress(z, cap, s, strlen(s), 3);
    CHECK(!ZSTD_isError(zn));
    write_temp(path, z, zn);
    check_lines(path, "[{\"id\":\"z\"}]");
    free(z);
    unlink(path);
}

/* Many lines, more than one read buffer (256 KiB) and one output buffer
 * (1 MiB) of text: no line is lost or split at a buffer edge. */
static void check_many_lines(const char *path)
{
    idx_lines *r = NULL;
    idx_err err;
    idx_err_clear(&err);
    CHECK_INT(idx_lines_open(path, &r, &err), IDX_OK);
    if (!r) return;
    const char *line;
    size_t len;
    int rc, i = 0, bad = 0;
    char want[64];
    while ((rc = idx_lines_next(r, &line, &len, &err)) == IDX_LINES_OK) {
        int k = snprintf(want, sizeof want, "{\"id\":\"%d\",\"title\":\"第%d条\"}", i, i);
        if (len != (size_t)k || memcmp(line, want, len) != 0) bad++;
        i++;
    }
    CHECK_INT(rc, IDX_LINES_EOF);
    CHECK_INT(bad, 0);
    CHECK_INT(i, 100000);
    CHECK_INT(idx_lines_lineno(r), 100000);
    idx_lines_close(r);
}

static char *many_lines_text(size_t *n)
{
    idx_buf b;
    idx_buf_init(&b);
    for (int i = 0; i < 100000; i++)
        idx_buf_printf(&b, "{\"id\":\"%d\",\"title\":\"第%d条\"}%s", i, i, i % 2 ? "\r\n" : "\n");
    return idx_buf_detach(&b, n);
}

static void test_plain_many_lines_across_buffers(void)
{
    char path[32];
    size_t n;
    char *s = many_lines_text(&n);
    write_temp(path, s, n);
    check_many_lines(path);
    free(s);
    unlink(path);
}

static void test_gzip_many_lines_across_buffers(void)
{
    char path[32];
    int fd = make_temp(path);
    if (fd >= 0) close(fd);
    size_t n;
    char *s = many_lines_text(&n);
    gzip_member(path, "wb", s, n);
    check_many_lines(path);
    free(s);
    unlink(path);
}

static void test_line_longer_than_output_buffer(void)
{
    char path[32];
    size_t big = 3u << 20; /* 3 MiB, beyond the initial 1 MiB buffer */
    char *s = malloc(big + 8);
    memset(s, 'x', big);
    memcpy(s + big, "\nend\n", 5);
    write_temp(path, s, big + 5);
    idx_lines *r = NULL;
    idx_err err;
    idx_err_clear(&err);
    CHECK_INT(idx_lines_open(path, &r, &err), IDX_OK);
    const char *line;
    size_t len;
    CHECK_INT(idx_lines_next(r, &line, &len, &err), IDX_LINES_OK);
    CHECK_INT(len, big);
    CHECK(len == big && line[0] == 'x' && line[big - 1] == 'x');
    CHECK_INT(idx_lines_next(r, &line, &len, &err), IDX_LINES_OK);
    CHECK_INT(len, 3);
    CHECK(memcmp(line, "end", 3) == 0);
    CHECK_INT(idx_lines_next(r, &line, &len, &err), IDX_LINES_EOF);
    idx_lines_close(r);
    free(s);
    unlink(path);
}

/* Write "first\n" + `big` 'y' bytes + "\nafter\n" to a temp file and return
 * the rendering of its lines. */
static char *read_with_big_line(size_t big, int *rc, idx_err *err)
{
    char path[32];
    char *s = malloc(big + 16);
    if (!s) return NULL;
    memcpy(s, "first\n", 6);
    memset(s + 6, 'y', big);
    memcpy(s + 6 + big, "\nafter\n", 7);
    write_temp(path, s, 6 + big + 7);
    free(s);
    char *got = read_all(path, rc, err);
    unlink(path);
    return got;
}

static void test_line_of_exactly_max_length_returned(void)
{
    int rc;
    idx_err err;
    char *got = read_with_big_line(IDX_LINES_MAX, &rc, &err);
    char want[64];
    snprintf(want, sizeof want, "[first][<%u bytes>][after]", IDX_LINES_MAX);
    CHECK_INT(rc, IDX_LINES_EOF);
    CHECK_STR(got, want);
    free(got);
}

static void test_line_far_over_max_skipped_whole(void)
{
    int rc;
    idx_err err;
    char *got = read_with_big_line(IDX_LINES_MAX + (1u << 20), &rc, &err);
    CHECK_INT(rc, IDX_LINES_EOF);
    CHECK_STR(got, "[first]<toolong>[after]");
    free(got);
}

static void test_line_just_over_max_skipped_whole(void)
{
    int rc;
    idx_err err;
    char *got = read_with_big_line(IDX_LINES_MAX + 10, &rc, &err);
    CHECK_INT(rc, IDX_LINES_EOF);
    CHECK_STR(got, "[first]<toolong>[after]");
    free(got);
}

/* gzip decodes into all the free room of the output buffer at once, so the
 * limit must hold even when a whole over-long line arrives in one fill. */
static void test_gzip_line_well_over_max_skipped_whole(void)
{
    char path[32];
    int fd = make_temp(path);
    if (fd >= 0) close(fd);
    size_t big = IDX_LINES_MAX + (8u << 20);
    char *s = malloc(big + 16);
    if (!s) return;
    memcpy(s, "first\n", 6);
    memset(s + 6, 'y', big);
    memcpy(s + 6 + big, "\nafter\n", 7);
    gzip_member(path, "wb1", s, 6 + big + 7);
    free(s);
    int rc;
    idx_err err;
    char *got = read_all(path, &rc, &err);
    CHECK_INT(rc, IDX_LINES_EOF);
    CHECK_STR(got, "[first]<toolong>[after]");
    free(got);
    unlink(path);
}

static void test_truncated_gzip_is_an_error(void)
{
    char path[32];
    int fd = make_temp(path);
    if (fd >= 0) close(fd);
    size_t n;
    char *text = many_lines_text(&n);
    gzip_member(path, "wb", text, n);
    free(text);
    size_t zn;
    char *z = slurp(path, &zn);
    CHECK(zn > 100);
    write_file(path, z, zn / 2);
    free(z);
    int rc;
    idx_err err;
    char *got = read_all(path, &rc, &err);
    CHECK_INT(rc, IDX_LINES_ERROR);
    CHECK_INT(err.rc, IDX_EIO);
    CHECK(strstr(err.msg, "truncated") != NULL);
    CHECK(strstr(err.msg, path) != NULL);
    free(got);
    unlink(path);
}

static void test_gzip_missing_trailer_is_an_error(void)
{
    /* all the data is there but the 8-byte CRC/size trailer is cut off */
    char path[32];
    int fd = make_temp(path);
    if (fd >= 0) close(fd);
    gzip_member(path, "wb", "a\nb\n", 4);
    size_t zn;
    char *z = slurp(path, &zn);
    write_file(path, z, zn - 8);
    free(z);
    int rc;
    idx_err err;
    char *got = read_all(path, &rc, &err);
    CHECK_INT(rc, IDX_LINES_ERROR);
    CHECK_INT(err.rc, IDX_EIO);
    CHECK(strstr(err.msg, "truncated") != NULL);
    free(got);
    unlink(path);
}

static void test_corrupt_gzip_is_an_error(void)
{
    char path[32];
    int fd = make_temp(path);
    if (fd >= 0) close(fd);
    gzip_member(path, "wb", "hello\nworld\n", 12);
    size_t zn;
    char *z = slurp(path, &zn);
    z[zn - 5] ^= 0x55; /* damage the stored CRC-32: the trailer check fails */
    write_file(path, z, zn);
    free(z);
    int rc;
    idx_err err;
    char *got = read_all(path, &rc, &err);
    CHECK_INT(rc, IDX_LINES_ERROR);
    CHECK_INT(err.rc, IDX_EIO);
    CHECK(strstr(err.msg, "corrupt gzip") != NULL);
    free(got);
    unlink(path);
}

static void test_truncated_zstd_is_an_error(void)
{
    char path[32];
    const char *s = "one\ntwo\nthree\n";
    size_t cap = ZSTD_compressBound(strlen(s));
    char *z = malloc(cap);
    size_t zn = ZSTD_compress(z, cap, s, strlen(s), 3);
    CHECK(!ZSTD_isError(zn));
    write_temp(path, z, zn - 3);
    free(z);
    int rc;
    idx_err err;
    char *got = read_all(path, &rc, &err);
    CHECK_INT(rc, IDX_LINES_ERROR);
    CHECK_INT(err.rc, IDX_EIO);
    CHECK(strstr(err.msg, "zstd") != NULL);
    free(got);
    unlink(path);
}

static void test_nonexistent_path_fails_to_open(void)
{
    const char *path = "/tmp/idx_test_lines_does_not_exist/nope.jsonl";
    idx_lines *r = (idx_lines *)1;
    idx_err err;
    idx_err_clear(&err);
    CHECK_INT(idx_lines_open(path, &r, &err), IDX_EIO);
    CHECK(r == NULL);
    CHECK_INT(err.rc, IDX_EIO);
    CHECK(strstr(err.msg, path) != NULL);
    CHECK_STR(err.where, "lines.open");
    CHECK(err.msg[0] != '[');
}

static void test_directory_fails_to_open(void)
{
    idx_lines *r = NULL;
    idx_err err;
    idx_err_clear(&err);
    CHECK_INT(idx_lines_open("/tmp", &r, &err), IDX_EIO);
    CHECK(r == NULL);
    CHECK(strstr(err.msg, "/tmp") != NULL);
}

static void test_close_null_is_ok(void)
{
    idx_lines_close(NULL);
}

int main(void)
{
    TEST(test_plain_lf_lines);
    TEST(test_plain_crlf_lines_lose_cr);
    TEST(test_last_line_without_newline);
    TEST(test_last_line_without_newline_keeps_inner_cr);
    TEST(test_empty_file_has_no_lines);
    TEST(test_single_newline_is_one_empty_line);
    TEST(test_short_file_below_magic_length);
    TEST(test_lineno_counts_returned_lines);
    TEST(test_progress_reports_file_size);
    TEST(test_gzip_file);
    TEST(test_gzip_concatenated_members);
    TEST(test_gzip_empty_member);
    TEST(test_zstd_file);
    TEST(test_zstd_concatenated_frames);
    TEST(test_plain_bom_skipped);
    TEST(test_bom_alone_is_no_line);
    TEST(test_bom_only_at_start);
    TEST(test_gzip_bom_skipped);
    TEST(test_zstd_bom_skipped);
    TEST(test_plain_many_lines_across_buffers);
    TEST(test_gzip_many_lines_across_buffers);
    TEST(test_line_longer_than_output_buffer);
    TEST(test_line_of_exactly_max_length_returned);
    TEST(test_line_far_over_max_skipped_whole);
    TEST(test_line_just_over_max_skipped_whole);
    TEST(test_gzip_line_well_over_max_skipped_whole);
    TEST(test_truncated_gzip_is_an_error);
    TEST(test_gzip_missing_trailer_is_an_error);
    TEST(test_corrupt_gzip_is_an_error);
    TEST(test_truncated_zstd_is_an_error);
    TEST(test_nonexistent_path_fails_to_open);
    TEST(test_directory_fails_to_open);
    TEST(test_close_null_is_ok);
    TEST_SUMMARY();
}
