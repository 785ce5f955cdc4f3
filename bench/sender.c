/* bench/sender.c: the least an open-loop client can do, as a reference for
 * bench/clients.sh e). One thread that never sleeps: it polls epoll and the
 * clock, and sends request i at t0 + i/RATE on a free kept-alive connection
 * (CONNS of them, all opened before t0), at most 16 sends a pass before it
 * reads what has come in. A due request that finds no connection free waits,
 * and the wait counts in its lateness, as in sayhi-async (taken, as there,
 * when the send begins). Responses are counted by length: the first, read
 * before t0, gives it (nginx's /say-hi answers the same bytes every time).
 * No parsing, no timers, no records but one lateness a request.
 *
 *   sender PORT RATE SECONDS CONNS   GET /say-hi from 127.0.0.1:PORT, then prints
 *       {"achieved": R, "late_ms": {"p50": A, "p99": B, "max": C}}
 *   (achieved and the percentiles as sayhi-async --json computes them);
 *   exit 1 when a connection fails or responses are still missing 10 s
 *   after the schedule's end
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <math.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define SENDS_PER_PASS 16

static const char request[] = "GET /say-hi HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";

static int64_t now_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

static void die(const char *what)
{
    perror(what);
    exit(1);
}

static int open_conn(int port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof a) != 0)
        die("sender: connect");
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    return fd;
}

/* Sends one request on fd and reads its whole response into buf: the
 * length of every response (nginx's /say-hi is always the same bytes).
 * That length, or -1. */
static ssize_t first_response(int fd, char *buf, size_t len)
{
    if (write(fd, request, sizeof request - 1) != (ssize_t)sizeof request - 1)
        return -1;
    size_t got = 0;
    for (;;) {
        ssize_t r = read(fd, buf + got, len - 1 - got);
        if (r <= 0)
            return -1;
        got += (size_t)r;
        buf[got] = '\0';
        const char *end = strstr(buf, "\r\n\r\n"), *cl = strcasestr(buf, "\r\nContent-Length:");
        if (end != NULL && cl != NULL && cl < end) {
            size_t total = (size_t)(end + 4 - buf) + strtoul(cl + 17, NULL, 10);
            if (got >= total)
                return got == total ? (ssize_t)total : -1;
        }
        if (got == len - 1)
            return -1;
    }
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* The nearest-rank percentile p of sorted[0..n), as common/stats.c's. */
static int64_t rank(const int64_t *sorted, size_t n, double p)
{
    size_t r = (size_t)ceil(p / 100 * (double)n - 1e-9);
    return sorted[(r < 1 ? 1 : r > n ? n : r) - 1];
}

int main(int argc, char **argv)
{
    if (argc != 5) {
        fprintf(stderr, "usage: sender PORT RATE SECONDS CONNS\n");
        return 2;
    }
    int port = atoi(argv[1]), nconns = atoi(argv[4]);
    double rate = atof(argv[2]), seconds = atof(argv[3]);
    size_t n = (size_t)ceil(rate * seconds);
    if (port <= 0 || nconns <= 0 || rate <= 0 || n == 0) {
        fprintf(stderr, "sender: bad arguments\n");
        return 2;
    }
    int ep = epoll_create1(0);
    int *idle = malloc((size_t)nconns * sizeof *idle);
    size_t *have = NULL; /* bytes of the response under way, by fd */
    int64_t *late = malloc(n * sizeof *late);
    if (ep < 0 || idle == NULL || late == NULL)
        die("sender");
    int nidle = 0, maxfd = 0;
    static char buf[65536];
    ssize_t resp_len = 0;
    for (int i = 0; i < nconns; i++) {
        int fd = open_conn(port);
        if (i == 0 && (resp_len = first_response(fd, buf, sizeof buf)) <= 0) {
            fprintf(stderr, "sender: no complete first response with a Content-Length\n");
            return 1;
        }
        struct epoll_event e = {.events = EPOLLIN, .data.fd = fd};
        if (epoll_ctl(ep, EPOLL_CTL_ADD, fd, &e) != 0)
            die("sender: epoll_ctl");
        idle[nidle++] = fd;
        maxfd = fd > maxfd ? fd : maxfd;
    }
    have = calloc((size_t)maxfd + 1, sizeof *have);
    if (have == NULL)
        die("sender");
    double gap_ns = 1e9 / rate;
    int64_t t0 = now_ns(), first = 0, last = 0;
    int64_t give_up = t0 + (int64_t)(seconds * 1e9) + 10 * (int64_t)1000000000;
    size_t next = 0, done = 0;
    struct epoll_event evs[256];
    while (done < n) {
        for (int burst = 0; burst < SENDS_PER_PASS && next < n && nidle > 0; burst++) {
            int64_t due = t0 + (int64_t)llround((double)next * gap_ns), t = now_ns();
            if (due > t)
                break;
            int fd = idle[--nidle];
            last = t;
            first = next == 0 ? t : first;
            late[next++] = t - due;
            if (write(fd, request, sizeof request - 1) != (ssize_t)sizeof request - 1)
                die("sender: write");
        }
        if (now_ns() > give_up) {
            fprintf(stderr, "sender: %zu of %zu responses missing 10 s after the schedule\n", n - done, n);
            return 1;
        }
        int k = epoll_wait(ep, evs, 256, 0);
        for (int j = 0; j < k; j++) {
            int fd = evs[j].data.fd;
            ssize_t r = read(fd, buf, sizeof buf);
            if (r <= 0) {
                fprintf(stderr, "sender: the server closed a connection\n");
                return 1;
            }
            have[fd] += (size_t)r;
            for (; have[fd] >= (size_t)resp_len; have[fd] -= (size_t)resp_len)
                done++;
            if (have[fd] == 0)
                idle[nidle++] = fd;
        }
    }
    qsort(late, n, sizeof *late, cmp_i64);
    double span = (double)(last - first) / 1e9;
    printf("{\"achieved\": %.3f, \"late_ms\": {\"p50\": %.3f, \"p99\": %.3f, \"max\": %.3f}}\n",
           span > 0 ? (double)(n - 1) / span : 0, (double)rank(late, n, 50) / 1e6,
           (double)rank(late, n, 99) / 1e6, (double)late[n - 1] / 1e6);
    return 0;
}
