/*
 * cli.h - what the files of the aivet command line share: options, exit
 * codes, daemon calls and the verdict table.
 */
#ifndef IPC_CLI_H
#define IPC_CLI_H

#include <stdbool.h>
#include <stddef.h>

#include <cjson/cJSON.h>

#include "aivet_client.h"
#include "av.h"
#include "doc.h"
#include "plugin.h"

enum {
	EX_PASS = 0,
	EX_REVIEW = 1,
	EX_REJECTED = 2,
	EX_STALE = 3,
	EX_USAGE_ = 64,
	EX_DATA = 65,
	EX_UNAVAIL = 69,
	EX_SOFT = 70,
};

enum { FAIL_REVIEW = 1, FAIL_REJECTED = 2, FAIL_OVERDUE = 4, FAIL_STALE = 8 };

#define MAX_MANIFEST (16u << 20)

typedef struct opts {
	const char *socket;
	const char *format;
	const char *profile;
	int fail_on;
	bool quiet;
	bool local;
	bool allow_outside;
	bool color;
	int timeout_ms;
	const char *run;
	const char *input;
	const char *plugin_dirs[16];
	size_t nplugin_dirs;
	const char *policy_dirs[16];
	size_t npolicy_dirs;
} opts;


/* The options every command shares, set by main. */
extern opts o;
/* Set by cli_load_local_policy for --local and the plugin commands. */
extern av_policy *cli_local_policy;

/* Prints how to reach or start the daemon and exits 69. */
void cli_die_connect(int rc) __attribute__((noreturn));
/* Connects to the daemon (--socket, $AIVET_SOCKET or the default) or exits 69. */
aivet_client *cli_connect_or_die(void);
/* A string field of a JSON object, "" when absent. */
const char *cli_jstr(const cJSON *obj, const char *key);
/* The gate outcome (EX_*) of one verdict object under --fail-on. */
int cli_outcome(const cJSON *verdict);
/* The worse of two outcomes: rejected, then needs_review, then stale. */
int cli_worse(int a, int b);
/* The verdict table: column widths fitted to a list of verdicts, its
 * header, and one verdict with its findings. */
void cli_fit_columns(const cJSON *verdicts);
void cli_print_header(void);
void cli_print_verdict_row(const cJSON *verdict, const char *source);
const char *cli_paint(const char *decision);
/* Prints each problem as file:line:column: message on stderr. */
void cli_print_diags(const av_diags *d);
/* Reads, validates and completes one manifest (see aivet.c); 0 or EX_DATA. */
int cli_load_manifest(const char *path, av_doc **out);
/* Loads the built-in plus --plugin-dir/--policy-dir set into cli_local_policy. */
int cli_load_local_policy(void);
/* Prints an error reply and returns its exit code. */
int cli_remote_error(aivet_reply *r, const char *what);
/* Splits NAME@VERSION in place. */
int cli_split_at(char *arg, char **name, char **version);
/* Sends {"v":1,"op":op} and returns the parsed reply in *reply, or an exit code. */
int cli_simple_call(const char *op, cJSON **reply);
/* Prints j as JSON with --format json, else through text(); frees j. */
int cli_print_json_or(cJSON *j, int (*text)(cJSON *));

#endif
