// xap.cc - the only C++ in idx: a C API over Xapian (see xap.h).
//
// Every exported function has the shape
//     try { ... return IDX_OK; } catch (...) { return fail(err, "op"); }
// and fail() rethrows to classify the exception, so no exception ever crosses
// into C.  Reads go through with_retry(), which reopens the database and tries
// once more on DatabaseModifiedError (a writer committed twice meanwhile).
#include "xap.h"
#include "archive.h"
extern "C" {
#include "buf.h" /* idx_hash */
#include "clock.h"
}

#include <sys/stat.h>
#include <time.h>
#include <algorithm>
#include <map>
#include <set>

#include <cstdlib>
#include <cmath>
#include <cstring>
#include <memory>
#include <new>
#include <string>
#include <unordered_set>
#include <vector>

#include <xapian.h>

/* One shard of an archive (archive.h) as opened here. */
struct shard_h {
    std::string name;                      // as in the stub
    Xapian::Database part;                 // readers: this shard alone (for its revision)
    Xapian::WritableDatabase *w = nullptr; // writers (owned)
    bool in_txn = false;
};

struct idx_db {
    Xapian::Database *rd = nullptr;        // always set; == wr when one writable database;
                                           // the union of the shards for an archive
    Xapian::WritableDatabase *wr = nullptr; // one writable database, else NULL
    bool in_txn = false;
    // archives only:
    idx_archive arch{};                    // the stub as read (arch.stub NULL: not an archive)
    bool writer = false;                   // opened to write its local shards
    std::vector<shard_h> shards;           // the shards open now
    std::vector<std::string> missing;      // readers: shards that could not be opened, and why
    std::map<std::string, std::string> meta; // writers: metadata set, for shards made later
    struct timespec stub_mtime{};          // readers: to see a stub rewritten by idx add
    double last_rebuild = 0;               // readers: last attempt to open missing shards
    double retry_every = 1;                // readers: seconds between such attempts (backs off)
    // readers: the directories (and an archive's stub) as opened, to see one
    // replaced by another (a build moved into place) although its revision matches
    std::string path;
    std::vector<std::pair<std::string, std::pair<dev_t, ino_t>>> ident;
};

/* Remember path's inode among the things db was opened from. */
static void note_ident(idx_db *db, const std::string &path)
{
    struct stat st;
    if (stat(path.c_str(), &st) == 0)
        db->ident.push_back({path, {st.st_dev, st.st_ino}});
}

/* Is any of them gone, or another inode now? */
static bool ident_changed(const idx_db *db)
{
    for (const auto &e : db->ident) {
        struct stat st;
        if (stat(e.first.c_str(), &st) != 0 || st.st_dev != e.second.first ||
            st.st_ino != e.second.second)
            return true;
    }
    return false;
}

static unsigned remote_timeout_ms = 5000;

extern "C" void idx_db_set_remote_timeout(unsigned ms)
{
    remote_timeout_ms = ms ? ms : 1;
}

static bool is_archive(const idx_db *db)
{
    return db->arch.stub != NULL;
}

struct idx_xdoc {
    Xapian::Document d;
};

struct idx_xq {
    Xapian::Query q;
};

static int fail(idx_err *err, const char *op)
{
    try {
        throw;
    } catch (const Xapian::DatabaseLockError &e) {
        return idx_err_set(err, IDX_ELOCKED,
                           "[xap][%s] database is locked by another writer (%s)", op,
                           e.get_msg().c_str());
    } catch (const Xapian::DocNotFoundError &e) {
        return idx_err_set(err, IDX_ENOTFOUND, "[xap][%s] %s", op, e.get_msg().c_str());
    } catch (const Xapian::DatabaseNotFoundError &e) {
        return idx_err_set(err, IDX_ENODB, "[xap][%s] no database: %s", op, e.get_msg().c_str());
    } catch (const Xapian::DatabaseOpeningError &e) {
        return idx_err_set(err, IDX_ENODB, "[xap][%s] cannot open database: %s", op,
                           e.get_msg().c_str());
    } catch (const Xapian::InvalidArgumentError &e) {
        return idx_err_set(err, IDX_EINVAL, "[xap][%s] %s", op, e.get_msg().c_str());
    } catch (const Xapian::Error &e) {
        /* the OS reason (e.g. "No space left on device") is kept apart */
        const char *why = e.get_error_string();
        return idx_err_set(err, IDX_EDB, "[xap][%s] %s: %s%s%s%s", op, e.get_type(),
                           e.get_msg().c_str(), why ? " (" : "", why ? why : "", why ? ")" : "");
    } catch (const std::bad_alloc &) {
        return idx_err_set(err, IDX_ENOMEM, "[xap][%s] out of memory", op);
    } catch (const std::exception &e) {
        return idx_err_set(err, IDX_EDB, "[xap][%s] %s", op, e.what());
    } catch (...) {
        return idx_err_set(err, IDX_EDB, "[xap][%s] unknown C++ exception", op);
    }
}

static void open_archive_reader(idx_db *db); // below

template <class F> static int with_retry(idx_db *db, idx_err *err, const char *op, F f)
{
    try {
        try {
            f();
        } catch (const Xapian::DatabaseModifiedError &) {
            db->rd->reopen();
            f();
        } catch (const Xapian::NetworkError &) {
            /* a remote shard went away: search the ones still there */
            if (!is_archive(db) || db->writer) throw;
            open_archive_reader(db);
            f();
        }
        return IDX_OK;
    } catch (...) {
        return fail(err, op);
    }
}

static int oom(idx_err *err, const char *op)
{
    return idx_err_set(err, IDX_ENOMEM, "[xap][%s] out of memory", op);
}

static char *dup_bytes(const std::string &s)
{
    char *p = static_cast<char *>(std::malloc(s.size() + 1));
    if (!p) return NULL;
    std::memcpy(p, s.data(), s.size());
    p[s.size()] = '\0';
    return p;
}

/* ---------------- databases ---------------- */

/* (Re)build the union of an archive's shards from its stub: every shard that
 * opens (remote ones within remote_timeout_ms) is in, the others are listed
 * in db->missing.  Throws when the stub cannot be read or no shard opens. */
static void open_archive_reader(idx_db *db)
{
    db->last_rebuild = idx_clock();
    idx_archive a;
    idx_err e;
    idx_err_clear(&e);
    std::string stub = db->arch.stub;
    struct stat st;
    if (stat(stub.c_str(), &st) == 0) db->stub_mtime = st.st_mtim;
    if (idx_archive_read(stub.c_str(), &a, &e) != IDX_OK)
        throw Xapian::DatabaseOpeningError(e.msg);
    std::unique_ptr<Xapian::Database> all(new Xapian::Database());
    std::vector<shard_h> shards;
    std::vector<std::string> missing;
    db->ident.clear();
    note_ident(db, stub);
    for (size_t i = 0; i < a.nshards; i++) {
        const idx_shard &s = a.shards[i];
        if (s.kind == IDX_SHARD_LOCAL) note_ident(db, s.path);
        try {
            Xapian::Database part =
                s.kind == IDX_SHARD_LOCAL
                    ? Xapian::Database(s.path)
                    : Xapian::Remote::open(s.host, s.port, remote_timeout_ms, remote_timeout_ms);
            all->add_database(part);
            shard_h h;
            h.name = s.name;
            h.part = part;
            shards.push_back(h);
        } catch (const Xapian::Error &x) {
            missing.push_back(std::string(s.name) + ": " + x.get_description());
        }
    }
    if (a.nshards > 0 && shards.empty()) {
        std::string why = missing.empty() ? "" : missing[0];
        idx_archive_fini(&a);
        throw Xapian::DatabaseOpeningError("no shard of " + stub + " could be opened (" + why + ")");
    }
    idx_archive_fini(&db->arch);
    db->arch = a;
    delete db->rd;
    db->rd = all.release();
    db->shards.swap(shards);
    db->missing.swap(missing);
    /* a shard that stays away is retried less and less often (1 s .. 30 s):
     * each attempt can block this reader up to the remote timeout */
    db->retry_every = db->missing.empty() ? 1 : std::min(db->retry_every * 2, 30.0);
}

/* Writers of an archive open every shard, all local, to write (or, for one
 * of several parallel writers, the shards it owns). */
static void open_archive_writer(idx_db *db, unsigned job, unsigned jobs)
{
    db->writer = true;
    std::unique_ptr<Xapian::Database> all(new Xapian::Database());
    for (size_t i = 0; i < db->arch.nshards; i++) {
        const idx_shard &s = db->arch.shards[i];
        if (jobs > 1 && idx_archive_shard_owner(s.name, jobs) != job) continue;
        if (s.kind != IDX_SHARD_LOCAL)
            throw Xapian::InvalidOperationError(std::string("cannot write to the remote shard ") +
                                                s.name + ": index it on the machine that serves it");
        shard_h h;
        h.name = s.name;
        h.w = new Xapian::WritableDatabase(s.path, Xapian::DB_CREATE_OR_OPEN);
        db->shards.push_back(h);
        all->add_database(*db->shards.back().w);
    }
    db->rd = all.release();
}

static int open_any(const char *path, int mode, unsigned job, unsigned jobs, idx_db **out,
                    idx_err *err);

extern "C" int idx_db_open(const char *path, int mode, idx_db **out, idx_err *err)
{
    return open_any(path, mode, 0, 1, out, err);
}

extern "C" int idx_db_open_part(const char *path, unsigned job, unsigned jobs, idx_db **out,
                                idx_err *err)
{
    return open_any(path, IDX_DB_WRITE, job, jobs, out, err);
}

static int open_any(const char *path, int mode, unsigned job, unsigned jobs, idx_db **out,
                    idx_err *err)
{
    *out = NULL;
    idx_db *db = new (std::nothrow) idx_db();
    if (!db) return oom(err, "open");
    char *stub = NULL;
    int isarch = idx_archive_detect(path, &stub);
    if (isarch < 0) {
        delete db;
        return oom(err, "open");
    }
    if (isarch) {
        int rc = idx_archive_read(stub, &db->arch, err);
        free(stub);
        if (rc) {
            delete db;
            return rc;
        }
        try {
            if (mode != IDX_DB_READ)
                open_archive_writer(db, job, jobs);
            else
                open_archive_reader(db);
        } catch (...) {
            rc = fail(err, "open");
            idx_db_close(db);
            return rc;
        }
        *out = db;
        return IDX_OK;
    }
    try {
        if (mode == IDX_DB_SCRATCH) {
            db->wr = new Xapian::WritableDatabase(path, Xapian::DB_CREATE_OR_OPEN |
                                                            Xapian::DB_NO_SYNC);
            db->rd = db->wr;
        } else if (mode == IDX_DB_WRITE) {
            db->wr = new Xapian::WritableDatabase(path, Xapian::DB_CREATE_OR_OPEN);
            db->rd = db->wr;
        } else {
            db->path = path;
            note_ident(db, db->path);
            db->rd = new Xapian::Database(path);
        }
    } catch (...) {
        delete db;
        return fail(err, "open");
    }
    *out = db;
    return IDX_OK;
}

extern "C" void idx_db_close(idx_db *db)
{
    if (!db) return;
    try {
        if (db->wr && db->in_txn) db->wr->cancel_transaction();
    } catch (...) {
    }
    for (shard_h &h : db->shards) {
        try {
            if (h.w && h.in_txn) h.w->cancel_transaction();
        } catch (...) {
        }
        try {
            delete h.w;
        } catch (...) {
        }
    }
    try {
        delete db->rd; // closes; the destructor never throws out
    } catch (...) {
    }
    idx_archive_fini(&db->arch);
    delete db;
}

extern "C" int idx_db_reopen(idx_db *db, idx_err *err)
{
    try {
        if (is_archive(db) && !db->writer) {
            /* the stub rewritten (a shard added), or shards missing a while: rebuild */
            struct stat st;
            bool changed = stat(db->arch.stub, &st) == 0 &&
                           (st.st_mtim.tv_sec != db->stub_mtime.tv_sec ||
                            st.st_mtim.tv_nsec != db->stub_mtime.tv_nsec);
            if (changed ||
                (!db->missing.empty() && idx_clock() - db->last_rebuild >= db->retry_every)) {
                open_archive_reader(db);
                return IDX_OK;
            }
        }
        if (!db->wr && !db->writer && ident_changed(db)) {
            /* moved into place or removed: reopen whole, never half */
            if (is_archive(db)) {
                open_archive_reader(db);
            } else {
                /* what the old handle was opened on stays noted until the
                 * new one opens: a database gone now is noticed again next time */
                auto old = db->ident;
                db->ident.clear();
                note_ident(db, db->path);
                try {
                    std::unique_ptr<Xapian::Database> fresh(new Xapian::Database(db->path));
                    delete db->rd;
                    db->rd = fresh.release();
                } catch (...) {
                    db->ident.swap(old);
                    throw;
                }
            }
            return IDX_OK;
        }
        db->rd->reopen();
        return IDX_OK;
    } catch (const Xapian::NetworkError &) {
        if (!is_archive(db) || db->writer) return fail(err, "reopen");
        try {
            open_archive_reader(db); /* without the shard that went away */
            return IDX_OK;
        } catch (...) {
            return fail(err, "reopen");
        }
    } catch (...) {
        return fail(err, "reopen");
    }
}

static int need_writer(idx_db *db, idx_err *err, const char *op)
{
    if (db->wr || db->writer) return IDX_OK;
    return idx_err_set(err, IDX_EINVAL, "[xap][%s] database was opened read-only", op);
}

extern "C" const char *idx_db_shard_by(const idx_db *db)
{
    return is_archive(db) ? db->arch.shard_by : "";
}

extern "C" int idx_db_compact(idx_db *db, const char *dst, idx_err *err)
{
    struct stat st;
    if (stat(dst, &st) == 0)
        return idx_err_set(err, IDX_EINVAL, "[xap][compact] %s exists already", dst);
    if (!db->missing.empty())
        return idx_err_set(err, IDX_ENODB, "[xap][compact] shard %s is missing",
                           db->missing[0].c_str());
    try {
        db->rd->compact(dst);
        return IDX_OK;
    } catch (...) {
        return fail(err, "compact");
    }
}

extern "C" int idx_db_merge(const char *const *srcs, size_t n, const char *dst, idx_err *err)
{
    struct stat st;
    if (stat(dst, &st) == 0)
        return idx_err_set(err, IDX_EINVAL, "[xap][merge] %s exists already", dst);
    try {
        Xapian::Database all;
        for (size_t i = 0; i < n; i++) all.add_database(Xapian::Database(srcs[i]));
        all.compact(dst, Xapian::DBCOMPACT_MULTIPASS);
        return IDX_OK;
    } catch (...) {
        return fail(err, "merge");
    }
}

extern "C" int idx_db_has_remote(const idx_db *db)
{
    for (size_t i = 0; is_archive(db) && i < db->arch.nshards; i++)
        if (db->arch.shards[i].kind == IDX_SHARD_REMOTE) return 1;
    return 0;
}

extern "C" int idx_db_is_archive(const idx_db *db)
{
    return is_archive(db) ? 1 : 0;
}

extern "C" size_t idx_db_nshards(const idx_db *db)
{
    return is_archive(db) ? db->arch.nshards : 1;
}

extern "C" size_t idx_db_nmissing(const idx_db *db)
{
    return db->missing.size();
}

extern "C" const char *idx_db_missing(const idx_db *db, size_t i)
{
    return i < db->missing.size() ? db->missing[i].c_str() : NULL;
}

extern "C" int idx_db_begin(idx_db *db, idx_err *err)
{
    if (need_writer(db, err, "begin")) return IDX_EINVAL;
    try {
        if (db->writer) {
            for (shard_h &h : db->shards)
                if (!h.in_txn) {
                    h.w->begin_transaction(true);
                    h.in_txn = true;
                }
            db->in_txn = true;
            return IDX_OK;
        }
        db->wr->begin_transaction(true);
        db->in_txn = true;
        return IDX_OK;
    } catch (...) {
        return fail(err, "begin");
    }
}

extern "C" int idx_db_commit(idx_db *db, idx_err *err)
{
    if (need_writer(db, err, "commit")) return IDX_EINVAL;
    try {
        if (db->writer) {
            /* shard by shard: each commit is atomic, the set of them is not */
            db->in_txn = false;
            for (shard_h &h : db->shards) {
                if (h.in_txn) {
                    h.in_txn = false;
                    h.w->commit_transaction();
                } else {
                    h.w->commit();
                }
            }
            return IDX_OK;
        }
        if (db->in_txn) {
            db->in_txn = false; // a failed commit_transaction ends it too
            db->wr->commit_transaction();
        } else {
            db->wr->commit();
        }
        return IDX_OK;
    } catch (...) {
        return fail(err, "commit");
    }
}

extern "C" int idx_db_cancel(idx_db *db, idx_err *err)
{
    if (need_writer(db, err, "cancel")) return IDX_EINVAL;
    try {
        if (db->writer) {
            db->in_txn = false;
            for (shard_h &h : db->shards)
                if (h.in_txn) {
                    h.in_txn = false;
                    h.w->cancel_transaction();
                }
            return IDX_OK;
        }
        if (db->in_txn) {
            db->in_txn = false;
            db->wr->cancel_transaction();
        }
        return IDX_OK;
    } catch (...) {
        return fail(err, "cancel");
    }
}

/* The writer's shard for key, made (stub line, database, metadata, open
 * transaction) when it is new. */
static shard_h &shard_for(idx_db *db, const char *key)
{
    long i = idx_archive_find(&db->arch, key);
    if (i >= 0) {
        const std::string name = db->arch.shards[i].name;
        for (shard_h &h : db->shards)
            if (h.name == name) return h;
        throw Xapian::InvalidOperationError("shard " + name + " is written by another process");
    }
    idx_err e;
    idx_err_clear(&e);
    if (idx_archive_add_shard(&db->arch, key, &e) != IDX_OK) throw Xapian::DatabaseError(e.msg);
    const idx_shard &s = db->arch.shards[db->arch.nshards - 1];
    shard_h h;
    h.name = s.name;
    h.w = new Xapian::WritableDatabase(s.path, Xapian::DB_CREATE_OR_OPEN);
    db->shards.push_back(h);
    shard_h &n = db->shards.back();
    for (const auto &kv : db->meta) n.w->set_metadata(kv.first, kv.second);
    if (db->in_txn) {
        n.w->begin_transaction(true);
        n.in_txn = true;
    }
    db->rd->add_database(*n.w);
    return n;
}

extern "C" int idx_db_replace_in(idx_db *db, const char *shard_key, const char *uid, size_t uidlen,
                                 const idx_xdoc *doc, int *existed, idx_err *err)
{
    if (!db->writer) return idx_db_replace(db, uid, uidlen, doc, existed, err);
    try {
        std::string term(uid, uidlen);
        shard_h &target = shard_for(db, shard_key);
        bool had = false;
        for (shard_h &h : db->shards) {
            if (&h == &target || !h.w->term_exists(term)) continue;
            h.w->delete_document(term); /* it moved shard (its date changed) */
            had = true;
        }
        had |= target.w->term_exists(term);
        if (existed) *existed = had ? 1 : 0;
        target.w->replace_document(term, doc->d);
        return IDX_OK;
    } catch (...) {
        return fail(err, "replace");
    }
}

extern "C" int idx_db_replace(idx_db *db, const char *uid, size_t uidlen, const idx_xdoc *doc,
                              int *existed, idx_err *err)
{
    if (need_writer(db, err, "replace")) return IDX_EINVAL;
    if (db->writer)
        return idx_err_set(err, IDX_EINVAL, "[xap][replace] an archive needs a shard key");
    try {
        std::string term(uid, uidlen);
        if (existed) *existed = db->wr->term_exists(term) ? 1 : 0;
        db->wr->replace_document(term, doc->d);
        return IDX_OK;
    } catch (...) {
        return fail(err, "replace");
    }
}

extern "C" int idx_db_delete(idx_db *db, const char *uid, size_t uidlen, idx_err *err)
{
    if (need_writer(db, err, "delete")) return IDX_EINVAL;
    try {
        std::string term(uid, uidlen);
        if (db->writer) {
            bool found = false;
            for (shard_h &h : db->shards)
                if (h.w->term_exists(term)) {
                    h.w->delete_document(term);
                    found = true;
                }
            if (!found)
                return idx_err_set(err, IDX_ENOTFOUND, "[xap][delete] no document with this id");
            return IDX_OK;
        }
        if (!db->wr->term_exists(term))
            return idx_err_set(err, IDX_ENOTFOUND, "[xap][delete] no document with this id");
        db->wr->delete_document(term);
        return IDX_OK;
    } catch (...) {
        return fail(err, "delete");
    }
}

extern "C" int idx_db_get_data(idx_db *db, const char *uid, size_t uidlen, char **data,
                               size_t *len, idx_err *err)
{
    *data = NULL;
    std::string out;
    bool found = false;
    int rc = with_retry(db, err, "get", [&] {
        std::string term(uid, uidlen);
        Xapian::PostingIterator p = db->rd->postlist_begin(term);
        found = p != db->rd->postlist_end(term);
        if (found) out = db->rd->get_document(*p).get_data();
    });
    if (rc) return rc;
    if (!found) return idx_err_set(err, IDX_ENOTFOUND, "[xap][get] no document with this id");
    if (!(*data = dup_bytes(out))) return oom(err, "get");
    if (len) *len = out.size();
    return IDX_OK;
}

extern "C" void idx_near_cands_free(idx_near_cand *c, size_t n)
{
    if (!c) return;
    for (size_t i = 0; i < n; i++) {
        std::free(c[i].sig);
        std::free(c[i].key);
    }
    std::free(c);
}

extern "C" int idx_db_near_candidates(idx_db *db, const char *const *terms, const size_t *lens,
                                      size_t n, unsigned sig_slot, unsigned key_slot, size_t max,
                                      idx_near_cand **out, size_t *nout, idx_err *err)
{
    *out = NULL;
    *nout = 0;
    std::set<Xapian::docid> seen;
    int rc = with_retry(db, err, "near_candidates", [&] {
        seen.clear();
        for (size_t t = 0; t < n; t++) {
            std::string term(terms[t], lens[t]);
            /* most band terms are new: a frequency is a cheap lookup, an
             * empty posting list is not */
            if (db->rd->get_termfreq(term) == 0) continue;
            for (Xapian::PostingIterator p = db->rd->postlist_begin(term);
                 p != db->rd->postlist_end(term) && seen.size() < max; ++p)
                seen.insert(*p);
        }
    });
    if (rc || seen.empty()) return rc;
    idx_near_cand *c = static_cast<idx_near_cand *>(std::calloc(seen.size(), sizeof *c));
    if (!c) return oom(err, "near_candidates");
    size_t k = 0;
    rc = with_retry(db, err, "near_candidates", [&] {
        for (; k > 0; k--) { /* a retry starts again */
            std::free(c[k - 1].sig);
            std::free(c[k - 1].key);
            c[k - 1].sig = c[k - 1].key = NULL;
        }
        for (Xapian::docid id : seen) {
            Xapian::Document d = db->rd->get_document(id, Xapian::DOC_ASSUME_VALID);
            std::string sig = d.get_value(sig_slot), key = d.get_value(key_slot);
            c[k].docid = id;
            c[k].sig = dup_bytes(sig);
            c[k].key = dup_bytes(key);
            c[k].siglen = sig.size();
            c[k].keylen = key.size();
            k++;
            if (!c[k - 1].sig || !c[k - 1].key) throw std::bad_alloc();
        }
    });
    if (rc) {
        idx_near_cands_free(c, k);
        return rc;
    }
    *out = c;
    *nout = k;
    return IDX_OK;
}

extern "C" int idx_db_doc_data(idx_db *db, unsigned docid, char **data, size_t *len,
                               idx_err *err)
{
    *data = NULL;
    std::string out;
    int rc = with_retry(db, err, "doc_data", [&] { out = db->rd->get_document(docid).get_data(); });
    if (rc) return rc;
    if (!(*data = dup_bytes(out))) return oom(err, "doc_data");
    if (len) *len = out.size();
    return IDX_OK;
}

namespace {
/* Content terms only: no uppercase prefix (Q id, S title, X.. filters, Y/M/D
 * dates), and not a lone CJK character (a unigram: too common to tell
 * articles apart). */
struct ContentTerms : public Xapian::ExpandDecider {
    bool operator()(const std::string &t) const override
    {
        if (t.empty() || (t[0] >= 'A' && t[0] <= 'Z')) return false;
        unsigned char c = (unsigned char)t[0];
        size_t one = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
        if (c >= 0x80 && t.size() == one) return false;
        return t.size() >= 2;
    }
};
} // namespace

extern "C" int idx_db_more_like(idx_db *db, const char *uid, size_t uidlen, unsigned nterms,
                                idx_xq **out, idx_err *err)
{
    *out = NULL;
    bool found = false;
    std::vector<std::string> terms;
    int rc = with_retry(db, err, "more_like", [&] {
        terms.clear();
        std::string term(uid, uidlen);
        Xapian::PostingIterator p = db->rd->postlist_begin(term);
        found = p != db->rd->postlist_end(term);
        if (!found) return;
        Xapian::RSet rset;
        rset.add_document(*p);
        Xapian::Enquire enq(*db->rd);
        ContentTerms decider;
        Xapian::ESet eset = enq.get_eset(nterms, rset, &decider);
        for (Xapian::ESetIterator e = eset.begin(); e != eset.end(); ++e) terms.push_back(*e);
    });
    if (rc) return rc;
    if (!found) return idx_err_set(err, IDX_ENOTFOUND, "[xap][more_like] no document with this id");
    if (terms.empty())
        return idx_err_set(err, IDX_EINVAL, "[xap][more_like] the document has no content terms");
    try {
        idx_xq *q = new idx_xq;
        q->q = Xapian::Query(Xapian::Query::OP_OR, terms.begin(), terms.end());
        *out = q;
        return IDX_OK;
    } catch (...) {
        return fail(err, "more_like");
    }
}

extern "C" int idx_db_set_metadata(idx_db *db, const char *key, const char *value, idx_err *err)
{
    if (need_writer(db, err, "set_metadata")) return IDX_EINVAL;
    try {
        if (db->writer) {
            db->meta[key] = value;
            for (shard_h &h : db->shards) h.w->set_metadata(key, value);
            return IDX_OK;
        }
        db->wr->set_metadata(key, value);
        return IDX_OK;
    } catch (...) {
        return fail(err, "set_metadata");
    }
}

extern "C" int idx_db_get_metadata(idx_db *db, const char *key, char **value, idx_err *err)
{
    *value = NULL;
    std::string v;
    int rc = with_retry(db, err, "get_metadata", [&] {
        auto m = db->meta.find(key);
        v = m != db->meta.end() ? m->second : db->rd->get_metadata(key);
    });
    if (rc) return rc;
    if (!(*value = dup_bytes(v))) return oom(err, "get_metadata");
    return IDX_OK;
}

extern "C" int idx_db_get_stats(idx_db *db, idx_db_stats *st, idx_err *err)
{
    std::memset(st, 0, sizeof *st);
    return with_retry(db, err, "stats", [&] {
        st->documents = db->rd->get_doccount();
        st->total_length = db->rd->get_total_length();
        st->avg_length = db->rd->get_avlength();
        if (!is_archive(db)) {
            st->revision = db->rd->get_revision();
        } else { /* the sum over the shards: it grows with every commit to any */
            st->revision = 0;
            for (shard_h &h : db->shards) {
                try {
                    st->revision += h.w ? h.w->get_revision() : h.part.get_revision();
                } catch (const Xapian::UnimplementedError &) {
                }
            }
        }
        st->last_docid = db->rd->get_lastdocid();
        st->has_positions = db->rd->has_positions() ? 1 : 0;
        std::string uuid = db->rd->get_uuid();
        st->identity = idx_hash(IDX_HASH_SEED, uuid.data(), uuid.size());
    });
}

extern "C" int idx_db_term_freq(idx_db *db, const char *term, size_t n, uint64_t *freq,
                                idx_err *err)
{
    *freq = 0;
    return with_retry(db, err, "term_freq",
                      [&] { *freq = db->rd->get_termfreq(std::string(term, n)); });
}

/* ---------------- documents ---------------- */

extern "C" int idx_xdoc_new(idx_xdoc **out, idx_err *err)
{
    try {
        *out = new idx_xdoc();
        return IDX_OK;
    } catch (...) {
        *out = NULL;
        return fail(err, "xdoc_new");
    }
}

extern "C" void idx_xdoc_free(idx_xdoc *doc) { delete doc; }

extern "C" int idx_xdoc_add_posting(idx_xdoc *doc, const char *t, size_t n, uint32_t pos,
                                    idx_err *err)
{
    try {
        doc->d.add_posting(std::string(t, n), pos);
        return IDX_OK;
    } catch (...) {
        return fail(err, "add_posting");
    }
}

extern "C" int idx_xdoc_add_term(idx_xdoc *doc, const char *t, size_t n, idx_err *err)
{
    try {
        doc->d.add_term(std::string(t, n));
        return IDX_OK;
    } catch (...) {
        return fail(err, "add_term");
    }
}

extern "C" int idx_xdoc_add_boolean_term(idx_xdoc *doc, const char *t, size_t n, idx_err *err)
{
    try {
        doc->d.add_boolean_term(std::string(t, n));
        return IDX_OK;
    } catch (...) {
        return fail(err, "add_boolean_term");
    }
}

extern "C" int idx_xdoc_set_value(idx_xdoc *doc, unsigned slot, const char *v, size_t n,
                                  idx_err *err)
{
    try {
        doc->d.add_value(slot, std::string(v, n));
        return IDX_OK;
    } catch (...) {
        return fail(err, "set_value");
    }
}

extern "C" int idx_xdoc_set_data(idx_xdoc *doc, const char *d, size_t n, idx_err *err)
{
    try {
        doc->d.set_data(std::string(d, n));
        return IDX_OK;
    } catch (...) {
        return fail(err, "set_data");
    }
}

extern "C" size_t idx_sortable_serialise(double v, char out[18])
{
    // Xapian::sortable_serialise_(double, char*) writes at most 18 bytes and
    // does not allocate or throw.
    return Xapian::sortable_serialise_(v, out);
}

/* ---------------- queries ---------------- */

static int wrap(Xapian::Query q, idx_xq **out, idx_err *err, const char *op)
{
    idx_xq *h = new (std::nothrow) idx_xq();
    if (!h) return oom(err, op);
    h->q = std::move(q);
    *out = h;
    return IDX_OK;
}

extern "C" int idx_xq_term(const char *t, size_t n, idx_xq **out, idx_err *err)
{
    *out = NULL;
    try {
        return wrap(Xapian::Query(std::string(t, n)), out, err, "term");
    } catch (...) {
        return fail(err, "term");
    }
}

extern "C" int idx_xq_phrase(const char *const *terms, const size_t *lens, size_t nterms,
                             unsigned window, idx_xq **out, idx_err *err)
{
    *out = NULL;
    try {
        std::vector<Xapian::Query> v;
        v.reserve(nterms);
        for (size_t i = 0; i < nterms; i++) v.emplace_back(std::string(terms[i], lens[i]));
        if (nterms == 1) return wrap(std::move(v[0]), out, err, "phrase");
        return wrap(Xapian::Query(Xapian::Query::OP_PHRASE, v.begin(), v.end(), window), out, err,
                    "phrase");
    } catch (...) {
        return fail(err, "phrase");
    }
}

extern "C" int idx_xq_combine(int op, idx_xq *const *subs, size_t n, idx_xq **out, idx_err *err)
{
    *out = NULL;
    Xapian::Query::op xop;
    switch (op) {
    case IDX_XQ_AND: xop = Xapian::Query::OP_AND; break;
    case IDX_XQ_OR: xop = Xapian::Query::OP_OR; break;
    case IDX_XQ_AND_NOT: xop = Xapian::Query::OP_AND_NOT; break;
    case IDX_XQ_AND_MAYBE: xop = Xapian::Query::OP_AND_MAYBE; break;
    case IDX_XQ_FILTER: xop = Xapian::Query::OP_FILTER; break;
    default: return idx_err_set(err, IDX_EINVAL, "[xap][combine] unknown operator %d", op);
    }
    try {
        std::vector<Xapian::Query> v;
        v.reserve(n);
        for (size_t i = 0; i < n; i++) v.push_back(subs[i]->q);
        return wrap(Xapian::Query(xop, v.begin(), v.end()), out, err, "combine");
    } catch (...) {
        return fail(err, "combine");
    }
}

extern "C" int idx_xq_value_range(unsigned slot, const char *lo, size_t lolen, const char *hi,
                                  size_t hilen, idx_xq **out, idx_err *err)
{
    *out = NULL;
    try {
        if (lo && hi)
            return wrap(Xapian::Query(Xapian::Query::OP_VALUE_RANGE, slot, std::string(lo, lolen),
                                      std::string(hi, hilen)),
                        out, err, "value_range");
        if (lo)
            return wrap(Xapian::Query(Xapian::Query::OP_VALUE_GE, slot, std::string(lo, lolen)),
                        out, err, "value_range");
        if (hi)
            return wrap(Xapian::Query(Xapian::Query::OP_VALUE_LE, slot, std::string(hi, hilen)),
                        out, err, "value_range");
        return wrap(Xapian::Query(std::string()), out, err, "value_range"); /* see idx_xq_all */
    } catch (...) {
        return fail(err, "value_range");
    }
}

extern "C" int idx_xq_prefix(const char *p, size_t n, unsigned max_expansion, idx_xq **out,
                             idx_err *err)
{
    *out = NULL;
    try {
        // max_expansion 0 means no limit; with LIMIT_MOST_FREQUENT Xapian
        // would read it as "expand to nothing"
        int mode = max_expansion ? Xapian::Query::WILDCARD_LIMIT_MOST_FREQUENT
                                 : Xapian::Query::WILDCARD_LIMIT_ERROR;
        return wrap(Xapian::Query(Xapian::Query::OP_WILDCARD, std::string(p, n), max_expansion,
                                  mode),
                    out, err, "prefix");
    } catch (...) {
        return fail(err, "prefix");
    }
}

namespace {
// Weight max_weight * 2^(-age / half_life) from a sortable date value: the
// freshness half of a recency blend (idx_xq_recency).
class RecencySource : public Xapian::ValuePostingSource {
    double now_, half_life_, max_weight_;

  public:
    RecencySource(Xapian::valueno slot, double now, double half_life, double max_weight)
        : Xapian::ValuePostingSource(slot), now_(now), half_life_(half_life),
          max_weight_(max_weight)
    {
    }
    void init(const Xapian::Database &db) override
    {
        Xapian::ValuePostingSource::init(db);
        set_maxweight(max_weight_);
    }
    double get_weight() const override
    {
        std::string v = get_value();
        if (v.empty()) return 0;
        double age = now_ - Xapian::sortable_unserialise(v);
        if (age < 0) age = 0;
        return max_weight_ * std::exp2(-age / half_life_);
    }
    RecencySource *clone() const override
    {
        return new RecencySource(get_slot(), now_, half_life_, max_weight_);
    }
    std::string name() const override { return "idx.Recency"; }
};
} // namespace

extern "C" int idx_xq_recency(unsigned slot, double now, double half_life_s, double max_weight,
                              idx_xq **out, idx_err *err)
{
    *out = NULL;
    try {
        if (!(half_life_s > 0) || !(max_weight >= 0))
            return idx_err_set(err, IDX_EINVAL, "[xap][recency] bad half-life or weight");
        Xapian::PostingSource *src = new RecencySource(slot, now, half_life_s, max_weight);
        return wrap(Xapian::Query(src->release()), out, err, "recency");
    } catch (...) {
        return fail(err, "recency");
    }
}

extern "C" int idx_xq_all(idx_xq **out, idx_err *err)
{
    *out = NULL;
    try {
        // Query(std::string()) matches every document, like Query::MatchAll;
        // but copying the static MatchAll object touches a reference count
        // that is not atomic in Xapian 1.4, a use-after-free when idxd's
        // worker threads do it at once.
        return wrap(Xapian::Query(std::string()), out, err, "all");
    } catch (...) {
        return fail(err, "all");
    }
}

extern "C" int idx_xq_scale(const idx_xq *q, double factor, idx_xq **out, idx_err *err)
{
    *out = NULL;
    try {
        return wrap(Xapian::Query(Xapian::Query::OP_SCALE_WEIGHT, q->q, factor), out, err,
                    "scale");
    } catch (...) {
        return fail(err, "scale");
    }
}

extern "C" int idx_xq_describe(const idx_xq *q, char **out, idx_err *err)
{
    *out = NULL;
    try {
        if (!(*out = dup_bytes(q->q.get_description()))) return oom(err, "describe");
        return IDX_OK;
    } catch (...) {
        return fail(err, "describe");
    }
}

extern "C" void idx_xq_free(idx_xq *q) { delete q; }

/* ---------------- searching ---------------- */

static void free_facets(idx_results *r)
{
    for (size_t f = 0; f < r->nfacets; f++) {
        for (size_t i = 0; i < r->facets[f].nvalues; i++) std::free(r->facets[f].values[i].value);
        std::free(r->facets[f].values);
    }
    std::free(r->facets);
    r->facets = NULL;
    r->nfacets = 0;
}

extern "C" void idx_results_free(idx_results *r)
{
    if (!r) return;
    for (size_t i = 0; i < r->nhits; i++) {
        std::free(r->hits[i].data);
        std::free(r->hits[i].key);
    }
    std::free(r->hits);
    free_facets(r);
    std::free(r);
}

namespace {

/* Thrown by MatchedSpy when the deadline has passed: it ends get_mset. */
struct deadline_passed {};

/* Sees every document the matcher accepts (before collapsing, after every
 * positional check) and keeps what a search needs beyond Xapian's MSet:
 * the number of distinct collapse keys among them (Xapian's collapsed
 * counts are estimates even when every match was seen), and, when a
 * deadline is set, enough of each one (id, weight, sort value, key) to rank
 * what was matched if the deadline stops the match. */
class MatchedSpy : public Xapian::MatchSpy {
  public:
    struct item {
        Xapian::docid did;
        double wt;
        std::string sortv, key;
    };
    MatchedSpy(const idx_search_opts *o)
        : opts(o), hard(o->deadline_hard > o->deadline ? o->deadline_hard : o->deadline)
    {
    }
    void operator()(const Xapian::Document &doc, double wt) override
    {
        ++seen;
        Xapian::docid did = doc.get_docid();
        std::string key;
        uint64_t h = 0;
        if (opts->collapse) {
            key = doc.get_value(opts->key_slot);
            if (key.empty()) ++unkeyed;
            else hashes.push_back(h = idx_hash(IDX_HASH_SEED, key.data(), key.size()));
        }
        if (opts->deadline <= 0) return;
        /* the page is matched when offset + limit hits are: clusters when
         * collapsing (counted until there are enough) */
        Xapian::doccount page = (Xapian::doccount)opts->offset + opts->limit;
        if (!opts->collapse || key.empty()) ++page_hits;
        else if (page_keys.size() + page_hits < page) page_keys.insert(h);
        if (items.size() < MAX_ITEMS) {
            item it{did, wt, std::string(), std::move(key)};
            if (opts->sort != IDX_SORT_RELEVANCE) it.sortv = doc.get_value(opts->sort_slot);
            items.push_back(std::move(it));
        }
        if (did > last_did) last_did = did;
        if (should_stop()) throw deadline_passed();
    }
    /* Past the deadline with a page matched, or past the hard one? */
    bool should_stop() const
    {
        if (opts->deadline <= 0) return false;
        double now = idx_clock();
        return now >= opts->deadline &&
               (page_keys.size() + page_hits >= (Xapian::doccount)opts->offset + opts->limit ||
                now >= hard);
    }
    /* Clusters among the documents seen (one each without a key). */
    Xapian::doccount distinct()
    {
        std::sort(hashes.begin(), hashes.end());
        size_t n = std::unique(hashes.begin(), hashes.end()) - hashes.begin();
        hashes.resize(n);
        return unkeyed + (Xapian::doccount)n;
    }
    static const size_t MAX_ITEMS = 1 << 17; // what a stopped match ranks, at most
    const idx_search_opts *opts;
    double hard;
    Xapian::docid last_did = 0; // the matcher goes in docid order: how far it got
    Xapian::doccount seen = 0, unkeyed = 0;
    std::vector<uint64_t> hashes;
    std::vector<item> items;
    Xapian::doccount page_hits = 0;       // hits toward the page: unkeyed, or not collapsing
    std::unordered_set<uint64_t> page_keys; // clusters toward the page (at most its size)
};

/* Matches every document, with no weight: ANDed (FILTER) to a query, it is
 * asked about every candidate the query's postings produce, before the
 * matcher decides whether the candidate can rank (only those that can reach
 * a match spy), so it sees the clock even while a search under a date sort,
 * or one pruned by weight, walks candidates no spy is shown.  Every 64 of
 * them it asks the spy whether the deadline has passed and, if so, ends the
 * match as the spy does.  Local databases only (xapian-tcpsrv cannot
 * unserialise a posting source of ours). */
class DeadlineSource : public Xapian::PostingSource {
  public:
    explicit DeadlineSource(const MatchedSpy *s) : spy(s) {}
    Xapian::PostingSource *clone() const override { return new DeadlineSource(spy); }
    void init(const Xapian::Database &db) override
    {
        did = 0;
        last = db.get_lastdocid();
        all = db.get_doccount();
    }
    Xapian::doccount get_termfreq_min() const override { return all; }
    Xapian::doccount get_termfreq_est() const override { return all; }
    Xapian::doccount get_termfreq_max() const override { return all; }
    void next(double) override
    {
        ++did;
        tick();
    }
    void skip_to(Xapian::docid d, double) override
    {
        if (d > did) did = d;
        tick();
    }
    bool check(Xapian::docid d, double) override
    {
        did = d;
        tick();
        return true;
    }
    bool at_end() const override { return did > last; }
    Xapian::docid get_docid() const override { return did; }
    std::string get_description() const override { return "DeadlineSource()"; }

  private:
    void tick()
    {
        if ((++calls & 63) == 0 && spy->should_stop()) throw deadline_passed();
    }
    const MatchedSpy *spy;
    Xapian::docid did = 0, last = 0;
    Xapian::doccount all = 0;
    unsigned calls = 0;
};

} // namespace

static void clear_hits(idx_results *res)
{
    for (size_t i = 0; i < res->nhits; i++) {
        std::free(res->hits[i].data);
        std::free(res->hits[i].key);
    }
    std::free(res->hits);
    res->hits = NULL;
    res->nhits = 0;
}

static void fill_facets(idx_results *res, const idx_search_opts *opts,
                        std::vector<std::unique_ptr<Xapian::ValueCountMatchSpy>> &spies)
{
    if (!opts->nfacets) return;
    res->facets = static_cast<idx_facet *>(std::calloc(opts->nfacets, sizeof(idx_facet)));
    if (!res->facets) throw std::bad_alloc();
    res->nfacets = opts->nfacets;
    for (size_t f = 0; f < opts->nfacets; f++) {
        idx_facet *fc = &res->facets[f];
        fc->slot = opts->facet_slots[f];
        unsigned limit = opts->facet_limit ? opts->facet_limit : 20;
        fc->values = static_cast<idx_facet_value *>(std::calloc(limit, sizeof(idx_facet_value)));
        if (!fc->values) throw std::bad_alloc();
        for (Xapian::TermIterator t = spies[f]->top_values_begin(limit);
             t != spies[f]->top_values_end(limit) && fc->nvalues < limit; ++t) {
            std::string v = *t;
            idx_facet_value *fv = &fc->values[fc->nvalues];
            if (!(fv->value = dup_bytes(v))) throw std::bad_alloc();
            fv->len = v.size();
            fv->count = t.get_termfreq();
            fc->nvalues++;
        }
    }
}

/* One hit of document did at rank (data, and key when asked). */
static void put_hit(idx_results *res, const idx_search_opts *opts, const Xapian::Document &doc,
                    Xapian::docid did, double wt, unsigned rank, unsigned collapsed)
{
    idx_hit *h = &res->hits[res->nhits];
    if (!opts->no_data) {
        std::string data = doc.get_data();
        if (!(h->data = dup_bytes(data))) throw std::bad_alloc();
        h->data_len = data.size();
    }
    h->docid = did;
    h->score = wt;
    h->rank = rank;
    res->nhits++;
    if (opts->with_key) {
        std::string k = doc.get_value(opts->key_slot);
        if (!(h->key = dup_bytes(k))) throw std::bad_alloc();
        h->key_len = k.size();
    }
    if (opts->collapse) h->collapsed = collapsed;
}

/* The deadline stopped the match: rank what the spy saw as Xapian would have
 * (sort value, then weight, then document id), keep the best per key when
 * collapsing, and return the page asked for. */
static void partial_hits(idx_db *db, idx_results *res, const idx_search_opts *opts,
                         MatchedSpy &spy)
{
    std::vector<MatchedSpy::item> &v = spy.items;
    int sort = opts->sort;
    std::stable_sort(v.begin(), v.end(), [sort](const MatchedSpy::item &a,
                                                const MatchedSpy::item &b) {
        if (sort != IDX_SORT_RELEVANCE && a.sortv != b.sortv)
            return sort == IDX_SORT_DATE_DESC ? a.sortv > b.sortv : a.sortv < b.sortv;
        if (a.wt != b.wt) return a.wt > b.wt;
        return a.did < b.did;
    });
    std::vector<size_t> shown; // indexes into v, one per cluster, in order
    std::map<std::string, size_t> at; // key -> its position in shown
    std::vector<unsigned> collapsed;
    for (size_t i = 0; i < v.size(); i++) {
        if (opts->collapse && !v[i].key.empty()) {
            auto it = at.find(v[i].key);
            if (it != at.end()) {
                collapsed[it->second]++;
                continue;
            }
            at[v[i].key] = shown.size();
        }
        shown.push_back(i);
        collapsed.push_back(0);
    }
    size_t first = opts->offset, last = std::min(shown.size(), (size_t)opts->offset + opts->limit);
    if (first >= last) return;
    res->hits = static_cast<idx_hit *>(std::calloc(last - first, sizeof(idx_hit)));
    if (!res->hits) throw std::bad_alloc();
    for (size_t r = first; r < last; r++) {
        const MatchedSpy::item &it = v[shown[r]];
        put_hit(res, opts, db->rd->get_document(it.did), it.did, it.wt, (unsigned)r,
                collapsed[r]);
    }
}

extern "C" int idx_db_search(idx_db *db, const idx_xq *q, const idx_search_opts *opts,
                             idx_results **out, idx_err *err)
{
    *out = NULL;
    idx_results *res = static_cast<idx_results *>(std::calloc(1, sizeof *res));
    if (!res) return oom(err, "search");
    /* xapian-tcpsrv cannot run a spy of ours: Xapian's counts, its time limit */
    bool remote = is_archive(db) && idx_db_has_remote(db);
    int rc = with_retry(db, err, "search", [&] {
        // a retry starts from scratch
        clear_hits(res);
        free_facets(res);
        res->timed_out = 0;

        Xapian::Enquire enq(*db->rd);
        MatchedSpy spy(opts);
        if (!remote && opts->deadline > 0) /* the clock asked about every candidate */
            enq.set_query(Xapian::Query(Xapian::Query::OP_FILTER, q->q,
                                        Xapian::Query((new DeadlineSource(&spy))->release())));
        else
            enq.set_query(q->q);
        std::vector<std::unique_ptr<Xapian::ValueCountMatchSpy>> spies;
        for (size_t f = 0; f < opts->nfacets; f++) {
            spies.emplace_back(new Xapian::ValueCountMatchSpy(opts->facet_slots[f]));
            enq.add_matchspy(spies.back().get());
        }
        bool own = !remote && (opts->collapse || opts->deadline > 0);
        if (own) enq.add_matchspy(&spy); // last: the facets have counted a document it stops at
        if (remote && opts->deadline > 0)
            enq.set_time_limit(std::max(0.001, opts->deadline - idx_clock()));
        Xapian::doccount check = opts->check_at_least;
        if (opts->nfacets) check = db->rd->get_doccount(); /* counts over every match */
        if (check < opts->offset + opts->limit) check = opts->offset + opts->limit;
        if (opts->sort == IDX_SORT_DATE_ASC)
            enq.set_sort_by_value_then_relevance(opts->sort_slot, false);
        else if (opts->sort == IDX_SORT_DATE_DESC)
            enq.set_sort_by_value_then_relevance(opts->sort_slot, true);
        if (opts->collapse) enq.set_collapse_key(opts->key_slot);
        Xapian::MSet m;
        try {
            m = enq.get_mset(opts->offset, opts->limit, check);
        } catch (const deadline_passed &) {
            /* what was matched: its clusters are a lower bound; the
             * matcher walks documents in id order, so the part of the id
             * range it covered scales that up to an estimate */
            res->timed_out = 1;
            fill_facets(res, opts, spies);
            partial_hits(db, res, opts, spy);
            res->lower = opts->collapse ? spy.distinct() : spy.seen;
            res->upper = std::max<uint64_t>(res->lower, db->rd->get_doccount());
            double covered = spy.last_did ? (double)spy.last_did / db->rd->get_lastdocid() : 1;
            res->estimated = (uint64_t)std::llround(res->lower / std::max(covered, 1e-3));
            res->estimated = std::max(res->lower, std::min(res->estimated, res->upper));
            res->exact = 0;
            return;
        }
        res->estimated = m.get_matches_estimated();
        res->lower = m.get_matches_lower_bound();
        res->upper = m.get_matches_upper_bound();
        if (own && opts->collapse) {
            /* every match was seen when fewer than check were: then the
             * clusters among them are the exact total.  Otherwise scale
             * Xapian's uncollapsed estimate by the share of distinct
             * clusters seen, within what is known. */
            Xapian::doccount distinct = spy.distinct();
            if (spy.seen < check) {
                res->estimated = res->lower = res->upper = distinct;
            } else {
                double rate = (double)distinct / spy.seen;
                res->lower = std::max<uint64_t>(res->lower, distinct);
                res->upper = std::max<uint64_t>(res->lower,
                                                m.get_uncollapsed_matches_upper_bound());
                res->estimated = (uint64_t)std::llround(m.get_uncollapsed_matches_estimated() * rate);
                res->estimated = std::max(res->lower, std::min(res->estimated, res->upper));
            }
        }
        res->exact = res->lower == res->upper;
        fill_facets(res, opts, spies);
        if (m.size() == 0) return;
        res->hits = static_cast<idx_hit *>(std::calloc(m.size(), sizeof(idx_hit)));
        if (!res->hits) throw std::bad_alloc();
        for (Xapian::MSetIterator it = m.begin(); it != m.end(); ++it)
            put_hit(res, opts, it.get_document(), *it, it.get_weight(), it.get_rank(),
                    opts->collapse ? it.get_collapse_count() : 0);
    });
    if (rc) {
        idx_results_free(res);
        return rc;
    }
    *out = res;
    return IDX_OK;
}
