/* resolve: the one rule by which both clients turn --url's host into the
 * address every request of a run connects to.
 *
 * "localhost" and names ending in ".localhost" are the loopback addresses
 * ::1 and 127.0.0.1, in that order, whatever /etc/hosts says (RFC 6761
 * §6.3; curl and the browsers do the same); any other host is what
 * getaddrinfo returns for it, in its order. Of several addresses the first
 * that takes a TCP connection is used (a server may listen on only one of
 * them: each is tried with a connection opened and closed at once); when
 * none does, the first, so that every request reports its error. Done once,
 * before the run; sayhi-sync hands the address to libcurl, which would
 * otherwise resolve by rules of its own. Not for: connecting the requests
 * (each engine). */
#ifndef SAYHI_RESOLVE_H
#define SAYHI_RESOLVE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

struct resolve_addr {
    struct sockaddr_storage ss;
    socklen_t len; /* 0 until resolved */
};

/* Resolves host and port (decimal) by the rule above, trying each address
 * for up to timeout_us. 0, or -1 with the resolver's reason in err when the
 * host has no address. */
int resolve_target(const char *host, const char *port, int64_t timeout_us, struct resolve_addr *out, char *err,
                   size_t errlen);

/* The address as a URL writes its host: "127.0.0.1" or "[::1]". Returns buf
 * (at least 48 bytes). */
char *resolve_url_host(const struct resolve_addr *a, char *buf, size_t len);

#endif
