/*
 * shortcode.c: expanding Hugo shortcodes into markdown before cmark parses
 * the body.  See shortcode.h for the policy per shortcode.
 *
 * Linear time: a tag scan stops at the next "{{<" or "{{%", at
 * TAG_MAX_LEN bytes, or at the end, so scans from different openers never
 * overlap; the searches for a closing {{< /text >}} or for the next gloss
 * tag each resume where the previous one stopped, and a failed search for
 * a closing tag is remembered.
 */
#include "shortcode.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Longest tag accepted, arguments included: captions span a few lines. */
#define TAG_MAX_LEN 8192
/* Warnings reported per body at most. */
#define MAX_WARNINGS 10

typedef struct tag {
    size_t start; /* byte offset of "{{" */
    size_t end;   /* byte offset just past "}}" */
    char delim;   /* '<' or '%' */
    int closing;  /* {{< /name >}} */
    int comment;  /* the comment form: args is the inner text */
    size_t name_off, name_len;
    size_t args_off, args_len;
} tag;

typedef struct arg {
    const char *key; /* NULL for a positional argument */
    size_t key_len;
    const char *val; /* raw: quotes removed, escapes not processed */
    size_t val_len;
    char quote; /* '"', '`' or 0 */
} arg;

enum mode { MODE_TEXT, MODE_CODE };

/* The shortcodes whose content is code. */
static const char *const code_names[] = {"text", "mermaid"};

typedef struct expander {
    const char *src;
    size_t len;
    sc_codes *codes;
    const sc_warner *warner;
    /* No closing tag for code_names[i] at or after this offset. */
    size_t no_close_from[2];
    size_t line_off; /* line counting cursor: offset and its line */
    unsigned line;
    int n_warnings;
    int oom;
} expander;

static int
is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' ||
           c == '\v';
}

static int
is_name_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '.' ||
           c == '/';
}

static size_t
skip_ws(const char *s, size_t p, size_t end)
{
    while (p < end && is_space(s[p]))
        p++;
    return p;
}

static int
is_open_at(const char *s, size_t p, size_t end)
{
    return p + 2 < end && s[p] == '{' && s[p + 1] == '{' &&
           (s[p + 2] == '<' || s[p + 2] == '%');
}

/* Whether s[p] starts the closing delimiter matching the opening `delim`
 * ('<' closes with ">}}", '%' with "%}}"). */
static int
is_close_at(const char *s, size_t p, size_t end, char delim)
{
    char c = delim == '<' ? '>' : '%';

    return p + 2 < end && s[p] == c && s[p + 1] == '}' && s[p + 2] == '}';
}

static int
name_is(const char *src, const tag *t, const char *name)
{
    size_t n = strlen(name);

    return t->name_len == n && memcmp(src + t->name_off, name, n) == 0;
}

/* Skips a quoted value starting at s[p] (the quote).  Returns the offset
 * after the closing quote, or SIZE_MAX if it is missing.  A value may hold
 * a shortcode (caption="... {{< version >}}"): the scan is still bounded by
 * TAG_MAX_LEN, and a quote ends where the next tag's quote begins, so
 * scans from different openers overlap by at most one tag. */
static size_t
skip_quoted(const char *s, size_t p, size_t end)
{
    char q = s[p];

    for (p++; p < end; p++) {
        if (q == '"' && s[p] == '\\' && p + 1 < end)
            p++;
        else if (s[p] == q)
            return p + 1;
    }
    return SIZE_MAX;
}

/* Parses the comment form; its inner text starts at `in`. */
static int
comment_parse(const char *s, size_t in, size_t limit, tag *t)
{
    size_t r, e;

    for (r = in; r + 1 < limit; r++) {
        if (is_open_at(s, r, limit))
            return 0;
        if (s[r] == '*' && s[r + 1] == '/') {
            e = skip_ws(s, r + 2, limit);
            if (is_close_at(s, e, limit, t->delim)) {
                t->comment = 1;
                t->args_off = in;
                t->args_len = r - in;
                t->end = e + 3;
                return 1;
            }
        }
    }
    return 0;
}

/* Parses the tag starting at s[p] ("{{<" or "{{%").  Returns 1 and fills
 * *t, or 0 if it is malformed or unterminated before `len`. */
static int
tag_parse(const char *s, size_t len, size_t p, tag *t)
{
    size_t limit = len - p > TAG_MAX_LEN ? p + TAG_MAX_LEN : len;
    size_t q;

    memset(t, 0, sizeof(*t));
    t->start = p;
    t->delim = s[p + 2] == '%' ? '%' : '<';
    q = skip_ws(s, p + 3, limit);
    if (q + 1 < limit && s[q] == '/' && s[q + 1] == '*')
        return comment_parse(s, q + 2, limit, t);
    if (q < limit && s[q] == '/') {
        t->closing = 1;
        q = skip_ws(s, q + 1, limit);
    }
    t->name_off = q;
    while (q < limit && is_name_char(s[q]))
        q++;
    t->name_len = q - t->name_off;
    t->args_off = q;
    while (q < limit) {
        if (s[q] == '"' || s[q] == '`') {
            q = skip_quoted(s, q, limit);
            if (q == SIZE_MAX)
                return 0;
            continue;
        }
        if (is_close_at(s, q, limit, t->delim)) {
            t->args_len = q - t->args_off;
            t->end = q + 3;
            return 1;
        }
        if (is_open_at(s, q, limit))
            return 0;
        q++;
    }
    return 0;
}

/* Reads the next argument of s[*pos..end).  Returns 1, or 0 at the end. */
static int
arg_next(const char *s, size_t *pos, size_t end, arg *a)
{
    size_t p = skip_ws(s, *pos, end), b;

    if (p >= end)
        return 0;
    memset(a, 0, sizeof(*a));
    if (s[p] != '"' && s[p] != '`') {
        b = p;
        while (p < end && !is_space(s[p]) && s[p] != '=' && s[p] != '"' &&
               s[p] != '`')
            p++;
        if (p < end && s[p] == '=') {
            a->key = s + b;
            a->key_len = p - b;
            p = skip_ws(s, p + 1, end);
        } else {
            a->val = s + b;
            a->val_len = p - b;
            *pos = p;
            return 1;
        }
    }
    b = p;
    if (p < end && (s[p] == '"' || s[p] == '`')) {
        a->quote = s[p];
        for (b = ++p; p < end && s[p] != a->quote; p++)
            if (a->quote == '"' && s[p] == '\\' && p + 1 < end)
                p++;
        a->val = s + b;
        a->val_len = p - b;
        if (p < end)
            p++;
    } else {
        while (p < end && !is_space(s[p]))
            p++;
        a->val = s + b;
        a->val_len = p - b;
    }
    *pos = p;
    return 1;
}

/* Appends an argument value as one line of text: escapes resolved,
 * line breaks turned into spaces. */
static void
put_value(strbuf *out, const arg *a)
{
    size_t i;
    char c;

    for (i = 0; i < a->val_len; i++) {
        c = a->val[i];
        if (is_open_at(a->val, i, a->val_len)) {
            /* A shortcode inside a value: dropped with its delimiters. */
            size_t k = i + 3;
            while (k < a->val_len &&
                   !is_close_at(a->val, k, a->val_len, a->val[i + 2]))
                k++;
            i = k < a->val_len ? k + 2 : i + 2;
            continue;
        }
        if ((c == '>' || c == '%') &&
            is_close_at(a->val, i, a->val_len, c == '>' ? '<' : '%')) {
            i += 2;
            continue;
        }
        if (a->quote == '"' && c == '\\' && i + 1 < a->val_len)
            c = a->val[++i];
        if (c == '\n' || c == '\r' || c == '\t')
            c = ' ';
        if (c == SC_MARK_START || c == SC_MARK_END)
            continue;
        strbuf_putc(out, c);
    }
}

static unsigned
line_of(expander *x, size_t off)
{
    if (off < x->line_off) {
        x->line_off = 0;
        x->line = x->warner ? x->warner->first_line : 1;
    }
    for (; x->line_off < off && x->line_off < x->len; x->line_off++)
        if (x->src[x->line_off] == '\n')
            x->line++;
    return x->line;
}

static void
warn_at(expander *x, size_t off, const char *what)
{
    char msg[160];
    const sc_warner *w = x->warner;

    if (!w || !w->warn || x->n_warnings >= MAX_WARNINGS)
        return;
    x->n_warnings++;
    snprintf(msg, sizeof(msg), "%s; kept its text without the delimiters",
             what);
    w->warn(w->ctx, w->path ? w->path : "", line_of(x, off), msg);
}

/* Finds the next tag in s[from..end) for which `want` holds: a closing tag
 * named `name` (want_any == 0) or any tag named `name` (want_any == 1). */
static int
find_tag(const expander *x, size_t from, size_t end, const char *name,
         int want_any, tag *out)
{
    const char *s = x->src;
    const char *hit;
    size_t q = from;

    while (q < end) {
        hit = memchr(s + q, '{', end - q);
        if (!hit)
            return 0;
        q = (size_t)(hit - s);
        if (!is_open_at(s, q, end)) {
            q++;
            continue;
        }
        if (!tag_parse(s, end, q, out)) {
            q += 3;
            continue;
        }
        if (!out->comment && name_is(s, out, name) &&
            (want_any || out->closing))
            return 1;
        q = out->end;
    }
    return 0;
}

static int
store_code(expander *x, char *code, size_t code_len)
{
    sc_codes *c = x->codes;
    size_t cap;
    char **v;
    size_t *l;

    if (c->n == c->cap) {
        cap = c->cap ? c->cap * 2 : 8;
        v = realloc(c->code, cap * sizeof(*v));
        if (!v)
            return -1;
        c->code = v;
        l = realloc(c->code_len, cap * sizeof(*l));
        if (!l)
            return -1;
        c->code_len = l;
        c->cap = cap;
    }
    c->code[c->n] = code;
    c->code_len[c->n] = code_len;
    c->n++;
    return 0;
}

/* Removes the rest of the opening tag's line, trailing blank space, and the
 * indentation common to all non-blank lines. */
static void
dedent(const strbuf *in, strbuf *out)
{
    const char *s = in->data ? in->data : "";
    size_t len = in->len, p = 0, e, ind, min = SIZE_MAX, k;

    for (e = 0; e < len && s[e] != '\n' && is_space(s[e]); e++)
        ;
    if (e < len && s[e] == '\n')
        p = e + 1;
    else if (e == len)
        p = len;
    while (len > p && is_space(s[len - 1]))
        len--;
    for (k = p; k < len; k = e + 1) {
        for (ind = 0;
             k + ind < len && (s[k + ind] == ' ' || s[k + ind] == '\t'); ind++)
            ;
        for (e = k + ind; e < len && s[e] != '\n'; e++)
            ;
        if (e > k + ind && ind < min)
            min = ind;
    }
    for (k = p; k < len; k = e + 1) {
        for (e = k; e < len && s[e] != '\n'; e++)
            ;
        ind = 0;
        while (ind < min && k + ind < e)
            ind++;
        strbuf_append(out, s + k + ind, e - k - ind);
        if (e < len)
            strbuf_putc(out, '\n');
    }
}

/*
 * Emits the fenced block holding marker `idx`, with the container prefix
 * of the current output line ("    " in a list item, "> " in a quote)
 * repeated on every line so cmark keeps it in the same container.
 */
static void
emit_fence(strbuf *out, size_t idx, int line_continues)
{
    char cont[260];
    size_t ls = out->len, k, clen = 0;
    int clean = 1;

    while (ls > 0 && out->data[ls - 1] != '\n' && out->len - ls < 256)
        ls--;
    if (ls > 0 && out->data[ls - 1] != '\n')
        clean = 0; /* line too long to be a container prefix */
    for (k = ls; k < out->len; k++) {
        char c = out->data[k];
        if (c != ' ' && c != '\t' && c != '>') {
            clean = 0;
            break;
        }
    }
    /* The leading whitespace and '>' of the line, up to the first other
     * character: the container prefix. */
    for (k = ls; k < out->len && clen < 256; k++) {
        char c = out->data[k];
        if (c != ' ' && c != '\t' && c != '>')
            break;
        cont[clen++] = c;
    }
    if (!clean) {
        if (ls > 0 && out->data[ls - 1] != '\n')
            clen = 0; /* not at a line start: no prefix known */
        strbuf_putc(out, '\n');
        strbuf_append(out, cont, clen);
    }
    strbuf_puts(out, "```\n");
    strbuf_append(out, cont, clen);
    strbuf_printf(out, "%c%zu%c\n", SC_MARK_START, idx, SC_MARK_END);
    strbuf_append(out, cont, clen);
    strbuf_puts(out, "```");
    if (line_continues) {
        strbuf_putc(out, '\n');
        strbuf_append(out, cont, clen);
    }
}

static void expand_range(expander *x, size_t start, size_t end, int mode,
                         strbuf *out);

/* Whether a text shortcode turns "@path@" into links (Istio's default,
 * off with expandlinks="false"). */
static int
expands_links(const expander *x, const tag *t)
{
    size_t pos = t->args_off;
    arg a;

    while (arg_next(x->src, &pos, t->args_off + t->args_len, &a))
        if (a.key && a.key_len == 11 && memcmp(a.key, "expandlinks", 11) == 0)
            return !(a.val_len == 5 && memcmp(a.val, "false", 5) == 0);
    return 1;
}

/* Istio's text shortcode shows "@samples/x.yaml@" as a link whose text is
 * the path: drops the '@' marks around runs without white space. */
static void
strip_link_marks(strbuf *b)
{
    size_t i = 0, o = 0, k;
    char *s = b->data;

    while (i < b->len) {
        if (s[i] != '@') {
            s[o++] = s[i++];
            continue;
        }
        for (k = i + 1; k < b->len && s[k] != '@' && !is_space(s[k]); k++)
            ;
        if (k < b->len && s[k] == '@' && k > i + 1) {
            memmove(s + o, s + i + 1, k - i - 1);
            o += k - i - 1;
            i = k + 1;
        } else {
            s[o++] = s[i++];
        }
    }
    b->len = o;
    if (s)
        s[o] = '\0';
}

/* A text (or mermaid) shortcode at *t: its content becomes a code block.
 * Returns the offset to continue from. */
static size_t
code_shortcode(expander *x, const tag *t, int which, strbuf *out)
{
    strbuf raw = STRBUF_INIT, code = STRBUF_INIT;
    tag close;
    char *s;
    size_t s_len, after;

    if (t->end >= x->no_close_from[which] ||
        !find_tag(x, t->end, x->len, code_names[which], 0, &close)) {
        if (t->end < x->no_close_from[which])
            x->no_close_from[which] = t->end;
        warn_at(x, t->start, "shortcode without its closing tag");
        return t->end;
    }
    expand_range(x, t->end, close.start, MODE_CODE, &raw);
    dedent(&raw, &code);
    strbuf_free(&raw);
    if (which == 0 && expands_links(x, t))
        strip_link_marks(&code);
    s = strbuf_detach(&code, &s_len);
    if (!s || store_code(x, s, s_len) < 0) {
        free(s);
        x->oom = 1;
        return close.end;
    }
    after = close.end;
    emit_fence(out, x->codes->n - 1,
               after < x->len && x->src[after] != '\n' &&
                   x->src[after] != '\r');
    return after;
}

/* image and figure: caption, alt and title as text, in that order, each
 * once. */
static void
image_shortcode(expander *x, const tag *t, strbuf *out)
{
    static const char *const keys[] = {"caption", "alt", "title"};
    const char *seen[3] = {NULL, NULL, NULL};
    size_t seen_len[3] = {0, 0, 0};
    size_t i, j, pos;
    int first = 1, dup;
    arg a;

    for (i = 0; i < UTIL_ARRAY_LEN(keys); i++) {
        pos = t->args_off;
        while (arg_next(x->src, &pos, t->args_off + t->args_len, &a)) {
            if (!a.key || a.key_len != strlen(keys[i]) ||
                memcmp(a.key, keys[i], a.key_len) != 0 || a.val_len == 0)
                continue;
            dup = 0;
            for (j = 0; j < i; j++)
                dup |= seen[j] && seen_len[j] == a.val_len &&
                       memcmp(seen[j], a.val, a.val_len) == 0;
            seen[i] = a.val;
            seen_len[i] = a.val_len;
            if (dup)
                break;
            if (!first)
                strbuf_putc(out, ' ');
            put_value(out, &a);
            first = 0;
            break;
        }
    }
}

/* gloss: paired, the inner text stays; single, its argument is the term. */
static void
gloss_shortcode(expander *x, const tag *t, strbuf *out)
{
    size_t pos = t->args_off;
    tag next;
    arg a;

    if (!arg_next(x->src, &pos, t->args_off + t->args_len, &a) ||
        a.val_len == 0)
        return;
    if (find_tag(x, t->end, x->len, "gloss", 1, &next) && next.closing)
        return;
    put_value(out, &a);
}

/* Handles one parsed tag; returns the offset to continue from. */
static size_t
handle_tag(expander *x, const tag *t, int mode, strbuf *out)
{
    const char *s = x->src;
    size_t i;

    if (t->comment) {
        if (mode == MODE_CODE) {
            strbuf_printf(out, "{{%c", t->delim);
            strbuf_append(out, s + t->args_off, t->args_len);
            strbuf_printf(out, "%c}}", t->delim == '<' ? '>' : '%');
        } else {
            size_t b = skip_ws(s, t->args_off, t->args_off + t->args_len);
            size_t e = t->args_off + t->args_len;
            while (e > b && is_space(s[e - 1]))
                e--;
            strbuf_append(out, s + b, e - b);
        }
        return t->end;
    }
    if (t->closing)
        return t->end;
    if (name_is(s, t, "istioctl")) {
        strbuf_puts(out, "istioctl");
        return t->end;
    }
    if (mode == MODE_CODE)
        return t->end;
    for (i = 0; i < UTIL_ARRAY_LEN(code_names); i++)
        if (name_is(s, t, code_names[i]))
            return code_shortcode(x, t, (int)i, out);
    if (name_is(s, t, "image") || name_is(s, t, "figure"))
        image_shortcode(x, t, out);
    else if (name_is(s, t, "gloss"))
        gloss_shortcode(x, t, out);
    return t->end;
}

/* Expands src[start..end) into `out`.  MODE_TEXT produces markdown;
 * MODE_CODE produces the literal content of a code shortcode. */
static void
expand_range(expander *x, size_t start, size_t end, int mode, strbuf *out)
{
    const char *s = x->src;
    size_t p = start, run = start;
    tag t;
    char c;

    while (p < end && !x->oom) {
        c = s[p];
        if (c == '{' && is_open_at(s, p, end)) {
            strbuf_append(out, s + run, p - run);
            if (tag_parse(s, end, p, &t)) {
                p = handle_tag(x, &t, mode, out);
            } else {
                if (mode == MODE_CODE)
                    strbuf_append(out, s + p, 3);
                else
                    warn_at(x, p, "unterminated shortcode");
                p += 3;
            }
            run = p;
        } else if (mode == MODE_TEXT && (c == '>' || c == '%') &&
                   is_close_at(s, p, end, c == '>' ? '<' : '%')) {
            strbuf_append(out, s + run, p - run);
            p += 3;
            run = p;
        } else if (c == SC_MARK_START || c == SC_MARK_END) {
            strbuf_append(out, s + run, p - run);
            run = ++p;
        } else {
            p++;
        }
    }
    strbuf_append(out, s + run, p - run);
}

int
sc_expand(const char *src, size_t len, strbuf *out, sc_codes *codes,
          const sc_warner *warner)
{
    expander x;

    memset(&x, 0, sizeof(x));
    x.src = src;
    x.len = len;
    x.codes = codes;
    x.warner = warner;
    x.no_close_from[0] = x.no_close_from[1] = SIZE_MAX;
    x.line = warner ? warner->first_line : 1;
    expand_range(&x, 0, len, MODE_TEXT, out);
    return x.oom || out->oom ? -1 : 0;
}

size_t
sc_marker_parse(const char *s, size_t len, size_t *used)
{
    size_t i = 1, v = 0;

    if (len < 3 || s[0] != SC_MARK_START)
        return SIZE_MAX;
    while (i < len && s[i] >= '0' && s[i] <= '9' && i < 20)
        v = v * 10 + (size_t)(s[i++] - '0');
    if (i == 1 || i >= len || s[i] != SC_MARK_END)
        return SIZE_MAX;
    *used = i + 1;
    return v;
}

void
sc_codes_free(sc_codes *codes)
{
    size_t i;

    if (!codes)
        return;
    for (i = 0; i < codes->n; i++)
        free(codes->code[i]);
    free(codes->code);
    free(codes->code_len);
    memset(codes, 0, sizeof(*codes));
}
