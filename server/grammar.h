/* grammar: the lexical pieces the behaviour values of issue 9 share.
 *
 * DIST, status mixes, fault lists and sizes are each parsed by their own
 * module; what they have in common lives here once: the error message that
 * names the value ("invalid delay 'exp:x': ...").
 * Not for: what any name or number means (mix.c, fault.c, dist.c, size.c). */
#ifndef SAYHI_GRAMMAR_H
#define SAYHI_GRAMMAR_H

#include <stddef.h>
#include <stdint.h>

/* How much of a bad value an error message echoes (escaped, see log_escape),
 * so a 2 KB junk value does not become a 2 KB error body. */
#define GRAMMAR_ECHO_MAX 72

/* Writes "invalid WHAT 'VALUE': REASON" into err (VALUE escaped and cut to
 * GRAMMAR_ECHO_MAX) and returns -1, so parsers can `return grammar_error(..)`. */
int grammar_error(char *err, size_t errlen, const char *what, const char *value, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

/* s[0..len) escaped into buf for quoting a piece of a value in a reason.
 * Returns buf. */
char *grammar_quote(const char *s, size_t len, char *buf, size_t buflen);

#endif
