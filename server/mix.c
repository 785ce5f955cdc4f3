/* mix: parsing and drawing status mixes (mix.h). Weights are summed as exact
 * fixed-point integers (grammar_decimal) and turned into fractions once, so
 * the last cumulative weight is exactly 1 whatever was written. */
#include "mix.h"

#include "grammar.h"

#include <stdio.h>

struct parse {
    struct status_mix m;
    uint64_t weight[MIX_MAX]; /* in GRAMMAR_UNIT; each < 10^18, so 16 add up below 2^64 */
    const char *s;
    char *err;
    size_t errlen;
};

/* The code written in name[0..len), or 0 when it is not 3 digits in range. */
static unsigned code_of(const char *name, size_t len)
{
    unsigned code = 0;
    for (size_t i = 0; i < len; i++) {
        if (name[i] < '0' || name[i] > '9')
            return 0;
        code = code * 10 + (unsigned)(name[i] - '0');
    }
    return len == 3 && code >= MIX_CODE_MIN && code <= MIX_CODE_MAX ? code : 0;
}

static int add_entry(const struct grammar_item *it, void *arg)
{
    struct parse *p = arg;
    char q[GRAMMAR_ECHO_MAX / 2];
    unsigned code = code_of(it->name, it->name_len);
    uint64_t w = GRAMMAR_UNIT;
    if (it->name_len == 0 && it->number == NULL)
        return grammar_error(p->err, p->errlen, "status", p->s, "an entry is empty");
    if (code == 0)
        return grammar_error(p->err, p->errlen, "status", p->s, "'%s' is not a status from %d to %d",
                             grammar_quote(it->name, it->name_len, q, sizeof q), MIX_CODE_MIN, MIX_CODE_MAX);
    for (unsigned i = 0; i < p->m.n; i++)
        if (p->m.code[i] == code)
            return grammar_error(p->err, p->errlen, "status", p->s, "%u is listed twice", code);
    if (p->m.n == MIX_MAX)
        return grammar_error(p->err, p->errlen, "status", p->s, "more than %d entries", MIX_MAX);
    if (it->number != NULL && grammar_decimal(it->number, it->number_len, &w) != 0)
        return grammar_error(p->err, p->errlen, "status", p->s,
                             "the weight '%s' of %u is not a decimal like 0.9 (9 digits at most on each side of the point)",
                             grammar_quote(it->number, it->number_len, q, sizeof q), code);
    if (w == 0)
        return grammar_error(p->err, p->errlen, "status", p->s, "the weight of %u must be above 0", code);
    p->m.code[p->m.n] = code;
    p->weight[p->m.n++] = w;
    return 0;
}

int mix_parse(const char *s, struct status_mix *m, char *err, size_t errlen)
{
    struct parse p = {.m = {.n = 0}, .s = s, .err = err, .errlen = errlen};
    if (grammar_each_item(s, add_entry, &p) != 0)
        return -1;
    uint64_t total = 0, sum = 0;
    for (unsigned i = 0; i < p.m.n; i++)
        total += p.weight[i];
    for (unsigned i = 0; i < p.m.n; i++) {
        sum += p.weight[i];
        p.m.cum[i] = (double)sum / (double)total; /* exactly 1 at the last */
    }
    *m = p.m;
    return 0;
}

unsigned mix_draw(const struct status_mix *m, struct rng *r)
{
    unsigned i = grammar_pick(m->cum, m->n, rng_uniform(r));
    return m->n == 0 ? 200 : m->code[i < m->n ? i : m->n - 1];
}
