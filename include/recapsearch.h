/*
 * recapsearch.h: full-text search for Hugo-style markdown sites.
 *
 * One header, the whole public API.  No type of any dependency appears here.
 *
 * Conventions (after libgit2 and notmuch):
 *  - Every function that can fail returns a recap_status; RECAP_OK is 0.
 *    The detailed message of the last failure on a handle is kept on that
 *    handle (recap_index_errmsg); constructors that fail before a handle
 *    exists hand it back through an optional `char **errmsg` (free()).
 *  - What comes back through `**out` belongs to the caller and is freed
 *    with the matching recap_<type>_free(), which accepts NULL.  What a
 *    function returns directly is borrowed from its parent object and
 *    stays valid as long as that object does.
 *  - Strings are UTF-8.  A handle is used by one thread at a time; open one
 *    handle per thread to search concurrently.
 *  - Option structs carry a `version` and are initialised with their
 *    _INIT macro, so new fields can be added without breaking callers.
 *
 * Indexing, by example:
 *
 *     recap_index *idx;
 *     char *err = NULL;
 *     if (recap_index_open(".recapsearch", RECAP_OPEN_CREATE, &idx, &err))
 *         die(err);
 *     recap_index_begin(idx, RECAP_BEGIN_FULL);
 *     for (each markdown file relpath under root)
 *         recap_index_add_file(idx, root, relpath);  // RECAP_ESKIPPED: draft
 *     recap_index_commit(idx);  // readers see all of it or none of it
 *     recap_index_close(idx);
 *
 * Searching:
 *
 *     recap_search_options opts = RECAP_SEARCH_OPTIONS_INIT;
 *     recap_results *res;
 *     opts.query = "ambient mesh multi-cluster";
 *     if (recap_search(idx, &opts, &res) == RECAP_OK) {
 *         for (size_t i = 0; i < recap_results_count(res); i++) {
 *             const recap_hit *hit = recap_results_hit(res, i);
 *             printf("%s %s\n", recap_hit_title(hit), recap_hit_url(hit));
 *         }
 *         recap_results_free(res);
 *     }
 */
#ifndef RECAPSEARCH_H
#define RECAPSEARCH_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define RECAP_VERSION_MAJOR 0
#define RECAP_VERSION_MINOR 1
#define RECAP_VERSION_PATCH 0
#define RECAP_VERSION "0.1.0"

/* The library's version at run time ("0.1.0"). */
const char *recap_version(void);

/* ---- status codes ------------------------------------------------------- */

/* Every failure is one of these. */
typedef enum recap_status {
    RECAP_OK = 0,
    RECAP_ENOMEM,    /* out of memory */
    RECAP_EINVAL,    /* misuse of the API: a NULL handle, a bad option */
    RECAP_ENOTFOUND, /* no index, document or file at the given place */
    RECAP_ELOCKED,   /* another writer holds the index's write lock */
    RECAP_ECORRUPT,  /* the index is damaged or of an unknown format */
    RECAP_EMODIFIED, /* the index changed under a reader; reopen and retry */
    RECAP_EQUERY,    /* the query cannot be parsed or run */
    RECAP_EPARSE,    /* a source file cannot be parsed */
    RECAP_ESKIPPED,  /* a source file is deliberately not indexed (draft) */
    RECAP_EIO,       /* reading or writing a file failed */
    RECAP_EBACKEND,  /* any other error reported by Xapian */
    RECAP_EINTERNAL  /* a bug: an unexpected exception or state */
} recap_status;

/* A short constant description of `rc` ("index is locked"). */
const char *recap_status_str(recap_status rc);

/* ---- opening an index --------------------------------------------------- */

typedef struct recap_index recap_index;

typedef enum recap_open_mode {
    RECAP_OPEN_READ = 0, /* read-only; many readers may share an index */
    RECAP_OPEN_WRITE,    /* writable; the index must exist */
    RECAP_OPEN_CREATE    /* writable; created when missing */
} recap_open_mode;

/*
 * Opens the index in the directory `path`.
 *
 * Returns RECAP_OK and *out (free with recap_index_close), or:
 *   RECAP_ENOTFOUND  no index at `path` (read or write mode)
 *   RECAP_ELOCKED    another writer holds the lock (write modes)
 *   RECAP_ECORRUPT   the index is damaged or from an unknown version
 *   RECAP_EIO, RECAP_ENOMEM, RECAP_EBACKEND, RECAP_EINVAL
 * On failure *errmsg (when errmsg is not NULL) receives a malloc()ed
 * message for people, saying what to do.
 */
recap_status recap_index_open(const char *path, recap_open_mode mode,
                              recap_index **out, char **errmsg);

/* Closes the index and frees the handle.  A writer's uncommitted changes
 * are discarded.  Accepts NULL. */
void recap_index_close(recap_index *idx);

/* The message of the last failure on `idx` ("" if none); borrowed until
 * the next call on `idx`. */
const char *recap_index_errmsg(const recap_index *idx);

/* Number of documents in the index. */
recap_status recap_index_doc_count(recap_index *idx, uint64_t *out);

/* The language most documents of the index are in ("en"); borrowed from
 * idx.  Never NULL. */
const char *recap_index_main_lang(recap_index *idx);

/* Makes a reader see the latest committed revision. */
recap_status recap_index_reopen(recap_index *idx);

/*
 * Runs Xapian's consistency check over every table of the index in the
 * directory `path`, at its latest committed revision.  The index need not
 * be open, and a writer may be running.  Reads the whole index: slow on a
 * big one (about a second per 30 MB).
 *
 * Returns RECAP_OK when the index is sound, or:
 *   RECAP_ENOTFOUND  no index at `path`
 *   RECAP_ECORRUPT   the index is damaged; the message names the first
 *                    problem found
 *   RECAP_EIO, RECAP_ENOMEM, RECAP_EBACKEND, RECAP_EINVAL (path is NULL)
 * On failure *errmsg (when errmsg is not NULL) receives a malloc()ed
 * message for people, saying what to do.
 */
recap_status recap_index_check(const char *path, char **errmsg);

/* ---- writing ------------------------------------------------------------ */

/* Receives warnings that do not stop a file from being indexed, such as a
 * front-matter syntax error ("front matter: line 7: ..."): `path` is the
 * file relative to its root, `line` 1-based or 0 when unknown. */
typedef void (*recap_warn_fn)(void *ctx, const char *path, unsigned line,
                              const char *msg);
void recap_index_set_warn(recap_index *idx, recap_warn_fn fn, void *ctx);

/* Language of pages whose path has no language folder (default "en"). */
recap_status recap_index_set_default_lang(recap_index *idx, const char *lang);

typedef enum recap_begin_flags {
    RECAP_BEGIN_UPDATE = 0, /* add and replace documents */
    RECAP_BEGIN_FULL = 1    /* a full rebuild: at commit, documents that were
                               not added since begin are deleted */
} recap_begin_flags;

/* Starts a batch of changes that readers see all at once at commit, or not
 * at all if the process dies first.  RECAP_EINVAL on a reader or when a
 * batch is already open. */
recap_status recap_index_begin(recap_index *idx, recap_begin_flags flags);

/*
 * Indexes the markdown file `root`/`relpath`, replacing any earlier version
 * of the same path.  `relpath` is '/'-separated and names the document.
 * Returns RECAP_OK, or:
 *   RECAP_ESKIPPED  Hugo would not publish it (draft, headless, expired...);
 *                   the reason is in recap_index_errmsg.  Any earlier version
 *                   in the index is removed.
 *   RECAP_EIO       the file cannot be read
 *   RECAP_EPARSE    nothing of the file is usable
 *   RECAP_ENOMEM, RECAP_EBACKEND, RECAP_EINVAL (no batch open)
 */
recap_status recap_index_add_file(recap_index *idx, const char *root,
                                  const char *relpath);

/*
 * Loads a synonyms file into the index (inside a batch): one group of
 * equivalent words per line, comma-separated, a member may have several
 * words; '#' starts a comment line.  Example lines: "k8s, kubernetes" and
 * "mtls, mutual tls".  Searches then also match a word's synonyms, with a
 * little less weight than the word itself.
 * Returns RECAP_OK, RECAP_EIO (unreadable file), RECAP_EINVAL (a reader,
 * or no batch open), RECAP_EBACKEND.
 */
recap_status recap_index_load_synonyms(recap_index *idx, const char *path);

/* Removes the document for `relpath`; RECAP_ENOTFOUND if there is none. */
recap_status recap_index_delete(recap_index *idx, const char *relpath);

/* Commits the batch: readers see every change of it from now on. */
recap_status recap_index_commit(recap_index *idx);

/* Discards the batch. */
recap_status recap_index_cancel(recap_index *idx);

/* Counters of the current or last batch. */
typedef struct recap_index_stats {
    uint64_t n_added;    /* documents added or replaced */
    uint64_t n_skipped;  /* RECAP_ESKIPPED files */
    uint64_t n_failed;   /* files that could not be read or parsed */
    uint64_t n_deleted;  /* documents removed (delete, or by a full build) */
    uint64_t n_warnings; /* warnings reported */
    uint64_t n_terms;    /* term occurrences generated */
    uint64_t n_bytes;    /* source bytes read */
} recap_index_stats;
void recap_index_get_stats(const recap_index *idx, recap_index_stats *out);

/* ---- searching ---------------------------------------------------------- */

/* Ranking parameters of a reader.  The defaults were tuned on graded
 * judgments over a real documentation site (bench/relevance.py). */
typedef struct recap_ranking {
    unsigned version;  /* RECAP_RANKING_VERSION */
    double k1;         /* BM25 term-frequency saturation (> 0) */
    double b;          /* BM25 length normalisation (0..1) */
    double proximity;  /* weight of the bonus for query words standing
                          together, relative to the words' own (>= 0) */
    double code;       /* weight of matches in code blocks (>= 0) */
} recap_ranking;

#define RECAP_RANKING_VERSION 1
#define RECAP_RANKING_INIT { RECAP_RANKING_VERSION, 2.0, 0.4, 0.5, 0.3 }

/* Sets the ranking parameters of `idx` for its later searches.
 * RECAP_EINVAL (with a message) when a value is out of range. */
recap_status recap_index_set_ranking(recap_index *idx,
                                     const recap_ranking *ranking);

typedef enum recap_sort {
    RECAP_SORT_RELEVANCE = 0, /* best match first */
    RECAP_SORT_DATE           /* newest first, relevance breaking ties */
} recap_sort;

typedef enum recap_search_flags {
    RECAP_SEARCH_STRICT = 1 << 0, /* a malformed query is RECAP_EQUERY with
                                     its position, instead of being read as
                                     plain words */
    RECAP_SEARCH_EXACT = 1 << 1   /* no spelling correction */
} recap_search_flags;

typedef struct recap_search_options {
    unsigned version;       /* RECAP_SEARCH_OPTIONS_VERSION */
    const char *query;      /* what the visitor typed */
    const char *lang;       /* NULL: the index's main language; "*": all */
    uint32_t offset;        /* hits to skip */
    uint32_t limit;         /* hits to return (0: 10) */
    uint32_t snippet_length;/* Unicode characters per snippet (0: 200) */
    uint32_t max_snippets;  /* snippets per hit (0: 1) */
    /* Filters; NULL for none.  Dates are "YYYY", "YYYY-MM" or "YYYY-MM-DD",
     * both ends inclusive. */
    const char *section;    /* first path part: "blog", "docs" */
    const char *tag;        /* a keyword, tag or category, as written */
    const char *author;     /* words of the author's name */
    const char *since;
    const char *until;
    recap_sort sort;
    /* Facets to count over the whole match set, comma-separated, from
     * "section", "year", "tag", "author", "lang"; NULL for none. */
    const char *facets;
    unsigned flags;         /* recap_search_flags */
} recap_search_options;

#define RECAP_SEARCH_OPTIONS_VERSION 1
#define RECAP_SEARCH_OPTIONS_INIT                                           \
    {                                                                       \
        RECAP_SEARCH_OPTIONS_VERSION, NULL, NULL, 0, 10, 200, 1, NULL, NULL,  \
            NULL, NULL, NULL, RECAP_SORT_RELEVANCE, NULL, 0                 \
    }

typedef struct recap_results recap_results;
typedef struct recap_hit recap_hit;
typedef struct recap_snippet recap_snippet;

/*
 * Runs a search.  Returns RECAP_OK and *out (free with recap_results_free;
 * it owns its hits and snippets and does not need `idx` to stay open), or
 * RECAP_EQUERY, RECAP_EMODIFIED, RECAP_ECORRUPT, RECAP_ENOMEM,
 * RECAP_EBACKEND, RECAP_EINVAL; the message is on `idx`.  When a writer
 * commits while `idx` is open, recap_search reopens `idx` and runs again
 * by itself (so a long-lived reader sees the latest revision);
 * RECAP_EMODIFIED only means the index kept changing over several tries.
 * A query without any searchable word is not an error: it has no hits.
 */
recap_status recap_search(recap_index *idx, const recap_search_options *opts,
                          recap_results **out);
void recap_results_free(recap_results *res);

/* The query as given. */
const char *recap_results_query(const recap_results *res);
/* Number of matching documents: exact when recap_results_total_exact()
 * says so, else Xapian's estimate (show it as "about N"). */
uint64_t recap_results_total(const recap_results *res);
int recap_results_total_exact(const recap_results *res);
/* The offset of the next page, or 0 when this is the last page. */
uint64_t recap_results_next_offset(const recap_results *res);
/* "Did you mean": the query with misspelt words replaced by the index's
 * own words, or NULL when nothing needed correcting.  Borrowed. */
const char *recap_results_suggestion(const recap_results *res);
/* Whether the hits include matches for the suggestion (1), or the search
 * was RECAP_SEARCH_EXACT and only suggests it (0). */
int recap_results_corrected(const recap_results *res);
/* Number of hits in this page, and the i-th of them (borrowed from res). */
size_t recap_results_count(const recap_results *res);
const recap_hit *recap_results_hit(const recap_results *res, size_t i);
/* Seconds spent in recap_search. */
double recap_results_elapsed(const recap_results *res);

/* Hit fields, borrowed from the results.  `date` is ISO 8601 or NULL. */
unsigned recap_hit_rank(const recap_hit *hit); /* 1-based over all pages */
double recap_hit_score(const recap_hit *hit);
const char *recap_hit_path(const recap_hit *hit);
const char *recap_hit_url(const recap_hit *hit);
const char *recap_hit_title(const recap_hit *hit);
const char *recap_hit_date(const recap_hit *hit);
const char *recap_hit_section(const recap_hit *hit);
const char *recap_hit_lang(const recap_hit *hit);
const char *recap_hit_description(const recap_hit *hit);
size_t recap_hit_snippet_count(const recap_hit *hit);
const recap_snippet *recap_hit_snippet(const recap_hit *hit, size_t i);

/* Facet counts over the whole match set, for the facets asked for in
 * recap_search_options.facets, in the order asked.  Borrowed from res. */
typedef struct recap_facet recap_facet;
size_t recap_results_facet_count(const recap_results *res);
const recap_facet *recap_results_facet(const recap_results *res, size_t i);
/* The facet's name ("section"). */
const char *recap_facet_name(const recap_facet *f);
/* Its values, most frequent first; *count receives the number of matching
 * documents that have value i. */
size_t recap_facet_value_count(const recap_facet *f);
const char *recap_facet_value(const recap_facet *f, size_t i,
                              uint64_t *count);

/* The passage as plain text, and as HTML (escaped, matches in <mark>). */
const char *recap_snippet_text(const recap_snippet *sn);
const char *recap_snippet_html(const recap_snippet *sn);
/* Heading and anchor of the section the passage comes from, or NULL. */
const char *recap_snippet_heading(const recap_snippet *sn);
const char *recap_snippet_anchor(const recap_snippet *sn);
/* The page URL with the section's anchor ("/blog/x/#setup"), or the page
 * URL for the lead section. */
const char *recap_snippet_url(const recap_snippet *sn);
/* Matched ranges in recap_snippet_text: byte offset and byte length. */
size_t recap_snippet_highlight_count(const recap_snippet *sn);
void recap_snippet_highlight(const recap_snippet *sn, size_t i, size_t *off,
                             size_t *len);

/*
 * The results as one JSON object (schema in README.md, "JSON output"):
 * malloc()ed, caller frees; NULL when out of memory.  `pretty` indents.
 */
char *recap_results_json(const recap_results *res, int pretty);

#ifdef __cplusplus
}
#endif

#endif
