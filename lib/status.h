/*
 * status.h: the status codes, shared by the public API and every internal
 * module.  The public header re-exports them; internal modules include this
 * file so they do not depend on the rest of the public API.
 */
#ifndef RECAP_STATUS_H
#define RECAP_STATUS_H

/* Every failure in recapsearch is one of these. RECAP_OK is 0. */
typedef enum recap_status {
    RECAP_OK = 0,
    RECAP_ENOMEM,    /* out of memory */
    RECAP_EINVAL,    /* misuse of the API: a NULL handle, a bad option */
    RECAP_ENOTFOUND, /* no index, document or file at the given place */
    RECAP_ELOCKED,   /* another writer holds the index's write lock */
    RECAP_ECORRUPT,  /* the index is damaged or of an unknown format */
    RECAP_EMODIFIED, /* the index changed under a reader; reopen and retry */
    RECAP_EQUERY,    /* the query cannot be parsed or run */
    RECAP_EPARSE,    /* a source file cannot be parsed */
    RECAP_ESKIPPED,  /* a source file is deliberately not indexed (draft) */
    RECAP_EIO,       /* reading or writing a file failed */
    RECAP_EBACKEND,  /* any other error reported by Xapian */
    RECAP_EINTERNAL  /* a bug: an unexpected exception or state */
} recap_status;

#endif
