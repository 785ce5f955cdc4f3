/* server_int: what server.c and handler.c share inside sayhi-server.
 *
 * The server and request state, and the few calls between the event loop
 * (server.c: MHD on libevent, delays, shutdown) and the request handler
 * (handler.c: routing and replies). Not for use outside server/. */
#ifndef SAYHI_SERVER_INT_H
#define SAYHI_SERVER_INT_H

#include "keys.h"
#include "params.h"
#include "recent.h"
#include "rng.h"
#include "routes.h"
#include "server.h"
#include "target.h"

#include <event2/event.h>
#include <event2/event_struct.h>
#include <microhttpd.h>
#include <stdbool.h>
#include <stdint.h>

/* MHD's per-connection pool. The 32 KB default costs 332 MB of RSS with
 * 10,000 connections; 4 KB costs 52 MB and still holds any ordinary request
 * (a larger header block is refused with 431). */
#define SERVER_POOL_BYTES 4096

enum phase { PHASE_NEW, PHASE_WAITING, PHASE_DUE };

struct request;
struct server;

/* Serves a request (from the handler, with the headers in), or answers one
 * whose wait is over. Returns what the MHD access handler returns. */
typedef enum MHD_Result request_fn(struct server *s, struct request *r);

/* One endpoint: a row of endpoints.c's table, from which the routing, the
 * 404 text, the Allow header and --help are all made. */
struct endpoint {
    const char *path;    /* the exact path, or a prefix when prefix is set */
    bool prefix;
    const char *methods; /* the methods it serves, as the Allow header lists them */
    request_fn *serve;
    const char *usage;   /* for --help: the path with its parameters */
    const char *help;    /* for --help: one line */
};

struct request {
    struct event timer; /* embedded: arming a wait allocates nothing */
    struct server *srv;
    struct shard *shard; /* the daemon its connection is in */
    struct MHD_Connection *conn;
    struct request *prev, *next; /* in srv->waiting, then srv->due, while PHASE_WAITING */
    const struct endpoint *route;
    const char *method;  /* MHD's, valid until the request completes */
    const char *query;   /* in target, after '?'; NULL when none */
    request_fn *respond; /* what answers the request once its wait is over */
    struct event *watch; /* a held connection's socket, to see the client leave */
    int64_t start_us;
    int64_t delay_us;    /* the wait server_start_wait() arms */
    struct behaviour b;  /* drawn at arrival (/say-hi) */
    uint64_t seed;       /* the generator seed of this request's draws */
    uint64_t size;       /* ?size= (0: the plain body) */
    int64_t drip_us, drip_start_us;
    uint64_t body_len;   /* bytes of body of the reply queued */
    uint64_t body_sent;  /* of it, handed to the socket when the reply ends early */
    enum phase phase;
    bool headers_in; /* the handler was called once: the next call may answer */
    bool say_hi;     /* counted in in_flight */
    bool expired;    /* answered 503 because the grace period ran out */
    bool logged;     /* its access log line is written */
    bool plain;      /* the reply is the server's cached default one */
    bool ignored;    /* the query has parameters the server does not know */
    bool head_only;  /* a HEAD request: no body goes out */
    bool raw_nul;    /* the target holds a raw NUL byte: refused */
    bool stream;     /* an /events stream: open until the client leaves or the server stops */
    unsigned char head_len;
    char head[48];   /* the body's own first bytes: {"message":"Hi","delay_ms":D */
    uint32_t person; /* /family/ID */
    char *own_body;  /* a body built for this request alone (a /family page, an event), freed with it */
    size_t own_len;
    size_t own_off;  /* of an event, the bytes handed to MHD */
    uint64_t since;  /* /events: the last request id sent */
    uint64_t keep;   /* /events: ?max= */
    size_t target_len;
    char *target;    /* the request target as received, cut after TARGET_MAX_BYTES + 1 bytes;
                        allocated with the request, right after it */
};

/* One of the server's libmicrohttpd daemons (server.c: shards). */
struct shard {
    struct server *srv;
    struct MHD_Daemon *mhd;
    struct event *ev;     /* its epoll fd; also activated by hand to batch runs */
    struct event *timer;  /* MHD_get_timeout() */
    unsigned connections; /* MHD's connections in it */
    unsigned suspended;   /* of its requests, those in waiting and due */
    bool resumed;         /* a connection was resumed since its last run */
};

struct server {
    const struct server_config *cfg;
    struct shard *shards;
    unsigned n_shards;
    struct event_base *base;
    struct event *grace_ev;
    struct event *trim_ev; /* gives freed memory back once the server is idle */
    struct event *sig_ev[2];
    const struct timeval *default_tv; /* libevent common timeout for the default delay */
    struct MHD_Response *default_hi;  /* the reply to a plain GET /say-hi, built once */
    struct routes_counters counters;
    struct recent recent;        /* what the dashboard at / shows */
    struct event *tick_ev;       /* samples recent every RECENT_TICK_MS */
    struct event *log_ev;        /* flushes the access log */
    struct rng rng;              /* seeded by --seed: one draw per /say-hi */
    struct keys *keys;           /* ?fail_first= counts per ?key= */
    struct family *family;       /* behind /family/ID */
    int64_t fixed_delay_us;      /* the default delay when it is fixed, else -1 */
    bool defaults_fixed;         /* the defaults draw nothing: a bare /say-hi gets default_b */
    struct behaviour default_b;
    uint64_t default_hi_len;
    struct request waiting; /* sentinel of the list of suspended requests */
    struct request due;     /* sentinel: suspended, their wait over, to be resumed together */
    struct event *resume_ev;
    int64_t last_resume_us;
    int64_t io_pass_us;     /* when MHD's own event or accepting, both at I/O priority, last ran */
    uint64_t walked;        /* requests suspended in the daemons the last resume ran */
    uint64_t active;        /* requests begun and not yet completed */
    uint64_t streams;       /* of them, /events streams */
    unsigned connections;   /* open connections: MHD's, and those in closing */
    unsigned connection_limit; /* at it, the server stops accepting */
    int listen_fd;             /* accepted from here and handed to MHD; -1 once closed */
    struct event *listen_ev;   /* pending while accepting; deleted at the limit */
    struct event *accept_retry_ev;
    bool accept_failing;       /* an accept failed for want of fds or memory, and was said */
    int *closing;              /* ring of sockets MHD is done with, to close (connection_limit of them) */
    unsigned closing_head, closing_n;
    struct event *close_ev;    /* closes a batch of them per loop pass */
    int64_t started_us;
    bool draining, expired;
    bool stdout_failed;        /* a write to stdout failed: the run ends, exit 1 */
    bool signalled;            /* a SIGINT or SIGTERM came (a stop can begin without one) */
    int64_t signal_us;         /* when the first SIGINT or SIGTERM came */
};

/* Suspends r's connection until r->delay_us has passed; r->respond then
 * answers it (or, while a reply is being sent, MHD asks its content reader
 * again). */
enum MHD_Result server_start_wait(struct server *s, struct request *r);

/* The same, and the wait also ends when the client closes its side of the
 * connection (a suspended connection would not notice). */
enum MHD_Result server_start_wait_watching(struct server *s, struct request *r);

/* Runs r's daemon once more, after this loop pass: a connection a content
 * reader ends in error is only closed (its socket, its completion) in MHD's
 * next run, which an idle server would not have for a while. */
void server_run_mhd_soon(struct request *r);

/* Flushes stdout (the access log) within LOG_FLUSH_MS: a write per line
 * would cost a system call per request under load. */
void server_flush_log_soon(struct server *s);

/* Flushes stdout; call it, or at least when ferror(stdout), right after
 * each write to stdout (the access log, the start-up and stop lines), for
 * the errno. When stdout cannot be written (its reader gone: `| head -1`;
 * a full disk; a terminal that hung up), says so on stderr and begins the
 * stop a SIGTERM would (the requests in flight finish within --grace), and
 * the run exits 1: serving on with the log lost, to exit 0 later, would hide
 * it. A slow reader of a non-blocking stdout (EAGAIN) costs lines, not the
 * run. Returns whether the run is ending for it. */
bool server_stdout_failed(struct server *s);

/* ---- handler.c: the life of a request, and the replies ---- */

/* libmicrohttpd's URI callback, once per request line (cls is the struct
 * shard of the daemon): allocates the request, which MHD then hands to the
 * handler as *req_cls and to the completion callback. NULL when out of
 * memory. */
void *handler_begin(void *cls, const char *uri, struct MHD_Connection *c);

/* From the completion callback, before r is freed: counts the response
 * c carried in /stats (ours or one MHD sent by itself, and the bytes of
 * body that went out) and logs the latter. */
void handler_end(struct server *s, struct request *r, struct MHD_Connection *c, enum MHD_RequestTerminationCode toe);

/* Bytes of r's connection pool its request leaves free for the reply: the
 * reply's header, and an iovec body's entries, are built there. */
size_t handler_pool_free(const struct request *r);

/* The access log line of r: status 0 is written '-'; why, when not NULL,
 * is the error or fault. */
void handler_log(const struct request *r, unsigned status, const char *why);

/* libmicrohttpd's access handler (cls is the struct server). */
enum MHD_Result handler_request(void *cls, struct MHD_Connection *c, const char *url, const char *method,
                                const char *version, const char *upload_data, size_t *upload_data_size,
                                void **req_cls);

/* A JSON body (malloc'd, freed here; NULL: out of memory, the connection
 * is closed) with status; why is an error's reason for the access log. */
enum MHD_Result handler_send_json(struct server *s, struct request *r, unsigned status, char *body,
                                  const char *why);

/* {"error":message} with status. */
enum MHD_Result handler_send_error(struct server *s, struct request *r, unsigned status, const char *message);

/* A prepared response (not destroyed here). */
enum MHD_Result handler_send(struct server *s, struct request *r, unsigned status, struct MHD_Response *resp,
                             const char *why);

/* An application/json response of len bytes of body, copied or not as mode
 * says, with Connection: close while the server drains. */
struct MHD_Response *handler_json_response(const struct server *s, const char *body, size_t len,
                                           enum MHD_ResponseMemoryMode mode);

/* ---- reply.c: the answer of a /say-hi once its delay is over ---- */

/* The respond function of /say-hi: the body (plain, padded, dripped), or
 * the fault drawn for it. */
enum MHD_Result reply_say_hi(struct server *s, struct request *r);

/* The respond function of /family/ID: the page of r->person, or the fault. */
enum MHD_Result reply_family(struct server *s, struct request *r);

/* Frees the shared padding buffers. */
void reply_cleanup(void);

/* The query parameters of r the server does not know, "dealy, x", into
 * buf (X-Sayhi-Ignored and the access log name them), cut to fit. Returns
 * buf. The header takes at most REPLY_IGNORED_MAX bytes: it is built in the
 * connection's small pool. */
#define REPLY_IGNORED_MAX 128
char *reply_ignored(const struct request *r, char *buf, size_t len);

/* ---- endpoints.c: the table of endpoints and what each serves ---- */

/* The endpoint of a decoded path of len bytes (NULL: none). */
const struct endpoint *endpoints_lookup(const char *path, size_t len);

/* Whether e serves method. */
bool endpoints_allow(const struct endpoint *e, const char *method);

/* "/say-hi, /stats or /healthz": every path, for the 404. */
const char *endpoints_paths(void);

/* The cached reply to a plain GET /say-hi (default delay, status 200). */
struct MHD_Response *endpoints_default_reply(struct server *s);

#endif
