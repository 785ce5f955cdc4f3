/* jsoncheck: whether bytes are one JSON text as RFC 8259 defines it.
 *
 * cJSON reads more than JSON: it skips every byte up to 0x20 between tokens,
 * keeps raw control bytes and invalid UTF-8 inside strings, and takes
 * numbers such as 01, 1. and -.5. A client that calls a body valid JSON
 * must not, so the clients' validator checks the syntax here first and only
 * then asks cJSON for the values. Not for: values (cJSON), or what a good
 * /say-hi body holds (validate.h). */
#ifndef SAYHI_JSONCHECK_H
#define SAYHI_JSONCHECK_H

#include <stdbool.h>
#include <stddef.h>

/* Deepest nesting of arrays and objects accepted: cJSON's own limit
 * (CJSON_NESTING_LIMIT), so that the two never disagree on depth. */
#define JSONCHECK_DEPTH_MAX 1000

/* True when s[0..len) is whitespace, one value, whitespace (RFC 8259 §2),
 * with strings in UTF-8 (§8.1) and no raw byte below 0x20 in them (§7). */
bool jsoncheck_text(const char *s, size_t len);

#endif
