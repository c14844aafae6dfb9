/*
 * test_crashsafe.c: what keeps an index whole when processes die or run
 * side by side: atomic creation (lib/create.c), recap_index_check
 * (lib/check.c), the write lock, and readers that outlive commits
 * (recap_search reopening on RECAP_EMODIFIED).  The SIGKILL test of the
 * real program is tests/integration/crashsafe.sh.
 */
#define _XOPEN_SOURCE 700
#include <fcntl.h>
#include <ftw.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "testdir.h"

#include "recapsearch.h"

/*
 * Xapian::Database::check() in libxapian 1.4.22 deletes an internal object
 * through a base pointer of a smaller type, which ASan's
 * new_delete_type_mismatch check reports inside the uninstrumented library
 * (see test_xap.c).  This is ASan's documented hook for a program's
 * defaults; it does nothing without ASan.
 */
const char *__asan_default_options(void);
const char *
__asan_default_options(void)
{
    return "new_delete_type_mismatch=0";
}

#define CONTENT RECAP_SOURCE_DIR "/corpus/content"

typedef struct fixture {
    char dir[TESTDIR_SIZE]; /* the temporary directory */
    char path[128];         /* the index inside it */
} fixture;

static int
setup(void **state)
{
    fixture *f = calloc(1, sizeof(*f));

    testdir_make(f->dir, "crashsafe");
    snprintf(f->path, sizeof(f->path), "%s/db", f->dir);
    *state = f;
    return 0;
}

static int
teardown(void **state)
{
    fixture *f = *state;

    testdir_remove(f->dir);
    free(f);
    return 0;
}

static void
touch(const char *dir, const char *name, const char *content)
{
    char p[256];
    FILE *fp;

    snprintf(p, sizeof(p), "%s/%s", dir, name);
    assert_non_null(fp = fopen(p, "w"));
    fputs(content, fp);
    fclose(fp);
}

static int
exists(const char *dir, const char *name)
{
    char p[256];
    struct stat st;

    snprintf(p, sizeof(p), "%s/%s", dir, name);
    return stat(p, &st) == 0;
}

static const char *const pages[] = {
    "en/blog/2025/multi-cluster-failover/index.md",
    "en/blog/2024/introducing-harbor-light/index.md",
    "en/docs/observability/access-logs/index.md"};

/* Indexes the first `n` pages in one batch. */
static void
build(recap_index *w, size_t n)
{
    size_t i;

    assert_int_equal(recap_index_begin(w, RECAP_BEGIN_FULL), RECAP_OK);
    for (i = 0; i < n; i++)
        assert_int_equal(recap_index_add_file(w, CONTENT, pages[i]), RECAP_OK);
    assert_int_equal(recap_index_commit(w), RECAP_OK);
}

static uint64_t
doc_count(recap_index *idx)
{
    uint64_t n = 0;

    assert_int_equal(recap_index_doc_count(idx, &n), RECAP_OK);
    return n;
}

/* The live database of the index at `path`: the generation its stub
 * names (lib/generation.h), or `path` itself for a plain database. */
static void
live_db(const char *path, char *out, size_t size)
{
    char stub[256], gen[64] = "";
    FILE *fp;

    snprintf(stub, sizeof(stub), "%s/XAPIANDB", path);
    fp = fopen(stub, "r");
    if (fp && fscanf(fp, "auto %63s", gen) == 1)
        snprintf(out, size, "%s/%s", path, gen);
    else
        snprintf(out, size, "%s", path);
    if (fp)
        fclose(fp);
}

/* A new index appears whole, with no helper directory left beside it. */
static void
test_create_is_atomic(void **state)
{
    fixture *f = *state;
    recap_index *idx = NULL;
    char *err = NULL;
    char name[64], live[192];

    assert_int_equal(recap_index_open(f->path, RECAP_OPEN_CREATE, &idx, &err),
                     RECAP_OK);
    live_db(f->path, live, sizeof(live));
    assert_true(exists(live, "iamglass"));
    snprintf(name, sizeof(name), "db.new-%ld", (long)getpid());
    assert_false(exists(f->dir, name));
    assert_int_equal(doc_count(idx), 0);
    recap_index_close(idx);
}

/* A directory left by a creation killed half-way (Xapian's empty tables
 * and no version file) is created again, where Xapian alone gives up. */
static void
test_create_recovers_interrupted_creation(void **state)
{
    fixture *f = *state;
    recap_index *idx = NULL;
    char *err = NULL;

    assert_int_equal(mkdir(f->path, 0755), 0);
    touch(f->path, "flintlock", "");
    touch(f->path, "postlist.glass", "");
    touch(f->path, "termlist.glass", "");
    touch(f->path, "v.tmp", "partial version file");
    assert_int_equal(recap_index_open(f->path, RECAP_OPEN_READ, &idx, &err),
                     RECAP_ENOTFOUND);
    free(err);
    assert_int_equal(recap_index_open(f->path, RECAP_OPEN_CREATE, &idx, &err),
                     RECAP_OK);
    build(idx, 2);
    assert_int_equal(doc_count(idx), 2);
    recap_index_close(idx);
    assert_int_equal(recap_index_check(f->path, &err), RECAP_OK);
    assert_null(err);
}

/* A directory with files that are not Xapian's is left alone. */
static void
test_create_keeps_foreign_files(void **state)
{
    fixture *f = *state;
    recap_index *idx = NULL;
    char *err = NULL;

    assert_int_equal(mkdir(f->path, 0755), 0);
    touch(f->path, "notes.txt", "mine");
    touch(f->path, "postlist.glass", "");
    recap_index_open(f->path, RECAP_OPEN_CREATE, &idx, &err);
    recap_index_close(idx);
    free(err);
    assert_true(exists(f->path, "notes.txt"));
}

/* The helper directory of a creator that was killed is cleaned up by the
 * next creation. */
static void
test_create_removes_stale_helper_dir(void **state)
{
    fixture *f = *state;
    recap_index *idx = NULL;
    char *err = NULL, stale[192];
    pid_t dead = fork();

    if (dead == 0)
        _exit(0);
    assert_true(dead > 0);
    waitpid(dead, NULL, 0);
    snprintf(stale, sizeof(stale), "%s.new-%ld", f->path, (long)dead);
    assert_int_equal(mkdir(stale, 0755), 0);
    touch(stale, "flintlock", "");
    touch(stale, "postlist.glass", "");
    assert_int_equal(recap_index_open(f->path, RECAP_OPEN_CREATE, &idx, &err),
                     RECAP_OK);
    recap_index_close(idx);
    assert_false(exists(stale, ""));
}

static void
test_check(void **state)
{
    fixture *f = *state;
    recap_index *idx = NULL;
    char *err = NULL, table[320], live[192];
    char junk[4096];
    int fd;

    assert_int_equal(recap_index_check(f->path, &err), RECAP_ENOTFOUND);
    assert_non_null(strstr(err, "no index at"));
    free(err);
    assert_int_equal(recap_index_check(NULL, NULL), RECAP_EINVAL);

    assert_int_equal(recap_index_open(f->path, RECAP_OPEN_CREATE, &idx, &err),
                     RECAP_OK);
    build(idx, 3);
    recap_index_close(idx);
    assert_int_equal(recap_index_check(f->path, &err), RECAP_OK);
    assert_null(err);

    /* Scribble over the postlist table's blocks (all of them: a compacted
     * table need not use its first block). */
    live_db(f->path, live, sizeof(live));
    snprintf(table, sizeof(table), "%s/postlist.glass", live);
    memset(junk, 0x5a, sizeof(junk));
    assert_true((fd = open(table, O_RDWR)) >= 0);
    {
        off_t size = lseek(fd, 0, SEEK_END), off;
        assert_true(size > 0);
        for (off = 0; off < size; off += (off_t)sizeof(junk))
            assert_int_equal(pwrite(fd, junk, sizeof(junk), off),
                             (ssize_t)sizeof(junk));
    }
    close(fd);
    assert_int_equal(recap_index_check(f->path, &err), RECAP_ECORRUPT);
    assert_non_null(strstr(err, "damaged"));
    assert_non_null(strstr(err, "rebuild"));
    free(err);
}

/* A second writer is refused at once, with a message naming the lock; a
 * reader is not held up. */
static void
test_second_writer_is_refused(void **state)
{
    fixture *f = *state;
    recap_index *w = NULL, *w2 = NULL, *r = NULL;
    char *err = NULL;

    assert_int_equal(recap_index_open(f->path, RECAP_OPEN_CREATE, &w, &err),
                     RECAP_OK);
    build(w, 1);
    assert_int_equal(recap_index_open(f->path, RECAP_OPEN_WRITE, &w2, &err),
                     RECAP_ELOCKED);
    assert_null(w2);
    assert_non_null(strstr(err, "flintlock"));
    assert_non_null(strstr(err, "wait for it to finish or stop it"));
    free(err);
    err = NULL;
    assert_int_equal(recap_index_open(f->path, RECAP_OPEN_CREATE, &w2, &err),
                     RECAP_ELOCKED);
    free(err);
    err = NULL;
    assert_int_equal(recap_index_open(f->path, RECAP_OPEN_READ, &r, &err),
                     RECAP_OK);
    assert_int_equal(doc_count(r), 1);
    recap_index_close(r);
    recap_index_close(w);
    /* The lock goes with the writer. */
    assert_int_equal(recap_index_open(f->path, RECAP_OPEN_WRITE, &w2, &err),
                     RECAP_OK);
    recap_index_close(w2);
}

/* A reader that keeps its handle while a writer commits again and again
 * (as a server does) keeps answering: Xapian discards a revision two
 * commits later, and recap_search reopens and runs again. */
static void
test_reader_outlives_commits(void **state)
{
    fixture *f = *state;
    recap_index *w = NULL, *r = NULL;
    recap_search_options opts = RECAP_SEARCH_OPTIONS_INIT;
    recap_results *res = NULL;
    char *err = NULL;
    int k;

    assert_int_equal(recap_index_open(f->path, RECAP_OPEN_CREATE, &w, &err),
                     RECAP_OK);
    build(w, 3);
    assert_int_equal(recap_index_open(f->path, RECAP_OPEN_READ, &r, &err),
                     RECAP_OK);
    opts.query = "cluster";
    opts.lang = "*";
    for (k = 1; k <= 6; k++) {
        build(w, k % 2 ? 1 : 3);
        build(w, k % 2 ? 1 : 3);
        assert_int_equal(recap_search(r, &opts, &res), RECAP_OK);
        recap_results_free(res);
        res = NULL;
    }
    recap_index_close(r);
    recap_index_close(w);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_create_is_atomic, setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_create_recovers_interrupted_creation, setup, teardown),
        cmocka_unit_test_setup_teardown(test_create_keeps_foreign_files, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_create_removes_stale_helper_dir,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_check, setup, teardown),
        cmocka_unit_test_setup_teardown(test_second_writer_is_refused, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_reader_outlives_commits, setup,
                                        teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
