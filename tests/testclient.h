/* testclient: running sayhi-sync and sayhi-async from a check test.
 *
 * Paths from $SAYHI_SYNC and $SAYHI_ASYNC; a run is captured whole (exit
 * code, stdout, stderr, wall time) and fails the test if the client hangs;
 * the --json summary is read with cJSON. Not for: servers (testhttp.h). */
#ifndef SAYHI_TESTCLIENT_H
#define SAYHI_TESTCLIENT_H

#include <cjson/cJSON.h>

struct tc_run {
    int rc;
    double elapsed;
    char out[1 << 16];
    char err[1 << 16];
};

/* "sync" or "async", the two clients every client test loops over. */
extern const char *const tc_clients[2];

/* The binary of "sync" or "async". */
const char *tc_bin(const char *which);

/* "http://127.0.0.1:PORT<target>"; the last 8 stay valid. */
const char *tc_url(unsigned port, const char *target);

/* Runs a client with args into r; fails the test if it hangs past timeout_ms. */
void tc_run(struct tc_run *r, const char *which, const char *const *args, int timeout_ms);

struct test_server;

/* A sayhi-server with --delay delay, quiet, on port 0 (fails the test if
 * it does not start); stop it with test_server_stop. */
void tc_server_start(struct test_server *s, const char *delay);

/* A usage error: exit 2, exactly one stderr line holding needle (the flag
 * named), nothing on stdout. */
void tc_expect_usage(struct tc_run *r, const char *which, const char *const *args, const char *needle);

/* r's stdout as JSON (fails the test if it is not); cJSON_Delete it. */
cJSON *tc_json(const struct tc_run *r);

/* The number under key (fails the test if there is none). */
double tc_num(const cJSON *o, const char *key);

/* The number under key in the /stats of the server on port (that request
 * counted in it). */
double tc_stat(unsigned port, const char *key);

#endif
