/* grammar: shared lexical pieces of the behaviour values (grammar.h).
 * Numbers are read by hand rather than with strtod, which accepts "nan",
 * "inf", hex floats, exponents and leading blanks, depends on the locale and
 * rounds: a weight or a probability here is exactly what was written. */
#include "grammar.h"

#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

char *grammar_quote(const char *s, size_t len, char *buf, size_t buflen)
{
    return log_escape(s, len, buf, buflen);
}

int grammar_error(char *err, size_t errlen, const char *what, const char *value, const char *fmt, ...)
{
    char quoted[GRAMMAR_ECHO_MAX + 1];
    grammar_quote(value, strlen(value), quoted, sizeof quoted);
    int n = snprintf(err, errlen, "invalid %s '%s': ", what, quoted);
    if (n >= 0 && (size_t)n < errlen) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err + n, errlen - (size_t)n, fmt, ap);
        va_end(ap);
    }
    return -1;
}

static int is_digit(char c) { return c >= '0' && c <= '9'; }

/* Accumulates at most GRAMMAR_DIGITS digits from s[*i..len) into *v;
 * returns how many were read, or -1 when there are more. */
static int digits(const char *s, size_t len, size_t *i, uint64_t *v)
{
    int n = 0;
    for (; *i < len && is_digit(s[*i]); (*i)++, n++) {
        if (n == GRAMMAR_DIGITS)
            return -1;
        *v = *v * 10 + (uint64_t)(s[*i] - '0');
    }
    return n;
}

int grammar_decimal(const char *s, size_t len, uint64_t *units)
{
    size_t i = 0;
    uint64_t whole = 0, frac = 0;
    int nwhole = digits(s, len, &i, &whole), nfrac = 0;
    if (nwhole < 0)
        return -1;
    if (i < len && s[i] == '.') {
        i++;
        if ((nfrac = digits(s, len, &i, &frac)) < 0)
            return -1;
    }
    if (i != len || nwhole + nfrac == 0)
        return -1;
    for (int k = nfrac; k < GRAMMAR_DIGITS; k++)
        frac *= 10;
    *units = whole * GRAMMAR_UNIT + frac; /* < 10^18: no overflow */
    return 0;
}

int grammar_each_item(const char *s, grammar_item_fn *fn, void *arg)
{
    for (const char *p = s;; p++) {
        size_t len = strcspn(p, ",");
        const char *colon = memchr(p, ':', len);
        struct grammar_item item = {.name = p, .name_len = colon != NULL ? (size_t)(colon - p) : len};
        if (colon != NULL) {
            item.number = colon + 1;
            item.number_len = len - item.name_len - 1;
        }
        int rc = fn(&item, arg);
        if (rc != 0)
            return rc;
        p += len;
        if (*p == '\0')
            return 0;
    }
}

unsigned grammar_pick(const double *cum, unsigned n, double u)
{
    unsigned i = 0;
    while (i < n && !(u < cum[i]))
        i++;
    return i;
}
