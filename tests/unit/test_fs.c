/* test_fs.c - the file-system helpers (fs.h) in a temporary directory:
 * making parents, telling a free place from a used one, removing a tree with
 * a symbolic link in it (not followed), writing a file atomically over an
 * old one, and measuring what a tree takes on disk. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fs.h"
#include "test.h"

static char root[64];

static const char *at(const char *rel)
{
    static char p[4][256];
    static int k;
    k = (k + 1) % 4;
    snprintf(p[k], sizeof p[k], "%s/%s", root, rel);
    return p[k];
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    static char buf[4096];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    return buf;
}

static void test_make_parents_and_free(void)
{
    CHECK_INT(idx_fs_is_free(at("a")), 1); /* missing */
    CHECK_INT(idx_fs_make_parents(at("a/b/c/db")), 0);
    struct stat st;
    CHECK(stat(at("a/b/c"), &st) == 0 && S_ISDIR(st.st_mode));
    CHECK(stat(at("a/b/c/db"), &st) != 0); /* not the path itself */
    CHECK_INT(idx_fs_make_parents(at("a/b/c/db")), 0); /* again: fine */
    CHECK_INT(idx_fs_is_free(at("a/b/c")), 1);          /* empty */
    CHECK_INT(idx_fs_is_free(at("a/b")), 0);            /* holds c */
    FILE *f = fopen(at("a/file"), "w");
    CHECK(f != NULL);
    if (f) fclose(f);
    errno = 0;
    CHECK_INT(idx_fs_is_free(at("a/file")), -1);
    CHECK_INT(errno, ENOTDIR);
    CHECK_INT(idx_fs_make_parents(at("a/file/x/db")), -1); /* a file in the way */
}

static void test_write_atomic(void)
{
    const char *p = at("stub");
    CHECK_INT(idx_fs_write_atomic(p, "old\n", 4), 0);
    CHECK_STR(slurp(p), "old\n");
    CHECK_INT(idx_fs_write_atomic(p, "new text\n", 9), 0);
    CHECK_STR(slurp(p), "new text\n");
    CHECK(access(at("stub.tmp"), F_OK) != 0); /* no temporary left */
    CHECK_INT(idx_fs_write_atomic(at("no/such/dir/stub"), "x", 1), -1);
    CHECK_INT(errno, ENOENT);
    CHECK_INT(idx_fs_fsync(p), 0);
    CHECK_INT(idx_fs_sync_parent(p), 0);
}

static void test_remove_tree_and_usage(void)
{
    CHECK_INT(idx_fs_make_parents(at("t/d1/d2/f")), 0);
    CHECK_INT(idx_fs_make_parents(at("keep/f")), 0);
    char big[8192];
    memset(big, 'x', sizeof big);
    CHECK_INT(idx_fs_write_atomic(at("t/d1/d2/f"), big, sizeof big), 0);
    CHECK_INT(idx_fs_write_atomic(at("keep/f"), "k", 1), 0);
    CHECK(symlink(at("keep"), at("t/d1/link")) == 0);
    CHECK(idx_fs_usage(at("t")) >= sizeof big);
    CHECK(idx_fs_usage(at("t/d1/d2/f")) >= sizeof big);
    CHECK_INT(idx_fs_usage(at("nothing")), 0);
    CHECK_INT(idx_fs_sync_dir(at("t/d1/d2")), 0);
    CHECK_INT(idx_fs_remove_tree(at("t")), 0);
    CHECK(access(at("t"), F_OK) != 0);
    CHECK_STR(slurp(at("keep/f")), "k"); /* the link's target untouched */
    CHECK_INT(idx_fs_remove_tree(at("t")), 0); /* missing: fine */
}

int main(void)
{
    snprintf(root, sizeof root, "/tmp/idx-test-fs.XXXXXX");
    if (!mkdtemp(root)) return 1;
    TEST(test_make_parents_and_free);
    TEST(test_write_atomic);
    TEST(test_remove_tree_and_usage);
    idx_fs_remove_tree(root);
    TEST_SUMMARY();
}
