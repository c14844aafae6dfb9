/*
 * test_fidelity.c: reading a site as its reader sees it, with a site
 * configuration (sitecfg.c): the shortcode table and site parameters,
 * included boilerplates, tab labels, bulletin fields, link targets,
 * translations, language suffixes, include flags, bad input, --dump; and
 * the whole Istio site read with the table and parameters shipped for it
 * in corpus/.
 *
 * Fixtures: tests/data/ingest/fidelity (written for these tests).
 */
#define _DEFAULT_SOURCE /* mkdtemp, symlink */
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

#include "ingest.h"
#include "recapsearch.h"
#include "util.h"

#define FIX RECAP_TEST_DATA "/ingest/fidelity"
#define CONTENT FIX "/content"

/* ---- helpers ------------------------------------------------------------ */

typedef struct warnings {
    unsigned n;
    char msgs[8][400];
} warnings;

static void
on_warn(void *ctx, const char *path, unsigned line, const char *msg)
{
    warnings *w = ctx;

    if (w->n < 8)
        snprintf(w->msgs[w->n], sizeof(w->msgs[0]), "%s:%u: %s", path, line,
                 msg);
    w->n++;
}

static sitecfg *
fixture_cfg(unsigned include)
{
    sitecfg *cfg = NULL;
    char *msg = NULL;

    if (sitecfg_new(FIX "/shortcodes.yaml", FIX "/params.toml", include, &cfg,
                    &msg) != RECAP_OK)
        fail_msg("%s", msg ? msg : "sitecfg_new failed");
    return cfg;
}

static ingest_doc *
ingest_ok(sitecfg *cfg, const char *root, const char *relpath, warnings *w)
{
    ingest_doc *doc = NULL;
    char *msg = NULL;
    recap_status rc;

    rc = ingest_file_cfg(cfg, root, relpath, "en", on_warn, w, &doc, &msg);
    if (rc != RECAP_OK)
        fail_msg("%s: status %d (%s)", relpath, rc, msg ? msg : "");
    return doc;
}

/* All prose of doc, sections joined by "\n\n" (caller frees). */
static char *
all_text(const ingest_doc *doc)
{
    strbuf b = STRBUF_INIT;
    size_t i;

    for (i = 0; i < doc->n_sections; i++) {
        strbuf_puts(&b, doc->sections[i].text);
        strbuf_puts(&b, "\n\n");
    }
    return strbuf_detach(&b, NULL);
}

static void
assert_contains(const char *hay, const char *needle)
{
    if (!hay || !strstr(hay, needle))
        fail_msg("'%s' not found in:\n%s", needle, hay ? hay : "(null)");
}

/* ---- the shortcode table, parameters, includes -------------------------- */

static void
test_page(void **state)
{
    sitecfg *cfg = fixture_cfg(0);
    warnings w = {0};
    ingest_doc *doc = ingest_ok(cfg, CONTENT, "en/docs/setup/index.md", &w);
    char *text = all_text(doc);

    (void)state;
    /* The boilerplate, the one it includes, and the same one again inside
     * a list item, with its code block. */
    assert_contains(text, "Before you begin, make sure the lighthouse keeper "
                          "has trimmed every wick.");
    assert_contains(text, "Count the spare lenses twice.\n\nFetch the lamp:"
                          "\n\nCount the spare lenses twice.");
    assert_string_equal(doc->sections[0].code,
                        "$ count-lenses --twice\n\n$ count-lenses --twice");
    /* Tab names and an alert's title are labels, not prose. */
    assert_string_equal(doc->sections[0].labels, "Stone tower\nIron tower");
    assert_string_equal(doc->sections[1].labels, "Careful with the mercury");
    assert_null(strstr(text, "Stone tower"));
    /* Parameters: nested key, the shortcode's own name, a URL. */
    assert_contains(text, "Lighthouse 3.2.1 needs lens kit LK-9. Get it from "
                          "the kit page or https://kits.example.org/lk-9 "
                          "directly.");
    /* A link target is stored apart, never in the prose. */
    assert_int_equal(doc->n_links, 2);
    assert_string_equal(doc->links[0],
                        "https://kits.example.org/lk-9/download");
    assert_null(strstr(text, "/download"));
    /* A cycle is cut after one round; a dropped pair takes its content. */
    assert_contains(text, "Loop A text. Loop B text.\n\nSeen after the note.");
    assert_null(strstr(text, "Invisible"));
    /* Unknown shortcodes, counted by name (both forms). */
    assert_int_equal(doc->n_unknown, 1);
    assert_string_equal(doc->unknown[0], "mystery_widget");
    assert_int_equal(doc->unknown_count[0], 2);
    /* The cycle and the missing fragment are warnings. */
    assert_int_equal(w.n, 2);
    assert_contains(w.msgs[0], "loop-a is already being included");
    assert_contains(w.msgs[1], "en/docs/setup/index.md:34: included file "
                               "no-such-fragment not found");
    /* The Chinese page of the same path. */
    assert_int_equal(doc->n_translations, 1);
    assert_string_equal(doc->translations[0].lang, "zh");
    assert_string_equal(doc->translations[0].url, "/zh/docs/setup/");
    assert_string_equal(doc->translations[0].path, "zh/docs/setup/index.md");
    /* Counted into the run's totals. */
    assert_int_equal(sitecfg_unknown_count(cfg), 1);
    free(text);
    ingest_doc_free(doc);
    sitecfg_free(cfg);
}

static void
test_without_table(void **state)
{
    warnings w = {0};
    ingest_doc *doc = ingest_ok(NULL, CONTENT, "en/docs/setup/index.md", &w);
    char *text = all_text(doc);

    (void)state;
    /* Built-in table only: no includes, no parameters, tab labels kept;
     * unknown shortcodes lose their delimiters and keep their content. */
    assert_null(strstr(text, "lighthouse keeper"));
    assert_contains(text, "Lighthouse  needs lens kit .");
    assert_contains(text, "Invisible to readers.");
    assert_string_equal(doc->sections[0].labels, "Stone tower\nIron tower");
    assert_null(strstr(text, "{{"));
    free(text);
    ingest_doc_free(doc);
}

static void
test_bulletin(void **state)
{
    sitecfg *cfg = fixture_cfg(0);
    warnings w = {0};
    ingest_doc *doc = ingest_ok(cfg, CONTENT, "en/news/bulletin/index.md", &w);

    (void)state;
    assert_string_equal(doc->sections[0].text,
                        "CVE: CVE-2026-70007\n\nCVSS Score: 8.1\n\n"
                        "Affected Releases: 2.0 to 2.0.4\n\n"
                        "A foghorn overflow.");
    ingest_doc_free(doc);
    sitecfg_free(cfg);
}

static void
test_boilerplate_not_a_page(void **state)
{
    ingest_doc *doc = NULL;
    char *msg = NULL;

    (void)state;
    assert_int_equal(ingest_file_cfg(NULL, CONTENT, "en/boilerplates/prereq.md",
                                     "en", NULL, NULL, &doc, &msg),
                     RECAP_ESKIPPED);
    assert_contains(msg, "headless bundle");
    free(msg);
}

static void
test_table_errors(void **state)
{
    sitecfg *cfg = NULL;
    char *msg = NULL;

    (void)state;
    assert_int_equal(sitecfg_new(FIX "/bad-table.yaml", NULL, 0, &cfg, &msg),
                     RECAP_EPARSE);
    assert_null(cfg);
    assert_contains(msg, "warning");
    assert_contains(msg, "'shout'");
    free(msg);
    msg = NULL;
    assert_int_equal(sitecfg_new(NULL, FIX "/missing.yaml", 0, &cfg, &msg),
                     RECAP_EIO);
    assert_contains(msg, "missing.yaml");
    free(msg);
    /* The shipped Istio files load. */
    assert_int_equal(sitecfg_new(RECAP_SOURCE_DIR
                                 "/corpus/istio-shortcodes.yaml",
                                 RECAP_SOURCE_DIR "/corpus/istio-params.yaml",
                                 0, &cfg, NULL),
                     RECAP_OK);
    assert_non_null(sitecfg_rule(cfg, "boilerplate", 11));
    assert_int_equal(sitecfg_rule(cfg, "tab", 3)->behaviour, SC_CONTAINER);
    assert_string_equal(sitecfg_param(cfg, "full_version", 12), "1.26.1");
    sitecfg_free(cfg);
}

/* ---- publishing, languages, odd files ----------------------------------- */

static void
test_include_flags(void **state)
{
    static const struct {
        const char *path;
        unsigned flag;
        const char *reason;
    } cases[] = {
        {"en/misc/draft.md", INGEST_INCLUDE_DRAFTS, "draft: true"},
        {"en/misc/future.md", INGEST_INCLUDE_FUTURE,
         "publish date in the future"},
        {"en/misc/expired.md", INGEST_INCLUDE_EXPIRED,
         "expiry date in the past"},
    };
    ingest_doc *doc;
    char *msg;
    size_t i;
    sitecfg *cfg;

    (void)state;
    for (i = 0; i < UTIL_ARRAY_LEN(cases); i++) {
        doc = NULL;
        msg = NULL;
        assert_int_equal(ingest_file_cfg(NULL, CONTENT, cases[i].path, "en",
                                         NULL, NULL, &doc, &msg),
                         RECAP_ESKIPPED);
        assert_string_equal(msg, cases[i].reason);
        free(msg);
        cfg = fixture_cfg(cases[i].flag);
        doc = ingest_ok(cfg, CONTENT, cases[i].path, NULL);
        ingest_doc_free(doc);
        sitecfg_free(cfg);
    }
}

static void
test_empty_and_crlf(void **state)
{
    warnings w = {0};
    ingest_doc *doc;

    (void)state;
    doc = ingest_ok(NULL, CONTENT, "en/misc/empty-page.md", &w);
    assert_string_equal(ingest_doc_get(doc, "title"), "empty page");
    assert_int_equal(doc->n_sections, 0);
    ingest_doc_free(doc);
    doc = ingest_ok(NULL, CONTENT, "en/misc/crlf.md", &w);
    assert_string_equal(ingest_doc_get(doc, "title"), "Windows page");
    assert_string_equal(doc->sections[0].text, "Line one line two.");
    ingest_doc_free(doc);
    assert_int_equal(w.n, 0);
}

static void
test_lang_suffix(void **state)
{
    ingest_doc *doc;

    (void)state;
    doc = ingest_ok(NULL, FIX "/suffix", "docs/guide.de.md", NULL);
    assert_string_equal(doc->lang, "de");
    assert_string_equal(doc->url, "/de/docs/guide/");
    assert_string_equal(doc->section, "docs");
    ingest_doc_free(doc);
    doc = ingest_ok(NULL, FIX "/suffix", "docs/guide.md", NULL);
    assert_string_equal(doc->lang, "en");
    assert_string_equal(doc->url, "/docs/guide/");
    ingest_doc_free(doc);
}

/* Writes `len` bytes of `s` to dir/name. */
static void
write_file(const char *dir, const char *name, const char *s, size_t len)
{
    char *path = util_asprintf("%s/%s", dir, name);
    FILE *f = fopen(path, "wb");

    assert_non_null(f);
    assert_int_equal(fwrite(s, 1, len, f), len);
    fclose(f);
    free(path);
}

typedef struct problems {
    unsigned n;
    char last[512];
} problems;

static void
on_problem(void *ctx, const char *path, const char *reason)
{
    problems *p = ctx;

    p->n++;
    snprintf(p->last, sizeof(p->last), "%s: %s", path, reason);
}

static void
test_bad_input(void **state)
{
    char tmpl[] = "/tmp/recap-fidelity-XXXXXX", *dir = mkdtemp(tmpl);
    char *sub, *big, *msg = NULL, **paths, *root;
    size_t n, n_problems;
    ingest_doc *doc = NULL;
    problems p = {0};
    warnings w = {0};
    FILE *f;

    (void)state;
    assert_non_null(dir);
    /* NUL bytes: replaced and reported, the text around them kept. */
    write_file(dir, "nul.md", "---\ntitle: Nul\n---\nbefore\0after\n", 31);
    doc = ingest_ok(NULL, dir, "nul.md", &w);
    assert_int_equal(w.n, 1);
    assert_contains(w.msgs[0], "nul.md:4: NUL bytes");
    assert_string_equal(doc->sections[0].text, "before\xEF\xBF\xBD"
                                               "after");
    ingest_doc_free(doc);
    /* Over the size limit: refused with the reason, nothing read. */
    big = util_asprintf("%s/big.md", dir);
    f = fopen(big, "wb");
    assert_non_null(f);
    assert_int_equal(fseek(f, INGEST_MAX_FILE_SIZE, SEEK_SET), 0);
    fputc('x', f);
    fclose(f);
    doc = NULL;
    assert_int_equal(
        ingest_file_cfg(NULL, dir, "big.md", "en", NULL, NULL, &doc, &msg),
        RECAP_EIO);
    assert_null(doc);
    assert_contains(msg, "over the 20 MB limit");
    free(msg);
    /* A folder linking to its parent, and a link to itself: each reported
     * once, and the walk goes on. */
    sub = util_asprintf("%s/docs", dir);
    assert_int_equal(mkdir(sub, 0755), 0);
    write_file(sub, "page.md", "Text.\n", 6);
    assert_int_equal(chdir(sub), 0);
    assert_int_equal(symlink("..", "up"), 0);
    assert_int_equal(symlink("self", "self"), 0);
    assert_int_equal(ingest_walk_report(dir, &paths, &n, &root, on_problem, &p,
                                        &n_problems, NULL),
                     RECAP_OK);
    assert_int_equal(n_problems, 2);
    assert_int_equal(p.n, 2);
    assert_int_equal(n, 3); /* big.md, docs/page.md, nul.md */
    assert_string_equal(paths[1], "docs/page.md");
    /* Without a listener the first problem still stops the walk. */
    ingest_paths_free(paths, n);
    free(root);
    assert_int_equal(ingest_walk(dir, &paths, &n, NULL, &msg), RECAP_EIO);
    free(msg);
    assert_int_equal(chdir("/"), 0);
    unlink(big);
    free(big);
    big = util_asprintf("rm -rf '%s'", dir);
    assert_int_equal(system(big), 0);
    free(big);
    free(sub);
}

/* ---- --dump ------------------------------------------------------------- */

static void
test_dump(void **state)
{
    recap_ingest_options opts = RECAP_INGEST_OPTIONS_INIT;
    char *json = NULL, *msg = NULL;

    (void)state;
    opts.shortcodes_file = FIX "/shortcodes.yaml";
    opts.params_file = FIX "/params.toml";
    /* No root: the folder named "content" above the file. */
    assert_int_equal(recap_dump_file(&opts, NULL,
                                     CONTENT "/en/news/bulletin/index.md",
                                     &json, &msg),
                     RECAP_OK);
    assert_contains(json, "\"path\": \"en/news/bulletin/index.md\"");
    assert_contains(json, "\"cvss\": \"8.1\"");
    assert_contains(json, "CVE: CVE-2026-70007");
    assert_contains(json, "\"skipped\": null");
    free(json);
    /* A root (a site with content/) and a relative path; a draft. */
    assert_int_equal(
        recap_dump_file(&opts, FIX, "en/misc/draft.md", &json, &msg), RECAP_OK);
    assert_contains(json, "\"skipped\": \"draft: true\"");
    free(json);
    assert_int_equal(recap_dump_file(&opts, FIX, "en/nope.md", &json, &msg),
                     RECAP_ENOTFOUND);
    assert_contains(msg, "en/nope.md");
    free(msg);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_page),
        cmocka_unit_test(test_without_table),
        cmocka_unit_test(test_bulletin),
        cmocka_unit_test(test_boilerplate_not_a_page),
        cmocka_unit_test(test_table_errors),
        cmocka_unit_test(test_include_flags),
        cmocka_unit_test(test_empty_and_crlf),
        cmocka_unit_test(test_lang_suffix),
        cmocka_unit_test(test_bad_input),
        cmocka_unit_test(test_dump),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
