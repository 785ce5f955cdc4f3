/* bench/held.c: the least a server can do to answer every request after a
 * delay, as a reference for bench/server.sh b). One thread, epoll, one
 * queue (every request waits the same delay, so the queue is in order of
 * due time); a request is whatever ends in an empty line, the answer a fixed
 * 200 with sayhi's body. No parsing, no allocation per request, no timers.
 *
 *   held DELAY_MS    listens on 127.0.0.1, a free port, and prints
 *                    "listening on http://127.0.0.1:PORT"; runs until killed
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

struct waiting {
    int fd;
    uint32_t generation; /* the fd's at the time: a closed fd's number is reused */
    int64_t due_ms;
};

static int64_t now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: held DELAY_MS\n");
        return 2;
    }
    int64_t delay = strtoll(argv[1], NULL, 10);
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
        return 1;
    size_t max_fd = rl.rlim_cur == RLIM_INFINITY ? 1048576 : (size_t)rl.rlim_cur;
    /* per fd: how much of "\r\n\r\n" the bytes read so far end with, and a generation */
    unsigned char *matched = calloc(max_fd, 1);
    uint32_t *generation = calloc(max_fd, sizeof *generation);
    struct waiting *queue = malloc(max_fd * sizeof *queue); /* a ring: at most one request per fd waits */
    size_t head = 0, count = 0;

    int l = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t alen = sizeof a;
    if (!matched || !generation || !queue || l < 0 || bind(l, (struct sockaddr *)&a, sizeof a) != 0 ||
        listen(l, 65535) != 0 || getsockname(l, (struct sockaddr *)&a, &alen) != 0) {
        perror("held");
        return 1;
    }
    printf("listening on http://127.0.0.1:%d\n", ntohs(a.sin_port));
    fflush(stdout);

    int ep = epoll_create1(0);
    struct epoll_event ev = {.events = EPOLLIN, .data.fd = l};
    epoll_ctl(ep, EPOLL_CTL_ADD, l, &ev);
    static const char answer[] = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 38\r\n\r\n"
                                 "{\"message\":\"Hi!\",\"delay_ms\":1000.000}\n";
    struct epoll_event events[1024];
    char buf[4096];
    for (;;) {
        int timeout = -1;
        if (count > 0) {
            int64_t wait = queue[head].due_ms - now_ms();
            timeout = wait < 0 ? 0 : (int)wait;
        }
        int n = epoll_wait(ep, events, 1024, timeout);
        for (int i = 0; i < n; i++) {
            int fd = events[i].data.fd;
            if (fd == l) {
                int c;
                while ((c = accept4(l, NULL, NULL, SOCK_NONBLOCK)) >= 0) {
                    if ((size_t)c >= max_fd) {
                        close(c);
                        continue;
                    }
                    matched[c] = 0;
                    struct epoll_event cev = {.events = EPOLLIN, .data.fd = c};
                    epoll_ctl(ep, EPOLL_CTL_ADD, c, &cev);
                }
                continue;
            }
            ssize_t got = read(fd, buf, sizeof buf);
            if (got <= 0) {
                if (got < 0 && errno == EAGAIN)
                    continue;
                generation[fd]++;
                close(fd);
                continue;
            }
            for (ssize_t j = 0; j < got; j++) {
                char want = matched[fd] % 2 == 0 ? '\r' : '\n';
                matched[fd] = buf[j] == want ? matched[fd] + 1 : buf[j] == '\r';
                if (matched[fd] == 4) {
                    matched[fd] = 0;
                    if (count < max_fd)
                        queue[(head + count++) % max_fd] =
                            (struct waiting){fd, generation[fd], now_ms() + delay};
                }
            }
        }
        int64_t now = now_ms();
        while (count > 0 && queue[head].due_ms <= now) {
            struct waiting w = queue[head];
            head = (head + 1) % max_fd;
            count--;
            if (w.generation == generation[w.fd] && write(w.fd, answer, sizeof answer - 1) < 0) {
                generation[w.fd]++;
                close(w.fd);
            }
        }
    }
}
