-- Tests of plugins/privacy.lua.

local function system(dh)
	return { apiVersion = "aivet/v1", kind = "system", name = "acme-assistant", version = "1.0", data_handling = dh }
end

local function good()
	return {
		personal_data = true,
		regulated_data = {},
		data_classes = { prompts = { "question" }, retrieval = { "kb_articles" }, logs = { "request_id" } },
		masking = { enabled = true, fields = { "email" } },
		access = { prompts = { "support-leads" }, outputs = { "support-leads" }, logs = { "sre" } },
		retention = { test_data = "90d", production_records = "90d", logs = "30d", embeddings = "180d", backups = "30d" },
		output_leakage_review = true,
	}
end

local function run(m, profile)
	return evaluate(m, { profile = profile or "default", plugins = { "privacy" } })
end

function test_well_defined_data_handling_is_approved()
	expect_decision(run(system(good())), "approved")
end

function test_system_without_data_handling_needs_review()
	expect_severity(run(system(nil)), "privacy.data_handling.undeclared", "review")
end

function test_model_without_data_handling_is_not_assessed()
	local v = run({ apiVersion = "aivet/v1", kind = "model", name = "m", version = "1" })
	expect_no_finding(v, "privacy.data_handling.undeclared")
end

function test_undefined_data_classes()
	local dh = good()
	dh.data_classes.logs = nil
	expect_severity(run(system(dh)), "privacy.data_classes.undefined", "review")
end

function test_undefined_data_classes_only_warn_without_personal_data()
	local dh = good()
	dh.personal_data = false
	dh.data_classes = nil
	expect_severity(run(system(dh)), "privacy.data_classes.undefined", "warn")
end

function test_sensitive_data_in_logs_unmasked()
	local dh = good()
	dh.data_classes.logs = { "request_id", "email" }
	dh.masking = { enabled = false }
	expect_finding(run(system(dh)), "privacy.logs.sensitive_unmasked")
	dh.masking = { enabled = true, fields = { "email" } }
	expect_no_finding(run(system(dh)), "privacy.logs.sensitive_unmasked")
end

function test_masking_missing_with_personal_data()
	local dh = good()
	dh.masking = nil
	expect_severity(run(system(dh)), "privacy.masking.missing", "review")
end

function test_access_undefined()
	local dh = good()
	dh.access.logs = nil
	expect_finding(run(system(dh)), "privacy.access.undefined")
end

function test_access_open_to_everyone()
	local dh = good()
	dh.access.outputs = { "everyone" }
	expect_severity(run(system(dh)), "privacy.access.unrestricted", "review")
end

function test_retention_missing()
	local dh = good()
	dh.retention.embeddings = nil
	expect_finding(run(system(dh)), "privacy.retention.missing")
end

function test_retention_too_long()
	local dh = good()
	dh.retention.logs = "2y"
	expect_finding(run(system(dh)), "privacy.retention.too_long")
	dh.retention.logs = "120d"
	expect_no_finding(run(system(dh)), "privacy.retention.too_long")
	expect_finding(run(system(dh), "regulated"), "privacy.retention.too_long")
end

function test_retention_invalid()
	local dh = good()
	dh.retention.backups = "forever"
	expect_finding(run(system(dh)), "privacy.retention.invalid")
end

function test_output_leakage_unreviewed()
	local dh = good()
	dh.output_leakage_review = false
	expect_finding(run(system(dh)), "privacy.output_leakage.unreviewed")
end

function test_regulated_data_raises_risk()
	local dh = good()
	dh.regulated_data = { "health" }
	local v = run(system(dh))
	expect_finding(v, "privacy.regulated_data")
	assert(v.risk == "high", "risk " .. tostring(v.risk))
	assert(run(system(good())).risk ~= "high")
end
