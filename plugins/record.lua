--[[
record: is the decision to use the component written down so that the next
review can start from it?

Checks that an owner is named, that the decision itself is recorded, that the
assumptions it rests on and the known limits of the component are listed,
and that the recorded review date has not passed.

Settings (profile.plugins.record):
  owner_severity   severity when no owner is named
  detail_severity  severity of a missing decision, assumptions or known limits
--]]

local time = require "aivet.time"
local util = require "aivet.util"

-- Globals and module functions as locals: in the sandbox each global is
-- looked up through two tables and each module field through a proxy.
local type, tostring = type, tostring
local now, parse_date = time.now, time.parse_date
local or_empty, text, nonempty = util.or_empty, util.text, util.nonempty

local OWNER = "record.owner.missing"
local DECISION = "record.decision.missing"
local ASSUMPTIONS = "record.assumptions.missing"
local LIMITS = "record.known_limits.missing"
local OVERDUE = "record.review_by.passed"

local function check_owner(d, settings, report)
	if text(d.owner) then
		return
	end
	report:finding{
		id = OWNER, severity = settings.owner_severity, evidence = "decisions.owner",
		message = "No owner is named for the decision to use this component: nobody is answerable for it or for its reviews.",
		remedy = "Name the person or team who owns the decision in decisions.owner.",
	}
end

local function check_decision(d, settings, report)
	if text(d.decision) then
		return
	end
	report:finding{
		id = DECISION, severity = settings.detail_severity, evidence = "decisions.decision",
		message = "The decision and its scope are not written down.",
		remedy = "Record what was decided (use it for what, where, under which conditions) in decisions.decision.",
	}
end

local function check_assumptions(d, settings, report)
	if nonempty(d.assumptions) then
		return
	end
	report:finding{
		id = ASSUMPTIONS, severity = settings.detail_severity, evidence = "decisions.assumptions",
		message = "The assumptions behind the decision are not listed, so a review cannot tell whether they still hold.",
		remedy = "List the assumptions (expected load, data kept out, license reading, vendor behaviour) in decisions.assumptions.",
	}
end

local function check_limits(d, settings, report)
	if nonempty(d.known_limits) then
		return
	end
	report:finding{
		id = LIMITS, severity = settings.detail_severity, evidence = "decisions.known_limits",
		message = "The known limits of the component in this use are not listed.",
		remedy = "List what the component does badly or must not be used for in decisions.known_limits.",
	}
end

local function check_review_date(d, report)
	local when = type(d.review_by) == "string" and parse_date(d.review_by) or nil
	if when == nil or when >= now() then
		return
	end
	report:finding{
		id = OVERDUE, severity = "review", evidence = "decisions.review_by",
		message = "The recorded review date " .. tostring(d.review_by) .. " has passed.",
		remedy = "Review the decision again and set a new decisions.review_by date.",
	}
end

return {
	name = "record",
	area = "record",
	version = "1.0.0",
	description = "The decision record: owner, decision, assumptions, known limits, review date.",
	settings_schema = {
		owner_severity = { type = "string", default = "review", one_of = { "info", "warn", "review", "block" } },
		detail_severity = { type = "string", default = "warn", one_of = { "info", "warn", "review", "block" } },
	},
	evaluate = function(component, settings, report)
		local d = or_empty(component.decisions)
		check_owner(d, settings, report)
		check_decision(d, settings, report)
		check_assumptions(d, settings, report)
		check_limits(d, settings, report)
		check_review_date(d, report)
	end,
}
