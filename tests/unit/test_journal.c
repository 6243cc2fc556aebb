/* test_journal.c - the write-ahead journal (journal.h): records read back
 * in order after a reopen, sequence numbers from the database's floor, a
 * torn tail dropped (and kept aside), a foreign file refused, one process
 * at a time, emptying. */
#include <fcntl.h>
#include <stdint.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fs.h"
#include "journal.h"
#include "test.h"

static char dir[64], path[128];

static uint64_t file_size(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0 ? (uint64_t)st.st_size : 0;
}

/* Every record after `after`, as "seq:type:payload;" into out. */
static void dump(idx_journal *j, uint64_t after, char *out, size_t cap)
{
    idx_jcursor c;
    idx_jcursor_init(&c, after);
    idx_jrec r;
    idx_err err;
    idx_err_clear(&err);
    out[0] = '\0';
    size_t k = 0;
    while (idx_journal_next(j, &c, &r, &err) == 1 && k < cap)
        k += (size_t)snprintf(out + k, cap - k, "%llu:%d:%.*s;", (unsigned long long)r.seq, r.type,
                              (int)r.len, r.data);
    idx_jcursor_fini(&c);
}

/* A new, empty journal at path (err cleared for the caller). */
static idx_journal *fresh(idx_err *err)
{
    idx_fs_remove_tree(path);
    idx_err_clear(err);
    idx_journal *j = NULL;
    CHECK_INT(idx_journal_open(path, 0, &j, NULL, err), IDX_OK);
    return j;
}

/* Overwrite the file's bytes at off with b[0..n). */
static void put_bytes(uint64_t off, const void *b, size_t n)
{
    int fd = open(path, O_WRONLY);
    CHECK(fd >= 0 && pwrite(fd, b, n, (off_t)off) == (ssize_t)n);
    close(fd);
}

/* Overwrite the file's bytes at off with s (damage, as a disk might). */
static void damage(uint64_t off, const char *s)
{
    put_bytes(off, s, strlen(s));
}

/* A new journal at p whose database holds up to floor, with one record
 * (type, data[0..n)) appended: that record's bytes into out (the file is
 * left there).  Their count, or -1. */
static ssize_t one_record(const char *p, uint64_t floor, int type, const char *data, size_t n,
                          unsigned char *out, size_t cap)
{
    idx_fs_remove_tree(p);
    idx_err err;
    idx_err_clear(&err);
    idx_journal *j = NULL;
    CHECK_INT(idx_journal_open(p, floor, &j, NULL, &err), IDX_OK);
    CHECK_INT(idx_journal_append(j, type, data, n, NULL, &err), IDX_OK);
    idx_journal_close(j);
    int fd = open(p, O_RDONLY);
    ssize_t got = fd >= 0 ? pread(fd, out, cap, IDX_JOURNAL_HEADER) : -1;
    if (fd >= 0) close(fd);
    return got;
}

static void test_append_and_reopen(void)
{
    idx_fs_remove_tree(path);
    idx_err err;
    idx_err_clear(&err);
    idx_journal *j = NULL;
    idx_jinfo info;
    CHECK_INT(idx_journal_open(path, 0, &j, &info, &err), IDX_OK);
    CHECK_INT(info.records, 0);
    CHECK_INT(file_size(path), IDX_JOURNAL_HEADER);
    uint64_t s = 0;
    CHECK_INT(idx_journal_append(j, IDX_JREC_DOCS, "{\"id\":\"a\"}\n", 11, &s, &err), IDX_OK);
    CHECK_INT(s, 1);
    CHECK_INT(idx_journal_append(j, IDX_JREC_DELETE, "a", 1, &s, &err), IDX_OK);
    CHECK_INT(s, 2);
    CHECK_INT(idx_journal_append(j, IDX_JREC_DOCS, "", 0, &s, &err), IDX_OK);
    CHECK_INT(idx_journal_last_seq(j), 3);
    char out[512];
    dump(j, 0, out, sizeof out);
    CHECK_STR(out, "1:1:{\"id\":\"a\"}\n;2:2:a;3:1:;");
    dump(j, 2, out, sizeof out);
    CHECK_STR(out, "3:1:;");
    /* a group: three records, one fdatasync, numbered in order */
    int types[3] = {IDX_JREC_DOCS, IDX_JREC_DELETE, IDX_JREC_DOCS};
    const void *datas[3] = {"x\n", "b", "yz\n"};
    size_t lens[3] = {2, 1, 3};
    uint64_t seqs[3] = {0, 0, 0};
    CHECK_INT(idx_journal_append_many(j, 3, types, datas, lens, seqs, &err), IDX_OK);
    CHECK(seqs[0] == 4 && seqs[1] == 5 && seqs[2] == 6);
    dump(j, 3, out, sizeof out);
    CHECK_STR(out, "4:1:x\n;5:2:b;6:1:yz\n;");
    size_t big[2] = {1, (size_t)IDX_JOURNAL_MAX_PAYLOAD + 1};
    CHECK_INT(idx_journal_append_many(j, 2, types, datas, big, seqs, &err), IDX_ETOOBIG);
    CHECK_INT(idx_journal_last_seq(j), 6); /* none of a refused group is stored */
    /* a second open (another idxd) is refused while this one holds it */
    idx_journal *j2 = NULL;
    CHECK_INT(idx_journal_open(path, 0, &j2, NULL, &err), IDX_ELOCKED);
    idx_journal_close(j);
    CHECK_INT(idx_journal_open(path, 0, &j, &info, &err), IDX_OK);
    CHECK_INT(info.records, 6);
    CHECK_INT(info.first_seq, 1);
    CHECK_INT(info.last_seq, 6);
    CHECK_INT(info.dropped_bytes, 0);
    dump(j, 1, out, sizeof out);
    CHECK_STR(out, "2:2:a;3:1:;4:1:x\n;5:2:b;6:1:yz\n;");
    idx_journal_close(j);
}

static void test_floor_and_reset(void)
{
    idx_fs_remove_tree(path);
    idx_err err;
    idx_err_clear(&err);
    idx_journal *j = NULL;
    /* the database holds up to 41 already: numbering goes on from there */
    CHECK_INT(idx_journal_open(path, 41, &j, NULL, &err), IDX_OK);
    uint64_t s = 0;
    CHECK_INT(idx_journal_append(j, IDX_JREC_DELETE, "x", 1, &s, &err), IDX_OK);
    CHECK_INT(s, 42);
    idx_jcursor c;
    idx_jcursor_init(&c, 41);
    idx_jrec r;
    CHECK_INT(idx_journal_next(j, &c, &r, &err), 1);
    CHECK_INT(r.seq, 42);
    CHECK_INT(idx_journal_next(j, &c, &r, &err), 0);
    /* every record applied: emptied */
    int tr = 0;
    CHECK_INT(idx_journal_trim(j, &c, 1 << 20, &tr, &err), IDX_OK);
    CHECK_INT(tr, 1);
    CHECK_INT(file_size(path), IDX_JOURNAL_HEADER);
    CHECK_INT(idx_journal_append(j, IDX_JREC_DELETE, "y", 1, &s, &err), IDX_OK);
    CHECK_INT(s, 43);
    CHECK_INT(idx_journal_next(j, &c, &r, &err), 1);
    CHECK_INT(r.seq, 43);
    CHECK(r.len == 1 && r.data[0] == 'y');
    /* 43 applied, 44 and 45 not: under min_bytes nothing moves; over it,
     * nothing either while the records kept are larger than those applied
     * (a copy costs at most what was applied since the last) */
    CHECK_INT(idx_journal_append(j, IDX_JREC_DELETE, "z4", 2, &s, &err), IDX_OK);
    CHECK_INT(idx_journal_append(j, IDX_JREC_DELETE, "z5", 2, &s, &err), IDX_OK);
    CHECK_INT(idx_journal_trim(j, &c, 1 << 20, &tr, &err), IDX_OK);
    CHECK_INT(tr, 0);
    CHECK_INT(idx_journal_trim(j, &c, 1, &tr, &err), IDX_OK);
    CHECK_INT(tr, 0);
    /* 44 applied too: the file keeps 45 only */
    CHECK_INT(idx_journal_next(j, &c, &r, &err), 1);
    CHECK(r.seq == 44 && r.len == 2 && r.data[1] == '4');
    CHECK_INT(idx_journal_trim(j, &c, 1, &tr, &err), IDX_OK);
    CHECK_INT(tr, 1);
    CHECK_INT(file_size(path), IDX_JOURNAL_HEADER + (IDX_JOURNAL_RECORD_HEAD + 2));
    CHECK_INT(idx_journal_append(j, IDX_JREC_DELETE, "z6", 2, &s, &err), IDX_OK);
    CHECK_INT(s, 46);
    char out[256];
    dump(j, 44, out, sizeof out);
    CHECK_STR(out, "45:2:z5;46:2:z6;");
    CHECK_INT(idx_journal_next(j, &c, &r, &err), 1);
    CHECK(r.seq == 45 && r.data[1] == '5');
    idx_jcursor_fini(&c);
    idx_journal_close(j);
    idx_jinfo info;
    CHECK_INT(idx_journal_open(path, 44, &j, &info, &err), IDX_OK);
    CHECK_INT(info.first_seq, 45);
    CHECK_INT(info.records, 2);
    CHECK_INT(info.dropped_bytes, 0);
    idx_journal_close(j);
    /* a database past every record kept (written through another journal,
     * or restored): they are kept aside, the journal emptied, and numbering
     * goes on from the database's with no gap */
    CHECK_INT(idx_journal_open(path, 50, &j, &info, &err), IDX_OK);
    CHECK_INT(info.records, 0);
    CHECK_INT(info.dropped_applied, 1);
    CHECK_INT(info.dropped_bytes, 2 * (IDX_JOURNAL_RECORD_HEAD + 2));
    CHECK(info.dropped_to[0] && file_size(info.dropped_to) == info.dropped_bytes);
    CHECK(strstr(info.dropped_why, "45-46") != NULL);
    remove(info.dropped_to);
    CHECK_INT(file_size(path), IDX_JOURNAL_HEADER);
    CHECK_INT(idx_journal_append(j, IDX_JREC_DELETE, "n", 1, &s, &err), IDX_OK);
    CHECK_INT(s, 51);
    idx_journal_close(j);
    CHECK_INT(idx_journal_open(path, 50, &j, &info, &err), IDX_OK);
    CHECK_INT(info.records, 1);
    CHECK_INT(info.dropped_bytes, 0);
    idx_journal_close(j);
    idx_fs_remove_tree(path);
    /* reopened empty, it numbers from the floor it is given */
    CHECK_INT(idx_journal_open(path, 46, &j, NULL, &err), IDX_OK);
    CHECK_INT(idx_journal_last_seq(j), 46);
    idx_journal_close(j);
}

/* Cut the file to size bytes. */
static void cut(uint64_t size)
{
    CHECK(truncate(path, (off_t)size) == 0);
}

static void test_torn_tail(void)
{
    idx_err err;
    idx_journal *j = fresh(&err);
    CHECK_INT(idx_journal_append(j, IDX_JREC_DOCS, "first\n", 6, NULL, &err), IDX_OK);
    uint64_t one = file_size(path);
    CHECK_INT(idx_journal_append(j, IDX_JREC_DOCS, "second\n", 7, NULL, &err), IDX_OK);
    uint64_t two = file_size(path);
    idx_journal_close(j);
    char out[512];
    /* every cut inside the second record: only the first is kept */
    for (uint64_t at = one + 1; at < two; at += 5) {
        cut(at);
        idx_jinfo info;
        CHECK_INT(idx_journal_open(path, 0, &j, &info, &err), IDX_OK);
        CHECK_INT(info.records, 1);
        CHECK_INT(info.dropped_bytes, at - one);
        CHECK(info.dropped_to[0] && file_size(info.dropped_to) == at - one);
        remove(info.dropped_to);
        CHECK_INT(file_size(path), one);
        dump(j, 0, out, sizeof out);
        CHECK_STR(out, "1:1:first\n;");
        /* appending after the cut goes on from 2 */
        uint64_t s = 0;
        CHECK_INT(idx_journal_append(j, IDX_JREC_DOCS, "second\n", 7, &s, &err), IDX_OK);
        CHECK_INT(s, 2);
        idx_journal_close(j);
    }
    /* a flipped payload byte fails the checksum */
    damage(two - 2, "X");
    idx_jinfo info;
    CHECK_INT(idx_journal_open(path, 0, &j, &info, &err), IDX_OK);
    CHECK_INT(info.records, 1);
    CHECK(strstr(info.dropped_why, "checksum") != NULL);
    remove(info.dropped_to);
    idx_journal_close(j);
    /* zeros after the last record (a file extended by a crash) */
    int fd = open(path, O_WRONLY | O_APPEND);
    char zeros[100] = {0};
    CHECK(fd >= 0 && write(fd, zeros, sizeof zeros) == (ssize_t)sizeof zeros);
    close(fd);
    CHECK_INT(idx_journal_open(path, 0, &j, &info, &err), IDX_OK);
    CHECK_INT(info.records, 1);
    CHECK_INT(info.dropped_bytes, 100);
    remove(info.dropped_to);
    idx_journal_close(j);
}

static void test_damage_in_the_middle(void)
{
    idx_err err;
    idx_journal *j = fresh(&err);
    CHECK_INT(idx_journal_append(j, IDX_JREC_DOCS, "one\n", 4, NULL, &err), IDX_OK);
    uint64_t one = file_size(path);
    CHECK_INT(idx_journal_append(j, IDX_JREC_DOCS, "two\n", 4, NULL, &err), IDX_OK);
    CHECK_INT(idx_journal_append(j, IDX_JREC_DOCS, "three\n", 6, NULL, &err), IDX_OK);
    uint64_t size = file_size(path);
    idx_journal_close(j);
    /* a flipped byte in the second record, a whole third one after it */
    damage(one + IDX_JOURNAL_RECORD_HEAD, "X");
    CHECK_INT(idx_journal_open(path, 0, &j, NULL, &err), IDX_EDB);
    CHECK(strstr(err.msg, "not a torn tail") != NULL);
    CHECK_INT(file_size(path), size); /* nothing dropped */
}

/* One fdatasync for a group: the disk may keep a later record of it and lose
 * an earlier one.  Bad bytes followed only by records that continue their
 * group are a torn tail (the group was never acknowledged); the first record
 * of a later group after them is damage. */
static void test_torn_group(void)
{
    idx_err err;
    idx_journal *j = fresh(&err);
    CHECK_INT(idx_journal_append(j, IDX_JREC_DOCS, "acked\n", 6, NULL, &err), IDX_OK);
    uint64_t one = file_size(path);
    int types[3] = {IDX_JREC_DOCS, IDX_JREC_DOCS, IDX_JREC_DOCS};
    const void *datas[3] = {"g1\n", "g2\n", "g3\n"};
    size_t lens[3] = {3, 3, 3};
    CHECK_INT(idx_journal_append_many(j, 3, types, datas, lens, NULL, &err), IDX_OK);
    idx_journal_close(j);
    uint64_t rec = IDX_JOURNAL_RECORD_HEAD + 3, size = file_size(path);
    CHECK_INT(size, one + 3 * rec);
    /* the group's second record lost, its third whole: torn */
    damage(one + rec + 8, "XXXX");
    idx_jinfo info;
    CHECK_INT(idx_journal_open(path, 0, &j, &info, &err), IDX_OK);
    CHECK_INT(info.records, 2);
    CHECK_INT(info.dropped_bytes, 2 * rec);
    remove(info.dropped_to);
    char out[256];
    dump(j, 0, out, sizeof out);
    CHECK_STR(out, "1:1:acked\n;2:1:g1\n;");
    /* another group and a record after it; the group's second record
     * lost: the later record (a group of its own) shows the group was
     * acknowledged - damage */
    CHECK_INT(idx_journal_append_many(j, 3, types, datas, lens, NULL, &err), IDX_OK);
    CHECK_INT(idx_journal_append(j, IDX_JREC_DOCS, "later\n", 6, NULL, &err), IDX_OK);
    idx_journal_close(j);
    damage(one + 2 * rec + 8, "XXXX");
    CHECK_INT(idx_journal_open(path, 0, &j, NULL, &err), IDX_EDB);
    CHECK(strstr(err.msg, "not a torn tail") != NULL);
}

/* A whole record, checksum and all, with a number out of order is damage:
 * refused, never dropped as a torn tail. */
static void test_out_of_sequence(void)
{
    unsigned char rec[64];
    ssize_t n = one_record(path, 0, IDX_JREC_DOCS, "one\n", 4, rec, sizeof rec);
    uint64_t one = file_size(path);
    CHECK_INT(n, (ssize_t)(one - IDX_JOURNAL_HEADER));
    /* the same record again (number 1 after 1), as a copy gone wrong would */
    put_bytes(one, rec, (size_t)n);
    idx_err err;
    idx_err_clear(&err);
    idx_journal *j = NULL;
    CHECK_INT(idx_journal_open(path, 0, &j, NULL, &err), IDX_EDB);
    CHECK(strstr(err.msg, "number 1, after 1") != NULL);
    CHECK_INT(file_size(path), one + (uint64_t)n); /* nothing dropped */
}

/* A torn last record whose payload holds a whole record's bytes (a client's
 * body is journaled as it came): torn, dropped, not taken for damage. */
static void test_torn_record_inside(void)
{
    idx_err err;
    idx_journal *j = fresh(&err);
    CHECK_INT(idx_journal_append(j, IDX_JREC_DELETE, "x", 1, NULL, &err), IDX_OK);
    uint64_t one = file_size(path);
    char payload[200];
    memset(payload, ' ', sizeof payload);
    CHECK_INT(idx_journal_append(j, IDX_JREC_DOCS, payload, sizeof payload, NULL, &err), IDX_OK);
    idx_journal_close(j);
    /* a whole record numbered 3 (checksum and all: made by a journal whose
     * floor is 2), written inside the second record's payload */
    char kpath[160];
    snprintf(kpath, sizeof kpath, "%s.k", path);
    unsigned char inner[64];
    ssize_t n = one_record(kpath, 2, IDX_JREC_DELETE, "inner", 5, inner, sizeof inner);
    remove(kpath);
    CHECK_INT(n, IDX_JOURNAL_RECORD_HEAD + 5);
    put_bytes(one + IDX_JOURNAL_RECORD_HEAD + 50, inner, (size_t)n);
    cut(one + IDX_JOURNAL_RECORD_HEAD + 150); /* the outer record's end is lost */
    idx_jinfo info;
    CHECK_INT(idx_journal_open(path, 0, &j, &info, &err), IDX_OK);
    CHECK_INT(info.records, 1);
    CHECK_INT(info.dropped_bytes, IDX_JOURNAL_RECORD_HEAD + 150);
    remove(info.dropped_to);
    /* two drops (in one second, mostly) are kept in two files */
    CHECK_INT(idx_journal_append(j, IDX_JREC_DOCS, payload, sizeof payload, NULL, &err), IDX_OK);
    idx_journal_close(j);
    cut(one + 40);
    CHECK_INT(idx_journal_open(path, 0, &j, &info, &err), IDX_OK);
    char second[512];
    snprintf(second, sizeof second, "%s", info.dropped_to);
    idx_journal_close(j);
    CHECK_INT(idx_journal_open(path, 0, &j, NULL, &err), IDX_OK);
    CHECK_INT(idx_journal_append(j, IDX_JREC_DOCS, payload, sizeof payload, NULL, &err), IDX_OK);
    idx_journal_close(j);
    cut(one + 40);
    CHECK_INT(idx_journal_open(path, 0, &j, &info, &err), IDX_OK);
    idx_journal_close(j);
    CHECK(strcmp(second, info.dropped_to) != 0);
    CHECK(file_size(second) == 40 && file_size(info.dropped_to) == 40);
    remove(second);
    remove(info.dropped_to);
}

static void test_not_a_journal(void)
{
    idx_fs_remove_tree(path);
    int fd = open(path, O_WRONLY | O_CREAT, 0600);
    CHECK(fd >= 0 && write(fd, "{\"id\":1}\n{\"id\":2}\n", 18) == 18);
    close(fd);
    idx_err err;
    idx_err_clear(&err);
    idx_journal *j = NULL;
    CHECK_INT(idx_journal_open(path, 0, &j, NULL, &err), IDX_EINVAL);
    CHECK(strstr(err.msg, "not an idx journal") != NULL);
    CHECK_INT(file_size(path), 18); /* left alone */
    /* a header cut short by a crash at creation is written again */
    fd = open(path, O_WRONLY | O_TRUNC);
    CHECK(fd >= 0 && write(fd, "IDXJR", 5) == 5);
    close(fd);
    CHECK_INT(idx_journal_open(path, 0, &j, NULL, &err), IDX_OK);
    CHECK_INT(file_size(path), IDX_JOURNAL_HEADER);
    idx_journal_close(j);
}

static void test_decode(void)
{
    idx_jrec r;
    const char *why;
    unsigned char junk[64] = "JREC";
    CHECK(idx_journal_decode(junk, 10, &r, &why) == 0);             /* too short: incomplete */
    CHECK(idx_journal_decode(junk, sizeof junk, &r, &why) == -1);   /* type 0 */
    CHECK(idx_journal_decode((const unsigned char *)"nope, this is not a record at all, no", 38, &r, &why) ==
          -1);
    unsigned char buf[64];
    ssize_t n = one_record(path, 0, IDX_JREC_DELETE, "abc", 3, buf, sizeof buf);
    CHECK_INT(n, IDX_JOURNAL_RECORD_HEAD + 3);
    CHECK_INT(idx_journal_decode(buf, (size_t)n, &r, &why), n);
    CHECK(r.seq == 1 && r.type == IDX_JREC_DELETE && r.len == 3 && memcmp(r.data, "abc", 3) == 0);
    CHECK(r.time_ms > 1700000000000ull && r.time_ms < 4000000000000ull);
    CHECK_INT(idx_journal_decode(buf, (size_t)n - 1, &r, &why), 0);
}

int main(void)
{
    snprintf(dir, sizeof dir, "/tmp/idx-test-journal.XXXXXX");
    if (!mkdtemp(dir)) return 1;
    snprintf(path, sizeof path, "%s/j", dir);
    TEST(test_append_and_reopen);
    TEST(test_floor_and_reset);
    TEST(test_torn_tail);
    TEST(test_damage_in_the_middle);
    TEST(test_out_of_sequence);
    TEST(test_torn_group);
    TEST(test_torn_record_inside);
    TEST(test_not_a_journal);
    TEST(test_decode);
    idx_fs_remove_tree(dir);
    TEST_SUMMARY();
}
