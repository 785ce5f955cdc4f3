/* clientargs: the clients' command line (client_parse_args in client.h).
 *
 * The flags every client takes are one table here; each program passes its
 * own rows (--threads, --concurrency, --rate...) in client_spec. From both
 * the parser builds getopt_long's table, the short-option string and the
 * --help text, so a flag is declared once. Not for: what the values mean
 * to an engine, or --url's syntax (client.c). */
#include "client.h"

#include "cli.h"
#include "crawl.h"
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

/* RFC 9110 token: a method, a header's name. */
static bool is_token(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (!(s[i] > ' ' && s[i] < 0x7f && strchr("\"(),/:;<=>?@[\\]{}", s[i]) == NULL))
            return false;
    return len > 0;
}

static int set_method(struct client_config *cfg, const char *flag, const char *v)
{
    if (!is_token(v, strlen(v))) {
        char shown[3 * 64];
        cli_error("%s must be an HTTP method (a token: letters, digits and !#$%%&'*+-.^_`|~), got '%s'", flag,
                  client_visible(v, shown, sizeof shown));
        return -1;
    }
    cfg->method = v;
    cfg->rules.head = strcmp(v, "HEAD") == 0; /* its responses have no body, whatever they say */
    return 0;
}

static int set_header(struct client_config *cfg, const char *flag, const char *v)
{
    const char *colon = strchr(v, ':');
    bool ok = colon != NULL && is_token(v, (size_t)(colon - v));
    for (const unsigned char *p = (const unsigned char *)v; ok && *p != '\0'; p++)
        ok = (*p >= ' ' && *p != 0x7f) || *p == '\t'; /* CR LF would end the header and start another */
    if (!ok) {
        char shown[3 * 128];
        cli_error("%s must be 'Name: value' without control bytes, got '%s'", flag,
                  client_visible(v, shown, sizeof shown));
        return -1;
    }
    if (cfg->nheaders == CLIENT_HEADERS_MAX) {
        cli_error("%s given more than %d times", flag, CLIENT_HEADERS_MAX);
        return -1;
    }
    cfg->headers[cfg->nheaders++] = v;
    return 0;
}

static int set_data(struct client_config *cfg, const char *flag, const char *v)
{
    if (cfg->data != NULL) {
        cli_error("%s: give one of --data and --data-file, once", flag);
        return -1;
    }
    cfg->data = v;
    cfg->data_len = strlen(v);
    return 0;
}

static int set_data_file(struct client_config *cfg, const char *flag, const char *v)
{
    if (cfg->data != NULL)
        return set_data(cfg, flag, v); /* says: one of them */
    FILE *f = fopen(v, "rb");
    if (f == NULL) {
        cli_error("%s cannot read '%s': %s", flag, v, strerror(errno));
        return -1;
    }
    char *buf = malloc(CLIENT_DATA_FILE_MAX + 1);
    size_t n = buf != NULL ? fread(buf, 1, CLIENT_DATA_FILE_MAX + 1, f) : 0;
    int err = ferror(f) ? errno : 0;
    fclose(f);
    if (buf == NULL || err != 0 || n > CLIENT_DATA_FILE_MAX) {
        cli_error("%s cannot read '%s': %s", flag, v, buf == NULL ? "out of memory" : err != 0 ? strerror(err)
                                                                                    : "larger than 64 MB");
        free(buf);
        return -1;
    }
    cfg->data = cfg->data_owned = buf;
    cfg->data_len = n;
    return 0;
}

static int set_check(struct client_config *cfg, const char *flag, const char *v)
{
    static const char *const names[] = {[RESPONSE_CHECK_STATUS] = "status", [RESPONSE_CHECK_JSON] = "json",
                                        [RESPONSE_CHECK_SAYHI] = "sayhi"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        if (strcmp(v, names[i]) == 0) {
            cfg->rules.check = (enum response_check)i;
            return 0;
        }
    }
    cli_error("%s must be status, json or sayhi, got '%s'", flag, v);
    return -1;
}

static int set_max_body(struct client_config *cfg, const char *flag, const char *v)
{
    uint64_t n;
    if (cli_parse_uint(flag, v, 1, CLIENT_DATA_FILE_MAX, &n) != 0)
        return -1;
    cfg->rules.max_body = (size_t)n;
    cfg->max_body_given = true;
    return 0;
}

#define MAX_DEPTH_MAX 1000000

static int set_max_depth(struct client_config *cfg, const char *flag, const char *v)
{
    uint64_t d;
    if (cli_parse_uint(flag, v, 0, MAX_DEPTH_MAX, &d) != 0)
        return -1;
    cfg->max_depth = (uint32_t)d;
    return 0;
}

static int set_find(struct client_config *cfg, const char *flag, const char *v)
{
    (void)flag;
    cfg->find = v;
    return 0;
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
        {"--crawl", offsetof(struct client_config, crawl), true},
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
    {"method", 'X', "METHOD", "the request's method (default GET); HEAD only with --check status", set_method},
    {"header", 'H', "'NAME: VALUE'", "a request header; repeatable; replaces the default Host,\n"
                                     "User-Agent or Accept of the same name", set_header},
    {"data", 0, "STRING", "the request body (with its Content-Length)", set_data},
    {"data-file", 0, "FILE", "the request body, read from FILE (at most 64 MB)", set_data_file},
    {"check", 0, "status|json|sayhi", "what a success is: any 2xx, its body read and counted (default);\n"
                                      "a 2xx with an RFC 8259 JSON body of at most --max-body bytes;\n"
                                      "sayhi's rule (2xx, a JSON object with a string \"message\")", set_check},
    {"max-body", 0, "BYTES", "with --check json or --crawl: larger bodies are bad_body\n(default 1048576)", set_max_body},
    {"json", 0, NULL, "one JSON object on stdout instead of the summary", set_switch},
    {"verbose", 0, NULL, "a timestamped line on stderr when each request starts and ends", set_switch},
    {"timeline", 0, "FILE", "one CSV row per request:\n" FMT_TIMELINE_HEADER, set_out_file},
    {"hdr", 0, "FILE", "the latency distribution in HdrHistogram's percentile text format\n"
                       "(as wrk2 --latency prints it; milliseconds)", set_out_file},
    {"trace", 0, "FILE", "Chrome Trace Event JSON: one event per request on its connection's\n"
                         "(or thread's) track (open in ui.perfetto.dev)", set_out_file},
    {"crawl", 0, NULL, "breadth first from --url: GET each page, then every URL of the same\n"
                       "origin in its JSON \"links\", each once, as soon as it is known, up\n"
                       "to --number pages (default: no limit); reads bodies as --check json", set_switch},
    {"max-depth", 0, "D", "with --crawl: follow no link of a page D links from the start", set_max_depth},
    {"find", 0, "PATH", "with --crawl: stop once PATH has been read, and print the chain of\n"
                        "links to it from the start (a shortest one)", set_find},
    {"no-keepalive", 0, NULL, "a new connection for every request", set_switch},
    {"quiet", 0, NULL, "no summary (unless --json), no progress bar, no notices", set_switch},
    {"help", 0, NULL, "this text", set_switch},
    {"version", 0, NULL, "the version", set_switch},
    {NULL, 0, NULL, NULL, NULL},
};

const char *client_visible(const char *value, char *buf, size_t len)
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
    /* help2man (the man pages) reads two blanks as the end of the flag: a
     * head that leaves fewer puts its help on the next line. */
    if (n <= HELP_COLUMN - 2)
        fprintf(out, "%s%*s", head, HELP_COLUMN - n, "");
    else
        fprintf(out, "%s\n%*s", head, HELP_COLUMN, "");
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
            "printed), a runtime error, or the results could not be written (stdout, --timeline,\n"
            "--hdr, --trace), 2 bad flag or value, 130 interrupted by Ctrl-C (SIGINT), 143 stopped\n"
            "by SIGTERM (for both, the summary covers the requests that finished).\n");
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

/* --crawl and the flags that go with it, or against it. */
static int crawl_args(struct client_config *cfg)
{
    const char *needs = cfg->max_depth != UINT32_MAX ? "--max-depth" : cfg->find != NULL ? "--find" : NULL;
    if (!cfg->crawl) {
        if (needs != NULL)
            cli_error("%s needs --crawl", needs);
        return needs != NULL ? -1 : 0;
    }
    const char *against = cfg->rate > 0 ? "--rate" : cfg->rules.check == RESPONSE_CHECK_SAYHI ? "--check sayhi"
                                                   : cfg->rules.head                          ? "-X HEAD"
                                                                                              : NULL;
    if (against != NULL) { /* sayhi's rule wants a "message", HEAD has no body: no links either way */
        cli_error("--crawl cannot be combined with %s: pages are due when their links are read", against);
        return -1;
    }
    char path[sizeof cfg->target.path];
    if (cfg->find != NULL && crawl_resolve(&cfg->target, cfg->target.path, cfg->find, path, sizeof path) != 0) {
        char shown[3 * 256];
        cli_error("--find must be a path or a URL of --url's origin, got '%s'",
                  client_visible(cfg->find, shown, sizeof shown));
        return -1;
    }
    cfg->rules.check = RESPONSE_CHECK_JSON; /* the links are in the body: read it whole, up to --max-body */
    if (!cfg->number_given)
        cfg->number = CLIENT_NUMBER_MAX;
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
        cli_error("--url %s, got '%s'", why, client_visible(cfg->url, shown, sizeof shown));
        return -1;
    }
    /* --duration alone: as many requests as it takes (the records of the
     * ones never made cost no memory: stats_init). */
    if (cfg->duration_us > 0 && !cfg->number_given)
        cfg->number = CLIENT_NUMBER_MAX;
    /* A flag that only another one reads is refused without it, as
     * --max-depth is without --crawl: it would do nothing. */
    const char *needs = cfg->arrivals_given && cfg->rate == 0 ? "--arrivals needs --rate"
                        : cfg->max_body_given && cfg->rules.check != RESPONSE_CHECK_JSON && !cfg->crawl
                            ? "--max-body needs --check json or --crawl"
                        : cfg->rules.head && cfg->rules.check != RESPONSE_CHECK_STATUS && !cfg->crawl
                            ? "--check json and sayhi read a body, which -X HEAD has not: use --check status"
                            : NULL;
    if (needs != NULL) {
        cli_error("%s", needs);
        return -1;
    }
    if (crawl_args(cfg) != 0)
        return -1;
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
                                  .keepalive = true, .method = "GET", .max_depth = UINT32_MAX,
                                  .rules = {.check = RESPONSE_CHECK_STATUS, .max_body = 1 << 20}};
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
