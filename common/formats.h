/* formats: the names that several programs and the tests read, said once.
 *
 * The server's first line, the clients' --json keys and the --timeline
 * columns are read by sayhi-compare, the benchmarks and users' scripts: a
 * name changed in one place must change everywhere, so each is a macro here
 * and the writers and readers use it. Not for: how values are printed
 * (report.c, jsonnum.h) or keys only one program uses on its own. */
#ifndef SAYHI_FORMATS_H
#define SAYHI_FORMATS_H

/* sayhi-server's first line on stdout: this, then its URL. */
#define FMT_LISTENING "listening on "

/* The clients' --json object, in order. */
#define FMT_CLIENT "client"
#define FMT_NUMBER "number"
#define FMT_CONCURRENCY "concurrency"
#define FMT_OK "ok"
#define FMT_FAILED "failed"
#define FMT_ELAPSED_S "elapsed_s"
#define FMT_REQUESTS_PER_S "requests_per_s"
#define FMT_LATENCY_MS "latency_ms"     /* from the intended start: corrected */
#define FMT_STATUS_CODES "status_codes"
#define FMT_ERRORS "errors"
#define FMT_SERVICE_MS "service_ms"     /* from the actual send: uncorrected */
#define FMT_BYTES "bytes"
#define FMT_MB_PER_S "mb_per_s"
#define FMT_RATE "rate"                 /* open loop: asked, achieved, late_ms */
#define FMT_HISTOGRAM "histogram"       /* [{"le_ms","count"}] */
#define FMT_INTERRUPTED "interrupted"
/* --crawl only, after the others: {"pages","levels","links","foreign","lost",
 * "per_level":[...],"find","chain":[{"path","name"}] or null}. */
#define FMT_CRAWL "crawl"
#define FMT_CRAWL_PAGES "pages"
#define FMT_CRAWL_LEVELS "levels"
#define FMT_CRAWL_LINKS "links"
#define FMT_CRAWL_FOREIGN "foreign"
#define FMT_CRAWL_LOST "lost"
#define FMT_CRAWL_PER_LEVEL "per_level"
#define FMT_CRAWL_CHAIN "chain"

/* The --timeline CSV header: the first five columns as before issue 10;
 * depth (issue 12) is the page's depth under --crawl, empty otherwise. */
#define FMT_TIMELINE_HEADER "id,start_s,end_s,status,error,intended_s,bytes,depth"

#endif
