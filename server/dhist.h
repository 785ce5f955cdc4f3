/* dhist: a fixed-size histogram of the delays sayhi-server draws, for /stats.
 *
 * Log-linear buckets, as HdrHistogram lays them out: values below 128 us each
 * have their own bucket (exact); above, every power of two [2^e, 2^(e+1)) is
 * cut into 64 equal buckets of width 2^(e-6), up to 2^32 - 1 us (71.6 min,
 * above the 1 h that --max-delay allows). A percentile is reported as the
 * middle of the bucket holding the exact nearest-rank value v, kept within
 * the exact min and max, so it differs from v by less than v/128 (0.79%):
 * the bucket's half width is at most 2^(e-7) <= v/128. Values of 2^32 us or
 * more land in one overflow bucket reported as the exact max; negative values
 * are recorded as 0. Fixed size (about 14 KB), no allocation: embed it.
 * Not for: client latencies (common/stats.c keeps those exactly). */
#ifndef SAYHI_DHIST_H
#define SAYHI_DHIST_H

#include <stdint.h>

#define DHIST_EXACT 128 /* values below this have a bucket each */
#define DHIST_SUB 64    /* buckets per power of two above DHIST_EXACT */
#define DHIST_TOP_BITS 32
/* 128 exact + 25 powers of two (2^7 .. 2^31) * 64 + 1 overflow = 1729 */
#define DHIST_BUCKETS (DHIST_EXACT + (DHIST_TOP_BITS - 7) * DHIST_SUB + 1)

struct dhist {
    uint64_t count;
    int64_t min, max; /* exact; 0 while count is 0 */
    uint64_t bucket[DHIST_BUCKETS];
};

void dhist_init(struct dhist *h);
void dhist_add(struct dhist *h, int64_t us);

uint64_t dhist_count(const struct dhist *h);
int64_t dhist_min(const struct dhist *h);
int64_t dhist_max(const struct dhist *h);

/* The nearest-rank p-th percentile (p from 0 to 100; the rank is
 * ceil(p/100 * count) at least 1, as common/stats.c's stats_percentile
 * computes it), within the bound above; 0 when the histogram is empty. */
int64_t dhist_percentile(const struct dhist *h, double p);

#endif
