/*
 * test_limits.c: the limits of lib/limit.h, enforced with a message that
 * says what happened: path length, front-matter field length (cut, with a
 * warning), query length.
 */
#define _XOPEN_SOURCE 700
#include <ftw.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "testdir.h"

#include "limit.h"
#include "recapsearch.h"

typedef struct fixture {
    char dir[TESTDIR_SIZE];
    char db[128];
    char content[128];
    recap_index *idx;
    char warning[512];
    unsigned n_warnings;
} fixture;

static void
on_warn(void *ctx, const char *path, unsigned line, const char *msg)
{
    fixture *f = ctx;

    (void)line;
    snprintf(f->warning, sizeof(f->warning), "%s: %s", path, msg);
    f->n_warnings++;
}

static int
setup(void **state)
{
    fixture *f = calloc(1, sizeof(*f));
    char *err = NULL;

    testdir_make(f->dir, "limits");
    snprintf(f->db, sizeof(f->db), "%s/db", f->dir);
    snprintf(f->content, sizeof(f->content), "%s/content", f->dir);
    assert_int_equal(mkdir(f->content, 0755), 0);
    assert_int_equal(recap_index_open(f->db, RECAP_OPEN_CREATE, &f->idx, &err),
                     RECAP_OK);
    recap_index_set_warn(f->idx, on_warn, f);
    *state = f;
    return 0;
}

static int
teardown(void **state)
{
    fixture *f = *state;

    recap_index_close(f->idx);
    testdir_remove(f->dir);
    free(f);
    return 0;
}

/* Writes content/`rel` (creating its folders) with `text`. */
static void
write_page(fixture *f, const char *rel, const char *text)
{
    char path[1024], *slash;
    FILE *fp;

    snprintf(path, sizeof(path), "%s/%s", f->content, rel);
    for (slash = strchr(path + strlen(f->content) + 1, '/'); slash;
         slash = strchr(slash + 1, '/')) {
        *slash = '\0';
        mkdir(path, 0755);
        *slash = '/';
    }
    assert_non_null(fp = fopen(path, "w"));
    fputs(text, fp);
    fclose(fp);
}

static void
test_path_limit(void **state)
{
    fixture *f = *state;
    char rel[400];
    size_t n;

    /* A path of exactly the limit is fine; one byte more is refused. */
    strcpy(rel, "en/");
    n = LIMIT_PATH_BYTES - strlen("en/") - strlen("/index.md");
    memset(rel + 3, 'd', n);
    strcpy(rel + 3 + n, "/index.md");
    assert_int_equal(strlen(rel), LIMIT_PATH_BYTES);
    write_page(f, rel, "---\ntitle: At the limit\n---\nborderline words\n");
    assert_int_equal(recap_index_begin(f->idx, RECAP_BEGIN_UPDATE), RECAP_OK);
    assert_int_equal(recap_index_add_file(f->idx, f->content, rel), RECAP_OK);

    memset(rel + 3, 'e', n + 1);
    strcpy(rel + 4 + n, "/index.md");
    write_page(f, rel, "---\ntitle: Over\n---\nwords\n");
    assert_int_equal(recap_index_add_file(f->idx, f->content, rel),
                     RECAP_EPARSE);
    assert_non_null(strstr(recap_index_errmsg(f->idx),
                           "path is 241 bytes, over the 240-byte limit"));
    assert_int_equal(recap_index_commit(f->idx), RECAP_OK);
}

static void
test_field_limit(void **state)
{
    fixture *f = *state;
    recap_search_options opts = RECAP_SEARCH_OPTIONS_INIT;
    recap_results *res = NULL;
    size_t n = LIMIT_FIELD_BYTES + 1000, i;
    char *page = malloc(n + 100), *p = page;

    /* A title of "é" repeated past the limit: the cut keeps whole
     * characters. */
    p += sprintf(p, "---\ntitle: x");
    for (i = 0; i < n / 2; i++) {
        *p++ = (char)0xC3;
        *p++ = (char)0xA9;
    }
    sprintf(p, "\n---\nlongtitle body\n");
    write_page(f, "en/big.md", page);
    free(page);
    assert_int_equal(recap_index_begin(f->idx, RECAP_BEGIN_UPDATE), RECAP_OK);
    assert_int_equal(recap_index_add_file(f->idx, f->content, "en/big.md"),
                     RECAP_OK);
    assert_int_equal(recap_index_commit(f->idx), RECAP_OK);
    assert_int_equal(f->n_warnings, 1);
    assert_non_null(strstr(f->warning, "en/big.md: front matter 'title' is"));
    assert_non_null(strstr(f->warning, "over the 65536-byte limit"));

    opts.query = "longtitle";
    opts.lang = "*";
    assert_int_equal(recap_search(f->idx, &opts, &res), RECAP_OK);
    assert_int_equal(recap_results_count(res), 1);
    /* "x" and 32767 whole "é": one byte short of the limit. */
    assert_int_equal(strlen(recap_hit_title(recap_results_hit(res, 0))),
                     LIMIT_FIELD_BYTES - 1);
    recap_results_free(res);
}

static void
test_query_limit(void **state)
{
    fixture *f = *state;
    recap_search_options opts = RECAP_SEARCH_OPTIONS_INIT;
    recap_results *res = NULL;
    char *q = malloc(LIMIT_QUERY_BYTES + 2), expected[128];
    size_t i;

    write_page(f, "en/a.md", "---\ntitle: A\n---\nsome words\n");
    assert_int_equal(recap_index_begin(f->idx, RECAP_BEGIN_UPDATE), RECAP_OK);
    assert_int_equal(recap_index_add_file(f->idx, f->content, "en/a.md"),
                     RECAP_OK);
    assert_int_equal(recap_index_commit(f->idx), RECAP_OK);
    for (i = 0; i < LIMIT_QUERY_BYTES; i++)
        q[i] = i % 6 == 5 ? ' ' : "words"[i % 6];
    q[LIMIT_QUERY_BYTES] = '\0';
    opts.query = q;
    assert_int_equal(recap_search(f->idx, &opts, &res), RECAP_OK);
    recap_results_free(res);
    res = NULL;
    strcat(q, "s");
    assert_int_equal(recap_search(f->idx, &opts, &res), RECAP_EQUERY);
    assert_null(res);
    snprintf(expected, sizeof(expected),
             "query is %u bytes, over the %u-byte limit: shorten it",
             LIMIT_QUERY_BYTES + 1, LIMIT_QUERY_BYTES);
    assert_non_null(strstr(recap_index_errmsg(f->idx), expected));
    free(q);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_path_limit, setup, teardown),
        cmocka_unit_test_setup_teardown(test_field_limit, setup, teardown),
        cmocka_unit_test_setup_teardown(test_query_limit, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
