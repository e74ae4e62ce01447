-- Tests of plugins/lib/aivet/util.lua, the helpers the plugins share.

local util = require "aivet.util"

local function raises(f, what)
	local ok, err = pcall(f)
	assert(not ok, what .. " should raise")
	return tostring(err)
end

function test_or_empty_gives_tables_back_and_empty_for_the_rest()
	local t = {}
	assert(util.or_empty(t) == t)
	for _, v in ipairs({ "text", 5, true }) do
		assert(util.or_empty(v) == util.EMPTY, tostring(v))
	end
	assert(util.or_empty(nil) == util.EMPTY)
	assert(util.or_empty(false) == util.EMPTY)
	assert(#util.EMPTY == 0 and next(util.EMPTY) == nil)
	for _ in ipairs(util.or_empty(nil)) do
		error("EMPTY has no items")
	end
end

-- One plugin must not be able to change what another reads.
function test_empty_and_the_module_are_read_only()
	local err = raises(function() util.or_empty(nil).x = 1 end, "writing to EMPTY")
	assert(err:find("read-only", 1, true), err)
	raises(function() util.EMPTY[1] = "x" end, "writing to util.EMPTY")
	raises(function() rawset(util.or_empty(nil), "x", 1) end, "rawset on EMPTY")
	raises(function() table.insert(util.EMPTY, "x") end, "table.insert on EMPTY")
	raises(function() util.text = nil end, "replacing a function of the module")
	assert(util.or_empty(nil).x == nil and #util.EMPTY == 0)
end

function test_text_needs_a_non_space_character()
	for _, s in ipairs({ "owner", " x", "\tteam", "\u{e9}quipe", "-" }) do
		assert(util.text(s) == true, ("%q"):format(s))
	end
	for _, v in ipairs({ "", " ", "\t\n  ", 5, true, {} }) do
		assert(util.text(v) == false, tostring(v))
	end
	assert(util.text(nil) == false)
end

function test_nonempty_needs_a_first_item()
	assert(util.nonempty({ "a" }) == true)
	assert(util.nonempty({}) == false)
	assert(util.nonempty({ a = 1 }) == false)
	assert(util.nonempty("abc") == false)
	assert(util.nonempty(nil) == false)
end

function test_strings_is_a_new_list_of_texts()
	local s = util.strings({ "a", 2, true })
	assert(#s == 3 and s[1] == "a" and s[2] == "2" and s[3] == "true")
	local none = util.strings(nil)
	assert(#none == 0 and none ~= util.EMPTY)
	none[1] = "writable"
	assert(util.strings("abc")[1] == nil)
end

function test_sets_read_items_as_text()
	local list = { "MIT", "Apache-2.0", 5 }
	local s = util.set(list)
	assert(s.MIT and s["Apache-2.0"] and s["5"] and not s.mit)
	local l = util.lower_set(list)
	assert(l.mit and l["apache-2.0"] and not l.MIT)
	assert(next(util.set(nil)) == nil and next(util.lower_set("MIT")) == nil)
	assert(util.set(list) ~= s, "a new set on every call")
end

-- Each per_table function keeps its own sets: what one plugin does with its
-- set is not seen by another.
function test_sets_made_once_per_list_are_kept_apart()
	local list = { "MIT" }
	local mine, theirs = util.per_table(util.lower_set), util.per_table(util.lower_set)
	local s = mine(list)
	assert(mine(list) == s and s.mit)
	s.gpl = true
	assert(theirs(list).gpl == nil)
	assert(next(mine(nil)) == nil, "not a table: an empty set")
end

function test_memo_calls_once_per_key_and_is_bounded()
	local calls = 0
	local f = util.memo(function(k)
		calls = calls + 1
		if k == "none" then
			return nil
		end
		return { k }
	end, 3)
	local a = f("a")
	assert(f("a") == a and calls == 1)
	assert(f("none") == nil and f("none") == nil and calls == 2, "a nil result is kept too")
	f("b")
	assert(calls == 3)
	f("c") -- a fourth key: the memory starts afresh
	assert(calls == 4)
	assert(f("a") ~= a and f("a")[1] == "a" and calls == 5)
end

function test_per_table_calls_once_per_table()
	local calls = 0
	local f = util.per_table(function(t)
		calls = calls + 1
		return #t
	end)
	local x, y = { 1, 2 }, { 1 }
	assert(f(x) == 2 and f(x) == 2 and calls == 1)
	assert(f(y) == 1 and calls == 2)
	assert(f("abc") == 3 and f("abc") == 3 and calls == 4, "anything but a table is not kept")
end

function test_high_impact_uses()
	assert(util.high_impact({ customer_facing = true }))
	assert(util.high_impact({ impact = "high" }))
	assert(util.high_impact({ high_stakes_domains = { "health" } }))
	assert(not util.high_impact({ impact = "medium", customer_facing = false, high_stakes_domains = {} }))
	assert(not util.high_impact(util.EMPTY))
	assert(not util.high_impact(nil) and not util.high_impact("high"))
end
