/* html: the self-contained HTML report (html.h). */
#include "html.h"

#include "cli.h"
#include "duration.h"
#include "stats.h"
#include "svg.h"
#include "timeline.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Each mode drawn the same way in every chart: threads and async often lie
 * on top of each other, so they differ in dash and marker, not only colour. */
static const struct { const char *color, *dash; enum svg_marker marker; } look[MODE_COUNT] = {
    [MODE_SYNC] = {"#1f77b4", "", SVG_DIAMOND},
    [MODE_THREADS] = {"#ff7f0e", "7 4", SVG_SQUARE},
    [MODE_ASYNC] = {"#2ca02c", "", SVG_CIRCLE},
};

static const char *const style =
    "body{font-family:sans-serif;max-width:1400px;margin:1em auto;padding:0 1em;color:#111}"
    "table{border-collapse:collapse;font-size:13px}th,td{border:1px solid #bbb;padding:2px 6px;text-align:right}"
    "th{background:#eee}td:first-child{text-align:left}figure{display:inline-block;margin:.3em;vertical-align:top}"
    "figcaption{font-size:12px;color:#444;max-width:640px}svg{max-width:100%;height:auto}"
    "@media print{figure,table{break-inside:avoid}body{max-width:none}}";

/* What the x axis of the line charts is. */
static const char *x_name(const struct output_context *ctx)
{
    return ctx->fixed_n > 0 ? "concurrency limit C" : "N (requests)";
}

static void write_intro(FILE *f, size_t n, const struct output_context *ctx, const char *modes)
{
    char delay[32], timeout[32];
    fprintf(f, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
               "<title>sayhi-compare: %s</title><style>%s</style></head><body>\n<h1>sayhi-compare: %s</h1>\n<p>",
            modes, style, modes);
    if (ctx->delay_us >= 0)
        fprintf(f, "Each request is delayed %s by a fresh sayhi-server; the clients' --timeout is %s. ",
                duration_format(ctx->delay_us, delay, sizeof delay),
                duration_format(ctx->timeout_us, timeout, sizeof timeout));
    else
        fputs("Runs against a running server (its own delay). ", f);
    if (ctx->fixed_n > 0)
        fprintf(f, "Every run makes N=%u requests at most C at once: threads is a pool of C threads, async "
                   "an event loop with C connections; the wall time is about N/C waves of one delay.", ctx->fixed_n);
    else
        fputs("threads is one thread per request; async one event loop on one thread.", f);
    if (ctx->stop_signal != 0)
        fprintf(f, " <strong>Interrupted: %zu of %zu runs finished.</strong>", n, ctx->planned);
    fputs("</p>\n", f);
}

static void write_table(FILE *f, const struct run_result *rows, size_t n)
{
    fputs("<h2>Results</h2>\n<table><tr><th>mode</th><th>N</th><th>concurrency</th><th>wall (s)</th>"
          "<th>req/s</th><th>speedup</th><th>peak in flight</th><th>ok</th><th>failed</th><th>threads</th>"
          "<th>peak RSS (MB)</th><th>CPU (s)</th></tr>\n", f);
    for (size_t i = 0; i < n; i++) {
        const struct run_result *r = &rows[i];
        struct output_cells c = output_optional_cells(r, "%.1fx", "-");
        fprintf(f, "<tr><td>%s</td><td>%u</td><td>%u</td><td>%.3f</td><td>%.1f</td><td>%s</td><td>%s</td>"
                   "<td>%llu</td><td>%llu</td><td>%u</td><td>%.1f</td><td>%.3f</td></tr>\n",
                run_mode_name(r->mode), r->number, r->concurrency, r->elapsed_s, r->requests_per_s, c.speedup,
                c.peak, r->ok, r->failed, r->cost.threads, (double)r->cost.rss_kb / 1024, r->cost.cpu_s);
    }
    fputs("</table>\n", f);
}

static double get_wall(const struct run_result *r) { return r->elapsed_s; }
static double get_speedup(const struct run_result *r) { return r->speedup; }
static double get_rss_mb(const struct run_result *r) { return (double)r->cost.rss_kb / 1024; }
static double get_cpu(const struct run_result *r) { return r->cost.cpu_s; }
static double get_threads(const struct run_result *r) { return r->cost.threads; }

/* Room for one series per mode and the waves line, a point per row. */
struct chart_data {
    struct svg_series s[MODE_COUNT + 1];
    double x[MODE_COUNT + 1][RUN_MAX_COUNTS], y[MODE_COUNT + 1][RUN_MAX_COUNTS];
};

/* Sorts the points (x[i], y[i]) by x: rows come in the order of the lists
 * given, a line must not zigzag. */
static void sort_points(double *x, double *y, size_t n)
{
    for (size_t i = 1; i < n; i++)
        for (size_t j = i; j > 0 && x[j - 1] > x[j]; j--) {
            double tx = x[j], ty = y[j];
            x[j] = x[j - 1], y[j] = y[j - 1];
            x[j - 1] = tx, y[j - 1] = ty;
        }
}

/* The N/C waves of one delay each that a limit C allows: the wall time the
 * concurrency grid should show, as a line to compare with. */
static void add_waves(struct chart_data *d, size_t k, const struct run_result *rows, size_t n,
                      const struct output_context *ctx)
{
    size_t points = 0;
    for (size_t i = 0; i < n; i++) {
        size_t seen = 0;
        while (seen < points && d->x[k][seen] != rows[i].limit)
            seen++;
        if (rows[i].mode == MODE_SYNC || seen < points)
            continue;
        d->x[k][points] = rows[i].limit;
        d->y[k][points++] = ceil((double)ctx->fixed_n / rows[i].limit) * (double)ctx->delay_us / 1e6;
    }
    sort_points(d->x[k], d->y[k], points);
    d->s[k] = (struct svg_series){"N/C waves x delay", "#888", "2 3", SVG_CIRCLE, points, d->x[k], d->y[k]};
}

/* A line chart of get(row) against N (or C), one line per mode that ran;
 * with waves, the ideal of a concurrency grid too. Rows where get is 0 (no
 * speedup) are left out. */
static void metric_chart(FILE *f, const struct run_result *rows, size_t n, const struct output_context *ctx,
                         const struct svg_labels *l, double (*get)(const struct run_result *), int waves)
{
    static struct chart_data d;
    size_t k = 0;
    for (int m = 0; m < MODE_COUNT; m++) {
        size_t points = 0;
        for (size_t i = 0; i < n && points < RUN_MAX_COUNTS; i++) {
            if (rows[i].mode != (enum run_mode)m || get(&rows[i]) <= 0)
                continue;
            d.x[k][points] = output_x(&rows[i], ctx);
            d.y[k][points++] = get(&rows[i]);
        }
        if (points == 0)
            continue;
        sort_points(d.x[k], d.y[k], points);
        d.s[k] = (struct svg_series){run_mode_name((enum run_mode)m), look[m].color, look[m].dash, look[m].marker,
                                     points, d.x[k], d.y[k]};
        k++;
    }
    if (waves && ctx->fixed_n > 0 && ctx->delay_us >= 0)
        add_waves(&d, k++, rows, n, ctx);
    svg_line_chart(f, l, d.s, k);
}

/* The cost section: a sentence comparing the modes at the largest N (or C),
 * then peak RSS, CPU and threads against it. */
static void write_cost(FILE *f, const struct run_result *rows, size_t n, const struct output_context *ctx)
{
    unsigned largest = 0;
    for (size_t i = 0; i < n; i++)
        largest = output_x(&rows[i], ctx) > largest ? output_x(&rows[i], ctx) : largest;
    fprintf(f, "<h2>What each mode cost</h2>\n<p>The client process, measured: the most threads seen at once "
               "(/proc/PID/status, sampled every 5 ms), its peak resident memory and its CPU time, user + "
               "system (wait4's rusage). At %s=%u:", ctx->fixed_n > 0 ? "C" : "N", largest);
    for (size_t i = 0; i < n; i++)
        if (output_x(&rows[i], ctx) == largest)
            fprintf(f, " <b>%s</b> %u thread%s, %.1f MB, %.3f s CPU;", run_mode_name(rows[i].mode),
                    rows[i].cost.threads, cli_plural(rows[i].cost.threads),
                    (double)rows[i].cost.rss_kb / 1024, rows[i].cost.cpu_s);
    fputs(" a thread per request costs a stack and a kernel task each, an event loop one thread whatever N.</p>\n",
          f);
    const char *x = x_name(ctx);
    metric_chart(f, rows, n, ctx, &(struct svg_labels){"Peak RSS of the client", x, "MB"}, get_rss_mb, 0);
    metric_chart(f, rows, n, ctx, &(struct svg_labels){"CPU time of the client (user + sys)", x, "seconds"},
                 get_cpu, 0);
    metric_chart(f, rows, n, ctx, &(struct svg_labels){"Threads of the client (most at once)", x, "threads"},
                 get_threads, 0);
}

/* The row of mode whose timeline is drawn: the largest N (the most
 * requests), or in a concurrency grid the smallest limit (the most waves). */
static const struct run_result *pick_row(const struct run_result *rows, size_t n, enum run_mode m,
                                         const struct output_context *ctx)
{
    const struct run_result *best = NULL;
    for (size_t i = 0; i < n; i++) {
        if (rows[i].mode != m)
            continue;
        unsigned x = output_x(&rows[i], ctx), bx = best != NULL ? output_x(best, ctx) : 0;
        if (best == NULL || (ctx->fixed_n > 0 ? x < bx : x > bx))
            best = &rows[i];
    }
    return best;
}

/* Every every-th request of t into bars (t's arrays reused in place). */
static struct svg_bars subsample(struct timeline *t, size_t every, char *note, size_t len)
{
    size_t kept = 0;
    for (size_t i = 0; i < t->n; i += every, kept++) {
        t->start[kept] = t->start[i], t->end[kept] = t->end[i];
        t->bad[kept] = t->bad[i];
    }
    if (every > 1)
        snprintf(note, len, "Subsampled: 1 request in %zu is drawn, %zu of %zu (the report stays small); "
                 "red: failed.", every, kept, t->n);
    else
        snprintf(note, len, "All %zu requests, one bar each from its start to its end; red: failed.", t->n);
    return (struct svg_bars){kept, t->start, t->end, t->bad, NULL, note};
}

/* Latency percentiles of sorted ms values as a caption, by nearest rank as
 * the clients take theirs (p99 of 10 values is the 10th). */
static void percentiles(const double *ms, size_t n, char *note, size_t len)
{
    if (n == 0) {
        snprintf(note, len, "No request started.");
        return;
    }
    snprintf(note, len, "%zu request%s: p50 %.1f ms, p95 %.1f ms, p99 %.1f ms, max %.1f ms.", n, cli_plural(n),
             ms[stats_rank(n, 50) - 1], ms[stats_rank(n, 95) - 1], ms[stats_rank(n, 99) - 1], ms[n - 1]);
}

/* One mode's timeline and latency histogram, from the client's CSV. */
static void write_mode_charts(FILE *f, const struct run_result *r, const struct output_context *ctx)
{
    struct timeline t;
    char title[128], note[256], where[48];
    if (ctx->fixed_n > 0)
        snprintf(where, sizeof where, "N=%u, C=%u", r->number, r->limit);
    else
        snprintf(where, sizeof where, "N=%u", r->number);
    if (timeline_read(r->timeline, &t) != 0)
        t = (struct timeline){0};
    double *ms = timeline_latencies_ms(&t);
    percentiles(ms, ms != NULL ? t.n : 0, note, sizeof note);
    snprintf(title, sizeof title, "Latency of %s, %s", run_mode_name(r->mode), where);
    svg_histogram(f, &(struct svg_labels){title, "latency (ms)", "requests"}, ms, ms != NULL ? t.n : 0,
                  look[r->mode].color, note);
    free(ms);
    snprintf(title, sizeof title, "Request timeline of %s, %s", run_mode_name(r->mode), where);
    struct svg_bars b = subsample(&t, timeline_every(t.n, HTML_MAX_BARS), note, sizeof note);
    b.color = look[r->mode].color;
    svg_timeline(f, &(struct svg_labels){title, "seconds since the run's start", "request"}, &b);
    timeline_free(&t);
}

/* Row r's pages read over time as series s, at most HTML_MAX_BARS points
 * from (0, 0); x and y malloc'd (the caller frees). 0, or -1: no timeline. */
static int pages_series(const struct run_result *r, struct svg_series *s, double **x, double **y)
{
    struct timeline t;
    *x = *y = NULL;
    if (timeline_read(r->timeline, &t) != 0)
        return -1;
    *x = malloc((t.n + 1) * sizeof **x);
    *y = malloc((t.n + 1) * sizeof **y);
    if (*x == NULL || *y == NULL) {
        timeline_free(&t);
        return -1;
    }
    size_t m = timeline_done_curve(&t, *x + 1, *y + 1) + 1, every = timeline_every(m, HTML_MAX_BARS), kept = 0;
    (*x)[0] = (*y)[0] = 0;
    for (size_t j = 0; j < m; j += every, kept++)
        (*x)[kept] = (*x)[j], (*y)[kept] = (*y)[j];
    if ((m - 1) % every != 0) /* the last page read, always */
        (*x)[kept] = (*x)[m - 1], (*y)[kept++] = (*y)[m - 1];
    timeline_free(&t);
    *s = (struct svg_series){run_mode_name(r->mode), look[r->mode].color, look[r->mode].dash, look[r->mode].marker,
                             kept, *x, *y};
    return 0;
}

/* --crawl: pages read over time, a line per mode. */
static void write_crawl_chart(FILE *f, const struct run_result *rows, size_t n, const struct output_context *ctx)
{
    struct svg_series s[MODE_COUNT];
    double *x[MODE_COUNT], *y[MODE_COUNT];
    size_t k = 0;
    for (size_t i = 0; i < n && k < MODE_COUNT; i++)
        if (pages_series(&rows[i], &s[k], &x[k], &y[k]) == 0)
            k++;
    fputs("<h2>Pages read over time</h2>\n<p>Each mode crawls ", f);
    svg_escape(f, ctx->crawl); /* the user's PATH: its query may hold < and & */
    fputs(" breadth first: a page is known only "
          "once the page that links it has been read. Sync reads one page per delay, a straight line; "
          "async starts every page of a level as soon as it is known, a step per level: about levels "
          "&times; delay in all.</p>\n", f);
    svg_line_chart(f, &(struct svg_labels){"Pages read over time", "seconds since the run's start", "pages read"},
                   s, k);
    for (size_t i = 0; i < k; i++) {
        free(x[i]);
        free(y[i]);
    }
}

static void write_body(FILE *f, const struct run_result *rows, size_t n, const struct output_context *ctx)
{
    const char *x = x_name(ctx);
    write_table(f, rows, n);
    if (ctx->crawl != NULL) {
        write_crawl_chart(f, rows, n, ctx);
    } else {
        fputs("<h2>Wall time and speedup</h2>\n", f);
        metric_chart(f, rows, n, ctx, &(struct svg_labels){"Wall time", x, "seconds"}, get_wall, 1);
        metric_chart(f, rows, n, ctx, &(struct svg_labels){"Speedup over sync (successful requests/s)", x, "times"},
                     get_speedup, 0);
    }
    write_cost(f, rows, n, ctx);
    fputs("<h2>Requests of each mode</h2>\n<p>Sync paints a staircase, one request after another; threads and "
          "async one block, all at once (or waves of C).</p>\n", f);
    for (int m = 0; m < MODE_COUNT; m++) {
        const struct run_result *r = pick_row(rows, n, (enum run_mode)m, ctx);
        if (r != NULL)
            write_mode_charts(f, r, ctx);
    }
    fputs("<p>Made by sayhi-compare. Everything is in this file: no script, no fetched resource.</p>\n"
          "</body></html>\n", f);
}

#define HTML_BUFFER (2u << 20)

int html_write(const char *path, const struct run_result *rows, size_t n, const struct output_context *ctx)
{
    FILE *f = fopen(path, "w");
    if (f == NULL) {
        cli_error("cannot write --html %s: %s", path, strerror(errno));
        return -1;
    }
    /* A report is at most about 1 MB (timelines are subsampled): held whole
     * in a buffer of our own (given none, glibc picks its own size), it is
     * written at the flush below, where errno still says why a write failed
     * (No space left on device); a write that failed inside an fprintf left
     * only ferror()'s flag, shown as EIO. */
    char *buffer = malloc(HTML_BUFFER);
    if (buffer != NULL)
        setvbuf(f, buffer, _IOFBF, HTML_BUFFER);
    char modes[64];
    write_intro(f, n, ctx, output_modes_title(rows, n, modes, sizeof modes));
    write_body(f, rows, n, ctx);
    int err = fflush(f) != 0 ? errno : ferror(f) ? EIO : 0;
    int rc = output_close(f, err, "--html", path);
    free(buffer); /* after the close: the stream used it to the end */
    return rc;
}
