/* duration: the DURATION syntax shared by every sayhi program.
 *
 * A duration is seconds as a plain decimal number ("1", "0.25") or a number
 * with a unit ("250ms", "1.5s", "2m", "1h", "500us"). Values are kept as integer
 * microseconds so that no float rounding reaches a timer or a statistic.
 * Not for: parsing flags (see cli.h), which adds the flag name to errors. */
#ifndef SAYHI_DURATION_H
#define SAYHI_DURATION_H

#include <stddef.h>
#include <stdint.h>

/* Largest accepted duration: one year, far above any cap and far from overflow. */
#define DURATION_MAX_US (INT64_C(365) * 24 * 3600 * 1000000)

/* Parses s into *out_us. Returns 0, or -1 when s is empty, signed, not a
 * number, has junk after the unit, or exceeds DURATION_MAX_US. */
int duration_parse(const char *s, int64_t *out_us);

/* Formats us exactly, in the largest unit the value reaches: "0s", "250ms",
 * "1.5s", "90s", "1.25ms", "500us"; duration_parse() reads it back to the
 * same value. Returns buf. */
char *duration_format(int64_t us, char *buf, size_t len);

/* value / per as an exact decimal, trailing zeros dropped, per a power of
 * ten: (1500, 1000) -> "1.5", (250, 1000) -> "0.25", (2000, 1000) -> "2".
 * Non-negative values only. Returns buf. */
char *duration_decimal(int64_t value, int64_t per, char *buf, size_t len);

#endif
