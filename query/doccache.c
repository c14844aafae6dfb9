/*
 * doccache.c: the parsed stored pages of recent hits (see doccache.h).
 *
 * Entries live in one array; a hash table with linear probing maps a
 * docid to its entry.  Eviction is CLOCK: a hand sweeps the entries,
 * sparing (once) those used since it last passed and dropping the first
 * that was not.
 */
#include "doccache.h"

#include <stdlib.h>
#include <string.h>

typedef struct entry {
    uint32_t did; /* 0: free */
    int used;     /* read since the hand last passed */
    size_t bytes;
    docdata d;
} entry;

struct doccache {
    size_t max_bytes, bytes;
    entry *e;
    size_t n, cap; /* entries in use, array size */
    size_t hand;
    size_t free_hint; /* where a free entry probably is */
    uint32_t *table;  /* entry index + 1; 0: empty */
    size_t mask;      /* table size - 1 (a power of two, >= 2 cap) */
};

static size_t
hash(uint32_t did)
{
    return (size_t)(did * 2654435761u);
}

doccache *
doccache_new(size_t max_bytes)
{
    doccache *c = calloc(1, sizeof(*c));

    if (c)
        c->max_bytes = max_bytes;
    return c;
}

void
doccache_clear(doccache *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->cap; i++)
        if (c->e[i].did)
            docdata_free(&c->e[i].d);
    free(c->e);
    free(c->table);
    c->e = NULL;
    c->table = NULL;
    c->n = c->cap = c->hand = c->bytes = c->free_hint = 0;
    c->mask = 0;
}

void
doccache_free(doccache *c)
{
    doccache_clear(c);
    free(c);
}

/* The table slot of `did`: its entry's, or the empty one where it would
 * go. */
static size_t
find_slot(const doccache *c, uint32_t did)
{
    size_t i = hash(did) & c->mask;

    while (c->table[i] && c->e[c->table[i] - 1].did != did)
        i = (i + 1) & c->mask;
    return i;
}

const docdata *
doccache_get(doccache *c, uint32_t did)
{
    size_t i;

    if (!c || !c->table || !did)
        return NULL;
    i = find_slot(c, did);
    if (!c->table[i])
        return NULL;
    c->e[c->table[i] - 1].used = 1;
    return &c->e[c->table[i] - 1].d;
}

/* Removes table slot i, moving later members of its run back so that
 * every docid stays reachable from its home slot. */
static void
table_remove(doccache *c, size_t i)
{
    size_t j = i;

    c->table[i] = 0;
    for (;;) {
        size_t home;
        j = (j + 1) & c->mask;
        if (!c->table[j])
            return;
        home = hash(c->e[c->table[j] - 1].did) & c->mask;
        /* Move j to i when its home is not in the cyclic range (i, j]. */
        if (i <= j ? (home <= i || home > j) : (home <= i && home > j)) {
            c->table[i] = c->table[j];
            c->table[j] = 0;
            i = j;
        }
    }
}

/* Drops entry k. */
static void
evict(doccache *c, size_t k)
{
    entry *e = &c->e[k];

    table_remove(c, find_slot(c, e->did));
    docdata_free(&e->d);
    c->bytes -= e->bytes;
    memset(e, 0, sizeof(*e));
    c->n--;
    c->free_hint = k;
}

/* Grows the entry array and the table (rehashing) to hold one more. */
static int
grow(doccache *c)
{
    size_t cap = c->cap ? c->cap * 2 : 64, size = 4 * cap;
    entry *e = realloc(c->e, cap * sizeof(*e));
    uint32_t *t;

    if (!e)
        return -1;
    c->e = e;
    memset(e + c->cap, 0, (cap - c->cap) * sizeof(*e));
    if (cap > UINT32_MAX - 1 || !(t = calloc(size, sizeof(*t))))
        return -1;
    free(c->table);
    c->table = t;
    c->mask = size - 1;
    c->free_hint = c->cap;
    c->cap = cap;
    for (size_t k = 0; k < c->cap; k++)
        if (c->e[k].did)
            c->table[find_slot(c, c->e[k].did)] = (uint32_t)k + 1;
    return 0;
}

const docdata *
doccache_put(doccache *c, uint32_t did, docdata *d, size_t bytes)
{
    size_t k;

    if (!c || !did || bytes > c->max_bytes || doccache_get(c, did))
        return NULL;
    /* Make room: the hand passes over recently used pages once. */
    while (c->n && c->bytes + bytes > c->max_bytes) {
        entry *e = &c->e[c->hand];
        if (e->did && e->used)
            e->used = 0;
        else if (e->did)
            evict(c, c->hand);
        c->hand = (c->hand + 1) % c->cap;
    }
    if (c->n == c->cap && grow(c))
        return NULL;
    for (k = c->free_hint; c->e[k].did; k = (k + 1) % c->cap)
        ;
    c->e[k].did = did;
    c->e[k].used = 0;
    c->e[k].bytes = bytes;
    c->e[k].d = *d;
    memset(d, 0, sizeof(*d));
    c->table[find_slot(c, did)] = (uint32_t)k + 1;
    c->bytes += bytes;
    c->n++;
    return &c->e[k].d;
}

size_t
doccache_count(const doccache *c)
{
    return c ? c->n : 0;
}

size_t
doccache_bytes(const doccache *c)
{
    return c ? c->bytes : 0;
}
