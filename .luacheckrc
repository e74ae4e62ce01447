-- luacheck's view of aivet's Lua: policy plugins, their helper modules
-- (plugins/lib/) and their tests, all run in the sandbox of
-- engine/sandbox.c (docs/plugins.md, "The sandbox").  Checked by the
-- meson test 'luacheck' over plugins/ and examples/policies/.

-- The globals the sandbox gives, and nothing else: Lua 5.4's base
-- functions without dofile and loadfile; string without dump; table, math
-- and utf8; os with its three clock functions.  No io, debug, package or
-- coroutine.  Every library table is read-only.
stds.aivet = {
  read_globals = {
    "_VERSION", "assert", "collectgarbage", "error", "getmetatable", "ipairs", "load", "next",
    "pairs", "pcall", "print", "rawequal", "rawget", "rawlen", "rawset", "require", "select",
    "setmetatable", "tonumber", "tostring", "type", "warn", "xpcall",
    string = { fields = {
      "byte", "char", "find", "format", "gmatch", "gsub", "len", "lower", "match", "pack",
      "packsize", "rep", "reverse", "sub", "unpack", "upper",
    } },
    table = { fields = { "concat", "insert", "move", "pack", "remove", "sort", "unpack" } },
    math = { fields = {
      "abs", "acos", "asin", "atan", "ceil", "cos", "deg", "exp", "floor", "fmod", "huge", "log",
      "max", "maxinteger", "min", "mininteger", "modf", "pi", "rad", "random", "randomseed",
      "sin", "sqrt", "tan", "tointeger", "type", "ult",
    } },
    utf8 = { fields = { "char", "charpattern", "codepoint", "codes", "len", "offset" } },
    os = { fields = { "clock", "date", "time" } },
  },
  -- Each plugin has its own global table, which it may write (its own _G).
  globals = { "_G" },
}

-- What `aivet plugin test` adds to a *_test.lua file (engine/plugintest.c);
-- its tests are the global functions named test_*.
stds.aivet_test = {
  read_globals = { "evaluate", "expect_finding", "expect_no_finding", "expect_decision", "expect_severity" },
}

std = "aivet"
-- The finding messages and remedies are sentences on one line.
max_line_length = false

files["**/*_test.lua"] = {
  std = "aivet+aivet_test",
  ignore = { "111/test_.*", "131/test_.*" },
}
