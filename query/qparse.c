/*
 * qparse.c: the query parser: a hand-written lexer and a recursive-descent
 * parser with one token of lookahead beyond the current one.  See qparse.h
 * for the syntax and the tree.
 *
 * Linear time: the lexer looks at each byte a bounded number of times (an
 * unterminated quote is scanned once: no quote follows it, so no later
 * phrase scan happens), recursion only happens for parentheses and is capped
 * at max_depth, and nodes are only made for at most max_terms leaves.
 *
 * Errors follow the FTS5 "first error" pattern: problem() keeps the one at
 * the smallest byte offset, parsing goes on with the lenient reading, and
 * strict mode turns a kept problem into RECAP_EQUERY at the end.
 */
#include "qparse.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct qparse_tree {
    char *buf;           /* the query copy every text pointer points into */
    qparse_node **nodes; /* every node made, for freeing */
    size_t n_nodes, cap_nodes;
    qparse_node *root;
    unsigned n_terms;
};

/* ---- lexer -------------------------------------------------------------- */

typedef enum tok_kind {
    T_EOF,
    T_WORD,   /* text; prefix */
    T_PHRASE, /* text (may be empty: dropped by the parser) */
    T_DATE,   /* text is the field name; lo, hi */
    T_FIELD,  /* text is the field name; the value is the next token */
    T_LPAREN,
    T_RPAREN,
    T_AND,
    T_OR,
    T_NOT,
    T_NEAR, /* window */
    T_MINUS,
    T_PLUS
} tok_kind;

/* All offsets are byte offsets in the query. */
typedef struct token {
    tok_kind kind;
    size_t off;                /* the token's first byte */
    size_t text_off, text_len; /* see tok_kind; keywords: the keyword */
    size_t lo_off, lo_len;     /* T_DATE, lo_len 0 when open */
    size_t hi_off, hi_len;
    int prefix;      /* T_WORD written with a trailing '*' */
    unsigned window; /* T_NEAR, 0 when not given */
} token;

typedef struct parser {
    qparse_tree *t;
    char *s; /* t->buf: field names are lower-cased in place */
    size_t len;
    size_t pos; /* lexer position */
    const char *const *fields;
    const char *const *date_fields;
    unsigned max_depth, max_terms;
    int value_mode; /* the next token is a field value */
    token cur, next;
    unsigned depth;
    size_t ignored; /* '(' beyond max_depth whose ')' is still to come */
    int oom;
    int has_problem;
    size_t problem_off;
    char problem_msg[sizeof(((qparse_error *)0)->msg)];
} parser;

static const char *const default_fields[] = {
    "title", "description", "keyword", "tag", "author", "section",
    "lang",  "heading",     "code",    "url", NULL};
static const char *const default_date_fields[] = {"date", "after", "before",
                                                  NULL};

/* Records a problem at byte `off` unless one at or before it is kept.  The
 * message gets " at OFF" appended. */
static void __attribute__((format(printf, 3, 4)))
problem(parser *p, size_t off, const char *fmt, ...)
{
    char what[sizeof(p->problem_msg)];
    va_list ap;

    if (p->has_problem && p->problem_off <= off)
        return;
    va_start(ap, fmt);
    vsnprintf(what, sizeof(what), fmt, ap);
    va_end(ap);
    snprintf(p->problem_msg, sizeof(p->problem_msg), "%.120s at %zu", what,
             off);
    p->problem_off = off;
    p->has_problem = 1;
}

static int
at(const parser *p, size_t i, const char *seq, size_t n)
{
    return i + n <= p->len && memcmp(p->s + i, seq, n) == 0;
}

/* Each returns the byte length of the character of its class at i, or 0. */
static size_t
space_len(const parser *p, size_t i)
{
    unsigned char c = (unsigned char)p->s[i];

    if (c <= 0x20 || c == 0x7f)
        return 1;
    if (at(p, i, "\xc2\xa0", 2))
        return 2; /* no-break space */
    if (at(p, i, "\xe3\x80\x80", 3))
        return 3; /* ideographic space */
    return 0;
}

static size_t
lparen_len(const parser *p, size_t i)
{
    if (p->s[i] == '(')
        return 1;
    return at(p, i, "\xef\xbc\x88", 3) ? 3 : 0; /* full-width ( */
}

static size_t
rparen_len(const parser *p, size_t i)
{
    if (p->s[i] == ')')
        return 1;
    return at(p, i, "\xef\xbc\x89", 3) ? 3 : 0; /* full-width ) */
}

static size_t
quote_len(const parser *p, size_t i)
{
    if (p->s[i] == '"')
        return 1;
    if (at(p, i, "\xe2\x80\x9c", 3) || at(p, i, "\xe2\x80\x9d", 3) ||
        at(p, i, "\xe2\x80\x9e", 3))
        return 3; /* “ ” „ */
    if (at(p, i, "\xc2\xab", 2) || at(p, i, "\xc2\xbb", 2))
        return 2; /* « » */
    return 0;
}

/* Characters that end a word. */
static size_t
delim_len(const parser *p, size_t i)
{
    size_t n = space_len(p, i);

    if (!n)
        n = lparen_len(p, i);
    if (!n)
        n = rparen_len(p, i);
    if (!n)
        n = quote_len(p, i);
    return n;
}

static int
is_digits(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return 0;
    return n > 0;
}

static unsigned
two_digits(const char *s)
{
    return (unsigned)(s[0] - '0') * 10 + (unsigned)(s[1] - '0');
}

/* YYYY, YYYY-MM or YYYY-MM-DD with a real month and day. */
static int
valid_date(const char *s, size_t n)
{
    static const unsigned mdays[] = {31, 29, 31, 30, 31, 30,
                                     31, 31, 30, 31, 30, 31};
    unsigned y, m, d;

    if ((n != 4 && n != 7 && n != 10) || !is_digits(s, 4))
        return 0;
    if (n == 4)
        return 1;
    if (s[4] != '-' || !is_digits(s + 5, 2))
        return 0;
    m = two_digits(s + 5);
    if (m < 1 || m > 12)
        return 0;
    if (n == 7)
        return 1;
    if (s[7] != '-' || !is_digits(s + 8, 2))
        return 0;
    y = two_digits(s) * 100 + two_digits(s + 2);
    d = two_digits(s + 8);
    if (m == 2 && d == 29)
        return y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
    return d >= 1 && d <= mdays[m - 1];
}

/* 1 for a text field, 2 for a date field, 0 for neither. */
static int
field_kind(const parser *p, const char *name, size_t n)
{
    const char *const *lists[2] = {p->fields, p->date_fields};

    for (int l = 0; l < 2; l++) {
        for (const char *const *f = lists[l]; *f; f++) {
            size_t i;
            if (strlen(*f) != n)
                continue;
            for (i = 0; i < n; i++) {
                char c = name[i];
                if (c >= 'A' && c <= 'Z')
                    c = (char)(c - 'A' + 'a');
                if (c != (*f)[i])
                    break;
            }
            if (i == n)
                return l + 1;
        }
    }
    return 0;
}

/* Parses a date field's value [vs, ve) into t's bounds.  Returns 0 when it
 * is not a valid date or range for this field. */
static int
lex_date_value(parser *p, token *t, size_t name_len, size_t vs, size_t ve)
{
    const char *s = p->s, *name = s + t->text_off;
    const char *dots = NULL;
    size_t lo_end, hi_start;
    int is_after = name_len == 5 && memcmp(name, "after", 5) == 0;
    int is_before = name_len == 6 && memcmp(name, "before", 6) == 0;

    for (size_t i = vs; i + 1 < ve; i++) {
        if (s[i] == '.' && s[i + 1] == '.') {
            dots = s + i;
            break;
        }
    }
    lo_end = dots ? (size_t)(dots - s) : ve;
    hi_start = dots ? lo_end + 2 : vs;
    if ((dots && (is_after || is_before)) ||
        (dots && lo_end == vs && hi_start == ve))
        return 0;
    if (lo_end > vs && !valid_date(s + vs, lo_end - vs))
        return 0;
    if (hi_start < ve && !valid_date(s + hi_start, ve - hi_start))
        return 0;
    if (!is_before) {
        t->lo_off = vs;
        t->lo_len = lo_end - vs;
    }
    if (!is_after) {
        t->hi_off = hi_start;
        t->hi_len = ve - hi_start;
    }
    if (t->lo_len && t->hi_len) {
        size_t n = t->lo_len < t->hi_len ? t->lo_len : t->hi_len;
        if (memcmp(s + t->lo_off, s + t->hi_off, n) > 0) {
            size_t o = t->lo_off, l = t->lo_len;
            problem(p, t->off, "date range ends before it starts");
            t->lo_off = t->hi_off;
            t->lo_len = t->hi_len;
            t->hi_off = o;
            t->hi_len = l;
        }
    }
    return 1;
}

static void
lower_in_place(char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] >= 'A' && s[i] <= 'Z')
            s[i] = (char)(s[i] - 'A' + 'a');
}

/* The word [start, end) has a ':' at colon.  If the part before it is a
 * known field, fills t (a FIELD, a DATE, or the word a bad field degrades
 * to) and returns 1. */
static int
lex_field(parser *p, token *t, size_t start, size_t colon, size_t end)
{
    size_t name_len = colon - start, vs = colon + 1;
    int kind = name_len ? field_kind(p, p->s + start, name_len) : 0;
    int quoted_value;

    if (!kind)
        return 0;
    t->text_off = start;
    t->text_len = name_len;
    quoted_value =
        vs == end && end < p->len && (quote_len(p, end) || lparen_len(p, end));
    if (vs == end && !(kind == 1 && quoted_value)) {
        problem(p, start, "empty value for field '%.*s'", (int)name_len,
                p->s + start);
        t->kind = T_WORD; /* the name as a word: "title" */
        return 1;
    }
    if (kind == 2) {
        if (!lex_date_value(p, t, name_len, vs, end)) {
            problem(p, start,
                    "invalid date for '%.*s:' (use YYYY, YYYY-MM or "
                    "YYYY-MM-DD, or FROM..TO)",
                    (int)(name_len > 32 ? 32 : name_len), p->s + start);
            t->kind = T_WORD; /* "date:soon" */
            t->text_len = end - start;
            t->lo_len = t->hi_len = 0;
            return 1;
        }
        t->kind = T_DATE;
        lower_in_place(p->s + start, name_len);
        return 1;
    }
    t->kind = T_FIELD;
    lower_in_place(p->s + start, name_len);
    p->pos = vs;
    p->value_mode = 1;
    return 1;
}

/* OR, AND, NOT, NEAR, NEAR/n: 1 when [start, end) is one. */
static int
lex_keyword(parser *p, token *t, size_t start, size_t end)
{
    const char *w = p->s + start;
    size_t n = end - start;

    if (n == 2 && memcmp(w, "OR", 2) == 0)
        t->kind = T_OR;
    else if (n == 3 && memcmp(w, "AND", 3) == 0)
        t->kind = T_AND;
    else if (n == 3 && memcmp(w, "NOT", 3) == 0)
        t->kind = T_NOT;
    else if (n == 4 && memcmp(w, "NEAR", 4) == 0)
        t->kind = T_NEAR;
    else if (n > 5 && memcmp(w, "NEAR/", 5) == 0 && is_digits(w + 5, n - 5)) {
        unsigned long v = 0;
        for (size_t i = 5; i < n && v <= QPARSE_MAX_WINDOW; i++)
            v = v * 10 + (unsigned long)(w[i] - '0');
        if (v < 1 || v > QPARSE_MAX_WINDOW) {
            problem(p, start, "NEAR window must be between 1 and %d",
                    QPARSE_MAX_WINDOW);
            v = v < 1 ? 1 : QPARSE_MAX_WINDOW;
        }
        t->kind = T_NEAR;
        t->window = (unsigned)v;
    } else
        return 0;
    t->text_off = start;
    t->text_len = n;
    return 1;
}

static void
lex_word(parser *p, token *t, int value)
{
    size_t start = p->pos, end = start, stars;
    const char *colon;

    while (end < p->len && !delim_len(p, end))
        end++;
    p->pos = end;
    if (!value) {
        if (lex_keyword(p, t, start, end))
            return;
        colon = memchr(p->s + start, ':', end - start);
        if (colon && lex_field(p, t, start, (size_t)(colon - p->s), end))
            return;
    }
    for (stars = 0; end - stars > start && p->s[end - stars - 1] == '*';)
        stars++;
    t->kind = T_WORD;
    t->text_off = start;
    t->text_len = end - stars - start;
    t->prefix = stars > 0;
    if (t->text_len == 0)
        problem(p, start, "'*' without a word");
}

/* The end of [b, e) without its trailing white space. */
static size_t
trim_end(const parser *p, size_t b, size_t e)
{
    while (e > b) {
        if (space_len(p, e - 1) == 1)
            e -= 1;
        else if (e - b >= 2 && space_len(p, e - 2) == 2)
            e -= 2;
        else if (e - b >= 3 && space_len(p, e - 3) == 3)
            e -= 3;
        else
            break;
    }
    return e;
}

/* At an opening quote of qlen bytes.  Returns 0 when it is unbalanced (then
 * it is skipped and the rest is read as words). */
static int
lex_phrase(parser *p, token *t, size_t qlen)
{
    size_t i = p->pos + qlen, n = 0, b, e;

    while (i < p->len && !(n = quote_len(p, i)))
        i++;
    if (i >= p->len) {
        problem(p, p->pos, "unbalanced quote");
        p->pos += qlen;
        return 0;
    }
    b = p->pos + qlen;
    e = i;
    p->pos = i + n;
    while (b < e && (n = space_len(p, b)))
        b += n;
    e = trim_end(p, b, e);
    t->kind = T_PHRASE;
    t->text_off = b;
    t->text_len = e - b;
    if (b == e)
        problem(p, t->off, "empty phrase");
    return 1;
}

/* At '-' or '+': 1 when it is an operator, which needs a term right after
 * it.  "--set", "+-1" and "c++" are words; a lone '-' is dropped. */
static int
lex_sign(parser *p, token *t, int *dropped)
{
    size_t i = p->pos + 1;
    char c = p->s[p->pos];

    *dropped = 0;
    if (i >= p->len || space_len(p, i) || rparen_len(p, i)) {
        problem(p, p->pos, "'%c' without a term", c);
        p->pos = i;
        *dropped = 1;
        return 0;
    }
    if (p->s[i] == '-' || p->s[i] == '+')
        return 0;
    t->kind = c == '-' ? T_MINUS : T_PLUS;
    p->pos = i;
    return 1;
}

static void
lex(parser *p, token *t)
{
    size_t n;
    int value, dropped;

    for (;;) {
        while (p->pos < p->len && (n = space_len(p, p->pos)))
            p->pos += n;
        memset(t, 0, sizeof(*t));
        t->off = p->pos;
        if (p->pos >= p->len) {
            t->kind = T_EOF;
            p->value_mode = 0;
            return;
        }
        value = p->value_mode;
        p->value_mode = 0;
        if ((n = lparen_len(p, p->pos))) {
            t->kind = T_LPAREN;
            p->pos += n;
            return;
        }
        if ((n = rparen_len(p, p->pos))) {
            t->kind = T_RPAREN;
            p->pos += n;
            return;
        }
        if ((n = quote_len(p, p->pos))) {
            if (lex_phrase(p, t, n))
                return;
            p->value_mode = value; /* title:"a b -> title:a b */
            continue;
        }
        if (!value && (p->s[p->pos] == '-' || p->s[p->pos] == '+')) {
            if (lex_sign(p, t, &dropped))
                return;
            if (dropped)
                continue;
        }
        lex_word(p, t, value);
        return;
    }
}

/* ---- tree building ------------------------------------------------------ */

typedef struct nodevec {
    qparse_node **v;
    size_t n, cap;
} nodevec;

static qparse_node *
node_new(parser *p, qparse_kind kind, size_t off)
{
    qparse_tree *t = p->t;
    qparse_node *n;

    if (p->oom)
        return NULL;
    if (t->n_nodes == t->cap_nodes) {
        size_t cap = t->cap_nodes ? t->cap_nodes * 2 : 16;
        qparse_node **v = realloc(t->nodes, cap * sizeof(*v));
        if (!v)
            goto oom;
        t->nodes = v;
        t->cap_nodes = cap;
    }
    n = calloc(1, sizeof(*n));
    if (!n)
        goto oom;
    t->nodes[t->n_nodes++] = n;
    n->kind = kind;
    n->off = off;
    return n;
oom:
    p->oom = 1;
    return NULL;
}

static void
vec_push(parser *p, nodevec *v, qparse_node *n)
{
    if (!n || p->oom)
        return;
    if (v->n == v->cap) {
        size_t cap = v->cap ? v->cap * 2 : 4;
        qparse_node **a = realloc(v->v, cap * sizeof(*a));
        if (!a) {
            p->oom = 1;
            return;
        }
        v->v = a;
        v->cap = cap;
    }
    v->v[v->n++] = n;
}

/* Makes a node of `kind` over the collected children, or returns the only
 * child, or NULL when there is none.  Empties v. */
static qparse_node *
vec_finish(parser *p, nodevec *v, qparse_kind kind, unsigned flags)
{
    qparse_node *n = NULL;

    if (v->n == 1)
        n = v->v[0];
    else if (v->n > 1 && (n = node_new(p, kind, v->v[0]->off))) {
        n->kids = v->v;
        n->n_kids = v->n;
        n->flags = flags;
        v->v = NULL;
    }
    free(v->v);
    memset(v, 0, sizeof(*v));
    return n;
}

/* A node of `kind` over one child; NULL when the child is NULL. */
static qparse_node *
wrap(parser *p, qparse_kind kind, size_t off, qparse_node *kid)
{
    nodevec v = {0};
    qparse_node *n;

    if (!kid)
        return NULL;
    if (kind == QPARSE_NOT && kid->kind == QPARSE_NOT)
        return kid->kids[0]; /* -(-x) */
    if (kind == QPARSE_MUST &&
        (kid->kind == QPARSE_MUST || kid->kind == QPARSE_NOT))
        return kid;
    if (kind == QPARSE_NOT && kid->kind == QPARSE_MUST)
        kid = kid->kids[0];
    vec_push(p, &v, kid);
    if (p->oom || !(n = node_new(p, kind, off))) {
        free(v.v);
        return NULL;
    }
    n->kids = v.v;
    n->n_kids = 1;
    return n;
}

static unsigned
count_words(const parser *p, size_t b, size_t e, size_t *cut, unsigned room)
{
    unsigned words = 0;
    size_t i = b, n;

    *cut = e;
    while (i < e) {
        while (i < e && (n = space_len(p, i)))
            i += n;
        if (i >= e)
            break;
        if (words == room)
            *cut = i; /* where word room + 1 starts */
        words++;
        while (i < e && !space_len(p, i))
            i++;
    }
    return words;
}

/* A WORD, PHRASE or DATE node for t; NULL when it is empty or over the
 * term cap (a phrase is cut to the room left). */
static qparse_node *
leaf(parser *p, const token *t)
{
    unsigned room = p->max_terms - p->t->n_terms, cost = 1;
    size_t len = t->text_len, cut;
    qparse_node *n;
    qparse_kind kind = t->kind == T_PHRASE ? QPARSE_PHRASE
                       : t->kind == T_DATE ? QPARSE_DATE
                                           : QPARSE_WORD;

    if (kind != QPARSE_DATE && len == 0)
        return NULL;
    if (kind == QPARSE_PHRASE)
        cost = count_words(p, t->text_off, t->text_off + len, &cut, room);
    if (cost > room) {
        problem(p, t->off, "more than %u terms", p->max_terms);
        if (kind != QPARSE_PHRASE || room == 0)
            return NULL;
        len = trim_end(p, t->text_off, cut) - t->text_off;
        cost = room;
    }
    if (!(n = node_new(p, kind, t->off)))
        return NULL;
    p->t->n_terms += cost;
    if (kind == QPARSE_DATE) {
        n->field = p->s + t->text_off;
        n->field_len = t->text_len;
        n->lo = t->lo_len ? p->s + t->lo_off : NULL;
        n->lo_len = t->lo_len;
        n->hi = t->hi_len ? p->s + t->hi_off : NULL;
        n->hi_len = t->hi_len;
        return n;
    }
    n->text = p->s + t->text_off;
    n->text_len = len;
    n->flags = t->prefix ? QPARSE_PREFIX : 0;
    return n;
}

/* ---- parser ------------------------------------------------------------- */

static void
advance(parser *p)
{
    p->cur = p->next;
    lex(p, &p->next);
}

static int
is_binop(tok_kind k)
{
    return k == T_AND || k == T_OR || k == T_NEAR;
}

static const char *
tok_name(tok_kind k)
{
    switch (k) {
    case T_AND:
        return "AND";
    case T_OR:
        return "OR";
    case T_NEAR:
        return "NEAR";
    case T_NOT:
        return "NOT";
    case T_MINUS:
        return "-";
    case T_PLUS:
        return "+";
    default:
        return "?";
    }
}

/* In operator position, of binary operators in a row the last one wins. */
static void
collapse_ops(parser *p)
{
    while (is_binop(p->cur.kind) && is_binop(p->next.kind)) {
        problem(p, p->cur.off, "'%s' followed by '%s'", tok_name(p->cur.kind),
                tok_name(p->next.kind));
        advance(p);
    }
}

enum { OP_USE, OP_DROP, OP_WORD };

/* What to do with the binary operator in cur, in operator position. */
static int
classify(parser *p)
{
    tok_kind k = p->cur.kind, nk = p->next.kind;

    if (nk == T_EOF || nk == T_RPAREN) {
        problem(p, p->cur.off, "'%s' without a right operand", tok_name(k));
        return OP_WORD;
    }
    if (k == T_NEAR && (nk == T_NOT || nk == T_MINUS || nk == T_PLUS)) {
        problem(p, p->cur.off, "'NEAR' followed by '%s'", tok_name(nk));
        return OP_DROP;
    }
    return OP_USE;
}

static qparse_node *or_expr(parser *p);

static qparse_node *
group(parser *p)
{
    size_t off = p->cur.off;
    qparse_node *x;

    advance(p);
    if (p->depth >= p->max_depth) {
        problem(p, off, "nesting deeper than %u", p->max_depth);
        p->ignored++; /* read on as if it were not there */
        return NULL;
    }
    if (p->cur.kind == T_RPAREN) {
        problem(p, off, "empty parentheses");
        advance(p);
        return NULL;
    }
    p->depth++;
    x = or_expr(p);
    p->depth--;
    if (p->cur.kind == T_RPAREN)
        advance(p);
    else
        problem(p, off, "unbalanced parenthesis");
    return x;
}

static qparse_node *primary(parser *p);

static qparse_node *
field(parser *p)
{
    token f = p->cur;
    qparse_node *n, *v = NULL;
    tok_kind k;

    advance(p);
    k = p->cur.kind;
    if (k == T_WORD || k == T_PHRASE || k == T_LPAREN)
        v = primary(p);
    if (!(n = wrap(p, QPARSE_FIELD, f.off, v)))
        return NULL;
    n->field = p->s + f.text_off;
    n->field_len = f.text_len;
    return n;
}

static qparse_node *
primary(parser *p)
{
    token t = p->cur;

    switch (t.kind) {
    case T_WORD:
    case T_PHRASE:
    case T_DATE:
        advance(p);
        return leaf(p, &t);
    case T_AND:
    case T_OR:
    case T_NEAR:
        problem(p, t.off, "'%s' without a left operand", tok_name(t.kind));
        /* fall through */
    case T_NOT:
        advance(p);
        t.kind = T_WORD; /* the keyword as a word */
        return leaf(p, &t);
    case T_FIELD:
        return field(p);
    case T_LPAREN:
        return group(p);
    case T_EOF:
    case T_RPAREN:
        return NULL;
    default:
        advance(p); /* not reached: unary() takes '-' and '+' */
        return NULL;
    }
}

static qparse_node *
near(parser *p)
{
    nodevec v = {0};
    unsigned window = 0;
    qparse_node *n;

    vec_push(p, &v, primary(p));
    for (;;) {
        int c;
        collapse_ops(p);
        if (p->cur.kind != T_NEAR || (c = classify(p)) == OP_WORD)
            break;
        if (c == OP_USE && p->cur.window > window)
            window = p->cur.window;
        advance(p);
        if (c == OP_USE)
            vec_push(p, &v, primary(p));
    }
    if (v.n < 2)
        return vec_finish(p, &v, QPARSE_NEAR, 0);
    if ((n = vec_finish(p, &v, QPARSE_NEAR, 0)))
        n->window = window;
    return n;
}

/* NOT, '-' and '+' before an operand; NOT NOT x is x. */
static qparse_node *
unary(parser *p)
{
    size_t off = p->cur.off;
    unsigned nots = 0;
    int must = 0;
    qparse_node *x;

    for (;; advance(p)) {
        tok_kind k = p->cur.kind, nk = p->next.kind;
        if (k == T_MINUS)
            nots++;
        else if (k == T_PLUS)
            must = 1;
        else if (k != T_NOT)
            break;
        else if (nk == T_EOF || nk == T_RPAREN || is_binop(nk)) {
            problem(p, p->cur.off, "'NOT' without an operand");
            break; /* primary() reads it as a word */
        } else
            nots++;
    }
    x = near(p);
    if (nots & 1)
        return wrap(p, QPARSE_NOT, off, x);
    return must ? wrap(p, QPARSE_MUST, off, x) : x;
}

/* Operands next to each other, or joined by AND: (and* a (and b c)). */
static qparse_node *
seq(parser *p)
{
    nodevec all = {0}, run = {0};
    int saw = 0, joined = 0;

    for (;;) {
        tok_kind k = p->cur.kind;
        if (k == T_EOF)
            break;
        if (k == T_RPAREN) {
            if (p->ignored) {
                p->ignored--;
            } else if (p->depth > 0) {
                break;
            } else {
                problem(p, p->cur.off, "unbalanced parenthesis");
            }
            advance(p);
            continue;
        }
        if (saw && (k == T_AND || k == T_OR) && classify(p) == OP_USE) {
            if (k == T_OR)
                break;
            advance(p);
            joined = 1;
            continue;
        }
        if (!joined)
            vec_push(p, &all, vec_finish(p, &run, QPARSE_AND, 0));
        vec_push(p, &run, unary(p));
        saw = 1;
        joined = 0;
    }
    vec_push(p, &all, vec_finish(p, &run, QPARSE_AND, 0));
    return vec_finish(p, &all, QPARSE_AND, QPARSE_IMPLICIT);
}

static qparse_node *
or_expr(parser *p)
{
    nodevec v = {0};

    for (;;) {
        vec_push(p, &v, seq(p));
        if (p->cur.kind != T_OR)
            break;
        advance(p);
    }
    return vec_finish(p, &v, QPARSE_OR, 0);
}

/* ---- entry points ------------------------------------------------------- */

recap_status
qparse_parse(const char *query, size_t len, const qparse_options *opts,
             qparse_tree **out, qparse_error *err)
{
    static const qparse_options defaults = QPARSE_OPTIONS_INIT;
    parser p;
    recap_status rc = RECAP_OK;

    if (err) {
        err->off = 0;
        err->msg[0] = '\0';
    }
    if (!out)
        return RECAP_EINVAL;
    *out = NULL;
    if (!opts)
        opts = &defaults;
    if ((!query && len > 0) || opts->version != QPARSE_OPTIONS_VERSION)
        return RECAP_EINVAL;

    memset(&p, 0, sizeof(p));
    p.fields = opts->fields ? opts->fields : default_fields;
    p.date_fields = opts->date_fields ? opts->date_fields : default_date_fields;
    p.max_depth = opts->max_depth ? opts->max_depth : QPARSE_DEFAULT_MAX_DEPTH;
    if (p.max_depth > QPARSE_LIMIT_MAX_DEPTH)
        p.max_depth = QPARSE_LIMIT_MAX_DEPTH;
    p.max_terms = opts->max_terms ? opts->max_terms : QPARSE_DEFAULT_MAX_TERMS;
    if (!(p.t = calloc(1, sizeof(*p.t))) || !(p.t->buf = malloc(len + 1))) {
        rc = RECAP_ENOMEM;
        goto done;
    }
    if (len)
        memcpy(p.t->buf, query, len);
    p.t->buf[len] = '\0';
    p.s = p.t->buf;
    p.len = len;

    lex(&p, &p.cur);
    lex(&p, &p.next);
    p.t->root = or_expr(&p);
    if (p.oom) {
        rc = RECAP_ENOMEM;
        goto done;
    }
    if (p.has_problem && err) {
        err->off = p.problem_off;
        memcpy(err->msg, p.problem_msg, sizeof(err->msg));
    }
    if (p.has_problem && (opts->flags & QPARSE_STRICT))
        rc = RECAP_EQUERY;
done:
    if (rc == RECAP_OK)
        *out = p.t;
    else
        qparse_tree_free(p.t);
    return rc;
}

const qparse_node *
qparse_tree_root(const qparse_tree *t)
{
    return t ? t->root : NULL;
}

unsigned
qparse_tree_n_terms(const qparse_tree *t)
{
    return t ? t->n_terms : 0;
}

void
qparse_tree_free(qparse_tree *t)
{
    if (!t)
        return;
    for (size_t i = 0; i < t->n_nodes; i++) {
        free(t->nodes[i]->kids);
        free(t->nodes[i]);
    }
    free(t->nodes);
    free(t->buf);
    free(t);
}

/* ---- printing ----------------------------------------------------------- */

const char *
qparse_kind_name(qparse_kind kind)
{
    switch (kind) {
    case QPARSE_WORD:
        return "word";
    case QPARSE_PHRASE:
        return "phrase";
    case QPARSE_DATE:
        return "date";
    case QPARSE_AND:
        return "and";
    case QPARSE_OR:
        return "or";
    case QPARSE_NOT:
        return "not";
    case QPARSE_MUST:
        return "must";
    case QPARSE_NEAR:
        return "near";
    case QPARSE_FIELD:
        return "field";
    }
    return "?";
}

static void
put_quoted(strbuf *b, const char *s, size_t n)
{
    strbuf_putc(b, '"');
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"' || c == '\\') {
            strbuf_putc(b, '\\');
            strbuf_putc(b, (char)c);
        } else if (c < 0x20 || c == 0x7f) {
            strbuf_printf(b, "\\x%02x", c);
        } else {
            strbuf_putc(b, (char)c);
        }
    }
    strbuf_putc(b, '"');
}

static void
put_atom(strbuf *b, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c <= 0x20 || c == 0x7f || c == '(' || c == ')' || c == '"' ||
            c == '\\') {
            put_quoted(b, s, n);
            return;
        }
    }
    if (n == 0)
        put_quoted(b, s, n);
    else
        strbuf_append(b, s, n);
}

void
qparse_node_print(const qparse_node *n, strbuf *out)
{
    if (!n) {
        strbuf_puts(out, "()");
        return;
    }
    strbuf_putc(out, '(');
    switch (n->kind) {
    case QPARSE_WORD:
        strbuf_puts(out, n->flags & QPARSE_PREFIX ? "prefix " : "word ");
        put_atom(out, n->text, n->text_len);
        break;
    case QPARSE_PHRASE:
        strbuf_puts(out, "phrase ");
        put_quoted(out, n->text, n->text_len);
        break;
    case QPARSE_DATE:
        strbuf_puts(out, "date ");
        put_atom(out, n->field, n->field_len);
        strbuf_putc(out, ' ');
        put_atom(out, n->lo ? n->lo : "*", n->lo ? n->lo_len : 1);
        strbuf_putc(out, ' ');
        put_atom(out, n->hi ? n->hi : "*", n->hi ? n->hi_len : 1);
        break;
    default:
        strbuf_puts(out, qparse_kind_name(n->kind));
        if (n->kind == QPARSE_AND && (n->flags & QPARSE_IMPLICIT))
            strbuf_putc(out, '*');
        if (n->kind == QPARSE_NEAR && n->window)
            strbuf_printf(out, "/%u", n->window);
        if (n->kind == QPARSE_FIELD) {
            strbuf_putc(out, ' ');
            put_atom(out, n->field, n->field_len);
        }
        for (size_t i = 0; i < n->n_kids; i++) {
            strbuf_putc(out, ' ');
            qparse_node_print(n->kids[i], out);
        }
    }
    strbuf_putc(out, ')');
}

char *
qparse_node_sexp(const qparse_node *n)
{
    strbuf b = STRBUF_INIT;

    qparse_node_print(n, &b);
    return strbuf_detach(&b, NULL);
}
