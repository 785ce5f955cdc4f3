/* family: the made-up family tree behind /family/ID, for the crawl exercise.
 *
 * The tutorials' second exercise explores a linked API (Wikidata's family of
 * Queen Victoria) breadth first. sayhi serves a family of its own instead,
 * generated from the server's seed so that a crawl is offline and
 * reproducible: same seed and size, same family. People are numbered 1..N
 * and born in generations: the first generation are founders without
 * parents; everyone after has two distinct parents in the generation before
 * (the first of them chosen so that every parent has at least one child, so
 * the whole family is reachable from person 1), a name from a built-in list
 * (the family name of that first parent) and a birth year. Pure: built and
 * unit-tested without a socket. Not for: delays or faults (the endpoint
 * applies the /say-hi parameters). */
#ifndef SAYHI_FAMILY_H
#define SAYHI_FAMILY_H

#include <stddef.h>
#include <stdint.h>

#define FAMILY_DEFAULT_SIZE 1000
#define FAMILY_MAX_SIZE 1000000

struct family;

/* A family of n people (2 to FAMILY_MAX_SIZE) from seed; NULL when out of
 * memory. */
struct family *family_new(uint64_t seed, uint32_t n);
void family_free(struct family *f);

uint32_t family_size(const struct family *f);

/* Generations, founders first. */
unsigned family_generations(const struct family *f);

/* Parents of id (1-based) into out[0..2): returns how many (0 for a
 * founder, else 2); children: returns their count and sets *out to them. */
unsigned family_parents(const struct family *f, uint32_t id, uint32_t out[2]);
unsigned family_children(const struct family *f, uint32_t id, const uint32_t **out);

/* {"id":ID,"name":"...","born":YEAR,"generation":G,"parents":[...],
 * "children":[...],"links":["/family/P?QUERY",...]}: links are the parents
 * then the children, each with query (the request's, as received; NULL or ""
 * for none). malloc'd; NULL when id is not in the family or out of memory. */
char *family_json(const struct family *f, uint32_t id, const char *query);

#endif
