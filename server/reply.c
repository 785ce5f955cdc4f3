/* reply: how a /say-hi is answered once its delay is over (server_int.h).
 *
 * The body is {"message":"Hi","delay_ms":D}, or padded to ?size= bytes:
 * {"message":"Hi","delay_ms":D,"pad":"xxx..."} (a padding under 10 bytes is
 * blanks before the '}'). Only its first bytes are the request's own; the
 * padding is sent from one shared buffer per fill byte, through an iovec, so
 * 5,000 concurrent 100 KB bodies cost no memory of their own. A ?drip= body
 * is released in even pieces by a content reader that suspends the
 * connection between them, as a delay does; ?fault= replaces the answer by
 * a reset, a close, garbage, half a body or silence. Not for: parsing what
 * was asked (params.c) or when the delay ends (server.c). */
#include "server_int.h"

#include "family.h"
#include "log.h"
#include "rng.h"
#include "stats.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* Bytes of padding one iovec entry carries: --max-size / FILL_BYTES entries
 * go into the connection's 4 KB pool, 16 bytes each. */
#define FILL_BYTES (1u << 20)
static char *fill_x, *fill_blank; /* FILL_BYTES each, made on first use */

static const char pad_open[] = ",\"pad\":\"", pad_close[] = "\"}";
#define PAD_MIN (sizeof pad_open - 1 + sizeof pad_close - 1) /* ,"pad":"" and } */

/* Pool room kept for the reply's header next to an iovec's entries. */
#define REPLY_IOV_ROOM 384

/* A drip releases at most one piece per this long. */
#define DRIP_STEP_US 10000

static const char *fill(char c)
{
    char **buf = c == 'x' ? &fill_x : &fill_blank;
    if (*buf == NULL && (*buf = malloc(FILL_BYTES)) != NULL)
        memset(*buf, c, FILL_BYTES);
    return *buf;
}

void reply_cleanup(void)
{
    free(fill_x);
    free(fill_blank);
    fill_x = fill_blank = NULL;
}

/* The body as segments: the request's head, then filler, then the end. */
struct layout {
    size_t head, sep;  /* bytes of r->head, of pad_open */
    uint64_t fill;     /* filler bytes */
    char fill_byte;
    const char *tail;  /* "}" or "\"}" */
    size_t tail_len;
};

static struct layout layout_of(const struct request *r)
{
    struct layout l = {.head = r->head_len, .tail = "}", .tail_len = 1};
    uint64_t plain = r->head_len + 1;
    if (r->size <= plain)
        return l;
    if (r->size - plain >= PAD_MIN - 1) { /* room for ,"pad":"" */
        l.sep = sizeof pad_open - 1;
        l.fill = r->size - r->head_len - l.sep - 2;
        l.fill_byte = 'x';
        l.tail = pad_close;
        l.tail_len = 2;
    } else {
        l.fill = r->size - plain;
        l.fill_byte = ' ';
    }
    return l;
}

static uint64_t body_length(const struct layout *l) { return l->head + l->sep + l->fill + l->tail_len; }

/* A body of its own (a /family page) takes the place of head and filler. */
static struct layout own_layout(const struct request *r)
{
    return (struct layout){.head = r->own_len};
}

/* Copies body bytes [pos, pos + n) into buf. */
static void body_copy(const struct request *r, const struct layout *l, uint64_t pos, char *buf, size_t n)
{
    if (r->own_body != NULL) {
        memcpy(buf, r->own_body + pos, n);
        return;
    }
    const uint64_t edge[3] = {l->head, l->head + l->sep, l->head + l->sep + l->fill};
    for (size_t i = 0; i < n; i++, pos++) {
        if (pos < edge[0])
            buf[i] = r->head[pos];
        else if (pos < edge[1])
            buf[i] = pad_open[pos - edge[0]];
        else if (pos < edge[2])
            buf[i] = l->fill_byte;
        else
            buf[i] = l->tail[pos - edge[2]];
    }
}

/* ---- headers every reply of ours carries ---- */

struct ignored_walk {
    char list[256];
    size_t used;
};

static int note_ignored(const char *key, size_t key_len, const char *value, size_t value_len, void *arg)
{
    struct ignored_walk *w = arg;
    (void)value;
    (void)value_len;
    if (strlen(key) == key_len && params_known(key))
        return 0;
    char esc[96];
    log_escape(key, key_len < 32 ? key_len : 32, esc, sizeof esc);
    int n = snprintf(w->list + w->used, sizeof w->list - w->used, "%s%s", w->used ? ", " : "", esc);
    if (n > 0 && w->used + (size_t)n < sizeof w->list)
        w->used += (size_t)n;
    return 0;
}

char *reply_ignored(const struct request *r, char *buf, size_t len)
{
    struct ignored_walk w = {.used = 0};
    w.list[0] = '\0';
    target_each_param(r->query, note_ignored, &w);
    snprintf(buf, len, "%s", w.list);
    return buf;
}

/* ---- bodies ---- */

static void free_head(void *cls) { free(cls); }

/* Any body, copied piece by piece through MHD's buffer: for a padded body
 * when the connection's pool has no room for its iovec entries. */
static ssize_t read_copy(void *cls, uint64_t pos, char *buf, size_t max)
{
    struct request *r = cls;
    struct layout l = layout_of(r);
    uint64_t len = body_length(&l);
    if (pos >= len)
        return MHD_CONTENT_READER_END_OF_STREAM;
    size_t n = len - pos < max ? (size_t)(len - pos) : max;
    body_copy(r, &l, pos, buf, n);
    return (ssize_t)n;
}

/* The padded body as an iovec: a copy of the head (the request may be gone
 * before MHD lets go of the response), then the shared filler. MHD copies
 * the entries into the connection's pool, and 0.9.75 aborts when that copy
 * fails: a head that leaves too little room gets the copying reader. */
static struct MHD_Response *padded_response(struct request *r, const struct layout *l)
{
    struct MHD_IoVec iov[3 + 64];
    unsigned entries = (unsigned)((l->fill + FILL_BYTES - 1) / FILL_BYTES) + 3;
    if (entries * sizeof(struct MHD_IoVec) + REPLY_IOV_ROOM > handler_pool_free(r))
        return MHD_create_response_from_callback(body_length(l), 16384, read_copy, r, NULL);
    const char *filler = fill(l->fill_byte);
    char *head = malloc(l->head + 1);
    unsigned n = 0;
    if (filler == NULL || head == NULL || entries > sizeof iov / sizeof iov[0]) {
        free(head);
        return NULL;
    }
    memcpy(head, r->head, l->head);
    iov[n++] = (struct MHD_IoVec){head, l->head};
    if (l->sep > 0)
        iov[n++] = (struct MHD_IoVec){pad_open, l->sep};
    for (uint64_t left = l->fill; left > 0;) {
        size_t chunk = left < FILL_BYTES ? (size_t)left : FILL_BYTES;
        iov[n++] = (struct MHD_IoVec){filler, chunk};
        left -= chunk;
    }
    iov[n++] = (struct MHD_IoVec){l->tail, l->tail_len};
    struct MHD_Response *resp = MHD_create_response_from_iovec(iov, n, free_head, head);
    if (resp == NULL)
        free(head);
    return resp;
}

/* Half the body, then the connection closes: Content-Length promised more. */
static ssize_t read_truncated(void *cls, uint64_t pos, char *buf, size_t max)
{
    struct request *r = cls;
    struct layout l = r->own_body != NULL ? own_layout(r) : layout_of(r);
    uint64_t half = body_length(&l) / 2;
    if (pos >= half)
        return MHD_CONTENT_READER_END_WITH_ERROR;
    size_t n = half - pos < max ? (size_t)(half - pos) : max;
    body_copy(r, &l, pos, buf, n);
    r->body_sent = pos + n;
    return (ssize_t)n;
}

/* A drip: piece i of P is released at drip_start + i * drip / P; between
 * pieces the connection is suspended on the request's timer. */
static ssize_t read_drip(void *cls, uint64_t pos, char *buf, size_t max)
{
    struct request *r = cls;
    struct layout l = layout_of(r);
    uint64_t len = body_length(&l);
    int64_t now = stats_now_us();
    if (r->drip_start_us == 0)
        r->drip_start_us = now;
    uint64_t pieces = (uint64_t)(r->drip_us / DRIP_STEP_US);
    pieces = pieces < 1 ? 1 : pieces > len ? len : pieces;
    int64_t elapsed = now - r->drip_start_us;
    /* Once the grace is over the rest goes at once: nothing may suspend then,
     * or MHD_stop_daemon() would find a suspended connection. */
    bool hurry = r->expired || r->srv->expired;
    uint64_t due = hurry || elapsed >= r->drip_us ? pieces : (uint64_t)elapsed * pieces / (uint64_t)r->drip_us;
    uint64_t released = len * due / pieces;
    if (pos < released) {
        size_t n = released - pos < max ? (size_t)(released - pos) : max;
        body_copy(r, &l, pos, buf, n);
        r->body_sent = pos + n;
        return (ssize_t)n;
    }
    int64_t next = r->drip_start_us + (int64_t)((due + 1) * (uint64_t)r->drip_us / pieces);
    r->delay_us = next - now > 0 ? next - now : 0;
    if (server_start_wait(r->srv, r) != MHD_YES)
        return MHD_CONTENT_READER_END_WITH_ERROR;
    return 0; /* suspended: MHD asks again once the timer resumes it */
}

/* The body for r, or NULL when out of memory. */
static struct MHD_Response *body_response(struct request *r)
{
    char plain[sizeof r->head + 1];
    r->head_len = (unsigned char)(routes_say_hi_body(plain, sizeof plain, r->b.delay_us) - 1); /* but '}' */
    memcpy(r->head, plain, r->head_len);
    struct layout l = layout_of(r);
    uint64_t len = body_length(&l);
    r->body_len = len;
    if (r->b.fault == FAULT_TRUNCATE)
        return MHD_create_response_from_callback(len, 4096, read_truncated, r, NULL);
    if (r->drip_us > 0)
        return MHD_create_response_from_callback(len, 4096, read_drip, r, NULL);
    if (len > (uint64_t)r->head_len + 1) /* padded: filler, or ,"pad":"" alone */
        return padded_response(r, &l);
    return MHD_create_response_from_buffer((size_t)len, plain, MHD_RESPMEM_MUST_COPY);
}

/* ---- faults that are no HTTP response at all ---- */

static int conn_fd(const struct request *r)
{
    const union MHD_ConnectionInfo *ci = MHD_get_connection_info(r->conn, MHD_CONNECTION_INFO_CONNECTION_FD);
    return ci != NULL ? ci->connect_fd : -1;
}

/* reset: SO_LINGER 0, so MHD's close (no shutdown before it: MHD_USE_TURBO)
 * sends an RST. close: the plain close, a FIN. garbage: random bytes that
 * are not HTTP, written past MHD (nothing of this request is queued), then
 * the close. Returning MHD_NO makes MHD close the connection. */
static enum MHD_Result break_connection(struct server *s, struct request *r)
{
    int fd = conn_fd(r);
    if (r->b.fault == FAULT_RESET && fd >= 0) {
        struct linger lg = {.l_onoff = 1, .l_linger = 0};
        setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
    } else if (r->b.fault == FAULT_GARBAGE && fd >= 0) {
        char junk[512];
        struct rng g;
        rng_seed(&g, r->seed);
        size_t n = 64 + rng_next(&g) % (sizeof junk - 64);
        for (size_t i = 0; i < n; i++)
            junk[i] = (char)(rng_next(&g) >> 56);
        junk[0] = (char)(0x80 | (unsigned char)junk[0]); /* never "HTTP/" */
        ssize_t w = send(fd, junk, n, MSG_NOSIGNAL | MSG_DONTWAIT);
        r->body_sent = w > 0 ? (uint64_t)w : 0;
    }
    s->counters.faults[r->b.fault]++;
    if (s->cfg->access_log) {
        char why[32];
        snprintf(why, sizeof why, "fault %s", fault_name(r->b.fault));
        handler_log(r, 0, why);
        r->logged = true;
    }
    return MHD_NO; /* MHD closes the connection */
}

/* hang, once its hold is over (--max-delay, or the client left): closed. */
static enum MHD_Result hang_over(struct server *s, struct request *r)
{
    if (s->cfg->access_log) {
        handler_log(r, 0, "fault hang");
        r->logged = true;
    }
    return MHD_NO;
}

/* ---- the reply ---- */

/* A page of its own: whole, or half of it for truncate. */
static struct MHD_Response *own_response(struct request *r)
{
    r->body_len = r->own_len;
    if (r->b.fault == FAULT_TRUNCATE)
        return MHD_create_response_from_callback(r->own_len, 4096, read_truncated, r, NULL);
    return MHD_create_response_from_buffer(r->own_len, r->own_body, MHD_RESPMEM_PERSISTENT);
}

/* What every delayed endpoint does once its wait is over: 503 when the
 * grace ran out, the fault drawn, or the body make() builds. */
static enum MHD_Result reply(struct server *s, struct request *r, struct MHD_Response *(*make)(struct request *))
{
    if (r->expired)
        return handler_send_error(s, r, MHD_HTTP_SERVICE_UNAVAILABLE, "server is shutting down");
    switch (r->b.fault) {
    case FAULT_RESET:
    case FAULT_CLOSE:
    case FAULT_GARBAGE:
        return break_connection(s, r);
    case FAULT_HANG:
        s->counters.faults[FAULT_HANG]++;
        r->respond = hang_over;
        if (s->expired) /* the grace is over: nothing is held any more */
            return hang_over(s, r);
        r->delay_us = s->cfg->defaults.max_delay_us;
        return server_start_wait_watching(s, r);
    case FAULT_TRUNCATE:
        if (r->head_only) /* no body to cut: an ordinary answer */
            r->b.fault = FAULT_NONE;
        else
            s->counters.faults[FAULT_TRUNCATE]++;
        break;
    default:
        break;
    }
    if (r->plain && !s->draining) {
        r->body_len = s->default_hi_len;
        return handler_send(s, r, r->b.status, s->default_hi, NULL);
    }
    struct MHD_Response *resp = make(r);
    if (resp == NULL)
        return MHD_NO;
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, "application/json");
    if (s->draining)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CONNECTION, "close");
    char ignored[REPLY_IGNORED_MAX];
    if (r->ignored && reply_ignored(r, ignored, sizeof ignored)[0] != '\0')
        MHD_add_response_header(resp, "X-Sayhi-Ignored", ignored);
    enum MHD_Result ret = handler_send(s, r, r->b.status, resp, r->b.fault == FAULT_TRUNCATE ? "fault truncate" : NULL);
    MHD_destroy_response(resp);
    return ret;
}

enum MHD_Result reply_say_hi(struct server *s, struct request *r) { return reply(s, r, body_response); }

enum MHD_Result reply_family(struct server *s, struct request *r)
{
    char *page = family_json(s->family, r->person, r->query);
    if (page == NULL)
        return MHD_NO; /* the person was checked on arrival: out of memory */
    r->own_body = page;
    r->own_len = strlen(page);
    return reply(s, r, own_response);
}
