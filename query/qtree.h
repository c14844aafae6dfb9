/*
 * qtree.h: from the query parser's syntax tree (qparse.h) to Xapian
 * queries, by the schema and the text analyser (through qbuild.h).
 *
 * A query of words written side by side ("ambient mesh multi-cluster") is
 * read the way a search box should: pages with all of the words first (the
 * strict reading), then pages with some of them (the loose reading, run as
 * a second tier by the search).  Stop words are not required in the strict
 * reading, only counted.  Exclusions apply to both readings; dates and the
 * fields that name a whole value (section:, lang:, tag:, url:) are
 * filters.  Every other shape (OR, AND, NEAR, fields with text) is read as
 * written, with a strict reading only.
 */
#ifndef RECAP_QTREE_H
#define RECAP_QTREE_H

#include "qbuild.h"
#include "qparse.h"

typedef struct qtree_out {
    xap_query *strict; /* NULL when the query has nothing to rank by */
    xap_query *loose;  /* NULL when there is no second tier */
    xap_query *filter; /* weightless conditions, NULL when none */
    xap_query *core;   /* the first tier's condition without its bonuses
                          and exclusions, to exclude from the second tier;
                          NULL when there is no second tier */
    qbuild_units near; /* the plain words' units in order, when they are
                          several: first-tier pages where they stand
                          together earn the proximity bonus */
} qtree_out;

/* The field names the parser accepts (NULL-terminated). */
extern const char *const qtree_fields[];

/* Translates the tree rooted at `root` (may be NULL).  `strict_syntax`:
 * wildcard expansion over its limit is an error rather than keeping the
 * most frequent terms.  `proximity` weighs the bonus for the words of a
 * query standing together: added by the caller from out->near when
 * `near_by_caller`, else by a PHRASE in out->strict.  Failures are left in
 * qb->rc / qb->err. */
void qtree_build(qbuild *qb, const qparse_node *root, int strict_syntax,
                 double proximity, int near_by_caller, qtree_out *out);
void qtree_out_clear(qtree_out *out);

#endif
