/* cost: rusage and /proc/PID/status into a run's cost (cost.h). */
#include "cost.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

long cost_status_field(const char *status, const char *name)
{
    size_t len = strlen(name);
    for (const char *p = status; p != NULL && *p != '\0';) {
        if (strncmp(p, name, len) == 0 && p[len] == ':') {
            char *end;
            long v = strtol(p + len + 1, &end, 10); /* strtol skips the tab and spaces */
            return end != p + len + 1 && v >= 0 ? v : -1;
        }
        p = strchr(p, '\n');
        p = p != NULL ? p + 1 : NULL;
    }
    return -1;
}

void cost_from_rusage(const struct rusage *ru, struct cost *c)
{
    c->rss_kb = ru->ru_maxrss;
    c->cpu_s = (double)(ru->ru_utime.tv_sec + ru->ru_stime.tv_sec) +
               (double)(ru->ru_utime.tv_usec + ru->ru_stime.tv_usec) / 1e6;
}

void cost_sample(pid_t pid, struct cost *c)
{
    char path[64], text[4096];
    snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return;
    ssize_t n = read(fd, text, sizeof text - 1); /* Threads: is well inside the first 4 KB */
    close(fd);
    if (n <= 0)
        return;
    text[n] = '\0';
    long t = cost_status_field(text, "Threads");
    if (t > (long)c->threads)
        c->threads = (unsigned)t;
}
