/*
 * test_docpack.c: the packed stored data (lib/docpack.h) and the reading
 * of a document's data in both layouts (query/docdata.h).
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
#include "schema.h"
#include "util.h"
#include "xap.h"

#include "teststored.h"

/* Packs and unpacks `data`; returns the packed form's format byte. */
static int
round_trip(const char *data, size_t len)
{
    char *packed, *back;
    size_t packed_len, back_len;
    int format;

    assert_int_equal(docpack_pack(data, len, &packed, &packed_len), 0);
    assert_true(packed_len >= DOCPACK_HEADER);
    assert_true(packed_len <= DOCPACK_HEADER + len);
    assert_int_equal(docpack_unpack(packed, packed_len, &back, &back_len), 0);
    assert_int_equal(back_len, len);
    assert_memory_equal(back, data, len);
    assert_int_equal(back[len], '\0');
    format = packed[0];
    free(packed);
    free(back);
    return format;
}

static void
test_round_trip(void **state)
{
    strbuf page = STRBUF_INIT;
    char noise[256];
    uint32_t x = 12345;

    (void)state;
    for (int i = 0; i < 200; i++)
        strbuf_printf(&page,
                      "{\"t\":\"Section %d: the sidecar proxy intercepts "
                      "traffic \\u00e9t\\u00e9 \xe6\x9c\x8d\xe5\x8a\xa1\"}",
                      i);
    assert_false(page.oom);
    assert_int_equal(round_trip(page.data, page.len), DOCPACK_LZ4);
    /* What does not shrink is kept as it is. */
    for (size_t i = 0; i < sizeof noise; i++) {
        x = x * 1103515245u + 12345u;
        noise[i] = (char)(x >> 16);
    }
    assert_int_equal(round_trip(noise, sizeof noise), DOCPACK_RAW);
    assert_int_equal(round_trip("{}", 2), DOCPACK_RAW);
    assert_int_equal(round_trip("", 0), DOCPACK_RAW);
    strbuf_free(&page);
}

static int
unpack_fails(const char *packed, size_t len)
{
    char *out = (char *)1;
    size_t out_len = 1;
    int rc = docpack_unpack(packed, len, &out, &out_len);

    if (rc == 0)
        free(out);
    else
        assert_true(out == NULL && out_len == 0);
    return rc == -1;
}

static void
test_damaged(void **state)
{
    const char *text = "abcabcabcabcabcabcabcabcabcabcabcabcabcabcabcabc";
    char *packed, *copy;
    size_t len;

    (void)state;
    assert_int_equal(docpack_pack(text, strlen(text), &packed, &len), 0);
    assert_int_equal(packed[0], DOCPACK_LZ4);
    copy = malloc(len);
    assert_non_null(copy);
    /* Too short for the header; an unknown format. */
    assert_true(unpack_fails(packed, 0));
    assert_true(unpack_fails(packed, DOCPACK_HEADER - 1));
    memcpy(copy, packed, len);
    copy[0] = 7;
    assert_true(unpack_fails(copy, len));
    /* A cut payload, and a length that disagrees with it. */
    assert_true(unpack_fails(packed, len - 1));
    memcpy(copy, packed, len);
    copy[1] = (char)(copy[1] + 1);
    assert_true(unpack_fails(copy, len));
    memcpy(copy, packed, len);
    copy[4] = 0x7F;
    assert_true(unpack_fails(copy, len));
    /* A raw value whose length is not the payload's. */
    assert_true(unpack_fails("\0\3\0\0\0ab", 7));
    assert_false(unpack_fails("\0\2\0\0\0ab", 7));
    free(copy);
    free(packed);
}

/* The whole data of a document with `slot_data` (packed into
 * SCHEMA_SLOT_DATA) and `doc_data` (the Xapian document data). */
static char *
full_data(const char *slot_data, const char *doc_data, size_t *len)
{
    return stored_full_data(slot_data, slot_data ? strlen(slot_data) : 0,
                            doc_data, len);
}

static void
test_get_full(void **state)
{
    char *s;
    size_t len;

    (void)state;
    /* The slot wins; an index of the older layout has only the data. */
    s = full_data("{\"v\":1,\"sections\":[]}", "old", &len);
    assert_string_equal(s, "{\"v\":1,\"sections\":[]}");
    assert_int_equal(len, strlen(s));
    free(s);
    s = full_data(NULL, "{\"v\":1}", &len);
    assert_string_equal(s, "{\"v\":1}");
    free(s);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_damaged),
        cmocka_unit_test(test_get_full),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
