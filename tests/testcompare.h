/* testcompare: running sayhi-compare from the compare suite as a user would.
 *
 * A run is captured whole: the exit code, stdout (through a file, so that it
 * can also be /dev/full) and stderr. A run can get its own environment
 * (SAYHI_SERVER=/nonexistent, TMPDIR) and a signal sent as soon as its first
 * run has finished, which no fixed delay can time reliably on a busy
 * machine. Stand-in clients (shell scripts that record their arguments and
 * print a canned report) show what sayhi-compare passes to the clients and
 * how it reads what they report, without waiting for real delays.
 * Not for: assertions about the output (test_compare.c). */
#ifndef SAYHI_TESTCOMPARE_H
#define SAYHI_TESTCOMPARE_H

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

#endif
