--- aivet.util: the small helpers every plugin needs for reading a manifest
-- that may leave anything out, and for doing per-profile work once.
--
--   local util = require "aivet.util"
--   local or_empty, text = util.or_empty, util.text
--   local use = or_empty(component.use)        -- a table, never nil
--   for _, a in ipairs(or_empty(component.artifacts)) do ... end
--   text(d.owner)                               -- a string with a non-space character
--   util.nonempty(d.assumptions)                -- a list with at least one item
--   util.strings(use.high_stakes_domains)       -- {"health", ...}, each item tostring'd
--   util.lower_set(settings.deny)["mit"]        -- the items as a set, without case
--   local deny_set = util.per_table(util.lower_set)  -- a set made once per settings list
--   util.high_impact(use)                       -- customer-facing, high impact or high stakes
--
-- What it hands out is read-only, new, or kept for the calling plugin alone
-- (per_table, memo): EMPTY is the module's own read-only table, shared by
-- every plugin of the state.  Call the functions through locals: in the
-- sandbox each field of a module is read through a proxy.
local type, ipairs, tostring, setmetatable, byte = type, ipairs, tostring, setmetatable, string.byte

local M = {}

--- EMPTY: an empty, read-only table, for "nothing here" in place of nil
-- (`for _, x in ipairs(list or EMPTY)`).  Writing to it raises.
M.EMPTY = {}

-- M.EMPTY as the plugins see it: require hands the module out read-only,
-- which replaces each table in it with its read-only view.  Looked up when
-- first needed, so that nothing here returns the writable table itself.
local EMPTY

--- or_empty(v) -> v when v is a table, else EMPTY.  For optional parts of
-- the component, which may be absent or, in a hand-written manifest, of
-- another type.
function M.or_empty(v)
  if type(v) == "table" then
    return v
  end
  if EMPTY == nil then
    EMPTY = M.EMPTY
  end
  return EMPTY
end

--- text(v) -> true when v is a string with at least one non-space
-- character: a name, a description, a decision that says something.
-- Most texts start with a printable ASCII character, which answers without
-- a pattern match (a match costs about a microsecond in the sandbox).
function M.text(v)
  if type(v) ~= "string" then
    return false
  end
  local b = byte(v, 1)
  if b ~= nil and b > 32 and b < 127 then
    return true
  end
  return v:match("%S") ~= nil
end

--- nonempty(v) -> true when v is a table with a first item (a list that
-- says something).
function M.nonempty(v)
  return type(v) == "table" and #v > 0
end

--- strings(v) -> a new list of tostring() of each item of the list v
-- (empty when v is not a table).  For messages (`concat(strings(v), ", ")`)
-- and for items of any type taken as text.
function M.strings(v)
  local out = {}
  if type(v) == "table" then
    for _, x in ipairs(v) do
      out[#out + 1] = tostring(x)
    end
  end
  return out
end

--- per_table(f) -> a function g with g(t) == f(t), f called once per table
-- t for as long as t lives (for anything else, on every call).  Only for
-- tables that never change: settings (read-only, as long-lived as their
-- profile) or the component.  Each g has its own memory; callers must not
-- change what g returns.
function M.per_table(f)
  local made = setmetatable({}, { __mode = "k" })
  return function(t)
    local v = made[t]
    if v == nil then
      v = f(t)
      if type(t) == "table" then
        made[t] = v
      end
    end
    return v
  end
end

--- set(list) -> a new set of tostring() of each item of list: set[s] is
-- true when an item reads s (empty when list is not a table).  lower_set
-- the same, lower-cased.  For a settings list, make each set once:
-- `local deny_set = per_table(util.lower_set)`.
function M.set(list)
  local set = {}
  if type(list) == "table" then
    for _, v in ipairs(list) do
      set[tostring(v)] = true
    end
  end
  return set
end

function M.lower_set(list)
  local set = {}
  if type(list) == "table" then
    for _, v in ipairs(list) do
      set[tostring(v):lower()] = true
    end
  end
  return set
end

--- memo(f, max) -> a function g with g(k) == f(k), f called once per key k
-- (not nil): for results that depend on k alone and come back in every
-- evaluation (a finding per metric name, a parsed expression per text).
-- At most max keys are kept (default 256); then the memory starts afresh.
-- Callers must not change what g returns.
local NONE = {}

function M.memo(f, max)
  max = max or 256
  local made, n = {}, 0
  return function(k)
    local v = made[k]
    if v == nil then
      v = f(k)
      if n >= max then
        made, n = {}, 0
      end
      if v == nil then
        made[k] = NONE
      else
        made[k] = v
      end
      n = n + 1
      return v
    elseif v == NONE then
      return nil
    end
    return v
  end
end

--- high_impact(use) -> true when the use (component.use) is customer-facing,
-- of high impact or touches a high-stakes domain: the uses for which whole
-- workflows must be tested and fallbacks exist.
function M.high_impact(use)
  if type(use) ~= "table" then
    return false
  end
  local hsd = use.high_stakes_domains
  return use.customer_facing == true or use.impact == "high" or (type(hsd) == "table" and #hsd > 0)
end

return M
