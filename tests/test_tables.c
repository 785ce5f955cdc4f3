/* Unit tests of the fixed-bound tables sayhi-server keeps for issue 9: the
 * ?fail_first key table (counts, LRU order, capacity, keys with NULs),
 * checked against a plain model as well as by hand. */
#include "keys.h"
#include "rng.h"

#include "testsuite.h"

#include <check.h>
#include <stdint.h>
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

int main(void)
{
    const struct testsuite_group groups[] = {
        {"keys", {keys_count_per_key, keys_drop_least_recent, keys_capacity_bound, keys_match_model}},
    };
    Suite *s = suite_create("tables");
    testsuite_add_groups(s, groups, sizeof groups / sizeof groups[0], 60);
    return testsuite_run(s);
}
