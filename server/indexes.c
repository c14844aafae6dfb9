/*
 * indexes.c: per-worker index handles kept at the latest revision
 * (indexes.h).
 *
 * Change detection is a stat() of Xapian's version file ("iamglass"), which
 * every commit replaces, done by at most one request per INDEXES_CHECK_MS.
 * An index in the generation layout (generation.h) is a stub naming the
 * live generation: there the stub, which a full build replaces, and the
 * live generation's version file, which an incremental run replaces, are
 * both watched.  A change bumps a generation number; a handle whose
 * generation is older is reopened when it is next borrowed, so no request
 * ever waits for another one's reopen.  When no version file can be seen
 * (a sharded generation, remote shards, another backend), every check
 * counts as a change: Xapian's reopen is cheap when nothing changed.
 */
#define _POSIX_C_SOURCE 200809L
#include "indexes.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "generation.h"
#include "util.h"

typedef struct slot {
    recap_index *idx;
    uint64_t gen; /* generation the handle was last reopened at */
    uint64_t revision, doc_count;
} slot;

/* What identifies one version of a file. */
typedef struct one_sig {
    ino_t ino;
    off_t size;
    struct timespec mtime;
} one_sig;

/* What identifies one revision of the index: its version file, and for
 * the generation layout the stub too. */
typedef struct file_sig {
    int ok;
    one_sig version, stub;
} file_sig;

struct indexes {
    char *path;
    double time_limit;
    size_t page_cache;
    slot *slots;
    unsigned n;
    unsigned *free_slots;
    unsigned n_free;
    pthread_mutex_t mu; /* free_slots */
    pthread_cond_t cv;
    pthread_mutex_t check_mu; /* one checker at a time; sig */
    file_sig sig;
    atomic_uint_fast64_t gen, last_check_ms, revision, reloads;
    atomic_int force;
};

static uint64_t
now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static int
stat_sig(const char *file, one_sig *out)
{
    struct stat st;

    if (!file || stat(file, &st) != 0)
        return -1;
    out->ino = st.st_ino;
    out->size = st.st_size;
    out->mtime = st.st_mtim;
    return 0;
}

/* The signature of the index at `path`: "path/iamglass", else the stub
 * "path/XAPIANDB" (looked at before it is read, so a stub replaced
 * meanwhile differs at the next check) and its generation's iamglass. */
static file_sig
index_sig(const char *path)
{
    file_sig s;
    char *file = util_asprintf("%s/iamglass", path), *stub, *gen = NULL;

    memset(&s, 0, sizeof(s));
    if (stat_sig(file, &s.version) == 0) {
        s.ok = 1;
    } else if ((stub = util_asprintf("%s/" GEN_STUB, path))) {
        if (stat_sig(stub, &s.stub) == 0 &&
            gen_current(path, &gen) == RECAP_OK) {
            free(file);
            file = util_asprintf("%s/%s/iamglass", path, gen);
            s.ok = stat_sig(file, &s.version) == 0;
        }
        free(stub);
    }
    free(gen);
    free(file);
    return s;
}

static int
one_equal(const one_sig *a, const one_sig *b)
{
    return a->ino == b->ino && a->size == b->size &&
           a->mtime.tv_sec == b->mtime.tv_sec &&
           a->mtime.tv_nsec == b->mtime.tv_nsec;
}

static int
sig_equal(const file_sig *a, const file_sig *b)
{
    return a->ok && b->ok && one_equal(&a->version, &b->version) &&
           one_equal(&a->stub, &b->stub);
}

/* Records the revision a handle now reads; counts a reload when it is
 * newer than any seen before. */
static void
note_revision(indexes *ix, slot *sl)
{
    uint64_t seen = atomic_load(&ix->revision);

    if (recap_index_revision(sl->idx, &sl->revision) != RECAP_OK ||
        recap_index_doc_count(sl->idx, &sl->doc_count) != RECAP_OK)
        return;
    while (sl->revision > seen) {
        if (atomic_compare_exchange_weak(&ix->revision, &seen, sl->revision)) {
            if (seen != 0)
                atomic_fetch_add(&ix->reloads, 1);
            break;
        }
    }
}

/* Reopens a handle; when Xapian cannot (the index was replaced as a whole
 * folder), opens a new one, and when that fails too keeps serving the old
 * revision and says so. */
static void
reopen_slot(indexes *ix, slot *sl, uint64_t gen)
{
    recap_index *fresh = NULL;
    char *err = NULL;

    if (recap_index_reopen(sl->idx) != RECAP_OK) {
        if (recap_index_open(ix->path, RECAP_OPEN_READ, &fresh, &err) ==
            RECAP_OK) {
            recap_index_set_time_limit(fresh, ix->time_limit);
            recap_index_set_page_cache(fresh, ix->page_cache);
            recap_index_close(sl->idx);
            sl->idx = fresh;
        } else {
            fprintf(stderr,
                    "recapsearch-server: cannot reopen the index, still "
                    "serving revision %llu: %s\n",
                    (unsigned long long)sl->revision, err ? err : "");
            free(err);
        }
    }
    sl->gen = gen;
    note_revision(ix, sl);
}

/* At most one caller per INDEXES_CHECK_MS looks for a new revision. */
static void
check(indexes *ix)
{
    uint64_t now = now_ms(), last = atomic_load(&ix->last_check_ms);
    file_sig sig;

    if (now - last < INDEXES_CHECK_MS && !atomic_load(&ix->force))
        return;
    if (pthread_mutex_trylock(&ix->check_mu) != 0)
        return;
    atomic_store(&ix->last_check_ms, now);
    sig = index_sig(ix->path);
    if (atomic_exchange(&ix->force, 0) || !sig_equal(&sig, &ix->sig)) {
        ix->sig = sig;
        atomic_fetch_add(&ix->gen, 1);
    }
    pthread_mutex_unlock(&ix->check_mu);
}

int
indexes_open(const char *path, unsigned n, double time_limit, size_t page_cache,
             indexes **out, char **errmsg)
{
    indexes *ix;
    unsigned i;

    *out = NULL;
    *errmsg = NULL;
    if (n == 0)
        n = 1;
    ix = calloc(1, sizeof(*ix));
    if (!ix || !(ix->slots = calloc(n, sizeof(*ix->slots))) ||
        !(ix->free_slots = calloc(n, sizeof(*ix->free_slots))) ||
        !(ix->path = util_strdup(path))) {
        indexes_close(ix);
        *errmsg = util_strdup("out of memory");
        return -1;
    }
    pthread_mutex_init(&ix->mu, NULL);
    pthread_cond_init(&ix->cv, NULL);
    pthread_mutex_init(&ix->check_mu, NULL);
    ix->time_limit = time_limit;
    ix->page_cache = page_cache;
    ix->sig = index_sig(ix->path);
    atomic_init(&ix->last_check_ms, now_ms());
    for (i = 0; i < n; i++) {
        if (recap_index_open(path, RECAP_OPEN_READ, &ix->slots[i].idx,
                             errmsg) != RECAP_OK) {
            ix->n = i;
            indexes_close(ix);
            return -1;
        }
        recap_index_set_time_limit(ix->slots[i].idx, time_limit);
        recap_index_set_page_cache(ix->slots[i].idx, page_cache);
        note_revision(ix, &ix->slots[i]);
        ix->free_slots[ix->n_free++] = i;
    }
    ix->n = n;
    *out = ix;
    return 0;
}

void
indexes_close(indexes *ix)
{
    unsigned i;

    if (!ix)
        return;
    for (i = 0; ix->slots && i < ix->n; i++)
        recap_index_close(ix->slots[i].idx);
    if (ix->free_slots) {
        pthread_mutex_destroy(&ix->mu);
        pthread_cond_destroy(&ix->cv);
        pthread_mutex_destroy(&ix->check_mu);
    }
    free(ix->slots);
    free(ix->free_slots);
    free(ix->path);
    free(ix);
}

void
indexes_acquire(indexes *ix, index_lease *out)
{
    unsigned i;
    uint64_t gen;
    slot *sl;

    check(ix);
    pthread_mutex_lock(&ix->mu);
    while (ix->n_free == 0)
        pthread_cond_wait(&ix->cv, &ix->mu);
    i = ix->free_slots[--ix->n_free];
    pthread_mutex_unlock(&ix->mu);
    sl = &ix->slots[i];
    gen = atomic_load(&ix->gen);
    if (sl->gen != gen)
        reopen_slot(ix, sl, gen);
    out->idx = sl->idx;
    out->revision = sl->revision;
    out->doc_count = sl->doc_count;
    out->slot = i;
}

void
indexes_release(indexes *ix, index_lease *lease)
{
    pthread_mutex_lock(&ix->mu);
    ix->free_slots[ix->n_free++] = lease->slot;
    pthread_cond_signal(&ix->cv);
    pthread_mutex_unlock(&ix->mu);
    lease->idx = NULL;
}

void
indexes_refresh(indexes *ix, index_lease *lease)
{
    slot *sl = &ix->slots[lease->slot];

    reopen_slot(ix, sl, atomic_load(&ix->gen));
    lease->idx = sl->idx;
    lease->revision = sl->revision;
    lease->doc_count = sl->doc_count;
}

void
indexes_reload(indexes *ix)
{
    atomic_store(&ix->force, 1);
}

uint64_t
indexes_revision(const indexes *ix)
{
    return atomic_load(&((indexes *)ix)->revision);
}

uint64_t
indexes_reloads(const indexes *ix)
{
    return atomic_load(&((indexes *)ix)->reloads);
}
