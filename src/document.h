/* document.h - how an article becomes a Xapian document (the index schema).
 *
 * Terms (all from tokenize.h, DOCUMENT mode):
 *   title and body tokens, unprefixed, so a plain query searches both; the
 *   body starts IDX_BODY_POS_GAP positions after the title so no phrase
 *   spans the two; title tokens again with prefix "S" (for title boosting
 *   and title: scopes).  Which carry positions is the index format's:
 *     format 1 (the default): every bigram and word at its position, inner
 *       CJK unigrams without (run edges with); a run of three or more
 *       characters is matched as the phrase of its bigrams.
 *     format 2 (--index-format 2): every CJK character (unigram) and every
 *       word at its position, CJK bigrams without.  A run is matched as its
 *       bigrams (weighted) filtered by the phrase of its characters; the
 *       tokenizer leaves an empty position between runs split by a
 *       separator (IDX_TOKENIZE_RUN_GAP), so that phrase is as exact as
 *       format 1's.  Half the position entries (a document repeats
 *       characters more than pairs): 25 % smaller on news articles, but
 *       phrase queries read one more position list and the long postings of
 *       single characters (bench/RESULTS.md: about 1.8x the time).
 * Filter (boolean) terms: Q<id> (the unique id for upserts), XA<abbreviation>
 *   0x1f <full name> for each "full name（abbreviation）" pair of the body
 *   (vocab.h), XS<source>,
 *   XC<category>, K<tag>, and from the date Y<yyyy>, M<yyyymm>, D<yyyymmdd>.
 *   Values longer than IDX_FILTER_MAX bytes are clipped at a character
 *   boundary (the query side clips the same way: idx_filter_term).
 * Values: IDX_SLOT_DATE (sortable wall-clock seconds), IDX_SLOT_SOURCE,
 *   IDX_SLOT_CATEGORY, IDX_SLOT_YEAR ("2022") for facets.
 * Near-duplicates (added by the write path through cluster.h, not here): XB
 *   band terms, the XD<cluster> term, IDX_SLOT_CLUSTER and IDX_SLOT_SIG.
 * Revision (added by the write path, writer.h): XR<rev>, IDX_SLOT_REV.
 * Data: the article's JSON object, compact, unknown fields included.
 */
#ifndef IDX_DOCUMENT_H
#define IDX_DOCUMENT_H

#include "article.h"
#include "buf.h"
#include "err.h"
#include "db.h"

#define IDX_PREFIX_ID "Q"
#define IDX_PREFIX_TITLE "S"
#define IDX_PREFIX_SOURCE "XS"
#define IDX_PREFIX_CATEGORY "XC"
#define IDX_PREFIX_TAG "K"
#define IDX_PREFIX_YEAR "Y"
#define IDX_PREFIX_MONTH "M"
#define IDX_PREFIX_DAY "D"
#define IDX_PREFIX_BAND "XB"    /* near-duplicate signature bands (cluster.h) */
#define IDX_PREFIX_CLUSTER "XD" /* near-duplicate cluster key (cluster.h) */

enum {
    IDX_SLOT_DATE = 0,
    IDX_SLOT_SOURCE = 1,
    IDX_SLOT_CATEGORY = 2,
    IDX_SLOT_YEAR = 3,
    IDX_SLOT_CLUSTER = 4, /* near-duplicate cluster key (cluster.h), the collapse key */
    IDX_SLOT_SIG = 5,     /* near-duplicate signature (cluster.h) */
    IDX_SLOT_REV = 6,     /* the revision that committed this version (writer.h) */
};

/* Revisions (the write path's, writer.h): every commit counts one in the
 * metadata IDX_META_REV (each shard of an archive), and each article it
 * stores carries that number: sortable in IDX_SLOT_REV, and as the filter
 * term IDX_PREFIX_REV + decimal, so "committed in revisions (a, b]" is an OR
 * of a few short posting lists when b - a is small (a stream catching up)
 * and a value range otherwise. */
#define IDX_PREFIX_REV "XR"
#define IDX_META_REV "idx.rev"

#define IDX_BODY_POS_GAP 100

/* How single CJK characters are made findable (recorded in the database's
 * metadata under IDX_META_UNIGRAMS when it is created; see query.h):
 *   ALL   - every CJK character also indexed as a unigram (default; the
 *           inner ones without positions): a one-character query is one term;
 *   EDGES - only each run's first and last character: smaller index, and a
 *           one-character query expands to the bigrams starting with it. */
enum { IDX_UNIGRAMS_ALL = 0, IDX_UNIGRAMS_EDGES = 1 };
#define IDX_META_UNIGRAMS "idx.cjk_unigrams"

/* Traditional -> simplified folding (normalize.h), recorded under
 * IDX_META_FOLD ("t2s" or "none") when a database is created; on by default.
 * A database without the key predates folding and is read as "none". */
enum { IDX_FOLD_NONE = 0, IDX_FOLD_T2S = 1 };
#define IDX_META_FOLD "idx.fold"

/* Letters glued to digits ("2014APEC", "iPhone4S"): split into words
 * (IDX_TOKENIZE_SPLIT_ALNUM) or kept whole, recorded under IDX_META_WORDS
 * ("split" or "whole") when a database is created; split by default.  A
 * database without the key was built before and keeps them whole (idx
 * reindex rebuilds it split).  In a wish (idx_schema_negotiate) 0 means
 * the default; a schema made by hand with 0 reads as whole. */
enum { IDX_WORDS_SPLIT = 1, IDX_WORDS_WHOLE = 2 };
#define IDX_META_WORDS "idx.words"

/* The index format: which terms, positions, values and data a document
 * writes (this file), recorded under IDX_META_FORMAT when a database is
 * created.  A database without the key was built before formats were
 * recorded, in format 1.  Every format up to IDX_FORMAT_MAX is read and
 * written (a database keeps the format it was made in; `idx reindex
 * --index-format N` rebuilds it in another).  A database of a format this idx does not know
 * (made by a newer one) is refused by every command, saying so, rather
 * than read wrongly. */
#define IDX_FORMAT_MAX 2     /* the newest format this idx reads and writes */
#define IDX_FORMAT_DEFAULT 1 /* what a new database is made in */
#define IDX_META_FORMAT "idx.format"

/* A database's text options: both the indexer and every reader must use the
 * same ones. */
typedef struct idx_schema {
    int format;   /* 1 .. IDX_FORMAT_MAX */
    int unigrams; /* IDX_UNIGRAMS_* */
    int fold;     /* IDX_FOLD_* */
    int words;    /* IDX_WORDS_* (0: whole; in a wish, the default) */
} idx_schema;

/* Read them from db's metadata.  IDX_ENODB when the database's format is one
 * this idx cannot read (the message says which and what to do). */
int idx_schema_read(idx_db *db, idx_schema *sc, idx_err *err);

/* The options a writer of db uses, settled with what it wants (each field
 * a format, IDX_UNIGRAMS_* / IDX_FOLD_*, or -1: no wish) into *sc.  A
 * database without documents takes the wanted ones (or the defaults:
 * IDX_FORMAT_DEFAULT, all unigrams, folding on) and records them; one with documents keeps its
 * own (a key missing there is recorded: format 1, "all" unigrams, and "none"
 * for fold, as it was built before folding existed), and a wish that
 * differs is IDX_EINVAL, its message naming the option (--index-format,
 * --cjk-unigrams, --fold): its documents would disagree with its queries.
 * Edges unigrams in format 2 are IDX_EINVAL too.  A format this idx does
 * not know is IDX_ENODB, as for idx_schema_read.  The records are set in
 * db, not committed. */
int idx_schema_negotiate(idx_db *db, const idx_schema *want, idx_schema *sc, idx_err *err);

/* The idx_tokenize mode flags they imply (IDX_TOKENIZE_FOLD_T2S,
 * IDX_TOKENIZE_RUN_GAP, IDX_TOKENIZE_SPLIT_ALNUM or 0). */
int idx_schema_tokflags(const idx_schema *sc);

#define IDX_FILTER_MAX 200

/* prefix + value (clipped to IDX_FILTER_MAX bytes at a character boundary),
 * written over out.  Returns IDX_OK or IDX_ENOMEM. */
int idx_filter_term(const char *prefix, const char *v, size_t n, idx_buf *out, idx_err *err);

/* The unique-id term of article id (never clipped), written over out.
 * Returns IDX_OK or IDX_ENOMEM. */
int idx_uid_term(const char *id, size_t n, idx_buf *out, idx_err *err);

/* Build the document for a, with the text options of sc.
 * *doc (idx_xdoc_free) and the unique-id term in *uid (overwritten) belong to
 * the caller.  Returns IDX_OK, IDX_ENOMEM, IDX_EUTF8 or a Xapian error code. */
int idx_document_build(const idx_article *a, const idx_schema *sc, idx_xdoc **doc, idx_buf *uid,
                       idx_err *err);

/* Mark doc as committed in revision rev: IDX_SLOT_REV and the XR<rev> term
 * (the write path, for every article it stores). */
int idx_document_set_revision(idx_xdoc *doc, uint64_t rev, idx_err *err);
/* The filter term of revision rev into *term ("XR" + decimal). */
int idx_revision_term(uint64_t rev, idx_buf *term, idx_err *err);

/* What a document is made of, item by item: idx_document_emit hands each
 * term, value and the data to a callback, in the order the schema above
 * lists them (title and body tokens, then source, category, tags, date, the
 * stored data and last the unique-id term).  idx_document_build is this
 * into a Xapian document; a test can watch the same items. */
enum { IDX_DOC_POSTING, IDX_DOC_TERM, IDX_DOC_BOOLEAN, IDX_DOC_VALUE, IDX_DOC_DATA };
typedef struct idx_doc_item {
    int kind;      /* IDX_DOC_*: a term at a position, one without, a filter
                      term, a value, the stored data */
    const char *s; /* its bytes, valid during the call */
    size_t n;
    uint32_t pos;  /* POSTING: the position */
    unsigned slot; /* VALUE: the slot */
} idx_doc_item;
typedef int (*idx_doc_fn)(void *ctx, const idx_doc_item *it, idx_err *err);

/* Emit a's document to fn, with the text options of sc; stops at fn's first
 * error and returns it.  Otherwise IDX_OK, IDX_ENOMEM or IDX_EUTF8. */
int idx_document_emit(const idx_article *a, const idx_schema *sc, idx_doc_fn fn, void *ctx,
                      idx_err *err);

#endif
