/* testclient: running the sayhi clients from check tests (testclient.h). */
#include "testclient.h"

#include "testhttp.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const tc_clients[2] = {"sync", "async"};

const char *tc_bin(const char *which)
{
    const char *p = getenv(strcmp(which, "sync") == 0 ? "SAYHI_SYNC" : "SAYHI_ASYNC");
    ck_assert_msg(p != NULL, "set SAYHI_SYNC and SAYHI_ASYNC");
    return p;
}

const char *tc_url(unsigned port, const char *target)
{
    static char buf[8][256];
    static int next;
    char *u = buf[next++ % 8];
    snprintf(u, sizeof buf[0], "http://127.0.0.1:%u%s", port, target);
    return u;
}

void tc_run(struct tc_run *r, const char *which, const char *const *args, int timeout_ms)
{
    r->rc = test_exec(tc_bin(which), args, r->out, sizeof r->out, r->err, sizeof r->err, timeout_ms, &r->elapsed);
    ck_assert_msg(r->rc != -2, "%s hung past %d ms", which, timeout_ms);
    ck_assert_msg(r->rc >= 0, "%s did not run", which);
}

cJSON *tc_json(const struct tc_run *r)
{
    cJSON *o = cJSON_Parse(r->out);
    ck_assert_msg(o != NULL, "stdout is not JSON: %s (stderr: %s)", r->out, r->err);
    return o;
}

double tc_num(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    ck_assert_msg(cJSON_IsNumber(v), "no number '%s'", key);
    return v->valuedouble;
}

double tc_stat(unsigned port, const char *key)
{
    struct http_response resp;
    ck_assert_int_eq(http_get(port, "GET", "/stats", &resp), 200);
    cJSON *o = cJSON_ParseWithLength(resp.body, resp.body_len);
    double n = tc_num(o, key);
    cJSON_Delete(o);
    return n;
}

void tc_expect_usage(struct tc_run *r, const char *which, const char *const *args, const char *needle)
{
    tc_run(r, which, args, 10000);
    ck_assert_msg(r->rc == 2, "%s %s: exit %d, want 2 (stderr: %s)", which, args[0], r->rc, r->err);
    ck_assert_msg(strstr(r->err, needle) != NULL, "%s %s: stderr lacks '%s': %s", which, args[0], needle, r->err);
    ck_assert_msg(strchr(r->err, '\n') == r->err + strlen(r->err) - 1, "not one line: %s", r->err);
    ck_assert_str_eq(r->out, "");
}

void tc_server_start(struct test_server *s, const char *delay)
{
    const char *const args[] = {"--delay", delay, "--quiet", NULL};
    ck_assert_int_eq(test_server_start(s, args), 0);
}
