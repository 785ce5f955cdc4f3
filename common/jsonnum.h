/* jsonnum: numbers in every program's JSON output, rounded to what they mean.
 *
 * cJSON prints a double with up to 17 significant digits (19.784481053061981
 * seconds); no clock here is finer than a microsecond and no rate needs more
 * than three decimals. Rounding the value before it goes into the object
 * lets cJSON print the short form ("19.784481"). Not for: building objects
 * (cJSON does that) or human output (printf formats there). */
#ifndef SAYHI_JSONNUM_H
#define SAYHI_JSONNUM_H

#include <cjson/cJSON.h>

/* Decimals for the kinds of number the programs print. */
enum {
    JSONNUM_SECONDS = 6, /* a time in seconds, to the microsecond */
    JSONNUM_MS = 3,      /* a time in milliseconds, to the microsecond */
    JSONNUM_RATE = 3,    /* requests per second, a ratio */
};

/* v rounded half away from zero to decimals places (0 to 9). */
double jsonnum_round(double v, int decimals);

/* cJSON_AddNumberToObject with v rounded first; NULL on out of memory. */
cJSON *jsonnum_add(cJSON *o, const char *key, double v, int decimals);

#endif
