--- approved_publisher: only components from publishers on an approved list.
--
-- Settings (profile.plugins.approved_publisher):
--   publishers  list of approved publisher names, compared without case
--   severity    what an unapproved publisher gets (default: review)
local UNAPPROVED = "org.publisher.unapproved"
local MISSING = "org.publisher.missing"

local function approved(list, publisher)
  for _, p in ipairs(list) do
    if p:lower() == publisher:lower() then
      return true
    end
  end
  return false
end

return {
  name = "approved_publisher",
  area = "org",
  version = "1.0.0",
  description = "Only components from an approved publisher list",
  settings_schema = {
    publishers = {type = "list", default = {"Mistral AI", "Microsoft", "Meta", "Hugging Face"}},
    severity = {type = "string", default = "review"},
  },
  evaluate = function(component, settings, report)
    local publisher = component.publisher
    if publisher == nil or publisher == "" then
      report:finding{
        id = MISSING, severity = settings.severity,
        message = "The manifest does not say who publishes this component.",
        evidence = "publisher",
        remedy = "Record the publisher so that it can be checked against the approved list.",
      }
    elseif not approved(settings.publishers, publisher) then
      report:finding{
        id = UNAPPROVED, severity = settings.severity,
        message = string.format("%s is not on the approved publisher list.", publisher),
        evidence = "publisher",
        remedy = "Ask the platform team to approve the publisher, or choose another component.",
        review_within = "90d",
      }
    end
  end,
}
