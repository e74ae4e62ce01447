-- Tests of plugins/fit.lua.

local function team()
	return { ml_expertise = "medium", infra_capacity = "high", security_review = true, support_needed = false,
		compliance_needs = "standard", compliance_expertise = false, on_call = true }
end

local function system(t, use)
	return { apiVersion = "aivet/v1", kind = "system", name = "acme-fit", version = "1.0",
		use = use or { hosting = "self_hosted", customer_facing = true, impact = "low" }, team = t }
end

local function run(m, profile)
	return evaluate(m, { profile = profile or "default", plugins = { "fit" } })
end

function test_capable_team_is_approved()
	expect_decision(run(system(team())), "approved")
end

function test_team_undeclared_warns()
	expect_severity(run(system(nil)), "fit.team.undeclared", "warn")
end

function test_low_ml_expertise_for_self_hosting()
	local t = team()
	t.ml_expertise = "low"
	local v = run(system(t))
	expect_severity(v, "fit.ml_expertise.insufficient", "review")
	expect_no_finding(run(system(t, { hosting = "managed" })), "fit.ml_expertise.insufficient")
end

function test_low_infra_capacity_suggests_managed_service()
	local t = team()
	t.infra_capacity = "none"
	local v = run(system(t))
	expect_finding(v, "fit.infra_capacity.insufficient")
	local found = false
	for _, f in ipairs(v.findings) do
		if f.id == "fit.infra_capacity.insufficient" and f.message:find("managed service", 1, true) then
			found = true
		end
	end
	assert(found, "message should suggest a managed service")
end

function test_no_security_review()
	local t = team()
	t.security_review = false
	expect_severity(run(system(t)), "fit.security_review.missing", "warn")
	expect_severity(run(system(t), "production"), "fit.security_review.missing", "review")
end

function test_support_needed_from_open_source()
	local t = team()
	t.support_needed = true
	expect_finding(run(system(t)), "fit.support.unavailable")
end

function test_strict_compliance_without_expertise()
	local t = team()
	t.compliance_needs = "strict"
	expect_severity(run(system(t)), "fit.compliance.no_expertise", "review")
	expect_severity(run(system(t), "regulated"), "fit.compliance.no_expertise", "block")
	t.compliance_expertise = true
	expect_no_finding(run(system(t)), "fit.compliance.no_expertise")
end

function test_customer_facing_without_on_call()
	local t = team()
	t.on_call = false
	expect_finding(run(system(t)), "fit.on_call.missing")
	expect_no_finding(run(system(t, { hosting = "self_hosted", customer_facing = false })), "fit.on_call.missing")
end

function test_high_stakes_domain_sets_high_risk()
	local v = run(system(team(), { hosting = "managed", high_stakes_domains = { "employment" } }))
	expect_finding(v, "fit.use.high_stakes")
	assert(v.risk == "high", "risk " .. tostring(v.risk))
	assert(run(system(team(), { hosting = "self_hosted", impact = "low" })).risk == "low")
end
