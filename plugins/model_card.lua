--[[
model_card: is the model documented well enough for serious use?

Checks that a model card exists; that it covers the sections the profile
requires (by default intended use, out-of-scope uses, limitations, known
risks, training data and evaluation results) and mentions the recommended ones
(safety testing, the languages, domains and user groups evaluated);
placeholders such as "[More Information Needed]" and near-empty sections count
as missing.  Missing items make the model less mature for serious use.  It
also compares the card's front matter license with the declared weights
license and notes a base model, whose card and license also apply.

Settings (profile.plugins.model_card):
  required_sections     canonical section names that must have content
  recommended_sections  canonical section names that should have content
  min_words             fewer words than this count as a thin section
  missing_severity      severity of a missing required section (review;
                        block under the regulated profile)
  recommended_severity  severity of a missing recommended section
  thin_severity         severity of a thin required section
--]]

local util = require "aivet.util"

-- Globals and module functions as locals: in the sandbox each global is
-- looked up through two tables and each module field through a proxy.
local type, ipairs, tostring, select = type, ipairs, tostring, select
local concat = table.concat
local or_empty, strings = util.or_empty, util.strings

local NO_CARD = "model_card.missing"
local SECTION_MISSING = "model_card.%s.missing"
local SECTION_THIN = "model_card.%s.thin"
local MATURITY = "model_card.maturity"
local LICENSE_MISMATCH = "model_card.metadata.license_mismatch"
local BASE_MODEL = "model_card.metadata.base_model"

local TITLES = {
	intended_use = "intended use", out_of_scope = "out-of-scope or prohibited uses",
	limitations = "limitations", risks = "known risks", training_data = "training data summary",
	training_procedure = "training procedure", evaluation = "evaluation results",
	environmental_impact = "environmental impact", safety_testing = "safety testing",
	languages = "languages evaluated", bias = "bias analysis", users = "user groups evaluated",
	domains = "domains evaluated",
}

local PLACEHOLDERS = { "%[more information needed%]", "^%s*todo", "^%s*tbd", "^%s*n/?a%s*$", "^%s*%-%s*$", "lorem ipsum" }

-- Returns present, has_content, words for one section in either the
-- normalised form ({present, content, words}) or the inline string form.
local function section_state(s)
	if type(s) == "table" then
		local words = type(s.words) == "number" and s.words or 0
		return s.present == true, s.content == true, words
	elseif type(s) == "string" then
		local lower = s:lower()
		for _, p in ipairs(PLACEHOLDERS) do
			if lower:find(p) then
				return true, false, 0
			end
		end
		local words = select(2, s:gsub("%S+", ""))
		return true, words > 0, words
	end
	return false, false, 0
end

local function has_card(mc)
	return type(mc) == "table" and (type(mc.sections) == "table" or type(mc.text) == "string"
		or type(mc.url) == "string" or type(mc.path) == "string")
end

local function check_card_exists(component, report)
	if has_card(component.model_card) then
		return true
	end
	report:finding{
		id = NO_CARD, severity = "review", evidence = "model_card",
		message = "No model card is given: nothing says what the model is for, how it was trained or evaluated, or where it fails.",
		remedy = "Set model_card.path to the model's README/model card, or write its sections under model_card.sections.",
	}
	return false
end

-- The finding of a missing section depends only on its name, whether it
-- is required, whether a placeholder is present and the severity: made once
-- (bounded: emptied when full), indexed [required][present][severity][name].
local missing_findings, nmissing_findings = {}, 0

local function subtable(t, k)
	local sub = t[k]
	if sub == nil then
		sub = {}
		t[k] = sub
	end
	return sub
end

local function missing_finding(name, required, present, severity)
	local by_name = subtable(subtable(subtable(missing_findings, required), present), severity)
	local f = by_name[name]
	if f == nil then
		local title = TITLES[name] or name
		f = {
			id = SECTION_MISSING:format(name), severity = severity, evidence = "model_card.sections." .. name,
			message = "The model card " .. (present and "has only a placeholder for" or "does not cover") .. " " .. title
				.. "; a " .. (required and "required" or "recommended") .. " part of the documentation for serious use.",
			remedy = "Find the " .. title .. " in the publisher's documentation or papers and add it to the card (model_card.sections."
				.. name .. "), or record why it is not needed in decisions.known_limits.",
		}
		if nmissing_findings >= 256 then
			missing_findings, nmissing_findings = {}, 0
		end
		by_name[name], nmissing_findings = f, nmissing_findings + 1
	end
	return f
end

local function check_section(sections, name, required, missing, settings, report)
	local present, content, words = section_state(sections[name])
	if not content then
		missing[#missing + 1] = TITLES[name] or name
		local severity = required and settings.missing_severity or settings.recommended_severity
		report:finding(missing_finding(name, required, present, severity))
	elseif required and words < settings.min_words then
		local title = TITLES[name] or name
		report:finding{
			id = SECTION_THIN:format(name), severity = settings.thin_severity, evidence = "model_card.sections." .. name,
			message = "The card's " .. title .. " section has only " .. words .. " words; too little to rely on.",
			remedy = "Expand the " .. title .. " section with the concrete facts the publisher released.",
		}
	end
end

local function check_sections(component, settings, report)
	-- Without sections (a card given only by URL) its content could not be
	-- read: every section is missing.
	local sections = or_empty(component.model_card.sections)
	local missing = {}
	for _, name in ipairs(settings.required_sections) do
		check_section(sections, name, true, missing, settings, report)
	end
	for _, name in ipairs(settings.recommended_sections) do
		check_section(sections, name, false, missing, settings, report)
	end
	return missing
end

local function check_maturity(missing, report)
	if #missing == 0 then
		return
	end
	report:finding{
		id = MATURITY, severity = "info", evidence = "model_card.sections",
		message = "The model is less mature for serious use: its card lacks " .. concat(missing, ", ") .. ".",
		remedy = "Prefer a better documented model, or close the gaps with your own evaluation and record them.",
	}
end

local function check_license_mismatch(component, report)
	local meta = component.model_card.metadata
	local lics = component.licenses
	if type(meta) ~= "table" or type(meta.license) ~= "string" or type(lics) ~= "table" then
		return
	end
	local w = lics.weights
	local id = type(w) == "table" and w.id or w
	if type(id) == "string" and id:lower() ~= meta.license:lower() then
		report:finding{
			id = LICENSE_MISMATCH, severity = "warn", evidence = "licenses.weights",
			message = "The card's front matter says license '" .. meta.license .. "' but the manifest declares '" .. id .. "' for the weights.",
			remedy = "Check which license the publisher really applies and make the manifest match it.",
		}
	end
end

local function check_base_model(component, report)
	local meta = component.model_card.metadata
	if type(meta) ~= "table" or meta.base_model == nil then
		return
	end
	local base = meta.base_model
	if type(base) == "table" then
		base = concat(strings(base), ", ")
	end
	report:finding{
		id = BASE_MODEL, severity = "info", evidence = "model_card.metadata.base_model",
		message = "This model is derived from " .. tostring(base) .. "; the base model's license, card and known risks also apply.",
		remedy = "Vet the base model too (its own manifest) and keep both verdicts together.",
	}
end

return {
	name = "model_card",
	area = "model_card",
	version = "1.0.0",
	description = "Model card present and covering use, limits, risks, data, evaluation and safety testing.",
	applies_to = { "model", "weights" },
	settings_schema = {
		required_sections = { type = "list", default = {
			"intended_use", "out_of_scope", "limitations", "risks", "training_data", "evaluation",
		} },
		recommended_sections = { type = "list", default = { "safety_testing", "languages", "domains", "users" } },
		min_words = { type = "integer", default = 8, min = 0 },
		missing_severity = { type = "string", default = "review", one_of = { "info", "warn", "review", "block" } },
		recommended_severity = { type = "string", default = "info", one_of = { "info", "warn", "review", "block" } },
		thin_severity = { type = "string", default = "warn", one_of = { "info", "warn", "review", "block" } },
	},
	evaluate = function(component, settings, report)
		if not check_card_exists(component, report) then
			return
		end
		local missing = check_sections(component, settings, report)
		check_maturity(missing, report)
		check_license_mismatch(component, report)
		check_base_model(component, report)
	end,
}
