/*
 * snippet.h: passage selection and highlighting for search hits.
 *
 * Given a hit's stored sections and the query's match terms, picks the
 * passage (or a few, from different sections) that best shows why the
 * document matched, and renders it as plain text with highlight ranges and
 * as HTML with <mark> elements.  It is built only on lib/analysis.h, the
 * way SQLite FTS5's snippet() is built on its tokenizer: each section is
 * re-tokenized once, matching tokens are scored in a sliding window, and
 * the winning window is aligned to a sentence or clause start.
 *
 * Matching.  A text token matches a query term when its normalised term
 * equals the query term, or when both have a stem (analysis_stem with the
 * given stemmer) and the stems are equal ("clusters" finds "cluster").
 * Joined tokens match in their joined form (query "multicluster" marks the
 * whole "multi-cluster"); their parts match one by one (query "cluster"
 * marks only "cluster" in "multi-cluster"); CJK unigrams and bigrams match
 * CJK query terms.  Overlapping and touching highlights are merged.
 *
 * Scoring of a window (at most max_chars code points):
 *  - each distinct query term found adds its weight; each repeat of a term
 *    adds a sixteenth of it, for at most three repeats;
 *  - each phrase link found (two consecutive terms of one phrase group at
 *    adjacent token positions, in order) adds the mean of their weights,
 *    once per link;
 *  - windows in code blocks score three quarters of the same window in
 *    prose, and so do windows with matches in list-like blocks (short
 *    blocks that do not end like a sentence: lists of links, table cells,
 *    lists of names), so prose wins when it has as much to show;
 *  - a term given as an alternative form of another (alt_of) counts as
 *    that term.
 * Equal scores keep the earlier window.  Time is linear in the text size,
 * apart from sorting the matches of each section.
 *
 * Usage:
 *
 *     snippet_options opts = SNIPPET_OPTIONS_INIT;
 *     snippet *snips;
 *     size_t n;
 *     opts.max_snippets = 2;
 *     if (snippet_make(sections, n_sections, terms, n_terms, stemmer,
 *                      &opts, &snips, &n) == RECAP_OK) {
 *         for (size_t i = 0; i < n; i++)
 *             printf("%s: %s\n", sections[snips[i].section].anchor,
 *                    snips[i].text);
 *         snippet_array_free(snips, n);
 *     }
 */
#ifndef RECAP_SNIPPET_H
#define RECAP_SNIPPET_H

#include <stddef.h>

#include "analysis.h"
#include "status.h"

/* One stored section of a document, borrowed for the call. */
typedef struct snippet_section {
    const char *heading; /* NULL for the lead section (not used for now) */
    const char *anchor;  /* NULL for the lead section (not used for now) */
    const char *text;    /* prose, blocks separated by "\n\n"; may be NULL
                            when text_len is 0 */
    size_t text_len;     /* bytes */
    const char *code;    /* code blocks, separated by "\n\n"; may be NULL
                            when code_len is 0 */
    size_t code_len;     /* bytes */
    int fallback;        /* non-zero: looked at only when no other section
                            matches (a page's description, for hits that
                            match in the title only) */
} snippet_section;

/* One query term to find. */
typedef struct snippet_term {
    const char *term; /* normalised and unstemmed, exactly as
                         analysis_tokenize reports it */
    size_t term_len;  /* bytes */
    double weight;    /* rarity (idf or alike), higher is rarer; values
                         below 0.001 count as 0.001 */
    int group;        /* phrase group id, or -1.  The terms of one phrase
                         share a group and appear in this array in phrase
                         order. */
    int alt_of;       /* 0, or 1 + the index of an earlier term this one is
                         another form of (a synonym: "k8s" for
                         "kubernetes"): it is found and highlighted like any
                         term but counts as that term when a window's
                         coverage is scored.  Zero-initialised terms have
                         no alternative. */
} snippet_term;

/* Only this many terms are looked for; later ones are ignored. */
#define SNIPPET_MAX_TERMS 64
/* At most this many snippets are made, each from a different section. */
#define SNIPPET_MAX_SNIPPETS 3

typedef struct snippet_options {
    unsigned version;    /* SNIPPET_OPTIONS_VERSION */
    size_t max_chars;    /* longest snippet text in code points, the
                            ellipses included; 0 means 200; values below
                            20 count as 20 */
    size_t max_snippets; /* 0 means 1; above SNIPPET_MAX_SNIPPETS counts as
                            SNIPPET_MAX_SNIPPETS */
    int use_code;        /* non-zero: also look in the code of sections */
} snippet_options;

#define SNIPPET_OPTIONS_VERSION 1
#define SNIPPET_OPTIONS_INIT                                                   \
    {                                                                          \
        SNIPPET_OPTIONS_VERSION, 200, 1, 0                                     \
    }

/* A highlight: a byte range of a snippet's text. */
typedef struct snippet_range {
    size_t off; /* byte offset into snippet.text */
    size_t len; /* bytes */
} snippet_range;

/* One passage. */
typedef struct snippet {
    char *text;            /* plain UTF-8, NUL-terminated: whitespace runs
                              collapsed to one space, a table's cells
                              parted by " | " and its rows ended by " · ",
                              "…" where the passage is cut at the start or
                              end of its text */
    size_t text_len;       /* bytes */
    char *html;            /* the same passage HTML-escaped (& < > " '),
                              matches wrapped in <mark>…</mark> */
    size_t html_len;       /* bytes */
    snippet_range *ranges; /* highlights, in order, disjoint; NULL when
                              n_ranges is 0 */
    size_t n_ranges;
    size_t section; /* index into the sections given */
    int in_code;    /* taken from the section's code, not its text */
    double score;   /* the window score (see above); 0 for the
                       no-match fallback */
} snippet;

/*
 * Picks up to opts->max_snippets passages, each from a different section,
 * best first.  Sections whose windows match no term give no snippet, and
 * fallback sections are looked at only when no other section has a match.
 * When no term matches anywhere (a title-only match, say), the result is
 * one snippet with the first max_chars of the first section with
 * non-blank text (fallback sections first), no highlights and score 0;
 * callers that want the description shown then pass it as a fallback
 * section.
 *
 * `sections` (n_sections, may be 0), `terms` (n_terms, may be 0) and
 * `stemmer` (may be NULL: no stem matching) are borrowed for the call.
 * `opts` may be NULL for the defaults.  A stemmer is not thread-safe, so
 * neither is a call sharing one.
 *
 * On RECAP_OK, *out is a malloc()ed array of *n_out snippets (NULL when
 * *n_out is 0), the caller's, freed with snippet_array_free().
 * Returns RECAP_OK, RECAP_ENOMEM, or RECAP_EINVAL (out or n_out NULL, a
 * section or term with a NULL pointer and a non-zero length, an unknown
 * options version).  On failure *out is NULL and *n_out 0.
 */
recap_status snippet_make(const snippet_section *sections, size_t n_sections,
                          const snippet_term *terms, size_t n_terms,
                          analysis_stemmer *stemmer,
                          const snippet_options *opts, snippet **out,
                          size_t *n_out);

/*
 * A matcher: the query terms prepared once (copied, stemmed) for many
 * snippet_make_with() calls, with a cache of the document words already
 * compared, so the words common to the hits of one search are stemmed
 * once.  `terms` are copied; `stemmer` is borrowed until
 * snippet_matcher_free().  Returns RECAP_OK, RECAP_ENOMEM or RECAP_EINVAL.
 */
typedef struct snippet_matcher snippet_matcher;
recap_status snippet_matcher_new(const snippet_term *terms, size_t n_terms,
                                 analysis_stemmer *stemmer,
                                 snippet_matcher **out);
void snippet_matcher_free(snippet_matcher *m);
/* The stemmer the matcher was made with (may be NULL). */
analysis_stemmer *snippet_matcher_stemmer(const snippet_matcher *m);
/* snippet_make() with a prepared matcher. */
recap_status snippet_make_with(snippet_matcher *m,
                               const snippet_section *sections,
                               size_t n_sections, const snippet_options *opts,
                               snippet **out, size_t *n_out);

/* Frees an array from snippet_make() and its strings; accepts NULL. */
void snippet_array_free(snippet *snips, size_t n);

#endif
