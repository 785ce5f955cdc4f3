/* family: a seeded family tree and its pages (family.h). */
#include "family.h"

#include "rng.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const given[] = {
    "Ada",    "Albert", "Alice",  "Arthur", "Beatrice", "Charles", "Clara",   "Edward",  "Eleanor", "Emil",
    "Emma",   "Ernest", "Frida",  "George", "Greta",    "Harold",  "Helena",  "Henry",   "Ida",     "Irene",
    "Jakob",  "Johan",  "Karl",   "Louise", "Ludwig",   "Margit",  "Maria",   "Marie",   "Nils",    "Olga",
    "Oskar",  "Otto",   "Paula",  "Peter",  "Rosa",     "Rudolf",  "Sophie",  "Thea",    "Theodor", "Victoria",
    "Walter", "Wilma",  "Agnes",  "Bruno",  "Dora",     "Felix",   "Hedwig",  "Leopold",
};
static const char *const surname[] = {
    "Albers", "Baum",   "Carlsen", "Dahl",  "Eberle", "Falk",   "Gruber", "Hartmann", "Iversen", "Jansen",
    "Keller", "Lind",   "Moser",   "Nagel", "Olsen",  "Pohl",   "Quast",  "Rasmussen", "Seidel", "Thalberg",
};
#define GIVEN (sizeof given / sizeof given[0])
#define SURNAMES (sizeof surname / sizeof surname[0])

/* The first generation; each one after is about twice the one before, so
 * 1,000 people make 7 generations. */
#define FOUNDERS 8

struct person {
    uint32_t parent[2];  /* 0: none */
    uint32_t first_child, children; /* into family.child */
    uint16_t born;
    uint8_t given, surname, generation;
};

struct family {
    uint32_t n;
    unsigned generations;
    struct person *p;   /* p[1..n] */
    uint32_t *child;    /* the children of each person, grouped by parent */
};

uint32_t family_size(const struct family *f) { return f->n; }
unsigned family_generations(const struct family *f) { return f->generations; }

/* Parents of the people in [first, first + count) from the generation
 * [pfirst, pfirst + pcount) before: the first parent in turn, so every one
 * of them has a child when there are at least as many children; the second
 * a random other one. */
static void born_to(struct family *f, struct rng *g, uint32_t first, uint32_t count, uint32_t pfirst, uint32_t pcount)
{
    for (uint32_t i = 0; i < count; i++) {
        struct person *c = &f->p[first + i];
        uint32_t a = pfirst + i % pcount;
        uint32_t b = pfirst + (uint32_t)((i % pcount + 1 + rng_next(g) % (pcount - 1)) % pcount);
        c->parent[0] = a;
        c->parent[1] = b;
        c->surname = f->p[a].surname;
        c->generation = (uint8_t)(f->p[a].generation + 1);
        c->born = (uint16_t)(f->p[a].born > f->p[b].born ? f->p[a].born : f->p[b].born) + 20 +
                  (uint16_t)(rng_next(g) % 15);
    }
}

/* children[] grouped by parent, from the parent links. */
static int link_children(struct family *f)
{
    f->child = malloc((size_t)f->n * 2 * sizeof *f->child);
    if (f->child == NULL)
        return -1;
    for (uint32_t id = 1; id <= f->n; id++)
        for (int k = 0; k < 2; k++)
            if (f->p[id].parent[k] != 0)
                f->p[f->p[id].parent[k]].children++;
    uint32_t at = 0;
    for (uint32_t id = 1; id <= f->n; id++) {
        f->p[id].first_child = at;
        at += f->p[id].children;
        f->p[id].children = 0;
    }
    for (uint32_t id = 1; id <= f->n; id++)
        for (int k = 0; k < 2; k++)
            if (f->p[id].parent[k] != 0) {
                struct person *par = &f->p[f->p[id].parent[k]];
                f->child[par->first_child + par->children++] = id;
            }
    return 0;
}

struct family *family_new(uint64_t seed, uint32_t n)
{
    if (n < 2 || n > FAMILY_MAX_SIZE)
        return NULL;
    struct family *f = calloc(1, sizeof *f);
    if (f == NULL || (f->p = calloc((size_t)n + 1, sizeof *f->p)) == NULL) {
        free(f);
        return NULL;
    }
    f->n = n;
    struct rng g;
    rng_seed(&g, seed ^ UINT64_C(0x66616d696c79)); /* its own stream: "family" */
    for (uint32_t id = 1; id <= n; id++) {
        f->p[id].given = (uint8_t)(rng_next(&g) % GIVEN);
        f->p[id].surname = (uint8_t)(rng_next(&g) % SURNAMES);
    }
    uint32_t first = 1, count = n < FOUNDERS ? n : FOUNDERS;
    for (uint32_t id = 1; id <= count; id++)
        f->p[id].born = (uint16_t)(1800 + rng_next(&g) % 20);
    f->generations = 1;
    while (first + count <= n) {
        uint32_t next = first + count, size = n - next + 1 < 2 * count ? n - next + 1 : 2 * count;
        if (count < 2) /* a lone founder cannot have two parents' children */
            break;
        born_to(f, &g, next, size, first, count);
        first = next;
        count = size;
        f->generations++;
    }
    if (link_children(f) != 0) {
        family_free(f);
        return NULL;
    }
    return f;
}

void family_free(struct family *f)
{
    if (f == NULL)
        return;
    free(f->p);
    free(f->child);
    free(f);
}

unsigned family_parents(const struct family *f, uint32_t id, uint32_t out[2])
{
    if (id < 1 || id > f->n || f->p[id].parent[0] == 0)
        return 0;
    out[0] = f->p[id].parent[0];
    out[1] = f->p[id].parent[1];
    return 2;
}

unsigned family_children(const struct family *f, uint32_t id, const uint32_t **out)
{
    if (id < 1 || id > f->n)
        return 0;
    *out = f->child + f->p[id].first_child;
    return f->p[id].children;
}

/* ids as JSON array elements: numbers, or links with the query (already
 * escaped for a JSON string) when query is not NULL. */
static void id_list(FILE *out, const uint32_t *ids, unsigned n, int *any, const char *query)
{
    for (unsigned i = 0; i < n; i++, *any = 1) {
        if (query == NULL)
            fprintf(out, "%s%u", *any ? "," : "", ids[i]);
        else
            fprintf(out, "%s\"/family/%u%s%s\"", *any ? "," : "", ids[i], *query ? "?" : "", query);
    }
}

char *family_json(const struct family *f, uint32_t id, const char *query)
{
    if (id < 1 || id > f->n)
        return NULL;
    const struct person *p = &f->p[id];
    uint32_t parents[2];
    unsigned np = family_parents(f, id, parents);
    const uint32_t *children = NULL;
    unsigned nc = family_children(f, id, &children);
    char *buf = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&buf, &len);
    if (out == NULL)
        return NULL;
    fprintf(out, "{\"id\":%u,\"name\":\"%s %s\",\"born\":%u,\"generation\":%u,\"parents\":[", id, given[p->given],
            surname[p->surname], p->born, p->generation);
    int any = 0;
    id_list(out, parents, np, &any, NULL);
    fputs("],\"children\":[", out);
    any = 0;
    id_list(out, children, nc, &any, NULL);
    fputs("],\"links\":[", out);
    any = 0;
    /* the query goes into a JSON string: it is a request target, so it has no
     * raw '"' or control byte worth keeping; any such byte is escaped. */
    char q[2 * 2048 + 1] = "";
    for (size_t i = 0, o = 0; query != NULL && query[i] != '\0' && o + 7 < sizeof q; i++) {
        unsigned char c = (unsigned char)query[i];
        o += (size_t)(c < 0x20 || c == '"' || c == '\\' ? snprintf(q + o, sizeof q - o, "\\u%04x", c)
                                                          : snprintf(q + o, sizeof q - o, "%c", c));
    }
    id_list(out, parents, np, &any, q);
    id_list(out, children, nc, &any, q);
    fputs("]}", out);
    if (fclose(out) != 0) {
        free(buf);
        return NULL;
    }
    return buf;
}
