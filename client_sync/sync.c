/* sync: blocking requests with libcurl easy handles (sync.h). */
#include "sync.h"

#include "cli.h"
#include "log.h"
#include "validate.h"

#include <curl/curl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct engine {
    const struct client_config *cfg;
    struct stats *st;
    struct curl_slist *headers;
    uint64_t next; /* next request number to take (threads: atomically) */
    uint64_t done;
};

struct worker {
    struct engine *e;
    CURL *h;
    pthread_t tid;
    size_t len;
    bool overflow;
    char errbuf[CURL_ERROR_SIZE];
    char body[VALIDATE_BODY_MAX];
};

static size_t on_body(char *data, size_t size, size_t nmemb, void *arg)
{
    struct worker *w = arg;
    size_t n = size * nmemb;
    if (w->len + n > sizeof w->body)
        w->overflow = true; /* keep reading so the connection stays usable */
    else
        memcpy(w->body + w->len, data, n);
    w->len += n;
    return n;
}

/* libcurl calls this at least once a second during a transfer, and at once
 * after a signal interrupts its poll: a non-zero return aborts the transfer. */
static int on_progress(void *p, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal, curl_off_t ulnow)
{
    (void)p;
    (void)dltotal;
    (void)dlnow;
    (void)ultotal;
    (void)ulnow;
    return client_interrupted != 0;
}

static int worker_init(struct worker *w, struct engine *e)
{
    const struct client_config *cfg = e->cfg;
    w->e = e;
    w->h = curl_easy_init();
    if (w->h == NULL)
        return -1;
    long timeout_ms = (long)((cfg->timeout_us + 999) / 1000);
    curl_easy_setopt(w->h, CURLOPT_URL, cfg->url);
    curl_easy_setopt(w->h, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(w->h, CURLOPT_WRITEDATA, w);
    curl_easy_setopt(w->h, CURLOPT_ERRORBUFFER, w->errbuf);
    curl_easy_setopt(w->h, CURLOPT_TIMEOUT_MS, timeout_ms);
    curl_easy_setopt(w->h, CURLOPT_CONNECTTIMEOUT_MS, timeout_ms);
    /* Threads must not take signals from libcurl's resolver timeouts. */
    curl_easy_setopt(w->h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(w->h, CURLOPT_XFERINFOFUNCTION, on_progress);
    curl_easy_setopt(w->h, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(w->h, CURLOPT_TCP_NODELAY, 1L);
    /* A proxy from the environment would measure the proxy, not the server. */
    curl_easy_setopt(w->h, CURLOPT_PROXY, "");
    curl_easy_setopt(w->h, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_1_1);
    curl_easy_setopt(w->h, CURLOPT_USERAGENT, "sayhi-sync/" SAYHI_VERSION);
    if (!cfg->keepalive) {
        curl_easy_setopt(w->h, CURLOPT_FORBID_REUSE, 1L);
        curl_easy_setopt(w->h, CURLOPT_HTTPHEADER, e->headers);
    }
    return 0;
}

static enum stats_error classify(CURLcode rc)
{
    switch (rc) {
    case CURLE_COULDNT_CONNECT:
    case CURLE_COULDNT_RESOLVE_HOST:
        return STATS_ERR_CONNECT;
    case CURLE_OPERATION_TIMEDOUT:
        return STATS_ERR_TIMEOUT;
    case CURLE_WEIRD_SERVER_REPLY:
    case CURLE_HTTP2:
    case CURLE_UNSUPPORTED_PROTOCOL:
        return STATS_ERR_STATUS;
    default: /* GOT_NOTHING, RECV_ERROR, SEND_ERROR, PARTIAL_FILE, ... */
        return STATS_ERR_CLOSED;
    }
}

static void one_request(struct worker *w, size_t id)
{
    struct engine *e = w->e;
    const struct client_config *cfg = e->cfg;
    if (cfg->verbose)
        client_verbose_start(id);
    int64_t t0 = stats_now_us();
    stats_begin(e->st, id, t0);
    w->len = 0;
    w->overflow = false;
    w->errbuf[0] = '\0';
    CURLcode rc = curl_easy_perform(w->h);
    int64_t t1 = stats_now_us();
    if (rc == CURLE_ABORTED_BY_CALLBACK) /* interrupted: left unfinished, not a failure */
        return;
    long status = 0;
    curl_easy_getinfo(w->h, CURLINFO_RESPONSE_CODE, &status);
    enum stats_error kind = classify(rc);
    if (rc == CURLE_OK)
        kind = w->overflow ? STATS_ERR_BODY : validate_response((unsigned)status, w->body, w->len);
    stats_end(e->st, id, t1, (unsigned)status, kind);
    if (kind != STATS_OK) {
        const char *detail = w->errbuf[0] != '\0' ? w->errbuf : curl_easy_strerror(rc);
        long os_errno = 0;
        if (kind == STATS_ERR_CONNECT && rc == CURLE_COULDNT_CONNECT &&
            curl_easy_getinfo(w->h, CURLINFO_OS_ERRNO, &os_errno) == CURLE_OK && os_errno != 0)
            detail = strerror((int)os_errno);
        client_note_failure(cfg, kind, (unsigned)status, rc == CURLE_OK ? NULL : detail);
    }
    if (cfg->verbose)
        client_verbose_done(id, (unsigned)status, kind, t1 - t0);
}

static void *worker_main(void *arg)
{
    struct worker *w = arg;
    struct engine *e = w->e;
    uint64_t id;
    while (!client_interrupted && (id = __atomic_fetch_add(&e->next, 1, __ATOMIC_RELAXED)) < e->cfg->number) {
        one_request(w, (size_t)id);
        __atomic_fetch_add(&e->done, 1, __ATOMIC_RELAXED);
    }
    return NULL;
}

static bool progress_wanted(const struct client_config *cfg)
{
    return !cfg->json && !cfg->quiet && !cfg->verbose;
}

static void run_serial(struct engine *e, struct worker *w)
{
    struct log_progress bar;
    log_progress_init(&bar, progress_wanted(e->cfg), e->cfg->number, stats_now_us());
    for (size_t id = 0; id < e->cfg->number && !client_interrupted; id++) {
        one_request(w, id);
        if (bar.enabled)
            log_progress_update(&bar, id + 1, stats_now_us());
    }
    log_progress_end(&bar);
}

static int run_threads(struct engine *e, struct worker *ws, unsigned threads)
{
    unsigned started = 0;
    for (; started < threads; started++) {
        if (pthread_create(&ws[started].tid, NULL, worker_main, &ws[started]) != 0) {
            cli_error("cannot start thread %u of %u", started + 1, threads);
            break;
        }
    }
    struct log_progress bar;
    log_progress_init(&bar, progress_wanted(e->cfg) && started == threads, e->cfg->number, stats_now_us());
    while (bar.enabled && !client_interrupted && __atomic_load_n(&e->done, __ATOMIC_RELAXED) < e->cfg->number) {
        nanosleep(&(struct timespec){.tv_nsec = 50 * 1000 * 1000}, NULL);
        log_progress_update(&bar, __atomic_load_n(&e->done, __ATOMIC_RELAXED), stats_now_us());
    }
    for (unsigned i = 0; i < started; i++)
        pthread_join(ws[i].tid, NULL);
    log_progress_end(&bar);
    return started == threads ? 0 : -1;
}

int sync_run(const struct client_config *cfg, unsigned threads, struct stats *st)
{
    struct engine e = {.cfg = cfg, .st = st};
    unsigned nw = threads > 0 ? threads : 1;
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        cli_error("cannot initialise libcurl");
        return -1;
    }
    struct worker *ws = calloc(nw, sizeof *ws);
    int rc = ws != NULL ? 0 : -1;
    if (!cfg->keepalive)
        e.headers = curl_slist_append(NULL, "Connection: close");
    for (unsigned i = 0; rc == 0 && i < nw; i++)
        rc = worker_init(&ws[i], &e);
    if (rc != 0)
        cli_error("cannot set up %u libcurl handles", nw);
    else if (threads == 0)
        run_serial(&e, &ws[0]);
    else
        rc = run_threads(&e, ws, threads);
    for (unsigned i = 0; ws != NULL && i < nw; i++)
        curl_easy_cleanup(ws[i].h);
    free(ws);
    curl_slist_free_all(e.headers);
    curl_global_cleanup();
    return rc;
}
