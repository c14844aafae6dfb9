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
#include <unistd.h>

/* Longest tag accepted, arguments included: captions span a few lines. */
#define TAG_MAX_LEN 8192
/* Warnings reported per body at most. */
#define MAX_WARNINGS 10

typedef struct tag {
    size_t start;  /* byte offset of "{{" */
    size_t end;    /* byte offset just past "}}" */
    char delim;    /* '<' or '%' */
    int closing;   /* {{< /name >}} */
    int comment;   /* the comment form: args is the inner text */
    int selfclose; /* {{< name args />}}: never paired */
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

/* Code shortcodes whose closing tag is known to be missing from an offset
 * on, so each failed search is done once. */
#define MAX_NO_CLOSE 16

typedef struct expander {
    const char *src;
    size_t len;
    sc_codes *codes;
    const sc_warner *warner;
    const sc_env *env;
    struct {
        const sc_rule *rule;
        size_t from;
    } no_close[MAX_NO_CLOSE];
    size_t n_no_close;
    size_t line_off; /* line counting cursor: offset and its line */
    unsigned line;
    int *n_warnings;    /* shared with the expanders of included files */
    char *last_warning; /* the last message, not repeated; shared too */
    /* Included files being expanded, outermost first, for cycles. */
    const char *stack[INGEST_MAX_INCLUDE_DEPTH + 1];
    size_t stack_len[INGEST_MAX_INCLUDE_DEPTH + 1];
    int depth;
    size_t *included; /* bytes of included files so far, for the budget */
    int *oom;
} expander;

/* Included files may add at most this many bytes to one page, so files
 * that include each other many times over cannot blow up. */
#define MAX_INCLUDED_BYTES (8u * 1024 * 1024)

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
is_marker(char c)
{
    return c == SC_MARK_START || c == SC_MARK_END || c == SC_LABEL_START ||
           c == SC_LABEL_END;
}

static const sc_rule *
rule_of(const expander *x, const tag *t)
{
    return sitecfg_rule(x->env ? x->env->cfg : NULL, x->src + t->name_off,
                        t->name_len);
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
            while (t->args_len > 0 &&
                   is_space(s[t->args_off + t->args_len - 1]))
                t->args_len--;
            if (t->args_len > 0 && s[t->args_off + t->args_len - 1] == '/') {
                t->selfclose = 1;
                t->args_len--;
            }
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
        if (is_marker(c))
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
    char msg[400];
    const sc_warner *w = x->warner;

    if (!w || !w->warn || *x->n_warnings >= MAX_WARNINGS)
        return;
    if (x->depth > 0) {
        /* In an included file: named, without a line of the page, and
         * not again when the same file is included again. */
        snprintf(msg, sizeof(msg), "in %.*s: %s",
                 (int)x->stack_len[x->depth - 1], x->stack[x->depth - 1], what);
        if (strcmp(msg, x->last_warning) == 0)
            return;
        snprintf(x->last_warning, sizeof(msg), "%s", msg);
        ++*x->n_warnings;
        w->warn(w->ctx, w->path ? w->path : "", 0, msg);
        return;
    }
    ++*x->n_warnings;
    w->warn(w->ctx, w->path ? w->path : "", line_of(x, off), what);
}

/* Finds the next tag in s[from..end) for which `want` holds: a closing tag
 * named `name` (want_any == 0) or any tag named `name` (want_any == 1). */
static int
find_tag(const expander *x, size_t from, size_t end, const char *name,
         size_t name_len, int want_any, tag *out)
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
        if (!out->comment && out->name_len == name_len &&
            memcmp(s + out->name_off, name, name_len) == 0 &&
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

/* Whether a code shortcode turns "@path@" into links (Istio's text
 * shortcode does unless expandlinks="false"). */
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

/* "@samples/x.yaml@" shows as a link whose text is the path: drops the
 * '@' marks around runs without white space. */
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

/* Finds the closing tag of the paired shortcode *t, remembering a failed
 * search so it is not repeated from a later opener. */
static int
find_close(expander *x, const tag *t, const sc_rule *rule, tag *close)
{
    size_t i;

    for (i = 0; i < x->n_no_close; i++)
        if (x->no_close[i].rule == rule && t->end >= x->no_close[i].from)
            return 0;
    if (find_tag(x, t->end, x->len, x->src + t->name_off, t->name_len, 0,
                 close))
        return 1;
    if (x->n_no_close < MAX_NO_CLOSE) {
        x->no_close[x->n_no_close].rule = rule;
        x->no_close[x->n_no_close++].from = t->end;
    }
    return 0;
}

/* A code shortcode at *t: its content becomes a code block.  Returns the
 * offset to continue from. */
static size_t
code_shortcode(expander *x, const tag *t, const sc_rule *rule, strbuf *out)
{
    strbuf raw = STRBUF_INIT, code = STRBUF_INIT;
    tag close;
    char *s;
    size_t s_len, after;

    if (!find_close(x, t, rule, &close)) {
        warn_at(x, t->start,
                "shortcode without its closing tag; kept its text without "
                "the delimiters");
        return t->end;
    }
    expand_range(x, t->end, close.start, MODE_CODE, &raw);
    dedent(&raw, &code);
    strbuf_free(&raw);
    if (rule->at_links && expands_links(x, t))
        strip_link_marks(&code);
    s = strbuf_detach(&code, &s_len);
    if (!s || store_code(x, s, s_len) < 0) {
        free(s);
        *x->oom = 1;
        return close.end;
    }
    after = close.end;
    emit_fence(out, x->codes->n - 1,
               after < x->len && x->src[after] != '\n' &&
                   x->src[after] != '\r');
    return after;
}

/* The value of the argument named `key`, or the first positional argument
 * when key is NULL.  Returns 1 and fills *out, or 0. */
static int
find_arg(const expander *x, const tag *t, const char *key, arg *out)
{
    size_t pos = t->args_off, n = key ? strlen(key) : 0;

    while (arg_next(x->src, &pos, t->args_off + t->args_len, out))
        if (key ? out->key && out->key_len == n && memcmp(out->key, key, n) == 0
                : !out->key)
            return 1;
    return 0;
}

/* caption-args: the values of the rule's arguments as text, in the
 * rule's order, each distinct value once. */
static void
caption_shortcode(expander *x, const tag *t, const sc_rule *rule, strbuf *out)
{
    const char *seen[8];
    size_t seen_len[8], n_seen = 0, i, j;
    int dup;
    arg a;

    for (i = 0; i < rule->n_args; i++) {
        if (!find_arg(x, t, rule->args[i], &a) || a.val_len == 0)
            continue;
        dup = 0;
        for (j = 0; j < n_seen; j++)
            dup |= seen_len[j] == a.val_len &&
                   memcmp(seen[j], a.val, a.val_len) == 0;
        if (dup)
            continue;
        if (n_seen)
            strbuf_putc(out, ' ');
        if (n_seen < UTIL_ARRAY_LEN(seen)) {
            seen[n_seen] = a.val;
            seen_len[n_seen++] = a.val_len;
        }
        put_value(out, &a);
    }
}

/* inline-term: paired, the inner text stays; single, its argument is the
 * term. */
static void
term_shortcode(expander *x, const tag *t, strbuf *out)
{
    tag next;
    arg a;

    if (!find_arg(x, t, NULL, &a) || a.val_len == 0)
        return;
    if (!t->selfclose &&
        find_tag(x, t->end, x->len, x->src + t->name_off, t->name_len, 1,
                 &next) &&
        next.closing)
        return;
    put_value(out, &a);
}

/* A container's label (a tab's name), between label markers. */
static void
container_label(expander *x, const tag *t, const sc_rule *rule, strbuf *out)
{
    size_t i;
    arg a;

    for (i = 0; i < rule->n_args; i++) {
        if (!find_arg(x, t, rule->args[i], &a) || a.val_len == 0)
            continue;
        strbuf_putc(out, SC_LABEL_START);
        put_value(out, &a);
        strbuf_putc(out, SC_LABEL_END);
        return;
    }
}

/* param and link-text: the site parameter's value. */
static void
param_shortcode(expander *x, const tag *t, const sc_rule *rule, strbuf *out)
{
    const sitecfg *cfg = x->env ? x->env->cfg : NULL;
    const char *key = rule->value, *v;
    size_t key_len = key ? strlen(key) : 0;
    arg a;

    if (!key) {
        if (find_arg(x, t, NULL, &a)) {
            key = a.val;
            key_len = a.val_len;
        } else {
            key = x->src + t->name_off;
            key_len = t->name_len;
        }
    }
    v = sitecfg_param(cfg, key, key_len);
    if (v) {
        a.key = NULL;
        a.val = v;
        a.val_len = strlen(v);
        a.quote = 0;
        put_value(out, &a);
    }
}

/* front-matter: "Label: value, value" per field the page has, each its own
 * paragraph. */
static void
front_matter_shortcode(expander *x, const sc_rule *rule, strbuf *out)
{
    const ingest_doc *doc = x->env ? x->env->doc : NULL;
    const ingest_field *f;
    size_t i, j;
    arg a = {NULL, 0, NULL, 0, 0};

    for (i = 0; doc && i < rule->n_fields; i++) {
        f = ingest_doc_field(doc, rule->fields[2 * i]);
        if (!f || !f->n_values)
            continue;
        strbuf_puts(out, "\n\n");
        strbuf_puts(out, rule->fields[2 * i + 1]);
        strbuf_puts(out, ": ");
        for (j = 0; j < f->n_values; j++) {
            if (j)
                strbuf_puts(out, ", ");
            a.val = f->values[j];
            a.val_len = strlen(f->values[j]);
            put_value(out, &a);
        }
        strbuf_puts(out, "\n\n");
    }
}

/* The leading white space and '>' of the output's last line: the
 * container prefix (list item, block quote) a block emitted here needs on
 * each of its lines.  Returns its length, and sets *clean when the line
 * holds nothing else. */
static size_t
container_prefix(const strbuf *out, char *cont, size_t cap, int *clean)
{
    size_t ls = out->len, k, clen = 0;

    *clean = 1;
    while (ls > 0 && out->data[ls - 1] != '\n' && out->len - ls < cap)
        ls--;
    if (ls > 0 && out->data[ls - 1] != '\n') {
        *clean = 0; /* line too long to be a container prefix */
        return 0;
    }
    for (k = ls; k < out->len; k++) {
        char c = out->data[k];
        if (c != ' ' && c != '\t' && c != '>') {
            *clean = 0;
            break;
        }
        if (clen < cap)
            cont[clen++] = c;
    }
    return clen;
}

/* The file an include shortcode names: <root>/<lang>/<dir>/<name>.md,
 * else the same under the default language; NULL when neither exists. */
static char *
include_path(const expander *x, const sc_rule *rule, const char *name,
             size_t name_len)
{
    const sc_env *env = x->env;
    const char *path = env->doc && env->doc->path ? env->doc->path : "";
    const char *slash = strchr(path, '/');
    const char *dir = rule->value ? rule->value : "boilerplates";
    const char *ext =
        name_len > 3 && memcmp(name + name_len - 3, ".md", 3) == 0 ? "" : ".md";
    char *full = NULL;
    int i;

    for (i = 0; i < 3; i++) {
        size_t lang_len = 0;
        const char *lang = NULL;
        if (i == 0 && slash && hugo_is_lang(path, (size_t)(slash - path))) {
            lang = path;
            lang_len = (size_t)(slash - path);
        } else if (i == 1 && env->default_lang) {
            lang = env->default_lang;
            lang_len = strlen(lang);
        } else if (i != 2) {
            continue;
        }
        full =
            lang ? util_asprintf("%s/%.*s/%s/%.*s%s", env->root, (int)lang_len,
                                 lang, dir, (int)name_len, name, ext)
                 : util_asprintf("%s/%s/%.*s%s", env->root, dir, (int)name_len,
                                 name, ext);
        if (!full || access(full, R_OK) == 0)
            return full;
        free(full);
    }
    return NULL;
}

/* Expands the included body src[0..len) into `out`, each line after the
 * first carrying the container prefix of the including line. */
static void
expand_included(expander *x, const char *name, size_t name_len, const char *src,
                size_t len, strbuf *out)
{
    expander sub = *x;
    strbuf body = STRBUF_INIT;
    char cont[256];
    int clean;
    size_t clen = container_prefix(out, cont, sizeof(cont), &clean), i, run;

    sub.src = src;
    sub.len = len;
    sub.n_no_close = 0;
    sub.line_off = 0;
    sub.line = 1;
    sub.stack[x->depth] = name;
    sub.stack_len[x->depth] = name_len;
    sub.depth = x->depth + 1;
    expand_range(&sub, 0, len, MODE_TEXT, &body);
    if (!clean)
        clen = 0;
    while (body.len > 0 &&
           (body.data[body.len - 1] == '\n' || body.data[body.len - 1] == ' '))
        body.len--;
    for (i = run = 0; i < body.len; i++) {
        if (body.data[i] != '\n')
            continue;
        strbuf_append(out, body.data + run, i + 1 - run);
        strbuf_append(out, cont, clen);
        run = i + 1;
    }
    strbuf_append(out, body.data ? body.data + run : "", body.len - run);
    if (body.oom)
        *x->oom = 1;
    strbuf_free(&body);
}

/* include: the body of the file the first argument names. */
static void
include_shortcode(expander *x, const tag *t, const sc_rule *rule, strbuf *out)
{
    char *path = NULL, *src = NULL, msg[320];
    size_t len, fm_off, fm_len, body_off;
    unsigned body_line;
    int i;
    arg a;

    if (!x->env || !x->env->root)
        return;
    if (!find_arg(x, t, NULL, &a) || a.val_len == 0 || a.val_len > 200) {
        warn_at(x, t->start, "include shortcode without a file name");
        return;
    }
    for (i = 0; i < x->depth; i++)
        if (x->stack_len[i] == a.val_len &&
            memcmp(x->stack[i], a.val, a.val_len) == 0) {
            snprintf(msg, sizeof(msg),
                     "%.*s is already being included (a cycle); not expanded",
                     (int)a.val_len, a.val);
            warn_at(x, t->start, msg);
            return;
        }
    if (x->depth >= INGEST_MAX_INCLUDE_DEPTH) {
        snprintf(msg, sizeof(msg),
                 "%.*s: includes nested deeper than %d; not expanded",
                 (int)a.val_len, a.val, INGEST_MAX_INCLUDE_DEPTH);
        warn_at(x, t->start, msg);
        return;
    }
    if (*x->included >= MAX_INCLUDED_BYTES) {
        /* Said once per page; SIZE_MAX marks it said. */
        snprintf(msg, sizeof(msg),
                 "%.*s: the page's included files pass %u MB; not expanded",
                 (int)a.val_len, a.val, MAX_INCLUDED_BYTES >> 20);
        if (*x->included != SIZE_MAX)
            warn_at(x, t->start, msg);
        *x->included = SIZE_MAX;
        return;
    }
    path = include_path(x, rule, a.val, a.val_len);
    if (!path || util_read_file(path, &src, &len) != 0) {
        snprintf(msg, sizeof(msg), "included file %.*s not found",
                 (int)a.val_len, a.val);
        warn_at(x, t->start, msg);
        free(path);
        return;
    }
    *x->included += len;
    fm_split(src, len, &fm_off, &fm_len, &body_off, &body_line);
    expand_included(x, a.val, a.val_len, src + body_off, len - body_off, out);
    free(src);
    free(path);
}

/* drop: the tag, and a paired shortcode's content. */
static size_t
drop_shortcode(expander *x, const tag *t, const sc_rule *rule)
{
    tag close;

    if (!t->selfclose && find_close(x, t, rule, &close)) {
        /* Only when no other opener of the same name comes first, so an
         * unpaired use does not swallow the page up to a later pair. */
        tag next;
        if (!find_tag(x, t->end, close.start, x->src + t->name_off, t->name_len,
                      1, &next))
            return close.end;
    }
    return t->end;
}

static void
count_unknown(expander *x, const tag *t)
{
    ingest_doc *doc = x->env ? x->env->doc : NULL;

    if (doc && t->name_len > 0 &&
        ingest_doc_add_unknown(doc, x->src + t->name_off, t->name_len) != 0)
        *x->oom = 1;
}

/* The comment form: its inner text (in code, the shortcode as shown). */
static void
comment_form(expander *x, const tag *t, int mode, strbuf *out)
{
    const char *s = x->src;
    size_t b, e;

    if (mode == MODE_CODE) {
        strbuf_printf(out, "{{%c", t->delim);
        strbuf_append(out, s + t->args_off, t->args_len);
        strbuf_printf(out, "%c}}", t->delim == '<' ? '>' : '%');
        return;
    }
    b = skip_ws(s, t->args_off, t->args_off + t->args_len);
    e = t->args_off + t->args_len;
    while (e > b && is_space(s[e - 1]))
        e--;
    strbuf_append(out, s + b, e - b);
}

/* Handles one parsed tag; returns the offset to continue from. */
static size_t
handle_tag(expander *x, const tag *t, int mode, strbuf *out)
{
    const sc_rule *rule;

    if (t->comment) {
        comment_form(x, t, mode, out);
        return t->end;
    }
    if (t->closing)
        return t->end;
    rule = rule_of(x, t);
    if (!rule) {
        count_unknown(x, t);
        return t->end;
    }
    switch (rule->behaviour) {
    case SC_TEXT:
        strbuf_puts(out, rule->value ? rule->value : "");
        return t->end;
    case SC_PARAM:
    case SC_LINK:
        param_shortcode(x, t, rule, out);
        return t->end;
    default:
        break;
    }
    if (mode == MODE_CODE)
        return t->end;
    switch (rule->behaviour) {
    case SC_CODE:
        return t->selfclose ? t->end : code_shortcode(x, t, rule, out);
    case SC_CAPTION:
        caption_shortcode(x, t, rule, out);
        break;
    case SC_TERM:
        term_shortcode(x, t, out);
        break;
    case SC_CONTAINER:
        container_label(x, t, rule, out);
        break;
    case SC_INCLUDE:
        include_shortcode(x, t, rule, out);
        break;
    case SC_FRONT_MATTER:
        front_matter_shortcode(x, rule, out);
        break;
    case SC_DROP:
        return drop_shortcode(x, t, rule);
    default:
        break;
    }
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

    while (p < end && !*x->oom) {
        c = s[p];
        if (c == '{' && is_open_at(s, p, end)) {
            strbuf_append(out, s + run, p - run);
            if (tag_parse(s, end, p, &t)) {
                p = handle_tag(x, &t, mode, out);
            } else {
                if (mode == MODE_CODE)
                    strbuf_append(out, s + p, 3);
                else
                    warn_at(x, p,
                            "unterminated shortcode; kept its text without "
                            "the delimiters");
                p += 3;
            }
            run = p;
        } else if (mode == MODE_TEXT && (c == '>' || c == '%') &&
                   is_close_at(s, p, end, c == '>' ? '<' : '%')) {
            strbuf_append(out, s + run, p - run);
            p += 3;
            run = p;
        } else if (is_marker(c)) {
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
          const sc_warner *warner, const sc_env *env)
{
    expander x;
    int n_warnings = 0, oom = 0;
    size_t included = 0;
    char last_warning[400] = "";

    memset(&x, 0, sizeof(x));
    x.last_warning = last_warning;
    x.included = &included;
    x.src = src;
    x.len = len;
    x.codes = codes;
    x.warner = warner;
    x.env = env;
    x.n_warnings = &n_warnings;
    x.oom = &oom;
    x.line = warner ? warner->first_line : 1;
    expand_range(&x, 0, len, MODE_TEXT, out);
    return oom || out->oom ? -1 : 0;
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
