/*
 * recapsearch-server: an HTTP JSON service and a search page over an index
 * built by recapsearch-index.
 *
 * main() parses options, opens one index handle per worker thread, starts
 * the I/O layer (http.c) with the request handler (service.c) and then
 * waits for signals: SIGHUP reopens the index, SIGTERM and SIGINT stop
 * accepting connections, let the requests in flight finish and exit.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "http.h"
#include "indexes.h"
#include "recapsearch.h"
#include "service.h"

#define MAX_CORS 16
/* Seconds SIGTERM waits for requests in flight. */
#define DRAIN_SECONDS 10

static const char *prog = "recapsearch-server";

static void
usage(FILE *f)
{
    fprintf(
        f,
        "Usage: recapsearch-server [OPTION]...\n"
        "Serve an index built by recapsearch-index over HTTP: a JSON API for "
        "a\n"
        "website's search box and a ready-made search page.\n"
        "\n"
        "Options:\n"
        "      --db DIR            index directory (default: $RECAPSEARCH_DB, "
        "else\n"
        "                          ./.recapsearch); only read, never written\n"
        "      --listen ADDR:PORT  address to listen on (default "
        "127.0.0.1:8080;\n"
        "                          [::1]:8080 for IPv6; port 0 picks a free "
        "one)\n"
        "      --threads N         worker threads (default: number of CPUs)\n"
        "      --cors-origin URL   allow browser requests from this origin\n"
        "                          (repeatable; '*' allows any)\n"
        "      --base-url URL      prefix of result links on the search page\n"
        "                          (e.g. https://example.com)\n"
        "      --access-log FILE   append one line per request ('-': stdout)\n"
        "      --time-limit MS     time budget of one search (default 100); "
        "past it\n"
        "                          results are returned flagged \"partial\"\n"
        "      --cache N           keep the answers to the N most recent "
        "distinct\n"
        "                          requests (default 10000, at most 64 MB; 0: "
        "off);\n"
        "                          a new index revision makes them stale\n"
        "      --page-cache MB     parsed pages of recent hits each thread "
        "keeps\n"
        "                          for their snippets (default 32; 0: off)\n"
        "  -h, --help              show this help and exit\n"
        "  -V, --version           show the version and exit\n"
        "\n"
        "Endpoints: GET /search?q=..., /suggest?q=..., /related?url=..., "
        "/healthz,\n"
        "/metrics, / (search page) and /recapsearch.js.  See README.md.\n"
        "\n"
        "Signals: SIGHUP reopens the index now (it is also picked up by "
        "itself\n"
        "within a second of a commit); SIGTERM and SIGINT finish the requests "
        "in\n"
        "flight and exit.\n");
}

/* Splits "ADDR:PORT" or "[V6ADDR]:PORT". */
static int
parse_listen(const char *arg, char *host, size_t host_len, unsigned *port)
{
    const char *colon = strrchr(arg, ':');
    const char *h = arg;
    size_t n;
    uint32_t p;

    if (!colon)
        return -1;
    n = (size_t)(colon - arg);
    if (arg[0] == '[') {
        if (n < 2 || arg[n - 1] != ']')
            return -1;
        h = arg + 1;
        n -= 2;
    }
    if (n == 0 || n >= host_len ||
        cli_parse_uint(prog, "--listen port", colon + 1, 65535, &p))
        return -1;
    memcpy(host, h, n);
    host[n] = '\0';
    *port = p;
    return 0;
}

static int
open_log(const char *path)
{
    int fd;

    if (strcmp(path, "-") == 0)
        return STDOUT_FILENO;
    fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (fd < 0)
        fprintf(stderr, "%s: --access-log: cannot open %s: %s\n", prog, path,
                strerror(errno));
    return fd;
}

/* Waits for signals until SIGTERM or SIGINT; SIGHUP reopens the index. */
static void
wait_for_stop(const sigset_t *set, indexes *ix)
{
    int sig;

    for (;;) {
        if (sigwait(set, &sig) != 0)
            continue;
        if (sig == SIGHUP) {
            indexes_reload(ix);
            fprintf(stderr, "%s: SIGHUP: reopening the index\n", prog);
            continue;
        }
        fprintf(stderr, "%s: %s: finishing requests in flight\n", prog,
                sig == SIGTERM ? "SIGTERM" : "SIGINT");
        return;
    }
}

/* After quiescing: waits until no request is in flight, or gives up. */
static void
drain(http_server *http)
{
    struct timespec ts = {0, 10 * 1000 * 1000};
    int i;

    for (i = 0; i < DRAIN_SECONDS * 100 && http_server_in_flight(http); i++)
        nanosleep(&ts, NULL);
}

int
main(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"db", required_argument, NULL, 'd'},
        {"listen", required_argument, NULL, 'l'},
        {"threads", required_argument, NULL, 't'},
        {"cors-origin", required_argument, NULL, 'c'},
        {"base-url", required_argument, NULL, 'b'},
        {"access-log", required_argument, NULL, 'a'},
        {"time-limit", required_argument, NULL, 'T'},
        {"cache", required_argument, NULL, 'C'},
        {"page-cache", required_argument, NULL, 'P'},
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},
        {NULL, 0, NULL, 0}};
    const char *cors[MAX_CORS];
    const char *db_opt = NULL, *listen_arg = "127.0.0.1:8080";
    const char *log_path = NULL;
    service_config cfg = {cors, 0, NULL, -1, 10000, 64 << 20};
    http_options hopts = {NULL, 8080, 0, 30, 0};
    char host[128], *errmsg = NULL;
    uint32_t threads = 0, time_limit_ms = 100, cache_entries = 10000,
             page_cache_mb = 32;
    indexes *ix = NULL;
    service *svc = NULL;
    http_server *http = NULL;
    sigset_t set;
    long ncpu;
    int c, status = CLI_EXIT_ERROR;

    while ((c = getopt_long(argc, argv, "hV", longopts, NULL)) != -1) {
        switch (c) {
        case 'd':
            db_opt = optarg;
            break;
        case 'l':
            listen_arg = optarg;
            break;
        case 't':
            if (cli_parse_uint(prog, "--threads", optarg, 256, &threads))
                return CLI_EXIT_ERROR;
            break;
        case 'c':
            if (cfg.n_cors == MAX_CORS) {
                fprintf(stderr, "%s: at most %d --cors-origin options\n", prog,
                        MAX_CORS);
                return CLI_EXIT_ERROR;
            }
            cors[cfg.n_cors++] = optarg;
            break;
        case 'b':
            cfg.base_url = optarg;
            break;
        case 'a':
            log_path = optarg;
            break;
        case 'T':
            if (cli_parse_uint(prog, "--time-limit", optarg, 60000,
                               &time_limit_ms))
                return CLI_EXIT_ERROR;
            break;
        case 'C':
            if (cli_parse_uint(prog, "--cache", optarg, 10000000,
                               &cache_entries))
                return CLI_EXIT_ERROR;
            cfg.cache_entries = cache_entries;
            break;
        case 'P':
            if (cli_parse_uint(prog, "--page-cache", optarg, 65536,
                               &page_cache_mb))
                return CLI_EXIT_ERROR;
            break;
        default:
            return cli_common_option(prog, c, usage);
        }
    }
    if (optind != argc) {
        fprintf(stderr,
                "%s: unexpected argument '%s'\nTry '%s --help' for "
                "more information.\n",
                prog, argv[optind], prog);
        return CLI_EXIT_ERROR;
    }
    if (parse_listen(listen_arg, host, sizeof(host), &hopts.port)) {
        fprintf(stderr,
                "%s: --listen: expected ADDR:PORT such as "
                "127.0.0.1:8080, got '%s'\n",
                prog, listen_arg);
        return CLI_EXIT_ERROR;
    }
    hopts.host = host;
    ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    hopts.threads = threads ? threads : ncpu > 0 ? (unsigned)ncpu : 2;
    if (log_path && (cfg.access_log_fd = open_log(log_path)) < 0)
        return CLI_EXIT_ERROR;
    hopts.peer_names = log_path != NULL; /* only the access log shows them */

    /* Signals go to the main thread only: block them before any thread
     * starts, then take them with sigwait. */
    signal(SIGPIPE, SIG_IGN);
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &set, NULL);

    if (indexes_open(cli_db_path(db_opt), hopts.threads, time_limit_ms / 1000.0,
                     (size_t)page_cache_mb << 20, &ix, &errmsg) ||
        service_new(&cfg, ix, &svc, &errmsg) ||
        http_server_start(&hopts, service_handle, svc, &http, &errmsg)) {
        fprintf(stderr, "%s: %s\n", prog, errmsg ? errmsg : "out of memory");
        goto done;
    }
    service_set_http(svc, http);
    fprintf(stderr,
            "%s: listening on http://%s%s%s:%u/ (index %s, revision %llu, "
            "%u threads)\n",
            prog, strchr(host, ':') ? "[" : "", host,
            strchr(host, ':') ? "]" : "", http_server_port(http),
            cli_db_path(db_opt), (unsigned long long)indexes_revision(ix),
            hopts.threads);
    wait_for_stop(&set, ix);
    http_server_quiesce(http);
    drain(http);
    status = CLI_EXIT_OK;
done:
    http_server_stop(http);
    service_free(svc);
    indexes_close(ix);
    free(errmsg);
    if (cfg.access_log_fd > STDOUT_FILENO)
        close(cfg.access_log_fd);
    return status;
}
