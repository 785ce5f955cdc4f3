/* timeline: a client's --timeline CSV read back for the report.
 *
 * The clients write id,start_s,end_s,status,error per request; the report
 * draws one bar per request and the distribution of their latencies. A
 * timeline of thousands of requests would make a report of megabytes:
 * timeline_every() says how many rows to step so that at most a given
 * number of bars are drawn, and the report says it did. Not for: drawing
 * (svg.c). */
#ifndef SAYHI_COMPARE_TIMELINE_H
#define SAYHI_COMPARE_TIMELINE_H

#include <stddef.h>

struct timeline {
    size_t n;             /* requests that started */
    double *start, *end;  /* seconds since the run's start */
    unsigned char *bad;   /* 1: failed (an error, or a status that is not 2xx) */
};

/* Reads path; 0, or -1 (no file, or out of memory) with *t empty. */
int timeline_read(const char *path, struct timeline *t);

/* Parses one CSV line into (start, end, bad); 0, or -1 for the header, a
 * request that never started, or a malformed line. */
int timeline_parse_line(const char *line, double *start, double *end, unsigned char *bad);

/* The step through n rows that draws at most max of them (1: all). */
size_t timeline_every(size_t n, size_t max);

/* The latencies end - start in milliseconds into a malloc'd array of t->n
 * sorted ascending (NULL when empty or out of memory). */
double *timeline_latencies_ms(const struct timeline *t);

/* --crawl's picture: pages read over time. The end times of the requests
 * that succeeded, ascending, into x (room for t->n), and y[i] = i + 1 the
 * pages read by then. Returns how many. */
size_t timeline_done_curve(const struct timeline *t, double *x, double *y);

void timeline_free(struct timeline *t);

#endif
