/* Compare, the pure parts of its outputs with made-up rows: speedups of a
 * crawl, the report's percentiles and escaping, the plot script's order and
 * quoting. No server, no client. */
#include "html.h"
#include "output.h"
#include "plot.h"
#include "testcompare.h"
#include "testsuite.h"

#include <check.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static char text[1 << 20]; /* a file a test reads back */

/* The HTML report of rows[0..n) under ctx, written in dir: its text. */
static const char *report(const char *dir, const struct run_result *rows, size_t n,
                          const struct output_context *ctx)
{
    char html[128];
    snprintf(html, sizeof html, "%s/r.html", dir);
    ck_assert_int_eq(html_write(html, rows, n, ctx), 0);
    tcmp_read_file(html, text, sizeof text);
    return text;
}

static struct run_result row(enum run_mode m, unsigned number, unsigned limit, double wall, unsigned ok)
{
    return (struct run_result){.mode = m, .number = number, .limit = limit, .concurrency = limit ? limit : 1,
                               .elapsed_s = wall, .requests_per_s = ok / wall, .ok = ok, .peak = -1};
}

/* Under --crawl N is the pages read: a failed page makes async's N 59 and
 * sync's 60, which is still one crawl each to compare. */
START_TEST(crawl_speedup_despite_a_lost_page)
{
    struct run_result rows[] = {row(MODE_SYNC, 60, 0, 3.0, 60), row(MODE_ASYNC, 59, 0, 0.3, 59)};
    output_speedups(rows, 2, false);
    ck_assert_double_eq(rows[1].speedup, 0); /* a grid of N: another N is no baseline */
    output_speedups(rows, 2, true);
    ck_assert_double_eq_tol(rows[1].speedup, (59 / 0.3) / (60 / 3.0), 1e-9);
}
END_TEST

/* p95 and p99 of 10 requests are the 10th (nearest rank), as the clients say. */
START_TEST(report_percentiles_are_nearest_rank)
{
    char dir[64];
    tcmp_mkdtemp(dir, sizeof dir);
    struct run_result r = row(MODE_ASYNC, 10, 0, 0.02, 10);
    snprintf(r.timeline, sizeof r.timeline, "%s/t.csv", dir);
    FILE *f = fopen(r.timeline, "w");
    fprintf(f, "id,start_s,end_s,status,error\n");
    for (int i = 1; i <= 10; i++)
        fprintf(f, "%d,0,%.3f,200,\n", i, i / 1000.0);
    fclose(f);
    struct output_context ctx = {.delay_us = 1000, .timeout_us = 30001000, .planned = 1};
    ck_assert_ptr_nonnull(
        strstr(report(dir, &r, 1, &ctx), "10 requests: p50 5.0 ms, p95 10.0 ms, p99 10.0 ms, max 10.0 ms."));
    tcmp_rmtree(dir);
}
END_TEST

/* The crawl PATH is the user's: its query is text in the report, never markup. */
START_TEST(report_escapes_the_crawl_path)
{
    char dir[64];
    tcmp_mkdtemp(dir, sizeof dir);
    struct run_result r = row(MODE_ASYNC, 1, 0, 0.02, 1);
    snprintf(r.timeline, sizeof r.timeline, "%s/none.csv", dir);
    struct output_context ctx = {.delay_us = 1000, .timeout_us = 30001000, .planned = 1,
                                 .crawl = "/family/1?a=<script>alert(1)</script>&b", .family = 10};
    const char *html = report(dir, &r, 1, &ctx);
    ck_assert_ptr_null(strstr(html, "<script"));
    ck_assert_ptr_nonnull(strstr(html, "/family/1?a=&lt;script&gt;alert(1)&lt;/script&gt;&amp;b"));
    tcmp_rmtree(dir);
}
END_TEST

/* A one-request timeline at path, for the plot's bottom panel. */
static void one_request(const char *path)
{
    FILE *f = fopen(path, "w");
    fprintf(f, "id,start_s,end_s,status,error\n1,0.000,0.010,200,\n");
    fclose(f);
}

/* As test_compare: without gnuplot --plot only says how to get it. */
static int has_gnuplot(void) { return access("/usr/bin/gnuplot", X_OK) == 0; }

/* The wall times go to gnuplot in the order of C (or N), not of the list. */
START_TEST(plot_points_in_order_of_x)
{
    if (!has_gnuplot())
        return;
    char dir[64], svg[128], gp[128];
    tcmp_mkdtemp(dir, sizeof dir);
    struct run_result rows[] = {row(MODE_ASYNC, 20, 20, 0.1, 20), row(MODE_ASYNC, 20, 2, 1.0, 20),
                                row(MODE_ASYNC, 20, 5, 0.4, 20)};
    for (size_t i = 0; i < 3; i++)
        snprintf(rows[i].timeline, sizeof rows[i].timeline, "%s/one.csv", dir);
    one_request(rows[0].timeline);
    snprintf(svg, sizeof svg, "%s/p.svg", dir);
    snprintf(gp, sizeof gp, "%s/plot.gp", dir);
    struct output_context ctx = {.delay_us = 100000, .timeout_us = 30100000, .planned = 3, .fixed_n = 20};
    ck_assert_int_eq(plot_draw(svg, dir, rows, 3, &ctx), 0);
    tcmp_read_file(gp, text, sizeof text);
    const char *a = strstr(text, "$async << EOD\n");
    ck_assert_ptr_nonnull(a);
    const char *c2 = strstr(a, "\n2 "), *c5 = strstr(a, "\n5 "), *c20 = strstr(a, "\n20 ");
    ck_assert(c2 != NULL && c5 != NULL && c20 != NULL && c2 < c5 && c5 < c20);
    tcmp_rmtree(dir);
}
END_TEST

/* A ' in the crawl PATH neither breaks the plot nor runs as gnuplot. */
START_TEST(plot_quotes_the_crawl_path)
{
    if (!has_gnuplot())
        return;
    char dir[64], svg[128], pwned[128], crawl[300];
    tcmp_mkdtemp(dir, sizeof dir);
    snprintf(pwned, sizeof pwned, "%s/pwned", dir);
    snprintf(crawl, sizeof crawl, "/family/1?who=O'Brien'.system('touch %s').'", pwned);
    struct run_result r = row(MODE_ASYNC, 1, 0, 0.02, 1);
    snprintf(r.timeline, sizeof r.timeline, "%s/one.csv", dir);
    one_request(r.timeline);
    snprintf(svg, sizeof svg, "%s/p.svg", dir);
    struct output_context ctx = {.delay_us = 1000, .timeout_us = 30001000, .planned = 1, .crawl = crawl, .family = 10};
    ck_assert_int_eq(plot_draw(svg, dir, &r, 1, &ctx), 0);
    ck_assert_int_ne(access(pwned, F_OK), 0);
    tcmp_read_file(svg, text, sizeof text);
    ck_assert_ptr_nonnull(strstr(text, "O'Brien"));
    tcmp_rmtree(dir);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("compare-units");
    const struct testsuite_group groups[] = {
        {"outputs", {crawl_speedup_despite_a_lost_page, report_percentiles_are_nearest_rank,
                     report_escapes_the_crawl_path, plot_points_in_order_of_x, plot_quotes_the_crawl_path, NULL}},
    };
    testsuite_add_groups(s, groups, sizeof groups / sizeof groups[0], 30);
    return testsuite_run(s);
}
