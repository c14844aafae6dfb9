/*
 * doccache.h: the stored pages of recent hits, kept parsed per index
 * handle.
 *
 * Showing a hit with snippets reads its whole stored page: Xapian's value
 * read (a few block reads), the LZ4 unpacking and the parse.  A reader
 * that answers search after search (a server, a site generator listing
 * related posts) meets the same popular pages again and again, so it keeps
 * the parsed pages of recent hits, up to a budget of bytes, and forgets
 * those not used for the longest (CLOCK).  The owner clears the cache
 * whenever the index it reads may have changed (a reopen).
 */
#ifndef RECAP_DOCCACHE_H
#define RECAP_DOCCACHE_H

#include <stddef.h>
#include <stdint.h>

#include "docdata.h"

typedef struct doccache doccache;

/* A cache of at most `max_bytes` (counted as the unpacked pages' sizes);
 * NULL when memory runs out. */
doccache *doccache_new(size_t max_bytes);
void doccache_free(doccache *c);
/* Forgets every page. */
void doccache_clear(doccache *c);

/* The page of document `did`, or NULL; borrowed until the next
 * doccache_put or doccache_clear. */
const docdata *doccache_get(doccache *c, uint32_t did);

/* Keeps *d (`bytes` large) as the page of `did`, taking it over (*d is
 * emptied), and returns the kept copy; when it is larger than the whole
 * budget or memory runs out it is not kept: NULL, *d left as it was. */
const docdata *doccache_put(doccache *c, uint32_t did, docdata *d,
                            size_t bytes);

/* Pages and bytes held (for tests and statistics). */
size_t doccache_count(const doccache *c);
size_t doccache_bytes(const doccache *c);

#endif
