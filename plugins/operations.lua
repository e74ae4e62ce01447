--[[
operations: can the team run the component safely day to day?

For self-hosted use: access control, logging, rate limits, abuse prevention,
patching, backup, incident response and a model update procedure; for every
hosted use: monitoring; for public-facing use additionally rate limits, abuse
prevention and a fallback plan; for customer-facing or high-impact use a
fallback plan and human review of uncertain outputs.  A control counts as
present when it is true or a non-empty description.  Components whose hosting
is not declared are not assessed (an info finding says so).

Settings (profile.plugins.operations):
  self_hosted_controls  controls needed when use.hosting is self_hosted
  hosted_controls       controls needed for managed or API hosting
  public_controls       added when use.audience is public
  high_impact_controls  added when customer-facing or impact high
  missing_severity      severity of a missing control
  public                treat every use as public-facing (production)
--]]

local util = require "aivet.util"

-- Globals and module functions as locals: in the sandbox each global is
-- looked up through two tables and each module field through a proxy.
local type, ipairs = type, ipairs
local or_empty, text, high_impact, per_table = util.or_empty, util.text, util.high_impact, util.per_table

local NOT_ASSESSED = "operations.hosting.undeclared"
local MISSING = "operations.%s.missing"

local TEXT = {
	access_control = "access control", logging = "logging", rate_limits = "rate limits",
	abuse_prevention = "abuse prevention", patching = "a patching process", backup = "backups",
	incident_response = "an incident response plan", update_procedure = "a model update procedure",
	monitoring = "monitoring", fallback = "a fallback plan", human_review = "human review of uncertain outputs",
}

local REMEDY = {
	access_control = "Put the model endpoint behind authentication and authorise per role.",
	logging = "Log requests, decisions and errors (within the privacy rules) so incidents can be traced.",
	rate_limits = "Limit requests per user and per key to contain abuse and cost.",
	abuse_prevention = "Filter inputs and outputs and detect misuse (prompt injection, scraping, harmful requests).",
	patching = "Assign who patches the serving stack and the model runtime, and how often.",
	backup = "Back up configuration, prompts, retrieval stores and fine-tuned weights, and test restores.",
	incident_response = "Write down who is called and what is switched off when the model misbehaves.",
	update_procedure = "Describe how a new model version is evaluated, rolled out and rolled back.",
	monitoring = "Monitor quality, latency, errors and cost, with alerts to an owner.",
	fallback = "Define what happens when the model is down or unsure: a simpler path or a human.",
	human_review = "Route low-confidence or high-impact outputs to a person before they take effect.",
}

local function add_all(set, order, list)
	for _, c in ipairs(or_empty(list)) do
		if not set[c] then
			set[c] = true
			order[#order + 1] = c
		end
	end
end

local function hosting_of(component)
	local use = or_empty(component.use)
	return use.hosting, use
end

local function check_declared(component, report)
	local hosting = hosting_of(component)
	if hosting ~= nil or type(component.operations) == "table" then
		return true
	end
	report:finding{
		id = NOT_ASSESSED, severity = "info", evidence = "use.hosting",
		message = "How the component will be hosted is not declared, so its operational controls were not assessed.",
		remedy = "Set use.hosting (self_hosted, managed or api) and describe the controls under operations.",
	}
	return false
end

-- The controls a use needs depend only on the settings and on three facts
-- of the use (hosted, public, high impact): the list for each of the eight
-- combinations is made once per settings table.  Callers only read it.
local variants_of = per_table(function()
	return {}
end)

local function needed_controls(component, settings)
	local hosting, use = hosting_of(component)
	local hosted = hosting == "managed" or hosting == "api"
	local public = use.audience == "public" or settings.public
	local high = high_impact(use)
	local variant = (hosted and 1 or 0) + (public and 2 or 0) + (high and 4 or 0)
	local lists = variants_of(settings)
	local order = lists[variant]
	if order == nil then
		local set = {}
		order = {}
		if hosted then
			add_all(set, order, settings.hosted_controls)
		else
			add_all(set, order, settings.self_hosted_controls)
		end
		if public then
			add_all(set, order, settings.public_controls)
		end
		if high then
			add_all(set, order, settings.high_impact_controls)
		end
		lists[variant] = order
	end
	return order
end

local function check_controls(component, settings, report)
	local ops = or_empty(component.operations)
	for _, c in ipairs(needed_controls(component, settings)) do
		-- A control is present when it is true or a description.
		local v = ops[c]
		if v ~= true and not text(v) then
			report:finding{
				id = MISSING:format(c), severity = settings.missing_severity, evidence = "operations." .. c,
				message = "This use needs " .. (TEXT[c] or c) .. ", and " .. (ops[c] == false and "the manifest declares it absent." or "none is described."),
				remedy = (REMEDY[c] or "Put the control in place.") .. " Then describe it under operations." .. c .. ".",
			}
		end
	end
end

return {
	name = "operations",
	area = "operations",
	version = "1.0.0",
	description = "Operational controls for the hosting, audience and impact of the use.",
	settings_schema = {
		self_hosted_controls = { type = "list", default = {
			"access_control", "logging", "patching", "backup", "incident_response", "update_procedure", "monitoring",
		} },
		hosted_controls = { type = "list", default = { "access_control", "logging", "monitoring", "incident_response" } },
		public_controls = { type = "list", default = { "rate_limits", "abuse_prevention", "fallback" } },
		high_impact_controls = { type = "list", default = { "fallback", "human_review", "monitoring" } },
		missing_severity = { type = "string", default = "review", one_of = { "info", "warn", "review", "block" } },
		public = { type = "boolean", default = false },
	},
	evaluate = function(component, settings, report)
		if check_declared(component, report) then
			check_controls(component, settings, report)
		end
	end,
}
