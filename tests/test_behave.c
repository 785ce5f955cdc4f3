/* Unit tests of the request behaviours sayhi-server draws (issue 9): the
 * seeded generator against its published reference outputs. */
#include "rng.h"

#include "testsuite.h"

#include <check.h>
#include <stdint.h>

/* Reference outputs, computed from the algorithms as published with
 * their reference C code (prng.di.unimi.it) by an independent
 * implementation; splitmix64(0) and xoshiro256** from {1,2,3,4} are the
 * values other ports test against. */
START_TEST(rng_splitmix64_reference)
{
    static const uint64_t from0[] = {UINT64_C(0xe220a8397b1dcdaf), UINT64_C(0x6e789e6aa1b965f4),
                                     UINT64_C(0x06c45d188009454f), UINT64_C(0xf88bb8a8724c81ec)};
    static const uint64_t from1234567[] = {UINT64_C(6457827717110365317), UINT64_C(3203168211198807973),
                                           UINT64_C(9817491932198370423), UINT64_C(4593380528125082431),
                                           UINT64_C(16408922859458223821)};
    uint64_t state = 0;
    for (size_t i = 0; i < sizeof from0 / sizeof from0[0]; i++)
        ck_assert_uint_eq(rng_splitmix64(&state), from0[i]);
    state = 1234567;
    for (size_t i = 0; i < sizeof from1234567 / sizeof from1234567[0]; i++)
        ck_assert_uint_eq(rng_splitmix64(&state), from1234567[i]);
}
END_TEST

START_TEST(rng_xoshiro_reference)
{
    static const uint64_t from1234[] = {11520, 0, 1509978240, UINT64_C(1215971899390074240),
                                        UINT64_C(1216172134540287360), UINT64_C(607988272756665600)};
    struct rng r = {{1, 2, 3, 4}};
    for (size_t i = 0; i < sizeof from1234 / sizeof from1234[0]; i++)
        ck_assert_uint_eq(rng_next(&r), from1234[i]);
    /* rng_seed(42): the state is splitmix64's first four outputs from 42. */
    static const uint64_t state42[] = {UINT64_C(0xbdd732262feb6e95), UINT64_C(0x28efe333b266f103),
                                       UINT64_C(0x47526757130f9f52), UINT64_C(0x581ce1ff0e4ae394)};
    static const uint64_t from42[] = {UINT64_C(0x15780b2e0c2ec716), UINT64_C(0x6104d9866d113a7e),
                                      UINT64_C(0xae17533239e499a1), UINT64_C(0xecb8ad4703b360a1)};
    rng_seed(&r, 42);
    for (int i = 0; i < 4; i++)
        ck_assert_uint_eq(r.s[i], state42[i]);
    for (int i = 0; i < 4; i++)
        ck_assert_uint_eq(rng_next(&r), from42[i]);
}
END_TEST

START_TEST(rng_uniform_and_normal_draws)
{
    struct rng r, again;
    rng_seed(&r, 42);
    /* uniform is the top 53 bits of the next output, scaled. */
    ck_assert_double_eq(rng_uniform(&r), (double)(UINT64_C(0x15780b2e0c2ec716) >> 11) * 0x1p-53);
    /* normal consumes exactly two draws: the third uniform follows it. */
    rng_seed(&r, 42);
    again = r;
    (void)rng_normal(&r);
    rng_next(&again);
    rng_next(&again);
    ck_assert_uint_eq(rng_next(&r), rng_next(&again));
    /* The extremes of the inputs give finite values. */
    struct rng zero = {{0, 0, 0, 0}}; /* outputs 0 forever: u1 = u2 = 0 */
    ck_assert_double_eq(rng_normal(&zero), 0.0);
    ck_assert_double_eq(rng_uniform(&zero), 0.0);
}
END_TEST

START_TEST(rng_same_seed_same_sequence)
{
    struct rng a, b, c;
    rng_seed(&a, 7);
    rng_seed(&b, 7);
    rng_seed(&c, 8);
    int differs = 0;
    for (int i = 0; i < 1000; i++) {
        uint64_t x = rng_next(&a);
        ck_assert_uint_eq(x, rng_next(&b));
        differs += x != rng_next(&c);
    }
    ck_assert_int_eq(differs, 1000);
}
END_TEST

int main(void)
{
    const struct testsuite_group groups[] = {
        {"rng", {rng_splitmix64_reference, rng_xoshiro_reference, rng_uniform_and_normal_draws,
                 rng_same_seed_same_sequence}},
    };
    Suite *s = suite_create("behave");
    testsuite_add_groups(s, groups, sizeof groups / sizeof groups[0], 30);
    return testsuite_run(s);
}
