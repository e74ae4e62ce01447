-- Tests of plugins/evaluation.lua.

local function good()
	return {
		test_sets = {
			{ name = "real", size = 300, covers = { "realistic_tasks", "edge_cases", "low_quality_inputs" } },
			{ name = "red", size = 60, covers = { "refusals", "harmful_errors" } },
		},
		rubric = "docs/rubric.md",
		metrics = { accuracy = 0.9, hallucination_rate = 0.02, latency_p95_ms = 900, completeness = 0.95,
			privacy_leak_rate = 0.0, human_intervention_rate = 0.1 },
		workflow_tested = true,
		date = os.date("!%Y-%m-%d"),
	}
end

local function system(ev, use)
	return { apiVersion = "aivet/v1", kind = "system", name = "acme-eval", version = "1.0",
		use = use or { customer_facing = true, impact = "medium" }, evaluation = ev }
end

local function run(m, profile)
	return evaluate(m, { profile = profile or "default", plugins = { "evaluation" } })
end

function test_good_evidence_is_approved()
	expect_decision(run(system(good())), "approved")
	expect_decision(run(system(good()), "production"), "approved")
end

function test_no_evidence_needs_review()
	expect_severity(run(system(nil)), "evaluation.missing", "review")
end

function test_no_test_set()
	local ev = good()
	ev.test_sets = {}
	expect_finding(run(system(ev)), "evaluation.test_set.missing")
end

function test_small_test_set_warns()
	local ev = good()
	ev.test_sets = { { name = "tiny", size = 10, covers = { "realistic_tasks", "edge_cases", "refusals", "low_quality_inputs", "harmful_errors" } } }
	expect_severity(run(system(ev)), "evaluation.test_set.small", "warn")
end

function test_missing_coverage()
	local ev = good()
	ev.test_sets[2] = nil
	local v = run(system(ev))
	expect_severity(v, "evaluation.coverage.refusals", "warn")
	expect_finding(v, "evaluation.coverage.harmful_errors")
	expect_no_finding(v, "evaluation.coverage.edge_cases")
	expect_severity(run(system(ev), "production"), "evaluation.coverage.refusals", "review")
end

function test_missing_rubric()
	local ev = good()
	ev.rubric = nil
	expect_finding(run(system(ev)), "evaluation.rubric.missing")
end

function test_required_metric_missing()
	local ev = good()
	ev.metrics.hallucination_rate = nil
	expect_no_finding(run(system(ev)), "evaluation.metric.hallucination_rate.missing")
	expect_finding(run(system(ev), "production"), "evaluation.metric.hallucination_rate.missing")
end

function test_metric_below_threshold()
	local ev = good()
	ev.metrics.accuracy = 0.7
	expect_severity(run(system(ev), "production"), "evaluation.metric.accuracy.threshold", "review")
	expect_severity(run(system(ev), "regulated"), "evaluation.metric.accuracy.threshold", "block")
	expect_no_finding(run(system(good()), "production"), "evaluation.metric.accuracy.threshold")
end

function test_workflow_untested_for_customer_facing_use()
	local ev = good()
	ev.workflow_tested = false
	expect_finding(run(system(ev)), "evaluation.workflow.untested")
	expect_no_finding(run(system(ev, { customer_facing = false, impact = "low" })), "evaluation.workflow.untested")
end

function test_leaderboard_only_does_not_count()
	local ev = good()
	ev.leaderboard_only = true
	expect_severity(run(system(ev)), "evaluation.leaderboard_only", "review")
end

function test_published_results_alone_do_not_count()
	local ev = { results = { { task = "qa", dataset = "squad", metric = "f1", value = 88.5, source = "model-index" } } }
	local v = run(system(ev))
	expect_severity(v, "evaluation.leaderboard_only", "review")
	local own = good()
	own.results = ev.results
	expect_no_finding(run(system(own)), "evaluation.leaderboard_only")
end

function test_stale_evidence()
	local ev = good()
	ev.date = "2019-01-01"
	expect_finding(run(system(ev)), "evaluation.stale")
end

function test_citations_required_when_answering_from_retrieval()
	local ev = good()
	local m = system(ev)
	m.data_handling = { data_classes = { prompts = { "question" }, retrieval = { "kb_articles" }, logs = {} } }
	expect_finding(run(m), "evaluation.metric.citation_accuracy.missing")
	ev.metrics.citation_accuracy = 0.97
	expect_no_finding(run(m), "evaluation.metric.citation_accuracy.missing")
	m.data_handling = nil
	ev.metrics.citation_accuracy = nil
	expect_no_finding(run(m), "evaluation.metric.citation_accuracy.missing")
end
