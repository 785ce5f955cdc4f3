/* Integration tests of --crawl (issue 12): the real clients against a real
 * sayhi-server's /family pages on 127.0.0.1 port 0, in the three modes
 * (sync, sync --threads, async). Every page once (the server's count is the
 * crawl's), breadth-first order from --timeline, --find's chain a shortest
 * one, the same family for the same seed, wall time by levels (async) or
 * pages (sync) with wide margins, faults counted without a hang, bad values
 * exit 2. */
#include "testclient.h"
#include "testhttp.h"
#include "testsuite.h"

#include <check.h>
#include <cjson/cJSON.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static struct tc_run r; /* large buffers: static, one run at a time */

/* The modes of a crawl: which client, and its one flag. */
static const struct {
    const char *which, *flag, *value;
} modes[3] = {{"sync", NULL, NULL}, {"sync", "--threads", "4"}, {"async", "--concurrency", "50"}};

static void family_server(struct test_server *s, const char *size, const char *seed, const char *delay)
{
    const char *const args[] = {"--family", size, "--seed", seed, "--delay", delay, "--quiet", NULL};
    ck_assert_int_eq(test_server_start(s, args), 0);
}

/* Crawls from start in mode with more flags (NULL-ended); the --json object. */
static cJSON *crawl(int mode, unsigned port, const char *start, const char *const *more)
{
    const char *args[24] = {"--crawl", "--json", "--url", tc_url(port, start)};
    size_t n = 4;
    if (modes[mode].flag != NULL) {
        args[n++] = modes[mode].flag;
        args[n++] = modes[mode].value;
    }
    for (size_t i = 0; more != NULL && more[i] != NULL && n < 23; i++)
        args[n++] = more[i];
    args[n] = NULL;
    tc_run(&r, modes[mode].which, args, 60000);
    return tc_json(&r);
}

static const cJSON *crawl_of(const cJSON *o)
{
    const cJSON *c = cJSON_GetObjectItem(o, "crawl");
    ck_assert_msg(cJSON_IsObject(c), "no crawl object: %s", r.out);
    ck_assert_str_eq(o->child->prev->string, "crawl"); /* after the keys of before */
    return c;
}

/* 30 people, 20 ms: each page once; sync takes pages x delay, async about
 * levels x delay (margins wide: a shared machine). */
START_TEST(each_page_once_and_wall_time)
{
    struct test_server srv;
    family_server(&srv, "30", "7", "20ms");
    cJSON *o = crawl(_i, srv.port, "/family/1", NULL);
    const cJSON *c = crawl_of(o);
    ck_assert_int_eq(r.rc, 0);
    ck_assert_uint_eq(tc_num(c, "pages"), 30);
    ck_assert_uint_eq(tc_num(c, "lost"), 0);
    ck_assert_uint_eq(tc_num(o, "number"), 30);
    ck_assert_uint_eq(tc_stat(srv.port, "family_pages"), 30);
    double levels = tc_num(c, "levels"), wall = tc_num(o, "elapsed_s");
    ck_assert_msg(levels >= 3 && levels < 30, "levels %g", levels);
    if (_i == 0)
        ck_assert_msg(wall >= 30 * 0.02 && wall < 30 * 0.02 * 3 + 1, "sync wall %g s for 30 pages", wall);
    if (_i == 2)
        ck_assert_msg(wall >= levels * 0.02 && wall < levels * 0.02 * 3 + 0.5, "async wall %g s, %g levels", wall,
                      levels);
    cJSON_Delete(o);
    test_server_stop(&srv, SIGTERM, 10000);
}
END_TEST

/* --timeline: every page has a depth, and no page of depth d+1 starts
 * before a page of depth d ended (its parent did). Ids are discovery order;
 * a page not yet started that a shallower page links too takes the
 * shallower depth, so depths may step back by one between ids. */
START_TEST(breadth_first_in_the_timeline)
{
    struct test_server srv;
    family_server(&srv, "60", "5", "10ms");
    char path[] = "/tmp/sayhi-crawl-XXXXXX";
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    close(fd);
    cJSON_Delete(crawl(_i, srv.port, "/family/1", (const char *const[]){"--timeline", path, NULL}));
    ck_assert_int_eq(r.rc, 0);
    FILE *f = fopen(path, "r");
    char line[256];
    ck_assert_ptr_nonnull(fgets(line, sizeof line, f));
    double first_end[64];
    for (int d = 0; d < 64; d++)
        first_end[d] = 1e9;
    unsigned rows = 0, last = 0;
    while (fgets(line, sizeof line, f) != NULL) {
        unsigned id, status, bytes, depth;
        double start, end, intended;
        ck_assert_msg(sscanf(line, "%u,%lf,%lf,%u,,%lf,%u,%u", &id, &start, &end, &status, &intended, &bytes,
                             &depth) == 7, "row: %s", line);
        ck_assert_uint_eq(id, ++rows);
        ck_assert_msg(depth + 1 >= last && depth < 64, "depth %u after %u: %s", depth, last, line);
        ck_assert_msg(depth == 0 || start >= first_end[depth - 1], "depth %u started before any of depth %u ended",
                      depth, depth - 1);
        first_end[depth] = end < first_end[depth] ? end : first_end[depth];
        last = depth;
    }
    fclose(f);
    unlink(path);
    ck_assert_uint_eq(rows, 60);
    test_server_stop(&srv, SIGTERM, 10000);
}
END_TEST

/* The test's own breadth-first distances from person 1, over plain GETs. */
static unsigned distance_to(unsigned port, unsigned n, unsigned target)
{
    unsigned dist[64], queue[64], head = 0, tail = 0;
    for (unsigned i = 0; i <= n; i++)
        dist[i] = ~0u;
    dist[1] = 0;
    queue[tail++] = 1;
    while (head < tail) {
        unsigned id = queue[head++];
        char target_path[32];
        snprintf(target_path, sizeof target_path, "/family/%u", id);
        struct http_response resp;
        ck_assert_int_eq(http_get(port, "GET", target_path, &resp), 200);
        cJSON *o = cJSON_ParseWithLength(resp.body, resp.body_len);
        const cJSON *l;
        cJSON_ArrayForEach(l, cJSON_GetObjectItem(o, "links"))
        {
            unsigned next = (unsigned)atoi(l->valuestring + strlen("/family/"));
            if (next <= n && dist[next] == ~0u) {
                dist[next] = dist[id] + 1;
                queue[tail++] = next;
            }
        }
        cJSON_Delete(o);
    }
    return dist[target];
}

START_TEST(find_returns_a_shortest_chain)
{
    struct test_server srv;
    family_server(&srv, "40", "11", "5ms");
    unsigned want = distance_to(srv.port, 40, 37);
    cJSON *o = crawl(_i, srv.port, "/family/1?delay=10ms", (const char *const[]){"--find", "/family/37", NULL});
    ck_assert_int_eq(r.rc, 0);
    const cJSON *chain = cJSON_GetObjectItem(crawl_of(o), "chain");
    ck_assert_msg(cJSON_IsArray(chain), "chain: %s", r.out);
    ck_assert_uint_eq((unsigned)cJSON_GetArraySize(chain), want + 1);
    ck_assert_str_eq(cJSON_GetObjectItem(cJSON_GetArrayItem(chain, 0), "path")->valuestring, "/family/1?delay=10ms");
    ck_assert_str_eq(cJSON_GetObjectItem(cJSON_GetArrayItem(chain, (int)want), "path")->valuestring,
                     "/family/37?delay=10ms");
    ck_assert(cJSON_IsString(cJSON_GetObjectItem(cJSON_GetArrayItem(chain, (int)want), "name")));
    cJSON_Delete(o);
    test_server_stop(&srv, SIGTERM, 10000);
}
END_TEST

/* A serial crawl's crawl{} of a family of seed: per level, links, the chain's names. */
static char *crawl_summary(const char *seed)
{
    struct test_server srv;
    family_server(&srv, "50", seed, "0");
    cJSON *o = crawl(0, srv.port, "/family/1", (const char *const[]){"--find", "/family/48", NULL});
    char *s = cJSON_PrintUnformatted(crawl_of(o));
    cJSON_Delete(o);
    test_server_stop(&srv, SIGTERM, 10000);
    return s;
}

START_TEST(same_seed_same_family)
{
    char *a = crawl_summary("21"), *b = crawl_summary("21"), *c = crawl_summary("22");
    ck_assert_str_eq(a, b);
    ck_assert_str_ne(a, c);
    free(a);
    free(b);
    free(c);
}
END_TEST

/* A tenth of the pages reset (the start's query rides on every link): each
 * is counted, not expanded, and the crawl ends. Without keep-alive: a reset
 * on a kept-alive connection is retried once (as libcurl does), which would
 * hide it. */
START_TEST(faults_are_counted_and_do_not_hang)
{
    struct test_server srv;
    family_server(&srv, "200", "3", "2ms");
    cJSON *o = crawl(_i, srv.port, "/family/1?fault=reset:0.1", (const char *const[]){"--no-keepalive", NULL});
    const cJSON *c = crawl_of(o);
    ck_assert_int_eq(r.rc, 1);
    double lost = tc_num(c, "lost"), pages = tc_num(c, "pages");
    ck_assert_msg(lost >= 1, "lost %g", lost);
    ck_assert_uint_eq(lost, tc_num(o, "failed"));
    ck_assert_uint_eq(lost + pages, tc_num(o, "number"));
    ck_assert_uint_eq(lost, tc_num(cJSON_GetObjectItem(o, "errors"), "closed"));
    cJSON_Delete(o);
    test_server_stop(&srv, SIGTERM, 10000);
}
END_TEST

START_TEST(bad_values_exit_2)
{
    const char *which = tc_clients[_i];
    tc_expect_usage(&r, which, (const char *const[]){"--crawl", "--max-depth", "-1", NULL}, "--max-depth");
    tc_expect_usage(&r, which, (const char *const[]){"--crawl", "--max-depth", "x", NULL}, "--max-depth");
    tc_expect_usage(&r, which, (const char *const[]){"--max-depth", "2", NULL}, "--max-depth");
    tc_expect_usage(&r, which, (const char *const[]){"--find", "/family/2", NULL}, "--find");
    tc_expect_usage(&r, which, (const char *const[]){"--crawl", "--find", "http://example.com/x", NULL}, "--find");
    tc_expect_usage(&r, which, (const char *const[]){"--crawl", "--check", "sayhi", NULL}, "--check sayhi");
    tc_expect_usage(&r, which, (const char *const[]){"--crawl", "-X", "HEAD", NULL}, "HEAD");
    if (_i == 1)
        tc_expect_usage(&r, which, (const char *const[]){"--crawl", "--rate", "10", NULL}, "--rate");
}
END_TEST

int main(void)
{
    Suite *s = suite_create("crawl");
    TCase *tc = testsuite_case(s, "crawl", 120, NULL, NULL);
    tcase_add_loop_test(tc, each_page_once_and_wall_time, 0, 3);
    tcase_add_loop_test(tc, breadth_first_in_the_timeline, 0, 3);
    tcase_add_loop_test(tc, find_returns_a_shortest_chain, 0, 3);
    tcase_add_test(tc, same_seed_same_family);
    tcase_add_loop_test(tc, faults_are_counted_and_do_not_hang, 0, 3);
    tcase_add_loop_test(tc, bad_values_exit_2, 0, 2);
    return testsuite_run(s);
}
