/* async: raw sockets on a libevent loop, libhttp-parser responses (async.h). */
#include "async.h"

#include "cli.h"
#include "log.h"
#include "response.h"
#include "sched.h"

#include <errno.h>
#include <event2/event.h>
#include <event2/event_struct.h> /* events embedded in struct conn: no malloc per socket */
#include <math.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

struct async;

struct conn {
    struct async *a;
    int fd;
    bool connecting;
    bool busy;       /* a request is in flight on this connection */
    bool reused;     /* the connection already carried a response, or was opened ahead (warm_up) */
    bool carried;    /* the socket carried a request: bytes on it when idle follow c->id's response */
    bool retried;    /* the current request was re-sent once already */
    size_t id;
    const char *req;  /* the request's bytes: the run's, or a crawl page's (own) */
    size_t reqlen;
    char *own;
    size_t sent, got;
    struct event rev; /* persistent: added once per socket, never re-armed */
    struct event wev; /* connect completion and the rare short write */
    struct event tev; /* the current request's --timeout */
    struct response resp;
};

struct async {
    const struct client_config *cfg;
    struct stats *st;
    struct event_base *base;
    const struct timeval *timeout; /* a libevent common timeout: O(1) add and delete */
    char *req;
    size_t reqlen;
    struct sched sched;
    size_t done;                   /* requests ended; sched.next were started */
    size_t peak;                   /* most requests in flight at once */
    struct conn *conns;
    size_t nconns;
    struct conn **idle;            /* open loop: connections free for the next due request */
    size_t nidle;
    struct event due;              /* open loop: fires when the next request is due; closed: start_more() */
    size_t starting;               /* closed loop: the first connection not yet started */
    bool polling;                  /* open loop at a high rate: the loop polls, never sleeps */
    struct event *tick;
    struct log_progress bar;
};

/* The open loop's shortest timer: requests due sooner go out together when
 * it fires. A timer per request costs a timerfd_settime and an epoll_wait
 * wake-up each: at 50,000/s, 20 us apart, 100,000 system calls a second
 * that do no I/O. Sends up to 100 us late are well inside the 1 ms the
 * benchmark holds the schedule to. */
#define SEND_TICK_US 100

/* At most this many connections are opened in one go for due requests; the
 * loop then reads the responses that have come in, and the connections they
 * free carry the next requests. Without a bound, a client that fell behind
 * its schedule (a send on a new connection costs more than the gap between
 * two requests) kept opening connections without ever reading a response:
 * none came free, each due request opened another, and at 50,000/s the
 * first 1,000 went out up to 40 ms late before the cap on connections
 * stopped it. Sends on open connections are not bounded: a bound on all
 * sends held a loop whose passes were long (reading large bodies, 2 ms a
 * pass) to 32 requests a pass, 16,000/s, and it never caught up. */
#define DISPATCH_OPENS 32

/* From this rate on (requests per second), with a second CPU to run on, an
 * open loop polls its sockets and its schedule instead of sleeping until
 * the next send or response. Sleeping, each wake-up cost it more than the
 * request (perf at 20,000/s: 18% of its time in the scheduler's switch and
 * about 5% setting its timer; 22 us of CPU a request at 40,000/s, 11 us in
 * a closed loop), and came late: the service times it measured were 0.08-0.1
 * ms at their median, 0.045 polling. bench/clients.sh e) at half of wrk's
 * rate on nginx, send lateness p99 of six interleaved runs each: at
 * 33,714/s 0.65-6.2 ms sleeping (median 2.4), 0.05-19 ms polling (median
 * 0.30); at 44,337/s 0.51-14 ms (3.9) and 1.4-70 ms (2.4). The price: one
 * CPU busy for the run, where sleeping it was 80-87% busy. */
#define POLL_RATE_MIN 20000.0

/* One thread reads every socket, so one buffer serves all of them. */
static char readbuf[65536];

static void conn_close(struct conn *c)
{
    if (c->fd < 0)
        return;
    event_del(&c->rev);
    event_del(&c->wev);
    close(c->fd);
    c->fd = -1;
    c->connecting = false;
    c->reused = false;
}

/* Records the end of c's request; the caller decides what the connection does next. */
static void finish(struct conn *c, unsigned status, enum stats_error kind, const char *detail)
{
    struct async *a = c->a;
    int64_t now = stats_now_us();
    event_del(&c->tev);
    c->busy = false;
    if (a->st->crawl != NULL) /* its links make the next pages due */
        crawl_end(a->st->crawl, c->id, kind == STATS_OK ? c->resp.big : NULL, c->resp.body_len);
    stats_set_bytes(a->st, c->id, c->got);
    client_request_done(a->cfg, a->st, c->id, now, status, kind, detail);
    a->done++;
}

/* Ends the loop once every started request has ended and the schedule
 * has nothing more. */
static void end_if_over(struct async *a)
{
    struct sched_next n;
    if (a->done == a->sched.next && (client_interrupted || !sched_peek(&a->sched, stats_now_us(), &n)))
        event_base_loopbreak(a->base);
}

static void fail(struct conn *c, enum stats_error kind, int err)
{
    conn_close(c);
    finish(c, 0, kind, err != 0 ? strerror(err) : NULL);
}

static void conn_open(struct conn *c);
static void on_read(evutil_socket_t fd, short what, void *arg);
static void on_write(evutil_socket_t fd, short what, void *arg);

/* A kept-alive connection the server closed while idle shows up only when
 * the next request finds it dead: send that request again, once, on a new
 * connection, as browsers and libcurl do. Returns 1 when retrying. */
static int retry_if_stale(struct conn *c)
{
    if (!c->reused || c->retried || c->got > 0)
        return 0;
    c->retried = true;
    conn_close(c);
    conn_open(c);
    return 1;
}

static void send_request(struct conn *c)
{
    ssize_t w = write(c->fd, c->req + c->sent, c->reqlen - c->sent);
    if (w < 0 && errno != EAGAIN && errno != EINTR) {
        int err = errno;
        if (c->connecting)
            fail(c, STATS_ERR_CONNECT, err);
        else if (!retry_if_stale(c))
            fail(c, STATS_ERR_CLOSED, err);
        return;
    }
    if (w > 0) {
        c->connecting = false; /* written: so connected */
        c->sent += (size_t)w;
    }
    if (c->sent < c->reqlen)
        event_add(&c->wev, NULL);
}

/* A new socket for c, its connect under way (c->connecting) or done; 0, or
 * -1 with errno set and no socket. */
static int conn_connect(struct conn *c)
{
    struct async *a = c->a;
    c->fd = socket(a->cfg->addr.ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (c->fd < 0)
        return -1;
    int one = 1;
    setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    event_assign(&c->rev, a->base, c->fd, EV_READ | EV_PERSIST, on_read, c);
    event_assign(&c->wev, a->base, c->fd, EV_WRITE, on_write, c);
    c->sent = 0;
    c->got = 0;
    c->carried = false;
    if (connect(c->fd, (const struct sockaddr *)&a->cfg->addr.ss, a->cfg->addr.len) != 0) {
        if (errno != EINPROGRESS) {
            int err = errno;
            close(c->fd);
            c->fd = -1;
            errno = err;
            return -1;
        }
        c->connecting = true;
    }
    return 0;
}

static void conn_open(struct conn *c)
{
    if (conn_connect(c) != 0) {
        fail(c, STATS_ERR_CONNECT, errno);
        return;
    }
    event_add(&c->rev, NULL);
    /* On loopback the handshake is usually done by the time connect()
     * returns EINPROGRESS: write at once, and wait for writability only when
     * the kernel says EAGAIN. Saves an epoll round and two epoll_ctl per
     * connection, which is most of the cost of opening 10,000 of them. */
    send_request(c);
}

/* The bytes of c's request: the run's, or built for a crawl page's path. */
static int request_bytes(struct conn *c, const struct sched_next *n)
{
    struct async *a = c->a;
    if (a->st->crawl == NULL) {
        c->req = a->req;
        c->reqlen = a->reqlen;
        return 0;
    }
    free(c->own);
    c->own = client_request_path(a->cfg, "sayhi-async", n->path, &c->reqlen);
    c->req = c->own;
    return c->own != NULL ? 0 : -1;
}

static void request_start(struct conn *c, const struct sched_next *n, int64_t now)
{
    struct async *a = c->a;
    sched_take(&a->sched);
    if (a->sched.next - a->done > a->peak)
        a->peak = a->sched.next - a->done;
    c->id = n->id;
    c->busy = true;
    c->carried = true;
    c->retried = false;
    c->sent = 0;
    c->got = 0;
    response_start(&c->resp, &a->cfg->rules);
    client_request_start(a->cfg, a->st, c->id, n->due_us, now);
    stats_set_track(a->st, c->id, (uint32_t)(c - a->conns));
    event_add(&c->tev, a->timeout);
    if (request_bytes(c, n) != 0)
        finish(c, 0, STATS_ERR_CONNECT, "out of memory");
    else if (c->fd < 0)
        conn_open(c);
    else
        send_request(c);
}

static void dispatch(struct async *a);

/* Open loop: dispatch() runs after the callbacks of this loop pass and the
 * loop's next poll: a timer that is due runs there, where event_active()
 * would run it in this same pass, before the responses that are in. */
static void dispatch_soon(struct async *a)
{
    static const struct timeval now_tv = {0, 0};
    evtimer_add(&a->due, &now_tv);
}

/* c is free again. Closed loop: it starts requests until one is in flight
 * or none are left (a loop, not recursion: with a dead server every
 * connect may fail at once). Open loop: it waits, socket open, for the
 * next request that falls due. */
static void conn_continue(struct conn *c)
{
    struct async *a = c->a;
    struct sched_next n;
    int64_t now;
    if (sched_pooled(&a->sched)) {
        if (!c->busy) {
            a->idle[a->nidle++] = c;
            if (sched_peek(&a->sched, now = stats_now_us(), &n) && n.due_us <= now)
                dispatch_soon(a);
            else
                end_if_over(a);
        }
        return;
    }
    while (!c->busy && !client_interrupted && sched_peek(&a->sched, now = stats_now_us(), &n))
        request_start(c, &n, now);
    if (!c->busy)
        conn_close(c); /* no work left for it: an idle socket would only hold the loop */
    end_if_over(a);
}

/* Open loop: starts every request that is due on a free connection
 * (the most recently freed first: its socket is likely still open), and
 * sets the timer for the next one. A due request that finds none free
 * waits for one, and the wait counts in its latency. */
static void dispatch(struct async *a)
{
    struct sched_next n;
    int64_t now = stats_now_us();
    int opened = 0;
    while (!client_interrupted && a->nidle > 0 && sched_peek(&a->sched, now, &n) && n.due_us <= now) {
        struct conn *c = a->idle[a->nidle - 1];
        if (c->fd < 0 && opened++ == DISPATCH_OPENS) {
            dispatch_soon(a);
            return;
        }
        a->nidle--;
        request_start(c, &n, now);
        if (!c->busy) /* failed at once: free again */
            a->idle[a->nidle++] = c;
        now = stats_now_us();
    }
    if (a->nidle == 0 && sched_peek(&a->sched, now, &n) && n.due_us <= now)
        a->st->conns_busy = true; /* it waits, and says so: the lateness is the connections', not the loop's */
    /* Polling, too: libevent's non-blocking loop returns only after a pass
     * with nothing to do, and while sockets stay readable the timer is what
     * sends the requests that fall due meanwhile. */
    if (!client_interrupted && sched_peek(&a->sched, now, &n) && n.due_us > now && !evtimer_pending(&a->due, NULL)) {
        int64_t wait = n.due_us - now > SEND_TICK_US ? n.due_us - now : SEND_TICK_US;
        struct timeval tv = {.tv_sec = wait / 1000000, .tv_usec = wait % 1000000};
        evtimer_add(&a->due, &tv);
    }
    end_if_over(a);
}

/* Closed loop: the connections get their first request START_BATCH at a
 * time, a batch per loop pass, so that the first responses are read while
 * the last connections open. Started all in one go, 20,000 connections
 * took the whole of a `-z 1s` run, and a 20 ms server's responses waited
 * for it: latency min 208 ms, p50 956 ms. */
#define START_BATCH 256

static void start_more(struct async *a)
{
    struct sched_next n;
    size_t end = a->starting + START_BATCH;
    for (; a->starting < a->nconns && a->starting < end && !client_interrupted &&
           sched_peek(&a->sched, stats_now_us(), &n);
         a->starting++)
        conn_continue(&a->conns[a->starting]);
    if (a->starting < a->nconns && !client_interrupted && sched_peek(&a->sched, stats_now_us(), &n))
        dispatch_soon(a); /* the next batch after this pass's I/O */
}

static void on_due(evutil_socket_t fd, short what, void *arg)
{
    struct async *a = arg;
    (void)fd;
    (void)what;
    if (sched_pooled(&a->sched))
        dispatch(a);
    else
        start_more(a);
}

static void on_response(struct conn *c)
{
    struct async *a = c->a;
    bool keep = a->cfg->keepalive && response_keeps_connection(&c->resp);
    c->reused = true;
    if (!keep)
        conn_close(c);
    char why[RESPONSE_WHY_MAX];
    enum stats_error kind = response_verdict(&c->resp, why);
    finish(c, response_status(&c->resp), kind, why);
}

static void on_read(evutil_socket_t fd, short what, void *arg)
{
    struct conn *c = arg;
    (void)what;
    if (c->connecting) /* a failed connect is readable too: on_write tells why */
        return;
    ssize_t r = read(fd, readbuf, sizeof readbuf);
    if (r < 0 && (errno == EAGAIN || errno == EINTR))
        return;
    if (!c->busy) { /* the server closed, or wrote to, an idle connection */
        if (r > 0 && c->carried) /* on one opened ahead and never used, no request to blame */
            client_note_unsolicited(c->a->cfg, c->a->st, c->id, (size_t)r);
        conn_close(c);
        return;
    }
    int err = r < 0 ? errno : 0;
    if (r > 0)
        c->got += (size_t)r;
    int state = r < 0 ? 0 : response_feed(&c->resp, readbuf, (size_t)r); /* r == 0: a body may end at EOF */
    if (state == 1) {
        on_response(c);
    } else if (r > 0 && state < 0) {
        conn_close(c);
        finish(c, 0, STATS_ERR_STATUS, http_errno_description(HTTP_PARSER_ERRNO(&c->resp.parser)));
    } else if (r > 0) {
        return; /* more to come */
    } else if (!retry_if_stale(c)) {
        fail(c, STATS_ERR_CLOSED, err);
    }
    conn_continue(c);
}

/* How a non-blocking connect on fd ended: 0, or its errno. */
static int connect_error(int fd)
{
    int err = 0;
    socklen_t len = sizeof err;
    return getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0 ? errno : err;
}

static void on_write(evutil_socket_t fd, short what, void *arg)
{
    struct conn *c = arg;
    (void)what;
    if (c->connecting) {
        c->connecting = false;
        int err = connect_error(fd);
        if (err != 0) {
            fail(c, STATS_ERR_CONNECT, err);
            conn_continue(c);
            return;
        }
    }
    send_request(c);
    if (!c->busy)
        conn_continue(c);
}

static void on_timeout(evutil_socket_t fd, short what, void *arg)
{
    struct conn *c = arg;
    (void)fd;
    (void)what;
    /* libevent's clock is CLOCK_MONOTONIC_COARSE (1-4 ms steps) and cached
     * per loop pass, so the timer can fire before --timeout has passed by
     * the clock latencies are measured with: wait out the rest. Cheaper than
     * EVENT_BASE_FLAG_PRECISE_TIMER, which costs a timerfd_settime per pass. */
    int64_t left = client_time_left(c->a->cfg, c->a->st, c->id, stats_now_us());
    if (left > 0) {
        event_add(&c->tev, &(struct timeval){.tv_sec = left / 1000000, .tv_usec = left % 1000000});
        return;
    }
    conn_close(c);
    finish(c, 0, STATS_ERR_TIMEOUT, NULL);
    conn_continue(c);
}

/* Every 100 ms: the progress bar, and Ctrl-C. client_run's handler only sets
 * client_interrupted; a signal event of libevent's would run only once the
 * loop runs, not while a dead server fails connects one after another. */
static void on_tick(evutil_socket_t fd, short what, void *arg)
{
    struct async *a = arg;
    (void)fd;
    (void)what;
    if (client_interrupted)
        event_base_loopbreak(a->base);
    else if (a->bar.enabled)
        log_progress_update(&a->bar, a->done, stats_now_us());
}

/* Open loop: connections opened before the schedule starts, enough for
 * the rate at 1 ms of latency. Opened on demand instead, the first
 * requests found none free and each opened its own: at 45,000/s a connect
 * takes longer than the 22 us between two requests, and the first 150 ms
 * of the schedule went out up to 40 ms late while a thousand were opened.
 * The connects are waited for here, before t0, at most --timeout or 100 ms;
 * one not done by then is closed, and one that failed too: the request that
 * gets its slot opens it again (and reports its error). One that is done
 * counts as kept alive: if the server closed it meanwhile, its first request
 * is sent again on a new connection. */
#define WARM_LATENCY_US 1000
#define WARM_WAIT_MAX_US 100000

static void warm_up(struct async *a)
{
    size_t want = (size_t)ceil(a->cfg->rate * WARM_LATENCY_US / 1e6);
    want = want < 1 ? 1 : want > a->nidle ? a->nidle : want;
    struct pollfd *pf = calloc(want, sizeof *pf);
    struct conn **pc = calloc(want, sizeof *pc);
    size_t n = 0, pending = 0;
    for (size_t i = 0; pf != NULL && pc != NULL && i < want; i++) {
        struct conn *c = a->idle[a->nidle - 1 - i]; /* the top of the stack: used first */
        if (conn_connect(c) != 0)
            break;
        pc[n] = c;
        pf[n++] = (struct pollfd){.fd = c->connecting ? c->fd : -1, .events = POLLOUT};
        pending += c->connecting;
    }
    int64_t wait = a->cfg->timeout_us < WARM_WAIT_MAX_US ? a->cfg->timeout_us : WARM_WAIT_MAX_US;
    int64_t end = stats_now_us() + wait;
    while (pending > 0 && !client_interrupted) {
        int64_t left = end - stats_now_us();
        if (left <= 0)
            break;
        int r = poll(pf, n, (int)((left + 999) / 1000));
        if (r < 0 && errno != EINTR)
            break;
        for (size_t i = 0; r > 0 && i < n; i++) {
            if (pf[i].fd < 0 || pf[i].revents == 0)
                continue;
            if (connect_error(pf[i].fd) != 0)
                conn_close(pc[i]);
            pc[i]->connecting = false;
            pf[i].fd = -1;
            pending--;
        }
    }
    for (size_t i = 0; i < n; i++) {
        if (pf[i].fd >= 0) /* not connected in time */
            conn_close(pc[i]);
        if (pc[i]->fd >= 0) {
            pc[i]->reused = true;
            event_add(&pc[i]->rev, NULL);
        }
    }
    free(pf);
    free(pc);
}

static int build_request(struct async *a)
{
    a->req = client_request_text(a->cfg, "sayhi-async", &a->reqlen);
    return a->req != NULL ? 0 : -1;
}

static int setup(struct async *a, size_t concurrency)
{
    struct event_config *ec = event_config_new();
    if (ec == NULL)
        return -1;
    event_config_set_flag(ec, EVENT_BASE_FLAG_NOLOCK); /* one thread: no locks to take */
    /* An open loop sends on a timer: libevent's default clock steps by 1-4
     * ms (DESIGN.md), which would be the sends' lateness. One that polls
     * reads the schedule against the precise clock itself. */
    a->polling = a->cfg->rate >= POLL_RATE_MIN && client_cpus_usable() >= 2;
    if (a->cfg->rate > 0 && !a->polling)
        event_config_set_flag(ec, EVENT_BASE_FLAG_PRECISE_TIMER);
    a->base = event_base_new_with_config(ec);
    event_config_free(ec);
    a->conns = calloc(concurrency, sizeof *a->conns);
    a->idle = calloc(concurrency, sizeof *a->idle);
    if (a->base == NULL || a->conns == NULL || a->idle == NULL || build_request(a) != 0)
        return -1;
    evtimer_assign(&a->due, a->base, on_due, a);
    struct timeval tv = {.tv_sec = a->cfg->timeout_us / 1000000, .tv_usec = a->cfg->timeout_us % 1000000};
    a->timeout = event_base_init_common_timeout(a->base, &tv);
    a->nconns = concurrency;
    for (size_t i = 0; i < concurrency; i++) {
        struct conn *c = &a->conns[i];
        c->a = a;
        c->fd = -1;
        evtimer_assign(&c->tev, a->base, on_timeout, c);
        a->idle[a->nidle++] = &a->conns[concurrency - 1 - i]; /* conns[0] on top */
    }
    return a->timeout != NULL ? 0 : -1;
}

/* The polling open loop: the loop's callbacks without waiting in it, and
 * the requests that are due, until the run is over. It sleeps while every
 * connection is busy (until a response or a timeout frees one), and once
 * the schedule has no more requests, while the last ones are answered. */
static void run_polling(struct async *a)
{
    struct sched_next n;
    while (!event_base_got_break(a->base)) {
        int64_t now = stats_now_us();
        if (client_interrupted || !sched_peek(&a->sched, now, &n)) {
            event_base_dispatch(a->base);
            return;
        }
        if (n.due_us <= now) {
            dispatch(a);
            if (event_base_got_break(a->base)) /* the run ended in it: the next loop would forget */
                return;
        }
        event_base_loop(a->base, a->nidle == 0 ? EVLOOP_ONCE : EVLOOP_NONBLOCK);
    }
}

int async_run(const struct client_config *cfg, size_t *concurrency_io, struct stats *st)
{
    size_t concurrency = *concurrency_io;
    struct async a = {.cfg = cfg, .st = st};
    int rc = 0;
    if (setup(&a, concurrency) != 0) {
        cli_error("cannot set up the event loop for %zu connections: out of memory", concurrency);
        rc = -1;
    } else {
        bool warmed = cfg->rate > 0 && st->crawl == NULL;
        if (warmed) /* the schedule starts once they are open */
            warm_up(&a);
        /* The run's records, its elapsed time and --duration start with the
         * schedule: after the warm-up, and after setting up the connections
         * (87 ms for 20,000 here), which a -z run's requests would otherwise
         * be timed from while its end was not. */
        int64_t t0 = stats_now_us();
        st->t0_us = t0;
        sched_init(&a.sched, cfg->number, t0, client_end_us(cfg, t0), cfg->rate, cfg->poisson, cfg->target.path);
        if (st->crawl != NULL)
            sched_crawl(&a.sched, st->crawl);
        log_progress_init(&a.bar, client_progress_wanted(cfg), a.sched.limit, stats_now_us());
        a.tick = event_new(a.base, -1, EV_PERSIST, on_tick, &a);
        if (a.tick != NULL)
            event_add(a.tick, &(struct timeval){.tv_usec = 100000});
        struct sched_next n;
        if (sched_pooled(&a.sched))
            dispatch(&a);
        else
            start_more(&a);
        if ((a.done < a.sched.next || sched_peek(&a.sched, stats_now_us(), &n)) && !client_interrupted) {
            if (a.polling)
                run_polling(&a);
            else
                event_base_dispatch(a.base);
        }
        st->started = a.sched.next;
        if (sched_pooled(&a.sched)) /* the cap is not what the run needed: report what it did */
            *concurrency_io = a.peak;
        log_progress_end(&a.bar);
    }
    for (size_t i = 0; a.conns != NULL && i < a.nconns; i++) {
        conn_close(&a.conns[i]);
        response_free(&a.conns[i].resp);
        free(a.conns[i].own);
        event_del(&a.conns[i].tev);
    }
    if (a.tick != NULL)
        event_free(a.tick);
    if (a.base != NULL)
        event_del(&a.due);
    free(a.idle);
    free(a.conns);
    free(a.req);
    if (a.base != NULL)
        event_base_free(a.base);
    return rc;
}
