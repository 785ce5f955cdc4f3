/* log: timestamped lines, "2026-01-12 13:17:16.123 INFO ...".
 *
 * Used for the server's access log and notices, and the clients' progress
 * bar. Not for: the clients' reports (report.h) or usage errors (cli.h). */
#ifndef SAYHI_LOG_H
#define SAYHI_LOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Local wall-clock time "YYYY-MM-DD HH:MM:SS.mmm" into buf (>= 24 bytes). */
char *log_timestamp(char *buf, size_t len);

/* One line "<timestamp> <LEVEL> <message>" on out. */
void log_line(FILE *out, const char *level, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Copies s[0..len) into buf with every byte that could forge or garble a
 * log line (controls, DEL, '"', '\\', bytes >= 0x80) written as \xHH, so one
 * request stays one line whatever it carried. Truncated to fit (ending in
 * "..." then), always terminated. Returns buf. */
char *log_escape(const char *s, size_t len, char *buf, size_t buflen);

/* A one-line progress bar on stderr, redrawn at most every 100 ms and only
 * once the run has lasted a second, so short runs and pipes stay clean. */
struct log_progress {
    bool enabled;
    bool drawn;
    uint64_t total;
    int64_t start_us, last_us;
};

/* Enabled when wanted and stderr is a terminal. */
void log_progress_init(struct log_progress *p, bool wanted, uint64_t total, int64_t now_us);
void log_progress_update(struct log_progress *p, uint64_t done, int64_t now_us);
/* Erases the bar, if drawn, so the summary starts on a clean line. */
void log_progress_end(struct log_progress *p);

#endif
