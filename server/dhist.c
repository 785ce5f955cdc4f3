/* dhist: log-linear delay histogram (dhist.h). */
#include "dhist.h"

#include <string.h>

#define OVERFLOW (DHIST_BUCKETS - 1)

void dhist_init(struct dhist *h) { memset(h, 0, sizeof *h); }

static unsigned top_bit(uint64_t v) { return 63u - (unsigned)__builtin_clzll(v); }

static unsigned index_of(int64_t us)
{
    if (us < DHIST_EXACT)
        return us < 0 ? 0 : (unsigned)us;
    if (us >> DHIST_TOP_BITS != 0)
        return OVERFLOW;
    unsigned e = top_bit((uint64_t)us); /* 7 .. 31 */
    unsigned sub = (unsigned)((uint64_t)us >> (e - 6)) - DHIST_SUB;
    return DHIST_EXACT + (e - 7) * DHIST_SUB + sub;
}

/* The middle of bucket i (the lower of the two middle integers), which is
 * within half a bucket width of every value in it. */
static int64_t middle_of(unsigned i)
{
    if (i < DHIST_EXACT)
        return i;
    unsigned e = 7 + (i - DHIST_EXACT) / DHIST_SUB, sub = (i - DHIST_EXACT) % DHIST_SUB;
    int64_t width = INT64_C(1) << (e - 6), lo = (DHIST_SUB + sub) * width;
    return lo + width / 2 - 1;
}

void dhist_add(struct dhist *h, int64_t us)
{
    if (us < 0)
        us = 0;
    if (h->count == 0 || us < h->min)
        h->min = us;
    if (h->count == 0 || us > h->max)
        h->max = us;
    h->count++;
    h->bucket[index_of(us)]++;
}

uint64_t dhist_count(const struct dhist *h) { return h->count; }
int64_t dhist_min(const struct dhist *h) { return h->min; }
int64_t dhist_max(const struct dhist *h) { return h->max; }

/* ceil(count * p / 100) in whole numbers of 1/1000 %, as stats_percentile
 * does, split so that count * 100000 cannot overflow. */
static uint64_t rank_of(uint64_t count, double p)
{
    uint64_t milli = p > 0 ? (p < 100 ? (uint64_t)(p * 1000 + 0.5) : 100000) : 0;
    uint64_t rank = count / 100000 * milli + ((count % 100000) * milli + 99999) / 100000;
    return rank < 1 ? 1 : rank > count ? count : rank;
}

int64_t dhist_percentile(const struct dhist *h, double p)
{
    if (h->count == 0)
        return 0;
    uint64_t rank = rank_of(h->count, p), seen = 0;
    unsigned i = 0;
    while ((seen += h->bucket[i]) < rank)
        i++;
    int64_t v = i == OVERFLOW ? h->max : middle_of(i);
    return v < h->min ? h->min : v > h->max ? h->max : v;
}
