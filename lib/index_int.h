/*
 * index_int.h: the recap_index handle, shared by the modules that implement
 * the public API (lib/index.c, indexer/writer.c, query/search.c).
 */
#ifndef RECAP_INDEX_INT_H
#define RECAP_INDEX_INT_H

#include <stdatomic.h>

#include "analysis.h"
#include "recapsearch.h"
#include "xap.h"

#define INDEX_MAX_STEMMERS 32
/* Stems a reader's stemmer remembers (analysis_stemmer_cache): 4096 of
 * 64 bytes, 256 KB a language. */
#define INDEX_STEM_CACHE 4096

struct recap_index {
    xap_db *db;
    recap_open_mode mode;
    char *path;
    char *gen; /* the generation opened (generation.h), or NULL */
    char errmsg[1024];
    char main_lang[16];
    recap_ranking ranking;

    /* Writers only. */
    recap_warn_fn warn;
    void *warn_ctx;
    char default_lang[16];
    int in_batch;
    int full;    /* RECAP_BEGIN_FULL: delete what was not added */
    char **seen; /* paths added in a full batch */
    size_t n_seen, cap_seen;
    recap_index_stats stats;
    struct sidebuild *side;     /* a full batch built as a new generation */
    unsigned n_shards;          /* for full builds; 0: as the index has */
    struct sitecfg *ingest_cfg; /* indexer/sitecfg.c: how files are read;
                                   NULL: built-in defaults */
    struct incr_state *incr;    /* source stamps (indexer/incremental.c) */
    atomic_size_t files_done;   /* recap_index_files_done() */
    /* Set by the indexer once it attaches writer state (a batch, an ingest
     * configuration): cancels an open batch and frees that state at
     * recap_index_close().  A hook rather than a call, so this file never
     * refers to the indexer and query-only programs link neither it nor
     * cmark-gfm and libyaml (indexer/writer.c: writer_teardown). */
    void (*teardown)(recap_index *idx);

    /* Readers: the time budget of each search in seconds (0: none). */
    double time_limit;
    /* Caches of the query side (query/spell.h, query/doccache.h) and how
     * to free them: set by query/search.c, which this file does not link.
     * `epoch` counts the reopens; the caches are emptied when it is not
     * the one they were filled at (`cache_epoch`). */
    struct spell_cache *spell;
    struct doccache *pages;
    struct prior_cache *priors; /* content priors read, with `pages` */
    size_t page_cache_bytes;    /* the page cache's budget; 0: none */
    uint64_t epoch, cache_epoch;
    void (*caches_free)(recap_index *idx);

    /* Stemmers by language, made on first use. */
    struct {
        char lang[16];
        analysis_stemmer *stemmer; /* NULL: the language has none */
    } stemmers[INDEX_MAX_STEMMERS];
    size_t n_stemmers;
};

/* Records a failure on the handle and returns `rc`. */
recap_status index_fail(recap_index *idx, recap_status rc, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Records a wrapper failure (its status and message). */
recap_status index_fail_xap(recap_index *idx, const xap_error *err,
                            const char *what);
/* The ingest warning callback for a handle (ctx is the recap_index):
 * counts the warning and passes it to the caller's callback if one is set. */
void index_on_warn(void *ctx, const char *path, unsigned line, const char *msg);
/* The stemmer for `lang`, cached on the handle; NULL when there is none. */
analysis_stemmer *index_stemmer(recap_index *idx, const char *lang);
/* After a backend error on an index of remote shards: opens it again,
 * leaving out the shards that cannot be reached now.  RECAP_OK when that
 * left out more shards than before (a search may be retried), else
 * RECAP_ENOTFOUND (nothing to gain) or the error. */
recap_status index_drop_unreachable(recap_index *idx);
/* Re-reads which language most documents are in. */
void index_load_main_lang(recap_index *idx);
/* Creates an empty index at `path` when there is none, atomically (see
 * create.c); RECAP_OK also when an index is already there. */
recap_status index_create_atomic(const char *path, xap_error *err);

#endif
