/* Unit tests of what the clients share: stats and exact percentiles on known
 * data, response validation, --url parsing, the --json schema and the
 * --timeline rows. */
#include "client.h"
#include "cli.h"
#include "jsonnum.h"
#include "report.h"
#include "resolve.h"
#include "response.h"
#include "stats.h"
#include "validate.h"

#include "testsuite.h"

#include <check.h>
#include <cjson/cJSON.h>
#include <arpa/inet.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

START_TEST(percentiles_nearest_rank)
{
    uint32_t v[100];
    for (uint32_t i = 0; i < 100; i++)
        v[i] = i + 1;
    ck_assert_uint_eq(stats_percentile(v, 100, 50), 50);
    ck_assert_uint_eq(stats_percentile(v, 100, 90), 90);
    ck_assert_uint_eq(stats_percentile(v, 100, 99), 99);
    ck_assert_uint_eq(stats_percentile(v, 100, 100), 100);
    ck_assert_uint_eq(stats_percentile(v, 100, 0), 1);
    ck_assert_uint_eq(stats_percentile(v, 10, 50), 5);   /* 1..10 */
    ck_assert_uint_eq(stats_percentile(v, 10, 99), 10);
    ck_assert_uint_eq(stats_percentile(v, 1, 99), 1);
    ck_assert_uint_eq(stats_percentile(v, 3, 50), 2);    /* ceil(1.5) = 2nd */
    ck_assert_uint_eq(stats_percentile(v, 0, 50), 0);
}
END_TEST

START_TEST(summary_of_known_records)
{
    struct stats st;
    struct stats_summary sum;
    ck_assert_int_eq(stats_init(&st, 12), 0);
    int64_t t0 = st.t0_us;
    /* Ten successes with latencies 10..1 ms given out of order, then a 500
     * of 50 ms and a connect error of 2 ms (no response: not a latency). */
    for (size_t i = 0; i < 10; i++) {
        stats_begin(&st, i, t0 + (int64_t)i * 1000, t0 + (int64_t)i * 1000);
        stats_end(&st, i, t0 + (int64_t)i * 1000 + (int64_t)(10 - i) * 1000, 200, STATS_OK);
    }
    stats_begin(&st, 10, t0, t0);
    stats_end(&st, 10, t0 + 50000, 500, STATS_ERR_STATUS);
    stats_begin(&st, 11, t0, t0);
    stats_end(&st, 11, t0 + 2000, 0, STATS_ERR_CONNECT);
    ck_assert_int_eq(stats_summarize(&st, &sum), 0);
    ck_assert_uint_eq(sum.number, 12);
    ck_assert_uint_eq(sum.ok, 10);
    ck_assert_uint_eq(sum.failed, 2);
    ck_assert_uint_eq(sum.with_latency, 11);
    ck_assert_uint_eq(sum.status[200], 10);
    ck_assert_uint_eq(sum.status[500], 1);
    ck_assert_uint_eq(sum.errors[STATS_ERR_STATUS], 1);
    ck_assert_uint_eq(sum.errors[STATS_ERR_CONNECT], 1);
    ck_assert_int_eq(sum.lat.min, 1000);
    ck_assert_int_eq(sum.lat.max, 50000);
    ck_assert_int_eq(sum.lat.p50, 6000);  /* 6th of 11 */
    ck_assert_int_eq(sum.lat.p90, 10000); /* 10th of 11 */
    ck_assert_int_eq(sum.lat.p99, 50000);
    ck_assert(sum.lat.mean > 9545 && sum.lat.mean < 9546); /* 105 ms / 11 */
    stats_summary_free(&sum);
    stats_free(&st);
}
END_TEST

START_TEST(unfinished_requests_are_failures)
{
    struct stats st;
    struct stats_summary sum;
    ck_assert_int_eq(stats_init(&st, 3), 0);
    stats_begin(&st, 0, st.t0_us, st.t0_us);
    ck_assert_int_eq(stats_summarize(&st, &sum), 0);
    ck_assert_uint_eq(sum.failed, 3);
    ck_assert_uint_eq(sum.errors[STATS_ERR_CLOSED], 3);
    ck_assert_uint_eq(sum.with_latency, 0);
    stats_summary_free(&sum);
    stats_free(&st);
    ck_assert_uint_eq(sizeof(struct stats_record), 32); /* 10,000,000 requests in 320 MB, used or not */
}
END_TEST

START_TEST(validate_cases)
{
    static const struct {
        unsigned status;
        const char *body;
        enum stats_error want;
    } cases[] = {
        {200, "{\"message\":\"Hi\",\"delay_ms\":0}", STATS_OK},
        {201, "{\"message\":\"\"}", STATS_OK},
        {200, " {\"message\":\"Hi\"}\n", STATS_OK},
        {500, "{\"message\":\"Hi\"}", STATS_ERR_STATUS},
        {302, "", STATS_ERR_STATUS},
        {0, "", STATS_ERR_STATUS},
        {200, "", STATS_ERR_BODY},
        {200, "Hi", STATS_ERR_BODY},
        {200, "{\"message\":3}", STATS_ERR_BODY},
        {200, "{\"msg\":\"message\"}", STATS_ERR_BODY},
        {200, "[\"message\"]", STATS_ERR_BODY},
        {200, "{\"message\":\"Hi\"", STATS_ERR_BODY},
        {200, "{\"message\":\"Hi\"}junk", STATS_ERR_BODY},
        {200, "{\"Message\":\"Hi\"}", STATS_ERR_BODY},
        /* RFC 8259, not cJSON's leniency: raw control bytes only as the four
         * blanks between tokens, never inside strings; strict numbers; UTF-8. */
        {200, "{\x01\"message\"\x02:\x03\"hi\"\x04}", STATS_ERR_BODY},
        {200, "{\"message\":\"h\x01i\"}", STATS_ERR_BODY},
        {200, "{\"message\":\"h\ti\"}", STATS_ERR_BODY},
        {200, "{\"message\":\"hi\"}\x0b", STATS_ERR_BODY},
        {200, "\t{\r\n\"message\" :\t\"h\\t\\u00e9\\ud83d\\ude00\" }\r\n", STATS_OK},
        {200, "{\"message\":\"hi\",\"n\":01}", STATS_ERR_BODY},
        {200, "{\"message\":\"hi\",\"n\":1.}", STATS_ERR_BODY},
        {200, "{\"message\":\"hi\",\"n\":-0.5e+3,\"a\":[true,false,null,{}]}", STATS_OK},
        {200, "{\"message\":\"hi\",}", STATS_ERR_BODY},
        {200, "{\"message\":\"\\x41\"}", STATS_ERR_BODY},
        {200, "{\"message\":\"caf\xc3\xa9 \xf0\x9f\x98\x80\"}", STATS_OK},
        {200, "{\"message\":\"caf\xe9\"}", STATS_ERR_BODY},        /* Latin-1, not UTF-8 */
        {200, "{\"message\":\"\xc0\xaf\"}", STATS_ERR_BODY},      /* overlong '/' */
        {200, "{\"message\":\"\xed\xa0\x80\"}", STATS_ERR_BODY}, /* a surrogate */
        {200, "\xef\xbb\xbf{\"message\":\"hi\"}", STATS_ERR_BODY}, /* a byte order mark */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        ck_assert_msg(validate_response(cases[i].status, cases[i].body, strlen(cases[i].body)) == cases[i].want,
                      "case %zu: %u '%s'", i, cases[i].status, cases[i].body);
    char big[VALIDATE_BODY_MAX + 2];
    memset(big, ' ', sizeof big);
    memcpy(big, "{\"message\":\"Hi\"}", 16);
    ck_assert_int_eq(validate_response(200, big, sizeof big), STATS_ERR_BODY);
    /* A NUL is a control byte too, wherever it is. */
    ck_assert_int_eq(validate_response(200, "{\"message\":\"h\0i\"}", 16), STATS_ERR_BODY);
    ck_assert_int_eq(validate_response(200, "{\"message\":\"hi\"}\0", 17), STATS_ERR_BODY);
}
END_TEST

/* Feeds text (a whole response) to a fresh parser; returns the state. */
static int feed_all(struct response *resp, const char *text, size_t len)
{
    response_init(resp);
    return response_feed(resp, text, len);
}

START_TEST(verdict_words)
{
    static struct response resp;
    char why[RESPONSE_WHY_MAX], text[4096];
    int n = snprintf(text, sizeof text, "HTTP/1.1 200 OK\r\nContent-Length: 2000\r\n\r\n");
    memset(text + n, ' ', 2000);
    memcpy(text + n, "{\"message\":\"hi\"}", 16);
    ck_assert_int_eq(feed_all(&resp, text, (size_t)n + 2000), 1);
    ck_assert_int_eq(response_verdict(&resp, why), STATS_ERR_BODY);
    ck_assert_str_eq(why, "answered 200 with a body over 1 KB (2000 bytes)");
    memcpy(text + 9, "503", 3); /* over 1 KB, but the status says it first */
    ck_assert_int_eq(feed_all(&resp, text, (size_t)n + 2000), 1);
    ck_assert_int_eq(response_verdict(&resp, why), STATS_ERR_STATUS);
    ck_assert_str_eq(why, "answered status 503, not 2xx");
    const char *bad = "HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\n{\x01}\n";
    ck_assert_int_eq(feed_all(&resp, bad, strlen(bad)), 1);
    ck_assert_int_eq(response_verdict(&resp, why), STATS_ERR_BODY);
    ck_assert_str_eq(why, "answered 200 without a JSON body holding a string \"message\"");
}
END_TEST

START_TEST(url_forms)
{
    struct client_url u;
    char err[128];
    ck_assert_int_eq(client_parse_url("http://127.0.0.1:8080/say-hi?delay=1", &u, err, sizeof err), 0);
    ck_assert_str_eq(u.host, "127.0.0.1");
    ck_assert_str_eq(u.port, "8080");
    ck_assert_str_eq(u.authority, "127.0.0.1:8080");
    ck_assert_str_eq(u.path, "/say-hi?delay=1");
    ck_assert_int_eq(client_parse_url("HTTP://example.test", &u, err, sizeof err), 0);
    ck_assert_str_eq(u.port, "80");
    ck_assert_str_eq(u.path, "/");
    ck_assert_int_eq(client_parse_url("http://h?x=1#frag", &u, err, sizeof err), 0);
    ck_assert_str_eq(u.path, "/?x=1");
    ck_assert_int_eq(client_parse_url("http://[::1]:9000/a", &u, err, sizeof err), 0);
    ck_assert_str_eq(u.host, "::1");
    ck_assert_str_eq(u.port, "9000");
    ck_assert_str_eq(u.authority, "[::1]:9000");
    static const char *bad[] = {"https://h/", "ftp://h/", "h:80/", "http://", "http:///x", "http://:80/",
                                "http://h:0/", "http://h:65536/", "http://h:8x/", "http://u@h/", "http://[::1/",
                                "http://[::1]x/", "http://h/a b", "http://h/a\tb", "http://h\t/", "http://h/\x7f",
                                "http://h/a\r\nX-Injected: 1", "http://h:80\x01/"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        ck_assert_msg(client_parse_url(bad[i], &u, err, sizeof err) == -1, "'%s' should be rejected", bad[i]);
    client_parse_url("https://h/", &u, err, sizeof err);
    ck_assert_msg(strstr(err, "https is not supported") != NULL, "%s", err);
    client_parse_url("http://h/say\thi", &u, err, sizeof err);
    ck_assert_str_eq(err, "contains the control byte 0x09");
    /* Hosts up to the field's size; longer ones (with a port or not) are refused, never cut or overrun. */
    char url[400], host[300];
    for (size_t len = 250; len <= 270; len++) {
        memset(host, 'a', len);
        host[len] = '\0';
        snprintf(url, sizeof url, "http://%s:8080/x", host);
        int rc = client_parse_url(url, &u, err, sizeof err);
        if (len + 5 < sizeof u.host) {
            ck_assert_int_eq(rc, 0);
            ck_assert_str_eq(u.host, host);
        } else {
            ck_assert_msg(rc == -1 && strstr(err, "too long") != NULL, "host of %zu: rc %d '%s'", len, rc, err);
        }
    }
}
END_TEST

START_TEST(json_schema_known_data)
{
    struct stats_summary sum = {.number = 4, .ok = 3, .failed = 1, .completed = 4, .with_latency = 3,
                                .lat = {.min = 1000, .p50 = 2000, .p90 = 3000, .p99 = 3000, .p999 = 3000, .p9999 = 3000,
                                .max = 3000, .mean = 2000}};
    sum.status[200] = 3;
    sum.errors[STATS_ERR_TIMEOUT] = 1;
    struct report_run run = {.client = "async", .concurrency = 4, .elapsed_s = 2.0};
    char *s = report_json(&sum, &run);
    ck_assert_str_eq(s, "{\"client\":\"async\",\"number\":4,\"concurrency\":4,\"ok\":3,\"failed\":1,"
                        "\"elapsed_s\":2,\"requests_per_s\":2,\"latency_ms\":{\"min\":1,\"mean\":2,\"p50\":2,"
                        "\"p90\":3,\"p99\":3,\"p99.9\":3,\"p99.99\":3,\"max\":3},\"status_codes\":{\"200\":3},"
                        "\"errors\":{\"connect\":0,\"timeout\":1,\"closed\":0,\"bad_status\":0,\"bad_body\":0},"
                        "\"service_ms\":{\"min\":0,\"mean\":0,\"p50\":0,\"p90\":0,\"p99\":0,\"p99.9\":0,"
                        "\"p99.99\":0,\"max\":0},\"bytes\":0,\"mb_per_s\":0,\"rate\":null,\"histogram\":[]}");
    free(s);
    /* Numbers are rounded to what they mean: seconds and milliseconds to the
     * microsecond, rates to 0.001, never 17 significant digits. */
    sum.lat.mean = 2000.0 / 3.0;
    run.elapsed_s = 19.784481053061981;
    s = report_json(&sum, &run);
    ck_assert_msg(strstr(s, "\"elapsed_s\":19.784481,\"requests_per_s\":0.202,") != NULL &&
                      strstr(s, "\"mean\":0.667,") != NULL,
                  "%s", s);
    free(s);
    sum.with_latency = 0;
    s = report_json(&sum, &run);
    ck_assert_msg(strstr(s, "\"latency_ms\":null") != NULL, "%s", s);
    free(s);
}
END_TEST

START_TEST(jsonnum_rounding)
{
    ck_assert(jsonnum_round(1.0005, 3) == 1.001 || jsonnum_round(1.0005, 3) == 1.0); /* binary 1.0005 */
    ck_assert(jsonnum_round(2.5, 0) == 3.0);
    ck_assert(jsonnum_round(-2.5, 0) == -3.0);
    ck_assert(jsonnum_round(0.0000004, 6) == 0.0);
    ck_assert(!signbit(jsonnum_round(-0.0000004, 6)));
    cJSON *o = cJSON_CreateObject();
    jsonnum_add(o, "t", 0.1 + 0.2, JSONNUM_SECONDS);
    jsonnum_add(o, "r", 9569.40000000001, JSONNUM_RATE);
    char *s = cJSON_PrintUnformatted(o);
    ck_assert_str_eq(s, "{\"t\":0.3,\"r\":9569.4}");
    free(s);
    cJSON_Delete(o);
}
END_TEST

/* What writer wrote of st into memory (free it). */
static char *written(int (*writer)(FILE *, const struct stats *, const struct stats_summary *),
                     const struct stats *st, const struct stats_summary *sum)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    ck_assert_int_eq(writer(f, st, sum), 0);
    fclose(f);
    return buf;
}

START_TEST(timeline_csv)
{
    struct stats st;
    ck_assert_int_eq(stats_init(&st, 3), 0);
    stats_begin(&st, 0, st.t0_us + 1500, st.t0_us + 1500);
    stats_end(&st, 0, st.t0_us + 1001500, 200, STATS_OK);
    stats_begin(&st, 1, st.t0_us + 2000000, st.t0_us + 2000000);
    stats_end(&st, 1, st.t0_us + 2000250, 0, STATS_ERR_CONNECT);
    stats_set_bytes(&st, 0, 123);
    char *buf = written(report_timeline, &st, NULL);
    ck_assert_str_eq(buf, "id,start_s,end_s,status,error,intended_s,bytes,depth\n"
                          "1,0.001500,1.001500,200,,0.001500,123,\n"
                          "2,2.000000,2.000250,0,connect,2.000000,0,\n"
                          "3,,,0,closed,,0,\n");
    free(buf);
    stats_free(&st);
}
END_TEST

/* An open-loop record: due at 1 s, sent 250 ms late, answered at 1.5 s.
 * The trace shows the send and the service time on the connection's track. */
START_TEST(trace_events)
{
    struct stats st;
    ck_assert_int_eq(stats_init(&st, 2), 0);
    stats_begin(&st, 0, st.t0_us + 1000000, st.t0_us + 1250000);
    stats_set_track(&st, 0, 4);
    stats_end(&st, 0, st.t0_us + 1500000, 200, STATS_OK);
    stats_begin(&st, 1, st.t0_us + 2000000, st.t0_us + 2000000);
    stats_end(&st, 1, st.t0_us + 2000100, 0, STATS_ERR_CONNECT);
    char *buf = written(report_trace, &st, NULL);
    ck_assert_str_eq(buf, "{\"traceEvents\":[\n"
                          "{\"name\":\"#1 200\",\"ph\":\"X\",\"ts\":1250000,\"dur\":250000,\"pid\":1,\"tid\":5},\n"
                          "{\"name\":\"#2 connect\",\"ph\":\"X\",\"ts\":2000000,\"dur\":100,\"pid\":1,\"tid\":1}\n"
                          "]}\n");
    cJSON *o = cJSON_Parse(buf);
    ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(o, "traceEvents")), 2);
    cJSON_Delete(o);
    free(buf);
    stats_free(&st);
}
END_TEST

/* 100 latencies of 1..100 ms: the exact percentiles, the histogram's rows
 * summing to the sample, and the HdrHistogram text's rows and footer. */
START_TEST(percentiles_histogram_hdr)
{
    struct stats st;
    struct stats_summary sum;
    ck_assert_int_eq(stats_init(&st, 100), 0);
    for (size_t i = 0; i < 100; i++) {
        stats_begin(&st, i, st.t0_us, st.t0_us);
        stats_end(&st, i, st.t0_us + (int64_t)(i + 1) * 1000, 200, STATS_OK);
    }
    ck_assert_int_eq(stats_summarize(&st, &sum), 0);
    ck_assert_int_eq(sum.lat.p99, 99000);
    ck_assert_int_eq(sum.lat.p999, 100000);
    ck_assert_int_eq(sum.lat.p9999, 100000);
    uint64_t total = 0;
    for (size_t i = 0; i < sum.hist_rows; i++)
        total += sum.hist[i].count;
    ck_assert_uint_eq(sum.hist_rows, STATS_HIST_ROWS);
    ck_assert_uint_eq(total, 100);
    ck_assert_int_eq(sum.hist[sum.hist_rows - 1].le_us, 100000);
    char *buf = written(report_hdr, &st, &sum);
    static const char head[] = "       Value   Percentile   TotalCount 1/(1-Percentile)\n\n"
                               "       1.000     0.000000            1         1.00\n";
    ck_assert_msg(strncmp(buf, head, strlen(head)) == 0, "%s", buf);
    ck_assert_msg(strstr(buf, "      50.000     0.500000           50         2.00\n") != NULL, "%s", buf);
    ck_assert_msg(strstr(buf, "     100.000     1.000000          100          inf\n") != NULL, "%s", buf);
    ck_assert_msg(strstr(buf, "#[Mean    =       50.500, StdDeviation   =       28.866]\n"
                              "#[Max     =      100.000, Total count    =          100]\n") != NULL, "%s", buf);
    free(buf);
    stats_summary_free(&sum);
    stats_free(&st);
}
END_TEST

/* Interim responses are skipped; what follows the final one is counted. */
START_TEST(interim_and_extra_bytes)
{
    static struct response resp;
    char why[RESPONSE_WHY_MAX];
    static const char ok[] = "HTTP/1.1 200 OK\r\nContent-Length: 16\r\n\r\n{\"message\":\"hi\"}";
    static const char *const interim[] = {
        "HTTP/1.1 100 Continue\r\n\r\n",
        "HTTP/1.1 103 Early Hints\r\nLink: </a.css>; rel=preload\r\n\r\n",
        "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 102 Processing\r\n\r\n",
        "HTTP/1.1 100 Continue\r\nContent-Length: 5\r\n\r\n", /* a 1xx has no body, whatever it says */
    };
    char text[512];
    for (size_t i = 0; i < sizeof interim / sizeof interim[0]; i++) {
        int n = snprintf(text, sizeof text, "%s%s", interim[i], ok);
        ck_assert_int_eq(feed_all(&resp, text, (size_t)n), 1);
        ck_assert_uint_eq(response_status(&resp), 200);
        ck_assert_int_eq(response_verdict(&resp, why), STATS_OK);
        ck_assert(response_keeps_connection(&resp));
        /* Byte by byte, the same. */
        response_init(&resp);
        int state = 0;
        for (int k = 0; k < n && state == 0; k++)
            state = response_feed(&resp, text + k, 1);
        ck_assert_int_eq(state, 1);
        ck_assert_int_eq(response_verdict(&resp, why), STATS_OK);
        ck_assert_uint_eq(resp.extra, 0);
    }
    /* An interim response and then the peer closes: no answer, not complete. */
    ck_assert_int_eq(feed_all(&resp, interim[0], strlen(interim[0])), 0);
    ck_assert_int_eq(response_feed(&resp, NULL, 0), 0);
    /* 101 is final: a bad status, and the connection speaks something else now. */
    const char *up = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n";
    ck_assert_int_eq(feed_all(&resp, up, strlen(up)), 1);
    ck_assert_int_eq(response_verdict(&resp, why), STATS_ERR_STATUS);
    ck_assert(!response_keeps_connection(&resp));
    /* Bytes after the final response, plain or chunked: a bad status, closed. */
    int n = snprintf(text, sizeof text, "%sjunk", ok);
    ck_assert_int_eq(feed_all(&resp, text, (size_t)n), 1);
    ck_assert_uint_eq(resp.extra, 4);
    ck_assert_int_eq(response_verdict(&resp, why), STATS_ERR_STATUS);
    ck_assert_str_eq(why, "answered 200, then 4 bytes after the response that no request asked for");
    ck_assert(!response_keeps_connection(&resp));
    response_why_unsolicited(why, 200, 1);
    ck_assert_str_eq(why, "answered 200, then 1 byte after the response that no request asked for");
    const char *chunked = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n10\r\n{\"message\":\"hi\"}\r\n0\r\n\r\n"
                          "HTTP/1.1 200 OK\r\n\r\n";
    ck_assert_int_eq(feed_all(&resp, chunked, strlen(chunked)), 1);
    ck_assert_uint_eq(resp.extra, 19);
    ck_assert_int_eq(response_verdict(&resp, why), STATS_ERR_STATUS);
}
END_TEST

/* What waits on an idle connection, and the request it is held against. */
START_TEST(idle_bytes_amend_the_last_request)
{
    int sv[2];
    ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    ck_assert_int_eq(client_idle_read(sv[0]), 0);
    ck_assert_int_eq(write(sv[1], "junk", 4), 4);
    ck_assert_int_eq(client_idle_read(sv[0]), 4);
    ck_assert_int_eq(client_idle_read(sv[0]), 0);
    close(sv[1]);
    ck_assert_int_eq(client_idle_read(sv[0]), -1);
    close(sv[0]);

    struct stats st;
    struct stats_summary sum;
    struct client_config cfg = {.url = "http://127.0.0.1:1/say-hi"};
    ck_assert_int_eq(stats_init(&st, 2), 0);
    for (size_t i = 0; i < 2; i++) {
        stats_begin(&st, i, st.t0_us, st.t0_us);
        stats_end(&st, i, st.t0_us + 1000, 200, STATS_OK);
    }
    client_note_unsolicited(&cfg, &st, 1, 4);
    ck_assert_int_eq(stats_summarize(&st, &sum), 0);
    ck_assert_uint_eq(sum.ok, 1);
    ck_assert_uint_eq(sum.errors[STATS_ERR_STATUS], 1);
    ck_assert_uint_eq(sum.status[200], 2); /* what was received stays as it was */
    stats_summary_free(&sum);
    stats_free(&st);
}
END_TEST

/* localhost is both loopbacks whatever /etc/hosts says; with nothing
 * listening on the port, the first of them (::1) is the one kept. */
START_TEST(resolve_rule)
{
    struct resolve_addr a;
    char err[128], host[64];
    static const char *const local[] = {"localhost", "LocalHost", "api.localhost"};
    for (size_t i = 0; i < sizeof local / sizeof local[0]; i++) {
        ck_assert_int_eq(resolve_target(local[i], "1", 1000000, &a, err, sizeof err), 0);
        ck_assert_str_eq(resolve_url_host(&a, host, sizeof host), "[::1]");
        ck_assert_uint_eq(ntohs(((struct sockaddr_in6 *)&a.ss)->sin6_port), 1);
    }
    ck_assert_int_eq(resolve_target("127.0.0.1", "8080", 1000000, &a, err, sizeof err), 0);
    ck_assert_str_eq(resolve_url_host(&a, host, sizeof host), "127.0.0.1");
    ck_assert_int_eq(resolve_target("::1", "8080", 1000000, &a, err, sizeof err), 0);
    ck_assert_str_eq(resolve_url_host(&a, host, sizeof host), "[::1]");
}
END_TEST

int main(void)
{
    Suite *s = suite_create("unit-clients");
    TCase *tc = testsuite_case(s, "clients", 30, NULL, NULL);
    tcase_add_test(tc, percentiles_nearest_rank);
    tcase_add_test(tc, summary_of_known_records);
    tcase_add_test(tc, unfinished_requests_are_failures);
    tcase_add_test(tc, validate_cases);
    tcase_add_test(tc, verdict_words);
    tcase_add_test(tc, interim_and_extra_bytes);
    tcase_add_test(tc, idle_bytes_amend_the_last_request);
    tcase_add_test(tc, url_forms);
    tcase_add_test(tc, resolve_rule);
    tcase_add_test(tc, json_schema_known_data);
    tcase_add_test(tc, jsonnum_rounding);
    tcase_add_test(tc, timeline_csv);
    tcase_add_test(tc, trace_events);
    tcase_add_test(tc, percentiles_histogram_hdr);
    cli_set_program("test_unit_clients");
    return testsuite_run(s);
}
