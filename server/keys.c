/* keys: a bounded LRU table of per-key hit counts (keys.h). */
#include "keys.h"

#include <stdlib.h>
#include <string.h>

struct node {
    struct node *newer, *older; /* the recency list */
    struct node *chain;         /* the next node in the same bucket */
    uint64_t hash, hits;
    size_t len;
    char key[];
};

struct keys {
    size_t capacity, count, mask; /* mask + 1 buckets, a power of two >= capacity */
    struct node *newest, *oldest;
    struct node **buckets;
};

struct keys *keys_new(size_t capacity)
{
    if (capacity == 0 || capacity > SIZE_MAX / 4 / sizeof(struct node *))
        return NULL;
    size_t n = 1;
    while (n < capacity)
        n *= 2;
    struct keys *k = calloc(1, sizeof *k);
    if (k == NULL || (k->buckets = calloc(n, sizeof *k->buckets)) == NULL) {
        free(k);
        return NULL;
    }
    k->capacity = capacity;
    k->mask = n - 1;
    return k;
}

void keys_free(struct keys *k)
{
    if (k == NULL)
        return;
    for (struct node *n = k->newest, *next; n != NULL; n = next) {
        next = n->older;
        free(n);
    }
    free(k->buckets);
    free(k);
}

size_t keys_count(const struct keys *k) { return k->count; }

/* FNV-1a over the bytes, then a 64-bit finaliser (splitmix64's) so that the
 * low bits, which pick the bucket, depend on every byte. */
static uint64_t hash(const char *key, size_t len)
{
    uint64_t h = UINT64_C(0xcbf29ce484222325);
    for (size_t i = 0; i < len; i++)
        h = (h ^ (unsigned char)key[i]) * UINT64_C(0x100000001b3);
    h = (h ^ (h >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    h = (h ^ (h >> 27)) * UINT64_C(0x94d049bb133111eb);
    return h ^ (h >> 31);
}

static void list_unlink(struct keys *k, struct node *n)
{
    *(n->newer != NULL ? &n->newer->older : &k->newest) = n->older;
    *(n->older != NULL ? &n->older->newer : &k->oldest) = n->newer;
}

static void list_push_newest(struct keys *k, struct node *n)
{
    n->newer = NULL;
    n->older = k->newest;
    *(k->newest != NULL ? &k->newest->newer : &k->oldest) = n;
    k->newest = n;
}

/* Drops the least recently hit key. */
static void evict_oldest(struct keys *k)
{
    struct node *victim = k->oldest, **p = &k->buckets[victim->hash & k->mask];
    while (*p != victim)
        p = &(*p)->chain;
    *p = victim->chain;
    list_unlink(k, victim);
    free(victim);
    k->count--;
}

uint64_t keys_hit(struct keys *k, const char *key, size_t len)
{
    if (len > SIZE_MAX - sizeof(struct node))
        return UINT64_MAX;
    uint64_t h = hash(key, len);
    struct node **bucket = &k->buckets[h & k->mask];
    for (struct node *n = *bucket; n != NULL; n = n->chain) {
        if (n->hash != h || n->len != len || memcmp(n->key, key, len) != 0)
            continue;
        list_unlink(k, n);
        list_push_newest(k, n);
        uint64_t before = n->hits;
        n->hits += n->hits < UINT64_MAX - 1;
        return before;
    }
    /* Allocated before anything is dropped, so running out of memory leaves
     * the table as it was. */
    struct node *n = malloc(sizeof *n + len);
    if (n == NULL)
        return UINT64_MAX;
    if (k->count == k->capacity)
        evict_oldest(k); /* may have been the head of this very bucket: read it after */
    *n = (struct node){.hash = h, .hits = 1, .len = len, .chain = *bucket};
    memcpy(n->key, key, len);
    *bucket = n;
    list_push_newest(k, n);
    k->count++;
    return 0;
}
