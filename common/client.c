/* client: shared client flags, --url, and run-time notices (client.h). */
#include "client.h"

#include "cli.h"
#include "duration.h"
#include "log.h"
#include "report.h"
#include "response.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#define HOUR_US (INT64_C(3600) * 1000000)

/* No byte of the URL may be a blank or a control byte: it would reach the
 * request line or the Host header and split or bend them (a tab, CR LF). */
static int visible_bytes_only(const char *value, char *err, size_t errlen)
{
    for (const unsigned char *p = (const unsigned char *)value; *p != '\0'; p++) {
        if (*p <= ' ' || *p == 0x7f) {
            snprintf(err, errlen, *p == ' ' ? "contains a blank (percent-encode it: %%20)"
                                            : "contains the control byte 0x%02x", *p);
            return -1;
        }
    }
    return 0;
}

/* The plen digits at port (NULL: none given, so 80) into u->port. */
static int parse_port(const char *port, size_t plen, struct client_url *u, char *err, size_t errlen)
{
    unsigned long p = port == NULL ? 80 : 0;
    for (size_t i = 0; port != NULL && i < plen && p <= 65535; i++)
        p = port[i] >= '0' && port[i] <= '9' ? p * 10 + (unsigned long)(port[i] - '0') : 99999;
    if ((port != NULL && plen == 0) || p == 0 || p > 65535) {
        snprintf(err, errlen, "has a bad port (want 1 to 65535)");
        return -1;
    }
    snprintf(u->port, sizeof u->port, "%lu", p);
    return 0;
}

int client_parse_url(const char *value, struct client_url *u, char *err, size_t errlen)
{
    memset(u, 0, sizeof *u);
    if (visible_bytes_only(value, err, errlen) != 0)
        return -1;
    if (strncasecmp(value, "https://", 8) == 0) {
        snprintf(err, errlen, "https is not supported (the sayhi clients speak plain http only)");
        return -1;
    }
    if (strncasecmp(value, "http://", 7) != 0) {
        snprintf(err, errlen, "must start with http://");
        return -1;
    }
    const char *a = value + 7;
    size_t alen = strcspn(a, "/?#");
    /* Bounding the whole authority by the host's size bounds every copy below. */
    if (alen == 0 || alen >= sizeof u->host) {
        snprintf(err, errlen, alen == 0 ? "has no host" : "has a host that is too long");
        return -1;
    }
    if (memchr(a, '@', alen) != NULL) {
        snprintf(err, errlen, "must not contain user information");
        return -1;
    }
    memcpy(u->authority, a, alen);
    const char *port = NULL;
    if (a[0] == '[') { /* IPv6 literal: [::1]:8080 */
        const char *close = memchr(a, ']', alen);
        if (close == NULL || close == a + 1 || (close + 1 < a + alen && close[1] != ':')) {
            snprintf(err, errlen, "has a malformed [IPv6] host");
            return -1;
        }
        memcpy(u->host, a + 1, (size_t)(close - a - 1));
        port = close + 1 < a + alen ? close + 2 : NULL;
    } else {
        const char *colon = memchr(a, ':', alen);
        size_t hlen = colon != NULL ? (size_t)(colon - a) : alen;
        if (hlen == 0) {
            snprintf(err, errlen, "has no host");
            return -1;
        }
        memcpy(u->host, a, hlen);
        port = colon != NULL ? colon + 1 : NULL;
    }
    if (parse_port(port, port != NULL ? (size_t)(a + alen - port) : 0, u, err, errlen) != 0)
        return -1;
    const char *path = a + alen;
    size_t plen = strcspn(path, "#"); /* a fragment never goes on the wire */
    if (plen + 2 > sizeof u->path) {
        snprintf(err, errlen, "is too long");
        return -1;
    }
    snprintf(u->path, sizeof u->path, "%s%.*s", path[0] == '/' ? "" : "/", (int)plen, path);
    return 0;
}

/* value with its control bytes as \xNN, so that an error naming it stays
 * one line; cut with "..." when longer than buf. Returns buf. */
static const char *visible(const char *value, char *buf, size_t len)
{
    size_t n = 0;
    for (const char *p = value; *p != '\0'; p++) {
        if (n + 8 > len) {
            snprintf(buf + n, len - n, "...");
            return buf;
        }
        unsigned char c = (unsigned char)*p;
        n += (size_t)snprintf(buf + n, len - n, c < ' ' || c == 0x7f ? "\\x%02x" : "%c", c);
    }
    buf[n] = '\0';
    return buf;
}

static void usage(FILE *out, const struct client_spec *spec)
{
    fprintf(out,
            "Usage: %s [OPTIONS]\n"
            "\n"
            "%s"
            "DURATION is seconds as a number (1, 0.25) or with a unit (500us, 250ms, 1.5s, 2m).\n"
            "\n"
            "Options:\n"
            "  --number N            requests to make (default 10, at most %d)\n"
            "  --url URL             http:// URL to GET (default %s)\n"
            "%s"
            "  --timeout DURATION    per request, from its start to the end of its response\n"
            "                        (default 30s, at most 1h)\n"
            "  --json                one JSON object on stdout instead of the summary\n"
            "  --verbose             a timestamped line on stderr when each request starts and ends\n"
            "  --timeline FILE       one CSV row per request: id,start_s,end_s,status,error\n"
            "  --no-keepalive        a new connection for every request\n"
            "  --quiet               no summary (unless --json), no progress bar, no notices\n"
            "  --help                this text\n"
            "  --version             the version\n"
            "\n"
            "A request succeeds when the answer is 2xx with a JSON body holding a string \"message\".\n"
            "Exit codes: 0 every request succeeded, 1 some request failed (the summary is still\n"
            "printed), a runtime error, or the results could not be written (stdout, --timeline),\n"
            "2 bad flag or value, 130 interrupted by Ctrl-C (SIGINT), 143 stopped by SIGTERM (for\n"
            "both, the summary covers the requests that finished).\n",
            cli_program(), spec->summary, CLIENT_NUMBER_MAX, CLIENT_DEFAULT_URL, spec->extra_help);
}

static int open_timeline(struct client_config *cfg)
{
    cfg->timeline = fopen(cfg->timeline_path, "w");
    if (cfg->timeline == NULL) {
        cli_error("--timeline cannot write '%s': %s", cfg->timeline_path, strerror(errno));
        return -1;
    }
    return 0;
}

int client_parse_args(int argc, char **argv, const struct client_spec *spec, struct client_config *cfg)
{
    enum { O_NUMBER = 256, O_URL, O_TIMEOUT, O_JSON, O_VERBOSE, O_TIMELINE, O_NO_KEEPALIVE, O_QUIET, O_HELP,
           O_VERSION, O_EXTRA };
    const struct option opts[] = {
        {"number", required_argument, NULL, O_NUMBER},
        {"url", required_argument, NULL, O_URL},
        {"timeout", required_argument, NULL, O_TIMEOUT},
        {"json", no_argument, NULL, O_JSON},
        {"verbose", no_argument, NULL, O_VERBOSE},
        {"timeline", required_argument, NULL, O_TIMELINE},
        {"no-keepalive", no_argument, NULL, O_NO_KEEPALIVE},
        {"quiet", no_argument, NULL, O_QUIET},
        {"help", no_argument, NULL, O_HELP},
        {"version", no_argument, NULL, O_VERSION},
        {spec->extra_flag + 2, required_argument, NULL, O_EXTRA},
        {NULL, 0, NULL, 0},
    };
    *cfg = (struct client_config){.number = 10, .url = CLIENT_DEFAULT_URL, .timeout_us = 30 * INT64_C(1000000),
                                  .keepalive = true};
    char why[128];
    int c;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
        switch (c) {
        case O_NUMBER:
            if (cli_parse_uint("--number", optarg, 1, CLIENT_NUMBER_MAX, &cfg->number) != 0)
                return -1;
            break;
        case O_URL:
            cfg->url = optarg;
            break;
        case O_TIMEOUT:
            if (cli_parse_duration("--timeout", optarg, 1000, HOUR_US, &cfg->timeout_us) != 0)
                return -1;
            break;
        case O_JSON:
            cfg->json = true;
            break;
        case O_VERBOSE:
            cfg->verbose = true;
            break;
        case O_TIMELINE:
            cfg->timeline_path = optarg;
            break;
        case O_NO_KEEPALIVE:
            cfg->keepalive = false;
            break;
        case O_QUIET:
            cfg->quiet = true;
            break;
        case O_EXTRA:
            if (cli_parse_uint(spec->extra_flag, optarg, 1, spec->extra_max, &cfg->extra) != 0)
                return -1;
            break;
        case O_HELP:
            usage(stdout, spec);
            exit(cli_stdout_finish() == 0 ? CLI_EXIT_OK : CLI_EXIT_FAILURE);
        case O_VERSION:
            cli_print_version();
            exit(cli_stdout_finish() == 0 ? CLI_EXIT_OK : CLI_EXIT_FAILURE);
        default:
            cli_bad_option(c, argv);
            return -1;
        }
    }
    if (cli_no_operands(argc, argv) != 0)
        return -1;
    if (client_parse_url(cfg->url, &cfg->target, why, sizeof why) != 0) {
        char shown[3 * 256];
        cli_error("--url %s, got '%s'", why, visible(cfg->url, shown, sizeof shown));
        return -1;
    }
    /* Opened last, so a usage error elsewhere does not leave an empty file. */
    if (cfg->timeline_path != NULL && open_timeline(cfg) != 0)
        return -1;
    return 0;
}

char *client_request_text(const struct client_config *cfg, const char *program, size_t *len)
{
    const char *fmt = "GET %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: %s/" SAYHI_VERSION "\r\nAccept: */*\r\n%s\r\n";
    const char *conn = cfg->keepalive ? "" : "Connection: close\r\n";
    int n = snprintf(NULL, 0, fmt, cfg->target.path, cfg->target.authority, program, conn);
    char *req = n > 0 ? malloc((size_t)n + 1) : NULL;
    if (req == NULL)
        return NULL;
    snprintf(req, (size_t)n + 1, fmt, cfg->target.path, cfg->target.authority, program, conn);
    *len = (size_t)n;
    return req;
}

volatile sig_atomic_t client_interrupted = 0;

static void on_interrupt(int sig) { client_interrupted = sig; }

/* Resolves the host into cfg->addr, once for the run. When it has no
 * address, every request is a connect error, said once. */
static int resolve_host(struct client_config *cfg, struct stats *st)
{
    char why[128];
    if (resolve_target(cfg->target.host, cfg->target.port, cfg->timeout_us, &cfg->addr, why, sizeof why) == 0)
        return 0;
    client_note_failure(cfg, STATS_ERR_CONNECT, 0, why);
    for (size_t id = 0; id < st->n; id++) {
        int64_t now = stats_now_us();
        stats_begin(st, id, now);
        stats_end(st, id, now, 0, STATS_ERR_CONNECT);
    }
    return -1;
}

int client_run(struct client_config *cfg, client_engine *engine, void *arg, struct report_run *run)
{
    /* No SA_RESTART: a blocking poll or connect returns EINTR and the engine
     * notices at once. */
    struct sigaction sa = {.sa_handler = on_interrupt};
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL); /* timeout(1), kill, a supervisor: a partial report, not silence */
    struct stats st;
    if (stats_init(&st, cfg->number) != 0) {
        cli_error("out of memory for %llu request records", (unsigned long long)cfg->number);
        return CLI_EXIT_FAILURE;
    }
    int rc = CLI_EXIT_FAILURE;
    if (resolve_host(cfg, &st) != 0 || engine(cfg, &st, arg) == 0) {
        run->elapsed_s = (double)(stats_now_us() - st.t0_us) / 1e6;
        run->interrupted = client_interrupted;
        st.partial = client_interrupted != 0;
        run->asked = cfg->number;
        if (run->interrupted && !cfg->quiet)
            cli_error("interrupted by %s: reporting the requests that finished",
                      run->interrupted == SIGTERM ? "SIGTERM" : "SIGINT");
        rc = report_finish(cfg, &st, run);
    }
    stats_free(&st);
    /* Results that never reached stdout (a full disk, a closed pipe) must
     * not look like a run that worked. */
    if (cli_stdout_finish() != 0)
        rc = CLI_EXIT_FAILURE;
    return rc;
}

uint64_t client_fit_fd_limit(const struct client_config *cfg, uint64_t want, uint64_t per, const char *what)
{
    uint64_t limit = cli_raise_fd_limit(want * per + CLIENT_FD_RESERVE);
    if (want * per + CLIENT_FD_RESERVE <= limit)
        return want;
    uint64_t fit = limit > CLIENT_FD_RESERVE + per ? (limit - CLIENT_FD_RESERVE) / per : 1;
    if (!cfg->quiet)
        cli_error("open-file limit is %llu: %s capped at %llu (asked for %llu)", (unsigned long long)limit, what,
                  (unsigned long long)fit, (unsigned long long)want);
    return fit;
}

bool client_progress_wanted(const struct client_config *cfg)
{
    return !cfg->json && !cfg->quiet && !cfg->verbose;
}

void client_request_start(const struct client_config *cfg, struct stats *st, size_t id, int64_t now_us)
{
    char ts[40];
    stats_begin(st, id, now_us);
    if (cfg->verbose)
        fprintf(stderr, "%s start #%zu\n", log_timestamp(ts, sizeof ts) + 11, id + 1);
}

int64_t client_time_left(const struct client_config *cfg, const struct stats *st, size_t id, int64_t now_us)
{
    return cfg->timeout_us - (now_us - st->t0_us - st->rec[id].start_us);
}

void client_request_done(const struct client_config *cfg, struct stats *st, size_t id, int64_t now_us,
                         unsigned status, enum stats_error kind, const char *detail)
{
    char ts[40];
    /* A success is a response complete within --timeout of the start, to the
     * microsecond of the latency: an engine that learns of it late (a busy
     * loop, a poll rounded to the millisecond) must not call it one. */
    if (kind != STATS_ERR_TIMEOUT && client_time_left(cfg, st, id, now_us) < 0) {
        kind = STATS_ERR_TIMEOUT;
        status = 0;
        detail = NULL;
    }
    stats_end(st, id, now_us, status, kind);
    if (kind != STATS_OK)
        client_note_failure(cfg, kind, status, detail);
    if (cfg->verbose)
        fprintf(stderr, "%s done #%zu %u %ums%s%s\n", log_timestamp(ts, sizeof ts) + 11, id + 1, status,
                (st->rec[id].latency_us + 500) / 1000, kind != STATS_OK ? " " : "", stats_error_name(kind));
}

void client_note_failure(const struct client_config *cfg, enum stats_error kind, unsigned status,
                         const char *detail)
{
    static int said[STATS_ERR_KINDS];
    if (kind >= STATS_ERR_KINDS || __atomic_exchange_n(&said[kind], 1, __ATOMIC_RELAXED))
        return;
    const struct client_url *u = &cfg->target;
    const char *d = detail != NULL ? detail : "";
    const char *sep = detail != NULL ? ": " : "";
    char t[32];
    switch (kind) {
    case STATS_ERR_CONNECT:
        cli_error("cannot connect to %s:%s%s%s", u->host, u->port, sep, d);
        break;
    case STATS_ERR_TIMEOUT:
        cli_error("no complete response from %s within --timeout %s", cfg->url,
                  duration_format(cfg->timeout_us, t, sizeof t));
        break;
    case STATS_ERR_CLOSED:
        cli_error("connection to %s:%s closed before the response was complete%s%s", u->host, u->port, sep, d);
        break;
    case STATS_ERR_STATUS:
    case STATS_ERR_BODY:
        if (status != 0) /* detail: response_verdict's words */
            cli_error("GET %s %s", cfg->url, d);
        else
            cli_error("GET %s: not a valid HTTP response%s%s", cfg->url, sep, d);
        break;
    default:
        break;
    }
}

void client_note_unsolicited(const struct client_config *cfg, struct stats *st, size_t id, size_t n)
{
    char why[RESPONSE_WHY_MAX];
    unsigned status = st->rec[id].status;
    stats_amend(st, id, STATS_ERR_STATUS);
    response_why_unsolicited(why, status, n);
    client_note_failure(cfg, STATS_ERR_STATUS, status, why);
}

ssize_t client_idle_read(int fd)
{
    char buf[4096];
    ssize_t r = recv(fd, buf, sizeof buf, MSG_DONTWAIT);
    if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
        return 0;
    return r > 0 ? r : -1;
}
