-- Tests of plugins/operations.lua.

local ALL = {
	access_control = "SSO", logging = true, rate_limits = "10/min", abuse_prevention = "filters",
	patching = "monthly", backup = "nightly", incident_response = "runbook", update_procedure = "canary",
	monitoring = "dashboards", fallback = "human queue", human_review = "low confidence to staff",
}

local function system(use, ops)
	return { apiVersion = "aivet/v1", kind = "system", name = "acme-ops", version = "1.0", use = use, operations = ops }
end

local function without(name)
	local o = {}
	for k, v in pairs(ALL) do
		if k ~= name then
			o[k] = v
		end
	end
	return o
end

local function run(m, profile)
	return evaluate(m, { profile = profile or "default", plugins = { "operations" } })
end

function test_all_controls_approved()
	local use = { hosting = "self_hosted", audience = "public", customer_facing = true, impact = "high" }
	expect_decision(run(system(use, ALL)), "approved")
	expect_decision(run(system(use, ALL), "production"), "approved")
end

function test_hosting_undeclared_is_noted()
	expect_severity(run(system(nil, nil)), "operations.hosting.undeclared", "info")
end

function test_self_hosted_needs_each_control()
	local use = { hosting = "self_hosted" }
	for _, c in ipairs({ "access_control", "logging", "patching", "backup", "incident_response", "update_procedure", "monitoring" }) do
		expect_severity(run(system(use, without(c))), "operations." .. c .. ".missing", "review")
	end
end

function test_control_declared_false_is_missing()
	local o = without("backup")
	o.backup = false
	expect_finding(run(system({ hosting = "self_hosted" }, o)), "operations.backup.missing")
end

function test_managed_hosting_needs_fewer_controls()
	expect_no_finding(run(system({ hosting = "managed" }, without("patching"))), "operations.patching.missing")
	expect_finding(run(system({ hosting = "managed" }, without("monitoring"))), "operations.monitoring.missing")
end

function test_public_use_needs_rate_limits()
	expect_finding(run(system({ hosting = "self_hosted", audience = "public" }, without("rate_limits"))), "operations.rate_limits.missing")
	expect_no_finding(run(system({ hosting = "self_hosted", audience = "internal" }, without("rate_limits"))), "operations.rate_limits.missing")
	expect_finding(run(system({ hosting = "self_hosted", audience = "internal" }, without("rate_limits")), "production"), "operations.rate_limits.missing")
end

function test_high_impact_needs_human_review()
	expect_finding(run(system({ hosting = "api", impact = "high" }, without("human_review"))), "operations.human_review.missing")
	expect_no_finding(run(system({ hosting = "api", impact = "low" }, without("human_review"))), "operations.human_review.missing")
end

-- The controls a use needs are listed once per profile and kind of use:
-- evaluations of different uses in one state must not share a list.
function test_needed_controls_follow_each_use()
	local internal = { hosting = "api", audience = "internal" }
	local public = { hosting = "api", audience = "public" }
	expect_decision(run(system(internal, without("rate_limits"))), "approved")
	expect_severity(run(system(public, without("rate_limits"))), "operations.rate_limits.missing", "review")
	expect_decision(run(system(internal, without("rate_limits"))), "approved")
	expect_decision(run(system(internal, without("patching"))), "approved")
	local own = { hosting = "self_hosted", audience = "internal" }
	expect_severity(run(system(own, without("patching"))), "operations.patching.missing", "review")
end
