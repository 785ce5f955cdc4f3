/* response: incremental HTTP response parsing for both clients (response.h). */
#include "response.h"

#include <stdio.h>
#include <string.h>

static int on_body(http_parser *p, const char *at, size_t len)
{
    struct response *r = p->data;
    if (r->body_len < sizeof r->body) {
        size_t room = sizeof r->body - r->body_len;
        memcpy(r->body + r->body_len, at, len < room ? len : room);
    }
    r->body_len += len; /* may exceed the buffer: then it is a bad body */
    return 0;
}

static int on_complete(http_parser *p)
{
    struct response *r = p->data;
    r->complete = true;
    http_parser_pause(p, 1); /* nothing after the response belongs to this request */
    return 0;
}

static const http_parser_settings settings = {.on_body = on_body, .on_message_complete = on_complete};

void response_init(struct response *r)
{
    r->complete = false;
    r->body_len = 0;
    http_parser_init(&r->parser, HTTP_RESPONSE);
    r->parser.data = r;
}

int response_feed(struct response *r, const char *buf, size_t len)
{
    if (r->complete)
        return 1;
    http_parser_execute(&r->parser, &settings, len > 0 ? buf : NULL, len);
    if (r->complete)
        return 1;
    return HTTP_PARSER_ERRNO(&r->parser) == HPE_OK ? 0 : -1;
}

enum stats_error response_verdict(const struct response *r, char *why)
{
    unsigned status = response_status(r);
    /* A body longer than the buffer was not kept: validate_response sees
     * only its length, which is over the limit, after the status. */
    enum stats_error e = validate_response(status, r->body, r->body_len);
    if (e == STATS_ERR_STATUS)
        snprintf(why, RESPONSE_WHY_MAX, "answered status %u, not 2xx", status);
    else if (e == STATS_ERR_BODY && r->body_len > VALIDATE_BODY_MAX)
        snprintf(why, RESPONSE_WHY_MAX, "answered %u with a body over %d KB (%zu bytes)", status,
                 VALIDATE_BODY_MAX / 1024, r->body_len);
    else if (e == STATS_ERR_BODY)
        snprintf(why, RESPONSE_WHY_MAX, "answered %u without a JSON body holding a string \"message\"", status);
    return e;
}
