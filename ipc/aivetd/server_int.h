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
#include "evaluate.h"
#include "plugin.h"
#include "review.h"
#include "server.h"
#include "store.h"
#include "verdict.h"

/*
 * What an evaluate request's exact bytes came to: its manifest's digest and
 * the profile it named.  Preparing a manifest reads nothing but the request,
 * so the same bytes always give the same digest; a request seen before goes
 * straight to the verdict cache without being parsed again (ops.c).
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
	/* An evaluation waiting for its commit (ev.must_store until then). */
	av_eval ev;
	int commit_rc;
	int64_t commit_id;
	av_error commit_err;
	int64_t now;        /* the evaluation's clock, for finishing it */
	bool committed;     /* queued again with the commit's outcome */
	int64_t t0_ns;      /* when the request reached a worker (metrics) */
	int op_metric;      /* its index in av_server.ops, -1 if none */
	struct slot *next;  /* job queue */
} slot;

/*
 * Counters for GET /metrics (http.c), kept per operation.  Latency
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
struct av_publisher;

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
	atomic_ullong n_alerts;          /* alerts raised (stored for the first time) */
	struct av_http *http;            /* the HTTP gateway, when enabled */
	struct av_publisher *publisher;  /* the scheduler's thread (publisher.h), while started */
};

/*
 * A protocol operation: answers one request.  w is the worker running it
 * (its Lua runtime and store read handle are ready), req the whole request
 * object, sl the nng slot it came on (NULL when called outside the REP
 * loop), actor the caller's user name.  Returns a new reply object, NULL
 * when out of memory, or &av_srv_deferred when the slot will be answered
 * later.  Operations only read the request, call the engine and write the
 * reply: they decide nothing about verdicts.
 */
typedef struct av_srv_op {
	const char *name;
	cJSON *(*fn)(worker *w, const cJSON *req, slot *sl, const char *actor);
} av_srv_op;

extern cJSON av_srv_deferred;

/* ---- server.c: the machinery ---- */

/* A new reference to the current policy set (and its generation). */
av_policy *av_srv_policy(av_server *s, uint64_t *gen);
/* Brings a runtime (and its generation) up to the current policy set; when
 * a new runtime cannot be built an old one keeps serving.  Returns 0 or an
 * error (only when there is no runtime at all). */
int av_srv_runtime(av_server *s, av_runtime **rt, uint64_t *gen, const char *who,
    av_error *err);
/* The same for a worker's runtime. */
int av_srv_refresh(worker *w, av_error *err);
/* The peer's user name (or uid:N) for the audit log. */
void av_srv_peer_actor(nng_msg *msg, char *buf, size_t len);
/* The group committer's callback for a slot's evaluation: queues the slot
 * again with the commit's outcome. */
void av_srv_commit_done(void *arg, int rc, int64_t id, const av_error *err);

/* ---- ops.c: health, evaluate, verdict, list, policies, reload, stats ---- */

extern const av_srv_op av_core_ops[];

/* An error reply for code, with e's message (file:line:column) when set;
 * counts the error. */
cJSON *av_srv_error(av_server *s, int code, const av_error *e);
/* {"ok":true,"verdict":...} with the verdict's text (final fields when
 * final); NULL when out of memory. */
cJSON *av_srv_verdict_reply(const av_verdict *v);
/* Where a worker's evaluations and verdict reads run, at time now. */
av_eval_env av_srv_eval_env(worker *w, int64_t now);
av_review_env av_srv_review_env(worker *w, int64_t now);
/* An evaluate request whose exact bytes were answered before: the reply
 * from the verdict cache, or NULL when the request must take the whole path.
 * Remembers buf's hash on w for the evaluation that may follow. */
cJSON *av_srv_evaluate_seen(worker *w, const char *buf, size_t len);
/* The reply to a slot's evaluation whose commit has settled. */
cJSON *av_srv_evaluate_committed(worker *w, slot *sl);
/* Frees a worker's request memo. */
void av_srv_memo_free(worker *w);

/* ---- ops_review.c: reviews, record_review, waive, schedule, history, alerts ---- */

extern const av_srv_op av_review_ops[];

/* ---- auth.c: who may write ---- */

/* 0 when actor may write (the config's writers; by default the daemon's
 * own user and root); else AV_EFORBIDDEN, with an audit row saying who
 * tried which action on which target. */
int av_srv_authorize(av_server *s, const char *actor, const char *action, const char *target);

/* ---- publisher.c ---- */

/* The wire form of a stored alert: {"id","topic","name","version","at",
 * "key","detail"}; NULL when out of memory. */
cJSON *av_alert_json(const av_alert *a);

#endif
