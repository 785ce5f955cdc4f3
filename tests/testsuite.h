/* testsuite: the check runner every test program shares, so each main()
 * only lists its cases. */
#ifndef SAYHI_TESTSUITE_H
#define SAYHI_TESTSUITE_H

#include <check.h>
#include <stdlib.h>

/* Built with AddressSanitizer (gcc says so one way, clang another). */
#if defined(__SANITIZE_ADDRESS__)
#define UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define UNDER_ASAN 1
#endif
#endif
#ifndef UNDER_ASAN
#define UNDER_ASAN 0
#endif

/* A case of s with a timeout; setup/teardown (may be NULL) run once around
 * all its tests, in the parent, e.g. to share one server. */
static inline TCase *testsuite_case(Suite *s, const char *name, double timeout_s, SFun setup, SFun teardown)
{
    TCase *tc = tcase_create(name);
    tcase_set_timeout(tc, timeout_s);
    if (setup != NULL || teardown != NULL)
        tcase_add_unchecked_fixture(tc, setup, teardown);
    suite_add_tcase(s, tc);
    return tc;
}

/* A named group of plain tests (no fixture), the list ended by NULL. */
#define TESTSUITE_GROUP_MAX 8
struct testsuite_group {
    const char *name;
    const TTest *tests[TESTSUITE_GROUP_MAX];
};

/* Adds each group of g[0..n) to s as a case with a timeout. */
static inline void testsuite_add_groups(Suite *s, const struct testsuite_group *g, size_t n, double timeout_s)
{
    for (size_t i = 0; i < n; i++) {
        TCase *tc = testsuite_case(s, g[i].name, timeout_s, NULL, NULL);
        for (size_t j = 0; j < TESTSUITE_GROUP_MAX && g[i].tests[j] != NULL; j++)
            tcase_add_test(tc, g[i].tests[j]);
    }
}

/* Runs s (check's summary line on stdout); returns the exit status. */
static inline int testsuite_run(Suite *s)
{
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

#endif
