local function component(publisher)
  return {apiVersion = "aivet/v1", kind = "model", name = "m", version = "1", publisher = publisher}
end

local only = {plugins = {"approved_publisher"}, now = "2026-01-01"}

function test_approved_publisher_passes()
  local v = evaluate(component("microsoft"), only)
  expect_no_finding(v, "org.publisher.unapproved")
  expect_decision(v, "approved")
end

function test_unknown_publisher_needs_review()
  local v = evaluate(component("Someone Else"), only)
  expect_severity(v, "org.publisher.unapproved", "review")
  expect_decision(v, "needs_review")
  -- review_within = 90d shortens the review date.
  assert(v.review_by == "2026-04-01", v.review_by)
end

function test_missing_publisher()
  local v = evaluate(component(nil), only)
  expect_finding(v, "org.publisher.missing")
end
