/* run: spawning the server and a client, reading their reports (run.h). */
#include "run.h"

#include "cli.h"
#include "cost.h"
#include "duration.h"
#include "formats.h"

#include <cjson/cJSON.h>
#include <curl/curl.h>
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *const mode_names[MODE_COUNT] = {"sync", "threads", "async"};

const char *run_mode_name(enum run_mode m) { return mode_names[m]; }

/* Children of the run in progress, for on_stop() to kill. */
static volatile pid_t current_server = 0, current_client = 0;
static volatile sig_atomic_t stop_signal = 0;

/* The signals that stop the grid, and the mask spawn() holds them in. */
static const int stop_signals[] = {SIGINT, SIGTERM, SIGHUP};

static void on_stop(int sig)
{
    if (stop_signal == 0)
        stop_signal = sig;
    if (current_client > 0)
        kill(current_client, SIGKILL);
    if (current_server > 0)
        kill(current_server, SIGKILL);
}

static void on_pipe(int sig) { (void)sig; }

void run_catch_signals(void)
{
    struct sigaction stop = {.sa_handler = on_stop}, broken_pipe = {.sa_handler = on_pipe};
    for (size_t i = 0; i < sizeof stop_signals / sizeof stop_signals[0]; i++)
        sigaction(stop_signals[i], &stop, NULL);
    sigaction(SIGPIPE, &broken_pipe, NULL);
}

int run_stopped(void) { return stop_signal; }

/* 0 when path is a regular file this process may execute; else -1 with
 * *why saying what is wrong. Checked before any run: exec failing in the
 * child of every run printed two lines per run and an empty table. */
static int executable(const char *path, const char **why)
{
    struct stat st;
    if (stat(path, &st) != 0 || access(path, X_OK) != 0) {
        *why = strerror(errno);
        return -1;
    }
    if (!S_ISREG(st.st_mode)) {
        *why = "not a regular file";
        return -1;
    }
    return 0;
}

/* True when dir (sayhi-compare's own directory) is compare/ in a meson build
 * tree: its parent holds meson-private/. Only there are the others in sibling
 * directories; an installed sayhi-compare must never pick up a stray
 * ../server/sayhi-server of another version. */
static bool in_build_tree(const char *dir)
{
    char marker[PATH_MAX + 32];
    struct stat st;
    snprintf(marker, sizeof marker, "%s/../meson-private", dir);
    return stat(marker, &st) == 0 && S_ISDIR(st.st_mode);
}

/* $env_name when set; else dir/../subdir/name in a build tree; else
 * dir/name (installed side by side). NULL after one line saying where it
 * looked. */
static char *program_path(const char *env_name, const char *dir, const char *subdir, const char *name)
{
    const char *env = getenv(env_name), *why;
    if (env != NULL && *env != '\0') {
        if (executable(env, &why) == 0)
            return strdup(env);
        cli_error("cannot run %s from %s=%s: %s", name, env_name, env, why);
        return NULL;
    }
    char path[PATH_MAX + 64];
    bool tree = in_build_tree(dir);
    if (tree)
        snprintf(path, sizeof path, "%s/../%s/%s", dir, subdir, name);
    else
        snprintf(path, sizeof path, "%s/%s", dir, name);
    if (executable(path, &why) == 0)
        return strdup(path);
    cli_error("cannot run %s from %s (%s): %s; set %s", name, path,
              tree ? "the build tree" : "next to sayhi-compare", why, env_name);
    return NULL;
}

int run_find_programs(struct run_env *env, const char *argv0, const bool modes[MODE_COUNT])
{
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0)
        n = (ssize_t)snprintf(exe, sizeof exe, "%s", argv0);
    exe[n] = '\0';
    char *slash = strrchr(exe, '/');
    if (slash != NULL)
        *slash = '\0';
    else
        snprintf(exe, sizeof exe, ".");
    /* Only the programs this grid runs: --url needs no server, --modes async no sayhi-sync. */
    int ok = 1;
    if (env->url == NULL)
        ok &= (env->server_bin = program_path("SAYHI_SERVER", exe, "server", "sayhi-server")) != NULL;
    if (ok && (modes[MODE_SYNC] || modes[MODE_THREADS]))
        ok &= (env->sync_bin = program_path("SAYHI_SYNC", exe, "client_sync", "sayhi-sync")) != NULL;
    if (ok && modes[MODE_ASYNC])
        ok &= (env->async_bin = program_path("SAYHI_ASYNC", exe, "client_async", "sayhi-async")) != NULL;
    if (!ok)
        run_free_programs(env);
    return ok ? 0 : -1;
}

void run_free_programs(struct run_env *env)
{
    free((char *)env->sync_bin);
    free((char *)env->async_bin);
    free((char *)env->server_bin);
    env->sync_bin = env->async_bin = env->server_bin = NULL;
}

/* Starts argv with stdout on a pipe (stderr inherited) and records its pid
 * in *slot for on_stop(). The stop signals wait until the pid is recorded,
 * so a stop never misses a child; none starts after one. */
static pid_t spawn(char *const argv[], int *out_fd, volatile pid_t *slot)
{
    int p[2];
    sigset_t block, old;
    sigemptyset(&block);
    for (size_t i = 0; i < sizeof stop_signals / sizeof stop_signals[0]; i++)
        sigaddset(&block, stop_signals[i]);
    if (pipe(p) != 0)
        return -1;
    sigprocmask(SIG_BLOCK, &block, &old);
    pid_t pid = stop_signal != 0 ? -1 : fork();
    if (pid == 0) {
        sigprocmask(SIG_SETMASK, &old, NULL);
        prctl(PR_SET_PDEATHSIG, SIGKILL); /* nothing outlives sayhi-compare */
        dup2(p[1], STDOUT_FILENO);
        close(p[0]);
        close(p[1]);
        execv(argv[0], argv);
        fprintf(stderr, "%s: cannot run %s: %s\n", cli_program(), argv[0], strerror(errno));
        _exit(127);
    }
    if (pid > 0)
        *slot = pid;
    sigprocmask(SIG_SETMASK, &old, NULL);
    close(p[1]);
    if (pid < 0) {
        close(p[0]);
        return -1;
    }
    *out_fd = p[0];
    return pid;
}

/* Waits for pid; its rusage into ru when ru is not NULL. */
static int wait_exit(pid_t pid, struct rusage *ru)
{
    int status;
    while (wait4(pid, &status, 0, ru) < 0)
        if (errno != EINTR)
            return -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* How often the client's thread count is read while it runs: a thread of
 * the tutorial's pool lives for one delay at least, and reading
 * /proc/PID/status costs some microseconds. */
#define SAMPLE_MS 5

/* Reads fd to EOF into a malloc'd string, sampling pid's threads into c
 * while it waits. */
static char *read_all(int fd, pid_t pid, struct cost *c)
{
    size_t len = 0, cap = 4096;
    char *buf = malloc(cap);
    ssize_t r = 1;
    while (buf != NULL && r != 0) {
        struct pollfd p = {.fd = fd, .events = POLLIN};
        int ready = poll(&p, 1, SAMPLE_MS);
        cost_sample(pid, c);
        if (ready < 0 && errno != EINTR)
            break;
        if (ready <= 0)
            continue; /* a timeout, or EINTR: sample again */
        if ((r = read(fd, buf + len, cap - len - 1)) < 0) {
            if (errno == EINTR) {
                r = 1;
                continue;
            }
            break;
        }
        len += (size_t)r;
        if (cap - len < 1024) {
            char *bigger = realloc(buf, cap *= 2);
            if (bigger == NULL)
                free(buf);
            buf = bigger;
        }
    }
    if (buf != NULL)
        buf[len] = '\0';
    close(fd);
    return buf;
}

/* Starts an own sayhi-server on port 0; fills the say-hi URL. */
static pid_t start_server(const struct run_env *env, char *url, size_t len)
{
    char delay[32], family[16];
    snprintf(delay, sizeof delay, "%lldus", (long long)env->delay_us);
    snprintf(family, sizeof family, "%u", env->family);
    char *argv[] = {(char *)env->server_bin, "--port", "0", "--delay", delay, "--quiet", NULL, NULL, NULL, NULL,
                    NULL};
    if (env->crawl != NULL) { /* the same family for every mode */
        char *more[] = {"--family", family, "--seed", RUN_CRAWL_SEED};
        memcpy(argv + 6, more, sizeof more);
    }
    int fd;
    pid_t pid = spawn(argv, &fd, &current_server);
    if (pid < 0)
        return -1;
    char line[256];
    size_t n = 0;
    struct pollfd p = {.fd = fd, .events = POLLIN};
    while (n + 1 < sizeof line && poll(&p, 1, 5000) > 0 && read(fd, line + n, 1) == 1 && line[n] != '\n')
        n++;
    line[n] = '\0';
    close(fd); /* --quiet: the listening line is all it prints on stdout */
    const char *prefix = FMT_LISTENING;
    if (strncmp(line, prefix, strlen(prefix)) != 0) {
        if (stop_signal == 0) /* else it was killed while starting */
            cli_error("%s did not start (it printed '%s')", env->server_bin, line);
        /* Forgotten before it is reaped: a stop must never signal a pid that
         * may have gone to another process (a zombie takes a kill harmlessly). */
        current_server = 0;
        kill(pid, SIGKILL);
        wait_exit(pid, NULL);
        return -1;
    }
    snprintf(url, len, "%s%s", line + strlen(prefix), env->crawl != NULL ? env->crawl : "/say-hi");
    return pid;
}

static size_t collect(char *data, size_t size, size_t nmemb, void *userp)
{
    char *buf = userp;
    size_t have = strlen(buf), n = size * nmemb;
    size_t room = 4095 - have;
    memcpy(buf + have, data, n < room ? n : room);
    buf[have + (n < room ? n : room)] = '\0';
    return n;
}

/* peak_in_flight from /stats next to say_hi_url; -1 when it cannot be read. */
static long long server_peak(const char *say_hi_url)
{
    char url[512], body[4096] = "";
    const char *path = strchr(say_hi_url + strlen("http://"), '/');
    int host_len = path != NULL ? (int)(path - say_hi_url) : (int)strlen(say_hi_url);
    snprintf(url, sizeof url, "%.*s/stats", host_len, say_hi_url);
    CURL *h = curl_easy_init();
    if (h == NULL)
        return -1;
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, collect);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, (void *)body);
    curl_easy_setopt(h, CURLOPT_TIMEOUT, 5L);
    long long peak = -1;
    if (curl_easy_perform(h) == CURLE_OK) {
        cJSON *o = cJSON_Parse(body);
        cJSON *p = cJSON_GetObjectItem(o, "peak_in_flight");
        if (cJSON_IsNumber(p))
            peak = (long long)p->valuedouble;
        cJSON_Delete(o);
    }
    curl_easy_cleanup(h);
    return peak;
}

static double json_number(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItem(o, key);
    return cJSON_IsNumber(v) ? v->valuedouble : 0;
}

/* The client's argv for mode into argv (room for 20), its numbers in the
 * buffers given; the timeline path goes into out. */
static void client_argv(const struct run_env *env, const char *url, const struct run_result *out, char *argv[20],
                        char n[16], char c[16], char timeout[32])
{
    unsigned number = out->number, limit = out->limit;
    snprintf(n, 16, "%u", number);
    /* threads: the tutorial's pool, one thread per request up to sayhi-sync's cap, or the limit */
    unsigned threads = limit > 0                  ? limit
                       : env->crawl != NULL       ? RUN_CRAWL_THREADS
                       : number < RUN_MAX_THREADS ? number
                                                  : RUN_MAX_THREADS;
    snprintf(c, 16, "%u", out->mode == MODE_THREADS ? threads : limit);
    size_t argc = 0;
    argv[argc++] = (char *)(out->mode == MODE_ASYNC ? env->async_bin : env->sync_bin);
    /* --quiet: sayhi-compare speaks for the clients; their errors still reach stderr. */
    /* --check sayhi: the lesson's success is sayhi's answer, as before the
     * clients learned to load any service. */
    const char *fixed[] = {"--number", n,           "--url",    url,    "--json",
                           "--quiet",  "--timeline", out->timeline, "--check", "sayhi"};
    /* --crawl: the pages are what the links give, and they are JSON, not sayhi's "message". */
    const char *crawl[] = {"--crawl", "--url", url, "--json", "--quiet", "--timeline", out->timeline};
    size_t nfixed = env->crawl != NULL ? sizeof crawl / sizeof crawl[0] : sizeof fixed / sizeof fixed[0];
    for (size_t i = 0; i < nfixed; i++)
        argv[argc++] = (char *)(env->crawl != NULL ? crawl[i] : fixed[i]);
    if (out->mode == MODE_THREADS || (out->mode == MODE_ASYNC && limit > 0)) {
        argv[argc++] = out->mode == MODE_THREADS ? "--threads" : "--concurrency";
        argv[argc++] = c;
    }
    if (env->timeout_us >= 0) {
        argv[argc++] = "--timeout";
        argv[argc++] = duration_format(env->timeout_us, timeout, 32);
    }
    argv[argc] = NULL;
}

/* Runs the client with --json and fills out from its report and what it cost. */
static int run_client(const struct run_env *env, const char *url, struct run_result *out)
{
    char n[16], c[16], timeout[32], *argv[20];
    snprintf(out->timeline, sizeof out->timeline, "%s/%s-%u-c%u.csv", env->tmpdir, run_mode_name(out->mode),
             out->number, out->limit);
    client_argv(env, url, out, argv, n, c, timeout);
    const char *bin = argv[0];
    int fd;
    pid_t pid = spawn(argv, &fd, &current_client);
    if (pid < 0)
        return -1;
    struct rusage ru;
    char *report = read_all(fd, pid, &out->cost);
    out->client_exit = wait_exit(pid, &ru);
    if (out->client_exit >= 0)
        cost_from_rusage(&ru, &out->cost);
    if (out->cost.threads == 0)
        out->cost.threads = 1; /* gone before the first sample: it had one thread at least */
    current_client = 0;
    cJSON *o = report != NULL ? cJSON_Parse(report) : NULL;
    free(report);
    if (o == NULL) {
        if (stop_signal == 0) /* after on_stop() the silence is ours */
            cli_error("%s exited %d without a JSON report", bin, out->client_exit);
        return -1;
    }
    out->concurrency = (unsigned)json_number(o, FMT_CONCURRENCY);
    out->elapsed_s = json_number(o, FMT_ELAPSED_S);
    out->requests_per_s = json_number(o, FMT_REQUESTS_PER_S);
    out->ok = (unsigned long long)json_number(o, FMT_OK);
    out->failed = (unsigned long long)json_number(o, FMT_FAILED);
    const cJSON *crawl = cJSON_GetObjectItem(o, FMT_CRAWL);
    if (env->crawl != NULL) { /* N is what the crawl found */
        out->number = (unsigned)json_number(crawl, FMT_CRAWL_PAGES);
        out->levels = (unsigned)json_number(crawl, FMT_CRAWL_LEVELS);
    }
    cJSON_Delete(o);
    return 0;
}

int run_one(const struct run_env *env, enum run_mode mode, unsigned number, unsigned limit,
            struct run_result *out)
{
    char url[512];
    pid_t server = 0;
    *out = (struct run_result){.mode = mode, .number = number, .limit = limit, .peak = -1};
    if (env->url == NULL) {
        if ((server = start_server(env, url, sizeof url)) < 0)
            return -1;
    } else {
        snprintf(url, sizeof url, "%s", env->url);
    }
    int rc = run_client(env, url, out);
    if (server > 0) { /* a fresh server's peak is this run's peak */
        if (rc == 0)
            out->peak = server_peak(url);
        current_server = 0; /* before the reap, as above */
        kill(server, SIGTERM);
        wait_exit(server, NULL);
    }
    return rc;
}
