/*
 * config.h - aivetd's configuration: embedded defaults, overridden by an
 * optional YAML file (--config) and then by command-line flags.
 *
 * Unknown keys and wrong types are errors that name the key, line and
 * column; every problem in the file is reported, not only the first.
 */
#ifndef IPC_CONFIG_H
#define IPC_CONFIG_H

#include <stddef.h>
#include <stdint.h>

#include "av.h"
#include "paths.h"

#define AV_MAX_DIRS 16

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

/* Frees the directory lists. */
void av_config_fini(av_config *c);

#endif
