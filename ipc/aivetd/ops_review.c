/*
 * ops_review.c - the protocol operations for human reviews: what is due
 * (reviews), recording a decision (record_review), waiving a finding
 * (waive), recurring schedules (schedule), a component's history and the
 * stored alerts (alerts).
 *
 * Each reads its request, checks that the caller may write (auth.c), calls
 * the engine and writes the reply.  How waivers and reviews bear on a
 * verdict, when a review is due and what a write defaults to are the
 * engine's (engine/review.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "plugin.h"
#include "proto.h"
#include "review.h"
#include "server_int.h"
#include "store.h"

static void
add_time(cJSON *o, const char *key, int64_t t, bool date)
{
	char buf[32];

	if (t == 0)
		cJSON_AddNullToObject(o, key);
	else
		cJSON_AddStringToObject(o, key, date ? av_date_format(t, buf, sizeof(buf))
						     : av_time_format(t, buf, sizeof(buf)));
}

/* ---- request helpers ---------------------------------------------------- */

/* name and version, both required for writes. */
static int
target_of(const cJSON *req, const char **name, const char **version, bool need_version,
    av_error *err)
{
	*name = *version = NULL;
	if (av_req_str(req, "name", name, err) || av_req_str(req, "version", version, err))
		return AV_EINVAL;
	if (*name == NULL || (*name)[0] == '\0')
		return av_error_set(err, AV_EINVAL, NULL, 0, 0, "field 'name' is required");
	if (need_version && (*version == NULL || (*version)[0] == '\0'))
		return av_error_set(err, AV_EINVAL, NULL, 0, 0,
		    "field 'version' is required (NAME@VERSION)");
	return 0;
}

/* An optional ISO 8601 date or time field; *out stays dflt when absent. */
static int
time_field(const cJSON *req, const char *field, int64_t dflt, int64_t *out, av_error *err)
{
	const char *s = NULL;

	*out = dflt;
	if (av_req_str(req, field, &s, err))
		return AV_EINVAL;
	if (s != NULL && av_time_parse(s, out) != 0)
		return av_error_set(err, AV_EINVAL, NULL, 0, 0,
		    "field '%s': '%.64s' is not an ISO 8601 date (2027-03-01)", field, s);
	return 0;
}

/* An optional duration: a string ("30d") or a number of seconds. */
static int
duration_field(const cJSON *req, const char *field, int64_t *out, av_error *err)
{
	const cJSON *j = cJSON_GetObjectItemCaseSensitive(req, field);

	*out = 0;
	if (j == NULL || cJSON_IsNull(j))
		return 0;
	if (cJSON_IsNumber(j) && j->valuedouble > 0) {
		*out = (int64_t)j->valuedouble;
		return 0;
	}
	if (cJSON_IsString(j) && av_duration_parse(j->valuestring, out) == 0 && *out > 0)
		return 0;
	return av_error_set(err, AV_EINVAL, NULL, 0, 0,
	    "field '%s' must be a positive duration (\"30d\", \"6mo\") or seconds", field);
}

static char *
target_str(const char *name, const char *version, char *buf, size_t len)
{
	snprintf(buf, len, "%s@%s", name, version);
	return buf;
}

static cJSON *
forbidden(av_server *s, const char *actor, const char *action, const char *target)
{
	av_error err;

	av_error_set(&err, AV_EFORBIDDEN, NULL, 0, 0,
	    "%s may not %s %s: not one of the configured writers", actor, action, target);
	return av_srv_error(s, AV_EFORBIDDEN, &err);
}

/* ---- reviews ------------------------------------------------------------ */

typedef struct collect {
	av_verdict **v;
	size_t n, cap;
} collect;

static int
collect_one(void *arg, av_verdict *v)
{
	collect *c = arg;

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

static int
by_due(const void *a, const void *b)
{
	const cJSON *x = *(cJSON *const *)a, *y = *(cJSON *const *)b;
	double dx = cJSON_GetObjectItemCaseSensitive(x, "due_at")->valuedouble;
	double dy = cJSON_GetObjectItemCaseSensitive(y, "due_at")->valuedouble;

	if (dx != dy)
		return dx < dy ? -1 : 1;
	return strcmp(cJSON_GetObjectItemCaseSensitive(x, "name")->valuestring,
	    cJSON_GetObjectItemCaseSensitive(y, "name")->valuestring);
}

/* One component of the reviews reply, from its final verdict at `at`. */
static cJSON *
review_item(const av_verdict *v, const av_policy *p, int64_t at)
{
	cJSON *j = cJSON_CreateObject();
	char ts[32];

	if (j == NULL)
		return NULL;
	cJSON_AddStringToObject(j, "name", v->name);
	cJSON_AddStringToObject(j, "version", v->version);
	cJSON_AddStringToObject(j, "decision", av_decision_name(v->effective));
	cJSON_AddStringToObject(j, "automatic_decision", av_decision_name(v->decision));
	cJSON_AddStringToObject(j, "risk", av_risk_name(v->risk));
	cJSON_AddStringToObject(j, "profile", v->profile ? v->profile : "default");
	cJSON_AddStringToObject(j, "due", av_date_format(v->next_due, ts, sizeof(ts)));
	cJSON_AddNumberToObject(j, "due_at", (double)v->next_due);
	cJSON_AddStringToObject(j, "due_from", v->due_from);
	cJSON_AddNumberToObject(j, "lead_seconds", (double)av_review_lead(v, p));
	if (v->due_owner != NULL)
		cJSON_AddStringToObject(j, "owner", v->due_owner);
	else
		cJSON_AddNullToObject(j, "owner");
	if (v->due_every > 0)
		cJSON_AddNumberToObject(j, "every_seconds", (double)v->due_every);
	cJSON_AddStringToObject(j, "state", av_review_state(v, p, at));
	if (v->review.present) {
		cJSON_AddStringToObject(j, "reviewed_by", v->review.reviewer);
		cJSON_AddStringToObject(j, "reviewed_at",
		    av_time_format(v->review.at, ts, sizeof(ts)));
	}
	return j;
}

/*
 * reviews: {"due_within": "30d" or seconds, "as_of": ISO date} -> every
 * component with its next review, soonest first.
 */
static cJSON *
op_reviews(worker *w, const cJSON *req, slot *sl, const char *actor)
{
	av_server *s = w->srv;
	av_policy *p = av_runtime_policy(w->rt);
	collect c = {NULL, 0, 0};
	cJSON *r = NULL, *arr, **items = NULL;
	av_review_env re;
	int64_t at, within;
	size_t n = 0;
	av_error err;
	int rc;

	av_error_clear(&err);
	if (time_field(req, "as_of", av_now(), &at, &err) ||
	    duration_field(req, "due_within", &within, &err))
		return av_srv_error(s, AV_EINVAL, &err);
	re = av_srv_review_env(w, at);
	if ((rc = av_store_list(w->rd, collect_one, &c, &err)) != 0)
		goto fail;
	if ((items = calloc(c.n ? c.n : 1, sizeof(*items))) == NULL) {
		rc = AV_ENOMEM;
		goto fail;
	}
	for (size_t i = 0; i < c.n; i++) {
		av_verdict *v = c.v[i];

		if ((rc = av_review_apply(v, &re, &err)) != 0)
			goto fail;
		if (within > 0 && v->next_due > at + within)
			continue;
		if ((items[n] = review_item(v, p, at)) == NULL) {
			rc = AV_ENOMEM;
			goto fail;
		}
		n++;
	}
	qsort(items, n, sizeof(*items), by_due);
	if ((r = av_reply_ok()) == NULL || (arr = cJSON_AddArrayToObject(r, "reviews")) == NULL) {
		rc = AV_ENOMEM;
		goto fail;
	}
	{
		char ts[32];
		cJSON_AddStringToObject(r, "as_of", av_time_format(at, ts, sizeof(ts)));
	}
	for (size_t i = 0; i < n; i++)
		cJSON_AddItemToArray(arr, items[i]);
	n = 0;
	rc = 0;
fail:
	for (size_t i = 0; i < n; i++)
		cJSON_Delete(items[i]);
	free(items);
	for (size_t i = 0; i < c.n; i++)
		av_verdict_destroy(c.v[i]);
	free(c.v);
	if (rc != 0) {
		cJSON_Delete(r);
		return av_srv_error(s, rc, rc == AV_ENOMEM ? NULL : &err);
	}
	return r;
}

/* Where a write of actor runs: the engine's rules, the worker's policy. */
static av_review_env
write_env(worker *w, const char *actor)
{
	av_review_env e = av_srv_review_env(w, av_now());

	e.wr = w->srv->wr;
	e.actor = actor;
	return e;
}

/* ---- record_review ------------------------------------------------------ */

/*
 * record_review: {"name","version","decision":"approve"|"reject"|
 * "approve_with_conditions","note","conditions","next": ISO date}.
 */
static cJSON *
op_record_review(worker *w, const cJSON *req, slot *sl, const char *actor)
{
	av_server *s = w->srv;
	const char *name, *version, *dec = NULL, *note = NULL, *cond = NULL;
	av_review_env e = write_env(w, actor);
	av_review rv = {0};
	int64_t next;
	char tgt[512], ts[32];
	av_error err;
	cJSON *r;
	int d, rc;

	av_error_clear(&err);
	if (target_of(req, &name, &version, true, &err) || av_req_str(req, "decision", &dec, &err) ||
	    av_req_str(req, "note", &note, &err) || av_req_str(req, "conditions", &cond, &err) ||
	    time_field(req, "next", 0, &next, &err))
		return av_srv_error(s, AV_EINVAL, &err);
	if (dec == NULL || (d = av_review_decision_parse(dec)) < 0) {
		av_error_set(&err, AV_EINVAL, NULL, 0, 0,
		    "field 'decision' must be approve, reject or approve_with_conditions");
		return av_srv_error(s, AV_EINVAL, &err);
	}
	target_str(name, version, tgt, sizeof(tgt));
	if (av_srv_authorize(s, actor, "review", tgt) != 0)
		return forbidden(s, actor, "record a review of", tgt);
	rv.name = name;
	rv.version = version;
	rv.decision = (av_review_decision)d;
	rv.note = note;
	rv.conditions = cond;
	rv.next_review = next;
	if ((rc = av_review_record(&e, &rv, &err)) != 0)
		return av_srv_error(s, rc, &err);
	if ((r = av_reply_ok()) == NULL)
		return NULL;
	cJSON *j = cJSON_AddObjectToObject(r, "review");
	cJSON_AddNumberToObject(j, "id", (double)rv.id);
	cJSON_AddStringToObject(j, "name", name);
	cJSON_AddStringToObject(j, "version", version);
	cJSON_AddStringToObject(j, "decision", av_review_decision_name(rv.decision));
	cJSON_AddStringToObject(j, "reviewer", actor);
	cJSON_AddStringToObject(j, "at", av_time_format(rv.created_at, ts, sizeof(ts)));
	cJSON_AddStringToObject(j, "note", note ? note : "");
	cJSON_AddStringToObject(j, "next_review", av_date_format(rv.next_review, ts, sizeof(ts)));
	return r;
}

/* ---- waive -------------------------------------------------------------- */

/*
 * waive: {"name","version","finding","justification","note","until"} or
 * {"revoke": id}.
 */
static cJSON *
op_waive(worker *w, const cJSON *req, slot *sl, const char *actor)
{
	av_server *s = w->srv;
	const char *name, *version, *fid = NULL, *just = NULL, *note = NULL;
	const cJSON *revoke = cJSON_GetObjectItemCaseSensitive(req, "revoke");
	av_review_env e = write_env(w, actor);
	av_waiver wv = {0};
	int64_t until;
	char tgt[512], ts[32];
	av_error err;
	cJSON *r;
	int j, rc;

	av_error_clear(&err);
	if (target_of(req, &name, &version, true, &err) || av_req_str(req, "finding", &fid, &err) ||
	    av_req_str(req, "justification", &just, &err) || av_req_str(req, "note", &note, &err) ||
	    time_field(req, "until", 0, &until, &err))
		return av_srv_error(s, AV_EINVAL, &err);
	target_str(name, version, tgt, sizeof(tgt));
	if (av_srv_authorize(s, actor, "waive", tgt) != 0)
		return forbidden(s, actor, "waive findings of", tgt);
	if (revoke != NULL) {
		if (!cJSON_IsNumber(revoke) || revoke->valuedouble < 1) {
			av_error_set(&err, AV_EINVAL, NULL, 0, 0, "field 'revoke' must be a waiver id");
			return av_srv_error(s, AV_EINVAL, &err);
		}
		if ((rc = av_store_revoke_waiver(s->wr, (int64_t)revoke->valuedouble, e.now, actor,
			 &err)) != 0)
			return av_srv_error(s, rc, &err);
		r = av_reply_ok();
		if (r != NULL)
			cJSON_AddNumberToObject(r, "revoked", revoke->valuedouble);
		return r;
	}
	if (fid == NULL || fid[0] == '\0') {
		av_error_set(&err, AV_EINVAL, NULL, 0, 0, "field 'finding' is required");
		return av_srv_error(s, AV_EINVAL, &err);
	}
	if (just == NULL || (j = av_justification_parse(just)) < 0) {
		av_error_set(&err, AV_EINVAL, NULL, 0, 0,
		    "field 'justification' must be not_applicable, mitigated, accepted_risk or "
		    "false_positive");
		return av_srv_error(s, AV_EINVAL, &err);
	}
	wv.name = name;
	wv.version = version;
	wv.finding_id = fid;
	wv.justification = (av_justification)j;
	wv.note = note;
	wv.until = until;
	if ((rc = av_review_waive(&e, &wv, &err)) != 0)
		return av_srv_error(s, rc, &err);
	if ((r = av_reply_ok()) == NULL)
		return NULL;
	cJSON *o = cJSON_AddObjectToObject(r, "waiver");
	cJSON_AddNumberToObject(o, "id", (double)wv.id);
	cJSON_AddStringToObject(o, "name", name);
	cJSON_AddStringToObject(o, "version", version);
	cJSON_AddStringToObject(o, "finding", fid);
	cJSON_AddStringToObject(o, "justification", av_justification_name(wv.justification));
	cJSON_AddStringToObject(o, "note", note ? note : "");
	add_time(o, "until", until, true);
	cJSON_AddStringToObject(o, "by", actor);
	cJSON_AddStringToObject(o, "at", av_time_format(wv.created_at, ts, sizeof(ts)));
	return r;
}

/* ---- schedule ----------------------------------------------------------- */

/* schedule: {"name","version","every","owner","next"} or {..., "remove": true}. */
static cJSON *
op_schedule(worker *w, const cJSON *req, slot *sl, const char *actor)
{
	av_server *s = w->srv;
	const char *name, *version, *owner = NULL;
	av_review_env e = write_env(w, actor);
	int64_t every, next;
	int remove = 0, rc;
	av_schedule sc = {0};
	char tgt[512], ts[32];
	av_error err;
	cJSON *r;

	av_error_clear(&err);
	if (target_of(req, &name, &version, true, &err) || av_req_str(req, "owner", &owner, &err) ||
	    av_req_bool(req, "remove", &remove, &err) || duration_field(req, "every", &every, &err) ||
	    time_field(req, "next", 0, &next, &err))
		return av_srv_error(s, AV_EINVAL, &err);
	target_str(name, version, tgt, sizeof(tgt));
	if (av_srv_authorize(s, actor, "schedule", tgt) != 0)
		return forbidden(s, actor, "schedule reviews of", tgt);
	if (remove) {
		if ((rc = av_store_remove_schedule(s->wr, name, version, e.now, actor, &err)) != 0)
			return av_srv_error(s, rc, &err);
		return av_reply_ok();
	}
	sc.name = name;
	sc.version = version;
	sc.every_seconds = every;
	sc.owner = owner;
	sc.next_due = next;
	if ((rc = av_review_schedule(&e, &sc, &err)) != 0)
		return av_srv_error(s, rc, &err);
	if ((r = av_reply_ok()) == NULL)
		return NULL;
	cJSON *o = cJSON_AddObjectToObject(r, "schedule");
	cJSON_AddStringToObject(o, "name", name);
	cJSON_AddStringToObject(o, "version", version);
	cJSON_AddNumberToObject(o, "every_seconds", (double)sc.every_seconds);
	if (owner != NULL)
		cJSON_AddStringToObject(o, "owner", owner);
	else
		cJSON_AddNullToObject(o, "owner");
	cJSON_AddStringToObject(o, "next_due", av_date_format(sc.next_due, ts, sizeof(ts)));
	return r;
}

/* ---- history and alerts ------------------------------------------------- */

static const char *const kind_names[] = {"evaluation", "review", "alert"};

static int
history_one(void *arg, const av_history_event *e)
{
	cJSON *arr = arg, *j = cJSON_CreateObject(), *d;
	char ts[32];

	if (j == NULL)
		return AV_ENOMEM;
	cJSON_AddItemToArray(arr, j);
	cJSON_AddStringToObject(j, "kind", kind_names[e->kind <= AV_HISTORY_ALERT ? e->kind : 0]);
	cJSON_AddNumberToObject(j, "id", (double)e->id);
	cJSON_AddStringToObject(j, "at", av_time_format(e->at, ts, sizeof(ts)));
	cJSON_AddStringToObject(j, "version", e->version ? e->version : "");
	cJSON_AddStringToObject(j, "what", e->what ? e->what : "");
	if (e->who != NULL)
		cJSON_AddStringToObject(j, "who", e->who);
	if (e->detail == NULL)
		return 0;
	if (e->kind == AV_HISTORY_REVIEW) {
		cJSON_AddStringToObject(j, "note", e->detail);
	} else if ((d = cJSON_Parse(e->detail)) != NULL) {
		if (e->kind == AV_HISTORY_EVALUATION) {
			/* The headline of the verdict, not its findings. */
			static const char *keep[] = {"risk", "profile", "review_by", "policy_digest"};
			for (size_t i = 0; i < sizeof(keep) / sizeof(keep[0]); i++) {
				cJSON *x = cJSON_DetachItemFromObjectCaseSensitive(d, keep[i]);
				if (x != NULL)
					cJSON_AddItemToObject(j, keep[i], x);
			}
			cJSON_Delete(d);
		} else {
			cJSON_AddItemToObject(j, "detail", d);
		}
	}
	return 0;
}

/* history: {"name","version"} -> evaluations, reviews and alerts in time order. */
static cJSON *
op_history(worker *w, const cJSON *req, slot *sl, const char *actor)
{
	av_server *s = w->srv;
	const char *name, *version;
	cJSON *r, *arr;
	av_error err;
	int rc;

	av_error_clear(&err);
	if (target_of(req, &name, &version, false, &err))
		return av_srv_error(s, AV_EINVAL, &err);
	if ((r = av_reply_ok()) == NULL || (arr = cJSON_AddArrayToObject(r, "events")) == NULL) {
		cJSON_Delete(r);
		return NULL;
	}
	cJSON_AddStringToObject(r, "name", name);
	if ((rc = av_store_history(w->rd, name, version, history_one, arr, &err)) != 0) {
		cJSON_Delete(r);
		return av_srv_error(s, rc, rc == AV_ENOMEM ? NULL : &err);
	}
	if (cJSON_GetArraySize(arr) == 0) {
		cJSON_Delete(r);
		av_error_set(&err, AV_ENOTFOUND, NULL, 0, 0, "no history for %s%s%s", name,
		    version ? "@" : "", version ? version : "");
		return av_srv_error(s, AV_ENOTFOUND, &err);
	}
	return r;
}

typedef struct alerts_ctx {
	cJSON *arr;
	int64_t last;
} alerts_ctx;

static int
alert_one(void *arg, const av_alert *a)
{
	alerts_ctx *c = arg;
	cJSON *j = av_alert_json(a);

	if (j == NULL)
		return AV_ENOMEM;
	cJSON_AddItemToArray(c->arr, j);
	c->last = a->id;
	return 0;
}

/* alerts: {"since": id, "limit": n} -> stored alerts with id > since, oldest first. */
static cJSON *
op_alerts(worker *w, const cJSON *req, slot *sl, const char *actor)
{
	av_server *s = w->srv;
	const cJSON *since = cJSON_GetObjectItemCaseSensitive(req, "since");
	const cJSON *limit = cJSON_GetObjectItemCaseSensitive(req, "limit");
	alerts_ctx c = {NULL, 0};
	cJSON *r;
	av_error err;
	int rc;

	av_error_clear(&err);
	if ((since != NULL && (!cJSON_IsNumber(since) || since->valuedouble < 0)) ||
	    (limit != NULL && (!cJSON_IsNumber(limit) || limit->valuedouble < 0))) {
		av_error_set(&err, AV_EINVAL, NULL, 0, 0,
		    "fields 'since' and 'limit' must be non-negative numbers");
		return av_srv_error(s, AV_EINVAL, &err);
	}
	c.last = since ? (int64_t)since->valuedouble : 0;
	if ((r = av_reply_ok()) == NULL || (c.arr = cJSON_AddArrayToObject(r, "alerts")) == NULL) {
		cJSON_Delete(r);
		return NULL;
	}
	rc = av_store_list_alerts(w->rd, c.last, limit ? (size_t)limit->valuedouble : 1000,
	    alert_one, &c, &err);
	if (rc != 0) {
		cJSON_Delete(r);
		return av_srv_error(s, rc, rc == AV_ENOMEM ? NULL : &err);
	}
	cJSON_AddNumberToObject(r, "last_id", (double)c.last);
	return r;
}

const av_srv_op av_review_ops[] = {
	{"reviews", op_reviews},
	{"record_review", op_record_review},
	{"waive", op_waive},
	{"schedule", op_schedule},
	{"history", op_history},
	{"alerts", op_alerts},
	{NULL, NULL},
};
