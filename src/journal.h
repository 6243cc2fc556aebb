/* journal.h - the write-ahead journal of idxd's write path: what a client
 * was told is stored, before the database has it.
 *
 * POST /docs and DELETE /docs/{id} (query/writes.c) append one record each
 * and fsync it before the client hears 202; a writer thread reads the
 * records back in order, applies them to the database through writer.h and
 * commits, recording the sequence number of the last record applied in the
 * database's own metadata (IDX_META_JOURNAL_SEQ) in the same commit.  So
 * after a crash the journal holds every acknowledged write, the database
 * says how far it got, and a restart replays exactly the records after that:
 * nothing acknowledged is lost, nothing is applied twice.
 *
 * The file: a 16-byte header ("IDXJRNL1" and 8 reserved bytes), then
 * records, each a 32-byte head - magic "JREC", CRC-32 (zlib) of everything
 * after it, sequence number (u64), type (u8), flags (u8: IDX_JREC_FLAG_CONT),
 * 2 bytes of padding, payload length (u32), the time it was appended (u64
 * milliseconds since 1970), all little-endian - and the payload.  Sequence
 * numbers rise by one from record to record.  Records are appended in
 * groups (one record, or the several idx_journal_append_many is given),
 * each group written and fdatasync'd before the call returns; every record
 * of a group but the first carries IDX_JREC_FLAG_CONT.
 *
 * A crash can leave the last group half written (a torn tail): opening
 * finds the first record that is incomplete or fails its checksum, and
 * drops it and everything after it - never applied half.  The bytes dropped
 * are first copied to PATH.dropped-UNIXTIME (their count and that file are
 * in idx_jinfo), so nothing is destroyed silently.  Only the last group can
 * be torn (a group is fsync'd before the next is written; within one, the
 * disk may keep a later record and lose an earlier one), so when the first
 * record of a later group follows the bad bytes the file is damaged
 * instead: open refuses it (IDX_EDB) rather than drop acknowledged writes.
 * A whole record that breaks the sequence is damage too.
 *
 * What the database holds is dropped from the journal (idx_journal_trim):
 * once it holds every record the file keeps its header only.  Sequence numbers go
 * on from the database's (open's floor_seq); a journal whose records are all
 * at or before it (the database was written through another journal, or
 * restored) is emptied at open, its records kept aside as a torn tail is.
 *
 * One process at a time: open takes an exclusive flock on the file
 * (IDX_ELOCKED when another idxd holds it).  Appends are safe from any
 * thread; reading (idx_jcursor) and trimming belong to one thread.
 */
#ifndef IDX_JOURNAL_H
#define IDX_JOURNAL_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

#define IDX_META_JOURNAL_SEQ "idx.journal_seq" /* database metadata: last record applied */
#define IDX_JOURNAL_HEADER 16
#define IDX_JOURNAL_RECORD_HEAD 32
#define IDX_JOURNAL_MAX_PAYLOAD (256u << 20)

#define IDX_JREC_FLAG_CONT 1 /* flags: the record continues its group */
enum { IDX_JREC_DOCS = 1, /* payload: JSON Lines, each line an article (upsert) */
       IDX_JREC_DELETE = 2 /* payload: one article id */ };

typedef struct idx_journal idx_journal;

typedef struct idx_jinfo {
    uint64_t first_seq, last_seq; /* of the records kept (0, 0: none) */
    uint64_t records;             /* records kept */
    uint64_t bytes;               /* file size after open */
    uint64_t dropped_bytes;       /* a torn or corrupt tail removed (0: none) */
    char dropped_to[512];         /* where those bytes were copied ("" if none) */
    char dropped_why[200];        /* what was wrong at the first byte dropped */
    int dropped_applied;          /* 1: what was dropped is records the database holds
                                   * (it is past all of them), not a torn tail */
} idx_jinfo;

/* Open the journal at path (made, with its header, when missing),
 * dropping a torn tail (see the top).  floor_seq is the last sequence number
 * the database holds: the next record gets max(last kept, floor_seq) + 1.
 * *out owned by the caller (idx_journal_close); info may be NULL.
 * IDX_ELOCKED when another process has it open; IDX_EINVAL when path is not
 * a journal (wrong header: left alone); IDX_EDB when it is damaged before
 * its end (left alone); IDX_EIO. */
int idx_journal_open(const char *path, uint64_t floor_seq, idx_journal **out, idx_jinfo *info,
                     idx_err *err);
void idx_journal_close(idx_journal *j); /* NULL ok */

/* Append a record of type with payload data[0..n) and fdatasync it; *seq
 * (may be NULL) gets its sequence number.  Any thread.  IDX_ETOOBIG over
 * IDX_JOURNAL_MAX_PAYLOAD; IDX_EIO (a full disk: the record is not there,
 * the file is cut back to what it was; when even that fails, every later
 * append fails too). */
int idx_journal_append(idx_journal *j, int type, const void *data, size_t n, uint64_t *seq,
                       idx_err *err);
/* Append count records (types[k], datas[k][0..lens[k])) with one
 * fdatasync for all of them (a group commit): all are stored, numbered in
 * order into seqs[k] (may be NULL), or none is (the file cut back, as for
 * one record).  The same errors as idx_journal_append. */
int idx_journal_append_many(idx_journal *j, size_t count, const int *types,
                            const void *const *datas, const size_t *lens, uint64_t *seqs,
                            idx_err *err);

/* The last sequence number given (0: none yet), and the journal's size in
 * bytes past its header.  Any thread. */
uint64_t idx_journal_last_seq(idx_journal *j);
uint64_t idx_journal_bytes(idx_journal *j);

/* A reader's position: the records after a sequence number, in order. */
typedef struct idx_jcursor {
    uint64_t off;  /* file offset of the next record to read */
    uint64_t seq;  /* sequence number of the last record returned (or skipped) */
    char *buf;     /* the last record's payload (owned: idx_jcursor_fini) */
    size_t cap;
} idx_jcursor;

typedef struct idx_jrec {
    uint64_t seq;
    int type;
    uint64_t time_ms; /* when it was appended (CLOCK_REALTIME) */
    const char *data; /* payload, valid until the cursor moves */
    size_t len;
    int cont;         /* it continues the group of the record before it */
} idx_jrec;

/* A cursor at the start that skips records up to and including after. */
void idx_jcursor_init(idx_jcursor *c, uint64_t after);
void idx_jcursor_fini(idx_jcursor *c);

/* The next record after c->seq: 1 with *rec, 0 when none is appended yet,
 * or an error (IDX_EIO; IDX_EDB when the file does not hold what was
 * appended). */
int idx_journal_next(idx_journal *j, idx_jcursor *c, idx_jrec *rec, idx_err *err);

/* Drop the records the database holds (up to and including c->seq, the
 * last one the one reader c was given, every one of them applied): when
 * that is every record, the file is cut back to its header; else, when the
 * records applied take at least min_bytes and no less than the records
 * after them, those are copied to PATH.tmp, fsync'd and renamed over the
 * journal (appends wait only for the last part of the copy).  c is moved
 * to match; *trimmed says whether the journal was shortened.  IDX_OK, or
 * IDX_EIO (the journal is as it was, or, with *trimmed, the new file is in
 * use but its directory could not be synced: appends fail until a
 * restart). */
int idx_journal_trim(idx_journal *j, idx_jcursor *c, uint64_t min_bytes, int *trimmed,
                     idx_err *err);

/* Decode the record at buf[0..n): IDX_JOURNAL_RECORD_HEAD + payload bytes
 * consumed with *rec (data pointing into buf), 0 when buf holds less than
 * the whole record, -1 when it is not a record (why names the reason).  The
 * one decoder of the file format (open's scan and the fuzz target use it). */
long long idx_journal_decode(const unsigned char *buf, size_t n, idx_jrec *rec, const char **why);

#endif
