/* timeline: reading the clients' --timeline CSV (timeline.h). */
#include "timeline.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int timeline_parse_line(const char *line, double *start, double *end, unsigned char *bad)
{
    unsigned long id;
    unsigned status;
    int used = 0;
    /* id,start_s,end_s,status,error: a request that never started has empty
     * times, one that succeeded an empty error */
    if (sscanf(line, "%lu,%lf,%lf,%u,%n", &id, start, end, &status, &used) != 4 || used == 0)
        return -1;
    const char *error = line + used;
    /* the error field ends at the next comma: issue 10 added columns after it */
    *bad = status < 200 || status > 299 || (*error != '\0' && *error != '\n' && *error != '\r' && *error != ',');
    return 0;
}

/* Grows t to hold cap rows; 0 or -1. */
static int grow(struct timeline *t, size_t cap)
{
    double *s = realloc(t->start, cap * sizeof *s);
    if (s != NULL)
        t->start = s;
    double *e = realloc(t->end, cap * sizeof *e);
    if (e != NULL)
        t->end = e;
    unsigned char *b = realloc(t->bad, cap);
    if (b != NULL)
        t->bad = b;
    return s != NULL && e != NULL && b != NULL ? 0 : -1;
}

int timeline_read(const char *path, struct timeline *t)
{
    *t = (struct timeline){0};
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return -1;
    char line[256];
    size_t cap = 0;
    int rc = 0;
    while (rc == 0 && fgets(line, sizeof line, f) != NULL) {
        double s, e;
        unsigned char bad;
        if (timeline_parse_line(line, &s, &e, &bad) != 0)
            continue;
        if (t->n == cap)
            rc = grow(t, cap = cap ? 2 * cap : 256);
        if (rc == 0) {
            t->start[t->n] = s, t->end[t->n] = e, t->bad[t->n] = bad;
            t->n++;
        }
    }
    fclose(f);
    if (rc != 0)
        timeline_free(t);
    return rc;
}

size_t timeline_every(size_t n, size_t max) { return n <= max || max == 0 ? 1 : (n + max - 1) / max; }

static int by_value(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

double *timeline_latencies_ms(const struct timeline *t)
{
    double *v = t->n > 0 ? malloc(t->n * sizeof *v) : NULL;
    if (v == NULL)
        return NULL;
    for (size_t i = 0; i < t->n; i++)
        v[i] = (t->end[i] - t->start[i]) * 1000;
    qsort(v, t->n, sizeof *v, by_value);
    return v;
}

size_t timeline_done_curve(const struct timeline *t, double *x, double *y)
{
    size_t k = 0;
    for (size_t i = 0; i < t->n; i++)
        if (!t->bad[i])
            x[k++] = t->end[i];
    qsort(x, k, sizeof *x, by_value);
    for (size_t i = 0; i < k; i++)
        y[i] = (double)(i + 1);
    return k;
}

void timeline_free(struct timeline *t)
{
    free(t->start);
    free(t->end);
    free(t->bad);
    *t = (struct timeline){0};
}
