/*
 * http.h - aivetd's HTTP gateway: the protocol's read operations, and
 * evaluate, as a small REST interface on nng's HTTP server, plus
 * Prometheus metrics.  Off unless the configuration enables it; bound to
 * 127.0.0.1 by default; TLS (nng with mbedTLS) when a certificate and key
 * are configured.  Writes other than evaluate need the configured bearer
 * token and are refused when none is configured.  docs/protocol.md lists
 * the endpoints.
 */
#ifndef IPC_AIVETD_HTTP_H
#define IPC_AIVETD_HTTP_H

#include "errors.h"
#include "server.h"

typedef struct av_http av_http;

/*
 * Starts serving HTTP for s as s's configuration says (cfg->http).
 * Requests are answered through av_server_call, so s must be created and
 * outlive the gateway.  Returns 0 with *out set, or an error in err
 * (address in use, bad URL, unreadable certificate).
 */
int av_http_start(av_server *s, av_http **out, av_error *err);

/* Stops listening, waits for requests in flight, frees h; NULL is fine. */
void av_http_stop(av_http *h);

#endif
