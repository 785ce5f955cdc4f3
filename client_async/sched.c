/* sched: the request schedule of sayhi-async (sched.h). */
#include "sched.h"

#include "rng.h"

#include <math.h>

/* Microseconds from one request's due time to the next's. */
static double gap_us(struct sched *s)
{
    double mean = 1e6 / s->rate;
    if (!s->poisson)
        return mean;
    double u = ((double)(rng_splitmix64(&s->rng) >> 11) + 1.0) / 9007199254740993.0; /* (0, 1] */
    return -log(u) * mean;
}

void sched_init(struct sched *s, size_t limit, int64_t t0_us, int64_t end_us, double rate, bool poisson,
                const char *path)
{
    *s = (struct sched){.rate = rate, .poisson = poisson, .limit = limit, .t0_us = t0_us, .end_us = end_us,
                        .due_us = t0_us, .rng = (uint64_t)t0_us, .path = path};
}

/* A crawl: the next page discovered and not started, due now. */
static bool peek_crawl(const struct sched *s, int64_t now_us, struct sched_next *n)
{
    size_t id;
    const char *path;
    if (now_us >= s->end_us || !crawl_peek(s->crawl, &id, &path))
        return false;
    *n = (struct sched_next){.id = id, .due_us = now_us, .path = path};
    return true;
}

bool sched_peek(const struct sched *s, int64_t now_us, struct sched_next *n)
{
    if (s->crawl != NULL)
        return peek_crawl(s, now_us, n);
    int64_t due = s->rate > 0 ? s->due_us : now_us;
    if (s->next >= s->limit || due >= s->end_us)
        return false;
    *n = (struct sched_next){.id = s->next, .due_us = due, .path = s->path};
    return true;
}

void sched_take(struct sched *s)
{
    if (s->crawl != NULL)
        crawl_take(s->crawl); /* its ids are the crawl's: next stays equal to them */
    s->next++;
    /* Even gaps from t0, not from the last due time: no drift from rounding. */
    if (s->rate > 0)
        s->due_us = s->poisson ? s->due_us + (int64_t)llround(gap_us(s))
                               : s->t0_us + (int64_t)llround((double)s->next * 1e6 / s->rate);
}
