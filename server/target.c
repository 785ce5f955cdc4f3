/* target: splitting and decoding request targets (target.h). */
#include "target.h"

#include <string.h>
#include <strings.h>

static int hex_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Decodes s[0..len) into out (room for len + 1), '+' as a space when plus.
 * A '%' not followed by two hex digits stays as it is, as in most servers.
 * Returns the decoded length; out is terminated. */
static size_t decode(const char *s, size_t len, char *out, int plus)
{
    size_t o = 0;
    for (size_t i = 0; i < len; i++) {
        int hi, lo;
        if (s[i] == '%' && i + 2 < len && (hi = hex_value(s[i + 1])) >= 0 &&
            (lo = hex_value(s[i + 2])) >= 0) {
            out[o++] = (char)(hi << 4 | lo);
            i += 2;
        } else {
            out[o++] = plus && s[i] == '+' ? ' ' : s[i];
        }
    }
    out[o] = '\0';
    return o;
}

int target_split(const char *raw, struct target *t)
{
    size_t len = strlen(raw);
    if (len > TARGET_MAX_BYTES)
        return -1;
    const char *p = raw;
    /* Absolute form: the scheme and authority name this server; the path
     * starts at the first '/' after them (none: "/"). */
    size_t scheme = strncasecmp(p, "http://", 7) == 0 ? 7 : strncasecmp(p, "https://", 8) == 0 ? 8 : 0;
    if (scheme > 0) {
        p += scheme;
        p += strcspn(p, "/?");
    }
    const char *q = strchr(p, '?');
    t->raw_path = p;
    t->raw_path_len = q != NULL ? (size_t)(q - p) : strlen(p);
    t->query = q != NULL ? q + 1 : NULL;
    if (scheme > 0 && (t->raw_path_len == 0 || *p != '/')) {
        t->path[0] = '/';
        t->path[1] = '\0';
        t->path_len = 1;
        return 0;
    }
    t->path_len = decode(t->raw_path, t->raw_path_len, t->path, 0);
    return 0;
}

static size_t count_params(const char *q)
{
    size_t n = 0;
    while (*q != '\0') {
        size_t piece = strcspn(q, "&");
        n += piece > 0;
        q += piece + (q[piece] == '&');
    }
    return n;
}

int target_each_param(const char *query, target_param_fn *fn, void *arg)
{
    if (query == NULL)
        return 0;
    if (count_params(query) > TARGET_MAX_PARAMS)
        return -1;
    char key[TARGET_MAX_BYTES + 1], value[TARGET_MAX_BYTES + 1];
    for (const char *q = query; *q != '\0';) {
        size_t piece = strcspn(q, "&");
        const char *eq = memchr(q, '=', piece);
        if (piece > 0) {
            size_t klen = eq != NULL ? (size_t)(eq - q) : piece;
            size_t kdec = decode(q, klen, key, 1);
            size_t vdec = eq != NULL ? decode(eq + 1, piece - klen - 1, value, 1) : 0;
            int rc = fn(key, kdec, eq != NULL ? value : NULL, vdec, arg);
            if (rc != 0)
                return rc;
        }
        q += piece + (q[piece] == '&');
    }
    return 0;
}
