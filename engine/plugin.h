/*
 * plugin.h - the Lua plugin host: a loaded policy set (plugins, profiles,
 * license data, and their digest) and the per-worker runtimes that evaluate
 * components with it.
 *
 * An av_policy is immutable once loaded and reference-counted, so that a
 * reload can build a new one while requests in flight finish on the old.
 * An av_runtime is one sandboxed lua_State with every plugin of one policy
 * loaded; it belongs to one thread at a time.
 */
#ifndef ENGINE_PLUGIN_H
#define ENGINE_PLUGIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "errors.h"
#include "doc.h"
#include "verdict.h"

typedef struct av_policy_opts {
	/* Plugin directories, built-in first; a later plugin with the same
	 * name replaces an earlier one. Each may have a lib/ folder of Lua
	 * modules for require. */
	const char *const *plugin_dirs;
	size_t nplugin_dirs;
	/* Policy directories, built-in first: profiles are *.yaml in each,
	 * data files (license knowledge base) are data/ *.yaml. */
	const char *const *policy_dirs;
	size_t npolicy_dirs;
	uint64_t instr_budget; /* VM instructions per plugin call; 0: default 50,000,000 */
	size_t mem_limit;      /* bytes of Lua heap per state; 0: default 256 MiB */
	void (*log)(void *arg, int level, const char *msg); /* may be NULL */
	void *log_arg;
} av_policy_opts;

typedef struct av_policy av_policy;

typedef struct av_plugin_info {
	const char *name;
	const char *area;
	const char *version;
	const char *description;
	const char *file;
	char digest[65];
} av_plugin_info;

/*
 * Loads every plugin, profile and data file, checks each in a scratch
 * sandbox, and computes the policy digest (sha256 over every byte of every
 * file, in load order, with its name).  On failure *out is NULL and d lists
 * every problem as file:line: reason.
 */
int av_policy_load(av_policy **out, const av_policy_opts *o, av_diags *d);
av_policy *av_policy_ref(av_policy *p);
void av_policy_unref(av_policy *p); /* NULL is fine */
const char *av_policy_digest(const av_policy *p);
size_t av_policy_nplugins(const av_policy *p);
const av_plugin_info *av_policy_plugin(const av_policy *p, size_t i);
bool av_policy_has_profile(const av_policy *p, const char *profile);
/* The review interval for a risk tier, and how far ahead due_soon starts,
 * in seconds, from the profile. */
int64_t av_policy_interval(const av_policy *p, const char *profile, av_risk risk);
int64_t av_policy_lead(const av_policy *p, const char *profile);
/* {"digest","plugins":[...],"profiles":[...]} for the `policies` op. */
cJSON *av_policy_describe(const av_policy *p);

typedef struct av_runtime av_runtime;

/* Creates a runtime for p (taking a reference).  Returns 0 or an error. */
int av_runtime_create(av_runtime **out, av_policy *p, av_error *err);
void av_runtime_destroy(av_runtime *rt); /* NULL is fine */
av_policy *av_runtime_policy(const av_runtime *rt);

/*
 * Evaluates one manifest (a validated aivet/v1 root node) under profile
 * (NULL: "default") at time now.  Runs every applicable plugin; a plugin
 * that errors, exceeds its instruction budget or the memory cap yields an
 * engine.plugin_error / engine.plugin_timeout / engine.plugin_memory finding
 * of severity review instead of its own (fail closed).  Fills a new verdict:
 * component identity, findings, decision, risk tier, review_by, profile and
 * policy digest (not manifest_digest, id or freshness).  Returns 0, or
 * AV_ENOTFOUND for an unknown profile, AV_ENOMEM.
 */
int av_runtime_evaluate(av_runtime *rt, const av_node *manifest, const char *profile, int64_t now,
    av_verdict **out, av_error *err);

/*
 * Runs policy tests (`aivet plugin test`): every *_test.lua in paths (files
 * or folders), each global test_* function a test, in-process.  format is
 * "text", "json" or "tap"; pattern (may be NULL) is a Lua pattern on test
 * names.  Writes results to out; returns the number of failed tests, or a
 * negative AV_E* code when the run itself could not start.
 */
int av_plugin_test(const av_policy_opts *o, const char *const *paths, size_t npaths,
    const char *pattern, const char *format, void *out_file);

/* Pushes n as a plain Lua table/value.  [-0, +1, m] */
struct lua_State;
void av_node_push_lua(struct lua_State *L, const av_node *n);

#endif
