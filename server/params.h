/* params: the query parameters of /say-hi, validated.
 *
 * Fed one key/value pair at a time (as target_each_param() hands them over,
 * already percent-decoded), so it can be tested without a connection. Unknown keys
 * are ignored (cache busters are common); a known key given twice, an empty
 * value or a value out of range is an error with a message for the client. */
#ifndef SAYHI_PARAMS_H
#define SAYHI_PARAMS_H

#include <stddef.h>
#include <stdint.h>

struct params {
    int64_t delay_us;
    unsigned status;
    int64_t max_delay_us;
    unsigned seen_delay : 1, seen_status : 1;
};

/* Starts from the server's default delay and status 200. */
void params_init(struct params *p, int64_t default_delay_us, int64_t max_delay_us);

/* Applies one pair; value may be NULL ("?delay" with no '='), and holds
 * value_len bytes, which may include a NUL (from %00): a known key whose
 * value does is an error, not a shorter value. Returns 0, or -1 with a
 * one-line reason in err. */
int params_set(struct params *p, const char *key, const char *value, size_t value_len, char *err, size_t errlen);

#endif
