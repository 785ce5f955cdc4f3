/* crawl: breadth-first bookkeeping and link resolution of --crawl (crawl.h). */
#include "crawl.h"

#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* FNV-1a: short paths, a few thousand of them. */
static size_t hash(const char *s)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    for (; *s != '\0'; s++)
        h = (h ^ (unsigned char)*s) * 0x100000001b3ULL;
    return (size_t)h;
}

/* The slot of path: its page's, or the empty one where it would go. */
static size_t *slot_of(const struct crawl *c, const char *path)
{
    size_t i = hash(path) & (c->nslots - 1);
    while (c->slots[i] != 0 && strcmp(c->pages[c->slots[i] - 1].path, path) != 0)
        i = (i + 1) & (c->nslots - 1);
    return &c->slots[i];
}

/* Keeps the table at most half full. */
static int grow_slots(struct crawl *c)
{
    if (2 * (c->n + 1) <= c->nslots)
        return 0;
    size_t old = c->nslots, *olds = c->slots;
    c->nslots = old > 0 ? 2 * old : 64;
    c->slots = calloc(c->nslots, sizeof *c->slots);
    if (c->slots == NULL) {
        c->slots = olds;
        c->nslots = old;
        return -1;
    }
    for (size_t i = 0; i < old; i++)
        if (olds[i] != 0)
            *slot_of(c, c->pages[olds[i] - 1].path) = olds[i];
    free(olds);
    return 0;
}

static int grow_pages(struct crawl *c)
{
    if (c->n < c->cap)
        return 0;
    size_t cap = c->cap > 0 ? 2 * c->cap : 256;
    struct crawl_page *p = realloc(c->pages, cap * sizeof *p);
    if (p == NULL)
        return -1;
    c->pages = p;
    c->cap = cap;
    return 0;
}

/* A page for path, once. Seen again from a shallower page before it started
 * (a slow page of the level above ended late), it takes that parent: the
 * chain of --find stays a shortest one. */
static void add(struct crawl *c, const char *path, size_t parent, uint32_t depth)
{
    if (grow_slots(c) != 0) {
        c->oom = true;
        return;
    }
    size_t *slot = slot_of(c, path);
    if (*slot != 0) {
        struct crawl_page *p = &c->pages[*slot - 1];
        if (!p->started && depth < p->depth) {
            p->parent = parent;
            p->depth = depth;
        }
        return;
    }
    if (c->n >= c->limit)
        return;
    char *copy = strdup(path);
    if (copy == NULL || grow_pages(c) != 0) {
        free(copy);
        c->oom = true;
        return;
    }
    c->pages[c->n] = (struct crawl_page){.path = copy, .parent = parent, .depth = depth};
    *slot = ++c->n;
}

int crawl_init(struct crawl *c, const struct client_config *cfg, char *err, size_t errlen)
{
    *c = (struct crawl){.origin = cfg->target, .limit = cfg->number, .max_depth = cfg->max_depth,
                        .found = CRAWL_NO_PARENT};
    char path[sizeof cfg->target.path];
    if (cfg->find != NULL) {
        if (crawl_resolve(&c->origin, cfg->target.path, cfg->find, path, sizeof path) != 0) {
            snprintf(err, errlen, "--find must be a path or a URL of --url's origin, got '%s'", cfg->find);
            return -1;
        }
        c->find = strdup(path);
    }
    add(c, cfg->target.path, CRAWL_NO_PARENT, 0);
    if (c->oom || c->n != 1 || (cfg->find != NULL && c->find == NULL)) {
        snprintf(err, errlen, "out of memory for the crawl");
        return -1;
    }
    return 0;
}

void crawl_free(struct crawl *c)
{
    for (size_t i = 0; i < c->n; i++) {
        free(c->pages[i].path);
        free(c->pages[i].name);
    }
    free(c->pages);
    free(c->slots);
    free(c->per_level);
    free(c->find);
    *c = (struct crawl){0};
}

bool crawl_peek(const struct crawl *c, size_t *id, const char **path)
{
    if (c->next >= c->n || c->found != CRAWL_NO_PARENT)
        return false;
    *id = c->next;
    *path = c->pages[c->next].path;
    return true;
}

void crawl_take(struct crawl *c) { c->pages[c->next++].started = true; }

/* --find /family/412 matches /family/412?delay=100ms: the links carry the
 * start's query. With a query of its own, it must match whole. */
static bool is_found(const struct crawl *c, const char *path)
{
    if (c->find == NULL)
        return false;
    if (strchr(c->find, '?') != NULL)
        return strcmp(c->find, path) == 0;
    size_t len = strcspn(path, "?");
    return strlen(c->find) == len && strncmp(c->find, path, len) == 0;
}

static void count_level(struct crawl *c, uint32_t depth)
{
    if (depth >= c->levels) {
        size_t *p = realloc(c->per_level, (depth + 1) * sizeof *p);
        if (p == NULL) {
            c->oom = true;
            return;
        }
        for (uint32_t d = c->levels; d <= depth; d++)
            p[d] = 0;
        c->per_level = p;
        c->levels = depth + 1;
    }
    c->per_level[depth]++;
}

static void follow(struct crawl *c, size_t id, const cJSON *links)
{
    char path[sizeof c->origin.path];
    const cJSON *l;
    cJSON_ArrayForEach(l, links)
    {
        c->links++;
        /* Through id each time: add() may move the pages. */
        if (!cJSON_IsString(l) || crawl_resolve(&c->origin, c->pages[id].path, l->valuestring, path,
                                                sizeof path) != 0)
            c->foreign++;
        else if (c->pages[id].depth < c->max_depth)
            add(c, path, id, c->pages[id].depth + 1);
    }
}

void crawl_end(struct crawl *c, size_t id, const char *body, size_t len)
{
    c->ended++;
    cJSON *j = body != NULL ? cJSON_ParseWithLength(body, len) : NULL;
    if (!cJSON_IsObject(j)) {
        c->lost++;
        cJSON_Delete(j);
        return;
    }
    struct crawl_page *p = &c->pages[id];
    p->ok = true;
    c->ok++;
    count_level(c, p->depth);
    const cJSON *name = cJSON_GetObjectItemCaseSensitive(j, "name");
    if (cJSON_IsString(name))
        p->name = strdup(name->valuestring);
    const cJSON *links = cJSON_GetObjectItemCaseSensitive(j, "links");
    if (cJSON_IsArray(links))
        follow(c, id, links);
    if (is_found(c, c->pages[id].path))
        c->found = id;
    cJSON_Delete(j);
}

/* http://host[:port]/path of origin (or //host... with the scheme given): its path. */
static int same_origin(const struct client_url *origin, const char *url, char *out, size_t cap)
{
    struct client_url u;
    char why[128];
    if (client_parse_url(url, &u, why, sizeof why) != 0 || strcasecmp(u.host, origin->host) != 0 ||
        strcmp(u.port, origin->port) != 0)
        return -1;
    return (size_t)snprintf(out, cap, "%s", u.path) < cap ? 0 : -1;
}

int crawl_resolve(const struct client_url *origin, const char *base, const char *link, char *out, size_t cap)
{
    char l[2 * sizeof origin->path];
    size_t len = strcspn(link, "#");
    if (len == 0 || len >= sizeof l - 8)
        return -1;
    memcpy(l, link, len);
    l[len] = '\0';
    for (const unsigned char *p = (const unsigned char *)l; *p != '\0'; p++)
        if (*p <= ' ' || *p == 0x7f)
            return -1;
    if (strncmp(l, "//", 2) == 0) { /* scheme-relative: http, as the page came */
        memmove(l + 5, l, len + 1);
        memcpy(l, "http:", 5);
    }
    size_t scheme = strcspn(l, ":/?");
    if (l[scheme] == ':')
        return strncasecmp(l, "http:", 5) == 0 ? same_origin(origin, l, out, cap) : -1;
    size_t n;
    if (l[0] == '/')
        n = (size_t)snprintf(out, cap, "%s", l);
    else if (l[0] == '?') /* the base's path with another query */
        n = (size_t)snprintf(out, cap, "%.*s%s", (int)strcspn(base, "?"), base, l);
    else { /* relative to the base's directory; "./" dropped */
        const char *rel = strncmp(l, "./", 2) == 0 ? l + 2 : l;
        size_t dir = strcspn(base, "?");
        while (dir > 0 && base[dir - 1] != '/')
            dir--;
        n = (size_t)snprintf(out, cap, "%.*s%s", (int)dir, base, rel);
    }
    return n < cap && out[0] == '/' ? 0 : -1;
}

size_t crawl_chain(const struct crawl *c, size_t *ids, size_t max)
{
    size_t n = 0;
    for (size_t id = c->found; id != CRAWL_NO_PARENT && n < max; id = c->pages[id].parent)
        ids[n++] = id;
    for (size_t i = 0; i < n / 2; i++) { /* start first */
        size_t t = ids[i];
        ids[i] = ids[n - 1 - i];
        ids[n - 1 - i] = t;
    }
    return n;
}
