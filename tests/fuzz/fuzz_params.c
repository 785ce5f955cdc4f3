/* libFuzzer target: a request target as /say-hi reads it.
 *
 * The input is a target ("/say-hi?k=v&k=v", or the query alone), split and
 * walked by target.c and applied pair by pair by params.c, as the server
 * does, and a behaviour drawn after each. Invariants: the path fits its
 * buffer and matches its length, the delay drawn stays within [0, max], the
 * status within 200..599, size, drip and key within their caps, every
 * rejection comes with a non-empty, terminated message, and no more than
 * TARGET_MAX_PARAMS parameters are ever applied. */
#include "params.h"
#include "target.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct walk {
    struct params p;
    char err[192];
    unsigned calls;
};

static int apply(const char *key, size_t key_len, const char *value, size_t value_len, void *arg)
{
    struct walk *w = arg;
    if (++w->calls > TARGET_MAX_PARAMS || strlen(key) > key_len || (value != NULL && strlen(value) > value_len))
        abort();
    memset(w->err, 'x', sizeof w->err);
    if (params_set(&w->p, key, value, value_len, w->err, sizeof w->err) != 0) {
        if (memchr(w->err, '\0', sizeof w->err) == NULL || w->err[0] == '\0')
            abort();
        return 1;
    }
    struct behaviour b;
    params_draw(&w->p, w->calls, &b);
    if (b.delay_us < 0 || b.delay_us > 60000000 || b.status < 200 || b.status > 599 || b.fault >= FAULT_KINDS ||
        w->p.size > (1 << 20) || w->p.drip_us < 0 || w->p.drip_us > 60000000 || w->p.key_len > KEYS_MAX_KEY_BYTES)
        abort();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *raw = malloc(size + 2);
    raw[0] = '?'; /* the corpus holds bare queries; a '?' inside the input starts the query instead */
    memcpy(raw + 1, data, size);
    raw[size + 1] = '\0';
    const char *start = memchr(data, '?', size) != NULL || (size > 0 && data[0] == '/') ? raw + 1 : raw;
    struct target t;
    struct walk w = {.calls = 0};
    params_defaults(&w.p, 60000000, 1 << 20);
    if (target_split(start, &t) == 0) {
        if (t.path_len > TARGET_MAX_BYTES || t.path[t.path_len] != '\0' || strlen(t.path) > t.path_len)
            abort();
        target_each_param(t.query, apply, &w);
    } else if (strlen(start) <= TARGET_MAX_BYTES) {
        abort();
    }
    free(raw);
    return 0;
}
