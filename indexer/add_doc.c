/*
 * add_doc.c: recap_index_add_doc, documents handed over in memory by a
 * generator that has parsed its content already (Jekyll, Eleventy, Zola, a
 * JSON-lines dump).  The fields become an ingest_doc, as if they had been a
 * file's front matter, so URL, language, section and date follow the same
 * rules as files, and the document is stored by the same schema.
 */
#include <stdlib.h>
#include <string.h>

#include "docterms.h"
#include "incremental.h"
#include "index_int.h"
#include "ingest.h"
#include "util.h"

/* Adds a scalar field; 0 or -1 when out of memory. */
static int
put(ingest_doc *doc, const char *key, const char *value)
{
    return value ? ingest_doc_add_value(doc, key, value, strlen(value), 0) : 0;
}

static int
put_list(ingest_doc *doc, const char *key, const char *const *values)
{
    size_t i;

    for (i = 0; values && values[i]; i++)
        if (ingest_doc_add_value(doc, key, values[i], strlen(values[i]), 1))
            return -1;
    return 0;
}

static int
put_fields(ingest_doc *doc, const recap_doc_fields *f)
{
    return put(doc, "title", f->title) ||
           put(doc, "description", f->description) || put(doc, "url", f->url) ||
           put(doc, "date", f->date) || put_list(doc, "tags", f->tags) ||
           put_list(doc, "categories", f->categories) ||
           put_list(doc, "keywords", f->keywords) ||
           put_list(doc, "authors", f->authors) ||
           put_list(doc, "aliases", f->aliases);
}

/* Replaces *slot with a copy of `value` when one is given. */
static int
override(char **slot, const char *value)
{
    char *copy;

    if (!value)
        return 0;
    if (!(copy = util_strdup(value)))
        return -1;
    free(*slot);
    *slot = copy;
    return 0;
}

/* A plain-text body: one lead section. */
static recap_status
text_body(ingest_doc *doc, const char *body)
{
    ingest_section *s = calloc(1, sizeof(*s));

    if (!s)
        return RECAP_ENOMEM;
    doc->sections = s;
    doc->n_sections = 1;
    s->text_len = strlen(body);
    s->text = util_strdup(body);
    s->code = util_strdup("");
    if (!s->text || !s->code)
        return RECAP_ENOMEM;
    /* Tabs in the stored text part table cells (markdown.c): here, where
     * there are no tables, a tab is a space. */
    for (size_t i = 0; i < s->text_len; i++)
        if (s->text[i] == '\t')
            s->text[i] = ' ';
    return RECAP_OK;
}

/* The fields as an ingest_doc. */
static recap_status
make_doc(recap_index *idx, const recap_doc_fields *f, ingest_doc **out)
{
    ingest_doc *doc = calloc(1, sizeof(*doc));
    char *msg = NULL;
    recap_status rc = RECAP_ENOMEM;

    *out = NULL;
    if (!doc || !(doc->path = util_strdup(f->path)) || put_fields(doc, f) ||
        hugo_resolve(doc, idx->default_lang) != 0 ||
        override(&doc->lang, f->lang) || override(&doc->section, f->section))
        goto done;
    rc = RECAP_OK;
    if (f->date && !doc->date)
        rc = index_fail(idx, RECAP_EINVAL,
                        "%s: date: expected ISO 8601 (2025-04-25), got '%s'",
                        f->path, f->date);
    else if (f->body && f->format == RECAP_BODY_TEXT)
        rc = text_body(doc, f->body);
    else if (f->body)
        rc = md_extract(f->body, strlen(f->body), 1, doc, index_on_warn, idx,
                        &msg);
    if (rc == RECAP_EPARSE)
        index_fail(idx, rc, "%s: %s", f->path, msg ? msg : "cannot parse");
done:
    free(msg);
    if (rc == RECAP_ENOMEM)
        index_fail(idx, rc, "out of memory");
    if (rc == RECAP_OK)
        *out = doc;
    else
        ingest_doc_free(doc);
    return rc;
}

/* As writer.c does for files: a full batch keeps what it added. */
static recap_status
remember(recap_index *idx, const char *path)
{
    char **p;

    if (!idx->full)
        return RECAP_OK;
    if (idx->n_seen == idx->cap_seen) {
        size_t cap = idx->cap_seen ? idx->cap_seen * 2 : 1024;
        if (!(p = realloc(idx->seen, cap * sizeof(*p))))
            return index_fail(idx, RECAP_ENOMEM, "out of memory");
        idx->seen = p;
        idx->cap_seen = cap;
    }
    if (!(idx->seen[idx->n_seen] = util_strdup(path)))
        return index_fail(idx, RECAP_ENOMEM, "out of memory");
    idx->n_seen++;
    return RECAP_OK;
}

static recap_status
check(recap_index *idx, const recap_doc_fields *f)
{
    if (!idx)
        return RECAP_EINVAL;
    if (idx->mode == RECAP_OPEN_READ)
        return index_fail(idx, RECAP_EINVAL, "the index is open read-only");
    if (!idx->in_batch)
        return index_fail(idx, RECAP_EINVAL,
                          "no batch is open: call recap_index_begin first");
    if (!f || f->version != RECAP_DOC_FIELDS_VERSION)
        return index_fail(idx, RECAP_EINVAL, "invalid document fields");
    if (!f->path || !*f->path)
        return index_fail(idx, RECAP_EINVAL, "a document needs a path");
    if ((unsigned)f->format > RECAP_BODY_TEXT)
        return index_fail(idx, RECAP_EINVAL, "%s: unknown body format",
                          f->path);
    return RECAP_OK;
}

recap_status
recap_index_add_doc(recap_index *idx, const recap_doc_fields *fields)
{
    ingest_doc *doc = NULL;
    xap_doc *xdoc = NULL;
    char *qterm = NULL;
    size_t qlen;
    uint64_t n_terms = 0;
    /* docterms_build may fail for want of memory without a message. */
    xap_error err = {RECAP_ENOMEM, "out of memory"};
    recap_status rc = check(idx, fields);

    if (rc)
        return rc;
    if ((rc = make_doc(idx, fields, &doc))) {
        idx->stats.n_failed++;
        return rc;
    }
    if (docterms_build(doc, index_stemmer(idx, doc->lang), &xdoc, &n_terms,
                       &err) ||
        !(qterm = docterms_path_term(fields->path, &qlen)) ||
        xap_db_replace(idx->db, qterm, qlen, xdoc, NULL, &err))
        rc = xdoc && !qterm ? index_fail(idx, RECAP_ENOMEM, "out of memory")
                            : index_fail_xap(idx, &err, fields->path);
    if (rc == RECAP_OK)
        rc = remember(idx, fields->path);
    incr_forget(idx, fields->path); /* no file to stamp */
    if (rc == RECAP_OK) {
        idx->stats.n_added++;
        idx->stats.n_terms += n_terms;
        idx->stats.n_bytes += fields->body ? strlen(fields->body) : 0;
    } else {
        idx->stats.n_failed++;
    }
    free(qterm);
    xap_doc_free(xdoc);
    ingest_doc_free(doc);
    return rc;
}
