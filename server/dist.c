/* dist: parsing, formatting and drawing of delay distributions (dist.h).
 * One table says how each kind is written; the parser and the formatter both
 * read it, which is what makes dist_format()'s text parse back. */
#include "dist.h"

#include "duration.h"
#include "grammar.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static const struct form {
    const char *prefix; /* "" for the two forms without one */
    const char *sep;    /* between the two durations; NULL when there is one */
    const char *usage;
} forms[] = {
    [DIST_FIXED] = {"", NULL, "DURATION"},
    [DIST_UNIFORM] = {"", "..", "MIN..MAX"},
    [DIST_NORMAL] = {"normal:", ",", "normal:MEAN,SD"},
    [DIST_EXP] = {"exp:", NULL, "exp:MEAN"},
    [DIST_LOGNORMAL] = {"lognormal:", ",", "lognormal:MEDIAN,P99"},
};

#define EXPECTED "expected DURATION, MIN..MAX, normal:MEAN,SD, exp:MEAN or lognormal:MEDIAN,P99"

static enum dist_kind kind_of(const char *s)
{
    for (size_t k = 0; k < sizeof forms / sizeof forms[0]; k++) {
        size_t n = strlen(forms[k].prefix);
        if (n > 0 && strncmp(s, forms[k].prefix, n) == 0)
            return (enum dist_kind)k;
    }
    return strstr(s, "..") != NULL ? DIST_UNIFORM : DIST_FIXED;
}

/* Parses the DURATION p[0..n) of the value s. */
static int parse_part(const char *s, enum dist_kind kind, const char *p, size_t n, int64_t *us, char *err,
                      size_t errlen)
{
    char part[DIST_PART_MAX + 1], quoted[GRAMMAR_ECHO_MAX / 2];
    if (n > 0 && n <= DIST_PART_MAX) {
        memcpy(part, p, n);
        part[n] = '\0';
        if (duration_parse(part, us) == 0)
            return 0;
    }
    if (kind == DIST_FIXED)
        return grammar_error(err, errlen, "delay", s, EXPECTED);
    if (n == 0)
        return grammar_error(err, errlen, "delay", s, "a duration is missing (%s)", forms[kind].usage);
    return grammar_error(err, errlen, "delay", s, "'%s' is not a duration like 250ms or 1.5s",
                         grammar_quote(p, n, quoted, sizeof quoted));
}

static int check(const char *s, const struct dist *d, char *err, size_t errlen)
{
    if (d->kind == DIST_UNIFORM && d->a_us > d->b_us)
        return grammar_error(err, errlen, "delay", s, "the lower bound is above the upper one");
    if (d->kind == DIST_LOGNORMAL && d->a_us == 0)
        return grammar_error(err, errlen, "delay", s, "the median must be above 0");
    if (d->kind == DIST_LOGNORMAL && d->b_us <= d->a_us)
        return grammar_error(err, errlen, "delay", s, "the 99th percentile must be above the median");
    return 0;
}

int dist_parse(const char *s, struct dist *d, char *err, size_t errlen)
{
    struct dist out = {.kind = kind_of(s)};
    const struct form *f = &forms[out.kind];
    const char *body = s + strlen(f->prefix), *second = NULL;
    size_t first = strlen(body);
    if (f->sep != NULL) {
        const char *sep = strstr(body, f->sep);
        if (sep == NULL)
            return grammar_error(err, errlen, "delay", s, "expected %s", f->usage);
        first = (size_t)(sep - body);
        second = sep + strlen(f->sep);
    }
    if (parse_part(s, out.kind, body, first, &out.a_us, err, errlen) != 0 ||
        (second != NULL && parse_part(s, out.kind, second, strlen(second), &out.b_us, err, errlen) != 0) ||
        check(s, &out, err, errlen) != 0)
        return -1;
    *d = out;
    return 0;
}

char *dist_format(const struct dist *d, char *buf, size_t len)
{
    const struct form *f = &forms[d->kind];
    char a[32], b[32] = "";
    duration_format(d->a_us, a, sizeof a);
    if (f->sep != NULL)
        duration_format(d->b_us, b, sizeof b);
    snprintf(buf, len, "%s%s%s%s", f->prefix, a, f->sep != NULL ? f->sep : "", b);
    return buf;
}

/* Rounds a non-negative x to the microsecond; past INT64_MAX (where the
 * conversion would be undefined) it saturates. */
static int64_t round_us(double x)
{
    return x < 0x1p63 ? (int64_t)llround(x) : INT64_MAX;
}

/* The standard normal's upper tail, P(Z > z). */
static double upper_tail(double z) { return 0.5 * erfc(z / M_SQRT2); }

/* The 99th percentile of N(a, b) given >= 0: a + z b where Q(z) = Q(-a/b)/100.
 * Q(-a/b) lies in [1/2, 1] (a >= 0), so z lies in [z99, 2.576]: bisection
 * on [2, 3] converges to the last bit of a double in 64 halvings. */
static int64_t normal_p99(int64_t a, int64_t b)
{
    if (b == 0)
        return a;
    double target = upper_tail(-(double)a / (double)b) / 100, lo = 2, hi = 3;
    for (int i = 0; i < 64; i++) {
        double mid = (lo + hi) / 2;
        if (upper_tail(mid) > target)
            lo = mid;
        else
            hi = mid;
    }
    return round_us((double)a + (lo + hi) / 2 * (double)b);
}

int64_t dist_p99_us(const struct dist *d)
{
    switch (d->kind) {
    case DIST_UNIFORM:
    case DIST_LOGNORMAL:
        return d->b_us;
    case DIST_NORMAL:
        return normal_p99(d->a_us, d->b_us);
    case DIST_EXP:
        return round_us((double)d->a_us * log(100.0));
    case DIST_FIXED:
        break;
    }
    return d->a_us;
}

static int64_t draw_normal(int64_t mean, int64_t sd, struct rng *r)
{
    for (int i = 0; i < DIST_NORMAL_TRIES; i++) {
        double x = (double)mean + (double)sd * rng_normal(r);
        if (x >= 0)
            return round_us(x);
    }
    return 0;
}

int64_t dist_draw_us(const struct dist *d, struct rng *r)
{
    double a = (double)d->a_us, b = (double)d->b_us;
    switch (d->kind) {
    case DIST_UNIFORM: {
        /* n <= DURATION_MAX_US + 1 < 2^53: exact as a double. The guard is
         * for u * n rounding up to n when u is the largest uniform. */
        int64_t n = d->b_us - d->a_us + 1, k = (int64_t)(rng_uniform(r) * (double)n);
        return d->a_us + (k < n ? k : n - 1);
    }
    case DIST_NORMAL:
        return draw_normal(d->a_us, d->b_us, r);
    case DIST_EXP:
        return round_us(-a * log(1.0 - rng_uniform(r)));
    case DIST_LOGNORMAL:
        return round_us(exp(log(a) + (log(b) - log(a)) / DIST_Z99 * rng_normal(r)));
    case DIST_FIXED:
        break;
    }
    return d->a_us;
}
