/*
 * settings.c - plugin settings: the settings_schema a plugin declares, and
 * the values a profile gives them.
 *
 * A schema entry is {type=, default=, description=, one_of=, min=, max=}.
 * It is read once, when the plugin loads (a bad entry is a load error that
 * names the plugin and the setting), and every profile's values are checked
 * against it when the policy loads (a value of the wrong type, outside
 * one_of or outside min..max is a configuration error at its file:line), so
 * that a typo in a profile never turns into a silent default at evaluation
 * time.  What a setting means is the plugin's business; this file only
 * knows its shape.
 */
#include <stdio.h>
#include <string.h>

#include <lauxlib.h>
#include <lua.h>

#include "plugin_int.h"

static const char *const types[] = {"string", "number", "integer", "boolean", "table", "list",
	NULL};
static const char *const fields[] = {"type", "default", "description", "one_of", "min", "max",
	NULL};

static bool
in_list(const char *const *list, const char *s)
{
	for (; *list != NULL; list++)
		if (strcmp(*list, s) == 0)
			return true;
	return false;
}

static bool
is_number(const av_node *v)
{
	return v->type == AV_INT || v->type == AV_FLOAT;
}

bool
av_schema_type_ok(const char *type, const av_node *v)
{
	if (v->type == AV_NULL)
		return true;
	if (strcmp(type, "string") == 0)
		return v->type == AV_STR;
	if (strcmp(type, "number") == 0)
		return is_number(v);
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

/* a < b: -1, a == b: 0, a > b: 1, for two numbers; integers compare
 * exactly, beyond the 53 bits a double holds. */
static int
num_cmp(const av_node *a, const av_node *b)
{
	if (a->type == AV_INT && b->type == AV_INT)
		return a->i < b->i ? -1 : a->i > b->i;
	double x = a->type == AV_INT ? (double)a->i : a->d;
	double y = b->type == AV_INT ? (double)b->i : b->d;
	return x < y ? -1 : x > y;
}

/* Are two scalars the same value (1 and 1.0 are)? */
static bool
same(const av_node *a, const av_node *b)
{
	if (is_number(a) && is_number(b))
		return num_cmp(a, b) == 0;
	if (a->type != b->type)
		return false;
	if (a->type == AV_STR)
		return a->len == b->len && memcmp(a->str, b->str, a->len) == 0;
	return a->type == AV_BOOL ? a->b == b->b : a->type == AV_NULL;
}

/* Writes v as a message shows it: strings quoted, numbers as written. */
static void
show(const av_node *v, char *buf, size_t len)
{
	if (v->type == AV_STR)
		snprintf(buf, len, "'%.100s'", v->str);
	else if (v->type == AV_NULL)
		snprintf(buf, len, "null");
	else if (v->type == AV_SEQ || v->type == AV_MAP)
		snprintf(buf, len, "a %s", av_ntype_name(v->type));
	else
		snprintf(buf, len, "%.100s", v->str != NULL ? v->str : "?");
}

/* "info, warn, review or block", cut short with "..." past len. */
static void
show_list(const av_node *seq, char *buf, size_t len)
{
	size_t o = 0;

	buf[0] = '\0';
	for (const av_node *c = seq->first; c != NULL; c = c->next) {
		char one[128];
		const char *sep = c == seq->first ? "" : c->next == NULL ? " or " : ", ";
		if (c->type == AV_STR)
			snprintf(one, sizeof(one), "%.100s", c->str);
		else
			show(c, one, sizeof(one));
		int n = snprintf(buf + o, len - o, "%s%s", sep, one);
		if (n < 0 || (size_t)n >= len - o) {
			if (len > 4)
				memcpy(buf + len - 4, "...", 4);
			return;
		}
		o += (size_t)n;
	}
}

/* The values of v one_of constrains: v itself, or each element of a list. */
static bool
one_of_ok(const av_node *one_of, const av_node *v)
{
	for (const av_node *c = one_of->first; c != NULL; c = c->next)
		if (same(c, v))
			return true;
	return false;
}

int
av_schema_check(const av_node *entry, const av_node *v, const av_node **where, char *why,
    size_t whylen)
{
	const char *type = av_map_str(entry, "type");
	const av_node *one_of = av_map_get(entry, "one_of");
	const av_node *min = av_map_get(entry, "min"), *max = av_map_get(entry, "max");
	char a[128], b[1024];

	*where = v;
	if (v->type == AV_NULL)
		return 0;
	if (type != NULL && !av_schema_type_ok(type, v)) {
		snprintf(why, whylen, "must be of type %s, not %s", type, av_ntype_name(v->type));
		return AV_ECONFIG;
	}
	if (one_of != NULL && one_of->type == AV_SEQ) {
		bool list = v->type == AV_SEQ;
		for (const av_node *c = list ? v->first : v; c != NULL; c = list ? c->next : NULL) {
			if (one_of_ok(one_of, c))
				continue;
			show(c, a, sizeof(a));
			show_list(one_of, b, sizeof(b));
			snprintf(why, whylen, "%s %s, not %s", list ? "may only hold" : "must be one of", b,
			    a);
			*where = c;
			return AV_ECONFIG;
		}
	}
	if (is_number(v) && min != NULL && is_number(min) && num_cmp(v, min) < 0) {
		show(v, a, sizeof(a));
		snprintf(why, whylen, "must be at least %s, not %s", min->str, a);
		return AV_ECONFIG;
	}
	if (is_number(v) && max != NULL && is_number(max) && num_cmp(v, max) > 0) {
		show(v, a, sizeof(a));
		snprintf(why, whylen, "must be at most %s, not %s", max->str, a);
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
	bool numeric = known && (strcmp(type, "number") == 0 || strcmp(type, "integer") == 0);
	const av_node *def = av_map_get(e, "default");
	const av_node *one_of = av_map_get(e, "one_of");
	const av_node *min = av_map_get(e, "min"), *max = av_map_get(e, "max");
	bool shape_ok = true;
	const av_node *where;
	char why[1200];

	if (!known)
		av_diags_add(d, AV_EPLUGIN, file, 0, 0,
		    "%s: type must be string, number, integer, boolean, table or list", who);
	for (const av_node *c = e->type == AV_MAP ? e->first : NULL; c; c = c->next)
		if (!in_list(fields, c->key)) {
			av_diags_add(d, AV_EPLUGIN, file, 0, 0, "%s: unknown field '%s'", who, c->key);
		}
	if (one_of != NULL) {
		/* An enum of strings or numbers: of the setting's own type, or of
		 * its elements' for a list. */
		const char *elem = known && strcmp(type, "list") == 0 ? NULL : type;
		if (known && (strcmp(type, "boolean") == 0 || strcmp(type, "table") == 0)) {
			av_diags_add(d, AV_EPLUGIN, file, 0, 0,
			    "%s: one_of is for a string, number, integer or list setting, not a %s",
			    who, type);
			shape_ok = false;
		} else if (one_of->type != AV_SEQ || one_of->count == 0) {
			av_diags_add(d, AV_EPLUGIN, file, 0, 0,
			    "%s: one_of must be a non-empty list of the allowed values", who);
			shape_ok = false;
		} else {
			for (const av_node *c = one_of->first; c != NULL; c = c->next) {
				bool ok = elem != NULL ? c->type != AV_NULL && av_schema_type_ok(elem, c)
				    : c->type == AV_STR || is_number(c);
				if (!ok) {
					show(c, why, sizeof(why));
					av_diags_add(d, AV_EPLUGIN, file, 0, 0,
					    "%s: one_of value %s is not %s %s", who, why,
					    elem != NULL && strcmp(elem, "integer") == 0 ? "an" : "a",
					    elem != NULL ? elem : "string or number");
					shape_ok = false;
				}
				for (const av_node *k = one_of->first; ok && k != c; k = k->next)
					if (same(k, c)) {
						show(c, why, sizeof(why));
						av_diags_add(d, AV_EPLUGIN, file, 0, 0,
						    "%s: one_of lists %s twice", who, why);
						shape_ok = false;
						break;
					}
			}
		}
	}
	static const char *const bounds[] = {"min", "max"};
	for (int i = 0; i < 2; i++) {
		const av_node *m = i == 0 ? min : max;
		if (m == NULL)
			continue;
		if (known && !numeric) {
			av_diags_add(d, AV_EPLUGIN, file, 0, 0,
			    "%s: %s is for a number or integer setting, not a %s", who, bounds[i], type);
			shape_ok = false;
		} else if (!is_number(m)) {
			av_diags_add(d, AV_EPLUGIN, file, 0, 0, "%s: %s must be a number, not a %s", who,
			    bounds[i], av_ntype_name(m->type));
			shape_ok = false;
		}
	}
	if (shape_ok && min != NULL && max != NULL && num_cmp(min, max) > 0)
		av_diags_add(d, AV_EPLUGIN, file, 0, 0, "%s: min %s is above max %s", who, min->str,
		    max->str);
	else if (shape_ok && one_of != NULL && (min != NULL || max != NULL))
		for (const av_node *c = one_of->first; c != NULL; c = c->next)
			if (av_schema_check(e, c, &where, why, sizeof(why)) != 0) {
				show(c, why, sizeof(why));
				av_diags_add(d, AV_EPLUGIN, file, 0, 0,
				    "%s: one_of value %s is outside min and max", who, why);
			}
	if (known && def != NULL && !av_schema_type_ok(type, def))
		av_diags_add(d, AV_EPLUGIN, file, 0, 0, "%s: default is a %s, not a %s", who,
		    av_ntype_name(def->type), type);
	else if (known && shape_ok && def != NULL && av_schema_check(e, def, &where, why,
	    sizeof(why)) != 0)
		av_diags_add(d, AV_EPLUGIN, file, 0, 0, "%s: the default %s", who, why);
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
