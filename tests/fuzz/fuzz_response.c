/* libFuzzer target: the clients' incremental response parsing (response.h).
 *
 * Input: one byte choosing how to split, the rest is what a server sent.
 * Invariants: fed at once or in pieces of 1..8 bytes, the outcome is the same
 * (complete / more / not HTTP, status, bytes after the end, body length and
 * bytes, verdict); a complete response has a status of at most 999 and no
 * more body than input; a verdict of OK means a 2xx that validate_response
 * accepts; a 100 and a 103 sent first change none of it (interim responses
 * are skipped). And the input bytes sent as the body of a 200, once with
 * Content-Length and once chunked in the chosen pieces, always parse
 * complete with exactly that body. Under --check status and json the
 * verdicts hold whatever the split, and a json success is JSON. */
#include "jsoncheck.h"
#include "response.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Piece sizes 1..8 from the split byte, cycling over its bits. */
static size_t piece(unsigned split, size_t i) { return ((split >> (i % 6)) & 7) + 1; }

/* Feeds buf (exact-size copy) at once (split 0) or in pieces, then EOF,
 * under rules (NULL: sayhi's, with response_init). */
static int feed_under(struct response *r, const struct response_rules *rules, const char *buf, size_t len,
                      unsigned split)
{
    char *copy = malloc(len > 0 ? len : 1);
    memcpy(copy, buf, len);
    if (rules == NULL)
        response_init(r);
    else
        response_start(r, rules);
    int state = 0; /* past the end too: the rest must count in extra whatever the split */
    for (size_t off = 0, i = 0; state >= 0 && off < len; i++) {
        size_t n = split == 0 ? len - off : piece(split, i);
        n = n < len - off ? n : len - off;
        state = response_feed(r, copy + off, n);
        off += n;
    }
    if (state == 0)
        state = response_feed(r, NULL, 0);
    free(copy);
    return state;
}

static int feed(struct response *r, const char *buf, size_t len, unsigned split)
{
    return feed_under(r, NULL, buf, len, split);
}

/* --check status and json (64-byte --max-body): the same verdict whatever
 * the split; a success is a complete 2xx, and under json its body is at
 * most 64 bytes of RFC 8259 JSON. */
static void check_rules(const char *in, size_t len, unsigned split)
{
    static const struct response_rules rules[] = {{.check = RESPONSE_CHECK_STATUS, .max_body = 64},
                                                  {.check = RESPONSE_CHECK_JSON, .max_body = 64}};
    static struct response whole, pieces; /* zeroed once: response_start keeps their JSON buffers */
    char why[RESPONSE_WHY_MAX];
    for (size_t k = 0; k < 2; k++) {
        int a = feed_under(&whole, &rules[k], in, len, 0);
        int b = feed_under(&pieces, &rules[k], in, len, split);
        if (a != b || (a == 1 && response_verdict(&whole, why) != response_verdict(&pieces, why)))
            abort();
        if (a != 1 || response_verdict(&whole, why) != STATS_OK)
            continue;
        unsigned status = response_status(&whole);
        if (status < 200 || status > 299 || whole.extra != 0 ||
            (k == 1 && (whole.body_len > 64 || !jsoncheck_text(whole.big, whole.body_len))))
            abort();
    }
}

static void same_body(const struct response *r, const char *body, size_t len)
{
    size_t kept = len < sizeof r->body ? len : sizeof r->body;
    if (!r->complete || response_status(r) != 200 || r->body_len != len || memcmp(r->body, body, kept) != 0)
        abort();
}

static void check_wellformed(const char *body, size_t len, unsigned split)
{
    struct response r;
    size_t cap = 64 + len * 8;
    char *msg = malloc(cap);
    size_t n = (size_t)snprintf(msg, cap, "HTTP/1.1 200 OK\r\nContent-Length: %zu\r\n\r\n", len);
    memcpy(msg + n, body, len);
    if (feed(&r, msg, n + len, split) != 1)
        abort();
    same_body(&r, body, len);

    n = (size_t)snprintf(msg, cap, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n");
    for (size_t off = 0, i = 0; off < len; i++) {
        size_t c = piece(split | 1, i);
        c = c < len - off ? c : len - off;
        n += (size_t)snprintf(msg + n, cap - n, "%zx\r\n", c);
        memcpy(msg + n, body + off, c);
        memcpy(msg + n + c, "\r\n", 2);
        n += c + 2;
        off += c;
    }
    n += (size_t)snprintf(msg + n, cap - n, "0\r\n\r\n");
    if (feed(&r, msg, n, split) != 1)
        abort();
    same_body(&r, body, len);
    free(msg);
}

/* Interim responses before the input change nothing: they are skipped. */
static void check_interim(const char *in, size_t len, unsigned split, int state, const struct response *want)
{
    static const char interim[] = "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n";
    static struct response r;
    size_t n = sizeof interim - 1;
    char *msg = malloc(n + len + 1);
    memcpy(msg, interim, n);
    memcpy(msg + n, in, len);
    if (feed(&r, msg, n + len, split) != state || r.complete != want->complete ||
        (state == 1 && (response_status(&r) != response_status(want) || r.extra != want->extra ||
                        r.body_len != want->body_len)))
        abort();
    free(msg);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    unsigned split = data[0] | 1; /* never 0: that is "at once" */
    const char *in = (const char *)data + 1;
    size_t len = size - 1;
    static struct response whole, pieces; /* static: 1 KB each, reused */
    int a = feed(&whole, in, len, 0);
    int b = feed(&pieces, in, len, split);
    if (a != b || whole.complete != pieces.complete || response_status(&whole) != response_status(&pieces) ||
        whole.extra != pieces.extra)
        abort();
    if (a == 1) {
        size_t kept = whole.body_len < sizeof whole.body ? whole.body_len : sizeof whole.body;
        if (whole.body_len != pieces.body_len || memcmp(whole.body, pieces.body, kept) != 0)
            abort();
        if (response_status(&whole) > 999 || whole.body_len > len)
            abort();
        char why[RESPONSE_WHY_MAX];
        enum stats_error v = response_verdict(&whole, why);
        if (v != response_verdict(&pieces, why))
            abort();
        if (v == STATS_OK && (response_status(&whole) < 200 || response_status(&whole) > 299 ||
                              validate_response(response_status(&whole), whole.body, whole.body_len) != STATS_OK))
            abort();
    }
    check_interim(in, len, split, a, &whole);
    check_wellformed(in, len, split);
    check_rules(in, len, split);
    return 0;
}
