/* libFuzzer target: the DURATION parser and formatter.
 *
 * Invariants: never crashes or reads past the input; an accepted value lies
 * in [0, DURATION_MAX_US]; formatting an accepted value gives text the parser
 * reads back to exactly the same value. */
#include "duration.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1); /* exact size: ASan catches any overread */
    memcpy(s, data, size);
    s[size] = '\0';
    int64_t us = -1, again = -1;
    if (duration_parse(s, &us) == 0) {
        if (us < 0 || us > DURATION_MAX_US)
            abort();
        char buf[64];
        duration_format(us, buf, sizeof buf);
        if (duration_parse(buf, &again) != 0 || again != us)
            abort();
    }
    free(s);
    return 0;
}
