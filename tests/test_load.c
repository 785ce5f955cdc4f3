/* Integration tests of issue 10's load features: the open loop (rate kept,
 * latency from the intended start under a server stall), --duration,
 * -X/-H/--data arriving as sent (testecho.h), --check each way, the
 * histogram, --hdr and --trace read back, and bad values. Real binaries,
 * servers on 127.0.0.1 port 0, timings asserted only with wide margins
 * (the machine is shared). Not for: the closed-loop basics
 * (test_clients.c) or misbehaving servers (test_misbehave.c). */
#include "testclient.h"
#include "testecho.h"
#include "testhttp.h"
#include "testsuite.h"
#include "timeline.h"

#include <check.h>
#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

static struct tc_run r; /* large buffers: static, one run at a time */
static struct test_server srv;

static void start_shared(void) { tc_server_start(&srv, "0"); }

static void stop_shared(void) { test_server_stop(&srv, SIGTERM, 10000); }

/* A fresh temporary file's path (the file exists, empty). */
static char *temp_path(char *buf)
{
    strcpy(buf, "/tmp/sayhi-load-XXXXXX");
    int fd = mkstemp(buf);
    ck_assert_int_ge(fd, 0);
    close(fd);
    return buf;
}

static char *slurp(const char *path)
{
    static char buf[1 << 20];
    FILE *f = fopen(path, "r");
    ck_assert_ptr_nonnull(f);
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

/* Asked 400/s for 2 s at delay 0: every request made, at about that rate. */
START_TEST(rate_is_kept)
{
    tc_run(&r, "async", (const char *const[]){"--rate", "400", "--duration", "2s", "--url",
                                              tc_url(srv.port, "/say-hi"), "--json", NULL}, 30000);
    ck_assert_msg(r.rc == 0, "exit %d: %s", r.rc, r.err);
    cJSON *o = tc_json(&r);
    ck_assert_int_eq((int)tc_num(o, "number"), 800);
    const cJSON *rate = cJSON_GetObjectItem(o, "rate");
    ck_assert_msg(tc_num(rate, "asked") == 400 && tc_num(rate, "achieved") > 360 && tc_num(rate, "achieved") < 440,
                  "%s", r.out);
    ck_assert_msg(r.elapsed > 1.9 && r.elapsed < 4, "took %.2fs", r.elapsed);
    cJSON_Delete(o);
}
END_TEST

/* The gaps between the intended starts of a timeline (intended_s, the
 * sixth column), in seconds, into gaps[]; returns how many. */
static size_t intended_gaps(const char *path, double *gaps, size_t max)
{
    char *line = slurp(path);
    size_t n = 0;
    double last = 0;
    for (line = strchr(line, '\n'); line != NULL && line[1] != '\0' && n < max; line = strchr(line + 1, '\n')) {
        const char *f = line + 1;
        for (int comma = 0; comma < 5; comma++)
            f = strchr(f, ',') + 1;
        double at = strtod(f, NULL);
        gaps[n++] = at - last;
        last = at;
    }
    return n;
}

/* --arrivals poisson: the gaps between intended starts are exponential of
 * mean 1/R; without it, even. 4,000 gaps at 2,000/s, from an unseeded
 * generator, so the bounds are wide: the mean within 6% (3.8 standard
 * errors), the coefficient of variation 0.9-1.1 for exponential gaps (4.5;
 * even ones give 0), and the share of gaps under the median of the
 * distribution, mean x ln 2, within 0.46-0.54 (5). */
START_TEST(poisson_arrivals_have_exponential_gaps)
{
    static double gaps[4000];
    char tl[64];
    tc_run(&r, "async", (const char *const[]){"--rate", "2000", "-n", "4000", "--arrivals", _i ? "poisson" : "even",
                                              "--url", tc_url(srv.port, "/say-hi?delay=0"), "--timeline",
                                              temp_path(tl), "--json", NULL}, 30000);
    ck_assert_msg(r.rc == 0, "exit %d: %s", r.rc, r.err);
    size_t n = intended_gaps(tl, gaps, 4000);
    unlink(tl);
    ck_assert_uint_eq(n, 4000);
    double sum = 0, sq = 0;
    for (size_t i = 1; i < n; i++) /* the first "gap" is the first start, 0 */
        sum += gaps[i];
    double mean = sum / (double)(n - 1);
    size_t under = 0;
    for (size_t i = 1; i < n; i++) {
        sq += (gaps[i] - mean) * (gaps[i] - mean);
        under += gaps[i] < mean * M_LN2;
    }
    double cv = sqrt(sq / (double)(n - 2)) / mean, share = (double)under / (double)(n - 1);
    ck_assert_msg(fabs(mean - 0.0005) < 0.06 * 0.0005, "mean gap %.6f s, not 1/2000", mean);
    if (_i)
        ck_assert_msg(cv > 0.9 && cv < 1.1 && share > 0.46 && share < 0.54,
                      "poisson: coefficient of variation %.3f, %.3f of the gaps under mean x ln 2", cv, share);
    else
        ck_assert_msg(cv < 0.05, "even: coefficient of variation %.3f", cv);
}
END_TEST

/* An open loop that falls behind its schedule still reads the responses
 * that are in and sends on the connections they free. It used to start
 * every due request in one go: new connections cost more than the 50 us
 * between two requests, so it never caught up, never read a response, and
 * opened a connection for every request until the cap: 1,000 in flight in
 * 8 of 9 runs (595 in the other, under the whole suite's load), sends up to
 * 60 ms late. Since, 64-205 alone and up to 566 under the suite's load: a
 * client that the machine keeps from its schedule still opens connections
 * for the backlog, so this catches the old defect most of the time, not
 * always. At 20,000/s the loop polls when it has a second CPU (_i == 1)
 * and sleeps on one (_i == 0, the client pinned to the CPU this test runs
 * on). */
START_TEST(open_loop_behind_reuses_its_connections)
{
    cpu_set_t all, one;
    ck_assert_int_eq(sched_getaffinity(0, sizeof all, &all), 0);
    if (_i == 0) {
        CPU_ZERO(&one);
        CPU_SET(sched_getcpu(), &one);
        ck_assert_int_eq(sched_setaffinity(0, sizeof one, &one), 0); /* inherited by the client */
    }
    tc_run(&r, "async", (const char *const[]){"--rate", "20000", "--duration", "0.5s", "--url",
                                              tc_url(srv.port, "/say-hi"), "--json", NULL}, 30000);
    sched_setaffinity(0, sizeof all, &all);
    ck_assert_msg(r.rc == 0, "exit %d: %s", r.rc, r.err);
    cJSON *o = tc_json(&r);
    ck_assert_int_eq((int)tc_num(o, "number"), 10000);
    ck_assert_int_eq((int)tc_num(o, "failed"), 0);
    /* Under ASan the shared server is sanitized too and cannot answer
     * 20,000/s: the backlog reaches the cap whatever the client does (the
     * plain client against it, pinned to one CPU: 1,000 in two runs of two,
     * as the sanitized client in CI with the suite running alone). The bound
     * is the plain build's; this build still runs the path for memory
     * errors. */
    if (!UNDER_ASAN)
        ck_assert_msg(tc_num(o, "concurrency") < 1000, "most in flight: %g, the whole cap", tc_num(o, "concurrency"));
    cJSON_Delete(o);
}
END_TEST

/* The stand-ins' answer: 200, kept alive. */
static const char ok_reply[] = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";

/* Drops the first request head (up to its blank line) from the have bytes
 * of buf; false while buf holds none whole. */
static bool take_request_head(char *buf, size_t *have)
{
    char *end = memmem(buf, *have, "\r\n\r\n", 4);
    if (end == NULL)
        return false;
    size_t used = (size_t)(end + 4 - buf);
    memmove(buf, buf + used, *have - used);
    *have -= used;
    return true;
}

/* A stand-in on one epoll loop: every request is answered 200 at once with
 * a 2-byte body, but requests 1000, 1500, 2000, ... (counted over all
 * connections) get a body of BIG_BODY bytes, written as fast as the client
 * reads it. */
#define BIG_BODY (64LL << 20)

struct big_conn {
    char in[4096];
    size_t have;
    long long left; /* bytes of a big body still to write */
};

static void big_serve(int lfd, const void *arg)
{
    static char zeros[1 << 20];
    static struct big_conn conns[4096];
    (void)arg;
    int ep = epoll_create1(0);
    fcntl(lfd, F_SETFL, O_NONBLOCK);
    epoll_ctl(ep, EPOLL_CTL_ADD, lfd, &(struct epoll_event){.events = EPOLLIN, .data.fd = lfd});
    long requests = 0;
    for (;;) {
        struct epoll_event ev[64];
        int n = epoll_wait(ep, ev, 64, -1);
        for (int i = 0; i < n; i++) {
            int fd = ev[i].data.fd;
            if (fd == lfd) {
                int c;
                while ((c = accept4(lfd, NULL, NULL, SOCK_NONBLOCK)) >= 0) {
                    if (c >= (int)(sizeof conns / sizeof conns[0])) {
                        close(c);
                        continue;
                    }
                    conns[c] = (struct big_conn){0};
                    epoll_ctl(ep, EPOLL_CTL_ADD, c, &(struct epoll_event){.events = EPOLLIN | EPOLLOUT | EPOLLET,
                                                                          .data.fd = c});
                }
                continue;
            }
            struct big_conn *b = &conns[fd];
            for (;;) {
                while (b->left > 0) {
                    ssize_t w = write(fd, zeros, b->left < (long long)sizeof zeros ? (size_t)b->left : sizeof zeros);
                    if (w <= 0)
                        break;
                    b->left -= w;
                }
                if (b->left > 0)
                    break; /* EPOLLOUT brings the rest */
                if (!take_request_head(b->in, &b->have)) {
                    ssize_t got = read(fd, b->in + b->have, sizeof b->in - b->have);
                    if (got == 0 || (got < 0 && errno != EAGAIN)) {
                        epoll_ctl(ep, EPOLL_CTL_DEL, fd, NULL);
                        close(fd);
                    }
                    if (got <= 0)
                        break;
                    b->have += (size_t)got;
                    continue;
                }
                if (++requests >= 1000 && requests % 500 == 0) {
                    char head[96];
                    int len = snprintf(head, sizeof head, "HTTP/1.1 200 OK\r\nContent-Length: %lld\r\n\r\n", BIG_BODY);
                    if (write(fd, head, (size_t)len) != len)
                        break;
                    b->left = BIG_BODY;
                } else if (write(fd, ok_reply, sizeof ok_reply - 1) != (ssize_t)sizeof ok_reply - 1) {
                    break;
                }
            }
        }
    }
}

/* Passes of the loop made long by reading large bodies still leave it time
 * to send: every request due goes out on the connections that are free. A
 * bound of 32 sends a pass (found by a review of f0fa2ae) held it to about
 * 14,000/s here: 0.72x of the rate asked in 2 of 3 runs of this test (0.96x
 * in the third), sends up to 0.4 s late; 0.995x and more with the bound on
 * connections opened instead, under ASan too. */
START_TEST(long_passes_still_keep_the_rate)
{
    struct test_server s;
    ck_assert_int_eq(test_fork_server(&s, big_serve, NULL), 0);
    tc_run(&r, "async", (const char *const[]){"--rate", "20000", "-n", "20000", "--url", tc_url(s.port, "/"), "--json",
                                              NULL}, 60000);
    test_server_stop(&s, SIGKILL, 5000);
    ck_assert_msg(r.rc == 0, "exit %d: %s", r.rc, r.err);
    cJSON *o = tc_json(&r);
    const cJSON *rate = cJSON_GetObjectItem(o, "rate");
    ck_assert_msg(tc_num(o, "ok") == 20000 && tc_num(rate, "achieved") >= 18000, "%s", r.out);
    cJSON_Delete(o);
}
END_TEST

/* The server stopped for 1 s in the middle of a 3 s open loop: every
 * scheduled request is still made, and latency from the intended start
 * shows the stall (the requests due during it waited up to 1 s). With one
 * connection, those requests also wait for it: service time (from the
 * send) stays small for most while latency does not. The stall begins
 * 0.5 s after the 50th request, not 1 s after the client was started: on a
 * busy machine the client took 0.25 s to start, and the stall it saw was
 * that much shorter. */
START_TEST(stall_counts_from_the_intended_start)
{
    struct test_server s;
    tc_server_start(&s, "0");
    pid_t staller = fork();
    if (staller == 0) {
        double polls = 0, t0 = test_now();
        while (tc_stat(s.port, "requests") - ++polls < 50 && test_now() - t0 < 10)
            usleep(10 * 1000);
        usleep(500 * 1000);
        kill(s.pid, SIGSTOP);
        usleep(1000 * 1000);
        kill(s.pid, SIGCONT);
        _exit(0);
    }
    tc_run(&r, "async", (const char *const[]){"--rate", "100", "--duration", "3s", "--concurrency", "1", "--url",
                                              tc_url(s.port, "/say-hi"), "--json", NULL}, 30000);
    waitpid(staller, NULL, 0);
    test_server_stop(&s, SIGTERM, 5000);
    ck_assert_msg(r.rc == 0, "exit %d: %s", r.rc, r.err);
    cJSON *o = tc_json(&r);
    ck_assert_int_eq((int)tc_num(o, "number"), 300);
    const cJSON *lat = cJSON_GetObjectItem(o, "latency_ms"), *svc = cJSON_GetObjectItem(o, "service_ms");
    /* A third of the schedule fell in the stall: p90 sits inside it. */
    ck_assert_msg(tc_num(lat, "max") > 800 && tc_num(lat, "p90") > 200 && tc_num(lat, "p50") < 200, "%s", r.out);
    ck_assert_msg(tc_num(svc, "p90") < 100, "service p90 should stay small: %s", r.out);
    ck_assert_msg(strstr(r.err, "could not keep up") != NULL, "a late schedule is said: %s", r.err);
    cJSON_Delete(o);
}
END_TEST

/* The open loop opens its first connections before the schedule starts
 * (20 at 20,000/s): refused, each request still gets its own connect error,
 * said once, and the run ends at once. */
START_TEST(open_loop_against_a_dead_server)
{
    struct test_server s;
    static const char *const args[] = {"--quiet", NULL};
    ck_assert_int_eq(test_server_start(&s, args), 0);
    unsigned port = s.port;
    test_server_stop(&s, SIGKILL, 5000);
    tc_run(&r, "async", (const char *const[]){"--rate", "20000", "-n", "50", "--url", tc_url(port, "/say-hi"),
                                              "--json", NULL}, 20000);
    ck_assert_int_eq(r.rc, 1);
    char want[96];
    snprintf(want, sizeof want, "cannot connect to 127.0.0.1:%u: Connection refused\n", port);
    ck_assert_msg(strstr(r.err, want) != NULL, "stderr: %s", r.err);
    cJSON *o = tc_json(&r);
    ck_assert_int_eq((int)tc_num(o, "failed"), 50);
    ck_assert_int_eq((int)tc_num(cJSON_GetObjectItem(o, "errors"), "connect"), 50);
    ck_assert_msg(r.elapsed < 5, "took %.2fs", r.elapsed);
    cJSON_Delete(o);
}
END_TEST

/* Stand-in servers for the open loop's connections opened ahead: each
 * connection in a process of its own, answered 200 kept alive request after
 * request. The first connection accepted is the one opened ahead. */
enum ahead_mode { AHEAD_FIRST_CLOSED, AHEAD_IDLE_JUNK };

static void ahead_connection(int fd, enum ahead_mode mode, unsigned nth)
{
    char buf[8192];
    size_t have = 0;
    bool asked = false;
    if (mode == AHEAD_FIRST_CLOSED && nth == 0)
        _exit(0); /* closed at once, before any request: as a server's header timeout would */
    for (;;) {
        struct pollfd p = {.fd = fd, .events = POLLIN};
        int ready = poll(&p, 1, 10);
        if (ready == 0 && mode == AHEAD_IDLE_JUNK && !asked && nth > 0) {
            if (write(fd, "JUNK\r\n", 6) != 6)
                _exit(0);
            asked = true; /* once */
            continue;
        }
        if (ready <= 0)
            continue;
        ssize_t got = read(fd, buf + have, sizeof buf - have);
        if (got <= 0)
            _exit(0);
        have += (size_t)got;
        asked = true;
        while (take_request_head(buf, &have))
            if (write(fd, ok_reply, sizeof ok_reply - 1) != (ssize_t)(sizeof ok_reply - 1))
                _exit(0);
    }
}

static void ahead_serve(int lfd, const void *arg)
{
    enum ahead_mode mode = *(const enum ahead_mode *)arg;
    for (unsigned nth = 0;; nth++) {
        int fd = accept(lfd, NULL, NULL);
        if (fd < 0)
            continue;
        if (fork() == 0) {
            prctl(PR_SET_PDEATHSIG, SIGKILL);
            close(lfd);
            ahead_connection(fd, mode, nth);
        }
        close(fd);
    }
}

/* sayhi-async --rate RATE -n N against a stand-in server in mode: every
 * request answered 200, none failed. */
static void all_ok_against(enum ahead_mode mode, const char *rate, int n)
{
    struct test_server s;
    char number[16];
    snprintf(number, sizeof number, "%d", n);
    ck_assert_int_eq(test_fork_server(&s, ahead_serve, &mode), 0);
    tc_run(&r, "async", (const char *const[]){"--rate", rate, "-n", number, "--url", tc_url(s.port, "/"), "--json",
                                              NULL}, 20000);
    test_server_stop(&s, SIGKILL, 5000);
    ck_assert_msg(r.rc == 0, "exit %d: %s\n%s", r.rc, r.err, r.out);
    cJSON *o = tc_json(&r);
    ck_assert_msg(tc_num(o, "failed") == 0 && tc_num(o, "ok") == n, "%s", r.out);
    cJSON_Delete(o);
}

/* The connection opened ahead of the schedule counts as kept alive: closed
 * by the server before its first request, that request is sent again on a
 * new one, as after any idle close, and succeeds. */
START_TEST(connection_opened_ahead_and_closed_is_retried) { all_ok_against(AHEAD_FIRST_CLOSED, "1000", 3); }
END_TEST

/* Bytes a server writes on a connection opened ahead and never used answer
 * no request: no request is blamed for them (they used to mark the run's
 * first request bad_status). */
START_TEST(junk_on_an_unused_connection_blames_no_request) { all_ok_against(AHEAD_IDLE_JUNK, "1500", 100); }
END_TEST

/* A server kept busy by keep-alive clients still takes new connections:
 * while CONC connections of sayhi-async ask for PATH as fast as they can, a
 * request on a new connection, made five times 100 ms apart, is answered
 * within a second each time, not when the load ends. */
static void still_accepts_under(const char *conc, const char *path)
{
    struct test_server s;
    static const char *const args[] = {"--delay", "0", "--quiet", NULL};
    ck_assert_int_eq(test_server_start(&s, args), 0);
    pid_t load = fork();
    if (load == 0) {
        static char out[1 << 16], err[1 << 12];
        const char *const a[] = {"-c", conc, "-z", "4s", "--quiet", "--url", tc_url(s.port, path), NULL};
        _exit(test_exec(tc_bin("async"), a, out, sizeof out, err, sizeof err, 30000, NULL) == 0 ? 0 : 1);
    }
    usleep(1000 * 1000);
    int load_status = -1;
    bool load_running = waitpid(load, &load_status, WNOHANG) == 0;
    double worst = 0;
    int status = 200;
    for (int i = 0; i < 5 && status == 200; i++) {
        struct http_response resp;
        double t0 = test_now();
        status = http_get(s.port, "GET", "/say-hi", &resp);
        double took = test_now() - t0;
        worst = took > worst ? took : worst;
        usleep(100 * 1000);
    }
    if (load_running)
        waitpid(load, &load_status, 0);
    test_server_stop(&s, SIGTERM, 10000);
    ck_assert_msg(load_running, "the load ended before the requests were made");
    ck_assert_msg(status == 200 && worst < 1.0, "status %d, slowest %.2f s under load", status, worst);
    ck_assert_msg(WIFEXITED(load_status) && WEXITSTATUS(load_status) == 0, "the load run failed");
}

START_TEST(busy_server_still_accepts)
{
    still_accepts_under("50", "/say-hi");
}
END_TEST

/* Delays of 1 ms on 600 keep-alive connections keep a timer due at almost
 * every loop pass, and a resume's MHD run reads the next requests, whose
 * timers keep it so: accepting at I/O priority must still get its pass
 * (one new connection waited 1.7 s when it did not). */
START_TEST(short_delays_do_not_starve_accepting)
{
    still_accepts_under("600", "/say-hi?delay=1ms");
}
END_TEST

/* -z D: requests start until D has passed, and the run ends when those in
 * flight are answered. sayhi-async's default concurrency opens some 16,000
 * connections in that second, and how long the last of them takes is the
 * machine's (2.4 s under CI's parallel suites, 1.1 s alone): the timeline
 * shows when each request started and ended, and the run must end with the
 * last of them, every one the server saw in the report. */
START_TEST(duration_ends_the_run)
{
    const char *c = tc_clients[_i];
    char tl[64];
    double before = tc_stat(srv.port, "requests");
    tc_run(&r, c,
           (const char *const[]){"-z", "1s", "--url", tc_url(srv.port, "/say-hi?delay=20ms"), "--json", "--timeline",
                                 temp_path(tl), NULL},
           30000);
    ck_assert_msg(r.rc == 0, "exit %d: %s", r.rc, r.err);
    cJSON *o = tc_json(&r);
    double number = tc_num(o, "number"), elapsed = tc_num(o, "elapsed_s"), last_start = 0, last_end = 0;
    /* The first responses are read while the last connections open (they
     * waited for all 16,000 to start: 255-600 ms for a 20 ms server). */
    double fastest = tc_num(cJSON_GetObjectItem(o, "latency_ms"), "min");
    ck_assert_msg(fastest < 150, "the fastest of %.0f requests at delay=20ms took %.1f ms", tc_num(o, "number"),
                  fastest);
    cJSON_Delete(o);
    struct timeline t;
    ck_assert_int_eq(timeline_read(tl, &t), 0);
    unlink(tl);
    for (size_t i = 0; i < t.n; i++) {
        last_start = t.start[i] > last_start ? t.start[i] : last_start;
        last_end = t.end[i] > last_end ? t.end[i] : last_end;
    }
    size_t rows = t.n;
    timeline_free(&t);
    ck_assert_msg(number >= 10 && rows == number, "%zu rows for %.0f requests", rows, number);
    double seen = tc_stat(srv.port, "requests") - before - 1;
    ck_assert_msg(seen == number, "the server saw %.0f requests, the report has %.0f", seen, number);
    ck_assert_msg(last_start > 0.9 && last_start < 1.05, "the last request started at %.3f s", last_start);
    ck_assert_msg(elapsed >= last_end && elapsed < last_end + 0.2, "run of %.3f s, last answer at %.3f s", elapsed,
                  last_end);
    ck_assert_msg(r.elapsed > 0.95 && r.elapsed < elapsed + 2, "%.2fs for a run of %.2fs", r.elapsed, elapsed);
    /* With --number, whichever ends first. */
    tc_run(&r, c, (const char *const[]){"-n", "5", "-z", "20s", "--url", tc_url(srv.port, "/say-hi"), "--json", NULL},
           30000);
    o = tc_json(&r);
    ck_assert_msg(tc_num(o, "number") == 5 && r.elapsed < 5, "%.2fs: %s", r.elapsed, r.out);
    cJSON_Delete(o);
}
END_TEST

/* -X, -H and the body reach the server byte for byte. */
START_TEST(method_headers_body_arrive)
{
    const char *c = tc_clients[_i];
    char log[64], body[64];
    struct test_server echo;
    ck_assert_int_eq(test_echo_server_start(&echo, temp_path(log)), 0);
    FILE *f = fopen(temp_path(body), "w");
    fputs("from\r\na file", f);
    fclose(f);
    tc_run(&r, c, (const char *const[]){"-n", "2", "-X", "PUT", "-H", "X-One: 1", "-H", "Host: example.test",
                                        "--header", "X-Two:  two words", "--data", "hello", "--url",
                                        tc_url(echo.port, "/echo?a=b"), "--json", NULL}, 30000);
    ck_assert_msg(r.rc == 0, "exit %d: %s", r.rc, r.err);
    tc_run(&r, c, (const char *const[]){"-n", "1", "-X", "POST", "--data-file", body, "--url",
                                        tc_url(echo.port, "/f"), "--quiet", NULL}, 30000);
    ck_assert_msg(r.rc == 0, "exit %d: %s", r.rc, r.err);
    test_server_stop(&echo, SIGKILL, 5000);
    char *got = slurp(log), *post = strstr(got, "POST /f HTTP/1.1\r\n");
    ck_assert_msg(post != NULL && strstr(post, "\r\nContent-Length: 12\r\n\r\nfrom\r\na file") != NULL, "%s", got);
    *post = '\0'; /* what follows is about the two PUTs */
    const char *put = strstr(got, "PUT /echo?a=b HTTP/1.1\r\n");
    ck_assert_msg(put != NULL && strstr(put + 1, "PUT /echo?a=b HTTP/1.1\r\n") != NULL, "%s", got);
    ck_assert_msg(strstr(got, "\r\nHost: example.test\r\n") != NULL && strstr(got, "Host: 127.0.0.1") == NULL &&
                      strstr(got, "\r\nX-One: 1\r\nHost: example.test\r\nX-Two:  two words\r\n") != NULL &&
                      strstr(got, "\r\nContent-Length: 5\r\n\r\nhello") != NULL,
                  "%s", got);
    unlink(log);
    unlink(body);
}
END_TEST

/* One canned reply under one --check: the errors key it lands in. */
static void check_case(const char *which, const char *reply, const char *check, const char *extra,
                       const char *want_kind)
{
    struct test_server fake;
    ck_assert_int_eq(test_canned_server_start(&fake, reply, strlen(reply)), 0);
    tc_run(&r, which, (const char *const[]){"-n", "2", "--check", check, "--url", tc_url(fake.port, "/x"), "--json",
                                            extra, extra != NULL ? "4" : NULL, NULL}, 30000);
    test_server_stop(&fake, SIGKILL, 5000);
    cJSON *o = tc_json(&r);
    if (want_kind == NULL)
        ck_assert_msg(r.rc == 0 && tc_num(o, "ok") == 2, "%s --check %s on %s: %s", which, check, reply, r.out);
    else
        ck_assert_msg(r.rc == 1 && tc_num(cJSON_GetObjectItem(o, "errors"), want_kind) == 2,
                      "%s --check %s on %s: %s", which, check, reply, r.out);
    ck_assert_msg(tc_num(o, "bytes") >= 2 * strlen(reply), "bytes: %s", r.out);
    cJSON_Delete(o);
}

START_TEST(check_each_way)
{
    const char *c = tc_clients[_i];
    static const char text[] = "HTTP/1.1 200 OK\r\nContent-Length: 8\r\n\r\nnot json";
    static const char json[] = "HTTP/1.1 200 OK\r\nContent-Length: 7\r\n\r\n{\"a\":1}";
    static const char hi[] = "HTTP/1.1 200 OK\r\nContent-Length: 16\r\n\r\n{\"message\":\"hi\"}";
    static const char oops[] = "HTTP/1.1 503 No\r\nContent-Length: 16\r\n\r\n{\"message\":\"hi\"}";
    check_case(c, text, "status", NULL, NULL);
    check_case(c, text, "json", NULL, "bad_body");
    check_case(c, text, "sayhi", NULL, "bad_body");
    check_case(c, json, "json", NULL, NULL);
    check_case(c, json, "json", "--max-body", "bad_body"); /* 7 bytes over 4 */
    check_case(c, json, "sayhi", NULL, "bad_body");
    check_case(c, hi, "sayhi", NULL, NULL);
    check_case(c, oops, "status", NULL, "bad_status");
    check_case(c, oops, "json", NULL, "bad_status");
}
END_TEST

/* The histogram's rows sum to the responses; --hdr reads back as
 * HdrHistogram's percentile text; --trace is JSON with one complete event
 * per request. */
START_TEST(histogram_hdr_trace)
{
    const char *c = tc_clients[_i];
    char hdr[64], trace[64];
    tc_run(&r, c, (const char *const[]){"-n", "200", "--url", tc_url(srv.port, "/say-hi"), "--hdr", temp_path(hdr),
                                        "--trace", temp_path(trace), "--json", NULL}, 30000);
    ck_assert_msg(r.rc == 0, "exit %d: %s", r.rc, r.err);
    cJSON *o = tc_json(&r);
    double sum = 0;
    const cJSON *row;
    cJSON_ArrayForEach(row, cJSON_GetObjectItem(o, "histogram")) sum += tc_num(row, "count");
    ck_assert_int_eq((int)sum, 200);
    double max = tc_num(cJSON_GetObjectItem(o, "latency_ms"), "max");
    cJSON_Delete(o);

    char *text = slurp(hdr), *line = strtok(text, "\n");
    ck_assert_msg(line != NULL && strstr(line, "Value") != NULL && strstr(line, "1/(1-Percentile)") != NULL, "%s",
                  line);
    double last_v = 0, last_p = -1, v, p, inv;
    unsigned count = 0, rows = 0, total = 0;
    while ((line = strtok(NULL, "\n")) != NULL && line[0] != '#') {
        ck_assert_msg(sscanf(line, "%lf %lf %u %lf", &v, &p, &count, &inv) >= 3, "%s", line);
        ck_assert_msg(v >= last_v && p > last_p && p <= 1.0, "not ascending: %s", line);
        last_v = v, last_p = p, rows++;
    }
    ck_assert_msg(rows > 10 && last_p == 1.0 && count == 200 && last_v > max - 0.001 && last_v < max + 0.001,
                  "%u rows, last %f %f %u", rows, last_v, last_p, count);
    ck_assert_msg(line != NULL && strncmp(line, "#[Mean", 6) == 0, "%s", line);
    line = strtok(NULL, "\n");
    ck_assert_msg(sscanf(line, "#[Max = %lf, Total count = %u]", &v, &total) == 2, "%s", line);
    ck_assert_uint_eq(total, 200);

    o = cJSON_Parse(slurp(trace));
    ck_assert_ptr_nonnull(o);
    const cJSON *ev;
    unsigned events = 0;
    cJSON_ArrayForEach(ev, cJSON_GetObjectItem(o, "traceEvents")) {
        ck_assert_str_eq(cJSON_GetObjectItem(ev, "ph")->valuestring, "X");
        ck_assert(tc_num(ev, "ts") >= 0 && tc_num(ev, "dur") >= 0 && tc_num(ev, "tid") >= 1 && tc_num(ev, "pid") == 1);
        ck_assert_msg(strstr(cJSON_GetObjectItem(ev, "name")->valuestring, " 200") != NULL, "name");
        events++;
    }
    ck_assert_uint_eq(events, 200);
    cJSON_Delete(o);
    unlink(hdr);
    unlink(trace);
}
END_TEST

static void expect_usage(const char *which, const char *const *args, const char *needle)
{
    tc_expect_usage(&r, which, args, needle);
}

/* Each new flag with a bad value: exit 2, one line naming the flag. */
static const struct {
    const char *flag, *value, *says;
    bool async_only;
} bad_values[] = {
    {"--duration", "0", "--duration must be between", false},
    {"-z", "soon", "--duration must be a duration", false},
    {"-n", "x", "--number must be a positive integer, got 'x'", false},
    {"-X", "GE T", "--method must be an HTTP method", false},
    {"-X", "", "--method must be an HTTP method", false},
    {"-X", "GET\x01", "got 'GET\\x01'", false},
    {"-H", "no colon", "--header must be 'Name: value'", false},
    {"-H", "X: a\r\nY: b", "--header must be 'Name: value' without control bytes, got 'X: a\\x0d\\x0aY: b'", false},
    {"-H", "X: a\x7f", "got 'X: a\\x7f'", false},
    {"--check", "xml", "--check must be status, json or sayhi, got 'xml'", false},
    {"--max-body", "0", "--max-body must be between", false},
    {"--data-file", "/nonexistent/x", "--data-file cannot read '/nonexistent/x'", false},
    {"--hdr", "/nonexistent/h", "--hdr cannot write '/nonexistent/h'", false},
    {"--trace", "/nonexistent/t", "--trace cannot write", false},
    {"--rate", "0", "--rate must be requests per second", true},
    {"--rate", "fast", "got 'fast'", true},
    {"--rate", "1e9", "to 10000000", true},
    {"--rate", "1e-300", "from 0.001 to 10000000, got '1e-300'", true},
    {"--rate", "0.0009", "--rate must be requests per second", true},
    {"--rate", " 5", "got ' 5'", true},
    {"--rate", "0x10", "got '0x10'", true},
    {"--rate", "1e3", "got '1e3'", true},
    {"--arrivals", "burst", "--arrivals must be even or poisson, got 'burst'", true},
    {"-c", "0", "--concurrency must be between", true},
};

START_TEST(bad_values_exit_2)
{
    const char *c = tc_clients[_i];
    bool sync = strcmp(c, "sync") == 0;
    for (size_t i = 0; i < sizeof bad_values / sizeof bad_values[0]; i++)
        if (!(sync && bad_values[i].async_only))
            expect_usage(c, (const char *const[]){bad_values[i].flag, bad_values[i].value, NULL}, bad_values[i].says);
    expect_usage(c, (const char *const[]){"--data", "a", "--data", "b", NULL}, "one of --data and --data-file");
    expect_usage(c, (const char *const[]){"--max-body", "10", NULL}, "--max-body needs --check json or --crawl");
    expect_usage(c, (const char *const[]){"--max-body", "10", "--check", "sayhi", NULL},
                 "--max-body needs --check json or --crawl");
    expect_usage(c, (const char *const[]){"-X", "HEAD", "--check", "sayhi", NULL}, "which -X HEAD has not");
    if (!sync)
        expect_usage(c, (const char *const[]){"--arrivals", "poisson", NULL}, "--arrivals needs --rate");
    if (sync) /* the open loop is sayhi-async's */
        expect_usage(c, (const char *const[]){"--rate", "10", NULL}, "unknown option '--rate'");
}
END_TEST

int main(void)
{
    Suite *s = suite_create("load");
    TCase *shared = testsuite_case(s, "shared-server", 120, start_shared, stop_shared);
    tcase_add_test(shared, rate_is_kept);
    tcase_add_loop_test(shared, poisson_arrivals_have_exponential_gaps, 0, 2);
    tcase_add_loop_test(shared, open_loop_behind_reuses_its_connections, 0, 2);
    tcase_add_loop_test(shared, duration_ends_the_run, 0, 2);
    tcase_add_loop_test(shared, histogram_hdr_trace, 0, 2);
    tcase_add_loop_test(shared, bad_values_exit_2, 0, 2);
    TCase *own = testsuite_case(s, "own-server", 120, NULL, NULL);
    tcase_add_test(own, stall_counts_from_the_intended_start);
    tcase_add_test(own, open_loop_against_a_dead_server);
    tcase_add_test(own, long_passes_still_keep_the_rate);
    tcase_add_test(own, busy_server_still_accepts);
    tcase_add_test(own, short_delays_do_not_starve_accepting);
    tcase_add_test(own, connection_opened_ahead_and_closed_is_retried);
    tcase_add_test(own, junk_on_an_unused_connection_blames_no_request);
    tcase_add_loop_test(own, method_headers_body_arrive, 0, 2);
    tcase_add_loop_test(own, check_each_way, 0, 2);
    return testsuite_run(s);
}
