/*
 * test_verdict.c - names, the decision rule, freshness, and the JSON form.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "store.h" /* av_verdict_json_text, AV_REVIEW_* */
#include "verdict.h"

START_TEST(names_parse_back)
{
	for (int i = AV_SEV_INFO; i <= AV_SEV_BLOCK; i++)
		ck_assert_int_eq(av_severity_parse(av_severity_name((av_severity)i)), i);
	for (int i = AV_APPROVED; i <= AV_REJECTED; i++)
		ck_assert_int_eq(av_decision_parse(av_decision_name((av_decision)i)), i);
	for (int i = AV_RISK_LOW; i <= AV_RISK_HIGH; i++)
		ck_assert_int_eq(av_risk_parse(av_risk_name((av_risk)i)), i);
	for (int i = AV_FRESH_CURRENT; i <= AV_FRESH_STALE; i++)
		ck_assert_int_eq(av_freshness_parse(av_freshness_name((av_freshness)i)), i);
	ck_assert_str_eq(av_decision_name(AV_NEEDS_REVIEW), "needs_review");
	ck_assert_str_eq(av_freshness_name(AV_FRESH_DUE_SOON), "due_soon");
	ck_assert_int_eq(av_severity_parse("Block"), -1);
	ck_assert_int_eq(av_decision_parse(""), -1);
	ck_assert_int_eq(av_risk_parse(NULL), -1);
}
END_TEST

START_TEST(decide_worst_unwaived)
{
	av_verdict *v = av_verdict_create();

	av_verdict_decide(v);
	ck_assert_int_eq(v->decision, AV_APPROVED);
	av_verdict_add(v, "license", "license.ok", AV_SEV_INFO, "fine", NULL, NULL, NULL);
	av_verdict_add(v, "fit", "fit.small", AV_SEV_WARN, "warn", NULL, NULL, NULL);
	av_verdict_decide(v);
	ck_assert_int_eq(v->decision, AV_APPROVED);
	av_verdict_add(v, "privacy", "privacy.x", AV_SEV_REVIEW, "look", "data_handling", NULL,
	    "privacy");
	av_verdict_decide(v);
	ck_assert_int_eq(v->decision, AV_NEEDS_REVIEW);
	av_verdict_add(v, "license", "license.weights.noncommercial", AV_SEV_BLOCK, "nc",
	    "licenses.weights", "pick another", "license");
	av_verdict_decide(v);
	ck_assert_int_eq(v->decision, AV_REJECTED);
	v->findings[3].waived = true;
	av_verdict_decide(v);
	ck_assert_int_eq(v->decision, AV_NEEDS_REVIEW);
	v->findings[2].waived = true;
	av_verdict_decide(v);
	ck_assert_int_eq(v->decision, AV_APPROVED);
	ck_assert_uint_eq(v->nfindings, 4);
	ck_assert_str_eq(v->findings[3].remedy, "pick another");
	ck_assert_ptr_null(v->findings[0].evidence);
	av_verdict_destroy(v);
	av_verdict_destroy(NULL);
}
END_TEST

START_TEST(freshness_rules)
{
	av_verdict *v = av_verdict_create();
	const char *pd = "ab12";

	strcpy(v->policy_digest, pd);
	v->review_by = 1000000;
	ck_assert_int_eq(av_verdict_freshness(v, pd, 0, 100), AV_FRESH_CURRENT);
	ck_assert_int_eq(av_verdict_freshness(v, pd, 999899, 100), AV_FRESH_CURRENT);
	ck_assert_int_eq(av_verdict_freshness(v, pd, 999900, 100), AV_FRESH_DUE_SOON);
	ck_assert_int_eq(av_verdict_freshness(v, pd, 999999, 100), AV_FRESH_DUE_SOON);
	ck_assert_int_eq(av_verdict_freshness(v, pd, 1000000, 100), AV_FRESH_OVERDUE);
	ck_assert_int_eq(av_verdict_freshness(v, "other", 0, 100), AV_FRESH_STALE);
	ck_assert_int_eq(av_verdict_freshness(v, "other", 2000000, 100), AV_FRESH_STALE);
	av_verdict_destroy(v);
}
END_TEST

static av_verdict *
sample(void)
{
	av_verdict *v = av_verdict_create();

	v->name = strdup("mistral-7b");
	v->version = strdup("v0.2");
	v->kind = strdup("model");
	memset(v->manifest_digest, 'a', 64);
	memset(v->policy_digest, 'b', 64);
	v->risk = AV_RISK_MEDIUM;
	v->profile = strdup("production");
	v->evaluated_at = 1803902400;
	v->review_by = 1811635200; /* 2027-05-30 */
	v->cached = true;
	v->id = 17;
	v->freshness = AV_FRESH_DUE_SOON;
	av_verdict_add(v, "license", "license.weights.noncommercial", AV_SEV_BLOCK,
	    "weights are \"non-commercial\"", "licenses.weights", "ask", "license");
	av_verdict_add(v, "fit", "fit.team", AV_SEV_WARN, "small team", NULL, NULL, NULL);
	v->findings[1].waived = true;
	av_verdict_decide(v);
	return v;
}

START_TEST(json_round_trip)
{
	av_verdict *v = sample(), *w = NULL;
	av_error e;
	cJSON *j = av_verdict_to_json(v);

	ck_assert_ptr_nonnull(j);
	ck_assert_str_eq(cJSON_GetObjectItem(j, "review_by")->valuestring, "2027-05-30");
	ck_assert_str_eq(cJSON_GetObjectItem(j, "evaluated_at")->valuestring,
	    "2027-03-01T12:00:00Z");
	ck_assert_str_eq(cJSON_GetObjectItem(j, "decision")->valuestring, "rejected");
	ck_assert_str_eq(cJSON_GetObjectItem(cJSON_GetObjectItem(j, "component"), "digest")
	    ->valuestring, v->manifest_digest);
	ck_assert(cJSON_IsNull(cJSON_GetObjectItem(
	    cJSON_GetArrayItem(cJSON_GetObjectItem(j, "findings"), 1), "evidence")));

	char *text = cJSON_PrintUnformatted(j);
	cJSON *j2 = cJSON_Parse(text);
	ck_assert_int_eq(av_verdict_from_json(&w, j2, &e), 0);
	ck_assert_str_eq(w->name, "mistral-7b");
	ck_assert_str_eq(w->version, "v0.2");
	ck_assert_str_eq(w->kind, "model");
	ck_assert_str_eq(w->manifest_digest, v->manifest_digest);
	ck_assert_str_eq(w->policy_digest, v->policy_digest);
	ck_assert_str_eq(w->profile, "production");
	ck_assert_int_eq(w->decision, AV_REJECTED);
	ck_assert_int_eq(w->risk, AV_RISK_MEDIUM);
	ck_assert_int_eq(w->freshness, AV_FRESH_DUE_SOON);
	ck_assert_int_eq(w->evaluated_at, v->evaluated_at);
	ck_assert_int_eq(w->review_by, v->review_by);
	ck_assert(w->cached);
	ck_assert_int_eq(w->id, 17);
	ck_assert_uint_eq(w->nfindings, 2);
	ck_assert_str_eq(w->findings[0].message, "weights are \"non-commercial\"");
	ck_assert_str_eq(w->findings[0].plugin, "license");
	ck_assert_int_eq(w->findings[0].severity, AV_SEV_BLOCK);
	ck_assert(!w->findings[0].waived);
	ck_assert(w->findings[1].waived);
	ck_assert_ptr_null(w->findings[1].remedy);

	/* And the second serialisation is byte-identical to the first. */
	cJSON *j3 = av_verdict_to_json(w);
	char *text2 = cJSON_PrintUnformatted(j3);
	ck_assert_str_eq(text, text2);
	free(text);
	free(text2);
	cJSON_Delete(j);
	cJSON_Delete(j2);
	cJSON_Delete(j3);
	av_verdict_destroy(v);
	av_verdict_destroy(w);
}
END_TEST

static void
bad_json(const char *text, const char *field)
{
	cJSON *j = cJSON_Parse(text);
	av_verdict *v = (av_verdict *)1;
	av_error e;

	ck_assert_msg(j != NULL, "test JSON does not parse: %s", text);
	ck_assert_int_eq(av_verdict_from_json(&v, j, &e), AV_ESCHEMA);
	ck_assert_ptr_null(v);
	ck_assert_int_eq(e.code, AV_ESCHEMA);
	ck_assert_msg(strstr(e.msg, field) != NULL, "'%s' does not name %s", e.msg, field);
	cJSON_Delete(j);
}

#define C "\"component\":{\"name\":\"n\",\"version\":\"1\"}"

START_TEST(json_rejects_wrong_types)
{
	bad_json("[]", "verdict");
	bad_json("{}", "component");
	bad_json("{\"component\":{\"version\":\"1\"},\"decision\":\"approved\",\"risk\":\"low\"}",
	    "component.name");
	bad_json("{\"component\":{\"name\":3,\"version\":\"1\"}}", "component.name");
	bad_json("{" C "}", "decision");
	bad_json("{" C ",\"decision\":\"maybe\",\"risk\":\"low\"}", "decision");
	bad_json("{" C ",\"decision\":\"approved\",\"risk\":1}", "risk");
	bad_json("{" C ",\"decision\":\"approved\",\"risk\":\"low\",\"review_by\":20270301}",
	    "review_by");
	bad_json("{" C ",\"decision\":\"approved\",\"risk\":\"low\",\"review_by\":\"soon\"}",
	    "review_by");
	bad_json("{" C ",\"decision\":\"approved\",\"risk\":\"low\",\"cached\":\"yes\"}", "cached");
	bad_json("{" C ",\"decision\":\"approved\",\"risk\":\"low\",\"id\":\"7\"}", "id");
	bad_json("{" C ",\"decision\":\"approved\",\"risk\":\"low\",\"id\":1.5}", "id");
	bad_json("{" C ",\"decision\":\"approved\",\"risk\":\"low\",\"findings\":{}}", "findings");
	bad_json("{" C ",\"decision\":\"approved\",\"risk\":\"low\",\"findings\":[{\"area\":\"a\","
	    "\"id\":\"b\",\"severity\":\"fatal\",\"message\":\"m\"}]}", "findings[0].severity");
	bad_json("{" C ",\"decision\":\"approved\",\"risk\":\"low\",\"findings\":[{\"area\":\"a\","
	    "\"id\":\"b\",\"severity\":\"info\",\"message\":\"m\"},{\"area\":\"a\",\"id\":\"b\","
	    "\"severity\":\"info\",\"message\":\"m\",\"waived\":1}]}", "findings[1].waived");
	bad_json("{" C ",\"decision\":\"approved\",\"risk\":\"low\",\"findings\":[7]}",
	    "findings[0]");
	bad_json("{" C ",\"decision\":\"approved\",\"risk\":\"low\",\"policy_digest\":\""
	    "00000000000000000000000000000000000000000000000000000000000000000\"}",
	    "policy_digest");
}
END_TEST

START_TEST(json_minimal_accepted)
{
	cJSON *j = cJSON_Parse("{" C ",\"decision\":\"needs_review\",\"risk\":\"high\"}");
	av_verdict *v = NULL;
	av_error e;

	ck_assert_int_eq(av_verdict_from_json(&v, j, &e), 0);
	ck_assert_int_eq(v->decision, AV_NEEDS_REVIEW);
	ck_assert_int_eq(v->risk, AV_RISK_HIGH);
	ck_assert_uint_eq(v->nfindings, 0);
	ck_assert_ptr_null(v->kind);
	ck_assert_int_eq(v->review_by, 0);
	av_verdict_destroy(v);
	cJSON_Delete(j);
}
END_TEST

/* The final fields: written after the findings, by the text writer and the
 * tree alike, never into the stored form. */
START_TEST(final_fields_text_matches_tree)
{
	av_verdict *v = sample();
	cJSON *j;
	char *text, *tree, *stored;

	v->final = true;
	v->effective = AV_APPROVED;
	v->next_due = 1811635200;
	v->due_from = "review";
	v->review.present = true;
	v->review.decision = AV_REVIEW_APPROVE_WITH_CONDITIONS;
	v->review.reviewer = strdup("alice");
	v->review.note = strdup("a \"quoted\"\nnote\x01 \xc3\xa9");
	v->review.at = 1803902400;
	v->review.next_review = 0;
	v->review.stands = true;
	text = av_verdict_text(v, NULL);
	j = av_verdict_to_json(v);
	tree = cJSON_PrintUnformatted(j);
	ck_assert_str_eq(text, tree);
	ck_assert_ptr_nonnull(strstr(text, "}],\"effective_decision\":\"approved\",\"review\":"
					   "{\"decision\":\"approve_with_conditions\",\"reviewer\":"
					   "\"alice\",\"at\":\"2027-03-01T12:00:00Z\",\"note\":"
					   "\"a \\\"quoted\\\"\\nnote\\u0001 \xc3\xa9\","
					   "\"next_review\":null,\"stands\":true},"
					   "\"next_due\":\"2027-05-30\"}"));
	stored = av_verdict_json_text(v, NULL);
	ck_assert_ptr_null(strstr(stored, "effective_decision"));
	free(text);
	free(tree);
	free(stored);
	cJSON_Delete(j);

	/* No review: "review":null; not final: no final fields at all. */
	av_verdict_clear_final(v);
	v->final = true;
	v->next_due = 0;
	text = av_verdict_text(v, NULL);
	j = av_verdict_to_json(v);
	tree = cJSON_PrintUnformatted(j);
	ck_assert_str_eq(text, tree);
	ck_assert_ptr_nonnull(strstr(text, "\"effective_decision\":\"rejected\",\"review\":null,"
					   "\"next_due\":null}"));
	free(text);
	free(tree);
	cJSON_Delete(j);
	av_verdict_clear_final(v);
	text = av_verdict_text(v, NULL);
	stored = av_verdict_json_text(v, NULL);
	ck_assert_str_eq(text, stored);
	free(text);
	free(stored);
	av_verdict_destroy(v);
}
END_TEST

/* A view shares the reference's strings and owns what changes. */
START_TEST(view_leaves_the_reference_alone)
{
	av_verdict *ref = sample();
	av_verdict_view vw;
	char *before = av_verdict_json_text(ref, NULL), *after;

	for (int n = 0; n < 40; n++) /* more than the view's local findings */
		av_verdict_add(ref, "x", "x.y", AV_SEV_INFO, "m", NULL, NULL, NULL);
	free(before);
	before = av_verdict_json_text(ref, NULL);
	ck_assert_int_eq(av_verdict_view_init(&vw, ref), 0);
	ck_assert_ptr_eq(vw.v.name, ref->name);
	vw.v.findings[0].waived = true;
	vw.v.findings[1].waived = false;
	vw.v.final = true;
	vw.v.review.present = true;
	vw.v.review.reviewer = strdup("bob");
	vw.v.review.note = strdup("n");
	vw.v.due_owner = strdup("carol");
	after = av_verdict_json_text(ref, NULL);
	ck_assert_str_eq(before, after);
	av_verdict_view_fini(&vw);
	free(before);
	free(after);
	av_verdict_destroy(ref);
}
END_TEST

static Suite *
verdict_suite(void)
{
	Suite *s = suite_create("verdict");
	TCase *core = tcase_create("core");
	TCase *errors = tcase_create("errors");

	tcase_add_test(core, names_parse_back);
	tcase_add_test(core, decide_worst_unwaived);
	tcase_add_test(core, freshness_rules);
	tcase_add_test(core, json_round_trip);
	tcase_add_test(core, json_minimal_accepted);
	tcase_add_test(core, final_fields_text_matches_tree);
	tcase_add_test(core, view_leaves_the_reference_alone);
	tcase_add_test(errors, json_rejects_wrong_types);
	suite_add_tcase(s, core);
	suite_add_tcase(s, errors);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(verdict_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
