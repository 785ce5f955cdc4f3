/* output: table, CSV and JSON of the comparison rows (output.h). */
#include "output.h"

#include "cli.h"
#include "duration.h"
#include "jsonnum.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

/* Successful requests per second of the run; 0 when none succeeded. */
static double goodput(const struct run_result *r)
{
    return r->ok > 0 && r->elapsed_s > 0 ? (double)r->ok / r->elapsed_s : 0;
}

/* A ratio of wall times alone rewards failing fast: a run whose requests
 * were all refused ends at once and showed a 6x "speedup". Successful
 * requests per second are what the modes are compared on; when every
 * request of both runs succeeded the ratio is sync's wall over this one's. */
void output_speedups(struct run_result *rows, size_t n, bool crawl)
{
    /* Under --crawl N is the pages a crawl read, which differs between the
     * modes when a page fails: each mode's one crawl is compared with sync's. */
    for (size_t i = 0; i < n; i++) {
        rows[i].speedup = 0;
        for (size_t j = 0; j < n; j++)
            if (rows[j].mode == MODE_SYNC && (crawl || rows[j].number == rows[i].number) && goodput(&rows[j]) > 0)
                rows[i].speedup = goodput(&rows[i]) / goodput(&rows[j]);
    }
}

unsigned output_x(const struct run_result *r, const struct output_context *ctx)
{
    return ctx->fixed_n > 0 ? r->limit : r->number;
}

/* The two columns a row may lack (no sync run to compare with, no server of
 * ours to ask), as text: missing ones become `none`. */
struct output_cells output_optional_cells(const struct run_result *r, const char *speedup_fmt, const char *none)
{
    struct output_cells c;
    snprintf(c.speedup, sizeof c.speedup, "%s", none);
    snprintf(c.peak, sizeof c.peak, "%s", none);
    if (r->speedup > 0)
        snprintf(c.speedup, sizeof c.speedup, speedup_fmt, r->speedup);
    if (r->peak >= 0)
        snprintf(c.peak, sizeof c.peak, "%lld", r->peak);
    return c;
}

const char *output_modes_title(const struct run_result *rows, size_t n, char *buf, size_t len)
{
    size_t used = 0;
    buf[0] = '\0';
    for (int m = 0; m < MODE_COUNT; m++) {
        int present = 0;
        for (size_t i = 0; i < n; i++)
            present |= rows[i].mode == (enum run_mode)m;
        if (present && used < len)
            used += (size_t)snprintf(buf + used, len - used, "%s%s", used ? " vs " : "",
                                     run_mode_name((enum run_mode)m));
    }
    return buf;
}

/* The stop signals by name; strsignal() says "Interrupt", which names no key or command. */
static const char *signal_name(int sig)
{
    return sig == SIGINT ? "SIGINT" : sig == SIGTERM ? "SIGTERM" : sig == SIGHUP ? "SIGHUP" : "a signal";
}

void output_table(FILE *out, const struct run_result *rows, size_t n, const struct output_context *ctx)
{
    char delay[32], timeout[32];
    if (ctx->crawl != NULL)
        fprintf(out, "crawl of %s, breadth first, in a family of %u (seed " RUN_CRAWL_SEED "): N is the pages read\n",
                ctx->crawl, ctx->family);
    if (ctx->delay_us >= 0)
        fprintf(out, "delay %s per request, clients' --timeout %s\n\n",
                duration_format(ctx->delay_us, delay, sizeof delay),
                duration_format(ctx->timeout_us, timeout, sizeof timeout));
    else
        fprintf(out, "the server's own delay, the clients' default --timeout (%s); peak in flight is shown only\n"
                     "for servers sayhi-compare starts\n\n", RUN_CLIENT_DEFAULT_TIMEOUT);
    fprintf(out, "%-8s %6s %5s %9s %9s %8s %9s %6s %6s %7s %8s %6s\n", "mode", "N", "conc", "wall", "req/s",
            "speedup", "in flight", "ok", "failed", "threads", "peak RSS", "CPU");
    for (size_t i = 0; i < n; i++) {
        const struct run_result *r = &rows[i];
        struct output_cells c = output_optional_cells(r, "%.1fx", "-");
        fprintf(out, "%-8s %6u %5u %8.2fs %9.1f %8s %9s %6llu %6llu %7u %6.1fMB %5.2fs\n", run_mode_name(r->mode),
                r->number, r->concurrency, r->elapsed_s, r->requests_per_s, c.speedup, c.peak, r->ok, r->failed,
                r->cost.threads, (double)r->cost.rss_kb / 1024, r->cost.cpu_s);
    }
    for (size_t i = 0; ctx->crawl != NULL && i < n; i++)
        fprintf(out, "%s%s %u", i == 0 ? "\nlevels read: " : ", ", run_mode_name(rows[i].mode), rows[i].levels);
    if (ctx->crawl != NULL && n > 0)
        fprintf(out, " (async takes about levels x delay, sync pages x delay)\n");
    if (ctx->stop_signal != 0)
        fprintf(out, "\nInterrupted (%s): %zu of %zu runs finished\n", signal_name(ctx->stop_signal), n,
                ctx->planned);
}

int output_csv(const char *path, const struct run_result *rows, size_t n, const struct output_context *ctx)
{
    FILE *f = fopen(path, "w");
    if (f == NULL) {
        cli_error("cannot write --csv %s: %s", path, strerror(errno));
        return -1;
    }
    /* Every write is checked and errno kept from the first that failed: a
     * full disk may show at any fprintf (when the buffer fills) or only at
     * the final flush in fclose. */
    int err = 0;
    if (fprintf(f, "mode,number,concurrency,wall_s,requests_per_s,speedup,peak_in_flight,ok,failed,rss_kb,cpu_s,"
                   "threads%s\n", ctx->crawl != NULL ? ",levels" : "") < 0)
        err = errno;
    for (size_t i = 0; i < n && err == 0; i++) {
        const struct run_result *r = &rows[i];
        struct output_cells c = output_optional_cells(r, "%.3f", "");
        if (fprintf(f, "%s,%u,%u,%.6f,%.3f,%s,%s,%llu,%llu,%ld,%.6f,%u", run_mode_name(r->mode), r->number,
                    r->concurrency, r->elapsed_s, r->requests_per_s, c.speedup, c.peak, r->ok, r->failed,
                    r->cost.rss_kb, r->cost.cpu_s, r->cost.threads) < 0 ||
            (ctx->crawl != NULL && fprintf(f, ",%u", r->levels) < 0) || fputc('\n', f) == EOF)
            err = errno;
    }
    return output_close(f, err, "--csv", path);
}

int output_close(FILE *f, int err, const char *flag, const char *path)
{
    if (fclose(f) != 0 && err == 0)
        err = errno;
    if (err != 0) {
        cli_error("cannot write %s %s: %s", flag, path, strerror(err));
        return -1;
    }
    return 0;
}

int output_json(FILE *out, const struct run_result *rows, size_t n, const struct output_context *ctx)
{
    cJSON *o = cJSON_CreateObject();
    if (ctx->delay_us >= 0)
        jsonnum_add(o, "delay_s", (double)ctx->delay_us / 1e6, JSONNUM_SECONDS);
    else
        cJSON_AddNullToObject(o, "delay_s");
    if (ctx->timeout_us >= 0)
        jsonnum_add(o, "timeout_s", (double)ctx->timeout_us / 1e6, JSONNUM_SECONDS);
    else
        cJSON_AddNullToObject(o, "timeout_s");
    if (ctx->stop_signal != 0)
        cJSON_AddTrueToObject(o, "interrupted");
    cJSON *arr = cJSON_AddArrayToObject(o, "rows");
    for (size_t i = 0; i < n; i++) {
        const struct run_result *r = &rows[i];
        cJSON *row = cJSON_CreateObject();
        cJSON_AddStringToObject(row, "mode", run_mode_name(r->mode));
        cJSON_AddNumberToObject(row, "number", r->number);
        cJSON_AddNumberToObject(row, "concurrency", r->concurrency);
        jsonnum_add(row, "wall_s", r->elapsed_s, JSONNUM_SECONDS);
        jsonnum_add(row, "requests_per_s", r->requests_per_s, JSONNUM_RATE);
        if (r->speedup > 0)
            jsonnum_add(row, "speedup", r->speedup, JSONNUM_RATE);
        else
            cJSON_AddNullToObject(row, "speedup");
        if (r->peak >= 0)
            cJSON_AddNumberToObject(row, "peak_in_flight", (double)r->peak);
        else
            cJSON_AddNullToObject(row, "peak_in_flight");
        cJSON_AddNumberToObject(row, "ok", (double)r->ok);
        cJSON_AddNumberToObject(row, "failed", (double)r->failed);
        cJSON_AddNumberToObject(row, "rss_kb", (double)r->cost.rss_kb);
        jsonnum_add(row, "cpu_s", r->cost.cpu_s, JSONNUM_SECONDS);
        cJSON_AddNumberToObject(row, "threads", r->cost.threads);
        if (ctx->crawl != NULL)
            cJSON_AddNumberToObject(row, "levels", r->levels);
        cJSON_AddItemToArray(arr, row);
    }
    char *s = cJSON_PrintUnformatted(o); /* one line, as the clients print and the README shows */
    if (s != NULL)
        fprintf(out, "%s\n", s);
    else
        cli_error("out of memory printing --json");
    free(s);
    cJSON_Delete(o);
    return s != NULL ? 0 : -1;
}
