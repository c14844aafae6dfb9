/*
 * params.h: checking query-string parameters.  Every check either accepts
 * a value or writes one sentence for the 400 answer saying what is
 * expected.
 */
#ifndef RECAP_SERVER_PARAMS_H
#define RECAP_SERVER_PARAMS_H

#include <stddef.h>
#include <stdint.h>

#include "http.h"

#define PARAMS_ERR_LEN 256

/* Whether s[0..len) is well-formed UTF-8 (no overlong forms, surrogates
 * or code points past U+10FFFF). */
int params_utf8_valid(const char *s, size_t len);

/*
 * Matches the arguments of `req` against the NULL-terminated list `names`:
 * values[i] receives the value of names[i] ("" for "?name"), or NULL when
 * absent.  Fails (returns -1, *code and err set) on an unknown or repeated
 * parameter, a value with invalid UTF-8 or a NUL, or a value longer than
 * `max_len` bytes (`q` may be up to `max_q_len`).
 */
int params_collect(const http_request *req, const char *const *names,
                   const char **values, size_t max_len, size_t max_q_len,
                   const char **code, char *err);

/* A decimal integer in [min, max] (digits only). */
int params_uint(const char *name, const char *s, uint32_t min, uint32_t max,
                uint32_t *out, char *err);
/* "YYYY", "YYYY-MM" or "YYYY-MM-DD" with a real month and day. */
int params_date(const char *name, const char *s, char *err);
/* A language code ("en", "zh", "pt-br") or "*". */
int params_lang(const char *s, char *err);
/* One of the comma-separated `choices`. */
int params_choice(const char *name, const char *s, const char *choices,
                  char *err);
/* A comma-separated list of distinct facet names. */
int params_facets(const char *s, char *err);
/* Words (runs of non-space) in s, counting at most `cap + 1`. */
size_t params_word_count(const char *s, size_t cap);

#endif
