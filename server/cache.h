/*
 * cache.h: a bounded cache of answers for popular requests.
 *
 * A site's search box sees the same queries again and again (every visitor
 * typing "install" passes through "i", "in", "ins"...), and one search with
 * ten snippets costs milliseconds, so /search and /suggest answers are kept
 * here, keyed by the request and tagged with the index revision they were
 * computed from: an answer from an older revision is never served.  The
 * cache is split in shards, each with its own lock and LRU list, so the
 * worker threads rarely wait for each other.
 */
#ifndef RECAP_SERVER_CACHE_H
#define RECAP_SERVER_CACHE_H

#include <stddef.h>
#include <stdint.h>

typedef struct cache cache;

/* A cache of at most `max_entries` answers and `max_bytes` of bodies;
 * NULL (no caching) when max_entries is 0 or out of memory. */
cache *cache_new(size_t max_entries, size_t max_bytes);
void cache_free(cache *c);

/* A malloc()ed copy of the body stored for `key` at `revision`, with its
 * length in *len; NULL on a miss.  Accepts c == NULL (always a miss). */
char *cache_get(cache *c, const char *key, size_t key_len, uint64_t revision,
                size_t *len);
/* Stores a copy of `body` for `key` at `revision`, evicting the least
 * recently used answers as needed.  Accepts c == NULL. */
void cache_put(cache *c, const char *key, size_t key_len, uint64_t revision,
               const char *body, size_t len);

/* Hits and misses so far. */
void cache_stats(const cache *c, uint64_t *hits, uint64_t *misses);

#endif
