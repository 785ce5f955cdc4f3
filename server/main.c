/* sayhi-server: a local slow API. GET /say-hi answers after a delay.
 *
 * main() only turns flags into a server_config; server.c does the work. */
#include "cli.h"
#include "family.h"
#include "server.h"
#include "size.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define HOUR_US (INT64_C(3600) * 1000000)

static void usage(FILE *out)
{
    fprintf(out,
            "Usage: sayhi-server [OPTIONS]\n"
            "\n"
            "A local slow API: GET /say-hi answers {\"message\":\"Hi\",\"delay_ms\":D} after a delay,\n"
            "and misbehaves as asked: delay distributions, status mixes, faults, large or slow bodies.\n"
            "\n"
            "Endpoints (GET and HEAD):\n");
    server_print_endpoints(out);
    fprintf(out,
            "\n"
            "DURATION is seconds as a number (1, 0.25) or with a unit (500us, 250ms, 1.5s, 2m).\n"
            "DIST is a DURATION (fixed), LOW..HIGH (uniform), normal:MEAN,SD, exp:MEAN or\n"
            "lognormal:MEDIAN,P99. MIX is a status code (503) or weighted codes (200:0.9,503:0.1).\n"
            "FAULTS is KIND or KIND:P, comma-separated, KIND one of reset, close, garbage,\n"
            "truncate, hang. SIZE is bytes, or with k (1024) or M (1048576).\n"
            "The flags below set what a /say-hi gets when its query does not say otherwise.\n"
            "\n"
            "Options:\n"
            "  --port N              TCP port, 0 picks a free one (default 8080)\n"
            "  --bind ADDR           address to listen on (default 127.0.0.1)\n"
            "  --delay DIST          delay of /say-hi (default " PARAMS_DEFAULT_DELAY ")\n"
            "  --status MIX          status of /say-hi (default 200)\n"
            "  --fault FAULTS        faults of /say-hi, applied after the delay (default none)\n"
            "  --size SIZE           body size of /say-hi, padded JSON (default: the plain body)\n"
            "  --drip DURATION       send the body in pieces over this long (default 0: at once)\n"
            "  --family N            people in the family of /family/ID, 2 to 1000000 (default 1000)\n"
            "  --seed S              seed of every random draw and of the family, 0 to\n"
            "                        18446744073709551615\n"
            "                        (default: drawn at start and shown on stderr and in /stats)\n"
            "  --max-delay DURATION  largest delay or drip a request may ask for; a distribution's\n"
            "                        99th percentile counts; --delay (default " PARAMS_DEFAULT_DELAY ") must be within\n"
            "                        it (default 60s, at most 1h)\n"
            "  --max-size SIZE       largest ?size= a request may ask for (default 16M, at most 64M)\n"
            "  --max-connections N   concurrent connections (default 10000)\n"
            "  --grace DURATION      on SIGINT/SIGTERM, how long in-flight requests may finish\n"
            "                        before they are answered 503 (default 5s)\n"
            "  --idle-timeout DURATION  close connections idle this long, 0 never (default 10s,\n"
            "                        rounded up to whole seconds)\n"
            "  --access-log          one line per response on stdout\n"
            "  --quiet               no notices, errors only\n"
            "  --help                this text\n"
            "  --version             the version\n"
            "\n"
            "Exit codes: 0 stopped cleanly, 1 could not start (e.g. port in use) or could not\n"
            "write to stdout (it then stops as on SIGTERM), 2 bad flag or value.\n");
}

/* The flags that set a /say-hi default, applied through params_set() once
 * every flag is read (--max-delay and --max-size bound them, in any order). */
static const char *const behaviour_keys[] = {"delay", "status", "fault", "size", "drip"};
#define BEHAVIOUR_FLAGS (sizeof behaviour_keys / sizeof behaviour_keys[0])

static int apply_behaviour(struct server_config *cfg, const char *const *values)
{
    char err[256];
    for (size_t i = 0; i < BEHAVIOUR_FLAGS; i++) {
        if (values[i] != NULL &&
            params_set(&cfg->defaults, behaviour_keys[i], values[i], strlen(values[i]), err, sizeof err) != 0) {
            cli_error("--%s: %s", behaviour_keys[i], err);
            return -1;
        }
    }
    /* The default delay is held to --max-delay like a given one: a
     * --max-delay below it is refused, not a silent clamp of every request. */
    if (values[0] == NULL && params_set(&cfg->defaults, "delay", PARAMS_DEFAULT_DELAY,
                                        strlen(PARAMS_DEFAULT_DELAY), err, sizeof err) != 0) {
        cli_error("--max-delay: %s (" PARAMS_DEFAULT_DELAY " is the default --delay: give a --delay within it)", err);
        return -1;
    }
    /* Each request starts from these and may set every key once itself. */
    cfg->defaults.seen = 0;
    cfg->defaults.status_given = false;
    return 0;
}

static int parse_args(int argc, char **argv, struct server_config *cfg)
{
    enum { O_PORT = 256, O_BIND, O_MAX_DELAY, O_MAX_SIZE, O_SEED, O_FAMILY, O_MAX_CONN, O_GRACE, O_IDLE, O_ACCESS, O_QUIET,
           O_HELP, O_VERSION, O_BEHAVIOUR };
    static const struct option opts[] = {
        {"port", required_argument, NULL, O_PORT},
        {"bind", required_argument, NULL, O_BIND},
        {"delay", required_argument, NULL, O_BEHAVIOUR + 0},
        {"status", required_argument, NULL, O_BEHAVIOUR + 1},
        {"fault", required_argument, NULL, O_BEHAVIOUR + 2},
        {"size", required_argument, NULL, O_BEHAVIOUR + 3},
        {"drip", required_argument, NULL, O_BEHAVIOUR + 4},
        {"seed", required_argument, NULL, O_SEED},
        {"family", required_argument, NULL, O_FAMILY},
        {"max-delay", required_argument, NULL, O_MAX_DELAY},
        {"max-size", required_argument, NULL, O_MAX_SIZE},
        {"max-connections", required_argument, NULL, O_MAX_CONN},
        {"grace", required_argument, NULL, O_GRACE},
        {"idle-timeout", required_argument, NULL, O_IDLE},
        {"access-log", no_argument, NULL, O_ACCESS},
        {"quiet", no_argument, NULL, O_QUIET},
        {"help", no_argument, NULL, O_HELP},
        {"version", no_argument, NULL, O_VERSION},
        {NULL, 0, NULL, 0},
    };
    const char *behaviour[BEHAVIOUR_FLAGS] = {NULL};
    char err[160];
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
        case O_MAX_DELAY:
            if (cli_parse_duration("--max-delay", optarg, 0, HOUR_US, &cfg->defaults.max_delay_us) != 0)
                return -1;
            break;
        case O_MAX_SIZE:
            if (size_parse(optarg, SERVER_MAX_SIZE_CAP, &cfg->defaults.max_size, err, sizeof err) != 0) {
                cli_error("--max-size: %s", err);
                return -1;
            }
            break;
        case O_SEED:
            if (cli_parse_uint("--seed", optarg, 0, UINT64_MAX, &cfg->seed) != 0)
                return -1;
            cfg->seed_given = true;
            break;
        case O_FAMILY:
            if (cli_parse_uint("--family", optarg, 2, FAMILY_MAX_SIZE, &n) != 0)
                return -1;
            cfg->family_size = (uint32_t)n;
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
            exit(cli_stdout_finish() == 0 ? CLI_EXIT_OK : CLI_EXIT_FAILURE);
        case O_VERSION:
            cli_print_version();
            exit(cli_stdout_finish() == 0 ? CLI_EXIT_OK : CLI_EXIT_FAILURE);
        default:
            if (c >= O_BEHAVIOUR && c < O_BEHAVIOUR + (int)BEHAVIOUR_FLAGS) {
                behaviour[c - O_BEHAVIOUR] = optarg;
                break;
            }
            cli_bad_option(c, argv);
            return -1;
        }
    }
    if (cli_no_operands(argc, argv) != 0)
        return -1;
    return apply_behaviour(cfg, behaviour);
}

int main(int argc, char **argv)
{
    struct server_config cfg = {
        .bind = "127.0.0.1",
        .port = 8080,
        .grace_us = 5 * INT64_C(1000000),
        .idle_timeout_us = 10 * INT64_C(1000000),
        .max_connections = 10000,
        .family_size = FAMILY_DEFAULT_SIZE,
    };
    params_defaults(&cfg.defaults, 60 * INT64_C(1000000), SERVER_DEFAULT_MAX_SIZE);
    cli_stdio_guard(); /* before anything opens a descriptor: see cli.h */
    cli_set_program("sayhi-server");
    if (parse_args(argc, argv, &cfg) != 0)
        return CLI_EXIT_USAGE;
    return server_run(&cfg);
}
