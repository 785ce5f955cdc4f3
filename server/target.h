/* target: the request target of a request line, as sayhi-server reads it.
 *
 * The raw target ("/say-hi?delay=1s", or the absolute form
 * "http://host:port/say-hi?delay=1s" that RFC 9112 §3.2.2 makes servers
 * accept) split into its path and query, the path percent-decoded with its
 * length (a %00 stays a byte of the path, so "/say-hi%00junk" is not
 * "/say-hi"), and the query walked one decoded parameter at a time.
 * sayhi reads the target itself rather than through libmicrohttpd, whose
 * argument parser stores every parameter in the 4 KB connection pool and
 * closes the connection silently when a few dozen do not fit. Pure functions:
 * unit-tested and fuzzed without a socket. Not for: what the parameters mean
 * (params.c) or which path is which route (routes.c). */
#ifndef SAYHI_TARGET_H
#define SAYHI_TARGET_H

#include <stddef.h>

/* What a request may carry; past either the answer is a JSON 414. */
#define TARGET_MAX_BYTES 2048
#define TARGET_MAX_PARAMS 100

struct target {
    char path[TARGET_MAX_BYTES + 1]; /* decoded, NUL-terminated; may hold NULs of its own */
    size_t path_len;
    const char *raw_path;            /* as received, for messages and logs */
    size_t raw_path_len;
    const char *query;               /* as received after '?', NUL-terminated; NULL when none */
};

/* Splits raw (NUL-terminated, at most TARGET_MAX_BYTES) into t, which points
 * into raw. Returns 0, or -1 when raw is longer than TARGET_MAX_BYTES. */
int target_split(const char *raw, struct target *t);

/* Called for each parameter, decoded ('+' is a space, %XX a byte); value is
 * NULL for a key without '='. Lengths count embedded NULs; both strings are
 * NUL-terminated too. A non-zero return stops the walk. */
typedef int target_param_fn(const char *key, size_t key_len, const char *value, size_t value_len, void *arg);

/* Walks the parameters of query (may be NULL) in order. Returns 0, the
 * callback's non-zero return, or -1 without calling fn at all when the query
 * has more than TARGET_MAX_PARAMS parameters. Empty pieces ("a=1&&b=2") are
 * skipped and not counted. */
int target_each_param(const char *query, target_param_fn *fn, void *arg);

#endif
