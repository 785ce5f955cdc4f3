/* Unit tests of the pure modules: durations, flag values, request targets,
 * query parameters, route table, JSON bodies and log escaping. */
#include "cli.h"
#include "duration.h"
#include "family.h"
#include "log.h"
#include "params.h"
#include "recent.h"
#include "routes.h"
#include "server_int.h"
#include "target.h"

#include "testsuite.h"

#include <check.h>
#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

static int64_t parse_ok(const char *s)
{
    int64_t us = -1;
    ck_assert_msg(duration_parse(s, &us) == 0, "'%s' should parse", s);
    return us;
}

START_TEST(duration_valid_forms)
{
    ck_assert_int_eq(parse_ok("1"), 1000000);
    ck_assert_int_eq(parse_ok("0"), 0);
    ck_assert_int_eq(parse_ok("0.25"), 250000);
    ck_assert_int_eq(parse_ok(".5"), 500000);
    ck_assert_int_eq(parse_ok("2."), 2000000);
    ck_assert_int_eq(parse_ok("250ms"), 250000);
    ck_assert_int_eq(parse_ok("1.5s"), 1500000);
    ck_assert_int_eq(parse_ok("500us"), 500);
    ck_assert_int_eq(parse_ok("2m"), 120000000);
    ck_assert_int_eq(parse_ok("1h"), 3600000000); /* what --help's "at most 1h" says */
    ck_assert_int_eq(parse_ok("8760h"), DURATION_MAX_US);
    ck_assert_int_eq(parse_ok("0.0005ms"), 0); /* below a microsecond truncates */
    ck_assert_int_eq(parse_ok("1.0000001"), 1000000);
    ck_assert_int_eq(parse_ok("0.123456789123456s"), 123456);
    ck_assert_int_eq(parse_ok("31536000"), DURATION_MAX_US);
}
END_TEST

START_TEST(duration_rejects)
{
    static const char *bad[] = {"", "-1", "-0", "+1", " 1", "1 ", "nan", "NaN", "inf", "infinity", "1e3", "1e-9",
                                "0x10", "1ms5", "1.2.3", ".", "s", "ms", "h", "1hr", "8761h", "1 s", "1S", "10msx", "abc",
                                "31536001", "99999999999999999999", "1e308", "525601m", "1,5"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int64_t us = 42;
        ck_assert_msg(duration_parse(bad[i], &us) == -1, "'%s' should be rejected", bad[i]);
        ck_assert_int_eq(us, 42);
    }
    ck_assert_int_eq(duration_parse(NULL, NULL), -1);
}
END_TEST

START_TEST(duration_format_round_trips)
{
    static const struct {
        int64_t us;
        const char *text;
    } cases[] = {{0, "0s"},          {1000000, "1s"},   {60000000, "60s"}, {1500000, "1.5s"},
                 {250000, "250ms"},  {1250, "1.25ms"},  {500, "500us"},
                 {13153600500000, "13153600.5s"}, /* found by fuzz_duration: was "1.31536e+07s" */
                 {1000001, "1.000001s"}, {999999, "999.999ms"}, {DURATION_MAX_US, "31536000s"}};
    char buf[32];
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        ck_assert_str_eq(duration_format(cases[i].us, buf, sizeof buf), cases[i].text);
        ck_assert_int_eq(parse_ok(buf), cases[i].us);
    }
}
END_TEST

START_TEST(cli_uint)
{
    uint64_t v = 7;
    ck_assert_int_eq(cli_parse_uint("--port", "8080", 0, 65535, &v), 0);
    ck_assert_uint_eq(v, 8080);
    ck_assert_int_eq(cli_parse_uint("--port", "0", 0, 65535, &v), 0);
    ck_assert_uint_eq(v, 0);
    static const char *bad[] = {"", "-1", "+1", "abc", "80x", "65536", " 1", "99999999999999999999999"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        v = 7;
        ck_assert_msg(cli_parse_uint("--port", bad[i], 0, 65535, &v) == -1, "'%s' accepted", bad[i]);
        ck_assert_uint_eq(v, 7);
    }
}
END_TEST

START_TEST(cli_duration_range)
{
    int64_t us = 0;
    ck_assert_int_eq(cli_parse_duration("--delay", "2s", 0, 60000000, &us), 0);
    ck_assert_int_eq(us, 2000000);
    ck_assert_int_eq(cli_parse_duration("--delay", "61s", 0, 60000000, &us), -1);
    ck_assert_int_eq(cli_parse_duration("--delay", "soon", 0, 60000000, &us), -1);
    ck_assert_int_eq(us, 2000000);
}
END_TEST

/* Applies "k=v" pairs (v may be "(null)" for a key without '='). */
static int apply(struct params *p, const char *key, const char *value, char *err)
{
    params_defaults(p, 60000000, 1 << 20);
    return params_set(p, key, value, value != NULL ? strlen(value) : 0, err, 256);
}

/* The behaviour p draws with seed 1. */
static struct behaviour drawn(const struct params *p)
{
    struct behaviour b;
    params_draw(p, 1, &b);
    return b;
}

START_TEST(params_defaults_and_overrides)
{
    struct params p;
    char err[256] = "";
    ck_assert_int_eq(apply(&p, "other", "x", err), 0);
    ck_assert_uint_eq(p.ignored, 1);
    ck_assert_int_eq(drawn(&p).delay_us, 1000000);
    ck_assert_uint_eq(drawn(&p).status, 200);
    ck_assert_int_eq(drawn(&p).fault, FAULT_NONE);
    ck_assert_int_eq(apply(&p, "delay", "250ms", err), 0);
    ck_assert_int_eq(drawn(&p).delay_us, 250000);
    ck_assert_int_eq(apply(&p, "delay", "0", err), 0);
    ck_assert_int_eq(drawn(&p).delay_us, 0);
    ck_assert_int_eq(apply(&p, "delay", "60s", err), 0); /* the cap itself is allowed */
    ck_assert_int_eq(apply(&p, "status", "503", err), 0);
    ck_assert_uint_eq(drawn(&p).status, 503);
    ck_assert(p.status_given);
    ck_assert_int_eq(apply(&p, "status", "599", err), 0);
    ck_assert_int_eq(apply(&p, "fault", "reset", err), 0);
    ck_assert_int_eq(drawn(&p).fault, FAULT_RESET);
    ck_assert_int_eq(apply(&p, "size", "100k", err), 0);
    ck_assert_uint_eq(p.size, 102400);
    ck_assert_int_eq(apply(&p, "drip", "1.5s", err), 0);
    ck_assert_int_eq(p.drip_us, 1500000);
    ck_assert_int_eq(apply(&p, "seed", "18446744073709551615", err), 0);
    ck_assert(p.seeded && p.seed == UINT64_MAX);
    ck_assert_int_eq(apply(&p, "key", "a\0b", err), 0); /* strlen: just "a" */
    ck_assert_uint_eq(p.key_len, 1);
}
END_TEST

START_TEST(params_draws_are_the_seeds)
{
    struct params p;
    char err[256];
    ck_assert_int_eq(apply(&p, "delay", "0..1s", err), 0);
    struct behaviour a, b;
    params_draw(&p, 7, &a);
    params_draw(&p, 7, &b);
    ck_assert_int_eq(a.delay_us, b.delay_us); /* the same seed, the same draw */
    p.seeded = true;
    p.seed = 7;
    params_draw(&p, 8, &b); /* ?seed= wins over the server's draw */
    ck_assert_int_eq(a.delay_us, b.delay_us);
    /* A draw above --max-delay is clamped to it and said to be. */
    params_defaults(&p, 1000, 1 << 20);
    p.delay = (struct dist){.kind = DIST_FIXED, .a_us = 5000};
    params_draw(&p, 1, &a);
    ck_assert(a.capped && a.delay_us == 1000);
}
END_TEST

START_TEST(params_errors_say_what)
{
    struct params p;
    char err[256];
    static const struct {
        const char *key, *value, *needle;
    } cases[] = {
        {"delay", "abc", "invalid delay 'abc'"},
        {"delay", "", "invalid delay ''"},
        {"delay", NULL, "invalid delay ''"},
        {"delay", "nan", "invalid delay"},
        {"delay", "-1", "invalid delay"},
        {"delay", "61s", "above the server's --max-delay of 60s"},
        {"delay", "lognormal:1s,70s", "its 99th percentile is above the server's --max-delay of 60s"},
        {"delay", "1s..61s", "its upper bound is above"},
        {"delay", "1e308", "invalid delay"},
        {"status", "700", "invalid status '700'"},
        {"status", "199", "invalid status '199'"},
        {"status", "abc", "invalid status 'abc'"},
        {"status", "", "invalid status"},
        {"status", "0200", "invalid status"},
        {"status", "-200", "invalid status"},
        {"fault", "boom", "invalid fault 'boom'"},
        {"size", "2M", "invalid size '2M'"},
        {"drip", "61s", "invalid drip '61s'"},
        {"drip", "x", "invalid drip 'x'"},
        {"fail_first", "-1", "invalid fail_first '-1'"},
        {"seed", "18446744073709551616", "invalid seed"},
        {"key", "", "invalid key ''"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        err[0] = '\0';
        ck_assert_int_eq(apply(&p, cases[i].key, cases[i].value, err), -1);
        ck_assert_msg(strstr(err, cases[i].needle) != NULL, "error '%s' lacks '%s'", err, cases[i].needle);
    }
    /* A long junk value is echoed only in part. */
    char junk[4000];
    memset(junk, 'x', sizeof junk - 1);
    junk[sizeof junk - 1] = '\0';
    ck_assert_int_eq(apply(&p, "delay", junk, err), -1);
    ck_assert_uint_lt(strlen(err), 200);
    /* fail_first needs a key */
    ck_assert_int_eq(apply(&p, "fail_first", "2", err), 0);
    ck_assert_int_eq(params_check(&p, err, sizeof err), -1);
    ck_assert_msg(strstr(err, "fail_first needs a key") != NULL, "%s", err);
}
END_TEST

START_TEST(params_repeated_key)
{
    struct params p;
    char err[256];
    params_defaults(&p, 1000000, 1 << 20);
    ck_assert_int_eq(params_set(&p, "delay", "1", 1, err, sizeof err), 0);
    ck_assert_int_eq(params_set(&p, "delay", "1", 1, err, sizeof err), -1);
    ck_assert_str_eq(err, "delay is given more than once");
    ck_assert_int_eq(params_set(&p, "status", "201", 3, err, sizeof err), 0);
    ck_assert_int_eq(params_set(&p, "status", "201", 3, err, sizeof err), -1);
}
END_TEST

START_TEST(routes_table)
{
    const struct endpoint *e = endpoints_lookup("/say-hi", 7);
    ck_assert_ptr_nonnull(e);
    ck_assert_str_eq(e->path, "/say-hi");
    ck_assert_str_eq(endpoints_lookup("/stats", 6)->path, "/stats");
    ck_assert_str_eq(endpoints_lookup("/healthz", 8)->path, "/healthz");
    ck_assert_ptr_null(endpoints_lookup("/say-hi/", 8));
    ck_assert_ptr_null(endpoints_lookup("/SAY-HI", 7));
    ck_assert_ptr_null(endpoints_lookup("/say-hi\0junk", 12)); /* the length counts, not the NUL */
    ck_assert(endpoints_allow(e, "GET"));
    ck_assert(endpoints_allow(e, "HEAD"));
    ck_assert(!endpoints_allow(e, "POST"));
    ck_assert(!endpoints_allow(e, "get"));
    ck_assert(!endpoints_allow(e, "GE"));
    ck_assert_str_eq(e->methods, "GET, HEAD");
    ck_assert_str_eq(endpoints_paths(), "/say-hi, /family/, /stats, /healthz, /, /recent or /events");
    ck_assert_str_eq(endpoints_lookup("/family/12", 10)->path, "/family/");
    ck_assert_ptr_null(endpoints_lookup("/family/", 8)); /* a prefix needs more after it */
    ck_assert_str_eq(endpoints_lookup("/", 1)->path, "/");
    ck_assert_ptr_null(endpoints_lookup("/x", 2)); /* "/" is exact, not a prefix */
    /* --help lists every endpoint, from the same table. */
    char *help = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&help, &len);
    server_print_endpoints(f);
    fclose(f);
    ck_assert_msg(strstr(help, "/say-hi?delay=DIST&status=MIX") != NULL && strstr(help, "/stats") != NULL &&
                      strstr(help, "/healthz") != NULL,
                  "%s", help);
    free(help);
}
END_TEST

START_TEST(routes_say_hi_body_exact)
{
    char buf[96];
    routes_say_hi_body(buf, sizeof buf, 1000000);
    ck_assert_str_eq(buf, "{\"message\":\"Hi\",\"delay_ms\":1000}");
    routes_say_hi_body(buf, sizeof buf, 250);
    ck_assert_str_eq(buf, "{\"message\":\"Hi\",\"delay_ms\":0.25}");
    routes_say_hi_body(buf, sizeof buf, 1500001);
    ck_assert_str_eq(buf, "{\"message\":\"Hi\",\"delay_ms\":1500.001}");
    routes_say_hi_body(buf, sizeof buf, 0);
    ck_assert_str_eq(buf, "{\"message\":\"Hi\",\"delay_ms\":0}");
    cJSON *o = cJSON_Parse(buf);
    ck_assert_ptr_nonnull(o);
    ck_assert_str_eq(cJSON_GetObjectItem(o, "message")->valuestring, "Hi");
    cJSON_Delete(o);
}
END_TEST

START_TEST(routes_error_body_escapes)
{
    char *s = routes_error_body("bad \"value\"\n\\");
    cJSON *o = cJSON_Parse(s);
    ck_assert_ptr_nonnull(o);
    ck_assert_str_eq(cJSON_GetObjectItem(o, "error")->valuestring, "bad \"value\"\n\\");
    cJSON_Delete(o);
    free(s);
}
END_TEST

START_TEST(routes_stats_body_schema)
{
    struct routes_counters c = {.requests = 12, .in_flight = 3, .peak_in_flight = 9};
    c.status[200] = 10;
    c.status[404] = 2;
    char *s = routes_stats_body(&c, 1.5);
    cJSON *o = cJSON_Parse(s);
    ck_assert_ptr_nonnull(o);
    ck_assert_int_eq(cJSON_GetObjectItem(o, "requests")->valueint, 12);
    ck_assert_int_eq(cJSON_GetObjectItem(o, "in_flight")->valueint, 3);
    ck_assert_int_eq(cJSON_GetObjectItem(o, "peak_in_flight")->valueint, 9);
    ck_assert_double_eq(cJSON_GetObjectItem(o, "uptime_s")->valuedouble, 1.5);
    cJSON *codes = cJSON_GetObjectItem(o, "status_codes");
    ck_assert_int_eq(cJSON_GetArraySize(codes), 2);
    ck_assert_int_eq(cJSON_GetObjectItem(codes, "200")->valueint, 10);
    ck_assert_int_eq(cJSON_GetObjectItem(codes, "404")->valueint, 2);
    cJSON_Delete(o);
    free(s);
}
END_TEST

START_TEST(target_forms)
{
    struct target t;
    ck_assert_int_eq(target_split("/say-hi?delay=1s", &t), 0);
    ck_assert_str_eq(t.path, "/say-hi");
    ck_assert_str_eq(t.query, "delay=1s");
    ck_assert_int_eq(target_split("/say-hi", &t), 0);
    ck_assert_ptr_null(t.query);
    /* The absolute form (RFC 9112 3.2.2): scheme and authority are dropped. */
    ck_assert_int_eq(target_split("http://127.0.0.1:8080/say-hi?delay=0", &t), 0);
    ck_assert_str_eq(t.path, "/say-hi");
    ck_assert_str_eq(t.query, "delay=0");
    ck_assert_int_eq(target_split("HTTP://h", &t), 0);
    ck_assert_str_eq(t.path, "/");
    ck_assert_int_eq(target_split("http://h?x=1", &t), 0);
    ck_assert_str_eq(t.path, "/");
    ck_assert_str_eq(t.query, "x=1");
    /* Decoded with its length: %00 stays a byte, so the path is not "/say-hi". */
    ck_assert_int_eq(target_split("/say-hi%00junk", &t), 0);
    ck_assert_uint_eq(t.path_len, 12);
    ck_assert_uint_eq(strlen(t.path), 7);
    ck_assert_int_eq((int)t.raw_path_len, 14);
    ck_assert_int_eq(target_split("/a%2Fb%zz%4", &t), 0); /* bad escapes stay as they are */
    ck_assert_str_eq(t.path, "/a/b%zz%4");
    char big[TARGET_MAX_BYTES + 2];
    memset(big, 'a', sizeof big - 1);
    big[0] = '/';
    big[TARGET_MAX_BYTES] = '\0';
    ck_assert_int_eq(target_split(big, &t), 0);
    big[TARGET_MAX_BYTES] = 'a';
    big[TARGET_MAX_BYTES + 1] = '\0';
    ck_assert_int_eq(target_split(big, &t), -1);
}
END_TEST

struct seen {
    char text[512];
    int calls;
};

static int collect_param(const char *key, size_t key_len, const char *value, size_t value_len, void *arg)
{
    struct seen *s = arg;
    size_t n = strlen(s->text);
    snprintf(s->text + n, sizeof s->text - n, "[%zu:%s=%s:%zu]", key_len, key, value != NULL ? value : "(none)",
             value_len);
    return ++s->calls == 99; /* stop at the 99th */
}

START_TEST(target_params)
{
    struct seen s = {.calls = 0};
    ck_assert_int_eq(target_each_param("a=1&&b&c=x+y%2By&d=1%00z&=v", collect_param, &s), 0);
    ck_assert_str_eq(s.text, "[1:a=1:1][1:b=(none):0][1:c=x y+y:5][1:d=1:3][0:=v:1]");
    ck_assert_int_eq(target_each_param(NULL, collect_param, &s), 0);
    /* TARGET_MAX_PARAMS are walked; one more and none is. */
    char q[1024] = "";
    for (int i = 0; i < TARGET_MAX_PARAMS; i++)
        strcat(q, i ? "&k" : "k");
    s = (struct seen){.calls = 0};
    ck_assert_int_eq(target_each_param(q, collect_param, &s), 1); /* the callback's stop */
    ck_assert_int_eq(s.calls, 99);
    strcat(q, "&k");
    s = (struct seen){.calls = 0};
    ck_assert_int_eq(target_each_param(q, collect_param, &s), -1);
    ck_assert_int_eq(s.calls, 0);
}
END_TEST

START_TEST(params_nul_in_value)
{
    struct params p;
    char err[256];
    params_defaults(&p, 1000000, 1 << 20);
    ck_assert_int_eq(params_set(&p, "delay", "1\0junk", 6, err, sizeof err), -1);
    ck_assert_str_eq(err, "invalid delay '1%00junk': it holds a NUL byte");
    ck_assert_int_eq(params_set(&p, "status", "201\0x", 5, err, sizeof err), -1);
    ck_assert_msg(strstr(err, "invalid status '201%00x'") != NULL, "%s", err);
    ck_assert_int_eq(params_set(&p, "other", "a\0b", 3, err, sizeof err), 0); /* unknown: ignored */
}
END_TEST

START_TEST(log_escape_keeps_one_line)
{
    char buf[64];
    ck_assert_str_eq(log_escape("GET /a\nINFO x\"\\\x7f\xff", 17, buf, sizeof buf),
                     "GET /a\\x0aINFO x\\x22\\x5c\\x7f\\xff");
    ck_assert_str_eq(log_escape("a\0b", 3, buf, sizeof buf), "a\\x00b");
    char small[8];
    ck_assert_str_eq(log_escape("abcdefghij", 10, small, sizeof small), "abcd...");
    ck_assert_str_eq(log_escape("abcdefghij", 10, small, 3), "");
}
END_TEST

START_TEST(recent_ring_and_series)
{
    static struct recent rc;
    recent_init(&rc);
    char *j = recent_json(&rc, 0, 1000, 0, 0, NULL, 0);
    ck_assert_str_eq(j, "{\"now_ms\":1.000,\"in_flight\":0,\"peak_in_flight\":0,\"last_id\":0,\"series\":[],"
                        "\"ended\":[],\"open\":[]}");
    free(j);
    /* More than the ring holds: the oldest are dropped, ids go on. */
    for (int i = 0; i < RECENT_MAX + 10; i++)
        recent_add(&rc, i * 1000, i * 1000 + 500, 250, i % 2 ? 200 : 503);
    recent_tick(&rc, 250000, 3);
    recent_tick(&rc, 500000, 4); /* nothing ended in between: 0/s */
    struct recent_open open[1] = {{.start_us = 2000, .delay_us = 1500}};
    j = recent_json(&rc, RECENT_MAX + 8, 600000, 4, 9, open, 1);
    ck_assert_msg(strstr(j, "\"last_id\":522,") != NULL, "%s", j);
    ck_assert_msg(strstr(j, "\"ended\":[[521,520.000,520.500,503,0.250],[522,521.000,521.500,200,0.250]]") != NULL,
                  "%s", j);
    ck_assert_msg(strstr(j, "\"series\":[[250.000,3,2088.000],[500.000,4,0.000]]") != NULL, "%s", j);
    ck_assert_msg(strstr(j, "\"open\":[[2.000,1.500]]") != NULL, "%s", j);
    free(j);
    j = recent_json(&rc, 0, 600000, 4, 9, NULL, 0); /* since 0: the ring's whole content */
    cJSON *o = cJSON_Parse(j);
    ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(o, "ended")), RECENT_MAX);
    ck_assert_int_eq(cJSON_GetArrayItem(cJSON_GetArrayItem(cJSON_GetObjectItem(o, "ended"), 0), 0)->valueint, 11);
    cJSON_Delete(o);
    free(j);
    /* Written by hand, with the digits "%.3f" and "%llu" would print, and
     * exact where a double would not be (past 2^53 us, 285 years). */
    static struct recent edge;
    recent_init(&edge);
    recent_add(&edge, 0, 999, 1000, 599);
    recent_add(&edge, INT64_MAX, INT64_MAX, 1, 0);
    recent_tick(&edge, 1, 0);                 /* 2 ended in the first 250 ms: 8/s */
    recent_tick(&edge, 250001, UINT64_MAX);   /* none since: 0/s */
    struct recent_open far[1] = {{.start_us = INT64_MAX, .delay_us = 10}};
    j = recent_json(&edge, 0, -1500, UINT64_MAX, 1, far, 1);
    ck_assert_str_eq(j, "{\"now_ms\":-1.500,\"in_flight\":18446744073709551615,\"peak_in_flight\":1,\"last_id\":2,"
                        "\"series\":[[0.001,0,8.000],[250.001,18446744073709551615,0.000]],"
                        "\"ended\":[[1,0.000,0.999,599,1.000],[2,9223372036854775.807,9223372036854775.807,0,0.001]],"
                        "\"open\":[[9223372036854775.807,0.010]]}");
    free(j);
    /* A rate on a tie is rounded as "%.3f" rounds it: 7.8125/s is 7.812. */
    recent_init(&edge);
    recent_tick(&edge, 1, 0);
    recent_add(&edge, 0, 1, 1, 200);
    recent_add(&edge, 0, 1, 1, 200);
    recent_tick(&edge, 256001, 0);
    j = recent_json(&edge, 0, 0, 0, 0, NULL, 0);
    ck_assert_msg(strstr(j, "\"series\":[[0.001,0,0.000],[256.001,0,7.812]]") != NULL, "%s", j);
    free(j);
    /* The series keeps the last 60 s. */
    for (int i = 0; i < RECENT_SAMPLES + 5; i++)
        recent_tick(&rc, 750000 + i * 250000, 1);
    j = recent_json(&rc, 0, 0, 0, 0, NULL, 0);
    o = cJSON_Parse(j);
    ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(o, "series")), RECENT_SAMPLES);
    cJSON_Delete(o);
    free(j);
}
END_TEST

/* The family: the same for the same seed, two parents in the generation
 * before for all but the founders, children that agree with the parents,
 * everyone reachable from person 1. */
START_TEST(family_is_seeded_and_sound)
{
    struct family *a = family_new(42, 1000), *b = family_new(42, 1000), *c = family_new(43, 1000);
    ck_assert(a != NULL && b != NULL && c != NULL);
    ck_assert_uint_eq(family_generations(a), 7);
    int differ = 0;
    for (uint32_t id = 1; id <= 1000; id++) {
        char *x = family_json(a, id, NULL), *y = family_json(b, id, NULL), *z = family_json(c, id, NULL);
        ck_assert_str_eq(x, y);
        differ += strcmp(x, z) != 0;
        free(x);
        free(y);
        free(z);
        uint32_t par[2];
        unsigned np = family_parents(a, id, par);
        ck_assert_uint_eq(np, id <= 8 ? 0 : 2);
        for (unsigned k = 0; k < np; k++) {
            ck_assert(par[k] < id && par[0] != par[1]);
            const uint32_t *kids;
            unsigned nk = family_children(a, par[k], &kids), found = 0;
            for (unsigned i = 0; i < nk; i++)
                found += kids[i] == id;
            ck_assert_uint_eq(found, 1);
        }
    }
    ck_assert_int_gt(differ, 900);
    /* breadth first from 1 over parents and children reaches everyone */
    static uint32_t queue[1001];
    static char seen[1001];
    memset(seen, 0, sizeof seen);
    unsigned head = 0, tail = 0;
    queue[tail++] = 1;
    seen[1] = 1;
    while (head < tail) {
        uint32_t id = queue[head++], par[2];
        const uint32_t *kids;
        unsigned np = family_parents(a, id, par), nk = family_children(a, id, &kids);
        for (unsigned i = 0; i < np + nk; i++) {
            uint32_t next = i < np ? par[i] : kids[i - np];
            if (!seen[next]) {
                seen[next] = 1;
                queue[tail++] = next;
            }
        }
    }
    ck_assert_uint_eq(tail, 1000);
    ck_assert_ptr_null(family_json(a, 0, NULL));
    ck_assert_ptr_null(family_json(a, 1001, NULL));
    /* links carry the query, escaped for JSON */
    char *j = family_json(a, 20, "delay=1s&x=\"q\"");
    cJSON *o = cJSON_Parse(j);
    ck_assert_msg(o != NULL, "%s", j);
    const cJSON *links = cJSON_GetObjectItem(o, "links");
    ck_assert_int_eq(cJSON_GetArraySize(links), 2 + cJSON_GetArraySize(cJSON_GetObjectItem(o, "children")));
    ck_assert_msg(strstr(cJSON_GetArrayItem(links, 0)->valuestring, "?delay=1s&x=\"q\"") != NULL, "%s", j);
    cJSON_Delete(o);
    free(j);
    family_free(a);
    family_free(b);
    family_free(c);
    ck_assert_ptr_null(family_new(1, 1));
}
END_TEST

int main(void)
{
    Suite *s = suite_create("unit");
    struct {
        const char *name;
        const TTest *tests[6];
    } cases[] = {
        {"duration", {duration_valid_forms, duration_rejects, duration_format_round_trips}},
        {"cli", {cli_uint, cli_duration_range}},
        {"params",
         {params_defaults_and_overrides, params_draws_are_the_seeds, params_errors_say_what, params_repeated_key,
          params_nul_in_value}},
        {"target", {target_forms, target_params, log_escape_keeps_one_line}},
        {"recent", {recent_ring_and_series, family_is_seeded_and_sound}},
        {"routes", {routes_table, routes_say_hi_body_exact, routes_error_body_escapes, routes_stats_body_schema}},
    };
    cli_set_program("test_unit");
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        TCase *tc = testsuite_case(s, cases[i].name, 30, NULL, NULL);
        for (size_t j = 0; j < 6 && cases[i].tests[j] != NULL; j++)
            tcase_add_test(tc, cases[i].tests[j]);
    }
    return testsuite_run(s);
}
