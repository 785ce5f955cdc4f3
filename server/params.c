/* params: /say-hi query parameters, validated, and the draws (params.h). */
#include "params.h"

#include "duration.h"
#include "grammar.h"
#include "rng.h"
#include "size.h"

#include <stdio.h>
#include <string.h>

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

void params_defaults(struct params *p, int64_t max_delay_us, uint64_t max_size)
{
    *p = (struct params){.max_delay_us = max_delay_us, .max_size = max_size};
    char err[8];
    dist_parse(PARAMS_DEFAULT_DELAY, &p->delay, err, sizeof err);
    mix_parse("200", &p->status, err, sizeof err);
}

/* ---- one setter per key; each gets the value as a C string with no NUL ---- */

static int set_delay(struct params *p, const char *v, char *err, size_t errlen)
{
    struct dist d;
    char max[32];
    if (dist_parse(v, &d, err, errlen) != 0)
        return -1;
    if (dist_p99_us(&d) > p->max_delay_us)
        return grammar_error(err, errlen, "delay", v, "%s is above the server's --max-delay of %s",
                             d.kind == DIST_FIXED     ? "it"
                             : d.kind == DIST_UNIFORM ? "its upper bound"
                                                      : "its 99th percentile",
                             duration_format(p->max_delay_us, max, sizeof max));
    p->delay = d;
    return 0;
}

static int set_status(struct params *p, const char *v, char *err, size_t errlen)
{
    if (mix_parse(v, &p->status, err, errlen) != 0)
        return -1;
    p->status_given = true;
    return 0;
}

static int set_fault(struct params *p, const char *v, char *err, size_t errlen)
{
    return fault_parse(v, &p->fault, err, errlen);
}

static int set_size(struct params *p, const char *v, char *err, size_t errlen)
{
    return size_parse(v, p->max_size, &p->size, err, errlen);
}

static int set_drip(struct params *p, const char *v, char *err, size_t errlen)
{
    char max[32];
    if (duration_parse(v, &p->drip_us) != 0)
        return grammar_error(err, errlen, "drip", v, "expected a duration like 250ms or 2s");
    if (p->drip_us > p->max_delay_us)
        return grammar_error(err, errlen, "drip", v, "it is above the server's --max-delay of %s",
                             duration_format(p->max_delay_us, max, sizeof max));
    return 0;
}

/* A whole decimal number in [0, max], no sign or blank. */
static int set_whole(const char *name, const char *v, uint64_t max, uint64_t *out, char *err, size_t errlen)
{
    uint64_t n = 0;
    int ok = *v != '\0';
    for (const char *c = v; ok && *c; c++) {
        unsigned d = (unsigned)(*c - '0');
        ok = d <= 9 && n <= (max - d) / 10;
        n = n * 10 + d;
    }
    if (!ok)
        return grammar_error(err, errlen, name, v, "expected a whole number from 0 to %llu", (unsigned long long)max);
    *out = n;
    return 0;
}

static int set_fail_first(struct params *p, const char *v, char *err, size_t errlen)
{
    return set_whole("fail_first", v, 999999999, &p->fail_first, err, errlen);
}

static int set_seed(struct params *p, const char *v, char *err, size_t errlen)
{
    p->seeded = true;
    return set_whole("seed", v, UINT64_MAX, &p->seed, err, errlen);
}

static const struct {
    const char *key;
    int (*set)(struct params *p, const char *v, char *err, size_t errlen);
} setters[] = {
    {"delay", set_delay}, {"status", set_status},         {"fault", set_fault}, {"size", set_size},
    {"drip", set_drip},   {"fail_first", set_fail_first}, {"seed", set_seed},   {"key", NULL},
};
#define SETTERS (sizeof setters / sizeof setters[0])

static int find(const char *key)
{
    for (size_t i = 0; i < SETTERS; i++)
        if (strcmp(key, setters[i].key) == 0)
            return (int)i;
    return -1;
}

bool params_known(const char *key) { return find(key) >= 0; }

int params_set(struct params *p, const char *key, const char *value, size_t value_len, char *err, size_t errlen)
{
    int i = find(key);
    if (i < 0) {
        p->ignored++;
        return 0;
    }
    if (p->seen & (1u << i)) {
        snprintf(err, errlen, "%s is given more than once", key);
        return -1;
    }
    p->seen |= 1u << i;
    if (value == NULL) {
        value = "";
        value_len = 0;
    }
    if (setters[i].set == NULL) { /* key: any bytes, NULs too, up to the table's bound */
        if (value_len == 0 || value_len > KEYS_MAX_KEY_BYTES) {
            snprintf(err, errlen, "invalid key '%s': expected 1 to %d bytes", echo(value, value_len).text,
                     KEYS_MAX_KEY_BYTES);
            return -1;
        }
        memcpy(p->key, value, value_len);
        p->key_len = value_len;
        return 0;
    }
    if (strlen(value) != value_len) { /* the grammar's echo would stop at the NUL: show it as sent */
        snprintf(err, errlen, "invalid %s '%s': it holds a NUL byte", key, echo(value, value_len).text);
        return -1;
    }
    return setters[i].set(p, value, err, errlen);
}

int params_check(const struct params *p, char *err, size_t errlen)
{
    if (p->fail_first > 0 && p->key_len == 0) {
        snprintf(err, errlen, "fail_first needs a key: add &key=SOMETHING, the same on every attempt");
        return -1;
    }
    return 0;
}

void params_draw(const struct params *p, uint64_t request_seed, struct behaviour *b)
{
    struct rng r;
    rng_seed(&r, p->seeded ? p->seed : request_seed);
    int64_t d = dist_draw_us(&p->delay, &r);
    *b = (struct behaviour){.delay_us = d > p->max_delay_us ? p->max_delay_us : d, .capped = d > p->max_delay_us};
    b->status = mix_draw(&p->status, &r);
    b->fault = fault_draw(&p->fault, &r);
}
