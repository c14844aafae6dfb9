/*
 * spell.h: typo tolerance from the index's own vocabulary.
 *
 * A query word that the index does not know, or knows far less often than
 * a close neighbour, is corrected to the vocabulary word within a small
 * edit distance (insertions, deletions, substitutions and transpositions
 * of adjacent letters): none for words under 5 letters, 1 for 5 to 8,
 * 2 for 9 and more.  Candidates share the word's first letter; among
 * equally close ones the most frequent wins.  Only unprefixed, unstemmed
 * terms are candidates, so a suggestion is always a word as written in
 * some page, never a stem.
 */
#ifndef RECAP_SPELL_H
#define RECAP_SPELL_H

#include <stddef.h>
#include <stdint.h>

#include "xap.h"

/* The candidate words of an index, read once per first letter and kept
 * until the index changes: a reader that searches again and again (a
 * server) scans them in memory instead of the index's vocabulary. */
typedef struct spell_cache spell_cache;
void spell_cache_free(spell_cache *c);

/* The correction of `term` (normalised, `len` bytes) that `termfreq`
 * pages contain, or NULL when it needs none or there is none.  `cache`
 * (may be NULL: no cache) is where the candidates are kept; *cache starts
 * NULL and is replaced when `db` changes.  Caller frees. */
char *spell_correct(xap_db *db, spell_cache **cache, const char *term,
                    size_t len, uint32_t termfreq);

/* Edit distance with adjacent transpositions between two code point
 * arrays, or `max` + 1 when it exceeds `max`. */
unsigned spell_distance(const int32_t *a, size_t na, const int32_t *b,
                        size_t nb, unsigned max);

#endif
