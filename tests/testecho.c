/* testecho: a server that records each request it gets (testecho.h). */
#include "testecho.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#define REPLY "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 18\r\nConnection: close\r\n\r\n" \
              "{\"message\":\"echo\"}"

/* The Content-Length of the head in buf (0 when none). */
static size_t content_length(const char *buf)
{
    for (const char *p = strstr(buf, "\r\n"); p != NULL; p = strstr(p + 2, "\r\n"))
        if (strncasecmp(p + 2, "Content-Length:", 15) == 0)
            return (size_t)strtoul(p + 17, NULL, 10);
    return 0;
}

/* Reads one request (head, then its body) into buf; its length, or 0. */
static size_t read_request(int fd, char *buf, size_t cap)
{
    size_t n = 0;
    char *end = NULL;
    while (n + 1 < cap) {
        ssize_t r = read(fd, buf + n, cap - 1 - n);
        if (r <= 0)
            return 0;
        n += (size_t)r;
        buf[n] = '\0';
        if (end == NULL && (end = strstr(buf, "\r\n\r\n")) != NULL)
            end += 4;
        if (end != NULL && n >= (size_t)(end - buf) + content_length(buf))
            return n;
    }
    return n;
}

static void serve(int lfd, const char *log_path)
{
    static char buf[1 << 20];
    for (;;) {
        int fd = accept(lfd, NULL, NULL);
        if (fd < 0)
            continue;
        size_t n = read_request(fd, buf, sizeof buf);
        FILE *log = fopen(log_path, "a");
        if (log != NULL) {
            fwrite(buf, 1, n, log);
            fclose(log);
        }
        if (write(fd, REPLY, sizeof REPLY - 1) < 0)
            perror("testecho: write");
        close(fd);
    }
}

static void echo_child(int lfd, const void *arg) { serve(lfd, arg); }

int test_echo_server_start(struct test_server *ts, const char *log_path)
{
    return test_fork_server(ts, echo_child, log_path);
}
