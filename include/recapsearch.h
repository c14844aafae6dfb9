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

/* ---- documents given in memory ------------------------------------------ */

typedef enum recap_body_format {
    RECAP_BODY_MARKDOWN = 0, /* CommonMark with Hugo shortcodes */
    RECAP_BODY_TEXT          /* plain text; blank lines separate paragraphs */
} recap_body_format;

/* A document a generator has already parsed.  Strings are UTF-8 and
 * NUL-terminated; lists are NULL-terminated arrays (NULL for none).  Only
 * `path` is required. */
typedef struct recap_doc_fields {
    unsigned version; /* RECAP_DOC_FIELDS_VERSION */
    const char *path; /* names the document, '/'-separated, unique:
                         "en/posts/hello.md", "_posts/x.md" */
    const char *url;  /* NULL: from the path by Hugo's rules */
    const char *title;
    const char *description;
    const char *body; /* NULL: no body */
    recap_body_format format;
    const char *date;    /* publication date, ISO 8601 ("2025-04-25",
                            "2025-04-25T10:00:00Z"); NULL: none */
    const char *lang;    /* NULL: the path's language folder, else the
                            index's default language */
    const char *section; /* NULL: the first path part after the
                            language */
    const char *const *tags;
    const char *const *categories;
    const char *const *keywords;
    const char *const *authors;
    const char *const *aliases; /* other URLs of the page */
} recap_doc_fields;

#define RECAP_DOC_FIELDS_VERSION 1
#define RECAP_DOC_FIELDS_INIT                                                  \
    {                                                                          \
        RECAP_DOC_FIELDS_VERSION, NULL, NULL, NULL, NULL, NULL,                \
            RECAP_BODY_MARKDOWN, NULL, NULL, NULL, NULL, NULL, NULL, NULL,     \
            NULL                                                               \
    }

/*
 * Indexes a document given as fields, replacing any earlier version with
 * the same path; it is searched and shown exactly like a file's page.
 * Nothing is read from disk.  A markdown body with broken shortcodes is
 * indexed with a warning (recap_index_set_warn).
 * Returns RECAP_OK, or:
 *   RECAP_EINVAL    no batch open, a read-only index, NULL fields or path,
 *                   an unknown version or format, or a date that cannot be
 *                   read
 *   RECAP_EPARSE    the body cannot be parsed
 *   RECAP_ENOMEM, RECAP_EBACKEND
 * The message is on `idx`.
 *
 *     recap_doc_fields f = RECAP_DOC_FIELDS_INIT;
 *     const char *tags[] = {"mesh", NULL};
 *     f.path = "posts/hello.md";
 *     f.url = "/2025/04/hello/";
 *     f.title = "Hello";
 *     f.body = "# Hi\n\nFirst post.";
 *     f.tags = tags;
 *     rc = recap_index_add_doc(idx, &f);
 */
recap_status recap_index_add_doc(recap_index *idx,
                                 const recap_doc_fields *fields);

/*
 * Makes the next RECAP_BEGIN_FULL batch write `n` shards (1 to 64): Xapian
 * databases that each hold the documents whose path hashes to them (a
 * stable hash), listed by the index's stub file, so every reader opens
 * them as one index.  Each shard is written by its own thread.  0 (the
 * default) keeps the number the index has.  Shards can then be served from
 * other hosts with xapian-tcpsrv (see docs/scaling.md).  Incremental
 * batches on a sharded index add new documents where Xapian puts them
 * (round robin) and commit shard by shard.
 * Returns RECAP_OK, or RECAP_EINVAL (a reader, a batch open, or n > 64).
 */
recap_status recap_index_set_shards(recap_index *idx, unsigned n);

/*
 * Receives the outcome of one file of recap_index_add_files(), on the
 * calling thread and in the order of the list: `i` is the file's index in
 * the list, `rc` what recap_index_add_file() would have returned for it
 * (RECAP_OK, RECAP_ESKIPPED, RECAP_EIO or RECAP_EPARSE) and `msg` its
 * message ("" on success), borrowed until the callback returns.
 */
typedef void (*recap_file_fn)(void *ctx, size_t i, const char *relpath,
                              recap_status rc, const char *msg);

/*
 * Indexes the files `root`/`relpaths[0..n)` as n calls of
 * recap_index_add_file() would, with the same document ids, statistics and
 * messages, but on `n_workers` threads (0: one per processor).  In a
 * RECAP_BEGIN_FULL batch on an index created by this version, each thread
 * writes a contiguous range of the list into a database of its own, and
 * the commit merges them (Xapian compaction) into a new generation of the
 * index that replaces the old one at once; otherwise the threads read,
 * parse and analyse files while the calling thread writes the index.
 * Warnings (recap_index_set_warn) and `fn` (may be NULL) are called on the
 * calling thread: a file's warnings come just before its own outcome.
 * Memory stays bounded: workers run at most a few files per thread ahead
 * of the writer.
 *
 * Returns RECAP_OK when every file was handled (each file's own status goes
 * to `fn`), or the status that stopped the run, with the message (naming
 * the file) on the handle; the files before it were added and the batch
 * should then be cancelled:
 *   RECAP_ENOMEM, RECAP_EBACKEND, RECAP_ECORRUPT, RECAP_EINTERNAL
 *   RECAP_EINVAL  no batch open, or a NULL path
 *
 *     recap_index_begin(idx, RECAP_BEGIN_FULL);
 *     if (recap_index_add_files(idx, root, paths, n, 0, on_file, ctx))
 *         recap_index_cancel(idx);
 *     else
 *         recap_index_commit(idx);
 */
recap_status recap_index_add_files(recap_index *idx, const char *root,
                                   const char *const *relpaths, size_t n,
                                   unsigned n_workers, recap_file_fn fn,
                                   void *ctx);

/*
 * How many files of the recap_index_add_files() call under way (or of the
 * last one) are done, in whatever order the threads finished them.  `fn`
 * hears of a file only after the files before it in the list, and the
 * threads of a full build each take a range of the list, so this count
 * runs ahead of `fn`'s i + 1: it is the one to show progress with.  May be
 * called from `fn`.
 */
size_t recap_index_files_done(const recap_index *idx);

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
    uint64_t n_unknown_shortcodes; /* uses of shortcodes the shortcode
                                      table does not know (see
                                      recap_index_unknown_shortcode) */
} recap_index_stats;
void recap_index_get_stats(const recap_index *idx, recap_index_stats *out);

/* ---- how a site is read ------------------------------------------------- */

/* Pages Hugo would not publish that are indexed anyway. */
typedef enum recap_include_flags {
    RECAP_INCLUDE_DRAFTS = 1 << 0, /* draft: true */
    RECAP_INCLUDE_FUTURE = 1 << 1, /* publishDate or date in the future */
    RECAP_INCLUDE_EXPIRED = 1 << 2 /* expiryDate in the past */
} recap_include_flags;

typedef struct recap_ingest_options {
    unsigned version;            /* RECAP_INGEST_OPTIONS_VERSION */
    const char *default_lang;    /* pages outside a language folder; NULL:
                                    "en" (recap_dump_file only; an index
                                    uses recap_index_set_default_lang) */
    const char *params_file;     /* site parameters (YAML, TOML or JSON)
                                    for version shortcodes; NULL: none,
                                    they expand to nothing */
    const char *shortcodes_file; /* shortcode table (README.md,
                                    "Shortcodes"); NULL: the built-in
                                    table only */
    unsigned include;            /* recap_include_flags */
} recap_ingest_options;

#define RECAP_INGEST_OPTIONS_VERSION 1
#define RECAP_INGEST_OPTIONS_INIT                                              \
    {                                                                          \
        RECAP_INGEST_OPTIONS_VERSION, NULL, NULL, NULL, 0                      \
    }

/*
 * Sets how the files of later recap_index_add_file calls are read: the
 * shortcode table, the site parameters and which unpublished pages to
 * include.  The files are read now; the previous settings stay when they
 * cannot be.  Returns RECAP_OK, or RECAP_EIO (a file cannot be read),
 * RECAP_EPARSE (a file is malformed; the message names it and the line),
 * RECAP_ENOMEM, RECAP_EINVAL (NULL idx or opts, a reader, a batch open);
 * the message is on idx.
 */
recap_status recap_index_set_ingest_options(recap_index *idx,
                                            const recap_ingest_options *opts);

/*
 * The shortcodes of the current or last batch that the shortcode table
 * does not know, most used first: the name of the i-th (borrowed until the
 * next batch starts) and, in *count (may be NULL), how often it was used;
 * NULL when i is past the end.
 *
 *     uint64_t n;
 *     const char *name;
 *     for (size_t i = 0; (name = recap_index_unknown_shortcode(idx, i, &n));
 *          i++)
 *         printf("%s (%llu)\n", name, (unsigned long long)n);
 */
const char *recap_index_unknown_shortcode(const recap_index *idx, size_t i,
                                          uint64_t *count);

/*
 * What would be indexed for one file, as JSON (README.md, "What a page
 * becomes"): fields, URL, language, sections with anchors, labels, code,
 * link targets, translations, unknown shortcodes and warnings; for a page
 * Hugo would not publish, "skipped" says why.  `file` is a path relative
 * to `root`, or any path to a file under it; `root` is a content folder or
 * a site root with content/, or NULL to take the nearest folder named
 * "content" above `file` (else its own folder).  `opts` may be NULL.
 * Nothing is written.  Returns RECAP_OK and *json_out (malloc()ed, caller
 * frees), or RECAP_ENOTFOUND (no such file), RECAP_EIO, RECAP_EPARSE (a
 * configuration file), RECAP_ENOMEM, RECAP_EINVAL, with *errmsg (when not
 * NULL, malloc()ed).
 */
recap_status recap_dump_file(const recap_ingest_options *opts, const char *root,
                             const char *file, char **json_out, char **errmsg);

/* ---- keeping an index in step with a content folder ---------------------- */

/* Called for each file recap_index_sync re-reads: `rc` is what
 * recap_index_add_file returned (RECAP_OK, RECAP_ESKIPPED, RECAP_EIO,
 * RECAP_EPARSE; the reason is in recap_index_errmsg), `done` of `total`
 * files have been looked at. */
typedef void (*recap_sync_fn)(void *ctx, const char *relpath, recap_status rc,
                              size_t done, size_t total);

typedef enum recap_sync_flags {
    RECAP_SYNC_REREAD = 1 << 0 /* re-read every file, as if all changed */
} recap_sync_flags;

typedef struct recap_sync_options {
    unsigned version;      /* RECAP_SYNC_OPTIONS_VERSION */
    recap_sync_fn on_file; /* may be NULL */
    void *ctx;
    unsigned flags;       /* recap_sync_flags */
    const char *synonyms; /* a synonyms file loaded in the same batch
                             (recap_index_load_synonyms), or NULL */
} recap_sync_options;

#define RECAP_SYNC_OPTIONS_VERSION 1
#define RECAP_SYNC_OPTIONS_INIT                                                \
    {                                                                          \
        RECAP_SYNC_OPTIONS_VERSION, NULL, NULL, 0, NULL                        \
    }

typedef struct recap_sync_stats {
    uint64_t n_files;     /* markdown files found */
    uint64_t n_unchanged; /* files not re-indexed: same size and mtime, or
                             same content hash */
    uint64_t n_added;     /* files indexed for the first time */
    uint64_t n_updated;   /* changed files re-indexed */
    uint64_t n_dependent; /* unchanged pages re-indexed because a file they
                             include (a boilerplate) changed */
    uint64_t n_removed;   /* documents of files that no longer exist */
    uint64_t n_skipped;   /* re-read and not published (draft...) */
    uint64_t n_failed;    /* re-read and could not be read or parsed; the
                             previous version stays indexed */
    double seconds;       /* wall time of the whole call */
} recap_sync_stats;

/*
 * Brings the index in step with the Hugo content folder `content_dir` (or
 * a site root that has content/) in one batch and one commit: files whose
 * size, mtime and content hash are those recorded when they were last
 * indexed are not read again (a file whose mtime changed but whose content
 * did not is only re-stamped), changed and new files are re-indexed,
 * pages that include a changed file are re-indexed, and the documents of
 * files that are gone are removed.  The stamps are kept in the index and
 * written by every commit of files added with recap_index_add_file, so a
 * full build followed by a sync re-reads nothing; a document added with
 * recap_index_add_doc has no file and is removed by a sync.
 *
 * Returns RECAP_OK and fills *stats (may be NULL), or:
 *   RECAP_EINVAL     a read-only index, a batch already open, bad options
 *   RECAP_ENOTFOUND  no folder at content_dir
 *   RECAP_EIO        a folder (or the synonyms file) cannot be read
 *   RECAP_ENOMEM, RECAP_EBACKEND, RECAP_ECORRUPT: nothing was committed
 * Files that cannot be read or parsed are not errors of the call: they are
 * counted in n_failed and reported through opts->on_file.
 */
recap_status recap_index_sync(recap_index *idx, const char *content_dir,
                              const recap_sync_options *opts,
                              recap_sync_stats *stats);

/* ---- searching ---------------------------------------------------------- */

/* Weighting schemes (Xapian 1.4's): BM25; BM25+, which gives a matching
 * term at least `delta` whatever the page's length; the divergence from
 * randomness models DPH (no parameter), PL2, PL2+ and InL2; and a unigram
 * language model with Dirichlet smoothing. */
typedef enum recap_scheme {
    RECAP_SCHEME_BM25 = 0,
    RECAP_SCHEME_BM25PLUS,
    RECAP_SCHEME_DPH,
    RECAP_SCHEME_PL2,
    RECAP_SCHEME_PL2PLUS,
    RECAP_SCHEME_INL2,
    RECAP_SCHEME_LM
} recap_scheme;

/* Ranking parameters of a reader.  The defaults were tuned on graded
 * judgments over a real documentation site (bench/relevance.py). */
typedef struct recap_ranking {
    unsigned version; /* RECAP_RANKING_VERSION */
    double k1;        /* BM25 term-frequency saturation (> 0) */
    double b;         /* BM25 length normalisation (0..1) */
    double proximity; /* weight of the bonus for query words standing
                         together, relative to the words' own (>= 0) */
    double code;      /* weight of matches in code blocks (>= 0) */
    /* Since version 2: */
    double prior; /* weight of the content prior (>= 0): pages with text of
                     their own rank above pages without (section lists)
                     that match as well; indexes made before the prior
                     existed rank as with 0 */
    /* Since version 3: */
    recap_scheme scheme; /* the weighting scheme (k1 and b are BM25's) */
    double delta;        /* BM25+ and PL2+: the lower bound of a matching
                            term's weight (> 0) */
    double c;            /* PL2, PL2+ and InL2: length normalisation (> 0) */
    double mu;           /* LM: Dirichlet smoothing (> 0) */
    double loose_k1;     /* k1 of the second tier, the pages that miss some
                            of the words (> 0; BM25 and BM25+) */
} recap_ranking;

/* Versions 1 (without `prior`) and 2 (without `scheme` and after) are
 * still accepted: their searches use the defaults of the fields they
 * lack. */
#define RECAP_RANKING_VERSION 3
#define RECAP_RANKING_INIT                                                     \
    {                                                                          \
        RECAP_RANKING_VERSION, 3.0, 0.5, 0.5, 0.3, 10.0, RECAP_SCHEME_BM25,    \
            1.0, 1.0, 2000.0, 0.5                                              \
    }

/* Sets the ranking parameters of `idx` for its later searches.
 * RECAP_EINVAL (with a message) when a value is out of range. */
recap_status recap_index_set_ranking(recap_index *idx,
                                     const recap_ranking *ranking);

typedef enum recap_sort {
    RECAP_SORT_RELEVANCE = 0, /* best match first */
    RECAP_SORT_DATE           /* newest first, relevance breaking ties */
} recap_sort;

typedef enum recap_search_flags {
    RECAP_SEARCH_STRICT = 1 << 0,     /* a malformed query is RECAP_EQUERY with
                                         its position, instead of being read as
                                         plain words */
    RECAP_SEARCH_EXACT = 1 << 1,      /* no spelling correction */
    RECAP_SEARCH_NO_SNIPPETS = 1 << 2 /* hits without snippets: faster
                                         when only titles or paths are
                                         shown */
} recap_search_flags;

typedef struct recap_search_options {
    unsigned version;        /* RECAP_SEARCH_OPTIONS_VERSION */
    const char *query;       /* what the visitor typed */
    const char *lang;        /* NULL: the index's main language; "*": all */
    uint32_t offset;         /* hits to skip */
    uint32_t limit;          /* hits to return (0: 10) */
    uint32_t snippet_length; /* Unicode characters per snippet (0: 200) */
    uint32_t max_snippets;   /* snippets per hit, each from a different
                                section of the page (0: 3; at most 3) */
    /* Filters; NULL for none.  Dates are "YYYY", "YYYY-MM" or "YYYY-MM-DD",
     * both ends inclusive. */
    const char *section; /* first path part: "blog", "docs" */
    const char *tag;     /* a keyword, tag or category, as written */
    const char *author;  /* words of the author's name */
    const char *since;
    const char *until;
    recap_sort sort;
    /* Facets to count over the whole match set, comma-separated, from
     * "section", "year", "tag", "author", "lang"; NULL for none. */
    const char *facets;
    unsigned flags; /* recap_search_flags */
} recap_search_options;

#define RECAP_SEARCH_OPTIONS_VERSION 1
#define RECAP_SEARCH_OPTIONS_INIT                                              \
    {                                                                          \
        RECAP_SEARCH_OPTIONS_VERSION, NULL, NULL, 0, 10, 200, 3, NULL, NULL,   \
            NULL, NULL, NULL, RECAP_SORT_RELEVANCE, NULL, 0                    \
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
/* The page's versions in other languages (recapsearch-index links pages
 * with the same path under other language folders): how many, and the
 * i-th's language ("zh"), with its URL in *url (may be NULL); borrowed
 * from the results; NULL past the end. */
size_t recap_hit_translation_count(const recap_hit *hit);
const char *recap_hit_translation(const recap_hit *hit, size_t i,
                                  const char **url);
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
const char *recap_facet_value(const recap_facet *f, size_t i, uint64_t *count);

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

/* ---- related pages ------------------------------------------------------ */

typedef struct recap_related_options {
    unsigned version; /* RECAP_RELATED_OPTIONS_VERSION */
    /* The page: its path as indexed ("en/blog/2025/x/index.md") or its URL
     * ("/blog/2025/x/", "https://example.com/blog/2025/x", an alias). */
    const char *page;
    const char *lang;   /* NULL: the page's own language; "*": all */
    uint32_t limit;     /* related pages to return (0: 5) */
    uint32_t max_terms; /* distinctive terms to match on (0: 30) */
} recap_related_options;

#define RECAP_RELATED_OPTIONS_VERSION 1
#define RECAP_RELATED_OPTIONS_INIT                                             \
    {                                                                          \
        RECAP_RELATED_OPTIONS_VERSION, NULL, NULL, 5, 30                       \
    }

/*
 * Pages related to a page ("more like this"): the page's most distinctive
 * terms and keywords (Xapian's expansion set over the page) are matched
 * against the other pages of its language.  The page itself, its
 * translations (the same path after the language folder) and the pages
 * sharing its URL or one of its aliases are never listed, and each URL is
 * listed once.
 *
 * Returns RECAP_OK and *out (free with recap_results_free), whose hits are
 * the related pages, best first, with path, url, title, date, section,
 * lang, description and score, and no snippets; recap_results_query() is
 * opts->page.  A page with nothing related gives RECAP_OK and no hits.
 * Or returns:
 *   RECAP_ENOTFOUND  no page with that path or URL is indexed
 *   RECAP_EINVAL     a NULL argument, no page, or an unknown version
 *   RECAP_EMODIFIED  the index changed while reading: reopen and retry
 *   RECAP_ECORRUPT, RECAP_ENOMEM, RECAP_EBACKEND
 * The message is on `idx`.
 *
 *     recap_related_options ro = RECAP_RELATED_OPTIONS_INIT;
 *     ro.page = "en/blog/2025/istio-at-kubecon-eu/index.md";
 *     if (recap_related(idx, &ro, &res) == RECAP_OK) {
 *         for (size_t i = 0; i < recap_results_count(res); i++)
 *             puts(recap_hit_url(recap_results_hit(res, i)));
 *         recap_results_free(res);
 *     }
 */
recap_status recap_related(recap_index *idx, const recap_related_options *opts,
                           recap_results **out);

/*
 * Related pages of every page, as a Hugo data file: one JSON object mapping
 * each page's URL to an array of up to opts->limit related pages, best
 * first, each {"title", "url", "date", "score"} (title and date may be
 * null).  Pages that share a URL (the resources of a bundle) appear once,
 * under the bundle's page.  opts->page is ignored; opts->lang restricts
 * the pages listed (NULL or "*": all languages; each page's related pages
 * are always in its own language).
 *
 * Returns RECAP_OK and *out (malloc()ed, NUL-terminated, caller frees with
 * free()), or RECAP_EINVAL, RECAP_EMODIFIED, RECAP_ECORRUPT, RECAP_ENOMEM,
 * RECAP_EBACKEND with the message on `idx`.
 */
recap_status recap_related_export(recap_index *idx,
                                  const recap_related_options *opts, int pretty,
                                  char **out);

/*
 * The results as one JSON object (schema in README.md, "JSON output"):
 * malloc()ed, caller frees; NULL when out of memory.  `pretty` indents.
 */
/* The number of remote shards (of an index whose stub lists "remote
 * HOST:PORT" lines, see docs/scaling.md) that could not be reached for this
 * search, whose results then come from the other shards: 0 normally.  A
 * shard that fails during a search is left out and the search run again;
 * recap_index_reopen() tries the missing shards again. */
unsigned recap_results_missing_shards(const recap_results *res);

char *recap_results_json(const recap_results *res, int pretty);

/* ---- formatting results ------------------------------------------------- */

/* The output formats of recap_results_format(). */
typedef enum recap_format {
    RECAP_FORMAT_TEXT = 0, /* for people: a header line, numbered hits with
                              title, URL, date, section and snippets */
    RECAP_FORMAT_JSON,     /* the object of recap_results_json() */
    RECAP_FORMAT_JSONL,    /* one hit object (as in "hits") per line */
    RECAP_FORMAT_PATHS,    /* one path per line, for scripts and xargs */
    RECAP_FORMAT_TSV       /* one hit per line: rank, score, path, url,
                              title, date, section, lang, first snippet;
                              tabs and line breaks in fields become spaces */
} recap_format;

typedef struct recap_format_options {
    unsigned version; /* RECAP_FORMAT_OPTIONS_VERSION */
    recap_format format;
    unsigned width;       /* text: wrap at this many terminal columns
                             (0: no wrapping; below 20 counts as 20) */
    int color;            /* text: bold and colour escape sequences */
    int hyperlinks;       /* text: OSC 8 hyperlinks on titles and sections */
    const char *base_url; /* prepended to the URLs shown and linked
                             ("https://istio.io"); NULL: URLs as stored */
    int pretty;           /* json: indented */
} recap_format_options;

#define RECAP_FORMAT_OPTIONS_VERSION 1
#define RECAP_FORMAT_OPTIONS_INIT                                              \
    {                                                                          \
        RECAP_FORMAT_OPTIONS_VERSION, RECAP_FORMAT_TEXT, 0, 0, 0, NULL, 0      \
    }

/*
 * Renders the results in one of the formats above.  Text from the index is
 * never passed through raw: control characters are replaced, so a page
 * cannot send escape sequences to a terminal.  Returns RECAP_OK and *out
 * (malloc()ed, NUL-terminated, the caller frees it) with its byte length in
 * *len_out (may be NULL), or RECAP_ENOMEM, or RECAP_EINVAL (NULL res or out,
 * an unknown format or options version).
 */
recap_status recap_results_format(const recap_results *res,
                                  const recap_format_options *opts, char **out,
                                  size_t *len_out);

/* The format named `name` ("text", "json", "jsonl", "paths", "tsv"):
 * RECAP_OK and *out, or RECAP_EINVAL for another name. */
recap_status recap_format_from_name(const char *name, recap_format *out);

/* ---- serving ------------------------------------------------------------ */

/*
 * The revision of the index this handle reads: a number that grows with
 * every commit (recap_index_reopen moves a reader to the latest one).
 * A server uses it to notice a rebuilt index and as an HTTP validator.
 * Returns RECAP_OK, or RECAP_EMODIFIED, RECAP_EBACKEND, RECAP_EINVAL.
 */
recap_status recap_index_revision(recap_index *idx, uint64_t *out);

/*
 * A time budget for each later recap_search on `idx`, in seconds (0, the
 * default: none).  Once a search has spent it, the search stops doing
 * optional work: Xapian stops counting extra matches (totals become
 * estimates) and the second tier (pages with only some of the words) is
 * skipped.  Such results are flagged by recap_results_partial() and by
 * "partial": true in the JSON.  Returns RECAP_OK, or RECAP_EINVAL for a
 * negative or non-finite value.
 */
recap_status recap_index_set_time_limit(recap_index *idx, double seconds);

/*
 * The budget, in bytes, of the cache of parsed stored pages that a handle
 * opened with RECAP_OPEN_READ keeps for its later searches (default 32
 * MiB; 0: none).  Showing a hit with snippets reads its whole page; a
 * program that searches again and again (a server, a generator listing
 * related posts) meets the same popular pages often, and reads each once
 * until the index is reopened.  Returns RECAP_OK, or RECAP_EINVAL for a
 * nonzero budget on a writable handle.
 */
recap_status recap_index_set_page_cache(recap_index *idx, size_t bytes);

/* Whether the search ran out of its time budget and the results may miss
 * pages (see recap_index_set_time_limit). */
int recap_results_partial(const recap_results *res);

/* ---- as-you-type suggestions -------------------------------------------- */

typedef struct recap_suggest_options {
    unsigned version;    /* RECAP_SUGGEST_OPTIONS_VERSION */
    const char *query;   /* what the visitor has typed so far */
    const char *lang;    /* NULL: the index's main language; "*": all */
    uint32_t max_words;  /* completions to return (0: 8) */
    uint32_t max_titles; /* page titles to return (0: 5) */
} recap_suggest_options;

#define RECAP_SUGGEST_OPTIONS_VERSION 1
#define RECAP_SUGGEST_OPTIONS_INIT                                             \
    {                                                                          \
        RECAP_SUGGEST_OPTIONS_VERSION, NULL, NULL, 8, 5                        \
    }

typedef struct recap_suggestions recap_suggestions;

/*
 * Suggestions for a search box while the visitor types: completions of the
 * last, partial word of opts->query from the index's vocabulary, most
 * frequent first (the words before it are kept, so "ambient me" gives
 * "ambient mesh"), and the titles of pages whose title has the words typed
 * (the last one as a prefix).  A query that ends in a space completes no
 * word.  Returns RECAP_OK and *out (free with recap_suggestions_free; it
 * does not need `idx` to stay open), or RECAP_EMODIFIED (reopen and retry),
 * RECAP_ENOMEM, RECAP_EBACKEND, RECAP_EINVAL; the message is on `idx`.
 *
 *     recap_suggest_options so = RECAP_SUGGEST_OPTIONS_INIT;
 *     recap_suggestions *sg;
 *     so.query = "ambient me";
 *     if (recap_suggest(idx, &so, &sg) == RECAP_OK) {
 *         for (size_t i = 0; i < recap_suggestions_count(sg); i++)
 *             puts(recap_suggestions_completion(sg, i, NULL));
 *         recap_suggestions_free(sg);
 *     }
 */
recap_status recap_suggest(recap_index *idx, const recap_suggest_options *opts,
                           recap_suggestions **out);
void recap_suggestions_free(recap_suggestions *sg);

/* Number of completions, and the i-th: the whole query with its last word
 * completed ("ambient mesh"); *n_docs (may be NULL) receives the number of
 * pages that have the completed word.  Borrowed from sg; NULL past the end. */
size_t recap_suggestions_count(const recap_suggestions *sg);
const char *recap_suggestions_completion(const recap_suggestions *sg, size_t i,
                                         uint64_t *n_docs);
/* Number of page titles, and the i-th title; *url (may be NULL) receives
 * the page's URL.  Borrowed from sg; NULL past the end. */
size_t recap_suggestions_title_count(const recap_suggestions *sg);
const char *recap_suggestions_title(const recap_suggestions *sg, size_t i,
                                    const char **url);
/*
 * The suggestions as one JSON object (malloc()ed, caller frees; NULL when
 * out of memory):
 *   {"version": 1, "query": "ambient me",
 *    "completions": [{"text": "ambient mesh", "word": "mesh", "docs": 412}],
 *    "titles": [{"title": "Ambient mode", "url": "/docs/ambient/"}],
 *    "elapsed_ms": 0.4}
 */
char *recap_suggestions_json(const recap_suggestions *sg);

#ifdef __cplusplus
}
#endif

#endif
