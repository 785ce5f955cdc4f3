/* stats: compact per-request records and exact percentiles (stats.h). */
#include "stats.h"

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

uint32_t stats_percentile(const uint32_t *sorted, size_t n, double p)
{
    if (n == 0)
        return 0;
    /* rank = ceil(p/100 * n), computed in integers of 1/1000 % so that p99 of
     * 100 samples is exactly the 99th, not the 100th through float error. */
    uint64_t milli = (uint64_t)(p * 1000 + 0.5);
    uint64_t rank = ((uint64_t)n * milli + 99999) / 100000;
    if (rank < 1)
        rank = 1;
    if (rank > n)
        rank = n;
    return sorted[rank - 1];
}

int stats_summarize(const struct stats *s, struct stats_summary *sum)
{
    memset(sum, 0, sizeof *sum);
    sum->number = s->n;
    uint32_t *lat = malloc((s->n > 0 ? s->n : 1) * sizeof *lat);
    if (lat == NULL)
        return -1;
    double total = 0;
    for (size_t i = 0; i < s->n; i++) {
        const struct stats_record *r = &s->rec[i];
        if (s->partial && !r->done)
            continue;
        enum stats_error e = r->done ? (enum stats_error)r->error : STATS_ERR_CLOSED;
        sum->completed += r->done;
        sum->errors[e]++;
        if (e == STATS_OK)
            sum->ok++;
        if (r->done && r->status != 0) {
            sum->status[r->status]++;
            lat[sum->with_latency++] = r->latency_us;
            total += r->latency_us;
        }
    }
    if (s->partial)
        sum->number = sum->completed;
    sum->failed = sum->number - sum->ok;
    size_t n = sum->with_latency;
    if (n > 0) {
        qsort(lat, n, sizeof *lat, cmp_u32);
        sum->lat_min = lat[0];
        sum->lat_max = lat[n - 1];
        sum->lat_mean = total / (double)n;
        sum->lat_p50 = stats_percentile(lat, n, 50);
        sum->lat_p90 = stats_percentile(lat, n, 90);
        sum->lat_p99 = stats_percentile(lat, n, 99);
    }
    free(lat);
    return 0;
}
