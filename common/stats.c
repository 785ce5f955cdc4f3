/* stats: compact per-request records and exact percentiles (stats.h). */
#include "stats.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const struct {
    const char *name, *label;
} kinds[STATS_ERR_KINDS] = {
    [STATS_OK] = {"", "ok"},
    [STATS_ERR_CONNECT] = {"connect", "connect refused/failed"},
    [STATS_ERR_TIMEOUT] = {"timeout", "timeout"},
    [STATS_ERR_CLOSED] = {"closed", "connection reset/closed"},
    [STATS_ERR_STATUS] = {"bad_status", "bad status"},
    [STATS_ERR_BODY] = {"bad_body", "bad body"},
};

const char *stats_error_name(enum stats_error e) { return e < STATS_ERR_KINDS ? kinds[e].name : "?"; }
const char *stats_error_label(enum stats_error e) { return e < STATS_ERR_KINDS ? kinds[e].label : "?"; }

int64_t stats_now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

int stats_init(struct stats *s, size_t n)
{
    *s = (struct stats){.n = n};
    /* calloc: zero is "never started", and pages of a large run that never
     * come to be used (--duration with a --number cap) cost nothing. */
    s->rec = calloc(n > 0 ? n : 1, sizeof *s->rec);
    if (s->rec == NULL)
        return -1;
    s->t0_us = stats_now_us();
    return 0;
}

void stats_free(struct stats *s)
{
    free(s->rec);
    s->rec = NULL;
}

void stats_begin(struct stats *s, size_t id, int64_t due_us, int64_t now_us)
{
    struct stats_record *r = &s->rec[id];
    int64_t late = now_us - due_us;
    r->intended_us = due_us - s->t0_us;
    r->late_us = late < 0 ? 0 : late > UINT32_MAX ? UINT32_MAX : (uint32_t)late;
    r->started = 1;
}

void stats_end(struct stats *s, size_t id, int64_t now_us, unsigned status, enum stats_error error)
{
    struct stats_record *r = &s->rec[id];
    int64_t lat = now_us - s->t0_us - r->intended_us;
    r->latency_us = lat < 0 ? 0 : lat > UINT32_MAX ? UINT32_MAX : (uint32_t)lat;
    r->status = (uint16_t)(status > STATS_STATUS_MAX ? STATS_STATUS_MAX : status);
    r->error = (uint8_t)error;
    r->done = 1;
}

void stats_amend(struct stats *s, size_t id, enum stats_error error) { s->rec[id].error = (uint8_t)error; }

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

size_t stats_rank(size_t n, double p)
{
    /* rank = ceil(p/100 * n), computed in integers of 1/1000 % so that p99 of
     * 100 samples is exactly the 99th, not the 100th through float error. */
    uint64_t milli = (uint64_t)(p * 1000 + 0.5);
    uint64_t rank = ((uint64_t)n * milli + 99999) / 100000;
    return rank < 1 ? 1 : rank > n ? n : (size_t)rank;
}

uint32_t stats_percentile(const uint32_t *sorted, size_t n, double p)
{
    if (n == 0)
        return 0;
    return sorted[stats_rank(n, p) - 1];
}

/* sorted[0..n) ascending into d; total is their sum. */
static void dist_of(const uint32_t *sorted, size_t n, double total, struct stats_dist *d)
{
    memset(d, 0, sizeof *d);
    if (n == 0)
        return;
    *d = (struct stats_dist){.min = sorted[0], .max = sorted[n - 1], .mean = total / (double)n,
                             .p50 = stats_percentile(sorted, n, 50), .p90 = stats_percentile(sorted, n, 90),
                             .p99 = stats_percentile(sorted, n, 99), .p999 = stats_percentile(sorted, n, 99.9),
                             .p9999 = stats_percentile(sorted, n, 99.99)};
}

/* Sorts v[0..n) and fills d from it. */
static void dist_sorted(uint32_t *v, size_t n, double total, struct stats_dist *d)
{
    qsort(v, n, sizeof *v, cmp_u32);
    dist_of(v, n, total, d);
}

/* Log-spaced rows from the smallest latency to the largest (hey's idea,
 * with log steps so that a tail 1000x the median still shows). */
static void histogram(struct stats_summary *sum)
{
    size_t n = sum->with_latency;
    if (n == 0)
        return;
    double lo = sum->lat.min > 0 ? (double)sum->lat.min : 1, hi = (double)sum->lat.max;
    size_t rows = hi > lo ? STATS_HIST_ROWS : 1, i = 0;
    for (size_t r = 0; r < rows; r++) {
        int64_t le = r + 1 == rows ? sum->lat.max : (int64_t)(lo * pow(hi / lo, (double)(r + 1) / (double)rows));
        sum->hist[r].le_us = le;
        while (i < n && sum->sorted[i] <= le) {
            sum->hist[r].count++;
            i++;
        }
    }
    sum->hist_rows = rows;
}

/* Counts one record into sum; its latency and service into lat and svc. */
static void count_record(const struct stats_record *r, struct stats_summary *sum,
                         uint32_t *lat, uint32_t *svc, double *total, double *svc_total)
{
    enum stats_error e = r->done ? (enum stats_error)r->error : STATS_ERR_CLOSED;
    sum->completed += r->done;
    sum->errors[e]++;
    sum->bytes += r->bytes;
    if (e == STATS_OK)
        sum->ok++;
    if (r->done && r->status != 0) {
        sum->status[r->status]++;
        uint32_t service = r->latency_us > r->late_us ? r->latency_us - r->late_us : 0;
        lat[sum->with_latency] = r->latency_us;
        svc[sum->with_latency++] = service;
        *total += r->latency_us;
        *svc_total += service;
    }
}

/* Lateness of every started request, and the span of their sends. */
static int lateness(const struct stats *s, struct stats_summary *sum)
{
    uint32_t *late = malloc((s->n > 0 ? s->n : 1) * sizeof *late);
    if (late == NULL)
        return -1;
    int64_t first = INT64_MAX, last = 0;
    double total = 0;
    for (size_t i = 0; i < s->n; i++) {
        const struct stats_record *r = &s->rec[i];
        if (!r->started || (s->partial && !r->done))
            continue;
        late[sum->sent++] = r->late_us;
        total += r->late_us;
        first = stats_sent_us(r) < first ? stats_sent_us(r) : first;
        last = stats_sent_us(r) > last ? stats_sent_us(r) : last;
    }
    dist_sorted(late, sum->sent, total, &sum->late);
    sum->send_span_s = sum->sent > 1 ? (double)(last - first) / 1e6 : 0;
    free(late);
    return 0;
}

int stats_summarize(const struct stats *s, struct stats_summary *sum)
{
    memset(sum, 0, sizeof *sum);
    sum->number = s->n;
    size_t cap = s->n > 0 ? s->n : 1;
    uint32_t *lat = malloc(cap * sizeof *lat), *svc = malloc(cap * sizeof *svc);
    if (lat == NULL || svc == NULL || lateness(s, sum) != 0) {
        free(lat);
        free(svc);
        return -1;
    }
    double total = 0, svc_total = 0;
    for (size_t i = 0; i < s->n; i++)
        if (!(s->partial && !s->rec[i].done))
            count_record(&s->rec[i], sum, lat, svc, &total, &svc_total);
    if (s->partial)
        sum->number = sum->completed;
    sum->failed = sum->number - sum->ok;
    dist_sorted(lat, sum->with_latency, total, &sum->lat);
    dist_sorted(svc, sum->with_latency, svc_total, &sum->svc);
    free(svc);
    sum->sorted = lat;
    histogram(sum);
    return 0;
}

void stats_summary_free(struct stats_summary *sum)
{
    free(sum->sorted);
    sum->sorted = NULL;
}
