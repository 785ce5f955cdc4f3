/* The live dashboard at / in a real browser: Debian's chromium, headless,
 * loads the page while 10 delayed requests are in flight and must show 10
 * in #in-flight, draw a bar per request (the timeline canvas says how many it
 * drew), and raise no script error. And the
 * page fetches nothing but /recent from the server that served it. */
#include "testhttp.h"
#include "testsuite.h"

#include <check.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CHROMIUM "/usr/bin/chromium"

static char dom[1 << 20], err[1 << 16];

/* The DOM of url in headless chromium once the expression until holds
 * (tests/cdp_dom.py: --dump-dom cannot wait for a stream's events); the
 * exit code: 0, 1 when until never held in timeout_s. */
static int dump_dom(const char *url, const char *until, int timeout_s)
{
    ck_assert_msg(access(CHROMIUM, X_OK) == 0, "no %s: scripts/install-deps.sh installs Debian's chromium", CHROMIUM);
    const char *script = getenv("SAYHI_CDP_DOM");
    ck_assert_msg(script != NULL, "SAYHI_CDP_DOM (tests/cdp_dom.py) is not set: run the tests with meson test");
    char timeout[16];
    snprintf(timeout, sizeof timeout, "%d", timeout_s);
    const char *const args[] = {script, url, until, timeout, NULL};
    int rc = test_exec("/usr/bin/python3", args, dom, sizeof dom, err, sizeof err, (timeout_s + 60) * 1000, NULL);
    ck_assert_msg(rc == 0 || rc == 1, "cdp_dom.py failed (%d): %s", rc, err);
    return rc;
}

#define UPDATED "document.getElementById('status').textContent.startsWith('updated ')"

START_TEST(dashboard_shows_the_requests_in_flight)
{
    struct test_server s;
    static const char *const args[] = {"--delay", "3s", "--quiet", NULL};
    ck_assert_int_eq(test_server_start(&s, args), 0);
    int fds[10];
    const char *req = "GET /say-hi HTTP/1.1\r\nHost: x\r\n\r\n";
    for (int i = 0; i < 10; i++) {
        ck_assert_int_ge(fds[i] = http_connect(s.port), 0);
        ck_assert_int_eq(write(fds[i], req, strlen(req)), (ssize_t)strlen(req));
    }
    usleep(300000); /* one sample of the 250 ms series */
    char url[64];
    snprintf(url, sizeof url, "http://127.0.0.1:%u/", s.port);
    ck_assert_msg(dump_dom(url, UPDATED, 20) == 0, "no update shown in 20 s: %.300s", strstr(dom, "<div id=\"status\">"));
    ck_assert_msg(strstr(dom, "<span id=\"in-flight\">10</span>") != NULL, "in-flight is not 10: %.400s",
                  strstr(dom, "in-flight") != NULL ? strstr(dom, "in-flight") : dom);
    ck_assert_msg(strstr(dom, "<span id=\"peak\">10</span>") != NULL, "peak is not 10");
    ck_assert_msg(strstr(dom, "data-errors") == NULL, "script errors: %.300s", strstr(dom, "data-errors"));
    ck_assert_msg(strstr(dom, "<div id=\"status\">updated ") != NULL, "the page did not poll /recent: %.200s",
                  strstr(dom, "<div id=\"status\">"));
    const char *timeline = strstr(dom, "<canvas id=\"timeline\"");
    ck_assert_ptr_nonnull(timeline);
    const char *bars = strstr(timeline, "data-bars=\"");
    ck_assert_msg(bars != NULL && bars < strchr(timeline, '>') && atoi(bars + 11) == 10,
                  "the timeline does not draw a bar per request waiting: %.200s", timeline);
    for (int i = 0; i < 10; i++)
        close(fds[i]);
    ck_assert_int_eq(test_server_stop(&s, SIGTERM, 10000), 0);
}
END_TEST

/* The page is self-contained: no src or href, no CSS import or url(), and
 * the only fetch is of /recent on its own server. */
START_TEST(dashboard_fetches_nothing_from_elsewhere)
{
    struct test_server s;
    static const char *const args[] = {"--quiet", NULL};
    static struct http_response r;
    ck_assert_int_eq(test_server_start(&s, args), 0);
    int fd = http_connect(s.port);
    ck_assert_int_eq(http_exchange(fd, "GET / HTTP/1.1\r\nHost: x\r\n\r\n", 1, &r, 5000), 200);
    close(fd);
    char ct[64] = "", cl[16] = "";
    http_header(&r, "Content-Type", ct, sizeof ct);
    ck_assert_str_eq(ct, "text/html; charset=utf-8");
    http_header(&r, "Content-Length", cl, sizeof cl);
    static char page[1 << 16];
    char cmd[128];
    snprintf(cmd, sizeof cmd, "curl -s http://127.0.0.1:%u/", s.port);
    FILE *p = popen(cmd, "r");
    size_t n = fread(page, 1, sizeof page - 1, p);
    pclose(p);
    page[n] = '\0';
    ck_assert_uint_eq(n, (size_t)strtoul(cl, NULL, 10));
    static const char *const banned[] = {" src=", " href=", "@import", "url(", "https://", "XMLHttpRequest",
                                         "<link", "<iframe", "WebSocket"};
    for (size_t i = 0; i < sizeof banned / sizeof banned[0]; i++)
        ck_assert_msg(strstr(page, banned[i]) == NULL, "the page has '%s'", banned[i]);
    ck_assert_msg(strstr(page, "http://") == NULL, "the page names an http:// address");
    ck_assert_msg(strstr(page, "fetch(\"/recent?since=\"") != NULL, "the page polls something else than /recent");
    ck_assert_int_eq(test_server_stop(&s, SIGTERM, 10000), 0);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("dashboard");
    TCase *tc = testsuite_case(s, "browser", 120, NULL, NULL);
    tcase_add_test(tc, dashboard_shows_the_requests_in_flight);
    tcase_add_test(tc, dashboard_fetches_nothing_from_elsewhere);
    return testsuite_run(s);
}
