/*
 * cache.h: a bounded cache of answers for popular requests.
 *
 * A site's search box sees the same queries again and again (every visitor
 * typing "install" passes through "i", "in", "ins"...), and one search with
 * ten snippets costs milliseconds, so /search and /suggest answers are kept
 * here, keyed by the request and tagged with the index revision they were
 * computed from: an answer from an older revision is never served.  The
 * cache is split in shards, each with its own lock and LRU list, so the
 * worker threads rarely wait for each other.  A hit is not copied: the
 * body is reference-counted and sent as it is.
 */
#ifndef RECAP_SERVER_CACHE_H
#define RECAP_SERVER_CACHE_H

#include <stddef.h>
#include <stdint.h>

typedef struct cache cache;

/* An answer body: immutable bytes shared by the cache and the responses
 * that send it, freed when the last of them releases it. */
typedef struct cache_body {
    const char *data; /* NUL-terminated */
    size_t len;       /* bytes, without the NUL */
} cache_body;

/* A cache of at most `max_entries` answers and `max_bytes` of bodies;
 * NULL (no caching) when max_entries is 0 or out of memory. */
cache *cache_new(size_t max_entries, size_t max_bytes);
void cache_free(cache *c);

/* Wraps a malloc()ed, NUL-terminated body (taken) in a shared body with
 * one reference; NULL when out of memory (then `data` is freed). */
cache_body *cache_body_new(char *data, size_t len);
/* Takes one more reference. */
void cache_body_retain(cache_body *b);
/* Drops one reference (a void * so it can be a release callback). */
void cache_body_release(void *b);

/* The body stored for `key` at `revision`, with a reference for the
 * caller; NULL on a miss.  Accepts c == NULL (always a miss). */
cache_body *cache_get(cache *c, const char *key, size_t key_len,
                      uint64_t revision);
/* Stores `body` (taking a reference of its own) for `key` at `revision`,
 * evicting the least recently used answers as needed.  Accepts
 * c == NULL. */
void cache_put(cache *c, const char *key, size_t key_len, uint64_t revision,
               cache_body *body);

/* Hits and misses so far. */
void cache_stats(const cache *c, uint64_t *hits, uint64_t *misses);

#endif
