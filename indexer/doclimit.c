/*
 * doclimit.c: the limits of lib/limit.h that apply to one page, checked
 * between reading it (ingest) and indexing it (docterms).
 */
#include <stdio.h>
#include <string.h>

#include "doclimit.h"
#include "limit.h"
#include "util.h"

int
doclimit_path_ok(const char *relpath, char **errmsg)
{
    size_t len = strlen(relpath);

    if (len <= LIMIT_PATH_BYTES)
        return 1;
    *errmsg = util_asprintf("path is %zu bytes, over the %u-byte limit for a "
                            "page; not indexed (shorten its folder or file "
                            "names)",
                            len, LIMIT_PATH_BYTES);
    return 0;
}

/* The length of the longest prefix of s[0, len) that ends on a UTF-8
 * character boundary. */
static size_t
char_boundary(const char *s, size_t len)
{
    while (len > 0 && ((unsigned char)s[len] & 0xC0) == 0x80)
        len--;
    return len;
}

/* Cuts the values of `f` to LIMIT_FIELD_BYTES in total; returns the
 * original total when it did, else 0. */
static size_t
cut_field(ingest_field *f)
{
    size_t total = 0, i, keep = 0, len;

    for (i = 0; i < f->n_values; i++)
        total += strlen(f->values[i]);
    if (total <= LIMIT_FIELD_BYTES)
        return 0;
    for (i = 0; i < f->n_values; i++) {
        len = strlen(f->values[i]);
        if (keep + len > LIMIT_FIELD_BYTES) {
            f->values[i][char_boundary(f->values[i],
                                       LIMIT_FIELD_BYTES - keep)] = '\0';
            keep = LIMIT_FIELD_BYTES;
        } else {
            keep += len;
        }
    }
    return total;
}

void
doclimit_fields(ingest_doc *doc, ingest_warn_fn warn, void *ctx)
{
    char msg[256];
    size_t i, total;

    for (i = 0; i < doc->n_fields; i++) {
        if (!(total = cut_field(&doc->fields[i])) || !warn)
            continue;
        snprintf(msg, sizeof(msg),
                 "front matter '%.40s' is %zu bytes, over the %u-byte limit "
                 "for a field: kept the first %u bytes",
                 doc->fields[i].key, total, LIMIT_FIELD_BYTES,
                 LIMIT_FIELD_BYTES);
        warn(ctx, doc->path, 0, msg);
    }
}
