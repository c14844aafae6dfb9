/*
 * docdata.h: a fast reader of a document's stored data (laid out in
 * lib/schema.h), for showing hits.
 *
 * A hit needs every section's text for its snippets, so the whole page is
 * read for each hit shown.  The page is in one of two forms:
 *  - the binary layout of lib/pagebin.h (the whole data of indexes of
 *    SCHEMA_TERMS_VERSION 4 and later): strings are stored raw and
 *    NUL-terminated, so the fields point into the data itself and nothing
 *    is copied;
 *  - a JSON object (the summary slot; the whole data of older indexes).
 *    A general JSON library builds a tree with an allocation per string
 *    and a hash table per object; this reader makes one pass and one
 *    allocation: strings are unescaped into a single buffer and the fields
 *    the query side uses point into it.  Unknown keys are skipped, so
 *    later schema versions that add fields still read.
 */
#ifndef RECAP_DOCDATA_H
#define RECAP_DOCDATA_H

#include <stddef.h>

#include "status.h"
#include "xap.h"

typedef struct docdata_section {
    const char *h, *a; /* heading and anchor; NULL when null or absent */
    const char *t, *c; /* prose and code; "" when absent */
    size_t t_len, c_len;
} docdata_section;

typedef struct docdata {
    /* NULL when null or absent; borrowed from the docdata. */
    const char *path, *url, *title, *date, *section, *lang, *description;
    docdata_section *secs;
    size_t n_secs;
    /* "translations": the other-language versions (at most
     * DOCDATA_MAX_TR are read). */
    const char *tr_lang[16], *tr_url[16];
    size_t n_tr;
    char *buf; /* owns the strings (the data itself for the binary form) */
} docdata;
#define DOCDATA_MAX_TR 16

/*
 * Reads the stored data `data` (`len` bytes, either form), copying it.
 * Returns 0 and fills *out (free with docdata_free), or -1 when the data is
 * not of either form or memory runs out (*out is then empty).  JSON
 * strings with a NUL escape (\u0000) are cut there.
 */
int docdata_parse(const char *data, size_t len, docdata *out);

/*
 * Like docdata_parse, but takes `data` (malloc()ed, or NULL), which is
 * freed by docdata_free or before a failure returns: the binary form is
 * read in place, without a copy.
 */
int docdata_parse_owned(char *data, size_t len, docdata *out);
void docdata_free(docdata *d);

/*
 * Reads a document's summary (SCHEMA_SLOT_SUMMARY: the stored data without
 * "sections", which are most of its bytes) into *out (malloc()ed, the
 * caller's) and *len; an index made before the slot existed has none,
 * and then the whole stored data is read.  Returns RECAP_OK or the
 * wrapper's status with *err set.
 */
recap_status docdata_get_summary(const xap_doc *doc, char **out, size_t *len,
                                 xap_error *err);

/*
 * Reads a document's whole stored data (SCHEMA_SLOT_DATA, unpacked; the
 * Xapian document data in indexes made before the slot existed) into *out
 * (malloc()ed, the caller's) and *len.  Returns RECAP_OK or the wrapper's
 * status with *err set; a damaged packed value gives RECAP_OK with *out
 * NULL, which docdata_parse rejects.
 */
recap_status docdata_get_full(const xap_doc *doc, char **out, size_t *len,
                              xap_error *err);

#endif
