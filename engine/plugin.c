/*
 * plugin.c - the plugin host: loading a policy set (plugins, lib modules,
 * profiles, data) into an immutable, reference-counted av_policy, and
 * evaluating components with it in per-worker runtimes.
 *
 * The sandbox itself is in sandbox.c, profiles and data files in
 * profile.c, the aivet.* C modules in luamods.c and `aivet plugin test` in
 * plugintest.c.  A runtime enters Lua only through av_sandbox_call, so a
 * plugin that fails, loops or allocates without bound becomes a finding of
 * severity review and never a crash.
 */
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <lauxlib.h>
#include <lua.h>

#include "file.h"
#include "sha256.h"
#include "clock.h"
#include "plugin_int.h"

#define MAX_PLUGIN_FILE ((size_t)4 << 20)
#define REPORT_MT "aivet.report"
/* What one plugin may report in one evaluation: findings live in C memory,
 * outside the Lua heap's cap, so their number and size are bounded here. */
#define MAX_FINDINGS 1000
#define MAX_FINDING_TEXT 8192

static int
cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void
av_free_names(char **names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

int
av_list_dir(const char *dir, const char *suffix, bool optional, char ***names, size_t *n,
    av_error *err)
{
	DIR *dp = opendir(dir);
	struct dirent *de;
	char **v = NULL;
	size_t cnt = 0, cap = 0, sl = strlen(suffix);

	*names = NULL;
	*n = 0;
	if (dp == NULL) {
		if (optional && errno == ENOENT)
			return 0;
		return av_error_set(err, AV_EIO, dir, 0, 0, "cannot read directory: %s",
		    strerror(errno));
	}
	while ((de = readdir(dp)) != NULL) {
		size_t l = strlen(de->d_name);
		char path[4096];
		struct stat st;
		if (de->d_name[0] == '.' || l <= sl || strcmp(de->d_name + l - sl, suffix) != 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (stat(path, &st) != 0 || !S_ISREG(st.st_mode))
			continue;
		if (cnt == cap) {
			cap = cap ? cap * 2 : 16;
			char **nv = realloc(v, cap * sizeof(*nv));
			if (nv == NULL)
				goto nomem;
			v = nv;
		}
		if ((v[cnt] = strdup(de->d_name)) == NULL)
			goto nomem;
		cnt++;
	}
	closedir(dp);
	if (cnt > 1)
		qsort(v, cnt, sizeof(*v), cmp_names);
	*names = v;
	*n = cnt;
	return 0;
nomem:
	closedir(dp);
	av_free_names(v, cnt);
	return av_error_set(err, AV_ENOMEM, dir, 0, 0, "out of memory");
}

/* --- logging --- */

void
av_log_to(void (*log)(void *, int, const char *), void *arg, int level, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;

	if (log == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	log(arg, level, buf);
}

void
av_policy_log(const av_policy *p, int level, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;

	if (p->opts.log == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	p->opts.log(p->opts.log_arg, level, buf);
}

/* --- Lua values to documents (settings schemas) --- */

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

/* --- policy loading --- */

static void
plugin_fini(av_plugin *pl)
{
	free((char *)pl->info.name);
	free((char *)pl->info.area);
	free((char *)pl->info.version);
	free((char *)pl->info.description);
	free(pl->src.file);
	free(pl->src.name);
	free(pl->src.buf);
	for (size_t i = 0; i < pl->napplies; i++)
		free(pl->applies_to[i]);
	free(pl->applies_to);
	av_doc_destroy(pl->schema);
	memset(pl, 0, sizeof(*pl));
}

static void
policy_free(av_policy *p)
{
	if (p == NULL)
		return;
	for (size_t i = 0; i < p->nplugins; i++)
		plugin_fini(&p->plugins[i]);
	free(p->plugins);
	for (size_t i = 0; i < p->nlibs; i++) {
		free(p->libs[i].file);
		free(p->libs[i].name);
		free(p->libs[i].buf);
	}
	free(p->libs);
	for (size_t i = 0; i < p->nprofiles; i++)
		av_profile_fini(&p->profiles[i]);
	free(p->profiles);
	av_doc_destroy(p->kb);
	free(p);
}

static bool
is_ident(const char *s)
{
	if (*s == '\0')
		return false;
	for (; *s != '\0'; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_'))
			return false;
	return true;
}

/* Reads every lib/ module of dir (recursively, "lib/aivet/x.lua" is
 * module "aivet.x") into p->libs, in sorted order. */
static int
load_libs(av_policy *p, const char *root, const char *rel, int depth, av_sha256 *digest,
    av_diags *d)
{
	char dir[4096];
	DIR *dp;
	struct dirent *de;
	char **names = NULL;
	size_t n = 0, cap = 0;
	int rc = 0;

	snprintf(dir, sizeof(dir), "%s/lib%s%s", root, *rel ? "/" : "", rel);
	if ((dp = opendir(dir)) == NULL)
		return 0;
	while ((de = readdir(dp)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 16;
			char **nv = realloc(names, cap * sizeof(*nv));
			if (nv == NULL) {
				rc = AV_ENOMEM;
				break;
			}
			names = nv;
		}
		if ((names[n] = strdup(de->d_name)) == NULL) {
			rc = AV_ENOMEM;
			break;
		}
		n++;
	}
	closedir(dp);
	if (rc == 0 && n > 1)
		qsort(names, n, sizeof(*names), cmp_names);
	for (size_t i = 0; rc == 0 && i < n; i++) {
		char path[8200], sub[4096];
		struct stat st;
		size_t l = strlen(names[i]);
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		snprintf(sub, sizeof(sub), "%s%s%s", rel, *rel ? "/" : "", names[i]);
		if (stat(path, &st) != 0)
			continue;
		if (S_ISDIR(st.st_mode)) {
			if (depth < 8)
				rc = load_libs(p, root, sub, depth + 1, digest, d);
			continue;
		}
		if (!S_ISREG(st.st_mode) || l <= 4 || strcmp(names[i] + l - 4, ".lua") != 0 ||
		    (l > 9 && strcmp(names[i] + l - 9, "_test.lua") == 0))
			continue;
		av_src src = {0};
		av_error err;
		av_error_clear(&err);
		if ((rc = av_read_file(path, MAX_PLUGIN_FILE, &src.buf, &src.len, &err)) != 0) {
			av_diags_add(d, rc, path, 0, 0, "%s", err.msg);
			rc = rc == AV_ENOMEM ? rc : 0;
			continue;
		}
		src.file = strdup(path);
		src.name = strdup(sub);
		av_src *nv = realloc(p->libs, (p->nlibs + 1) * sizeof(*nv));
		if (src.file == NULL || src.name == NULL || nv == NULL) {
			free(src.file);
			free(src.name);
			free(src.buf);
			rc = AV_ENOMEM;
			break;
		}
		p->libs = nv;
		src.name[strlen(src.name) - 4] = '\0';
		for (char *c = src.name; *c; c++)
			if (*c == '/')
				*c = '.';
		av_sha256_update(digest, "lib:", 4);
		av_sha256_update(digest, sub, strlen(sub) + 1);
		av_sha256_update(digest, src.buf, src.len);
		p->libs[p->nlibs++] = src;
	}
	av_free_names(names, n);
	return rc;
}

/* Pushes t[key] read raw: a metamethod of the plugin's table would run
 * here outside any protected call and budget.  [-0, +1, m] */
static int
rawfield(lua_State *L, int t, const char *key)
{
	lua_pushstring(L, key);
	return lua_rawget(L, t);
}

static char *
field_str(lua_State *L, int t, const char *key, bool required, const char *file, av_diags *d)
{
	char *s = NULL;
	int ty = rawfield(L, t, key);

	if (ty == LUA_TSTRING)
		s = strdup(lua_tostring(L, -1));
	else if (ty != LUA_TNIL || required)
		av_diags_add(d, AV_EPLUGIN, file, 0, 0, "plugin table: '%s' must be a string%s", key,
		    ty == LUA_TNIL ? " (missing)" : "");
	lua_pop(L, 1);
	return s;
}

/* Checks the table a plugin returned (on top of sb's stack) and fills pl. */
static int
check_contract(lua_State *L, av_plugin *pl, av_diags *d)
{
	const char *file = pl->src.file;
	size_t before = d->n;
	int t = lua_gettop(L);

	if (lua_type(L, t) != LUA_TTABLE)
		return av_diags_add(d, AV_EPLUGIN, file, 0, 0,
		    "a plugin must return a table, not a %s", luaL_typename(L, t));
	pl->info.name = field_str(L, t, "name", true, file, d);
	pl->info.area = field_str(L, t, "area", true, file, d);
	pl->info.version = field_str(L, t, "version", true, file, d);
	pl->info.description = field_str(L, t, "description", true, file, d);
	if (pl->info.name != NULL && !is_ident(pl->info.name))
		av_diags_add(d, AV_EPLUGIN, file, 0, 0,
		    "plugin name '%s' must be lower-case letters, digits and _", pl->info.name);
	if (pl->info.area != NULL && !is_ident(pl->info.area))
		av_diags_add(d, AV_EPLUGIN, file, 0, 0,
		    "plugin area '%s' must be lower-case letters, digits and _", pl->info.area);
	if (pl->info.area != NULL && strcmp(pl->info.area, "engine") == 0)
		av_diags_add(d, AV_EPLUGIN, file, 0, 0, "area 'engine' is reserved for aivet");
	if (rawfield(L, t, "evaluate") != LUA_TFUNCTION)
		av_diags_add(d, AV_EPLUGIN, file, 0, 0, "plugin table: 'evaluate' must be a function%s",
		    lua_isnil(L, -1) ? " (missing)" : "");
	lua_pop(L, 1);
	int ty = rawfield(L, t, "applies_to");
	if (ty == LUA_TTABLE) {
		lua_Integer n = (lua_Integer)lua_rawlen(L, -1);
		pl->applies_to = calloc((size_t)n + 1, sizeof(char *));
		if (pl->applies_to == NULL)
			return AV_ENOMEM;
		for (lua_Integer i = 1; i <= n; i++) {
			if (lua_rawgeti(L, -1, i) != LUA_TSTRING)
				av_diags_add(d, AV_EPLUGIN, file, 0, 0,
				    "applies_to[%lld] must be a kind name (string)", (long long)i);
			else if ((pl->applies_to[pl->napplies++] = strdup(lua_tostring(L, -1))) == NULL)
				return AV_ENOMEM;
			lua_pop(L, 1);
		}
	} else if (ty != LUA_TNIL) {
		av_diags_add(d, AV_EPLUGIN, file, 0, 0, "applies_to must be a list of kinds");
	}
	lua_pop(L, 1);
	ty = rawfield(L, t, "settings_schema");
	if (ty == LUA_TTABLE) {
		char why[256] = "";
		pl->schema = av_doc_create(file);
		av_node *root = pl->schema ? av_node_new(pl->schema, AV_MAP) : NULL;
		if (root == NULL)
			return AV_ENOMEM;
		av_doc_set_root(pl->schema, root);
		lua_pushnil(L);
		while (lua_next(L, -2)) {
			const char *key = lua_type(L, -2) == LUA_TSTRING ? lua_tostring(L, -2) : NULL;
			const char *type;
			if (key == NULL || lua_type(L, -1) != LUA_TTABLE) {
				av_diags_add(d, AV_EPLUGIN, file, 0, 0,
				    "settings_schema: each entry must be name = {type=..., default=...}");
				lua_pop(L, 1);
				continue;
			}
			av_node *e = av_lua_to_node(L, -1, pl->schema, 0, why, sizeof(why));
			if (e == NULL) {
				av_diags_add(d, AV_EPLUGIN, file, 0, 0, "settings_schema.%s: %s", key, why);
				lua_pop(L, 1);
				continue;
			}
			type = av_map_str(e, "type");
			static const char *const types[] = {"string", "number", "integer", "boolean",
				"table", "list"};
			bool known = false;
			for (size_t i = 0; type != NULL && i < 6; i++)
				known = known || strcmp(type, types[i]) == 0;
			if (!known)
				av_diags_add(d, AV_EPLUGIN, file, 0, 0,
				    "settings_schema.%s: type must be string, number, integer, boolean, "
				    "table or list", key);
			for (const av_node *c = e->type == AV_MAP ? e->first : NULL; c; c = c->next)
				if (strcmp(c->key, "type") != 0 && strcmp(c->key, "default") != 0 &&
				    strcmp(c->key, "description") != 0)
					av_diags_add(d, AV_EPLUGIN, file, 0, 0,
					    "settings_schema.%s: unknown field '%s'", key, c->key);
			const av_node *def = av_map_get(e, "default");
			if (known && def != NULL && !av_schema_type_ok(type, def))
				av_diags_add(d, AV_EPLUGIN, file, 0, 0,
				    "settings_schema.%s: default is a %s, not a %s", key,
				    av_ntype_name(def->type), type);
			av_map_set(pl->schema, root, key, e);
			lua_pop(L, 1);
		}
	} else if (ty != LUA_TNIL) {
		av_diags_add(d, AV_EPLUGIN, file, 0, 0, "settings_schema must be a table");
	}
	lua_pop(L, 1);
	return d->n == before ? 0 : AV_EPLUGIN;
}

/* Loads a plugin's chunk in sb and runs it; leaves its table on the stack. */
static int
run_chunk(av_sandbox *sb, const av_src *src, char *msg, size_t msglen)
{
	char chunk[4200];
	int rc;

	snprintf(chunk, sizeof(chunk), "@%s", src->file);
	if (av_sandbox_load(sb, src->buf, src->len, chunk) != LUA_OK) {
		snprintf(msg, msglen, "%s", lua_tostring(sb->L, -1));
		lua_pop(sb->L, 1);
		return AV_EPLUGIN;
	}
	sb->who = src->name;
	rc = av_sandbox_call(sb, 0, 1);
	sb->who = NULL;
	if (rc != LUA_OK) {
		const char *e = lua_tostring(sb->L, -1);
		snprintf(msg, msglen, "%s", sb->timed_out ? "instruction budget exceeded while loading"
		    : rc == LUA_ERRMEM ? "memory cap exceeded while loading" : e ? e : "error");
		lua_pop(sb->L, 1);
		return AV_EPLUGIN;
	}
	return 0;
}

/* Loads one plugin file in a scratch sandbox; appends it to p. */
static int
load_plugin(av_policy *p, const char *dir, const char *name, av_sha256 *digest, av_diags *d)
{
	av_plugin pl;
	av_sandbox sb = {0};
	av_error err;
	char path[4096], msg[2048];
	int rc;

	memset(&pl, 0, sizeof(pl));
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	av_error_clear(&err);
	if ((rc = av_read_file(path, MAX_PLUGIN_FILE, &pl.src.buf, &pl.src.len, &err)) != 0)
		return av_diags_add(d, rc, path, 0, 0, "%s", err.msg);
	av_sha256_update(digest, "plugin:", 7);
	av_sha256_update(digest, name, strlen(name) + 1);
	av_sha256_update(digest, pl.src.buf, pl.src.len);
	av_sha256_hex(pl.src.buf, pl.src.len, pl.info.digest);
	if ((pl.src.file = strdup(path)) == NULL || (pl.src.name = strdup(name)) == NULL) {
		plugin_fini(&pl);
		return AV_ENOMEM;
	}
	pl.src.name[strlen(name) - 4] = '\0';
	pl.info.file = pl.src.file;
	sb.budget = p->opts.instr_budget;
	sb.limit = p->opts.mem_limit;
	sb.policy = p;
	sb.log = p->opts.log;
	sb.log_arg = p->opts.log_arg;
	if (av_sandbox_open(&sb) != 0) {
		plugin_fini(&pl);
		return AV_ENOMEM;
	}
	if ((rc = run_chunk(&sb, &pl.src, msg, sizeof(msg))) != 0) {
		/* Lua's message starts with "file:line:" already. */
		av_diags_add(d, AV_EPLUGIN, path, 0, 0, "%s", msg);
	} else {
		rc = check_contract(sb.L, &pl, d);
	}
	av_sandbox_close(&sb);
	if (rc != 0) {
		plugin_fini(&pl);
		return rc;
	}
	for (size_t i = 0; i < p->nplugins; i++)
		if (strcmp(p->plugins[i].info.name, pl.info.name) == 0) {
			av_policy_log(p, AV_LOG_INFO, "plugin '%s' from %s replaces the one from %s",
			    pl.info.name, path, p->plugins[i].src.file);
			plugin_fini(&p->plugins[i]);
			memmove(&p->plugins[i], &p->plugins[i + 1],
			    (p->nplugins - i - 1) * sizeof(*p->plugins));
			p->nplugins--;
			break;
		}
	av_plugin *nv = realloc(p->plugins, (p->nplugins + 1) * sizeof(*nv));
	if (nv == NULL) {
		plugin_fini(&pl);
		return AV_ENOMEM;
	}
	p->plugins = nv;
	p->plugins[p->nplugins++] = pl;
	return 0;
}

int
av_policy_load(av_policy **out, const av_policy_opts *o, av_diags *d)
{
	av_policy *p = calloc(1, sizeof(*p));
	av_sha256 digest;
	size_t before = d->n;
	int rc = 0;

	*out = NULL;
	if (p == NULL)
		return AV_ENOMEM;
	p->refs = 1;
	p->opts = *o;
	p->opts.plugin_dirs = NULL;
	p->opts.policy_dirs = NULL;
	p->opts.nplugin_dirs = p->opts.npolicy_dirs = 0;
	av_sha256_init(&digest);
	for (size_t i = 0; rc != AV_ENOMEM && i < o->nplugin_dirs; i++)
		rc = load_libs(p, o->plugin_dirs[i], "", 0, &digest, d);
	for (size_t i = 0; rc != AV_ENOMEM && i < o->nplugin_dirs; i++) {
		char **names = NULL;
		size_t n = 0;
		av_error err;
		av_error_clear(&err);
		if ((rc = av_list_dir(o->plugin_dirs[i], ".lua", false, &names, &n, &err)) != 0) {
			av_diags_add(d, rc, o->plugin_dirs[i], 0, 0, "%s", err.msg);
			continue;
		}
		for (size_t j = 0; rc != AV_ENOMEM && j < n; j++) {
			size_t l = strlen(names[j]);
			if (l > 9 && strcmp(names[j] + l - 9, "_test.lua") == 0)
				continue;
			rc = load_plugin(p, o->plugin_dirs[i], names[j], &digest, d);
		}
		av_free_names(names, n);
	}
	if (rc != AV_ENOMEM)
		rc = av_profiles_load(p, o, &digest, d);
	for (size_t i = 0; rc != AV_ENOMEM && i < p->nprofiles; i++) {
		const av_profile *pr = &p->profiles[i];
		for (size_t j = 0; j < p->nplugins; j++)
			av_profile_check_settings(pr, &p->plugins[j], d);
		if (pr->plugins != NULL)
			for (const av_node *c = pr->plugins->first; c != NULL; c = c->next) {
				bool found = false;
				for (size_t j = 0; j < p->nplugins && !found; j++)
					found = strcmp(p->plugins[j].info.name, c->key) == 0;
				if (!found)
					av_policy_log(p, AV_LOG_WARN,
					    "%s: profile '%s' configures plugin '%s', which is not loaded",
					    pr->file, pr->name, c->key);
			}
	}
	av_sha256_final_hex(&digest, p->digest);
	if (rc == AV_ENOMEM || d->n != before) {
		policy_free(p);
		return rc == AV_ENOMEM ? rc : (d->n > before ? d->v[before].code : AV_EPLUGIN);
	}
	av_policy_log(p, AV_LOG_INFO, "policy %.12s: %zu plugins, %zu profiles", p->digest,
	    p->nplugins, p->nprofiles);
	*out = p;
	return 0;
}

av_policy *
av_policy_ref(av_policy *p)
{
	if (p != NULL)
		__atomic_fetch_add(&p->refs, 1, __ATOMIC_RELAXED);
	return p;
}

void
av_policy_unref(av_policy *p)
{
	if (p != NULL && __atomic_sub_fetch(&p->refs, 1, __ATOMIC_ACQ_REL) == 0)
		policy_free(p);
}

const char *
av_policy_digest(const av_policy *p)
{
	return p->digest;
}

size_t
av_policy_nplugins(const av_policy *p)
{
	return p->nplugins;
}

const av_plugin_info *
av_policy_plugin(const av_policy *p, size_t i)
{
	return i < p->nplugins ? &p->plugins[i].info : NULL;
}

bool
av_policy_has_profile(const av_policy *p, const char *profile)
{
	return av_policy_profile(p, profile) != NULL;
}

int64_t
av_policy_interval(const av_policy *p, const char *profile, av_risk risk)
{
	const av_profile *pr = av_policy_profile(p, profile);

	if (pr == NULL)
		pr = av_policy_profile(p, NULL);
	return pr->interval[risk <= AV_RISK_HIGH ? risk : AV_RISK_HIGH];
}

int64_t
av_policy_lead(const av_policy *p, const char *profile)
{
	const av_profile *pr = av_policy_profile(p, profile);

	if (pr == NULL)
		pr = av_policy_profile(p, NULL);
	return pr->due_soon;
}

cJSON *
av_policy_describe(const av_policy *p)
{
	cJSON *j = cJSON_CreateObject();
	cJSON *pl = cJSON_AddArrayToObject(j, "plugins");
	cJSON *pr = cJSON_AddArrayToObject(j, "profiles");

	if (j == NULL || pl == NULL || pr == NULL || !cJSON_AddStringToObject(j, "digest", p->digest))
		goto fail;
	for (size_t i = 0; i < p->nplugins; i++) {
		const av_plugin_info *in = &p->plugins[i].info;
		cJSON *e = cJSON_CreateObject();
		if (e == NULL || !cJSON_AddItemToArray(pl, e) ||
		    !cJSON_AddStringToObject(e, "name", in->name) ||
		    !cJSON_AddStringToObject(e, "area", in->area) ||
		    !cJSON_AddStringToObject(e, "version", in->version) ||
		    !cJSON_AddStringToObject(e, "description", in->description) ||
		    !cJSON_AddStringToObject(e, "file", in->file) ||
		    !cJSON_AddStringToObject(e, "digest", in->digest))
			goto fail;
	}
	for (size_t i = 0; i < p->nprofiles; i++) {
		const av_profile *f = &p->profiles[i];
		const char *ext = av_map_str(av_doc_root(f->raw), "extends");
		cJSON *e = cJSON_CreateObject();
		if (e == NULL || !cJSON_AddItemToArray(pr, e) ||
		    !cJSON_AddStringToObject(e, "name", f->name) ||
		    !cJSON_AddStringToObject(e, "file", f->file) ||
		    (f->description && !cJSON_AddStringToObject(e, "description", f->description)) ||
		    (ext && !cJSON_AddStringToObject(e, "extends", ext)))
			goto fail;
	}
	return j;
fail:
	cJSON_Delete(j);
	return NULL;
}

/* --- runtimes --- */

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
		if (run_chunk(&rt->sb, &p->plugins[i].src, msg, sizeof(msg)) != 0 ||
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
