/* params: what a /say-hi request asks for, and the behaviour drawn from it.
 *
 * A request starts from the server's defaults (its --delay, --status and
 * --fault flags, parsed into the same struct) and each known query
 * parameter overrides one of them. Fed one decoded key/value pair at a time
 * (as target_each_param() hands them over), so it is tested without a
 * connection. The behaviour of the request (delay, status, fault) is then
 * drawn once, from a generator seeded for that request alone. Unknown keys
 * are ignored (client code adds its own) but counted, so the reply can name
 * them; a known key given twice, an empty value or a value out of range is an
 * error with a message for the client. Not for: the grammar of each value
 * (dist.c, mix.c, fault.c, size.c) or acting on the behaviour (endpoints.c). */
#ifndef SAYHI_PARAMS_H
#define SAYHI_PARAMS_H

#include "dist.h"
#include "fault.h"
#include "keys.h"
#include "mix.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct params {
    struct dist delay;
    struct status_mix status;
    struct fault_list fault;
    uint64_t size;      /* body bytes asked for; 0: the plain body */
    int64_t drip_us;    /* the body spread over this long; 0: at once */
    uint64_t fail_first;
    char key[KEYS_MAX_KEY_BYTES + 1];
    size_t key_len;     /* 0: no key */
    uint64_t seed;      /* with seeded: this request's draws depend on it alone */
    bool seeded;
    bool status_given;  /* ?status= was in the query (fail_first fails with it) */
    unsigned seen;      /* a bit per known key, to refuse one given twice */
    unsigned ignored;   /* unknown keys in the query */
    int64_t max_delay_us;
    uint64_t max_size;
};

/* What was drawn for one request. */
struct behaviour {
    int64_t delay_us;   /* clamped to max_delay_us */
    bool capped;        /* the draw was above max_delay_us */
    unsigned status;
    enum fault fault;
};

/* The delay of /say-hi when --delay is not given, as --delay would take it. */
#define PARAMS_DEFAULT_DELAY "1s"

/* The server's defaults: delay PARAMS_DEFAULT_DELAY (fixed), status 200, no
 * fault, plain body, with the given caps. */
void params_defaults(struct params *p, int64_t max_delay_us, uint64_t max_size);

/* Applies one pair; value may be NULL ("?delay" with no '='), and holds
 * value_len bytes, which may include a NUL (from %00): a known key whose
 * value does is an error, not a shorter value. Returns 0, or -1 with a
 * one-line reason in err. */
int params_set(struct params *p, const char *key, const char *value, size_t value_len, char *err, size_t errlen);

/* Whether key is one params_set() reads. */
bool params_known(const char *key);

/* Checks what the pairs left together (fail_first without key). 0, or -1
 * with a reason in err. */
int params_check(const struct params *p, char *err, size_t errlen);

/* Draws b from p with a generator seeded by p->seed when p->seeded, else by
 * request_seed (the server's generator's next output): delay, then status,
 * then fault, always the same number of draws for the same p. */
void params_draw(const struct params *p, uint64_t request_seed, struct behaviour *b);

#endif
