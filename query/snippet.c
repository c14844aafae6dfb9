/*
 * snippet.c: passage selection and highlighting (see snippet.h).
 *
 * For each section: find where a query term may occur by a byte search
 * for a short needle per term (find_spans), tokenize only the runs of text
 * around those places (the whole text when the needles cannot be trusted:
 * see choose_needles and has_foldable), keep the tokens that match a
 * query term as `match`es sorted by byte offset, give each its code-point
 * offset, link phrase neighbours, and slide a window of
 * at most max_chars code points over the matches with two pointers, keeping
 * the score up to date as matches enter and leave.  The best sections are
 * then rendered: the window is widened to a sentence or clause start,
 * cut at a word end, whitespace is collapsed and highlights are marked.
 *
 * Scores are kept in integer thousandths of a weight so that adding and
 * removing matches is exact and results do not depend on rounding.
 */
#define _GNU_SOURCE /* memrchr */
#include "snippet.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

#ifdef __SSE2__
#include <emmintrin.h>
#endif

#define DEFAULT_MAX_CHARS 200
#define MIN_MAX_CHARS 20
/* How far back (code points) a sentence start may pull the passage start. */
#define LEAD_LIMIT 40
/* Context (code points) kept before the first match when no sentence or
 * clause start is near. */
#define LEAD_CONTEXT 25
/* Repeats of a term that still add to a score, and their share of it. */
#define MAX_REPEATS 3
#define REPEAT_DIVISOR 16
/* How many matches back a phrase neighbour is looked for. */
#define LINK_LOOKBACK 8

static const char ELLIPSIS[] = "\xe2\x80\xa6"; /* U+2026 */

struct snippet_matcher;
static size_t decode(const unsigned char *s, size_t n, uint32_t *cp);
static int is_wide(uint32_t c);
static void choose_needles(struct snippet_matcher *mt);
static void index_needles(struct snippet_matcher *mt);

/* ---- query terms and token matching --------------------------------- */

/* Needles the sixteen-byte scan of the prefilter takes at once (see
 * find_ascii_needles); with more, each byte is looked up in a table. */
#define VEC_NEEDLES 8
/* Match arrays a matcher keeps between calls. */
#define SPARE_ARRAYS 8

typedef unsigned char v16 __attribute__((vector_size(16)));

typedef struct qterm {
    char *term; /* owned */
    size_t len;
    char *stem; /* owned; NULL when the term takes no stem */
    size_t stem_len;
    int64_t w; /* weight in thousandths */
    int pred;  /* index of the previous term of its phrase, or -1 */
    int canon; /* the term it counts as: itself, or what it is an
                  alternative form of */
} qterm;

/* A cache of token term -> matching query terms, so each distinct word of
 * a document is stemmed once per call. */
typedef struct cache_entry {
    size_t key_off; /* into matcher.keys; SIZE_MAX when the slot is free */
    size_t key_len;
    uint64_t mask;
} cache_entry;

typedef struct snippet_matcher {
    qterm t[SNIPPET_MAX_TERMS];
    size_t n;
    analysis_stemmer *stemmer;
    int any_stem;
    /* First bytes of the stems: an ASCII-initial word whose first byte is
     * not among them cannot stem to any of them (Snowball stemmers keep a
     * word's first letter), so it is not stemmed at all. */
    unsigned char stem_first[128];
    /* The prefilter (see find_spans): a needle per term, or off. */
    int prefilter;
    struct {
        char key[16];
        size_t len;
    } needle[SNIPPET_MAX_TERMS];
    /* Needles by the bytes that may start them (the first byte of an
     * ASCII needle, and its capital), as bit masks, so one pass over a
     * text finds every ASCII needle; the other needles (Cyrillic, CJK) are
     * looked for one by one. */
    uint64_t first_byte[256];
    uint64_t ascii_needles, other_needles;
    /* For a Cyrillic needle, the other letter that folds to its first one
     * (its capital), or 0. */
    uint32_t cyr_up[SNIPPET_MAX_TERMS];
    /* The ASCII needles' first, second and third bytes with 0x20 set,
     * sixteen times over: [0, n_tri) those of three bytes, [n_tri, n_pair)
     * those of two (vec_k2 unused), [n_pair, n_vec) those of one (vec_k1
     * unused too); n_vec is 0 when there are more than VEC_NEEDLES. */
    v16 vec_k0[VEC_NEEDLES], vec_k1[VEC_NEEDLES], vec_k2[VEC_NEEDLES];
    size_t n_tri, n_pair, n_vec;
    /* The terms by first byte, and by length (index 0: 64 bytes or
     * more), as bit masks; the empty terms. */
    uint64_t term_first[256], term_len[64], empty_terms;
    cache_entry *slots;
    size_t n_slots, n_used;
    strbuf keys;
    /* Scratch of find_spans(): needle offsets, then spans. */
    size_t *hits;
    size_t n_hits, hits_cap;
    size_t *spans; /* [start, end) pairs */
    size_t n_spans, spans_cap;
    uint64_t hit_terms; /* the terms whose needles find_spans found */
    /* Match arrays that earlier snippet_make_with() calls were done with,
     * for the next ones (see take_spare), so a search allocates a few
     * arrays rather than several per hit. */
    struct match *spare[SPARE_ARRAYS];
    size_t spare_cap[SPARE_ARRAYS], n_spare;
} matcher;

static uint64_t
exact_mask(const matcher *mt, const char *term, size_t len)
{
    uint64_t mask = 0;
    /* Only the terms of this first byte and length can be equal. */
    uint64_t cand = len ? mt->term_first[(unsigned char)term[0]] &
                              mt->term_len[len < 64 ? len : 0]
                        : mt->empty_terms;

    while (cand) {
        int i = __builtin_ctzll(cand);
        cand &= cand - 1;
        if (mt->t[i].len == len && memcmp(mt->t[i].term, term, len) == 0)
            mask |= (uint64_t)1 << i;
    }
    return mask;
}

static uint64_t
stem_mask(matcher *mt, const char *term, size_t len)
{
    size_t slen;
    const char *stem = analysis_stem(mt->stemmer, term, len, &slen);
    uint64_t mask = 0;

    if (!stem)
        return 0;
    for (size_t i = 0; i < mt->n; i++)
        if (mt->t[i].stem && mt->t[i].stem_len == slen &&
            memcmp(mt->t[i].stem, stem, slen) == 0)
            mask |= (uint64_t)1 << i;
    return mask;
}

/* Doubles the cache.  Returns 0 when out of memory. */
static int
cache_grow(matcher *mt)
{
    size_t n = mt->n_slots ? mt->n_slots * 2 : 256;
    cache_entry *slots = malloc(n * sizeof *slots);

    if (!slots)
        return 0;
    for (size_t i = 0; i < n; i++)
        slots[i].key_off = SIZE_MAX;
    for (size_t i = 0; i < mt->n_slots; i++) {
        cache_entry *e = &mt->slots[i];
        if (e->key_off == SIZE_MAX)
            continue;
        size_t j = util_hash64(mt->keys.data + e->key_off, e->key_len);
        while (slots[j & (n - 1)].key_off != SIZE_MAX)
            j++;
        slots[j & (n - 1)] = *e;
    }
    free(mt->slots);
    mt->slots = slots;
    mt->n_slots = n;
    return 1;
}

/* The query terms a token matches, as a bit mask; sets *oom on failure. */
static uint64_t
token_mask(matcher *mt, const analysis_token *tok, int *oom)
{
    cache_entry *e;
    size_t j;

    /* The first-byte test first: it is the cheaper one.  Other than for
     * CJK tokens, whether a token takes a stem depends on its term only,
     * so the cache below keeps that answer too. */
    if (!mt->any_stem ||
        (tok->term_len > 0 && (unsigned char)tok->term[0] < 0x80 &&
         !mt->stem_first[(unsigned char)tok->term[0]]) ||
        tok->kind == ANALYSIS_CJK_UNI || tok->kind == ANALYSIS_CJK_BI)
        return exact_mask(mt, tok->term, tok->term_len);
    if (mt->n_used * 2 >= mt->n_slots && !cache_grow(mt)) {
        *oom = 1;
        return 0;
    }
    j = util_hash64(tok->term, tok->term_len);
    for (;; j++) {
        e = &mt->slots[j & (mt->n_slots - 1)];
        if (e->key_off == SIZE_MAX)
            break;
        if (e->key_len == tok->term_len &&
            memcmp(mt->keys.data + e->key_off, tok->term, e->key_len) == 0)
            return e->mask;
    }
    e->key_off = mt->keys.len;
    e->key_len = tok->term_len;
    strbuf_append(&mt->keys, tok->term, tok->term_len);
    if (mt->keys.oom) {
        e->key_off = SIZE_MAX;
        *oom = 1;
        return 0;
    }
    e->mask = exact_mask(mt, tok->term, tok->term_len);
    if (analysis_is_stemmable(tok))
        e->mask |= stem_mask(mt, tok->term, tok->term_len);
    mt->n_used++;
    return e->mask;
}

static int64_t
milli(double w)
{
    if (!(w >= 0.001)) /* also catches NaN */
        return 1;
    if (w > 1e12)
        return (int64_t)1e15;
    return (int64_t)(w * 1000.0 + 0.5);
}

/* Copies the terms and stems them.  Returns 0, or -1 when out of memory. */
static int
matcher_init(matcher *mt, const snippet_term *terms, size_t n_terms,
             analysis_stemmer *stemmer)
{
    memset(mt, 0, sizeof *mt);
    mt->stemmer = stemmer;
    mt->n = n_terms < SNIPPET_MAX_TERMS ? n_terms : SNIPPET_MAX_TERMS;
    for (size_t i = 0; i < mt->n; i++) {
        qterm *q = &mt->t[i];
        if (!(q->term = util_strndup(terms[i].term ? terms[i].term : "",
                                     terms[i].term_len)))
            return -1;
        q->len = terms[i].term_len;
        if (q->len) {
            mt->term_first[(unsigned char)q->term[0]] |= (uint64_t)1 << i;
            mt->term_len[q->len < 64 ? q->len : 0] |= (uint64_t)1 << i;
        } else {
            mt->empty_terms |= (uint64_t)1 << i;
        }
        q->w = milli(terms[i].weight);
        q->pred = -1;
        q->canon = (int)i;
        if (terms[i].alt_of > 0 && (size_t)terms[i].alt_of <= i)
            q->canon = mt->t[terms[i].alt_of - 1].canon;
        for (size_t k = i; terms[i].group >= 0 && k-- > 0;)
            if (terms[k].group == terms[i].group) {
                q->pred = (int)k;
                break;
            }
        if (!stemmer || q->len == 0)
            continue;
        size_t slen;
        const char *stem = analysis_stem(stemmer, q->term, q->len, &slen);
        if (!stem)
            continue;
        q->stem = util_strndup(stem, slen);
        if (!q->stem)
            return -1;
        q->stem_len = slen;
        mt->any_stem = 1;
        if ((unsigned char)stem[0] < 0x80)
            mt->stem_first[(unsigned char)stem[0]] = 1;
    }
    choose_needles(mt);
    index_needles(mt);
    return 0;
}

/* Whether a stemmer maps accented words to plain ASCII stems (German
 * drops umlauts), so an ASCII needle could miss a word that matches. */
static int
folds_accents(analysis_stemmer *st)
{
    static const char *const probes[] = {"\xc3\xbc"
                                         "ber",
                                         "\xc3\xa4"
                                         "rger",
                                         "\xc3\xb6"
                                         "fen",
                                         "\xc3\xa9"
                                         "t\xc3\xa9"};
    size_t n;

    for (size_t i = 0; st && i < UTIL_ARRAY_LEN(probes); i++) {
        const char *stem = analysis_stem(st, probes[i], strlen(probes[i]), &n);
        if (stem && n > 0 && (unsigned char)stem[0] < 0x80)
            return 1;
    }
    return 0;
}

static int
is_cjk_term(const char *s, size_t n)
{
    size_t i = 0;

    while (i < n) {
        uint32_t c;
        i += decode((const unsigned char *)s + i, n - i, &c);
        if (!is_wide(c) || c >= 0xFF00)
            return 0;
    }
    return n > 0;
}

/* Lower case of a Cyrillic code point (U+0400..U+04FF), as case
 * folding gives it; other code points are returned as they are. */
static uint32_t
cyr_lower(uint32_t c)
{
    if (c >= 0x400 && c <= 0x40F)
        return c + 0x50;
    if (c >= 0x410 && c <= 0x42F)
        return c + 0x20;
    if (((c >= 0x460 && c <= 0x481) || (c >= 0x48A && c <= 0x4BF) ||
         (c >= 0x4D0 && c <= 0x4FF)) &&
        c % 2 == 0)
        return c + 1;
    if (c >= 0x4C1 && c <= 0x4CE && c % 2 == 1)
        return c + 1;
    if (c == 0x4C0)
        return 0x4CF;
    return c;
}

/* Whether a term is made of lower-case Cyrillic letters only (two bytes
 * each, no combining marks). */
static int
is_cyrillic_term(const char *s, size_t n)
{
    const unsigned char *u = (const unsigned char *)s;

    for (size_t i = 0; i < n; i += 2) {
        uint32_t c;
        if (i + 1 >= n || u[i] < 0xD0 || u[i] > 0xD3 ||
            decode(u + i, n - i, &c) != 2 || (c >= 0x482 && c <= 0x489) ||
            cyr_lower(c) != c)
            return 0;
    }
    return n > 0;
}

/* Whether the stemmer keeps Cyrillic letters as they are (some map
 * "Ñ" to "Ðµ"), so a stem's first letters are the word's. */
static int
cyr_plain(analysis_stemmer *st)
{
    static const char probe[] =
        "\xd1\x91\xd0\xbb\xd0\xba\xd0\xb0\xd0\xbc\xd0\xb8";
    size_t n;
    const char *stem;

    if (!st)
        return 1;
    stem = analysis_stem(st, probe, strlen(probe), &n);
    return !stem || (n >= 2 && memcmp(stem, probe, 2) == 0);
}

/*
 * Chooses the needles of the prefilter: for an ASCII term, its first three
 * bytes (fewer when its stem differs sooner: a stem's last letter may
 * differ from the word's, "sky" for "skies"); for a CJK term, the term.
 * A term of any other script (case folding beyond ASCII) or a stemmer that
 * folds accents turns the prefilter off.
 */
static void
choose_needles(matcher *mt)
{
    mt->prefilter = mt->n > 0 && !folds_accents(mt->stemmer);
    for (size_t i = 0; i < mt->n && mt->prefilter; i++) {
        qterm *q = &mt->t[i];
        size_t k = 0;
        if (is_cjk_term(q->term, q->len) && q->len < sizeof mt->needle[i].key) {
            memcpy(mt->needle[i].key, q->term, q->len);
            mt->needle[i].len = q->len;
            continue;
        }
        if (is_cyrillic_term(q->term, q->len)) {
            /* Up to three letters (two bytes each) that the stem keeps,
             * short of its last letter. */
            while (
                k < q->len && k < 6 && cyr_plain(mt->stemmer) &&
                (!q->stem || (k + 2 < q->stem_len && q->stem[k] == q->term[k] &&
                              q->stem[k + 1] == q->term[k + 1])))
                k += 2;
            if (k == 0) {
                mt->prefilter = 0;
                break;
            }
            memcpy(mt->needle[i].key, q->term, k);
            mt->needle[i].len = k;
            continue;
        }
        while (k < q->len && k < 3 && (unsigned char)q->term[k] < 0x80 &&
               (!q->stem || (k + 1 < q->stem_len && q->stem[k] == q->term[k])))
            k++;
        for (size_t j = 0; j < q->len; j++)
            if ((unsigned char)q->term[j] >= 0x80)
                k = 0;
        if (k == 0) {
            mt->prefilter = 0;
            break;
        }
        memcpy(mt->needle[i].key, q->term, k);
        mt->needle[i].len = k;
    }
}

/* Fills the first-byte table of the prefilter from the needles. */
static void
index_needles(matcher *mt)
{
    /* Distinct first two bytes (0x20 set) of the needles; k1 is 0 for a
     * needle of one byte. */
    unsigned char k0[SNIPPET_MAX_TERMS], k1[SNIPPET_MAX_TERMS],
        k2[SNIPPET_MAX_TERMS];
    size_t n = 0;

    memset(mt->first_byte, 0, sizeof mt->first_byte);
    mt->ascii_needles = mt->other_needles = 0;
    for (size_t i = 0; mt->prefilter && i < mt->n; i++) {
        unsigned char lo = (unsigned char)mt->needle[i].key[0];
        if (lo >= 0x80) {
            mt->other_needles |= (uint64_t)1 << i;
            mt->cyr_up[i] = 0;
            if (lo >= 0xD0 && lo <= 0xD3 && mt->needle[i].len >= 2) {
                uint32_t c0;
                decode((const unsigned char *)mt->needle[i].key, 2, &c0);
                for (uint32_t c = 0x400; c <= 0x4FF && !mt->cyr_up[i]; c++)
                    if (c != c0 && cyr_lower(c) == c0)
                        mt->cyr_up[i] = c;
            }
            continue;
        }
        mt->ascii_needles |= (uint64_t)1 << i;
        mt->first_byte[lo] |= (uint64_t)1 << i;
        if (lo >= 'a' && lo <= 'z')
            mt->first_byte[lo - 'a' + 'A'] |= (uint64_t)1 << i;
        /* Needles alike in the vector scan ("mul" of "multi" and of
         * "multicluster") are looked for once. */
        unsigned char c0 = (unsigned char)(lo | 0x20), c1 = 0, c2 = 0;
        if (mt->needle[i].len > 1)
            c1 = (unsigned char)((unsigned char)mt->needle[i].key[1] | 0x20);
        if (mt->needle[i].len > 2)
            c2 = (unsigned char)((unsigned char)mt->needle[i].key[2] | 0x20);
        size_t j = 0;
        while (j < n && !(k0[j] == c0 && k1[j] == c1 && k2[j] == c2))
            j++;
        if (j == n) {
            k0[n] = c0;
            k1[n] = c1;
            k2[n++] = c2;
        }
    }
    mt->n_tri = mt->n_pair = mt->n_vec = 0;
    if (n > VEC_NEEDLES)
        return;
    /* Needles of three bytes first, then those of two, then of one. */
    for (int bytes = 3; bytes > 0; bytes--) {
        for (size_t j = 0; j < n; j++) {
            if ((k2[j] ? 3 : k1[j] ? 2 : 1) != bytes)
                continue;
            v16 zero = {0};
            mt->vec_k0[mt->n_vec] = zero + k0[j];
            mt->vec_k1[mt->n_vec] = zero + k1[j];
            mt->vec_k2[mt->n_vec++] = zero + k2[j];
        }
        if (bytes == 3)
            mt->n_tri = mt->n_vec;
        if (bytes == 2)
            mt->n_pair = mt->n_vec;
    }
}

static void
matcher_free(matcher *mt)
{
    for (size_t i = 0; i < mt->n; i++) {
        free(mt->t[i].stem);
        free(mt->t[i].term);
    }
    free(mt->slots);
    free(mt->hits);
    free(mt->spans);
    for (size_t i = 0; i < mt->n_spare; i++)
        free(mt->spare[i]);
    strbuf_free(&mt->keys);
}

/* ---- matches in one text ------------------------------------------------ */

typedef struct match {
    size_t off, len;   /* bytes in the text */
    size_t coff, cend; /* code-point offsets of the start and the end, for
                          windows only (see annotate_offsets) */
    uint32_t pos;      /* token position */
    uint64_t mask;     /* query terms matched */
    uint64_t cmask;    /* the terms they count as (qterm.canon) */
    size_t link;       /* index of the phrase neighbour before, or SIZE_MAX */
    int link_term;     /* the term of this match the link is for */
    int list;          /* in a list-like block (see snippet.h) */
    size_t orig;       /* in a filtered copy: the index in the full array */
} match;

typedef struct match_vec {
    match *m;
    size_t n, cap;
} match_vec;

/* Gives v a spare array of the matcher, if it has one (v is empty). */
static void
take_spare(matcher *mt, match_vec *v)
{
    if (mt->n_spare > 0) {
        mt->n_spare--;
        v->m = mt->spare[mt->n_spare];
        v->cap = mt->spare_cap[mt->n_spare];
    }
}

/* Keeps the array m (of cap matches) for a later call, or frees it. */
static void
keep_spare(matcher *mt, match *m, size_t cap)
{
    if (!m)
        return;
    if (mt->n_spare < SPARE_ARRAYS) {
        mt->spare[mt->n_spare] = m;
        mt->spare_cap[mt->n_spare++] = cap;
    } else {
        free(m);
    }
}

typedef struct collect_ctx {
    matcher *mt;
    match_vec *v;
    size_t base; /* byte offset of the tokenized span in the text */
    int oom;
} collect_ctx;

static int
collect_token(void *ctx, const analysis_token *tok)
{
    collect_ctx *c = ctx;
    uint64_t mask = token_mask(c->mt, tok, &c->oom);

    if (c->oom)
        return 1;
    if (!mask)
        return 0;
    if (c->v->n == c->v->cap) {
        size_t cap = c->v->cap ? c->v->cap * 2 : 32;
        match *m = realloc(c->v->m, cap * sizeof *m);
        if (!m) {
            c->oom = 1;
            return 1;
        }
        c->v->m = m;
        c->v->cap = cap;
    }
    match *m = &c->v->m[c->v->n++];
    memset(m, 0, sizeof *m);
    m->off = c->base + tok->off;
    m->len = tok->len;
    m->pos = tok->pos;
    m->mask = mask;
    m->link = SIZE_MAX;
    return 0;
}

static int
match_cmp(const void *a, const void *b)
{
    const match *x = a, *y = b;
    if (x->off != y->off)
        return x->off < y->off ? -1 : 1;
    if (x->len != y->len)
        return x->len > y->len ? -1 : 1;
    return x->pos < y->pos ? -1 : x->pos > y->pos;
}

/* Sorts matches by match_cmp.  The tokenizer reports them nearly in order
 * (a JOINED token after its parts, a CJK bigram after its first
 * character), so each moves back only a few places. */
static void
sort_matches(match *m, size_t n)
{
    for (size_t i = 1; i < n; i++) {
        if (match_cmp(&m[i - 1], &m[i]) <= 0)
            continue;
        match x = m[i];
        size_t j = i;
        while (j > 0 && match_cmp(&m[j - 1], &x) > 0)
            j--;
        memmove(&m[j + 1], &m[j], (i - j) * sizeof *m);
        m[j] = x;
    }
}

static int
is_cont(unsigned char c)
{
    return (c & 0xC0) == 0x80;
}

/* Decodes one UTF-8 sequence at s[0..n), n > 0.  Returns its length and
 * sets *cp, or returns 1 with *cp = 0xFFFD for an invalid byte. */
static size_t
decode(const unsigned char *s, size_t n, uint32_t *cp)
{
    uint32_t c = s[0], min;
    size_t k;

    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    if (c >= 0xC2 && c <= 0xDF)
        k = 2, c &= 0x1F, min = 0x80;
    else if (c >= 0xE0 && c <= 0xEF)
        k = 3, c &= 0x0F, min = 0x800;
    else if (c >= 0xF0 && c <= 0xF4)
        k = 4, c &= 0x07, min = 0x10000;
    else
        goto bad;
    if (k > n)
        goto bad;
    for (size_t i = 1; i < k; i++) {
        if (!is_cont(s[i]))
            goto bad;
        c = c << 6 | (s[i] & 0x3F);
    }
    if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
        goto bad;
    *cp = c;
    return k;
bad:
    *cp = 0xFFFD;
    return 1;
}

/* step() of a non-ASCII byte. */
static size_t
step_multi(const char *s, size_t n)
{
    const unsigned char *u = (const unsigned char *)s;
    unsigned char c = u[0];

    /* decode()'s length without its code point: the second byte's range
     * rules out what decode() refuses (overlong forms, surrogates, past
     * U+10FFFF). */
    if (c >= 0xC2 && c <= 0xDF)
        return n >= 2 && is_cont(u[1]) ? 2 : 1;
    if (c >= 0xE0 && c <= 0xEF)
        return n >= 3 && is_cont(u[1]) && is_cont(u[2]) &&
                       (c != 0xE0 || u[1] >= 0xA0) && (c != 0xED || u[1] < 0xA0)
                   ? 3
                   : 1;
    if (c >= 0xF0 && c <= 0xF4)
        return n >= 4 && is_cont(u[1]) && is_cont(u[2]) && is_cont(u[3]) &&
                       (c != 0xF0 || u[1] >= 0x90) && (c != 0xF4 || u[1] < 0x90)
                   ? 4
                   : 1;
    return 1;
}

/* Bytes of the character at s[0..n), n > 0, as the renderer reads it
 * (small, so that the ASCII case is inlined everywhere). */
static inline size_t
step(const char *s, size_t n)
{
    return (unsigned char)s[0] < 0x80 ? 1 : step_multi(s, n);
}

/* A bit for each lane of m (whose lanes are 0 or 0xFF), lane j as bit j. */
static inline unsigned
lane_bits(v16 m)
{
#ifdef __SSE2__
    return (unsigned)_mm_movemask_epi8((__m128i)m);
#else
    unsigned r = 0;

    for (int j = 0; j < 16; j++)
        r |= (unsigned)(m[j] & 1) << j;
    return r;
#endif
}

/* Set bits of x < 0x10000. */
static inline unsigned
bits16(unsigned x)
{
    x -= (x >> 1) & 0x5555;
    x = (x & 0x3333) + ((x >> 2) & 0x3333);
    x = (x + (x >> 4)) & 0x0F0F;
    return (x + (x >> 8)) & 0x1F;
}

/* Where the sixteen bytes at s, the start of a character, hold a run of
 * whole characters, each plain ASCII, a two-byte sequence or a three-byte
 * one that needs no check of its second byte (lead E1..EC, EE, EF), that
 * ends at or after the fourteenth byte: adds its code points to *k and
 * returns its length.  Otherwise returns 0, for step() to read on: for
 * such characters it steps over the same bytes. */
static size_t
utf8_block(const char *s, size_t *k)
{
    v16 a;
    memcpy(&a, s, 16);
    unsigned asc = lane_bits((v16)(a < 0x80));
    unsigned cont = lane_bits((v16)((a & 0xC0) == 0x80));
    unsigned l2 = lane_bits((v16)(a >= 0xC2) & (v16)(a <= 0xDF));
    unsigned l3 =
        lane_bits(((v16)(a >= 0xE1) & (v16)(a <= 0xEF)) & (v16)(a != 0xED));
    unsigned trail = (l2 & 0x8000) | (l3 & 0xC000);
    unsigned cut = trail ? (unsigned)__builtin_ctz(trail) : 16;
    unsigned keep = (1u << cut) - 1;

    l2 &= keep;
    l3 &= keep;
    unsigned want = (l2 << 1) | (l3 << 1) | (l3 << 2);
    if (((asc | cont | l2 | l3) & keep) != keep || (want & ~keep) ||
        (cont & keep) != want)
        return 0;
    *k += bits16(keep & ~cont);
    return cut;
}

/* Code points in s[0..n), each invalid byte counting as one (it is
 * rendered as U+FFFD), counted until there are at least `cap`. */
static size_t
count_cp_upto(const char *s, size_t n, size_t cap)
{
    size_t k = 0, i = 0;

    while (i < n && k < cap) {
        /* Sixteen bytes at a time: plain ASCII, or the well-formed
         * characters step() reads as such (see utf8_block). */
        while (i + 16 <= n && k < cap) {
            uint64_t w[2];
            memcpy(w, s + i, 16);
            if ((w[0] | w[1]) & 0x8080808080808080u) {
                size_t b = utf8_block(s + i, &k);
                if (!b)
                    break;
                i += b;
                continue;
            }
            i += 16;
            k += 16;
        }
        if (i + 16 > n)
            break;
        i += step(s + i, n - i);
        k++;
    }
    /* The last few bytes, plain ASCII eight at a time. */
    while (i < n && k < cap) {
        uint64_t w;
        if (i + 8 <= n && (memcpy(&w, s + i, 8), !(w & 0x8080808080808080u))) {
            i += 8;
            k += 8;
            continue;
        }
        i += step(s + i, n - i);
        k++;
    }
    return k;
}

/* Code points in s[0..n) (see count_cp_upto). */
static size_t
count_cp(const char *s, size_t n)
{
    return count_cp_upto(s, n, SIZE_MAX);
}

static int is_space(unsigned char c);
static size_t prev_char(const char *s, size_t p);
static uint32_t cp_at(const char *s, size_t len, size_t p);

/* Byte offset of the next "\n\n" at or after `from`, or len. */
static size_t
next_blank_line(const char *s, size_t len, size_t from)
{
    const char *p;

    while (from + 1 < len &&
           (p = memchr(s + from, '\n', len - from - 1)) != NULL) {
        from = (size_t)(p - s);
        if (s[from + 1] == '\n')
            return from;
        from++;
    }
    return len;
}

/* Whether a line reads like an item of a list rather than prose: short,
 * and not ending like a sentence. */
static int
list_line(const char *s, size_t n)
{
    uint32_t c;

    while (n > 0 && is_space((unsigned char)s[n - 1]))
        n--;
    /* 100 code points or more: surely from 400 bytes (a code point takes
     * at most four), never below 100. */
    if (n == 0 || n >= 400 || (n >= 100 && count_cp_upto(s, n, 100) >= 100))
        return 0;
    c = cp_at(s, n, prev_char(s, n));
    return !(c == '.' || c == '!' || c == '?' || c == ':' || c == ';' ||
             c == ')' || c == '"' || c == 0x2026 || c == 0x201D ||
             c == 0x3002 || c == 0xFF01 || c == 0xFF1F || c == 0xFF1A ||
             c == 0xFF1B || c == 0xFF09);
}

/* Whether a block (text between "\n\n") reads like a list rather than
 * prose: an item of one (a short line not ending like a sentence), or
 * several lines that each read so, as the rows of a table do. */
static int
list_block(const char *s, size_t n)
{
    const char *nl;
    size_t lines = 0;

    if (list_line(s, n))
        return 1;
    while (n > 0 && (nl = memchr(s, '\n', n)) != NULL) {
        if (!list_line(s, (size_t)(nl - s)))
            return 0;
        lines++;
        n -= (size_t)(nl - s) + 1;
        s = nl + 1;
    }
    return lines > 0 && list_line(s, n);
}

/* Fills coff/cend and cmask, and the list flag of each match, in one pass
 * over the text.  Only differences of code-point offsets are used, by
 * windows of at most `budget` code points: they are counted from the first
 * match, and a gap between two matches only up to more than `budget`. */
static void
annotate_offsets(const matcher *mt, const char *text, size_t len, match *m,
                 size_t n, size_t budget)
{
    size_t at = n ? m[0].off : 0, cp = 0, bstart = 0, bend = 0;
    size_t cap = budget < SIZE_MAX ? budget + 1 : SIZE_MAX;
    int blist = 0;

    for (size_t i = 0; i < n; i++) {
        cp += count_cp_upto(text + at, m[i].off - at, cap);
        at = m[i].off;
        m[i].coff = cp;
        m[i].cend = cp + count_cp(text + m[i].off, m[i].len);
        m[i].cmask = 0;
        for (size_t t = 0; t < mt->n; t++)
            if (m[i].mask >> t & 1)
                m[i].cmask |= (uint64_t)1 << mt->t[t].canon;
        while (m[i].off >= bend && bend < len) {
            bstart = bend;
            while (bstart < len && text[bstart] == '\n')
                bstart++;
            bend = next_blank_line(text, len, bstart);
            blist = list_block(text + bstart, bend - bstart);
        }
        m[i].list = blist;
    }
}

/* Links each match to the phrase neighbour before it, if any. */
static void
annotate_links(const matcher *mt, match *m, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        m[i].link = SIZE_MAX;
        for (size_t t = 0; t < mt->n && m[i].link == SIZE_MAX; t++) {
            int p = mt->t[t].pred;
            if (!(m[i].mask >> t & 1) || p < 0 || m[i].pos == 0)
                continue;
            for (size_t k = i, seen = 0; k-- > 0 && seen < LINK_LOOKBACK;
                 seen++)
                if (m[k].pos + 1 == m[i].pos && (m[k].mask >> p & 1)) {
                    m[i].link = k;
                    m[i].link_term = (int)t;
                    break;
                }
        }
    }
}

/* Bytes of a character that a term can leave out at s[i], or 0: a
 * joiner ('-' and '_' are dropped from joined forms), an apostrophe inside
 * a word, an invisible word continuation (see analysis.h). */
static size_t
skippable(const unsigned char *s, size_t len, size_t i)
{
    if (s[i] == '\'' || s[i] == '-' || s[i] == '_')
        return 1;
    if (i + 1 < len && ((s[i] == 0xC2 && s[i + 1] == 0xAD) ||
                        (s[i] == 0xCA && s[i + 1] == 0xBC)))
        return 2;
    if (i + 2 < len && s[i] == 0xE2 &&
        ((s[i + 1] == 0x80 &&
          (s[i + 2] == 0x99 || (s[i + 2] >= 0x8B && s[i + 2] <= 0x8D))) ||
         (s[i + 1] == 0x81 && s[i + 2] == 0xA0)))
        return 3;
    if (i + 2 < len && s[i] == 0xEF &&
        ((s[i + 1] == 0xBB && s[i + 2] == 0xBF) ||
         (s[i + 1] == 0xBC && s[i + 2] == 0x87)))
        return 3;
    return 0;
}

/* Whether the needle occurs at s[i], ASCII case ignored, skipping
 * apostrophes and invisible joiners after its first byte. */
static int
needle_at(const unsigned char *s, size_t len, size_t i, const char *key,
          size_t klen)
{
    for (size_t k = 0; k < klen;) {
        size_t skip;
        if (i >= len)
            return 0;
        /* Only these bytes can start a skippable character. */
        if (k > 0 &&
            (s[i] >= 0x80 || s[i] == '\'' || s[i] == '-' || s[i] == '_') &&
            (skip = skippable(s, len, i))) {
            i += skip;
            continue;
        }
        unsigned char c = s[i];
        if (c >= 0xD0 && c <= 0xD3 && (unsigned char)key[k] >= 0xD0 &&
            (unsigned char)key[k] <= 0xD3 && k + 1 < klen) {
            /* A Cyrillic letter of a Cyrillic needle, case ignored (the
             * needle's letters are lower case): a lead byte D0..D3 and a
             * continuation byte, as decode() would read them. */
            if (i + 1 >= len || !is_cont(s[i + 1]))
                return 0;
            if (s[i + 1] != (unsigned char)key[k + 1] ||
                c != (unsigned char)key[k]) {
                uint32_t cp =
                    cyr_lower((uint32_t)(c & 0x1F) << 6 | (s[i + 1] & 0x3F));
                if ((unsigned char)key[k] != (0xC0 | cp >> 6) ||
                    (unsigned char)key[k + 1] != (0x80 | (cp & 0x3F)))
                    return 0;
            }
            i += 2;
            k += 2;
            continue;
        }
        if (c >= 'A' && c <= 'Z')
            c = (unsigned char)(c - 'A' + 'a');
        if (c != (unsigned char)key[k])
            return 0;
        i++;
        k++;
    }
    return 1;
}

/* Whether s[0..n) (s[0] == 0xEF) starts a full-width punctuation mark
 * or symbol (U+FF01..U+FF5F) that NFKC maps to no letter or digit: the
 * commas and stops of Chinese text, which need no slow path. */
static int
plain_fullwidth(const unsigned char *s, size_t n)
{
    if (n < 3)
        return 0;
    if (s[1] == 0xBC) /* U+FF00..U+FF3F: not the digits, capitals, ' */
        return s[2] != 0x87 && !(s[2] >= 0x90 && s[2] <= 0x99) &&
               !(s[2] >= 0xA1 && s[2] <= 0xBA) && s[2] != 0x80;
    if (s[1] == 0xBD) /* U+FF40..U+FF7F: not the small letters, kana */
        return !(s[2] >= 0x81 && s[2] <= 0x9A) && s[2] < 0xA0;
    return 0;
}

/* Whether the pair s[i], s[i + 1] (i + 1 < len) starts a character
 * has_foldable looks for (see there). */
static int
foldable_at(const unsigned char *s, size_t len, size_t i)
{
    unsigned char a = s[i], b = s[i + 1];

    return (a == 0xC2 &&
            (b == 0xAA || b == 0xB2 || b == 0xB3 || b == 0xB9 || b == 0xBA)) ||
           (a == 0xC4 && b == 0xB0) || (a == 0xC5 && b == 0xBF) ||
           (a == 0xE2 && (b == 0x81 || b == 0x82 || b == 0x84 || b == 0x85 ||
                          (b >= 0x91 && b <= 0x93))) ||
           (a == 0xEF && !plain_fullwidth(s + i, len - i)) || a == 0xCC ||
           (a == 0xCD && b <= 0xAF) ||                /* combining marks */
           (a == 0xE1 && (b == 0xB2 || b == 0xB4)) || /* Cyrillic-like */
           (a == 0xF0 && b == 0x9D);
}

/* Whether text has a character that NFKC or case folding turns into ASCII
 * letters or digits (full-width forms, ligatures, letterlike symbols,
 * super- and subscripts, circled letters, mathematical letters, long s,
 * dotted capital I), which a byte search for a needle would miss. */
static int
has_foldable(const char *text, size_t len)
{
    const unsigned char *s = (const unsigned char *)text;
    size_t i = 0;

    /* Sixteen bytes at a time: plain ASCII is skipped at once, and of the
     * rest only the lead bytes foldable_at can accept are checked. */
    for (; i + 17 <= len; i += 16) {
        v16 a;
        uint64_t w[2];
        memcpy(&a, s + i, 16);
        memcpy(w, &a, 16);
        if (!((w[0] | w[1]) & 0x8080808080808080u))
            continue;
        v16 lead = (v16)(a == 0xC2) | (v16)(a == 0xC4) | (v16)(a == 0xC5) |
                   (v16)(a == 0xCC) | (v16)(a == 0xCD) | (v16)(a == 0xE1) |
                   (v16)(a == 0xE2) | (v16)(a == 0xEF) | (v16)(a == 0xF0);
        memcpy(w, &lead, 16);
        if (!(w[0] | w[1]))
            continue;
        for (size_t j = 0; j < 16; j++)
            if (lead[j] && foldable_at(s, len, i + j))
                return 1;
    }
    for (; i + 1 < len; i++)
        if (s[i] >= 0xC2 && foldable_at(s, len, i))
            return 1;
    return 0;
}

/* Appends x to a vector of offsets.  Returns 0, or -1 when out of
 * memory. */
static int
push_off(size_t **v, size_t *n, size_t *cap, size_t x)
{
    if (*n == *cap) {
        size_t c = *cap ? *cap * 2 : 64;
        size_t *p = realloc(*v, c * sizeof *p);
        if (!p)
            return -1;
        *v = p;
        *cap = c;
    }
    (*v)[(*n)++] = x;
    return 0;
}

/* find_needles() for a Cyrillic needle (term t): looks for the second
 * byte of its first letter, in either case, and checks the letter's first
 * byte. */
static int
find_cyrillic(matcher *mt, const char *text, size_t len, size_t t)
{
    const unsigned char *s = (const unsigned char *)text;
    const char *key = mt->needle[t].key;
    size_t klen = mt->needle[t].len;
    uint32_t up[2];
    size_t n_up = 0;

    /* The letters that fold to the first one: itself and its capital. */
    decode((const unsigned char *)key, 2, &up[n_up++]);
    if (mt->cyr_up[t])
        up[n_up++] = mt->cyr_up[t];
    for (size_t v = 0; v < n_up; v++) {
        unsigned char b0 = (unsigned char)(0xC0 | up[v] >> 6);
        unsigned char b1 = (unsigned char)(0x80 | (up[v] & 0x3F));
        const unsigned char *p = s + 1, *end = s + len;
        while (p < end && (p = memchr(p, b1, (size_t)(end - p))) != NULL) {
            if (p[-1] == b0 &&
                needle_at(s, len, (size_t)(p - 1 - s), key, klen) &&
                push_off(&mt->hits, &mt->n_hits, &mt->hits_cap,
                         (size_t)(p - 1 - s)) < 0)
                return -1;
            p++;
        }
    }
    return 0;
}

/* Whether the needle can occur at p (its first byte, in either case, is
 * there): most first bytes are followed by a plain ASCII character other
 * than the needle's second, and needle_at would say no. */
static int
needle_here(const unsigned char *s, size_t len, size_t i, const char *key,
            size_t klen)
{
    unsigned char c2 = i + 1 < len ? s[i + 1] : 0;

    if (c2 >= 'A' && c2 <= 'Z')
        c2 = (unsigned char)(c2 - 'A' + 'a');
    if (klen > 1 && i + 1 < len && c2 < 0x80 && c2 != '\'' && c2 != '-' &&
        c2 != '_' && c2 != (unsigned char)key[1])
        return 0;
    /* Nor can a continuation byte other than the needle's second (it
     * starts no skippable character) unless the needle starts with a
     * Cyrillic letter, compared case folded: the common case is a CJK
     * needle, whose first byte starts many other characters. */
    if (klen > 1 && i + 1 < len && (c2 & 0xC0) == 0x80 &&
        c2 != (unsigned char)key[1] &&
        !((unsigned char)key[0] >= 0xD0 && (unsigned char)key[0] <= 0xD3))
        return 0;
    if ((unsigned char)key[0] < 0x80 && i + klen <= len) {
        /* Plain ASCII that no skippable character interrupts: compared
         * at once, as needle_at would. */
        size_t k = 0;
        for (; k < klen; k++) {
            unsigned char c = s[i + k];
            if (c >= 0x80 || c == '\'' || c == '-' || c == '_')
                break;
            if (c >= 'A' && c <= 'Z')
                c = (unsigned char)(c - 'A' + 'a');
            if (c != (unsigned char)key[k])
                return 0;
        }
        if (k == klen)
            return 1;
    }
    return needle_at(s, len, i, key, klen);
}

static int
ascii_alnum(unsigned char c)
{
    return (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z');
}

/* Whether no token can start at s[i] (i > 0): it and the byte before are
 * ASCII letters or digits of one word, not a lower-to-upper camelCase turn
 * (see analysis.h).  A matching token starts where its needle does, so a
 * needle found there only repeats one at the word's start, or is none. */
static int
inside_word(const unsigned char *s, size_t i)
{
    unsigned char p = s[i - 1], c = s[i];

    return ascii_alnum(p) && ascii_alnum(c) &&
           !(p >= 'a' && p <= 'z' && c >= 'A' && c <= 'Z');
}

/* Pushes offset i when an ASCII needle occurs there.  Returns 0, or -1
 * when out of memory. */
static int
ascii_needle_at(matcher *mt, const unsigned char *s, size_t len, size_t i)
{
    uint64_t m = mt->first_byte[s[i]], found = 0;

    if (i > 0 && inside_word(s, i))
        return 0;
    /* The needles not found yet are all looked for (see hit_terms); of
     * the others, one is enough. */
    for (uint64_t n = m & ~mt->hit_terms; n; n &= n - 1) {
        int t = __builtin_ctzll(n);
        if (needle_here(s, len, i, mt->needle[t].key, mt->needle[t].len))
            found |= (uint64_t)1 << t;
    }
    for (uint64_t n = m & mt->hit_terms; n && !found; n &= n - 1) {
        int t = __builtin_ctzll(n);
        if (needle_here(s, len, i, mt->needle[t].key, mt->needle[t].len))
            found |= (uint64_t)1 << t;
    }
    if (!found)
        return 0;
    mt->hit_terms |= found;
    return push_off(&mt->hits, &mt->n_hits, &mt->hits_cap, i);
}

/* The lead bytes foldable_at() can accept, among the lanes of a. */
#define FOLD_LEADS(a, V)                                                       \
    ((V)((a) == 0xC2) | (V)((a) == 0xC4) | (V)((a) == 0xC5) |                  \
     (V)((a) == 0xCC) | (V)((a) == 0xCD) | (V)((a) == 0xE1) |                  \
     (V)((a) == 0xE2) | (V)((a) == 0xEF) | (V)((a) == 0xF0))

/* The candidate lanes of the needle scan (see find_ascii_needles): a is
 * the block, b the block one byte on, both with 0x20 set; `cp` points at
 * the block two bytes on, read only when a needle of three bytes has its
 * first two in the block; NT, NP and NV are the matcher's n_tri, n_pair
 * and n_vec, ANY(v) whether a lane of v is set.  A lane is a candidate
 * where a needle's first byte is followed by its second (or a byte that
 * may start a skippable character) and then, for a needle of three
 * bytes, by its third (or such a byte). */
#define NEEDLE_LANES(NT, NP, NV, a, b, cp, V, ANY, K0, K1, K2, hit)            \
    do {                                                                       \
        V first_ = {0}, pair_[VEC_NEEDLES], any_ = {0};                        \
        for (size_t t_ = 0; t_ < (NT); t_++) {                                 \
            V e_ = (V)((a) == K0(t_));                                         \
            first_ |= e_;                                                      \
            pair_[t_] = e_ & (V)((b) == K1(t_));                               \
            any_ |= pair_[t_];                                                 \
        }                                                                      \
        if ((NT) > 0 && ANY(any_)) {                                           \
            V c_;                                                              \
            memcpy(&c_, (cp), sizeof c_);                                      \
            c_ |= 0x20;                                                        \
            /* '\'', '-', '_' (0x7F with 0x20 set) and non-ASCII bytes. */     \
            V skip_c_ = (V)(c_ == '\'') | (V)(c_ == '-') | (V)(c_ == 0x7F) |   \
                        (V)(c_ >= 0x80);                                       \
            for (size_t t_ = 0; t_ < (NT); t_++)                               \
                (hit) |= pair_[t_] & ((V)(c_ == K2(t_)) | skip_c_);            \
        }                                                                      \
        for (size_t t_ = (NT); t_ < (NP); t_++) {                              \
            V e_ = (V)((a) == K0(t_));                                         \
            first_ |= e_;                                                      \
            (hit) |= e_ & (V)((b) == K1(t_));                                  \
        }                                                                      \
        (hit) |= first_ & ((V)((b) == '\'') | (V)((b) == '-') |                \
                           (V)((b) == 0x7F) | (V)((b) >= 0x80));               \
        for (size_t t_ = (NP); t_ < (NV); t_++)                                \
            (hit) |= (V)((a) == K0(t_));                                       \
    } while (0)

#define K0_16(t) mt->vec_k0[t]
#define K1_16(t) mt->vec_k1[t]
#define K2_16(t) mt->vec_k2[t]
#define ANY_16(v) (lane_bits(v) != 0)

/* Checks the lanes `bits` of the block at i for foldable characters (see
 * has_foldable).  Returns 1 when one is found. */
static int
block_foldable(const unsigned char *s, size_t len, size_t i, uint64_t bits)
{
    for (; bits; bits &= bits - 1)
        if (foldable_at(s, len, i + (size_t)__builtin_ctzll(bits)))
            return 1;
    return 0;
}

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define HAVE_SCAN32 1

typedef unsigned char v32 __attribute__((vector_size(32)));

/* The 32-byte form of the loop of find_ascii_needles (AVX2): the same
 * candidates, lane for lane, and the same foldable check (*fold), with
 * `nt`, `np` and `nv` for the matcher's n_tri, n_pair and n_vec (constants
 * where scan32 inlines it, so the needles' vectors stay in registers).  Returns
 * the offset it stopped at (a multiple of 32), or SIZE_MAX when out of
 * memory. */
__attribute__((target("avx2"), always_inline)) static inline size_t
scan32_with(matcher *mt, const unsigned char *s, size_t len, int *fold,
            size_t nt, size_t np, size_t nv)
{
    v32 k0[VEC_NEEDLES], k1[VEC_NEEDLES], k2[VEC_NEEDLES];
    size_t i = 0;

    for (size_t t = 0; t < nv; t++) {
        v32 z = {0};
        k0[t] = z + mt->vec_k0[t][0];
        k1[t] = z + mt->vec_k1[t][0];
        k2[t] = z + mt->vec_k2[t][0];
    }
#define K0_32(t) k0[t]
#define K1_32(t) k1[t]
#define K2_32(t) k2[t]
#define ANY_32(v) (!_mm256_testz_si256((__m256i)(v), (__m256i)(v)))
    for (; i + 34 <= len; i += 32) {
        v32 a, b, hit = {0};
        memcpy(&a, s + i, 32);
        memcpy(&b, s + i + 1, 32);
        if (!*fold) {
            unsigned high = (unsigned)_mm256_movemask_epi8((__m256i)a);
            if (high) {
                v32 lead = FOLD_LEADS(a, v32);
                *fold = block_foldable(
                    s, len, i, (unsigned)_mm256_movemask_epi8((__m256i)lead));
            }
        }
        a |= 0x20;
        b |= 0x20;
        NEEDLE_LANES(nt, np, nv, a, b, s + i + 2, v32, ANY_32, K0_32, K1_32,
                     K2_32, hit);
        for (unsigned bits = (unsigned)_mm256_movemask_epi8((__m256i)hit); bits;
             bits &= bits - 1)
            if (ascii_needle_at(mt, s, len, i + (size_t)__builtin_ctz(bits)) <
                0)
                return SIZE_MAX;
    }
#undef K0_32
#undef K1_32
#undef K2_32
#undef ANY_32
    return i;
}

/* scan32_with() for the usual needle counts, each with its own code. */
__attribute__((target("avx2"))) static size_t
scan32(matcher *mt, const unsigned char *s, size_t len, int *fold)
{
#define SCAN32_CASE(nt, np, nv)                                                \
    case ((nt) * (VEC_NEEDLES + 1) + (np)) * (VEC_NEEDLES + 1) + (nv):         \
        return scan32_with(mt, s, len, fold, nt, np, nv)
    switch ((mt->n_tri * (VEC_NEEDLES + 1) + mt->n_pair) * (VEC_NEEDLES + 1) +
            mt->n_vec) {
        SCAN32_CASE(1, 1, 1);
        SCAN32_CASE(2, 2, 2);
        SCAN32_CASE(3, 3, 3);
        SCAN32_CASE(4, 4, 4);
        SCAN32_CASE(0, 1, 1);
        SCAN32_CASE(1, 2, 2);
        SCAN32_CASE(0, 0, 1);
        SCAN32_CASE(1, 1, 2);
    default:
        return scan32_with(mt, s, len, fold, mt->n_tri, mt->n_pair, mt->n_vec);
    }
#undef SCAN32_CASE
}

/* libgcc reads the CPU's features once at start-up: asking costs a load
 * (and, unlike a flag of our own set on first use, races with no thread). */
static int
have_avx2(void)
{
    return __builtin_cpu_supports("avx2");
}
#endif

/* Appends to mt->hits, in order and once each, every offset where an ASCII
 * needle occurs, in one pass over the text.  Sixteen bytes at a time
 * (thirty-two with AVX2), a byte is a candidate when it and the next one
 * or two may be a needle's first bytes (compared with 0x20 set, so both
 * cases; any byte that could start a skippable character counts as a
 * second or third byte): that rules out nearly all of the text at a few
 * instructions per
 * sixteen bytes, and each candidate is then checked exactly.  The same
 * pass answers has_foldable() into *fold (0 or 1), or sets it to -1 when
 * the text was not scanned.  Returns 0, or -1 when out of memory. */
static int
find_ascii_needles(matcher *mt, const char *text, size_t len, int *fold)
{
    const unsigned char *s = (const unsigned char *)text;
    size_t i = 0;

    *fold = -1;
    if (!mt->ascii_needles || !mt->n_vec)
        return 0;
    *fold = 0;
#ifdef HAVE_SCAN32
    if (len >= 34 && have_avx2() && (i = scan32(mt, s, len, fold)) == SIZE_MAX)
        return -1;
#endif
    for (; i + 18 <= len; i += 16) {
        v16 a, b, hit = {0};
        uint64_t w[2];
        memcpy(&a, s + i, 16);
        memcpy(&b, s + i + 1, 16);
        memcpy(w, &a, 16);
        if (!*fold && ((w[0] | w[1]) & 0x8080808080808080u)) {
            v16 lead = FOLD_LEADS(a, v16);
            *fold = block_foldable(s, len, i, lane_bits(lead));
        }
        a |= 0x20;
        b |= 0x20;
        NEEDLE_LANES(mt->n_tri, mt->n_pair, mt->n_vec, a, b, s + i + 2, v16,
                     ANY_16, K0_16, K1_16, K2_16, hit);
        for (unsigned bits = lane_bits(hit); bits; bits &= bits - 1)
            if (ascii_needle_at(mt, s, len, i + (size_t)__builtin_ctz(bits)) <
                0)
                return -1;
    }
    for (size_t j = i; !*fold && j + 1 < len; j++)
        if (s[j] >= 0xC2 && foldable_at(s, len, j))
            *fold = 1;
    for (; i < len; i++)
        if (mt->first_byte[s[i]] && ascii_needle_at(mt, s, len, i) < 0)
            return -1;
    return 0;
}

/* Appends to mt->hits every offset where needle t occurs (see
 * needle_here).  Returns 0, or -1 when out of memory. */
static int
find_needles(matcher *mt, const char *text, size_t len, size_t t)
{
    const unsigned char *s = (const unsigned char *)text;
    const char *key = mt->needle[t].key;
    size_t klen = mt->needle[t].len, i = 0;
    unsigned char lo = (unsigned char)key[0], up = lo;

    if (lo >= 0xD0 && lo <= 0xD3 && klen >= 2)
        return find_cyrillic(mt, text, len, t);
    if (lo >= 0x80 && klen >= 2) {
        /* Sixteen bytes at a time, the places needle_here does not rule
         * out by their first two bytes: the needle's first byte followed
         * by its second, by a lead byte or by a byte that may start a
         * skippable character. */
        unsigned char k1 = (unsigned char)key[1];
        for (; i + 17 <= len; i += 16) {
            v16 a, b;
            memcpy(&a, s + i, 16);
            memcpy(&b, s + i + 1, 16);
            unsigned bits = lane_bits((v16)(a == lo));
            if (!bits)
                continue;
            bits &=
                lane_bits((v16)(b == k1) | (v16)(b >= 0xC0) | (v16)(b == '\'') |
                          (v16)(b == '-') | (v16)(b == '_'));
            for (; bits; bits &= bits - 1) {
                size_t p = i + (size_t)__builtin_ctz(bits);
                if (needle_here(s, len, p, key, klen) &&
                    push_off(&mt->hits, &mt->n_hits, &mt->hits_cap, p) < 0)
                    return -1;
            }
        }
    }
    if (lo >= 'a' && lo <= 'z')
        up = (unsigned char)(lo - 'a' + 'A');
    for (int pass = 0; pass < 1 + (up != lo); pass++) {
        const unsigned char *p = s + i, *end = s + len;
        while ((p = memchr(p, pass ? up : lo, (size_t)(end - p))) != NULL) {
            if (needle_here(s, len, (size_t)(p - s), key, klen) &&
                push_off(&mt->hits, &mt->n_hits, &mt->hits_cap,
                         (size_t)(p - s)) < 0)
                return -1;
            p++;
        }
    }
    return 0;
}

static int
size_cmp(const void *a, const void *b)
{
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    return x < y ? -1 : x > y;
}

/* Whether s[0..n) starts a CJK punctuation mark the tokenizer stops at
 * (、。「」《》 and the full-width ，：；（）！？), which cuts Chinese
 * text into clauses the way spaces cut English. */
static int
is_wide_cut(const unsigned char *s, size_t n)
{
    if (n < 3)
        return 0;
    if (s[0] == 0xE3 && s[1] == 0x80)
        return s[2] == 0x81 || s[2] == 0x82 || (s[2] >= 0x8A && s[2] <= 0x8D);
    if (s[0] == 0xEF && s[1] == 0xBC)
        return s[2] == 0x8C || s[2] == 0x9A || s[2] == 0x9B || s[2] == 0x88 ||
               s[2] == 0x89 || s[2] == 0x81 || s[2] == 0x9F;
    return 0;
}

/* For the span search of find_spans: 1 for a byte the tokenizer always
 * stops at (ASCII, and not a letter, digit, joiner '-', '_', '.' or
 * apostrophe: see analysis.h), 2 for the first bytes is_wide_cut()
 * accepts, 0 for the others.  No token covers a byte of class 1, and
 * tokenizing from just after it gives the tokens the whole text has
 * there. */
static const unsigned char span_stop[256] = {
    [0 ... 0x26] = 1,    [0x28 ... 0x2C] = 1, [0x2F] = 1,
    [0x3A ... 0x40] = 1, [0x5B ... 0x5E] = 1, [0x60] = 1,
    [0x7B ... 0x7F] = 1, [0xE3] = 2,          [0xEF] = 2,
};

/* Whether s[a..b) surely holds a token: an ASCII alphanumeric, a basic
 * Cyrillic letter or a common Han character, each of which the tokenizer
 * always gives a position. */
static int
has_token(const unsigned char *s, size_t a, size_t b)
{
    for (size_t i = a; i < b; i++) {
        unsigned char c = s[i];
        if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
            (c >= 'A' && c <= 'Z'))
            return 1;
        if (i + 1 < b && ((c == 0xD0 && s[i + 1] >= 0x90) ||
                          (c == 0xD1 && s[i + 1] <= 0x8F && s[i + 1] >= 0x80)))
            return 1; /* U+0410..U+044F */
        if (c >= 0xE4 && c <= 0xE9 && i + 2 < b) {
            uint32_t cp;
            if (decode(s + i, b - i, &cp) == 3 && cp >= 0x4E00 && cp <= 0x9FA5)
                return 1;
        }
    }
    return 0;
}

/*
 * The prefilter: where any term could match in text, found by a byte
 * search for each term's needle (much cheaper than tokenizing).  Returns 0
 * when no term can match, 1 when the whole text must be tokenized (the
 * prefilter is off, or the text has foldable characters), or 2 with
 * mt->spans[0..mt->n_spans) holding the spans [start, end) to tokenize:
 * the runs between cut bytes (see span_stop) that hold a needle, in order.
 * Spans whose gap may hold no token are merged, so two tokens at adjacent
 * positions of the text are always in one span.  Returns -1 when out of
 * memory.
 */
static int
find_spans(matcher *mt, const char *text, size_t len)
{
    const unsigned char *s = (const unsigned char *)text;
    int fold;

    if (!mt->prefilter)
        return 1;
    mt->n_hits = 0;
    mt->hit_terms = 0;
    if (find_ascii_needles(mt, text, len, &fold) < 0)
        return -1;
    for (size_t i = 0; i < mt->n; i++) {
        size_t before = mt->n_hits;
        if ((mt->other_needles >> i & 1) && find_needles(mt, text, len, i) < 0)
            return -1;
        if (mt->n_hits > before)
            mt->hit_terms |= (uint64_t)1 << i;
    }
    if (fold < 0)
        fold = has_foldable(text, len);
    if (fold)
        return 1;
    if (mt->n_hits == 0)
        return 0;
    if (mt->other_needles)
        qsort(mt->hits, mt->n_hits, sizeof *mt->hits, size_cmp);
    mt->n_spans = 0;
    for (size_t h = 0, end = 0; h < mt->n_hits; h++) {
        size_t p = mt->hits[h], a = p, b = p;
        if (mt->n_spans > 0 && p < end)
            continue;
        while (
            a > 0 && span_stop[s[a - 1]] != 1 &&
            !(a >= 3 && span_stop[s[a - 3]] == 2 && is_wide_cut(s + a - 3, 3)))
            a--;
        while (b < len && span_stop[s[b]] != 1 &&
               !(span_stop[s[b]] == 2 && is_wide_cut(s + b, len - b)))
            b++;
        if (mt->n_spans > 0 && !has_token(s, end, a)) {
            mt->spans[mt->n_spans - 1] = b;
        } else if (push_off(&mt->spans, &mt->n_spans, &mt->spans_cap, a) < 0 ||
                   push_off(&mt->spans, &mt->n_spans, &mt->spans_cap, b) < 0) {
            return -1;
        }
        end = b;
    }
    return 2;
}

static int64_t repeat_share(int64_t w, unsigned before);
static int64_t link_bonus(const matcher *mt, int t);

/* The most a window can score with matches of the terms in `terms` only,
 * `seen[t]` times each term t it counts as (see scorer_add): each of those
 * with its repeats, and every phrase link whose two terms are there. */
static int64_t
score_bound(const matcher *mt, uint64_t terms, const unsigned *seen)
{
    int64_t b = 0;

    for (size_t t = 0; t < mt->n; t++) {
        int p = mt->t[t].pred;
        if ((terms >> t & 1) && p >= 0 && (terms >> p & 1))
            b += link_bonus(mt, (int)t);
        for (unsigned k = 0; k < seen[t] && k <= MAX_REPEATS; k++)
            b += repeat_share(mt->t[t].w, k);
    }
    return b;
}

/* score_bound() of the needles found. */
static int64_t
needle_bound(const matcher *mt)
{
    unsigned seen[SNIPPET_MAX_TERMS] = {0};

    for (size_t t = 0; t < mt->n; t++)
        if (mt->hit_terms >> t & 1)
            seen[mt->t[t].canon] = MAX_REPEATS + 1;
    return score_bound(mt, mt->hit_terms, seen);
}

/* score_bound() of the matches m[0..n). */
static int64_t
match_bound(const matcher *mt, const match *m, size_t n)
{
    unsigned seen[SNIPPET_MAX_TERMS] = {0};
    uint64_t terms = 0;

    for (size_t i = 0; i < n; i++) {
        uint64_t canon = 0;
        terms |= m[i].mask;
        for (uint64_t b = m[i].mask; b; b &= b - 1)
            canon |= (uint64_t)1 << mt->t[__builtin_ctzll(b)].canon;
        for (; canon; canon &= canon - 1)
            seen[__builtin_ctzll(canon)]++;
    }
    return score_bound(mt, terms, seen);
}

/* Tokenizes `text` and fills `v` with its sorted, annotated matches.
 * When no window over them could score above `floor` (> 0), going by the
 * needles found or by the matches, leaves `v` empty instead.  `budget` is
 * that of the windows (see annotate_offsets).  Returns 0, or -1 when out of
 * memory. */
static int
find_matches(matcher *mt, const char *text, size_t len, int64_t floor,
             size_t budget, match_vec *v)
{
    collect_ctx c = {mt, v, 0, 0};
    int r;

    v->n = 0;
    if (len == 0 || mt->n == 0 || (r = find_spans(mt, text, len)) == 0)
        return 0;
    if (r < 0)
        return -1;
    if (r == 2 && floor > 0 && needle_bound(mt) <= floor)
        return 0;
    if (r == 1) {
        if (analysis_tokenize(text, len, 0, collect_token, &c, NULL) < 0 ||
            c.oom)
            return -1;
    } else {
        uint32_t pos = 0;
        for (size_t k = 0; k + 1 < mt->n_spans; k += 2) {
            size_t a = mt->spans[k], b = mt->spans[k + 1];
            c.base = a;
            /* Spans are apart by at least one token: keep a position
             * free between them so no phrase link is made across. */
            if (analysis_tokenize(text + a, b - a, pos, collect_token, &c,
                                  &pos) < 0 ||
                c.oom)
                return -1;
            pos++;
        }
    }
    if (v->n == 0)
        return 0;
    if (floor > 0 && match_bound(mt, v->m, v->n) <= floor) {
        v->n = 0;
        return 0;
    }
    sort_matches(v->m, v->n);
    annotate_offsets(mt, text, len, v->m, v->n, budget);
    annotate_links(mt, v->m, v->n);
    return 0;
}

/* ---- window scoring ----------------------------------------------------- */

typedef struct window {
    int64_t score;      /* thousandths */
    size_t first, last; /* matches [first, last) */
} window;

typedef struct scorer {
    const matcher *mt;
    const match *m;
    unsigned cnt[SNIPPET_MAX_TERMS];
    unsigned links[SNIPPET_MAX_TERMS];
    int64_t score;
} scorer;

static int64_t
repeat_share(int64_t w, unsigned before)
{
    if (before == 0)
        return w;
    return before <= MAX_REPEATS ? w / REPEAT_DIVISOR : 0;
}

static int64_t
link_bonus(const matcher *mt, int t)
{
    return (mt->t[t].w + mt->t[mt->t[t].pred].w) / 2;
}

static void
link_on(scorer *s, int t)
{
    if (s->links[t]++ == 0)
        s->score += link_bonus(s->mt, t);
}

static void
link_off(scorer *s, int t)
{
    if (--s->links[t] == 0)
        s->score -= link_bonus(s->mt, t);
}

static void
scorer_add(scorer *s, size_t j, size_t left)
{
    const match *m = &s->m[j];
    for (size_t t = 0; t < s->mt->n; t++)
        if (m->cmask >> t & 1)
            s->score += repeat_share(s->mt->t[t].w, s->cnt[t]++);
    if (m->link != SIZE_MAX && m->link >= left)
        link_on(s, m->link_term);
}

/* Removes match `l`, the window's first, while [l+1, r) stay in. */
static void
scorer_remove(scorer *s, size_t l, size_t r)
{
    const match *m = &s->m[l];
    for (size_t t = 0; t < s->mt->n; t++)
        if (m->cmask >> t & 1)
            s->score -= repeat_share(s->mt->t[t].w, --s->cnt[t]);
    for (size_t j = l + 1; j < r && j <= l + LINK_LOOKBACK; j++)
        if (s->m[j].link == l)
            link_off(s, s->m[j].link_term);
}

/* The best window of at most `budget` code points over m[0..n). */
static window
best_window(const matcher *mt, const match *m, size_t n, size_t budget)
{
    scorer s;
    window best = {0, 0, 0};
    size_t r = 0;

    memset(&s, 0, sizeof s);
    s.mt = mt;
    s.m = m;
    for (size_t l = 0; l < n; l++) {
        if (r == l)
            scorer_add(&s, r++, l);
        while (r < n && m[r].cend - m[l].coff <= budget)
            scorer_add(&s, r++, l);
        if (s.score > best.score) {
            best.score = s.score;
            best.first = l;
            best.last = r;
        }
        scorer_remove(&s, l, r);
    }
    return best;
}

/* ---- passage bounds ----------------------------------------------------- */

static int
is_space(unsigned char c)
{
    /* ' ', '\t', '\n', '\v', '\f', '\r' as bits of one constant. */
    return c <= ' ' && (UINT64_C(0x100003E00) >> c & 1);
}

/* Whether a code point is a CJK character or full-width form, which is a
 * word of its own for cutting purposes. */
static int
is_wide(uint32_t c)
{
    return (c >= 0x2E80 && c <= 0x9FFF) || (c >= 0xAC00 && c <= 0xD7AF) ||
           (c >= 0xF900 && c <= 0xFAFF) || (c >= 0xFF00 && c <= 0xFFEF) ||
           (c >= 0x20000 && c <= 0x3FFFF);
}

/* Byte offset of the code point before offset p (> 0). */
static size_t
prev_char(const char *s, size_t p)
{
    do
        p--;
    while (p > 0 && is_cont((unsigned char)s[p]));
    return p;
}

static uint32_t
cp_at(const char *s, size_t len, size_t p)
{
    uint32_t c;
    decode((const unsigned char *)s + p, len - p, &c);
    return c;
}

enum { NO_BOUNDARY, CLAUSE, SENTENCE };

/* What ending a passage start may follow: a sentence end (". ", "! ",
 * "? ", "。", "！", "？") or a clause end ("; ", ": ", "；", "："). */
static int
ender(uint32_t c, int spaced)
{
    if (c == 0x3002 || c == 0xFF01 || c == 0xFF1F)
        return SENTENCE;
    if (c == 0xFF1B || c == 0xFF1A)
        return CLAUSE;
    if (!spaced)
        return NO_BOUNDARY;
    if (c == '.' || c == '!' || c == '?')
        return SENTENCE;
    return c == ';' || c == ':' ? CLAUSE : NO_BOUNDARY;
}

/* What kind of passage start offset p is: the text or a block start
 * ("\n\n"), just after a sentence end, or after a clause end.  Full-width
 * enders need no space after them.  `p` is a character start. */
static int
boundary_at(const char *s, size_t len, size_t p)
{
    size_t q = p;

    if (p == 0)
        return SENTENCE;
    if (p >= len || is_space((unsigned char)s[p]))
        return NO_BOUNDARY;
    /* The usual case, inside a run of words: after ASCII that is not a
     * space, only a full-width ender would do. */
    if ((unsigned char)s[p - 1] < 0x80 && !is_space((unsigned char)s[p - 1]))
        return NO_BOUNDARY;
    while (q > 0 && is_space((unsigned char)s[q - 1])) {
        if (s[q - 1] == '\n' && q >= 2 && s[q - 2] == '\n')
            return SENTENCE;
        q--;
    }
    if (q == 0)
        return SENTENCE;
    return ender(cp_at(s, len, prev_char(s, q)), q < p);
}

/* Whether a cut at p (a character start) falls between two words. */
static int
word_boundary_at(const char *s, size_t len, size_t p)
{
    if (p == 0 || p >= len)
        return 1;
    if (is_space((unsigned char)s[p]) || is_space((unsigned char)s[p - 1]))
        return 1;
    return is_wide(cp_at(s, len, p)) || is_wide(cp_at(s, len, prev_char(s, p)));
}

/*
 * Chooses the passage start for a first match at byte s0.  Looks back for
 * a sentence start, then a clause start: the farthest one within
 * `fill_lead` code points (the room left when the passage reaches the end
 * of the text, 0 otherwise), else the nearest within `near`.  Without one,
 * keeps some context and starts at a word.
 */
static size_t
choose_start(const char *s, size_t len, size_t s0, size_t near,
             size_t fill_lead)
{
    size_t far_s = SIZE_MAX, far_c = SIZE_MAX, near_s = SIZE_MAX;
    size_t near_c = SIZE_MAX, p = s0, k = 0;
    size_t reach = near > fill_lead ? near : fill_lead;

    for (;;) {
        int b = boundary_at(s, len, p);
        if (b == SENTENCE && k <= fill_lead)
            far_s = p;
        if (b == CLAUSE && k <= fill_lead)
            far_c = p;
        if (b == SENTENCE && k <= near && near_s == SIZE_MAX)
            near_s = p;
        if (b == CLAUSE && k <= near && near_c == SIZE_MAX)
            near_c = p;
        if (p == 0 || k++ >= reach)
            break;
        p = prev_char(s, p);
    }
    if (far_s != SIZE_MAX || near_s != SIZE_MAX)
        return far_s != SIZE_MAX ? far_s : near_s;
    if (far_c != SIZE_MAX || near_c != SIZE_MAX)
        return far_c != SIZE_MAX ? far_c : near_c;
    /* No boundary: back off some context, then forward to a word start. */
    k = near < LEAD_CONTEXT ? near : LEAD_CONTEXT;
    if (fill_lead > k)
        k = fill_lead;
    for (p = s0; k > 0 && p > 0; k--)
        p = prev_char(s, p);
    while (p < s0 && !word_boundary_at(s, len, p))
        p += 1;
    while (p < s0 &&
           (is_cont((unsigned char)s[p]) || is_space((unsigned char)s[p])))
        p++;
    return p;
}

/* Byte offset after `n` code points from p, or len. */
static size_t
advance_cp(const char *s, size_t len, size_t p, size_t n)
{
    /* Sixteen bytes at a time while sixteen code points or more are left:
     * plain ASCII, or the characters utf8_block() counts as step() reads
     * them. */
    while (n >= 16 && p + 16 <= len) {
        uint64_t w[2];
        size_t k = 0, b;
        memcpy(w, s + p, 16);
        if (!((w[0] | w[1]) & 0x8080808080808080u)) {
            p += 16;
            n -= 16;
        } else if ((b = utf8_block(s + p, &k)) != 0) {
            p += b;
            n -= k;
        } else {
            p += step(s + p, len - p);
            n--;
        }
    }
    for (; p < len && n > 0; n--)
        p += step(s + p, len - p);
    return p < len ? p : len;
}

/*
 * Chooses the passage end: at most `limit` code points from `start`, or the
 * text end if it fits in `limit + 1` (the room of the ellipsis it saves).
 * A cut falls between words, after the last match `e0` when it can.
 */
static size_t
choose_end(const char *s, size_t len, size_t start, size_t e0, size_t limit)
{
    size_t p = advance_cp(s, len, start, limit), q;

    for (q = p; q < len && is_space((unsigned char)s[q]);)
        q++;
    if (q == len || advance_cp(s, len, p, 1) == len)
        return len;
    if (!word_boundary_at(s, len, p)) {
        for (q = p; q > e0 && !word_boundary_at(s, len, q);)
            q = prev_char(s, q);
        if (q > start && word_boundary_at(s, len, q))
            p = q;
    }
    return p;
}

/* ---- rendering ---------------------------------------------------------- */

/* What a run of whitespace becomes: the stored text parts the cells of a
 * table row with a tab and its rows with line breaks (indexer/markdown.c),
 * and a passage keeps them apart: "cell | cell · next row". */
enum { GAP_NONE, GAP_SPACE, GAP_CELL, GAP_ROW };

typedef struct writer {
    strbuf text, html;
    int pending; /* the gap owed before the next character (GAP_) */
    int started; /* a character has been written */
    int cells;   /* the current line has had a tab: it is a table row */
    int grown;   /* a gap came out longer than one space */
} writer;

/* Writes the gap owed, if a character came before it. */
static void
put_gap(writer *w)
{
    static const char *const gaps[] = {"", " ", " | ", " \xc2\xb7 "};

    if (w->pending == GAP_SPACE && w->started) {
        strbuf_putc(&w->text, ' ');
        strbuf_putc(&w->html, ' ');
    } else if (w->pending && w->started) {
        strbuf_puts(&w->text, gaps[w->pending]);
        strbuf_puts(&w->html, gaps[w->pending]);
        w->grown = 1;
    }
    w->pending = GAP_NONE;
}

/* Notes a whitespace or control character in the text. */
static void
owe_gap(writer *w, uint32_t cp)
{
    int gap = GAP_SPACE;

    if (cp == '\t') {
        gap = GAP_CELL;
        w->cells = 1;
    } else if (cp == '\n') {
        gap = w->cells ? GAP_ROW : GAP_SPACE;
        w->cells = 0;
    }
    if (gap > w->pending)
        w->pending = gap;
}

static void
put_char(writer *w, const char *c, size_t n)
{
    put_gap(w);
    w->started = 1;
    strbuf_append(&w->text, c, n);
    switch (c[0]) {
    case '&':
        strbuf_puts(&w->html, "&amp;");
        break;
    case '<':
        strbuf_puts(&w->html, "&lt;");
        break;
    case '>':
        strbuf_puts(&w->html, "&gt;");
        break;
    case '"':
        strbuf_puts(&w->html, "&quot;");
        break;
    case '\'':
        strbuf_puts(&w->html, "&#39;");
        break;
    default:
        strbuf_append(&w->html, c, n);
        break;
    }
}

/* Whether c is printable ASCII, not a space, written as it is in HTML. */
static int
plain_ascii(char c)
{
    return (unsigned char)c > 0x20 && (unsigned char)c < 0x7F && c != '&' &&
           c != '<' && c != '>' && c != '"' && c != '\'';
}

/* Bytes of the character at s[j] (j < n) when it is written as it is,
 * in the text and the HTML: printable ASCII other than the escaped, or a
 * well-formed multi-byte sequence (none of them is a space or control
 * that collapses); else 0. */
static size_t
plain_at(const char *s, size_t n, size_t j)
{
    if ((unsigned char)s[j] < 0x80)
        return plain_ascii(s[j]);
    size_t k = step_multi(s + j, n - j);
    return k > 1 ? k : 0;
}

/* The lanes of the sixteen bytes at s (seventeen readable) that put_span
 * takes into a run of plain characters, as bits (byte j as bit j): plain
 * ASCII (see plain_ascii), or a space followed by plain ASCII, except at
 * the run's first byte (`first`).  Non-ASCII bytes are not taken here. */
static inline unsigned
plain_lanes(const char *s, int first)
{
    v16 a, b;
    memcpy(&a, s, 16);
    memcpy(&b, s + 1, 16);
    v16 pa = (v16)(a > 0x20) & (v16)(a < 0x7F) & (v16)(a != '&') &
             (v16)(a != '<') & (v16)(a != '>') & (v16)(a != '"') &
             (v16)(a != '\'');
    v16 pb = (v16)(b > 0x20) & (v16)(b < 0x7F) & (v16)(b != '&') &
             (v16)(b != '<') & (v16)(b != '>') & (v16)(b != '"') &
             (v16)(b != '\'');
    unsigned plain = lane_bits(pa);
    unsigned ok = plain | (lane_bits((v16)(a == ' ')) & lane_bits(pb));
    return first ? (ok & ~1u) | (plain & 1u) : ok;
}

/* Writes s[0..n) with runs of whitespace and control characters collapsed
 * to one space and invalid UTF-8 replaced by U+FFFD. */
static void
put_span(writer *w, const char *s, size_t n)
{
    size_t i = 0;

    while (i < n) {
        uint32_t cp;
        size_t j = i;
        /* A run of printable ASCII that needs no escaping and of
         * well-formed multi-byte characters goes at once, with the single
         * spaces between its words (a space that starts or ends the run,
         * or is one of several, is left to collapse). */
        while (j < n) {
            /* Sixteen ASCII bytes at a time: the leading bytes that the
             * test below takes, each plain or a space before a plain one
             * (not the run's first byte).  Other bytes go one by one. */
            if (j + 17 <= n) {
                unsigned ok = plain_lanes(s + j, j == i);
                if (ok == 0xFFFF) {
                    j += 16;
                    continue;
                }
                if (ok & 1) {
                    j += (size_t)__builtin_ctz(~ok);
                    continue;
                }
            }
            size_t k = plain_at(s, n, j);
            if (!k && s[j] == ' ' && j > i && j + 1 < n &&
                plain_at(s, n, j + 1))
                k = 1;
            if (!k)
                break;
            j += k;
        }
        if (j > i + 1) {
            put_gap(w);
            w->started = 1;
            strbuf_append(&w->text, s + i, j - i);
            strbuf_append(&w->html, s + i, j - i);
            i = j;
            continue;
        }
        size_t k = decode((const unsigned char *)s + i, n - i, &cp);
        if (cp <= 0x20 || cp == 0x7F)
            owe_gap(w, cp); /* whitespace and other controls */
        else if (cp == 0xFFFD && k == 1)
            put_char(w, "\xef\xbf\xbd", 3);
        else
            put_char(w, s + i, k);
        i += k;
    }
}

static void
put_ellipsis(writer *w)
{
    w->pending = 0;
    w->started = 1;
    strbuf_puts(&w->text, ELLIPSIS);
    strbuf_puts(&w->html, ELLIPSIS);
}

/* Whether s[0..n) is blank; scans from the end, where a cut lands. */
static int
only_space(const char *s, size_t n)
{
    while (n > 0 && is_space((unsigned char)s[n - 1]))
        n--;
    return n == 0;
}

/* Appends a range to `out` (capacity known to suffice). */
static void
add_range(snippet *out, size_t off, size_t len)
{
    if (len > 0)
        out->ranges[out->n_ranges++] = (snippet_range){off, len};
}

/*
 * Writes s[start..end) into `out`, marking the matches m[0..n) that lie
 * inside, merged when they overlap or touch.  Returns 0 or -1 (ENOMEM).
 */
static int
render(const char *s, size_t len, size_t start, size_t end, const match *m,
       size_t n, snippet *out, int *grown)
{
    writer w = {STRBUF_INIT, STRBUF_INIT, GAP_NONE, 0, 0, 0};
    size_t at = start, i = 0;

    /* Whether the passage starts inside a table row (rows are short: a
     * tab further back than 512 bytes is not looked for). */
    size_t lo = start > 512 ? start - 512 : 0;
    const char *nl = memrchr(s + lo, '\n', start - lo);
    const char *line = nl ? nl + 1 : s + lo;
    w.cells = memchr(line, '\t', (size_t)(s + start - line)) != NULL;

    if (n > 0 && !(out->ranges = malloc(n * sizeof *out->ranges)))
        return -1;
    /* Room for the usual passage, so the buffers seldom grow. */
    (void)strbuf_grow(&w.text, end - start + 16);
    (void)strbuf_grow(&w.html, 2 * (end - start) + 64);
    if (!only_space(s, start))
        put_ellipsis(&w);
    while (i < n) {
        size_t a = m[i].off, b = m[i].off + m[i].len;
        if (a < at || b > end) {
            i++;
            continue;
        }
        for (i++; i < n && m[i].off <= b; i++)
            if (m[i].off + m[i].len <= end && m[i].off + m[i].len > b)
                b = m[i].off + m[i].len;
        put_span(&w, s + at, a - at);
        put_gap(&w);
        size_t off = w.text.len;
        strbuf_puts(&w.html, "<mark>");
        put_span(&w, s + a, b - a);
        strbuf_puts(&w.html, "</mark>");
        add_range(out, off, w.text.len - off);
        at = b;
    }
    put_span(&w, s + at, end - at);
    if (!only_space(s + end, len - end))
        put_ellipsis(&w);
    (void)strbuf_cstr(&w.text);
    (void)strbuf_cstr(&w.html);
    if (w.text.oom || w.html.oom) {
        strbuf_free(&w.text);
        strbuf_free(&w.html);
        return -1;
    }
    out->text = strbuf_detach(&w.text, &out->text_len);
    out->html = strbuf_detach(&w.html, &out->html_len);
    *grown = w.grown;
    return 0;
}

/* Frees what render() put into `sn` and empties it. */
static void
release(snippet *sn)
{
    free(sn->text);
    free(sn->html);
    free(sn->ranges);
    sn->text = sn->html = NULL;
    sn->ranges = NULL;
    sn->n_ranges = 0;
}

/* render() within max_chars code points: a table's cell and row gaps come
 * out longer than the tab or line break they stand for, so a passage with
 * them may have to end earlier. */
static int
render_fit(const char *s, size_t len, size_t start, size_t end, const match *m,
           size_t n, size_t max_chars, snippet *out)
{
    for (;;) {
        int grown;
        if (render(s, len, start, end, m, n, out, &grown) < 0)
            return -1;
        if (!grown)
            return 0;
        size_t got = count_cp(out->text, out->text_len);
        if (got <= max_chars || end <= start)
            return 0;
        /* A code point of the text comes out as at most three. */
        size_t span = count_cp(s + start, end - start);
        size_t cut = (got - max_chars + 2) / 3;
        size_t want = span > cut ? span - cut : 0;
        size_t e = choose_end(s, len, start, start, want);
        if (e >= end)
            e = advance_cp(s, len, start, want);
        release(out);
        end = e;
    }
}

/* ---- selection ---------------------------------------------------------- */

/* The best window of one section, with the matches of its text. */
typedef struct candidate {
    match *m;
    size_t n, cap;
    window win;
    int64_t score; /* thousandths, code windows scaled down */
    int in_code;
} candidate;

/* Whether match k of window w adds nothing to it: each of its terms is
 * found again in the window and it is in no phrase link there. */
static int
redundant(const matcher *mt, const match *m, const window *w,
          const unsigned *cnt, size_t k)
{
    for (size_t t = 0; t < mt->n; t++)
        if ((m[k].cmask >> t & 1) && cnt[t] < 2)
            return 0;
    if (m[k].link != SIZE_MAX && m[k].link >= w->first)
        return 0;
    for (size_t j = k + 1; j < w->last && j <= k + LINK_LOOKBACK; j++)
        if (m[j].link == k)
            return 0;
    return 1;
}

static void
drop_counts(const matcher *mt, const match *mk, unsigned *cnt)
{
    for (size_t t = 0; t < mt->n; t++)
        cnt[t] -= mk->cmask >> t & 1;
}

/* Narrows a window to its core: drops matches at either edge that only
 * repeat terms found inside, so the passage centres on what scored. */
static void
trim_window(const matcher *mt, const match *m, window *w)
{
    unsigned cnt[SNIPPET_MAX_TERMS] = {0};

    for (size_t k = w->first; k < w->last; k++)
        for (size_t t = 0; t < mt->n; t++)
            cnt[t] += m[k].cmask >> t & 1;
    while (w->last - w->first > 1 && redundant(mt, m, w, cnt, w->first))
        drop_counts(mt, &m[w->first++], cnt);
    while (w->last - w->first > 1 && redundant(mt, m, w, cnt, w->last - 1))
        drop_counts(mt, &m[--w->last], cnt);
}

/* Finds the passage bounds for window `win` over m: see snippet.h. */
static void
passage_bounds(const matcher *mt, const char *s, size_t len, const match *m,
               window win, size_t max_chars, size_t *start_out, size_t *end_out)
{
    size_t s0, e0, span, room, near, fill_lead = 0, start;

    trim_window(mt, m, &win);
    s0 = e0 = m[win.first].off;
    for (size_t k = win.first; k < win.last; k++)
        if (m[k].off + m[k].len > e0)
            e0 = m[k].off + m[k].len;
    span = count_cp(s + s0, e0 - s0);
    room = max_chars - 2 > span ? max_chars - 2 - span : 0;
    /* When the rest of the text fits, its spare room can go before. */
    if (advance_cp(s, len, e0, room) == len)
        fill_lead = room - count_cp(s + e0, len - e0) + 1;
    near = room < LEAD_LIMIT ? room : LEAD_LIMIT;
    start = choose_start(s, len, s0, near, fill_lead);
    *start_out = start;
    *end_out = choose_end(s, len, start, e0, max_chars - (start > 0) - 1);
}

/* The best window over the prose-like matches of v (those not in list
 * blocks), as a window of v; *ok = 0 when there are none.  `pv` is
 * scratch space. */
static window
prose_window(const matcher *mt, const match_vec *v, match_vec *pv,
             size_t budget, int *ok)
{
    window w = {0, 0, 0};

    *ok = 0;
    if (pv->cap < v->n) {
        match *m = realloc(pv->m, v->n * sizeof *m);
        if (!m)
            return w; /* no prose window: the section keeps its plain one */
        pv->m = m;
        pv->cap = v->n;
    }
    pv->n = 0;
    for (size_t i = 0; i < v->n; i++)
        if (!v->m[i].list) {
            pv->m[pv->n] = v->m[i];
            pv->m[pv->n++].orig = i;
        }
    if (pv->n == 0)
        return w;
    annotate_links(mt, pv->m, pv->n);
    w = best_window(mt, pv->m, pv->n, budget);
    if (w.last > w.first) {
        *ok = 1;
        w.first = pv->m[w.first].orig;
        w.last = pv->m[w.last - 1].orig + 1;
    }
    return w;
}

/* Scores a section's prose and (when asked) code into *best: code and
 * windows touching list-like blocks count three quarters.  A text whose
 * score could not exceed `floor` is not scored.  Returns 0, or -1 when out
 * of memory. */
static int
score_section(matcher *mt, const snippet_section *sec, int use_code,
              size_t budget, int64_t floor, match_vec *v, match_vec *pv,
              candidate *best)
{
    for (int code = 0; code <= (use_code != 0); code++) {
        const char *s = code ? sec->code : sec->text;
        size_t len = code ? sec->code_len : sec->text_len;
        int any_list = 0, ok;
        if (find_matches(mt, s, len, best->score > floor ? best->score : floor,
                         budget, v) < 0)
            return -1;
        if (v->n == 0)
            continue;
        window w = best_window(mt, v->m, v->n, budget);
        for (size_t i = w.first; !code && i < w.last; i++)
            any_list |= v->m[i].list;
        int64_t score = code || any_list ? w.score * 3 / 4 : w.score;
        if (any_list) {
            window pw = prose_window(mt, v, pv, budget, &ok);
            if (ok && pw.score >= score) {
                w = pw;
                score = pw.score;
            }
        }
        if (score <= best->score)
            continue;
        /* The matches go to the candidate; its old array is reused. */
        match_vec old = {best->m, 0, best->cap};
        *best = (candidate){v->m, v->n, v->cap, w, score, code};
        *v = old;
    }
    return 0;
}

static int
render_candidate(const matcher *mt, const snippet_section *sec,
                 const candidate *c, size_t max_chars, snippet *out)
{
    const char *s = c->in_code ? sec->code : sec->text;
    size_t len = c->in_code ? sec->code_len : sec->text_len, start, end;

    passage_bounds(mt, s, len, c->m, c->win, max_chars, &start, &end);
    out->in_code = c->in_code;
    out->score = (double)c->score / 1000.0;
    return render_fit(s, len, start, end, c->m, c->n, max_chars, out);
}

/* Renders the start of section i's prose into *out when it is not blank.
 * Returns 1 when rendered, 0 when blank, -1 when out of memory. */
static int
render_start(const snippet_section *sec, size_t i, size_t max_chars,
             snippet *out)
{
    const char *s = sec->text;
    size_t len = sec->text_len, start = 0;

    while (start < len && is_space((unsigned char)s[start]))
        start++;
    if (start == len)
        return 0;
    out->section = i;
    if (render_fit(s, len, start,
                   choose_end(s, len, start, start, max_chars - 1), NULL, 0,
                   max_chars, out) < 0)
        return -1;
    return 1;
}

/* The no-match fallback: the start of the first non-blank prose, fallback
 * sections first, into out[0]; *n_out becomes 1 once it is rendered. */
static int
render_fallback(const snippet_section *sections, size_t n_sections,
                size_t max_chars, snippet *out, size_t *n_out)
{
    for (int pass = 0; pass < 2; pass++)
        for (size_t i = 0; i < n_sections; i++) {
            if ((sections[i].fallback != 0) == pass)
                continue;
            int r = render_start(&sections[i], i, max_chars, out);
            if (r != 0) {
                *n_out = r > 0;
                return r < 0 ? -1 : 0;
            }
        }
    return 0;
}

static int
check_args(const snippet_section *sections, size_t n_sections,
           const snippet_options *opts)
{
    if (n_sections && !sections)
        return 0;
    if (opts && opts->version != SNIPPET_OPTIONS_VERSION)
        return 0;
    for (size_t i = 0; i < n_sections; i++)
        if ((!sections[i].text && sections[i].text_len) ||
            (!sections[i].code && sections[i].code_len))
            return 0;
    return 1;
}

/* Picks the best `want` candidates, best first, ties to the earlier
 * section; writes their indices to pick[] and returns how many. */
static size_t
pick_best(const candidate *cands, size_t n, size_t want, size_t *pick)
{
    size_t k = 0;

    while (k < want) {
        size_t bi = SIZE_MAX;
        for (size_t i = 0; i < n; i++) {
            int taken = 0;
            for (size_t j = 0; j < k; j++)
                taken |= pick[j] == i;
            if (!taken && cands[i].score > 0 &&
                (bi == SIZE_MAX || cands[i].score > cands[bi].score))
                bi = i;
        }
        if (bi == SIZE_MAX)
            break;
        pick[k++] = bi;
    }
    return k;
}

/* Scores the sections whose fallback flag is `fallback`.  Once earlier
 * sections hold max_snippets scores, a section that cannot score above the
 * least of them is not scored: pick_best would not take it (ties go to the
 * earlier section), and its candidate stays empty. */
static int
score_all(matcher *mt, const snippet_section *sections, size_t n_sections,
          const snippet_options *o, int fallback, match_vec *v, match_vec *pv,
          candidate *cands)
{
    int64_t top[SNIPPET_MAX_SNIPPETS]; /* the best scores so far, best first */
    size_t n_top = 0, want = o->max_snippets;

    for (size_t i = 0; i < n_sections; i++) {
        if (!sections[i].fallback != !fallback)
            continue;
        int64_t floor = n_top == want ? top[want - 1] : 0;
        if (score_section(mt, &sections[i], o->use_code, o->max_chars - 2,
                          floor, v, pv, &cands[i]) < 0)
            return -1;
        int64_t sc = cands[i].score;
        if (sc <= 0 || (n_top == want && sc <= top[want - 1]))
            continue;
        size_t k = n_top < want ? n_top++ : want - 1;
        for (; k > 0 && top[k - 1] < sc; k--)
            top[k] = top[k - 1];
        top[k] = sc;
    }
    return 0;
}

recap_status
snippet_make_with(snippet_matcher *mt, const snippet_section *sections,
                  size_t n_sections, const snippet_options *opts, snippet **out,
                  size_t *n_out)
{
    snippet_options o = SNIPPET_OPTIONS_INIT;
    match_vec v = {NULL, 0, 0}, pv = {NULL, 0, 0};
    candidate *cands = NULL;
    snippet *snips = NULL;
    size_t pick[SNIPPET_MAX_SNIPPETS], n_pick = 0, n_done = 0;
    recap_status rc = RECAP_ENOMEM;

    if (!out || !n_out)
        return RECAP_EINVAL;
    *out = NULL;
    *n_out = 0;
    if (!mt || !check_args(sections, n_sections, opts))
        return RECAP_EINVAL;
    if (opts)
        o = *opts;
    if (o.max_chars == 0)
        o.max_chars = DEFAULT_MAX_CHARS;
    if (o.max_chars < MIN_MAX_CHARS)
        o.max_chars = MIN_MAX_CHARS;
    if (o.max_snippets == 0)
        o.max_snippets = 1;
    if (o.max_snippets > SNIPPET_MAX_SNIPPETS)
        o.max_snippets = SNIPPET_MAX_SNIPPETS;

    if (n_sections && !(cands = calloc(n_sections, sizeof *cands)))
        goto done;
    take_spare(mt, &v);
    take_spare(mt, &pv);
    if (score_all(mt, sections, n_sections, &o, 0, &v, &pv, cands) < 0)
        goto done;
    n_pick = pick_best(cands, n_sections, o.max_snippets, pick);
    if (n_pick == 0) {
        if (score_all(mt, sections, n_sections, &o, 1, &v, &pv, cands) < 0)
            goto done;
        n_pick = pick_best(cands, n_sections, o.max_snippets, pick);
    }
    if (!(snips = calloc(n_pick ? n_pick : 1, sizeof *snips)))
        goto done;
    for (; n_done < n_pick; n_done++) {
        snips[n_done].section = pick[n_done];
        if (render_candidate(mt, &sections[pick[n_done]], &cands[pick[n_done]],
                             o.max_chars, &snips[n_done]) < 0)
            goto done;
    }
    if (n_pick == 0 &&
        render_fallback(sections, n_sections, o.max_chars, snips, &n_done) < 0)
        goto done;
    rc = RECAP_OK;

done:
    if (rc == RECAP_OK && n_done > 0) {
        *out = snips;
        *n_out = n_done;
    } else {
        snippet_array_free(snips, n_done + (rc != RECAP_OK));
    }
    for (size_t i = 0; cands && i < n_sections; i++)
        keep_spare(mt, cands[i].m, cands[i].cap);
    free(cands);
    keep_spare(mt, v.m, v.cap);
    keep_spare(mt, pv.m, pv.cap);
    return rc;
}

recap_status
snippet_matcher_new(const snippet_term *terms, size_t n_terms,
                    analysis_stemmer *stemmer, snippet_matcher **out)
{
    matcher *mt;

    if (!out)
        return RECAP_EINVAL;
    *out = NULL;
    if (n_terms && !terms)
        return RECAP_EINVAL;
    for (size_t i = 0; i < n_terms; i++)
        if (!terms[i].term && terms[i].term_len)
            return RECAP_EINVAL;
    if (!(mt = malloc(sizeof *mt)))
        return RECAP_ENOMEM;
    if (matcher_init(mt, terms, n_terms, stemmer) < 0) {
        snippet_matcher_free(mt);
        return RECAP_ENOMEM;
    }
    *out = mt;
    return RECAP_OK;
}

void
snippet_matcher_free(snippet_matcher *mt)
{
    if (!mt)
        return;
    matcher_free(mt);
    free(mt);
}

analysis_stemmer *
snippet_matcher_stemmer(const snippet_matcher *mt)
{
    return mt ? mt->stemmer : NULL;
}

recap_status
snippet_make(const snippet_section *sections, size_t n_sections,
             const snippet_term *terms, size_t n_terms,
             analysis_stemmer *stemmer, const snippet_options *opts,
             snippet **out, size_t *n_out)
{
    snippet_matcher *mt;
    recap_status rc;

    if (!out || !n_out)
        return RECAP_EINVAL;
    *out = NULL;
    *n_out = 0;
    if (!check_args(sections, n_sections, opts))
        return RECAP_EINVAL;
    if ((rc = snippet_matcher_new(terms, n_terms, stemmer, &mt)))
        return rc;
    rc = snippet_make_with(mt, sections, n_sections, opts, out, n_out);
    snippet_matcher_free(mt);
    return rc;
}

void
snippet_array_free(snippet *snips, size_t n)
{
    if (!snips)
        return;
    for (size_t i = 0; i < n; i++)
        release(&snips[i]);
    free(snips);
}
