/*
 * params.c: query-string checks (params.h).
 */
#include "params.h"

#include <stdio.h>
#include <string.h>

#include "util.h"

int
params_utf8_valid(const char *str, size_t len)
{
    const unsigned char *s = (const unsigned char *)str;
    size_t i = 0, n, k;
    uint32_t cp, min;

    while (i < len) {
        unsigned char c = s[i];
        if (c < 0x80) {
            i++;
            continue;
        }
        if (c >= 0xc2 && c <= 0xdf)
            n = 1, cp = c & 0x1f, min = 0x80;
        else if (c >= 0xe0 && c <= 0xef)
            n = 2, cp = c & 0x0f, min = 0x800;
        else if (c >= 0xf0 && c <= 0xf4)
            n = 3, cp = c & 0x07, min = 0x10000;
        else
            return 0;
        if (len - i <= n)
            return 0;
        for (k = 1; k <= n; k++) {
            if ((s[i + k] & 0xc0) != 0x80)
                return 0;
            cp = (cp << 6) | (s[i + k] & 0x3f);
        }
        if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
            return 0;
        i += n + 1;
    }
    return 1;
}

/* A parameter name fit to quote in a message: printable ASCII, short. */
static void
quote_name(const char *name, char *out, size_t out_len)
{
    size_t i;

    for (i = 0; name[i] && i + 1 < out_len; i++)
        out[i] = name[i] > 0x20 && name[i] < 0x7f && name[i] != '"' &&
                         name[i] != '\\'
                     ? name[i]
                     : '?';
    out[i] = '\0';
}

int
params_collect(const http_request *req, const char *const *names,
               const char **values, size_t max_len, size_t max_q_len,
               const char **code, char *err)
{
    char quoted[40];
    size_t i, j, n_names;

    for (n_names = 0; names[n_names]; n_names++)
        values[n_names] = NULL;
    if (req->too_many_args) {
        *code = "bad_request";
        snprintf(err, PARAMS_ERR_LEN, "too many parameters (at most %d)",
                 HTTP_MAX_ARGS);
        return -1;
    }
    for (i = 0; i < req->n_args; i++) {
        const http_arg *a = &req->args[i];
        const char *v = a->value ? a->value : "";
        quote_name(a->key, quoted, sizeof(quoted));
        for (j = 0; j < n_names && strcmp(names[j], a->key) != 0; j++)
            ;
        if (j == n_names) {
            strbuf b = STRBUF_INIT;
            *code = "unknown_parameter";
            for (j = 0; j < n_names; j++)
                strbuf_printf(&b, "%s%s", j ? ", " : "", names[j]);
            snprintf(err, PARAMS_ERR_LEN,
                     "unknown parameter '%s'; this endpoint takes %s", quoted,
                     b.oom ? "fewer" : strbuf_cstr(&b));
            strbuf_free(&b);
            return -1;
        }
        *code = "bad_parameter";
        if (values[j]) {
            snprintf(err, PARAMS_ERR_LEN, "parameter '%s' is given twice",
                     quoted);
            return -1;
        }
        if (strlen(v) != a->value_len || !params_utf8_valid(v, a->value_len)) {
            snprintf(err, PARAMS_ERR_LEN,
                     "parameter '%s' is not valid UTF-8 text", quoted);
            return -1;
        }
        if (a->value_len > (strcmp(a->key, "q") == 0 ? max_q_len : max_len)) {
            snprintf(err, PARAMS_ERR_LEN,
                     "parameter '%s' is too long (at most %zu bytes)", quoted,
                     strcmp(a->key, "q") == 0 ? max_q_len : max_len);
            return -1;
        }
        values[j] = v;
    }
    return 0;
}

int
params_uint(const char *name, const char *s, uint32_t min, uint32_t max,
            uint32_t *out, char *err)
{
    uint64_t v = 0;
    size_t i;

    for (i = 0; s[i] >= '0' && s[i] <= '9' && v <= max; i++)
        v = v * 10 + (uint64_t)(s[i] - '0');
    if (i == 0 || s[i] || v < min || v > max) {
        snprintf(err, PARAMS_ERR_LEN, "%s must be a whole number from %u to %u",
                 name, min, max);
        return -1;
    }
    *out = (uint32_t)v;
    return 0;
}

static int
two_digits(const char *s, int lo, int hi)
{
    int v;

    if (s[0] < '0' || s[0] > '9' || s[1] < '0' || s[1] > '9')
        return 0;
    v = (s[0] - '0') * 10 + (s[1] - '0');
    return v >= lo && v <= hi;
}

int
params_date(const char *name, const char *s, char *err)
{
    size_t len = strlen(s), i;
    int ok = len == 4 || len == 7 || len == 10;

    for (i = 0; ok && i < 4; i++)
        ok = s[i] >= '0' && s[i] <= '9';
    if (ok && len >= 7)
        ok = s[4] == '-' && two_digits(s + 5, 1, 12);
    if (ok && len == 10)
        ok = s[7] == '-' && two_digits(s + 8, 1, 31);
    if (!ok)
        snprintf(err, PARAMS_ERR_LEN,
                 "%s must be a date as YYYY, YYYY-MM or YYYY-MM-DD", name);
    return ok ? 0 : -1;
}

int
params_lang(const char *s, char *err)
{
    size_t i, letters = 0;
    int ok = 1;

    if (strcmp(s, "*") == 0)
        return 0;
    for (i = 0; s[i] && ok; i++) {
        char c = s[i];
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))
            letters++;
        else if (c == '-' && i >= 2 && s[i + 1])
            ;
        else if (!(c >= '0' && c <= '9' && i > 2))
            ok = 0;
    }
    if (!ok || letters < 2 || i > 15) {
        snprintf(err, PARAMS_ERR_LEN,
                 "lang must be a language code such as en or zh, or *");
        return -1;
    }
    return 0;
}

/* Whether `word` (len bytes) is one of the comma-separated `choices`. */
static int
in_choices(const char *word, size_t len, const char *choices)
{
    const char *p = choices, *comma;

    for (;;) {
        comma = strchr(p, ',');
        size_t n = comma ? (size_t)(comma - p) : strlen(p);
        if (n == len && memcmp(p, word, len) == 0)
            return 1;
        if (!comma)
            return 0;
        p = comma + 1;
    }
}

int
params_choice(const char *name, const char *s, const char *choices, char *err)
{
    if (in_choices(s, strlen(s), choices))
        return 0;
    snprintf(err, PARAMS_ERR_LEN, "%s must be one of %s", name, choices);
    return -1;
}

int
params_facets(const char *s, char *err)
{
    static const char *const names[] = {"section", "year", "tag", "author",
                                        "lang"};
    const char *p = s, *comma;
    unsigned seen = 0;
    size_t n, i;

    for (;;) {
        comma = strchr(p, ',');
        n = comma ? (size_t)(comma - p) : strlen(p);
        for (i = 0;
             i < 5 && !(strlen(names[i]) == n && memcmp(names[i], p, n) == 0);
             i++)
            ;
        if (i == 5 || (seen & (1u << i)))
            break;
        seen |= 1u << i;
        if (!comma)
            return 0;
        p = comma + 1;
    }
    snprintf(err, PARAMS_ERR_LEN,
             "facets must be a comma-separated list of distinct names from "
             "section, year, tag, author, lang");
    return -1;
}

size_t
params_word_count(const char *s, size_t cap)
{
    size_t n = 0;
    int in_word = 0;

    for (; *s && n <= cap; s++) {
        int space = *s == ' ' || *s == '\t' || *s == '\n' || *s == '\r';
        if (!space && !in_word)
            n++;
        in_word = !space;
    }
    return n;
}
