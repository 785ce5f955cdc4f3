/* grammar: shared lexical pieces of the behaviour values (grammar.h). */
#include "grammar.h"

#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

char *grammar_quote(const char *s, size_t len, char *buf, size_t buflen)
{
    return log_escape(s, len, buf, buflen);
}

int grammar_error(char *err, size_t errlen, const char *what, const char *value, const char *fmt, ...)
{
    char quoted[GRAMMAR_ECHO_MAX + 1];
    grammar_quote(value, strlen(value), quoted, sizeof quoted);
    int n = snprintf(err, errlen, "invalid %s '%s': ", what, quoted);
    if (n >= 0 && (size_t)n < errlen) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err + n, errlen - (size_t)n, fmt, ap);
        va_end(ap);
    }
    return -1;
}
