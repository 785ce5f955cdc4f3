/* Unit tests of the request behaviours sayhi-server draws (issue 9): the
 * seeded generator against its published reference outputs, and the
 * grammars of the values (every bad form rejected with a message naming the
 * value, canonical text read back to the same value). The statistics of the
 * draws are in test_draws.c. */
#include "dist.h"
#include "fault.h"
#include "grammar.h"
#include "mix.h"
#include "rng.h"
#include "size.h"

#include "testsuite.h"

#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

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

/* A bad form and a piece of the reason it must give. */
struct bad {
    const char *text, *needle;
};

/* Parses text with one of the parsers under test; returns its result after
 * checking that a rejection left the parser's output untouched. */
typedef int parse_fn(const char *text, char *err, size_t errlen);

/* Each bad form is rejected with one line "invalid WHAT 'VALUE': ..."
 * holding its needle. */
static void assert_rejected(const struct bad *cases, size_t n, const char *what, parse_fn *parse)
{
    char prefix[32];
    snprintf(prefix, sizeof prefix, "invalid %s '", what);
    for (size_t i = 0; i < n; i++) {
        char err[256] = "", quoted[24];
        ck_assert_msg(parse(cases[i].text, err, sizeof err) == -1, "'%s' accepted", cases[i].text);
        ck_assert_msg(strncmp(err, prefix, strlen(prefix)) == 0, "error '%s' lacks '%s'", err, prefix);
        ck_assert_msg(strstr(err, cases[i].needle) != NULL, "error '%s' lacks '%s'", err, cases[i].needle);
        snprintf(quoted, sizeof quoted, "'%.16s", cases[i].text);
        ck_assert_msg(strstr(err, quoted) != NULL || strchr(cases[i].text, '\n') != NULL, "error '%s' lacks %s",
                      err, quoted);
        ck_assert_msg(strchr(err, '\n') == NULL, "error '%s' is not one line", err);
    }
}

START_TEST(dist_good_forms)
{
    static const struct {
        const char *text, *canonical;
        struct dist d;
    } cases[] = {
        {"250ms", "250ms", {DIST_FIXED, 250000, 0}},
        {"0", "0s", {DIST_FIXED, 0, 0}},
        {"100ms..300ms", "100ms..300ms", {DIST_UNIFORM, 100000, 300000}},
        {"1..1", "1s..1s", {DIST_UNIFORM, 1000000, 1000000}},
        {".5..0.75s", "500ms..750ms", {DIST_UNIFORM, 500000, 750000}},
        {"normal:100ms,20ms", "normal:100ms,20ms", {DIST_NORMAL, 100000, 20000}},
        {"normal:1s,0", "normal:1s,0s", {DIST_NORMAL, 1000000, 0}},
        {"exp:100ms", "exp:100ms", {DIST_EXP, 100000, 0}},
        {"exp:0", "exp:0s", {DIST_EXP, 0, 0}},
        {"lognormal:100ms,1s", "lognormal:100ms,1s", {DIST_LOGNORMAL, 100000, 1000000}},
        {"lognormal:1us,1.000001s", "lognormal:1us,1.000001s", {DIST_LOGNORMAL, 1, 1000001}},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct dist d, again;
        char err[256] = "", text[DIST_TEXT_MAX];
        ck_assert_msg(dist_parse(cases[i].text, &d, err, sizeof err) == 0, "%s: %s", cases[i].text, err);
        ck_assert_int_eq(d.kind, cases[i].d.kind);
        ck_assert_int_eq(d.a_us, cases[i].d.a_us);
        ck_assert_int_eq(d.b_us, cases[i].d.b_us);
        ck_assert_str_eq(dist_format(&d, text, sizeof text), cases[i].canonical);
        ck_assert_int_eq(dist_parse(text, &again, err, sizeof err), 0);
        ck_assert(again.kind == d.kind && again.a_us == d.a_us && again.b_us == d.b_us);
    }
}
END_TEST

static int reject_delay(const char *text, char *err, size_t errlen)
{
    struct dist d = {DIST_EXP, 7, 7};
    int rc = dist_parse(text, &d, err, errlen);
    ck_assert(rc == 0 || (d.kind == DIST_EXP && d.a_us == 7 && d.b_us == 7));
    return rc;
}

START_TEST(dist_bad_forms)
{
    static const struct bad cases[] = {
        {"", "expected DURATION, MIN..MAX"},        {"abc", "expected DURATION, MIN..MAX"},
        {"-1s", "expected DURATION"},               {"1s ", "expected DURATION"},
        {"gamma:1s,2s", "expected DURATION"},       {"Normal:1s,2s", "expected DURATION"},
        {"..", "a duration is missing (MIN..MAX)"}, {"1s..", "a duration is missing"},
        {"..1s", "a duration is missing"},          {"1s..2s..3s", "'2s..3s' is not a duration"},
        {"300ms..100ms", "the lower bound is above the upper one"},
        {"normal:", "expected normal:MEAN,SD"},     {"normal:1s", "expected normal:MEAN,SD"},
        {"normal:1s,", "a duration is missing (normal:MEAN,SD)"},
        {"normal:,1s", "a duration is missing"},    {"normal:1s,2s,3s", "'2s,3s' is not a duration"},
        {"normal:-1s,1s", "'-1s' is not a duration"}, {"normal:1s,nan", "'nan' is not a duration"},
        {"exp:", "a duration is missing (exp:MEAN)"}, {"exp:1s,2s", "'1s,2s' is not a duration"},
        {"exp:inf", "'inf' is not a duration"},     {"lognormal:1s", "expected lognormal:MEDIAN,P99"},
        {"lognormal:0,1s", "the median must be above 0"},
        {"lognormal:1s,1s", "the 99th percentile must be above the median"},
        {"lognormal:2s,1s", "the 99th percentile must be above the median"},
        {"1e3ms", "expected DURATION"},             {"99999999999s", "expected DURATION"},
        {"normal:1\n,1s", "'1\\x0a' is not a duration"},
        {"exp:1.00000000000000000000000000000000000000000000000000000000000001s", "is not a duration"},
    };
    assert_rejected(cases, sizeof cases / sizeof cases[0], "delay", reject_delay);
    /* A long junk value is echoed only in part. */
    char junk[3000], err[512];
    memset(junk, 'x', sizeof junk - 1);
    junk[sizeof junk - 1] = '\0';
    struct dist d;
    ck_assert_int_eq(dist_parse(junk, &d, err, sizeof err), -1);
    ck_assert_uint_lt(strlen(err), 200);
}
END_TEST

START_TEST(dist_p99_each_kind)
{
    static const struct {
        struct dist d;
        int64_t p99;
    } cases[] = {
        {{DIST_FIXED, 250000, 0}, 250000},
        {{DIST_UNIFORM, 100000, 300000}, 300000},
        {{DIST_EXP, 100000, 0}, 460517}, /* 100 ms * ln 100 */
        {{DIST_EXP, 0, 0}, 0},
        {{DIST_LOGNORMAL, 100000, 1000000}, 1000000},
        {{DIST_NORMAL, 100000, 20000}, 146527}, /* 100 ms + 2.3263 * 20 ms */
        {{DIST_NORMAL, 1000000, 0}, 1000000},
        {{DIST_NORMAL, 0, 100000}, 257583}, /* half-normal: 2.5758 sd */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        ck_assert_int_eq(dist_p99_us(&cases[i].d), cases[i].p99);
}
END_TEST

START_TEST(dist_extremes_do_not_overflow)
{
    /* The widest lognormal: sigma = ln(3.15e13) / 2.33 = 13.4, so the far
     * tail passes INT64_MAX and must saturate, not be undefined. */
    struct dist d;
    char err[128];
    ck_assert_int_eq(dist_parse("lognormal:1us,31536000s", &d, err, sizeof err), 0);
    struct rng r = {{0, 0, 0, 0}};
    rng_seed(&r, 1);
    int64_t max = 0;
    for (int i = 0; i < 100000; i++) {
        int64_t v = dist_draw_us(&d, &r);
        ck_assert_int_ge(v, 0);
        max = v > max ? v : max;
    }
    ck_assert_int_eq(max, INT64_MAX);
    ck_assert_int_eq(dist_parse("0..31536000s", &d, err, sizeof err), 0);
    for (int i = 0; i < 1000; i++)
        ck_assert_int_le(dist_draw_us(&d, &r), 31536000 * INT64_C(1000000));
}
END_TEST

START_TEST(grammar_decimals)
{
    static const struct {
        const char *text;
        uint64_t units;
    } good[] = {{"1", GRAMMAR_UNIT},          {"0.25", GRAMMAR_UNIT / 4}, {".5", GRAMMAR_UNIT / 2},
                {"2.", 2 * GRAMMAR_UNIT},     {"0", 0},                   {"0.000000001", 1},
                {"999999999.999999999", 999999999 * GRAMMAR_UNIT + 999999999}};
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        uint64_t u = 7;
        ck_assert_msg(grammar_decimal(good[i].text, strlen(good[i].text), &u) == 0, "%s", good[i].text);
        ck_assert_uint_eq(u, good[i].units);
    }
    static const char *bad[] = {"",    ".",    "-1",  "+1",   " 1",  "1 ",         "1e3", "nan",
                                "inf", "0x1",  "1.2.3", "1,5", "0.0000000001", "1000000000"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        uint64_t u = 7;
        ck_assert_msg(grammar_decimal(bad[i], strlen(bad[i]), &u) == -1, "'%s' accepted", bad[i]);
        ck_assert_uint_eq(u, 7);
    }
    uint64_t u;
    ck_assert_int_eq(grammar_decimal("0.5junk", 3, &u), 0); /* only len bytes are read */
    ck_assert_uint_eq(u, GRAMMAR_UNIT / 2);
}
END_TEST

START_TEST(mix_good_forms)
{
    struct status_mix m;
    char err[256] = "";
    ck_assert_int_eq(mix_parse("503", &m, err, sizeof err), 0);
    ck_assert_uint_eq(m.n, 1);
    ck_assert_uint_eq(m.code[0], 503);
    ck_assert_double_eq(m.cum[0], 1.0);
    ck_assert_int_eq(mix_parse("200:0.9,503:0.1", &m, err, sizeof err), 0);
    ck_assert_uint_eq(m.n, 2);
    ck_assert_uint_eq(m.code[1], 503);
    ck_assert_double_eq(m.cum[0], 0.9);
    ck_assert_double_eq(m.cum[1], 1.0);
    /* Weights are relative, summed exactly: 0.1 + 0.2 + 0.7 is 1, and 2:6 is 1:3. */
    ck_assert_int_eq(mix_parse("200:0.1,201:0.2,202:0.7", &m, err, sizeof err), 0);
    ck_assert_double_eq(m.cum[2], 1.0);
    ck_assert_int_eq(mix_parse("200:2,500:6", &m, err, sizeof err), 0);
    ck_assert_double_eq(m.cum[0], 0.25);
    ck_assert_int_eq(mix_parse("200,404,599:2", &m, err, sizeof err), 0); /* no weight: 1 */
    ck_assert_double_eq(m.cum[1], 0.5);
    ck_assert_int_eq(mix_parse("200:0.000000001,201:999999999", &m, err, sizeof err), 0);
    ck_assert_int_eq(mix_parse("200,201,202,203,204,205,206,207,208,209,210,211,212,213,214,215", &m, err,
                               sizeof err),
                     0);
    ck_assert_uint_eq(m.n, MIX_MAX);
}
END_TEST

static int reject_status(const char *text, char *err, size_t errlen)
{
    struct status_mix m = {.n = 7};
    int rc = mix_parse(text, &m, err, errlen);
    ck_assert(rc == 0 || m.n == 7);
    return rc;
}

START_TEST(mix_bad_forms)
{
    static const struct bad cases[] = {
        {"", "an entry is empty"},
        {"200,", "an entry is empty"},
        {",200", "an entry is empty"},
        {"200,,503", "an entry is empty"},
        {"abc", "'abc' is not a status from 200 to 599"},
        {"700", "'700' is not a status from 200 to 599"},
        {"199", "'199' is not a status"},
        {"0200", "'0200' is not a status"},
        {"20", "'20' is not a status"},
        {"-200", "'-200' is not a status"},
        {":0.5", "'' is not a status"},
        {"200:0.9,503:0.1,", "an entry is empty"},
        {"200:0.5,200:0.5", "200 is listed twice"},
        {"200:", "the weight '' of 200 is not a decimal like 0.9"},
        {"200:x", "the weight 'x' of 200 is not a decimal"},
        {"200:0.0000000001", "(9 digits at most on each side of the point)"},
        {"200:-1", "the weight '-1' of 200"},
        {"200:1e3", "the weight '1e3' of 200"},
        {"200:nan", "the weight 'nan' of 200"},
        {"200:inf", "the weight 'inf' of 200"},
        {"200:0.5:1", "the weight '0.5:1' of 200"},
        {"200:0", "the weight of 200 must be above 0"},
        {"200:1,503:0.0", "the weight of 503 must be above 0"},
        {"200 ", "'200 ' is not a status"},
        {"200,201,202,203,204,205,206,207,208,209,210,211,212,213,214,215,216", "more than 16 entries"},
    };
    assert_rejected(cases, sizeof cases / sizeof cases[0], "status", reject_status);
}
END_TEST

START_TEST(fault_good_forms)
{
    struct fault_list f;
    char err[256] = "";
    ck_assert_int_eq(fault_parse("none", &f, err, sizeof err), 0);
    ck_assert_uint_eq(f.n, 0);
    ck_assert_int_eq(fault_parse("reset", &f, err, sizeof err), 0);
    ck_assert_uint_eq(f.n, 1);
    ck_assert_int_eq(f.kind[0], FAULT_RESET);
    ck_assert_double_eq(f.cum[0], 1.0);
    ck_assert_int_eq(fault_parse("reset:0.1,hang:0.05", &f, err, sizeof err), 0);
    ck_assert_uint_eq(f.n, 2);
    ck_assert_int_eq(f.kind[1], FAULT_HANG);
    ck_assert_double_eq(f.cum[0], 0.1);
    ck_assert_double_eq(f.cum[1], 0.15);
    /* Exact sums: these add up to 1, which doubles would make 1.0000000000000002. */
    ck_assert_int_eq(fault_parse("close:0.1,garbage:0.2,truncate:0.7", &f, err, sizeof err), 0);
    ck_assert_double_eq(f.cum[2], 1.0);
    ck_assert_int_eq(fault_parse("reset:0,close:0.5,garbage:0.25,truncate:.125,hang:0.125", &f, err, sizeof err), 0);
    ck_assert_uint_eq(f.n, 5);
    ck_assert_int_eq(fault_parse("hang:1", &f, err, sizeof err), 0);
    for (enum fault k = FAULT_NONE; k < FAULT_KINDS; k++) {
        ck_assert_ptr_nonnull(fault_name(k));
        if (k != FAULT_NONE) {
            ck_assert_int_eq(fault_parse(fault_name(k), &f, err, sizeof err), 0);
            ck_assert_int_eq(f.kind[0], k);
        }
    }
    ck_assert_str_eq(fault_name(FAULT_TRUNCATE), "truncate");
    ck_assert_ptr_null(fault_name(FAULT_KINDS));
}
END_TEST

static int reject_fault(const char *text, char *err, size_t errlen)
{
    struct fault_list f = {.n = 7};
    int rc = fault_parse(text, &f, err, errlen);
    ck_assert(rc == 0 || f.n == 7);
    return rc;
}

START_TEST(fault_bad_forms)
{
    static const struct bad cases[] = {
        {"", "an entry is empty"},
        {"reset,", "an entry is empty"},
        {"reset,,hang", "an entry is empty"},
        {"Reset", "'Reset' is not a fault: expected reset, close, garbage, truncate, hang or none"},
        {"timeout", "'timeout' is not a fault"},
        {":0.5", "'' is not a fault"},
        {"none,reset", "none stands alone, not in a list"},
        {"reset,none", "none stands alone"},
        {"none:0.5", "none stands alone"},
        {"reset,reset", "reset is listed twice"},
        {"reset:0.1,hang:0.1,reset:0.1", "reset is listed twice"},
        {"reset:", "the probability '' of reset is not a decimal from 0 to 1 (9 decimal places at most)"},
        {"reset:1.5", "the probability '1.5' of reset is not a decimal from 0 to 1"},
        {"reset:1.000000001", "the probability '1.000000001' of reset"},
        {"reset:-0.1", "the probability '-0.1' of reset"},
        {"reset:1e-3", "the probability '1e-3' of reset"},
        {"reset:nan", "the probability 'nan' of reset"},
        {"reset:0.6,hang:0.5", "the probabilities add up to 1.1, above 1"},
        {"reset,hang:0.000000001", "the probabilities add up to 1.000000001, above 1"},
        {"reset,close,garbage,truncate,hang", "the probabilities add up to 5, above 1"},
    };
    assert_rejected(cases, sizeof cases / sizeof cases[0], "fault", reject_fault);
}
END_TEST

START_TEST(size_forms)
{
    static const struct {
        const char *text, *canonical;
        uint64_t bytes;
    } good[] = {{"0", "0", 0},           {"512", "512", 512},          {"1500", "1500", 1500},
                {"1024", "1k", 1024},    {"100k", "100k", 102400},     {"1536k", "1536k", 1572864},
                {"16M", "16M", 16777216}, {"2048k", "2M", 2097152},    {"007", "7", 7},
                {"0k", "0", 0}};
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        uint64_t v = 1, again = 2;
        char err[256] = "", text[SIZE_TEXT_MAX];
        ck_assert_msg(size_parse(good[i].text, 16 * 1048576, &v, err, sizeof err) == 0, "%s", err);
        ck_assert_uint_eq(v, good[i].bytes);
        ck_assert_str_eq(size_format(v, text, sizeof text), good[i].canonical);
        ck_assert_int_eq(size_parse(text, UINT64_MAX, &again, err, sizeof err), 0);
        ck_assert_uint_eq(again, v);
    }
    char text[SIZE_TEXT_MAX];
    ck_assert_str_eq(size_format(UINT64_MAX, text, sizeof text), "18446744073709551615");
    uint64_t v = 0;
    char err[128];
    ck_assert_int_eq(size_parse(text, UINT64_MAX, &v, err, sizeof err), 0);
    ck_assert_uint_eq(v, UINT64_MAX);
}
END_TEST

static int reject_size(const char *text, char *err, size_t errlen)
{
    uint64_t v = 7;
    int rc = size_parse(text, 16 * 1048576, &v, err, errlen);
    ck_assert(rc == 0 || v == 7);
    return rc;
}

START_TEST(size_bad_forms)
{
    static const struct bad cases[] = {
        {"", "expected a whole number of bytes like 512, 100k or 16M"},
        {"k", "expected a whole number"},
        {"-1", "expected a whole number"},
        {"+1", "expected a whole number"},
        {" 1", "expected a whole number"},
        {"1 ", "expected a whole number"},
        {"1.5k", "expected a whole number"},
        {"1K", "expected a whole number"},
        {"1m", "expected a whole number"},
        {"1kB", "expected a whole number"},
        {"1MiB", "expected a whole number"},
        {"1G", "expected a whole number"},
        {"1e3", "expected a whole number"},
        {"0x10", "expected a whole number"},
        {"16777217", "above the limit of 16M"},
        {"16385k", "above the limit of 16M"},
        {"17M", "above the limit of 16M"},
        {"18446744073709551616", "above the limit of 16M"},
        {"18014398509481984k", "above the limit of 16M"}, /* 2^54 k = 2^64 */
        {"99999999999999999999999999M", "above the limit of 16M"},
    };
    assert_rejected(cases, sizeof cases / sizeof cases[0], "size", reject_size);
    uint64_t v;
    char err[128];
    ck_assert_int_eq(size_parse("1500", 1499, &v, err, sizeof err), -1);
    ck_assert_str_eq(err, "invalid size '1500': above the limit of 1499");
}
END_TEST

int main(void)
{
    const struct testsuite_group groups[] = {
        {"rng", {rng_splitmix64_reference, rng_xoshiro_reference, rng_uniform_and_normal_draws,
                 rng_same_seed_same_sequence}},
        {"dist", {dist_good_forms, dist_bad_forms, dist_p99_each_kind, dist_extremes_do_not_overflow}},
        {"lists", {grammar_decimals, mix_good_forms, mix_bad_forms, fault_good_forms, fault_bad_forms}},
        {"size", {size_forms, size_bad_forms}},
    };
    Suite *s = suite_create("behave");
    testsuite_add_groups(s, groups, sizeof groups / sizeof groups[0], 30);
    return testsuite_run(s);
}
