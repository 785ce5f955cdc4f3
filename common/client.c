/* client: shared client flags, --url, and run-time notices (client.h). */
#include "client.h"

#include "cli.h"
#include "crawl.h"
#include "duration.h"
#include "log.h"
#include "report.h"
#include "response.h"

#include <errno.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

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
    if (st->crawl != NULL) { /* the start page failed: nothing more to find */
        st->n = 1;
        crawl_take(st->crawl);
        crawl_end(st->crawl, 0, NULL, 0);
    }
    st->started = st->n;
    for (size_t id = 0; id < st->n; id++) {
        int64_t now = stats_now_us();
        stats_begin(st, id, now, now);
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
    struct crawl crawl;
    char why[128];
    if (cfg->crawl && crawl_init(&crawl, cfg, why, sizeof why) != 0) {
        cli_error("%s", why);
        stats_free(&st);
        return CLI_EXIT_FAILURE;
    }
    st.crawl = cfg->crawl ? &crawl : NULL;
    run->crawl = st.crawl;
    bool resolved = resolve_host(cfg, &st) == 0;
    if (resolved)
        st.t0_us = stats_now_us(); /* the run, and --duration, start once the host is resolved */
    if (!resolved || engine(cfg, &st, arg) == 0) {
        /* the requests --duration left time for, the pages the crawl found */
        if ((cfg->duration_us > 0 || cfg->crawl) && st.started < st.n)
            st.n = st.started;
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
    if (cfg->crawl)
        crawl_free(&crawl);
    free(cfg->data_owned);
    cfg->data_owned = NULL;
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
    if (!cfg->quiet && what != NULL)
        cli_error("open-file limit is %llu: %s capped at %llu (asked for %llu)", (unsigned long long)limit, what,
                  (unsigned long long)fit, (unsigned long long)want);
    return fit;
}

int64_t client_end_us(const struct client_config *cfg, int64_t t0_us)
{
    return cfg->duration_us > 0 ? t0_us + cfg->duration_us : INT64_MAX;
}

bool client_progress_wanted(const struct client_config *cfg)
{
    /* A crawl does not know how many pages it will find: no bar to fill. */
    return !cfg->json && !cfg->quiet && !cfg->verbose && !cfg->crawl;
}

int client_cpus_usable(void)
{
    cpu_set_t set;
    return sched_getaffinity(0, sizeof set, &set) == 0 ? CPU_COUNT(&set) : 1;
}

void client_request_start(const struct client_config *cfg, struct stats *st, size_t id, int64_t due_us,
                          int64_t now_us)
{
    char ts[40];
    stats_begin(st, id, due_us, now_us);
    if (cfg->verbose)
        fprintf(stderr, "%s start #%zu\n", log_timestamp(ts, sizeof ts) + 11, id + 1);
}

int64_t client_time_left(const struct client_config *cfg, const struct stats *st, size_t id, int64_t now_us)
{
    return cfg->timeout_us - (now_us - st->t0_us - stats_sent_us(&st->rec[id]));
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
            cli_error("%s %s %s", cfg->method, cfg->url, d);
        else
            cli_error("%s %s: not a valid HTTP response%s%s", cfg->method, cfg->url, sep, d);
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
