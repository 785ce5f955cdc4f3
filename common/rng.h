/* rng: the seeded random numbers behind every drawn request behaviour.
 *
 * splitmix64 turns a 64-bit seed into a state (and derives per-request
 * seeds); xoshiro256** generates. Both are the published algorithms of
 * Vigna and Blackman, small and exact, so the same seed gives the same
 * sequence on every machine: unit tests pin their reference outputs.
 * Sampling methods are fixed and documented, so the number of draws each
 * call consumes is known. Not for: anything secret (not cryptographic), or
 * the distributions themselves (server/dist.c). Shared by the server's draws
 * and sayhi-async's Poisson gaps. */
#ifndef SAYHI_RNG_H
#define SAYHI_RNG_H

#include <stdint.h>

struct rng {
    uint64_t s[4];
};

/* s[0..3] = four successive splitmix64 outputs starting from state seed.
 * splitmix64 is a bijection of its counter, so at most one of the four is
 * zero and xoshiro's forbidden all-zero state cannot occur. */
void rng_seed(struct rng *r, uint64_t seed);

/* The next xoshiro256** output. */
uint64_t rng_next(struct rng *r);

/* (rng_next >> 11) * 2^-53: one draw, uniform on the 2^53 multiples of 2^-53
 * in [0, 1); never 1. */
double rng_uniform(struct rng *r);

/* A standard normal deviate by the Box-Muller transform: two uniforms u1, u2
 * (in that order), sqrt(-2 ln(1 - u1)) * cos(2 pi u2); 1 - u1 lies in (0, 1],
 * so the log is finite (|result| <= 8.58). The sine's second deviate is not
 * cached, so every call consumes exactly two draws and a request's draws do
 * not depend on what the previous request drew. */
double rng_normal(struct rng *r);

/* Advances *state by the golden-ratio increment and returns its splitmix64
 * output; exposed for deriving independent per-request seeds. */
uint64_t rng_splitmix64(uint64_t *state);

#endif
