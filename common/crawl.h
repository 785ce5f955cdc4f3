/* crawl: the bookkeeping of --crawl, shared by sayhi-sync and sayhi-async.
 *
 * The tutorials' second exercise: explore a linked API breadth first. A
 * crawl starts at --url's path (page 0, depth 0); each page that ends well
 * gives its JSON body here, whose "links" (URLs of the same origin,
 * relative or absolute) become new pages, each URL once, in the order they
 * are discovered: a FIFO queue, so ids are the breadth-first order and an
 * id is also the request's id in stats. A page that fails is not expanded
 * and counts as lost. --max-depth D: links of a page at depth D are not
 * followed; --number N: at most N pages; --find PATH: nothing new starts
 * once that page has been read, and crawl_chain gives the links from the
 * start to it. Not thread-safe (sayhi-sync's pool holds a lock around it).
 * Not for: sockets or timing (the engines), printing (crawlreport.c). */
#ifndef SAYHI_CRAWL_H
#define SAYHI_CRAWL_H

#include "client.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define CRAWL_NO_PARENT SIZE_MAX
/* sayhi-async --crawl without -c: connections are opened only as pages are
 * due, and the widest level of the default 1,000-person family is ~500 pages:
 * a level waits one delay, not several. */
#define CRAWL_DEFAULT_CONCURRENCY 1000

struct crawl_page {
    char *path;        /* path and query, as requested */
    char *name;        /* the page's "name" when it had one (else NULL) */
    size_t parent;     /* the page whose links gave it first; CRAWL_NO_PARENT for the start */
    uint32_t depth;    /* links from the start */
    bool started, ok;
};

struct crawl {
    struct client_url origin; /* where links must point: host and port */
    struct crawl_page *pages; /* ids 0..n-1, in discovery (breadth-first) order */
    size_t n, cap;
    size_t limit;             /* --number */
    uint32_t max_depth;       /* --max-depth; UINT32_MAX for none */
    char *find;               /* --find resolved against --url, or NULL */
    size_t next;              /* the next page to start */
    size_t ended, ok, lost;   /* pages ended; read with their links; failed (not expanded) */
    size_t found;             /* the --find page once read, else CRAWL_NO_PARENT */
    uint64_t links;           /* links seen in pages, duplicates included */
    uint64_t foreign;         /* links ignored: another origin, scheme, or not a URL */
    uint32_t levels;          /* 1 + the deepest depth of a page read */
    size_t *per_level;        /* pages read per depth, levels entries (grown) */
    size_t *slots;            /* open addressing: page id + 1, 0 empty */
    size_t nslots;
    bool oom;                 /* a page could not be kept: the crawl is short */
};

/* A crawl from cfg's --url of at most cfg->number pages (--max-depth,
 * --find from cfg). 0, or -1 (out of memory, or --find names another
 * origin: why in err). */
int crawl_init(struct crawl *c, const struct client_config *cfg, char *err, size_t errlen);
void crawl_free(struct crawl *c);

/* The next page to start, if one is queued and --find has not been met:
 * its id and path (valid until the next crawl call). */
bool crawl_peek(const struct crawl *c, size_t *id, const char **path);

/* The page crawl_peek gave is being started. */
void crawl_take(struct crawl *c);

/* Pages started and not ended. */
static inline size_t crawl_in_flight(const struct crawl *c) { return c->next - c->ended; }

/* Page id ended: body (len bytes, the whole JSON body) when it succeeded,
 * NULL when it failed (lost). A body that is not a JSON object is lost too. */
void crawl_end(struct crawl *c, size_t id, const char *body, size_t len);

/* The depth of page id. */
static inline uint32_t crawl_depth(const struct crawl *c, size_t id) { return c->pages[id].depth; }

/* link (from a page at base) as a path of c's origin into out: absolute
 * paths, relative references, http://host:port/... of the same origin; the
 * fragment dropped. 0, or -1 when it points elsewhere or is no URL. */
int crawl_resolve(const struct client_url *origin, const char *base, const char *link, char *out, size_t cap);

/* The ids from the start to the --find page into ids (at most max): how
 * many; 0 when it was not reached. */
size_t crawl_chain(const struct crawl *c, size_t *ids, size_t max);

/* What crawlreport.c prints: the summary's lines, the chain of --find
 * ("/family/1 Ida Dahl -> /family/9 ... "), the --json object. */
void crawl_report_human(FILE *out, const struct crawl *c);
struct cJSON;
struct cJSON *crawl_report_json(const struct crawl *c);

#endif
