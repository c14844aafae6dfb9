/*
 * pipeline_int.h: what the two ways of adding many files share: the
 * in-place pipeline (pipeline.c: workers analyse, the caller writes) and
 * the side build (sidebuild.c: one part database per thread, merged into a
 * new generation at commit).
 *
 * A file goes through two steps.  pl_prepare() runs on any thread: it reads
 * and analyses the file into a pl_slot, buffering its warnings.  Then, on
 * the calling thread and in list order, pl_report() replays the warnings,
 * pl_account() applies recap_index_add_file()'s rules to the statistics,
 * the list of seen paths and the message on the handle, and the caller's
 * callback hears of the file.
 */
#ifndef RECAP_PIPELINE_INT_H
#define RECAP_PIPELINE_INT_H

#include <stdint.h>

#include "analysis.h"
#include "ingest.h"
#include "index_int.h"
#include "xap.h"

#define PL_MAX_THREADS 16

typedef struct pl_warning {
    char *path;
    unsigned line;
    char *msg;
} pl_warning;

/* One file's outcome, small enough to keep one per file of a large build. */
typedef struct pl_slot {
    recap_status rc;            /* the file's status, as recap_index_add_file */
    unsigned char ready;        /* in-place pipeline: prepared */
    unsigned char failed_write; /* rc comes from analysing or writing the
                                   document, not from reading the file */
    unsigned char warn_oom;     /* some warnings were lost for lack of memory */
    char *msg;                  /* the message for rc != RECAP_OK, or NULL */
    xap_doc *xdoc;              /* the document, until written */
    struct json_t *stamp;       /* the source stamp for incremental runs, made
                                   before the file was read, or NULL */
    uint64_t n_terms;
    uint64_t n_bytes; /* source file size */
    pl_warning *warns;
    uint32_t n_warns, cap_warns;
} pl_slot;

/* A thread's stemmers, one per language (libstemmer objects are not
 * shared between threads). */
typedef struct pl_stemmers {
    struct {
        char lang[16];
        analysis_stemmer *stemmer;
    } by_lang[INDEX_MAX_STEMMERS];
    size_t n;
} pl_stemmers;

void pl_stemmers_free(pl_stemmers *st);

/* Reads and analyses `root`/`relpath` into `s` (zeroed by the caller),
 * with the site configuration `cfg` (shared by the threads; may be NULL);
 * with `stamp`, first makes its source stamp (incremental.h). */
void pl_prepare(pl_stemmers *st, sitecfg *cfg, const char *root,
                const char *relpath, const char *default_lang, int stamp,
                pl_slot *s);

/* Frees what `s` holds and zeroes it. */
void pl_slot_clear(pl_slot *s);

/* Statuses that belong to one file; any other stops a run. */
int pl_is_file_status(recap_status rc);

/* Reports the warnings buffered in `s` through the handle's callback. */
void pl_report(recap_index *idx, const pl_slot *s, const char *relpath);

/* Counts a file whose document was written (or whose failure is in `s`),
 * hands its stamp to the incremental state and records its message on the
 * handle.  Returns the file's status. */
recap_status pl_account(recap_index *idx, pl_slot *s, const char *relpath);

/* Threads to use when the caller says 0: one per processor. */
size_t pl_auto_threads(void);

/* The in-place pipeline (pipeline.c): recap_index_add_files() on the
 * handle's database. */
recap_status pl_add_in_place(recap_index *idx, const char *root,
                             const char *const *relpaths, size_t n,
                             unsigned n_workers, recap_file_fn fn, void *ctx);

/* The side build: add_files, commit and cancel of a full batch written to
 * a new generation (sidebuild.c).  side_begin() leaves idx->side NULL when
 * the index is not in the generation layout. */
recap_status side_begin(recap_index *idx);
recap_status side_add_files(recap_index *idx, const char *root,
                            const char *const *relpaths, size_t n,
                            unsigned n_threads, recap_file_fn fn, void *ctx);
recap_status side_commit(recap_index *idx);
void side_cancel(recap_index *idx);
/* A thread that finishes its range takes over half of another's unstarted
 * files when they hold at least this many bytes (1 MiB; tests lower it, to
 * share even small sites' ranges).  Set it before a build, not during. */
extern uint64_t side_share_min_bytes;
/* Ranges taken over so far by all builds of the process (for tests). */
extern atomic_size_t side_ranges_taken;

/* qsort()/bsearch() order of an array of paths (char *). */
int pl_cmp_path(const void *a, const void *b);
/* Whether the `n` paths are all different (0 also when out of memory). */
int pl_paths_unique(const char *const *paths, size_t n);

#endif
