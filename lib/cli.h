/*
 * cli.h: what the command-line programs share: where the index is, option
 * values, terminal detection.
 */
#ifndef RECAP_CLI_H
#define RECAP_CLI_H

#include <stdint.h>
#include <stdio.h>

#define CLI_DEFAULT_DB ".recapsearch"
#define CLI_DB_ENV "RECAPSEARCH_DB"

/* Exit codes shared by the programs. */
enum { CLI_EXIT_OK = 0, CLI_EXIT_NONE = 1, CLI_EXIT_ERROR = 2 };

/* The index directory: `opt` (from --db) if given, else $RECAPSEARCH_DB,
 * else ./.recapsearch.  Borrowed. */
const char *cli_db_path(const char *opt);

/* Parses a non-negative integer option value; prints an error naming the
 * option and returns -1 when it is not one (or is above `max`). */
int cli_parse_uint(const char *prog, const char *opt, const char *value,
                   uint32_t max, uint32_t *out);

/* The options every program shares, for the end of its getopt switch:
 * 'h' prints `usage` to stdout, 'V' the version; anything else is an
 * unknown option or a missing value (getopt has said which) and gets a
 * pointer to --help on stderr.  Returns the exit code. */
int cli_common_option(const char *prog, int c, void (*usage)(FILE *));

/* Whether `f` is a terminal. */
int cli_isatty(FILE *f);

#endif
