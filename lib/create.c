/*
 * create.c: creating an index atomically.
 *
 * Xapian creates a database in place, file by file: a process killed in
 * the middle leaves a directory with empty tables and no version file,
 * which Xapian then refuses to open or to create again ("Failed to open
 * glass revision file").  So a new index is made in a sibling directory
 * and renamed into place once Xapian has written it; a directory left by
 * such an interrupted creation (only Xapian's empty files) is cleared and
 * created again.
 */
#define _POSIX_C_SOURCE 200809L
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include "generation.h"
#include "index_int.h"
#include "util.h"

/* The files Xapian's glass backend writes while creating a database. */
static int
is_creation_file(const char *name)
{
    static const char *const names[] = {
        "flintlock",      "iamglass",       "v.tmp",
        "postlist.glass", "termlist.glass", "docdata.glass",
        "position.glass", "spelling.glass", "synonym.glass"};
    size_t i;

    for (i = 0; i < UTIL_ARRAY_LEN(names); i++)
        if (strcmp(name, names[i]) == 0)
            return 1;
    return 0;
}

/*
 * Whether `path` is an empty directory (1), the remains of an interrupted
 * creation (2), or anything else (0): a database, or files of the user's.
 */
static int
leftover_kind(const char *path)
{
    DIR *d = opendir(path);
    struct dirent *de;
    struct stat st;
    int kind = 1;

    if (!d)
        return 0;
    while (kind && (de = readdir(d))) {
        char *f;

        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
            continue;
        if (strcmp(de->d_name, "iamglass") == 0 ||
            !is_creation_file(de->d_name)) {
            kind = 0; /* a real database, or not ours */
            break;
        }
        f = util_asprintf("%s/%s", path, de->d_name);
        if (!f || stat(f, &st) != 0 ||
            (st.st_size != 0 && strcmp(de->d_name, "v.tmp") != 0))
            kind = 0; /* a table with content: not a bare creation */
        else
            kind = 2;
        free(f);
    }
    closedir(d);
    return kind;
}

/* Removes the files of an interrupted creation from `path`. */
static void
clear_leftover(const char *path)
{
    DIR *d = opendir(path);
    struct dirent *de;

    if (!d)
        return;
    while ((de = readdir(d))) {
        char *f;

        if (!is_creation_file(de->d_name))
            continue;
        if ((f = util_asprintf("%s/%s", path, de->d_name)))
            unlink(f);
        free(f);
    }
    closedir(d);
}

/* Removes the directory `dir` and Xapian's files in it. */
static void
remove_dir(const char *dir)
{
    clear_leftover(dir);
    rmdir(dir);
}

/* Makes the rename of `path` durable: fsync() of its parent directory. */
static void
sync_parent(const char *path)
{
    char *dir = util_strdup(path), *slash;
    int fd;

    if (!dir)
        return;
    slash = strrchr(dir, '/');
    if (!slash)
        strcpy(dir, ".");
    else if (slash == dir)
        slash[1] = '\0';
    else
        *slash = '\0';
    if ((fd = open(dir, O_RDONLY | O_DIRECTORY)) >= 0) {
        fsync(fd);
        close(fd);
    }
    free(dir);
}

/* Removes the "<path>.new-<pid>" directories of creations whose process
 * is gone (killed before its rename). */
static void
remove_stale_tmp(const char *path)
{
    char *dir = util_strdup(path), *slash, *base, *f;
    size_t base_len;
    DIR *d;
    struct dirent *de;

    if (!dir)
        return;
    slash = strrchr(dir, '/');
    base = slash ? slash + 1 : dir;
    base_len = strlen(base);
    if (slash == dir)
        d = opendir("/");
    else if (slash)
        *slash = '\0', d = opendir(dir);
    else
        d = opendir(".");
    while (d && (de = readdir(d))) {
        const char *p = de->d_name + base_len;
        char *end;
        long pid;

        if (strncmp(de->d_name, base, base_len) != 0 ||
            strncmp(p, ".new-", 5) != 0)
            continue;
        pid = strtol(p + 5, &end, 10);
        if (*end || pid <= 0 || kill((pid_t)pid, 0) == 0 || errno != ESRCH)
            continue; /* not ours, or its creator is still running */
        f = slash ? util_asprintf("%s/%s", slash == dir ? "" : dir, de->d_name)
                  : util_strdup(de->d_name);
        if (f)
            remove_dir(f);
        free(f);
    }
    if (d)
        closedir(d);
    free(dir);
}

recap_status
index_create_atomic(const char *path, xap_error *err)
{
    struct stat st;
    char *tmp = NULL, *msg = NULL;
    recap_status rc = RECAP_OK;
    int kind = 1;

    if (stat(path, &st) == 0) {
        if (!S_ISDIR(st.st_mode) || (kind = leftover_kind(path)) == 0)
            return RECAP_OK; /* an index (or not ours): open it as it is */
        if (kind == 2)
            clear_leftover(path);
    } else if (errno != ENOENT) {
        return RECAP_OK; /* let the open report the problem */
    }
    tmp = util_asprintf("%s.new-%ld", path, (long)getpid());
    if (!tmp) {
        snprintf(err->msg, sizeof(err->msg), "out of memory");
        return err->rc = RECAP_ENOMEM;
    }
    remove_stale_tmp(path);
    remove_dir(tmp); /* left by an earlier process that had our pid */
    /* In the generation layout (generation.h): a stub and a first, empty
     * generation, so that full builds can switch generations. */
    rc = gen_create(tmp, &msg);
    if (rc != RECAP_OK) {
        snprintf(err->msg, sizeof(err->msg), "%s",
                 msg ? msg : recap_status_str(rc));
        err->rc = rc;
    }
    free(msg);
    if (rc != RECAP_OK) {
        remove_dir(tmp);
        free(tmp);
        return rc;
    }
    /* rename() replaces an empty directory; when another process created
     * the index first, ours is not needed. */
    if (rename(tmp, path) == 0)
        sync_parent(path);
    else
        remove_dir(tmp);
    free(tmp);
    return RECAP_OK;
}
