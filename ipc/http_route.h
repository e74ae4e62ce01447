/*
 * http_route.h - the HTTP gateway's request path without the network: from
 * a request's method, URI, headers and body to either a reply or the
 * protocol request to send to the server.  http.c feeds nng's requests
 * through it; the fuzz target feeds bytes.  Nothing here does I/O or
 * touches the server.
 */
#ifndef IPC_HTTP_ROUTE_H
#define IPC_HTTP_ROUTE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* What the gateway does with a request. */
typedef enum av_http_action {
	AV_HTTP_REPLY,     /* answer status with body (a JSON error reply) */
	AV_HTTP_CALL,      /* send request to the server; the status follows its reply */
	AV_HTTP_REVIEWS_ICS, /* send request; on success answer a calendar of the reviews */
	AV_HTTP_METRICS,   /* answer the metrics page */
	AV_HTTP_READ_BODY, /* read content_length bytes of body, then plan again with it */
} av_http_action;

/* One request as it arrived.  Header values are NULL when absent. */
typedef struct av_http_in {
	const char *method;
	const char *uri; /* path and query, as sent */
	const char *content_length;
	const char *transfer_encoding;
	const char *authorization;
	const char *token; /* the configured http.token; "" for none */
	/* The body, once read (AV_HTTP_READ_BODY); NULL before. */
	const char *body;
	size_t len;
} av_http_in;

typedef struct av_http_out {
	av_http_action action;
	uint16_t status;  /* AV_HTTP_REPLY */
	char *body;       /* AV_HTTP_REPLY: the reply, malloc'd */
	size_t len;
	char *request;    /* AV_HTTP_CALL, AV_HTTP_REVIEWS_ICS: protocol request text, malloc'd */
	const char *actor; /* who the server is told asks (static) */
	bool not_found_is_bad; /* a not_found reply means a bad request (400), not 404 */
	bool close;       /* close the connection after the reply (a body stays unread) */
	size_t content_length; /* AV_HTTP_READ_BODY */
} av_http_out;

/*
 * Plans the answer to in: routing on method and path, the query
 * parameters each path allows, the Content-Length and Transfer-Encoding
 * headers, the bearer token for writes, and the protocol request each
 * endpoint stands for.  Fills *out (which the caller frees with
 * av_http_out_fini).  Returns 0, or AV_ENOMEM with *out empty.
 */
int av_http_plan(const av_http_in *in, av_http_out *out);
void av_http_out_fini(av_http_out *out);

/* The HTTP status of a protocol reply (200 for ok, 400, 403, 404, 413,
 * 503 by error code, 500 otherwise). */
uint16_t av_http_status_of(const char *json, size_t len, bool not_found_is_bad);

#endif
