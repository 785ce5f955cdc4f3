/* libFuzzer target: /say-hi query parameters.
 *
 * The input is split like a query string ("k=v&k=v", a key without '=' has
 * no value) and fed pair by pair, as libmicrohttpd would. Invariants: the
 * delay stays within [0, max], the status within 200..599, and every
 * rejection comes with a non-empty, terminated message. */
#include "params.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *q = malloc(size + 1);
    memcpy(q, data, size);
    q[size] = '\0';
    struct params p;
    params_init(&p, 1000000, 60000000);
    char err[192];
    for (char *save = NULL, *pair = strtok_r(q, "&", &save); pair; pair = strtok_r(NULL, "&", &save)) {
        char *eq = strchr(pair, '=');
        if (eq != NULL)
            *eq = '\0';
        memset(err, 'x', sizeof err);
        if (params_set(&p, pair, eq != NULL ? eq + 1 : NULL, err, sizeof err) != 0) {
            if (memchr(err, '\0', sizeof err) == NULL || err[0] == '\0')
                abort();
            break;
        }
        if (p.delay_us < 0 || p.delay_us > 60000000 || p.status < 200 || p.status > 599)
            abort();
    }
    free(q);
    return 0;
}
