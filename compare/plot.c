/* plot: writes a gnuplot script from the rows and runs gnuplot (plot.h). */
#include "plot.h"

#include "cli.h"
#include "duration.h"
#include "timeline.h"

#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

static int ends_with(const char *s, const char *suffix)
{
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && strcmp(s + a - b, suffix) == 0;
}

int plot_format_known(const char *path) { return ends_with(path, ".svg") || ends_with(path, ".png"); }

/* A gnuplot single-quoted string: ' is written twice. */
static void put_quoted(FILE *f, const char *s)
{
    fputc('\'', f);
    for (; *s; s++) {
        if (*s == '\'')
            fputc('\'', f);
        fputc(*s, f);
    }
    fputc('\'', f);
}

static int has_gnuplot(void)
{
    const char *path = getenv("PATH");
    char dir[4096], file[4200];
    for (const char *p = path != NULL ? path : "/usr/bin:/bin"; *p;) {
        size_t len = strcspn(p, ":");
        snprintf(dir, sizeof dir, "%.*s", (int)len, p);
        snprintf(file, sizeof file, "%s/gnuplot", dir);
        if (access(file, X_OK) == 0)
            return 1;
        p += len + (p[len] == ':');
    }
    return 0;
}

/* A data block per mode: x (N or C), wall time, speedup (NaN: none, not
 * drawn), requests per second. */
static void write_walls(FILE *f, const struct run_result *rows, size_t n, const struct output_context *ctx)
{
    for (int m = 0; m < MODE_COUNT; m++) {
        fprintf(f, "$%s << EOD\n", run_mode_name((enum run_mode)m));
        /* In the order of x, not of the list given: --concurrency 20,2,5 drew a zigzag. */
        size_t order[RUN_MAX_COUNTS], k = 0; /* a mode's rows */
        for (size_t i = 0; i < n && k < RUN_MAX_COUNTS; i++)
            if (rows[i].mode == (enum run_mode)m)
                order[k++] = i;
        for (size_t a = 1; a < k; a++)
            for (size_t b = a; b > 0 && output_x(&rows[order[b - 1]], ctx) > output_x(&rows[order[b]], ctx); b--) {
                size_t t = order[b];
                order[b] = order[b - 1], order[b - 1] = t;
            }
        for (size_t j = 0; j < k; j++) {
            size_t i = order[j];
            fprintf(f, "%u %.6f ", output_x(&rows[i], ctx), rows[i].elapsed_s);
            fprintf(f, rows[i].speedup > 0 ? "%.3f " : "NaN ", rows[i].speedup);
            fprintf(f, "%.3f\n", rows[i].requests_per_s);
        }
        fprintf(f, "EOD\n");
    }
}

/* Bottom panel: each mode's requests at its smallest N (or C) as a band of
 * bars, first mode on top. Band b holds request id at y = base + N - id,
 * base = (bands-1-b) * (N+2): N rows, two rows apart from the next band,
 * one row of room at the frame. */
static void write_timeline(FILE *f, const struct run_result *rows, size_t n, const struct output_context *ctx)
{
    const struct run_result *band[MODE_COUNT];
    size_t bands = 0;
    unsigned smallest = 0;
    for (int m = 0; m < MODE_COUNT; m++) {
        const struct run_result *pick = NULL;
        for (size_t i = 0; i < n; i++)
            if (rows[i].mode == (enum run_mode)m && (pick == NULL || output_x(&rows[i], ctx) < output_x(pick, ctx)))
                pick = &rows[i];
        if (pick != NULL && pick->timeline[0] != '\0') {
            band[bands++] = pick;
            smallest = pick->number > smallest ? pick->number : smallest; /* the bands' height */
        }
    }
    if (ctx->fixed_n > 0)
        fprintf(f, "set title 'Request timeline, N=%u at the smallest limit: one bar per request'\n", smallest);
    else
        fprintf(f, "set title 'Request timeline, N=%u: one bar per request, from its start to its end'\n", smallest);
    fprintf(f, "set xlabel \"seconds since the run's start\"\nset ylabel 'request'\nset key off\n");
    fprintf(f, "set datafile separator ','\nset ytics (");
    for (size_t b = 0; b < bands; b++)
        fprintf(f, "%s'%s' %g", b ? ", " : "", run_mode_name(band[b]->mode),
                (double)(bands - 1 - b) * (smallest + 2) + (smallest - 1) / 2.0);
    fprintf(f, ")\nset yrange [-1:%u]\nplot ", (unsigned)bands * (smallest + 2) - 2);
    for (size_t b = 0; b < bands; b++) {
        unsigned top = (unsigned)(bands - 1 - b) * (smallest + 2) + smallest;
        fprintf(f, "%s", b ? ", \\\n     " : "");
        put_quoted(f, band[b]->timeline);
        /* An explicit title: gnuplot's default is the data file's name, a
         * temporary path, which the SVG shows as the tooltip. */
        fprintf(f, " every ::1 using 2:(%u-$1):($3-$2):(0) with vectors nohead lw 4 lc %d title '%s'", top,
                (int)band[b]->mode + 1, run_mode_name(band[b]->mode));
    }
    fprintf(f, "\n");
}

static int by_value(const void *a, const void *b)
{
    unsigned x = *(const unsigned *)a, y = *(const unsigned *)b;
    return (x > y) - (x < y);
}

/* The N axis. gnuplot's own tics over a narrow range are fractions (N is a
 * count), and a single N autoscales to an "empty x range" warning and an
 * axis of 9.88 ... 10.1: tics at the values of N themselves when they are
 * far enough apart to be read (1/25 of the axis), a range around a single
 * N, and room at both ends so that no point sits on the frame (an explicit
 * range: gnuplot's offsets widen to the next tic, N = -20 included). */
static void write_n_axis(FILE *f, const struct run_result *rows, size_t n, const struct output_context *ctx)
{
    unsigned ns[MODE_COUNT * RUN_MAX_COUNTS]; /* a row per mode and N (or C) */
    size_t count = 0;
    for (size_t i = 0; i < n && count < sizeof ns / sizeof ns[0]; i++)
        ns[count++] = output_x(&rows[i], ctx);
    qsort(ns, count, sizeof ns[0], by_value);
    unsigned span = ns[count - 1] - ns[0], closest = span;
    for (size_t i = 1; i < count; i++)
        if (ns[i] != ns[i - 1] && ns[i] - ns[i - 1] < closest)
            closest = ns[i] - ns[i - 1];
    if (span == 0) {
        fprintf(f, "set xrange [0:%u]\nset xtics (%u)\n", 2 * ns[0], ns[0]);
        return;
    }
    double lo = ns[0] - span / 25.0, hi = ns[count - 1] + span / 25.0;
    fprintf(f, "set xrange [%g:%g]\n", lo > 0 ? lo : 0, hi);
    if (closest * 25 < span)
        return;
    fprintf(f, "set xtics (");
    for (size_t i = 0; i < count; i++)
        if (i == 0 || ns[i] != ns[i - 1])
            fprintf(f, "%s%u", i ? ", " : "", ns[i]);
    fprintf(f, ")\n");
}

/* A panel of column col of the data blocks against N (or C), one line per
 * mode that ran. */
static void write_mode_panel(FILE *f, const struct run_result *rows, size_t n, const struct output_context *ctx,
                             const char *title, const char *ylabel, int col)
{
    fprintf(f, "set title '%s'\nset xlabel '%s'\nset ylabel '%s'\nset grid\nset key top left\nset yrange [0:*]\n",
            title, ctx->fixed_n > 0 ? "concurrency limit C" : "N (requests)", ylabel);
    write_n_axis(f, rows, n, ctx);
    fprintf(f, "plot ");
    int first = 1;
    for (int m = 0; m < MODE_COUNT; m++) {
        int present = 0;
        for (size_t i = 0; i < n; i++)
            present |= rows[i].mode == (enum run_mode)m;
        if (!present)
            continue;
        /* threads and async often coincide: hollow squares and dashes over
         * filled circles keep both visible */
        static const char *const style[MODE_COUNT] = {"pt 7 dt 1", "pt 4 ps 1.6 dt 2", "pt 7 ps 0.8 dt 1"};
        fprintf(f, "%s$%s using 1:%d with linespoints lw 2 %s lc %d title '%s'", first ? "" : ", ",
                run_mode_name((enum run_mode)m), col, style[m], m + 1, run_mode_name((enum run_mode)m));
        first = 0;
    }
    fprintf(f, "\nunset grid\nset grid xtics\nset autoscale x\nset xtics autofreq\n");
}

/* One data block $pagesI of (seconds, pages read by then) from row i's timeline. */
static void write_pages_block(FILE *f, const struct run_result *r, size_t i)
{
    struct timeline t;
    fprintf(f, "$pages%zu << EOD\n0 0\n", i);
    if (timeline_read(r->timeline, &t) == 0 && t.n > 0) {
        double *x = malloc(t.n * sizeof *x), *y = malloc(t.n * sizeof *y);
        size_t k = x != NULL && y != NULL ? timeline_done_curve(&t, x, y) : 0;
        for (size_t j = 0; j < k; j++)
            fprintf(f, "%.6f %.0f\n", x[j], y[j]);
        free(x);
        free(y);
    }
    timeline_free(&t);
    fprintf(f, "EOD\n");
}

/* --crawl's top panel: pages read over time, one line per mode. A page is
 * known only when the page linking it has been read: sync reads one per
 * delay (a straight line), async a whole level per delay (a step each). */
static void write_crawl_panel(FILE *f, const struct run_result *rows, size_t n)
{
    for (size_t i = 0; i < n; i++)
        write_pages_block(f, &rows[i], i);
    fprintf(f, "set title 'Pages read over time: sync one per delay, async a level per delay'\n"
               "set xlabel \"seconds since the run's start\"\nset ylabel 'pages read'\nset grid\n"
               "set key bottom right\nset yrange [0:*]\nplot ");
    for (size_t i = 0; i < n; i++)
        fprintf(f, "%s$pages%zu using 1:2 with steps lw 2 lc %d title '%s, %u levels'", i ? ", " : "", i,
                (int)rows[i].mode + 1, run_mode_name(rows[i].mode), rows[i].levels);
    fprintf(f, "\nunset grid\n");
}

static int write_script(const char *script, const char *path, const struct run_result *rows, size_t n,
                        const struct output_context *ctx)
{
    FILE *f = fopen(script, "w");
    if (f == NULL)
        return -1;
    char delay[32], modes[64];
    output_modes_title(rows, n, modes, sizeof modes);
    if (ends_with(path, ".png"))
        fprintf(f, "set terminal pngcairo size 900,1300 font 'sans,11' background '#ffffff'\n");
    else
        fprintf(f, "set terminal svg size 900,1300 dynamic font 'sans,11' background '#ffffff'\n");
    fprintf(f, "set output ");
    put_quoted(f, path);
    fputc('\n', f);
    write_walls(f, rows, n, ctx);
    if (ctx->crawl != NULL) {
        /* The user's PATH, quoted: a ' in its query ended the string and the rest ran as gnuplot
         * commands (system() included); noenhanced: its _ and ^ are not sub- and superscripts. */
        char title[600];
        snprintf(title, sizeof title, "sayhi: crawl of %s, %s per page", ctx->crawl,
                 duration_format(ctx->delay_us, delay, sizeof delay));
        fputs("\nset multiplot layout 2,1 title ", f);
        put_quoted(f, title);
        fputs(" noenhanced\n", f);
        write_crawl_panel(f, rows, n);
    } else if (ctx->delay_us >= 0)
        fprintf(f, "\nset multiplot layout 3,1 title 'sayhi: %s, %s per request'\n", modes,
                duration_format(ctx->delay_us, delay, sizeof delay));
    else
        fprintf(f, "\nset multiplot layout 3,1 title 'sayhi: %s'\n", modes);
    int speedups = 0;
    for (size_t i = 0; i < n; i++)
        speedups |= rows[i].speedup > 0;
    if (ctx->crawl == NULL)
        write_mode_panel(f, rows, n, ctx, "Wall time for N requests", "wall time (s)", 2);
    if (ctx->crawl == NULL && speedups)
        write_mode_panel(f, rows, n, ctx, "Speedup over sync (successful requests per second)", "speedup (x)", 3);
    else if (ctx->crawl == NULL) /* no sync row to compare with (a --concurrency grid without it) */
        write_mode_panel(f, rows, n, ctx, "Requests per second", "requests/s", 4);
    write_timeline(f, rows, n, ctx);
    fprintf(f, "unset multiplot\n");
    /* An earlier write can fail while the final flush in fclose succeeds. */
    int failed = ferror(f);
    return fclose(f) != 0 || failed ? -1 : 0;
}

/* gnuplot's own messages go to a file in tmpdir, never to the user: they
 * name the temporary script, and a warning is a bug of this file to fix
 * (as "empty x range" was), not something the user can act on. Its stdout
 * goes nowhere, so that nothing can end up inside --json. */
static int run_gnuplot(const char *script, const char *path, const char *tmpdir)
{
    char *argv[] = {"gnuplot", (char *)script, NULL}, log[512];
    snprintf(log, sizeof log, "%s/gnuplot.log", tmpdir);
    posix_spawn_file_actions_t fa;
    pid_t pid;
    int status = -1, spawned = 0, to_log = O_WRONLY | O_CREAT | O_TRUNC;
    if (posix_spawn_file_actions_init(&fa) == 0) {
        spawned = posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, "/dev/null", O_WRONLY, 0) == 0 &&
                  posix_spawn_file_actions_addopen(&fa, STDERR_FILENO, log, to_log, 0600) == 0 &&
                  posix_spawnp(&pid, "gnuplot", &fa, NULL, argv, environ) == 0;
        posix_spawn_file_actions_destroy(&fa);
    }
    while (spawned && waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ; /* a signal (Ctrl-C) while it draws: the rows that finished still get their picture */
    struct stat st;
    if (!spawned || !WIFEXITED(status) || WEXITSTATUS(status) != 0 || stat(path, &st) != 0 || st.st_size == 0) {
        cli_error("gnuplot could not draw --plot %s", path);
        return -1;
    }
    return 0;
}

int plot_draw(const char *path, const char *tmpdir, const struct run_result *rows, size_t n,
              const struct output_context *ctx)
{
    if (!has_gnuplot()) {
        cli_error("--plot needs gnuplot, which is not installed: apt-get install gnuplot-nox");
        return -1;
    }
    char script[512];
    snprintf(script, sizeof script, "%s/plot.gp", tmpdir);
    if (write_script(script, path, rows, n, ctx) != 0) {
        cli_error("cannot write %s: %s", script, strerror(errno));
        return -1;
    }
    return run_gnuplot(script, path, tmpdir);
}
