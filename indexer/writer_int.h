/*
 * writer_int.h: what writer.c shares with the parallel pipeline
 * (pipeline.c), which adds many files with the same rules as
 * recap_index_add_file().
 */
#ifndef RECAP_WRITER_INT_H
#define RECAP_WRITER_INT_H

#include "index_int.h"

/* The size of ROOT/RELPATH in bytes (0 when it cannot be read), for the
 * throughput figures. */
uint64_t writer_source_size(const char *root, const char *relpath);
/* Removes the document of `relpath` if there is one (no error if not). */
recap_status writer_delete_path(recap_index *idx, const char *relpath);
/* Records that a full batch added (or kept) `relpath`. */
recap_status writer_remember_seen(recap_index *idx, const char *relpath);
/* RECAP_OK when `idx` is a writer with a batch open; else the status, with
 * the message on the handle. */
recap_status writer_check_batch(recap_index *idx);
/* The handle's teardown hook (index_int.h): cancels an open batch and frees
 * the ingest configuration.  Whatever attaches writer state sets it. */
void writer_teardown(recap_index *idx);

#endif
