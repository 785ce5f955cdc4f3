/* reportfiles: the files a client run writes besides stdout (report.h).
 *
 * --timeline (CSV), --hdr (HdrHistogram percentile text) and --trace
 * (Chrome Trace Event JSON), each one writer behind one table, each write
 * checked. Not for: the summary and --json on stdout (report.c). */
#include "report.h"

#include "cli.h"
#include "crawl.h"
#include "formats.h"

#include <errno.h>
#include <math.h>
#include <string.h>

/* "12.000345": seconds, to the microsecond, of us. */
static void seconds(FILE *out, int64_t us)
{
    fprintf(out, "%lld.%06lld", (long long)(us / 1000000), (long long)(us % 1000000));
}

int report_timeline(FILE *out, const struct stats *s, const struct stats_summary *sum)
{
    (void)sum;
    fputs(FMT_TIMELINE_HEADER "\n", out);
    for (size_t i = 0; i < s->n; i++) {
        const struct stats_record *r = &s->rec[i];
        if (s->partial && !r->done)
            continue;
        if (!r->started) { /* never started: an empty row keeps ids dense */
            fprintf(out, "%zu,,,0,%s,,0,\n", i + 1, stats_error_name(STATS_ERR_CLOSED));
            continue;
        }
        enum stats_error e = r->done ? (enum stats_error)r->error : STATS_ERR_CLOSED;
        fprintf(out, "%zu,", i + 1);
        seconds(out, stats_sent_us(r));
        fputc(',', out);
        seconds(out, r->intended_us + r->latency_us);
        fprintf(out, ",%u,%s,", r->status, stats_error_name(e));
        seconds(out, r->intended_us);
        fprintf(out, ",%u,", r->bytes);
        if (s->crawl != NULL)
            fprintf(out, "%u", crawl_depth(s->crawl, i));
        fputc('\n', out);
    }
    return ferror(out) ? -1 : 0;
}

/* Buckets of an HdrHistogram of 3 significant figures from 1 us that
 * covers max_us: what the footer of hdr_percentiles_print reports. */
static int hdr_buckets(int64_t max_us, int sub_buckets)
{
    int buckets = 1;
    for (int64_t reach = sub_buckets; reach <= max_us && buckets < 64; reach *= 2)
        buckets++;
    return buckets;
}

int report_hdr(FILE *out, const struct stats *s, const struct stats_summary *sum)
{
    (void)s;
    size_t n = sum->with_latency;
    fprintf(out, "%12s %12s %12s %12s\n\n", "Value", "Percentile", "TotalCount", "1/(1-Percentile)");
    /* HdrHistogram's percentile iteration: the step halves each time the
     * distance to 100% halves, 5 rows per half. Values are exact: the
     * nearest rank of the sorted latencies, and the count at or below it. */
    for (double p = 0; n > 0 && p < 100.0 * (double)(n - 1) / (double)n + 1e-12;) {
        size_t rank = (size_t)ceil(p / 100.0 * (double)n - 1e-9);
        size_t i = rank > 0 ? rank - 1 : 0, cum = i;
        while (cum < n && sum->sorted[cum] == sum->sorted[i])
            cum++;
        fprintf(out, "%12.3f %12f %12zu %12.2f\n", sum->sorted[i] / 1000.0, p / 100.0, cum, 1.0 / (1.0 - p / 100.0));
        double half = pow(2, floor(log(100.0 / (100.0 - p)) / log(2)) + 1);
        p += 100.0 / (5 * half);
    }
    if (n > 0)
        fprintf(out, "%12.3f %12f %12zu %12s\n", sum->sorted[n - 1] / 1000.0, 1.0, n, "inf");
    double var = 0;
    for (size_t i = 0; i < n; i++)
        var += pow(sum->sorted[i] - sum->lat.mean, 2);
    fprintf(out, "#[Mean    = %12.3f, StdDeviation   = %12.3f]\n", sum->lat.mean / 1000.0,
            n > 0 ? sqrt(var / (double)n) / 1000.0 : 0);
    fprintf(out, "#[Max     = %12.3f, Total count    = %12zu]\n", sum->lat.max / 1000.0, n);
    fprintf(out, "#[Buckets = %12d, SubBuckets     = %12d]\n", hdr_buckets(sum->lat.max, 2048), 2048);
    return ferror(out) ? -1 : 0;
}

int report_trace(FILE *out, const struct stats *s, const struct stats_summary *sum)
{
    (void)sum;
    fputs("{\"traceEvents\":[", out);
    const char *sep = "\n";
    for (size_t i = 0; i < s->n; i++) {
        const struct stats_record *r = &s->rec[i];
        if (!r->started || !r->done)
            continue;
        char what[16];
        if (r->error == STATS_OK || r->status != 0)
            snprintf(what, sizeof what, "%u", r->status);
        else
            snprintf(what, sizeof what, "%s", stats_error_name((enum stats_error)r->error));
        uint32_t dur = r->latency_us > r->late_us ? r->latency_us - r->late_us : 0;
        fprintf(out, "%s{\"name\":\"#%zu %s\",\"ph\":\"X\",\"ts\":%lld,\"dur\":%u,\"pid\":1,\"tid\":%u}", sep, i + 1,
                what, (long long)stats_sent_us(r), dur, r->track + 1);
        sep = ",\n";
    }
    fputs("\n]}\n", out);
    return ferror(out) ? -1 : 0;
}

static const struct {
    const char *flag;
    int (*write)(FILE *out, const struct stats *s, const struct stats_summary *sum);
} writers[CLIENT_OUTS] = {
    [CLIENT_OUT_TIMELINE] = {"--timeline", report_timeline},
    [CLIENT_OUT_HDR] = {"--hdr", report_hdr},
    [CLIENT_OUT_TRACE] = {"--trace", report_trace},
};

int report_files(struct client_config *cfg, const struct stats *s, const struct stats_summary *sum)
{
    int rc = 0;
    for (int k = 0; k < CLIENT_OUTS; k++) {
        struct client_file *f = &cfg->out[k];
        if (f->f == NULL)
            continue;
        int bad = writers[k].write(f->f, s, sum);
        if (fclose(f->f) != 0 || bad) {
            cli_error("%s could not write '%s': %s", writers[k].flag, f->path, strerror(errno));
            rc = -1;
        }
        f->f = NULL;
    }
    return rc;
}
