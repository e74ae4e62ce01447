/*
 * cli.h - what the files of the aivet command line share: its state and
 * options, exit codes, daemon calls, manifest loading, in-process
 * evaluation, the verdict table and output formats.
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
#include "store.h"

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

/*
 * The command line's state for one run: the options every command shares,
 * set by main (and by the review commands' own parser) from argv before any
 * command runs, and what in-process evaluation loads once on first use
 * (local.c).  There is one, `cli`; commands only read its options.
 */
typedef struct cli_ctx {
	/* Options. */
	const char *socket;   /* --socket; NULL: $AIVET_SOCKET or the default */
	const char *format;   /* --format: text, json, junit, sarif, markdown, github
	                         (plugin test: tap; reviews: ics) */
	const char *profile;  /* --profile; NULL: the daemon's, or "default" in-process */
	int fail_on;          /* FAIL_* outcomes that fail the gate (--fail-on) */
	bool quiet;           /* --quiet: print only what fails the gate */
	bool local;           /* --local: evaluate in-process, store nothing */
	bool allow_outside;   /* --allow-outside: manifests may reference files
	                         outside their folder */
	bool color;           /* text output to a terminal, NO_COLOR unset */
	int timeout_ms;       /* --timeout: per request to the daemon */
	const char *run;      /* plugin test --run PATTERN */
	const char *input;    /* --input FORMAT; NULL: detected from the content */
	const char *database; /* --database: the record --local reads, read-only */
	const char *plugin_dirs[16]; /* --plugin-dir, after the built-in folder */
	size_t nplugin_dirs;
	const char *policy_dirs[16]; /* --policy-dir, after the built-in folder */
	size_t npolicy_dirs;
	/* In-process evaluation (local.c), loaded on first use. */
	av_policy *policy;    /* the built-in plus --plugin-dir/--policy-dir set */
	av_runtime *rt;
	av_store *rd;         /* --database, opened read-only */
} cli_ctx;

extern cli_ctx cli;

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

/* ---- reading manifests (load.c) ---- */
/* Reads, validates and completes one manifest: the documents it references
 * read and merged (model card, BOM), its artifact files inspected.  Problems
 * are printed as file:line:column.  0 or EX_DATA. */
int cli_load_manifest(const char *path, av_doc **out);
/* `aivet import FORMAT FILE`. */
int cli_cmd_import(int argc, char **argv);

/* ---- in-process evaluation (local.c) ---- */
/* The folders of an in-process policy set: the built-in ones first, then
 * --plugin-dir and --policy-dir. */
typedef struct cli_policy_dirs {
	char plug[4096 + 16];
	char pol[4096 + 16];
	const char *pd[17];
	const char *qd[17];
} cli_policy_dirs;
/* Fills po (pointing into pd) for the in-process policy set; 0 or -1. */
int cli_local_policy_opts(cli_policy_dirs *pd, av_policy_opts *po);
/* Loads the in-process policy set into cli.policy (once); 0 or EX_SOFT. */
int cli_load_local_policy(void);
/* Evaluates doc in-process through the engine's one pipeline (--local),
 * with the record of --database when given: the final verdict as a JSON
 * object, or NULL with *ex set (the problem printed). */
cJSON *cli_evaluate_local(av_doc *doc, const char *path, int *ex);
/* Frees what in-process evaluation loaded. */
void cli_local_fini(void);
/* Prints an error reply and returns its exit code. */
int cli_remote_error(aivet_reply *r, const char *what);
/* Splits NAME@VERSION in place. */
int cli_split_at(char *arg, char **name, char **version);
/* Sends {"v":1,"op":op} and returns the parsed reply in *reply, or an exit code. */
int cli_simple_call(const char *op, cJSON **reply);
/* Prints j as JSON with --format json, else through text(); frees j. */
int cli_print_json_or(cJSON *j, int (*text)(cJSON *));


/* ---- output formats (format.c) ---- */
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
 * cli.format; locs is cli_locate's array for each verdict (may be NULL). */
void cli_emit(const cJSON *verdicts, const cJSON *locs);

/* ---- the project file aivet.yaml and `aivet init` (project.c) ---- */
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
/* The review commands (review.c): reviews, review, watch, history.
 * Returns -1 when argv names none of them, else the exit code. */
int cli_review_main(int argc, char **argv);

#endif
