/*
 * scheduler.h - the daemon's clock-driven work: raising review and verdict
 * alerts, and re-evaluating stored manifests when the policies change.
 *
 * One thread, started with the server and stopped before it.  Every alert
 * is stored under a dedupe key before it is published on the PUB socket
 * ("topic json") and handed to the on_alert hooks, so a restart never
 * repeats one and a pass at start-up raises those missed while the daemon
 * was down.
 */
#ifndef IPC_AIVETD_SCHEDULER_H
#define IPC_AIVETD_SCHEDULER_H

#include "errors.h"
#include "server.h"

typedef struct av_sched av_sched;

/* Starts the scheduler (and the hook runner) for s; its first pass runs
 * shortly after start.  Returns 0 or an error in err. */
int av_sched_start(av_server *s, av_sched **out, av_error *err);

/* Makes the scheduler run a pass now (after a reload).  NULL is fine. */
void av_sched_kick(av_sched *sc);

/* Stops the thread, waits for it and frees everything.  NULL is fine. */
void av_sched_stop(av_sched *sc);

#endif
