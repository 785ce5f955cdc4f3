/* sayhi-sync: the synchronous client, and with --threads the thread pool.
 *
 * main() only turns flags into a client_config, fits the threads to the
 * open-file limit, runs the engine (sync.c) and hands the records to
 * report.c. */
#include "cli.h"
#include "client.h"
#include "report.h"
#include "stats.h"
#include "sync.h"

#include <signal.h>
#include <stdio.h>

#define THREADS_MAX 10000

static int set_threads(struct client_config *cfg, const char *flag, const char *v)
{
    return cli_parse_uint(flag, v, 1, THREADS_MAX, &cfg->extra);
}

static const struct client_option options[] = {
    {"threads", 0, "T", "T worker threads doing blocking requests (reported as\n"
                        "client \"threads\"; default: none, one request at a time;\n"
                        "capped by the open-file limit, with a notice)", set_threads},
    {NULL, 0, NULL, NULL, NULL},
};

static const struct client_spec spec = {
    .summary = "GETs a URL --number times, one request after another on one kept-alive connection\n"
               "(libcurl), or with --threads T on T threads sharing the requests.\n",
    .options = options,
};

/* Descriptors a worker thread holds: its connection, and the socketpair of
 * the multi handle libcurl 7.88 makes for curl_easy_perform (counted in
 * /proc/PID/fd: 3 per thread). */
#define FDS_PER_THREAD 3

struct job {
    unsigned threads;       /* 0: one request after another */
    struct report_run *run; /* its concurrency: the threads that ran */
};

static int engine(const struct client_config *cfg, struct stats *st, void *arg)
{
    struct job *job = arg;
    int rc = sync_run(cfg, &job->threads, st);
    if (job->threads > 0)
        job->run->concurrency = job->threads;
    return rc;
}

int main(int argc, char **argv)
{
    struct client_config cfg;
    cli_stdio_guard(); /* before anything opens a descriptor: see cli.h */
    cli_set_program("sayhi-sync");
    if (client_parse_args(argc, argv, &spec, &cfg) != 0)
        return CLI_EXIT_USAGE;
    /* A write to a closed pipe (stdout into `| head`) must be the error of
     * exit 1 that the README promises, said on stderr, not a death by SIGPIPE
     * (141), as it is for sayhi-async. */
    signal(SIGPIPE, SIG_IGN);
    /* More threads than requests would only idle; more than the open-file
     * limit holds would fail to connect. */
    unsigned threads = (unsigned)(cfg.extra < cfg.number ? cfg.extra : cfg.number);
    if (threads > 0)
        threads = (unsigned)client_fit_fd_limit(&cfg, threads, FDS_PER_THREAD, "threads");
    struct report_run run = {.client = threads > 0 ? "threads" : "sync", .concurrency = threads > 0 ? threads : 1};
    struct job job = {.threads = threads, .run = &run};
    return client_run(&cfg, engine, &job, &run);
}
