/*
 * search.c: recap_search, the reading half of the public API.
 *
 * Default semantics suit a search box: every word is wanted, so the
 * documents that have all of them come first, ranked by BM25 over the
 * weighted fields; below them come the documents that miss some words, so
 * a query with one unlucky word still finds something.  The two tiers are
 * two matches: AND(units), then OR(units) AND_NOT AND(units); the second
 * one ranks with a lower BM25 k1 (recap_ranking.loose_k1), so that a page
 * with two of three words comes before one that repeats one word.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "doccache.h"
#include "docdata.h"
#include "facets.h"
#include "index_int.h"
#include "qbuild.h"
#include "qparse.h"
#include "qtree.h"
#include "results_int.h"
#include "schema.h"
#include "limit.h"
#include "snippet.h"
#include "spell.h"
#include "util.h"

typedef struct search {
    recap_index *idx;
    const recap_search_options *opts;
    const char *lang; /* NULL: all languages */
    qbuild qb;
    xap_query *strict, *loose;
    xap_query *core; /* what the second tier leaves out */
    recap_results *res;
    size_t cap_hits;
    facets *facets;           /* NULL: none asked for */
    snippet_matcher *matcher; /* the query terms, for the hits' language */
    qbuild_units near;        /* qtree_out.near: the proximity bonus */
    xap_mset *stats;          /* the first tier's: its term statistics */
    double t0;                /* start, for the time budget */
} search;

static recap_status
fail_xap(search *s, const xap_error *err, const char *what)
{
    return index_fail_xap(s->idx, err, what);
}

/*
 * A search-option date ("YYYY", "YYYY-MM" or "YYYY-MM-DD") as a bound of
 * SCHEMA_SLOT_DATE: the first instant of the period, or with `end` the
 * last.  Returns 0, or -1 when the date has another shape.
 */
static int
date_bound(const char *date, int end, char out[15])
{
    size_t n = 0, i;

    for (i = 0; date[i]; i++) {
        if (date[i] >= '0' && date[i] <= '9' && n < 14)
            out[n++] = date[i];
        else if (date[i] != '-' || (i != 4 && i != 7))
            return -1;
    }
    if (n != 4 && n != 6 && n != 8)
        return -1;
    while (n < 14)
        out[n++] = end ? '9' : '0';
    out[14] = '\0';
    return 0;
}

/* The filters of the options, AND-ed; *out is NULL when there are none. */
static recap_status
build_filters(search *s, xap_query **out)
{
    const recap_search_options *o = s->opts;
    qlist fl = {0};
    char lo[15], hi[15];
    xap_query *q = NULL;

    *out = NULL;
    if (s->lang)
        qlist_push(&s->qb, &fl,
                   qbuild_filter(&s->qb, SCHEMA_PREFIX_LANG, s->lang));
    if (o->section)
        qlist_push(&s->qb, &fl,
                   qbuild_filter(&s->qb, SCHEMA_PREFIX_SECTION, o->section));
    if (o->tag)
        qlist_push(&s->qb, &fl,
                   qbuild_filter(&s->qb, SCHEMA_PREFIX_TAG, o->tag));
    if (o->author) {
        qlist words = {0};
        qbuild_words(&s->qb, o->author, strlen(o->author), SCHEMA_PREFIX_AUTHOR,
                     &words, NULL);
        qlist_push(&s->qb, &fl,
                   words.n ? qlist_combine(&s->qb, &words, XAP_OP_AND, 0)
                           : NULL);
        qlist_clear(&words);
    }
    if ((o->since && date_bound(o->since, 0, lo)) ||
        (o->until && date_bound(o->until, 1, hi))) {
        qlist_clear(&fl);
        return index_fail(
            s->idx, RECAP_EINVAL,
            "%s: expected a date as YYYY, YYYY-MM or "
            "YYYY-MM-DD, got '%s'",
            o->since && date_bound(o->since, 0, lo) ? "since" : "until",
            o->since && date_bound(o->since, 0, lo) ? o->since : o->until);
    }
    if ((o->since || o->until) && !s->qb.rc) {
        if (xap_query_value_range(SCHEMA_SLOT_DATE, o->since ? lo : NULL, 14,
                                  o->until ? hi : NULL, 14, &q, &s->qb.err))
            s->qb.rc = s->qb.err.rc;
        qlist_push(&s->qb, &fl, q);
    }
    *out = qlist_combine(&s->qb, &fl, XAP_OP_AND, 0);
    qlist_clear(&fl);
    if (s->qb.rc)
        return fail_xap(s, &s->qb.err, "building the filters");
    return RECAP_OK;
}

/* Applies `filter` to *q (taking ownership of *q). */
static recap_status
apply_filter(search *s, xap_query **q, const xap_query *filter)
{
    xap_query *both[2], *out = NULL;
    recap_status rc;

    if (!filter || !*q)
        return RECAP_OK;
    both[0] = *q;
    both[1] = (xap_query *)filter;
    rc = xap_query_combine(XAP_OP_FILTER, both, 2, 0, &out, &s->qb.err);
    xap_query_free(*q);
    *q = out;
    return rc ? fail_xap(s, &s->qb.err, "building the query") : RECAP_OK;
}

/* The factor of the content prior (schema.h, SCHEMA_SLOT_PRIOR): Xapian
 * scales weights down only, so the value is stored large. */
static double
prior_factor(const search *s)
{
    double w = s->idx->ranking.prior;
    return w < SCHEMA_PRIOR_MAX ? w / SCHEMA_PRIOR_MAX : 1;
}

/* Adds the content prior to the weight of every match of *q: AND_MAYBE, so
 * it never adds matches.  Only results sorted by date need it in the
 * query (it breaks ties of equal dates); ranked results get it from
 * rerank(), which reads it for the top of each tier only. */
static recap_status
add_prior(search *s, xap_query **q)
{
    xap_query *pair[2], *out = NULL;
    double w = s->idx->ranking.prior;
    recap_status rc;

    if (!*q || !(w > 0) || s->opts->sort == RECAP_SORT_RELEVANCE)
        return RECAP_OK;
    if ((rc = xap_query_value_weight(SCHEMA_SLOT_PRIOR, prior_factor(s),
                                     &pair[1], &s->qb.err)) == RECAP_OK) {
        pair[0] = *q;
        rc = xap_query_combine(XAP_OP_AND_MAYBE, pair, 2, 0, &out, &s->qb.err);
        xap_query_free(pair[1]);
    }
    if (rc)
        return fail_xap(s, &s->qb.err, "building the query");
    xap_query_free(*q);
    *q = out;
    return RECAP_OK;
}

/* Whether the proximity bonus is added after the match, to the top hits
 * of the first tier (rerank), rather than by a PHRASE in the query.
 * Xapian checks a PHRASE in the query on the pages that may still make
 * the page of results, which costs little on a small site but grows with
 * the pages that have all the words (5 ms a search at 100,000 posts); the
 * rerank costs about one block read per word for each of the top hits
 * whatever the size (about 60 us more than the PHRASE on a site of 2,500
 * pages).  Both give the bonus of a PHRASE; BM25 only (xap.h). */
#define SEARCH_NEAR_RERANK_DOCS 10000

static int
near_after(const search *s)
{
    return s->idx->ranking.scheme == RECAP_SCHEME_BM25 &&
           s->opts->sort == RECAP_SORT_RELEVANCE &&
           s->qb.doccount >= SEARCH_NEAR_RERANK_DOCS;
}

static recap_status
build(search *s)
{
    qparse_options po = QPARSE_OPTIONS_INIT;
    qparse_tree *tree = NULL;
    qparse_error perr;
    qtree_out qt = {0};
    const char *q = s->opts->query;
    xap_query *filter = NULL;
    qlist fl = {0};
    recap_status rc;
    int strict = (s->opts->flags & RECAP_SEARCH_STRICT) != 0;

    po.flags = strict ? QPARSE_STRICT : 0;
    po.fields = qtree_fields;
    rc = qparse_parse(q, strlen(q), &po, &tree, &perr);
    if (rc == RECAP_EQUERY)
        return index_fail(s->idx, rc, "query: %s", perr.msg);
    if (rc != RECAP_OK)
        return index_fail(s->idx, rc, "query: %s", recap_status_str(rc));
    qtree_build(&s->qb, qparse_tree_root(tree), strict,
                s->idx->ranking.proximity, near_after(s), &qt);
    qparse_tree_free(tree);
    s->strict = qt.strict;
    s->loose = qt.loose;
    s->core = qt.core;
    s->near = qt.near;
    if (s->qb.rc) {
        xap_query_free(qt.filter);
        return fail_xap(s, &s->qb.err, "building the query");
    }
    rc = build_filters(s, &filter);
    qlist_push(&s->qb, &fl, filter);
    qlist_push(&s->qb, &fl, qt.filter);
    filter = qlist_combine(&s->qb, &fl, XAP_OP_AND, 0);
    qlist_clear(&fl);
    /* Filters alone (a query of only field filters) list what they match. */
    if (rc == RECAP_OK && !s->strict && filter &&
        xap_query_match_all(&s->strict, &s->qb.err))
        rc = fail_xap(s, &s->qb.err, "building the query");
    if (rc == RECAP_OK &&
        (rc = apply_filter(s, &s->strict, filter)) == RECAP_OK &&
        (rc = apply_filter(s, &s->loose, filter)) == RECAP_OK)
        rc = add_prior(s, &s->strict);
    xap_query_free(filter);
    return rc;
}

/* Makes s->matcher for `stemmer` (hits of another language need
 * another one). */
static recap_status
search_matcher(search *s, analysis_stemmer *stemmer)
{
    if (s->matcher && snippet_matcher_stemmer(s->matcher) == stemmer)
        return RECAP_OK;
    snippet_matcher_free(s->matcher);
    s->matcher = NULL;
    return snippet_matcher_new(s->qb.terms, s->qb.n_terms, stemmer,
                               &s->matcher);
}

/* "URL#ANCHOR", or a copy of the URL without an anchor; NULL when out of
 * memory.  (Written out: it is made for every snippet, and snprintf costs
 * more than the copies.) */
static char *
deep_link(const char *url, const char *anchor)
{
    size_t u = strlen(url), a = anchor ? strlen(anchor) : 0;
    char *s = malloc(u + a + 2);

    if (!s)
        return NULL;
    memcpy(s, url, u);
    if (anchor) {
        s[u++] = '#';
        memcpy(s + u, anchor, a);
    }
    s[u + a] = '\0';
    return s;
}

/* Fills the snippets of `hit` from the stored sections. */
static recap_status
make_snippets(search *s, recap_hit *hit, const docdata *dd, const char *desc)
{
    snippet_options so = SNIPPET_OPTIONS_INIT;
    snippet_section *ss;
    snippet *sn = NULL;
    size_t n_secs = dd->n_secs, n_sn = 0, i, j, base;
    recap_status rc;

    ss = calloc(n_secs + 1, sizeof(*ss));
    if (!ss)
        return RECAP_ENOMEM;
    /* The description is a pseudo-section at 0: a fallback for hits that
     * match in the title only. */
    base = desc ? 1 : 0;
    if (desc) {
        ss[0].text = desc;
        ss[0].text_len = strlen(desc);
        ss[0].fallback = 1;
    }
    for (i = 0; i < n_secs; i++) {
        const docdata_section *o = &dd->secs[i];
        ss[base + i].heading = o->h;
        ss[base + i].anchor = o->a;
        ss[base + i].text = o->t;
        ss[base + i].text_len = o->t_len;
        ss[base + i].code = o->c;
        ss[base + i].code_len = o->c_len;
    }
    so.max_chars = s->opts->snippet_length ? s->opts->snippet_length : 200;
    so.max_snippets = s->opts->max_snippets ? s->opts->max_snippets : 3;
    so.use_code = 1;
    rc = search_matcher(s, index_stemmer(s->idx, hit->lang));
    if (rc == RECAP_OK)
        rc = snippet_make_with(s->matcher, ss, n_secs + base, &so, &sn, &n_sn);
    if (rc == RECAP_OK && n_sn) {
        hit->snippets = calloc(n_sn, sizeof(*hit->snippets));
        if (!hit->snippets)
            rc = RECAP_ENOMEM;
    }
    for (i = 0; rc == RECAP_OK && i < n_sn; i++) {
        recap_snippet *o = &hit->snippets[i];
        const snippet_section *from = &ss[sn[i].section];
        o->text = sn[i].text;
        o->html = sn[i].html;
        sn[i].text = sn[i].html = NULL;
        o->heading = util_strdup(from->heading);
        o->anchor = util_strdup(from->anchor);
        o->url = deep_link(hit->url ? hit->url : "", from->anchor);
        o->hl = calloc(sn[i].n_ranges * 2 + 1, sizeof(size_t));
        if (!o->hl) {
            rc = RECAP_ENOMEM;
            break;
        }
        for (j = 0; j < sn[i].n_ranges; j++) {
            o->hl[2 * j] = sn[i].ranges[j].off;
            o->hl[2 * j + 1] = sn[i].ranges[j].len;
        }
        o->n_hl = sn[i].n_ranges;
        hit->n_snippets++;
    }
    snippet_array_free(sn, n_sn);
    free(ss);
    return rc;
}

/* Reads the stored page of hit i of `m` into *dd: the whole page, or
 * with `summary` only what a hit without snippets shows.  Returns
 * RECAP_OK, or a failure with the message set; *full says which was read
 * and *bytes the unpacked size. */
static recap_status
read_page(search *s, const xap_mset *m, uint32_t i, int summary, docdata *dd,
          int *full, size_t *bytes)
{
    xap_doc *doc = NULL;
    char *data = NULL;
    size_t len = 0;
    xap_error err;
    recap_status rc;

    *full = 0;
    if ((rc = xap_mset_doc(m, i, &doc, &err)))
        return fail_xap(s, &err, "reading a hit");
    /* Without snippets the summary slot is enough (indexes made before it
     * existed have none: then read the whole data). */
    if (summary &&
        (rc = xap_doc_get_value(doc, SCHEMA_SLOT_SUMMARY, &data, &len, &err)) ==
            RECAP_OK &&
        len == 0) {
        free(data);
        data = NULL;
    }
    if (rc == RECAP_OK && !data) {
        rc = docdata_get_full(doc, &data, &len, &err);
        *full = 1;
    }
    xap_doc_free(doc);
    if (rc)
        return fail_xap(s, &err, "reading a hit");
    *bytes = len;
    if (docdata_parse_owned(data, len, dd))
        return index_fail(s->idx, RECAP_ECORRUPT,
                          "a document's stored data is damaged: rebuild the "
                          "index with recapsearch-index");
    return RECAP_OK;
}

static recap_status
add_hit(search *s, const xap_mset *m, uint32_t i, unsigned rank, double score)
{
    docdata own;
    const docdata *dd;
    int full = 0, summary = (s->opts->flags & RECAP_SEARCH_NO_SNIPPETS) != 0;
    uint32_t did = xap_mset_docid(m, i);
    size_t bytes = 0;
    recap_hit *hit;
    recap_status rc;

    memset(&own, 0, sizeof(own));
    if (!(dd = doccache_get(s->idx->pages, did))) {
        if ((rc = read_page(s, m, i, summary, &own, &full, &bytes)))
            return rc;
        /* Whole pages are kept for the next searches (doccache.h). */
        if (!full ||
            !(dd = doccache_put(s->idx->pages, did, &own,
                                bytes + own.n_secs * sizeof(*own.secs))))
            dd = &own;
    }
    hit = &s->res->hits[s->res->n_hits++];
    memset(hit, 0, sizeof(*hit));
    hit->rank = rank;
    hit->score = score;
    hit->path = util_strdup(dd->path);
    hit->url = util_strdup(dd->url);
    hit->title = util_strdup(dd->title);
    hit->date = util_strdup(dd->date);
    hit->section = util_strdup(dd->section);
    hit->lang = util_strdup(dd->lang);
    hit->description = util_strdup(dd->description);
    rc = results_hit_set_translations(hit, dd->tr_lang, dd->tr_url, dd->n_tr);
    if (rc == RECAP_OK && !summary)
        rc = make_snippets(s, hit, dd, hit->description);
    docdata_free(&own);
    if (rc)
        return index_fail(s->idx, rc, "making snippets: %s",
                          recap_status_str(rc));
    return RECAP_OK;
}

_Static_assert((int)XAP_SCHEME_BM25PLUS == (int)RECAP_SCHEME_BM25PLUS &&
                   (int)XAP_SCHEME_LM == (int)RECAP_SCHEME_LM,
               "xap_scheme follows recap_scheme");

/* How many of a tier's best hits the bonuses of rerank() may reorder.
 * The same for every page of results, so paging neither repeats nor skips
 * a hit. */
#define SEARCH_RERANK_WINDOW 30

/* The content priors of the documents rerank() saw, kept for the
 * handle's revision alongside the page cache (a server asks for the same
 * popular pages again and again): a direct-mapped table by docid, 0 for
 * a free slot (Xapian has no docid 0). */
#define PRIOR_CACHE_SLOTS 4096

struct prior_cache {
    xap_docid did[PRIOR_CACHE_SLOTS];
    double value[PRIOR_CACHE_SLOTS];
};

/* xap_db_sortable_values() of SCHEMA_SLOT_PRIOR for dids[0..n) (n at most
 * SEARCH_RERANK_WINDOW), from the cache where it has them. */
static recap_status
read_priors(recap_index *idx, const xap_docid *dids, uint32_t n, double *out,
            xap_error *err)
{
    struct prior_cache *c = idx->priors;
    xap_docid miss[SEARCH_RERANK_WINDOW];
    double got[SEARCH_RERANK_WINDOW];
    unsigned char hit[SEARCH_RERANK_WINDOW];
    uint32_t i, k = 0;
    recap_status rc;

    if (!c && idx->pages && (c = calloc(1, sizeof(*c))))
        idx->priors = c;
    for (i = 0; i < n; i++) {
        size_t slot = dids[i] & (PRIOR_CACHE_SLOTS - 1);
        hit[i] = c && dids[i] && c->did[slot] == dids[i];
        if (hit[i])
            out[i] = c->value[slot];
        else
            miss[k++] = dids[i];
    }
    if (k == 0)
        return RECAP_OK;
    if ((rc = xap_db_sortable_values(idx->db, SCHEMA_SLOT_PRIOR, miss, k, got,
                                     err)))
        return rc;
    for (i = 0, k = 0; i < n; i++) {
        size_t slot = dids[i] & (PRIOR_CACHE_SLOTS - 1);
        if (hit[i])
            continue;
        out[i] = got[k++];
        if (c && dids[i]) {
            c->did[slot] = dids[i];
            c->value[slot] = out[i];
        }
    }
    return RECAP_OK;
}

/* The bonuses that Xapian would add to every match, added to the best
 * SEARCH_RERANK_WINDOW hits of a tier (`m`) only, which are then
 * reordered: checking a few hits costs a fraction of having Xapian
 * evaluate the bonus on every page that matches (40% of a two-word search
 * for the PHRASE, 19% of a search over 100,000 posts for the prior), and
 * on the relevance judgments and 250 two-word queries the top 10 is the
 * same.  The bonuses:
 * - proximity (first tier, BM25): pages where the words stand together
 *   (s->near) gain what a PHRASE of them, weighted by
 *   recap_ranking.proximity, would add;
 * - the content prior (schema.h, SCHEMA_SLOT_PRIOR), as add_prior() in the
 *   query would.
 * Fills order[] (indexes into `m`, best first) and score[] for the n
 * hits. */
static recap_status
rerank(search *s, const xap_mset *m, const xap_weighting *w, int near,
       uint32_t n, uint32_t *order, double *score)
{
    uint32_t i, j, top = n < SEARCH_RERANK_WINDOW ? n : SEARCH_RERANK_WINDOW;
    xap_docid dids[SEARCH_RERANK_WINDOW];
    double bonus[SEARCH_RERANK_WINDOW], prior[SEARCH_RERANK_WINDOW];
    xap_error err;

    for (i = 0; i < n; i++) {
        order[i] = i;
        score[i] = xap_mset_weight(m, i);
    }
    for (i = 0; i < top; i++) {
        dids[i] = xap_mset_docid(m, i);
        bonus[i] = 0;
    }
    if (near && xap_db_phrase_bonus(s->idx->db, dids, top,
                                    (const char *const *)s->near.t, s->near.len,
                                    s->near.n, w, s->idx->ranking.proximity,
                                    bonus, &err))
        return fail_xap(s, &err, "reading positions");
    if (s->idx->ranking.prior > 0) {
        if (read_priors(s->idx, dids, top, prior, &err))
            return fail_xap(s, &err, "reading the content prior");
        for (i = 0; i < top; i++)
            bonus[i] += prior_factor(s) * prior[i];
    }
    /* Insertion sort of the window, stable: equal scores keep Xapian's
     * order. */
    for (i = 0; i < top; i++) {
        double v = score[i] + bonus[i];
        for (j = i; j > 0 && score[j - 1] < v; j--) {
            order[j] = order[j - 1];
            score[j] = score[j - 1];
        }
        order[j] = i;
        score[j] = v;
    }
    return RECAP_OK;
}

/* Runs one tier: hits [first, first + max) of `q`.  *count gets the
 * number of documents the tier matches (exact when the tier ran out).
 * The first tier keeps its match set in s->stats.
 * The second (`loose`) tier saturates term frequency sooner (BM25's k1):
 * its pages miss a word, and which words they have matters more than how
 * often they repeat one. */
static recap_status
run_tier(search *s, const xap_query *q, int loose, uint32_t first, uint32_t max,
         uint64_t *count, int *exact)
{
    xap_enquire *e = NULL;
    xap_mset *m = NULL;
    xap_error err;
    recap_status rc;
    uint32_t i, n, *order = NULL;
    double *score = NULL;
    const recap_ranking *r = &s->idx->ranking;
    xap_weighting w = {(xap_scheme)r->scheme,
                       loose ? r->loose_k1 : r->k1,
                       r->b,
                       0.5,
                       r->delta,
                       r->c,
                       r->mu};
    /* A tier with no room left on the page is only counted: without facets
     * to fill, Xapian's estimate from the term statistics will do, and
     * asking it to check even one match makes it walk the posting lists
     * (half the time of a query on a large index). */
    uint32_t at_least =
        max == 0 && !s->facets
            ? 0
            : facets_check_at_least(s->facets, first + max + 1, s->qb.doccount);
    /* The bonuses reorder the top of a ranked tier: fetch it whole
     * whatever the page. */
    int near = !loose && s->near.n > 1 && r->proximity > 0 && near_after(s);
    int re = (near || r->prior > 0) && max > 0 &&
             s->opts->sort == RECAP_SORT_RELEVANCE &&
             first < SEARCH_RERANK_WINDOW;
    uint32_t fetch_first = re ? 0 : first,
             fetch_max = re ? (first + max > SEARCH_RERANK_WINDOW
                                   ? first + max
                                   : SEARCH_RERANK_WINDOW)
                            : max;

    *count = 0;
    if ((rc = xap_enquire_new(s->idx->db, &e, &err)) ||
        (rc = xap_enquire_set_query(e, q, 0, &err)) ||
        (rc = xap_enquire_set_weighting(e, &w, &err)) ||
        (s->opts->sort == RECAP_SORT_DATE &&
         (rc = xap_enquire_set_sort(e, XAP_SORT_VALUE_THEN_RELEVANCE,
                                    SCHEMA_SLOT_DATE, 1, &err))) ||
        (s->idx->time_limit > 0 &&
         (rc = xap_enquire_set_time_limit(e, s->idx->time_limit, &err))) ||
        (rc = facets_attach(s->facets, e, &err)) ||
        (rc =
             xap_enquire_mset(e, fetch_first, fetch_max, at_least, &m, &err))) {
        xap_enquire_free(e);
        return fail_xap(s, &err, "searching");
    }
    n = xap_mset_size(m);
    *count = xap_mset_estimated(m);
    *exact = xap_mset_lower_bound(m) == xap_mset_upper_bound(m);
    if (re && n > 0) {
        order = malloc(n * sizeof(*order));
        score = malloc(n * sizeof(*score));
        if (!order || !score)
            rc = index_fail(s->idx, RECAP_ENOMEM, "out of memory");
        else
            rc = rerank(s, m, &w, near && re, n, order, score);
    }
    for (i = re ? first : 0; i < n && rc == RECAP_OK; i++) {
        if (re && i >= first + max)
            break;
        rc = add_hit(s, m, re ? order[i] : i,
                     (unsigned)(s->opts->offset + s->res->n_hits + 1),
                     re ? score[i] : xap_mset_weight(m, i));
    }
    free(order);
    free(score);
    if (!loose && !s->stats)
        s->stats = m;
    else
        xap_mset_free(m);
    xap_enquire_free(e);
    return rc;
}

/* The second tier: documents with some of the words, after those with
 * all of them. */
static recap_status
run_loose(search *s, uint32_t offset, uint32_t limit, uint64_t n_strict,
          uint64_t *n_loose, int *exact)
{
    xap_query *rest = NULL, *pair[2];
    xap_error err;
    recap_status rc;

    /* Excluding the plain all-words condition rather than the first tier's
     * whole query (with its AND_MAYBE bonuses) also keeps clear of a
     * Xapian 1.4 fault: with the latter, AND_NOT read uninitialised memory
     * and let first-tier pages through again. */
    pair[0] = s->loose;
    pair[1] = s->core ? s->core : s->strict;
    if (xap_query_combine(XAP_OP_AND_NOT, pair, 2, 0, &rest, &err))
        return fail_xap(s, &err, "building the query");
    /* A tier that is only counted (the first filled the page) is
     * estimated from the term statistics of the first, as Xapian would
     * estimate it but without opening its posting lists again: a third of
     * the block reads of a two-word search.  Facets need the matches. */
    if (s->res->n_hits == limit && !s->facets && s->stats &&
        xap_query_estimate(rest, s->stats, s->qb.doccount, n_loose) == 0) {
        *exact = *n_loose == 0;
        xap_query_free(rest);
        return RECAP_OK;
    }
    /* The prior only orders hits: a tier that is only counted goes without
     * it, which saves reading its values. */
    if (s->res->n_hits < limit && (rc = add_prior(s, &rest))) {
        xap_query_free(rest);
        return rc;
    }
    rc = run_tier(s, rest, 1,
                  offset > n_strict ? (uint32_t)(offset - n_strict) : 0,
                  limit - (uint32_t)s->res->n_hits, n_loose, exact);
    xap_query_free(rest);
    return rc;
}

static recap_status
run(search *s)
{
    uint32_t limit = s->opts->limit ? s->opts->limit : 10;
    uint32_t offset = s->opts->offset;
    uint64_t n_strict = 0, n_loose = 0;
    int exact_strict = 1, exact_loose = 1;
    recap_status rc = RECAP_OK;

    if (!s->strict)
        return RECAP_OK;
    s->res->hits = calloc(limit, sizeof(*s->res->hits));
    if (!s->res->hits)
        return index_fail(s->idx, RECAP_ENOMEM, "out of memory");
    if ((rc = run_tier(s, s->strict, 0, offset, limit, &n_strict,
                       &exact_strict)))
        return rc;
    if (s->idx->time_limit > 0 && util_now() - s->t0 > s->idx->time_limit)
        s->res->partial = 1; /* over budget: skip the second tier */
    else if (s->loose)
        rc = run_loose(s, offset, limit, n_strict, &n_loose, &exact_loose);
    s->res->total = n_strict + n_loose;
    s->res->total_exact = exact_strict && exact_loose;
    if (rc == RECAP_OK && s->res->n_hits == limit &&
        (offset + limit < s->res->total || !s->res->total_exact))
        s->res->next_offset = (uint64_t)offset + limit;
    return rc;
}

static void
caches_free(recap_index *idx)
{
    spell_cache_free(idx->spell);
    doccache_free(idx->pages);
    free(idx->priors);
    idx->priors = NULL;
    idx->spell = NULL;
    idx->pages = NULL;
}

/* Empties the caches of what an earlier revision said (index_int.h). */
static void
caches_reset(recap_index *idx)
{
    caches_free(idx);
    idx->caches_free = caches_free;
    if (idx->page_cache_bytes && idx->mode == RECAP_OPEN_READ)
        idx->pages = doccache_new(idx->page_cache_bytes);
    idx->cache_epoch = idx->epoch;
}

static recap_status
search_once(recap_index *idx, const recap_search_options *opts,
            recap_results **out)
{
    search s;
    double t0 = util_now();
    recap_status rc;

    if (!idx || !opts || !out || !opts->query ||
        opts->version != RECAP_SEARCH_OPTIONS_VERSION)
        return idx ? index_fail(idx, RECAP_EINVAL, "invalid search options")
                   : RECAP_EINVAL;
    *out = NULL;
    memset(&s, 0, sizeof(s));
    s.idx = idx;
    s.opts = opts;
    s.t0 = t0;
    s.lang = opts->lang && *opts->lang ? opts->lang : idx->main_lang;
    if (strcmp(s.lang, "*") == 0)
        s.lang = NULL;
    s.res = calloc(1, sizeof(*s.res));
    if (!s.res || !(s.res->query = util_strdup(opts->query))) {
        free(s.res);
        return index_fail(idx, RECAP_ENOMEM, "out of memory");
    }
    s.res->total_exact = 1;
    qbuild_init(&s.qb, idx->db,
                index_stemmer(idx, s.lang ? s.lang : idx->main_lang),
                idx->ranking.code);
    s.qb.query = opts->query;
    if (idx->cache_epoch != idx->epoch || !idx->caches_free)
        caches_reset(idx);
    s.qb.spell = &idx->spell;
    s.qb.exact = (opts->flags & RECAP_SEARCH_EXACT) != 0;
    rc = s.qb.rc ? fail_xap(&s, &s.qb.err, "opening the index") : build(&s);
    if (rc == RECAP_OK)
        rc = facets_new(idx, opts->facets, &s.facets);
    if (rc == RECAP_OK)
        rc = run(&s);
    if (rc == RECAP_OK && facets_collect(s.facets, s.res))
        rc = index_fail(idx, RECAP_ENOMEM, "out of memory");
    facets_free(s.facets);
    snippet_matcher_free(s.matcher);
    if (rc == RECAP_OK && (s.res->suggestion = qbuild_suggestion(&s.qb)))
        s.res->corrected = !s.qb.exact;
    xap_query_free(s.strict);
    xap_query_free(s.loose);
    xap_query_free(s.core);
    qbuild_units_clear(&s.near);
    xap_mset_free(s.stats);
    qbuild_clear(&s.qb);
    if (rc != RECAP_OK) {
        recap_results_free(s.res);
        /* A remote shard that went away: go on without it, once per
         * shard lost. */
        if (rc == RECAP_EBACKEND && index_drop_unreachable(idx) == RECAP_OK)
            return recap_search(idx, opts, out);
        return rc;
    }
    s.res->missing_shards = xap_db_missing_shards(idx->db);
    s.res->elapsed = util_now() - t0;
    *out = s.res;
    return RECAP_OK;
}

/* Xapian discards a revision two commits after it: a reader that holds a
 * handle across them (a server) gets RECAP_EMODIFIED.  Reopening and
 * running the search again is what Xapian asks for; a few tries cover a
 * writer that commits in quick succession. */
#define SEARCH_MAX_REOPENS 3

recap_status
recap_search(recap_index *idx, const recap_search_options *opts,
             recap_results **out)
{
    recap_status rc;
    size_t qlen;
    int tries;

    if (idx && opts && opts->query && out &&
        (qlen = strlen(opts->query)) > LIMIT_QUERY_BYTES) {
        *out = NULL;
        return index_fail(idx, RECAP_EQUERY,
                          "query is %zu bytes, over the %u-byte limit: "
                          "shorten it",
                          qlen, LIMIT_QUERY_BYTES);
    }
    rc = search_once(idx, opts, out);

    for (tries = 0; rc == RECAP_EMODIFIED && tries < SEARCH_MAX_REOPENS;
         tries++) {
        if (recap_index_reopen(idx) != RECAP_OK)
            break;
        rc = search_once(idx, opts, out);
    }
    return rc;
}
