/*
 * qbuild.h: from analysed query text to Xapian queries, by the schema.
 *
 * Query text goes through the same analyser as documents, so a query and a
 * page always agree on terms.  Each searchable unit of the text (a word, a
 * joined technical token, a CJK bigram) becomes one subquery:
 *
 *     OR(term, Zstem, SCALE(code weight, XCterm))
 *
 * so exact words outrank stem matches and code counts less than prose.
 * The terms are also collected for highlighting, with their rarity.
 */
#ifndef RECAP_QBUILD_H
#define RECAP_QBUILD_H

#include "analysis.h"
#include "snippet.h"
#include "xap.h"

/* A spelling correction of part of the query text. */
typedef struct qbuild_fix {
    size_t off, len;   /* byte range in the query */
    char *replacement; /* the vocabulary word */
} qbuild_fix;

typedef struct qbuild {
    xap_db *db;
    const char *query;     /* the query as given, for the suggestion;
                              NULL: no spelling correction */
    const char *text_base; /* where the byte offsets of the text given
                              to qbuild_words() count from (the query
                              or the parser's copy of it) */
    int exact;             /* suggest corrections but do not search
                              for them */
    qbuild_fix *fixes;
    size_t n_fixes;
    analysis_stemmer *stemmer;  /* of the searched language; may be NULL */
    struct spell_cache **spell; /* where spelling candidates are kept
                                   (spell.h); NULL: read them each time */
    uint32_t doccount;
    snippet_term *terms; /* highlight terms; strings owned here */
    size_t n_terms, cap_terms;
    int next_group;     /* phrase group ids */
    uint32_t qpos;      /* query term positions */
    double code_weight; /* scale of matches in code */
    recap_status rc;    /* sticky: first failure */
    xap_error err;
} qbuild;

void qbuild_init(qbuild *qb, xap_db *db, analysis_stemmer *stemmer,
                 double code_weight);
void qbuild_clear(qbuild *qb);

/* A growable list of subqueries, owned. */
typedef struct qlist {
    xap_query **q;
    size_t n, cap;
} qlist;

void qlist_clear(qlist *l);
/* Appends q (taking ownership); on failure frees q and sets qb->rc. */
void qlist_push(qbuild *qb, qlist *l, xap_query *q);
/* Combines the list with `op` (one element: itself; none: NULL). */
xap_query *qlist_combine(qbuild *qb, qlist *l, xap_op op, uint32_t window);

/* The query with every correction applied, or NULL when there was none.
 * Caller frees. */
char *qbuild_suggestion(const qbuild *qb);

/* Analyses `text` and appends one subquery per unit to `out`.  `prefix` is
 * "" for the default fields or a field prefix from schema.h.  Units that
 * are stop words go to `stops` instead when it is not NULL. */
void qbuild_words(qbuild *qb, const char *text, size_t len, const char *prefix,
                  qlist *out, qlist *stops);
/* Whether a normalised term is a stop word (English, Ukrainian). */
int qbuild_is_stop_word(const char *term);
/* Terms of `prefix` field starting with the normalised `text`, at most
 * `max` of them (the most frequent, or RECAP_EQUERY at match time when
 * `strict`). */
xap_query *qbuild_wildcard(qbuild *qb, const char *text, size_t len,
                           const char *prefix, uint32_t max, int strict);
/* A phrase: the positional terms of `text` in order (NULL if it has none,
 * a single term query if it has one). */
xap_query *qbuild_phrase(qbuild *qb, const char *text, size_t len,
                         const char *prefix);
/* The positional units of a phrase, in order: the terms qbuild_phrase
 * would match (unprefixed), with their highlights added as one group. */
typedef struct qbuild_units {
    char **t;
    size_t *len;
    size_t n, cap;
} qbuild_units;

/* Fills *out (cleared first; free with qbuild_units_clear); -1 with qb->rc
 * set on failure. */
int qbuild_phrase_units(qbuild *qb, const char *text, size_t len,
                        qbuild_units *out);
void qbuild_units_clear(qbuild_units *u);
/* The PHRASE query of `u` (`prefix` before each term). */
xap_query *qbuild_units_phrase(qbuild *qb, const qbuild_units *u,
                               const char *prefix);
/* A filter term (prefix + normalised value). */
xap_query *qbuild_filter(qbuild *qb, const char *prefix, const char *value);

#endif
