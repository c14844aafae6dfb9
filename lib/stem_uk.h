/*
 * stem_uk.h: a light stemmer for Ukrainian, which Snowball does not cover.
 *
 * It strips one inflectional ending (case, number and gender endings of
 * nouns and adjectives, the commonest verb endings), the longest that
 * leaves a stem of at least three letters, and nothing else: no
 * derivational suffixes, no consonant alternations.  So безпека, безпеки,
 * безпеку and безпекою share the stem "безпек"; мережа, мережі, мережу
 * share "мереж"; сервісна, сервісної, сервісну share "сервісн".
 */
#ifndef RECAP_STEM_UK_H
#define RECAP_STEM_UK_H

#include <stddef.h>

/* The byte length of the stem of a normalised (lower-case) Ukrainian word
 * of `len` bytes: the stem is always a prefix of the word. */
size_t stem_uk(const char *word, size_t len);

#endif
