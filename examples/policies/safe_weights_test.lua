local function model(artifacts)
  return {apiVersion = "aivet/v1", kind = "model", name = "m", version = "1", artifacts = artifacts}
end

function test_safetensors_and_gguf_pass()
  local v = evaluate(model{
    {path = "model.safetensors", format = "safetensors"},
    {path = "model.Q4_K_M.gguf", format = "gguf"},
  }, {plugins = {"safe_weights"}})
  expect_no_finding(v, "org.weights.format")
  expect_decision(v, "approved")
end

function test_pickle_is_blocked()
  local v = evaluate(model{
    {path = "model.safetensors", format = "safetensors"},
    {path = "pytorch_model.bin", format = "pytorch"},
  }, {plugins = {"safe_weights"}})
  local f = expect_finding(v, "org.weights.format")
  expect_severity(v, "org.weights.format", "block")
  assert(f.evidence == "artifacts.1.format", f.evidence)
  expect_decision(v, "rejected")
end

function test_inspected_format_counts()
  local v = evaluate(model{{path = "w.bin", inspected = {format = "pickle"}}},
    {plugins = {"safe_weights"}})
  expect_finding(v, "org.weights.format")
end

function test_no_artifacts_needs_review()
  local v = evaluate(model(nil), {plugins = {"safe_weights"}})
  expect_severity(v, "org.weights.unknown", "review")
  expect_decision(v, "needs_review")
end

function test_datasets_are_not_checked()
  local v = evaluate({apiVersion = "aivet/v1", kind = "dataset", name = "d", version = "1"},
    {plugins = {"safe_weights"}})
  expect_no_finding(v, "org.weights.unknown")
end
