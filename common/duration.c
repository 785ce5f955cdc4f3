/* duration: strict parsing and formatting of DURATION values (see duration.h).
 *
 * Written by hand rather than with strtod: strtod accepts "nan", "inf", hex
 * floats, exponents and leading blanks, none of which a user means by a delay,
 * and it rounds. Here digits are accumulated exactly in microseconds. */
#include "duration.h"

#include <stdio.h>
#include <string.h>

static const struct {
    const char *suffix;
    int64_t us;
} units[] = {
    {"us", 1},
    {"ms", 1000},
    {"s", 1000000},
    {"m", 60 * INT64_C(1000000)},
    {"h", 3600 * INT64_C(1000000)},
    {"", 1000000}, /* a bare number is seconds */
};

static int is_digit(char c) { return c >= '0' && c <= '9'; }

int duration_parse(const char *s, int64_t *out_us)
{
    if (s == NULL)
        return -1;
    const char *p = s;
    int64_t whole = 0;
    int nwhole = 0;
    for (; is_digit(*p); p++, nwhole++) {
        if (whole > DURATION_MAX_US) /* keeps the multiply below from overflowing */
            return -1;
        whole = whole * 10 + (*p - '0');
    }
    /* Fraction digits as a numerator over a power of ten; digits past the
     * 9th cannot change a microsecond count (even in minutes) and are only
     * validated. frac < 1e9 and unit <= 6e7 keep frac * unit inside int64. */
    int64_t frac = 0, scale = 1;
    int nfrac = 0;
    if (*p == '.') {
        for (p++; is_digit(*p); p++, nfrac++) {
            if (nfrac < 9) {
                frac = frac * 10 + (*p - '0');
                scale *= 10;
            }
        }
    }
    if (nwhole == 0 && nfrac == 0)
        return -1;

    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
        if (strcmp(p, units[i].suffix) != 0)
            continue;
        int64_t unit = units[i].us;
        if (whole > DURATION_MAX_US / unit)
            return -1;
        int64_t us = whole * unit + frac * unit / scale;
        if (us > DURATION_MAX_US)
            return -1;
        *out_us = us;
        return 0;
    }
    return -1;
}

char *duration_decimal(int64_t value, int64_t per, char *buf, size_t len)
{
    int digits = 0;
    for (int64_t p = per; p > 1; p /= 10)
        digits++;
    char frac[24] = "";
    if (value % per != 0) {
        int n = snprintf(frac, sizeof frac, ".%0*lld", digits, (long long)(value % per));
        while (n > 1 && frac[n - 1] == '0')
            frac[--n] = '\0';
    }
    snprintf(buf, len, "%lld%s", (long long)(value / per), frac);
    return buf;
}

char *duration_format(int64_t us, char *buf, size_t len)
{
    /* Exact, and parseable again: the largest unit the value reaches (s, ms,
     * us) with its whole fraction. %g would round and switch to exponents
     * ("1.31536e+07s"), which the parser rightly rejects. */
    int64_t per = us >= 1000000 || us == 0 ? 1000000 : us >= 1000 ? 1000 : 1;
    char num[40];
    snprintf(buf, len, "%s%s", duration_decimal(us, per, num, sizeof num),
             per == 1000000 ? "s" : per == 1000 ? "ms" : "us");
    return buf;
}
