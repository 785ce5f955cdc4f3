/* sayhi-async: the asynchronous client, one thread, one event loop.
 *
 * main() only turns flags into a client_config, fits the concurrency to the
 * open-file limit, runs the engine (async.c) and hands the records to
 * report.c. */
#include "async.h"
#include "cli.h"
#include "client.h"
#include "report.h"
#include "stats.h"

#include <signal.h>
#include <stdio.h>

static int set_concurrency(struct client_config *cfg, const char *flag, const char *v)
{
    return cli_parse_uint(flag, v, 1, CLIENT_NUMBER_MAX, &cfg->extra);
}

static const struct client_option options[] = {
    {"concurrency", 'c', "C", "at most C requests (and connections) at once (default: N,\n"
                              "capped by the open-file limit, with a notice)", set_concurrency},
    {NULL, 0, NULL, NULL, NULL},
};

static const struct client_spec spec = {
    .summary = "GETs a URL --number times from one thread with at most --concurrency requests in\n"
               "flight on kept-alive connections (libevent); by default all of them at once.\n",
    .options = options,
};

static int engine(const struct client_config *cfg, struct stats *st, void *arg)
{
    return async_run(cfg, *(size_t *)arg, st);
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
    size_t concurrency = (size_t)client_fit_fd_limit(&cfg, want, 1, "concurrency");
    struct report_run run = {.client = "async", .concurrency = concurrency};
    return client_run(&cfg, engine, &concurrency, &run);
}
