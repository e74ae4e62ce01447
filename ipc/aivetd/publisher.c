/*
 * scheduler.c - review and verdict alerts, and background re-evaluation
 * when the policy set changes (see scheduler.h).
 *
 * Every pass looks at the latest verdict of each component at av_now():
 *   review.due_soon  within the profile's lead time before the next review
 *   review.due       the next review date has come
 *   review.overdue   every overdue_repeat after it, until a review moves it
 *   verdict.stale    made under other policies than the loaded ones
 *   verdict.changed  a background re-evaluation changed the decision
 *   waiver.expired   a waiver ran out; its finding counts again
 * The dedupe key of each names what makes it unique (component, due date,
 * repetition, digests, evaluation or waiver id), so the store, not memory,
 * decides what was already raised.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <nng/nng.h>

#include "clock.h"
#include "doc.h"
#include "hooks.h"
#include "log.h"
#include "proto.h"
#include "scheduler.h"
#include "server_int.h"

/* The first pass waits this long (or the interval, if shorter), so that
 * subscribers that reconnect after a restart see what it raises. */
#define SETTLE_MS 1500

struct av_sched {
	av_server *srv;
	worker w; /* its own runtime and read handle */
	av_store *walk_rd; /* a second read handle: the walk over every component */
	av_hooks *hooks;
	pthread_t thr;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	bool stopping;
	bool kicked;
};

static bool
stopping(av_sched *sc)
{
	bool s;

	pthread_mutex_lock(&sc->mu);
	s = sc->stopping;
	pthread_mutex_unlock(&sc->mu);
	return s;
}

/* Waits ms milliseconds, or until kicked or stopped; true when stopping. */
static bool
wait_ms(av_sched *sc, int64_t ms, bool kickable)
{
	struct timespec ts;
	bool s;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += (time_t)(ms / 1000);
	ts.tv_nsec += (long)(ms % 1000) * 1000000L;
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&sc->mu);
	while (!sc->stopping && !(kickable && sc->kicked) &&
	    pthread_cond_timedwait(&sc->cv, &sc->mu, &ts) != ETIMEDOUT)
		;
	if (kickable)
		sc->kicked = false;
	s = sc->stopping;
	pthread_mutex_unlock(&sc->mu);
	return s;
}

/*
 * Stores the alert (unless its key exists) and, only when it is new,
 * publishes it and hands it to the hooks.  detail is consumed.
 */
static void
raise_alert(av_sched *sc, const char *topic, const char *name, const char *version,
    const char *key, cJSON *detail, int64_t now)
{
	av_server *s = sc->srv;
	av_alert a = {0};
	bool is_new = false;
	char *payload = NULL, *json = NULL, *msg = NULL;
	cJSON *j = NULL;
	av_error err;
	int rv;

	if (detail == NULL || (payload = cJSON_PrintUnformatted(detail)) == NULL) {
		av_log(AV_LOG_ERROR, "alert %s: out of memory", key);
		goto out;
	}
	a.topic = topic;
	a.name = name;
	a.version = version;
	a.dedupe_key = key;
	a.payload = payload;
	a.created_at = now;
	if (av_store_add_alert(s->wr, &a, &is_new, &err) != 0) {
		/* Not stored, not published: the next pass tries again. */
		av_log(AV_LOG_ERROR, "cannot store alert %s: %s", key, err.msg);
		goto out;
	}
	if (!is_new)
		goto out;
	if ((j = av_srv_alert_json(&a)) == NULL || (json = cJSON_PrintUnformatted(j)) == NULL)
		goto out;
	av_log(AV_LOG_INFO, "alert %lld %s %s@%s", (long long)a.id, topic, name ? name : "-",
	    version ? version : "-");
	size_t tl = strlen(topic), jl = strlen(json);
	if ((msg = malloc(tl + 1 + jl)) != NULL) {
		memcpy(msg, topic, tl);
		msg[tl] = ' ';
		memcpy(msg + tl + 1, json, jl);
		if ((rv = nng_send(s->pub, msg, tl + 1 + jl, NNG_FLAG_NONBLOCK)) != 0)
			av_log(AV_LOG_WARN, "publishing alert %lld: %s", (long long)a.id,
			    nng_strerror(rv));
	}
	av_hooks_post(sc->hooks, topic, json);
out:
	free(msg);
	free(json);
	free(payload);
	cJSON_Delete(j);
	cJSON_Delete(detail);
}

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


/* review.due_soon, review.due and review.overdue for one component. */
static void
review_alerts(av_sched *sc, av_verdict *v, int64_t now)
{
	av_policy *p = av_runtime_policy(sc->w.rt);
	const char *prof = v->profile ? v->profile : "default";
	int64_t lead = av_policy_lead(p, prof), repeat = sc->srv->cfg->overdue_repeat;
	av_srv_due d;
	char key[1024], date[32];
	cJSON *det;

	if (av_srv_due_of(&sc->w, v, now, &d) != 0)
		return;
	av_date_format(d.due, date, sizeof(date));
	if (now >= d.due) {
		snprintf(key, sizeof(key), "review.due:%s@%s:%lld", v->name, v->version,
		    (long long)d.due);
		if ((det = base_detail(v)) != NULL) {
			cJSON_AddStringToObject(det, "due", date);
			cJSON_AddStringToObject(det, "due_from", d.from);
			if (d.owner[0])
				cJSON_AddStringToObject(det, "owner", d.owner);
		}
		raise_alert(sc, "review.due", v->name, v->version, key, det, now);
		int64_t k = repeat > 0 ? (now - d.due) / repeat : 0;
		if (k >= 1) {
			snprintf(key, sizeof(key), "review.overdue:%s@%s:%lld:%lld", v->name,
			    v->version, (long long)d.due, (long long)k);
			if ((det = base_detail(v)) != NULL) {
				cJSON_AddStringToObject(det, "due", date);
				cJSON_AddNumberToObject(det, "days_overdue",
				    (double)((now - d.due) / 86400));
				cJSON_AddNumberToObject(det, "repeat", (double)k);
				if (d.owner[0])
					cJSON_AddStringToObject(det, "owner", d.owner);
			}
			raise_alert(sc, "review.overdue", v->name, v->version, key, det, now);
		}
	} else if (now >= d.due - lead) {
		snprintf(key, sizeof(key), "review.due_soon:%s@%s:%lld", v->name, v->version,
		    (long long)d.due);
		if ((det = base_detail(v)) != NULL) {
			cJSON_AddStringToObject(det, "due", date);
			cJSON_AddStringToObject(det, "due_from", d.from);
			if (d.owner[0])
				cJSON_AddStringToObject(det, "owner", d.owner);
		}
		raise_alert(sc, "review.due_soon", v->name, v->version, key, det, now);
	}
}

/*
 * Evaluates the stored manifest of v again under the loaded policies and
 * stores the new verdict; raises verdict.changed when the decision moved.
 * A re-evaluation never postpones a review: the earlier review date stays.
 */
static void
reevaluate(av_sched *sc, const av_verdict *old, int64_t now)
{
	av_server *s = sc->srv;
	char *text = NULL, key[1024];
	size_t len = 0;
	cJSON *j = NULL, *det;
	av_doc *doc = NULL;
	av_verdict *v = NULL;
	av_error err;

	if (av_store_manifest(sc->w.rd, old->manifest_digest, &text, &len, &err) != 0) {
		av_log(AV_LOG_WARN, "cannot re-evaluate %s@%s: %s", old->name, old->version,
		    err.msg);
		return;
	}
	if ((j = cJSON_ParseWithLength(text, len)) == NULL ||
	    av_doc_from_json(&doc, j, old->name, NULL, &err) != 0) {
		av_log(AV_LOG_WARN, "cannot re-evaluate %s@%s: its stored manifest does not parse",
		    old->name, old->version);
		goto out;
	}
	if (av_runtime_evaluate(sc->w.rt, av_doc_root(doc), old->profile ? old->profile : "default",
		now, &v, &err) != 0) {
		av_log(AV_LOG_WARN, "re-evaluating %s@%s failed: %s", old->name, old->version,
		    err.msg);
		goto out;
	}
	memcpy(v->manifest_digest, old->manifest_digest, sizeof(v->manifest_digest));
	if (old->review_by != 0 && old->review_by < v->review_by)
		v->review_by = old->review_by;
	if (av_store_put_evaluation(s->wr, v, text, len, "aivetd", &err) != 0) {
		av_log(AV_LOG_ERROR, "storing the re-evaluation of %s@%s failed: %s", old->name,
		    old->version, err.msg);
		goto out;
	}
	av_log(AV_LOG_INFO, "re-evaluated %s@%s: %s (was %s)", v->name, v->version,
	    av_decision_name(v->decision), av_decision_name(old->decision));
	if (v->decision != old->decision) {
		snprintf(key, sizeof(key), "verdict.changed:%s@%s:%lld:%lld", v->name, v->version,
		    (long long)old->id, (long long)v->id);
		if ((det = cJSON_CreateObject()) != NULL) {
			cJSON_AddStringToObject(det, "name", v->name);
			cJSON_AddStringToObject(det, "version", v->version);
			cJSON_AddStringToObject(det, "from", av_decision_name(old->decision));
			cJSON_AddStringToObject(det, "to", av_decision_name(v->decision));
			cJSON_AddStringToObject(det, "policy_digest", v->policy_digest);
			cJSON_AddNumberToObject(det, "evaluation", (double)v->id);
		}
		raise_alert(sc, "verdict.changed", v->name, v->version, key, det, now);
	}
out:
	av_verdict_destroy(v);
	av_doc_destroy(doc);
	cJSON_Delete(j);
	free(text);
}

typedef struct expired {
	int64_t *id;
	char **name, **version, **finding;
	size_t n, cap;
} expired;

static int
keep_expired(void *arg, const av_waiver *w)
{
	expired *e = arg;

	if (e->n == e->cap) {
		size_t cap = e->cap ? e->cap * 2 : 16;
		int64_t *id = realloc(e->id, cap * sizeof(*id));
		if (id == NULL)
			return AV_ENOMEM;
		e->id = id;
		char **a = realloc(e->name, cap * sizeof(*a));
		if (a == NULL)
			return AV_ENOMEM;
		e->name = a;
		if ((a = realloc(e->version, cap * sizeof(*a))) == NULL)
			return AV_ENOMEM;
		e->version = a;
		if ((a = realloc(e->finding, cap * sizeof(*a))) == NULL)
			return AV_ENOMEM;
		e->finding = a;
		e->cap = cap;
	}
	e->id[e->n] = w->id;
	e->name[e->n] = strdup(w->name);
	e->version[e->n] = strdup(w->version);
	e->finding[e->n] = strdup(w->finding_id);
	e->n++;
	return 0;
}

static void
waiver_alerts(av_sched *sc, int64_t now)
{
	expired e = {0};
	av_error err;
	char key[64];

	if (av_store_list_waivers(sc->w.rd, NULL, NULL, now, AV_WAIVERS_EXPIRED, keep_expired, &e,
		&err) != 0)
		av_log(AV_LOG_WARN, "cannot read expired waivers: %s", err.msg);
	for (size_t i = 0; i < e.n; i++) {
		cJSON *d = cJSON_CreateObject();
		snprintf(key, sizeof(key), "waiver.expired:%lld", (long long)e.id[i]);
		if (d != NULL && e.name[i] && e.version[i] && e.finding[i]) {
			cJSON_AddStringToObject(d, "name", e.name[i]);
			cJSON_AddStringToObject(d, "version", e.version[i]);
			cJSON_AddStringToObject(d, "finding", e.finding[i]);
			cJSON_AddNumberToObject(d, "waiver", (double)e.id[i]);
		}
		raise_alert(sc, "waiver.expired", e.name[i], e.version[i], key, d, now);
		free(e.name[i]);
		free(e.version[i]);
		free(e.finding[i]);
	}
	free(e.id);
	free(e.name);
	free(e.version);
	free(e.finding);
}

/* The components found stale in a pass, re-evaluated after the walk. */
typedef struct stale_list {
	char **name, **version;
	size_t n, cap;
} stale_list;

static int
keep_stale(stale_list *l, const av_verdict *v)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 64;
		char **a = realloc(l->name, cap * sizeof(*a));
		if (a == NULL)
			return AV_ENOMEM;
		l->name = a;
		if ((a = realloc(l->version, cap * sizeof(*a))) == NULL)
			return AV_ENOMEM;
		l->version = a;
		l->cap = cap;
	}
	l->name[l->n] = strdup(v->name);
	l->version[l->n] = strdup(v->version);
	if (l->name[l->n] == NULL || l->version[l->n] == NULL) {
		free(l->name[l->n]);
		free(l->version[l->n]);
		return AV_ENOMEM;
	}
	l->n++;
	return 0;
}

typedef struct walk {
	av_sched *sc;
	int64_t now;
	const char *digest;
	stale_list stale;
} walk;

/*
 * The alerts of one component, called for each during the walk and done
 * with it at once: a pass holds one verdict at a time, not all of them, so
 * its memory does not grow with the number of components.  The walk runs on
 * its own read handle because the checks read waivers, reviews and
 * schedules on the scheduler's.
 */
static int
visit(void *arg, av_verdict *v)
{
	walk *k = arg;
	av_sched *sc = k->sc;

	av_srv_apply_waivers(&sc->w, v, k->now);
	if (strcmp(v->policy_digest, k->digest) != 0) {
		char key[1024];
		cJSON *d = base_detail(v);
		snprintf(key, sizeof(key), "verdict.stale:%s@%s:%s:%s", v->name, v->version,
		    v->policy_digest, k->digest);
		if (d != NULL) {
			cJSON_AddStringToObject(d, "made_under", v->policy_digest);
			cJSON_AddStringToObject(d, "loaded", k->digest);
		}
		raise_alert(sc, "verdict.stale", v->name, v->version, key, d, k->now);
		if (sc->srv->cfg->reeval_rate > 0 && keep_stale(&k->stale, v) != 0)
			av_log(AV_LOG_WARN, "scheduler: out of memory; %s@%s is re-evaluated later",
			    v->name, v->version);
	}
	review_alerts(sc, v, k->now);
	av_verdict_destroy(v);
	return 0;
}

/* One pass over every component. */
static void
pass(av_sched *sc)
{
	walk k = {.sc = sc, .now = av_now()};
	av_error err;

	if (av_srv_refresh(&sc->w, &err) != 0) {
		av_log(AV_LOG_ERROR, "scheduler: %s", err.msg);
		return;
	}
	k.digest = av_policy_digest(av_runtime_policy(sc->w.rt));
	waiver_alerts(sc, k.now);
	if (av_store_list(sc->walk_rd, visit, &k, &err) != 0)
		av_log(AV_LOG_ERROR, "scheduler: cannot list verdicts: %s", err.msg);
	/* Then the stale ones again, at a bounded rate. */
	if (k.stale.n > 0 && sc->srv->cfg->reeval_rate > 0) {
		int64_t gap = (int64_t)(1000.0 / sc->srv->cfg->reeval_rate);
		av_log(AV_LOG_INFO, "re-evaluating %zu verdicts made under other policies",
		    k.stale.n);
		for (size_t i = 0; i < k.stale.n && !stopping(sc); i++) {
			av_verdict *old = NULL;
			if (av_store_latest(sc->w.rd, k.stale.name[i], k.stale.version[i], &old,
				&err) != 0 || strcmp(old->policy_digest, k.digest) == 0) {
				av_verdict_destroy(old);
				continue;
			}
			/* Compare automatic decisions: without waivers. */
			for (size_t f = 0; f < old->nfindings; f++)
				old->findings[f].waived = false;
			av_verdict_decide(old);
			reevaluate(sc, old, k.now);
			av_verdict_destroy(old);
			if (gap > 0 && wait_ms(sc, gap, false))
				break;
		}
	}
	for (size_t i = 0; i < k.stale.n; i++) {
		free(k.stale.name[i]);
		free(k.stale.version[i]);
	}
	free(k.stale.name);
	free(k.stale.version);
}

static void *
sched_main(void *arg)
{
	av_sched *sc = arg;
	int64_t interval = sc->srv->cfg->sched_interval * 1000;

	if (wait_ms(sc, interval < SETTLE_MS ? interval : SETTLE_MS, false))
		return NULL;
	for (;;) {
		pass(sc);
		if (wait_ms(sc, interval, true))
			break;
	}
	return NULL;
}

int
av_sched_start(av_server *s, av_sched **out, av_error *err)
{
	av_sched *sc;
	int rc;

	*out = NULL;
	if ((sc = calloc(1, sizeof(*sc))) == NULL)
		return av_error_set(err, AV_ENOMEM, NULL, 0, 0, "out of memory");
	sc->srv = s;
	sc->w.srv = s;
	sc->w.id = -2;
	pthread_mutex_init(&sc->mu, NULL);
	pthread_cond_init(&sc->cv, NULL);
	if ((rc = av_store_open(&sc->w.rd, s->cfg->database, AV_STORE_FALLBACK, err)) != 0 ||
	    (rc = av_store_open(&sc->walk_rd, s->cfg->database, AV_STORE_FALLBACK, err)) != 0 ||
	    (rc = av_srv_refresh(&sc->w, err)) != 0 ||
	    (rc = av_hooks_start(s->cfg, &sc->hooks, err)) != 0)
		goto fail;
	if (pthread_create(&sc->thr, NULL, sched_main, sc) != 0) {
		rc = av_error_set(err, AV_EINTERNAL, NULL, 0, 0, "cannot start the scheduler");
		goto fail;
	}
	*out = sc;
	return 0;
fail:
	av_hooks_stop(sc->hooks);
	av_runtime_destroy(sc->w.rt);
	av_store_close(sc->w.rd);
	av_store_close(sc->walk_rd);
	pthread_mutex_destroy(&sc->mu);
	pthread_cond_destroy(&sc->cv);
	free(sc);
	return rc;
}

void
av_sched_kick(av_sched *sc)
{
	if (sc == NULL)
		return;
	pthread_mutex_lock(&sc->mu);
	sc->kicked = true;
	pthread_cond_broadcast(&sc->cv);
	pthread_mutex_unlock(&sc->mu);
}

void
av_sched_stop(av_sched *sc)
{
	if (sc == NULL)
		return;
	pthread_mutex_lock(&sc->mu);
	sc->stopping = true;
	pthread_cond_broadcast(&sc->cv);
	pthread_mutex_unlock(&sc->mu);
	pthread_join(sc->thr, NULL);
	av_hooks_stop(sc->hooks);
	av_runtime_destroy(sc->w.rt);
	av_store_close(sc->w.rd);
	av_store_close(sc->walk_rd);
	pthread_mutex_destroy(&sc->mu);
	pthread_cond_destroy(&sc->cv);
	free(sc);
}
