/*
 * cmd_jsonl.c: `recapsearch-index --jsonl FILE|-`: documents as JSON lines,
 * one object per line, for generators other than Hugo.  Each object becomes
 * a recap_doc_fields for recap_index_add_doc; the run is one full batch, so
 * the index ends up holding exactly the documents of the input.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "index_cmd.h"
#include "util.h"

#define JSONL_MAX_LIST 256

/* One list field: a string or an array of strings, as a NULL-terminated
 * array borrowed from the JSON object (NULL when absent). */
typedef struct jlist {
    const char *v[JSONL_MAX_LIST + 1];
} jlist;

static const char *const *
get_list(json_t *obj, const char *key, const char *alt, jlist *l)
{
    json_t *v = json_object_get(obj, key);
    size_t i, n = 0;

    if (!v && alt)
        v = json_object_get(obj, alt);
    if (json_is_string(v))
        l->v[n++] = json_string_value(v);
    for (i = 0; json_is_array(v) && i < json_array_size(v); i++)
        if (n < JSONL_MAX_LIST && json_is_string(json_array_get(v, i)))
            l->v[n++] = json_string_value(json_array_get(v, i));
    l->v[n] = NULL;
    return n ? l->v : NULL;
}

static const char *
get_str(json_t *obj, const char *key)
{
    return json_string_value(json_object_get(obj, key));
}

/* Indexes one parsed line; returns the status of recap_index_add_doc, or
 * RECAP_EINVAL with *why for a line that is not a document. */
static recap_status
add_object(recap_index *idx, json_t *obj, const char **why)
{
    recap_doc_fields f = RECAP_DOC_FIELDS_INIT;
    jlist tags, cats, kws, authors, aliases;
    const char *format = get_str(obj, "format");

    *why = NULL;
    if (!json_is_object(obj)) {
        *why = "not a JSON object";
        return RECAP_EINVAL;
    }
    f.path = get_str(obj, "path");
    if (!f.path || !*f.path) {
        *why = "no \"path\"";
        return RECAP_EINVAL;
    }
    f.url = get_str(obj, "url");
    f.title = get_str(obj, "title");
    f.description = get_str(obj, "description");
    if (!f.description)
        f.description = get_str(obj, "summary");
    f.date = get_str(obj, "date");
    f.lang = get_str(obj, "lang");
    f.section = get_str(obj, "section");
    f.body = get_str(obj, "body");
    if (!f.body && (f.body = get_str(obj, "text")))
        f.format = RECAP_BODY_TEXT;
    if (format && strcmp(format, "text") == 0)
        f.format = RECAP_BODY_TEXT;
    else if (format && strcmp(format, "markdown") != 0) {
        *why = "\"format\" must be \"markdown\" or \"text\"";
        return RECAP_EINVAL;
    }
    f.tags = get_list(obj, "tags", NULL, &tags);
    f.categories = get_list(obj, "categories", NULL, &cats);
    f.keywords = get_list(obj, "keywords", NULL, &kws);
    f.authors = get_list(obj, "authors", "author", &authors);
    f.aliases = get_list(obj, "aliases", NULL, &aliases);
    return recap_index_add_doc(idx, &f);
}

/* Whether the line is only white space. */
static int
blank(const char *s)
{
    while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')
        s++;
    return *s == '\0';
}

static recap_status
read_lines(const char *prog, recap_index *idx, FILE *in, const char *name,
           int *n_bad)
{
    char *line = NULL;
    size_t cap = 0;
    unsigned long lineno = 0;
    json_error_t jerr;
    const char *why;
    recap_status rc = RECAP_OK;

    while (getline(&line, &cap, in) >= 0) {
        json_t *obj;
        lineno++;
        if (blank(line))
            continue;
        obj = json_loads(line, JSON_REJECT_DUPLICATES, &jerr);
        rc = obj ? add_object(idx, obj, &why) : RECAP_EPARSE;
        if (!obj)
            fprintf(stderr, "%s: error: %s:%lu: %s\n", prog, name, lineno,
                    jerr.text);
        else if (rc != RECAP_OK)
            fprintf(stderr, "%s: error: %s:%lu: %s\n", prog, name, lineno,
                    why ? why : recap_index_errmsg(idx));
        json_decref(obj);
        if (rc == RECAP_ENOMEM || rc == RECAP_EBACKEND)
            break;
        *n_bad += rc != RECAP_OK;
        rc = RECAP_OK;
    }
    if (rc == RECAP_OK && ferror(in)) {
        fprintf(stderr, "%s: %s: %s\n", prog, name, strerror(errno));
        rc = RECAP_EIO;
    }
    free(line);
    return rc;
}

int
index_cmd_jsonl(const char *prog, recap_index *idx, const char *file, int quiet,
                const char *db)
{
    FILE *in = strcmp(file, "-") == 0 ? stdin : fopen(file, "r");
    const char *name = in == stdin ? "standard input" : file;
    recap_index_stats st;
    double t0 = util_now();
    int n_bad = 0;
    recap_status rc;

    if (!in) {
        fprintf(stderr, "%s: cannot read %s: %s\n", prog, file,
                strerror(errno));
        return CLI_EXIT_ERROR;
    }
    if ((rc = recap_index_begin(idx, RECAP_BEGIN_FULL)) == RECAP_OK &&
        (rc = read_lines(prog, idx, in, name, &n_bad)) == RECAP_OK)
        rc = recap_index_commit(idx);
    if (in != stdin)
        fclose(in);
    if (rc != RECAP_OK) {
        if (rc != RECAP_EIO)
            fprintf(stderr, "%s: %s; nothing was committed\n", prog,
                    recap_index_errmsg(idx));
        recap_index_cancel(idx);
        return CLI_EXIT_ERROR;
    }
    recap_index_get_stats(idx, &st);
    if (!quiet)
        fprintf(stderr,
                "%s: indexed %llu documents from %s (%d failed, %llu "
                "removed, %llu warnings) in %.2f s into %s\n",
                prog, (unsigned long long)st.n_added, name, n_bad,
                (unsigned long long)st.n_deleted,
                (unsigned long long)st.n_warnings, util_now() - t0, db);
    return n_bad ? CLI_EXIT_NONE : CLI_EXIT_OK;
}
