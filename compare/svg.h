/* svg: the charts of the HTML report as inline SVG, drawn from numbers.
 *
 * Inline SVG and not a script library: the report must work mailed to
 * someone, offline and printed, and an SVG is already the picture (no code
 * runs to draw it). No xmlns: inline SVG in HTML needs none, and the report
 * holds no http:// at all. Every chart is one <figure class="chart"> holding one
 * <svg>, so a reader (or a test) can count them. Not for: choosing what to
 * draw (html.c) or reading the runs (timeline.c). */
#ifndef SAYHI_COMPARE_SVG_H
#define SAYHI_COMPARE_SVG_H

#include <stddef.h>
#include <stdio.h>

/* One line of a line chart: points (x[i], y[i]), a colour, a dash pattern
 * ("" solid) and a marker, so that lines on top of each other stay apart. */
enum svg_marker { SVG_CIRCLE, SVG_SQUARE, SVG_DIAMOND };
struct svg_series {
    const char *name, *color, *dash;
    enum svg_marker marker;
    size_t n;
    const double *x, *y;
};

/* Axis titles and the chart's title (plain text, escaped here). */
struct svg_labels {
    const char *title, *x, *y;
};

/* Lines against linear axes from 0, tics at round values. */
void svg_line_chart(FILE *f, const struct svg_labels *l, const struct svg_series *s, size_t ns);

/* Request bars: row i from start[i] to end[i] (seconds), the first on top,
 * in color, red where bad[i]; note (may be NULL) under the chart. */
struct svg_bars {
    size_t n;
    const double *start, *end;
    const unsigned char *bad;
    const char *color, *note;
};
void svg_timeline(FILE *f, const struct svg_labels *l, const struct svg_bars *b);

/* A histogram of values in 30 equal bins from their smallest to largest. */
void svg_histogram(FILE *f, const struct svg_labels *l, const double *values, size_t n, const char *color,
                   const char *note);

/* text with &, <, > and " escaped. */
void svg_escape(FILE *f, const char *text);

#endif
