/* routes: the JSON bodies the server answers and the counters /stats shows,
 * independent of how they are transported. Pure functions, so the wire
 * format is unit-tested without a socket. Not for: which path is served how
 * (endpoints.c), connections, timers or libmicrohttpd (server.c). */
#ifndef SAYHI_ROUTES_H
#define SAYHI_ROUTES_H

#include "dhist.h"
#include "fault.h"

#include <stddef.h>
#include <stdint.h>

#define ROUTES_STATUS_MAX 600

/* What /stats reports. in_flight and peak_in_flight count /say-hi requests
 * only, so that asking /stats does not change what it reports. */
struct routes_counters {
    uint64_t requests;
    uint64_t in_flight;
    uint64_t peak_in_flight;
    uint64_t status[ROUTES_STATUS_MAX]; /* responses sent, by status code */
    uint64_t seed;                      /* --seed, or the one drawn at start */
    uint64_t bytes_sent;                /* bytes of body written */
    uint64_t faults[FAULT_KINDS];       /* faults applied, by kind */
    uint64_t delays_capped;             /* delays drawn above --max-delay, sent at it */
    uint64_t family_pages;              /* /family/ID pages sent (2xx) */
    struct dhist delays;                /* every /say-hi delay drawn */
};

/* {"message":"Hi","delay_ms":D} into buf; returns its length (< len). */
size_t routes_say_hi_body(char *buf, size_t len, int64_t delay_us);

/* {"error":"<message>"}, JSON-escaped; malloc'd, NULL on out of memory. */
char *routes_error_body(const char *message);

/* The /stats object; malloc'd, NULL on out of memory. */
char *routes_stats_body(const struct routes_counters *c, double uptime_s);

#endif
