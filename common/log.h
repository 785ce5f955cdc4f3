/* log: timestamped lines, "2026-01-12 13:17:16.123 INFO ...".
 *
 * Used for the server's access log and notices. Not for: the clients'
 * reports (report.h) or usage errors (cli.h). */
#ifndef SAYHI_LOG_H
#define SAYHI_LOG_H

#include <stddef.h>
#include <stdio.h>

/* Local wall-clock time "YYYY-MM-DD HH:MM:SS.mmm" into buf (>= 24 bytes). */
char *log_timestamp(char *buf, size_t len);

/* One line "<timestamp> <LEVEL> <message>" on out. */
void log_line(FILE *out, const char *level, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif
