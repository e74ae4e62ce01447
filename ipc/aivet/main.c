/*
 * aivet - the command line for people and build tools: main, the options,
 * the gate and the commands that talk to the daemon.
 *
 * Talks to aivetd through libaivet-client, or evaluates in-process with
 * --local (local.c).  Files stay on this side: the client reads manifests
 * and the documents they reference (load.c) and sends their content.  The
 * exit code is the gate (see aivet(1)): 0 pass, 1 needs_review, 2 rejected,
 * 3 stale or overdue, 64 usage, 65 bad manifest, 69 daemon unreachable, 70
 * internal.  The review commands are in review.c, output formats in
 * format.c, the project file in project.c.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "aivet_client.h"
#include "av_config.h"
#include "cli.h"
#include "doc.h"
#include "import.h"
#include "paths.h"
#include "plugin.h"
#include "verdict.h"
#include "cli_scan.h"

cli_ctx cli = {
	.format = "text",
	.fail_on = FAIL_REVIEW | FAIL_REJECTED | FAIL_OVERDUE | FAIL_STALE,
	.timeout_ms = 30000,
};

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: aivet [options] COMMAND [ARGS]\n"
	    "\n"
	    "commands:\n"
	    "  check FILE...            evaluate manifests, store and print verdicts (the gate)\n"
	    "  verdict NAME[@VERSION]   the stored verdict, with its freshness\n"
	    "  list                     every component with its latest verdict\n"
	    "  health                   daemon, store and plugin-set status\n"
	    "  check                    with no FILE: the components of ./aivet.yaml (or a parent's)\n"
	    "  check DIR                scan a local copy of a release and evaluate what it holds\n"
	    "  scan PATH|ORG/NAME       print the facts found in a folder or a Hugging Face cache\n"
	    "                           snapshot as an aivet/v1 manifest (aivet scan --help)\n"
	    "  init [--from-card FILE]  write a starter aivet.yaml (and a manifest from a\n"
	    "                           Hugging Face card, its unknown fields marked TODO)\n"
	    "  validate FILE...         check manifests against the aivet/v1 schema only\n"
	    "  import FORMAT FILE       print a Hugging Face card, CycloneDX ML-BOM or SPDX 3\n"
	    "                           AI package as an aivet/v1 manifest (FORMAT: hf,\n"
	    "                           cyclonedx, spdx, auto)\n"
	    "  policies                 the loaded plugins and profiles\n"
	    "  reload                   make the daemon load plugins and profiles anew\n"
	    "  plugin list              loaded plugins: name, area, version, file, digest\n"
	    "  plugin check FILE...     load plugins in the sandbox and check the contract\n"
	    "  plugin test [PATH...]    run *_test.lua policy tests in-process\n"
	    "                           (--run PATTERN: only tests whose name matches)\n"
	    "  reviews                  what is due for review, soonest first\n"
	    "  review record|waive|schedule NAME@VERSION ...\n"
	    "                           record a human decision, waive a finding, set a\n"
	    "                           review schedule (aivet reviews --help)\n"
	    "  watch                    print alerts as the daemon raises them\n"
	    "  history NAME[@VERSION]   evaluations, reviews, alerts and decision changes\n"
	    "\n"
	    "options:\n"
	    "  -s, --socket URL         daemon address (default $AIVET_SOCKET or\n"
	    "                           ipc://STATE/aivetd.sock)\n"
	    "  -f, --format FMT         text, json, junit, sarif, markdown or github\n"
	    "  -p, --profile NAME       policy profile (default: the daemon's)\n"
	    "      --fail-on LIST       which of needs_review,rejected,overdue,stale fail the\n"
	    "                           gate (default: all four; 'none' for none)\n"
	    "  -q, --quiet              print only what fails the gate\n"
	    "      --local              evaluate in-process, without a daemon, storing nothing\n"
	    "      --database FILE      with --local: read the waivers, reviews and schedules\n"
	    "                           of this aivetd database (read-only)\n"
	    "      --plugin-dir DIR     with --local and plugin commands: another plugin folder\n"
	    "      --policy-dir DIR     with --local and plugin commands: another profile folder\n"
	    "      --allow-outside      let manifests reference files outside their folder\n"
	    "      --input FMT          what FILE is: aivet, hf, cyclonedx, spdx (default:\n"
	    "                           detected from the content)\n"
	    "      --timeout MS         per-request timeout (default 30000)\n"
	    "      --vulns FILE         check DIR: join a scanner report (see aivet scan --help)\n"
	    "      --jobs N             check DIR: files inspected in parallel\n"
	    "  -V, --version            print the version\n");
}

void
cli_die_connect(int rc)
{
	char url[AV_PATH_MAX];
	const char *u = cli.socket ? cli.socket : av_default_socket(url, sizeof(url));

	fprintf(stderr, "aivet: cannot reach aivetd at %s: %s\n", u ? u : "?", aivet_strerror(rc));
	if (rc == AIVET_ECONNECT)
		fprintf(stderr, "aivet: start the daemon with 'aivetd &' (same user, same "
				"AIVET_STATE_DIR), point --socket/AIVET_SOCKET at a running one,\n"
				"       or evaluate without a daemon: aivet check --local FILE...\n");
	exit(EX_UNAVAIL);
}

aivet_client *
cli_connect_or_die(void)
{
	aivet_client *c;
	int rc = aivet_connect(&c, cli.socket, cli.timeout_ms);

	if (rc != AIVET_OK)
		cli_die_connect(rc);
	return c;
}

/* ---- the gate ----------------------------------------------------------- */

const char *
cli_jstr(const cJSON *o_, const char *k)
{
	const cJSON *x = cJSON_GetObjectItemCaseSensitive(o_, k);
	return cJSON_IsString(x) ? x->valuestring : "";
}

int
cli_outcome(const cJSON *v)
{
	const char *d = cli_decision(v), *f = cli_jstr(v, "freshness");

	if (strcmp(d, "rejected") == 0 && (cli.fail_on & FAIL_REJECTED))
		return EX_REJECTED;
	if (strcmp(d, "needs_review") == 0 && (cli.fail_on & FAIL_REVIEW))
		return EX_REVIEW;
	if (strcmp(f, "overdue") == 0 && (cli.fail_on & FAIL_OVERDUE))
		return EX_STALE;
	if (strcmp(f, "stale") == 0 && (cli.fail_on & FAIL_STALE))
		return EX_STALE;
	return EX_PASS;
}

/* The decision that counts: a standing human review's, else the automatic one. */
const char *
cli_decision(const cJSON *v)
{
	const char *e = cli_jstr(v, "effective_decision");

	return e[0] != '\0' ? e : cli_jstr(v, "decision");
}

/* The worst outcome decides: rejected, then needs_review, then stale. */
int
cli_worse(int a, int b)
{
	static const int rank[] = {[EX_PASS] = 0, [EX_STALE] = 1, [EX_REVIEW] = 2,
	    [EX_REJECTED] = 3};
	if (a > EX_STALE || b > EX_STALE)
		return a > b ? a : b;
	return rank[a] >= rank[b] ? a : b;
}

/* ---- commands ------------------------------------------------------------ */

int
cli_remote_error(aivet_reply *r, const char *what)
{
	const char *code = aivet_reply_error_code(r);
	int ex = EX_SOFT;

	fprintf(stderr, "aivet: %s%s%s\n", what ? what : "", what ? ": " : "",
	    aivet_reply_error_message(r));
	if (code != NULL && (strcmp(code, "bad_manifest") == 0 || strcmp(code, "parse_error") == 0 ||
			     strcmp(code, "too_large") == 0))
		ex = EX_DATA;
	else if (code != NULL && (strcmp(code, "not_found") == 0 || strcmp(code, "bad_request") == 0))
		ex = EX_USAGE_;
	return ex;
}

/*
 * Sends one manifest to the daemon to be evaluated and stored.  The document
 * crosses to JSON once, written straight into the request as a JSON object
 * (not as a string to be parsed again); the daemon reads the request, and
 * the manifest in it, in one parse.  *v is the verdict object of the reply,
 * or NULL with *ex set when the daemon refused it.  Returns AIVET_OK, or the
 * client library's code when the daemon could not be asked.
 */
static int
evaluate_remote(aivet_client *c, const av_doc *doc, const char *path, cJSON **v, int *ex)
{
	cJSON *req = cJSON_CreateObject(), *m = NULL, *whole;
	aivet_reply *r = NULL;
	char *manifest = NULL, *text = NULL;
	int rc = AIVET_ENOMEM;

	*v = NULL;
	if (req == NULL || (manifest = av_node_to_json(av_doc_root(doc), NULL)) == NULL ||
	    (m = cJSON_CreateRaw("")) == NULL)
		goto out;
	free(m->valuestring);
	m->valuestring = manifest; /* the reply owns it now */
	manifest = NULL;
	cJSON_AddNumberToObject(req, "v", 1);
	cJSON_AddStringToObject(req, "op", "evaluate");
	cJSON_AddItemToObject(req, "manifest", m);
	if (cli.profile != NULL)
		cJSON_AddStringToObject(req, "profile", cli.profile);
	cJSON_AddStringToObject(req, "file", path);
	if ((text = cJSON_PrintUnformatted(req)) == NULL)
		goto out;
	rc = aivet_call(c, text, strlen(text), &r);
	if (rc == AIVET_OK) {
		whole = cJSON_Parse(aivet_reply_json(r));
		*v = cJSON_DetachItemFromObjectCaseSensitive(whole, "verdict");
		cJSON_Delete(whole);
	} else if (rc == AIVET_EREMOTE) {
		*ex = cli_remote_error(r, path);
		rc = AIVET_OK;
	}
out:
	aivet_reply_free(r);
	free(text);
	free(manifest);
	cJSON_Delete(req);
	return rc;
}

/*
 * check FILE...: each manifest evaluated and stored (or evaluated in-process
 * with --local).  With no FILE, the components of the project file
 * aivet.yaml found above the working directory.
 */
static int
cmd_check(int argc, char **argv)
{
	aivet_client *c = NULL;
	cJSON *all = cJSON_CreateArray(), *locs = cJSON_CreateArray();
	int ex = EX_PASS, data_err = 0;
	cli_project proj = {0};
	char pfile[PATH_MAX];

	if (argc == 0) {
		if (cli_project_find(pfile, sizeof(pfile)) != 0) {
			fprintf(stderr, "aivet check: name one or more manifest files, or run it "
					"below a project file aivet.yaml (see aivet init)\n");
			cJSON_Delete(all);
			cJSON_Delete(locs);
			return EX_USAGE_;
		}
		if ((ex = cli_project_load(pfile, &proj)) != 0) {
			cJSON_Delete(all);
			cJSON_Delete(locs);
			return ex;
		}
		if (cli.profile == NULL && proj.profile[0] != '\0')
			cli.profile = proj.profile;
		argc = (int)proj.n;
	}
	if (!cli.local)
		c = cli_connect_or_die();
	for (int i = 0; i < argc; i++) {
		const char *path = proj.n ? proj.v[i].path : argv[i];
		av_doc *doc;
		cJSON *v = NULL;
		int e = 0, rc;

		if (!proj.n && cli_scan_is_dir(path)) {
			/* a folder: scanned, and evaluated even when a file was unreadable */
			if (cli_scan_load(path, &doc) != 0)
				data_err = 1;
			if (doc == NULL)
				continue;
		} else if ((proj.n && proj.v[i].card_fmt != AV_INPUT_UNKNOWN
			    ? cli_load_card(path, proj.v[i].card_fmt, &doc)
			    : cli_load_manifest(path, &doc)) != 0) {
			data_err = 1;
			continue;
		}
		if (cli.local) {
			v = cli_evaluate_local(doc, path, &e);
		} else if ((rc = evaluate_remote(c, doc, path, &v, &e)) != AIVET_OK) {
			av_doc_destroy(doc);
			cJSON_Delete(all);
			cJSON_Delete(locs);
			aivet_close(c);
			cli_die_connect(rc);
		}
		if (v != NULL)
			cJSON_AddItemToArray(locs, cli_locate(v, av_doc_root(doc)));
		av_doc_destroy(doc);
		if (v == NULL) {
			if (e == EX_DATA)
				data_err = 1;
			else
				ex = cli_worse(ex, e ? e : EX_SOFT);
			continue;
		}
		cJSON_AddStringToObject(v, "source", path);
		cJSON_AddItemToArray(all, v);
		ex = cli_worse(ex, cli_outcome(v));
	}
	if (cli_format_parse(cli.format) == CLI_FMT_TEXT)
		cli_fit_columns(all);
	cli_emit(all, locs);
	cJSON_Delete(all);
	cJSON_Delete(locs);
	cli_project_fini(&proj);
	aivet_close(c);
	if (data_err && ex < EX_USAGE_)
		ex = EX_DATA;
	return ex;
}

int
cli_split_at(char *arg, char **name, char **version)
{
	char *at = strrchr(arg, '@');

	*name = arg;
	*version = NULL;
	if (at != NULL) {
		*at = '\0';
		*version = at + 1;
		if (**version == '\0')
			*version = NULL;
	}
	return **name == '\0' ? -1 : 0;
}

static int
cmd_verdict(int argc, char **argv)
{
	aivet_client *c;
	aivet_reply *r = NULL;
	char *name, *version;
	int rc, ex;

	if (argc != 1 || cli_split_at(argv[0], &name, &version) != 0) {
		fprintf(stderr, "aivet verdict: expected NAME[@VERSION]\n");
		return EX_USAGE_;
	}
	c = cli_connect_or_die();
	rc = aivet_verdict(c, name, version, &r);
	if (rc == AIVET_EREMOTE) {
		ex = cli_remote_error(r, NULL);
	} else if (rc != AIVET_OK) {
		aivet_close(c);
		cli_die_connect(rc);
		return EX_UNAVAIL;
	} else {
		cJSON *whole = cJSON_Parse(aivet_reply_json(r));
		cJSON *v = cJSON_GetObjectItemCaseSensitive(whole, "verdict");
		ex = cli_outcome(v);
		if (strcmp(cli.format, "json") == 0) {
			char *s = cJSON_Print(v);
			puts(s);
			free(s);
		} else if (strcmp(cli.format, "text") != 0) {
			cJSON *one = cJSON_CreateArray();
			cJSON_AddItemReferenceToArray(one, v);
			cli_emit(one, NULL);
			cJSON_Delete(one);
		} else {
			cli_print_header();
			cli_print_verdict_row(v, NULL);
			printf("    profile %s, evaluated %s, policy %.12s, manifest %.12s\n",
			    cli_jstr(v, "profile"), cli_jstr(v, "evaluated_at"), cli_jstr(v, "policy_digest"),
			    cli_jstr(cJSON_GetObjectItemCaseSensitive(v, "component"), "digest"));
		}
		cJSON_Delete(whole);
	}
	aivet_reply_free(r);
	aivet_close(c);
	return ex;
}

int
cli_simple_call(const char *op, cJSON **reply)
{
	aivet_client *c = cli_connect_or_die();
	aivet_reply *r = NULL;
	char req[96];
	int rc;

	snprintf(req, sizeof(req), "{\"v\":1,\"op\":\"%s\"}", op);
	rc = aivet_call(c, req, strlen(req), &r);
	if (rc == AIVET_EREMOTE) {
		int ex = cli_remote_error(r, op);
		aivet_reply_free(r);
		aivet_close(c);
		return ex;
	}
	if (rc != AIVET_OK) {
		aivet_close(c);
		cli_die_connect(rc);
	}
	*reply = cJSON_Parse(aivet_reply_json(r));
	aivet_reply_free(r);
	aivet_close(c);
	return *reply ? 0 : EX_SOFT;
}

int
cli_print_json_or(cJSON *j, int (*text)(cJSON *))
{
	int ex = 0;

	if (strcmp(cli.format, "json") == 0) {
		char *s = cJSON_Print(j);
		puts(s);
		free(s);
	} else {
		ex = text(j);
	}
	cJSON_Delete(j);
	return ex;
}

static int
list_text(cJSON *r)
{
	const cJSON *v, *arr = cJSON_GetObjectItemCaseSensitive(r, "components");
	int ex = EX_PASS;

	if (cJSON_GetArraySize(arr) == 0) {
		printf("no components evaluated yet\n");
		return 0;
	}
	cli_fit_columns(arr);
	cli_print_header();
	cJSON_ArrayForEach(v, arr)
	{
		bool q = cli.quiet;
		cli.quiet = true; /* one line each: findings through `aivet verdict` */
		cli_print_verdict_row(v, NULL);
		cli.quiet = q;
		ex = cli_worse(ex, cli_outcome(v));
	}
	(void)ex;
	return 0;
}

static int
cmd_list(void)
{
	cJSON *r;
	int ex = cli_simple_call("list", &r);

	return ex ? ex : cli_print_json_or(r, list_text);
}

static int
health_text(cJSON *r)
{
	const cJSON *pol = cJSON_GetObjectItemCaseSensitive(r, "policy");
	const cJSON *st = cJSON_GetObjectItemCaseSensitive(r, "store");
	const cJSON *x;

	printf("status     %s\n", cli_jstr(r, "status"));
	printf("version    %s (protocol %d)\n", cli_jstr(r, "version"),
	    cJSON_GetObjectItemCaseSensitive(r, "protocol")->valueint);
	printf("started    %s (up %.0f s), %d workers\n", cli_jstr(r, "started"),
	    cJSON_GetObjectItemCaseSensitive(r, "uptime")->valuedouble,
	    cJSON_GetObjectItemCaseSensitive(r, "workers")->valueint);
	printf("policy     %.16s..., %d plugins, default profile %s\n", cli_jstr(pol, "digest"),
	    cJSON_GetObjectItemCaseSensitive(pol, "plugins")->valueint,
	    cli_jstr(pol, "default_profile"));
	printf("store      %s %s", cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(st, "ok"))
				    ? "ok"
				    : "FAILING",
	    cli_jstr(st, "path"));
	cJSON_ArrayForEach(x, st)
	{
		if (cJSON_IsNumber(x))
			printf(", %s %.0f", x->string, x->valuedouble);
	}
	printf("\n");
	return strcmp(cli_jstr(r, "status"), "ok") == 0 ? 0 : EX_SOFT;
}

static int
cmd_health(void)
{
	cJSON *r;
	int ex = cli_simple_call("health", &r);

	return ex ? ex : cli_print_json_or(r, health_text);
}

static int
policies_text(cJSON *r)
{
	const cJSON *pol = cJSON_GetObjectItemCaseSensitive(r, "policy"), *x;

	printf("policy digest %s\n", cli_jstr(pol, "digest"));
	printf("%-16s %-14s %-8s %-14s %s\n", "PLUGIN", "AREA", "VERSION", "DIGEST", "FILE");
	cJSON_ArrayForEach(x, cJSON_GetObjectItemCaseSensitive(pol, "plugins"))
	{
		printf("%-16s %-14s %-8s %.12s   %s\n", cli_jstr(x, "name"), cli_jstr(x, "area"),
		    cli_jstr(x, "version"), cli_jstr(x, "digest"), cli_jstr(x, "file"));
	}
	printf("profiles:");
	cJSON_ArrayForEach(x, cJSON_GetObjectItemCaseSensitive(pol, "profiles"))
	{
		printf(" %s", cJSON_IsString(x) ? x->valuestring : cli_jstr(x, "name"));
	}
	printf("\n");
	return 0;
}

static int
cmd_policies(void)
{
	cJSON *r;
	int ex;

	if (cli.local) {
		if ((ex = cli_load_local_policy()) != 0)
			return ex;
		r = cJSON_CreateObject();
		cJSON_AddItemToObject(r, "policy", av_policy_describe(cli.policy));
		return cli_print_json_or(r, policies_text);
	}
	ex = cli_simple_call("policies", &r);
	return ex ? ex : cli_print_json_or(r, policies_text);
}

static int
cmd_reload(void)
{
	cJSON *r;
	int ex = cli_simple_call("reload", &r);

	if (ex != 0)
		return ex;
	printf("reloaded: %d plugins, policy digest %s\n",
	    cJSON_GetObjectItemCaseSensitive(r, "plugins")->valueint, cli_jstr(r, "policy_digest"));
	cJSON_Delete(r);
	return 0;
}

static int
cmd_validate(int argc, char **argv)
{
	int ex = 0;

	if (argc == 0) {
		fprintf(stderr, "aivet validate: name one or more manifest files\n");
		return EX_USAGE_;
	}
	for (int i = 0; i < argc; i++) {
		av_doc *doc;
		if (cli_load_manifest(argv[i], &doc) != 0) {
			ex = EX_DATA;
			continue;
		}
		if (!cli.quiet)
			printf("%s: ok\n", argv[i]);
		av_doc_destroy(doc);
	}
	return ex;
}

static int
cmd_plugin(int argc, char **argv)
{
	cli_policy_dirs pd;
	av_policy_opts po;

	if (argc == 0) {
		fprintf(stderr, "aivet plugin: expected list, check or test\n");
		return EX_USAGE_;
	}
	if (strcmp(argv[0], "list") == 0)
		return cmd_policies();
	if (cli_local_policy_opts(&pd, &po) != 0)
		return EX_SOFT;
	if (strcmp(argv[0], "test") == 0) {
		static const char *here[] = {"."};
		const char *pattern = cli.run;
		int first = 1, n;
		const char *const *paths = argc > first ? (const char *const *)argv + first : here;
		size_t npaths = argc > first ? (size_t)(argc - first) : 1;
		n = av_plugin_test(&po, paths, npaths, pattern, cli.format, stdout);
		if (n < 0) {
			fprintf(stderr, "aivet plugin test: %s\n", av_strerror(n));
			return EX_SOFT;
		}
		return n == 0 ? 0 : 1;
	}
	if (strcmp(argv[0], "check") == 0) {
		int bad = 0;
		if (argc < 2) {
			fprintf(stderr, "aivet plugin check: name one or more plugin files\n");
			return EX_USAGE_;
		}
		for (int i = 1; i < argc; i++) {
			char dir[PATH_MAX];
			const char *slash = strrchr(argv[i], '/');
			const char *one[18];
			av_policy *p = NULL;
			av_diags d;
			snprintf(dir, sizeof(dir), "%.*s", slash ? (int)(slash - argv[i]) : 1,
			    slash ? argv[i] : ".");
			for (size_t k = 0; k < po.nplugin_dirs; k++)
				one[k] = po.plugin_dirs[k];
			one[po.nplugin_dirs] = dir;
			av_policy_opts q = po;
			q.plugin_dirs = one;
			q.nplugin_dirs = po.nplugin_dirs + 1;
			av_diags_init(&d);
			if (av_policy_load(&p, &q, &d) != 0) {
				cli_print_diags(&d);
				bad = 1;
			} else {
				printf("%s: ok\n", argv[i]);
			}
			av_diags_fini(&d);
			av_policy_unref(p);
		}
		return bad ? EX_DATA : 0;
	}
	fprintf(stderr, "aivet plugin: unknown subcommand '%s'\n", argv[0]);
	return EX_USAGE_;
}

static int
parse_fail_on(const char *s)
{
	char buf[256], *save = NULL;
	int m = 0;

	snprintf(buf, sizeof(buf), "%s", s);
	for (char *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		if (strcmp(t, "needs_review") == 0)
			m |= FAIL_REVIEW;
		else if (strcmp(t, "rejected") == 0)
			m |= FAIL_REJECTED;
		else if (strcmp(t, "overdue") == 0)
			m |= FAIL_OVERDUE;
		else if (strcmp(t, "stale") == 0)
			m |= FAIL_STALE;
		else if (strcmp(t, "none") == 0)
			;
		else
			return -1;
	}
	return m;
}

static int
run(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"socket", required_argument, NULL, 's'},
		{"format", required_argument, NULL, 'f'},
		{"profile", required_argument, NULL, 'p'},
		{"fail-on", required_argument, NULL, 'F'},
		{"quiet", no_argument, NULL, 'q'},
		{"local", no_argument, NULL, 'L'},
		{"database", required_argument, NULL, 'D'},
		{"plugin-dir", required_argument, NULL, 'P'},
		{"policy-dir", required_argument, NULL, 'Q'},
		{"allow-outside", no_argument, NULL, 'A'},
		{"timeout", required_argument, NULL, 'T'},
		{"run", required_argument, NULL, 'R'},
		{"from-card", required_argument, NULL, 'C'},
		{"input", required_argument, NULL, 'I'},
		{"vulns", required_argument, NULL, 'U'},
		{"jobs", required_argument, NULL, 'J'},
		{"max-files", required_argument, NULL, 'M'},
		{"no-cache", no_argument, NULL, 'N'},
		{"version", no_argument, NULL, 'V'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *cmd, *from_card = NULL;
	int ch;

	if ((ch = cli_review_main(argc, argv)) >= 0 || (ch = cli_scan_main(argc, argv)) >= 0)
		return ch;
	/* Options may come before or after the command ("aivet check -f json x"). */
	while ((ch = getopt_long(argc, argv, "s:f:p:qVh", longopts, NULL)) != -1) {
		switch (ch) {
		case 's': cli.socket = optarg; break;
		case 'f': cli.format = optarg; break;
		case 'p': cli.profile = optarg; break;
		case 'F':
			if ((cli.fail_on = parse_fail_on(optarg)) < 0) {
				fprintf(stderr, "aivet: --fail-on takes needs_review, rejected, "
						"overdue, stale (comma-separated) or none\n");
				return EX_USAGE_;
			}
			break;
		case 'q': cli.quiet = true; break;
		case 'L': cli.local = true; break;
		case 'D': cli.database = optarg; break;
		case 'P':
			if (cli.nplugin_dirs < 15)
				cli.plugin_dirs[cli.nplugin_dirs++] = optarg;
			break;
		case 'Q':
			if (cli.npolicy_dirs < 15)
				cli.policy_dirs[cli.npolicy_dirs++] = optarg;
			break;
		case 'A': cli.allow_outside = true; break;
		case 'T': cli.timeout_ms = atoi(optarg); break;
		case 'R': cli.run = optarg; break;
		case 'C': from_card = optarg; break;
		case 'I':
			if (av_input_parse(optarg) == AV_INPUT_UNKNOWN && strcmp(optarg, "auto") != 0) {
				fprintf(stderr, "aivet: --input takes aivet, hf, cyclonedx, spdx or auto\n");
				return EX_USAGE_;
			}
			cli.input = strcmp(optarg, "auto") == 0 ? NULL : optarg;
			break;
		case 'U': case 'J': case 'M': case 'N':
			if (cli_scan_option(ch, optarg) != 0)
				return EX_USAGE_;
			break;
		case 'V': printf("aivet %s\n", AV_VERSION); return 0;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return EX_USAGE_;
		}
	}
	if (cli_format_parse(cli.format) < 0 && strcmp(cli.format, "tap") != 0) {
		fprintf(stderr, "aivet: --format takes text, json, junit, sarif, markdown or "
				"github\n");
		return EX_USAGE_;
	}
	if (cli.database != NULL && !cli.local) {
		fprintf(stderr, "aivet: --database goes with --local (the daemon reads its own)\n");
		return EX_USAGE_;
	}
	cli.color = isatty(STDOUT_FILENO) && getenv("NO_COLOR") == NULL &&
	    strcmp(cli.format, "text") == 0;
	if (optind >= argc) {
		usage(stderr);
		return EX_USAGE_;
	}
	cmd = argv[optind];
	argc -= optind + 1;
	argv += optind + 1;
	if (strcmp(cmd, "check") == 0)
		return cmd_check(argc, argv);
	if (strcmp(cmd, "verdict") == 0)
		return cmd_verdict(argc, argv);
	if (strcmp(cmd, "init") == 0)
		return cli_cmd_init(argc, argv, from_card);
	if (strcmp(cmd, "list") == 0 && argc == 0)
		return cmd_list();
	if (strcmp(cmd, "health") == 0 && argc == 0)
		return cmd_health();
	if (strcmp(cmd, "validate") == 0)
		return cmd_validate(argc, argv);
	if (strcmp(cmd, "import") == 0)
		return cli_cmd_import(argc, argv);
	if (strcmp(cmd, "policies") == 0 && argc == 0)
		return cmd_policies();
	if (strcmp(cmd, "reload") == 0 && argc == 0)
		return cmd_reload();
	if (strcmp(cmd, "plugin") == 0)
		return cmd_plugin(argc, argv);
	fprintf(stderr, "aivet: unknown command '%s' (or wrong arguments); see aivet --help\n",
	    cmd);
	return EX_USAGE_;
}


int
main(int argc, char **argv)
{
	int ex = run(argc, argv);

	cli_local_fini();
	return ex;
}
