/* fuzz_check: what the libFuzzer targets of the behaviour grammars check on
 * every input, written once: the input as an exact-size C string (so ASan
 * catches a read past it), a seed drawn from its bytes, and the shape of a
 * rejection's message. A broken invariant aborts, which libFuzzer reports
 * with the input. */
#ifndef SAYHI_FUZZ_CHECK_H
#define SAYHI_FUZZ_CHECK_H

#include "rng.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define FUZZ_ERR_LEN 256

static inline void fuzz_require(int ok)
{
    if (!ok)
        abort();
}

/* data as a NUL-terminated string in an exact-size allocation; free it. */
static inline char *fuzz_string(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);
    memcpy(s, data, size);
    s[size] = '\0';
    return s;
}

/* A generator seeded from every byte of the input, so draws vary with it. */
static inline void fuzz_rng(struct rng *r, const uint8_t *data, size_t size)
{
    uint64_t h = size;
    for (size_t i = 0; i < size; i++)
        h = (h ^ data[i]) * UINT64_C(0x100000001b3);
    rng_seed(r, h);
}

/* An error buffer filled with junk, so a message left unterminated shows. */
static inline void fuzz_err_reset(char *err) { memset(err, 'x', FUZZ_ERR_LEN); }

/* A rejection's message: terminated, one line, "invalid WHAT '", and short
 * whatever the input's length (the value is echoed only in part). */
static inline void fuzz_check_reason(const char *err, const char *prefix)
{
    const char *end = memchr(err, '\0', FUZZ_ERR_LEN);
    fuzz_require(end != NULL && strncmp(err, prefix, strlen(prefix)) == 0);
    fuzz_require(strchr(err, '\n') == NULL && end - err < 240);
}

/* Whether a parser accepted its input (rc 0). A rejection must have left
 * its output untouched and say why in one short line starting with prefix. */
static inline int fuzz_accepted(int rc, int untouched, const char *err, const char *prefix)
{
    if (rc == 0)
        return 1;
    fuzz_require(rc == -1 && untouched);
    fuzz_check_reason(err, prefix);
    return 0;
}

#endif
