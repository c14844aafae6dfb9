/*
 * fuzz_analysis.c: the tokenizer, normalisation and stemming on arbitrary
 * bytes; every token must lie inside the input.
 */
#include <stdint.h>
#include <stdlib.h>

#include "analysis.h"

typedef struct ctx {
    size_t size;
    analysis_stemmer *stemmer;
} ctx;

static int
on_token(void *p, const analysis_token *tok)
{
    ctx *c = p;
    size_t n;

    if (tok->off > c->size || tok->len > c->size - tok->off ||
        tok->term_len > ANALYSIS_MAX_TERM)
        abort();
    if (c->stemmer && analysis_is_stemmable(tok))
        analysis_stem(c->stemmer, tok->term, tok->term_len, &n);
    return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static analysis_stemmer *en;
    ctx c = {size, NULL};
    char *norm = NULL;
    size_t norm_len;

    if (!en)
        en = analysis_stemmer_new("en");
    c.stemmer = en;
    analysis_tokenize((const char *)data, size, 0, on_token, &c, NULL);
    if (analysis_normalize((const char *)data, size, &norm, &norm_len) == 0)
        free(norm);
    return 0;
}
