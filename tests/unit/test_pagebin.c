/*
 * test_pagebin.c: the binary layout of the stored page (lib/pagebin.h) as
 * written by the indexer's calls and read by docdata (query/docdata.h),
 * against the older JSON form of the same page.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "docdata.h"
#include "docpack.h"
#include "pagebin.h"
#include "schema.h"
#include "util.h"
#include "xap.h"

#include "teststored.h"

#define N_TR 18 /* more than docdata keeps */

static void
put(strbuf *b, const char *s)
{
    pagebin_put_str(b, s, s ? strlen(s) : 0);
}

/* A page of three sections, two links and N_TR translations (the second
 * without a language), in the binary layout. */
static char *
sample_bin(size_t *len)
{
    strbuf b = STRBUF_INIT;
    char lang[8], url[32];

    pagebin_begin(&b, 3, 2, N_TR);
    put(&b, "en/docs/a.md");
    put(&b, "/docs/a/");
    put(&b, "A \"quoted\" title\\");
    put(&b, NULL);
    put(&b, "");
    put(&b, "en");
    put(&b, "d\xc3\xa9j\xc3\xa0 vu");
    /* The lead section: no heading, labels absent. */
    put(&b, NULL);
    put(&b, NULL);
    put(&b, "one\n\ntwo\ttab");
    put(&b, "");
    put(&b, NULL);
    put(&b, "Set up");
    put(&b, "set-up");
    put(&b, "\xf0\x9f\x98\x80 \xe6\x9c\x8d\xe5\x8a\xa1");
    put(&b, "kubectl apply -f x.yaml");
    put(&b, "Tab one\nTab two");
    /* A text with a NUL byte: cut there, as JSON's \u0000 was. */
    put(&b, "Last");
    put(&b, "last");
    pagebin_put_str(&b, "before\0after", 12);
    put(&b, "");
    put(&b, NULL);
    put(&b, "/docs/b/");
    put(&b, "https://example.com/x.png");
    for (int i = 0; i < N_TR; i++) {
        snprintf(lang, sizeof lang, "l%d", i);
        snprintf(url, sizeof url, "/l%d/docs/a/", i);
        put(&b, i == 1 ? NULL : lang);
        put(&b, url);
        put(&b, "x.md");
    }
    assert_false(b.oom);
    return strbuf_detach(&b, len);
}

/* The same page as the older JSON form (whole data of SCHEMA_TERMS_VERSION
 * 3 indexes). */
static char *
sample_json(void)
{
    strbuf b = STRBUF_INIT;

    strbuf_puts(&b, "{\"v\":1,\"path\":\"en/docs/a.md\",\"url\":\"/docs/a/\","
                    "\"title\":\"A \\\"quoted\\\" title\\\\\",\"date\":null,"
                    "\"section\":\"\",\"lang\":\"en\",\"description\":"
                    "\"d\\u00e9j\\u00e0 vu\",\"sections\":["
                    "{\"h\":null,\"a\":null,\"t\":\"one\\n\\ntwo\\ttab\","
                    "\"c\":\"\"},"
                    "{\"h\":\"Set up\",\"a\":\"set-up\",\"t\":\"\\ud83d\\ude00 "
                    "\xe6\x9c\x8d\xe5\x8a\xa1\",\"c\":\"kubectl apply -f "
                    "x.yaml\",\"l\":\"Tab one\\nTab two\"},"
                    "{\"h\":\"Last\",\"a\":\"last\",\"t\":"
                    "\"before\\u0000after\",\"c\":\"\"}],"
                    "\"links\":[\"/docs/b/\",\"https://example.com/x.png\"],"
                    "\"translations\":[");
    for (int i = 0; i < N_TR; i++) {
        if (i == 1)
            strbuf_printf(&b,
                          "%s{\"lang\":null,\"url\":\"/l%d/docs/a/\","
                          "\"path\":\"x.md\"}",
                          i ? "," : "", i);
        else
            strbuf_printf(&b,
                          "%s{\"lang\":\"l%d\",\"url\":\"/l%d/docs/a/\","
                          "\"path\":\"x.md\"}",
                          i ? "," : "", i, i);
    }
    strbuf_puts(&b, "]}");
    assert_false(b.oom);
    return strbuf_detach(&b, NULL);
}

static void
assert_str(const char *got, const char *want)
{
    if (!want)
        assert_null(got);
    else
        assert_string_equal(got, want);
}

/* What both forms of the sample page read as. */
static void
assert_sample(const docdata *d)
{
    char lang[8], url[32];

    assert_str(d->path, "en/docs/a.md");
    assert_str(d->url, "/docs/a/");
    assert_str(d->title, "A \"quoted\" title\\");
    assert_null(d->date);
    assert_str(d->section, "");
    assert_str(d->lang, "en");
    assert_str(d->description, "d\xc3\xa9j\xc3\xa0 vu");
    assert_int_equal(d->n_secs, 3);
    assert_null(d->secs[0].h);
    assert_null(d->secs[0].a);
    assert_str(d->secs[0].t, "one\n\ntwo\ttab");
    assert_int_equal(d->secs[0].t_len, 12);
    assert_str(d->secs[0].c, "");
    assert_int_equal(d->secs[0].c_len, 0);
    assert_str(d->secs[1].h, "Set up");
    assert_str(d->secs[1].a, "set-up");
    assert_str(d->secs[1].t, "\xf0\x9f\x98\x80 \xe6\x9c\x8d\xe5\x8a\xa1");
    assert_int_equal(d->secs[1].t_len, 11);
    assert_str(d->secs[1].c, "kubectl apply -f x.yaml");
    assert_int_equal(d->secs[1].c_len, 23);
    assert_str(d->secs[2].t, "before");
    assert_int_equal(d->secs[2].t_len, 6);
    /* The one without a language is left out; the rest up to the cap. */
    assert_int_equal(d->n_tr, DOCDATA_MAX_TR);
    for (size_t i = 0; i < d->n_tr; i++) {
        int k = i == 0 ? 0 : (int)i + 1;
        snprintf(lang, sizeof lang, "l%d", k);
        snprintf(url, sizeof url, "/l%d/docs/a/", k);
        assert_str(d->tr_lang[i], lang);
        assert_str(d->tr_url[i], url);
    }
}

static void
test_round_trip(void **state)
{
    size_t len;
    char *bin = sample_bin(&len), *json = sample_json();
    docdata d;

    (void)state;
    assert_true(pagebin_is(bin, len));
    assert_false(pagebin_is(json, strlen(json)));
    /* Both forms read the same, copied or in place. */
    assert_int_equal(docdata_parse(json, strlen(json), &d), 0);
    assert_sample(&d);
    docdata_free(&d);
    assert_int_equal(docdata_parse(bin, len, &d), 0);
    assert_sample(&d);
    assert_true(d.buf != bin);
    docdata_free(&d);
    assert_int_equal(docdata_parse_owned(json, strlen(json), &d), 0);
    assert_sample(&d);
    docdata_free(&d);
    assert_int_equal(docdata_parse_owned(bin, len, &d), 0);
    assert_sample(&d);
    /* In place: the strings are the data's own bytes. */
    assert_ptr_equal(d.buf, bin);
    assert_true(d.secs[1].t > bin && d.secs[1].t < bin + len);
    assert_true(d.title > bin && d.title < bin + len);
    docdata_free(&d);
    docdata_free(&d); /* twice is harmless */
    assert_int_equal(docdata_parse_owned(NULL, 0, &d), -1);
}

/* An empty page: no sections, links or translations, every string null. */
static void
test_empty(void **state)
{
    strbuf b = STRBUF_INIT;
    docdata d;

    (void)state;
    pagebin_begin(&b, 0, 0, 0);
    for (int i = 0; i < PB_N_TOP; i++)
        put(&b, NULL);
    assert_false(b.oom);
    assert_int_equal(docdata_parse(b.data, b.len, &d), 0);
    assert_null(d.path);
    assert_null(d.description);
    assert_int_equal(d.n_secs, 0);
    assert_int_equal(d.n_tr, 0);
    docdata_free(&d);
    strbuf_free(&b);
}

static int
parse_fails(const char *data, size_t len)
{
    docdata d;
    int rc = docdata_parse(data, len, &d);

    if (rc == 0) {
        /* Whatever reads must be safe to look at: each string ends by
         * its length. */
        for (size_t i = 0; i < d.n_secs; i++) {
            assert_true(strlen(d.secs[i].t) <= d.secs[i].t_len);
            assert_true(strlen(d.secs[i].c) <= d.secs[i].c_len);
        }
        docdata_free(&d);
    }
    return rc != 0;
}

static void
test_damaged(void **state)
{
    size_t len;
    char *bin = sample_bin(&len), *copy = malloc(len + 16);
    static const char *const bad[] = {
        /* magic and version only; a count past the end */
        "\0\1",
        "\0\1\7\5\3\x7f\0\0",
        /* a group of no strings per item */
        "\0\1\0\5\3\0\0\0",
        "\0\1\7\0\3\1\0\0\0\0\0\0\0\0\0",
        /* a number of eleven bytes */
        "\0\1\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01",
        /* a string without its NUL byte, and one running past the end */
        "\0\1\1\1\1\0\0\0\3ab!",
        "\0\1\1\1\1\0\0\0\5ab\0",
        /* trailing bytes */
        "\0\1\1\1\1\0\0\0\0\0",
        /* a later version */
        "\0\2\1\1\1\0\0\0\0",
    };
    static const size_t bad_len[] = {2, 8, 8, 15, 13, 12, 11, 10, 9};

    (void)state;
    assert_false(parse_fails("\0\1\1\1\1\0\0\0\0", 9));
    assert_false(parse_fails("\0\1\1\1\1\0\0\0\3ab\0", 12));
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_true(parse_fails(bad[i], bad_len[i]));
    /* Every cut of the sample, and the sample with bytes after it. */
    for (size_t n = 0; n < len; n++)
        assert_true(parse_fails(bin, n));
    memcpy(copy, bin, len);
    copy[len] = '\0';
    assert_true(parse_fails(copy, len + 1));
    /* Any byte changed to anything: rejected or read, never a crash
     * (the sanitizer build checks the reads). */
    for (size_t i = 0; i < len; i++)
        for (int v = 0; v < 256; v += 7) {
            memcpy(copy, bin, len);
            copy[i] = (char)v;
            parse_fails(copy, len);
        }
    free(copy);
    free(bin);
}

/* A later version may add strings to each group: they are skipped, and
 * strings the reader knows but the data lacks read as null. */
static void
test_more_and_fewer_fields(void **state)
{
    strbuf b = STRBUF_INIT;
    docdata d;

    (void)state;
    strbuf_append(&b, "\0\1\x09\x06\x04\x01\x00\x01", 8);
    for (int i = 0; i < 9; i++)
        put(&b, i == 0 ? "p" : i == 7 ? "new" : i == 8 ? NULL : "x");
    for (int i = 0; i < 6; i++)
        put(&b, i == 2 ? "text" : i == 5 ? "new" : NULL);
    put(&b, "fr");
    put(&b, "/fr/");
    put(&b, "fr.md");
    put(&b, "new");
    assert_false(b.oom);
    assert_int_equal(docdata_parse(b.data, b.len, &d), 0);
    assert_string_equal(d.path, "p");
    assert_string_equal(d.description, "x");
    assert_int_equal(d.n_secs, 1);
    assert_string_equal(d.secs[0].t, "text");
    assert_string_equal(d.secs[0].c, "");
    assert_int_equal(d.n_tr, 1);
    assert_string_equal(d.tr_url[0], "/fr/");
    docdata_free(&d);
    /* Fewer: two page strings, sections of text only, translations of
     * language only (so none is kept). */
    strbuf_reset(&b);
    strbuf_append(&b, "\0\1\x02\x01\x01\x02\x00\x01", 8);
    put(&b, "p");
    put(&b, "/u/");
    put(&b, "h1");
    put(&b, "h2");
    put(&b, "fr");
    assert_false(b.oom);
    assert_int_equal(docdata_parse(b.data, b.len, &d), 0);
    assert_string_equal(d.url, "/u/");
    assert_null(d.title);
    assert_int_equal(d.n_secs, 2);
    assert_string_equal(d.secs[1].h, "h2");
    assert_string_equal(d.secs[1].t, "");
    assert_int_equal(d.n_tr, 0);
    docdata_free(&d);
    strbuf_free(&b);
}

/* A document whose SCHEMA_SLOT_DATA holds `slot` packed, read back. */
static int
read_slot(const char *slot, size_t slot_len, const char *doc_data, docdata *d)
{
    size_t len;
    char *data = stored_full_data(slot, slot_len, doc_data, &len);

    return docdata_parse_owned(data, len, d);
}

/* The three generations of the whole data: binary in the slot, JSON in the
 * slot, JSON in the document data. */
static void
test_stored_forms(void **state)
{
    size_t len;
    char *bin = sample_bin(&len), *json = sample_json();
    docdata d;

    (void)state;
    assert_int_equal(read_slot(bin, len, NULL, &d), 0);
    assert_sample(&d);
    docdata_free(&d);
    assert_int_equal(read_slot(json, strlen(json), NULL, &d), 0);
    assert_sample(&d);
    docdata_free(&d);
    assert_int_equal(read_slot(NULL, 0, json, &d), 0);
    assert_sample(&d);
    docdata_free(&d);
    /* A cut binary page in the slot is damage, not an empty page. */
    assert_int_equal(read_slot(bin, len - 1, NULL, &d), -1);
    free(bin);
    free(json);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_empty),
        cmocka_unit_test(test_damaged),
        cmocka_unit_test(test_more_and_fewer_fields),
        cmocka_unit_test(test_stored_forms),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
