/*
 * facets.h: facet counts over the whole match set of a search, for
 * recap_search_options.facets.
 *
 * Each facet asked for is a Xapian match spy over one value slot of
 * lib/schema.h (multi-valued slots are split at SCHEMA_VALUE_SEP).  The
 * spies are attached to every enquire of a search, so the counts cover
 * both tiers (all words, then some words), which match disjoint sets.
 *
 *     facets *f;
 *     if (facets_new(idx, opts->facets, &f) == RECAP_OK) {
 *         for (each enquire e of the search) {
 *             facets_attach(f, e, &err);
 *             xap_enquire_mset(e, first, max,
 *                              facets_check_at_least(f, first + max + 1,
 *                                                    doccount), ...);
 *         }
 *         facets_collect(f, res);
 *         facets_free(f);
 *     }
 */
#ifndef RECAP_FACETS_H
#define RECAP_FACETS_H

#include <stdint.h>

#include "recapsearch.h"
#include "xap.h"

/* Values kept per facet, most frequent first. */
#define FACETS_MAX_VALUES 100

typedef struct facets facets;

/*
 * Parses the comma-separated facet names ("section,year,tag,author,lang";
 * spaces around names and repeated names are ignored; "tags" and
 * "authors" are accepted too).  `names` NULL or blank gives *out = NULL
 * and RECAP_OK: no facets.  Returns RECAP_OK, RECAP_ENOMEM, or
 * RECAP_EINVAL for an unknown name, with the message on `idx`.
 */
recap_status facets_new(recap_index *idx, const char *names, facets **out);
void facets_free(facets *f);

/* Makes enquire `e` report to the facets' spies (f may be NULL). */
recap_status facets_attach(facets *f, xap_enquire *e, xap_error *err);

/* The check_at_least a match must use: `wanted` without facets, else at
 * least `doccount`, so every matching document is counted. */
uint32_t facets_check_at_least(const facets *f, uint32_t wanted,
                               uint32_t doccount);

/* Moves the counts into res->facets, in the order asked (f may be NULL).
 * Returns RECAP_OK or RECAP_ENOMEM. */
recap_status facets_collect(facets *f, recap_results *res);

#endif
