/*
 * xap.h: the thin C wrapper over xapian-core.  xap.cc is the only C++ file
 * in the project and the only one that includes <xapian.h>.
 *
 * It is mechanical: it stores documents and runs matches.  Tokenizing,
 * stemming, query parsing, ranking policy and snippets live in C.
 *
 * Conventions:
 *  - Every function is noexcept on the C++ side and catches everything; the
 *    exception is mapped to a recap_status and its message copied into the
 *    caller's xap_error (which may be NULL when the caller does not care).
 *    On success the xap_error is left untouched: test the returned status,
 *    not err->rc.  Only recap_status functions (and xap_termiter_next)
 *    report errors; the small getters return 0 / NULL on misuse.
 *  - A NULL handle or out-pointer is RECAP_EINVAL (no assertion).
 *  - Objects handed back through `**out` are the caller's, freed with the
 *    matching xap_<type>_free(), which accepts NULL.
 *  - Strings going in are (pointer, byte length) pairs, not necessarily
 *    NUL-terminated.  Strings coming out through `char **out` are
 *    NUL-terminated, malloc()ed, and freed with free().
 *  - Handles are not thread-safe; use one per thread (Xapian's rule too).
 */
#ifndef RECAP_XAP_H
#define RECAP_XAP_H

#include <stddef.h>
#include <stdint.h>

#include "status.h"

/* The definitions in xap.cc are noexcept; C++17 makes that part of the
 * function type, so the declarations must say so too. */
#ifdef __cplusplus
#define XAP_NOEXCEPT noexcept
extern "C" {
#else
#define XAP_NOEXCEPT
#endif

/* The error of the last failed call: a status and a one-line message. */
typedef struct xap_error {
    recap_status rc;
    char msg[512];
} xap_error;

typedef struct xap_db xap_db;
typedef struct xap_doc xap_doc;
typedef struct xap_query xap_query;
typedef struct xap_enquire xap_enquire;
typedef struct xap_mset xap_mset;
typedef struct xap_termiter xap_termiter;

typedef uint32_t xap_docid; /* 0 is never a valid document id */
typedef uint32_t xap_termpos;
typedef uint32_t xap_slot;

/* ---- databases ---------------------------------------------------------- */

/* The number of documents Xapian buffers before it flushes postings to the
 * tables (XAPIAN_FLUSH_THRESHOLD), set when a writable database opens unless
 * the environment already says.  Small batches are cheaper while a database
 * is small; once it holds tens of thousands of documents each flush
 * rewrites a block per distinct term it touches, and larger batches win
 * (XAP_FLUSH_THRESHOLD_LARGE, for writers of at least
 * XAP_FLUSH_LARGE_DOCS documents; measured in bench/RESULTS.md, "Flush
 * threshold"). */
#define XAP_FLUSH_THRESHOLD 50
#define XAP_FLUSH_THRESHOLD_LARGE 500
#define XAP_FLUSH_LARGE_DOCS 10000

/* Sets the flush threshold of writable databases opened from now on to
 * suit writers of about DOCS documents each, unless the user's environment
 * set XAPIAN_FLUSH_THRESHOLD.  Changes the environment: call it only while
 * no other thread opens a database. */
void xap_flush_threshold_for(size_t docs) XAP_NOEXCEPT;

typedef enum xap_open_mode {
    XAP_DB_READONLY = 0,
    XAP_DB_CREATE_OR_OPEN,      /* writable, created if missing */
    XAP_DB_CREATE_OR_OVERWRITE, /* writable, emptied if present */
    XAP_DB_OPEN                 /* writable, must exist */
} xap_open_mode;

/*
 * Opens the database at `path`.
 * Returns RECAP_OK, RECAP_ENOTFOUND (no database there), RECAP_ELOCKED
 * (another writer holds the lock; the message names the path), RECAP_ECORRUPT,
 * RECAP_EIO, RECAP_ENOMEM or RECAP_EBACKEND.
 */
recap_status xap_db_open(const char *path, xap_open_mode mode, xap_db **out,
                         xap_error *err) XAP_NOEXCEPT;
/* For a reader opened on a stub of remote shards ("remote HOST:PORT"
 * lines), each shard is opened on its own with a timeout of
 * $RECAPSEARCH_REMOTE_TIMEOUT_MS (2000): the shards that cannot be reached
 * are left out and counted here, and the others answer (partial results).
 * 0 otherwise. */
unsigned xap_db_missing_shards(const xap_db *db) XAP_NOEXCEPT;
/* Whether the reader was opened shard by shard from such a stub. */
int xap_db_has_remote_shards(const xap_db *db) XAP_NOEXCEPT;
/* Closes the database (releasing a write lock) and frees the handle.
 * Accepts NULL.
 * Uncommitted changes of a writable database outside a transaction are
 * committed by Xapian on close; inside a transaction they are discarded. */
void xap_db_free(xap_db *db) XAP_NOEXCEPT;
/* Re-reads the latest committed revision (readers only). *changed is set to
 * 1 when a newer revision was found (may be NULL). */
recap_status xap_db_reopen(xap_db *db, int *changed,
                           xap_error *err) XAP_NOEXCEPT;
recap_status xap_db_doccount(xap_db *db, uint32_t *out,
                             xap_error *err) XAP_NOEXCEPT;
/* The committed revision; 0 for a database of several shards. */
recap_status xap_db_revision(xap_db *db, uint64_t *out,
                             xap_error *err) XAP_NOEXCEPT;
/* Average document length in wdf, for ranking policy. */
recap_status xap_db_avlength(xap_db *db, double *out,
                             xap_error *err) XAP_NOEXCEPT;
/* Number of documents indexed by `term` (0 when absent). */
recap_status xap_db_termfreq(xap_db *db, const char *term, size_t len,
                             uint32_t *out, xap_error *err) XAP_NOEXCEPT;
/* Sum of wdf of `term` over the collection. */
recap_status xap_db_collfreq(xap_db *db, const char *term, size_t len,
                             uint64_t *out, xap_error *err) XAP_NOEXCEPT;

/* Transactions (writable databases).  With `flushed` the commit of the
 * transaction is also a commit of the database. */
recap_status xap_db_begin(xap_db *db, int flushed, xap_error *err) XAP_NOEXCEPT;
recap_status xap_db_end(xap_db *db, int commit, xap_error *err) XAP_NOEXCEPT;
recap_status xap_db_commit(xap_db *db, xap_error *err) XAP_NOEXCEPT;

/* Adds or replaces the document indexed by the unique term `uterm`.  The
 * docid used is stored in *docid_out (may be NULL). */
recap_status xap_db_replace(xap_db *db, const char *uterm, size_t uterm_len,
                            const xap_doc *doc, xap_docid *docid_out,
                            xap_error *err) XAP_NOEXCEPT;
/* Adds a document under a new docid, without looking for one to replace:
 * only for a database known not to hold it (e.g. empty at the start). */
recap_status xap_db_add(xap_db *db, const xap_doc *doc, xap_docid *docid_out,
                        xap_error *err) XAP_NOEXCEPT;
/* The first document indexed by `uterm`, or 0 in *out when none is. */
recap_status xap_db_find(xap_db *db, const char *uterm, size_t uterm_len,
                         xap_docid *out, xap_error *err) XAP_NOEXCEPT;
/* Merges the databases `srcs[0..n)` into a new compact database at `dest`,
 * documents renumbered 1.. in the order of the sources (Xapian's
 * compaction).  RECAP_OK, RECAP_EIO, RECAP_ENOMEM or RECAP_EBACKEND. */
recap_status xap_compact(const char *const *srcs, size_t n, const char *dest,
                         xap_error *err) XAP_NOEXCEPT;
recap_status xap_db_delete(xap_db *db, const char *uterm, size_t uterm_len,
                           xap_error *err) XAP_NOEXCEPT;
recap_status xap_db_get_doc(xap_db *db, xap_docid did, xap_doc **out,
                            xap_error *err) XAP_NOEXCEPT;

/* User metadata; a missing key reads as an empty string. */
recap_status xap_db_get_metadata(xap_db *db, const char *key, char **out,
                                 size_t *len_out, xap_error *err) XAP_NOEXCEPT;
recap_status xap_db_set_metadata(xap_db *db, const char *key, const char *value,
                                 size_t len, xap_error *err) XAP_NOEXCEPT;

/* Spelling and synonym tables. */
recap_status xap_db_add_spelling(xap_db *db, const char *word, size_t len,
                                 uint32_t freqinc, xap_error *err) XAP_NOEXCEPT;
/* The best correction for `word` within `max_edit` edits, or an empty
 * string when there is none. */
recap_status xap_db_spell(xap_db *db, const char *word, size_t len,
                          unsigned max_edit, char **out,
                          xap_error *err) XAP_NOEXCEPT;
recap_status xap_db_add_synonym(xap_db *db, const char *term, size_t len,
                                const char *synonym, size_t syn_len,
                                xap_error *err) XAP_NOEXCEPT;
recap_status xap_db_clear_synonyms(xap_db *db, const char *term, size_t len,
                                   xap_error *err) XAP_NOEXCEPT;

/* Runs Xapian's consistency check on the database at `path`; a damaged
 * database returns RECAP_ECORRUPT with the first problem in the message. */
recap_status xap_db_check(const char *path, xap_error *err) XAP_NOEXCEPT;

/* ---- term iteration ----------------------------------------------------- */

/* All terms of the database starting with `prefix` (len 0 for all). */
recap_status xap_db_allterms(xap_db *db, const char *prefix, size_t len,
                             xap_termiter **out, xap_error *err) XAP_NOEXCEPT;
/* The synonyms of `term`. */
recap_status xap_db_synonyms(xap_db *db, const char *term, size_t len,
                             xap_termiter **out, xap_error *err) XAP_NOEXCEPT;
/* The terms of document `did`, with wdf. */
recap_status xap_db_termlist(xap_db *db, xap_docid did, xap_termiter **out,
                             xap_error *err) XAP_NOEXCEPT;
/*
 * Moves to the next term.  Returns 1 and sets *term / *len (borrowed until
 * the next call) and *freq (termfreq for allterms, wdf for a termlist, 0 for
 * synonyms; any of them may be NULL), or 0 at the end, or -1 on error (the
 * message is in `err`).  The first call yields the first term.
 */
int xap_termiter_next(xap_termiter *it, const char **term, size_t *len,
                      uint32_t *freq, xap_error *err) XAP_NOEXCEPT;
/* Lifetime: iterators and enquires hold a reference to the database
 * internals, so freeing `db` first never touches freed memory; but once
 * xap_db_free() has closed the database, a lazy iterator (allterms,
 * termlist) may either keep yielding terms Xapian has already read or
 * return -1, and xap_enquire_mset() fails.  Free them before their
 * database. */
void xap_termiter_free(xap_termiter *it) XAP_NOEXCEPT;

/* Positions of `term` in document `did`, in increasing order.  *out is a
 * malloc()ed array the caller frees; *n_out its length.  A term without
 * positions (or absent) gives *out = NULL, *n_out = 0 and RECAP_OK. */
recap_status xap_db_positions(xap_db *db, xap_docid did, const char *term,
                              size_t len, xap_termpos **out, size_t *n_out,
                              xap_error *err) XAP_NOEXCEPT;

/* ---- documents ---------------------------------------------------------- */

recap_status xap_doc_new(xap_doc **out, xap_error *err) XAP_NOEXCEPT;
void xap_doc_free(xap_doc *doc) XAP_NOEXCEPT;
/* A term at a position; wdf grows by `wdf_inc`. */
recap_status xap_doc_add_posting(xap_doc *doc, const char *term, size_t len,
                                 xap_termpos pos, uint32_t wdf_inc,
                                 xap_error *err) XAP_NOEXCEPT;
/* A term without position. */
recap_status xap_doc_add_term(xap_doc *doc, const char *term, size_t len,
                              uint32_t wdf_inc, xap_error *err) XAP_NOEXCEPT;
/* A filter term: wdf 0, no position, does not affect document length. */
recap_status xap_doc_add_boolean_term(xap_doc *doc, const char *term,
                                      size_t len, xap_error *err) XAP_NOEXCEPT;
recap_status xap_doc_set_value(xap_doc *doc, xap_slot slot, const char *value,
                               size_t len, xap_error *err) XAP_NOEXCEPT;
recap_status xap_doc_get_value(const xap_doc *doc, xap_slot slot, char **out,
                               size_t *len_out, xap_error *err) XAP_NOEXCEPT;
recap_status xap_doc_set_data(xap_doc *doc, const char *data, size_t len,
                              xap_error *err) XAP_NOEXCEPT;
recap_status xap_doc_get_data(const xap_doc *doc, char **out, size_t *len_out,
                              xap_error *err) XAP_NOEXCEPT;

/* Sortable encodings of numbers for values (Xapian::sortable_serialise).
 * xap_sortable_serialise() returns the encoded length (at most 9 bytes) and
 * writes the bytes, not NUL-terminated, only when buf_len is enough. */
size_t xap_sortable_serialise(double value, char *buf,
                              size_t buf_len) XAP_NOEXCEPT;
double xap_sortable_unserialise(const char *buf, size_t len) XAP_NOEXCEPT;

/* ---- queries ------------------------------------------------------------ */

typedef enum xap_op {
    XAP_OP_AND,
    XAP_OP_OR,
    XAP_OP_AND_NOT,
    XAP_OP_XOR,
    XAP_OP_AND_MAYBE,
    XAP_OP_FILTER,
    XAP_OP_NEAR,   /* terms within `window` positions, any order */
    XAP_OP_PHRASE, /* terms within `window` positions, in order */
    XAP_OP_ELITE_SET,
    XAP_OP_SYNONYM,
    XAP_OP_MAX
} xap_op;

/* A term query; `wqf` is the within-query frequency (1 normally), `pos` the
 * position in the query (0 if unknown). */
recap_status xap_query_term(const char *term, size_t len, uint32_t wqf,
                            xap_termpos pos, xap_query **out,
                            xap_error *err) XAP_NOEXCEPT;
/* Combines `n` subqueries with `op`.  The subqueries are copied (Xapian
 * queries are reference counted); the caller still frees its own handles.
 * `window` is used by NEAR and PHRASE (0: the number of subqueries) and is
 * the set size for ELITE_SET. */
recap_status xap_query_combine(xap_op op, xap_query *const *subs, size_t n,
                               uint32_t window, xap_query **out,
                               xap_error *err) XAP_NOEXCEPT;
/* Multiplies the weight of `sub` by `factor` (>= 0). */
recap_status xap_query_scale(const xap_query *sub, double factor,
                             xap_query **out, xap_error *err) XAP_NOEXCEPT;
/* Flags of xap_query_wildcard. */
#define XAP_WILDCARD_SYNONYM 0x1u /* combine as a synonym, not OR */
#define XAP_WILDCARD_MOST_FREQUENT                                             \
    0x2u /* over the limit, keep the most                                      \
            frequent terms instead of failing */

/* Terms starting with `prefix`, OR-ed (as a synonym with
 * XAP_WILDCARD_SYNONYM).  The expansion happens when the match runs, so
 * when more than `max_expansion` terms match it is xap_enquire_mset() that
 * returns RECAP_EQUERY (the message says how many were allowed), unless
 * XAP_WILDCARD_MOST_FREQUENT is given; 0 means no limit. */
recap_status xap_query_wildcard(const char *prefix, size_t len,
                                uint32_t max_expansion, unsigned flags,
                                xap_query **out, xap_error *err) XAP_NOEXCEPT;
/* Terms of `db` starting with `prefix`: the `max_expansion` (> 0) with
 * the highest term frequency (ties in byte order), OR-ed (as a synonym with
 * XAP_WILDCARD_SYNONYM), expanded now.  Use it rather than
 * xap_query_wildcard() with XAP_WILDCARD_MOST_FREQUENT: libxapian 1.4.22
 * leaks a weight object for every term it drops over the limit in that
 * mode (about 120 bytes each, for every such query a server answers).
 * Memory is bounded by 2 * max_expansion terms whatever the prefix. */
recap_status xap_db_wildcard_top(xap_db *db, const char *prefix, size_t len,
                                 uint32_t max_expansion, unsigned flags,
                                 xap_query **out, xap_error *err) XAP_NOEXCEPT;
/* Documents whose value in `slot` is within [lo, hi] (byte comparison);
 * lo or hi may be NULL for an open end.  With both NULL it matches every
 * document with a non-empty value in `slot`. */
recap_status xap_query_value_range(xap_slot slot, const char *lo, size_t lo_len,
                                   const char *hi, size_t hi_len,
                                   xap_query **out,
                                   xap_error *err) XAP_NOEXCEPT;
/* Every document with a value in `slot`, weighed by that value read as a
 * number (xap_sortable_serialise(), >= 0) times `factor`: a static score,
 * such as a document prior, to add with AND_MAYBE.  Documents without a
 * value in the slot do not match.  `factor` must be in [0, 1]: libxapian
 * 1.4.22 compares the match's minimum weight with the source's unscaled
 * maximum, so a source scaled up loses documents that belong in the top
 * hits.  Store values as large as the largest weight wanted. */
recap_status xap_query_value_weight(xap_slot slot, double factor,
                                    xap_query **out,
                                    xap_error *err) XAP_NOEXCEPT;
/* Another handle on the same query (Xapian queries are immutable and
 * reference counted); NULL when out of memory or q is NULL. */
xap_query *xap_query_copy(const xap_query *q) XAP_NOEXCEPT;
/* Matches every document (weight 0). */
recap_status xap_query_match_all(xap_query **out, xap_error *err) XAP_NOEXCEPT;
/* A query that matches nothing. */
recap_status xap_query_match_nothing(xap_query **out,
                                     xap_error *err) XAP_NOEXCEPT;
int xap_query_is_empty(const xap_query *q) XAP_NOEXCEPT;
/* Estimates in *out how many of `doccount` documents match q, from the
 * term frequencies in the statistics of `stats` (a match set of a query
 * with the same terms: terms it lacks are looked up in its database),
 * assuming that terms occur independently, as Xapian's own estimates do,
 * without reading a posting list.  *out is 0 only when nothing can match.
 * Returns 0, or -1 when q has a part that cannot be estimated so (value
 * ranges, wildcards) or on failure. */
int xap_query_estimate(const xap_query *q, const xap_mset *stats,
                       uint32_t doccount, uint64_t *out) XAP_NOEXCEPT;
/* Xapian's description of the query, for debugging; caller frees. */
char *xap_query_describe(const xap_query *q) XAP_NOEXCEPT;
void xap_query_free(xap_query *q) XAP_NOEXCEPT;

/* ---- matching ----------------------------------------------------------- */

recap_status xap_enquire_new(xap_db *db, xap_enquire **out,
                             xap_error *err) XAP_NOEXCEPT;
void xap_enquire_free(xap_enquire *e) XAP_NOEXCEPT;
/* `qlen` is the query length for BM25 (0: Xapian's default). */
recap_status xap_enquire_set_query(xap_enquire *e, const xap_query *q,
                                   uint32_t qlen, xap_error *err) XAP_NOEXCEPT;
/* BM25 with Xapian's parameters (defaults 1, 0, 1, 0.5, 0.5). */
recap_status xap_enquire_set_bm25(xap_enquire *e, double k1, double k2,
                                  double k3, double b, double min_normlen,
                                  xap_error *err) XAP_NOEXCEPT;
/* Weighting schemes of Xapian 1.4 (see xap_enquire_set_weighting). */
typedef enum xap_scheme {
    XAP_SCHEME_BM25,     /* k1, b, min_normlen */
    XAP_SCHEME_BM25PLUS, /* k1, b, min_normlen, delta */
    XAP_SCHEME_DPH,      /* parameter-free DFR */
    XAP_SCHEME_PL2,      /* DFR, c */
    XAP_SCHEME_PL2PLUS,  /* DFR, c, delta */
    XAP_SCHEME_INL2,     /* DFR, c */
    XAP_SCHEME_LM        /* language model, Dirichlet smoothing mu */
} xap_scheme;
typedef struct xap_weighting {
    xap_scheme scheme;
    double k1, b, min_normlen; /* BM25, BM25+ */
    double delta;              /* BM25+, PL2+ (> 0) */
    double c;                  /* PL2, PL2+, InL2 (> 0) */
    double mu;                 /* LM (> 0) */
} xap_weighting;
/* The weighting scheme `w` (k2 0, k3 1 for the BM25 ones). */
recap_status xap_enquire_set_weighting(xap_enquire *e, const xap_weighting *w,
                                       xap_error *err) XAP_NOEXCEPT;
/* The values in `slot` of `n` documents as sortable_serialise()d numbers
 * (0 when a document has none). */
recap_status xap_db_sortable_values(xap_db *db, xap_slot slot,
                                    const xap_docid *dids, size_t n,
                                    double *out, xap_error *err) XAP_NOEXCEPT;

/* The proximity bonus of each of `n_docs` documents: what a PHRASE of the
 * `n` terms, scaled by `factor`, adds to its weight under BM25 (`w`,
 * whose scheme must be XAP_SCHEME_BM25): `factor` times the sum of the
 * terms' BM25 weights when they stand side by side in this order, else 0.
 * Asking this of a page of hits reads their positions only, where a PHRASE
 * in the query has Xapian check every match.  out[j] for dids[j]. */
recap_status xap_db_phrase_bonus(xap_db *db, const xap_docid *dids,
                                 size_t n_docs, const char *const *terms,
                                 const size_t *lens, size_t n,
                                 const xap_weighting *w, double factor,
                                 double *out, xap_error *err) XAP_NOEXCEPT;

/* Sort: relevance (default), by value, by value then relevance, or by
 * relevance then value. */
typedef enum xap_sort {
    XAP_SORT_RELEVANCE,
    XAP_SORT_VALUE,
    XAP_SORT_VALUE_THEN_RELEVANCE,
    XAP_SORT_RELEVANCE_THEN_VALUE
} xap_sort;
recap_status xap_enquire_set_sort(xap_enquire *e, xap_sort sort, xap_slot slot,
                                  int reverse, xap_error *err) XAP_NOEXCEPT;
/* Keeps at most one document per distinct value in `slot`. */
recap_status xap_enquire_set_collapse(xap_enquire *e, xap_slot slot,
                                      xap_error *err) XAP_NOEXCEPT;
/* A time budget in seconds for the match (Xapian's set_time_limit; 0: none).
 * Once it is spent Xapian stops checking extra documents for the counts
 * (check_at_least), so totals become estimates; the match itself still
 * finishes.  Call before xap_enquire_mset(). */
recap_status xap_enquire_set_time_limit(xap_enquire *e, double seconds,
                                        xap_error *err) XAP_NOEXCEPT;
/* Runs the match: hits [first, first + maxitems), counting at least
 * `check_at_least` documents for the estimates. */
recap_status xap_enquire_mset(xap_enquire *e, uint32_t first, uint32_t maxitems,
                              uint32_t check_at_least, xap_mset **out,
                              xap_error *err) XAP_NOEXCEPT;
/* The query terms that document `did` matches, in query order (by the
 * `pos` given to xap_query_term(), then by byte order).  The iterator's freq
 * is unused. */
recap_status xap_enquire_matching_terms(xap_enquire *e, xap_docid did,
                                        xap_termiter **out,
                                        xap_error *err) XAP_NOEXCEPT;
/* Expansion terms for "more like this": the `max` best terms of the
 * relevance set `dids`, excluding terms with a prefix in `skip_prefixes`
 * (a NULL-terminated list, may be NULL).  The iterator's freq is unused. */
recap_status xap_enquire_eset(xap_enquire *e, const xap_docid *dids,
                              size_t n_dids, uint32_t max,
                              const char *const *skip_prefixes,
                              xap_termiter **out, xap_error *err) XAP_NOEXCEPT;

/* ---- match spies (facet counts) ----------------------------------------- */

typedef struct xap_spy xap_spy;

/*
 * A match spy that counts the values of `slot` over the documents a match
 * considers.  With `sep` in 0..255 a value is split at that byte and each
 * distinct non-empty part is counted once per document (a document
 * without any is not counted); with -1 the whole value is counted, the
 * empty value too.  One spy may be added to several enquires (their counts
 * add up).
 * Returns RECAP_OK, RECAP_ENOMEM, RECAP_EINVAL.
 */
recap_status xap_spy_new(xap_slot slot, int sep, xap_spy **out,
                         xap_error *err) XAP_NOEXCEPT;
void xap_spy_free(xap_spy *spy) XAP_NOEXCEPT;
/*
 * Makes `e` report to `spy` from its next xap_enquire_mset() on.  The spy
 * is borrowed: free it only after the enquire.  A match stops looking at
 * documents once it has enough for the page asked, so to count the whole
 * match set pass a check_at_least of at least the database's document
 * count to xap_enquire_mset().
 */
recap_status xap_enquire_add_spy(xap_enquire *e, xap_spy *spy,
                                 xap_error *err) XAP_NOEXCEPT;
/* Documents the spy has seen. */
uint32_t xap_spy_seen(const xap_spy *spy) XAP_NOEXCEPT;
/* Called for each counted value (borrowed for the call); return non-zero
 * to stop. */
typedef int (*xap_spy_fn)(void *ctx, const char *value, size_t len,
                          uint32_t count);
/* Calls `fn` for each value, in byte order of the values.  Returns
 * RECAP_OK (also when fn stopped early), RECAP_ENOMEM, RECAP_EINVAL. */
recap_status xap_spy_each(const xap_spy *spy, xap_spy_fn fn, void *ctx,
                          xap_error *err) XAP_NOEXCEPT;

uint32_t xap_mset_size(const xap_mset *m) XAP_NOEXCEPT;
uint32_t xap_mset_estimated(const xap_mset *m) XAP_NOEXCEPT;
uint32_t xap_mset_lower_bound(const xap_mset *m) XAP_NOEXCEPT;
uint32_t xap_mset_upper_bound(const xap_mset *m) XAP_NOEXCEPT;
xap_docid xap_mset_docid(const xap_mset *m, uint32_t i) XAP_NOEXCEPT;
double xap_mset_weight(const xap_mset *m, uint32_t i) XAP_NOEXCEPT;
int xap_mset_percent(const xap_mset *m, uint32_t i) XAP_NOEXCEPT;
/* The frequency of a term in the match set's statistics. */
recap_status xap_mset_termfreq(const xap_mset *m, const char *term, size_t len,
                               uint32_t *out, xap_error *err) XAP_NOEXCEPT;
recap_status xap_mset_doc(const xap_mset *m, uint32_t i, xap_doc **out,
                          xap_error *err) XAP_NOEXCEPT;
void xap_mset_free(xap_mset *m) XAP_NOEXCEPT;

#ifdef __cplusplus
}
#endif

#endif
