/* crawlreport: what a --crawl run adds to the summary and to --json (crawl.h).
 *
 * Pages, levels, links seen, pages per level, the pages lost, and the chain
 * of links to --find's page. Not for: the figures every run has (report.c). */
#include "crawl.h"

#include "cli.h"
#include "formats.h"

#include <cjson/cJSON.h>
#include <stdlib.h>

/* The chain as "path (name) -> path (name)": to out. */
static void human_chain(FILE *out, const struct crawl *c)
{
    size_t *ids = malloc(c->levels > 0 ? c->levels * sizeof *ids : sizeof *ids);
    size_t n = ids != NULL ? crawl_chain(c, ids, c->levels) : 0;
    fprintf(out, "  Found:         %s ", c->find);
    if (n == 0)
        fprintf(out, "not reached\n");
    else
        fprintf(out, "after %zu link%s:\n", n - 1, cli_plural(n - 1));
    for (size_t i = 0; i < n; i++) {
        const struct crawl_page *p = &c->pages[ids[i]];
        fprintf(out, "    %s %s%s%s\n", i == 0 ? "  " : "->", p->path, p->name != NULL ? "  " : "",
                p->name != NULL ? p->name : "");
    }
    free(ids);
}

void crawl_report_human(FILE *out, const struct crawl *c)
{
    fprintf(out,
            "\nCrawl (breadth first from the --url):\n"
            "  Pages:         %zu read, %zu lost (failed: their links were not followed)\n"
            "  Levels:        %u\n"
            "  Links seen:    %llu (%llu to another origin or not a URL: ignored)\n"
            "  Per level:    ",
            c->ok, c->lost, c->levels, (unsigned long long)c->links, (unsigned long long)c->foreign);
    for (uint32_t d = 0; d < c->levels; d++)
        fprintf(out, " %zu", c->per_level[d]);
    fputc('\n', out);
    if (c->oom)
        fprintf(out, "  (out of memory: some links were dropped)\n");
    if (c->find != NULL)
        human_chain(out, c);
}

static cJSON *json_chain(const struct crawl *c)
{
    size_t *ids = malloc(c->levels > 0 ? c->levels * sizeof *ids : sizeof *ids);
    size_t n = ids != NULL ? crawl_chain(c, ids, c->levels) : 0;
    if (n == 0) {
        free(ids);
        return cJSON_CreateNull();
    }
    cJSON *a = cJSON_CreateArray();
    for (size_t i = 0; i < n; i++) {
        cJSON *row = cJSON_CreateObject();
        cJSON_AddStringToObject(row, "path", c->pages[ids[i]].path);
        if (c->pages[ids[i]].name != NULL)
            cJSON_AddStringToObject(row, "name", c->pages[ids[i]].name);
        else
            cJSON_AddNullToObject(row, "name");
        cJSON_AddItemToArray(a, row);
    }
    free(ids);
    return a;
}

cJSON *crawl_report_json(const struct crawl *c)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, FMT_CRAWL_PAGES, (double)c->ok);
    cJSON_AddNumberToObject(o, FMT_CRAWL_LEVELS, c->levels);
    cJSON_AddNumberToObject(o, FMT_CRAWL_LINKS, (double)c->links);
    cJSON_AddNumberToObject(o, FMT_CRAWL_FOREIGN, (double)c->foreign);
    cJSON_AddNumberToObject(o, FMT_CRAWL_LOST, (double)c->lost);
    cJSON *levels = cJSON_AddArrayToObject(o, FMT_CRAWL_PER_LEVEL);
    for (uint32_t d = 0; d < c->levels; d++)
        cJSON_AddItemToArray(levels, cJSON_CreateNumber((double)c->per_level[d]));
    cJSON_AddItemToObject(o, FMT_CRAWL_CHAIN, c->find != NULL ? json_chain(c) : cJSON_CreateNull());
    return o;
}
