/*
 * test_api.c: the public API (include/recapsearch.h) as a program embedding
 * it sees it, on the sample site corpus/ copied to a temporary directory:
 * every public function, its results, and its error paths.
 */
#define _XOPEN_SOURCE 700
#include <jansson.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "recapsearch.h"

#define OK(call) assert_int_equal((call), RECAP_OK)

/* The site: a copy of corpus/ (so tests may change it) and its index. */
static char tmp[64];
static char site[128], db[128];

static void
sh(const char *fmt, ...)
{
    char cmd[1024];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(cmd, sizeof(cmd), fmt, ap);
    va_end(ap);
    assert_int_equal(system(cmd), 0);
}

static void
write_file(const char *rel, const char *text)
{
    char path[512];
    FILE *f;

    snprintf(path, sizeof(path), "%s/content/%s", site, rel);
    assert_non_null(f = fopen(path, "w"));
    fputs(text, f);
    fclose(f);
}

static recap_index *
open_writer(void)
{
    recap_index *idx = NULL;
    char *err = NULL;

    OK(recap_index_open(db, RECAP_OPEN_CREATE, &idx, &err));
    assert_null(err);
    return idx;
}

static recap_index *
open_reader(void)
{
    recap_index *idx = NULL;

    OK(recap_index_open(db, RECAP_OPEN_READ, &idx, NULL));
    return idx;
}

/* Each test gets a fresh copy of the site, indexed by recap_index_sync. */
static int
setup(void **state)
{
    recap_sync_stats st;
    recap_index *idx;

    (void)state;
    strcpy(tmp, "/tmp/recap-api-XXXXXX");
    assert_non_null(mkdtemp(tmp));
    snprintf(site, sizeof(site), "%s/site", tmp);
    snprintf(db, sizeof(db), "%s/db", tmp);
    sh("cp -r '%s/corpus' '%s'", RECAP_SOURCE_DIR, site);
    idx = open_writer();
    OK(recap_index_sync(idx, site, NULL, &st));
    assert_int_equal(st.n_files, 26);
    assert_int_equal(st.n_added, 25);
    assert_int_equal(st.n_skipped, 1); /* the draft */
    assert_int_equal(st.n_unchanged + st.n_updated + st.n_removed, 0);
    recap_index_close(idx);
    return 0;
}

static int
teardown(void **state)
{
    (void)state;
    sh("rm -rf '%s'", tmp);
    return 0;
}

/* ---- version and status ------------------------------------------------- */

static void
test_version(void **state)
{
    char v[32];

    (void)state;
    snprintf(v, sizeof(v), "%d.%d.%d", RECAP_VERSION_MAJOR, RECAP_VERSION_MINOR,
             RECAP_VERSION_PATCH);
    assert_string_equal(v, RECAP_VERSION);
    assert_string_equal(recap_version(), RECAP_VERSION);
}

static void
test_status_str(void **state)
{
    int i, j;

    (void)state;
    for (i = RECAP_OK; i <= RECAP_EINTERNAL; i++) {
        assert_true(strlen(recap_status_str((recap_status)i)) > 0);
        for (j = RECAP_OK; j < i; j++)
            assert_string_not_equal(recap_status_str((recap_status)i),
                                    recap_status_str((recap_status)j));
    }
    assert_string_equal(recap_status_str((recap_status)999), "unknown status");
}

/* ---- opening ------------------------------------------------------------ */

static void
test_open_errors(void **state)
{
    recap_index *idx = NULL, *other = NULL;
    char *err = NULL, missing[160];

    (void)state;
    assert_int_equal(recap_index_open(NULL, RECAP_OPEN_READ, &idx, &err),
                     RECAP_EINVAL);
    assert_non_null(err);
    free(err);
    assert_int_equal(recap_index_open(db, (recap_open_mode)7, &idx, NULL),
                     RECAP_EINVAL);
    snprintf(missing, sizeof(missing), "%s/nothing-here", tmp);
    assert_int_equal(recap_index_open(missing, RECAP_OPEN_READ, &idx, &err),
                     RECAP_ENOTFOUND);
    assert_non_null(strstr(err, "recapsearch-index"));
    free(err);
    assert_int_equal(recap_index_open(missing, RECAP_OPEN_WRITE, &idx, NULL),
                     RECAP_ENOTFOUND);
    /* One writer at a time. */
    idx = open_writer();
    assert_int_equal(recap_index_open(db, RECAP_OPEN_WRITE, &other, &err),
                     RECAP_ELOCKED);
    assert_null(other);
    assert_non_null(strstr(err, "locked"));
    free(err);
    recap_index_close(idx);
    recap_index_close(NULL);
    assert_non_null(recap_index_errmsg(NULL));
}

static void
test_reader(void **state)
{
    recap_index *idx = open_reader();
    uint64_t n = 0;

    (void)state;
    OK(recap_index_doc_count(idx, &n));
    assert_int_equal(n, 25);
    assert_int_equal(recap_index_doc_count(idx, NULL), RECAP_EINVAL);
    assert_int_equal(recap_index_doc_count(NULL, &n), RECAP_EINVAL);
    assert_string_equal(recap_index_main_lang(idx), "en");
    assert_string_equal(recap_index_main_lang(NULL), "en");
    assert_string_equal(recap_index_errmsg(idx), "");
    OK(recap_index_reopen(idx));
    assert_int_equal(recap_index_reopen(NULL), RECAP_EINVAL);
    /* A reader cannot write. */
    assert_int_equal(recap_index_begin(idx, RECAP_BEGIN_UPDATE), RECAP_EINVAL);
    assert_non_null(strstr(recap_index_errmsg(idx), "read-only"));
    assert_int_equal(recap_index_sync(idx, site, NULL, NULL), RECAP_EINVAL);
    recap_index_close(idx);
}

static void
test_reader_sees_commit_after_reopen(void **state)
{
    recap_index *r = open_reader(), *w = open_writer();
    recap_doc_fields f = RECAP_DOC_FIELDS_INIT;
    uint64_t n = 0;

    (void)state;
    f.path = "en/extra.md";
    f.body = "Extra page.";
    OK(recap_index_begin(w, RECAP_BEGIN_UPDATE));
    OK(recap_index_add_doc(w, &f));
    OK(recap_index_commit(w));
    OK(recap_index_doc_count(r, &n));
    assert_int_equal(n, 25);
    OK(recap_index_reopen(r));
    OK(recap_index_doc_count(r, &n));
    assert_int_equal(n, 26);
    recap_index_close(r);
    recap_index_close(w);
}

/* A reader's cache of parsed pages (recap_index_set_page_cache) never
 * shows a page as it was before a reopen: a page rewritten in place gets
 * its new snippet, with the cache and without. */
static void
test_page_cache_follows_reopen(void **state)
{
    recap_index *w = open_writer();
    recap_doc_fields f = RECAP_DOC_FIELDS_INIT;
    recap_search_options o = RECAP_SEARCH_OPTIONS_INIT;
    recap_results *res = NULL;
    size_t budgets[] = {32u << 20, 0};

    (void)state;
    f.path = "en/cached.md";
    f.title = "Cached page";
    f.body = "The zeppelin hangar opens at dawn.";
    OK(recap_index_begin(w, RECAP_BEGIN_UPDATE));
    OK(recap_index_add_doc(w, &f));
    OK(recap_index_commit(w));
    /* A writable handle keeps no pages. */
    assert_int_equal(recap_index_set_page_cache(w, 1024), RECAP_EINVAL);
    for (size_t k = 0; k < 2; k++) {
        recap_index *r = open_reader();
        OK(recap_index_set_page_cache(r, budgets[k]));
        o.query = "zeppelin";
        for (int round = 0; round < 2; round++) { /* the second from cache */
            OK(recap_search(r, &o, &res));
            assert_int_equal(recap_results_count(res), 1);
            assert_non_null(strstr(recap_snippet_text(recap_hit_snippet(
                                       recap_results_hit(res, 0), 0)),
                                   k ? "at noon" : "at dawn"));
            recap_results_free(res);
        }
        f.body = k ? "The zeppelin hangar opens at dawn."
                   : "The zeppelin hangar opens at noon.";
        OK(recap_index_begin(w, RECAP_BEGIN_UPDATE));
        OK(recap_index_add_doc(w, &f));
        OK(recap_index_commit(w));
        OK(recap_index_reopen(r));
        OK(recap_search(r, &o, &res));
        assert_non_null(strstr(
            recap_snippet_text(recap_hit_snippet(recap_results_hit(res, 0), 0)),
            k ? "at dawn" : "at noon"));
        recap_results_free(res);
        recap_index_close(r);
    }
    recap_index_close(w);
}

/* ---- writing files ------------------------------------------------------ */

static void
count_warn(void *ctx, const char *path, unsigned line, const char *msg)
{
    (void)line;
    (void)msg;
    (void)path;
    *(int *)ctx += 1;
}

static void
test_writer_batches(void **state)
{
    recap_index *idx = open_writer();
    recap_index_stats st;
    char root[160];

    (void)state;
    snprintf(root, sizeof(root), "%s/content", site);
    /* No batch open. */
    assert_int_equal(recap_index_add_file(idx, root, "en/_index.md"),
                     RECAP_EINVAL);
    assert_int_equal(recap_index_delete(idx, "en/_index.md"), RECAP_EINVAL);
    assert_int_equal(recap_index_commit(idx), RECAP_EINVAL);
    assert_int_equal(recap_index_cancel(idx), RECAP_EINVAL);
    assert_int_equal(recap_index_begin(NULL, RECAP_BEGIN_UPDATE), RECAP_EINVAL);
    OK(recap_index_begin(idx, RECAP_BEGIN_UPDATE));
    assert_int_equal(recap_index_begin(idx, RECAP_BEGIN_UPDATE), RECAP_EINVAL);
    assert_int_equal(recap_index_sync(idx, site, NULL, NULL), RECAP_EINVAL);
    assert_int_equal(recap_index_add_file(idx, NULL, "x.md"), RECAP_EINVAL);
    assert_int_equal(recap_index_add_file(idx, root, "en/nope.md"), RECAP_EIO);
    assert_non_null(strstr(recap_index_errmsg(idx), "nope.md"));
    assert_int_equal(
        recap_index_add_file(idx, root, "en/blog/2026/roadmap-2026/index.md"),
        RECAP_ESKIPPED);
    assert_non_null(strstr(recap_index_errmsg(idx), "draft"));
    OK(recap_index_add_file(idx, root, "en/_index.md"));
    OK(recap_index_delete(idx, "en/blog/2025/wasm-plugins/index.md"));
    assert_int_equal(recap_index_delete(idx, "en/blog/none.md"),
                     RECAP_ENOTFOUND);
    assert_int_equal(recap_index_delete(idx, NULL), RECAP_EINVAL);
    recap_index_get_stats(idx, &st);
    assert_int_equal(st.n_added, 1);
    assert_int_equal(st.n_skipped, 1);
    assert_int_equal(st.n_failed, 1);
    assert_int_equal(st.n_deleted, 1);
    assert_true(st.n_terms > 0 && st.n_bytes > 0);
    recap_index_get_stats(NULL, &st);
    recap_index_get_stats(idx, NULL);
    OK(recap_index_cancel(idx));
    recap_index_close(idx);

    /* Cancelled: the page is still there. */
    idx = open_reader();
    {
        recap_search_options o = RECAP_SEARCH_OPTIONS_INIT;
        recap_results *res = NULL;
        o.query = "wasm plugins";
        OK(recap_search(idx, &o, &res));
        assert_string_equal(recap_hit_path(recap_results_hit(res, 0)),
                            "en/blog/2025/wasm-plugins/index.md");
        recap_results_free(res);
    }
    recap_index_close(idx);
}

static void
test_writer_options(void **state)
{
    recap_index *idx = open_writer();
    recap_doc_fields f = RECAP_DOC_FIELDS_INIT;
    recap_index_stats st;
    char root[160];
    int warned = 0;

    (void)state;
    assert_int_equal(recap_index_set_default_lang(idx, NULL), RECAP_EINVAL);
    assert_int_equal(recap_index_set_default_lang(idx, ""), RECAP_EINVAL);
    assert_int_equal(
        recap_index_set_default_lang(idx, "a-very-long-language-tag"),
        RECAP_EINVAL);
    assert_int_equal(recap_index_set_default_lang(NULL, "de"), RECAP_EINVAL);
    OK(recap_index_set_default_lang(idx, "de"));
    recap_index_set_warn(idx, count_warn, &warned);
    recap_index_set_warn(NULL, count_warn, &warned);
    OK(recap_index_begin(idx, RECAP_BEGIN_UPDATE));
    /* No language folder: the default language. */
    f.path = "notes/x.md";
    f.body = "Gute Nacht";
    OK(recap_index_add_doc(idx, &f));
    /* A broken front matter is a warning, and the body is indexed. */
    write_file("en/broken.md", "---\ntitle: [unclosed\n---\nBody.\n");
    snprintf(root, sizeof(root), "%s/content", site);
    OK(recap_index_add_file(idx, root, "en/broken.md"));
    assert_int_equal(warned, 1);
    recap_index_get_stats(idx, &st);
    assert_int_equal(st.n_warnings, 1);
    OK(recap_index_commit(idx));
    recap_index_close(idx);

    idx = open_reader();
    {
        recap_search_options o = RECAP_SEARCH_OPTIONS_INIT;
        recap_results *res = NULL;
        o.query = "nacht";
        o.lang = "de";
        OK(recap_search(idx, &o, &res));
        assert_int_equal(recap_results_count(res), 1);
        assert_string_equal(recap_hit_lang(recap_results_hit(res, 0)), "de");
        recap_results_free(res);
    }
    recap_index_close(idx);
}

/* ---- searching ---------------------------------------------------------- */

/* When the pages with every word fill the page of results, the pages with
 * some of them are estimated from the term statistics rather than
 * matched: the total is then inexact but close to the exact count that
 * facets (which see every match) give. */
static void
test_search_estimated_total(void **state)
{
    recap_index *idx = open_reader();
    recap_search_options o = RECAP_SEARCH_OPTIONS_INIT;
    recap_results *est = NULL, *exact = NULL;
    uint64_t e, x;

    (void)state;
    o.query = "mesh traffic";
    o.limit = 1;
    OK(recap_search(idx, &o, &est));
    o.facets = "section";
    OK(recap_search(idx, &o, &exact));
    assert_int_equal(recap_results_count(est), 1);
    assert_false(recap_results_total_exact(est));
    assert_true(recap_results_total_exact(exact));
    e = recap_results_total(est);
    x = recap_results_total(exact);
    assert_true(x > 1 && 2 * e >= x && e <= 2 * x);
    assert_string_equal(recap_hit_path(recap_results_hit(est, 0)),
                        recap_hit_path(recap_results_hit(exact, 0)));
    assert_int_equal(recap_results_next_offset(est), 1);
    recap_results_free(est);
    recap_results_free(exact);
    recap_index_close(idx);
}

static void
test_search(void **state)
{
    recap_index *idx = open_reader();
    recap_search_options o = RECAP_SEARCH_OPTIONS_INIT;
    recap_results *res = NULL;
    const recap_hit *h;
    const recap_snippet *sn;
    size_t off, len, i;
    char *json;
    json_t *obj;

    (void)state;
    o.query = "multi-cluster failover";
    o.limit = 3;
    OK(recap_search(idx, &o, &res));
    assert_string_equal(recap_results_query(res), o.query);
    assert_true(recap_results_total(res) >= recap_results_count(res));
    assert_true(recap_results_count(res) > 0 && recap_results_count(res) <= 3);
    assert_true(recap_results_elapsed(res) >= 0);
    (void)recap_results_total_exact(res);
    (void)recap_results_next_offset(res);
    h = recap_results_hit(res, 0);
    assert_null(recap_results_hit(res, 99));
    assert_int_equal(recap_hit_rank(h), 1);
    assert_true(recap_hit_score(h) > 0);
    assert_string_equal(recap_hit_path(h),
                        "en/blog/2025/multi-cluster-failover/index.md");
    assert_string_equal(recap_hit_url(h), "/blog/2025/multi-cluster-failover/");
    assert_non_null(recap_hit_title(h));
    assert_non_null(recap_hit_date(h));
    assert_string_equal(recap_hit_section(h), "blog");
    assert_string_equal(recap_hit_lang(h), "en");
    (void)recap_hit_description(h);
    assert_true(recap_hit_snippet_count(h) >= 1);
    assert_null(recap_hit_snippet(h, 99));
    sn = recap_hit_snippet(h, 0);
    assert_non_null(strstr(recap_snippet_html(sn), "<mark>"));
    assert_non_null(recap_snippet_url(sn));
    (void)recap_snippet_heading(sn);
    (void)recap_snippet_anchor(sn);
    assert_true(recap_snippet_highlight_count(sn) >= 1);
    for (i = 0; i < recap_snippet_highlight_count(sn); i++) {
        recap_snippet_highlight(sn, i, &off, &len);
        assert_true(off + len <= strlen(recap_snippet_text(sn)));
        assert_true(len > 0);
    }
    recap_snippet_highlight(sn, 999, &off, &len);
    assert_int_equal(off + len, 0);
    assert_int_equal(recap_results_facet_count(res), 0);
    assert_null(recap_results_facet(res, 0));
    assert_non_null(json = recap_results_json(res, 1));
    assert_non_null(obj = json_loads(json, 0, NULL));
    assert_int_equal(json_integer_value(json_object_get(obj, "version")), 1);
    assert_int_equal(json_array_size(json_object_get(obj, "hits")),
                     recap_results_count(res));
    json_decref(obj);
    free(json);
    recap_results_free(res);
    recap_results_free(NULL);

    /* Misuse. */
    assert_int_equal(recap_search(NULL, &o, &res), RECAP_EINVAL);
    assert_int_equal(recap_search(idx, NULL, &res), RECAP_EINVAL);
    o.version = 99;
    assert_int_equal(recap_search(idx, &o, &res), RECAP_EINVAL);
    o.version = RECAP_SEARCH_OPTIONS_VERSION;
    o.query = NULL;
    assert_int_equal(recap_search(idx, &o, &res), RECAP_EINVAL);
    o.query = "x";
    o.since = "April";
    assert_int_equal(recap_search(idx, &o, &res), RECAP_EINVAL);
    assert_non_null(strstr(recap_index_errmsg(idx), "April"));
    recap_index_close(idx);
}

static void
test_ranking(void **state)
{
    recap_index *idx = open_reader();
    recap_ranking r = RECAP_RANKING_INIT;

    (void)state;
    OK(recap_index_set_ranking(idx, &r));
    r.k1 = -1;
    assert_int_equal(recap_index_set_ranking(idx, &r), RECAP_EINVAL);
    r.k1 = 2;
    r.prior = -1;
    assert_int_equal(recap_index_set_ranking(idx, &r), RECAP_EINVAL);
    /* A version-1 struct has no prior: whatever follows it is not read. */
    r.version = 1;
    OK(recap_index_set_ranking(idx, &r));
    /* Nor has a version-2 one a scheme. */
    r.version = 2;
    r.prior = 10;
    r.scheme = (recap_scheme)99;
    OK(recap_index_set_ranking(idx, &r));
    r.version = RECAP_RANKING_VERSION;
    assert_int_equal(recap_index_set_ranking(idx, &r), RECAP_EINVAL);
    r.scheme = RECAP_SCHEME_LM;
    OK(recap_index_set_ranking(idx, &r));
    r.mu = 0;
    assert_int_equal(recap_index_set_ranking(idx, &r), RECAP_EINVAL);
    r.mu = 2000;
    r.loose_k1 = 0;
    assert_int_equal(recap_index_set_ranking(idx, &r), RECAP_EINVAL);
    r.loose_k1 = 0.5;
    r.delta = -1;
    assert_int_equal(recap_index_set_ranking(idx, &r), RECAP_EINVAL);
    r.version = RECAP_RANKING_VERSION + 1;
    assert_int_equal(recap_index_set_ranking(idx, &r), RECAP_EINVAL);
    assert_int_equal(recap_index_set_ranking(idx, NULL), RECAP_EINVAL);
    recap_index_close(idx);
}

/* The path of the first hit for `q` with the content prior `prior`. */
static char *
first_hit(recap_index *idx, const char *q, double prior)
{
    recap_ranking r = RECAP_RANKING_INIT;
    recap_search_options o = RECAP_SEARCH_OPTIONS_INIT;
    recap_results *res = NULL;
    char *path;

    r.prior = prior;
    OK(recap_index_set_ranking(idx, &r));
    o.query = q;
    o.flags = RECAP_SEARCH_NO_SNIPPETS;
    OK(recap_search(idx, &o, &res));
    assert_true(recap_results_count(res) >= 2);
    path = strdup(recap_hit_path(recap_results_hit(res, 0)));
    recap_results_free(res);
    return path;
}

/* Syncs the test site into the index once. */
static void
sync_once(recap_sync_stats *st, unsigned flags)
{
    recap_sync_options so = RECAP_SYNC_OPTIONS_INIT;
    recap_index *idx = open_writer();

    so.flags = flags;
    OK(recap_index_sync(idx, site, &so, st));
    recap_index_close(idx);
}

/* A section list page with no text of its own matches a word of its title
 * as well as an article about it, and, being short, scores higher on BM25
 * alone; the content prior puts the article first. */
static void
test_content_prior(void **state)
{
    recap_sync_stats st;
    recap_index *idx;
    char *path;

    (void)state;
    sh("mkdir -p '%s/content/en/docs/wombats'", site);
    write_file("en/docs/wombats/_index.md",
               "---\ntitle: Wombats\ndescription: Wombats.\n---\n");
    write_file("en/docs/wombats/burrows.md",
               "---\ntitle: Wombats\ndescription: How they dig.\n---\n\n"
               "They dig burrows with their front claws and push the soil "
               "out behind them.  A burrow can be long, with several "
               "entrances and sleeping chambers, and neighbours often share "
               "them, though each keeps to its own range when it feeds at "
               "night on grasses, roots and bark.\n");
    sync_once(&st, 0);
    idx = open_reader();
    path = first_hit(idx, "wombats", 0);
    assert_string_equal(path, "en/docs/wombats/_index.md");
    free(path);
    path = first_hit(idx, "wombats", 10.0);
    assert_string_equal(path, "en/docs/wombats/burrows.md");
    free(path);
    recap_index_close(idx);
}

/* The hits' scores for `q` with a strong content prior, "path=score"
 * joined by spaces. */
static char *
prior_scores(recap_index *idx, const char *q)
{
    recap_ranking r = RECAP_RANKING_INIT;
    recap_search_options o = RECAP_SEARCH_OPTIONS_INIT;
    recap_results *res = NULL;
    char *out = calloc(1, 1);

    r.prior = 10.0;
    OK(recap_index_set_ranking(idx, &r));
    o.query = q;
    o.flags = RECAP_SEARCH_NO_SNIPPETS;
    OK(recap_search(idx, &o, &res));
    assert_true(recap_results_count(res) >= 2);
    for (size_t i = 0; i < recap_results_count(res) && out; i++) {
        const recap_hit *h = recap_results_hit(res, i);
        size_t len = strlen(out);
        char *more = realloc(out, len + strlen(recap_hit_path(h)) + 40);
        if (!more)
            break;
        out = more;
        sprintf(out + len, "%s%s=%.17g", len ? " " : "", recap_hit_path(h),
                recap_hit_score(h));
    }
    recap_results_free(res);
    assert_non_null(out);
    return out;
}

/* A reader with the page cache keeps the content priors it read (the
 * rerank of the next searches takes them from memory): the scores are
 * those of a reader that reads them each time, on every search and after
 * a reopen that changed a page's prior. */
static void
test_prior_cache(void **state)
{
    recap_sync_stats st;
    recap_index *cached, *plain;
    char *want, *got;

    (void)state;
    sh("mkdir -p '%s/content/en/docs/numbats'", site);
    write_file("en/docs/numbats/_index.md",
               "---\ntitle: Numbats\ndescription: Numbats.\n---\n");
    write_file("en/docs/numbats/termites.md",
               "---\ntitle: Numbats\ndescription: What they eat.\n---\n\n"
               "They eat termites, thousands a day, licking them up with a "
               "long sticky tongue from the shallow galleries under logs "
               "and leaf litter, and rest at night in hollow logs or "
               "burrows lined with grass and shredded bark.\n");
    sync_once(&st, 0);
    cached = open_reader();
    OK(recap_index_set_page_cache(cached, 32u << 20));
    plain = open_reader();
    want = prior_scores(plain, "numbats");
    for (int round = 0; round < 3; round++) {
        got = prior_scores(cached, "numbats");
        assert_string_equal(got, want);
        free(got);
    }
    free(want);
    /* The article loses its text, and with it its prior. */
    write_file("en/docs/numbats/termites.md",
               "---\ntitle: Numbats\ndescription: What they eat.\n---\n");
    sync_once(&st, 0);
    OK(recap_index_reopen(cached));
    recap_index_close(plain);
    plain = open_reader();
    want = prior_scores(plain, "numbats");
    got = prior_scores(cached, "numbats");
    assert_string_equal(got, want);
    free(got);
    free(want);
    recap_index_close(plain);
    recap_index_close(cached);
}

/* The paths of the hits for `q` under the ranking `r`, joined by spaces. */
static char *
hit_paths(recap_index *idx, const char *q, const recap_ranking *r)
{
    recap_search_options o = RECAP_SEARCH_OPTIONS_INIT;
    recap_results *res = NULL;
    char *out = calloc(1, 1);
    size_t i, n;

    OK(recap_index_set_ranking(idx, r));
    o.query = q;
    o.flags = RECAP_SEARCH_NO_SNIPPETS;
    OK(recap_search(idx, &o, &res));
    n = recap_results_count(res);
    for (i = 0; i < n && out; i++) {
        const char *p = recap_hit_path(recap_results_hit(res, i));
        size_t len = strlen(out);
        char *more = realloc(out, len + strlen(p) + 2);
        if (!more)
            break;
        out = more;
        sprintf(out + len, "%s%s", len ? " " : "", p);
    }
    recap_results_free(res);
    assert_non_null(out);
    return out;
}

/* No page has all three words: the one with two of them comes before the
 * one that has only one, however often it repeats it (the second tier's
 * low k1); with the first tier's k1 the repetition wins. */
static void
test_second_tier(void **state)
{
    recap_ranking r = RECAP_RANKING_INIT;
    recap_sync_stats st;
    recap_index *idx;
    char *paths;

    (void)state;
    sh("mkdir -p '%s/content/en/docs/marsupials'", site);
    write_file("en/docs/marsupials/quokka.md",
               "---\ntitle: Quokka\ndescription: The quokka.\n"
               "keywords: [quokka]\n---\n\n"
               "The quokka lives on islands.  A quokka eats leaves; a quokka "
               "rests by day.  Quokka, quokka, quokka.  Quokka, quokka, "
               "quokka, quokka, quokka, quokka.\n");
    write_file("en/docs/marsupials/others.md",
               "---\ntitle: Other marsupials\ndescription: A few more.\n"
               "---\n\n"
               "Among the small marsupials of the south west are the "
               "wallaby, which grazes at dusk in open country near the "
               "forest, and the numbat, which feeds on termites by day and "
               "shelters in hollow logs at night.\n");
    sync_once(&st, 0);
    idx = open_reader();
    paths = hit_paths(idx, "quokka wallaby numbat", &r);
    assert_string_equal(paths, "en/docs/marsupials/others.md "
                               "en/docs/marsupials/quokka.md");
    free(paths);
    r.loose_k1 = r.k1;
    paths = hit_paths(idx, "quokka wallaby numbat", &r);
    assert_string_equal(paths, "en/docs/marsupials/quokka.md "
                               "en/docs/marsupials/others.md");
    free(paths);
    /* Every scheme finds the same pages, with all the words first. */
    for (r.scheme = RECAP_SCHEME_BM25; r.scheme <= RECAP_SCHEME_LM;
         r.scheme++) {
        paths = hit_paths(idx, "numbat termites", &r);
        assert_string_equal(paths, "en/docs/marsupials/others.md");
        free(paths);
        paths = hit_paths(idx, "quokka islands numbat", &r);
        assert_string_equal(paths, "en/docs/marsupials/quokka.md "
                                   "en/docs/marsupials/others.md");
        free(paths);
    }
    recap_index_close(idx);
}

/* ---- related pages ------------------------------------------------------ */

static void
check_related(recap_results *res, const char *page_path, const char *url)
{
    size_t i, j;

    for (i = 0; i < recap_results_count(res); i++) {
        const recap_hit *h = recap_results_hit(res, i);
        assert_string_not_equal(recap_hit_path(h), page_path);
        assert_string_not_equal(recap_hit_url(h), url);
        assert_int_equal(recap_hit_rank(h), i + 1);
        assert_int_equal(recap_hit_snippet_count(h), 0);
        for (j = 0; j < i; j++)
            assert_string_not_equal(recap_hit_url(recap_results_hit(res, j)),
                                    recap_hit_url(h));
    }
}

static void
test_related(void **state)
{
    static const char *const names[] = {
        "en/blog/2025/multi-cluster-failover/index.md",
        "/blog/2025/multi-cluster-failover/",
        "/blog/2025/multi-cluster-failover",
        "https://example.com/blog/2025/multi-cluster-failover/"};
    recap_index *idx = open_reader();
    recap_related_options ro = RECAP_RELATED_OPTIONS_INIT;
    recap_results *res = NULL;
    char first[256] = "";
    size_t i, j;

    (void)state;
    /* The same page by path and by URL, with the same related pages. */
    for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        ro.page = names[i];
        ro.limit = 4;
        OK(recap_related(idx, &ro, &res));
        assert_string_equal(recap_results_query(res), names[i]);
        assert_true(recap_results_count(res) > 0);
        assert_true(recap_results_count(res) <= 4);
        check_related(res, "en/blog/2025/multi-cluster-failover/index.md",
                      "/blog/2025/multi-cluster-failover/");
        for (j = 0; j < recap_results_count(res); j++)
            assert_string_equal(recap_hit_lang(recap_results_hit(res, j)),
                                "en");
        if (i == 0)
            strcpy(first, recap_hit_path(recap_results_hit(res, 0)));
        assert_string_equal(recap_hit_path(recap_results_hit(res, 0)), first);
        recap_results_free(res);
    }
    /* All languages: never its own translation. */
    ro.page = names[0];
    ro.lang = "*";
    ro.limit = 50;
    OK(recap_related(idx, &ro, &res));
    for (j = 0; j < recap_results_count(res); j++)
        assert_string_not_equal(recap_hit_path(recap_results_hit(res, j)),
                                "zh/blog/2025/multi-cluster-failover/index.md");
    recap_results_free(res);
    /* A Chinese page finds Chinese pages only. */
    ro.page = "zh/blog/2025/multi-cluster-failover/index.md";
    ro.lang = NULL;
    OK(recap_related(idx, &ro, &res));
    for (j = 0; j < recap_results_count(res); j++)
        assert_string_equal(recap_hit_lang(recap_results_hit(res, j)), "zh");
    recap_results_free(res);
    /* By an alias: the install page, which is then never listed. */
    ro.page = "/docs/getting-started/";
    ro.limit = 50;
    OK(recap_related(idx, &ro, &res));
    check_related(res, "en/docs/setup/install/index.md",
                  "/docs/setup/install/");
    recap_results_free(res);
    recap_index_close(idx);
}

static void
test_related_errors(void **state)
{
    recap_index *idx = open_reader();
    recap_related_options ro = RECAP_RELATED_OPTIONS_INIT;
    recap_results *res = NULL;
    char *json = NULL;

    (void)state;
    ro.page = "en/blog/none/index.md";
    assert_int_equal(recap_related(idx, &ro, &res), RECAP_ENOTFOUND);
    assert_null(res);
    assert_non_null(strstr(recap_index_errmsg(idx), "en/blog/none"));
    ro.page = "/no/such/url/";
    assert_int_equal(recap_related(idx, &ro, &res), RECAP_ENOTFOUND);
    ro.page = "";
    assert_int_equal(recap_related(idx, &ro, &res), RECAP_EINVAL);
    ro.page = NULL;
    assert_int_equal(recap_related(idx, &ro, &res), RECAP_EINVAL);
    ro.page = "/blog/2025/wasm-plugins/";
    assert_int_equal(recap_related(NULL, &ro, &res), RECAP_EINVAL);
    assert_int_equal(recap_related(idx, NULL, &res), RECAP_EINVAL);
    assert_int_equal(recap_related(idx, &ro, NULL), RECAP_EINVAL);
    ro.version = 0;
    assert_int_equal(recap_related(idx, &ro, &res), RECAP_EINVAL);
    assert_int_equal(recap_related_export(idx, &ro, 0, &json), RECAP_EINVAL);
    ro.version = RECAP_RELATED_OPTIONS_VERSION;
    assert_int_equal(recap_related_export(NULL, &ro, 0, &json), RECAP_EINVAL);
    assert_int_equal(recap_related_export(idx, &ro, 0, NULL), RECAP_EINVAL);
    assert_null(json);
    recap_index_close(idx);
}

static void
test_related_export(void **state)
{
    recap_index *idx = open_reader();
    recap_related_options ro = RECAP_RELATED_OPTIONS_INIT;
    json_t *map, *arr, *e;
    const char *url;
    char *json = NULL;
    size_t i;

    (void)state;
    ro.limit = 3;
    OK(recap_related_export(idx, &ro, 1, &json));
    assert_non_null(map = json_loads(json, 0, NULL));
    free(json);
    /* 25 documents, 24 URLs: the FAQ entry shares its bundle's. */
    assert_true(json_object_size(map) >= 20);
    arr = json_object_get(map, "/blog/2025/multi-cluster-failover/");
    assert_true(json_array_size(arr) >= 1 && json_array_size(arr) <= 3);
    json_object_foreach(map, url, arr)
    {
        json_array_foreach(arr, i, e)
        {
            assert_string_not_equal(
                json_string_value(json_object_get(e, "url")), url);
            assert_true(json_is_number(json_object_get(e, "score")));
            assert_non_null(json_object_get(e, "title"));
            assert_non_null(json_object_get(e, "date"));
        }
    }
    assert_non_null(
        json_object_get(map, "/zh/blog/2025/multi-cluster-failover/"));
    json_decref(map);
    /* One language only. */
    ro.lang = "zh";
    OK(recap_related_export(idx, &ro, 0, &json));
    assert_non_null(map = json_loads(json, 0, NULL));
    free(json);
    json_object_foreach(map, url, arr)
        assert_int_equal(strncmp(url, "/zh/", 4), 0);
    json_decref(map);
    recap_index_close(idx);
}

/* ---- documents in memory ------------------------------------------------ */

static void
test_add_doc(void **state)
{
    recap_index *idx = open_writer();
    recap_doc_fields f = RECAP_DOC_FIELDS_INIT;
    const char *tags[] = {"quasar", "mesh", NULL};
    const char *aliases[] = {"/old/hello/", NULL};
    recap_search_options o = RECAP_SEARCH_OPTIONS_INIT;
    recap_results *res = NULL;
    const recap_hit *h;
    recap_index_stats st;

    (void)state;
    OK(recap_index_begin(idx, RECAP_BEGIN_UPDATE));
    f.path = "posts/2025-04-01-hello.md";
    f.url = "/2025/04/hello/";
    f.title = "Hello from Jekyll";
    f.description = "A first post.";
    f.body = "# Setting up\n\nThe **zorblax** sidecar, `inline`.\n";
    f.date = "2025-04-01";
    f.lang = "en";
    f.section = "posts";
    f.tags = tags;
    f.aliases = aliases;
    OK(recap_index_add_doc(idx, &f));
    /* Replaced, not duplicated. */
    OK(recap_index_add_doc(idx, &f));
    f = (recap_doc_fields)RECAP_DOC_FIELDS_INIT;
    f.path = "notes/plain.txt";
    f.body = "Plain zorblax\ttext with *no* markdown.\n\nSecond paragraph.";
    f.format = RECAP_BODY_TEXT;
    OK(recap_index_add_doc(idx, &f));
    recap_index_get_stats(idx, &st);
    assert_int_equal(st.n_added, 3);
    OK(recap_index_commit(idx));

    OK(recap_index_reopen(idx));
    o.query = "zorblax";
    OK(recap_search(idx, &o, &res));
    assert_int_equal(recap_results_count(res), 2);
    h = recap_results_hit(res, 0);
    assert_string_equal(recap_hit_path(h), "posts/2025-04-01-hello.md");
    assert_string_equal(recap_hit_url(h), "/2025/04/hello/");
    assert_string_equal(recap_hit_title(h), "Hello from Jekyll");
    assert_string_equal(recap_hit_section(h), "posts");
    assert_int_equal(strncmp(recap_hit_date(h), "2025-04-01", 10), 0);
    assert_non_null(
        strstr(recap_snippet_text(recap_hit_snippet(h, 0)), "zorblax sidecar"));
    h = recap_results_hit(res, 1);
    assert_string_equal(recap_hit_url(h), "/notes/plain/");
    /* A tab in plain text is a space, not a table's cell gap. */
    assert_non_null(strstr(recap_snippet_text(recap_hit_snippet(h, 0)),
                           "zorblax text with *no*"));
    recap_results_free(res);
    o.query = "quasar";
    o.tag = "quasar";
    OK(recap_search(idx, &o, &res));
    assert_int_equal(recap_results_count(res), 1);
    recap_results_free(res);
    {
        recap_related_options ro = RECAP_RELATED_OPTIONS_INIT;
        ro.page = "/old/hello/"; /* by its alias */
        OK(recap_related(idx, &ro, &res));
        check_related(res, "posts/2025-04-01-hello.md", "/2025/04/hello/");
        recap_results_free(res);
    }
    recap_index_close(idx);
}

static void
test_add_doc_errors(void **state)
{
    recap_index *idx = open_writer(), *ro = NULL;
    recap_doc_fields f = RECAP_DOC_FIELDS_INIT;

    (void)state;
    f.path = "a.md";
    assert_int_equal(recap_index_add_doc(idx, &f), RECAP_EINVAL); /* batch */
    assert_int_equal(recap_index_add_doc(NULL, &f), RECAP_EINVAL);
    OK(recap_index_begin(idx, RECAP_BEGIN_UPDATE));
    assert_int_equal(recap_index_add_doc(idx, NULL), RECAP_EINVAL);
    f.version = 2;
    assert_int_equal(recap_index_add_doc(idx, &f), RECAP_EINVAL);
    f.version = RECAP_DOC_FIELDS_VERSION;
    f.path = NULL;
    assert_int_equal(recap_index_add_doc(idx, &f), RECAP_EINVAL);
    f.path = "";
    assert_int_equal(recap_index_add_doc(idx, &f), RECAP_EINVAL);
    f.path = "a.md";
    f.format = (recap_body_format)9;
    assert_int_equal(recap_index_add_doc(idx, &f), RECAP_EINVAL);
    assert_non_null(strstr(recap_index_errmsg(idx), "format"));
    f.format = RECAP_BODY_MARKDOWN;
    f.date = "next tuesday";
    assert_int_equal(recap_index_add_doc(idx, &f), RECAP_EINVAL);
    assert_non_null(strstr(recap_index_errmsg(idx), "next tuesday"));
    f.date = NULL;
    OK(recap_index_add_doc(idx, &f)); /* a path alone is enough */
    OK(recap_index_commit(idx));
    recap_index_close(idx);
    OK(recap_index_open(db, RECAP_OPEN_READ, &ro, NULL));
    assert_int_equal(recap_index_add_doc(ro, &f), RECAP_EINVAL);
    recap_index_close(ro);
}

/* ---- incremental -------------------------------------------------------- */

static int
found(const char *query)
{
    recap_index *idx = open_reader();
    recap_search_options o = RECAP_SEARCH_OPTIONS_INIT;
    recap_results *res = NULL;
    int n;

    o.query = query;
    o.lang = "*";
    OK(recap_search(idx, &o, &res));
    n = (int)recap_results_count(res);
    recap_results_free(res);
    recap_index_close(idx);
    return n;
}

static void
test_sync(void **state)
{
    recap_sync_stats st;
    char path[256];

    (void)state;
    /* Nothing changed: nothing read. */
    sync_once(&st, 0);
    assert_int_equal(st.n_files, 26);
    assert_int_equal(st.n_unchanged, 26);
    assert_int_equal(st.n_added + st.n_updated + st.n_removed + st.n_skipped +
                         st.n_failed + st.n_dependent,
                     0);
    /* Touched: same content, only re-stamped. */
    snprintf(path, sizeof(path),
             "%s/content/en/blog/2025/wasm-plugins/index.md", site);
    sh("touch -d '2001-01-01' '%s'", path);
    sync_once(&st, 0);
    assert_int_equal(st.n_unchanged, 26);
    sync_once(&st, 0);
    assert_int_equal(st.n_unchanged, 26);
    /* Edited, added, deleted. */
    sh("echo 'A quibbleflux appears.' >> '%s'", path);
    write_file("en/blog/new-post.md",
               "---\ntitle: New\n---\nAnother wobblefrond.\n");
    sh("rm -r '%s/content/en/blog/2024/tuning-lantern-memory'", site);
    sync_once(&st, 0);
    assert_int_equal(st.n_files, 26);
    assert_int_equal(st.n_updated, 1);
    assert_int_equal(st.n_added, 1);
    assert_int_equal(st.n_removed, 1);
    assert_int_equal(st.n_unchanged, 24);
    assert_true(st.seconds >= 0);
    assert_int_equal(found("quibbleflux"), 1);
    assert_int_equal(found("wobblefrond"), 1);
    assert_int_equal(found("LANTERN_MAX_HEAP_MB"), 0);
    /* Everything again on demand. */
    sync_once(&st, RECAP_SYNC_REREAD);
    assert_int_equal(st.n_updated, 25);
    assert_int_equal(st.n_skipped, 1);
    assert_int_equal(st.n_unchanged, 0);
}

static void
test_sync_after_full_build(void **state)
{
    recap_index *idx = open_writer();
    recap_sync_stats st;
    char root[160];

    (void)state;
    /* A full batch of files written by hand stamps them too. */
    snprintf(root, sizeof(root), "%s/content", site);
    OK(recap_index_begin(idx, RECAP_BEGIN_FULL));
    OK(recap_index_add_file(idx, root, "en/_index.md"));
    OK(recap_index_add_file(idx, root, "en/docs/_index.md"));
    OK(recap_index_commit(idx));
    recap_index_close(idx);
    sync_once(&st, 0);
    assert_int_equal(st.n_unchanged, 2);
    assert_int_equal(st.n_added + st.n_skipped, 24);
    /* A document without a file does not survive a sync. */
    idx = open_writer();
    {
        recap_doc_fields f = RECAP_DOC_FIELDS_INIT;
        f.path = "en/_index.md"; /* replaces the file's document */
        f.body = "Now from memory.";
        OK(recap_index_begin(idx, RECAP_BEGIN_UPDATE));
        OK(recap_index_add_doc(idx, &f));
        OK(recap_index_commit(idx));
    }
    recap_index_close(idx);
    sync_once(&st, 0);
    assert_int_equal(st.n_added, 1); /* re-read: its stamp is gone */
    assert_int_equal(st.n_unchanged, 25);
}

static void
test_sync_errors(void **state)
{
    recap_index *idx = open_writer();
    recap_sync_options so = RECAP_SYNC_OPTIONS_INIT;
    recap_sync_stats st;
    char missing[160];

    (void)state;
    snprintf(missing, sizeof(missing), "%s/no-site", tmp);
    assert_int_equal(recap_index_sync(idx, missing, NULL, &st),
                     RECAP_ENOTFOUND);
    assert_non_null(strstr(recap_index_errmsg(idx), "no-site"));
    assert_int_equal(recap_index_sync(idx, NULL, NULL, &st), RECAP_EINVAL);
    assert_int_equal(recap_index_sync(NULL, site, NULL, &st), RECAP_EINVAL);
    so.version = 7;
    assert_int_equal(recap_index_sync(idx, site, &so, &st), RECAP_EINVAL);
    /* The index is usable after the errors. */
    so.version = RECAP_SYNC_OPTIONS_VERSION;
    OK(recap_index_sync(idx, site, &so, NULL));
    recap_index_close(idx);
}

static void
test_sync_includes(void **state)
{
    recap_index *idx;
    recap_sync_options so = RECAP_SYNC_OPTIONS_INIT;
    recap_sync_stats st;
    char path[256];

    (void)state;
    sh("mkdir -p '%s/content/en/boilerplates'", site);
    write_file("en/boilerplates/note.md", "A shared note.\n");
    write_file("en/docs/uses-note.md",
               "---\ntitle: Uses\n---\n{{< boilerplate note >}}\n");
    write_file("en/docs/quoted-note.md",
               "---\ntitle: Quoted\n---\n{{< boilerplate \"note\" >}}\n");
    sync_once(&st, 0);
    assert_int_equal(st.n_files, 29);
    assert_int_equal(st.n_unchanged, 26);
    /* The boilerplate changes: both pages including it are re-indexed. */
    snprintf(path, sizeof(path), "%s/content/en/boilerplates/note.md", site);
    sh("echo 'Changed.' >> '%s'", path);
    sync_once(&st, 0);
    assert_int_equal(st.n_dependent, 2);
    assert_int_equal(st.n_unchanged, 26);
    /* Deleted: the same. */
    sh("rm '%s'", path);
    sync_once(&st, 0);
    assert_int_equal(st.n_dependent, 2);
    assert_int_equal(st.n_files, 28);
    /* Synonyms loaded in the sync's batch. */
    snprintf(path, sizeof(path), "%s/syn.txt", tmp);
    sh("echo 'plimbus, helm' > '%s'", path);
    so.synonyms = path;
    idx = open_writer();
    OK(recap_index_sync(idx, site, &so, &st));
    recap_index_close(idx);
    assert_true(found("plimbus") > 0);
    snprintf(path, sizeof(path), "%s/missing-synonyms.txt", tmp);
    idx = open_writer();
    assert_int_not_equal(recap_index_sync(idx, site, &so, &st), RECAP_OK);
    recap_index_close(idx);
}

typedef struct seen_files {
    int n;
    recap_status last;
} seen_files;

static void
on_file(void *ctx, const char *relpath, recap_status rc, size_t done,
        size_t total)
{
    seen_files *s = ctx;

    assert_non_null(relpath);
    assert_true(done >= 1 && done <= total);
    s->n++;
    s->last = rc;
}

static void
test_sync_callback(void **state)
{
    recap_index *idx = open_writer();
    recap_sync_options so = RECAP_SYNC_OPTIONS_INIT;
    recap_sync_stats st;
    seen_files seen = {0, RECAP_OK};

    (void)state;
    write_file("en/broken.md", "---\ntitle: [unclosed\n---\nBody of "
                               "brokenpage.\n");
    so.on_file = on_file;
    so.ctx = &seen;
    OK(recap_index_sync(idx, site, &so, &st));
    assert_int_equal(seen.n, 1); /* only the file read */
    assert_int_equal(st.n_added, 1);
    recap_index_close(idx);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_version),
        cmocka_unit_test(test_status_str),
        cmocka_unit_test_setup_teardown(test_open_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reader, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reader_sees_commit_after_reopen,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_page_cache_follows_reopen, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_writer_batches, setup, teardown),
        cmocka_unit_test_setup_teardown(test_writer_options, setup, teardown),
        cmocka_unit_test_setup_teardown(test_search, setup, teardown),
        cmocka_unit_test_setup_teardown(test_search_estimated_total, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_ranking, setup, teardown),
        cmocka_unit_test_setup_teardown(test_second_tier, setup, teardown),
        cmocka_unit_test_setup_teardown(test_content_prior, setup, teardown),
        cmocka_unit_test_setup_teardown(test_prior_cache, setup, teardown),
        cmocka_unit_test_setup_teardown(test_related, setup, teardown),
        cmocka_unit_test_setup_teardown(test_related_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_related_export, setup, teardown),
        cmocka_unit_test_setup_teardown(test_add_doc, setup, teardown),
        cmocka_unit_test_setup_teardown(test_add_doc_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sync, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sync_after_full_build, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_sync_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sync_callback, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sync_includes, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
