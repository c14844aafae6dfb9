/*
 * test_markdown.c: body extraction (markdown.c, shortcode.c).
 *
 * Golden files: every tests/data/extract/NAME.md is a page body (no front
 * matter); NAME.expected is the dump of the sections md_extract makes of
 * it (see dump_doc below for the format).  To regenerate the expected files
 * after an intended change, run
 *
 *     RECAP_UPDATE_GOLDEN=1 build/tests/test_markdown
 *
 * and review the diff with git before committing it.
 *
 * The corpus test runs md_extract on every markdown file of the Istio site
 * (RECAP_SHARED_CORPUS, or ../shared/corpus/istio.io/content next to the
 * source tree; skipped when absent) and checks that no markup is left.
 */
#define _XOPEN_SOURCE 700
#include <dirent.h>
#include <ftw.h>
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
#include "shortcode.h"
#include "util.h"

#define EXTRACT_DIR RECAP_TEST_DATA "/extract"

/* ---- helpers ------------------------------------------------------------ */

/* The shortcode table shipped for the Istio site, which the golden files
 * are written against (their shortcodes are Istio's). */
#define ISTIO_TABLE RECAP_SOURCE_DIR "/corpus/istio-shortcodes.yaml"
#define ISTIO_PARAMS RECAP_SOURCE_DIR "/corpus/istio-params.yaml"
static sitecfg *istio_cfg;

static sitecfg *
istio_table(void)
{
    char *msg = NULL;

    if (!istio_cfg &&
        sitecfg_new(ISTIO_TABLE, ISTIO_PARAMS, 0, &istio_cfg, &msg) != RECAP_OK)
        fail_msg("%s", msg ? msg : "cannot load the Istio table");
    return istio_cfg;
}

static ingest_doc *
extract(const char *body, size_t len)
{
    ingest_doc *doc = calloc(1, sizeof(*doc));
    md_env env = {istio_table(), NULL, "en", NULL, NULL};
    char *err = NULL;

    assert_non_null(doc);
    assert_int_equal(md_extract_env(body, len, 1, doc, &env, &err), RECAP_OK);
    assert_null(err);
    return doc;
}

static ingest_doc *
extract_str(const char *body)
{
    return extract(body, strlen(body));
}

/*
 * The golden dump: per section
 *
 *     ## section N
 *     heading: TEXT | (none)
 *     anchor: ID | (none)
 *     level: L
 *     -- text
 *     TEXT...
 *     -- code
 *     CODE...
 *
 * with the text and code parts left out when empty.
 */
static void
dump_doc(const ingest_doc *doc, strbuf *out)
{
    const ingest_section *s;
    size_t i;

    for (i = 0; i < doc->n_sections; i++) {
        s = &doc->sections[i];
        strbuf_printf(out, "## section %zu\n", i);
        strbuf_printf(out, "heading: %s\n", s->heading ? s->heading : "(none)");
        strbuf_printf(out, "anchor: %s\n", s->anchor ? s->anchor : "(none)");
        strbuf_printf(out, "level: %d\n", s->level);
        if (s->text_len)
            strbuf_printf(out, "-- text\n%s\n", s->text);
        if (s->code_len)
            strbuf_printf(out, "-- code\n%s\n", s->code);
        if (s->labels_len)
            strbuf_printf(out, "-- labels\n%s\n", s->labels);
        strbuf_putc(out, '\n');
    }
    for (i = 0; i < doc->n_links; i++)
        strbuf_printf(out, "link: %s\n", doc->links[i]);
    for (i = 0; i < doc->n_unknown; i++)
        strbuf_printf(out, "unknown shortcode: %s (%zu)\n", doc->unknown[i],
                      doc->unknown_count[i]);
    if (0) {
    }
}

/* The markup that must never survive in prose or headings.  Returns the
 * first one found in s, or NULL. */
static const char *
leftover_markup(const char *s)
{
    static const char *const bad[] = {"{{<", "{{%",  ">}}",  "%}}",
                                      "](",  "<!--", "<div", "</"};
    size_t i;

    for (i = 0; i < UTIL_ARRAY_LEN(bad); i++)
        if (strstr(s, bad[i]))
            return bad[i];
    return NULL;
}

/* Checks the invariants every extracted document keeps. */
static void
check_doc(const ingest_doc *doc, const char *name)
{
    const ingest_section *s;
    const char *bad;
    size_t i;

    for (i = 0; i < doc->n_sections; i++) {
        s = &doc->sections[i];
        assert_non_null(s->text);
        assert_non_null(s->code);
        assert_int_equal(strlen(s->text), s->text_len);
        assert_int_equal(strlen(s->code), s->code_len);
        assert_true((s->heading == NULL) == (s->anchor == NULL));
        assert_true(s->heading ? s->level >= 1 && s->level <= 6
                               : s->level == 0);
        bad = leftover_markup(s->text);
        if (!bad && s->heading)
            bad = leftover_markup(s->heading);
        if (bad)
            fail_msg("%s section %zu (%s): '%s' left in the text:\n%s", name, i,
                     s->heading ? s->heading : "lead", bad, s->text);
        if (memchr(s->code, SC_MARK_START, s->code_len) ||
            memchr(s->text, SC_MARK_START, s->text_len))
            fail_msg("%s section %zu: code marker left", name, i);
    }
}

static int
ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);

    return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* ---- golden files ------------------------------------------------------- */

static int
cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void
test_golden(void **state)
{
    const char *update = getenv("RECAP_UPDATE_GOLDEN");
    DIR *dir = opendir(EXTRACT_DIR);
    struct dirent *de;
    char *names[256];
    size_t n = 0, i;

    (void)state;
    assert_non_null(dir);
    while ((de = readdir(dir)) != NULL && n < UTIL_ARRAY_LEN(names))
        if (ends_with(de->d_name, ".md"))
            names[n++] = util_strdup(de->d_name);
    closedir(dir);
    assert_true(n >= 10);
    qsort(names, n, sizeof(names[0]), cmp_names);
    for (i = 0; i < n; i++) {
        char *path = util_asprintf("%s/%s", EXTRACT_DIR, names[i]);
        char *exp_path =
            util_asprintf("%.*s.expected", (int)(strlen(path) - 3), path);
        char *src = NULL, *expected = NULL;
        size_t len, exp_len;
        strbuf got = STRBUF_INIT;
        ingest_doc *doc;

        assert_int_equal(util_read_file(path, &src, &len), 0);
        doc = extract(src, len);
        check_doc(doc, names[i]);
        dump_doc(doc, &got);
        strbuf_cstr(&got);
        if (update && *update == '1') {
            FILE *f = fopen(exp_path, "wb");
            assert_non_null(f);
            fwrite(got.data, 1, got.len, f);
            fclose(f);
        } else {
            if (util_read_file(exp_path, &expected, &exp_len) != 0)
                fail_msg("%s missing: run with RECAP_UPDATE_GOLDEN=1",
                         exp_path);
            if (strcmp(got.data, expected) != 0) {
                print_error("%s: got\n%s\n", names[i], got.data);
                fail_msg("%s differs from %s", names[i], exp_path);
            }
        }
        free(expected);
        strbuf_free(&got);
        ingest_doc_free(doc);
        free(src);
        free(path);
        free(exp_path);
        free(names[i]);
    }
}

/* ---- anchors ------------------------------------------------------------ */

static void
test_anchorize(void **state)
{
    static const char *const cases[][2] = {
        {"Configure `cluster1` as a primary",
         "configure-cluster1-as-a-primary"},
        {"What's new?", "whats-new"},
        {"Before you begin", "before-you-begin"},
        {"Istio 1.22.0 Change Notes", "istio-1220-change-notes"},
        {"snake_case and-dashes", "snake_case-and-dashes"},
        {"A  B", "a--b"},
        {"Step 1: Deploy (optional)", "step-1-deploy-optional"},
        {"部署 Bookinfo 应用", "部署-bookinfo-应用"},
        {"Налаштування кластера", "налаштування-кластера"},
        {"Ünïcödé Straße", "ünïcödé-straße"},
        {"C++ & Go/Rust", "c--gorust"},
        {"", ""},
    };
    size_t i;
    char *a;

    (void)state;
    for (i = 0; i < UTIL_ARRAY_LEN(cases); i++) {
        a = md_anchorize(cases[i][0], strlen(cases[i][0]));
        assert_non_null(a);
        assert_string_equal(a, cases[i][1]);
        free(a);
    }
    /* Invalid UTF-8 is dropped, not copied. */
    a = md_anchorize("ab\xff\xfe"
                     "cd",
                     6);
    assert_string_equal(a, "abcd");
    free(a);
}

static void
test_duplicate_anchors(void **state)
{
    ingest_doc *doc =
        extract_str("# Intro\n\n## Setup\n\n## Setup\n\n## Setup-1\n\n"
                    "## Setup\n\n## Custom {#setup}\n\n## Empty {#}\n\n"
                    "## ???\n\n## ???\n");

    (void)state;
    assert_int_equal(doc->n_sections, 9);
    assert_string_equal(doc->sections[0].anchor, "intro");
    assert_string_equal(doc->sections[1].anchor, "setup");
    assert_string_equal(doc->sections[2].anchor, "setup-1");
    /* "setup-1" is taken, so Hugo's generator moves on. */
    assert_string_equal(doc->sections[3].anchor, "setup-1-1");
    assert_string_equal(doc->sections[4].anchor, "setup-2");
    assert_string_equal(doc->sections[5].anchor, "setup-3");
    assert_string_equal(doc->sections[5].heading, "Custom");
    assert_string_equal(doc->sections[7].anchor, "heading");
    assert_string_equal(doc->sections[8].anchor, "heading-1");
    ingest_doc_free(doc);
}

/* ---- shortcodes and markup, small cases --------------------------------- */

static void
test_text_in_list_item(void **state)
{
    ingest_doc *doc = extract_str("1.  Deploy it:\n\n"
                                  "    {{< text bash >}}\n"
                                  "    $ kubectl apply -f x.yaml\n"
                                  "    {{< /text >}}\n\n"
                                  "1.  Then check:\n\n"
                                  "    {{< text yaml >}}\n"
                                  "    spec:\n"
                                  "      hosts:\n"
                                  "    ```\n"
                                  "    {{< /text >}}\n"
                                  "    Done.\n");

    (void)state;
    assert_int_equal(doc->n_sections, 1);
    assert_string_equal(doc->sections[0].text,
                        "Deploy it:\n\nThen check:\n\nDone.");
    assert_string_equal(doc->sections[0].code, "$ kubectl apply -f x.yaml\n\n"
                                               "spec:\n  hosts:\n```");
    ingest_doc_free(doc);
}

static unsigned warn_lines[8];
static size_t n_warns;

static void
record_warning(void *ctx, const char *path, unsigned line, const char *msg)
{
    (void)ctx;
    (void)path;
    assert_non_null(msg);
    if (n_warns < UTIL_ARRAY_LEN(warn_lines))
        warn_lines[n_warns] = line;
    n_warns++;
}

static void
test_warning_lines(void **state)
{
    ingest_doc *doc = calloc(1, sizeof(*doc));
    char *err = NULL;
    const char *body = "line\n\n{{< text bash >}}\n$ ls\n\nand {{< tip\n";

    (void)state;
    n_warns = 0;
    assert_int_equal(
        md_extract(body, strlen(body), 5, doc, record_warning, NULL, &err),
        RECAP_OK);
    assert_int_equal(n_warns, 2);
    assert_int_equal(warn_lines[0], 7);
    assert_int_equal(warn_lines[1], 10);
    check_doc(doc, "warnings");
    assert_string_equal(doc->sections[0].text, "line\n\n$ ls\n\nand  tip");
    ingest_doc_free(doc);
}

static void
test_empty_body(void **state)
{
    ingest_doc *doc = extract("", 0);

    (void)state;
    assert_int_equal(doc->n_sections, 0);
    ingest_doc_free(doc);
    doc = extract_str("{{< boilerplate foo >}}\n\n<!-- nothing -->\n");
    assert_int_equal(doc->n_sections, 0);
    ingest_doc_free(doc);
}

/* ---- pathological inputs ------------------------------------------------ */

static void
time_one(const char *what, const char *body, size_t len)
{
    double t0 = util_cpu_now(), dt;
    ingest_doc *doc = extract(body, len);

    dt = util_cpu_now() - t0;
    check_doc(doc, what);
    ingest_doc_free(doc);
    if (dt > 1.0)
        fail_msg("%s: %.2f s for %zu bytes", what, dt, len);
}

static void
repeat(strbuf *b, const char *s, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++)
        strbuf_puts(b, s);
}

static void
test_pathological(void **state)
{
    static const char *const units[] = {
        "{{<",
        "{{< ",
        "{{< tip >}}",
        "{{< /tip >}}",
        "{{< text >}}",
        "{{< gloss x >}}",
        "{{< a \"",
        "{{</* ",
        ">}}",
        "<a ",
        "<!--",
        "&#",
        "[a](",
        "*a ",
        "`",
        "<a href=\"",
        "{{< image caption=\"x >}}",
        "{{% ",
        "[",
        "![",
        "<div>",
        "&amp;",
        "## {#",
        "{{< gloss \"t\" >}}x{{< /gloss >}}",
        "{{< gloss \"t\" >}}",
        "{{< text >}}{{< /text >}}",
        "{{< text >}}",
        "@",
        "| a ",
        "- ",
        "> ",
        "a@b.c ",
        "a@b.",
    };
    strbuf b = STRBUF_INIT;
    size_t i;

    (void)state;
    for (i = 0; i < UTIL_ARRAY_LEN(units); i++) {
        strbuf_reset(&b);
        repeat(&b, units[i], 200000 / strlen(units[i]) + 1);
        time_one(units[i], b.data, b.len);
    }
    /* A 2 MB line, and 20,000 nested containers. */
    strbuf_reset(&b);
    repeat(&b, "word `code` {{< k >}} ", 100000);
    time_one("long line", b.data, b.len);
    strbuf_reset(&b);
    repeat(&b, "{{< tab name=\"x\" >}}\n", 20000);
    repeat(&b, "{{< /tab >}}\n", 20000);
    time_one("nested", b.data, b.len);
    strbuf_reset(&b);
    repeat(&b, "| a ", 5000);
    strbuf_puts(&b, "|\n");
    repeat(&b, "|---", 5000);
    strbuf_puts(&b, "|\n");
    repeat(&b, "| x |\n", 20000);
    time_one("wide table", b.data, b.len);
    strbuf_reset(&b);
    repeat(&b, "|a", 250);
    strbuf_puts(&b, "\n");
    repeat(&b, "|-", 250);
    strbuf_puts(&b, "\n");
    repeat(&b, "|x\n", 100000);
    time_one("long table", b.data, b.len);
    strbuf_reset(&b);
    repeat(&b, "|a", 32);
    strbuf_puts(&b, "\n");
    repeat(&b, "|-", 32);
    strbuf_puts(&b, "\n");
    repeat(&b, "|x\n", 100000);
    time_one("32-column table", b.data, b.len);
    strbuf_reset(&b);
    for (i = 0; i < 2000; i++) {
        repeat(&b, "  ", i);
        strbuf_puts(&b, "- item\n");
    }
    time_one("deep list", b.data, b.len);
    strbuf_reset(&b);
    repeat(&b, "> ", 10000);
    strbuf_puts(&b, "{{< text >}}\nx\n{{< /text >}}\n");
    time_one("deep quote", b.data, b.len);
    strbuf_free(&b);
}

/* ---- the Istio corpus --------------------------------------------------- */

static struct {
    size_t n_files, n_bytes, n_sections, n_code_shortcode;
    double seconds;
} corpus;

/* Skips a leading "---" or "+++" front matter block, crudely. */
static size_t
body_offset(const char *s, size_t len)
{
    const char *delim, *p;

    if (len >= 4 && (memcmp(s, "---\n", 4) == 0 || memcmp(s, "+++\n", 4) == 0))
        delim = s[0] == '-' ? "\n---" : "\n+++";
    else
        return 0;
    p = strstr(s + 3, delim);
    if (!p)
        return 0;
    p += 4;
    while (*p && *p != '\n')
        p++;
    return *p ? (size_t)(p - s) + 1 : len;
}

static int
corpus_file(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    char *src = NULL;
    size_t len, off, i;
    ingest_doc *doc;
    double t0;

    (void)st;
    (void)ftw;
    if (flag != FTW_F || !ends_with(path, ".md"))
        return 0;
    assert_int_equal(util_read_file(path, &src, &len), 0);
    off = body_offset(src, len);
    t0 = util_now();
    doc = extract(src + off, len - off);
    corpus.seconds += util_now() - t0;
    check_doc(doc, path);
    for (i = 0; i < doc->n_sections; i++)
        if (strstr(doc->sections[i].code, "{{<"))
            corpus.n_code_shortcode++;
    corpus.n_files++;
    corpus.n_bytes += len - off;
    corpus.n_sections += doc->n_sections;
    ingest_doc_free(doc);
    free(src);
    return 0;
}

static void
test_corpus(void **state)
{
    const char *env = getenv("RECAP_SHARED_CORPUS");
    const char *candidates[] = {
        env, RECAP_SOURCE_DIR "/../shared/corpus/istio.io/content",
        RECAP_SOURCE_DIR "/../../shared/corpus/istio.io/content"};
    struct stat st;
    size_t i;

    (void)state;
    for (i = 0; i < UTIL_ARRAY_LEN(candidates); i++)
        if (candidates[i] && stat(candidates[i], &st) == 0 &&
            S_ISDIR(st.st_mode))
            break;
    if (i == UTIL_ARRAY_LEN(candidates))
        skip();
    memset(&corpus, 0, sizeof(corpus));
    assert_int_equal(nftw(candidates[i], corpus_file, 16, FTW_PHYS), 0);
    assert_true(corpus.n_files > 1000);
    print_message("corpus: %zu files, %zu bytes of body, %zu sections, "
                  "%zu sections with a shown shortcode in code, %.3f s\n",
                  corpus.n_files, corpus.n_bytes, corpus.n_sections,
                  corpus.n_code_shortcode, corpus.seconds);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_anchorize),
        cmocka_unit_test(test_duplicate_anchors),
        cmocka_unit_test(test_golden),
        cmocka_unit_test(test_text_in_list_item),
        cmocka_unit_test(test_warning_lines),
        cmocka_unit_test(test_empty_body),
        cmocka_unit_test(test_pathological),
        cmocka_unit_test(test_corpus),
    };

    int rc = cmocka_run_group_tests(tests, NULL, NULL);

    sitecfg_free(istio_cfg);
    return rc;
}
