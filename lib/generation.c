/*
 * generation.c: index generations behind a Xapian stub file (see
 * generation.h).
 */
#define _XOPEN_SOURCE 700
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "generation.h"
#include "util.h"
#include "xap.h"

#define GEN_PREFIX "gen-"

static recap_status
fail(char **errmsg, recap_status rc, const char *what, const char *path)
{
    if (errmsg)
        *errmsg = util_asprintf("%s %s: %s", what, path, strerror(errno));
    return rc;
}

recap_status
gen_create(const char *path, char **errmsg)
{
    const char *first = GEN_PREFIX "000001";
    char *db_path = NULL;
    xap_db *db = NULL;
    xap_error err;
    recap_status rc;

    if (errmsg)
        *errmsg = NULL;
    if (mkdir(path, 0777) != 0 && errno != EEXIST)
        return fail(errmsg, RECAP_EIO, "cannot create", path);
    if (!(db_path = util_asprintf("%s/%s", path, first)))
        return RECAP_ENOMEM;
    rc = xap_db_open(db_path, XAP_DB_CREATE_OR_OVERWRITE, &db, &err);
    if (rc == RECAP_OK)
        rc = xap_db_commit(db, &err);
    xap_db_free(db);
    if (rc != RECAP_OK && errmsg)
        *errmsg = util_asprintf("%s", err.msg);
    if (rc == RECAP_OK && (rc = gen_switch(path, first)) != RECAP_OK)
        fail(errmsg, rc, "cannot write the stub of", path);
    free(db_path);
    return rc;
}

/* A generation name: "gen-" and six digits, nothing else. */
static int
is_gen_name(const char *s, size_t len)
{
    size_t i, n = strlen(GEN_PREFIX);

    if (len != n + 6 || strncmp(s, GEN_PREFIX, n) != 0)
        return 0;
    for (i = n; i < len; i++)
        if (s[i] < '0' || s[i] > '9')
            return 0;
    return 1;
}

recap_status
gen_current(const char *path, char **out)
{
    char *stub = util_asprintf("%s/%s", path, GEN_STUB), *text = NULL;
    size_t len = 0;
    const char *name;
    recap_status rc = RECAP_ENOTFOUND;

    *out = NULL;
    if (!stub)
        return RECAP_ENOMEM;
    if (util_read_file(stub, &text, &len) == 0) {
        /* Exactly "auto NAME\n", as gen_switch() writes it. */
        name = text + 5;
        if (len > 6 && strncmp(text, "auto ", 5) == 0 &&
            text[len - 1] == '\n' && is_gen_name(name, len - 6)) {
            *out = util_strndup(name, len - 6);
            rc = *out ? RECAP_OK : RECAP_ENOMEM;
        }
    }
    free(text);
    free(stub);
    return rc;
}

char *
gen_next(const char *cur)
{
    unsigned long n = strtoul(cur + strlen(GEN_PREFIX), NULL, 10);

    return util_asprintf(GEN_PREFIX "%06lu", (n + 1) % 1000000);
}

static int
sync_dir(const char *path)
{
    int fd = open(path, O_RDONLY | O_DIRECTORY), rc;

    if (fd < 0)
        return -1;
    rc = fsync(fd);
    close(fd);
    return rc;
}

recap_status
gen_switch(const char *path, const char *gen)
{
    char *tmp = util_asprintf("%s/%s.tmp", path, GEN_STUB);
    char *stub = util_asprintf("%s/%s", path, GEN_STUB);
    char *line = util_asprintf("auto %s\n", gen);
    recap_status rc = RECAP_EIO;
    int fd = -1;

    if (!tmp || !stub || !line) {
        rc = RECAP_ENOMEM;
        goto done;
    }
    fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0666);
    if (fd < 0 || write(fd, line, strlen(line)) != (ssize_t)strlen(line) ||
        fsync(fd) != 0)
        goto done;
    close(fd);
    fd = -1;
    if (rename(tmp, stub) != 0 || sync_dir(path) != 0)
        goto done;
    rc = RECAP_OK;
done:
    if (fd >= 0)
        close(fd);
    free(tmp);
    free(stub);
    free(line);
    return rc;
}

unsigned
gen_shards(const char *path, const char *gen)
{
    char *stub = util_asprintf("%s/%s/%s", path, gen, GEN_STUB), *text = NULL;
    size_t len = 0, i;
    unsigned n = 0;

    if (stub && util_read_file(stub, &text, &len) == 0)
        for (i = 0; i < len; i++)
            n += text[i] == '\n';
    free(text);
    free(stub);
    return n ? n : 1;
}

recap_status
gen_write_shard_stub(const char *dir, unsigned n)
{
    char *tmp = util_asprintf("%s/%s.tmp", dir, GEN_STUB);
    char *stub = util_asprintf("%s/%s", dir, GEN_STUB);
    FILE *f = tmp ? fopen(tmp, "w") : NULL;
    recap_status rc = RECAP_EIO;
    unsigned i;

    if (!tmp || !stub) {
        rc = RECAP_ENOMEM;
        goto done;
    }
    for (i = 0; f && i < n; i++)
        fprintf(f, "auto " GEN_SHARD_FMT "\n", i);
    if (f && fflush(f) == 0 && fsync(fileno(f)) == 0 && fclose(f) == 0) {
        f = NULL;
        if (rename(tmp, stub) == 0 && sync_dir(dir) == 0)
            rc = RECAP_OK;
    }
done:
    if (f)
        fclose(f);
    free(tmp);
    free(stub);
    return rc;
}

static int
rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    remove(path);
    return 0;
}

void
gen_remove_tree(const char *dir)
{
    nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

void
gen_prune(const char *path, const char *keep1, const char *keep2)
{
    DIR *d = opendir(path);
    struct dirent *e;
    size_t n = strlen(GEN_PREFIX);

    if (!d)
        return;
    while ((e = readdir(d)) != NULL) {
        char *p;
        /* Only what this module makes: generations and their parts. */
        if (strncmp(e->d_name, GEN_PREFIX, n) != 0 ||
            (keep1 && strcmp(e->d_name, keep1) == 0) ||
            (keep2 && strcmp(e->d_name, keep2) == 0))
            continue;
        if ((p = util_asprintf("%s/%s", path, e->d_name)) != NULL)
            gen_remove_tree(p);
        free(p);
    }
    closedir(d);
}
