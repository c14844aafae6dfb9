/*
 * bench_floor: what a full build costs in Xapian alone, with every
 * document already analysed, to tell our share of a build from the
 * storage engine's.
 *
 *     bench_floor CONTENT_DIR [SHORTCODES.yaml [PARAMS.yaml]] [THREADS]
 *
 * First every markdown file is read and analysed into its Xapian document,
 * exactly as recapsearch-index builds it (one thread; the time is
 * reported).  Then, timed, THREADS threads (default 2) each add their
 * share of the documents (consecutive ranges of about equal postings, as
 * the side build splits by bytes) to a part database of their own, with
 * the flush threshold the indexer uses, and commit it; the parts are then
 * compacted into one database, as a full build ends.  What is printed is
 * the wall and CPU time of the two steps: the least a full build of these
 * documents can take with Xapian on this machine, whatever our own code
 * costs.  The databases go to a temporary folder, removed at the end.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "generation.h"
#include "ingest.h"
#include "pipeline_int.h"
#include "util.h"
#include "xap.h"

#define MAX_THREADS 16

typedef struct part {
    xap_doc **docs;
    size_t first, end;
    char path[512];
    recap_status rc;
    char msg[512];
} part;

/* User plus system CPU seconds of the whole process. */
static double
cpu(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
           (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

static void *
add_part(void *arg)
{
    part *p = arg;
    xap_db *db = NULL;
    xap_error err;
    size_t i;

    err.msg[0] = '\0';
    p->rc = xap_db_open(p->path, XAP_DB_CREATE_OR_OVERWRITE, &db, &err);
    for (i = p->first; i < p->end && p->rc == RECAP_OK; i++)
        p->rc = xap_db_add(db, p->docs[i], NULL, &err);
    if (p->rc == RECAP_OK)
        p->rc = xap_db_commit(db, &err);
    xap_db_free(db);
    snprintf(p->msg, sizeof(p->msg), "%s", err.msg);
    return NULL;
}

static int
usage(void)
{
    fprintf(stderr, "usage: bench_floor CONTENT_DIR [SHORTCODES [PARAMS]] "
                    "[THREADS]\n");
    return 2;
}

int
main(int argc, char **argv)
{
    const char *files[2] = {NULL, NULL};
    char **paths = NULL, *root = NULL, *msg = NULL, tmp[] = "/tmp/floorXXXXXX";
    size_t n = 0, n_docs = 0, i, k = 2, t, n_files = 0;
    uint64_t total = 0, *cum;
    xap_doc **docs;
    sitecfg *cfg = NULL;
    pl_stemmers st = {0};
    part parts[MAX_THREADS];
    pthread_t th[MAX_THREADS];
    const char *srcs[MAX_THREADS];
    char dest[600];
    double w0, c0, w1, c1, w2, c2;
    int a, rc = 0;
    xap_error err;

    if (argc < 2 || strcmp(argv[1], "--help") == 0 ||
        strcmp(argv[1], "-h") == 0)
        return usage();
    for (a = 2; a < argc; a++) {
        char *end;
        unsigned long v = strtoul(argv[a], &end, 10);
        if (*end == '\0' && v >= 1 && v <= MAX_THREADS)
            k = v;
        else if (n_files < 2)
            files[n_files++] = argv[a];
        else
            return usage();
    }
    if (ingest_walk(argv[1], &paths, &n, &root, &msg) != RECAP_OK) {
        fprintf(stderr, "bench_floor: %s: %s\n", argv[1],
                msg ? msg : "cannot list");
        return 1;
    }
    if (sitecfg_new(files[0], files[1], 0, &cfg, &msg) != RECAP_OK) {
        fprintf(stderr, "bench_floor: %s\n",
                msg ? msg : "bad site configuration");
        return 1;
    }
    docs = calloc(n ? n : 1, sizeof(*docs));
    cum = calloc(n + 1, sizeof(*cum));
    if (!docs || !cum || !mkdtemp(tmp)) {
        perror("bench_floor");
        return 1;
    }

    w0 = util_now();
    c0 = cpu();
    for (i = 0; i < n; i++) {
        pl_slot s;
        memset(&s, 0, sizeof(s));
        pl_prepare(&st, cfg, root ? root : argv[1], paths[i], "en", 0, &s);
        if (s.rc == RECAP_OK && s.xdoc) {
            docs[n_docs] = s.xdoc;
            total += s.n_terms;
            cum[++n_docs] = total;
            s.xdoc = NULL;
        }
        pl_slot_clear(&s);
    }
    w1 = util_now();
    c1 = cpu();
    printf("analysis, one thread: %zu files, %zu documents, %llu postings: "
           "%.3f s wall, %.3f s CPU\n",
           n, n_docs, (unsigned long long)total, w1 - w0, c1 - c0);

    /* Consecutive ranges of about total / k postings. */
    xap_flush_threshold_for(n_docs / k);
    for (t = 0, i = 0; t < k; t++) {
        part *p = &parts[t];
        memset(p, 0, sizeof(*p));
        p->docs = docs;
        p->first = i;
        while (i < n_docs && (t == k - 1 || cum[i] < total / k * (t + 1)))
            i++;
        p->end = i;
        snprintf(p->path, sizeof(p->path), "%s/p%zu", tmp, t);
        srcs[t] = p->path;
    }
    w1 = util_now();
    c1 = cpu();
    for (t = 0; t < k; t++)
        if (pthread_create(&th[t], NULL, add_part, &parts[t]) != 0) {
            perror("bench_floor: pthread_create");
            return 1;
        }
    for (t = 0; t < k; t++)
        pthread_join(th[t], NULL);
    w2 = util_now();
    c2 = cpu();
    for (t = 0; t < k; t++)
        if (parts[t].rc != RECAP_OK) {
            fprintf(stderr, "bench_floor: %s: %s\n", parts[t].path,
                    parts[t].msg);
            rc = 1;
        }
    printf("Xapian add_document and commit, %zu threads: %.3f s wall, "
           "%.3f s CPU\n",
           k, w2 - w1, c2 - c1);
    snprintf(dest, sizeof(dest), "%s/all", tmp);
    if (!rc && xap_compact(srcs, k, dest, &err) != RECAP_OK) {
        fprintf(stderr, "bench_floor: %s\n", err.msg);
        rc = 1;
    }
    printf("Xapian compaction of the parts: %.3f s wall, %.3f s CPU\n",
           util_now() - w2, cpu() - c2);
    printf("Xapian alone: %.3f s wall\n", util_now() - w1);

    for (i = 0; i < n_docs; i++)
        xap_doc_free(docs[i]);
    free(docs);
    free(cum);
    pl_stemmers_free(&st);
    sitecfg_free(cfg);
    for (i = 0; i < n; i++)
        free(paths[i]);
    free(paths);
    free(root);
    free(msg);
    gen_remove_tree(tmp);
    return rc;
}
