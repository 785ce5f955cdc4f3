/* testhttp: server process control and raw HTTP for the tests (testhttp.h). */
#include "testhttp.h"

#include "cli.h"
#include "formats.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

double test_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

size_t http_read_to_end(int fd, char *buf, size_t len, double t0, int timeout_ms, int *err, double *first_s,
                        double *last_s)
{
    size_t n = 0;
    *err = ETIMEDOUT;
    while (n < len) {
        struct pollfd p = {.fd = fd, .events = POLLIN};
        int left = (int)((t0 + timeout_ms / 1000.0 - test_now()) * 1000);
        if (left <= 0 || poll(&p, 1, left) != 1)
            break;
        ssize_t got = read(fd, buf + n, len - n);
        if (got <= 0) {
            *err = got == 0 ? 0 : errno;
            break;
        }
        if (n == 0 && first_s != NULL)
            *first_s = test_now() - t0;
        n += (size_t)got;
        if (last_s != NULL)
            *last_s = test_now() - t0;
    }
    return n;
}

static const char *server_path(void)
{
    const char *p = getenv("SAYHI_SERVER");
    return p != NULL ? p : "server/sayhi-server";
}

/* Forks path with stdout (and stderr if err_fd >= 0) on pipes. The child
 * dies with the test process, so a failed assertion leaks nothing. */
static pid_t spawn(const char *path, const char *const *args, int out_fd[2], int err_fd[2], int with_port0)
{
    const char *argv[32];
    size_t n = 0;
    argv[n++] = path;
    if (with_port0) {
        argv[n++] = "--port";
        argv[n++] = "0";
    }
    for (size_t i = 0; args != NULL && args[i] != NULL && n < 31; i++)
        argv[n++] = args[i];
    argv[n] = NULL;
    pid_t pid = fork();
    if (pid == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        dup2(out_fd[1], 1);
        close(out_fd[0]);
        if (err_fd != NULL) {
            dup2(err_fd[1], 2);
            if (err_fd != out_fd)
                close(err_fd[0]);
        }
        execv(argv[0], (char *const *)argv);
        _exit(127);
    }
    close(out_fd[1]);
    if (err_fd != NULL && err_fd != out_fd)
        close(err_fd[1]);
    return pid;
}

/* Reads one line from fd within timeout_ms. */
static int read_line(int fd, char *buf, size_t len, int timeout_ms)
{
    size_t n = 0;
    double deadline = test_now() + timeout_ms / 1000.0;
    while (n + 1 < len) {
        struct pollfd p = {.fd = fd, .events = POLLIN};
        int left = (int)((deadline - test_now()) * 1000);
        if (left <= 0 || poll(&p, 1, left) <= 0)
            return -1;
        if (read(fd, buf + n, 1) != 1)
            return -1;
        if (buf[n] == '\n')
            break;
        n++;
    }
    buf[n] = '\0';
    return 0;
}

int test_server_start(struct test_server *ts, const char *const *args)
{
    int out[2];
    if (pipe(out) != 0)
        return -1;
    *ts = (struct test_server){.out_fd = out[0]};
    ts->pid = spawn(server_path(), args, out, out, 1);
    /* stderr shares the pipe: notices before the listening line are kept. */
    for (;;) {
        if (ts->pid < 0 || read_line(ts->out_fd, ts->first_line, sizeof ts->first_line, 5000) != 0)
            return -1;
        if (strncmp(ts->first_line, FMT_LISTENING, strlen(FMT_LISTENING)) == 0)
            break;
        size_t used = strlen(ts->notices);
        snprintf(ts->notices + used, sizeof ts->notices - used, "%s\n", ts->first_line);
    }
    const char *colon = strrchr(ts->first_line, ':');
    if (colon == NULL || sscanf(colon + 1, "%u", &ts->port) != 1)
        return -1;
    return 0;
}

/* Reads until the blank line that ends a request head (or EOF, or 2 s), so
 * closing after the reply sends a FIN, not a reset that could discard it. */
static void canned_read_request(int fd)
{
    char buf[4096];
    size_t n = 0;
    while (n + 1 < sizeof buf) {
        struct pollfd p = {.fd = fd, .events = POLLIN};
        ssize_t r = poll(&p, 1, 2000) == 1 ? read(fd, buf + n, sizeof buf - 1 - n) : -1;
        if (r <= 0)
            return;
        n += (size_t)r;
        buf[n] = '\0';
        if (strstr(buf, "\r\n\r\n") != NULL)
            return;
    }
}

static void write_all(int fd, const char *buf, size_t len)
{
    for (size_t off = 0; off < len;) {
        ssize_t w = write(fd, buf + off, len - off);
        if (w <= 0)
            return;
        off += (size_t)w;
    }
}

/* What the child answers: reply, then later (if not NULL) after pause_ms. */
struct canned {
    const char *reply, *later;
    size_t len;
    int pause_ms;
};

/* The child's loop: one connection at a time, each answered and closed, or
 * held open forever when reply is NULL. */
static void canned_serve(int lfd, const struct canned *c)
{
    for (;;) {
        int fd = accept(lfd, NULL, NULL);
        if (fd < 0)
            continue;
        canned_read_request(fd);
        if (c->reply == NULL)
            continue; /* never answer, never close */
        write_all(fd, c->reply, c->len);
        if (c->later != NULL) {
            usleep((useconds_t)c->pause_ms * 1000);
            write_all(fd, c->later, strlen(c->later));
        }
        close(fd);
    }
}

int test_canned_server_start(struct test_server *ts, const char *reply, size_t len)
{
    return test_canned_server_start_later(ts, reply, len, NULL, 0);
}

/* canned_serve with the argument test_fork_server passes. */
static void canned_child(int lfd, const void *arg) { canned_serve(lfd, arg); }

int test_canned_server_start_later(struct test_server *ts, const char *reply, size_t len, const char *later,
                                   int pause_ms)
{
    const struct canned c = {.reply = reply, .later = later, .len = len, .pause_ms = pause_ms};
    return test_fork_server(ts, canned_child, &c);
}

int test_fork_server(struct test_server *ts, void (*serve)(int lfd, const void *arg), const void *arg)
{
    memset(ts, 0, sizeof *ts);
    ts->out_fd = -1;
    struct sockaddr_in a = {.sin_family = AF_INET};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t alen = sizeof a;
    int lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (lfd < 0 || bind(lfd, (struct sockaddr *)&a, sizeof a) != 0 || listen(lfd, 128) != 0 ||
        getsockname(lfd, (struct sockaddr *)&a, &alen) != 0) {
        if (lfd >= 0)
            close(lfd);
        return -1;
    }
    ts->port = ntohs(a.sin_port);
    ts->pid = fork();
    if (ts->pid == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        serve(lfd, arg);
        _exit(0);
    }
    close(lfd);
    return ts->pid > 0 ? 0 : -1;
}

size_t test_server_output(const struct test_server *ts, char *buf, size_t len, int ms)
{
    size_t n = 0;
    double deadline = test_now() + ms / 1000.0;
    while (n + 1 < len && test_now() < deadline) {
        struct pollfd p = {.fd = ts->out_fd, .events = POLLIN};
        if (poll(&p, 1, 50) == 1) {
            ssize_t r = read(ts->out_fd, buf + n, len - 1 - n);
            if (r <= 0)
                break;
            n += (size_t)r;
        }
    }
    buf[n] = '\0';
    return n;
}

int test_server_stop(struct test_server *ts, int sig, int timeout_ms)
{
    int status;
    kill(ts->pid, sig);
    double deadline = test_now() + timeout_ms / 1000.0;
    while (test_now() < deadline) {
        pid_t r = waitpid(ts->pid, &status, WNOHANG);
        if (r == ts->pid) {
            if (ts->out_fd >= 0)
                close(ts->out_fd);
            return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        }
        usleep(5000);
    }
    kill(ts->pid, SIGKILL);
    waitpid(ts->pid, &status, 0);
    if (ts->out_fd >= 0)
        close(ts->out_fd);
    return -1;
}

/* Appends what fd has now to buf (NUL-terminated, capped); 0 at EOF. */
static int drain(int fd, char *buf, size_t len, size_t *used)
{
    char tmp[4096];
    ssize_t r = read(fd, tmp, sizeof tmp);
    if (r <= 0)
        return 0;
    size_t keep = (size_t)r < len - 1 - *used ? (size_t)r : len - 1 - *used;
    memcpy(buf + *used, tmp, keep);
    *used += keep;
    buf[*used] = '\0';
    return 1;
}

int test_exec(const char *path, const char *const *args, char *out, size_t outlen, char *err, size_t errlen,
              int timeout_ms, double *elapsed_s)
{
    return test_exec_kill(path, args, out, outlen, err, errlen, timeout_ms, elapsed_s, 0, 0, 0);
}

int test_exec_signal(const char *path, const char *const *args, char *out, size_t outlen, char *err,
                     size_t errlen, int timeout_ms, double *elapsed_s, int sig, int after_ms)
{
    return test_exec_kill(path, args, out, outlen, err, errlen, timeout_ms, elapsed_s, 0, sig, after_ms);
}

int test_exec_kill(const char *path, const char *const *args, char *out, size_t outlen, char *err, size_t errlen,
                   int timeout_ms, double *elapsed_s, pid_t victim, int sig, int after_ms)
{
    int o[2], e[2], status;
    if (pipe(o) != 0 || pipe(e) != 0)
        return -1;
    double start = test_now(), deadline = start + timeout_ms / 1000.0;
    pid_t pid = spawn(path, args, o, e, 0);
    if (pid < 0)
        return -1;
    size_t no = 0, ne = 0;
    out[0] = err[0] = '\0';
    /* Both pipes at once: a chatty --verbose must not block on a full stderr. */
    struct pollfd p[2] = {{.fd = o[0], .events = POLLIN}, {.fd = e[0], .events = POLLIN}};
    int timed_out = 0;
    double signal_at = sig != 0 ? start + after_ms / 1000.0 : deadline;
    while (p[0].fd >= 0 || p[1].fd >= 0) {
        if (sig != 0 && test_now() >= signal_at) {
            kill(victim != 0 ? victim : pid, sig);
            sig = 0;
            signal_at = deadline;
        }
        int left = (int)(((signal_at < deadline ? signal_at : deadline) - test_now()) * 1000);
        int ready = left > 0 ? poll(p, 2, left) : 0;
        if (ready == 0 && sig != 0)
            continue; /* time to send the signal */
        if (left <= 0 || ready <= 0) {
            timed_out = 1;
            kill(pid, SIGKILL);
            break;
        }
        for (int i = 0; i < 2; i++)
            if (p[i].fd >= 0 && p[i].revents != 0 &&
                !drain(p[i].fd, i == 0 ? out : err, i == 0 ? outlen : errlen, i == 0 ? &no : &ne))
                p[i].fd = -1;
    }
    close(o[0]);
    close(e[0]);
    if (waitpid(pid, &status, 0) != pid)
        return -1;
    if (elapsed_s != NULL)
        *elapsed_s = test_now() - start;
    if (timed_out)
        return -2;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

int test_server_exec(const char *const *args, char *out, size_t outlen, char *err, size_t errlen)
{
    return test_exec(server_path(), args, out, outlen, err, errlen, 30000, NULL);
}

int http_connect(unsigned port)
{
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    if (connect(fd, (struct sockaddr *)&a, sizeof a) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

int http_header(const struct http_response *resp, const char *name, char *buf, size_t len)
{
    size_t nl = strlen(name);
    for (const char *p = resp->headers; (p = strstr(p, "\r\n")) != NULL; p += 2) {
        if (strncasecmp(p + 2, name, nl) == 0 && p[2 + nl] == ':') {
            const char *v = p + 3 + nl;
            while (*v == ' ')
                v++;
            size_t vl = strcspn(v, "\r");
            snprintf(buf, len, "%.*s", (int)vl, v);
            return 0;
        }
    }
    return -1;
}

/* Reads into buf until want bytes, EOF or timeout. Returns bytes read. */
static size_t read_until(int fd, char *buf, size_t have, size_t want, double deadline, int *closed)
{
    while (have < want) {
        struct pollfd p = {.fd = fd, .events = POLLIN};
        int left = (int)((deadline - test_now()) * 1000);
        if (left <= 0 || poll(&p, 1, left) <= 0)
            break;
        ssize_t r = read(fd, buf + have, want - have);
        if (r <= 0) {
            *closed = 1;
            break;
        }
        have += (size_t)r;
        buf[have] = '\0';
    }
    return have;
}

int http_exchange(int fd, const char *raw, int head, struct http_response *resp, int timeout_ms)
{
    char buf[8192];
    memset(resp, 0, sizeof *resp);
    size_t rawlen = raw != NULL ? strlen(raw) : 0;
    if (raw != NULL && write(fd, raw, rawlen) != (ssize_t)rawlen)
        return 0;
    double deadline = test_now() + timeout_ms / 1000.0;
    /* Read byte by byte up to the blank line so no byte of a next response is eaten. */
    size_t n = 0;
    buf[0] = '\0';
    while (n + 1 < sizeof buf && strstr(buf, "\r\n\r\n") == NULL) {
        size_t got = read_until(fd, buf, n, n + 1, deadline, &resp->closed);
        if (got == n)
            return 0;
        n = got;
    }
    char *end = strstr(buf, "\r\n\r\n");
    if (end == NULL || sscanf(buf, "HTTP/1.%*d %d", &resp->status) != 1)
        return resp->status = 0;
    snprintf(resp->headers, sizeof resp->headers, "%.*s", (int)(end + 2 - buf), buf);
    char cl[32];
    size_t body_len = 0;
    if (http_header(resp, "Content-Length", cl, sizeof cl) == 0)
        body_len = (size_t)strtoul(cl, NULL, 10);
    if (!head && body_len > 0 && body_len < sizeof resp->body) {
        resp->body_len = read_until(fd, resp->body, 0, body_len, deadline, &resp->closed);
        resp->body[resp->body_len] = '\0';
    }
    if (http_header(resp, "Connection", cl, sizeof cl) == 0 && strcasecmp(cl, "close") == 0)
        resp->closed = 1;
    return resp->status;
}

int http_get(unsigned port, const char *method, const char *target, struct http_response *resp)
{
    char raw[1024];
    int fd = http_connect(port);
    memset(resp, 0, sizeof *resp);
    if (fd < 0)
        return 0;
    snprintf(raw, sizeof raw, "%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", method, target);
    int status = http_exchange(fd, raw, strcmp(method, "HEAD") == 0, resp, 10000);
    close(fd);
    return status;
}

struct conn {
    int fd;
    size_t got;
    char buf[512];
    int done;
};

static int concurrent_open(struct conn *c, unsigned port, int ep)
{
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    c->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (c->fd < 0)
        return -1;
    if (connect(c->fd, (struct sockaddr *)&a, sizeof a) != 0 && errno != EINPROGRESS)
        return -1;
    struct epoll_event ev = {.events = EPOLLOUT, .data.ptr = c};
    return epoll_ctl(ep, EPOLL_CTL_ADD, c->fd, &ev);
}

/* Handles one readiness of c; returns 1 when c finished (well or not). */
static int concurrent_step(struct conn *c, int ep, const char *raw, unsigned *ok)
{
    if (c->got == 0 && c->buf[0] == '\0') { /* connected: send the request once */
        size_t len = strlen(raw);
        if (write(c->fd, raw, len) != (ssize_t)len)
            return 1;
        c->buf[0] = '\1';
        struct epoll_event ev = {.events = EPOLLIN, .data.ptr = c};
        epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev);
        return 0;
    }
    ssize_t r = read(c->fd, c->buf + c->got, sizeof c->buf - 1 - c->got);
    if (r <= 0)
        return r < 0 && errno == EAGAIN ? 0 : 1;
    c->got += (size_t)r;
    c->buf[c->got] = '\0';
    char *end = strstr(c->buf, "\r\n\r\n");
    const char *cl = strcasestr(c->buf, "Content-Length:");
    if (end == NULL || cl == NULL || c->got < (size_t)(end + 4 - c->buf) + strtoul(cl + 15, NULL, 10))
        return 0;
    if (strncmp(c->buf, "HTTP/1.1 200", 12) == 0)
        (*ok)++;
    return 1;
}

int http_concurrent(unsigned port, unsigned n, const char *target, int timeout_ms, unsigned *ok,
                    double *elapsed_s)
{
    char raw[512];
    snprintf(raw, sizeof raw, "GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", target);
    cli_raise_fd_limit(n + 64);
    struct conn *conns = calloc(n, sizeof *conns);
    int ep = epoll_create1(EPOLL_CLOEXEC);
    *ok = 0;
    double start = test_now(), deadline = start + timeout_ms / 1000.0;
    unsigned pending = 0;
    for (unsigned i = 0; conns != NULL && i < n; i++)
        if (concurrent_open(&conns[i], port, ep) == 0)
            pending++;
    struct epoll_event evs[256];
    while (pending > 0 && test_now() < deadline) {
        int k = epoll_wait(ep, evs, 256, (int)((deadline - test_now()) * 1000) + 1);
        for (int i = 0; i < k; i++) {
            struct conn *c = evs[i].data.ptr;
            if (!c->done && concurrent_step(c, ep, raw, ok)) {
                c->done = 1;
                epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL);
                pending--;
            }
        }
    }
    *elapsed_s = test_now() - start;
    for (unsigned i = 0; conns != NULL && i < n; i++)
        if (conns[i].fd > 0)
            close(conns[i].fd);
    free(conns);
    close(ep);
    return pending == 0 ? 0 : -1;
}
