/* stats: per-request records of a client run, and what is computed from them.
 *
 * One compact record per request (32 bytes: intended start, how late it was
 * sent, latency, bytes, the connection or thread, status, error kind), allocated for the whole run so a
 * request never allocates and a thread may fill its own slots without a
 * lock. A record keeps when its request was *due* (the schedule of an open
 * loop; in a closed loop, when it was sent) apart from how late it was
 * sent: latency counts from the intended start, so a client held up by a
 * stalled server does not hide the stall (coordinated omission, wrk2). Percentiles are exact: every
 * latency is sorted. Not for: printing (report.h) or deciding what counts as
 * a failure (validate.h). */
#ifndef SAYHI_STATS_H
#define SAYHI_STATS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Why a request failed; STATS_OK when it did not. The order is the order of
 * the reports. */
enum stats_error {
    STATS_OK = 0,
    STATS_ERR_CONNECT,    /* no connection: refused, unreachable, unresolvable */
    STATS_ERR_TIMEOUT,    /* no complete response within --timeout */
    STATS_ERR_CLOSED,     /* connection reset or closed before the response ended */
    STATS_ERR_STATUS,     /* a response that is not 2xx, or not HTTP at all */
    STATS_ERR_BODY,       /* 2xx, but not a JSON object with a string "message" */
    STATS_ERR_KINDS,
};

/* Largest status code kept by value; anything above counts as STATS_STATUS_MAX. */
#define STATS_STATUS_MAX 999

struct stats_record {
    int64_t intended_us;  /* when it was due, from the run's start */
    uint32_t late_us;     /* sent this long after intended_us (0 in a closed loop) */
    uint32_t latency_us;  /* end - intended start, saturating at ~71 minutes */
    uint32_t bytes;       /* response bytes read, saturating at 4 GB */
    uint32_t track;       /* the connection (async) or thread (sync) it ran on: --trace */
    uint16_t status;      /* HTTP status, 0 when no response came */
    uint8_t error;        /* enum stats_error */
    uint8_t started, done;
};

/* When request r was actually sent, from the run's start. */
static inline int64_t stats_sent_us(const struct stats_record *r) { return r->intended_us + r->late_us; }

struct stats {
    struct stats_record *rec;
    size_t n;
    size_t started;       /* ids 0..started-1 were started: the engine says, at its end */
    bool conns_busy;      /* open loop: a due request found every connection busy and waited */
    int64_t t0_us;        /* monotonic clock at the run's start */
    bool partial;         /* interrupted: only finished requests are summarised */
    struct crawl *crawl;  /* --crawl: the pages, their ids those of the records; else NULL */
};

/* Exact figures of one sample, in microseconds; all 0 when it is empty. */
struct stats_dist {
    int64_t min, p50, p90, p99, p999, p9999, max;
    double mean;
};

/* Rows of the latency histogram: log-spaced upper bounds from min to max. */
#define STATS_HIST_ROWS 10

struct stats_summary {
    size_t number, ok, failed, completed;
    size_t with_latency;  /* requests that got an HTTP response: the latency sample */
    uint64_t status[STATS_STATUS_MAX + 1];
    uint64_t errors[STATS_ERR_KINDS];
    /* Over every request that got a response: latency from the intended
     * start (corrected), service from the actual send (uncorrected). */
    struct stats_dist lat, svc;
    struct stats_dist late; /* actual - intended send, over every request started */
    uint32_t *sorted;      /* the with_latency latencies, ascending (stats_summary_free) */
    struct {
        int64_t le_us;     /* upper bound of the row (the last is max) */
        uint64_t count;    /* latencies above the previous row's bound, up to le_us */
    } hist[STATS_HIST_ROWS];
    size_t hist_rows;
    uint64_t bytes;        /* response bytes over every request */
    double send_span_s;    /* from the first send to the last: the achieved rate's span */
    size_t sent;           /* requests started */
};

/* Monotonic clock in microseconds. */
int64_t stats_now_us(void);

/* Allocates n records and sets the run's start to now. 0 or -1 (out of memory). */
int stats_init(struct stats *s, size_t n);
void stats_free(struct stats *s);

/* Marks request id (0-based) sent at now_us, due at due_us (both
 * monotonic; due_us == now_us in a closed loop). */
void stats_begin(struct stats *s, size_t id, int64_t due_us, int64_t now_us);

/* Marks request id finished at now_us with status (0 if none) and error. */
void stats_end(struct stats *s, size_t id, int64_t now_us, unsigned status, enum stats_error error);

/* Changes the error of finished request id, e.g. when bytes after its
 * response showed it was not the answer it seemed. */
void stats_amend(struct stats *s, size_t id, enum stats_error error);

/* Counts and exact percentiles (nearest rank: the smallest latency with at
 * least p% of the sample at or below it). Requests never finished count as
 * failed (STATS_ERR_CLOSED), unless the run is partial: then they are left
 * out and number is the count that finished. The sorted latencies stay in
 * sum->sorted (for --hdr) until stats_summary_free. 0, or -1 when out of
 * memory for the sort. */
int stats_summarize(const struct stats *s, struct stats_summary *sum);
void stats_summary_free(struct stats_summary *sum);

/* The engine's notes on request id: the bytes its response took, the
 * connection or thread it ran on. */
static inline void stats_set_bytes(struct stats *s, size_t id, uint64_t n)
{
    s->rec[id].bytes = n > UINT32_MAX ? UINT32_MAX : (uint32_t)n;
}
static inline void stats_set_track(struct stats *s, size_t id, uint32_t track) { s->rec[id].track = track; }

/* The nearest rank of percentile p in n samples, 1 to n (n > 0): the
 * smallest rank with at least p% of them at or below it. sayhi-compare's
 * report takes its percentiles with it, as the clients do. */
size_t stats_rank(size_t n, double p);

/* Nearest-rank percentile of sorted[0..n): exposed for the tests. */
uint32_t stats_percentile(const uint32_t *sorted, size_t n, double p);

/* Short name of an error kind as used in --json and --timeline ("timeout"). */
const char *stats_error_name(enum stats_error e);

/* Words for humans ("connect refused/failed"). */
const char *stats_error_label(enum stats_error e);

#endif
