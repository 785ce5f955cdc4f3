/* testcompare: running sayhi-compare from the compare suite (testcompare.h). */
#include "testcompare.h"

#include <arpa/inet.h>
#include <check.h>
#include <cjson/cJSON.h>
#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

const char *tcmp_bin(void)
{
    const char *p = getenv("SAYHI_COMPARE");
    return p != NULL ? p : "compare/sayhi-compare";
}

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* In the child: the environment, stdout to out_path, stderr to err_fd, exec. */
static void exec_compare(const struct tcmp_run *r, const char *out_path, int err_fd)
{
    const char *argv[64] = {r->bin != NULL ? r->bin : tcmp_bin()};
    for (size_t i = 0; r->args[i] != NULL && i + 2 < sizeof argv / sizeof argv[0]; i++)
        argv[i + 1] = r->args[i];
    for (size_t i = 0; r->env != NULL && r->env[i] != NULL; i++)
        putenv((char *)r->env[i]);
    int out = open(out_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (out < 0 || dup2(out, STDOUT_FILENO) < 0 || dup2(err_fd, STDERR_FILENO) < 0)
        _exit(126);
    execv(argv[0], (char *const *)argv);
    _exit(127);
}

/* The first run has finished once a progress line ("... N=1 ... 1.00s") ends. */
static int first_run_done(const char *err)
{
    const char *p = strstr(err, " ...");
    return p != NULL && strchr(p, '\n') != NULL;
}

/* Reads stderr to EOF, sending r->signal after the first run. 0, or -1 past the deadline. */
static int watch_stderr(struct tcmp_run *r, pid_t pid, int fd, double deadline)
{
    size_t have = 0;
    int sig = r->signal;
    r->err[0] = '\0';
    for (;;) {
        struct pollfd p = {.fd = fd, .events = POLLIN};
        int left = (int)((deadline - now_s()) * 1000);
        if (left <= 0 || poll(&p, 1, left) <= 0)
            return -1;
        char buf[4096];
        ssize_t n = read(fd, buf, sizeof buf);
        if (n <= 0)
            return 0;
        size_t keep = (size_t)n < sizeof r->err - 1 - have ? (size_t)n : sizeof r->err - 1 - have;
        memcpy(r->err + have, buf, keep);
        r->err[have += keep] = '\0';
        if (sig != 0 && first_run_done(r->err)) {
            kill(pid, sig);
            sig = 0;
        }
    }
}

void tcmp_run(struct tcmp_run *r, int timeout_ms)
{
    char tmp[] = "/tmp/sayhi-test-stdout.XXXXXX";
    const char *out_path = r->stdout_path;
    if (out_path == NULL) {
        int fd = mkstemp(tmp);
        ck_assert_int_ge(fd, 0);
        close(fd);
        out_path = tmp;
    }
    int e[2];
    ck_assert_int_eq(pipe(e), 0);
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        close(e[0]);
        exec_compare(r, out_path, e[1]);
    }
    close(e[1]);
    int late = watch_stderr(r, pid, e[0], now_s() + timeout_ms / 1000.0);
    close(e[0]);
    if (late)
        kill(pid, SIGKILL);
    int status;
    ck_assert_int_eq(waitpid(pid, &status, 0), pid);
    r->rc = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    r->out[0] = '\0';
    if (r->stdout_path == NULL) {
        tcmp_read_file(tmp, r->out, sizeof r->out);
        unlink(tmp);
    }
    ck_assert_msg(!late, "sayhi-compare ran past %d ms; stderr: %s", timeout_ms, r->err);
    ck_assert_msg(r->rc != 126 && r->rc != 127, "cannot run %s", r->bin != NULL ? r->bin : tcmp_bin());
}

void tcmp_read_file(const char *path, char *buf, size_t len)
{
    FILE *f = fopen(path, "r");
    size_t n = f != NULL ? fread(buf, 1, len - 1, f) : 0;
    buf[n] = '\0';
    if (f != NULL)
        fclose(f);
}

void tcmp_mkdtemp(char *buf, size_t len)
{
    snprintf(buf, len, "/tmp/sayhi-test-compare.XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(buf));
}

void tcmp_rmtree(const char *dir)
{
    char cmd[512];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    ck_assert_int_eq(system(cmd), 0);
}

void tcmp_fake_client(const char *path, const char *report)
{
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fprintf(f, "#!/bin/sh\necho \"$*\" >>'%s.args'\nprintf '%%s\\n' '%s'\n", path, report);
    ck_assert_int_eq(fclose(f), 0);
    ck_assert_int_eq(chmod(path, 0755), 0);
}

unsigned tcmp_refusing_port(int *fd)
{
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof a;
    *fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    ck_assert_int_ge(*fd, 0);
    ck_assert_int_eq(bind(*fd, (struct sockaddr *)&a, sizeof a), 0);
    ck_assert_int_eq(getsockname(*fd, (struct sockaddr *)&a, &len), 0);
    return ntohs(a.sin_port);
}

int tcmp_count_entries(const char *dir)
{
    DIR *d = opendir(dir);
    if (d == NULL)
        return -1;
    int n = 0;
    for (struct dirent *e; (e = readdir(d)) != NULL;)
        n += strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
    closedir(d);
    return n;
}

/* The first row of mode whose key is value; fails the test when there is none. */
static const cJSON *find_row(const cJSON *o, const char *mode, const char *key, int value)
{
    const cJSON *r;
    cJSON_ArrayForEach(r, cJSON_GetObjectItem(o, "rows"))
    {
        if (strcmp(cJSON_GetObjectItem(r, "mode")->valuestring, mode) == 0 &&
            cJSON_GetObjectItem(r, key)->valueint == value)
            return r;
    }
    ck_abort_msg("no row for %s with %s %d", mode, key, value);
    return NULL;
}

const cJSON *tcmp_row(const cJSON *o, const char *mode, int n) { return find_row(o, mode, "number", n); }

const cJSON *tcmp_row_at(const cJSON *o, const char *mode, int c) { return find_row(o, mode, "concurrency", c); }

int tcmp_most_decimals(const char *json, const char *key)
{
    char pat[64];
    int most = -1;
    snprintf(pat, sizeof pat, "\"%s\":", key);
    for (const char *p = strstr(json, pat); p != NULL; p = strstr(p + 1, pat)) {
        const char *v = p + strlen(pat), *dot = v + strspn(v, " \t-0123456789");
        int decimals = *dot == '.' ? (int)strspn(dot + 1, "0123456789") : 0;
        most = decimals > most ? decimals : most;
    }
    return most;
}

int tcmp_table_row(const char *out, const char *mode, unsigned n, char *line, size_t len)
{
    char name[16];
    unsigned num;
    for (const char *p = out; *p != '\0'; p += strcspn(p, "\n") + (p[strcspn(p, "\n")] == '\n')) {
        snprintf(line, len, "%.*s", (int)strcspn(p, "\n"), p);
        if (sscanf(line, "%15s %u", name, &num) == 2 && strcmp(name, mode) == 0 && num == n)
            return 1;
    }
    return 0;
}

void tcmp_table_cell(const char *out, const char *mode, unsigned n, int col, char *cell, size_t len)
{
    char line[256];
    ck_assert_msg(tcmp_table_row(out, mode, n, line, sizeof line), "no table row %s N=%u in: %s", mode, n, out);
    char *save = NULL, *tok = strtok_r(line, " ", &save);
    for (int i = 0; i < col && tok != NULL; i++)
        tok = strtok_r(NULL, " ", &save);
    ck_assert_msg(tok != NULL, "table row %s N=%u has no column %d", mode, n, col);
    snprintf(cell, len, "%s", tok);
}

double tcmp_timeout_passed(const char *args)
{
    const char *t = strstr(args, "--timeout ");
    if (t == NULL)
        return -1;
    char *unit;
    double v = strtod(t + strlen("--timeout "), &unit);
    return strncmp(unit, "us", 2) == 0 ? v / 1e6 : strncmp(unit, "ms", 2) == 0 ? v / 1e3 : *unit == 'm' ? v * 60 : v;
}

void tcmp_run_with_fake_async(struct tcmp_run *r, const char *const *args, const char *more_env,
                              char *client_args, size_t len)
{
    char dir[64], bin[128], env_async[160];
    tcmp_mkdtemp(dir, sizeof dir);
    snprintf(bin, sizeof bin, "%s/async", dir);
    tcmp_fake_client(bin, "{\"concurrency\":1,\"elapsed_s\":0.01,\"requests_per_s\":100,\"ok\":1,\"failed\":0}");
    snprintf(env_async, sizeof env_async, "SAYHI_ASYNC=%s", bin);
    const char *const env[] = {env_async, more_env, NULL};
    *r = (struct tcmp_run){.args = args, .env = env};
    tcmp_run(r, 30000);
    snprintf(bin, sizeof bin, "%s/async.args", dir);
    tcmp_read_file(bin, client_args, len);
    tcmp_rmtree(dir);
}

void tcmp_one_line_with(const struct tcmp_run *r, const char *const *want)
{
    const char *nl = strchr(r->err, '\n');
    ck_assert_msg(nl != NULL && nl[1] == '\0', "stderr is not one line: %s", r->err);
    for (size_t i = 0; want[i] != NULL; i++)
        ck_assert_msg(strstr(r->err, want[i]) != NULL, "stderr lacks '%s': %s", want[i], r->err);
}

int tcmp_count_lines(const char *path)
{
    char text[4096];
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return -1;
    fclose(f);
    tcmp_read_file(path, text, sizeof text);
    int n = 0;
    for (const char *p = text; (p = strchr(p, '\n')) != NULL; p++)
        n++;
    return n;
}

long tcmp_file_size(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 ? (long)st.st_size : -1;
}

void tcmp_chromium(const char *what, const char *html, const char *out)
{
    static const char *const dirs[] = {"/usr/bin", "/usr/local/bin", "/snap/bin"};
    char bin[64] = "", profile[64], cmd[2048];
    for (size_t i = 0; i < sizeof dirs / sizeof dirs[0] && bin[0] == '\0'; i++) {
        snprintf(bin, sizeof bin, "%s/chromium", dirs[i]);
        if (access(bin, X_OK) != 0)
            bin[0] = '\0';
    }
    ck_assert_msg(bin[0] != '\0', "chromium is not installed: the report's rendering is tested in headless "
                                  "Chromium; install it with scripts/install-deps.sh (apt-get install chromium)");
    tcmp_mkdtemp(profile, sizeof profile);
    /* No network and nothing of its own fetched: the file must render alone. */
    int dump = strcmp(what, "dump-dom") == 0;
    snprintf(cmd, sizeof cmd,
             "timeout 120 %s --headless --no-sandbox --disable-gpu --disable-quic --no-first-run "
             "--disable-background-networking --disable-component-update --disable-sync --user-data-dir=%s "
             "--window-size=1280,2400 %s%s 'file://%s' >%s 2>%s/log",
             bin, profile, dump ? "--dump-dom" : "--screenshot=", dump ? "" : out, html, dump ? out : "/dev/null",
             profile);
    int rc = system(cmd);
    char log[1024];
    snprintf(cmd, sizeof cmd, "%s/log", profile);
    tcmp_read_file(cmd, log, sizeof log);
    tcmp_rmtree(profile);
    ck_assert_msg(rc == 0 && tcmp_file_size(out) > 0, "chromium --%s of %s failed (%d): %s", what, html, rc, log);
}
