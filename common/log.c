/* log: timestamped lines (log.h). */
#include "log.h"

#include <stdarg.h>
#include <time.h>
#include <unistd.h>

char *log_timestamp(char *buf, size_t len)
{
    struct timespec ts;
    struct tm tm;
    clock_gettime(CLOCK_REALTIME, &ts);
    localtime_r(&ts.tv_sec, &tm);
    size_t n = strftime(buf, len, "%Y-%m-%d %H:%M:%S", &tm);
    snprintf(buf + n, len - n, ".%03ld", ts.tv_nsec / 1000000);
    return buf;
}

void log_line(FILE *out, const char *level, const char *fmt, ...)
{
    char ts[40];
    va_list ap;
    va_start(ap, fmt);
    fprintf(out, "%s %s ", log_timestamp(ts, sizeof ts), level);
    vfprintf(out, fmt, ap);
    fputc('\n', out);
    va_end(ap);
}

void log_progress_init(struct log_progress *p, bool wanted, uint64_t total, int64_t now_us)
{
    *p = (struct log_progress){.enabled = wanted && isatty(STDERR_FILENO), .total = total, .start_us = now_us};
}

void log_progress_update(struct log_progress *p, uint64_t done, int64_t now_us)
{
    enum { WIDTH = 30 };
    if (!p->enabled || now_us - p->start_us < 1000000 || now_us - p->last_us < 100000)
        return;
    p->last_us = now_us;
    p->drawn = true;
    char bar[WIDTH + 1];
    size_t full = p->total > 0 ? (size_t)(done * WIDTH / p->total) : WIDTH;
    for (size_t i = 0; i < WIDTH; i++)
        bar[i] = i < full ? '#' : '.';
    bar[WIDTH] = '\0';
    fprintf(stderr, "\r[%s] %3u%% %llu/%llu %.1fs", bar, p->total > 0 ? (unsigned)(done * 100 / p->total) : 100,
            (unsigned long long)done, (unsigned long long)p->total, (double)(now_us - p->start_us) / 1e6);
    fflush(stderr);
}

void log_progress_end(struct log_progress *p)
{
    if (p->drawn)
        fputs("\r\033[K", stderr);
    p->drawn = false;
}
