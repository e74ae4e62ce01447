/*
 * schedule.c - the scheduler's decisions (see schedule.h): what each
 * component's final verdict calls for, the dedupe keys and payloads of the
 * alerts, storing them, and evaluating stale verdicts again.
 *
 * The daemon runs a pass on its clock and publishes what it is handed; it
 * decides nothing.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "evaluate.h"
#include "review.h"
#include "schedule.h"

enum { LOG_INFO = 1, LOG_WARN = 2, LOG_ERROR = 3 };

static void say(const av_sched_env *e, int level, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
say(const av_sched_env *e, int level, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	if (e->log == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	e->log(e->arg, level, msg);
}

/* ---- what one component calls for ------------------------------------- */

static cJSON *
base_detail(const av_verdict *v)
{
	cJSON *d = cJSON_CreateObject();
	char ts[32];

	if (d == NULL)
		return NULL;
	cJSON_AddStringToObject(d, "name", v->name);
	cJSON_AddStringToObject(d, "version", v->version);
	cJSON_AddStringToObject(d, "decision", av_decision_name(v->decision));
	cJSON_AddStringToObject(d, "review_by", av_date_format(v->review_by, ts, sizeof(ts)));
	return d;
}

/* review.due_soon and review.due name when and why the review is due. */
static cJSON *
due_detail(const av_verdict *v, const char *date)
{
	cJSON *d = base_detail(v);

	if (d != NULL) {
		cJSON_AddStringToObject(d, "due", date);
		cJSON_AddStringToObject(d, "due_from", v->due_from);
		if (v->due_owner != NULL)
			cJSON_AddStringToObject(d, "owner", v->due_owner);
	}
	return d;
}

bool
av_sched_alerts_of(const av_verdict *v, const av_policy *p, int64_t now,
    int64_t overdue_repeat, void (*emit)(void *arg, av_sched_alert *a), void *arg)
{
	const char *digest = av_policy_digest(p);
	int64_t lead = av_review_lead(v, p), due = v->next_due;
	bool stale = strcmp(v->policy_digest, digest) != 0;
	av_sched_alert a = {.name = v->name, .version = v->version};
	char date[32];

	if (stale) {
		a.topic = "verdict.stale";
		snprintf(a.key, sizeof(a.key), "verdict.stale:%s@%s:%s:%s", v->name, v->version,
		    v->policy_digest, digest);
		if ((a.detail = base_detail(v)) != NULL) {
			cJSON_AddStringToObject(a.detail, "made_under", v->policy_digest);
			cJSON_AddStringToObject(a.detail, "loaded", digest);
		}
		emit(arg, &a);
	}
	av_date_format(due, date, sizeof(date));
	if (now >= due) {
		a.topic = "review.due";
		snprintf(a.key, sizeof(a.key), "review.due:%s@%s:%lld", v->name, v->version,
		    (long long)due);
		a.detail = due_detail(v, date);
		emit(arg, &a);
		/* Then again every overdue_repeat, until a review moves the date. */
		int64_t k = overdue_repeat > 0 ? (now - due) / overdue_repeat : 0;
		if (k >= 1) {
			a.topic = "review.overdue";
			snprintf(a.key, sizeof(a.key), "review.overdue:%s@%s:%lld:%lld", v->name,
			    v->version, (long long)due, (long long)k);
			if ((a.detail = base_detail(v)) != NULL) {
				cJSON_AddStringToObject(a.detail, "due", date);
				cJSON_AddNumberToObject(a.detail, "days_overdue",
				    (double)((now - due) / 86400));
				cJSON_AddNumberToObject(a.detail, "repeat", (double)k);
				if (v->due_owner != NULL)
					cJSON_AddStringToObject(a.detail, "owner", v->due_owner);
			}
			emit(arg, &a);
		}
	} else if (now >= due - lead) {
		a.topic = "review.due_soon";
		snprintf(a.key, sizeof(a.key), "review.due_soon:%s@%s:%lld", v->name, v->version,
		    (long long)due);
		a.detail = due_detail(v, date);
		emit(arg, &a);
	}
	return stale;
}

/* ---- storing what is raised -------------------------------------------- */

/*
 * Stores the alert unless its key exists and, only when it is new, hands it
 * to e->raised.  The detail is consumed.  What cannot be stored is neither
 * published nor lost: the next pass tries again.
 */
static void
store_alert(const av_sched_env *e, av_sched_alert *sa)
{
	av_alert a = {0};
	bool is_new = false;
	char *payload = NULL;
	av_error err;

	if (sa->detail == NULL || (payload = cJSON_PrintUnformatted(sa->detail)) == NULL) {
		say(e, LOG_ERROR, "alert %s: out of memory", sa->key);
		goto out;
	}
	a.topic = sa->topic;
	a.name = sa->name;
	a.version = sa->version;
	a.dedupe_key = sa->key;
	a.payload = payload;
	a.created_at = e->now;
	if (av_store_add_alert(e->wr, &a, &is_new, &err) != 0) {
		say(e, LOG_ERROR, "cannot store alert %s: %s", sa->key, err.msg);
		goto out;
	}
	if (is_new && e->raised != NULL)
		e->raised(e->arg, &a);
out:
	free(payload);
	cJSON_Delete(sa->detail);
	sa->detail = NULL;
}

static void
emit_stored(void *arg, av_sched_alert *a)
{
	store_alert(arg, a);
}

/* ---- waivers that ran out ---------------------------------------------- */

typedef struct expired {
	av_waiver *v; /* with strings of their own */
	size_t n, cap;
} expired;

static int
keep_expired(void *arg, const av_waiver *w)
{
	expired *x = arg;

	if (x->n == x->cap) {
		size_t cap = x->cap ? x->cap * 2 : 16;
		av_waiver *nv = realloc(x->v, cap * sizeof(*nv));
		if (nv == NULL)
			return AV_ENOMEM;
		x->v = nv;
		x->cap = cap;
	}
	av_waiver *c = &x->v[x->n];
	memset(c, 0, sizeof(*c));
	c->id = w->id;
	c->name = strdup(w->name);
	c->version = strdup(w->version);
	c->finding_id = strdup(w->finding_id);
	x->n++;
	if (c->name == NULL || c->version == NULL || c->finding_id == NULL)
		return AV_ENOMEM;
	return 0;
}

static void
waiver_alerts(const av_sched_env *e)
{
	expired x = {0};
	av_error err;

	/* Collected first: the alerts are stored while nothing reads. */
	if (av_store_list_waivers(e->rd, NULL, NULL, e->now, AV_WAIVERS_EXPIRED, keep_expired, &x,
		&err) != 0)
		say(e, LOG_WARN, "cannot read expired waivers: %s", err.msg);
	for (size_t i = 0; i < x.n; i++) {
		const av_waiver *w = &x.v[i];
		av_sched_alert a = {.topic = "waiver.expired", .name = w->name,
		    .version = w->version};
		snprintf(a.key, sizeof(a.key), "waiver.expired:%lld", (long long)w->id);
		if (w->name != NULL && w->version != NULL && w->finding_id != NULL &&
		    (a.detail = cJSON_CreateObject()) != NULL) {
			cJSON_AddStringToObject(a.detail, "name", w->name);
			cJSON_AddStringToObject(a.detail, "version", w->version);
			cJSON_AddStringToObject(a.detail, "finding", w->finding_id);
			cJSON_AddNumberToObject(a.detail, "waiver", (double)w->id);
		}
		store_alert(e, &a);
	}
	for (size_t i = 0; i < x.n; i++) {
		free((char *)x.v[i].name);
		free((char *)x.v[i].version);
		free((char *)x.v[i].finding_id);
	}
	free(x.v);
}

/* ---- the walk ---------------------------------------------------------- */

/* The components found stale, evaluated again after the walk. */
typedef struct walk {
	const av_sched_env *e;
	const av_policy *policy;
	char **name, **version;
	size_t n, cap;
} walk;

static int
keep_stale(walk *k, const av_verdict *v)
{
	if (k->n == k->cap) {
		size_t cap = k->cap ? k->cap * 2 : 64;
		char **a = realloc(k->name, cap * sizeof(*a));
		if (a == NULL)
			return AV_ENOMEM;
		k->name = a;
		if ((a = realloc(k->version, cap * sizeof(*a))) == NULL)
			return AV_ENOMEM;
		k->version = a;
		k->cap = cap;
	}
	k->name[k->n] = strdup(v->name);
	k->version[k->n] = strdup(v->version);
	if (k->name[k->n] == NULL || k->version[k->n] == NULL) {
		free(k->name[k->n]);
		free(k->version[k->n]);
		return AV_ENOMEM;
	}
	k->n++;
	return 0;
}

/*
 * One component, during the walk, done with at once: a pass holds one
 * verdict at a time.  The walk runs on its own read handle because making
 * the verdict final reads waivers, reviews and schedules on e->rd.
 */
static int
visit(void *arg, av_verdict *v)
{
	walk *k = arg;
	const av_sched_env *e = k->e;
	av_review_env re = {.rd = e->rd, .policy = k->policy, .now = e->now};
	av_error err;

	if (av_review_apply(v, &re, &err) != 0) {
		say(e, LOG_WARN, "scheduler: %s@%s is looked at again next pass: %s", v->name,
		    v->version, err.msg);
	} else if (av_sched_alerts_of(v, k->policy, e->now, e->overdue_repeat, emit_stored,
		       (void *)e) &&
	    e->reeval_rate > 0 && keep_stale(k, v) != 0) {
		say(e, LOG_WARN, "scheduler: out of memory; %s@%s is re-evaluated later", v->name,
		    v->version);
	}
	av_verdict_destroy(v);
	return 0;
}

/*
 * Evaluates the stored manifest of old again under the loaded policies,
 * through the one pipeline, and stores the new verdict; raises
 * verdict.changed when the automatic decision moved.  A re-evaluation
 * never postpones a review: the earlier review date stays.
 */
static void
reevaluate(const av_sched_env *e, const av_verdict *old)
{
	av_eval_env env = {.rt = e->rt, .rd = e->rd, .wr = e->wr, .actor = e->actor,
	    .now = e->now};
	av_eval_in in = {0};
	av_eval ev;
	char *text = NULL;
	size_t len = 0;
	av_error err;

	av_eval_init(&ev);
	if (av_store_manifest(e->rd, old->manifest_digest, &text, &len, &err) != 0) {
		say(e, LOG_WARN, "cannot re-evaluate %s@%s: %s", old->name, old->version, err.msg);
		return;
	}
	in.text = text;
	in.len = len;
	in.file = old->name;
	in.profile = old->profile != NULL ? old->profile : "default";
	in.refresh = true;
	in.as_component = true;
	in.digest = old->manifest_digest;
	in.review_by_max = old->review_by;
	if (av_evaluate(&ev, &env, &in, &err) != 0) {
		say(e, LOG_WARN, "re-evaluating %s@%s failed: %s", old->name, old->version,
		    err.msg);
		goto out;
	}
	say(e, LOG_INFO, "re-evaluated %s@%s: %s (was %s)", old->name, old->version,
	    av_decision_name(ev.automatic), av_decision_name(old->decision));
	if (ev.automatic != old->decision) {
		av_sched_alert a = {.topic = "verdict.changed", .name = old->name,
		    .version = old->version};
		snprintf(a.key, sizeof(a.key), "verdict.changed:%s@%s:%lld:%lld", old->name,
		    old->version, (long long)old->id, (long long)ev.v->id);
		if ((a.detail = cJSON_CreateObject()) != NULL) {
			cJSON_AddStringToObject(a.detail, "name", old->name);
			cJSON_AddStringToObject(a.detail, "version", old->version);
			cJSON_AddStringToObject(a.detail, "from", av_decision_name(old->decision));
			cJSON_AddStringToObject(a.detail, "to", av_decision_name(ev.automatic));
			cJSON_AddStringToObject(a.detail, "policy_digest", ev.v->policy_digest);
			cJSON_AddNumberToObject(a.detail, "evaluation", (double)ev.v->id);
		}
		store_alert(e, &a);
	}
out:
	av_eval_fini(&ev);
	free(text);
}

/* The stale components again, at a bounded rate; each still stale at its
 * turn (another pass or a client may have evaluated it meanwhile). */
static void
reevaluate_stale(const av_sched_env *e, const walk *k)
{
	const char *digest = av_policy_digest(k->policy);
	int64_t gap = (int64_t)(1000.0 / e->reeval_rate);
	av_error err;

	say(e, LOG_INFO, "re-evaluating %zu verdicts made under other policies", k->n);
	for (size_t i = 0; i < k->n; i++) {
		av_verdict *old = NULL;
		if (e->pause != NULL && e->pause(e->arg, 0))
			break;
		if (av_store_latest(e->rd, k->name[i], k->version[i], &old, &err) != 0 ||
		    strcmp(old->policy_digest, digest) == 0) {
			av_verdict_destroy(old);
			continue;
		}
		/* Compare automatic decisions: without waivers. */
		for (size_t f = 0; f < old->nfindings; f++)
			old->findings[f].waived = false;
		av_verdict_decide(old);
		reevaluate(e, old);
		av_verdict_destroy(old);
		if (gap > 0 && e->pause != NULL && e->pause(e->arg, gap))
			break;
	}
}

int
av_sched_pass(const av_sched_env *e, av_error *err)
{
	walk k = {.e = e, .policy = av_runtime_policy(e->rt)};
	int rc;

	waiver_alerts(e);
	rc = av_store_list(e->walk, visit, &k, err);
	if (k.n > 0 && e->reeval_rate > 0)
		reevaluate_stale(e, &k);
	for (size_t i = 0; i < k.n; i++) {
		free(k.name[i]);
		free(k.version[i]);
	}
	free(k.name);
	free(k.version);
	return rc;
}
