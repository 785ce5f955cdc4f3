/* Unit tests of the fixed-bound tables sayhi-server keeps for issue 9: the
 * ?fail_first key table (counts, LRU order, capacity, keys with NULs),
 * checked against a plain model as well as by hand, and the delay histogram
 * against exact nearest-rank percentiles (common/stats.c's). */
#include "dhist.h"
#include "dist.h"
#include "keys.h"
#include "rng.h"
#include "stats.h"

#include "testsuite.h"

#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

static uint64_t hit(struct keys *k, const char *key) { return keys_hit(k, key, strlen(key)); }

START_TEST(keys_count_per_key)
{
    struct keys *k = keys_new(KEYS_DEFAULT_CAPACITY);
    ck_assert_ptr_nonnull(k);
    ck_assert_uint_eq(hit(k, "job-1"), 0);
    ck_assert_uint_eq(hit(k, "job-1"), 1);
    ck_assert_uint_eq(hit(k, "job-2"), 0);
    ck_assert_uint_eq(hit(k, "job-1"), 2);
    ck_assert_uint_eq(hit(k, "job-2"), 1);
    ck_assert_uint_eq(hit(k, ""), 0); /* the empty key is a key like another */
    ck_assert_uint_eq(hit(k, ""), 1);
    ck_assert_uint_eq(keys_count(k), 3);
    /* Bytes with a length: NULs are part of the key, prefixes are other keys. */
    ck_assert_uint_eq(keys_hit(k, "a\0b", 3), 0);
    ck_assert_uint_eq(keys_hit(k, "a\0c", 3), 0);
    ck_assert_uint_eq(keys_hit(k, "a", 1), 0);
    ck_assert_uint_eq(keys_hit(k, "a\0", 2), 0);
    ck_assert_uint_eq(keys_hit(k, "a\0b", 3), 1);
    ck_assert_uint_eq(keys_count(k), 7);
    /* A length no allocation can hold is refused before the key is read. */
    ck_assert_uint_eq(keys_hit(k, "x", SIZE_MAX), UINT64_MAX);
    ck_assert_uint_eq(keys_count(k), 7);
    keys_free(k);
    keys_free(NULL);
    ck_assert_ptr_null(keys_new(0));
    ck_assert_ptr_null(keys_new(SIZE_MAX));
}
END_TEST

START_TEST(keys_drop_least_recent)
{
    struct keys *k = keys_new(3);
    hit(k, "a");
    hit(k, "b");
    hit(k, "c");
    ck_assert_uint_eq(hit(k, "a"), 1); /* a is now the most recent: b the least */
    ck_assert_uint_eq(hit(k, "d"), 0); /* full: b is dropped */
    ck_assert_uint_eq(keys_count(k), 3);
    ck_assert_uint_eq(hit(k, "a"), 2);
    ck_assert_uint_eq(hit(k, "c"), 1);
    ck_assert_uint_eq(hit(k, "b"), 0); /* came back from 0; d was the least recent */
    ck_assert_uint_eq(hit(k, "d"), 0);
    ck_assert_uint_eq(keys_count(k), 3);
    keys_free(k);
    /* Capacity 1: every new key replaces the last. */
    k = keys_new(1);
    ck_assert_uint_eq(hit(k, "x"), 0);
    ck_assert_uint_eq(hit(k, "x"), 1);
    ck_assert_uint_eq(hit(k, "y"), 0);
    ck_assert_uint_eq(hit(k, "x"), 0);
    ck_assert_uint_eq(keys_count(k), 1);
    keys_free(k);
}
END_TEST

START_TEST(keys_capacity_bound)
{
    struct keys *k = keys_new(KEYS_DEFAULT_CAPACITY);
    char key[32];
    for (int i = 0; i < 3 * KEYS_DEFAULT_CAPACITY; i++) {
        snprintf(key, sizeof key, "key-%d", i);
        ck_assert_uint_eq(hit(k, key), 0);
        ck_assert_uint_le(keys_count(k), KEYS_DEFAULT_CAPACITY);
    }
    ck_assert_uint_eq(keys_count(k), KEYS_DEFAULT_CAPACITY);
    /* The newest capacity keys remain, the older ones are gone. */
    snprintf(key, sizeof key, "key-%d", 3 * KEYS_DEFAULT_CAPACITY - 1);
    ck_assert_uint_eq(hit(k, key), 1);
    snprintf(key, sizeof key, "key-%d", 2 * KEYS_DEFAULT_CAPACITY);
    ck_assert_uint_eq(hit(k, key), 1);
    snprintf(key, sizeof key, "key-%d", 2 * KEYS_DEFAULT_CAPACITY - 1);
    ck_assert_uint_eq(hit(k, key), 0);
    keys_free(k);
}
END_TEST

/* The model: an array ordered from least to most recent, searched linearly. */
#define MODEL_CAP 8
struct model {
    int key[MODEL_CAP];
    uint64_t hits[MODEL_CAP];
    size_t n;
};

static uint64_t model_hit(struct model *m, int key)
{
    size_t i = 0;
    while (i < m->n && m->key[i] != key)
        i++;
    uint64_t before = i < m->n ? m->hits[i] : 0;
    if (i == m->n && m->n == MODEL_CAP)
        i = 0; /* drop the least recent */
    else if (i == m->n)
        m->n++;
    memmove(&m->key[i], &m->key[i + 1], (m->n - 1 - i) * sizeof m->key[0]);
    memmove(&m->hits[i], &m->hits[i + 1], (m->n - 1 - i) * sizeof m->hits[0]);
    m->key[m->n - 1] = key;
    m->hits[m->n - 1] = before + 1;
    return before;
}

/* Random hits over 20 keys (1 or 2 bytes, NULs among them, 20 keys for 8
 * buckets so chains form) give the same answers as the model, hit after hit. */
START_TEST(keys_match_model)
{
    struct keys *k = keys_new(MODEL_CAP);
    struct model m = {.n = 0};
    struct rng r;
    rng_seed(&r, 3);
    for (int i = 0; i < 20000; i++) {
        int key = (int)(rng_next(&r) % 20);
        const char bytes[2] = {(char)key, '\0'};
        ck_assert_uint_eq(keys_hit(k, bytes, 1 + (size_t)(key % 2)), model_hit(&m, key));
        ck_assert_uint_eq(keys_count(k), m.n);
    }
    keys_free(k);
}
END_TEST

/* The reported percentile is within the documented bound of the exact one:
 * equal below DHIST_EXACT, less than exact/128 away above. */
static void assert_within_bound(const struct dhist *h, const uint32_t *sorted, size_t n, double p)
{
    int64_t got = dhist_percentile(h, p), exact = stats_percentile(sorted, n, p);
    ck_assert_msg(exact < DHIST_EXACT ? got == exact : llabs(got - exact) * 128 < exact,
                  "p%g: %lld, exact %lld", p, (long long)got, (long long)exact);
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

/* Delays spread over 0 .. 1 h (a wide lognormal, clamped as the server
 * clamps), compared at many percentiles with the exact sorted values. */
START_TEST(dhist_percentiles_within_bound)
{
    static const char *spreads[] = {"lognormal:10ms,1800s", "lognormal:50us,20ms", "0..300us", "exp:2ms"};
    enum { N = 20000 };
    static uint32_t v[N];
    static const double ps[] = {0, 0.001, 1, 10, 25, 50, 75, 90, 95, 99, 99.9, 99.99, 100};
    for (size_t t = 0; t < sizeof spreads / sizeof spreads[0]; t++) {
        struct dist d;
        char err[128];
        ck_assert_int_eq(dist_parse(spreads[t], &d, err, sizeof err), 0);
        struct rng r;
        rng_seed(&r, 10 + t);
        struct dhist h;
        dhist_init(&h);
        for (size_t i = 0; i < N; i++) {
            int64_t us = dist_draw_us(&d, &r);
            v[i] = (uint32_t)(us < 3600000000 ? us : 3600000000);
            dhist_add(&h, v[i]);
        }
        qsort(v, N, sizeof v[0], cmp_u32);
        ck_assert_uint_eq(dhist_count(&h), N);
        ck_assert_int_eq(dhist_min(&h), v[0]);
        ck_assert_int_eq(dhist_max(&h), v[N - 1]);
        for (size_t i = 0; i < sizeof ps / sizeof ps[0]; i++)
            assert_within_bound(&h, v, N, ps[i]);
        for (double p = 0.5; p < 100; p += 0.5)
            assert_within_bound(&h, v, N, p);
    }
}
END_TEST

/* Bucket edges: every value from 0 to 2^14 (the exact range and 7 powers of
 * two, every bucket edge among them) and each power of two +-1 up to 2^32 - 1
 * is reported within the bound. */
START_TEST(dhist_bucket_edges)
{
    struct dhist h;
    for (uint32_t x = 0; x <= 1u << 14; x++) {
        dhist_init(&h);
        dhist_add(&h, x);
        dhist_add(&h, 0);
        dhist_add(&h, UINT32_MAX); /* min and max outside x's bucket: no clamping to help */
        assert_within_bound(&h, (const uint32_t[]){0, x, UINT32_MAX}, 3, 50);
    }
    for (int e = 1; e < 32; e++)
        for (int64_t d = -1; d <= 1; d++) {
            uint32_t x = (uint32_t)((INT64_C(1) << e) + d);
            dhist_init(&h);
            dhist_add(&h, 0);
            dhist_add(&h, x);
            dhist_add(&h, UINT32_MAX);
            assert_within_bound(&h, (const uint32_t[]){0, x, UINT32_MAX}, 3, 50);
        }
}
END_TEST

START_TEST(dhist_exact_and_edge_cases)
{
    struct dhist h;
    dhist_init(&h);
    ck_assert_uint_eq(dhist_count(&h), 0);
    ck_assert_int_eq(dhist_percentile(&h, 50), 0);
    ck_assert_int_eq(dhist_min(&h), 0);
    ck_assert_int_eq(dhist_max(&h), 0);
    /* Below DHIST_EXACT every value is exact: 1..100, p99 is the 99th. */
    for (int64_t x = 100; x >= 1; x--)
        dhist_add(&h, x);
    ck_assert_int_eq(dhist_percentile(&h, 99), 99);
    ck_assert_int_eq(dhist_percentile(&h, 50), 50);
    ck_assert_int_eq(dhist_percentile(&h, 0), 1);
    ck_assert_int_eq(dhist_percentile(&h, 100), 100);
    ck_assert_int_eq(dhist_percentile(&h, 250), 100); /* p is kept in 0..100 */
    ck_assert_int_eq(dhist_percentile(&h, -1), 1);
    /* One value: every percentile is it, exactly (kept within min and max). */
    dhist_init(&h);
    dhist_add(&h, 123456789);
    ck_assert_int_eq(dhist_percentile(&h, 50), 123456789);
    /* Beyond 2^32 us: the overflow bucket, reported as the exact max. */
    dhist_add(&h, INT64_C(5000000000));
    dhist_add(&h, INT64_C(7000000000));
    ck_assert_int_eq(dhist_percentile(&h, 100), INT64_C(7000000000));
    ck_assert_int_eq(dhist_max(&h), INT64_C(7000000000));
    /* Negative values are recorded as 0. */
    dhist_add(&h, -5);
    ck_assert_int_eq(dhist_min(&h), 0);
    ck_assert_int_eq(dhist_percentile(&h, 0), 0);
    ck_assert_uint_eq(dhist_count(&h), 4);
}
END_TEST

int main(void)
{
    const struct testsuite_group groups[] = {
        {"keys", {keys_count_per_key, keys_drop_least_recent, keys_capacity_bound, keys_match_model}},
        {"dhist", {dhist_percentiles_within_bound, dhist_bucket_edges, dhist_exact_and_edge_cases}},
    };
    Suite *s = suite_create("tables");
    testsuite_add_groups(s, groups, sizeof groups / sizeof groups[0], 60);
    return testsuite_run(s);
}
