/* size: parsing and formatting of SIZE values (size.h). */
#include "size.h"

#include "grammar.h"

#include <stdio.h>
#include <string.h>

#define KIB UINT64_C(1024)
#define MIB (KIB * KIB)

/* Reads s as digits and a suffix into *out; 1 when they overflow 64 bits,
 * -1 when s is not the grammar at all. */
static int scan(const char *s, uint64_t *out)
{
    uint64_t v = 0;
    int overflow = 0;
    size_t i = 0;
    for (; s[i] >= '0' && s[i] <= '9'; i++) {
        unsigned d = (unsigned)(s[i] - '0');
        overflow |= v > (UINT64_MAX - d) / 10;
        v = v * 10 + d;
    }
    uint64_t unit = strcmp(s + i, "k") == 0 ? KIB : strcmp(s + i, "M") == 0 ? MIB : s[i] == '\0' ? 1 : 0;
    if (i == 0 || unit == 0)
        return -1;
    overflow |= v > UINT64_MAX / unit;
    *out = v * unit;
    return overflow;
}

int size_parse(const char *s, uint64_t max, uint64_t *out, char *err, size_t errlen)
{
    uint64_t v = 0;
    char limit[SIZE_TEXT_MAX];
    int rc = scan(s, &v);
    if (rc < 0)
        return grammar_error(err, errlen, "size", s, "expected a whole number of bytes like 512, 100k or 16M");
    if (rc > 0 || v > max)
        return grammar_error(err, errlen, "size", s, "above the limit of %s", size_format(max, limit, sizeof limit));
    *out = v;
    return 0;
}

char *size_format(uint64_t bytes, char *buf, size_t len)
{
    if (bytes != 0 && bytes % MIB == 0)
        snprintf(buf, len, "%lluM", (unsigned long long)(bytes / MIB));
    else if (bytes != 0 && bytes % KIB == 0)
        snprintf(buf, len, "%lluk", (unsigned long long)(bytes / KIB));
    else
        snprintf(buf, len, "%llu", (unsigned long long)bytes);
    return buf;
}
