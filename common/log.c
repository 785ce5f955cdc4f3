/* log: timestamped lines (log.h). */
#include "log.h"

#include <stdarg.h>
#include <string.h>
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

char *log_escape(const char *s, size_t len, char *buf, size_t buflen)
{
    static const char hex[] = "0123456789abcdef";
    size_t o = 0;
    if (buflen < 4) { /* not even room for "..." */
        if (buflen > 0)
            buf[0] = '\0';
        return buf;
    }
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        int plain = c >= 0x20 && c < 0x7f && c != '"' && c != '\\';
        if (o + (plain ? 1 : 4) + 4 > buflen) { /* room for this byte, "..." and the NUL */
            memcpy(buf + o, "...", 3);
            o += 3;
            break;
        }
        if (plain) {
            buf[o++] = (char)c;
        } else {
            buf[o++] = '\\';
            buf[o++] = 'x';
            buf[o++] = hex[c >> 4];
            buf[o++] = hex[c & 15];
        }
    }
    buf[o] = '\0';
    return buf;
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
