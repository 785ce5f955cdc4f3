/* endpoints: what sayhi-server serves, as one table (server_int.h).
 *
 * A row per endpoint: its path, the methods it serves, the function that
 * serves it and its --help line. Routing, the 404 text, the Allow header and
 * --help are all made from the table, so a new endpoint is one row and one
 * function. Not for: the request's life and the replies' plumbing
 * (handler.c) or the shape of the bodies (routes.c). */
#include "server_int.h"

#include "family.h"
#include "log.h"
#include "stats.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static request_fn serve_say_hi, serve_family, serve_stats, serve_healthz, serve_dashboard, serve_recent, serve_events;

static const struct endpoint table[] = {
    {"/say-hi", false, "GET, HEAD", serve_say_hi,
     "/say-hi?delay=DIST&status=MIX&fault=FAULTS&size=SIZE&drip=DURATION&fail_first=N&key=K&seed=S",
     "{\"message\":\"Hi\",\"delay_ms\":D} after the delay; every parameter is optional"},
    {"/family/", true, "GET, HEAD", serve_family, "/family/ID?delay=DIST&status=MIX&fault=FAULTS&seed=S",
     "a person of the server's made-up family: name, parents, children, links; after the delay"},
    {"/stats", false, "GET, HEAD", serve_stats, "/stats", "what the server has served and holds now, as JSON"},
    {"/healthz", false, "GET, HEAD", serve_healthz, "/healthz", "{\"status\":\"ok\"} at once"},
    {"/", false, "GET, HEAD", serve_dashboard, "/", "the live dashboard: open it in a browser"},
    {"/recent", false, "GET, HEAD", serve_recent, "/recent?since=ID&max=K",
     "the dashboard's data: the latest requests and the last 60 s, as JSON"},
    {"/events", false, "GET, HEAD", serve_events, "/events?max=K&since=ID",
     "the same data as server-sent events, every 400 ms: what the dashboard reads"},
};
#define ENDPOINTS (sizeof table / sizeof table[0])

const struct endpoint *endpoints_lookup(const char *path, size_t len)
{
    for (size_t i = 0; i < ENDPOINTS; i++) {
        size_t n = strlen(table[i].path);
        if ((table[i].prefix ? len > n : len == n) && memcmp(path, table[i].path, n) == 0)
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
    for (size_t i = 0; i < ENDPOINTS; i++) {
        if (strlen(table[i].usage) > 20)
            fprintf(out, "  %s\n  %-20s %s\n", table[i].usage, "", table[i].help);
        else
            fprintf(out, "  %-20s %s\n", table[i].usage, table[i].help);
    }
}

/* ---- /say-hi ---- */

struct param_walk {
    struct params *params;
    char err[256];
};

static int on_param(const char *key, size_t key_len, const char *value, size_t value_len, void *arg)
{
    struct param_walk *w = arg;
    if (strlen(key) != key_len) { /* a NUL in a key: no parameter of ours, ignored like any unknown one */
        w->params->ignored++;
        return 0;
    }
    return params_set(w->params, key, value, value_len, w->err, sizeof w->err) != 0;
}

/* ?fail_first=N&key=K: the first N requests with key K fail (503, or the
 * ?status= asked), the ones after succeed. */
static void fail_first(struct server *s, const struct params *p, struct behaviour *b)
{
    uint64_t before = keys_hit(s->keys, p->key, p->key_len);
    if (before == UINT64_MAX)
        b->status = MHD_HTTP_INTERNAL_SERVER_ERROR; /* out of memory: no answer would be honest */
    else if (before < p->fail_first)
        b->status = p->status_given ? b->status : MHD_HTTP_SERVICE_UNAVAILABLE;
    else
        b->status = MHD_HTTP_OK;
}

/* What r does: drawn from the server's generator (one draw per request, so
 * the same seed and order of arrival give the same run) or ?seed=. */
static void draw(struct server *s, struct request *r, const struct params *p)
{
    r->seed = p->seeded ? p->seed : rng_next(&s->rng);
    params_draw(p, r->seed, &r->b);
    if (p->fail_first > 0)
        fail_first(s, p, &r->b);
    r->size = p->size;
    r->drip_us = p->drip_us;
    r->ignored = p->ignored > 0;
}

/* What every delayed endpoint does on arrival: read the parameters, draw
 * the behaviour, count it, and wait (or answer at once). */
static enum MHD_Result begin_delayed(struct server *s, struct request *r, request_fn *respond)
{
    /* A bare /say-hi against defaults that draw nothing is the hot path of
     * the delay-0 benchmark: it needs no parameters and no draw. */
    if (r->query != NULL || !s->defaults_fixed) {
        struct params p = s->cfg->defaults;
        struct param_walk w = {.params = &p};
        int rc = target_each_param(r->query, on_param, &w);
        if (rc < 0) {
            char msg[128];
            snprintf(msg, sizeof msg, "the query has more than %d parameters, the most this server reads",
                     TARGET_MAX_PARAMS);
            return handler_send_error(s, r, MHD_HTTP_URI_TOO_LONG, msg);
        }
        if (rc > 0 || params_check(&p, w.err, sizeof w.err) != 0)
            return handler_send_error(s, r, MHD_HTTP_BAD_REQUEST, w.err);
        if (respond == reply_family && (p.size != s->cfg->defaults.size || p.drip_us != s->cfg->defaults.drip_us))
            return handler_send_error(s, r, MHD_HTTP_BAD_REQUEST, "size and drip apply to /say-hi only");
        draw(s, r, &p);
    } else {
        r->b = s->default_b;
        r->size = s->cfg->defaults.size;
        r->drip_us = s->cfg->defaults.drip_us;
    }
    s->counters.delays_capped += r->b.capped;
    dhist_add(&s->counters.delays, r->b.delay_us);
    r->plain = respond == reply_say_hi && r->b.status == MHD_HTTP_OK && r->b.delay_us == s->fixed_delay_us &&
               r->b.fault == FAULT_NONE && r->size == 0 && r->drip_us == 0 && !r->ignored;
    if (respond == reply_family)
        r->size = r->drip_us = 0; /* a page is sent whole */
    r->say_hi = true;
    r->expired = s->expired;
    r->respond = respond;
    r->delay_us = r->b.delay_us;
    if (++s->counters.in_flight > s->counters.peak_in_flight)
        s->counters.peak_in_flight = s->counters.in_flight;
    if (r->delay_us == 0 || r->expired)
        return respond(s, r);
    return server_start_wait(s, r);
}

static enum MHD_Result serve_say_hi(struct server *s, struct request *r) { return begin_delayed(s, r, reply_say_hi); }

/* /family/ID: ID a whole number from 1 to the family's size. */
static enum MHD_Result serve_family(struct server *s, struct request *r)
{
    const char *id = strstr(r->target, "/family/") + strlen("/family/");
    size_t len = strcspn(id, "?");
    uint64_t n = 0;
    int ok = len >= 1 && len <= 9;
    for (size_t i = 0; ok && i < len; i++) {
        ok = id[i] >= '0' && id[i] <= '9';
        n = n * 10 + (uint64_t)(id[i] - '0');
    }
    if (!ok || n < 1 || n > family_size(s->family)) {
        char msg[160], esc[64];
        snprintf(msg, sizeof msg, "no person '%s' in the family: ids go from 1 to %u",
                 log_escape(id, len < 16 ? len : 16, esc, sizeof esc), family_size(s->family));
        return handler_send_error(s, r, MHD_HTTP_NOT_FOUND, msg);
    }
    r->person = (uint32_t)n;
    return begin_delayed(s, r, reply_family);
}

struct MHD_Response *endpoints_default_reply(struct server *s)
{
    char body[96];
    size_t len = routes_say_hi_body(body, sizeof body, s->fixed_delay_us >= 0 ? s->fixed_delay_us : 0);
    s->default_hi_len = len;
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

/* ---- the dashboard: / and /recent ---- */

extern const char dashboard_html[];
extern const unsigned long dashboard_html_len;

static enum MHD_Result serve_dashboard(struct server *s, struct request *r)
{
    struct MHD_Response *resp =
        MHD_create_response_from_buffer(dashboard_html_len, (void *)dashboard_html, MHD_RESPMEM_PERSISTENT);
    if (resp == NULL)
        return MHD_NO;
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, "text/html; charset=utf-8");
    r->body_len = dashboard_html_len;
    enum MHD_Result ret = handler_send(s, r, MHD_HTTP_OK, resp, NULL);
    MHD_destroy_response(resp);
    return ret;
}

struct since_walk {
    uint64_t since, max;
};

/* ?since=ID and ?max=K; anything else, or a value that is not a number,
 * leaves the default (0, and the whole ring). */
static int on_since(const char *key, size_t key_len, const char *value, size_t value_len, void *arg)
{
    struct since_walk *w = arg;
    (void)key_len;
    if (value == NULL || value_len == 0 || value_len >= 20 || strspn(value, "0123456789") != value_len)
        return 0;
    if (strcmp(key, "since") == 0)
        w->since = strtoull(value, NULL, 10);
    else if (strcmp(key, "max") == 0)
        w->max = strtoull(value, NULL, 10);
    return 0;
}

/* The requests still waiting, newest first, at most max of them. */
static unsigned open_requests(const struct server *s, struct recent_open *out, unsigned max)
{
    unsigned n = 0;
    const struct request *lists[] = {&s->due, &s->waiting};
    for (size_t l = 0; l < 2; l++)
        for (const struct request *q = lists[l]->next; q != lists[l] && n < max; q = q->next)
            if (q->say_hi)
                out[n++] = (struct recent_open){.start_us = q->start_us - s->started_us, .delay_us = q->b.delay_us};
    return n;
}

/* The /recent body: the requests ended after since (of the last max), the
 * ones still waiting, the series. malloc'd; NULL when out of memory. */
static char *recent_body(struct server *s, uint64_t since, uint64_t max)
{
    if (max < RECENT_MAX && s->recent.ended > max && since < s->recent.ended - max)
        since = s->recent.ended - max; /* the page keeps only the last max */
    static struct recent_open open[RECENT_MAX];
    unsigned nopen = open_requests(s, open, RECENT_MAX);
    int64_t now = stats_now_us() - s->started_us;
    return recent_json(&s->recent, since, now, s->counters.in_flight, s->counters.peak_in_flight, open, nopen);
}

static enum MHD_Result serve_recent(struct server *s, struct request *r)
{
    struct since_walk w = {.since = 0, .max = RECENT_MAX};
    target_each_param(r->query, on_since, &w);
    return handler_send_json(s, r, MHD_HTTP_OK, recent_body(s, w.since, w.max), NULL);
}

/* /events: one event every EVENTS_EVERY_US, each the /recent body of the
 * requests ended since the event before. A browser's EventSource then
 * costs it no request per update: headless chromium with the page open, on
 * the CPU of a wrk loading the server (bench/server.sh f)), took 2.6-3.4% of
 * that CPU, against 3.6-4.4% polling /recent every 400 ms. The page shows
 * what happens within half a second. */
#define EVENTS_EVERY_US 400000
/* What a browser waits before it connects again when a stream ends (a
 * server restarted on the same port). */
#define EVENTS_RETRY_MS "1000"
/* Streams open at once, at most: a class's projector and a few laptops. A
 * thousand dashboards would cost the server more than its requests. */
#define EVENTS_MAX_STREAMS 64
/* Streams woken together (every open dashboard connects again at once when
 * a server restarts) share one body built within this long. */
#define EVENTS_SHARE_US 20000

static struct {
    char *body;
    uint64_t since, keep, ended;
    int64_t at_us;
} shared;

/* An event's id is "SERVER-LAST": the server (its start, in microseconds
 * of the monotonic clock) and the last request ended. */
static unsigned long long server_token(const struct server *s) { return (unsigned long long)s->started_us; }

/* Builds the next event into r->own_body (NULL: the last one is out).
 * Returns false when out of memory. */
static bool next_event(struct server *s, struct request *r)
{
    uint64_t last = s->recent.ended;
    int64_t now = stats_now_us();
    if (shared.body == NULL || shared.since != r->since || shared.keep != r->keep || shared.ended != last ||
        now - shared.at_us > EVENTS_SHARE_US) {
        char *body = recent_body(s, r->since, r->keep);
        if (body == NULL)
            return false;
        free(shared.body);
        shared.body = body;
        shared.since = r->since;
        shared.keep = r->keep;
        shared.ended = last;
        shared.at_us = now;
    }
    char *event = NULL;
    int n = asprintf(&event, "%sid: %llx-%llu\ndata: %s\n\n", r->body_sent == 0 ? "retry: " EVENTS_RETRY_MS "\n" : "",
                     server_token(s), (unsigned long long)last, shared.body);
    if (n < 0)
        return false;
    r->own_body = event;
    r->own_len = (size_t)n;
    r->own_off = 0;
    r->since = last;
    return true;
}

/* MHD's content reader of a stream: hands out the event begun, or builds the
 * next one, or sleeps until it is due (the connection suspended on the
 * request's timer, like a delayed request). */
static ssize_t read_events(void *cls, uint64_t pos, char *buf, size_t max)
{
    struct request *r = cls;
    struct server *s = r->srv;
    (void)pos;
    if (r->own_body != NULL && r->own_off == r->own_len) { /* the event is out: wait for the next */
        free(r->own_body);
        r->own_body = NULL;
        /* Draining: the connection is closed (nothing may suspend any more,
         * and a last chunk would leave it open for the browser to ask for a
         * new stream on it). */
        if (s->draining || s->expired) {
            server_run_mhd_soon(r);
            return MHD_CONTENT_READER_END_WITH_ERROR;
        }
        r->delay_us = EVENTS_EVERY_US;
        if (server_start_wait(s, r) != MHD_YES)
            return MHD_CONTENT_READER_END_WITH_ERROR;
        return 0; /* suspended: MHD asks again once the timer resumes it */
    }
    if (r->own_body == NULL && !next_event(s, r))
        return MHD_CONTENT_READER_END_WITH_ERROR;
    size_t n = r->own_len - r->own_off < max ? r->own_len - r->own_off : max;
    memcpy(buf, r->own_body + r->own_off, n);
    r->own_off += n;
    r->body_sent += n;
    r->body_len = r->body_sent;
    return (ssize_t)n;
}

/* The last request a browser saw, from the id of the last event it saw,
 * which it sends when it connects again: 0 (start over) when that event
 * came from another server, one that was on this port before. */
static uint64_t last_seen(const struct server *s, const struct request *r)
{
    const char *id = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, "Last-Event-ID");
    unsigned long long token, last;
    int end = 0;
    if (id == NULL || sscanf(id, "%llx-%llu%n", &token, &last, &end) != 2 || id[end] != '\0' ||
        token != server_token(s))
        return 0;
    return last;
}

static enum MHD_Result serve_events(struct server *s, struct request *r)
{
    if (s->draining)
        return handler_send_error(s, r, MHD_HTTP_SERVICE_UNAVAILABLE, "server is shutting down");
    if (s->streams >= EVENTS_MAX_STREAMS) {
        char msg[128];
        snprintf(msg, sizeof msg, "%d streams of /events are open, the most this server feeds: close one",
                 EVENTS_MAX_STREAMS);
        return handler_send_error(s, r, MHD_HTTP_SERVICE_UNAVAILABLE, msg);
    }
    struct since_walk w = {.since = last_seen(s, r), .max = RECENT_MAX};
    target_each_param(r->query, on_since, &w);
    r->since = w.since;
    r->keep = w.max;
    struct MHD_Response *resp = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 1024, read_events, r, NULL);
    if (resp == NULL)
        return MHD_NO;
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, "text/event-stream");
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
    r->stream = true;
    s->streams++;
    enum MHD_Result ret = handler_send(s, r, MHD_HTTP_OK, resp, NULL);
    MHD_destroy_response(resp);
    return ret;
}
