/*
 * doclimit.h: the per-page limits of lib/limit.h (path length, front-matter
 * field length), applied by recap_index_add_file.
 */
#ifndef RECAP_DOCLIMIT_H
#define RECAP_DOCLIMIT_H

#include "ingest.h"

/* 1 when `relpath` is short enough to name a document; else 0 and
 * *errmsg, a malloc()ed message for people (NULL when out of memory). */
int doclimit_path_ok(const char *relpath, char **errmsg);

/* Cuts every front-matter field of `doc` longer than LIMIT_FIELD_BYTES (all
 * its values together) at a character boundary, and reports each cut to
 * `warn` (may be NULL). */
void doclimit_fields(ingest_doc *doc, ingest_warn_fn warn, void *ctx);

#endif
