--[[
supply_chain: is exactly this component what the team will run, and is it
safe to load?

Checks that the source revision and every dependency version are pinned
(exact versions, commit shas, digests); that every artifact has a sha256 and
that the inspected file matches it; that weights are not in a format that can
execute code on load (pickle-based .bin/.pt/.pth/.pkl/.ckpt, joblib, Keras
Lambda layers), preferring safetensors, GGUF or ONNX; what the artifact
inspector found inside pickle streams (dangerous imports block under every
profile); code that downloads files at runtime or needs remote code; known
vulnerabilities at or above the profile's threshold; unmaintained
dependencies; separated test and production credentials; and secrets in
example notebooks or configs.

Settings (profile.plugins.supply_chain):
  require_revision      a hub source must name its commit or digest
  unpinned_severity     severity of an unpinned revision or dependency
  unhashed_severity     severity of an artifact without sha256
  unsafe_formats        formats that can execute code on load
  unsafe_format_severity severity when only unsafe formats are shipped
  vuln_threshold        lowest vulnerability severity that needs action
  vuln_severity         severity of a vulnerability at/above the threshold
  max_release_age       a dependency without a release for longer than this
                        (a duration) counts as unmaintained
  remote_code_severity  severity when remote code must be trusted
  downloads_severity    severity of downloads at runtime
  unsafe_code_severity  severity when shipped code runs programs, evaluates
                        strings or loads pickles (runtime.unsafe_calls)

A dependency's `pinned` (set by aivet scan from the file that declares it)
wins over reading its version: a lock file's entry is pinned whatever its
version looks like.
--]]

local version = require "aivet.version"
local time = require "aivet.time"
local util = require "aivet.util"

-- Globals and module functions as locals: in the sandbox each global is
-- looked up through two tables and each module field through a proxy.
local type, ipairs, tostring = type, ipairs, tostring
local concat = table.concat
local is_pinned = version.is_pinned
local now, parse_date, parse_duration = time.now, time.parse_date, time.parse_duration
local or_empty, strings = util.or_empty, util.strings

local REVISION_UNPINNED = "supply_chain.revision.unpinned"
local DEP_UNPINNED = "supply_chain.dependency.unpinned"
local NO_SHA256 = "supply_chain.artifact.no_sha256"
local SHA_MISMATCH = "supply_chain.artifact.sha256_mismatch"
local UNSAFE_FORMAT = "supply_chain.artifact.unsafe_format"
local FORMAT_MISMATCH = "supply_chain.artifact.format_mismatch"
local DANGEROUS_GLOBAL = "supply_chain.artifact.dangerous_global"
local SUSPICIOUS_GLOBAL = "supply_chain.artifact.suspicious_global"
local INSPECT_ERROR = "supply_chain.artifact.inspect_error"
local REMOTE_CODE = "supply_chain.runtime.remote_code"
local DOWNLOADS = "supply_chain.runtime.downloads"
local VULNERABLE = "supply_chain.dependency.vulnerable"
local VULN_LOW = "supply_chain.dependency.vulnerable_low"
local UNMAINTAINED = "supply_chain.dependency.unmaintained"
local CREDENTIALS = "supply_chain.credentials.not_separated"
local SECRETS = "supply_chain.secrets.in_examples"
local UNSAFE_CODE = "supply_chain.runtime.unsafe_code"

local VULN_RANK = { low = 1, medium = 2, high = 3, critical = 4 }
local UNSAFE_EXT = { bin = "pickle", pt = "pytorch", pth = "pytorch", pkl = "pickle", pickle = "pickle",
	ckpt = "pickle", joblib = "joblib", npy = "numpy", h5 = "keras", keras = "keras" }
local SAFE = { safetensors = true, gguf = true, onnx = true }
-- The artifact inspector names what it finds by content; these are the
-- manifest formats each finding is consistent with.  "zip" and "unknown"
-- say too little to contradict a declaration.
local INSPECTED_AS = {
	["pytorch-zip"] = "pytorch", pickle = "pickle", keras = "keras", hdf5 = "h5", npy = "numpy",
	safetensors = "safetensors", gguf = "gguf", onnx = "onnx",
}
local COMPATIBLE = {
	pytorch = { pytorch = true, pickle = true }, pickle = { pickle = true },
	joblib = { pickle = true }, keras = { keras = true, h5 = true }, h5 = { h5 = true, keras = true },
	tensorflow = { h5 = true, keras = true }, numpy = { numpy = true },
}

-- The formats of a settings list as a set, made once per list.
local format_set = util.per_table(util.set)

-- The inspected format in manifest terms, or nil when the content did not
-- tell (no inspection, "zip", "unknown").
local function inspected_format(a)
	local ins = or_empty(a.inspected)
	return type(ins.format) == "string" and INSPECTED_AS[ins.format] or nil
end

-- Whether the content contradicts the declared format.
local function contradicts(declared, found)
	if declared == nil or found == nil or declared == "other" then
		return false
	end
	local ok = COMPATIBLE[declared]
	if ok then
		return not ok[found]
	end
	return declared ~= found
end

local function artifact_format(a)
	local found = inspected_format(a)
	if found == "pickle" and a.format == "joblib" then
		return "joblib"
	elseif found then
		return found
	elseif type(a.format) == "string" then
		return a.format
	elseif type(a.path) == "string" then
		local ext = a.path:match("%.([%w]+)$")
		if ext then
			ext = ext:lower()
			if SAFE[ext] then
				return ext
			end
			return UNSAFE_EXT[ext] or "other"
		end
	end
	return "other"
end

local function check_revision(component, settings, report)
	local src = component.source
	if not settings.require_revision or type(src) ~= "table" then
		return
	end
	local rev = src.revision
	local pinned = type(rev) == "string" and (rev:match("^%x+$") and #rev >= 40 or rev:match("^sha256:%x+$"))
	if not pinned and (src.hub == "huggingface" or src.hub == "github" or type(src.url) == "string") then
		report:finding{
			id = REVISION_UNPINNED, severity = settings.unpinned_severity, evidence = "source.revision",
			message = (rev and ("The source revision '" .. tostring(rev) .. "' is a moving name")
				or "No source revision is given") .. ": the files behind this verdict can change without notice.",
			remedy = "Set source.revision to the full commit sha (or digest) of the files you vetted, and download exactly that revision.",
		}
	end
end

local function check_dependency_pins(component, settings, report)
	for i, d in ipairs(or_empty(component.dependencies)) do
		local pinned = type(d) == "table" and d.pinned
		if type(pinned) ~= "boolean" and type(d) == "table" then
			pinned = is_pinned(d.version)
		end
		if type(d) == "table" and not pinned then
			report:finding{
				id = DEP_UNPINNED, severity = settings.unpinned_severity, evidence = "dependencies." .. (i - 1) .. ".version",
				message = "The dependency '" .. tostring(d.name) .. "' is not pinned (" .. tostring(d.version or "no version")
					.. "): a new release could change behaviour or bring in a compromised package.",
				remedy = "Pin an exact version (==X.Y.Z) or commit, ideally with hashes in a lock file.",
			}
		end
	end
end

local function check_artifact_hashes(component, settings, report)
	for i, a in ipairs(or_empty(component.artifacts)) do
		if type(a) == "table" then
			local sha = a.sha256
			if type(sha) ~= "string" or #sha ~= 64 or not sha:match("^%x+$") then
				report:finding{
					id = NO_SHA256, severity = settings.unhashed_severity, evidence = "artifacts." .. (i - 1) .. ".sha256",
					message = "The artifact '" .. tostring(a.path or a.url) .. "' has no sha256, so nobody can prove the file used is the one vetted.",
					remedy = "Record the sha256 of the file (sha256sum, or the hub's LFS pointer) in artifacts[].sha256.",
				}
			end
			local ins = a.inspected
			if type(ins) == "table" and ins.sha256_match == false then
				report:finding{
					id = SHA_MISMATCH, severity = "block", evidence = "artifacts." .. (i - 1) .. ".inspected.sha256",
					message = "The file '" .. tostring(a.path) .. "' on disk does not match its declared sha256: it is not the vetted file.",
					remedy = "Download the vetted revision again and verify it, or vet the new file and update the sha256.",
				}
			end
		end
	end
end

local function check_formats(component, settings, report)
	local arts = or_empty(component.artifacts)
	local has_safe, formats = false, {}
	for i, a in ipairs(arts) do
		if type(a) == "table" then
			formats[i] = artifact_format(a)
			if SAFE[formats[i]] then
				has_safe = true
			end
		end
	end
	for i, a in ipairs(arts) do
		if type(a) == "table" then
			local fmt = formats[i]
			local found = inspected_format(a)
			if type(a.format) == "string" and contradicts(a.format, found) then
				report:finding{
					id = FORMAT_MISMATCH, severity = "review", evidence = "artifacts." .. (i - 1) .. ".inspected.format",
					message = "The file '" .. tostring(a.path) .. "' is declared as " .. a.format .. " but its content is " .. tostring(a.inspected.format) .. ".",
					remedy = "Correct the declared format; a file that is not what it claims to be must be vetted again.",
				}
			end
			if format_set(settings.unsafe_formats)[fmt] then
				report:finding{
					id = UNSAFE_FORMAT, severity = has_safe and "warn" or settings.unsafe_format_severity, evidence = "artifacts." .. (i - 1) .. ".format",
					message = "The artifact '" .. tostring(a.path or a.url) .. "' is in the " .. fmt
						.. " format, which can execute arbitrary code when loaded"
						.. (fmt == "keras" and " (Lambda layers)" or " (pickle)")
						.. (has_safe and "; a safe format is also shipped." or "; no safe format is shipped."),
					remedy = has_safe and "Load only the safetensors/GGUF/ONNX files and do not download the pickle-based ones."
						or "Use a safetensors, GGUF or ONNX release, or convert the weights in an isolated sandbox and vet the result.",
				}
			end
		end
	end
end

local function check_globals(component, report)
	for i, a in ipairs(or_empty(component.artifacts)) do
		local ins = type(a) == "table" and a.inspected or nil
		if type(ins) == "table" then
			local ev = "artifacts." .. (i - 1) .. ".inspected"
			local bad, odd = {}, {}
			for _, g in ipairs(or_empty(ins.globals)) do
				if type(g) == "table" then
					local name = tostring(g.module) .. "." .. tostring(g.name)
					if g.rating == "dangerous" then
						bad[#bad + 1] = name
					elseif g.rating == "suspicious" then
						odd[#odd + 1] = name
					end
				end
			end
			if #bad > 0 then
				report:risk("high")
				report:finding{
					id = DANGEROUS_GLOBAL, severity = "block", evidence = ev .. ".globals",
					message = "The pickle stream in '" .. tostring(a.path) .. "' imports " .. concat(bad, ", ")
						.. ": loading it would run code that can take over the machine.",
					remedy = "Do not load this file. Report it to the publisher and use a safetensors release from a trusted revision.",
				}
			end
			if #odd > 0 then
				report:finding{
					id = SUSPICIOUS_GLOBAL, severity = "review", evidence = ev .. ".globals",
					message = "The pickle stream in '" .. tostring(a.path) .. "' imports " .. concat(odd, ", ")
						.. ", which ordinary weights do not need.",
					remedy = "Have a security reviewer look at the imports before anyone loads the file, or use a safetensors release.",
				}
			end
			if type(ins.error) == "string" and ins.error ~= "" then
				report:finding{
					id = INSPECT_ERROR, severity = "warn", evidence = ev .. ".error",
					message = "The artifact inspector could not finish on '" .. tostring(a.path) .. "': " .. ins.error .. ".",
					remedy = "Check that the file is complete and of the declared format, then inspect it again.",
				}
			end
		end
	end
end

local function check_runtime(component, settings, report)
	local rt = component.runtime
	if type(rt) ~= "table" then
		return
	end
	if rt.remote_code == true then
		report:risk("medium")
		report:finding{
			id = REMOTE_CODE, severity = settings.remote_code_severity, evidence = "runtime.remote_code",
			message = "Loading the component needs remote code (trust_remote_code): code from the hub runs with the application's rights.",
			remedy = "Pin the revision, review the remote code, or vendor it into your own repository and disable remote code.",
		}
	end
	if rt.downloads_at_runtime == true then
		local names = strings(rt.downloads)
		local what = #names > 0 and (" (" .. concat(names, ", ") .. ")") or ""
		report:finding{
			id = DOWNLOADS, severity = settings.downloads_severity, evidence = "runtime.downloads_at_runtime",
			message = "The component downloads files at runtime" .. what .. ": what runs is not what was vetted.",
			remedy = "Download the files at build time, pin them by hash, and disable runtime downloads (e.g. HF_HUB_OFFLINE=1).",
		}
	end
	if rt.credentials_separated == false then
		report:finding{
			id = CREDENTIALS, severity = "review", evidence = "runtime.credentials_separated",
			message = "Test and production credentials are not kept apart: a leaked test key opens production.",
			remedy = "Issue separate credentials per environment and keep production secrets in a secret store.",
		}
	end
	if rt.secrets_in_examples == true then
		local places = {}
		for _, s in ipairs(or_empty(rt.secrets)) do
			if type(s) == "table" and #places < 5 then
				places[#places + 1] = tostring(s.path) .. ":" .. tostring(s.line) .. " (" .. tostring(s.kind) .. ")"
			end
		end
		report:finding{
			id = SECRETS, severity = "block", evidence = "runtime.secrets_in_examples",
			message = "Secrets were found in example notebooks or configs"
				.. (#places > 0 and (": " .. concat(places, ", ")) or "") .. ".",
			remedy = "Revoke the exposed secrets, remove them from the files and the history, and load secrets from the environment.",
		}
	end
end

local UNSAFE_WHAT = {
	exec = "runs strings as code", eval = "evaluates strings as code", subprocess = "starts programs",
	pickle_load = "loads pickles", torch_load = "loads pickles (torch.load without weights_only=True)",
}

local function check_unsafe_code(component, settings, report)
	local rt = component.runtime
	local calls = or_empty(type(rt) == "table" and rt.unsafe_calls)
	local places = {}
	for _, c in ipairs(calls) do
		if type(c) == "table" and #places < 5 then
			places[#places + 1] = tostring(c.path) .. ":" .. tostring(c.line) .. " " .. tostring(c.call)
				.. " (" .. (UNSAFE_WHAT[c.kind] or tostring(c.kind)) .. ")"
		end
	end
	if #places > 0 then
		report:finding{
			id = UNSAFE_CODE, severity = settings.unsafe_code_severity, evidence = "runtime.unsafe_calls",
			message = "Code shipped with the component runs programs, evaluates strings or loads pickles: "
				.. concat(places, ", ") .. (#calls > #places and (" and " .. (#calls - #places) .. " more") or "") .. ".",
			remedy = "Read each call before running the code; load weights with weights_only=True or from safetensors, and remove exec/eval and process calls from code that loads the model.",
		}
	end
end

local function check_vulnerabilities(component, settings, report)
	local threshold = VULN_RANK[settings.vuln_threshold] or VULN_RANK.high
	for i, d in ipairs(or_empty(component.dependencies)) do
		for j, v in ipairs(or_empty(type(d) == "table" and d.vulnerabilities)) do
			if type(v) == "table" then
				local rank = VULN_RANK[v.severity] or VULN_RANK.critical
				local fix = v.fixed_in and (" Fixed in " .. tostring(v.fixed_in) .. ".") or " No fixed version is known."
				local above = rank >= threshold
				report:finding{
					id = above and VULNERABLE or VULN_LOW, severity = above and settings.vuln_severity or "info",
					evidence = "dependencies." .. (i - 1) .. ".vulnerabilities." .. (j - 1),
					message = "The dependency '" .. tostring(d.name) .. "' " .. tostring(d.version or "") .. " has the "
						.. (v.severity and (tostring(v.severity) .. " vulnerability " .. tostring(v.id))
							or ("vulnerability " .. tostring(v.id) .. " of unknown severity (taken as critical)"))
						.. (v.summary and (": " .. tostring(v.summary)) or "") .. "." .. fix,
					remedy = v.fixed_in and ("Upgrade " .. tostring(d.name) .. " to " .. tostring(v.fixed_in) .. " or later.")
						or "Replace the dependency or document a mitigation and accept the risk in a review.",
				}
			end
		end
	end
end

local function check_maintenance(component, settings, report)
	local max_age = type(settings.max_release_age) == "string" and parse_duration(settings.max_release_age) or nil
	local t = now()
	for i, d in ipairs(or_empty(component.dependencies)) do
		if type(d) == "table" then
			local released = type(d.last_release) == "string" and parse_date(d.last_release) or nil
			local stale = max_age and released and t - released > max_age
			if d.maintained == false or stale then
				report:finding{
					id = UNMAINTAINED, severity = "warn", evidence = "dependencies." .. (i - 1),
					message = "The dependency '" .. tostring(d.name) .. "' looks unmaintained"
						.. (stale and (" (last release " .. tostring(d.last_release) .. ")") or "") .. ": security fixes may never come.",
					remedy = "Prefer a maintained alternative, or plan to patch and vendor it yourselves.",
				}
			end
		end
	end
end

return {
	name = "supply_chain",
	area = "supply_chain",
	version = "1.0.0",
	description = "Pinned revisions and versions, hashes, safe weight formats, pickle imports, runtime downloads, vulnerabilities, secrets.",
	settings_schema = {
		require_revision = { type = "boolean", default = true },
		unpinned_severity = { type = "string", default = "warn", one_of = { "info", "warn", "review", "block" } },
		unhashed_severity = { type = "string", default = "warn", one_of = { "info", "warn", "review", "block" } },
		unsafe_formats = { type = "list", default = { "pickle", "pytorch", "keras", "joblib" } },
		unsafe_format_severity = { type = "string", default = "review", one_of = { "info", "warn", "review", "block" } },
		vuln_threshold = { type = "string", default = "high", one_of = { "low", "medium", "high", "critical" } },
		vuln_severity = { type = "string", default = "review", one_of = { "info", "warn", "review", "block" } },
		max_release_age = { type = "string", default = "730d" },
		remote_code_severity = { type = "string", default = "review", one_of = { "info", "warn", "review", "block" } },
		downloads_severity = { type = "string", default = "warn", one_of = { "info", "warn", "review", "block" } },
		unsafe_code_severity = { type = "string", default = "review", one_of = { "info", "warn", "review", "block" } },
	},
	evaluate = function(component, settings, report)
		check_revision(component, settings, report)
		check_dependency_pins(component, settings, report)
		check_artifact_hashes(component, settings, report)
		check_formats(component, settings, report)
		check_globals(component, report)
		check_runtime(component, settings, report)
		check_unsafe_code(component, settings, report)
		check_vulnerabilities(component, settings, report)
		check_maintenance(component, settings, report)
	end,
}
