/*
 * server.h - the heart of aivetd: a pool of workers, each with its own Lua
 * runtime and read connection to the store, answering protocol requests
 * that arrive on nng REP contexts (the operations are in ops.c and
 * ops_review.c, and call the engine for every decision); a PUB socket for
 * events; atomic policy reloads; the scheduler's thread (publisher.h).
 *
 * Nothing a request does is fatal: every failure becomes an error reply
 * and, where it matters, a log line.
 */
#ifndef IPC_AIVETD_SERVER_H
#define IPC_AIVETD_SERVER_H

#include <stddef.h>

#include "errors.h"
#include "config.h"

typedef struct av_server av_server;

/*
 * Loads the policy set, opens the store (creating the state directory
 * 0700), and binds the request and event sockets (socket file mode from the
 * config).  cfg must outlive the server.  Returns 0 or an error in err (and
 * every policy load problem in d).
 */
int av_server_create(av_server **out, const av_config *cfg, av_diags *d, av_error *err);

/* Loads the plugins and profiles cfg names, as av_server_create would, and
 * reports every problem in d (aivetd -n).  Returns 0 or AV_EPLUGIN. */
int av_server_check_policy(const av_config *cfg, av_diags *d);

/* Starts the worker threads.  Returns 0 or an error. */
int av_server_start(av_server *s, av_error *err);

/*
 * Loads plugins and profiles anew and swaps them in atomically: requests
 * in flight finish on the old set.  If anything fails to load the old set
 * keeps serving, d names every problem, and AV_EPLUGIN is returned.
 */
int av_server_reload(av_server *s, av_diags *d);

/*
 * Handles one request (the JSON text in buf) as a worker would, for
 * callers that are not nng REP contexts (tests, the HTTP gateway).  actor
 * names the caller for the audit log.  Returns a malloc'd reply (*rlen
 * bytes), NULL only when out of memory.
 */
char *av_server_call(av_server *s, const char *buf, size_t len, const char *actor, size_t *rlen);

/* Stops accepting requests, lets requests in flight finish, joins the
 * workers.  Safe to call once. */
void av_server_stop(av_server *s);

/* Frees everything (stopping first if needed); NULL is fine. */
void av_server_destroy(av_server *s);

#endif
