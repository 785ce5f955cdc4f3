/* sayhi-async: the asynchronous client, one thread, one event loop.
 *
 * main() only turns flags into a client_config, fits the concurrency to the
 * open-file limit, runs the engine (async.c) and hands the records to
 * report.c. */
#include "async.h"
#include "cli.h"
#include "client.h"
#include "crawl.h"
#include "report.h"
#include "stats.h"

#include <errno.h>
#include <stdbool.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* An open loop's default connection cap. Without one, every due request
 * that found the connections busy opened another: at 20,000/s to a delay-0
 * server 8,817 connections were opened, the cost of opening them made the
 * sends late (p99 48 ms) and the lateness opened more; with 1,000 the p99
 * was 2.3 ms. 1,000 in flight is 10 ms of hiccup at 100,000/s; a due request
 * that finds all busy waits (counted in its latency, and said). */
#define OPEN_LOOP_CONNS 1000

static int set_concurrency(struct client_config *cfg, const char *flag, const char *v)
{
    return cli_parse_uint(flag, v, 1, CLIENT_NUMBER_MAX, &cfg->extra);
}

/* Digits with at most one '.' among them, as durations are read
 * (duration.c): strtod alone also took " 5", "0x10", "1e3" and "inf". */
static bool plain_decimal(const char *v)
{
    size_t digits = strspn(v, "0123456789");
    const char *p = v + digits;
    if (*p == '.') {
        size_t frac = strspn(p + 1, "0123456789");
        digits += frac;
        p += 1 + frac;
    }
    return digits > 0 && *p == '\0';
}

static int set_rate(struct client_config *cfg, const char *flag, const char *v)
{
    errno = 0;
    double r = plain_decimal(v) ? strtod(v, NULL) : 0;
    /* From 0.001/s: request 10,000,000 is then due 10^10 s on, whose
     * microseconds still fit the schedule's int64 (1e-300 overflowed it: each
     * request after the first was a "timeout" due 292,000 years ago). */
    if (errno != 0 || !(r >= 0.001 && r <= 10e6)) {
        cli_error("%s must be requests per second, from 0.001 to 10000000, got '%s'", flag, v);
        return -1;
    }
    cfg->rate = r;
    return 0;
}

static int set_arrivals(struct client_config *cfg, const char *flag, const char *v)
{
    if (strcmp(v, "even") != 0 && strcmp(v, "poisson") != 0) {
        cli_error("%s must be even or poisson, got '%s'", flag, v);
        return -1;
    }
    cfg->poisson = strcmp(v, "poisson") == 0;
    cfg->arrivals_given = true;
    return 0;
}

static const struct client_option options[] = {
    {"concurrency", 'c', "C", "at most C requests (and connections) at once (default: N,\n"
                              "capped by the open-file limit, with a notice unless -z came\n"
                              "without -n; with --rate: 1000)",
     set_concurrency},
    {"rate", 0, "R", "open loop: request i is due at i/R seconds from the start, whatever\n"
                     "the server does; latency counts from then (default: closed loop);\n"
                     "from 20000/s, with a second CPU, the loop polls: one CPU busy", set_rate},
    {"arrivals", 0, "even|poisson", "with --rate: even gaps (default) or exponential ones", set_arrivals},
    {NULL, 0, NULL, NULL, NULL},
};

static const struct client_spec spec = {
    .summary = "GETs a URL --number times from one thread with at most --concurrency requests in\n"
               "flight on kept-alive connections (libevent); by default all of them at once.\n",
    .options = options,
};

static int engine(const struct client_config *cfg, struct stats *st, void *arg)
{
    struct report_run *run = arg;
    size_t concurrency = (size_t)run->concurrency;
    int rc = async_run(cfg, &concurrency, st);
    run->concurrency = concurrency;
    return rc;
}

int main(int argc, char **argv)
{
    struct client_config cfg;
    cli_stdio_guard(); /* before anything opens a descriptor: see cli.h */
    cli_set_program("sayhi-async");
    if (client_parse_args(argc, argv, &spec, &cfg) != 0)
        return CLI_EXIT_USAGE;
    signal(SIGPIPE, SIG_IGN); /* a write to a reset socket must be an error, not a death */
    /* C connections need C descriptors: raise the limit, or lower C and say so. */
    uint64_t want = cfg.extra != 0 && cfg.extra < cfg.number ? cfg.extra : cfg.number;
    if (cfg.crawl && cfg.extra == 0) /* as many as discovery allows: see crawl.h */
        want = cfg.number < CRAWL_DEFAULT_CONCURRENCY ? cfg.number : CRAWL_DEFAULT_CONCURRENCY;
    if (cfg.rate > 0 && cfg.extra == 0)
        want = want < OPEN_LOOP_CONNS ? want : OPEN_LOOP_CONNS;
    /* Nobody asked for this many (a --rate's default, or -z alone, whose
     * N is the 10,000,000 default): as many as the limit allows, without a
     * notice that would say "asked for 10000000". */
    bool asked = !(cfg.extra == 0 && (cfg.rate > 0 || (!cfg.number_given && !cfg.crawl)));
    size_t concurrency = (size_t)client_fit_fd_limit(&cfg, want, 1, asked ? "concurrency" : NULL);
    struct report_run run = {.client = "async", .concurrency = concurrency, .rate = cfg.rate};
    return client_run(&cfg, engine, &run, &run);
}
