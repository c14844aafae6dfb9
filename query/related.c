/*
 * related.c: recap_related, "more like this" for one page, and
 * recap_related_export, the related pages of every page as a Hugo data file.
 *
 * The page's most distinctive terms come from Xapian's expansion set over
 * the page alone: terms frequent in the page and rare in the index.  Only
 * unprefixed terms (all prose, weighted by field) and keyword terms are
 * taken, so stems, code and filter terms do not crowd them out.  They are
 * OR-ed and matched with BM25 against the pages of the same language, minus
 * the page, its translations, and every page carrying its URL or aliases.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "docdata.h"
#include "index_int.h"
#include "results_int.h"
#include "schema.h"
#include "util.h"

#define RELATED_DEFAULT_LIMIT 5
#define RELATED_DEFAULT_TERMS 30
#define RELATED_MAX_TERMS 200
/* Pages sharing one URL (a bundle and its resources) looked at when a URL
 * names several. */
#define RELATED_MAX_SAME_URL 64

/* The page being related, as stored. */
typedef struct page {
    xap_docid did;
    json_t *data; /* stored data object */
    const char *path, *url, *lang;
} page;

typedef struct related {
    recap_index *idx;
    const recap_related_options *opts;
    page pg;
    xap_query *want, *skip; /* skip may be NULL */
    recap_results *res;
    xap_error err;
} related;

static recap_status
fail_xap(recap_index *idx, const xap_error *err, const char *what)
{
    return index_fail_xap(idx, err, what);
}

/* The summary of document `did` (docdata_get_summary) as a JSON object. */
static recap_status
load_data(recap_index *idx, xap_docid did, json_t **out)
{
    xap_doc *doc = NULL;
    char *data = NULL;
    size_t len;
    xap_error err;

    *out = NULL;
    if (xap_db_get_doc(idx->db, did, &doc, &err) ||
        docdata_get_summary(doc, &data, &len, &err)) {
        xap_doc_free(doc);
        return fail_xap(idx, &err, "reading a page");
    }
    xap_doc_free(doc);
    *out = json_loadb(data, len, 0, NULL);
    free(data);
    if (!*out || !json_is_object(*out)) {
        json_decref(*out);
        *out = NULL;
        return index_fail(idx, RECAP_ECORRUPT,
                          "a page's stored data is damaged: rebuild the "
                          "index with recapsearch-index");
    }
    return RECAP_OK;
}

static const char *
jstr(json_t *obj, const char *key)
{
    return json_string_value(json_object_get(obj, key));
}

/* The documents indexed by `term`, up to `max`, in docid order. */
static recap_status
docs_with_term(recap_index *idx, const char *term, size_t len, xap_docid *dids,
               uint32_t max, uint32_t *n)
{
    xap_query *q = NULL;
    xap_enquire *e = NULL;
    xap_mset *m = NULL;
    xap_error err;
    uint32_t i;
    recap_status rc;

    *n = 0;
    if ((rc = xap_query_term(term, len, 1, 0, &q, &err)) ||
        (rc = xap_enquire_new(idx->db, &e, &err)) ||
        (rc = xap_enquire_set_query(e, q, 0, &err)) ||
        (rc = xap_enquire_mset(e, 0, max, 0, &m, &err)))
        rc = fail_xap(idx, &err, "looking up a page");
    for (i = 0; rc == RECAP_OK && i < xap_mset_size(m); i++)
        dids[(*n)++] = xap_mset_docid(m, i);
    xap_mset_free(m);
    xap_enquire_free(e);
    xap_query_free(q);
    return rc;
}

/* Whether the basename of `path` is a page bundle's index file. */
static int
is_bundle_index(const char *path)
{
    const char *base = path ? strrchr(path, '/') : NULL;

    base = base ? base + 1 : path;
    return base && (strncmp(base, "index.", 6) == 0 ||
                    strncmp(base, "_index.", 7) == 0);
}

/* Looks up `url` (normalised like the indexed "U" terms).  Of several
 * pages carrying it, the one whose own URL it is and that is a bundle's
 * index wins.  Sets pg->did to 0 when there is none. */
static recap_status
find_by_url(recap_index *idx, const char *url, page *pg)
{
    xap_docid dids[RELATED_MAX_SAME_URL];
    uint32_t n = 0, i;
    char *norm = NULL, *term;
    size_t norm_len;
    int best = -1;
    recap_status rc;

    if (analysis_normalize(url, strlen(url), &norm, &norm_len) < 0 ||
        !(term = util_asprintf("%s%s", SCHEMA_PREFIX_URL, norm))) {
        free(norm);
        return index_fail(idx, RECAP_ENOMEM, "out of memory");
    }
    rc =
        docs_with_term(idx, term, strlen(term), dids, RELATED_MAX_SAME_URL, &n);
    for (i = 0; rc == RECAP_OK && i < n; i++) {
        json_t *data = NULL;
        const char *u;
        int score;
        if ((rc = load_data(idx, dids[i], &data)))
            break;
        u = jstr(data, "url");
        score = (u && strcmp(u, url) == 0) * 2 +
                is_bundle_index(jstr(data, "path"));
        if (score > best) {
            best = score;
            json_decref(pg->data);
            pg->data = data;
            pg->did = dids[i];
        } else {
            json_decref(data);
        }
    }
    free(term);
    free(norm);
    return rc;
}

/* "https://host/blog/x" -> "/blog/x"; anything else as given. */
static const char *
url_path(const char *s)
{
    const char *p = strstr(s, "://");

    if (!p)
        return s;
    p = strchr(p + 3, '/');
    return p ? p : "/";
}

/* Finds the page named by opts->page: a path, else a URL with or without
 * its final slash. */
static recap_status
find_page(related *r)
{
    const char *name = r->opts->page;
    char *term, *slashed;
    xap_docid did;
    uint32_t n = 0;
    recap_status rc;

    if (!(term = util_asprintf("%s%s", SCHEMA_PREFIX_PATH, name)))
        return index_fail(r->idx, RECAP_ENOMEM, "out of memory");
    rc = docs_with_term(r->idx, term, strlen(term), &did, 1, &n);
    free(term);
    if (rc == RECAP_OK && n == 1) {
        r->pg.did = did;
        rc = load_data(r->idx, did, &r->pg.data);
    } else if (rc == RECAP_OK) {
        rc = find_by_url(r->idx, url_path(name), &r->pg);
        if (rc == RECAP_OK && !r->pg.did) {
            name = url_path(name);
            if (!(slashed = util_asprintf("%s/", name)))
                return index_fail(r->idx, RECAP_ENOMEM, "out of memory");
            if (*name && name[strlen(name) - 1] != '/')
                rc = find_by_url(r->idx, slashed, &r->pg);
            free(slashed);
        }
    }
    if (rc == RECAP_OK && !r->pg.did)
        return index_fail(r->idx, RECAP_ENOTFOUND,
                          "no page %s in the index: give its path as "
                          "indexed (en/blog/x/index.md) or its URL",
                          r->opts->page);
    if (rc == RECAP_OK) {
        r->pg.path = jstr(r->pg.data, "path");
        r->pg.url = jstr(r->pg.data, "url");
        r->pg.lang = jstr(r->pg.data, "lang");
    }
    return rc;
}

/* ---- the query ---------------------------------------------------------- */

/* Whether an expansion term is worth matching on: not a number, and at
 * least two characters (CJK bigrams are kept, single characters not). */
static int
useful_term(const char *t, size_t len)
{
    size_t i, n_chars = 0, n_digits = 0;

    for (i = 0; i < len; i++) {
        n_chars += ((unsigned char)t[i] & 0xC0) != 0x80;
        n_digits += t[i] >= '0' && t[i] <= '9';
    }
    if (len && t[0] == SCHEMA_PREFIX_KEYWORD[0])
        n_chars--;
    return n_chars >= 2 && n_digits < n_chars;
}

/* Appends q to the list, taking it; frees it when the list cannot grow. */
static int
push(xap_query ***list, size_t *n, xap_query *q)
{
    xap_query **p = realloc(*list, (*n + 1) * sizeof(*p));

    if (!p) {
        xap_query_free(q);
        return -1;
    }
    *list = p;
    (*list)[(*n)++] = q;
    return 0;
}

static void
free_list(xap_query **list, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++)
        xap_query_free(list[i]);
    free(list);
}

/* The page's distinctive terms, OR-ed, into r->want (NULL if none). */
static recap_status
build_want(related *r)
{
    /* Every prefix but the keyword one: prefixes are upper case, prose
     * terms are case-folded. */
    static const char *const skip[] = {
        "A", "B", "C", "D", "E", "F", "G", "H", "I", "J", "L", "M", "N",
        "O", "P", "Q", "R", "S", "T", "U", "V", "W", "X", "Y", "Z", NULL};
    uint32_t max =
        r->opts->max_terms ? r->opts->max_terms : RELATED_DEFAULT_TERMS;
    xap_enquire *e = NULL;
    xap_termiter *it = NULL;
    xap_query **terms = NULL, *q;
    size_t n = 0, len;
    const char *t;
    int more = 0;
    recap_status rc = RECAP_OK;

    if (max > RELATED_MAX_TERMS)
        max = RELATED_MAX_TERMS;
    if (xap_enquire_new(r->idx->db, &e, &r->err) ||
        xap_enquire_eset(e, &r->pg.did, 1, max * 8, skip, &it, &r->err)) {
        xap_enquire_free(e);
        return fail_xap(r->idx, &r->err, "choosing the page's terms");
    }
    while (n < max &&
           (more = xap_termiter_next(it, &t, &len, NULL, &r->err)) == 1) {
        uint32_t tf = 0;
        /* A term no other page has cannot relate the page to anything. */
        if (!useful_term(t, len) ||
            (xap_db_termfreq(r->idx->db, t, len, &tf, NULL) == RECAP_OK &&
             tf < 2))
            continue;
        if (xap_query_term(t, len, 1, 0, &q, &r->err)) {
            rc = fail_xap(r->idx, &r->err, "building the query");
            break;
        }
        if (push(&terms, &n, q)) {
            rc = index_fail(r->idx, RECAP_ENOMEM, "out of memory");
            break;
        }
    }
    if (more < 0 && rc == RECAP_OK)
        rc = fail_xap(r->idx, &r->err, "choosing the page's terms");
    if (rc == RECAP_OK && n &&
        xap_query_combine(XAP_OP_OR, terms, n, 0, &r->want, &r->err))
        rc = fail_xap(r->idx, &r->err, "building the query");
    free_list(terms, n);
    xap_termiter_free(it);
    xap_enquire_free(e);
    return rc;
}

/* Adds a term query for prefix + s to the list. */
static recap_status
push_term(related *r, xap_query ***list, size_t *n, const char *prefix,
          const char *s, size_t len)
{
    char *term = util_asprintf("%s%.*s", prefix, (int)len, s);
    xap_query *q = NULL;

    if (!term)
        return index_fail(r->idx, RECAP_ENOMEM, "out of memory");
    if (xap_query_term(term, strlen(term), 1, 0, &q, &r->err)) {
        free(term);
        return fail_xap(r->idx, &r->err, "building the query");
    }
    free(term);
    return push(list, n, q) ? index_fail(r->idx, RECAP_ENOMEM, "out of memory")
                            : RECAP_OK;
}

/* The page's URL terms (its URL and aliases), as they are indexed. */
static recap_status
skip_urls(related *r, xap_query ***list, size_t *n)
{
    xap_termiter *it = NULL;
    const char *t;
    size_t len;
    int more;
    recap_status rc = RECAP_OK;

    if (xap_db_termlist(r->idx->db, r->pg.did, &it, &r->err))
        return fail_xap(r->idx, &r->err, "reading the page's terms");
    while ((more = xap_termiter_next(it, &t, &len, NULL, &r->err)) == 1 &&
           rc == RECAP_OK)
        if (len > 1 && t[0] == SCHEMA_PREFIX_URL[0])
            rc = push_term(r, list, n, "", t, len);
    if (more < 0 && rc == RECAP_OK)
        rc = fail_xap(r->idx, &r->err, "reading the page's terms");
    xap_termiter_free(it);
    return rc;
}

/* The page's translations: the same path under every other language
 * folder of the index. */
static recap_status
skip_translations(related *r, xap_query ***list, size_t *n)
{
    const char *lang = r->pg.lang, *path = r->pg.path, *rest, *t;
    xap_termiter *it = NULL;
    size_t lang_len, len;
    strbuf b = STRBUF_INIT;
    int more;
    recap_status rc = RECAP_OK;

    if (!lang || !path)
        return RECAP_OK;
    lang_len = strlen(lang);
    if (strncmp(path, lang, lang_len) != 0 || path[lang_len] != '/')
        return RECAP_OK; /* no language folder: nothing to translate */
    rest = path + lang_len;
    if (xap_db_allterms(r->idx->db, SCHEMA_PREFIX_LANG, 1, &it, &r->err))
        return fail_xap(r->idx, &r->err, "listing languages");
    while ((more = xap_termiter_next(it, &t, &len, NULL, &r->err)) == 1 &&
           rc == RECAP_OK) {
        strbuf_reset(&b);
        strbuf_append(&b, t + 1, len - 1);
        strbuf_puts(&b, rest);
        if (b.oom)
            rc = index_fail(r->idx, RECAP_ENOMEM, "out of memory");
        else
            rc = push_term(r, list, n, SCHEMA_PREFIX_PATH, b.data, b.len);
    }
    if (more < 0 && rc == RECAP_OK)
        rc = fail_xap(r->idx, &r->err, "listing languages");
    strbuf_free(&b);
    xap_termiter_free(it);
    return rc;
}

/* r->want filtered by language, minus the page and its kin. */
static recap_status
build_query(related *r)
{
    const char *lang = r->opts->lang ? r->opts->lang : r->pg.lang;
    xap_query **skip = NULL, *pair[2], *q = NULL;
    size_t n_skip = 0;
    recap_status rc;

    rc = push_term(r, &skip, &n_skip, SCHEMA_PREFIX_PATH, r->pg.path,
                   strlen(r->pg.path));
    if (rc == RECAP_OK)
        rc = skip_urls(r, &skip, &n_skip);
    if (rc == RECAP_OK)
        rc = skip_translations(r, &skip, &n_skip);
    if (rc == RECAP_OK &&
        xap_query_combine(XAP_OP_OR, skip, n_skip, 0, &r->skip, &r->err))
        rc = fail_xap(r->idx, &r->err, "building the query");
    free_list(skip, n_skip);
    if (rc == RECAP_OK) {
        pair[0] = r->want;
        pair[1] = r->skip;
        if (xap_query_combine(XAP_OP_AND_NOT, pair, 2, 0, &q, &r->err))
            return fail_xap(r->idx, &r->err, "building the query");
        xap_query_free(r->want);
        r->want = q;
    }
    if (rc == RECAP_OK && lang && strcmp(lang, "*") != 0) {
        char *norm = NULL, *term;
        size_t norm_len;
        if (analysis_normalize(lang, strlen(lang), &norm, &norm_len) < 0 ||
            !(term = util_asprintf("%s%s", SCHEMA_PREFIX_LANG, norm))) {
            free(norm);
            return index_fail(r->idx, RECAP_ENOMEM, "out of memory");
        }
        free(norm);
        rc = xap_query_term(term, strlen(term), 1, 0, &pair[1], &r->err);
        free(term);
        if (rc)
            return fail_xap(r->idx, &r->err, "building the query");
        pair[0] = r->want;
        rc = xap_query_combine(XAP_OP_FILTER, pair, 2, 0, &q, &r->err);
        xap_query_free(pair[1]);
        if (rc)
            return fail_xap(r->idx, &r->err, "building the query");
        xap_query_free(r->want);
        r->want = q;
    }
    return rc;
}

/* ---- the hits ----------------------------------------------------------- */

static char *
jdup(json_t *obj, const char *key)
{
    const char *v = jstr(obj, key);

    return v ? util_strdup(v) : NULL;
}

/* Whether a hit with this URL is already listed. */
static int
url_listed(const recap_results *res, const char *url)
{
    size_t i;

    for (i = 0; url && i < res->n_hits; i++)
        if (res->hits[i].url && strcmp(res->hits[i].url, url) == 0)
            return 1;
    return 0;
}

static recap_status
add_hit(related *r, const xap_mset *m, uint32_t i)
{
    xap_doc *doc = NULL;
    char *data = NULL;
    size_t len;
    json_t *obj;
    recap_hit *hit;
    xap_error err;

    if (xap_mset_doc(m, i, &doc, &err) ||
        docdata_get_summary(doc, &data, &len, &err)) {
        xap_doc_free(doc);
        return fail_xap(r->idx, &err, "reading a related page");
    }
    xap_doc_free(doc);
    obj = json_loadb(data, len, 0, NULL);
    free(data);
    if (!obj)
        return index_fail(r->idx, RECAP_ECORRUPT,
                          "a page's stored data is damaged: rebuild the "
                          "index with recapsearch-index");
    if (url_listed(r->res, jstr(obj, "url"))) {
        json_decref(obj);
        return RECAP_OK;
    }
    hit = &r->res->hits[r->res->n_hits++];
    memset(hit, 0, sizeof(*hit));
    hit->rank = (unsigned)r->res->n_hits;
    hit->score = xap_mset_weight(m, i);
    hit->path = jdup(obj, "path");
    hit->url = jdup(obj, "url");
    hit->title = jdup(obj, "title");
    hit->date = jdup(obj, "date");
    hit->section = jdup(obj, "section");
    hit->lang = jdup(obj, "lang");
    hit->description = jdup(obj, "description");
    json_decref(obj);
    if (!hit->path || !hit->url || !hit->lang)
        return index_fail(r->idx, RECAP_ENOMEM, "out of memory");
    return RECAP_OK;
}

static recap_status
run(related *r)
{
    uint32_t limit = r->opts->limit ? r->opts->limit : RELATED_DEFAULT_LIMIT;
    /* Pages sharing a URL collapse into one hit: look a bit further. */
    uint32_t want = limit * 3 + 8, i;
    xap_enquire *e = NULL;
    xap_mset *m = NULL;
    recap_status rc = RECAP_OK;

    if (!r->want)
        return RECAP_OK;
    r->res->hits = calloc(want, sizeof(*r->res->hits));
    if (!r->res->hits)
        return index_fail(r->idx, RECAP_ENOMEM, "out of memory");
    if (xap_enquire_new(r->idx->db, &e, &r->err) ||
        xap_enquire_set_query(e, r->want, 0, &r->err) ||
        xap_enquire_mset(e, 0, want, want, &m, &r->err)) {
        xap_enquire_free(e);
        return fail_xap(r->idx, &r->err, "matching related pages");
    }
    r->res->total = xap_mset_estimated(m);
    r->res->total_exact = xap_mset_lower_bound(m) == xap_mset_upper_bound(m);
    for (i = 0;
         rc == RECAP_OK && i < xap_mset_size(m) && r->res->n_hits < limit; i++)
        rc = add_hit(r, m, i);
    xap_mset_free(m);
    xap_enquire_free(e);
    return rc;
}

/* Relates the page found in r->pg; fills r->res. */
static recap_status
relate(related *r)
{
    recap_status rc = RECAP_OK;

    if (!r->pg.path || !r->pg.lang)
        rc = index_fail(r->idx, RECAP_ECORRUPT,
                        "a page's stored data is damaged: rebuild the "
                        "index with recapsearch-index");
    if (rc == RECAP_OK)
        rc = build_want(r);
    if (rc == RECAP_OK && r->want)
        rc = build_query(r);
    if (rc == RECAP_OK)
        rc = run(r);
    xap_query_free(r->want);
    xap_query_free(r->skip);
    r->want = r->skip = NULL;
    return rc;
}

static recap_status
new_results(recap_index *idx, const char *query, recap_results **out)
{
    *out = calloc(1, sizeof(**out));
    if (!*out || !((*out)->query = util_strdup(query))) {
        free(*out);
        *out = NULL;
        return index_fail(idx, RECAP_ENOMEM, "out of memory");
    }
    (*out)->total_exact = 1;
    return RECAP_OK;
}

static recap_status
check_opts(recap_index *idx, const recap_related_options *opts, void *out)
{
    if (!idx)
        return RECAP_EINVAL;
    if (!opts || !out || opts->version != RECAP_RELATED_OPTIONS_VERSION)
        return index_fail(idx, RECAP_EINVAL, "invalid related options");
    return RECAP_OK;
}

recap_status
recap_related(recap_index *idx, const recap_related_options *opts,
              recap_results **out)
{
    related r;
    double t0 = util_now();
    recap_status rc = check_opts(idx, opts, out);

    if (rc)
        return rc;
    *out = NULL;
    if (!opts->page || !*opts->page)
        return index_fail(idx, RECAP_EINVAL, "no page given");
    memset(&r, 0, sizeof(r));
    r.idx = idx;
    r.opts = opts;
    if ((rc = new_results(idx, opts->page, &r.res)))
        return rc;
    rc = find_page(&r);
    if (rc == RECAP_OK)
        rc = relate(&r);
    json_decref(r.pg.data);
    if (rc != RECAP_OK) {
        recap_results_free(r.res);
        return rc;
    }
    r.res->elapsed = util_now() - t0;
    *out = r.res;
    return RECAP_OK;
}

/* ---- the Hugo data file ------------------------------------------------- */

/* Every indexed path, bundle index files first (so that a URL shared by a
 * bundle and its resources is related from the bundle's page), then in
 * byte order. */
static int
cmp_export(const void *a, const void *b)
{
    const char *pa = *(char *const *)a, *pb = *(char *const *)b;
    int ia = is_bundle_index(pa), ib = is_bundle_index(pb);

    return ia != ib ? ib - ia : strcmp(pa, pb);
}

static recap_status
list_paths(recap_index *idx, char ***out, size_t *n_out)
{
    xap_termiter *it = NULL;
    const char *t;
    size_t len, n = 0;
    char **paths = NULL, **p;
    xap_error err;
    int more;
    recap_status rc = RECAP_OK;

    if (xap_db_allterms(idx->db, SCHEMA_PREFIX_PATH, 1, &it, &err))
        return fail_xap(idx, &err, "listing pages");
    while ((more = xap_termiter_next(it, &t, &len, NULL, &err)) == 1) {
        if (!(p = realloc(paths, (n + 1) * sizeof(*p))) ||
            !(p[n] = util_strndup(t + 1, len - 1))) {
            paths = p ? p : paths;
            rc = index_fail(idx, RECAP_ENOMEM, "out of memory");
            break;
        }
        paths = p;
        n++;
    }
    if (more < 0 && rc == RECAP_OK)
        rc = fail_xap(idx, &err, "listing pages");
    xap_termiter_free(it);
    if (paths)
        qsort(paths, n, sizeof(*paths), cmp_export);
    *out = paths;
    *n_out = n;
    return rc;
}

static json_t *
jstr_or_null(const char *s)
{
    return s ? json_string(s) : json_null();
}

/* [{"title", "url", "date", "score"}, ...] of the results. */
static json_t *
hits_json(const recap_results *res)
{
    json_t *arr = json_array();
    size_t i;

    for (i = 0; arr && i < res->n_hits; i++) {
        const recap_hit *h = &res->hits[i];
        if (json_array_append_new(
                arr, json_pack("{s:o, s:s, s:o, s:f}", "title",
                               jstr_or_null(h->title), "url", h->url, "date",
                               jstr_or_null(h->date), "score",
                               (double)(long long)(h->score * 1000) / 1000))) {
            json_decref(arr);
            return NULL;
        }
    }
    return arr;
}

/* Relates one path into `map` unless its URL is there already. */
static recap_status
export_one(recap_index *idx, const recap_related_options *opts,
           const char *path, json_t *map)
{
    recap_related_options one = *opts;
    related r;
    const char *url;
    json_t *arr;
    recap_status rc;

    one.page = path;
    one.lang = NULL;
    memset(&r, 0, sizeof(r));
    r.idx = idx;
    r.opts = &one;
    if ((rc = new_results(idx, path, &r.res)))
        return rc;
    rc = find_page(&r);
    url = jstr(r.pg.data, "url");
    if (rc == RECAP_OK && url && !json_object_get(map, url) &&
        (!opts->lang || strcmp(opts->lang, "*") == 0 ||
         (r.pg.lang && strcmp(opts->lang, r.pg.lang) == 0))) {
        rc = relate(&r);
        if (rc == RECAP_OK &&
            (!(arr = hits_json(r.res)) || json_object_set_new(map, url, arr)))
            rc = index_fail(idx, RECAP_ENOMEM, "out of memory");
    }
    json_decref(r.pg.data);
    recap_results_free(r.res);
    return rc;
}

recap_status
recap_related_export(recap_index *idx, const recap_related_options *opts,
                     int pretty, char **out)
{
    char **paths = NULL;
    size_t n = 0, i;
    json_t *map;
    recap_status rc = check_opts(idx, opts, out);

    if (rc)
        return rc;
    *out = NULL;
    if (!(map = json_object()))
        return index_fail(idx, RECAP_ENOMEM, "out of memory");
    rc = list_paths(idx, &paths, &n);
    for (i = 0; rc == RECAP_OK && i < n; i++)
        rc = export_one(idx, opts, paths[i], map);
    for (i = 0; i < n; i++)
        free(paths[i]);
    free(paths);
    if (rc == RECAP_OK &&
        !(*out = json_dumps(map, (pretty ? JSON_INDENT(2) : JSON_COMPACT) |
                                     JSON_SORT_KEYS)))
        rc = index_fail(idx, RECAP_ENOMEM, "out of memory");
    json_decref(map);
    return rc;
}
