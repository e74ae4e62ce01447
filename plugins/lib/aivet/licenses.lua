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
local util = require "aivet.util"

local ipairs, type = ipairs, type
local or_empty = util.or_empty

local M = {}

local by_id, by_alias, exceptions = {}, {}, {}

local function key(s)
  return (s:gsub("^%s+", ""):gsub("%s+$", ""):lower())
end

-- Entry e under each of its aliases in index, unless an earlier entry has it.
local function add_aliases(index, e)
  for _, a in ipairs(or_empty(e.aliases)) do
    if type(a) == "string" then
      index[key(a)] = index[key(a)] or e
    end
  end
end

for _, e in ipairs(or_empty(kb.licenses)) do
  by_id[key(e.id)] = e
  add_aliases(by_alias, e)
end
for _, e in ipairs(or_empty(kb.exceptions)) do
  exceptions[key(e.id)] = e
  add_aliases(exceptions, e)
end

--- The version of the SPDX license list the data was taken from, or nil.
M.spdx_list_version = kb.spdx_list_version

-- The id as written: id itself or a license map's id, when it is a
-- string that is not empty; else nil.
local function written(id)
  if type(id) == "table" then
    id = id.id
  end
  if type(id) ~= "string" or id == "" then
    return nil
  end
  return id
end

--- lookup(id) -> entry or nil.  id may be a string or a {id=...} table
-- (a manifest's license map).  An id wins over another entry's alias.
-- Answers by the id as written (before trimming and lower-casing): the
-- same few ids come back in every evaluation.
local entry_of = util.memo(function(id)
  local k = key(id)
  return by_id[k] or by_alias[k]
end, 1024)

function M.lookup(id)
  id = written(id)
  return id and entry_of(id)
end

--- exception(id) -> the license exception entry ("Classpath-exception-2.0") or nil.
function M.exception(id)
  id = written(id)
  return id and exceptions[key(id)] or nil
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
  for i, c in ipairs(or_empty(e and e.conditions)) do
    out[i] = c
  end
  return out
end

--- ids() -> a sorted list of every license id in the knowledge base.
function M.ids()
  local out = {}
  for _, e in ipairs(or_empty(kb.licenses)) do
    out[#out + 1] = e.id
  end
  table.sort(out)
  return out
end

return M
