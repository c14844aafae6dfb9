/*
 * incremental_int.h: what incremental.c shares with sync.c and watch.c.
 */
#ifndef RECAP_INCREMENTAL_INT_H
#define RECAP_INCREMENTAL_INT_H

#include <jansson.h>
#include <stdint.h>

#include "index_int.h"

typedef struct incr_state {
    json_t *files;   /* path -> [size, mtime_ns, "hash", [included]] */
    json_t *pending; /* the stamp made by incr_pre, or NULL */
} incr_state;

/* Size and mtime (nanoseconds) of root/relpath; 0, or -1 when it cannot
 * be stat()ed. */
int incr_stat(const char *root, const char *relpath, int64_t *size,
              int64_t *mtime_ns);
/* The content hash of root/relpath as 16 hex digits; 0 or -1. */
int incr_hash_file(const char *root, const char *relpath, char out[17]);
void incr_hash_hex(const char *data, size_t len, char out[17]);
/* The same, and the files the page may include (boilerplates) appended to
 * `deps` when it is not NULL: paths relative to the content root. */
int incr_read_file(const char *root, const char *relpath, char out[17],
                   const char *default_lang, json_t *deps, int *oom);
/* The files `{{< boilerplate NAME >}}` shortcodes of `src` may include. */
void incr_scan_includes(const char *src, size_t len, const char *relpath,
                        const char *default_lang, json_t *deps);
/* The stamps stored for revision `rev` (`len` bytes: stamp lines, or the
 * JSON of earlier versions): path -> [size, mtime_ns, "hash", [included]];
 * NULL when they are malformed, of another revision or terms version, or
 * memory runs out. */
json_t *incr_parse_stamps(const char *data, size_t len, uint64_t rev);
/* A new stamp [size, mtime_ns, hash, []]; NULL when out of memory. */
json_t *incr_make_stamp(int64_t size, int64_t mtime_ns, const char *hash);

#endif
