/*
 * pipeline.c: recap_index_add_files(), adding many files with worker
 * threads.
 *
 * Workers read, parse and analyse files into Xapian documents (ingest_file
 * and docterms_build: about half the work) while the calling thread writes
 * the finished documents to the database in the order of the list.  So
 * document ids, statistics and messages come out exactly as if every file
 * had been given to recap_index_add_file() in turn.
 *
 * Files are claimed in list order from a counter; file i goes to slot
 * i % n_slots of a ring, and a worker claims file i only once the writer is
 * done with file i - n_slots, which bounds the memory held by documents in
 * flight.  A slot belongs to its worker from the claim until `ready` is set
 * under the lock, and to the writer from then until it clears `ready`.
 * Each worker has its own stemmers (libstemmer objects are not shared) and
 * buffers the file's warnings in the slot: the writer reports them, on the
 * calling thread, just before the file's own outcome.
 */
#define _POSIX_C_SOURCE 200809L
#include <cmark-gfm-core-extensions.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "docterms.h"
#include "ingest.h"
#include "util.h"
#include "writer_int.h"

#define PIPELINE_MAX_WORKERS 16
#define PIPELINE_SLOTS_PER_WORKER 16

typedef struct warn_rec {
    char *path;
    unsigned line;
    char *msg;
} warn_rec;

/* One file's prepared outcome. */
typedef struct slot {
    int ready;
    recap_status rc;  /* of ingest_file / docterms_build */
    char *msg;        /* ingest's message, or NULL */
    xap_doc *xdoc;    /* the document when rc is RECAP_OK */
    xap_error err;    /* docterms_build's error */
    int build_failed; /* docterms_build failed (rc says how) */
    uint64_t n_terms;
    uint64_t n_bytes; /* source file size */
    warn_rec *warns;
    size_t n_warns, cap_warns;
    int warn_oom; /* some warnings were lost for lack of memory */
} slot;

typedef struct pipeline pipeline;

typedef struct worker {
    pipeline *pl;
    pthread_t thread;
    int started;
    struct {
        char lang[16];
        analysis_stemmer *stemmer;
    } stemmers[INDEX_MAX_STEMMERS];
    size_t n_stemmers;
    slot *cur; /* the slot being filled, for warnings */
} worker;

struct pipeline {
    const char *root;
    const char *const *paths;
    size_t n;
    char default_lang[16];

    pthread_mutex_t mu;
    pthread_cond_t cv_ready; /* a slot became ready */
    pthread_cond_t cv_space; /* the writer finished a file, or stop */
    size_t next;             /* next file to claim */
    size_t consumed;         /* files the writer is done with */
    int stop;

    slot *slots;
    size_t n_slots;
    worker *workers;
    size_t n_workers;
};

/* ---- worker side -------------------------------------------------------- */

static analysis_stemmer *
worker_stemmer(worker *w, const char *lang)
{
    size_t i;

    if (!lang)
        return NULL;
    for (i = 0; i < w->n_stemmers; i++)
        if (strcmp(w->stemmers[i].lang, lang) == 0)
            return w->stemmers[i].stemmer;
    if (w->n_stemmers == INDEX_MAX_STEMMERS ||
        strlen(lang) >= sizeof(w->stemmers[0].lang))
        return NULL; /* as index_stemmer(): leave unstemmed */
    i = w->n_stemmers++;
    strcpy(w->stemmers[i].lang, lang);
    w->stemmers[i].stemmer = analysis_stemmer_new(lang);
    return w->stemmers[i].stemmer;
}

static void
buffer_warning(void *ctx, const char *path, unsigned line, const char *msg)
{
    worker *w = ctx;
    slot *s = w->cur;
    warn_rec *r;

    if (s->n_warns == s->cap_warns) {
        size_t cap = s->cap_warns ? s->cap_warns * 2 : 4;
        warn_rec *p = realloc(s->warns, cap * sizeof(*p));
        if (!p) {
            s->warn_oom = 1;
            return;
        }
        s->warns = p;
        s->cap_warns = cap;
    }
    r = &s->warns[s->n_warns];
    r->path = util_strdup(path ? path : "");
    r->msg = util_strdup(msg ? msg : "");
    r->line = line;
    if (!r->path || !r->msg) {
        free(r->path);
        free(r->msg);
        s->warn_oom = 1;
        return;
    }
    s->n_warns++;
}

static uint64_t
file_size(const char *root, const char *relpath)
{
    struct stat st;
    char *path = util_asprintf("%s/%s", root, relpath);
    uint64_t n = path && stat(path, &st) == 0 ? (uint64_t)st.st_size : 0;

    free(path);
    return n;
}

/* Reads and analyses file `i` into slot `s`. */
static void
prepare(worker *w, size_t i, slot *s)
{
    pipeline *pl = w->pl;
    ingest_doc *doc = NULL;

    w->cur = s;
    s->rc = ingest_file(pl->root, pl->paths[i], pl->default_lang,
                        buffer_warning, w, &doc, &s->msg);
    if (s->rc == RECAP_OK) {
        s->rc = docterms_build(doc, worker_stemmer(w, doc->lang), &s->xdoc,
                               &s->n_terms, &s->err);
        s->build_failed = s->rc != RECAP_OK;
        s->n_bytes = file_size(pl->root, pl->paths[i]);
    }
    ingest_doc_free(doc);
    w->cur = NULL;
}

static void *
worker_main(void *arg)
{
    worker *w = arg;
    pipeline *pl = w->pl;
    size_t i;
    slot *s;

    pthread_mutex_lock(&pl->mu);
    for (;;) {
        while (!pl->stop && pl->next < pl->n &&
               pl->next >= pl->consumed + pl->n_slots)
            pthread_cond_wait(&pl->cv_space, &pl->mu);
        if (pl->stop || pl->next >= pl->n)
            break;
        i = pl->next++;
        s = &pl->slots[i % pl->n_slots];
        pthread_mutex_unlock(&pl->mu);
        prepare(w, i, s);
        pthread_mutex_lock(&pl->mu);
        s->ready = 1;
        pthread_cond_broadcast(&pl->cv_ready);
    }
    pthread_mutex_unlock(&pl->mu);
    return NULL;
}

/* ---- writer side -------------------------------------------------------- */

static void
slot_clear(slot *s)
{
    size_t i;

    for (i = 0; i < s->n_warns; i++) {
        free(s->warns[i].path);
        free(s->warns[i].msg);
    }
    free(s->warns);
    free(s->msg);
    xap_doc_free(s->xdoc);
    memset(s, 0, sizeof(*s));
}

static void
report_warnings(recap_index *idx, slot *s, const char *relpath)
{
    size_t i;

    for (i = 0; i < s->n_warns; i++) {
        idx->stats.n_warnings++;
        if (idx->warn)
            idx->warn(idx->warn_ctx, s->warns[i].path, s->warns[i].line,
                      s->warns[i].msg);
    }
    if (s->warn_oom) {
        idx->stats.n_warnings++;
        if (idx->warn)
            idx->warn(idx->warn_ctx, relpath, 0,
                      "some warnings were lost: out of memory");
    }
}

static int
is_file_status(recap_status rc)
{
    return rc == RECAP_OK || rc == RECAP_ESKIPPED || rc == RECAP_EIO ||
           rc == RECAP_EPARSE;
}

/* Writes one prepared file, with recap_index_add_file()'s rules.  Returns
 * the file's status; its message is on the handle. */
static recap_status
apply(recap_index *idx, slot *s, const char *relpath, int use_add)
{
    recap_status rc = s->rc, rc2;
    char *qterm = NULL;
    size_t qlen;

    if (rc == RECAP_ESKIPPED) {
        idx->stats.n_skipped++;
        index_fail(idx, rc, "%s", s->msg ? s->msg : "not published");
        rc2 = use_add ? RECAP_OK : writer_delete_path(idx, relpath);
        return rc2 ? rc2 : RECAP_ESKIPPED;
    }
    if (s->build_failed) {
        idx->stats.n_failed++;
        return index_fail_xap(idx, &s->err, relpath);
    }
    if (rc != RECAP_OK) {
        /* Keep the previous version of a file that cannot be read now. */
        idx->stats.n_failed++;
        if (writer_remember_seen(idx, relpath) != RECAP_OK)
            return RECAP_ENOMEM;
        if (is_file_status(rc))
            index_fail(idx, rc, "%s", s->msg ? s->msg : recap_status_str(rc));
        else /* a status that stops the run: name the file */
            index_fail(idx, rc, "%s: %s", relpath,
                       s->msg ? s->msg : recap_status_str(rc));
        return rc;
    }
    if (use_add) {
        rc = xap_db_add(idx->db, s->xdoc, NULL, &s->err);
    } else if ((qterm = docterms_path_term(relpath, &qlen)) != NULL) {
        rc = xap_db_replace(idx->db, qterm, qlen, s->xdoc, NULL, &s->err);
        free(qterm);
    } else {
        rc = RECAP_ENOMEM;
        snprintf(s->err.msg, sizeof(s->err.msg), "out of memory");
        s->err.rc = rc;
    }
    if (rc != RECAP_OK) {
        idx->stats.n_failed++;
        return index_fail_xap(idx, &s->err, relpath);
    }
    rc = writer_remember_seen(idx, relpath);
    idx->stats.n_added++;
    idx->stats.n_bytes += s->n_bytes;
    idx->stats.n_terms += s->n_terms;
    return rc;
}

static int
cmp_path(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/*
 * Whether documents can be added without looking for an earlier version:
 * the database holds no document yet and no path comes twice.  Xapian's
 * replace_document() first searches the postings of the path's term.
 */
static int
can_add_blindly(recap_index *idx, const char *const *paths, size_t n)
{
    const char **sorted;
    uint32_t count = 1;
    size_t i;
    int ok = 1;

    if (xap_db_doccount(idx->db, &count, NULL) != RECAP_OK || count != 0)
        return 0;
    if (!(sorted = malloc((n ? n : 1) * sizeof(*sorted))))
        return 0;
    memcpy(sorted, paths, n * sizeof(*sorted));
    qsort(sorted, n, sizeof(*sorted), cmp_path);
    for (i = 1; i < n && ok; i++)
        ok = strcmp(sorted[i - 1], sorted[i]) != 0;
    free(sorted);
    return ok;
}

/* Waits for file i, writes it and reports it.  Returns RECAP_OK, or a
 * status that stops the run. */
static recap_status
write_one(pipeline *pl, recap_index *idx, size_t i, int use_add,
          recap_file_fn fn, void *ctx)
{
    slot *s = &pl->slots[i % pl->n_slots];
    recap_status rc;

    pthread_mutex_lock(&pl->mu);
    while (!s->ready)
        pthread_cond_wait(&pl->cv_ready, &pl->mu);
    pthread_mutex_unlock(&pl->mu);

    report_warnings(idx, s, pl->paths[i]);
    rc = apply(idx, s, pl->paths[i], use_add);
    if (is_file_status(rc) && fn)
        fn(ctx, i, pl->paths[i], rc, rc ? recap_index_errmsg(idx) : "");
    slot_clear(s);

    pthread_mutex_lock(&pl->mu);
    pl->consumed = i + 1;
    pthread_cond_broadcast(&pl->cv_space);
    pthread_mutex_unlock(&pl->mu);
    return is_file_status(rc) ? RECAP_OK : rc;
}

static size_t
auto_workers(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);

    return n < 1                      ? 1
           : n > PIPELINE_MAX_WORKERS ? PIPELINE_MAX_WORKERS
                                      : (size_t)n;
}

static void
pipeline_stop_and_free(pipeline *pl)
{
    size_t i;

    pthread_mutex_lock(&pl->mu);
    pl->stop = 1;
    pthread_cond_broadcast(&pl->cv_space);
    pthread_mutex_unlock(&pl->mu);
    for (i = 0; i < pl->n_workers; i++) {
        worker *w = &pl->workers[i];
        size_t j;
        if (w->started)
            pthread_join(w->thread, NULL);
        for (j = 0; j < w->n_stemmers; j++)
            analysis_stemmer_free(w->stemmers[j].stemmer);
    }
    for (i = 0; pl->slots && i < pl->n_slots; i++)
        slot_clear(&pl->slots[i]);
    free(pl->slots);
    free(pl->workers);
    pthread_cond_destroy(&pl->cv_ready);
    pthread_cond_destroy(&pl->cv_space);
    pthread_mutex_destroy(&pl->mu);
}

recap_status
recap_index_add_files(recap_index *idx, const char *root,
                      const char *const *relpaths, size_t n, unsigned n_workers,
                      recap_file_fn fn, void *ctx)
{
    pipeline pl;
    size_t i;
    int use_add;
    recap_status rc = writer_check_batch(idx);

    if (rc)
        return rc;
    if (!root || (!relpaths && n))
        return index_fail(idx, RECAP_EINVAL, "no files given");
    for (i = 0; i < n; i++)
        if (!relpaths[i])
            return index_fail(idx, RECAP_EINVAL, "no file given");
    if (n == 0)
        return RECAP_OK;
    memset(&pl, 0, sizeof(pl));
    pl.root = root;
    pl.paths = relpaths;
    pl.n = n;
    strcpy(pl.default_lang, idx->default_lang);
    pl.n_workers = n_workers ? n_workers : auto_workers();
    if (pl.n_workers > PIPELINE_MAX_WORKERS)
        pl.n_workers = PIPELINE_MAX_WORKERS;
    pl.n_slots = pl.n_workers * PIPELINE_SLOTS_PER_WORKER;
    pthread_mutex_init(&pl.mu, NULL);
    pthread_cond_init(&pl.cv_ready, NULL);
    pthread_cond_init(&pl.cv_space, NULL);
    pl.slots = calloc(pl.n_slots, sizeof(*pl.slots));
    pl.workers = calloc(pl.n_workers, sizeof(*pl.workers));
    if (!pl.slots || !pl.workers) {
        rc = index_fail(idx, RECAP_ENOMEM, "out of memory");
        goto done;
    }
    use_add = can_add_blindly(idx, relpaths, n);
    /* cmark-gfm registers its extensions on first use without a lock. */
    cmark_gfm_core_extensions_ensure_registered();
    for (i = 0; i < pl.n_workers; i++) {
        pl.workers[i].pl = &pl;
        if (pthread_create(&pl.workers[i].thread, NULL, worker_main,
                           &pl.workers[i]) != 0) {
            rc = index_fail(idx, RECAP_EINTERNAL, "cannot start a thread");
            goto done;
        }
        pl.workers[i].started = 1;
    }
    for (i = 0; i < n && rc == RECAP_OK; i++)
        rc = write_one(&pl, idx, i, use_add, fn, ctx);
done:
    pipeline_stop_and_free(&pl);
    return rc;
}
