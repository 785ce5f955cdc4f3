/* Comparison suite: the tutorial's lesson as assertions, measured by
 * sayhi-compare with the real clients against real servers at delay 0.2s.
 *
 * Wall-clock bounds have wide margins: sync must take at least N x delay
 * (it cannot be faster), async at most 1.5 x delay + 0.1 s. */
#include "testcompare.h"
#include "testsuite.h"

#include <check.h>
#include <cjson/cJSON.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define DELAY 0.2

static struct tcmp_run shared; /* sayhi-compare --json for N=10,20 */
static cJSON *report;
static char csv_path[] = "/tmp/sayhi-test-compare.XXXXXX";
static char svg_path[600];

static void run_once(void)
{
    int fd = mkstemp(csv_path);
    ck_assert_int_ge(fd, 0);
    close(fd);
    snprintf(svg_path, sizeof svg_path, "%s.svg", csv_path);
    int have_gnuplot = access("/usr/bin/gnuplot", X_OK) == 0;
    const char *const args[] = {"--numbers", "10,20", "--delay", "0.2s", "--json", "--quiet", "--csv", csv_path,
                                "--plot", svg_path, NULL};
    shared.args = args;
    tcmp_run(&shared, 120000);
    ck_assert_msg(shared.rc == (have_gnuplot ? 0 : 1), "sayhi-compare exited %d: %s", shared.rc, shared.err);
    report = cJSON_Parse(shared.out);
    ck_assert_msg(report != NULL, "not JSON: %s", shared.out);
}

static void cleanup(void)
{
    cJSON_Delete(report);
    unlink(csv_path);
    unlink(svg_path);
}

/* The row of mode at N in the shared run. */
static const cJSON *row(const char *mode, int n) { return tcmp_row(report, mode, n); }

static double num(const cJSON *r, const char *key)
{
    const cJSON *v = cJSON_GetObjectItem(r, key);
    ck_assert_msg(cJSON_IsNumber(v), "row field %s is not a number", key);
    return v->valuedouble;
}

START_TEST(sync_takes_n_times_the_delay)
{
    for (int n = 10; n <= 20; n += 10) {
        double wall = num(row("sync", n), "wall_s");
        ck_assert_msg(wall >= n * DELAY, "sync N=%d took %.3fs, less than %.1fs", n, wall, n * DELAY);
        ck_assert_int_eq((int)num(row("sync", n), "ok"), n);
    }
}
END_TEST

START_TEST(async_takes_about_one_delay)
{
    for (int n = 10; n <= 20; n += 10) {
        double wall = num(row("async", n), "wall_s");
        ck_assert_msg(wall <= 1.5 * DELAY + 0.1, "async N=%d took %.3fs", n, wall);
        ck_assert_int_eq((int)num(row("async", n), "ok"), n);
        ck_assert_int_eq((int)num(row("async", n), "failed"), 0);
    }
}
END_TEST

START_TEST(speedup_grows_with_n)
{
    /* "Double the number: is the speed factor the same?" No: it doubles too. */
    double s10 = num(row("async", 10), "speedup"), s20 = num(row("async", 20), "speedup");
    ck_assert_msg(s20 > s10, "async speedup N=20 %.2f is not above N=10 %.2f", s20, s10);
    ck_assert_msg(s10 > 5, "async speedup at N=10 is only %.2f", s10);
    ck_assert_double_eq(num(row("sync", 10), "speedup"), 1.0);
}
END_TEST

START_TEST(threads_close_to_async)
{
    for (int n = 10; n <= 20; n += 10) {
        double t = num(row("threads", n), "wall_s"), a = num(row("async", n), "wall_s");
        ck_assert_msg(t <= 1.5 * DELAY + 0.1, "threads N=%d took %.3fs (async %.3fs)", n, t, a);
        ck_assert_int_eq((int)num(row("threads", n), "concurrency"), n);
    }
}
END_TEST

START_TEST(server_saw_the_expected_concurrency)
{
    for (int n = 10; n <= 20; n += 10) {
        ck_assert_int_eq((int)num(row("sync", n), "peak_in_flight"), 1);
        ck_assert_int_eq((int)num(row("threads", n), "peak_in_flight"), n);
        ck_assert_int_eq((int)num(row("async", n), "peak_in_flight"), n);
    }
}
END_TEST

START_TEST(json_and_csv_rows_complete)
{
    static const char *keys[] = {"mode",    "number",         "concurrency", "wall_s", "requests_per_s",
                                 "speedup", "peak_in_flight", "ok",          "failed", "rss_kb",
                                 "cpu_s",   "threads"};
    ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(report, "rows")), 6);
    ck_assert_double_eq_tol(cJSON_GetObjectItem(report, "delay_s")->valuedouble, DELAY, 1e-9);
    const cJSON *r;
    cJSON_ArrayForEach(r, cJSON_GetObjectItem(report, "rows"))
    {
        for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++)
            ck_assert_msg(cJSON_GetObjectItem(r, keys[k]) != NULL, "row lacks %s", keys[k]);
    }
    FILE *f = fopen(csv_path, "r");
    ck_assert_ptr_nonnull(f);
    char line[512];
    int lines = 0;
    ck_assert_ptr_nonnull(fgets(line, sizeof line, f));
    ck_assert_str_eq(line, "mode,number,concurrency,wall_s,requests_per_s,speedup,peak_in_flight,ok,failed,"
                           "rss_kb,cpu_s,threads\n");
    while (fgets(line, sizeof line, f) != NULL) {
        int commas = 0;
        for (char *p = line; *p; p++)
            commas += *p == ',';
        ck_assert_msg(commas == 11 && strstr(line, ",,") == NULL, "incomplete CSV row: %s", line);
        lines++;
    }
    fclose(f);
    ck_assert_int_eq(lines, 6);
}
END_TEST

START_TEST(json_is_one_line_of_rounded_numbers)
{
    /* The README shows one line, as the clients print: a script reads it with one readline. */
    const char *nl = strchr(shared.out, '\n');
    ck_assert_msg(nl != NULL && nl[1] == '\0', "--json is not one line: %s", shared.out);
    /* Times to the microsecond, rates and ratios to 0.001, as every program's JSON (jsonnum.h). */
    static const struct { const char *key; int most; } keys[] = {
        {"delay_s", 6}, {"wall_s", 6}, {"requests_per_s", 3}, {"speedup", 3}};
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        int d = tcmp_most_decimals(shared.out, keys[i].key);
        ck_assert_msg(d >= 0, "no %s in %s", keys[i].key, shared.out);
        ck_assert_msg(d <= keys[i].most, "%s has %d decimals: %s", keys[i].key, d, shared.out);
    }
}
END_TEST

START_TEST(plot_writes_svg_or_says_how_to_get_gnuplot)
{
    struct stat st;
    if (access("/usr/bin/gnuplot", X_OK) != 0) {
        ck_assert_msg(strstr(shared.err, "apt-get install gnuplot-nox") != NULL, "stderr: %s", shared.err);
        return;
    }
    ck_assert_int_eq(stat(svg_path, &st), 0);
    ck_assert_int_gt(st.st_size, 1000);
    FILE *f = fopen(svg_path, "r");
    char head[512] = "";
    ck_assert_ptr_nonnull(f);
    head[fread(head, 1, sizeof head - 1, f)] = '\0';
    fclose(f);
    ck_assert_msg(strstr(head, "<svg") != NULL, "not an SVG: %.80s", head);
}
END_TEST

START_TEST(write_failures_exit_1)
{
    /* A script that trusts the exit code must not lose its results silently. */
    static struct tcmp_run r;
    const char *const json[] = {"--modes", "async", "--numbers", "1", "--delay", "0", "--json", "--quiet", NULL};
    r = (struct tcmp_run){.args = json, .stdout_path = "/dev/full"};
    tcmp_run(&r, 30000);
    ck_assert_msg(r.rc == 1, "--json >/dev/full exited %d", r.rc);
    ck_assert_str_eq(r.err, "sayhi-compare: cannot write to stdout: No space left on device\n");

    /* A file output on a full disk says why, as stdout does; the table is still printed. */
    static const char *const files[] = {"--csv", "--html"};
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        const char *const args[] = {"--modes", "async", "--numbers", "1", "--delay", "0", "--quiet", files[i],
                                    "/dev/full", NULL};
        char want[128];
        snprintf(want, sizeof want, "sayhi-compare: cannot write %s /dev/full: No space left on device\n", files[i]);
        r = (struct tcmp_run){.args = args};
        tcmp_run(&r, 30000);
        ck_assert_msg(r.rc == 1, "%s /dev/full exited %d", files[i], r.rc);
        ck_assert_str_eq(r.err, want);
        ck_assert_msg(strstr(r.out, "async") != NULL, "%s: no table: %s", files[i], r.out);
    }

    const char *const help[] = {"--help", NULL};
    r = (struct tcmp_run){.args = help, .stdout_path = "/dev/full"};
    tcmp_run(&r, 10000);
    ck_assert_msg(r.rc == 1, "--help >/dev/full exited %d", r.rc);
}
END_TEST

START_TEST(no_speedup_without_a_successful_request)
{
    /* Every request refused: both rows end at once, which is no speedup at all. */
    static struct tcmp_run r;
    int fd;
    char url[64], cell[32];
    snprintf(url, sizeof url, "http://127.0.0.1:%u/say-hi", tcmp_refusing_port(&fd));
    const char *const table[] = {"--url", url, "--modes", "sync,async", "--numbers", "2", "--quiet", NULL};
    r = (struct tcmp_run){.args = table};
    tcmp_run(&r, 30000);
    ck_assert_int_eq(r.rc, 1);
    tcmp_table_cell(r.out, "sync", 2, 5, cell, sizeof cell);
    ck_assert_msg(strcmp(cell, "-") == 0, "sync speedup %s: %s", cell, r.out);
    tcmp_table_cell(r.out, "async", 2, 5, cell, sizeof cell);
    ck_assert_msg(strcmp(cell, "-") == 0, "async speedup %s: %s", cell, r.out);

    const char *const json[] = {"--url", url, "--modes", "sync,async", "--numbers", "2", "--quiet", "--json", NULL};
    r = (struct tcmp_run){.args = json};
    tcmp_run(&r, 30000);
    close(fd);
    cJSON *o = cJSON_Parse(r.out);
    ck_assert_msg(o != NULL, "not JSON: %s", r.out);
    ck_assert(cJSON_IsNull(cJSON_GetObjectItem(tcmp_row(o, "sync", 2), "speedup")));
    ck_assert(cJSON_IsNull(cJSON_GetObjectItem(tcmp_row(o, "async", 2), "speedup")));
    cJSON_Delete(o);
}
END_TEST

START_TEST(speedup_counts_successful_requests_only)
{
    /* sync: 2 of 2 in 2 s; async: 1 of 2 in 0.5 s (the other failed fast). The
     * wall ratio says 4x; async made 2 successful requests per second against
     * sync's 1: 2x. */
    char dir[64], sync_bin[128], async_bin[128], env_sync[160], env_async[160];
    static struct tcmp_run r;
    tcmp_mkdtemp(dir, sizeof dir);
    snprintf(sync_bin, sizeof sync_bin, "%s/sync", dir);
    snprintf(async_bin, sizeof async_bin, "%s/async", dir);
    tcmp_fake_client(sync_bin, "{\"concurrency\":1,\"elapsed_s\":2,\"requests_per_s\":1,\"ok\":2,\"failed\":0}");
    tcmp_fake_client(async_bin, "{\"concurrency\":2,\"elapsed_s\":0.5,\"requests_per_s\":4,\"ok\":1,\"failed\":1}");
    snprintf(env_sync, sizeof env_sync, "SAYHI_SYNC=%s", sync_bin);
    snprintf(env_async, sizeof env_async, "SAYHI_ASYNC=%s", async_bin);
    const char *const env[] = {env_sync, env_async, NULL};
    const char *const args[] = {"--url", "http://127.0.0.1:9/say-hi", "--modes", "sync,async", "--numbers", "2",
                                "--quiet", "--json", NULL};
    r = (struct tcmp_run){.args = args, .env = env};
    tcmp_run(&r, 30000);
    tcmp_rmtree(dir);
    cJSON *o = cJSON_Parse(r.out);
    ck_assert_msg(o != NULL, "not JSON: %s (stderr: %s)", r.out, r.err);
    ck_assert_double_eq_tol(cJSON_GetObjectItem(tcmp_row(o, "async", 2), "speedup")->valuedouble, 2.0, 1e-9);
    ck_assert_double_eq_tol(cJSON_GetObjectItem(tcmp_row(o, "sync", 2), "speedup")->valuedouble, 1.0, 1e-9);
    cJSON_Delete(o);
}
END_TEST

START_TEST(clients_get_a_timeout_that_fits_the_delay)
{
    /* The clients' own default --timeout is 30 s: at --delay 31s every request
     * timed out. The server is real (delay 31s); the stand-in client only
     * shows what it was given. */
    static struct tcmp_run r;
    char client_args[1024];
    const char *const own[] = {"--modes", "async", "--numbers", "1", "--delay", "31s", "--json", "--quiet", NULL};
    tcmp_run_with_fake_async(&r, own, NULL, client_args, sizeof client_args);
    double t = tcmp_timeout_passed(client_args);
    ck_assert_msg(t > 31, "the client got --timeout %.3fs at delay 31s: %s", t, client_args);
    cJSON *o = cJSON_Parse(r.out);
    ck_assert_msg(o != NULL, "not JSON: %s (stderr: %s)", r.out, r.err);
    const cJSON *shown = cJSON_GetObjectItem(o, "timeout_s");
    ck_assert_msg(cJSON_IsNumber(shown) && shown->valuedouble == t, "JSON says timeout_s %s, passed %.3f",
                  cJSON_PrintUnformatted(shown), t);
    cJSON_Delete(o);

    /* --url: the delay is unknown, the clients keep their default, and the header says so. */
    const char *const url[] = {"--url", "http://127.0.0.1:9/say-hi", "--modes", "async", "--numbers", "1",
                               "--quiet", NULL};
    tcmp_run_with_fake_async(&r, url, NULL, client_args, sizeof client_args);
    ck_assert_msg(tcmp_timeout_passed(client_args) < 0, "--url: the client got %s", client_args);
    ck_assert_msg(strstr(r.out, "default --timeout (30s)") != NULL, "header: %s", r.out);
}
END_TEST

START_TEST(missing_programs_one_line_before_any_run)
{
    /* It printed six lines and an empty table, and tried every run. */
    static struct tcmp_run r;
    const char *const args[] = {"--modes", "async,sync", "--numbers", "1,2", "--delay", "0", NULL};
    static const char *const cases[][2] = {
        {"SAYHI_SERVER=/nonexistent", "No such file or directory"},
        {"SAYHI_ASYNC=/tmp", "not a regular file"},
        {"SAYHI_SYNC=/nonexistent", "No such file or directory"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *const env[] = {cases[i][0], NULL};
        r = (struct tcmp_run){.args = args, .env = env};
        tcmp_run(&r, 10000);
        ck_assert_msg(r.rc == 1, "%s: exit %d", cases[i][0], r.rc);
        ck_assert_str_eq(r.out, "");
        tcmp_one_line_with(&r, (const char *const[]){cases[i][0], cases[i][1], NULL});
    }

    /* Alone in a directory (no installed programs beside it, no build tree):
     * the line names both places it looked and the variable to set. */
    char dir[64], bin[128], cmd[512];
    tcmp_mkdtemp(dir, sizeof dir);
    snprintf(bin, sizeof bin, "%s/sayhi-compare", dir);
    snprintf(cmd, sizeof cmd, "cp '%s' '%s'", tcmp_bin(), bin);
    ck_assert_int_eq(system(cmd), 0);
    r = (struct tcmp_run){.bin = bin, .args = args};
    tcmp_run(&r, 10000);
    tcmp_rmtree(dir);
    ck_assert_msg(r.rc == 1, "exit %d", r.rc);
    ck_assert_str_eq(r.out, "");
    tcmp_one_line_with(&r, (const char *const[]){"sayhi-server", dir, "SAYHI_SERVER", NULL});
}
END_TEST

START_TEST(plot_of_one_n_is_clean)
{
    /* One N: gnuplot warned "empty x range [3:3]" on stderr and labelled the
     * axis 2.97 ... 3.03; the timeline's tooltips held temporary CSV paths. */
    if (access("/usr/bin/gnuplot", X_OK) != 0)
        return;
    char dir[64], svg_file[128];
    static char svg[1 << 16];
    static struct tcmp_run r;
    tcmp_mkdtemp(dir, sizeof dir);
    snprintf(svg_file, sizeof svg_file, "%s/one.svg", dir);
    const char *const args[] = {"--modes", "sync,async", "--numbers", "3", "--delay", "0", "--quiet", "--plot",
                                svg_file, NULL};
    r = (struct tcmp_run){.args = args};
    tcmp_run(&r, 30000);
    tcmp_read_file(svg_file, svg, sizeof svg);
    tcmp_rmtree(dir);
    ck_assert_msg(r.rc == 0, "exit %d: %s", r.rc, r.err);
    ck_assert_str_eq(r.err, "");
    ck_assert_msg(strstr(svg, "<svg") != NULL, "not an SVG: %.80s", svg);
    ck_assert_msg(strstr(svg, "> 2.9") == NULL && strstr(svg, "> 3.0") == NULL, "fractional N on the axis");
    ck_assert_msg(strstr(svg, "sayhi-compare.") == NULL, "a temporary path in the SVG");
}
END_TEST

START_TEST(temporary_files_in_tmpdir_and_removed)
{
    /* $TMPDIR as other programs honour it; the tests use it to see what is left behind. */
    static struct tcmp_run r;
    char dir[64], env_tmp[96], client_args[1024], where[96];
    tcmp_mkdtemp(dir, sizeof dir);
    snprintf(env_tmp, sizeof env_tmp, "TMPDIR=%s", dir);
    const char *const args[] = {"--url", "http://127.0.0.1:9/say-hi", "--modes", "async", "--numbers", "1",
                                "--quiet", NULL};
    tcmp_run_with_fake_async(&r, args, env_tmp, client_args, sizeof client_args);
    int left = tcmp_count_entries(dir);
    tcmp_rmtree(dir);
    snprintf(where, sizeof where, "--timeline %s/sayhi-compare.", dir);
    ck_assert_msg(strstr(client_args, where) != NULL, "not in $TMPDIR: %s", client_args);
    ck_assert_int_eq(left, 0);
}
END_TEST

/* Runs async N=1 then N=2 at delay 1s and sends sig as soon as N=1 has
 * finished (N=2 then has a second to go). Fills r, the CSV's line count and
 * what was left in $TMPDIR. */
static void interrupt_after_first_run(struct tcmp_run *r, int sig, int json, int *csv_lines, int *left)
{
    char dir[64], tmp[96], csv[96], env_tmp[128];
    tcmp_mkdtemp(dir, sizeof dir);
    snprintf(tmp, sizeof tmp, "%s/tmp", dir);
    snprintf(csv, sizeof csv, "%s/rows.csv", dir);
    snprintf(env_tmp, sizeof env_tmp, "TMPDIR=%s", tmp);
    ck_assert_int_eq(mkdir(tmp, 0700), 0);
    const char *const env[] = {env_tmp, NULL};
    const char *const args[] = {"--modes", "async", "--numbers", "1,2", "--delay", "1s", "--csv", csv,
                                json ? "--json" : NULL, NULL};
    *r = (struct tcmp_run){.args = args, .env = env, .signal = sig};
    tcmp_run(r, 30000);
    *csv_lines = tcmp_count_lines(csv);
    *left = tcmp_count_entries(tmp);
    tcmp_rmtree(dir);
}

START_TEST(signal_reports_the_runs_that_finished)
{
    /* Ctrl-C printed nothing and wrote no CSV; SIGHUP left the temporary directory behind. */
    static const struct { int sig; const char *name; } cases[] = {
        {SIGINT, "SIGINT"}, {SIGTERM, "SIGTERM"}, {SIGHUP, "SIGHUP"}};
    static struct tcmp_run r;
    int csv_lines, left;
    char cell[32], line[64];
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        interrupt_after_first_run(&r, cases[i].sig, 0, &csv_lines, &left);
        ck_assert_msg(r.rc == 128 + cases[i].sig, "%s: exit %d; stderr: %s", cases[i].name, r.rc, r.err);
        tcmp_table_cell(r.out, "async", 1, 7, cell, sizeof cell); /* the row that finished, its ok count */
        ck_assert_str_eq(cell, "1");
        ck_assert_msg(!tcmp_table_row(r.out, "async", 2, line, sizeof line), "%s: a row for the interrupted run",
                      cases[i].name);
        snprintf(line, sizeof line, "Interrupted (%s): 1 of 2 runs finished\n", cases[i].name);
        ck_assert_msg(strstr(r.out, line) != NULL, "%s: no '%s' in: %s", cases[i].name, line, r.out);
        ck_assert_msg(csv_lines == 2, "%s: the CSV has %d lines", cases[i].name, csv_lines);
        ck_assert_msg(left == 0, "%s: %d entries left in $TMPDIR", cases[i].name, left);
    }
    interrupt_after_first_run(&r, SIGINT, 1, &csv_lines, &left);
    ck_assert_int_eq(r.rc, 130);
    cJSON *o = cJSON_Parse(r.out);
    ck_assert_msg(o != NULL, "not JSON: %s", r.out);
    ck_assert(cJSON_IsTrue(cJSON_GetObjectItem(o, "interrupted")));
    ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(o, "rows")), 1);
    cJSON_Delete(o);
}
END_TEST

START_TEST(closed_pipe_is_a_write_error)
{
    /* `sayhi-compare | head`: SIGPIPE killed it, temporary directory and all. */
    char dir[64], cmd[1024], path[128], rc[16], err[512];
    tcmp_mkdtemp(dir, sizeof dir);
    snprintf(cmd, sizeof cmd,
             "mkdir '%s/tmp' && { TMPDIR='%s/tmp' '%s' --modes async --numbers 1 --delay 0.2s --quiet 2>'%s/err';"
             " echo $? >'%s/rc'; } | true",
             dir, dir, tcmp_bin(), dir, dir);
    ck_assert_int_eq(system(cmd), 0);
    snprintf(path, sizeof path, "%s/rc", dir);
    tcmp_read_file(path, rc, sizeof rc);
    snprintf(path, sizeof path, "%s/err", dir);
    tcmp_read_file(path, err, sizeof err);
    snprintf(path, sizeof path, "%s/tmp", dir);
    int left = tcmp_count_entries(path);
    tcmp_rmtree(dir);
    ck_assert_str_eq(rc, "1\n");
    ck_assert_str_eq(err, "sayhi-compare: cannot write to stdout: Broken pipe\n");
    ck_assert_int_eq(left, 0);
}
END_TEST

START_TEST(bad_flags_exit_2)
{
    /* The last three: an unwritable output path was found only after the runs
     * (it lost them all, and --plot showed gnuplot's raw error with a
     * temporary path in it); now before the first, as a bad value. */
    static struct tcmp_run r;
    static const char *const cases[][3] = {
        {"--modes", "sync,fast", "--modes takes sync, threads and async, got 'fast'"},
        {"--modes", "sync,,async", "--modes has an empty entry in 'sync,,async'"},
        {"--modes", "async,async", "--modes lists async twice, in 'async,async'"},
        {"--numbers", "5,", "--numbers has an empty entry in '5,'"},
        {"--numbers", "10,x", "--numbers must be a positive integer, got 'x'"},
        {"--delay", "soon", "--delay must be a duration"},
        {"--plot", "out.pdf", "must end in .svg or .png"},
        {"--url", "https://example.com/", "--url must be an http:// URL"},
        {"--plot", "/nonexistent/x.svg", "cannot write --plot /nonexistent/x.svg: No such file or directory"},
        {"--csv", "/nonexistent/x.csv", "cannot write --csv /nonexistent/x.csv: No such file or directory"},
        {"--csv", "/tmp", "cannot write --csv /tmp: Is a directory"},
        {"--html", "/nonexistent/r.html", "cannot write --html /nonexistent/r.html: No such file or directory"},
        {"--concurrency", "0", "--concurrency must be between 1 and 100000, got '0'"},
        {"--concurrency", "5,x", "--concurrency must be a positive integer, got 'x'"},
        {"--concurrency", "5,5", "--concurrency lists 5 twice"},
        {"--concurrency", "101", "--concurrency 101 is more than N=100 requests"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *const args[] = {cases[i][0], cases[i][1], NULL};
        r = (struct tcmp_run){.args = args};
        tcmp_run(&r, 10000); /* the default grid would take minutes */
        ck_assert_msg(r.rc == 2, "%s %s: exit %d", cases[i][0], cases[i][1], r.rc);
        tcmp_one_line_with(&r, (const char *const[]){cases[i][2], NULL});
        ck_assert_str_eq(r.out, "");
    }
    /* Two outputs in one file, however spelled: the second overwrote the first. */
    const char *const same[] = {"--csv", "same.out", "--html", "./same.out", NULL};
    r = (struct tcmp_run){.args = same};
    tcmp_run(&r, 10000);
    ck_assert_msg(r.rc == 2, "--csv and --html to one file: exit %d", r.rc);
    tcmp_one_line_with(&r, (const char *const[]){"--csv and --html name the same file './same.out'", NULL});
}
END_TEST

int main(void)
{
    Suite *s = suite_create("compare");
    TCase *tc = testsuite_case(s, "delay-0.2s", 120, run_once, cleanup);
    tcase_add_test(tc, sync_takes_n_times_the_delay);
    tcase_add_test(tc, async_takes_about_one_delay);
    tcase_add_test(tc, speedup_grows_with_n);
    tcase_add_test(tc, threads_close_to_async);
    tcase_add_test(tc, server_saw_the_expected_concurrency);
    tcase_add_test(tc, json_and_csv_rows_complete);
    tcase_add_test(tc, json_is_one_line_of_rounded_numbers);
    tcase_add_test(tc, plot_writes_svg_or_says_how_to_get_gnuplot);
    tc = testsuite_case(s, "edges", 120, NULL, NULL);
    tcase_add_test(tc, bad_flags_exit_2);
    tcase_add_test(tc, write_failures_exit_1);
    tcase_add_test(tc, no_speedup_without_a_successful_request);
    tcase_add_test(tc, speedup_counts_successful_requests_only);
    tcase_add_test(tc, clients_get_a_timeout_that_fits_the_delay);
    tcase_add_test(tc, missing_programs_one_line_before_any_run);
    tcase_add_test(tc, plot_of_one_n_is_clean);
    tcase_add_test(tc, temporary_files_in_tmpdir_and_removed);
    tcase_add_test(tc, signal_reports_the_runs_that_finished);
    tcase_add_test(tc, closed_pipe_is_a_write_error);
    return testsuite_run(s);
}
