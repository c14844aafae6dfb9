/*
 * test_suggest.c: recap_suggest on an index of the bundled corpus/, and the
 * serving helpers beside it: the index revision and the per-search time
 * budget with partial results (lib/index_serve.c).
 */
#define _XOPEN_SOURCE 700
#include <ftw.h>
#include <jansson.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "testdir.h"

#include "ingest.h"
#include "recapsearch.h"

typedef struct fixture {
    char dir[TESTDIR_SIZE], db[96];
    recap_index *idx;
} fixture;

/* Indexes corpus/content into db; returns the number of documents. */
static void
build(const char *db)
{
    char **paths, *root = NULL;
    size_t n, i;
    recap_index *w;

    assert_int_equal(
        ingest_walk(RECAP_SOURCE_DIR "/corpus", &paths, &n, &root, NULL),
        RECAP_OK);
    assert_int_equal(recap_index_open(db, RECAP_OPEN_CREATE, &w, NULL),
                     RECAP_OK);
    assert_int_equal(recap_index_begin(w, RECAP_BEGIN_FULL), RECAP_OK);
    for (i = 0; i < n; i++)
        recap_index_add_file(w, root, paths[i]);
    assert_int_equal(recap_index_commit(w), RECAP_OK);
    recap_index_close(w);
    ingest_paths_free(paths, n);
    free(root);
}

static int
setup(void **state)
{
    fixture *f = calloc(1, sizeof(*f));

    assert_non_null(f);
    testdir_make(f->dir, "suggest");
    snprintf(f->db, sizeof(f->db), "%s/db", f->dir);
    build(f->db);
    assert_int_equal(recap_index_open(f->db, RECAP_OPEN_READ, &f->idx, NULL),
                     RECAP_OK);
    *state = f;
    return 0;
}

static int
teardown(void **state)
{
    fixture *f = *state;

    recap_index_close(f->idx);
    testdir_remove(f->dir);
    free(f);
    return 0;
}

static recap_suggestions *
suggest(fixture *f, const char *q, const char *lang, uint32_t max_words)
{
    recap_suggest_options o = RECAP_SUGGEST_OPTIONS_INIT;
    recap_suggestions *sg = NULL;

    o.query = q;
    o.lang = lang;
    o.max_words = max_words;
    assert_int_equal(recap_suggest(f->idx, &o, &sg), RECAP_OK);
    assert_non_null(sg);
    return sg;
}

/* Whether `text` is among the completions. */
static int
has_completion(const recap_suggestions *sg, const char *text)
{
    size_t i;

    for (i = 0; i < recap_suggestions_count(sg); i++)
        if (strcmp(recap_suggestions_completion(sg, i, NULL), text) == 0)
            return 1;
    return 0;
}

static void
test_completions(void **state)
{
    fixture *f = *state;
    recap_suggestions *sg = suggest(f, "root cert", NULL, 0);
    uint64_t prev = UINT64_MAX, n;
    size_t i;

    assert_true(recap_suggestions_count(sg) >= 2);
    assert_true(has_completion(sg, "root certificate"));
    assert_true(has_completion(sg, "root certificates"));
    /* Most frequent first. */
    for (i = 0; i < recap_suggestions_count(sg); i++) {
        assert_non_null(recap_suggestions_completion(sg, i, &n));
        assert_true(n >= 1 && n <= prev);
        assert_memory_equal(recap_suggestions_completion(sg, i, NULL),
                            "root cert", 9);
        prev = n;
    }
    assert_null(recap_suggestions_completion(sg, i, NULL));
    recap_suggestions_free(sg);

    /* Case and width are normalised; a joined word completes joined. */
    sg = suggest(f, "ROOT Cert", NULL, 0);
    assert_true(has_completion(sg, "ROOT certificate"));
    recap_suggestions_free(sg);
    sg = suggest(f, "multi-clu", NULL, 0);
    assert_true(has_completion(sg, "multicluster"));
    recap_suggestions_free(sg);

    /* The limit holds. */
    sg = suggest(f, "c", NULL, 1);
    assert_int_equal(recap_suggestions_count(sg), 1);
    recap_suggestions_free(sg);
}

static void
test_titles(void **state)
{
    fixture *f = *state;
    recap_suggestions *sg = suggest(f, "root cert", NULL, 0);
    const char *url = NULL;

    assert_true(recap_suggestions_title_count(sg) >= 1);
    assert_string_equal(recap_suggestions_title(sg, 0, &url),
                        "Rotating root certificates without downtime");
    assert_string_equal(url, "/blog/2025/rotating-root-certificates/");
    assert_null(recap_suggestions_title(sg, 99, NULL));
    recap_suggestions_free(sg);

    /* A trailing space completes nothing but still matches titles. */
    sg = suggest(f, "rotating ", NULL, 0);
    assert_int_equal(recap_suggestions_count(sg), 0);
    assert_int_equal(recap_suggestions_title_count(sg), 1);
    recap_suggestions_free(sg);

    /* Titles are in the language asked for. */
    sg = suggest(f, "\xe5\xa4\x9a", "zh", 0); /* 多 */
    assert_true(recap_suggestions_title_count(sg) >= 1);
    for (size_t i = 0; i < recap_suggestions_title_count(sg); i++) {
        recap_suggestions_title(sg, i, &url);
        assert_memory_equal(url, "/zh/", 4);
    }
    recap_suggestions_free(sg);
}

static void
test_nothing(void **state)
{
    fixture *f = *state;
    recap_suggestions *sg = suggest(f, "zzqqxx", NULL, 0);

    assert_int_equal(recap_suggestions_count(sg), 0);
    assert_int_equal(recap_suggestions_title_count(sg), 0);
    recap_suggestions_free(sg);
    sg = suggest(f, "", NULL, 0);
    assert_int_equal(recap_suggestions_count(sg), 0);
    assert_int_equal(recap_suggestions_title_count(sg), 0);
    recap_suggestions_free(sg);
}

static void
test_json(void **state)
{
    fixture *f = *state;
    recap_suggestions *sg = suggest(f, "root cert", NULL, 0);
    char *js = recap_suggestions_json(sg);
    json_t *o = json_loads(js, 0, NULL);

    assert_non_null(o);
    assert_int_equal(json_integer_value(json_object_get(o, "version")), 1);
    assert_string_equal(json_string_value(json_object_get(o, "query")),
                        "root cert");
    assert_int_equal(json_array_size(json_object_get(o, "completions")),
                     recap_suggestions_count(sg));
    assert_string_equal(
        json_string_value(json_object_get(
            json_array_get(json_object_get(o, "titles"), 0), "url")),
        "/blog/2025/rotating-root-certificates/");
    assert_true(json_is_real(json_object_get(o, "elapsed_ms")));
    json_decref(o);
    free(js);
    recap_suggestions_free(sg);
}

static void
test_misuse(void **state)
{
    fixture *f = *state;
    recap_suggest_options o = RECAP_SUGGEST_OPTIONS_INIT;
    recap_suggestions *sg = NULL;

    assert_int_equal(recap_suggest(f->idx, &o, &sg), RECAP_EINVAL);
    assert_null(sg);
    o.query = "x";
    o.version = 99;
    assert_int_equal(recap_suggest(f->idx, &o, &sg), RECAP_EINVAL);
    assert_int_equal(recap_suggest(NULL, &o, &sg), RECAP_EINVAL);
    assert_int_equal(recap_suggestions_count(NULL), 0);
    assert_null(recap_suggestions_json(NULL));
    recap_suggestions_free(NULL);
}

static void
test_revision(void **state)
{
    fixture *f = *state;
    uint64_t r0 = 0, r1 = 0;
    recap_index *w;

    assert_int_equal(recap_index_revision(f->idx, &r0), RECAP_OK);
    assert_true(r0 >= 1);
    assert_int_equal(recap_index_revision(NULL, &r0), RECAP_EINVAL);
    /* A commit is seen by a reader after its reopen. */
    assert_int_equal(recap_index_open(f->db, RECAP_OPEN_WRITE, &w, NULL),
                     RECAP_OK);
    assert_int_equal(recap_index_begin(w, RECAP_BEGIN_UPDATE), RECAP_OK);
    assert_int_equal(recap_index_delete(w, "en/docs/setup/install/index.md"),
                     RECAP_OK);
    assert_int_equal(recap_index_commit(w), RECAP_OK);
    recap_index_close(w);
    assert_int_equal(recap_index_revision(f->idx, &r1), RECAP_OK);
    assert_true(r1 == r0);
    assert_int_equal(recap_index_reopen(f->idx), RECAP_OK);
    assert_int_equal(recap_index_revision(f->idx, &r1), RECAP_OK);
    assert_true(r1 > r0);
}

static recap_results *
search(fixture *f, const char *q)
{
    recap_search_options o = RECAP_SEARCH_OPTIONS_INIT;
    recap_results *res = NULL;

    o.query = q;
    assert_int_equal(recap_search(f->idx, &o, &res), RECAP_OK);
    return res;
}

static void
test_time_limit(void **state)
{
    fixture *f = *state;
    recap_results *res;
    char *js;

    assert_int_equal(recap_index_set_time_limit(f->idx, -1), RECAP_EINVAL);
    assert_int_equal(recap_index_set_time_limit(f->idx, NAN), RECAP_EINVAL);
    assert_int_equal(recap_index_set_time_limit(NULL, 1), RECAP_EINVAL);

    /* No budget: complete results, no "partial" in the JSON. */
    assert_int_equal(recap_index_set_time_limit(f->idx, 0), RECAP_OK);
    res = search(f, "cluster failover");
    assert_false(recap_results_partial(res));
    js = recap_results_json(res, 0);
    assert_null(strstr(js, "\"partial\""));
    free(js);
    recap_results_free(res);

    /* A budget spent before the first tier ends: flagged partial. */
    assert_int_equal(recap_index_set_time_limit(f->idx, 1e-9), RECAP_OK);
    res = search(f, "cluster failover");
    assert_true(recap_results_partial(res));
    assert_true(recap_results_count(res) >= 1);
    js = recap_results_json(res, 0);
    assert_non_null(strstr(js, "\"partial\":true"));
    free(js);
    recap_results_free(res);
    recap_index_set_time_limit(f->idx, 0);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_completions, setup, teardown),
        cmocka_unit_test_setup_teardown(test_titles, setup, teardown),
        cmocka_unit_test_setup_teardown(test_nothing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_json, setup, teardown),
        cmocka_unit_test_setup_teardown(test_misuse, setup, teardown),
        cmocka_unit_test_setup_teardown(test_revision, setup, teardown),
        cmocka_unit_test_setup_teardown(test_time_limit, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
