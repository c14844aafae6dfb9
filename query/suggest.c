/*
 * suggest.c: recap_suggest, as-you-type suggestions for a search box.
 *
 * Two kinds, both cheap enough to run on every keystroke:
 *  - completions: the terms of the index vocabulary (Xapian's allterms of
 *    the unprefixed field) that start with the last, partial word, most
 *    frequent first, each shown as the whole query with that word completed;
 *  - titles: pages whose title has the earlier words and a word starting
 *    with the partial one, ranked by BM25 over the title field.
 * The partial word is the text after the last space, normalised the way
 * the analyser normalises terms, so "Ambient Me" completes like "ambient me".
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "docdata.h"
#include "index_int.h"
#include "jsonw.h"
#include "qbuild.h"
#include "schema.h"
#include "util.h"

#define SUGGEST_JSON_VERSION 1
/* Upper bounds that keep a request to a fraction of a millisecond: terms
 * scanned for one prefix, completions and titles returned, title terms
 * OR-ed for the partial word (the most frequent ones). */
#define SUGGEST_MAX_SCAN 20000
#define SUGGEST_MAX_WORDS 50
#define SUGGEST_MAX_TITLES 50
#define SUGGEST_TITLE_TERMS 16

typedef struct completion {
    char *text; /* the query with its last word completed */
    char *word; /* the completed word */
    uint64_t n_docs;
} completion;

typedef struct title {
    char *title, *url;
} title;

struct recap_suggestions {
    char *query;
    completion *words;
    size_t n_words;
    title *titles;
    size_t n_titles;
    double elapsed;
};

/* A ranked term: allterms order is by bytes, so ties stay alphabetical. */
typedef struct ranked {
    char term[ANALYSIS_MAX_TERM + 8];
    size_t len;
    uint32_t freq;
} ranked;

void
recap_suggestions_free(recap_suggestions *sg)
{
    size_t i;

    if (!sg)
        return;
    for (i = 0; i < sg->n_words; i++) {
        free(sg->words[i].text);
        free(sg->words[i].word);
    }
    for (i = 0; i < sg->n_titles; i++) {
        free(sg->titles[i].title);
        free(sg->titles[i].url);
    }
    free(sg->words);
    free(sg->titles);
    free(sg->query);
    free(sg);
}

/*
 * The `max` most frequent terms starting with `prefix` (at most
 * SUGGEST_MAX_SCAN of them are looked at), into top[] by decreasing
 * frequency; *n receives how many.  Terms are skipped when they are longer
 * than a ranked slot, which only happens for odd tokens.
 */
static recap_status
top_terms(recap_index *idx, const char *prefix, size_t prefix_len, size_t max,
          ranked *top, size_t *n)
{
    xap_termiter *it = NULL;
    xap_error err;
    const char *term;
    size_t len, scanned = 0, i;
    uint32_t freq;
    int r;

    *n = 0;
    if (xap_db_allterms(idx->db, prefix, prefix_len, &it, &err))
        return index_fail_xap(idx, &err, "listing the vocabulary");
    while (scanned++ < SUGGEST_MAX_SCAN &&
           (r = xap_termiter_next(it, &term, &len, &freq, &err)) == 1) {
        if (len >= sizeof(top->term) ||
            (*n == max && freq <= top[max - 1].freq))
            continue;
        i = *n < max ? (*n)++ : max - 1;
        while (i > 0 && top[i - 1].freq < freq) {
            top[i] = top[i - 1];
            i--;
        }
        memcpy(top[i].term, term, len);
        top[i].term[len] = '\0';
        top[i].len = len;
        top[i].freq = freq;
    }
    xap_termiter_free(it);
    if (r < 0)
        return index_fail_xap(idx, &err, "listing the vocabulary");
    return RECAP_OK;
}

static recap_status
add_completions(recap_index *idx, recap_suggestions *sg, const char *head,
                size_t head_len, const char *partial, size_t partial_len,
                size_t max)
{
    ranked *top;
    size_t n, i;
    recap_status rc;

    if (!(top = calloc(max, sizeof(*top))))
        return index_fail(idx, RECAP_ENOMEM, "out of memory");
    rc = top_terms(idx, partial, partial_len, max, top, &n);
    if (rc == RECAP_OK && n && !(sg->words = calloc(n, sizeof(*sg->words))))
        rc = index_fail(idx, RECAP_ENOMEM, "out of memory");
    for (i = 0; rc == RECAP_OK && i < n; i++) {
        completion *c = &sg->words[sg->n_words++];
        c->word = util_strndup(top[i].term, top[i].len);
        c->text = util_asprintf("%.*s%s", (int)head_len, head, top[i].term);
        c->n_docs = top[i].freq;
        if (!c->word || !c->text)
            rc = index_fail(idx, RECAP_ENOMEM, "out of memory");
    }
    free(top);
    return rc;
}

/* ---- reading title and url without parsing the whole stored data ------ */

static const char *
skip_ws(const char *p, const char *end)
{
    while (p < end && (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t'))
        p++;
    return p;
}

/* Past the JSON string that starts at p (its opening quote), or NULL. */
static const char *
skip_string(const char *p, const char *end)
{
    for (p++; p < end; p++) {
        if (*p == '\\')
            p++;
        else if (*p == '"')
            return p + 1;
    }
    return NULL;
}

/* Past the JSON value that starts at p, or NULL when it is cut short. */
static const char *
skip_value(const char *p, const char *end)
{
    int depth = 0;

    if (p < end && *p == '"')
        return skip_string(p, end);
    while (p < end) {
        if (*p == '"') {
            if (!(p = skip_string(p, end)))
                return NULL;
            continue;
        }
        if (*p == '{' || *p == '[')
            depth++;
        else if (*p == '}' || *p == ']') {
            if (depth == 0)
                return p;
            if (--depth == 0)
                return p + 1;
        } else if (*p == ',' && depth == 0)
            return p;
        p++;
    }
    return depth == 0 ? p : NULL;
}

/* A malloc()ed copy of the JSON string value at [p, q), or NULL. */
static char *
string_value(const char *p, const char *q)
{
    json_t *v = json_loadb(p, (size_t)(q - p), JSON_DECODE_ANY, NULL);
    char *out = util_strdup(json_string_value(v));

    json_decref(v);
    return out;
}

/*
 * Reads "title" and "url" from a document's summary (schema.h) without
 * parsing its sections, which are most of its bytes: the top-level members
 * are walked in order and the walk stops once both are seen (the writer
 * puts them before "sections").  Returns -1 when the data is not an object
 * as expected.
 */
static int
scan_title_url(const char *data, size_t len, char **title_out, char **url_out)
{
    const char *p = data, *end = data + len, *key, *key_end, *val, *val_end;

    p = skip_ws(p, end);
    if (p == end || *p++ != '{')
        return -1;
    while (!(*title_out && *url_out)) {
        p = skip_ws(p, end);
        if (p == end || *p != '"')
            return p < end && *p == '}' ? 0 : -1;
        key = p + 1;
        if (!(key_end = skip_string(p, end)))
            return -1;
        p = skip_ws(key_end, end);
        if (p == end || *p++ != ':')
            return -1;
        val = skip_ws(p, end);
        if (!(val_end = skip_value(val, end)))
            return -1;
        if (*val == '"' && key_end - key == 6 && memcmp(key, "title", 5) == 0)
            *title_out = string_value(val, val_end);
        else if (*val == '"' && key_end - key == 4 &&
                 memcmp(key, "url", 3) == 0)
            *url_out = string_value(val, val_end);
        p = skip_ws(val_end, end);
        if (p < end && *p == ',')
            p++;
    }
    return 0;
}

static void
stored_title_url(const char *data, size_t len, char **title_out, char **url_out)
{
    json_t *obj;

    *title_out = *url_out = NULL;
    if (scan_title_url(data, len, title_out, url_out) == 0 && *title_out &&
        *url_out)
        return;
    /* Another layout, or no title: read it the slow, sure way. */
    free(*title_out);
    free(*url_out);
    obj = json_loadb(data, len, 0, NULL);
    *title_out = util_strdup(json_string_value(json_object_get(obj, "title")));
    *url_out = util_strdup(json_string_value(json_object_get(obj, "url")));
    json_decref(obj);
}

static recap_status
add_titles(recap_index *idx, recap_suggestions *sg, const char *lang,
           const char *head, size_t head_len, const char *partial,
           size_t partial_len, size_t max)
{
    qbuild qb;
    qlist parts = {0};
    xap_query *q = NULL, *lang_q = NULL, *pair[2];
    xap_enquire *e = NULL;
    xap_mset *m = NULL;
    xap_error err;
    uint32_t i, n;
    recap_status rc = RECAP_OK;

    qbuild_init(&qb, idx->db, index_stemmer(idx, lang ? lang : idx->main_lang),
                0);
    if (head_len)
        qbuild_words(&qb, head, head_len, SCHEMA_PREFIX_TITLE, &parts, NULL);
    if (partial_len)
        qlist_push(&qb, &parts,
                   qbuild_wildcard(&qb, partial, partial_len,
                                   SCHEMA_PREFIX_TITLE, SUGGEST_TITLE_TERMS,
                                   0));
    /* A partial word that starts no title word matches no title. */
    if (qb.rc || (partial_len && parts.n == 0) || parts.n == 0)
        goto done;
    q = qlist_combine(&qb, &parts, XAP_OP_AND, 0);
    if (lang && q && (lang_q = qbuild_filter(&qb, SCHEMA_PREFIX_LANG, lang))) {
        pair[0] = q;
        pair[1] = lang_q;
        q = NULL;
        if (xap_query_combine(XAP_OP_FILTER, pair, 2, 0, &q, &qb.err))
            qb.rc = qb.err.rc;
        xap_query_free(pair[0]);
    }
    if (qb.rc || !q)
        goto done;
    if (xap_enquire_new(idx->db, &e, &err) ||
        xap_enquire_set_query(e, q, 0, &err) ||
        xap_enquire_mset(e, 0, (uint32_t)max, 0, &m, &err)) {
        rc = index_fail_xap(idx, &err, "matching titles");
        goto done;
    }
    n = xap_mset_size(m);
    if (n && !(sg->titles = calloc(n, sizeof(*sg->titles)))) {
        rc = index_fail(idx, RECAP_ENOMEM, "out of memory");
        goto done;
    }
    for (i = 0; i < n; i++) {
        xap_doc *doc = NULL;
        char *data = NULL;
        size_t len;
        title *t = &sg->titles[sg->n_titles];
        if (xap_mset_doc(m, i, &doc, &err) ||
            docdata_get_summary(doc, &data, &len, &err)) {
            xap_doc_free(doc);
            rc = index_fail_xap(idx, &err, "reading a title");
            goto done;
        }
        xap_doc_free(doc);
        stored_title_url(data, len, &t->title, &t->url);
        free(data);
        if (t->title && t->url)
            sg->n_titles++;
        else {
            free(t->title);
            free(t->url);
        }
    }
done:
    if (rc == RECAP_OK && qb.rc)
        rc = qb.rc == RECAP_ENOMEM
                 ? index_fail(idx, RECAP_ENOMEM, "out of memory")
                 : index_fail_xap(idx, &qb.err, "matching titles");
    xap_mset_free(m);
    xap_enquire_free(e);
    xap_query_free(q);
    xap_query_free(lang_q);
    qlist_clear(&parts);
    qbuild_clear(&qb);
    return rc;
}

static int
is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' ||
           c == '\v';
}

recap_status
recap_suggest(recap_index *idx, const recap_suggest_options *opts,
              recap_suggestions **out)
{
    recap_suggestions *sg;
    const char *q, *lang;
    size_t len, head_len, max_words, max_titles;
    char *partial = NULL;
    size_t partial_len = 0;
    double t0 = util_now();
    recap_status rc = RECAP_OK;

    if (!idx || !opts || !out || !opts->query ||
        opts->version != RECAP_SUGGEST_OPTIONS_VERSION)
        return idx ? index_fail(idx, RECAP_EINVAL, "invalid suggest options")
                   : RECAP_EINVAL;
    *out = NULL;
    q = opts->query;
    len = strlen(q);
    lang = opts->lang && *opts->lang ? opts->lang : idx->main_lang;
    if (strcmp(lang, "*") == 0)
        lang = NULL;
    max_words = opts->max_words ? opts->max_words : 8;
    max_titles = opts->max_titles ? opts->max_titles : 5;
    if (max_words > SUGGEST_MAX_WORDS)
        max_words = SUGGEST_MAX_WORDS;
    if (max_titles > SUGGEST_MAX_TITLES)
        max_titles = SUGGEST_MAX_TITLES;
    if (!(sg = calloc(1, sizeof(*sg))) || !(sg->query = util_strdup(q))) {
        free(sg);
        return index_fail(idx, RECAP_ENOMEM, "out of memory");
    }
    for (head_len = len; head_len > 0 && !is_space(q[head_len - 1]); head_len--)
        ;
    if (head_len < len && analysis_normalize(q + head_len, len - head_len,
                                             &partial, &partial_len) < 0)
        rc = index_fail(idx, RECAP_ENOMEM, "out of memory");
    /* Joined words are indexed without their hyphens ("multi-cluster" as
     * "multicluster" and its parts), so a hyphenated prefix is looked up
     * in that form. */
    if (rc == RECAP_OK && partial_len && memchr(partial, '-', partial_len)) {
        size_t i, n = 0;
        for (i = 0; i < partial_len; i++)
            if (partial[i] != '-')
                partial[n++] = partial[i];
        partial[n] = '\0';
        partial_len = n;
    }
    if (rc == RECAP_OK && partial_len)
        rc = add_completions(idx, sg, q, head_len, partial, partial_len,
                             max_words);
    if (rc == RECAP_OK)
        rc = add_titles(idx, sg, lang, q, head_len, partial, partial_len,
                        max_titles);
    free(partial);
    if (rc != RECAP_OK) {
        recap_suggestions_free(sg);
        return rc;
    }
    sg->elapsed = util_now() - t0;
    *out = sg;
    return RECAP_OK;
}

size_t
recap_suggestions_count(const recap_suggestions *sg)
{
    return sg ? sg->n_words : 0;
}

const char *
recap_suggestions_completion(const recap_suggestions *sg, size_t i,
                             uint64_t *n_docs)
{
    if (!sg || i >= sg->n_words)
        return NULL;
    if (n_docs)
        *n_docs = sg->words[i].n_docs;
    return sg->words[i].text;
}

size_t
recap_suggestions_title_count(const recap_suggestions *sg)
{
    return sg ? sg->n_titles : 0;
}

const char *
recap_suggestions_title(const recap_suggestions *sg, size_t i, const char **url)
{
    if (!sg || i >= sg->n_titles)
        return NULL;
    if (url)
        *url = sg->titles[i].url;
    return sg->titles[i].title;
}

char *
recap_suggestions_json(const recap_suggestions *sg)
{
    strbuf b = STRBUF_INIT;
    jsonw w;
    size_t i;

    if (!sg)
        return NULL;
    strbuf_grow(&b, 1024);
    jsonw_init(&w, &b, 0);
    jsonw_open_object(&w);
    jsonw_member_int(&w, "version", SUGGEST_JSON_VERSION);
    jsonw_member_str(&w, "query", sg->query);
    jsonw_key(&w, "completions");
    jsonw_open_array(&w);
    for (i = 0; i < sg->n_words; i++) {
        jsonw_open_object(&w);
        jsonw_member_str(&w, "text", sg->words[i].text);
        jsonw_member_str(&w, "word", sg->words[i].word);
        jsonw_member_int(&w, "docs", (int64_t)sg->words[i].n_docs);
        jsonw_close_object(&w);
    }
    jsonw_close_array(&w);
    jsonw_key(&w, "titles");
    jsonw_open_array(&w);
    for (i = 0; i < sg->n_titles; i++) {
        jsonw_open_object(&w);
        jsonw_member_str(&w, "title", sg->titles[i].title);
        jsonw_member_str(&w, "url", sg->titles[i].url);
        jsonw_close_object(&w);
    }
    jsonw_close_array(&w);
    jsonw_member_real(&w, "elapsed_ms", sg->elapsed * 1000.0);
    jsonw_close_object(&w);
    return strbuf_detach(&b, NULL);
}
