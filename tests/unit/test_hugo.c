/*
 * test_hugo.c: language, section, URL and date resolution, and Hugo's
 * publishing rules.
 */
#define _POSIX_C_SOURCE 200809L /* gmtime_r */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "ingest.h"
#include "util.h"

/* A doc at `path` with front matter given as key, value pairs ending in
 * NULL. */
static ingest_doc *
make_doc(const char *path, ...)
{
    ingest_doc *doc = calloc(1, sizeof(*doc));
    const char *k, *v;
    va_list ap;

    assert_non_null(doc);
    doc->path = util_strdup(path);
    va_start(ap, path);
    while ((k = va_arg(ap, const char *)) != NULL) {
        v = va_arg(ap, const char *);
        assert_int_equal(ingest_doc_add_value(doc, k, v, strlen(v), 0), 0);
    }
    va_end(ap);
    return doc;
}

static void
check(const char *path, const char *lang, const char *section, const char *url,
      ingest_doc *doc)
{
    assert_int_equal(hugo_resolve(doc, "en"), 0);
    if (strcmp(doc->url, url) != 0)
        fail_msg("%s: url %s, expected %s", path, doc->url, url);
    assert_string_equal(doc->lang, lang);
    assert_string_equal(doc->section, section);
    ingest_doc_free(doc);
}

static void
test_urls(void **state)
{
    static const struct {
        const char *path, *lang, *section, *url;
    } cases[] = {
        {"en/blog/2025/x/index.md", "en", "blog", "/blog/2025/x/"},
        {"en/docs/a/b.md", "en", "docs", "/docs/a/b/"},
        {"en/docs/a/b.markdown", "en", "docs", "/docs/a/b/"},
        {"en/blog/_index.md", "en", "blog", "/blog/"},
        {"en/_index.md", "en", "", "/"},
        {"en/about.md", "en", "", "/about/"},
        {"zh/blog/2025/x/index.md", "zh", "blog", "/zh/blog/2025/x/"},
        {"zh/_index.md", "zh", "", "/zh/"},
        {"pt-br/docs/Setup Guide.md", "pt-br", "docs",
         "/pt-br/docs/setup-guide/"},
        {"zh-hans/docs/a.md", "zh-hans", "docs", "/zh-hans/docs/a/"},
        /* Not language folders: the default language, no prefix. */
        {"blog/x.md", "en", "blog", "/blog/x/"},
        {"EN/x.md", "en", "EN", "/en/x/"},
        {"eng/x.md", "en", "eng", "/eng/x/"},
        {"index.md", "en", "", "/"},
        {"en/Docs/Ops/Big.MD.md", "en", "Docs", "/docs/ops/big.md/"},
    };
    size_t i;

    (void)state;
    for (i = 0; i < UTIL_ARRAY_LEN(cases); i++)
        check(cases[i].path, cases[i].lang, cases[i].section, cases[i].url,
              make_doc(cases[i].path, NULL));
}

static void
test_url_front_matter(void **state)
{
    (void)state;
    /* slug replaces the last part: the file name or the bundle folder. */
    check("slug page", "en", "docs", "/docs/a/renamed/",
          make_doc("en/docs/a/b.md", "slug", "renamed", NULL));
    check("slug bundle", "en", "blog", "/blog/2025/renamed/",
          make_doc("en/blog/2025/x/index.md", "slug", "renamed", NULL));
    check("slug zh", "zh", "blog", "/zh/blog/renamed/",
          make_doc("zh/blog/x.md", "slug", "renamed", NULL));
    /* A section's URL is its folder. */
    check("slug section", "en", "blog", "/blog/",
          make_doc("en/blog/_index.md", "slug", "renamed", NULL));
    /* url wins over everything, as written, with a leading slash. */
    check(
        "url", "en", "docs", "/Custom/Place/",
        make_doc("en/docs/a/b.md", "url", "/Custom/Place/", "slug", "s", NULL));
    check("url relative", "zh", "docs", "/x/y",
          make_doc("zh/docs/a/b.md", "url", "x/y", NULL));
    check("empty url", "en", "docs", "/docs/a/b/",
          make_doc("en/docs/a/b.md", "url", "", NULL));
}

static void
test_default_lang(void **state)
{
    ingest_doc *doc = make_doc("zh/docs/a.md", NULL);

    (void)state;
    assert_int_equal(hugo_resolve(doc, "zh"), 0);
    assert_string_equal(doc->url, "/docs/a/");
    assert_int_equal(hugo_resolve(doc, NULL), 0); /* "en" */
    assert_string_equal(doc->url, "/zh/docs/a/");
    ingest_doc_free(doc);

    doc = make_doc("en/docs/a.md", NULL);
    assert_int_equal(hugo_resolve(doc, "zh"), 0);
    assert_string_equal(doc->url, "/en/docs/a/");
    ingest_doc_free(doc);
}

static void
test_dates(void **state)
{
    ingest_doc *doc;

    (void)state;
    doc = make_doc("en/a.md", "date", "2020-01-01", "publishdate", "2019-06-28",
                   NULL);
    assert_int_equal(hugo_resolve(doc, "en"), 0);
    assert_string_equal(doc->date, "2019-06-28");
    assert_int_equal(doc->date_unix, 1561680000);
    ingest_doc_free(doc);

    doc = make_doc("en/a.md", "date", "2025-04-25 12:00:00 +0200", NULL);
    assert_int_equal(hugo_resolve(doc, "en"), 0);
    assert_string_equal(doc->date, "2025-04-25T10:00:00Z");
    assert_int_equal(doc->date_unix, 1745575200);
    ingest_doc_free(doc);

    /* An unparsable publishdate falls back to date. */
    doc =
        make_doc("en/a.md", "publishdate", "soon", "date", "2019-06-28", NULL);
    assert_int_equal(hugo_resolve(doc, "en"), 0);
    assert_string_equal(doc->date, "2019-06-28");
    ingest_doc_free(doc);

    doc = make_doc("en/a.md", "date", "someday", NULL);
    assert_int_equal(hugo_resolve(doc, "en"), 0);
    assert_null(doc->date);
    assert_int_equal(doc->date_unix, 0);
    ingest_doc_free(doc);
}

/* Whether a doc with the given front matter is published; *reason is set
 * (to a static string) when it is not. */
static int
publishable(const char **reason, ...)
{
    ingest_doc *doc = make_doc("en/a.md", NULL);
    const char *k, *v;
    va_list ap;
    int ok;

    va_start(ap, reason);
    while ((k = va_arg(ap, const char *)) != NULL) {
        v = va_arg(ap, const char *);
        assert_int_equal(ingest_doc_add_value(doc, k, v, strlen(v), 0), 0);
    }
    va_end(ap);
    *reason = NULL;
    ok = hugo_publishable(doc, reason);
    ingest_doc_free(doc);
    return ok;
}

static void
test_publishable(void **state)
{
    char future[32], past[32];
    const char *reason;
    time_t now = time(NULL);
    struct tm tm;

    (void)state;
    strftime(future, sizeof(future), "%Y-%m-%dT%H:%M:%SZ",
             gmtime_r(&(time_t){now + 86400 * 2}, &tm));
    strftime(past, sizeof(past), "%Y-%m-%dT%H:%M:%SZ",
             gmtime_r(&(time_t){now - 86400 * 2}, &tm));

    assert_int_equal(publishable(&reason, "title", "x", NULL), 1);
    assert_null(reason);
    assert_int_equal(publishable(&reason, "draft", "false", NULL), 1);
    assert_int_equal(publishable(&reason, "draft", "true", NULL), 0);
    assert_string_equal(reason, "draft: true");
    assert_int_equal(publishable(&reason, "headless", "true", NULL), 0);
    assert_string_equal(reason, "headless bundle");
    assert_int_equal(publishable(&reason, "_build.render", "never", NULL), 0);
    assert_string_equal(reason, "build.render: never");
    assert_int_equal(publishable(&reason, "build.render", "false", NULL), 0);
    assert_string_equal(reason, "build.render: never");
    assert_int_equal(publishable(&reason, "build.render", "link", NULL), 0);
    assert_string_equal(reason, "build.render: link");
    assert_int_equal(publishable(&reason, "build.render", "always", NULL), 1);
    /* Only the page's own build options count, not cascaded ones. */
    assert_int_equal(
        publishable(&reason, "cascade._build.render", "never", NULL), 1);

    assert_int_equal(publishable(&reason, "publishdate", future, NULL), 0);
    assert_string_equal(reason, "publish date in the future");
    assert_int_equal(publishable(&reason, "date", future, NULL), 0);
    assert_int_equal(publishable(&reason, "publishdate", past, NULL), 1);
    assert_int_equal(publishable(&reason, "expirydate", past, NULL), 0);
    assert_string_equal(reason, "expiry date in the past");
    assert_int_equal(publishable(&reason, "expirydate", future, NULL), 1);
    assert_int_equal(publishable(&reason, "expirydate", "never", NULL), 1);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_urls),
        cmocka_unit_test(test_url_front_matter),
        cmocka_unit_test(test_default_lang),
        cmocka_unit_test(test_dates),
        cmocka_unit_test(test_publishable),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
