/* log: timestamped lines (log.h). */
#include "log.h"

#include <stdarg.h>
#include <time.h>

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
