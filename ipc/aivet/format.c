/*
 * format.c - verdicts in the formats CI systems already display:
 * JUnit XML, SARIF 2.1.0, a Markdown summary and GitHub workflow commands,
 * beside the text table and the protocol's JSON.
 *
 * Every writer takes the same input: an array of verdict objects as the
 * protocol returns them, each with an added "source" (the manifest file,
 * absent for stored verdicts), and a parallel array of finding locations
 * made by cli_locate while the parsed manifest was still at hand.  Nothing
 * here talks to the daemon or decides the exit code.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "av_config.h"
#include "cli.h"
#include "doc.h"
#include "verdict.h"

/* ---- the text table ---------------------------------------------------- */

const char *
cli_paint(const char *decision)
{
	if (!cli.color || decision == NULL)
		return "";
	if (strcmp(decision, "approved") == 0)
		return "\033[32m";
	if (strcmp(decision, "rejected") == 0)
		return "\033[31m";
	return "\033[33m";
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
	    version_w, cli_jstr(comp, "version"), cli_paint(d), d, cli.color ? "\033[0m" : "", cli_jstr(v, "risk"),
	    cli_jstr(v, "review_by"), cli_jstr(v, "freshness"), counts);
	if (cJSON_IsObject(rv) && cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(rv, "stands")))
		printf("    human review: %s by %s on %.10s%s%s%s; automatic decision %s\n",
		    cli_jstr(rv, "decision"), cli_jstr(rv, "reviewer"), cli_jstr(rv, "at"),
		    cli_jstr(rv, "note")[0] ? " (\"" : "", cli_jstr(rv, "note"),
		    cli_jstr(rv, "note")[0] ? "\")" : "", cli_jstr(v, "decision"));
	if (strcmp(d, "approved") == 0 && cli.quiet)
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


/* ---- the CI formats ---------------------------------------------------- */

static const char *const formats[] = {"text", "json", "junit", "sarif", "markdown", "github"};

int
cli_format_parse(const char *name)
{
	for (int i = 0; i < (int)(sizeof(formats) / sizeof(formats[0])); i++)
		if (strcmp(name, formats[i]) == 0)
			return i;
	return -1;
}

/*
 * The position of a finding's evidence path in the manifest: the field
 * itself, else its nearest parent that exists (a finding about a missing
 * field points at the section that lacks it), else nothing.
 */
static void
locate_one(const av_node *root, const char *path, int *line, int *col)
{
	char buf[256];
	const av_node *n = NULL;

	*line = *col = 0;
	if (path == NULL || path[0] == '\0' || strlen(path) >= sizeof(buf))
		return;
	memcpy(buf, path, strlen(path) + 1);
	for (;;) {
		if ((n = av_node_at(root, buf)) != NULL)
			break;
		char *dot = strrchr(buf, '.');
		if (dot == NULL)
			return;
		*dot = '\0';
	}
	/* A map or sequence value starts on the line after its key. */
	if (n->key != NULL && (n->type == AV_MAP || n->type == AV_SEQ) && n->key_line > 0) {
		*line = n->key_line;
		*col = n->key_column;
	} else {
		*line = n->line;
		*col = n->column;
	}
}

cJSON *
cli_locate(const cJSON *verdict, const av_node *root)
{
	cJSON *locs = cJSON_CreateArray();
	const cJSON *f;

	if (locs == NULL)
		return NULL;
	cJSON_ArrayForEach(f, cJSON_GetObjectItemCaseSensitive(verdict, "findings"))
	{
		int line = 0, col = 0;
		if (root != NULL)
			locate_one(root, cli_jstr(f, "evidence"), &line, &col);
		const int pair[2] = {line, col};
		cJSON_AddItemToArray(locs, cJSON_CreateIntArray(pair, 2));
	}
	return locs;
}

/* The line and column of finding i of verdict k, 0 when unknown. */
static void
loc_of(const cJSON *locs, int k, int i, int *line, int *col)
{
	const cJSON *l = cJSON_GetArrayItem(cJSON_GetArrayItem(locs, k), i);

	*line = *col = 0;
	if (cJSON_GetArraySize(l) == 2) {
		*line = cJSON_GetArrayItem(l, 0)->valueint;
		*col = cJSON_GetArrayItem(l, 1)->valueint;
	}
}

static bool
waived(const cJSON *f)
{
	return cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(f, "waived"));
}

/* Whether a finding fails the gate under --fail-on. */
static bool
finding_fails(const cJSON *f)
{
	const char *s = cli_jstr(f, "severity");

	if (waived(f))
		return false;
	return (strcmp(s, "block") == 0 && (cli.fail_on & FAIL_REJECTED)) ||
	    (strcmp(s, "review") == 0 && (cli.fail_on & FAIL_REVIEW));
}

static bool
fresh_fails(const cJSON *v)
{
	const char *f = cli_jstr(v, "freshness");

	return (strcmp(f, "overdue") == 0 && (cli.fail_on & FAIL_OVERDUE)) ||
	    (strcmp(f, "stale") == 0 && (cli.fail_on & FAIL_STALE));
}

static const char *
comp_str(const cJSON *v, const char *k)
{
	return cli_jstr(cJSON_GetObjectItemCaseSensitive(v, "component"), k);
}

/* ---- JUnit XML ------------------------------------------------------------ */

static void
xml_puts(FILE *out, const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		switch (*p) {
		case '<': fputs("&lt;", out); break;
		case '>': fputs("&gt;", out); break;
		case '&': fputs("&amp;", out); break;
		case '"': fputs("&quot;", out); break;
		case '\'': fputs("&apos;", out); break;
		case '\n': case '\t': case '\r': fprintf(out, "&#%d;", *p); break;
		default:
			/* Control characters are not allowed in XML 1.0 at all. */
			if (*p < 0x20)
				fputc('?', out);
			else
				fputc(*p, out);
		}
	}
}

/* The built-in risk areas, so that an area with nothing to say still
 * shows as a passing testcase; areas of other plugins follow. */
static const char *const std_areas[] = {"license", "model_card", "supply_chain", "privacy",
    "evaluation", "operations", "fit", "record"};

static cJSON *
areas_of(const cJSON *v)
{
	cJSON *a = cJSON_CreateArray();
	const cJSON *f;

	for (size_t i = 0; i < sizeof(std_areas) / sizeof(std_areas[0]); i++)
		cJSON_AddItemToArray(a, cJSON_CreateString(std_areas[i]));
	cJSON_ArrayForEach(f, cJSON_GetObjectItemCaseSensitive(v, "findings"))
	{
		const char *area = cli_jstr(f, "area");
		bool seen = false;
		const cJSON *x;
		cJSON_ArrayForEach(x, a) seen = seen || strcmp(x->valuestring, area) == 0;
		if (!seen && area[0] != '\0')
			cJSON_AddItemToArray(a, cJSON_CreateString(area));
	}
	return a;
}

static void
junit_finding(FILE *out, const cJSON *f, const char *src, int line)
{
	fprintf(out, "[%s] ", cli_jstr(f, "severity"));
	xml_puts(out, cli_jstr(f, "id"));
	fputs(": ", out);
	xml_puts(out, cli_jstr(f, "message"));
	if (cli_jstr(f, "evidence")[0] != '\0') {
		fputs("&#10;  evidence: ", out);
		xml_puts(out, cli_jstr(f, "evidence"));
		if (src[0] != '\0' && line > 0) {
			fputs(" (", out);
			xml_puts(out, src);
			fprintf(out, ":%d)", line);
		}
	}
	if (cli_jstr(f, "remedy")[0] != '\0') {
		fputs("&#10;  remedy: ", out);
		xml_puts(out, cli_jstr(f, "remedy"));
	}
	if (waived(f))
		fputs("&#10;  (waived)", out);
	fputs("&#10;", out);
}

static void
junit(FILE *out, const cJSON *all, const cJSON *locs)
{
	const cJSON *v;
	int k = -1, tests = 0, failures = 0;

	/* Counted first: the root element carries the totals. */
	cJSON_ArrayForEach(v, all)
	{
		cJSON *areas = areas_of(v), *a;
		cJSON_ArrayForEach(a, areas)
		{
			const cJSON *f;
			bool fails = false;
			cJSON_ArrayForEach(f, cJSON_GetObjectItemCaseSensitive(v, "findings"))
				fails = fails || (strcmp(cli_jstr(f, "area"), a->valuestring) == 0 &&
						     finding_fails(f));
			tests++;
			failures += fails;
		}
		tests++;
		failures += fresh_fails(v);
		cJSON_Delete(areas);
	}
	fprintf(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
	fprintf(out, "<testsuites name=\"aivet\" tests=\"%d\" failures=\"%d\">\n", tests, failures);
	cJSON_ArrayForEach(v, all)
	{
		const char *src = cli_jstr(v, "source");
		cJSON *areas = areas_of(v), *a;
		int ntests = 0, nfail = 0;
		k++;
		if (cli.quiet && cli_outcome(v) == EX_PASS) {
			cJSON_Delete(areas);
			continue;
		}
		cJSON_ArrayForEach(a, areas)
		{
			const cJSON *f;
			ntests++;
			cJSON_ArrayForEach(f, cJSON_GetObjectItemCaseSensitive(v, "findings"))
			{
				if (strcmp(cli_jstr(f, "area"), a->valuestring) == 0 && finding_fails(f)) {
					nfail++;
					break;
				}
			}
		}
		ntests++;
		nfail += fresh_fails(v);
		fputs("  <testsuite name=\"", out);
		xml_puts(out, comp_str(v, "name"));
		fputc('@', out);
		xml_puts(out, comp_str(v, "version"));
		fprintf(out, "\" tests=\"%d\" failures=\"%d\" errors=\"0\" timestamp=\"", ntests, nfail);
		xml_puts(out, cli_jstr(v, "evaluated_at"));
		fputs("\"", out);
		if (src[0] != '\0') {
			fputs(" file=\"", out);
			xml_puts(out, src);
			fputs("\"", out);
		}
		fputs(">\n    <properties>\n", out);
		static const char *const props[] = {"decision", "risk", "profile", "review_by",
		    "freshness", "policy_digest"};
		for (size_t i = 0; i < sizeof(props) / sizeof(props[0]); i++) {
			fprintf(out, "      <property name=\"%s\" value=\"", props[i]);
			xml_puts(out, cli_jstr(v, props[i]));
			fputs("\"/>\n", out);
		}
		fputs("    </properties>\n", out);
		cJSON_ArrayForEach(a, areas)
		{
			const cJSON *f;
			int nf = 0, i = -1, line, col;
			bool fails = false;
			cJSON_ArrayForEach(f, cJSON_GetObjectItemCaseSensitive(v, "findings"))
			{
				if (strcmp(cli_jstr(f, "area"), a->valuestring) == 0) {
					nf++;
					fails = fails || finding_fails(f);
				}
			}
			fputs("    <testcase classname=\"", out);
			xml_puts(out, comp_str(v, "name"));
			fputs("\" name=\"", out);
			xml_puts(out, a->valuestring);
			fputs("\"", out);
			if (src[0] != '\0') {
				fputs(" file=\"", out);
				xml_puts(out, src);
				fputs("\"", out);
			}
			if (nf == 0) {
				fputs("/>\n", out);
				continue;
			}
			fputs(">\n", out);
			if (fails) {
				fputs("      <failure type=\"", out);
				xml_puts(out, cli_jstr(v, "decision"));
				fprintf(out, "\" message=\"%d finding%s in ", nf, nf == 1 ? "" : "s");
				xml_puts(out, a->valuestring);
				fputs("\">", out);
			} else {
				fputs("      <system-out>", out);
			}
			cJSON_ArrayForEach(f, cJSON_GetObjectItemCaseSensitive(v, "findings"))
			{
				i++;
				if (strcmp(cli_jstr(f, "area"), a->valuestring) != 0)
					continue;
				loc_of(locs, k, i, &line, &col);
				junit_finding(out, f, src, line);
			}
			fputs(fails ? "</failure>\n" : "</system-out>\n", out);
			fputs("    </testcase>\n", out);
		}
		fputs("    <testcase classname=\"", out);
		xml_puts(out, comp_str(v, "name"));
		fputs("\" name=\"freshness\"", out);
		if (fresh_fails(v)) {
			fputs(">\n      <failure type=\"", out);
			xml_puts(out, cli_jstr(v, "freshness"));
			fputs("\" message=\"the verdict is ", out);
			xml_puts(out, cli_jstr(v, "freshness"));
			fputs(" (review by ", out);
			xml_puts(out, cli_jstr(v, "review_by"));
			fputs(")\"/>\n    </testcase>\n", out);
		} else {
			fputs("/>\n", out);
		}
		fputs("  </testsuite>\n", out);
		cJSON_Delete(areas);
	}
	fputs("</testsuites>\n", out);
}

/* ---- SARIF 2.1.0 ------------------------------------------------------------ */

static const char *
sarif_level(const char *sev)
{
	if (strcmp(sev, "block") == 0)
		return "error";
	if (strcmp(sev, "review") == 0)
		return "warning";
	return "note";
}

/* "license.weights.noncommercial" -> "LicenseWeightsNoncommercial". */
static void
rule_name(const char *id, char *out, size_t len)
{
	size_t n = 0;
	bool up = true;

	for (const char *p = id; *p && n + 1 < len; p++) {
		if (*p == '.' || *p == '_' || *p == '-') {
			up = true;
			continue;
		}
		out[n++] = up && *p >= 'a' && *p <= 'z' ? (char)(*p - 'a' + 'A') : *p;
		up = false;
	}
	out[n] = '\0';
}

/* A relative path as a URI reference: unreserved bytes and '/' kept,
 * the rest percent-encoded. */
static char *
uri_of(const char *path)
{
	char *u = malloc(strlen(path) * 3 + 1), *q = u;

	if (u == NULL)
		return NULL;
	for (const unsigned char *p = (const unsigned char *)path; *p; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
		    strchr("-._~/", *p) != NULL)
			*q++ = (char)*p;
		else
			q += sprintf(q, "%%%02X", *p);
	}
	*q = '\0';
	return u;
}

static int
rule_index(cJSON *rules, const cJSON *f)
{
	const char *id = cli_jstr(f, "id");
	const cJSON *r;
	int i = 0;
	char name[128];

	cJSON_ArrayForEach(r, rules)
	{
		if (strcmp(cli_jstr(r, "id"), id) == 0)
			return i;
		i++;
	}
	cJSON *rule = cJSON_CreateObject();
	cJSON_AddStringToObject(rule, "id", id);
	rule_name(id, name, sizeof(name));
	cJSON_AddStringToObject(rule, "name", name);
	cJSON_AddStringToObject(cJSON_AddObjectToObject(rule, "shortDescription"), "text",
	    cli_jstr(f, "message"));
	const char *remedy = cli_jstr(f, "remedy");
	cJSON *help = cJSON_AddObjectToObject(rule, "help");
	cJSON_AddStringToObject(help, "text", remedy[0] ? remedy : cli_jstr(f, "message"));
	cJSON_AddStringToObject(cJSON_AddObjectToObject(rule, "defaultConfiguration"), "level",
	    sarif_level(cli_jstr(f, "severity")));
	cJSON *props = cJSON_AddObjectToObject(rule, "properties");
	cJSON_AddStringToObject(props, "area", cli_jstr(f, "area"));
	cJSON_AddStringToObject(props, "plugin", cli_jstr(f, "plugin"));
	cJSON_AddItemToArray(rules, rule);
	return i;
}

static void
sarif(FILE *out, const cJSON *all, const cJSON *locs)
{
	cJSON *log = cJSON_CreateObject(), *run, *driver, *rules, *results, *arts;
	const cJSON *v;
	int k = -1;

	cJSON_AddStringToObject(log, "$schema", "https://json.schemastore.org/sarif-2.1.0.json");
	cJSON_AddStringToObject(log, "version", "2.1.0");
	run = cJSON_CreateObject();
	cJSON_AddItemToArray(cJSON_AddArrayToObject(log, "runs"), run);
	driver = cJSON_AddObjectToObject(cJSON_AddObjectToObject(run, "tool"), "driver");
	cJSON_AddStringToObject(driver, "name", "aivet");
	cJSON_AddStringToObject(driver, "version", AV_VERSION);
	cJSON_AddStringToObject(driver, "semanticVersion", AV_VERSION);
	rules = cJSON_AddArrayToObject(driver, "rules");
	arts = cJSON_CreateArray();
	results = cJSON_AddArrayToObject(run, "results");
	cJSON_ArrayForEach(v, all)
	{
		const char *src = cli_jstr(v, "source");
		const cJSON *f;
		char *uri = src[0] ? uri_of(src) : NULL;
		int i = -1, line, col;
		k++;
		if (cli.quiet && cli_outcome(v) == EX_PASS) {
			free(uri);
			continue;
		}
		if (uri != NULL) {
			cJSON *a = cJSON_CreateObject();
			cJSON_AddStringToObject(cJSON_AddObjectToObject(a, "location"), "uri", uri);
			cJSON_AddItemToArray(arts, a);
		}
		cJSON_ArrayForEach(f, cJSON_GetObjectItemCaseSensitive(v, "findings"))
		{
			char text[2048];
			cJSON *r = cJSON_CreateObject();
			i++;
			cJSON_AddStringToObject(r, "ruleId", cli_jstr(f, "id"));
			cJSON_AddNumberToObject(r, "ruleIndex", rule_index(rules, f));
			cJSON_AddStringToObject(r, "level", sarif_level(cli_jstr(f, "severity")));
			snprintf(text, sizeof(text), "%s@%s: %s", comp_str(v, "name"),
			    comp_str(v, "version"), cli_jstr(f, "message"));
			cJSON_AddStringToObject(cJSON_AddObjectToObject(r, "message"), "text", text);
			if (uri != NULL) {
				cJSON *loc = cJSON_CreateObject(), *pl;
				pl = cJSON_AddObjectToObject(loc, "physicalLocation");
				cJSON *al = cJSON_AddObjectToObject(pl, "artifactLocation");
				cJSON_AddStringToObject(al, "uri", uri);
				cJSON_AddNumberToObject(al, "index", cJSON_GetArraySize(arts) - 1);
				loc_of(locs, k, i, &line, &col);
				if (line > 0) {
					cJSON *reg = cJSON_AddObjectToObject(pl, "region");
					cJSON_AddNumberToObject(reg, "startLine", line);
					if (col > 0)
						cJSON_AddNumberToObject(reg, "startColumn", col);
				}
				cJSON_AddItemToArray(cJSON_AddArrayToObject(r, "locations"), loc);
			}
			if (waived(f)) {
				cJSON *s = cJSON_CreateObject();
				cJSON_AddStringToObject(s, "kind", "external");
				cJSON_AddStringToObject(s, "justification", "waived in aivet");
				cJSON_AddItemToArray(cJSON_AddArrayToObject(r, "suppressions"), s);
			}
			cJSON *props = cJSON_AddObjectToObject(r, "properties");
			cJSON_AddStringToObject(props, "component", comp_str(v, "name"));
			cJSON_AddStringToObject(props, "version", comp_str(v, "version"));
			cJSON_AddStringToObject(props, "severity", cli_jstr(f, "severity"));
			cJSON_AddStringToObject(props, "decision", cli_jstr(v, "decision"));
			cJSON_AddStringToObject(props, "evidence", cli_jstr(f, "evidence"));
			cJSON_AddItemToArray(results, r);
		}
		free(uri);
	}
	cJSON_AddItemToObject(run, "artifacts", arts);
	char *s = cJSON_Print(log);
	if (s != NULL)
		fprintf(out, "%s\n", s);
	free(s);
	cJSON_Delete(log);
}

/* ---- Markdown ---------------------------------------------------------------- */

/* A table cell: pipes escaped, line breaks as spaces. */
static void
md_cell(FILE *out, const char *s)
{
	for (; *s; s++) {
		if (*s == '|')
			fputs("\\|", out);
		else if (*s == '\n' || *s == '\r')
			fputc(' ', out);
		else
			fputc(*s, out);
	}
}

static void
markdown(FILE *out, const cJSON *all)
{
	const cJSON *v;
	int n[3] = {0}, shown = 0;

	cJSON_ArrayForEach(v, all)
	{
		int d = av_decision_parse(cli_jstr(v, "decision"));
		if (d >= 0 && d < 3)
			n[d]++;
	}
	fprintf(out, "### aivet: %d rejected, %d needs review, %d approved\n\n", n[AV_REJECTED],
	    n[AV_NEEDS_REVIEW], n[AV_APPROVED]);
	cJSON_ArrayForEach(v, all)
	{
		const cJSON *f;
		int c[4] = {0};
		if (cli.quiet && cli_outcome(v) == EX_PASS)
			continue;
		if (shown++ == 0)
			fputs("| Component | Version | Decision | Risk | Review by | Freshness | "
			      "Findings |\n|---|---|---|---|---|---|---|\n",
			    out);
		cJSON_ArrayForEach(f, cJSON_GetObjectItemCaseSensitive(v, "findings"))
		{
			int s = av_severity_parse(cli_jstr(f, "severity"));
			if (s >= 0 && s < 4 && !waived(f))
				c[s]++;
		}
		fputs("| ", out);
		md_cell(out, comp_str(v, "name"));
		fputs(" | ", out);
		md_cell(out, comp_str(v, "version"));
		fprintf(out, " | %s%s%s | ", cli_outcome(v) == EX_PASS ? "" : "**",
		    cli_jstr(v, "decision"), cli_outcome(v) == EX_PASS ? "" : "**");
		md_cell(out, cli_jstr(v, "risk"));
		fputs(" | ", out);
		md_cell(out, cli_jstr(v, "review_by"));
		fputs(" | ", out);
		md_cell(out, cli_jstr(v, "freshness"));
		fprintf(out, " | %d block, %d review, %d warn |\n", c[AV_SEV_BLOCK], c[AV_SEV_REVIEW],
		    c[AV_SEV_WARN]);
	}
	if (shown == 0)
		fputs("Nothing fails the gate.\n", out);
	/* The findings that fail, one list per component, under the table. */
	cJSON_ArrayForEach(v, all)
	{
		const cJSON *f;
		bool head = false;
		cJSON_ArrayForEach(f, cJSON_GetObjectItemCaseSensitive(v, "findings"))
		{
			if (!finding_fails(f))
				continue;
			if (!head) {
				fprintf(out, "\n#### %s@%s (%s)\n\n", comp_str(v, "name"),
				    comp_str(v, "version"), cli_jstr(v, "decision"));
				head = true;
			}
			fprintf(out, "- **%s** `%s`: ", cli_jstr(f, "severity"), cli_jstr(f, "id"));
			md_cell(out, cli_jstr(f, "message"));
			if (cli_jstr(f, "remedy")[0] != '\0') {
				fputs(" *Remedy:* ", out);
				md_cell(out, cli_jstr(f, "remedy"));
			}
			fputc('\n', out);
		}
	}
}

/* ---- GitHub workflow commands ------------------------------------------------- */

/* Escapes a workflow command's data (prop false) or property value. */
static void
gh_puts(FILE *out, const char *s, bool prop)
{
	for (; *s; s++) {
		if (*s == '%')
			fputs("%25", out);
		else if (*s == '\r')
			fputs("%0D", out);
		else if (*s == '\n')
			fputs("%0A", out);
		else if (prop && *s == ':')
			fputs("%3A", out);
		else if (prop && *s == ',')
			fputs("%2C", out);
		else
			fputc(*s, out);
	}
}

static void
github(FILE *out, const cJSON *all, const cJSON *locs)
{
	const cJSON *v;
	int k = -1;

	cJSON_ArrayForEach(v, all)
	{
		const char *src = cli_jstr(v, "source");
		const cJSON *f;
		int i = -1, line, col;
		k++;
		if (cli.quiet && cli_outcome(v) == EX_PASS)
			continue;
		cJSON_ArrayForEach(f, cJSON_GetObjectItemCaseSensitive(v, "findings"))
		{
			const char *sev = cli_jstr(f, "severity");
			const char *cmd = strcmp(sev, "block") == 0 ? "error"
			    : strcmp(sev, "review") == 0	    ? "warning"
								    : "notice";
			i++;
			if (waived(f) || (cli.quiet && !finding_fails(f)))
				continue;
			fprintf(out, "::%s ", cmd);
			if (src[0] != '\0') {
				fputs("file=", out);
				gh_puts(out, src, true);
				loc_of(locs, k, i, &line, &col);
				if (line > 0)
					fprintf(out, ",line=%d", line);
				if (col > 0)
					fprintf(out, ",col=%d", col);
				fputc(',', out);
			}
			fputs("title=", out);
			gh_puts(out, cli_jstr(f, "id"), true);
			fputs("::", out);
			gh_puts(out, comp_str(v, "name"), false);
			fputs(": ", out);
			gh_puts(out, cli_jstr(f, "message"), false);
			if (cli_jstr(f, "remedy")[0] != '\0') {
				fputs(" Remedy: ", out);
				gh_puts(out, cli_jstr(f, "remedy"), false);
			}
			fputc('\n', out);
		}
		if (fresh_fails(v)) {
			fputs("::error ", out);
			if (src[0] != '\0') {
				fputs("file=", out);
				gh_puts(out, src, true);
				fputc(',', out);
			}
			fputs("title=aivet.freshness::", out);
			gh_puts(out, comp_str(v, "name"), false);
			fprintf(out, ": the verdict is %s (review by %s)\n", cli_jstr(v, "freshness"),
			    cli_jstr(v, "review_by"));
		}
	}
}

/* ---- dispatch ------------------------------------------------------------------- */

void
cli_emit(const cJSON *all, const cJSON *locs)
{
	switch (cli_format_parse(cli.format)) {
	case CLI_FMT_JSON: {
		char *s = cJSON_Print(all);
		if (s != NULL)
			puts(s);
		free(s);
		break;
	}
	case CLI_FMT_JUNIT: junit(stdout, all, locs); break;
	case CLI_FMT_SARIF: sarif(stdout, all, locs); break;
	case CLI_FMT_MARKDOWN: markdown(stdout, all); break;
	case CLI_FMT_GITHUB: github(stdout, all, locs); break;
	default: {
		const cJSON *v;
		int shown = 0;
		cJSON_ArrayForEach(v, all)
		{
			if (cli.quiet && cli_outcome(v) == EX_PASS)
				continue;
			if (shown++ == 0)
				cli_print_header();
			cli_print_verdict_row(v, cli_jstr(v, "source"));
		}
	}
	}
}
