/* Bad input against the real server: each case has a clear outcome, and the
 * server goes on serving others afterwards. */
#include "testhttp.h"
#include "testsuite.h"

#include <check.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static struct test_server srv;

static void start(void)
{
    static const char *const args[] = {"--delay", "0", "--quiet", "--idle-timeout", "1s", NULL};
    ck_assert_int_eq(test_server_start(&srv, args), 0);
}

static void stop(void) { ck_assert_int_eq(test_server_stop(&srv, SIGTERM, 10000), 0); }

/* After any abuse, an ordinary request on a new connection still works. */
static void assert_still_serving(void)
{
    struct http_response r;
    ck_assert_int_eq(http_get(srv.port, "GET", "/say-hi", &r), 200);
}

/* Sends raw on a new connection; returns the status of the one response. */
static int send_raw(const char *raw, size_t len, struct http_response *r)
{
    int fd = http_connect(srv.port);
    ck_assert_int_ge(fd, 0);
    /* Large requests may be refused before they are fully written. */
    for (size_t off = 0; off < len;) {
        ssize_t w = write(fd, raw + off, len - off);
        if (w <= 0)
            break;
        off += (size_t)w;
    }
    int status = http_exchange(fd, NULL, 0, r, 5000);
    close(fd);
    return status;
}

static char *repeat(const char *head, char fill, size_t n, const char *tail)
{
    size_t hl = strlen(head), tl = strlen(tail);
    char *s = malloc(hl + n + tl + 1);
    memcpy(s, head, hl);
    memset(s + hl, fill, n);
    memcpy(s + hl + n, tail, tl + 1);
    return s;
}

START_TEST(malformed_request_lines_are_400)
{
    static const char *const lines[] = {
        "GARBAGE\r\n\r\n",
        "GET\r\n\r\n",
        "GET /say-hi HTTP/9.9\r\nHost: x\r\n\r\n",
        "GET /say-hi HTTP/1.1\r\nNo colon here\r\nHost: x\r\n\r\n",
        "GET /say-hi HTTP/1.1\r\n\r\n", /* HTTP/1.1 requires Host */
    };
    struct http_response r;
    for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++) {
        int status = send_raw(lines[i], strlen(lines[i]), &r);
        ck_assert_msg(status == 400 || status == 505 || (status == 0 && r.closed),
                      "request %zu answered %d", i, status);
        assert_still_serving();
    }
}
END_TEST

START_TEST(oversized_request_line_and_headers_are_refused)
{
    struct http_response r;
    char *line = repeat("GET /say-hi?pad=", 'a', 9000, " HTTP/1.1\r\nHost: x\r\n\r\n");
    int status = send_raw(line, strlen(line), &r);
    ck_assert_msg(status == 414 || status == 431 || status == 0, "9 KB request line answered %d", status);
    free(line);
    assert_still_serving();

    char *header = repeat("GET /say-hi HTTP/1.1\r\nHost: x\r\nX-Big: ", 'b', 9000, "\r\n\r\n");
    status = send_raw(header, strlen(header), &r);
    ck_assert_msg(status == 431 || status == 0, "9 KB header answered %d", status);
    free(header);
    assert_still_serving();

    /* Thousands of small headers overflow the same per-connection memory. */
    size_t n = 3000, len = 0;
    char *many = malloc(n * 16 + 64);
    len += (size_t)sprintf(many, "GET /say-hi HTTP/1.1\r\nHost: x\r\n");
    for (size_t i = 0; i < n; i++)
        len += (size_t)sprintf(many + len, "X-%zu: v\r\n", i);
    len += (size_t)sprintf(many + len, "\r\n");
    status = send_raw(many, len, &r);
    ck_assert_msg(status == 431 || status == 0, "3000 headers answered %d", status);
    free(many);
    assert_still_serving();
}
END_TEST

START_TEST(post_with_body_is_405_and_keeps_the_connection)
{
    struct http_response r;
    int fd = http_connect(srv.port);
    ck_assert_int_ge(fd, 0);
    const char *post = "POST /say-hi HTTP/1.1\r\nHost: x\r\nContent-Length: 11\r\n\r\nhello world";
    ck_assert_int_eq(http_exchange(fd, post, 0, &r, 5000), 405);
    ck_assert(!r.closed);
    /* The body was consumed, not taken for the next request. */
    ck_assert_int_eq(http_exchange(fd, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n", 0, &r, 5000), 200);
    close(fd);
}
END_TEST

START_TEST(http10_without_host_is_served)
{
    struct http_response r;
    const char *req = "GET /say-hi HTTP/1.0\r\n\r\n";
    ck_assert_int_eq(send_raw(req, strlen(req), &r), 200);
    ck_assert_str_eq(r.body, "{\"message\":\"Hi\",\"delay_ms\":0}");
}
END_TEST

START_TEST(pipelined_requests_answered_in_order)
{
    struct http_response r;
    int fd = http_connect(srv.port);
    ck_assert_int_ge(fd, 0);
    const char *three = "GET /say-hi?delay=30ms HTTP/1.1\r\nHost: x\r\n\r\n"
                        "GET /say-hi?status=201&delay=0 HTTP/1.1\r\nHost: x\r\n\r\n"
                        "GET /nope HTTP/1.1\r\nHost: x\r\n\r\n";
    ck_assert_int_eq(http_exchange(fd, three, 0, &r, 5000), 200);
    ck_assert_str_eq(r.body, "{\"message\":\"Hi\",\"delay_ms\":30}");
    ck_assert_int_eq(http_exchange(fd, NULL, 0, &r, 5000), 201);
    ck_assert_int_eq(http_exchange(fd, NULL, 0, &r, 5000), 404);
    close(fd);
}
END_TEST

START_TEST(silent_clients_time_out_and_starve_no_one)
{
    int idle[20];
    char buf[16];
    for (int i = 0; i < 20; i++)
        ck_assert_int_ge(idle[i] = http_connect(srv.port), 0);
    assert_still_serving(); /* while 20 connections say nothing */
    double t0 = test_now();
    for (int i = 0; i < 20; i++) {
        ck_assert_int_eq(read(idle[i], buf, sizeof buf), 0); /* closed by the server */
        close(idle[i]);
    }
    double took = test_now() - t0;
    ck_assert_msg(took < 4.0, "idle connections closed only after %.1fs (--idle-timeout 1s)", took);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("badinput");
    TCase *tc = testsuite_case(s, "server", 30, start, stop);
    tcase_add_test(tc, malformed_request_lines_are_400);
    tcase_add_test(tc, oversized_request_line_and_headers_are_refused);
    tcase_add_test(tc, post_with_body_is_405_and_keeps_the_connection);
    tcase_add_test(tc, http10_without_host_is_served);
    tcase_add_test(tc, pipelined_requests_answered_in_order);
    tcase_add_test(tc, silent_clients_time_out_and_starve_no_one);
    return testsuite_run(s);
}
