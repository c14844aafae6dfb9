/*
 * index_cmd.h: modes of the recapsearch-index program other than indexing
 * a content folder once, each in its own file and built only on the public
 * API.  Each returns the program's exit status (CLI_EXIT_*).
 */
#ifndef RECAP_INDEX_CMD_H
#define RECAP_INDEX_CMD_H

#include "recapsearch.h"

/* --jsonl FILE|-: indexes the documents of a JSON-lines file (cmd_jsonl.c)
 * in one full batch.  `db` is the index path, for the summary. */
int index_cmd_jsonl(const char *prog, recap_index *idx, const char *file,
                    int quiet, const char *db);

/* The incremental run over a content folder (cmd_sync.c): prints files
 * that failed or were skipped, and a summary unless `quiet`. */
int index_cmd_sync(const char *prog, recap_index *idx, const char *content_dir,
                   const char *synonyms, int quiet, int progress,
                   const char *db);

/* --watch: updates the index whenever files under content_dir change,
 * until SIGINT or SIGTERM (cmd_sync.c). */
int index_cmd_watch(const char *prog, recap_index *idx, const char *content_dir,
                    const char *synonyms, int quiet, const char *db);

#endif
