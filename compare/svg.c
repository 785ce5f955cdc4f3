/* svg: line charts, request timelines and histograms as inline SVG (svg.h). */
#include "svg.h"

#include <math.h>
#include <string.h>

/* The chart's box and its plotting area inside, in SVG units. */
enum { W = 640, H = 300, LEFT = 64, RIGHT = 16, TOP = 30, BOTTOM = 46 };
#define PLOT_W ((double)(W - LEFT - RIGHT))
#define PLOT_H ((double)(H - TOP - BOTTOM))

/* One axis: values lo..hi map to pixels a..b. */
struct axis {
    double lo, hi, a, b;
};

static double to_px(const struct axis *ax, double v)
{
    return ax->hi > ax->lo ? ax->a + (v - ax->lo) / (ax->hi - ax->lo) * (ax->b - ax->a) : ax->a;
}

void svg_escape(FILE *f, const char *text)
{
    for (; *text != '\0'; text++) {
        switch (*text) {
        case '&': fputs("&amp;", f); break;
        case '<': fputs("&lt;", f); break;
        case '>': fputs("&gt;", f); break;
        case '"': fputs("&quot;", f); break;
        default: fputc(*text, f);
        }
    }
}

/* 1, 2 or 5 times a power of ten: about `want` steps across range. */
static double nice_step(double range, int want)
{
    double raw = range / want, p = pow(10, floor(log10(raw))), m = raw / p;
    return (m < 1.5 ? 1 : m < 3.5 ? 2 : m < 7.5 ? 5 : 10) * p;
}

/* The top of an axis from 0: the largest value rounded up to a step. */
static double nice_top(double largest)
{
    if (!(largest > 0))
        return 1;
    double step = nice_step(largest, 5);
    return ceil(largest * 1.05 / step) * step;
}

/* <figure><svg>, the title and the frame. */
static void open_chart(FILE *f, const struct svg_labels *l)
{
    fprintf(f, "<figure class=\"chart\"><svg viewBox=\"0 0 %d %d\" "
               "width=\"%d\" height=\"%d\" role=\"img\" aria-label=\"", W, H, W, H);
    svg_escape(f, l->title);
    fprintf(f, "\" font-family=\"sans-serif\" font-size=\"12\">\n<text x=\"%d\" y=\"18\" text-anchor=\"middle\" "
               "font-weight=\"bold\" font-size=\"14\">", W / 2);
    svg_escape(f, l->title);
    fprintf(f, "</text>\n<rect x=\"%d\" y=\"%d\" width=\"%g\" height=\"%g\" fill=\"none\" stroke=\"#888\"/>\n",
            LEFT, TOP, PLOT_W, PLOT_H);
    fprintf(f, "<text x=\"%g\" y=\"%d\" text-anchor=\"middle\">", LEFT + PLOT_W / 2, H - 8);
    svg_escape(f, l->x);
    fprintf(f, "</text>\n<text transform=\"translate(14 %g) rotate(-90)\" text-anchor=\"middle\">", TOP + PLOT_H / 2);
    svg_escape(f, l->y);
    fputs("</text>\n", f);
}

static void close_chart(FILE *f, const char *note)
{
    fputs("</svg>", f);
    if (note != NULL && *note != '\0') {
        fputs("<figcaption>", f);
        svg_escape(f, note);
        fputs("</figcaption>", f);
    }
    fputs("</figure>\n", f);
}

/* A tic with its grid line and value on the x (vertical = 0) or y axis. */
static void tic(FILE *f, const struct axis *ax, double v, int vertical)
{
    double p = to_px(ax, v);
    if (vertical)
        fprintf(f, "<line x1=\"%d\" x2=\"%g\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#ddd\"/><text x=\"%d\" y=\"%.1f\" "
                   "text-anchor=\"end\">%g</text>\n", LEFT, LEFT + PLOT_W, p, p, LEFT - 4, p + 4, v);
    else
        fprintf(f, "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%d\" y2=\"%g\" stroke=\"#ddd\"/><text x=\"%.1f\" y=\"%g\" "
                   "text-anchor=\"middle\">%g</text>\n", p, p, TOP, TOP + PLOT_H, p, TOP + PLOT_H + 15, v);
}

/* Tics every nice step from 0 to the top of ax. */
static void tics(FILE *f, const struct axis *ax, int vertical)
{
    double step = nice_step(ax->hi - ax->lo, 5);
    for (double v = ceil(ax->lo / step) * step; v <= ax->hi + step * 1e-9; v += step)
        tic(f, ax, fabs(v) < step * 1e-9 ? 0 : v, vertical);
}

static void marker(FILE *f, enum svg_marker m, double x, double y)
{
    if (m == SVG_CIRCLE)
        fprintf(f, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"4\"/>", x, y);
    else if (m == SVG_SQUARE)
        fprintf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"9\" height=\"9\" fill=\"none\" stroke-width=\"2\"/>", x - 4.5,
                y - 4.5);
    else
        fprintf(f, "<path d=\"M%.1f %.1fl5 5l-5 5l-5 -5z\"/>", x, y - 5);
}

/* One series: its line, its markers, and its entry in the legend (row i). */
static void series(FILE *f, const struct svg_series *s, const struct axis *x, const struct axis *y, size_t i)
{
    fprintf(f, "<g stroke=\"%s\" fill=\"%s\" stroke-width=\"2\"><polyline fill=\"none\" stroke-dasharray=\"%s\" "
               "points=\"", s->color, s->color, s->dash);
    for (size_t k = 0; k < s->n; k++)
        fprintf(f, "%s%.1f,%.1f", k ? " " : "", to_px(x, s->x[k]), to_px(y, s->y[k]));
    fputs("\"/>", f);
    for (size_t k = 0; k < s->n; k++)
        marker(f, s->marker, to_px(x, s->x[k]), to_px(y, s->y[k]));
    double ly = TOP + 16 + 18 * (double)i;
    fprintf(f, "<line x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\" stroke-dasharray=\"%s\"/>", LEFT + 10, LEFT + 40,
            ly, ly, s->dash);
    marker(f, s->marker, LEFT + 25, ly);
    fprintf(f, "<text x=\"%d\" y=\"%.1f\" stroke=\"none\" fill=\"#000\">", LEFT + 46, ly + 4);
    svg_escape(f, s->name);
    fputs("</text></g>\n", f);
}

void svg_line_chart(FILE *f, const struct svg_labels *l, const struct svg_series *s, size_t ns)
{
    double xmax = 0, ymax = 0;
    for (size_t i = 0; i < ns; i++)
        for (size_t k = 0; k < s[i].n; k++) {
            xmax = s[i].x[k] > xmax ? s[i].x[k] : xmax;
            ymax = s[i].y[k] > ymax ? s[i].y[k] : ymax;
        }
    struct axis x = {0, nice_top(xmax), LEFT, LEFT + PLOT_W}, y = {0, nice_top(ymax), TOP + PLOT_H, TOP};
    open_chart(f, l);
    tics(f, &x, 0);
    tics(f, &y, 1);
    for (size_t i = 0; i < ns; i++)
        series(f, &s[i], &x, &y, i);
    close_chart(f, NULL);
}

void svg_timeline(FILE *f, const struct svg_labels *l, const struct svg_bars *b)
{
    double tmax = 0;
    for (size_t i = 0; i < b->n; i++)
        tmax = b->end[i] > tmax ? b->end[i] : tmax;
    struct axis x = {0, nice_top(tmax), LEFT, LEFT + PLOT_W};
    struct axis y = {0, b->n > 0 ? (double)b->n : 1, TOP + 2, TOP + PLOT_H - 2};
    double h = (y.b - y.a) / y.hi;
    open_chart(f, l);
    tics(f, &x, 0);
    fprintf(f, "<g fill=\"%s\">", b->color);
    for (size_t i = 0; i < b->n; i++) {
        double x0 = to_px(&x, b->start[i]), x1 = to_px(&x, b->end[i]);
        fprintf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.2f\"%s/>", x0, to_px(&y, (double)i),
                x1 - x0 > 1 ? x1 - x0 : 1, h > 1.5 ? h * 0.8 : h, b->bad[i] ? " fill=\"#d62728\"" : "");
    }
    fputs("</g>\n", f);
    close_chart(f, b->note);
}

void svg_histogram(FILE *f, const struct svg_labels *l, const double *values, size_t n, const char *color,
                   const char *note)
{
    enum { BINS = 30 };
    double lo = n > 0 ? values[0] : 0, hi = lo;
    for (size_t i = 0; i < n; i++) {
        lo = values[i] < lo ? values[i] : lo;
        hi = values[i] > hi ? values[i] : hi;
    }
    double width = hi > lo ? (hi - lo) / BINS : 1, count[BINS] = {0}, most = 0;
    for (size_t i = 0; i < n; i++) {
        int k = (int)((values[i] - lo) / width);
        count[k < BINS ? k : BINS - 1]++;
    }
    for (int k = 0; k < BINS; k++)
        most = count[k] > most ? count[k] : most;
    struct axis x = {lo, lo + width * BINS, LEFT, LEFT + PLOT_W}, y = {0, nice_top(most), TOP + PLOT_H, TOP};
    open_chart(f, l);
    tics(f, &x, 0);
    tics(f, &y, 1);
    fprintf(f, "<g fill=\"%s\">", color);
    for (int k = 0; k < BINS; k++)
        if (count[k] > 0)
            fprintf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\"/>", to_px(&x, lo + k * width) + 1,
                    to_px(&y, count[k]), PLOT_W / BINS - 2, to_px(&y, 0) - to_px(&y, count[k]));
    fputs("</g>\n", f);
    close_chart(f, note);
}
