/*
 * manifest.c - the aivet/v1 component manifest schema, as a table.
 *
 * The table below is the executable form of docs/manifest.md: one row per
 * field with its type, whether it is required, its allowed values and its
 * children.  The validator walks the document and the table side by side
 * and reports every problem at the key or value it concerns.  What the
 * fields mean to policy is the plugins' business, not this module's.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sha256.h"
#include "clock.h"
#include "manifest.h"

#define API_VERSION "aivet/v1"
#define NAME_MAX_LEN 200
/* Bounds the length of a field path in messages ("dependencies[12].license"). */
#define PATH_MAX_LEN 256

typedef enum ftype {
	F_STR,      /* string */
	F_NAME,     /* string of [A-Za-z0-9._/-], 1..200 bytes */
	F_BOOL,
	F_INT,      /* integer, never negative */
	F_NUMBER,   /* integer or float */
	F_DATE,     /* "YYYY-MM-DD" */
	F_DURATION, /* "90d", "6mo" */
	F_SHA256,   /* 64 hex digits */
	F_LICENSE,  /* string, or map {id, name, link} */
	F_CONTROL,  /* boolean, or non-empty string */
	F_ENUM,     /* string, one of enums */
	F_MAP,      /* map of children */
	F_LIST,     /* sequence of item (with enums / children for the item) */
} ftype;

struct field {
	const char *name;
	ftype type;
	bool required;
	ftype item; /* F_LIST: the items' type */
	const char *const *enums;
	const struct field *children; /* F_MAP, or F_LIST of F_MAP; ends with {NULL} */
};

#define END {NULL, F_STR, false, F_STR, NULL, NULL}
#define STR(n) {n, F_STR, false, F_STR, NULL, NULL}
#define BOOL(n) {n, F_BOOL, false, F_STR, NULL, NULL}
#define INT(n) {n, F_INT, false, F_STR, NULL, NULL}
#define NUM(n) {n, F_NUMBER, false, F_STR, NULL, NULL}
#define DATE(n) {n, F_DATE, false, F_STR, NULL, NULL}
#define DUR(n) {n, F_DURATION, false, F_STR, NULL, NULL}
#define SHA(n) {n, F_SHA256, false, F_STR, NULL, NULL}
#define LIC(n) {n, F_LICENSE, false, F_STR, NULL, NULL}
#define CTL(n) {n, F_CONTROL, false, F_STR, NULL, NULL}
#define ENUM(n, e) {n, F_ENUM, false, F_STR, e, NULL}
#define MAP(n, c) {n, F_MAP, false, F_STR, NULL, c}
#define LIST(n, t) {n, F_LIST, false, t, NULL, NULL}
#define LIST_ENUM(n, e) {n, F_LIST, false, F_ENUM, e, NULL}
#define LIST_MAP(n, c) {n, F_LIST, false, F_MAP, NULL, c}

static const char *const kinds[] = {"model", "weights", "dataset", "code", "tooling", "system",
	NULL};
static const char *const hubs[] = {"huggingface", "github", "other", NULL};
static const char *const audiences[] = {"internal", "public", NULL};
static const char *const levels3[] = {"low", "medium", "high", NULL};
static const char *const hostings[] = {"self_hosted", "managed", "api", NULL};
static const char *const formats[] = {"safetensors", "gguf", "onnx", "pytorch", "pickle",
	"keras", "h5", "tensorflow", "numpy", "joblib", "other", NULL};
static const char *const ratings[] = {"safe", "suspicious", "dangerous", NULL};
static const char *const ecosystems[] = {"pypi", "npm", "cargo", "go", "maven", "conda", "apt",
	"other", NULL};
static const char *const vuln_severities[] = {"low", "medium", "high", "critical", NULL};
static const char *const covers[] = {"realistic_tasks", "edge_cases", "refusals",
	"low_quality_inputs", "harmful_errors", NULL};
static const char *const levels4[] = {"none", "low", "medium", "high", NULL};
static const char *const compliance[] = {"none", "standard", "strict", NULL};

static const struct field license_fields[] = {STR("id"), STR("name"), STR("link"), END};

static const struct field source_fields[] = {
	STR("url"), STR("repository"), STR("revision"), ENUM("hub", hubs), END,
};

static const struct field use_fields[] = {
	STR("purpose"), BOOL("commercial"), ENUM("audience", audiences), ENUM("impact", levels3),
	BOOL("customer_facing"), ENUM("hosting", hostings), BOOL("distribution"),
	LIST("high_stakes_domains", F_STR), INT("users"), END,
};

static const char *const licid_methods[] = {"text", "markers", NULL};

/* A license text found in the repository (aivet scan). */
static const struct field license_file_fields[] = {
	STR("path"), INT("line"), STR("id"), STR("closest"), NUM("score"),
	ENUM("method", licid_methods), END,
};

static const struct field licenses_fields[] = {
	LIC("code"), LIC("weights"), LIC("data"), LIC("docs"), LIST_MAP("files", license_file_fields),
	END,
};

static const struct field section_fields[] = {
	STR("intended_use"), STR("out_of_scope"), STR("limitations"), STR("risks"),
	STR("training_data"), STR("training_procedure"), STR("evaluation"),
	STR("safety_testing"), STR("languages"), STR("environmental_impact"), STR("bias"),
	STR("users"), STR("domains"), END,
};

static const struct field model_card_fields[] = {
	STR("path"), STR("text"), STR("url"), MAP("sections", section_fields), END,
};

static const struct field global_fields[] = {
	STR("module"), STR("name"), ENUM("rating", ratings), END,
};

static const struct field inspected_fields[] = {
	SHA("sha256"), STR("format"), INT("size"), BOOL("sha256_match"),
	LIST_MAP("globals", global_fields), STR("error"), END,
};

static const struct field artifact_fields[] = {
	STR("path"), ENUM("format", formats), SHA("sha256"), INT("size"), STR("url"),
	MAP("inspected", inspected_fields), END,
};

static const struct field vuln_fields[] = {
	STR("id"), ENUM("severity", vuln_severities), STR("fixed_in"), STR("summary"), END,
};

static const struct field dependency_fields[] = {
	{"name", F_STR, true, F_STR, NULL, NULL}, STR("version"),
	ENUM("ecosystem", ecosystems), LIC("license"), BOOL("maintained"), DATE("last_release"),
	LIST_MAP("vulnerabilities", vuln_fields), BOOL("pinned"), BOOL("hashed"), END,
};

static const char *const call_kinds[] = {"exec", "eval", "subprocess", "pickle_load",
	"torch_load", NULL};

/* Where code shipped with the component runs programs or loads pickles (aivet scan). */
static const struct field unsafe_call_fields[] = {
	STR("path"), INT("line"), ENUM("kind", call_kinds), STR("call"), END,
};

/* Where a secret was found: never the secret itself (aivet scan). */
static const struct field secret_fields[] = {STR("path"), INT("line"), STR("kind"), END};

static const struct field runtime_fields[] = {
	BOOL("downloads_at_runtime"), LIST("downloads", F_STR), BOOL("remote_code"),
	BOOL("network_access"), BOOL("credentials_separated"), BOOL("secrets_in_examples"),
	LIST_MAP("unsafe_calls", unsafe_call_fields), LIST_MAP("secrets", secret_fields), END,
};

static const struct field data_classes_fields[] = {
	LIST("prompts", F_STR), LIST("retrieval", F_STR), LIST("logs", F_STR), END,
};

static const struct field masking_fields[] = {BOOL("enabled"), LIST("fields", F_STR), END};

static const struct field access_fields[] = {
	LIST("prompts", F_STR), LIST("outputs", F_STR), LIST("logs", F_STR), END,
};

static const struct field retention_fields[] = {
	DUR("test_data"), DUR("production_records"), DUR("logs"), DUR("embeddings"),
	DUR("backups"), END,
};

static const struct field data_handling_fields[] = {
	BOOL("personal_data"), LIST("regulated_data", F_STR),
	MAP("data_classes", data_classes_fields), MAP("masking", masking_fields),
	MAP("access", access_fields), MAP("retention", retention_fields),
	BOOL("output_leakage_review"), END,
};

static const struct field test_set_fields[] = {
	STR("name"), INT("size"), STR("source"), LIST_ENUM("covers", covers), END,
};

static const struct field metrics_fields[] = {
	NUM("accuracy"), NUM("completeness"), NUM("hallucination_rate"),
	NUM("citation_accuracy"), NUM("latency_p95_ms"), NUM("cost_per_1k_requests"),
	NUM("privacy_leak_rate"), NUM("human_intervention_rate"), END,
};

static const struct field result_fields[] = {
	STR("task"), STR("dataset"), STR("metric"), NUM("value"), STR("source"), END,
};

static const struct field evaluation_fields[] = {
	LIST_MAP("test_sets", test_set_fields), STR("rubric"), MAP("metrics", metrics_fields),
	LIST_MAP("results", result_fields),
	BOOL("workflow_tested"), BOOL("leaderboard_only"), DATE("date"), END,
};

static const struct field operations_fields[] = {
	CTL("access_control"), CTL("logging"), CTL("rate_limits"), CTL("abuse_prevention"),
	CTL("patching"), CTL("backup"), CTL("incident_response"), CTL("update_procedure"),
	CTL("monitoring"), CTL("fallback"), CTL("human_review"), END,
};

static const struct field team_fields[] = {
	ENUM("ml_expertise", levels4), ENUM("infra_capacity", levels4), BOOL("security_review"),
	BOOL("support_needed"), ENUM("compliance_needs", compliance),
	BOOL("compliance_expertise"), BOOL("on_call"), END,
};

static const struct field decisions_fields[] = {
	STR("owner"), STR("decision"), DATE("date"), DATE("review_by"),
	LIST("assumptions", F_STR), LIST("known_limits", F_STR), END,
};

static const char *const bom_formats[] = {"cyclonedx", "spdx", NULL};

static const struct field bom_fields[] = {
	STR("path"), ENUM("format", bom_formats), END,
};

static const struct field root_fields[] = {
	{"apiVersion", F_STR, true, F_STR, NULL, NULL},
	{"kind", F_ENUM, true, F_STR, kinds, NULL},
	{"name", F_NAME, true, F_STR, NULL, NULL},
	{"version", F_STR, true, F_STR, NULL, NULL},
	STR("publisher"), STR("description"),
	MAP("source", source_fields), MAP("use", use_fields), MAP("licenses", licenses_fields),
	MAP("model_card", model_card_fields), MAP("bom", bom_fields),
	LIST_MAP("artifacts", artifact_fields),
	LIST_MAP("dependencies", dependency_fields), MAP("runtime", runtime_fields),
	MAP("data_handling", data_handling_fields), MAP("evaluation", evaluation_fields),
	MAP("operations", operations_fields), MAP("team", team_fields),
	MAP("decisions", decisions_fields), END,
};

/* ---- The walk ------------------------------------------------------------- */

struct ctx {
	const char *file;
	av_diags *d;
	av_error *first; /* av_manifest_check: stop at the first problem */
	int nerr;
};

static void report(struct ctx *c, int line, int column, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void
report(struct ctx *c, int line, int column, const char *fmt, ...)
{
	va_list ap;
	char msg[AV_ERR_MSG];

	if (c->first != NULL && c->nerr > 0)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	c->nerr++;
	if (c->first != NULL)
		av_error_set(c->first, AV_ESCHEMA, c->file, line, column, "%s", msg);
	else if (c->d != NULL)
		av_diags_add(c->d, AV_ESCHEMA, c->file, line, column, "%s", msg);
}

static bool
stopped(const struct ctx *c)
{
	return c->first != NULL && c->nerr > 0;
}

/* Levenshtein distance, capped: anything above 3 is reported as 3. */
static int
distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	int row[64];

	if (la >= 63 || lb >= 63)
		return 3;
	for (size_t j = 0; j <= lb; j++)
		row[j] = (int)j;
	for (size_t i = 1; i <= la; i++) {
		int diag = row[0];
		row[0] = (int)i;
		for (size_t j = 1; j <= lb; j++) {
			int up = row[j];
			int cost = a[i - 1] == b[j - 1] ? 0 : 1;
			int v = diag + cost;
			if (row[j] + 1 < v)
				v = row[j] + 1;
			if (row[j - 1] + 1 < v)
				v = row[j - 1] + 1;
			row[j] = v;
			diag = up;
		}
	}
	return row[lb] > 3 ? 3 : row[lb];
}

/* The closest known key to an unknown one, or NULL when none is close. */
static const char *
suggest(const struct field *fields, const char *key)
{
	const char *best = NULL;
	int bestd = 3;
	size_t kl = strlen(key);

	for (const struct field *f = fields; f->name != NULL; f++) {
		int dd = distance(key, f->name);
		if (dd < bestd) {
			bestd = dd;
			best = f->name;
		}
	}
	if (best != NULL || kl < 3)
		return best;
	for (const struct field *f = fields; f->name != NULL; f++) {
		size_t fl = strlen(f->name);
		if (strncmp(key, f->name, kl < fl ? kl : fl) == 0)
			return f->name;
	}
	return NULL;
}

static void
join(char *out, const char *path, const char *key)
{
	if (path[0] == '\0')
		snprintf(out, PATH_MAX_LEN, "%s", key);
	else
		snprintf(out, PATH_MAX_LEN, "%s.%s", path, key);
}

static const char *
type_desc(ftype t)
{
	switch (t) {
	case F_STR:
	case F_ENUM:
		return "string";
	case F_NAME:
		return "name (string)";
	case F_BOOL:
		return "boolean";
	case F_INT:
		return "integer";
	case F_NUMBER:
		return "number";
	case F_DATE:
		return "date (YYYY-MM-DD)";
	case F_DURATION:
		return "duration (string such as 90d, 6mo, 1y)";
	case F_SHA256:
		return "sha256 (64 hex digits)";
	case F_LICENSE:
		return "license (string or map)";
	case F_CONTROL:
		return "control (boolean or string)";
	case F_MAP:
		return "map";
	case F_LIST:
		return "list";
	}
	return "value";
}

static void
wrong_type(struct ctx *c, const char *path, ftype want, const av_node *n)
{
	const char *hint = "";

	if (want == F_BOOL && n->type == AV_STR)
		hint = " (write true or false)";
	else if ((want == F_STR || want == F_NAME || want == F_DATE || want == F_DURATION ||
	    want == F_SHA256 || want == F_ENUM) && (n->type == AV_INT || n->type == AV_FLOAT ||
	    n->type == AV_BOOL))
		hint = " (put it in quotes to make it a string)";
	if (n->type == AV_STR || n->type == AV_INT || n->type == AV_FLOAT || n->type == AV_BOOL)
		report(c, n->line, n->column, "%s: expected %s, got %s %.60s%s", path,
		    type_desc(want), av_ntype_name(n->type), n->str, hint);
	else
		report(c, n->line, n->column, "%s: expected %s, got %s%s", path, type_desc(want),
		    av_ntype_name(n->type), hint);
}

static bool
is_sha256(const char *s, size_t n)
{
	if (n != 64)
		return false;
	for (size_t i = 0; i < n; i++)
		if (strchr("0123456789abcdefABCDEF", s[i]) == NULL || s[i] == '\0')
			return false;
	return true;
}

static void check_map(struct ctx *c, const av_node *n, const struct field *fields,
    const char *path);

static void
check_enum(struct ctx *c, const av_node *n, const char *const *enums, const char *path)
{
	char allowed[AV_ERR_MSG / 2];
	size_t o = 0;

	if (n->type != AV_STR) {
		wrong_type(c, path, F_ENUM, n);
		return;
	}
	for (const char *const *e = enums; *e != NULL; e++)
		if (strcmp(*e, n->str) == 0)
			return;
	allowed[0] = '\0';
	for (const char *const *e = enums; *e != NULL && o < sizeof(allowed); e++)
		o += (size_t)snprintf(allowed + o, sizeof(allowed) - o, "%s%s",
		    e == enums ? "" : ", ", *e);
	report(c, n->line, n->column, "%s: \"%.60s\" is not one of: %s", path, n->str, allowed);
}

static void
check_value(struct ctx *c, const av_node *n, ftype t, const char *const *enums,
    const struct field *children, ftype item, const char *path)
{
	int64_t v;

	switch (t) {
	case F_STR:
		if (n->type != AV_STR)
			wrong_type(c, path, t, n);
		break;
	case F_NAME:
		if (n->type != AV_STR) {
			wrong_type(c, path, t, n);
		} else if (n->len == 0 || n->len > NAME_MAX_LEN) {
			report(c, n->line, n->column, "%s: must be 1 to %d characters long, got %zu",
			    path, NAME_MAX_LEN, n->len);
		} else {
			size_t bad = strspn(n->str, "abcdefghijklmnopqrstuvwxyz"
			    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._/-");
			if (bad < n->len)
				report(c, n->line, n->column,
				    "%s: character '%c' is not allowed (use letters, digits, . _ / -)",
				    path, n->str[bad]);
		}
		break;
	case F_BOOL:
		if (n->type != AV_BOOL)
			wrong_type(c, path, t, n);
		break;
	case F_INT:
		if (n->type != AV_INT)
			wrong_type(c, path, t, n);
		else if (n->i < 0)
			report(c, n->line, n->column, "%s: must not be negative, got %" PRId64, path,
			    n->i);
		break;
	case F_NUMBER:
		if (n->type != AV_INT && n->type != AV_FLOAT)
			wrong_type(c, path, t, n);
		break;
	case F_DATE:
		if (n->type != AV_STR)
			wrong_type(c, path, t, n);
		else if (n->len != 10 || av_time_parse(n->str, &v) != 0)
			report(c, n->line, n->column, "%s: \"%.60s\" is not a date (YYYY-MM-DD)",
			    path, n->str);
		break;
	case F_DURATION:
		if (n->type != AV_STR)
			wrong_type(c, path, t, n);
		else if (av_duration_parse(n->str, &v) != 0)
			report(c, n->line, n->column,
			    "%s: \"%.60s\" is not a duration (a number and s, min, h, d, w, mo or y)",
			    path, n->str);
		break;
	case F_SHA256:
		if (n->type != AV_STR)
			wrong_type(c, path, t, n);
		else if (!is_sha256(n->str, n->len))
			report(c, n->line, n->column,
			    "%s: \"%.70s\" is not a sha256 (64 hex digits, got %zu characters)", path,
			    n->str, n->len);
		break;
	case F_LICENSE:
		if (n->type == AV_STR) {
			if (n->len == 0)
				report(c, n->line, n->column, "%s: license is empty", path);
		} else if (n->type == AV_MAP) {
			check_map(c, n, license_fields, path);
			if (av_map_get(n, "id") == NULL && av_map_get(n, "name") == NULL)
				report(c, n->line, n->column,
				    "%s: a license map needs an id or a name", path);
		} else {
			wrong_type(c, path, t, n);
		}
		break;
	case F_CONTROL:
		if (n->type == AV_STR && n->len == 0)
			report(c, n->line, n->column,
			    "%s: an empty string is not a control (use false, or describe it)", path);
		else if (n->type != AV_BOOL && n->type != AV_STR)
			wrong_type(c, path, t, n);
		break;
	case F_ENUM:
		check_enum(c, n, enums, path);
		break;
	case F_MAP:
		if (n->type != AV_MAP)
			wrong_type(c, path, t, n);
		else
			check_map(c, n, children, path);
		break;
	case F_LIST:
		if (n->type != AV_SEQ) {
			wrong_type(c, path, t, n);
			break;
		}
		size_t i = 0;
		for (const av_node *k = n->first; k != NULL && !stopped(c); k = k->next, i++) {
			char sub[PATH_MAX_LEN];
			snprintf(sub, sizeof(sub), "%s[%zu]", path, i);
			check_value(c, k, item, enums, children, F_STR, sub);
		}
		break;
	}
}

static void
check_map(struct ctx *c, const av_node *n, const struct field *fields, const char *path)
{
	char sub[PATH_MAX_LEN];

	for (const av_node *k = n->first; k != NULL && !stopped(c); k = k->next) {
		const struct field *f = fields;
		while (f->name != NULL && strcmp(f->name, k->key) != 0)
			f++;
		join(sub, path, k->key);
		if (f->name == NULL) {
			const char *s = suggest(fields, k->key);
			if (s != NULL)
				report(c, k->key_line, k->key_column,
				    "%s: unknown key (did you mean \"%s\"?)", sub, s);
			else
				report(c, k->key_line, k->key_column, "%s: unknown key", sub);
			continue;
		}
		check_value(c, k, f->type, f->enums, f->children, f->item, sub);
	}
	for (const struct field *f = fields; f->name != NULL && !stopped(c); f++) {
		if (!f->required || av_map_get(n, f->name) != NULL)
			continue;
		join(sub, path, f->name);
		report(c, n->line, n->column, "%s: required key is missing", sub);
	}
}

static int
validate(const av_node *root, struct ctx *c)
{
	if (root == NULL || root->type != AV_MAP) {
		report(c, root ? root->line : 0, root ? root->column : 0,
		    "a manifest must be a map, got %s",
		    root ? av_ntype_name(root->type) : "nothing");
		return c->nerr;
	}
	const av_node *api = av_map_get(root, "apiVersion");
	if (api == NULL) {
		report(c, root->line, root->column,
		    "apiVersion: required key is missing (write apiVersion: " API_VERSION ")");
		return c->nerr;
	}
	if (api->type != AV_STR || strcmp(api->str, API_VERSION) != 0) {
		/* Another version's fields mean other things: check nothing else. */
		report(c, api->line, api->column,
		    "apiVersion: \"%.60s\" is not supported; this aivet reads " API_VERSION,
		    api->str);
		return c->nerr;
	}
	check_map(c, root, root_fields, "");
	return c->nerr;
}

int
av_manifest_validate(const av_node *root, const char *file, av_diags *d)
{
	struct ctx c = {.file = file, .d = d};

	return validate(root, &c);
}

int
av_manifest_check(const av_node *root, const char *file, av_error *err)
{
	av_error e;
	struct ctx c = {.file = file, .first = err != NULL ? err : &e};

	if (validate(root, &c) > 0)
		return AV_ESCHEMA;
	return 0;
}

void
av_manifest_digest(const av_node *root, char out[65])
{
	size_t len;
	char *json = av_node_to_json(root, &len);

	if (json == NULL) {
		out[0] = '\0';
		return;
	}
	av_sha256_hex(json, len, out);
	free(json);
}

/* Replaces a license given as a string by the map {id: <string>}. */
static int
normalise_license(av_doc *doc, av_node *parent, av_node *lic)
{
	if (lic == NULL || lic->type != AV_STR)
		return 0;
	av_node *m = av_node_new(doc, AV_MAP);
	if (m == NULL)
		return AV_ENOMEM;
	m->line = lic->line;
	m->column = lic->column;
	if (av_map_set(doc, parent, lic->key, m) == NULL)
		return AV_ENOMEM;
	lic->key_line = lic->line;
	lic->key_column = lic->column;
	if (av_map_set(doc, m, "id", lic) == NULL)
		return AV_ENOMEM;
	return 0;
}

int
av_manifest_normalise(av_doc *doc, av_error *err)
{
	static const char *const items[] = {"code", "weights", "data", "docs"};
	av_node *root = av_doc_root(doc);
	int rc = 0;

	if (root == NULL || root->type != AV_MAP)
		return 0;
	av_node *lic = (av_node *)av_map_get(root, "licenses");
	if (lic != NULL && lic->type == AV_MAP)
		for (size_t i = 0; i < sizeof(items) / sizeof(items[0]) && rc == 0; i++)
			rc = normalise_license(doc, lic, (av_node *)av_map_get(lic, items[i]));
	av_node *deps = (av_node *)av_map_get(root, "dependencies");
	if (deps != NULL && deps->type == AV_SEQ)
		for (av_node *dep = deps->first; dep != NULL && rc == 0; dep = dep->next)
			if (dep->type == AV_MAP)
				rc = normalise_license(doc, dep,
				    (av_node *)av_map_get(dep, "license"));
	if (rc != 0)
		return av_error_set(err, rc, av_doc_name(doc), 0, 0, "out of memory");
	return 0;
}
