/*
 * test_spell.c: corrections from the index vocabulary (query/spell.c),
 * read from the index each time and from the per-handle cache, which must
 * agree, and the cache following the index when it changes.
 */
#define _XOPEN_SOURCE 700
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "testdir.h"

#include "spell.h"
#include "xap.h"

#define OK(call) assert_int_equal((call), RECAP_OK)

/* Each word and the number of pages that contain it. */
static const struct {
    const char *word;
    unsigned pages;
} vocab[] = {
    {"gateway", 9},      {"gateways", 4},   {"getaway", 3},
    {"gatekeeper", 5},   {"kubernetes", 8}, {"kubelet", 3},
    {"telemetry", 6},    {"telemetery", 1}, {"certificate", 5},
    {"certificates", 5}, {"mirror", 4},     {"mirrors", 4},
    {"minor", 4},        {"g4teway", 7},    {"zebra", 3},
    {"sidecar", 7},      {"sidecars", 3},   {"ąęść", 3},
    {"ąęśćx", 3},        {"mirrorr", 2},    {"mxaaaa", 3},
    {"mxaab", 3},
};

#define N_VOCAB (sizeof(vocab) / sizeof(vocab[0]))
#define N_PAGES 10

/* Pages 1..N_PAGES; a word in k pages is in pages 1..k.  `extra` (may be
 * NULL) is in every page; `made_up` more words starting with g or k (in 3
 * pages each, so candidates) make large buckets, which take a while to
 * sort. */
static void
build(const char *path, const char *extra, int made_up)
{
    uint32_t x = 12345;
    xap_db *db = NULL;
    OK(xap_db_open(path, XAP_DB_CREATE_OR_OVERWRITE, &db, NULL));
    for (unsigned p = 1; p <= N_PAGES; p++) {
        xap_doc *doc = NULL;
        char id[8];
        snprintf(id, sizeof id, "Q%u", p);
        OK(xap_doc_new(&doc, NULL));
        for (size_t i = 0; i < N_VOCAB; i++)
            if (p <= vocab[i].pages)
                OK(xap_doc_add_term(doc, vocab[i].word, strlen(vocab[i].word),
                                    1, NULL));
        if (extra)
            OK(xap_doc_add_term(doc, extra, strlen(extra), 1, NULL));
        for (int i = 0; p <= 3 && i < made_up; i++) {
            char w[16];
            size_t n = 0;
            w[n++] = "gk"[i % 2];
            /* Far from the test words: a doubled letter, then 5-9 more. */
            w[n++] = 'q';
            w[n++] = 'q';
            x = x * 1103515245u + 12345u;
            for (size_t k = 5 + (x >> 16) % 5; k > 0; k--) {
                x = x * 1103515245u + 12345u;
                w[n++] = (char)('a' + (x >> 16) % 26);
            }
            OK(xap_doc_add_term(doc, w, n, 1, NULL));
        }
        xap_docid did = 0;
        OK(xap_db_replace(db, id, strlen(id), doc, &did, NULL));
        xap_doc_free(doc);
    }
    OK(xap_db_commit(db, NULL));
    xap_db_free(db);
}

static uint32_t
tf(xap_db *db, const char *w)
{
    uint32_t n = 0;
    OK(xap_db_termfreq(db, w, strlen(w), &n, NULL));
    return n;
}

/* `got` (freed here) is `want` (NULL: none). */
static void
expect_same(char *got, const char *want)
{
    if (want) {
        assert_non_null(got);
        assert_string_equal(got, want);
    } else {
        assert_null(got);
    }
    free(got);
}

/* The correction of `w` without a cache and, asked three times, with
 * `cache`: all the same, and `want` (NULL: none). */
static void
expect_fix(xap_db *db, spell_cache **cache, const char *w, const char *want)
{
    expect_same(spell_correct(db, NULL, w, strlen(w), tf(db, w)), want);
    for (int i = 0; i < 3; i++)
        expect_same(spell_correct(db, cache, w, strlen(w), tf(db, w)), want);
}

static void
test_corrections(void **state)
{
    char dir[TESTDIR_SIZE], path[TESTDIR_SIZE + 8];
    xap_db *db = NULL;
    spell_cache *cache = NULL;
    (void)state;

    testdir_make(dir, "spell");
    snprintf(path, sizeof path, "%s/db", dir);
    build(path, NULL, 0);
    OK(xap_db_open(path, XAP_DB_READONLY, &db, NULL));

    /* One edit for 5-8 letters: the most frequent neighbour wins. */
    expect_fix(db, &cache, "gatewya", "gateway");
    expect_fix(db, &cache, "gatway", "gateway");
    /* Not a plain word ("g4teway"), so never a correction. */
    expect_fix(db, &cache, "g4tewa", NULL);
    /* Two edits from 9 letters on; a length three away is too far. */
    expect_fix(db, &cache, "kuberentes", "kubernetes");
    expect_fix(db, &cache, "kubernetesxyz", NULL);
    /* A known but rare word gives way to a far more frequent neighbour
     * only: telemetery (1 page) vs telemetry (6) is not 20 times. */
    expect_fix(db, &cache, "telemetery", NULL);
    /* Ties on distance and frequency go to the first in byte order:
     * mirror and mirrors are one edit from "mirrorx" and in 4 pages each
     * (mirrorr, in 2 pages, is too rare); mxaaaa and mxaab are one edit
     * from "mxaaab", and the longer one comes first. */
    expect_fix(db, &cache, "mirrorx", "mirror");
    expect_fix(db, &cache, "mxaaab", "mxaaaa");
    /* Short words (under 5 letters) are never corrected. */
    expect_fix(db, &cache, "minr", NULL);
    /* Other first letters, other buckets; non-ASCII letters. */
    expect_fix(db, &cache, "sidecra", "sidecar");
    expect_fix(db, &cache, "ąęśćy", "ąęść");
    expect_fix(db, &cache, "certifcate", "certificate");
    xap_db_free(db);

    /* The index changes: the cache reads the new vocabulary. */
    build(path, "zeppelin", 0);
    OK(xap_db_open(path, XAP_DB_READONLY, &db, NULL));
    expect_fix(db, &cache, "zepelin", "zeppelin");
    expect_fix(db, &cache, "gatewya", "gateway");
    xap_db_free(db);
    spell_cache_free(cache);
    testdir_remove(dir);
}

/* Server threads each have their handle and cache, and load buckets at the
 * same time: loading must not share state between them (it once sorted
 * through a global pointer to the bucket, and a thread could compare
 * another's words, freed under it: a crash under load). */
typedef struct worker {
    const char *path;
    const char *const *words, *const *fixes; /* NULL-terminated */
    int failures;
} worker;

static void *
work(void *arg)
{
    worker *w = arg;
    xap_db *db = NULL;

    if (xap_db_open(w->path, XAP_DB_READONLY, &db, NULL)) {
        w->failures++;
        return NULL;
    }
    for (int round = 0; round < 200; round++) {
        spell_cache *cache = NULL;
        /* Asked twice: the second loads the word's bucket. */
        for (int k = 0; k < 2; k++)
            for (size_t i = 0; w->words[i]; i++) {
                const char *word = w->words[i];
                uint32_t n = 0;
                char *fix;
                xap_db_termfreq(db, word, strlen(word), &n, NULL);
                fix = spell_correct(db, &cache, word, strlen(word), n);
                if (!fix || strcmp(fix, w->fixes[i]))
                    w->failures++;
                free(fix);
            }
        spell_cache_free(cache);
    }
    xap_db_free(db);
    return NULL;
}

static void
test_threads(void **state)
{
    static const char *const words1[] = {"gatewya", "kuberentes", "mirrorx",
                                         NULL};
    static const char *const fixes1[] = {"gateway", "kubernetes", "mirror"};
    static const char *const words2[] = {"sidecra", "certifcate", "ąęśćy",
                                         NULL};
    static const char *const fixes2[] = {"sidecar", "certificate", "ąęść"};
    char dir[TESTDIR_SIZE], path[TESTDIR_SIZE + 8];
    worker w[4];
    pthread_t t[4];
    (void)state;

    testdir_make(dir, "spellthreads");
    snprintf(path, sizeof path, "%s/db", dir);
    build(path, NULL, 3000);
    for (int i = 0; i < 4; i++) {
        w[i] =
            (worker){path, i % 2 ? words2 : words1, i % 2 ? fixes2 : fixes1, 0};
        assert_int_equal(pthread_create(&t[i], NULL, work, &w[i]), 0);
    }
    for (int i = 0; i < 4; i++) {
        pthread_join(t[i], NULL);
        assert_int_equal(w[i].failures, 0);
    }
    testdir_remove(dir);
}

static void
test_distance(void **state)
{
    const int32_t a[] = {'a', 'b', 'c', 'd'}, b[] = {'a', 'c', 'b', 'd'},
                  c[] = {'x', 'y'};
    (void)state;
    assert_int_equal(spell_distance(a, 4, a, 4, 2), 0);
    assert_int_equal(spell_distance(a, 4, b, 4, 2), 1); /* transposition */
    assert_int_equal(spell_distance(a, 4, a, 3, 2), 1);
    assert_int_equal(spell_distance(a, 4, c, 2, 2), 3); /* over max */
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_corrections),
        cmocka_unit_test(test_threads),
        cmocka_unit_test(test_distance),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
