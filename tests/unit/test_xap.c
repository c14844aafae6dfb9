/*
 * test_xap.c: the Xapian wrapper on a small real database built in a
 * temporary directory.  Each test gets a fresh database of four documents:
 *
 *   docid uterm  text (positions 1..)        slot 0 (year)  slot 1  tag
 *   1     Q1     the quick brown fox jumps   2020           b       XTgo
 *   2     Q2     brown fox lazy dog          2018           a       XTrust
 *   3     Q3     fox brown quick             2022           c       XTgo
 *   4     Q4     zebra zebra zebra quick     2019           a       -
 *              + prefa prefb prefc (no positions)
 */
#define _XOPEN_SOURCE 700
#include <fcntl.h>
#include <ftw.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "testdir.h"

#include "xap.h"

/*
 * Xapian::Database::check() in libxapian 1.4.22 deletes one of its internal
 * table objects through a base pointer of a smaller type: harmless with
 * glibc, but ASan's new_delete_type_mismatch check aborts on it, inside the
 * (uninstrumented) library.  This hook is AddressSanitizer's documented way
 * to set its defaults for one program; the name is the sanitizer's, not
 * ours.  It has no effect in builds without ASan.
 */
const char *__asan_default_options(void);
const char *
__asan_default_options(void)
{
    return "new_delete_type_mismatch=0";
}

typedef struct fixture {
    char dir[TESTDIR_SIZE]; /* the temporary directory */
    char path[128];         /* the database inside it */
} fixture;

#define OK(call) assert_int_equal((call), RECAP_OK)

static const char *const texts[] = {"the quick brown fox jumps",
                                    "brown fox lazy dog", "fox brown quick",
                                    "zebra zebra zebra quick"};
static const double years[] = {2020, 2018, 2022, 2019};
static const char *const groups[] = {"b", "a", "c", "a"};
static const char *const tags[] = {"XTgo", "XTrust", "XTgo", NULL};

/* Adds one word per position from a space-separated text. */
static void
add_text(xap_doc *doc, const char *text)
{
    xap_termpos pos = 1;
    const char *p = text;
    while (*p) {
        size_t n = strcspn(p, " ");
        OK(xap_doc_add_posting(doc, p, n, pos++, 1, NULL));
        p += n;
        p += strspn(p, " ");
    }
}

static void
add_value_year(xap_doc *doc, double year)
{
    char buf[16];
    size_t n = xap_sortable_serialise(year, buf, sizeof buf);
    assert_true(n > 0 && n <= 9);
    OK(xap_doc_set_value(doc, 0, buf, n, NULL));
}

static void
build_db(const char *path)
{
    xap_db *db = NULL;
    OK(xap_db_open(path, XAP_DB_CREATE_OR_OVERWRITE, &db, NULL));
    for (size_t i = 0; i < 4; i++) {
        xap_doc *doc = NULL;
        char uterm[8], data[8];
        snprintf(uterm, sizeof uterm, "Q%zu", i + 1);
        snprintf(data, sizeof data, "doc%zu", i + 1);
        OK(xap_doc_new(&doc, NULL));
        add_text(doc, texts[i]);
        add_value_year(doc, years[i]);
        OK(xap_doc_set_value(doc, 1, groups[i], 1, NULL));
        OK(xap_doc_set_data(doc, data, strlen(data), NULL));
        OK(xap_doc_add_boolean_term(doc, uterm, strlen(uterm), NULL));
        if (tags[i])
            OK(xap_doc_add_boolean_term(doc, tags[i], strlen(tags[i]), NULL));
        if (i == 3)
            for (const char *t = "abc"; *t; t++) {
                char w[6] = {'p', 'r', 'e', 'f', *t, 0};
                OK(xap_doc_add_term(doc, w, 5, 1, NULL));
            }
        xap_docid did = 0;
        OK(xap_db_replace(db, uterm, strlen(uterm), doc, &did, NULL));
        assert_int_equal(did, i + 1);
        xap_doc_free(doc);
    }
    OK(xap_db_set_metadata(db, "schema", "1", 1, NULL));
    OK(xap_db_add_spelling(db, "kubernetes", 10, 1, NULL));
    OK(xap_db_add_synonym(db, "k8s", 3, "kubernetes", 10, NULL));
    OK(xap_db_commit(db, NULL));
    xap_db_free(db);
}

static int
setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    assert_non_null(f);
    testdir_make(f->dir, "xap");
    snprintf(f->path, sizeof f->path, "%s/db", f->dir);
    build_db(f->path);
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

static xap_db *
open_ro(fixture *f)
{
    xap_db *db = NULL;
    OK(xap_db_open(f->path, XAP_DB_READONLY, &db, NULL));
    return db;
}

/* ---- query helpers ------------------------------------------------------ */

static xap_query *
term(const char *t)
{
    xap_query *q = NULL;
    OK(xap_query_term(t, strlen(t), 1, 0, &q, NULL));
    return q;
}

static xap_query *
term_at(const char *t, xap_termpos pos)
{
    xap_query *q = NULL;
    OK(xap_query_term(t, strlen(t), 1, pos, &q, NULL));
    return q;
}

/* Combines `n` queries with `op` and frees them. */
static xap_query *
comb(xap_op op, uint32_t window, size_t n, ...)
{
    xap_query *subs[8], *q = NULL;
    va_list ap;
    va_start(ap, n);
    for (size_t i = 0; i < n; i++)
        subs[i] = va_arg(ap, xap_query *);
    va_end(ap);
    OK(xap_query_combine(op, subs, n, window, &q, NULL));
    for (size_t i = 0; i < n; i++)
        xap_query_free(subs[i]);
    return q;
}

static int
cmp_docid(const void *a, const void *b)
{
    xap_docid x = *(const xap_docid *)a, y = *(const xap_docid *)b;
    return (x > y) - (x < y);
}

/* Runs `q` (freed here) and checks the docids; `ordered` compares the rank
 * order, otherwise the set.  `want` is 0-terminated. */
static void
expect(xap_enquire *e, xap_query *q, int ordered, const xap_docid *want)
{
    xap_mset *m = NULL;
    xap_docid got[16];
    size_t n_want = 0;
    while (want[n_want])
        n_want++;
    OK(xap_enquire_set_query(e, q, 0, NULL));
    xap_query_free(q);
    OK(xap_enquire_mset(e, 0, 16, 16, &m, NULL));
    assert_int_equal(xap_mset_size(m), n_want);
    for (uint32_t i = 0; i < n_want; i++)
        got[i] = xap_mset_docid(m, i);
    if (!ordered)
        qsort(got, n_want, sizeof got[0], cmp_docid);
    for (size_t i = 0; i < n_want; i++)
        assert_int_equal(got[i], want[i]);
    xap_mset_free(m);
}

#define DOCS(...) ((const xap_docid[]){__VA_ARGS__, 0})
#define NO_DOCS ((const xap_docid[]){0})

/* ---- tests -------------------------------------------------------------- */

static void
test_counts_and_docs(void **state)
{
    xap_db *db = open_ro(*state);
    uint32_t n = 0;
    uint64_t cf = 0;
    OK(xap_db_doccount(db, &n, NULL));
    assert_int_equal(n, 4);
    OK(xap_db_termfreq(db, "fox", 3, &n, NULL));
    assert_int_equal(n, 3);
    OK(xap_db_collfreq(db, "zebra", 5, &cf, NULL));
    assert_int_equal(cf, 3);
    double avlen = 0;
    OK(xap_db_avlength(db, &avlen, NULL));
    assert_true(avlen > 4.0 && avlen < 6.0); /* (5 + 4 + 3 + 7) / 4 */

    xap_doc *doc = NULL;
    char *s = NULL;
    size_t len = 0;
    OK(xap_db_get_doc(db, 2, &doc, NULL));
    OK(xap_doc_get_data(doc, &s, &len, NULL));
    assert_string_equal(s, "doc2");
    assert_int_equal(len, 4);
    free(s);
    OK(xap_doc_get_value(doc, 0, &s, &len, NULL));
    assert_true(xap_sortable_unserialise(s, len) == 2018.0);
    free(s);
    xap_doc_free(doc);

    xap_error err = {0};
    assert_int_equal(xap_db_get_doc(db, 99, &doc, &err), RECAP_ENOTFOUND);
    assert_null(doc);
    /* Writing through a reader is misuse. */
    assert_int_equal(xap_db_commit(db, &err), RECAP_EINVAL);
    assert_non_null(strstr(err.msg, "read-only"));
    xap_db_free(db);
}

static void
test_boolean_ops(void **state)
{
    xap_db *db = open_ro(*state);
    xap_enquire *e = NULL;
    OK(xap_enquire_new(db, &e, NULL));
    expect(e, term("fox"), 0, DOCS(1, 2, 3));
    expect(e, term("nothing"), 0, NO_DOCS);
    expect(e, comb(XAP_OP_AND, 0, 2, term("quick"), term("brown")), 0,
           DOCS(1, 3));
    expect(e, comb(XAP_OP_OR, 0, 2, term("dog"), term("zebra")), 0, DOCS(2, 4));
    expect(e, comb(XAP_OP_SYNONYM, 0, 2, term("dog"), term("zebra")), 0,
           DOCS(2, 4));
    expect(e, comb(XAP_OP_FILTER, 0, 2, term("fox"), term("XTgo")), 0,
           DOCS(1, 3));
    expect(e, comb(XAP_OP_AND_NOT, 0, 2, term("fox"), term("XTgo")), 0,
           DOCS(2));
    expect(e, comb(XAP_OP_XOR, 0, 2, term("quick"), term("fox")), 0,
           DOCS(2, 4));
    xap_query *q = NULL;
    OK(xap_query_match_all(&q, NULL));
    expect(e, q, 0, DOCS(1, 2, 3, 4));
    OK(xap_query_match_nothing(&q, NULL));
    assert_true(xap_query_is_empty(q));
    expect(e, q, 0, NO_DOCS);
    /* An unknown operator is misuse. */
    assert_int_equal(xap_query_combine((xap_op)99, NULL, 0, 0, &q, NULL),
                     RECAP_EINVAL);
    xap_enquire_free(e);
    xap_db_free(db);
}

static void
test_positional_ops(void **state)
{
    xap_db *db = open_ro(*state);
    xap_enquire *e = NULL;
    OK(xap_enquire_new(db, &e, NULL));
    /* "quick brown" in that order is only in doc 1 (doc 3 has it reversed). */
    expect(e, comb(XAP_OP_PHRASE, 0, 2, term("quick"), term("brown")), 0,
           DOCS(1));
    expect(e, comb(XAP_OP_NEAR, 2, 2, term("quick"), term("brown")), 0,
           DOCS(1, 3));
    /* fox@4 and jumps@5 in doc 1; fox@1, quick@3 in doc 3: a window of 2
     * takes adjacent terms only. */
    expect(e, comb(XAP_OP_NEAR, 2, 2, term("fox"), term("quick")), 0, NO_DOCS);
    expect(e, comb(XAP_OP_NEAR, 3, 2, term("fox"), term("quick")), 0,
           DOCS(1, 3));

    xap_termpos *pos = NULL;
    size_t n = 0;
    OK(xap_db_positions(db, 1, "brown", 5, &pos, &n, NULL));
    assert_int_equal(n, 1);
    assert_int_equal(pos[0], 3);
    free(pos);
    OK(xap_db_positions(db, 4, "zebra", 5, &pos, &n, NULL));
    assert_int_equal(n, 3);
    assert_int_equal(pos[0], 1);
    assert_int_equal(pos[2], 3);
    free(pos);
    OK(xap_db_positions(db, 4, "prefa", 5, &pos, &n, NULL));
    assert_null(pos);
    assert_int_equal(n, 0);
    xap_enquire_free(e);
    xap_db_free(db);
}

static void
test_wildcard(void **state)
{
    xap_db *db = open_ro(*state);
    xap_enquire *e = NULL;
    xap_query *q = NULL;
    xap_mset *m = NULL;
    OK(xap_enquire_new(db, &e, NULL));
    OK(xap_query_wildcard("pref", 4, 0, 1, &q, NULL));
    expect(e, q, 0, DOCS(4));
    OK(xap_query_wildcard("pref", 4, 3, 0, &q, NULL));
    expect(e, q, 0, DOCS(4));

    /* Three terms start with "pref": a limit of 2 fails when matching. */
    xap_error err = {0};
    OK(xap_query_wildcard("pref", 4, 2, 1, &q, NULL));
    OK(xap_enquire_set_query(e, q, 0, NULL));
    xap_query_free(q);
    assert_int_equal(xap_enquire_mset(e, 0, 10, 0, &m, &err), RECAP_EQUERY);
    assert_null(m);
    assert_int_equal(err.rc, RECAP_EQUERY);
    assert_non_null(strstr(err.msg, "wildcard"));
    assert_non_null(strstr(err.msg, "pref"));
    /* The same failure with no error struct must not crash. */
    assert_int_equal(xap_enquire_mset(e, 0, 10, 0, &m, NULL), RECAP_EQUERY);
    xap_enquire_free(e);
    xap_db_free(db);
}

static xap_query *
years_between(const double *lo, const double *hi)
{
    char a[16], b[16];
    size_t na = lo ? xap_sortable_serialise(*lo, a, sizeof a) : 0;
    size_t nb = hi ? xap_sortable_serialise(*hi, b, sizeof b) : 0;
    xap_query *q = NULL;
    OK(xap_query_value_range(0, lo ? a : NULL, na, hi ? b : NULL, nb, &q,
                             NULL));
    return q;
}

/* Estimates of xap_query_estimate() for `q` (freed here). */
static int
estimate(const xap_mset *stats, xap_query *q, uint64_t *n)
{
    int rc = xap_query_estimate(q, stats, 4, n);
    xap_query_free(q);
    return rc;
}

static void
test_estimate(void **state)
{
    xap_db *db = open_ro(*state);
    xap_enquire *e = NULL;
    xap_mset *m = NULL;
    xap_query *q = NULL;
    uint64_t n = 99;
    OK(xap_enquire_new(db, &e, NULL));
    /* The statistics: fox, quick and brown are in 3 of the 4 documents,
     * dog in 1 (zebra, also in 1, is not in this query: looked up). */
    q = comb(XAP_OP_OR, 0, 3, term("fox"), term("quick"), term("dog"));
    OK(xap_enquire_set_query(e, q, 0, NULL));
    xap_query_free(q);
    OK(xap_enquire_mset(e, 0, 10, 0, &m, NULL));
    /* Independence: 4 (1 - 1/4 * 3/4) = 3.25 */
    assert_int_equal(
        estimate(m, comb(XAP_OP_OR, 0, 2, term("fox"), term("dog")), &n), 0);
    assert_int_equal(n, 3);
    /* 4 * 3/4 * 3/4 = 2.25, for AND as for the positional operators */
    assert_int_equal(
        estimate(m, comb(XAP_OP_AND, 0, 2, term("fox"), term("quick")), &n), 0);
    assert_int_equal(n, 2);
    assert_int_equal(
        estimate(m, comb(XAP_OP_PHRASE, 0, 2, term("fox"), term("quick")), &n),
        0);
    assert_int_equal(n, 2);
    /* 4 * 3/4 * (1 - 1/4) = 2.25; AND_MAYBE counts its left side */
    assert_int_equal(
        estimate(m, comb(XAP_OP_AND_NOT, 0, 2, term("fox"), term("dog")), &n),
        0);
    assert_int_equal(n, 2);
    assert_int_equal(
        estimate(m, comb(XAP_OP_AND_MAYBE, 0, 2, term("dog"), term("fox")), &n),
        0);
    assert_int_equal(n, 1);
    /* 4 (3/4 + 3/4 - 2 * 9/16) = 1.5, rounded up */
    assert_int_equal(
        estimate(m, comb(XAP_OP_XOR, 0, 2, term("quick"), term("fox")), &n), 0);
    assert_int_equal(n, 2);
    assert_int_equal(estimate(m, term("zebra"), &n), 0);
    assert_int_equal(n, 1);
    xap_query *fox = term("fox");
    OK(xap_query_scale(fox, 2.0, &q, NULL));
    xap_query_free(fox);
    assert_int_equal(estimate(m, q, &n), 0);
    assert_int_equal(n, 3);
    OK(xap_query_match_all(&q, NULL));
    assert_int_equal(estimate(m, q, &n), 0);
    assert_int_equal(n, 4);
    /* 0 only when nothing can match */
    assert_int_equal(
        estimate(m, comb(XAP_OP_AND, 0, 2, term("fox"), term("nothing")), &n),
        0);
    assert_int_equal(n, 0);
    OK(xap_query_match_nothing(&q, NULL));
    assert_int_equal(estimate(m, q, &n), 0);
    assert_int_equal(n, 0);
    /* A wildcard's terms are only known at match time. */
    OK(xap_query_wildcard("pref", 4, 0, 1, &q, NULL));
    assert_int_equal(estimate(m, comb(XAP_OP_OR, 0, 2, term("fox"), q), &n),
                     -1);
    assert_int_equal(xap_query_estimate(NULL, m, 4, &n), -1);
    xap_mset_free(m);
    xap_enquire_free(e);
    xap_db_free(db);
}

static void
test_values_and_sort(void **state)
{
    xap_db *db = open_ro(*state);
    xap_enquire *e = NULL;
    OK(xap_enquire_new(db, &e, NULL));
    double y2019 = 2019, y2020 = 2020, y2021 = 2021;
    expect(e, years_between(&y2019, &y2020), 0, DOCS(1, 4));
    expect(e, years_between(NULL, &y2019), 0, DOCS(2, 4));
    expect(e, years_between(&y2021, NULL), 0, DOCS(3));
    expect(e, years_between(NULL, NULL), 0, DOCS(1, 2, 3, 4));

    /* Sorted by year: 2018 (2), 2019 (4), 2020 (1), 2022 (3). */
    xap_query *all = NULL;
    OK(xap_query_match_all(&all, NULL));
    OK(xap_enquire_set_sort(e, XAP_SORT_VALUE, 0, 0, NULL));
    expect(e, comb(XAP_OP_OR, 0, 1, all), 1, DOCS(2, 4, 1, 3));
    OK(xap_enquire_set_sort(e, XAP_SORT_VALUE, 0, 1, NULL));
    expect(e, term("quick"), 1, DOCS(3, 1, 4));
    OK(xap_enquire_set_sort(e, XAP_SORT_RELEVANCE, 0, 0, NULL));

    /* Collapsing on slot 1 keeps one of docs 2 and 4 (both "a"). */
    OK(xap_enquire_set_collapse(e, 1, NULL));
    xap_mset *m = NULL;
    OK(xap_query_match_all(&all, NULL));
    OK(xap_enquire_set_query(e, all, 0, NULL));
    xap_query_free(all);
    OK(xap_enquire_mset(e, 0, 10, 10, &m, NULL));
    assert_int_equal(xap_mset_size(m), 3);
    assert_true(xap_mset_weight(m, 0) == 0.0); /* match-all weighs nothing */
    xap_mset_free(m);
    xap_enquire_free(e);
    xap_db_free(db);
}

static void
test_weights(void **state)
{
    xap_db *db = open_ro(*state);
    xap_enquire *e = NULL;
    xap_query *z = NULL;
    xap_mset *m = NULL;
    OK(xap_enquire_new(db, &e, NULL));
    OK(xap_enquire_set_bm25(e, 1.2, 0, 1, 0.75, 0.5, NULL));
    /* "quick" weighted up ten times... */
    xap_query *q = term("quick");
    OK(xap_query_scale(q, 10, &z, NULL));
    xap_query_free(q);
    OK(xap_enquire_set_query(e, z, 0, NULL));
    OK(xap_enquire_mset(e, 0, 10, 10, &m, NULL));
    assert_int_equal(xap_mset_size(m), 3);
    double w_first = xap_mset_weight(m, 0);
    assert_true(w_first > 0);
    assert_true(xap_mset_percent(m, 0) == 100);
    xap_mset_free(m);
    xap_query_free(z);
    /* ...and a scale of 0 makes every weight 0. */
    q = term("quick");
    OK(xap_query_scale(q, 0, &z, NULL));
    xap_query_free(q);
    OK(xap_enquire_set_query(e, z, 0, NULL));
    xap_query_free(z);
    OK(xap_enquire_mset(e, 0, 10, 10, &m, NULL));
    assert_int_equal(xap_mset_size(m), 3);
    assert_true(xap_mset_weight(m, 0) == 0.0);
    xap_mset_free(m);
    /* Scaled zebra outranks the rest in an OR. */
    q = term("zebra");
    OK(xap_query_scale(q, 10, &z, NULL));
    xap_query_free(q);
    expect(e, comb(XAP_OP_OR, 0, 2, term("fox"), z), 1, DOCS(4, 3, 2, 1));

    xap_error err = {0};
    q = term("quick");
    assert_int_equal(xap_query_scale(q, -1, &z, &err), RECAP_EINVAL);
    assert_null(z);
    xap_query_free(q);
    xap_enquire_free(e);
    xap_db_free(db);
}

/* xap_db_phrase_bonus gives each document what Xapian itself weighs a
 * scaled PHRASE of the terms at: compared on every document for phrases
 * that match at the start, after a false start and not at all. */
static void
expect_phrase_bonus(xap_db *db, xap_enquire *e, const xap_weighting *w,
                    const char *a, const char *b)
{
    const char *terms[2] = {a, b};
    size_t lens[2] = {strlen(a), strlen(b)};
    xap_docid dids[4] = {1, 2, 3, 4};
    double bonus[4], want[4] = {0, 0, 0, 0};
    xap_query *q = NULL;
    xap_mset *m = NULL;

    xap_query *phrase = comb(XAP_OP_PHRASE, 0, 2, term(a), term(b));
    OK(xap_query_scale(phrase, 0.5, &q, NULL));
    xap_query_free(phrase);
    OK(xap_enquire_set_query(e, q, 0, NULL));
    xap_query_free(q);
    OK(xap_enquire_mset(e, 0, 10, 10, &m, NULL));
    for (uint32_t i = 0; i < xap_mset_size(m); i++)
        want[xap_mset_docid(m, i) - 1] = xap_mset_weight(m, i);
    xap_mset_free(m);
    OK(xap_db_phrase_bonus(db, dids, 4, terms, lens, 2, w, 0.5, bonus, NULL));
    for (size_t i = 0; i < 4; i++)
        assert_true(fabs(bonus[i] - want[i]) < 1e-9 &&
                    (want[i] > 0) == (bonus[i] > 0));
}

/* Values read as sortable numbers, for documents in any order; a slot a
 * document lacks reads 0. */
static void
test_sortable_values(void **state)
{
    xap_db *db = open_ro(*state);
    xap_docid dids[5] = {3, 1, 4, 2, 3};
    double v[5];

    OK(xap_db_sortable_values(db, 0, dids, 5, v, NULL));
    for (size_t i = 0; i < 5; i++)
        assert_true(v[i] == years[dids[i] - 1]);
    OK(xap_db_sortable_values(db, 9, dids, 5, v, NULL));
    for (size_t i = 0; i < 5; i++)
        assert_true(v[i] == 0);
    xap_db_free(db);
}

static void
test_phrase_bonus(void **state)
{
    xap_db *db = open_ro(*state);
    xap_enquire *e = NULL;
    xap_weighting w = {XAP_SCHEME_BM25, 1.2, 0.75, 0.5, 1, 1, 2000};
    const char *terms[2] = {"quick", "brown"};
    size_t lens[2] = {5, 5};
    xap_docid did = 1;
    double bonus = -1;

    OK(xap_enquire_new(db, &e, NULL));
    OK(xap_enquire_set_weighting(e, &w, NULL));
    expect_phrase_bonus(db, e, &w, "quick", "brown"); /* doc 1 */
    expect_phrase_bonus(db, e, &w, "brown", "quick"); /* doc 3 */
    expect_phrase_bonus(db, e, &w, "zebra", "quick"); /* zebra@3 quick@4 */
    expect_phrase_bonus(db, e, &w, "fox", "brown");   /* nowhere */
    w.k1 = 3;
    w.b = 0.5;
    OK(xap_enquire_set_weighting(e, &w, NULL));
    expect_phrase_bonus(db, e, &w, "brown", "fox");
    /* Only BM25 is reproduced. */
    w.scheme = XAP_SCHEME_DPH;
    assert_int_equal(
        xap_db_phrase_bonus(db, &did, 1, terms, lens, 2, &w, 0.5, &bonus, NULL),
        RECAP_EINVAL);
    xap_enquire_free(e);
    xap_db_free(db);
}

/* Reads an iterator into "term:freq,term:freq". */
static void
expect_terms(xap_termiter *it, const char *want)
{
    char got[256] = "";
    const char *t;
    size_t len;
    uint32_t freq;
    int r;
    while ((r = xap_termiter_next(it, &t, &len, &freq, NULL)) == 1)
        snprintf(got + strlen(got), sizeof got - strlen(got), "%s%.*s:%u",
                 *got ? "," : "", (int)len, t, (unsigned)freq);
    assert_int_equal(r, 0);
    assert_int_equal(xap_termiter_next(it, &t, &len, &freq, NULL), 0);
    assert_string_equal(got, want);
    xap_termiter_free(it);
}

static void
test_term_iterators(void **state)
{
    xap_db *db = open_ro(*state);
    xap_termiter *it = NULL;
    OK(xap_db_allterms(db, "XT", 2, &it, NULL));
    expect_terms(it, "XTgo:2,XTrust:1");
    OK(xap_db_allterms(db, "pref", 4, &it, NULL));
    expect_terms(it, "prefa:1,prefb:1,prefc:1");
    OK(xap_db_termlist(db, 4, &it, NULL));
    expect_terms(it, "Q4:0,prefa:1,prefb:1,prefc:1,quick:1,zebra:3");
    OK(xap_db_synonyms(db, "k8s", 3, &it, NULL));
    expect_terms(it, "kubernetes:0");
    OK(xap_db_synonyms(db, "none", 4, &it, NULL));
    expect_terms(it, "");
    xap_error err = {0};
    assert_int_equal(xap_db_termlist(db, 42, &it, &err), RECAP_ENOTFOUND);

    /* Matching terms of docs 1 and 4 for "zebra OR dog OR quick", in the
     * order of the query positions. */
    xap_enquire *e = NULL;
    OK(xap_enquire_new(db, &e, NULL));
    xap_query *q = comb(XAP_OP_OR, 0, 3, term_at("zebra", 1), term_at("dog", 2),
                        term_at("quick", 3));
    OK(xap_enquire_set_query(e, q, 0, NULL));
    xap_query_free(q);
    OK(xap_enquire_matching_terms(e, 1, &it, NULL));
    expect_terms(it, "quick:0");
    OK(xap_enquire_matching_terms(e, 4, &it, NULL));
    expect_terms(it, "zebra:0,quick:0");

    /* More like docs 1 and 3: no unique or tag terms come back. */
    const char *const skip[] = {"Q", "XT", NULL};
    xap_docid rel[] = {1, 3};
    const char *t;
    size_t len;
    int n_terms = 0;
    OK(xap_enquire_eset(e, rel, 2, 10, skip, &it, NULL));
    while (xap_termiter_next(it, &t, &len, NULL, NULL) == 1) {
        assert_false(t[0] == 'Q' || (t[0] == 'X' && t[1] == 'T'));
        n_terms++;
    }
    assert_true(n_terms > 0);
    xap_termiter_free(it);
    xap_enquire_free(e);
    xap_db_free(db);
}

/* An iterator or enquire freed after its database fails cleanly. */
static void
test_outliving_db(void **state)
{
    xap_db *db = open_ro(*state);
    xap_termiter *it = NULL;
    xap_enquire *e = NULL;
    xap_mset *m = NULL;
    xap_error err = {0};
    const char *t;
    OK(xap_db_allterms(db, NULL, 0, &it, NULL));
    OK(xap_enquire_new(db, &e, NULL));
    xap_query *q = term("fox");
    OK(xap_enquire_set_query(e, q, 0, NULL));
    xap_query_free(q);
    assert_int_equal(xap_termiter_next(it, &t, NULL, NULL, NULL), 1);
    xap_db_free(db);
    /* Xapian may still serve terms it has read, or report the closed
     * database; either way nothing is used after being freed (ASan). */
    int r, n = 1;
    while ((r = xap_termiter_next(it, &t, NULL, NULL, &err)) == 1)
        n++;
    if (r == -1)
        assert_non_null(strstr(err.msg, "DatabaseClosedError"));
    else
        assert_int_equal(n, 17); /* every term of the fixture */
    assert_int_not_equal(xap_enquire_mset(e, 0, 10, 0, &m, &err), RECAP_OK);
    assert_null(m);
    xap_termiter_free(it);
    xap_enquire_free(e);
}

static void
test_metadata_spelling_synonyms(void **state)
{
    fixture *f = *state;
    xap_db *db = NULL;
    char *s = NULL;
    size_t len = 9;
    OK(xap_db_open(f->path, XAP_DB_OPEN, &db, NULL));
    OK(xap_db_get_metadata(db, "schema", &s, &len, NULL));
    assert_string_equal(s, "1");
    free(s);
    OK(xap_db_get_metadata(db, "missing", &s, &len, NULL));
    assert_string_equal(s, "");
    assert_int_equal(len, 0);
    free(s);
    OK(xap_db_spell(db, "kubernetis", 10, 2, &s, NULL));
    assert_string_equal(s, "kubernetes");
    free(s);
    OK(xap_db_spell(db, "zzzzzz", 6, 2, &s, NULL));
    assert_string_equal(s, "");
    free(s);
    OK(xap_db_clear_synonyms(db, "k8s", 3, NULL));
    xap_termiter *it = NULL;
    OK(xap_db_synonyms(db, "k8s", 3, &it, NULL));
    expect_terms(it, "");
    xap_db_free(db);
}

static void
test_transactions(void **state)
{
    fixture *f = *state;
    xap_db *w = NULL, *r = open_ro(f);
    uint32_t n = 0;
    uint64_t rev0 = 0, rev1 = 0;
    OK(xap_db_revision(r, &rev0, NULL));
    OK(xap_db_open(f->path, XAP_DB_CREATE_OR_OPEN, &w, NULL));

    /* A cancelled transaction leaves nothing behind. */
    xap_doc *doc = NULL;
    OK(xap_doc_new(&doc, NULL));
    OK(xap_doc_add_posting(doc, "walrus", 6, 1, 1, NULL));
    OK(xap_db_begin(w, 1, NULL));
    OK(xap_db_replace(w, "Q9", 2, doc, NULL, NULL));
    OK(xap_db_delete(w, "Q1", 2, NULL));
    OK(xap_db_end(w, 0, NULL));
    OK(xap_db_doccount(w, &n, NULL));
    assert_int_equal(n, 4);
    OK(xap_db_termfreq(w, "walrus", 6, &n, NULL));
    assert_int_equal(n, 0);

    /* A committed one is seen by a reader after reopen. */
    int changed = -1;
    OK(xap_db_reopen(r, &changed, NULL));
    OK(xap_db_begin(w, 1, NULL));
    OK(xap_db_replace(w, "Q9", 2, doc, NULL, NULL));
    OK(xap_db_delete(w, "Q1", 2, NULL));
    OK(xap_db_end(w, 1, NULL));
    xap_doc_free(doc);
    OK(xap_db_reopen(r, &changed, NULL));
    assert_int_equal(changed, 1);
    OK(xap_db_doccount(r, &n, NULL));
    assert_int_equal(n, 4);
    OK(xap_db_termfreq(r, "walrus", 6, &n, NULL));
    assert_int_equal(n, 1);
    OK(xap_db_termfreq(r, "Q1", 2, &n, NULL));
    assert_int_equal(n, 0);
    OK(xap_db_revision(r, &rev1, NULL));
    assert_true(rev1 > rev0);

    /* Ending a transaction that was not begun is reported, not thrown. */
    xap_error err = {0};
    assert_int_not_equal(xap_db_end(w, 1, &err), RECAP_OK);
    assert_true(err.msg[0] != '\0');
    xap_db_free(w);
    xap_db_free(r);
}

static void
test_open_errors(void **state)
{
    fixture *f = *state;
    xap_db *db = (xap_db *)1, *w = NULL;
    xap_error err = {0};
    char missing[160];
    snprintf(missing, sizeof missing, "%s/no-such-index", f->dir);
    assert_int_equal(xap_db_open(missing, XAP_DB_READONLY, &db, &err),
                     RECAP_ENOTFOUND);
    assert_null(db);
    assert_int_equal(err.rc, RECAP_ENOTFOUND);
    assert_non_null(strstr(err.msg, missing));
    assert_int_equal(xap_db_open(missing, XAP_DB_OPEN, &db, &err),
                     RECAP_ENOTFOUND);
    assert_int_equal(xap_db_open(missing, XAP_DB_READONLY, &db, NULL),
                     RECAP_ENOTFOUND);

    /* A second writer finds the lock held. */
    OK(xap_db_open(f->path, XAP_DB_CREATE_OR_OPEN, &w, NULL));
    memset(&err, 0, sizeof err);
    assert_int_equal(xap_db_open(f->path, XAP_DB_OPEN, &db, &err),
                     RECAP_ELOCKED);
    assert_null(db);
    assert_non_null(strstr(err.msg, f->path));
    assert_non_null(strstr(err.msg, "recapsearch-index"));
    /* Readers are not blocked; after the writer closes, writing works. */
    db = open_ro(f);
    xap_db_free(db);
    xap_db_free(w);
    OK(xap_db_open(f->path, XAP_DB_OPEN, &w, NULL));
    xap_db_free(w);
    xap_db_free(NULL);
}

/* Overwrites `len` bytes at `off` of `file` in the database with 0xAA. */
static void
garble(fixture *f, const char *file, off_t off, size_t len)
{
    char p[192], junk[4096];
    memset(junk, 0xAA, sizeof junk);
    snprintf(p, sizeof p, "%s/%s", f->path, file);
    int fd = open(p, O_WRONLY);
    assert_true(fd >= 0);
    assert_true(len <= sizeof junk);
    assert_int_equal(pwrite(fd, junk, len, off), (ssize_t)len);
    close(fd);
}

static void
test_check_and_corruption(void **state)
{
    fixture *f = *state;
    xap_error err = {0};
    OK(xap_db_check(f->path, &err));

    /* A damaged value chunk inside the postlist table's only block (the
     * offset fits this fixture with xapian-core 1.4.22): the checker counts
     * the problems and names the first. */
    garble(f, "postlist.glass", 7768, 2);
    assert_int_equal(xap_db_check(f->path, &err), RECAP_ECORRUPT);
    assert_non_null(strstr(err.msg, f->path));
    assert_non_null(strstr(err.msg, "first: postlist: "));

    /* A garbled block header: the checker stops at once. */
    garble(f, "postlist.glass", 0, 4096);
    memset(&err, 0, sizeof err);
    assert_int_equal(xap_db_check(f->path, &err), RECAP_ECORRUPT);
    assert_non_null(strstr(err.msg, f->path));

    /* A garbled version file: the database no longer opens. */
    garble(f, "iamglass", 0, 16);
    xap_db *db = NULL;
    memset(&err, 0, sizeof err);
    assert_int_equal(xap_db_open(f->path, XAP_DB_READONLY, &db, &err),
                     RECAP_ECORRUPT);
    assert_null(db);
    assert_non_null(strstr(err.msg, f->path));
}

static void
test_sortable_and_misuse(void **state)
{
    (void)state;
    char a[9], b[9];
    size_t na = xap_sortable_serialise(-3.5, a, sizeof a);
    size_t nb = xap_sortable_serialise(1e6, b, sizeof b);
    assert_true(memcmp(a, b, na < nb ? na : nb) < 0);
    assert_true(xap_sortable_unserialise(a, na) == -3.5);
    assert_true(xap_sortable_unserialise(b, nb) == 1e6);
    assert_int_equal(xap_sortable_serialise(1e6, NULL, 0), nb);

    xap_error err = {0};
    xap_doc *doc = NULL;
    xap_query *q = NULL;
    OK(xap_doc_new(&doc, NULL));
    assert_int_equal(xap_doc_add_posting(doc, "", 0, 1, 1, &err),
                     RECAP_EINVAL); /* Xapian rejects empty terms */
    assert_int_equal(xap_query_term("", 0, 1, 0, &q, &err), RECAP_EINVAL);
    assert_int_equal(xap_db_doccount(NULL, NULL, &err), RECAP_EINVAL);
    assert_int_equal(xap_db_open(NULL, XAP_DB_READONLY, NULL, NULL),
                     RECAP_EINVAL);
    q = term("a");
    char *d = xap_query_describe(q);
    assert_non_null(strstr(d, "a"));
    free(d);
    xap_query_free(q);
    xap_doc_free(doc);
}

/* Writers of many documents flush larger batches; the environment the
 * test runs in does not set the variable (ctest passes none). */
static void
test_flush_threshold(void **state)
{
    (void)state;
    if (getenv("XAPIAN_FLUSH_THRESHOLD") &&
        strcmp(getenv("XAPIAN_FLUSH_THRESHOLD"), "50") != 0)
        skip(); /* the user's value wins, by design */
    xap_flush_threshold_for(XAP_FLUSH_LARGE_DOCS);
    assert_string_equal(getenv("XAPIAN_FLUSH_THRESHOLD"), "500");
    xap_flush_threshold_for(XAP_FLUSH_LARGE_DOCS - 1);
    assert_string_equal(getenv("XAPIAN_FLUSH_THRESHOLD"), "50");
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_counts_and_docs, setup, teardown),
        cmocka_unit_test_setup_teardown(test_boolean_ops, setup, teardown),
        cmocka_unit_test_setup_teardown(test_positional_ops, setup, teardown),
        cmocka_unit_test_setup_teardown(test_wildcard, setup, teardown),
        cmocka_unit_test_setup_teardown(test_estimate, setup, teardown),
        cmocka_unit_test_setup_teardown(test_values_and_sort, setup, teardown),
        cmocka_unit_test_setup_teardown(test_weights, setup, teardown),
        cmocka_unit_test_setup_teardown(test_phrase_bonus, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sortable_values, setup, teardown),
        cmocka_unit_test_setup_teardown(test_term_iterators, setup, teardown),
        cmocka_unit_test_setup_teardown(test_outliving_db, setup, teardown),
        cmocka_unit_test_setup_teardown(test_metadata_spelling_synonyms, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_transactions, setup, teardown),
        cmocka_unit_test_setup_teardown(test_open_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_check_and_corruption, setup,
                                        teardown),
        cmocka_unit_test(test_sortable_and_misuse),
        cmocka_unit_test(test_flush_threshold),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
