--[[
fit: can this team realistically evaluate, deploy, monitor and maintain the
component for this use?

Checks that the team is described; that self-hosting is matched by ML
expertise and infrastructure capacity; that someone can do a security review;
that a need for guaranteed support is not left to an open-source component
without a support contract; that strict compliance needs are met by in-house
expertise; and that customer-facing use has someone on call.  Where the fit
is poor the finding says that a managed service or a narrower workflow may be
more realistic.  It also sets the risk tier from the declared impact and
high-stakes domains.

Settings (profile.plugins.fit):
  min_ml_expertise      lowest acceptable team.ml_expertise for self-hosting
  min_infra_capacity    lowest acceptable team.infra_capacity for self-hosting
  security_review_severity  severity when nobody can do a security review
  compliance_severity   severity of strict compliance without expertise
  undeclared_severity   severity when the team is not described
--]]

local util = require "aivet.util"

-- Globals and module functions as locals: in the sandbox each global is
-- looked up through two tables and each module field through a proxy.
local type, tostring = type, tostring
local concat = table.concat
local or_empty, nonempty, strings = util.or_empty, util.nonempty, util.strings

local UNDECLARED = "fit.team.undeclared"
local ML = "fit.ml_expertise.insufficient"
local INFRA = "fit.infra_capacity.insufficient"
local SECURITY = "fit.security_review.missing"
local SUPPORT = "fit.support.unavailable"
local COMPLIANCE = "fit.compliance.no_expertise"
local ON_CALL = "fit.on_call.missing"
local HIGH_STAKES = "fit.use.high_stakes"

local LEVEL = { none = 0, low = 1, medium = 2, high = 3 }
local MANAGED = " A managed service, or a narrower workflow the team can support, may be more realistic."

local function risk_from_use(component, report)
	local use = or_empty(component.use)
	if use.impact == "medium" or use.impact == "high" then
		report:risk(use.impact)
	end
	local hsd = use.high_stakes_domains
	if nonempty(hsd) then
		report:risk("high")
		report:finding{
			id = HIGH_STAKES, severity = "info", evidence = "use.high_stakes_domains",
			message = "The use touches high-stakes domains (" .. concat(strings(hsd), ", ") .. "): the risk tier is high and reviews come sooner.",
			remedy = "Evaluate under the regulated profile and check the sector's own rules (e.g. the EU AI Act's high-risk obligations).",
		}
	end
end

local function check_team(component, settings, report)
	if type(component.team) == "table" then
		return component.team
	end
	report:finding{
		id = UNDECLARED, severity = settings.undeclared_severity, evidence = "team",
		message = "Nothing says whether the team can evaluate, run and maintain this component.",
		remedy = "Describe the team's ML expertise, infrastructure capacity, security review, support and compliance needs under team.",
	}
	return nil
end

local function self_hosted(component)
	return or_empty(component.use).hosting == "self_hosted"
end

local function check_expertise(component, team, settings, report)
	if not self_hosted(component) then
		return
	end
	local ml, want = LEVEL[team.ml_expertise], LEVEL[settings.min_ml_expertise] or 2
	if ml ~= nil and ml < want then
		report:finding{
			id = ML, severity = "review", evidence = "team.ml_expertise",
			message = "The team's ML expertise is " .. tostring(team.ml_expertise) .. ", too little to evaluate and tune a self-hosted model." .. MANAGED,
			remedy = "Bring in ML expertise, or use a managed model service with documented behaviour.",
		}
	end
	local infra, want_infra = LEVEL[team.infra_capacity], LEVEL[settings.min_infra_capacity] or 2
	if infra ~= nil and infra < want_infra then
		report:finding{
			id = INFRA, severity = "review", evidence = "team.infra_capacity",
			message = "The team's infrastructure capacity is " .. tostring(team.infra_capacity) .. ", too little to run, patch and scale model serving." .. MANAGED,
			remedy = "Secure infrastructure support (GPU capacity, on-call, patching) or use a managed service.",
		}
	end
end

local function check_security_review(team, settings, report)
	if team.security_review == true then
		return
	end
	report:finding{
		id = SECURITY, severity = settings.security_review_severity, evidence = "team.security_review",
		message = "Nobody is available to review the component's security (weights, code, dependencies, deployment).",
		remedy = "Book a security review with your security team or an external reviewer before production use.",
	}
end

local function check_support(team, report)
	if team.support_needed ~= true then
		return
	end
	report:finding{
		id = SUPPORT, severity = "review", evidence = "team.support_needed",
		message = "The team needs guaranteed support, but an open-source component comes with none." .. MANAGED,
		remedy = "Buy a support contract from a vendor that supports this component, or use a managed service with an SLA.",
	}
end

local function check_compliance(team, settings, report)
	if team.compliance_needs ~= "strict" or team.compliance_expertise == true then
		return
	end
	report:finding{
		id = COMPLIANCE, severity = settings.compliance_severity, evidence = "team.compliance_expertise",
		message = "The use has strict compliance needs but the team has no in-house compliance expertise." .. MANAGED,
		remedy = "Involve compliance and legal experts before deciding, or choose a provider that carries the compliance obligations.",
	}
end

local function check_on_call(component, team, report)
	if or_empty(component.use).customer_facing ~= true or team.on_call == true then
		return
	end
	report:finding{
		id = ON_CALL, severity = "warn", evidence = "team.on_call",
		message = "The use is customer-facing but nobody is on call when it fails.",
		remedy = "Set up an on-call rota, or make the fallback plan cover out-of-hours failures.",
	}
end

return {
	name = "fit",
	area = "fit",
	version = "1.0.0",
	description = "The team's capacity to evaluate, run, secure, support and keep compliant the component for this use.",
	settings_schema = {
		min_ml_expertise = { type = "string", default = "medium", one_of = { "none", "low", "medium", "high" } },
		min_infra_capacity = { type = "string", default = "medium", one_of = { "none", "low", "medium", "high" } },
		security_review_severity = { type = "string", default = "warn", one_of = { "info", "warn", "review", "block" } },
		compliance_severity = { type = "string", default = "review", one_of = { "info", "warn", "review", "block" } },
		undeclared_severity = { type = "string", default = "warn", one_of = { "info", "warn", "review", "block" } },
	},
	evaluate = function(component, settings, report)
		risk_from_use(component, report)
		local team = check_team(component, settings, report)
		if team == nil then
			return
		end
		check_expertise(component, team, settings, report)
		check_security_review(team, settings, report)
		check_support(team, report)
		check_compliance(team, settings, report)
		check_on_call(component, team, report)
	end,
}
