/*
 * cache.c: the sharded LRU answer cache of cache.h.
 *
 * Each shard is a hash table with chaining plus a doubly linked list in
 * recency order; both are intrusive in the entry, which holds its key and
 * a reference to its body.
 */
#include "cache.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

#define CACHE_SHARDS 16

/* A cache_body with its reference count. */
typedef struct shared_body {
    cache_body pub;
    atomic_uint refs;
} shared_body;

typedef struct entry {
    struct entry *next_in_bucket;
    struct entry *newer, *older; /* recency list */
    uint64_t hash, revision;
    cache_body *body;
    size_t key_len;
    char key[];
} entry;

typedef struct shard {
    pthread_mutex_t mu;
    entry **buckets;
    size_t n_buckets; /* a power of two */
    entry *newest, *oldest;
    size_t n_entries, n_bytes;
} shard;

struct cache {
    shard shards[CACHE_SHARDS];
    size_t max_entries, max_bytes; /* per shard */
    atomic_uint_fast64_t hits, misses;
};

cache_body *
cache_body_new(char *data, size_t len)
{
    shared_body *b = malloc(sizeof(*b));

    if (!b) {
        free(data);
        return NULL;
    }
    b->pub.data = data;
    b->pub.len = len;
    atomic_init(&b->refs, 1);
    return &b->pub;
}

void
cache_body_retain(cache_body *body)
{
    atomic_fetch_add_explicit(&((shared_body *)body)->refs, 1,
                              memory_order_relaxed);
}

void
cache_body_release(void *body)
{
    shared_body *b = body;

    if (b &&
        atomic_fetch_sub_explicit(&b->refs, 1, memory_order_acq_rel) == 1) {
        free((char *)b->pub.data);
        free(b);
    }
}

cache *
cache_new(size_t max_entries, size_t max_bytes)
{
    cache *c;
    size_t i, n_buckets = 16;

    if (max_entries == 0 || !(c = calloc(1, sizeof(*c))))
        return NULL;
    c->max_entries = max_entries / CACHE_SHARDS + 1;
    c->max_bytes = max_bytes / CACHE_SHARDS + 1;
    while (n_buckets < c->max_entries)
        n_buckets *= 2;
    for (i = 0; i < CACHE_SHARDS; i++) {
        shard *s = &c->shards[i];
        pthread_mutex_init(&s->mu, NULL);
        s->n_buckets = n_buckets;
        if (!(s->buckets = calloc(n_buckets, sizeof(*s->buckets)))) {
            cache_free(c);
            return NULL;
        }
    }
    return c;
}

void
cache_free(cache *c)
{
    size_t i;
    entry *e, *next;

    if (!c)
        return;
    for (i = 0; i < CACHE_SHARDS; i++) {
        for (e = c->shards[i].newest; e; e = next) {
            next = e->older;
            cache_body_release(e->body);
            free(e);
        }
        free(c->shards[i].buckets);
        pthread_mutex_destroy(&c->shards[i].mu);
    }
    free(c);
}

static void
list_unlink(shard *s, entry *e)
{
    if (e->newer)
        e->newer->older = e->older;
    else
        s->newest = e->older;
    if (e->older)
        e->older->newer = e->newer;
    else
        s->oldest = e->newer;
    e->newer = e->older = NULL;
}

static void
list_push_newest(shard *s, entry *e)
{
    e->older = s->newest;
    e->newer = NULL;
    if (s->newest)
        s->newest->newer = e;
    s->newest = e;
    if (!s->oldest)
        s->oldest = e;
}

/* The bucket slot holding `key`, or the empty slot at the chain's end. */
static entry **
find(shard *s, uint64_t h, const char *key, size_t key_len)
{
    entry **p = &s->buckets[h & (s->n_buckets - 1)];

    while (*p && !((*p)->hash == h && (*p)->key_len == key_len &&
                   memcmp((*p)->key, key, key_len) == 0))
        p = &(*p)->next_in_bucket;
    return p;
}

static void
remove_entry(shard *s, entry *e)
{
    entry **p = find(s, e->hash, e->key, e->key_len);

    *p = e->next_in_bucket;
    list_unlink(s, e);
    s->n_entries--;
    s->n_bytes -= e->key_len + e->body->len;
    cache_body_release(e->body);
    free(e);
}

cache_body *
cache_get(cache *c, const char *key, size_t key_len, uint64_t revision)
{
    uint64_t h;
    shard *s;
    entry *e;
    cache_body *out = NULL;

    if (!c)
        return NULL;
    h = util_fnv1a64(key, key_len);
    s = &c->shards[h % CACHE_SHARDS];
    pthread_mutex_lock(&s->mu);
    e = *find(s, h, key, key_len);
    if (e && e->revision != revision) {
        remove_entry(s, e); /* computed from another revision */
        e = NULL;
    }
    if (e) {
        out = e->body;
        cache_body_retain(out);
        list_unlink(s, e);
        list_push_newest(s, e);
    }
    pthread_mutex_unlock(&s->mu);
    atomic_fetch_add_explicit(out ? &c->hits : &c->misses, 1,
                              memory_order_relaxed);
    return out;
}

void
cache_put(cache *c, const char *key, size_t key_len, uint64_t revision,
          cache_body *body)
{
    uint64_t h;
    shard *s;
    entry *e, **slot;
    size_t size = key_len + body->len;

    if (!c || size > c->max_bytes)
        return;
    h = util_fnv1a64(key, key_len);
    s = &c->shards[h % CACHE_SHARDS];
    if (!(e = malloc(sizeof(*e) + key_len)))
        return;
    e->hash = h;
    e->revision = revision;
    e->key_len = key_len;
    e->body = body;
    e->next_in_bucket = NULL;
    memcpy(e->key, key, key_len);
    cache_body_retain(body);
    pthread_mutex_lock(&s->mu);
    if (*(slot = find(s, h, key, key_len)))
        remove_entry(s, *slot);
    while (s->oldest &&
           (s->n_entries >= c->max_entries || s->n_bytes + size > c->max_bytes))
        remove_entry(s, s->oldest);
    *find(s, h, key, key_len) = e;
    list_push_newest(s, e);
    s->n_entries++;
    s->n_bytes += size;
    pthread_mutex_unlock(&s->mu);
}

void
cache_stats(const cache *c, uint64_t *hits, uint64_t *misses)
{
    *hits = c ? atomic_load(&((cache *)c)->hits) : 0;
    *misses = c ? atomic_load(&((cache *)c)->misses) : 0;
}
