/*
 * check.c: recap_index_check, Xapian's consistency check behind the public
 * API, so recapsearch-index --check (and any embedder) can verify an index
 * without touching the wrapper.
 */
#include <stdlib.h>

#include "recapsearch.h"
#include "util.h"
#include "xap.h"

recap_status
recap_index_check(const char *path, char **errmsg)
{
    xap_error err;
    recap_status rc;

    if (errmsg)
        *errmsg = NULL;
    if (!path) {
        if (errmsg)
            *errmsg = util_strdup("invalid argument: no index path");
        return RECAP_EINVAL;
    }
    rc = xap_db_check(path, &err);
    if (rc == RECAP_OK || !errmsg)
        return rc;
    switch (rc) {
    case RECAP_ENOTFOUND:
        *errmsg = util_asprintf("no index at %s: run recapsearch-index "
                                "CONTENT_DIR first",
                                path);
        break;
    case RECAP_ECORRUPT:
        *errmsg = util_asprintf("%s; rebuild it: remove %s and run "
                                "recapsearch-index again",
                                err.msg, path);
        break;
    default:
        *errmsg = util_asprintf("cannot check index at %s: %s", path, err.msg);
        break;
    }
    return rc;
}
