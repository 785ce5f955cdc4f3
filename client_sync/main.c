/* sayhi-sync: the synchronous client, and with --threads the thread pool.
 *
 * main() only turns flags into a client_config, runs the engine (sync.c)
 * and hands the records to report.c. */
#include "cli.h"
#include "client.h"
#include "report.h"
#include "stats.h"
#include "sync.h"

#include <stdio.h>

static const struct client_spec spec = {
    .summary = "GETs a URL --number times, one request after another on one kept-alive connection\n"
               "(libcurl), or with --threads T on T threads sharing the requests.\n",
    .extra_flag = "--threads",
    .extra_help = "  --threads T           T worker threads doing blocking requests (reported as\n"
                  "                        client \"threads\"; default: none, one request at a time)\n",
    .extra_max = 10000,
};

static int engine(const struct client_config *cfg, struct stats *st, void *arg)
{
    return sync_run(cfg, *(unsigned *)arg, st);
}

int main(int argc, char **argv)
{
    struct client_config cfg;
    cli_stdio_guard(); /* before anything opens a descriptor: see cli.h */
    cli_set_program("sayhi-sync");
    if (client_parse_args(argc, argv, &spec, &cfg) != 0)
        return CLI_EXIT_USAGE;
    /* More threads than requests would only idle. */
    unsigned threads = (unsigned)(cfg.extra < cfg.number ? cfg.extra : cfg.number);
    if (threads > 0)
        cli_raise_fd_limit(threads + 64);
    struct report_run run = {.client = threads > 0 ? "threads" : "sync", .concurrency = threads > 0 ? threads : 1};
    return client_run(&cfg, engine, &threads, &run);
}
