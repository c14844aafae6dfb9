/*
 * qbuild.c: analysed query text -> Xapian queries (see qbuild.h).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "qbuild.h"
#include "schema.h"
#include "spell.h"
#include "util.h"

/* Weight of a corrected word, relative to the word as typed. */
#define QBUILD_FIX_SCALE 0.8
/* Synonyms used per word, at most. */
#define QBUILD_MAX_SYNONYMS 8

/* A query has at most this many units; the rest of a long query is
 * ignored rather than making a match that cannot finish. */
#define QBUILD_MAX_UNITS 64

void
qbuild_init(qbuild *qb, xap_db *db, analysis_stemmer *stemmer,
            double code_weight)
{
    memset(qb, 0, sizeof(*qb));
    qb->db = db;
    qb->stemmer = stemmer;
    qb->code_weight = code_weight;
    if (xap_db_doccount(db, &qb->doccount, &qb->err))
        qb->rc = qb->err.rc;
}

void
qbuild_clear(qbuild *qb)
{
    size_t i;

    for (i = 0; i < qb->n_terms; i++)
        free((char *)qb->terms[i].term);
    free(qb->terms);
    qb->terms = NULL;
    qb->n_terms = qb->cap_terms = 0;
    for (i = 0; i < qb->n_fixes; i++)
        free(qb->fixes[i].replacement);
    free(qb->fixes);
    qb->fixes = NULL;
    qb->n_fixes = 0;
}

void
qlist_clear(qlist *l)
{
    size_t i;

    for (i = 0; i < l->n; i++)
        xap_query_free(l->q[i]);
    free(l->q);
    l->q = NULL;
    l->n = l->cap = 0;
}

static void
fail(qbuild *qb, recap_status rc)
{
    if (qb->rc == RECAP_OK) {
        qb->rc = rc;
        if (rc == RECAP_ENOMEM)
            strcpy(qb->err.msg, "out of memory");
    }
}

void
qlist_push(qbuild *qb, qlist *l, xap_query *q)
{
    if (!q)
        return;
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 8;
        xap_query **p = realloc(l->q, cap * sizeof(*p));
        if (!p) {
            xap_query_free(q);
            fail(qb, RECAP_ENOMEM);
            return;
        }
        l->q = p;
        l->cap = cap;
    }
    l->q[l->n++] = q;
}

xap_query *
qlist_combine(qbuild *qb, qlist *l, xap_op op, uint32_t window)
{
    xap_query *q = NULL;

    if (qb->rc || l->n == 0)
        return NULL;
    if (l->n == 1) {
        q = l->q[0];
        l->n = 0;
        return q;
    }
    if (xap_query_combine(op, l->q, l->n, window, &q, &qb->err))
        fail(qb, qb->err.rc);
    return q;
}

/* Remembers a term for highlighting, weighted by its rarity. */
static void
add_highlight(qbuild *qb, const char *term, size_t len, int group)
{
    uint32_t tf = 0;
    snippet_term *t;
    char *copy;

    if (qb->rc || qb->n_terms >= SNIPPET_MAX_TERMS)
        return;
    if (qb->n_terms == qb->cap_terms) {
        size_t cap = qb->cap_terms ? qb->cap_terms * 2 : 8;
        snippet_term *p = realloc(qb->terms, cap * sizeof(*p));
        if (!p) {
            fail(qb, RECAP_ENOMEM);
            return;
        }
        qb->terms = p;
        qb->cap_terms = cap;
    }
    if (!(copy = util_strndup(term, len))) {
        fail(qb, RECAP_ENOMEM);
        return;
    }
    xap_db_termfreq(qb->db, term, len, &tf, NULL);
    t = &qb->terms[qb->n_terms++];
    t->term = copy;
    t->term_len = len;
    t->weight = log(1.0 + (double)qb->doccount / (1.0 + tf));
    t->group = group;
    t->alt_of = 0;
}

/* term query on prefix + term. */
static xap_query *
term_query(qbuild *qb, const char *p1, const char *p2, const char *term,
           size_t len, uint32_t pos)
{
    strbuf b = STRBUF_INIT;
    xap_query *q = NULL;

    strbuf_puts(&b, p1);
    strbuf_puts(&b, p2);
    strbuf_append(&b, term, len);
    if (b.oom)
        fail(qb, RECAP_ENOMEM);
    else if (xap_query_term(b.data, b.len, 1, pos, &q, &qb->err))
        fail(qb, qb->err.rc);
    strbuf_free(&b);
    return q;
}

/* The subquery of one unit (see qbuild.h). */
static xap_query *
unit_query(qbuild *qb, const analysis_token *tok, const char *prefix)
{
    qlist alts = {0};
    xap_query *q, *code;
    const char *stem = NULL;
    size_t stem_len = 0;
    uint32_t pos = ++qb->qpos;

    qlist_push(qb, &alts,
               term_query(qb, "", prefix, tok->term, tok->term_len, pos));
    if (qb->stemmer && analysis_is_stemmable(tok))
        stem = analysis_stem(qb->stemmer, tok->term, tok->term_len, &stem_len);
    if (stem)
        qlist_push(
            qb, &alts,
            term_query(qb, SCHEMA_PREFIX_STEM, prefix, stem, stem_len, pos));
    if (!*prefix && qb->code_weight > 0) {
        code = term_query(qb, SCHEMA_PREFIX_CODE, "", tok->term, tok->term_len,
                          pos);
        if (code && !qb->rc) {
            if (xap_query_scale(code, qb->code_weight, &q, &qb->err))
                fail(qb, qb->err.rc);
            else
                qlist_push(qb, &alts, q);
        }
        xap_query_free(code);
    }
    q = qlist_combine(qb, &alts, XAP_OP_OR, 0);
    qlist_clear(&alts);
    return q;
}

/* The unit of a word given as a string (a correction, a synonym): a term
 * unit for one word, a phrase for several. */
static xap_query *string_unit(qbuild *qb, const char *s, size_t len,
                              const char *prefix);

/* OR-s `alt`, scaled by `scale`, into *unit (both owned). */
static void
add_alternative(qbuild *qb, xap_query **unit, xap_query *alt, double scale)
{
    qlist l = {0};
    xap_query *scaled = NULL;

    if (!alt)
        return;
    if (xap_query_scale(alt, scale, &scaled, &qb->err))
        fail(qb, qb->err.rc);
    xap_query_free(alt);
    qlist_push(qb, &l, *unit);
    qlist_push(qb, &l, scaled);
    *unit = qlist_combine(qb, &l, XAP_OP_OR, 0);
    qlist_clear(&l);
}

/* Highlights the words of a synonym of the word last given to
 * add_highlight() as alternative forms of it (snippet_term.alt_of). */
static void highlight_synonym(qbuild *qb, const char *syn, size_t len);

/* Synonyms from the index's synonym table widen a word's unit.  They are
 * combined as a Xapian synonym: the word and its synonyms weigh as one
 * term, so a rare abbreviation does not outweigh the word itself. */
static void
add_synonyms(qbuild *qb, const analysis_token *tok, const char *prefix,
             xap_query **unit)
{
    xap_termiter *it = NULL;
    const char *syn;
    size_t len, n = 0;
    qlist l = {0};

    if (xap_db_synonyms(qb->db, tok->term, tok->term_len, &it, NULL))
        return;
    while (n++ < QBUILD_MAX_SYNONYMS &&
           xap_termiter_next(it, &syn, &len, NULL, NULL) == 1) {
        qlist_push(qb, &l, string_unit(qb, syn, len, prefix));
        highlight_synonym(qb, syn, len);
    }
    xap_termiter_free(it);
    if (l.n == 0)
        return;
    qlist_push(qb, &l, *unit);
    *unit = qlist_combine(qb, &l, XAP_OP_SYNONYM, 0);
    qlist_clear(&l);
}

static void
remember_fix(qbuild *qb, size_t off, size_t len, char *replacement)
{
    qbuild_fix *p = realloc(qb->fixes, (qb->n_fixes + 1) * sizeof(*p));

    if (!p) {
        free(replacement);
        fail(qb, RECAP_ENOMEM);
        return;
    }
    qb->fixes = p;
    p[qb->n_fixes].off = off;
    p[qb->n_fixes].len = len;
    p[qb->n_fixes].replacement = replacement;
    qb->n_fixes++;
}

/* A word the index does not know (or barely knows) also matches its
 * correction; the correction is remembered for the suggestion. */
static void
add_correction(qbuild *qb, const analysis_token *tok, const char *text,
               xap_query **unit)
{
    uint32_t tf = 0;
    char *fix;

    if (!qb->query || !qb->text_base || tok->kind == ANALYSIS_CJK_UNI ||
        tok->kind == ANALYSIS_CJK_BI || tok->kind == ANALYSIS_PART)
        return;
    if (xap_db_termfreq(qb->db, tok->term, tok->term_len, &tf, NULL))
        return;
    /* Only rare words can need a correction: skip the vocabulary scan for
     * the others. */
    if (tf >= 3 && tf >= qb->doccount / 200)
        return;
    if (!(fix = spell_correct(qb->db, qb->spell, tok->term, tok->term_len, tf)))
        return;
    if (!qb->exact)
        add_alternative(qb, unit, string_unit(qb, fix, strlen(fix), ""),
                        QBUILD_FIX_SCALE);
    remember_fix(qb, (size_t)(text - qb->text_base) + tok->off, tok->len, fix);
}

char *
qbuild_suggestion(const qbuild *qb)
{
    strbuf b = STRBUF_INIT;
    size_t i, at = 0;

    if (!qb->n_fixes || !qb->query)
        return NULL;
    /* Fixes come in query order and never overlap. */
    for (i = 0; i < qb->n_fixes; i++) {
        const qbuild_fix *f = &qb->fixes[i];
        if (f->off < at)
            continue;
        strbuf_append(&b, qb->query + at, f->off - at);
        strbuf_puts(&b, f->replacement);
        at = f->off + f->len;
    }
    strbuf_puts(&b, qb->query + at);
    return strbuf_detach(&b, NULL);
}

/* Tokens of a piece of query text, kept until the units are chosen. */
typedef struct toks {
    analysis_token *t;
    char *terms; /* all terms, NUL-separated; t[i].term points into it */
    strbuf buf;
    size_t n, cap;
    int oom;
} toks;

static int
collect(void *ctx, const analysis_token *tok)
{
    toks *ts = ctx;

    if (ts->n == QBUILD_MAX_UNITS * 4)
        return 1;
    if (ts->n == ts->cap) {
        size_t cap = ts->cap ? ts->cap * 2 : 16;
        analysis_token *p = realloc(ts->t, cap * sizeof(*p));
        if (!p) {
            ts->oom = 1;
            return 1;
        }
        ts->t = p;
        ts->cap = cap;
    }
    ts->t[ts->n] = *tok;
    /* Store the offset into buf for now; fixed up once buf stops moving. */
    ts->t[ts->n].term = (const char *)(uintptr_t)ts->buf.len;
    strbuf_append(&ts->buf, tok->term, tok->term_len + 1);
    ts->n++;
    return ts->buf.oom;
}

static int
tokenize(qbuild *qb, const char *text, size_t len, toks *ts)
{
    size_t i;

    memset(ts, 0, sizeof(*ts));
    if (analysis_tokenize(text, len, 0, collect, ts, NULL) < 0 || ts->oom ||
        ts->buf.oom) {
        fail(qb, RECAP_ENOMEM);
        return -1;
    }
    for (i = 0; i < ts->n; i++)
        ts->t[i].term = ts->buf.data + (uintptr_t)ts->t[i].term;
    return 0;
}

static void
toks_free(toks *ts)
{
    free(ts->t);
    strbuf_free(&ts->buf);
}

/* Whether token i lies inside a token of kind `kind` (a part inside its
 * joined whole, a CJK character inside a bigram). */
static int
covered(const toks *ts, size_t i, analysis_kind kind)
{
    size_t j;
    const analysis_token *a = &ts->t[i];

    for (j = 0; j < ts->n; j++) {
        const analysis_token *b = &ts->t[j];
        if (b->kind == kind && b->off <= a->off &&
            a->off + a->len <= b->off + b->len)
            return 1;
    }
    return 0;
}

/* Words so common that requiring them would only drop good pages ("how
 * to configure mtls for a namespace"): they still count in ranking and
 * phrases, but the all-words tier does not insist on them. */
static const char *const stop_words[] = {
    "a",     "about", "an",    "and",   "are",    "as",  "at",   "be",
    "but",   "by",    "can",   "do",    "does",   "for", "from", "how",
    "i",     "if",    "in",    "into",  "is",     "it",  "its",  "my",
    "of",    "on",    "or",    "our",   "should", "so",  "that", "the",
    "their", "then",  "there", "these", "this",   "to",  "was",  "we",
    "what",  "when",  "where", "which", "who",    "why", "will", "with",
    "you",   "your",  "в",     "для",   "до",     "з",   "й",    "на",
    "та",    "у",     "це",    "що",    "як",     "і"};

int
qbuild_is_stop_word(const char *term)
{
    size_t i;

    for (i = 0; i < UTIL_ARRAY_LEN(stop_words); i++)
        if (strcmp(term, stop_words[i]) == 0)
            return 1;
    return 0;
}

void
qbuild_words(qbuild *qb, const char *text, size_t len, const char *prefix,
             qlist *out, qlist *stops)
{
    xap_query *unit;
    toks ts;
    size_t i;

    if (qb->rc || tokenize(qb, text, len, &ts) < 0)
        return;
    for (i = 0; i < ts.n && out->n < QBUILD_MAX_UNITS && !qb->rc; i++) {
        const analysis_token *tok = &ts.t[i];
        if (tok->kind == ANALYSIS_PART && covered(&ts, i, ANALYSIS_JOINED))
            continue;
        if (tok->kind == ANALYSIS_CJK_UNI && covered(&ts, i, ANALYSIS_CJK_BI))
            continue;
        add_highlight(qb, tok->term, tok->term_len, -1);
        unit = unit_query(qb, tok, prefix);
        add_synonyms(qb, tok, prefix, &unit);
        if (!*prefix)
            add_correction(qb, tok, text, &unit);
        qlist_push(qb, stops && qbuild_is_stop_word(tok->term) ? stops : out,
                   unit);
    }
    toks_free(&ts);
}

int
qbuild_phrase_units(qbuild *qb, const char *text, size_t len, qbuild_units *out)
{
    toks ts;
    size_t i;
    int group = qb->next_group++;

    memset(out, 0, sizeof(*out));
    if (qb->rc || tokenize(qb, text, len, &ts) < 0)
        return -1;
    /* Parts and single characters carry the positions a phrase needs. */
    for (i = 0; i < ts.n && out->n < QBUILD_MAX_UNITS && !qb->rc; i++) {
        const analysis_token *tok = &ts.t[i];
        if (tok->kind == ANALYSIS_JOINED || tok->kind == ANALYSIS_CJK_BI)
            continue;
        add_highlight(qb, tok->term, tok->term_len, group);
        if (out->n == out->cap) {
            size_t cap = out->cap ? out->cap * 2 : 4;
            char **t = realloc(out->t, cap * sizeof(*t));
            size_t *l = t ? realloc(out->len, cap * sizeof(*l)) : NULL;
            if (t)
                out->t = t;
            if (!t || !l) {
                fail(qb, RECAP_ENOMEM);
                break;
            }
            out->len = l;
            out->cap = cap;
        }
        if (!(out->t[out->n] = util_strndup(tok->term, tok->term_len))) {
            fail(qb, RECAP_ENOMEM);
            break;
        }
        out->len[out->n++] = tok->term_len;
    }
    toks_free(&ts);
    if (qb->rc) {
        qbuild_units_clear(out);
        return -1;
    }
    return 0;
}

void
qbuild_units_clear(qbuild_units *u)
{
    for (size_t i = 0; i < u->n; i++)
        free(u->t[i]);
    free(u->t);
    free(u->len);
    memset(u, 0, sizeof(*u));
}

xap_query *
qbuild_units_phrase(qbuild *qb, const qbuild_units *u, const char *prefix)
{
    qlist terms = {0};
    xap_query *q;

    for (size_t i = 0; i < u->n && !qb->rc; i++)
        qlist_push(qb, &terms,
                   term_query(qb, "", prefix, u->t[i], u->len[i], ++qb->qpos));
    q = qlist_combine(qb, &terms, XAP_OP_PHRASE, 0);
    qlist_clear(&terms);
    return q;
}

xap_query *
qbuild_phrase(qbuild *qb, const char *text, size_t len, const char *prefix)
{
    qbuild_units u;
    xap_query *q;

    if (qbuild_phrase_units(qb, text, len, &u) < 0)
        return NULL;
    q = qbuild_units_phrase(qb, &u, prefix);
    qbuild_units_clear(&u);
    return q;
}

xap_query *
qbuild_filter(qbuild *qb, const char *prefix, const char *value)
{
    char *norm = NULL;
    size_t norm_len;
    xap_query *q;

    if (qb->rc)
        return NULL;
    if (analysis_normalize(value, strlen(value), &norm, &norm_len) < 0) {
        fail(qb, RECAP_ENOMEM);
        return NULL;
    }
    q = term_query(qb, prefix, "", norm, norm_len, 0);
    free(norm);
    return q;
}

/* The term a prefix search extends: the analysed form of `text`, joined
 * when it is a technical token ("lantern_max" -> "lanternmax"). */
static char *
wildcard_stem(qbuild *qb, const char *text, size_t len)
{
    toks ts;
    size_t i;
    char *out = NULL;

    if (tokenize(qb, text, len, &ts) < 0)
        return NULL;
    for (i = 0; i < ts.n && !out; i++)
        if (ts.t[i].kind == ANALYSIS_JOINED)
            out = util_strndup(ts.t[i].term, ts.t[i].term_len);
    if (!out && ts.n)
        out = util_strndup(ts.t[ts.n - 1].term, ts.t[ts.n - 1].term_len);
    toks_free(&ts);
    return out;
}

static xap_query *
wildcard_query(qbuild *qb, const char *p1, const char *p2, const char *stem,
               uint32_t max, int strict)
{
    strbuf b = STRBUF_INIT;
    xap_query *q = NULL;

    strbuf_puts(&b, p1);
    strbuf_puts(&b, p2);
    strbuf_puts(&b, stem);
    if (b.oom)
        fail(qb, RECAP_ENOMEM);
    else if (strict ? xap_query_wildcard(b.data, b.len, max, 0, &q, &qb->err)
                    : xap_db_wildcard_top(qb->db, b.data, b.len, max, 0, &q,
                                          &qb->err))
        fail(qb, qb->err.rc); /* top terms: see xap.h on a libxapian leak */
    strbuf_free(&b);
    return q;
}

xap_query *
qbuild_wildcard(qbuild *qb, const char *text, size_t len, const char *prefix,
                uint32_t max, int strict)
{
    char *stem;
    xap_query *q;

    if (qb->rc || !(stem = wildcard_stem(qb, text, len)))
        return NULL;
    add_highlight(qb, stem, strlen(stem), -1);
    q = wildcard_query(qb, "", prefix, stem, max, strict);
    /* In the default fields, code counts too, with less weight. */
    if (!*prefix && qb->code_weight > 0)
        add_alternative(
            qb, &q,
            wildcard_query(qb, SCHEMA_PREFIX_CODE, "", stem, max, strict),
            qb->code_weight);
    free(stem);
    return q;
}

static xap_query *
string_unit(qbuild *qb, const char *s, size_t len, const char *prefix)
{
    analysis_token tok = {0};
    char *copy;
    xap_query *q;

    if (memchr(s, ' ', len))
        return qbuild_phrase(qb, s, len, prefix);
    if (!(copy = util_strndup(s, len))) {
        fail(qb, RECAP_ENOMEM);
        return NULL;
    }
    tok.term = copy;
    tok.term_len = len;
    tok.kind = ANALYSIS_WORD;
    add_highlight(qb, copy, len, -1);
    q = unit_query(qb, &tok, prefix);
    free(copy);
    return q;
}

static void
highlight_synonym(qbuild *qb, const char *syn, size_t len)
{
    size_t of = qb->n_terms, i, n_words = 0;
    int group = -1;
    toks ts;

    if (qb->rc || of == 0 || tokenize(qb, syn, len, &ts) < 0)
        return;
    for (i = 0; i < ts.n; i++)
        n_words += !(ts.t[i].kind == ANALYSIS_PART &&
                     covered(&ts, i, ANALYSIS_JOINED)) &&
                   !(ts.t[i].kind == ANALYSIS_CJK_UNI &&
                     covered(&ts, i, ANALYSIS_CJK_BI));
    if (n_words > 1)
        group = qb->next_group++;
    for (i = 0; i < ts.n && !qb->rc; i++) {
        size_t at = qb->n_terms;
        if ((ts.t[i].kind == ANALYSIS_PART &&
             covered(&ts, i, ANALYSIS_JOINED)) ||
            (ts.t[i].kind == ANALYSIS_CJK_UNI &&
             covered(&ts, i, ANALYSIS_CJK_BI)))
            continue;
        add_highlight(qb, ts.t[i].term, ts.t[i].term_len, group);
        if (qb->n_terms > at)
            qb->terms[at].alt_of = (int)qb->terms[of - 1].alt_of > 0
                                       ? qb->terms[of - 1].alt_of
                                       : (int)of;
    }
    toks_free(&ts);
}
