/* Integration tests of sayhi-server as a realistic slow API: seeded draws
 * that repeat, status mixes, faults seen on the wire and through both
 * clients, padded and dripped bodies, fail_first, ignored parameters and
 * what /stats adds. Statistics with a fixed seed and honest bounds; the
 * distributions themselves are checked in the unit suite. */
#include "testclient.h"
#include "testhttp.h"
#include "testsuite.h"

#include <check.h>
#include <cjson/cJSON.h>
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static struct tc_run r; /* large buffers: static, one run at a time */
static struct test_server srv;

static void start_shared(void)
{
    static const char *const args[] = {"--delay", "0", "--quiet", "--seed", "42", "--max-delay", "2s", NULL};
    ck_assert_int_eq(test_server_start(&srv, args), 0);
}

static void stop_shared(void) { test_server_stop(&srv, SIGTERM, 10000); }

static cJSON *get_json(unsigned port, const char *target, int *status)
{
    struct http_response resp;
    *status = http_get(port, "GET", target, &resp);
    cJSON *o = cJSON_Parse(resp.body);
    ck_assert_msg(o != NULL, "%s: body is not JSON: %s", target, resp.body);
    return o;
}

static double num(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItem(o, key);
    ck_assert_msg(cJSON_IsNumber(v), "no number '%s'", key);
    return v->valuedouble;
}

/* The delays and statuses of n requests to target, as text. */
static void draws(unsigned port, const char *target, int n, char *out, size_t len)
{
    size_t used = 0;
    out[0] = '\0';
    for (int i = 0; i < n; i++) {
        int status;
        cJSON *o = get_json(port, target, &status);
        used += (size_t)snprintf(out + used, len - used, "%g/%d ", num(o, "delay_ms"), status);
        cJSON_Delete(o);
    }
}

/* The same seed and the same order of arrival give the same run; ?seed=
 * makes a request depend on its own seed alone. */
START_TEST(seeded_runs_repeat)
{
    const char *target = "/say-hi?delay=0..20ms&status=200:0.5,503:0.5";
    char first[2048], second[2048], other[2048];
    struct test_server a;
    static const char *const args[] = {"--delay", "0", "--quiet", "--seed", "7", NULL};
    for (int i = 0; i < 2; i++) {
        ck_assert_int_eq(test_server_start(&a, args), 0);
        draws(a.port, target, 30, i == 0 ? first : second, sizeof first);
        test_server_stop(&a, SIGTERM, 5000);
    }
    ck_assert_str_eq(first, second);
    draws(srv.port, target, 30, other, sizeof other); /* seed 42 */
    ck_assert_str_ne(first, other);
    /* ?seed=: the same answer from servers of different seeds */
    draws(srv.port, "/say-hi?delay=0..20ms&status=200:0.5,503:0.5&seed=99", 3, other, sizeof other);
    ck_assert_int_eq(test_server_start(&a, args), 0);
    draws(a.port, "/say-hi?delay=0..20ms&status=200:0.5,503:0.5&seed=99", 3, second, sizeof second);
    test_server_stop(&a, SIGTERM, 5000);
    ck_assert_str_eq(other, second);
}
END_TEST

/* 1,000 draws of 200:0.7,503:0.3: the 503s are binomial (mean 300, sd
 * 14.5); 5 sd either side never fails by chance (about 1 in 1.7 million). */
START_TEST(status_mix_within_binomial_bounds)
{
    int n503 = 0, n200 = 0;
    for (int i = 0; i < 1000; i++) {
        struct http_response resp;
        int status = http_get(srv.port, "GET", "/say-hi?status=200:0.7,503:0.3", &resp);
        n503 += status == 503;
        n200 += status == 200;
    }
    ck_assert_int_eq(n503 + n200, 1000);
    ck_assert_msg(n503 >= 228 && n503 <= 372, "%d of 1000 were 503", n503);
}
END_TEST

/* Sends a GET on a new connection and reads everything until EOF, reset or
 * timeout_ms. Returns the bytes read; *err is the read's errno (0 at EOF,
 * ETIMEDOUT when nothing ended it). */
static size_t raw_get(const char *target, char *buf, size_t len, int timeout_ms, int *err, double *first_s,
                      double *last_s)
{
    char req[512];
    snprintf(req, sizeof req, "GET %s HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", target);
    int fd = http_connect(srv.port);
    ck_assert_int_ge(fd, 0);
    double t0 = test_now();
    ck_assert_int_eq(write(fd, req, strlen(req)), (ssize_t)strlen(req));
    size_t n = http_read_to_end(fd, buf, len, t0, timeout_ms, err, first_s, last_s);
    close(fd);
    return n;
}

/* Each fault as it looks on the wire. */
START_TEST(faults_on_the_wire)
{
    static char buf[1 << 16];
    int err;
    size_t n = raw_get("/say-hi?fault=reset", buf, sizeof buf, 3000, &err, NULL, NULL);
    ck_assert_msg(n == 0 && err == ECONNRESET, "reset: %zu bytes, %s", n, strerror(err));
    n = raw_get("/say-hi?fault=close", buf, sizeof buf, 3000, &err, NULL, NULL);
    ck_assert_msg(n == 0 && err == 0, "close: %zu bytes, %s", n, strerror(err));
    n = raw_get("/say-hi?fault=garbage", buf, sizeof buf, 3000, &err, NULL, NULL);
    ck_assert_msg(n >= 64 && err == 0 && memcmp(buf, "HTTP/", 5) != 0, "garbage: %zu bytes, %s", n, strerror(err));
    n = raw_get("/say-hi?fault=truncate&size=1000", buf, sizeof buf, 3000, &err, NULL, NULL);
    char *body = memmem(buf, n, "\r\n\r\n", 4);
    ck_assert_msg(n > 0 && strncmp(buf, "HTTP/1.1 200", 12) == 0 && memmem(buf, n, "Content-Length: 1000\r\n", 22) &&
                      body != NULL && n - (size_t)(body + 4 - buf) == 500 && err == 0,
                  "truncate: %zu bytes: %.*s", n, (int)(n < 200 ? n : 200), buf);
    double t0 = test_now();
    n = raw_get("/say-hi?fault=hang", buf, sizeof buf, 500, &err, NULL, NULL);
    ck_assert_msg(n == 0 && err == ETIMEDOUT && test_now() - t0 >= 0.45, "hang: %zu bytes, %s", n, strerror(err));
}
END_TEST

/* A hang ends when --max-delay passes, or when the client leaves. */
START_TEST(hang_is_held_until_max_delay_or_the_client_leaves)
{
    struct test_server s;
    static const char *const args[] = {"--delay", "0", "--quiet", "--max-delay", "1s", NULL};
    ck_assert_int_eq(test_server_start(&s, args), 0);
    int fd = http_connect(s.port);
    const char *req = "GET /say-hi?fault=hang HTTP/1.1\r\nHost: x\r\n\r\n";
    ck_assert_int_eq(write(fd, req, strlen(req)), (ssize_t)strlen(req));
    double t0 = test_now();
    char c;
    ck_assert_int_eq(read(fd, &c, 1), 0); /* closed, not answered */
    double held = test_now() - t0;
    ck_assert_msg(held >= 0.9 && held < 3.0, "held %.2fs with --max-delay 1s", held);
    close(fd);
    /* a client that leaves ends the hold: in_flight drops back to 0 */
    fd = http_connect(s.port);
    ck_assert_int_eq(write(fd, req, strlen(req)), (ssize_t)strlen(req));
    usleep(100000);
    close(fd);
    usleep(300000);
    int status;
    cJSON *o = get_json(s.port, "/stats", &status);
    ck_assert_int_eq((int)num(o, "in_flight"), 0);
    ck_assert_int_eq((int)num(cJSON_GetObjectItem(o, "faults"), "hang"), 2);
    cJSON_Delete(o);
    ck_assert_int_eq(test_server_stop(&s, SIGTERM, 5000), 0);
}
END_TEST

/* Each fault through both clients lands in the error kind the README says. */
START_TEST(faults_through_the_clients)
{
    static const struct {
        const char *fault, *kind;
    } cases[] = {{"reset", "closed"}, {"close", "closed"}, {"garbage", "bad_status"}, {"truncate", "closed"},
                 {"hang", "timeout"}};
    const char *which = tc_clients[_i % 2];
    const char *fault = cases[_i / 2].fault, *kind = cases[_i / 2].kind;
    char target[64];
    snprintf(target, sizeof target, "/say-hi?fault=%s", fault);
    tc_run(&r, which,
           (const char *const[]){"--number", "3", "--timeout", "300ms", "--no-keepalive", "--json", "--url",
                                 tc_url(srv.port, target), NULL},
           15000);
    ck_assert_msg(r.rc == 1, "%s, %s: exit %d (%s)", which, fault, r.rc, r.err);
    cJSON *o = tc_json(&r);
    ck_assert_msg((int)tc_num(cJSON_GetObjectItem(o, "errors"), kind) == 3, "%s, fault %s: want 3 %s: %s", which,
                  fault, kind, r.out);
    cJSON_Delete(o);
}
END_TEST

/* ?size=N: a JSON object of exactly N bytes with message and delay_ms. */
START_TEST(payload_sizes_are_exact_json)
{
    static const int sizes[] = {1, 29, 30, 31, 38, 39, 40, 100, 1000, 100 * 1024, 1 << 20};
    static char buf[(1 << 20) + 4096];
    int err;
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        char target[64];
        snprintf(target, sizeof target, "/say-hi?size=%d", sizes[i]);
        size_t n = raw_get(target, buf, sizeof buf - 1, 5000, &err, NULL, NULL);
        buf[n] = '\0';
        char *body = strstr(buf, "\r\n\r\n");
        ck_assert_msg(body != NULL && strncmp(buf, "HTTP/1.1 200", 12) == 0, "size %d: %.100s", sizes[i], buf);
        body += 4;
        size_t len = n - (size_t)(body - buf);
        size_t want = sizes[i] < 29 ? 29 : (size_t)sizes[i]; /* {"message":"Hi","delay_ms":0} is 29 */
        ck_assert_msg(len == want, "size %d: body of %zu bytes", sizes[i], len);
        ck_assert_msg(strlen(body) == len, "size %d: a NUL at byte %zu of the body", sizes[i], strlen(body));
        cJSON *o = cJSON_Parse(body);
        ck_assert_msg(o != NULL && cJSON_IsString(cJSON_GetObjectItem(o, "message")) &&
                          cJSON_IsNumber(cJSON_GetObjectItem(o, "delay_ms")),
                      "size %d: not the JSON object: %.80s", sizes[i], body);
        cJSON_Delete(o);
    }
}
END_TEST

/* ?drip=: the headers at the delay, the body spread over the drip. */
START_TEST(drip_spreads_the_body)
{
    static char buf[4096];
    int err;
    double first = -1, last = -1;
    size_t n = raw_get("/say-hi?delay=200ms&drip=600ms&size=300", buf, sizeof buf, 5000, &err, &first, &last);
    char *body = memmem(buf, n, "\r\n\r\n", 4);
    ck_assert_msg(body != NULL && n - (size_t)(body + 4 - buf) == 300, "drip: %zu bytes", n);
    ck_assert_msg(first >= 0.19 && first < 0.5, "first byte after %.3fs (delay 200ms)", first);
    ck_assert_msg(last >= 0.78 && last < 2.0, "last byte after %.3fs (delay 200ms + drip 600ms)", last);
}
END_TEST

/* ?fail_first=N&key=K: the first N with that key fail, then they succeed. */
START_TEST(fail_first_counts_per_key)
{
    static const struct {
        const char *target;
        int status;
    } steps[] = {
        {"/say-hi?fail_first=2&key=a", 503},          {"/say-hi?fail_first=2&key=a", 503},
        {"/say-hi?fail_first=2&key=b&status=500", 500}, {"/say-hi?fail_first=2&key=a", 200},
        {"/say-hi?fail_first=2&key=a", 200},          {"/say-hi?fail_first=2&key=b&status=500", 500},
        {"/say-hi?fail_first=2&key=b&status=500", 200},
    };
    struct http_response resp;
    for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++)
        ck_assert_msg(http_get(srv.port, "GET", steps[i].target, &resp) == steps[i].status, "step %zu: %s got %d",
                      i, steps[i].target, resp.status);
    ck_assert_int_eq(http_get(srv.port, "GET", "/say-hi?fail_first=1", &resp), 400);
    ck_assert_msg(strstr(resp.body, "fail_first needs a key") != NULL, "%s", resp.body);
}
END_TEST

/* Bad grammar is a 400 that names the value. */
START_TEST(bad_values_are_400_naming_them)
{
    static const struct {
        const char *target, *needle;
    } cases[] = {
        {"/say-hi?delay=lognormal:1s,100ms", "lognormal:1s,100ms"},
        {"/say-hi?delay=normal:1s", "normal:1s"},
        {"/say-hi?delay=lognormal:100ms,5s", "above the server's --max-delay of 2s"},
        {"/say-hi?status=200:x", "200:x"},
        {"/say-hi?status=200:0.5,200:0.5", "200:0.5,200:0.5"},
        {"/say-hi?fault=explode", "explode"},
        {"/say-hi?fault=reset:0.7,close:0.7", "reset:0.7,close:0.7"},
        {"/say-hi?size=1G", "1G"},
        {"/say-hi?size=17M", "17M"},
        {"/say-hi?drip=soon", "soon"},
        {"/say-hi?seed=-1", "seed '-1'"},
        {"/say-hi?fail_first=x&key=a", "fail_first 'x'"},
    };
    struct http_response resp;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int status = http_get(srv.port, "GET", cases[i].target, &resp);
        ck_assert_msg(status == 400 && strstr(resp.body, cases[i].needle) != NULL, "%s: %d %s", cases[i].target,
                      status, resp.body);
    }
}
END_TEST

/* A parameter the server does not know is not an error, but is named. */
START_TEST(ignored_parameters_are_named)
{
    struct http_response resp;
    char ignored[128] = "";
    ck_assert_int_eq(http_get(srv.port, "GET", "/say-hi?dealy=2s&x=1&delay=0", &resp), 200);
    ck_assert_int_eq(http_header(&resp, "X-Sayhi-Ignored", ignored, sizeof ignored), 0);
    ck_assert_str_eq(ignored, "dealy, x");
    ck_assert_int_eq(http_get(srv.port, "GET", "/say-hi?delay=0", &resp), 200);
    ck_assert_int_ne(http_header(&resp, "X-Sayhi-Ignored", ignored, sizeof ignored), 0);
}
END_TEST

/* /stats: the seed, body bytes, faults by kind, capped delays and the
 * distribution of the delays drawn. */
START_TEST(stats_adds_what_was_drawn)
{
    struct test_server s;
    static const char *const args[] = {"--quiet", "--seed", "18446744073709551615", "--max-delay", "10ms",
                                       "--delay", "0", NULL};
    ck_assert_int_eq(test_server_start(&s, args), 0);
    struct http_response resp;
    /* p99 9.7ms is under --max-delay; a draw above 10ms has p(z > 2.5) = 0.6%: about 4 of 600 */
    for (int i = 0; i < 600; i++)
        http_get(s.port, "GET", "/say-hi?delay=normal:6ms,1.6ms", &resp);
    http_get(s.port, "GET", "/say-hi?fault=close&delay=0", &resp);
    http_get(s.port, "GET", "/say-hi?size=1000&delay=0", &resp);
    ck_assert_int_eq(http_get(s.port, "GET", "/stats", &resp), 200);
    ck_assert_msg(strstr(resp.body, "\"seed\":18446744073709551615,") != NULL, "%s", resp.body);
    cJSON *o = cJSON_Parse(resp.body);
    ck_assert_int_ge((int)num(o, "bytes_sent"), 600 * 29 + 1000);
    ck_assert_int_eq((int)num(cJSON_GetObjectItem(o, "faults"), "close"), 1);
    ck_assert_int_eq((int)num(cJSON_GetObjectItem(o, "faults"), "reset"), 0);
    int capped = (int)num(o, "delays_capped");
    ck_assert_msg(capped >= 0 && capped <= 12, "%d capped", capped);
    const cJSON *d = cJSON_GetObjectItem(o, "delay_ms");
    ck_assert_msg(num(d, "min") >= 0 && num(d, "p50") > 5 && num(d, "p50") < 7 && num(d, "max") <= 10,
                  "%s", resp.body);
    cJSON_Delete(o);
    ck_assert_int_eq(test_server_stop(&s, SIGTERM, 5000), 0);
}
END_TEST

/* /family/ID: the seeded family over HTTP, with the /say-hi parameters. */
START_TEST(family_pages)
{
    struct test_server a;
    static const char *const args[] = {"--delay", "0", "--quiet", "--seed", "42", "--family", "50", NULL};
    ck_assert_int_eq(test_server_start(&a, args), 0);
    static struct http_response resp, again;
    static char first[4096];
    ck_assert_int_eq(http_get(a.port, "GET", "/family/20?delay=30ms&x=1", &resp), 200);
    snprintf(first, sizeof first, "%s", resp.body);
    cJSON *o = cJSON_Parse(resp.body);
    ck_assert_msg(o != NULL && (int)num(o, "id") == 20 && cJSON_IsString(cJSON_GetObjectItem(o, "name")) &&
                      cJSON_GetArraySize(cJSON_GetObjectItem(o, "parents")) == 2,
                  "%s", resp.body);
    const cJSON *link = cJSON_GetArrayItem(cJSON_GetObjectItem(o, "links"), 0);
    ck_assert_msg(strstr(link->valuestring, "?delay=30ms&x=1") != NULL, "%s", resp.body);
    cJSON_Delete(o);
    ck_assert_int_eq(http_get(a.port, "GET", "/family/51", &resp), 404);
    ck_assert_msg(strstr(resp.body, "ids go from 1 to 50") != NULL, "%s", resp.body);
    ck_assert_int_eq(http_get(a.port, "GET", "/family/3?status=503", &resp), 503);
    ck_assert_int_eq(http_get(a.port, "GET", "/family/3?size=1k", &resp), 400);
    int status;
    o = get_json(a.port, "/stats", &status);
    ck_assert_int_eq((int)num(o, "family_pages"), 1);
    cJSON_Delete(o);
    test_server_stop(&a, SIGTERM, 5000);
    /* the same seed, the same family; the delay applies */
    ck_assert_int_eq(test_server_start(&a, args), 0);
    double t0 = test_now();
    ck_assert_int_eq(http_get(a.port, "GET", "/family/20?delay=30ms&x=1", &again), 200);
    ck_assert_msg(test_now() - t0 >= 0.029, "answered before the delay");
    ck_assert_str_eq(again.body, first);
    test_server_stop(&a, SIGTERM, 5000);
}
END_TEST

/* A head that leaves the connection's 4 KB pool little room must not make
 * libmicrohttpd abort on a large padded body (it copies the iovec entries
 * into the pool): the answer is the body, a JSON 431, or (past what even a
 * 431 needs) a closed connection; the server lives on. */
START_TEST(large_heads_with_large_bodies)
{
    static char req[8192], buf[1 << 16];
    for (int n = 2800; n <= 3800; n += 50) {
        int len = snprintf(req, sizeof req, "GET /say-hi?size=16M HTTP/1.1\r\nHost: x\r\nX-C: ");
        memset(req + len, 'a', (size_t)n);
        len += n;
        len += snprintf(req + len, sizeof req - (size_t)len, "\r\nConnection: close\r\n\r\n");
        int fd = http_connect(srv.port);
        ck_assert_int_ge(fd, 0);
        ck_assert_int_eq(write(fd, req, (size_t)len), len);
        char status[13] = "";
        ssize_t got = read(fd, status, 12);
        while (got > 0 && read(fd, buf, sizeof buf) > 0) /* drain the 16 MB */
            ;
        close(fd);
        ck_assert_msg(got <= 0 || strcmp(status, "HTTP/1.1 200") == 0 || strcmp(status, "HTTP/1.1 431") == 0,
                      "header of %d bytes: %s", n, status);
        struct http_response r2;
        ck_assert_msg(http_get(srv.port, "GET", "/healthz", &r2) == 200, "the server died at a header of %d bytes", n);
    }
}
END_TEST

/* SIGTERM while a drip waits on a client that reads nothing: after --grace
 * the rest goes at once and the server exits 0; it used to re-suspend the
 * connection and abort in MHD_stop_daemon. */
START_TEST(sigterm_during_a_drip)
{
    struct test_server s;
    static const char *const args[] = {"--grace", "500ms", "--quiet", NULL};
    ck_assert_int_eq(test_server_start(&s, args), 0);
    int fd = socket(AF_INET, SOCK_STREAM, 0), small = 4096;
    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &small, sizeof small);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)s.port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ck_assert_int_eq(connect(fd, (struct sockaddr *)&a, sizeof a), 0);
    const char *req = "GET /say-hi?delay=0&size=16M&drip=10s HTTP/1.1\r\nHost: x\r\n\r\n";
    ck_assert_int_eq(write(fd, req, strlen(req)), (ssize_t)strlen(req));
    usleep(500000);
    kill(s.pid, SIGTERM);
    usleep(700000); /* the grace ends while the drip is blocked on the client */
    static char buf[1 << 20];
    size_t total = 0;
    for (ssize_t n; (n = read(fd, buf, sizeof buf)) > 0;)
        total += (size_t)n;
    close(fd);
    ck_assert_msg(total > 16 * 1024 * 1024, "read %zu bytes", total);
    ck_assert_int_eq(test_server_stop(&s, 0, 5000), 0);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("realistic");
    TCase *shared = testsuite_case(s, "shared-server", 120, start_shared, stop_shared);
    tcase_add_test(shared, seeded_runs_repeat);
    tcase_add_test(shared, status_mix_within_binomial_bounds);
    tcase_add_test(shared, faults_on_the_wire);
    tcase_add_loop_test(shared, faults_through_the_clients, 0, 10);
    tcase_add_test(shared, payload_sizes_are_exact_json);
    tcase_add_test(shared, drip_spreads_the_body);
    tcase_add_test(shared, fail_first_counts_per_key);
    tcase_add_test(shared, bad_values_are_400_naming_them);
    tcase_add_test(shared, ignored_parameters_are_named);
    tcase_add_test(shared, large_heads_with_large_bodies);
    TCase *own = testsuite_case(s, "own-server", 60, NULL, NULL);
    tcase_add_test(own, hang_is_held_until_max_delay_or_the_client_leaves);
    tcase_add_test(own, stats_adds_what_was_drawn);
    tcase_add_test(own, family_pages);
    tcase_add_test(own, sigterm_during_a_drip);
    return testsuite_run(s);
}
