/*
 * doc.c: the ingest_doc container: front-matter fields and body sections.
 */
#include <stdlib.h>
#include <string.h>

#include "ingest.h"
#include "util.h"

static void
field_free(ingest_field *f)
{
    size_t i;

    for (i = 0; i < f->n_values; i++)
        free(f->values[i]);
    free(f->values);
    free(f->key);
}

void
ingest_doc_free(ingest_doc *doc)
{
    size_t i;

    if (!doc)
        return;
    for (i = 0; i < doc->n_fields; i++)
        field_free(&doc->fields[i]);
    free(doc->fields);
    for (i = 0; i < doc->n_sections; i++) {
        free(doc->sections[i].heading);
        free(doc->sections[i].anchor);
        free(doc->sections[i].text);
        free(doc->sections[i].code);
        free(doc->sections[i].labels);
    }
    free(doc->sections);
    for (i = 0; i < doc->n_links; i++)
        free(doc->links[i]);
    free(doc->links);
    for (i = 0; i < doc->n_translations; i++) {
        free(doc->translations[i].lang);
        free(doc->translations[i].path);
        free(doc->translations[i].url);
    }
    free(doc->translations);
    for (i = 0; i < doc->n_unknown; i++)
        free(doc->unknown[i]);
    free(doc->unknown);
    free(doc->unknown_count);
    free(doc->path);
    free(doc->lang);
    free(doc->section);
    free(doc->url);
    free(doc->date);
    free(doc);
}

const ingest_field *
ingest_doc_field(const ingest_doc *doc, const char *key)
{
    size_t i;

    for (i = 0; i < doc->n_fields; i++)
        if (strcmp(doc->fields[i].key, key) == 0)
            return &doc->fields[i];
    return NULL;
}

const char *
ingest_doc_get(const ingest_doc *doc, const char *key)
{
    const ingest_field *f = ingest_doc_field(doc, key);

    return f && f->n_values ? f->values[0] : NULL;
}

ingest_field *
ingest_doc_field_make(ingest_doc *doc, const char *key)
{
    ingest_field *f = (ingest_field *)ingest_doc_field(doc, key);
    ingest_field *fields;

    if (f)
        return f;
    fields = realloc(doc->fields, (doc->n_fields + 1) * sizeof(*fields));
    if (!fields)
        return NULL;
    doc->fields = fields;
    f = &fields[doc->n_fields];
    memset(f, 0, sizeof(*f));
    if (!(f->key = util_strdup(key)))
        return NULL;
    doc->n_fields++;
    return f;
}

int
ingest_doc_add_value(ingest_doc *doc, const char *key, const char *value,
                     size_t len, int is_list)
{
    ingest_field *f = ingest_doc_field_make(doc, key);
    char **values;
    char *v;

    if (!f)
        return -1;
    v = util_strndup(value, len);
    values = v ? realloc(f->values, (f->n_values + 1) * sizeof(*values)) : NULL;
    if (!values) {
        free(v);
        return -1;
    }
    f->values = values;
    f->values[f->n_values++] = v;
    f->is_list |= is_list;
    return 0;
}

/* Appends s[0..len) to the string list *v (n entries) unless present;
 * counts[] (may be NULL) counts the uses.  0 or -1. */
static int
add_once(char ***v, size_t **counts, size_t *n, const char *s, size_t len)
{
    char **nv;
    size_t *nc, i;
    char *copy;

    for (i = 0; i < *n; i++)
        if (strlen((*v)[i]) == len && memcmp((*v)[i], s, len) == 0) {
            if (counts)
                (*counts)[i]++;
            return 0;
        }
    if (!(copy = util_strndup(s, len)))
        return -1;
    if (!(nv = realloc(*v, (*n + 1) * sizeof(*nv)))) {
        free(copy);
        return -1;
    }
    *v = nv;
    if (counts) {
        if (!(nc = realloc(*counts, (*n + 1) * sizeof(*nc)))) {
            free(copy);
            return -1;
        }
        *counts = nc;
        nc[*n] = 1;
    }
    nv[(*n)++] = copy;
    return 0;
}

/* Pages rarely have more; a generated one with thousands of links keeps
 * the first ones (and adding stays linear). */
#define MAX_LIST 1000

int
ingest_doc_add_link(ingest_doc *doc, const char *s, size_t len)
{
    if (doc->n_links >= MAX_LIST)
        return 0;
    return add_once(&doc->links, NULL, &doc->n_links, s, len);
}

int
ingest_doc_add_unknown(ingest_doc *doc, const char *name, size_t len)
{
    if (doc->n_unknown >= MAX_LIST)
        return 0;
    return add_once(&doc->unknown, &doc->unknown_count, &doc->n_unknown, name,
                    len);
}
