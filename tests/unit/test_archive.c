/* test_archive.c - stub files and shard keys (archive.h): the lines idx
 * reads and refuses (with file:line), paths relative to the stub, remote
 * HOST:PORT forms, shard keys by year, month and hash, job ownership, and
 * that a stub idx writes reads back the same. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "archive.h"
#include "test.h"

static char dir[64];

static const char *write_file(const char *name, const char *text)
{
    static char path[128];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    fputs(text, f);
    fclose(f);
    return path;
}

static void test_reads_auto_remote_and_comments(void)
{
    const char *p = write_file("a.stub", "# a comment\n\n# idx shard-by year\nauto shards/2019\n"
                                         "  glass /abs/db  \nremote 10.0.0.5:33333\nremote [::1]:7\n");
    idx_archive a;
    idx_err err;
    idx_err_clear(&err);
    CHECK_INT(idx_archive_read(p, &a, &err), IDX_OK);
    CHECK_STR(a.shard_by, "year");
    CHECK_INT(a.nshards, 4);
    char want[128];
    snprintf(want, sizeof want, "%s/shards/2019", dir);
    CHECK_STR(a.shards[0].path, want);
    CHECK_STR(a.shards[0].name, "shards/2019");
    CHECK_STR(a.shards[1].path, "/abs/db");
    CHECK_INT(a.shards[2].kind, IDX_SHARD_REMOTE);
    CHECK_STR(a.shards[2].host, "10.0.0.5");
    CHECK_INT(a.shards[2].port, 33333);
    CHECK_STR(a.shards[3].host, "::1");
    CHECK_INT(a.shards[3].port, 7);
    CHECK_INT(idx_archive_find(&a, "2019"), 0);
    CHECK_INT(idx_archive_find(&a, "2020"), -1);
    idx_archive_fini(&a);
}

static void check_refused(const char *text, const char *msg_part)
{
    const char *p = write_file("bad.stub", text);
    idx_archive a;
    idx_err err;
    idx_err_clear(&err);
    CHECK_INT(idx_archive_read(p, &a, &err), IDX_EINVAL);
    if (!strstr(err.msg, msg_part)) fprintf(stderr, "  message: %s (want %s)\n", err.msg, msg_part);
    CHECK(strstr(err.msg, msg_part) != NULL);
}

static void test_refuses_what_it_cannot_use(void)
{
    check_refused("auto x\nbogus y\n", "bad.stub:2: unknown line");
    check_refused("remote :xapian-progsrv /db\n", "bad.stub:1: remote programs");
    check_refused("remote nohost\n", "is not HOST:PORT");
    check_refused("remote host:0\n", "is not HOST:PORT");
    check_refused("remote host:70000\n", "is not HOST:PORT");
    check_refused("auto\n", "bad.stub:1: 'auto' without a database");
    check_refused("# idx shard-by week\nauto x\n", "bad.stub:1: unknown shard-by");
}

static void test_missing_file(void)
{
    idx_archive a;
    idx_err err;
    idx_err_clear(&err);
    CHECK_INT(idx_archive_read("/nonexistent/stub", &a, &err), IDX_EIO);
}

static void test_keys(void)
{
    char k[IDX_SHARD_KEY_MAX];
    idx_archive_key("year", "x", 1, 1, 2019, 5, k);
    CHECK_STR(k, "2019");
    idx_archive_key("month", "x", 1, 1, 2019, 5, k);
    CHECK_STR(k, "2019-05");
    idx_archive_key("year", "x", 1, 0, 0, 0, k);
    CHECK_STR(k, "undated");
    idx_archive_key("hash:4", "abc", 3, 0, 0, 0, k);
    CHECK(strlen(k) == 4 && k[0] == 'h' && k[3] >= '0' && k[3] <= '3');
    char k2[IDX_SHARD_KEY_MAX];
    idx_archive_key("hash:4", "abc", 3, 1, 2020, 1, k2); /* the date does not matter */
    CHECK_STR(k, k2);
    int seen[4] = {0, 0, 0, 0};
    for (int i = 0; i < 200; i++) {
        char id[16];
        int n = snprintf(id, sizeof id, "id-%d", i);
        idx_archive_key("hash:4", id, (size_t)n, 0, 0, 0, k);
        seen[k[3] - '0']++;
    }
    CHECK(seen[0] > 20 && seen[1] > 20 && seen[2] > 20 && seen[3] > 20); /* spread */
}

static void test_specs_and_owners(void)
{
    CHECK(idx_archive_spec_ok("year"));
    CHECK(idx_archive_spec_ok("month"));
    CHECK(idx_archive_spec_ok("hash:2"));
    CHECK(idx_archive_spec_ok("hash:256"));
    CHECK(!idx_archive_spec_ok("hash:1"));
    CHECK(!idx_archive_spec_ok("hash:257"));
    CHECK(!idx_archive_spec_ok("hash:"));
    CHECK(!idx_archive_spec_ok("hash:4x"));
    CHECK(!idx_archive_spec_ok("day"));
    CHECK_INT(idx_archive_key_owner("h005", 2), 1);
    CHECK_INT(idx_archive_key_owner("h004", 2), 0);
    CHECK_INT(idx_archive_shard_owner("shards/h007", 4), 3);
    CHECK_INT(idx_archive_key_owner("2019", 1), 0);
    CHECK(idx_archive_key_owner("2019", 3) < 3);
}

static void test_create_add_read_back(void)
{
    char d[128];
    snprintf(d, sizeof d, "%s/arch", dir);
    idx_err err;
    idx_err_clear(&err);
    CHECK_INT(idx_archive_create(d, "hash:3", &err), IDX_OK);
    char *stub = NULL;
    CHECK_INT(idx_archive_detect(d, &stub), 1);
    idx_archive a;
    CHECK_INT(idx_archive_read(stub, &a, &err), IDX_OK);
    CHECK_STR(a.shard_by, "hash:3");
    CHECK_INT(a.nshards, 0);
    CHECK_INT(idx_archive_add_shard(&a, "h001", &err), IDX_OK);
    CHECK_INT(idx_archive_add_shard(&a, "h000", &err), IDX_OK);
    idx_archive_fini(&a);
    CHECK_INT(idx_archive_read(stub, &a, &err), IDX_OK);
    CHECK_INT(a.nshards, 2);
    CHECK_STR(a.shards[0].name, "shards/h001");
    CHECK_STR(a.shards[1].name, "shards/h000");
    idx_archive_fini(&a);
    free(stub);
    /* not again into a directory that holds something */
    CHECK_INT(idx_archive_create(d, "hash:3", &err), IDX_EINVAL);
    CHECK_INT(idx_archive_create(d, "weekly", &err), IDX_EINVAL);
    /* a plain directory is no archive */
    CHECK_INT(idx_archive_detect(dir, &stub), 0);
}

int main(void)
{
    snprintf(dir, sizeof dir, "/tmp/idx-test-archive.XXXXXX");
    if (!mkdtemp(dir)) return 1;
    TEST(test_reads_auto_remote_and_comments);
    TEST(test_refuses_what_it_cannot_use);
    TEST(test_missing_file);
    TEST(test_keys);
    TEST(test_specs_and_owners);
    TEST(test_create_add_read_back);
    char cmd[160];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", dir);
    TEST_SUMMARY();
}
