/* report: human summary and --json of a run (report.h); files: reportfiles.c. */
#include "report.h"

#include "cli.h"
#include "crawl.h"
#include "formats.h"
#include "jsonnum.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

static double ms(int64_t us) { return (double)us / 1000.0; }

static double per_second(const struct stats_summary *sum, const struct report_run *run)
{
    return run->elapsed_s > 0 ? (double)sum->completed / run->elapsed_s : 0;
}

static cJSON *dist_json(const struct stats_summary *sum, const struct stats_dist *d)
{
    if (sum->with_latency == 0)
        return cJSON_CreateNull();
    cJSON *l = cJSON_CreateObject();
    const struct {
        const char *key;
        double v;
    } rows[] = {{"min", ms(d->min)},   {"mean", d->mean / 1000.0}, {"p50", ms(d->p50)},       {"p90", ms(d->p90)},
                {"p99", ms(d->p99)},   {"p99.9", ms(d->p999)},     {"p99.99", ms(d->p9999)}, {"max", ms(d->max)}};
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
        jsonnum_add(l, rows[i].key, rows[i].v, JSONNUM_MS);
    return l;
}

/* Open loop only: what was asked, what was achieved, how late the sends were. */
static cJSON *rate_json(const struct stats_summary *sum, const struct report_run *run)
{
    if (run->rate <= 0)
        return cJSON_CreateNull();
    cJSON *o = cJSON_CreateObject();
    jsonnum_add(o, "asked", run->rate, JSONNUM_RATE);
    jsonnum_add(o, "achieved", report_achieved(sum), JSONNUM_RATE);
    cJSON *late = cJSON_AddObjectToObject(o, "late_ms");
    jsonnum_add(late, "p50", ms(sum->late.p50), JSONNUM_MS);
    jsonnum_add(late, "p99", ms(sum->late.p99), JSONNUM_MS);
    jsonnum_add(late, "max", ms(sum->late.max), JSONNUM_MS);
    return o;
}

static cJSON *histogram_json(const struct stats_summary *sum)
{
    cJSON *a = cJSON_CreateArray();
    for (size_t i = 0; i < sum->hist_rows; i++) {
        cJSON *row = cJSON_CreateObject();
        jsonnum_add(row, "le_ms", ms(sum->hist[i].le_us), JSONNUM_MS);
        cJSON_AddNumberToObject(row, "count", (double)sum->hist[i].count);
        cJSON_AddItemToArray(a, row);
    }
    return a;
}

double report_achieved(const struct stats_summary *sum)
{
    return sum->send_span_s > 0 ? (double)(sum->sent - 1) / sum->send_span_s : 0;
}

static double mb_per_s(const struct stats_summary *sum, const struct report_run *run)
{
    return run->elapsed_s > 0 ? (double)sum->bytes / 1e6 / run->elapsed_s : 0;
}

char *report_json(const struct stats_summary *sum, const struct report_run *run)
{
    cJSON *o = cJSON_CreateObject();
    if (o == NULL)
        return NULL;
    cJSON_AddStringToObject(o, FMT_CLIENT, run->client);
    cJSON_AddNumberToObject(o, FMT_NUMBER, (double)sum->number);
    cJSON_AddNumberToObject(o, FMT_CONCURRENCY, (double)run->concurrency);
    cJSON_AddNumberToObject(o, FMT_OK, (double)sum->ok);
    cJSON_AddNumberToObject(o, FMT_FAILED, (double)sum->failed);
    jsonnum_add(o, FMT_ELAPSED_S, run->elapsed_s, JSONNUM_SECONDS);
    jsonnum_add(o, FMT_REQUESTS_PER_S, per_second(sum, run), JSONNUM_RATE);
    cJSON_AddItemToObject(o, FMT_LATENCY_MS, dist_json(sum, &sum->lat));
    cJSON *codes = cJSON_AddObjectToObject(o, FMT_STATUS_CODES);
    for (unsigned c = 0; c <= STATS_STATUS_MAX; c++) {
        if (sum->status[c] != 0) {
            char key[8];
            snprintf(key, sizeof key, "%u", c);
            cJSON_AddNumberToObject(codes, key, (double)sum->status[c]);
        }
    }
    cJSON *errors = cJSON_AddObjectToObject(o, FMT_ERRORS);
    for (int e = STATS_OK + 1; e < STATS_ERR_KINDS; e++)
        cJSON_AddNumberToObject(errors, stats_error_name((enum stats_error)e), (double)sum->errors[e]);
    /* Issue 10's keys come after the first ones: a reader of those finds them where they were. */
    cJSON_AddItemToObject(o, FMT_SERVICE_MS, dist_json(sum, &sum->svc));
    cJSON_AddNumberToObject(o, FMT_BYTES, (double)sum->bytes);
    jsonnum_add(o, FMT_MB_PER_S, mb_per_s(sum, run), JSONNUM_RATE);
    cJSON_AddItemToObject(o, FMT_RATE, rate_json(sum, run));
    cJSON_AddItemToObject(o, FMT_HISTOGRAM, histogram_json(sum));
    if (run->crawl != NULL) /* issue 12's, after issue 10's */
        cJSON_AddItemToObject(o, FMT_CRAWL, crawl_report_json(run->crawl));
    if (run->interrupted) /* only then: the documented schema stays as it is */
        cJSON_AddTrueToObject(o, FMT_INTERRUPTED);
    char *s = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    return s;
}

/* Latency and service side by side, exact. */
static void human_latency(FILE *out, const struct stats_summary *sum)
{
    const struct stats_dist *l = &sum->lat, *s = &sum->svc;
    fprintf(out, "\nLatency (ms, exact over %zu responses):\n", sum->with_latency);
    if (sum->with_latency == 0) {
        fprintf(out, "  no response came\n");
        return;
    }
    fprintf(out, "          %10s %10s\n", "latency", "service");
    const struct {
        const char *name;
        double a, b;
    } rows[] = {{"min", ms(l->min), ms(s->min)},       {"mean", l->mean / 1000, s->mean / 1000},
                {"p50", ms(l->p50), ms(s->p50)},       {"p90", ms(l->p90), ms(s->p90)},
                {"p99", ms(l->p99), ms(s->p99)},       {"p99.9", ms(l->p999), ms(s->p999)},
                {"p99.99", ms(l->p9999), ms(s->p9999)}, {"max", ms(l->max), ms(s->max)}};
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
        fprintf(out, "  %-7s %10.3f %10.3f\n", rows[i].name, rows[i].a, rows[i].b);
    fprintf(out, "  (latency from each request's intended start; service from its actual send)\n");
    fprintf(out, "\nLatency histogram (ms):\n");
    uint64_t most = 1;
    for (size_t i = 0; i < sum->hist_rows; i++)
        most = sum->hist[i].count > most ? sum->hist[i].count : most;
    for (size_t i = 0; i < sum->hist_rows; i++) {
        uint64_t bar = (sum->hist[i].count * 40 + most - 1) / most;
        fprintf(out, "  %10.3f [%llu]\t|", ms(sum->hist[i].le_us), (unsigned long long)sum->hist[i].count);
        for (uint64_t k = 0; k < bar; k++)
            fputs("\u220e", out); /* hey's bar */
        fputc('\n', out);
    }
}

void report_human(FILE *out, const struct stats_summary *sum, const struct report_run *run)
{
    fprintf(out,
            "Summary (%s):\n"
            "  Client:        %s\n"
            "  Requests:      %zu\n"
            "  Concurrency:   %llu\n"
            "  Total:         %.4f s\n"
            "  Requests/sec:  %.2f\n"
            "  Succeeded:     %zu\n"
            "  Failed:        %zu\n"
            "  Received:      %llu bytes, %.3f MB/s\n",
            cli_program(), run->client, sum->number, (unsigned long long)run->concurrency, run->elapsed_s,
            per_second(sum, run), sum->ok, sum->failed, (unsigned long long)sum->bytes, mb_per_s(sum, run));
    if (run->rate > 0)
        fprintf(out,
                "  Rate:          asked %.2f/s, achieved %.2f/s; sends late p50 %.3f ms, p99 %.3f ms, max %.3f ms\n",
                run->rate, report_achieved(sum), ms(sum->late.p50), ms(sum->late.p99), ms(sum->late.max));
    if (run->interrupted)
        fprintf(out, "  Interrupted:   %zu of %llu requests finished\n", sum->number,
                (unsigned long long)run->asked);
    human_latency(out, sum);
    if (sum->with_latency > 0) {
        fprintf(out, "\nStatus codes:\n");
        for (unsigned c = 0; c <= STATS_STATUS_MAX; c++)
            if (sum->status[c] != 0)
                fprintf(out, "  [%u] %llu responses\n", c, (unsigned long long)sum->status[c]);
    }
    if (sum->failed > 0) {
        fprintf(out, "\nErrors:\n");
        for (int e = STATS_OK + 1; e < STATS_ERR_KINDS; e++)
            if (sum->errors[e] != 0)
                fprintf(out, "  %-24s %llu\n", stats_error_label((enum stats_error)e),
                        (unsigned long long)sum->errors[e]);
    }
    if (run->crawl != NULL)
        crawl_report_human(out, run->crawl);
}

/* One line on stderr when an open loop could not keep its schedule: the
 * client, not the server, set the pace, and the latencies say less. */
static void warn_if_behind(const struct client_config *cfg, const struct stats *s, const struct stats_summary *sum,
                           const struct report_run *run)
{
    double achieved = report_achieved(sum);
    /* Over less than a second, one late send moves the achieved rate a lot: judge it on longer runs. */
    bool slow = achieved < 0.95 * run->rate && sum->send_span_s >= 1;
    if (run->rate <= 0 || cfg->quiet || sum->sent < 2 || (!slow && sum->late.p99 <= 10000))
        return;
    cli_error("warning: could not keep up with --rate %g: achieved %.1f/s, sends late by p99 %.3f ms, max %.3f ms%s",
              run->rate, achieved, ms(sum->late.p99), ms(sum->late.max),
              s->conns_busy ? " (due requests waited for one of the --concurrency connections)" : "");
}

int report_finish(struct client_config *cfg, const struct stats *s, const struct report_run *run)
{
    struct stats_summary *sum = malloc(sizeof *sum);
    if (sum == NULL || stats_summarize(s, sum) != 0) {
        cli_error("out of memory summarising %zu requests", s->n);
        free(sum);
        return CLI_EXIT_FAILURE;
    }
    int rc = run->interrupted == SIGTERM ? CLIENT_EXIT_TERMINATED
             : run->interrupted      ? CLIENT_EXIT_INTERRUPTED
             : sum->failed == 0      ? CLI_EXIT_OK
                                     : CLI_EXIT_FAILURE;
    warn_if_behind(cfg, s, sum, run);
    const struct crawl *c = run->crawl;
    if (c != NULL && c->find != NULL && c->found == CRAWL_NO_PARENT && !run->interrupted) {
        cli_error("--find %s was not reached in %zu page%s", c->find, c->ended, cli_plural(c->ended));
        rc = CLI_EXIT_FAILURE;
    }
    if (cfg->json) {
        char *j = report_json(sum, run);
        if (j != NULL)
            puts(j);
        else
            rc = CLI_EXIT_FAILURE;
        free(j);
    } else if (!cfg->quiet) {
        report_human(stdout, sum, run);
    }
    if (report_files(cfg, s, sum) != 0)
        rc = CLI_EXIT_FAILURE;
    stats_summary_free(sum);
    free(sum); /* stdout is flushed and checked by the caller: cli_stdout_finish */
    return rc;
}
