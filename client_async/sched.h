/* sched: when sayhi-async's next request is due, and which URL.
 *
 * The engine asks one question and nothing else: is a request left, and
 * when is it due? Closed loop: now, as soon as a connection is free. Open
 * loop (--rate R): request i at t0 + i/R, or after exponential gaps with
 * --arrivals poisson, whatever the server is doing. A crawl (--crawl):
 * a page is due as soon as its URL has been read in a page before it
 * (crawl.h), with its own path; none may be due now while pages in flight
 * can still bring more. Not for: connections or sockets (async.c). */
#ifndef SAYHI_SCHED_H
#define SAYHI_SCHED_H

#include "crawl.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct sched {
    double rate;       /* requests per second; 0: closed loop */
    bool poisson;      /* exponential gaps instead of even ones */
    size_t next;       /* the id the next request gets */
    size_t limit;      /* ids end here (--number) */
    int64_t t0_us;     /* the run's start (monotonic) */
    int64_t end_us;    /* nothing is due at or after this (--duration), INT64_MAX for none */
    int64_t due_us;    /* open loop: when request next is due */
    uint64_t rng;      /* splitmix64 state of the Poisson gaps */
    const char *path;  /* what every request asks for, outside a crawl */
    struct crawl *crawl; /* --crawl: the pages to fetch; NULL otherwise */
};

struct sched_next {
    size_t id;
    int64_t due_us;    /* monotonic; <= now when it may go at once */
    const char *path;
};

/* limit requests from t0_us, until end_us, at rate (0: closed loop). */
void sched_init(struct sched *s, size_t limit, int64_t t0_us, int64_t end_us, double rate, bool poisson,
                const char *path);

/* Makes s a crawl's schedule: pages as c discovers them. */
static inline void sched_crawl(struct sched *s, struct crawl *c) { s->crawl = c; }

/* Whether requests wait for a free connection in a list instead of
 * following one another on each (closed loop): open loop and crawl. */
static inline bool sched_pooled(const struct sched *s) { return s->rate > 0 || s->crawl != NULL; }

/* The next request as of now_us into *n: true while one is left (its due
 * time may lie ahead), false when the schedule is over. */
bool sched_peek(const struct sched *s, int64_t now_us, struct sched_next *n);

/* The request sched_peek gave is being started: move on to the one after. */
void sched_take(struct sched *s);

#endif
