/* Integration tests: the real sayhi-server binary on 127.0.0.1, port 0. */
#include "testhttp.h"
#include "testsuite.h"

#include "cli.h"

#include <check.h>
#include <cjson/cJSON.h>
#include <dirent.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

/* One server for the read-only tests, started once per test case. */
static struct test_server srv;

static void start_shared(void)
{
    static const char *const args[] = {"--delay", "50ms", "--quiet", NULL};
    ck_assert_int_eq(test_server_start(&srv, args), 0);
}

static void stop_shared(void) { test_server_stop(&srv, SIGTERM, 10000); }

static cJSON *json_body(const struct http_response *r)
{
    cJSON *o = cJSON_Parse(r->body);
    ck_assert_msg(o != NULL, "body is not JSON: '%s'", r->body);
    return o;
}

static void assert_json_error(const struct http_response *r, int status, const char *needle)
{
    char ct[64] = "";
    ck_assert_int_eq(r->status, status);
    http_header(r, "Content-Type", ct, sizeof ct);
    ck_assert_str_eq(ct, "application/json");
    cJSON *o = json_body(r);
    cJSON *e = cJSON_GetObjectItem(o, "error");
    ck_assert_msg(cJSON_IsString(e) && strstr(e->valuestring, needle) != NULL, "error of %d lacks '%s': %s",
                  status, needle, r->body);
    cJSON_Delete(o);
}

START_TEST(listening_line_names_real_port)
{
    char expect[64];
    snprintf(expect, sizeof expect, "listening on http://127.0.0.1:%u", srv.port);
    ck_assert_str_eq(srv.first_line, expect);
    ck_assert_uint_gt(srv.port, 0);
}
END_TEST

START_TEST(say_hi_default_delay)
{
    struct http_response r;
    char ct[64] = "";
    double t0 = test_now();
    ck_assert_int_eq(http_get(srv.port, "GET", "/say-hi", &r), 200);
    double took = test_now() - t0;
    ck_assert_msg(took >= 0.045, "answered after %.3fs, before the 50ms delay", took);
    http_header(&r, "Content-Type", ct, sizeof ct);
    ck_assert_str_eq(ct, "application/json");
    ck_assert_str_eq(r.body, "{\"message\":\"Hi\",\"delay_ms\":50}");
}
END_TEST

START_TEST(say_hi_delay_and_status_overrides)
{
    struct http_response r;
    double t0 = test_now();
    ck_assert_int_eq(http_get(srv.port, "GET", "/say-hi?delay=300ms", &r), 200);
    double took = test_now() - t0;
    ck_assert_msg(took >= 0.295 && took < 2.0, "delay=300ms took %.3fs", took);
    ck_assert_str_eq(r.body, "{\"message\":\"Hi\",\"delay_ms\":300}");

    ck_assert_int_eq(http_get(srv.port, "GET", "/say-hi?delay=0", &r), 200);
    ck_assert_str_eq(r.body, "{\"message\":\"Hi\",\"delay_ms\":0}");
    /* Percent-encoded values are decoded before they are parsed: "250ms". */
    ck_assert_int_eq(http_get(srv.port, "GET", "/say-hi?delay=%32%35%30ms", &r), 200);
    ck_assert_str_eq(r.body, "{\"message\":\"Hi\",\"delay_ms\":250}");
    /* Unknown parameters are ignored. */
    ck_assert_int_eq(http_get(srv.port, "GET", "/say-hi?delay=0&x=1", &r), 200);

    ck_assert_int_eq(http_get(srv.port, "GET", "/say-hi?status=503&delay=0", &r), 503);
    ck_assert_str_eq(r.body, "{\"message\":\"Hi\",\"delay_ms\":0}");
    ck_assert_int_eq(http_get(srv.port, "GET", "/say-hi?status=201&delay=10ms", &r), 201);
}
END_TEST

START_TEST(say_hi_bad_parameters_are_400)
{
    static const struct {
        const char *target, *needle;
    } cases[] = {
        {"/say-hi?delay=abc", "invalid delay 'abc'"},
        {"/say-hi?delay=", "invalid delay ''"},
        {"/say-hi?delay", "invalid delay ''"},
        {"/say-hi?delay=-1", "invalid delay '-1'"},
        {"/say-hi?delay=nan", "invalid delay 'nan'"},
        {"/say-hi?delay=inf", "invalid delay 'inf'"},
        {"/say-hi?delay=1e308", "invalid delay '1e308'"},
        {"/say-hi?delay=-0", "invalid delay '-0'"},
        {"/say-hi?delay=1e-9", "invalid delay '1e-9'"},
        {"/say-hi?delay=61s", "above the server's --max-delay of 60s"},
        {"/say-hi?delay=1&delay=2", "delay is given more than once"},
        {"/say-hi?status=0", "invalid status '0'"},
        {"/say-hi?status=99", "invalid status '99'"},
        {"/say-hi?status=600", "invalid status '600'"},
        {"/say-hi?status=abc", "invalid status 'abc'"},
        {"/say-hi?status=200&status=500", "status is given more than once"},
    };
    struct http_response r;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        http_get(srv.port, "GET", cases[i].target, &r);
        assert_json_error(&r, 400, cases[i].needle);
    }
}
END_TEST

START_TEST(unknown_path_and_method)
{
    struct http_response r;
    char allow[64] = "";
    http_get(srv.port, "GET", "/nope", &r);
    assert_json_error(&r, 404, "no such path '/nope'");
    http_get(srv.port, "POST", "/say-hi", &r);
    assert_json_error(&r, 405, "method POST is not allowed on /say-hi");
    ck_assert_int_eq(http_header(&r, "Allow", allow, sizeof allow), 0);
    ck_assert_str_eq(allow, "GET, HEAD");
    http_get(srv.port, "DELETE", "/stats", &r);
    assert_json_error(&r, 405, "method DELETE");
}
END_TEST

START_TEST(healthz_and_stats)
{
    struct http_response r;
    ck_assert_int_eq(http_get(srv.port, "GET", "/healthz", &r), 200);
    ck_assert_str_eq(r.body, "{\"status\":\"ok\"}");
    ck_assert_int_eq(http_get(srv.port, "GET", "/say-hi?delay=0&status=418", &r), 418);
    ck_assert_int_eq(http_get(srv.port, "GET", "/stats", &r), 200);
    cJSON *o = json_body(&r);
    static const char *numbers[] = {"requests", "in_flight", "peak_in_flight", "uptime_s"};
    for (size_t i = 0; i < 4; i++)
        ck_assert_msg(cJSON_IsNumber(cJSON_GetObjectItem(o, numbers[i])), "no number '%s'", numbers[i]);
    ck_assert_int_ge(cJSON_GetObjectItem(o, "requests")->valueint, 3);
    ck_assert_int_eq(cJSON_GetObjectItem(o, "in_flight")->valueint, 0);
    cJSON *codes = cJSON_GetObjectItem(o, "status_codes");
    ck_assert(cJSON_IsObject(codes));
    ck_assert_int_ge(cJSON_GetObjectItem(codes, "418")->valueint, 1);
    cJSON_Delete(o);
}
END_TEST

START_TEST(head_has_headers_and_no_body)
{
    struct http_response r;
    char cl[16] = "";
    int fd = http_connect(srv.port);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(http_exchange(fd, "HEAD /say-hi?delay=0 HTTP/1.1\r\nHost: x\r\n\r\n", 1, &r, 5000), 200);
    ck_assert_int_eq(http_header(&r, "Content-Length", cl, sizeof cl), 0);
    ck_assert_str_eq(cl, "29");
    /* No body bytes follow: the next response on the connection starts at once. */
    ck_assert_int_eq(http_exchange(fd, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n", 0, &r, 5000), 200);
    ck_assert_str_eq(r.body, "{\"status\":\"ok\"}");
    close(fd);
}
END_TEST

START_TEST(keep_alive_reuses_one_connection)
{
    struct http_response r;
    int fd = http_connect(srv.port);
    ck_assert_int_ge(fd, 0);
    for (int i = 0; i < 200; i++) {
        ck_assert_int_eq(http_exchange(fd, "GET /say-hi?delay=0 HTTP/1.1\r\nHost: x\r\n\r\n", 0, &r, 5000), 200);
        ck_assert_msg(!r.closed, "connection closed after request %d", i);
        ck_assert_str_eq(r.body, "{\"message\":\"Hi\",\"delay_ms\":0}");
    }
    /* The default reply (the cached one) keeps the connection open too. */
    ck_assert_int_eq(http_exchange(fd, "GET /say-hi HTTP/1.1\r\nHost: x\r\n\r\n", 0, &r, 5000), 200);
    ck_assert(!r.closed);
    close(fd);
}
END_TEST

START_TEST(thousand_concurrent_delayed_requests)
{
    unsigned ok = 0;
    double elapsed = 0;
    struct http_response r;
    ck_assert_int_eq(http_concurrent(srv.port, 1000, "/say-hi?delay=0.5s", 10000, &ok, &elapsed), 0);
    ck_assert_uint_eq(ok, 1000);
    ck_assert_msg(elapsed >= 0.5 && elapsed <= 1.5, "1000 requests of 0.5s took %.3fs", elapsed);
    ck_assert_int_eq(http_get(srv.port, "GET", "/stats", &r), 200);
    cJSON *o = json_body(&r);
    ck_assert_int_ge(cJSON_GetObjectItem(o, "peak_in_flight")->valueint, 1000);
    cJSON_Delete(o);
}
END_TEST

/* Polls /stats until the server holds n requests or max_s have passed;
 * returns the last in_flight seen (the /stats request itself not counted). */
static int wait_in_flight(unsigned port, int n, double max_s)
{
    struct http_response r;
    double t0 = test_now();
    int seen = -1;
    do {
        if (seen >= 0)
            usleep(10000);
        ck_assert_int_eq(http_get(port, "GET", "/stats", &r), 200);
        cJSON *o = json_body(&r), *v = cJSON_GetObjectItem(o, "in_flight");
        ck_assert_msg(cJSON_IsNumber(v), "no in_flight in /stats: %s", r.body);
        seen = v->valueint;
        cJSON_Delete(o);
    } while (seen < n && test_now() - t0 < max_s);
    return seen;
}

/* Opens n connections, each sending target, without reading the replies. */
static void send_many(unsigned port, int *fds, int n, const char *target)
{
    char raw[256];
    snprintf(raw, sizeof raw, "GET %s HTTP/1.1\r\nHost: x\r\n\r\n", target);
    for (int i = 0; i < n; i++) {
        fds[i] = http_connect(port);
        ck_assert_int_ge(fds[i], 0);
        ck_assert_int_eq(write(fds[i], raw, strlen(raw)), (ssize_t)strlen(raw));
    }
}

/* Connects to port every 10 ms until a connect fails (the server stopped
 * listening) or max_s has passed since t0: -1 and errno then, else the
 * last connection's fd. */
static int connect_until_refused(unsigned port, double t0, double max_s)
{
    int fd = http_connect(port);
    while (fd >= 0 && test_now() - t0 < max_s) {
        close(fd);
        usleep(10000);
        fd = http_connect(port);
    }
    return fd;
}

START_TEST(sigterm_lets_in_flight_requests_finish)
{
    enum { N = 1000 };
    struct test_server s;
    struct http_response r;
    static const char *const args[] = {"--quiet", NULL};
    static int fds[N];
    cli_raise_fd_limit(N + 64);
    ck_assert_int_eq(test_server_start(&s, args), 0);
    /* 3 s: the drain outlasts the 2 s allowed below to stop accepting (a
     * server that went on listening would be caught, not saved by its exit). */
    double sent = test_now();
    send_many(s.port, fds, N, "/say-hi?delay=3s");
    /* Every request read and waiting: one still in the kernel's accept
     * queue when the listening socket closes would be reset, as nginx's
     * would. Within 2 s, before the first delays end. */
    ck_assert_int_eq(wait_in_flight(s.port, N, 2.0), N);
    double t0 = test_now();
    kill(s.pid, SIGTERM);
    /* No longer accepting, as soon as the signal is handled: under a loaded
     * CI machine that took more than the 50 ms once allowed. */
    int late = connect_until_refused(s.port, t0, 2.0);
    int err = errno; /* reset: the SYN met the listener as it closed */
    ck_assert_msg(late == -1 && (err == ECONNREFUSED || err == ECONNRESET), "still accepting %.2fs after SIGTERM (%s)",
                  test_now() - t0, late == -1 ? strerror(err) : "connected");
    ck_assert_int_eq(http_connect(s.port), -1); /* and stays closed */
    for (int i = 0; i < N; i++) {
        ck_assert_msg(http_exchange(fds[i], NULL, 0, &r, 5000) == 200, "request %d answered %d", i, r.status);
        if (i == 0) /* answered when their delay is over, not cut short by the drain */
            ck_assert_msg(test_now() - sent >= 2.9, "answered %.2fs after sending", test_now() - sent);
        ck_assert(r.closed); /* drained connections are told to close */
        close(fds[i]);
    }
    ck_assert_msg(test_now() - t0 < 4.5, "drain took %.2fs for 3s requests", test_now() - t0);
    ck_assert_int_eq(test_server_stop(&s, 0, 5000), 0);
}
END_TEST

/* Past 256 connections the server spreads them over several libmicrohttpd
 * daemons. What a daemon does by itself (close idle connections, resume a
 * delayed request) and what the server does to all of them (the 503s when
 * the grace runs out) must reach every connection, in whichever daemon. */
START_TEST(connections_in_every_daemon_are_served)
{
    enum { HELD = 600, IDLE = 100 };
    struct test_server s;
    struct http_response r;
    static const char *const args[] = {"--quiet", "--grace", "300ms", "--idle-timeout", "1s", NULL};
    static int held[HELD], idle[IDLE];
    cli_raise_fd_limit(HELD + IDLE + 64);
    ck_assert_int_eq(test_server_start(&s, args), 0);
    send_many(s.port, held, HELD, "/say-hi?delay=30s");
    ck_assert_int_eq(wait_in_flight(s.port, HELD, 5.0), HELD);
    /* The newest connections are in the last daemon: the idle ones are
     * closed by its timeout, and a delayed request in it ends on time. */
    for (int i = 0; i < IDLE; i++)
        ck_assert_int_ge(idle[i] = http_connect(s.port), 0);
    double t0 = test_now();
    int fd = http_connect(s.port);
    ck_assert_int_eq(http_exchange(fd, "GET /say-hi?delay=200ms HTTP/1.1\r\nHost: x\r\n\r\n", 0, &r, 5000), 200);
    ck_assert_msg(test_now() - t0 >= 0.2 && test_now() - t0 < 2.0, "delay=200ms answered after %.3fs",
                  test_now() - t0);
    close(fd);
    for (int i = 0; i < IDLE; i++) {
        char buf[16];
        int err;
        http_read_to_end(idle[i], buf, sizeof buf, t0, 4000, &err, NULL, NULL);
        ck_assert_msg(err == 0, "idle connection %d still open %.1fs on (--idle-timeout 1s): %s", i, test_now() - t0,
                      strerror(err));
        close(idle[i]);
    }
    t0 = test_now();
    kill(s.pid, SIGTERM);
    for (int i = 0; i < HELD; i++) {
        http_exchange(held[i], NULL, 0, &r, 5000);
        ck_assert_msg(r.status == 503, "held request %d of %d: status %d", i + 1, HELD, r.status);
        close(held[i]);
    }
    ck_assert_msg(test_now() - t0 < 2.0, "503s came after %.3fs with --grace 300ms", test_now() - t0);
    ck_assert_int_eq(test_server_stop(&s, 0, 5000), 0);
}
END_TEST

START_TEST(grace_expiry_answers_503)
{
    struct test_server s;
    struct http_response r;
    static const char *const args[] = {"--quiet", "--grace", "200ms", NULL};
    int fds[20];
    ck_assert_int_eq(test_server_start(&s, args), 0);
    send_many(s.port, fds, 20, "/say-hi?delay=30s");
    ck_assert_int_eq(wait_in_flight(s.port, 20, 5.0), 20);
    double t0 = test_now();
    kill(s.pid, SIGTERM);
    for (int i = 0; i < 20; i++) {
        http_exchange(fds[i], NULL, 0, &r, 5000);
        assert_json_error(&r, 503, "shutting down");
        close(fds[i]);
    }
    ck_assert_msg(test_now() - t0 < 2.0, "503s came after %.3fs", test_now() - t0);
    ck_assert_int_eq(test_server_stop(&s, 0, 5000), 0);
}
END_TEST

/* A second signal ends the grace at once; one that follows the first
 * within 200 ms (timeout(1) signals its command and then its process
 * group) is the same stop, and the grace is kept; a third stops the server
 * at once, however soon after the second. Two kill()s in a row would reach
 * the server as one: the second goes once the first is handled, which
 * closing the listener shows. */
START_TEST(second_signal_ends_the_grace)
{
    struct test_server s;
    struct http_response r;
    static const char *const args[] = {"--quiet", "--grace", "10s", "--delay", "0", NULL};
    int fds[3];
    ck_assert_int_eq(test_server_start(&s, args), 0);
    send_many(s.port, fds, 1, "/say-hi?delay=1s");
    send_many(s.port, fds + 1, 1, "/say-hi?delay=30s");
    send_many(s.port, fds + 2, 1, "/say-hi?size=16M&drip=30s"); /* never read */
    ck_assert_int_eq(wait_in_flight(s.port, 3, 5.0), 3);
    double t0 = test_now();
    kill(s.pid, SIGTERM);
    int probe = connect_until_refused(s.port, t0, 2.0);
    kill(s.pid, SIGTERM);
    ck_assert_msg(probe < 0 && test_now() - t0 < 2.0, "still accepting %.2fs after SIGTERM", test_now() - t0);
    ck_assert_int_eq(http_exchange(fds[0], NULL, 0, &r, 5000), 200);
    ck_assert_msg(test_now() - t0 > 0.5, "answered %.2fs after the signals", test_now() - t0);
    usleep(300000);
    kill(s.pid, SIGTERM); /* a second stop: the 30 s request gets its 503 now */
    double t1 = test_now();
    http_exchange(fds[1], NULL, 0, &r, 5000);
    assert_json_error(&r, 503, "shutting down");
    ck_assert_msg(test_now() - t1 < 2.0, "503 came after %.2fs", test_now() - t1);
    /* The drip's 16 MB are not read: the server would wait 1 s for them. */
    double t2 = test_now();
    ck_assert_int_eq(test_server_stop(&s, SIGTERM, 5000), 0);
    ck_assert_msg(test_now() - t2 < 0.7, "the third signal stopped the server after %.2fs", test_now() - t2);
    for (int i = 0; i < 3; i++)
        close(fds[i]);
}
END_TEST

/* Sends raw on n new connections at once (each waits in the accept queue
 * while the server is at its limit), then expects a 200 on every one. */
static void all_answered(unsigned port, int n, const char *raw)
{
    int fds[32];
    struct http_response r;
    ck_assert_int_le(n, 32);
    for (int i = 0; i < n; i++) {
        ck_assert_int_ge(fds[i] = http_connect(port), 0);
        ck_assert_int_eq(write(fds[i], raw, strlen(raw)), (ssize_t)strlen(raw));
    }
    for (int i = 0; i < n; i++) {
        ck_assert_msg(http_exchange(fds[i], NULL, 0, &r, 5000) == 200, "connection %d of %d: status %d", i + 1, n,
                      r.status);
        close(fds[i]);
    }
}

/* Past --max-connections new connections wait in the accept queue until a
 * connection closes, then are served: at any limit, kept alive or not, and
 * when the slots were freed by --idle-timeout. (When libmicrohttpd owned the
 * listening socket, it stopped watching it at the limit and looked again only
 * on a later run, which nothing started once the last connection had closed;
 * the server now stops and restarts accepting itself.) */
START_TEST(accepts_again_after_the_connection_limit)
{
    struct test_server s;
    struct http_response r;
    static const char *const one[] = {"--max-connections", "1", "--delay", "0", "--quiet", NULL};
    ck_assert_int_eq(test_server_start(&s, one), 0);
    int held = http_connect(s.port);
    ck_assert_int_eq(http_exchange(held, "GET /say-hi HTTP/1.1\r\nHost: x\r\n\r\n", 0, &r, 5000), 200);
    const char *get = "GET /say-hi HTTP/1.1\r\nHost: x\r\n\r\n";
    int queued = http_connect(s.port); /* accepted by the kernel, not by the server */
    ck_assert_int_ge(queued, 0);
    ck_assert_int_eq(write(queued, get, strlen(get)), (ssize_t)strlen(get));
    close(held);
    ck_assert_int_eq(http_exchange(queued, NULL, 0, &r, 5000), 200);
    close(queued);
    usleep(100000); /* idle: no connection at all */
    ck_assert_int_eq(http_get(s.port, "GET", "/say-hi", &r), 200);
    ck_assert_int_eq(test_server_stop(&s, SIGTERM, 5000), 0);

    static const char *const five[] = {"--max-connections", "5", "--delay", "20ms", "--quiet", NULL};
    ck_assert_int_eq(test_server_start(&s, five), 0);
    all_answered(s.port, 20, "GET /say-hi HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    all_answered(s.port, 20, "GET /say-hi HTTP/1.0\r\n\r\n");
    ck_assert_int_eq(test_server_stop(&s, SIGTERM, 5000), 0);

    static const char *const idle[] = {"--max-connections", "2", "--idle-timeout", "1s", "--delay", "0", "--quiet",
                                       NULL};
    ck_assert_int_eq(test_server_start(&s, idle), 0);
    int silent[2];
    for (int i = 0; i < 2; i++)
        ck_assert_int_ge(silent[i] = http_connect(s.port), 0);
    usleep(100000);
    double t0 = test_now();
    ck_assert_int_eq(http_get(s.port, "GET", "/say-hi", &r), 200); /* served once the silent ones time out */
    ck_assert_msg(test_now() - t0 < 4.0, "served after %.1fs", test_now() - t0);
    for (int i = 0; i < 2; i++)
        close(silent[i]);
    ck_assert_int_eq(test_server_stop(&s, SIGTERM, 5000), 0);
}
END_TEST

/* Waits up to timeout_ms for the server to close fd: true at EOF (or a
 * reset), false when it is still open. */
static bool closed_within(int fd, int timeout_ms)
{
    char buf[4096];
    int err;
    http_read_to_end(fd, buf, sizeof buf, test_now(), timeout_ms, &err, NULL, NULL);
    return err != ETIMEDOUT;
}

/* The server closes the sockets of clients that hung up a few per loop
 * pass, and counts them against --max-connections until then: with two
 * keep-alive clients asking without pause, the slot of a client that hangs
 * up comes back for the next connection, and "Connection: close" is still
 * closed by the server. */
START_TEST(closes_keep_up_under_load)
{
    struct test_server s;
    static const char *const args[] = {"--max-connections", "4", "--delay", "0", "--quiet", NULL};
    ck_assert_int_eq(test_server_start(&s, args), 0);
    pid_t busy[2];
    for (int i = 0; i < 2; i++) {
        ck_assert_int_ge(busy[i] = fork(), 0);
        if (busy[i] == 0) {
            struct http_response r;
            int fd = http_connect(s.port);
            while (fd >= 0 && http_exchange(fd, "GET /say-hi HTTP/1.1\r\nHost: x\r\n\r\n", 0, &r, 5000) == 200)
                ;
            _exit(0);
        }
    }
    for (int i = 0; i < 300; i++) {
        struct http_response r;
        int fd = http_connect(s.port);
        ck_assert_int_ge(fd, 0);
        const char *req = i % 2 == 0 ? "GET /say-hi HTTP/1.1\r\nHost: x\r\n\r\n"
                                     : "GET /say-hi HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
        ck_assert_msg(http_exchange(fd, req, 0, &r, 5000) == 200, "connection %d: status %d", i + 1, r.status);
        if (i % 2 == 1)
            ck_assert_msg(closed_within(fd, 5000), "connection %d was not closed", i + 1);
        close(fd); /* even ones: the client hangs up first */
    }
    for (int i = 0; i < 2; i++) {
        ck_assert_msg(waitpid(busy[i], NULL, WNOHANG) == 0, "keep-alive client %d stopped early", i + 1);
        kill(busy[i], SIGKILL);
        waitpid(busy[i], NULL, 0);
    }
    ck_assert_int_eq(test_server_stop(&s, SIGTERM, 5000), 0);
}
END_TEST

/* After --grace every connection is closed, whatever its state: a client
 * that sent headers and 3 of 10 body bytes must not keep the server alive
 * until --idle-timeout (nor forever with --idle-timeout 0). */
START_TEST(grace_ends_unfinished_requests_too)
{
    static const char *const idle_args[2][7] = {
        {"--quiet", "--grace", "300ms", "--idle-timeout", "0", NULL},
        {"--quiet", "--grace", "300ms", "--idle-timeout", "30s", NULL},
    };
    for (int i = 0; i < 2; i++) {
        struct test_server s;
        struct http_response r;
        ck_assert_int_eq(test_server_start(&s, idle_args[i]), 0);
        const char *partial = "POST /say-hi HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc";
        int fd = http_connect(s.port), idle = http_connect(s.port), waiting = http_connect(s.port);
        ck_assert_int_eq(write(fd, partial, strlen(partial)), (ssize_t)strlen(partial));
        const char *slow = "GET /say-hi?delay=30s HTTP/1.1\r\nHost: x\r\n\r\n";
        ck_assert_int_eq(write(waiting, slow, strlen(slow)), (ssize_t)strlen(slow));
        /* held (and so the two before it accepted) before the listener closes */
        ck_assert_int_eq(wait_in_flight(s.port, 1, 5.0), 1);
        double t0 = test_now();
        kill(s.pid, SIGTERM);
        ck_assert_int_eq(http_exchange(waiting, NULL, 0, &r, 5000), 503); /* waiting ones still get their 503 */
        ck_assert_int_eq(test_server_stop(&s, 0, 5000), 0);
        ck_assert_msg(test_now() - t0 < 2.0, "exited %.2fs after SIGTERM with --grace 300ms", test_now() - t0);
        close(fd);
        close(idle);
        close(waiting);
    }
}
END_TEST

/* One line per request, with the target as received (query included), the
 * reason of an error, and control bytes escaped: a %0a or a raw byte in the
 * target cannot forge a second line. Responses libmicrohttpd sends by itself
 * are logged too. */
/* Out of fds, accept fails (EMFILE): the server says so once, keeps
 * trying, and serves the connections that waited once fds are back, instead
 * of spinning on the listening socket or dropping it. */
START_TEST(accepts_again_after_running_out_of_fds)
{
    struct test_server s;
    struct http_response r;
    static const char *const args[] = {"--delay", "0", NULL};
    char out[4096], path[64];
    ck_assert_int_eq(test_server_start(&s, args), 0);
    ck_assert_int_eq(http_get(s.port, "GET", "/say-hi", &r), 200);
    test_server_output(&s, out, sizeof out, 100);
    struct rlimit old, none;
    ck_assert_int_eq(prlimit(s.pid, RLIMIT_NOFILE, NULL, &old), 0);
    snprintf(path, sizeof path, "/proc/%d/fd", (int)s.pid);
    DIR *d = opendir(path);
    ck_assert_ptr_nonnull(d);
    rlim_t open_fds = 0;
    while (readdir(d) != NULL)
        open_fds++;
    closedir(d);
    none = (struct rlimit){.rlim_cur = open_fds - 2, .rlim_max = old.rlim_max}; /* less "." and ".." */
    ck_assert_int_eq(prlimit(s.pid, RLIMIT_NOFILE, &none, NULL), 0);
    const char *get = "GET /say-hi HTTP/1.1\r\nHost: x\r\n\r\n";
    int waiting = http_connect(s.port); /* the kernel accepts it; the server cannot */
    ck_assert_int_ge(waiting, 0);
    ck_assert_int_eq(write(waiting, get, strlen(get)), (ssize_t)strlen(get));
    usleep(350 * 1000); /* three retries */
    ck_assert_int_eq(prlimit(s.pid, RLIMIT_NOFILE, &old, NULL), 0);
    double t0 = test_now();
    ck_assert_int_eq(http_exchange(waiting, NULL, 0, &r, 5000), 200);
    ck_assert_msg(test_now() - t0 < 1.0, "served %.2f s after fds were back", test_now() - t0);
    close(waiting);
    test_server_output(&s, out, sizeof out, 200);
    const char *said = strstr(out, "cannot accept a connection: Too many open files; trying again every 100 ms\n");
    ck_assert_msg(said != NULL && strstr(said + 1, "cannot accept") == NULL, "said once? %s", out);
    ck_assert_int_eq(test_server_stop(&s, SIGTERM, 5000), 0);
}
END_TEST

START_TEST(access_log_line)
{
    struct test_server s;
    struct http_response r;
    static const char *const args[] = {"--access-log", NULL};
    char out[4096];
    ck_assert_int_eq(test_server_start(&s, args), 0);
    ck_assert_int_eq(http_get(s.port, "GET", "/say-hi?delay=20ms", &r), 200);
    ck_assert_int_eq(http_get(s.port, "GET", "/say-hi?delay=abc", &r), 400);
    ck_assert_int_eq(http_get(s.port, "GET", "/x%0aINFO%20forged\x01", &r), 404);
    int fd = http_connect(s.port);
    ck_assert_int_eq(http_exchange(fd, "GET /say-hi HTTP/1.1\r\n\r\n", 0, &r, 5000), 400); /* no Host */
    close(fd);
    test_server_output(&s, out, sizeof out, 500);
    char *line[5] = {NULL};
    int lines = 0;
    for (char *save = NULL, *l = strtok_r(out, "\n", &save); l != NULL && lines < 5; l = strtok_r(NULL, "\n", &save))
        if (strstr(l, " INFO ") != NULL)
            line[lines++] = l;
    ck_assert_msg(lines == 4, "%d log lines:\n%s", lines, out);
    int y, mo, d, h, mi, sec, ms;
    double took;
    char tail[8];
    ck_assert_msg(sscanf(line[0], "%4d-%2d-%2d %2d:%2d:%2d.%3d INFO GET /say-hi?delay=20ms 200 delay=20ms took=%lfms%1s",
                         &y, &mo, &d, &h, &mi, &sec, &ms, &took, tail) == 8,
                  "access log line: %s", line[0]);
    ck_assert_msg(took >= 20.0, "took=%.3fms for a 20ms delay", took);
    ck_assert_msg(strchr(strstr(line[0], "took="), '.') != NULL, "took has no fraction: %s", line[0]);
    ck_assert_msg(strstr(line[1], " INFO GET /say-hi?delay=abc 400 took=") != NULL &&
                      strstr(line[1], " error=\"invalid delay 'abc': expected DURATION, MIN..MAX") != NULL,
                  "%s", line[1]);
    ck_assert_msg(strstr(line[2], " INFO GET /x%0aINFO%20forged\\x01 404 took=") != NULL, "%s", line[2]);
    ck_assert_msg(strstr(line[3], " INFO - /say-hi 400 took=") != NULL && strstr(line[3], "libmicrohttpd") != NULL,
                  "%s", line[3]);
    ck_assert_int_eq(test_server_stop(&s, SIGINT, 5000), 0);
}
END_TEST

/* stdout that cannot be written ends the run as SIGTERM does, exit 1, not
 * a log silently lost: its reader gone (`sayhi-server --access-log | head
 * -1`), or a full disk at the listening line. A request in flight is still
 * answered (with one suspended, the first version aborted in
 * MHD_stop_daemon), a new connection is not taken. */
START_TEST(stdout_write_failure_exits_1)
{
    struct test_server s;
    struct http_response r;
    static const char *const args[] = {"--access-log", "--delay", "0", NULL};
    ck_assert_int_eq(test_server_start(&s, args), 0);
    int slow = http_connect(s.port);
    const char *req = "GET /say-hi?delay=1s HTTP/1.1\r\nHost: x\r\n\r\n";
    ck_assert_int_eq(write(slow, req, strlen(req)), (ssize_t)strlen(req));
    usleep(200000); /* it waits, suspended */
    close(s.out_fd); /* the pipe's only reader */
    s.out_fd = -1;
    ck_assert_int_eq(http_get(s.port, "GET", "/say-hi", &r), 200); /* its log line fails */
    usleep(300000);
    kill(s.pid, SIGTERM); /* the first signal of this stop, not a second one that ends its grace */
    ck_assert_int_eq(http_exchange(slow, NULL, 0, &r, 5000), 200);
    close(slow);
    ck_assert_int_eq(test_server_stop(&s, 0, 5000), 1); /* no signal: it stops by itself */

    const char *server = getenv("SAYHI_SERVER") != NULL ? getenv("SAYHI_SERVER") : "server/sayhi-server";
    const char *const full[] = {"-c", "exec \"$0\" --port 0 --quiet >/dev/full", server, NULL};
    char out[256], err[1024];
    ck_assert_int_eq(test_exec("/bin/sh", full, out, sizeof out, err, sizeof err, 10000, NULL), 1);
    ck_assert_msg(strstr(err, "sayhi-server: cannot write to stdout: No space left on device; stopping\n") != NULL,
                  "stderr: %s", err);
}
END_TEST

/* --quiet: what libmicrohttpd says about bad clients ("Not enough memory in
 * pool") is a notice, not an error: nothing is printed. */
START_TEST(quiet_is_quiet_about_bad_clients)
{
    struct test_server s;
    struct http_response r;
    static const char *const args[] = {"--quiet", NULL};
    char out[1024];
    ck_assert_int_eq(test_server_start(&s, args), 0);
    int fd = http_connect(s.port);
    ck_assert_int_eq(http_exchange(fd, "GET /say-hi HTTP/1.1\r\n\r\n", 0, &r, 5000), 400);
    close(fd);
    char big[6000];
    snprintf(big, sizeof big, "GET /say-hi HTTP/1.1\r\nHost: x\r\nX-Big: %05000d\r\n\r\n", 0);
    fd = http_connect(s.port);
    ck_assert_int_eq(http_exchange(fd, big, 0, &r, 5000), 431);
    close(fd);
    ck_assert_msg(test_server_output(&s, out, sizeof out, 300) == 0, "printed: %s", out);
    ck_assert_int_eq(test_server_stop(&s, SIGTERM, 5000), 0);
}
END_TEST

/* ::ffff:127.0.0.1 is 127.0.0.1 written as IPv6: it is served as such. */
START_TEST(bind_v4_mapped_address)
{
    struct test_server s;
    struct http_response r;
    static const char *const args[] = {"--bind", "::ffff:127.0.0.1", "--quiet", "--delay", "0", NULL};
    ck_assert_int_eq(test_server_start(&s, args), 0);
    char want[64];
    snprintf(want, sizeof want, "listening on http://127.0.0.1:%u", s.port);
    ck_assert_str_eq(s.first_line, want);
    ck_assert_int_eq(http_get(s.port, "GET", "/say-hi", &r), 200);
    ck_assert_int_eq(test_server_stop(&s, SIGTERM, 5000), 0);
}
END_TEST

/* Runs the server with args; checks the exit code and a needle in stderr
 * (for usage errors: exactly one line). */
static void expect_exit(const char *const *args, int code, const char *needle)
{
    char out[4096], err[4096];
    int rc = test_server_exec(args, out, sizeof out, err, sizeof err);
    ck_assert_msg(rc == code, "%s: exit %d, want %d (stderr: %s)", args[0], rc, code, err);
    const char *where = code == 0 ? out : err;
    ck_assert_msg(strstr(where, needle) != NULL, "%s: output lacks '%s': %s", args[0], needle, where);
    if (code == 2) {
        ck_assert_msg(strchr(err, '\n') == err + strlen(err) - 1, "usage error is not one line: %s", err);
        ck_assert_str_eq(out, "");
    }
}

START_TEST(bad_flags_exit_2)
{
    expect_exit((const char *const[]){"--port", "abc", NULL}, 2, "--port must be a whole number, got 'abc'");
    expect_exit((const char *const[]){"--port", "65536", NULL}, 2, "--port must be between 0 and 65535");
    expect_exit((const char *const[]){"--delay", "fast", NULL}, 2, "--delay: invalid delay 'fast': expected DURATION");
    expect_exit((const char *const[]){"--delay", "-1", NULL}, 2, "invalid delay '-1'");
    expect_exit((const char *const[]){"--delay", "2m", "--max-delay", "1m", NULL}, 2,
                "--delay: invalid delay '2m': it is above the server's --max-delay of 60s");
    expect_exit((const char *const[]){"--max-delay", "1s", "--delay", "lognormal:100ms,2s", NULL}, 2,
                "its 99th percentile is above the server's --max-delay of 1s");
    expect_exit((const char *const[]){"--max-delay", "500ms", NULL}, 2,
                "--max-delay: invalid delay '1s': it is above the server's --max-delay of 500ms (1s is the default "
                "--delay: give a --delay within it)");
    expect_exit((const char *const[]){"--status", "200:x", NULL}, 2, "--status: invalid status '200:x'");
    expect_exit((const char *const[]){"--fault", "boom", NULL}, 2, "--fault: invalid fault 'boom'");
    expect_exit((const char *const[]){"--size", "1G", NULL}, 2, "--size: invalid size '1G'");
    expect_exit((const char *const[]){"--max-size", "65M", NULL}, 2, "--max-size: invalid size '65M'");
    expect_exit((const char *const[]){"--seed", "x", NULL}, 2, "--seed must be a whole number, got 'x'");
    expect_exit((const char *const[]){"--max-connections", "0", NULL}, 2, "--max-connections");
    expect_exit((const char *const[]){"--grace", "nan", NULL}, 2, "--grace");
    expect_exit((const char *const[]){"--bogus", NULL}, 2, "unknown option '--bogus'");
    expect_exit((const char *const[]){"--delay", NULL}, 2, "--delay needs a value");
    expect_exit((const char *const[]){"extra", NULL}, 2, "unexpected argument 'extra'");
    expect_exit((const char *const[]){"--help", NULL}, 0, "--max-connections N");
    expect_exit((const char *const[]){"--version", NULL}, 0, "sayhi-server ");
}
END_TEST

START_TEST(port_in_use_exits_1)
{
    char port[16];
    snprintf(port, sizeof port, "%u", srv.port);
    expect_exit((const char *const[]){"--port", port, NULL}, 1, "Address already in use");
    expect_exit((const char *const[]){"--bind", "256.1.1.1", NULL}, 1, "cannot resolve --bind '256.1.1.1'");
}
END_TEST

START_TEST(low_fd_limit_is_announced)
{
    struct test_server s;
    struct rlimit rl = {.rlim_cur = 256, .rlim_max = 256}; /* this forked test process only */
    ck_assert_int_eq(setrlimit(RLIMIT_NOFILE, &rl), 0);
    static const char *const args[] = {"--max-connections", "1000", NULL};
    ck_assert_int_eq(test_server_start(&s, args), 0);
    ck_assert_msg(strstr(s.notices, "open-file limit is 256") != NULL &&
                      strstr(s.notices, "serving at most 224 connections") != NULL,
                  "notices: %s", s.notices);
    ck_assert_int_eq(test_server_stop(&s, SIGTERM, 5000), 0);

    /* so low that one connection is left: it is served */
    rl = (struct rlimit){.rlim_cur = 24, .rlim_max = 24};
    ck_assert_int_eq(setrlimit(RLIMIT_NOFILE, &rl), 0);
    static const char *const quick[] = {"--delay", "0", NULL};
    ck_assert_int_eq(test_server_start(&s, quick), 0);
    ck_assert_msg(strstr(s.notices, "serving at most 1 connection (") != NULL, "notices: %s", s.notices);
    struct http_response r;
    ck_assert_int_eq(http_get(s.port, "GET", "/say-hi", &r), 200);
    ck_assert_int_eq(test_server_stop(&s, SIGTERM, 5000), 0);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("integration");
    TCase *shared = testsuite_case(s, "shared-server", 60, start_shared, stop_shared);
    tcase_add_test(shared, listening_line_names_real_port);
    tcase_add_test(shared, say_hi_default_delay);
    tcase_add_test(shared, say_hi_delay_and_status_overrides);
    tcase_add_test(shared, say_hi_bad_parameters_are_400);
    tcase_add_test(shared, unknown_path_and_method);
    tcase_add_test(shared, healthz_and_stats);
    tcase_add_test(shared, head_has_headers_and_no_body);
    tcase_add_test(shared, keep_alive_reuses_one_connection);
    tcase_add_test(shared, thousand_concurrent_delayed_requests);
    tcase_add_test(shared, port_in_use_exits_1);

    TCase *own = testsuite_case(s, "own-server", 60, NULL, NULL);
    tcase_add_test(own, sigterm_lets_in_flight_requests_finish);
    tcase_add_test(own, grace_expiry_answers_503);
    tcase_add_test(own, second_signal_ends_the_grace);
    tcase_add_test(own, grace_ends_unfinished_requests_too);
    tcase_add_test(own, access_log_line);
    tcase_add_test(own, stdout_write_failure_exits_1);
    tcase_add_test(own, accepts_again_after_running_out_of_fds);
    tcase_add_test(own, quiet_is_quiet_about_bad_clients);
    tcase_add_test(own, bind_v4_mapped_address);
    tcase_add_test(own, accepts_again_after_the_connection_limit);
    tcase_add_test(own, closes_keep_up_under_load);
    tcase_add_test(own, connections_in_every_daemon_are_served);
    tcase_add_test(own, bad_flags_exit_2);
    tcase_add_test(own, low_fd_limit_is_announced);

    return testsuite_run(s);
}
