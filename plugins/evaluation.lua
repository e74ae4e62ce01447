--[[
evaluation: has the team tested the component on its own task, with
evidence that would catch the failures that matter?

Checks that a test set from realistic tasks exists and covers edge cases,
refusals, low-quality inputs and cases where a wrong answer causes harm; that
it is not tiny; that there is a scoring rubric; that the metrics the profile
requires are measured and meet its thresholds (citation accuracy too when the
system answers from retrieved sources); that the whole workflow was
tested when the use is customer-facing or high-impact; that the evidence is
recent; and that generic leaderboard scores are not the only evidence.

Settings (profile.plugins.evaluation):
  required_coverage   what the test sets together must cover
  coverage_severity   severity of each missing coverage kind
  min_test_set_size   fewer cases than this in all test sets is a warning
  required_metrics    metric names that must be measured
  citations_with_retrieval  also require citation_accuracy when data enters a
                      retrieval store (data_handling.data_classes.retrieval)
  thresholds          map metric -> {min=} or {max=}
  threshold_severity  severity of a metric outside its threshold
  max_age             evidence older than this duration is stale
--]]

local time = require "aivet.time"
local util = require "aivet.util"

-- Globals and module functions as locals: in the sandbox each global is
-- looked up through two tables and each module field through a proxy.
local type, ipairs, pairs, tostring = type, ipairs, pairs, tostring
local sort = table.sort
local now, parse_date, parse_duration = time.now, time.parse_date, time.parse_duration
local or_empty, text, nonempty = util.or_empty, util.text, util.nonempty
local high_impact, memo, per_table = util.high_impact, util.memo, util.per_table

local NO_EVIDENCE = "evaluation.missing"
local NO_TEST_SET = "evaluation.test_set.missing"
local SMALL = "evaluation.test_set.small"
local COVERAGE = "evaluation.coverage.%s"
local RUBRIC = "evaluation.rubric.missing"
local METRIC_MISSING = "evaluation.metric.%s.missing"
local METRIC_THRESHOLD = "evaluation.metric.%s.threshold"
local WORKFLOW = "evaluation.workflow.untested"
local LEADERBOARD = "evaluation.leaderboard_only"
local STALE = "evaluation.stale"

local COVERAGE_TEXT = {
	realistic_tasks = "realistic tasks from the intended use",
	edge_cases = "edge cases",
	refusals = "cases the system must refuse",
	low_quality_inputs = "low-quality or malformed inputs",
	harmful_errors = "cases where a wrong answer would cause harm",
}

local function check_evidence(component, report)
	local ev = component.evaluation
	if type(ev) == "table" then
		return ev
	end
	report:finding{
		id = NO_EVIDENCE, severity = "review", evidence = "evaluation",
		message = "The team has no evaluation evidence of its own: nothing shows the component works for the intended task.",
		remedy = "Build a test set from real tasks (with edge cases, refusals, low-quality inputs and harmful-error cases), score it with a rubric and record the results under evaluation.",
	}
	return nil
end

local function check_test_sets(ev, settings, report)
	local sets = ev.test_sets
	if not nonempty(sets) then
		report:finding{
			id = NO_TEST_SET, severity = "review", evidence = "evaluation.test_sets",
			message = "No test set is recorded.",
			remedy = "Build a test set from realistic tasks and list it under evaluation.test_sets.",
		}
		return
	end
	local covered, total = {}, 0
	for _, s in ipairs(sets) do
		if type(s) == "table" then
			total = total + (type(s.size) == "number" and s.size or 0)
			for _, c in ipairs(or_empty(s.covers)) do
				covered[c] = true
			end
		end
	end
	if total < settings.min_test_set_size then
		report:finding{
			id = SMALL, severity = "warn", evidence = "evaluation.test_sets",
			message = "The test sets hold " .. total .. " cases in all; fewer than " .. settings.min_test_set_size .. " cannot show a reliable error rate.",
			remedy = "Grow the test set with more real cases, especially failure-prone ones.",
		}
	end
	for _, c in ipairs(settings.required_coverage) do
		if not covered[c] then
			report:finding{
				id = COVERAGE:format(c), severity = settings.coverage_severity, evidence = "evaluation.test_sets",
				message = "No test set covers " .. (COVERAGE_TEXT[c] or c) .. ".",
				remedy = "Add cases for " .. (COVERAGE_TEXT[c] or c) .. " and mark the test set with covers: [" .. c .. "].",
			}
		end
	end
end

local function check_rubric(ev, report)
	if text(ev.rubric) then
		return
	end
	report:finding{
		id = RUBRIC, severity = "warn", evidence = "evaluation.rubric",
		message = "No rubric says how answers are scored, so results cannot be repeated or compared.",
		remedy = "Write a scoring rubric (what counts as correct, complete, harmful) and reference it in evaluation.rubric.",
	}
end

-- The metrics this evaluation must have: the profile's list, and citation
-- accuracy when the system answers from retrieved sources.
local function required_metrics(component, settings)
	local out, seen = {}, {}
	for _, m in ipairs(settings.required_metrics) do
		if not seen[m] then
			out[#out + 1], seen[m] = m, true
		end
	end
	local dc = or_empty(or_empty(component.data_handling).data_classes)
	local retrieval = nonempty(dc.retrieval)
	if settings.citations_with_retrieval and retrieval and not seen.citation_accuracy then
		out[#out + 1] = "citation_accuracy"
	end
	return out
end

-- The finding of a missing metric depends only on its name: made once per
-- name.
local missing_metric_finding = memo(function(m)
	return {
		id = METRIC_MISSING:format(m), severity = "review", evidence = "evaluation.metrics." .. m,
		message = "The profile requires the metric '" .. m .. "' and it was not measured.",
		remedy = "Measure " .. m .. " on the test set and record it under evaluation.metrics.",
	}
end)

-- The sorted metric names of a thresholds setting, made once per settings
-- table.
local threshold_names = per_table(function(thresholds)
	local names = {}
	for m in pairs(thresholds) do
		names[#names + 1] = tostring(m)
	end
	sort(names)
	return names
end)

local function check_metrics(component, ev, settings, report)
	local metrics = or_empty(ev.metrics)
	for _, m in ipairs(required_metrics(component, settings)) do
		if type(metrics[m]) ~= "number" then
			report:finding(missing_metric_finding(m))
		end
	end
	local thresholds = or_empty(settings.thresholds)
	for _, m in ipairs(threshold_names(thresholds)) do
		local t, v = thresholds[m], metrics[m]
		if type(v) == "number" and type(t) == "table" then
			local low = type(t.min) == "number" and v < t.min
			local high = type(t.max) == "number" and v > t.max
			if low or high then
				report:finding{
					id = METRIC_THRESHOLD:format(m), severity = settings.threshold_severity, evidence = "evaluation.metrics." .. m,
					message = "The measured " .. m .. " is " .. v .. "; the profile requires " .. (low and ("at least " .. t.min) or ("at most " .. t.max)) .. ".",
					remedy = "Improve the system (prompting, retrieval, a better model, human review) until " .. m .. " meets the threshold, or narrow the use.",
				}
			end
		end
	end
end

local function check_workflow(component, ev, report)
	if not high_impact(component.use) or ev.workflow_tested == true then
		return
	end
	report:finding{
		id = WORKFLOW, severity = "review", evidence = "evaluation.workflow_tested",
		message = "The use is customer-facing or high-impact but only the model, not the whole workflow (retrieval, tools, hand-off to people), was tested.",
		remedy = "Test the end-to-end workflow on realistic cases and set evaluation.workflow_tested: true.",
	}
end

-- Published results (evaluation.results, as imported from a card's
-- model-index or a BOM) are the publisher's figures on public benchmarks.
local function published_only(ev)
	return nonempty(ev.results) and not nonempty(ev.test_sets)
end

local function check_leaderboard(ev, report)
	local published = published_only(ev)
	if ev.leaderboard_only ~= true and not published then
		return
	end
	report:finding{
		id = LEADERBOARD, severity = "review",
		evidence = published and "evaluation.results" or "evaluation.leaderboard_only",
		message = "The only evidence is generic leaderboard scores, which say little about this task, these users or this data.",
		remedy = "Evaluate on your own task with your own test set.",
	}
end

local function check_age(ev, settings, report)
	local when = type(ev.date) == "string" and parse_date(ev.date) or nil
	local max = type(settings.max_age) == "string" and parse_duration(settings.max_age) or nil
	if when == nil or max == nil or now() - when <= max then
		return
	end
	report:finding{
		id = STALE, severity = "warn", evidence = "evaluation.date",
		message = "The evaluation dates from " .. tostring(ev.date) .. ", older than " .. settings.max_age .. ": the component or its use may have changed since.",
		remedy = "Run the evaluation again on the current version and update evaluation.date.",
	}
end

return {
	name = "evaluation",
	area = "evaluation",
	version = "1.0.0",
	description = "Own evaluation evidence: realistic test sets, coverage, rubric, required metrics and thresholds, workflow tests.",
	applies_to = { "model", "weights", "system" },
	settings_schema = {
		required_coverage = { type = "list", default = { "realistic_tasks", "edge_cases", "refusals", "low_quality_inputs", "harmful_errors" } },
		coverage_severity = { type = "string", default = "warn", one_of = { "info", "warn", "review", "block" } },
		min_test_set_size = { type = "integer", default = 50, min = 0 },
		required_metrics = { type = "list", default = { "accuracy" } },
		citations_with_retrieval = { type = "boolean", default = true },
		thresholds = { type = "table", default = {} },
		threshold_severity = { type = "string", default = "review", one_of = { "info", "warn", "review", "block" } },
		max_age = { type = "string", default = "365d" },
	},
	evaluate = function(component, settings, report)
		local ev = check_evidence(component, report)
		if ev == nil then
			return
		end
		check_test_sets(ev, settings, report)
		check_rubric(ev, report)
		check_metrics(component, ev, settings, report)
		check_workflow(component, ev, report)
		check_leaderboard(ev, report)
		check_age(ev, settings, report)
	end,
}
