/* recent: the dashboard's ring of requests and series of samples (recent.h). */
#include "recent.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void recent_init(struct recent *r) { memset(r, 0, sizeof *r); }

void recent_add(struct recent *r, int64_t start_us, int64_t end_us, int64_t delay_us, unsigned status)
{
    r->ended++;
    r->req[(r->ended - 1) % RECENT_MAX] =
        (struct recent_request){.id = r->ended, .start_us = start_us, .end_us = end_us, .delay_us = delay_us,
                                .status = status};
}

void recent_tick(struct recent *r, int64_t now_us, uint64_t in_flight)
{
    const struct recent_sample *last = r->samples > 0 ? &r->sample[(r->samples - 1) % RECENT_SAMPLES] : NULL;
    int64_t span_us = last != NULL ? now_us - last->t_us : RECENT_TICK_MS * 1000;
    double per_s = span_us > 0 ? (double)(r->ended - r->ended_at_sample) * 1e6 / (double)span_us : 0;
    r->sample[r->samples % RECENT_SAMPLES] = (struct recent_sample){.t_us = now_us, .in_flight = in_flight,
                                                                    .per_s = per_s};
    r->samples++;
    r->ended_at_sample = r->ended;
}

static double ms(int64_t us) { return (double)us / 1000.0; }

char *recent_json(const struct recent *r, uint64_t since, int64_t now_us, uint64_t in_flight, uint64_t peak,
                  const struct recent_open *open, unsigned nopen)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (f == NULL)
        return NULL;
    fprintf(f, "{\"now_ms\":%.3f,\"in_flight\":%llu,\"peak_in_flight\":%llu,\"last_id\":%llu,\"series\":[", ms(now_us),
            (unsigned long long)in_flight, (unsigned long long)peak, (unsigned long long)r->ended);
    uint64_t first = r->samples > RECENT_SAMPLES ? r->samples - RECENT_SAMPLES : 0;
    for (uint64_t i = first; i < r->samples; i++) {
        const struct recent_sample *s = &r->sample[i % RECENT_SAMPLES];
        fprintf(f, "%s[%.3f,%llu,%.3f]", i > first ? "," : "", ms(s->t_us), (unsigned long long)s->in_flight,
                s->per_s);
    }
    fputs("],\"ended\":[", f);
    uint64_t oldest = r->ended > RECENT_MAX ? r->ended - RECENT_MAX + 1 : 1;
    uint64_t from = since + 1 > oldest ? since + 1 : oldest;
    for (uint64_t id = from; id <= r->ended; id++) {
        const struct recent_request *q = &r->req[(id - 1) % RECENT_MAX];
        fprintf(f, "%s[%llu,%.3f,%.3f,%u,%.3f]", id > from ? "," : "",
                (unsigned long long)q->id, ms(q->start_us), ms(q->end_us), q->status, ms(q->delay_us));
    }
    fputs("],\"open\":[", f);
    for (unsigned i = 0; i < nopen; i++)
        fprintf(f, "%s[%.3f,%.3f]", i ? "," : "", ms(open[i].start_us), ms(open[i].delay_us));
    fputs("]}", f);
    if (fclose(f) != 0) {
        free(buf);
        return NULL;
    }
    return buf;
}
