/*
 * aivet_client.h - the C client library for aivetd (libaivet-client).
 *
 * Link with `pkg-config --cflags --libs aivet-client`.  A client is one
 * connection to a daemon; it may be shared by any number of threads (each
 * call uses its own nng context).  Every call returns AIVET_OK (0) or a
 * negative AIVET_E* code; aivet_strerror() describes a code.  Replies are
 * owned by the caller and freed with aivet_reply_free().
 *
 * The wire protocol is documented in docs/protocol.md; aivet_call() sends
 * any request of it as JSON text.
 */
#ifndef AIVET_CLIENT_H
#define AIVET_CLIENT_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

enum {
	AIVET_OK = 0,
	AIVET_ENOMEM = -1,   /* out of memory */
	AIVET_EINVAL = -2,   /* a bad argument */
	AIVET_ECONNECT = -3, /* the daemon is not reachable at that address */
	AIVET_ETIMEOUT = -4, /* no reply within the timeout */
	AIVET_EPROTO = -5,   /* the reply was not a protocol reply */
	AIVET_EREMOTE = -6,  /* the daemon answered with an error (see the reply) */
	AIVET_EIO = -7,      /* any other transport failure */
};

typedef struct aivet_client aivet_client;
typedef struct aivet_reply aivet_reply;

/* Describes an AIVET_E* code. */
const char *aivet_strerror(int code);

/*
 * Connects to the daemon at url ("ipc:///path", "tcp://host:port"; NULL:
 * $AIVET_SOCKET, else the per-user default ipc://STATE/aivetd.sock).
 * timeout_ms bounds every later call (<= 0: 30 s).  The connection is made
 * now, so a daemon that is not running is reported here as AIVET_ECONNECT.
 * On success *out is the client.
 */
int aivet_connect(aivet_client **out, const char *url, int timeout_ms);

/* The address the client is connected to (owned by the client). */
const char *aivet_client_url(const aivet_client *c);

/* Closes the connection and frees the client; NULL is fine.  No call may
 * be in progress on it. */
void aivet_close(aivet_client *c);

/*
 * Sends one request (JSON text, len bytes) and waits for the reply.  A
 * reply with "ok": false still yields AIVET_EREMOTE *and* the reply in
 * *out, so that the caller can read the error; on other errors *out is
 * NULL.
 */
int aivet_call(aivet_client *c, const char *request, size_t len, aivet_reply **out);

/* The protocol operations, as conveniences over aivet_call. */
int aivet_health(aivet_client *c, aivet_reply **out);
/* manifest: the manifest's YAML or JSON text; profile and file may be NULL. */
int aivet_evaluate(aivet_client *c, const char *manifest, size_t len, const char *profile,
    const char *file, aivet_reply **out);
/* version may be NULL: the latest evaluated version. */
int aivet_verdict(aivet_client *c, const char *name, const char *version, aivet_reply **out);
int aivet_list(aivet_client *c, aivet_reply **out);

/* The reply's JSON text, NUL-terminated (owned by the reply). */
const char *aivet_reply_json(const aivet_reply *r);
/* 1 when the reply says "ok": true. */
int aivet_reply_ok(const aivet_reply *r);
/* For error replies: the error's code ("not_found", ...) and message;
 * NULL otherwise. */
const char *aivet_reply_error_code(const aivet_reply *r);
const char *aivet_reply_error_message(const aivet_reply *r);
/* For replies carrying a verdict: "approved", "needs_review" or
 * "rejected", and the freshness ("current", "due_soon", "overdue",
 * "stale"); NULL otherwise. */
const char *aivet_reply_decision(const aivet_reply *r);
const char *aivet_reply_freshness(const aivet_reply *r);
void aivet_reply_free(aivet_reply *r);

#ifdef __cplusplus
}
#endif

#endif
