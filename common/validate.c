/* validate: status and body checks of one response (validate.h). */
#include "validate.h"

#include <cjson/cJSON.h>
#include <stdbool.h>

/* JSON's whitespace (RFC 8259). cJSON skips every byte up to 0x20 instead,
 * which would let "\x05{...}" pass as JSON: the edges are checked here. */
static bool json_blank(char c) { return c == ' ' || c == '\n' || c == '\r' || c == '\t'; }

enum stats_error validate_response(unsigned status, const char *body, size_t len)
{
    if (status < 200 || status > 299)
        return STATS_ERR_STATUS;
    if (body == NULL || len == 0 || len > VALIDATE_BODY_MAX)
        return STATS_ERR_BODY;
    const char *start = body;
    while (start < body + len && json_blank(*start))
        start++;
    if (start == body + len || *start != '{')
        return STATS_ERR_BODY;
    /* The body is not a C string, so parse by length and check ourselves that
     * nothing but blanks follows the object ("{...}junk" is a bad body). */
    const char *end = NULL;
    cJSON *o = cJSON_ParseWithLengthOpts(start, len - (size_t)(start - body), &end, 0);
    while (end != NULL && end < body + len && json_blank(*end))
        end++;
    enum stats_error e = o != NULL && end == body + len && cJSON_IsString(cJSON_GetObjectItemCaseSensitive(o, "message"))
                             ? STATS_OK
                             : STATS_ERR_BODY;
    cJSON_Delete(o);
    return e;
}
