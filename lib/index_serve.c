/*
 * index_serve.c: what a long-running reader such as recapsearch-server needs
 * from an index handle beyond searching: the revision it reads, to notice a
 * rebuilt index and to validate HTTP caches, and a time budget per search.
 */
#include <math.h>

#include "index_int.h"

recap_status
recap_index_revision(recap_index *idx, uint64_t *out)
{
    xap_error err;

    if (!idx || !out)
        return RECAP_EINVAL;
    if (xap_db_revision(idx->db, out, &err))
        return index_fail_xap(idx, &err, "reading the index revision");
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
