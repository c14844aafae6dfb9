/*
 * test_wildcard.c: prefix searches that match more terms than allowed keep
 * the most frequent ones (xap_db_wildcard_top), without the memory leak of
 * libxapian 1.4.22's own WILDCARD_LIMIT_MOST_FREQUENT (the sanitizer build
 * fails this program at exit if a search leaks).
 */
#define _XOPEN_SOURCE 700
#include <ftw.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "testdir.h"

#include "recapsearch.h"
#include "xap.h"

typedef struct fixture {
    char dir[TESTDIR_SIZE];
    char path[128];
} fixture;

/* Documents 1..6; term "pK" is in the first K documents, so "p6" is the
 * most frequent, and "q" is in all of them. */
static int
setup(void **state)
{
    fixture *f = calloc(1, sizeof(*f));
    xap_db *db = NULL;
    xap_doc *doc = NULL;
    char term[8], uterm[8];
    int d, k;

    testdir_make(f->dir, "wildcard");
    snprintf(f->path, sizeof(f->path), "%s/db", f->dir);
    assert_int_equal(xap_db_open(f->path, XAP_DB_CREATE_OR_OPEN, &db, NULL),
                     RECAP_OK);
    for (d = 1; d <= 6; d++) {
        assert_int_equal(xap_doc_new(&doc, NULL), RECAP_OK);
        for (k = d; k <= 6; k++) {
            snprintf(term, sizeof(term), "p%d", k);
            xap_doc_add_term(doc, term, strlen(term), 1, NULL);
        }
        xap_doc_add_term(doc, "q", 1, 1, NULL);
        snprintf(uterm, sizeof(uterm), "Q%d", d);
        assert_int_equal(
            xap_db_replace(db, uterm, strlen(uterm), doc, NULL, NULL),
            RECAP_OK);
        xap_doc_free(doc);
    }
    assert_int_equal(xap_db_commit(db, NULL), RECAP_OK);
    xap_db_free(db);
    *state = f;
    return 0;
}

static int
teardown(void **state)
{
    fixture *f = *state;

    testdir_remove(f->dir);
    free(f);
    return 0;
}

static void
test_top_terms(void **state)
{
    fixture *f = *state;
    xap_db *db = NULL;
    xap_query *q = NULL;
    char *desc;

    assert_int_equal(xap_db_open(f->path, XAP_DB_READONLY, &db, NULL),
                     RECAP_OK);
    assert_int_equal(xap_db_wildcard_top(db, "p", 1, 2, 0, &q, NULL), RECAP_OK);
    desc = xap_query_describe(q);
    assert_string_equal(desc, "Query((p6 OR p5))");
    free(desc);
    xap_query_free(q);

    assert_int_equal(
        xap_db_wildcard_top(db, "p", 1, 100, XAP_WILDCARD_SYNONYM, &q, NULL),
        RECAP_OK);
    desc = xap_query_describe(q);
    assert_string_equal(
        desc, "Query((p6 SYNONYM p5 SYNONYM p4 SYNONYM p3 SYNONYM p2 SYNONYM "
              "p1))");
    free(desc);
    xap_query_free(q);

    /* No term with the prefix: a query that matches nothing. */
    assert_int_equal(xap_db_wildcard_top(db, "zz", 2, 5, 0, &q, NULL),
                     RECAP_OK);
    assert_true(xap_query_is_empty(q));
    xap_query_free(q);

    assert_int_equal(xap_db_wildcard_top(db, "p", 1, 0, 0, &q, NULL),
                     RECAP_EINVAL);
    assert_int_equal(xap_db_wildcard_top(NULL, "p", 1, 3, 0, &q, NULL),
                     RECAP_EINVAL);
    xap_db_free(db);
}

#define CONTENT RECAP_SOURCE_DIR "/corpus/content"

static recap_index *the_idx; /* nftw() has no context argument */

static int
add_page(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
    size_t n = strlen(p);

    (void)st;
    (void)ftw;
    if (flag == FTW_F && n > 3 && strcmp(p + n - 3, ".md") == 0)
        recap_index_add_file(the_idx, CONTENT, p + strlen(CONTENT) + 1);
    return 0;
}

/* Searches with many over-long prefix expansions through the public API,
 * as a visitor of the search page could send them again and again. */
static void
test_searches_do_not_leak(void **state)
{
    static const char *const queries[] = {
        "a* OR b* OR c*", "a* b* c* d* e* f* g* h* i* j* k* l* m* n* o* p*",
        "s* t* \"a* b*\"", "title:a* c*"};
    fixture *f = *state;
    recap_index *idx = NULL;
    recap_search_options opts = RECAP_SEARCH_OPTIONS_INIT;
    recap_results *res = NULL;
    char *err = NULL;
    char db[160];
    size_t i;

    snprintf(db, sizeof(db), "%s/site", f->dir);
    assert_int_equal(recap_index_open(db, RECAP_OPEN_CREATE, &idx, &err),
                     RECAP_OK);
    assert_int_equal(recap_index_begin(idx, RECAP_BEGIN_FULL), RECAP_OK);
    /* The whole sample site: its prefixes "a", "s"... have more than the
     * 100 terms a prefix search expands to. */
    the_idx = idx;
    assert_int_equal(nftw(CONTENT, add_page, 16, FTW_PHYS), 0);
    assert_int_equal(recap_index_commit(idx), RECAP_OK);
    opts.lang = "*";
    for (i = 0; i < sizeof(queries) / sizeof(queries[0]); i++) {
        opts.query = queries[i];
        assert_int_equal(recap_search(idx, &opts, &res), RECAP_OK);
        assert_true(recap_results_count(res) > 0);
        recap_results_free(res);
        res = NULL;
    }
    recap_index_close(idx);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_top_terms, setup, teardown),
        cmocka_unit_test_setup_teardown(test_searches_do_not_leak, setup,
                                        teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
