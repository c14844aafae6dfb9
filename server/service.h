/*
 * service.h: request handling for recapsearch-server, independent of the
 * I/O layer: routing, parameter checks, the endpoints, CORS, caching
 * headers, metrics and the access log.
 */
#ifndef RECAP_SERVER_SERVICE_H
#define RECAP_SERVER_SERVICE_H

#include <stddef.h>

#include "http.h"
#include "indexes.h"

/* Limits on what a request may ask for. */
#define SERVICE_MAX_QUERY_BYTES 512 /* q, in bytes */
#define SERVICE_MAX_WORDS 32        /* words in q */
#define SERVICE_MAX_VALUE_BYTES 200 /* any other parameter */
#define SERVICE_MAX_LIMIT 50
#define SERVICE_MAX_OFFSET 1000

typedef struct service_config {
    const char *const *cors_origins; /* "*" allows every origin */
    size_t n_cors;
    const char *base_url; /* prefix of result links on the search page */
    int access_log_fd;    /* -1: no access log */
    size_t cache_entries; /* answers kept for repeated requests (0: none) */
    size_t cache_bytes;   /* and the most bytes they may take */
} service_config;

typedef struct service service;

/* Returns 0 and *out, or -1 with a malloc()ed message in *errmsg.  The
 * service borrows `ix` and the strings of `cfg`. */
int service_new(const service_config *cfg, indexes *ix, service **out,
                char **errmsg);
/* Lets the service report requests in flight (set once started). */
void service_set_http(service *svc, const http_server *http);
void service_free(service *svc);

/* The http_handler_fn: `ctx` is the service. */
void service_handle(void *ctx, const http_request *req, http_response *resp);

#endif
