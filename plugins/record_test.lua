-- Tests of plugins/record.lua.

local function system(d)
	return { apiVersion = "aivet/v1", kind = "system", name = "acme-record", version = "1.0", decisions = d }
end

local function good()
	return { owner = "platform team", decision = "Use for internal search.", date = "2026-01-10",
		assumptions = { "No personal data in the index." }, known_limits = { "English only." } }
end

local function run(m, profile)
	return evaluate(m, { profile = profile or "default", plugins = { "record" } })
end

function test_complete_record_is_approved()
	expect_decision(run(system(good())), "approved")
end

function test_owner_missing_needs_review()
	local d = good()
	d.owner = nil
	expect_severity(run(system(d)), "record.owner.missing", "review")
	expect_severity(run(system(d), "research"), "record.owner.missing", "warn")
end

function test_decision_missing()
	local d = good()
	d.decision = ""
	expect_severity(run(system(d)), "record.decision.missing", "warn")
	expect_severity(run(system(d), "regulated"), "record.decision.missing", "review")
end

function test_assumptions_missing()
	local d = good()
	d.assumptions = {}
	expect_finding(run(system(d)), "record.assumptions.missing")
end

function test_known_limits_missing()
	local d = good()
	d.known_limits = nil
	expect_finding(run(system(d)), "record.known_limits.missing")
end

function test_review_date_passed()
	local d = good()
	d.review_by = "2020-01-01"
	expect_severity(run(system(d)), "record.review_by.passed", "review")
	d.review_by = "2999-01-01"
	expect_no_finding(run(system(d)), "record.review_by.passed")
end
