/*
 * replay.c: runs a libFuzzer target over files, without libFuzzer, so the
 * fuzz targets and every input they ever crashed on run as ordinary tests
 * under gcc (and under ASan+UBSan in the sanitizer build).
 *
 * Usage: fuzz_<name>_replay FILE|DIR...
 */
#define _POSIX_C_SOURCE 200809L
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
replay_file(const char *path)
{
    char *buf;
    size_t len;

    if (util_read_file(path, &buf, &len) < 0) {
        perror(path);
        return 1;
    }
    LLVMFuzzerTestOneInput((const uint8_t *)buf, len);
    free(buf);
    return 0;
}

static int
replay(const char *path, size_t *n)
{
    struct stat st;
    struct dirent *de;
    DIR *d;
    int rc = 0;

    if (stat(path, &st) < 0) {
        perror(path);
        return 1;
    }
    if (!S_ISDIR(st.st_mode)) {
        (*n)++;
        return replay_file(path);
    }
    if (!(d = opendir(path))) {
        perror(path);
        return 1;
    }
    while ((de = readdir(d))) {
        char *sub;
        if (de->d_name[0] == '.')
            continue;
        sub = util_asprintf("%s/%s", path, de->d_name);
        rc |= sub ? replay(sub, n) : 1;
        free(sub);
    }
    closedir(d);
    return rc;
}

int
main(int argc, char **argv)
{
    size_t n = 0;
    int i, rc = 0;

    for (i = 1; i < argc; i++)
        rc |= replay(argv[i], &n);
    printf("replayed %zu inputs\n", n);
    return rc || n == 0;
}
