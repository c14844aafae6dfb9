/*
 * fm_toml.c: the part of TOML that Hugo front matter uses.  Debian 12 ships
 * no TOML library for C (only C++ ones), and front matter needs little:
 *
 *   key = "basic \"string\""   'literal'   """multi-line"""   '''multi'''
 *   n = 42   f = 1.5   b = true   d = 2025-04-25T10:00:00Z
 *   tags = ["a", "b",]          (arrays, nested arrays flatten)
 *   inline = { a = 1, b = "x" } (flattened to "inline.a", "inline.b")
 *   [build] / [a."b c"]         (table headers prefix the keys below)
 *   [[menu.main]]               (array of tables: the keys become lists)
 *   # comments
 *
 * Values other than strings are kept as written.  What is not understood
 * is a syntax error naming the file line.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "fm_internal.h"
#include "ingest.h"
#include "util.h"

typedef struct toml_ctx {
    const char *s;
    size_t len;
    size_t pos;    /* byte offset into s */
    unsigned line; /* file line of pos */
    ingest_doc *doc;
    char **errmsg;
} toml_ctx;

static int
peek(const toml_ctx *t, size_t ahead)
{
    return t->pos + ahead < t->len ? (unsigned char)t->s[t->pos + ahead] : -1;
}

static void
advance(toml_ctx *t)
{
    if (t->pos < t->len && t->s[t->pos++] == '\n')
        t->line++;
}

static void
skip_blanks(toml_ctx *t)
{
    while (peek(t, 0) == ' ' || peek(t, 0) == '\t')
        advance(t);
}

/* Skips blanks, comments and line ends (inside arrays, between lines). */
static void
skip_space(toml_ctx *t)
{
    for (;;) {
        int c = peek(t, 0);
        if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
            advance(t);
        } else if (c == '#') {
            while (peek(t, 0) != -1 && peek(t, 0) != '\n')
                advance(t);
        } else {
            return;
        }
    }
}

static recap_status
err(toml_ctx *t, const char *what)
{
    return fm_error(t->errmsg, t->line, "%s", what);
}

/* After a key/value pair or a header only a comment may follow. */
static recap_status
end_of_line(toml_ctx *t)
{
    skip_blanks(t);
    if (peek(t, 0) == '#')
        while (peek(t, 0) != -1 && peek(t, 0) != '\n')
            advance(t);
    if (peek(t, 0) == '\r')
        advance(t);
    if (peek(t, 0) != -1 && peek(t, 0) != '\n')
        return err(t, "unexpected text after value");
    return RECAP_OK;
}

static void
put_utf8(strbuf *b, unsigned long cp)
{
    if (cp < 0x80) {
        strbuf_putc(b, (char)cp);
    } else if (cp < 0x800) {
        strbuf_putc(b, (char)(0xC0 | (cp >> 6)));
        strbuf_putc(b, (char)(0x80 | (cp & 0x3F)));
    } else if (cp < 0x10000) {
        strbuf_putc(b, (char)(0xE0 | (cp >> 12)));
        strbuf_putc(b, (char)(0x80 | ((cp >> 6) & 0x3F)));
        strbuf_putc(b, (char)(0x80 | (cp & 0x3F)));
    } else {
        strbuf_putc(b, (char)(0xF0 | (cp >> 18)));
        strbuf_putc(b, (char)(0x80 | ((cp >> 12) & 0x3F)));
        strbuf_putc(b, (char)(0x80 | ((cp >> 6) & 0x3F)));
        strbuf_putc(b, (char)(0x80 | (cp & 0x3F)));
    }
}

/* Decodes the escape after a backslash in a basic string. */
static recap_status
escape(toml_ctx *t, strbuf *b)
{
    static const char from[] = "btnfr\"\\", to[] = "\b\t\n\f\r\"\\";
    int c = peek(t, 0), n, i;
    const char *hit;
    unsigned long cp = 0;

    if (c > 0 && (hit = strchr(from, c)) != NULL) {
        strbuf_putc(b, to[hit - from]);
        advance(t);
        return RECAP_OK;
    }
    if (c != 'u' && c != 'U')
        return err(t, "invalid escape in string");
    n = c == 'u' ? 4 : 8;
    advance(t);
    for (i = 0; i < n; i++, advance(t)) {
        c = peek(t, 0);
        if (c < 0 || !isxdigit(c))
            return err(t, "invalid \\u escape in string");
        cp = cp * 16 +
             (unsigned long)(isdigit(c) ? c - '0' : tolower(c) - 'a' + 10);
    }
    if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        return err(t, "invalid code point in string");
    put_utf8(b, cp);
    return RECAP_OK;
}

/* Reads a string of any of the four kinds into `b`.  The opening quote is
 * at pos. */
static recap_status
string(toml_ctx *t, strbuf *b)
{
    int q = peek(t, 0), multi, c;
    recap_status rc;

    multi = peek(t, 1) == q && peek(t, 2) == q;
    t->pos += multi ? 3 : 1;
    if (multi && peek(t, 0) == '\r' && peek(t, 1) == '\n')
        t->pos++;
    if (multi && peek(t, 0) == '\n')
        advance(t); /* a newline right after the quotes is trimmed */
    for (;;) {
        c = peek(t, 0);
        if (c < 0 || (!multi && (c == '\n' || c == '\r')))
            return err(t, "unterminated string");
        if (c == q && (!multi || (peek(t, 1) == q && peek(t, 2) == q))) {
            t->pos += multi ? 3 : 1;
            /* Up to two more quotes belong to the string ("""a"""""). */
            while (multi && peek(t, 0) == q) {
                strbuf_putc(b, (char)q);
                advance(t);
            }
            return RECAP_OK;
        }
        advance(t);
        if (c != '\\' || q == '\'') {
            strbuf_putc(b, (char)c);
        } else if (multi && (peek(t, 0) == '\n' || peek(t, 0) == '\r' ||
                             peek(t, 0) == ' ' || peek(t, 0) == '\t')) {
            /* Line-ending backslash: drop white space up to the next
             * non-blank character. */
            while (peek(t, 0) == ' ' || peek(t, 0) == '\t' ||
                   peek(t, 0) == '\r' || peek(t, 0) == '\n')
                advance(t);
        } else if ((rc = escape(t, b)) != RECAP_OK) {
            return rc;
        }
    }
}

/* Reads a dotted key ("a", "a.b", "a.\"b c\"") and returns it joined to
 * `prefix`, lower-cased.  NULL with *rc set on error. */
static char *
key(toml_ctx *t, const char *prefix, recap_status *rc)
{
    strbuf part = STRBUF_INIT;
    char *full = prefix ? util_strdup(prefix) : NULL, *next;
    size_t start;

    *rc = RECAP_OK;
    if (prefix && !full)
        goto nomem;
    for (;;) {
        skip_blanks(t);
        strbuf_reset(&part);
        if (peek(t, 0) == '"' || peek(t, 0) == '\'') {
            if ((*rc = string(t, &part)) != RECAP_OK)
                goto fail;
        } else {
            start = t->pos;
            while (peek(t, 0) > 0 && (isalnum(peek(t, 0)) ||
                                      peek(t, 0) == '_' || peek(t, 0) == '-'))
                advance(t);
            if (t->pos == start) {
                *rc = err(t, "expected a key");
                goto fail;
            }
            strbuf_append(&part, t->s + start, t->pos - start);
        }
        if (part.oom ||
            !(next = fm_key(full, part.data ? part.data : "", part.len)))
            goto nomem;
        free(full);
        full = next;
        skip_blanks(t);
        if (peek(t, 0) != '.')
            break;
        advance(t);
    }
    strbuf_free(&part);
    return full;
nomem:
    *rc = RECAP_ENOMEM;
fail:
    strbuf_free(&part);
    free(full);
    return NULL;
}

/* A bare value: a number, boolean or date, kept as written. */
static recap_status
bare(toml_ctx *t, const char *k, int in_list)
{
    size_t start = t->pos, end;
    int c = peek(t, 0);

    if (c < 0 || !(isdigit(c) || c == '+' || c == '-' || c == 't' || c == 'f' ||
                   c == 'i' || c == 'n'))
        return err(t, "invalid value");
    for (;;) {
        while ((c = peek(t, 0)) > 0 && (isalnum(c) || strchr("+-.:_", c)))
            advance(t);
        /* A space may separate a date from its time: "1979-05-27 07:32". */
        if (c != ' ' || t->pos - start != 10 || t->s[start + 4] != '-' ||
            peek(t, 1) < 0 || !isdigit(peek(t, 1)))
            break;
        advance(t);
    }
    end = t->pos;
    /* Words must be spelled right: true, false, inf, nan. */
    if ((t->s[start] == 't' &&
         (end - start != 4 || memcmp(t->s + start, "true", 4) != 0)) ||
        (t->s[start] == 'f' &&
         (end - start != 5 || memcmp(t->s + start, "false", 5) != 0)) ||
        ((t->s[start] == 'i' || t->s[start] == 'n') &&
         (end - start != 3 || (memcmp(t->s + start, "inf", 3) != 0 &&
                               memcmp(t->s + start, "nan", 3) != 0))))
        return err(t, "invalid value");
    return ingest_doc_add_value(t->doc, k, t->s + start, end - start, in_list)
               ? RECAP_ENOMEM
               : RECAP_OK;
}

static recap_status value(toml_ctx *t, const char *k, int in_list, int depth);

static recap_status
array(toml_ctx *t, const char *k, int depth)
{
    recap_status rc;

    advance(t); /* [ */
    if (fm_mark_list(t->doc, k) != 0)
        return RECAP_ENOMEM;
    for (;;) {
        skip_space(t);
        if (peek(t, 0) == ']')
            break;
        if ((rc = value(t, k, 1, depth + 1)) != RECAP_OK)
            return rc;
        skip_space(t);
        if (peek(t, 0) == ',')
            advance(t);
        else if (peek(t, 0) != ']')
            return err(t, "expected ',' or ']' in array");
    }
    advance(t);
    return RECAP_OK;
}

static recap_status
inline_table(toml_ctx *t, const char *prefix, int in_list, int depth)
{
    recap_status rc;
    char *k;

    advance(t); /* { */
    skip_blanks(t);
    if (peek(t, 0) == '}') {
        advance(t);
        return RECAP_OK;
    }
    for (;;) {
        if (!(k = key(t, prefix, &rc)))
            return rc;
        if (peek(t, 0) != '=') {
            free(k);
            return err(t, "expected '=' after key");
        }
        advance(t);
        skip_blanks(t);
        rc = value(t, k, in_list, depth + 1);
        free(k);
        if (rc != RECAP_OK)
            return rc;
        skip_blanks(t);
        if (peek(t, 0) == '}')
            break;
        if (peek(t, 0) != ',')
            return err(t, "expected ',' or '}' in inline table");
        advance(t);
    }
    advance(t);
    return RECAP_OK;
}

static recap_status
value(toml_ctx *t, const char *k, int in_list, int depth)
{
    strbuf b = STRBUF_INIT;
    recap_status rc;
    int c = peek(t, 0);

    if (depth > FM_MAX_DEPTH)
        return fm_error(t->errmsg, t->line, "nesting deeper than %d levels",
                        FM_MAX_DEPTH);
    if (c == '[')
        return array(t, k, depth);
    if (c == '{')
        return inline_table(t, k, in_list, depth);
    if (c != '"' && c != '\'')
        return bare(t, k, in_list);
    rc = string(t, &b);
    if (rc == RECAP_OK &&
        (b.oom ||
         ingest_doc_add_value(t->doc, k, b.data ? b.data : "", b.len, in_list)))
        rc = RECAP_ENOMEM;
    strbuf_free(&b);
    return rc;
}

/* "[table]" or "[[array.of.tables]]": replaces *table. */
static recap_status
header(toml_ctx *t, char **table, int *table_is_list)
{
    recap_status rc;
    char *k;
    int dbl = peek(t, 1) == '[';

    t->pos += dbl ? 2 : 1;
    if (!(k = key(t, NULL, &rc)))
        return rc;
    if (peek(t, 0) != ']' || (dbl && peek(t, 1) != ']')) {
        free(k);
        return err(t, dbl ? "expected ']]'" : "expected ']'");
    }
    t->pos += dbl ? 2 : 1;
    free(*table);
    *table = k;
    *table_is_list = dbl;
    return end_of_line(t);
}

recap_status
fm_parse_toml(const char *text, size_t len, unsigned first_line,
              ingest_doc *doc, char **errmsg)
{
    toml_ctx t = {text, len, 0, first_line, doc, errmsg};
    recap_status rc = RECAP_OK;
    char *table = NULL, *k;
    int table_is_list = 0;

    for (;;) {
        skip_space(&t);
        if (peek(&t, 0) == -1)
            break;
        if (peek(&t, 0) == '[') {
            if ((rc = header(&t, &table, &table_is_list)) != RECAP_OK)
                break;
            continue;
        }
        if (!(k = key(&t, table, &rc)))
            break;
        if (peek(&t, 0) != '=') {
            free(k);
            rc = err(&t, "expected '=' after key");
            break;
        }
        advance(&t);
        skip_blanks(&t);
        rc = value(&t, k, table_is_list, 0);
        free(k);
        if (rc != RECAP_OK || (rc = end_of_line(&t)) != RECAP_OK)
            break;
    }
    free(table);
    return rc;
}
