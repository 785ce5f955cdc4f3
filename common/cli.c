/* cli: flag-value parsing with one-line errors, exit codes, fd limit (cli.h). */
#include "cli.h"
#include "duration.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#ifndef SAYHI_VERSION
#define SAYHI_VERSION "unknown"
#endif

static const char *program = "sayhi";

void cli_set_program(const char *name) { program = name; }
const char *cli_program(void) { return program; }

void cli_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "%s: ", program);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

int cli_parse_uint(const char *flag, const char *value, uint64_t min, uint64_t max, uint64_t *out)
{
    uint64_t v = 0;
    const char *p = value;
    int ok = *p != '\0';
    for (; ok && *p; p++) {
        unsigned d = (unsigned)(*p - '0');
        if (d > 9 || v > (UINT64_MAX - d) / 10) {
            ok = 0;
            break;
        }
        v = v * 10 + d;
    }
    if (!ok) {
        cli_error("%s must be a %s, got '%s'", flag, min >= 1 ? "positive integer" : "whole number", value);
        return -1;
    }
    if (v < min || v > max) {
        cli_error("%s must be between %llu and %llu, got '%s'", flag, (unsigned long long)min,
                  (unsigned long long)max, value);
        return -1;
    }
    *out = v;
    return 0;
}

int cli_parse_duration(const char *flag, const char *value, int64_t min_us, int64_t max_us, int64_t *out_us)
{
    int64_t us;
    if (duration_parse(value, &us) != 0) {
        cli_error("%s must be a duration like 1, 0.25, 250ms or 1.5s, got '%s'", flag, value);
        return -1;
    }
    if (us < min_us || us > max_us) {
        char lo[32], hi[32];
        cli_error("%s must be between %s and %s, got '%s'", flag, duration_format(min_us, lo, sizeof lo),
                  duration_format(max_us, hi, sizeof hi), value);
        return -1;
    }
    *out_us = us;
    return 0;
}

void cli_bad_option(int c, char **argv)
{
    if (c == ':')
        cli_error("%s needs a value", argv[optind - 1]);
    else
        cli_error("unknown option '%s' (see --help)", argv[optind - 1]);
}

int cli_no_operands(int argc, char **argv)
{
    if (optind < argc) {
        cli_error("unexpected argument '%s' (see --help)", argv[optind]);
        return -1;
    }
    return 0;
}

void cli_print_version(void) { printf("%s %s\n", program, SAYHI_VERSION); }

void cli_stdio_guard(void)
{
    for (int fd = 0; fd <= 2; fd++) {
        if (fcntl(fd, F_GETFD) != -1 || errno != EBADF)
            continue;
        int nul = open("/dev/null", O_RDONLY | O_CLOEXEC); /* takes the lowest free number: fd */
        if (nul >= 0 && nul != fd)
            close(nul);
    }
}

int cli_stdout_finish(void)
{
    /* A full disk shows at the flush (stdout is buffered when it is not a
     * terminal), a failure of an earlier flush through ferror; the close can
     * fail too (NFS). errno is read right after the call that failed. */
    errno = 0;
    int failed = fflush(stdout) != 0;
    int err = errno;
    failed |= ferror(stdout) != 0;
    if (fclose(stdout) != 0 && !failed) {
        failed = 1;
        err = errno;
    }
    if (!failed)
        return 0;
    cli_error("cannot write to stdout: %s", err != 0 ? strerror(err) : "write error");
    return -1;
}

uint64_t cli_raise_fd_limit(uint64_t want)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
        return 1024;
    if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < want) {
        rlim_t target = want;
        if (rl.rlim_max != RLIM_INFINITY && target > rl.rlim_max)
            target = rl.rlim_max;
        rl.rlim_cur = target;
        if (setrlimit(RLIMIT_NOFILE, &rl) != 0)
            getrlimit(RLIMIT_NOFILE, &rl);
    }
    return rl.rlim_cur == RLIM_INFINITY ? UINT64_MAX : (uint64_t)rl.rlim_cur;
}
