/* sayhi-server: a local slow API. GET /say-hi answers after a delay.
 *
 * main() only turns flags into a server_config; server.c does the work. */
#include "cli.h"
#include "duration.h"
#include "server.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#define HOUR_US (INT64_C(3600) * 1000000)

static void usage(FILE *out)
{
    fprintf(out,
            "Usage: sayhi-server [OPTIONS]\n"
            "\n"
            "A local slow API: GET /say-hi answers {\"message\":\"Hi\",\"delay_ms\":D} after a delay.\n"
            "DURATION is seconds as a number (1, 0.25) or with a unit (500us, 250ms, 1.5s, 2m).\n"
            "\n"
            "Endpoints (GET and HEAD):\n");
    server_print_endpoints(out);
    fprintf(out,
            "\n"
            "Options:\n"
            "  --port N              TCP port, 0 picks a free one (default 8080)\n"
            "  --bind ADDR           address to listen on (default 127.0.0.1)\n"
            "  --delay DURATION      default delay of /say-hi (default 1s)\n"
            "  --max-delay DURATION  largest delay a request may ask for (default 60s, at most 1h)\n"
            "  --max-connections N   concurrent connections (default 10000)\n"
            "  --grace DURATION      on SIGINT/SIGTERM, how long in-flight requests may finish\n"
            "                        before they are answered 503 (default 5s)\n"
            "  --idle-timeout DURATION  close connections idle this long, 0 never (default 10s,\n"
            "                        rounded up to whole seconds)\n"
            "  --access-log          one line per request on stdout\n"
            "  --quiet               no notices, errors only\n"
            "  --help                this text\n"
            "  --version             the version\n"
            "\n"
            "Exit codes: 0 stopped cleanly, 1 could not start (e.g. port in use), 2 bad flag or value.\n");
}

static int parse_args(int argc, char **argv, struct server_config *cfg)
{
    enum { O_PORT = 256, O_BIND, O_DELAY, O_MAX_DELAY, O_MAX_CONN, O_GRACE, O_IDLE, O_ACCESS, O_QUIET, O_HELP, O_VERSION };
    static const struct option opts[] = {
        {"port", required_argument, NULL, O_PORT},
        {"bind", required_argument, NULL, O_BIND},
        {"delay", required_argument, NULL, O_DELAY},
        {"max-delay", required_argument, NULL, O_MAX_DELAY},
        {"max-connections", required_argument, NULL, O_MAX_CONN},
        {"grace", required_argument, NULL, O_GRACE},
        {"idle-timeout", required_argument, NULL, O_IDLE},
        {"access-log", no_argument, NULL, O_ACCESS},
        {"quiet", no_argument, NULL, O_QUIET},
        {"help", no_argument, NULL, O_HELP},
        {"version", no_argument, NULL, O_VERSION},
        {NULL, 0, NULL, 0},
    };
    const char *delay = NULL;
    uint64_t n;
    int c;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
        switch (c) {
        case O_PORT:
            if (cli_parse_uint("--port", optarg, 0, 65535, &n) != 0)
                return -1;
            cfg->port = (unsigned)n;
            break;
        case O_BIND:
            cfg->bind = optarg;
            break;
        case O_DELAY:
            delay = optarg; /* checked against --max-delay once all flags are read */
            break;
        case O_MAX_DELAY:
            if (cli_parse_duration("--max-delay", optarg, 0, HOUR_US, &cfg->max_delay_us) != 0)
                return -1;
            break;
        case O_MAX_CONN:
            if (cli_parse_uint("--max-connections", optarg, 1, 1000000, &n) != 0)
                return -1;
            cfg->max_connections = (unsigned)n;
            break;
        case O_GRACE:
            if (cli_parse_duration("--grace", optarg, 0, HOUR_US, &cfg->grace_us) != 0)
                return -1;
            break;
        case O_IDLE:
            if (cli_parse_duration("--idle-timeout", optarg, 0, HOUR_US, &cfg->idle_timeout_us) != 0)
                return -1;
            break;
        case O_ACCESS:
            cfg->access_log = true;
            break;
        case O_QUIET:
            cfg->quiet = true;
            break;
        case O_HELP:
            usage(stdout);
            exit(CLI_EXIT_OK);
        case O_VERSION:
            cli_print_version();
            exit(CLI_EXIT_OK);
        default:
            cli_bad_option(c, argv);
            return -1;
        }
    }
    if (cli_no_operands(argc, argv) != 0)
        return -1;
    if (delay != NULL && cli_parse_duration("--delay", delay, 0, cfg->max_delay_us, &cfg->delay_us) != 0)
        return -1;
    if (cfg->delay_us > cfg->max_delay_us) {
        char d[32], m[32];
        cli_error("--delay %s is above --max-delay %s", duration_format(cfg->delay_us, d, sizeof d),
                  duration_format(cfg->max_delay_us, m, sizeof m));
        return -1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    struct server_config cfg = {
        .bind = "127.0.0.1",
        .port = 8080,
        .delay_us = 1000000,
        .max_delay_us = 60 * INT64_C(1000000),
        .grace_us = 5 * INT64_C(1000000),
        .idle_timeout_us = 10 * INT64_C(1000000),
        .max_connections = 10000,
    };
    cli_set_program("sayhi-server");
    if (parse_args(argc, argv, &cfg) != 0)
        return CLI_EXIT_USAGE;
    return server_run(&cfg);
}
