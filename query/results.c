/*
 * results.c: accessors of the result objects and their JSON form.
 *
 * The JSON schema (version 1) is documented in README.md, "JSON output";
 * later versions add fields, never rename these.
 */
#include <stdlib.h>
#include <string.h>

#include "jsonw.h"
#include "results_int.h"
#include "util.h"

#define RESULTS_JSON_VERSION 1

static void
snippet_clear(recap_snippet *sn)
{
    free(sn->url);
    free(sn->text);
    free(sn->html);
    free(sn->heading);
    free(sn->anchor);
    free(sn->hl);
}

static void
hit_clear(recap_hit *h)
{
    size_t i;

    for (i = 0; i < h->n_snippets; i++)
        snippet_clear(&h->snippets[i]);
    free(h->snippets);
    free(h->path);
    free(h->url);
    free(h->title);
    free(h->date);
    free(h->section);
    free(h->lang);
    free(h->description);
    for (i = 0; i < h->n_translations; i++) {
        free(h->tr_lang[i]);
        free(h->tr_url[i]);
    }
    free(h->tr_lang);
    free(h->tr_url);
}

recap_status
results_hit_set_translations(recap_hit *h, const char *const *lang,
                             const char *const *url, size_t n)
{
    size_t i;

    if (!n)
        return RECAP_OK;
    h->tr_lang = calloc(n, sizeof(char *));
    h->tr_url = calloc(n, sizeof(char *));
    if (!h->tr_lang || !h->tr_url)
        return RECAP_ENOMEM;
    for (i = 0; i < n; i++) {
        h->tr_lang[i] = util_strdup(lang[i]);
        h->tr_url[i] = util_strdup(url[i]);
        h->n_translations++;
        if (!h->tr_lang[i] || !h->tr_url[i])
            return RECAP_ENOMEM;
    }
    return RECAP_OK;
}

size_t
recap_hit_translation_count(const recap_hit *hit)
{
    return hit->n_translations;
}

const char *
recap_hit_translation(const recap_hit *hit, size_t i, const char **url)
{
    if (i >= hit->n_translations) {
        if (url)
            *url = NULL;
        return NULL;
    }
    if (url)
        *url = hit->tr_url[i];
    return hit->tr_lang[i];
}

void
recap_results_free(recap_results *res)
{
    size_t i;

    if (!res)
        return;
    for (i = 0; i < res->n_hits; i++)
        hit_clear(&res->hits[i]);
    free(res->hits);
    for (i = 0; i < res->n_facets; i++) {
        for (size_t j = 0; j < res->facets[i].n_values; j++)
            free(res->facets[i].values[j].value);
        free(res->facets[i].values);
        free(res->facets[i].name);
    }
    free(res->facets);
    free(res->suggestion);
    free(res->query);
    free(res);
}

const char *
recap_results_query(const recap_results *res)
{
    return res->query;
}

uint64_t
recap_results_total(const recap_results *res)
{
    return res->total;
}

int
recap_results_total_exact(const recap_results *res)
{
    return res->total_exact;
}

uint64_t
recap_results_next_offset(const recap_results *res)
{
    return res->next_offset;
}

const char *
recap_results_suggestion(const recap_results *res)
{
    return res->suggestion;
}

int
recap_results_corrected(const recap_results *res)
{
    return res->corrected;
}

size_t
recap_results_facet_count(const recap_results *res)
{
    return res->n_facets;
}

const recap_facet *
recap_results_facet(const recap_results *res, size_t i)
{
    return i < res->n_facets ? &res->facets[i] : NULL;
}

const char *
recap_facet_name(const recap_facet *f)
{
    return f->name;
}

size_t
recap_facet_value_count(const recap_facet *f)
{
    return f->n_values;
}

const char *
recap_facet_value(const recap_facet *f, size_t i, uint64_t *count)
{
    if (i >= f->n_values) {
        if (count)
            *count = 0;
        return NULL;
    }
    if (count)
        *count = f->values[i].count;
    return f->values[i].value;
}

int
recap_results_partial(const recap_results *res)
{
    return res->partial;
}

size_t
recap_results_count(const recap_results *res)
{
    return res->n_hits;
}

const recap_hit *
recap_results_hit(const recap_results *res, size_t i)
{
    return i < res->n_hits ? &res->hits[i] : NULL;
}

double
recap_results_elapsed(const recap_results *res)
{
    return res->elapsed;
}

unsigned
recap_hit_rank(const recap_hit *hit)
{
    return hit->rank;
}

double
recap_hit_score(const recap_hit *hit)
{
    return hit->score;
}

const char *
recap_hit_path(const recap_hit *hit)
{
    return hit->path;
}

const char *
recap_hit_url(const recap_hit *hit)
{
    return hit->url;
}

const char *
recap_hit_title(const recap_hit *hit)
{
    return hit->title;
}

const char *
recap_hit_date(const recap_hit *hit)
{
    return hit->date;
}

const char *
recap_hit_section(const recap_hit *hit)
{
    return hit->section;
}

const char *
recap_hit_lang(const recap_hit *hit)
{
    return hit->lang;
}

const char *
recap_hit_description(const recap_hit *hit)
{
    return hit->description;
}

size_t
recap_hit_snippet_count(const recap_hit *hit)
{
    return hit->n_snippets;
}

const recap_snippet *
recap_hit_snippet(const recap_hit *hit, size_t i)
{
    return i < hit->n_snippets ? &hit->snippets[i] : NULL;
}

const char *
recap_snippet_text(const recap_snippet *sn)
{
    return sn->text;
}

const char *
recap_snippet_html(const recap_snippet *sn)
{
    return sn->html;
}

const char *
recap_snippet_heading(const recap_snippet *sn)
{
    return sn->heading;
}

const char *
recap_snippet_anchor(const recap_snippet *sn)
{
    return sn->anchor;
}

const char *
recap_snippet_url(const recap_snippet *sn)
{
    return sn->url;
}

size_t
recap_snippet_highlight_count(const recap_snippet *sn)
{
    return sn->n_hl;
}

void
recap_snippet_highlight(const recap_snippet *sn, size_t i, size_t *off,
                        size_t *len)
{
    if (i >= sn->n_hl) {
        *off = *len = 0;
        return;
    }
    *off = sn->hl[2 * i];
    *len = sn->hl[2 * i + 1];
}

static void
snippet_json(jsonw *w, const recap_snippet *sn)
{
    jsonw_open_object(w);
    jsonw_member_str(w, "text", sn->text);
    jsonw_member_str(w, "html", sn->html);
    jsonw_member_str(w, "heading", sn->heading);
    jsonw_member_str(w, "anchor", sn->anchor);
    jsonw_member_str(w, "url", sn->url);
    jsonw_close_object(w);
}

static void
hit_json(jsonw *w, const recap_hit *h)
{
    size_t i;

    jsonw_open_object(w);
    jsonw_member_int(w, "rank", (int)h->rank);
    jsonw_member_str(w, "path", h->path);
    jsonw_member_str(w, "url", h->url);
    jsonw_member_str(w, "title", h->title);
    jsonw_member_str(w, "date", h->date);
    jsonw_member_str(w, "section", h->section);
    jsonw_member_str(w, "lang", h->lang);
    jsonw_member_real(w, "score", h->score);
    jsonw_key(w, "snippets");
    jsonw_open_array(w);
    for (i = 0; i < h->n_snippets; i++)
        snippet_json(w, &h->snippets[i]);
    jsonw_close_array(w);
    jsonw_key(w, "translations");
    jsonw_open_array(w);
    for (i = 0; i < h->n_translations; i++) {
        jsonw_open_object(w);
        jsonw_member_str(w, "lang", h->tr_lang[i]);
        jsonw_member_str(w, "url", h->tr_url[i]);
        jsonw_close_object(w);
    }
    jsonw_close_array(w);
    jsonw_close_object(w);
}

/* {"section": [{"value": "blog", "count": 12}, ...], ...} */
static void
facets_json(jsonw *w, const recap_results *res)
{
    size_t i, j;

    jsonw_open_object(w);
    for (i = 0; i < res->n_facets; i++) {
        const recap_facet *f = &res->facets[i];
        jsonw_key(w, f->name);
        jsonw_open_array(w);
        for (j = 0; j < f->n_values; j++) {
            jsonw_open_object(w);
            jsonw_member_str(w, "value", f->values[j].value);
            jsonw_member_int(w, "count", (int64_t)f->values[j].count);
            jsonw_close_object(w);
        }
        jsonw_close_array(w);
    }
    jsonw_close_object(w);
}

unsigned
recap_results_missing_shards(const recap_results *res)
{
    return res ? res->missing_shards : 0;
}

/* Written directly (jsonw.h): the server sends this thousands of times a
 * second, and a jansson tree cost a tenth of a search. */
char *
recap_results_json(const recap_results *res, int pretty)
{
    strbuf b = STRBUF_INIT;
    jsonw w;
    size_t i;

    if (!res)
        return NULL;
    strbuf_grow(&b, 2048 + res->n_hits * 2048); /* ten hits: about 20 KB */
    jsonw_init(&w, &b, pretty ? 2 : 0);
    jsonw_open_object(&w);
    jsonw_member_int(&w, "version", RESULTS_JSON_VERSION);
    jsonw_member_str(&w, "query", res->query);
    jsonw_member_int(&w, "total", (int64_t)res->total);
    jsonw_member_bool(&w, "total_exact", res->total_exact);
    jsonw_key(&w, "next_offset");
    if (res->next_offset)
        jsonw_int(&w, (int64_t)res->next_offset);
    else
        jsonw_null(&w);
    jsonw_member_real(&w, "elapsed_ms", res->elapsed * 1000.0);
    jsonw_key(&w, "hits");
    jsonw_open_array(&w);
    for (i = 0; i < res->n_hits; i++)
        hit_json(&w, &res->hits[i]);
    jsonw_close_array(&w);
    jsonw_key(&w, "facets");
    facets_json(&w, res);
    jsonw_member_str(&w, "suggestion", res->suggestion);
    jsonw_member_bool(&w, "corrected", res->corrected);
    if (res->missing_shards) { /* partial results */
        jsonw_member_int(&w, "missing_shards", (int64_t)res->missing_shards);
    }
    if (res->partial) {
        jsonw_member_bool(&w, "partial", 1);
    }
    jsonw_close_object(&w);
    return strbuf_detach(&b, NULL);
}
