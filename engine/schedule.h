/*
 * schedule.h - the scheduler's decisions: which alerts the state of each
 * component calls for (their topics, dedupe keys and payloads), which
 * verdicts are stale and are evaluated again, and at what pace.
 *
 * A pass looks at the latest verdict of every component, made final at the
 * pass's time (review.h), and raises:
 *   review.due_soon  within the profile's lead time before the next review
 *   review.due       the next review date has come
 *   review.overdue   every overdue_repeat after it, until a review moves it
 *   verdict.stale    made under other policies than the loaded ones
 *   verdict.changed  a re-evaluation changed the automatic decision
 *   waiver.expired   a waiver ran out; its finding counts again
 * Each alert is stored under a dedupe key naming what makes it unique
 * (component, due date, repetition, digests, evaluation or waiver id), so
 * the store, not memory, decides what was already raised: a restart repeats
 * none, and a pass at start raises those missed while the daemon was down.
 * Publishing is the caller's: it is handed each alert stored for the first
 * time.  Stale verdicts are evaluated again through the one pipeline
 * (evaluate.h), at a bounded rate, after the walk.
 */
#ifndef ENGINE_SCHEDULE_H
#define ENGINE_SCHEDULE_H

#include <stdbool.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "errors.h"
#include "plugin.h"
#include "store.h"
#include "verdict.h"

/* Where a pass runs, and how it reports. */
typedef struct av_sched_env {
	av_runtime *rt;  /* the loaded policies; re-evaluations run its plugins */
	av_store *rd;    /* reads while deciding: waivers, reviews, schedules, manifests */
	av_store *walk;  /* a second read handle, for the walk over every component */
	av_store *wr;    /* where alerts and re-evaluations are stored (the group committer) */
	const char *actor;      /* the audit actor of re-evaluations */
	int64_t now;            /* the pass's time */
	int64_t overdue_repeat; /* seconds between review.overdue alerts; 0: one only at due */
	double reeval_rate;     /* stale verdicts evaluated again per second; 0: none */
	/* Called with each alert stored for the first time (a->id set); every
	 * pointer of a is borrowed for the call.  May be NULL. */
	void (*raised)(void *arg, const av_alert *a);
	/* Waits ms milliseconds (0: none) and says whether the pass must stop
	 * now (the daemon is stopping).  May be NULL: never stops early. */
	bool (*pause)(void *arg, int64_t ms);
	/* One line of log at level 0 debug, 1 info, 2 warn, 3 error.  May be NULL. */
	void (*log)(void *arg, int level, const char *msg);
	void *arg;
} av_sched_env;

/*
 * One pass at e->now: waiver.expired alerts, then every component's alerts
 * (the walk holds one verdict at a time, so its memory does not grow with
 * the record), then the stale ones evaluated again.  What fails for one
 * component or alert is logged and retried by the next pass.  Returns 0, or
 * an error code when the walk itself failed (err says why).
 */
int av_sched_pass(const av_sched_env *e, av_error *err);

/* One alert a component's state calls for. */
typedef struct av_sched_alert {
	const char *topic;   /* "review.due" */
	const char *name;    /* borrowed from the verdict */
	const char *version;
	char key[1024];      /* the dedupe key */
	cJSON *detail;       /* the payload; the callee takes it (NULL when out of memory) */
} av_sched_alert;

/*
 * The review and staleness alerts of one component whose latest verdict v
 * is final (av_review_apply at now), under the loaded policy p: emit is
 * called for each, in the order verdict.stale, review.due (then
 * review.overdue) or review.due_soon.  Returns true when v is stale.
 */
bool av_sched_alerts_of(const av_verdict *v, const av_policy *p, int64_t now,
    int64_t overdue_repeat, void (*emit)(void *arg, av_sched_alert *a), void *arg);

#endif
