/*
 * metrics.c: counters for /metrics (metrics.h).  Every counter is a relaxed
 * atomic: a scrape may see one request's count before its duration, which
 * Prometheus tolerates.
 */
#include "metrics.h"

#include <stdatomic.h>
#include <stdlib.h>

static const char *const endpoint_names[EP_COUNT] = {
    "search", "suggest", "related", "healthz", "metrics", "static", "other"};

/* The statuses the server answers with; the last slot counts the rest. */
static const int statuses[] = {200, 204, 304, 400, 404, 405,
                               414, 500, 501, 503, 0};
#define N_STATUSES (sizeof(statuses) / sizeof(statuses[0]))

/* Upper bounds of the latency buckets, in seconds. */
static const double buckets[] = {0.0005, 0.001, 0.0025, 0.005, 0.01,
                                 0.025,  0.05,  0.1,    0.25,  1.0};
#define N_BUCKETS (sizeof(buckets) / sizeof(buckets[0]))

typedef struct endpoint_stats {
    atomic_uint_fast64_t by_status[N_STATUSES];
    atomic_uint_fast64_t le[N_BUCKETS]; /* not cumulative: one bucket each */
    atomic_uint_fast64_t count;
    atomic_uint_fast64_t sum_us; /* microseconds */
} endpoint_stats;

struct metrics {
    endpoint_stats ep[EP_COUNT];
};

metrics *
metrics_new(void)
{
    /* Zeroed memory is a valid initial state of every atomic here. */
    return calloc(1, sizeof(metrics));
}

void
metrics_free(metrics *m)
{
    free(m);
}

void
metrics_observe(metrics *m, metrics_endpoint ep, int status, double seconds)
{
    endpoint_stats *e = &m->ep[ep < EP_COUNT ? ep : EP_OTHER];
    size_t i;

    for (i = 0; i < N_STATUSES - 1 && statuses[i] != status; i++)
        ;
    atomic_fetch_add_explicit(&e->by_status[i], 1, memory_order_relaxed);
    for (i = 0; i < N_BUCKETS && seconds > buckets[i]; i++)
        ;
    if (i < N_BUCKETS)
        atomic_fetch_add_explicit(&e->le[i], 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&e->count, 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&e->sum_us, (uint64_t)(seconds * 1e6),
                              memory_order_relaxed);
}

static uint64_t
get(const atomic_uint_fast64_t *a)
{
    return atomic_load_explicit((atomic_uint_fast64_t *)a,
                                memory_order_relaxed);
}

void
metrics_write(const metrics *m, strbuf *out, uint64_t revision,
              uint64_t doc_count, uint64_t reloads, unsigned in_flight)
{
    size_t e, i;

    strbuf_puts(out, "# HELP recapsearch_requests_total Requests answered, "
                     "by endpoint and HTTP status.\n"
                     "# TYPE recapsearch_requests_total counter\n");
    for (e = 0; e < EP_COUNT; e++)
        for (i = 0; i < N_STATUSES; i++) {
            uint64_t n = get(&m->ep[e].by_status[i]);
            if (n == 0)
                continue;
            if (statuses[i])
                strbuf_printf(out,
                              "recapsearch_requests_total{endpoint=\"%s\","
                              "status=\"%d\"} %llu\n",
                              endpoint_names[e], statuses[i],
                              (unsigned long long)n);
            else
                strbuf_printf(out,
                              "recapsearch_requests_total{endpoint=\"%s\","
                              "status=\"other\"} %llu\n",
                              endpoint_names[e], (unsigned long long)n);
        }
    strbuf_puts(out, "# HELP recapsearch_request_duration_seconds Time from "
                     "request to response, by endpoint.\n"
                     "# TYPE recapsearch_request_duration_seconds "
                     "histogram\n");
    for (e = 0; e < EP_COUNT; e++) {
        uint64_t cum = 0, count = get(&m->ep[e].count);
        for (i = 0; i < N_BUCKETS; i++) {
            cum += get(&m->ep[e].le[i]);
            strbuf_printf(out,
                          "recapsearch_request_duration_seconds_bucket{"
                          "endpoint=\"%s\",le=\"%g\"} %llu\n",
                          endpoint_names[e], buckets[i],
                          (unsigned long long)cum);
        }
        strbuf_printf(out,
                      "recapsearch_request_duration_seconds_bucket{"
                      "endpoint=\"%s\",le=\"+Inf\"} %llu\n"
                      "recapsearch_request_duration_seconds_sum{"
                      "endpoint=\"%s\"} %.6f\n"
                      "recapsearch_request_duration_seconds_count{"
                      "endpoint=\"%s\"} %llu\n",
                      endpoint_names[e], (unsigned long long)count,
                      endpoint_names[e], (double)get(&m->ep[e].sum_us) / 1e6,
                      endpoint_names[e], (unsigned long long)count);
    }
    strbuf_printf(out,
                  "# HELP recapsearch_index_revision Revision of the index "
                  "being served.\n"
                  "# TYPE recapsearch_index_revision gauge\n"
                  "recapsearch_index_revision %llu\n"
                  "# HELP recapsearch_index_documents Documents in the index "
                  "being served.\n"
                  "# TYPE recapsearch_index_documents gauge\n"
                  "recapsearch_index_documents %llu\n"
                  "# HELP recapsearch_index_reloads_total New index "
                  "revisions picked up since start.\n"
                  "# TYPE recapsearch_index_reloads_total counter\n"
                  "recapsearch_index_reloads_total %llu\n"
                  "# HELP recapsearch_requests_in_flight Requests being "
                  "answered.\n"
                  "# TYPE recapsearch_requests_in_flight gauge\n"
                  "recapsearch_requests_in_flight %u\n",
                  (unsigned long long)revision, (unsigned long long)doc_count,
                  (unsigned long long)reloads, in_flight);
}
