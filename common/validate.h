/* validate: what counts as a good /say-hi response, for every client.
 *
 * A response is good when its status is 2xx and its body is one JSON text
 * by RFC 8259 (jsoncheck.h: no raw control bytes, UTF-8 strings) that is an
 * object with a string "message" (read with cJSON, so "message" hidden
 * inside a string or a truncated body does not pass). Not for: transport
 * failures (connect, timeout, reset), which each engine classifies itself. */
#ifndef SAYHI_VALIDATE_H
#define SAYHI_VALIDATE_H

#include "stats.h"

#include <stddef.h>

/* Largest body a client keeps for validation; a longer one is a bad body.
 * /say-hi answers about 40 bytes; sayhi-async keeps a buffer this size per
 * connection, so at 10,000 connections it must stay small. */
#define VALIDATE_BODY_MAX 1024

/* STATS_OK, STATS_ERR_STATUS or STATS_ERR_BODY. */
enum stats_error validate_response(unsigned status, const char *body, size_t len);

#endif
