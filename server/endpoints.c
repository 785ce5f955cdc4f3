/* endpoints: what sayhi-server serves, as one table (server_int.h).
 *
 * A row per endpoint: its path, the methods it serves, the function that
 * serves it and its --help line. Routing, the 404 text, the Allow header and
 * --help are all made from the table, so a new endpoint is one row and one
 * function. Not for: the request's life and the replies' plumbing
 * (handler.c) or the shape of the bodies (routes.c). */
#include "server_int.h"

#include "params.h"
#include "stats.h"
#include "target.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static request_fn serve_say_hi, serve_stats, serve_healthz;

static const struct endpoint table[] = {
    {"/say-hi", "GET, HEAD", serve_say_hi, "/say-hi[?delay=DURATION][&status=CODE]",
     "{\"message\":\"Hi\",\"delay_ms\":D} after the delay"},
    {"/stats", "GET, HEAD", serve_stats, "/stats", "what the server has served and holds now, as JSON"},
    {"/healthz", "GET, HEAD", serve_healthz, "/healthz", "{\"status\":\"ok\"} at once"},
};
#define ENDPOINTS (sizeof table / sizeof table[0])

const struct endpoint *endpoints_lookup(const char *path, size_t len)
{
    for (size_t i = 0; i < ENDPOINTS; i++) {
        size_t n = strlen(table[i].path);
        bool prefix = table[i].path[n - 1] == '/';
        if ((prefix ? len > n : len == n) && memcmp(path, table[i].path, n) == 0)
            return &table[i];
    }
    return NULL;
}

bool endpoints_allow(const struct endpoint *e, const char *method)
{
    size_t n = strlen(method);
    for (const char *m = e->methods; *m != '\0';) {
        size_t len = strcspn(m, ",");
        if (len == n && memcmp(m, method, n) == 0)
            return true;
        m += len;
        m += strspn(m, ", ");
    }
    return false;
}

const char *endpoints_paths(void)
{
    static char list[256];
    if (list[0] == '\0') {
        size_t used = 0;
        for (size_t i = 0; i < ENDPOINTS && used < sizeof list; i++)
            used += (size_t)snprintf(list + used, sizeof list - used, "%s%s", i == 0 ? "" : i + 1 < ENDPOINTS ? ", " : " or ",
                                     table[i].path);
    }
    return list;
}

void server_print_endpoints(FILE *out)
{
    for (size_t i = 0; i < ENDPOINTS; i++)
        fprintf(out, "  %-38s %s\n", table[i].usage, table[i].help);
}

/* ---- /say-hi ---- */

static enum MHD_Result say_hi_reply(struct server *s, struct request *r)
{
    if (r->expired)
        return handler_send_error(s, r, MHD_HTTP_SERVICE_UNAVAILABLE, "server is shutting down");
    if (r->status == MHD_HTTP_OK && r->delay_us == s->cfg->delay_us && !s->draining)
        return handler_send(s, r, r->status, s->default_hi, NULL);
    char body[96];
    size_t len = routes_say_hi_body(body, sizeof body, r->delay_us);
    struct MHD_Response *resp = handler_json_response(s, body, len, MHD_RESPMEM_MUST_COPY);
    enum MHD_Result ret = handler_send(s, r, r->status, resp, NULL);
    if (resp != NULL)
        MHD_destroy_response(resp);
    return ret;
}

struct param_walk {
    struct params *params;
    char err[192];
};

static int on_param(const char *key, size_t key_len, const char *value, size_t value_len, void *arg)
{
    struct param_walk *w = arg;
    if (strlen(key) != key_len) /* a NUL in a key: no parameter of ours, ignored like any unknown one */
        return 0;
    return params_set(w->params, key, value, value_len, w->err, sizeof w->err) != 0;
}

static enum MHD_Result serve_say_hi(struct server *s, struct request *r)
{
    struct params p;
    struct param_walk w = {.params = &p};
    params_init(&p, s->cfg->delay_us, s->cfg->max_delay_us);
    int rc = target_each_param(r->query, on_param, &w);
    if (rc < 0) {
        char msg[128];
        snprintf(msg, sizeof msg, "the query has more than %d parameters, the most this server reads",
                 TARGET_MAX_PARAMS);
        return handler_send_error(s, r, MHD_HTTP_URI_TOO_LONG, msg);
    }
    if (rc > 0)
        return handler_send_error(s, r, MHD_HTTP_BAD_REQUEST, w.err);

    r->say_hi = true;
    r->delay_us = p.delay_us;
    r->status = p.status;
    r->expired = s->expired;
    r->respond = say_hi_reply;
    if (++s->counters.in_flight > s->counters.peak_in_flight)
        s->counters.peak_in_flight = s->counters.in_flight;
    if (r->delay_us == 0 || r->expired)
        return say_hi_reply(s, r);
    return server_start_wait(s, r);
}

struct MHD_Response *endpoints_default_reply(struct server *s)
{
    char body[96];
    size_t len = routes_say_hi_body(body, sizeof body, s->cfg->delay_us);
    return handler_json_response(s, body, len, MHD_RESPMEM_MUST_COPY);
}

/* ---- /stats and /healthz ---- */

static enum MHD_Result serve_stats(struct server *s, struct request *r)
{
    double uptime_s = (double)(stats_now_us() - s->started_us) / 1e6;
    return handler_send_json(s, r, MHD_HTTP_OK, routes_stats_body(&s->counters, uptime_s), NULL);
}

static enum MHD_Result serve_healthz(struct server *s, struct request *r)
{
    return handler_send_json(s, r, MHD_HTTP_OK, strdup("{\"status\":\"ok\"}"), NULL);
}
