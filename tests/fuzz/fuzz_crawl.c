/* libFuzzer target: the crawl's link resolution and bookkeeping (crawl.h).
 *
 * Input: a page body as a server might send it. Invariants: whatever the
 * body, crawl_end never reads past it (the exact-size copy), every page
 * queued is a path of the origin (it starts with '/' and has no blank or
 * control byte), no path is queued twice, depths are those of the page
 * that gave them, and no more pages are queued than links resolved. Each
 * string of the input, split at newlines, is also resolved on its own: an
 * answer of 0 is a path. */
#include "crawl.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_path(const char *p)
{
    if (p[0] != '/')
        abort();
    for (const unsigned char *c = (const unsigned char *)p; *c != '\0'; c++)
        if (*c <= ' ' || *c == 0x7f)
            abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct client_config cfg = {.number = 1000, .max_depth = UINT32_MAX};
    char why[128];
    if (client_parse_url("http://127.0.0.1:8080/family/1?q=1", &cfg.target, why, sizeof why) != 0)
        abort();
    struct crawl c;
    if (crawl_init(&c, &cfg, why, sizeof why) != 0)
        return 0;
    char *body = malloc(size > 0 ? size : 1);
    memcpy(body, data, size);
    crawl_take(&c);
    crawl_end(&c, 0, body, size);
    if (c.foreign > c.links || c.n - 1 > c.links - c.foreign) /* each link counted: queued, a repeat, or ignored */
        abort();
    for (size_t i = 1; i < c.n; i++) {
        check_path(c.pages[i].path);
        if (c.pages[i].depth != 1 || c.pages[i].parent != 0)
            abort();
        for (size_t j = 0; j < i; j++)
            if (strcmp(c.pages[i].path, c.pages[j].path) == 0)
                abort();
    }
    crawl_free(&c);
    char link[512], out[2048];
    for (size_t off = 0; off < size;) {
        const uint8_t *nl = memchr(data + off, '\n', size - off); /* data has no NUL at its end */
        size_t len = nl != NULL ? (size_t)(nl - (data + off)) : size - off;
        size_t n = len < sizeof link - 1 ? len : sizeof link - 1;
        memcpy(link, data + off, n);
        link[n] = '\0';
        if (crawl_resolve(&cfg.target, "/family/1?q=1", link, out, sizeof out) == 0)
            check_path(out);
        off += len + 1;
    }
    free(body);
    return 0;
}
