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

#endif
