/* Unit tests of the crawl's bookkeeping (common/crawl.c): link resolution,
 * breadth-first ids and depths, each URL once, --max-depth, --number, lost
 * pages, and the chain of --find. No socket: bodies are fed as strings. */
#include "crawl.h"
#include "testsuite.h"

#include <check.h>
#include <stdint.h>
#include <string.h>

static struct client_url origin(void)
{
    struct client_url u;
    char why[128];
    ck_assert_int_eq(client_parse_url("http://127.0.0.1:8080/family/1?delay=5ms", &u, why, sizeof why), 0);
    return u;
}

static const char *resolved(const char *base, const char *link)
{
    static char out[2048];
    struct client_url o = origin();
    return crawl_resolve(&o, base, link, out, sizeof out) == 0 ? out : NULL;
}

START_TEST(resolve_links)
{
    ck_assert_str_eq(resolved("/family/1?q=1", "/family/2?q=1"), "/family/2?q=1");
    ck_assert_str_eq(resolved("/family/1?q=1", "7"), "/family/7");
    ck_assert_str_eq(resolved("/family/1?q=1", "./7?x"), "/family/7?x");
    ck_assert_str_eq(resolved("/family/1?q=1", "?q=2"), "/family/1?q=2");
    ck_assert_str_eq(resolved("/family/1", "/family/3#top"), "/family/3");
    ck_assert_str_eq(resolved("/family/1", "http://127.0.0.1:8080/family/4"), "/family/4");
    ck_assert_str_eq(resolved("/family/1", "HTTP://127.0.0.1:8080/family/4?a"), "/family/4?a");
    ck_assert_str_eq(resolved("/family/1", "//127.0.0.1:8080/family/5"), "/family/5");
    /* Another origin, another scheme, or no URL at all: ignored. */
    ck_assert_ptr_null(resolved("/family/1", "http://127.0.0.1:8081/family/4"));
    ck_assert_ptr_null(resolved("/family/1", "http://example.com/family/4"));
    ck_assert_ptr_null(resolved("/family/1", "https://127.0.0.1:8080/family/4"));
    ck_assert_ptr_null(resolved("/family/1", "mailto:a@b"));
    ck_assert_ptr_null(resolved("/family/1", ""));
    ck_assert_ptr_null(resolved("/family/1", "#top"));
    ck_assert_ptr_null(resolved("/family/1", "/a b"));
    ck_assert_ptr_null(resolved("/family/1", "/a\r\nX: y"));
}
END_TEST

static struct client_config config(uint64_t number, uint32_t max_depth, const char *find)
{
    struct client_config cfg = {.number = number, .max_depth = max_depth, .find = find};
    cfg.target = origin();
    return cfg;
}

static void start(struct crawl *c, uint64_t number, uint32_t max_depth, const char *find)
{
    struct client_config cfg = config(number, max_depth, find);
    char why[128];
    ck_assert_int_eq(crawl_init(c, &cfg, why, sizeof why), 0);
}

/* Takes the next page, checks its path, ends it with body. */
static size_t step(struct crawl *c, const char *path, const char *body)
{
    size_t id;
    const char *p;
    ck_assert(crawl_peek(c, &id, &p));
    ck_assert_str_eq(p, path);
    crawl_take(c);
    crawl_end(c, id, body, body != NULL ? strlen(body) : 0);
    return id;
}

START_TEST(breadth_first_each_once)
{
    struct crawl c;
    start(&c, 100, UINT32_MAX, NULL);
    step(&c, "/family/1?delay=5ms", "{\"name\":\"A\",\"links\":[\"/family/2\",\"/family/3\",\"http://x/y\"]}");
    step(&c, "/family/2", "{\"links\":[\"/family/1?delay=5ms\",\"/family/4\",\"/family/3\"]}");
    step(&c, "/family/3", "{\"links\":[\"/family/4\",\"/family/5\",7]}");
    ck_assert_uint_eq(crawl_depth(&c, 3), 2); /* /family/4 */
    step(&c, "/family/4", "{\"links\":[]}");
    step(&c, "/family/5", "{\"links\":[\"/family/2\"]}");
    size_t id;
    const char *p;
    ck_assert(!crawl_peek(&c, &id, &p));
    ck_assert_uint_eq(crawl_in_flight(&c), 0);
    ck_assert_uint_eq(c.ok, 5);
    ck_assert_uint_eq(c.n, 5);
    ck_assert_uint_eq(c.levels, 3);
    ck_assert_uint_eq(c.per_level[0], 1);
    ck_assert_uint_eq(c.per_level[1], 2);
    ck_assert_uint_eq(c.per_level[2], 2);
    ck_assert_uint_eq(c.links, 10);
    ck_assert_uint_eq(c.foreign, 2); /* http://x/y and a number */
    ck_assert_str_eq(c.pages[0].name, "A");
    crawl_free(&c);
}
END_TEST

START_TEST(lost_pages_and_limits)
{
    struct crawl c;
    start(&c, 3, 1, NULL); /* three pages, depth at most 1 */
    step(&c, "/family/1?delay=5ms", "{\"links\":[\"/family/2\",\"/family/3\",\"/family/4\"]}");
    step(&c, "/family/2", NULL); /* failed: not expanded */
    step(&c, "/family/3", "{\"links\":[\"/family/9\"]}"); /* depth 1: its links are not followed */
    size_t id;
    const char *p;
    ck_assert(!crawl_peek(&c, &id, &p));
    ck_assert_uint_eq(c.n, 3); /* /family/4: over --number */
    ck_assert_uint_eq(c.lost, 1);
    ck_assert_uint_eq(c.ok, 2);
    crawl_free(&c);
    start(&c, 10, UINT32_MAX, NULL);
    step(&c, "/family/1?delay=5ms", "not json");
    ck_assert_uint_eq(c.lost, 1);
    ck_assert(!crawl_peek(&c, &id, &p));
    crawl_free(&c);
}
END_TEST

/* Pages 2 and 3 both start; 3 ends first and leads to 5, and 5 to 6 (depth
 * 3). Then 2, the slower of the level, links 6 too, before 6 started: 6
 * takes 2 as its parent, and the chain to it is a shortest one (1, 2, 6). */
START_TEST(find_gives_a_shortest_chain)
{
    struct crawl c;
    start(&c, 100, UINT32_MAX, "/family/6");
    step(&c, "/family/1?delay=5ms", "{\"name\":\"One\",\"links\":[\"/family/2?d\",\"/family/3?d\"]}");
    size_t a, b;
    const char *p;
    ck_assert(crawl_peek(&c, &a, &p));
    crawl_take(&c);
    ck_assert(crawl_peek(&c, &b, &p));
    crawl_take(&c);
    const char *three = "{\"name\":\"Three\",\"links\":[\"/family/5?d\"]}";
    crawl_end(&c, b, three, strlen(three));
    step(&c, "/family/5?d", "{\"links\":[\"/family/6?d\"]}"); /* 6 at depth 3 through 5 */
    const char *two = "{\"name\":\"Two\",\"links\":[\"/family/6?d\"]}";
    crawl_end(&c, a, two, strlen(two)); /* a shorter way, before 6 started */
    ck_assert_uint_eq(crawl_depth(&c, 4), 2);
    step(&c, "/family/6?d", "{\"name\":\"Six\",\"links\":[\"/family/7?d\"]}");
    ck_assert(!crawl_peek(&c, &a, &p)); /* found: nothing more starts */
    size_t ids[8];
    ck_assert_uint_eq(crawl_chain(&c, ids, 8), 3);
    ck_assert_str_eq(c.pages[ids[0]].name, "One");
    ck_assert_str_eq(c.pages[ids[1]].name, "Two");
    ck_assert_str_eq(c.pages[ids[2]].name, "Six");
    crawl_free(&c);
}
END_TEST

START_TEST(find_of_another_origin_is_refused)
{
    struct crawl c;
    struct client_config cfg = config(10, UINT32_MAX, "http://example.com/family/2");
    char why[128];
    ck_assert_int_eq(crawl_init(&c, &cfg, why, sizeof why), -1);
    ck_assert_ptr_nonnull(strstr(why, "--find"));
}
END_TEST

/* Thousands of pages: the table and the queue grow, every URL stays once. */
START_TEST(many_pages_grow)
{
    struct crawl c;
    start(&c, 5000, UINT32_MAX, NULL);
    char body[256];
    size_t id;
    const char *p;
    for (unsigned k = 0; crawl_peek(&c, &id, &p); k++) {
        crawl_take(&c);
        snprintf(body, sizeof body, "{\"links\":[\"/p/%u\",\"/p/%u\",\"/p/%u\"]}", 2 * k, 2 * k + 1, k);
        crawl_end(&c, id, body, strlen(body));
    }
    ck_assert_uint_eq(c.n, 5000);
    ck_assert_uint_eq(c.ok, 5000);
    for (size_t i = 1; i < c.n; i++)
        ck_assert_uint_ge(crawl_depth(&c, i), crawl_depth(&c, i - 1)); /* ids are the breadth-first order */
    crawl_free(&c);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("unit-crawl");
    TCase *tc = testsuite_case(s, "crawl", 30, NULL, NULL);
    tcase_add_test(tc, resolve_links);
    tcase_add_test(tc, breadth_first_each_once);
    tcase_add_test(tc, lost_pages_and_limits);
    tcase_add_test(tc, find_gives_a_shortest_chain);
    tcase_add_test(tc, find_of_another_origin_is_refused);
    tcase_add_test(tc, many_pages_grow);
    return testsuite_run(s);
}
