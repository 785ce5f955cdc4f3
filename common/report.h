/* report: how every client prints a finished run.
 *
 * One schema for all clients: the human summary (in the spirit of hey/oha),
 * the --json object and the --timeline CSV, all from struct stats. Not for:
 * collecting the numbers (stats.h) or anything printed during the run
 * (client.h). */
#ifndef SAYHI_REPORT_H
#define SAYHI_REPORT_H

#include "client.h"
#include "stats.h"

#include <stdio.h>

struct report_run {
    const char *client;    /* "sync", "threads" or "async" */
    uint64_t concurrency;  /* most requests in flight at once */
    double elapsed_s;      /* wall time of the whole run */
    int interrupted;       /* SIGINT or SIGTERM when one stopped the run: the figures
                              cover what finished; 0 when it ran to the end */
    uint64_t asked;        /* --number, for "7 of 10 requests finished" */
    double rate;           /* --rate asked for; 0 in a closed loop */
    const struct crawl *crawl; /* --crawl: its pages and levels; else NULL */
};

/* The --json object: client, number, concurrency, ok, failed, elapsed_s,
 * requests_per_s, latency_ms{min,mean,p50,p90,p99,p99.9,p99.99,max} (from
 * the intended start; null when no response came), status_codes{code:
 * count}, errors{kind:count} (every kind, zeros included), service_ms (as
 * latency_ms, from the actual send), bytes, mb_per_s, rate (null in a
 * closed loop, else {asked, achieved, late_ms{p50,p99,max}}), histogram
 * [{le_ms,count}], and under --crawl crawl{pages, levels, links, foreign,
 * lost, per_level[], chain[{path,name}] or null}. Returns a malloc'd string or NULL. */
char *report_json(const struct stats_summary *sum, const struct report_run *run);

void report_human(FILE *out, const struct stats_summary *sum, const struct report_run *run);

/* Sends per second over the span from the first send to the last. */
double report_achieved(const struct stats_summary *sum);

/* Header FMT_TIMELINE_HEADER, then one row per request in id order
 * (1-based ids, seconds from the run's start, status 0 when none, error
 * empty on success, intended_s the due time, bytes of the response, the
 * page's depth under --crawl, else empty). */
int report_timeline(FILE *out, const struct stats *s, const struct stats_summary *sum);

/* The latency distribution in HdrHistogram's percentile text format (as
 * hdr_percentiles_print writes it, in milliseconds, 5 ticks per half
 * distance), from the exact sorted latencies. */
int report_hdr(FILE *out, const struct stats *s, const struct stats_summary *sum);

/* Chrome Trace Event JSON: one complete event ("ph":"X") per request that
 * was sent, on the track (tid) of its connection or thread, named
 * "#id status" (or the error kind), ts and dur in microseconds. */
int report_trace(FILE *out, const struct stats *s, const struct stats_summary *sum);

/* Writes every file cfg opened (--timeline, --hdr, --trace) through one
 * table, closes and checks each. 0, or -1 after a line on stderr. */
int report_files(struct client_config *cfg, const struct stats *s, const struct stats_summary *sum);

/* Prints what cfg asks for (summary or JSON on stdout, the timeline file,
 * closed and checked) and returns the exit code: CLI_EXIT_OK when every
 * request succeeded, else CLI_EXIT_FAILURE. stdout is left buffered: the
 * caller flushes and checks it (cli_stdout_finish). */
int report_finish(struct client_config *cfg, const struct stats *s, const struct report_run *run);

#endif
