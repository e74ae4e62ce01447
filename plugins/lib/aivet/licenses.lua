--- aivet.licenses: the license knowledge base (policies/data/*.yaml).
--
-- Looks up a license id, written the SPDX way ("Apache-2.0") or the way a
-- Hugging Face card writes it ("apache-2.0", "llama3.1"), case-insensitive,
-- on ids and aliases.  Entries are read-only tables with the fields of the
-- data file: id, name, spdx, osi_approved, fsf_libre, deprecated, category,
-- commercial, open_source, conditions, aliases, url.
--
--   local licenses = require "aivet.licenses"
--   local e = licenses.lookup("apache-2.0")   -- e.id == "Apache-2.0"
--   licenses.category("MIT")                  -- "permissive"
--   licenses.is_open_source("llama3")         -- false
local kb = require "aivet.kb"

local M = {}

local by_id, by_alias, exceptions = {}, {}, {}

local function key(s)
  return (s:gsub("^%s+", ""):gsub("%s+$", ""):lower())
end

for _, e in ipairs(kb.licenses or {}) do
  by_id[key(e.id)] = e
  for _, a in ipairs(e.aliases or {}) do
    if type(a) == "string" then
      by_alias[key(a)] = by_alias[key(a)] or e
    end
  end
end
for _, e in ipairs(kb.exceptions or {}) do
  exceptions[key(e.id)] = e
  for _, a in ipairs(e.aliases or {}) do
    if type(a) == "string" then
      exceptions[key(a)] = exceptions[key(a)] or e
    end
  end
end

--- The version of the SPDX license list the data was taken from, or nil.
M.spdx_list_version = kb.spdx_list_version

local function id_of(id)
  if type(id) == "table" then
    id = id.id
  end
  if type(id) ~= "string" or id == "" then
    return nil
  end
  return key(id)
end

--- lookup(id) -> entry or nil.  id may be a string or a {id=...} table
-- (a manifest's license map).  An id wins over another entry's alias.
-- Answers by the id as written (before trimming and lower-casing): the
-- same few ids come back in every evaluation.  Bounded: emptied when full.
local seen, nseen = {}, 0

function M.lookup(id)
  if type(id) == "table" then
    id = id.id
  end
  if type(id) ~= "string" or id == "" then
    return nil
  end
  local e = seen[id]
  if e ~= nil then
    return e or nil
  end
  local k = key(id)
  e = by_id[k] or by_alias[k]
  if nseen >= 1024 then
    seen, nseen = {}, 0
  end
  seen[id], nseen = e or false, nseen + 1
  return e
end

--- exception(id) -> the license exception entry ("Classpath-exception-2.0") or nil.
function M.exception(id)
  local k = id_of(id)
  return k and exceptions[k] or nil
end

--- is_open_source(id) -> true/false, or nil when the id is unknown.
function M.is_open_source(id)
  local e = M.lookup(id)
  if not e then
    return nil
  end
  return e.open_source == true
end

--- category(id) -> "permissive", "copyleft", ... or nil when unknown.
function M.category(id)
  local e = M.lookup(id)
  return e and e.category or nil
end

--- commercial(id) -> the entry's commercial field ("yes", "no", ...) or nil.
function M.commercial(id)
  local e = M.lookup(id)
  return e and e.commercial or nil
end

--- conditions(id) -> a list of conditions ({} when none or unknown).
function M.conditions(id)
  local e = M.lookup(id)
  local out = {}
  for i, c in ipairs(e and e.conditions or {}) do
    out[i] = c
  end
  return out
end

--- ids() -> a sorted list of every license id in the knowledge base.
function M.ids()
  local out = {}
  for _, e in ipairs(kb.licenses or {}) do
    out[#out + 1] = e.id
  end
  table.sort(out)
  return out
end

return M
