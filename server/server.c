/* server: libmicrohttpd daemons driven by one libevent loop (server.h).
 *
 * MHD runs in external-epoll mode: each daemon's epoll fd sits in the
 * libevent base and every readiness (or MHD's own timeout) runs it once. A
 * delayed /say-hi suspends its connection and arms a timer embedded in the
 * request; when it falls due the connection is resumed and its daemon is run
 * once for every timer due in the same loop pass, not once per timer (10,000
 * simultaneous deadlines would otherwise cost 10,000 runs). The server
 * accepts connections itself and hands them to MHD. Routing and replies live in handler.c, the listening
 * socket in listener.c. */
#include "server_int.h"

#include "cli.h"
#include "family.h"
#include "duration.h"
#include "formats.h"
#include "listener.h"
#include "log.h"
#include "stats.h"

#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

/* fds the process needs besides its connections: listener, two epolls
 * (libevent's and the first daemon's), stdio, and slack for libraries; each
 * daemon after the first needs FDS_PER_SHARD more. */
#define FD_RESERVE 32

/* Connections are spread over several MHD daemons (shards), all run by this
 * thread. libmicrohttpd 0.9.75 finds the connections to resume by walking
 * its whole list of suspended connections on the next run
 * (resume_suspended_connections), about 100 ns a connection here, cache
 * misses mostly: with 10,000 requests waiting, every resume cost a
 * millisecond whatever it resumed, and the walks took 17% of the server in
 * bench/server.sh c). A daemon holds at most SHARD_CONNECTIONS connections
 * while another has room, and a resume walks only the daemons it resumed in.
 * New connections go to the first daemon with room: a server with a few
 * clients has them all in one, and runs as with a single daemon. */
#define SHARD_CONNECTIONS 256
#define SHARDS_MAX 64
#define FDS_PER_SHARD 1 /* its epoll fd (0.9.75 makes no ITC without an internal thread) */


/* A server for testing clients should hold them to the protocol: strict mode
 * answers 400 to an HTTP/1.1 request without Host and to spaces in the URL. */
#define STRICT_HTTP 1

static struct timeval to_timeval(int64_t us)
{
    return (struct timeval){.tv_sec = (time_t)(us / 1000000), .tv_usec = (suseconds_t)(us % 1000000)};
}

/* Requests whose wait is over go before libmicrohttpd's I/O and new
 * connections: libevent runs only the highest priority ready in a loop
 * pass, so a timer that falls due during an arrival flood waits for one
 * short MHD run, not for a run that reads a thousand new requests. Accepting
 * shares I/O's level: below it, a server kept busy by a few keep-alive
 * clients (MHD's epoll fd ready at every pass) would never accept another. */
enum { PRIO_TIMERS, PRIO_IO, PRIO_LEVELS };

/* ---- running MHD from the loop ---- */

static void arm_mhd_timer(struct shard *sh)
{
    MHD_UNSIGNED_LONG_LONG ms;
    if (MHD_get_timeout(sh->mhd, &ms) == MHD_YES) {
        struct timeval tv = to_timeval((int64_t)ms * 1000);
        evtimer_add(sh->timer, &tv);
    } else {
        evtimer_del(sh->timer);
    }
}

static void run_mhd(struct shard *sh)
{
    sh->resumed = false;
    MHD_run(sh->mhd);
    arm_mhd_timer(sh);
}

/* A daemon's epoll fd or timeout, at I/O priority: on_resume() reads when
 * this (or on_accept) last ran. */
static void on_mhd(evutil_socket_t fd, short what, void *arg)
{
    struct shard *sh = arg;
    (void)fd;
    (void)what;
    sh->srv->io_pass_us = stats_now_us();
    run_mhd(sh);
}

/* Runs a daemon once after every callback already due in this loop pass: the
 * event is appended to libevent's active queue, behind the timers being
 * processed. */
static void run_mhd_soon(struct shard *sh) { event_active(sh->ev, EV_READ, 0); }

void server_run_mhd_soon(struct request *r) { run_mhd_soon(r->shard); }

/* ---- delays ---- */

static void list_insert(struct request *head, struct request *r)
{
    r->next = head->next;
    r->prev = head;
    head->next->prev = r;
    head->next = r;
}

static void list_remove(struct request *r)
{
    r->prev->next = r->next;
    r->next->prev = r->prev;
    r->prev = r->next = NULL;
}

static void unwatch(struct request *r)
{
    if (r->watch != NULL)
        event_free(r->watch);
    r->watch = NULL;
}

static void wake(struct request *r)
{
    list_remove(r);
    unwatch(r);
    r->phase = PHASE_DUE;
    r->shard->suspended--;
    r->shard->resumed = true;
    MHD_resume_connection(r->conn);
}

/* Resumes are batched. A resume costs libmicrohttpd a walk over every
 * connection suspended in the daemon (SHARD_CONNECTIONS): with 10,000
 * requests waiting in one daemon and a run for every timer, perf showed 12%
 * of the server in that walk and timers 25 ms late at 2,000 waiting,
 * hundreds at 10,000. Timers that fall due are queued and resumed together,
 * at most once every RESUME_NS_PER_WAITING ns per connection the last
 * resume walked (at once for a few): the walks then take a bounded share of
 * the time whatever the load. */
#define RESUME_NS_PER_WAITING 50

/* MHD runs here and now, at the timers' priority, and not in a later pass
 * behind the I/O that pass brings (a flood of closes or new requests): it
 * processes the resumed connections before the events it collects in the
 * run, and writes their replies in it. bench/server.sh c), the time from a
 * timer's firing to its reply queued, p99 of four interleaved runs each:
 * 1.2-4.0 ms run in the next pass, 0.02-0.22 ms so.
 * That run also reads the next requests of keep-alive clients, whose timers
 * can then keep the timers' priority busy at every pass: with 600 clients
 * at delay=1ms, no pass was left for accepting, signals or MHD's own runs,
 * and a new connection waited 1.7 s. So it runs here only while a pass at
 * I/O priority has come within IO_WAIT_MAX_US; past that the resume only
 * asks for a run, the timers run out (no new request is read), and the I/O
 * pass comes. */
#define IO_WAIT_MAX_US 2000

static void on_resume(evutil_socket_t fd, short what, void *arg)
{
    struct server *s = arg;
    (void)fd;
    (void)what;
    s->last_resume_us = stats_now_us();
    while (s->due.next != &s->due)
        wake(s->due.next);
    bool now = s->last_resume_us - s->io_pass_us <= IO_WAIT_MAX_US;
    s->walked = 0;
    for (unsigned i = 0; i < s->n_shards; i++) {
        struct shard *sh = &s->shards[i];
        if (!sh->resumed)
            continue;
        s->walked += sh->suspended;
        if (now)
            run_mhd(sh);
        else
            run_mhd_soon(sh);
    }
}

static void schedule_resume(struct server *s)
{
    if (event_pending(s->resume_ev, EV_TIMEOUT, NULL))
        return;
    int64_t gap_us = (int64_t)(s->walked * RESUME_NS_PER_WAITING / 1000);
    int64_t since_us = stats_now_us() - s->last_resume_us;
    if (since_us >= gap_us) {
        event_active(s->resume_ev, EV_TIMEOUT, 0);
    } else {
        struct timeval tv = to_timeval(gap_us - since_us);
        evtimer_add(s->resume_ev, &tv);
    }
}

static void on_due(evutil_socket_t fd, short what, void *arg)
{
    struct request *r = arg;
    struct server *s = r->srv;
    (void)fd;
    (void)what;
    list_remove(r);
    list_insert(&s->due, r);
    schedule_resume(s);
}

enum MHD_Result server_start_wait(struct server *s, struct request *r)
{
    /* libevent counts a timeout from the time it cached when this loop pass
     * began, which a long MHD run leaves milliseconds behind: the delay
     * would end early. */
    event_base_update_cache_time(s->base);
    struct timeval tv = to_timeval(r->delay_us);
    const struct timeval *when = r->delay_us == s->fixed_delay_us && s->default_tv ? s->default_tv : &tv;
    evtimer_assign(&r->timer, s->base, on_due, r);
    event_priority_set(&r->timer, PRIO_TIMERS);
    if (evtimer_add(&r->timer, when) != 0)
        return MHD_NO;
    r->phase = PHASE_WAITING;
    list_insert(&s->waiting, r);
    r->shard->suspended++;
    MHD_suspend_connection(r->conn);
    return MHD_YES;
}

/* A held connection's socket turned readable: at EOF the client has left,
 * and the hold ends; bytes (a pipelined request) are MHD's to read later,
 * so the watch stops there. */
static void on_watch(evutil_socket_t fd, short what, void *arg)
{
    struct request *r = arg;
    char c;
    (void)what;
    ssize_t n = recv(fd, &c, 1, MSG_PEEK | MSG_DONTWAIT);
    if (n > 0) {
        unwatch(r);
    } else if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
        evtimer_del(&r->timer);
        wake(r);
        server_run_mhd_soon(r);
    }
}

enum MHD_Result server_start_wait_watching(struct server *s, struct request *r)
{
    const union MHD_ConnectionInfo *ci = MHD_get_connection_info(r->conn, MHD_CONNECTION_INFO_CONNECTION_FD);
    if (server_start_wait(s, r) != MHD_YES)
        return MHD_NO;
    if (ci != NULL && (r->watch = event_new(s->base, ci->connect_fd, EV_READ | EV_PERSIST, on_watch, r)) != NULL)
        event_add(r->watch, NULL);
    return MHD_YES;
}

/* ---- shutdown ---- */

/* After a wave of thousands of connections, glibc keeps their freed memory
 * and fragmentation makes the resident size creep up wave after wave; when
 * the server has been idle for a second, hand the free pages back. */
#define TRIM_AFTER_IDLE_US 1000000

static void on_tick(evutil_socket_t fd, short what, void *arg)
{
    struct server *s = arg;
    (void)fd;
    (void)what;
    recent_tick(&s->recent, stats_now_us() - s->started_us, s->counters.in_flight);
}

/* The access log reaches its reader within this: soon enough to tail, and
 * one write for many lines under load. */
#define LOG_FLUSH_MS 50

static void begin_stop(struct server *s, int64_t now);

bool server_stdout_failed(struct server *s)
{
    if (s->stdout_failed)
        return true;
    /* A write inside the last printf may have failed already (stdout is
     * line-buffered on a terminal): its errno is still there when this is
     * called right after, as every writer of stdout does. */
    int err = ferror(stdout) ? errno : 0;
    errno = 0;
    if (!ferror(stdout) && fflush(stdout) == 0)
        return false;
    err = err != 0 ? err : errno;
    if (err == EAGAIN || err == EWOULDBLOCK || err == EINTR) { /* a slow reader: lines are lost, not the run */
        clearerr(stdout);
        server_flush_log_soon(s);
        return false;
    }
    cli_error("cannot write to stdout: %s%s", err != 0 ? strerror(err) : "write error",
              s->draining ? "" : "; stopping");
    s->stdout_failed = true;
    if (!s->draining) /* as on SIGTERM: the requests in flight finish within --grace */
        begin_stop(s, stats_now_us());
    return true;
}

static void on_log_flush(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    server_stdout_failed(arg);
}

void server_flush_log_soon(struct server *s)
{
    if (!evtimer_pending(s->log_ev, NULL)) {
        struct timeval tv = to_timeval(LOG_FLUSH_MS * 1000);
        evtimer_add(s->log_ev, &tv);
    }
}

static void on_trim(evutil_socket_t fd, short what, void *arg)
{
    struct server *s = arg;
    (void)fd;
    (void)what;
    if (s->active == s->streams) /* a dashboard open is no load */
        malloc_trim(0);
}

/* Draining ends when no request is left, or once the grace is over and the
 * requests it cut short have had their 503: whatever else is open then (a
 * request still arriving, an idle keep-alive connection) is closed by
 * MHD_stop_daemon(), as --grace promises. */
/* Wakes every request still suspended, waiting or due already; marks them
 * expired (answered 503, drips sent at once) when the grace ran out. */
static void wake_all(struct server *s, bool expired)
{
    struct request *lists[] = {&s->waiting, &s->due};
    for (size_t l = 0; l < 2; l++)
        while (lists[l]->next != lists[l]) {
            struct request *r = lists[l]->next;
            evtimer_del(&r->timer); /* a due one's has fired: no-op */
            r->expired = r->expired || expired;
            wake(r);
        }
}

static void finish_if_drained(struct server *s)
{
    if (!s->draining || !(s->active == s->streams || (s->expired && s->counters.in_flight == 0)))
        return;
    /* Nothing but /events streams is left (a client that stops reading
     * would hold its last event forever): they are woken, for
     * MHD_stop_daemon() must find nothing suspended, and closed with the
     * rest. */
    wake_all(s, false);
    event_base_loopbreak(s->base);
}

static void on_completed(void *cls, struct MHD_Connection *c, void **req_cls, enum MHD_RequestTerminationCode toe)
{
    struct server *s = cls;
    struct request *r = *req_cls;
    if (r == NULL)
        return;
    handler_end(s, r, c, toe);
    if (r->phase == PHASE_WAITING) { /* defensive: MHD does not close suspended connections */
        evtimer_del(&r->timer);
        list_remove(r);
        r->shard->suspended--;
    }
    unwatch(r);
    free(r->own_body);
    if (r->say_hi)
        s->counters.in_flight--;
    if (r->stream)
        s->streams--;
    s->active--;
    free(r);
    *req_cls = NULL;
    if (s->active == s->streams && !evtimer_pending(s->trim_ev, NULL)) {
        struct timeval tv = to_timeval(TRIM_AFTER_IDLE_US);
        evtimer_add(s->trim_ev, &tv);
    }
    finish_if_drained(s);
}

/* ---- accepting ---- */

/* The server accepts its connections itself and hands them to MHD
 * (MHD_add_connection), at most ACCEPT_BATCH per loop pass and only in a
 * pass where no timer is due: during a flood of 10,000 connects, the timers
 * of the requests already waiting go first, and new connections wait in the
 * kernel's queue, where waiting costs no request its delay (its clock starts
 * when its request line is read). Measured on bench/server.sh c), lateness
 * p99 of three interleaved runs each: 9.1/13.3/9.8 ms with MHD accepting
 * (its own listening socket, at I/O priority too), 3.0/9.2/4.6 ms so. The
 * connection limit is kept here as well: the listening event is deleted at
 * it and added again when a connection closes. */
#define ACCEPT_BATCH 16

/* A failed accept for want of fds or memory is retried after this, or when
 * a connection closes, whichever is first; it is said once until an accept
 * succeeds again. */
#define ACCEPT_RETRY_US 100000

static void listen_pause(struct server *s)
{
    if (s->listen_ev != NULL)
        event_del(s->listen_ev);
}

static void listen_resume(struct server *s)
{
    if (s->listen_ev != NULL && s->listen_fd >= 0 && !s->draining && !event_pending(s->listen_ev, EV_READ, NULL))
        event_add(s->listen_ev, NULL);
}

static void on_accept_retry(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    listen_resume(arg);
}

/* The daemon a new connection goes to: the first with room, or else the
 * emptiest. */
static struct shard *place(struct server *s)
{
    struct shard *best = &s->shards[0];
    for (unsigned i = 0; i < s->n_shards; i++) {
        if (s->shards[i].connections < SHARD_CONNECTIONS)
            return &s->shards[i];
        if (s->shards[i].connections < best->connections)
            best = &s->shards[i];
    }
    return best;
}

static void on_accept(evutil_socket_t fd, short what, void *arg)
{
    struct server *s = arg;
    (void)what;
    s->io_pass_us = stats_now_us();
    for (int i = 0; i < ACCEPT_BATCH; i++) {
        if (s->connections >= s->connection_limit) {
            listen_pause(s); /* a close brings it back (on_connection) */
            break;
        }
        struct sockaddr_storage ss;
        socklen_t sl = sizeof ss;
        int c = accept4(fd, (struct sockaddr *)&ss, &sl, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (c < 0) {
            if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
                if (!s->cfg->quiet && !s->accept_failing)
                    cli_error("cannot accept a connection: %s; trying again every %d ms", strerror(errno),
                              ACCEPT_RETRY_US / 1000);
                s->accept_failing = true;
                listen_pause(s);
                struct timeval tv = to_timeval(ACCEPT_RETRY_US);
                evtimer_add(s->accept_retry_ev, &tv);
            }
            break; /* EAGAIN: all taken; ECONNABORTED and the like: the next pass goes on */
        }
        s->accept_failing = false;
        struct shard *sh = place(s);
        MHD_add_connection(sh->mhd, c, (struct sockaddr *)&ss, sl); /* closes c itself on failure */
        run_mhd_soon(sh);
    }
}

/* ---- closing ---- */

/* Closing a TCP connection is the dearest thing the server does: close()
 * sends the FIN, and on loopback the kernel runs the peer's side of it too,
 * on the server's CPU (40-50 us each here). libmicrohttpd closes every
 * connection it finds finished in a run, in that run: when hey's 10,000
 * clients hang up as their answers come, runs of a thousand closes kept the
 * timers of the requests still waiting behind them, and bench/server.sh c)
 * saw every reply of a 300 ms stretch 2-22 ms late, the server's CPU full
 * and half of it in close(). So the server keeps a duplicate of each socket
 * MHD is done with whose client has hung up (MHD's own close then only drops
 * a reference) and closes CLOSE_BATCH of them per loop pass at I/O priority,
 * or a CLOSE_SPREAD-th of those waiting when that is more: due timers go
 * first, a burst is spread over a few dozen passes, and a steady stream of
 * closes is kept up with (at 8 a pass, wrk -c600 at delay=1ms beside 300
 * clients hanging up left 1,700 sockets waiting, some for a second). Six
 * interleaved runs of c) each, medians: p99 9.1 ms before, 5.4 ms after
 * (ranges 4.9-12.4 and 2.7-6.5), p90 1.8 and 0.84 ms. A connection counts
 * against the limit until its socket is closed here, which also bounds the
 * ring. */
#define CLOSE_BATCH 8
#define CLOSE_SPREAD 16

static void close_soon(struct server *s)
{
    if (!evtimer_pending(s->close_ev, NULL)) {
        struct timeval now = {0, 0}; /* the next pass, after the timers due by then */
        evtimer_add(s->close_ev, &now);
    }
}

/* A connection is gone: accepting starts again on any close below the
 * limit (which also ends a pause for want of fds early). */
static void connection_gone(struct server *s)
{
    if (--s->connections < s->connection_limit)
        listen_resume(s);
}

static void close_one(struct server *s)
{
    close(s->closing[s->closing_head]);
    s->closing_head = (s->closing_head + 1) % s->connection_limit;
    s->closing_n--;
    connection_gone(s);
}

static void on_close(evutil_socket_t fd, short what, void *arg)
{
    struct server *s = arg;
    (void)fd;
    (void)what;
    unsigned batch = s->closing_n / CLOSE_SPREAD > CLOSE_BATCH ? s->closing_n / CLOSE_SPREAD : CLOSE_BATCH;
    for (unsigned i = 0; i < batch && s->closing_n > 0; i++)
        close_one(s);
    if (s->closing_n > 0)
        close_soon(s);
}

/* Takes over the socket of c, which MHD is about to close, when its client
 * has hung up already (nobody waits for this close); false otherwise, and
 * MHD's close is then the last: a client that reads a reply until the
 * connection ends (HTTP/1.0, Connection: close, a fault) must not wait for
 * it. Deferring those too halved ab's rate under load (2,760-3,160 req/s
 * against 790-1,540, ab -c 50 beside wrk -c600 at delay=1ms). */
static bool close_later(struct server *s, struct MHD_Connection *c)
{
    const union MHD_ConnectionInfo *ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
    char byte;
    if (ci == NULL || s->closing_n >= s->connection_limit ||
        recv(ci->connect_fd, &byte, 1, MSG_PEEK | MSG_DONTWAIT) != 0)
        return false;
    int fd = fcntl(ci->connect_fd, F_DUPFD_CLOEXEC, 0);
    if (fd < 0)
        return false;
    s->closing[(s->closing_head + s->closing_n++) % s->connection_limit] = fd;
    close_soon(s);
    return true;
}

/* MHD counts its connections too; the server keeps its own count to stop
 * accepting at the limit. */
static void on_connection(void *cls, struct MHD_Connection *c, void **socket_ctx,
                          enum MHD_ConnectionNotificationCode what)
{
    struct shard *sh = cls;
    struct server *s = sh->srv;
    (void)socket_ctx;
    if (what == MHD_CONNECTION_NOTIFY_STARTED) {
        s->connections++;
        sh->connections++;
        return;
    }
    sh->connections--;
    if (!close_later(s, c))
        connection_gone(s);
}

static void stop_listening(struct server *s)
{
    listen_pause(s);
    if (s->listen_fd >= 0)
        close(s->listen_fd);
    s->listen_fd = -1;
}

/* How long the 503s of a grace that ran out may take to reach clients that
 * do not read them, before the server stops anyway. */
#define FLUSH_AFTER_GRACE_US 1000000

/* Grace is over: every request still waiting is answered 503 now, and the
 * server stops when they are sent, or FLUSH_AFTER_GRACE_US from now. */
static void expire_waiting(struct server *s)
{
    s->expired = true;
    wake_all(s, true);
    struct timeval tv = to_timeval(FLUSH_AFTER_GRACE_US);
    evtimer_add(s->grace_ev, &tv);
    for (unsigned i = 0; i < s->n_shards; i++)
        run_mhd_soon(&s->shards[i]);
    finish_if_drained(s);
}

static void on_grace(evutil_socket_t fd, short what, void *arg)
{
    struct server *s = arg;
    (void)fd;
    (void)what;
    if (s->expired) /* the flush time is over too */
        event_base_loopbreak(s->base);
    else
        expire_waiting(s);
}

/* A signal within SIGNAL_ECHO_US of the first is the same stop: timeout(1)
 * signals its command and then its process group, which the command is
 * in, and the grace ended at once in half the runs of `timeout 30
 * sayhi-server`. A person who wants the second stop presses again; the
 * third stops at once, however soon it comes. */
#define SIGNAL_ECHO_US 200000

/* The first stop: no new connections, the grace period for the requests
 * in flight; the end once they are done. */
static void begin_stop(struct server *s, int64_t now)
{
    s->draining = true;
    s->signal_us = now;
    stop_listening(s);
    struct timeval tv = to_timeval(s->cfg->grace_us);
    evtimer_add(s->grace_ev, &tv);
    finish_if_drained(s);
}

static void on_signal(evutil_socket_t sig, short what, void *arg)
{
    struct server *s = arg;
    (void)what;
    int64_t now = stats_now_us();
    if (s->draining && !s->signalled) { /* a failed stdout began the stop: this is its first signal */
        s->signalled = true;
        s->signal_us = now;
        return;
    }
    s->signalled = true;
    if (s->draining && !s->expired && now - s->signal_us < SIGNAL_ECHO_US)
        return;
    if (s->expired) { /* third signal: nothing is suspended any more, stop now */
        event_base_loopbreak(s->base);
        return;
    }
    if (s->draining) { /* second signal: do not wait out the grace period */
        expire_waiting(s);
        return;
    }
    if (!s->cfg->quiet) {
        char grace[32];
        unsigned long long left = s->active - s->streams;
        log_line(stdout, "INFO", "%s: stopping, %llu request%s in flight, grace %s", strsignal((int)sig), left,
                 cli_plural(left), duration_format(s->cfg->grace_us, grace, sizeof grace));
        if (server_stdout_failed(s)) /* it has begun the stop */
            return;
    }
    begin_stop(s, now);
}

/* ---- start-up ---- */

/* libmicrohttpd's own messages are mostly about clients ("Not enough memory
 * in pool", a request without Host), which --access-log shows one line each:
 * notices, so --quiet silences them. */
static void on_mhd_log(void *cls, const char *fmt, va_list ap)
{
    const struct server *s = cls;
    char msg[1024];
    if (fmt == NULL || s->cfg->quiet)
        return;
    vsnprintf(msg, sizeof msg, fmt, ap);
    /* A fault is a connection the server breaks on purpose (reset, close,
     * garbage, hang: the handler says no; truncate: the body reader does):
     * MHD calls that an application error, which it is not. */
    if (strstr(msg, "pplication reported") != NULL)
        return;
    /* The only chunked body is an /events stream, which ends when its
     * client leaves, or when the server shuts down and closes it (its
     * reader ends with an error then, as a last chunk would keep the
     * connection open): no error either way. */
    if (strstr(msg, "chunked response body") != NULL ||
        ((s->draining || s->expired) && strstr(msg, "application error generating response") != NULL))
        return;
    size_t n = strlen(msg);
    fprintf(stderr, "%s: %s%s", cli_program(), msg, n == 0 || msg[n - 1] != '\n' ? "\n" : "");
}

static unsigned shards_for(unsigned connections)
{
    unsigned n = (connections + SHARD_CONNECTIONS - 1) / SHARD_CONNECTIONS;
    return n < 1 ? 1 : n > SHARDS_MAX ? SHARDS_MAX : n;
}

static uint64_t fds_for(unsigned connections)
{
    return connections + FD_RESERVE + FDS_PER_SHARD * (uint64_t)(shards_for(connections) - 1);
}

/* Connections the fd limit allows, after raising it as far as it goes. */
static unsigned connection_limit(const struct server_config *cfg)
{
    uint64_t want = fds_for(cfg->max_connections);
    uint64_t have = cli_raise_fd_limit(want);
    if (have >= want)
        return cfg->max_connections;
    unsigned limit = have > FD_RESERVE + 1 ? (unsigned)(have - FD_RESERVE) : 1;
    while (limit > 1 && fds_for(limit) > have)
        limit--;
    cli_error("warning: the open-file limit is %llu, below the %llu that --max-connections %u needs; "
              "serving at most %u connection%s (raise it with ulimit -n)",
              (unsigned long long)have, (unsigned long long)want, cfg->max_connections, limit, cli_plural(limit));
    return limit;
}

static struct MHD_Daemon *start_mhd(struct shard *sh)
{
    struct server *s = sh->srv;
    const struct server_config *cfg = s->cfg;
    unsigned flags =
        MHD_USE_EPOLL | MHD_ALLOW_SUSPEND_RESUME | MHD_USE_TURBO | MHD_USE_ERROR_LOG | MHD_USE_NO_LISTEN_SOCKET;
    unsigned idle_s = (unsigned)((cfg->idle_timeout_us + 999999) / 1000000);
    /* The logger must come first or MHD logs the options before it itself. */
    return MHD_start_daemon(flags, 0, NULL, NULL, handler_request, s, MHD_OPTION_EXTERNAL_LOGGER, on_mhd_log, s,
                            MHD_OPTION_CONNECTION_LIMIT,
                            s->connection_limit, MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)SERVER_POOL_BYTES,
                            MHD_OPTION_CONNECTION_TIMEOUT, idle_s, MHD_OPTION_NOTIFY_COMPLETED, on_completed, s,
                            MHD_OPTION_NOTIFY_CONNECTION, on_connection, sh, MHD_OPTION_URI_LOG_CALLBACK,
                            handler_begin, sh,
                            MHD_OPTION_STRICT_FOR_CLIENT, STRICT_HTTP, MHD_OPTION_END);
}

/* The daemons, as many as the connection limit fills SHARD_CONNECTIONS at a
 * time. */
static int start_shards(struct server *s)
{
    s->connection_limit = connection_limit(s->cfg);
    unsigned n = shards_for(s->connection_limit);
    if ((s->shards = calloc(n, sizeof *s->shards)) == NULL)
        return -1;
    s->n_shards = n; /* teardown() walks them */
    for (unsigned i = 0; i < s->n_shards; i++) {
        s->shards[i].srv = s;
        if ((s->shards[i].mhd = start_mhd(&s->shards[i])) == NULL)
            return -1;
    }
    return 0;
}

/* libevent 2.1 otherwise reads CLOCK_MONOTONIC_COARSE, whose jiffy steps
 * (4 ms here) made every delay 2 ms late on average. */
static struct event_base *new_base(void)
{
    struct event_config *ec = event_config_new();
    if (ec == NULL)
        return NULL;
    event_config_set_flag(ec, EVENT_BASE_FLAG_PRECISE_TIMER);
    struct event_base *base = event_base_new_with_config(ec);
    event_config_free(ec);
    if (base != NULL && event_base_priority_init(base, PRIO_LEVELS) != 0) {
        event_base_free(base);
        return NULL;
    }
    return base;
}

static int setup_shard(struct shard *sh)
{
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(sh->mhd, MHD_DAEMON_INFO_EPOLL_FD);
    if (info == NULL || (sh->ev = event_new(sh->srv->base, info->epoll_fd, EV_READ | EV_PERSIST, on_mhd, sh)) == NULL ||
        (sh->timer = evtimer_new(sh->srv->base, on_mhd, sh)) == NULL || event_add(sh->ev, NULL) != 0)
        return -1;
    arm_mhd_timer(sh);
    return 0;
}

static int setup_loop(struct server *s)
{
    if ((s->base = new_base()) == NULL)
        return -1;
    for (unsigned i = 0; i < s->n_shards; i++)
        if (setup_shard(&s->shards[i]) != 0)
            return -1;
    s->grace_ev = evtimer_new(s->base, on_grace, s);
    s->trim_ev = evtimer_new(s->base, on_trim, s);
    s->tick_ev = event_new(s->base, -1, EV_PERSIST, on_tick, s);
    s->log_ev = evtimer_new(s->base, on_log_flush, s);
    s->resume_ev = evtimer_new(s->base, on_resume, s);
    if (s->resume_ev != NULL)
        event_priority_set(s->resume_ev, PRIO_TIMERS);
    s->listen_ev = event_new(s->base, s->listen_fd, EV_READ | EV_PERSIST, on_accept, s);
    if (s->listen_ev != NULL)
        event_priority_set(s->listen_ev, PRIO_IO);
    s->accept_retry_ev = evtimer_new(s->base, on_accept_retry, s);
    s->close_ev = evtimer_new(s->base, on_close, s);
    if (s->close_ev != NULL)
        event_priority_set(s->close_ev, PRIO_IO);
    s->closing = malloc(s->connection_limit * sizeof *s->closing);
    s->sig_ev[0] = evsignal_new(s->base, SIGINT, on_signal, s);
    s->sig_ev[1] = evsignal_new(s->base, SIGTERM, on_signal, s);
    if (!s->grace_ev || !s->trim_ev || !s->resume_ev || !s->tick_ev || !s->log_ev ||
        !s->listen_ev || !s->accept_retry_ev || !s->close_ev || !s->closing || !s->sig_ev[0] || !s->sig_ev[1])
        return -1;
    struct timeval tick = to_timeval(RECENT_TICK_MS * 1000);
    if (event_add(s->tick_ev, &tick) != 0)
        return -1;
    if (s->fixed_delay_us >= 0) { /* every default wait in one O(1) queue */
        struct timeval tv = to_timeval(s->fixed_delay_us);
        s->default_tv = event_base_init_common_timeout(s->base, &tv);
    }
    if (event_add(s->listen_ev, NULL) != 0 || event_add(s->sig_ev[0], NULL) != 0 || event_add(s->sig_ev[1], NULL) != 0)
        return -1;
    return 0;
}

static void teardown(struct server *s)
{
    s->draining = true; /* the closes below must not start accepting again */
    stop_listening(s);
    for (unsigned i = 0; i < s->n_shards; i++) {
        struct shard *sh = &s->shards[i];
        if (sh->mhd != NULL)
            MHD_stop_daemon(sh->mhd);
        if (sh->ev != NULL)
            event_free(sh->ev);
        if (sh->timer != NULL)
            event_free(sh->timer);
    }
    free(s->shards);
    while (s->closing_n > 0)
        close_one(s);
    free(s->closing);
    if (s->default_hi != NULL)
        MHD_destroy_response(s->default_hi);
    keys_free(s->keys);
    family_free(s->family);
    reply_cleanup();
    struct event *evs[] = {s->grace_ev,        s->trim_ev,   s->resume_ev, s->tick_ev,   s->log_ev,
                           s->accept_retry_ev, s->listen_ev, s->close_ev,  s->sig_ev[0], s->sig_ev[1]};
    for (size_t i = 0; i < sizeof evs / sizeof evs[0]; i++)
        if (evs[i] != NULL)
            event_free(evs[i]);
    if (s->base != NULL)
        event_base_free(s->base);
}

/* The server's generator: --seed, or a seed drawn now and announced so that
 * the run can be repeated. */
static void seed_draws(struct server *s)
{
    uint64_t seed = s->cfg->seed;
    if (!s->cfg->seed_given && getrandom(&seed, sizeof seed, 0) != (ssize_t)sizeof seed)
        seed = (uint64_t)stats_now_us() ^ ((uint64_t)getpid() << 32);
    if (!s->cfg->seed_given && !s->cfg->quiet)
        cli_error("seed %llu (--seed %llu repeats this run's draws)", (unsigned long long)seed,
                  (unsigned long long)seed);
    rng_seed(&s->rng, seed);
    s->counters.seed = seed;
    dhist_init(&s->counters.delays);
    recent_init(&s->recent);
    const struct params *d = &s->cfg->defaults;
    s->fixed_delay_us = d->delay.kind == DIST_FIXED ? d->delay.a_us : -1;
    s->defaults_fixed = s->fixed_delay_us >= 0 && d->status.n == 1 && d->fault.n == 0;
    params_draw(d, 0, &s->default_b); /* what a bare /say-hi gets then, whatever the seed */
}

int server_run(const struct server_config *cfg)
{
    struct server s = {.cfg = cfg, .started_us = stats_now_us(), .listen_fd = -1};
    s.waiting.next = s.waiting.prev = &s.waiting;
    s.due.next = s.due.prev = &s.due;
    signal(SIGPIPE, SIG_IGN);

    struct listener l;
    if (listener_open(cfg->bind, cfg->port, cfg->max_connections, &l) != 0)
        return CLI_EXIT_FAILURE; /* nothing allocated yet: the key table and family come after */
    if (!l.loopback && !cfg->quiet)
        cli_error("warning: listening on %s, which is not a loopback address: anyone who can reach it can use "
                  "this server",
                  l.host);

    int rc = CLI_EXIT_FAILURE;
    s.listen_fd = l.fd;
    seed_draws(&s);
    if ((s.keys = keys_new(KEYS_DEFAULT_CAPACITY)) == NULL ||
        (s.family = family_new(s.counters.seed, cfg->family_size)) == NULL) {
        cli_error("out of memory for the fail_first key table and a family of %u", cfg->family_size);
    } else if (start_shards(&s) != 0) {
        cli_error("cannot start the HTTP daemon on %s", l.url);
    } else if (setup_loop(&s) != 0 || (s.default_hi = endpoints_default_reply(&s)) == NULL) {
        cli_error("cannot set up the event loop");
    } else {
        printf(FMT_LISTENING "%s\n", l.url);
        if (!server_stdout_failed(&s))
            event_base_dispatch(s.base);
        rc = s.stdout_failed ? CLI_EXIT_FAILURE : CLI_EXIT_OK; /* the last lines: cli_stdout_finish below */
    }
    teardown(&s); /* MHD logs the requests it cuts: stdout is done only after it */
    if (rc == CLI_EXIT_OK && cli_stdout_finish() != 0)
        rc = CLI_EXIT_FAILURE;
    return rc;
}
