/* Bad input against the real server: each case has a clear outcome, and the
 * server goes on serving others afterwards. */
#include "testhttp.h"
#include "testsuite.h"

#include <check.h>
#include <cjson/cJSON.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* What the server reads in a request target (server/target.h). */
#define TARGET_BYTES 2048

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
    /* Past what the 4 KB connection pool holds libmicrohttpd answers by
     * itself (HTML, not JSON): still an answer, never a silent close. */
    char *line = repeat("GET /say-hi?pad=", 'a', 9000, " HTTP/1.1\r\nHost: x\r\n\r\n");
    int status = send_raw(line, strlen(line), &r);
    ck_assert_msg(status == 414 || status == 431, "9 KB request line answered %d", status);
    free(line);
    assert_still_serving();

    char *header = repeat("GET /say-hi HTTP/1.1\r\nHost: x\r\nX-Big: ", 'b', 9000, "\r\n\r\n");
    status = send_raw(header, strlen(header), &r);
    ck_assert_msg(status == 431, "9 KB header answered %d", status);
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
    ck_assert_msg(status == 431, "3000 headers answered %d", status);
    free(many);
    assert_still_serving();
}
END_TEST

/* GET target on a new connection, as curl would send it. */
static int get_target(const char *target, struct http_response *r)
{
    char raw[8192];
    snprintf(raw, sizeof raw, "GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: curl/7.88.1\r\nAccept: */*\r\n\r\n",
             target);
    return send_raw(raw, strlen(raw), r);
}

static void assert_json_error(const struct http_response *r, int status, const char *needle)
{
    ck_assert_msg(r->status == status && strstr(r->body, "{\"error\":\"") == r->body && strstr(r->body, needle) != NULL,
                  "want %d with '%s', got %d: %s", status, needle, r->status, r->body);
}

/* Real clients send long query strings: up to 2 KB and 100 parameters are
 * read (the last one counts too); past either, a JSON 414 names the limit.
 * libmicrohttpd used to store each parameter in the 4 KB connection pool:
 * 55 got a 431, 60 a silent close. */
START_TEST(long_queries_are_served_or_refused_in_json)
{
    struct http_response r;
    char q[4096];
    int n = snprintf(q, sizeof q, "/say-hi?");
    for (int i = 0; i < 99; i++)
        n += snprintf(q + n, sizeof q - (size_t)n, "p%d=v&", i);
    snprintf(q + n, sizeof q - (size_t)n, "status=201");
    ck_assert_int_eq(get_target(q, &r), 201); /* the 100th parameter was read */
    snprintf(q + n, sizeof q - (size_t)n, "status=201&x=1");
    get_target(q, &r);
    assert_json_error(&r, 414, "more than 100 parameters");

    memset(q, 'a', sizeof q - 1);
    memcpy(q, "/say-hi?x=", 10);
    q[TARGET_BYTES] = '\0';
    ck_assert_int_eq(get_target(q, &r), 200);
    q[TARGET_BYTES] = 'a';
    q[TARGET_BYTES + 1] = '\0';
    get_target(q, &r);
    assert_json_error(&r, 414, "2049 bytes, over the 2048");
    q[TARGET_BYTES + 1] = 'a';
    q[3000] = '\0';
    get_target(q, &r);
    assert_json_error(&r, 414, "3000 bytes");
    assert_still_serving();
}
END_TEST

/* A %00 does not cut a value or a path short: 1%00junk is no delay, and
 * /say-hi%00junk is no path of ours. */
START_TEST(percent_00_is_not_the_end)
{
    struct http_response r;
    double t0 = test_now();
    get_target("/say-hi?delay=1%00junk", &r);
    assert_json_error(&r, 400, "invalid delay '1%00junk'");
    ck_assert_msg(test_now() - t0 < 0.5, "waited %.2fs before the 400", test_now() - t0);
    get_target("/say-hi?status=201%00x", &r);
    assert_json_error(&r, 400, "invalid status '201%00x'");
    get_target("/say-hi%00junk", &r);
    assert_json_error(&r, 404, "no such path '/say-hi%00junk'");
    ck_assert_int_eq(get_target("/say-h%69?x=%00", &r), 200); /* decoded path; a NUL in an unknown value is fine */
}
END_TEST

/* A raw NUL in the request line (libmicrohttpd refuses none) does not cut
 * the target short either, nor let a query past it reach MHD's parser. */
START_TEST(raw_nul_in_the_target_is_400)
{
    static const char *const reqs[] = {"GET /say-hi\0junk HTTP/1.1\r\nHost: x\r\n\r\n",
                                       "GET /say-hi?status=201\0junk HTTP/1.1\r\nHost: x\r\n\r\n"};
    static const size_t lens[] = {sizeof "GET /say-hi\0junk HTTP/1.1\r\nHost: x\r\n\r\n" - 1,
                                  sizeof "GET /say-hi?status=201\0junk HTTP/1.1\r\nHost: x\r\n\r\n" - 1};
    struct http_response r;
    for (size_t i = 0; i < 2; i++) {
        send_raw(reqs[i], lens[i], &r);
        assert_json_error(&r, 400, "raw NUL");
    }
    /* "/say-hi\0?" and 100 parameters: MHD would parse them into its pool */
    char big[2048];
    size_t n = (size_t)snprintf(big, sizeof big, "GET /say-hi");
    big[n++] = '\0';
    n += (size_t)snprintf(big + n, sizeof big - n, "?");
    for (int k = 0; k < 100; k++)
        n += (size_t)snprintf(big + n, sizeof big - n, "k%d=v&", k);
    n += (size_t)snprintf(big + n, sizeof big - n, " HTTP/1.1\r\nHost: x\r\n\r\n");
    send_raw(big, n, &r);
    assert_json_error(&r, 400, "raw NUL");
    assert_still_serving();
}
END_TEST

/* RFC 9112 3.2.2: a server must accept a target in absolute form. */
START_TEST(absolute_form_is_served)
{
    struct http_response r;
    char target[128];
    snprintf(target, sizeof target, "http://127.0.0.1:%u/say-hi?status=202", srv.port);
    ck_assert_int_eq(get_target(target, &r), 202);
    ck_assert_str_eq(r.body, "{\"message\":\"Hi\",\"delay_ms\":0}");
    ck_assert_int_eq(get_target("HTTP://example.com/nope", &r), 404);
    ck_assert_int_eq(get_target("HTTP://example.com", &r), 200); /* no path: "/", the dashboard */
}
END_TEST

/* A number of /stats: top-level key, or the count of status code. */
static int stat_of(const char *key, const char *code)
{
    struct http_response r;
    ck_assert_int_eq(http_get(srv.port, "GET", "/stats", &r), 200);
    cJSON *o = cJSON_Parse(r.body);
    const cJSON *v = code != NULL ? cJSON_GetObjectItem(cJSON_GetObjectItem(o, "status_codes"), code)
                                  : cJSON_GetObjectItem(o, key);
    int n = cJSON_IsNumber(v) ? v->valueint : 0;
    cJSON_Delete(o);
    return n;
}

/* /stats counts every response sent, the ones libmicrohttpd writes by itself
 * (400 for a missing Host, 431 for headers past the pool) included. */
START_TEST(stats_count_responses_libmicrohttpd_sends)
{
    struct http_response r;
    int requests = stat_of("requests", NULL), c400 = stat_of(NULL, "400"), c431 = stat_of(NULL, "431");
    const char *no_host = "GET /say-hi HTTP/1.1\r\n\r\n";
    ck_assert_int_eq(send_raw(no_host, strlen(no_host), &r), 400);
    char *header = repeat("GET /say-hi HTTP/1.1\r\nHost: x\r\nX-Big: ", 'b', 9000, "\r\n\r\n");
    ck_assert_int_eq(send_raw(header, strlen(header), &r), 431);
    free(header);
    /* requests: the two above and the /stats that reads c400 (c431 read it before) */
    ck_assert_int_eq(stat_of("requests", NULL) - requests, 5);
    ck_assert_int_eq(stat_of(NULL, "400") - c400, 1);
    ck_assert_int_eq(stat_of(NULL, "431") - c431, 1);
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
    tcase_add_test(tc, long_queries_are_served_or_refused_in_json);
    tcase_add_test(tc, percent_00_is_not_the_end);
    tcase_add_test(tc, absolute_form_is_served);
    tcase_add_test(tc, raw_nul_in_the_target_is_400);
    tcase_add_test(tc, stats_count_responses_libmicrohttpd_sends);
    tcase_add_test(tc, post_with_body_is_405_and_keeps_the_connection);
    tcase_add_test(tc, http10_without_host_is_served);
    tcase_add_test(tc, pipelined_requests_answered_in_order);
    tcase_add_test(tc, silent_clients_time_out_and_starve_no_one);
    return testsuite_run(s);
}
