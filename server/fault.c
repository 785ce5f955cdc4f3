/* fault: parsing and drawing fault lists (fault.h). Probabilities are summed
 * as exact fixed-point decimals, so 0.1 + 0.2 + 0.7 is 1, not 1.0000000000000002
 * and rejected as it would be in doubles. */
#include "fault.h"

#include "duration.h"
#include "grammar.h"

#include <stdio.h>
#include <string.h>

static const char *const names[FAULT_KINDS] = {
    [FAULT_NONE] = "none",       [FAULT_RESET] = "reset",       [FAULT_CLOSE] = "close",
    [FAULT_GARBAGE] = "garbage", [FAULT_TRUNCATE] = "truncate", [FAULT_HANG] = "hang",
};

const char *fault_name(enum fault f) { return (unsigned)f < FAULT_KINDS ? names[f] : NULL; }

struct parse {
    struct fault_list f;
    uint64_t p[FAULT_KINDS]; /* in GRAMMAR_UNIT, each <= 1 */
    const char *s;
    char *err;
    size_t errlen;
};

static enum fault kind_of(const char *name, size_t len)
{
    for (int k = FAULT_NONE + 1; k < FAULT_KINDS; k++)
        if (strlen(names[k]) == len && memcmp(names[k], name, len) == 0)
            return (enum fault)k;
    return FAULT_NONE;
}

static int add_entry(const struct grammar_item *it, void *arg)
{
    struct parse *q = arg;
    char quoted[GRAMMAR_ECHO_MAX / 2];
    enum fault kind = kind_of(it->name, it->name_len);
    uint64_t p = GRAMMAR_UNIT;
    if (it->name_len == 0 && it->number == NULL)
        return grammar_error(q->err, q->errlen, "fault", q->s, "an entry is empty");
    if (kind == FAULT_NONE && it->name_len == 4 && memcmp(it->name, "none", 4) == 0)
        return grammar_error(q->err, q->errlen, "fault", q->s, "none stands alone, not in a list");
    if (kind == FAULT_NONE)
        return grammar_error(q->err, q->errlen, "fault", q->s,
                             "'%s' is not a fault: expected reset, close, garbage, truncate, hang or none",
                             grammar_quote(it->name, it->name_len, quoted, sizeof quoted));
    for (unsigned i = 0; i < q->f.n; i++)
        if (q->f.kind[i] == kind)
            return grammar_error(q->err, q->errlen, "fault", q->s, "%s is listed twice", names[kind]);
    if (it->number != NULL && (grammar_decimal(it->number, it->number_len, &p) != 0 || p > GRAMMAR_UNIT))
        return grammar_error(q->err, q->errlen, "fault", q->s,
                             "the probability '%s' of %s is not a decimal from 0 to 1 (9 decimal places at most)",
                             grammar_quote(it->number, it->number_len, quoted, sizeof quoted), names[kind]);
    q->f.kind[q->f.n] = kind;
    q->p[q->f.n++] = p;
    return 0;
}

int fault_parse(const char *s, struct fault_list *f, char *err, size_t errlen)
{
    struct parse q = {.f = {.n = 0}, .s = s, .err = err, .errlen = errlen};
    if (strcmp(s, "none") != 0 && grammar_each_item(s, add_entry, &q) != 0)
        return -1;
    uint64_t sum = 0;
    for (unsigned i = 0; i < q.f.n; i++) {
        sum += q.p[i];
        q.f.cum[i] = (double)sum / (double)GRAMMAR_UNIT;
    }
    if (sum > GRAMMAR_UNIT) {
        char total[32];
        return grammar_error(err, errlen, "fault", s, "the probabilities add up to %s, above 1",
                             duration_decimal((int64_t)sum, (int64_t)GRAMMAR_UNIT, total, sizeof total));
    }
    *f = q.f;
    return 0;
}

enum fault fault_draw(const struct fault_list *f, struct rng *r)
{
    unsigned i = grammar_pick(f->cum, f->n, rng_uniform(r));
    return i < f->n ? f->kind[i] : FAULT_NONE;
}
