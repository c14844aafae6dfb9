/*
 * fuzz_params.c: libFuzzer target for the server's request parsing: the
 * query-string checks of server/params.c.  The input is read as a query
 * string ("q=a+b&limit=5&..."): split on '&' and '=' into at most
 * HTTP_MAX_ARGS arguments, as the I/O layer hands them over (raw bytes,
 * NULs included), then matched against the /search parameters and every
 * value run through the checks the handler uses.  What must hold: no
 * crash, no read past a value, an error always comes with a message, and
 * an accepted value is valid UTF-8 within its length limit.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "params.h"

#define FUZZ_CHECK(cond)                                                       \
    do {                                                                       \
        if (!(cond))                                                           \
            abort();                                                           \
    } while (0)

static const char *const names[] = {"q",      "lang",   "section", "tag",
                                    "author", "since",  "until",   "sort",
                                    "limit",  "offset", "facets",  NULL};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    http_request req;
    const char *values[sizeof(names) / sizeof(names[0])];
    const char *code = NULL;
    char err[PARAMS_ERR_LEN];
    char *buf = malloc(size + 1), *p, *end, *amp, *eq;
    uint32_t u;
    size_t i;

    if (!buf)
        return 0;
    memcpy(buf, data, size);
    buf[size] = '\0';
    memset(&req, 0, sizeof(req));
    req.method = "GET";
    req.path = "/search";
    req.version = "HTTP/1.1";
    for (p = buf, end = buf + size; p < end; p = amp + 1) {
        amp = memchr(p, '&', (size_t)(end - p));
        if (!amp)
            amp = end;
        *amp = '\0';
        if (req.n_args == HTTP_MAX_ARGS) {
            req.too_many_args = 1;
            break;
        }
        eq = memchr(p, '=', (size_t)(amp - p));
        if (eq)
            *eq = '\0';
        req.args[req.n_args].key = p;
        req.args[req.n_args].value = eq ? eq + 1 : NULL;
        req.args[req.n_args].value_len = eq ? (size_t)(amp - eq - 1) : 0;
        req.n_args++;
    }
    FUZZ_CHECK(params_utf8_valid((const char *)data, size) == 0 ||
               params_utf8_valid((const char *)data, size) == 1);
    err[0] = '\0';
    if (params_collect(&req, names, values, 200, 512, &code, err) != 0) {
        FUZZ_CHECK(code && err[0]);
        goto done;
    }
    for (i = 0; names[i]; i++) {
        const char *v = values[i];

        if (!v)
            continue;
        FUZZ_CHECK(strlen(v) <= (i == 0 ? 512 : 200));
        FUZZ_CHECK(params_utf8_valid(v, strlen(v)));
        err[0] = '\0';
        if (params_uint(names[i], v, 1, 50, &u, err) == 0)
            FUZZ_CHECK(u >= 1 && u <= 50);
        params_date(names[i], v, err);
        params_lang(v, err);
        params_choice(names[i], v, "relevance,date", err);
        params_facets(v, err);
        FUZZ_CHECK(params_word_count(v, 32) <= 33);
    }
done:
    free(buf);
    return 0;
}
