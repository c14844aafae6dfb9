/*
 * dump.c: an ingest_doc as JSON, exactly what the index gets from one
 * file, for recapsearch-index --dump (schema in README.md, "What a page
 * becomes").
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "ingest.h"
#include "util.h"

static json_t *
str_or_null(const char *s)
{
    return s ? json_string(s) : json_null();
}

/* Front matter: lists as arrays, scalars as strings. */
static json_t *
fields_json(const ingest_doc *doc)
{
    json_t *obj = json_object(), *v;
    size_t i, j;

    for (i = 0; obj && i < doc->n_fields; i++) {
        const ingest_field *f = &doc->fields[i];
        if (f->is_list) {
            v = json_array();
            for (j = 0; v && j < f->n_values; j++)
                json_array_append_new(v, json_string(f->values[j]));
        } else {
            v = json_string(f->n_values ? f->values[0] : "");
        }
        json_object_set_new(obj, f->key, v);
    }
    return obj;
}

/* "a\nb" -> ["a", "b"]. */
static json_t *
lines_json(const char *s, size_t len)
{
    json_t *arr = json_array();
    size_t b = 0, e;

    while (arr && b < len) {
        for (e = b; e < len && s[e] != '\n'; e++)
            ;
        if (e > b)
            json_array_append_new(arr, json_stringn(s + b, e - b));
        b = e + 1;
    }
    return arr;
}

static json_t *
sections_json(const ingest_doc *doc)
{
    json_t *arr = json_array();
    size_t i;

    for (i = 0; arr && i < doc->n_sections; i++) {
        const ingest_section *s = &doc->sections[i];
        json_array_append_new(
            arr, json_pack("{s:o, s:o, s:i, s:o, s:s%, s:s%}", "heading",
                           str_or_null(s->heading), "anchor",
                           str_or_null(s->anchor), "level", s->level, "labels",
                           lines_json(s->labels, s->labels_len), "text",
                           s->text, s->text_len, "code", s->code, s->code_len));
    }
    return arr;
}

char *
dump_doc_json(const ingest_doc *doc, const char *const *warnings,
              size_t n_warnings)
{
    json_t *obj, *links = json_array(), *tr = json_array(),
                 *unknown = json_object(), *warn = json_array();
    char *out;
    size_t i;

    for (i = 0; links && i < doc->n_links; i++)
        json_array_append_new(links, json_string(doc->links[i]));
    for (i = 0; tr && i < doc->n_translations; i++)
        json_array_append_new(tr, json_pack("{s:s, s:s, s:s}", "lang",
                                            doc->translations[i].lang, "url",
                                            doc->translations[i].url, "path",
                                            doc->translations[i].path));
    for (i = 0; unknown && i < doc->n_unknown; i++)
        json_object_set_new(unknown, doc->unknown[i],
                            json_integer((json_int_t)doc->unknown_count[i]));
    for (i = 0; warn && i < n_warnings; i++)
        json_array_append_new(warn, json_string(warnings[i]));
    obj = json_pack(
        "{s:s, s:n, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, "
        "s:o, s:o}",
        "path", doc->path, "skipped", "title",
        str_or_null(ingest_doc_get(doc, "title")), "url", str_or_null(doc->url),
        "lang", str_or_null(doc->lang), "section", str_or_null(doc->section),
        "date", str_or_null(doc->date), "fields", fields_json(doc), "sections",
        sections_json(doc), "links", links, "translations", tr,
        "unknown_shortcodes", unknown, "warnings", warn);
    out = obj ? json_dumps(obj, JSON_INDENT(2) | JSON_PRESERVE_ORDER) : NULL;
    json_decref(obj);
    return out;
}
