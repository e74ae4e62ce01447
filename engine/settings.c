/*
 * settings.c - plugin settings: the settings_schema a plugin declares, and
 * the values a profile gives them.
 *
 * A schema entry is {type=, default=, description=}.  It is read once,
 * when the plugin loads (a bad entry is a load error that names the plugin
 * and the setting), and every profile's values are checked against it when
 * the policy loads (a value of the wrong type is a configuration error at
 * its file:line).  What a setting means is the plugin's business; this
 * file only knows its shape.
 */
#include <stdio.h>
#include <string.h>

#include <lauxlib.h>
#include <lua.h>

#include "plugin_int.h"

static const char *const types[] = {"string", "number", "integer", "boolean", "table", "list",
	NULL};
static const char *const fields[] = {"type", "default", "description", NULL};

static bool
in_list(const char *const *list, const char *s)
{
	for (; *list != NULL; list++)
		if (strcmp(*list, s) == 0)
			return true;
	return false;
}

bool
av_schema_type_ok(const char *type, const av_node *v)
{
	if (v->type == AV_NULL)
		return true;
	if (strcmp(type, "string") == 0)
		return v->type == AV_STR;
	if (strcmp(type, "number") == 0)
		return v->type == AV_INT || v->type == AV_FLOAT;
	if (strcmp(type, "integer") == 0)
		return v->type == AV_INT;
	if (strcmp(type, "boolean") == 0)
		return v->type == AV_BOOL;
	if (strcmp(type, "table") == 0)
		return v->type == AV_MAP || (v->type == AV_SEQ && v->count == 0);
	if (strcmp(type, "list") == 0)
		return v->type == AV_SEQ;
	return false;
}

int
av_schema_check(const av_node *entry, const av_node *v, const av_node **where, char *why,
    size_t whylen)
{
	const char *type = av_map_str(entry, "type");

	*where = v;
	if (v->type == AV_NULL)
		return 0;
	if (type != NULL && !av_schema_type_ok(type, v)) {
		snprintf(why, whylen, "must be of type %s, not %s", type, av_ntype_name(v->type));
		return AV_ECONFIG;
	}
	return 0;
}

/* Checks one entry of a schema read from Lua; adds what is wrong to d,
 * prefixed with who ("plugin x: settings_schema.key"). */
static void
check_entry(const av_node *e, const char *file, const char *who, av_diags *d)
{
	const char *type = av_map_str(e, "type");
	bool known = type != NULL && in_list(types, type);
	const av_node *def = av_map_get(e, "default");

	if (!known)
		av_diags_add(d, AV_EPLUGIN, file, 0, 0,
		    "%s: type must be string, number, integer, boolean, table or list", who);
	for (const av_node *c = e->type == AV_MAP ? e->first : NULL; c; c = c->next)
		if (!in_list(fields, c->key))
			av_diags_add(d, AV_EPLUGIN, file, 0, 0, "%s: unknown field '%s'", who, c->key);
	if (known && def != NULL && !av_schema_type_ok(type, def))
		av_diags_add(d, AV_EPLUGIN, file, 0, 0, "%s: default is a %s, not a %s", who,
		    av_ntype_name(def->type), type);
}

int
av_schema_read(lua_State *L, int idx, av_plugin *pl, av_diags *d)
{
	const char *file = pl->src.file;
	char why[256] = "", who[256];
	av_node *root;
	size_t before = d->n;

	idx = lua_absindex(L, idx);
	pl->schema = av_doc_create(file);
	root = pl->schema ? av_node_new(pl->schema, AV_MAP) : NULL;
	if (root == NULL)
		return AV_ENOMEM;
	av_doc_set_root(pl->schema, root);
	lua_pushnil(L);
	while (lua_next(L, idx)) {
		const char *key = lua_type(L, -2) == LUA_TSTRING ? lua_tostring(L, -2) : NULL;
		if (key == NULL || lua_type(L, -1) != LUA_TTABLE) {
			av_diags_add(d, AV_EPLUGIN, file, 0, 0,
			    "settings_schema: each entry must be name = {type=..., default=...}");
			lua_pop(L, 1);
			continue;
		}
		if (pl->info.name != NULL)
			snprintf(who, sizeof(who), "plugin %.100s: settings_schema.%.100s",
			    pl->info.name, key);
		else
			snprintf(who, sizeof(who), "settings_schema.%.100s", key);
		av_node *e = av_lua_to_node(L, -1, pl->schema, 0, why, sizeof(why));
		if (e == NULL) {
			av_diags_add(d, AV_EPLUGIN, file, 0, 0, "%s: %s", who, why);
			lua_pop(L, 1);
			continue;
		}
		check_entry(e, file, who, d);
		if (av_map_set(pl->schema, root, key, e) == NULL)
			return AV_ENOMEM;
		lua_pop(L, 1);
	}
	return d->n == before ? 0 : AV_EPLUGIN;
}
