/*
 * teststored.h: a document's whole stored data as the query side reads
 * it, for the unit tests of the stored forms (test_docpack.c,
 * test_pagebin.c).  Header-only (each test is one program); include after
 * cmocka.h.
 */
#ifndef RECAP_TESTSTORED_H
#define RECAP_TESTSTORED_H

#include <stdlib.h>
#include <string.h>

#include "docdata.h"
#include "docpack.h"
#include "schema.h"
#include "xap.h"

/* docdata_get_full() of a document whose SCHEMA_SLOT_DATA holds the
 * `slot_len` bytes of `slot` packed (none when `slot` is NULL) and whose
 * Xapian document data is `doc_data` (none when NULL).  The result is
 * malloc()ed, its length in *len. */
static inline char *
stored_full_data(const char *slot, size_t slot_len, const char *doc_data,
                 size_t *len)
{
    xap_doc *doc = NULL;
    char *packed, *out = NULL;
    size_t packed_len;

    assert_int_equal(xap_doc_new(&doc, NULL), RECAP_OK);
    if (slot) {
        assert_int_equal(docpack_pack(slot, slot_len, &packed, &packed_len), 0);
        assert_int_equal(
            xap_doc_set_value(doc, SCHEMA_SLOT_DATA, packed, packed_len, NULL),
            RECAP_OK);
        free(packed);
    }
    if (doc_data)
        assert_int_equal(
            xap_doc_set_data(doc, doc_data, strlen(doc_data), NULL), RECAP_OK);
    assert_int_equal(docdata_get_full(doc, &out, len, NULL), RECAP_OK);
    xap_doc_free(doc);
    return out;
}

#endif
