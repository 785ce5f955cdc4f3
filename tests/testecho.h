/* testecho: a stand-in server that writes down what clients send.
 *
 * For the tests of -X, -H and --data: every request that reaches it (head
 * and Content-Length body) is appended whole to a file the test reads
 * back, and answered 200 with a sayhi body, then the connection is closed.
 * Not for: misbehaving on purpose (testhttp.h's canned servers). */
#ifndef SAYHI_TESTECHO_H
#define SAYHI_TESTECHO_H

#include "testhttp.h"

/* Starts it on 127.0.0.1 port 0 in a forked child writing to log_path;
 * stop it with test_server_stop. 0 or -1. */
int test_echo_server_start(struct test_server *ts, const char *log_path);

#endif
