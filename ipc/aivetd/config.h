/*
 * config.h - aivetd's configuration: embedded defaults, overridden by an
 * optional YAML file (--config) and then by command-line flags.
 *
 * Unknown keys and wrong types are errors that name the key, line and
 * column; every problem in the file is reported, not only the first.
 */
#ifndef IPC_AIVETD_CONFIG_H
#define IPC_AIVETD_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "errors.h"
#include "paths.h"

#define AV_MAX_DIRS 16
#define AV_MAX_WRITERS 32
#define AV_MAX_HOOKS 8
#define AV_MAX_HOOK_ARGS 16
#define AV_MAX_HOOK_TOPICS 8

/* One on_alert hook: a command run with the alert JSON on stdin. */
typedef struct av_hook_config {
	char *argv[AV_MAX_HOOK_ARGS + 1]; /* NULL-terminated */
	size_t argc;
	int64_t timeout;                    /* seconds; default 10 */
	char *topics[AV_MAX_HOOK_TOPICS];   /* none: every topic */
	size_t ntopics;
} av_hook_config;

typedef struct av_config {
	char state_dir[AV_PATH_MAX];
	char socket[AV_PATH_MAX];
	char events[AV_PATH_MAX];
	char database[AV_PATH_MAX];
	char data_dir[AV_PATH_MAX]; /* built-in plugins/ and policies/ */
	unsigned socket_mode;       /* default 0660 */
	int workers;                /* 0: number of CPUs */
	size_t max_request;         /* bytes; default 1 MiB */
	char profile[64];           /* default profile; "default" */
	char *plugin_dirs[AV_MAX_DIRS]; /* extra, after the built-in one */
	size_t nplugin_dirs;
	char *policy_dirs[AV_MAX_DIRS];
	size_t npolicy_dirs;
	uint64_t instr_budget; /* 0: engine default */
	size_t mem_limit;      /* 0: engine default */
	int log_level;         /* 0 debug, 1 info, 2 warn, 3 error */
	struct {
		bool enabled;               /* default false */
		char listen[256];           /* default http://127.0.0.1:7450 */
		char token[256];            /* "" : writes refused over HTTP */
		char tls_cert[AV_PATH_MAX]; /* PEM files; both or neither */
		char tls_key[AV_PATH_MAX];
		size_t max_body;            /* bytes; default: max_request */
	} http;
	/* Who may write (record reviews, waive, schedule, reload).  Both
	 * empty: the daemon's own user and root. */
	char *writer_users[AV_MAX_WRITERS];
	size_t nwriter_users;
	char *writer_groups[AV_MAX_WRITERS];
	size_t nwriter_groups;
	int64_t sched_interval; /* seconds between scheduler runs; default 60 */
	int64_t overdue_repeat; /* seconds between review.overdue alerts; default 7d */
	av_hook_config hooks[AV_MAX_HOOKS];
	size_t nhooks;
	double reeval_rate; /* background re-evaluations per second; default 5 */
} av_config;

/* Fills c with the embedded defaults.  Returns 0, or AV_ECONFIG when no
 * state directory can be found (no HOME). */
int av_config_defaults(av_config *c, av_error *err);

/* Applies the YAML file at path over c; every problem goes to d.  Returns
 * 0 or AV_ECONFIG. */
int av_config_load(av_config *c, const char *path, av_diags *d);
/* The same over a buffer of len bytes; path names it in messages. */
int av_config_load_buffer(av_config *c, const char *buf, size_t len, const char *path,
    av_diags *d);

/* Frees the directory, writer and hook lists. */
void av_config_fini(av_config *c);

#endif
