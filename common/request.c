/* request: the bytes both clients send (client_request_text in client.h).
 *
 * Built once per run: every request of a run is the same, except a
 * crawl's, built per page for its path. The defaults
 * (Host, User-Agent, Accept) give way to a -H header of the same name, so
 * a user can aim at a virtual host or mimic a browser. Not for: checking
 * the flags' syntax (clientargs.c) or sending (the engines). */
#include "client.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Whether a -H header names name ("Host" for "host: x"). */
static bool user_sets(const struct client_config *cfg, const char *name)
{
    size_t len = strlen(name);
    for (size_t i = 0; i < cfg->nheaders; i++)
        if (strncasecmp(cfg->headers[i], name, len) == 0 && cfg->headers[i][len] == ':')
            return true;
    return false;
}

/* Writes the request into buf of cap bytes (NULL, 0: only counts).
 * Returns its length. */
static size_t compose(const struct client_config *cfg, const char *program, const char *path, char *buf,
                      size_t cap)
{
    size_t n = 0;
#define PUT(...) (n += (size_t)snprintf(buf != NULL ? buf + n : NULL, buf != NULL ? cap - n : 0, __VA_ARGS__))
    PUT("%s %s HTTP/1.1\r\n", cfg->method, path);
    if (!user_sets(cfg, "Host"))
        PUT("Host: %s\r\n", cfg->target.authority);
    if (!user_sets(cfg, "User-Agent"))
        PUT("User-Agent: %s/" SAYHI_VERSION "\r\n", program);
    if (!user_sets(cfg, "Accept"))
        PUT("Accept: */*\r\n");
    for (size_t i = 0; i < cfg->nheaders; i++)
        PUT("%s\r\n", cfg->headers[i]);
    if (cfg->data != NULL)
        PUT("Content-Length: %zu\r\n", cfg->data_len);
    if (!cfg->keepalive)
        PUT("Connection: close\r\n");
    PUT("\r\n");
#undef PUT
    if (cfg->data != NULL && buf != NULL)
        memcpy(buf + n, cfg->data, cfg->data_len);
    return n + (cfg->data != NULL ? cfg->data_len : 0);
}

char *client_request_path(const struct client_config *cfg, const char *program, const char *path, size_t *len)
{
    size_t n = compose(cfg, program, path, NULL, 0);
    char *req = malloc(n + 1);
    if (req == NULL)
        return NULL;
    compose(cfg, program, path, req, n + 1);
    *len = n;
    return req;
}

char *client_request_text(const struct client_config *cfg, const char *program, size_t *len)
{
    return client_request_path(cfg, program, cfg->target.path, len);
}
