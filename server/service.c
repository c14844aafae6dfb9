/*
 * service.c: request handling for recapsearch-server (service.h).
 *
 * Every answer is built here as a status, a content type, headers and a
 * body; http.c sends it.  JSON endpoints answer errors as
 *   {"error": {"code": "bad_parameter", "message": "..."}}
 * with a 4xx status (5xx when the index cannot be read).  Results are
 * recap_results_json() as is, so the server and `recapsearch --json` share
 * one schema.
 */
#define _POSIX_C_SOURCE 200809L
#include "service.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "assets.h"
#include "cache.h"
#include "metrics.h"
#include "params.h"
#include "util.h"

#define JSON_TYPE "application/json; charset=utf-8"
/* Results may be cached briefly; the ETag (the index revision) lets a
 * cache revalidate them cheaply after that. */
#define RESULTS_CACHE_CONTROL "public, max-age=30"
#define ASSET_CACHE_CONTROL "public, max-age=300"
/* How often a search is retried when the index changed under it. */
#define MODIFIED_RETRIES 3

typedef struct page {
    const char *path;         /* "/recapsearch.js" */
    const char *content_type; /* "text/javascript; charset=utf-8" */
    char *body;
    size_t len;
    char etag[32];
} page;

struct service {
    service_config cfg;
    indexes *ix;
    /* Set once the server listens, while threads may already answer
     * (/metrics reads it): atomic. */
    const http_server *_Atomic http;
    metrics *metrics;
    cache *cache; /* NULL: no caching */
    page pages[4];
    size_t n_pages;
};

/* One request being answered. */
typedef struct call {
    service *svc;
    const http_request *req;
    http_response *resp;
    metrics_endpoint ep;
} call;

/* ---- responses ---------------------------------------------------------- */

static void error_response(call *c, int status, const char *code,
                           const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void
error_response(call *c, int status, const char *code, const char *fmt, ...)
{
    char msg[512];
    json_t *obj;
    char *body;
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    obj = json_pack("{s:{s:s, s:s}}", "error", "code", code, "message",
                    params_utf8_valid(msg, strlen(msg)) ? msg
                                                        : "invalid request");
    body = obj ? json_dumps(obj, JSON_COMPACT) : NULL;
    json_decref(obj);
    http_response_body(c->resp, status, JSON_TYPE, body,
                       body ? strlen(body) : 0);
    http_response_header(c->resp, "Cache-Control", "no-store");
}

static void
json_response(call *c, char *body, const char *cache_control)
{
    if (!body) {
        error_response(c, 500, "internal", "out of memory");
        return;
    }
    http_response_body(c->resp, 200, JSON_TYPE, body, strlen(body));
    http_response_header(c->resp, "Cache-Control", "%s", cache_control);
}

/* Sets the revision's ETag; returns 1 (and a 304 answer) when the client
 * already has this revision. */
static int
not_modified(call *c, uint64_t revision, uint64_t doc_count)
{
    char etag[64];
    const char *inm = c->req->if_none_match;

    snprintf(etag, sizeof(etag), "W/\"r%llu-%llu\"",
             (unsigned long long)revision, (unsigned long long)doc_count);
    http_response_header(c->resp, "ETag", "%s", etag);
    if (inm && (strstr(inm, etag + 2) || strcmp(inm, "*") == 0)) {
        http_response_body(c->resp, 304, NULL, NULL, 0);
        http_response_header(c->resp, "Cache-Control", RESULTS_CACHE_CONTROL);
        return 1;
    }
    return 0;
}

/* Maps a library failure to an answer. */
static void
library_error(call *c, recap_status rc, const char *msg)
{
    switch (rc) {
    case RECAP_EQUERY:
        error_response(c, 400, "bad_query", "%s", msg);
        break;
    case RECAP_EINVAL:
        error_response(c, 400, "bad_parameter", "%s", msg);
        break;
    case RECAP_ENOTFOUND:
        error_response(c, 404, "not_found", "%s", msg);
        break;
    case RECAP_ENOMEM:
        error_response(c, 503, "overloaded", "out of memory");
        break;
    default:
        error_response(c, 503, "index_unavailable", "%s: %s",
                       recap_status_str(rc), msg);
    }
}

/* The cache key of a request: the endpoint, then each parameter given as
 * its index in `names` and its value.  Values are checked UTF-8 without
 * NUL, so the key is unambiguous. */
static char *
cache_key(const char *endpoint, const char *const *names, const char **values,
          size_t *len)
{
    strbuf b = STRBUF_INIT;
    size_t i;

    strbuf_puts(&b, endpoint);
    for (i = 0; names[i]; i++)
        if (values[i]) {
            strbuf_putc(&b, '\0');
            strbuf_putc(&b, (char)('a' + i));
            strbuf_puts(&b, values[i]);
        }
    return strbuf_detach(&b, len);
}

/* Computes the JSON body of an answer with one index handle: *out is
 * malloc()ed, set when RECAP_OK is returned. */
typedef recap_status (*answer_fn)(recap_index *idx, const void *opts,
                                  char **out);

/*
 * Answers a cacheable JSON request (/search, /suggest, /related): 304 when
 * the client already has this index revision, else the answer cached for
 * the same request at this revision, else fn's, which is then cached.  The
 * whole request reads one handle, so one revision; when the index changed
 * under a search (RECAP_EMODIFIED) it is reopened and the search run again.
 */
static void
answer(call *c, const char *endpoint, const char *const *names,
       const char **values, answer_fn fn, const void *opts)
{
    cache *cache = c->svc->cache;
    cache_body *body = NULL;
    index_lease lease;
    char *key = NULL, *json = NULL;
    size_t key_len = 0;
    recap_status rc;
    int tries = 0;

    if (cache)
        key = cache_key(endpoint, names, values, &key_len);
    indexes_acquire(c->svc->ix, &lease);
    if (not_modified(c, lease.revision, lease.doc_count))
        goto done;
    if (!key || !(body = cache_get(cache, key, key_len, lease.revision))) {
        while ((rc = fn(lease.idx, opts, &json)) == RECAP_EMODIFIED &&
               ++tries < MODIFIED_RETRIES)
            indexes_refresh(c->svc->ix, &lease);
        if (rc != RECAP_OK) {
            library_error(c, rc, recap_index_errmsg(lease.idx));
            goto done;
        }
        if (!(body = cache_body_new(json, strlen(json)))) {
            error_response(c, 503, "overloaded", "out of memory");
            goto done;
        }
        if (key)
            cache_put(cache, key, key_len, lease.revision, body);
    }
    http_response_shared_body(c->resp, 200, JSON_TYPE, body->data, body->len,
                              cache_body_release, body);
    http_response_header(c->resp, "Cache-Control", RESULTS_CACHE_CONTROL);
done:
    free(key);
    indexes_release(c->svc->ix, &lease);
}

/* ---- /search ------------------------------------------------------------ */

static const char *const search_params[] = {
    "q",    "lang",  "section", "tag",    "author",   "since", "until",
    "sort", "limit", "offset",  "facets", "snippets", NULL};
enum {
    SP_Q,
    SP_LANG,
    SP_SECTION,
    SP_TAG,
    SP_AUTHOR,
    SP_SINCE,
    SP_UNTIL,
    SP_SORT,
    SP_LIMIT,
    SP_OFFSET,
    SP_FACETS,
    SP_SNIPPETS,
    SP_COUNT
};

/* Checks the values of /search and fills `o`; -1 with err on a bad one. */
static int
search_options(const char **v, recap_search_options *o, char *err)
{
    o->query = v[SP_Q] ? v[SP_Q] : "";
    if (params_word_count(o->query, SERVICE_MAX_WORDS) > SERVICE_MAX_WORDS) {
        snprintf(err, PARAMS_ERR_LEN, "q has more than %d words",
                 SERVICE_MAX_WORDS);
        return -1;
    }
    if ((v[SP_LANG] && params_lang(v[SP_LANG], err)) ||
        (v[SP_SINCE] && params_date("since", v[SP_SINCE], err)) ||
        (v[SP_UNTIL] && params_date("until", v[SP_UNTIL], err)) ||
        (v[SP_SORT] &&
         params_choice("sort", v[SP_SORT], "relevance,date", err)) ||
        (v[SP_LIMIT] && params_uint("limit", v[SP_LIMIT], 1, SERVICE_MAX_LIMIT,
                                    &o->limit, err)) ||
        (v[SP_OFFSET] && params_uint("offset", v[SP_OFFSET], 0,
                                     SERVICE_MAX_OFFSET, &o->offset, err)) ||
        (v[SP_FACETS] && *v[SP_FACETS] && params_facets(v[SP_FACETS], err)) ||
        (v[SP_SNIPPETS] &&
         params_uint("snippets", v[SP_SNIPPETS], 0, 3, &o->max_snippets, err)))
        return -1;
    if (v[SP_SNIPPETS] && o->max_snippets == 0) /* titles only */
        o->flags |= RECAP_SEARCH_NO_SNIPPETS;
    o->lang = v[SP_LANG] && *v[SP_LANG] ? v[SP_LANG] : NULL;
    o->section = v[SP_SECTION] && *v[SP_SECTION] ? v[SP_SECTION] : NULL;
    o->tag = v[SP_TAG] && *v[SP_TAG] ? v[SP_TAG] : NULL;
    o->author = v[SP_AUTHOR] && *v[SP_AUTHOR] ? v[SP_AUTHOR] : NULL;
    o->since = v[SP_SINCE];
    o->until = v[SP_UNTIL];
    o->sort = v[SP_SORT] && strcmp(v[SP_SORT], "date") == 0
                  ? RECAP_SORT_DATE
                  : RECAP_SORT_RELEVANCE;
    o->facets = v[SP_FACETS] && *v[SP_FACETS] ? v[SP_FACETS] : NULL;
    return 0;
}

static int
collect(call *c, const char *const *names, const char **values)
{
    const char *code = "bad_parameter";
    char err[PARAMS_ERR_LEN];

    if (params_collect(c->req, names, values, SERVICE_MAX_VALUE_BYTES,
                       SERVICE_MAX_QUERY_BYTES, &code, err) == 0)
        return 0;
    error_response(c, 400, code, "%s", err);
    return -1;
}

static recap_status
search_answer(recap_index *idx, const void *opts, char **out)
{
    recap_results *res = NULL;
    recap_status rc = recap_search(idx, opts, &res);

    if (rc == RECAP_OK && !(*out = recap_results_json(res, 0)))
        rc = RECAP_ENOMEM;
    recap_results_free(res);
    return rc;
}

static void
handle_search(call *c)
{
    const char *v[SP_COUNT + 1];
    recap_search_options o = RECAP_SEARCH_OPTIONS_INIT;
    char err[PARAMS_ERR_LEN];

    if (collect(c, search_params, v))
        return;
    if (search_options(v, &o, err)) {
        error_response(c, 400, "bad_parameter", "%s", err);
        return;
    }
    answer(c, "search", search_params, v, search_answer, &o);
}

/* ---- /suggest ----------------------------------------------------------- */

static recap_status
suggest_answer(recap_index *idx, const void *opts, char **out)
{
    recap_suggestions *sg = NULL;
    recap_status rc = recap_suggest(idx, opts, &sg);

    if (rc == RECAP_OK && !(*out = recap_suggestions_json(sg)))
        rc = RECAP_ENOMEM;
    recap_suggestions_free(sg);
    return rc;
}

static void
handle_suggest(call *c)
{
    static const char *const names[] = {"q", "lang", "limit", NULL};
    const char *v[4];
    recap_suggest_options o = RECAP_SUGGEST_OPTIONS_INIT;
    char err[PARAMS_ERR_LEN];

    if (collect(c, names, v))
        return;
    o.query = v[0] ? v[0] : "";
    if ((v[1] && params_lang(v[1], err)) ||
        (v[2] && params_uint("limit", v[2], 1, 20, &o.max_words, err))) {
        error_response(c, 400, "bad_parameter", "%s", err);
        return;
    }
    o.lang = v[1] && *v[1] ? v[1] : NULL;
    answer(c, "suggest", names, v, suggest_answer, &o);
}

/* ---- /related ----------------------------------------------------------- */

static recap_status
related_answer(recap_index *idx, const void *opts, char **out)
{
    recap_results *res = NULL;
    recap_status rc = recap_related(idx, opts, &res);

    if (rc == RECAP_OK && !(*out = recap_results_json(res, 0)))
        rc = RECAP_ENOMEM;
    recap_results_free(res);
    return rc;
}

static void
handle_related(call *c)
{
    static const char *const names[] = {"url", "path", "lang", "limit", NULL};
    const char *v[5];
    recap_related_options o = RECAP_RELATED_OPTIONS_INIT;
    char err[PARAMS_ERR_LEN];

    if (collect(c, names, v))
        return;
    if ((v[0] && *v[0]) == (v[1] && *v[1])) {
        error_response(c, 400, "bad_parameter",
                       "give the page as url=/blog/x/ or as "
                       "path=en/blog/x/index.md (one of them)");
        return;
    }
    if ((v[2] && params_lang(v[2], err)) ||
        (v[3] &&
         params_uint("limit", v[3], 1, SERVICE_MAX_LIMIT, &o.limit, err))) {
        error_response(c, 400, "bad_parameter", "%s", err);
        return;
    }
    o.page = v[0] && *v[0] ? v[0] : v[1];
    o.lang = v[2] && *v[2] ? v[2] : NULL;
    answer(c, "related", names, v, related_answer, &o);
}

/* ---- /healthz and /metrics ---------------------------------------------- */

static void
handle_healthz(call *c)
{
    static const char *const names[] = {NULL};
    const char *v[1];
    index_lease lease;
    json_t *obj;
    char *body;

    if (collect(c, names, v))
        return;
    indexes_acquire(c->svc->ix, &lease);
    obj = json_pack("{s:s, s:I, s:I, s:I, s:s}", "status", "ok", "revision",
                    (json_int_t)lease.revision, "documents",
                    (json_int_t)lease.doc_count, "reloads",
                    (json_int_t)indexes_reloads(c->svc->ix), "version",
                    recap_version());
    indexes_release(c->svc->ix, &lease);
    body = obj ? json_dumps(obj, JSON_COMPACT) : NULL;
    json_decref(obj);
    json_response(c, body, "no-store");
}

/* Requests being answered, for /metrics (0 before the server listens). */
static unsigned
in_flight(service *svc)
{
    const http_server *http = atomic_load(&svc->http);

    return http ? http_server_in_flight(http) : 0;
}

static void
handle_metrics(call *c)
{
    static const char *const names[] = {NULL};
    const char *v[1];
    strbuf b = STRBUF_INIT;
    index_lease lease;
    uint64_t hits, misses;
    char *body;
    size_t len;

    if (collect(c, names, v))
        return;
    indexes_acquire(c->svc->ix, &lease);
    metrics_write(c->svc->metrics, &b, lease.revision, lease.doc_count,
                  indexes_reloads(c->svc->ix), in_flight(c->svc));
    indexes_release(c->svc->ix, &lease);
    cache_stats(c->svc->cache, &hits, &misses);
    strbuf_printf(&b,
                  "# HELP recapsearch_cache_hits_total Answers served from "
                  "the answer cache.\n"
                  "# TYPE recapsearch_cache_hits_total counter\n"
                  "recapsearch_cache_hits_total %llu\n"
                  "# HELP recapsearch_cache_misses_total Answers computed.\n"
                  "# TYPE recapsearch_cache_misses_total counter\n"
                  "recapsearch_cache_misses_total %llu\n",
                  (unsigned long long)hits, (unsigned long long)misses);
    if (!(body = strbuf_detach(&b, &len))) {
        error_response(c, 500, "internal", "out of memory");
        return;
    }
    http_response_body(c->resp, 200, "text/plain; version=0.0.4", body, len);
    http_response_header(c->resp, "Cache-Control", "no-store");
}

/* ---- static pages ------------------------------------------------------- */

static int
handle_page(call *c)
{
    const char *inm = c->req->if_none_match;
    size_t i;

    for (i = 0; i < c->svc->n_pages; i++) {
        const page *p = &c->svc->pages[i];
        if (strcmp(c->req->path, p->path) != 0)
            continue;
        c->ep = EP_STATIC;
        http_response_header(c->resp, "ETag", "%s", p->etag);
        http_response_header(c->resp, "Cache-Control", ASSET_CACHE_CONTROL);
        if (inm && strstr(inm, p->etag)) {
            c->resp->status = 304;
            return 1;
        }
        c->resp->status = 200;
        c->resp->content_type = p->content_type;
        c->resp->body = p->body;
        c->resp->body_len = p->len;
        c->resp->body_owned = 0;
        if (strcmp(p->path, "/") == 0)
            http_response_header(c->resp, "X-Content-Type-Options", "nosniff");
        return 1;
    }
    return 0;
}

/* ---- routing, CORS, logging --------------------------------------------- */

/* Adds the CORS headers when the request's Origin is allowed. */
static void
cors(call *c)
{
    const char *origin = c->req->origin;
    size_t i;

    if (!origin)
        return;
    for (i = 0; i < c->svc->cfg.n_cors; i++) {
        const char *allowed = c->svc->cfg.cors_origins[i];
        if (strcmp(allowed, "*") == 0) {
            http_response_header(c->resp, "Access-Control-Allow-Origin", "*");
            return;
        }
        if (strcmp(allowed, origin) == 0) {
            http_response_header(c->resp, "Access-Control-Allow-Origin", "%s",
                                 origin);
            http_response_header(c->resp, "Vary", "Origin");
            return;
        }
    }
}

/* Appends `s` percent-encoded for a log line. */
static void
log_encode(strbuf *b, const char *s, size_t len)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t i;

    for (i = 0; i < len; i++) {
        unsigned char ch = (unsigned char)s[i];
        if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
            (ch >= '0' && ch <= '9') || (ch && strchr("-_.~/*:,", ch)))
            strbuf_putc(b, (char)ch);
        else if (ch == ' ')
            strbuf_putc(b, '+');
        else {
            strbuf_putc(b, '%');
            strbuf_putc(b, hex[ch >> 4]);
            strbuf_putc(b, hex[ch & 15]);
        }
    }
}

/* One line in the Common Log Format, plus the time taken in ms. */
static void
access_log(call *c, double seconds)
{
    const http_request *req = c->req;
    strbuf b = STRBUF_INIT;
    char when[64];
    time_t now = time(NULL);
    struct tm tm;
    size_t i;

    gmtime_r(&now, &tm);
    strftime(when, sizeof(when), "%d/%b/%Y:%H:%M:%S +0000", &tm);
    strbuf_printf(&b, "%s - - [%s] \"", req->peer, when);
    log_encode(&b, req->method, strlen(req->method));
    strbuf_putc(&b, ' ');
    log_encode(&b, req->path, strlen(req->path));
    for (i = 0; i < req->n_args; i++) {
        strbuf_putc(&b, i ? '&' : '?');
        log_encode(&b, req->args[i].key, strlen(req->args[i].key));
        if (req->args[i].value) {
            strbuf_putc(&b, '=');
            log_encode(&b, req->args[i].value, req->args[i].value_len);
        }
    }
    strbuf_printf(&b, " %s\" %d %zu %.3f\n", req->version, c->resp->status,
                  c->resp->body_len, seconds * 1000.0);
    if (!b.oom && write(c->svc->cfg.access_log_fd, b.data, b.len) < 0) {
        /* A full disk must not stop the service; the line is lost. */
    }
    strbuf_free(&b);
}

static const struct {
    const char *path;
    metrics_endpoint ep;
    void (*fn)(call *c);
} routes[] = {
    {"/search", EP_SEARCH, handle_search},
    {"/suggest", EP_SUGGEST, handle_suggest},
    {"/related", EP_RELATED, handle_related},
    {"/healthz", EP_HEALTHZ, handle_healthz},
    {"/metrics", EP_METRICS, handle_metrics},
};

static void
route(call *c)
{
    const http_request *req = c->req;
    int get =
        strcmp(req->method, "GET") == 0 || strcmp(req->method, "HEAD") == 0;
    size_t i;

    if (req->bad_escape) {
        error_response(c, 400, "bad_request",
                       "the URL has an invalid percent-escape (write %% as "
                       "%%25)");
        return;
    }
    if (strcmp(req->method, "OPTIONS") == 0) {
        http_response_body(c->resp, 204, NULL, NULL, 0);
        http_response_header(c->resp, "Allow", "GET, HEAD, OPTIONS");
        http_response_header(c->resp, "Access-Control-Allow-Methods",
                             "GET, HEAD, OPTIONS");
        http_response_header(c->resp, "Access-Control-Max-Age", "86400");
        return;
    }
    if (!get) {
        error_response(c, 405, "method_not_allowed",
                       "only GET and HEAD are supported");
        http_response_header(c->resp, "Allow", "GET, HEAD, OPTIONS");
        return;
    }
    for (i = 0; i < UTIL_ARRAY_LEN(routes); i++)
        if (strcmp(req->path, routes[i].path) == 0) {
            c->ep = routes[i].ep;
            routes[i].fn(c);
            return;
        }
    if (!handle_page(c))
        error_response(c, 404, "not_found",
                       "no such endpoint; try /search?q=WORDS, /suggest, "
                       "/related, /healthz or /metrics");
}

void
service_handle(void *ctx, const http_request *req, http_response *resp)
{
    call c = {ctx, req, resp, EP_OTHER};
    double t0 = util_now(), dt;

    route(&c);
    cors(&c);
    dt = util_now() - t0;
    metrics_observe(c.svc->metrics, c.ep, resp->status, dt);
    if (c.svc->cfg.access_log_fd >= 0)
        access_log(&c, dt);
}

/* ---- set-up ------------------------------------------------------------- */

static const asset *
find_asset(const char *name)
{
    size_t i;

    for (i = 0; i < server_n_assets; i++)
        if (strcmp(server_assets[i].name, name) == 0)
            return &server_assets[i];
    return NULL;
}

/* Escapes `s` for an HTML attribute value. */
static void
html_attr(strbuf *b, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '&':
            strbuf_puts(b, "&amp;");
            break;
        case '"':
            strbuf_puts(b, "&quot;");
            break;
        case '<':
            strbuf_puts(b, "&lt;");
            break;
        case '>':
            strbuf_puts(b, "&gt;");
            break;
        default:
            strbuf_putc(b, *s);
        }
    }
}

/* Adds a page from an asset; in index.html the base URL replaces
 * RECAP_BASE_URL. */
static int
add_page(service *svc, const char *path, const char *name, const char *type)
{
    const asset *a = find_asset(name);
    page *p = &svc->pages[svc->n_pages];
    strbuf b = STRBUF_INIT;
    const char *mark = "RECAP_BASE_URL";
    const char *at;
    uint32_t h = 2166136261u;
    size_t i;

    if (!a)
        return -1;
    strbuf_append(&b, (const char *)a->data, a->len);
    if (strcmp(name, "index.html") == 0 &&
        (at = strstr(strbuf_cstr(&b), mark))) {
        strbuf out = STRBUF_INIT;
        size_t off = (size_t)(at - b.data);
        strbuf_append(&out, b.data, off);
        html_attr(&out, svc->cfg.base_url ? svc->cfg.base_url : "");
        strbuf_puts(&out, b.data + off + strlen(mark));
        strbuf_free(&b);
        b = out;
    }
    if (b.oom)
        return -1;
    for (i = 0; i < b.len; i++)
        h = (h ^ (unsigned char)b.data[i]) * 16777619u;
    p->path = path;
    p->content_type = type;
    p->body = strbuf_detach(&b, &p->len);
    snprintf(p->etag, sizeof(p->etag), "\"a%08x\"", h);
    svc->n_pages++;
    return 0;
}

int
service_new(const service_config *cfg, indexes *ix, service **out,
            char **errmsg)
{
    service *svc = calloc(1, sizeof(*svc));

    *out = NULL;
    *errmsg = NULL;
    if (svc) {
        svc->cfg = *cfg;
        svc->ix = ix;
        svc->cache = cache_new(cfg->cache_entries, cfg->cache_bytes);
    }
    if (!svc || !(svc->metrics = metrics_new()) ||
        add_page(svc, "/", "index.html", "text/html; charset=utf-8") ||
        add_page(svc, "/index.html", "index.html",
                 "text/html; charset=utf-8") ||
        add_page(svc, "/recapsearch.js", "recapsearch.js",
                 "text/javascript; charset=utf-8")) {
        service_free(svc);
        *errmsg = util_strdup("cannot set up the web pages (out of memory "
                              "or an asset is missing from the build)");
        return -1;
    }
    *out = svc;
    return 0;
}

void
service_set_http(service *svc, const http_server *http)
{
    atomic_store(&svc->http, http);
}

void
service_free(service *svc)
{
    size_t i;

    if (!svc)
        return;
    for (i = 0; i < svc->n_pages; i++)
        free(svc->pages[i].body);
    metrics_free(svc->metrics);
    cache_free(svc->cache);
    free(svc);
}
