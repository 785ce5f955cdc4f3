/* server: sayhi-server's engine — one libmicrohttpd daemon on one libevent loop.
 *
 * Delayed replies suspend their connection and arm a timer; nothing sleeps and
 * no thread is started per request. Not for: flag parsing (main.c) or the
 * shape of bodies (routes.c). */
#ifndef SAYHI_SERVER_H
#define SAYHI_SERVER_H

#include <stdbool.h>
#include <stdio.h>
#include <stdint.h>

struct server_config {
    const char *bind;          /* address to listen on, e.g. "127.0.0.1", "::1" */
    unsigned port;             /* 0 picks a free port */
    int64_t delay_us;          /* default delay of /say-hi */
    int64_t max_delay_us;      /* cap for ?delay= */
    int64_t grace_us;          /* how long SIGINT/SIGTERM waits for in-flight requests */
    int64_t idle_timeout_us;   /* idle connections close after this; 0 never */
    unsigned max_connections;  /* concurrent connections */
    bool access_log;           /* one line per request on stdout */
    bool quiet;                /* no notices on stdout/stderr, errors only */
};

/* The endpoints' --help lines, one each: "  /stats   what ...". */
void server_print_endpoints(FILE *out);

/* Runs until SIGINT/SIGTERM and the drain that follows. Returns the process
 * exit code: 0 after a clean stop, 1 when the server could not start. */
int server_run(const struct server_config *cfg);

#endif
