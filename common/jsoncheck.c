/* jsoncheck: an RFC 8259 syntax check by recursive descent (jsoncheck.h). */
#include "jsoncheck.h"

#include <string.h>

struct scan {
    const unsigned char *p, *end;
    int depth;
};

static bool value(struct scan *s);

/* The four whitespace bytes of RFC 8259; no other byte below 0x20 is JSON. */
static void blanks(struct scan *s)
{
    while (s->p < s->end && (*s->p == ' ' || *s->p == '\t' || *s->p == '\n' || *s->p == '\r'))
        s->p++;
}

static bool take(struct scan *s, unsigned char c)
{
    if (s->p == s->end || *s->p != c)
        return false;
    s->p++;
    return true;
}

static bool digit(const struct scan *s) { return s->p < s->end && *s->p >= '0' && *s->p <= '9'; }

static void digits(struct scan *s)
{
    while (digit(s))
        s->p++;
}

/* -? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)? */
static bool number(struct scan *s)
{
    take(s, '-');
    if (take(s, '0')) {
        /* no leading zeros: "01" is not a number */
    } else if (digit(s)) {
        digits(s);
    } else {
        return false;
    }
    if (take(s, '.')) {
        if (!digit(s))
            return false;
        digits(s);
    }
    if (take(s, 'e') || take(s, 'E')) {
        if (!take(s, '+'))
            take(s, '-');
        if (!digit(s))
            return false;
        digits(s);
    }
    return true;
}

/* Length of the well-formed UTF-8 sequence at p (lead byte >= 0x80), or 0:
 * no overlong forms, no surrogates, nothing above U+10FFFF (RFC 3629). */
static size_t utf8_len(const unsigned char *p, const unsigned char *end)
{
    unsigned c = p[0], lo = 0x80, hi = 0xBF; /* the range of the second byte */
    if (c < 0xC2 || c > 0xF4)
        return 0;
    size_t n = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : 2;
    if (c == 0xE0)
        lo = 0xA0;
    else if (c == 0xED)
        hi = 0x9F;
    else if (c == 0xF0)
        lo = 0x90;
    else if (c == 0xF4)
        hi = 0x8F;
    if ((size_t)(end - p) < n || p[1] < lo || p[1] > hi)
        return 0;
    for (size_t i = 2; i < n; i++)
        if ((p[i] & 0xC0) != 0x80)
            return 0;
    return n;
}

static bool hex4(struct scan *s)
{
    for (int i = 0; i < 4; i++, s->p++) {
        unsigned c = s->p < s->end ? *s->p : 0;
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')))
            return false;
    }
    return true;
}

/* A string, from its opening quote. */
static bool string(struct scan *s)
{
    if (!take(s, '"'))
        return false;
    while (s->p < s->end) {
        unsigned char c = *s->p;
        if (c == '"') {
            s->p++;
            return true;
        }
        if (c < 0x20) /* raw control bytes must be escaped */
            return false;
        if (c == '\\') {
            s->p++;
            if (take(s, 'u')) {
                if (!hex4(s))
                    return false;
            } else if (s->p == s->end || memchr("\"\\/bfnrt", *s->p, 8) == NULL) {
                return false;
            } else {
                s->p++;
            }
        } else if (c >= 0x80) {
            size_t n = utf8_len(s->p, s->end);
            if (n == 0)
                return false;
            s->p += n;
        } else {
            s->p++;
        }
    }
    return false; /* no closing quote */
}

/* The members of an object or the elements of an array, after its opening
 * bracket, through its closing one. */
static bool members(struct scan *s, bool object)
{
    unsigned char close = object ? '}' : ']';
    if (++s->depth > JSONCHECK_DEPTH_MAX)
        return false;
    blanks(s);
    if (take(s, close)) {
        s->depth--;
        return true;
    }
    for (;;) {
        if (object) {
            if (!string(s))
                return false;
            blanks(s);
            if (!take(s, ':'))
                return false;
            blanks(s);
        }
        if (!value(s))
            return false;
        blanks(s);
        if (take(s, close)) {
            s->depth--;
            return true;
        }
        if (!take(s, ','))
            return false;
        blanks(s);
    }
}

static bool literal(struct scan *s, const char *word)
{
    size_t n = strlen(word);
    if ((size_t)(s->end - s->p) < n || memcmp(s->p, word, n) != 0)
        return false;
    s->p += n;
    return true;
}

static bool value(struct scan *s)
{
    if (s->p == s->end)
        return false;
    switch (*s->p) {
    case '{':
        s->p++;
        return members(s, true);
    case '[':
        s->p++;
        return members(s, false);
    case '"':
        return string(s);
    case 't':
        return literal(s, "true");
    case 'f':
        return literal(s, "false");
    case 'n':
        return literal(s, "null");
    default:
        return number(s);
    }
}

bool jsoncheck_text(const char *text, size_t len)
{
    struct scan s = {.p = (const unsigned char *)text, .end = (const unsigned char *)text + len};
    blanks(&s);
    if (!value(&s))
        return false;
    blanks(&s);
    return s.p == s.end;
}
