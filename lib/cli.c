/*
 * cli.c: helpers shared by the command-line programs.
 */
#define _POSIX_C_SOURCE 200809L
#include "cli.h"

#include "recapsearch.h"

#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

const char *
cli_db_path(const char *opt)
{
    const char *env;

    if (opt && *opt)
        return opt;
    env = getenv(CLI_DB_ENV);
    if (env && *env)
        return env;
    return CLI_DEFAULT_DB;
}

int
cli_parse_uint(const char *prog, const char *opt, const char *value,
               uint32_t max, uint32_t *out)
{
    char *end;
    unsigned long v;

    errno = 0;
    v = strtoul(value, &end, 10);
    if (errno || end == value || *end || value[0] == '-' || v > max) {
        fprintf(stderr,
                "%s: %s: expected a whole number from 0 to %u, got "
                "'%s'\n",
                prog, opt, (unsigned)max, value);
        return -1;
    }
    *out = (uint32_t)v;
    return 0;
}

int
cli_isatty(FILE *f)
{
    return isatty(fileno(f));
}

int
cli_common_option(const char *prog, int c, void (*usage)(FILE *))
{
    switch (c) {
    case 'h':
        usage(stdout);
        return CLI_EXIT_OK;
    case 'V':
        printf("%s %s\n", prog, recap_version());
        return CLI_EXIT_OK;
    default:
        fprintf(stderr, "Try '%s --help' for more information.\n", prog);
        return CLI_EXIT_ERROR;
    }
}
