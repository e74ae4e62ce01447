/*
 * ops.c - the core protocol operations of aivetd: health, evaluate,
 * verdict, list, policies, reload and stats.
 *
 * Each reads its request, calls the engine and writes the reply: the
 * verdict itself, the waivers and reviews that bear on it, its due date and
 * freshness are all decided by the engine's one pipeline (engine/evaluate.h,
 * engine/review.h).  Replies carry the final verdict as the engine writes
 * it, never patched.
 */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "av_config.h"
#include "clock.h"
#include "evaluate.h"
#include "log.h"
#include "plugin.h"
#include "proto.h"
#include "review.h"
#include "server.h"
#include "server_int.h"
#include "store.h"
#include "verdict.h"

#define DEFERRED (&av_srv_deferred)

cJSON *
av_srv_error(av_server *s, int code, const av_error *e)
{
	char msg[AV_ERR_MSG + AV_ERR_FILE + 32];

	atomic_fetch_add(&s->n_errors, 1);
	if (e != NULL && e->msg[0] != '\0')
		return av_reply_error(code, av_error_format(e, msg, sizeof(msg)));
	return av_reply_error(code, NULL);
}

cJSON *
av_srv_verdict_reply(const av_verdict *v)
{
	cJSON *r = av_reply_ok(), *j = NULL;
	/* Written straight to text (no cJSON tree); a raw item takes the text
	 * as it is and frees it with the reply. */
	char *text = av_verdict_text(v, NULL);

	if (r == NULL || text == NULL || (j = cJSON_CreateRaw("")) == NULL) {
		cJSON_Delete(r);
		free(text);
		return NULL;
	}
	free(j->valuestring);
	j->valuestring = text;
	cJSON_AddItemToObject(r, "verdict", j);
	return r;
}

av_eval_env
av_srv_eval_env(worker *w, int64_t now)
{
	av_eval_env e = {.rt = w->rt, .rd = w->rd, .now = now};

	return e;
}

av_review_env
av_srv_review_env(worker *w, int64_t now)
{
	av_review_env e = {.rd = w->rd, .policy = av_runtime_policy(w->rt), .now = now};

	return e;
}

/* Counts a freshly evaluated (not cached) verdict for GET /metrics. */
static void
count_fresh(av_server *s, const av_verdict *v)
{
	if ((int)v->decision >= 0 && (int)v->decision < 3)
		atomic_fetch_add(&s->n_decisions[v->decision], 1);
	for (size_t i = 0; i < v->nfindings; i++)
		if (v->findings[i].id != NULL && strncmp(v->findings[i].id, "engine.plugin_", 14) == 0)
			atomic_fetch_add(&s->n_plugin_errors, 1);
}

static cJSON *
op_health(worker *w, const cJSON *req, slot *sl, const char *actor)
{
	av_server *s = w->srv;
	av_policy *p = av_runtime_policy(w->rt);
	cJSON *r = av_reply_ok(), *pol, *st;
	av_store_stats sst;
	av_error err;
	char ts[32];
	int store_ok, writable;

	if (r == NULL)
		return NULL;
	store_ok = av_store_get_stats(s->wr, &sst, &err) == 0;
	writable = sst.writable;
	cJSON_AddStringToObject(r, "status", !store_ok ? "degraded" : writable ? "ok" : "read_only");
	cJSON_AddStringToObject(r, "version", AV_VERSION);
	cJSON_AddNumberToObject(r, "protocol", AV_PROTO_VERSION);
	cJSON_AddStringToObject(r, "started", av_time_format(s->started, ts, sizeof(ts)));
	cJSON_AddNumberToObject(r, "uptime", (double)(av_now() - s->started));
	cJSON_AddNumberToObject(r, "workers", s->nworkers);
	pol = cJSON_AddObjectToObject(r, "policy");
	cJSON_AddStringToObject(pol, "digest", av_policy_digest(p));
	cJSON_AddNumberToObject(pol, "plugins", (double)av_policy_nplugins(p));
	cJSON_AddStringToObject(pol, "default_profile", s->cfg->profile);
	st = cJSON_AddObjectToObject(r, "store");
	cJSON_AddBoolToObject(st, "ok", store_ok);
	cJSON_AddStringToObject(st, "path", s->cfg->database);
	cJSON_AddBoolToObject(st, "writable", writable);
	if (!store_ok)
		cJSON_AddStringToObject(st, "error", err.msg);
	else
		av_store_stats_json(&sst, st);
	return r;
}

/* ---- the request memo (server_int.h) ---- */

static uint64_t
memo_hash(const char *buf, size_t len)
{
	uint64_t h = 0xcbf29ce484222325ULL ^ len;
	size_t i = 0;

	for (; i + 8 <= len; i += 8) {
		uint64_t x;
		memcpy(&x, buf + i, 8);
		h = (h ^ x) * 0x100000001b3ULL;
		h ^= h >> 29;
	}
	for (; i < len; i++)
		h = (h ^ (unsigned char)buf[i]) * 0x100000001b3ULL;
	return h ^ (h >> 32);
}

static void
memo_clear(av_req_memo *m)
{
	free(m->req);
	free(m->profile);
	memset(m, 0, sizeof(*m));
}

void
av_srv_memo_free(worker *w)
{
	for (int i = 0; i < AV_MEMO_SLOTS; i++)
		memo_clear(&w->memo[i]);
}

static const av_req_memo *
memo_find(worker *w, const char *buf, size_t len, uint64_t hash)
{
	const av_req_memo *m = &w->memo[hash % AV_MEMO_SLOTS];

	if (m->req != NULL && m->hash == hash && m->len == len && memcmp(m->req, buf, len) == 0)
		return m;
	return NULL;
}

/* Remembers what the request being handled came to (best effort). */
static void
memo_put(worker *w, const char *digest, const char *profile)
{
	av_req_memo *m;

	if (w->req_buf == NULL || w->req_len > AV_MEMO_MAX_REQUEST)
		return;
	m = &w->memo[w->req_hash % AV_MEMO_SLOTS];
	memo_clear(m);
	if ((m->req = malloc(w->req_len)) == NULL ||
	    (profile != NULL && (m->profile = strdup(profile)) == NULL)) {
		memo_clear(m);
		return;
	}
	memcpy(m->req, w->req_buf, w->req_len);
	m->len = w->req_len;
	m->hash = w->req_hash;
	memcpy(m->digest, digest, sizeof(m->digest));
}

cJSON *
av_srv_evaluate_seen(worker *w, const char *buf, size_t len)
{
	av_server *s = w->srv;
	const av_req_memo *m;
	av_eval_env env;
	av_eval ev;
	av_error err;
	cJSON *reply = NULL;

	w->req_hash = memo_hash(buf, len);
	if ((m = memo_find(w, buf, len, w->req_hash)) == NULL || av_srv_refresh(w, &err) != 0)
		return NULL;
	env = av_srv_eval_env(w, av_now());
	av_eval_init(&ev);
	/* A miss (another policy, a refresh, a profile gone) takes the whole path. */
	if (av_eval_cached(&ev, &env, m->digest, m->profile != NULL ? m->profile : s->cfg->profile,
		&err) == 0) {
		atomic_fetch_add(&s->n_cached, 1);
		reply = av_srv_verdict_reply(ev.v);
	}
	av_eval_fini(&ev);
	return reply;
}

/* The reply to an evaluation made final: the verdict, counted. */
static cJSON *
evaluated(av_server *s, const av_eval *ev)
{
	cJSON *reply;

	if (ev->cached) {
		atomic_fetch_add(&s->n_cached, 1);
		return av_srv_verdict_reply(ev->v);
	}
	atomic_fetch_add(&s->n_evaluated, 1);
	if ((reply = av_srv_verdict_reply(ev->v)) != NULL)
		count_fresh(s, ev->v);
	return reply;
}

static bool
store_failed(int rc)
{
	return rc == AV_ESTORE || rc == AV_EFULL || rc == AV_EREADONLY;
}

/*
 * evaluate: {"manifest": YAML/JSON text or a JSON object, "file": name for
 * errors, "profile": name, "refresh": bool (skip the cache)}.  On the REP
 * socket a fresh verdict is stored through the group commit while the
 * worker takes other requests, and the reply goes out once it is durable.
 */
static cJSON *
op_evaluate(worker *w, const cJSON *req, slot *sl, const char *actor)
{
	av_server *s = w->srv;
	const cJSON *m = cJSON_GetObjectItemCaseSensitive(req, "manifest");
	const char *file = NULL, *profile = NULL;
	av_eval_env env = av_srv_eval_env(w, av_now());
	av_eval_in in = {0};
	av_eval local, *ev = sl != NULL ? &sl->ev : &local;
	int refresh = 0, rc;
	av_error err;
	cJSON *reply;

	av_error_clear(&err);
	if (av_req_str(req, "file", &file, &err) || av_req_str(req, "profile", &profile, &err) ||
	    av_req_bool(req, "refresh", &refresh, &err))
		return av_srv_error(s, AV_EINVAL, &err);
	if (cJSON_IsString(m)) {
		in.text = m->valuestring;
		in.len = strlen(m->valuestring);
	} else if (cJSON_IsObject(m)) {
		in.json = m;
	} else {
		av_error_set(&err, AV_EINVAL, NULL, 0, 0,
		    "field 'manifest' must be the manifest's text or a JSON object");
		return av_srv_error(s, AV_EINVAL, &err);
	}
	in.file = file != NULL ? file : "<request>";
	in.profile = profile != NULL ? profile : s->cfg->profile;
	in.refresh = refresh;
	/* Stored through the group commit: asynchronously on the REP socket,
	 * by the engine itself otherwise. */
	env.store_later = sl != NULL;
	env.wr = sl != NULL ? NULL : s->wr;
	env.actor = actor;
	av_eval_init(ev);
	if ((rc = av_evaluate(ev, &env, &in, &err)) != 0) {
		if (store_failed(rc))
			av_log(AV_LOG_ERROR, "evaluate %s: %s", in.file, err.msg);
		reply = av_srv_error(s, rc, &err);
		goto out;
	}
	if (!refresh)
		memo_put(w, ev->digest, profile);
	if (ev->must_store) {
		/* Reply once the group commit has made it durable; meanwhile this
		 * worker takes other requests. */
		sl->now = env.now;
		if (av_store_put_evaluation_async(s->wr, ev->v, ev->canon, ev->canon_len, sl->actor,
			av_srv_commit_done, sl, &err) == 0)
			return DEFERRED;
		rc = err.code ? err.code : AV_ESTORE;
		av_log(AV_LOG_ERROR, "storing the evaluation of %s@%s failed: %s", ev->v->name,
		    ev->v->version, err.msg);
		reply = av_srv_error(s, rc, &err);
		goto out;
	}
	reply = evaluated(s, ev);
out:
	av_eval_fini(ev);
	return reply;
}

cJSON *
av_srv_evaluate_committed(worker *w, slot *sl)
{
	av_server *s = w->srv;
	av_eval *ev = &sl->ev;
	av_eval_env env;
	av_error err;
	cJSON *reply;
	int rc;

	if (sl->commit_rc != 0) {
		av_log(AV_LOG_ERROR, "storing the evaluation of %s@%s failed: %s", ev->v->name,
		    ev->v->version, sl->commit_err.msg);
		reply = av_srv_error(s, sl->commit_rc, &sl->commit_err);
		goto out;
	}
	ev->v->id = sl->commit_id;
	/* Finished by whichever worker took the slot, on its own runtime and
	 * read handle, at the evaluation's clock. */
	av_error_clear(&err);
	(void)av_srv_refresh(w, &err);
	env = av_srv_eval_env(w, sl->now);
	if ((rc = av_eval_finish(ev, &env, &err)) != 0)
		reply = av_srv_error(s, rc, &err);
	else if ((reply = evaluated(s, ev)) == NULL)
		reply = av_reply_error(AV_ENOMEM, NULL);
out:
	av_eval_fini(ev);
	return reply;
}

/* verdict: {"name", "version"} -> the stored verdict, made final now. */
static cJSON *
op_verdict(worker *w, const cJSON *req, slot *sl, const char *actor)
{
	av_server *s = w->srv;
	const char *name = NULL, *version = NULL;
	const av_verdict *ref = NULL;
	av_review_env re = av_srv_review_env(w, av_now());
	av_verdict_view vw;
	av_error err;
	cJSON *reply;
	int rc;

	av_error_clear(&err);
	if (av_req_str(req, "name", &name, &err) || av_req_str(req, "version", &version, &err))
		return av_srv_error(s, AV_EINVAL, &err);
	if (name == NULL || name[0] == '\0') {
		av_error_set(&err, AV_EINVAL, NULL, 0, 0, "field 'name' is required");
		return av_srv_error(s, AV_EINVAL, &err);
	}
	if ((rc = av_store_latest_ref(w->rd, name, version, &ref, &err)) != 0) {
		if (rc == AV_ENOTFOUND)
			av_error_set(&err, rc, NULL, 0, 0, "no verdict for %s%s%s", name,
			    version ? "@" : "", version ? version : "");
		return av_srv_error(s, rc, &err);
	}
	/* The store's copy is borrowed: the view owns what changes per request. */
	if (av_verdict_view_init(&vw, ref) != 0)
		reply = av_srv_error(s, AV_ENOMEM, NULL);
	else if ((rc = av_review_apply(&vw.v, &re, &err)) != 0)
		reply = av_srv_error(s, rc, &err);
	else
		reply = av_srv_verdict_reply(&vw.v);
	av_verdict_view_fini(&vw);
	return reply;
}

typedef struct list_ctx {
	av_verdict **v; /* collected first: the record is read from the same handle */
	size_t n, cap;
} list_ctx;

static int
list_one(void *arg, av_verdict *v)
{
	list_ctx *c = arg;

	if (c->n == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 64;
		av_verdict **nv = realloc(c->v, cap * sizeof(*nv));
		if (nv == NULL) {
			av_verdict_destroy(v);
			return AV_ENOMEM;
		}
		c->v = nv;
		c->cap = cap;
	}
	c->v[c->n++] = v;
	return 0;
}

/* A verdict's text as a raw item of an array. */
static int
add_raw_verdict(cJSON *arr, const av_verdict *v)
{
	char *text = av_verdict_text(v, NULL);
	cJSON *j;

	if (text == NULL || (j = cJSON_CreateRaw("")) == NULL) {
		free(text);
		return AV_ENOMEM;
	}
	free(j->valuestring);
	j->valuestring = text;
	cJSON_AddItemToArray(arr, j);
	return 0;
}

/* list -> the latest verdict of every component@version, each made final now. */
static cJSON *
op_list(worker *w, const cJSON *req, slot *sl, const char *actor)
{
	cJSON *r = av_reply_ok(), *arr;
	av_review_env re = av_srv_review_env(w, av_now());
	list_ctx c = {NULL, 0, 0};
	av_error err;
	int rc;

	if (r == NULL || (arr = cJSON_AddArrayToObject(r, "components")) == NULL) {
		cJSON_Delete(r);
		return NULL;
	}
	av_error_clear(&err);
	rc = av_store_list(w->rd, list_one, &c, &err);
	for (size_t i = 0; i < c.n; i++) {
		if (rc == 0 && (rc = av_review_apply(c.v[i], &re, &err)) == 0)
			rc = add_raw_verdict(arr, c.v[i]);
		av_verdict_destroy(c.v[i]);
	}
	free(c.v);
	if (rc != 0) {
		cJSON_Delete(r);
		return av_srv_error(w->srv, rc, rc == AV_ENOMEM ? NULL : &err);
	}
	return r;
}

static cJSON *
op_policies(worker *w, const cJSON *req, slot *sl, const char *actor)
{
	cJSON *r = av_reply_ok(), *d = av_policy_describe(av_runtime_policy(w->rt));

	if (r == NULL || d == NULL) {
		cJSON_Delete(r);
		cJSON_Delete(d);
		return NULL;
	}
	cJSON_AddItemToObject(r, "policy", d);
	return r;
}

static cJSON *
op_reload(worker *w, const cJSON *req, slot *sl, const char *actor)
{
	av_server *s = w->srv;
	av_diags d;
	av_error err;
	cJSON *r;
	char line[AV_ERR_MSG + AV_ERR_FILE + 32];

	if (av_srv_authorize(s, actor, "reload", NULL) != 0) {
		av_error_set(&err, AV_EFORBIDDEN, NULL, 0, 0, "%s may not reload the daemon", actor);
		return av_srv_error(s, AV_EFORBIDDEN, &err);
	}
	av_diags_init(&d);
	if (av_server_reload(s, &d) != 0) {
		r = av_reply_error(AV_EPLUGIN, d.n ? av_error_format(&d.v[0], line, sizeof(line))
						 : "reload failed");
		cJSON *arr = cJSON_AddArrayToObject(cJSON_GetObjectItem(r, "error"), "problems");
		for (size_t i = 0; i < d.n; i++)
			cJSON_AddItemToArray(arr, cJSON_CreateString(av_error_format(&d.v[i], line,
						      sizeof(line))));
		av_diags_fini(&d);
		atomic_fetch_add(&s->n_errors, 1);
		return r;
	}
	av_diags_fini(&d);
	r = av_reply_ok();
	av_policy *p = av_srv_policy(s, NULL);
	cJSON_AddStringToObject(r, "policy_digest", av_policy_digest(p));
	cJSON_AddNumberToObject(r, "plugins", (double)av_policy_nplugins(p));
	av_policy_unref(p);
	return r;
}

static cJSON *
op_stats(worker *w, const cJSON *req, slot *sl, const char *actor)
{
	av_server *s = w->srv;
	cJSON *r = av_reply_ok();

	if (r == NULL)
		return NULL;
	cJSON_AddNumberToObject(r, "requests", (double)atomic_load(&s->n_requests));
	cJSON_AddNumberToObject(r, "errors", (double)atomic_load(&s->n_errors));
	cJSON_AddNumberToObject(r, "evaluated", (double)atomic_load(&s->n_evaluated));
	cJSON_AddNumberToObject(r, "cached", (double)atomic_load(&s->n_cached));
	cJSON_AddNumberToObject(r, "reloads", (double)atomic_load(&s->n_reloads));
	cJSON_AddNumberToObject(r, "uptime", (double)(av_now() - s->started));
	return r;
}

const av_srv_op av_core_ops[] = {
	{"health", op_health},
	{"evaluate", op_evaluate},
	{"verdict", op_verdict},
	{"list", op_list},
	{"policies", op_policies},
	{"reload", op_reload},
	{"stats", op_stats},
	{NULL, NULL},
};
