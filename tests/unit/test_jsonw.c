/*
 * test_jsonw.c: the direct JSON writer writes what jansson's json_dumps
 * writes for the same document, compact and indented, byte for byte: nested
 * objects and arrays, empty ones, every control character, UTF-8, and reals
 * of every magnitude; invalid UTF-8 becomes U+FFFD.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <inttypes.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonw.h"
#include "util.h"

/* Writes the same document with both: a sample with every kind of value.
 * `s` is one string put in several places. */
static void
both(const char *s, double real, size_t flags, unsigned indent)
{
    strbuf b = STRBUF_INIT;
    jsonw w;
    json_t *doc;
    char *want;
    const char *got;

    doc = json_pack("{s:i, s:s, s:[s, f, b, n, {}, []], s:{s:{s:[i]}}, s:f, "
                    "s:[], s:{}, s:I}",
                    "version", 1, "text", s, "list", s, real, 1, "nested", "a",
                    "b", 7, "real", real, "empty", "none", "big",
                    (json_int_t)-9007199254740993LL);
    assert_non_null(doc);
    want = json_dumps(doc, flags);
    json_decref(doc);

    jsonw_init(&w, &b, indent);
    jsonw_open_object(&w);
    jsonw_key(&w, "version");
    jsonw_int(&w, 1);
    jsonw_key(&w, "text");
    jsonw_str(&w, s);
    jsonw_key(&w, "list");
    jsonw_open_array(&w);
    jsonw_strn(&w, s, strlen(s));
    jsonw_real(&w, real);
    jsonw_bool(&w, 1);
    jsonw_null(&w);
    jsonw_open_object(&w);
    jsonw_close_object(&w);
    jsonw_open_array(&w);
    jsonw_close_array(&w);
    jsonw_close_array(&w);
    jsonw_key(&w, "nested");
    jsonw_open_object(&w);
    jsonw_key(&w, "a");
    jsonw_open_object(&w);
    jsonw_key(&w, "b");
    jsonw_open_array(&w);
    jsonw_int(&w, 7);
    jsonw_close_array(&w);
    jsonw_close_object(&w);
    jsonw_close_object(&w);
    jsonw_key(&w, "real");
    jsonw_real(&w, real);
    jsonw_key(&w, "empty");
    jsonw_open_array(&w);
    jsonw_close_array(&w);
    jsonw_key(&w, "none");
    jsonw_open_object(&w);
    jsonw_close_object(&w);
    jsonw_key(&w, "big");
    jsonw_int(&w, -9007199254740993LL);
    jsonw_close_object(&w);
    assert_int_equal(w.depth, 0);
    assert_false(b.oom);
    got = strbuf_cstr(&b);
    assert_string_equal(got, want);
    free(want);
    strbuf_free(&b);
}

static void
test_same_as_jansson(void **state)
{
    static const char *const strings[] = {
        "",
        "plain ascii",
        "quote \" backslash \\ slash / tab \t nl \n cr \r bs \b ff \f",
        "\x01\x02\x1f\x7f del",
        "UTF-8: caf\xc3\xa9 \xe6\x9c\x8d\xe5\x8a\xa1\xe7\xbd\x91\xe6\xa0\xbc "
        "\xf0\x9f\x98\x80 \xe2\x80\xa8",
        "<mark>html</mark> &amp; <b>\"x\"</b>",
    };
    static const double reals[] = {0.0,     1.0,      -1.0,   0.1,
                                   12.5,    1e-5,     1e20,   1.5e300,
                                   -2e-300, 0.333333, 123456, 3.14159265358979};
    size_t i, j;

    (void)state;
    for (i = 0; i < UTIL_ARRAY_LEN(strings); i++)
        for (j = 0; j < UTIL_ARRAY_LEN(reals); j++) {
            both(strings[i], reals[j], JSON_COMPACT, 0);
            both(strings[i], reals[j], JSON_INDENT(2), 2);
        }
}

/* Every single byte and many random strings of valid UTF-8 escape alike. */
static void
test_random_strings(void **state)
{
    char s[64];
    unsigned seed = 12345;
    size_t i, k;

    (void)state;
    for (i = 1; i < 128; i++) {
        s[0] = (char)i;
        s[1] = '\0';
        both(s, 0.5, JSON_COMPACT, 0);
    }
    for (i = 0; i < 2000; i++) {
        size_t n = 0;
        for (k = 0; k < 12; k++) {
            seed = seed * 1103515245u + 12345u;
            unsigned r = (seed >> 8) % 6;
            if (r < 3) /* ASCII, controls included */
                s[n++] = (char)(1 + (seed >> 16) % 127);
            else if (r == 3)
                n += (size_t)sprintf(s + n, "\xc3\xa9");
            else if (r == 4)
                n += (size_t)sprintf(s + n, "\xe7\xbd\x91");
            else
                n += (size_t)sprintf(s + n, "\xf0\x9f\x98\x80");
        }
        s[n] = '\0';
        seed = seed * 1103515245u + 12345u;
        both(s, (double)seed / 7.0, JSON_COMPACT, 0);
    }
    /* Long runs of plain text (the writer skips them sixteen bytes at a
     * time) with a byte to escape or a multibyte character here and there,
     * at every offset. */
    for (i = 0; i < 3000; i++) {
        char t[256];
        size_t n = 0, want;
        seed = seed * 1103515245u + 12345u;
        want = 1 + (seed >> 8) % 200;
        while (n < want) {
            seed = seed * 1103515245u + 12345u;
            unsigned r = (seed >> 8) % 40;
            if (r == 0)
                t[n++] = "\"\\\n\x1f\x7f"[(seed >> 16) % 5];
            else if (r == 1)
                n += (size_t)sprintf(t + n, "\xc3\xa9");
            else
                t[n++] = (char)(' ' + (seed >> 16) % 95);
        }
        t[n] = '\0';
        both(t, 1.5, JSON_COMPACT, 0);
    }
}

static void
test_invalid_utf8(void **state)
{
    strbuf b = STRBUF_INIT;

    (void)state;
    /* A lone continuation byte, an overlong '/', a surrogate, a truncated
     * sequence at the end, and a NUL inside a counted string. */
    jsonw_escape(&b, "a\x80z \xc0\xaf \xed\xa0\x80 \x00x \xe6\x9c", 16);
    assert_string_equal(strbuf_cstr(&b),
                        "\"a\xef\xbf\xbdz \xef\xbf\xbd\xef\xbf\xbd "
                        "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd \\u0000x "
                        "\xef\xbf\xbd\xef\xbf\xbd\"");
    strbuf_free(&b);
}

static void
test_non_finite_is_null(void **state)
{
    strbuf b = STRBUF_INIT;
    jsonw w;

    (void)state;
    jsonw_init(&w, &b, 0);
    jsonw_open_array(&w);
    jsonw_real(&w, NAN);
    jsonw_real(&w, INFINITY);
    jsonw_str(&w, NULL);
    jsonw_close_array(&w);
    assert_string_equal(strbuf_cstr(&b), "[null,null,null]");
    strbuf_free(&b);
}

/* Integers are written as "%" PRId64 writes them: the extremes, every
 * power of ten and its neighbours, both signs. */
static void
test_integers(void **state)
{
    int64_t v[200];
    size_t n = 0;

    (void)state;
    v[n++] = INT64_MIN;
    v[n++] = INT64_MAX;
    v[n++] = INT64_MIN + 1;
    for (int64_t p = 1; p <= INT64_MAX / 10; p *= 10)
        for (int64_t d = -1; d <= 1; d++) {
            v[n++] = p + d;
            v[n++] = -(p + d);
        }
    for (size_t i = 0; i < n; i++) {
        strbuf b = STRBUF_INIT;
        jsonw w;
        char want[32];
        jsonw_init(&w, &b, 0);
        jsonw_int(&w, v[i]);
        snprintf(want, sizeof(want), "%" PRId64, v[i]);
        assert_string_equal(strbuf_cstr(&b), want);
        strbuf_free(&b);
    }
}

/* Checks one real against jansson's json_dumps of it. */
static void
real_as_jansson(double v)
{
    strbuf b = STRBUF_INIT;
    jsonw w;
    json_t *j = json_real(v);
    char *want;

    assert_non_null(j);
    want = json_dumps(j, JSON_ENCODE_ANY);
    json_decref(j);
    jsonw_init(&w, &b, 0);
    jsonw_real(&w, v);
    if (strcmp(strbuf_cstr(&b), want) != 0)
        fail_msg("%a: got %s, want %s", v, strbuf_cstr(&b), want);
    free(want);
    strbuf_free(&b);
}

/* Reals are written as "%.17g" writes them (17 digits rounded half to
 * even from the exact binary value), the way search scores go out:
 * random bit patterns over the whole range, values of few decimals,
 * powers of ten and their neighbours, and values exactly halfway between
 * two 17-digit decimals. */
static void
test_reals(void **state)
{
    uint64_t seed = 0x9E3779B97F4A7C15u;

    (void)state;
    for (int i = 0; i < 200000; i++) {
        uint64_t bits;
        double v;
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        /* Exponents around the fast path's range [1e-4, 1e15), both
         * signs. */
        bits = (seed & 0x800FFFFFFFFFFFFFu) |
               (uint64_t)(1023 - 20 + (seed >> 52) % 80) << 52;
        memcpy(&v, &bits, sizeof v);
        real_as_jansson(v);
        real_as_jansson((double)(seed % 100000000) / 1000.0);
        real_as_jansson((double)(seed % 1000) / 64.0 + 1e-3);
    }
    for (int e = -6; e <= 17; e++) {
        double p = pow(10.0, e);
        real_as_jansson(p);
        real_as_jansson(-p);
        real_as_jansson(nextafter(p, 0));
        real_as_jansson(nextafter(p, INFINITY));
        real_as_jansson(p * 9.99999999999999999);
    }
    /* Exact binary fractions with more than 17 significant digits: the
     * 18th is a 5 and nothing follows, so rounding goes to the even
     * digit. */
    real_as_jansson(12345678901234.5625);
    real_as_jansson(12345678901234.5675);
    real_as_jansson(1234567890123.45703125);
    real_as_jansson(0.000244140625 * 3);
    real_as_jansson(1.00000000000000005);
    real_as_jansson(999999999999999.9);
    real_as_jansson(0.0001);
    real_as_jansson(0.00009999999999999999);
    real_as_jansson(-0.0);
    real_as_jansson(5e-324);
    real_as_jansson(1.7976931348623157e308);
}

/* Keys are escaped as strings are: plain ones (written at once), empty,
 * long, and with quotes, controls or UTF-8, compact and indented. */
static void
test_keys(void **state)
{
    char long_key[101];
    const char *keys[] = {
        "score",       "",      "with \"quote\" and \\", "tab\there",
        "caf\xc3\xa9", long_key};

    (void)state;
    memset(long_key, 'k', 100);
    long_key[100] = '\0';
    for (unsigned indent = 0; indent <= 2; indent += 2)
        for (size_t i = 0; i < UTIL_ARRAY_LEN(keys); i++) {
            strbuf b = STRBUF_INIT;
            jsonw w;
            json_t *doc = json_object();
            char *want;
            json_object_set_new(doc, keys[i], json_integer(1));
            json_object_set_new(doc, "next", json_integer(2));
            want = json_dumps(doc,
                              indent ? JSON_INDENT(indent) | JSON_PRESERVE_ORDER
                                     : JSON_COMPACT | JSON_PRESERVE_ORDER);
            json_decref(doc);
            jsonw_init(&w, &b, indent);
            jsonw_open_object(&w);
            jsonw_member_int(&w, keys[i], 1);
            jsonw_member_int(&w, "next", 2);
            jsonw_close_object(&w);
            assert_string_equal(strbuf_cstr(&b), want);
            free(want);
            strbuf_free(&b);
        }
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_same_as_jansson),
        cmocka_unit_test(test_random_strings),
        cmocka_unit_test(test_invalid_utf8),
        cmocka_unit_test(test_non_finite_is_null),
        cmocka_unit_test(test_integers),
        cmocka_unit_test(test_reals),
        cmocka_unit_test(test_keys),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
