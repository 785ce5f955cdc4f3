/* recent: what the live dashboard shows of the server's recent past.
 *
 * A bounded ring of the last RECENT_MAX /say-hi requests that ended (arrival,
 * end, status, delay drawn), and a series of samples every RECENT_TICK_MS of
 * the requests in flight and of the requests ended per second, over the last
 * RECENT_SERIES_S seconds. Fixed size, no allocation after init, O(1) per
 * request: the dashboard costs the server nothing it does not already do.
 * Pure: the JSON of /recent is built here and unit-tested without a socket.
 * Not for: the page itself (dashboard.html) or the counters of /stats. */
#ifndef SAYHI_RECENT_H
#define SAYHI_RECENT_H

#include <stdint.h>

#define RECENT_MAX 512
#define RECENT_TICK_MS 250
#define RECENT_SERIES_S 60
#define RECENT_SAMPLES (RECENT_SERIES_S * 1000 / RECENT_TICK_MS)

struct recent_request {
    uint64_t id;        /* 1, 2, ...: the order requests ended in */
    int64_t start_us;   /* arrival, from the server's start */
    int64_t end_us;
    int64_t delay_us;   /* drawn */
    unsigned status;    /* 0: a fault, no response */
};

struct recent_sample {
    int64_t t_us;       /* from the server's start */
    uint64_t in_flight;
    int64_t per_s_milli; /* requests ended per second since the sample before, in
                          * thousandths, rounded as "%.3f" rounds them */
};

struct recent {
    struct recent_request req[RECENT_MAX];
    uint64_t ended;     /* requests ever added; req[(ended - 1) % RECENT_MAX] is the last */
    struct recent_sample sample[RECENT_SAMPLES];
    uint64_t samples;
    uint64_t ended_at_sample;
};

void recent_init(struct recent *r);

/* One /say-hi ended (times from the server's start). */
void recent_add(struct recent *r, int64_t start_us, int64_t end_us, int64_t delay_us, unsigned status);

/* A sample, taken every RECENT_TICK_MS. */
void recent_tick(struct recent *r, int64_t now_us, uint64_t in_flight);

/* One still waiting, for the dashboard's timeline: arrival and delay drawn. */
struct recent_open {
    int64_t start_us, delay_us;
};

/* The /recent object: {"now_ms","in_flight","peak_in_flight","last_id",
 * "series":[[t_ms,in_flight,per_s],...], "ended":[[id,start_ms,end_ms,status,
 * delay_ms],...] (those with id > since, oldest first), "open":[[start_ms,
 * delay_ms],...]}. malloc'd; NULL when out of memory. */
char *recent_json(const struct recent *r, uint64_t since, int64_t now_us, uint64_t in_flight, uint64_t peak,
                  const struct recent_open *open, unsigned nopen);

#endif
