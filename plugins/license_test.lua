-- Tests of plugins/license.lua: each check with a passing and a failing case.

local function model(licenses, use, extra)
	local m = {
		apiVersion = "aivet/v1", kind = "model", name = "acme/test-model", version = "1.0",
		use = use or { commercial = true, audience = "internal" },
		licenses = licenses,
	}
	for k, v in pairs(extra or {}) do
		m[k] = v
	end
	return m
end

local function run(m, profile)
	return evaluate(m, { profile = profile or "default", plugins = { "license" } })
end

function test_weights_license_declared_passes()
	local v = run(model({ weights = "Apache-2.0" }))
	expect_no_finding(v, "license.weights.missing")
	expect_decision(v, "approved")
end

function test_weights_license_missing_needs_review()
	local v = run(model({ code = "MIT" }))
	expect_severity(v, "license.weights.missing", "review")
	expect_decision(v, "needs_review")
end

function test_dataset_needs_data_license()
	local m = model({ data = "CC-BY-4.0" })
	m.kind = "dataset"
	expect_no_finding(run(m), "license.data.missing")
	m.licenses = {}
	expect_finding(run(m), "license.data.missing")
end

function test_expression_parses()
	expect_no_finding(run(model({ weights = "MIT OR Apache-2.0" })), "license.weights.parse_error")
end

function test_bad_expression_is_reported()
	local v = run(model({ weights = "MIT AND (Apache-2.0" }))
	expect_severity(v, "license.weights.parse_error", "review")
end

function test_known_id_passes()
	expect_no_finding(run(model({ weights = "mit" })), "license.weights.unknown")
end

function test_unknown_id_needs_review()
	local v = run(model({ weights = "Acme-Model-License-9" }))
	expect_severity(v, "license.weights.unknown", "review")
end

function test_other_without_known_name_is_unclassified()
	local v = run(model({ weights = { id = "other", name = "Some Custom Terms" } }))
	expect_finding(v, "license.weights.unclassified")
end

function test_other_with_known_name_uses_the_name()
	local v = run(model({ weights = { id = "other", name = "llama3" } }))
	expect_no_finding(v, "license.weights.unclassified")
	expect_finding(v, "license.weights.commercial_conditional")
end

function test_noncommercial_weights_blocked_for_commercial_use()
	local v = run(model({ weights = "cc-by-nc-4.0" }))
	expect_severity(v, "license.weights.noncommercial", "block")
	expect_decision(v, "rejected")
end

function test_noncommercial_weights_allowed_for_noncommercial_use()
	local v = run(model({ weights = "cc-by-nc-4.0" }, { commercial = false }))
	expect_no_finding(v, "license.weights.noncommercial")
end

function test_undeclared_use_assumed_commercial_by_default()
	local v = run(model({ weights = "cc-by-nc-4.0" }, {}))
	expect_finding(v, "license.use.undeclared")
	expect_finding(v, "license.weights.noncommercial")
end

function test_research_profile_assumes_noncommercial()
	local v = run(model({ weights = "cc-by-nc-4.0" }, {}), "research")
	expect_no_finding(v, "license.weights.noncommercial")
end

function test_production_profile_is_always_commercial()
	local v = run(model({ weights = "cc-by-nc-4.0" }, { commercial = false }), "production")
	expect_finding(v, "license.weights.noncommercial")
end

function test_or_expression_takes_the_most_permissive_branch()
	local v = run(model({ weights = "CC-BY-NC-4.0 OR MIT" }))
	expect_no_finding(v, "license.weights.noncommercial")
end

function test_conditional_commercial_needs_review()
	expect_severity(run(model({ weights = "llama3" })), "license.weights.commercial_conditional", "review")
	expect_no_finding(run(model({ weights = "MIT" })), "license.weights.commercial_conditional")
end

function test_weights_not_open_source_called_out()
	local v = run(model({ weights = "creativeml-openrail-m" }))
	expect_severity(v, "license.weights.not_open_source", "info")
	expect_no_finding(run(model({ weights = "Apache-2.0" })), "license.weights.not_open_source")
end

function test_production_warns_on_not_open_source()
	local v = run(model({ weights = "gemma" }), "production")
	expect_severity(v, "license.weights.not_open_source", "warn")
end

function test_conditions_listed()
	local v = run(model({ weights = "llama3" }))
	expect_finding(v, "license.weights.condition.naming")
	expect_finding(v, "license.weights.condition.user-threshold")
	expect_severity(v, "license.weights.condition.use-restrictions", "warn")
	expect_no_finding(run(model({ weights = "CC0-1.0" })), "license.weights.condition.attribution")
end

function test_user_threshold_exceeded_blocks()
	local v = run(model({ weights = "llama3.1" }, { commercial = true, users = 800000000 }))
	expect_severity(v, "license.weights.user_threshold_exceeded", "block")
	v = run(model({ weights = "llama3.1" }, { commercial = true, users = 1000 }))
	expect_no_finding(v, "license.weights.user_threshold_exceeded")
end

function test_items_that_differ_are_called_out()
	expect_finding(run(model({ weights = "Apache-2.0", code = "MIT" })), "license.items.differ")
	expect_no_finding(run(model({ weights = "MIT", code = "MIT" })), "license.items.differ")
end

function test_copyleft_distribution_needs_review()
	local use = { commercial = true, distribution = true }
	expect_finding(run(model({ weights = "Apache-2.0", code = "GPL-3.0-only" }, use)), "license.code.copyleft_distribution")
	expect_no_finding(run(model({ weights = "Apache-2.0", code = "LGPL-2.1-only" }, use)), "license.code.copyleft_distribution")
end

function test_network_copyleft_public_service_needs_review()
	local use = { commercial = true, audience = "public" }
	expect_finding(run(model({ weights = "MIT", code = "AGPL-3.0-only" }, use)), "license.code.network_copyleft")
	use.audience = "internal"
	expect_no_finding(run(model({ weights = "MIT", code = "AGPL-3.0-only" }, use)), "license.code.network_copyleft")
end

function test_deprecated_id_noted()
	expect_finding(run(model({ weights = "MIT", code = "GPL-2.0" })), "license.code.deprecated")
	expect_no_finding(run(model({ weights = "MIT", code = "GPL-2.0-only" })), "license.code.deprecated")
end

function test_dependency_without_license_warns()
	local deps = { dependencies = { { name = "left-pad", version = "==1.3.0" } } }
	expect_severity(run(model({ weights = "MIT" }, nil, deps)), "license.dependency.missing", "warn")
	deps.dependencies[1].license = "MIT"
	expect_no_finding(run(model({ weights = "MIT" }, nil, deps)), "license.dependency.missing")
end

function test_noncommercial_dependency_blocks_commercial_use()
	local deps = { dependencies = { { name = "research-kit", version = "==0.1.0", license = "CC-BY-NC-SA-4.0" } } }
	expect_finding(run(model({ weights = "MIT" }, nil, deps)), "license.dependency.noncommercial")
	deps.dependencies[1].license = "BSD-3-Clause"
	expect_no_finding(run(model({ weights = "MIT" }, nil, deps)), "license.dependency.noncommercial")
end

-- Condition findings are made once per license entry and item and reused:
-- each must still name its own item, evidence and license.
function test_reused_condition_findings_name_their_item_and_license()
	local v = run(model({ weights = "Apache-2.0", code = "Apache-2.0" }))
	local f = expect_finding(v, "license.code.condition.notice")
	assert(f.evidence == "licenses.code", f.evidence)
	f = expect_finding(v, "license.weights.condition.notice")
	assert(f.evidence == "licenses.weights", f.evidence)
	assert(f.message == "Under 'Apache-2.0' the team must keep the license and NOTICE files.", f.message)
	v = run(model({ weights = "MIT" }))
	f = expect_finding(v, "license.weights.condition.attribution")
	assert(f.message == "Under 'MIT' the team must give credit to the licensor.", f.message)
	expect_no_finding(v, "license.code.condition.notice")
end

-- License texts found in the repository (licenses.files, made by aivet scan).
local NC_FILE = { path = "LICENSE", id = "CC-BY-NC-4.0", score = 0.99, method = "text" }

function test_found_license_text_that_is_not_declared_is_a_mismatch_naming_both()
	local v = run(model({ weights = "apache-2.0", code = "apache-2.0", files = { NC_FILE } }))
	expect_severity(v, "license.files.mismatch", "review")
	local f = expect_finding(v, "license.files.mismatch")
	assert(f.message:find("CC-BY-NC-4.0", 1, true) and f.message:find("apache-2.0", 1, true), f.message)
	assert(f.evidence == "licenses.files.0.id", f.evidence)
	-- and the text's own terms forbid the commercial use
	expect_severity(v, "license.files.noncommercial", "block")
	v = run(model({ weights = "apache-2.0", files = { NC_FILE } }, { commercial = false }))
	expect_finding(v, "license.files.mismatch")
	expect_no_finding(v, "license.files.noncommercial")
end

function test_found_license_text_that_is_declared_passes()
	local mit = { path = "LICENSE", id = "MIT", score = 1.0, method = "text" }
	expect_no_finding(run(model({ weights = "mit", files = { mit } })), "license.files.mismatch")
	-- either branch of an OR, and a card's license_name, count as declared
	local apache = { path = "LICENSE-APACHE", id = "Apache-2.0", score = 1.0, method = "text" }
	expect_no_finding(run(model({ weights = "MIT OR Apache-2.0", files = { mit, apache } })), "license.files.mismatch")
	local llama = { path = "LICENSE", id = "llama3", score = 1.0, method = "markers" }
	expect_no_finding(run(model({ weights = { id = "other", name = "llama3" }, files = { llama } })), "license.files.mismatch")
end

function test_the_reverse_mismatch_is_found_too()
	local apache = { path = "LICENSE", id = "Apache-2.0", score = 0.97, method = "text" }
	local v = run(model({ weights = "cc-by-nc-4.0", files = { apache } }, { commercial = false }))
	local f = expect_finding(v, "license.files.mismatch")
	assert(f.message:find("Apache-2.0", 1, true) and f.message:find("cc-by-nc-4.0", 1, true), f.message)
end

function test_unidentified_license_file_warns()
	local odd = { path = "LICENSE", closest = "MIT", score = 0.41 }
	expect_severity(run(model({ weights = "mit", files = { odd } })), "license.files.unidentified", "warn")
	local f = expect_finding(run(model({ weights = "mit", files = { odd } })), "license.files.unidentified")
	assert(f.message:find("MIT", 1, true), f.message)
	expect_no_finding(run(model({ weights = "mit" })), "license.files.unidentified")
end
