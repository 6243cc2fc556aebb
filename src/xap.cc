// xap.cc - the only C++ in idx: a C API over Xapian's objects (see xap.h).
//
// Every exported function has the shape
//     try { ... return IDX_OK; } catch (...) { return fail(err, "op"); }
// and fail() rethrows to classify the exception, so no exception ever crosses
// into C.  Reads go through with_retry(), which reopens the database and tries
// once more on DatabaseModifiedError (a writer committed twice meanwhile),
// and notes a NetworkError (a remote database gone) for idx_xrd_lost().
// Nothing in here knows about archives, shards or idx's documents: db.c
// builds those on these handles.
#include "xap.h"
extern "C" {
#include "hash.h"
#include "clock.h"
}

#include <sys/stat.h>
#include <algorithm>
#include <set>

#include <cstdio>
#include <cstdlib>
#include <cmath>
#include <cstring>
#include <atomic>
#include <exception>
#include <memory>
#include <new>
#include <sstream>
#include <string>
#include <unordered_set>
#include <vector>

#include <xapian.h>

struct idx_xrd {
    Xapian::Database db;                 // one database, or the union of parts
    bool multi = false;                  // a union (idx_xrd_new)
    bool remote = false;                 // IDX_XRD_REMOTE
    std::vector<Xapian::Database> parts; // a union's databases, each alone (for its revision)
    bool lost = false;                   // the last read failed with a NetworkError
};

struct idx_xwr {
    Xapian::WritableDatabase db;
    bool in_txn = false;
};

struct idx_xdoc {
    Xapian::Document d;
};

struct idx_xq {
    Xapian::Query q;
};

/* Where an error of operation op came from: "xap.op", in a buffer of its
 * own (no allocation: it is also made while handling std::bad_alloc); a
 * temporary, good for the call it is an argument of. */
struct xwhere {
    char b[48];
    explicit xwhere(const char *op) { snprintf(b, sizeof b, "xap.%s", op); }
};
#define XWHERE(op) (xwhere(op).b)

static int fail(idx_err *err, const char *op)
{
    try {
        throw;
    } catch (const Xapian::DatabaseLockError &e) {
        return idx_err_set(err, IDX_ELOCKED,
                           XWHERE(op), "database is locked by another writer (%s)",
                           e.get_msg().c_str());
    } catch (const Xapian::DocNotFoundError &e) {
        return idx_err_set(err, IDX_ENOTFOUND, XWHERE(op), "%s", e.get_msg().c_str());
    } catch (const Xapian::DatabaseNotFoundError &e) {
        return idx_err_set(err, IDX_ENODB, XWHERE(op), "no database: %s", e.get_msg().c_str());
    } catch (const Xapian::DatabaseOpeningError &e) {
        return idx_err_set(err, IDX_ENODB, XWHERE(op), "cannot open database: %s",
                           e.get_msg().c_str());
    } catch (const Xapian::InvalidArgumentError &e) {
        return idx_err_set(err, IDX_EINVAL, XWHERE(op), "%s", e.get_msg().c_str());
    } catch (const Xapian::DatabaseModifiedError &e) {
        return idx_err_set(err, IDX_EMODIFIED, XWHERE(op), "%s: %s", e.get_type(),
                           e.get_msg().c_str());
    } catch (const Xapian::Error &e) {
        /* the OS reason (e.g. "No space left on device") is kept apart */
        const char *why = e.get_error_string();
        return idx_err_set(err, IDX_EDB, XWHERE(op), "%s: %s%s%s%s", e.get_type(),
                           e.get_msg().c_str(), why ? " (" : "", why ? why : "", why ? ")" : "");
    } catch (const std::bad_alloc &) {
        return idx_err_set(err, IDX_ENOMEM, XWHERE(op), "out of memory");
    } catch (const std::exception &e) {
        return idx_err_set(err, IDX_EDB, XWHERE(op), "%s", e.what());
    } catch (...) {
        return idx_err_set(err, IDX_EDB, XWHERE(op), "unknown C++ exception");
    }
}

template <class F> static int with_retry(idx_xrd *rd, idx_err *err, const char *op, F f)
{
    rd->lost = false;
    try {
        try {
            f();
        } catch (const Xapian::DatabaseModifiedError &) {
            rd->db.reopen();
            f();
        } catch (const Xapian::NetworkError &) {
            rd->lost = true; /* the caller may rebuild its union without it */
            throw;
        }
        return IDX_OK;
    } catch (...) {
        return fail(err, op);
    }
}

static int oom(idx_err *err, const char *op)
{
    return idx_err_set(err, IDX_ENOMEM, XWHERE(op), "out of memory");
}

static char *dup_bytes(const std::string &s)
{
    char *p = static_cast<char *>(std::malloc(s.size() + 1));
    if (!p) return NULL;
    std::memcpy(p, s.data(), s.size());
    p[s.size()] = '\0';
    return p;
}

/* Xapian's compactor wants a new destination. */
static int check_new(const char *dst, idx_err *err, const char *op)
{
    struct stat st;
    if (stat(dst, &st) == 0)
        return idx_err_set(err, IDX_EINVAL, XWHERE(op), "%s exists already", dst);
    return IDX_OK;
}

/* ---------------- readers ---------------- */

extern "C" int idx_xrd_open(const char *path, idx_xrd **out, idx_err *err)
{
    *out = NULL;
    try {
        std::unique_ptr<idx_xrd> rd(new idx_xrd());
        rd->db = Xapian::Database(path);
        *out = rd.release();
        return IDX_OK;
    } catch (...) {
        return fail(err, "open");
    }
}

extern "C" int idx_xrd_new(unsigned flags, idx_xrd **out, idx_err *err)
{
    *out = NULL;
    idx_xrd *rd = new (std::nothrow) idx_xrd();
    if (!rd) return oom(err, "open");
    rd->multi = true;
    rd->remote = (flags & IDX_XRD_REMOTE) != 0;
    *out = rd;
    return IDX_OK;
}

/* Add part (opened by open()) to the union rd, or describe in *why why it
 * could not be opened. */
template <class F> static int add_part(idx_xrd *rd, char **why, idx_err *err, F open)
{
    *why = NULL;
    try {
        try {
            Xapian::Database part = open();
            rd->db.add_database(part);
            rd->parts.push_back(part);
        } catch (const Xapian::Error &x) {
            if (!(*why = dup_bytes(x.get_description()))) return oom(err, "open");
        }
        return IDX_OK;
    } catch (...) {
        return fail(err, "open");
    }
}

extern "C" int idx_xrd_add_local(idx_xrd *rd, const char *path, char **why, idx_err *err)
{
    return add_part(rd, why, err, [&] { return Xapian::Database(path); });
}

extern "C" int idx_xrd_add_remote(idx_xrd *rd, const char *host, unsigned port,
                                  unsigned timeout_ms, char **why, idx_err *err)
{
    return add_part(rd, why, err,
                    [&] { return Xapian::Remote::open(host, port, timeout_ms, timeout_ms); });
}

extern "C" int idx_xrd_add_writer(idx_xrd *rd, idx_xwr *w, idx_err *err)
{
    try {
        rd->db.add_database(w->db);
        rd->parts.push_back(w->db);
        return IDX_OK;
    } catch (...) {
        return fail(err, "open");
    }
}

extern "C" void idx_xrd_close(idx_xrd *rd)
{
    try {
        delete rd; // closes; the destructors never throw out
    } catch (...) {
    }
}

extern "C" int idx_xrd_reopen(idx_xrd *rd, const char *path, idx_err *err)
{
    rd->lost = false;
    try {
        if (path)
            rd->db = Xapian::Database(path);
        else
            rd->db.reopen();
        return IDX_OK;
    } catch (const Xapian::NetworkError &) {
        rd->lost = true;
        return fail(err, "reopen");
    } catch (...) {
        return fail(err, "reopen");
    }
}

extern "C" int idx_xrd_lost(const idx_xrd *rd)
{
    return rd->lost ? 1 : 0;
}

extern "C" int idx_xrd_get_data(idx_xrd *rd, const char *uid, size_t uidlen, char **data,
                                size_t *len, idx_err *err)
{
    *data = NULL;
    std::string out;
    bool found = false;
    int rc = with_retry(rd, err, "get", [&] {
        std::string term(uid, uidlen);
        Xapian::PostingIterator p = rd->db.postlist_begin(term);
        found = p != rd->db.postlist_end(term);
        if (found) out = rd->db.get_document(*p).get_data();
    });
    if (rc) return rc;
    if (!found) return idx_err_set(err, IDX_ENOTFOUND, "xap.get", "no document with this id");
    if (!(*data = dup_bytes(out))) return oom(err, "get");
    if (len) *len = out.size();
    return IDX_OK;
}

extern "C" int idx_xrd_doc_data(idx_xrd *rd, unsigned docid, char **data, size_t *len,
                                idx_err *err)
{
    *data = NULL;
    std::string out;
    int rc = with_retry(rd, err, "doc_data", [&] { out = rd->db.get_document(docid).get_data(); });
    if (rc) return rc;
    if (!(*data = dup_bytes(out))) return oom(err, "doc_data");
    if (len) *len = out.size();
    return IDX_OK;
}

extern "C" int idx_xrd_get_metadata(idx_xrd *rd, const char *key, char **value, idx_err *err)
{
    *value = NULL;
    std::string v;
    int rc = with_retry(rd, err, "get_metadata", [&] { v = rd->db.get_metadata(key); });
    if (rc) return rc;
    if (!(*value = dup_bytes(v))) return oom(err, "get_metadata");
    return IDX_OK;
}

static uint64_t meta_number(const Xapian::Database &db, const char *key)
{
    std::string v = db.get_metadata(key);
    uint64_t x = 0;
    for (char c : v) {
        if (c < '0' || c > '9' || x > UINT64_MAX / 10 - 9) return 0;
        x = x * 10 + (uint64_t)(c - '0');
    }
    return x;
}

extern "C" int idx_xrd_meta_range(idx_xrd *rd, const char *key, uint64_t *min, uint64_t *max,
                                  idx_err *err)
{
    return with_retry(rd, err, "get_metadata", [&] {
        *min = UINT64_MAX;
        *max = 0;
        if (rd->parts.empty()) *min = *max = meta_number(rd->db, key);
        for (const Xapian::Database &p : rd->parts) {
            uint64_t x = meta_number(p, key);
            *min = std::min(*min, x);
            *max = std::max(*max, x);
        }
        if (*min > *max) *min = *max;
    });
}

extern "C" int idx_xrd_doc_number(idx_xrd *rd, unsigned docid, unsigned slot, double *v,
                                  idx_err *err)
{
    *v = 0;
    return with_retry(rd, err, "doc_number", [&] {
        std::string s = rd->db.get_document(docid).get_value(slot);
        *v = s.empty() ? 0 : Xapian::sortable_unserialise(s);
    });
}

extern "C" int idx_xrd_term_freq(idx_xrd *rd, const char *term, size_t n, uint64_t *freq,
                                 idx_err *err)
{
    *freq = 0;
    return with_retry(rd, err, "term_freq",
                      [&] { *freq = rd->db.get_termfreq(std::string(term, n)); });
}

extern "C" void idx_terms_free(idx_term_freq *t, size_t n)
{
    if (!t) return;
    for (size_t i = 0; i < n; i++) std::free(t[i].term);
    std::free(t);
}

extern "C" int idx_xrd_terms_prefix(idx_xrd *rd, const char *prefix, size_t n, size_t max,
                                    idx_term_freq **out, size_t *nout, idx_err *err)
{
    *out = NULL;
    *nout = 0;
    std::vector<std::pair<std::string, Xapian::doccount>> found;
    int rc = with_retry(rd, err, "terms_prefix", [&] {
        found.clear();
        std::string p(prefix, n);
        for (Xapian::TermIterator t = rd->db.allterms_begin(p);
             t != rd->db.allterms_end(p) && found.size() < max; ++t)
            found.emplace_back(*t, t.get_termfreq());
    });
    if (rc) return rc;
    if (found.empty()) return IDX_OK;
    idx_term_freq *v = static_cast<idx_term_freq *>(std::calloc(found.size(), sizeof *v));
    if (!v) return oom(err, "terms_prefix");
    for (size_t i = 0; i < found.size(); i++) {
        if (!(v[i].term = dup_bytes(found[i].first))) {
            idx_terms_free(v, i);
            return oom(err, "terms_prefix");
        }
        v[i].len = found[i].first.size();
        v[i].freq = found[i].second;
    }
    *out = v;
    *nout = found.size();
    return IDX_OK;
}

extern "C" int idx_xrd_stats(idx_xrd *rd, idx_xstats *st, idx_err *err)
{
    std::memset(st, 0, sizeof *st);
    return with_retry(rd, err, "stats", [&] {
        st->documents = rd->db.get_doccount();
        st->total_length = rd->db.get_total_length();
        st->avg_length = rd->db.get_avlength();
        if (!rd->multi) {
            st->revision = rd->db.get_revision();
        } else { /* the sum over the parts: it grows with every commit to any */
            st->revision = 0;
            for (const Xapian::Database &p : rd->parts) {
                try {
                    st->revision += p.get_revision();
                } catch (const Xapian::UnimplementedError &) {
                }
            }
        }
        st->last_docid = rd->db.get_lastdocid();
        st->has_positions = rd->db.has_positions() ? 1 : 0;
        std::string uuid = rd->db.get_uuid();
        st->identity = idx_hash(IDX_HASH_SEED, uuid.data(), uuid.size());
    });
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

extern "C" int idx_xrd_near_candidates(idx_xrd *rd, const char *const *terms, const size_t *lens,
                                       size_t n, unsigned sig_slot, unsigned key_slot, size_t max,
                                       idx_near_cand **out, size_t *nout, idx_err *err)
{
    *out = NULL;
    *nout = 0;
    std::set<Xapian::docid> seen;
    int rc = with_retry(rd, err, "near_candidates", [&] {
        seen.clear();
        for (size_t t = 0; t < n; t++) {
            std::string term(terms[t], lens[t]);
            /* most band terms are new: a frequency is a cheap lookup, an
             * empty posting list is not */
            if (rd->db.get_termfreq(term) == 0) continue;
            for (Xapian::PostingIterator p = rd->db.postlist_begin(term);
                 p != rd->db.postlist_end(term) && seen.size() < max; ++p)
                seen.insert(*p);
        }
    });
    if (rc || seen.empty()) return rc;
    idx_near_cand *c = static_cast<idx_near_cand *>(std::calloc(seen.size(), sizeof *c));
    if (!c) return oom(err, "near_candidates");
    size_t k = 0;
    rc = with_retry(rd, err, "near_candidates", [&] {
        for (; k > 0; k--) { /* a retry starts again */
            std::free(c[k - 1].sig);
            std::free(c[k - 1].key);
            c[k - 1].sig = c[k - 1].key = NULL;
        }
        for (Xapian::docid id : seen) {
            Xapian::Document d = rd->db.get_document(id, Xapian::DOC_ASSUME_VALID);
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

extern "C" int idx_xrd_more_like(idx_xrd *rd, const char *uid, size_t uidlen, unsigned nterms,
                                 idx_xq **out, idx_err *err)
{
    *out = NULL;
    bool found = false;
    std::vector<std::string> terms;
    int rc = with_retry(rd, err, "more_like", [&] {
        terms.clear();
        std::string term(uid, uidlen);
        Xapian::PostingIterator p = rd->db.postlist_begin(term);
        found = p != rd->db.postlist_end(term);
        if (!found) return;
        Xapian::RSet rset;
        rset.add_document(*p);
        Xapian::Enquire enq(rd->db);
        ContentTerms decider;
        Xapian::ESet eset = enq.get_eset(nterms, rset, &decider);
        for (Xapian::ESetIterator e = eset.begin(); e != eset.end(); ++e) terms.push_back(*e);
    });
    if (rc) return rc;
    if (!found) return idx_err_set(err, IDX_ENOTFOUND, "xap.more_like", "no document with this id");
    if (terms.empty())
        return idx_err_set(err, IDX_EINVAL, "xap.more_like", "the document has no content terms");
    try {
        idx_xq *q = new idx_xq;
        q->q = Xapian::Query(Xapian::Query::OP_OR, terms.begin(), terms.end());
        *out = q;
        return IDX_OK;
    } catch (...) {
        return fail(err, "more_like");
    }
}

/* ---------------- compaction ---------------- */

extern "C" int idx_xrd_compact(idx_xrd *rd, const char *dst, idx_err *err)
{
    if (check_new(dst, err, "compact")) return IDX_EINVAL;
    try {
        rd->db.compact(dst);
        return IDX_OK;
    } catch (...) {
        return fail(err, "compact");
    }
}

extern "C" int idx_xap_merge(const char *const *srcs, size_t n, const char *dst, idx_err *err)
{
    if (check_new(dst, err, "merge")) return IDX_EINVAL;
    try {
        Xapian::Database all;
        for (size_t i = 0; i < n; i++) all.add_database(Xapian::Database(srcs[i]));
        all.compact(dst, Xapian::DBCOMPACT_MULTIPASS);
        return IDX_OK;
    } catch (...) {
        return fail(err, "merge");
    }
}

extern "C" int idx_xap_check(const char *path, uint64_t *errors, char **report, idx_err *err)
{
    *errors = 0;
    if (report) *report = NULL;
    try {
        std::ostringstream words;
        *errors = Xapian::Database::check(path, Xapian::DBCHECK_SHOW_STATS, &words);
        if (report && !(*report = dup_bytes(words.str()))) return oom(err, "check");
        return IDX_OK;
    } catch (const std::bad_alloc &) {
        return oom(err, "check");
    } catch (const Xapian::Error &e) {
        return idx_err_set(err, IDX_EDB, XWHERE("check"), "%s: %s", e.get_type(),
                           e.get_msg().c_str());
    } catch (...) {
        return fail(err, "check");
    }
}

extern "C" int idx_xrd_each_doc(idx_xrd *rd, const char *uid_prefix, const char *cluster_prefix,
                                unsigned cluster_slot, idx_doc_visit_fn fn, void *ctx, idx_err *err)
{
    try {
        const std::string qp = uid_prefix, cp = cluster_prefix;
        for (auto p = rd->db.postlist_begin(""); p != rd->db.postlist_end(""); ++p) {
            Xapian::Document doc = rd->db.get_document(*p);
            std::string uid, cluster = doc.get_value(cluster_slot), data = doc.get_data();
            idx_doc_facts f = {};
            f.docid = *p;
            for (auto t = doc.termlist_begin(); t != doc.termlist_end(); ++t) {
                const std::string &term = *t;
                if (term.compare(0, qp.size(), qp) == 0) {
                    if (f.nuids++ == 0) uid = term;
                } else if (term.compare(0, cp.size(), cp) == 0) {
                    f.nclusters++;
                    if (term.compare(cp.size(), std::string::npos, cluster) == 0) f.in_cluster = 1;
                }
            }
            f.uid = f.nuids ? uid.data() : NULL;
            f.uidlen = uid.size();
            f.cluster = cluster.c_str();
            f.clusterlen = cluster.size();
            f.data = data.data();
            f.datalen = data.size();
            int rc = fn(ctx, &f, err);
            if (rc) return rc;
        }
        return IDX_OK;
    } catch (...) {
        return fail(err, "each_doc");
    }
}

/* ---------------- writers ---------------- */

static void (*fatal_hook)(const idx_err *);
static thread_local bool in_commit; /* a commit of this thread is under way */
static std::atomic<bool> terminating;

static void on_terminate()
{
    if (terminating.exchange(true)) std::abort(); /* a second one, from in here */
    if (!in_commit) {
        std::fputs("idx: std::terminate outside a commit (a bug)\n", stderr);
        std::abort();
    }
    idx_err e;
    idx_err_clear(&e);
    std::exception_ptr p = std::current_exception();
    if (p) {
        try {
            std::rethrow_exception(p);
        } catch (...) {
            fail(&e, "commit");
        }
    } else {
        idx_err_set(&e, IDX_EDB, "xap", "std::terminate without an exception");
    }
    if (fatal_hook) fatal_hook(&e);
    std::fprintf(stderr, "idx: libxapian stopped the process: %s\n", e.msg);
    std::abort();
}

extern "C" void idx_xap_on_fatal(void (*hook)(const idx_err *err))
{
    fatal_hook = hook;
    std::set_terminate(on_terminate);
}

extern "C" int idx_xwr_open(const char *path, unsigned flags, idx_xwr **out, idx_err *err)
{
    *out = NULL;
    try {
        std::unique_ptr<idx_xwr> w(new idx_xwr());
        int xflags = Xapian::DB_CREATE_OR_OPEN;
        if (flags & IDX_XWR_NO_SYNC) xflags |= Xapian::DB_NO_SYNC;
        w->db = Xapian::WritableDatabase(path, xflags);
        *out = w.release();
        return IDX_OK;
    } catch (...) {
        return fail(err, "open");
    }
}

extern "C" void idx_xwr_close(idx_xwr *w)
{
    if (!w) return;
    try {
        if (w->in_txn) w->db.cancel_transaction();
    } catch (...) {
    }
    try {
        delete w; // the destructor never throws out
    } catch (...) {
    }
}

extern "C" int idx_xwr_begin(idx_xwr *w, idx_err *err)
{
    try {
        w->db.begin_transaction(true);
        w->in_txn = true;
        return IDX_OK;
    } catch (...) {
        return fail(err, "begin");
    }
}

extern "C" int idx_xwr_commit(idx_xwr *w, idx_err *err)
{
    in_commit = true; // (on_terminate: where libxapian may end the process)
    try {
        if (w->in_txn) {
            w->in_txn = false; // a failed commit_transaction ends it too
            w->db.commit_transaction();
        } else {
            w->db.commit();
        }
        in_commit = false;
        return IDX_OK;
    } catch (...) {
        in_commit = false;
        return fail(err, "commit");
    }
}

extern "C" int idx_xwr_cancel(idx_xwr *w, idx_err *err)
{
    try {
        if (w->in_txn) {
            w->in_txn = false;
            w->db.cancel_transaction();
        }
        return IDX_OK;
    } catch (...) {
        return fail(err, "cancel");
    }
}

extern "C" int idx_xwr_in_txn(const idx_xwr *w)
{
    return w->in_txn ? 1 : 0;
}

extern "C" int idx_xwr_replace(idx_xwr *w, const char *uid, size_t uidlen, const idx_xdoc *doc,
                               int *existed, idx_err *err)
{
    try {
        std::string term(uid, uidlen);
        if (existed) *existed = w->db.term_exists(term) ? 1 : 0;
        w->db.replace_document(term, doc->d);
        return IDX_OK;
    } catch (...) {
        return fail(err, "replace");
    }
}

extern "C" int idx_xwr_delete(idx_xwr *w, const char *uid, size_t uidlen, int *found,
                              idx_err *err)
{
    *found = 0;
    try {
        std::string term(uid, uidlen);
        if (!w->db.term_exists(term)) return IDX_OK;
        w->db.delete_document(term);
        *found = 1;
        return IDX_OK;
    } catch (...) {
        return fail(err, "delete");
    }
}

extern "C" int idx_xwr_set_metadata(idx_xwr *w, const char *key, const char *value, idx_err *err)
{
    try {
        w->db.set_metadata(key, value);
        return IDX_OK;
    } catch (...) {
        return fail(err, "set_metadata");
    }
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

extern "C" double idx_sortable_unserialise(const char *v, size_t n)
{
    try {
        return Xapian::sortable_unserialise(std::string(v, n));
    } catch (...) {
        return 0;
    }
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
    default: return idx_err_set(err, IDX_EINVAL, "xap.combine", "unknown operator %d", op);
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
            return idx_err_set(err, IDX_EINVAL, "xap.recency", "bad half-life or weight");
        Xapian::PostingSource *src = new RecencySource(slot, now, half_life_s, max_weight);
        return wrap(Xapian::Query(src->release()), out, err, "recency");
    } catch (...) {
        return fail(err, "recency");
    }
}

namespace {
// Weight max_weight * len / (len + half_len) from each document's length
// (the sum of its terms' wdf): near 0 for a one-line notice, near
// max_weight for a long report (idx_xq_length).  Reads the database's
// document-length list, which every Xapian backend keeps: no value to
// write, so databases made before it work as they are.
class LengthSource : public Xapian::PostingSource {
    double max_weight_, half_len_;
    Xapian::Database db_;
    Xapian::PostingIterator it_, end_;
    bool started_ = false;
    Xapian::doccount n_ = 0;

  public:
    LengthSource(double max_weight, double half_len) : max_weight_(max_weight), half_len_(half_len)
    {
    }
    void init(const Xapian::Database &db) override
    {
        db_ = db;
        it_ = db_.postlist_begin(std::string());
        end_ = db_.postlist_end(std::string());
        started_ = false;
        n_ = db_.get_doccount();
        double ub = (double)db_.get_doclength_upper_bound();
        set_maxweight(ub > 0 ? max_weight_ * ub / (ub + half_len_) : 0);
    }
    void next(double) override
    {
        if (started_) ++it_;
        started_ = true;
    }
    void skip_to(Xapian::docid did, double) override
    {
        started_ = true;
        it_.skip_to(did);
    }
    Xapian::doccount get_termfreq_min() const override { return n_; }
    Xapian::doccount get_termfreq_est() const override { return n_; }
    Xapian::doccount get_termfreq_max() const override { return n_; }
    bool at_end() const override { return it_ == end_; }
    Xapian::docid get_docid() const override { return *it_; }
    double get_weight() const override
    {
        double len = (double)it_.get_doclength();
        return max_weight_ * len / (len + half_len_);
    }
    LengthSource *clone() const override { return new LengthSource(max_weight_, half_len_); }
    std::string name() const override { return "idx.Length"; }
    std::string get_description() const override
    {
        return "idx.Length(" + std::to_string(max_weight_) + ", " + std::to_string(half_len_) + ")";
    }
};
} // namespace

extern "C" int idx_xq_length(double max_weight, double half_len, idx_xq **out, idx_err *err)
{
    *out = NULL;
    try {
        if (!(max_weight >= 0) || !(half_len > 0))
            return idx_err_set(err, IDX_EINVAL, "xap.length", "bad weight or length");
        Xapian::PostingSource *src = new LengthSource(max_weight, half_len);
        return wrap(Xapian::Query(src->release()), out, err, "length");
    } catch (...) {
        return fail(err, "length");
    }
}

extern "C" int idx_xq_near(idx_xq *const *subs, size_t n, unsigned window, idx_xq **out,
                           idx_err *err)
{
    *out = NULL;
    try {
        std::vector<Xapian::Query> v;
        v.reserve(n);
        for (size_t i = 0; i < n; i++) v.push_back(subs[i]->q);
        return wrap(Xapian::Query(Xapian::Query::OP_NEAR, v.begin(), v.end(), window), out, err,
                    "near");
    } catch (...) {
        return fail(err, "near");
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
    for (size_t i = 0; i < r->hist.nvalues; i++) std::free(r->hist.values[i].value);
    std::free(r->hist.values);
    std::memset(&r->hist, 0, sizeof r->hist);
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
 * deadline is set, enough of each one (id, weight, sort value, key hash) to
 * rank what was matched if the deadline stops the match.  Those records are
 * small and fixed-size, in a buffer each thread keeps from one search to
 * the next (up to KEEP_ITEMS of them), so a search that matches tens of
 * thousands of documents neither allocates nor faults in fresh pages for
 * them (it did: twice the time of the match itself on the broadest public
 * query, bench/RESULTS.md). */
class MatchedSpy : public Xapian::MatchSpy {
  public:
    struct item {
        Xapian::docid did;
        unsigned char nsort;     /* bytes of sortv (a sortable-serialised date: at most 9) */
        unsigned char keyed;     /* key holds a collapse key's hash */
        char sortv[10];
        double wt;
        uint64_t key;
    };
    MatchedSpy(const idx_search_opts *o)
        : opts(o), hard(o->deadline_hard > o->deadline ? o->deadline_hard : o->deadline),
          items(thread_items())
    {
        items.clear();
    }
    ~MatchedSpy() override
    {
        if (items.capacity() > KEEP_ITEMS) std::vector<item>().swap(items);
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
            item it;
            it.did = did;
            it.wt = wt;
            it.keyed = !key.empty();
            it.key = h;
            it.nsort = 0;
            if (opts->sort != IDX_SORT_RELEVANCE) {
                std::string v = doc.get_value(opts->sort_slot);
                it.nsort = (unsigned char)std::min(v.size(), sizeof it.sortv);
                std::memcpy(it.sortv, v.data(), it.nsort);
            }
            items.push_back(it);
        }
        if (did > last_did) last_did = did;
        if ((seen & 15) == 0 && should_stop()) throw deadline_passed();
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
    static const size_t MAX_ITEMS = 1 << 17;  // what a stopped match ranks, at most
    static const size_t KEEP_ITEMS = 1 << 16; // what a thread's buffer keeps room for
    static std::vector<item> &thread_items()
    {
        static thread_local std::vector<item> v;
        return v;
    }
    const idx_search_opts *opts;
    double hard;
    Xapian::docid last_did = 0; // the matcher goes in docid order: how far it got
    Xapian::doccount seen = 0, unkeyed = 0;
    std::vector<uint64_t> hashes;
    std::vector<item> &items; // this thread's buffer
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

/* Every value the spy counted, in value order (hist: at most one per
 * distinct value of the slot among the matches). */
static void fill_hist(idx_results *res, Xapian::ValueCountMatchSpy *spy)
{
    if (!spy) return;
    size_t n = 0;
    for (Xapian::TermIterator t = spy->values_begin(); t != spy->values_end(); ++t) n++;
    if (!n) return;
    res->hist.values = static_cast<idx_facet_value *>(std::calloc(n, sizeof(idx_facet_value)));
    if (!res->hist.values) throw std::bad_alloc();
    for (Xapian::TermIterator t = spy->values_begin();
         t != spy->values_end() && res->hist.nvalues < n; ++t) {
        std::string v = *t;
        idx_facet_value *fv = &res->hist.values[res->hist.nvalues];
        if (!(fv->value = dup_bytes(v))) throw std::bad_alloc();
        fv->len = v.size();
        fv->count = t.get_termfreq();
        res->hist.nvalues++;
    }
}

/* One hit of document did at rank (data, and key when asked). */
static void put_hit(idx_results *res, const idx_search_opts *opts, const Xapian::Document &doc,
                    Xapian::docid did, double wt, unsigned rank)
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
    if (opts->with_number) {
        std::string v = doc.get_value(opts->number_slot);
        h->number = v.empty() ? 0 : Xapian::sortable_unserialise(v);
    }
    if (opts->with_key) {
        std::string k = doc.get_value(opts->key_slot);
        if (!(h->key = dup_bytes(k))) throw std::bad_alloc();
        h->key_len = k.size();
    }
}

/* The deadline stopped the match: rank what the spy saw as Xapian would have
 * (sort value, then weight, then document id), keep the best per key when
 * collapsing, and return the page asked for. */
static void partial_hits(idx_xrd *rd, idx_results *res, const idx_search_opts *opts,
                         MatchedSpy &spy)
{
    std::vector<MatchedSpy::item> &v = spy.items;
    int sort = opts->sort;
    std::stable_sort(v.begin(), v.end(), [sort](const MatchedSpy::item &a,
                                                const MatchedSpy::item &b) {
        if (sort != IDX_SORT_RELEVANCE) {
            int c = std::memcmp(a.sortv, b.sortv, std::min(a.nsort, b.nsort));
            if (c == 0) c = (int)a.nsort - (int)b.nsort;
            if (c != 0) return sort == IDX_SORT_DATE_DESC ? c > 0 : c < 0;
        }
        if (a.wt != b.wt) return a.wt > b.wt;
        return a.did < b.did;
    });
    std::vector<size_t> shown; // indexes into v, one per cluster, in order
    std::unordered_set<uint64_t> keys; // of the clusters shown (their hashes, as distinct() counts)
    for (size_t i = 0; i < v.size(); i++) {
        if (opts->collapse && v[i].keyed && !keys.insert(v[i].key).second) continue;
        shown.push_back(i);
    }
    size_t first = opts->offset, last = std::min(shown.size(), (size_t)opts->offset + opts->limit);
    if (first >= last) return;
    res->hits = static_cast<idx_hit *>(std::calloc(last - first, sizeof(idx_hit)));
    if (!res->hits) throw std::bad_alloc();
    for (size_t r = first; r < last; r++) {
        const MatchedSpy::item &it = v[shown[r]];
        put_hit(res, opts, rd->db.get_document(it.did), it.did, it.wt, (unsigned)r);
    }
}

extern "C" int idx_xrd_search(idx_xrd *rd, const idx_xq *q, const idx_search_opts *opts,
                              idx_results **out, idx_err *err)
{
    *out = NULL;
    rd->lost = false; /* of this read, not an earlier one */
    idx_results *res = static_cast<idx_results *>(std::calloc(1, sizeof *res));
    if (!res) return oom(err, "search");
    /* xapian-tcpsrv cannot run a spy of ours: Xapian's counts, its time limit */
    bool remote = rd->remote;
    int rc = with_retry(rd, err, "search", [&] {
        // a retry starts from scratch
        clear_hits(res);
        free_facets(res);
        res->timed_out = 0;

        Xapian::Enquire enq(rd->db);
        if (opts->bm25_k1 > 0 || opts->bm25_b > 0)
            enq.set_weighting_scheme(Xapian::BM25Weight(opts->bm25_k1 > 0 ? opts->bm25_k1 : 1, 0,
                                                        1, opts->bm25_b > 0 ? opts->bm25_b : 0.5,
                                                        0.5));
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
        std::unique_ptr<Xapian::ValueCountMatchSpy> hist;
        if (opts->hist) {
            hist.reset(new Xapian::ValueCountMatchSpy(opts->hist_slot));
            enq.add_matchspy(hist.get());
        }
        bool own = !remote && (opts->collapse || opts->deadline > 0);
        if (own) enq.add_matchspy(&spy); // last: the facets have counted a document it stops at
        if (remote && opts->deadline > 0)
            enq.set_time_limit(std::max(0.001, opts->deadline - idx_clock()));
        Xapian::doccount check = opts->check_at_least;
        if (opts->nfacets || opts->hist) check = rd->db.get_doccount(); /* over every match */
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
            fill_hist(res, hist.get());
            partial_hits(rd, res, opts, spy);
            res->lower = opts->collapse ? spy.distinct() : spy.seen;
            res->upper = std::max<uint64_t>(res->lower, rd->db.get_doccount());
            double covered = spy.last_did ? (double)spy.last_did / rd->db.get_lastdocid() : 1;
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
        fill_hist(res, hist.get());
        if (m.size() == 0) return;
        res->hits = static_cast<idx_hit *>(std::calloc(m.size(), sizeof(idx_hit)));
        if (!res->hits) throw std::bad_alloc();
        for (Xapian::MSetIterator it = m.begin(); it != m.end(); ++it)
            put_hit(res, opts, it.get_document(), *it, it.get_weight(), it.get_rank());
    });
    if (rc) {
        idx_results_free(res);
        return rc;
    }
    *out = res;
    return IDX_OK;
}
