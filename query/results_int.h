/*
 * results_int.h: the result objects behind recap_results, recap_hit and
 * recap_snippet.  A result set owns everything it points to.
 */
#ifndef RECAP_RESULTS_INT_H
#define RECAP_RESULTS_INT_H

#include "recapsearch.h"

struct recap_snippet {
    char *url;     /* page URL with the section's anchor */
    char *text;    /* plain passage */
    char *html;    /* escaped, matches in <mark> */
    char *heading; /* NULL for the lead section */
    char *anchor;
    size_t *hl; /* n_hl (offset, length) pairs into text, bytes */
    size_t n_hl;
};

struct recap_hit {
    unsigned rank;
    double score;
    char *path, *url, *title, *date, *section, *lang, *description;
    recap_snippet *snippets;
    size_t n_snippets;
    char **tr_lang, **tr_url; /* n_translations other-language versions */
    size_t n_translations;
};

/* Copies the hit's translations (`n` languages and URLs, from the stored
 * data's "translations", lib/schema.h).  RECAP_OK or RECAP_ENOMEM. */
recap_status results_hit_set_translations(recap_hit *hit,
                                          const char *const *lang,
                                          const char *const *url, size_t n);

typedef struct facet_value {
    char *value;
    uint64_t count;
} facet_value;

struct recap_facet {
    char *name;
    facet_value *values; /* most frequent first */
    size_t n_values;
};

struct recap_results {
    char *query;
    uint64_t total;
    int total_exact;
    uint64_t next_offset; /* 0: no next page */
    recap_facet *facets;
    size_t n_facets;
    char *suggestion; /* the query with spelling corrected, or NULL */
    int corrected;    /* the search used the corrections */
    double elapsed;
    unsigned missing_shards; /* remote shards left out: partial results */
    int partial;             /* the time budget ran out: pages may be missing */
    recap_hit *hits;
    size_t n_hits;
};

#endif
