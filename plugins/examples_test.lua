-- The expected verdicts of the example manifests (examples/manifests/, real
-- public models described with the facts of their releases, and one internal
-- system) under each built-in profile.  A change here is a change of policy:
-- say why in the commit.

local EXPECTED = {
	--                                  default         production      research        regulated
	["bloom-560m"] =                 { "needs_review", "needs_review", "needs_review", "rejected" },
	["dialogpt-medium"] =            { "needs_review", "rejected",     "needs_review", "rejected" },
	["distilbert-base-cased"] =      { "needs_review", "needs_review", "approved",     "rejected" },
	["meta-llama-3-8b"] =            { "needs_review", "needs_review", "needs_review", "rejected" },
	["mistral-7b-instruct-v0.2"] =   { "needs_review", "needs_review", "approved",     "rejected" },
	["musicgen-small"] =             { "rejected",     "rejected",     "approved",     "rejected" },
	["phi-2"] =                      { "needs_review", "needs_review", "approved",     "rejected" },
	["phi-2-gguf"] =                 { "rejected",     "rejected",     "approved",     "rejected" },
	["stable-diffusion-v1-5"] =      { "needs_review", "rejected",     "needs_review", "rejected" },
	["support-bot"] =                { "approved",     "approved",     "approved",     "rejected" },
	["whisper-base"] =               { "approved",     "needs_review", "approved",     "rejected" },
}
local PROFILES = { "default", "production", "research", "regulated" }

local function check(name)
	for i, profile in ipairs(PROFILES) do
		local v = evaluate("../examples/manifests/" .. name .. ".yaml", { profile = profile })
		if v.decision ~= EXPECTED[name][i] then
			error(name .. " under " .. profile .. ": expected " .. EXPECTED[name][i] .. ", got " .. tostring(v.decision), 2)
		end
	end
end

function test_example_bloom_560m() check("bloom-560m") end
function test_example_dialogpt_medium() check("dialogpt-medium") end
function test_example_distilbert_base_cased() check("distilbert-base-cased") end
function test_example_meta_llama_3_8b() check("meta-llama-3-8b") end
function test_example_mistral_7b_instruct() check("mistral-7b-instruct-v0.2") end
function test_example_musicgen_small() check("musicgen-small") end
function test_example_phi_2() check("phi-2") end
function test_example_phi_2_gguf() check("phi-2-gguf") end
function test_example_stable_diffusion_v1_5() check("stable-diffusion-v1-5") end
function test_example_support_bot() check("support-bot") end
function test_example_whisper_base() check("whisper-base") end

-- The reasons behind the outcomes, not only the outcomes.
function test_musicgen_is_rejected_for_its_noncommercial_license()
	local v = evaluate("../examples/manifests/musicgen-small.yaml", { profile = "default", plugins = { "license" } })
	expect_severity(v, "license.weights.noncommercial", "block")
end

function test_phi_2_gguf_license_is_read_from_its_name()
	local v = evaluate("../examples/manifests/phi-2-gguf.yaml", { profile = "default", plugins = { "license" } })
	expect_finding(v, "license.weights.noncommercial")
	expect_no_finding(v, "license.weights.unclassified")
end

function test_llama_conditions_are_listed()
	local v = evaluate("../examples/manifests/meta-llama-3-8b.yaml", { profile = "default", plugins = { "license" } })
	expect_finding(v, "license.weights.commercial_conditional")
	expect_finding(v, "license.weights.condition.naming")
	expect_finding(v, "license.weights.not_open_source")
end

function test_stable_diffusion_checkpoint_is_pickle()
	local v = evaluate("../examples/manifests/stable-diffusion-v1-5.yaml", { profile = "production", plugins = { "supply_chain" } })
	expect_severity(v, "supply_chain.artifact.unsafe_format", "block")
end

function test_phi_2_gguf_card_is_almost_empty()
	local v = evaluate("../examples/manifests/phi-2-gguf.yaml", { profile = "default", plugins = { "model_card" } })
	expect_finding(v, "model_card.intended_use.missing")
	expect_finding(v, "model_card.maturity")
end
