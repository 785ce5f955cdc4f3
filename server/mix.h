/* mix: status mixes, the STATUS value of ?status= and --status.
 *
 *   503                  always 503
 *   200:0.9,503:0.1      200 nine times in ten, 503 once in ten
 *   200,503              an entry without a weight weighs 1
 *
 * Codes are three digits from 200 to 599, each listed at most once; weights
 * are relative, plain decimals above 0 (grammar.h: no exponent, sign, nan or
 * inf, at most 9 digits on each side of the point); at most MIX_MAX
 * entries. Pure functions, unit-tested and fuzzed without a socket. Not for:
 * which statuses a route may answer with, or where the draw comes from. */
#ifndef SAYHI_MIX_H
#define SAYHI_MIX_H

#include "rng.h"

#include <stddef.h>

#define MIX_MAX 16
#define MIX_CODE_MIN 200
#define MIX_CODE_MAX 599

/* cum[i]: the weights of code[0..i] over all weights, so cum[n - 1] is
 * exactly 1 and code i is drawn when cum[i-1] <= u < cum[i]. */
struct status_mix {
    unsigned n;
    unsigned code[MIX_MAX];
    double cum[MIX_MAX];
};

/* Parses s into *m. Returns 0, or -1 with a one-line reason naming the value
 * in err ("invalid status '200:0.9,700': 700 is not a status from 200 to
 * 599"); *m is then unchanged. */
int mix_parse(const char *s, struct status_mix *m, char *err, size_t errlen);

/* The code of one draw from m (200 when m is empty: zero-initialised).
 * Consumes exactly one uniform draw, even when there is one code, so the
 * draws a request consumes do not depend on its mix. */
unsigned mix_draw(const struct status_mix *m, struct rng *r);

#endif
