/*
 * sidebuild.c: a full batch written beside the live index, as a new
 * generation (lib/generation.h), with one writer per processor.
 *
 * Xapian writes a database from one thread, and writing is most of the
 * cost of indexing, so a full build splits the file list into contiguous
 * ranges, one per thread; each thread reads, analyses and writes its range
 * into a part database of its own.  Bytes are not work (a page of Chinese
 * costs more to analyse than one of English, and languages sort apart), so
 * a thread that finishes first takes the second half of what another has
 * not started, as a range and a part of its own, and again until the rest
 * is too small to share.  Single files (recap_index_add_file)
 * and everything else written through the handle go to a sequential part.
 * At commit Xapian's compaction merges the parts, in list order, into the
 * new generation (renumbering documents 1.. in that order, so ids are those
 * of a one-by-one build), and the stub is switched to it.  Until then
 * readers see the live generation, and an interrupted build leaves it
 * intact.  The handle keeps the live database open, and with it the write
 * lock, for the whole batch, so no other writer changes it meanwhile.
 *
 *   index/XAPIANDB                -> gen-000002 until the commit
 *   index/gen-000002/             live
 *   index/gen-000003.parts/p0000  sequential part (before the first ranges)
 *   index/gen-000003.parts/p0001  range 1, thread 1 ...
 *   index/gen-000003/             made by compaction at commit
 *
 * Files that cannot be read keep their previous document, copied from the
 * live generation.  In a side build, recap_index_delete() reaches only the
 * sequential part; a full batch needs no deletes anyway.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "docterms.h"
#include "generation.h"
#include "incremental.h"
#include "pipeline_int.h"
#include "schema.h"
#include "util.h"
#include "writer_int.h"

struct sidebuild {
    char *live_gen;       /* "gen-000002" */
    char *gen;            /* "gen-000003": being built */
    char *parts_dir;      /* index/gen-000003.parts */
    xap_db *live;         /* the handle's database: the live generation */
    char **parts;         /* part databases, in document order */
    unsigned *part_shard; /* the shard each part goes to */
    size_t n_parts, cap_parts;
    unsigned n_shards; /* databases of the new generation */
};

static void
side_free(struct sidebuild *sb)
{
    size_t i;

    if (!sb)
        return;
    for (i = 0; i < sb->n_parts; i++)
        free(sb->parts[i]);
    free(sb->parts);
    free(sb->part_shard);
    free(sb->parts_dir);
    free(sb->gen);
    free(sb->live_gen);
    free(sb);
}

/* Appends a new part for `shard` to the list; returns its path (borrowed)
 * or NULL. */
static const char *
new_part(struct sidebuild *sb, unsigned shard)
{
    char *p;

    if (sb->n_parts == sb->cap_parts) {
        size_t cap = sb->cap_parts ? sb->cap_parts * 2 : 8;
        char **np = realloc(sb->parts, cap * sizeof(*np));
        unsigned *ns;
        if (!np)
            return NULL;
        sb->parts = np;
        if (!(ns = realloc(sb->part_shard, cap * sizeof(*ns))))
            return NULL;
        sb->part_shard = ns;
        sb->cap_parts = cap;
    }
    p = util_asprintf("%s/p%04zu", sb->parts_dir, sb->n_parts);
    if (p) {
        sb->part_shard[sb->n_parts] = shard;
        sb->parts[sb->n_parts++] = p;
    }
    return p;
}

/* A new part for `shard` right after the part `after` (which is one of
 * sb->parts) in the list, for the files that follow its own; returns its
 * path (borrowed) or NULL. */
static const char *
new_part_after(struct sidebuild *sb, const char *after, unsigned shard)
{
    const char *p = new_part(sb, shard);
    size_t at, i;

    if (!p)
        return NULL;
    for (at = 0; at + 1 < sb->n_parts && sb->parts[at] != after; at++)
        ;
    for (i = sb->n_parts - 1; i > at + 1; i--) {
        sb->parts[i] = sb->parts[i - 1];
        sb->part_shard[i] = sb->part_shard[i - 1];
    }
    sb->parts[at + 1] = (char *)p;
    sb->part_shard[at + 1] = shard;
    return p;
}

/* Opens a new sequential part as the handle's database, in a transaction
 * as recap_index_begin() leaves it. */
static recap_status
open_seq_part(recap_index *idx, int in_transaction)
{
    struct sidebuild *sb = idx->side;
    const char *part = new_part(sb, 0); /* shard 0 holds the rest */
    xap_db *db = NULL;
    xap_error err;

    if (!part)
        return index_fail(idx, RECAP_ENOMEM, "out of memory");
    if (xap_db_open(part, XAP_DB_CREATE_OR_OVERWRITE, &db, &err) ||
        (in_transaction && xap_db_begin(db, 1, &err))) {
        xap_db_free(db);
        return index_fail_xap(idx, &err, part);
    }
    idx->db = db;
    return RECAP_OK;
}

recap_status
side_begin(recap_index *idx)
{
    struct sidebuild *sb;
    char *live = NULL;
    recap_status rc = gen_current(idx->path, &live);

    if (rc == RECAP_ENOTFOUND)
        return RECAP_OK; /* not in the layout: rebuild in place */
    if (rc != RECAP_OK)
        return index_fail(idx, rc, "out of memory");
    /* We hold the write lock: what is not live is left over. */
    gen_prune(idx->path, live, NULL);
    if (!(sb = calloc(1, sizeof(*sb)))) {
        free(live);
        return index_fail(idx, RECAP_ENOMEM, "out of memory");
    }
    sb->live_gen = live;
    sb->n_shards = idx->n_shards ? idx->n_shards : gen_shards(idx->path, live);
    sb->gen = gen_next(live);
    sb->parts_dir =
        sb->gen ? util_asprintf("%s/%s.parts", idx->path, sb->gen) : NULL;
    if (!sb->parts_dir) {
        side_free(sb);
        return index_fail(idx, RECAP_ENOMEM, "out of memory");
    }
    if (mkdir(sb->parts_dir, 0777) != 0) {
        rc = index_fail(idx, RECAP_EIO, "cannot create %s: %s", sb->parts_dir,
                        strerror(errno));
        side_free(sb);
        return rc;
    }
    sb->live = idx->db;
    idx->side = sb;
    if ((rc = open_seq_part(idx, 0)) != RECAP_OK) {
        idx->db = sb->live;
        idx->side = NULL;
        gen_remove_tree(sb->parts_dir);
        side_free(sb);
    }
    return rc;
}

/* ---- ranges on threads -------------------------------------------------- */

typedef struct side_run side_run;

typedef struct range {
    side_run *run;
    unsigned id;       /* files i with run->owner[i] == id, */
    size_t first, end; /* all within [first, end); `end` moves down when
                          another thread takes the rest; under mu */
    const char *part;
    pthread_t thread;
    int started;
    size_t done;        /* files [first, done) are finished; under mu */
    recap_status fatal; /* what stopped the range, from file fatal_at on */
    size_t fatal_at;
    char fatal_msg[512];
} range;

struct side_run {
    const char *root;
    const char *const *paths;
    const char *index_path;
    const char *live_gen;
    char default_lang[16];
    int stamp;                 /* make source stamps */
    sitecfg *cfg;              /* the handle's, shared (it locks itself) */
    atomic_size_t *files_done; /* the handle's count, for progress */
    pl_slot *slots;            /* one per file */
    uint16_t *owner;           /* the range of each file; under mu */
    uint64_t *cum;             /* cum[i]: the bytes of files [0, i) */
    range *ranges;             /* the first k from the start, then the */
    size_t n_ranges, cap;      /* ranges taken over; n_ranges under mu */
    struct sidebuild *sb;      /* for the parts of ranges taken over */
    int sharded;               /* ranges are shards: none taken over */
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int stop;
};

/* How many ranges threads may take over in one run, in all. */
#define SIDE_MAX_TAKEN 64

/* The least bytes of a range's unstarted files worth sharing with another
 * thread (half each): a part costs a database and its commit. */
uint64_t side_share_min_bytes = 1u << 20;
atomic_size_t side_ranges_taken;

/* Copies the live document of `relpath`, if any, into `part`. */
static recap_status
keep_old(side_run *run, xap_db **live, xap_db *part, const char *relpath,
         xap_error *err)
{
    char *qterm = NULL, *live_path;
    size_t qlen;
    xap_docid did = 0;
    xap_doc *doc = NULL;
    recap_status rc = RECAP_OK;

    if (!*live) {
        live_path = util_asprintf("%s/%s", run->index_path, run->live_gen);
        rc = live_path ? xap_db_open(live_path, XAP_DB_READONLY, live, err)
                       : RECAP_ENOMEM;
        free(live_path);
        if (rc)
            return rc;
    }
    if (!(qterm = docterms_path_term(relpath, &qlen)))
        return RECAP_ENOMEM;
    rc = xap_db_find(*live, qterm, qlen, &did, err);
    if (rc == RECAP_OK && did)
        rc = xap_db_get_doc(*live, did, &doc, err);
    if (rc == RECAP_OK && doc)
        rc = xap_db_add(part, doc, NULL, err);
    xap_doc_free(doc);
    free(qterm);
    return rc;
}

/* Builds file i into the part; its slot keeps the outcome.  Returns a
 * status that stops the range, or RECAP_OK. */
static recap_status
build_one(side_run *run, pl_stemmers *st, xap_db *part, xap_db **live, size_t i)
{
    pl_slot *s = &run->slots[i];
    xap_error err;
    recap_status rc = RECAP_OK;

    pl_prepare(st, run->cfg, run->root, run->paths[i], run->default_lang,
               run->stamp, s);
    if (s->rc == RECAP_OK)
        rc = xap_db_add(part, s->xdoc, NULL, &err);
    else if (pl_is_file_status(s->rc) && s->rc != RECAP_ESKIPPED &&
             !s->failed_write)
        rc = keep_old(run, live, part, run->paths[i], &err);
    xap_doc_free(s->xdoc);
    s->xdoc = NULL;
    if (rc != RECAP_OK) {
        s->rc = rc;
        s->failed_write = 1;
        free(s->msg);
        s->msg = util_strdup(err.msg);
    }
    return pl_is_file_status(s->rc) ? RECAP_OK : s->rc;
}

/* Builds range r into its part.  Returns whether the thread may go on
 * with another range. */
static int
build_range(range *r, pl_stemmers *st, xap_db **live)
{
    side_run *run = r->run;
    xap_db *part = NULL;
    xap_error err;
    recap_status rc, fatal = RECAP_OK;
    size_t i, end, fatal_at;
    int stop;

    err.msg[0] = '\0';
    pthread_mutex_lock(&run->mu);
    end = r->end;
    stop = run->stop;
    pthread_mutex_unlock(&run->mu);
    fatal_at = end;
    rc = xap_db_open(r->part, XAP_DB_CREATE_OR_OVERWRITE, &part, &err);
    if (rc != RECAP_OK) {
        fatal = rc;
        fatal_at = r->first;
    }
    for (i = r->first; i < end && fatal == RECAP_OK && !stop; i++) {
        if (run->sharded && run->owner[i] != r->id)
            continue;
        if ((rc = build_one(run, st, part, live, i)) != RECAP_OK) {
            fatal = rc; /* the slot names the file */
            fatal_at = i + 1;
        }
        atomic_fetch_add(run->files_done, 1);
        pthread_mutex_lock(&run->mu);
        r->done = i + 1;
        end = r->end;
        stop = run->stop;
        pthread_cond_broadcast(&run->cv);
        pthread_mutex_unlock(&run->mu);
    }
    if (fatal == RECAP_OK && !stop &&
        (rc = xap_db_commit(part, &err)) != RECAP_OK) {
        fatal = rc;
        fatal_at = end;
    }
    xap_db_free(part);
    pthread_mutex_lock(&run->mu);
    r->fatal = fatal;
    r->fatal_at = fatal_at;
    snprintf(r->fatal_msg, sizeof(r->fatal_msg), "%s", err.msg);
    r->done = r->end;
    pthread_cond_broadcast(&run->cv);
    pthread_mutex_unlock(&run->mu);
    return fatal == RECAP_OK && !stop;
}

/* A new range of the second half (in bytes) of the files that the range
 * with the most such bytes has not started, or NULL when none has enough
 * (side_share_min_bytes) or the run stops.  Under run->mu. */
static range *
take_over(side_run *run)
{
    range *v = NULL, *r;
    uint64_t most = 0, half;
    size_t t, lo, hi, mid, from;

    if (run->sharded || !run->cum || run->stop || run->n_ranges == run->cap)
        return NULL;
    for (t = 0; t < run->n_ranges; t++) {
        range *c = &run->ranges[t];
        uint64_t left;
        /* The file a range works on is file `done`: it keeps it. */
        if (c->fatal != RECAP_OK || c->done + 2 > c->end)
            continue;
        left = run->cum[c->end] - run->cum[c->done + 1];
        if (left > most) {
            most = left;
            v = c;
        }
    }
    if (!v || most < side_share_min_bytes || most < 2)
        return NULL;
    /* The first file from which on the rest is at most half the bytes. */
    lo = v->done + 1;
    hi = v->end;
    half = run->cum[v->end] - most / 2;
    while (lo < hi) {
        mid = lo + (hi - lo) / 2;
        if (run->cum[mid] < half)
            lo = mid + 1;
        else
            hi = mid;
    }
    from = lo;
    if (from >= v->end)
        return NULL;
    r = &run->ranges[run->n_ranges];
    memset(r, 0, sizeof(*r));
    r->run = run;
    r->id = (unsigned)run->n_ranges;
    r->first = r->done = from;
    r->end = v->end;
    if (!(r->part = new_part_after(run->sb, v->part, 0)))
        return NULL;
    run->n_ranges++;
    atomic_fetch_add(&side_ranges_taken, 1);
    for (t = from; t < v->end; t++)
        run->owner[t] = (uint16_t)r->id;
    v->end = from;
    return r;
}

static void *
range_main(void *arg)
{
    range *r = arg;
    side_run *run = r->run;
    pl_stemmers st = {0};
    xap_db *live = NULL;

    while (build_range(r, &st, &live)) {
        pthread_mutex_lock(&run->mu);
        r = take_over(run);
        pthread_mutex_unlock(&run->mu);
        if (!r)
            break;
    }
    xap_db_free(live);
    pl_stemmers_free(&st);
    return NULL;
}

/* Splits [0, n) into k ranges of about equal bytes, and keeps in
 * run->cum the bytes before each file (NULL when out of memory: then the
 * ranges are of equal counts and none is shared). */
static void
split_ranges(side_run *run, size_t n, range *r, size_t k)
{
    uint64_t *cum = malloc((n + 1) * sizeof(*cum)), total;
    struct stat st;
    size_t i, t = 0;

    for (i = 0; cum && i < n; i++) {
        char *p = util_asprintf("%s/%s", run->root, run->paths[i]);
        /* A fixed cost per file, and its bytes. */
        uint64_t b = p && stat(p, &st) == 0 ? (uint64_t)st.st_size : 0;
        cum[i + 1] = (i ? cum[i] : 0) + b + 2048;
        free(p);
    }
    if (cum)
        cum[0] = 0;
    total = cum ? cum[n] : n;
    r[0].first = 0;
    for (i = 0; i < n; i++) {
        uint64_t acc = cum ? cum[i + 1] : i + 1;
        if (t + 1 < k && acc * k >= (t + 1) * total) {
            r[t].end = i + 1;
            r[++t].first = i + 1;
        }
    }
    r[t].end = n;
    while (++t < k)
        r[t].first = r[t].end = n;
    run->cum = cum;
}

/* A stable hash of a path, for its shard (FNV-1a, 32 bits). */
static uint32_t
path_hash(const char *s)
{
    uint32_t h = 2166136261u;

    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 16777619u;
    return h;
}

/* Gives each file its range: contiguous ranges of about equal bytes, or
 * with several shards, the shard of the path's hash. */
static void
assign(side_run *run, size_t n, range *r, size_t k, unsigned n_shards)
{
    size_t i, t;

    if (n_shards > 1) {
        for (t = 0; t < k; t++) {
            r[t].first = 0;
            r[t].end = n;
        }
        for (i = 0; i < n; i++)
            run->owner[i] = (uint16_t)(path_hash(run->paths[i]) % n_shards);
    } else {
        split_ranges(run, n, r, k);
        for (t = 0; t < k; t++)
            for (i = r[t].first; i < r[t].end; i++)
                run->owner[i] = (uint16_t)t;
    }
    for (t = 0; t < k; t++) {
        r[t].id = (unsigned)t;
        r[t].done = r[t].first; /* take_over() counts from there */
    }
}

/* Reports file i once its range has finished it.  Returns RECAP_OK, or
 * the status that stopped the run. */
static recap_status
report_one(recap_index *idx, side_run *run, size_t i, recap_file_fn fn,
           void *ctx)
{
    pl_slot *s = &run->slots[i];
    recap_status rc, fatal;
    size_t fatal_at;
    range *r;

    /* The file's range can change while we wait: another thread may take
     * it over.  Its status is written when it ends (then no more). */
    pthread_mutex_lock(&run->mu);
    while ((r = &run->ranges[run->owner[i]])->done <= i)
        pthread_cond_wait(&run->cv, &run->mu);
    fatal = r->fatal;
    fatal_at = r->fatal_at;
    pthread_mutex_unlock(&run->mu);
    if (fatal != RECAP_OK && i >= fatal_at)
        return index_fail(idx, fatal, "%s: %s", r->part, r->fatal_msg);
    pl_report(idx, s, run->paths[i]);
    rc = pl_account(idx, s, run->paths[i]);
    if (!pl_is_file_status(rc))
        return rc; /* the message names the file */
    if (fn)
        fn(ctx, i, run->paths[i], rc, rc ? recap_index_errmsg(idx) : "");
    pl_slot_clear(s);
    return RECAP_OK;
}

static void
stop_and_join(side_run *run, size_t k)
{
    size_t t;

    pthread_mutex_lock(&run->mu);
    run->stop = 1;
    pthread_mutex_unlock(&run->mu);
    for (t = 0; t < k; t++)
        if (run->ranges[t].started)
            pthread_join(run->ranges[t].thread, NULL);
}

/* Runs the k ranges (and those taken over) and reports their files in
 * list order. */
static recap_status
run_ranges(recap_index *idx, side_run *run, size_t n, size_t k,
           recap_file_fn fn, void *ctx)
{
    recap_status rc = RECAP_OK;
    range *r = run->ranges;
    size_t t, i;

    /* Every first part before any thread, which may add parts. */
    for (t = 0; t < k && rc == RECAP_OK; t++) {
        r[t].run = run;
        r[t].part = new_part(idx->side, run->sharded ? (unsigned)t : 0);
        if (!r[t].part)
            rc = index_fail(idx, RECAP_ENOMEM, "out of memory");
    }
    for (t = 0; t < k && rc == RECAP_OK; t++) {
        if (pthread_create(&r[t].thread, NULL, range_main, &r[t]) != 0)
            rc = index_fail(idx, RECAP_EINTERNAL, "cannot start a thread");
        else
            r[t].started = 1;
    }
    for (i = 0; i < n && rc == RECAP_OK; i++)
        rc = report_one(idx, run, i, fn, ctx);
    stop_and_join(run, k);
    /* After the last file a thread still commits its part, which may
     * fail: look once all have ended. */
    for (t = 0; t < run->n_ranges && rc == RECAP_OK; t++)
        if (r[t].fatal != RECAP_OK)
            rc = index_fail(idx, r[t].fatal, "%s: %s", r[t].part,
                            r[t].fatal_msg);
    return rc;
}

recap_status
side_add_files(recap_index *idx, const char *root, const char *const *relpaths,
               size_t n, unsigned n_threads, recap_file_fn fn, void *ctx)
{
    side_run run;
    size_t k = n_threads ? n_threads : pl_auto_threads(), i;
    xap_error err;
    recap_status rc;

    /* A path given twice replaces its first document: only the in-place
     * way does that. */
    if (!pl_paths_unique(relpaths, n))
        return pl_add_in_place(idx, root, relpaths, n, n_threads, fn, ctx);
    k = k > PL_MAX_THREADS ? PL_MAX_THREADS : k > n ? n : k;
    if (idx->side->n_shards > 1)
        k = idx->side->n_shards; /* one writer per shard */
    memset(&run, 0, sizeof(run));
    run.root = root;
    run.files_done = &idx->files_done;
    run.paths = relpaths;
    run.index_path = idx->path;
    run.live_gen = idx->side->live_gen;
    strcpy(run.default_lang, idx->default_lang);
    run.stamp = idx->incr != NULL;
    run.cfg = idx->ingest_cfg;
    run.sb = idx->side;
    run.sharded = idx->side->n_shards > 1;
    run.slots = calloc(n, sizeof(*run.slots));
    run.owner = calloc(n, sizeof(*run.owner));
    /* Ranges taken over: halving, a few per thread do. */
    run.cap = k + SIDE_MAX_TAKEN;
    run.n_ranges = k;
    run.ranges = calloc(run.cap, sizeof(*run.ranges));
    if (!run.slots || !run.owner || !run.ranges) {
        free(run.slots);
        free(run.owner);
        free(run.ranges);
        return index_fail(idx, RECAP_ENOMEM, "out of memory");
    }
    pthread_mutex_init(&run.mu, NULL);
    pthread_cond_init(&run.cv, NULL);
    assign(&run, n, run.ranges, k, idx->side->n_shards);
    /* Before the threads start: it changes the environment. */
    xap_flush_threshold_for(n / k);
    rc = run_ranges(idx, &run, n, k, fn, ctx);
    for (i = 0; i < n; i++)
        pl_slot_clear(&run.slots[i]);
    free(run.slots);
    free(run.owner);
    free(run.cum);
    free(run.ranges);
    pthread_cond_destroy(&run.cv);
    pthread_mutex_destroy(&run.mu);
    if (rc != RECAP_OK)
        return rc;
    /* What the handle writes from now on comes after the ranges. */
    if (xap_db_end(idx->db, 1, &err) != RECAP_OK)
        return index_fail_xap(idx, &err, "writing the index");
    xap_db_free(idx->db);
    idx->db = NULL;
    if ((rc = open_seq_part(idx, 1)) != RECAP_OK)
        idx->db = idx->side->live; /* for cancel; never written */
    return rc;
}

/* ---- commit and cancel -------------------------------------------------- */

/* Counts the live documents that the batch did not add: those the new
 * generation drops. */
static void
count_dropped(recap_index *idx)
{
    xap_termiter *it = NULL;
    const char *term;
    size_t len;
    char *key;

    if (idx->n_seen) /* qsort() of NULL is undefined, even of nothing */
        qsort(idx->seen, idx->n_seen, sizeof(char *), pl_cmp_path);
    if (xap_db_allterms(idx->side->live, SCHEMA_PREFIX_PATH, 1, &it, NULL))
        return;
    while (xap_termiter_next(it, &term, &len, NULL, NULL) == 1) {
        if (!(key = util_strndup(term + 1, len - 1)))
            break;
        if (!idx->n_seen ||
            !bsearch(&key, idx->seen, idx->n_seen, sizeof(char *), pl_cmp_path))
            idx->stats.n_deleted++;
        free(key);
    }
    xap_termiter_free(it);
}

static void
side_end(recap_index *idx, xap_db *db)
{
    struct sidebuild *sb = idx->side;

    gen_remove_tree(sb->parts_dir);
    idx->db = db;
    idx->side = NULL;
    side_free(sb);
}

/* Stores the source stamps again in the new generation: they name the
 * revision they belong to, and compaction made a new one. */
static recap_status
restamp(recap_index *idx, xap_db *fresh, xap_error *err)
{
    recap_status rc;

    if (!idx->incr || idx->side->n_shards > 1)
        return RECAP_OK; /* shards have no single revision to name */
    idx->db = fresh;
    rc = incr_save(idx);
    idx->db = NULL;
    if (rc != RECAP_OK) {
        snprintf(err->msg, sizeof(err->msg), "%s", recap_index_errmsg(idx));
        return rc;
    }
    return xap_db_commit(fresh, err);
}

/* Compacts the parts of `shard` into the database `dest`; a shard without
 * parts becomes an empty database. */
static recap_status
merge_shard(struct sidebuild *sb, unsigned shard, const char *dest,
            xap_error *err)
{
    const char **srcs = malloc((sb->n_parts + 1) * sizeof(*srcs));
    size_t i, n = 0;
    xap_db *empty = NULL;
    recap_status rc;

    if (!srcs)
        return RECAP_ENOMEM;
    for (i = 0; i < sb->n_parts; i++)
        if (sb->part_shard[i] == shard)
            srcs[n++] = sb->parts[i];
    if (n)
        rc = xap_compact(srcs, n, dest, err);
    else if ((rc = xap_db_open(dest, XAP_DB_CREATE_OR_OVERWRITE, &empty,
                               err)) == RECAP_OK)
        rc = xap_db_commit(empty, err);
    xap_db_free(empty);
    free(srcs);
    return rc;
}

/* The new generation: one database, or a directory of shards behind a stub
 * of its own (Xapian opens nested stubs). */
static recap_status
merge_parts(struct sidebuild *sb, const char *dir, xap_error *err)
{
    unsigned s;
    recap_status rc = RECAP_OK;

    if (sb->n_shards <= 1)
        return merge_shard(sb, 0, dir, err);
    if (mkdir(dir, 0777) != 0) {
        snprintf(err->msg, sizeof(err->msg), "cannot create %s: %s", dir,
                 strerror(errno));
        return RECAP_EIO;
    }
    for (s = 0; s < sb->n_shards && rc == RECAP_OK; s++) {
        char *p = util_asprintf("%s/" GEN_SHARD_FMT, dir, s);
        rc = p ? merge_shard(sb, s, p, err) : RECAP_ENOMEM;
        free(p);
    }
    if (rc == RECAP_OK && (rc = gen_write_shard_stub(dir, sb->n_shards)))
        snprintf(err->msg, sizeof(err->msg), "cannot write %s/%s: %s", dir,
                 GEN_STUB, strerror(errno));
    return rc;
}

recap_status
side_commit(recap_index *idx)
{
    struct sidebuild *sb = idx->side;
    char *dir = util_asprintf("%s/%s", idx->path, sb->gen);
    xap_db *fresh = NULL;
    xap_error err;
    recap_status rc;

    xap_db_free(idx->db); /* the sequential part, committed */
    idx->db = NULL;
    if (!dir) {
        side_end(idx, sb->live);
        return index_fail(idx, RECAP_ENOMEM, "out of memory");
    }
    count_dropped(idx);
    rc = merge_parts(sb, dir, &err);
    /* Take the new generation's lock before letting go of the live one. */
    if (rc == RECAP_OK)
        rc = xap_db_open(dir, XAP_DB_OPEN, &fresh, &err);
    if (rc == RECAP_OK)
        rc = restamp(idx, fresh, &err);
    if (rc == RECAP_OK && (rc = gen_switch(idx->path, sb->gen)) != RECAP_OK)
        snprintf(err.msg, sizeof(err.msg), "cannot switch the stub: %s",
                 strerror(errno));
    if (rc != RECAP_OK) {
        xap_db_free(fresh);
        gen_remove_tree(dir);
        side_end(idx, sb->live);
        rc = index_fail(idx, rc, "committing: %s", err.msg);
    } else {
        xap_db_free(sb->live);
        free(idx->gen);
        idx->gen = sb->gen;
        sb->gen = NULL;
        side_end(idx, fresh);
    }
    free(dir);
    return rc;
}

void
side_cancel(recap_index *idx)
{
    if (!idx->side)
        return;
    if (idx->db != idx->side->live)
        xap_db_free(idx->db);
    side_end(idx, idx->side->live);
}
