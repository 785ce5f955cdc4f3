/* response: one HTTP/1.1 response parsed incrementally with libhttp-parser.
 *
 * Bytes go in as they come off a socket (any split), and out come the
 * status, the body (de-chunked, kept up to VALIDATE_BODY_MAX) and whether
 * the response is complete. Interim 1xx responses (100 Continue, 103 Early
 * Hints) are skipped: the response is the final one after them (RFC 9110
 * §15.2). Bytes after the end of the response are a protocol error, never
 * the next request's answer. Both clients read responses through it, and
 * it is fuzzed without a socket. Not for: sockets, timeouts or retries
 * (each client's engine). */
#ifndef SAYHI_RESPONSE_H
#define SAYHI_RESPONSE_H

#include "stats.h"
#include "validate.h"

#include <http_parser.h>
#include <stdbool.h>
#include <stddef.h>

/* What a success is (--check): any 2xx with its body read and counted;
 * a 2xx with an RFC 8259 JSON body of at most max_body bytes; or sayhi's
 * own rule (validate.h). */
enum response_check { RESPONSE_CHECK_STATUS, RESPONSE_CHECK_JSON, RESPONSE_CHECK_SAYHI };

struct response_rules {
    enum response_check check;
    size_t max_body;   /* RESPONSE_CHECK_JSON: larger bodies are bad */
    bool head;         /* the request was HEAD: no response has a body */
};

struct response {
    http_parser parser;
    const struct response_rules *rules;
    char *big;       /* RESPONSE_CHECK_JSON: the body, grown up to max_body (response_free) */
    size_t big_cap;
    bool complete;   /* the parser saw the end of the final response */
    size_t extra;    /* bytes after that end, in the feed that reached it */
    size_t body_len; /* bytes of body seen; above sizeof body only body[] was kept */
    char body[VALIDATE_BODY_MAX];
};

/* Ready for a response under sayhi's rule, with no heap buffer. */
void response_init(struct response *r);

/* Ready for the next response under rules on a struct zeroed once when it
 * was made: the JSON body buffer of an earlier response is kept for reuse. */
void response_start(struct response *r, const struct response_rules *rules);

/* Frees what response_start grew. */
void response_free(struct response *r);

/* Feeds len bytes (len 0: the peer closed, which ends a body that runs to
 * EOF). Stops at the end of the final response; bytes after it are counted
 * in extra, and make the verdict a bad status. Returns 1 complete, 0 more
 * needed, -1 not HTTP (a parser error). */
int response_feed(struct response *r, const char *buf, size_t len);

/* Room for the words of a verdict (response_verdict's why). */
#define RESPONSE_WHY_MAX 128

/* The verdict on a complete response: STATS_OK, _STATUS or _BODY. When it
 * is not OK, why (RESPONSE_WHY_MAX bytes) gets what the server did, in the
 * words of the first-failure notice after "GET <url> ": "answered status
 * 500, not 2xx". */
enum stats_error response_verdict(const struct response *r, char *why);

/* The words for a response of status followed by n bytes that no request
 * asked for: "answered 200, then 4 bytes after the response that no
 * request asked for". Into why (RESPONSE_WHY_MAX bytes). */
void response_why_unsolicited(char *why, unsigned status, size_t n);

/* Whether the connection may carry the next request after this complete
 * response: the server keeps it alive, nothing followed the response, and
 * it did not switch protocols (101). */
bool response_keeps_connection(const struct response *r);

static inline unsigned response_status(const struct response *r) { return r->parser.status_code; }

#endif
