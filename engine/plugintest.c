/*
 * plugintest.c - `aivet plugin test`: runs the *_test.lua files of policy
 * authors in-process, the way `opa test` runs Rego tests.
 *
 * Every global function named test_* in a test file is a test.  Each test
 * runs in a fresh sandbox that holds the harness (evaluate, expect_*); the
 * evaluations themselves run through the one evaluation pipeline
 * (evaluate.h) in a real runtime of the policy under test, with no record,
 * so a test sees exactly what the daemon would decide.
 */
#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cjson/cJSON.h>
#include <lauxlib.h>
#include <lua.h>

#include "file.h"
#include "clock.h"
#include "evaluate.h"
#include "plugin_int.h"

#define MAX_TEST_FILE ((size_t)4 << 20)
#define MAX_MANIFEST ((size_t)1 << 20)

/* The assertions, in Lua: error(msg, 2) points at the test's own line. */
static const char harness_lua[] =
    "local function ids(v)\n"
    "  local t = {}\n"
    "  for _, f in ipairs(v.findings or {}) do t[#t + 1] = f.id .. '(' .. f.severity .. ')' end\n"
    "  return #t > 0 and table.concat(t, ', ') or 'none'\n"
    "end\n"
    "local function find(v, id)\n"
    "  if type(v) ~= 'table' or type(v.findings) ~= 'table' then\n"
    "    error('expected a verdict from evaluate(), got a ' .. type(v), 3)\n"
    "  end\n"
    "  for _, f in ipairs(v.findings) do if f.id == id then return f end end\n"
    "end\n"
    "function expect_finding(v, id)\n"
    "  local f = find(v, id)\n"
    "  if not f then error(string.format(\"expected finding '%s'; findings: %s\", id, ids(v)), 2) end\n"
    "  return f\n"
    "end\n"
    "function expect_no_finding(v, id)\n"
    "  if find(v, id) then error(string.format(\"expected no finding '%s'; findings: %s\", id, ids(v)), 2) end\n"
    "end\n"
    "function expect_decision(v, d)\n"
    "  find(v, '')\n"
    "  if v.decision ~= d then\n"
    "    error(string.format(\"expected decision '%s', got '%s'; findings: %s\", d, tostring(v.decision), ids(v)), 2)\n"
    "  end\n"
    "end\n"
    "function expect_severity(v, id, sev)\n"
    "  local f = find(v, id)\n"
    "  if not f then error(string.format(\"expected finding '%s'; findings: %s\", id, ids(v)), 2) end\n"
    "  if f.severity ~= sev then\n"
    "    error(string.format(\"expected '%s' to have severity '%s', got '%s'\", id, sev, f.severity), 2)\n"
    "  end\n"
    "end\n";

typedef struct result {
	char *file;
	char *name;
	bool ok;
	char *message;
	char *where;
} result;

typedef struct run {
	av_policy *policy;
	av_runtime *rt;
	const char *testfile;
	char dir[PATH_MAX];
	result *v;
	size_t n, cap;
} run;

/* Splits "file:line: message" (a Lua error) into its place and message. */
static void
split_error(const char *e, char **msg, char **where)
{
	const char *tb = strstr(e, "\nstack traceback:");
	size_t len = tb != NULL ? (size_t)(tb - e) : strlen(e);
	const char *c = e;

	*where = NULL;
	while (c < e + len && *c != ':' && *c != '\n')
		c++;
	if (c < e + len && *c == ':' && c[1] >= '0' && c[1] <= '9') {
		const char *d = c + 1;
		while (*d >= '0' && *d <= '9')
			d++;
		if (*d == ':') {
			*where = strndup(e, (size_t)(d - e));
			d++;
			while (*d == ' ')
				d++;
			*msg = strndup(d, len - (size_t)(d - e));
			return;
		}
	}
	*msg = strndup(e, len);
}

static int
add_result(run *r, const char *name, bool ok, const char *err)
{
	if (r->n == r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 32;
		result *nv = realloc(r->v, cap * sizeof(*nv));
		if (nv == NULL)
			return AV_ENOMEM;
		r->v = nv;
		r->cap = cap;
	}
	result *x = &r->v[r->n++];
	memset(x, 0, sizeof(*x));
	x->file = strdup(r->testfile);
	x->name = strdup(name);
	x->ok = ok;
	if (err != NULL)
		split_error(err, &x->message, &x->where);
	return 0;
}

static void
push_verdict(lua_State *L, const av_verdict *v)
{
	char buf[32];

	lua_createtable(L, 0, 6);
	lua_pushstring(L, av_decision_name(v->decision));
	lua_setfield(L, -2, "decision");
	lua_pushstring(L, av_risk_name(v->risk));
	lua_setfield(L, -2, "risk");
	lua_pushstring(L, av_date_format(v->review_by, buf, sizeof(buf)));
	lua_setfield(L, -2, "review_by");
	lua_pushstring(L, v->profile);
	lua_setfield(L, -2, "profile");
	lua_createtable(L, (int)v->nfindings, 0);
	for (size_t i = 0; i < v->nfindings; i++) {
		const av_finding *f = &v->findings[i];
		lua_createtable(L, 0, 7);
		lua_pushstring(L, f->id);
		lua_setfield(L, -2, "id");
		lua_pushstring(L, av_severity_name(f->severity));
		lua_setfield(L, -2, "severity");
		lua_pushstring(L, f->message);
		lua_setfield(L, -2, "message");
		lua_pushstring(L, f->area);
		lua_setfield(L, -2, "area");
		if (f->evidence) {
			lua_pushstring(L, f->evidence);
			lua_setfield(L, -2, "evidence");
		}
		if (f->remedy) {
			lua_pushstring(L, f->remedy);
			lua_setfield(L, -2, "remedy");
		}
		if (f->plugin) {
			lua_pushstring(L, f->plugin);
			lua_setfield(L, -2, "plugin");
		}
		lua_rawseti(L, -2, (lua_Integer)i + 1);
	}
	lua_setfield(L, -2, "findings");
}

/* Reads a manifest named by a test (relative to the test file); the
 * pipeline validates and normalises it like `aivet check`. */
static av_doc *
read_manifest(run *r, const char *name, av_error *err)
{
	char path[PATH_MAX * 2];
	char *buf;
	size_t len;
	av_doc *doc = NULL;

	if (name[0] == '/')
		snprintf(path, sizeof(path), "%s", name);
	else
		snprintf(path, sizeof(path), "%s/%s", r->dir, name);
	if (av_read_file(path, MAX_MANIFEST, &buf, &len, err) != 0)
		return NULL;
	if (av_doc_parse(&doc, buf, len, AV_FMT_AUTO, path, NULL, err) != 0)
		doc = NULL;
	free(buf);
	return doc;
}

/***
 * evaluate(manifest_table_or_path [, {profile=, plugins={...}, now=}]) ->
 * verdict table {decision, risk, review_by, profile, findings}.
 */
static int
h_evaluate(lua_State *L)
{
	run *r = lua_touserdata(L, lua_upvalueindex(1));
	const char *profile = NULL;
	const char *names[64];
	size_t nnames = 0;
	bool filter = false;
	int64_t now = av_now();
	av_doc *doc = NULL;
	av_eval_env env = {.rt = r->rt};
	av_eval_in in = {0};
	av_eval ev;
	av_error err;
	char why[256] = "", ebuf[AV_ERR_MSG + AV_ERR_FILE + 32];
	int rc;

	av_error_clear(&err);
	if (!lua_isnoneornil(L, 2)) {
		luaL_checktype(L, 2, LUA_TTABLE);
		if (lua_getfield(L, 2, "profile") != LUA_TNIL)
			profile = luaL_checkstring(L, -1);
		if (lua_getfield(L, 2, "now") != LUA_TNIL &&
		    av_time_parse(luaL_checkstring(L, -1), &now) != 0)
			return luaL_error(L, "evaluate: bad now '%s'", lua_tostring(L, -1));
		if (lua_getfield(L, 2, "plugins") != LUA_TNIL) {
			luaL_checktype(L, -1, LUA_TTABLE);
			filter = true;
			lua_Integer n = (lua_Integer)lua_rawlen(L, -1);
			for (lua_Integer i = 1; i <= n && nnames < 64; i++) {
				lua_rawgeti(L, -1, i);
				const char *nm = luaL_checkstring(L, -1);
				bool found = false;
				for (size_t k = 0; k < av_policy_nplugins(r->policy) && !found; k++)
					found = strcmp(av_policy_plugin(r->policy, k)->name, nm) == 0;
				if (!found)
					return luaL_error(L, "evaluate: no plugin named '%s' is loaded", nm);
				names[nnames++] = nm; /* kept alive by the table on the stack */
			}
		}
	}
	if (lua_type(L, 1) == LUA_TSTRING) {
		doc = read_manifest(r, lua_tostring(L, 1), &err);
		in.file = doc != NULL ? av_doc_name(doc) : NULL;
	} else if (lua_type(L, 1) == LUA_TTABLE) {
		/* A table is the component as the test wrote it: not validated. */
		in.as_component = true;
		in.file = "<test manifest>";
		doc = av_doc_create("<test manifest>");
		av_node *root = doc ? av_lua_to_node(L, 1, doc, 0, why, sizeof(why)) : NULL;
		if (root == NULL) {
			av_doc_destroy(doc);
			return luaL_error(L, "evaluate: the manifest table cannot be used: %s", why);
		}
		av_doc_set_root(doc, root);
	} else {
		return luaL_argerror(L, 1, "a manifest table or a path");
	}
	if (doc == NULL)
		return luaL_error(L, "evaluate: %s", av_error_format(&err, ebuf, sizeof(ebuf)));
	env.now = now;
	env.plugins = filter ? names : NULL;
	env.nplugins = nnames;
	in.doc = doc;
	in.profile = profile;
	av_eval_init(&ev);
	rc = av_evaluate(&ev, &env, &in, &err);
	if (rc == 0)
		push_verdict(L, ev.v);
	av_eval_fini(&ev);
	av_doc_destroy(doc);
	if (rc != 0)
		return luaL_error(L, "evaluate: %s", av_error_format(&err, ebuf, sizeof(ebuf)));
	return 1;
}

/* Opens a sandbox for one test with the harness installed and the test
 * file run; its environment table is left on the stack. */
static int
open_test(run *r, av_sandbox *sb, const char *buf, size_t len, char *msg, size_t msglen)
{
	lua_State *L;
	char chunk[PATH_MAX + 2];

	sb->policy = r->policy;
	if (av_sandbox_open(sb) != 0) {
		snprintf(msg, msglen, "cannot create a Lua state");
		return -1;
	}
	L = sb->L;
	/* The harness and the test file share one environment. */
	if (av_sandbox_load(sb, harness_lua, sizeof(harness_lua) - 1, "=harness") != LUA_OK)
		goto fail;
	lua_getupvalue(L, -1, 1);
	lua_insert(L, -2);
	lua_pushlightuserdata(L, r);
	lua_pushcclosure(L, h_evaluate, 1);
	lua_setfield(L, -3, "evaluate");
	if (av_sandbox_call(sb, 0, 0) != LUA_OK)
		goto fail;
	snprintf(chunk, sizeof(chunk), "@%s", r->testfile);
	if (luaL_loadbufferx(L, buf, len, chunk, "t") != LUA_OK)
		goto fail;
	lua_pushvalue(L, -2);
	lua_setupvalue(L, -2, 1);
	if (av_sandbox_call(sb, 0, 0) != LUA_OK)
		goto fail;
	return 0;
fail:
	snprintf(msg, msglen, "%s", lua_tostring(L, -1) ? lua_tostring(L, -1) : "error");
	return -1;
}

typedef struct tname {
	char *name;
	int line;
} tname;

static int
cmp_tname(const void *a, const void *b)
{
	const tname *x = a, *y = b;

	return x->line != y->line ? (x->line < y->line ? -1 : 1) : strcmp(x->name, y->name);
}

static bool
name_matches(lua_State *L, const char *name, const char *pattern)
{
	bool ok;

	if (pattern == NULL)
		return true;
	lua_getglobal(L, "string");
	lua_getfield(L, -1, "find");
	lua_pushstring(L, name);
	lua_pushstring(L, pattern);
	ok = lua_pcall(L, 2, 1, 0) == LUA_OK && !lua_isnil(L, -1);
	lua_pop(L, 2);
	return ok;
}

static bool
has_plugins(const char *dir)
{
	char **names;
	size_t n;
	av_error err;
	bool yes = false;

	if (av_list_dir(dir, ".lua", true, &names, &n, &err) != 0)
		return false;
	for (size_t i = 0; i < n && !yes; i++) {
		size_t l = strlen(names[i]);
		yes = !(l > 9 && strcmp(names[i] + l - 9, "_test.lua") == 0);
	}
	av_free_names(names, n);
	return yes;
}

static int
run_file(run *r, const av_policy_opts *o, const char *file, const char *pattern)
{
	const char *dirs[64];
	size_t nd = 0;
	av_policy_opts po = *o;
	av_diags d;
	char *buf = NULL, *slash, msg[4096];
	size_t len;
	av_error err;
	tname *tests = NULL;
	size_t nt = 0;
	av_sandbox sb = {0};
	int rc = 0;

	r->testfile = file;
	snprintf(r->dir, sizeof(r->dir), "%s", file);
	if ((slash = strrchr(r->dir, '/')) != NULL)
		*slash = '\0';
	else
		snprintf(r->dir, sizeof(r->dir), ".");
	for (size_t i = 0; i < o->nplugin_dirs && nd < 63; i++)
		dirs[nd++] = o->plugin_dirs[i];
	if (has_plugins(r->dir)) {
		char a[PATH_MAX], b[PATH_MAX];
		bool dup = false;
		for (size_t i = 0; i < nd && !dup; i++)
			dup = realpath(dirs[i], a) && realpath(r->dir, b) && strcmp(a, b) == 0;
		if (!dup)
			dirs[nd++] = r->dir;
	}
	po.plugin_dirs = dirs;
	po.nplugin_dirs = nd;
	av_diags_init(&d);
	av_error_clear(&err);
	if (av_policy_load(&r->policy, &po, &d) != 0) {
		char line[AV_ERR_MSG + AV_ERR_FILE + 32];
		snprintf(msg, sizeof(msg), "the policy did not load: %s",
		    d.n > 0 ? av_error_format(&d.v[0], line, sizeof(line)) : "unknown error");
		av_diags_fini(&d);
		return add_result(r, "(load)", false, msg);
	}
	av_diags_fini(&d);
	if (av_runtime_create(&r->rt, r->policy, &err) != 0) {
		av_error_format(&err, msg, sizeof(msg));
		rc = add_result(r, "(load)", false, msg);
		goto out;
	}
	if ((rc = av_read_file(file, MAX_TEST_FILE, &buf, &len, &err)) != 0) {
		rc = add_result(r, "(load)", false, av_error_format(&err, msg, sizeof(msg)));
		goto out;
	}
	/* Discover the tests, in the order they are defined. */
	if (open_test(r, &sb, buf, len, msg, sizeof(msg)) != 0) {
		rc = add_result(r, "(load)", false, msg);
		goto out;
	}
	lua_pushnil(sb.L);
	while (lua_next(sb.L, -2)) {
		const char *k = lua_type(sb.L, -2) == LUA_TSTRING ? lua_tostring(sb.L, -2) : "";
		if (strncmp(k, "test_", 5) == 0 && lua_type(sb.L, -1) == LUA_TFUNCTION &&
		    name_matches(sb.L, k, pattern)) {
			lua_Debug ar;
			tname *nv = realloc(tests, (nt + 1) * sizeof(*nv));
			if (nv == NULL) {
				rc = AV_ENOMEM;
				break;
			}
			tests = nv;
			lua_pushvalue(sb.L, -1);
			lua_getinfo(sb.L, ">S", &ar);
			tests[nt].name = strdup(k);
			tests[nt++].line = ar.linedefined;
		}
		lua_pop(sb.L, 1);
	}
	av_sandbox_close(&sb);
	if (nt > 1)
		qsort(tests, nt, sizeof(*tests), cmp_tname);
	for (size_t i = 0; rc == 0 && i < nt; i++) {
		av_sandbox ts = {0};
		ts.budget = o->instr_budget;
		ts.limit = o->mem_limit;
		ts.log = o->log;
		ts.log_arg = o->log_arg;
		if (open_test(r, &ts, buf, len, msg, sizeof(msg)) != 0) {
			rc = add_result(r, tests[i].name, false, msg);
		} else {
			lua_getfield(ts.L, -1, tests[i].name);
			int st = av_sandbox_call(&ts, 0, 0);
			if (st == LUA_OK)
				rc = add_result(r, tests[i].name, true, NULL);
			else if (ts.timed_out)
				rc = add_result(r, tests[i].name, false,
				    "the test exceeded its instruction budget");
			else
				rc = add_result(r, tests[i].name, false,
				    lua_tostring(ts.L, -1) ? lua_tostring(ts.L, -1) : "error");
		}
		av_sandbox_close(&ts);
	}
out:
	for (size_t i = 0; i < nt; i++)
		free(tests[i].name);
	free(tests);
	free(buf);
	av_runtime_destroy(r->rt);
	r->rt = NULL;
	av_policy_unref(r->policy);
	r->policy = NULL;
	return rc;
}

static int
cmp_paths(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Collects *_test.lua under path (a file, or a folder searched
 * recursively) into a sorted list. */
static int
collect(const char *path, int depth, char ***v, size_t *n)
{
	struct stat st;
	size_t l = strlen(path);

	if (stat(path, &st) != 0)
		return AV_EIO;
	if (S_ISREG(st.st_mode)) {
		char **nv = realloc(*v, (*n + 1) * sizeof(*nv));
		if (nv == NULL || (nv[*n] = strdup(path)) == NULL)
			return AV_ENOMEM;
		*v = nv;
		(*n)++;
		return 0;
	}
	if (!S_ISDIR(st.st_mode) || depth > 8)
		return 0;
	DIR *dp = opendir(path);
	struct dirent *de;
	size_t first = *n;
	if (dp == NULL)
		return AV_EIO;
	while ((de = readdir(dp)) != NULL) {
		char sub[PATH_MAX];
		size_t dl = strlen(de->d_name);
		if (de->d_name[0] == '.')
			continue;
		snprintf(sub, sizeof(sub), "%s%s%s", path, path[l - 1] == '/' ? "" : "/", de->d_name);
		if (stat(sub, &st) != 0)
			continue;
		if (S_ISDIR(st.st_mode) || (dl > 9 && strcmp(de->d_name + dl - 9, "_test.lua") == 0))
			if (collect(sub, depth + 1, v, n) == AV_ENOMEM) {
				closedir(dp);
				return AV_ENOMEM;
			}
	}
	closedir(dp);
	if (*n - first > 1)
		qsort(*v + first, *n - first, sizeof(**v), cmp_paths);
	return 0;
}

static void
print_text(FILE *f, const run *r)
{
	size_t failed = 0;

	for (size_t i = 0; i < r->n; i++) {
		const result *x = &r->v[i];
		if (x->ok) {
			fprintf(f, "PASS %s\n", x->name);
			continue;
		}
		failed++;
		if (x->where != NULL)
			fprintf(f, "FAIL %s: %s (%s)\n", x->name, x->message, x->where);
		else
			fprintf(f, "FAIL %s: %s (%s)\n", x->name, x->message, x->file);
	}
	fprintf(f, "%zu passed, %zu failed\n", r->n - failed, failed);
}

static void
print_tap(FILE *f, const run *r)
{
	fprintf(f, "TAP version 13\n1..%zu\n", r->n);
	for (size_t i = 0; i < r->n; i++) {
		const result *x = &r->v[i];
		fprintf(f, "%s %zu - %s\n", x->ok ? "ok" : "not ok", i + 1, x->name);
		if (!x->ok)
			fprintf(f, "  # %s (%s)\n", x->message, x->where ? x->where : x->file);
	}
}

static int
print_json(FILE *f, const run *r)
{
	cJSON *j = cJSON_CreateObject();
	cJSON *a = cJSON_AddArrayToObject(j, "tests");
	size_t failed = 0;
	char *s;

	if (j == NULL || a == NULL)
		goto nomem;
	for (size_t i = 0; i < r->n; i++) {
		const result *x = &r->v[i];
		cJSON *t = cJSON_CreateObject();
		if (t == NULL || !cJSON_AddItemToArray(a, t) ||
		    !cJSON_AddStringToObject(t, "file", x->file) ||
		    !cJSON_AddStringToObject(t, "name", x->name) ||
		    !cJSON_AddBoolToObject(t, "ok", x->ok) ||
		    (x->message && !cJSON_AddStringToObject(t, "message", x->message)) ||
		    (x->where && !cJSON_AddStringToObject(t, "where", x->where)))
			goto nomem;
		failed += !x->ok;
	}
	if (!cJSON_AddNumberToObject(j, "passed", (double)(r->n - failed)) ||
	    !cJSON_AddNumberToObject(j, "failed", (double)failed) ||
	    (s = cJSON_PrintUnformatted(j)) == NULL)
		goto nomem;
	fprintf(f, "%s\n", s);
	free(s);
	cJSON_Delete(j);
	return 0;
nomem:
	cJSON_Delete(j);
	return AV_ENOMEM;
}

int
av_plugin_test(const av_policy_opts *o, const char *const *paths, size_t npaths,
    const char *pattern, const char *format, void *out_file)
{
	FILE *f = out_file != NULL ? out_file : stdout;
	run r;
	char **files = NULL;
	size_t nfiles = 0;
	int rc = 0, failed = 0;

	if (format == NULL)
		format = "text";
	if (strcmp(format, "text") != 0 && strcmp(format, "json") != 0 &&
	    strcmp(format, "tap") != 0)
		return AV_EINVAL;
	memset(&r, 0, sizeof(r));
	for (size_t i = 0; rc == 0 && i < npaths; i++)
		if ((rc = collect(paths[i], 0, &files, &nfiles)) == AV_EIO) {
			av_log_to(o->log, o->log_arg, AV_LOG_ERROR, "%s: no such file or folder",
			    paths[i]);
		}
	for (size_t i = 0; rc == 0 && i < nfiles; i++)
		rc = run_file(&r, o, files[i], pattern);
	if (rc == 0) {
		if (strcmp(format, "json") == 0)
			rc = print_json(f, &r);
		else if (strcmp(format, "tap") == 0)
			print_tap(f, &r);
		else
			print_text(f, &r);
	}
	for (size_t i = 0; i < r.n; i++) {
		failed += !r.v[i].ok;
		free(r.v[i].file);
		free(r.v[i].name);
		free(r.v[i].message);
		free(r.v[i].where);
	}
	free(r.v);
	av_free_names(files, nfiles);
	fflush(f);
	return rc != 0 ? rc : failed;
}
