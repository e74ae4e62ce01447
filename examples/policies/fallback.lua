--- fallback: customer-facing systems need a documented fallback.
--
-- When a component faces customers (use.customer_facing, or a public
-- audience), operations.fallback must say what happens when it fails or
-- is switched off: true, or better, a sentence describing the fallback.
local MISSING = "org.fallback.missing"
local VAGUE = "org.fallback.undocumented"

local function customer_facing(use)
  return use ~= nil and (use.customer_facing == true or use.audience == "public")
end

return {
  name = "fallback",
  area = "org",
  version = "1.0.0",
  description = "Customer-facing systems need a documented fallback",
  evaluate = function(component, _, report)
    if not customer_facing(component.use) then
      return
    end
    local fallback = component.operations and component.operations.fallback
    if fallback == nil or fallback == false or fallback == "" then
      report:finding{
        id = MISSING, severity = "block",
        message = "A customer-facing system has no fallback for when it fails.",
        evidence = "operations.fallback",
        remedy = "Describe the fallback (a human queue, a static answer, the previous system) under operations.fallback.",
      }
    elseif fallback == true then
      report:finding{
        id = VAGUE, severity = "warn",
        message = "operations.fallback is true but does not say what the fallback is.",
        evidence = "operations.fallback",
        remedy = "Replace true with a sentence describing the fallback.",
      }
      report:risk("medium")
    end
  end,
}
