/* size: payload sizes, the SIZE value of ?size= and --max-size.
 *
 * A whole number of bytes, optionally with the suffix k (1024) or M
 * (1048576): "1500", "100k", "16M". No sign, blank, fraction, other suffix
 * (K, m, kB and MiB are rejected rather than guessed at). Pure functions,
 * unit-tested and fuzzed. Not for: building the padded body (the server). */
#ifndef SAYHI_SIZE_H
#define SAYHI_SIZE_H

#include <stddef.h>
#include <stdint.h>

/* Room for size_format()'s longest text and its NUL. */
#define SIZE_TEXT_MAX 24

/* Parses s into *out. Returns 0, or -1 with a one-line reason naming the
 * value in err; a size above max (or too large for 64 bits) names both:
 * "invalid size '32M': above the limit of 16M". *out is then unchanged. */
int size_parse(const char *s, uint64_t max, uint64_t *out, char *err, size_t errlen);

/* bytes in the largest suffix that writes it exactly: "16M", "100k",
 * "1500", "0"; size_parse() reads it back to the same number. Returns buf. */
char *size_format(uint64_t bytes, char *buf, size_t len);

#endif
