/*
 * test_frontmatter.c: fm_split, fm_parse (YAML, JSON, TOML) and
 * fm_parse_date.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ingest.h"
#include "util.h"

/* Splits and parses `src` into a fresh doc; the status goes to *rc_out and
 * the message (if any) to *msg_out. */
static ingest_doc *
parse(const char *src, recap_status *rc_out, char **msg_out)
{
    size_t fm_off, fm_len, body_off, i;
    unsigned body_line, first_line = 1;
    ingest_doc *doc = calloc(1, sizeof(*doc));
    fm_kind kind;
    char *msg = NULL;
    recap_status rc;

    assert_non_null(doc);
    kind = fm_split(src, strlen(src), &fm_off, &fm_len, &body_off, &body_line);
    assert_int_not_equal(kind, FM_NONE);
    for (i = 0; i < fm_off; i++)
        first_line += src[i] == '\n';
    rc = fm_parse(kind, src + fm_off, fm_len, first_line, doc, &msg);
    if (rc_out)
        *rc_out = rc;
    else
        assert_int_equal(rc, RECAP_OK);
    if (msg_out)
        *msg_out = msg;
    else
        free(msg);
    return doc;
}

static void
assert_values(const ingest_doc *doc, const char *key, int is_list, size_t n,
              ...)
{
    const ingest_field *f = ingest_doc_field(doc, key);
    va_list ap;
    size_t i;

    if (!f)
        fail_msg("no field %s", key);
    assert_int_equal(f->is_list, is_list);
    assert_int_equal(f->n_values, n);
    va_start(ap, n);
    for (i = 0; i < n; i++)
        assert_string_equal(f->values[i], va_arg(ap, const char *));
    va_end(ap);
}

/* ---- fm_split ----------------------------------------------------------- */

static fm_kind
split(const char *src, size_t *fm_off, size_t *fm_len, size_t *body_off,
      unsigned *body_line)
{
    return fm_split(src, strlen(src), fm_off, fm_len, body_off, body_line);
}

static void
test_split_kinds(void **state)
{
    size_t off, len, body;
    unsigned line;
    const char *yaml = "---\ntitle: x\n---\nbody\n";
    const char *toml = "+++\ntitle = 'x'\n+++\n\nbody\n";
    const char *json = "{\"title\": \"}\"}\nbody\n";

    (void)state;
    assert_int_equal(split(yaml, &off, &len, &body, &line), FM_YAML);
    assert_int_equal(off, 4);
    assert_int_equal(len, 9);
    assert_string_equal(yaml + body, "body\n");
    assert_int_equal(line, 4);

    assert_int_equal(split(toml, &off, &len, &body, &line), FM_TOML);
    assert_memory_equal(toml + off, "title = 'x'\n", len);
    assert_string_equal(toml + body, "\nbody\n");
    assert_int_equal(line, 4);

    /* The brace inside the string does not close the object. */
    assert_int_equal(split(json, &off, &len, &body, &line), FM_JSON);
    assert_int_equal(off, 0);
    assert_int_equal(len, 14);
    assert_string_equal(json + body, "body\n");
    assert_int_equal(line, 2);
}

static void
test_split_none(void **state)
{
    size_t off, len, body;
    unsigned line;

    (void)state;
    assert_int_equal(split("# Title\n", &off, &len, &body, &line), FM_NONE);
    assert_int_equal(body, 0);
    assert_int_equal(line, 1);
    assert_int_equal(split("", &off, &len, &body, &line), FM_NONE);
    /* A thematic break is not a delimiter. */
    assert_int_equal(split("----\na: b\n----\n", &off, &len, &body, &line),
                     FM_NONE);
    /* Unterminated: the whole file is the body. */
    assert_int_equal(split("---\ntitle: x\nbody\n", &off, &len, &body, &line),
                     FM_NONE);
    assert_int_equal(body, 0);
    assert_int_equal(line, 1);
    assert_int_equal(split("---", &off, &len, &body, &line), FM_NONE);
    assert_int_equal(split("{\"a\": 1\n", &off, &len, &body, &line), FM_NONE);
    /* A shortcode is not a JSON object. */
    assert_int_equal(
        split("{{< note >}}\nx\n{{< /note >}}\n", &off, &len, &body, &line),
        FM_NONE);
    /* The closing delimiter must match the opening one. */
    assert_int_equal(split("+++\na = 1\n---\n", &off, &len, &body, &line),
                     FM_NONE);
}

static void
test_split_edges(void **state)
{
    size_t off, len, body;
    unsigned line;
    const char *crlf = "---\r\ntitle: x\r\n---\r\nbody\r\n";
    const char *bom = "\xEF\xBB\xBF---\ntitle: x\n---\nbody";
    const char *eof = "---\ntitle: x\n---";
    const char *empty = "---\n---\nbody";
    const char *blank = "\n\n---\ntitle: x\n--- \nbody";

    (void)state;
    assert_int_equal(split(crlf, &off, &len, &body, &line), FM_YAML);
    assert_memory_equal(crlf + off, "title: x\r\n", len);
    assert_string_equal(crlf + body, "body\r\n");
    assert_int_equal(line, 4);

    assert_int_equal(split(bom, &off, &len, &body, &line), FM_YAML);
    assert_memory_equal(bom + off, "title: x\n", len);
    assert_string_equal(bom + body, "body");

    assert_int_equal(split(eof, &off, &len, &body, &line), FM_YAML);
    assert_int_equal(body, strlen(eof));

    assert_int_equal(split(empty, &off, &len, &body, &line), FM_YAML);
    assert_int_equal(len, 0);
    assert_string_equal(empty + body, "body");
    assert_int_equal(line, 3);

    /* Blank lines before, trailing blanks after the delimiter. */
    assert_int_equal(split(blank, &off, &len, &body, &line), FM_YAML);
    assert_memory_equal(blank + off, "title: x\n", len);
    assert_int_equal(line, 6);
}

/* ---- YAML --------------------------------------------------------------- */

static void
test_yaml_values(void **state)
{
    ingest_doc *doc = parse("---\n"
                            "Title: \"Istio: a service mesh\"\n"
                            "publishDate: 2019-06-28\n"
                            "cves: [CVE-2019-12995]\n"
                            "releases: [\"1.0 to 1.0.8\", '1.1']\n"
                            "aliases:\n"
                            "    - /blog/a\n"
                            "    - /news/b\n"
                            "keywords: []\n"
                            "draft: true\n"
                            "weight: 10\n"
                            "empty:\n"
                            "---\n",
                            NULL, NULL);

    (void)state;
    assert_values(doc, "title", 0, 1, "Istio: a service mesh");
    assert_values(doc, "publishdate", 0, 1, "2019-06-28");
    assert_values(doc, "cves", 1, 1, "CVE-2019-12995");
    assert_values(doc, "releases", 1, 2, "1.0 to 1.0.8", "1.1");
    assert_values(doc, "aliases", 1, 2, "/blog/a", "/news/b");
    assert_values(doc, "keywords", 1, 0);
    assert_values(doc, "draft", 0, 1, "true");
    assert_values(doc, "weight", 0, 1, "10");
    assert_values(doc, "empty", 0, 1, "");
    /* File order. */
    assert_string_equal(doc->fields[0].key, "title");
    assert_int_equal(doc->n_fields, 9);
    assert_string_equal(doc->fields[8].key, "empty");
    ingest_doc_free(doc);
}

static void
test_yaml_nested(void **state)
{
    ingest_doc *doc = parse("---\n"
                            "cascade:\n"
                            "  _build:\n"
                            "    render: always\n"
                            "_build:\n"
                            "  render: never\n"
                            "Build: {render: 'false', List: never}\n"
                            "resources:\n"
                            "  - src: a.png\n"
                            "    title: A\n"
                            "  - src: b.png\n"
                            "---\n",
                            NULL, NULL);

    (void)state;
    assert_values(doc, "cascade._build.render", 0, 1, "always");
    assert_values(doc, "_build.render", 0, 1, "never");
    assert_values(doc, "build.render", 0, 1, "false");
    assert_values(doc, "build.list", 0, 1, "never");
    assert_values(doc, "resources.src", 1, 2, "a.png", "b.png");
    assert_values(doc, "resources.title", 1, 1, "A");
    assert_null(ingest_doc_field(doc, "render"));
    ingest_doc_free(doc);
}

static void
test_yaml_multiline(void **state)
{
    ingest_doc *doc = parse("---\n"
                            "literal: |\n"
                            "  line one\n"
                            "  line two\n"
                            "folded: >\n"
                            "  one\n"
                            "  two\n"
                            "plain: a long\n"
                            "  plain scalar\n"
                            "quoted: \"x \\\"y\\\" \\u00e9\"\n"
                            "---\n",
                            NULL, NULL);

    (void)state;
    assert_values(doc, "literal", 0, 1, "line one\nline two\n");
    assert_values(doc, "folded", 0, 1, "one two\n");
    assert_values(doc, "plain", 0, 1, "a long plain scalar");
    assert_values(doc, "quoted", 0, 1, "x \"y\" \xC3\xA9");
    ingest_doc_free(doc);
}

static void
test_yaml_errors(void **state)
{
    recap_status rc;
    char *msg;
    ingest_doc *doc;
    strbuf deep = STRBUF_INIT;
    int i;

    (void)state;
    /* Line 1 is the delimiter; the bad line is the file's line 4. */
    doc = parse("---\n"
                "title: ok\n"
                "tags: [a, b]\n"
                "description: a: b\n"
                "---\n",
                &rc, &msg);
    assert_int_equal(rc, RECAP_EPARSE);
    assert_non_null(msg);
    assert_string_equal(msg, "line 4: mapping values are not allowed in this "
                             "context");
    /* What came before the error is kept. */
    assert_values(doc, "title", 0, 1, "ok");
    assert_values(doc, "tags", 1, 2, "a", "b");
    free(msg);
    ingest_doc_free(doc);

    doc = parse("\n---\ntitle: [a, b\nx: y\n---\n", &rc, &msg);
    assert_int_equal(rc, RECAP_EPARSE);
    /* libyaml notices the unclosed sequence at the next key. */
    assert_string_equal(msg, "line 4: did not find expected ',' or ']'");
    free(msg);
    ingest_doc_free(doc);

    doc = parse("---\njust a string\n---\n", &rc, &msg);
    assert_int_equal(rc, RECAP_EPARSE);
    assert_string_equal(msg, "line 2: front matter is not a mapping of keys to "
                             "values");
    free(msg);
    ingest_doc_free(doc);

    /* Pathological nesting is refused, not recursed into. */
    strbuf_puts(&deep, "---\na: ");
    for (i = 0; i < 10000; i++)
        strbuf_putc(&deep, '[');
    strbuf_puts(&deep, "\n---\n");
    doc = parse(strbuf_cstr(&deep), &rc, &msg);
    assert_int_equal(rc, RECAP_EPARSE);
    assert_non_null(strstr(msg, "line 2: "));
    free(msg);
    ingest_doc_free(doc);
    strbuf_free(&deep);

    /* Comments only: no fields, no error. */
    doc = parse("---\n# nothing\n---\n", NULL, NULL);
    assert_int_equal(doc->n_fields, 0);
    ingest_doc_free(doc);
}

/* ---- JSON --------------------------------------------------------------- */

static void
test_json(void **state)
{
    strbuf deep = STRBUF_INIT;
    size_t i;
    recap_status rc;
    char *msg;
    ingest_doc *doc = parse("{\n"
                            "  \"Title\": \"JSON: page\",\n"
                            "  \"tags\": [\"a\", \"b\"],\n"
                            "  \"weight\": 3,\n"
                            "  \"draft\": false,\n"
                            "  \"build\": {\"render\": \"never\"},\n"
                            "  \"none\": null\n"
                            "}\n"
                            "body\n",
                            NULL, NULL);

    (void)state;
    assert_values(doc, "title", 0, 1, "JSON: page");
    assert_values(doc, "tags", 1, 2, "a", "b");
    assert_values(doc, "weight", 0, 1, "3");
    assert_values(doc, "draft", 0, 1, "false");
    assert_values(doc, "build.render", 0, 1, "never");
    assert_values(doc, "none", 0, 1, "");
    assert_string_equal(doc->fields[0].key, "title");
    ingest_doc_free(doc);

    for (i = 0; i < 100; i++)
        strbuf_puts(&deep, "{\"a\": [");
    for (i = 0; i < 100; i++)
        strbuf_puts(&deep, "]}");
    doc = parse(strbuf_cstr(&deep), &rc, &msg);
    assert_int_equal(rc, RECAP_EPARSE);
    assert_string_equal(msg, "line 1: nesting deeper than 64 levels");
    free(msg);
    ingest_doc_free(doc);
    strbuf_free(&deep);

    doc = parse("{\n  \"a\": 1,\n  \"b\": tru\n}\n", &rc, &msg);
    assert_int_equal(rc, RECAP_EPARSE);
    assert_true(strncmp(msg, "line 3: ", 8) == 0);
    free(msg);
    ingest_doc_free(doc);
}

/* ---- TOML --------------------------------------------------------------- */

static void
test_toml(void **state)
{
    ingest_doc *doc = parse("+++\n"
                            "# comment\n"
                            "Title = \"TOML: \\\"quoted\\\" \\u00e9\" # c\n"
                            "literal = 'C:\\path'\n"
                            "date = 2025-04-25T10:00:00Z\n"
                            "spaced = 1979-05-27 07:32:00Z\n"
                            "weight = -12\n"
                            "draft = true\n"
                            "tags = [ \"a\", 'b', # c\n"
                            "  \"c\", ]\n"
                            "empty = []\n"
                            "desc = \"\"\"\n"
                            "two\n"
                            "lines\"\"\"\n"
                            "inline = { render = \"never\", n = 1 }\n"
                            "\"quoted key\" = 1\n"
                            "[Build]\n"
                            "render = 'never'\n"
                            "[[menu.main]]\n"
                            "name = \"a\"\n"
                            "[[menu.main]]\n"
                            "name = \"b\"\n"
                            "+++\n",
                            NULL, NULL);

    (void)state;
    assert_values(doc, "title", 0, 1, "TOML: \"quoted\" \xC3\xA9");
    assert_values(doc, "literal", 0, 1, "C:\\path");
    assert_values(doc, "date", 0, 1, "2025-04-25T10:00:00Z");
    assert_values(doc, "spaced", 0, 1, "1979-05-27 07:32:00Z");
    assert_values(doc, "weight", 0, 1, "-12");
    assert_values(doc, "draft", 0, 1, "true");
    assert_values(doc, "tags", 1, 3, "a", "b", "c");
    assert_values(doc, "empty", 1, 0);
    assert_values(doc, "desc", 0, 1, "two\nlines");
    assert_values(doc, "inline.render", 0, 1, "never");
    assert_values(doc, "inline.n", 0, 1, "1");
    assert_values(doc, "quoted key", 0, 1, "1");
    assert_values(doc, "build.render", 0, 1, "never");
    assert_values(doc, "menu.main.name", 1, 2, "a", "b");
    ingest_doc_free(doc);
}

static void
test_toml_errors(void **state)
{
    static const struct {
        const char *src, *msg;
    } cases[] = {
        {"+++\na = 1\nb \"x\"\n+++\n", "line 3: expected '=' after key"},
        {"+++\na = \"open\n+++\n", "line 2: unterminated string"},
        {"+++\n\na = word\n+++\n", "line 3: invalid value"},
        {"+++\na = [1, 2\nb = 3\n+++\n",
         "line 3: expected ',' or ']' in array"},
        {"+++\na = 1 2\n+++\n", "line 2: unexpected text after value"},
        {"+++\n[table\n+++\n", "line 2: expected ']'"},
        {"+++\na = tru\n+++\n", "line 2: invalid value"},
        {"+++\na = \"\\q\"\n+++\n", "line 2: invalid escape in string"},
    };
    recap_status rc;
    char *msg;
    ingest_doc *doc;
    size_t i;

    strbuf deep = STRBUF_INIT;

    (void)state;
    for (i = 0; i < UTIL_ARRAY_LEN(cases); i++) {
        doc = parse(cases[i].src, &rc, &msg);
        assert_int_equal(rc, RECAP_EPARSE);
        assert_string_equal(msg, cases[i].msg);
        free(msg);
        ingest_doc_free(doc);
    }
    /* Pathological nesting is refused, not recursed into. */
    strbuf_puts(&deep, "+++\n\na = ");
    for (i = 0; i < 10000; i++)
        strbuf_puts(&deep, "[{b = ");
    strbuf_puts(&deep, "\n+++\n");
    doc = parse(strbuf_cstr(&deep), &rc, &msg);
    assert_int_equal(rc, RECAP_EPARSE);
    assert_string_equal(msg, "line 3: nesting deeper than 64 levels");
    free(msg);
    ingest_doc_free(doc);
    strbuf_free(&deep);
}

/* ---- dates -------------------------------------------------------------- */

static void
test_dates(void **state)
{
    static const struct {
        const char *in, *iso;
        int64_t unix;
    } good[] = {
        {"2019-06-28", "2019-06-28", 1561680000},
        {" 2019-06-28 ", "2019-06-28", 1561680000},
        {"2025-04-25T10:00:00Z", "2025-04-25T10:00:00Z", 1745575200},
        {"2025-04-25t10:00:00z", "2025-04-25T10:00:00Z", 1745575200},
        {"2025-04-25 10:00:00Z", "2025-04-25T10:00:00Z", 1745575200},
        {"2025-04-25T10:00:00", "2025-04-25T10:00:00Z", 1745575200},
        {"2025-04-25T10:00", "2025-04-25T10:00:00Z", 1745575200},
        {"2025-04-25T12:00:00+02:00", "2025-04-25T10:00:00Z", 1745575200},
        {"2025-04-25T12:00:00+0200", "2025-04-25T10:00:00Z", 1745575200},
        {"2025-04-25T05:30:00-04:30", "2025-04-25T10:00:00Z", 1745575200},
        {"2025-04-25 12:00:00 +0200", "2025-04-25T10:00:00Z", 1745575200},
        {"2025-04-25 12:00:00 +0200 CEST", "2025-04-25T10:00:00Z", 1745575200},
        {"2025-04-25 10:00:00 +0000 UTC", "2025-04-25T10:00:00Z", 1745575200},
        {"2025-04-25 10:00:00 UTC", "2025-04-25T10:00:00Z", 1745575200},
        {"2025-04-25T10:00:00.123456789Z", "2025-04-25T10:00:00Z", 1745575200},
        {"2025-04-25T00:30:00+01:00", "2025-04-24T23:30:00Z", 1745537400},
        {"2024-02-29", "2024-02-29", 1709164800},
        {"1969-12-31", "1969-12-31", -86400},
    };
    static const char *const bad[] = {
        "",
        "2019",
        "2019-6-28",
        "2019-06-28x",
        "2019-13-01",
        "2019-02-29",
        "2019-06-31",
        "2019-06-28T",
        "2019-06-28T25:00",
        "2019-06-28T10:60",
        "2019-06-28T10:00:00.",
        "2019-06-28T10:00:00+2",
        "2019-06-28 10:00:00 MST",
        "June 28, 2019",
        "2019-06-28T10:00:00Zjunk",
        "2019-06-28T10:00:00+25:00",
    };
    int64_t unix;
    char *iso;
    size_t i;

    (void)state;
    for (i = 0; i < UTIL_ARRAY_LEN(good); i++) {
        iso = NULL;
        if (fm_parse_date(good[i].in, &unix, &iso) != 0)
            fail_msg("rejected %s", good[i].in);
        assert_string_equal(iso, good[i].iso);
        assert_int_equal(unix, good[i].unix);
        free(iso);
    }
    for (i = 0; i < UTIL_ARRAY_LEN(bad); i++) {
        iso = NULL;
        if (fm_parse_date(bad[i], &unix, &iso) == 0)
            fail_msg("accepted %s as %s", bad[i], iso);
        assert_null(iso);
    }
    assert_int_equal(fm_parse_date(NULL, &unix, NULL), -1);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_split_kinds),
        cmocka_unit_test(test_split_none),
        cmocka_unit_test(test_split_edges),
        cmocka_unit_test(test_yaml_values),
        cmocka_unit_test(test_yaml_nested),
        cmocka_unit_test(test_yaml_multiline),
        cmocka_unit_test(test_yaml_errors),
        cmocka_unit_test(test_json),
        cmocka_unit_test(test_toml),
        cmocka_unit_test(test_toml_errors),
        cmocka_unit_test(test_dates),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
