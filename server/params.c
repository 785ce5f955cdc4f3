/* params: validation of /say-hi query parameters (params.h). */
#include "params.h"

#include "duration.h"

#include <stdio.h>
#include <string.h>

#define STATUS_MIN 200
#define STATUS_MAX 599

void params_init(struct params *p, int64_t default_delay_us, int64_t max_delay_us)
{
    *p = (struct params){.delay_us = default_delay_us, .status = 200, .max_delay_us = max_delay_us};
}

/* Echoes at most this much of a bad value back, so a 2 KB junk value does not
 * become a 2 KB error body. */
#define ECHO_MAX 64

struct echo {
    char text[ECHO_MAX * 3 + 4];
};

/* The value as it would be written in a URL: bytes that are not printable
 * ASCII (a NUL from %00, a line break), '%', '"' and '\\' as %XX. */
static struct echo echo(const char *value, size_t len)
{
    static const char hex[] = "0123456789ABCDEF";
    struct echo e;
    size_t o = 0;
    for (size_t i = 0; i < len && i < ECHO_MAX; i++) {
        unsigned char c = (unsigned char)value[i];
        if (c > 0x20 && c < 0x7f && c != '%' && c != '"' && c != '\\') {
            e.text[o++] = (char)c;
        } else {
            e.text[o++] = '%';
            e.text[o++] = hex[c >> 4];
            e.text[o++] = hex[c & 15];
        }
    }
    snprintf(e.text + o, sizeof e.text - o, "%s", len > ECHO_MAX ? "..." : "");
    return e;
}

static int set_delay(struct params *p, const char *value, size_t len, char *err, size_t errlen)
{
    int64_t us;
    char max[32];
    if (strlen(value) != len || duration_parse(value, &us) != 0) {
        snprintf(err, errlen, "invalid delay '%s': expected a duration like 1, 0.25, 250ms or 1.5s",
                 echo(value, len).text);
        return -1;
    }
    if (us > p->max_delay_us) {
        snprintf(err, errlen, "delay '%s' is above the server's --max-delay of %s", echo(value, len).text,
                 duration_format(p->max_delay_us, max, sizeof max));
        return -1;
    }
    p->delay_us = us;
    return 0;
}

static int set_status(struct params *p, const char *value, size_t n, char *err, size_t errlen)
{
    unsigned v = 0;
    int ok = n >= 1 && n <= 3;
    for (size_t i = 0; ok && i < n; i++) {
        ok = value[i] >= '0' && value[i] <= '9';
        v = v * 10 + (unsigned)(value[i] - '0');
    }
    if (!ok || v < STATUS_MIN || v > STATUS_MAX) {
        snprintf(err, errlen, "invalid status '%s': expected a whole number from %d to %d", echo(value, n).text,
                 STATUS_MIN, STATUS_MAX);
        return -1;
    }
    p->status = v;
    return 0;
}

int params_set(struct params *p, const char *key, const char *value, size_t value_len, char *err, size_t errlen)
{
    if (value == NULL) {
        value = "";
        value_len = 0;
    }
    if (strcmp(key, "delay") == 0) {
        if (p->seen_delay) {
            snprintf(err, errlen, "delay is given more than once");
            return -1;
        }
        p->seen_delay = 1;
        return set_delay(p, value, value_len, err, errlen);
    }
    if (strcmp(key, "status") == 0) {
        if (p->seen_status) {
            snprintf(err, errlen, "status is given more than once");
            return -1;
        }
        p->seen_status = 1;
        return set_status(p, value, value_len, err, errlen);
    }
    return 0;
}
