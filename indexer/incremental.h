/*
 * incremental.h: source stamps for incremental indexing (incremental.c).
 *
 * Each file indexed from disk is stamped with its size, mtime and a hash of
 * its content; the stamps of all files are one JSON object stored as index
 * metadata (SCHEMA_META_STAMPS) and written in the same transaction as the
 * documents, so they are never out of step with them.  They also name the
 * index revision the commit creates: a commit made without them (an older
 * version of the program) makes them stale, and then every file is read.
 *
 * The writer calls the hooks below; none of them fails (out of memory only
 * loses stamps, which makes the next sync read more).
 */
#ifndef RECAP_INCREMENTAL_H
#define RECAP_INCREMENTAL_H

#include "index_int.h"

/* recap_index_begin: a full batch starts from no stamps, an update batch
 * from the committed ones. */
void incr_begin(recap_index *idx, int full);
/* recap_index_add_file, before the file is read: stamps it. */
void incr_pre(recap_index *idx, const char *root, const char *relpath);
/* After the file was indexed or skipped: keeps the stamp made by
 * incr_pre. */
void incr_note(recap_index *idx, const char *relpath);
/* The document is gone or failed: drops its stamp. */
void incr_forget(recap_index *idx, const char *relpath);
/* recap_index_commit, inside the transaction: stores the stamps. */
recap_status incr_save(recap_index *idx);
/* After commit or cancel, and at close. */
void incr_end(recap_index *idx);

#endif
