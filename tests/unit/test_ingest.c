/*
 * test_ingest.c: ingest_walk and ingest_file on a small site in
 * tests/data/ingest, and on the whole Istio site when it is present.
 * Nothing here depends on how the body is turned into sections.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>

#include "ingest.h"
#include "util.h"

#define SITE RECAP_TEST_DATA "/ingest/site"

typedef struct warnings {
    unsigned n;
    char last_path[256];
    unsigned last_line;
    char last_msg[512];
} warnings;

static void
on_warn(void *ctx, const char *path, unsigned line, const char *msg)
{
    warnings *w = ctx;

    w->n++;
    snprintf(w->last_path, sizeof(w->last_path), "%s", path);
    w->last_line = line;
    snprintf(w->last_msg, sizeof(w->last_msg), "%s", msg);
}

static void
test_walk(void **state)
{
    static const char *const expected[] = {
        "en/blog/_index.md",      "en/blog/post/index.md",
        "en/docs/a.markdown",     "en/docs/json-draft.md",
        "en/empty/index.md",      "en/empty/snippet.md",
        "en/faq/general/what.md", "en/faq/index.md",
        "en/latin1.md",           "en/plain.md",
        "zh/docs/broken.md",
    };
    char **paths, *root, *msg = NULL;
    size_t n, i;

    (void)state;
    /* The site folder holds content/, which becomes the root. */
    assert_int_equal(ingest_walk(SITE, &paths, &n, &root, &msg), RECAP_OK);
    assert_string_equal(root, SITE "/content");
    assert_int_equal(n, UTIL_ARRAY_LEN(expected));
    for (i = 0; i < n; i++)
        assert_string_equal(paths[i], expected[i]);
    ingest_paths_free(paths, n);
    free(root);

    /* The content folder itself works as well. */
    assert_int_equal(ingest_walk(SITE "/content", &paths, &n, NULL, &msg),
                     RECAP_OK);
    assert_int_equal(n, UTIL_ARRAY_LEN(expected));
    ingest_paths_free(paths, n);

    assert_int_equal(ingest_walk(SITE "/missing", &paths, &n, &root, &msg),
                     RECAP_ENOTFOUND);
    assert_null(paths);
    assert_null(root);
    assert_non_null(strstr(msg, SITE "/missing"));
    free(msg);
}

static ingest_doc *
ingest_ok(const char *relpath, warnings *w)
{
    ingest_doc *doc = NULL;
    char *msg = NULL;
    recap_status rc;

    rc = ingest_file(SITE "/content", relpath, "en", on_warn, w, &doc, &msg);
    if (rc != RECAP_OK)
        fail_msg("%s: status %d (%s)", relpath, rc, msg ? msg : "");
    assert_non_null(doc);
    return doc;
}

static void
test_files(void **state)
{
    warnings w = {0};
    ingest_doc *doc;
    const ingest_field *f;

    (void)state;
    doc = ingest_ok("en/blog/post/index.md", &w);
    assert_string_equal(doc->path, "en/blog/post/index.md");
    assert_string_equal(doc->url, "/blog/post/");
    assert_string_equal(doc->lang, "en");
    assert_string_equal(doc->section, "blog");
    assert_string_equal(doc->date, "2025-04-25");
    assert_string_equal(ingest_doc_get(doc, "title"), "A post: with colon");
    f = ingest_doc_field(doc, "tags");
    assert_non_null(f);
    assert_int_equal(f->n_values, 2);
    /* The front matter is not part of the body. */
    assert_null(strstr(doc->sections[0].text, "publishdate"));
    ingest_doc_free(doc);

    doc = ingest_ok("en/docs/a.markdown", &w);
    assert_string_equal(doc->url, "/docs/toml/");
    assert_string_equal(ingest_doc_get(doc, "title"), "TOML page");
    ingest_doc_free(doc);

    /* A resource of a leaf bundle is shown on the bundle's page. */
    doc = ingest_ok("en/faq/general/what.md", &w);
    assert_string_equal(doc->url, "/questions/");
    assert_string_equal(doc->section, "faq");
    assert_string_equal(ingest_doc_get(doc, "title"), "What is a mesh?");
    ingest_doc_free(doc);
    doc = ingest_ok("en/faq/index.md", &w);
    assert_string_equal(doc->url, "/questions/");
    ingest_doc_free(doc);

    /* No front matter: the title is the file name. */
    doc = ingest_ok("en/plain.md", &w);
    assert_int_equal(doc->n_fields, 1);
    assert_string_equal(ingest_doc_get(doc, "title"), "plain");
    assert_string_equal(doc->url, "/plain/");
    assert_string_equal(doc->section, "");
    assert_null(doc->date);
    ingest_doc_free(doc);
    assert_int_equal(w.n, 0);
}

static void
test_broken_files(void **state)
{
    warnings w = {0};
    ingest_doc *doc;

    (void)state;
    /* A broken front matter is a warning with the file's line. */
    doc = ingest_ok("zh/docs/broken.md", &w);
    assert_int_equal(w.n, 1);
    assert_string_equal(w.last_path, "zh/docs/broken.md");
    assert_int_equal(w.last_line, 3);
    assert_string_equal(w.last_msg,
                        "front matter: mapping values are not allowed in "
                        "this context; indexed the body only");
    assert_string_equal(doc->url, "/zh/docs/broken/");
    assert_string_equal(ingest_doc_get(doc, "title"), "ok");
    assert_non_null(strstr(doc->sections[0].text, "Body after broken"));
    ingest_doc_free(doc);

    /* Bytes that are not UTF-8 are replaced, with a warning; the front
     * matter still parses. */
    w.n = 0;
    doc = ingest_ok("en/latin1.md", &w);
    assert_int_equal(w.n, 1);
    assert_int_equal(w.last_line, 2);
    assert_string_equal(ingest_doc_get(doc, "title"), "caf\xEF\xBF\xBD");
    assert_non_null(strstr(doc->sections[0].text, "Bad \xEF\xBF\xBD bytes"));
    ingest_doc_free(doc);
}

static void
test_skipped_and_missing(void **state)
{
    ingest_doc *doc = (ingest_doc *)1;
    char *msg = NULL;

    (void)state;
    assert_int_equal(ingest_file(SITE "/content", "en/docs/json-draft.md", "en",
                                 NULL, NULL, &doc, &msg),
                     RECAP_ESKIPPED);
    assert_null(doc);
    assert_string_equal(msg, "draft: true");
    free(msg);
    assert_int_equal(ingest_file(SITE "/content", "en/empty/index.md", "en",
                                 NULL, NULL, &doc, &msg),
                     RECAP_ESKIPPED);
    assert_string_equal(msg, "headless bundle");
    free(msg);
    /* A resource of a headless bundle is no page either. */
    assert_int_equal(ingest_file(SITE "/content", "en/empty/snippet.md", "en",
                                 NULL, NULL, &doc, &msg),
                     RECAP_ESKIPPED);
    assert_string_equal(msg, "resource of the bundle en/empty (headless "
                             "bundle)");
    free(msg);
    msg = NULL;
    assert_int_equal(ingest_file(SITE "/content", "en/nope.md", "en", NULL,
                                 NULL, &doc, &msg),
                     RECAP_EIO);
    assert_null(doc);
    assert_non_null(strstr(msg, "en/nope.md"));
    free(msg);
}

/* ---- the Istio site ----------------------------------------------------- */

static const char *
istio_root(void)
{
    static char buf[1024];
    static const char *const rel[] = {"/../shared", "/../../shared"};
    const char *env = getenv("RECAP_SHARED_CORPUS");
    struct stat st;
    size_t i;

    if (env && *env)
        return stat(env, &st) == 0 ? env : NULL;
    for (i = 0; i < UTIL_ARRAY_LEN(rel); i++) {
        snprintf(buf, sizeof(buf), "%s%s/corpus/istio.io/content",
                 RECAP_SOURCE_DIR, rel[i]);
        if (stat(buf, &st) == 0)
            return buf;
    }
    return NULL;
}

static void
count_warning(void *ctx, const char *path, unsigned line, const char *msg)
{
    (void)path, (void)line, (void)msg;
    ++*(unsigned *)ctx;
}

static void
check_bulletin(const char *root)
{
    ingest_doc *doc = NULL;
    const ingest_field *cves;
    char *msg = NULL;

    assert_int_equal(ingest_file(root,
                                 "en/news/security/istio-security-2019-002/"
                                 "index.md",
                                 "en", NULL, NULL, &doc, &msg),
                     RECAP_OK);
    cves = ingest_doc_field(doc, "cves");
    assert_non_null(cves);
    assert_true(cves->is_list);
    assert_int_equal(cves->n_values, 1);
    assert_string_equal(cves->values[0], "CVE-2019-12995");
    assert_string_equal(doc->url, "/news/security/istio-security-2019-002/");
    assert_string_equal(doc->section, "news");
    assert_string_equal(doc->date, "2019-06-28");
    ingest_doc_free(doc);
}

static void
test_istio(void **state)
{
    const char *root = istio_root();
    size_t n, i, n_ok = 0, n_skipped = 0, n_zh = 0;
    unsigned n_warnings = 0;
    char **paths, *content, *msg;
    ingest_doc *doc;
    recap_status rc;

    (void)state;
    if (!root) {
        print_message("Istio site not found; skipped\n");
        skip();
    }
    assert_int_equal(ingest_walk(root, &paths, &n, &content, NULL), RECAP_OK);
    assert_true(n > 2000);
    for (i = 1; i < n; i++)
        assert_true(strcmp(paths[i - 1], paths[i]) < 0);
    for (i = 0; i < n; i++) {
        doc = NULL;
        msg = NULL;
        rc = ingest_file(content, paths[i], "en", count_warning, &n_warnings,
                         &doc, &msg);
        if (rc == RECAP_OK) {
            n_ok++;
            n_zh += strcmp(doc->lang, "zh") == 0;
            assert_true(strncmp(doc->url, "/", 1) == 0);
        } else if (rc == RECAP_ESKIPPED) {
            n_skipped++;
            print_message("skipped %s: %s\n", paths[i], msg);
        } else {
            fail_msg("%s: status %d: %s", paths[i], rc, msg ? msg : "");
        }
        free(msg);
        ingest_doc_free(doc);
    }
    print_message("%zu files: %zu indexed (%zu zh), %zu skipped, %u "
                  "warnings\n",
                  n, n_ok, n_zh, n_skipped, n_warnings);
    assert_true(n_zh > 0);
    check_bulletin(content);
    ingest_paths_free(paths, n);
    free(content);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_walk),
        cmocka_unit_test(test_files),
        cmocka_unit_test(test_broken_files),
        cmocka_unit_test(test_skipped_and_missing),
        cmocka_unit_test(test_istio),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
