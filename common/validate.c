/* validate: status and body checks of one response (validate.h). */
#include "validate.h"

#include "jsoncheck.h"

#include <cjson/cJSON.h>

enum stats_error validate_response(unsigned status, const char *body, size_t len)
{
    if (status < 200 || status > 299)
        return STATS_ERR_STATUS;
    /* RFC 8259 first: cJSON alone would pass control bytes between the
     * tokens and inside strings ("{\x01\"message\"\x02:...}"). */
    if (body == NULL || len == 0 || len > VALIDATE_BODY_MAX || !jsoncheck_text(body, len))
        return STATS_ERR_BODY;
    /* Valid JSON, so cJSON reads exactly it (the body is not a C string:
     * by length); left to see is the object and its "message". */
    cJSON *o = cJSON_ParseWithLength(body, len);
    enum stats_error e = cJSON_IsObject(o) && cJSON_IsString(cJSON_GetObjectItemCaseSensitive(o, "message"))
                             ? STATS_OK
                             : STATS_ERR_BODY;
    cJSON_Delete(o);
    return e;
}
