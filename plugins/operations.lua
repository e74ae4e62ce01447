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

-- Globals as locals: in the sandbox each global is looked up through two tables.
local type, ipairs, setmetatable = type, ipairs, setmetatable
local byte = string.byte

local EMPTY = {}

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

-- A description counts when it has a non-space character.  Most start with
-- a printable ASCII one, which answers without a pattern match (a match
-- costs about a microsecond in the sandbox).
local function present(v)
	if v == true then
		return true
	elseif type(v) ~= "string" then
		return false
	end
	local b = byte(v, 1)
	if b ~= nil and b > 32 and b < 127 then
		return true
	end
	return v:match("%S") ~= nil
end

local function add_all(set, order, list)
	for _, c in ipairs(type(list) == "table" and list or EMPTY) do
		if not set[c] then
			set[c] = true
			order[#order + 1] = c
		end
	end
end

local function hosting_of(component)
	local use = type(component.use) == "table" and component.use or EMPTY
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
-- combinations is made once per settings table (settings are read-only and
-- live as long as their profile).  Callers only read it.
local controls_of = setmetatable({}, { __mode = "k" })

local function needed_controls(component, settings)
	local hosting, use = hosting_of(component)
	local hosted = hosting == "managed" or hosting == "api"
	local public = use.audience == "public" or settings.public
	local hsd = type(use.high_stakes_domains) == "table" and #use.high_stakes_domains > 0
	local high = use.customer_facing == true or use.impact == "high" or hsd
	local variant = (hosted and 1 or 0) + (public and 2 or 0) + (high and 4 or 0)
	local lists = controls_of[settings]
	if lists == nil then
		lists = {}
		controls_of[settings] = lists
	end
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
	local ops = type(component.operations) == "table" and component.operations or EMPTY
	for _, c in ipairs(needed_controls(component, settings)) do
		if not present(ops[c]) then
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
