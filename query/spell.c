/*
 * spell.c: corrections from the index vocabulary (see spell.h).
 */
#define _GNU_SOURCE /* qsort_r */
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

/* One candidate of a cache bucket. */
typedef struct spell_word {
    uint32_t cp;   /* its code points: cache cps[cp ...] */
    uint32_t text; /* its bytes: cache text[text ...] */
    uint32_t freq;
    uint32_t letters; /* letter_set() of its code points */
    uint16_t nc, len;
} spell_word;

/* The set of a word's letters, each code point hashed to one of 32 bits.
 * An edit changes at most two members (a substitution takes one letter
 * away and brings another; a transposition none), so two words whose sets
 * differ in more than 2 d bits are more than d edits apart; letters that
 * share a bit only make the test let more through. */
static uint32_t
letter_set(const int32_t *cp, size_t n)
{
    uint32_t m = 0;

    for (size_t i = 0; i < n; i++)
        m |= 1u << ((uint32_t)cp[i] * 2654435761u >> 27);
    return m;
}

/* The candidates sharing one first letter, by length in code points. */
typedef struct spell_bucket {
    int32_t first;
    spell_word *w;
    size_t n;
    size_t by_nc[SPELL_MAX_CHARS + 2]; /* w[by_nc[k] ...] have nc >= k */
    int32_t *cps;
    char *text;
} spell_bucket;

struct spell_cache {
    xap_db *db; /* what the buckets were read from, at `revision` */
    uint64_t revision;
    spell_bucket *b;
    size_t n, cap;
    int32_t *asked; /* first letters asked for once, not yet read */
    size_t n_asked, cap_asked;
};

static void
bucket_clear(spell_bucket *b)
{
    free(b->w);
    free(b->cps);
    free(b->text);
}

void
spell_cache_free(spell_cache *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->n; i++)
        bucket_clear(&c->b[i]);
    free(c->b);
    free(c->asked);
    free(c);
}

/* Candidates in the order of the scan: by length, then by bytes.  The
 * bucket's text comes as qsort_r's argument: server threads load buckets
 * at the same time. */
static int
cmp_word(const void *x, const void *y, void *bucket)
{
    const spell_word *a = x, *b = y;
    const char *text = ((const spell_bucket *)bucket)->text;
    int c;

    if (a->nc != b->nc)
        return a->nc < b->nc ? -1 : 1;
    c = memcmp(text + a->text, text + b->text,
               a->len < b->len ? a->len : b->len);
    return c ? c : (a->len > b->len) - (a->len < b->len);
}

/* Grows *p (of *cap elements of `size` bytes) to hold `need`. */
static int
grow(void **p, size_t *cap, size_t need, size_t size)
{
    size_t n = *cap ? *cap : 64;
    void *q;

    if (need <= *cap)
        return 0;
    while (n < need)
        n *= 2;
    if (!(q = realloc(*p, n * size)))
        return -1;
    *p = q;
    *cap = n;
    return 0;
}

/* Reads the vocabulary words starting with the `first_len` bytes of
 * `term` (code point `first`) that can be corrections: plain words in at
 * least SPELL_MIN_FREQ pages, at most SPELL_MAX_CHARS long. */
static int
bucket_load(xap_db *db, const char *term, size_t first_len, int32_t first,
            spell_bucket *b)
{
    int32_t cand[SPELL_MAX_CHARS + 1];
    size_t cap_w = 0, cap_cp = 0, cap_t = 0, n_cp = 0, n_t = 0, nc, k;
    xap_termiter *it = NULL;
    const char *t;
    size_t tlen;
    uint32_t freq;
    int rc = 0;

    memset(b, 0, sizeof(*b));
    b->first = first;
    if (xap_db_allterms(db, term, first_len, &it, NULL))
        return -1;
    while ((rc = xap_termiter_next(it, &t, &tlen, &freq, NULL)) == 1) {
        if (freq < SPELL_MIN_FREQ || tlen > UINT16_MAX)
            continue;
        nc = decode(t, tlen, cand, SPELL_MAX_CHARS);
        if (nc == 0 || nc > SPELL_MAX_CHARS || !is_word(cand, nc))
            continue;
        if (grow((void **)&b->w, &cap_w, b->n + 1, sizeof(*b->w)) ||
            grow((void **)&b->cps, &cap_cp, n_cp + nc, sizeof(*b->cps)) ||
            grow((void **)&b->text, &cap_t, n_t + tlen, 1) ||
            n_cp + nc > UINT32_MAX || n_t + tlen > UINT32_MAX) {
            rc = -1;
            break;
        }
        b->w[b->n++] =
            (spell_word){(uint32_t)n_cp,       (uint32_t)n_t, freq,
                         letter_set(cand, nc), (uint16_t)nc,  (uint16_t)tlen};
        memcpy(b->cps + n_cp, cand, nc * sizeof(*cand));
        memcpy(b->text + n_t, t, tlen);
        n_cp += nc;
        n_t += tlen;
    }
    xap_termiter_free(it);
    if (rc < 0) {
        bucket_clear(b);
        return -1;
    }
    if (b->n)
        qsort_r(b->w, b->n, sizeof(*b->w), cmp_word, b);
    for (k = 0, nc = 0; k <= SPELL_MAX_CHARS + 1; k++) {
        while (nc < b->n && b->w[nc].nc < k)
            nc++;
        b->by_nc[k] = nc;
    }
    return 0;
}

/* The bucket of `first` in *slot's cache, read the second time a word
 * with that letter needs correcting (one search, as from the command
 * line, costs no more than a scan); NULL when it is not read yet or
 * memory or the index fails: then the caller scans the index itself. */
static const spell_bucket *
cached_bucket(spell_cache **slot, xap_db *db, const char *term,
              size_t first_len, int32_t first)
{
    spell_cache *c = *slot;
    uint64_t rev = 0;
    spell_bucket b;

    if (xap_db_revision(db, &rev, NULL))
        return NULL;
    if (c && (c->db != db || c->revision != rev)) {
        spell_cache_free(c);
        c = *slot = NULL;
    }
    if (!c) {
        if (!(c = calloc(1, sizeof(*c))))
            return NULL;
        c->db = db;
        c->revision = rev;
        *slot = c;
    }
    for (size_t i = 0; i < c->n; i++)
        if (c->b[i].first == first)
            return &c->b[i];
    for (size_t i = 0;; i++) {
        if (i == c->n_asked) {
            if (!grow((void **)&c->asked, &c->cap_asked, c->n_asked + 1,
                      sizeof(*c->asked)))
                c->asked[c->n_asked++] = first;
            return NULL;
        }
        if (c->asked[i] == first)
            break;
    }
    if (grow((void **)&c->b, &c->cap, c->n + 1, sizeof(*c->b)) ||
        bucket_load(db, term, first_len, first, &b))
        return NULL;
    c->b[c->n] = b;
    return &c->b[c->n++];
}

/* The best correction so far: closest, then most frequent, then first in
 * byte order (the order of the index's vocabulary). */
typedef struct best {
    unsigned d;
    uint32_t freq;
    const char *t;
    size_t len;
} best;

static void
consider(best *b, unsigned d, uint32_t freq, const char *t, size_t len)
{
    int c;

    if (d > b->d)
        return;
    if (d == b->d && b->t) {
        if (freq < b->freq)
            return;
        if (freq == b->freq) {
            c = memcmp(t, b->t, len < b->len ? len : b->len);
            if (c > 0 || (c == 0 && len >= b->len))
                return;
        }
    }
    b->d = d;
    b->freq = freq;
    b->t = t;
    b->len = len;
}

char *
spell_correct(xap_db *db, spell_cache **cache, const char *term, size_t len,
              uint32_t termfreq)
{
    int32_t want[SPELL_MAX_CHARS + 1], cand[SPELL_MAX_CHARS + 1];
    size_t n, nc, first, k, lo, hi;
    unsigned max, d;
    uint32_t freq;
    xap_termiter *it = NULL;
    const spell_bucket *bk = NULL;
    const char *t;
    size_t tlen;
    best b = {0, 0, NULL, 0};
    char *out;

    n = decode(term, len, want, SPELL_MAX_CHARS);
    if (n == 0 || n > SPELL_MAX_CHARS || !is_word(want, n))
        return NULL;
    max = n >= 9 ? 2 : n >= 5 ? 1 : 0;
    if (max == 0)
        return NULL;
    b.d = max + 1;
    /* The first letter's bytes: the prefix every candidate shares. */
    first = (size_t)utf8proc_iterate((const utf8proc_uint8_t *)term,
                                     (utf8proc_ssize_t)len, &cand[0]);
    if (cache)
        bk = cached_bucket(cache, db, term, first, want[0]);
    if (bk) {
        uint32_t want_letters = letter_set(want, n);
        /* Only lengths within `max` of the word's can be close enough. */
        lo = bk->by_nc[n > max ? n - max : 0];
        hi = bk->by_nc[n + max <= SPELL_MAX_CHARS ? n + max + 1
                                                  : SPELL_MAX_CHARS + 1];
        for (k = lo; k < hi; k++) {
            const spell_word *w = &bk->w[k];
            t = bk->text + w->text;
            if (w->len == len && !memcmp(t, term, len))
                continue;
            if ((unsigned)__builtin_popcount(w->letters ^ want_letters) >
                2 * (b.d < max ? b.d : max))
                continue;
            d = spell_distance(want, n, bk->cps + w->cp, w->nc,
                               b.d < max ? b.d : max);
            if (d <= max)
                consider(&b, d, w->freq, t, w->len);
        }
        out = b.t ? util_strndup(b.t, b.len) : NULL;
        freq = b.freq;
    } else {
        if (xap_db_allterms(db, term, first, &it, NULL))
            return NULL;
        out = NULL;
        while (xap_termiter_next(it, &t, &tlen, &freq, NULL) == 1) {
            if (freq < SPELL_MIN_FREQ || (tlen == len && !memcmp(t, term, len)))
                continue;
            nc = decode(t, tlen, cand, SPELL_MAX_CHARS);
            if (nc == 0 || nc > SPELL_MAX_CHARS)
                continue;
            d = spell_distance(want, n, cand, nc, b.d < max ? b.d : max);
            if (d > max || d > b.d || (d == b.d && freq <= b.freq) ||
                !is_word(cand, nc))
                continue;
            free(out);
            out = util_strndup(t, tlen);
            b.d = d;
            b.freq = freq;
        }
        xap_termiter_free(it);
        freq = b.freq;
    }
    if (out && termfreq && freq < (uint64_t)termfreq * SPELL_RATIO) {
        free(out);
        out = NULL;
    }
    return out;
}
