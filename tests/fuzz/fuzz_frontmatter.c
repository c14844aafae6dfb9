/*
 * fuzz_frontmatter.c: front matter splitting and parsing (YAML, TOML,
 * JSON) and Hugo dates, on arbitrary bytes.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ingest.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *src = (const char *)data;
    size_t fm_off, fm_len, body_off;
    unsigned body_line;
    fm_kind kind;
    ingest_doc *doc = calloc(1, sizeof(*doc));
    char *msg = NULL, *iso = NULL, *s;
    int64_t t;

    if (!doc)
        return 0;
    kind = fm_split(src, size, &fm_off, &fm_len, &body_off, &body_line);
    if (kind == FM_NONE) /* still exercise every parser on the input */
        kind = (fm_kind)(1 + size % 3), fm_off = 0, fm_len = size;
    fm_parse(kind, src + fm_off, fm_len, 2, doc, &msg);
    free(msg);
    ingest_doc_free(doc);
    if ((s = malloc(size + 1))) {
        memcpy(s, data, size);
        s[size] = '\0';
        if (fm_parse_date(s, &t, &iso) == 0)
            free(iso);
        free(s);
    }
    return 0;
}
