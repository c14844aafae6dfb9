/*
 * spell.c: corrections from the index vocabulary (see spell.h).
 */
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "spell.h"
#include "util.h"

/* Words longer than this (code points) are never corrected. */
#define SPELL_MAX_CHARS 32
/* A known word is still corrected when a neighbour is this many times more
 * frequent (and the neighbour is in at least SPELL_MIN_FREQ pages). */
#define SPELL_RATIO 20
#define SPELL_MIN_FREQ 3

/* Decodes UTF-8 into at most `max` code points; returns the count, or
 * max + 1 when there are more, or 0 on invalid input. */
static size_t
decode(const char *s, size_t len, int32_t *out, size_t max)
{
    size_t i = 0, n = 0;
    utf8proc_ssize_t r;

    while (i < len) {
        if (n == max)
            return max + 1;
        r = utf8proc_iterate((const utf8proc_uint8_t *)s + i,
                             (utf8proc_ssize_t)(len - i), &out[n]);
        if (r <= 0)
            return 0;
        i += (size_t)r;
        n++;
    }
    return n;
}

unsigned
spell_distance(const int32_t *a, size_t na, const int32_t *b, size_t nb,
               unsigned max)
{
    /* Three rows of the Damerau-Levenshtein table (optimal string
     * alignment), each row cut off early once it is all above max. */
    unsigned rows[3][SPELL_MAX_CHARS + 1];
    unsigned *prev2 = rows[0], *prev = rows[1], *cur = rows[2], *t;
    size_t i, j;

    if (na > SPELL_MAX_CHARS || nb > SPELL_MAX_CHARS)
        return max + 1;
    if ((na > nb ? na - nb : nb - na) > max)
        return max + 1;
    for (j = 0; j <= nb; j++)
        prev[j] = (unsigned)j;
    for (i = 1; i <= na; i++) {
        unsigned best = cur[0] = (unsigned)i;
        for (j = 1; j <= nb; j++) {
            unsigned cost = a[i - 1] != b[j - 1];
            unsigned v = prev[j - 1] + cost;
            if (prev[j] + 1 < v)
                v = prev[j] + 1;
            if (cur[j - 1] + 1 < v)
                v = cur[j - 1] + 1;
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] &&
                a[i - 2] == b[j - 1] && prev2[j - 2] + 1 < v)
                v = prev2[j - 2] + 1;
            cur[j] = v;
            if (v < best)
                best = v;
        }
        if (best > max)
            return max + 1;
        t = prev2;
        prev2 = prev;
        prev = cur;
        cur = t;
    }
    return prev[nb] > max ? max + 1 : prev[nb];
}

/* Whether a vocabulary term is a plain word: letters only. */
static int
is_word(const int32_t *cp, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++) {
        utf8proc_category_t c = utf8proc_category(cp[i]);
        if (c < UTF8PROC_CATEGORY_LU || c > UTF8PROC_CATEGORY_LO)
            return 0;
    }
    return 1;
}

char *
spell_correct(xap_db *db, const char *term, size_t len, uint32_t termfreq)
{
    int32_t want[SPELL_MAX_CHARS + 1], cand[SPELL_MAX_CHARS + 1];
    size_t n, nc, first;
    unsigned max, d, best_d;
    uint32_t freq, best_freq = 0;
    xap_termiter *it = NULL;
    const char *t;
    size_t tlen;
    char *best = NULL;

    n = decode(term, len, want, SPELL_MAX_CHARS);
    if (n == 0 || n > SPELL_MAX_CHARS || !is_word(want, n))
        return NULL;
    max = n >= 9 ? 2 : n >= 5 ? 1 : 0;
    if (max == 0)
        return NULL;
    best_d = max + 1;
    /* The first letter's bytes: the prefix every candidate shares. */
    first = (size_t)utf8proc_iterate((const utf8proc_uint8_t *)term,
                                     (utf8proc_ssize_t)len, &cand[0]);
    if (xap_db_allterms(db, term, first, &it, NULL))
        return NULL;
    while (xap_termiter_next(it, &t, &tlen, &freq, NULL) == 1) {
        if (freq < SPELL_MIN_FREQ || (tlen == len && !memcmp(t, term, len)))
            continue;
        nc = decode(t, tlen, cand, SPELL_MAX_CHARS);
        if (nc == 0 || nc > SPELL_MAX_CHARS)
            continue;
        d = spell_distance(want, n, cand, nc, best_d < max ? best_d : max);
        if (d > max || d > best_d || (d == best_d && freq <= best_freq) ||
            !is_word(cand, nc))
            continue;
        free(best);
        best = util_strndup(t, tlen);
        best_d = d;
        best_freq = freq;
    }
    xap_termiter_free(it);
    if (best && termfreq && best_freq < (uint64_t)termfreq * SPELL_RATIO) {
        free(best);
        best = NULL;
    }
    return best;
}
