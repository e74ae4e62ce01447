/*
 * plugin_int.h - internals shared by the plugin host's files (plugin.c,
 * sandbox.c, profile.c, luamods.c, plugintest.c).  Nothing outside the
 * plugin host includes this header; the public contract is plugin.h.
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

#define AV_DEFAULT_BUDGET 50000000ULL
#define AV_DEFAULT_MEMLIMIT ((size_t)256 << 20)

enum { AV_LOG_DEBUG = 0, AV_LOG_INFO = 1, AV_LOG_WARN = 2, AV_LOG_ERROR = 3 };

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
	av_doc *schema; /* settings_schema as a map {name: {type, default}}; NULL if none */
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

/* policy logging */
void av_policy_log(const av_policy *p, int level, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void av_log_to(void (*log)(void *, int, const char *), void *arg, int level, const char *fmt,
    ...) __attribute__((format(printf, 4, 5)));

/* lstrmatch.c: Lua 5.4's pattern matching with a step budget.  Each call
 * of find, match, gsub (and of a gmatch iterator) may take at most
 * AV_MATCH_STEPS steps (one step is about one call of the matcher or one
 * character tried by a repetition) and raises "pattern matching exceeded
 * its budget of N steps" past that; the budget cannot be changed from Lua. */
#define AV_MATCH_STEPS 10000000L
/* Sets find, match, gmatch and gsub in the table at idx to the bounded
 * versions.  If count is not NULL the steps each call takes are added to
 * *count; if limit is not NULL (and *limit not 0) a call's budget is at
 * most what is left below *limit, running out of that raises "instruction
 * budget of N exceeded", and a call starting with *count > *limit is
 * refused with that message.  Both must outlive the functions.  The
 * sandbox passes its instruction count and budget, so that matching
 * spends the instruction budget like Lua code. */
void av_strmatch_register(lua_State *L, int idx, uint64_t *count, const uint64_t *limit);

/* sandbox.c: the sandboxed state and its limits. */
typedef struct av_sandbox {
	lua_State *L;
	size_t used;
	size_t limit;
	bool mem_exceeded;  /* an allocation was refused since the last reset */
	uint64_t budget;    /* instructions per call */
	uint64_t count;     /* instructions used in the current call */
	bool timed_out;
	const av_policy *policy; /* for require and aivet.licenses; may be NULL */
	void (*log)(void *, int, const char *);
	void *log_arg;
	const char *who; /* name of the plugin running, for messages */
	int64_t now;     /* what aivet.time.now() returns; 0: av_now() */
} av_sandbox;

/* Creates the sandboxed state in sb (fields budget/limit/policy/log set by
 * the caller first).  Returns 0 or AV_ENOMEM. */
int av_sandbox_open(av_sandbox *sb);
void av_sandbox_close(av_sandbox *sb);
/* Runs the function below nargs arguments under the budget with a
 * traceback handler; like lua_pcall with LUA_MULTRET.  Returns the
 * lua_pcall status, mapping a budget overrun to LUA_ERRRUN with
 * sb->timed_out set and a refused allocation to sb->mem_exceeded. */
int av_sandbox_call(av_sandbox *sb, int nargs, int nresults);
/* Loads a chunk of Lua text with a fresh environment table whose __index
 * is the sandbox's globals; pushes the function or an error message. */
int av_sandbox_load(av_sandbox *sb, const char *buf, size_t len, const char *chunkname);
/* Replaces the table at idx (and every table inside it, recursively) by a
 * read-only proxy whose writes raise "<who>: <what> is read-only (key 'k')"
 * naming the running plugin; pushes the proxy.  [-0, +1, m] */
void av_sandbox_readonly(av_sandbox *sb, int idx, const char *what);
/* Pushes a read-only view of the tree n built in one pass, each map and
 * sequence a proxy as av_sandbox_readonly makes them; anything that is not
 * a map or a sequence (or NULL) gives an empty read-only table.
 * [-0, +1, m] */
void av_sandbox_push_readonly(av_sandbox *sb, const av_node *n, const char *what);
/* The sandbox of a state. */
av_sandbox *av_sandbox_of(lua_State *L);

/* luamods.c: the aivet.* modules written in C. */
void av_luamods_preload(lua_State *L);

/* profile.c: profiles and data files. */
int av_profiles_load(av_policy *p, const av_policy_opts *o, av_sha256 *digest, av_diags *d);
void av_profile_fini(av_profile *pr);
const av_profile *av_policy_profile(const av_policy *p, const char *name);
/* Severity for a finding id after the profile's remap. */
av_severity av_profile_remap(const av_profile *pr, const char *id, av_severity sev);
/* The settings node of plugin in the profile, or NULL. */
const av_node *av_profile_settings(const av_profile *pr, const char *plugin);
bool av_profile_enabled(const av_profile *pr, const char *plugin);
/* Is v of settings_schema type ("string", "number", "integer", "boolean",
 * "table", "list")?  null always is (it means "unset"). */
bool av_schema_type_ok(const char *type, const av_node *v);
/* Checks one profile's settings for one plugin against its schema. */
int av_profile_check_settings(const av_profile *pr, const av_plugin *pl, av_diags *d);

/* plugin.c: evaluation with a subset of plugins (for tests).  names may be
 * NULL: all. */
int av_runtime_evaluate_only(av_runtime *rt, const av_node *manifest, const char *profile,
    int64_t now, const char *const *names, size_t nnames, av_verdict **out, av_error *err);

/* Lists the regular files in dir whose names end in suffix, sorted; *names
 * is a malloc'd array of malloc'd names.  A missing dir is an empty list
 * when optional.  Returns 0 or AV_EIO / AV_ENOMEM. */
int av_list_dir(const char *dir, const char *suffix, bool optional, char ***names, size_t *n,
    av_error *err);
void av_free_names(char **names, size_t n);
/* Converts the Lua value at idx to a node of doc; NULL for functions and
 * other values that have no document form (err says which). */
av_node *av_lua_to_node(lua_State *L, int idx, av_doc *doc, int depth, char *why, size_t whylen);

/* Reads a file into memory (at most max bytes).  Returns 0 or AV_EIO /
 * AV_ELIMIT / AV_ENOMEM with err set. */
int av_read_file(const char *path, size_t max, char **buf, size_t *len, av_error *err);

#endif
