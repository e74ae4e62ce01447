/*
 * publisher.h - the daemon's side of the scheduler: a thread that runs the
 * engine's scheduler passes (engine/schedule.h) on the daemon's clock, and
 * publishes each alert the engine stored for the first time on the PUB
 * socket ("topic json") and to the on_alert hooks.
 *
 * What is due, which alerts a component's state calls for and what to
 * evaluate again are the engine's decisions; this only runs them and
 * carries their results out.
 */
#ifndef IPC_AIVETD_PUBLISHER_H
#define IPC_AIVETD_PUBLISHER_H

#include "errors.h"
#include "server.h"

typedef struct av_publisher av_publisher;

/* Starts the scheduler thread (and the hook runner) for s; its first pass
 * runs shortly after start.  Returns 0 or an error in err. */
int av_publisher_start(av_server *s, av_publisher **out, av_error *err);

/* Makes the scheduler run a pass now (after a reload).  NULL is fine. */
void av_publisher_kick(av_publisher *p);

/* Stops the thread, waits for it and frees everything.  NULL is fine. */
void av_publisher_stop(av_publisher *p);

#endif
