/*
 * http.c: the I/O layer of http.h over libmicrohttpd.
 *
 * libmicrohttpd runs a pool of threads, each with its own epoll loop over
 * its share of the connections (MHD_USE_INTERNAL_POLLING_THREAD with
 * MHD_OPTION_THREAD_POOL_SIZE and MHD_USE_EPOLL).  We open the listening
 * socket ourselves so that a failure to bind says why, and so port 0 can
 * be resolved to the port the kernel picked.
 */
#define _POSIX_C_SOURCE 200809L
#include "http.h"

#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "util.h"

struct http_server {
    struct MHD_Daemon *daemon;
    int listen_fd;
    unsigned port;
    http_handler_fn fn;
    void *ctx;
    int peer_names; /* fill in http_request.peer */
    atomic_uint in_flight;
    atomic_int closing;
};

/* Per connection, kept by libmicrohttpd as the socket context: whether the
 * request line now being parsed had an invalid percent-escape. */
typedef struct conn_state {
    int bad_escape;
} conn_state;

/* The request context libmicrohttpd keeps for us is one of these marks:
 * CTX_COUNTED once the request is counted in in_flight, CTX_TOO_MANY when
 * check_uri cut its query string. */
enum { CTX_TOO_MANY = 1, CTX_COUNTED = 2 };
static char ctx_marks[4];

static void *
ctx_make(unsigned bits)
{
    return bits ? &ctx_marks[bits] : NULL;
}

static unsigned
ctx_bits(const void *ctx)
{
    return ctx ? (unsigned)((const char *)ctx - ctx_marks) : 0;
}

void
http_response_header(http_response *resp, const char *name, const char *fmt,
                     ...)
{
    va_list ap;
    strbuf b = STRBUF_INIT;

    if (resp->n_headers == HTTP_MAX_HEADERS)
        return;
    va_start(ap, fmt);
    strbuf_vprintf(&b, fmt, ap);
    va_end(ap);
    if (b.oom || !strbuf_cstr(&b)) {
        strbuf_free(&b);
        return;
    }
    resp->headers[resp->n_headers].name = name;
    resp->headers[resp->n_headers].value = strbuf_detach(&b, NULL);
    resp->n_headers++;
}

void
http_response_body(http_response *resp, int status, const char *content_type,
                   char *body, size_t len)
{
    if (resp->body_release)
        resp->body_release(resp->body_release_cls);
    else if (resp->body_owned)
        free((char *)resp->body);
    resp->body_release = NULL;
    resp->body_release_cls = NULL;
    resp->status = status;
    resp->content_type = content_type;
    resp->body = body;
    resp->body_len = body ? len : 0;
    resp->body_owned = 1;
}

void
http_response_shared_body(http_response *resp, int status,
                          const char *content_type, const char *body,
                          size_t len, void (*release)(void *), void *cls)
{
    http_response_body(resp, status, content_type, NULL, 0);
    resp->body = body;
    resp->body_len = len;
    resp->body_owned = 0;
    resp->body_release = release;
    resp->body_release_cls = cls;
}

static int
hex_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Percent-decodes `s` in place; returns the new length.  An invalid escape
 * is kept as written and flagged on the connection. */
static size_t
unescape(void *cls, struct MHD_Connection *conn, char *s)
{
    const union MHD_ConnectionInfo *ci;
    char *in = s, *out = s;
    int bad = 0, hi, lo;

    (void)cls;
    while (*in) {
        if (*in != '%') {
            *out++ = *in++;
        } else if ((hi = hex_value(in[1])) >= 0 &&
                   (lo = hex_value(in[2])) >= 0) {
            *out++ = (char)(hi * 16 + lo);
            in += 3;
        } else {
            bad = 1;
            *out++ = *in++;
        }
    }
    *out = '\0';
    if (bad) {
        ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
        if (ci && ci->socket_context)
            ((conn_state *)ci->socket_context)->bad_escape = 1;
    }
    return (size_t)(out - s);
}

static void
notify_connection(void *cls, struct MHD_Connection *conn, void **socket_ctx,
                  enum MHD_ConnectionNotificationCode code)
{
    (void)cls;
    (void)conn;
    if (code == MHD_CONNECTION_NOTIFY_STARTED)
        *socket_ctx = calloc(1, sizeof(conn_state));
    else if (code == MHD_CONNECTION_NOTIFY_CLOSED) {
        free(*socket_ctx);
        *socket_ctx = NULL;
    }
}

static void
notify_completed(void *cls, struct MHD_Connection *conn, void **req_ctx,
                 enum MHD_RequestTerminationCode toe)
{
    http_server *s = cls;

    (void)conn;
    (void)toe;
    if (ctx_bits(*req_ctx) & CTX_COUNTED)
        atomic_fetch_sub(&s->in_flight, 1);
    *req_ctx = NULL;
}

/*
 * Called with the request target before libmicrohttpd parses its query
 * string.  libmicrohttpd (0.9.x) parses every argument into the
 * connection's fixed memory pool right after this call, and when the pool
 * runs out (about 480 arguments in 32 KB) it closes the connection without
 * an answer.  Past HTTP_MAX_ARGS arguments the answer is a 400 anyway, so
 * the query string is cut after HTTP_MAX_ARGS of them, here, and the
 * request is flagged: `uri` points into libmicrohttpd's own copy of the
 * request line (writable; it NUL-terminates parts of it itself), and
 * parsing stops at the first NUL.
 */
static void *
check_uri(void *cls, const char *uri, struct MHD_Connection *conn)
{
    char *p = uri ? strchr(uri, '?') : NULL;
    unsigned n = 0;

    (void)cls;
    (void)conn;
    while (p && (p = strchr(p + 1, '&')))
        if (++n == HTTP_MAX_ARGS) {
            *p = '\0';
            return ctx_make(CTX_TOO_MANY);
        }
    return NULL;
}

static enum MHD_Result
collect_arg(void *cls, enum MHD_ValueKind kind, const char *key, size_t key_len,
            const char *value, size_t value_len)
{
    http_request *req = cls;

    (void)kind;
    (void)key_len;
    if (req->n_args == HTTP_MAX_ARGS) {
        req->too_many_args = 1;
        return MHD_NO;
    }
    req->args[req->n_args].key = key;
    req->args[req->n_args].value = value;
    req->args[req->n_args].value_len = value ? value_len : 0;
    req->n_args++;
    return MHD_YES;
}

static void
peer_name(struct MHD_Connection *conn, char *out, size_t out_len)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    const struct sockaddr *sa = ci ? ci->client_addr : NULL;

    snprintf(out, out_len, "-");
    if (sa && sa->sa_family == AF_INET)
        inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, out,
                  (socklen_t)out_len);
    else if (sa && sa->sa_family == AF_INET6)
        inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr, out,
                  (socklen_t)out_len);
}

static enum MHD_Result
send_response(http_server *s, struct MHD_Connection *conn, http_response *r)
{
    struct MHD_Response *mr;
    enum MHD_Result ret = MHD_NO;
    size_t i;

    if (r->body_release)
        mr = MHD_create_response_from_buffer_with_free_callback_cls(
            r->body_len, (void *)r->body, r->body_release, r->body_release_cls);
    else if (r->body_owned)
        mr = MHD_create_response_from_buffer(r->body_len, (void *)r->body,
                                             MHD_RESPMEM_MUST_FREE);
    else
        mr = MHD_create_response_from_buffer(r->body_len, (void *)r->body,
                                             MHD_RESPMEM_PERSISTENT);
    if (!mr) {
        http_response_body(r, 500, NULL, NULL, 0); /* releases the body */
        goto done;
    }
    if (r->content_type)
        MHD_add_response_header(mr, MHD_HTTP_HEADER_CONTENT_TYPE,
                                r->content_type);
    for (i = 0; i < r->n_headers; i++)
        MHD_add_response_header(mr, r->headers[i].name, r->headers[i].value);
    if (r->close || atomic_load(&s->closing))
        MHD_add_response_header(mr, MHD_HTTP_HEADER_CONNECTION, "close");
    ret = MHD_queue_response(conn, (unsigned)r->status, mr);
    MHD_destroy_response(mr);
done:
    for (i = 0; i < r->n_headers; i++)
        free(r->headers[i].value);
    return ret;
}

static enum MHD_Result
on_request(void *cls, struct MHD_Connection *conn, const char *url,
           const char *method, const char *version, const char *upload_data,
           size_t *upload_data_size, void **req_ctx)
{
    http_server *s = cls;
    const union MHD_ConnectionInfo *ci;
    http_request req;
    http_response resp;
    unsigned bits = ctx_bits(*req_ctx);

    (void)upload_data;
    if (!(bits & CTX_COUNTED)) {
        /* The headers are in.  libmicrohttpd keeps the connection alive
         * only for an answer queued on a later call, once the request is
         * complete; a method with a body is answered now (and closed). */
        *req_ctx = ctx_make(bits | CTX_COUNTED);
        atomic_fetch_add(&s->in_flight, 1);
        if (strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0 ||
            strcmp(method, "OPTIONS") == 0)
            return MHD_YES;
    } else if (*upload_data_size) {
        *upload_data_size = 0; /* a body we do not read */
        return MHD_YES;
    }

    req.method = method;
    req.path = url;
    req.version = version;
    req.n_args = 0;
    req.too_many_args = (bits & CTX_TOO_MANY) != 0;
    req.bad_escape = 0;
    MHD_get_connection_values_n(conn, MHD_GET_ARGUMENT_KIND, collect_arg, &req);
    req.origin = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Origin");
    req.if_none_match = MHD_lookup_connection_value(
        conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_IF_NONE_MATCH);
    ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    if (ci && ci->socket_context) {
        conn_state *cs = ci->socket_context;
        req.bad_escape = cs->bad_escape;
        cs->bad_escape = 0; /* the next request on this connection */
    }
    if (s->peer_names)
        peer_name(conn, req.peer, sizeof(req.peer));
    else
        memcpy(req.peer, "-", 2);

    memset(&resp, 0, sizeof(resp));
    resp.status = 200;
    s->fn(s->ctx, &req, &resp);
    if (*upload_data_size)
        resp.close = 1; /* a request body we did not read */
    return send_response(s, conn, &resp);
}

/* Opens the listening socket; returns the fd or -1 with *errmsg. */
static int
listen_on(const char *host, unsigned port, unsigned *port_out, char **errmsg)
{
    struct sockaddr_storage ss;
    socklen_t ss_len;
    int fd = -1, one = 1;

    memset(&ss, 0, sizeof(ss));
    if (inet_pton(AF_INET, host, &((struct sockaddr_in *)&ss)->sin_addr) == 1) {
        ((struct sockaddr_in *)&ss)->sin_family = AF_INET;
        ((struct sockaddr_in *)&ss)->sin_port = htons((uint16_t)port);
        ss_len = sizeof(struct sockaddr_in);
    } else if (inet_pton(AF_INET6, host,
                         &((struct sockaddr_in6 *)&ss)->sin6_addr) == 1) {
        ((struct sockaddr_in6 *)&ss)->sin6_family = AF_INET6;
        ((struct sockaddr_in6 *)&ss)->sin6_port = htons((uint16_t)port);
        ss_len = sizeof(struct sockaddr_in6);
    } else {
        *errmsg = util_asprintf("--listen: '%s' is not a numeric IPv4 or "
                                "IPv6 address",
                                host);
        return -1;
    }
    fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0 ||
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
        bind(fd, (struct sockaddr *)&ss, ss_len) < 0 || listen(fd, 1024) < 0 ||
        getsockname(fd, (struct sockaddr *)&ss, &ss_len) < 0) {
        *errmsg = util_asprintf("cannot listen on %s port %u: %s", host, port,
                                strerror(errno));
        if (fd >= 0)
            close(fd);
        return -1;
    }
    *port_out = ntohs(ss.ss_family == AF_INET
                          ? ((struct sockaddr_in *)&ss)->sin_port
                          : ((struct sockaddr_in6 *)&ss)->sin6_port);
    return fd;
}

int
http_server_start(const http_options *opts, http_handler_fn fn, void *ctx,
                  http_server **out, char **errmsg)
{
    http_server *s;
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL |
                     MHD_USE_ITC | MHD_USE_TURBO;

    *out = NULL;
    *errmsg = NULL;
    if (!(s = calloc(1, sizeof(*s)))) {
        *errmsg = util_strdup("out of memory");
        return -1;
    }
    s->fn = fn;
    s->ctx = ctx;
    s->peer_names = opts->peer_names;
    atomic_init(&s->in_flight, 0);
    atomic_init(&s->closing, 0);
    s->listen_fd = listen_on(opts->host, opts->port, &s->port, errmsg);
    if (s->listen_fd < 0) {
        free(s);
        return -1;
    }
    if (strchr(opts->host, ':'))
        flags |= MHD_USE_IPv6;
    s->daemon = MHD_start_daemon(
        flags, 0, NULL, NULL, on_request, s, MHD_OPTION_LISTEN_SOCKET,
        s->listen_fd, MHD_OPTION_THREAD_POOL_SIZE,
        (unsigned)(opts->threads ? opts->threads : 1),
        MHD_OPTION_CONNECTION_TIMEOUT,
        (unsigned)(opts->timeout ? opts->timeout : 30),
        MHD_OPTION_CONNECTION_LIMIT, (unsigned)4096,
        MHD_OPTION_NOTIFY_COMPLETED, notify_completed, s,
        MHD_OPTION_NOTIFY_CONNECTION, notify_connection, s,
        MHD_OPTION_UNESCAPE_CALLBACK, unescape, s, MHD_OPTION_URI_LOG_CALLBACK,
        check_uri, s, MHD_OPTION_END);
    if (!s->daemon) {
        *errmsg = util_asprintf("cannot start the HTTP server on %s port %u",
                                opts->host, s->port);
        close(s->listen_fd);
        free(s);
        return -1;
    }
    *out = s;
    return 0;
}

unsigned
http_server_port(const http_server *s)
{
    return s->port;
}

unsigned
http_server_in_flight(const http_server *s)
{
    return atomic_load(&((http_server *)s)->in_flight);
}

void
http_server_quiesce(http_server *s)
{
    atomic_store(&s->closing, 1);
    MHD_quiesce_daemon(s->daemon);
}

int
http_server_closing(const http_server *s)
{
    return atomic_load(&((http_server *)s)->closing);
}

void
http_server_stop(http_server *s)
{
    if (!s)
        return;
    MHD_stop_daemon(s->daemon);
    close(s->listen_fd);
    free(s);
}
