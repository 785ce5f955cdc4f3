/* grammar: the lexical pieces the behaviour values of issue 9 share.
 *
 * DIST, status mixes, fault lists and sizes are each parsed by their own
 * module; what they have in common lives here once: the error message that
 * names the value ("invalid status '200:x': ..."), comma-separated lists of
 * NAME[:NUMBER] entries, and the plain decimal NUMBER those entries carry.
 * Not for: what any name or number means (mix.c, fault.c, dist.c, size.c). */
#ifndef SAYHI_GRAMMAR_H
#define SAYHI_GRAMMAR_H

#include <stddef.h>
#include <stdint.h>

/* How much of a bad value an error message echoes (escaped, see log_escape),
 * so a 2 KB junk value does not become a 2 KB error body. */
#define GRAMMAR_ECHO_MAX 72

/* One decimal NUMBER is a fixed-point count of GRAMMAR_UNIT: exact, so that
 * probabilities such as 0.1 + 0.2 + 0.7 add up to exactly 1. */
#define GRAMMAR_UNIT UINT64_C(1000000000)
#define GRAMMAR_DIGITS 9 /* at most this many digits before and after the '.' */

/* Writes "invalid WHAT 'VALUE': REASON" into err (VALUE escaped and cut to
 * GRAMMAR_ECHO_MAX) and returns -1, so parsers can `return grammar_error(..)`. */
int grammar_error(char *err, size_t errlen, const char *what, const char *value, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

/* s[0..len) escaped into buf for quoting a piece of a value in a reason.
 * Returns buf. */
char *grammar_quote(const char *s, size_t len, char *buf, size_t buflen);

/* Parses s[0..len), a plain decimal ("1", "0.25", ".5", "2."; no sign,
 * exponent, blank, "nan" or "inf"; at most GRAMMAR_DIGITS digits on each side
 * of the point) into *units, in GRAMMAR_UNIT per 1. Returns 0 or -1. */
int grammar_decimal(const char *s, size_t len, uint64_t *units);

/* One entry of a list: NAME or NAME:NUMBER, split at its first ':'. */
struct grammar_item {
    const char *name;
    size_t name_len;
    const char *number; /* NULL when the entry has no ':' */
    size_t number_len;
};

/* Calls fn for each comma-separated entry of s in order, empty ones
 * included (so the caller can reject "a,,b"); a non-zero return stops the
 * walk and is returned. Returns 0 after the last entry. */
typedef int grammar_item_fn(const struct grammar_item *item, void *arg);
int grammar_each_item(const char *s, grammar_item_fn *fn, void *arg);

/* The index of the first cum[i] above u, for u in [0, 1); n when none is
 * (the draw fell past the last entry). cum is non-decreasing. */
unsigned grammar_pick(const double *cum, unsigned n, double u);

#endif
