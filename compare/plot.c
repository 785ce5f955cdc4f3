/* plot: writes a gnuplot script from the rows and runs gnuplot (plot.h). */
#include "plot.h"

#include "cli.h"
#include "duration.h"

#include <errno.h>
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

static void write_walls(FILE *f, const struct run_result *rows, size_t n)
{
    for (int m = 0; m < MODE_COUNT; m++) {
        fprintf(f, "$%s << EOD\n", run_mode_name((enum run_mode)m));
        for (size_t i = 0; i < n; i++)
            if (rows[i].mode == (enum run_mode)m)
                fprintf(f, "%u %.6f\n", rows[i].number, rows[i].elapsed_s);
        fprintf(f, "EOD\n");
    }
}

/* Bottom panel: each mode's requests as a band of bars, first mode on top. */
static void write_timeline(FILE *f, const struct run_result *rows, size_t n, unsigned smallest)
{
    const struct run_result *band[MODE_COUNT];
    size_t bands = 0;
    for (size_t i = 0; i < n && bands < MODE_COUNT; i++)
        if (rows[i].number == smallest && rows[i].timeline[0] != '\0')
            band[bands++] = &rows[i];
    fprintf(f, "set title 'Request timeline, N=%u: one bar per request, from its start to its end'\n", smallest);
    fprintf(f, "set xlabel \"seconds since the run's start\"\nset ylabel 'request'\nset key off\n");
    fprintf(f, "set datafile separator ','\nset ytics (");
    for (size_t b = 0; b < bands; b++)
        fprintf(f, "%s'%s' %u", b ? ", " : "", run_mode_name(band[b]->mode),
                (unsigned)(bands - 1 - b) * (smallest + 2) + smallest / 2);
    fprintf(f, ")\nset yrange [-1:%u]\nplot ", (unsigned)bands * (smallest + 2) - 1);
    for (size_t b = 0; b < bands; b++) {
        unsigned top = (unsigned)(bands - 1 - b) * (smallest + 2) + smallest - 1;
        fprintf(f, "%s", b ? ", \\\n     " : "");
        put_quoted(f, band[b]->timeline);
        fprintf(f, " every ::1 using 2:(%u-$1):($3-$2):(0) with vectors nohead lw 4 lc %d", top,
                (int)band[b]->mode + 1);
    }
    fprintf(f, "\n");
}

static int write_script(const char *script, const char *path, const struct run_result *rows, size_t n,
                        const struct output_context *ctx)
{
    FILE *f = fopen(script, "w");
    if (f == NULL)
        return -1;
    unsigned smallest = 0;
    for (size_t i = 0; i < n; i++)
        if (smallest == 0 || rows[i].number < smallest)
            smallest = rows[i].number;
    char delay[32];
    if (ends_with(path, ".png"))
        fprintf(f, "set terminal pngcairo size 900,1000 font 'sans,11' background '#ffffff'\n");
    else
        fprintf(f, "set terminal svg size 900,1000 dynamic font 'sans,11' background '#ffffff'\n");
    fprintf(f, "set output ");
    put_quoted(f, path);
    fputc('\n', f);
    write_walls(f, rows, n);
    if (ctx->delay_us >= 0)
        fprintf(f, "\nset multiplot layout 2,1 title 'sayhi: sync vs async, %s per request'\n",
                duration_format(ctx->delay_us, delay, sizeof delay));
    else
        fprintf(f, "\nset multiplot layout 2,1 title 'sayhi: sync vs async'\n");
    fprintf(f, "set title 'Wall time for N requests'\nset xlabel 'N (requests)'\nset ylabel 'wall time (s)'\n"
               "set grid\nset key top left\nset yrange [0:*]\nplot ");
    int first = 1;
    for (int m = 0; m < MODE_COUNT; m++) {
        int present = 0;
        for (size_t i = 0; i < n; i++)
            present |= rows[i].mode == (enum run_mode)m;
        if (!present)
            continue;
        /* threads and async often coincide: distinct points and dashes keep both visible */
        static const char *const style[MODE_COUNT] = {"pt 7 dt 1", "pt 5 ps 1.3 dt 2", "pt 9 dt 1"};
        fprintf(f, "%s$%s using 1:2 with linespoints lw 2 %s lc %d title '%s'", first ? "" : ", ",
                run_mode_name((enum run_mode)m), style[m], m + 1, run_mode_name((enum run_mode)m));
        first = 0;
    }
    fprintf(f, "\nunset grid\nset grid xtics\n");
    write_timeline(f, rows, n, smallest);
    fprintf(f, "unset multiplot\n");
    return fclose(f);
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
    char *argv[] = {"gnuplot", script, NULL};
    pid_t pid;
    int status;
    struct stat st;
    if (posix_spawnp(&pid, "gnuplot", NULL, NULL, argv, environ) != 0 || waitpid(pid, &status, 0) != pid ||
        !WIFEXITED(status) || WEXITSTATUS(status) != 0 || stat(path, &st) != 0 || st.st_size == 0) {
        cli_error("gnuplot could not draw --plot %s", path);
        return -1;
    }
    return 0;
}
