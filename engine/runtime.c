/*
 * runtime.c - evaluating components with a loaded policy: one sandboxed
 * Lua state per worker with every plugin's table loaded once, the
 * settings, component and report each plugin's evaluate receives, and the
 * verdict built from the findings.
 *
 * A runtime enters Lua only through av_sandbox_call, so a plugin that
 * fails, loops or allocates without bound becomes a finding of severity
 * review (fail closed) and never a crash; a state that may have been left
 * inconsistent is rebuilt before its next use.  Loading the policy is in
 * policy.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lauxlib.h>
#include <lua.h>

#include "clock.h"
#include "plugin_int.h"

#define REPORT_MT "aivet.report"
/* What one plugin may report in one evaluation: findings live in C memory,
 * outside the Lua heap's cap, so their number and size are bounded here. */
#define MAX_FINDINGS 1000
#define MAX_FINDING_TEXT 8192

struct av_runtime {
	av_policy *policy;
	av_sandbox sb;
	int *refs;      /* registry refs of each plugin's table */
	bool rebuild;   /* the state may be inconsistent: rebuild before reuse */
	/* The evaluation in progress. */
	av_verdict *v;
	const av_profile *profile;
	int64_t min_within; /* smallest review_within, 0: none */
	av_risk risk_floor;
	int nomem;
};

typedef struct report {
	av_runtime *rt;
	size_t plugin;
	bool live;
	size_t nfindings;
} report;

static void
state_close(av_runtime *rt)
{
	av_sandbox_close(&rt->sb);
	free(rt->refs);
	rt->refs = NULL;
}

static int
state_open(av_runtime *rt, av_error *err)
{
	av_policy *p = rt->policy;
	char msg[2048];

	rt->sb.budget = p->opts.instr_budget;
	rt->sb.limit = p->opts.mem_limit;
	rt->sb.policy = p;
	rt->sb.log = p->opts.log;
	rt->sb.log_arg = p->opts.log_arg;
	if (av_sandbox_open(&rt->sb) != 0)
		return av_error_set(err, AV_ENOMEM, NULL, 0, 0, "cannot create a Lua state");
	/* Generational collection: what one evaluation allocates (the
	 * component, reports, strings) dies young and is collected without
	 * walking the plugins, the helper modules and the license data, which
	 * a full collection per evaluation did at a cost of about 1 ms. */
	lua_gc(rt->sb.L, LUA_GCGEN, 0, 0);
	rt->refs = calloc(p->nplugins + 1, sizeof(int));
	if (rt->refs == NULL) {
		state_close(rt);
		return av_error_set(err, AV_ENOMEM, NULL, 0, 0, "out of memory");
	}
	for (size_t i = 0; i < p->nplugins; i++) {
		if (av_plugin_run_chunk(&rt->sb, &p->plugins[i].src, msg, sizeof(msg)) != 0 ||
		    lua_type(rt->sb.L, -1) != LUA_TTABLE) {
			state_close(rt);
			return av_error_set(err, AV_EPLUGIN, p->plugins[i].src.file, 0, 0, "%s", msg);
		}
		rt->refs[i] = luaL_ref(rt->sb.L, LUA_REGISTRYINDEX);
	}
	rt->rebuild = false;
	return 0;
}

int
av_runtime_create(av_runtime **out, av_policy *p, av_error *err)
{
	av_runtime *rt = calloc(1, sizeof(*rt));
	int rc;

	*out = NULL;
	if (rt == NULL)
		return av_error_set(err, AV_ENOMEM, NULL, 0, 0, "out of memory");
	rt->policy = av_policy_ref(p);
	if ((rc = state_open(rt, err)) != 0) {
		av_policy_unref(rt->policy);
		free(rt);
		return rc;
	}
	*out = rt;
	return 0;
}

void
av_runtime_destroy(av_runtime *rt)
{
	if (rt == NULL)
		return;
	state_close(rt);
	av_policy_unref(rt->policy);
	free(rt);
}

av_policy *
av_runtime_policy(const av_runtime *rt)
{
	return rt->policy;
}

static bool
valid_id(const char *id, const char *area)
{
	size_t al = strlen(area);
	bool dot = true;

	if (strncmp(id, area, al) != 0 || id[al] != '.')
		return false;
	for (const char *c = id + al + 1; *c; c++) {
		if (*c == '.') {
			if (dot)
				return false;
			dot = true;
		} else if ((*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') || *c == '_' ||
		    *c == '-') {
			dot = false;
		} else {
			return false;
		}
	}
	return !dot;
}

static report *
check_report(lua_State *L)
{
	report *r = luaL_checkudata(L, 1, REPORT_MT);

	if (!r->live)
		luaL_error(L, "this report is closed: findings are reported during evaluate");
	return r;
}

/* A string field of the finding table at 2, or NULL.  The host keeps C
 * strings, so a NUL inside would silently cut the value: refused, as is a
 * value longer than MAX_FINDING_TEXT. */
static const char *
opt_field(lua_State *L, const char *plugin, const char *key)
{
	int t = lua_getfield(L, 2, key);
	const char *s;
	size_t len;

	if (t == LUA_TNIL)
		return NULL;
	if (t != LUA_TSTRING)
		luaL_error(L, "plugin %s: finding field '%s' must be a string, not a %s", plugin, key,
		    luaL_typename(L, -1));
	s = lua_tolstring(L, -1, &len);
	if (strlen(s) != len)
		luaL_error(L, "plugin %s: finding field '%s' contains a NUL byte", plugin, key);
	if (len > MAX_FINDING_TEXT)
		luaL_error(L, "plugin %s: finding field '%s' is too long (%I bytes, at most %d)",
		    plugin, key, (lua_Integer)len, MAX_FINDING_TEXT);
	return s;
}

/***
 * report:finding{id=, severity=, message=, evidence=, remedy=, review_within=}
 * Records a finding.  A bad id, severity or field raises an error naming
 * the plugin, the caller's line and the bad value.
 */
static int
report_finding(lua_State *L)
{
	static const char *const fields[] = {"id", "severity", "message", "evidence", "remedy",
		"review_within", NULL};
	report *r = check_report(L);
	av_runtime *rt = r->rt;
	const av_plugin *pl = &rt->policy->plugins[r->plugin];
	const char *name = pl->info.name;
	const char *id, *sevs, *msg, *evidence, *remedy, *within;
	int sev;
	int64_t secs = 0;

	luaL_checktype(L, 2, LUA_TTABLE);
	lua_settop(L, 2);
	if (r->nfindings >= MAX_FINDINGS)
		return luaL_error(L, "plugin %s: more than %d findings in one evaluation", name,
		    MAX_FINDINGS);
	lua_pushnil(L);
	while (lua_next(L, 2)) {
		bool ok = lua_type(L, -2) == LUA_TSTRING;
		for (int i = 0; ok && fields[i] != NULL; i++)
			if (strcmp(lua_tostring(L, -2), fields[i]) == 0)
				goto known;
		return luaL_error(L, "plugin %s: unknown finding field '%s'", name,
		    ok ? lua_tostring(L, -2) : luaL_typename(L, -2));
known:
		lua_pop(L, 1);
	}
	if ((id = opt_field(L, name, "id")) == NULL)
		return luaL_error(L, "plugin %s: finding has no id", name);
	if (!valid_id(id, pl->info.area))
		return luaL_error(L,
		    "plugin %s: bad finding id '%s' (must be dotted lower-case and start with '%s.')",
		    name, id, pl->info.area);
	if ((sevs = opt_field(L, name, "severity")) == NULL)
		return luaL_error(L, "plugin %s: finding '%s' has no severity", name, id);
	if ((sev = av_severity_parse(sevs)) < 0)
		return luaL_error(L,
		    "plugin %s: bad severity '%s' for finding '%s' (expected info, warn, review or block)",
		    name, sevs, id);
	if ((msg = opt_field(L, name, "message")) == NULL || *msg == '\0')
		return luaL_error(L, "plugin %s: finding '%s' has no message", name, id);
	evidence = opt_field(L, name, "evidence");
	remedy = opt_field(L, name, "remedy");
	if ((within = opt_field(L, name, "review_within")) != NULL &&
	    (av_duration_parse(within, &secs) != 0 || secs <= 0))
		return luaL_error(L, "plugin %s: bad review_within '%s' for finding '%s' (expected "
		    "a duration such as 30d)", name, within, id);
	sev = (int)av_profile_remap(rt->profile, id, (av_severity)sev);
	if (av_verdict_add(rt->v, pl->info.area, id, (av_severity)sev, msg, evidence, remedy,
	    name) != 0)
		return luaL_error(L, "not enough memory");
	r->nfindings++;
	if (secs > 0 && (rt->min_within == 0 || secs < rt->min_within))
		rt->min_within = secs;
	return 0;
}

/***
 * report:risk("low"|"medium"|"high"): raises the component's minimum risk tier.
 */
static int
report_risk(lua_State *L)
{
	report *r = check_report(L);
	const char *s = luaL_checkstring(L, 2);
	int risk = av_risk_parse(s);

	if (risk < 0)
		return luaL_error(L, "plugin %s: bad risk '%s' (expected low, medium or high)",
		    r->rt->policy->plugins[r->plugin].info.name, s);
	if ((av_risk)risk > r->rt->risk_floor)
		r->rt->risk_floor = (av_risk)risk;
	return 0;
}

static int
report_tostring(lua_State *L)
{
	report *r = luaL_checkudata(L, 1, REPORT_MT);

	lua_pushfstring(L, "report (%s)", r->rt->policy->plugins[r->plugin].info.name);
	return 1;
}

/* Builds the settings proxy for plugin i under the current profile:
 * schema defaults with the profile's section over them.  [-0, +1, m] */
static int
push_settings(lua_State *L)
{
	av_runtime *rt = lua_touserdata(L, 1);
	size_t i = (size_t)lua_tointeger(L, 2);
	const av_plugin *pl = &rt->policy->plugins[i];
	const av_node *s = av_profile_settings(rt->profile, pl->info.name);

	lua_newtable(L);
	if (pl->schema != NULL)
		for (const av_node *c = av_doc_root(pl->schema)->first; c; c = c->next) {
			const av_node *def = av_map_get(c, "default");
			if (def != NULL && def->type != AV_NULL) {
				av_node_push_lua(L, def);
				lua_setfield(L, -2, c->key);
			}
		}
	for (const av_node *c = s != NULL ? s->first : NULL; c != NULL; c = c->next) {
		if (strcmp(c->key, "enabled") == 0 || c->type == AV_NULL)
			continue;
		av_node_push_lua(L, c);
		lua_setfield(L, -2, c->key);
	}
	av_sandbox_readonly(&rt->sb, -1, "settings");
	return 1;
}

static int
push_component(lua_State *L)
{
	av_runtime *rt = lua_touserdata(L, 1);
	const av_node *m = lua_touserdata(L, 2);

	av_sandbox_push_readonly(&rt->sb, m, "component");
	return 1;
}

static int
push_report(lua_State *L)
{
	static const luaL_Reg methods[] = {
		{"finding", report_finding},
		{"risk", report_risk},
		{NULL, NULL},
	};
	report *r = lua_newuserdatauv(L, sizeof(*r), 0);

	r->rt = lua_touserdata(L, 1);
	r->plugin = (size_t)lua_tointeger(L, 2);
	r->live = true;
	r->nfindings = 0;
	if (luaL_newmetatable(L, REPORT_MT)) {
		luaL_newlib(L, methods);
		lua_setfield(L, -2, "__index");
		lua_pushcfunction(L, report_tostring);
		lua_setfield(L, -2, "__tostring");
		lua_pushboolean(L, 0);
		lua_setfield(L, -2, "__metatable");
	}
	lua_setmetatable(L, -2);
	return 1;
}

/* Calls a C helper above in protected mode; its result is left on top. */
static int
helper(av_runtime *rt, lua_CFunction f, void *a, lua_Integer b)
{
	lua_State *L = rt->sb.L;

	lua_pushcfunction(L, f);
	lua_pushlightuserdata(L, rt);
	if (f == push_component)
		lua_pushlightuserdata(L, a);
	else
		lua_pushinteger(L, b);
	return lua_pcall(L, 2, 1, 0);
}

static bool
applies(const av_plugin *pl, const char *kind)
{
	if (pl->applies_to == NULL)
		return true;
	for (size_t i = 0; i < pl->napplies; i++)
		if (kind != NULL && strcmp(pl->applies_to[i], kind) == 0)
			return true;
	return false;
}

static int
cmp_findings(const void *a, const void *b)
{
	const av_finding *x = a, *y = b;
	int c;

	if (x->severity != y->severity)
		return x->severity > y->severity ? -1 : 1;
	if ((c = strcmp(x->id, y->id)) != 0)
		return c;
	if ((c = strcmp(x->plugin ? x->plugin : "", y->plugin ? y->plugin : "")) != 0)
		return c;
	return strcmp(x->message, y->message);
}

static av_risk
manifest_risk(const av_node *m)
{
	av_risk r = AV_RISK_LOW;
	const av_node *use = av_map_get(m, "use");
	const av_node *n;

	if (use == NULL || use->type != AV_MAP)
		return r;
	if ((n = av_map_get(use, "impact")) != NULL && n->type == AV_STR && av_risk_parse(n->str) > 0)
		r = (av_risk)av_risk_parse(n->str);
	if ((n = av_map_get(use, "high_stakes_domains")) != NULL && n->type == AV_SEQ &&
	    n->count > 0)
		r = AV_RISK_HIGH;
	if (r < AV_RISK_MEDIUM) {
		const char *aud = av_map_str(use, "audience");
		const av_node *cf = av_map_get(use, "customer_facing");
		if ((aud != NULL && strcmp(aud, "public") == 0) ||
		    (cf != NULL && cf->type == AV_BOOL && cf->b))
			r = AV_RISK_MEDIUM;
	}
	return r;
}

static char *
dup_or_null(const char *s)
{
	return s != NULL ? strdup(s) : NULL;
}

/* A plugin failed: the engine's finding in its place (fail closed). */
static int
plugin_failed(av_runtime *rt, const av_plugin *pl, const char *id, const char *what,
    const char *detail)
{
	char msg[1024];
	const char *end = detail != NULL ? strstr(detail, "\nstack traceback:") : NULL;
	int len = detail == NULL ? 0 : end != NULL ? (int)(end - detail) : (int)strlen(detail);

	snprintf(msg, sizeof(msg), "plugin %s %s%s%.*s", pl->info.name, what, len ? ": " : "", len,
	    detail ? detail : "");
	av_policy_log(rt->policy, AV_LOG_ERROR, "%s", detail != NULL && end != NULL ?
	    detail : msg);
	if (detail != NULL && end != NULL)
		av_policy_log(rt->policy, AV_LOG_ERROR, "%s", msg);
	return av_verdict_add(rt->v, "engine", id, AV_SEV_REVIEW, msg, pl->info.name,
	    "fix or disable the plugin; its checks did not run", pl->info.name);
}

/* Runs one plugin's evaluate with the component at index comp. */
static int
run_plugin(av_runtime *rt, size_t i, int comp)
{
	lua_State *L = rt->sb.L;
	const av_plugin *pl = &rt->policy->plugins[i];
	int top = lua_gettop(L);
	int rc;
	report *r;

	/* Settings are cached per profile in the registry. */
	lua_pushfstring(L, "aivet.settings:%s:%s", rt->profile->name, pl->info.name);
	if (lua_rawget(L, LUA_REGISTRYINDEX) != LUA_TTABLE) {
		lua_pop(L, 1);
		if (helper(rt, push_settings, NULL, (lua_Integer)i) != LUA_OK)
			goto nomem;
		lua_pushfstring(L, "aivet.settings:%s:%s", rt->profile->name, pl->info.name);
		lua_pushvalue(L, -2);
		lua_rawset(L, LUA_REGISTRYINDEX);
	}
	int settings = lua_gettop(L);
	if (helper(rt, push_report, NULL, (lua_Integer)i) != LUA_OK)
		goto nomem;
	r = lua_touserdata(L, -1);
	int rep = lua_gettop(L);
	lua_rawgeti(L, LUA_REGISTRYINDEX, rt->refs[i]);
	/* Raw: the plugin's table is its own to change, and a metamethod
	 * here would run outside the budget and the protected call. */
	lua_pushliteral(L, "evaluate");
	lua_rawget(L, -2);
	lua_remove(L, -2);
	lua_pushvalue(L, comp);
	lua_pushvalue(L, settings);
	lua_pushvalue(L, rep);
	rt->sb.who = pl->info.name;
	rc = av_sandbox_call(&rt->sb, 3, 1);
	rt->sb.who = NULL;
	r->live = false;
	if (rc == LUA_OK) {
		if (!lua_isnil(L, -1) && !lua_rawequal(L, -1, rep)) {
			char what[128];
			snprintf(what, sizeof(what), "returned a %s from evaluate (findings go "
			    "through report:finding)", luaL_typename(L, -1));
			rc = plugin_failed(rt, pl, "engine.plugin_error", what, NULL);
		} else {
			rc = 0;
		}
		if (rt->sb.mem_exceeded)
			rt->rebuild = true;
	} else if (rt->sb.timed_out) {
		rc = plugin_failed(rt, pl, "engine.plugin_timeout", "exceeded its instruction budget",
		    NULL);
	} else if (rc == LUA_ERRMEM || rt->sb.mem_exceeded) {
		char what[128];
		snprintf(what, sizeof(what), "exceeded the memory cap of %zu bytes", rt->sb.limit);
		rt->rebuild = true;
		rc = plugin_failed(rt, pl, "engine.plugin_memory", what, NULL);
	} else {
		rc = plugin_failed(rt, pl, "engine.plugin_error", "failed", lua_tostring(L, -1));
	}
	lua_settop(L, top);
	return rc;
nomem:
	lua_settop(L, top);
	rt->rebuild = true;
	return plugin_failed(rt, pl, "engine.plugin_memory", "could not start (out of memory)",
	    NULL);
}

int
av_runtime_evaluate_only(av_runtime *rt, const av_node *manifest, const char *profile,
    int64_t now, const char *const *names, size_t nnames, av_verdict **out, av_error *err)
{
	av_policy *p = rt->policy;
	const av_profile *pr = av_policy_profile(p, profile);
	av_verdict *v;
	lua_State *L;
	int rc = 0, top;

	*out = NULL;
	if (pr == NULL)
		return av_error_set(err, AV_ENOTFOUND, NULL, 0, 0, "no profile named '%s'", profile);
	if (rt->rebuild || rt->sb.L == NULL) {
		state_close(rt);
		if ((rc = state_open(rt, err)) != 0)
			return rc;
	}
	if ((v = av_verdict_create()) == NULL)
		return av_error_set(err, AV_ENOMEM, NULL, 0, 0, "out of memory");
	v->name = dup_or_null(av_map_str(manifest, "name"));
	v->version = dup_or_null(av_map_str(manifest, "version"));
	v->kind = dup_or_null(av_map_str(manifest, "kind"));
	v->profile = strdup(pr->name);
	if (v->profile == NULL)
		goto nomem;
	snprintf(v->policy_digest, sizeof(v->policy_digest), "%s", p->digest);
	v->evaluated_at = now;
	rt->v = v;
	rt->profile = pr;
	rt->min_within = 0;
	rt->risk_floor = AV_RISK_LOW;
	rt->sb.now = now;
	L = rt->sb.L;
	top = lua_gettop(L);
	if (helper(rt, push_component, (void *)manifest, 0) != LUA_OK) {
		lua_settop(L, top);
		rt->rebuild = true;
		goto nomem;
	}
	int comp = lua_gettop(L);
	for (size_t i = 0; rc == 0 && i < p->nplugins; i++) {
		const av_plugin *pl = &p->plugins[i];
		bool chosen = names == NULL;
		for (size_t k = 0; !chosen && k < nnames; k++)
			chosen = strcmp(names[k], pl->info.name) == 0;
		if (!chosen || !av_profile_enabled(pr, pl->info.name) || !applies(pl, v->kind))
			continue;
		rc = run_plugin(rt, i, comp);
	}
	lua_settop(L, top);
	rt->v = NULL;
	if (rc != 0)
		goto nomem;

	if (v->nfindings > 1)
		qsort(v->findings, v->nfindings, sizeof(*v->findings), cmp_findings);
	av_verdict_decide(v);
	av_risk risk = manifest_risk(manifest);
	for (size_t i = 0; i < v->nfindings; i++) {
		if (v->findings[i].severity == AV_SEV_BLOCK)
			risk = AV_RISK_HIGH;
		else if (v->findings[i].severity == AV_SEV_REVIEW && risk < AV_RISK_MEDIUM)
			risk = AV_RISK_MEDIUM;
	}
	if (rt->risk_floor > risk)
		risk = rt->risk_floor;
	v->risk = risk;
	v->review_by = now + pr->interval[risk];
	if (rt->min_within > 0 && rt->min_within < v->review_by - now)
		v->review_by = now + rt->min_within;
	const av_node *rb = av_node_at(manifest, "decisions.review_by");
	int64_t t;
	if (rb != NULL && rb->type == AV_STR && av_time_parse(rb->str, &t) == 0 && t < v->review_by)
		v->review_by = t;
	*out = v;
	return 0;
nomem:
	rt->v = NULL;
	av_verdict_destroy(v);
	return av_error_set(err, AV_ENOMEM, NULL, 0, 0, "out of memory while evaluating");
}

int
av_runtime_evaluate(av_runtime *rt, const av_node *manifest, const char *profile, int64_t now,
    av_verdict **out, av_error *err)
{
	return av_runtime_evaluate_only(rt, manifest, profile, now, NULL, 0, out, err);
}
