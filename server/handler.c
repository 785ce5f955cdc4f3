/* handler: what sayhi-server answers to each request, on libmicrohttpd.
 *
 * A request is born in handler_begin() (libmicrohttpd's URI callback) with its
 * target as received, is routed here (path, method, query parameters) and
 * answered, and ends in handler_end() (the completion callback), which counts
 * the response whoever sent it and writes the access log line of responses
 * libmicrohttpd sent by itself. A delayed /say-hi is handed to
 * server_start_wait() and answered here again when it falls due. Not for: the
 * event loop, timers or shutdown (server.c), the shape of the bodies
 * (routes.c) or how a target is split and decoded (target.c). */
#include "server_int.h"

#include "duration.h"
#include "log.h"
#include "params.h"
#include "stats.h"
#include "target.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- the access log ---- */

/* One line per response: method, target as received (control bytes as
 * \xHH, so a %0a or a raw byte cannot forge a second line), status, the
 * delay drawn, the time to the answer, and why, when it is an error. */
static void access_log(const struct request *r, const char *method, unsigned status, const char *why)
{
    char target[TARGET_MAX_BYTES + 64], meth[64], delay[48] = "", reason[512] = "", code[12] = "-";
    double took_ms = (double)(stats_now_us() - r->start_us) / 1000.0;
    log_escape(r->target, strlen(r->target), target, sizeof target);
    log_escape(method, strlen(method), meth, sizeof meth);
    if (status != 0)
        snprintf(code, sizeof code, "%u", status);
    if (r->say_hi) {
        char ms[40];
        snprintf(delay, sizeof delay, " delay=%sms", duration_decimal(r->delay_us, 1000, ms, sizeof ms));
    }
    if (why != NULL) {
        char esc[400];
        snprintf(reason, sizeof reason, " error=\"%s\"", log_escape(why, strlen(why), esc, sizeof esc));
    }
    log_line(stdout, "INFO", "%s %s %s%s took=%.0fms%s", meth, target, code, delay, took_ms, reason);
    fflush(stdout);
}

/* ---- replies ---- */

static struct MHD_Response *json_response(const struct server *s, const char *body, size_t len,
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

/* Queues resp (NULL: out of memory, MHD closes the connection); why is
 * the reason of an error, for the access log. Counting waits for
 * handler_end(), where every response is seen, MHD's own included. */
static enum MHD_Result send_response(struct server *s, struct request *r, struct MHD_Connection *c,
                                     unsigned status, struct MHD_Response *resp, const char *method,
                                     const char *why)
{
    if (resp == NULL)
        return MHD_NO;
    enum MHD_Result ret = MHD_queue_response(c, status, resp);
    if (s->cfg->access_log) {
        access_log(r, method, status, why);
        r->logged = true;
    }
    return ret;
}

/* Sends body (copied) and frees it; body NULL means out of memory. */
static enum MHD_Result send_json(struct server *s, struct request *r, struct MHD_Connection *c, unsigned status,
                                 char *body, const char *method, const char *why)
{
    if (body == NULL)
        return MHD_NO;
    struct MHD_Response *resp = json_response(s, body, strlen(body), MHD_RESPMEM_MUST_FREE);
    if (resp == NULL) {
        free(body);
        return MHD_NO;
    }
    if (status == MHD_HTTP_METHOD_NOT_ALLOWED)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW, ROUTES_ALLOW);
    enum MHD_Result ret = send_response(s, r, c, status, resp, method, why);
    MHD_destroy_response(resp);
    return ret;
}

static enum MHD_Result send_error(struct server *s, struct request *r, struct MHD_Connection *c, unsigned status,
                                  const char *message, const char *method)
{
    return send_json(s, r, c, status, routes_error_body(message), method, message);
}

static enum MHD_Result send_say_hi(struct server *s, struct request *r, struct MHD_Connection *c, const char *method)
{
    if (r->expired)
        return send_error(s, r, c, MHD_HTTP_SERVICE_UNAVAILABLE, "server is shutting down", method);
    if (r->status == MHD_HTTP_OK && r->delay_us == s->cfg->delay_us && !s->draining)
        return send_response(s, r, c, r->status, s->default_hi, method, NULL);
    char body[96];
    size_t len = routes_say_hi_body(body, sizeof body, r->delay_us);
    struct MHD_Response *resp = json_response(s, body, len, MHD_RESPMEM_MUST_COPY);
    enum MHD_Result ret = send_response(s, r, c, r->status, resp, method, NULL);
    if (resp != NULL)
        MHD_destroy_response(resp);
    return ret;
}

/* ---- routing ---- */

struct arg_walk {
    struct params *params;
    char err[192];
};

static int on_param(const char *key, size_t key_len, const char *value, size_t value_len, void *arg)
{
    struct arg_walk *w = arg;
    if (strlen(key) != key_len) /* a NUL in a key: no parameter of ours, ignored like any unknown one */
        return 0;
    return params_set(w->params, key, value, value_len, w->err, sizeof w->err) != 0;
}

static enum MHD_Result route_say_hi(struct server *s, struct request *r, struct MHD_Connection *c,
                                    const struct target *t, const char *method)
{
    struct params p;
    struct arg_walk w = {.params = &p};
    params_init(&p, s->cfg->delay_us, s->cfg->max_delay_us);
    int rc = target_each_param(t->query, on_param, &w);
    if (rc < 0) {
        char msg[128];
        snprintf(msg, sizeof msg, "the query has more than %d parameters, the most this server reads",
                 TARGET_MAX_PARAMS);
        return send_error(s, r, c, MHD_HTTP_URI_TOO_LONG, msg, method);
    }
    if (rc > 0)
        return send_error(s, r, c, MHD_HTTP_BAD_REQUEST, w.err, method);

    r->say_hi = true;
    r->delay_us = p.delay_us;
    r->status = p.status;
    r->expired = s->expired;
    if (++s->counters.in_flight > s->counters.peak_in_flight)
        s->counters.peak_in_flight = s->counters.in_flight;
    if (r->delay_us == 0 || r->expired)
        return send_say_hi(s, r, c, method);
    return server_start_wait(s, r, c);
}

static enum MHD_Result route(struct server *s, struct request *r, struct MHD_Connection *c, const char *method)
{
    char msg[TARGET_MAX_BYTES + 160], esc[TARGET_MAX_BYTES + 64];
    struct target t;
    if (target_split(r->target, &t) != 0) {
        snprintf(msg, sizeof msg, "the request target is %zu bytes, over the %d this server reads", r->target_len,
                 TARGET_MAX_BYTES);
        return send_error(s, r, c, MHD_HTTP_URI_TOO_LONG, msg, method);
    }
    /* A path holding a NUL (from %00) is no route's path. */
    enum route route = strlen(t.path) == t.path_len ? routes_lookup(t.path) : ROUTE_NOT_FOUND;
    if (route == ROUTE_NOT_FOUND) {
        snprintf(msg, sizeof msg, "no such path '%s': try /say-hi, /stats or /healthz",
                 log_escape(t.raw_path, t.raw_path_len < 64 ? t.raw_path_len : 64, esc, sizeof esc));
        return send_error(s, r, c, MHD_HTTP_NOT_FOUND, msg, method);
    }
    if (!routes_method_allowed(method)) {
        snprintf(msg, sizeof msg, "method %s is not allowed on %s: use GET or HEAD",
                 log_escape(method, strnlen(method, 32), esc, sizeof esc), t.path);
        return send_error(s, r, c, MHD_HTTP_METHOD_NOT_ALLOWED, msg, method);
    }
    switch (route) {
    case ROUTE_SAY_HI:
        return route_say_hi(s, r, c, &t, method);
    case ROUTE_STATS: {
        double uptime_s = (double)(stats_now_us() - s->started_us) / 1e6;
        return send_json(s, r, c, MHD_HTTP_OK, routes_stats_body(&s->counters, uptime_s), method, NULL);
    }
    case ROUTE_HEALTHZ:
    case ROUTE_NOT_FOUND:
        break;
    }
    return send_json(s, r, c, MHD_HTTP_OK, strdup("{\"status\":\"ok\"}"), method, NULL);
}

/* ---- the life of a request ---- */

void *handler_begin(void *cls, const char *uri, struct MHD_Connection *c)
{
    struct server *s = cls;
    size_t len = strlen(uri);
    size_t keep = len <= TARGET_MAX_BYTES ? len : TARGET_MAX_BYTES + 1; /* enough to know it is too long */
    struct request *r = malloc(sizeof *r + keep + 1);
    if (r == NULL)
        return NULL; /* the handler then closes the connection */
    *r = (struct request){.srv = s, .conn = c, .start_us = stats_now_us(), .target_len = len, .target = (char *)(r + 1)};
    memcpy(r->target, uri, keep);
    r->target[keep] = '\0';
    s->counters.requests++;
    s->active++;
    /* libmicrohttpd would next store every query parameter in the 4 KB
     * connection pool, 48 bytes each, and close the connection without a
     * response when a few dozen do not fit. sayhi reads the query from the
     * copy above, so the query MHD parses is made empty: uri points into
     * MHD's read buffer, which MHD itself rewrites in place right after this
     * call (libmicrohttpd 0.9.75, parse_initial_message_line). */
    char *q = strchr(uri, '?');
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
    if (r->phase == PHASE_DUE)
        return send_say_hi(s, r, c, method);
    return route(s, r, c, method);
}

void handler_end(struct server *s, struct request *r, struct MHD_Connection *c)
{
    const union MHD_ConnectionInfo *info = MHD_get_connection_info(c, MHD_CONNECTION_INFO_HTTP_STATUS);
    unsigned status = info != NULL ? info->http_status : 0;
    if (status > 0 && status < ROUTES_STATUS_MAX)
        s->counters.status[status]++;
    if (s->cfg->access_log && !r->logged)
        access_log(r, "-", status,
                   status != 0 ? "answered by libmicrohttpd (malformed request, no Host, or headers too large)"
                               : "closed before a response");
}

struct MHD_Response *handler_default_reply(struct server *s)
{
    char body[96];
    size_t len = routes_say_hi_body(body, sizeof body, s->cfg->delay_us);
    return json_response(s, body, len, MHD_RESPMEM_MUST_COPY);
}
