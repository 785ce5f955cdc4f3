/* listener: the server's listening socket, opened by us rather than by
 * libmicrohttpd so that a failure names its cause ("Address already in use")
 * and port 0 resolves to the real port before anything is printed.
 * Not for: accepting connections (server.c does that, a few per loop pass). */
#ifndef SAYHI_LISTENER_H
#define SAYHI_LISTENER_H

#include <stdbool.h>

struct listener {
    int fd;
    bool loopback;
    char host[64]; /* numeric address as bound, e.g. "127.0.0.1", "::1" */
    char url[96];  /* "http://127.0.0.1:8080", "http://[::1]:8080" */
};

/* Binds host:port (port 0: any free port) and listens asking for a backlog
 * of backlog (the kernel caps it at net.core.somaxconn). Returns 0, or -1
 * after printing a one-line error. */
int listener_open(const char *host, unsigned port, unsigned backlog, struct listener *out);

#endif
