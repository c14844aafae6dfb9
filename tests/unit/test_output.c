/*
 * test_output.c: the terminal word wrapper and recap_results_format on
 * hand-made result sets (no index needed).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "output.h"
#include "recapsearch.h"
#include "results_int.h"
#include "util.h"

/* Wraps `text` at `width` with `indent` and returns the result (freed by
 * the caller). */
static char *
wrap(const char *text, unsigned width, unsigned indent, const size_t *hl,
     size_t n_hl, int color)
{
    strbuf b = STRBUF_INIT;
    output_wrap w = {&b, width, indent, indent, color};

    for (unsigned i = 0; i < indent; i++)
        strbuf_putc(&b, ' ');
    output_wrap_text(&w, text, strlen(text), NULL, hl, n_hl, OUTPUT_SGR_MATCH);
    return strbuf_detach(&b, NULL);
}

static void
test_wrap_words(void **state)
{
    char *s;

    (void)state;
    s = wrap("the quick brown fox jumps over the lazy dog", 20, 2, NULL, 0, 0);
    assert_string_equal(s, "  the quick brown\n  fox jumps over the\n"
                           "  lazy dog");
    free(s);
    /* No width: one line, white space collapsed, controls dropped. */
    s = wrap("a  b\tc\nd\x1b[31m e", 0, 0, NULL, 0, 0);
    assert_string_equal(s, "a b c d [31m e");
    free(s);
    /* A word longer than a line is cut between characters. */
    s = wrap("abcdefghijklmnopqrstuvwxyz", 20, 0, NULL, 0, 0);
    assert_string_equal(s, "abcdefghijklmnopqrst\nuvwxyz");
    free(s);
}

static void
test_wrap_cjk(void **state)
{
    char *s;

    (void)state;
    assert_int_equal(output_width("多集群 a", strlen("多集群 a")), 8);
    assert_int_equal(output_width("e\xcc\x81", 3), 1); /* combining */
    /* Two columns each, a break anywhere, but not before "，". */
    s = wrap("多集群网格，很好", 20, 0, NULL, 0, 0);
    assert_string_equal(s, "多集群网格，很好");
    free(s);
    s = wrap("多集群网格，很好", 10, 0, NULL, 0, 0);
    assert_string_equal(s, "多集群网\n格，很好");
    free(s);
}

static void
test_wrap_highlight(void **state)
{
    /* "alpha beta gamma": highlight "beta gamma" as one range. */
    size_t hl[2] = {6, 10};
    char *s;

    (void)state;
    s = wrap("alpha beta gamma", 0, 0, hl, 1, 1);
    assert_string_equal(s, "alpha \033[1;31mbeta gamma\033[0m");
    free(s);
    /* A break inside the highlight closes the style before the line end
     * and reopens it after the indent. */
    s = wrap("alpha beta gamma", 24, 2, hl, 1, 1);
    assert_string_equal(s, "  alpha \033[1;31mbeta gamma\033[0m");
    free(s);
    s = wrap("alpha beta gamma", 12, 2, hl, 1, 1);
    assert_string_equal(s, "  alpha \033[1;31mbeta\033[0m\n  \033[1;31m"
                           "gamma\033[0m");
    free(s);
    /* Without colour the same ranges give plain text. */
    s = wrap("alpha beta gamma", 12, 2, hl, 1, 0);
    assert_string_equal(s, "  alpha beta\n  gamma");
    free(s);
}

/* A result set of two hits, built by hand. */
static recap_results *
sample(void)
{
    recap_results *r = calloc(1, sizeof *r);
    recap_hit *h;

    r->query = util_strdup("mesh");
    r->total = 42;
    r->total_exact = 0;
    r->next_offset = 2;
    r->elapsed = 0.00125;
    r->hits = calloc(2, sizeof *r->hits);
    r->n_hits = 2;
    h = &r->hits[0];
    h->rank = 1;
    h->score = 3.5;
    h->path = util_strdup("en/a/index.md");
    h->url = util_strdup("/a/");
    h->title = util_strdup("A\x1b[2J page");
    h->date = util_strdup("2025-01-02T00:00:00Z");
    h->section = util_strdup("blog");
    h->lang = util_strdup("en");
    h->snippets = calloc(1, sizeof *h->snippets);
    h->n_snippets = 1;
    h->snippets[0].text = util_strdup("The mesh\tis here.");
    h->snippets[0].html = util_strdup("The <mark>mesh</mark> is here.");
    h->snippets[0].heading = util_strdup("Setup");
    h->snippets[0].anchor = util_strdup("setup");
    h->snippets[0].url = util_strdup("/a/#setup");
    h->snippets[0].hl = calloc(2, sizeof(size_t));
    h->snippets[0].hl[0] = 4;
    h->snippets[0].hl[1] = 4;
    h->snippets[0].n_hl = 1;
    h = &r->hits[1];
    h->rank = 2;
    h->score = 1.25;
    h->path = util_strdup("en/b.md");
    h->url = util_strdup("/b/");
    h->lang = util_strdup("en");
    h->section = util_strdup("");
    return r;
}

static char *
format(const recap_results *r, recap_format_options *o)
{
    char *out = NULL;
    size_t len;

    assert_int_equal(recap_results_format(r, o, &out, &len), RECAP_OK);
    assert_int_equal(strlen(out), len);
    return out;
}

static void
test_format_text(void **state)
{
    recap_results *r = sample();
    recap_format_options o = RECAP_FORMAT_OPTIONS_INIT;
    char *s;

    (void)state;
    s = format(r, &o);
    assert_string_equal(s, "about 42 results for \"mesh\" (1.2 ms)\n"
                           "\n"
                           "1. A [2J page\n"
                           "   /a/ \xc2\xb7 2025-01-02 \xc2\xb7 blog\n"
                           "   \xc2\xa7 Setup\n"
                           "   The mesh is here.\n"
                           "\n"
                           "2. en/b.md\n"
                           "   /b/\n"
                           "\n"
                           "next page: --offset 2\n");
    free(s);
    o.color = 1;
    o.hyperlinks = 1;
    o.base_url = "https://x.example/";
    s = format(r, &o);
    assert_non_null(strstr(s, "\033]8;;https://x.example/a/#setup\033\\"));
    assert_non_null(strstr(s, "The \033[1;31mmesh\033[0m is here."));
    assert_null(strstr(s, "\033[2J")); /* the page's escape is not sent */
    free(s);
    recap_results_free(r);
}

static void
test_format_scripts(void **state)
{
    recap_results *r = sample();
    recap_format_options o = RECAP_FORMAT_OPTIONS_INIT;
    recap_format f;
    char *s;

    (void)state;
    assert_int_equal(recap_format_from_name("tsv", &f), RECAP_OK);
    o.format = f;
    s = format(r, &o);
    assert_string_equal(s, "1\t3.500\ten/a/index.md\t/a/\tA [2J page\t"
                           "2025-01-02T00:00:00Z\tblog\ten\tThe mesh is "
                           "here.\n2\t1.250\ten/b.md\t/b/\t\t\t\ten\t\n");
    free(s);
    o.format = RECAP_FORMAT_PATHS;
    s = format(r, &o);
    assert_string_equal(s, "en/a/index.md\nen/b.md\n");
    free(s);
    o.format = RECAP_FORMAT_JSONL;
    s = format(r, &o);
    assert_true(strncmp(s, "{\"rank\":1,", 10) == 0);
    assert_int_equal(strchr(strchr(s, '\n') + 1, '\n')[1], '\0');
    free(s);
    assert_int_equal(recap_format_from_name("yaml", &f), RECAP_EINVAL);
    o.version = 99;
    assert_int_equal(recap_results_format(r, &o, &s, NULL), RECAP_EINVAL);
    assert_null(s);
    recap_results_free(r);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_wrap_words),
        cmocka_unit_test(test_wrap_cjk),
        cmocka_unit_test(test_wrap_highlight),
        cmocka_unit_test(test_format_text),
        cmocka_unit_test(test_format_scripts),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
