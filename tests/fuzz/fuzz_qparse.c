/*
 * fuzz_qparse.c: libFuzzer target for the query parser.  Parses the input
 * in both modes, prints both trees, and checks what must hold whatever the
 * input: lenient mode never fails on syntax, a query strict mode accepts
 * gives the same tree in both modes, both modes agree on the first problem,
 * and every node has the shape qparse.h documents.
 *
 * Build: clang -g -fsanitize=fuzzer,address,undefined -Iinclude -Ilib
 *        -Iquery query/qparse.c lib/util.c tests/fuzz/fuzz_qparse.c
 * tests/unit/test_qparse.c also includes this file to replay it under gcc.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "qparse.h"

/* abort() rather than assert(): the check must survive NDEBUG builds. */
#define FUZZ_CHECK(cond)                                                       \
    do {                                                                       \
        if (!(cond))                                                           \
            abort();                                                           \
    } while (0)

static void
fuzz_check_node(const qparse_node *n, unsigned depth)
{
    FUZZ_CHECK(depth < 4 * QPARSE_LIMIT_MAX_DEPTH);
    switch (n->kind) {
    case QPARSE_WORD:
    case QPARSE_PHRASE:
        FUZZ_CHECK(n->text && n->text_len > 0 && n->n_kids == 0);
        break;
    case QPARSE_DATE:
        FUZZ_CHECK(n->field && n->field_len > 0 && (n->lo || n->hi));
        FUZZ_CHECK(!n->lo || n->lo_len == 4 || n->lo_len == 7 ||
                   n->lo_len == 10);
        FUZZ_CHECK(!n->hi || n->hi_len == 4 || n->hi_len == 7 ||
                   n->hi_len == 10);
        break;
    case QPARSE_AND:
    case QPARSE_OR:
    case QPARSE_NEAR:
        FUZZ_CHECK(n->n_kids >= 2);
        FUZZ_CHECK(n->kind != QPARSE_NEAR || n->window <= QPARSE_MAX_WINDOW);
        break;
    case QPARSE_NOT:
    case QPARSE_MUST:
        FUZZ_CHECK(n->n_kids == 1);
        break;
    case QPARSE_FIELD:
        FUZZ_CHECK(n->n_kids == 1 && n->field && n->field_len > 0);
        break;
    default:
        FUZZ_CHECK(0);
    }
    for (size_t i = 0; i < n->n_kids; i++) {
        FUZZ_CHECK(n->kids[i] != NULL);
        fuzz_check_node(n->kids[i], depth + 1);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    qparse_options o = QPARSE_OPTIONS_INIT;
    qparse_tree *lenient = NULL, *strict = NULL;
    qparse_error le, se;
    recap_status lrc, src;
    char *ls = NULL, *ss = NULL;

    /* A leading 0x01 (white space to the parser) selects tiny caps, so the
     * depth and term limits are reached by short inputs too. */
    if (size > 0 && data[0] == 0x01) {
        o.max_depth = 2;
        o.max_terms = 3;
    }
    lrc = qparse_parse((const char *)data, size, &o, &lenient, &le);
    o.flags = QPARSE_STRICT;
    src = qparse_parse((const char *)data, size, &o, &strict, &se);
    if (lrc == RECAP_ENOMEM || src == RECAP_ENOMEM)
        goto done;
    FUZZ_CHECK(lrc == RECAP_OK);
    FUZZ_CHECK(src == RECAP_OK || src == RECAP_EQUERY);
    FUZZ_CHECK(qparse_tree_n_terms(lenient) <=
               (o.max_terms ? o.max_terms : QPARSE_DEFAULT_MAX_TERMS));
    if (qparse_tree_root(lenient))
        fuzz_check_node(qparse_tree_root(lenient), 0);
    ls = qparse_node_sexp(qparse_tree_root(lenient));
    FUZZ_CHECK(strcmp(le.msg, se.msg) == 0 && le.off == se.off);
    if (src == RECAP_OK) {
        FUZZ_CHECK(le.msg[0] == '\0');
        ss = qparse_node_sexp(qparse_tree_root(strict));
        FUZZ_CHECK(!ls || !ss || strcmp(ls, ss) == 0);
    } else {
        FUZZ_CHECK(strict == NULL && se.msg[0] != '\0' && se.off <= size);
    }
done:
    free(ls);
    free(ss);
    qparse_tree_free(lenient);
    qparse_tree_free(strict);
    return 0;
}
