/*
 * server.c - aivetd's machinery: the request and event sockets, the slots
 * (nng contexts) requests arrive on, the worker pool and its job queue, the
 * watchdog, policy reloads and the dispatch of each request to its
 * operation (ops.c, ops_review.c).
 *
 * Each worker thread owns one Lua runtime and one read handle on the store,
 * and takes requests from the queue: handle, reply.  Durable writes go
 * through the store's group committer, shared by all workers; an
 * evaluation waiting for its commit frees its worker and comes back through
 * the queue once durable.  A reload builds a new policy set and publishes
 * it under a generation number; each worker notices the new generation at
 * the start of its next request and rebuilds its runtime, so requests in
 * flight finish on the set they started with.
 */
#include <errno.h>
#include <pthread.h>
#include <pwd.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <nng/nng.h>
#include <nng/protocol/pubsub0/pub.h>
#include <nng/protocol/reqrep0/rep.h>
#include <nng/protocol/reqrep0/req.h>
#include <nng/supplemental/util/platform.h>
#include <nng/transport/ipc/ipc.h>

#include "clock.h"
#include "http.h"
#include "log.h"
#include "paths.h"
#include "plugin.h"
#include "proto.h"
#include "publisher.h"
#include "server.h"
#include "server_int.h"
#include "store.h"

/* Messages above this are dropped by nng before we see them; between
 * max_request and this we answer with a clear "too_large" error. */
#define HARD_MAX_MSG (64u << 20)

static void
plugin_log(void *arg, int level, const char *msg)
{
	av_log(level, "%s", msg);
}

static int
load_policy(const av_config *c, av_policy **out, av_diags *d)
{
	char plug[AV_PATH_MAX + 16], pol[AV_PATH_MAX + 16];
	const char *pdirs[AV_MAX_DIRS + 1], *qdirs[AV_MAX_DIRS + 1];
	av_policy_opts o = {0};

	snprintf(plug, sizeof(plug), "%s/plugins", c->data_dir);
	snprintf(pol, sizeof(pol), "%s/policies", c->data_dir);
	pdirs[0] = plug;
	qdirs[0] = pol;
	for (size_t i = 0; i < c->nplugin_dirs; i++)
		pdirs[i + 1] = c->plugin_dirs[i];
	for (size_t i = 0; i < c->npolicy_dirs; i++)
		qdirs[i + 1] = c->policy_dirs[i];
	o.plugin_dirs = pdirs;
	o.nplugin_dirs = c->nplugin_dirs + 1;
	o.policy_dirs = qdirs;
	o.npolicy_dirs = c->npolicy_dirs + 1;
	o.instr_budget = c->instr_budget;
	o.mem_limit = c->mem_limit;
	o.log = plugin_log;
	return av_policy_load(out, &o, d);
}

int
av_server_check_policy(const av_config *cfg, av_diags *d)
{
	av_policy *p;
	int rc = load_policy(cfg, &p, d);

	av_policy_unref(rc == 0 ? p : NULL);
	return rc == 0 ? 0 : AV_EPLUGIN;
}

av_policy *
av_srv_policy(av_server *s, uint64_t *gen)
{
	av_policy *p;

	pthread_mutex_lock(&s->mu);
	p = av_policy_ref(s->policy);
	if (gen != NULL)
		*gen = s->gen;
	pthread_mutex_unlock(&s->mu);
	return p;
}

int
av_srv_runtime(av_server *s, av_runtime **rtp, uint64_t *genp, const char *who, av_error *err)
{
	av_runtime *rt;
	av_policy *p;
	uint64_t gen;
	int rc;

	pthread_mutex_lock(&s->mu);
	gen = s->gen;
	pthread_mutex_unlock(&s->mu);
	if (*rtp != NULL && gen == *genp)
		return 0;
	p = av_srv_policy(s, &gen);
	rc = av_runtime_create(&rt, p, err);
	av_policy_unref(p);
	if (rc != 0) {
		av_log(AV_LOG_ERROR, "%s: cannot build a plugin runtime: %s", who, err->msg);
		return *rtp != NULL ? 0 : rc;
	}
	av_runtime_destroy(*rtp);
	*rtp = rt;
	*genp = gen;
	return 0;
}

/* Brings a worker's runtime up to the current policy generation. */
int
av_srv_refresh(worker *w, av_error *err)
{
	char who[32];

	snprintf(who, sizeof(who), "worker %d", w->id);
	return av_srv_runtime(w->srv, &w->rt, &w->gen, who, err);
}

/* Returned by an op whose reply comes later (after a group commit). */
cJSON av_srv_deferred;
#define DEFERRED (&av_srv_deferred)

/* Every table of operations the daemon answers, core first. */
static const av_srv_op *const op_tables[] = {av_core_ops, av_review_ops};

static const av_srv_op *
find_op(const char *name)
{
	for (size_t t = 0; t < sizeof(op_tables) / sizeof(op_tables[0]); t++)
		for (const av_srv_op *o = op_tables[t]; o->name != NULL; o++)
			if (strcmp(o->name, name) == 0)
				return o;
	return NULL;
}

const double av_metric_bounds[AV_METRIC_BUCKETS] = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
    0.1, 0.25, 0.5, 1, 2.5, 5};

static int64_t
mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int
metric_index(av_server *s, const char *op)
{
	for (int i = 0; i < AV_METRIC_OPS && s->ops[i].name != NULL; i++)
		if (strcmp(s->ops[i].name, op) == 0)
			return i;
	return -1;
}

/* Counts one answered request for GET /metrics: its latency, whether it
 * failed, and plugin failures; fresh verdicts are counted by count_fresh. */
static void
record_metrics(av_server *s, int idx, int64_t t0, const cJSON *reply)
{
	double secs = (double)(mono_ns() - t0) / 1e9;
	int b = 0;

	if (idx < 0 || reply == NULL)
		return;
	av_op_metric *m = &s->ops[idx];
	atomic_fetch_add(&m->count, 1);
	atomic_fetch_add(&m->sum_us, (unsigned long long)(secs * 1e6));
	while (b < AV_METRIC_BUCKETS && secs > av_metric_bounds[b])
		b++;
	atomic_fetch_add(&m->bucket[b], 1);
	if (!cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(reply, "ok"))) {
		const cJSON *e = cJSON_GetObjectItemCaseSensitive(reply, "error");
		const cJSON *code = cJSON_GetObjectItemCaseSensitive(e, "code");
		atomic_fetch_add(&m->errors, 1);
		if (cJSON_IsString(code) && strcmp(code->valuestring, "plugin_error") == 0)
			atomic_fetch_add(&s->n_plugin_errors, 1);
	}
}

static char *
handle(worker *w, slot *sl, const char *buf, size_t len, const char *actor, size_t *rlen,
    bool *deferred)
{
	av_server *s = w->srv;
	cJSON *req = NULL, *reply = NULL;
	const cJSON *v, *op;
	av_error err;
	char msg[256];

	atomic_fetch_add(&s->n_requests, 1);
	w->req_buf = NULL;
	av_error_clear(&err);
	if (len > s->cfg->max_request) {
		snprintf(msg, sizeof(msg), "request of %zu bytes exceeds the limit of %zu bytes",
		    len, s->cfg->max_request);
		reply = (atomic_fetch_add(&s->n_errors, 1), av_reply_error(AV_ELIMIT, msg));
		goto out;
	}
	/* The same bytes as an evaluate request answered before: straight to
	 * the verdict cache (see av_req_memo). */
	{
		int64_t t0 = mono_ns();
		if ((reply = av_srv_evaluate_seen(w, buf, len)) != NULL) {
			record_metrics(s, metric_index(s, "evaluate"), t0, reply);
			goto out;
		}
	}
	if ((req = cJSON_ParseWithLength(buf, len)) == NULL || !cJSON_IsObject(req)) {
		const char *at = cJSON_GetErrorPtr();
		if (req == NULL && at != NULL && at >= buf && at <= buf + len)
			snprintf(msg, sizeof(msg), "request is not valid JSON (at byte %zu)",
			    (size_t)(at - buf));
		else
			snprintf(msg, sizeof(msg), "request must be a JSON object");
		reply = (atomic_fetch_add(&s->n_errors, 1), av_reply_error(AV_EINVAL, msg));
		goto out;
	}
	v = cJSON_GetObjectItemCaseSensitive(req, "v");
	if (!cJSON_IsNumber(v) || v->valuedouble != AV_PROTO_VERSION) {
		reply = (atomic_fetch_add(&s->n_errors, 1),
		    av_reply_error(AV_EINVAL, "field 'v' must be 1 (protocol version)"));
		goto out;
	}
	op = cJSON_GetObjectItemCaseSensitive(req, "op");
	if (!cJSON_IsString(op)) {
		reply = (atomic_fetch_add(&s->n_errors, 1),
		    av_reply_error(AV_EINVAL, "field 'op' must be a string"));
		goto out;
	}
	if (av_srv_refresh(w, &err) != 0) {
		reply = av_srv_error(s, AV_EPLUGIN, &err);
		goto out;
	}
	w->req_buf = buf;
	w->req_len = len;
	const av_srv_op *o = find_op(op->valuestring);
	if (o != NULL) {
		int64_t t0 = mono_ns();
		int idx = metric_index(s, o->name);
		if (sl != NULL) {
			sl->t0_ns = t0;
			sl->op_metric = idx;
		}
		reply = o->fn(w, req, sl, actor);
		if (reply == NULL)
			reply = av_reply_error(AV_ENOMEM, NULL);
		if (reply != DEFERRED)
			record_metrics(s, idx, t0, reply);
		goto out;
	}
	snprintf(msg, sizeof(msg), "unknown op '%.64s' (known: health, evaluate, verdict, list, "
				   "policies, reload, stats, reviews, record_review, waive, "
				   "schedule, history, alerts)", op->valuestring);
	reply = (atomic_fetch_add(&s->n_errors, 1), av_reply_error(AV_EINVAL, msg));
out:
	w->req_buf = NULL;
	cJSON_Delete(req);
	if (reply == DEFERRED) {
		*deferred = true;
		return NULL;
	}
	return av_reply_finish(reply, rlen);
}

/* The caller's identity for the audit log: the peer's user name on IPC. */
void
av_srv_peer_actor(nng_msg *msg, char *buf, size_t len)
{
	nng_pipe p = nng_msg_get_pipe(msg);
	uint64_t uid;
	struct passwd pw, *res = NULL;
	char tmp[1024];

	if (nng_pipe_get_uint64(p, NNG_OPT_IPC_PEER_UID, &uid) != 0) {
		snprintf(buf, len, "unknown");
		return;
	}
	if (getpwuid_r((uid_t)uid, &pw, tmp, sizeof(tmp), &res) == 0 && res != NULL)
		snprintf(buf, len, "%s", pw.pw_name);
	else
		snprintf(buf, len, "uid:%llu", (unsigned long long)uid);
}

/* The same, remembered per slot: a slot's requests mostly come from the
 * same peer, and looking a user up reads the password database. */
static void
av_srv_peer_actor_cached(slot *sl)
{
	nng_pipe p = nng_msg_get_pipe(sl->msg);
	uint64_t uid;

	if (nng_pipe_get_uint64(p, NNG_OPT_IPC_PEER_UID, &uid) == 0 && sl->actor_known &&
	    uid == sl->actor_uid)
		return;
	av_srv_peer_actor(sl->msg, sl->actor, sizeof(sl->actor));
	sl->actor_known = nng_pipe_get_uint64(p, NNG_OPT_IPC_PEER_UID, &sl->actor_uid) == 0;
}

static void
enqueue(av_server *s, slot *sl)
{
	pthread_mutex_lock(&s->qmu);
	sl->next = NULL;
	if (s->qtail != NULL)
		s->qtail->next = sl;
	else
		s->qhead = sl;
	s->qtail = sl;
	pthread_cond_signal(&s->qcv);
	pthread_mutex_unlock(&s->qmu);
}

/* Receives the next request on a slot, unless the server is stopping. */
static void
arm(slot *sl)
{
	if (atomic_load(&sl->srv->stopping)) {
		atomic_store(&sl->state, SLOT_DONE);
		return;
	}
	atomic_store(&sl->state, SLOT_RECV);
	nng_ctx_recv(sl->ctx, sl->aio);
}

/* nng's callback for a slot's aio: a request arrived, or a reply went out. */
static void
slot_cb(void *arg)
{
	slot *sl = arg;
	int rv = nng_aio_result(sl->aio);

	if (atomic_load(&sl->state) == SLOT_SEND) {
		/* A peer that went away leaves the reply with us. */
		if (rv != 0)
			nng_msg_free(nng_aio_get_msg(sl->aio));
		arm(sl);
		return;
	}
	if (rv != 0) {
		if (rv == NNG_ECLOSED || atomic_load(&sl->srv->stopping)) {
			atomic_store(&sl->state, SLOT_DONE);
			return;
		}
		arm(sl);
		return;
	}
	sl->msg = nng_aio_get_msg(sl->aio);
	av_srv_peer_actor_cached(sl);
	atomic_store(&sl->state, SLOT_BUSY);
	enqueue(sl->srv, sl);
}

void
av_srv_commit_done(void *arg, int rc, int64_t id, const av_error *err)
{
	slot *sl = arg;

	sl->commit_rc = rc;
	sl->commit_id = id;
	if (rc != 0 && err != NULL)
		sl->commit_err = *err;
	else
		av_error_clear(&sl->commit_err);
	sl->committed = true;
	enqueue(sl->srv, sl);
}

static void
send_reply(slot *sl, char *reply, size_t rlen)
{
	nng_msg *out;

	if (reply == NULL || nng_msg_alloc(&out, 0) != 0) {
		free(reply);
		arm(sl); /* out of memory: the client times out */
		return;
	}
	if (nng_msg_append(out, reply, rlen) != 0) {
		free(reply);
		nng_msg_free(out);
		arm(sl);
		return;
	}
	free(reply);
	atomic_store(&sl->state, SLOT_SEND);
	nng_aio_set_msg(sl->aio, out);
	nng_ctx_send(sl->ctx, sl->aio);
}

/* The reply to an evaluation whose commit has settled. */
static char *
finish_commit(worker *w, slot *sl, size_t *rlen)
{
	cJSON *reply;

	sl->committed = false;
	reply = av_srv_evaluate_committed(w, sl);
	record_metrics(w->srv, sl->op_metric, sl->t0_ns, reply);
	return av_reply_finish(reply, rlen);
}

static void *
worker_main(void *arg)
{
	worker *w = arg;
	av_server *s = w->srv;

	for (;;) {
		slot *sl;
		char *reply;
		size_t rlen = 0;
		bool deferred = false;

		pthread_mutex_lock(&s->qmu);
		while (s->qhead == NULL && !s->qclosed)
			pthread_cond_wait(&s->qcv, &s->qmu);
		if ((sl = s->qhead) == NULL) {
			pthread_mutex_unlock(&s->qmu);
			break;
		}
		if ((s->qhead = sl->next) == NULL)
			s->qtail = NULL;
		pthread_mutex_unlock(&s->qmu);

		if (sl->committed) {
			av_store_read_begin(w->rd);
			reply = finish_commit(w, sl, &rlen);
			av_store_read_end(w->rd);
		} else {
			av_store_read_begin(w->rd);
			reply = handle(w, sl, nng_msg_body(sl->msg), nng_msg_len(sl->msg), sl->actor,
			    &rlen, &deferred);
			av_store_read_end(w->rd);
			nng_msg_free(sl->msg);
			sl->msg = NULL;
			if (deferred)
				continue;
		}
		send_reply(sl, reply, rlen);
	}
	return NULL;
}

static int
nng_err(av_error *err, int rv, const char *what, const char *url)
{
	return av_error_set(err, AV_EIO, NULL, 0, 0, "%s %s: %s", what, url, nng_strerror(rv));
}

static int
listen_rep(av_server *s, nng_listener *l)
{
	int rv;

	if ((rv = nng_listener_create(l, s->rep, s->cfg->socket)) != 0)
		return rv;
	if (av_ipc_path(s->cfg->socket) != NULL)
		nng_listener_set_int(*l, NNG_OPT_IPC_PERMISSIONS, (int)s->cfg->socket_mode);
	if ((rv = nng_listener_start(*l, 0)) != 0)
		nng_listener_close(*l);
	return rv;
}

/*
 * nng before 1.6.0 stops accepting on a listener after a peer leaves in the
 * middle of the SP handshake (nanomsg/nng#1518): one local client could
 * shut everyone else out.  The watchdog asks the daemon itself for its
 * stats every few seconds, as a client would; when that goes unanswered it
 * replaces the listener.  Pipes of the old listener close with it; REQ
 * clients reconnect and resend on their own.
 */
#define WATCHDOG_EVERY_MS 2000
#define WATCHDOG_TIMEOUT_MS 5000

static bool
probe(av_server *s)
{
	static const char req[] = "{\"v\":1,\"op\":\"stats\"}";
	nng_socket sock;
	nng_aio *aio = NULL;
	nng_msg *msg = NULL;
	bool ok = false;

	if (nng_req0_open(&sock) != 0)
		return true; /* cannot tell: assume fine */
	if (nng_aio_alloc(&aio, NULL, NULL) != 0 || nng_dial(sock, s->cfg->socket, NULL, 0) != 0 ||
	    nng_msg_alloc(&msg, 0) != 0 || nng_msg_append(msg, req, sizeof(req) - 1) != 0)
		goto out;
	nng_aio_set_timeout(aio, WATCHDOG_TIMEOUT_MS);
	nng_aio_set_msg(aio, msg);
	nng_send_aio(sock, aio);
	nng_aio_wait(aio);
	if (nng_aio_result(aio) != 0)
		goto out;
	msg = NULL;
	nng_recv_aio(sock, aio);
	nng_aio_wait(aio);
	if (nng_aio_result(aio) == 0) {
		nng_msg_free(nng_aio_get_msg(aio));
		ok = true;
	}
out:
	if (msg != NULL && !ok && nng_aio_result(aio) != 0)
		nng_msg_free(msg);
	nng_aio_free(aio);
	nng_close(sock);
	return ok || atomic_load(&s->stopping);
}

static void *
watchdog_main(void *arg)
{
	av_server *s = arg;

	for (;;) {
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_sec += WATCHDOG_EVERY_MS / 1000;
		pthread_mutex_lock(&s->wd_mu);
		while (!atomic_load(&s->stopping) &&
		    pthread_cond_timedwait(&s->wd_cv, &s->wd_mu, &ts) == 0)
			;
		pthread_mutex_unlock(&s->wd_mu);
		if (atomic_load(&s->stopping))
			break;
		if (probe(s))
			continue;
		nng_listener l;
		int rv;
		av_log(AV_LOG_WARN, "%s stopped answering; listening on it anew", s->cfg->socket);
		nng_listener_close(s->rep_l);
		if ((rv = listen_rep(s, &l)) != 0) {
			av_log(AV_LOG_ERROR, "cannot listen on %s again: %s", s->cfg->socket,
			    nng_strerror(rv));
			continue;
		}
		s->rep_l = l;
		atomic_fetch_add(&s->n_relistens, 1);
	}
	return NULL;
}

static int
bind_sockets(av_server *s, av_error *err)
{
	const av_config *c = s->cfg;
	nng_listener l;
	int rv;

	if ((rv = nng_rep0_open(&s->rep)) != 0)
		return nng_err(err, rv, "cannot open", "the request socket");
	s->rep_open = true;
	nng_socket_set_size(s->rep, NNG_OPT_RECVMAXSZ, HARD_MAX_MSG);
	if ((rv = listen_rep(s, &s->rep_l)) != 0)
		return nng_err(err, rv, "cannot listen on", c->socket);

	if ((rv = nng_pub0_open(&s->pub)) != 0)
		return nng_err(err, rv, "cannot open", "the event socket");
	s->pub_open = true;
	if ((rv = nng_listener_create(&l, s->pub, c->events)) != 0)
		return nng_err(err, rv, "cannot listen on", c->events);
	if (av_ipc_path(c->events) != NULL)
		nng_listener_set_int(l, NNG_OPT_IPC_PERMISSIONS, (int)c->socket_mode);
	if ((rv = nng_listener_start(l, 0)) != 0)
		return nng_err(err, rv, "cannot listen on", c->events);
	return 0;
}

static int
parent_dir(const char *path, char *buf, size_t len)
{
	const char *slash = strrchr(path, '/');

	if (slash == NULL || (size_t)(slash - path) >= len)
		return -1;
	memcpy(buf, path, (size_t)(slash - path));
	buf[slash - path] = '\0';
	return 0;
}

int
av_server_create(av_server **out, const av_config *cfg, av_diags *d, av_error *err)
{
	av_server *s;
	char dir[AV_PATH_MAX];
	int rc;

	*out = NULL;
	if ((s = calloc(1, sizeof(*s))) == NULL)
		return av_error_set(err, AV_ENOMEM, NULL, 0, 0, "out of memory");
	s->cfg = cfg;
	for (size_t t = 0, k = 0; t < sizeof(op_tables) / sizeof(op_tables[0]); t++)
		for (const av_srv_op *o = op_tables[t]; o->name != NULL && k < AV_METRIC_OPS; o++)
			s->ops[k++].name = o->name;
	pthread_mutex_init(&s->mu, NULL);
	pthread_mutex_init(&s->side_mu, NULL);
	pthread_mutex_init(&s->qmu, NULL);
	pthread_cond_init(&s->qcv, NULL);
	pthread_mutex_init(&s->wd_mu, NULL);
	pthread_cond_init(&s->wd_cv, NULL);
	s->started = av_now();
	if ((rc = av_mkdirs(cfg->state_dir, 0700)) != 0) {
		rc = av_error_set(err, AV_EIO, NULL, 0, 0, "cannot create state directory %s: %s",
		    cfg->state_dir, strerror(-rc));
		goto fail;
	}
	if (parent_dir(cfg->database, dir, sizeof(dir)) == 0 && (rc = av_mkdirs(dir, 0700)) != 0) {
		rc = av_error_set(err, AV_EIO, NULL, 0, 0, "cannot create %s: %s", dir,
		    strerror(-rc));
		goto fail;
	}
	if ((rc = load_policy(cfg, &s->policy, d)) != 0) {
		av_error_set(err, rc, NULL, 0, 0, "cannot load the plugins and profiles");
		goto fail;
	}
	/* A database that can be read but not written is served read-only:
	 * writes are refused with store_readonly until the file is writable. */
	if ((rc = av_store_open(&s->wr, cfg->database, AV_STORE_COMMITTER | AV_STORE_FALLBACK,
		 err)) != 0)
		goto fail;
	if (!av_store_writable(s->wr))
		av_log(AV_LOG_WARN, "%s cannot be written: serving reads only; writes resume once "
		    "it can be written", cfg->database);
	s->side.srv = s;
	s->side.id = -1;
	if ((rc = av_store_open(&s->side.rd, cfg->database, AV_STORE_FALLBACK, err)) != 0)
		goto fail;
	if ((rc = bind_sockets(s, err)) != 0)
		goto fail;
	*out = s;
	return 0;
fail:
	av_server_destroy(s);
	return rc;
}

int
av_server_start(av_server *s, av_error *err)
{
	int n = s->cfg->workers > 0 ? s->cfg->workers : (int)sysconf(_SC_NPROCESSORS_ONLN);
	int rv, rc;

	if (n < 1)
		n = 1;
	if ((s->workers = calloc((size_t)n, sizeof(worker))) == NULL)
		return av_error_set(err, AV_ENOMEM, NULL, 0, 0, "out of memory");
	for (int i = 0; i < n; i++) {
		worker *w = &s->workers[i];
		w->srv = s;
		w->id = i;
		if ((rc = av_store_open(&w->rd, s->cfg->database, AV_STORE_FALLBACK, err)) != 0)
			return rc;
		if ((rc = av_srv_refresh(w, err)) != 0)
			return rc;
		s->nworkers++;
	}
	for (int i = 0; i < n; i++) {
		worker *w = &s->workers[i];
		if (pthread_create(&w->thr, NULL, worker_main, w) != 0)
			return av_error_set(err, AV_EINTERNAL, NULL, 0, 0,
			    "cannot start worker thread %d", i);
		w->running = true;
	}
	/* Many more contexts than workers: requests queue for a worker
	 * instead of waiting in the transport, and evaluations waiting for
	 * their commit do not hold a worker. */
	s->nslots = n * 32 < 64 ? 64 : n * 32;
	if ((s->slots = calloc((size_t)s->nslots, sizeof(slot))) == NULL)
		return av_error_set(err, AV_ENOMEM, NULL, 0, 0, "out of memory");
	for (int i = 0; i < s->nslots; i++) {
		slot *sl = &s->slots[i];
		sl->srv = s;
		av_eval_init(&sl->ev);
		atomic_store(&sl->state, SLOT_DONE);
		if ((rv = nng_aio_alloc(&sl->aio, slot_cb, sl)) != 0 ||
		    (rv = nng_ctx_open(&sl->ctx, s->rep)) != 0) {
			s->nslots = i + (sl->aio != NULL);
			return nng_err(err, rv, "cannot create a context on", s->cfg->socket);
		}
	}
	for (int i = 0; i < s->nslots; i++)
		arm(&s->slots[i]);
	av_log(AV_LOG_INFO, "listening on %s (events %s), %d workers, database %s", s->cfg->socket,
	    s->cfg->events, n, s->cfg->database);
	if (pthread_create(&s->watchdog, NULL, watchdog_main, s) != 0)
		return av_error_set(err, AV_EINTERNAL, NULL, 0, 0, "cannot start the watchdog");
	s->watchdog_running = true;
	if (s->cfg->http.enabled && (rc = av_http_start(s, &s->http, err)) != 0)
		return rc;
	return av_publisher_start(s, &s->publisher, err);
}

int
av_server_reload(av_server *s, av_diags *d)
{
	av_policy *p, *old;

	if (load_policy(s->cfg, &p, d) != 0) {
		av_log(AV_LOG_ERROR, "reload refused; the old plugin set keeps serving");
		for (size_t i = 0; i < d->n; i++) {
			char line[AV_ERR_MSG + AV_ERR_FILE + 32];
			av_log(AV_LOG_ERROR, "  %s", av_error_format(&d->v[i], line, sizeof(line)));
		}
		return AV_EPLUGIN;
	}
	pthread_mutex_lock(&s->mu);
	old = s->policy;
	s->policy = p;
	s->gen++;
	pthread_mutex_unlock(&s->mu);
	av_log(AV_LOG_INFO, "reloaded: %zu plugins, policy digest %.12s (was %.12s)",
	    av_policy_nplugins(p), av_policy_digest(p), av_policy_digest(old));
	av_policy_unref(old);
	atomic_fetch_add(&s->n_reloads, 1);
	av_publisher_kick(s->publisher);
	return 0;
}

char *
av_server_call(av_server *s, const char *buf, size_t len, const char *actor, size_t *rlen)
{
	char *r;

	bool deferred = false;

	pthread_mutex_lock(&s->side_mu);
	r = handle(&s->side, NULL, buf, len, actor, rlen, &deferred);
	pthread_mutex_unlock(&s->side_mu);
	return r;
}

void
av_server_stop(av_server *s)
{
	if (s == NULL || s->stopped)
		return;
	s->stopped = true;
	/* The gateway first: its requests run on this server. */
	av_http_stop(s->http);
	s->http = NULL;
	atomic_store(&s->stopping, true);
	if (s->watchdog_running) {
		pthread_mutex_lock(&s->wd_mu);
		pthread_cond_broadcast(&s->wd_cv);
		pthread_mutex_unlock(&s->wd_mu);
		pthread_join(s->watchdog, NULL);
		s->watchdog_running = false;
	}
	/* The scheduler first: it writes through the committer and the PUB
	 * socket, both closed later. */
	av_publisher_stop(s->publisher);
	s->publisher = NULL;
	/*
	 * Slots waiting to receive are cancelled; slots with a request in
	 * flight finish it (including its commit) and send the reply.  Cancel
	 * until every slot is done, since one may re-arm just after a cancel.
	 */
	for (int tries = 0; tries < 3000; tries++) {
		bool done = true;
		for (int i = 0; i < s->nslots; i++) {
			slot_state st = atomic_load(&s->slots[i].state);
			if (st != SLOT_DONE)
				done = false;
			if (st == SLOT_RECV)
				nng_aio_cancel(s->slots[i].aio);
		}
		if (done)
			break;
		nng_msleep(10);
	}
	pthread_mutex_lock(&s->qmu);
	s->qclosed = true;
	pthread_cond_broadcast(&s->qcv);
	pthread_mutex_unlock(&s->qmu);
	for (int i = 0; i < s->nworkers; i++) {
		if (s->workers[i].running)
			pthread_join(s->workers[i].thr, NULL);
		s->workers[i].running = false;
	}
}

void
av_server_destroy(av_server *s)
{
	if (s == NULL)
		return;
	av_server_stop(s);
	for (int i = 0; i < s->nslots; i++) {
		slot *sl = &s->slots[i];
		if (sl->aio != NULL) {
			nng_aio_stop(sl->aio);
			nng_ctx_close(sl->ctx);
			nng_aio_free(sl->aio);
		}
		nng_msg_free(sl->msg);
		av_eval_fini(&sl->ev);
	}
	free(s->slots);
	for (int i = 0; i < s->nworkers; i++) {
		worker *w = &s->workers[i];
		av_runtime_destroy(w->rt);
		av_store_close(w->rd);
		av_srv_memo_free(w);
	}
	free(s->workers);
	if (s->rep_open)
		nng_close(s->rep);
	if (s->pub_open)
		nng_close(s->pub);
	av_runtime_destroy(s->side.rt);
	av_store_close(s->side.rd);
	av_srv_memo_free(&s->side);
	av_store_close(s->wr);
	av_policy_unref(s->policy);
	pthread_mutex_destroy(&s->mu);
	pthread_mutex_destroy(&s->side_mu);
	pthread_mutex_destroy(&s->qmu);
	pthread_cond_destroy(&s->qcv);
	pthread_mutex_destroy(&s->wd_mu);
	pthread_cond_destroy(&s->wd_cv);
	free(s);
}

