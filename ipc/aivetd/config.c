/*
 * config.c - reading aivetd's YAML configuration file.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "file.h"
#include "clock.h"
#include "config.h"
#include "doc.h"

int
av_config_defaults(av_config *c, av_error *err)
{
	memset(c, 0, sizeof(*c));
	if (av_state_dir(c->state_dir, sizeof(c->state_dir)) == NULL ||
	    av_default_socket(c->socket, sizeof(c->socket)) == NULL ||
	    av_default_events(c->events, sizeof(c->events)) == NULL ||
	    av_default_database(c->database, sizeof(c->database)) == NULL)
		return av_error_set(err, AV_ECONFIG, NULL, 0, 0,
		    "cannot find a state directory: set AIVET_STATE_DIR or HOME");
	if (av_data_dir(c->data_dir, sizeof(c->data_dir)) == NULL)
		return av_error_set(err, AV_ECONFIG, NULL, 0, 0, "data directory path too long");
	c->socket_mode = 0660;
	c->max_request = 1024 * 1024;
	snprintf(c->profile, sizeof(c->profile), "default");
	c->log_level = 1;
	snprintf(c->http.listen, sizeof(c->http.listen), "http://127.0.0.1:7450");
	c->sched_interval = 60;
	c->overdue_repeat = 7 * 86400;
	c->reeval_rate = 5;
	return 0;
}

void
av_config_fini(av_config *c)
{
	for (size_t i = 0; i < c->nplugin_dirs; i++)
		free(c->plugin_dirs[i]);
	for (size_t i = 0; i < c->npolicy_dirs; i++)
		free(c->policy_dirs[i]);
	c->nplugin_dirs = c->npolicy_dirs = 0;
	for (size_t i = 0; i < c->nwriter_users; i++)
		free(c->writer_users[i]);
	for (size_t i = 0; i < c->nwriter_groups; i++)
		free(c->writer_groups[i]);
	c->nwriter_users = c->nwriter_groups = 0;
	for (size_t h = 0; h < c->nhooks; h++) {
		for (size_t i = 0; i < c->hooks[h].argc; i++)
			free(c->hooks[h].argv[i]);
		for (size_t i = 0; i < c->hooks[h].ntopics; i++)
			free(c->hooks[h].topics[i]);
	}
	c->nhooks = 0;
}

typedef struct ctx {
	const char *file;
	av_diags *d;
	int errors;
} ctx;

static void
bad(ctx *x, const av_node *n, const char *fmt, const char *a, const char *b)
{
	char msg[AV_ERR_MSG];

	snprintf(msg, sizeof(msg), fmt, a, b);
	av_diags_add(x->d, AV_ECONFIG, x->file, n->line, n->column, "%s", msg);
	x->errors++;
}

static int
want(ctx *x, const av_node *n, av_ntype t, const char *what)
{
	if (n->type == t)
		return 1;
	bad(x, n, "'%s': expected %s", n->key ? n->key : "value", what);
	return 0;
}

static void
str_into(ctx *x, const av_node *n, char *dst, size_t len)
{
	if (!want(x, n, AV_STR, "a string"))
		return;
	if (n->len == 0 || n->len >= len) {
		bad(x, n, "'%s': %s", n->key, n->len == 0 ? "must not be empty" : "too long");
		return;
	}
	memcpy(dst, n->str, n->len + 1);
}

static void
dirs_into(ctx *x, const av_node *n, char **v, size_t *nv)
{
	if (!want(x, n, AV_SEQ, "a list of directories"))
		return;
	for (const av_node *e = n->first; e != NULL; e = e->next) {
		if (!want(x, e, AV_STR, "a directory path"))
			continue;
		if (*nv == AV_MAX_DIRS) {
			bad(x, e, "'%s': at most %s directories", n->key, "16");
			return;
		}
		if ((v[*nv] = strdup(e->str)) != NULL)
			(*nv)++;
	}
}

static int64_t
int_of(ctx *x, const av_node *n, int64_t lo, int64_t hi)
{
	char range[64];

	if (!want(x, n, AV_INT, "an integer"))
		return lo;
	if (n->i < lo || n->i > hi) {
		snprintf(range, sizeof(range), "%lld..%lld", (long long)lo, (long long)hi);
		bad(x, n, "'%s': out of range (%s)", n->key, range);
		return lo;
	}
	return n->i;
}

static void
limits(ctx *x, av_config *c, const av_node *map)
{
	if (!want(x, map, AV_MAP, "a map"))
		return;
	for (const av_node *n = map->first; n != NULL; n = n->next) {
		if (strcmp(n->key, "instructions") == 0)
			c->instr_budget = (uint64_t)int_of(x, n, 1000, INT64_MAX);
		else if (strcmp(n->key, "memory") == 0)
			c->mem_limit = (size_t)int_of(x, n, 1 << 20, INT64_MAX);
		else
			bad(x, n, "unknown key 'limits.%s' (known: %s)", n->key, "instructions, memory");
	}
}

/* http: the HTTP gateway (ipc/http.c), off unless enabled. */
static void
http_section(ctx *x, av_config *c, const av_node *map)
{
	if (!want(x, map, AV_MAP, "a map"))
		return;
	for (const av_node *n = map->first; n != NULL; n = n->next) {
		if (strcmp(n->key, "enabled") == 0) {
			if (want(x, n, AV_BOOL, "true or false"))
				c->http.enabled = n->b;
		} else if (strcmp(n->key, "listen") == 0) {
			str_into(x, n, c->http.listen, sizeof(c->http.listen));
			if (n->type == AV_STR && strncmp(n->str, "http://", 7) != 0 &&
			    strncmp(n->str, "https://", 8) != 0)
				bad(x, n, "'http.listen': '%s' is not an http:// or https:// URL%s",
				    n->str, "");
		} else if (strcmp(n->key, "token") == 0) {
			str_into(x, n, c->http.token, sizeof(c->http.token));
		} else if (strcmp(n->key, "max_body") == 0) {
			c->http.max_body = (size_t)int_of(x, n, 1024, 256 << 20);
		} else if (strcmp(n->key, "tls") == 0) {
			if (!want(x, n, AV_MAP, "a map with cert and key"))
				continue;
			for (const av_node *t = n->first; t != NULL; t = t->next) {
				if (strcmp(t->key, "cert") == 0)
					str_into(x, t, c->http.tls_cert, sizeof(c->http.tls_cert));
				else if (strcmp(t->key, "key") == 0)
					str_into(x, t, c->http.tls_key, sizeof(c->http.tls_key));
				else
					bad(x, t, "unknown key 'http.tls.%s' (known: %s)", t->key,
					    "cert, key");
			}
			if ((c->http.tls_cert[0] == '\0') != (c->http.tls_key[0] == '\0'))
				bad(x, n, "'http.tls': give both cert and key%s%s", "", "");
		} else {
			bad(x, n, "unknown key 'http.%s' (known: %s)", n->key,
			    "enabled, listen, token, tls, max_body");
		}
	}
}

/* A list of strings into v (at most max). */
static void
strs_into(ctx *x, const av_node *n, char **v, size_t *nv, size_t max, const char *what)
{
	if (!want(x, n, AV_SEQ, "a list"))
		return;
	for (const av_node *e = n->first; e != NULL; e = e->next) {
		if (!want(x, e, AV_STR, what))
			continue;
		if (*nv == max) {
			bad(x, e, "'%s': too many entries%s", n->key, "");
			return;
		}
		if ((v[*nv] = strdup(e->str)) != NULL)
			(*nv)++;
	}
}

/* A positive duration such as "30s", "1h", "7d". */
static int64_t
duration_of(ctx *x, const av_node *n, int64_t dflt)
{
	int64_t sec;

	if (!want(x, n, AV_STR, "a duration such as \"60s\", \"1h\" or \"7d\""))
		return dflt;
	if (av_duration_parse(n->str, &sec) != 0 || sec <= 0) {
		bad(x, n, "'%s': '%s' is not a positive duration (like 60s, 1h, 7d)", n->key,
		    n->str);
		return dflt;
	}
	return sec;
}

static void
writers(ctx *x, av_config *c, const av_node *map)
{
	if (!want(x, map, AV_MAP, "a map with users and groups"))
		return;
	for (const av_node *n = map->first; n != NULL; n = n->next) {
		if (strcmp(n->key, "users") == 0)
			strs_into(x, n, c->writer_users, &c->nwriter_users, AV_MAX_WRITERS,
			    "a user name");
		else if (strcmp(n->key, "groups") == 0)
			strs_into(x, n, c->writer_groups, &c->nwriter_groups, AV_MAX_WRITERS,
			    "a group name");
		else
			bad(x, n, "unknown key 'writers.%s' (known: %s)", n->key, "users, groups");
	}
}

static void
scheduler(ctx *x, av_config *c, const av_node *map)
{
	if (!want(x, map, AV_MAP, "a map"))
		return;
	for (const av_node *n = map->first; n != NULL; n = n->next) {
		if (strcmp(n->key, "interval") == 0)
			c->sched_interval = duration_of(x, n, c->sched_interval);
		else if (strcmp(n->key, "overdue_repeat") == 0)
			c->overdue_repeat = duration_of(x, n, c->overdue_repeat);
		else
			bad(x, n, "unknown key 'scheduler.%s' (known: %s)", n->key,
			    "interval, overdue_repeat");
	}
}

static void
hook(ctx *x, av_config *c, const av_node *map)
{
	av_hook_config *h;

	if (!want(x, map, AV_MAP, "a hook: a map with command, timeout, topics"))
		return;
	if (c->nhooks == AV_MAX_HOOKS) {
		bad(x, map, "'on_alert': at most %s hooks%s", "8", "");
		return;
	}
	h = &c->hooks[c->nhooks];
	memset(h, 0, sizeof(*h));
	h->timeout = 10;
	for (const av_node *n = map->first; n != NULL; n = n->next) {
		if (strcmp(n->key, "command") == 0)
			strs_into(x, n, h->argv, &h->argc, AV_MAX_HOOK_ARGS, "a word of the command");
		else if (strcmp(n->key, "timeout") == 0)
			h->timeout = duration_of(x, n, h->timeout);
		else if (strcmp(n->key, "topics") == 0)
			strs_into(x, n, h->topics, &h->ntopics, AV_MAX_HOOK_TOPICS, "a topic");
		else
			bad(x, n, "unknown key 'hooks.on_alert.%s' (known: %s)", n->key,
			    "command, timeout, topics");
	}
	c->nhooks++; /* counted even when incomplete, so that fini frees it */
	if (h->argc == 0)
		bad(x, map, "'on_alert': a hook needs a command (a list: program and arguments)%s%s",
		    "", "");
}

static void
hooks(ctx *x, av_config *c, const av_node *map)
{
	if (!want(x, map, AV_MAP, "a map with on_alert"))
		return;
	for (const av_node *n = map->first; n != NULL; n = n->next) {
		if (strcmp(n->key, "on_alert") == 0) {
			if (!want(x, n, AV_SEQ, "a list of hooks"))
				continue;
			for (const av_node *e = n->first; e != NULL; e = e->next)
				hook(x, c, e);
		} else {
			bad(x, n, "unknown key 'hooks.%s' (known: %s)", n->key, "on_alert");
		}
	}
}

static void
reevaluate(ctx *x, av_config *c, const av_node *map)
{
	if (!want(x, map, AV_MAP, "a map"))
		return;
	for (const av_node *n = map->first; n != NULL; n = n->next) {
		if (strcmp(n->key, "rate") != 0) {
			bad(x, n, "unknown key 'reevaluate.%s' (known: %s)", n->key, "rate");
			continue;
		}
		/* 0 turns background re-evaluation off: stale verdicts stay stale
		 * until someone checks the component again. */
		if (n->type == AV_INT && n->i >= 0 && n->i <= 10000)
			c->reeval_rate = (double)n->i;
		else if (n->type == AV_FLOAT && n->d >= 0 && n->d <= 10000)
			c->reeval_rate = n->d;
		else
			bad(x, n, "'%s': expected a number of evaluations per second (0 to 10000; "
				  "0 turns re-evaluation off)%s", n->key, "");
	}
}

static const char *const known_keys =
    "state_dir, socket, events, database, socket_mode, workers, max_request, profile, "
    "plugin_dirs, policy_dirs, limits, log_level, writers, scheduler, hooks, reevaluate, http";

int
av_config_load(av_config *c, const char *path, av_diags *d)
{
	av_error err;
	char *buf = NULL;
	size_t len;
	int rc;

	if (av_read_file(path, 1024 * 1024, &buf, &len, &err) != 0) {
		av_diags_add(d, AV_ECONFIG, path, 0, 0, "%s", err.msg);
		return AV_ECONFIG;
	}
	rc = av_config_load_buffer(c, buf, len, path, d);
	free(buf);
	return rc;
}

int
av_config_load_buffer(av_config *c, const char *buf, size_t len, const char *path, av_diags *d)
{
	ctx x = {path, d, 0};
	av_doc *doc = NULL;
	av_error err;
	int rc;

	rc = av_doc_parse(&doc, buf, len, AV_FMT_YAML, path, NULL, &err);
	if (rc != 0) {
		av_diags_add(d, AV_ECONFIG, err.file, err.line, err.column, "%s", err.msg);
		return AV_ECONFIG;
	}
	const av_node *root = av_doc_root(doc);
	if (root->type == AV_NULL)
		goto out;
	if (root->type != AV_MAP) {
		bad(&x, root, "the configuration must be a map of settings%s%s", "", "");
		goto out;
	}
	for (const av_node *n = root->first; n != NULL; n = n->next) {
		const char *k = n->key;
		if (strcmp(k, "state_dir") == 0) {
			str_into(&x, n, c->state_dir, sizeof(c->state_dir));
		} else if (strcmp(k, "socket") == 0) {
			str_into(&x, n, c->socket, sizeof(c->socket));
		} else if (strcmp(k, "events") == 0) {
			str_into(&x, n, c->events, sizeof(c->events));
		} else if (strcmp(k, "database") == 0) {
			str_into(&x, n, c->database, sizeof(c->database));
		} else if (strcmp(k, "socket_mode") == 0) {
			char *end;
			unsigned long m;
			if (!want(&x, n, AV_STR, "an octal mode in quotes, like \"0660\""))
				continue;
			m = strtoul(n->str, &end, 8);
			if (*end != '\0' || m > 0777)
				bad(&x, n, "'socket_mode': '%s' is not an octal mode%s", n->str, "");
			else
				c->socket_mode = (unsigned)m;
		} else if (strcmp(k, "workers") == 0) {
			c->workers = (int)int_of(&x, n, 0, 256);
		} else if (strcmp(k, "max_request") == 0) {
			c->max_request = (size_t)int_of(&x, n, 4096, 256 << 20);
		} else if (strcmp(k, "profile") == 0) {
			str_into(&x, n, c->profile, sizeof(c->profile));
		} else if (strcmp(k, "plugin_dirs") == 0) {
			dirs_into(&x, n, c->plugin_dirs, &c->nplugin_dirs);
		} else if (strcmp(k, "policy_dirs") == 0) {
			dirs_into(&x, n, c->policy_dirs, &c->npolicy_dirs);
		} else if (strcmp(k, "limits") == 0) {
			limits(&x, c, n);
		} else if (strcmp(k, "http") == 0) {
			http_section(&x, c, n);
		} else if (strcmp(k, "writers") == 0) {
			writers(&x, c, n);
		} else if (strcmp(k, "scheduler") == 0) {
			scheduler(&x, c, n);
		} else if (strcmp(k, "hooks") == 0) {
			hooks(&x, c, n);
		} else if (strcmp(k, "reevaluate") == 0) {
			reevaluate(&x, c, n);
		} else if (strcmp(k, "log_level") == 0) {
			static const char *lv[] = {"debug", "info", "warn", "error"};
			int found = 0;
			if (!want(&x, n, AV_STR, "debug, info, warn or error"))
				continue;
			for (int i = 0; i < 4; i++)
				if (strcmp(n->str, lv[i]) == 0) {
					c->log_level = i;
					found = 1;
				}
			if (!found)
				bad(&x, n, "'log_level': '%s' is not one of %s", n->str,
				    "debug, info, warn, error");
		} else {
			av_diags_add(d, AV_ECONFIG, path, n->key_line, n->key_column,
			    "unknown key '%s' (known: %s)", k, known_keys);
			x.errors++;
		}
	}
out:
	av_doc_destroy(doc);
	if (c->http.max_body == 0)
		c->http.max_body = c->max_request;
	return x.errors ? AV_ECONFIG : 0;
}
