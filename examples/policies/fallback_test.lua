local function system(use, operations)
  return {apiVersion = "aivet/v1", kind = "system", name = "support-bot", version = "1",
    use = use, operations = operations}
end

local only = {plugins = {"fallback"}}

function test_internal_systems_need_nothing()
  local v = evaluate(system({audience = "internal"}, nil), only)
  expect_decision(v, "approved")
  assert(v.risk == "low", v.risk)
end

function test_customer_facing_without_fallback_is_rejected()
  local v = evaluate(system({customer_facing = true}, {}), only)
  expect_severity(v, "org.fallback.missing", "block")
  expect_decision(v, "rejected")
  assert(v.risk == "high", v.risk)
end

function test_public_audience_counts_as_customer_facing()
  local v = evaluate(system({audience = "public"}, {fallback = false}), only)
  expect_finding(v, "org.fallback.missing")
end

function test_described_fallback_passes()
  local v = evaluate(system({customer_facing = true},
    {fallback = "Hand over to the support queue"}), only)
  expect_no_finding(v, "org.fallback.missing")
  expect_no_finding(v, "org.fallback.undocumented")
  expect_decision(v, "approved")
  assert(v.risk == "medium", v.risk) -- customer-facing is at least medium
end

function test_bare_true_is_a_warning()
  local v = evaluate(system({customer_facing = true}, {fallback = true}), only)
  expect_severity(v, "org.fallback.undocumented", "warn")
  expect_decision(v, "approved")
end
