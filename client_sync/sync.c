/* sync: blocking requests on libcurl easy handles (sync.h).
 *
 * libcurl opens and keeps the connection (a CONNECT_ONLY easy handle:
 * resolving, connecting, TCP_NODELAY, its timeout); the worker carries the
 * bytes itself, send() and recv() on its socket; the request text and the
 * response parser are the ones sayhi-async uses. Letting libcurl's HTTP
 * engine run each request cost 5 to 6 system calls and measured 0.55x of
 * `ab -k -c 1` here; a kept-alive request is now the idle check (below),
 * send, and a recv that waits (BLOCKING_RECV), as ab's write, epoll_wait and
 * read plus the check. Under
 * --crawl the workers take pages from the crawl (crawl.h) under one lock,
 * and wait on a condition while pages in flight may still bring more. */
#include "sync.h"

#include "cli.h"
#include "crawl.h"
#include "log.h"
#include "response.h"

#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>

/* A blocked worker looks at client_interrupted this often: a signal wakes
 * only one thread of a pool. */
#define INTERRUPT_CHECK_MS 200

/* BLOCKING_RECV: on a kept-alive connection the worker waits for its
 * response in recv() itself, on a blocking socket that gives up after
 * INTERRUPT_CHECK_MS (SO_RCVTIMEO), not in poll() and then recv(): one
 * system call a request less, where each costs microseconds on a VM.
 * bench/clients.sh b), sayhi-sync against `ab -k -c 1` on nginx, medians of
 * 7 interleaved runs: 0.83x with poll, 0.91x so. The timeout runs in
 * jiffies (4 ms here): the last INTERRUPT_CHECK_MS + BLOCKING_SLACK_MS
 * before a request's deadline are waited in poll(), to the millisecond.
 * Without keep-alive the socket's two extra set-up calls would cost more
 * than the one saved, and poll() waits every time. */
#define BLOCKING_SLACK_MS 10

struct engine {
    const struct client_config *cfg;
    struct stats *st;
    char *req; /* the request bytes, the same for every request */
    char url[96]; /* what libcurl connects to: cfg->addr, "http://[::1]:8080/" */
    size_t reqlen;
    uint64_t next; /* next request number to take (threads: atomically) */
    int64_t end_us; /* no request starts from then on (--duration) */
    struct worker *workers; /* their index is the --trace track */
    uint64_t done;
    pthread_mutex_t lock;   /* --crawl: st->crawl is shared by the workers */
    pthread_cond_t more;    /* a page ended: it may have brought pages */
};

struct worker {
    struct engine *e;
    CURL *h;           /* NULL while not connected */
    curl_socket_t fd;  /* the connection's socket */
    bool blocking;     /* fd blocks in recv() for INTERRUPT_CHECK_MS at most (BLOCKING_RECV) */
    size_t last_id;    /* the request whose response the connection carried last */
    size_t got;        /* bytes of the current response read so far */
    const char *req;   /* the request's bytes: the run's, or a crawl page's (own) */
    size_t reqlen;
    char *own;
    pthread_t tid;
    char errbuf[CURL_ERROR_SIZE];
    char why[RESPONSE_WHY_MAX]; /* the verdict's words, for the notice */
    struct response resp;
};

/* What one exchange came to. */
struct outcome {
    enum stats_error kind;
    unsigned status;
    const char *detail; /* for the first failure of its kind on stderr */
    bool aborted;       /* interrupted: the request stays unfinished */
    bool reusable;      /* the connection can take the next request */
    bool stale;         /* a kept-alive connection failed before any reply byte */
};

static void disconnect(struct worker *w)
{
    if (w->h != NULL)
        curl_easy_cleanup(w->h); /* closes the socket */
    w->h = NULL;
}

static enum stats_error classify(CURLcode rc)
{
    switch (rc) {
    case CURLE_COULDNT_CONNECT:
    case CURLE_COULDNT_RESOLVE_HOST:
        return STATS_ERR_CONNECT;
    case CURLE_OPERATION_TIMEDOUT:
        return STATS_ERR_TIMEOUT;
    default:
        return STATS_ERR_CLOSED;
    }
}

/* libcurl calls this while it resolves and connects: a non-zero return stops
 * a connect that Ctrl-C should not have to wait out. */
static int on_progress(void *p, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal, curl_off_t ulnow)
{
    (void)p;
    (void)dltotal;
    (void)dlnow;
    (void)ultotal;
    (void)ulnow;
    return client_interrupted != 0;
}

static int ms_until(int64_t deadline)
{
    int64_t left = (deadline - stats_now_us() + 999) / 1000;
    return left <= 0 ? 0 : left > INT32_MAX ? INT32_MAX : (int)left;
}

static int connect_to(struct worker *w, int64_t deadline, struct outcome *o)
{
    w->h = curl_easy_init();
    if (w->h == NULL) {
        *o = (struct outcome){.kind = STATS_ERR_CONNECT, .detail = "out of memory"};
        return -1;
    }
    w->errbuf[0] = '\0';
    curl_easy_setopt(w->h, CURLOPT_URL, w->e->url);
    curl_easy_setopt(w->h, CURLOPT_CONNECT_ONLY, 1L);
    curl_easy_setopt(w->h, CURLOPT_ERRORBUFFER, w->errbuf);
    curl_easy_setopt(w->h, CURLOPT_CONNECTTIMEOUT_MS, (long)(ms_until(deadline) > 0 ? ms_until(deadline) : 1));
    /* Threads must not take signals from libcurl's resolver timeouts. */
    curl_easy_setopt(w->h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(w->h, CURLOPT_TCP_NODELAY, 1L);
    curl_easy_setopt(w->h, CURLOPT_XFERINFOFUNCTION, on_progress);
    curl_easy_setopt(w->h, CURLOPT_NOPROGRESS, 0L);
    /* A proxy from the environment would measure the proxy, not the server. */
    curl_easy_setopt(w->h, CURLOPT_PROXY, "");
    CURLcode rc = curl_easy_perform(w->h);
    if (rc == CURLE_OK && curl_easy_getinfo(w->h, CURLINFO_ACTIVESOCKET, &w->fd) == CURLE_OK &&
        w->fd != CURL_SOCKET_BAD) {
        const struct timeval check = {.tv_sec = INTERRUPT_CHECK_MS / 1000, .tv_usec = INTERRUPT_CHECK_MS % 1000 * 1000};
        int flags = w->e->cfg->keepalive ? fcntl((int)w->fd, F_GETFL) : -1; /* no system call without keep-alive */
        w->blocking = flags >= 0 && setsockopt((int)w->fd, SOL_SOCKET, SO_RCVTIMEO, &check, sizeof check) == 0 &&
                      fcntl((int)w->fd, F_SETFL, flags & ~O_NONBLOCK) == 0;
        return 0;
    }
    long os_errno = 0;
    *o = (struct outcome){.kind = classify(rc), .detail = w->errbuf[0] != '\0' ? w->errbuf : curl_easy_strerror(rc),
                          .aborted = rc == CURLE_ABORTED_BY_CALLBACK};
    if (rc == CURLE_COULDNT_CONNECT && curl_easy_getinfo(w->h, CURLINFO_OS_ERRNO, &os_errno) == CURLE_OK &&
        os_errno != 0)
        o->detail = strerror((int)os_errno);
    disconnect(w);
    return -1;
}

/* Waits for events on the socket until the deadline. 1 ready, 0 timed out,
 * -1 interrupted. */
static int wait_for(struct worker *w, short events, int64_t deadline)
{
    for (;;) {
        if (client_interrupted)
            return -1;
        int left = ms_until(deadline);
        if (left == 0)
            return 0;
        struct pollfd p = {.fd = (int)w->fd, .events = events};
        int r = poll(&p, 1, left < INTERRUPT_CHECK_MS ? left : INTERRUPT_CHECK_MS);
        if (r > 0)
            return 1;
        if (r < 0 && errno != EINTR)
            return 1; /* let send/recv report the error */
    }
}

static void send_request(struct worker *w, int64_t deadline, struct outcome *o)
{
    for (size_t off = 0; off < w->reqlen;) {
        ssize_t n = send((int)w->fd, w->req + off, w->reqlen - off, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n >= 0) {
            off += (size_t)n;
        } else if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) {
            int ready = wait_for(w, POLLOUT, deadline);
            if (ready <= 0) {
                *o = (struct outcome){.kind = STATS_ERR_TIMEOUT, .aborted = ready < 0};
                return;
            }
        } else {
            *o = (struct outcome){.kind = STATS_ERR_CLOSED, .detail = strerror(errno), .stale = true};
            return;
        }
    }
    o->kind = STATS_OK;
}

static void receive_response(struct worker *w, int64_t deadline, struct outcome *o)
{
    char buf[16384];
    size_t got = 0;
    w->got = 0;
    response_start(&w->resp, &w->e->cfg->rules);
    for (;;) {
        ssize_t r;
        if (w->blocking && !client_interrupted && ms_until(deadline) > INTERRUPT_CHECK_MS + BLOCKING_SLACK_MS) {
            r = recv((int)w->fd, buf, sizeof buf, 0); /* waits INTERRUPT_CHECK_MS at most */
        } else {
            int ready = wait_for(w, POLLIN, deadline);
            if (ready <= 0) {
                *o = (struct outcome){.kind = STATS_ERR_TIMEOUT, .aborted = ready < 0};
                return;
            }
            r = recv((int)w->fd, buf, sizeof buf, MSG_DONTWAIT);
        }
        if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
            continue;
        if (r < 0) {
            *o = (struct outcome){.kind = STATS_ERR_CLOSED, .detail = strerror(errno), .stale = got == 0};
            return;
        }
        size_t n = (size_t)r;
        got += n;
        w->got += n;
        int state = response_feed(&w->resp, buf, n); /* n == 0: closed, which may end a body */
        if (state < 0 && n > 0) { /* at EOF a parser error only means the response was cut short */
            *o = (struct outcome){.kind = STATS_ERR_STATUS,
                                  .detail = http_errno_description(HTTP_PARSER_ERRNO(&w->resp.parser))};
            return;
        }
        if (state > 0) {
            *o = (struct outcome){.kind = response_verdict(&w->resp, w->why), .status = response_status(&w->resp),
                                  .detail = w->why,
                                  .reusable = n > 0 && response_keeps_connection(&w->resp)};
            return;
        }
        if (n == 0) {
            *o = (struct outcome){.kind = STATS_ERR_CLOSED, .detail = "closed before the response was complete",
                                  .stale = got == 0};
            return;
        }
    }
}

/* Before a kept-alive connection carries the next request, as libcurl
 * checks it: bytes waiting on it answer no request (they make the last one
 * a bad status), and one the server closed while idle is simply dropped. */
static void check_idle(struct worker *w)
{
    if (w->h == NULL)
        return;
    ssize_t n = client_idle_read((int)w->fd);
    if (n == 0)
        return;
    if (n > 0)
        client_note_unsolicited(w->e->cfg, w->e->st, w->last_id, (size_t)n);
    disconnect(w);
}

/* One request on the worker's connection, opening one when there is none.
 * A kept-alive connection that fails before any reply byte was probably
 * closed by the server while idle: the request is sent once more on a new
 * connection, as browsers and libcurl do. */
static struct outcome exchange(struct worker *w, int64_t deadline)
{
    struct outcome o = {0};
    check_idle(w);
    for (int attempt = 0; attempt < 2; attempt++) {
        bool fresh = w->h == NULL;
        if (fresh && connect_to(w, deadline, &o) != 0)
            return o;
        send_request(w, deadline, &o);
        if (o.kind == STATS_OK)
            receive_response(w, deadline, &o);
        if (!o.reusable || !w->e->cfg->keepalive)
            disconnect(w);
        if (!(o.stale && !fresh))
            return o;
    }
    return o;
}

/* Request id on w: 1 when it ended well, 0 when it failed, -1 when it
 * was interrupted (left unfinished). */
static int one_request(struct worker *w, size_t id)
{
    struct engine *e = w->e;
    int64_t t0 = stats_now_us();
    client_request_start(e->cfg, e->st, id, t0, t0);
    stats_set_track(e->st, id, (uint32_t)(w - e->workers));
    struct outcome o = exchange(w, t0 + e->cfg->timeout_us);
    w->last_id = id;
    if (o.aborted) /* interrupted: left unfinished, not a failure */
        return -1;
    stats_set_bytes(e->st, id, w->got);
    client_request_done(e->cfg, e->st, id, stats_now_us(), o.status, o.kind, o.detail);
    return o.kind == STATS_OK;
}

/* Under e->lock: whether a crawl page can start now, waiting while pages
 * in flight may bring one. */
static bool crawl_wait(struct engine *e, size_t *id)
{
    struct crawl *c = e->st->crawl;
    const char *path;
    for (;;) {
        if (client_interrupted || stats_now_us() >= e->end_us)
            return false;
        if (crawl_peek(c, id, &path))
            return true;
        if (crawl_in_flight(c) == 0)
            return false;
        struct timespec t;
        clock_gettime(CLOCK_REALTIME, &t);
        t.tv_nsec += INTERRUPT_CHECK_MS * 1000000L;
        t.tv_sec += t.tv_nsec / 1000000000L;
        t.tv_nsec %= 1000000000L;
        pthread_cond_timedwait(&e->more, &e->lock, &t);
    }
}

/* --crawl: takes the next page discovered, until none is left and none in
 * flight can bring more. The one worker of a serial run, or each of a pool. */
static void *crawl_worker(void *arg)
{
    struct worker *w = arg;
    struct engine *e = w->e;
    struct crawl *c = e->st->crawl;
    size_t id;
    pthread_mutex_lock(&e->lock);
    while (crawl_wait(e, &id)) {
        free(w->own); /* built under the lock: the page's path may move once it is released */
        w->own = client_request_path(e->cfg, "sayhi-sync", c->pages[id].path, &w->reqlen);
        w->req = w->own;
        crawl_take(c);
        e->next = c->next;
        pthread_mutex_unlock(&e->lock);
        int ended = w->own != NULL ? one_request(w, id) : 0;
        pthread_mutex_lock(&e->lock);
        if (ended < 0)
            break;
        crawl_end(c, id, ended > 0 ? w->resp.big : NULL, w->resp.body_len);
        pthread_cond_broadcast(&e->more);
    }
    pthread_mutex_unlock(&e->lock);
    return NULL;
}

static void *worker_main(void *arg)
{
    struct worker *w = arg;
    struct engine *e = w->e;
    uint64_t id;
    /* The clock before the id: ids taken are ids started, so they stay dense. */
    while (!client_interrupted && stats_now_us() < e->end_us &&
           (id = __atomic_fetch_add(&e->next, 1, __ATOMIC_RELAXED)) < e->cfg->number) {
        one_request(w, (size_t)id);
        __atomic_fetch_add(&e->done, 1, __ATOMIC_RELAXED);
    }
    return NULL;
}

static void run_serial(struct engine *e, struct worker *w)
{
    if (e->st->crawl != NULL) {
        crawl_worker(w);
        return;
    }
    struct log_progress bar;
    log_progress_init(&bar, client_progress_wanted(e->cfg), e->cfg->number, stats_now_us());
    for (size_t id = 0; id < e->cfg->number && !client_interrupted && stats_now_us() < e->end_us; id++) {
        one_request(w, id);
        e->next = id + 1;
        if (bar.enabled)
            log_progress_update(&bar, id + 1, stats_now_us());
    }
    log_progress_end(&bar);
}

/* Starts the workers and waits for them. A thread pthread_create refuses
 * (memory, a limit on threads) is left out with one line on stderr; with
 * none started, the main thread does the work. Returns how many ran. */
static unsigned run_threads(struct engine *e, struct worker *ws, unsigned threads)
{
    unsigned started = 0;
    int err = 0;
    void *(*body)(void *) = e->st->crawl != NULL ? crawl_worker : worker_main;
    while (started < threads && (err = pthread_create(&ws[started].tid, NULL, body, &ws[started])) == 0)
        started++;
    if (started < threads)
        cli_error("could start only %u of %u threads (%s): running with %u", started, threads, strerror(err),
                  started > 0 ? started : 1);
    if (started == 0) {
        body(&ws[0]);
        return 1;
    }
    struct log_progress bar;
    log_progress_init(&bar, client_progress_wanted(e->cfg), e->cfg->number, stats_now_us());
    while (bar.enabled && !client_interrupted && __atomic_load_n(&e->done, __ATOMIC_RELAXED) < e->cfg->number) {
        nanosleep(&(struct timespec){.tv_nsec = 50 * 1000 * 1000}, NULL);
        log_progress_update(&bar, __atomic_load_n(&e->done, __ATOMIC_RELAXED), stats_now_us());
    }
    for (unsigned i = 0; i < started; i++)
        pthread_join(ws[i].tid, NULL);
    log_progress_end(&bar);
    return started;
}

int sync_run(const struct client_config *cfg, unsigned *threads, struct stats *st)
{
    struct engine e = {.cfg = cfg, .st = st, .end_us = client_end_us(cfg, st->t0_us),
                       .lock = PTHREAD_MUTEX_INITIALIZER, .more = PTHREAD_COND_INITIALIZER};
    unsigned nw = *threads > 0 ? *threads : 1;
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        cli_error("cannot initialise libcurl");
        return -1;
    }
    struct worker *ws = calloc(nw, sizeof *ws);
    e.req = client_request_text(cfg, "sayhi-sync", &e.reqlen);
    /* The address client_run resolved, not the name: libcurl has rules of
     * its own (it takes localhost as both loopbacks, with happy eyeballs),
     * and both clients must connect where the one rule says. The Host
     * header is in e.req, as the URL wrote it. */
    char host[64];
    snprintf(e.url, sizeof e.url, "http://%s:%s/", resolve_url_host(&cfg->addr, host, sizeof host), cfg->target.port);
    int rc = 0;
    if (ws == NULL || e.req == NULL) {
        cli_error("out of memory for %u workers", nw);
        rc = -1;
    } else {
        e.workers = ws;
        for (unsigned i = 0; i < nw; i++)
            ws[i] = (struct worker){.e = &e, .req = e.req, .reqlen = e.reqlen};
        if (*threads == 0)
            run_serial(&e, &ws[0]);
        else
            *threads = run_threads(&e, ws, *threads);
    }
    st->started = e.next < cfg->number ? e.next : cfg->number;
    for (unsigned i = 0; ws != NULL && i < nw; i++) {
        disconnect(&ws[i]);
        response_free(&ws[i].resp);
        free(ws[i].own);
    }
    free(ws);
    free(e.req);
    curl_global_cleanup();
    return rc;
}
