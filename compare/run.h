/* run: one measured run of a client mode, and the processes it takes.
 *
 * sayhi-compare does not measure anything itself: it runs the real clients
 * with --json and --timeline and reads what they report, and reads the
 * server's /stats for the peak in flight the server saw. Own servers are
 * started fresh for every run so that peak belongs to that run alone.
 * Not for: presenting results (output.c, plot.c). */
#ifndef SAYHI_COMPARE_RUN_H
#define SAYHI_COMPARE_RUN_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "cost.h"

enum run_mode { MODE_SYNC, MODE_THREADS, MODE_ASYNC, MODE_COUNT };

/* At most this many values in --numbers and in --concurrency: a mode has
 * at most this many rows. */
#define RUN_MAX_COUNTS 32

/* threads mode runs sayhi-sync --threads min(N, this): its own cap. */
#define RUN_MAX_THREADS 10000u

/* With its own servers, sayhi-compare knows the delay and gives the clients
 * --timeout delay + this: their own default (30 s) counted from the end of
 * the delay, so that no --delay (up to 60 s) times every request out, and a
 * short delay keeps the margin the clients would have had anyway. */
#define RUN_TIMEOUT_MARGIN_US (30 * INT64_C(1000000))
#define RUN_CLIENT_DEFAULT_TIMEOUT "30s" /* the clients' own, for --url runs */

/* --crawl: the family every mode crawls is the same (its size is
 * --family, its seed this), and the thread pool has this many threads. */
#define RUN_CRAWL_SEED "1"
#define RUN_CRAWL_THREADS 10u

const char *run_mode_name(enum run_mode m);

struct run_result {
    enum run_mode mode;
    unsigned number;
    unsigned concurrency;
    double elapsed_s;
    double requests_per_s;
    double speedup;       /* see output_speedups(); 0: none */
    long long peak;       /* server's peak_in_flight during the run; -1 unknown */
    unsigned long long ok, failed;
    int client_exit;      /* the client's exit code */
    unsigned limit;       /* --concurrency grid: the limit C of this run (sync: 1); 0: none */
    unsigned levels;      /* --crawl: the levels read (number is then the pages read) */
    struct cost cost;     /* what the client process cost (cost.h) */
    char timeline[256];   /* the client's --timeline CSV */
};

struct run_env {
    const char *sync_bin, *async_bin, *server_bin;
    const char *url;      /* NULL: start an own server per run */
    int64_t delay_us;     /* delay of the own server */
    int64_t timeout_us;   /* --timeout for the clients; < 0: none (their default) */
    const char *tmpdir;   /* for timelines */
    const char *crawl;    /* --crawl PATH: each run crawls from it; NULL: --number runs of /say-hi */
    unsigned family;      /* --crawl: the own server's --family */
};

/* Finds the programs a grid of these modes needs (the server only without
 * --url) next to this one (installed) or in the build tree; environment
 * SAYHI_SYNC, SAYHI_ASYNC, SAYHI_SERVER override. 0, or -1 after one line
 * saying where it looked, when one is not an executable file. */
int run_find_programs(struct run_env *env, const char *argv0, const bool modes[MODE_COUNT]);

/* Frees what run_find_programs() allocated. */
void run_free_programs(struct run_env *env);

/* Runs mode with N requests; limit > 0 caps what runs at once (async
 * --concurrency, threads --threads; sync ignores it), 0 leaves the mode's
 * own: one thread per request, async all at once. Returns 0 when the client
 * ran and reported (even with failed requests), -1 when the run could not
 * be made. */
int run_one(const struct run_env *env, enum run_mode mode, unsigned number, unsigned limit,
            struct run_result *out);

/* Catches SIGINT, SIGTERM and SIGHUP: the first kills the server and client
 * of the run in progress (run_one() then returns -1) and no child starts
 * after it, so that the caller can still report the runs that finished and
 * remove its temporary directory. SIGPIPE gets a handler that does nothing:
 * a write to a closed pipe then fails (EPIPE) and is reported instead of
 * killing sayhi-compare with its directory left behind; a handler, not
 * SIG_IGN, because an ignored signal stays ignored in the programs run. */
void run_catch_signals(void);

/* The signal that stopped the grid; 0 while none has come. */
int run_stopped(void);

#endif
