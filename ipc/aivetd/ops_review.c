/*
 * ops_review.c - the protocol operations for human reviews: what is due
 * (reviews), recording a decision (record_review), waiving a finding
 * (waive), recurring schedules (schedule), a component's history and the
 * stored alerts (alerts); and who may write.
 *
 * The automatic verdict is never rewritten: waivers and reviews are stored
 * beside it and applied when a verdict is read, so that `verdict` can show
 * both the automatic decision and the human one.
 */
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "log.h"
#include "plugin.h"
#include "proto.h"
#include "server_int.h"
#include "store.h"

/* ---- authorisation ------------------------------------------------------ */

static bool
in_group(const char *user, const char *group)
{
	struct group gr, *gres = NULL;
	struct passwd pw, *pres = NULL;
	char gbuf[8192], pbuf[4096];

	if (getgrnam_r(group, &gr, gbuf, sizeof(gbuf), &gres) != 0 || gres == NULL)
		return false;
	for (char **m = gr.gr_mem; m != NULL && *m != NULL; m++)
		if (strcmp(*m, user) == 0)
			return true;
	return getpwnam_r(user, &pw, pbuf, sizeof(pbuf), &pres) == 0 && pres != NULL &&
	    pw.pw_gid == gr.gr_gid;
}

static bool
may_write(const av_config *c, const char *actor)
{
	struct passwd pw, *res = NULL;
	char buf[4096];

	/* The HTTP gateway names its caller "<http:token>" (not a possible
	 * user name) only after checking the configured bearer token
	 * (ipc/http.c); IPC actors come from the peer's uid, so no client can
	 * claim this name. */
	if (strcmp(actor, "<http:token>") == 0)
		return true;
	if (c->nwriter_users == 0 && c->nwriter_groups == 0) {
		if (strcmp(actor, "root") == 0)
			return true;
		return getpwuid_r(geteuid(), &pw, buf, sizeof(buf), &res) == 0 && res != NULL &&
		    strcmp(pw.pw_name, actor) == 0;
	}
	for (size_t i = 0; i < c->nwriter_users; i++)
		if (strcmp(c->writer_users[i], actor) == 0)
			return true;
	for (size_t i = 0; i < c->nwriter_groups; i++)
		if (in_group(actor, c->writer_groups[i]))
			return true;
	return false;
}

int
av_srv_authorize(av_server *s, const char *actor, const char *action, const char *target)
{
	av_audit a = {0};
	av_error err;

	if (may_write(s->cfg, actor))
		return 0;
	a.at = av_now();
	a.actor = actor;
	a.action = action;
	a.target = target;
	a.detail = "{\"error\":\"forbidden\"}";
	a.denied = true;
	if (av_store_audit(s->wr, &a, &err) != 0)
		av_log(AV_LOG_ERROR, "cannot record a refused %s by %s: %s", action, actor, err.msg);
	av_log(AV_LOG_WARN, "refused: %s may not %s%s%s", actor, action, target ? " " : "",
	    target ? target : "");
	return AV_EFORBIDDEN;
}

/* ---- waivers, reviews and due dates ------------------------------------- */

typedef struct waived_ctx {
	av_verdict *v;
} waived_ctx;

static int
mark_waived(void *arg, const av_waiver *wv)
{
	av_verdict *v = ((waived_ctx *)arg)->v;

	for (size_t i = 0; i < v->nfindings; i++)
		if (strcmp(v->findings[i].id, wv->finding_id) == 0)
			v->findings[i].waived = true;
	return 0;
}

void
av_srv_apply_waivers(worker *w, av_verdict *v, int64_t now)
{
	waived_ctx c = {v};
	av_error err;

	for (size_t i = 0; i < v->nfindings; i++)
		v->findings[i].waived = false;
	if (av_store_list_waivers(w->rd, v->name, v->version, now, AV_WAIVERS_ACTIVE, mark_waived,
		&c, &err) != 0)
		av_log(AV_LOG_WARN, "cannot read the waivers of %s@%s: %s", v->name, v->version,
		    err.msg);
	av_verdict_decide(v);
}

/* The last review and the manifest it was of (av_store_last_review). */
typedef struct last_ctx {
	av_srv_due *d;
	char digest[65];
} last_ctx;

static int
last_review(void *arg, const av_review *r, const char *digest)
{
	last_ctx *c = arg;
	av_srv_due *d = c->d;

	d->review_id = r->id;
	d->reviewed = true;
	d->decision = r->decision;
	snprintf(d->reviewer, sizeof(d->reviewer), "%s", r->reviewer ? r->reviewer : "");
	snprintf(d->note, sizeof(d->note), "%s", r->note ? r->note : "");
	d->reviewed_at = r->created_at;
	d->next_review = r->next_review;
	snprintf(c->digest, sizeof(c->digest), "%s", digest);
	return 0;
}

static int
got_schedule(void *arg, const av_schedule *sc)
{
	av_srv_due *d = arg;

	d->every = sc->every_seconds;
	d->due = sc->next_due;
	snprintf(d->owner, sizeof(d->owner), "%s", sc->owner ? sc->owner : "");
	return 0;
}

int
av_srv_due_of(worker *w, const av_verdict *v, int64_t now, av_srv_due *d)
{
	last_ctx last = {d, {0}};
	av_error err;
	int rc;

	memset(d, 0, sizeof(*d));
	d->due = v->review_by;
	d->from = "verdict";
	rc = av_store_last_review(w->rd, v->name, v->version, last_review, &last, &err);
	if (rc != 0 && rc != AV_ENOTFOUND)
		return rc;
	if (d->reviewed) {
		bool same = strcmp(last.digest, v->manifest_digest) == 0;
		d->stands = same && (d->next_review == 0 || now < d->next_review);
		/* A review of this manifest sets the next date, due or not. */
		if (same && d->next_review != 0) {
			d->due = d->next_review;
			d->from = "review";
		}
	}
	rc = av_store_get_schedule(w->rd, v->name, v->version, got_schedule, d, &err);
	if (rc == 0) {
		d->from = "schedule";
		return 0;
	}
	return rc == AV_ENOTFOUND ? 0 : rc;
}

const char *
av_srv_effective(const av_verdict *v, const av_srv_due *d)
{
	if (d->stands)
		return d->decision == AV_REVIEW_REJECT ? av_decision_name(AV_REJECTED)
						       : av_decision_name(AV_APPROVED);
	return av_decision_name(v->decision);
}

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

/*
 * Appends the members of the object fields to the raw JSON object text of
 * raw (a verdict written straight to text by av_srv_verdict_reply), as
 * adding them to the parsed object and printing it would.
 */
static void
append_raw(cJSON *raw, cJSON *fields)
{
	char *ext = cJSON_PrintUnformatted(fields), *t;
	size_t n = strlen(raw->valuestring), m;

	if (ext == NULL || (m = strlen(ext)) <= 2 || n < 2 || raw->valuestring[n - 1] != '}') {
		cJSON_free(ext);
		return;
	}
	if ((t = realloc(raw->valuestring, n + m)) != NULL) {
		/* "{...}" + "{a,b}" -> "{...,a,b}" */
		t[n - 1] = ',';
		memcpy(t + n, ext + 1, m); /* with ext's closing brace and NUL */
		raw->valuestring = t;
	}
	cJSON_free(ext);
}

void
av_srv_add_review(worker *w, av_verdict *v, int64_t now, cJSON *reply)
{
	av_srv_due d;
	cJSON *r, *vj = cJSON_GetObjectItemCaseSensitive(reply, "verdict"), *raw = NULL;

	/* Into the verdict object itself, so that every consumer of verdicts
	 * (aivet -f json, SARIF, the gate) sees the human decision too.  A
	 * verdict already written as text gets the fields appended to it. */
	if (cJSON_IsObject(vj))
		reply = vj;
	if (av_srv_due_of(w, v, now, &d) != 0)
		return;
	if (cJSON_IsRaw(vj)) {
		raw = vj;
		if ((reply = cJSON_CreateObject()) == NULL)
			return;
	}
	cJSON_AddStringToObject(reply, "effective_decision", av_srv_effective(v, &d));
	if (!d.reviewed) {
		cJSON_AddNullToObject(reply, "review");
	} else if ((r = cJSON_AddObjectToObject(reply, "review")) != NULL) {
		cJSON_AddStringToObject(r, "decision", av_review_decision_name(d.decision));
		cJSON_AddStringToObject(r, "reviewer", d.reviewer);
		add_time(r, "at", d.reviewed_at, false);
		cJSON_AddStringToObject(r, "note", d.note);
		add_time(r, "next_review", d.next_review, true);
		cJSON_AddBoolToObject(r, "stands", d.stands);
	}
	add_time(reply, "next_due", d.due, true);
	if (raw != NULL) {
		append_raw(raw, reply);
		cJSON_Delete(reply);
	}
}

cJSON *
av_srv_alert_json(const av_alert *a)
{
	cJSON *j = cJSON_CreateObject(), *detail;
	char ts[32];

	if (j == NULL)
		return NULL;
	cJSON_AddNumberToObject(j, "id", (double)a->id);
	cJSON_AddStringToObject(j, "topic", a->topic);
	if (a->name != NULL) {
		cJSON_AddStringToObject(j, "name", a->name);
		cJSON_AddStringToObject(j, "version", a->version ? a->version : "");
	}
	cJSON_AddStringToObject(j, "at", av_time_format(a->created_at, ts, sizeof(ts)));
	cJSON_AddStringToObject(j, "key", a->dedupe_key ? a->dedupe_key : "");
	if (a->payload != NULL && (detail = cJSON_Parse(a->payload)) != NULL)
		cJSON_AddItemToObject(j, "detail", detail);
	return j;
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

static cJSON *
latest_or_error(worker *w, const char *name, const char *version, av_verdict **v)
{
	av_error err;
	int rc;

	if ((rc = av_store_latest(w->rd, name, version, v, &err)) == 0)
		return NULL;
	if (rc == AV_ENOTFOUND)
		av_error_set(&err, rc, NULL, 0, 0, "no verdict for %s%s%s: evaluate it first", name,
		    version ? "@" : "", version ? version : "");
	return av_srv_error(w->srv, rc, &err);
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

/* The review state of a component at time at. */
static const char *
state_of(const av_verdict *v, const char *digest, int64_t due, int64_t lead, int64_t at)
{
	if (strcmp(v->policy_digest, digest) != 0)
		return "stale";
	if (at >= due + 86400)
		return "overdue";
	if (at >= due)
		return "due";
	if (at >= due - lead)
		return "due_soon";
	return "current";
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
	int64_t at, within;
	size_t n = 0;
	av_error err;
	int rc;

	av_error_clear(&err);
	if (time_field(req, "as_of", av_now(), &at, &err) ||
	    duration_field(req, "due_within", &within, &err))
		return av_srv_error(s, AV_EINVAL, &err);
	if ((rc = av_store_list(w->rd, collect_one, &c, &err)) != 0)
		goto fail;
	if ((items = calloc(c.n ? c.n : 1, sizeof(*items))) == NULL) {
		rc = AV_ENOMEM;
		goto fail;
	}
	for (size_t i = 0; i < c.n; i++) {
		av_verdict *v = c.v[i];
		const char *prof = v->profile ? v->profile : "default";
		int64_t lead = av_policy_lead(p, prof);
		av_srv_due d;
		cJSON *j;
		char ts[32];

		av_srv_apply_waivers(w, v, at);
		if ((rc = av_srv_due_of(w, v, at, &d)) != 0)
			goto fail;
		if (within > 0 && d.due > at + within)
			continue;
		if ((j = cJSON_CreateObject()) == NULL) {
			rc = AV_ENOMEM;
			goto fail;
		}
		items[n++] = j;
		cJSON_AddStringToObject(j, "name", v->name);
		cJSON_AddStringToObject(j, "version", v->version);
		cJSON_AddStringToObject(j, "decision", av_srv_effective(v, &d));
		cJSON_AddStringToObject(j, "automatic_decision", av_decision_name(v->decision));
		cJSON_AddStringToObject(j, "risk", av_risk_name(v->risk));
		cJSON_AddStringToObject(j, "profile", prof);
		cJSON_AddStringToObject(j, "due", av_date_format(d.due, ts, sizeof(ts)));
		cJSON_AddNumberToObject(j, "due_at", (double)d.due);
		cJSON_AddStringToObject(j, "due_from", d.from);
		cJSON_AddNumberToObject(j, "lead_seconds", (double)lead);
		if (d.owner[0] != '\0')
			cJSON_AddStringToObject(j, "owner", d.owner);
		else
			cJSON_AddNullToObject(j, "owner");
		if (d.every > 0)
			cJSON_AddNumberToObject(j, "every_seconds", (double)d.every);
		cJSON_AddStringToObject(j, "state",
		    state_of(v, av_policy_digest(p), d.due, lead, at));
		if (d.reviewed) {
			cJSON_AddStringToObject(j, "reviewed_by", d.reviewer);
			cJSON_AddStringToObject(j, "reviewed_at",
			    av_time_format(d.reviewed_at, ts, sizeof(ts)));
		}
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

/* ---- record_review ------------------------------------------------------ */

static int
schedule_every(void *arg, const av_schedule *sc)
{
	*(int64_t *)arg = sc->every_seconds;
	return 0;
}

/*
 * record_review: {"name","version","decision":"approve"|"reject"|
 * "approve_with_conditions","note","conditions","next": ISO date}.
 */
static cJSON *
op_record_review(worker *w, const cJSON *req, slot *sl, const char *actor)
{
	av_server *s = w->srv;
	const char *name, *version, *dec = NULL, *note = NULL, *cond = NULL;
	av_verdict *v = NULL;
	av_review rv = {0};
	int64_t now = av_now(), next, every = 0;
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
	if ((r = latest_or_error(w, name, version, &v)) != NULL)
		return r;
	if (next != 0 && next <= now) {
		av_verdict_destroy(v);
		av_error_set(&err, AV_EINVAL, NULL, 0, 0, "field 'next': the next review must be in "
							  "the future");
		return av_srv_error(s, AV_EINVAL, &err);
	}
	if (next == 0) {
		/* The schedule's interval, else the profile's for the risk tier. */
		rc = av_store_get_schedule(w->rd, name, version, schedule_every, &every, &err);
		if (rc != 0 || every <= 0)
			every = av_policy_interval(av_runtime_policy(w->rt),
			    v->profile ? v->profile : "default", v->risk);
		next = now + (every > 0 ? every : 365 * 86400);
	}
	av_verdict_destroy(v);
	rv.name = name;
	rv.version = version;
	rv.decision = (av_review_decision)d;
	rv.reviewer = actor;
	rv.note = note;
	rv.conditions = cond;
	rv.created_at = now;
	rv.next_review = next;
	if ((rc = av_store_put_review(s->wr, &rv, &err)) != 0)
		return av_srv_error(s, rc, &err);
	if ((r = av_reply_ok()) == NULL)
		return NULL;
	cJSON *j = cJSON_AddObjectToObject(r, "review");
	cJSON_AddNumberToObject(j, "id", (double)rv.id);
	cJSON_AddStringToObject(j, "name", name);
	cJSON_AddStringToObject(j, "version", version);
	cJSON_AddStringToObject(j, "decision", av_review_decision_name(rv.decision));
	cJSON_AddStringToObject(j, "reviewer", actor);
	cJSON_AddStringToObject(j, "at", av_time_format(now, ts, sizeof(ts)));
	cJSON_AddStringToObject(j, "note", note ? note : "");
	cJSON_AddStringToObject(j, "next_review", av_date_format(next, ts, sizeof(ts)));
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
	av_verdict *v = NULL;
	av_waiver wv = {0};
	int64_t now = av_now(), until;
	char tgt[512], ts[32];
	bool found = false;
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
		if ((rc = av_store_revoke_waiver(s->wr, (int64_t)revoke->valuedouble, now, actor,
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
	if (until != 0 && until <= now) {
		av_error_set(&err, AV_EINVAL, NULL, 0, 0, "field 'until' must be in the future");
		return av_srv_error(s, AV_EINVAL, &err);
	}
	if ((r = latest_or_error(w, name, version, &v)) != NULL)
		return r;
	for (size_t i = 0; i < v->nfindings; i++)
		if (strcmp(v->findings[i].id, fid) == 0)
			found = true;
	av_verdict_destroy(v);
	if (!found) {
		av_error_set(&err, AV_ENOTFOUND, NULL, 0, 0,
		    "the verdict of %s has no finding '%.128s'", tgt, fid);
		return av_srv_error(s, AV_ENOTFOUND, &err);
	}
	wv.name = name;
	wv.version = version;
	wv.finding_id = fid;
	wv.justification = (av_justification)j;
	wv.note = note;
	wv.until = until;
	wv.created_by = actor;
	wv.created_at = now;
	if ((rc = av_store_add_waiver(s->wr, &wv, &err)) != 0)
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
	cJSON_AddStringToObject(o, "at", av_time_format(now, ts, sizeof(ts)));
	return r;
}

/* ---- schedule ----------------------------------------------------------- */

/* schedule: {"name","version","every","owner","next"} or {..., "remove": true}. */
static cJSON *
op_schedule(worker *w, const cJSON *req, slot *sl, const char *actor)
{
	av_server *s = w->srv;
	const char *name, *version, *owner = NULL;
	int64_t now = av_now(), every, next;
	int remove = 0, rc;
	av_schedule sc = {0};
	av_verdict *v = NULL;
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
		if ((rc = av_store_remove_schedule(s->wr, name, version, now, actor, &err)) != 0)
			return av_srv_error(s, rc, &err);
		return av_reply_ok();
	}
	if ((r = latest_or_error(w, name, version, &v)) != NULL)
		return r;
	if (every == 0)
		every = av_policy_interval(av_runtime_policy(w->rt),
		    v->profile ? v->profile : "default", v->risk);
	av_verdict_destroy(v);
	if (every <= 0) {
		av_error_set(&err, AV_EINVAL, NULL, 0, 0, "field 'every' is required");
		return av_srv_error(s, AV_EINVAL, &err);
	}
	sc.name = name;
	sc.version = version;
	sc.every_seconds = every;
	sc.owner = owner;
	sc.next_due = next ? next : now + every;
	sc.updated_at = now;
	if ((rc = av_store_set_schedule(s->wr, &sc, actor, &err)) != 0)
		return av_srv_error(s, rc, &err);
	if ((r = av_reply_ok()) == NULL)
		return NULL;
	cJSON *o = cJSON_AddObjectToObject(r, "schedule");
	cJSON_AddStringToObject(o, "name", name);
	cJSON_AddStringToObject(o, "version", version);
	cJSON_AddNumberToObject(o, "every_seconds", (double)every);
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
	cJSON *j = av_srv_alert_json(a);

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
