/*
 * qparse.h: the query parser.  It turns what a person types into a search
 * box into a syntax tree of qparse_node.  It knows nothing of Xapian, terms
 * or stemming: the nodes carry raw UTF-8 slices of the query, and the search
 * module turns the tree into a Xapian query with the text analyser.
 *
 * The syntax is the one web search engines taught everyone:
 *
 *   ambient mesh           all the words are wanted      (and* ...)
 *   "ambient mesh"         a phrase                      (phrase "...")
 *   -sidecar  -"a b"       exclude a word or a phrase    (not ...)
 *   +sidecar               the word is required          (must ...)
 *   a OR b, a AND b, NOT a  operators, upper case only; "or" is a word
 *   (a OR b) c             grouping
 *   title:mesh  title:"a b"  title:(a OR b)
 *                          a field, for the names the caller allows;
 *                          other "x:y" text (URLs, "istio:1.2") is a word
 *   date:2024  date:2024-03..2025-06  date:2024..  after:2024-01-01
 *   before:2025            dates (YYYY, YYYY-MM or YYYY-MM-DD)
 *   mesh*                  prefix search
 *   a NEAR b, a NEAR/5 b   proximity (window in token positions)
 *
 * Precedence, tightest first: NEAR; NOT, '-' and '+'; AND; juxtaposition
 * (the implicit AND); OR.  So `a b OR c` is (or (and* a b) c), and
 * `a b AND c` is (and* a (and b c)): an explicit AND binds the words next
 * to it, so they are required even when the implicit AND is lenient.
 *
 * Lenient mode (the default) never fails on syntax: malformed input
 * degrades to the plain-words reading.  An unbalanced quote or parenthesis
 * is ignored; an operator that cannot act as one (`OR` at the start or end,
 * `NOT` at the end) is read as a word; of two operators in a row (`a OR AND
 * b`) the last one wins; a lone '-', '+' or '*', an empty phrase `""`, empty
 * parentheses `()` and a field without a value (`title:` reads as the word
 * "title") are dropped; an invalid date (`date:soon`) is the word
 * "date:soon".  The first such problem is still reported (qparse_error),
 * so a user interface can say what it did.
 *
 * Strict mode (QPARSE_STRICT) fails with RECAP_EQUERY on the first problem
 * (the one at the smallest byte offset), with its offset and a message such
 * as "unbalanced parenthesis at 14".  A query that strict mode accepts gives
 * the same tree in both modes.
 *
 * Caps: parentheses nested deeper than max_depth are ignored (their content
 * joins the enclosing group), and leaves beyond max_terms are dropped (a
 * phrase counts one term per space-separated word, and a long phrase is cut
 * to fit).  Strict mode reports either.  Parsing takes time linear in the
 * length of the query, whatever its content.
 *
 * Full-width parentheses （ ）, typographic quotes “ ” „ « », the no-break
 * space and the ideographic space U+3000 are understood as their ASCII
 * counterparts.  Any quote character closes a phrase opened by any other.
 */
#ifndef RECAP_QPARSE_H
#define RECAP_QPARSE_H

#include <stddef.h>

#include "status.h"
#include "util.h"

/* ---- the tree ----------------------------------------------------------- */

typedef enum qparse_kind {
    /* A word: text is the word as typed, without a trailing '*'.  It may
     * hold any bytes but white space, parentheses and quotes: "foo:bar",
     * "http://x", "v1.25", "多集群", "--set", "OR" (an operator keyword that
     * could not act as one).  Flag QPARSE_PREFIX: written as "mesh*".
     * Printed (word mesh) or (prefix mesh). */
    QPARSE_WORD = 1,
    /* A phrase: text is what stood between the quotes, without leading and
     * trailing white space, never empty.  Printed (phrase "a b"). */
    QPARSE_PHRASE,
    /* A date condition: field is the field name; lo and hi are the bounds
     * as typed, each "YYYY", "YYYY-MM" or "YYYY-MM-DD" and validated, or
     * NULL (lo_len/hi_len 0) when open.  `date:2024` gives lo = hi =
     * "2024" (the whole year); `date:2024-03..2025-06` gives both bounds;
     * `date:2024..` and `date:..2025` are half-open; a field named "after"
     * gives lo only, one named "before" hi only.  Whether bounds are
     * inclusive is the search module's choice; lo <= hi always holds.
     * Printed (date after 2024-01-01 *). */
    QPARSE_DATE,
    /* All of the children (two or more).  Flag QPARSE_IMPLICIT: the words
     * were only written next to each other, so the search may be lenient;
     * without it the user wrote AND.  Printed (and* ...) or (and ...). */
    QPARSE_AND,
    /* Any of the children (two or more).  Printed (or ...). */
    QPARSE_OR,
    /* Exclusion of its one child, written -x or NOT x.  It can stand
     * alone (a query "-foo" is (not (word foo))): the search module decides
     * what an exclusion without a positive part means.  Double negations
     * cancel out.  Printed (not ...). */
    QPARSE_NOT,
    /* Its one child is required, written +x.  Printed (must ...). */
    QPARSE_MUST,
    /* The children (two or more) occur near each other: a NEAR b NEAR c.
     * window is the window in token positions from NEAR/n, or 0 when the
     * user gave none (the search module's default); in a chain with several
     * windows, the largest.  Children are words, phrases, fields or groups,
     * as written.  Printed (near ...) or (near/5 ...). */
    QPARSE_NEAR,
    /* Its one child is searched in the field field (lower-cased, one of
     * the caller's names).  The child may itself contain a FIELD (written
     * title:(author:x)); the innermost field wins.  Printed
     * (field title ...). */
    QPARSE_FIELD
} qparse_kind;

#define QPARSE_IMPLICIT 0x1u /* QPARSE_AND: written as juxtaposition */
#define QPARSE_PREFIX 0x2u   /* QPARSE_WORD: written with a trailing '*' */

/* One node.  Every pointer in it is borrowed from the qparse_tree and valid
 * until qparse_tree_free().  Text is not NUL-terminated: use the lengths. */
typedef struct qparse_node {
    qparse_kind kind;
    unsigned flags;      /* QPARSE_IMPLICIT, QPARSE_PREFIX */
    size_t off;          /* byte offset in the query of the node's first
                            byte (of the word, the opening quote, the '-',
                            the field name, the first child...) */
    const char *text;    /* WORD, PHRASE: UTF-8 as typed; else NULL */
    size_t text_len;     /* bytes */
    const char *field;   /* FIELD, DATE: the field name, ASCII lower-cased;
                            else NULL */
    size_t field_len;    /* bytes */
    const char *lo, *hi; /* DATE: the bounds, or NULL when open */
    size_t lo_len, hi_len;
    unsigned window; /* NEAR: window in token positions, 0 = default */
    struct qparse_node **kids; /* the children, in query order */
    size_t n_kids;
} qparse_node;

/* The parsed query.  Owns its nodes and a copy of the query text. */
typedef struct qparse_tree qparse_tree;

/* ---- parsing ------------------------------------------------------------ */

#define QPARSE_STRICT 0x1u /* fail on the first syntax problem */

#define QPARSE_DEFAULT_MAX_DEPTH 32
#define QPARSE_DEFAULT_MAX_TERMS 64
#define QPARSE_LIMIT_MAX_DEPTH 256 /* larger max_depth values are clamped */
#define QPARSE_MAX_WINDOW 100      /* NEAR/n accepts 1..100 */

#define QPARSE_OPTIONS_VERSION 1

typedef struct qparse_options {
    unsigned version; /* QPARSE_OPTIONS_VERSION */
    unsigned flags;   /* QPARSE_STRICT */
    /* The field names allowed before a ':' whose value is text, ASCII
     * lower case, in a NULL-terminated array; NULL for the default list
     * (title description keyword tag author section lang heading code url).
     * An empty array allows none.  Borrowed during qparse_parse() only. */
    const char *const *fields;
    /* The same for fields whose value is a date; NULL for the default
     * (date after before). */
    const char *const *date_fields;
    unsigned max_depth; /* parenthesis nesting; 0 = the default */
    unsigned max_terms; /* leaves; 0 = the default */
} qparse_options;

#define QPARSE_OPTIONS_INIT                                                    \
    {                                                                          \
        QPARSE_OPTIONS_VERSION, 0, NULL, NULL, 0, 0                            \
    }

/* The first syntax problem in a query. */
typedef struct qparse_error {
    size_t off;    /* byte offset in the query */
    char msg[160]; /* "unbalanced parenthesis at 14"; "" when none */
} qparse_error;

/*
 * Parses `len` bytes of UTF-8 at `query` (invalid UTF-8 is kept as it is,
 * in words).  `opts` may be NULL for the defaults.  On success *out is a
 * tree the caller frees with qparse_tree_free(); its root is NULL when the
 * query holds nothing to search for (empty, blank, only "()").  `err` may
 * be NULL; otherwise it receives the first problem even in lenient mode,
 * or an empty msg when there was none.
 *
 * Returns:
 *   RECAP_OK      a tree in *out
 *   RECAP_EQUERY  strict mode only: a syntax problem, described in *err;
 *                 *out is NULL
 *   RECAP_EINVAL  out is NULL, query is NULL with len > 0, or the options
 *                 have another version
 *   RECAP_ENOMEM  out of memory
 *
 * Example:
 *   qparse_tree *t;
 *   qparse_error e;
 *   if (qparse_parse(q, strlen(q), NULL, &t, &e) == RECAP_OK) {
 *       if (e.msg[0])
 *           fprintf(stderr, "note: %s\n", e.msg);
 *       walk(qparse_tree_root(t));
 *       qparse_tree_free(t);
 *   }
 */
recap_status qparse_parse(const char *query, size_t len,
                          const qparse_options *opts, qparse_tree **out,
                          qparse_error *err);

/* The root of the tree, borrowed until qparse_tree_free(); NULL when the
 * query holds nothing to search for. */
const qparse_node *qparse_tree_root(const qparse_tree *t);

/* The number of leaves (terms, counted as for max_terms) in the tree. */
unsigned qparse_tree_n_terms(const qparse_tree *t);

/* Frees the tree and all its nodes.  Accepts NULL. */
void qparse_tree_free(qparse_tree *t);

/* ---- printing (for tests and debugging) --------------------------------- */

/* "word", "and"...: the kind's name as the printer writes it. */
const char *qparse_kind_name(qparse_kind kind);

/*
 * Appends the canonical s-expression of the subtree at `n` to `out`, for
 * example (or (phrase "a b") (not (field title (word x)))).  A NULL node
 * prints as "()".  Words print bare unless they hold white space, '(', ')',
 * '"', '\\' or control bytes, then quoted as phrases are, with \" \\ and
 * \xNN escapes.  Out of memory is recorded in out->oom.
 */
void qparse_node_print(const qparse_node *n, strbuf *out);

/* The same as a malloc()ed string the caller frees; NULL when out of
 * memory. */
char *qparse_node_sexp(const qparse_node *n);

#endif
