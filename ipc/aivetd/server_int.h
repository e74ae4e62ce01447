/*
 * server_int.h - the daemon's insides, shared by the files that implement
 * protocol operations and background tasks.  Not installed; nothing
 * outside ipc/ includes it.
 */
#ifndef IPC_AIVETD_SERVER_INT_H
#define IPC_AIVETD_SERVER_INT_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include <cjson/cJSON.h>
#include <nng/nng.h>

#include "errors.h"
#include "config.h"
#include "plugin.h"
#include "server.h"
#include "store.h"
#include "verdict.h"

/*
 * What an evaluate request's exact bytes came to: its manifest's digest and
 * the profile it named.  Preparing a manifest reads nothing but the request,
 * so the same bytes always give the same digest; a request seen before goes
 * straight to the verdict cache without being parsed again.
 */
#define AV_MEMO_SLOTS 64
#define AV_MEMO_MAX_REQUEST 65536

typedef struct av_req_memo {
	uint64_t hash;
	char *req; /* the request's bytes; NULL: empty slot */
	size_t len;
	char digest[65];
	char *profile; /* as the request named it; NULL: the configured default */
} av_req_memo;

typedef struct worker {
	av_server *srv;
	int id;
	pthread_t thr;
	bool running;
	av_runtime *rt;
	uint64_t gen;
	av_store *rd;
	/* The request being handled (for the memo) and the memo itself. */
	const char *req_buf;
	size_t req_len;
	uint64_t req_hash;
	av_req_memo memo[AV_MEMO_SLOTS];
} worker;

/*
 * One request in flight: an nng context with its aio.  A slot receives,
 * hands the request to the worker pool, and sends the reply; an evaluation
 * that must be stored waits for the group commit while the worker moves on
 * to other requests.
 */
typedef enum { SLOT_RECV, SLOT_BUSY, SLOT_SEND, SLOT_DONE } slot_state;

typedef struct slot {
	av_server *srv;
	nng_ctx ctx;
	nng_aio *aio;
	_Atomic slot_state state;
	nng_msg *msg;       /* the request, while queued */
	char actor[128];
	uint64_t actor_uid; /* whose name actor holds, when actor_known */
	bool actor_known;
	/* An evaluation waiting for its commit. */
	av_verdict *pending;
	char *canon;
	int commit_rc;
	int64_t commit_id;
	av_error commit_err;
	int64_t now;
	bool committed;     /* queued again with the commit's outcome */
	int64_t t0_ns;      /* when the request reached a worker (metrics) */
	int op_metric;      /* its index in av_server.ops, -1 if none */
	struct slot *next;  /* job queue */
} slot;

/*
 * Counters for GET /metrics (ipc/http.c), kept per operation.  Latency
 * buckets hold counts per bucket (not cumulative); the upper bounds, in
 * seconds, are av_metric_bounds.
 */
#define AV_METRIC_OPS 32
#define AV_METRIC_BUCKETS 12
extern const double av_metric_bounds[AV_METRIC_BUCKETS];

typedef struct av_op_metric {
	const char *name; /* NULL: unused */
	atomic_ullong count;
	atomic_ullong errors;
	atomic_ullong sum_us;
	atomic_ullong bucket[AV_METRIC_BUCKETS + 1]; /* the last is +Inf */
} av_op_metric;

struct av_http;

struct av_server {
	const av_config *cfg;
	nng_socket rep;
	nng_listener rep_l;  /* replaced by the watchdog when it stops accepting */
	pthread_t watchdog;
	bool watchdog_running;
	pthread_mutex_t wd_mu;
	pthread_cond_t wd_cv;
	atomic_ullong n_relistens;
	nng_socket pub;
	bool rep_open;
	bool pub_open;
	av_store *wr; /* the group committer */
	pthread_mutex_t mu;
	av_policy *policy; /* current set, under mu */
	uint64_t gen;      /* bumps on every successful reload, under mu */
	worker *workers;
	int nworkers;
	slot *slots;
	int nslots;
	pthread_mutex_t qmu; /* the job queue */
	pthread_cond_t qcv;
	slot *qhead, *qtail;
	bool qclosed;
	worker side; /* for av_server_call, under side_mu */
	pthread_mutex_t side_mu;
	atomic_bool stopping;
	bool stopped;
	int64_t started;
	atomic_ullong n_requests;
	atomic_ullong n_errors;
	atomic_ullong n_evaluated;
	atomic_ullong n_cached;
	atomic_ullong n_reloads;
	av_op_metric ops[AV_METRIC_OPS]; /* names set at create from the op tables */
	atomic_ullong n_decisions[3];    /* fresh verdicts by av_decision */
	atomic_ullong n_plugin_errors;   /* engine.plugin_* findings and plugin_error replies */
	atomic_ullong n_alerts;          /* alerts raised (by the operations that raise them) */
	struct av_http *http;            /* the HTTP gateway, when enabled */
	struct av_sched *sched; /* the scheduler (scheduler.h), while started */
};

/*
 * A protocol operation: answers one request.  w is the worker running it
 * (its Lua runtime and store read handle are ready), req the whole request
 * object, sl the nng slot it came on (NULL when called outside the REP
 * loop), actor the caller's user name.  Returns a new reply object, NULL
 * when out of memory, or &av_srv_deferred when the slot will be answered
 * later.
 */
typedef struct av_srv_op {
	const char *name;
	cJSON *(*fn)(worker *w, const cJSON *req, slot *sl, const char *actor);
} av_srv_op;

extern cJSON av_srv_deferred;

/* An error reply for code, with e's message (file:line:column) when set;
 * counts the error. */
cJSON *av_srv_error(av_server *s, int code, const av_error *e);
/* {"ok":true,"verdict":...}; NULL when out of memory. */
cJSON *av_srv_verdict_reply(av_verdict *v);
/* Sets v->freshness against the worker's loaded policy at time now. */
void av_srv_freshness(worker *w, av_verdict *v, int64_t now);
/* A new reference to the current policy set (and its generation). */
av_policy *av_srv_policy(av_server *s, uint64_t *gen);
/* Brings the worker's runtime up to the current policy set. */
int av_srv_refresh(worker *w, av_error *err);
/* The peer's user name (or uid:N) for the audit log. */
void av_srv_peer_actor(nng_msg *msg, char *buf, size_t len);


/*
 * Reviews, waivers, schedules and alerts (ops_review.c).
 */

/* The operations reviews, record_review, waive, schedule, history, alerts. */
extern const av_srv_op av_review_ops[];

/* 0 when actor may write (the config's writers; by default the daemon's
 * own user and root); else AV_EFORBIDDEN, with an audit row saying who
 * tried which action on which target. */
int av_srv_authorize(av_server *s, const char *actor, const char *action, const char *target);

/* Marks the findings of v that have an active waiver at now as waived and
 * decides again (a waived finding no longer drives the decision).  Must not
 * be called from inside a walk over w->rd. */
void av_srv_apply_waivers(worker *w, av_verdict *v, int64_t now);

/* When the next review of a component is due and why. */
typedef struct av_srv_due {
	int64_t due;      /* unix seconds */
	const char *from; /* "schedule", "review" or "verdict" */
	char owner[128];  /* the schedule's owner, or "" */
	int64_t every;    /* the schedule's interval, 0 without one */
	/* The latest human review, and whether it still stands (same manifest,
	 * next review not yet due). */
	bool reviewed;
	bool stands;
	int64_t review_id;
	av_review_decision decision;
	char reviewer[128];
	char note[512];
	int64_t reviewed_at;
	int64_t next_review;
} av_srv_due;

/* Fills d for the stored verdict v at time now.  Must not be called from
 * inside a walk over w->rd.  Returns 0 or an error code. */
int av_srv_due_of(worker *w, const av_verdict *v, int64_t now, av_srv_due *d);

/* The decision that counts: a standing human review over the automatic one. */
const char *av_srv_effective(const av_verdict *v, const av_srv_due *d);

/* Adds "review":{...}, "effective_decision" and "next_due" to a verdict:
 * the "verdict" object of a reply, or a verdict object itself. */
void av_srv_add_review(worker *w, av_verdict *v, int64_t now, cJSON *reply);

/* The wire form of a stored alert: {"id","topic","name","version","at",
 * "detail"}; NULL when out of memory. */
cJSON *av_srv_alert_json(const av_alert *a);

#endif
