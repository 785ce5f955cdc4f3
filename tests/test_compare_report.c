/* Compare suite, part two: what a run cost, the --concurrency grid and the
 * --html report, with the real clients against real servers (short delays,
 * small N), and unit tests of the pure parts (the /proc status parser, the
 * rusage conversion, the timeline reader).
 *
 * The report is opened in headless Chromium as a person would: the DOM it
 * builds holds the expected charts, a screenshot is not blank, and nothing
 * in the file points at the network. */
#include "cost.h"
#include "testcompare.h"
#include "testsuite.h"
#include "timeline.h"

#include <check.h>
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

START_TEST(status_fields_parse)
{
    static const char status[] = "Name:\tsayhi-sync\nUmask:\t0022\nState:\tS (sleeping)\nVmPeak:\t  123456 kB\n"
                                 "VmHWM:\t    4321 kB\nThreads:\t51\nSigQ:\t0/63460\n";
    ck_assert_int_eq(cost_status_field(status, "Threads"), 51);
    ck_assert_int_eq(cost_status_field(status, "VmHWM"), 4321);
    ck_assert_int_eq(cost_status_field(status, "Name"), -1);  /* not a number */
    ck_assert_int_eq(cost_status_field(status, "Thread"), -1); /* a prefix of a name is not the name */
    ck_assert_int_eq(cost_status_field(status, "Missing"), -1);
    ck_assert_int_eq(cost_status_field("", "Threads"), -1);
    ck_assert_int_eq(cost_status_field("Threads:\t7", "Threads"), 7); /* no final newline */
}
END_TEST

START_TEST(rusage_converts)
{
    struct rusage ru = {.ru_maxrss = 49556, .ru_utime = {1, 900000}, .ru_stime = {0, 200000}};
    struct cost c = {0};
    cost_from_rusage(&ru, &c);
    ck_assert_int_eq(c.rss_kb, 49556);
    ck_assert_double_eq_tol(c.cpu_s, 2.1, 1e-9); /* the microseconds carry into a second */
    ck_assert_uint_eq(c.threads, 0);             /* rusage has no thread count: sampled instead */

    c.threads = 3; /* the sample keeps the most seen: this process has one thread */
    cost_sample(getpid(), &c);
    ck_assert_uint_eq(c.threads, 3);
    c.threads = 0;
    cost_sample(getpid(), &c);
    ck_assert_uint_eq(c.threads, 1);
}
END_TEST

START_TEST(timeline_lines_parse)
{
    double s, e;
    unsigned char bad;
    ck_assert_int_eq(timeline_parse_line("id,start_s,end_s,status,error\n", &s, &e, &bad), -1);
    ck_assert_int_eq(timeline_parse_line("1,0.000100,0.250300,200,\n", &s, &e, &bad), 0);
    ck_assert_double_eq_tol(e - s, 0.2502, 1e-9);
    ck_assert_int_eq(bad, 0);
    ck_assert_int_eq(timeline_parse_line("2,0.1,0.2,503,\n", &s, &e, &bad), 0);
    ck_assert_int_eq(bad, 1);
    ck_assert_int_eq(timeline_parse_line("3,0.1,0.2,0,timeout\n", &s, &e, &bad), 0);
    ck_assert_int_eq(bad, 1);
    ck_assert_int_eq(timeline_parse_line("4,,,0,closed\n", &s, &e, &bad), -1); /* never started */
    /* The columns issues 10 and 12 added after the error are not an error. */
    ck_assert_int_eq(timeline_parse_line("5,0.1,0.2,200,,0.1,244,3\n", &s, &e, &bad), 0);
    ck_assert_int_eq(bad, 0);
    ck_assert_int_eq(timeline_parse_line("6,0.1,0.2,0,closed,0.1,0,\n", &s, &e, &bad), 0);
    ck_assert_int_eq(bad, 1);
    ck_assert_uint_eq(timeline_every(600, 600), 1);
    ck_assert_uint_eq(timeline_every(601, 600), 2);
    ck_assert_uint_eq(timeline_every(3200, 600), 6);
}
END_TEST

/* One --html run of every mode at four N, its JSON and its report. */
static struct tcmp_run shared;
static cJSON *report;
static char dir[64], html[128];
#define MODES 3
#define CHARTS (5 + 2 * MODES) /* wall, speedup, RSS, CPU, threads; a timeline and a histogram per mode */

static void run_html(void)
{
    tcmp_mkdtemp(dir, sizeof dir);
    snprintf(html, sizeof html, "%s/report.html", dir);
    const char *const args[] = {"--numbers", "5,10,20,50", "--delay", "0.05s", "--json", "--quiet", "--html", html,
                                NULL};
    shared = (struct tcmp_run){.args = args};
    tcmp_run(&shared, 120000);
    ck_assert_msg(shared.rc == 0, "sayhi-compare exited %d: %s", shared.rc, shared.err);
    report = cJSON_Parse(shared.out);
    ck_assert_msg(report != NULL, "not JSON: %s", shared.out);
}

static void remove_html(void)
{
    cJSON_Delete(report);
    tcmp_rmtree(dir);
}

static double num(const cJSON *row, const char *key)
{
    const cJSON *v = cJSON_GetObjectItem(row, key);
    ck_assert_msg(cJSON_IsNumber(v), "no number %s in the row", key);
    return v->valuedouble;
}

START_TEST(cost_columns_are_sane)
{
    /* The lesson's price: 50 requests at once are 50 threads (and the main
     * one) in the pool, one in the event loop. */
    double pool = num(tcmp_row(report, "threads", 50), "threads"), loop = num(tcmp_row(report, "async", 50), "threads");
    ck_assert_msg(pool > loop && pool >= 50, "threads N=50 ran %.0f threads, async %.0f", pool, loop);
    ck_assert_double_eq(loop, 1);
    ck_assert_double_eq(num(tcmp_row(report, "sync", 50), "threads"), 1);
    const cJSON *r;
    cJSON_ArrayForEach(r, cJSON_GetObjectItem(report, "rows"))
    {
        ck_assert_msg(num(r, "rss_kb") > 0 && num(r, "rss_kb") < 1024 * 1024, "rss_kb %.0f", num(r, "rss_kb"));
        ck_assert_msg(num(r, "cpu_s") >= 0 && num(r, "cpu_s") < 10, "cpu_s %.3f", num(r, "cpu_s"));
    }
}
END_TEST

/* Occurrences of needle in text. */
static int count(const char *text, const char *needle)
{
    int n = 0;
    for (const char *p = strstr(text, needle); p != NULL; p = strstr(p + 1, needle))
        n++;
    return n;
}

START_TEST(html_is_self_contained)
{
    static char text[1 << 20];
    long size = tcmp_file_size(html);
    ck_assert_msg(size > 1000 && size < (long)sizeof text, "report of %ld bytes", size);
    tcmp_read_file(html, text, sizeof text);
    static const char *const network[] = {"http://", "https://", "@import", "url(", "<script", "<link", "//cdn"};
    for (size_t i = 0; i < sizeof network / sizeof network[0]; i++)
        ck_assert_msg(strstr(text, network[i]) == NULL, "the report holds '%s'", network[i]);
    ck_assert_int_eq(count(text, "<figure class=\"chart\"><svg"), CHARTS);
    ck_assert_msg(strstr(text, "<table>") != NULL && strstr(text, "<td>async</td><td>50</td>") != NULL,
                  "no table row async N=50");
    ck_assert_msg(strstr(text, "What each mode cost") != NULL, "no cost section");
}
END_TEST

START_TEST(html_renders_in_chromium)
{
    char dom[160], png[160], blank[160], blank_png[160];
    static char text[1 << 20];
    snprintf(dom, sizeof dom, "%s/dom.html", dir);
    tcmp_chromium("dump-dom", html, dom);
    tcmp_read_file(dom, text, sizeof text);
    ck_assert_int_eq(count(text, "<svg"), CHARTS);
    ck_assert_int_eq(count(text, "</figure>"), CHARTS);

    /* Not blank: the same window of an empty page is a few kB of white. */
    snprintf(png, sizeof png, "%s/report.png", dir);
    snprintf(blank, sizeof blank, "%s/blank.html", dir);
    snprintf(blank_png, sizeof blank_png, "%s/blank.png", dir);
    FILE *f = fopen(blank, "w");
    ck_assert_ptr_nonnull(f);
    fputs("<!DOCTYPE html><html><body></body></html>\n", f);
    ck_assert_int_eq(fclose(f), 0);
    tcmp_chromium("screenshot", html, png);
    tcmp_chromium("screenshot", blank, blank_png);
    long drawn = tcmp_file_size(png), white = tcmp_file_size(blank_png);
    ck_assert_msg(drawn > 5 * white && drawn > 50000, "screenshot of %ld bytes, a blank one %ld", drawn, white);
}
END_TEST

START_TEST(html_of_large_runs_stays_small)
{
    /* Every mode at four N, up to 1,500 requests: the timelines are
     * subsampled and the report says so, and it stays under 1 MB. */
    char big[160];
    static char text[1 << 20];
    static struct tcmp_run r;
    snprintf(big, sizeof big, "%s/big.html", dir);
    const char *const args[] = {"--numbers", "200,400,800,1500", "--delay", "0", "--quiet", "--html", big, NULL};
    r = (struct tcmp_run){.args = args};
    tcmp_run(&r, 120000);
    ck_assert_msg(r.rc == 0, "exit %d: %s", r.rc, r.err);
    long size = tcmp_file_size(big);
    ck_assert_msg(size > 0 && size <= 1000000, "the report is %ld bytes", size);
    tcmp_read_file(big, text, sizeof text);
    ck_assert_msg(strstr(text, "Subsampled: 1 request in 3 is drawn, 500 of 1500") != NULL,
                  "no subsampling note");
}
END_TEST

START_TEST(concurrency_runs_waves)
{
    /* N=20 at limits 5 and 20: four waves of one delay, then one. */
    static struct tcmp_run r;
    const char *const args[] = {"--numbers", "20", "--concurrency", "5,20", "--delay", "0.1s", "--json", "--quiet",
                                NULL};
    r = (struct tcmp_run){.args = args};
    tcmp_run(&r, 60000);
    ck_assert_msg(r.rc == 0, "exit %d: %s", r.rc, r.err);
    cJSON *o = cJSON_Parse(r.out);
    ck_assert_msg(o != NULL, "not JSON: %s", r.out);
    ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(o, "rows")), 4); /* threads and async at each C */
    static const char *const modes[] = {"threads", "async"};
    for (size_t m = 0; m < 2; m++) {
        const cJSON *five = tcmp_row_at(o, modes[m], 5), *all = tcmp_row_at(o, modes[m], 20);
        ck_assert_msg(num(five, "wall_s") >= 0.4 && num(five, "wall_s") < 1.5, "%s C=5: %.3fs", modes[m],
                      num(five, "wall_s"));
        ck_assert_msg(num(all, "wall_s") < 0.35, "%s C=20: %.3fs", modes[m], num(all, "wall_s"));
        ck_assert_int_eq((int)num(five, "peak_in_flight"), 5);
        ck_assert_int_eq((int)num(five, "number"), 20);
    }
    ck_assert_double_eq(num(tcmp_row_at(o, "threads", 5), "threads"), 6); /* a pool of 5 and the main thread */
    cJSON_Delete(o);

    /* One N only, and bad values name the flag. */
    const char *const two[] = {"--numbers", "10,20", "--concurrency", "5", NULL};
    r = (struct tcmp_run){.args = two};
    tcmp_run(&r, 10000);
    ck_assert_int_eq(r.rc, 2);
    tcmp_one_line_with(&r, (const char *const[]){"--concurrency runs one N", "--numbers", NULL});
}
END_TEST

/* --crawl: each mode crawls the same family; sync takes pages x delay,
 * async about levels x delay; the report draws pages read over time. */
START_TEST(crawl_compares_modes)
{
    static struct tcmp_run r;
    char cdir[128], page[160];
    tcmp_mkdtemp(cdir, sizeof cdir);
    snprintf(page, sizeof page, "%s/crawl.html", cdir);
    char csv[160];
    snprintf(csv, sizeof csv, "%s/crawl.csv", cdir);
    const char *const args[] = {"--crawl", "/family/1", "--family", "30", "--delay", "20ms", "--json", "--quiet",
                                "--html", page, "--csv", csv, NULL};
    r = (struct tcmp_run){.args = args};
    tcmp_run(&r, 60000);
    ck_assert_msg(r.rc == 0, "exit %d: %s", r.rc, r.err);
    cJSON *o = cJSON_Parse(r.out);
    ck_assert_msg(o != NULL, "not JSON: %s", r.out);
    ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(o, "rows")), 3);
    const cJSON *sync = tcmp_row(o, "sync", 30), *async = tcmp_row(o, "async", 30);
    ck_assert_msg(sync != NULL && async != NULL && tcmp_row(o, "threads", 30) != NULL, "rows: %s", r.out);
    ck_assert_msg(num(sync, "wall_s") >= 0.6, "sync %.3fs for 30 pages of 20 ms", num(sync, "wall_s"));
    ck_assert_msg(num(async, "wall_s") * 2 < num(sync, "wall_s"), "async %.3fs", num(async, "wall_s"));
    /* the family of 30 reads in several levels (6: 1, 3, 4, 10, 9 and 3 pages), the same in every mode */
    ck_assert_msg(num(sync, "levels") >= 2 && num(sync, "levels") == num(async, "levels") &&
                      num(async, "levels") == num(tcmp_row(o, "threads", 30), "levels"),
                  "levels: %s", r.out);
    cJSON_Delete(o);
    FILE *f = fopen(page, "r");
    ck_assert_ptr_nonnull(f);
    static char text[1 << 20];
    text[fread(text, 1, sizeof text - 1, f)] = '\0';
    fclose(f);
    ck_assert_ptr_nonnull(strstr(text, "Pages read over time"));
    f = fopen(csv, "r");
    ck_assert_ptr_nonnull(f);
    text[fread(text, 1, sizeof text - 1, f)] = '\0';
    fclose(f);
    const char *header = "mode,number,concurrency,wall_s,requests_per_s,speedup,peak_in_flight,ok,failed,rss_kb,"
                         "cpu_s,threads,levels\n";
    ck_assert_msg(strncmp(text, header, strlen(header)) == 0, "csv: %s", text);
    tcmp_rmtree(cdir);

    const char *const bad[][5] = {{"--family", "30", NULL}, {"--crawl", "family/1", NULL},
                                  {"--crawl", "/family/1", "--numbers", "10", NULL}};
    const char *const flags[] = {"--family", "--crawl", "--numbers"};
    for (size_t i = 0; i < 3; i++) {
        r = (struct tcmp_run){.args = bad[i]};
        tcmp_run(&r, 10000);
        ck_assert_int_eq(r.rc, 2);
        tcmp_one_line_with(&r, (const char *const[]){flags[i], NULL});
    }
}
END_TEST

int main(void)
{
    Suite *s = suite_create("compare-report");
    TCase *tc = testsuite_case(s, "pure", 30, NULL, NULL);
    tcase_add_test(tc, status_fields_parse);
    tcase_add_test(tc, rusage_converts);
    tcase_add_test(tc, timeline_lines_parse);
    tc = testsuite_case(s, "html", 240, run_html, remove_html);
    tcase_add_test(tc, cost_columns_are_sane);
    tcase_add_test(tc, html_is_self_contained);
    tcase_add_test(tc, html_renders_in_chromium);
    tcase_add_test(tc, html_of_large_runs_stays_small);
    tc = testsuite_case(s, "concurrency", 120, NULL, NULL);
    tcase_add_test(tc, concurrency_runs_waves);
    tcase_add_test(tc, crawl_compares_modes);
    return testsuite_run(s);
}
