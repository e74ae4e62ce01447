--- safe_weights: weights must be stored as safetensors or GGUF.
--
-- Pickle-based formats (PyTorch .bin/.pt, joblib, numpy object arrays) can
-- run code when loaded.  This policy blocks any artifact in another format
-- and asks for review when a model ships no artifact list at all.
--
-- Settings (profile.plugins.safe_weights):
--   allowed  list of formats accepted (default: safetensors, gguf)
--
-- It uses aivet.util, the helpers the built-in plugins share: the allowed
-- list becomes a set once per profile.
local util = require "aivet.util"

local allowed_set = util.per_table(util.lower_set)

local FORMAT = "org.weights.format"
local UNKNOWN = "org.weights.unknown"

local function format_of(artifact)
  local f = artifact.format or (artifact.inspected and artifact.inspected.format)
  return f and f:lower() or nil
end

local function check_artifacts(component, settings, report)
  local allowed = allowed_set(settings.allowed)
  for i, a in ipairs(component.artifacts) do
    local f = format_of(a)
    if f and not allowed[f] then
      report:finding{
        id = FORMAT, severity = "block",
        message = string.format("%s is stored as %s; only %s are accepted",
          a.path or ("artifact " .. i), f, table.concat(settings.allowed, " or ")),
        evidence = "artifacts." .. (i - 1) .. ".format",
        remedy = "Use a safetensors or GGUF release of the weights, or convert them.",
      }
    end
  end
end

return {
  name = "safe_weights",
  area = "org",
  version = "1.0.0",
  description = "Weights must be safetensors or GGUF",
  applies_to = {"model", "weights"},
  settings_schema = {
    allowed = {type = "list", default = {"safetensors", "gguf"}},
  },
  evaluate = function(component, settings, report)
    if not util.nonempty(component.artifacts) then
      report:finding{
        id = UNKNOWN, severity = "review",
        message = "The manifest lists no artifacts, so the weights' format is unknown.",
        evidence = "artifacts",
        remedy = "List the weight files under artifacts with their format.",
      }
      return
    end
    check_artifacts(component, settings, report)
  end,
}
