/* libFuzzer target: the status mix, fault list and size parsers
 * (server/mix.h, fault.h, size.h), each given every input.
 *
 * Invariants: an accepted mix has 1..MIX_MAX distinct codes in 200..599 and
 * cumulative weights rising within (0, 1] to exactly 1, and every draw is one
 * of its codes; an accepted fault list has at most one entry per kind,
 * cumulative probabilities rising within [0, 1], and draws give none or a
 * listed kind; an accepted size is at most its limit and formats to text
 * that parses back to it. Each draw consumes exactly one output of the
 * generator. A rejection leaves the result alone and says why in one short
 * line. */
#include "fault.h"
#include "mix.h"
#include "size.h"

#include "fuzz_check.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* cum[0..n) rises from above floor to exactly last (or at most last). */
static void check_cum(const double *cum, unsigned n, double floor, double last, int exact)
{
    for (unsigned i = 0; i < n; i++)
        fuzz_require(cum[i] >= (i > 0 ? cum[i - 1] : floor) && cum[i] <= last);
    fuzz_require(!exact || cum[n - 1] == last);
}

/* Whether one draw from a parsed list gave one of its entries. */
typedef int draw_fn(const void *list, struct rng *r);

static int mix_draw_listed(const void *list, struct rng *r)
{
    const struct status_mix *m = list;
    unsigned code = mix_draw(m, r), i = 0;
    while (i < m->n && m->code[i] != code)
        i++;
    return i < m->n;
}

static int fault_draw_listed(const void *list, struct rng *r)
{
    const struct fault_list *f = list;
    enum fault got = fault_draw(f, r);
    unsigned i = 0;
    while (i < f->n && f->kind[i] != got)
        i++;
    return (got == FAULT_NONE || i < f->n) && fault_name(got) != NULL;
}

/* Draws from list with a generator seeded by the input: each gives a listed
 * entry and consumes exactly one output. */
static void check_draws(draw_fn *draw, const void *list, const uint8_t *data, size_t size)
{
    struct rng r, ahead;
    fuzz_rng(&r, data, size);
    for (int k = 0; k < 8; k++) {
        ahead = r;
        rng_next(&ahead);
        fuzz_require(draw(list, &r) && rng_next(&r) == rng_next(&ahead));
    }
}

static void check_mix(const char *s, const uint8_t *data, size_t size)
{
    struct status_mix m = {.n = 99};
    char err[FUZZ_ERR_LEN];
    fuzz_err_reset(err);
    int rc = mix_parse(s, &m, err, sizeof err);
    if (!fuzz_accepted(rc, m.n == 99, err, "invalid status '"))
        return;
    fuzz_require(m.n >= 1 && m.n <= MIX_MAX && m.cum[0] > 0);
    check_cum(m.cum, m.n, 0, 1.0, 1);
    for (unsigned i = 0; i < m.n; i++)
        for (unsigned j = 0; j <= i; j++)
            fuzz_require(m.code[i] >= 200 && m.code[i] <= 599 && (j == i || m.code[i] != m.code[j]));
    check_draws(mix_draw_listed, &m, data, size);
}

static void check_faults(const char *s, const uint8_t *data, size_t size)
{
    struct fault_list f = {.n = 99};
    char err[FUZZ_ERR_LEN];
    fuzz_err_reset(err);
    int rc = fault_parse(s, &f, err, sizeof err);
    if (!fuzz_accepted(rc, f.n == 99, err, "invalid fault '"))
        return;
    fuzz_require(f.n < FAULT_KINDS && (f.n > 0 || strcmp(s, "none") == 0));
    check_cum(f.cum, f.n, 0, 1.0, 0);
    for (unsigned i = 0; i < f.n; i++)
        for (unsigned j = 0; j <= i; j++)
            fuzz_require(f.kind[i] > FAULT_NONE && f.kind[i] < FAULT_KINDS && (j == i || f.kind[i] != f.kind[j]));
    check_draws(fault_draw_listed, &f, data, size);
}

static void check_size(const char *s, uint64_t max)
{
    uint64_t v = 7, again = 8;
    char err[FUZZ_ERR_LEN], text[SIZE_TEXT_MAX];
    fuzz_err_reset(err);
    int rc = size_parse(s, max, &v, err, sizeof err);
    if (!fuzz_accepted(rc, v == 7, err, "invalid size '"))
        return;
    fuzz_require(v <= max);
    size_format(v, text, sizeof text);
    fuzz_require(size_parse(text, max, &again, err, sizeof err) == 0 && again == v);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = fuzz_string(data, size);
    check_mix(s, data, size);
    check_faults(s, data, size);
    check_size(s, 16 * UINT64_C(1048576));
    check_size(s, UINT64_MAX);
    free(s);
    return 0;
}
