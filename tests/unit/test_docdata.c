/*
 * test_docdata.c: the one-pass reader of stored document data.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "docdata.h"

static void
test_fields(void **state)
{
    const char *j =
        "{\"v\":1,\"path\":\"en/a.md\",\"url\":\"/a/\",\"title\":\"T "
        "\\\"q\\\"\","
        "\"date\":null,\"section\":\"\",\"lang\":\"en\",\"extra\":{\"x\":[1,"
        "2.5e3,true,null,{\"y\":\"z\"}]},\"description\":\"d\\u00e9j\\u00e0\","
        "\"sections\":[{\"h\":null,\"a\":null,\"t\":\"one\\n\\ntwo\",\"c\":"
        "\"\"},"
        "{\"h\":\"Set up\",\"a\":\"set-up\",\"t\":\"\\ud83d\\ude00 "
        "\\t\\\\/\"}]}";
    docdata d;

    (void)state;
    assert_int_equal(docdata_parse(j, strlen(j), &d), 0);
    assert_string_equal(d.path, "en/a.md");
    assert_string_equal(d.url, "/a/");
    assert_string_equal(d.title, "T \"q\"");
    assert_null(d.date);
    assert_string_equal(d.section, "");
    assert_string_equal(d.description, "d\xc3\xa9j\xc3\xa0");
    assert_int_equal(d.n_secs, 2);
    assert_null(d.secs[0].h);
    assert_string_equal(d.secs[0].t, "one\n\ntwo");
    assert_int_equal(d.secs[0].t_len, 8);
    assert_string_equal(d.secs[1].h, "Set up");
    assert_string_equal(d.secs[1].a, "set-up");
    assert_string_equal(d.secs[1].t, "\xf0\x9f\x98\x80 \t\\/");
    assert_string_equal(d.secs[1].c, ""); /* absent: empty */
    docdata_free(&d);
    docdata_free(&d); /* twice is harmless */
}

static void
test_damaged(void **state)
{
    static const char *const bad[] = {"",
                                      "[]",
                                      "{\"path\":}",
                                      "{\"path\":\"x\"",
                                      "{\"path\":\"x\\q\"}",
                                      "{\"sections\":[{]}",
                                      "{} x",
                                      "{\"a\":\"\\u12\"}",
                                      "{\"path\":\"unterminated}"};
    docdata d;

    (void)state;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(docdata_parse(bad[i], strlen(bad[i]), &d), -1);
        assert_null(d.buf);
    }
    /* Deep nesting in a skipped value is refused, not recursed into. */
    char deep[400];
    size_t n = 0;
    n += (size_t)sprintf(deep, "{\"x\":");
    while (n < 300)
        deep[n++] = '[';
    deep[n] = '\0';
    assert_int_equal(docdata_parse(deep, n, &d), -1);
    /* A lone surrogate becomes U+FFFD. */
    const char *lone = "{\"title\":\"a\\ud800b\"}";
    assert_int_equal(docdata_parse(lone, strlen(lone), &d), 0);
    assert_string_equal(d.title, "a\xef\xbf\xbd"
                                 "b");
    docdata_free(&d);
}

/* Escapes and quotes at every offset of a long string, on either side of
 * the sixteen-byte blocks the reader copies at once, and \u0000 cuts. */
static void
test_string_blocks(void **state)
{
    (void)state;
    for (size_t at = 0; at < 40; at++) {
        char j[200], want[100];
        size_t n = 0, w = 0;
        n += (size_t)sprintf(j, "{\"title\":\"");
        for (size_t i = 0; i < 45; i++) {
            if (i == at) {
                n += (size_t)sprintf(j + n, "\\n\\\"");
                want[w++] = '\n';
                want[w++] = '"';
            }
            j[n++] = (char)('a' + i % 26);
            want[w++] = (char)('a' + i % 26);
        }
        n += (size_t)sprintf(j + n, "\",\"url\":\"/x/\"}");
        want[w] = '\0';
        docdata d;
        assert_int_equal(docdata_parse(j, n, &d), 0);
        assert_string_equal(d.title, want);
        assert_string_equal(d.url, "/x/");
        docdata_free(&d);
    }
    const char *nul = "{\"sections\":[{\"t\":\"abcdefghijklmnopqrstuvwxyz"
                      "\\u0000tail\",\"c\":\"0123456789abcdefghij\"}]}";
    docdata d;
    assert_int_equal(docdata_parse(nul, strlen(nul), &d), 0);
    assert_int_equal(d.secs[0].t_len, 26);
    assert_string_equal(d.secs[0].t, "abcdefghijklmnopqrstuvwxyz");
    assert_int_equal(d.secs[0].c_len, 20);
    docdata_free(&d);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fields),
        cmocka_unit_test(test_damaged),
        cmocka_unit_test(test_string_blocks),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
