--- aivet.version: is a version pinned, and which of two versions is newer.
--
--   local version = require "aivet.version"
--   version.is_pinned("==2.1.0")        -- true (PEP 440 exact pin)
--   version.is_pinned("1.2.3")          -- true (exact semver)
--   version.is_pinned(">=1.0")          -- false
--   version.is_pinned("41b61a33a2483885c981aa79e0df6b32407ed873")  -- true (commit)
--   version.is_pinned("sha256:" .. string.rep("a", 64))            -- true (digest)
--   version.compare("1.10.0", "1.9.2")  -- 1
local util = require "aivet.util"

local M = {}

local function is_hex(s, n)
  return #s == n and s:match("^%x+$") ~= nil
end

local function is_semver(s)
  -- x.y.z with an optional pre-release and build, and an optional leading v.
  s = s:gsub("^v", "")
  return s:match("^%d+%.%d+%.%d+$") ~= nil
    or s:match("^%d+%.%d+%.%d+[-+][%w%.%-+]+$") ~= nil
end

local function is_pep440_exact(s)
  -- What follows == or ===: a release with no wildcard.
  if s:find("*", 1, true) or s == "" then
    return false
  end
  return s:match("^v?%d+[%w%.%-+!]*$") ~= nil
end

local function pinned(spec)
  local s = spec:gsub("^%s+", ""):gsub("%s+$", "")
  local digest = s:match("sha256:(%x+)$")
  if digest then
    return #digest == 64
  end
  if is_hex(s, 40) then
    return true
  end
  local exact = s:match("^===%s*(.+)$") or s:match("^==%s*(.+)$")
  if exact then
    return is_pep440_exact(exact)
  end
  if s:match("^=") then
    s = s:gsub("^=%s*", "")
  end
  return is_semver(s)
end

--- is_pinned(spec) -> boolean.  Pinned: an exact semver ("1.2.3",
-- "v1.2.3-rc.1"), a PEP 440 exact pin ("==1.2", "===1.2.3", no "*"), a full
-- 40-hex commit sha, or a digest ("sha256:<64 hex>", also after "@").
-- Answers by the spec as written: the same few pins come back in every
-- evaluation, and the patterns cost a microsecond or more per spec.
local pinned_text = util.memo(pinned, 1024)

function M.is_pinned(spec)
  if type(spec) ~= "string" then
    return false
  end
  return pinned_text(spec)
end

local function split(v)
  v = v:gsub("^%s*[=v]*", ""):gsub("%+.*$", "")
  local main, pre = v:match("^([^-]*)%-(.*)$")
  if not main then
    main = v
  end
  local nums = {}
  for part in main:gmatch("[^%.]+") do
    nums[#nums + 1] = tonumber(part:match("^%d+")) or 0
  end
  return nums, pre
end

local function compare_pre(a, b)
  if a == b then
    return 0
  end
  if not a then
    return 1 -- a release is newer than its pre-releases
  end
  if not b then
    return -1
  end
  local ia, ib = a:gmatch("[^%.]+"), b:gmatch("[^%.]+")
  while true do
    local x, y = ia(), ib()
    if x == nil and y == nil then
      return 0
    elseif x == nil then
      return -1
    elseif y == nil then
      return 1
    end
    local nx, ny = tonumber(x), tonumber(y)
    if nx and ny then
      if nx ~= ny then
        return nx < ny and -1 or 1
      end
    elseif x ~= y then
      if nx then
        return -1
      elseif ny then
        return 1
      end
      return x < y and -1 or 1
    end
  end
end

--- compare(a, b) -> -1, 0 or 1 as version a is older than, equal to or
-- newer than b.  Numeric parts compare as numbers ("1.10" > "1.9"), missing
-- parts are 0, a pre-release ("1.0.0-rc1") is older than its release, and
-- build metadata ("+abc") is ignored.
function M.compare(a, b)
  assert(type(a) == "string" and type(b) == "string", "compare expects two version strings")
  local na, pa = split(a)
  local nb, pb = split(b)
  for i = 1, math.max(#na, #nb) do
    local x, y = na[i] or 0, nb[i] or 0
    if x ~= y then
      return x < y and -1 or 1
    end
  end
  return compare_pre(pa, pb)
end

return M
