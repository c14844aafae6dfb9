/*
 * jsonw.h: a direct JSON writer into a strbuf, for the answers the server
 * sends thousands of times a second (search results, suggestions).
 *
 * Building a jansson tree and dumping it costs an allocation per value and
 * a second walk; this writes the text in one pass.  The output is byte for
 * byte what jansson's json_dumps() gives for the same values, compact
 * (JSON_COMPACT) or indented (JSON_INDENT(n)), so either may produce a
 * document: object keys in the order written, strings with '"', '\\' and
 * control characters escaped (\n, \t... or \u00XX) and everything else as
 * UTF-8, reals as "%.17g" with ".0" added to whole numbers.  Invalid UTF-8
 * in a string is written as U+FFFD (jansson would refuse the string).
 *
 * Calls follow the document: jsonw_open_object, then for each member
 * jsonw_key and one value (a scalar, or a nested open .. close), then
 * jsonw_close_object.  Errors are sticky in the strbuf (b->oom); nesting deeper
 * than JSONW_MAX_DEPTH is a programming error and asserted.
 */
#ifndef RECAP_JSONW_H
#define RECAP_JSONW_H

#include <stddef.h>
#include <stdint.h>

#include "util.h"

#define JSONW_MAX_DEPTH 16

typedef struct jsonw {
    strbuf *b;
    unsigned indent; /* spaces per level; 0: compact */
    unsigned depth;
    int after_key;                            /* a key was written */
    unsigned char empty[JSONW_MAX_DEPTH + 1]; /* per level: nothing yet */
} jsonw;

/* Starts writing into `b` (appending); indent 0 is compact. */
void jsonw_init(jsonw *w, strbuf *b, unsigned indent);

void jsonw_open_object(jsonw *w);
void jsonw_open_array(jsonw *w);
void jsonw_close_object(jsonw *w);
void jsonw_close_array(jsonw *w);
/* The key of the next member of the innermost object. */
void jsonw_key(jsonw *w, const char *key);

/* A string, or null when s is NULL. */
void jsonw_str(jsonw *w, const char *s);
void jsonw_strn(jsonw *w, const char *s, size_t len);
void jsonw_int(jsonw *w, int64_t v);
void jsonw_real(jsonw *w, double v);
void jsonw_bool(jsonw *w, int v);
void jsonw_null(jsonw *w);

/* A member of the innermost object: jsonw_key, then the value. */
void jsonw_member_str(jsonw *w, const char *key, const char *s);
void jsonw_member_int(jsonw *w, const char *key, int64_t v);
void jsonw_member_real(jsonw *w, const char *key, double v);
void jsonw_member_bool(jsonw *w, const char *key, int v);

/* Appends `s` as a JSON string literal, quotes included. */
void jsonw_escape(strbuf *b, const char *s, size_t len);

#endif
