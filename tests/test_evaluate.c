/*
 * test_evaluate.c - the one evaluation pipeline (evaluate.h), what the
 * record adds to a verdict (review.h) and the scheduler's decisions
 * (schedule.h), against a real store in a fresh folder and a policy of one
 * test plugin whose severity each test chooses.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "clock.h"
#include "evaluate.h"
#include "review.h"
#include "schedule.h"
#include "sha256.h"
#include "store.h"

static char dir[256], db[300], plugdir[300], poldir[2048];
static av_store *wr, *rd, *walk;

#define NOW 1772323200 /* 2026-03-01 */
#define DAY 86400

static const char *const manifest_yaml =
    "apiVersion: aivet/v1\nkind: model\nname: demo\nversion: '1'\n"
    "licenses: {code: MIT, weights: MIT}\n";
static const char *const manifest_json =
    "{\"apiVersion\":\"aivet/v1\",\"kind\":\"model\",\"name\":\"demo\",\"version\":\"1\","
    "\"licenses\":{\"code\":\"MIT\",\"weights\":\"MIT\"}}";

static void
setup(void)
{
	const char *tmp = getenv("TMPDIR"), *src = getenv("AIVET_SRCDIR");
	av_error err;

	snprintf(dir, sizeof(dir), "%s/aveval.XXXXXX", tmp != NULL && *tmp ? tmp : "/tmp");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(db, sizeof(db), "%s/aivet.db", dir);
	snprintf(plugdir, sizeof(plugdir), "%s/plugins", dir);
	snprintf(poldir, sizeof(poldir), "%.1900s/policies", src != NULL ? src : ".");
	ck_assert_int_eq(mkdir(plugdir, 0700), 0);
	ck_assert_int_eq(av_store_open(&wr, db, AV_STORE_COMMITTER, &err), 0);
	ck_assert_int_eq(av_store_open(&rd, db, 0, &err), 0);
	ck_assert_int_eq(av_store_open(&walk, db, 0, &err), 0);
}

static void
teardown(void)
{
	char cmd[400];

	av_store_close(walk);
	av_store_close(rd);
	av_store_close(wr);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
}

/* A runtime of one plugin, gate, that reports org.gate.flag at severity. */
static av_runtime *
gate(const char *severity)
{
	char path[400];
	const char *pd[] = {plugdir}, *po[] = {poldir};
	av_policy_opts o = {0};
	av_policy *p = NULL;
	av_runtime *rt = NULL;
	av_diags d;
	av_error err;
	FILE *f;

	snprintf(path, sizeof(path), "%s/gate.lua", plugdir);
	ck_assert_ptr_nonnull(f = fopen(path, "w"));
	fprintf(f, "return {name = 'gate', area = 'org', version = '1', description = 'gate',\n"
		   "  evaluate = function(c, s, report)\n"
		   "    report:finding{id = 'org.gate.flag', severity = '%s', message = 'flag',\n"
		   "      evidence = 'name'}\n"
		   "  end}\n", severity);
	fclose(f);
	o.plugin_dirs = pd;
	o.nplugin_dirs = 1;
	o.policy_dirs = po;
	o.npolicy_dirs = 1;
	av_diags_init(&d);
	ck_assert_int_eq(av_policy_load(&p, &o, &d), 0);
	av_diags_fini(&d);
	ck_assert_int_eq(av_runtime_create(&rt, p, &err), 0);
	av_policy_unref(p);
	return rt;
}

static av_eval_env
env_of(av_runtime *rt, int64_t now)
{
	av_eval_env e = {.rt = rt, .rd = rd, .wr = wr, .actor = "tester", .now = now};

	return e;
}

static av_review_env
review_env(av_runtime *rt, int64_t now)
{
	av_review_env e = {.rd = rd, .wr = wr, .policy = av_runtime_policy(rt), .now = now,
	    .actor = "alice"};

	return e;
}

/* Evaluates text through the whole pipeline; the verdict's text, or NULL
 * with *rc set. */
static char *
run(const av_eval_env *e, const char *text, bool refresh, av_eval *ev, int *rc)
{
	av_eval_in in = {.text = text, .len = strlen(text), .file = "m.yaml", .refresh = refresh};
	av_error err;

	av_eval_init(ev);
	av_error_clear(&err);
	*rc = av_evaluate(ev, e, &in, &err);
	return *rc == 0 ? av_verdict_text(ev->v, NULL) : NULL;
}

static const av_finding *
finding(const av_verdict *v, const char *id)
{
	for (size_t i = 0; i < v->nfindings; i++)
		if (strcmp(v->findings[i].id, id) == 0)
			return &v->findings[i];
	return NULL;
}

/* ---- the pipeline ------------------------------------------------------ */

START_TEST(every_input_form_gives_one_digest_and_verdict)
{
	av_runtime *rt = gate("review");
	av_eval_env e = {.rt = rt, .now = NOW}; /* no record */
	av_eval_in in = {.file = "m", .profile = "default"};
	av_eval ev[4];
	char *text[4];
	cJSON *j = cJSON_Parse(manifest_json);
	av_doc *doc = NULL;
	av_error err;

	ck_assert_int_eq(av_doc_parse(&doc, manifest_yaml, strlen(manifest_yaml), AV_FMT_AUTO, "m",
			     NULL, &err), 0);
	for (int i = 0; i < 4; i++) {
		av_eval_in x = in;
		if (i == 0) {
			x.text = manifest_yaml;
			x.len = strlen(manifest_yaml);
		} else if (i == 1) {
			x.text = manifest_json;
			x.len = strlen(manifest_json);
		} else if (i == 2) {
			x.json = j;
		} else {
			x.doc = doc;
		}
		av_eval_init(&ev[i]);
		ck_assert_int_eq(av_evaluate(&ev[i], &e, &x, &err), 0);
		ck_assert(ev[i].v->final);
		ck_assert(!ev[i].cached);
		text[i] = av_verdict_text(ev[i].v, NULL);
	}
	for (int i = 1; i < 4; i++) {
		ck_assert_str_eq(ev[i].digest, ev[0].digest);
		ck_assert_str_eq(text[i], text[0]);
	}
	/* No record: nothing waived or reviewed, due when the verdict says. */
	const av_verdict *v = ev[0].v;
	ck_assert_int_eq(v->decision, AV_NEEDS_REVIEW);
	ck_assert_int_eq(v->effective, AV_NEEDS_REVIEW);
	ck_assert(!v->review.present);
	ck_assert_int_eq(v->next_due, v->review_by);
	ck_assert_str_eq(v->due_from, "verdict");
	ck_assert_int_eq(v->freshness, AV_FRESH_CURRENT);
	ck_assert_int_eq(v->evaluated_at, NOW);
	ck_assert_str_eq(v->manifest_digest, ev[0].digest);
	ck_assert_ptr_nonnull(strstr(text[0], "\"effective_decision\":\"needs_review\","
					      "\"review\":null,\"next_due\":"));
	for (int i = 0; i < 4; i++) {
		free(text[i]);
		av_eval_fini(&ev[i]);
	}
	av_doc_destroy(doc);
	cJSON_Delete(j);
	av_runtime_destroy(rt);
}
END_TEST

START_TEST(bad_input_and_unknown_profile_are_errors)
{
	av_runtime *rt = gate("info");
	av_eval_env e = {.rt = rt, .now = NOW};
	av_eval_in in = {.text = "a: [b", .len = 5, .file = "bad.yaml"};
	av_eval ev;
	av_error err;

	av_eval_init(&ev);
	ck_assert_int_eq(av_evaluate(&ev, &e, &in, &err), AV_ESCHEMA);
	ck_assert_ptr_null(ev.v);
	ck_assert_str_eq(err.file, "bad.yaml");
	ck_assert_int_gt(err.line, 0);
	av_eval_fini(&ev);
	in.text = "apiVersion: aivet/v1\nkind: model\nversion: '1'\n";
	in.len = strlen(in.text);
	ck_assert_int_eq(av_evaluate(&ev, &e, &in, &err), AV_ESCHEMA);
	ck_assert_ptr_nonnull(strstr(err.msg, "name"));
	av_eval_fini(&ev);
	in.text = manifest_yaml;
	in.len = strlen(manifest_yaml);
	in.profile = "nope";
	ck_assert_int_eq(av_evaluate(&ev, &e, &in, &err), AV_ENOTFOUND);
	ck_assert_str_eq(err.msg, "unknown profile 'nope'");
	av_eval_fini(&ev);
	av_runtime_destroy(rt);
}
END_TEST

START_TEST(stored_then_cached_then_refreshed)
{
	av_runtime *rt = gate("review");
	av_eval_env e = env_of(rt, NOW);
	av_eval a, b, c;
	char *ta, *tb, *tc;
	int rc;

	ck_assert_ptr_nonnull(ta = run(&e, manifest_yaml, false, &a, &rc));
	ck_assert(!a.cached);
	ck_assert_int_gt(a.v->id, 0);
	/* The same manifest, as JSON this time: answered from the store. */
	ck_assert_ptr_nonnull(tb = run(&e, manifest_json, false, &b, &rc));
	ck_assert(b.cached);
	ck_assert(b.v->cached);
	ck_assert_int_eq(b.v->id, a.v->id);
	ck_assert_ptr_nonnull(strstr(tb, "\"cached\":true"));
	ck_assert_ptr_nonnull(tc = run(&e, manifest_yaml, true, &c, &rc));
	ck_assert(!c.cached);
	ck_assert_int_gt(c.v->id, a.v->id);
	/* Apart from cached and id, the three are one verdict. */
	ck_assert_ptr_nonnull(strstr(ta, "\"cached\":false,\"id\":"));
	ck_assert_str_eq(strstr(ta, "\"findings\""), strstr(tb, "\"findings\""));
	ck_assert_str_eq(strstr(ta, "\"findings\""), strstr(tc, "\"findings\""));
	free(ta), free(tb), free(tc);
	av_eval_fini(&a), av_eval_fini(&b), av_eval_fini(&c);
	av_runtime_destroy(rt);
}
END_TEST

START_TEST(store_later_then_finish)
{
	av_runtime *rt = gate("block");
	av_eval_env e = env_of(rt, NOW);
	av_eval_in in = {.text = manifest_yaml, .len = strlen(manifest_yaml)};
	av_eval ev;
	av_error err;

	e.wr = NULL;
	e.store_later = true;
	av_eval_init(&ev);
	ck_assert_int_eq(av_evaluate(&ev, &e, &in, &err), 0);
	ck_assert(ev.must_store);
	ck_assert(!ev.v->final);
	ck_assert_int_eq(ev.automatic, AV_REJECTED);
	ck_assert_int_eq(av_store_put_evaluation(wr, ev.v, ev.canon, ev.canon_len, "t", &err), 0);
	ck_assert_int_eq(av_eval_finish(&ev, &e, &err), 0);
	ck_assert(!ev.must_store);
	ck_assert(ev.v->final);
	ck_assert_int_gt(ev.v->id, 0);
	av_eval_fini(&ev);
	/* Stored: the same manifest again is answered from the store, and what
	 * was kept is the canonical manifest under its digest. */
	{
		av_eval again;
		char *text = NULL, *t, hex[65];
		size_t len = 0;
		int rc;
		ck_assert_ptr_nonnull(t = run(&e, manifest_yaml, false, &again, &rc));
		ck_assert(again.cached);
		ck_assert(!again.must_store);
		ck_assert_int_eq(av_store_manifest(rd, again.digest, &text, &len, &err), 0);
		av_sha256_hex(text, len, hex);
		ck_assert_str_eq(hex, again.digest);
		free(text);
		free(t);
		av_eval_fini(&again);
	}
	av_runtime_destroy(rt);
}
END_TEST

/* ---- the record: waivers, reviews, schedules ---------------------------- */

START_TEST(a_waiver_and_a_review_bear_on_the_verdict)
{
	av_runtime *rt = gate("block");
	av_eval_env e = env_of(rt, NOW);
	av_review_env re = review_env(rt, NOW);
	av_waiver w = {.name = "demo", .version = "1", .finding_id = "org.gate.flag",
	    .justification = AV_JUST_MITIGATED, .until = NOW + 30 * DAY};
	av_review r = {.name = "demo", .version = "1", .decision = AV_REVIEW_REJECT,
	    .note = "no", .next_review = NOW + 10 * DAY};
	av_eval ev;
	av_error err;
	char *t;
	int rc;

	ck_assert_ptr_nonnull(t = run(&e, manifest_yaml, false, &ev, &rc));
	ck_assert_int_eq(ev.v->decision, AV_REJECTED);
	free(t);
	av_eval_fini(&ev);
	ck_assert_int_eq(av_review_waive(&re, &w, &err), 0);
	ck_assert_int_gt(w.id, 0);
	ck_assert_str_eq(w.created_by, "alice");
	ck_assert_ptr_nonnull(t = run(&e, manifest_yaml, false, &ev, &rc));
	ck_assert(finding(ev.v, "org.gate.flag")->waived);
	ck_assert_int_eq(ev.v->decision, AV_APPROVED);
	ck_assert_int_eq(ev.automatic, AV_REJECTED);
	ck_assert_int_eq(ev.v->effective, AV_APPROVED);
	free(t);
	av_eval_fini(&ev);

	ck_assert_int_eq(av_review_record(&re, &r, &err), 0);
	ck_assert_ptr_nonnull(t = run(&e, manifest_yaml, false, &ev, &rc));
	ck_assert(ev.v->review.present);
	ck_assert(ev.v->review.stands);
	ck_assert_str_eq(ev.v->review.reviewer, "alice");
	ck_assert_int_eq(ev.v->effective, AV_REJECTED);
	ck_assert_int_eq(ev.v->next_due, NOW + 10 * DAY);
	ck_assert_str_eq(ev.v->due_from, "review");
	free(t);
	av_eval_fini(&ev);

	/* After the waiver's expiry and the review's date: neither counts. */
	e.now = NOW + 31 * DAY;
	ck_assert_ptr_nonnull(t = run(&e, manifest_yaml, false, &ev, &rc));
	ck_assert(!finding(ev.v, "org.gate.flag")->waived);
	ck_assert_int_eq(ev.v->decision, AV_REJECTED);
	ck_assert(ev.v->review.present);
	ck_assert(!ev.v->review.stands);
	ck_assert_int_eq(ev.v->effective, AV_REJECTED);
	free(t);
	av_eval_fini(&ev);

	/* Other content under the same name: the review was not of it. */
	e.now = NOW + DAY;
	ck_assert_ptr_nonnull(t = run(&e,
	    "apiVersion: aivet/v1\nkind: model\nname: demo\nversion: '1'\npublisher: X\n", false,
	    &ev, &rc));
	ck_assert(ev.v->review.present);
	ck_assert(!ev.v->review.stands);
	ck_assert_str_eq(ev.v->due_from, "verdict");
	ck_assert_int_eq(ev.v->effective, AV_APPROVED); /* the waiver still holds */
	free(t);
	av_eval_fini(&ev);
	av_runtime_destroy(rt);
}
END_TEST

START_TEST(the_rules_of_writes)
{
	av_runtime *rt = gate("review");
	av_eval_env e = env_of(rt, NOW);
	av_review_env re = review_env(rt, NOW);
	av_review r = {.name = "demo", .version = "1", .decision = AV_REVIEW_APPROVE};
	av_waiver w = {.name = "demo", .version = "1", .finding_id = "org.gate.flag",
	    .justification = AV_JUST_ACCEPTED_RISK};
	av_schedule sc = {.name = "demo", .version = "1"};
	av_eval ev;
	av_error err;
	char *t;
	int rc;

	/* Nothing can be written about a component never evaluated. */
	ck_assert_int_eq(av_review_record(&re, &r, &err), AV_ENOTFOUND);
	ck_assert_str_eq(err.msg, "no verdict for demo@1: evaluate it first");
	ck_assert_int_eq(av_review_waive(&re, &w, &err), AV_ENOTFOUND);
	ck_assert_int_eq(av_review_schedule(&re, &sc, &err), AV_ENOTFOUND);
	ck_assert_ptr_nonnull(t = run(&e, manifest_yaml, false, &ev, &rc));
	free(t);
	av_eval_fini(&ev);

	r.next_review = NOW;
	ck_assert_int_eq(av_review_record(&re, &r, &err), AV_EINVAL);
	ck_assert_ptr_nonnull(strstr(err.msg, "in the future"));
	/* No date: the profile's interval for the risk tier (medium: 180 days). */
	r.next_review = 0;
	ck_assert_int_eq(av_review_record(&re, &r, &err), 0);
	ck_assert_int_eq(r.next_review, NOW + 180 * DAY);
	ck_assert_int_eq(r.created_at, NOW);

	w.until = NOW - 1;
	ck_assert_int_eq(av_review_waive(&re, &w, &err), AV_EINVAL);
	w.until = 0;
	w.finding_id = "no.such.finding";
	ck_assert_int_eq(av_review_waive(&re, &w, &err), AV_ENOTFOUND);
	ck_assert_str_eq(err.msg, "the verdict of demo@1 has no finding 'no.such.finding'");

	ck_assert_int_eq(av_review_schedule(&re, &sc, &err), 0);
	ck_assert_int_eq(sc.every_seconds, 180 * DAY);
	ck_assert_int_eq(sc.next_due, NOW + 180 * DAY);
	/* With a schedule, a review without a date takes its interval, and the
	 * schedule sets when the next review is due. */
	sc.every_seconds = 30 * DAY;
	sc.next_due = NOW + 7 * DAY;
	sc.owner = "bob";
	ck_assert_int_eq(av_review_schedule(&re, &sc, &err), 0);
	r.next_review = 0;
	ck_assert_int_eq(av_review_record(&re, &r, &err), 0);
	ck_assert_int_eq(r.next_review, NOW + 30 * DAY);
	ck_assert_ptr_nonnull(t = run(&e, manifest_yaml, false, &ev, &rc));
	ck_assert_str_eq(ev.v->due_from, "schedule");
	ck_assert_str_eq(ev.v->due_owner, "bob");
	ck_assert_int_eq(ev.v->due_every, 30 * DAY);
	ck_assert_int_eq(ev.v->effective, AV_APPROVED);
	free(t);
	av_eval_fini(&ev);
	av_runtime_destroy(rt);
}
END_TEST

START_TEST(review_states)
{
	av_runtime *rt = gate("info");
	const av_policy *p = av_runtime_policy(rt);
	av_verdict *v = av_verdict_create();
	int64_t lead = 30 * DAY;

	v->profile = strdup("default");
	ck_assert_int_eq(av_review_lead(v, p), lead);
	snprintf(v->policy_digest, sizeof(v->policy_digest), "%s", av_policy_digest(p));
	v->next_due = NOW;
	ck_assert_str_eq(av_review_state(v, p, NOW - lead - 1), "current");
	ck_assert_str_eq(av_review_state(v, p, NOW - lead), "due_soon");
	ck_assert_str_eq(av_review_state(v, p, NOW), "due");
	ck_assert_str_eq(av_review_state(v, p, NOW + DAY), "overdue");
	v->policy_digest[0] = 'x';
	ck_assert_str_eq(av_review_state(v, p, NOW - lead - 1), "stale");
	av_verdict_destroy(v);
	av_runtime_destroy(rt);
}
END_TEST

/* ---- the scheduler's decisions ----------------------------------------- */

typedef struct seen {
	char topic[8][32];
	char key[8][1024];
	char detail[8][512];
	int n;
} seen;

static void
keep(void *arg, av_sched_alert *a)
{
	seen *s = arg;
	char *d = a->detail ? cJSON_PrintUnformatted(a->detail) : NULL;

	ck_assert_int_lt(s->n, 8);
	snprintf(s->topic[s->n], sizeof(s->topic[0]), "%s", a->topic);
	snprintf(s->key[s->n], sizeof(s->key[0]), "%s", a->key);
	snprintf(s->detail[s->n], sizeof(s->detail[0]), "%s", d ? d : "");
	s->n++;
	free(d);
	cJSON_Delete(a->detail);
}

START_TEST(what_a_component_calls_for)
{
	av_runtime *rt = gate("info");
	const av_policy *p = av_runtime_policy(rt);
	av_verdict *v = av_verdict_create();
	seen s = {0};

	v->name = strdup("demo");
	v->version = strdup("1");
	v->profile = strdup("default");
	v->review_by = NOW;
	v->next_due = NOW;
	v->due_from = "schedule";
	v->due_owner = strdup("bob");
	snprintf(v->policy_digest, sizeof(v->policy_digest), "%s", av_policy_digest(p));
	ck_assert(!av_sched_alerts_of(v, p, NOW - 31 * DAY, 7 * DAY, keep, &s));
	ck_assert_int_eq(s.n, 0);
	ck_assert(!av_sched_alerts_of(v, p, NOW - 30 * DAY, 7 * DAY, keep, &s));
	ck_assert_int_eq(s.n, 1);
	ck_assert_str_eq(s.topic[0], "review.due_soon");
	ck_assert_str_eq(s.key[0], "review.due_soon:demo@1:1772323200");
	ck_assert_str_eq(s.detail[0], "{\"name\":\"demo\",\"version\":\"1\",\"decision\":\"approved\","
				      "\"review_by\":\"2026-03-01\",\"due\":\"2026-03-01\","
				      "\"due_from\":\"schedule\",\"owner\":\"bob\"}");
	s.n = 0;
	ck_assert(!av_sched_alerts_of(v, p, NOW + 6 * DAY, 7 * DAY, keep, &s));
	ck_assert_int_eq(s.n, 1);
	ck_assert_str_eq(s.key[0], "review.due:demo@1:1772323200");
	s.n = 0;
	ck_assert(!av_sched_alerts_of(v, p, NOW + 15 * DAY, 7 * DAY, keep, &s));
	ck_assert_int_eq(s.n, 2);
	ck_assert_str_eq(s.topic[1], "review.overdue");
	ck_assert_str_eq(s.key[1], "review.overdue:demo@1:1772323200:2");
	ck_assert_ptr_nonnull(strstr(s.detail[1], "\"days_overdue\":15,\"repeat\":2"));
	/* Made under other policies: stale, first. */
	s.n = 0;
	memset(v->policy_digest, 'a', 64);
	ck_assert(av_sched_alerts_of(v, p, NOW - 31 * DAY, 7 * DAY, keep, &s));
	ck_assert_int_eq(s.n, 1);
	ck_assert_str_eq(s.topic[0], "verdict.stale");
	ck_assert_ptr_nonnull(strstr(s.key[0], "verdict.stale:demo@1:aaaa"));
	av_verdict_destroy(v);
	av_runtime_destroy(rt);
}
END_TEST

typedef struct raised {
	char topics[1024];
	int n;
} raised;

static void
on_raised(void *arg, const av_alert *a)
{
	raised *r = arg;

	ck_assert_int_gt(a->id, 0);
	strncat(r->topics, a->topic, sizeof(r->topics) - strlen(r->topics) - 2);
	strcat(r->topics, " ");
	r->n++;
}

START_TEST(a_pass_raises_once_and_reevaluates_what_is_stale)
{
	av_runtime *a = gate("block"), *b;
	av_eval_env e = env_of(a, NOW);
	av_review_env re = review_env(a, NOW);
	av_waiver w = {.name = "demo", .version = "1", .finding_id = "org.gate.flag",
	    .justification = AV_JUST_MITIGATED, .until = NOW + 5 * DAY};
	raised r = {{0}, 0};
	av_sched_env s = {.rd = rd, .walk = walk, .wr = wr, .actor = "aivetd",
	    .overdue_repeat = 7 * DAY, .reeval_rate = 1000, .raised = on_raised, .arg = &r};
	av_verdict *old = NULL, *now = NULL;
	av_eval ev;
	av_error err;
	char *t;
	int rc;

	ck_assert_ptr_nonnull(t = run(&e, manifest_yaml, false, &ev, &rc));
	free(t);
	av_eval_fini(&ev);
	ck_assert_int_eq(av_review_waive(&re, &w, &err), 0);
	ck_assert_int_eq(av_store_latest(rd, "demo", "1", &old, &err), 0);

	/* Nothing due, nothing stale: nothing raised. */
	s.rt = a;
	s.now = NOW + DAY;
	ck_assert_int_eq(av_sched_pass(&s, &err), 0);
	ck_assert_int_eq(r.n, 0);

	/* The gate only asks for review now: stale, evaluated again, changed;
	 * the waiver ran out meanwhile. */
	b = gate("review");
	s.rt = b;
	s.now = NOW + 6 * DAY;
	ck_assert_int_eq(av_sched_pass(&s, &err), 0);
	ck_assert_str_eq(r.topics, "waiver.expired verdict.stale verdict.changed ");
	ck_assert_int_eq(av_store_latest(rd, "demo", "1", &now, &err), 0);
	ck_assert_int_gt(now->id, old->id);
	ck_assert_int_eq(old->decision, AV_REJECTED);
	ck_assert_int_eq(now->decision, AV_NEEDS_REVIEW);
	ck_assert_str_eq(now->policy_digest, av_policy_digest(av_runtime_policy(b)));
	/* A re-evaluation never postpones a review: a medium risk would give
	 * 180 days from now, the high risk before gave 90 from the first. */
	ck_assert_int_eq(old->review_by, NOW + 90 * DAY);
	ck_assert_int_eq(now->review_by, old->review_by);
	ck_assert_int_eq(now->evaluated_at, NOW + 6 * DAY);

	/* Again: the store already has every key. */
	r.n = 0;
	r.topics[0] = '\0';
	ck_assert_int_eq(av_sched_pass(&s, &err), 0);
	ck_assert_int_eq(r.n, 0);
	av_verdict_destroy(old);
	av_verdict_destroy(now);
	av_runtime_destroy(a);
	av_runtime_destroy(b);
}
END_TEST

static Suite *
evaluate_suite(void)
{
	Suite *s = suite_create("evaluate");
	TCase *pipeline = tcase_create("pipeline");
	TCase *record = tcase_create("record");
	TCase *sched = tcase_create("schedule");

	tcase_add_checked_fixture(pipeline, setup, teardown);
	tcase_add_test(pipeline, every_input_form_gives_one_digest_and_verdict);
	tcase_add_test(pipeline, bad_input_and_unknown_profile_are_errors);
	tcase_add_test(pipeline, stored_then_cached_then_refreshed);
	tcase_add_test(pipeline, store_later_then_finish);
	tcase_add_checked_fixture(record, setup, teardown);
	tcase_add_test(record, a_waiver_and_a_review_bear_on_the_verdict);
	tcase_add_test(record, the_rules_of_writes);
	tcase_add_test(record, review_states);
	tcase_add_checked_fixture(sched, setup, teardown);
	tcase_add_test(sched, what_a_component_calls_for);
	tcase_add_test(sched, a_pass_raises_once_and_reevaluates_what_is_stale);
	suite_add_tcase(s, pipeline);
	suite_add_tcase(s, record);
	suite_add_tcase(s, sched);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(evaluate_suite());

	unsetenv("AIVET_NOW");
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
