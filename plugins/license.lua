--[[
license: may the team use this component the way it intends to, under the
licenses of every part of it?

Checks that each item the component's kind needs (code, weights, data, docs)
declares a license; that each license expression parses and each id is known
to the license knowledge base; which items differ; that the intended use
(commercial, distribution, public hosting) is allowed by every item and every
dependency; and lists the conditions the team must meet (attribution, notices,
acceptable-use pass-through, user thresholds, naming).  It says so when the
weights' license is not open source in the OSI sense: downloadable is not open
source.

Settings (profile.plugins.license):
  required_items      per kind, the items that must declare a license
  commercial          "manifest" (use.commercial decides), "always" (the
                      profile's context is commercial) or "never"
  assume_commercial   when use.commercial is absent and commercial is
                      "manifest", assume commercial use (fail closed)
  deny                license ids the organisation never accepts
  allow_categories    categories accepted without review for weights and data
                      (empty: every category the other checks let through)
  check_dependencies  also check each dependency's license
  list_conditions     report each condition the team must meet as a finding
  file_mismatch_severity      severity when a license text found in the
                              repository (licenses.files, from aivet scan) is
                              not a declared license
  unidentified_file_severity  severity when a license file matches no known
                              license text

The license texts found in the repository are facts, not declarations: when
one is not among the declared licenses, the finding names both, and the
found license is judged for the intended use as well (a declared Apache-2.0
whose LICENSE is a non-commercial text blocks commercial use).
--]]

local licenses = require "aivet.licenses"
local spdx = require "aivet.spdx"
local util = require "aivet.util"

-- Globals and module functions as locals: in the sandbox each global is
-- looked up through two tables and each module field through a proxy.
local type, ipairs, tostring = type, ipairs, tostring
local concat, sort = table.concat, table.sort
local lookup, is_open_source = licenses.lookup, licenses.is_open_source
local EMPTY, or_empty, memo, per_table = util.EMPTY, util.or_empty, util.memo, util.per_table

local MISSING = "license.%s.missing"
local PARSE_ERROR = "license.%s.parse_error"
local UNKNOWN = "license.%s.unknown"
local UNCLASSIFIED = "license.%s.unclassified"
local DEPRECATED = "license.%s.deprecated"
local DENIED = "license.%s.denied"
local NONCOMMERCIAL = "license.%s.noncommercial"
local CONDITIONAL = "license.%s.commercial_conditional"
local CATEGORY = "license.%s.category"
local COPYLEFT_DISTRIBUTION = "license.%s.copyleft_distribution"
local NETWORK_COPYLEFT = "license.%s.network_copyleft"
local NOT_OPEN_SOURCE = "license.%s.not_open_source"
local CONDITION = "license.%s.condition.%s"
local USER_THRESHOLD = "license.%s.user_threshold_exceeded"
local ITEMS_DIFFER = "license.items.differ"
local FILE_MISMATCH = "license.files.mismatch"
local FILE_UNIDENTIFIED = "license.files.unidentified"
local USE_UNDECLARED = "license.use.undeclared"

local ITEMS = { "code", "weights", "data", "docs" }
local EVIDENCE = { code = "licenses.code", weights = "licenses.weights", data = "licenses.data", docs = "licenses.docs" }

local CONDITION_TEXT = {
	attribution = { "give credit to the licensor", "keep the copyright and attribution notices in what you ship" },
	notice = { "keep the license and NOTICE files", "ship the license text and any NOTICE file with the component" },
	["share-alike"] = { "share derivatives under the same license", "license your modifications and derived works under the same terms" },
	["use-restrictions"] = { "pass the use restrictions on to users", "make the acceptable-use policy part of your own terms of use and enforce it" },
	["user-threshold"] = { "obtain a separate license above a user threshold", "track monthly active users and request a license before the threshold" },
	naming = { "follow the naming and attribution rules", "name derived models and display the required attribution as the license says" },
	["no-commercial"] = { "not use it commercially", "keep the use non-commercial or obtain a commercial license" },
	["source-disclosure"] = { "publish the source of modifications when distributing", "make the corresponding source available to recipients" },
	["network-disclosure"] = { "offer the source to users over a network", "offer the source code to every user who interacts with it over the network" },
}

-- The remedy of each condition, capitalised once at load time.
for _, text in pairs(CONDITION_TEXT) do
	text[3] = text[2]:sub(1, 1):upper() .. text[2]:sub(2) .. "."
end

local function is_commercial(component, settings)
	if settings.commercial == "always" then
		return true
	elseif settings.commercial == "never" then
		return false
	end
	local use = component.use
	if type(use) == "table" and type(use.commercial) == "boolean" then
		return use.commercial
	end
	return settings.assume_commercial
end

-- The license expression of an item.  Hugging Face cards write custom
-- licenses as `license: other` with the real id in `license_name`; when that
-- name is known to the knowledge base it is the better answer.
local function expression_of(lic)
	if type(lic) == "string" then
		return lic
	elseif type(lic) == "table" and type(lic.id) == "string" then
		if #lic.id == 5 and lic.id:lower() == "other" and type(lic.name) == "string" and lookup(lic.name) then
			return lic.name
		end
		return lic.id
	end
	return nil
end

-- Whether a settings list names value, without case; each list's set is
-- made once.
local lowered = per_table(util.lower_set)

local function in_list(list, value)
	return type(value) == "string" and lowered(list)[value:lower()] == true
end

local function check_use_declared(component, settings, report)
	local use = component.use
	if settings.commercial == "manifest" and (type(use) ~= "table" or use.commercial == nil) then
		report:finding{
			id = USE_UNDECLARED, severity = "info", evidence = "use.commercial",
			message = "The manifest does not say whether the use is commercial; the license checks assume "
				.. (settings.assume_commercial and "commercial" or "non-commercial") .. " use.",
			remedy = "Set use.commercial (and use.distribution, use.audience) so the license checks match the real use.",
		}
	end
end

local function check_required(component, settings, report)
	local kind = component.kind
	local needed = type(settings.required_items) == "table" and settings.required_items[kind] or nil
	if type(needed) ~= "table" then
		return
	end
	local lics = or_empty(component.licenses)
	for _, item in ipairs(needed) do
		if expression_of(lics[item]) == nil then
			report:finding{
				id = MISSING:format(item), severity = "review", evidence = "licenses." .. item,
				message = "No license is declared for the " .. item .. " of this " .. tostring(kind)
					.. "; without one the team has no right to use or share it.",
				remedy = "Find the license in the source repository or model card and set licenses." .. item
					.. " to its SPDX id or Hugging Face license id.",
			}
		end
	end
end

-- What resolve needs of an expression (whether it parses, whether its top is
-- an OR, its ids, the parse error), kept per expression text: the same few
-- expressions come back in every evaluation.
local parse_expr = memo(function(expr)
	local tree, err = spdx.parse(expr)
	local p = { ok = tree ~= nil, is_or = tree ~= nil and tree.type == "or", err = err }
	if tree then
		p.ids = spdx.ids(expr)
	end
	return p
end, 512)

local RANK = { ["yes"] = 1, ["conditional"] = 2, ["no"] = 3 }

local function more_permissive(a, b)
	return (RANK[a.commercial] or 3) < (RANK[b.commercial] or 3)
end

-- Returns the knowledge-base entries of one license expression, or nil when
-- the expression is not usable (a finding has been reported).  When every id
-- resolved without a finding, the entries are kept with the parsed
-- expression: callers only read them.
local function resolve(expr, item, evidence, report)
	local p = parse_expr(expr)
	if p.entries then
		return p.entries
	end
	local tree, err = p.ok, p.err
	local ids
	if tree then
		ids = p.ids
	elseif not expr:find("[%s()]") then
		-- Hugging Face ids such as "openrail++" are not SPDX syntax but are
		-- single known ids.
		ids = { expr }
	else
		report:finding{
			id = PARSE_ERROR:format(item), severity = "review", evidence = evidence,
			message = "The license expression '" .. expr .. "' does not parse: " .. tostring(err) .. ".",
			remedy = "Write an SPDX license expression (e.g. 'Apache-2.0', 'MIT OR Apache-2.0') or one Hugging Face license id.",
		}
		return nil
	end
	local entries, clean = {}, true
	for _, id in ipairs(ids) do
		local e = lookup(id)
		if e == nil then
			clean = false
			report:finding{
				id = UNKNOWN:format(item), severity = "review", evidence = evidence,
				message = "The license '" .. id .. "' is not in the license knowledge base, so its terms are unknown to the policy.",
				remedy = "Use the SPDX id of the license, or add an entry for it to your organisation's license data file after legal review.",
			}
		elseif e.category == "unknown" then
			clean = false
			report:finding{
				id = UNCLASSIFIED:format(item), severity = "review", evidence = evidence,
				message = "The license '" .. id .. "' (" .. tostring(e.name) .. ") does not say what it allows; someone must read the actual terms.",
				remedy = "Read the license text linked from the component, then declare its real id or classify it in your license data file.",
			}
		else
			entries[#entries + 1] = e
			if e.deprecated then
				clean = false
				report:finding{
					id = DEPRECATED:format(item), severity = "info", evidence = evidence,
					message = "'" .. id .. "' is a deprecated SPDX id; it is ambiguous about '-only' or '-or-later'.",
					remedy = "Use the current SPDX id (for example GPL-2.0-only or GPL-2.0-or-later).",
				}
			end
		end
	end
	-- An OR expression lets the team choose: keep only the most permissive branch.
	if p.is_or and #entries > 1 then
		sort(entries, more_permissive)
		entries = { entries[1] }
	end
	if clean then
		p.entries = entries
	end
	return entries
end

local function check_denied(entries, item, evidence, settings, report)
	for _, e in ipairs(entries) do
		if in_list(settings.deny, e.id) then
			report:finding{
				id = DENIED:format(item), severity = "block", evidence = evidence,
				message = "'" .. e.id .. "' is on the organisation's list of licenses it does not accept.",
				remedy = "Pick another component, or ask the license owners to change the deny list.",
			}
		end
	end
end

local function check_commercial(entries, item, evidence, commercial, report)
	if not commercial then
		return
	end
	for _, e in ipairs(entries) do
		if e.commercial == "no" then
			report:finding{
				id = NONCOMMERCIAL:format(item), severity = "block", evidence = evidence,
				message = "The " .. item .. " are under '" .. e.id .. "' (" .. tostring(e.category)
					.. "), which forbids commercial use, and the intended use is commercial.",
				remedy = "Choose a component licensed for commercial use, obtain a commercial license, or evaluate under a non-commercial profile if the use really is non-commercial.",
			}
		elseif e.commercial == "conditional" then
			report:finding{
				id = CONDITIONAL:format(item), severity = "review", evidence = evidence,
				message = "The " .. item .. " are under '" .. e.id .. "', which allows commercial use only on conditions ("
					.. concat(e.conditions or EMPTY, ", ") .. ")" .. (e.note and (": " .. e.note) or "."),
				remedy = "Have the license terms reviewed for this use and record the conditions the team accepts in decisions.assumptions.",
			}
		end
	end
end

local function check_category(entries, item, evidence, settings, report)
	if item ~= "weights" and item ~= "data" then
		return
	end
	local allow = settings.allow_categories
	if type(allow) ~= "table" or #allow == 0 then
		return
	end
	for _, e in ipairs(entries) do
		if not in_list(allow, e.category) then
			report:finding{
				id = CATEGORY:format(item), severity = "review", evidence = evidence,
				message = "The " .. item .. " license '" .. e.id .. "' is in category '" .. tostring(e.category)
					.. "', which this profile does not accept without review.",
				remedy = "Have the license reviewed, or choose a component whose license is " .. concat(allow, ", ") .. ".",
			}
		end
	end
end

local function check_copyleft(entries, item, evidence, use, report)
	local distributes = type(use) == "table" and use.distribution == true
	local public = type(use) == "table" and use.audience == "public"
	for _, e in ipairs(entries) do
		if distributes and (e.category == "strong-copyleft" or e.category == "network-copyleft" or e.category == "share-alike") then
			report:finding{
				id = COPYLEFT_DISTRIBUTION:format(item), severity = "review", evidence = evidence,
				message = "The " .. item .. " are under the copyleft license '" .. e.id
					.. "' and the team redistributes them: derived works must be shared under the same terms.",
				remedy = "Confirm with legal review that the distributed product may be released under '" .. e.id .. "', or do not redistribute.",
			}
		elseif public and e.category == "network-copyleft" then
			report:finding{
				id = NETWORK_COPYLEFT:format(item), severity = "review", evidence = evidence,
				message = "The " .. item .. " are under the network copyleft license '" .. e.id
					.. "' and the service is public: every user must be offered the source of the modified version.",
				remedy = "Publish the source of the service as the license requires, or replace the component.",
			}
		end
	end
end

local function check_open_source(entries, item, evidence, report)
	if item ~= "weights" then
		return
	end
	for _, e in ipairs(entries) do
		if not is_open_source(e.id) then
			report:finding{
				id = NOT_OPEN_SOURCE:format(item), severity = "info", evidence = evidence,
				message = "The weights are downloadable but not open source: '" .. e.id
					.. "' is not an OSI-approved license" .. (e.category == "use-restricted" and ", and it restricts how they may be used." or "."),
				remedy = "Treat the weights as licensed software with terms to follow, not as open source; prefer OSI-licensed weights where that matters.",
			}
		end
	end
end

-- The finding of condition c of entry e for an item depends on nothing else:
-- made once per entry, item and condition (bounded: emptied when full).
local condition_findings, ncondition_findings = {}, 0

local function condition_finding(e, item, evidence, c, text)
	local per_entry = condition_findings[e]
	if per_entry == nil then
		if ncondition_findings >= 256 then
			condition_findings, ncondition_findings = {}, 0
		end
		per_entry = {}
		condition_findings[e], ncondition_findings = per_entry, ncondition_findings + 1
	end
	local per_item = per_entry[item]
	if per_item == nil then
		per_item = {}
		per_entry[item] = per_item
	end
	local f = per_item[c]
	if f == nil then
		local extra = ""
		if c == "naming" and e.naming then
			extra = " (\"" .. e.naming .. "\")"
		elseif c == "user-threshold" and e.user_threshold then
			extra = " (" .. e.user_threshold .. " monthly active users)"
		end
		f = {
			id = CONDITION:format(item, c), severity = c == "use-restrictions" and "warn" or "info", evidence = evidence,
			message = "Under '" .. e.id .. "' the team must " .. text[1] .. extra .. ".",
			remedy = text[3],
		}
		per_item[c] = f
	end
	return f
end

local function check_conditions(entries, item, evidence, use, settings, report)
	for _, e in ipairs(entries) do
		for _, c in ipairs(e.conditions or EMPTY) do
			local text = CONDITION_TEXT[c]
			if c == "user-threshold" and type(use.users) == "number" and type(e.user_threshold) == "number"
				and use.users >= e.user_threshold then
				report:finding{
					id = USER_THRESHOLD:format(item), severity = "block", evidence = "use.users",
					message = "'" .. e.id .. "' needs a separate license from the licensor above " .. e.user_threshold
						.. " monthly active users; the expected use is " .. use.users .. ".",
					remedy = "Obtain the licensor's separate license before launch, or choose another component.",
				}
			elseif text and settings.list_conditions and c ~= "no-commercial" then
				report:finding(condition_finding(e, item, evidence, c, text))
			end
		end
	end
end

local function check_items_differ(component, report)
	local lics = component.licenses
	if type(lics) ~= "table" then
		return
	end
	local parts, first = {}, nil
	local differ = false
	for _, item in ipairs(ITEMS) do
		local expr = expression_of(lics[item])
		if expr then
			parts[#parts + 1] = item .. "=" .. expr
			if first == nil then
				first = expr:lower()
			elseif first ~= expr:lower() then
				differ = true
			end
		end
	end
	if differ then
		report:finding{
			id = ITEMS_DIFFER, severity = "info", evidence = "licenses",
			message = "The items of this component are under different licenses (" .. concat(parts, ", ")
				.. "); each applies to its own part.",
			remedy = "Check each item's terms separately; the most restrictive one governs the product that combines them.",
		}
	end
end

local function check_item(component, settings, report, lic, item, evidence, commercial, use)
	local expr = expression_of(lic)
	if expr == nil then
		return
	end
	local entries = resolve(expr, item, evidence, report)
	if entries == nil then
		return
	end
	check_denied(entries, item, evidence, settings, report)
	check_commercial(entries, item, evidence, commercial, report)
	check_category(entries, item, evidence, settings, report)
	check_copyleft(entries, item, evidence, component.use, report)
	check_open_source(entries, item, evidence, report)
	check_conditions(entries, item, evidence, use, settings, report)
end

-- "dependencies.<i-1>.license", made once per index.
local dependency_evidence = memo(function(i)
	return "dependencies." .. (i - 1) .. ".license"
end)

local function check_dependencies(component, settings, report, commercial)
	if not settings.check_dependencies or type(component.dependencies) ~= "table" then
		return
	end
	local use = component.use
	for i, dep in ipairs(component.dependencies) do
		local evidence = dependency_evidence(i)
		local expr = type(dep) == "table" and expression_of(dep.license)
		if type(dep) == "table" and expr == nil then
			report:finding{
				id = MISSING:format("dependency"), severity = "warn", evidence = evidence,
				message = "The dependency '" .. tostring(dep.name) .. "' declares no license.",
				remedy = "Look up the dependency's license in its package metadata and record it.",
			}
		elseif type(dep) == "table" then
			local entries = resolve(expr, "dependency", evidence, report)
			if entries then
				check_denied(entries, "dependency", evidence, settings, report)
				check_commercial(entries, "dependency", evidence, commercial, report)
				check_copyleft(entries, "dependency", evidence, use, report)
			end
		end
	end
end

-- The knowledge-base ids (lower case) of every license the items declare.
local function declared_ids(lics)
	local ids, any = {}, false
	for _, item in ipairs(ITEMS) do
		local expr = expression_of(lics[item])
		if expr then
			local p = parse_expr(expr)
			for _, id in ipairs(p.ok and p.ids or { expr }) do
				local e = lookup(id)
				ids[(e and e.id or id):lower()] = true
				any = true
			end
		end
	end
	return ids, any
end

local function declared_text(lics)
	local parts = {}
	for _, item in ipairs(ITEMS) do
		local expr = expression_of(lics[item])
		if expr then
			parts[#parts + 1] = expr .. " (" .. item .. ")"
		end
	end
	return concat(parts, ", ")
end

-- License texts found in the repository (licenses.files) against what is
-- declared: a text that is not a declared license is a mismatch naming
-- both, and the text's own terms are judged for the use.
local function check_files(component, settings, report, commercial)
	local lics = type(component.licenses) == "table" and component.licenses or EMPTY
	local files = type(lics.files) == "table" and lics.files or EMPTY
	local declared, any
	for i, f in ipairs(files) do
		local ev = "licenses.files." .. (i - 1)
		if type(f) == "table" and type(f.id) == "string" then
			if declared == nil then
				declared, any = declared_ids(lics)
			end
			local e = lookup(f.id)
			local key = (e and e.id or f.id):lower()
			if not declared[key] then
				if any then
					report:finding{
						id = FILE_MISMATCH, severity = settings.file_mismatch_severity, evidence = ev .. ".id",
						message = "The file '" .. tostring(f.path) .. "' holds the " .. f.id .. " license"
							.. (type(f.score) == "number" and (" (similarity " .. tostring(f.score) .. ")") or "")
							.. ", but the component declares " .. declared_text(lics) .. ".",
						remedy = "Find out which license really applies (ask the publisher), then declare it, or vet the component under the terms of the file.",
					}
				end
				if e then
					check_commercial({ e }, "files", ev .. ".id", commercial, report)
				end
			end
		elseif type(f) == "table" then
			report:finding{
				id = FILE_UNIDENTIFIED, severity = settings.unidentified_file_severity, evidence = ev,
				message = "The file '" .. tostring(f.path) .. "' matches no known license text"
					.. (type(f.closest) == "string" and (" (the closest is " .. f.closest .. ", similarity " .. tostring(f.score) .. ")") or "")
					.. ": its terms may differ from the declared license.",
				remedy = "Read the file and record its terms; if it is a known license with changes, treat the changes as part of the terms.",
			}
		end
	end
end

return {
	name = "license",
	area = "license",
	version = "1.0.0",
	description = "Licenses of every item and dependency: declared, known, compatible with the intended use; conditions to meet.",
	settings_schema = {
		required_items = { type = "table", default = {
			model = { "weights" }, weights = { "weights" }, dataset = { "data" },
			code = { "code" }, tooling = { "code" }, system = {},
		} },
		commercial = { type = "string", default = "manifest", one_of = { "manifest", "always", "never" } },
		assume_commercial = { type = "boolean", default = true },
		deny = { type = "list", default = {} },
		allow_categories = { type = "list", default = {} },
		check_dependencies = { type = "boolean", default = true },
		list_conditions = { type = "boolean", default = true },
		file_mismatch_severity = { type = "string", default = "review", one_of = { "info", "warn", "review", "block" } },
		unidentified_file_severity = { type = "string", default = "warn", one_of = { "info", "warn", "review", "block" } },
	},
	evaluate = function(component, settings, report)
		local commercial = is_commercial(component, settings)
		check_use_declared(component, settings, report)
		check_required(component, settings, report)
		local lics = or_empty(component.licenses)
		local use = or_empty(component.use)
		for _, item in ipairs(ITEMS) do
			check_item(component, settings, report, lics[item], item, EVIDENCE[item], commercial, use)
		end
		check_items_differ(component, report)
		check_dependencies(component, settings, report, commercial)
		check_files(component, settings, report, commercial)
	end,
}
