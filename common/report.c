/* report: human summary, --json and --timeline of a run (report.h). */
#include "report.h"

#include "cli.h"
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

static cJSON *latency_json(const struct stats_summary *sum)
{
    if (sum->with_latency == 0)
        return cJSON_CreateNull();
    cJSON *l = cJSON_CreateObject();
    jsonnum_add(l, "min", ms(sum->lat_min), JSONNUM_MS);
    jsonnum_add(l, "mean", sum->lat_mean / 1000.0, JSONNUM_MS);
    jsonnum_add(l, "p50", ms(sum->lat_p50), JSONNUM_MS);
    jsonnum_add(l, "p90", ms(sum->lat_p90), JSONNUM_MS);
    jsonnum_add(l, "p99", ms(sum->lat_p99), JSONNUM_MS);
    jsonnum_add(l, "max", ms(sum->lat_max), JSONNUM_MS);
    return l;
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
    cJSON_AddItemToObject(o, FMT_LATENCY_MS, latency_json(sum));
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
    if (run->interrupted) /* only then: the documented schema stays as it is */
        cJSON_AddTrueToObject(o, FMT_INTERRUPTED);
    char *s = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    return s;
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
            "  Failed:        %zu\n",
            cli_program(), run->client, sum->number, (unsigned long long)run->concurrency, run->elapsed_s,
            per_second(sum, run), sum->ok, sum->failed);
    if (run->interrupted)
        fprintf(out, "  Interrupted:   %zu of %llu requests finished\n", sum->number,
                (unsigned long long)run->asked);
    fprintf(out, "\nLatency (ms, exact over %zu responses):\n", sum->with_latency);
    if (sum->with_latency == 0) {
        fprintf(out, "  no response came\n");
    } else {
        fprintf(out, "  min   %10.3f\n  mean  %10.3f\n  p50   %10.3f\n  p90   %10.3f\n  p99   %10.3f\n  max   %10.3f\n",
                ms(sum->lat_min), sum->lat_mean / 1000.0, ms(sum->lat_p50), ms(sum->lat_p90), ms(sum->lat_p99),
                ms(sum->lat_max));
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
}

int report_timeline(FILE *out, const struct stats *s)
{
    fputs(FMT_TIMELINE_HEADER "\n", out);
    for (size_t i = 0; i < s->n; i++) {
        const struct stats_record *r = &s->rec[i];
        if (s->partial && !r->done)
            continue;
        if (!r->started) { /* never started: an empty row keeps ids dense */
            fprintf(out, "%zu,,,0,%s\n", i + 1, stats_error_name(STATS_ERR_CLOSED));
            continue;
        }
        enum stats_error e = r->done ? (enum stats_error)r->error : STATS_ERR_CLOSED;
        int64_t start = stats_sent_us(r), end = r->intended_us + r->latency_us;
        fprintf(out, "%zu,%lld.%06lld,%lld.%06lld,%u,%s\n", i + 1, (long long)(start / 1000000),
                (long long)(start % 1000000), (long long)(end / 1000000), (long long)(end % 1000000),
                r->status, stats_error_name(e));
    }
    return ferror(out) ? -1 : 0;
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
    if (cfg->timeline != NULL) {
        int bad = report_timeline(cfg->timeline, s);
        if (fclose(cfg->timeline) != 0 || bad) {
            cli_error("--timeline could not write '%s': %s", cfg->timeline_path, strerror(errno));
            rc = CLI_EXIT_FAILURE;
        }
        cfg->timeline = NULL;
    }
    free(sum); /* stdout is flushed and checked by the caller: cli_stdout_finish */
    return rc;
}
