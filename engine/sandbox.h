/*
 * sandbox.h - the sandboxed Lua state the plugin host runs plugins, helper
 * modules and policy tests in (sandbox.c), its bounded string matching
 * (lstrmatch.c) and the aivet.* modules written in C (luamods.c).
 *
 * For the plugin host's files only (plugin_int.h includes it); nothing
 * outside the engine includes it.  The sandbox knows the policy only as
 * the source of require's modules and of the license data.
 */
#ifndef ENGINE_SANDBOX_H
#define ENGINE_SANDBOX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <lua.h>

#include "doc.h"
#include "plugin.h"

/* A sandbox's limits when the caller sets none: instructions per call and
 * bytes of Lua heap. */
#define AV_DEFAULT_BUDGET 50000000ULL
#define AV_DEFAULT_MEMLIMIT ((size_t)256 << 20)

/* Levels of the host's log callback (av_policy_opts.log, av_sandbox.log). */
enum { AV_LOG_DEBUG = 0, AV_LOG_INFO = 1, AV_LOG_WARN = 2, AV_LOG_ERROR = 3 };

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

/* sandbox.c: documents and Lua values.  av_node_push_lua (plugin.h) pushes
 * a node as a plain table; this converts the Lua value at idx (tables with
 * string keys become maps, sequences sequences, to depth 32) to a new node
 * of doc.  NULL for functions and other values that have no document form,
 * or out of memory; why says which. */
av_node *av_lua_to_node(lua_State *L, int idx, av_doc *doc, int depth, char *why, size_t whylen);

#endif
