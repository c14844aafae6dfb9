/*
 * bench_query: in-process search + snippet latency over a query set.
 *
 *     bench_query DB QUERIES.tsv [ROUNDS]
 *
 * QUERIES.tsv has lines "id<TAB>query" (../shared/relevance/queries.tsv);
 * ids q51-q55 are searched in Chinese, q56-q58 in Ukrainian, the others in
 * the index's main language, as the relevance judgments were made.  Each
 * query runs once to warm up, then ROUNDS times (default 20) with 10 hits
 * and their snippets; the median of each query's runs is reported, then
 * the median and the 90th percentile over the queries, in wall-clock time
 * and in the thread's CPU time (steadier on a busy machine).  Only the public
 * API is used, so this is what an embedding program would see.  With
 * BENCH_NO_SNIPPETS set in the environment, hits come without snippets.
 * The handle's page cache (recap_index_set_page_cache) is off, so every
 * search reads and parses its hits' pages, as the first search that meets
 * a page does; BENCH_PAGE_CACHE=1 leaves it on, as a server has it (then
 * the rounds after the first find every page in memory).
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "recapsearch.h"

#define MAX_QUERIES 256

typedef struct bench_query {
    char id[16];
    char text[256];
    const char *lang;
} bench_query;

/* Wall-clock seconds, or with `cpu` this thread's CPU seconds, which a
 * machine shared with other jobs disturbs less. */
static double
now(int cpu)
{
    struct timespec ts;
    clock_gettime(cpu ? CLOCK_THREAD_CPUTIME_ID : CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int
cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* The language a query of the relevance set is judged in. */
static const char *
query_lang(const char *id)
{
    int n = atoi(id + 1);
    if (n >= 51 && n <= 55)
        return "zh";
    if (n >= 56 && n <= 58)
        return "uk";
    return NULL;
}

static size_t
read_queries(const char *path, bench_query *qs)
{
    FILE *f = fopen(path, "r");
    char line[512];
    size_t n = 0;

    if (!f)
        return 0;
    while (n < MAX_QUERIES && fgets(line, sizeof line, f)) {
        char *tab = strchr(line, '\t');
        if (!tab)
            continue;
        *tab = '\0';
        tab[1 + strcspn(tab + 1, "\r\n")] = '\0';
        snprintf(qs[n].id, sizeof qs[n].id, "%.15s", line);
        snprintf(qs[n].text, sizeof qs[n].text, "%.255s", tab + 1);
        qs[n].lang = query_lang(line);
        n++;
    }
    fclose(f);
    return n;
}

/* One search with 10 hits, touching every snippet.  Returns wall-clock
 * seconds and CPU seconds in *cpu, or a negative number on failure. */
static double
run_once(recap_index *idx, const bench_query *q, size_t *n_snippets,
         double *cpu)
{
    recap_search_options o = RECAP_SEARCH_OPTIONS_INIT;
    recap_results *res;
    double c0 = now(1), t0 = now(0), t;

    o.query = q->text;
    o.lang = q->lang;
    o.limit = 10;
    if (getenv("BENCH_NO_SNIPPETS"))
        o.flags |= RECAP_SEARCH_NO_SNIPPETS;
    if (recap_search(idx, &o, &res) != RECAP_OK)
        return -1;
    t = now(0) - t0;
    *cpu = now(1) - c0;
    *n_snippets = 0;
    for (size_t i = 0; i < recap_results_count(res); i++)
        *n_snippets += recap_hit_snippet_count(recap_results_hit(res, i));
    recap_results_free(res);
    return t;
}

static void
summary(const char *what, double *v, size_t n)
{
    qsort(v, n, sizeof *v, cmp_double);
    printf("%s median %.3f ms, p90 %.3f ms, max %.3f ms\n", what,
           v[n / 2] * 1e3, v[n * 9 / 10] * 1e3, v[n - 1] * 1e3);
}

int
main(int argc, char **argv)
{
    static bench_query qs[MAX_QUERIES];
    double med[MAX_QUERIES], cmed[MAX_QUERIES], *runs, *cruns;
    int rounds = argc > 3 ? atoi(argv[3]) : 20;
    size_t n, n_sn = 0;
    recap_index *idx;
    char *err = NULL;

    if (argc < 3 || rounds < 1) {
        fprintf(stderr, "usage: bench_query DB QUERIES.tsv [ROUNDS]\n");
        return 2;
    }
    if (!(n = read_queries(argv[2], qs))) {
        fprintf(stderr, "bench_query: no queries in %s\n", argv[2]);
        return 2;
    }
    if (recap_index_open(argv[1], RECAP_OPEN_READ, &idx, &err)) {
        fprintf(stderr, "bench_query: %s\n", err);
        free(err);
        return 2;
    }
    if (!getenv("BENCH_PAGE_CACHE"))
        recap_index_set_page_cache(idx, 0);
    runs = malloc((size_t)rounds * sizeof *runs);
    cruns = malloc((size_t)rounds * sizeof *cruns);
    if (!runs || !cruns)
        return 2;
    for (size_t i = 0; i < n; i++) {
        size_t k;
        if (run_once(idx, &qs[i], &k, &cruns[0]) < 0) {
            fprintf(stderr, "bench_query: %s: %s\n", qs[i].id,
                    recap_index_errmsg(idx));
            return 2;
        }
        for (int r = 0; r < rounds; r++)
            runs[r] = run_once(idx, &qs[i], &k, &cruns[r]);
        qsort(runs, (size_t)rounds, sizeof *runs, cmp_double);
        qsort(cruns, (size_t)rounds, sizeof *cruns, cmp_double);
        med[i] = runs[rounds / 2];
        cmed[i] = cruns[rounds / 2];
        n_sn += k;
        printf("%-4s %8.3f ms (cpu %.3f)  %2zu snippets  %s\n", qs[i].id,
               med[i] * 1e3, cmed[i] * 1e3, k, qs[i].text);
    }
    printf("queries %zu, rounds %d, snippets per query %.1f\n", n, rounds,
           (double)n_sn / (double)n);
    summary("wall:", med, n);
    summary("cpu: ", cmed, n);
    free(runs);
    free(cruns);
    recap_index_close(idx);
    return 0;
}
