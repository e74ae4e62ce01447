/*
 * sandbox.c - the sandboxed Lua state that plugins, helper modules and
 * policy tests run in: allow-listed globals, read-only library tables and
 * components, an instruction budget and a memory cap.
 *
 * Modelled on Redis's script_lua.c: a state is opened with only the base,
 * string, table, math and utf8 libraries and three functions of os; every
 * way to reach code outside the sandbox (dofile, loadfile, binary chunks,
 * string.dump, package.loadlib, debug, io) is absent; the shared library
 * tables are read-only proxies so that one plugin cannot change what
 * another sees.  Each plugin gets its own global environment.  This file
 * does not know what a plugin or a verdict is; policy.c and runtime.c do.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lauxlib.h>
#include <lua.h>
#include <lualib.h>

#include "plugin_int.h"

#define HOOK_STEP 1000

/* Registry keys (addresses of these are unique). */
static const char key_globals = 'G';  /* the shared, read-only globals */
static const char key_backing = 'B';  /* in a proxy's metatable: its backing table */
static const char key_what = 'W';     /* in a proxy's metatable: what it guards */
static const char key_proxies = 'P';  /* weak map backing -> proxy */
static const char key_loaded = 'L';   /* require's cache */
static const char key_preload = 'R';  /* C modules: name -> luaopen function */

av_sandbox *
av_sandbox_of(lua_State *L)
{
	return *(av_sandbox **)lua_getextraspace(L);
}

/* The accounting allocator: every state has its own cap, so that one
 * runaway plugin cannot take the daemon's memory. */
static void *
sb_alloc(void *ud, void *ptr, size_t osize, size_t nsize)
{
	av_sandbox *sb = ud;
	size_t old = ptr != NULL ? osize : 0;

	if (nsize == 0) {
		free(ptr);
		sb->used -= old;
		return NULL;
	}
	if (nsize > old && sb->used + (nsize - old) > sb->limit) {
		sb->mem_exceeded = true;
		return NULL;
	}
	void *p = realloc(ptr, nsize);
	if (p == NULL) {
		sb->mem_exceeded = true;
		return NULL;
	}
	sb->used = sb->used - old + nsize;
	return p;
}

/*
 * The count hook.  Once the budget is spent it fires on every instruction,
 * so a plugin that catches the error with pcall cannot run another
 * instruction to carry on: the error climbs to the host's own pcall.
 */
static void
sb_hook(lua_State *L, lua_Debug *ar)
{
	av_sandbox *sb = av_sandbox_of(L);

	(void)ar;
	sb->count += HOOK_STEP;
	if (sb->timed_out || sb->count > sb->budget) {
		sb->timed_out = true;
		lua_sethook(L, sb_hook, LUA_MASKCOUNT, 1);
		luaL_error(L, "instruction budget of %I exceeded", (lua_Integer)sb->budget);
	}
}

static int
sb_msgh(lua_State *L)
{
	const char *msg = lua_tostring(L, 1);

	if (msg == NULL) {
		if (luaL_callmeta(L, 1, "__tostring") && lua_type(L, -1) == LUA_TSTRING)
			return 1;
		msg = lua_pushfstring(L, "(error object is a %s value)", luaL_typename(L, 1));
	}
	luaL_traceback(L, L, msg, 1);
	return 1;
}

int
av_sandbox_call(av_sandbox *sb, int nargs, int nresults)
{
	lua_State *L = sb->L;
	int base = lua_gettop(L) - nargs;
	int rc;

	sb->count = 0;
	sb->timed_out = false;
	sb->mem_exceeded = false;
	lua_sethook(L, sb_hook, LUA_MASKCOUNT, HOOK_STEP);
	lua_pushcfunction(L, sb_msgh);
	lua_insert(L, base);
	rc = lua_pcall(L, nargs, nresults, base);
	/* Pattern matching charges its steps to count and refuses to start
	 * past the budget, so the error can come before the hook fires. */
	if (rc != LUA_OK && sb->count > sb->budget)
		sb->timed_out = true;
	lua_remove(L, base);
	lua_sethook(L, NULL, 0, 0);
	return rc;
}

/* --- read-only proxies ---
 *
 * A proxy is an empty table whose metatable's __index is the backing
 * table, so that reads are plain VM table lookups with no C call.  The
 * metatable also carries the backing table and what the proxy guards under
 * private keys (no Lua code can form a light userdata key), which is how
 * C code finds the backing table of a proxy; the metamethods are shared
 * light C functions, so a proxy costs two tables and no closures.
 */

static int
ro_error(lua_State *L, const char *what, int keyidx)
{
	av_sandbox *sb = av_sandbox_of(L);
	const char *k;

	if (lua_type(L, keyidx) == LUA_TSTRING || lua_type(L, keyidx) == LUA_TNUMBER)
		k = lua_tostring(L, keyidx);
	else
		k = luaL_typename(L, keyidx);
	if (sb->who != NULL)
		return luaL_error(L, "plugin %s: %s is read-only (key '%s')", sb->who, what, k);
	return luaL_error(L, "%s is read-only (key '%s')", what, k);
}

/* Pushes the backing table of the proxy at idx, or nothing (returns 0). */
static int
ro_backing(lua_State *L, int idx)
{
	idx = lua_absindex(L, idx);
	if (lua_type(L, idx) != LUA_TTABLE || !lua_getmetatable(L, idx))
		return 0;
	if (lua_rawgetp(L, -1, &key_backing) == LUA_TTABLE) {
		lua_remove(L, -2);
		return 1;
	}
	lua_pop(L, 2);
	return 0;
}

static int
ro_newindex(lua_State *L)
{
	const char *what = "table";

	if (lua_getmetatable(L, 1) && lua_rawgetp(L, -1, &key_what) == LUA_TSTRING)
		what = lua_tostring(L, -1);
	return ro_error(L, what, 2);
}

static int
ro_len(lua_State *L)
{
	lua_settop(L, 1);
	if (!ro_backing(L, 1))
		return luaL_argerror(L, 1, "not a read-only proxy");
	lua_pushinteger(L, (lua_Integer)lua_rawlen(L, 2));
	return 1;
}

static int
ro_iter(lua_State *L)
{
	lua_settop(L, 2);
	if (!ro_backing(L, 1))
		return luaL_argerror(L, 1, "not a read-only proxy");
	lua_pushvalue(L, 2);
	if (lua_next(L, 3))
		return 2;
	lua_pushnil(L);
	return 1;
}

/* pairs(proxy) iterates the backing table; the state it hands out is the
 * proxy itself, so the backing table never reaches Lua code. */
static int
ro_pairs(lua_State *L)
{
	lua_pushcfunction(L, ro_iter);
	lua_pushvalue(L, 1);
	lua_pushnil(L);
	return 3;
}

/* Gives the table at proxy the metatable of a proxy over the table at
 * backing, guarding what (a string at index what); all three are absolute
 * indices.  [-0, +0, m] */
static void
ro_seal(lua_State *L, int proxy, int backing, int what)
{
	lua_createtable(L, 0, 7);
	lua_pushvalue(L, backing);
	lua_setfield(L, -2, "__index");
	lua_pushcfunction(L, ro_newindex);
	lua_setfield(L, -2, "__newindex");
	lua_pushcfunction(L, ro_len);
	lua_setfield(L, -2, "__len");
	lua_pushcfunction(L, ro_pairs);
	lua_setfield(L, -2, "__pairs");
	lua_pushboolean(L, 0);
	lua_setfield(L, -2, "__metatable");
	lua_pushvalue(L, backing);
	lua_rawsetp(L, -2, &key_backing);
	lua_pushvalue(L, what);
	lua_rawsetp(L, -2, &key_what);
	lua_setmetatable(L, proxy);
}

static void
ro_wrap(lua_State *L, int idx, const char *what, int depth)
{
	idx = lua_absindex(L, idx);
	luaL_checkstack(L, 8, "read-only proxy");
	lua_rawgetp(L, LUA_REGISTRYINDEX, &key_proxies);
	lua_pushvalue(L, idx);
	if (lua_rawget(L, -2) == LUA_TTABLE) {
		lua_remove(L, -2);
		return;
	}
	lua_pop(L, 1);
	/* The proxy is registered before recursing, so cycles end. */
	lua_newtable(L);              /* proxies proxy */
	lua_pushvalue(L, idx);
	lua_pushvalue(L, -2);
	lua_rawset(L, -4);            /* proxies[backing] = proxy */
	lua_remove(L, -2);            /* proxy */
	if (depth < 200) {
		lua_pushnil(L);
		while (lua_next(L, idx)) {
			if (lua_type(L, -1) == LUA_TTABLE && !ro_backing(L, -1)) {
				ro_wrap(L, -1, what, depth + 1); /* k v proxy */
				lua_pushvalue(L, -3);
				lua_insert(L, -2);
				lua_rawset(L, idx); /* safe: replaces an existing key */
			} else if (lua_type(L, -1) == LUA_TTABLE) {
				lua_pop(L, 1); /* the value was itself a proxy */
			}
			lua_pop(L, 1);
		}
	}
	lua_pushstring(L, what);
	ro_seal(L, lua_gettop(L) - 1, idx, lua_gettop(L));
	lua_pop(L, 1);
}

void
av_sandbox_readonly(av_sandbox *sb, int idx, const char *what)
{
	ro_wrap(sb->L, idx, what, 0);
}

/* Builds the read-only view of n straight from the tree: each map or
 * sequence becomes a backing table and its proxy in one pass, without the
 * walk and the registry bookkeeping of ro_wrap (a tree shares no tables and
 * has no cycles).  [-0, +1, m] */
static void
push_ro(lua_State *L, const av_node *n, int what)
{
	int b;

	luaL_checkstack(L, 6, "document too deep");
	if (n == NULL || (n->type != AV_SEQ && n->type != AV_MAP)) {
		av_node_push_lua(L, n);
		return;
	}
	if (n->type == AV_SEQ) {
		lua_Integer i = 0;
		lua_createtable(L, n->count > 1000000 ? 0 : (int)n->count, 0);
		for (const av_node *c = n->first; c != NULL; c = c->next) {
			if (c->type == AV_NULL)
				continue;
			push_ro(L, c, what);
			lua_rawseti(L, -2, ++i);
		}
	} else {
		lua_createtable(L, 0, n->count > 1000000 ? 0 : (int)n->count);
		for (const av_node *c = n->first; c != NULL; c = c->next) {
			if (c->type == AV_NULL || c->key == NULL)
				continue;
			push_ro(L, c, what);
			lua_setfield(L, -2, c->key);
		}
	}
	b = lua_gettop(L);
	lua_createtable(L, 0, 0);
	ro_seal(L, b + 1, b, what);
	lua_remove(L, b);
}

void
av_sandbox_push_readonly(av_sandbox *sb, const av_node *n, const char *what)
{
	lua_State *L = sb->L;

	lua_pushstring(L, what);
	if (n == NULL || (n->type != AV_SEQ && n->type != AV_MAP)) {
		lua_newtable(L);
		ro_wrap(L, -1, what, 0);
		lua_remove(L, -2);
	} else {
		push_ro(L, n, lua_gettop(L));
	}
	lua_remove(L, -2);
}

/* next, rawget, rawset and rawlen see through proxies, so that the usual
 * idioms (next(t) == nil) work and rawset cannot bypass the proxy. */
static int
sb_next(lua_State *L)
{
	luaL_checktype(L, 1, LUA_TTABLE);
	lua_settop(L, 2);
	if (ro_backing(L, 1))
		lua_replace(L, 1);
	if (lua_next(L, 1))
		return 2;
	lua_pushnil(L);
	return 1;
}

static int
sb_rawget(lua_State *L)
{
	luaL_checktype(L, 1, LUA_TTABLE);
	luaL_checkany(L, 2);
	lua_settop(L, 2);
	if (ro_backing(L, 1))
		lua_replace(L, 1);
	lua_rawget(L, 1);
	return 1;
}

static int
sb_rawlen(lua_State *L)
{
	int t = lua_type(L, 1);

	luaL_argexpected(L, t == LUA_TTABLE || t == LUA_TSTRING, 1, "table or string");
	lua_settop(L, 1);
	if (t == LUA_TTABLE && ro_backing(L, 1))
		lua_replace(L, 1);
	lua_pushinteger(L, (lua_Integer)lua_rawlen(L, 1));
	return 1;
}

static int
sb_rawset(lua_State *L)
{
	luaL_checktype(L, 1, LUA_TTABLE);
	luaL_checkany(L, 2);
	luaL_checkany(L, 3);
	if (ro_backing(L, 1))
		return ro_error(L, "table", 2);
	lua_settop(L, 3);
	lua_rawset(L, 1);
	return 1;
}

/* setmetatable as Lua's own, but refusing finalizers: a __gc metamethod
 * runs whenever the collector does, which is also outside
 * av_sandbox_call (in the host's own allocations, in lua_close) where no
 * budget stops it. */
static int
sb_setmetatable(lua_State *L)
{
	int t = lua_type(L, 2);

	luaL_checktype(L, 1, LUA_TTABLE);
	luaL_argexpected(L, t == LUA_TNIL || t == LUA_TTABLE, 2, "nil or table");
	if (luaL_getmetafield(L, 1, "__metatable") != LUA_TNIL)
		return luaL_error(L, "cannot change a protected metatable");
	if (t == LUA_TTABLE) {
		lua_pushliteral(L, "__gc");
		if (lua_rawget(L, 2) != LUA_TNIL)
			return luaL_error(L, "finalizers (__gc) are not allowed in the sandbox");
		lua_pop(L, 1);
	}
	lua_settop(L, 2);
	lua_setmetatable(L, 1);
	return 1;
}

/* --- globals --- */

/* A fresh environment whose reads fall through to the shared globals. */
static void
push_env(lua_State *L)
{
	lua_newtable(L);
	lua_createtable(L, 0, 2);
	lua_rawgetp(L, LUA_REGISTRYINDEX, &key_globals);
	lua_setfield(L, -2, "__index");
	lua_pushboolean(L, 0);
	lua_setfield(L, -2, "__metatable");
	lua_setmetatable(L, -2);
	lua_pushvalue(L, -1);
	lua_setfield(L, -2, "_G");
}

/* load(chunk [, chunkname [, mode [, env]]]): text only; env defaults to a
 * fresh sandbox environment. */
static int
sb_load(lua_State *L)
{
	size_t len;
	const char *s;
	const char *name;
	int rc;

	if (lua_type(L, 1) != LUA_TSTRING)
		return luaL_argerror(L, 1, "only strings can be loaded in the sandbox");
	s = lua_tolstring(L, 1, &len);
	name = luaL_optstring(L, 2, "=(load)");
	if (!lua_isnoneornil(L, 3) && strcmp(luaL_checkstring(L, 3), "t") != 0)
		return luaL_argerror(L, 3, "only text chunks (mode \"t\") can be loaded");
	rc = luaL_loadbufferx(L, s, len, name, "t");
	if (rc != LUA_OK) {
		luaL_pushfail(L);
		lua_insert(L, -2);
		return 2;
	}
	if (!lua_isnone(L, 4))
		lua_pushvalue(L, 4);
	else
		push_env(L);
	if (!lua_setupvalue(L, -2, 1))
		lua_pop(L, 1);
	return 1;
}

static int
sb_collectgarbage(lua_State *L)
{
	const char *opt = luaL_optstring(L, 1, "count");

	if (strcmp(opt, "count") != 0)
		return luaL_argerror(L, 1, "only \"count\" is allowed in the sandbox");
	int k = lua_gc(L, LUA_GCCOUNT, 0);
	int b = lua_gc(L, LUA_GCCOUNTB, 0);
	lua_pushnumber(L, (lua_Number)k + (lua_Number)b / 1024);
	return 1;
}

static int
sb_print(lua_State *L)
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
			luaL_addchar(&b, '\t');
		luaL_tolstring(L, i, NULL);
		luaL_addvalue(&b);
	}
	luaL_pushresult(&b);
	if (sb->log != NULL)
		sb->log(sb->log_arg, AV_LOG_INFO, lua_tostring(L, -1));
	return 0;
}

/* require: the cache, then the C modules, then the lib/ files of the
 * plugin directories (the last directory that has a module wins). */
static int
sb_require(lua_State *L)
{
	av_sandbox *sb = av_sandbox_of(L);
	const char *name = luaL_checkstring(L, 1);
	const av_src *src = NULL;

	lua_settop(L, 1);
	lua_rawgetp(L, LUA_REGISTRYINDEX, &key_loaded); /* 2 */
	if (lua_getfield(L, 2, name) != LUA_TNIL)
		return 1;
	lua_pop(L, 1);
	lua_rawgetp(L, LUA_REGISTRYINDEX, &key_preload);
	if (lua_getfield(L, -1, name) == LUA_TFUNCTION) {
		lua_pushstring(L, name);
		lua_call(L, 1, 1);
	} else {
		lua_pop(L, 1);
		if (sb->policy != NULL)
			for (size_t i = sb->policy->nlibs; i-- > 0;)
				if (strcmp(sb->policy->libs[i].name, name) == 0) {
					src = &sb->policy->libs[i];
					break;
				}
		if (src == NULL)
			return luaL_error(L,
			    "module '%s' not found (only aivet modules and files in a plugin "
			    "directory's lib/ can be required)", name);
		lua_pushfstring(L, "@%s", src->file);
		if (luaL_loadbufferx(L, src->buf, src->len, lua_tostring(L, -1), "t") != LUA_OK)
			return lua_error(L);
		push_env(L);
		lua_setupvalue(L, -2, 1);
		lua_pushstring(L, name);
		lua_call(L, 1, 1);
	}
	if (lua_isnil(L, -1)) {
		lua_pop(L, 1);
		lua_pushboolean(L, 1);
	}
	if (lua_type(L, -1) == LUA_TTABLE) {
		av_sandbox_readonly(sb, -1, "module");
		lua_remove(L, -2);
	}
	lua_pushvalue(L, -1);
	lua_setfield(L, 2, name);
	return 1;
}

static void
copy_field(lua_State *L, int from, int to, const char *name)
{
	from = lua_absindex(L, from);
	to = lua_absindex(L, to);
	lua_getfield(L, from, name);
	lua_setfield(L, to, name);
}

static int
sb_setup(lua_State *L)
{
	av_sandbox *sb = lua_touserdata(L, 1);
	static const char *const drop[] = {"dofile", "loadfile", "load", "collectgarbage", "print",
		"require", "next", "rawget", "rawset", "rawlen", "setmetatable", NULL};
	static const luaL_Reg add[] = {
		{"load", sb_load},
		{"collectgarbage", sb_collectgarbage},
		{"print", sb_print},
		{"require", sb_require},
		{"next", sb_next},
		{"rawget", sb_rawget},
		{"rawset", sb_rawset},
		{"rawlen", sb_rawlen},
		{"setmetatable", sb_setmetatable},
		{NULL, NULL},
	};
	static const struct {
		const char *name;
		lua_CFunction open;
	} libs[] = {
		{"string", luaopen_string},
		{"table", luaopen_table},
		{"math", luaopen_math},
		{"utf8", luaopen_utf8},
	};

	*(av_sandbox **)lua_getextraspace(L) = sb;
	lua_newtable(L);
	lua_setfield(L, LUA_REGISTRYINDEX, LUA_LOADED_TABLE);
	/* The weak map from backing tables to their proxies. */
	lua_newtable(L);
	lua_newtable(L);
	lua_pushstring(L, "k");
	lua_setfield(L, -2, "__mode");
	lua_setmetatable(L, -2);
	lua_rawsetp(L, LUA_REGISTRYINDEX, &key_proxies);
	lua_newtable(L);
	lua_rawsetp(L, LUA_REGISTRYINDEX, &key_loaded);
	lua_newtable(L);
	lua_rawsetp(L, LUA_REGISTRYINDEX, &key_preload);

	/* The globals: base, then the allowed libraries. */
	luaL_requiref(L, "_G", luaopen_base, 0);
	int g = lua_gettop(L);
	for (int i = 0; drop[i] != NULL; i++) {
		lua_pushnil(L);
		lua_setfield(L, g, drop[i]);
	}
	luaL_setfuncs(L, add, 0);
	lua_pushnil(L);
	lua_setfield(L, g, "_G");
	for (size_t i = 0; i < sizeof(libs) / sizeof(libs[0]); i++) {
		luaL_requiref(L, libs[i].name, libs[i].open, 0);
		lua_setfield(L, g, libs[i].name);
	}
	lua_getfield(L, g, "string");
	lua_pushnil(L);
	lua_setfield(L, -2, "dump");
	/* Pattern matching runs in C, out of the count hook's reach: use the
	 * copy with a step budget, whose steps count as instructions.  This is
	 * the table the string metatable's __index holds, so ("x"):find is
	 * covered too. */
	av_strmatch_register(L, -1, &sb->count, &sb->budget);
	lua_pop(L, 1);
	/* The string metatable is shared by every string: protect it. */
	lua_pushliteral(L, "");
	lua_getmetatable(L, -1);
	lua_pushboolean(L, 0);
	lua_setfield(L, -2, "__metatable");
	lua_pop(L, 2);
	/* os: only the clock functions. */
	luaL_requiref(L, "os", luaopen_os, 0);
	lua_createtable(L, 0, 3);
	copy_field(L, -2, -1, "time");
	copy_field(L, -2, -1, "date");
	copy_field(L, -2, -1, "clock");
	lua_setfield(L, g, "os");
	lua_pop(L, 1);
	lua_pushnil(L);
	lua_setfield(L, LUA_REGISTRYINDEX, LUA_LOADED_TABLE);

	/* Library tables become read-only, then the globals themselves. */
	static const char *const ro[] = {"string", "table", "math", "utf8", "os"};
	for (size_t i = 0; i < sizeof(ro) / sizeof(ro[0]); i++) {
		lua_getfield(L, g, ro[i]);
		ro_wrap(L, -1, ro[i], 0);
		lua_setfield(L, g, ro[i]);
		lua_pop(L, 1);
	}
	ro_wrap(L, g, "the global table", 0);
	lua_rawsetp(L, LUA_REGISTRYINDEX, &key_globals);
	lua_pushglobaltable(L);
	lua_pushnil(L);
	lua_setfield(L, -2, "_G");
	lua_pop(L, 1);

	lua_rawgetp(L, LUA_REGISTRYINDEX, &key_preload);
	av_luamods_preload(L);
	return 0;
}

int
av_sandbox_open(av_sandbox *sb)
{
	sb->used = 0;
	sb->mem_exceeded = false;
	if (sb->limit == 0)
		sb->limit = AV_DEFAULT_MEMLIMIT;
	if (sb->budget == 0)
		sb->budget = AV_DEFAULT_BUDGET;
	sb->L = lua_newstate(sb_alloc, sb);
	if (sb->L == NULL)
		return AV_ENOMEM;
	*(av_sandbox **)lua_getextraspace(sb->L) = sb;
	lua_pushcfunction(sb->L, sb_setup);
	lua_pushlightuserdata(sb->L, sb);
	if (lua_pcall(sb->L, 1, 0, 0) != LUA_OK) {
		lua_close(sb->L);
		sb->L = NULL;
		return AV_ENOMEM;
	}
	return 0;
}

void
av_sandbox_close(av_sandbox *sb)
{
	if (sb->L != NULL)
		lua_close(sb->L);
	sb->L = NULL;
}

int
av_sandbox_load(av_sandbox *sb, const char *buf, size_t len, const char *chunkname)
{
	lua_State *L = sb->L;
	int rc = luaL_loadbufferx(L, buf, len, chunkname, "t");

	if (rc != LUA_OK)
		return rc;
	push_env(L);
	lua_setupvalue(L, -2, 1);
	return LUA_OK;
}

/* Documents and Lua values, both ways: settings and manifests go in,
 * settings_schema tables and test manifests come out. */

av_node *
av_lua_to_node(lua_State *L, int idx, av_doc *doc, int depth, char *why, size_t whylen)
{
	av_node *n;

	idx = lua_absindex(L, idx);
	if (depth > 32) {
		snprintf(why, whylen, "nested too deep");
		return NULL;
	}
	switch (lua_type(L, idx)) {
	case LUA_TNIL:
		return av_node_new(doc, AV_NULL);
	case LUA_TBOOLEAN:
		return av_node_new_bool(doc, lua_toboolean(L, idx));
	case LUA_TNUMBER:
		if (lua_isinteger(L, idx))
			return av_node_new_int(doc, (int64_t)lua_tointeger(L, idx));
		return av_node_new_float(doc, (double)lua_tonumber(L, idx));
	case LUA_TSTRING: {
		size_t len;
		const char *s = lua_tolstring(L, idx, &len);
		return av_node_new_str(doc, s, len);
	}
	case LUA_TTABLE: {
		lua_Integer len = (lua_Integer)lua_rawlen(L, idx), count = 0;
		bool seq = true;
		luaL_checkstack(L, 4, "settings");
		lua_pushnil(L);
		while (lua_next(L, idx)) {
			count++;
			if (!lua_isinteger(L, -2) || lua_tointeger(L, -2) < 1 ||
			    lua_tointeger(L, -2) > len)
				seq = false;
			lua_pop(L, 1);
		}
		if (seq && count == len) {
			n = av_node_new(doc, AV_SEQ);
			for (lua_Integer i = 1; n != NULL && i <= len; i++) {
				lua_rawgeti(L, idx, i);
				av_node *c = av_lua_to_node(L, -1, doc, depth + 1, why, whylen);
				lua_pop(L, 1);
				if (c == NULL)
					return NULL;
				av_seq_append(n, c);
			}
			return n;
		}
		n = av_node_new(doc, AV_MAP);
		lua_pushnil(L);
		while (n != NULL && lua_next(L, idx)) {
			if (lua_type(L, -2) != LUA_TSTRING) {
				snprintf(why, whylen, "a table mixes string and non-string keys");
				lua_pop(L, 2);
				return NULL;
			}
			av_node *c = av_lua_to_node(L, -1, doc, depth + 1, why, whylen);
			if (c == NULL) {
				lua_pop(L, 2);
				return NULL;
			}
			av_map_set(doc, n, lua_tostring(L, -2), c);
			lua_pop(L, 1);
		}
		return n;
	}
	default:
		snprintf(why, whylen, "a %s has no settings form", luaL_typename(L, idx));
		return NULL;
	}
}


void
av_node_push_lua(lua_State *L, const av_node *n)
{
	luaL_checkstack(L, 4, "document too deep");
	if (n == NULL) {
		lua_pushnil(L);
		return;
	}
	switch (n->type) {
	case AV_NULL:
		lua_pushnil(L);
		break;
	case AV_BOOL:
		lua_pushboolean(L, n->b);
		break;
	case AV_INT:
		lua_pushinteger(L, (lua_Integer)n->i);
		break;
	case AV_FLOAT:
		lua_pushnumber(L, (lua_Number)n->d);
		break;
	case AV_STR:
		lua_pushlstring(L, n->str, n->len);
		break;
	case AV_SEQ: {
		lua_Integer i = 0;
		lua_createtable(L, n->count > 1000000 ? 0 : (int)n->count, 0);
		for (const av_node *c = n->first; c != NULL; c = c->next) {
			if (c->type == AV_NULL)
				continue;
			av_node_push_lua(L, c);
			lua_rawseti(L, -2, ++i);
		}
		break;
	}
	case AV_MAP:
		lua_createtable(L, 0, n->count > 1000000 ? 0 : (int)n->count);
		for (const av_node *c = n->first; c != NULL; c = c->next) {
			if (c->type == AV_NULL || c->key == NULL)
				continue;
			av_node_push_lua(L, c);
			lua_setfield(L, -2, c->key);
		}
		break;
	}
}
