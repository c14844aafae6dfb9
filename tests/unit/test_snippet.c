/*
 * test_snippet.c: passage selection and highlighting.
 *
 * Most cases are golden files, tests/data/snippet/NAME.case (the format is in
 * tests/data/snippet/README.md); run with RECAP_UPDATE_GOLDEN=1 to rewrite
 * their expected part from the current output.  Every snippet produced is
 * also checked for the invariants of snippet.h: valid UTF-8, length in code
 * points, collapsed whitespace, HTML that unescapes to the text, highlight
 * ranges that match the <mark> elements.  The rest are API and time tests.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis.h"
#include "snippet.h"
#include "util.h"

/* ---- invariants ------------------------------------------------------- */

/* Code points in a valid UTF-8 string, or -1 when it is not valid. */
static long
utf8_count(const char *s, size_t n)
{
    long k = 0;
    for (size_t i = 0; i < n; k++) {
        unsigned char c = (unsigned char)s[i];
        size_t len = c < 0x80 ? 1 : c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : 2;
        if (c >= 0x80 && c < 0xC2)
            return -1;
        if (i + len > n)
            return -1;
        for (size_t j = 1; j < len; j++)
            if (((unsigned char)s[i + j] & 0xC0) != 0x80)
                return -1;
        i += len;
    }
    return k;
}

/* Undoes the HTML of a snippet: drops <mark>/</mark>, unescapes entities,
 * and collects the marked text into `marks` separated by "\x01". */
static void
unhtml(const char *h, strbuf *plain, strbuf *marks)
{
    static const struct {
        const char *ent, *ch;
    } ents[] = {{"&amp;", "&"},
                {"&lt;", "<"},
                {"&gt;", ">"},
                {"&quot;", "\""},
                {"&#39;", "'"}};
    int in_mark = 0;

    while (*h) {
        size_t i;
        if (strncmp(h, "<mark>", 6) == 0) {
            assert_false(in_mark);
            in_mark = 1;
            h += 6;
            continue;
        }
        if (strncmp(h, "</mark>", 7) == 0) {
            assert_true(in_mark);
            in_mark = 0;
            strbuf_putc(marks, '\x01');
            h += 7;
            continue;
        }
        assert_true(*h != '<' && *h != '>' && *h != '"' && *h != '\'');
        for (i = 0; i < UTIL_ARRAY_LEN(ents); i++)
            if (strncmp(h, ents[i].ent, strlen(ents[i].ent)) == 0)
                break;
        const char *c = i < UTIL_ARRAY_LEN(ents) ? ents[i].ch : h;
        strbuf_append(plain, c, 1);
        if (in_mark)
            strbuf_append(marks, c, 1);
        h += i < UTIL_ARRAY_LEN(ents) ? strlen(ents[i].ent) : 1;
    }
    assert_false(in_mark);
}

static void
check_invariants(const snippet *s, size_t max_chars)
{
    strbuf plain = STRBUF_INIT, marks = STRBUF_INIT, ranges = STRBUF_INIT;
    long n = utf8_count(s->text, s->text_len);

    assert_int_equal(strlen(s->text), s->text_len);
    assert_int_equal(strlen(s->html), s->html_len);
    assert_true(n >= 0);
    assert_true((size_t)n <= max_chars);
    assert_null(strstr(s->text, "  "));
    assert_null(strpbrk(s->text, "\t\n\r"));
    if (s->text_len) {
        assert_true(s->text[0] != ' ');
        assert_true(s->text[s->text_len - 1] != ' ');
    }
    unhtml(s->html, &plain, &marks);
    assert_string_equal(strbuf_cstr(&plain), s->text);
    for (size_t i = 0; i < s->n_ranges; i++) {
        assert_true(s->ranges[i].len > 0);
        assert_true(s->ranges[i].off + s->ranges[i].len <= s->text_len);
        if (i > 0)
            assert_true(s->ranges[i].off >
                        s->ranges[i - 1].off + s->ranges[i - 1].len);
        strbuf_append(&ranges, s->text + s->ranges[i].off, s->ranges[i].len);
        strbuf_putc(&ranges, '\x01');
    }
    assert_string_equal(strbuf_cstr(&ranges), strbuf_cstr(&marks));
    strbuf_free(&plain);
    strbuf_free(&marks);
    strbuf_free(&ranges);
}

/* ---- golden cases ----------------------------------------------------- */

typedef struct gcase {
    snippet_section sec[16];
    size_t n_sec;
    snippet_term terms[16];
    size_t n_terms;
    snippet_options opts;
    char lang[32];
    char *store[64]; /* strings owned by the case */
    size_t n_store;
} gcase;

static char *
keep(gcase *c, char *s)
{
    assert_true(c->n_store < UTIL_ARRAY_LEN(c->store));
    c->store[c->n_store++] = s;
    return s;
}

static void
parse_options(gcase *c, const char *line)
{
    char key[32], val[32];
    int used;

    while (sscanf(line, " %31[a-z_]=%31s%n", key, val, &used) == 2) {
        if (strcmp(key, "max_chars") == 0)
            c->opts.max_chars = strtoul(val, NULL, 10);
        else if (strcmp(key, "max_snippets") == 0)
            c->opts.max_snippets = strtoul(val, NULL, 10);
        else if (strcmp(key, "use_code") == 0)
            c->opts.use_code = atoi(val);
        else if (strcmp(key, "lang") == 0)
            snprintf(c->lang, sizeof c->lang, "%s", val);
        else
            fail_msg("unknown option %s", key);
        line += used;
    }
}

static void
parse_term(gcase *c, const char *line)
{
    char term[128];
    double w;
    int group = -1, alt_of = 0;

    assert_true(sscanf(line, " %127s %lf %d %d", term, &w, &group, &alt_of) >=
                2);
    assert_true(c->n_terms < UTIL_ARRAY_LEN(c->terms));
    snippet_term *t = &c->terms[c->n_terms++];
    t->term = keep(c, util_strdup(term));
    t->term_len = strlen(term);
    t->weight = w;
    t->group = group;
    t->alt_of = alt_of;
}

static void
parse_section(gcase *c, const char *line)
{
    assert_true(c->n_sec < UTIL_ARRAY_LEN(c->sec));
    snippet_section *s = &c->sec[c->n_sec++];
    while (*line == ' ')
        line++;
    memset(s, 0, sizeof *s);
    s->text = s->code = "";
    if (*line) {
        const char *bar = strstr(line, " | ");
        assert_non_null(bar);
        s->heading = keep(c, util_strndup(line, (size_t)(bar - line)));
        s->anchor = keep(c, util_strdup(bar + 3));
    }
}

/* Parses a case up to "@expect".  Returns a pointer past that line. */
static const char *
parse_case(gcase *c, const char *src)
{
    strbuf *body = NULL;
    strbuf text = STRBUF_INIT;
    const char **dst = NULL;
    size_t *dst_len = NULL;

    memset(c, 0, sizeof *c);
    c->opts = (snippet_options)SNIPPET_OPTIONS_INIT;
    for (;;) {
        const char *nl = strchr(src, '\n');
        assert_non_null(nl);
        char *line = util_strndup(src, (size_t)(nl - src));
        src = nl + 1;
        if (line[0] == '@' && dst) {
            if (text.len && text.data[text.len - 1] == '\n')
                text.len--;
            *dst_len = text.len;
            *dst = keep(c, strbuf_detach(&text, NULL));
            dst = NULL;
        }
        if (strcmp(line, "@expect") == 0) {
            free(line);
            break;
        } else if (strncmp(line, "@options", 8) == 0) {
            parse_options(c, line + 8);
        } else if (strncmp(line, "@term", 5) == 0) {
            parse_term(c, line + 5);
        } else if (strncmp(line, "@section", 8) == 0) {
            parse_section(c, line + 8);
        } else if (strcmp(line, "@fallback") == 0) {
            assert_true(c->n_sec > 0);
            c->sec[c->n_sec - 1].fallback = 1;
        } else if (strcmp(line, "@text") == 0 || strcmp(line, "@code") == 0) {
            assert_true(c->n_sec > 0);
            snippet_section *s = &c->sec[c->n_sec - 1];
            int code = line[1] == 'c';
            dst = code ? &s->code : &s->text;
            dst_len = code ? &s->code_len : &s->text_len;
            body = &text;
        } else if (dst) {
            strbuf_puts(body, line);
            strbuf_putc(body, '\n');
        } else {
            assert_true(line[0] == '#' || line[0] == '\0');
        }
        free(line);
    }
    strbuf_free(&text);
    return src;
}

static void
render_result(strbuf *out, const snippet *s, size_t n)
{
    if (n == 0)
        strbuf_puts(out, "@none\n");
    for (size_t i = 0; i < n; i++) {
        strbuf_printf(out, "@snippet section=%zu code=%d score=%.3f\n",
                      s[i].section, s[i].in_code, s[i].score);
        strbuf_printf(out, "text: %s\nhtml: %s\nmarks:", s[i].text, s[i].html);
        for (size_t k = 0; k < s[i].n_ranges; k++)
            strbuf_printf(out, "%s%.*s", k ? " | " : " ",
                          (int)s[i].ranges[k].len,
                          s[i].text + s[i].ranges[k].off);
        strbuf_putc(out, '\n');
    }
}

/* Runs one case file.  Returns 1 when it passes (or was rewritten). */
static int
run_case(const char *path, int update)
{
    char *src;
    size_t len, n = 0;
    gcase c;
    snippet *snips = NULL;
    strbuf got = STRBUF_INIT;
    analysis_stemmer *stemmer = NULL;
    int ok;

    assert_int_equal(util_read_file(path, &src, &len), 0);
    const char *expect = parse_case(&c, src);
    if (c.lang[0])
        assert_non_null(stemmer = analysis_stemmer_new(c.lang));
    assert_int_equal(snippet_make(c.sec, c.n_sec, c.terms, c.n_terms, stemmer,
                                  &c.opts, &snips, &n),
                     RECAP_OK);
    for (size_t i = 0; i < n; i++)
        check_invariants(&snips[i], c.opts.max_chars ? c.opts.max_chars : 200);
    render_result(&got, snips, n);
    ok = strcmp(expect, strbuf_cstr(&got)) == 0;
    if (!ok && update) {
        FILE *f = fopen(path, "wb");
        assert_non_null(f);
        fwrite(src, 1, (size_t)(expect - src), f);
        fwrite(got.data, 1, got.len, f);
        fclose(f);
        printf("rewrote %s\n", path);
        ok = 1;
    } else if (!ok) {
        printf("FAIL %s\n--- expected\n%s--- got\n%s", path, expect, got.data);
    }
    snippet_array_free(snips, n);
    analysis_stemmer_free(stemmer);
    strbuf_free(&got);
    for (size_t i = 0; i < c.n_store; i++)
        free(c.store[i]);
    free(src);
    return ok;
}

static int
cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void
test_golden(void **state)
{
    const char *dir = RECAP_TEST_DATA "/snippet";
    const char *upd = getenv("RECAP_UPDATE_GOLDEN");
    char *names[256];
    size_t n = 0, failed = 0;
    struct dirent *e;
    DIR *d = opendir(dir);

    (void)state;
    assert_non_null(d);
    while ((e = readdir(d)) != NULL) {
        size_t l = strlen(e->d_name);
        if (l > 5 && strcmp(e->d_name + l - 5, ".case") == 0) {
            assert_true(n < UTIL_ARRAY_LEN(names));
            names[n++] = util_asprintf("%s/%s", dir, e->d_name);
        }
    }
    closedir(d);
    qsort(names, n, sizeof *names, cmp_str);
    assert_true(n >= 15);
    for (size_t i = 0; i < n; i++) {
        failed += !run_case(names[i], upd && *upd == '1');
        free(names[i]);
    }
    if (failed)
        fail_msg("%zu of %zu golden cases failed", failed, n);
}

/* ---- API and time ----------------------------------------------------- */

static snippet_term
term(const char *t, double w, int group)
{
    return (snippet_term){t, strlen(t), w, group, 0};
}

static snippet_section
prose(const char *text)
{
    return (snippet_section){NULL, NULL, text, strlen(text), "", 0, 0};
}

static void
test_invalid_args(void **state)
{
    snippet_section sec = prose("some text");
    snippet_section bad = {NULL, NULL, NULL, 3, NULL, 0, 0};
    snippet_term t = term("text", 1, -1);
    snippet_options o = SNIPPET_OPTIONS_INIT;
    snippet *out = (snippet *)&o;
    size_t n = 7;

    (void)state;
    assert_int_equal(snippet_make(&sec, 1, &t, 1, NULL, NULL, NULL, &n),
                     RECAP_EINVAL);
    assert_int_equal(snippet_make(&sec, 1, &t, 1, NULL, NULL, &out, NULL),
                     RECAP_EINVAL);
    assert_int_equal(snippet_make(&bad, 1, &t, 1, NULL, NULL, &out, &n),
                     RECAP_EINVAL);
    assert_null(out);
    assert_int_equal(n, 0);
    o.version = 99;
    assert_int_equal(snippet_make(&sec, 1, &t, 1, NULL, &o, &out, &n),
                     RECAP_EINVAL);
    assert_int_equal(snippet_make(NULL, 2, &t, 1, NULL, NULL, &out, &n),
                     RECAP_EINVAL);
    snippet_array_free(NULL, 0);
}

static void
test_nothing_to_show(void **state)
{
    snippet_section secs[2] = {prose(""), prose(" \n\n  ")};
    snippet_term t = term("text", 1, -1);
    snippet *out = NULL;
    size_t n = 9;

    (void)state;
    assert_int_equal(snippet_make(NULL, 0, &t, 1, NULL, NULL, &out, &n),
                     RECAP_OK);
    assert_int_equal(n, 0);
    assert_null(out);
    assert_int_equal(snippet_make(secs, 2, &t, 1, NULL, NULL, &out, &n),
                     RECAP_OK);
    assert_int_equal(n, 0);
    assert_null(out);
}

/* Options are clamped: at most three snippets, at least 20 characters. */
static void
test_option_limits(void **state)
{
    snippet_section secs[5];
    snippet_term t = term("mesh", 1, -1);
    snippet_options o = SNIPPET_OPTIONS_INIT;
    snippet *out;
    size_t n;

    (void)state;
    for (size_t i = 0; i < 5; i++)
        secs[i] = prose("The service mesh is a dedicated infrastructure "
                        "layer that you can add to your applications.");
    o.max_snippets = 10;
    o.max_chars = 5;
    assert_int_equal(snippet_make(secs, 5, &t, 1, NULL, &o, &out, &n),
                     RECAP_OK);
    assert_int_equal(n, 3);
    for (size_t i = 0; i < n; i++) {
        check_invariants(&out[i], 20);
        assert_int_equal(out[i].section, i);
        assert_int_equal(out[i].n_ranges, 1);
    }
    assert_string_equal(out[0].text, "The service mesh is…");
    snippet_array_free(out, n);
}

/* Builds `size` bytes of prose: sentences with multi-byte characters. */
static char *
big_text(size_t size, size_t *len)
{
    static const char *sent[] = {
        "Traffic management lets you control the flow of traffic. ",
        "Die Größe des Überlaufs ist begrenzt; ",
        "服务网格用来描述组成这些应用程序的微服务网络以及它们之间的交互。",
        "Envoy proxies are deployed as sidecars to services.\n\n"};
    strbuf b = STRBUF_INIT;

    for (size_t i = 0; b.len < size; i++)
        strbuf_puts(&b, sent[i % UTIL_ARRAY_LEN(sent)]);
    return strbuf_detach(&b, len);
}

/* A megabyte of text with common matches everywhere and the best window
 * at the very end: linear time, bounded. */
static void
test_megabyte(void **state)
{
    size_t len;
    char *text = big_text(1 << 20, &len);
    strbuf b = STRBUF_INIT;
    snippet_section sec;
    snippet_term t[3] = {term("traffic", 1, -1), term("rare", 5, 0),
                         term("needle", 5, 0)};
    snippet *out;
    size_t n;

    (void)state;
    strbuf_append(&b, text, len);
    strbuf_puts(&b, " At last a rare needle appears.");
    sec = prose(strbuf_cstr(&b));
    sec.text_len = b.len;
    double t0 = util_cpu_now();
    assert_int_equal(snippet_make(&sec, 1, t, 3, NULL, NULL, &out, &n),
                     RECAP_OK);
    double dt = util_cpu_now() - t0;
    printf("1 MB: %.1f ms\n", dt * 1e3);
    assert_true(dt < 2.0); /* generous: sanitizer builds are slow */
    assert_int_equal(n, 1);
    check_invariants(&out[0], 200);
    assert_non_null(strstr(out[0].html, "<mark>rare</mark> "
                                        "<mark>needle</mark> appears."));
    snippet_array_free(out, n);
    strbuf_free(&b);
    free(text);
}

/* A typical 20 KB page, ten hits' worth, with a stemmer. */
static void
test_typical_speed(void **state)
{
    size_t len;
    char *text = big_text(20000, &len);
    snippet_section secs[4];
    snippet_term t[3] = {term("traffic", 1.5, -1), term("sidecars", 2, -1),
                         term("网格", 3, -1)};
    analysis_stemmer *st = analysis_stemmer_new("en");
    snippet_options o = SNIPPET_OPTIONS_INIT;
    snippet *out;
    size_t n;

    (void)state;
    assert_non_null(st);
    for (size_t i = 0; i < 4; i++)
        secs[i] = (snippet_section){
            "h", "h", text + i * len / 4, len / 4, text, 2000, 0};
    o.use_code = 1;
    o.max_snippets = 3;
    double t0 = util_cpu_now();
    for (int k = 0; k < 10; k++) {
        assert_int_equal(snippet_make(secs, 4, t, 3, st, &o, &out, &n),
                         RECAP_OK);
        assert_int_equal(n, 3);
        for (size_t i = 0; i < n; i++)
            check_invariants(&out[i], 200);
        snippet_array_free(out, n);
    }
    double dt = (util_cpu_now() - t0) / 10;
    printf("20 KB: %.3f ms per hit\n", dt * 1e3);
    assert_true(dt < 0.05);
    analysis_stemmer_free(st);
    free(text);
}

/* The byte scan that looks for the terms and for characters that fold to
 * ASCII reads the text in blocks of 32, 16 and single bytes: a word, a
 * full-width form of it, or the word broken by a joiner or an invisible
 * character, at any offset of texts of any length is found and marked
 * alike. */
static void
test_scan_offsets(void **state)
{
    static const char *const forms[][2] = {
        {"clusters", "clusters"},
        {"Clusters", "Clusters"},
        {"multi-cluster", "cluster"},
        {"\xef\xbd\x83luster", "\xef\xbd\x83luster"}, /* full-width c */
        /* Joiners and invisible characters between the needle's second
         * and third bytes ("clu"), and capitals. */
        {"CLUSTER", "CLUSTER"},
        {"cl-uster", "cl-uster"},
        {"cl_uster", "cl_uster"},
        {"cL'uster", "cL&#39;uster"},
        {"cl\xc2\xaduster", "cl\xc2\xaduster"}, /* soft hyphen */
        {"c-luster", "c-luster"},
    };
    snippet_term t[1] = {term("cluster", 1, -1)};
    analysis_stemmer *st = analysis_stemmer_new("en");

    (void)state;
    assert_non_null(st);
    for (size_t f = 0; f < UTIL_ARRAY_LEN(forms); f++)
        for (size_t at = 0; at < 80; at++)
            for (size_t tail = 0; tail < 40; tail += 13) {
                strbuf b = STRBUF_INIT, want = STRBUF_INIT;
                snippet *out;
                size_t n;
                for (size_t i = 0; i < at; i++)
                    strbuf_putc(&b, i % 6 == 5 ? ' ' : (char)('k' + i % 5));
                if (at)
                    strbuf_putc(&b, ' ');
                strbuf_puts(&b, forms[f][0]);
                for (size_t i = 0; i < tail; i++)
                    strbuf_putc(&b, i % 4 == 0 ? ' ' : 'z');
                snippet_section sec = prose(strbuf_cstr(&b));
                sec.text_len = b.len;
                assert_int_equal(
                    snippet_make(&sec, 1, t, 1, st, NULL, &out, &n), RECAP_OK);
                assert_int_equal(n, 1);
                check_invariants(&out[0], 200);
                strbuf_puts(&want, "<mark>");
                strbuf_puts(&want, forms[f][1]);
                strbuf_puts(&want, "</mark>");
                if (!strstr(out[0].html, strbuf_cstr(&want)))
                    fail_msg("form %zu at %zu, tail %zu: %s", f, at, tail,
                             out[0].html);
                assert_int_equal(out[0].n_ranges, 1);
                snippet_array_free(out, n);
                strbuf_free(&b);
                strbuf_free(&want);
            }
    analysis_stemmer_free(st);
}

/* Random bytes (invalid UTF-8, controls, NULs) with random terms and
 * lengths: never a crash, always the invariants. */
static void
test_random_bytes(void **state)
{
    static const char alphabet[][5] = {
        "a",  "b",    " ",    ".",    "\n",           "-",
        "\0", "\x01", "\xc3", "\xa9", "\xe7\xbd\x91", "\xf0\x9f\x98\x80",
        "<",  "&",    "\xff"};
    static const char *words[] = {"a", "b", "ab", "ba", "aab", "\xe7\xbd\x91"};
    uint32_t seed = 12345;
    snippet_section secs[3];
    snippet_term t[3];
    snippet_options o = SNIPPET_OPTIONS_INIT;

    (void)state;
    for (int iter = 0; iter < 300; iter++) {
        strbuf b[3] = {STRBUF_INIT, STRBUF_INIT, STRBUF_INIT};
        snippet *out;
        size_t n;
        for (int k = 0; k < 3; k++) {
            seed = seed * 1103515245 + 12345;
            size_t len = seed >> 16 & 511;
            for (size_t i = 0; i < len; i++) {
                seed = seed * 1103515245 + 12345;
                const char *a =
                    alphabet[(seed >> 16) % UTIL_ARRAY_LEN(alphabet)];
                strbuf_append(&b[k], a, a[0] ? strlen(a) : 1);
            }
            secs[k] = (snippet_section){NULL,
                                        NULL,
                                        strbuf_cstr(&b[k]),
                                        b[k].len,
                                        strbuf_cstr(&b[k]),
                                        b[k].len / 2,
                                        0};
            seed = seed * 1103515245 + 12345;
            t[k] = term(words[(seed >> 16) % UTIL_ARRAY_LEN(words)], (double)k,
                        k == 2 ? -1 : 0);
        }
        o.max_chars = 20 + (seed >> 8) % 100;
        o.max_snippets = 1 + (seed >> 4) % 3;
        o.use_code = iter & 1;
        assert_int_equal(snippet_make(secs, 3, t, 3, NULL, &o, &out, &n),
                         RECAP_OK);
        for (size_t i = 0; i < n; i++)
            check_invariants(&out[i], o.max_chars);
        snippet_array_free(out, n);
        for (int k = 0; k < 3; k++)
            strbuf_free(&b[k]);
    }
}

/* Whether two snippet arrays are the same, field for field. */
static void
assert_same_snippets(const snippet *a, size_t na, const snippet *b, size_t nb)
{
    assert_int_equal(na, nb);
    for (size_t i = 0; i < na; i++) {
        assert_int_equal(a[i].section, b[i].section);
        assert_int_equal(a[i].in_code, b[i].in_code);
        assert_true(a[i].score == b[i].score);
        assert_string_equal(a[i].text, b[i].text);
        assert_string_equal(a[i].html, b[i].html);
        assert_int_equal(a[i].n_ranges, b[i].n_ranges);
        for (size_t k = 0; k < a[i].n_ranges; k++) {
            assert_int_equal(a[i].ranges[k].off, b[i].ranges[k].off);
            assert_int_equal(a[i].ranges[k].len, b[i].ranges[k].len);
        }
    }
}

/* One matcher serves many documents (a search's hits): the match arrays
 * it keeps from one call for the next, grown by documents with thousands
 * of matches or many sections, change nothing: each call gives what a
 * fresh matcher gives. */
static void
test_matcher_reuse(void **state)
{
    static const char *const words[] = {
        "mesh",       "meshes", "proxy", "the",    "gateway",
        "Mesh-proxy", "a",      "\n\n",  "list\n", "x."};
    snippet_term t[3] = {term("mesh", 2, -1), term("proxy", 1, 0),
                         term("gateway", 1, 0)};
    analysis_stemmer *st = analysis_stemmer_new("en");
    snippet_matcher *mt;
    uint32_t seed = 777;

    (void)state;
    assert_non_null(st);
    assert_int_equal(snippet_matcher_new(t, 3, st, &mt), RECAP_OK);
    for (int doc = 0; doc < 60; doc++) {
        size_t n_secs = 1 + doc % 13;
        strbuf b[13];
        snippet_section secs[13];
        snippet *got, *want;
        size_t n_got, n_want;
        snippet_options o = SNIPPET_OPTIONS_INIT;
        for (size_t k = 0; k < n_secs; k++) {
            size_t n_words;
            b[k] = (strbuf)STRBUF_INIT;
            seed = seed * 1103515245 + 12345;
            n_words = (doc % 5 == 4 ? 3000 : 40) + (seed >> 16) % 50;
            for (size_t i = 0; i < n_words; i++) {
                seed = seed * 1103515245 + 12345;
                strbuf_puts(&b[k], words[(seed >> 16) % UTIL_ARRAY_LEN(words)]);
                strbuf_putc(&b[k], ' ');
            }
            secs[k] = prose(strbuf_cstr(&b[k]));
            secs[k].text_len = b[k].len;
            secs[k].code = secs[k].text;
            secs[k].code_len = b[k].len / 3;
        }
        o.max_snippets = 1 + doc % 3;
        o.use_code = doc & 1;
        assert_int_equal(snippet_make_with(mt, secs, n_secs, &o, &got, &n_got),
                         RECAP_OK);
        assert_int_equal(
            snippet_make(secs, n_secs, t, 3, st, &o, &want, &n_want), RECAP_OK);
        assert_true(n_got > 0);
        assert_same_snippets(got, n_got, want, n_want);
        snippet_array_free(got, n_got);
        snippet_array_free(want, n_want);
        for (size_t k = 0; k < n_secs; k++)
            strbuf_free(&b[k]);
    }
    snippet_matcher_free(mt);
    analysis_stemmer_free(st);
}

/* Invalid UTF-8 that looks like a sequence (overlong forms, a surrogate,
 * past U+10FFFF, a cut sequence) counts and renders as one U+FFFD per
 * byte, so the passage is cut at the same character either way. */
static void
test_invalid_sequences(void **state)
{
    static const char text[] =
        "omega \xe0\x80\x80 \xed\xa0\x80 \xf4\x90\x80\x80 \xf0\x80\x80\x80 "
        "\xc1\xbf \xe7\xbd zz \xe7\xbd\x91 end of the text here";
    snippet_section sec = {NULL, NULL, text, sizeof text - 1, "", 0, 0};
    snippet_term t = term("omega", 1.0, -1);
    snippet_options o = SNIPPET_OPTIONS_INIT;
    snippet *out;
    size_t n;
    /* 3 + 3 + 4 + 4 + 2 + 2 code points for the bad bytes, 1 for the
     * good character. */
    static const char want[] =
        "omega \xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd \xef\xbf\xbd\xef\xbf\xbd"
        "\xef\xbf\xbd \xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd "
        "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd \xef\xbf\xbd"
        "\xef\xbf\xbd \xef\xbf\xbd\xef\xbf\xbd zz \xe7\xbd\x91 end";

    (void)state;
    o.max_chars = 200;
    assert_int_equal(snippet_make(&sec, 1, &t, 1, NULL, &o, &out, &n),
                     RECAP_OK);
    assert_int_equal(n, 1);
    assert_true(out[0].text_len > 6);
    assert_memory_equal(out[0].text, want, sizeof want - 1);
    snippet_array_free(out, n);
    o.max_chars = 34;
    assert_int_equal(snippet_make(&sec, 1, &t, 1, NULL, &o, &out, &n),
                     RECAP_OK);
    assert_int_equal(n, 1);
    check_invariants(&out[0], o.max_chars);
    /* 32 characters and the ellipsis: cut after "zz", not inside a
     * sequence. */
    assert_string_equal(out[0].text,
                        "omega \xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd "
                        "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd \xef\xbf\xbd"
                        "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd \xef\xbf\xbd"
                        "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd \xef\xbf\xbd"
                        "\xef\xbf\xbd \xef\xbf\xbd\xef\xbf\xbd zz\xe2\x80\xa6");
    snippet_array_free(out, n);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_golden),
        cmocka_unit_test(test_invalid_args),
        cmocka_unit_test(test_invalid_sequences),
        cmocka_unit_test(test_nothing_to_show),
        cmocka_unit_test(test_option_limits),
        cmocka_unit_test(test_random_bytes),
        cmocka_unit_test(test_matcher_reuse),
        cmocka_unit_test(test_scan_offsets),
        cmocka_unit_test(test_megabyte),
        cmocka_unit_test(test_typical_speed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
