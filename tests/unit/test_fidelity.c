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
#include <strings.h>
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
test_include_budget(void **state)
{
    sitecfg *cfg = fixture_cfg(0);
    warnings w = {0};
    double t0 = util_cpu_now();
    ingest_doc *doc = ingest_ok(cfg, CONTENT, "en/misc/fan.md", &w);

    (void)state;
    /* Eight levels of files that each include the next ten times would be
     * 10^8 includes: the per-page budget stops it, with a warning. */
    assert_true(util_cpu_now() - t0 < 5.0);
    /* Each problem once: too deep (fan-9), then over the budget. */
    assert_int_equal(w.n, 2);
    assert_contains(w.msgs[0], "fan-9: includes nested deeper than 8");
    assert_contains(w.msgs[1], "the page's included files pass 8 MB");
    assert_contains(doc->sections[0].text, "Fan level 8 has");
    ingest_doc_free(doc);
    sitecfg_free(cfg);
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

/* ---- the whole Istio site ----------------------------------------------- */

static const char *
istio_root(void)
{
    static char buf[1024];
    static const char *const rel[] = {"/../shared", "/../../shared"};
    const char *env = getenv("RECAP_SHARED_CORPUS");
    struct stat st;
    size_t i;

    if (env && stat(env, &st) == 0 && S_ISDIR(st.st_mode))
        return env;
    for (i = 0; i < UTIL_ARRAY_LEN(rel); i++) {
        snprintf(buf, sizeof(buf), "%s%s/corpus/istio.io/content",
                 RECAP_SOURCE_DIR, rel[i]);
        if (stat(buf, &st) == 0 && S_ISDIR(st.st_mode))
            return buf;
    }
    return NULL;
}

static int
is_tag_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           (c >= '0' && c <= '9');
}

/* An HTML tag of an element a page could hold, or a comment, at s[0]: a
 * closing tag, a tag with attributes, a void element, or a comment.  A
 * bare "<sub>" alone is left alone: code spans show such text
 * ("`<iss>/<sub>`"), and a real element would leave its closing tag. */
static int
html_tag_at(const char *s)
{
    static const char *const voids[] = {"br", "img", "input", "hr"};
    int closing = s[0] == '<' && s[1] == '/';
    static const char *const names[] = {
        "a",          "abbr",    "b",     "br",     "button", "code",
        "dd",         "details", "div",   "dl",     "dt",     "em",
        "figcaption", "figure",  "h1",    "h2",     "h3",     "h4",
        "h5",         "h6",      "i",     "iframe", "img",    "input",
        "kbd",        "li",      "nav",   "ol",     "p",      "pre",
        "script",     "section", "small", "span",   "strong", "style",
        "sub",        "summary", "sup",   "table",  "td",     "th",
        "tr",         "u",       "ul",    "video",  "svg",    "path",
        "center",     "font",    "tbody", "thead"};
    size_t i, n;

    if (s[0] != '<')
        return 0;
    if (strncmp(s, "<!--", 4) == 0)
        return 1;
    s += 1 + (s[1] == '/');
    for (n = 0; is_tag_char(s[n]); n++)
        ;
    if (n == 0 || (s[n] != '>' && s[n] != ' ' && s[n] != '/'))
        return 0;
    for (i = 0; i < UTIL_ARRAY_LEN(voids); i++)
        if (strlen(voids[i]) == n && strncasecmp(s, voids[i], n) == 0)
            return 1;
    if (!closing && s[n] == '>')
        return 0;
    for (i = 0; i < UTIL_ARRAY_LEN(names); i++)
        if (strlen(names[i]) == n && strncasecmp(s, names[i], n) == 0)
            return 1;
    return 0;
}

/* A markdown table delimiter row: "|---|:---:|", "--- | ---". */
static int
delimiter_row(const char *s, size_t len)
{
    size_t i, dashes = 0, pipes = 0;

    for (i = 0; i < len; i++) {
        if (s[i] == '-')
            dashes++;
        else if (s[i] == '|')
            pipes++;
        else if (s[i] != ':' && s[i] != ' ' && s[i] != '\t')
            return 0;
    }
    return dashes >= 3 && pipes >= 1;
}

/* A line of front matter: a delimiter, or "key: value" for a key the
 * Istio site's front matter uses. */
static int
front_matter_line(const char *s, size_t len)
{
    static const char *const keys[] = {
        "title:",       "description:", "publishdate:", "weight:",
        "keywords:",    "aliases:",     "owner:",       "test:",
        "attribution:", "subtitle:",    "linktitle:",   "skip_seealso:"};
    size_t i;

    if ((len == 3 && (memcmp(s, "---", 3) == 0 || memcmp(s, "+++", 3) == 0)))
        return 1;
    for (i = 0; i < UTIL_ARRAY_LEN(keys); i++)
        if (len > strlen(keys[i]) && memcmp(s, keys[i], strlen(keys[i])) == 0 &&
            s[strlen(keys[i])] == ' ')
            return 1;
    return 0;
}

/* The reason s (a stored field or section text) is not clean, or NULL. */
static const char *
markup_in(const char *s)
{
    static const char *const bad[] = {"{{<", "{{%", ">}}", "%}}", "]("};
    const char *line, *nl;
    size_t i;

    for (i = 0; i < UTIL_ARRAY_LEN(bad); i++)
        if (strstr(s, bad[i]))
            return bad[i];
    for (line = s; *line; line = nl + 1) {
        nl = strchr(line, '\n');
        if (!nl)
            nl = line + strlen(line);
        if (delimiter_row(line, (size_t)(nl - line)))
            return "a table delimiter row";
        if (front_matter_line(line, (size_t)(nl - line)))
            return "a front-matter line";
        if (!*nl)
            break;
    }
    for (; *s; s++)
        if (*s == '<' && html_tag_at(s))
            return "an HTML tag";
    return NULL;
}

static void
check_clean(const char *path, const char *what, const char *s)
{
    const char *bad = s ? markup_in(s) : NULL;

    if (bad)
        fail_msg("%s, %s: %s left in:\n%.600s", path, what, bad, s);
}

/* Every stored field and every section of doc is free of markup. */
static void
check_doc_clean(const ingest_doc *doc)
{
    static const char *const fields[] = {
        "title",       "subtitle", "linktitle", "description",
        "summary",     "keywords", "tags",      "categories",
        "attribution", "author",   "authors",   "cves"};
    const ingest_field *f;
    size_t i, j;

    for (i = 0; i < UTIL_ARRAY_LEN(fields); i++) {
        f = ingest_doc_field(doc, fields[i]);
        for (j = 0; f && j < f->n_values; j++)
            check_clean(doc->path, fields[i], f->values[j]);
    }
    for (i = 0; i < doc->n_sections; i++) {
        check_clean(doc->path, "heading", doc->sections[i].heading);
        check_clean(doc->path, "labels", doc->sections[i].labels);
        check_clean(doc->path, "text", doc->sections[i].text);
    }
}

/* Pages checked by hand for a sentence of a boilerplate they include. */
static const char *const included[][2] = {
    {"en/news/security/istio-security-2019-003/index.md",
     "remind our community to follow the vulnerability reporting process"},
    {"en/docs/tasks/observability/distributed-tracing/jaeger/index.md",
     "you need to send at least 100 requests before the first trace is "
     "visible"},
    /* gateway-api-support includes gateway-api-choose inside a tip. */
    {"zh/docs/ops/configuration/traffic-management/network-topologies/"
     "index.md",
     "Gateway API"},
};

static void
check_included(const char *path, const ingest_doc *doc)
{
    char *text;
    size_t i;

    for (i = 0; i < UTIL_ARRAY_LEN(included); i++) {
        if (strcmp(path, included[i][0]) != 0)
            continue;
        text = all_text(doc);
        assert_contains(text, included[i][1]);
        free(text);
    }
}

static void
test_istio(void **state)
{
    const char *root = istio_root();
    sitecfg *cfg = NULL;
    char **paths, *content, *msg, *text;
    size_t n, i, n_ok = 0, n_bytes = 0, n_tr = 0, n_labels = 0, n_inc = 0;
    double t0, seconds = 0;
    warnings w = {0};
    ingest_doc *doc;
    recap_status rc;

    (void)state;
    if (!root) {
        print_message("Istio site not found; skipped\n");
        skip();
    }
    assert_int_equal(sitecfg_new(RECAP_SOURCE_DIR
                                 "/corpus/istio-shortcodes.yaml",
                                 RECAP_SOURCE_DIR "/corpus/istio-params.yaml",
                                 0, &cfg, NULL),
                     RECAP_OK);
    assert_int_equal(ingest_walk(root, &paths, &n, &content, NULL), RECAP_OK);
    for (i = 0; i < n; i++) {
        struct stat st;
        doc = NULL;
        msg = NULL;
        t0 = util_cpu_now();
        rc = ingest_file_cfg(cfg, content, paths[i], "en", on_warn, &w, &doc,
                             &msg);
        seconds += util_cpu_now() - t0;
        if (rc == RECAP_OK) {
            char *full = util_asprintf("%s/%s", content, paths[i]);
            if (stat(full, &st) == 0)
                n_bytes += (size_t)st.st_size;
            free(full);
            n_ok++;
            n_tr += doc->n_translations > 0;
            n_labels += doc->n_sections && doc->sections[0].labels_len;
            check_doc_clean(doc);
            check_included(paths[i], doc);
            text = all_text(doc);
            /* Boilerplates: their text is in the page, never a page. */
            assert_null(strstr(paths[i], "/boilerplates/"));
            n_inc += strstr(text, "vulnerability reporting process") != NULL;
            free(text);
        } else if (rc != RECAP_ESKIPPED) {
            fail_msg("%s: status %d: %s", paths[i], rc, msg ? msg : "");
        }
        free(msg);
        ingest_doc_free(doc);
    }
    print_message("istio: %zu files, %zu indexed, %zu with translations, "
                  "%zu pages with the vulnerability boilerplate, %u "
                  "warnings; %.3f s, %.0f us per file, %.1f MB/s\n",
                  n, n_ok, n_tr, n_inc, w.n, seconds, seconds / n * 1e6,
                  n_bytes / 1e6 / seconds);
    if (w.n)
        print_message("first warning: %s\n", w.msgs[0]);
    /* Every shortcode the site uses is in the shipped table. */
    if (sitecfg_unknown_count(cfg))
        fail_msg("unknown shortcode: %s", sitecfg_unknown(cfg, 0, NULL));
    assert_int_equal(w.n, 0);
    assert_true(n_tr > 1000);
    assert_true(n_inc >= 20);
    ingest_paths_free(paths, n);
    free(content);
    sitecfg_free(cfg);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_page),
        cmocka_unit_test(test_without_table),
        cmocka_unit_test(test_bulletin),
        cmocka_unit_test(test_boilerplate_not_a_page),
        cmocka_unit_test(test_include_budget),
        cmocka_unit_test(test_table_errors),
        cmocka_unit_test(test_include_flags),
        cmocka_unit_test(test_empty_and_crlf),
        cmocka_unit_test(test_lang_suffix),
        cmocka_unit_test(test_bad_input),
        cmocka_unit_test(test_dump),
        cmocka_unit_test(test_istio),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
