/* libFuzzer target: validate_response, the verdict on every client response.
 *
 * Input: two bytes of status (taken modulo 1100, so 0..1099), the rest is the
 * body. Invariants: the verdict is OK, STATUS or BODY; STATUS exactly when the
 * status is not 2xx; for a 2xx body without NUL bytes, OK exactly when the
 * body is JSON blanks (RFC 8259: space, tab, CR, LF), {...}, JSON blanks, and
 * cJSON reading the object as a C string to its end sees a string "message"
 * (a second route through cJSON: by length versus by terminator); bytes after
 * the body never change the verdict. And
 * the same bytes wrapped by cJSON as {"message": "<bytes>"} always pass, the
 * wrapper cut short by one byte never does. The body is copied into an
 * exact-size malloc so ASan catches a read past it. */
#include "validate.h"

#include <cjson/cJSON.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static enum stats_error verdict_exact(unsigned status, const char *body, size_t len)
{
    char *copy = malloc(len > 0 ? len : 1);
    memcpy(copy, body, len);
    enum stats_error e = validate_response(status, copy, len);
    free(copy);
    return e;
}

static int blank(char c) { return c == ' ' || c == '\n' || c == '\r' || c == '\t'; }

/* OK or BODY for a 2xx body that is a C string of length len: JSON's own
 * blanks trimmed, the rest must be {...} that cJSON reads to its end. */
static enum stats_error oracle(char *body, size_t len)
{
    char *end = body + len;
    while (body < end && blank(*body))
        body++;
    while (end > body && blank(end[-1]))
        *--end = '\0';
    if (len > VALIDATE_BODY_MAX || body == end || *body != '{' || end[-1] != '}')
        return STATS_ERR_BODY;
    cJSON *o = cJSON_ParseWithOpts(body, NULL, 1);
    enum stats_error e =
        cJSON_IsObject(o) && cJSON_IsString(cJSON_GetObjectItemCaseSensitive(o, "message")) ? STATS_OK : STATS_ERR_BODY;
    cJSON_Delete(o);
    return e;
}

/* {"message": body up to its first NUL}, as cJSON prints it. */
static void check_wrapped(unsigned status, const char *cstr)
{
    cJSON *o = cJSON_CreateObject();
    if (o == NULL || cJSON_AddStringToObject(o, "message", cstr) == NULL) {
        cJSON_Delete(o);
        return;
    }
    char *json = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    if (json == NULL)
        return;
    size_t n = strlen(json);
    if (n <= VALIDATE_BODY_MAX && verdict_exact(status, json, n) != STATS_OK)
        abort();
    if (verdict_exact(status, json, n - 1) != STATS_ERR_BODY)
        abort();
    free(json);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0;
    unsigned status = (unsigned)(data[0] << 8 | data[1]) % 1100;
    const char *body = (const char *)data + 2;
    size_t len = size - 2;
    enum stats_error e = verdict_exact(status, body, len);
    if (e != STATS_OK && e != STATS_ERR_STATUS && e != STATS_ERR_BODY)
        abort();
    if ((e == STATS_ERR_STATUS) != (status < 200 || status > 299))
        abort();

    /* The same body followed by more bytes in the same buffer. */
    char *padded = malloc(len + 16);
    memcpy(padded, body, len);
    memcpy(padded + len, "\"}  {\"message\":", 16);
    if (validate_response(status, padded, len) != e)
        abort();
    free(padded);

    char *cstr = malloc(len + 1);
    memcpy(cstr, body, len);
    cstr[len] = '\0';
    check_wrapped(200 + status % 100, cstr);
    if (e != STATS_ERR_STATUS && memchr(body, '\0', len) == NULL && oracle(cstr, len) != e)
        abort();
    free(cstr);
    return 0;
}
