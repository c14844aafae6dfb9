/*
 * test_qparse.c: the query parser.  The data-driven cases are in
 * tests/data/qparse/cases.txt (format at its top); this file runs them in
 * both modes, checks the API contract, times pathological inputs, and
 * replays the fuzz target on the cases and on generated garbage.
 */
#define _POSIX_C_SOURCE 200809L
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "qparse.h"
#include "util.h"

/* The fuzz target, replayed here under gcc (it defines
 * LLVMFuzzerTestOneInput and nothing else). */
#include "../fuzz/fuzz_qparse.c"

#ifndef RECAP_TEST_DATA
#define RECAP_TEST_DATA "tests/data"
#endif

/* Parses q and returns its s-expression (or NULL when rc != OK); rc and the
 * problem go to the out-parameters. */
static char *
parse_sexp(const char *q, size_t len, const qparse_options *o, recap_status *rc,
           qparse_error *e)
{
    qparse_tree *t = NULL;
    char *s = NULL;

    *rc = qparse_parse(q, len, o, &t, e);
    if (*rc == RECAP_OK) {
        s = qparse_node_sexp(qparse_tree_root(t));
        assert_non_null(s);
    } else {
        assert_null(t);
    }
    qparse_tree_free(t);
    return s;
}

/* ---- data-driven cases -------------------------------------------------- */

typedef struct case_opts {
    qparse_options o;
    char names[2][512];       /* the words of @fields and @dates */
    const char *lists[2][32]; /* NULL-terminated pointers into names */
} case_opts;

static void
set_names(case_opts *c, int which, const char *words)
{
    char *save = NULL, *w;
    size_t n = 0;

    snprintf(c->names[which], sizeof(c->names[which]), "%s", words);
    for (w = strtok_r(c->names[which], " ", &save); w && n < 31;
         w = strtok_r(NULL, " ", &save))
        c->lists[which][n++] = w;
    c->lists[which][n] = NULL;
    if (which == 0)
        c->o.fields = c->lists[0];
    else
        c->o.date_fields = c->lists[1];
}

static void
apply_directive(case_opts *c, const char *line, int lineno)
{
    if (strncmp(line, "@fields", 7) == 0)
        set_names(c, 0, line + 7);
    else if (strncmp(line, "@dates", 6) == 0)
        set_names(c, 1, line + 6);
    else if (strncmp(line, "@depth ", 7) == 0)
        c->o.max_depth = (unsigned)atoi(line + 7);
    else if (strncmp(line, "@terms ", 7) == 0)
        c->o.max_terms = (unsigned)atoi(line + 7);
    else if (strcmp(line, "@defaults") == 0)
        c->o = (qparse_options)QPARSE_OPTIONS_INIT;
    else
        fail_msg("cases.txt:%d: unknown directive %s", lineno, line);
}

/* Runs one case; returns 1 when it passes, printing why it does not. */
static int
run_case(const case_opts *c, int lineno, const char *q, const char *want,
         const char *want_err)
{
    qparse_options o = c->o;
    qparse_error e;
    recap_status rc;
    char *got, *strict;
    int ok = 1;

    got = parse_sexp(q, strlen(q), &o, &rc, &e);
    if (rc != RECAP_OK || strcmp(got, want) != 0) {
        fprintf(stderr, "cases.txt:%d: [%s]\n  want %s\n  got  %s\n", lineno, q,
                want, got ? got : "(failed)");
        ok = 0;
    }
    if (strcmp(e.msg, want_err ? want_err : "") != 0) {
        fprintf(stderr,
                "cases.txt:%d: [%s] lenient problem\n  want %s\n"
                "  got  %s\n",
                lineno, q, want_err ? want_err : "(none)", e.msg);
        ok = 0;
    }
    o.flags |= QPARSE_STRICT;
    strict = parse_sexp(q, strlen(q), &o, &rc, &e);
    if (want_err && (rc != RECAP_EQUERY || strcmp(e.msg, want_err) != 0)) {
        fprintf(stderr,
                "cases.txt:%d: [%s] strict: want error %s, got rc %d"
                " %s\n",
                lineno, q, want_err, rc, e.msg);
        ok = 0;
    }
    if (!want_err && (rc != RECAP_OK || strcmp(strict, want) != 0)) {
        fprintf(stderr, "cases.txt:%d: [%s] strict: rc %d %s %s\n", lineno, q,
                rc, strict ? strict : "", e.msg);
        ok = 0;
    }
    free(got);
    free(strict);
    return ok;
}

/* Reads cases.txt and, for each case, calls fn(query) or, when fn is NULL,
 * runs it, counting failures in *n_failed.  Returns the number of cases. */
static int
for_each_case(void (*fn)(const char *q), int *n_failed)
{
    char *data, *line, *next;
    const char *q = NULL, *want = NULL, *err = NULL;
    size_t len;
    int lineno = 0, qline = 0, n_cases = 0;
    case_opts c;

    memset(&c, 0, sizeof(c));
    c.o = (qparse_options)QPARSE_OPTIONS_INIT;
    assert_int_equal(
        util_read_file(RECAP_TEST_DATA "/qparse/cases.txt", &data, &len), 0);
    *n_failed = 0;
    for (line = data; line; line = next) {
        int ends_case;
        next = strchr(line, '\n');
        if (next)
            *next++ = '\0';
        lineno++;
        /* A case ends at the next case, directive, or the end of file. */
        ends_case = !next || strncmp(line, "q:", 2) == 0 || line[0] == '@';
        if (!next && strncmp(line, "!: ", 3) == 0)
            err = line + 3;
        if (ends_case && q) {
            if (!want)
                fail_msg("cases.txt:%d: a query without =:", qline);
            else if (fn)
                fn(q);
            else if (!run_case(&c, qline, q, want, err))
                (*n_failed)++;
            n_cases++;
            q = want = err = NULL;
        }
        if (strncmp(line, "q:", 2) == 0) {
            q = line[2] == ' ' ? line + 3 : line + 2;
            qline = lineno;
        } else if (strncmp(line, "=: ", 3) == 0 && q && !want) {
            want = line + 3;
        } else if (strncmp(line, "!: ", 3) == 0 && want) {
            err = line + 3;
        } else if (line[0] == '@') {
            apply_directive(&c, line, lineno);
        } else if (line[0] && line[0] != '#' && next) {
            fail_msg("cases.txt:%d: cannot read: %s", lineno, line);
        }
    }
    free(data);
    return n_cases;
}

static void
test_cases(void **state)
{
    int failed, n;

    (void)state;
    n = for_each_case(NULL, &failed);
    fprintf(stderr, "%d cases, %d failed\n", n, failed);
    assert_true(n >= 60);
    assert_int_equal(failed, 0);
}

/* ---- the API contract --------------------------------------------------- */

static void
test_api_misuse(void **state)
{
    qparse_tree *t = (qparse_tree *)&t;
    qparse_options o = QPARSE_OPTIONS_INIT;
    qparse_error e;

    (void)state;
    assert_int_equal(qparse_parse("a", 1, NULL, NULL, &e), RECAP_EINVAL);
    assert_int_equal(qparse_parse(NULL, 3, NULL, &t, &e), RECAP_EINVAL);
    assert_null(t);
    o.version = 99;
    assert_int_equal(qparse_parse("a", 1, &o, &t, NULL), RECAP_EINVAL);
    /* A NULL query of length 0 is the empty query. */
    assert_int_equal(qparse_parse(NULL, 0, NULL, &t, &e), RECAP_OK);
    assert_null(qparse_tree_root(t));
    assert_string_equal(e.msg, "");
    qparse_tree_free(t);
    qparse_tree_free(NULL);
    assert_null(qparse_tree_root(NULL));
    assert_string_equal(qparse_kind_name(QPARSE_NEAR), "near");
}

static void
test_node_slices(void **state)
{
    /* Not NUL-terminated, and changed after parsing: the tree owns a copy. */
    char q[] = "  Title:\"a b\" -mesh* date:2024..2025 x";
    size_t len = strlen(q);
    const qparse_node *r, *f, *n;
    qparse_tree *t;

    (void)state;
    assert_int_equal(qparse_parse(q, len, NULL, &t, NULL), RECAP_OK);
    memset(q, 'z', len);
    r = qparse_tree_root(t);
    assert_int_equal(r->kind, QPARSE_AND);
    assert_true(r->flags & QPARSE_IMPLICIT);
    assert_int_equal(r->n_kids, 4);
    assert_int_equal(r->off, 2);

    f = r->kids[0];
    assert_int_equal(f->kind, QPARSE_FIELD);
    assert_int_equal(f->off, 2);
    assert_int_equal(f->field_len, 5);
    assert_memory_equal(f->field, "title", 5);
    assert_int_equal(f->kids[0]->kind, QPARSE_PHRASE);
    assert_int_equal(f->kids[0]->off, 8);
    assert_int_equal(f->kids[0]->text_len, 3);
    assert_memory_equal(f->kids[0]->text, "a b", 3);

    n = r->kids[1];
    assert_int_equal(n->kind, QPARSE_NOT);
    assert_int_equal(n->off, 14);
    assert_int_equal(n->n_kids, 1);
    assert_int_equal(n->kids[0]->kind, QPARSE_WORD);
    assert_true(n->kids[0]->flags & QPARSE_PREFIX);
    assert_int_equal(n->kids[0]->off, 15);
    assert_int_equal(n->kids[0]->text_len, 4);
    assert_memory_equal(n->kids[0]->text, "mesh", 4);

    n = r->kids[2];
    assert_int_equal(n->kind, QPARSE_DATE);
    assert_int_equal(n->off, 21);
    assert_int_equal(n->lo_len, 4);
    assert_memory_equal(n->lo, "2024", 4);
    assert_int_equal(n->hi_len, 4);
    assert_memory_equal(n->hi, "2025", 4);
    assert_int_equal(r->kids[3]->off, 37);
    assert_int_equal(qparse_tree_n_terms(t), 5); /* "a b" is two */
    qparse_tree_free(t);
}

static void
test_problem_in_lenient_mode(void **state)
{
    qparse_tree *t;
    qparse_error e;

    (void)state;
    assert_int_equal(qparse_parse("a (b \"c", 7, NULL, &t, &e), RECAP_OK);
    /* Both the quote (5) and the parenthesis (2) are unbalanced: the
     * problem kept is the first in the query. */
    assert_int_equal(e.off, 2);
    assert_string_equal(e.msg, "unbalanced parenthesis at 2");
    qparse_tree_free(t);
}

static void
test_depth_limit_is_clamped(void **state)
{
    qparse_options o = QPARSE_OPTIONS_INIT;
    strbuf b = STRBUF_INIT;
    qparse_error e;
    recap_status rc;
    char *s;

    (void)state;
    o.max_depth = 100000;
    o.flags = QPARSE_STRICT;
    for (int i = 0; i < 300; i++)
        strbuf_putc(&b, '(');
    strbuf_putc(&b, 'a');
    for (int i = 0; i < 300; i++)
        strbuf_putc(&b, ')');
    s = parse_sexp(b.data, b.len, &o, &rc, &e);
    assert_int_equal(rc, RECAP_EQUERY);
    assert_string_equal(e.msg, "nesting deeper than 256 at 256");
    free(s);
    strbuf_free(&b);
}

/* ---- pathological inputs ------------------------------------------------ */

/* Generous enough for the sanitizer build on a loaded machine; a quadratic
 * parser takes minutes on these. */
#define PATHO_SECONDS 3.0

typedef struct patho {
    const char *name;
    const char *unit; /* repeated n times */
    size_t n;
    const char *tail;
    const char *want; /* lenient tree, or NULL not to check */
    int strict_ok;    /* strict mode accepts it */
} patho;

static const patho pathos[] = {
    {"open parens", "(", 100000, "a", "(word a)", 0},
    {"closed parens", "(", 100000, "a" /* closed below */, NULL, 0},
    {"close parens", ")", 100000, "a", "(word a)", 0},
    {"quotes even", "\"", 1000000, "", "()", 0},
    {"quotes odd", "\"", 1000001, "", "()", 0},
    {"typographic quotes", "\xe2\x80\x9c", 300000, "x", "(word x)", 0},
    {"words", "w ", 10000, "", NULL, 0},
    {"or chain", "a OR ", 100000, "b", NULL, 0},
    {"and chain", "a AND ", 100000, "b", NULL, 0},
    {"operators", "OR ", 100000, "", "(and* (word OR) (word OR))", 0},
    {"nots", "NOT ", 100000, "a", "(word a)", 1},
    {"minus groups", "-(", 100000, "a", NULL, 0},
    {"near chain", "a NEAR ", 100000, "b", NULL, 0},
    {"field groups", "title:(", 100000, "a", NULL, 0},
    {"field words", "title:", 100000, "a", NULL, 1},
    {"one word", "x", 1000000, "", NULL, 1},
    {"minuses", "-", 1000000, "", NULL, 1},
    {"stars", "*", 1000000, "", "()", 0},
    {"quote then words", "a ", 500000, "\"", NULL, 0},
    {"paren quote", "(\"", 100000, "", NULL, 0},
    {"dates", "date:2024..", 100000, "", NULL, 0},
    {"full-width parens", "\xef\xbc\x88", 100000, "a", "(word a)", 0},
};

static void
test_pathological(void **state)
{
    (void)state;
    for (size_t i = 0; i < UTIL_ARRAY_LEN(pathos); i++) {
        const patho *pt = &pathos[i];
        strbuf b = STRBUF_INIT;
        double t0, dt;
        recap_status rc;
        qparse_error e;
        qparse_options o = QPARSE_OPTIONS_INIT;
        qparse_tree *t;
        char *s;

        for (size_t k = 0; k < pt->n; k++)
            strbuf_puts(&b, pt->unit);
        strbuf_puts(&b, pt->tail);
        if (strcmp(pt->name, "closed parens") == 0)
            for (size_t k = 0; k < pt->n; k++)
                strbuf_putc(&b, ')');
        assert_false(b.oom);

        t0 = util_cpu_now();
        s = parse_sexp(b.data, b.len, &o, &rc, &e);
        assert_int_equal(rc, RECAP_OK);
        if (pt->want)
            assert_string_equal(s, pt->want);
        free(s);
        o.flags = QPARSE_STRICT;
        assert_int_equal(qparse_parse(b.data, b.len, &o, &t, &e),
                         pt->strict_ok ? RECAP_OK : RECAP_EQUERY);
        qparse_tree_free(t);
        dt = util_cpu_now() - t0;
        fprintf(stderr, "%-20s %8zu bytes %.3f s  %s\n", pt->name, b.len, dt,
                e.msg);
        assert_true(dt < PATHO_SECONDS);
        strbuf_free(&b);
    }
}

/* Linear, not just fast: ten times the input takes well under a hundred
 * times as long. */
static void
test_linear_growth(void **state)
{
    static const char *const units[] = {"(", "a OR ", "\"", "-(", "NOT "};
    (void)state;
    for (size_t u = 0; u < UTIL_ARRAY_LEN(units); u++) {
        double dt[2];
        for (int k = 0; k < 2; k++) {
            size_t n = k ? 200000 : 20000;
            strbuf b = STRBUF_INIT;
            qparse_tree *t;
            double t0;
            for (size_t i = 0; i < n; i++)
                strbuf_puts(&b, units[u]);
            strbuf_putc(&b, 'x');
            t0 = util_cpu_now();
            assert_int_equal(qparse_parse(b.data, b.len, NULL, &t, NULL),
                             RECAP_OK);
            dt[k] = util_cpu_now() - t0;
            qparse_tree_free(t);
            strbuf_free(&b);
        }
        fprintf(stderr, "'%s': %.4f s -> %.4f s\n", units[u], dt[0], dt[1]);
        assert_true(dt[1] < 30 * dt[0] + 0.05);
    }
}

static void
test_many_terms(void **state)
{
    strbuf b = STRBUF_INIT;
    qparse_options o = QPARSE_OPTIONS_INIT;
    qparse_tree *t;
    qparse_error e;
    const qparse_node *r;

    (void)state;
    for (int i = 0; i < 10000; i++)
        strbuf_printf(&b, "w%d ", i);
    assert_int_equal(qparse_parse(b.data, b.len, &o, &t, &e), RECAP_OK);
    r = qparse_tree_root(t);
    assert_int_equal(r->kind, QPARSE_AND);
    assert_int_equal(r->n_kids, QPARSE_DEFAULT_MAX_TERMS);
    assert_int_equal(qparse_tree_n_terms(t), QPARSE_DEFAULT_MAX_TERMS);
    assert_memory_equal(r->kids[63]->text, "w63", 3);
    /* "w64" starts at 3 * 10 + 4 * 54 = 246. */
    assert_string_equal(e.msg, "more than 64 terms at 246");
    qparse_tree_free(t);
    strbuf_free(&b);
}

/* ---- fuzz target replay ------------------------------------------------- */

static void
fuzz_one(const char *q)
{
    LLVMFuzzerTestOneInput((const uint8_t *)q, strlen(q));
}

static void
test_fuzz_replay(void **state)
{
    uint32_t x = 2463534242u;
    static const char alphabet[] = "ab \"()-+*:.OANDRTE/5\xe2\x80\x9c\xc2";
    static const char *const words[] = {
        "OR ",          "AND ", "NOT ",   "NEAR/3 ", "title:", "date:",
        "2024",         "..",   "(",      ")",       "\"",     "-",
        "\xef\xbc\x88", "x* ",  "after:", " "};
    int failed;

    (void)state;
    for_each_case(fuzz_one, &failed);
    /* Deterministic garbage: random bytes, then random syntax pieces. */
    for (int i = 0; i < 20000; i++) {
        char buf[64];
        size_t n = 0, want;
        x ^= x << 13, x ^= x >> 17, x ^= x << 5;
        want = x % sizeof(buf);
        while (n < want) {
            x ^= x << 13, x ^= x >> 17, x ^= x << 5;
            if (i % 2) {
                buf[n++] = alphabet[x % (sizeof(alphabet) - 1)];
            } else {
                const char *w = words[x % UTIL_ARRAY_LEN(words)];
                size_t wl = strlen(w);
                if (n + wl > sizeof(buf))
                    break;
                memcpy(buf + n, w, wl);
                n += wl;
            }
        }
        if (i % 3 == 0 && n > 0)
            buf[0] = 0x01; /* the target's tiny caps */
        LLVMFuzzerTestOneInput((const uint8_t *)buf, n);
    }
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cases),
        cmocka_unit_test(test_api_misuse),
        cmocka_unit_test(test_node_slices),
        cmocka_unit_test(test_problem_in_lenient_mode),
        cmocka_unit_test(test_depth_limit_is_clamped),
        cmocka_unit_test(test_pathological),
        cmocka_unit_test(test_linear_growth),
        cmocka_unit_test(test_many_terms),
        cmocka_unit_test(test_fuzz_replay),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
