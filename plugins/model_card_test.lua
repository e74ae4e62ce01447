-- Tests of plugins/model_card.lua.

local FULL = {
	intended_use = "Summarising support tickets written in English for internal agents to read quickly.",
	out_of_scope = "Medical, legal or financial advice, and any decision about a person without human review.",
	limitations = "Struggles with very long tickets, code snippets and languages other than English in practice.",
	risks = "May state wrong facts confidently and may repeat personal data present in the ticket text.",
	training_data = "Public web text and a licensed corpus of customer service dialogues collected in 2023.",
	evaluation = "ROUGE and human ratings on 2,000 held-out tickets, with results reported per product line.",
	safety_testing = "Red teaming for prompt injection, toxic output and leakage of personal data by an external team.",
	languages = "English only was evaluated; other languages were tried informally and performed much worse.",
	domains = "Consumer electronics and software support tickets; no other domains were evaluated at all.",
	users = "Support agents with training; the model was not evaluated with end customers directly.",
}

local function model(sections, extra)
	local s = {}
	for k, v in pairs(sections) do
		s[k] = v
	end
	local m = {
		apiVersion = "aivet/v1", kind = "model", name = "acme/card-model", version = "1.0",
		licenses = { weights = "Apache-2.0" },
		model_card = { sections = s },
	}
	for k, v in pairs(extra or {}) do
		m[k] = v
	end
	return m
end

local function without(name)
	local s = {}
	for k, v in pairs(FULL) do
		if k ~= name then
			s[k] = v
		end
	end
	return s
end

local function run(m, profile)
	return evaluate(m, { profile = profile or "default", plugins = { "model_card" } })
end

function test_full_card_is_approved()
	local v = run(model(FULL))
	expect_no_finding(v, "model_card.missing")
	expect_no_finding(v, "model_card.maturity")
	expect_decision(v, "approved")
end

function test_no_card_needs_review()
	local m = model(FULL)
	m.model_card = nil
	expect_severity(run(m), "model_card.missing", "review")
end

function test_each_required_section_missing_needs_review()
	for _, name in ipairs({ "intended_use", "out_of_scope", "limitations", "risks", "training_data", "evaluation" }) do
		local v = run(model(without(name)))
		expect_severity(v, "model_card." .. name .. ".missing", "review")
		expect_finding(v, "model_card.maturity")
	end
end

function test_placeholder_counts_as_missing()
	local s = without("limitations")
	s.limitations = "[More Information Needed]"
	expect_finding(run(model(s)), "model_card.limitations.missing")
end

function test_recommended_section_missing_is_info()
	expect_severity(run(model(without("safety_testing"))), "model_card.safety_testing.missing", "info")
	expect_no_finding(run(model(FULL)), "model_card.safety_testing.missing")
end

function test_thin_section_warns()
	local s = without("risks")
	s.risks = "Might be wrong."
	expect_severity(run(model(s)), "model_card.risks.thin", "warn")
	expect_no_finding(run(model(FULL)), "model_card.risks.thin")
end

function test_regulated_profile_blocks_missing_sections()
	local v = run(model(without("bias")), "regulated")
	expect_severity(v, "model_card.bias.missing", "block")
	expect_decision(v, "rejected")
end

function test_research_profile_only_warns()
	expect_severity(run(model(without("evaluation")), "research"), "model_card.evaluation.missing", "warn")
end

-- Cards given as Markdown text are analysed by the engine; these manifests
-- are files so that they go through the same preparation as real ones.
local CARD_TEXT = "testdata/card-text.yaml"       -- weights Apache-2.0, front matter mit
local CARD_TEXT_MIT = "testdata/card-text-mit.yaml" -- weights MIT, no base model

function test_card_text_is_read()
	local v = run(CARD_TEXT)
	expect_no_finding(v, "model_card.missing")
	expect_no_finding(v, "model_card.intended_use.missing")
	expect_finding(v, "model_card.limitations.missing")
end

function test_front_matter_license_mismatch_warns()
	expect_severity(run(CARD_TEXT), "model_card.metadata.license_mismatch", "warn")
	expect_no_finding(run(CARD_TEXT_MIT), "model_card.metadata.license_mismatch")
end

function test_base_model_noted()
	expect_finding(run(CARD_TEXT), "model_card.metadata.base_model")
	expect_no_finding(run(CARD_TEXT_MIT), "model_card.metadata.base_model")
end

function test_not_applied_to_datasets()
	local m = model({})
	m.kind = "dataset"
	expect_no_finding(run(m), "model_card.missing")
end

-- The finding of a missing section is made once and reused: each profile
-- must still get its own severity, and a placeholder its own message, in
-- any order of evaluation.
function test_reused_missing_section_findings_follow_profile_and_placeholder()
	local m = model(without("risks"))
	expect_severity(run(m), "model_card.risks.missing", "review")
	expect_severity(run(m, "regulated"), "model_card.risks.missing", "block")
	expect_severity(run(m), "model_card.risks.missing", "review")
	local s = without("risks")
	s.risks = "TODO"
	local f = expect_finding(run(model(s)), "model_card.risks.missing")
	assert(f.message:find("only a placeholder for known risks", 1, true), f.message)
	f = expect_finding(run(m), "model_card.risks.missing")
	assert(f.message:find("does not cover known risks", 1, true), f.message)
	assert(f.evidence == "model_card.sections.risks", f.evidence)
end
