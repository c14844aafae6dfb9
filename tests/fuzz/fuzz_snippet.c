/*
 * fuzz_snippet.c: passage selection on random text with random queries.
 * The input is "query\0text": the query is analysed into terms the way the
 * search side does, the text is one section.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "analysis.h"
#include "snippet.h"

typedef struct terms {
    snippet_term t[SNIPPET_MAX_TERMS];
    char buf[SNIPPET_MAX_TERMS][ANALYSIS_MAX_TERM + 1];
    size_t n;
} terms;

static int
on_token(void *p, const analysis_token *tok)
{
    terms *ts = p;

    if (ts->n == SNIPPET_MAX_TERMS)
        return 1;
    memcpy(ts->buf[ts->n], tok->term, tok->term_len + 1);
    ts->t[ts->n].term = ts->buf[ts->n];
    ts->t[ts->n].term_len = tok->term_len;
    ts->t[ts->n].weight = 1.0 + (double)(tok->term_len % 5);
    ts->t[ts->n].group = tok->pos % 3 == 0 ? -1 : 0;
    ts->n++;
    return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static analysis_stemmer *en;
    static terms ts;
    const char *src = (const char *)data, *nul = memchr(src, '\0', size);
    size_t qlen = nul ? (size_t)(nul - src) : size / 4, n = 0;
    snippet_options so = SNIPPET_OPTIONS_INIT;
    snippet_section sec = {0};
    snippet *out = NULL;

    if (!en)
        en = analysis_stemmer_new("en");
    ts.n = 0;
    analysis_tokenize(src, qlen, 0, on_token, &ts, NULL);
    sec.text = src + qlen;
    sec.text_len = size - qlen;
    sec.code = src;
    sec.code_len = qlen;
    so.max_chars = 20 + size % 300;
    so.max_snippets = 1 + size % 3;
    so.use_code = (int)(size & 1);
    if (snippet_make(&sec, 1, ts.t, ts.n, en, &so, &out, &n) == RECAP_OK)
        snippet_array_free(out, n);
    return 0;
}
