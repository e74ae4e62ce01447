/*
 * cli.h - what the files of the aivet command line share: options, exit
 * codes, daemon calls and the verdict table.
 */
#ifndef IPC_AIVET_CLI_H
#define IPC_AIVET_CLI_H

#include <stdbool.h>
#include <stddef.h>

#include <cjson/cJSON.h>

#include "aivet_client.h"
#include "errors.h"
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
/* The decision that counts: effective_decision (a standing human review)
 * when the verdict carries one, else decision. */
const char *cli_decision(const cJSON *verdict);
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


/* ---- output formats (cli_format.c) ---- */
enum {
	CLI_FMT_TEXT,
	CLI_FMT_JSON,
	CLI_FMT_JUNIT,
	CLI_FMT_SARIF,
	CLI_FMT_MARKDOWN,
	CLI_FMT_GITHUB,
};
/* The CLI_FMT_* named by --format, or -1. */
int cli_format_parse(const char *name);
/* The manifest position (an array of [line, column], 0 when unknown) of
 * each finding of verdict, from the evidence paths; root may be NULL.  A
 * new array, NULL when out of memory. */
cJSON *cli_locate(const cJSON *verdict, const av_node *root);
/* Prints the verdicts (an array, each with "source" where known) in
 * o.format; locs is cli_locate's array for each verdict (may be NULL). */
void cli_emit(const cJSON *verdicts, const cJSON *locs);

/* ---- the project file aivet.yaml and `aivet init` (cli_project.c) ---- */
typedef struct cli_component {
	char *path;   /* relative to the working directory */
	int card_fmt; /* AV_INPUT_UNKNOWN: an aivet manifest; else the card's format */
} cli_component;

typedef struct cli_project {
	char file[4096];
	char dir[4096]; /* "." when it is the working directory */
	char profile[64]; /* "" when the file names none */
	cli_component *v;
	size_t n;
} cli_project;

/* Searches the working directory and its parents for aivet.yaml; 0 with the
 * path in out, or -1. */
int cli_project_find(char *out, size_t len);
/* Reads and checks a project file, printing every problem as
 * file:line:column; 0 or EX_DATA.  Free with cli_project_fini. */
int cli_project_load(const char *file, cli_project *p);
void cli_project_fini(cli_project *p);
/* Imports a card or BOM (an av_input format) as a manifest; 0 or EX_DATA. */
int cli_load_card(const char *path, int fmt, av_doc **out);
/* `aivet init [--from-card FILE]`. */
int cli_cmd_init(int argc, char **argv, const char *from_card);
/* The review commands (cli_review.c): reviews, review, watch, history.
 * Returns -1 when argv names none of them, else the exit code. */
int cli_review_main(int argc, char **argv);

#endif
