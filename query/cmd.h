/*
 * cmd.h: subcommands of the recapsearch program, each in its own file and
 * built only on the public API.  argv[0] is the subcommand's name; each
 * returns the program's exit status (CLI_EXIT_*).
 */
#ifndef RECAP_CMD_H
#define RECAP_CMD_H

/* recapsearch related [OPTION]... PATH|URL (cmd_related.c) */
int cmd_related(int argc, char **argv);
/* recapsearch export related [OPTION]... (cmd_related.c) */
int cmd_export(int argc, char **argv);

#endif
