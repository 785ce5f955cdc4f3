/* routes: paths, methods and JSON bodies (routes.h). */
#include "routes.h"

#include "duration.h"

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
    cJSON_AddNumberToObject(o, "uptime_s", uptime_s);
    s = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    return s;
}
