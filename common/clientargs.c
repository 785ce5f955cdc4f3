/* clientargs: the clients' command line (client_parse_args in client.h).
 *
 * The flags every client takes are one table here; each program passes its
 * own rows (--threads, --concurrency, --rate...) in client_spec. From both
 * the parser builds getopt_long's table, the short-option string and the
 * --help text, so a flag is declared once. Not for: what the values mean
 * to an engine, or --url's syntax (client.c). */
#include "client.h"

#include "cli.h"
#include "formats.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#define OPTIONS_MAX 48
#define HELP_COLUMN 24 /* where the help text of every flag starts */

static int set_number(struct client_config *cfg, const char *flag, const char *v)
{
    cfg->number_given = true;
    return cli_parse_uint(flag, v, 1, CLIENT_NUMBER_MAX, &cfg->number);
}

static int set_duration(struct client_config *cfg, const char *flag, const char *v)
{
    return cli_parse_duration(flag, v, 1000, 24 * CLIENT_HOUR_US, &cfg->duration_us);
}

static int set_url(struct client_config *cfg, const char *flag, const char *v)
{
    (void)flag;
    cfg->url = v;
    return 0;
}

static int set_timeout(struct client_config *cfg, const char *flag, const char *v)
{
    return cli_parse_duration(flag, v, 1000, CLIENT_HOUR_US, &cfg->timeout_us);
}

static const char *const out_flags[CLIENT_OUTS] = {"--timeline", "--hdr", "--trace"};

static int set_out_file(struct client_config *cfg, const char *flag, const char *v)
{
    for (int k = 0; k < CLIENT_OUTS; k++)
        if (strcmp(flag, out_flags[k]) == 0)
            cfg->out[k].path = v;
    return 0;
}

/* The switches: each sets one bool of cfg, found by the flag's name. */
static int set_switch(struct client_config *cfg, const char *flag, const char *v)
{
    (void)v;
    static const struct {
        const char *flag;
        size_t offset;
        bool value;
    } sw[] = {
        {"--json", offsetof(struct client_config, json), true},
        {"--verbose", offsetof(struct client_config, verbose), true},
        {"--no-keepalive", offsetof(struct client_config, keepalive), false},
        {"--quiet", offsetof(struct client_config, quiet), true},
        {"--help", offsetof(struct client_config, help), true},
        {"--version", offsetof(struct client_config, version), true},
    };
    for (size_t i = 0; i < sizeof sw / sizeof sw[0]; i++)
        if (strcmp(flag, sw[i].flag) == 0)
            *(bool *)((char *)cfg + sw[i].offset) = sw[i].value;
    return 0;
}

static const struct client_option common_options[] = {
    {"number", 'n', "N", "requests to make (default 10, at most 10000000)", set_number},
    {"duration", 'z', "DURATION", "start requests until DURATION has passed, then wait for those\n"
                                  "in flight; with --number, whichever ends first", set_duration},
    {"url", 0, "URL", "http:// URL to GET (default " CLIENT_DEFAULT_URL ")", set_url},
    {"timeout", 0, "DURATION", "per request, from its start to the end of its response\n(default 30s, at most 1h)",
     set_timeout},
    {"json", 0, NULL, "one JSON object on stdout instead of the summary", set_switch},
    {"verbose", 0, NULL, "a timestamped line on stderr when each request starts and ends", set_switch},
    {"timeline", 0, "FILE", "one CSV row per request:\n" FMT_TIMELINE_HEADER, set_out_file},
    {"hdr", 0, "FILE", "the latency distribution in HdrHistogram's percentile text format\n"
                       "(as wrk2 --latency prints it; milliseconds)", set_out_file},
    {"trace", 0, "FILE", "Chrome Trace Event JSON: one event per request on its connection's\n"
                         "(or thread's) track (open in ui.perfetto.dev)", set_out_file},
    {"no-keepalive", 0, NULL, "a new connection for every request", set_switch},
    {"quiet", 0, NULL, "no summary (unless --json), no progress bar, no notices", set_switch},
    {"help", 0, NULL, "this text", set_switch},
    {"version", 0, NULL, "the version", set_switch},
    {NULL, 0, NULL, NULL, NULL},
};

/* value with its control bytes as \xNN, so that an error naming it stays
 * one line; cut with "..." when longer than buf. Returns buf. */
static const char *visible(const char *value, char *buf, size_t len)
{
    size_t n = 0;
    for (const char *p = value; *p != '\0'; p++) {
        if (n + 8 > len) {
            snprintf(buf + n, len - n, "...");
            return buf;
        }
        unsigned char c = (unsigned char)*p;
        n += (size_t)snprintf(buf + n, len - n, c < ' ' || c == 0x7f ? "\\x%02x" : "%c", c);
    }
    buf[n] = '\0';
    return buf;
}

/* "  -n, --number N        help", continuation lines indented to the column. */
static void usage_row(FILE *out, const struct client_option *o)
{
    char head[64];
    int n = o->short_name ? snprintf(head, sizeof head, "  -%c, --%s", o->short_name, o->name)
                          : snprintf(head, sizeof head, "  --%s", o->name);
    if (o->arg != NULL)
        n += snprintf(head + n, sizeof head - (size_t)n, " %s", o->arg);
    fprintf(out, "%s%*s", head, n < HELP_COLUMN ? HELP_COLUMN - n : 1, "");
    for (const char *p = o->help; *p != '\0'; p++) {
        fputc(*p, out);
        if (*p == '\n')
            fprintf(out, "%*s", HELP_COLUMN, "");
    }
    fputc('\n', out);
}

static void usage(FILE *out, const struct client_spec *spec)
{
    fprintf(out, "Usage: %s [OPTIONS]\n\n%s"
                 "DURATION is seconds as a number (1, 0.25) or with a unit (500us, 250ms, 1.5s, 2m).\n\nOptions:\n",
            cli_program(), spec->summary);
    for (const struct client_option *o = common_options; o->name != NULL; o++)
        usage_row(out, o);
    for (const struct client_option *o = spec->options; o != NULL && o->name != NULL; o++)
        usage_row(out, o);
    fprintf(out,
            "\n"
            "Exit codes: 0 every request succeeded, 1 some request failed (the summary is still\n"
            "printed), a runtime error, or the results could not be written (stdout, --timeline),\n"
            "2 bad flag or value, 130 interrupted by Ctrl-C (SIGINT), 143 stopped by SIGTERM (for\n"
            "both, the summary covers the requests that finished).\n");
}

/* The rows of both tables, in one array: val of getopt_long is the index + 256. */
struct table {
    const struct client_option *rows[OPTIONS_MAX];
    struct option longs[OPTIONS_MAX + 1];
    char shorts[2 + 2 * OPTIONS_MAX + 1];
    size_t n;
};

static void table_add(struct table *t, const struct client_option *rows)
{
    size_t s = strlen(t->shorts);
    for (const struct client_option *o = rows; o != NULL && o->name != NULL && t->n < OPTIONS_MAX; o++) {
        t->rows[t->n] = o;
        t->longs[t->n] = (struct option){o->name, o->arg ? required_argument : no_argument, NULL, (int)t->n + 256};
        if (o->short_name) {
            t->shorts[s++] = o->short_name;
            if (o->arg)
                t->shorts[s++] = ':';
        }
        t->n++;
    }
    t->shorts[s] = '\0';
}

static const struct client_option *table_find(const struct table *t, int c)
{
    if (c >= 256 && (size_t)(c - 256) < t->n)
        return t->rows[c - 256];
    for (size_t i = 0; c > 0 && c < 256 && i < t->n; i++)
        if (t->rows[i]->short_name == c)
            return t->rows[i];
    return NULL;
}

static int open_outputs(struct client_config *cfg)
{
    for (int k = 0; k < CLIENT_OUTS; k++) {
        if (cfg->out[k].path == NULL)
            continue;
        cfg->out[k].f = fopen(cfg->out[k].path, "w");
        if (cfg->out[k].f == NULL) {
            cli_error("%s cannot write '%s': %s", out_flags[k], cfg->out[k].path, strerror(errno));
            return -1;
        }
    }
    return 0;
}

/* After every flag is read: what depends on several of them. */
static int finish_args(int argc, char **argv, struct client_config *cfg)
{
    if (cli_no_operands(argc, argv) != 0)
        return -1;
    char why[128];
    if (client_parse_url(cfg->url, &cfg->target, why, sizeof why) != 0) {
        char shown[3 * 256];
        cli_error("--url %s, got '%s'", why, visible(cfg->url, shown, sizeof shown));
        return -1;
    }
    /* --duration alone: as many requests as it takes (the records of the
     * ones never made cost no memory: stats_init). */
    if (cfg->duration_us > 0 && !cfg->number_given)
        cfg->number = CLIENT_NUMBER_MAX;
    /* Opened last, so a usage error elsewhere does not leave an empty file. */
    return open_outputs(cfg);
}

int client_parse_args(int argc, char **argv, const struct client_spec *spec, struct client_config *cfg)
{
    static struct table t; /* one parse per process */
    t = (struct table){.shorts = ":"};
    table_add(&t, common_options);
    table_add(&t, spec->options);
    *cfg = (struct client_config){.number = 10, .url = CLIENT_DEFAULT_URL, .timeout_us = 30 * INT64_C(1000000),
                                  .keepalive = true};
    int c;
    opterr = 0;
    while ((c = getopt_long(argc, argv, t.shorts, t.longs, NULL)) != -1) {
        const struct client_option *o = table_find(&t, c);
        if (o == NULL) {
            cli_bad_option(c, argv);
            return -1;
        }
        char flag[64];
        snprintf(flag, sizeof flag, "--%s", o->name);
        if (o->set(cfg, flag, optarg) != 0)
            return -1;
        if (cfg->help || cfg->version) {
            if (cfg->help)
                usage(stdout, spec);
            else
                cli_print_version();
            exit(cli_stdout_finish() == 0 ? CLI_EXIT_OK : CLI_EXIT_FAILURE);
        }
    }
    return finish_args(argc, argv, cfg);
}
