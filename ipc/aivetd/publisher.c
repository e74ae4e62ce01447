/*
 * publisher.c - the scheduler's thread and the publishing of alerts (see
 * publisher.h).
 *
 * The thread keeps its own plugin runtime (brought up to the current
 * policy set before each pass) and two read handles on the store, and runs
 * av_sched_pass every scheduler interval, or at once after a reload.  The
 * engine stores each alert under its dedupe key and hands over only the
 * new ones, which go out here: on the PUB socket and to the hooks.
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <nng/nng.h>

#include "clock.h"
#include "hooks.h"
#include "log.h"
#include "publisher.h"
#include "schedule.h"
#include "server_int.h"

/* The first pass waits this long (or the interval, if shorter), so that
 * subscribers that reconnect after a restart see what it raises. */
#define SETTLE_MS 1500

struct av_publisher {
	av_server *srv;
	av_runtime *rt; /* its own, for the policy digest and re-evaluations */
	uint64_t gen;
	av_store *rd;   /* reads while deciding */
	av_store *walk; /* a second read handle: the walk over every component */
	av_hooks *hooks;
	pthread_t thr;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	bool stopping;
	bool kicked;
};

cJSON *
av_alert_json(const av_alert *a)
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

/* Waits ms milliseconds, or until kicked or stopped; true when stopping. */
static bool
wait_ms(av_publisher *p, int64_t ms, bool kickable)
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
	pthread_mutex_lock(&p->mu);
	while (!p->stopping && !(kickable && p->kicked) &&
	    pthread_cond_timedwait(&p->cv, &p->mu, &ts) != ETIMEDOUT)
		;
	if (kickable)
		p->kicked = false;
	s = p->stopping;
	pthread_mutex_unlock(&p->mu);
	return s;
}

/* The engine's pause between re-evaluations: stops the pass on shutdown. */
static bool
pause_cb(void *arg, int64_t ms)
{
	return wait_ms(arg, ms, false);
}

static void
log_cb(void *arg, int level, const char *msg)
{
	av_log(level, "%s", msg);
}

/* An alert the engine stored for the first time: out on the PUB socket
 * ("topic json") and to the hooks. */
static void
raised(void *arg, const av_alert *a)
{
	av_publisher *p = arg;
	av_server *s = p->srv;
	char *json = NULL, *msg = NULL;
	cJSON *j;
	int rv;

	atomic_fetch_add(&s->n_alerts, 1);
	av_log(AV_LOG_INFO, "alert %lld %s %s@%s", (long long)a->id, a->topic,
	    a->name ? a->name : "-", a->version ? a->version : "-");
	if ((j = av_alert_json(a)) == NULL || (json = cJSON_PrintUnformatted(j)) == NULL) {
		av_log(AV_LOG_ERROR, "alert %lld: out of memory; not published", (long long)a->id);
		goto out;
	}
	size_t tl = strlen(a->topic), jl = strlen(json);
	if ((msg = malloc(tl + 1 + jl)) != NULL) {
		memcpy(msg, a->topic, tl);
		msg[tl] = ' ';
		memcpy(msg + tl + 1, json, jl);
		if ((rv = nng_send(s->pub, msg, tl + 1 + jl, NNG_FLAG_NONBLOCK)) != 0)
			av_log(AV_LOG_WARN, "publishing alert %lld: %s", (long long)a->id,
			    nng_strerror(rv));
	}
	av_hooks_post(p->hooks, a->topic, json);
out:
	free(msg);
	free(json);
	cJSON_Delete(j);
}

/* One pass of the engine's scheduler on the current policies, now. */
static void
pass(av_publisher *p)
{
	const av_config *c = p->srv->cfg;
	av_sched_env e = {0};
	av_error err;

	av_error_clear(&err);
	if (av_srv_runtime(p->srv, &p->rt, &p->gen, "scheduler", &err) != 0)
		return;
	e.rt = p->rt;
	e.rd = p->rd;
	e.walk = p->walk;
	e.wr = p->srv->wr;
	e.actor = "aivetd";
	e.now = av_now();
	e.overdue_repeat = c->overdue_repeat;
	e.reeval_rate = c->reeval_rate;
	e.raised = raised;
	e.pause = pause_cb;
	e.log = log_cb;
	e.arg = p;
	if (av_sched_pass(&e, &err) != 0)
		av_log(AV_LOG_ERROR, "scheduler: cannot list verdicts: %s", err.msg);
}

static void *
publisher_main(void *arg)
{
	av_publisher *p = arg;
	int64_t interval = p->srv->cfg->sched_interval * 1000;

	if (wait_ms(p, interval < SETTLE_MS ? interval : SETTLE_MS, false))
		return NULL;
	for (;;) {
		pass(p);
		if (wait_ms(p, interval, true))
			break;
	}
	return NULL;
}

static void
publisher_free(av_publisher *p)
{
	av_hooks_stop(p->hooks);
	av_runtime_destroy(p->rt);
	av_store_close(p->rd);
	av_store_close(p->walk);
	pthread_mutex_destroy(&p->mu);
	pthread_cond_destroy(&p->cv);
	free(p);
}

int
av_publisher_start(av_server *s, av_publisher **out, av_error *err)
{
	av_publisher *p;
	int rc;

	*out = NULL;
	if ((p = calloc(1, sizeof(*p))) == NULL)
		return av_error_set(err, AV_ENOMEM, NULL, 0, 0, "out of memory");
	p->srv = s;
	pthread_mutex_init(&p->mu, NULL);
	pthread_cond_init(&p->cv, NULL);
	if ((rc = av_store_open(&p->rd, s->cfg->database, AV_STORE_FALLBACK, err)) != 0 ||
	    (rc = av_store_open(&p->walk, s->cfg->database, AV_STORE_FALLBACK, err)) != 0 ||
	    (rc = av_srv_runtime(s, &p->rt, &p->gen, "scheduler", err)) != 0 ||
	    (rc = av_hooks_start(s->cfg, &p->hooks, err)) != 0)
		goto fail;
	if (pthread_create(&p->thr, NULL, publisher_main, p) != 0) {
		rc = av_error_set(err, AV_EINTERNAL, NULL, 0, 0, "cannot start the scheduler");
		goto fail;
	}
	*out = p;
	return 0;
fail:
	publisher_free(p);
	return rc;
}

void
av_publisher_kick(av_publisher *p)
{
	if (p == NULL)
		return;
	pthread_mutex_lock(&p->mu);
	p->kicked = true;
	pthread_cond_broadcast(&p->cv);
	pthread_mutex_unlock(&p->mu);
}

void
av_publisher_stop(av_publisher *p)
{
	if (p == NULL)
		return;
	pthread_mutex_lock(&p->mu);
	p->stopping = true;
	pthread_cond_broadcast(&p->cv);
	pthread_mutex_unlock(&p->mu);
	pthread_join(p->thr, NULL);
	publisher_free(p);
}
