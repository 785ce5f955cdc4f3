/* server_int: what server.c and handler.c share inside sayhi-server.
 *
 * The server and request state, and the few calls between the event loop
 * (server.c: MHD on libevent, delays, shutdown) and the request handler
 * (handler.c: routing and replies). Not for use outside server/. */
#ifndef SAYHI_SERVER_INT_H
#define SAYHI_SERVER_INT_H

#include "routes.h"
#include "server.h"

#include <event2/event.h>
#include <event2/event_struct.h>
#include <microhttpd.h>
#include <stdbool.h>
#include <stdint.h>

enum phase { PHASE_NEW, PHASE_WAITING, PHASE_DUE };

struct request {
    struct event timer; /* embedded: arming a delay allocates nothing */
    struct server *srv;
    struct MHD_Connection *conn;
    struct request *prev, *next; /* in srv->waiting while PHASE_WAITING */
    int64_t start_us;
    int64_t delay_us;
    unsigned status;
    enum phase phase;
    bool headers_in; /* the handler was called once: the next call may answer */
    bool say_hi;     /* counted in in_flight */
    bool expired;    /* answered 503 because the grace period ran out */
    bool logged;     /* its access log line is written */
    size_t target_len;
    char *target;    /* the request target as received, cut after TARGET_MAX_BYTES + 1 bytes;
                        allocated with the request, right after it */
};

struct server {
    const struct server_config *cfg;
    struct MHD_Daemon *mhd;
    struct event_base *base;
    struct event *mhd_ev;    /* MHD's epoll fd; also activated by hand to batch runs */
    struct event *mhd_timer; /* MHD_get_timeout() */
    struct event *grace_ev;
    struct event *trim_ev; /* gives freed memory back once the server is idle */
    struct event *sig_ev[2];
    const struct timeval *default_tv; /* libevent common timeout for the default delay */
    struct MHD_Response *default_hi;  /* the reply to a plain GET /say-hi, built once */
    struct routes_counters counters;
    struct request waiting; /* sentinel of the list of suspended requests */
    uint64_t active;        /* requests begun and not yet completed */
    unsigned connections;   /* open connections, as MHD notifies them */
    unsigned connection_limit; /* what MHD was given: at it, MHD stops accepting */
    int64_t started_us;
    bool draining, expired;
};

/* Suspends c until r->delay_us has passed; the request is then answered by
 * handler_request() in PHASE_DUE. */
enum MHD_Result server_start_wait(struct server *s, struct request *r, struct MHD_Connection *c);

/* libmicrohttpd's URI callback, once per request line (cls is the struct
 * server): allocates the request, which MHD then hands to the handler as
 * *req_cls and to the completion callback. NULL when out of memory. */
void *handler_begin(void *cls, const char *uri, struct MHD_Connection *c);

/* From the completion callback, before r is freed: counts the response
 * c carried in /stats (ours or one MHD sent by itself) and logs the latter. */
void handler_end(struct server *s, struct request *r, struct MHD_Connection *c);

/* libmicrohttpd's access handler (cls is the struct server). */
enum MHD_Result handler_request(void *cls, struct MHD_Connection *c, const char *url, const char *method,
                                const char *version, const char *upload_data, size_t *upload_data_size,
                                void **req_cls);

/* The cached reply to a plain GET /say-hi (default delay, status 200). */
struct MHD_Response *handler_default_reply(struct server *s);

#endif
