/* sync: the blocking engine of sayhi-sync, libcurl easy interface.
 *
 * threads == 0: one loop on one reused handle, requests one after another
 * (the tutorial's synchronous client). threads == T: T worker threads, each
 * with its own handle, taking the next request number from a shared counter
 * (the thread pool). Not for: flags or printing the summary (main.c). */
#ifndef SAYHI_SYNC_H
#define SAYHI_SYNC_H

#include "client.h"
#include "stats.h"

/* Runs cfg->number requests into st (initialised for that many) on
 * *threads threads (0: one request after another on this one); when not
 * every thread could be started, those that were do the work and *threads
 * says how many ran. Returns 0, or -1 on a setup error already reported on
 * stderr. */
int sync_run(const struct client_config *cfg, unsigned *threads, struct stats *st);

#endif
