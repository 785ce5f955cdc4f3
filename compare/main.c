/* sayhi-compare: runs the sync, thread-pool and async clients side by side
 * for a list of N and shows the lesson as a table, CSV, JSON and pictures.
 *
 * main() reads flags and runs the grid; run.c runs one cell, output.c and
 * plot.c present the rows. */
#include "cli.h"
#include "duration.h"
#include "html.h"
#include "output.h"
#include "plot.h"
#include "run.h"

#include <curl/curl.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_NUMBER 100000

struct config {
    bool modes[MODE_COUNT], modes_given, numbers_given;
    unsigned numbers[RUN_MAX_COUNTS], limits[RUN_MAX_COUNTS];
    size_t nnumbers, nlimits; /* nlimits > 0: a --concurrency grid at numbers[0] */
    int64_t delay_us;
    bool delay_given;
    const char *url, *csv, *plot, *html;
    bool json, quiet;
    const char *crawl;  /* --crawl PATH */
    uint64_t family;    /* --family N */
    bool family_given;
};

static void usage(FILE *out)
{
    fprintf(out,
            "Usage: sayhi-compare [OPTIONS]\n"
            "\n"
            "Runs sayhi-sync, sayhi-sync --threads N and sayhi-async with --number N for each N,\n"
            "each against a fresh sayhi-server, and prints wall time, requests/s, speedup over sync\n"
            "the peak in flight the server saw, and what each client cost: most threads at once,\n"
            "peak RSS and CPU time (user+sys).\n"
            "\n"
            "Speedup is a row's successful requests per second over sync's at the same N: sync's\n"
            "wall time over the row's when every request of both succeeded, - when either had\n"
            "no successful request (a run whose requests all failed fast is no speedup).\n"
            "\n"
            "Options:\n"
            "  --modes LIST        comma-separated from sync,threads,async (default all three)\n"
            "  --numbers LIST      comma-separated N, each 1 to %d (default 10,20,50,100)\n"
            "  --delay DURATION    delay of the server it starts (default 0.25s, at most 60s); the\n"
            "                      clients get --timeout DURATION + 30s\n"
            "  --url URL           use this running server instead (its delay applies, the\n"
            "                      clients keep their default --timeout of 30s)\n"
            "  --csv FILE          also write the rows as CSV\n"
            "  --json              print the rows as one line of JSON instead of the table\n"
            "  --concurrency LIST  comma-separated limits C: for one N (the single value of\n"
            "                      --numbers, default 100) run sayhi-async --concurrency C and\n"
            "                      sayhi-sync --threads C (modes threads,async unless --modes says;\n"
            "                      sync runs once); wall time against C is N/C waves of one delay\n"
            "  --plot FILE         draw wall time and speedup against N (or C) and the request\n"
            "                      timeline of the smallest with gnuplot (FILE ends in .svg or .png)\n"
            "  --html FILE         write one self-contained HTML report: the table, wall time,\n"
            "                      speedup, each mode's timeline and latencies, and the cost\n"
            "  --crawl PATH        instead of --number runs: each mode crawls the links from PATH\n"
            "                      (e.g. /family/1) breadth first, each against a fresh server\n"
            "                      with the same family (--family N, seed " RUN_CRAWL_SEED "); threads is a pool of %u;\n"
            "                      N is the pages read, and --plot and --html draw pages read\n"
            "                      over time: sync a straight line, async one step per level\n"
            "  --family N          with --crawl: people in the server's family (default 200)\n"
            "  --quiet             no progress lines on stderr\n"
            "  --help, --version\n"
            "\n"
            "It runs sayhi-server, sayhi-sync and sayhi-async found next to itself or in the build\n"
            "tree; SAYHI_SERVER, SAYHI_SYNC and SAYHI_ASYNC (paths) override. Its temporary files\n"
            "live in a directory in $TMPDIR (default /tmp), removed when it ends.\n"
            "\n"
            "Exit codes: 0 every request of every run succeeded; 1 a run or request failed, a\n"
            "program it runs is missing, or an output could not be written; 2 bad flag or value,\n"
            "also a --csv, --plot or --html path that cannot be written (checked before the first run)\n"
            "or two of them naming one file;\n"
            "130 interrupted by Ctrl-C (SIGINT), 143 by SIGTERM, 129 by SIGHUP: the runs that\n"
            "finished are still printed (the table ends with an Interrupted line, the JSON has\n"
            "\"interrupted\":true) and written to --csv, --plot and --html.\n",
            MAX_NUMBER, RUN_CRAWL_THREADS);
}

/* A comma-separated value's entries, in a malloc'd copy to strtok_r: NULL
 * after one line naming flag when an entry is empty ("5,", "sync,,async"),
 * which strtok_r would skip without a word. A fixed buffer cut long values
 * short, as silently. */
static char *list_copy(const char *flag, const char *value)
{
    size_t len = strlen(value);
    if (len > 0 && (value[0] == ',' || value[len - 1] == ',' || strstr(value, ",,") != NULL)) {
        cli_error("%s has an empty entry in '%s'", flag, value);
        return NULL;
    }
    char *copy = strdup(value);
    if (copy == NULL)
        cli_error("out of memory");
    return copy;
}

static int parse_modes(const char *value, struct config *cfg)
{
    char *buf = list_copy("--modes", value);
    if (buf == NULL)
        return -1;
    memset(cfg->modes, 0, sizeof cfg->modes);
    int any = 0, rc = 0;
    for (char *save = NULL, *tok = strtok_r(buf, ",", &save); tok && rc == 0; tok = strtok_r(NULL, ",", &save)) {
        int found = 0;
        for (int m = 0; m < MODE_COUNT; m++) {
            if (strcmp(tok, run_mode_name((enum run_mode)m)) == 0) {
                if (cfg->modes[m]) {
                    cli_error("--modes lists %s twice, in '%s'", tok, value);
                    rc = -1;
                }
                cfg->modes[m] = true;
                found = any = 1;
            }
        }
        if (!found) {
            cli_error("--modes takes sync, threads and async, got '%s'", tok);
            rc = -1;
        }
    }
    free(buf);
    if (rc == 0 && !any) {
        cli_error("--modes needs at least one of sync, threads, async, got '%s'", value);
        rc = -1;
    }
    return rc;
}

/* A comma-separated list of distinct counts 1 to MAX_NUMBER for flag into
 * out (at most RUN_MAX_COUNTS); 0, or -1 after one line naming the flag. */
static int parse_counts(const char *flag, const char *value, unsigned out[RUN_MAX_COUNTS], size_t *count)
{
    char *buf = list_copy(flag, value);
    if (buf == NULL)
        return -1;
    *count = 0;
    int rc = 0;
    for (char *save = NULL, *tok = strtok_r(buf, ",", &save); tok && rc == 0; tok = strtok_r(NULL, ",", &save)) {
        uint64_t n;
        if (*count == RUN_MAX_COUNTS) {
            cli_error("%s takes at most %d values", flag, RUN_MAX_COUNTS);
            rc = -1;
        } else if (cli_parse_uint(flag, tok, 1, MAX_NUMBER, &n) != 0) {
            rc = -1;
        } else {
            for (size_t i = 0; i < *count && rc == 0; i++) {
                if (out[i] == n) { /* one row per mode and value: the timelines and plot assume it */
                    cli_error("%s lists %llu twice, in '%s'", flag, (unsigned long long)n, value);
                    rc = -1;
                }
            }
            if (rc == 0)
                out[(*count)++] = (unsigned)n;
        }
    }
    free(buf);
    if (rc == 0 && *count == 0) {
        cli_error("%s needs at least one number, got '%s'", flag, value);
        rc = -1;
    }
    return rc;
}

/* A --concurrency grid runs one N, with limits up to N; threads and async
 * unless --modes chose. */
static int check_concurrency(struct config *cfg)
{
    if (cfg->nlimits == 0)
        return 0;
    if (!cfg->numbers_given)
        cfg->numbers[0] = 100, cfg->nnumbers = 1;
    if (cfg->nnumbers != 1) {
        cli_error("--concurrency runs one N: give --numbers a single value, not %zu", cfg->nnumbers);
        return -1;
    }
    for (size_t i = 0; i < cfg->nlimits; i++) {
        if (cfg->limits[i] > cfg->numbers[0]) {
            cli_error("--concurrency %u is more than N=%u requests", cfg->limits[i], cfg->numbers[0]);
            return -1;
        }
    }
    if (!cfg->modes_given)
        cfg->modes[MODE_SYNC] = false;
    return 0;
}

/* --crawl runs its own servers, once per mode: no grid of N or C. */
static int check_crawl(struct config *cfg)
{
    const char *against = cfg->url != NULL ? "--url" : cfg->numbers_given ? "--numbers"
                          : cfg->nlimits > 0 ? "--concurrency" : NULL;
    if (cfg->crawl == NULL) {
        if (cfg->family_given)
            cli_error("--family needs --crawl");
        return cfg->family_given ? -1 : 0;
    }
    if (cfg->crawl[0] != '/' || strchr(cfg->crawl, ' ') != NULL) {
        cli_error("--crawl must be a path of the server, such as /family/1, got '%s'", cfg->crawl);
        return -1;
    }
    if (against != NULL) {
        cli_error("--crawl cannot be combined with %s: it starts a server per mode and crawls once", against);
        return -1;
    }
    return 0;
}

/* 0 when path can be written, without changing it: an existing file is
 * opened but not truncated, one created here is removed again; devices and
 * FIFOs (/dev/stdout) are left for the real write. Else -1 after one line
 * naming the flag and the path. Checked before the runs, which can take
 * minutes: an unwritable path found at the end lost them all. */
static int check_writable(const char *flag, const char *path)
{
    struct stat st;
    if (stat(path, &st) == 0 && !S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode))
        return 0;
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    int created = fd >= 0;
    if (fd < 0 && errno == EEXIST)
        fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0) {
        cli_error("cannot write %s %s: %s", flag, path, strerror(errno));
        return -1;
    }
    close(fd);
    if (created)
        unlink(path);
    return 0;
}

/* The file path names, or would name once made: its own device and inode
 * when it exists, else its directory's and its last component, so that
 * "out.x", "./out.x" and "$PWD/out.x" compare equal with no path buffer.
 * false when neither can be found (check_writable says why). */
struct file_id {
    dev_t dev;
    ino_t ino;
    const char *base; /* NULL: the file exists */
    bool regular;
};

static bool file_id(const char *path, struct file_id *id)
{
    struct stat st;
    if (stat(path, &st) == 0) {
        *id = (struct file_id){.dev = st.st_dev, .ino = st.st_ino, .regular = S_ISREG(st.st_mode)};
        return true;
    }
    const char *slash = strrchr(path, '/');
    char dir[PATH_MAX];
    size_t dirlen = slash == NULL ? 0 : slash == path ? 1 : (size_t)(slash - path);
    if (dirlen >= sizeof dir)
        return false;
    memcpy(dir, dirlen > 0 ? path : ".", dirlen > 0 ? dirlen : 1);
    dir[dirlen > 0 ? dirlen : 1] = '\0';
    if (stat(dir, &st) != 0)
        return false;
    const char *base = slash != NULL ? slash + 1 : path;
    *id = (struct file_id){.dev = st.st_dev, .ino = st.st_ino, .base = base, .regular = true};
    return true;
}

/* Whether paths a and b are one file that writing both would overwrite:
 * one name (however spelled), or two names of one regular file (links). A
 * device (/dev/stdout, /dev/null) takes both. */
static bool same_file(const char *a, const char *b)
{
    struct file_id ia, ib;
    if (!file_id(a, &ia) || !file_id(b, &ib))
        return strcmp(a, b) == 0;
    return ia.regular && ia.dev == ib.dev && ia.ino == ib.ino && (ia.base == NULL) == (ib.base == NULL) &&
           (ia.base == NULL || strcmp(ia.base, ib.base) == 0);
}

/* --csv, --plot and --html each write a file of their own. */
static int check_distinct(const struct config *cfg)
{
    const struct {
        const char *flag, *path;
    } out[] = {{"--csv", cfg->csv}, {"--plot", cfg->plot}, {"--html", cfg->html}};
    size_t n = sizeof out / sizeof out[0];
    for (size_t i = 0; i < n; i++)
        for (size_t j = i + 1; j < n; j++)
            if (out[i].path != NULL && out[j].path != NULL && same_file(out[i].path, out[j].path)) {
                cli_error("%s and %s name the same file '%s': one would overwrite the other", out[i].flag,
                          out[j].flag, out[j].path);
                return -1;
            }
    return 0;
}

static int parse_args(int argc, char **argv, struct config *cfg)
{
    enum { O_MODES = 256, O_NUMBERS, O_DELAY, O_URL, O_CSV, O_JSON, O_PLOT, O_QUIET, O_HELP, O_VERSION, O_CONC,
           O_HTML, O_CRAWL, O_FAMILY };
    static const struct option opts[] = {
        {"modes", required_argument, NULL, O_MODES}, {"numbers", required_argument, NULL, O_NUMBERS},
        {"delay", required_argument, NULL, O_DELAY}, {"url", required_argument, NULL, O_URL},
        {"csv", required_argument, NULL, O_CSV},     {"json", no_argument, NULL, O_JSON},
        {"plot", required_argument, NULL, O_PLOT},   {"quiet", no_argument, NULL, O_QUIET},
        {"help", no_argument, NULL, O_HELP},         {"version", no_argument, NULL, O_VERSION},
        {"concurrency", required_argument, NULL, O_CONC}, {"html", required_argument, NULL, O_HTML},
        {"crawl", required_argument, NULL, O_CRAWL},      {"family", required_argument, NULL, O_FAMILY},
        {NULL, 0, NULL, 0},
    };
    int c;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
        int rc = 0;
        switch (c) {
        case O_MODES: rc = parse_modes(optarg, cfg), cfg->modes_given = true; break;
        case O_NUMBERS:
            rc = parse_counts("--numbers", optarg, cfg->numbers, &cfg->nnumbers);
            cfg->numbers_given = true;
            break;
        case O_CONC: rc = parse_counts("--concurrency", optarg, cfg->limits, &cfg->nlimits); break;
        case O_HTML: cfg->html = optarg; break;
        case O_CRAWL: cfg->crawl = optarg; break;
        case O_FAMILY:
            rc = cli_parse_uint("--family", optarg, 2, 1000000, &cfg->family);
            cfg->family_given = true;
            break;
        case O_DELAY:
            rc = cli_parse_duration("--delay", optarg, 0, 60 * INT64_C(1000000), &cfg->delay_us);
            cfg->delay_given = true;
            break;
        case O_URL:
            if (strncmp(optarg, "http://", 7) != 0 || optarg[7] == '\0') {
                cli_error("--url must be an http:// URL, got '%s'", optarg);
                rc = -1;
            }
            cfg->url = optarg;
            break;
        case O_CSV: cfg->csv = optarg; break;
        case O_JSON: cfg->json = true; break;
        case O_PLOT:
            if (!plot_format_known(optarg)) {
                cli_error("--plot FILE must end in .svg or .png, got '%s'", optarg);
                rc = -1;
            }
            cfg->plot = optarg;
            break;
        case O_QUIET: cfg->quiet = true; break;
        case O_HELP: usage(stdout); exit(cli_stdout_finish() == 0 ? CLI_EXIT_OK : CLI_EXIT_FAILURE);
        case O_VERSION: cli_print_version(); exit(cli_stdout_finish() == 0 ? CLI_EXIT_OK : CLI_EXIT_FAILURE);
        default: cli_bad_option(c, argv); return -1;
        }
        if (rc != 0)
            return -1;
    }
    if (cli_no_operands(argc, argv) != 0)
        return -1;
    if (cfg->url != NULL && cfg->delay_given) {
        cli_error("--delay applies to the server sayhi-compare starts, not to --url %s", cfg->url);
        return -1;
    }
    if (check_concurrency(cfg) != 0 || check_crawl(cfg) != 0)
        return -1;
    if ((cfg->csv != NULL && check_writable("--csv", cfg->csv) != 0) ||
        (cfg->plot != NULL && check_writable("--plot", cfg->plot) != 0) ||
        (cfg->html != NULL && check_writable("--html", cfg->html) != 0) || check_distinct(cfg) != 0)
        return -1;
    return 0;
}

/* The directory for the clients' timelines and the plot script: in $TMPDIR
 * as other programs' are, /tmp when it is unset or too long for the paths
 * made under it (run_result.timeline). */
static int make_tmpdir(char *buf, size_t len)
{
    const char *base = getenv("TMPDIR");
    if (base == NULL || *base == '\0' || strlen(base) > 160)
        base = "/tmp";
    snprintf(buf, len, "%s/sayhi-compare.XXXXXX", base);
    if (mkdtemp(buf) == NULL) {
        cli_error("cannot create a temporary directory in %s: %s", base, strerror(errno));
        return -1;
    }
    return 0;
}

static void remove_dir(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    char path[PATH_MAX];
    while (d != NULL && (e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0) {
            snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
            unlink(path);
        }
    }
    if (d != NULL)
        closedir(d);
    rmdir(dir);
}

/* One run of the grid. */
struct cell {
    enum run_mode mode;
    unsigned number, limit;
};

/* The runs to make, in order: every mode at every N, or in a --concurrency
 * grid sync once (it has no limit: its one request at a time is the
 * baseline of the speedups) and threads and async at every limit. */
static size_t plan_grid(const struct config *cfg, struct cell *cells)
{
    size_t n = 0;
    if (cfg->crawl != NULL) { /* one crawl per mode: N is what it finds */
        for (int m = 0; m < MODE_COUNT; m++)
            if (cfg->modes[m])
                cells[n++] = (struct cell){(enum run_mode)m, 0, 0};
        return n;
    }
    if (cfg->nlimits == 0) {
        for (size_t i = 0; i < cfg->nnumbers; i++)
            for (int m = 0; m < MODE_COUNT; m++)
                if (cfg->modes[m])
                    cells[n++] = (struct cell){(enum run_mode)m, cfg->numbers[i], 0};
        return n;
    }
    if (cfg->modes[MODE_SYNC])
        cells[n++] = (struct cell){MODE_SYNC, cfg->numbers[0], 1};
    for (size_t i = 0; i < cfg->nlimits; i++)
        for (int m = MODE_THREADS; m < MODE_COUNT; m++)
            if (cfg->modes[m])
                cells[n++] = (struct cell){(enum run_mode)m, cfg->numbers[0], cfg->limits[i]};
    return n;
}

/* Runs the cells until a stop signal; returns the number of rows made. */
static size_t run_grid(const struct config *cfg, const struct run_env *env, const struct cell *cells,
                       size_t ncells, struct run_result *rows, int *rc)
{
    size_t n = 0;
    for (size_t i = 0; i < ncells && !run_stopped(); i++) {
        const struct cell *c = &cells[i];
        if (!cfg->quiet && cfg->crawl != NULL)
            fprintf(stderr, "%s: %s, crawl %s ...", cli_program(), run_mode_name(c->mode), cfg->crawl);
        else if (!cfg->quiet && c->limit > 0)
            fprintf(stderr, "%s: %s, N=%u, C=%u ...", cli_program(), run_mode_name(c->mode), c->number, c->limit);
        else if (!cfg->quiet)
            fprintf(stderr, "%s: %s, N=%u ...", cli_program(), run_mode_name(c->mode), c->number);
        struct run_result *r = &rows[n];
        int failed = run_one(env, c->mode, c->number, c->limit, r) != 0;
        if (run_stopped()) { /* the client's partial figures are not a row */
            if (!cfg->quiet)
                fprintf(stderr, " interrupted\n");
            break;
        }
        if (failed) {
            if (!cfg->quiet)
                fprintf(stderr, " failed\n");
            *rc = CLI_EXIT_FAILURE;
            continue;
        }
        if (!cfg->quiet)
            fprintf(stderr, " %.2fs\n", r->elapsed_s);
        if (r->failed > 0 || r->client_exit != 0)
            *rc = CLI_EXIT_FAILURE;
        n++;
    }
    return n;
}

/* Prints and writes the rows, also after a stop signal (they are the runs
 * that finished). Returns -1 when an output could not be written. */
static int report(const struct config *cfg, const struct output_context *ctx, const char *tmpdir,
                  struct run_result *rows, size_t n)
{
    int failed = 0;
    output_speedups(rows, n, cfg->crawl != NULL);
    if (cfg->json)
        failed |= output_json(stdout, rows, n, ctx) != 0;
    else
        output_table(stdout, rows, n, ctx);
    if (cfg->csv != NULL)
        failed |= output_csv(cfg->csv, rows, n, ctx) != 0;
    if (cfg->plot != NULL && n > 0)
        failed |= plot_draw(cfg->plot, tmpdir, rows, n, ctx) != 0;
    if (cfg->html != NULL)
        failed |= html_write(cfg->html, rows, n, ctx) != 0;
    return failed ? -1 : 0;
}

int main(int argc, char **argv)
{
    struct config cfg = {.modes = {true, true, true}, .numbers = {10, 20, 50, 100}, .nnumbers = 4,
                         .delay_us = 250000, .family = 200};
    cli_stdio_guard(); /* before anything opens a descriptor that could take stdout's number */
    cli_set_program("sayhi-compare");
    if (parse_args(argc, argv, &cfg) != 0)
        return CLI_EXIT_USAGE;

    int64_t timeout_us = cfg.url == NULL ? cfg.delay_us + RUN_TIMEOUT_MARGIN_US : -1;
    char tmpdir[256];
    struct run_env env = {.url = cfg.url, .delay_us = cfg.delay_us, .timeout_us = timeout_us, .tmpdir = tmpdir,
                          .crawl = cfg.crawl, .family = (unsigned)cfg.family};
    if (run_find_programs(&env, argv[0], cfg.modes) != 0)
        return CLI_EXIT_FAILURE;
    run_catch_signals(); /* before the directory exists: from then on every stop ends below, removing it */
    if (make_tmpdir(tmpdir, sizeof tmpdir) != 0) {
        run_free_programs(&env);
        return CLI_EXIT_FAILURE;
    }
    curl_global_init(CURL_GLOBAL_DEFAULT);

    struct cell cells[RUN_MAX_COUNTS * MODE_COUNT];
    struct run_result rows[RUN_MAX_COUNTS * MODE_COUNT];
    int rc = CLI_EXIT_OK;
    size_t planned = plan_grid(&cfg, cells);
    size_t n = run_grid(&cfg, &env, cells, planned, rows, &rc);
    struct output_context ctx = {.delay_us = cfg.url == NULL ? cfg.delay_us : -1, .timeout_us = timeout_us,
                                 .planned = planned, .stop_signal = run_stopped(),
                                 .fixed_n = cfg.nlimits > 0 ? cfg.numbers[0] : 0, .crawl = cfg.crawl,
                                 .family = (unsigned)cfg.family};
    int lost = report(&cfg, &ctx, tmpdir, rows, n) != 0;
    remove_dir(tmpdir);
    run_free_programs(&env);
    curl_global_cleanup();
    lost |= cli_stdout_finish() != 0;
    /* A lost output is a failure whatever happened before; a stop is 128 + its number, as a shell reports it. */
    if (lost)
        return CLI_EXIT_FAILURE;
    return ctx.stop_signal != 0 ? 128 + ctx.stop_signal : rc;
}
