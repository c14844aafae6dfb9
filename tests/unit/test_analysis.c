/*
 * test_analysis.c: the tokenizer against tests/data/analysis/tokens.txt,
 * query/document term alignment, positions, pathological inputs,
 * normalisation and stemming.
 */
#define _POSIX_C_SOURCE 200809L
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "analysis.h"
#include "util.h"

static const char *const kind_names[] = {"word", "part", "joined", "uni", "bi"};

/* ---- collecting tokens -------------------------------------------------- */

typedef struct tok_list {
    analysis_token *toks; /* term points into `terms` at `term_off` */
    size_t *term_off;
    size_t n, cap;
    strbuf terms;
    int stop_after; /* the callback returns 7 after this many; 0: never */
} tok_list;

static int
collect(void *ctx, const analysis_token *tok)
{
    tok_list *l = ctx;

    if (l->n == l->cap) {
        l->cap = l->cap ? 2 * l->cap : 64;
        l->toks = realloc(l->toks, l->cap * sizeof *l->toks);
        l->term_off = realloc(l->term_off, l->cap * sizeof *l->term_off);
        assert_non_null(l->toks);
        assert_non_null(l->term_off);
    }
    assert_int_equal(strlen(tok->term), tok->term_len);
    l->toks[l->n] = *tok;
    l->term_off[l->n] = l->terms.len;
    strbuf_append(&l->terms, tok->term, tok->term_len + 1);
    l->n++;
    return l->stop_after && l->n == (size_t)l->stop_after ? 7 : 0;
}

/* Fixes the term pointers once the term buffer no longer moves. */
static void
list_finish(tok_list *l)
{
    for (size_t i = 0; i < l->n; i++)
        l->toks[i].term = l->terms.data + l->term_off[i];
}

static void
list_free(tok_list *l)
{
    free(l->toks);
    free(l->term_off);
    strbuf_free(&l->terms);
    memset(l, 0, sizeof *l);
}

static uint32_t
tokenize(const char *text, size_t len, uint32_t first_pos, tok_list *l)
{
    uint32_t next = 0;

    memset(l, 0, sizeof *l);
    assert_int_equal(analysis_tokenize(text, len, first_pos, collect, l, &next),
                     0);
    list_finish(l);
    return next;
}

/* ---- the data-driven cases ---------------------------------------------- */

static void
put_utf8(strbuf *b, long cp)
{
    utf8proc_uint8_t u[4];
    utf8proc_ssize_t n = utf8proc_encode_char((utf8proc_int32_t)cp, u);

    assert_true(n > 0);
    strbuf_append(b, (const char *)u, (size_t)n);
}

/* Unescapes a "> TEXT" line of tokens.txt. */
static void
unescape(const char *s, strbuf *out)
{
    char *end;

    while (*s) {
        if (*s != '\\') {
            strbuf_putc(out, *s++);
            continue;
        }
        s++;
        switch (*s) {
        case 'x': {
            char hex[3] = {s[1], s[2], 0};
            strbuf_putc(out, (char)strtol(hex, NULL, 16));
            s += 3;
            break;
        }
        case 'u':
            assert_int_equal(s[1], '{');
            put_utf8(out, strtol(s + 2, &end, 16));
            assert_int_equal(*end, '}');
            s = end + 1;
            break;
        case 'n':
            strbuf_putc(out, '\n'), s++;
            break;
        case 'r':
            strbuf_putc(out, '\r'), s++;
            break;
        case 't':
            strbuf_putc(out, '\t'), s++;
            break;
        default:
            assert_int_not_equal(*s, '\0');
            strbuf_putc(out, *s++);
        }
    }
}

static void
format_token(strbuf *b, const analysis_token *t)
{
    strbuf_printf(b, "%s %s %u %zu %zu\n", kind_names[t->kind], t->term, t->pos,
                  t->off, t->len);
}

/* Runs one case; returns 1 when the tokens match the expected lines. */
static int
check_case(const char *input, const char *expected, int line)
{
    strbuf text = STRBUF_INIT, got = STRBUF_INIT;
    tok_list l;
    uint32_t next;
    int ok;

    unescape(input, &text);
    next = tokenize(text.data ? text.data : "", text.len, 0, &l);
    for (size_t i = 0; i < l.n; i++)
        format_token(&got, &l.toks[i]);
    strbuf_printf(&got, "next %u\n", next);
    ok = strcmp(strbuf_cstr(&got), expected) == 0;
    if (!ok)
        fprintf(stderr, "tokens.txt line %d: > %s\nexpected:\n%sgot:\n%s", line,
                input, expected, got.data);
    list_free(&l);
    strbuf_free(&text);
    strbuf_free(&got);
    return ok;
}

static void
test_token_file(void **state)
{
    char *data, *p, *line, *input = NULL;
    size_t len;
    strbuf expected = STRBUF_INIT;
    int lineno = 0, case_line = 0, n_cases = 0, n_failed = 0;

    (void)state;
    assert_int_equal(
        util_read_file(RECAP_TEST_DATA "/analysis/tokens.txt", &data, &len), 0);
    for (p = data; p && *p; lineno++) {
        line = p;
        p = strchr(p, '\n');
        if (p)
            *p++ = '\0';
        if (line[0] == '#')
            continue;
        if (line[0] == '>' || line[0] == '\0') {
            if (input) {
                n_failed +=
                    !check_case(input, strbuf_cstr(&expected), case_line);
                n_cases++;
            }
            input = NULL;
            strbuf_reset(&expected);
            if (line[0] == '>') {
                assert_int_equal(line[1], ' ');
                input = line + 2;
                case_line = lineno + 1;
            }
            continue;
        }
        assert_non_null(input);
        strbuf_puts(&expected, line);
        strbuf_putc(&expected, '\n');
    }
    if (input) {
        n_failed += !check_case(input, strbuf_cstr(&expected), case_line);
        n_cases++;
    }
    free(data);
    strbuf_free(&expected);
    assert_true(n_cases >= 35);
    assert_int_equal(n_failed, 0);
}

/* ---- query and document terms line up ----------------------------------- */

static int
has_term(const tok_list *doc, const char *term, int any_pos, uint32_t pos)
{
    for (size_t i = 0; i < doc->n; i++)
        if ((any_pos || doc->toks[i].pos == pos) &&
            strcmp(doc->toks[i].term, term) == 0)
            return 1;
    return 0;
}

/*
 * Whether the query finds the document the way a query side can match:
 * the query's WORD/PART/CJK_UNI tokens as a phrase (same relative
 * positions), or the query's JOINED term anywhere.
 */
static int
query_finds(const char *query, const char *doc_text)
{
    tok_list q, d;
    int found = 0;

    tokenize(query, strlen(query), 0, &q);
    tokenize(doc_text, strlen(doc_text), 0, &d);
    assert_true(q.n > 0);
    for (size_t i = 0; i < q.n; i++)
        if (q.toks[i].kind == ANALYSIS_JOINED &&
            has_term(&d, q.toks[i].term, 1, 0))
            found = 1;
    for (size_t b = 0; b < d.n && !found; b++) {
        uint32_t base = d.toks[b].pos;
        int all = 1;
        for (size_t i = 0; i < q.n && all; i++) {
            analysis_kind k = q.toks[i].kind;
            if (k == ANALYSIS_JOINED || k == ANALYSIS_CJK_BI)
                continue;
            all = has_term(&d, q.toks[i].term, 0, base + q.toks[i].pos);
        }
        found = all;
    }
    list_free(&q);
    list_free(&d);
    return found;
}

static void
test_query_doc_alignment(void **state)
{
    static const char *const multi_docs[] = {
        "Istio supports multi-cluster meshes.",
        "Istio supports Multi_Cluster meshes.",
    };
    static const char *const multi_queries[] = {
        "multi-cluster", "multicluster",  "multi cluster",
        "Multi_Cluster", "MULTI-CLUSTER", "ｍｕｌｔｉ－ｃｌｕｓｔｅｒ",
    };

    (void)state;
    for (size_t d = 0; d < UTIL_ARRAY_LEN(multi_docs); d++)
        for (size_t q = 0; q < UTIL_ARRAY_LEN(multi_queries); q++) {
            if (!query_finds(multi_queries[q], multi_docs[d]))
                fail_msg("query '%s' misses doc '%s'", multi_queries[q],
                         multi_docs[d]);
        }
    /* Documents written as one word or as two words. */
    assert_true(query_finds("multi-cluster", "a multicluster mesh"));
    assert_true(query_finds("multicluster", "a multicluster mesh"));
    assert_true(query_finds("multi-cluster", "a multi cluster mesh"));
    assert_true(query_finds("multi cluster", "a multi cluster mesh"));
    /* Order matters for the phrase. */
    assert_false(query_finds("cluster multi", "a multi-cluster mesh"));
    assert_false(query_finds("multicluster", "a multi cluster mesh"));

    assert_true(query_finds("cve-2019-12995", "fixes CVE-2019-12995."));
    assert_true(query_finds("CVE 2019 12995", "fixes CVE-2019-12995."));
    assert_true(query_finds("cve201912995", "fixes CVE-2019-12995."));
    assert_false(query_finds("cve-2019-12996", "fixes CVE-2019-12995."));

    assert_true(query_finds("x_forwarded_for", "the X-Forwarded-For header"));
    assert_true(query_finds("xforwardedfor", "the X-Forwarded-For header"));
    assert_true(query_finds("forwarded for", "the X-Forwarded-For header"));
    assert_true(query_finds("X-Forwarded-For", "set x_forwarded_for"));

    assert_true(query_finds("v1.25.2", "Istio v1.25.2 is out."));
    assert_true(query_finds("v1.25", "Istio v1.25.2 is out."));
    assert_false(query_finds("v1.25.3", "Istio v1.25.2 is out."));
    assert_false(query_finds("1.25", "Istio v1.25.2 is out."));
    assert_true(query_finds("istio-ingressgateway",
                            "kubectl get svc istio-ingressgateway -n x"));
    assert_true(query_finds("ingressgateway",
                            "kubectl get svc istio-ingressgateway -n x"));
    assert_true(query_finds("MTLS", "enable mTLS"));

    assert_true(query_finds("多集群", "在多集群中使用Istio"));
    assert_true(query_finds("集群", "在多集群中使用Istio"));
    assert_true(query_finds("istio", "在多集群中使用Istio"));
    assert_false(query_finds("群集", "在多集群中使用Istio"));

    assert_true(query_finds("СІТКА", "сервісна сітка"));
    assert_true(query_finds("м'ясо", "м’ясо"));
    assert_true(query_finds("пам'ять", "памʼять"));
    assert_true(query_finds("istio", "Istio’s control plane"));
}

/* ---- positions ---------------------------------------------------------- */

static void
test_positions(void **state)
{
    tok_list l;
    uint32_t next;

    (void)state;
    next = tokenize("alpha beta", 10, 100, &l);
    assert_int_equal(l.n, 2);
    assert_int_equal(l.toks[0].pos, 100);
    assert_int_equal(l.toks[1].pos, 101);
    assert_int_equal(next, 102);
    list_free(&l);

    /* A second piece of the same field, after a gap of 100. */
    next = tokenize("multi-cluster 多集", 20, next + 100, &l);
    assert_int_equal(l.n, 6);
    assert_int_equal(l.toks[0].pos, 202); /* multi */
    assert_int_equal(l.toks[1].pos, 203); /* cluster */
    assert_int_equal(l.toks[2].pos, 202); /* multicluster */
    assert_int_equal(l.toks[3].pos, 204); /* 多 */
    assert_int_equal(l.toks[4].pos, 204); /* 多集 */
    assert_int_equal(l.toks[5].pos, 205); /* 集 */
    assert_int_equal(next, 206);
    list_free(&l);

    /* Nothing to tokenize: next_pos is first_pos. */
    assert_int_equal(tokenize("", 0, 42, &l), 42);
    assert_int_equal(tokenize(NULL, 0, 43, &l), 43);
    assert_int_equal(tokenize(" ,;. ", 5, 44, &l), 44);
    assert_int_equal(l.n, 0);
    list_free(&l);

    /* next_pos may be NULL, and `len` bounds the text (no NUL needed). */
    memset(&l, 0, sizeof l);
    assert_int_equal(analysis_tokenize("abc def", 5, 0, collect, &l, NULL), 0);
    list_finish(&l);
    assert_int_equal(l.n, 2);
    assert_string_equal(l.toks[1].term, "d");
    list_free(&l);
}

static void
test_stop_early(void **state)
{
    tok_list l;
    uint32_t next = 0;

    (void)state;
    memset(&l, 0, sizeof l);
    l.stop_after = 2;
    assert_int_equal(
        analysis_tokenize("one two three four", 18, 0, collect, &l, &next), 7);
    assert_int_equal(l.n, 2);
    assert_int_equal(next, 2);
    list_free(&l);

    /* Stopping inside a joined chain and a CJK run reports nothing more. */
    memset(&l, 0, sizeof l);
    l.stop_after = 1;
    assert_int_equal(analysis_tokenize("a-b-c", 5, 0, collect, &l, &next), 7);
    assert_int_equal(l.n, 1);
    list_free(&l);
    memset(&l, 0, sizeof l);
    l.stop_after = 2;
    assert_int_equal(
        analysis_tokenize("多集群", strlen("多集群"), 0, collect, &l, &next),
        7);
    assert_int_equal(l.n, 2);
    list_free(&l);
}

/* ---- pathological inputs ------------------------------------------------ */

/* Tokenizes `text` and checks it took well under a second. */
static uint32_t
timed_tokenize(const char *text, size_t len, tok_list *l)
{
    double t0 = util_cpu_now();
    uint32_t next = tokenize(text, len, 0, l);
    double t = util_cpu_now() - t0;

    if (t > 0.5)
        fail_msg("tokenizing %zu bytes took %.3f s", len, t);
    return next;
}

static char *
repeat(const char *unit, size_t total, size_t *len_out)
{
    size_t n = strlen(unit), len = total / n * n;
    char *s = malloc(len + 1);

    assert_non_null(s);
    for (size_t i = 0; i < len; i += n)
        memcpy(s + i, unit, n);
    s[len] = '\0';
    *len_out = len;
    return s;
}

static void
test_megabyte_tokens(void **state)
{
    const size_t mb = 1 << 20;
    size_t len;
    char *s;
    tok_list l;

    (void)state;
    /* One 1 MB ASCII word: skipped, one position used. */
    s = repeat("a", mb, &len);
    assert_int_equal(timed_tokenize(s, len, &l), 1);
    assert_int_equal(l.n, 0);
    list_free(&l);
    free(s);

    /* The same in a non-ASCII script, and with combining marks. */
    s = repeat("é", mb, &len);
    assert_int_equal(timed_tokenize(s, len, &l), 1);
    assert_int_equal(l.n, 0);
    list_free(&l);
    free(s);
    s = repeat("e\xCC\x81", mb, &len);
    assert_int_equal(timed_tokenize(s, len, &l), 1);
    assert_int_equal(l.n, 0);
    list_free(&l);
    free(s);

    /* A 1 MB chain "a-a-a-...": every part, no JOINED. */
    s = repeat("a-", mb, &len);
    assert_int_equal(timed_tokenize(s, len, &l), mb / 2);
    assert_int_equal(l.n, mb / 2);
    assert_int_equal(l.toks[l.n - 1].kind, ANALYSIS_PART);
    list_free(&l);
    free(s);

    /* 1 MB of apostrophes inside one word, and of invalid bytes. */
    s = repeat("a'", mb, &len);
    assert_int_equal(timed_tokenize(s, len, &l), 1);
    list_free(&l);
    free(s);
    s = repeat("\x80", mb, &len);
    assert_int_equal(timed_tokenize(s, len, &l), 0);
    list_free(&l);
    free(s);

    /* 1 MB of one CJK run: a unigram per character, a bigram per pair. */
    s = repeat("多集群", mb, &len);
    assert_int_equal(timed_tokenize(s, len, &l), len / 3);
    assert_int_equal(l.n, 2 * (len / 3) - 1);
    list_free(&l);
    free(s);
}

/* A small deterministic generator for the random-input test. */
static uint32_t
next_rand(uint64_t *state)
{
    *state = *state * 6364136223846793005ULL + 1442695040888963407ULL;
    return (uint32_t)(*state >> 33);
}

static int
contains(const char *s, size_t len, const char *needle)
{
    size_t n = strlen(needle);

    for (size_t i = 0; i + n <= len; i++)
        if (memcmp(s + i, needle, n) == 0)
            return 1;
    return 0;
}

static int
valid_utf8(const char *s, size_t len)
{
    utf8proc_int32_t cp;
    size_t i = 0;

    while (i < len) {
        utf8proc_ssize_t n = utf8proc_iterate((const utf8proc_uint8_t *)s + i,
                                              (utf8proc_ssize_t)(len - i), &cp);
        if (n <= 0)
            return 0;
        i += (size_t)n;
    }
    return 1;
}

/* Pieces the random-input tests glue together: ASCII, joiners,
 * apostrophes, multi-byte letters, marks, compatibility forms, digits of
 * other scripts and broken sequences. */
static const char *const pieces[] = {
    "a",
    "Z",
    "q",
    "7",
    " ",
    "-",
    "_",
    ".",
    "'",
    "s",
    "S",
    "\xE2\x80\x99",
    "é",
    "É",
    "\xCC\x81",
    "多",
    "ガ",
    "ｶ",
    "\xEF\xBE\x9E",
    "Ж",
    "ж",
    "ﬁ",
    "\xC2\xAD",
    "\x80",
    "\xE4\xB8",
    "\xF0\x9D\x90\x80",
    "\xED\xA0\x80",
    "\xC0\xAF",
    "ǅ",
    "١",
    "Ⅻ",
    "\xE2\x80\x8D",
    "한",
    "\xF0\xA0\x80\x80",
};

/*
 * Random mixtures of ASCII, joiners, apostrophes, multi-byte characters,
 * marks and broken sequences: every token is in range, valid UTF-8 and at
 * most ANALYSIS_MAX_TERM bytes, and a WORD's term is what
 * analysis_normalize() makes of its text.
 */
static void
test_random_input(void **state)
{
    uint64_t seed = 12345;
    strbuf text = STRBUF_INIT;
    tok_list l;
    size_t n_checked = 0;

    (void)state;
    for (int round = 0; round < 200; round++) {
        strbuf_reset(&text);
        for (int i = 0; i < 400; i++)
            strbuf_puts(&text,
                        pieces[next_rand(&seed) % UTIL_ARRAY_LEN(pieces)]);
        uint32_t next = tokenize(text.data, text.len, 0, &l);
        uint32_t last_pos = 0;
        for (size_t i = 0; i < l.n; i++) {
            const analysis_token *t = &l.toks[i];
            assert_true(t->term_len > 0 && t->term_len <= ANALYSIS_MAX_TERM);
            assert_true(t->len > 0 && t->off + t->len <= text.len);
            assert_true(valid_utf8(t->term, t->term_len));
            assert_true(valid_utf8(text.data + t->off, t->len));
            assert_true(t->pos < next);
            assert_true(t->pos >= last_pos || t->kind == ANALYSIS_JOINED);
            if (t->kind != ANALYSIS_JOINED)
                last_pos = t->pos;
            if (t->kind == ANALYSIS_WORD &&
                !contains(text.data + t->off, t->len, "'") &&
                !contains(text.data + t->off, t->len, "\xE2\x80\x99")) {
                n_checked++;
                char *norm;
                size_t norm_len;
                assert_int_equal(analysis_normalize(text.data + t->off, t->len,
                                                    &norm, &norm_len),
                                 0);
                assert_int_equal(norm_len, t->term_len);
                assert_memory_equal(norm, t->term, norm_len);
                free(norm);
            }
        }
        list_free(&l);
    }
    strbuf_free(&text);
    assert_true(n_checked > 1000);
}

/* ---- fast path against the general path -------------------------------- */

/* Tokenizes `text` and writes every token, and whether and how it stems,
 * as one line each into `out`. */
static void
token_dump(const char *text, size_t len, analysis_stemmer *st, strbuf *out)
{
    tok_list l;
    char line[64];

    strbuf_reset(out);
    uint32_t next = tokenize(text, len, 3, &l);
    for (size_t i = 0; i < l.n; i++) {
        const analysis_token *t = &l.toks[i];
        size_t stem_len = 0;
        const char *stem =
            analysis_is_stemmable(t)
                ? analysis_stem(st, t->term, t->term_len, &stem_len)
                : NULL;
        snprintf(line, sizeof line, "%s %zu %zu %u ", kind_names[t->kind],
                 t->off, t->len, (unsigned)t->pos);
        strbuf_puts(out, line);
        strbuf_append(out, t->term, t->term_len);
        strbuf_puts(out, " ");
        if (stem)
            strbuf_append(out, stem, stem_len);
        strbuf_puts(out, "\n");
    }
    snprintf(line, sizeof line, "next %u\n", (unsigned)next);
    strbuf_puts(out, line);
    list_free(&l);
}

/* Asserts that the fast and the general path agree on `text`. */
static void
check_same_paths(const char *text, size_t len, analysis_stemmer *st,
                 strbuf *fast, strbuf *general)
{
    analysis_test_general_path(0);
    token_dump(text, len, st, fast);
    analysis_test_general_path(1);
    token_dump(text, len, st, general);
    analysis_test_general_path(0);
    if (fast->len != general->len ||
        memcmp(fast->data, general->data, fast->len) != 0)
        fail_msg("paths differ on \"%.*s\":\nfast:\n%s\ngeneral:\n%s", (int)len,
                 text, fast->data, general->data);
}

static void
test_fast_path_matches_general(void **state)
{
    static const char *const fixed[] = {
        "EnvoyFilter mTLS IPv6 HTTPServer don't Istio's istio's x-y.z_w",
        "aB-cD.eF_gH iJkLmNoPqRsTuVwXyZaBcDeF a.b.c.d.e.f.g.h.i.j",
        "ǅungla Straße ﬁle Ωmega ΣΊΣΥΦΟΣ café cafe\xCC\x81 x\xC2\xAD"
        "y",
        "пам'ять м\xE2\x80\x99ясо Київ2024 istio\xE2\x80\x99s",
        "多语言ガｶ\xEF\xBE\x9E한국어 東京2024 Ｆｕｌｌ１２",
        "\x80\xC0\xAF\xED\xA0\x80\xE4\xB8 abc\xFF\xFE"
        "def \xF0\x9D\x90\x80x",
        "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa "
        "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAb",
        "aBcDeFgHiJkLmNoPqRsTuVwXyZaBcDeFgHiJkLmNoPqRsTuVwXyZaBcDeFgHiJkL"
        "mNoPqRsTuVwXyZaBcDeFgHiJkLmNoPqRsTuVwXyZaBcDeFgHiJkLmNoPqRsTuVwXyZ"
        "aBcDeFgHiJkLmNoPqRsTuVwXyZaBcDeFgHiJkLmNoPqRsTuVwXyZaBcDeFgHiJkL",
    };
    analysis_stemmer *en = analysis_stemmer_new("en");
    analysis_stemmer *ru = analysis_stemmer_new("ru");
    strbuf text = STRBUF_INIT, fast = STRBUF_INIT, general = STRBUF_INIT;
    uint64_t seed = 777;
    char buf[32];

    (void)state;
    assert_non_null(en);
    assert_non_null(ru);
    for (size_t i = 0; i < UTIL_ARRAY_LEN(fixed); i++)
        check_same_paths(fixed[i], strlen(fixed[i]), en, &fast, &general);
    /* The case that must differ in no path: something is compared. */
    token_dump(fixed[0], strlen(fixed[0]), en, &fast);
    assert_non_null(strstr(fast.data, "part 0 5 3 envoy envoy\n"));
    for (int round = 0; round < 300; round++) {
        strbuf_reset(&text);
        for (int i = 0; i < 200; i++)
            strbuf_puts(&text,
                        pieces[next_rand(&seed) % UTIL_ARRAY_LEN(pieces)]);
        check_same_paths(text.data, text.len, round % 2 ? ru : en, &fast,
                         &general);
    }
    /* Every code point, between letters, after an upper-case letter and
     * alone, so each goes through the table of classified code points. */
    for (int32_t cp = 0x80; cp <= 0x10FFFF; cp++) {
        utf8proc_uint8_t enc[4];
        utf8proc_ssize_t n;
        if (cp >= 0xD800 && cp <= 0xDFFF)
            continue;
        if (cp >= 0x10000 && cp % 7 != 0 && !(cp >= 0x1AFF0 && cp < 0x1B170))
            continue; /* the astral planes go the general way anyway */
        n = utf8proc_encode_char(cp, enc);
        int len = snprintf(buf, sizeof buf, "xA%.*sbC %.*s", (int)n,
                           (const char *)enc, (int)n, (const char *)enc);
        check_same_paths(buf, (size_t)len, cp % 2 ? ru : en, &fast, &general);
    }
    analysis_stemmer_free(en);
    analysis_stemmer_free(ru);
    strbuf_free(&text);
    strbuf_free(&fast);
    strbuf_free(&general);
}

/* A text that is one word, as the snippets tokenize the runs around their
 * matches (analysis_tokenize takes a shortcut for a plain ASCII word and
 * trailing joiners): the same tokens and next position as the general
 * path, for words of every length up to past ANALYSIS_MAX_TERM, capitals,
 * camelCase turns, digits, trailing and inner joiners, apostrophes. */
static void
test_one_word_texts(void **state)
{
    static const char *const fixed[] = {
        "a",     "Istio",  "istio.", "mesh--",      "mesh._", "IPv6", "mTLS",
        "x'",    "mesh.x", "HTTP",   "v1",          "2024",   "a-b",  "Istio's",
        "mesh-", "_mesh",  ".mesh",  "caf\xc3\xa9", "mesh ",  "meshA"};
    static const char alphabet[] = "abcxyzABCXYZ0189-_.'";
    analysis_stemmer *en = analysis_stemmer_new("en");
    strbuf text = STRBUF_INIT, fast = STRBUF_INIT, general = STRBUF_INIT;
    uint64_t seed = 4242;

    (void)state;
    assert_non_null(en);
    for (size_t i = 0; i < UTIL_ARRAY_LEN(fixed); i++)
        check_same_paths(fixed[i], strlen(fixed[i]), en, &fast, &general);
    for (size_t n = ANALYSIS_MAX_TERM - 2; n <= ANALYSIS_MAX_TERM + 2; n++)
        for (size_t tail = 0; tail < 10; tail += 3) {
            strbuf_reset(&text);
            for (size_t i = 0; i < n; i++)
                strbuf_putc(&text, (char)('a' + i % 26));
            for (size_t i = 0; i < tail; i++)
                strbuf_putc(&text, '.');
            check_same_paths(text.data, text.len, en, &fast, &general);
        }
    for (int round = 0; round < 20000; round++) {
        size_t n = 1 + next_rand(&seed) % 12;
        strbuf_reset(&text);
        for (size_t i = 0; i < n; i++) {
            uint64_t r = next_rand(&seed);
            /* Mostly letters and digits, now and then anything else. */
            strbuf_putc(&text, r % 4 ? alphabet[r / 4 % 12 + (r % 16 == 1) * 6]
                                     : alphabet[r / 4 % (sizeof alphabet - 1)]);
        }
        check_same_paths(text.data, text.len, en, &fast, &general);
    }
    analysis_stemmer_free(en);
    strbuf_free(&text);
    strbuf_free(&fast);
    strbuf_free(&general);
}

/* ---- normalisation ------------------------------------------------------ */

static void
check_normalize(const char *in, size_t len, const char *want)
{
    char *out = NULL;
    size_t out_len = 0;

    assert_int_equal(analysis_normalize(in, len, &out, &out_len), 0);
    assert_non_null(out);
    assert_string_equal(out, want);
    assert_int_equal(out_len, strlen(want));
    free(out);
}

static void
test_normalize(void **state)
{
    char *out;

    (void)state;
    check_normalize("Hello, World!", 13, "hello, world!");
    check_normalize("", 0, "");
    check_normalize("ＦＵＬＬ Straße ﬁx ǅ Σ", strlen("ＦＵＬＬ Straße ﬁx ǅ Σ"),
                    "full strasse fix dž σ");
    check_normalize("Cafe\xCC\x81", 6, "café");
    check_normalize("hy\xC2\xADphen", 8, "hyphen");
    check_normalize("СІТКА", strlen("СІТКА"), "сітка");
    /* Invalid bytes become U+FFFD; the length is honoured. */
    check_normalize("A\x80"
                    "B\xE4\xB8",
                    5,
                    "a\xEF\xBF\xBD"
                    "b\xEF\xBF\xBD"
                    "\xEF\xBF\xBD");
    check_normalize("AB\0CD", 2, "ab");
    /* The length out-parameter is optional. */
    assert_int_equal(analysis_normalize("É", 2, &out, NULL), 0);
    assert_string_equal(out, "é");
    free(out);
}

/* ---- stemming ----------------------------------------------------------- */

static void
check_stem(analysis_stemmer *s, const char *term, const char *want)
{
    size_t len = 0;
    const char *stem = analysis_stem(s, term, strlen(term), &len);

    if (!want) {
        if (stem)
            fail_msg("'%s' stemmed to '%.*s', want none", term, (int)len, stem);
        return;
    }
    if (!stem)
        fail_msg("'%s' not stemmed, want '%s'", term, want);
    if (len != strlen(want) || memcmp(stem, want, len) != 0)
        fail_msg("'%s' stemmed to '%.*s', want '%s'", term, (int)len, stem,
                 want);
}

static void
test_stemmer_algorithm(void **state)
{
    (void)state;
    assert_string_equal(analysis_stemmer_algorithm("en"), "english");
    assert_string_equal(analysis_stemmer_algorithm("EN-us"), "english");
    assert_string_equal(analysis_stemmer_algorithm("pt_BR"), "portuguese");
    assert_string_equal(analysis_stemmer_algorithm("de"), "german");
    assert_string_equal(analysis_stemmer_algorithm("ru"), "russian");
    assert_string_equal(analysis_stemmer_algorithm("nb"), "norwegian");
    assert_string_equal(analysis_stemmer_algorithm("english"), "english");
    assert_string_equal(analysis_stemmer_algorithm("Swedish"), "swedish");
    assert_null(analysis_stemmer_algorithm("uk"));
    assert_null(analysis_stemmer_algorithm("zh"));
    assert_null(analysis_stemmer_algorithm("ja"));
    assert_null(analysis_stemmer_algorithm("ko"));
    assert_null(analysis_stemmer_algorithm("xx"));
    assert_null(analysis_stemmer_algorithm("klingon"));
    assert_null(analysis_stemmer_algorithm(""));
    assert_null(analysis_stemmer_algorithm(NULL));
    assert_null(
        analysis_stemmer_algorithm("a-very-long-language-tag-indeed-yes-no"));
    assert_null(analysis_stemmer_new("zh"));
    analysis_stemmer_free(NULL);
}

/* Ukrainian has no Snowball stemmer: a light suffix stripper of our own
 * makes the inflections of one word meet. */
static void
test_stem_ukrainian(void **state)
{
    static const char *const groups[][4] = {
        {"безпека", "безпеки", "безпеку", "безпекою"},
        {"мережа", "мережі", "мережу", "мережею"},
        {"сервісна", "сервісної", "сервісну", "сервісною"},
        {"кластер", "кластера", "кластери", "кластерів"},
        {"політика", "політики", "політику", "політикою"},
    };
    analysis_stemmer *uk = analysis_stemmer_new("uk");
    size_t i, j, len0, len;
    const char *st;
    char first[ANALYSIS_MAX_TERM + 1];

    (void)state;
    assert_non_null(uk);
    for (i = 0; i < UTIL_ARRAY_LEN(groups); i++) {
        st = analysis_stem(uk, groups[i][0], strlen(groups[i][0]), &len0);
        assert_non_null(st);
        memcpy(first, st, len0);
        first[len0] = '\0';
        for (j = 1; j < 4; j++) {
            st = analysis_stem(uk, groups[i][j], strlen(groups[i][j]), &len);
            assert_non_null(st);
            if (len != len0 || memcmp(st, first, len) != 0)
                fail_msg("%s -> %.*s, but %s -> %s", groups[i][j], (int)len, st,
                         groups[i][0], first);
        }
    }
    /* Short words keep at least three letters; other words stay apart. */
    st = analysis_stem(uk, "вода", strlen("вода"), &len);
    assert_int_equal(len, strlen("вод"));
    st = analysis_stem(uk, "мережа", strlen("мережа"), &len);
    assert_false(len == strlen("мер"));
    assert_null(analysis_stem(uk, "v1", 2, &len));
    analysis_stemmer_free(uk);
}

static void
test_stem_languages(void **state)
{
    analysis_stemmer *en = analysis_stemmer_new("en");
    analysis_stemmer *de = analysis_stemmer_new("de");
    analysis_stemmer *ru = analysis_stemmer_new("ru");
    size_t len;

    (void)state;
    assert_non_null(en);
    assert_non_null(de);
    assert_non_null(ru);
    check_stem(en, "clusters", "cluster");
    check_stem(en, "running", "run");
    check_stem(en, "meshes", "mesh");
    check_stem(en, "cluster", "cluster");
    check_stem(en, "ingressgateways", "ingressgateway");
    check_stem(de, "häuser", "haus");
    check_stem(de, "kategorien", "kategori");
    check_stem(ru, "кластеры", "кластер");
    check_stem(ru, "сервисов", "сервис");
    /* Terms that take no stem. */
    check_stem(en, "v1", NULL);
    check_stem(en, "2019", NULL);
    check_stem(en, "istio.io", NULL);
    check_stem(en, "v1.25.2", NULL);
    check_stem(en, "x_forwarded", NULL);
    check_stem(en, "多集", NULL);
    check_stem(en, "１２", NULL);
    check_stem(en, "x²", NULL);
    check_stem(en, "", NULL);
    assert_null(analysis_stem(NULL, "clusters", 8, &len));
    analysis_stemmer_free(en);
    analysis_stemmer_free(de);
    analysis_stemmer_free(ru);
}

static void
test_is_stemmable(void **state)
{
    static const char text[] =
        "Clusters v1.25.2 multi-cluster 多集 2019 x_forwarded_for сітки";
    static const int want[] = {
        1,       /* clusters */
        0, 0, 0, /* v1 25 2 */
        0,       /* v1.25.2 */
        1, 1, 1, /* multi cluster multicluster */
        0, 0, 0, /* 多 多集 集 */
        0,       /* 2019 */
        1, 1, 1, /* x forwarded for */
        1,       /* xforwardedfor */
        1,       /* сітки */
    };
    tok_list l;

    (void)state;
    tokenize(text, strlen(text), 0, &l);
    assert_int_equal(l.n, UTIL_ARRAY_LEN(want));
    for (size_t i = 0; i < l.n; i++)
        if (analysis_is_stemmable(&l.toks[i]) != want[i])
            fail_msg("token %zu '%s': stemmable %d, want %d", i, l.toks[i].term,
                     !want[i], want[i]);
    list_free(&l);
}

/* A stemmer that remembers stems gives what one without gives, for words
 * met again and again, words whose slots collide (a tiny cache), words
 * too long to remember, and words that take no stem. */
static void
test_stem_cache(void **state)
{
    static const char *const langs[] = {"en", "de", "ru"};
    static const char *const words[] = {
        "clusters",
        "clustering",
        "running",
        "runs",
        "größeren",
        "gateways",
        "connections",
        "internationalization",
        "mesh",
        "meshes",
        "x86",
        "сервисы",
        "traffic",
        "trafficking",
        "policies",
        "antidisestablishmentarianismuslongwordsbeyondthirtybytes",
        "meshes",
        "clusters",
        "a",
        "sidecar",
        "sidecars"};

    (void)state;
    for (size_t l = 0; l < sizeof langs / sizeof *langs; l++)
        for (size_t entries = 1; entries <= 4096; entries *= 8) {
            analysis_stemmer *plain = analysis_stemmer_new(langs[l]);
            analysis_stemmer *st = analysis_stemmer_new(langs[l]);
            assert_non_null(plain);
            assert_non_null(st);
            assert_int_equal(analysis_stemmer_cache(st, entries), 0);
            for (int round = 0; round < 3; round++)
                for (size_t w = 0; w < sizeof words / sizeof *words; w++) {
                    size_t n1 = 0, n2 = 0;
                    const char *a =
                        analysis_stem(plain, words[w], strlen(words[w]), &n1);
                    char want[128] = "";
                    if (a)
                        memcpy(want, a, n1);
                    const char *b =
                        analysis_stem(st, words[w], strlen(words[w]), &n2);
                    assert_int_equal(a == NULL, b == NULL);
                    if (!a)
                        continue;
                    assert_int_equal(n1, n2);
                    assert_memory_equal(want, b, n1);
                    assert_int_equal(b[n2], '\0');
                }
            analysis_stemmer_free(plain);
            analysis_stemmer_free(st);
        }
    assert_int_equal(analysis_stemmer_cache(NULL, 8), -1);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_token_file),
        cmocka_unit_test(test_query_doc_alignment),
        cmocka_unit_test(test_positions),
        cmocka_unit_test(test_stop_early),
        cmocka_unit_test(test_megabyte_tokens),
        cmocka_unit_test(test_random_input),
        cmocka_unit_test(test_fast_path_matches_general),
        cmocka_unit_test(test_one_word_texts),
        cmocka_unit_test(test_normalize),
        cmocka_unit_test(test_stemmer_algorithm),
        cmocka_unit_test(test_stem_languages),
        cmocka_unit_test(test_stem_ukrainian),
        cmocka_unit_test(test_is_stemmable),
        cmocka_unit_test(test_stem_cache),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
