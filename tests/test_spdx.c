/*
 * test_spdx.c - SPDX license expressions: parsing, canonical form, id lists,
 * evaluation, limits and the aivet.spdx Lua module.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lauxlib.h>
#include <lua.h>
#include <lualib.h>

#include "spdx.h"

/* Valid expressions and their canonical forms. */
static const struct {
	const char *in, *canon;
} valid[] = {
    {"MIT", "MIT"},
    {"  MIT  ", "MIT"},
    {"(MIT)", "MIT"},
    {"((MIT))", "MIT"},
    {"Apache-2.0", "Apache-2.0"},
    {"GPL-2.0+", "GPL-2.0+"},
    {"GPL-2.0-or-later", "GPL-2.0-or-later"},
    {"LGPL-2.1-only", "LGPL-2.1-only"},
    {"MIT OR Apache-2.0", "MIT OR Apache-2.0"},
    {"MIT or Apache-2.0", "MIT OR Apache-2.0"},
    {"MIT Or Apache-2.0", "MIT OR Apache-2.0"},
    {"MIT AND Apache-2.0", "MIT AND Apache-2.0"},
    {"MIT and Apache-2.0", "MIT AND Apache-2.0"},
    {"MIT\tAND\nApache-2.0", "MIT AND Apache-2.0"},
    {"MIT AND Apache-2.0 AND BSD-3-Clause", "MIT AND Apache-2.0 AND BSD-3-Clause"},
    {"MIT OR Apache-2.0 OR BSD-3-Clause", "MIT OR Apache-2.0 OR BSD-3-Clause"},
    {"MIT AND (Apache-2.0 AND BSD-3-Clause)", "MIT AND Apache-2.0 AND BSD-3-Clause"},
    {"MIT OR Apache-2.0 AND BSD-3-Clause", "MIT OR (Apache-2.0 AND BSD-3-Clause)"},
    {"MIT AND Apache-2.0 OR BSD-3-Clause", "(MIT AND Apache-2.0) OR BSD-3-Clause"},
    {"(MIT OR Apache-2.0) AND BSD-3-Clause", "(MIT OR Apache-2.0) AND BSD-3-Clause"},
    {"MIT AND (Apache-2.0 OR BSD-3-Clause)", "MIT AND (Apache-2.0 OR BSD-3-Clause)"},
    {"(MIT OR Apache-2.0)AND(BSD-3-Clause OR ISC)",
     "(MIT OR Apache-2.0) AND (BSD-3-Clause OR ISC)"},
    {"GPL-2.0-only WITH Classpath-exception-2.0", "GPL-2.0-only WITH Classpath-exception-2.0"},
    {"GPL-2.0-only with Classpath-exception-2.0", "GPL-2.0-only WITH Classpath-exception-2.0"},
    {"GPL-2.0+ WITH Bison-exception-2.2", "GPL-2.0+ WITH Bison-exception-2.2"},
    {"MIT OR GPL-2.0 WITH Classpath-exception-2.0", "MIT OR GPL-2.0 WITH Classpath-exception-2.0"},
    {"GPL-2.0 WITH Classpath-exception-2.0 AND MIT",
     "GPL-2.0 WITH Classpath-exception-2.0 AND MIT"},
    {"LicenseRef-proprietary", "LicenseRef-proprietary"},
    {"LicenseRef-my.license-1", "LicenseRef-my.license-1"},
    {"DocumentRef-spdx-tool-1.2:LicenseRef-MIT-Style-2",
     "DocumentRef-spdx-tool-1.2:LicenseRef-MIT-Style-2"},
    {"MIT OR LicenseRef-custom", "MIT OR LicenseRef-custom"},
    {"LicenseRef-x WITH Classpath-exception-2.0", "LicenseRef-x WITH Classpath-exception-2.0"},
    {"((MIT OR (Apache-2.0)))", "MIT OR Apache-2.0"},
    {"(MIT AND (BSD-2-Clause OR (ISC AND Zlib)))", "MIT AND (BSD-2-Clause OR (ISC AND Zlib))"},
    {"(A OR B) OR (C OR D)", "A OR B OR C OR D"},
    {"(A AND B) AND (C AND D)", "A AND B AND C AND D"},
    {"A OR (B OR C)", "A OR B OR C"},
    {"CC-BY-4.0", "CC-BY-4.0"},
    {"0BSD", "0BSD"},
    {"mit", "mit"},
    {"EPL-2.0 OR GPL-2.0 WITH Classpath-exception-2.0 OR GPL-2.0+",
     "EPL-2.0 OR GPL-2.0 WITH Classpath-exception-2.0 OR GPL-2.0+"},
    {"andrew", "andrew"},
    {"ORACLE OR WITHOUT", "ORACLE OR WITHOUT"},
};

/* Invalid expressions, the code, the column of the error and a word of its message. */
static const struct {
	const char *in;
	int code, column;
	const char *msg;
} invalid[] = {
    {"", AV_EPARSE, 1, "expected license id"},
    {"   ", AV_EPARSE, 4, "found end of expression"},
    {"MIT AND", AV_EPARSE, 8, "after 'AND'"},
    {"MIT AND Apache-2.0 AND ", AV_EPARSE, 24, "after 'AND'"},
    {"MIT OR", AV_EPARSE, 7, "after 'OR'"},
    {"OR MIT", AV_EPARSE, 1, "found 'OR'"},
    {"AND", AV_EPARSE, 1, "found 'AND'"},
    {"MIT Apache-2.0", AV_EPARSE, 5, "found 'Apache-2.0'"},
    {"(MIT", AV_EPARSE, 5, "expected ')'"},
    {"(MIT OR Apache-2.0", AV_EPARSE, 19, "'(' of column 1"},
    {"MIT)", AV_EPARSE, 4, "unmatched ')'"},
    {"()", AV_EPARSE, 2, "after '('"},
    {"MIT WITH", AV_EPARSE, 9, "expected exception id"},
    {"MIT WITH (X)", AV_EPARSE, 10, "expected exception id"},
    {"MIT WITH X WITH Y", AV_EPARSE, 12, "found 'WITH'"},
    {"(MIT) WITH X", AV_EPARSE, 7, "'WITH' must follow a license id"},
    {"MIT++", AV_EPARSE, 5, "'+'"},
    {"+", AV_EPARSE, 1, "'+'"},
    {"MIT / Apache-2.0", AV_EPARSE, 5, "'/'"},
    {"MIT, Apache-2.0", AV_EPARSE, 4, "','"},
    {"LicenseRef-", AV_EPARSE, 12, "idstring after 'LicenseRef-'"},
    {"LicenseRef-x+", AV_EPARSE, 13, "'+' is not allowed"},
    {"DocumentRef-x", AV_EPARSE, 14, "':LicenseRef-'"},
    {"DocumentRef-x:MIT", AV_EPARSE, 15, "'LicenseRef-'"},
    {"DocumentRef-:LicenseRef-x", AV_EPARSE, 13, "idstring after 'DocumentRef-'"},
    {"MI:T", AV_EPARSE, 3, "unexpected ':'"},
    {"MIT AND AND Apache-2.0", AV_EPARSE, 9, "after 'AND'"},
    {"MIT WITH Classpath-exception-2.0+", AV_EPARSE, 10, "expected exception id"},
    {"MIT\x01", AV_EPARSE, 4, "0x01"},
    {"GPL-2.0 WITH LicenseRef-x:y", AV_EPARSE, 14, "expected exception id"},
};

START_TEST(valid_expressions_parse_to_canonical_form)
{
	av_spdx *x = NULL;
	av_error err;
	const char *in = valid[_i].in;

	av_error_clear(&err);
	ck_assert_msg(av_spdx_parse(&x, in, strlen(in), &err) == 0, "'%s': %s", in, err.msg);
	ck_assert_str_eq(av_spdx_canonical(x), valid[_i].canon);
	/* The canonical form is a fixed point. */
	av_spdx *y = NULL;
	const char *c = av_spdx_canonical(x);
	ck_assert_int_eq(av_spdx_parse(&y, c, strlen(c), &err), 0);
	ck_assert_str_eq(av_spdx_canonical(y), c);
	av_spdx_destroy(y);
	av_spdx_destroy(x);
}
END_TEST

START_TEST(invalid_expressions_name_column_and_expectation)
{
	av_spdx *x = (av_spdx *)1;
	av_error err;
	const char *in = invalid[_i].in;

	av_error_clear(&err);
	int rc = av_spdx_parse(&x, in, strlen(in), &err);
	ck_assert_msg(rc == invalid[_i].code, "'%s': rc %d", in, rc);
	ck_assert_ptr_null(x);
	ck_assert_int_eq(err.code, invalid[_i].code);
	ck_assert_int_eq(err.line, 1);
	ck_assert_msg(err.column == invalid[_i].column, "'%s': column %d, want %d (%s)", in,
	              err.column, invalid[_i].column, err.msg);
	ck_assert_msg(strstr(err.msg, invalid[_i].msg) != NULL, "'%s': message '%s' lacks '%s'", in,
	              err.msg, invalid[_i].msg);
	char at[32];
	snprintf(at, sizeof(at), "at column %d", invalid[_i].column);
	ck_assert_msg(strstr(err.msg, at) != NULL, "'%s': '%s'", in, err.msg);
}
END_TEST

START_TEST(error_message_after_and)
{
	av_spdx *x;
	av_error err;
	const char *in = "MIT OR ISC AND";

	ck_assert_int_eq(av_spdx_parse(&x, in, strlen(in), &err), AV_EPARSE);
	ck_assert_str_eq(
	    err.msg,
	    "expected license id or '(' after 'AND' at column 15, found end of expression");
}
END_TEST

START_TEST(nul_byte_inside_is_an_error)
{
	av_spdx *x;
	av_error err;

	ck_assert_int_eq(av_spdx_parse(&x, "MIT\0OR ISC", 10, &err), AV_EPARSE);
	ck_assert_int_eq(err.column, 4);
}
END_TEST

START_TEST(tree_shape_and_precedence)
{
	av_spdx *x;
	const char *in = "MIT OR GPL-2.0+ WITH Classpath-exception-2.0 AND LicenseRef-a";

	ck_assert_int_eq(av_spdx_parse(&x, in, strlen(in), NULL), 0);
	const av_spdx_node *r = av_spdx_root(x);
	ck_assert_int_eq(r->type, AV_SPDX_OR);
	ck_assert_int_eq(r->column, 5);
	ck_assert_int_eq(r->left->type, AV_SPDX_LICENSE);
	ck_assert_str_eq(r->left->id, "MIT");
	ck_assert(!r->left->plus);
	ck_assert_int_eq(r->right->type, AV_SPDX_AND);
	const av_spdx_node *w = r->right->left;
	ck_assert_int_eq(w->type, AV_SPDX_WITH);
	ck_assert_str_eq(w->id, "GPL-2.0");
	ck_assert(w->plus);
	ck_assert_str_eq(w->exception, "Classpath-exception-2.0");
	ck_assert_int_eq(r->right->right->type, AV_SPDX_REF);
	ck_assert_str_eq(r->right->right->id, "LicenseRef-a");
	ck_assert_int_eq(av_spdx_nleaves(x), 3);
	av_spdx_destroy(x);
}
END_TEST

START_TEST(ids_are_distinct_in_order)
{
	av_spdx *x;
	const char *in = "(MIT OR Apache-2.0) AND mit AND GPL-2.0+ WITH Classpath-exception-2.0 OR "
	                 "GPL-2.0 WITH classpath-exception-2.0 OR LicenseRef-a";

	ck_assert_int_eq(av_spdx_parse(&x, in, strlen(in), NULL), 0);
	ck_assert_int_eq(av_spdx_nlicenses(x), 4);
	ck_assert_str_eq(av_spdx_license(x, 0), "MIT");
	ck_assert_str_eq(av_spdx_license(x, 1), "Apache-2.0");
	ck_assert_str_eq(av_spdx_license(x, 2), "GPL-2.0");
	ck_assert_str_eq(av_spdx_license(x, 3), "LicenseRef-a");
	ck_assert_ptr_null(av_spdx_license(x, 4));
	ck_assert_int_eq(av_spdx_nexceptions(x), 1);
	ck_assert_str_eq(av_spdx_exception(x, 0), "Classpath-exception-2.0");
	av_spdx_destroy(x);
}
END_TEST

static bool
allow_list(const av_spdx_node *leaf, void *arg)
{
	const char *const *list = arg;
	size_t n = 0;

	while (list[n] != NULL)
		n++;
	return av_spdx_allowed_in(leaf, list, n);
}

/* Evaluates in against the NULL-terminated allowed list; returns the chosen ids joined by ','. */
static bool
choose(const char *in, const char *const *allowed, char *out, size_t len)
{
	av_spdx *x;
	const av_spdx_node *chosen[64];
	size_t n;
	bool ok;

	ck_assert_int_eq(av_spdx_parse(&x, in, strlen(in), NULL), 0);
	ck_assert_int_eq(av_spdx_eval(&ok, chosen, &n, x, allow_list, (void *)allowed, 64), 0);
	out[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		if (i > 0)
			strncat(out, ",", len - strlen(out) - 1);
		strncat(out, chosen[i]->id, len - strlen(out) - 1);
	}
	if (!ok)
		ck_assert_int_eq(n, 0);
	av_spdx_destroy(x);
	return ok;
}

START_TEST(satisfies_chooses_the_best_or_branch)
{
	static const char *const mit[] = {"MIT", NULL};
	static const char *const perm[] = {"mit", "Apache-2.0", "BSD-3-Clause", NULL};
	static const char *const gpl[] = {"GPL-2.0", "GPL-3.0-only", NULL};
	char out[256];

	ck_assert(choose("MIT OR GPL-3.0-only", mit, out, sizeof(out)));
	ck_assert_str_eq(out, "MIT");
	ck_assert(choose("GPL-3.0-only OR MIT", mit, out, sizeof(out)));
	ck_assert_str_eq(out, "MIT");
	ck_assert(!choose("GPL-3.0-only", mit, out, sizeof(out)));
	ck_assert_str_eq(out, "");
	ck_assert(!choose("MIT AND GPL-3.0-only", mit, out, sizeof(out)));
	/* Fewer licenses win; a tie goes left. */
	ck_assert(choose("(MIT AND Apache-2.0) OR BSD-3-Clause", perm, out, sizeof(out)));
	ck_assert_str_eq(out, "BSD-3-Clause");
	ck_assert(choose("Apache-2.0 OR MIT", perm, out, sizeof(out)));
	ck_assert_str_eq(out, "Apache-2.0");
	ck_assert(choose("(GPL-3.0-only OR MIT) AND (Apache-2.0 OR ISC)", perm, out, sizeof(out)));
	ck_assert_str_eq(out, "MIT,Apache-2.0");
	ck_assert(choose("ISC OR GPL-3.0-only OR (MIT AND Apache-2.0) OR BSD-3-Clause", perm, out,
	                 sizeof(out)));
	ck_assert_str_eq(out, "BSD-3-Clause");
	/* "or later" is allowed when the base version is. */
	ck_assert(choose("GPL-2.0+", gpl, out, sizeof(out)));
	ck_assert_str_eq(out, "GPL-2.0");
	ck_assert(!choose("GPL-2.0 WITH Classpath-exception-2.0", gpl, out, sizeof(out)));
}
END_TEST

START_TEST(allowed_in_rules)
{
	static const char *const a[] = {"GPL-2.0-only WITH Classpath-exception-2.0", "LGPL-2.1+",
	                                "GPL-3.0", "Autoconf-exception-3.0", NULL};
	char out[256];

	ck_assert(choose("gpl-2.0-only with classpath-exception-2.0", a, out, sizeof(out)));
	ck_assert(!choose("GPL-2.0-only", a, out, sizeof(out)));
	ck_assert(choose("LGPL-2.1+", a, out, sizeof(out)));
	ck_assert(!choose("LGPL-2.1", a, out, sizeof(out)));
	ck_assert(choose("GPL-3.0 WITH Autoconf-exception-3.0", a, out, sizeof(out)));
	ck_assert(!choose("GPL-3.0 WITH Bison-exception-2.2", a, out, sizeof(out)));
}
END_TEST

START_TEST(eval_refuses_small_buffer)
{
	av_spdx *x;
	const av_spdx_node *chosen[1];
	size_t n;
	bool ok = true;

	ck_assert_int_eq(av_spdx_parse(&x, "A AND B", 7, NULL), 0);
	ck_assert_int_eq(av_spdx_eval(&ok, chosen, &n, x, allow_list, (void *)"", 1), AV_EINVAL);
	ck_assert(!ok);
	av_spdx_destroy(x);
}
END_TEST

/* ---- limits ---- */

START_TEST(too_long_is_a_limit_error)
{
	char *s = malloc(AV_SPDX_MAX_LEN + 2);
	av_spdx *x;
	av_error err;

	memset(s, 'A', AV_SPDX_MAX_LEN + 1);
	s[AV_SPDX_MAX_LEN + 1] = '\0';
	ck_assert_int_eq(av_spdx_parse(&x, s, AV_SPDX_MAX_LEN + 1, &err), AV_ELIMIT);
	ck_assert_ptr_null(x);
	ck_assert_int_eq(av_spdx_parse(&x, s, AV_SPDX_MAX_LEN, &err), 0);
	ck_assert_int_eq(strlen(av_spdx_canonical(x)), AV_SPDX_MAX_LEN);
	av_spdx_destroy(x);
	free(s);
}
END_TEST

/* Found by fuzzing: a 3855-byte input whose canonical form took 4097 bytes. */
START_TEST(canonical_form_always_reparses)
{
	char *s = malloc(AV_SPDX_MAX_LEN + 1);
	size_t n = 0;
	av_spdx *x;
	av_error err;

	/* "(A OR B)AND " grows by one byte each: ") AND". */
	while (n + 12 + 1 <= AV_SPDX_MAX_LEN) {
		memcpy(s + n, "(A OR B)AND ", 12);
		n += 12;
	}
	s[n++] = 'C';
	ck_assert_int_eq(av_spdx_parse(&x, s, n, &err), AV_ELIMIT);
	ck_assert_ptr_nonnull(strstr(err.msg, "canonical form would be longer than 4096"));
	/* Shorter, it parses, and its canonical form parses to itself. */
	ck_assert_int_eq(av_spdx_parse(&x, s + 1200, n - 1200, &err), 0);
	const char *c = av_spdx_canonical(x);
	av_spdx *y;
	ck_assert_int_eq(av_spdx_parse(&y, c, strlen(c), &err), 0);
	ck_assert_str_eq(av_spdx_canonical(y), c);
	av_spdx_destroy(y);
	av_spdx_destroy(x);
	free(s);
}
END_TEST

/* The fuzzer's own input, kept in tests/fuzz/regressions. */
START_TEST(fuzz_regression_inputs)
{
	char path[1024], buf[AV_SPDX_MAX_LEN + 1];
	const char *src = getenv("AIVET_SRCDIR");
	av_spdx *x, *y;
	av_error err;

	snprintf(path, sizeof(path), "%s/tests/fuzz/regressions/spdx-canonical-too-long",
	    src ? src : ".");
	FILE *f = fopen(path, "rb");
	ck_assert_ptr_nonnull(f);
	size_t n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	int rc = av_spdx_parse(&x, buf, n, &err);
	ck_assert(rc == 0 || rc == AV_ELIMIT);
	if (rc == 0) {
		const char *c = av_spdx_canonical(x);
		ck_assert_int_eq(av_spdx_parse(&y, c, strlen(c), &err), 0);
		av_spdx_destroy(y);
		av_spdx_destroy(x);
	}
}
END_TEST

START_TEST(deep_parentheses_are_a_limit_error)
{
	char s[512];
	av_spdx *x;
	av_error err;
	int d;

	for (d = AV_SPDX_MAX_DEPTH; d <= AV_SPDX_MAX_DEPTH + 1; d++) {
		size_t n = 0;
		for (int i = 0; i < d; i++)
			s[n++] = '(';
		s[n++] = 'A';
		for (int i = 0; i < d; i++)
			s[n++] = ')';
		int rc = av_spdx_parse(&x, s, n, &err);
		if (d == AV_SPDX_MAX_DEPTH) {
			ck_assert_int_eq(rc, 0);
			av_spdx_destroy(x);
		} else {
			ck_assert_int_eq(rc, AV_ELIMIT);
			ck_assert_int_eq(err.column, d);
		}
	}
}
END_TEST

START_TEST(longest_chain_parses_and_evaluates)
{
	/* "A OR A OR ..." up to the length limit: a tree ~800 deep. */
	char *s = malloc(AV_SPDX_MAX_LEN + 1);
	size_t n = 0;
	av_spdx *x;
	static const char *const allow[] = {"B", NULL};

	while (n + 6 <= AV_SPDX_MAX_LEN) {
		memcpy(s + n, n ? " OR A" : "A", n ? 5 : 1);
		n += n ? 5 : 1;
	}
	memcpy(s + n, " OR B", 5);
	n += 5;
	ck_assert_int_eq(av_spdx_parse(&x, s, n, NULL), 0);
	ck_assert_int_eq(av_spdx_nlicenses(x), 2);
	size_t nl = av_spdx_nleaves(x), nc;
	const av_spdx_node **c = malloc(nl * sizeof(*c));
	bool ok;
	ck_assert_int_eq(av_spdx_eval(&ok, c, &nc, x, allow_list, (void *)allow, nl), 0);
	ck_assert(ok);
	ck_assert_int_eq(nc, 1);
	ck_assert_str_eq(c[0]->id, "B");
	free(c);
	av_spdx_destroy(x);
	free(s);
}
END_TEST

/* ---- Lua ---- */

static lua_State *
lua_with_spdx(void)
{
	lua_State *L = luaL_newstate();

	luaL_openlibs(L);
	luaL_getsubtable(L, LUA_REGISTRYINDEX, LUA_PRELOAD_TABLE);
	lua_pushcfunction(L, luaopen_aivet_spdx);
	lua_setfield(L, -2, "aivet.spdx");
	lua_pop(L, 1);
	return L;
}

static void
run_lua(lua_State *L, const char *code)
{
	if (luaL_dostring(L, code) != LUA_OK)
		ck_abort_msg("lua: %s", lua_tostring(L, -1));
}

START_TEST(lua_parse_returns_tree)
{
	lua_State *L = lua_with_spdx();

	run_lua(L, "local spdx = require 'aivet.spdx'\n"
	           "local t = assert(spdx.parse('MIT or GPL-2.0+ WITH Classpath-exception-2.0'))\n"
	           "assert(t.type == 'or' and t.left.type == 'license' and t.left.id == 'MIT')\n"
	           "assert(t.left.plus == false and t.column == 5)\n"
	           "assert(t.right.type == 'with' and t.right.id == 'GPL-2.0' and t.right.plus)\n"
	           "assert(t.right.exception == 'Classpath-exception-2.0')\n"
	           "assert(spdx.parse('LicenseRef-x').type == 'ref')\n"
	           "local a = spdx.parse('A AND B')\n"
	           "assert(a.type == 'and' and a.left.id == 'A' and a.right.id == 'B')\n"
	           "local n, msg = spdx.parse('MIT AND')\n"
	           "assert(n == nil and msg:find('at column 8', 1, true), msg)\n");
	lua_close(L);
}
END_TEST

START_TEST(lua_ids_normalize_satisfies)
{
	lua_State *L = lua_with_spdx();

	run_lua(
	    L,
	    "local spdx = require 'aivet.spdx'\n"
	    "local l, e = spdx.ids('(MIT OR ISC) AND mit AND GPL-2.0 WITH Bison-exception-2.2')\n"
	    "assert(#l == 3 and l[1] == 'MIT' and l[2] == 'ISC' and l[3] == 'GPL-2.0')\n"
	    "assert(#e == 1 and e[1] == 'Bison-exception-2.2')\n"
	    "assert(spdx.normalize('mit or (isc and zlib)') == 'mit OR (isc AND zlib)')\n"
	    "assert(select('#', spdx.normalize('(')) == 2)\n"
	    "local ok, ch = spdx.satisfies('MIT OR GPL-3.0-only', {'MIT'})\n"
	    "assert(ok == true and #ch == 1 and ch[1] == 'MIT')\n"
	    "ok, ch = spdx.satisfies('GPL-3.0-only OR (Apache-2.0 AND MIT)', {MIT=true, "
	    "['Apache-2.0']=true, ['GPL-3.0-only']=false})\n"
	    "assert(ok and #ch == 2 and ch[1] == 'Apache-2.0' and ch[2] == 'MIT')\n"
	    "ok, ch = spdx.satisfies('GPL-3.0-only', {})\n"
	    "assert(ok == false and #ch == 0)\n"
	    "ok, ch = spdx.satisfies('MIT AND MIT', {'MIT'})\n"
	    "assert(ok and #ch == 1)\n"
	    "local r, msg = spdx.satisfies('MIT OR', {'MIT'})\n"
	    "assert(r == nil and msg:find('column 7'))\n");
	lua_close(L);
}
END_TEST

START_TEST(lua_bad_arguments_raise)
{
	lua_State *L = lua_with_spdx();

	run_lua(L, "local spdx = require 'aivet.spdx'\n"
	           "local ok, e = pcall(spdx.parse, {})\n"
	           "assert(not ok and e:find('bad argument #1 to', 1, true) and e:find(\"parse'\", "
	           "1, true), e)\n"
	           "ok, e = pcall(spdx.satisfies, 'MIT', 'MIT')\n"
	           "assert(not ok and e:find('bad argument #2', 1, true), e)\n"
	           "ok, e = pcall(spdx.satisfies, 'MIT', {{}})\n"
	           "assert(not ok and e:find('list of license ids', 1, true), e)\n"
	           "for i = 1, 200 do spdx.parse(string.rep('(', i) .. 'A') end\n"
	           "collectgarbage()\n");
	lua_close(L);
}
END_TEST

static Suite *
spdx_suite(void)
{
	Suite *s = suite_create("spdx");
	TCase *tc;

	tc = tcase_create("core");
	tcase_add_loop_test(tc, valid_expressions_parse_to_canonical_form, 0,
	                    sizeof(valid) / sizeof(valid[0]));
	tcase_add_test(tc, tree_shape_and_precedence);
	tcase_add_test(tc, ids_are_distinct_in_order);
	tcase_add_test(tc, satisfies_chooses_the_best_or_branch);
	tcase_add_test(tc, allowed_in_rules);
	suite_add_tcase(s, tc);

	tc = tcase_create("errors");
	tcase_add_loop_test(tc, invalid_expressions_name_column_and_expectation, 0,
	                    sizeof(invalid) / sizeof(invalid[0]));
	tcase_add_test(tc, error_message_after_and);
	tcase_add_test(tc, nul_byte_inside_is_an_error);
	tcase_add_test(tc, eval_refuses_small_buffer);
	suite_add_tcase(s, tc);

	tc = tcase_create("limits");
	tcase_add_test(tc, too_long_is_a_limit_error);
	tcase_add_test(tc, deep_parentheses_are_a_limit_error);
	tcase_add_test(tc, canonical_form_always_reparses);
	tcase_add_test(tc, fuzz_regression_inputs);
	tcase_add_test(tc, longest_chain_parses_and_evaluates);
	suite_add_tcase(s, tc);

	tc = tcase_create("lua");
	tcase_add_test(tc, lua_parse_returns_tree);
	tcase_add_test(tc, lua_ids_normalize_satisfies);
	tcase_add_test(tc, lua_bad_arguments_raise);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(spdx_suite());

	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
