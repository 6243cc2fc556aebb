/* fuzz_journal.c - libFuzzer target: the journal reader (journal.h) over
 * any file.  The input, after a valid header when its first byte is odd, is
 * written to a file that idx_journal_open scans; invariants: it opens (a
 * foreign file or one damaged before its end is refused, a torn tail
 * dropped, records all at or below the floor emptied) or fails cleanly;
 * what it keeps reads back as records with rising sequence numbers, none
 * larger than the file; the file is cut to exactly what was kept; a record
 * appended afterwards reads back. */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "journal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) return 0;
    char path[64];
    snprintf(path, sizeof path, "/tmp/idx-fuzz-journal-%d", (int)getpid());
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fd < 0) return 0;
    static const char header[IDX_JOURNAL_HEADER] = "IDXJRNL1";
    int ok = 1;
    if (data[0] & 1) ok = write(fd, header, sizeof header) == (ssize_t)sizeof header;
    if (ok && size > 1) ok = write(fd, data + 1, size - 1) == (ssize_t)(size - 1);
    close(fd);
    if (!ok) return 0;
    idx_err err;
    idx_err_clear(&err);
    idx_journal *j = NULL;
    idx_jinfo info;
    /* the database's last record: 0 to 3, from the first byte (a journal
     * whose records are all at or below it is emptied) */
    uint64_t floor_seq = (data[0] >> 1) & 3;
    int rc = idx_journal_open(path, floor_seq, &j, &info, &err);
    if (info.dropped_to[0]) remove(info.dropped_to);
    if (rc != IDX_OK) {
        /* only a foreign file, or one damaged before its end, may be refused */
        if (rc != IDX_EINVAL && rc != IDX_EDB) abort();
        remove(path);
        return 0;
    }
    struct stat st;
    if (stat(path, &st) != 0 || (uint64_t)st.st_size != info.bytes) abort();
    idx_jcursor c;
    idx_jcursor_init(&c, 0);
    idx_jrec r;
    uint64_t n = 0, prev = 0;
    while ((rc = idx_journal_next(j, &c, &r, &err)) == 1) {
        if ((prev && r.seq != prev + 1) || r.len > (uint64_t)st.st_size) abort();
        prev = r.seq;
        n++;
    }
    if (rc != 0 || n > info.records) abort(); /* records at or below seq 0 are skipped */
    uint64_t s;
    if (idx_journal_append(j, IDX_JREC_DELETE, "x", 1, &s, &err) != IDX_OK) abort();
    if (idx_journal_next(j, &c, &r, &err) != 1 || r.seq != s || r.len != 1) abort();
    idx_jcursor_fini(&c);
    idx_journal_close(j);
    remove(path);
    return 0;
}
