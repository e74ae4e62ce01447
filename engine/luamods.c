/*
 * luamods.c - the aivet.* helper modules written in C, and the one table
 * that registers every C module with the sandbox's require.
 *
 * aivet.time and aivet.log wrap the engine's clock and the host's log;
 * aivet.kb is the merged license knowledge base (policies/data), read-only,
 * on which the Lua module aivet.licenses builds its lookups.  aivet.spdx
 * (lua_spdx.c) and aivet.markdown (markdown.c) are registered here too.  The helper
 * modules written in Lua live in plugins/lib/aivet/.
 */
#include <stdio.h>
#include <string.h>

#include <lauxlib.h>
#include <lua.h>

#include "clock.h"
#include "markdown.h"
#include "plugin_int.h"
#include "spdx.h"

/***
 * aivet.time.now() -> integer: unix seconds of the evaluation (AIVET_NOW
 * when set).
 */
static int
time_now(lua_State *L)
{
	av_sandbox *sb = av_sandbox_of(L);

	lua_pushinteger(L, (lua_Integer)(sb->now != 0 ? sb->now : av_now()));
	return 1;
}

/* A manifest field that is absent is data, not a caller's mistake: the
 * parsers answer nil for it, so that plugins can pass fields straight in. */
static int
absent(lua_State *L, const char *what)
{
	luaL_pushfail(L);
	lua_pushfstring(L, "no %s given", what);
	return 2;
}

/***
 * aivet.time.parse_duration("90d") -> seconds, or nil, message (also for nil).
 */
static int
time_parse_duration(lua_State *L)
{
	const char *s;
	int64_t secs;

	if (lua_isnoneornil(L, 1))
		return absent(L, "duration");
	s = luaL_checkstring(L, 1);

	if (av_duration_parse(s, &secs) != 0) {
		luaL_pushfail(L);
		lua_pushfstring(L, "invalid duration '%s' (expected e.g. 90d, 6mo, 1y)", s);
		return 2;
	}
	lua_pushinteger(L, (lua_Integer)secs);
	return 1;
}

/***
 * aivet.time.parse_date("2027-03-01") -> unix seconds, or nil, message (also
 * for nil).  Accepts ISO 8601 dates and date-times.
 */
static int
time_parse_date(lua_State *L)
{
	const char *s;
	int64_t t;

	if (lua_isnoneornil(L, 1))
		return absent(L, "date");
	s = luaL_checkstring(L, 1);

	if (av_time_parse(s, &t) != 0) {
		luaL_pushfail(L);
		lua_pushfstring(L, "invalid date '%s' (expected YYYY-MM-DD)", s);
		return 2;
	}
	lua_pushinteger(L, (lua_Integer)t);
	return 1;
}

/***
 * aivet.time.format_date(t) -> "YYYY-MM-DD".
 */
static int
time_format_date(lua_State *L)
{
	char buf[32];

	lua_pushstring(L, av_date_format((int64_t)luaL_checkinteger(L, 1), buf, sizeof(buf)));
	return 1;
}

/***
 * aivet.time.days(n) -> seconds in n days.
 */
static int
time_days(lua_State *L)
{
	lua_pushinteger(L, luaL_checkinteger(L, 1) * 86400);
	return 1;
}

static int
open_time(lua_State *L)
{
	static const luaL_Reg funcs[] = {
		{"now", time_now},
		{"parse_duration", time_parse_duration},
		{"parse_date", time_parse_date},
		{"format_date", time_format_date},
		{"days", time_days},
		{NULL, NULL},
	};

	luaL_newlib(L, funcs);
	return 1;
}

static int
log_at(lua_State *L, int level)
{
	av_sandbox *sb = av_sandbox_of(L);
	luaL_Buffer b;
	int n = lua_gettop(L);

	luaL_buffinit(L, &b);
	if (sb->who != NULL) {
		luaL_addstring(&b, "plugin ");
		luaL_addstring(&b, sb->who);
		luaL_addstring(&b, ": ");
	}
	for (int i = 1; i <= n; i++) {
		if (i > 1)
			luaL_addchar(&b, ' ');
		luaL_tolstring(L, i, NULL);
		luaL_addvalue(&b);
	}
	luaL_pushresult(&b);
	if (sb->log != NULL)
		sb->log(sb->log_arg, level, lua_tostring(L, -1));
	return 0;
}

/***
 * aivet.log.info(...), .warn(...), .error(...): one line to the host's log,
 * prefixed with the plugin's name.  error() only logs; it does not raise.
 */
static int
log_info(lua_State *L)
{
	return log_at(L, AV_LOG_INFO);
}

static int
log_warn(lua_State *L)
{
	return log_at(L, AV_LOG_WARN);
}

static int
log_error(lua_State *L)
{
	return log_at(L, AV_LOG_ERROR);
}

static int
open_log(lua_State *L)
{
	static const luaL_Reg funcs[] = {
		{"info", log_info},
		{"warn", log_warn},
		{"error", log_error},
		{NULL, NULL},
	};

	luaL_newlib(L, funcs);
	return 1;
}

/***
 * aivet.kb: {spdx_list_version=, licenses={...}, exceptions={...}}, the
 * merged license data files, in load order.
 */
static int
open_kb(lua_State *L)
{
	av_sandbox *sb = av_sandbox_of(L);

	if (sb->policy != NULL && sb->policy->kb != NULL)
		av_node_push_lua(L, av_doc_root(sb->policy->kb));
	else
		lua_newtable(L);
	if (lua_type(L, -1) != LUA_TTABLE) {
		lua_pop(L, 1);
		lua_newtable(L);
	}
	return 1;
}

/* Every C module, in one place: a new module is one more line here. */
static const luaL_Reg modules[] = {
	{"aivet.time", open_time},
	{"aivet.log", open_log},
	{"aivet.kb", open_kb},
	{"aivet.spdx", luaopen_aivet_spdx},
	{"aivet.markdown", luaopen_aivet_markdown},
	{NULL, NULL},
};

void
av_luamods_preload(lua_State *L)
{
	/* The preload table is on top of the stack. */
	luaL_setfuncs(L, modules, 0);
	lua_pop(L, 1);
}
