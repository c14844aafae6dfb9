/*
 * http.h: the server's I/O layer, a small interface over libmicrohttpd.
 *
 * It owns sockets, threads and the HTTP protocol; it knows nothing about
 * search.  Each request is handed to one callback as a plain struct, and
 * the callback fills in a plain response, which this layer sends.  The
 * callback runs on one of the pool's threads and may block (it does the
 * search); it is called concurrently from several threads.
 *
 * Query-string arguments arrive percent-decoded ('+' as a space).  An
 * invalid escape ("%zz", a lone '%') is reported in bad_escape, so the
 * handler can answer 400 instead of guessing.
 */
#ifndef RECAP_SERVER_HTTP_H
#define RECAP_SERVER_HTTP_H

#include <stddef.h>

/* Arguments beyond this many make the request `too_many_args`. */
#define HTTP_MAX_ARGS 32
/* Response headers a handler may add. */
#define HTTP_MAX_HEADERS 12

typedef struct http_arg {
    const char *key;   /* NUL-terminated */
    const char *value; /* NULL for "?key" without '=' */
    size_t value_len;  /* bytes; the value may hold a NUL (from %00) */
} http_arg;

typedef struct http_request {
    const char *method;  /* "GET" */
    const char *path;    /* "/search", percent-decoded */
    const char *version; /* "HTTP/1.1" */
    http_arg args[HTTP_MAX_ARGS];
    size_t n_args;
    int too_many_args;  /* more than HTTP_MAX_ARGS arguments */
    int bad_escape;     /* an invalid percent-escape in the path or query */
    const char *origin; /* Origin header, or NULL */
    const char *if_none_match; /* If-None-Match header, or NULL */
    char peer[64]; /* client address as text, when http_options.peer_names */
} http_request;

typedef struct http_header {
    const char *name; /* a constant string */
    char *value;      /* malloc()ed, owned by the response */
} http_header;

typedef struct http_response {
    int status;               /* 200 unless set */
    const char *content_type; /* a constant string */
    const char *body;         /* body_len bytes */
    size_t body_len;
    int body_owned; /* body is malloc()ed and freed after sending */
    /* Or: body is released by calling this after sending (it may be
     * shared with other responses, e.g. from the answer cache). */
    void (*body_release)(void *cls);
    void *body_release_cls;
    int close; /* close the connection after this response */
    http_header headers[HTTP_MAX_HEADERS];
    size_t n_headers;
} http_response;

/* Adds a header to `resp` (dropped silently past HTTP_MAX_HEADERS or when
 * out of memory: headers here are never essential to correctness). */
void http_response_header(http_response *resp, const char *name,
                          const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Sets an owned body (takes `body`, which may be NULL: an empty body). */
void http_response_body(http_response *resp, int status,
                        const char *content_type, char *body, size_t len);

/* Sets a body that is not the response's own: release(cls) is called once
 * the response no longer needs it (also when it is replaced or cannot be
 * sent). */
void http_response_shared_body(http_response *resp, int status,
                               const char *content_type, const char *body,
                               size_t len, void (*release)(void *), void *cls);

typedef void (*http_handler_fn)(void *ctx, const http_request *req,
                                http_response *resp);

typedef struct http_options {
    const char *host; /* numeric IPv4 or IPv6 address */
    unsigned port;    /* 0: any free port (see http_server_port) */
    unsigned threads; /* worker threads, each handling many connections */
    unsigned timeout; /* seconds an idle connection is kept */
    int peer_names;   /* fill in http_request.peer (else "-") */
} http_options;

typedef struct http_server http_server;

/* Starts serving.  Returns 0 and *out, or -1 with a malloc()ed message in
 * *errmsg ("cannot listen on 127.0.0.1:8080: address in use"). */
int http_server_start(const http_options *opts, http_handler_fn fn, void *ctx,
                      http_server **out, char **errmsg);
/* The port actually listened on. */
unsigned http_server_port(const http_server *s);
/* Requests received and not yet answered completely. */
unsigned http_server_in_flight(const http_server *s);
/* Stops accepting connections; requests in flight go on. */
void http_server_quiesce(http_server *s);
/* Whether the server is shutting down (responses then close their
 * connections). */
int http_server_closing(const http_server *s);
/* Stops the threads, closes every connection and frees `s`. */
void http_server_stop(http_server *s);

#endif
