/* libFuzzer target: validate_response, the verdict on every client response.
 *
 * Input: two bytes of status (taken modulo 1100, so 0..1099), the rest is the
 * body. Invariants: the verdict is OK, STATUS or BODY; STATUS exactly when the
 * status is not 2xx; bytes after the body never change the verdict. Against
 * cJSON as a second reader (by terminator, not by length), for a 2xx body
 * without NUL bytes: OK only when the body is JSON blanks (RFC 8259: space,
 * tab, CR, LF), {...}, JSON blanks and cJSON sees a string "message" in it;
 * and on plain bodies, where cJSON is as strict as RFC 8259 (printable ASCII,
 * no digit, no backslash: cJSON's leniency is in control bytes, numbers,
 * escapes and UTF-8), OK exactly then. And the body's bytes wrapped by cJSON
 * as {"message": "<bytes>"} pass exactly when they are UTF-8 (cJSON escapes
 * control bytes but copies other bytes as they are), the wrapper cut short
 * by one byte never passes. The body is copied into an exact-size malloc so
 * ASan catches a read past it. */
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

/* RFC 3629, read independently of jsoncheck.c: decode each sequence, then
 * check the code point against what its length may hold, and surrogates. */
static int utf8_valid(const unsigned char *s, size_t n)
{
    static const uint32_t least[5] = {0, 0, 0x80, 0x800, 0x10000};
    for (size_t i = 0; i < n;) {
        unsigned c = s[i];
        size_t len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
        if (len == 0 || i + len > n)
            return 0;
        uint32_t cp = len == 1 ? c : c & (0x7Fu >> len);
        for (size_t k = 1; k < len; k++) {
            if ((s[i + k] & 0xC0) != 0x80)
                return 0;
            cp = cp << 6 | (s[i + k] & 0x3Fu);
        }
        if (cp < least[len] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
            return 0;
        i += len;
    }
    return 1;
}

/* Printable ASCII without digits or backslashes: where cJSON reads JSON as
 * strictly as RFC 8259 does. */
static int plain(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] < 0x20 || s[i] > 0x7E || (s[i] >= '0' && s[i] <= '9') || s[i] == '\\')
            return 0;
    return 1;
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
    enum stats_error want = utf8_valid((const unsigned char *)cstr, strlen(cstr)) ? STATS_OK : STATS_ERR_BODY;
    if (n <= VALIDATE_BODY_MAX && verdict_exact(status, json, n) != want)
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
    if (e != STATS_ERR_STATUS && memchr(body, '\0', len) == NULL) {
        enum stats_error lenient = oracle(cstr, len);
        if ((e == STATS_OK && lenient != STATS_OK) || (plain(body, len) && lenient != e))
            abort();
    }
    free(cstr);
    return 0;
}
