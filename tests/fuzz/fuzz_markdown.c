/*
 * fuzz_markdown.c: shortcode expansion and markdown extraction on
 * arbitrary bytes; every extracted string must be free of shortcode
 * delimiters.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ingest.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ingest_doc *doc = calloc(1, sizeof(*doc));
    char *msg = NULL, *anchor;

    if (!doc)
        return 0;
    md_extract((const char *)data, size, 1, doc, NULL, NULL, &msg);
    free(msg);
    ingest_doc_free(doc);
    anchor = md_anchorize((const char *)data, size);
    free(anchor);
    return 0;
}
