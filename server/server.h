/* server: sayhi-server's engine — one libmicrohttpd daemon on one libevent loop.
 *
 * Delayed replies suspend their connection and arm a timer; nothing sleeps and
 * no thread is started per request. Not for: flag parsing (main.c) or the
 * shape of bodies (routes.c). */
#ifndef SAYHI_SERVER_H
#define SAYHI_SERVER_H

#include "params.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdint.h>

/* --max-size: its default, and the most it may be (a padded body goes out
 * as iovec entries of 1 MiB of shared padding, 16 bytes each in the
 * connection's 4 KB pool). */
#define SERVER_DEFAULT_MAX_SIZE (UINT64_C(16) << 20)
#define SERVER_MAX_SIZE_CAP (UINT64_C(64) << 20)

struct server_config {
    const char *bind;          /* address to listen on, e.g. "127.0.0.1", "::1" */
    unsigned port;             /* 0 picks a free port */
    struct params defaults;    /* --delay, --status, --fault, --max-delay, --max-size: what a bare
                                  /say-hi gets, and the caps of what a request may ask */
    uint64_t seed;             /* of the server's generator, and of the family */
    uint32_t family_size;      /* people in the family of /family/ID */
    bool seed_given;           /* --seed: else seed was drawn at start and is announced */
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
