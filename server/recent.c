/* recent: the dashboard's ring of requests and series of samples (recent.h). */
#include "recent.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void recent_init(struct recent *r) { memset(r, 0, sizeof *r); }

void recent_add(struct recent *r, int64_t start_us, int64_t end_us, int64_t delay_us, unsigned status)
{
    r->ended++;
    r->req[(r->ended - 1) % RECENT_MAX] =
        (struct recent_request){.id = r->ended, .start_us = start_us, .end_us = end_us, .delay_us = delay_us,
                                .status = status};
}

void recent_tick(struct recent *r, int64_t now_us, uint64_t in_flight)
{
    const struct recent_sample *last = r->samples > 0 ? &r->sample[(r->samples - 1) % RECENT_SAMPLES] : NULL;
    int64_t span_us = last != NULL ? now_us - last->t_us : RECENT_TICK_MS * 1000;
    double per_s = span_us > 0 ? (double)(r->ended - r->ended_at_sample) * 1e6 / (double)span_us : 0;
    /* "%.3f" rounds a tie to even (976.5625 is 976.562): rounded once
     * here, by printf itself, four times a second, not per body. */
    char text[32];
    snprintf(text, sizeof text, "%.3f", per_s < 1e12 ? per_s : 1e12);
    char *dot = strchr(text, '.');
    int64_t milli = dot != NULL ? strtoll(text, NULL, 10) * 1000 + strtoll(dot + 1, NULL, 10) : 0;
    r->sample[r->samples % RECENT_SAMPLES] = (struct recent_sample){.t_us = now_us, .in_flight = in_flight,
                                                                    .per_s_milli = milli};
    r->samples++;
    r->ended_at_sample = r->ended;
}

/* The JSON is written by hand into one buffer sized up front: fprintf's
 * "%.3f" cost about 100 ns a number, and a full body (4,300 numbers, 34 KB)
 * took 460 us to build, which an /events stream does every 400 ms and
 * during which due timers wait. Every time is a whole number of
 * microseconds, which "%.3f" of the milliseconds prints exactly: the same
 * digits come out of integer arithmetic. */
struct out {
    char *p;
};

static void put(struct out *o, const char *s, size_t n)
{
    memcpy(o->p, s, n);
    o->p += n;
}

#define PUT(o, lit) put(o, lit, sizeof lit - 1)

/* "[" begins an array's item, ",[" the ones after the first. */
static void item(struct out *o, bool later)
{
    if (later)
        *o->p++ = ',';
    *o->p++ = '[';
}

static void put_u64(struct out *o, uint64_t v)
{
    char tmp[20];
    size_t n = 0;
    do
        tmp[n++] = (char)('0' + v % 10);
    while ((v /= 10) != 0);
    while (n > 0)
        *o->p++ = tmp[--n];
}

/* thousandths as "%.3f" prints their value / 1000 */
static void put_milli(struct out *o, int64_t thousandths)
{
    uint64_t u = thousandths < 0 ? (uint64_t)0 - (uint64_t)thousandths : (uint64_t)thousandths;
    if (thousandths < 0)
        *o->p++ = '-';
    put_u64(o, u / 1000);
    unsigned f = (unsigned)(u % 1000);
    char frac[4] = {'.', (char)('0' + f / 100), (char)('0' + f / 10 % 10), (char)('0' + f % 10)};
    put(o, frac, sizeof frac);
}

/* Room for the longest of each part: 20 digits for a u64, 21 for a time. */
#define HEAD_MAX 200
#define SAMPLE_MAX (3 + 21 + 1 + 20 + 1 + 21 + 1)
#define ENDED_MAX (3 + 20 + 1 + 21 + 1 + 21 + 1 + 10 + 1 + 21 + 1)
#define OPEN_MAX (3 + 21 + 1 + 21 + 1)

char *recent_json(const struct recent *r, uint64_t since, int64_t now_us, uint64_t in_flight, uint64_t peak,
                  const struct recent_open *open, unsigned nopen)
{
    uint64_t first = r->samples > RECENT_SAMPLES ? r->samples - RECENT_SAMPLES : 0;
    uint64_t oldest = r->ended > RECENT_MAX ? r->ended - RECENT_MAX + 1 : 1;
    uint64_t from = since + 1 > oldest ? since + 1 : oldest;
    uint64_t nended = r->ended >= from ? r->ended - from + 1 : 0;
    size_t cap = HEAD_MAX + (size_t)(r->samples - first) * SAMPLE_MAX + (size_t)nended * ENDED_MAX +
                 (size_t)nopen * OPEN_MAX;
    char *buf = malloc(cap);
    if (buf == NULL)
        return NULL;
    struct out o = {buf};
    PUT(&o, "{\"now_ms\":");
    put_milli(&o, now_us);
    PUT(&o, ",\"in_flight\":");
    put_u64(&o, in_flight);
    PUT(&o, ",\"peak_in_flight\":");
    put_u64(&o, peak);
    PUT(&o, ",\"last_id\":");
    put_u64(&o, r->ended);
    PUT(&o, ",\"series\":[");
    for (uint64_t i = first; i < r->samples; i++) {
        const struct recent_sample *sm = &r->sample[i % RECENT_SAMPLES];
        item(&o, i > first);
        put_milli(&o, sm->t_us);
        *o.p++ = ',';
        put_u64(&o, sm->in_flight);
        *o.p++ = ',';
        put_milli(&o, sm->per_s_milli);
        *o.p++ = ']';
    }
    PUT(&o, "],\"ended\":[");
    for (uint64_t k = 0; k < nended; k++) {
        uint64_t id = from + k;
        const struct recent_request *q = &r->req[(id - 1) % RECENT_MAX];
        item(&o, k > 0);
        put_u64(&o, q->id);
        *o.p++ = ',';
        put_milli(&o, q->start_us);
        *o.p++ = ',';
        put_milli(&o, q->end_us);
        *o.p++ = ',';
        put_u64(&o, q->status);
        *o.p++ = ',';
        put_milli(&o, q->delay_us);
        *o.p++ = ']';
    }
    PUT(&o, "],\"open\":[");
    for (unsigned i = 0; i < nopen; i++) {
        item(&o, i > 0);
        put_milli(&o, open[i].start_us);
        *o.p++ = ',';
        put_milli(&o, open[i].delay_us);
        *o.p++ = ']';
    }
    PUT(&o, "]}");
    *o.p = '\0';
    return buf;
}
