/* testhttp: what the integration tests need to drive a real sayhi-server.
 *
 * Starts the built binary on port 0 (path from $SAYHI_SERVER) and reads the
 * port from its "listening on" line; sends raw HTTP/1.1 over plain sockets so
 * the tests see exactly what is on the wire; a concurrent load generator
 * on epoll; and running any binary (the clients) with a deadline.
 * Deliberately independent of the sayhi clients' code. */
#ifndef SAYHI_TESTHTTP_H
#define SAYHI_TESTHTTP_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct test_server {
    pid_t pid;
    unsigned port;
    int out_fd;         /* the server's stdout */
    char first_line[512]; /* "listening on http://127.0.0.1:PORT" */
    char notices[1024];   /* lines printed before it (stdout and stderr) */
};

/* Starts sayhi-server --port 0 plus args (NULL-terminated), stderr merged
 * into out_fd. Returns 0 or -1. */
int test_server_start(struct test_server *ts, const char *const *args);

/* Starts a fake server on 127.0.0.1 port 0 in a forked child that answers
 * every connection, once it has read a request head, with the len bytes of
 * reply and closes it; with reply NULL it reads the request and never
 * answers nor closes. Fills pid and port (out_fd is -1); stop it with
 * test_server_stop. Returns 0 or -1. */
int test_canned_server_start(struct test_server *ts, const char *reply, size_t len);

/* The same, and on each connection, pause_ms after reply, the string later
 * (when not NULL): a server that writes a response in two goes. */
int test_canned_server_start_later(struct test_server *ts, const char *reply, size_t len, const char *later,
                                   int pause_ms);

/* Listens on 127.0.0.1 port 0 and runs serve(listening fd, arg) in a
 * forked child that dies with the test. Fills pid and port (out_fd -1).
 * 0 or -1. */
int test_fork_server(struct test_server *ts, void (*serve)(int lfd, const void *arg), const void *arg);

/* Reads what the server printed within ms (stdout and stderr) into buf,
 * NUL-terminated; stops early at EOF. Returns the bytes read. */
size_t test_server_output(const struct test_server *ts, char *buf, size_t len, int ms);

/* Sends sig and waits up to timeout_ms; returns the exit status, or -1 if it
 * did not exit (it is then killed). */
int test_server_stop(struct test_server *ts, int sig, int timeout_ms);

/* Runs path with args (NULL-terminated) to completion, capturing stdout and
 * stderr (truncated to the buffers). Returns the exit status, -2 when it
 * ran past timeout_ms (it is then killed), -1 on error; elapsed_s may be NULL. */
int test_exec(const char *path, const char *const *args, char *out, size_t outlen, char *err, size_t errlen,
              int timeout_ms, double *elapsed_s);

/* The same, sending sig to the program after_ms into the run. */
int test_exec_signal(const char *path, const char *const *args, char *out, size_t outlen, char *err,
                     size_t errlen, int timeout_ms, double *elapsed_s, int sig, int after_ms);

/* The same, sending sig to victim (another process, e.g. a server; 0: the
 * program itself) after_ms into the run. */
int test_exec_kill(const char *path, const char *const *args, char *out, size_t outlen, char *err, size_t errlen,
                   int timeout_ms, double *elapsed_s, pid_t victim, int sig, int after_ms);

/* Runs the server binary with args to completion (stdout/stderr captured,
 * 4 KB each). Returns the exit status, -1 on error. */
int test_server_exec(const char *const *args, char *out, size_t outlen, char *err, size_t errlen);

struct http_response {
    int status;          /* 0 when no response came */
    char headers[2048];  /* raw header block */
    char body[4096];
    size_t body_len;
    int closed;          /* the server closed the connection after it */
};

/* Connects to 127.0.0.1:port; returns the fd or -1. */
int http_connect(unsigned port);

/* Writes raw (unless NULL) and reads one response on fd (head: no body expected). */
int http_exchange(int fd, const char *raw, int head, struct http_response *resp, int timeout_ms);

/* One request on a new connection: "GET <target> HTTP/1.1". Returns status. */
int http_get(unsigned port, const char *method, const char *target, struct http_response *resp);

/* Value of header name in resp (case-insensitive) into buf; 0 found, -1 not. */
int http_header(const struct http_response *resp, const char *name, char *buf, size_t len);

/* Opens n connections at once, each sending GET target; waits for every
 * response or timeout_ms. Fills the count of 200s and the wall time. */
int http_concurrent(unsigned port, unsigned n, const char *target, int timeout_ms, unsigned *ok,
                    double *elapsed_s);

/* Reads fd into buf until EOF, a read error, len bytes, or timeout_ms after
 * t0 (a test_now() time). Returns the bytes read; *err is the read's errno
 * (0 at EOF, ETIMEDOUT when nothing ended it); *first_s and *last_s (each
 * may be NULL) when the first and the last bytes came, from t0. */
size_t http_read_to_end(int fd, char *buf, size_t len, double t0, int timeout_ms, int *err, double *first_s,
                        double *last_s);

double test_now(void);

#endif
