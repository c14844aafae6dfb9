/*
 * fuzz_stamps.c: the reader of stored source stamps (indexer/
 * incremental.c, incr_parse_stamps) on random bytes: the line form with a
 * header naming revision 7 and this program's terms version prepended, and
 * the bytes as they come (the JSON of earlier versions, or anything).
 * Every stamp read must have the shape the sync relies on.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "incremental_int.h"
#include "schema.h"

static void
check(json_t *files)
{
    const char *path;
    json_t *v;

    if (!files)
        return;
    json_object_foreach(files, path, v)
    {
        if (!json_is_array(v) || json_array_size(v) != 4 ||
            !json_is_integer(json_array_get(v, 0)) ||
            !json_is_integer(json_array_get(v, 1)) ||
            !json_is_string(json_array_get(v, 2)) ||
            !json_is_array(json_array_get(v, 3)))
            abort();
    }
    json_decref(files);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char head[64];
    int n = snprintf(head, sizeof head, "recap-stamps 1 7 %d\n",
                     SCHEMA_TERMS_VERSION);
    char *buf = malloc((size_t)n + size + 1);

    if (!buf)
        return 0;
    memcpy(buf, head, (size_t)n);
    memcpy(buf + n, data, size);
    check(incr_parse_stamps(buf, (size_t)n + size, 7));
    check(incr_parse_stamps((const char *)data, size, 7));
    free(buf);
    return 0;
}
