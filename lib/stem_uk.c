/*
 * stem_uk.c: the light Ukrainian stemmer (see stem_uk.h).
 */
#include <string.h>

#include "stem_uk.h"

/* Endings, longest first within the table so the first match is the
 * longest.  Written in UTF-8; every Cyrillic letter is two bytes. */
static const char *const endings[] = {
    /* adjectives and pronoun-like endings */
    "ього", "ьому", "ими", "іми", "ого", "ому", "ої", "ій", "ий", "их", "іх",
    "им", "ім", "ою", "ею", "єю", "ая", "яя", "ее",
    /* nouns */
    "ами", "ями", "ові", "еві", "ам", "ям", "ах", "ях", "ів", "їв", "ей", "ом",
    "ем",
    /* verbs */
    "ати", "яти", "ити", "іти", "ють", "ать", "ять", "ить", "ені", "ено", "ла",
    "ло", "ли", "ти", "ть", "ся",
    /* single letters */
    "а", "я", "о", "е", "є", "и", "і", "ї", "у", "ю", "ь", "й"};

/* Number of UTF-8 code points in s[0..len). */
static size_t
n_chars(const char *s, size_t len)
{
    size_t i, n = 0;

    for (i = 0; i < len; i++)
        if (((unsigned char)s[i] & 0xC0) != 0x80)
            n++;
    return n;
}

size_t
stem_uk(const char *word, size_t len)
{
    size_t i, best = 0, e;

    for (i = 0; i < sizeof(endings) / sizeof(endings[0]); i++) {
        e = strlen(endings[i]);
        if (e <= best || e >= len || memcmp(word + len - e, endings[i], e) != 0)
            continue;
        if (n_chars(word, len - e) >= 3)
            best = e;
    }
    return len - best;
}
