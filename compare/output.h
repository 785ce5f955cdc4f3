/* output: the comparison as a table, CSV or JSON — one set of rows, three
 * renderings, so they can never disagree. Not for: running (run.c) or
 * pictures (plot.c). */
#ifndef SAYHI_COMPARE_OUTPUT_H
#define SAYHI_COMPARE_OUTPUT_H

#include "run.h"

#include <stddef.h>
#include <stdio.h>

/* Fills each row's speedup: its successful requests per second over the
 * sync row's with the same N (sync's wall / this wall when every request of
 * both succeeded); 0 (shown as -) when either had no successful request or
 * there is no sync row. crawl: one row per mode, compared with sync's
 * whatever the pages each read (N differs when a page failed). */
void output_speedups(struct run_result *rows, size_t n, bool crawl);

/* What the rows were measured under: the headers of every rendering. */
struct output_context {
    int64_t delay_us; /* the own servers' delay; < 0: the --url server's own, unknown here */
    int64_t timeout_us; /* the clients' --timeout; < 0: their default (--url) */
    size_t planned;     /* runs the grid was to make */
    int stop_signal;    /* the signal that stopped the grid early; 0: it ran to the end */
    unsigned fixed_n;   /* --concurrency: the one N every run made, rows differ in limit; 0: a grid of N */
    const char *crawl;  /* --crawl PATH: a row per mode, N the pages its crawl read; else NULL */
    unsigned family;    /* --crawl: the family's size */
};

/* What a row is plotted against: its limit C in a --concurrency grid, else N. */
unsigned output_x(const struct run_result *r, const struct output_context *ctx);

/* The optional cells of a row as text: speedup (printed with speedup_fmt)
 * and peak in flight, `none` where a row has none. */
struct output_cells {
    char speedup[24], peak[24];
};
struct output_cells output_optional_cells(const struct run_result *r, const char *speedup_fmt, const char *none);

/* The modes the rows hold, as "sync vs threads vs async", into buf. */
const char *output_modes_title(const struct run_result *rows, size_t n, char *buf, size_t len);

/* After a stop signal the table ends with "Interrupted (SIGINT): 2 of 6 runs
 * finished" and the JSON has "interrupted":true (only then, as the clients'). */
void output_table(FILE *out, const struct run_result *rows, size_t n, const struct output_context *ctx);
/* Columns after the table's: threads (most seen at once), peak RSS, CPU
 * user+sys of the client process; under --crawl, the levels read. */
int output_csv(const char *path, const struct run_result *rows, size_t n, const struct output_context *ctx);
/* Closes a file written for flag: 0, or -1 after one line naming the flag,
 * the path and err (the errno of the first write that failed; 0: none)
 * or fclose's, where a full disk often shows only at the final flush. */
int output_close(FILE *f, int err, const char *flag, const char *path);

/* One line; numbers rounded as jsonnum.h says. 0, or -1 after an error line. */
int output_json(FILE *out, const struct run_result *rows, size_t n, const struct output_context *ctx);

#endif
