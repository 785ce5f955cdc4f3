/* plot: the two pictures of the comparison, drawn by gnuplot from real data.
 *
 * Top: wall time against N (or the limit C of a --concurrency grid), one
 * line per mode; then the speedup over sync. Bottom: the request timeline
 * of each mode's smallest N (or C), one bar per request from its start to
 * its end, sync above async (the tutorials' execution diagram). The title
 * names the modes that ran. Under --crawl the top is pages read over time
 * per mode instead. Not for: measuring. */
#ifndef SAYHI_COMPARE_PLOT_H
#define SAYHI_COMPARE_PLOT_H

#include "output.h"
#include "run.h"

#include <stddef.h>

/* Draws to path (.svg or .png). Returns 0, or -1 after a one-line error
 * (gnuplot missing: how to install it). */
int plot_draw(const char *path, const char *tmpdir, const struct run_result *rows, size_t n,
              const struct output_context *ctx);

/* 1 if path ends in .svg or .png. */
int plot_format_known(const char *path);

#endif
