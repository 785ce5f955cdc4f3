/* html: the comparison as one self-contained HTML report (--html FILE).
 *
 * One file that works mailed to someone, offline and printed: the table,
 * wall time and speedup against N (or the limit C), the cost of each mode,
 * and each mode's request timeline and latency distribution, every chart
 * inline SVG (svg.c), no script, no style sheet, font or image fetched.
 * Timelines are drawn from the clients' --timeline CSVs, so it must be
 * written before the temporary directory goes. Not for: the text outputs
 * (output.c) or gnuplot (plot.c). */
#ifndef SAYHI_COMPARE_HTML_H
#define SAYHI_COMPARE_HTML_H

#include "output.h"
#include "run.h"

#include <stddef.h>

/* At most this many bars in a request timeline: a 4-N run's report stays
 * well under 1 MB (each bar is ~60 bytes); more requests are subsampled
 * evenly and the chart says so. */
#define HTML_MAX_BARS 600

/* Writes the report to path. 0, or -1 after a one-line error. */
int html_write(const char *path, const struct run_result *rows, size_t n, const struct output_context *ctx);

#endif
