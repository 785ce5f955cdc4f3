/* handler: the life of a request on libmicrohttpd, and the replies.
 *
 * A request is born in handler_begin() (libmicrohttpd's URI callback) with its
 * target as received, is routed here to its endpoint (path and method), and
 * ends in handler_end() (the completion callback), which counts the response
 * whoever sent it and writes the access log line of responses libmicrohttpd
 * sent by itself. A request that waits is answered by its respond function
 * when it falls due. Not for: what each endpoint serves (endpoints.c), the
 * event loop, timers or shutdown (server.c), the shape of the bodies
 * (routes.c) or how a target is split and decoded (target.c). */
#include "server_int.h"

#include "duration.h"
#include "log.h"
#include "stats.h"
#include "target.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- the access log ---- */

/* One line per response: method, target as received (control bytes as
 * \xHH, so a %0a or a raw byte cannot forge a second line), status, the
 * delay drawn, the time to the answer, the parameters ignored, and why, when
 * it is an error or a fault. */
void handler_log(const struct request *r, unsigned status, const char *why)
{
    char target[TARGET_MAX_BYTES + 64], meth[64], delay[48] = "", reason[512] = "", code[12] = "-";
    const char *method = r->method != NULL ? r->method : "-";
    double took_ms = (double)(stats_now_us() - r->start_us) / 1000.0;
    log_escape(r->target, strlen(r->target), target, sizeof target);
    log_escape(method, strlen(method), meth, sizeof meth);
    if (status != 0)
        snprintf(code, sizeof code, "%u", status);
    if (r->say_hi) {
        char ms[40];
        snprintf(delay, sizeof delay, " delay=%sms", duration_decimal(r->b.delay_us, 1000, ms, sizeof ms));
    }
    if (why != NULL) {
        char esc[400];
        snprintf(reason, sizeof reason, " error=\"%s\"", log_escape(why, strlen(why), esc, sizeof esc));
    }
    char ignored[300] = "";
    if (r->ignored)
        reply_ignored(r, ignored, sizeof ignored);
    log_line(stdout, "INFO", "%s %s %s%s took=%.3fms%s%s%s", meth, target, code, delay, took_ms,
             ignored[0] != '\0' ? " ignored=" : "", ignored, reason);
    if (!ferror(stdout) || !server_stdout_failed(r->srv)) /* no flush per line: see server_flush_log_soon */
        server_flush_log_soon(r->srv);
}

/* ---- replies ---- */

struct MHD_Response *handler_json_response(const struct server *s, const char *body, size_t len,
                                           enum MHD_ResponseMemoryMode mode)
{
    struct MHD_Response *resp = MHD_create_response_from_buffer(len, (void *)body, mode);
    if (resp == NULL)
        return NULL;
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, "application/json");
    if (s->draining) /* tell keep-alive clients to go while we drain */
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CONNECTION, "close");
    return resp;
}

/* Counting waits for handler_end(), where every response is seen, MHD's
 * own included. */
enum MHD_Result handler_send(struct server *s, struct request *r, unsigned status, struct MHD_Response *resp,
                             const char *why)
{
    if (resp == NULL)
        return MHD_NO;
    enum MHD_Result ret = MHD_queue_response(r->conn, status, resp);
    if (s->cfg->access_log) {
        handler_log(r, status, why);
        r->logged = true;
    }
    return ret;
}

enum MHD_Result handler_send_json(struct server *s, struct request *r, unsigned status, char *body,
                                  const char *why)
{
    if (body == NULL)
        return MHD_NO;
    r->body_len = strlen(body);
    struct MHD_Response *resp = handler_json_response(s, body, (size_t)r->body_len, MHD_RESPMEM_MUST_FREE);
    if (resp == NULL) {
        free(body);
        return MHD_NO;
    }
    if (status == MHD_HTTP_METHOD_NOT_ALLOWED && r->route != NULL)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW, r->route->methods);
    enum MHD_Result ret = handler_send(s, r, status, resp, why);
    MHD_destroy_response(resp);
    return ret;
}

enum MHD_Result handler_send_error(struct server *s, struct request *r, unsigned status, const char *message)
{
    return handler_send_json(s, r, status, routes_error_body(message), message);
}

/* ---- room in the connection's pool ---- */

/* What MHD 0.9.75 keeps of a request in the pool: the head as read (the
 * header strings point into it) and one 48-byte record per header and
 * cookie; plus slack for its alignment and bytes already read past the
 * head (a pipelined request). */
#define POOL_RECORD_BYTES 48
#define POOL_SLACK_BYTES 128

size_t handler_pool_free(const struct request *r)
{
    const union MHD_ConnectionInfo *ci = MHD_get_connection_info(r->conn, MHD_CONNECTION_INFO_REQUEST_HEADER_SIZE);
    size_t head = ci != NULL ? ci->header_size : SERVER_POOL_BYTES;
    size_t records = (size_t)MHD_get_connection_values(r->conn, MHD_HEADER_KIND | MHD_COOKIE_KIND, NULL, NULL);
    size_t used = (head + 15) / 16 * 16 + records * POOL_RECORD_BYTES + POOL_SLACK_BYTES;
    return used < SERVER_POOL_BYTES ? SERVER_POOL_BYTES - used : 0;
}

/* Room for the header of any reply of ours (status line, Date,
 * Content-Length, Content-Type, Connection, Allow, X-Sayhi-Ignored of at
 * most REPLY_IGNORED_MAX bytes). handler_pool_free() errs on the safe side
 * by about 130 bytes: measured, a short 431 still went out when it said 80
 * bytes were free, and none did at 32. */
#define REPLY_HEADER_BYTES 384
#define REFUSAL_HEADER_BYTES 64

/* A head so large that MHD has no room left to write our reply's header
 * would make it close the connection without a word: refuse it while a
 * short 431 still fits, or close it ourselves (documented) when not even
 * that does. */
static enum MHD_Result refuse_large_head(struct server *s, struct request *r)
{
    if (handler_pool_free(r) < REFUSAL_HEADER_BYTES)
        return MHD_NO;
    const union MHD_ConnectionInfo *ci = MHD_get_connection_info(r->conn, MHD_CONNECTION_INFO_REQUEST_HEADER_SIZE);
    char msg[192];
    snprintf(msg, sizeof msg, "the request head of %zu bytes leaves no room for the reply in the %d bytes this server "
             "keeps per connection: send shorter headers", ci != NULL ? ci->header_size : 0, SERVER_POOL_BYTES);
    return handler_send_error(s, r, MHD_HTTP_REQUEST_HEADER_FIELDS_TOO_LARGE, msg);
}

/* ---- routing ---- */

static enum MHD_Result route(struct server *s, struct request *r)
{
    char msg[TARGET_MAX_BYTES + 160], esc[TARGET_MAX_BYTES + 64];
    struct target t;
    if (target_split(r->target, &t) != 0) {
        snprintf(msg, sizeof msg, "the request target is %zu bytes, over the %d this server reads", r->target_len,
                 TARGET_MAX_BYTES);
        return handler_send_error(s, r, MHD_HTTP_URI_TOO_LONG, msg);
    }
    r->query = t.query;
    r->route = endpoints_lookup(t.path, t.path_len);
    if (r->route == NULL) {
        snprintf(msg, sizeof msg, "no such path '%s': try %s",
                 log_escape(t.raw_path, t.raw_path_len < 64 ? t.raw_path_len : 64, esc, sizeof esc),
                 endpoints_paths());
        return handler_send_error(s, r, MHD_HTTP_NOT_FOUND, msg);
    }
    if (!endpoints_allow(r->route, r->method)) {
        snprintf(msg, sizeof msg, "method %s is not allowed on %s: use %s",
                 log_escape(r->method, strnlen(r->method, 32), esc, sizeof esc), r->route->path, r->route->methods);
        return handler_send_error(s, r, MHD_HTTP_METHOD_NOT_ALLOWED, msg);
    }
    return r->route->serve(s, r);
}

/* ---- the life of a request ---- */

/* Whether s is a version MHD accepts: "HTTP/1.d", NUL-terminated. */
static bool is_version(const char *s)
{
    return strncmp(s, "HTTP/1.", 7) == 0 && s[7] >= '0' && s[7] <= '9' && s[8] == '\0';
}

/* The length of the target MHD parsed, which may hold raw NULs: MHD
 * refuses none, and the uri it hands over is cut at the first. A request
 * reaches the URI callback only with a version MHD accepted, and MHD has
 * ended the target with a NUL before it and the line with one after it, so
 * the pieces after a NUL are part of the target until that version; the
 * bound only guards against a libmicrohttpd that lays its buffer out
 * otherwise. */
static size_t target_span(const char *uri)
{
    size_t len = strlen(uri);
    while (len < SERVER_POOL_BYTES && !is_version(uri + len + 1))
        len += 1 + strlen(uri + len + 1);
    return len;
}

void *handler_begin(void *cls, const char *uri, struct MHD_Connection *c)
{
    struct shard *sh = cls;
    struct server *s = sh->srv;
    size_t len = strlen(uri), span = target_span(uri);
    size_t keep = len <= TARGET_MAX_BYTES ? len : TARGET_MAX_BYTES + 1; /* enough to know it is too long */
    struct request *r = malloc(sizeof *r + keep + 1);
    if (r == NULL)
        return NULL; /* the handler then closes the connection */
    *r = (struct request){.srv = s, .shard = sh, .conn = c, .start_us = stats_now_us(), .target_len = span,
                          .target = (char *)(r + 1), .raw_nul = span != len};
    memcpy(r->target, uri, keep);
    r->target[keep] = '\0';
    s->counters.requests++;
    s->active++;
    /* libmicrohttpd would next store every query parameter in the 4 KB
     * connection pool, 48 bytes each, and close the connection without a
     * response when a few dozen do not fit. sayhi reads the query from the
     * copy above, so the query MHD parses is made empty: uri points into
     * MHD's read buffer, which MHD itself rewrites in place right after this
     * call (libmicrohttpd 0.9.75, parse_initial_message_line, which finds the
     * '?' with memchr over the whole target, past a raw NUL too). */
    char *q = memchr(uri, '?', span);
    if (q != NULL)
        q[1] = '\0';
    return r;
}

enum MHD_Result handler_request(void *cls, struct MHD_Connection *c, const char *url, const char *method,
                                const char *version, const char *upload_data, size_t *upload_data_size,
                                void **req_cls)
{
    struct server *s = cls;
    struct request *r = *req_cls;
    (void)c;
    (void)url; /* MHD's decoded copy: the target kept in r is read instead */
    (void)version;
    (void)upload_data;
    if (r == NULL)
        return MHD_NO; /* out of memory in handler_begin() */
    /* First call: headers only. Queueing a reply here would make MHD close
     * the connection (no keep-alive), so only take note and answer on the
     * next call. */
    if (!r->headers_in) {
        r->headers_in = true;
        return MHD_YES;
    }
    if (*upload_data_size != 0) { /* a request body is read and ignored */
        *upload_data_size = 0;
        return MHD_YES;
    }
    r->method = method;
    r->head_only = strcmp(method, "HEAD") == 0;
    if (r->phase == PHASE_DUE)
        return r->respond(s, r);
    if (handler_pool_free(r) < REPLY_HEADER_BYTES)
        return refuse_large_head(s, r);
    if (r->raw_nul) /* what follows it would be lost: a NUL is sent as %00 */
        return handler_send_error(s, r, MHD_HTTP_BAD_REQUEST, "the request target holds a raw NUL byte");
    return route(s, r);
}

void handler_end(struct server *s, struct request *r, struct MHD_Connection *c, enum MHD_RequestTerminationCode toe)
{
    const union MHD_ConnectionInfo *info = MHD_get_connection_info(c, MHD_CONNECTION_INFO_HTTP_STATUS);
    unsigned status = info != NULL ? info->http_status : 0;
    if (status > 0 && status < ROUTES_STATUS_MAX)
        s->counters.status[status]++;
    if (r->respond == reply_family && status >= 200 && status < 300)
        s->counters.family_pages++;
    if (r->say_hi)
        recent_add(&s->recent, r->start_us - s->started_us, stats_now_us() - s->started_us, r->b.delay_us, status);
    if (!r->head_only)
        s->counters.bytes_sent += toe == MHD_REQUEST_TERMINATED_COMPLETED_OK ? r->body_len : r->body_sent;
    if (s->cfg->access_log && !r->logged)
        handler_log(r, status,
                    status != 0 ? "answered by libmicrohttpd (malformed request, no Host, or headers too large)"
                                : "closed before a response");
}
