/*
 * index_serve.c: what a long-running reader such as recapsearch-server needs
 * from an index handle beyond searching: the revision it reads, to notice a
 * rebuilt index and to validate HTTP caches, and a time budget per search.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "index_int.h"

recap_status
recap_index_revision(recap_index *idx, uint64_t *out)
{
    xap_error err;

    if (!idx || !out)
        return RECAP_EINVAL;
    if (xap_db_revision(idx->db, out, &err))
        return index_fail_xap(idx, &err, "reading the index revision");
    /* Each full build makes a new generation (generation.h), whose Xapian
     * revisions start again: the generation number goes in front. */
    if (idx->gen)
        *out += (uint64_t)strtoul(idx->gen + strlen("gen-"), NULL, 10) << 32;
    return RECAP_OK;
}

recap_status
recap_index_set_page_cache(recap_index *idx, size_t bytes)
{
    if (!idx)
        return RECAP_EINVAL;
    if (bytes && idx->mode != RECAP_OPEN_READ)
        return index_fail(idx, RECAP_EINVAL,
                          "a page cache needs a handle opened for reading");
    idx->page_cache_bytes = bytes;
    idx->epoch++; /* the next search starts a cache of the new size */
    return RECAP_OK;
}

recap_status
recap_index_set_time_limit(recap_index *idx, double seconds)
{
    if (!idx)
        return RECAP_EINVAL;
    if (!isfinite(seconds) || seconds < 0)
        return index_fail(idx, RECAP_EINVAL,
                          "time limit must be a number of seconds >= 0");
    idx->time_limit = seconds;
    return RECAP_OK;
}
