/* async: the event-loop engine of sayhi-async, one thread, libevent.
 *
 * Up to C connections each carry one request at a time. Closed loop: when
 * a request ends the same connection (kept alive) starts the next, so at
 * most C are in flight. Open loop (--rate): requests start when the
 * schedule (sched.h) says they are due, on the connection freed last, and
 * wait for one when all C are busy. Not evhttp: each socket has one persistent read event, the request
 * is written with one write(), and responses are parsed with libhttp-parser,
 * so a kept-alive request costs about three system calls (write, read, and a
 * share of epoll_wait) where evhttp made nine (DESIGN.md). Not for: flags or
 * the summary (main.c). */
#ifndef SAYHI_ASYNC_H
#define SAYHI_ASYNC_H

#include "client.h"
#include "stats.h"

/* Runs cfg->number requests (or --duration's) with at most *concurrency
 * in flight into st (under --crawl, st->crawl's pages as they are
 * discovered); with --rate or --crawl, *concurrency becomes the most that
 * were in flight at once. Returns 0, or -1 on a setup error already reported on
 * stderr. */
int async_run(const struct client_config *cfg, size_t *concurrency, struct stats *st);

#endif
