/*
 * hooks.h - on_alert hooks: commands run with an alert's JSON on stdin.
 *
 * Hooks run on their own thread, so a slow or failing hook never blocks
 * request handling or the scheduler; each run has a timeout, and a failure
 * is logged and retried with exponential backoff.  Children are started
 * with posix_spawn (nng is not fork-safe), with default signal handling and
 * an empty signal mask.
 */
#ifndef IPC_AIVETD_HOOKS_H
#define IPC_AIVETD_HOOKS_H

#include "errors.h"
#include "config.h"

typedef struct av_hooks av_hooks;

/* Starts the hook runner for cfg's hooks (cfg must outlive it).  With no
 * hooks configured nothing is started and *out is NULL.  Returns 0 or an
 * error. */
int av_hooks_start(const av_config *cfg, av_hooks **out, av_error *err);

/* Queues one alert (its JSON text is copied) for every hook whose topics
 * match; never blocks on the hooks.  NULL h is fine. */
void av_hooks_post(av_hooks *h, const char *topic, const char *json);

/* Stops the runner: the hook running now finishes or times out, queued
 * alerts not yet run are dropped with a log line.  NULL is fine. */
void av_hooks_stop(av_hooks *h);

#endif
