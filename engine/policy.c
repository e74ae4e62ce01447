/*
 * policy.c - loading a policy set: the plugins' files and lib/ modules,
 * each plugin's contract checked in a scratch sandbox, the profiles and
 * data files (profile.c), the settings every profile gives each plugin
 * checked against its settings_schema (settings.c), and the digest over
 * every byte of all of them.  The result is an immutable,
 * reference-counted av_policy.
 *
 * Evaluation with a loaded policy is in runtime.c; the sandbox in
 * sandbox.c.  A plugin file runs here only to read its table: a plugin
 * that fails, loops or allocates without bound while loading is a load
 * error naming its file, never a crash.
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
#include "plugin_int.h"

#define MAX_PLUGIN_FILE ((size_t)4 << 20)

/* --- listing folders --- */

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
		if (av_schema_read(L, -1, pl, d) == AV_ENOMEM)
			return AV_ENOMEM;
	} else if (ty != LUA_TNIL) {
		av_diags_add(d, AV_EPLUGIN, file, 0, 0, "settings_schema must be a table");
	}
	lua_pop(L, 1);
	return d->n == before ? 0 : AV_EPLUGIN;
}

int
av_plugin_run_chunk(av_sandbox *sb, const av_src *src, char *msg, size_t msglen)
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
	if ((rc = av_plugin_run_chunk(&sb, &pl.src, msg, sizeof(msg))) != 0) {
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
