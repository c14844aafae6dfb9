/*
 * cmd_sync.c: the incremental run of recapsearch-index and --watch, over
 * the public API (recap_index_sync).
 */
#define _DEFAULT_SOURCE /* DT_DIR */
#include <dirent.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "index_cmd.h"
#include "util.h"

/* Quiet time after the last change before the index is updated, so that
 * an editor's or a generator's burst of writes makes one commit. */
#define WATCH_SETTLE_MS 150
#define WATCH_MAX_DEPTH 64

typedef struct sync_ctx {
    const char *prog;
    int quiet;
    int progress;
} sync_ctx;

static void
on_file(void *ctx, const char *relpath, recap_status rc, size_t done,
        size_t total)
{
    sync_ctx *c = ctx;

    (void)done;
    (void)total;
    if (rc == RECAP_OK || (rc == RECAP_ESKIPPED && c->quiet))
        return;
    fprintf(stderr, "%s: %s %s: %s\n", c->prog,
            rc == RECAP_ESKIPPED ? "skipped" : "error:", relpath,
            recap_status_str(rc));
}

int
index_cmd_sync(const char *prog, recap_index *idx, const char *content_dir,
               const char *synonyms, int quiet, int progress, const char *db)
{
    recap_sync_options opts = RECAP_SYNC_OPTIONS_INIT;
    recap_sync_stats st;
    sync_ctx c = {prog, quiet, progress};
    recap_status rc;

    opts.on_file = on_file;
    opts.ctx = &c;
    opts.synonyms = synonyms;
    rc = recap_index_sync(idx, content_dir, &opts, &st);
    if (rc != RECAP_OK) {
        fprintf(stderr, "%s: %s; nothing was committed\n", prog,
                recap_index_errmsg(idx));
        return CLI_EXIT_ERROR;
    }
    if (!quiet)
        fprintf(
            stderr,
            "%s: %llu files: %llu unchanged, %llu added, %llu updated, "
            "%llu dependent, %llu removed, %llu skipped, %llu failed in "
            "%.0f ms into %s\n",
            prog, (unsigned long long)st.n_files,
            (unsigned long long)st.n_unchanged, (unsigned long long)st.n_added,
            (unsigned long long)st.n_updated,
            (unsigned long long)st.n_dependent,
            (unsigned long long)st.n_removed, (unsigned long long)st.n_skipped,
            (unsigned long long)st.n_failed, st.seconds * 1000.0, db);
    return st.n_failed ? CLI_EXIT_NONE : CLI_EXIT_OK;
}

/* ---- --watch ------------------------------------------------------------ */

static volatile sig_atomic_t stop_watching;

static void
on_signal(int sig)
{
    (void)sig;
    stop_watching = 1;
}

/* Watches `dir` and the folders below it (not hidden ones). */
static void
add_watches(int fd, const char *dir, int depth)
{
    const uint32_t mask = IN_CLOSE_WRITE | IN_CREATE | IN_DELETE |
                          IN_MOVED_FROM | IN_MOVED_TO | IN_DELETE_SELF |
                          IN_MOVE_SELF;
    struct dirent *de;
    struct stat st;
    char *child;
    DIR *d;

    if (depth > WATCH_MAX_DEPTH || inotify_add_watch(fd, dir, mask) < 0 ||
        !(d = opendir(dir)))
        return;
    while ((de = readdir(d)) != NULL) {
        if (de->d_name[0] == '.')
            continue;
        if (!(child = util_asprintf("%s/%s", dir, de->d_name)))
            break;
        if (stat(child, &st) == 0 && S_ISDIR(st.st_mode))
            add_watches(fd, child, depth + 1);
        free(child);
    }
    closedir(d);
}

/* Reads what is pending on `fd`; returns 1 if there was anything. */
static int
drain(int fd)
{
    char buf[16384] __attribute__((aligned(__alignof__(struct inotify_event))));
    int any = 0;
    ssize_t n;

    while ((n = read(fd, buf, sizeof(buf))) > 0)
        any = 1;
    return any;
}

int
index_cmd_watch(const char *prog, recap_index *idx, const char *content_dir,
                const char *synonyms, int quiet, const char *db)
{
    struct sigaction sa;
    struct pollfd p;
    struct stat st;
    char *content;
    int fd, status = CLI_EXIT_OK;

    fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    if (fd < 0) {
        fprintf(stderr, "%s: --watch: %s\n", prog, strerror(errno));
        return CLI_EXIT_ERROR;
    }
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    /* A site root is watched through its content folder, as it is indexed. */
    content = util_asprintf("%s/content", content_dir);
    if (!content || stat(content, &st) != 0 || !S_ISDIR(st.st_mode)) {
        free(content);
        content = util_strdup(content_dir);
    }
    if (!content) {
        close(fd);
        return CLI_EXIT_ERROR;
    }
    add_watches(fd, content, 0);
    if (!quiet)
        fprintf(stderr, "%s: watching %s for changes (Ctrl-C to stop)\n", prog,
                content);
    p.fd = fd;
    p.events = POLLIN;
    while (!stop_watching) {
        if (poll(&p, 1, -1) <= 0 || !drain(fd))
            continue;
        /* Let a burst of writes settle. */
        while (!stop_watching && poll(&p, 1, WATCH_SETTLE_MS) > 0 && drain(fd))
            ;
        if (stop_watching)
            break;
        add_watches(fd, content, 0); /* new folders */
        status = index_cmd_sync(prog, idx, content_dir, synonyms, quiet, 0, db);
        fflush(stderr);
        if (status == CLI_EXIT_ERROR)
            break;
    }
    free(content);
    close(fd);
    return status;
}
