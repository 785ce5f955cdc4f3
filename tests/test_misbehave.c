/* The clients against servers that misbehave: a fake server in a forked
 * child answers every connection with canned bytes (testhttp.h), and each
 * misbehaviour must be counted under the right kind in --json "errors", with
 * exit 1 and no hang (under --check sayhi, the rule on bodies these cases
 * are about); valid HTTP the server is free to send (chunked) must pass.
 * And a real sayhi-server killed mid-run: the requests left are errors
 * and the client still ends within --timeout. Not for: flag errors
 * (test_clients.c). */
#include "testclient.h"
#include "testhttp.h"
#include "testsuite.h"

#include <check.h>
#include <cjson/cJSON.h>
#include <signal.h>
#include <stdbool.h>
#include <string.h>

static struct tc_run r; /* large buffers: static, one run at a time */

#define OK_BODY "{\"message\":\"hi\"}" /* 16 bytes */
#define OK_REPLY "HTTP/1.1 200 OK\r\nContent-Length: 16\r\n\r\n" OK_BODY
#define SP16 "                "
#define SP256 SP16 SP16 SP16 SP16 SP16 SP16 SP16 SP16 SP16 SP16 SP16 SP16 SP16 SP16 SP16 SP16
#define SP1K SP256 SP256 SP256 SP256

struct misbehaviour {
    const char *name;
    const char *reply;   /* NULL: read the request, never answer */
    const char *kind;    /* the "errors" key every request must land in; NULL: all succeed */
    const char *notice;  /* in the one stderr line of a failing run */
    const char *later;   /* written 50 ms after reply, when not NULL */
};

static const struct misbehaviour cases[] = {
    {"garbage instead of HTTP", "garbage, not HTTP\r\n\r\n", "bad_status", "not a valid HTTP response", NULL},
    {"body shorter than Content-Length, then close", "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n" OK_BODY,
     "closed", "closed before the response was complete", NULL},
    /* The client reads exactly Content-Length bytes, as HTTP says: "{\"mes" is what the server sent as the
     * body, and the 11 bytes after it answer no request. */
    {"Content-Length shorter than the JSON", "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n" OK_BODY, "bad_status",
     "answered 200, then 11 bytes after the response that no request asked for", NULL},
    {"200 with an empty body", "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", "bad_body", "without a JSON body", NULL},
    {"204 and no body", "HTTP/1.1 204 No Content\r\n\r\n", "bad_body", "answered 204 without a JSON body", NULL},
    {"control bytes inside the object", "HTTP/1.1 200 OK\r\nContent-Length: 20\r\n\r\n{\x01\"message\"\x02:\x03\"hi\"\x04}",
     "bad_body", "without a JSON body", NULL},
    {"a good body with 1 KB of blanks after it", "HTTP/1.1 200 OK\r\nContent-Length: 1040\r\n\r\n" OK_BODY SP1K,
     "bad_body", "answered 200 with a body over 1 KB (1040 bytes)", NULL},
    {"500 with a good body", "HTTP/1.1 500 Oops\r\nContent-Length: 16\r\n\r\n" OK_BODY, "bad_status",
     "answered status 500", NULL},
    /* Interim responses before the final one are skipped (RFC 9110 §15.2). */
    {"100 Continue, then 200", "HTTP/1.1 100 Continue\r\n\r\n" OK_REPLY, NULL, NULL, NULL},
    {"103 Early Hints with headers, then 200",
     "HTTP/1.1 103 Early Hints\r\nLink: </a.css>; rel=preload\r\n\r\n" OK_REPLY, NULL, NULL, NULL},
    {"100 Continue, a pause, then 200", "HTTP/1.1 100 Continue\r\n\r\n", NULL, NULL, OK_REPLY},
    {"101 Switching Protocols nobody asked for",
     "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n", "bad_status",
     "answered status 101", NULL},
    {"bytes after the response", OK_REPLY "junk", "bad_status",
     "answered 200, then 4 bytes after the response that no request asked for", NULL},
    {"chunked body", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\n{\"mes\r\nb\r\nsage\":\"hi\"}\r\n0\r\n\r\n",
     NULL, NULL, NULL},
    {"body until close, no Content-Length", "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n" OK_BODY, NULL, NULL, NULL},
    {"accepts and never answers", NULL, "timeout", "within --timeout 1s", NULL},
};
#define NCASES (sizeof cases / sizeof cases[0])

/* One run of which against the case's fake server, checked. */
static void run_case(const struct misbehaviour *m, const char *which)
{
    struct test_server fake;
    ck_assert_int_eq(
        test_canned_server_start_later(&fake, m->reply, m->reply != NULL ? strlen(m->reply) : 0, m->later, 50), 0);
    /* Never answering costs sync a full --timeout per request: keep it short. */
    const char *number = m->reply != NULL ? "3" : "2";
    tc_run(&r, which,
           (const char *const[]){"--number", number, "--timeout", m->reply != NULL ? "2s" : "1s", "--url",
                                 tc_url(fake.port, "/say-hi"), "--json", "--check", "sayhi", NULL},
           15000);
    test_server_stop(&fake, SIGKILL, 5000);
    int n = number[0] - '0';
    cJSON *o = tc_json(&r);
    const cJSON *errors = cJSON_GetObjectItem(o, "errors");
    if (m->kind == NULL) {
        ck_assert_msg(r.rc == 0, "%s, %s: exit %d, stderr: %s", which, m->name, r.rc, r.err);
        ck_assert_int_eq((int)tc_num(o, "ok"), n);
        ck_assert_str_eq(r.err, "");
    } else {
        ck_assert_msg(r.rc == 1, "%s, %s: exit %d, want 1", which, m->name, r.rc);
        ck_assert_msg((int)tc_num(errors, m->kind) == n, "%s, %s: %d of %d under '%s': %s", which, m->name,
                      (int)tc_num(errors, m->kind), n, m->kind, r.out);
        ck_assert_int_eq((int)tc_num(o, "failed"), n);
        ck_assert_msg(strstr(r.err, m->notice) != NULL && strchr(r.err, '\n') == r.err + strlen(r.err) - 1,
                      "%s, %s: stderr: %s", which, m->name, r.err);
    }
    cJSON_Delete(o);
    /* sync never answered: 2 x 1 s; everything else well under a second. */
    ck_assert_msg(r.elapsed < 6.0, "%s, %s: took %.2fs", which, m->name, r.elapsed);
}

START_TEST(misbehaving_server)
{
    run_case(&cases[_i / 2], tc_clients[_i % 2]);
}
END_TEST

/* A real server, delay 0.5 s, SIGKILLed at 0.7 s while requests are in
 * flight (sync: the second; async with 5 at a time: the second five) and
 * queued: every request not done by then is an error, and the client ends
 * promptly instead of waiting out anything. With keep-alive a request whose
 * connection dies before any byte of answer is re-sent once on a new
 * connection (a stale kept-alive connection looks the same), so a dead
 * server shows as connect; with --no-keepalive the in-flight ones are closed. */
START_TEST(server_killed_mid_run)
{
    const char *which = tc_clients[_i % 2];
    bool keepalive = _i < 2;
    struct test_server srv;
    static const char *const sargs[] = {"--delay", "500ms", "--quiet", NULL};
    ck_assert_int_eq(test_server_start(&srv, sargs), 0);
    const char *const args[] = {"--concurrency", "5", "--number", "20", "--timeout", "3s", "--json",
                                "--url", tc_url(srv.port, "/say-hi"), keepalive ? NULL : "--no-keepalive", NULL};
    const char *const *a = strcmp(which, "sync") == 0 ? args + 2 : args; /* sync has no --concurrency */
    r.rc = test_exec_kill(tc_bin(which), a, r.out, sizeof r.out, r.err, sizeof r.err, 20000, &r.elapsed, srv.pid,
                          SIGKILL, 700);
    test_server_stop(&srv, SIGKILL, 5000);
    ck_assert_msg(r.rc == 1, "%s exited %d (stderr: %s)", which, r.rc, r.err);
    ck_assert_msg(r.elapsed < 6.0, "%s took %.2fs after the server died at 0.7s", which, r.elapsed);
    cJSON *o = tc_json(&r);
    const cJSON *errors = cJSON_GetObjectItem(o, "errors");
    int ok = (int)tc_num(o, "ok"), failed = (int)tc_num(o, "failed");
    ck_assert_int_eq((int)tc_num(o, "number"), 20);
    ck_assert_msg(ok + failed == 20, "%s: ok %d + failed %d", which, ok, failed);
    /* sync: 1 done by 0.7 s; async: 5. Wide margin for a slow machine. The
     * queued ones fail to connect, or are reset by the dying server. */
    ck_assert_msg(ok >= 1 && ok <= 10, "%s: %d ok", which, ok);
    ck_assert_msg((int)tc_num(errors, "connect") + (int)tc_num(errors, "closed") == failed,
                  "%s: failures not all connect/closed: %s", which, r.out);
    ck_assert_msg(keepalive || (int)tc_num(errors, "closed") >= 1, "%s: in flight must count as closed: %s", which,
                  r.out);
    cJSON_Delete(o);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("misbehave");
    TCase *fake = testsuite_case(s, "fake-server", 60, NULL, NULL);
    tcase_add_loop_test(fake, misbehaving_server, 0, (int)NCASES * 2);
    TCase *killed = testsuite_case(s, "killed-server", 60, NULL, NULL);
    tcase_add_loop_test(killed, server_killed_mid_run, 0, 4);
    return testsuite_run(s);
}
