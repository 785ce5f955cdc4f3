/* testcompare: running sayhi-compare from the compare suite as a user would.
 *
 * A run is captured whole: the exit code, stdout (through a file, so that it
 * can also be /dev/full) and stderr. A run can get its own environment
 * (SAYHI_SERVER=/nonexistent, TMPDIR) and a signal sent as soon as its first
 * run has finished, which no fixed delay can time reliably on a busy
 * machine. Stand-in clients (shell scripts that record their arguments and
 * print a canned report) show what sayhi-compare passes to the clients and
 * how it reads what they report, without waiting for real delays. Helpers
 * read its table and JSON. Not for: the assertions (test_compare.c). */
#ifndef SAYHI_TESTCOMPARE_H
#define SAYHI_TESTCOMPARE_H

#include <cjson/cJSON.h>
#include <stddef.h>

struct tcmp_run {
    const char *bin;         /* the program; NULL: tcmp_bin() */
    const char *const *args; /* NULL-terminated, after the program name */
    const char *const *env;  /* "NAME=value" for this run only, NULL-terminated; NULL: none */
    const char *stdout_path; /* stdout to this file (e.g. "/dev/full"); NULL: captured in out */
    int signal;              /* sent when the first progress line ends (first run done); 0: none */
    int rc;                  /* exit code; 128+N when signal N killed it */
    char out[1 << 16];
    char err[1 << 13];
};

/* The sayhi-compare binary ($SAYHI_COMPARE). */
const char *tcmp_bin(void);

/* Runs sayhi-compare as r describes; fails the test if it runs past
 * timeout_ms or cannot be started. */
void tcmp_run(struct tcmp_run *r, int timeout_ms);

/* A new private directory under /tmp into buf (len >= 64). */
void tcmp_mkdtemp(char *buf, size_t len);

/* Removes dir and what it holds. */
void tcmp_rmtree(const char *dir);

/* Number of entries in dir other than . and .. (-1: cannot read it). */
int tcmp_count_entries(const char *dir);

/* Writes an executable stand-in client at path: it appends its arguments as
 * one line to "<path>.args" and prints report on stdout, exiting 0. */
void tcmp_fake_client(const char *path, const char *report);

/* A port on 127.0.0.1 that refuses connections (bound, not listening) as
 * long as *fd stays open. */
unsigned tcmp_refusing_port(int *fd);

/* The contents of a small file into buf (empty when it cannot be read). */
void tcmp_read_file(const char *path, char *buf, size_t len);

/* Reading what it printed. */

/* The JSON row of mode at N in o (fails the test when there is none). */
const cJSON *tcmp_row(const cJSON *o, const char *mode, int n);

/* Most decimals any number under "key": has in the raw JSON text (-1: no such key). */
int tcmp_most_decimals(const char *json, const char *key);

/* The table row of mode at N in out into line; 0 when there is none. */
int tcmp_table_row(const char *out, const char *mode, unsigned n, char *line, size_t len);

/* Cell col (0: the mode) of the table row of mode at N in out, into cell
 * (fails the test when there is none). */
void tcmp_table_cell(const char *out, const char *mode, unsigned n, int col, char *cell, size_t len);

/* r's stderr is exactly one line holding each of want (NULL-terminated). */
void tcmp_one_line_with(const struct tcmp_run *r, const char *const *want);

/* Lines of a small file (-1: cannot read it). */
int tcmp_count_lines(const char *path);

/* Runs sayhi-compare with args and a stand-in async client (SAYHI_ASYNC)
 * that reports one successful request; more_env (may be NULL) is one more
 * "NAME=value". The client's argument line goes into client_args. */
void tcmp_run_with_fake_async(struct tcmp_run *r, const char *const *args, const char *more_env,
                              char *client_args, size_t len);

/* The --timeout in one client's argument line, in seconds; -1: none. */
double tcmp_timeout_passed(const char *args);

/* The JSON row of mode whose concurrency is c (a --concurrency grid holds
 * one N); fails the test when there is none. */
const cJSON *tcmp_row_at(const cJSON *o, const char *mode, int c);

/* Headless Chromium on a local file: "dump-dom" writes the DOM it built to
 * out, "screenshot" a PNG of 1280x2400 to out. Fails the test, saying how
 * to install it, when chromium is missing (CI installs it), or when it
 * fails. */
void tcmp_chromium(const char *what, const char *html, const char *out);

/* Size of a file in bytes (-1: none). */
long tcmp_file_size(const char *path);

#endif
