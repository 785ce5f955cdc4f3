/* listener: bind and listen with precise errors (listener.h). */
#include "listener.h"

#include "cli.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static bool is_loopback(const struct sockaddr_storage *ss)
{
    if (ss->ss_family == AF_INET) {
        const struct sockaddr_in *a = (const struct sockaddr_in *)ss;
        return (ntohl(a->sin_addr.s_addr) >> 24) == 127;
    }
    const struct sockaddr_in6 *a = (const struct sockaddr_in6 *)ss;
    if (IN6_IS_ADDR_V4MAPPED(&a->sin6_addr))
        return a->sin6_addr.s6_addr[12] == 127;
    return IN6_IS_ADDR_LOOPBACK(&a->sin6_addr);
}

static int bind_listen(const struct addrinfo *ai, unsigned backlog, const char *host, unsigned port)
{
    int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, ai->ai_protocol);
    if (fd < 0) {
        cli_error("cannot create a socket for %s: %s", host, strerror(errno));
        return -1;
    }
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (ai->ai_family == AF_INET6) /* "::1" means IPv6 only, as written */
        setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
    int bl = backlog > 65535 ? 65535 : (int)backlog; /* the kernel caps it at net.core.somaxconn */
    const char *what = "bind";
    if (bind(fd, ai->ai_addr, ai->ai_addrlen) == 0) {
        what = "listen on";
        if (listen(fd, bl) == 0)
            return fd;
    }
    int err = errno;
    cli_error("cannot %s %s port %u: %s", what, host, port, strerror(err));
    close(fd);
    return -1;
}

/* "::ffff:127.0.0.1" names an IPv4 address in IPv6 clothing, which an
 * IPv6-only socket cannot bind (EINVAL): bind the IPv4 address it maps. */
static void unmap_v4(struct addrinfo *ai, struct sockaddr_in *v4)
{
    const struct sockaddr_in6 *a = (const struct sockaddr_in6 *)ai->ai_addr;
    if (ai->ai_family != AF_INET6 || !IN6_IS_ADDR_V4MAPPED(&a->sin6_addr))
        return;
    *v4 = (struct sockaddr_in){.sin_family = AF_INET, .sin_port = a->sin6_port};
    memcpy(&v4->sin_addr, &a->sin6_addr.s6_addr[12], 4);
    ai->ai_family = AF_INET;
    ai->ai_addr = (struct sockaddr *)v4;
    ai->ai_addrlen = sizeof *v4;
}

int listener_open(const char *host, unsigned port, unsigned backlog, struct listener *out)
{
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM, .ai_flags = AI_PASSIVE};
    struct addrinfo *res = NULL;
    char service[8];
    snprintf(service, sizeof service, "%u", port);
    int gai = getaddrinfo(host, service, &hints, &res);
    if (gai != 0) {
        cli_error("cannot resolve --bind '%s': %s", host, gai_strerror(gai));
        return -1;
    }
    struct addrinfo use = *res;
    struct sockaddr_in v4;
    unmap_v4(&use, &v4);
    int fd = bind_listen(&use, backlog, host, port);
    freeaddrinfo(res);
    if (fd < 0)
        return -1;

    struct sockaddr_storage ss;
    socklen_t sl = sizeof ss;
    char num[INET6_ADDRSTRLEN] = "?";
    unsigned real_port = port;
    if (getsockname(fd, (struct sockaddr *)&ss, &sl) == 0 &&
        getnameinfo((struct sockaddr *)&ss, sl, num, sizeof num, service, sizeof service,
                    NI_NUMERICHOST | NI_NUMERICSERV) == 0)
        sscanf(service, "%u", &real_port);
    *out = (struct listener){.fd = fd, .loopback = is_loopback(&ss)};
    snprintf(out->host, sizeof out->host, "%s", num);
    snprintf(out->url, sizeof out->url, ss.ss_family == AF_INET6 ? "http://[%s]:%u" : "http://%s:%u", num, real_port);
    return 0;
}
