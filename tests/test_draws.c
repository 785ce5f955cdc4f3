/* Statistical unit tests of what sayhi-server draws (issue 9): delay
 * distributions, status mixes and faults against their definitions.
 *
 * Every check uses a fixed seed, so a run is repeatable, but its bound is the
 * one the statistics give for any seed: SIGMAS standard errors of the
 * estimate, computed below from the asked distribution (binomial for a
 * fraction, sd/sqrt(n) for a mean, sqrt(p(1-p)/n)/density for a quantile).
 * A correct generator fails one of these checks with probability of order
 * 1e-6 per check; a wrong formula (mean for median, a + 2.33 sd for a
 * truncated normal's p99, off-by-one bounds) misses them by far more.
 * SAYHI_DRAWS_SEED=N adds N to every seed, to see that for yourself. */
#include "dist.h"
#include "fault.h"
#include "mix.h"
#include "rng.h"

#include "testsuite.h"

#include <check.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#define SIGMAS 5.0
#define DRAWS 100000

struct sample {
    int64_t v[DRAWS]; /* sorted */
    double mean, sd;
};

/* The fixed seed of a check, moved by SAYHI_DRAWS_SEED. */
static uint64_t seed(uint64_t fixed)
{
    const char *env = getenv("SAYHI_DRAWS_SEED");
    return fixed + (env != NULL ? strtoull(env, NULL, 10) : 0);
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* DRAWS delays of the distribution text, drawn from seed(fixed_seed), sorted. */
static struct sample *draw_sample(const char *text, uint64_t fixed_seed)
{
    struct dist d;
    char err[256];
    ck_assert_msg(dist_parse(text, &d, err, sizeof err) == 0, "%s", err);
    struct sample *s = malloc(sizeof *s);
    ck_assert_ptr_nonnull(s);
    struct rng r;
    rng_seed(&r, seed(fixed_seed));
    double sum = 0, sq = 0;
    for (size_t i = 0; i < DRAWS; i++) {
        s->v[i] = dist_draw_us(&d, &r);
        ck_assert_int_ge(s->v[i], 0);
        sum += (double)s->v[i];
    }
    s->mean = sum / DRAWS;
    for (size_t i = 0; i < DRAWS; i++)
        sq += ((double)s->v[i] - s->mean) * ((double)s->v[i] - s->mean);
    s->sd = sqrt(sq / (DRAWS - 1));
    qsort(s->v, DRAWS, sizeof s->v[0], cmp_i64);
    return s;
}

static double fraction_at_most(const struct sample *s, int64_t x)
{
    size_t n = 0;
    while (n < DRAWS && s->v[n] <= x)
        n++;
    return (double)n / DRAWS;
}

static int64_t quantile(const struct sample *s, double p) { return s->v[(size_t)ceil(p * DRAWS) - 1]; }

static double binomial_bound(double p) { return SIGMAS * sqrt(p * (1 - p) / DRAWS); }

#define assert_near(what, got, want, bound)                                                                   \
    ck_assert_msg(fabs((double)(got) - (double)(want)) <= (bound), "%s: %.6g, expected %.6g +- %.3g", what,      \
                  (double)(got), (double)(want), (double)(bound))

START_TEST(dist_uniform_bounds_and_mean)
{
    struct sample *s = draw_sample("100ms..300ms", 1);
    double a = 100000, b = 300000, width = b - a + 1;
    ck_assert_int_ge(s->v[0], 100000);
    ck_assert_int_le(s->v[DRAWS - 1], 300000);
    /* Both ends reached within 0.1% of the width: P(miss) = 0.999^DRAWS. */
    ck_assert_int_lt(s->v[0], a + width / 1000);
    ck_assert_int_gt(s->v[DRAWS - 1], b - width / 1000);
    double sd = sqrt((width * width - 1) / 12); /* discrete uniform */
    assert_near("uniform mean", s->mean, (a + b) / 2, SIGMAS * sd / sqrt(DRAWS));
    free(s);
}
END_TEST

START_TEST(dist_exp_mean_and_p99)
{
    struct sample *s = draw_sample("exp:100ms", 2);
    assert_near("exp mean", s->mean, 100000, SIGMAS * 100000 / sqrt(DRAWS)); /* sd = mean */
    struct dist d = {DIST_EXP, 100000, 0};
    assert_near("exp P(X <= p99)", fraction_at_most(s, dist_p99_us(&d)), 0.99, binomial_bound(0.99));
    free(s);
}
END_TEST

START_TEST(dist_normal_mean_sd_p99)
{
    struct sample *s = draw_sample("normal:100ms,20ms", 3);
    assert_near("normal mean", s->mean, 100000, SIGMAS * 20000 / sqrt(DRAWS));
    assert_near("normal sd", s->sd, 20000, SIGMAS * 20000 / sqrt(2.0 * DRAWS));
    struct dist d = {DIST_NORMAL, 100000, 20000};
    assert_near("normal p99 formula", dist_p99_us(&d), 100000 + DIST_Z99 * 20000, 1);
    assert_near("normal P(X <= p99)", fraction_at_most(s, dist_p99_us(&d)), 0.99, binomial_bound(0.99));
    free(s);
}
END_TEST

/* Truncated at 0 as drawn: with mean 0 half the normal is redrawn, and the
 * 99th percentile is the half-normal's, 2.576 sd, not 2.326 sd. */
START_TEST(dist_normal_truncated_at_zero)
{
    struct sample *s = draw_sample("normal:0s,100ms", 4);
    ck_assert_int_ge(s->v[0], 0);
    struct dist d = {DIST_NORMAL, 0, 100000};
    assert_near("half-normal p99", dist_p99_us(&d), 257583, 1);
    assert_near("half-normal P(X <= p99)", fraction_at_most(s, dist_p99_us(&d)), 0.99, binomial_bound(0.99));
    assert_near("half-normal mean", s->mean, 100000 * sqrt(2 / M_PI), SIGMAS * 100000 / sqrt(DRAWS));
    free(s);
}
END_TEST

START_TEST(dist_lognormal_median_and_p99)
{
    struct sample *s = draw_sample("lognormal:100ms,1s", 5);
    assert_near("lognormal P(X <= median)", fraction_at_most(s, 100000), 0.5, binomial_bound(0.5));
    assert_near("lognormal P(X <= p99)", fraction_at_most(s, 1000000), 0.99, binomial_bound(0.99));
    /* The same as relative errors of the sample quantiles: the standard error
     * of the p-quantile of exp(mu + sigma Z) is x_p sigma sqrt(p(1-p)/n) /
     * phi(z_p): 0.39% for the median, 1.17% for p99 at n = 100,000. */
    double sigma = log(10) / DIST_Z99, phi0 = 1 / sqrt(2 * M_PI), phi99 = phi0 * exp(-DIST_Z99 * DIST_Z99 / 2);
    assert_near("lognormal median", quantile(s, 0.5), 100000,
                100000 * SIGMAS * sigma * sqrt(0.25 / DRAWS) / phi0);
    assert_near("lognormal p99", quantile(s, 0.99), 1000000,
                1000000 * SIGMAS * sigma * sqrt(0.0099 / DRAWS) / phi99);
    free(s);
}
END_TEST

START_TEST(dist_same_seed_same_draws)
{
    static const char *texts[] = {"1s", "0..2s", "normal:1s,1s", "exp:1s", "lognormal:1ms,10s"};
    for (size_t t = 0; t < sizeof texts / sizeof texts[0]; t++) {
        struct dist d;
        char err[128];
        ck_assert_int_eq(dist_parse(texts[t], &d, err, sizeof err), 0);
        struct rng a, b;
        rng_seed(&a, 99);
        rng_seed(&b, 99);
        for (int i = 0; i < 1000; i++)
            ck_assert_int_eq(dist_draw_us(&d, &a), dist_draw_us(&d, &b));
    }
    /* fixed consumes no draws: the generator is where it was. */
    struct dist fixed = {DIST_FIXED, 250000, 0};
    struct rng r, untouched;
    rng_seed(&r, 5);
    untouched = r;
    ck_assert_int_eq(dist_draw_us(&fixed, &r), 250000);
    ck_assert_uint_eq(rng_next(&r), rng_next(&untouched));
}
END_TEST

/* Each of n outcomes (index) drawn DRAWS times lands within SIGMAS binomial
 * standard deviations of its probability p[i]. */
static void assert_frequencies(const char *what, const unsigned *count, const double *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char name[64];
        snprintf(name, sizeof name, "%s, outcome %zu", what, i);
        assert_near(name, (double)count[i] / DRAWS, p[i], binomial_bound(p[i]));
    }
}

START_TEST(mix_frequencies)
{
    struct status_mix m;
    char err[128];
    ck_assert_int_eq(mix_parse("200:7,404:2,503:1", &m, err, sizeof err), 0);
    struct rng r;
    rng_seed(&r, seed(6));
    unsigned count[3] = {0, 0, 0};
    for (int i = 0; i < DRAWS; i++) {
        unsigned code = mix_draw(&m, &r);
        count[code == 200 ? 0 : code == 404 ? 1 : 2]++;
        ck_assert(code == 200 || code == 404 || code == 503);
    }
    assert_frequencies("mix 200:7,404:2,503:1", count, (const double[]){0.7, 0.2, 0.1}, 3);
}
END_TEST

/* One uniform draw per call, whatever the mix: the next output is the same
 * after a single-code mix as after a weighted one. */
START_TEST(mix_one_draw_always)
{
    struct status_mix one, two, empty = {.n = 0};
    char err[128];
    ck_assert_int_eq(mix_parse("503", &one, err, sizeof err), 0);
    ck_assert_int_eq(mix_parse("200:1,500:1", &two, err, sizeof err), 0);
    struct rng a, b, c;
    rng_seed(&a, 11);
    b = c = a;
    ck_assert_uint_eq(mix_draw(&one, &a), 503);
    (void)mix_draw(&two, &b);
    ck_assert_uint_eq(mix_draw(&empty, &c), 200);
    uint64_t next = rng_next(&a);
    ck_assert_uint_eq(next, rng_next(&b));
    ck_assert_uint_eq(next, rng_next(&c));
}
END_TEST

START_TEST(fault_frequencies)
{
    struct fault_list f;
    char err[128];
    ck_assert_int_eq(fault_parse("reset:0.1,close:0.05,garbage:0.2,truncate:0.01,hang:0.3", &f, err, sizeof err),
                     0);
    struct rng r;
    rng_seed(&r, seed(7));
    unsigned count[FAULT_KINDS] = {0};
    for (int i = 0; i < DRAWS; i++)
        count[fault_draw(&f, &r)]++;
    const double p[FAULT_KINDS] = {[FAULT_NONE] = 0.34, [FAULT_RESET] = 0.1, [FAULT_CLOSE] = 0.05,
                                   [FAULT_GARBAGE] = 0.2, [FAULT_TRUNCATE] = 0.01, [FAULT_HANG] = 0.3};
    assert_frequencies("faults", count, p, FAULT_KINDS);
}
END_TEST

/* One uniform draw per call: after "none", "reset" (P 1) and a mixed list
 * the generator has moved by one output each. */
START_TEST(fault_one_draw_always)
{
    struct fault_list none, always, zero, some;
    char err[128];
    ck_assert_int_eq(fault_parse("none", &none, err, sizeof err), 0);
    ck_assert_int_eq(fault_parse("reset", &always, err, sizeof err), 0);
    ck_assert_int_eq(fault_parse("hang:0", &zero, err, sizeof err), 0);
    ck_assert_int_eq(fault_parse("reset:0.5,hang:0.5", &some, err, sizeof err), 0);
    struct rng a, b, c, d;
    rng_seed(&a, 12);
    b = c = d = a;
    ck_assert_int_eq(fault_draw(&none, &a), FAULT_NONE);
    ck_assert_int_eq(fault_draw(&always, &b), FAULT_RESET);
    ck_assert_int_eq(fault_draw(&zero, &c), FAULT_NONE);
    ck_assert_int_ne(fault_draw(&some, &d), FAULT_NONE);
    uint64_t next = rng_next(&a);
    ck_assert_uint_eq(next, rng_next(&b));
    ck_assert_uint_eq(next, rng_next(&c));
    ck_assert_uint_eq(next, rng_next(&d));
}
END_TEST

int main(void)
{
    const struct testsuite_group groups[] = {
        {"dist", {dist_uniform_bounds_and_mean, dist_exp_mean_and_p99, dist_normal_mean_sd_p99,
                  dist_normal_truncated_at_zero, dist_lognormal_median_and_p99, dist_same_seed_same_draws}},
        {"lists", {mix_frequencies, mix_one_draw_always, fault_frequencies, fault_one_draw_always}},
    };
    Suite *s = suite_create("draws");
    testsuite_add_groups(s, groups, sizeof groups / sizeof groups[0], 60);
    return testsuite_run(s);
}
