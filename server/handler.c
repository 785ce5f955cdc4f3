/* handler: what sayhi-server answers to each request, on libmicrohttpd.
 *
 * Routing (path, method, query parameters) and building and queueing the
 * replies, with the access log and the /stats counters of what was sent. A
 * delayed /say-hi is handed to server_start_wait() and answered here again
 * when it falls due. Not for: the event loop, timers or shutdown (server.c),
 * or the shape of the bodies (routes.c). */
#include "server_int.h"

#include "duration.h"
#include "log.h"
#include "params.h"
#include "stats.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

static enum MHD_Result send_response(struct server *s, struct request *r, struct MHD_Connection *c,
                                     unsigned status, struct MHD_Response *resp, const char *method,
                                     const char *url)
{
    if (resp == NULL)
        return MHD_NO; /* out of memory: MHD closes the connection */
    enum MHD_Result ret = MHD_queue_response(c, status, resp);
    if (ret == MHD_YES && status < ROUTES_STATUS_MAX)
        s->counters.status[status]++;
    if (s->cfg->access_log) {
        double took_ms = (double)(stats_now_us() - r->start_us) / 1000.0;
        char delay_ms[40];
        if (r->say_hi)
            log_line(stdout, "INFO", "%s %s %u delay=%sms took=%.0fms", method, url, status,
                     duration_decimal(r->delay_us, 1000, delay_ms, sizeof delay_ms), took_ms);
        else
            log_line(stdout, "INFO", "%s %s %u took=%.0fms", method, url, status, took_ms);
        fflush(stdout);
    }
    return ret;
}

/* Sends body (copied) and frees it; body NULL means out of memory. */
static enum MHD_Result send_json(struct server *s, struct request *r, struct MHD_Connection *c, unsigned status,
                                 char *body, const char *allow, const char *method, const char *url)
{
    if (body == NULL)
        return MHD_NO;
    struct MHD_Response *resp = json_response(s, body, strlen(body), MHD_RESPMEM_MUST_FREE);
    if (resp == NULL) {
        free(body);
        return MHD_NO;
    }
    if (allow != NULL)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW, allow);
    enum MHD_Result ret = send_response(s, r, c, status, resp, method, url);
    MHD_destroy_response(resp);
    return ret;
}

static enum MHD_Result send_error(struct server *s, struct request *r, struct MHD_Connection *c, unsigned status,
                                  const char *message, const char *method, const char *url)
{
    const char *allow = status == MHD_HTTP_METHOD_NOT_ALLOWED ? ROUTES_ALLOW : NULL;
    return send_json(s, r, c, status, routes_error_body(message), allow, method, url);
}

static enum MHD_Result send_say_hi(struct server *s, struct request *r, struct MHD_Connection *c, const char *method,
                                   const char *url)
{
    if (r->expired)
        return send_error(s, r, c, MHD_HTTP_SERVICE_UNAVAILABLE, "server is shutting down", method, url);
    if (r->status == MHD_HTTP_OK && r->delay_us == s->cfg->delay_us && !s->draining)
        return send_response(s, r, c, r->status, s->default_hi, method, url);
    char body[96];
    size_t len = routes_say_hi_body(body, sizeof body, r->delay_us);
    struct MHD_Response *resp = json_response(s, body, len, MHD_RESPMEM_MUST_COPY);
    enum MHD_Result ret = send_response(s, r, c, r->status, resp, method, url);
    if (resp != NULL)
        MHD_destroy_response(resp);
    return ret;
}

/* ---- routing ---- */

struct arg_walk {
    struct params *params;
    char err[192];
    bool failed;
};

static enum MHD_Result on_arg(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
    struct arg_walk *w = cls;
    (void)kind;
    if (params_set(w->params, key, value, w->err, sizeof w->err) != 0) {
        w->failed = true;
        return MHD_NO; /* stop at the first bad parameter */
    }
    return MHD_YES;
}

static enum MHD_Result route_say_hi(struct server *s, struct request *r, struct MHD_Connection *c,
                                    const char *method, const char *url)
{
    struct params p;
    struct arg_walk w = {.params = &p};
    params_init(&p, s->cfg->delay_us, s->cfg->max_delay_us);
    MHD_get_connection_values(c, MHD_GET_ARGUMENT_KIND, on_arg, &w);
    if (w.failed)
        return send_error(s, r, c, MHD_HTTP_BAD_REQUEST, w.err, method, url);

    r->say_hi = true;
    r->delay_us = p.delay_us;
    r->status = p.status;
    r->expired = s->expired;
    if (++s->counters.in_flight > s->counters.peak_in_flight)
        s->counters.peak_in_flight = s->counters.in_flight;
    if (r->delay_us == 0 || r->expired)
        return send_say_hi(s, r, c, method, url);
    return server_start_wait(s, r, c);
}

static enum MHD_Result route(struct server *s, struct request *r, struct MHD_Connection *c, const char *url,
                             const char *method)
{
    char msg[160];
    enum route route = routes_lookup(url);
    if (route == ROUTE_NOT_FOUND) {
        snprintf(msg, sizeof msg, "no such path '%.64s': try /say-hi, /stats or /healthz", url);
        return send_error(s, r, c, MHD_HTTP_NOT_FOUND, msg, method, url);
    }
    if (!routes_method_allowed(method)) {
        snprintf(msg, sizeof msg, "method %.32s is not allowed on %s: use GET or HEAD", method, url);
        return send_error(s, r, c, MHD_HTTP_METHOD_NOT_ALLOWED, msg, method, url);
    }
    switch (route) {
    case ROUTE_SAY_HI:
        return route_say_hi(s, r, c, method, url);
    case ROUTE_STATS: {
        double uptime_s = (double)(stats_now_us() - s->started_us) / 1e6;
        return send_json(s, r, c, MHD_HTTP_OK, routes_stats_body(&s->counters, uptime_s), NULL, method, url);
    }
    case ROUTE_HEALTHZ:
    case ROUTE_NOT_FOUND:
        break;
    }
    return send_json(s, r, c, MHD_HTTP_OK, strdup("{\"status\":\"ok\"}"), NULL, method, url);
}

enum MHD_Result handler_request(void *cls, struct MHD_Connection *c, const char *url, const char *method,
                                const char *version, const char *upload_data, size_t *upload_data_size,
                                void **req_cls)
{
    struct server *s = cls;
    struct request *r = *req_cls;
    (void)version;
    (void)upload_data;
    /* First call: headers only. Queueing a reply here would make MHD close
     * the connection (no keep-alive), so only take note and answer on the
     * next call. */
    if (r == NULL) {
        r = calloc(1, sizeof *r);
        if (r == NULL)
            return MHD_NO;
        *r = (struct request){.srv = s, .conn = c, .start_us = stats_now_us()};
        s->counters.requests++;
        s->active++;
        *req_cls = r;
        return MHD_YES;
    }
    if (*upload_data_size != 0) { /* a request body is read and ignored */
        *upload_data_size = 0;
        return MHD_YES;
    }
    if (r->phase == PHASE_DUE)
        return send_say_hi(s, r, c, method, url);
    return route(s, r, c, url, method);
}

struct MHD_Response *handler_default_reply(struct server *s)
{
    char body[96];
    size_t len = routes_say_hi_body(body, sizeof body, s->cfg->delay_us);
    return json_response(s, body, len, MHD_RESPMEM_MUST_COPY);
}
