/* routes: paths, methods and JSON bodies (routes.h). */
#include "routes.h"

#include "duration.h"
#include "jsonnum.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <string.h>

size_t routes_say_hi_body(char *buf, size_t len, int64_t delay_us)
{
    char ms[40]; /* exact: 250us is 0.25 */
    int n = snprintf(buf, len, "{\"message\":\"Hi\",\"delay_ms\":%s}", duration_decimal(delay_us, 1000, ms, sizeof ms));
    return n < 0 ? 0 : (size_t)n >= len ? len - 1 : (size_t)n;
}

char *routes_error_body(const char *message)
{
    cJSON *o = cJSON_CreateObject();
    char *s = NULL;
    if (o != NULL && cJSON_AddStringToObject(o, "error", message) != NULL)
        s = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    return s;
}

/* min, p50, p90, p99, max of the delays drawn: min and max exact, the
 * percentiles from the fixed-size histogram (dhist.h says how close); null
 * before the first /say-hi. */
static cJSON *delays_json(const struct dhist *h)
{
    if (dhist_count(h) == 0)
        return cJSON_CreateNull();
    cJSON *d = cJSON_CreateObject();
    static const struct {
        const char *key;
        double p;
    } at[] = {{"p50", 50}, {"p90", 90}, {"p99", 99}};
    jsonnum_add(d, "min", (double)dhist_min(h) / 1000.0, JSONNUM_MS);
    for (size_t i = 0; i < sizeof at / sizeof at[0]; i++)
        jsonnum_add(d, at[i].key, (double)dhist_percentile(h, at[i].p) / 1000.0, JSONNUM_MS);
    jsonnum_add(d, "max", (double)dhist_max(h) / 1000.0, JSONNUM_MS);
    return d;
}

char *routes_stats_body(const struct routes_counters *c, double uptime_s)
{
    cJSON *o = cJSON_CreateObject();
    cJSON *codes = cJSON_CreateObject();
    char *s = NULL;
    if (o == NULL || codes == NULL) {
        cJSON_Delete(o);
        cJSON_Delete(codes);
        return NULL;
    }
    cJSON_AddNumberToObject(o, "requests", (double)c->requests);
    cJSON_AddNumberToObject(o, "in_flight", (double)c->in_flight);
    cJSON_AddNumberToObject(o, "peak_in_flight", (double)c->peak_in_flight);
    for (unsigned code = 0; code < ROUTES_STATUS_MAX; code++) {
        if (c->status[code] != 0) {
            char key[8];
            snprintf(key, sizeof key, "%u", code);
            cJSON_AddNumberToObject(codes, key, (double)c->status[code]);
        }
    }
    cJSON_AddItemToObject(o, "status_codes", codes);
    cJSON_AddNumberToObject(o, "uptime_s", jsonnum_round(uptime_s, JSONNUM_SECONDS));
    char seed[24];
    snprintf(seed, sizeof seed, "%llu", (unsigned long long)c->seed);
    cJSON_AddRawToObject(o, "seed", seed); /* exact: a double holds 53 bits, a seed 64 */
    cJSON_AddNumberToObject(o, "bytes_sent", (double)c->bytes_sent);
    cJSON *faults = cJSON_AddObjectToObject(o, "faults");
    for (int f = FAULT_NONE + 1; f < FAULT_KINDS; f++)
        cJSON_AddNumberToObject(faults, fault_name((enum fault)f), (double)c->faults[f]);
    cJSON_AddNumberToObject(o, "delays_capped", (double)c->delays_capped);
    cJSON_AddNumberToObject(o, "family_pages", (double)c->family_pages);
    cJSON_AddItemToObject(o, "delay_ms", delays_json(&c->delays));
    s = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    return s;
}
