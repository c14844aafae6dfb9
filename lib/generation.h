/*
 * generation.h: the on-disk layout of an index, so that a full rebuild can
 * be written beside the live index and switched in by one rename.
 *
 * An index directory holds a Xapian stub file, XAPIANDB, naming the
 * current generation, a Xapian database in a sibling directory:
 *
 *   .recapsearch/XAPIANDB       "auto gen-000002"
 *   .recapsearch/gen-000002/    the live database
 *   .recapsearch/gen-000001/    the previous one, removed by the next build
 *
 * Xapian opens the directory like the database it names, for reading and
 * for writing (a stub with one database is writable), so readers and
 * incremental writers need not know.  A full build writes gen-000003 (from
 * parts in gen-000003.parts/) and renames a new stub over XAPIANDB: readers
 * see the old generation or the new one, never a mix, and an interrupted
 * build leaves the old one live.  An index directory that is itself a
 * database (older indexes) keeps working; it is just rebuilt in place.
 *
 * A sharded generation (recap_index_set_shards) is a directory with a stub
 * of its own listing its shards, gen-000003/XAPIANDB -> shard-00 ...
 * shard-NN, each a database; Xapian opens the nested stubs as one.
 */
#ifndef RECAP_GENERATION_H
#define RECAP_GENERATION_H

#include "status.h"

#define GEN_STUB "XAPIANDB"
/* A sharded generation is a directory of shards with a stub of its own. */
#define GEN_SHARD_FMT "shard-%02u"

/* Creates the directory `path` (or fills it when empty) with an empty
 * database as its first generation; lib/create.c does it beside the index
 * and renames the result into place.  RECAP_OK, RECAP_EIO, RECAP_ENOMEM or
 * RECAP_EBACKEND (with a message in *errmsg, malloc()ed, when errmsg is not
 * NULL). */
recap_status gen_create(const char *path, char **errmsg);

/* The current generation's directory name ("gen-000002", malloc()ed) when
 * `path` uses the layout; RECAP_ENOTFOUND when it does not (no stub, or a
 * stub that is not one local database); RECAP_ENOMEM. */
recap_status gen_current(const char *path, char **out);

/* The name of the generation after `cur` ("gen-000003"), malloc()ed. */
char *gen_next(const char *cur);

/* Points the stub of `path` at generation `gen`, atomically (write, sync,
 * rename).  RECAP_OK or RECAP_EIO (errno kept). */
recap_status gen_switch(const char *path, const char *gen);

/* Removes everything in `path` but the stub and the generations `keep1`
 * and `keep2` (either may be NULL): stale parts and old generations. */
void gen_prune(const char *path, const char *keep1, const char *keep2);

/* The number of shards of generation `gen` of `path`: the lines of its own
 * stub, or 1 when it is one database. */
unsigned gen_shards(const char *path, const char *gen);

/* Writes `dir`/XAPIANDB listing shards 0..n-1 (atomically, synced).
 * RECAP_OK or RECAP_EIO / RECAP_ENOMEM. */
recap_status gen_write_shard_stub(const char *dir, unsigned n);

/* Removes a directory tree; errors are ignored. */
void gen_remove_tree(const char *dir);

#endif
