/* The live dashboard at / in a real browser: Debian's chromium, headless,
 * loads the page while 10 delayed requests are in flight and must show 10
 * in #in-flight, draw a bar per request (the timeline canvas says how many it
 * drew), and raise no script error. The page fetches nothing but /events
 * from the server that served it. And /events itself on the wire: an event
 * every 400 ms, what ended in it, Last-Event-ID, the cap on streams, and
 * its end on SIGTERM. */
#include "testhttp.h"
#include "testsuite.h"

#include <check.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#define CHROMIUM "/usr/bin/chromium"

static char dom[1 << 20], err[1 << 16];

/* tests/cdp_dom.py, run in the background: the DOM of url in headless
 * chromium once the expression until holds (--dump-dom cannot wait for a
 * stream's events), its stdout and stderr in temporary files. */
struct dom_run {
    pid_t pid;
    int out, err;
};

static int temp_file(void)
{
    char path[] = "/tmp/sayhi-dom-XXXXXX";
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    unlink(path);
    return fd;
}

static void dom_start(struct dom_run *run, const char *url, const char *until, int timeout_s)
{
    ck_assert_msg(access(CHROMIUM, X_OK) == 0, "no %s: scripts/install-deps.sh installs Debian's chromium", CHROMIUM);
    const char *script = getenv("SAYHI_CDP_DOM");
    ck_assert_msg(script != NULL, "SAYHI_CDP_DOM (tests/cdp_dom.py) is not set: run the tests with meson test");
    char timeout[16];
    snprintf(timeout, sizeof timeout, "%d", timeout_s);
    run->out = temp_file();
    run->err = temp_file();
    run->pid = fork();
    ck_assert_int_ge(run->pid, 0);
    if (run->pid == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        dup2(run->out, 1);
        dup2(run->err, 2);
        execl("/usr/bin/python3", "python3", script, url, until, timeout, (char *)NULL);
        _exit(127);
    }
}

/* Waits for run (cdp_dom.py bounds its own time): the DOM into dom, its
 * stderr into err; the exit code: 0, or 1 when until never held. */
static int dom_wait(struct dom_run *run)
{
    int status;
    ck_assert_int_eq(waitpid(run->pid, &status, 0), run->pid);
    ssize_t n = pread(run->out, dom, sizeof dom - 1, 0), m = pread(run->err, err, sizeof err - 1, 0);
    dom[n > 0 ? n : 0] = '\0';
    err[m > 0 ? m : 0] = '\0';
    close(run->out);
    close(run->err);
    int rc = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    ck_assert_msg(rc == 0 || rc == 1, "cdp_dom.py failed (%d): %s", rc, err);
    return rc;
}

static int dump_dom(const char *url, const char *until, int timeout_s)
{
    struct dom_run run;
    dom_start(&run, url, until, timeout_s);
    return dom_wait(&run);
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
    ck_assert_msg(dump_dom(url, UPDATED, 20) == 0, "no event shown in 20 s: %.300s", strstr(dom, "<div id=\"status\">"));
    ck_assert_msg(strstr(dom, "<span id=\"in-flight\">10</span>") != NULL, "in-flight is not 10: %.400s",
                  strstr(dom, "in-flight") != NULL ? strstr(dom, "in-flight") : dom);
    ck_assert_msg(strstr(dom, "<span id=\"peak\">10</span>") != NULL, "peak is not 10");
    ck_assert_msg(strstr(dom, "data-errors") == NULL, "script errors: %.300s", strstr(dom, "data-errors"));
    ck_assert_msg(strstr(dom, "<div id=\"status\">updated ") != NULL, "the page shows no event of /events: %.200s",
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

/* A server stopped and another started on the same port: the page
 * connects again by itself (the stream's retry), shows the new server's
 * requests (6 ended with 200, 7 waiting), and none of the old one's (3
 * ended with 503), though its Last-Event-ID came from the old one. */
START_TEST(dashboard_follows_a_server_restart)
{
    struct test_server a, b;
    static const char *const args_a[] = {"--delay", "0", "--quiet", NULL};
    static struct http_response r;
    ck_assert_int_eq(test_server_start(&a, args_a), 0);
    for (int i = 0; i < 3; i++)
        ck_assert_int_eq(http_get(a.port, "GET", "/say-hi?status=503", &r), 503);
    char url[64];
    snprintf(url, sizeof url, "http://127.0.0.1:%u/", a.port);
    struct dom_run run;
    dom_start(&run, url,
              "document.getElementById('in-flight').textContent == '7' && "
              "document.getElementById('timeline').dataset.bars == '13' && ended.length == 6 && "
              "ended.every(function (q) { return q[3] === 200; })", 40);
    sleep(3); /* the page is up, on the first server */
    ck_assert_int_eq(test_server_stop(&a, SIGTERM, 10000), 0);
    char port[16];
    snprintf(port, sizeof port, "%u", a.port);
    const char *const args_b[] = {"--delay", "60s", "--quiet", "--port", port, NULL};
    ck_assert_int_eq(test_server_start(&b, args_b), 0);
    ck_assert_uint_eq(b.port, a.port);
    for (int i = 0; i < 6; i++)
        ck_assert_int_eq(http_get(b.port, "GET", "/say-hi?delay=0", &r), 200);
    int fds[7];
    const char *req = "GET /say-hi HTTP/1.1\r\nHost: x\r\n\r\n";
    for (int i = 0; i < 7; i++) {
        ck_assert_int_ge(fds[i] = http_connect(b.port), 0);
        ck_assert_int_eq(write(fds[i], req, strlen(req)), (ssize_t)strlen(req));
    }
    ck_assert_msg(dom_wait(&run) == 0, "the page did not show the new server's 13 requests alone: %.300s, %.200s",
                  strstr(dom, "in-flight") ? strstr(dom, "in-flight") : dom,
                  strstr(dom, "data-bars") ? strstr(dom, "data-bars") : "");
    ck_assert_msg(strstr(dom, "data-errors") == NULL, "script errors: %.300s", strstr(dom, "data-errors"));
    for (int i = 0; i < 7; i++)
        close(fds[i]);
    ck_assert_int_eq(test_server_stop(&b, SIGTERM, 10000), 0);
}
END_TEST

/* The page is self-contained: no src or href, no CSS import or url(), and
 * what it reads is /events on its own server. */
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
                                         "<link", "<iframe", "WebSocket", "fetch("};
    for (size_t i = 0; i < sizeof banned / sizeof banned[0]; i++)
        ck_assert_msg(strstr(page, banned[i]) == NULL, "the page has '%s'", banned[i]);
    ck_assert_msg(strstr(page, "http://") == NULL, "the page names an http:// address");
    ck_assert_msg(strstr(page, "new EventSource(\"/events?max=\"") != NULL, "the page reads something else than /events");
    ck_assert_int_eq(test_server_stop(&s, SIGTERM, 10000), 0);
}
END_TEST

/* ---- /events on the wire ---- */

/* An /events response read off a socket: the head, then the body with its
 * chunked framing taken off, split into events ("...\n\n"). */
struct stream {
    int fd;
    char raw[1 << 16], body[1 << 16], head[2048];
    size_t raw_len, body_len, taken; /* taken: of body, the events handed out */
    bool ended;                      /* the last chunk (0) came */
    bool closed;                     /* the server closed the connection */
};

/* Reads what came within timeout_ms into raw, and moves whole chunks to
 * body. 0, or -1 at EOF or timeout with nothing new. */
static int stream_read(struct stream *st, int timeout_ms)
{
    struct pollfd p = {.fd = st->fd, .events = POLLIN};
    if (poll(&p, 1, timeout_ms) != 1)
        return -1;
    ssize_t n = read(st->fd, st->raw + st->raw_len, sizeof st->raw - 1 - st->raw_len);
    if (n <= 0) {
        st->closed = true;
        return -1;
    }
    st->raw_len += (size_t)n;
    st->raw[st->raw_len] = '\0';
    char *p0 = st->raw;
    if (st->head[0] == '\0') {
        char *end = strstr(st->raw, "\r\n\r\n");
        if (end == NULL)
            return 0;
        snprintf(st->head, sizeof st->head, "%.*s", (int)(end - st->raw), st->raw);
        p0 = end + 4;
    }
    for (;;) { /* whole chunks: hex size CRLF data CRLF */
        char *crlf = strstr(p0, "\r\n");
        if (crlf == NULL)
            break;
        size_t size = strtoul(p0, NULL, 16);
        if ((size_t)(st->raw + st->raw_len - (crlf + 2)) < size + 2)
            break;
        ck_assert_uint_lt(st->body_len + size, sizeof st->body);
        memcpy(st->body + st->body_len, crlf + 2, size);
        st->body_len += size;
        st->body[st->body_len] = '\0';
        p0 = crlf + 2 + size + 2;
        if (size == 0)
            st->ended = true;
    }
    st->raw_len = (size_t)(st->raw + st->raw_len - p0);
    memmove(st->raw, p0, st->raw_len);
    st->raw[st->raw_len] = '\0';
    return 0;
}

/* The next event into ev (without its blank line), waiting up to
 * timeout_ms. 0, or -1 when none came. */
static int next_event(struct stream *st, char *ev, size_t len, int timeout_ms)
{
    double deadline = test_now() + timeout_ms / 1000.0;
    for (;;) {
        char *end = strstr(st->body + st->taken, "\n\n");
        if (end != NULL) {
            snprintf(ev, len, "%.*s", (int)(end - (st->body + st->taken)), st->body + st->taken);
            st->taken = (size_t)(end + 2 - st->body);
            return 0;
        }
        int left = (int)((deadline - test_now()) * 1000);
        if (left <= 0 || stream_read(st, left) != 0)
            return -1;
    }
}

static void stream_open(struct stream *st, unsigned port, const char *extra_header)
{
    memset(st, 0, sizeof *st);
    ck_assert_int_ge(st->fd = http_connect(port), 0);
    char req[256];
    snprintf(req, sizeof req, "GET /events?max=5 HTTP/1.1\r\nHost: x\r\n%s\r\n", extra_header);
    ck_assert_int_eq(write(st->fd, req, strlen(req)), (ssize_t)strlen(req));
}

/* The id of event ev, "SERVER-LAST": the server's token into token (when
 * not NULL), the last request ended returned; -1 when ev has no such id. */
static long long event_id(const char *ev, char *token, size_t len)
{
    const char *id = strstr(ev, "id: ");
    char tok[32];
    long long last;
    if (id == NULL || (id != ev && id[-1] != '\n') || sscanf(id + 4, "%31[0-9a-f]-%lld", tok, &last) != 2)
        return -1;
    if (token != NULL)
        snprintf(token, len, "%s", tok);
    return last;
}

/* An event every 400 ms, at once on connecting; each names the server and
 * the last request ended (id:) and carries those ended since the event
 * before. */
START_TEST(events_come_every_400ms_with_what_ended)
{
    struct test_server s;
    static const char *const args[] = {"--delay", "200ms", "--quiet", NULL};
    static struct stream st;
    static struct http_response r;
    char ev[8192], token[32], hdr[96];
    ck_assert_int_eq(test_server_start(&s, args), 0);
    double t0 = test_now();
    stream_open(&st, s.port, "");
    ck_assert_int_eq(next_event(&st, ev, sizeof ev, 2000), 0);
    double first = test_now();
    ck_assert_msg(strstr(st.head, "HTTP/1.1 200") == st.head, "head: %s", st.head);
    ck_assert_msg(strcasestr(st.head, "\r\nContent-Type: text/event-stream") != NULL, "head: %s", st.head);
    ck_assert_msg(strcasestr(st.head, "\r\nCache-Control: no-store") != NULL, "head: %s", st.head);
    ck_assert_msg(first - t0 < 1.0, "the first event took %.2fs", first - t0);
    ck_assert_msg(strncmp(ev, "retry: 1000\nid: ", 16) == 0 && event_id(ev, token, sizeof token) == 0,
                  "first event: %.200s", ev);
    const char *data = strstr(ev, "\ndata: {");
    ck_assert_msg(data != NULL && strstr(data, "\"last_id\":0,") != NULL && strchr(data + 1, '\n') == NULL,
                  "first event: %.200s", ev);

    /* the stream is no request in flight, and the one that is, shows */
    ck_assert_int_eq(http_get(s.port, "GET", "/say-hi", &r), 200);
    ck_assert_int_eq(http_get(s.port, "GET", "/stats", &r), 200);
    ck_assert_msg(strstr(r.body, "\"in_flight\":0,") != NULL, "stats: %s", r.body);
    double last = first;
    bool seen = false;
    for (int i = 0; i < 4; i++) {
        ck_assert_msg(next_event(&st, ev, sizeof ev, 2000) == 0, "no event %d within 2 s", i + 2);
        double now = test_now();
        ck_assert_msg(now - last > 0.25 && now - last < 1.5, "event %d came %.3fs after the one before", i + 2,
                      now - last);
        last = now;
        char tok[32];
        ck_assert_msg(strstr(ev, "\ndata: {") != NULL, "event: %.200s", ev);
        ck_assert_int_eq(event_id(ev, tok, sizeof tok), seen || strstr(ev, "\"ended\":[[1,") != NULL ? 1 : 0);
        ck_assert_str_eq(tok, token);
        if (strstr(ev, "\"ended\":[[1,") != NULL) {
            ck_assert_msg(!seen, "the request ended is sent twice: %.300s", ev);
            ck_assert_msg(strstr(ev, ",200,200.000]]") != NULL, "event: %.300s", ev);
            seen = true;
        } else {
            ck_assert_msg(strstr(ev, "\"ended\":[]") != NULL, "event: %.300s", ev);
        }
    }
    ck_assert_msg(seen, "no event carried the request that ended");
    close(st.fd);

    /* a browser connecting again says the last event it saw, and gets only
     * what ended after it; an id from another server starts over */
    snprintf(hdr, sizeof hdr, "Last-Event-ID: %s-1\r\n", token);
    stream_open(&st, s.port, hdr);
    ck_assert_int_eq(next_event(&st, ev, sizeof ev, 2000), 0);
    ck_assert_msg(event_id(ev, NULL, 0) == 1 && strstr(ev, "\"ended\":[]") != NULL, "event: %.300s", ev);
    close(st.fd);
    snprintf(hdr, sizeof hdr, "Last-Event-ID: %s1-1\r\n", token);
    stream_open(&st, s.port, hdr);
    ck_assert_int_eq(next_event(&st, ev, sizeof ev, 2000), 0);
    ck_assert_msg(strstr(ev, "\"ended\":[[1,") != NULL, "event: %.300s", ev);
    close(st.fd);

    ck_assert_int_eq(http_get(s.port, "HEAD", "/events", &r), 200);
    char ct[64] = "";
    http_header(&r, "Content-Type", ct, sizeof ct);
    ck_assert_str_eq(ct, "text/event-stream");
    ck_assert_int_eq(test_server_stop(&s, SIGTERM, 10000), 0);
}
END_TEST

/* At most 64 streams: the next one is told so, and gets in once one is
 * closed. */
START_TEST(streams_are_capped)
{
    struct test_server s;
    static const char *const args[] = {"--quiet", NULL};
    static struct stream st[65];
    static struct http_response r;
    char ev[8192];
    ck_assert_int_eq(test_server_start(&s, args), 0);
    for (int i = 0; i < 64; i++) {
        stream_open(&st[i], s.port, "");
        ck_assert_msg(next_event(&st[i], ev, sizeof ev, 5000) == 0, "stream %d got no event", i + 1);
    }
    ck_assert_int_eq(http_get(s.port, "GET", "/events", &r), 503);
    ck_assert_msg(strstr(r.body, "64 streams of /events are open") != NULL, "body: %s", r.body);
    ck_assert_int_eq(http_get(s.port, "GET", "/say-hi?delay=0", &r), 200);
    close(st[0].fd);
    double t0 = test_now();
    int got = 0;
    while (got == 0 && test_now() - t0 < 5.0) {
        stream_open(&st[64], s.port, "");
        if (next_event(&st[64], ev, sizeof ev, 1000) == 0)
            got = 1;
        close(st[64].fd);
        if (got == 0)
            usleep(100000);
    }
    ck_assert_msg(got, "no stream could open within 5 s of one closed");
    for (int i = 1; i < 64; i++)
        close(st[i].fd);
    ck_assert_int_eq(test_server_stop(&s, SIGTERM, 10000), 0);
}
END_TEST

/* SIGTERM closes the streams (at the latest once nothing else is left)
 * and answers a new one 503: they do not hold up the
 * shutdown; only the delayed request is waited for. */
START_TEST(sigterm_ends_the_streams)
{
    struct test_server s;
    /* not --quiet: closing the streams is no error, and says nothing */
    static const char *const args[] = {"--delay", "1s", "--grace", "20s", NULL};
    static struct stream st;
    char out[4096];
    static struct http_response r;
    char ev[8192];
    ck_assert_int_eq(test_server_start(&s, args), 0);
    stream_open(&st, s.port, "");
    ck_assert_int_eq(next_event(&st, ev, sizeof ev, 2000), 0);
    int fd = http_connect(s.port), idle = http_connect(s.port);
    ck_assert_int_eq(http_exchange(idle, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n", 0, &r, 5000), 200);
    const char *req = "GET /say-hi HTTP/1.1\r\nHost: x\r\n\r\n";
    ck_assert_int_eq(write(fd, req, strlen(req)), (ssize_t)strlen(req));
    usleep(200000);
    double t0 = test_now();
    ck_assert_int_eq(kill(s.pid, SIGTERM), 0);
    usleep(100000);
    ck_assert_int_eq(http_exchange(idle, "GET /events HTTP/1.1\r\nHost: x\r\n\r\n", 0, &r, 5000), 503);
    ck_assert_msg(strstr(r.body, "shutting down") != NULL, "body: %s", r.body);
    ck_assert_int_eq(http_exchange(fd, NULL, 0, &r, 5000), 200);
    while (!st.ended && !st.closed && test_now() - t0 < 5.0)
        stream_read(&st, 100);
    ck_assert_msg(st.closed, "the stream was not closed within 5 s of SIGTERM (last chunk: %d)", st.ended);
    close(fd);
    close(idle);
    close(st.fd);
    test_server_output(&s, out, sizeof out, 3000); /* until it exits */
    ck_assert_int_eq(test_server_stop(&s, 0, 5000), 0); /* no second signal: it would end the grace */
    ck_assert_msg(test_now() - t0 < 5.0, "the server waited %.1fs for a stream", test_now() - t0);
    ck_assert_msg(strstr(out, "Closing connection") == NULL && strstr(out, "error") == NULL, "printed: %s", out);
    ck_assert_msg(strstr(out, "stopping, 1 request in flight") != NULL, "printed: %s", out);

    /* with nothing but a stream open, the server goes at once */
    ck_assert_int_eq(test_server_start(&s, args), 0);
    stream_open(&st, s.port, "");
    ck_assert_int_eq(next_event(&st, ev, sizeof ev, 2000), 0);
    t0 = test_now();
    ck_assert_int_eq(kill(s.pid, SIGTERM), 0);
    test_server_output(&s, out, sizeof out, 3000); /* until it exits */
    ck_assert_int_eq(test_server_stop(&s, 0, 5000), 0);
    ck_assert_msg(test_now() - t0 < 2.0, "the server took %.1fs to stop", test_now() - t0);
    ck_assert_msg(strstr(out, "Closing connection") == NULL && strstr(out, "error") == NULL, "printed: %s", out);
    close(st.fd);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("dashboard");
    TCase *tc = testsuite_case(s, "browser", 120, NULL, NULL);
    tcase_add_test(tc, dashboard_shows_the_requests_in_flight);
    tcase_add_test(tc, dashboard_fetches_nothing_from_elsewhere);
    tcase_add_test(tc, dashboard_follows_a_server_restart);
    TCase *wire = testsuite_case(s, "events", 60, NULL, NULL);
    tcase_add_test(wire, events_come_every_400ms_with_what_ended);
    tcase_add_test(wire, streams_are_capped);
    tcase_add_test(wire, sigterm_ends_the_streams);
    return testsuite_run(s);
}
