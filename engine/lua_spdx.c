/*
 * lua_spdx.c - the aivet.spdx Lua module: SPDX license expressions for
 * policy plugins.
 *
 * A thin binding over spdx.c.  Caller mistakes (a non-string expression, an
 * allowed set that is neither a list nor a set) raise "bad argument" errors;
 * an expression that does not parse is an answer, not a mistake, and is
 * returned as nil plus a message naming the column.  The parsed expression is
 * held in a userdata with a __gc metamethod while Lua values are built, so a
 * memory error in the middle leaks nothing.
 *
 * The plugin host registers luaopen_aivet_spdx under
 * package.preload["aivet.spdx"].
 */
#include <strings.h>

#include <lauxlib.h>
#include <lua.h>

#include "spdx.h"

#define BOX "aivet.spdx.expression"

typedef struct box {
	av_spdx *x;
} box;

static int
box_gc(lua_State *L)
{
	box *b = luaL_checkudata(L, 1, BOX);

	av_spdx_destroy(b->x);
	b->x = NULL;
	return 0;
}

/*
 * [-0, +1 or +2, m] Parses argument 1.  On success pushes the box and returns
 * its expression; on a bad expression pushes nil and the message and returns
 * NULL.
 */
static av_spdx *
parse_arg(lua_State *L)
{
	size_t len;
	const char *s = luaL_checklstring(L, 1, &len);
	box *b = lua_newuserdatauv(L, sizeof(*b), 0);
	av_error err;

	b->x = NULL;
	luaL_setmetatable(L, BOX);
	if (av_spdx_parse(&b->x, s, len, &err) != 0) {
		lua_pop(L, 1);
		luaL_pushfail(L);
		lua_pushstring(L, err.msg);
		return NULL;
	}
	return b->x;
}

/* [-0, +1, m] Pushes the Lua table for node n. */
static void
push_node(lua_State *L, const av_spdx_node *n)
{
	static const char *const names[] = {"license", "ref", "with", "and", "or"};

	luaL_checkstack(L, 3, "expression too deep");
	lua_createtable(L, 0, 5);
	lua_pushstring(L, names[n->type]);
	lua_setfield(L, -2, "type");
	if (n->id != NULL) {
		lua_pushstring(L, n->id);
		lua_setfield(L, -2, "id");
		lua_pushboolean(L, n->plus);
		lua_setfield(L, -2, "plus");
	}
	if (n->exception != NULL) {
		lua_pushstring(L, n->exception);
		lua_setfield(L, -2, "exception");
	}
	if (n->left != NULL) {
		push_node(L, n->left);
		lua_setfield(L, -2, "left");
		push_node(L, n->right);
		lua_setfield(L, -2, "right");
	}
	lua_pushinteger(L, n->column);
	lua_setfield(L, -2, "column");
}

/***
 * Parses an SPDX license expression into a tree.
 * Leaves are `{type="license"|"ref", id=, plus=bool}` or
 * `{type="with", id=, plus=bool, exception=}`; inner nodes are
 * `{type="and"|"or", left=, right=}`.  Every node has `column`.
 * @function spdx.parse
 * @tparam string expr the expression, e.g. "MIT OR Apache-2.0"
 * @treturn table the tree
 * @treturn[2] nil
 * @treturn[2] string message naming the column, e.g.
 *   "expected license id or '(' after 'AND' at column 14, found end of expression"
 */
static int
l_parse(lua_State *L)
{
	av_spdx *x = parse_arg(L);

	if (x == NULL)
		return 2;
	push_node(L, av_spdx_root(x));
	return 1;
}

/***
 * Lists the distinct license ids and exception ids of an expression, in order
 * of first appearance ("+" is not part of an id).
 * @function spdx.ids
 * @tparam string expr
 * @treturn table list of license ids (and LicenseRef- references)
 * @treturn table list of exception ids
 * @treturn[2] nil
 * @treturn[2] string message
 */
static int
l_ids(lua_State *L)
{
	av_spdx *x = parse_arg(L);

	if (x == NULL)
		return 2;
	size_t n = av_spdx_nlicenses(x), m = av_spdx_nexceptions(x);
	lua_createtable(L, n > 0x7fffffff ? 0 : (int)n, 0);
	for (size_t i = 0; i < n; i++) {
		lua_pushstring(L, av_spdx_license(x, i));
		lua_rawseti(L, -2, (lua_Integer)i + 1);
	}
	lua_createtable(L, m > 0x7fffffff ? 0 : (int)m, 0);
	for (size_t i = 0; i < m; i++) {
		lua_pushstring(L, av_spdx_exception(x, i));
		lua_rawseti(L, -2, (lua_Integer)i + 1);
	}
	return 2;
}

struct allowed {
	const char **v;
	size_t n;
};

static bool
allow_cb(const av_spdx_node *leaf, void *arg)
{
	struct allowed *a = arg;

	return av_spdx_allowed_in(leaf, a->v, a->n);
}

/***
 * Evaluates an expression against the allowed licenses, choosing the best OR
 * branch (the satisfied one with fewer licenses; the left one on a tie).
 * A "GPL-2.0" entry also allows "GPL-2.0+"; "X WITH E" is allowed when that
 * text, or both X and E, are allowed.  Ids compare without regard to case.
 * @function spdx.satisfies
 * @tparam string expr
 * @tparam table allowed a list `{"MIT", "Apache-2.0"}` or a set `{MIT=true}`
 * @treturn boolean whether the expression is satisfied
 * @treturn table the license ids of the chosen branches (empty when not)
 * @treturn[2] nil
 * @treturn[2] string message, when the expression does not parse
 * @usage local ok, chosen = spdx.satisfies("MIT OR GPL-3.0-only", {"MIT"})
 * -- ok == true, chosen == {"MIT"}
 */
static int
l_satisfies(lua_State *L)
{
	luaL_checklstring(L, 1, NULL);
	luaL_checktype(L, 2, LUA_TTABLE);

	/* Collect the allowed strings; they stay alive in argument 2. */
	size_t n = 0, cap = 0;
	lua_pushnil(L);
	while (lua_next(L, 2) != 0) {
		lua_pop(L, 1);
		cap++;
	}
	struct allowed a = {lua_newuserdatauv(L, (cap ? cap : 1) * sizeof(char *), 0), 0};
	lua_pushnil(L);
	while (lua_next(L, 2) != 0) {
		if (lua_type(L, -2) == LUA_TSTRING) {
			if (lua_toboolean(L, -1))
				a.v[n++] = lua_tostring(L, -2);
		} else if (lua_type(L, -2) == LUA_TNUMBER && lua_type(L, -1) == LUA_TSTRING) {
			a.v[n++] = lua_tostring(L, -1);
		} else {
			return luaL_argerror(
			    L, 2, "expected a list of license ids or a set of them (id = true)");
		}
		lua_pop(L, 1);
	}
	a.n = n;

	av_spdx *x = parse_arg(L);
	if (x == NULL)
		return 2;
	size_t nl = av_spdx_nleaves(x), nchosen;
	const av_spdx_node **chosen = lua_newuserdatauv(L, (nl ? nl : 1) * sizeof(*chosen), 0);
	bool ok;
	(void)av_spdx_eval(&ok, chosen, &nchosen, x, allow_cb, &a, nl);

	lua_pushboolean(L, ok);
	lua_createtable(L, 0, 0);
	lua_Integer k = 0;
	for (size_t i = 0; i < nchosen; i++) {
		/* Each id once, first spelling kept. */
		bool dup = false;
		for (size_t j = 0; j < i && !dup; j++)
			dup = strcasecmp(chosen[j]->id, chosen[i]->id) == 0;
		if (dup)
			continue;
		lua_pushstring(L, chosen[i]->id);
		lua_rawseti(L, -2, ++k);
	}
	return 2;
}

/***
 * The canonical form of an expression: operators upper case, single spaces,
 * parentheses only where operators change ("MIT OR (Apache-2.0 AND BSD-2-Clause)").
 * @function spdx.normalize
 * @tparam string expr
 * @treturn string
 * @treturn[2] nil
 * @treturn[2] string message
 */
static int
l_normalize(lua_State *L)
{
	av_spdx *x = parse_arg(L);

	if (x == NULL)
		return 2;
	lua_pushstring(L, av_spdx_canonical(x));
	return 1;
}

static const luaL_Reg funcs[] = {
    {"parse", l_parse},         {"ids", l_ids}, {"satisfies", l_satisfies},
    {"normalize", l_normalize}, {NULL, NULL},
};

static const luaL_Reg box_meta[] = {
    {"__gc", box_gc},
    {"__close", box_gc},
    {NULL, NULL},
};

int
luaopen_aivet_spdx(lua_State *L)
{
	if (luaL_newmetatable(L, BOX))
		luaL_setfuncs(L, box_meta, 0);
	lua_pop(L, 1);
	luaL_newlib(L, funcs);
	return 1;
}
