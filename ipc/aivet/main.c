/*
 * aivet - the command line for people and build tools.
 *
 * Talks to aivetd through libaivet-client, or evaluates in-process with
 * --local.  Files stay on this side: the client reads manifests and the
 * documents they reference and sends their content.  The exit code is the
 * gate (see aivet(1)): 0 pass, 1 needs_review, 2 rejected, 3 stale or
 * overdue, 64 usage, 65 bad manifest, 69 daemon unreachable, 70 internal.
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

#include "file.h"
#include "aivet_client.h"
#include "av_config.h"
#include "clock.h"
#include "component.h"
#include "doc.h"
#include "import.h"
#include "inspect.h"
#include "manifest.h"
#include "paths.h"
#include "proto.h"
#include "plugin.h"
#include "verdict.h"
#include "cli.h"
#include "cli_scan.h"

opts o = {
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
	const char *u = o.socket ? o.socket : av_default_socket(url, sizeof(url));

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
	int rc = aivet_connect(&c, o.socket, o.timeout_ms);

	if (rc != AIVET_OK)
		cli_die_connect(rc);
	return c;
}

/* ---- output ------------------------------------------------------------ */

const char *
cli_paint(const char *decision)
{
	if (!o.color || decision == NULL)
		return "";
	if (strcmp(decision, "approved") == 0)
		return "\033[32m";
	if (strcmp(decision, "rejected") == 0)
		return "\033[31m";
	return "\033[33m";
}

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

	if (strcmp(d, "rejected") == 0 && (o.fail_on & FAIL_REJECTED))
		return EX_REJECTED;
	if (strcmp(d, "needs_review") == 0 && (o.fail_on & FAIL_REVIEW))
		return EX_REVIEW;
	if (strcmp(f, "overdue") == 0 && (o.fail_on & FAIL_OVERDUE))
		return EX_STALE;
	if (strcmp(f, "stale") == 0 && (o.fail_on & FAIL_STALE))
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

static int name_w = 24, version_w = 8;

void
cli_fit_columns(const cJSON *verdicts)
{
	const cJSON *v;

	name_w = 24;
	version_w = 8;
	cJSON_ArrayForEach(v, verdicts)
	{
		const cJSON *c = cJSON_GetObjectItemCaseSensitive(v, "component");
		int n = (int)strlen(cli_jstr(c, "name")), k = (int)strlen(cli_jstr(c, "version"));
		if (n > name_w)
			name_w = n < 64 ? n : 64;
		if (k > version_w)
			version_w = k < 40 ? k : 40;
	}
}

void
cli_print_header(void)
{
	printf("%-*s %-*s %-13s %-6s %-10s %-9s %s\n", name_w, "COMPONENT", version_w, "VERSION",
	    "DECISION", "RISK", "REVIEW-BY", "FRESHNESS", "FINDINGS");
}

void
cli_print_verdict_row(const cJSON *v, const char *source)
{
	const cJSON *comp = cJSON_GetObjectItemCaseSensitive(v, "component");
	const cJSON *fs = cJSON_GetObjectItemCaseSensitive(v, "findings"), *f;
	int n[4] = {0};
	char counts[64];
	const char *d = cli_decision(v);
	const cJSON *rv = cJSON_GetObjectItemCaseSensitive(v, "review");

	cJSON_ArrayForEach(f, fs)
	{
		int s = av_severity_parse(cli_jstr(f, "severity"));
		if (s >= 0 && !cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(f, "waived")))
			n[s]++;
	}
	snprintf(counts, sizeof(counts), "%d block, %d review, %d warn%s", n[3], n[2], n[1],
	    cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(v, "cached")) ? " (cached)" : "");
	printf("%-*s %-*s %s%-13s%s %-6s %-10s %-9s %s\n", name_w, cli_jstr(comp, "name"),
	    version_w, cli_jstr(comp, "version"), cli_paint(d), d, o.color ? "\033[0m" : "", cli_jstr(v, "risk"),
	    cli_jstr(v, "review_by"), cli_jstr(v, "freshness"), counts);
	if (cJSON_IsObject(rv) && cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(rv, "stands")))
		printf("    human review: %s by %s on %.10s%s%s%s; automatic decision %s\n",
		    cli_jstr(rv, "decision"), cli_jstr(rv, "reviewer"), cli_jstr(rv, "at"),
		    cli_jstr(rv, "note")[0] ? " (\"" : "", cli_jstr(rv, "note"),
		    cli_jstr(rv, "note")[0] ? "\")" : "", cli_jstr(v, "decision"));
	if (strcmp(d, "approved") == 0 && o.quiet)
		return;
	cJSON_ArrayForEach(f, fs)
	{
		const char *sev = cli_jstr(f, "severity");
		if (strcmp(sev, "block") != 0 && strcmp(sev, "review") != 0)
			continue;
		if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(f, "waived")))
			sev = "waived";
		printf("    %-6s %s: %s%s%s%s\n", sev, cli_jstr(f, "id"), cli_jstr(f, "message"),
		    cli_jstr(f, "evidence")[0] ? " [" : "", cli_jstr(f, "evidence"),
		    cli_jstr(f, "evidence")[0] ? "]" : "");
	}
	(void)source;
}

/* ---- reading manifests --------------------------------------------------- */

/*
 * Resolves a path referenced by a manifest against the manifest's folder.
 * Unless --allow-outside, the result must stay inside that folder.
 */
static int
resolve_ref(const char *manifest, const char *ref, char *out, size_t len, char *why, size_t wlen)
{
	char dir[PATH_MAX], base[PATH_MAX], joined[PATH_MAX * 2];
	const char *slash = strrchr(manifest, '/');

	if (slash == NULL)
		snprintf(dir, sizeof(dir), ".");
	else
		snprintf(dir, sizeof(dir), "%.*s", (int)(slash - manifest), manifest);
	if (realpath(dir, base) == NULL) {
		snprintf(why, wlen, "%s: %s", dir, strerror(errno));
		return -1;
	}
	if (ref[0] == '/')
		snprintf(joined, sizeof(joined), "%s", ref);
	else
		snprintf(joined, sizeof(joined), "%s/%s", base, ref);
	if (realpath(joined, out) == NULL) {
		snprintf(why, wlen, "%s: %s", ref, strerror(errno));
		return -1;
	}
	size_t bl = strlen(base);
	if (!o.allow_outside && (strncmp(out, base, bl) != 0 || (out[bl] != '/' && out[bl] != '\0'))) {
		snprintf(why, wlen, "'%s' is outside the manifest's folder (use --allow-outside)",
		    ref);
		return -1;
	}
	(void)len;
	return 0;
}

void
cli_print_diags(const av_diags *d)
{
	char line[AV_ERR_MSG + AV_ERR_FILE + 32];

	for (size_t i = 0; i < d->n; i++)
		fprintf(stderr, "%s\n", av_error_format(&d->v[i], line, sizeof(line)));
}

/* Notes from importers (code AV_OK) and problems, each on its own line. */
static void
print_import_diags(const av_diags *d)
{
	char line[AV_ERR_MSG + AV_ERR_FILE + 32];

	for (size_t i = 0; i < d->n; i++) {
		if (d->v[i].code == AV_OK && o.quiet)
			continue;
		fprintf(stderr, "%s%s\n", d->v[i].code == AV_OK ? "note: " : "",
		    av_error_format(&d->v[i], line, sizeof(line)));
	}
}

/*
 * Reads a manifest, or a document of another format (Hugging Face card,
 * CycloneDX ML-BOM, SPDX 3 AI package) that becomes one.  The format is
 * --input, else detected from the content.
 */
static int
read_document(const char *path, av_doc **out)
{
	char *buf = NULL;
	size_t len;
	av_error err;
	av_input fmt;
	av_diags d;
	int rc;

	*out = NULL;
	if (av_read_file(path, MAX_MANIFEST, &buf, &len, &err) != 0) {
		fprintf(stderr, "%s: %s\n", path, err.msg);
		return EX_DATA;
	}
	fmt = o.input ? av_input_parse(o.input) : av_input_detect(buf, len, path);
	if (fmt == AV_INPUT_AIVET || fmt == AV_INPUT_UNKNOWN) {
		/* Unknown content is read as a manifest, whose reader says what is wrong. */
		rc = av_doc_parse(out, buf, len, AV_FMT_AUTO, path, NULL, &err);
		free(buf);
		if (rc != 0) {
			char line[AV_ERR_MSG + AV_ERR_FILE + 32];
			fprintf(stderr, "%s\n", av_error_format(&err, line, sizeof(line)));
			return EX_DATA;
		}
		return 0;
	}
	av_diags_init(&d);
	rc = av_import(out, buf, len, fmt, path, &d);
	free(buf);
	print_import_diags(&d);
	av_diags_fini(&d);
	return rc == 0 ? 0 : EX_DATA;
}

/*
 * Inspects the artifact files a manifest lists that exist beside it, and
 * records what was found under artifacts[i].inspected: the real format, the
 * sha256 (and whether it matches the declared one), and for pickle streams
 * the globals they import.  Nothing is loaded or executed.
 */
static int
inspect_artifacts(const char *path, av_doc *doc)
{
	av_node *arts = (av_node *)av_map_get(av_doc_root(doc), "artifacts");
	char ref[PATH_MAX], why[PATH_MAX + 128];

	if (arts == NULL || arts->type != AV_SEQ)
		return 0;
	for (av_node *a = arts->first; a != NULL; a = a->next) {
		const av_node *p = av_map_get(a, "path");
		const char *declared = av_map_str(a, "sha256");
		av_inspect r;
		av_error err;
		av_doc *facts;
		cJSON *j;

		if (p == NULL || p->type != AV_STR)
			continue;
		if (resolve_ref(path, p->str, ref, sizeof(ref), why, sizeof(why)) != 0) {
			if (strstr(why, "outside") != NULL) {
				fprintf(stderr, "%s:%d:%d: artifacts: %s\n", path, p->line, p->column,
				    why);
				return EX_DATA;
			}
			continue; /* not on disk here: the manifest's facts stand */
		}
		if (av_inspect_file(&r, ref, NULL, &err) != 0) {
			fprintf(stderr, "%s:%d:%d: artifact %s: %s\n", path, p->line, p->column,
			    p->str, err.msg);
			return EX_DATA;
		}
		j = av_inspect_to_json(&r);
		if (cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(j, "error")))
			cJSON_DeleteItemFromObjectCaseSensitive(j, "error");
		if (j != NULL && declared != NULL && r.sha256[0] != '\0')
			cJSON_AddBoolToObject(j, "sha256_match", strcasecmp(declared, r.sha256) == 0);
		av_inspect_fini(&r);
		if (j == NULL || av_doc_from_json(&facts, j, path, NULL, &err) != 0) {
			cJSON_Delete(j);
			fprintf(stderr, "%s: out of memory inspecting %s\n", path, p->str);
			return EX_SOFT;
		}
		cJSON_Delete(j);
		av_map_set(doc, a, "inspected", av_node_copy(doc, av_doc_root(facts)));
		av_doc_destroy(facts);
	}
	return 0;
}

/*
 * A manifest may name a CycloneDX ML-BOM or SPDX 3 document (bom.path):
 * the client reads and imports it, and every top-level section the
 * manifest leaves out is taken from it (licenses, artifacts with their
 * hashes, dependencies, model card facts).  What the manifest says wins.
 */
static int
merge_bom(const char *path, av_doc *doc)
{
	av_node *root = av_doc_root(doc);
	const av_node *bom = av_map_get(root, "bom");
	const av_node *bp = bom ? av_map_get(bom, "path") : NULL;
	const char *fmtname = bom ? av_map_str(bom, "format") : NULL;
	char ref[PATH_MAX], why[PATH_MAX + 128];
	char *buf;
	size_t len;
	av_doc *imp = NULL;
	av_error err;
	av_diags d;
	av_input fmt;
	int rc;

	if (bp == NULL || bp->type != AV_STR)
		return 0;
	why[0] = '\0';
	if (resolve_ref(path, bp->str, ref, sizeof(ref), why, sizeof(why)) != 0 ||
	    av_read_file(ref, MAX_MANIFEST, &buf, &len, &err) != 0) {
		fprintf(stderr, "%s:%d:%d: bom.path: %s\n", path, bp->line, bp->column,
		    why[0] ? why : err.msg);
		return EX_DATA;
	}
	fmt = fmtname ? av_input_parse(fmtname) : av_input_detect(buf, len, ref);
	if (fmt != AV_INPUT_CYCLONEDX && fmt != AV_INPUT_SPDX) {
		free(buf);
		fprintf(stderr, "%s:%d:%d: bom.path: %s is neither a CycloneDX BOM nor an SPDX 3 "
				"document\n", path, bp->line, bp->column, bp->str);
		return EX_DATA;
	}
	av_diags_init(&d);
	rc = av_import(&imp, buf, len, fmt, ref, &d);
	free(buf);
	print_import_diags(&d);
	av_diags_fini(&d);
	if (rc != 0)
		return EX_DATA;
	for (const av_node *n = av_doc_root(imp)->first; n != NULL; n = n->next) {
		if (strcmp(n->key, "apiVersion") == 0 || strcmp(n->key, "kind") == 0 ||
		    strcmp(n->key, "name") == 0 || strcmp(n->key, "version") == 0)
			continue;
		if (av_map_get(root, n->key) == NULL)
			av_map_set(doc, root, n->key, av_node_copy(doc, n));
	}
	av_doc_destroy(imp);
	return 0;
}

/*
 * Reads and validates one manifest and the documents it references,
 * returning the document ready to send.  Problems are printed with
 * file:line:column.  Returns 0 or EX_DATA.
 */
int
cli_load_manifest(const char *path, av_doc **out)
{
	char why[PATH_MAX + 128], ref[PATH_MAX];
	av_doc *doc = NULL;
	av_error err;
	av_diags d;
	int rc;

	*out = NULL;
	if ((rc = read_document(path, &doc)) != 0)
		return rc;
	av_diags_init(&d);
	if (av_manifest_validate(av_doc_root(doc), path, &d) != 0) {
		cli_print_diags(&d);
		av_diags_fini(&d);
		av_doc_destroy(doc);
		return EX_DATA;
	}
	av_diags_fini(&d);
	/* A model card given by path travels as text. */
	av_node *card = (av_node *)av_map_get(av_doc_root(doc), "model_card");
	const av_node *cpath = card ? av_map_get(card, "path") : NULL;
	if (cpath != NULL && cpath->type == AV_STR && av_map_get(card, "text") == NULL) {
		char *text;
		size_t tlen;
		why[0] = '\0';
		if (resolve_ref(path, cpath->str, ref, sizeof(ref), why, sizeof(why)) != 0 ||
		    av_read_file(ref, MAX_MANIFEST, &text, &tlen, &err) != 0) {
			if (why[0] == '\0')
				snprintf(why, sizeof(why), "%s", err.msg);
			fprintf(stderr, "%s:%d:%d: model_card.path: %s\n", path, cpath->line,
			    cpath->column, why);
			av_doc_destroy(doc);
			return EX_DATA;
		}
		av_map_set(doc, card, "text", av_node_new_str(doc, text, tlen));
		free(text);
	}
	if ((rc = merge_bom(path, doc)) != 0) {
		av_doc_destroy(doc);
		return rc;
	}
	if ((rc = inspect_artifacts(path, doc)) != 0) {
		av_doc_destroy(doc);
		return rc;
	}
	*out = doc;
	return 0;
}

static int
cmd_import(int argc, char **argv)
{
	av_input fmt;
	av_doc *doc;
	char *buf, *yaml;
	size_t len;
	av_error err;
	av_diags d;
	int rc;

	if (argc != 2 || ((fmt = av_input_parse(argv[0])) == AV_INPUT_UNKNOWN &&
			     strcmp(argv[0], "auto") != 0)) {
		fprintf(stderr, "aivet import: expected FORMAT FILE (FORMAT: hf, cyclonedx, spdx "
				"or auto)\n");
		return EX_USAGE_;
	}
	if (av_read_file(argv[1], MAX_MANIFEST, &buf, &len, &err) != 0) {
		fprintf(stderr, "%s: %s\n", argv[1], err.msg);
		return EX_DATA;
	}
	if (fmt == AV_INPUT_UNKNOWN)
		fmt = av_input_detect(buf, len, argv[1]);
	av_diags_init(&d);
	rc = av_import(&doc, buf, len, fmt, argv[1], &d);
	free(buf);
	print_import_diags(&d);
	av_diags_fini(&d);
	if (rc != 0)
		return EX_DATA;
	if ((yaml = av_node_to_yaml(av_doc_root(doc), &len)) == NULL) {
		av_doc_destroy(doc);
		return EX_SOFT;
	}
	printf("# Imported from %s (%s) by aivet import; fill in what the source could not tell.\n",
	    argv[1], av_input_name(fmt));
	fwrite(yaml, 1, len, stdout);
	free(yaml);
	av_doc_destroy(doc);
	return 0;
}

/* ---- commands ------------------------------------------------------------ */

av_policy *cli_local_policy;

/* The folders of an in-process policy set: the built-in ones first, then
 * --plugin-dir and --policy-dir. */
typedef struct policy_dirs {
	char plug[AV_PATH_MAX + 16];
	char pol[AV_PATH_MAX + 16];
	const char *pd[17];
	const char *qd[17];
} policy_dirs;

static int
local_policy_opts(policy_dirs *pd, av_policy_opts *po)
{
	char data[AV_PATH_MAX];

	memset(po, 0, sizeof(*po));
	if (av_data_dir(data, sizeof(data)) == NULL)
		return -1;
	snprintf(pd->plug, sizeof(pd->plug), "%s/plugins", data);
	snprintf(pd->pol, sizeof(pd->pol), "%s/policies", data);
	pd->pd[0] = pd->plug;
	pd->qd[0] = pd->pol;
	for (size_t i = 0; i < o.nplugin_dirs; i++)
		pd->pd[i + 1] = o.plugin_dirs[i];
	for (size_t i = 0; i < o.npolicy_dirs; i++)
		pd->qd[i + 1] = o.policy_dirs[i];
	po->plugin_dirs = pd->pd;
	po->nplugin_dirs = o.nplugin_dirs + 1;
	po->policy_dirs = pd->qd;
	po->npolicy_dirs = o.npolicy_dirs + 1;
	return 0;
}

int
cli_load_local_policy(void)
{
	policy_dirs pd;
	av_policy_opts po;
	av_diags d;
	int rc;

	if (cli_local_policy != NULL)
		return 0;
	if (local_policy_opts(&pd, &po) != 0)
		return EX_SOFT;
	av_diags_init(&d);
	rc = av_policy_load(&cli_local_policy, &po, &d);
	cli_print_diags(&d);
	av_diags_fini(&d);
	return rc == 0 ? 0 : EX_SOFT;
}

static cJSON *
evaluate_local(av_doc *doc, const char *path, int *ex)
{
	static av_runtime *rt;
	av_verdict *v = NULL;
	av_error err;
	cJSON *j;
	const char *profile = o.profile ? o.profile : "default";

	if (rt == NULL) {
		if ((*ex = cli_load_local_policy()) != 0)
			return NULL;
		if (av_runtime_create(&rt, cli_local_policy, &err) != 0) {
			fprintf(stderr, "aivet: %s\n", err.msg);
			*ex = EX_SOFT;
			return NULL;
		}
	}
	if (av_component_prepare(doc, path, &err) != 0 ||
	    av_runtime_evaluate(rt, av_doc_root(doc), profile, av_now(), &v, &err) != 0) {
		char line[AV_ERR_MSG + AV_ERR_FILE + 32];
		fprintf(stderr, "%s\n", av_error_format(&err, line, sizeof(line)));
		*ex = err.code == AV_ENOTFOUND ? EX_USAGE_ : EX_DATA;
		return NULL;
	}
	av_manifest_digest(av_doc_root(doc), v->manifest_digest);
	v->freshness = av_verdict_freshness(v, av_policy_digest(cli_local_policy), av_now(),
	    av_policy_lead(cli_local_policy, profile));
	j = av_verdict_to_json(v);
	av_verdict_destroy(v);
	return j;
}

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
		if (o.profile == NULL && proj.profile[0] != '\0')
			o.profile = proj.profile;
		argc = (int)proj.n;
	}
	if (!o.local)
		c = cli_connect_or_die();
	for (int i = 0; i < argc; i++) {
		const char *path = proj.n ? proj.v[i].path : argv[i];
		av_doc *doc;
		cJSON *v = NULL;
		int e = 0;

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
		if (o.local) {
			v = evaluate_local(doc, path, &e);
		} else {
			size_t len;
			char *text = av_node_to_json(av_doc_root(doc), &len);
			aivet_reply *r = NULL;
			int rc = text ? aivet_evaluate(c, text, len, o.profile, path, &r)
				      : AIVET_ENOMEM;
			free(text);
			if (rc == AIVET_OK) {
				cJSON *whole = cJSON_Parse(aivet_reply_json(r));
				v = cJSON_DetachItemFromObjectCaseSensitive(whole, "verdict");
				cJSON_Delete(whole);
			} else if (rc == AIVET_EREMOTE) {
				e = cli_remote_error(r, path);
			} else {
				aivet_reply_free(r);
				av_doc_destroy(doc);
				cJSON_Delete(all);
				cJSON_Delete(locs);
				aivet_close(c);
				cli_die_connect(rc);
			}
			aivet_reply_free(r);
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
	if (cli_format_parse(o.format) == CLI_FMT_TEXT)
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
		if (strcmp(o.format, "json") == 0) {
			char *s = cJSON_Print(v);
			puts(s);
			free(s);
		} else if (strcmp(o.format, "text") != 0) {
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

	if (strcmp(o.format, "json") == 0) {
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
		bool q = o.quiet;
		o.quiet = true; /* one line each: findings through `aivet verdict` */
		cli_print_verdict_row(v, NULL);
		o.quiet = q;
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

	if (o.local) {
		if ((ex = cli_load_local_policy()) != 0)
			return ex;
		r = cJSON_CreateObject();
		cJSON_AddItemToObject(r, "policy", av_policy_describe(cli_local_policy));
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
		if (!o.quiet)
			printf("%s: ok\n", argv[i]);
		av_doc_destroy(doc);
	}
	return ex;
}

static int
cmd_plugin(int argc, char **argv)
{
	policy_dirs pd;
	av_policy_opts po;

	if (argc == 0) {
		fprintf(stderr, "aivet plugin: expected list, check or test\n");
		return EX_USAGE_;
	}
	if (strcmp(argv[0], "list") == 0)
		return cmd_policies();
	if (local_policy_opts(&pd, &po) != 0)
		return EX_SOFT;
	if (strcmp(argv[0], "test") == 0) {
		static const char *here[] = {"."};
		const char *pattern = o.run;
		int first = 1, n;
		const char *const *paths = argc > first ? (const char *const *)argv + first : here;
		size_t npaths = argc > first ? (size_t)(argc - first) : 1;
		n = av_plugin_test(&po, paths, npaths, pattern, o.format, stdout);
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

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"socket", required_argument, NULL, 's'},
		{"format", required_argument, NULL, 'f'},
		{"profile", required_argument, NULL, 'p'},
		{"fail-on", required_argument, NULL, 'F'},
		{"quiet", no_argument, NULL, 'q'},
		{"local", no_argument, NULL, 'L'},
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
		case 's': o.socket = optarg; break;
		case 'f': o.format = optarg; break;
		case 'p': o.profile = optarg; break;
		case 'F':
			if ((o.fail_on = parse_fail_on(optarg)) < 0) {
				fprintf(stderr, "aivet: --fail-on takes needs_review, rejected, "
						"overdue, stale (comma-separated) or none\n");
				return EX_USAGE_;
			}
			break;
		case 'q': o.quiet = true; break;
		case 'L': o.local = true; break;
		case 'P':
			if (o.nplugin_dirs < 15)
				o.plugin_dirs[o.nplugin_dirs++] = optarg;
			break;
		case 'Q':
			if (o.npolicy_dirs < 15)
				o.policy_dirs[o.npolicy_dirs++] = optarg;
			break;
		case 'A': o.allow_outside = true; break;
		case 'T': o.timeout_ms = atoi(optarg); break;
		case 'R': o.run = optarg; break;
		case 'C': from_card = optarg; break;
		case 'I':
			if (av_input_parse(optarg) == AV_INPUT_UNKNOWN && strcmp(optarg, "auto") != 0) {
				fprintf(stderr, "aivet: --input takes aivet, hf, cyclonedx, spdx or auto\n");
				return EX_USAGE_;
			}
			o.input = strcmp(optarg, "auto") == 0 ? NULL : optarg;
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
	if (cli_format_parse(o.format) < 0 && strcmp(o.format, "tap") != 0) {
		fprintf(stderr, "aivet: --format takes text, json, junit, sarif, markdown or "
				"github\n");
		return EX_USAGE_;
	}
	o.color = isatty(STDOUT_FILENO) && getenv("NO_COLOR") == NULL &&
	    strcmp(o.format, "text") == 0;
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
		return cmd_import(argc, argv);
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
