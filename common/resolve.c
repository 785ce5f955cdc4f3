/* resolve: --url's host to one address, one rule for both clients (resolve.h). */
#include "resolve.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

/* More addresses than a name has in practice; the rest are not tried. */
#define CANDIDATES_MAX 16

static bool is_localhost(const char *host)
{
    static const char tail[] = ".localhost";
    size_t n = strlen(host), t = sizeof tail - 1;
    return strcasecmp(host, "localhost") == 0 || (n > t && strcasecmp(host + n - t, tail) == 0);
}

/* ::1, then 127.0.0.1, at port: as curl orders them. */
static size_t loopbacks(uint16_t port, struct resolve_addr *cand)
{
    struct sockaddr_in6 v6 = {.sin6_family = AF_INET6, .sin6_port = htons(port), .sin6_addr = IN6ADDR_LOOPBACK_INIT};
    struct sockaddr_in v4 = {.sin_family = AF_INET, .sin_port = htons(port)};
    v4.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    memcpy(&cand[0].ss, &v6, sizeof v6);
    cand[0].len = sizeof v6;
    memcpy(&cand[1].ss, &v4, sizeof v4);
    cand[1].len = sizeof v4;
    return 2;
}

/* getaddrinfo's addresses for host and port, in its order. */
static int lookup(const char *host, const char *port, struct resolve_addr *cand, size_t *n, char *err, size_t errlen)
{
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM}, *res = NULL;
    int rc = getaddrinfo(host, port, &hints, &res);
    if (rc != 0) {
        snprintf(err, errlen, "%s", rc == EAI_SYSTEM ? strerror(errno) : gai_strerror(rc));
        return -1;
    }
    *n = 0;
    for (const struct addrinfo *ai = res; ai != NULL && *n < CANDIDATES_MAX; ai = ai->ai_next) {
        if (ai->ai_addrlen <= sizeof cand[*n].ss) {
            memcpy(&cand[*n].ss, ai->ai_addr, ai->ai_addrlen);
            cand[(*n)++].len = ai->ai_addrlen;
        }
    }
    freeaddrinfo(res);
    return 0;
}

/* 0 when a TCP connection to a opens within timeout_us (then closed). */
static int probe(const struct resolve_addr *a, int64_t timeout_us)
{
    int fd = socket(a->ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    int rc = connect(fd, (const struct sockaddr *)&a->ss, a->len);
    if (rc != 0 && errno == EINPROGRESS) {
        struct pollfd p = {.fd = fd, .events = POLLOUT};
        int err = 0;
        socklen_t len = sizeof err;
        rc = poll(&p, 1, (int)(timeout_us / 1000)) == 1 && getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) == 0 &&
                     err == 0
                 ? 0
                 : -1;
    }
    close(fd);
    return rc;
}

int resolve_target(const char *host, const char *port, int64_t timeout_us, struct resolve_addr *out, char *err,
                   size_t errlen)
{
    struct resolve_addr cand[CANDIDATES_MAX];
    size_t n = 0;
    if (is_localhost(host))
        n = loopbacks((uint16_t)strtoul(port, NULL, 10), cand);
    else if (lookup(host, port, cand, &n, err, errlen) != 0)
        return -1;
    if (n == 0) {
        snprintf(err, errlen, "no address to connect to");
        return -1;
    }
    size_t use = 0;
    for (size_t i = 0; n > 1 && i < n; i++) {
        if (probe(&cand[i], timeout_us) == 0) {
            use = i;
            break;
        }
    }
    *out = cand[use];
    return 0;
}

char *resolve_url_host(const struct resolve_addr *a, char *buf, size_t len)
{
    char text[INET6_ADDRSTRLEN] = "?";
    if (a->ss.ss_family == AF_INET6) {
        inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)&a->ss)->sin6_addr, text, sizeof text);
        snprintf(buf, len, "[%s]", text);
    } else {
        inet_ntop(AF_INET, &((const struct sockaddr_in *)&a->ss)->sin_addr, text, sizeof text);
        snprintf(buf, len, "%s", text);
    }
    return buf;
}
