/* keys: the bounded table behind ?fail_first=N&key=K (retry tests).
 *
 * Counts how often each key has been seen, so the first N requests with a
 * key fail and the next ones succeed. The table holds at most its capacity
 * of keys; when it is full the least recently hit key is dropped (and starts
 * from 0 if it comes back). A hash table with a doubly linked recency list:
 * a hit costs one hash, one bucket walk (chains average at most one node:
 * there are at least as many buckets as keys) and O(1) list moves. Memory is
 * one allocation per key, about 60 bytes plus the key, so the default table
 * holds at most ~3 MB. Keys are bytes with a length, NULs included, compared
 * exactly. Not for: parsing the query or choosing the status (the server).
 * The hash is not keyed: a client could craft colliding keys, which costs it
 * at most a walk over the table's keys per request, bounded by capacity. */
#ifndef SAYHI_KEYS_H
#define SAYHI_KEYS_H

#include <stddef.h>
#include <stdint.h>

#define KEYS_DEFAULT_CAPACITY 10000
/* The longest key a request may use; a longer one is the caller's 400. The
 * table itself takes any length. */
#define KEYS_MAX_KEY_BYTES 256

struct keys;

/* An empty table for at most capacity keys (>= 1); NULL when capacity is 0
 * or memory is short. */
struct keys *keys_new(size_t capacity);

/* Frees k and its keys; k may be NULL. */
void keys_free(struct keys *k);

/* How many times key[0..len) (not NULL, even when len is 0) was hit before
 * this call, then counts this one and makes it the most recently hit; a new
 * key returns 0 (dropping the least recently hit one when the table is
 * full). Returns UINT64_MAX when the key cannot be stored (out of memory):
 * the table is then unchanged. Counts saturate one below UINT64_MAX. */
uint64_t keys_hit(struct keys *k, const char *key, size_t len);

/* How many keys the table holds, at most its capacity. */
size_t keys_count(const struct keys *k);

#endif
