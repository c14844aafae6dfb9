/*
 * docterms.c: ingest_doc -> xap_doc.
 *
 * Every token is analysed once and written to each of its targets: the
 * unprefixed field (with the field's weight) and the field's own prefix.
 * Positions run over the whole document, with a gap between fields and
 * blocks so that phrases never match across them.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "docpack.h"
#include "docterms.h"
#include "limit.h"
#include "pagebin.h"
#include "schema.h"
#include "util.h"

/* Where the tokens of a field go.  Positions and stems cost index time and
 * space, so code, which is searched by word only, has neither. */
typedef struct target {
    const char *prefix; /* "" for the unprefixed field */
    uint32_t wdf;
    int plain; /* non-zero: no positions and no stem terms */
} target;

typedef struct termgen {
    xap_doc *doc;
    analysis_stemmer *stemmer;
    const target *targets;
    size_t n_targets;
    strbuf term;  /* scratch for prefix + term */
    uint32_t pos; /* next free position */
    uint64_t n_terms;
    uint32_t n_own;  /* tokens of the page's own text (SCHEMA_SLOT_PRIOR) */
    int count_own;   /* whether the current text counts in n_own */
    recap_status rc; /* sticky: once set, nothing more is added */
    xap_error *err;
} termgen;

static void
put(termgen *tg, const char *p1, const char *p2, const char *t, size_t len,
    const analysis_token *posting, uint32_t wdf)
{
    strbuf_reset(&tg->term);
    strbuf_puts(&tg->term, p1);
    strbuf_puts(&tg->term, p2);
    strbuf_append(&tg->term, t, len);
    if (tg->term.oom) {
        tg->rc = RECAP_ENOMEM;
        return;
    }
    if (posting)
        tg->rc = xap_doc_add_posting(tg->doc, tg->term.data, tg->term.len,
                                     posting->pos + 1, wdf, tg->err);
    else
        tg->rc = xap_doc_add_term(tg->doc, tg->term.data, tg->term.len, wdf,
                                  tg->err);
    tg->n_terms++;
}

static int
on_token(void *ctx, const analysis_token *tok)
{
    termgen *tg = ctx;
    const char *stem = NULL;
    size_t stem_len = 0, i;

    if (tg->count_own)
        tg->n_own++;
    if (tg->stemmer && analysis_is_stemmable(tok))
        stem = analysis_stem(tg->stemmer, tok->term, tok->term_len, &stem_len);
    for (i = 0; i < tg->n_targets && tg->rc == RECAP_OK; i++) {
        const target *t = &tg->targets[i];
        /* Phrases use CJK single characters, so bigrams need no
         * positions. */
        int positions = !t->plain && tok->kind != ANALYSIS_CJK_BI;
        put(tg, "", t->prefix, tok->term, tok->term_len, positions ? tok : NULL,
            t->wdf);
        if (stem && !t->plain && tg->rc == RECAP_OK)
            put(tg, SCHEMA_PREFIX_STEM, t->prefix, stem, stem_len, NULL,
                t->wdf);
    }
    return tg->rc != RECAP_OK;
}

/* Analyses `text` into the given targets, then leaves a position gap. */
static void
index_text(termgen *tg, const char *text, size_t len, const target *targets,
           size_t n_targets)
{
    uint32_t next = tg->pos;

    if (tg->rc != RECAP_OK || !text || !len)
        return;
    tg->targets = targets;
    tg->n_targets = n_targets;
    if (analysis_tokenize(text, len, tg->pos, on_token, tg, &next) < 0 &&
        tg->rc == RECAP_OK)
        tg->rc = RECAP_ENOMEM;
    tg->pos = next + SCHEMA_POS_GAP;
}

static void
index_field(termgen *tg, const ingest_doc *doc, const char *key,
            const target *targets, size_t n_targets)
{
    const ingest_field *f = ingest_doc_field(doc, key);
    size_t i;

    for (i = 0; f && i < f->n_values; i++)
        index_text(tg, f->values[i], strlen(f->values[i]), targets, n_targets);
}

/* A filter term: prefix + normalised whole value. */
static void
add_boolean(termgen *tg, const char *prefix, const char *value)
{
    char *norm = NULL;
    size_t norm_len = 0;

    if (tg->rc != RECAP_OK || !value || !*value)
        return;
    if (analysis_normalize(value, strlen(value), &norm, &norm_len) < 0) {
        tg->rc = RECAP_ENOMEM;
        return;
    }
    strbuf_reset(&tg->term);
    strbuf_puts(&tg->term, prefix);
    strbuf_append(&tg->term, norm, norm_len);
    free(norm);
    if (tg->term.oom) {
        tg->rc = RECAP_ENOMEM;
        return;
    }
    /* Xapian terms are at most 245 bytes; longer filter values are cut. */
    tg->rc = xap_doc_add_boolean_term(tg->doc, tg->term.data,
                                      tg->term.len > LIMIT_FILTER_TERM_BYTES
                                          ? LIMIT_FILTER_TERM_BYTES
                                          : tg->term.len,
                                      tg->err);
}

static void
add_boolean_field(termgen *tg, const ingest_doc *doc, const char *key,
                  const char *prefix)
{
    const ingest_field *f = ingest_doc_field(doc, key);
    size_t i;

    for (i = 0; f && i < f->n_values; i++)
        add_boolean(tg, prefix, f->values[i]);
}

static const char *const keyword_keys[] = {"keywords", "tags", "categories",
                                           "cves"};
static const char *const author_keys[] = {"attribution", "author", "authors"};

static void
index_fields(termgen *tg, const ingest_doc *doc)
{
    const target title[] = {{"", SCHEMA_WDF_TITLE, 0},
                            {SCHEMA_PREFIX_TITLE, 1, 0}};
    const target subtitle[] = {{"", SCHEMA_WDF_SUBTITLE, 0},
                               {SCHEMA_PREFIX_TITLE, 1, 0}};
    const target desc[] = {{"", SCHEMA_WDF_DESCRIPTION, 0},
                           {SCHEMA_PREFIX_DESCRIPTION, 1, 0}};
    const target kw[] = {{"", SCHEMA_WDF_KEYWORD, 0},
                         {SCHEMA_PREFIX_KEYWORD, 1, 0}};
    const target author[] = {{"", SCHEMA_WDF_AUTHOR, 0},
                             {SCHEMA_PREFIX_AUTHOR, 1, 0}};
    const target heading[] = {{"", SCHEMA_WDF_HEADING, 0},
                              {SCHEMA_PREFIX_HEADING, 1, 0}};
    const target body[] = {{"", SCHEMA_WDF_BODY, 0}};
    const target code[] = {{SCHEMA_PREFIX_CODE, 1, 1}};
    const target label[] = {{"", SCHEMA_WDF_BODY, 0},
                            {SCHEMA_PREFIX_HEADING, 1, 0}};
    size_t i;

    index_field(tg, doc, "title", title, 2);
    index_field(tg, doc, "subtitle", subtitle, 2);
    index_field(tg, doc, "linktitle", subtitle, 2);
    index_field(tg, doc, "description", desc, 2);
    index_field(tg, doc, "summary", desc, 2);
    for (i = 0; i < UTIL_ARRAY_LEN(keyword_keys); i++) {
        index_field(tg, doc, keyword_keys[i], kw, 2);
        add_boolean_field(tg, doc, keyword_keys[i], SCHEMA_PREFIX_TAG);
    }
    for (i = 0; i < UTIL_ARRAY_LEN(author_keys); i++)
        index_field(tg, doc, author_keys[i], author, 2);
    for (i = 0; i < doc->n_sections; i++) {
        const ingest_section *s = &doc->sections[i];
        if (s->heading)
            index_text(tg, s->heading, strlen(s->heading), heading, 2);
        /* Tab names and block headers are searchable as headings, but
         * weigh as body text: sites repeat the same tab names ("Istio
         * APIs", "Gateway API") on many pages, so as headings they would
         * pull all of those pages up for the words. */
        index_text(tg, s->labels, s->labels_len, label, 2);
        tg->count_own = 1;
        index_text(tg, s->text, s->text_len, body, 1);
        index_text(tg, s->code, s->code_len, code, 1);
        tg->count_own = 0;
    }
}

/* The content prior (schema.h, SCHEMA_SLOT_PRIOR). */
static void
set_prior_value(termgen *tg)
{
    char v[32];
    size_t n;

    if (tg->rc != RECAP_OK)
        return;
    n = xap_sortable_serialise(tg->n_own ? SCHEMA_PRIOR_MAX : 0, v, sizeof(v));
    tg->rc = xap_doc_set_value(tg->doc, SCHEMA_SLOT_PRIOR, v, n, tg->err);
}

static void
add_filters(termgen *tg, const ingest_doc *doc)
{
    char year[5];

    add_boolean(tg, SCHEMA_PREFIX_LANG, doc->lang);
    add_boolean(tg, SCHEMA_PREFIX_SECTION, doc->section);
    add_boolean(tg, SCHEMA_PREFIX_URL, doc->url);
    add_boolean_field(tg, doc, "aliases", SCHEMA_PREFIX_URL);
    if (doc->date && strlen(doc->date) >= 4) {
        memcpy(year, doc->date, 4);
        year[4] = '\0';
        add_boolean(tg, SCHEMA_PREFIX_YEAR, year);
    }
}

/* "2025-04-25T10:00:00Z" -> "20250425100000": digits only, padded. */
static void
set_date_value(termgen *tg, const ingest_doc *doc)
{
    char v[15];
    size_t n = 0;
    const char *p;

    if (tg->rc != RECAP_OK || !doc->date)
        return;
    for (p = doc->date; *p && n < 14; p++)
        if (*p >= '0' && *p <= '9')
            v[n++] = *p;
    if (n < 8)
        n = 0; /* not a date: leave the value empty */
    while (n && n < 14)
        v[n++] = '0';
    tg->rc = xap_doc_set_value(tg->doc, SCHEMA_SLOT_DATE, v, n, tg->err);
}

/* Whether `val` is already among the first `n_keys` keys' values, or the
 * first `upto` values of key `last`. */
static int
seen_value(const ingest_doc *doc, const char *const *keys, size_t n_keys,
           size_t upto, const char *val)
{
    size_t i, j;

    for (i = 0; i <= n_keys; i++) {
        const ingest_field *f = ingest_doc_field(doc, keys[i]);
        size_t n = f ? (i == n_keys ? upto : f->n_values) : 0;
        for (j = 0; j < n; j++)
            if (strcmp(f->values[j], val) == 0)
                return 1;
    }
    return 0;
}

/* A facet value slot: the values of `keys`, as written, each once. */
static void
set_list_value(termgen *tg, const ingest_doc *doc, xap_slot slot,
               const char *const *keys, size_t n_keys)
{
    strbuf v = STRBUF_INIT;
    size_t i, j;

    for (i = 0; i < n_keys; i++) {
        const ingest_field *f = ingest_doc_field(doc, keys[i]);
        for (j = 0; f && j < f->n_values; j++) {
            const char *val = f->values[j];
            if (!*val || seen_value(doc, keys, i, j, val))
                continue;
            if (v.len)
                strbuf_putc(&v, SCHEMA_VALUE_SEP);
            strbuf_puts(&v, val);
        }
    }
    if (v.oom)
        tg->rc = RECAP_ENOMEM;
    else if (tg->rc == RECAP_OK && v.len)
        tg->rc = xap_doc_set_value(tg->doc, slot, v.data, v.len, tg->err);
    strbuf_free(&v);
}

static void
set_value(termgen *tg, xap_slot slot, const char *value, size_t len)
{
    if (tg->rc == RECAP_OK && value && len)
        tg->rc = xap_doc_set_value(tg->doc, slot, value, len, tg->err);
}

static void
set_facet_values(termgen *tg, const ingest_doc *doc)
{
    set_value(tg, SCHEMA_SLOT_SECTION, doc->section,
              doc->section ? strlen(doc->section) : 0);
    set_value(tg, SCHEMA_SLOT_LANG, doc->lang,
              doc->lang ? strlen(doc->lang) : 0);
    if (doc->date && strlen(doc->date) >= 4)
        set_value(tg, SCHEMA_SLOT_YEAR, doc->date, 4);
    /* Facets show keywords, tags and categories; not CVE ids. */
    set_list_value(tg, doc, SCHEMA_SLOT_TAGS, keyword_keys, 3);
    set_list_value(tg, doc, SCHEMA_SLOT_AUTHOR, author_keys,
                   UTIL_ARRAY_LEN(author_keys));
}

static json_t *
str_or_null(const char *s)
{
    return s ? json_string(s) : json_null();
}

/* Link targets and translations, when the page has any (schema.h). */
static void
set_data_links(json_t *obj, const ingest_doc *doc)
{
    json_t *arr;
    size_t i;

    if (obj && doc->n_links) {
        arr = json_array();
        for (i = 0; arr && i < doc->n_links; i++)
            json_array_append_new(arr, json_string(doc->links[i]));
        json_object_set_new(obj, "links", arr);
    }
    if (obj && doc->n_translations) {
        arr = json_array();
        for (i = 0; arr && i < doc->n_translations; i++)
            json_array_append_new(arr,
                                  json_pack("{s:s, s:s, s:s}", "lang",
                                            doc->translations[i].lang, "url",
                                            doc->translations[i].url, "path",
                                            doc->translations[i].path));
        json_object_set_new(obj, "translations", arr);
    }
}

/* The whole stored data in the binary layout (lib/pagebin.h), packed. */
static void
set_data_full(termgen *tg, const ingest_doc *doc)
{
    const char *title = ingest_doc_get(doc, "title"),
               *desc = ingest_doc_get(doc, "description");
    strbuf b = STRBUF_INIT;
    char *packed;
    size_t i, packed_len;

    pagebin_begin(&b, doc->n_sections, doc->n_links, doc->n_translations);
    pagebin_put_str(&b, doc->path, doc->path ? strlen(doc->path) : 0);
    pagebin_put_str(&b, doc->url, doc->url ? strlen(doc->url) : 0);
    pagebin_put_str(&b, title, title ? strlen(title) : 0);
    pagebin_put_str(&b, doc->date, doc->date ? strlen(doc->date) : 0);
    pagebin_put_str(&b, doc->section, doc->section ? strlen(doc->section) : 0);
    pagebin_put_str(&b, doc->lang, doc->lang ? strlen(doc->lang) : 0);
    pagebin_put_str(&b, desc, desc ? strlen(desc) : 0);
    for (i = 0; i < doc->n_sections; i++) {
        const ingest_section *s = &doc->sections[i];
        pagebin_put_str(&b, s->heading, s->heading ? strlen(s->heading) : 0);
        pagebin_put_str(&b, s->anchor, s->anchor ? strlen(s->anchor) : 0);
        pagebin_put_str(&b, s->text, s->text_len);
        pagebin_put_str(&b, s->code, s->code_len);
        pagebin_put_str(&b, s->labels_len ? s->labels : NULL, s->labels_len);
    }
    for (i = 0; i < doc->n_links; i++)
        pagebin_put_str(&b, doc->links[i], strlen(doc->links[i]));
    for (i = 0; i < doc->n_translations; i++) {
        const ingest_translation *t = &doc->translations[i];
        pagebin_put_str(&b, t->lang, t->lang ? strlen(t->lang) : 0);
        pagebin_put_str(&b, t->url, t->url ? strlen(t->url) : 0);
        pagebin_put_str(&b, t->path, t->path ? strlen(t->path) : 0);
    }
    if (b.oom || docpack_pack(b.data, b.len, &packed, &packed_len)) {
        tg->rc = RECAP_ENOMEM;
    } else {
        tg->rc = xap_doc_set_value(tg->doc, SCHEMA_SLOT_DATA, packed,
                                   packed_len, tg->err);
        free(packed);
    }
    strbuf_free(&b);
}

/* The stored data: what the query side shows a hit from.  The summary is
 * JSON (related pages and suggestions read it with jansson), the whole
 * data binary. */
static void
set_data(termgen *tg, const ingest_doc *doc)
{
    json_t *obj, *secs;
    char *dump;

    if (tg->rc != RECAP_OK)
        return;
    secs = json_array();
    obj = json_pack("{s:i, s:s?, s:s?, s:o, s:o, s:s?, s:s?, s:o, s:o}", "v",
                    SCHEMA_DATA_VERSION, "path", doc->path, "url", doc->url,
                    "title", str_or_null(ingest_doc_get(doc, "title")), "date",
                    str_or_null(doc->date), "section", doc->section, "lang",
                    doc->lang, "description",
                    str_or_null(ingest_doc_get(doc, "description")), "sections",
                    secs);
    set_data_links(obj, doc);
    dump = obj ? json_dumps(obj, JSON_COMPACT) : NULL;
    json_decref(obj);
    if (!dump) {
        tg->rc = RECAP_ENOMEM;
        return;
    }
    tg->rc = xap_doc_set_value(tg->doc, SCHEMA_SLOT_SUMMARY, dump, strlen(dump),
                               tg->err);
    free(dump);
    if (tg->rc == RECAP_OK)
        set_data_full(tg, doc);
}

char *
docterms_path_term(const char *relpath, size_t *len_out)
{
    char *t = util_asprintf("%s%s", SCHEMA_PREFIX_PATH, relpath);

    if (t && len_out)
        *len_out = strlen(t);
    return t;
}

recap_status
docterms_build(const ingest_doc *doc, analysis_stemmer *stemmer, xap_doc **out,
               uint64_t *n_terms_out, xap_error *err)
{
    termgen tg = {0};
    char *qterm;
    size_t qlen;

    tg.stemmer = stemmer;
    tg.err = err;
    tg.pos = 0;
    tg.rc = xap_doc_new(&tg.doc, err);
    index_fields(&tg, doc);
    add_filters(&tg, doc);
    if (tg.rc == RECAP_OK) {
        qterm = docterms_path_term(doc->path, &qlen);
        tg.rc = qterm ? xap_doc_add_boolean_term(tg.doc, qterm, qlen, err)
                      : RECAP_ENOMEM;
        free(qterm);
    }
    set_date_value(&tg, doc);
    set_prior_value(&tg);
    set_facet_values(&tg, doc);
    set_data(&tg, doc);
    strbuf_free(&tg.term);
    if (tg.rc != RECAP_OK) {
        xap_doc_free(tg.doc);
        return tg.rc;
    }
    if (n_terms_out)
        *n_terms_out = tg.n_terms;
    *out = tg.doc;
    return RECAP_OK;
}
