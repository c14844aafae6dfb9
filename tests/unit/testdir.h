/*
 * testdir.h: temporary directories for the unit tests that build indexes.
 * Header-only (each test is one program).
 */
#ifndef RECAP_TESTDIR_H
#define RECAP_TESTDIR_H

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

#define TESTDIR_SIZE 64

static int
testdir_rm_entry(const char *p, const struct stat *st, int flag,
                 struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(p);
}

/* Creates a fresh directory /tmp/recap-NAME-XXXXXX and writes its path to
 * `dir` (TESTDIR_SIZE bytes); aborts the test program when it cannot. */
static inline void
testdir_make(char *dir, const char *name)
{
    snprintf(dir, TESTDIR_SIZE, "/tmp/recap-%s-XXXXXX", name);
    if (!mkdtemp(dir)) {
        perror(dir);
        abort();
    }
}

/* Removes `dir` and everything below it. */
static inline void
testdir_remove(const char *dir)
{
    nftw(dir, testdir_rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

#endif
