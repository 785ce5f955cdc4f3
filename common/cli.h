/* cli: strict flag-value parsing and the exit codes shared by every program.
 *
 * Each parser either stores the value and returns 0, or prints one line on
 * stderr naming the program, the flag and the offending value, and returns -1,
 * so that main() can exit with CLI_EXIT_USAGE. Not for: option tables or
 * getopt itself, which stay in each program's main.c. */
#ifndef SAYHI_CLI_H
#define SAYHI_CLI_H

#include <stdint.h>

enum {
    CLI_EXIT_OK = 0,      /* everything worked */
    CLI_EXIT_FAILURE = 1, /* a request failed, or a runtime error */
    CLI_EXIT_USAGE = 2,   /* bad flag or value */
};

/* Program name used as the prefix of every message ("sayhi-server"). */
void cli_set_program(const char *name);
const char *cli_program(void);

/* "" for 1, else "s": "%llu request%s", n, cli_plural(n). */
static inline const char *cli_plural(unsigned long long n) { return n == 1 ? "" : "s"; }

/* "prog: <message>\n" on stderr. */
void cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Whole decimal number in [min, max]; no sign, blanks or junk. */
int cli_parse_uint(const char *flag, const char *value, uint64_t min, uint64_t max, uint64_t *out);

/* DURATION (see duration.h) in [min_us, max_us]. */
int cli_parse_duration(const char *flag, const char *value, int64_t min_us, int64_t max_us, int64_t *out_us);

/* The one error line for what getopt_long (optstring starting with ':')
 * returned on a bad option: c == ':' a missing value, anything else unknown. */
void cli_bad_option(int c, char **argv);

/* 0, or -1 after an error line when operands follow the options. */
int cli_no_operands(int argc, char **argv);

/* The --version line: "prog VERSION". */
void cli_print_version(void);

/* Call first in main(). A standard descriptor the caller closed (`>&-`) is
 * reopened read-only on /dev/null: no socket can take its number, and
 * writing to it still fails (EBADF), so cli_stdout_finish() reports it. */
void cli_stdio_guard(void);

/* Call last, after everything is printed: flushes and closes stdout. 0, or
 * -1 after one line on stderr ("cannot write to stdout: No space left on
 * device") when any write to stdout failed; the caller then exits 1. */
int cli_stdout_finish(void);

/* Raises the soft RLIMIT_NOFILE towards want (never above the hard limit)
 * and returns the soft limit now in force. */
uint64_t cli_raise_fd_limit(uint64_t want);

#endif
