/*
 * metrics.h: request counters and latency histograms, lock-free, shown in
 * Prometheus' text format on /metrics.
 */
#ifndef RECAP_SERVER_METRICS_H
#define RECAP_SERVER_METRICS_H

#include <stdint.h>

#include "util.h"

/* The endpoints counted apart; everything else is "other". */
typedef enum metrics_endpoint {
    EP_SEARCH,
    EP_SUGGEST,
    EP_RELATED,
    EP_HEALTHZ,
    EP_METRICS,
    EP_STATIC,
    EP_OTHER,
    EP_COUNT
} metrics_endpoint;

typedef struct metrics metrics;

metrics *metrics_new(void);
void metrics_free(metrics *m);
/* Counts one answered request and its duration in seconds. */
void metrics_observe(metrics *m, metrics_endpoint ep, int status,
                     double seconds);
/* Appends the Prometheus text of every series; the index gauges are
 * passed in by the caller. */
void metrics_write(const metrics *m, strbuf *out, uint64_t revision,
                   uint64_t doc_count, uint64_t reloads, unsigned in_flight);

#endif
