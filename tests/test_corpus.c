/*
 * test_corpus.c - imports every real public document of the corpus folder
 * (argument 1): model and dataset cards, CycloneDX BOMs, SPDX 3 documents.
 *
 * For each: no crash; no error when the document is valid (a card, or JSON
 * that cJSON accepts); every license id of the result is a Hugging Face
 * license id or an SPDX id from the corpus's own lists; and for cards,
 * every section an independent, simple heading scan sees is reported
 * present.  Exits 77 (skipped) when the folder is absent.
 */
#include <ctype.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cjson/cJSON.h>

#include "card.h"
#include "import.h"
#include "markdown.h"

static int failures, files;

static char *
slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	rewind(f);
	char *b = malloc((size_t)n + 1);
	if (b && fread(b, 1, (size_t)n, f) != (size_t)n) {
		free(b);
		b = NULL;
	}
	if (b)
		b[n] = '\0';
	fclose(f);
	*len = (size_t)n;
	return b;
}

static void
fail(const char *file, const char *fmt, const char *arg)
{
	fprintf(stderr, "FAIL %s: ", file);
	fprintf(stderr, fmt, arg);
	fputc('\n', stderr);
	failures++;
}

/* ---- license ids known to the corpus ---- */

static char *hf_ids, *spdx_ids;

static bool
known_id(const char *id, size_t n)
{
	char pat[160];
	if (n == 0 || n > 120)
		return false;
	/* hf-license-identifiers.tsv: the id is the first column. */
	snprintf(pat, sizeof(pat), "\n%.*s\t", (int)n, id);
	if (hf_ids && strstr(hf_ids, pat))
		return true;
	snprintf(pat, sizeof(pat), "\"licenseId\": \"%.*s\"", (int)n, id);
	if (spdx_ids && strcasestr(spdx_ids, pat))
		return true;
	snprintf(pat, sizeof(pat), "\"licenseExceptionId\": \"%.*s\"", (int)n, id);
	return spdx_ids && strcasestr(spdx_ids, pat);
}

/* Checks every id of an expression ("A AND (B OR C) WITH D"). */
static void
check_expression(const char *file, const char *expr)
{
	const char *p = expr;
	while (*p) {
		while (*p == ' ' || *p == '(' || *p == ')')
			p++;
		const char *s = p;
		while (*p && *p != ' ' && *p != '(' && *p != ')')
			p++;
		size_t n = (size_t)(p - s);
		if (n == 0 || (n == 3 && (!strncmp(s, "AND", 3))) || (n == 2 && !strncmp(s, "OR", 2)) ||
		    (n == 4 && !strncmp(s, "WITH", 4)))
			continue;
		if (!known_id(s, n)) {
			char id[128];
			snprintf(id, sizeof(id), "%.*s", (int)(n < 120 ? n : 120), s);
			fail(file, "license id \"%s\" is not recognised", id);
		}
	}
}

static void
check_licenses(const char *file, const av_node *root)
{
	const av_node *ls = av_map_get(root, "licenses");
	for (const av_node *l = ls && ls->type == AV_MAP ? ls->first : NULL; l; l = l->next) {
		if (l->type == AV_STR) {
			check_expression(file, l->str);
		} else if (l->type == AV_MAP) {
			const char *id = av_map_str(l, "id");
			if (id)
				check_expression(file, id);
		}
	}
}

/* ---- sections an independent scan sees ---- */

static const struct {
	const char *keyword, *canonical;
} obvious[] = {
	{"intended use", "intended_use"}, {"out-of-scope", "out_of_scope"},
	{"limitations", "limitations"}, {"training data", "training_data"},
	{"evaluation", "evaluation"}, {"environmental impact", "environmental_impact"},
	{"bias", "bias"}, {"risks", "risks"}, {"safety", "safety_testing"},
};

static void
check_sections(const char *file, const char *text, const av_node *secs)
{
	bool fence = false;
	for (const char *p = text; *p;) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		if (n >= 3 && (!strncmp(p, "```", 3) || !strncmp(p, "~~~", 3)))
			fence = !fence;
		else if (!fence && n > 2 && p[0] == '#') {
			char line[256];
			size_t k = n < sizeof(line) - 1 ? n : sizeof(line) - 1;
			for (size_t i = 0; i < k; i++)
				line[i] = (char)tolower((unsigned char)p[i]);
			line[k] = '\0';
			for (size_t i = 0; i < sizeof(obvious) / sizeof(obvious[0]); i++) {
				if (!strstr(line, obvious[i].keyword))
					continue;
				const av_node *e = av_map_get(secs, obvious[i].canonical);
				const av_node *pr = e ? av_map_get(e, "present") : NULL;
				if (!pr || pr->type != AV_BOOL || !pr->b)
					fail(file, "section \"%s\" is there but not found", line);
			}
		}
		p += n + (nl ? 1 : 0);
	}
}

/* ---- one file ---- */

static void
check_file(const char *path, bool json)
{
	size_t len;
	char *buf = slurp(path, &len);
	if (!buf) {
		fail(path, "%s", "cannot read");
		return;
	}
	files++;
	bool valid = true;
	if (json) {
		cJSON *j = cJSON_ParseWithLength(buf, len);
		valid = j != NULL;
		cJSON_Delete(j);
	}
	av_diags d;
	av_diags_init(&d);
	av_doc *doc = NULL;
	int rc = av_import(&doc, buf, len, AV_INPUT_UNKNOWN, path, &d);
	if (rc != 0 && valid) {
		char m[1024];
		fail(path, "import failed: %s", d.n ? av_error_format(&d.v[d.n - 1], m, sizeof(m)) : "?");
	}
	if (rc != 0 && d.n == 0)
		fail(path, "%s", "an error without a message");
	if (doc) {
		av_node *root = av_doc_root(doc);
		check_licenses(path, root);
		av_node *mc = (av_node *)av_map_get(root, "model_card");
		if (mc) {
			av_error err;
			av_error_clear(&err);
			if (av_card_normalise(doc, mc, &err) != 0)
				fail(path, "card normalisation failed: %s", err.msg);
			else if (!json)
				check_sections(path, buf, av_map_get(mc, "sections"));
		}
		av_doc_destroy(doc);
	}
	printf("%s %s (%zu notes)\n", rc == 0 ? "ok  " : "err ", path, d.n);
	av_diags_fini(&d);
	free(buf);
}

static bool
ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);
	return n >= m && strcmp(s + n - m, suffix) == 0;
}

static int
name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void
check_dir(const char *root, const char *sub, const char *suffix, const char *skip, bool json)
{
	char dir[1024];
	snprintf(dir, sizeof(dir), "%s/%s", root, sub);
	DIR *dp = opendir(dir);
	if (!dp)
		return;
	char *names[512];
	size_t n = 0;
	struct dirent *e;
	while ((e = readdir(dp)) != NULL && n < 512)
		if (ends_with(e->d_name, suffix) && !(skip && ends_with(e->d_name, skip)))
			names[n++] = strdup(e->d_name);
	closedir(dp);
	qsort(names, n, sizeof(names[0]), name_cmp);
	for (size_t i = 0; i < n; i++) {
		char path[2048];
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		check_file(path, json);
		free(names[i]);
	}
}

int
main(int argc, char **argv)
{
	const char *root = argc > 1 ? argv[1] : getenv("AIVET_CORPUS");
	struct stat st;
	if (!root || stat(root, &st) != 0 || !S_ISDIR(st.st_mode)) {
		printf("corpus folder %s is absent: skipped\n", root ? root : "(none)");
		return 77;
	}
	char path[1024];
	size_t len;
	snprintf(path, sizeof(path), "%s/hf/hf-license-identifiers.tsv", root);
	hf_ids = slurp(path, &len);
	if (hf_ids) {
		/* A leading newline lets every row match "\nid\t". */
		char *t = malloc(len + 2);
		t[0] = '\n';
		memcpy(t + 1, hf_ids, len + 1);
		free(hf_ids);
		hf_ids = t;
	}
	snprintf(path, sizeof(path), "%s/spdx/license-list-data--json--licenses.json", root);
	spdx_ids = slurp(path, &len);

	check_dir(root, "modelcards", ".md", NULL, false);
	check_dir(root, "datasetcards", ".md", NULL, false);
	check_dir(root, "cyclonedx", ".json", ".schema.json", true);
	check_dir(root, "spdx", ".spdx3.json", NULL, true);
	free(hf_ids);
	free(spdx_ids);
	printf("%d files, %d failures\n", files, failures);
	return failures ? 1 : 0;
}
