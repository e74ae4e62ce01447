/*
 * test_store.c - the store through its interface, on its SQLite backend:
 * the choice of backend by location, schema and migrations, the group
 * committer, verdict lookups, reviews, schedules, waivers, alerts, audit and
 * history, health figures and the integrity check, and what happens when
 * the database is read-only, full, foreign, corrupt or too new.
 */
#include <check.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "sha256.h"
#include "store.h"
#include "store/sqlite.h"

static char dir[256];
static char db[300];

static void
setup(void)
{
	const char *tmp = getenv("TMPDIR");

	snprintf(dir, sizeof(dir), "%s/avstore.XXXXXX", tmp != NULL && *tmp ? tmp : "/tmp");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(db, sizeof(db), "%s/aivet.db", dir);
}

static void
teardown(void)
{
	char p[340];

	chmod(db, 0644);
	unlink(db);
	snprintf(p, sizeof(p), "%s-wal", db);
	unlink(p);
	snprintf(p, sizeof(p), "%s-shm", db);
	unlink(p);
	rmdir(dir);
}

static char *
xstrdup(const char *s)
{
	char *d = strdup(s);

	ck_assert_ptr_nonnull(d);
	return d;
}

/* A verdict for name@version whose manifest is `manifest`, evaluated at `at`. */
static av_verdict *
make_verdict(const char *name, const char *version, const char *manifest, const char *profile,
    int64_t at)
{
	av_verdict *v = av_verdict_create();

	ck_assert_ptr_nonnull(v);
	v->name = xstrdup(name);
	v->version = xstrdup(version);
	v->kind = xstrdup("model");
	v->profile = xstrdup(profile);
	av_sha256_hex(manifest, strlen(manifest), v->manifest_digest);
	av_sha256_hex("policy-set-1", 12, v->policy_digest);
	v->risk = AV_RISK_MEDIUM;
	v->evaluated_at = at;
	v->review_by = at + 180 * 86400;
	ck_assert_int_eq(av_verdict_add(v, "license", "license.weights.noncommercial", AV_SEV_REVIEW,
			     "weights are licensed for non-commercial use only", "licenses.weights",
			     "ask the vendor for a commercial license", "license"),
	    0);
	ck_assert_int_eq(av_verdict_add(v, "model_card", "model_card.limitations.missing",
			     AV_SEV_WARN, "the card has no limitations section", NULL, NULL, NULL),
	    0);
	av_verdict_decide(v);
	return v;
}

static int
put(av_store *s, const char *name, const char *version, const char *manifest, int64_t at,
    av_error *err)
{
	av_verdict *v = make_verdict(name, version, manifest, "default", at);
	int rc = av_store_put_evaluation(s, v, manifest, strlen(manifest), "alice", err);

	if (rc == 0)
		ck_assert_int_gt(v->id, 0);
	av_verdict_destroy(v);
	return rc;
}

static int64_t
count(av_store *s, const char *key)
{
	av_store_stats st;
	av_error err;
	cJSON *j = cJSON_CreateObject();
	int64_t n;

	ck_assert_int_eq(av_store_get_stats(s, &st, &err), 0);
	ck_assert_int_eq(av_store_stats_json(&st, j), 0);
	n = (int64_t)cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(j, key));
	cJSON_Delete(j);
	return n;
}

static av_store *
open_ok(int flags)
{
	av_store *s = NULL;
	av_error err;
	int rc = av_store_open(&s, db, flags, &err);

	ck_assert_msg(rc == 0, "open: %s", err.msg);
	return s;
}

/* ---- core ------------------------------------------------------------- */

START_TEST(test_open_creates_current_schema)
{
	av_store *s = open_ok(0);
	av_error err;

	ck_assert_int_ge(av_store_schema_version(), 1);
	ck_assert_int_eq(count(s, "schema_version"), av_store_schema_version());
	ck_assert_int_eq(count(s, "components"), 0);
	ck_assert_int_eq(count(s, "evaluations"), 0);
	ck_assert_int_eq(count(s, "reviews"), 0);
	ck_assert_int_eq(count(s, "alerts"), 0);
	ck_assert_int_eq(av_store_check(s, &err), 0);
	av_store_close(s);
}
END_TEST

START_TEST(test_reopen_keeps_data_and_version)
{
	av_store *s = open_ok(0);
	av_error err;

	ck_assert_int_eq(put(s, "llama", "3.1", "name: llama\n", 1000, &err), 0);
	av_store_close(s);
	for (int i = 0; i < 3; i++) {
		s = open_ok(i == 1 ? AV_STORE_COMMITTER : 0);
		ck_assert_int_eq(count(s, "schema_version"), av_store_schema_version());
		ck_assert_int_eq(count(s, "evaluations"), 1);
		ck_assert_int_eq(count(s, "components"), 1);
		av_store_close(s);
	}
}
END_TEST

START_TEST(test_find_cached_latest_and_list)
{
	av_store *s = open_ok(0);
	av_verdict *v, *got = NULL;
	av_error err;

	v = make_verdict("mistral", "0.3", "name: mistral\nversion: 0.3\n", "production", 2000);
	ck_assert_int_eq(av_store_put_evaluation(s, v, "m", 1, "bob", &err), 0);
	ck_assert_int_eq(put(s, "mistral", "0.2", "name: mistral\nversion: 0.2\n", 1000, &err), 0);
	ck_assert_int_eq(put(s, "bert", "base", "name: bert\n", 1500, &err), 0);

	ck_assert_int_eq(av_store_find_cached(s, v->manifest_digest, v->policy_digest, "production",
			     &got, &err),
	    0);
	ck_assert(got->cached);
	ck_assert_int_eq(got->id, v->id);
	ck_assert_str_eq(got->name, "mistral");
	ck_assert_str_eq(got->version, "0.3");
	ck_assert_str_eq(got->profile, "production");
	ck_assert_int_eq(got->decision, AV_NEEDS_REVIEW);
	ck_assert_int_eq(got->risk, AV_RISK_MEDIUM);
	ck_assert_uint_eq(got->nfindings, 2);
	ck_assert_str_eq(got->findings[0].id, "license.weights.noncommercial");
	ck_assert_int_eq(got->findings[0].severity, AV_SEV_REVIEW);
	ck_assert_str_eq(got->manifest_digest, v->manifest_digest);
	av_verdict_destroy(got);

	/* Another profile or policy is another cache key. */
	ck_assert_int_eq(av_store_find_cached(s, v->manifest_digest, v->policy_digest, "research",
			     &got, &err),
	    AV_ENOTFOUND);
	ck_assert_ptr_null(got);
	ck_assert_int_eq(av_store_find_cached(s, v->manifest_digest, v->manifest_digest,
			     "production", &got, &err),
	    AV_ENOTFOUND);

	/* Latest of a name is the most recently stored version. */
	ck_assert_int_eq(av_store_latest(s, "mistral", NULL, &got, &err), 0);
	ck_assert_str_eq(got->version, "0.2");
	ck_assert(!got->cached);
	av_verdict_destroy(got);
	ck_assert_int_eq(av_store_latest(s, "mistral", "0.3", &got, &err), 0);
	ck_assert_int_eq(got->id, v->id);
	av_verdict_destroy(got);
	ck_assert_int_eq(av_store_latest(s, "mistral", "9", &got, &err), AV_ENOTFOUND);
	ck_assert_ptr_nonnull(strstr(err.msg, "mistral@9"));
	ck_assert_int_eq(av_store_latest(s, "gpt", NULL, &got, &err), AV_ENOTFOUND);
	av_verdict_destroy(v);
	av_store_close(s);
}
END_TEST

struct names {
	char seen[8][64];
	int n;
	int stop_after;
};

static int
collect(void *arg, av_verdict *v)
{
	struct names *nm = arg;

	if (nm->n < 8)
		snprintf(nm->seen[nm->n], sizeof(nm->seen[0]), "%s@%s", v->name, v->version);
	nm->n++;
	av_verdict_destroy(v);
	return nm->stop_after != 0 && nm->n == nm->stop_after ? 42 : 0;
}

START_TEST(test_list_gives_latest_per_version_in_order)
{
	av_store *s = open_ok(0);
	struct names nm = {0};
	av_error err;

	ck_assert_int_eq(put(s, "zeta", "1", "z1", 10, &err), 0);
	ck_assert_int_eq(put(s, "alpha", "2", "a2", 11, &err), 0);
	ck_assert_int_eq(put(s, "alpha", "1", "a1", 12, &err), 0);
	ck_assert_int_eq(put(s, "alpha", "1", "a1 changed", 13, &err), 0);
	ck_assert_int_eq(av_store_list(s, collect, &nm, &err), 0);
	ck_assert_int_eq(nm.n, 3);
	ck_assert_str_eq(nm.seen[0], "alpha@1");
	ck_assert_str_eq(nm.seen[1], "alpha@2");
	ck_assert_str_eq(nm.seen[2], "zeta@1");
	ck_assert_int_eq(count(s, "evaluations"), 4);
	ck_assert_int_eq(count(s, "components"), 3);

	memset(&nm, 0, sizeof(nm));
	nm.stop_after = 2;
	ck_assert_int_eq(av_store_list(s, collect, &nm, &err), 42);
	ck_assert_int_eq(nm.n, 2);
	av_store_close(s);
}
END_TEST

START_TEST(test_manifest_text_is_kept_once)
{
	av_store *s = open_ok(AV_STORE_COMMITTER);
	const char *m = "apiVersion: aivet/v1\nname: phi\n";
	av_verdict *v = make_verdict("phi", "3", m, "default", 5);
	char *text = NULL, digest[65];
	size_t len = 0;
	av_error err;

	ck_assert_int_eq(av_store_put_evaluation(s, v, m, strlen(m), "carol", &err), 0);
	ck_assert_int_eq(av_store_put_evaluation(s, v, m, strlen(m), "carol", &err), 0);
	ck_assert_int_eq(av_store_manifest(s, v->manifest_digest, &text, &len, &err), 0);
	ck_assert_uint_eq(len, strlen(m));
	ck_assert_str_eq(text, m);
	free(text);
	av_sha256_hex("other", 5, digest);
	ck_assert_int_eq(av_store_manifest(s, digest, &text, &len, &err), AV_ENOTFOUND);
	ck_assert_int_eq(count(s, "evaluations"), 2);
	av_verdict_destroy(v);
	av_store_close(s);
}
END_TEST

/* ---- committer --------------------------------------------------------- */

#define THREADS 8
#define PUTS 500

struct worker {
	av_store *s;
	int t;
	int failures;
	av_error err;
};

static void *
put_many(void *arg)
{
	struct worker *w = arg;
	char name[32], version[16], manifest[96];

	for (int i = 0; i < PUTS; i++) {
		snprintf(name, sizeof(name), "comp-%d", w->t);
		snprintf(version, sizeof(version), "%d", i);
		snprintf(manifest, sizeof(manifest), "name: %s\nversion: %s\n", name, version);
		av_verdict *v = make_verdict(name, version, manifest, "default", 1000 + i);
		if (av_store_put_evaluation(w->s, v, manifest, strlen(manifest), "worker", &w->err) != 0 ||
		    v->id <= 0)
			w->failures++;
		av_verdict_destroy(v);
	}
	return NULL;
}

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

START_TEST(test_committer_groups_concurrent_puts)
{
	av_store *s = open_ok(AV_STORE_COMMITTER);
	pthread_t th[THREADS];
	struct worker w[THREADS];
	av_store_stats st;
	av_verdict *v;
	av_error err;
	double t0, dt;

	t0 = now_s();
	for (int t = 0; t < THREADS; t++) {
		w[t] = (struct worker){.s = s, .t = t};
		ck_assert_int_eq(pthread_create(&th[t], NULL, put_many, &w[t]), 0);
	}
	for (int t = 0; t < THREADS; t++) {
		pthread_join(th[t], NULL);
		ck_assert_msg(w[t].failures == 0, "thread %d: %d failures, last: %s", t, w[t].failures,
		    w[t].err.msg);
	}
	dt = now_s() - t0;
	ck_assert_int_eq(av_store_get_stats(s, &st, &err), 0);
	fprintf(stderr,
	    "committer: %d puts from %d threads in %.3f s = %.0f puts/s, %llu batches "
	    "(%.1f per batch), %llu checkpoints\n",
	    THREADS * PUTS, THREADS, dt, THREADS * PUTS / dt, (unsigned long long)st.batches,
	    (double)st.items / (double)st.batches, (unsigned long long)st.upkeeps);
	ck_assert_uint_eq(st.items, THREADS * PUTS);
	ck_assert_uint_lt(st.batches, THREADS * PUTS); /* writes were grouped */
	ck_assert_uint_eq(st.retried, 0);
	ck_assert_int_eq(count(s, "evaluations"), THREADS * PUTS);
	ck_assert_int_eq(count(s, "components"), THREADS * PUTS);
	ck_assert_int_eq(av_store_latest(s, "comp-7", "499", &v, &err), 0);
	ck_assert_int_eq(v->evaluated_at, 1499);
	av_verdict_destroy(v);
	av_store_close(s);

	/* Everything acknowledged is there after close, for a fresh reader. */
	s = open_ok(AV_STORE_READONLY);
	ck_assert_int_eq(count(s, "evaluations"), THREADS * PUTS);
	ck_assert_int_eq(av_store_check(s, &err), 0);
	for (int t = 0; t < THREADS; t++) {
		char name[32];
		snprintf(name, sizeof(name), "comp-%d", t);
		for (int i = 0; i < PUTS; i += 97) {
			char version[16];
			snprintf(version, sizeof(version), "%d", i);
			ck_assert_int_eq(av_store_latest(s, name, version, &v, &err), 0);
			av_verdict_destroy(v);
		}
	}
	av_store_close(s);
}
END_TEST

struct mixed {
	av_store *s;
	int t;
	int put_ok, put_fail, review_notfound, review_other;
};

static void *
put_and_bad_review(void *arg)
{
	struct mixed *m = arg;
	av_error err;

	for (int i = 0; i < 100; i++) {
		char version[16], manifest[64];
		snprintf(version, sizeof(version), "%d.%d", m->t, i);
		snprintf(manifest, sizeof(manifest), "mixed %s", version);
		if (put(m->s, "mixed", version, manifest, 100, &err) == 0)
			m->put_ok++;
		else
			m->put_fail++;
		av_review r = {.name = "never-evaluated", .version = version,
		    .decision = AV_REVIEW_APPROVE, .reviewer = "dave", .created_at = 100};
		int rc = av_store_put_review(m->s, &r, &err);
		if (rc == AV_ENOTFOUND)
			m->review_notfound++;
		else
			m->review_other++;
	}
	return NULL;
}

START_TEST(test_one_bad_write_does_not_fail_its_batch)
{
	av_store *s = open_ok(AV_STORE_COMMITTER);
	pthread_t th[THREADS];
	struct mixed m[THREADS];
	av_store_stats st;
	av_error err;

	for (int t = 0; t < THREADS; t++) {
		m[t] = (struct mixed){.s = s, .t = t};
		ck_assert_int_eq(pthread_create(&th[t], NULL, put_and_bad_review, &m[t]), 0);
	}
	for (int t = 0; t < THREADS; t++) {
		pthread_join(th[t], NULL);
		ck_assert_int_eq(m[t].put_ok, 100);
		ck_assert_int_eq(m[t].put_fail, 0);
		ck_assert_int_eq(m[t].review_notfound, 100);
		ck_assert_int_eq(m[t].review_other, 0);
	}
	ck_assert_int_eq(av_store_get_stats(s, &st, &err), 0);
	ck_assert_uint_lt(st.batches, st.items);
	ck_assert_int_eq(count(s, "evaluations"), THREADS * 100);
	ck_assert_int_eq(count(s, "reviews"), 0);
	av_store_close(s);
}
END_TEST

#define ASYNC 2000

struct settled {
	pthread_mutex_t lock;
	int ok, failed;
	int64_t max_id;
};

static void
on_settled(void *arg, int rc, int64_t id, const av_error *err)
{
	struct settled *st = arg;

	pthread_mutex_lock(&st->lock);
	if (rc == 0 && id > 0 && err == NULL)
		st->ok++;
	else
		st->failed++;
	if (id > st->max_id)
		st->max_id = id;
	pthread_mutex_unlock(&st->lock);
}

static void
async_puts(int flags)
{
	av_store *s = open_ok(flags);
	struct settled st = {.lock = PTHREAD_MUTEX_INITIALIZER};
	static av_verdict *vs[ASYNC];
	static char manifests[ASYNC][48];
	av_store_stats stats;
	av_error err;

	for (int i = 0; i < ASYNC; i++) {
		char version[16];
		snprintf(version, sizeof(version), "%d", i);
		snprintf(manifests[i], sizeof(manifests[i]), "name: async\nversion: %d\n", i);
		vs[i] = make_verdict("async", version, manifests[i], "default", i);
		ck_assert_int_eq(av_store_put_evaluation_async(s, vs[i], manifests[i],
				     strlen(manifests[i]), "queue", on_settled, &st, &err),
		    0);
	}
	ck_assert_int_eq(av_store_get_stats(s, &stats, &err), 0);
	av_store_close(s); /* settles every queued write */
	ck_assert_int_eq(st.ok, ASYNC);
	ck_assert_int_eq(st.failed, 0);
	ck_assert_int_eq(st.max_id, ASYNC);
	for (int i = 0; i < ASYNC; i++)
		av_verdict_destroy(vs[i]);

	s = open_ok(AV_STORE_READONLY);
	ck_assert_int_eq(count(s, "evaluations"), ASYNC);
	/* Refused writes never call back. */
	av_verdict *v = make_verdict("async", "x", "x", "default", 1);
	ck_assert_int_eq(av_store_put_evaluation_async(s, v, "x", 1, "queue", on_settled, &st, &err),
	    AV_EREADONLY);
	ck_assert_int_eq(st.ok + st.failed, ASYNC);
	av_verdict_destroy(v);
	av_store_close(s);
}

START_TEST(test_async_puts_through_committer)
{
	async_puts(AV_STORE_COMMITTER);
}
END_TEST

START_TEST(test_async_puts_without_committer)
{
	async_puts(0);
}
END_TEST

/* ---- records: reviews, schedules, waivers, alerts, audit, history ------ */

static int
count_review(void *arg, const av_review *r)
{
	int *n = arg;

	if (*n == 0) {
		ck_assert_str_eq(r->reviewer, "erin");
		ck_assert_int_eq(r->decision, AV_REVIEW_APPROVE_WITH_CONDITIONS);
		ck_assert_str_eq(r->conditions, "internal use only");
		ck_assert_str_eq(r->note, "re-checked license v1.1");
		ck_assert_int_eq(r->next_review, 9000);
	} else {
		ck_assert_int_eq(r->decision, AV_REVIEW_REJECT);
		ck_assert_ptr_null(r->note);
		ck_assert_int_eq(r->next_review, 0);
	}
	(*n)++;
	return 0;
}

static int
copy_schedule(void *arg, const av_schedule *sc)
{
	av_schedule *out = arg;

	*out = *sc;
	out->name = out->version = out->owner = NULL; /* borrowed: not kept */
	return 0;
}

START_TEST(test_reviews_and_schedules)
{
	av_store *s = open_ok(AV_STORE_COMMITTER);
	av_schedule got = {0};
	av_error err;
	int n = 0;

	ck_assert_int_eq(put(s, "gemma", "2b", "g2b", 100, &err), 0);
	av_schedule sc = {.name = "gemma", .version = "2b", .every_seconds = 180 * 86400,
	    .owner = "alice", .next_due = 5000, .updated_at = 100};
	ck_assert_int_eq(av_store_set_schedule(s, &sc, "alice", &err), 0);

	av_review r = {.name = "gemma", .version = "2b", .decision = AV_REVIEW_APPROVE_WITH_CONDITIONS,
	    .reviewer = "erin", .note = "re-checked license v1.1", .conditions = "internal use only",
	    .created_at = 200, .next_review = 9000};
	ck_assert_int_eq(av_store_put_review(s, &r, &err), 0);
	ck_assert_int_gt(r.id, 0);
	av_review r2 = {.name = "gemma", .version = "2b", .decision = AV_REVIEW_REJECT,
	    .reviewer = "frank", .created_at = 300};
	ck_assert_int_eq(av_store_put_review(s, &r2, &err), 0);
	ck_assert_int_gt(r2.id, r.id);
	ck_assert_int_eq(av_store_list_reviews(s, "gemma", NULL, count_review, &n, &err), 0);
	ck_assert_int_eq(n, 2);
	ck_assert_int_eq(count(s, "reviews"), 2);

	/* The review with a next date moved the schedule. */
	ck_assert_int_eq(av_store_get_schedule(s, "gemma", "2b", copy_schedule, &got, &err), 0);
	ck_assert_int_eq(got.next_due, 9000);
	ck_assert_int_eq(got.every_seconds, 180 * 86400);

	ck_assert_int_eq(av_store_remove_schedule(s, "gemma", "2b", 400, "alice", &err), 0);
	ck_assert_int_eq(av_store_get_schedule(s, "gemma", "2b", copy_schedule, &got, &err),
	    AV_ENOTFOUND);
	ck_assert_int_eq(av_store_remove_schedule(s, "gemma", "2b", 400, "alice", &err), AV_ENOTFOUND);

	/* Reviews and schedules of unknown components are refused. */
	r.version = "7b";
	ck_assert_int_eq(av_store_put_review(s, &r, &err), AV_ENOTFOUND);
	ck_assert_ptr_nonnull(strstr(err.msg, "gemma@7b"));
	sc.version = "7b";
	ck_assert_int_eq(av_store_set_schedule(s, &sc, "alice", &err), AV_ENOTFOUND);
	sc.version = "2b";
	sc.every_seconds = 0;
	ck_assert_int_eq(av_store_set_schedule(s, &sc, "alice", &err), AV_EINVAL);
	r.version = "2b";
	r.decision = (av_review_decision)17;
	ck_assert_int_eq(av_store_put_review(s, &r, &err), AV_EINVAL);
	av_store_close(s);
}
END_TEST

struct due {
	char order[8][64];
	int n;
};

static int
collect_due(void *arg, const av_schedule *sc)
{
	struct due *d = arg;

	if (d->n < 8)
		snprintf(d->order[d->n], sizeof(d->order[0]), "%s@%s:%lld:%s", sc->name, sc->version,
		    (long long)sc->next_due, sc->owner != NULL ? sc->owner : "-");
	d->n++;
	return 0;
}

START_TEST(test_due_schedules_soonest_first)
{
	av_store *s = open_ok(0);
	struct due d = {0};
	av_error err;
	const char *names[] = {"a", "b", "c", "d"};
	int64_t dues[] = {3000, 1000, 2000, 9000};

	for (int i = 0; i < 4; i++) {
		ck_assert_int_eq(put(s, names[i], "1", names[i], 10, &err), 0);
		av_schedule sc = {.name = names[i], .version = "1", .every_seconds = 86400,
		    .owner = i == 2 ? NULL : "ops", .next_due = dues[i], .updated_at = 10};
		ck_assert_int_eq(av_store_set_schedule(s, &sc, "root", &err), 0);
	}
	/* Replacing a schedule keeps one row. */
	av_schedule sc = {.name = "a", .version = "1", .every_seconds = 3600, .owner = "alice",
	    .next_due = 2500, .updated_at = 20};
	ck_assert_int_eq(av_store_set_schedule(s, &sc, "root", &err), 0);

	ck_assert_int_eq(av_store_list_due(s, 3000, collect_due, &d, &err), 0);
	ck_assert_int_eq(d.n, 3);
	ck_assert_str_eq(d.order[0], "b@1:1000:ops");
	ck_assert_str_eq(d.order[1], "c@1:2000:-");
	ck_assert_str_eq(d.order[2], "a@1:2500:alice");
	av_store_close(s);
}
END_TEST

struct waivers {
	int n;
	int64_t ids[8];
};

static int
collect_waiver(void *arg, const av_waiver *w)
{
	struct waivers *ws = arg;

	ck_assert_str_eq(w->name, "qwen");
	ck_assert_str_eq(w->created_by, "grace");
	if (ws->n < 8)
		ws->ids[ws->n] = w->id;
	ws->n++;
	return 0;
}

START_TEST(test_waivers_active_expired_revoked)
{
	av_store *s = open_ok(AV_STORE_COMMITTER);
	struct waivers ws = {0};
	av_error err;

	ck_assert_int_eq(put(s, "qwen", "2", "q2", 10, &err), 0);
	av_waiver w1 = {.name = "qwen", .version = "2", .finding_id = "license.weights.noncommercial",
	    .justification = AV_JUST_ACCEPTED_RISK, .note = "research only", .until = 5000,
	    .created_by = "grace", .created_at = 100};
	av_waiver w2 = {.name = "qwen", .version = "2", .finding_id = "model_card.limitations.missing",
	    .justification = AV_JUST_MITIGATED, .created_by = "grace", .created_at = 100};
	ck_assert_int_eq(av_store_add_waiver(s, &w1, &err), 0);
	ck_assert_int_eq(av_store_add_waiver(s, &w2, &err), 0);
	ck_assert_int_gt(w2.id, w1.id);

	ck_assert_int_eq(av_store_list_waivers(s, "qwen", "2", 4000, AV_WAIVERS_ACTIVE,
			     collect_waiver, &ws, &err),
	    0);
	ck_assert_int_eq(ws.n, 2);
	memset(&ws, 0, sizeof(ws));
	ck_assert_int_eq(av_store_list_waivers(s, "qwen", "2", 5000, AV_WAIVERS_ACTIVE,
			     collect_waiver, &ws, &err),
	    0);
	ck_assert_int_eq(ws.n, 1);
	ck_assert_int_eq(ws.ids[0], w2.id);
	memset(&ws, 0, sizeof(ws));
	ck_assert_int_eq(av_store_list_waivers(s, NULL, NULL, 5000, AV_WAIVERS_EXPIRED,
			     collect_waiver, &ws, &err),
	    0);
	ck_assert_int_eq(ws.n, 1);
	ck_assert_int_eq(ws.ids[0], w1.id);

	ck_assert_int_eq(av_store_revoke_waiver(s, w2.id, 200, "grace", &err), 0);
	ck_assert_int_eq(av_store_revoke_waiver(s, w2.id, 200, "grace", &err), AV_ENOTFOUND);
	ck_assert_int_eq(av_store_revoke_waiver(s, 9999, 200, "grace", &err), AV_ENOTFOUND);
	memset(&ws, 0, sizeof(ws));
	ck_assert_int_eq(av_store_list_waivers(s, "qwen", NULL, 300, AV_WAIVERS_ACTIVE,
			     collect_waiver, &ws, &err),
	    0);
	ck_assert_int_eq(ws.n, 1);
	ck_assert_int_eq(ws.ids[0], w1.id);
	memset(&ws, 0, sizeof(ws));
	ck_assert_int_eq(av_store_list_waivers(s, "qwen", NULL, 300, AV_WAIVERS_ALL, collect_waiver,
			     &ws, &err),
	    0);
	ck_assert_int_eq(ws.n, 2);

	w1.justification = (av_justification)40;
	ck_assert_int_eq(av_store_add_waiver(s, &w1, &err), AV_EINVAL);
	ck_assert_str_eq(av_justification_name(AV_JUST_NOT_APPLICABLE), "not_applicable");
	ck_assert_int_eq(av_justification_parse("mitigated"), AV_JUST_MITIGATED);
	ck_assert_int_eq(av_justification_parse("because"), -1);
	av_store_close(s);
}
END_TEST

struct alerts {
	int n;
	int64_t last;
	char topics[8][32];
};

static int
collect_alert(void *arg, const av_alert *a)
{
	struct alerts *as = arg;

	ck_assert_int_gt(a->id, as->last);
	as->last = a->id;
	if (as->n < 8)
		snprintf(as->topics[as->n], sizeof(as->topics[0]), "%s", a->topic);
	as->n++;
	return 0;
}

START_TEST(test_alerts_are_stored_once_and_listed_after_a_cursor)
{
	av_store *s = open_ok(AV_STORE_COMMITTER);
	struct alerts as = {0};
	av_error err;
	bool is_new;

	ck_assert_int_eq(put(s, "yi", "6b", "yi", 10, &err), 0);
	av_alert a1 = {.topic = "review.due_soon", .name = "yi", .version = "6b",
	    .dedupe_key = "review.due_soon:yi@6b:5000", .payload = "{\"due\":5000}",
	    .created_at = 4000};
	ck_assert_int_eq(av_store_add_alert(s, &a1, &is_new, &err), 0);
	ck_assert(is_new);
	av_alert a2 = {.topic = "policy.reloaded", .dedupe_key = "policy.reloaded:abc",
	    .payload = "{}", .created_at = 4001};
	ck_assert_int_eq(av_store_add_alert(s, &a2, &is_new, &err), 0);
	ck_assert(is_new);
	av_store_close(s);

	/* A restart raising the same alert gets the stored one back, not a new one. */
	s = open_ok(AV_STORE_COMMITTER);
	av_alert again = a1;
	again.id = 0;
	again.created_at = 4100;
	ck_assert_int_eq(av_store_add_alert(s, &again, &is_new, &err), 0);
	ck_assert(!is_new);
	ck_assert_int_eq(again.id, a1.id);
	ck_assert_int_eq(count(s, "alerts"), 2);

	ck_assert_int_eq(av_store_list_alerts(s, 0, 0, collect_alert, &as, &err), 0);
	ck_assert_int_eq(as.n, 2);
	ck_assert_str_eq(as.topics[0], "review.due_soon");
	memset(&as, 0, sizeof(as));
	ck_assert_int_eq(av_store_list_alerts(s, a1.id, 0, collect_alert, &as, &err), 0);
	ck_assert_int_eq(as.n, 1);
	ck_assert_str_eq(as.topics[0], "policy.reloaded");
	memset(&as, 0, sizeof(as));
	ck_assert_int_eq(av_store_list_alerts(s, 0, 1, collect_alert, &as, &err), 0);
	ck_assert_int_eq(as.n, 1);

	av_alert bad = {.topic = "x", .dedupe_key = "x", .payload = "{not json", .created_at = 1};
	ck_assert_int_eq(av_store_add_alert(s, &bad, &is_new, &err), AV_EINVAL);
	bad.payload = "{}";
	bad.name = "nobody";
	bad.version = "1";
	ck_assert_int_eq(av_store_add_alert(s, &bad, &is_new, &err), AV_ENOTFOUND);
	av_store_close(s);
}
END_TEST

struct audits {
	int n, denied;
	char actions[8][32];
};

static int
collect_audit(void *arg, const av_audit *a)
{
	struct audits *au = arg;

	if (au->n < 8)
		snprintf(au->actions[au->n], sizeof(au->actions[0]), "%s", a->action);
	au->denied += a->denied;
	au->n++;
	return 0;
}

START_TEST(test_every_write_is_audited)
{
	av_store *s = open_ok(0);
	struct audits au = {0};
	av_error err;

	ck_assert_int_eq(put(s, "olmo", "7b", "olmo", 10, &err), 0);
	av_review r = {.name = "olmo", .version = "7b", .decision = AV_REVIEW_APPROVE,
	    .reviewer = "heidi", .created_at = 20};
	ck_assert_int_eq(av_store_put_review(s, &r, &err), 0);
	av_audit a = {.at = 30, .actor = "mallory", .action = "record_review", .target = "olmo@7b",
	    .detail = "{\"reason\":\"not in the writers group\"}", .denied = true};
	ck_assert_int_eq(av_store_audit(s, &a, &err), 0);
	ck_assert_int_gt(a.id, 0);
	av_audit other = {.at = 31, .actor = "root", .action = "reload"};
	ck_assert_int_eq(av_store_audit(s, &other, &err), 0);
	av_audit bad = {.at = 32, .actor = "root", .action = "reload", .detail = "nope"};
	ck_assert_int_eq(av_store_audit(s, &bad, &err), AV_EINVAL);

	ck_assert_int_eq(av_store_list_audit(s, "olmo@7b", collect_audit, &au, &err), 0);
	ck_assert_int_eq(au.n, 3);
	ck_assert_str_eq(au.actions[0], "evaluate");
	ck_assert_str_eq(au.actions[1], "review");
	ck_assert_str_eq(au.actions[2], "record_review");
	ck_assert_int_eq(au.denied, 1);
	memset(&au, 0, sizeof(au));
	ck_assert_int_eq(av_store_list_audit(s, NULL, collect_audit, &au, &err), 0);
	ck_assert_int_eq(au.n, 4);
	av_store_close(s);
}
END_TEST

struct hist {
	int n;
	char line[8][64];
};

static int
collect_history(void *arg, const av_history_event *e)
{
	struct hist *h = arg;

	if (h->n < 8)
		snprintf(h->line[h->n], sizeof(h->line[0]), "%d:%lld:%s@%s:%s", (int)e->kind,
		    (long long)e->at, e->name, e->version, e->what);
	h->n++;
	return 0;
}

START_TEST(test_history_in_time_order)
{
	av_store *s = open_ok(AV_STORE_COMMITTER);
	struct hist h = {0};
	av_error err;
	bool is_new;

	ck_assert_int_eq(put(s, "falcon", "7b", "f1", 100, &err), 0);
	av_alert a = {.topic = "review.due", .name = "falcon", .version = "7b",
	    .dedupe_key = "due:falcon", .payload = "{}", .created_at = 300};
	ck_assert_int_eq(av_store_add_alert(s, &a, &is_new, &err), 0);
	av_review r = {.name = "falcon", .version = "7b", .decision = AV_REVIEW_REJECT,
	    .reviewer = "ivan", .created_at = 200};
	ck_assert_int_eq(av_store_put_review(s, &r, &err), 0);
	ck_assert_int_eq(put(s, "falcon", "40b", "f2", 400, &err), 0);
	ck_assert_int_eq(put(s, "other", "1", "o1", 150, &err), 0);

	ck_assert_int_eq(av_store_history(s, "falcon", NULL, collect_history, &h, &err), 0);
	ck_assert_int_eq(h.n, 4);
	ck_assert_str_eq(h.line[0], "0:100:falcon@7b:needs_review");
	ck_assert_str_eq(h.line[1], "1:200:falcon@7b:reject");
	ck_assert_str_eq(h.line[2], "2:300:falcon@7b:review.due");
	ck_assert_str_eq(h.line[3], "0:400:falcon@40b:needs_review");
	memset(&h, 0, sizeof(h));
	ck_assert_int_eq(av_store_history(s, "falcon", "40b", collect_history, &h, &err), 0);
	ck_assert_int_eq(h.n, 1);
	av_store_close(s);
}
END_TEST

struct last {
	int64_t id;
	char digest[65];
	char reviewer[32];
};

static int
collect_last(void *arg, const av_review *r, const char *digest)
{
	struct last *l = arg;

	l->id = r->id;
	snprintf(l->digest, sizeof(l->digest), "%s", digest);
	snprintf(l->reviewer, sizeof(l->reviewer), "%s", r->reviewer);
	return 0;
}

START_TEST(test_last_review_names_the_manifest_it_was_of)
{
	av_store *s = open_ok(AV_STORE_COMMITTER);
	struct last l = {0};
	char d1[65], d2[65];
	av_error err;

	av_sha256_hex("m1", 2, d1);
	av_sha256_hex("m2", 2, d2);
	ck_assert_int_eq(put(s, "gemma", "2b", "m1", 100, &err), 0);
	ck_assert_int_eq(av_store_last_review(s, "gemma", "2b", collect_last, &l, &err),
	    AV_ENOTFOUND);
	/* Reviews of m1 at 150 and 200; m2 evaluated at 200, the same second as the
	 * second review: in history order the evaluation comes first, so that
	 * review was of m2.  A review recorded with an earlier time comes before. */
	av_review r = {.name = "gemma", .version = "2b", .decision = AV_REVIEW_APPROVE,
	    .reviewer = "ann", .created_at = 150};
	ck_assert_int_eq(av_store_put_review(s, &r, &err), 0);
	ck_assert_int_eq(av_store_last_review(s, "gemma", "2b", collect_last, &l, &err), 0);
	ck_assert_int_eq(l.id, r.id);
	ck_assert_str_eq(l.digest, d1);
	ck_assert_int_eq(put(s, "gemma", "2b", "m2", 200, &err), 0);
	av_review r2 = {.name = "gemma", .version = "2b", .decision = AV_REVIEW_REJECT,
	    .reviewer = "bob", .created_at = 200};
	ck_assert_int_eq(av_store_put_review(s, &r2, &err), 0);
	av_review r3 = {.name = "gemma", .version = "2b", .decision = AV_REVIEW_APPROVE,
	    .reviewer = "cy", .created_at = 120};
	ck_assert_int_eq(av_store_put_review(s, &r3, &err), 0);
	ck_assert_int_eq(av_store_last_review(s, "gemma", "2b", collect_last, &l, &err), 0);
	ck_assert_int_eq(l.id, r2.id);
	ck_assert_str_eq(l.reviewer, "bob");
	ck_assert_str_eq(l.digest, d2);
	/* Two reviews at the same second: the later id is the last. */
	av_review r4 = {.name = "gemma", .version = "2b", .decision = AV_REVIEW_APPROVE,
	    .reviewer = "dee", .created_at = 200};
	ck_assert_int_eq(av_store_put_review(s, &r4, &err), 0);
	ck_assert_int_eq(av_store_last_review(s, "gemma", "2b", collect_last, &l, &err), 0);
	ck_assert_str_eq(l.reviewer, "dee");
	/* A review dated before any evaluation was of no known manifest. */
	ck_assert_int_eq(put(s, "phi", "3", "p1", 500, &err), 0);
	av_review r5 = {.name = "phi", .version = "3", .decision = AV_REVIEW_APPROVE,
	    .reviewer = "eve", .created_at = 400};
	ck_assert_int_eq(av_store_put_review(s, &r5, &err), 0);
	ck_assert_int_eq(av_store_last_review(s, "phi", "3", collect_last, &l, &err), 0);
	ck_assert_str_eq(l.digest, "");
	ck_assert_int_eq(av_store_last_review(s, "phi", "4", collect_last, &l, &err), AV_ENOTFOUND);
	av_store_close(s);
}
END_TEST

/* ---- errors ------------------------------------------------------------ */

static void
raw_exec(const char *q)
{
	sqlite3 *d;

	ck_assert_int_eq(sqlite3_open(db, &d), SQLITE_OK);
	ck_assert_msg(sqlite3_exec(d, q, NULL, NULL, NULL) == SQLITE_OK, "%s", sqlite3_errmsg(d));
	sqlite3_close(d);
}

START_TEST(test_newer_schema_is_refused)
{
	av_store *s = open_ok(0);
	av_error err;
	char q[64];

	av_store_close(s);
	snprintf(q, sizeof(q), "PRAGMA user_version = %d", av_store_schema_version() + 1);
	raw_exec(q);
	ck_assert_int_eq(av_store_open(&s, db, 0, &err), AV_ESTORE);
	ck_assert_ptr_null(s);
	ck_assert_ptr_nonnull(strstr(err.msg, "newer"));
	ck_assert_int_eq(av_store_open(&s, db, AV_STORE_READONLY, &err), AV_ESTORE);
	ck_assert_int_eq(av_store_open(&s, db, AV_STORE_COMMITTER, &err), AV_ESTORE);
}
END_TEST

START_TEST(test_foreign_database_is_refused)
{
	av_store *s = NULL;
	av_error err;

	raw_exec("CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT)");
	ck_assert_int_eq(av_store_open(&s, db, 0, &err), AV_ESTORE);
	ck_assert_ptr_nonnull(strstr(err.msg, "not an aivet database"));
	ck_assert_ptr_null(s);
}
END_TEST

START_TEST(test_open_errors)
{
	av_store *s = NULL;
	av_error err;
	char missing[400];

	snprintf(missing, sizeof(missing), "%s/nope/aivet.db", dir);
	ck_assert_int_eq(av_store_open(&s, missing, 0, &err), AV_ESTORE);
	ck_assert_ptr_nonnull(strstr(err.msg, "cannot open"));
	ck_assert_int_eq(av_store_open(&s, db, AV_STORE_READONLY, &err), AV_ESTORE);
	ck_assert_int_eq(av_store_open(&s, db, AV_STORE_READONLY | AV_STORE_COMMITTER, &err),
	    AV_EINVAL);
	ck_assert_int_eq(av_store_open(&s, "", 0, &err), AV_EINVAL);
	ck_assert_ptr_null(s);
	av_store_close(NULL);
}
END_TEST

START_TEST(test_read_only_store_reads_but_refuses_writes)
{
	av_store *s = open_ok(0);
	av_verdict *v;
	av_error err;

	ck_assert_int_eq(put(s, "granite", "3", "g3", 10, &err), 0);
	av_store_close(s);

	s = open_ok(AV_STORE_READONLY);
	ck_assert_int_eq(put(s, "granite", "4", "g4", 20, &err), AV_EREADONLY);
	av_review r = {.name = "granite", .version = "3", .decision = AV_REVIEW_APPROVE,
	    .reviewer = "judy", .created_at = 30};
	ck_assert_int_eq(av_store_put_review(s, &r, &err), AV_EREADONLY);
	ck_assert_int_eq(av_store_latest(s, "granite", NULL, &v, &err), 0);
	ck_assert_str_eq(v->version, "3");
	av_verdict_destroy(v);
	ck_assert_int_eq(count(s, "evaluations"), 1);
	ck_assert_int_eq(av_store_check(s, &err), 0);
	av_store_close(s);
}
END_TEST

START_TEST(test_read_only_file_refuses_writes)
{
	av_store *s = open_ok(0);
	av_verdict *v;
	av_error err;

	if (geteuid() == 0) {
		/* root writes through file modes; the flag test above covers this path. */
		av_store_close(s);
		return;
	}
	ck_assert_int_eq(put(s, "granite", "3", "g3", 10, &err), 0);
	av_store_close(s);
	ck_assert_int_eq(chmod(db, 0444), 0);
	/* A committer cannot start on it, unless asked to fall back to reading. */
	ck_assert_int_eq(av_store_open(&s, db, AV_STORE_COMMITTER, &err), AV_EREADONLY);
	ck_assert_ptr_null(s);
	s = open_ok(AV_STORE_COMMITTER | AV_STORE_FALLBACK);
	ck_assert(!av_store_writable(s));
	ck_assert_int_eq(put(s, "granite", "4", "g4", 20, &err), AV_EREADONLY);
	ck_assert_ptr_nonnull(strstr(err.file, "aivet.db"));
	ck_assert_int_eq(av_store_latest(s, "granite", NULL, &v, &err), 0);
	ck_assert_str_eq(v->version, "3");
	av_verdict_destroy(v);
	av_store_close(s);
}
END_TEST

static char big[200 * 1024];

static int
put_big(av_store *s, const char *name, const char *version, int seed, av_error *err)
{
	memset(big, 'a' + seed % 26, sizeof(big) - 1);
	snprintf(big, 32, "name: %s-%s-%d\n", name, version, seed);
	big[strlen(big)] = '#';
	big[sizeof(big) - 1] = '\0';
	return put(s, name, version, big, 50, err);
}

static void
full_store(int flags)
{
	av_store *s = open_ok(flags);
	av_verdict *v;
	av_error err;
	int64_t evals, comps;
	int rc = 0, i;

	ck_assert_int_eq(put(s, "small", "1", "s1", 10, &err), 0);
	ck_assert_int_eq(av_store_sqlite_limit_pages(s, 200, &err), 0); /* 800 KiB with 4 KiB pages */
	for (i = 0; i < 20 && (rc = put_big(s, "big", "v", i, &err)) == 0; i++)
		;
	ck_assert_msg(rc == AV_EFULL, "expected a full store after %d writes, got %d: %s", i, rc,
	    err.msg);
	ck_assert_int_gt(i, 0);
	evals = count(s, "evaluations");
	comps = count(s, "components");
	ck_assert_int_eq(evals, 1 + i);

	/* The failed write left nothing: no component, no evaluation. */
	ck_assert_int_eq(put_big(s, "huge", "1", 99, &err), AV_EFULL);
	ck_assert_int_eq(av_store_latest(s, "huge", NULL, &v, &err), AV_ENOTFOUND);
	ck_assert_int_eq(count(s, "evaluations"), evals);
	ck_assert_int_eq(count(s, "components"), comps);
	ck_assert_int_eq(av_store_check(s, &err), 0);

	/* Lifting the cap makes room again. */
	ck_assert_int_eq(av_store_sqlite_limit_pages(s, 0, &err), 0);
	ck_assert_int_eq(put_big(s, "huge", "1", 99, &err), 0);
	ck_assert_int_eq(count(s, "evaluations"), evals + 1);
	av_store_close(s);

	s = open_ok(AV_STORE_READONLY);
	ck_assert_int_eq(av_store_check(s, &err), 0);
	ck_assert_int_eq(count(s, "evaluations"), evals + 1);
	av_store_close(s);
}

START_TEST(test_full_store_direct)
{
	full_store(0);
}
END_TEST

START_TEST(test_full_store_through_committer)
{
	full_store(AV_STORE_COMMITTER);
}
END_TEST

struct filler {
	av_store *s;
	int t;
	int ok, full, other;
};

static void *
fill(void *arg)
{
	struct filler *f = arg;
	char version[16], *m = malloc(64 * 1024);
	av_error err;

	ck_assert_ptr_nonnull(m);
	for (int i = 0; i < 30; i++) {
		snprintf(version, sizeof(version), "%d.%d", f->t, i);
		memset(m, 'x', 64 * 1024 - 1);
		m[64 * 1024 - 1] = '\0';
		memcpy(m, version, strlen(version));
		int rc = put(f->s, "filler", version, m, 60, &err);
		if (rc == 0)
			f->ok++;
		else if (rc == AV_EFULL)
			f->full++;
		else
			f->other++;
	}
	free(m);
	return NULL;
}

START_TEST(test_full_store_under_concurrent_batches)
{
	av_store *s = open_ok(AV_STORE_COMMITTER);
	pthread_t th[4];
	struct filler f[4];
	av_verdict *v;
	av_error err;
	int ok = 0, full = 0;

	ck_assert_int_eq(av_store_sqlite_limit_pages(s, 400, &err), 0);
	for (int t = 0; t < 4; t++) {
		f[t] = (struct filler){.s = s, .t = t};
		ck_assert_int_eq(pthread_create(&th[t], NULL, fill, &f[t]), 0);
	}
	for (int t = 0; t < 4; t++) {
		pthread_join(th[t], NULL);
		ck_assert_int_eq(f[t].other, 0);
		ok += f[t].ok;
		full += f[t].full;
	}
	ck_assert_int_gt(ok, 0);
	ck_assert_int_gt(full, 0);
	/* Exactly the acknowledged writes are there. */
	ck_assert_int_eq(count(s, "evaluations"), ok);
	for (int t = 0; t < 4; t++) {
		for (int i = 0; i < 30; i++) {
			char version[16];
			snprintf(version, sizeof(version), "%d.%d", t, i);
			int rc = av_store_latest(s, "filler", version, &v, &err);
			ck_assert(rc == 0 || rc == AV_ENOTFOUND);
			if (rc == 0)
				av_verdict_destroy(v);
		}
	}
	ck_assert_int_eq(av_store_check(s, &err), 0);
	av_store_close(s);
}
END_TEST

START_TEST(test_bad_verdicts_are_refused)
{
	av_store *s = open_ok(0);
	av_verdict *v = make_verdict("x", "1", "x1", "default", 1);
	av_error err;

	strcpy(v->policy_digest, "not-a-digest");
	ck_assert_int_eq(av_store_put_evaluation(s, v, "x", 1, "alice", &err), AV_EINVAL);
	av_sha256_hex("p", 1, v->policy_digest);
	ck_assert_int_eq(av_store_put_evaluation(s, v, "x", 1, NULL, &err), AV_EINVAL);
	free(v->profile);
	v->profile = NULL;
	ck_assert_int_eq(av_store_put_evaluation(s, v, "x", 1, "alice", &err), AV_EINVAL);
	ck_assert_int_eq(count(s, "evaluations"), 0);
	av_verdict_destroy(v);
	av_store_close(s);
}
END_TEST

struct reenter {
	av_store *s;
	int rc;
};

static int
call_back_in(void *arg, av_verdict *v)
{
	struct reenter *re = arg;
	av_verdict *w = NULL;
	av_error err;

	re->rc = av_store_latest(re->s, v->name, NULL, &w, &err);
	av_verdict_destroy(w);
	av_verdict_destroy(v);
	return 0;
}

START_TEST(test_callback_reentry_is_refused)
{
	av_store *s = open_ok(0);
	struct reenter re = {s, 0};
	av_error err;

	ck_assert_int_eq(put(s, "x", "1", "x1", 1, &err), 0);
	ck_assert_int_eq(av_store_list(s, call_back_in, &re, &err), 0);
	ck_assert_int_eq(re.rc, AV_EINVAL);
	av_store_close(s);
}
END_TEST

START_TEST(test_corrupt_stored_verdict_is_reported)
{
	av_store *s = open_ok(0);
	av_verdict *v;
	av_error err;

	ck_assert_int_eq(put(s, "x", "1", "x1", 1, &err), 0);
	av_store_close(s);
	raw_exec("UPDATE evaluations SET verdict = '{\"component\":3}'");
	s = open_ok(0);
	ck_assert_int_eq(av_store_latest(s, "x", "1", &v, &err), AV_ESTORE);
	ck_assert_ptr_nonnull(strstr(err.msg, "evaluation 1"));
	av_store_close(s);
}
END_TEST

START_TEST(test_location_picks_the_backend)
{
	av_store *s = NULL;
	av_store_stats st;
	av_error err;

	/* A URL names its backend by scheme; this build has none for it, and the
	 * error names the scheme, never the rest (it may hold a password). */
	ck_assert_int_eq(av_store_open(&s, "postgresql://aivet:secret@db.example/aivet",
			     AV_STORE_COMMITTER, &err),
	    AV_EINVAL);
	ck_assert_ptr_null(s);
	ck_assert_ptr_nonnull(strstr(err.msg, "postgresql://"));
	ck_assert_ptr_nonnull(strstr(err.msg, "no backend"));
	ck_assert_ptr_nonnull(strstr(err.msg, "sqlite"));
	ck_assert_ptr_null(strstr(err.msg, "secret"));
	ck_assert_int_eq(av_store_open(&s, "nosuch://x", AV_STORE_READONLY, &err), AV_EINVAL);
	ck_assert_ptr_null(s);

	/* A path is a SQLite database. */
	s = open_ok(0);
	ck_assert_int_eq(av_store_get_stats(s, &st, &err), 0);
	ck_assert_str_eq(st.backend, "sqlite");
	av_store_close(s);
}
END_TEST

START_TEST(test_stats_report_rows_committer_and_backend_figures)
{
	av_store *s = open_ok(AV_STORE_COMMITTER);
	av_store_stats st;
	av_error err;
	cJSON *j = cJSON_CreateObject(), *x;

	ck_assert_int_eq(put(s, "olmo", "1", "o1", 10, &err), 0);
	ck_assert_int_eq(put(s, "olmo", "2", "o2", 11, &err), 0);
	ck_assert_int_eq(av_store_get_stats(s, &st, &err), 0);
	ck_assert_str_eq(st.backend, "sqlite");
	ck_assert(st.writable);
	ck_assert_int_eq(st.schema_version, av_store_schema_version());
	ck_assert_int_eq(st.components, 2);
	ck_assert_int_eq(st.evaluations, 2);
	ck_assert_uint_eq(st.items, 2);
	ck_assert_uint_ge(st.batches, 1);

	ck_assert_int_eq(av_store_stats_json(&st, j), 0);
	ck_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(j, "backend")),
	    "sqlite");
	x = cJSON_GetObjectItemCaseSensitive(j, "committer");
	ck_assert_int_eq((int)cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(x, "items")), 2);
	/* The backend's own figures, under its name: the file is not empty. */
	x = cJSON_GetObjectItemCaseSensitive(j, "sqlite");
	ck_assert(cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(x, "bytes")) >= 4096);
	ck_assert(cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(x, "wal_bytes")));
	cJSON_Delete(j);
	av_store_close(s);

	/* A handle without a committer reports none of its figures. */
	s = open_ok(AV_STORE_READONLY);
	ck_assert_int_eq(av_store_get_stats(s, &st, &err), 0);
	ck_assert(!st.writable);
	ck_assert_uint_eq(st.batches + st.items, 0);
	ck_assert_int_eq(st.evaluations, 2);
	av_store_close(s);
}
END_TEST

/* The root page of table `name` and the page size, read straight from the file. */
static void
table_page(const char *name, int *page, int *size)
{
	sqlite3 *d;
	sqlite3_stmt *st;
	char q[128];

	ck_assert_int_eq(sqlite3_open(db, &d), SQLITE_OK);
	snprintf(q, sizeof(q), "SELECT rootpage, (SELECT page_size FROM pragma_page_size) "
			       "FROM sqlite_schema WHERE name = '%s'", name);
	ck_assert_int_eq(sqlite3_prepare_v2(d, q, -1, &st, NULL), SQLITE_OK);
	ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
	*page = sqlite3_column_int(st, 0);
	*size = sqlite3_column_int(st, 1);
	sqlite3_finalize(st);
	sqlite3_close(d);
}

START_TEST(test_check_finds_corruption_that_stats_do_not_read)
{
	av_store *s = open_ok(0);
	av_store_stats st;
	av_error err;
	int page, size;
	FILE *f;

	ck_assert_int_eq(put(s, "pythia", "1", "p1", 10, &err), 0);
	ck_assert_int_eq(av_store_check(s, &err), 0);
	av_store_close(s);
	/* Break the audit table's only page: an invalid b-tree page type. */
	table_page("audit", &page, &size);
	ck_assert_int_gt(page, 1);
	ck_assert_ptr_nonnull(f = fopen(db, "r+b"));
	ck_assert_int_eq(fseek(f, (long)(page - 1) * size, SEEK_SET), 0);
	ck_assert_int_eq(fputc(0x55, f), 0x55);
	ck_assert_int_eq(fclose(f), 0);

	s = open_ok(0);
	/* Health's figures do not scan the record: they still answer... */
	ck_assert_int_eq(av_store_get_stats(s, &st, &err), 0);
	ck_assert_int_eq(st.evaluations, 1);
	/* ...and the integrity check, a separate call, finds the damage. */
	ck_assert_int_eq(av_store_check(s, &err), AV_ESTORE);
	ck_assert_ptr_nonnull(strstr(err.msg, "integrity check failed"));
	ck_assert_ptr_nonnull(strstr(err.file, "aivet.db"));
	av_store_close(s);
}
END_TEST

static Suite *
store_suite(void)
{
	Suite *s = suite_create("store");
	TCase *tc;

	tc = tcase_create("core");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_open_creates_current_schema);
	tcase_add_test(tc, test_reopen_keeps_data_and_version);
	tcase_add_test(tc, test_find_cached_latest_and_list);
	tcase_add_test(tc, test_list_gives_latest_per_version_in_order);
	tcase_add_test(tc, test_manifest_text_is_kept_once);
	tcase_add_test(tc, test_location_picks_the_backend);
	tcase_add_test(tc, test_stats_report_rows_committer_and_backend_figures);
	suite_add_tcase(s, tc);

	tc = tcase_create("committer");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_committer_groups_concurrent_puts);
	tcase_add_test(tc, test_one_bad_write_does_not_fail_its_batch);
	tcase_add_test(tc, test_async_puts_through_committer);
	tcase_add_test(tc, test_async_puts_without_committer);
	suite_add_tcase(s, tc);

	tc = tcase_create("records");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_reviews_and_schedules);
	tcase_add_test(tc, test_due_schedules_soonest_first);
	tcase_add_test(tc, test_waivers_active_expired_revoked);
	tcase_add_test(tc, test_alerts_are_stored_once_and_listed_after_a_cursor);
	tcase_add_test(tc, test_every_write_is_audited);
	tcase_add_test(tc, test_history_in_time_order);
	tcase_add_test(tc, test_last_review_names_the_manifest_it_was_of);
	suite_add_tcase(s, tc);

	tc = tcase_create("errors");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_newer_schema_is_refused);
	tcase_add_test(tc, test_foreign_database_is_refused);
	tcase_add_test(tc, test_open_errors);
	tcase_add_test(tc, test_read_only_store_reads_but_refuses_writes);
	tcase_add_test(tc, test_read_only_file_refuses_writes);
	tcase_add_test(tc, test_full_store_direct);
	tcase_add_test(tc, test_full_store_through_committer);
	tcase_add_test(tc, test_full_store_under_concurrent_batches);
	tcase_add_test(tc, test_bad_verdicts_are_refused);
	tcase_add_test(tc, test_callback_reentry_is_refused);
	tcase_add_test(tc, test_corrupt_stored_verdict_is_reported);
	tcase_add_test(tc, test_check_finds_corruption_that_stats_do_not_read);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(store_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
