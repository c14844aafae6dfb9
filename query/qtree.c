/*
 * qtree.c: parse tree -> Xapian queries (see qtree.h).
 */
#include <stdlib.h>
#include <string.h>

#include "qtree.h"
#include "schema.h"
#include "util.h"

/* How far apart the words of a NEAR may be when the query gives no
 * window, in token positions. */
#define QTREE_NEAR_WINDOW 10
/* Terms a prefix search ("mesh*") expands to, at most. */
#define QTREE_WILDCARD_MAX 100

typedef struct field {
    const char *name;
    const char *prefix;
    int whole_value; /* a filter on the whole value, not words */
} field;

static const field fields[] = {
    {"title", SCHEMA_PREFIX_TITLE, 0},
    {"description", SCHEMA_PREFIX_DESCRIPTION, 0},
    {"keyword", SCHEMA_PREFIX_KEYWORD, 0},
    {"tag", SCHEMA_PREFIX_TAG, 1},
    {"author", SCHEMA_PREFIX_AUTHOR, 0},
    {"section", SCHEMA_PREFIX_SECTION, 1},
    {"lang", SCHEMA_PREFIX_LANG, 1},
    {"heading", SCHEMA_PREFIX_HEADING, 0},
    {"code", SCHEMA_PREFIX_CODE, 0},
    {"url", SCHEMA_PREFIX_URL, 1},
};

const char *const qtree_fields[] = {
    "title", "description", "keyword", "tag", "author", "section",
    "lang",  "heading",     "code",    "url", NULL};

static const field default_field = {"", "", 0};

typedef struct ctx {
    qbuild *qb;
    int strict_syntax;
    double proximity;
    int near_by_caller; /* the caller adds the proximity bonus */
} ctx;

static const field *
find_field(const qparse_node *n)
{
    size_t i;

    for (i = 0; i < UTIL_ARRAY_LEN(fields); i++)
        if (strlen(fields[i].name) == n->field_len &&
            memcmp(fields[i].name, n->field, n->field_len) == 0)
            return &fields[i];
    return &default_field;
}

static xap_query *node_query(ctx *c, const qparse_node *n, const field *f);

static xap_query *
combine(ctx *c, qlist *l, xap_op op, uint32_t window)
{
    xap_query *q = qlist_combine(c->qb, l, op, window);

    qlist_clear(l);
    return q;
}

/* a AND_NOT b, either may be NULL (a NULL `a` means every page). */
static xap_query *
and_not(ctx *c, xap_query *a, xap_query *b)
{
    qlist l = {0};

    if (!b)
        return a;
    if (!a && xap_query_match_all(&a, &c->qb->err)) {
        c->qb->rc = c->qb->err.rc;
        xap_query_free(b);
        return NULL;
    }
    qlist_push(c->qb, &l, a);
    qlist_push(c->qb, &l, b);
    return combine(c, &l, XAP_OP_AND_NOT, 0);
}

/* A date condition on the publication date value. */
static xap_query *
date_query(ctx *c, const qparse_node *n)
{
    char lo[15], hi[15];
    size_t i, k;
    xap_query *q = NULL;

    /* The parser has validated the shape: keep the digits and pad to
     * the first or last instant of the period. */
    for (i = k = 0; n->lo && i < n->lo_len; i++)
        if (n->lo[i] >= '0' && n->lo[i] <= '9')
            lo[k++] = n->lo[i];
    while (k < 14)
        lo[k++] = '0';
    for (i = k = 0; n->hi && i < n->hi_len; i++)
        if (n->hi[i] >= '0' && n->hi[i] <= '9')
            hi[k++] = n->hi[i];
    while (k < 14)
        hi[k++] = '9';
    if (xap_query_value_range(SCHEMA_SLOT_DATE, n->lo ? lo : NULL, 14,
                              n->hi ? hi : NULL, 14, &q, &c->qb->err))
        c->qb->rc = c->qb->err.rc;
    return q;
}

static xap_query *
word_query(ctx *c, const qparse_node *n, const field *f)
{
    qlist units = {0};
    char *v;
    xap_query *q;

    if (n->flags & QPARSE_PREFIX)
        return qbuild_wildcard(c->qb, n->text, n->text_len, f->prefix,
                               QTREE_WILDCARD_MAX, c->strict_syntax);
    if (f->whole_value) {
        if (!(v = util_strndup(n->text, n->text_len))) {
            c->qb->rc = RECAP_ENOMEM;
            return NULL;
        }
        q = qbuild_filter(c->qb, f->prefix, v);
        free(v);
        return q;
    }
    c->qb->text_base = n->text - n->off;
    qbuild_words(c->qb, n->text, n->text_len, f->prefix, &units, NULL);
    return combine(c, &units, XAP_OP_AND, 0);
}

/* The children of an AND, with exclusions taken out as AND_NOT. */
static xap_query *
and_query(ctx *c, const qparse_node *n, const field *f)
{
    qlist pos = {0}, neg = {0};
    size_t i;

    for (i = 0; i < n->n_kids; i++) {
        const qparse_node *k = n->kids[i];
        if (k->kind == QPARSE_NOT)
            qlist_push(c->qb, &neg, node_query(c, k->kids[0], f));
        else
            qlist_push(c->qb, &pos, node_query(c, k, f));
    }
    return and_not(c, combine(c, &pos, XAP_OP_AND, 0),
                   combine(c, &neg, XAP_OP_OR, 0));
}

/* NEAR: the positional terms of each child. */
static xap_query *
near_query(ctx *c, const qparse_node *n, const field *f)
{
    qlist l = {0};
    size_t i;

    for (i = 0; i < n->n_kids; i++) {
        const qparse_node *k = n->kids[i];
        if (k->kind == QPARSE_WORD || k->kind == QPARSE_PHRASE)
            qlist_push(c->qb, &l,
                       qbuild_phrase(c->qb, k->text, k->text_len,
                                     f->whole_value ? "" : f->prefix));
        else
            qlist_push(c->qb, &l, node_query(c, k, f));
    }
    return combine(c, &l, XAP_OP_NEAR,
                   n->window ? n->window : QTREE_NEAR_WINDOW);
}

static xap_query *
node_query(ctx *c, const qparse_node *n, const field *f)
{
    qlist l = {0};
    size_t i;

    if (c->qb->rc)
        return NULL;
    switch (n->kind) {
    case QPARSE_WORD:
        return word_query(c, n, f);
    case QPARSE_PHRASE:
        if (f->whole_value)
            return word_query(c, n, f);
        return qbuild_phrase(c->qb, n->text, n->text_len, f->prefix);
    case QPARSE_DATE:
        return date_query(c, n);
    case QPARSE_AND:
        return and_query(c, n, f);
    case QPARSE_OR:
        for (i = 0; i < n->n_kids; i++)
            qlist_push(c->qb, &l, node_query(c, n->kids[i], f));
        return combine(c, &l, XAP_OP_OR, 0);
    case QPARSE_NOT:
        return and_not(c, NULL, node_query(c, n->kids[0], f));
    case QPARSE_MUST:
        return node_query(c, n->kids[0], f);
    case QPARSE_NEAR:
        return near_query(c, n, f);
    case QPARSE_FIELD:
        return node_query(c, n->kids[0], find_field(n));
    }
    return NULL;
}

/* Whether `n` is a condition rather than something to rank by. */
static int
is_filter(const qparse_node *n)
{
    return n->kind == QPARSE_DATE ||
           (n->kind == QPARSE_FIELD && find_field(n)->whole_value);
}

/* Pages where the words stand together get a bonus (search.c, from the
 * positions of the first-tier hits): the words' units, in order. */
static void
proximity(ctx *c, const qparse_node *const *words, size_t n, qbuild_units *out)
{
    strbuf text = STRBUF_INIT;
    size_t i;

    for (i = 0; i < n; i++) {
        strbuf_append(&text, words[i]->text, words[i]->text_len);
        strbuf_putc(&text, ' ');
    }
    if (text.oom) {
        c->qb->rc = RECAP_ENOMEM;
        return;
    }
    if (qbuild_phrase_units(c->qb, text.data, text.len, out) == 0 && out->n < 2)
        qbuild_units_clear(out);
    strbuf_free(&text);
}

/* The bonus as a query: the PHRASE of `u` weighted by the proximity. */
static xap_query *
proximity_query(ctx *c, const qbuild_units *u)
{
    xap_query *near = qbuild_units_phrase(c->qb, u, ""), *scaled = NULL;

    if (near && xap_query_scale(near, c->proximity, &scaled, &c->qb->err))
        c->qb->rc = c->qb->err.rc;
    xap_query_free(near);
    return scaled;
}

/* Words side by side: the two readings (see qtree.h). */
static void
root_words(ctx *c, const qparse_node *const *kids, size_t n, qtree_out *out)
{
    qlist pos = {0}, stops = {0}, neg = {0}, filt = {0}, must = {0}, all;
    const qparse_node *plain[QPARSE_DEFAULT_MAX_TERMS];
    size_t i, n_plain = 0, n_units, n_multi = 0;
    xap_query *strict, *boost = NULL, *excl;

    for (i = 0; i < n && !c->qb->rc; i++) {
        const qparse_node *k = kids[i];
        if (k->kind == QPARSE_NOT)
            qlist_push(c->qb, &neg, node_query(c, k->kids[0], &default_field));
        else if (is_filter(k))
            qlist_push(c->qb, &filt, node_query(c, k, &default_field));
        else if (k->kind == QPARSE_MUST)
            qlist_push(c->qb, &must, node_query(c, k, &default_field));
        else if (k->kind == QPARSE_WORD && !(k->flags & QPARSE_PREFIX)) {
            size_t before = pos.n + stops.n;
            /* A word node's text starts at its offset in the query. */
            c->qb->text_base = k->text - k->off;
            qbuild_words(c->qb, k->text, k->text_len, "", &pos, &stops);
            /* A word of several units (a Chinese run, "a/b") is a phrase
             * of its own: its units together earn the bonus too. */
            if (pos.n + stops.n - before > 1)
                n_multi++;
            if (n_plain < UTIL_ARRAY_LEN(plain))
                plain[n_plain++] = k;
        } else
            qlist_push(c->qb, &pos, node_query(c, k, &default_field));
    }
    if ((n_plain > 1 || n_multi) && c->proximity > 0) {
        proximity(c, plain, n_plain, &out->near);
        /* Other weighting schemes than BM25 get the bonus from Xapian: a
         * PHRASE in the query, checked on every match. */
        if (!c->near_by_caller && out->near.n)
            boost = proximity_query(c, &out->near);
    }
    n_units = pos.n + stops.n;
    /* Stop words are required only when the query has nothing else. */
    if (pos.n == 0 && must.n == 0) {
        all = pos;
        pos = stops;
        stops = all;
    }
    /* The loose reading: any of the words, with the required ones. */
    all = (qlist){0};
    if (n_units > 1 && !c->qb->rc) {
        qlist any = {0};
        for (i = 0; i < pos.n; i++)
            qlist_push(c->qb, &any, xap_query_copy(pos.q[i]));
        for (i = 0; i < stops.n; i++)
            qlist_push(c->qb, &any, xap_query_copy(stops.q[i]));
        for (i = 0; i < must.n; i++)
            qlist_push(c->qb, &all, xap_query_copy(must.q[i]));
        qlist_push(c->qb, &all, combine(c, &any, XAP_OP_OR, 0));
        out->loose = combine(c, &all, XAP_OP_AND, 0);
    }
    for (i = 0; i < must.n; i++) {
        qlist_push(c->qb, &pos, must.q[i]);
        must.q[i] = NULL;
    }
    must.n = 0;
    qlist_clear(&must);
    strict = combine(c, &pos, XAP_OP_AND, 0);
    /* What a page must match to be in the first tier, without the
     * bonuses: the second tier excludes exactly these pages. */
    out->core = out->loose ? xap_query_copy(strict) : NULL;
    if (strict && (stops.n || boost)) {
        qlist maybe = {0};
        qlist_push(c->qb, &maybe, strict);
        for (i = 0; i < stops.n; i++) {
            qlist_push(c->qb, &maybe, stops.q[i]);
            stops.q[i] = NULL;
        }
        stops.n = 0;
        qlist_push(c->qb, &maybe, boost);
        boost = NULL;
        strict = combine(c, &maybe, XAP_OP_AND_MAYBE, 0);
    }
    xap_query_free(boost);
    qlist_clear(&stops);
    excl = combine(c, &neg, XAP_OP_OR, 0);
    if (excl && out->loose)
        out->loose = and_not(c, out->loose, xap_query_copy(excl));
    out->strict = and_not(c, strict, excl);
    out->filter = combine(c, &filt, XAP_OP_AND, 0);
}

void
qtree_build(qbuild *qb, const qparse_node *root, int strict_syntax,
            double proximity, int near_by_caller, qtree_out *out)
{
    ctx c = {qb, strict_syntax, proximity, near_by_caller};

    memset(out, 0, sizeof(*out));
    if (!root || qb->rc)
        return;
    if (root->kind == QPARSE_AND && (root->flags & QPARSE_IMPLICIT))
        root_words(&c, (const qparse_node *const *)root->kids, root->n_kids,
                   out);
    else if (root->kind == QPARSE_WORD || root->kind == QPARSE_NOT ||
             root->kind == QPARSE_MUST || is_filter(root))
        root_words(&c, &root, 1, out);
    else
        out->strict = node_query(&c, root, &default_field);
}

void
qtree_out_clear(qtree_out *out)
{
    xap_query_free(out->strict);
    xap_query_free(out->loose);
    xap_query_free(out->filter);
    xap_query_free(out->core);
    qbuild_units_clear(&out->near);
    memset(out, 0, sizeof(*out));
}
