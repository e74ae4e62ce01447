--[[
privacy: is it defined which data goes where, who sees it and how long it is
kept?

For a system, or any component whose manifest describes its data handling:
checks that the data classes allowed into prompts, retrieval stores and logs
are defined; that sensitive classes are masked where not needed (never
unmasked in logs); that access to prompts, outputs and logs is limited to
named roles; that retention periods are set for test data, production
records, logs, embeddings and backups and are not longer than the profile
allows; and that outputs are reviewed for revealing source material.  Rules
are stricter (review instead of warn) when personal or regulated data is in
scope, and regulated data raises the risk tier to high.

Settings (profile.plugins.privacy):
  retention_kinds    record types that must have a retention period
  max_retention      map record type -> longest allowed duration ("365d")
  sensitive_classes  data class names that count as sensitive
  open_roles         role names that mean "everyone"
--]]

local time = require "aivet.time"
local util = require "aivet.util"

-- Globals and module functions as locals: in the sandbox each global is
-- looked up through two tables and each module field through a proxy.
local type, ipairs, tostring = type, ipairs, tostring
local concat = table.concat
local parse_duration = time.parse_duration
local or_empty, strings = util.or_empty, util.strings

local CLASSES_UNDEFINED = "privacy.data_classes.undefined"
local LOGS_SENSITIVE = "privacy.logs.sensitive_unmasked"
local MASKING_MISSING = "privacy.masking.missing"
local ACCESS_UNDEFINED = "privacy.access.undefined"
local ACCESS_OPEN = "privacy.access.unrestricted"
local RETENTION_MISSING = "privacy.retention.missing"
local RETENTION_LONG = "privacy.retention.too_long"
local RETENTION_INVALID = "privacy.retention.invalid"
local LEAKAGE = "privacy.output_leakage.unreviewed"
local REGULATED = "privacy.regulated_data"
local UNDECLARED = "privacy.data_handling.undeclared"

local CHANNELS = { "prompts", "retrieval", "logs" }
local READERS = { "prompts", "outputs", "logs" }

-- Whether list (of the manifest) holds value, compared as text without case.
local function contains(list, value)
	for _, v in ipairs(list) do
		if tostring(v):lower() == tostring(value):lower() then
			return true
		end
	end
	return false
end

-- The same for a settings list, whose set is made once.
local lowered = util.per_table(util.lower_set)

local function in_setting(list, value)
	return lowered(list)[tostring(value):lower()] == true
end

-- Personal or regulated data in scope makes missing controls a review.
local function strictness(dh)
	local regulated = strings(dh.regulated_data)
	local sensitive = dh.personal_data == true or #regulated > 0
	return sensitive and "review" or "warn", sensitive, regulated
end

local function check_declared(component, report)
	local dh = component.data_handling
	if type(dh) == "table" then
		return dh
	end
	if component.kind == "system" then
		report:finding{
			id = UNDECLARED, severity = "review", evidence = "data_handling",
			message = "The system does not describe how it handles data: what enters prompts, stores and logs, who sees it, how long it is kept.",
			remedy = "Fill in data_handling: data_classes, masking, access, retention and output_leakage_review.",
		}
	end
	return nil
end

local function check_regulated(dh, regulated, report)
	if #regulated == 0 then
		if dh.personal_data == true then
			report:risk("medium")
		end
		return
	end
	report:risk("high")
	report:finding{
		id = REGULATED, severity = "info", evidence = "data_handling.regulated_data",
		message = "Regulated data is in scope (" .. concat(regulated, ", ") .. "): the stricter privacy rules apply and the risk tier is high.",
		remedy = "Involve your data protection officer and document the legal basis and a data protection impact assessment.",
	}
end

local function check_data_classes(dh, sev, report)
	local dc = or_empty(dh.data_classes)
	local missing
	for _, ch in ipairs(CHANNELS) do
		if type(dc[ch]) ~= "table" then
			missing = missing or {}
			missing[#missing + 1] = ch
		end
	end
	if missing then
		report:finding{
			id = CLASSES_UNDEFINED, severity = sev, evidence = "data_handling.data_classes",
			message = "It is not defined which data classes may enter " .. concat(missing, ", ") .. ".",
			remedy = "List the allowed data classes per channel under data_handling.data_classes (an empty list means none).",
		}
	end
end

local function check_masking(dh, sev, sensitive, settings, report)
	local masking = or_empty(dh.masking)
	local logged = {}
	for _, c in ipairs(strings(or_empty(dh.data_classes).logs)) do
		if in_setting(settings.sensitive_classes, c) and not contains(or_empty(masking.fields), c) then
			logged[#logged + 1] = c
		end
	end
	if #logged > 0 and masking.enabled ~= true then
		report:finding{
			id = LOGS_SENSITIVE, severity = "review", evidence = "data_handling.data_classes.logs",
			message = "Sensitive data (" .. concat(logged, ", ") .. ") goes into logs without masking.",
			remedy = "Mask or drop these fields before logging, or keep them out of logs altogether.",
		}
	end
	if sensitive and masking.enabled ~= true then
		report:finding{
			id = MASKING_MISSING, severity = sev, evidence = "data_handling.masking",
			message = "Personal or regulated data is in scope but sensitive fields are not masked where they are not needed.",
			remedy = "Enable masking (data_handling.masking.enabled) and list the fields it covers.",
		}
	end
end

local function check_access(dh, sev, settings, report)
	local access = or_empty(dh.access)
	local missing, open = {}, {}
	for _, what in ipairs(READERS) do
		local roles = access[what]
		if type(roles) ~= "table" or #roles == 0 then
			missing[#missing + 1] = what
		else
			for _, r in ipairs(roles) do
				if in_setting(settings.open_roles, r) then
					open[#open + 1] = what
					break
				end
			end
		end
	end
	if #missing > 0 then
		report:finding{
			id = ACCESS_UNDEFINED, severity = sev, evidence = "data_handling.access",
			message = "Who may read " .. concat(missing, ", ") .. " is not defined.",
			remedy = "Name the roles allowed to read prompts, outputs and logs under data_handling.access.",
		}
	end
	if #open > 0 then
		report:finding{
			id = ACCESS_OPEN, severity = "review", evidence = "data_handling.access",
			message = "Everyone may read " .. concat(open, ", ") .. ": access is not limited.",
			remedy = "Limit access to the roles that need it (e.g. support-leads, sre).",
		}
	end
end

local function check_retention(dh, sev, settings, report)
	local ret = or_empty(dh.retention)
	local max_retention = type(settings.max_retention) == "table" and settings.max_retention or nil
	local missing = {}
	for _, kind in ipairs(settings.retention_kinds) do
		local v = ret[kind]
		if v == nil then
			missing[#missing + 1] = kind
		else
			local secs = parse_duration(tostring(v))
			local limit = max_retention and max_retention[kind] or nil
			local max = limit and parse_duration(tostring(limit)) or nil
			if secs == nil then
				report:finding{
					id = RETENTION_INVALID, severity = sev, evidence = "data_handling.retention." .. kind,
					message = "The retention period '" .. tostring(v) .. "' for " .. kind .. " is not a duration.",
					remedy = "Write the period as a duration such as 30d, 6mo or 1y.",
				}
			elseif max and secs > max then
				report:finding{
					id = RETENTION_LONG, severity = sev, evidence = "data_handling.retention." .. kind,
					message = kind .. " are kept for " .. tostring(v) .. ", longer than this profile allows (" .. tostring(limit) .. ").",
					remedy = "Shorten the retention of " .. kind .. " to at most " .. tostring(limit) .. ", or justify it in a review.",
				}
			end
		end
	end
	if #missing > 0 then
		report:finding{
			id = RETENTION_MISSING, severity = sev, evidence = "data_handling.retention",
			message = "No retention period is set for " .. concat(missing, ", ") .. ": data kept forever is a liability.",
			remedy = "Set a retention period for each record type under data_handling.retention.",
		}
	end
end

local function check_leakage(dh, sev, report)
	if dh.output_leakage_review == true then
		return
	end
	report:finding{
		id = LEAKAGE, severity = sev, evidence = "data_handling.output_leakage_review",
		message = "Nobody reviews outputs for revealing source material (training data, retrieved documents, other users' data).",
		remedy = "Test and sample outputs for leaked personal or confidential content and set output_leakage_review: true.",
	}
end

return {
	name = "privacy",
	area = "privacy",
	version = "1.0.0",
	description = "Data classes per channel, masking, access, retention and output leakage review.",
	settings_schema = {
		retention_kinds = { type = "list", default = { "test_data", "production_records", "logs", "embeddings", "backups" } },
		max_retention = { type = "table", default = {} },
		sensitive_classes = { type = "list", default = {
			"personal", "pii", "contact", "email", "phone", "address", "health", "financial", "payment",
			"credentials", "biometric", "children", "government_id", "location",
		} },
		open_roles = { type = "list", default = { "*", "all", "everyone", "public", "anyone" } },
	},
	evaluate = function(component, settings, report)
		local dh = check_declared(component, report)
		if dh == nil then
			return
		end
		local sev, sensitive, regulated = strictness(dh)
		check_regulated(dh, regulated, report)
		check_data_classes(dh, sev, report)
		check_masking(dh, sev, sensitive, settings, report)
		check_access(dh, sev, settings, report)
		check_retention(dh, sev, settings, report)
		check_leakage(dh, sev, report)
	end,
}
