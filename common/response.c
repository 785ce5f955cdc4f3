/* response: incremental HTTP response parsing for both clients (response.h). */
#include "response.h"

#include "cli.h"
#include "jsoncheck.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct response_rules sayhi_rules = {.check = RESPONSE_CHECK_SAYHI};

/* --check json: the body into big, grown by doubling, never past max_body
 * (a larger body is only counted: it is a bad body anyway). */
static void keep_json(struct response *r, const char *at, size_t len)
{
    size_t max = r->rules->max_body;
    if (r->body_len + len > max)
        return;
    if (r->body_len + len > r->big_cap) {
        size_t cap = r->big_cap > 0 ? r->big_cap : 4096;
        while (cap < r->body_len + len)
            cap *= 2;
        cap = cap < max ? cap : max;
        char *b = realloc(r->big, cap);
        if (b == NULL)
            return; /* kept short: the verdict sees a body it cannot read, a bad body */
        r->big = b;
        r->big_cap = cap;
    }
    memcpy(r->big + r->body_len, at, len);
}

static int on_body(http_parser *p, const char *at, size_t len)
{
    struct response *r = p->data;
    if (r->rules->check == RESPONSE_CHECK_JSON) {
        keep_json(r, at, len);
    } else if (r->rules->check == RESPONSE_CHECK_SAYHI && r->body_len < sizeof r->body) {
        size_t room = sizeof r->body - r->body_len;
        memcpy(r->body + r->body_len, at, len < room ? len : room);
    }
    r->body_len += len; /* may exceed the buffer: then it is a bad body */
    return 0;
}

/* 100 Continue, 102 Processing, 103 Early Hints...: not the answer yet. 101
 * Switching Protocols is final: nothing after it is HTTP any more, and curl
 * too takes an unasked-for 101 as the response. */
static bool interim(const http_parser *p) { return p->status_code / 100 == 1 && p->status_code != 101; }

/* An interim response ends with its header section, whatever its headers
 * say (RFC 9110 §15.2): 1 tells the parser there is no body. */
static int on_headers(http_parser *p)
{
    const struct response *r = p->data;
    return interim(p) || r->rules->head ? 1 : 0;
}

static int on_complete(http_parser *p)
{
    struct response *r = p->data;
    if (interim(p)) { /* the parser goes on to the next response of the same request */
        r->body_len = 0;
        return 0;
    }
    r->complete = true;
    http_parser_pause(p, 1); /* what follows is counted in extra */
    return 0;
}

static const http_parser_settings settings = {
    .on_headers_complete = on_headers, .on_body = on_body, .on_message_complete = on_complete};

void response_init(struct response *r)
{
    r->big = NULL;
    r->big_cap = 0;
    response_start(r, &sayhi_rules);
}

void response_free(struct response *r)
{
    free(r->big);
    r->big = NULL;
    r->big_cap = 0;
}

void response_start(struct response *r, const struct response_rules *rules)
{
    r->rules = rules;
    r->complete = false;
    r->extra = 0;
    r->body_len = 0;
    http_parser_init(&r->parser, HTTP_RESPONSE);
    r->parser.data = r;
}

int response_feed(struct response *r, const char *buf, size_t len)
{
    if (r->complete) {
        r->extra += len;
        return 1;
    }
    size_t used = http_parser_execute(&r->parser, &settings, len > 0 ? buf : NULL, len);
    if (r->complete) {
        r->extra = len - used; /* paused at the end: the parser stopped there */
        return 1;
    }
    return HTTP_PARSER_ERRNO(&r->parser) == HPE_OK ? 0 : -1;
}

void response_why_unsolicited(char *why, unsigned status, size_t n)
{
    snprintf(why, RESPONSE_WHY_MAX, "answered %u, then %zu byte%s after the response that no request asked for",
             status, n, cli_plural(n));
}

bool response_keeps_connection(const struct response *r)
{
    return r->extra == 0 && response_status(r) != 101 && http_should_keep_alive(&r->parser);
}

/* --check status and json: the status, then for json the body. */
static enum stats_error verdict_any(const struct response *r, char *why)
{
    unsigned status = response_status(r);
    if (status < 200 || status > 299) {
        snprintf(why, RESPONSE_WHY_MAX, "answered status %u, not 2xx", status);
        return STATS_ERR_STATUS;
    }
    if (r->rules->check == RESPONSE_CHECK_STATUS)
        return STATS_OK;
    if (r->body_len > r->rules->max_body) {
        snprintf(why, RESPONSE_WHY_MAX, "answered %u with a body over --max-body %zu (%zu bytes)", status,
                 r->rules->max_body, r->body_len);
        return STATS_ERR_BODY;
    }
    if (r->body_len == 0 || r->body_len > r->big_cap || !jsoncheck_text(r->big, r->body_len)) {
        snprintf(why, RESPONSE_WHY_MAX, "answered %u without a JSON body", status);
        return STATS_ERR_BODY;
    }
    return STATS_OK;
}

enum stats_error response_verdict(const struct response *r, char *why)
{
    unsigned status = response_status(r);
    if (r->extra > 0) {
        response_why_unsolicited(why, status, r->extra);
        return STATS_ERR_STATUS;
    }
    if (r->rules->check != RESPONSE_CHECK_SAYHI)
        return verdict_any(r, why);
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
