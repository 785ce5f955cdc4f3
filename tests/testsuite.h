/* testsuite: the check runner every test program shares, so each main()
 * only lists its cases. */
#ifndef SAYHI_TESTSUITE_H
#define SAYHI_TESTSUITE_H

#include <check.h>
#include <stdlib.h>

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
