/*
 * pipeline.c: recap_index_add_files(), adding many files with threads.
 *
 * In a full batch on an index in the generation layout (lib/generation.h)
 * the files go to the side build (sidebuild.c), which writes one part
 * database per thread.  Otherwise the files go through this in-place
 * pipeline: workers read, parse and analyse files into Xapian documents
 * (ingest_file and docterms_build) while the calling thread writes the
 * finished documents to the database in the order of the list.  Either
 * way, document ids, statistics and messages come out exactly as if every
 * file had been given to recap_index_add_file() in turn.
 *
 * In-place pipeline: files are claimed in list order from a counter; file i
 * goes to slot i % n_slots of a ring, and a worker claims file i only once
 * the writer is done with file i - n_slots, which bounds the memory held by
 * documents in flight.  A slot belongs to its worker from the claim until
 * `ready` is set under the lock, and to the writer from then until it
 * clears the slot.  Each worker has its own stemmers and buffers the file's
 * warnings in the slot: the writer reports them, on the calling thread,
 * just before the file's own outcome.
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
#include "incremental.h"
#include "incremental_int.h"
#include "ingest.h"
#include "pipeline_int.h"
#include "util.h"
#include "writer_int.h"

#define PIPELINE_SLOTS_PER_WORKER 16

/* ---- preparing a file (any thread) -------------------------------------- */

static analysis_stemmer *
stemmer_for(pl_stemmers *st, const char *lang)
{
    size_t i;

    if (!lang)
        return NULL;
    for (i = 0; i < st->n; i++)
        if (strcmp(st->by_lang[i].lang, lang) == 0)
            return st->by_lang[i].stemmer;
    if (st->n == INDEX_MAX_STEMMERS ||
        strlen(lang) >= sizeof(st->by_lang[0].lang))
        return NULL; /* as index_stemmer(): leave unstemmed */
    i = st->n++;
    strcpy(st->by_lang[i].lang, lang);
    st->by_lang[i].stemmer = analysis_stemmer_new(lang);
    return st->by_lang[i].stemmer;
}

void
pl_stemmers_free(pl_stemmers *st)
{
    size_t i;

    for (i = 0; i < st->n; i++)
        analysis_stemmer_free(st->by_lang[i].stemmer);
    st->n = 0;
}

static void
buffer_warning(void *ctx, const char *path, unsigned line, const char *msg)
{
    pl_slot *s = ctx;
    pl_warning *r;

    if (s->n_warns == s->cap_warns) {
        uint32_t cap = s->cap_warns ? s->cap_warns * 2 : 4;
        pl_warning *p = realloc(s->warns, cap * sizeof(*p));
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

/* What incr_pre() stamps, made on this thread: stat first, so a write
 * after it changes the mtime again and is seen by the next sync even when
 * it lands before the read. */
static json_t *
make_stamp(const char *root, const char *relpath, const char *default_lang)
{
    int64_t size, mtime;
    char hash[17];
    json_t *stamp = NULL;

    if (incr_stat(root, relpath, &size, &mtime) == 0 &&
        (stamp = incr_make_stamp(size, mtime, "")) != NULL &&
        incr_read_file(root, relpath, hash, default_lang,
                       json_array_get(stamp, 3), NULL) == 0) {
        json_array_set_new(stamp, 2, json_string(hash));
        return stamp;
    }
    json_decref(stamp);
    return NULL;
}

void
pl_prepare(pl_stemmers *st, sitecfg *cfg, const char *root, const char *relpath,
           const char *default_lang, int stamp, pl_slot *s)
{
    ingest_doc *doc = NULL;
    xap_error err;

    if (stamp)
        s->stamp = make_stamp(root, relpath, default_lang);
    s->rc = ingest_file_cfg(cfg, root, relpath, default_lang, buffer_warning, s,
                            &doc, &s->msg);
    if (s->rc == RECAP_OK) {
        s->rc = docterms_build(doc, stemmer_for(st, doc->lang), &s->xdoc,
                               &s->n_terms, &err);
        if (s->rc != RECAP_OK) {
            s->failed_write = 1;
            s->msg = util_strdup(err.msg);
        }
        s->n_bytes = writer_source_size(root, relpath);
    }
    ingest_doc_free(doc);
}

void
pl_slot_clear(pl_slot *s)
{
    uint32_t i;

    for (i = 0; i < s->n_warns; i++) {
        free(s->warns[i].path);
        free(s->warns[i].msg);
    }
    free(s->warns);
    free(s->msg);
    xap_doc_free(s->xdoc);
    json_decref(s->stamp);
    memset(s, 0, sizeof(*s));
}

int
pl_is_file_status(recap_status rc)
{
    return rc == RECAP_OK || rc == RECAP_ESKIPPED || rc == RECAP_EIO ||
           rc == RECAP_EPARSE;
}

size_t
pl_auto_threads(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);

    return n < 1 ? 1 : n > PL_MAX_THREADS ? PL_MAX_THREADS : (size_t)n;
}

/* ---- reporting a file (calling thread, in list order) ------------------- */

void
pl_report(recap_index *idx, const pl_slot *s, const char *relpath)
{
    uint32_t i;

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

recap_status
pl_account(recap_index *idx, pl_slot *s, const char *relpath)
{
    const char *msg = s->msg ? s->msg : recap_status_str(s->rc);
    recap_status rc;

    /* The incremental hooks, as recap_index_add_file() calls them. */
    if (idx->incr) {
        json_decref(idx->incr->pending);
        idx->incr->pending = s->stamp;
        s->stamp = NULL;
    }
    if (s->rc == RECAP_ESKIPPED) {
        idx->stats.n_skipped++;
        incr_note(idx, relpath);
        return index_fail(idx, s->rc, "%s", s->msg ? s->msg : "not published");
    }
    if (s->failed_write) {
        idx->stats.n_failed++;
        incr_forget(idx, relpath);
        return index_fail(idx, s->rc, "%s: %s", relpath, msg);
    }
    if (s->rc != RECAP_OK) {
        /* The previous version of a file that cannot be read now stays. */
        idx->stats.n_failed++;
        incr_forget(idx, relpath);
        if (writer_remember_seen(idx, relpath) != RECAP_OK)
            return RECAP_ENOMEM;
        if (pl_is_file_status(s->rc))
            return index_fail(idx, s->rc, "%s", msg);
        return index_fail(idx, s->rc, "%s: %s", relpath, msg);
    }
    if ((rc = writer_remember_seen(idx, relpath)) != RECAP_OK)
        return rc;
    incr_note(idx, relpath);
    idx->stats.n_added++;
    idx->stats.n_bytes += s->n_bytes;
    idx->stats.n_terms += s->n_terms;
    return RECAP_OK;
}

/* ---- the in-place pipeline ---------------------------------------------- */

typedef struct pipeline pipeline;

typedef struct worker {
    pipeline *pl;
    pthread_t thread;
    int started;
    pl_stemmers stemmers;
} worker;

struct pipeline {
    const char *root;
    const char *const *paths;
    size_t n;
    char default_lang[16];

    pthread_mutex_t mu;
    pthread_cond_t cv_ready; /* a slot became ready */
    pthread_cond_t cv_space; /* the writer finished a file, or stop */
    int stamp;               /* make source stamps */
    sitecfg *cfg;            /* the handle's, shared (it locks itself) */
    size_t next;             /* next file to claim */
    size_t consumed;         /* files the writer is done with */
    int stop;

    pl_slot *slots;
    size_t n_slots;
    worker *workers;
    size_t n_workers;
};

static void *
worker_main(void *arg)
{
    worker *w = arg;
    pipeline *pl = w->pl;
    size_t i;
    pl_slot *s;

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
        pl_prepare(&w->stemmers, pl->cfg, pl->root, pl->paths[i],
                   pl->default_lang, pl->stamp, s);
        pthread_mutex_lock(&pl->mu);
        s->ready = 1;
        pthread_cond_broadcast(&pl->cv_ready);
    }
    pthread_mutex_unlock(&pl->mu);
    return NULL;
}

/* Writes one prepared document: replace by path, or a blind add. */
static recap_status
write_doc(recap_index *idx, pl_slot *s, const char *relpath, int use_add)
{
    char *qterm = NULL;
    size_t qlen;
    xap_error err;
    recap_status rc;

    if (use_add) {
        rc = xap_db_add(idx->db, s->xdoc, NULL, &err);
    } else if ((qterm = docterms_path_term(relpath, &qlen)) != NULL) {
        rc = xap_db_replace(idx->db, qterm, qlen, s->xdoc, NULL, &err);
        free(qterm);
    } else {
        rc = RECAP_ENOMEM;
        snprintf(err.msg, sizeof(err.msg), "out of memory");
    }
    if (rc != RECAP_OK) {
        s->rc = rc;
        s->failed_write = 1;
        free(s->msg);
        s->msg = util_strdup(err.msg);
    }
    return rc;
}

/* Writes one prepared file with recap_index_add_file()'s rules.  Returns
 * the file's status; its message is on the handle. */
static recap_status
apply(recap_index *idx, pl_slot *s, const char *relpath, int use_add)
{
    recap_status rc;

    if (s->rc == RECAP_ESKIPPED && !use_add &&
        (rc = writer_delete_path(idx, relpath)) != RECAP_OK) {
        idx->stats.n_skipped++;
        return rc;
    }
    if (s->rc == RECAP_OK)
        write_doc(idx, s, relpath, use_add);
    return pl_account(idx, s, relpath);
}

int
pl_cmp_path(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

int
pl_paths_unique(const char *const *paths, size_t n)
{
    const char **sorted = malloc((n ? n : 1) * sizeof(*sorted));
    size_t i;
    int ok = sorted != NULL;

    if (!ok)
        return 0;
    memcpy(sorted, paths, n * sizeof(*sorted));
    qsort(sorted, n, sizeof(*sorted), pl_cmp_path);
    for (i = 1; i < n && ok; i++)
        ok = strcmp(sorted[i - 1], sorted[i]) != 0;
    free(sorted);
    return ok;
}

/*
 * Whether documents can be added without looking for an earlier version:
 * the database holds no document yet and no path comes twice.  Xapian's
 * replace_document() first searches the postings of the path's term.
 */
static int
can_add_blindly(recap_index *idx, const char *const *paths, size_t n)
{
    uint32_t count = 1;

    if (xap_db_doccount(idx->db, &count, NULL) != RECAP_OK || count != 0)
        return 0;
    return pl_paths_unique(paths, n);
}

/* Waits for file i, writes it and reports it.  Returns RECAP_OK, or a
 * status that stops the run. */
static recap_status
write_one(pipeline *pl, recap_index *idx, size_t i, int use_add,
          recap_file_fn fn, void *ctx)
{
    pl_slot *s = &pl->slots[i % pl->n_slots];
    recap_status rc;

    pthread_mutex_lock(&pl->mu);
    while (!s->ready)
        pthread_cond_wait(&pl->cv_ready, &pl->mu);
    pthread_mutex_unlock(&pl->mu);

    pl_report(idx, s, pl->paths[i]);
    rc = apply(idx, s, pl->paths[i], use_add);
    atomic_store(&idx->files_done, i + 1);
    if (pl_is_file_status(rc) && fn)
        fn(ctx, i, pl->paths[i], rc, rc ? recap_index_errmsg(idx) : "");
    pl_slot_clear(s);

    pthread_mutex_lock(&pl->mu);
    pl->consumed = i + 1;
    pthread_cond_broadcast(&pl->cv_space);
    pthread_mutex_unlock(&pl->mu);
    return pl_is_file_status(rc) ? RECAP_OK : rc;
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
        if (pl->workers[i].started)
            pthread_join(pl->workers[i].thread, NULL);
        pl_stemmers_free(&pl->workers[i].stemmers);
    }
    for (i = 0; pl->slots && i < pl->n_slots; i++)
        pl_slot_clear(&pl->slots[i]);
    free(pl->slots);
    free(pl->workers);
    pthread_cond_destroy(&pl->cv_ready);
    pthread_cond_destroy(&pl->cv_space);
    pthread_mutex_destroy(&pl->mu);
}

recap_status
pl_add_in_place(recap_index *idx, const char *root, const char *const *relpaths,
                size_t n, unsigned n_workers, recap_file_fn fn, void *ctx)
{
    pipeline pl;
    size_t i;
    int use_add;
    recap_status rc = RECAP_OK;

    memset(&pl, 0, sizeof(pl));
    pl.root = root;
    pl.paths = relpaths;
    pl.n = n;
    strcpy(pl.default_lang, idx->default_lang);
    pl.stamp = idx->incr != NULL;
    pl.cfg = idx->ingest_cfg;
    pl.n_workers = n_workers ? n_workers : pl_auto_threads();
    if (pl.n_workers > PL_MAX_THREADS)
        pl.n_workers = PL_MAX_THREADS;
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

recap_status
recap_index_set_shards(recap_index *idx, unsigned n)
{
    if (!idx || idx->mode == RECAP_OPEN_READ || idx->in_batch || n > 64)
        return RECAP_EINVAL;
    idx->n_shards = n;
    return RECAP_OK;
}

recap_status
recap_index_add_files(recap_index *idx, const char *root,
                      const char *const *relpaths, size_t n, unsigned n_workers,
                      recap_file_fn fn, void *ctx)
{
    size_t i;
    recap_status rc = writer_check_batch(idx);

    if (rc)
        return rc;
    if (!root || (!relpaths && n))
        return index_fail(idx, RECAP_EINVAL, "no files given");
    for (i = 0; i < n; i++)
        if (!relpaths[i])
            return index_fail(idx, RECAP_EINVAL, "no file given");
    atomic_store(&idx->files_done, 0);
    if (n == 0)
        return RECAP_OK;
    /* cmark-gfm registers its extensions on first use without a lock. */
    cmark_gfm_core_extensions_ensure_registered();
    if (idx->side)
        return side_add_files(idx, root, relpaths, n, n_workers, fn, ctx);
    return pl_add_in_place(idx, root, relpaths, n, n_workers, fn, ctx);
}

size_t
recap_index_files_done(const recap_index *idx)
{
    return idx ? atomic_load(&idx->files_done) : 0;
}
