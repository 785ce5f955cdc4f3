/* dist: the delay distributions a request may ask for, as DIST text.
 *
 *   250ms                fixed
 *   100ms..300ms         uniform between the two (A <= B), both included
 *   normal:100ms,20ms    normal with that mean and standard deviation,
 *                        truncated at 0; SD 0 is allowed and means fixed
 *   exp:100ms            exponential with that mean; mean 0 is always 0
 *   lognormal:100ms,1s   lognormal with that median and 99th percentile
 *                        (how people state latency); 0 < MEDIAN < P99
 *
 * Each DURATION is common/duration.h's syntax (at most DIST_PART_MAX
 * characters). Values are integer microseconds. Pure functions: parsed,
 * formatted and drawn without a socket, so they are unit-tested and fuzzed.
 * Not for: the --max-delay policy (the caller compares dist_p99_us() and
 * clamps draws), or where the random numbers come from (rng.h). */
#ifndef SAYHI_DIST_H
#define SAYHI_DIST_H

#include "rng.h"

#include <stddef.h>
#include <stdint.h>

enum dist_kind { DIST_FIXED, DIST_UNIFORM, DIST_NORMAL, DIST_EXP, DIST_LOGNORMAL };

/* fixed: a; uniform: a..b; normal: mean a, sd b; exp: mean a; lognormal:
 * median a, p99 b. b is 0 for the kinds with one value. */
struct dist {
    enum dist_kind kind;
    int64_t a_us, b_us;
};

/* The standard normal's 99th percentile. */
#define DIST_Z99 2.3263478740408408
/* A truncated normal draw tries this often to land at or above 0, then gives
 * 0: the mean is >= 0, so a try fails with probability <= 1/2 and giving up
 * happens with probability <= 2^-64. */
#define DIST_NORMAL_TRIES 64
/* Longest DURATION accepted inside a DIST; longer ones are rejected. */
#define DIST_PART_MAX 63
/* Room for dist_format()'s longest text and its NUL. */
#define DIST_TEXT_MAX 64

/* Parses s into *d. Returns 0, or -1 with a one-line reason naming the value
 * in err ("invalid delay '300ms..100ms': the lower bound is above the
 * upper"); *d is then unchanged. */
int dist_parse(const char *s, struct dist *d, char *err, size_t errlen);

/* The distribution's 99th percentile in microseconds, rounded: fixed a,
 * uniform b (the upper bound, a draw can reach it), exp a ln 100, lognormal
 * b, normal the exact 99th percentile of the normal truncated at 0 (as
 * drawn): a + z b with Q(z) = Q(-a/b) / 100, Q the standard normal's upper
 * tail; that is a + 2.326 b when a >= 3 b and up to a + 2.576 b as a -> 0. */
int64_t dist_p99_us(const struct dist *d);

/* One delay drawn from d, >= 0, rounded to the nearest microsecond, not
 * clamped (the caller clamps to --max-delay and counts it); a value beyond
 * INT64_MAX (a wide lognormal's far tail) saturates there. Draws consumed:
 * fixed none; uniform one (a + floor(u (b - a + 1)), every microsecond
 * equally likely); exp one (-a ln(1 - u)); lognormal one rng_normal(), i.e.
 * two (exp(ln a + sigma z), sigma = (ln b - ln a) / DIST_Z99); normal one
 * rng_normal() per try (a + b z, tried again while below 0, see
 * DIST_NORMAL_TRIES). */
int64_t dist_draw_us(const struct dist *d, struct rng *r);

/* The canonical text of d ("250ms", "100ms..300ms", "normal:100ms,20ms",
 * "exp:100ms", "lognormal:100ms,1s", each duration as duration_format()
 * writes it), which dist_parse() reads back to the same struct. Returns buf. */
char *dist_format(const struct dist *d, char *buf, size_t len);

#endif
