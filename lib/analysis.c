/*
 * analysis.c: UTF-8 decoding, normalisation, word segmentation, CJK
 * n-grams and stemming (see analysis.h for the token rules).
 *
 * The tokenizer makes one pass over the input and never allocates: every
 * buffer it needs has a fixed size, because a term longer than
 * ANALYSIS_MAX_TERM bytes is dropped anyway.  ASCII, the bulk of the input,
 * is classified with a table and lowercased directly; utf8proc normalises
 * only tokens that contain a non-ASCII code point, and the class of a BMP
 * code point is looked up in utf8proc once per process (bmp_info).
 */
#include "analysis.h"
#include "stem_uk.h"
#include "util.h"

#include <libstemmer.h>
#include <limits.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

/* NFKC + case folding, dropping default-ignorable code points. */
#define NORM_OPTIONS                                                           \
    (UTF8PROC_COMPOSE | UTF8PROC_COMPAT | UTF8PROC_CASEFOLD |                  \
     UTF8PROC_STABLE | UTF8PROC_IGNORE)

/*
 * NFKC + case folding shrinks a code point by at most 4 bytes to 1 (a
 * 4-byte mathematical letter to an ASCII letter), so source text longer than
 * this can never give a term that fits.
 */
#define SRC_CAP (4 * ANALYSIS_MAX_TERM)
/*
 * Room for the decomposed code points of SRC_CAP bytes.  Canonical
 * composition joins at most 4 code points into one, so a decomposition
 * longer than this cannot compose to ANALYSIS_MAX_TERM bytes.
 */
#define CPS_CAP (8 * ANALYSIS_MAX_TERM)

/* Character classes, as the segmenter sees them. */
enum {
    C_SEP,    /* separates tokens: spaces, punctuation, symbols, bad bytes */
    C_ALNUM,  /* a letter or digit outside the CJK scripts: starts a word */
    C_MARK,   /* a combining mark: continues a word or CJK character */
    C_IGNORE, /* soft hyphen, ZWJ, ZWNJ...: continues a word, dropped */
    C_CJK,    /* a Han, Kana or Hangul letter: a token of its own */
    C_JOIN,   /* '-', '_', '.': joins two alphanumerics */
    C_APOS    /* ', U+2019, U+02BC: inside a word, dropped (see scan_apos) */
};

static const unsigned char ascii_class[128] = {
    ['0'] = C_ALNUM, ['1'] = C_ALNUM, ['2'] = C_ALNUM, ['3'] = C_ALNUM,
    ['4'] = C_ALNUM, ['5'] = C_ALNUM, ['6'] = C_ALNUM, ['7'] = C_ALNUM,
    ['8'] = C_ALNUM, ['9'] = C_ALNUM, ['a'] = C_ALNUM, ['b'] = C_ALNUM,
    ['c'] = C_ALNUM, ['d'] = C_ALNUM, ['e'] = C_ALNUM, ['f'] = C_ALNUM,
    ['g'] = C_ALNUM, ['h'] = C_ALNUM, ['i'] = C_ALNUM, ['j'] = C_ALNUM,
    ['k'] = C_ALNUM, ['l'] = C_ALNUM, ['m'] = C_ALNUM, ['n'] = C_ALNUM,
    ['o'] = C_ALNUM, ['p'] = C_ALNUM, ['q'] = C_ALNUM, ['r'] = C_ALNUM,
    ['s'] = C_ALNUM, ['t'] = C_ALNUM, ['u'] = C_ALNUM, ['v'] = C_ALNUM,
    ['w'] = C_ALNUM, ['x'] = C_ALNUM, ['y'] = C_ALNUM, ['z'] = C_ALNUM,
    ['A'] = C_ALNUM, ['B'] = C_ALNUM, ['C'] = C_ALNUM, ['D'] = C_ALNUM,
    ['E'] = C_ALNUM, ['F'] = C_ALNUM, ['G'] = C_ALNUM, ['H'] = C_ALNUM,
    ['I'] = C_ALNUM, ['J'] = C_ALNUM, ['K'] = C_ALNUM, ['L'] = C_ALNUM,
    ['M'] = C_ALNUM, ['N'] = C_ALNUM, ['O'] = C_ALNUM, ['P'] = C_ALNUM,
    ['Q'] = C_ALNUM, ['R'] = C_ALNUM, ['S'] = C_ALNUM, ['T'] = C_ALNUM,
    ['U'] = C_ALNUM, ['V'] = C_ALNUM, ['W'] = C_ALNUM, ['X'] = C_ALNUM,
    ['Y'] = C_ALNUM, ['Z'] = C_ALNUM, ['-'] = C_JOIN,  ['_'] = C_JOIN,
    ['.'] = C_JOIN,  ['\''] = C_APOS,
};

/* An ASCII letter or digit, lowercased; 0 for any other byte. */
static const unsigned char ascii_lower[256] = {
    ['0'] = '0', ['1'] = '1', ['2'] = '2', ['3'] = '3', ['4'] = '4',
    ['5'] = '5', ['6'] = '6', ['7'] = '7', ['8'] = '8', ['9'] = '9',
    ['a'] = 'a', ['b'] = 'b', ['c'] = 'c', ['d'] = 'd', ['e'] = 'e',
    ['f'] = 'f', ['g'] = 'g', ['h'] = 'h', ['i'] = 'i', ['j'] = 'j',
    ['k'] = 'k', ['l'] = 'l', ['m'] = 'm', ['n'] = 'n', ['o'] = 'o',
    ['p'] = 'p', ['q'] = 'q', ['r'] = 'r', ['s'] = 's', ['t'] = 't',
    ['u'] = 'u', ['v'] = 'v', ['w'] = 'w', ['x'] = 'x', ['y'] = 'y',
    ['z'] = 'z', ['A'] = 'a', ['B'] = 'b', ['C'] = 'c', ['D'] = 'd',
    ['E'] = 'e', ['F'] = 'f', ['G'] = 'g', ['H'] = 'h', ['I'] = 'i',
    ['J'] = 'j', ['K'] = 'k', ['L'] = 'l', ['M'] = 'm', ['N'] = 'n',
    ['O'] = 'o', ['P'] = 'p', ['Q'] = 'q', ['R'] = 'r', ['S'] = 's',
    ['T'] = 't', ['U'] = 'u', ['V'] = 'v', ['W'] = 'w', ['X'] = 'x',
    ['Y'] = 'y', ['Z'] = 'z',
};

/*
 * What classify() and stemmable_term() learn about a BMP code point, filled
 * in on first use (utf8proc's category lookup costs more than the table):
 * INFO_KNOWN | the class | INFO_NOSTEM when the code point is in a CJK
 * block or a number.  0 means not yet known.  Relaxed atomics: threads
 * store the same value, so any order is right.
 */
#define INFO_CLASS 0x07
#define INFO_NOSTEM 0x08
#define INFO_KNOWN 0x80
static _Atomic unsigned char bmp_info[0x10000];

/* Set by analysis_test_general_path(): no table, no ASCII shortcuts. */
static atomic_int general_only;

/*
 * Decodes the code point at s[i] (i < len) into *cp and returns its byte
 * length.  A byte that does not start a valid, shortest-form sequence of a
 * scalar value (overlong forms, surrogates, truncated sequences, stray
 * continuation bytes) gives *cp = -1 and a length of 1, so the caller
 * always advances.
 */
static size_t
decode(const unsigned char *s, size_t len, size_t i, int32_t *cp)
{
    unsigned c = s[i];
    size_t need, k;
    int32_t v, min;

    if (c < 0x80) {
        *cp = (int32_t)c;
        return 1;
    }
    if (c >= 0xC2 && c <= 0xDF) {
        need = 1, v = c & 0x1F, min = 0x80;
    } else if (c >= 0xE0 && c <= 0xEF) {
        need = 2, v = c & 0x0F, min = 0x800;
    } else if (c >= 0xF0 && c <= 0xF4) {
        need = 3, v = c & 0x07, min = 0x10000;
    } else {
        goto bad;
    }
    if (need >= len - i)
        goto bad;
    for (k = 1; k <= need; k++) {
        unsigned b = s[i + k];
        if ((b & 0xC0) != 0x80)
            goto bad;
        v = (v << 6) | (int32_t)(b & 0x3F);
    }
    if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
        goto bad;
    *cp = v;
    return need + 1;
bad:
    *cp = -1;
    return 1;
}

/* Han, Kana, Bopomofo and Hangul blocks (only letters and numbers count). */
static int
is_cjk_block(int32_t cp)
{
    return (cp >= 0x1100 && cp <= 0x11FF) || (cp >= 0x2E80 && cp <= 0x2FDF) ||
           (cp >= 0x3005 && cp <= 0x303C) || (cp >= 0x3040 && cp <= 0x318F) ||
           (cp >= 0x31A0 && cp <= 0x31FF) || (cp >= 0x3400 && cp <= 0x4DBF) ||
           (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0xA960 && cp <= 0xA97F) ||
           (cp >= 0xAC00 && cp <= 0xD7FF) || (cp >= 0xF900 && cp <= 0xFAFF) ||
           (cp >= 0xFF66 && cp <= 0xFFDC) || (cp >= 0x1AFF0 && cp <= 0x1B16F) ||
           (cp >= 0x20000 && cp <= 0x323AF);
}

static int
classify_slow(int32_t cp)
{
    if (cp < 0)
        return C_SEP;
    if (cp < 0x80)
        return ascii_class[cp];
    switch (cp) {
    case 0x2019: /* right single quotation mark, the typographic ' */
    case 0x02BC: /* modifier letter apostrophe, as in Ukrainian "пам'ять" */
    case 0xFF07: /* fullwidth apostrophe */
        return C_APOS;
    case 0x00AD: /* soft hyphen */
    case 0x200C: /* zero width non-joiner */
    case 0x200D: /* zero width joiner */
    case 0x2060: /* word joiner */
    case 0xFEFF: /* zero width no-break space */
        return C_IGNORE;
    case 0xFF9E: /* halfwidth katakana voiced sound marks: NFKC makes */
    case 0xFF9F: /* them combining marks */
        return C_MARK;
    }
    switch (utf8proc_category(cp)) {
    case UTF8PROC_CATEGORY_LU:
    case UTF8PROC_CATEGORY_LL:
    case UTF8PROC_CATEGORY_LT:
    case UTF8PROC_CATEGORY_LM:
    case UTF8PROC_CATEGORY_LO:
    case UTF8PROC_CATEGORY_ND:
    case UTF8PROC_CATEGORY_NL:
    case UTF8PROC_CATEGORY_NO:
        return is_cjk_block(cp) ? C_CJK : C_ALNUM;
    case UTF8PROC_CATEGORY_MN:
    case UTF8PROC_CATEGORY_MC:
    case UTF8PROC_CATEGORY_ME:
        return C_MARK;
    default:
        return C_SEP;
    }
}

/* The bmp_info byte of a code point in U+0080..U+FFFF. */
static unsigned
bmp_info_of(int32_t cp)
{
    unsigned v = atomic_load_explicit(&bmp_info[cp], memory_order_relaxed);

    if (v)
        return v;
    v = INFO_KNOWN | (unsigned)classify_slow(cp);
    if (is_cjk_block(cp))
        v |= INFO_NOSTEM;
    switch (utf8proc_category(cp)) {
    case UTF8PROC_CATEGORY_ND:
    case UTF8PROC_CATEGORY_NL:
    case UTF8PROC_CATEGORY_NO:
        v |= INFO_NOSTEM;
        break;
    default:
        break;
    }
    atomic_store_explicit(&bmp_info[cp], (unsigned char)v,
                          memory_order_relaxed);
    return v;
}

static int
classify(int32_t cp)
{
    if (cp >= 0x80 && cp < 0x10000 &&
        !atomic_load_explicit(&general_only, memory_order_relaxed))
        return (int)(bmp_info_of(cp) & INFO_CLASS);
    return classify_slow(cp);
}

void
analysis_test_general_path(int on)
{
    atomic_store(&general_only, on != 0);
}

/* The tokenizer's state for one analysis_tokenize() call. */
typedef struct scan {
    const unsigned char *s;
    size_t len;
    analysis_token_fn fn;
    void *ctx;
    uint32_t pos; /* token position of the next token */
    int rc;       /* the callback's non-zero return value, once stopped */
    /* The current word's source: ASCII lowercased, other bytes as is,
     * apostrophes left out. */
    char src[SRC_CAP + 1];
    size_t src_len;
    int src_ascii;    /* src holds only ASCII */
    int src_overflow; /* the word did not fit in src */
    int general;      /* analysis_test_general_path() was on */
    /* Where the word turns from a-z to A-Z, relative to its start (see
     * camel_splits), noted while scanning it. */
    size_t camel[ANALYSIS_MAX_PARTS];
    size_t n_camel;
    char term[ANALYSIS_MAX_TERM + 1];
    char joined[ANALYSIS_MAX_TERM + 1];
    char part[ANALYSIS_MAX_TERM + 1];
    char prev_cjk[ANALYSIS_MAX_TERM + 1];
    char bigram[2 * ANALYSIS_MAX_TERM + 1];
    int32_t cps[CPS_CAP + 1]; /* +1: utf8proc_reencode writes a NUL */
} scan;

static int
class_at(const scan *sc, size_t i, size_t *n_out)
{
    int32_t cp;

    if (sc->s[i] < 0x80) {
        *n_out = 1;
        return ascii_class[sc->s[i]];
    }
    *n_out = decode(sc->s, sc->len, i, &cp);
    return classify(cp);
}

/*
 * Normalises `n` bytes of valid UTF-8 into `out` (ANALYSIS_MAX_TERM + 1
 * bytes).  Returns the term's byte length, or 0 when the term is empty or
 * too long.
 */
static size_t
normalize_into(scan *sc, const char *src, size_t n, char *out)
{
    utf8proc_ssize_t r;

    if (n > SRC_CAP)
        return 0;
    r = utf8proc_decompose((const utf8proc_uint8_t *)src, (utf8proc_ssize_t)n,
                           sc->cps, CPS_CAP, NORM_OPTIONS);
    if (r <= 0 || r > CPS_CAP)
        return 0;
    r = utf8proc_reencode(sc->cps, r, NORM_OPTIONS);
    if (r <= 0 || r > ANALYSIS_MAX_TERM)
        return 0;
    memcpy(out, sc->cps, (size_t)r);
    out[r] = '\0';
    return (size_t)r;
}

static void
src_push(scan *sc, const unsigned char *p, size_t n)
{
    if (sc->src_len + n > SRC_CAP) {
        sc->src_overflow = 1;
        return;
    }
    memcpy(sc->src + sc->src_len, p, n);
    sc->src_len += n;
}

/* Reports one token; remembers a non-zero callback result. */
static void
emit(scan *sc, analysis_kind kind, const char *term, size_t term_len,
     size_t off, size_t len, uint32_t pos)
{
    analysis_token tok;
    int rv;

    if (sc->rc || term_len == 0)
        return;
    tok.term = term;
    tok.term_len = term_len;
    tok.off = off;
    tok.len = len;
    tok.pos = pos;
    tok.kind = kind;
    rv = sc->fn(sc->ctx, &tok);
    if (rv)
        sc->rc = rv;
}

/*
 * An apostrophe (n bytes at i) inside a word.  Between two alphanumerics it
 * is dropped and the word goes on ("don't" -> "dont", Ukrainian "м’ясо" ->
 * "мясо"); a possessive "'s" that ends the word is dropped with its 's'
 * ("Istio’s" -> "istio").  Returns where the word continues, or 0 when the
 * word ends; *end_out is then the end of the word's byte range.
 */
static size_t
scan_apos(const scan *sc, size_t i, size_t n, size_t *end_out)
{
    size_t j = i + n, n2, n3;

    *end_out = i;
    if (j >= sc->len || class_at(sc, j, &n2) != C_ALNUM)
        return 0;
    if ((sc->s[j] == 's' || sc->s[j] == 'S')) {
        int k = j + 1 < sc->len ? class_at(sc, j + 1, &n3) : C_SEP;
        if (k != C_ALNUM && k != C_MARK && k != C_IGNORE) {
            *end_out = j + 1;
            return 0;
        }
    }
    return j;
}

/*
 * Scans one word starting at s[i] (an alphanumeric) into sc->src and
 * returns the end of its byte range.
 */
static size_t
scan_word(scan *sc, size_t i)
{
    const unsigned char *s = sc->s;
    size_t len = sc->len, n, end;
    int32_t cp;
    int k;

    size_t start = i;

    sc->src_len = 0;
    sc->src_ascii = 1;
    sc->src_overflow = 0;
    sc->n_camel = 0;
    while (i < len) {
        unsigned c = s[i], low = ascii_lower[c];
        if (low && !sc->general) {
            /* A run of ASCII letters and digits: only an upper-case
             * letter (low != c) needs a second look. */
            size_t room = SRC_CAP - sc->src_len;
            char *dst = sc->src + sc->src_len;
            do {
                if (low != c && i > start && (unsigned)(s[i - 1] - 'a') < 26u &&
                    sc->n_camel < ANALYSIS_MAX_PARTS)
                    sc->camel[sc->n_camel++] = i - start;
                if (room) {
                    *dst++ = (char)low;
                    room--;
                } else {
                    sc->src_overflow = 1;
                }
                if (++i == len)
                    break;
                c = s[i];
                low = ascii_lower[c];
            } while (low);
            sc->src_len = (size_t)(dst - sc->src);
            continue;
        }
        if (c < 0x80) {
            k = ascii_class[c];
            if (k == C_ALNUM) { /* the general path: copied as is */
                src_push(sc, s + i, 1);
                i++;
                continue;
            }
            n = 1;
        } else {
            n = decode(s, len, i, &cp);
            k = classify(cp);
            if (k == C_ALNUM || k == C_MARK || k == C_IGNORE) {
                src_push(sc, s + i, n);
                sc->src_ascii = 0;
                i += n;
                continue;
            }
        }
        if (k != C_APOS)
            return i;
        i = scan_apos(sc, i, n, &end);
        if (!i)
            return end;
    }
    return i;
}

/* Normalises the word in sc->src; returns the term (or NULL) and length. */
static const char *
word_term(scan *sc, size_t *len_out)
{
    *len_out = 0;
    if (sc->src_overflow)
        return NULL;
    if (sc->src_ascii && !sc->general) {
        if (sc->src_len > ANALYSIS_MAX_TERM)
            return NULL;
        sc->src[sc->src_len] = '\0';
        *len_out = sc->src_len;
        return sc->src;
    }
    *len_out = normalize_into(sc, sc->src, sc->src_len, sc->term);
    return *len_out ? sc->term : NULL;
}

/*
 * Where an ASCII word of the chain, s[i..end), turns from a lower-case
 * letter to an upper-case one ("EnvoyFilter" at 5, "mTLS" at 1): the byte
 * offsets, relative to i, go to `at`.  Returns how many (at most `max`).
 * "IPv6" and "HTTPServer" have none: only lower-to-upper turns count.
 */
static size_t
camel_splits(const scan *sc, size_t i, size_t end, size_t *at, size_t max)
{
    size_t k, n = 0;

    if (!sc->src_ascii || sc->src_overflow || sc->src_len != end - i)
        return 0; /* an apostrophe was dropped: offsets would not match */
    if (!sc->general) {
        memcpy(at, sc->camel, sc->n_camel * sizeof *at);
        return sc->n_camel;
    }
    for (k = i + 1; k < end && n < max; k++)
        if (sc->s[k - 1] >= 'a' && sc->s[k - 1] <= 'z' && sc->s[k] >= 'A' &&
            sc->s[k] <= 'Z')
            at[n++] = k - i;
    return n;
}

/* Reports the camelCase pieces of the word s[i..end), whose term is
 * `term` (ASCII, as long as the word), as PARTs. */
static void
emit_camel(scan *sc, const char *term, size_t i, size_t end, const size_t *at,
           size_t n)
{
    size_t k, a = 0, b;

    for (k = 0; k <= n; k++) {
        b = k < n ? at[k] : end - i;
        memcpy(sc->part, term + a, b - a);
        sc->part[b - a] = '\0';
        emit(sc, ANALYSIS_PART, sc->part, b - a, i + a, b - a, sc->pos++);
        a = b;
    }
}

/*
 * Scans a word or a chain of words joined by '-', '_' or '.', starting at
 * an alphanumeric at s[i].  Reports a WORD, or the PARTs and then the
 * JOINED token.  Returns the end of the chain.
 */
static size_t
scan_chain(scan *sc, size_t i)
{
    size_t start = i, end, n, term_len, joined_len = 0;
    uint32_t first_pos = sc->pos, n_parts = 0;
    int joined_ok = 1;
    char joiner = 0;
    const char *term;

    for (;;) {
        size_t at[ANALYSIS_MAX_PARTS], n_camel;
        end = scan_word(sc, i);
        term = word_term(sc, &term_len);
        n_camel = term ? camel_splits(sc, i, end, at, ANALYSIS_MAX_PARTS) : 0;
        int more = end + 1 < sc->len && sc->s[end] < 0x80 &&
                   ascii_class[sc->s[end]] == C_JOIN &&
                   class_at(sc, end + 1, &n) == C_ALNUM;
        if (n_parts == 0 && !more && !n_camel) {
            emit(sc, ANALYSIS_WORD, term, term_len, start, end - start,
                 sc->pos++);
            return end;
        }
        if (n_camel) {
            emit_camel(sc, term, i, end, at, n_camel);
            n_parts += n_camel + 1;
        } else {
            emit(sc, ANALYSIS_PART, term, term_len, i, end - i, sc->pos++);
            n_parts++;
        }
        if (!term || joined_len + term_len + 1 > ANALYSIS_MAX_TERM) {
            joined_ok = 0;
        } else if (joined_ok) {
            if (joiner == '.')
                sc->joined[joined_len++] = '.';
            memcpy(sc->joined + joined_len, term, term_len);
            joined_len += term_len;
        }
        if (!more || sc->rc)
            break;
        joiner = (char)sc->s[end];
        i = end + 1;
    }
    if (joined_ok && n_parts <= ANALYSIS_MAX_PARTS) {
        sc->joined[joined_len] = '\0';
        emit(sc, ANALYSIS_JOINED, sc->joined, joined_len, start, end - start,
             first_pos);
    }
    return end;
}

/* Normalises one CJK character `cp` (with its marks) into `out`. */
static size_t
cjk_term(scan *sc, size_t off, size_t n, int32_t cp, char *out)
{
    const unsigned char *p = sc->s + off;

    /* Unified ideographs, kana and Hangul syllables are NFKC-stable and
     * caseless: copy them. */
    if (n == 3) {
        if ((cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0x3400 && cp <= 0x4DBF) ||
            (cp >= 0x3041 && cp <= 0x309E) || (cp >= 0x30A1 && cp <= 0x30FE) ||
            (cp >= 0xAC00 && cp <= 0xD7A3)) {
            memcpy(out, p, 3);
            out[3] = '\0';
            return 3;
        }
    }
    return normalize_into(sc, (const char *)p, n, out);
}

/*
 * Scans a run of CJK characters starting at s[i].  Each character (with any
 * marks that follow it) is a CJK_UNI token; each adjacent pair is a CJK_BI
 * token at the first character's position, reported right after it so
 * positions never decrease.  Returns the end of the run.
 */
static size_t
scan_cjk(scan *sc, size_t i)
{
    size_t prev_len = 0, prev_off = 0, n, cur_len, end;
    int32_t cp, next_cp = -1;
    int k;

    /* The class of s[i] (and its code point, n bytes) is carried from one
     * character to the next: each byte is decoded once. */
    n = decode(sc->s, sc->len, i, &next_cp);
    k = classify(next_cp);
    while (k == C_CJK && !sc->rc) {
        cp = next_cp;
        end = i + n;
        k = C_SEP;
        while (end < sc->len) {
            n = decode(sc->s, sc->len, end, &next_cp);
            k = classify(next_cp);
            if (k != C_MARK && k != C_IGNORE)
                break;
            end += n;
        }
        cur_len = cjk_term(sc, i, end - i, cp, sc->term);
        if (prev_len && cur_len && prev_len + cur_len <= ANALYSIS_MAX_TERM) {
            memcpy(sc->bigram, sc->prev_cjk, prev_len);
            memcpy(sc->bigram + prev_len, sc->term, cur_len + 1);
            emit(sc, ANALYSIS_CJK_BI, sc->bigram, prev_len + cur_len, prev_off,
                 end - prev_off, sc->pos - 1);
        }
        emit(sc, ANALYSIS_CJK_UNI, sc->term, cur_len, i, end - i, sc->pos++);
        memcpy(sc->prev_cjk, sc->term, cur_len + 1);
        prev_len = cur_len;
        prev_off = i;
        i = end;
    }
    return i;
}

/*
 * The tokens of a text that is one plain ASCII word, letters and digits
 * with no lower-to-upper turn and at most ANALYSIS_MAX_TERM of them,
 * maybe followed by joiners ('-', '_', '.'), as scan_chain() gives them:
 * one WORD, lowercased, at first_pos.  The snippets tokenize such short
 * runs around each match, and this spares them the scanner's set-up.
 * Returns 1 with *rc the callback's result when the text is such a word,
 * else 0 (nothing reported).
 */
static int
tokenize_word(const unsigned char *s, size_t len, uint32_t first_pos,
              analysis_token_fn fn, void *ctx, int *rc)
{
    char term[ANALYSIS_MAX_TERM + 1];
    analysis_token tok;
    size_t n = 0;

    while (n < len && n <= ANALYSIS_MAX_TERM) {
        unsigned c = s[n], low = ascii_lower[c];
        if (!low)
            break;
        if (low != c && n > 0 && (unsigned)(s[n - 1] - 'a') < 26u)
            return 0; /* camelCase: parts too */
        term[n++] = (char)low;
    }
    if (n == 0 || n > ANALYSIS_MAX_TERM)
        return 0;
    for (size_t k = n; k < len; k++)
        if (s[k] != '-' && s[k] != '_' && s[k] != '.')
            return 0;
    term[n] = '\0';
    tok.term = term;
    tok.term_len = n;
    tok.off = 0;
    tok.len = n;
    tok.pos = first_pos;
    tok.kind = ANALYSIS_WORD;
    *rc = fn(ctx, &tok);
    return 1;
}

int
analysis_tokenize(const char *text, size_t len, uint32_t first_pos,
                  analysis_token_fn fn, void *ctx, uint32_t *next_pos)
{
    scan sc;
    size_t i = 0, n;
    int k, rc;

    if (text && len > 0 && len <= ANALYSIS_MAX_TERM + 8 &&
        ascii_lower[(unsigned char)text[0]] &&
        !atomic_load_explicit(&general_only, memory_order_relaxed) &&
        tokenize_word((const unsigned char *)text, len, first_pos, fn, ctx,
                      &rc)) {
        if (next_pos)
            *next_pos = first_pos + 1;
        return rc;
    }

    sc.s = (const unsigned char *)text;
    sc.len = text ? len : 0;
    sc.fn = fn;
    sc.ctx = ctx;
    sc.pos = first_pos;
    sc.rc = 0;
    sc.general = atomic_load_explicit(&general_only, memory_order_relaxed);
    while (i < sc.len && !sc.rc) {
        unsigned c = sc.s[i];
        if (c < 0x80) {
            if (ascii_class[c] != C_ALNUM) {
                i++;
                continue;
            }
            i = scan_chain(&sc, i);
            continue;
        }
        k = class_at(&sc, i, &n);
        if (k == C_ALNUM)
            i = scan_chain(&sc, i);
        else if (k == C_CJK)
            i = scan_cjk(&sc, i);
        else
            i += n;
    }
    if (next_pos)
        *next_pos = sc.pos;
    return sc.rc;
}

/* Copies text with each invalid byte replaced by U+FFFD; NULL on OOM. */
static char *
sanitize(const char *text, size_t len, size_t *len_out)
{
    char *out, *p;
    size_t i = 0, n;
    int32_t cp;

    if (len > ((size_t)-1 - 1) / 3 || !(out = p = malloc(3 * len + 1)))
        return NULL;
    while (i < len) {
        n = decode((const unsigned char *)text, len, i, &cp);
        if (cp < 0) {
            memcpy(p, "\xEF\xBF\xBD", 3);
            p += 3;
        } else {
            memcpy(p, text + i, n);
            p += n;
        }
        i += n;
    }
    *p = '\0';
    *len_out = (size_t)(p - out);
    return out;
}

int
analysis_normalize(const char *text, size_t len, char **out, size_t *len_out)
{
    size_t i, n, clean_len = len;
    int32_t cp;
    int ascii = 1, valid = 1;
    char *clean = NULL;
    utf8proc_uint8_t *mapped = NULL;
    utf8proc_ssize_t r;

    *out = NULL;
    for (i = 0; i < len; i += n) {
        n = decode((const unsigned char *)text, len, i, &cp);
        ascii &= cp >= 0 && cp < 0x80;
        valid &= cp >= 0;
    }
    if (ascii) {
        if (!(*out = malloc(len + 1)))
            return -1;
        for (i = 0; i < len; i++) {
            char c = text[i];
            (*out)[i] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
        }
        (*out)[len] = '\0';
        if (len_out)
            *len_out = len;
        return 0;
    }
    if (!valid && !(clean = sanitize(text, len, &clean_len)))
        return -1;
    r = utf8proc_map((const utf8proc_uint8_t *)(clean ? clean : text),
                     (utf8proc_ssize_t)clean_len, &mapped, NORM_OPTIONS);
    free(clean);
    if (r < 0)
        return -1; /* only UTF8PROC_ERROR_NOMEM: the input is valid */
    *out = (char *)mapped;
    if (len_out)
        *len_out = (size_t)r;
    return 0;
}

/* ---- stemming ----------------------------------------------------------- */

/* A remembered stem (see analysis_stemmer_cache): terms and stems of up to
 * STEM_CACHE_KEY bytes. */
#define STEM_CACHE_KEY 30
typedef struct stem_entry {
    unsigned char key_len; /* 0: free */
    unsigned char stem_len;
    char key[STEM_CACHE_KEY];
    char stem[STEM_CACHE_KEY + 1];
} stem_entry;

struct analysis_stemmer {
    struct sb_stemmer *sb; /* NULL: the Ukrainian light stemmer */
    char buf[ANALYSIS_MAX_TERM + 1];
    stem_entry *cache; /* NULL: none; else n_cache entries, a power of 2 */
    size_t n_cache;
};

/* Whether `lang` names Ukrainian ("uk", "uk-UA", "ukrainian"). */
static int
is_ukrainian(const char *lang)
{
    return lang && (strcmp(lang, "ukrainian") == 0 ||
                    (strncmp(lang, "uk", 2) == 0 &&
                     (!lang[2] || lang[2] == '-' || lang[2] == '_')));
}

/* ISO 639-1 codes of the languages Snowball stems. */
static const char *const iso_to_snowball[][2] = {
    {"ar", "arabic"},    {"ca", "catalan"},    {"da", "danish"},
    {"de", "german"},    {"el", "greek"},      {"en", "english"},
    {"es", "spanish"},   {"eu", "basque"},     {"fi", "finnish"},
    {"fr", "french"},    {"ga", "irish"},      {"hi", "hindi"},
    {"hu", "hungarian"}, {"hy", "armenian"},   {"id", "indonesian"},
    {"it", "italian"},   {"lt", "lithuanian"}, {"nb", "norwegian"},
    {"ne", "nepali"},    {"nl", "dutch"},      {"nn", "norwegian"},
    {"no", "norwegian"}, {"pt", "portuguese"}, {"ro", "romanian"},
    {"ru", "russian"},   {"sr", "serbian"},    {"sv", "swedish"},
    {"ta", "tamil"},     {"tr", "turkish"},    {"yi", "yiddish"},
};

/* The name as libstemmer spells it, if libstemmer has that algorithm. */
static const char *
snowball_lookup(const char *name, size_t len)
{
    const char **l;

    for (l = sb_stemmer_list(); *l; l++)
        if (strlen(*l) == len && memcmp(*l, name, len) == 0)
            return *l;
    return NULL;
}

const char *
analysis_stemmer_algorithm(const char *lang)
{
    char low[32];
    size_t i, len = 0;

    if (!lang)
        return NULL;
    /* Lowercase and cut a region or script: "en-US", "pt_BR". */
    while (lang[len] && lang[len] != '-' && lang[len] != '_') {
        if (len + 1 >= sizeof low)
            return NULL;
        char c = lang[len];
        low[len++] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
    }
    low[len] = '\0';
    if (len == 2) {
        for (i = 0; i < UTIL_ARRAY_LEN(iso_to_snowball); i++)
            if (memcmp(low, iso_to_snowball[i][0], 2) == 0) {
                const char *a = iso_to_snowball[i][1];
                return snowball_lookup(a, strlen(a));
            }
        return NULL;
    }
    return snowball_lookup(low, len);
}

analysis_stemmer *
analysis_stemmer_new(const char *lang)
{
    const char *algo = analysis_stemmer_algorithm(lang);
    analysis_stemmer *s;

    if (!algo && is_ukrainian(lang))
        return calloc(1, sizeof(analysis_stemmer));
    if (!algo || !(s = calloc(1, sizeof *s)))
        return NULL;
    s->sb = sb_stemmer_new(algo, "UTF_8");
    if (!s->sb) {
        free(s);
        return NULL;
    }
    return s;
}

void
analysis_stemmer_free(analysis_stemmer *s)
{
    if (!s)
        return;
    if (s->sb)
        sb_stemmer_delete(s->sb);
    free(s->cache);
    free(s);
}

int
analysis_stemmer_cache(analysis_stemmer *s, size_t n_entries)
{
    size_t n = 1;

    if (!s)
        return -1;
    while (n < n_entries && n < ((size_t)1 << 20))
        n <<= 1;
    free(s->cache);
    s->cache = NULL;
    s->n_cache = 0;
    if (n_entries == 0 || !s->sb)
        return 0;
    if (!(s->cache = calloc(n, sizeof *s->cache)))
        return -1;
    s->n_cache = n;
    return 0;
}

/* Whether a normalised term takes a stem: it has letters only (no digits,
 * no joiners) and no CJK characters. */
static int
stemmable_term(const char *term, size_t len)
{
    size_t i = 0, n;
    int32_t cp;

    if (len == 0)
        return 0;
    while (i < len) {
        unsigned char c = (unsigned char)term[i];
        if (c < 0x80) {
            if (c < 'a' || c > 'z')
                return 0;
            i++;
            continue;
        }
        n = decode((const unsigned char *)term, len, i, &cp);
        if (cp >= 0 && cp < 0x10000 &&
            !atomic_load_explicit(&general_only, memory_order_relaxed)) {
            if (bmp_info_of(cp) & INFO_NOSTEM)
                return 0;
            i += n;
            continue;
        }
        if (cp < 0 || is_cjk_block(cp))
            return 0;
        switch (utf8proc_category(cp)) {
        case UTF8PROC_CATEGORY_ND:
        case UTF8PROC_CATEGORY_NL:
        case UTF8PROC_CATEGORY_NO:
            return 0;
        default:
            break;
        }
        i += n;
    }
    return 1;
}

const char *
analysis_stem(analysis_stemmer *s, const char *term, size_t len,
              size_t *len_out)
{
    const sb_symbol *r;

    if (!s || !term || len > INT_MAX || !stemmable_term(term, len))
        return NULL;
    if (!s->sb) {
        if (len > ANALYSIS_MAX_TERM)
            return NULL;
        *len_out = stem_uk(term, len);
        memcpy(s->buf, term, *len_out);
        s->buf[*len_out] = '\0';
        return s->buf;
    }
    stem_entry *e = NULL;
    if (s->cache && len <= STEM_CACHE_KEY) {
        /* The term's hash picks the one slot it may be in. */
        uint64_t h = util_hash64(term, len);
        e = &s->cache[h & (s->n_cache - 1)];
        if (e->key_len == len && memcmp(e->key, term, len) == 0) {
            *len_out = e->stem_len;
            return e->stem;
        }
    }
    r = sb_stemmer_stem(s->sb, (const sb_symbol *)term, (int)len);
    if (!r)
        return NULL;
    *len_out = (size_t)sb_stemmer_length(s->sb);
    if (e && *len_out <= STEM_CACHE_KEY) {
        e->key_len = (unsigned char)len;
        memcpy(e->key, term, len);
        e->stem_len = (unsigned char)*len_out;
        memcpy(e->stem, r, *len_out);
        e->stem[*len_out] = '\0';
    }
    return (const char *)r;
}

int
analysis_is_stemmable(const analysis_token *tok)
{
    if (tok->kind == ANALYSIS_CJK_UNI || tok->kind == ANALYSIS_CJK_BI)
        return 0;
    return stemmable_term(tok->term, tok->term_len);
}
