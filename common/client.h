/* client: what sayhi-sync and sayhi-async share around their engines.
 *
 * The flags every client takes (parsed into struct client_config, with the
 * rows each program adds in its own option table: clientargs.c), the
 * --url syntax (http only), the request bytes (request.c), the run
 * skeleton, and the lines a run prints on stderr while it goes: --verbose
 * start/done lines and the first failure of each kind. Not for: sending
 * requests (each engine), statistics (stats.h), or the final summary and
 * files (report.h). */
#ifndef SAYHI_CLIENT_H
#define SAYHI_CLIENT_H

#include "resolve.h"
#include "response.h"
#include "stats.h"

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#define CLIENT_NUMBER_MAX 10000000
#define CLIENT_DEFAULT_URL "http://127.0.0.1:8080/say-hi"
#define CLIENT_EXIT_INTERRUPTED 130 /* SIGINT: 128 + 2, as a shell reports a death by it */
#define CLIENT_EXIT_TERMINATED 143  /* SIGTERM: 128 + 15 */
#define CLIENT_HOUR_US (INT64_C(3600) * 1000000)
#define CLIENT_HEADERS_MAX 32
#define CLIENT_DATA_FILE_MAX (64 << 20) /* --data-file: sent from memory, whole */

/* Set to the signal's number by SIGINT or SIGTERM while client_run() runs
 * an engine. Engines then start no new request and abandon those in flight
 * (they stay unfinished); the report covers the requests that finished and
 * the exit code is 130 (SIGINT) or 143 (SIGTERM). */
extern volatile sig_atomic_t client_interrupted;

struct client_url {
    char host[256];      /* without brackets for IPv6 */
    char port[8];        /* decimal, "80" when the URL has none */
    char authority[272]; /* the Host header: host[:port] as written */
    char path[2048];     /* path and query, "/" at least */
};

struct client_config;

/* The files a run may write besides stdout, in the order of client_config.out. */
enum client_out { CLIENT_OUT_TIMELINE, CLIENT_OUT_HDR, CLIENT_OUT_TRACE, CLIENT_OUTS };

/* One row of a program's option table (client_spec.options) or of the
 * flags every client takes (clientargs.c): the shared parser builds
 * getopt_long's table, the optstring and --help from the rows, so a new
 * flag is one row and one setter. */
struct client_option {
    const char *name;  /* long name without the dashes: "threads" */
    char short_name;   /* 'c' for -c, or 0 */
    const char *arg;   /* the value's name in --help ("T"), NULL for a switch */
    const char *help;  /* --help text; "\n" starts a continuation line */
    /* Stores value (NULL for a switch) into cfg; flag is "--name" whether the
     * user typed the long or the short form, for the one error line.
     * 0, or -1 after that line. */
    int (*set)(struct client_config *cfg, const char *flag, const char *value);
};

/* What a program adds to the shared flags. */
struct client_spec {
    const char *summary;                  /* first lines of --help, after "Usage:" */
    const struct client_option *options;  /* ended by a row with name NULL */
};

struct client_config {
    uint64_t number;
    const char *url;
    struct client_url target;
    int64_t timeout_us;
    bool json, verbose, keepalive, quiet, help, version;
    /* --timeline, --hdr, --trace: opened while parsing so that a bad path
     * fails before the run; written by report_finish. */
    struct client_file {
        const char *path;
        FILE *f;
    } out[3];
    uint64_t extra;       /* --threads or --concurrency, 0 when not given */
    bool number_given;    /* --number was on the command line */
    int64_t duration_us;  /* --duration: start no request after this; 0 for none */
    double rate;          /* --rate: requests per second of an open loop; 0 closed loop */
    bool poisson;         /* --arrivals poisson */
    bool arrivals_given;  /* --arrivals was on the command line (it needs --rate) */
    bool max_body_given;  /* --max-body was (it needs --check json or --crawl) */
    const char *method;   /* -X: "GET" by default */
    const char *headers[CLIENT_HEADERS_MAX]; /* -H "Name: value", in order */
    size_t nheaders;
    const char *data;     /* --data, or what --data-file held (data_owned); NULL: no body */
    size_t data_len;
    char *data_owned;
    struct response_rules rules; /* --check, --max-body, and HEAD's bodiless responses */
    struct resolve_addr addr; /* where every request connects: set by client_run */
    bool crawl;           /* --crawl: --url is the start, the links give the rest (crawl.h) */
    uint32_t max_depth;   /* --max-depth; UINT32_MAX for none */
    const char *find;     /* --find PATH, or NULL */
};

/* The monotonic instant from which no request starts: the run's start
 * plus --duration, INT64_MAX without it. */
int64_t client_end_us(const struct client_config *cfg, int64_t t0_us);

/* Parses argv (defaults first); --help and --version print and exit 0 (1
 * when stdout cannot be written).
 * Returns 0, or -1 after one line on stderr (exit CLI_EXIT_USAGE). */
int client_parse_args(int argc, char **argv, const struct client_spec *spec, struct client_config *cfg);

/* The bytes of the request for cfg->target: -X's method, Host, User-Agent
 * (program and version) and Accept unless -H gives its own, the -H
 * headers in order, "Connection: close" under --no-keepalive, and the
 * --data body with its Content-Length. malloc'd, its length in *len; NULL
 * when out of memory. */
char *client_request_text(const struct client_config *cfg, const char *program, size_t *len);

/* The same for another path of the same origin (a --crawl page). */
char *client_request_path(const struct client_config *cfg, const char *program, const char *path, size_t *len);

/* value with its control bytes as \xNN, so that an error naming it stays
 * one line; cut with "..." when longer than buf. Returns buf. */
const char *client_visible(const char *value, char *buf, size_t len);

/* Splits an http:// URL. Returns 0, or -1 with a reason in err. */
int client_parse_url(const char *value, struct client_url *u, char *err, size_t errlen);

struct report_run;

/* What a client's engine is: run cfg->number requests into st (initialised
 * for that many). 0, or -1 on a setup error already reported on stderr. */
typedef int client_engine(const struct client_config *cfg, struct stats *st, void *arg);

/* The part of main() every client shares once flags are parsed: allocates
 * the records, resolves the host into cfg->addr (resolve.h; when it has no
 * address every request is a connect error and no engine runs), runs
 * engine(cfg, st, arg) with SIGINT and SIGTERM caught (see
 * client_interrupted), sets run->elapsed_s, prints the report and closes
 * stdout. Returns the exit code: CLI_EXIT_FAILURE too when stdout could not
 * be written (one line on stderr says why). */
int client_run(struct client_config *cfg, client_engine *engine, void *arg, struct report_run *run);

/* Descriptors kept back from connections by client_fit_fd_limit: stdio,
 * the event loop's, the --timeline file, and the libraries' own. */
#define CLIENT_FD_RESERVE 32

/* How many of want units (connections, threads) needing per descriptors
 * each fit the open-file limit, raised first as far as the hard limit
 * allows; at least 1. When fewer than want fit, says so on stderr (unless
 * --quiet, or when what is NULL: nobody asked for want), naming what was
 * capped: "open-file limit is 1024: concurrency capped at 992 (asked for
 * 10000)". */
uint64_t client_fit_fd_limit(const struct client_config *cfg, uint64_t want, uint64_t per, const char *what);

/* Whether a progress bar may be drawn: never with --json, --quiet or
 * --verbose (log_progress_init adds: only on a terminal, after a second). */
bool client_progress_wanted(const struct client_config *cfg);

/* How many CPUs this process may run on (its affinity mask); 1 if unknown. */
int client_cpus_usable(void);

/* Marks request id (0-based) sent at now_us, due at due_us (monotonic;
 * the same in a closed loop): its record, and under --verbose the line "13:17:16.123 start #7" on stderr (ids show
 * 1-based, as in --timeline). */
void client_request_start(const struct client_config *cfg, struct stats *st, size_t id, int64_t due_us,
                          int64_t now_us);

/* Microseconds left of request id's --timeout at now_us, counted from when
 * it was sent, by the clock its latency is measured with (stats_now_us): 0
 * or less once it has passed. */
int64_t client_time_left(const struct client_config *cfg, const struct stats *st, size_t id, int64_t now_us);

/* Records the end of request id at now_us with what it came to (status 0
 * when no response came; detail as for client_note_failure): its record,
 * the first-failure notice, and under --verbose the line
 * "13:17:17.125 done #7 200 1002ms" (the error kind appended on failure).
 * Both engines end every request here, and here --timeout is kept: what
 * ends a request after its --timeout has passed, even a complete response,
 * is a timeout. Thread-safe for distinct ids. */
void client_request_done(const struct client_config *cfg, struct stats *st, size_t id, int64_t now_us,
                         unsigned status, enum stats_error kind, const char *detail);

/* Bytes no request asked for came on an idle kept-alive connection after
 * the response to request id: that request is counted bad_status after all
 * (its status stays as received), with the first-failure notice. The caller
 * closes the connection. */
void client_note_unsolicited(const struct client_config *cfg, struct stats *st, size_t id, size_t n);

/* What waits on the idle kept-alive socket fd, read without blocking: 0
 * nothing (the connection can be reused), -1 the peer closed it (or an
 * error), else the count of bytes that no request asked for (at most a
 * few KB are read: the connection is closed anyway). */
ssize_t client_idle_read(int fd);

/* Prints "prog: <message>" on stderr for the first failure of each kind
 * only, so a dead server costs one line, not N: what failed and where, e.g.
 * "cannot connect to 127.0.0.1:8080: Connection refused". detail is the
 * system's or library's reason (may be NULL); for a bad status or body with
 * a status, what response_verdict said ("answered status 500, not 2xx").
 * Thread-safe. */
void client_note_failure(const struct client_config *cfg, enum stats_error kind, unsigned status,
                         const char *detail);

#endif
