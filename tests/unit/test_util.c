/*
 * test_util.c: the small helpers of lib/util.c that have rules of their
 * own (the rest is exercised by every other test).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "util.h"

static const char *
dur(double s)
{
    static char buf[32];

    util_format_duration(buf, sizeof(buf), s);
    return buf;
}

static void
test_format_duration(void **state)
{
    (void)state;
    assert_string_equal(dur(-3), "0s");
    assert_string_equal(dur(0), "0s");
    assert_string_equal(dur(0.4), "0s");
    assert_string_equal(dur(0.5), "1s");
    assert_string_equal(dur(59.4), "59s");
    assert_string_equal(dur(59.6), "1m00s");
    assert_string_equal(dur(185), "3m05s");
    assert_string_equal(dur(3599), "59m59s");
    assert_string_equal(dur(3600), "1h00m");
    assert_string_equal(dur(7620), "2h07m");
    assert_string_equal(dur(75749), "21h02m");
    /* A buffer too small is cut, never overrun. */
    {
        char small[4];
        util_format_duration(small, sizeof(small), 185);
        assert_string_equal(small, "3m0");
    }
}

/* The published FNV-1a 64-bit values: the incremental stamps store these
 * hashes, so they must not drift. */
static void
test_fnv1a64(void **state)
{
    (void)state;
    assert_true(util_fnv1a64("", 0) == UINT64_C(0xcbf29ce484222325));
    assert_true(util_fnv1a64("a", 1) == UINT64_C(0xaf63dc4c8601ec8c));
    assert_true(util_fnv1a64("foobar", 6) == UINT64_C(0x85944171f73967e8));
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_format_duration),
        cmocka_unit_test(test_fnv1a64),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
