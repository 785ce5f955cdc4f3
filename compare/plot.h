/* plot: the two pictures of the comparison, drawn by gnuplot from real data.
 *
 * Top: wall time against N, one line per mode. Bottom: the request timeline
 * of the smallest N, one bar per request from its start to its end, sync
 * above async (the tutorials' execution diagram). Not for: measuring. */
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
