/* cost: what a client run cost the machine — peak RSS, CPU time, threads.
 *
 * The lesson's price, measured rather than asserted: a thread per request
 * costs a stack and a kernel task each, an event loop one thread whatever N.
 * Peak RSS and CPU come from wait4()'s rusage of the client (exact, its own
 * and not its children's); the thread count from the Threads: line of
 * /proc/PID/status, sampled while it runs (the kernel keeps no peak of it).
 * The parsers are pure so that tests can feed them text. Not for: spawning
 * (run.c) or presenting (output.c, html.c). */
#ifndef SAYHI_COMPARE_COST_H
#define SAYHI_COMPARE_COST_H

#include <sys/resource.h>
#include <sys/types.h>

struct cost {
    long rss_kb;      /* peak resident set, kB (ru_maxrss); 0 unknown */
    double cpu_s;     /* user + system CPU time, seconds */
    unsigned threads; /* most threads seen at once; 0 never sampled */
};

/* The value of a "Name:\tvalue ..." line of /proc/PID/status text (e.g.
 * "Threads", "VmHWM" in kB); -1 when there is no such line or no number. */
long cost_status_field(const char *status, const char *name);

/* Fills rss_kb and cpu_s from a child's rusage (Linux: ru_maxrss in kB). */
void cost_from_rusage(const struct rusage *ru, struct cost *c);

/* Reads /proc/pid/status once and raises c->threads to its Threads: count
 * (nothing when the process is gone). */
void cost_sample(pid_t pid, struct cost *c);

#endif
