/* libFuzzer target: the DIST parser, formatter and sampler (server/dist.h).
 *
 * Invariants: an accepted distribution has durations in [0, DURATION_MAX_US]
 * and the shape its kind promises (uniform a <= b, lognormal 0 < a < b, b 0
 * for the one-value kinds); its canonical text fits DIST_TEXT_MAX and parses
 * back to the same struct; its p99 is at least a (and, for the normal,
 * between a + 2.326 b and a + 2.576 b); draws are >= 0 and inside what each
 * method can produce (uniform within [a, b], normal and exp below the
 * largest deviate a 53-bit uniform gives, fixed exactly a). A rejection
 * leaves the struct alone and says why in one short line. */
#include "dist.h"
#include "duration.h"

#include "fuzz_check.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* |z| of Box-Muller is at most sqrt(-2 ln 2^-53) = 8.57; -ln(1 - u) at most
 * 53 ln 2 = 36.8. Both with a margin for rounding. */
#define Z_MAX 8.6
#define EXP_MAX 36.8

static void check_shape(const struct dist *d)
{
    fuzz_require(d->kind >= DIST_FIXED && d->kind <= DIST_LOGNORMAL);
    fuzz_require(d->a_us >= 0 && d->a_us <= DURATION_MAX_US && d->b_us >= 0 && d->b_us <= DURATION_MAX_US);
    fuzz_require(d->kind != DIST_UNIFORM || d->a_us <= d->b_us);
    fuzz_require(d->kind != DIST_LOGNORMAL || (d->a_us > 0 && d->a_us < d->b_us));
    fuzz_require((d->kind != DIST_FIXED && d->kind != DIST_EXP) || d->b_us == 0);
}

static void check_p99(const struct dist *d)
{
    double a = (double)d->a_us, b = (double)d->b_us, p99 = (double)dist_p99_us(d);
    fuzz_require(p99 >= a);
    if (d->kind == DIST_NORMAL)
        fuzz_require(p99 >= a + 2.3263 * b - 1 && p99 <= a + 2.5759 * b + 1);
}

/* The largest value each method can draw, +1 for rounding. */
static double draw_max(const struct dist *d)
{
    double a = (double)d->a_us, b = (double)d->b_us;
    switch (d->kind) {
    case DIST_UNIFORM:
        return b;
    case DIST_NORMAL:
        return a + Z_MAX * b + 1;
    case DIST_EXP:
        return a * EXP_MAX + 1;
    case DIST_LOGNORMAL:
        return exp(log(a) + (log(b) - log(a)) / DIST_Z99 * Z_MAX) + 1;
    case DIST_FIXED:
        break;
    }
    return a;
}

static void check_draws(const struct dist *d, const uint8_t *data, size_t size)
{
    struct rng r;
    fuzz_rng(&r, data, size);
    double max = draw_max(d);
    for (int i = 0; i < 16; i++) {
        int64_t v = dist_draw_us(d, &r);
        fuzz_require(v >= 0 && (double)v <= max);
        fuzz_require(d->kind != DIST_FIXED || v == d->a_us);
        fuzz_require(d->kind != DIST_UNIFORM || v >= d->a_us);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = fuzz_string(data, size), err[FUZZ_ERR_LEN], text[DIST_TEXT_MAX];
    struct dist d = {DIST_EXP, 7, 7}, again;
    fuzz_err_reset(err);
    int rc = dist_parse(s, &d, err, sizeof err);
    if (fuzz_accepted(rc, d.kind == DIST_EXP && d.a_us == 7 && d.b_us == 7, err, "invalid delay '")) {
        check_shape(&d);
        dist_format(&d, text, sizeof text);
        fuzz_require(strlen(text) < sizeof text - 1); /* never cut short */
        fuzz_require(dist_parse(text, &again, err, sizeof err) == 0 && again.kind == d.kind &&
                     again.a_us == d.a_us && again.b_us == d.b_us);
        check_p99(&d);
        check_draws(&d, data, size);
    }
    free(s);
    return 0;
}
