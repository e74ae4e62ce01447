-- Tests of plugins/supply_chain.lua.

local SHA = string.rep("ab", 32)

local function model(extra)
	local m = {
		apiVersion = "aivet/v1", kind = "model", name = "acme/chain-model", version = "1.0",
		source = { url = "https://huggingface.co/acme/chain-model", hub = "huggingface", revision = string.rep("c", 40) },
		artifacts = { { path = "model.safetensors", format = "safetensors", sha256 = SHA } },
		dependencies = { { name = "transformers", version = "==4.44.2", license = "Apache-2.0" } },
	}
	for k, v in pairs(extra or {}) do
		m[k] = v
	end
	return m
end

local function run(m, profile)
	return evaluate(m, { profile = profile or "default", plugins = { "supply_chain" } })
end

function test_pinned_hashed_safetensors_is_approved()
	expect_decision(run(model()), "approved")
end

function test_moving_revision_is_unpinned()
	local m = model()
	m.source.revision = "main"
	expect_severity(run(m), "supply_chain.revision.unpinned", "warn")
	expect_severity(run(m, "production"), "supply_chain.revision.unpinned", "review")
	expect_severity(run(m, "regulated"), "supply_chain.revision.unpinned", "block")
end

function test_unpinned_dependency()
	local m = model({ dependencies = { { name = "torch", version = ">=2.1" } } })
	expect_finding(run(m), "supply_chain.dependency.unpinned")
	expect_no_finding(run(model()), "supply_chain.dependency.unpinned")
end

function test_artifact_without_sha256()
	local m = model({ artifacts = { { path = "model.safetensors", format = "safetensors" } } })
	expect_finding(run(m), "supply_chain.artifact.no_sha256")
	expect_no_finding(run(model()), "supply_chain.artifact.no_sha256")
end

function test_sha256_mismatch_blocks()
	local m = model()
	m.artifacts[1].inspected = { sha256 = string.rep("0", 64), format = "safetensors", sha256_match = false }
	expect_severity(run(m, "research"), "supply_chain.artifact.sha256_mismatch", "block")
	m.artifacts[1].inspected.sha256_match = true
	expect_no_finding(run(m), "supply_chain.artifact.sha256_mismatch")
end

function test_pickle_only_weights_need_review()
	local m = model({ artifacts = { { path = "pytorch_model.bin", format = "pytorch", sha256 = SHA } } })
	expect_severity(run(m), "supply_chain.artifact.unsafe_format", "review")
	expect_severity(run(m, "production"), "supply_chain.artifact.unsafe_format", "block")
end

function test_pickle_beside_safetensors_only_warns()
	local m = model()
	m.artifacts[2] = { path = "pytorch_model.bin", format = "pytorch", sha256 = SHA }
	expect_severity(run(m), "supply_chain.artifact.unsafe_format", "warn")
end

function test_format_from_extension()
	local m = model({ artifacts = { { path = "v1-5-pruned.ckpt", sha256 = SHA } } })
	expect_finding(run(m), "supply_chain.artifact.unsafe_format")
	m.artifacts[1].path = "model.gguf"
	expect_no_finding(run(m), "supply_chain.artifact.unsafe_format")
end

function test_declared_format_contradicted_by_content()
	local m = model()
	m.artifacts[1].inspected = { format = "pickle", sha256_match = true }
	local v = run(m)
	expect_finding(v, "supply_chain.artifact.format_mismatch")
	expect_finding(v, "supply_chain.artifact.unsafe_format")
end

function test_dangerous_pickle_import_blocks_in_every_profile()
	local m = model({ artifacts = { { path = "pytorch_model.bin", format = "pytorch", sha256 = SHA, inspected = {
		format = "pytorch", sha256_match = true,
		globals = { { module = "torch._utils", name = "_rebuild_tensor_v2", rating = "safe" },
			{ module = "os", name = "system", rating = "dangerous" } },
	} } } })
	for _, p in ipairs({ "default", "production", "research", "regulated" }) do
		local v = run(m, p)
		expect_severity(v, "supply_chain.artifact.dangerous_global", "block")
		expect_decision(v, "rejected")
		assert(v.risk == "high", "risk should be high, is " .. tostring(v.risk))
	end
end

function test_safe_pickle_imports_pass()
	local m = model({ artifacts = { { path = "pytorch_model.bin", format = "pytorch", sha256 = SHA, inspected = {
		format = "pytorch", sha256_match = true,
		globals = { { module = "collections", name = "OrderedDict", rating = "safe" } },
	} } } })
	local v = run(m)
	expect_no_finding(v, "supply_chain.artifact.dangerous_global")
	expect_no_finding(v, "supply_chain.artifact.suspicious_global")
end

function test_suspicious_pickle_import_needs_review()
	local m = model()
	m.artifacts[1].inspected = { format = "safetensors", sha256_match = true,
		globals = { { module = "numpy", name = "load", rating = "suspicious" } } }
	expect_severity(run(m), "supply_chain.artifact.suspicious_global", "review")
end

function test_inspector_error_warns()
	local m = model()
	m.artifacts[1].inspected = { error = "truncated file" }
	expect_finding(run(m), "supply_chain.artifact.inspect_error")
end

function test_remote_code_needs_review()
	expect_severity(run(model({ runtime = { remote_code = true } })), "supply_chain.runtime.remote_code", "review")
	expect_severity(run(model({ runtime = { remote_code = true } }), "regulated"), "supply_chain.runtime.remote_code", "block")
	expect_no_finding(run(model({ runtime = { remote_code = false } })), "supply_chain.runtime.remote_code")
end

function test_runtime_downloads_flagged()
	local v = run(model({ runtime = { downloads_at_runtime = true, downloads = { "tokenizer.json" } } }))
	expect_severity(v, "supply_chain.runtime.downloads", "warn")
	expect_no_finding(run(model({ runtime = { downloads_at_runtime = false } })), "supply_chain.runtime.downloads")
end

function test_vulnerability_at_threshold_needs_review()
	local m = model()
	m.dependencies[1].vulnerabilities = { { id = "CVE-2024-3568", severity = "high", fixed_in = "4.38.0" } }
	expect_severity(run(m), "supply_chain.dependency.vulnerable", "review")
	m.dependencies[1].vulnerabilities[1].severity = "medium"
	expect_no_finding(run(m), "supply_chain.dependency.vulnerable")
	expect_finding(run(m), "supply_chain.dependency.vulnerable_low")
	expect_severity(run(m, "production"), "supply_chain.dependency.vulnerable", "block")
end

function test_unmaintained_dependency_warns()
	local m = model()
	m.dependencies[1].maintained = false
	expect_finding(run(m), "supply_chain.dependency.unmaintained")
	m.dependencies[1].maintained = true
	m.dependencies[1].last_release = "2015-01-01"
	expect_finding(run(m), "supply_chain.dependency.unmaintained")
	m.dependencies[1].last_release = nil
	expect_no_finding(run(m), "supply_chain.dependency.unmaintained")
end

function test_credentials_not_separated()
	expect_finding(run(model({ runtime = { credentials_separated = false } })), "supply_chain.credentials.not_separated")
	expect_no_finding(run(model({ runtime = { credentials_separated = true } })), "supply_chain.credentials.not_separated")
end

function test_secrets_in_examples_block()
	expect_severity(run(model({ runtime = { secrets_in_examples = true } })), "supply_chain.secrets.in_examples", "block")
	expect_no_finding(run(model({ runtime = { secrets_in_examples = false } })), "supply_chain.secrets.in_examples")
end

function test_inspected_format_names_match_declared_ones()
	local m = model({ artifacts = { { path = "pytorch_model.bin", format = "pytorch", sha256 = SHA,
		inspected = { format = "pytorch-zip", sha256_match = true } } } })
	expect_no_finding(run(m), "supply_chain.artifact.format_mismatch")
	expect_finding(run(m), "supply_chain.artifact.unsafe_format")
	m.artifacts[1].inspected.format = "unknown"
	expect_no_finding(run(m), "supply_chain.artifact.format_mismatch")
	m.artifacts[1].inspected.format = "gguf"
	expect_finding(run(m), "supply_chain.artifact.format_mismatch")
end

-- Facts found by aivet scan.
function test_scanned_pinned_flag_wins_over_the_version_text()
	local m = model({ dependencies = { { name = "tqdm", version = "==4.66", pinned = false } } })
	expect_finding(run(m), "supply_chain.dependency.unpinned")
	m = model({ dependencies = { { name = "numpy", version = "1.26", pinned = true } } })
	expect_no_finding(run(m), "supply_chain.dependency.unpinned")
	-- without the flag, the version decides as before
	m = model({ dependencies = { { name = "numpy", version = "1.26" } } })
	expect_finding(run(m), "supply_chain.dependency.unpinned")
end

function test_unsafe_calls_in_shipped_code_need_review()
	local m = model({ runtime = { unsafe_calls = {
		{ path = "modeling_x.py", line = 12, kind = "torch_load", call = "torch.load" },
		{ path = "utils.py", line = 3, kind = "eval", call = "eval" },
	} } })
	expect_severity(run(m), "supply_chain.runtime.unsafe_code", "review")
	local f = expect_finding(run(m), "supply_chain.runtime.unsafe_code")
	assert(f.message:find("modeling_x.py:12 torch.load", 1, true) and f.message:find("utils.py:3 eval", 1, true), f.message)
	assert(f.evidence == "runtime.unsafe_calls", f.evidence)
	expect_no_finding(run(model()), "supply_chain.runtime.unsafe_code")
end

function test_secrets_finding_names_places_and_kinds_only()
	local m = model({ runtime = { secrets_in_examples = true,
		secrets = { { path = "demo.ipynb", line = 7, kind = "huggingface_token" } } } })
	expect_severity(run(m), "supply_chain.secrets.in_examples", "block")
	local f = expect_finding(run(m), "supply_chain.secrets.in_examples")
	assert(f.message:find("demo.ipynb:7 (huggingface_token)", 1, true), f.message)
end
