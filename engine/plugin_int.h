/*
 * plugin_int.h - internals shared by the plugin host's files: the loaded
 * policy (policy.c), its profiles and data (profile.c), plugin settings
 * (settings.c), the runtimes (runtime.c), the sandbox and its C modules
 * (sandbox.c, luamods.c; their own interface is sandbox.h, included here)
 * and `aivet plugin test` (plugintest.c).  Nothing outside the plugin host
 * includes this header; the public contract is plugin.h.
 */
#ifndef ENGINE_PLUGIN_INT_H
#define ENGINE_PLUGIN_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <lua.h>

#include "errors.h"
#include "file.h"
#include "sha256.h"
#include "doc.h"
#include "plugin.h"
#include "verdict.h"
#include "sandbox.h"

/* A file read into memory: its path and bytes (NUL-terminated). */
typedef struct av_src {
	char *file;
	char *name; /* plugin name, or module name for lib files */
	char *buf;
	size_t len;
} av_src;

/* One entry of a profile's severity remap: an id or a prefix ("x.*"). */
typedef struct av_remap {
	char *pattern;
	size_t plen; /* prefix length without ".*", or the id's length */
	bool prefix;
	av_severity sev;
} av_remap;

typedef struct av_profile {
	char *name;
	char *file;
	char *description;
	int64_t interval[3]; /* low, medium, high */
	int64_t due_soon;
	av_remap *remap;
	size_t nremap;
	av_doc *raw;         /* the file as written */
	av_doc *doc;         /* the merged profile (extends resolved) */
	const av_node *plugins; /* its plugins: map, or NULL */
} av_profile;

/* What a scratch load learnt about a plugin. */
typedef struct av_plugin {
	av_plugin_info info;
	av_src src;
	char **applies_to; /* NULL: every kind */
	size_t napplies;
	av_doc *schema; /* settings_schema as a map {name: {type, default, ...}}; NULL if none */
} av_plugin;

struct av_policy {
	int refs; /* atomic */
	av_policy_opts opts; /* log pointers and limits; dirs are not kept */
	char digest[65];
	av_plugin *plugins;
	size_t nplugins;
	av_src *libs;
	size_t nlibs;
	av_profile *profiles;
	size_t nprofiles;
	av_doc *kb; /* merged license data {spdx_list_version, licenses, exceptions} */
};

/* policy.c: logging through the policy's callback, or any callback. */
void av_policy_log(const av_policy *p, int level, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void av_log_to(void (*log)(void *, int, const char *), void *arg, int level, const char *fmt,
    ...) __attribute__((format(printf, 4, 5)));

/* profile.c: profiles and data files. */
int av_profiles_load(av_policy *p, const av_policy_opts *o, av_sha256 *digest, av_diags *d);
void av_profile_fini(av_profile *pr);
const av_profile *av_policy_profile(const av_policy *p, const char *name);
/* Severity for a finding id after the profile's remap. */
av_severity av_profile_remap(const av_profile *pr, const char *id, av_severity sev);
/* The settings node of plugin in the profile, or NULL. */
const av_node *av_profile_settings(const av_profile *pr, const char *plugin);
bool av_profile_enabled(const av_profile *pr, const char *plugin);
/* Checks one profile's settings for one plugin against its schema
 * (av_schema_check), each problem at its file:line:column; returns how
 * many were found. */
int av_profile_check_settings(const av_profile *pr, const av_plugin *pl, av_diags *d);

/* settings.c: a plugin's settings_schema. */

/* Reads the settings_schema table at idx into pl->schema (a map
 * {name: {type, default, description, one_of, min, max}}), checking every
 * entry: a known type, no unknown field, one_of a non-empty list of
 * distinct values of the setting's type (of its elements' for a list; not
 * for a boolean or a table), min and max numbers (for a number or an
 * integer) with min <= max, and a default that is of the type and within
 * one_of, min and max.  Each problem is added to d as "plugin NAME:
 * settings_schema.KEY: ..." at the plugin's file.  pl->info.name and
 * pl->src.file must be set.  Returns 0, AV_EPLUGIN or AV_ENOMEM. */
int av_schema_read(lua_State *L, int idx, av_plugin *pl, av_diags *d);
/* Is v of settings_schema type ("string", "number", "integer", "boolean",
 * "table", "list")?  null always is (it means "unset"). */
bool av_schema_type_ok(const char *type, const av_node *v);
/* Checks a value against one schema entry: its type, one_of (each element
 * for a list) and min/max.  Returns 0, or AV_ECONFIG with why set to a
 * predicate ("must be one of info, warn, review or block, not 'wrn'") and
 * *where to the offending node (v or one of its elements), for a message
 * at its line and column. */
int av_schema_check(const av_node *entry, const av_node *v, const av_node **where, char *why,
    size_t whylen);

/* policy.c: loading. */

/* Loads a plugin's chunk (src) in sb and runs it; leaves its table on the
 * stack and returns 0, or AV_EPLUGIN with msg saying why (a syntax error,
 * a runtime error, the budget or the memory cap while loading). */
int av_plugin_run_chunk(av_sandbox *sb, const av_src *src, char *msg, size_t msglen);
/* Lists the regular files in dir whose names end in suffix, sorted; *names
 * is a malloc'd array of malloc'd names.  A missing dir is an empty list
 * when optional.  Returns 0 or AV_EIO / AV_ENOMEM. */
int av_list_dir(const char *dir, const char *suffix, bool optional, char ***names, size_t *n,
    av_error *err);
void av_free_names(char **names, size_t n);

/* runtime.c: evaluation with a subset of plugins (for tests).  names may be
 * NULL: all. */
int av_runtime_evaluate_only(av_runtime *rt, const av_node *manifest, const char *profile,
    int64_t now, const char *const *names, size_t nnames, av_verdict **out, av_error *err);

/* Reads a file into memory (at most max bytes).  Returns 0 or AV_EIO /
 * AV_ELIMIT / AV_ENOMEM with err set. */
int av_read_file(const char *path, size_t max, char **buf, size_t *len, av_error *err);

#endif
