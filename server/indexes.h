/*
 * indexes.h: the server's index handles, one per worker, kept at the
 * latest committed revision.
 *
 * A recap_index handle is single-threaded, so each request borrows a whole
 * handle for its duration (indexes_acquire .. indexes_release) and sees one
 * revision from start to end: never a mix of two.  At most every
 * INDEXES_CHECK_MS milliseconds one request looks at the index's version
 * file; when it changed (recapsearch-index committed), or after
 * indexes_reload() (SIGHUP), each handle is reopened before its next
 * request, so a rebuilt index is served within a fraction of a second.
 */
#ifndef RECAP_SERVER_INDEXES_H
#define RECAP_SERVER_INDEXES_H

#include <stdint.h>

#include "recapsearch.h"

#define INDEXES_CHECK_MS 200

typedef struct indexes indexes;

/* A borrowed handle and what it reads. */
typedef struct index_lease {
    recap_index *idx;
    uint64_t revision;
    uint64_t doc_count;
    unsigned slot; /* internal */
} index_lease;

/* Opens `n` read-only handles on `path`, each with the given per-search
 * time limit (seconds, 0: none) and page cache (bytes, 0: none; see
 * recap_index_set_page_cache).  Returns 0 and *out, or -1 with a
 * malloc()ed message in *errmsg. */
int indexes_open(const char *path, unsigned n, double time_limit,
                 size_t page_cache, indexes **out, char **errmsg);
void indexes_close(indexes *ix);

/* Borrows a handle at the latest revision (waits if all are in use). */
void indexes_acquire(indexes *ix, index_lease *out);
void indexes_release(indexes *ix, index_lease *lease);
/* Reopens the lease's handle now (after RECAP_EMODIFIED). */
void indexes_refresh(indexes *ix, index_lease *lease);
/* Asks every handle to reopen before its next request (async-signal-safe). */
void indexes_reload(indexes *ix);

/* The newest revision seen, and how many times a new one was found. */
uint64_t indexes_revision(const indexes *ix);
uint64_t indexes_reloads(const indexes *ix);

#endif
