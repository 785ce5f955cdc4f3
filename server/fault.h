/* fault: the FAULT list of ?fault= and --fault, and drawing from it.
 *
 *   reset                the connection is reset every time
 *   reset:0.1,hang:0.05  reset one time in ten, hang one in twenty, else none
 *   none                 no fault (the empty list, to override --fault)
 *
 * Entries are KIND or KIND:P, P a probability from 0 to 1 (a plain decimal,
 * grammar.h; default 1), each kind at most once; the probabilities add up to
 * at most 1, and no fault happens with the rest. What each fault does on the
 * wire is the server's business (reset: RST; close: closed without a byte;
 * garbage: random bytes then closed; truncate: half the body; hang: held
 * until the client leaves or --max-delay). Pure functions, unit-tested and
 * fuzzed without a socket. */
#ifndef SAYHI_FAULT_H
#define SAYHI_FAULT_H

#include "rng.h"

#include <stddef.h>

enum fault { FAULT_NONE, FAULT_RESET, FAULT_CLOSE, FAULT_GARBAGE, FAULT_TRUNCATE, FAULT_HANG, FAULT_KINDS };

/* cum[i]: P of kind[0..i] added up (exact decimal sums, then divided once),
 * so kind i happens when cum[i-1] <= u < cum[i], and none when u >= cum[n-1]. */
struct fault_list {
    unsigned n;
    enum fault kind[FAULT_KINDS];
    double cum[FAULT_KINDS];
};

/* Parses s into *f. Returns 0, or -1 with a one-line reason naming the value
 * in err ("invalid fault 'reset:0.6,hang:0.5': the probabilities add up to
 * 1.1, above 1"); *f is then unchanged. */
int fault_parse(const char *s, struct fault_list *f, char *err, size_t errlen);

/* One draw from f: FAULT_NONE or one of its kinds. Consumes exactly one
 * uniform draw, even for an empty list. */
enum fault fault_draw(const struct fault_list *f, struct rng *r);

/* "none", "reset", "close", "garbage", "truncate", "hang"; NULL for a value
 * outside the enum. */
const char *fault_name(enum fault f);

#endif
