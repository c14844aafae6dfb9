/*
 * fm_internal.h: helpers shared by the front-matter parsers: frontmatter.c
 * (splitting, YAML, JSON, dates) and fm_toml.c (the TOML subset).  Not part
 * of ingest.h because nothing outside the front-matter module needs them.
 */
#ifndef RECAP_FM_INTERNAL_H
#define RECAP_FM_INTERNAL_H

#include <stddef.h>

#include "ingest.h"

/* Nesting deeper than this (mappings in sequences in ...) is refused, so a
 * hostile front matter cannot exhaust the stack. */
#define FM_MAX_DEPTH 64

/* "prefix.name" with `name` lower-cased (ASCII), or just the lower-cased
 * name when prefix is NULL.  Caller frees; NULL when out of memory. */
char *fm_key(const char *prefix, const char *name, size_t name_len);

/* Makes sure field `key` exists and marks it a list, so that an empty
 * sequence still shows up as a field with no values.  0 or -1 (ENOMEM). */
int fm_mark_list(ingest_doc *doc, const char *key);

/* Sets *errmsg (if errmsg is not NULL) to "line N: <message>" and returns
 * RECAP_EPARSE, or RECAP_ENOMEM if the message cannot be allocated. */
recap_status fm_error(char **errmsg, unsigned line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Parses the TOML subset Hugo front matter uses (see fm_toml.c). */
recap_status fm_parse_toml(const char *text, size_t len, unsigned first_line,
                           ingest_doc *doc, char **errmsg);

#endif
