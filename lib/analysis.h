/*
 * analysis.h: text analysis, the one module the indexer and the query side
 * both use, so they always produce the same terms.
 *
 * Input is UTF-8 that may be invalid: a byte that does not start a valid
 * sequence is treated as a separator (U+FFFD) and never stops the tokenizer.
 * Each token is normalised with NFKC and case folding (utf8proc) and
 * reported to a callback with its byte range in the original text, so
 * highlighting and snippets are exact (the FTS5 tokenizer design).
 *
 * Token kinds, by example:
 *  - "Mesh"            -> WORD "mesh"
 *  - "multi-cluster"   -> PART "multi" (pos p), PART "cluster" (p+1),
 *                         JOINED "multicluster" (pos p, the whole range)
 *  - "CVE-2019-12995"  -> PART "cve", "2019", "12995"; JOINED "cve201912995"
 *  - "x_forwarded_for" -> the same shape as "x-forwarded-for"
 *  - "v1.25.2"         -> PART "v1", "25", "2"; JOINED "v1.25.2" (dots are
 *                         kept in the joined form: versions, host names)
 *  - "EnvoyFilter"     -> PART "envoy" (p), "filter" (p+1); JOINED
 *                         "envoyfilter" (p): camelCase splits where a
 *                         lower-case letter meets an upper-case one
 *  - "mTLS"            -> PART "m", "tls"; JOINED "mtls"
 *  - "多集群"          -> CJK unigrams 多 (p), 集 (p+1), 群 (p+2) and
 *                         bigrams 多集 (p), 集群 (p+1)
 * Joiners are '-', '_' and '.', and only between two alphanumerics.  A
 * JOINED token is reported after its parts.  Positions count tokens from
 * `first_pos` and are token positions, not byte offsets.
 *
 * The rules in detail:
 *  - Words are runs of letters (L*) and digits (N*); combining marks (M*)
 *    and the invisible U+00AD, U+200C, U+200D, U+2060, U+FEFF continue a
 *    word but do not start one.  Everything else separates, including every
 *    byte of an invalid UTF-8 sequence.  ASCII camelCase is split
 *    at lower-to-upper turns only ("IPv6", "HTTPServer" stay whole).
 *  - An apostrophe (', U+2019, U+02BC or U+FF07) between two alphanumerics
 *    is dropped and the word goes on: "don't" -> "dont", "м’ясо" and
 *    "мʼясо" -> "мясо".  A possessive "'s" ending a word is dropped with
 *    its s: "Istio’s" -> "istio" (the token's byte range still covers
 *    "Istio’s").
 *  - A '.' not followed by an alphanumeric ends the chain ("v1.2." ->
 *    "v1.2"); '/' and other characters never join, so a path a/b/c is
 *    three words.  The joined form keeps '.' and drops '-' and '_'.  A
 *    chain of more than ANALYSIS_MAX_PARTS parts, or whose joined form is
 *    longer than ANALYSIS_MAX_TERM, has its parts reported but no JOINED.
 *  - A CJK run is a run of Han/Kana/Bopomofo/Hangul letters (with their
 *    marks); it ends at any other character.  Tokens come in position
 *    order: UNI c1 (p), BI c1c2 (p), UNI c2 (p+1), BI c2c3 (p+1), ...
 *  - A term longer than ANALYSIS_MAX_TERM bytes is not reported, but its
 *    position is still used, so phrase distances stay true.
 *  - Scripts written without spaces other than CJK (Thai, Khmer...) are
 *    not segmented: a run is one word, usually too long to report.
 */
#ifndef RECAP_ANALYSIS_H
#define RECAP_ANALYSIS_H

#include <stddef.h>
#include <stdint.h>

#include "limit.h"

typedef enum analysis_kind {
    ANALYSIS_WORD,    /* a plain word or number */
    ANALYSIS_PART,    /* one part of a joined technical token */
    ANALYSIS_JOINED,  /* the whole of a joined technical token */
    ANALYSIS_CJK_UNI, /* one Han/Kana/Hangul character */
    ANALYSIS_CJK_BI   /* two adjacent CJK characters */
} analysis_kind;

typedef struct analysis_token {
    const char *term; /* normalised form, NUL-terminated; valid only during
                         the callback */
    size_t term_len;  /* bytes */
    size_t off;       /* byte offset of the token in the input */
    size_t len;       /* byte length of the token in the input */
    uint32_t pos;     /* token position */
    analysis_kind kind;
} analysis_token;

/* Called for each token; return non-zero to stop tokenizing. */
typedef int (*analysis_token_fn)(void *ctx, const analysis_token *tok);

/* Terms longer than this (bytes, normalised) are not reported. */
#define ANALYSIS_MAX_TERM LIMIT_TERM_BYTES
/* Chains of more joined parts than this get no JOINED token. */
#define ANALYSIS_MAX_PARTS 8

/*
 * Tokenizes `text` (`len` bytes).  Positions start at `first_pos`; the
 * position after the last token is stored in *next_pos (may be NULL), so a
 * caller can tokenize several pieces of one field with a gap between them.
 * Returns 0, the callback's non-zero value if it stopped early, or -1 when
 * out of memory (the current implementation never allocates).  When the
 * callback stops it, *next_pos is the position after the last token seen.
 * The time taken is linear in `len`, whatever the input.
 */
int analysis_tokenize(const char *text, size_t len, uint32_t first_pos,
                      analysis_token_fn fn, void *ctx, uint32_t *next_pos);

/*
 * For tests: with `on`, analysis_tokenize() and analysis_stem() take the
 * general path only (every word through utf8proc, no table of classified
 * code points, camelCase found by a second scan), which must give the same
 * tokens as the fast paths.  Process-wide; not for production use.
 */
void analysis_test_general_path(int on);

/*
 * Normalises a whole string the way tokens are normalised (NFKC + case
 * folding, default-ignorable code points removed), without splitting it;
 * invalid bytes become U+FFFD.  *out is malloc()ed and NUL-terminated,
 * caller frees; *len_out (may be NULL) gets its byte length.
 * Returns 0, or -1 when out of memory.
 */
int analysis_normalize(const char *text, size_t len, char **out,
                       size_t *len_out);

/* ---- stemming ----------------------------------------------------------- */

typedef struct analysis_stemmer analysis_stemmer;

/*
 * A stemmer for a language given as an ISO 639-1 code ("en", "de", "fr",
 * "ru", ...) or a Snowball name ("english").  Ukrainian ("uk"), which
 * Snowball lacks, gets the light stemmer of stem_uk.h.  Returns NULL when
 * there is no stemmer for that language (zh, ja, ko...) or when out of
 * memory; callers then index unstemmed terms only.
 */
analysis_stemmer *analysis_stemmer_new(const char *lang);
void analysis_stemmer_free(analysis_stemmer *s);
/*
 * Makes `s` remember the stems of up to about `n_entries` recent terms
 * (rounded up to a power of two; 0 forgets them and stops), for callers
 * that stem the same words again and again: a reader stems the words of
 * the pages it shows for every search.  Snowball stemmers only (the
 * Ukrainian light stemmer is cheaper than a look-up).  Returns 0, or -1
 * when out of memory (the stemmer then works without).
 */
int analysis_stemmer_cache(analysis_stemmer *s, size_t n_entries);
/* The Snowball algorithm name for `lang`, or NULL when there is none. */
const char *analysis_stemmer_algorithm(const char *lang);

/*
 * Stems a normalised term.  Returns the stem (borrowed from the stemmer,
 * valid until its next call; it may equal the term) and its byte length in
 * *len_out, or NULL when the term should not be stemmed (numbers, CJK,
 * terms with digits or joiners, ASCII other than a-z), when `s` is NULL, or
 * when out of memory.  A stemmer is not thread-safe: use one per thread.
 */
const char *analysis_stem(analysis_stemmer *s, const char *term, size_t len,
                          size_t *len_out);

/* Whether a token of this kind and text takes a stem term at all: the
 * rule analysis_stem() applies, and never for CJK tokens.  A JOINED token
 * without dots or digits ("multicluster") is stemmable. */
int analysis_is_stemmable(const analysis_token *tok);

#endif
