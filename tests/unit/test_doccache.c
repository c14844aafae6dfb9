/*
 * test_doccache.c: the cache of parsed pages (query/doccache.c) against a
 * plain model: random gets and puts keep exactly the pages the model
 * says, within the budget, and CLOCK spares pages read since the hand
 * last passed.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "doccache.h"

/* A page whose path says its docid. */
static docdata
page(uint32_t did)
{
    docdata d;
    memset(&d, 0, sizeof(d));
    d.buf = malloc(16);
    assert_non_null(d.buf);
    snprintf(d.buf, 16, "p%u", did);
    d.path = d.buf;
    return d;
}

static void
test_basics(void **state)
{
    doccache *c = doccache_new(100);
    docdata d = page(7), big = page(8);
    const docdata *got;
    (void)state;

    assert_null(doccache_get(c, 7));
    got = doccache_put(c, 7, &d, 40);
    assert_non_null(got);
    assert_null(d.buf); /* taken over */
    assert_string_equal(doccache_get(c, 7)->path, "p7");
    /* Larger than the whole budget: not kept, still the caller's. */
    assert_null(doccache_put(c, 8, &big, 101));
    assert_non_null(big.buf);
    docdata_free(&big);
    /* Already there: not replaced. */
    d = page(7);
    assert_null(doccache_put(c, 7, &d, 10));
    docdata_free(&d);
    assert_int_equal(doccache_count(c), 1);
    assert_int_equal(doccache_bytes(c), 40);
    /* Two more of 40 bytes: one must go; the hand spares 7 if it was read
     * since it last passed. */
    d = page(9);
    assert_non_null(doccache_put(c, 9, &d, 40));
    assert_non_null(doccache_get(c, 7)); /* 7 read: spared */
    d = page(10);
    assert_non_null(doccache_put(c, 10, &d, 40));
    assert_true(doccache_bytes(c) <= 100);
    assert_non_null(doccache_get(c, 7));
    assert_null(doccache_get(c, 9));
    doccache_clear(c);
    assert_int_equal(doccache_count(c), 0);
    assert_null(doccache_get(c, 7));
    doccache_free(c);
    doccache_free(NULL);
}

/* Random traffic over a few hundred docids: every page got back is the
 * one put for that docid, the budget holds, and counts agree with a
 * model of which docids are in. */
static void
test_random(void **state)
{
    enum { N = 600, BUDGET = 5000 };
    static size_t size_of[N + 1];
    static int in[N + 1];
    doccache *c = doccache_new(BUDGET);
    uint32_t seed = 12345;
    (void)state;

    for (int step = 0; step < 200000; step++) {
        seed = seed * 1103515245u + 12345u;
        uint32_t did = 1 + (seed >> 8) % N;
        const docdata *got = doccache_get(c, did);
        if (got) {
            char want[16];
            snprintf(want, sizeof want, "p%u", did);
            assert_true(in[did]);
            assert_string_equal(got->path, want);
        } else {
            in[did] = 0; /* never put, or dropped by the hand since */
            docdata d = page(did);
            size_t bytes = 10 + (seed >> 20) % 90;
            if (doccache_put(c, did, &d, bytes)) {
                in[did] = 1;
                size_of[did] = bytes;
            } else {
                docdata_free(&d);
            }
        }
        assert_true(doccache_bytes(c) <= BUDGET);
        if (step % 50000 == 0) {
            size_t n = 0, bytes = 0;
            for (uint32_t k = 1; k <= N; k++)
                if (in[k] && doccache_get(c, k)) {
                    n++;
                    bytes += size_of[k];
                } else {
                    in[k] = 0;
                }
            assert_int_equal(n, doccache_count(c));
            assert_int_equal(bytes, doccache_bytes(c));
        }
    }
    doccache_free(c);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_basics),
        cmocka_unit_test(test_random),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
