/*
 * test_manifest.c - the aivet/v1 schema: a full manifest passes, each kind
 * of problem is found at its line and column, normalisation, the digest.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "manifest.h"

static char *
slurp(const char *name, size_t *len)
{
	char path[1024];
	const char *src = getenv("AIVET_SRCDIR");

	snprintf(path, sizeof(path), "%s/tests/fixtures/manifests/%s", src ? src : ".", name);
	FILE *f = fopen(path, "rb");
	ck_assert_msg(f != NULL, "cannot open %s", path);
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	fseek(f, 0, SEEK_SET);
	char *buf = malloc((size_t)n + 1);
	ck_assert_uint_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = '\0';
	fclose(f);
	*len = (size_t)n;
	return buf;
}

static av_doc *
load(const char *name)
{
	size_t len;
	char *buf = slurp(name, &len);
	av_doc *d = NULL;
	av_error e;

	int rc = av_doc_parse(&d, buf, len, AV_FMT_AUTO, name, NULL, &e);
	ck_assert_msg(rc == 0, "%s:%d:%d: %s", name, e.line, e.column, e.msg);
	free(buf);
	return d;
}

static av_doc *
parse(const char *text)
{
	av_doc *d = NULL;
	av_error e;

	int rc = av_doc_parse(&d, text, strlen(text), AV_FMT_AUTO, "m.yaml", NULL, &e);
	ck_assert_msg(rc == 0, "%d:%d: %s", e.line, e.column, e.msg);
	return d;
}

START_TEST(full_manifest_is_valid)
{
	av_doc *d = load("full.aivet.yaml");
	av_diags dg;
	av_error e;

	av_diags_init(&dg);
	int n = av_manifest_validate(av_doc_root(d), "full.aivet.yaml", &dg);
	for (size_t i = 0; i < dg.n; i++)
		fprintf(stderr, "%d:%d: %s\n", dg.v[i].line, dg.v[i].column, dg.v[i].msg);
	ck_assert_int_eq(n, 0);
	ck_assert_uint_eq(dg.n, 0);
	ck_assert_int_eq(av_manifest_check(av_doc_root(d), "full.aivet.yaml", &e), 0);
	av_diags_fini(&dg);
	av_doc_destroy(d);

	d = load("minimal.aivet.json");
	ck_assert_int_eq(av_manifest_check(av_doc_root(d), "minimal.aivet.json", &e), 0);
	av_doc_destroy(d);
}
END_TEST

struct want {
	int line, column;
	const char *text;
};

START_TEST(every_problem_reported_in_place)
{
	static const struct want want[] = {
		{2, 7, "kind: \"modle\" is not one of: model, weights, dataset, code, tooling, system"},
		{3, 7, "name: character ' ' is not allowed"},
		{4, 12, "publisher: expected string, got integer 12 (put it in quotes"},
		{5, 1, "licences: unknown key (did you mean \"licenses\"?)"},
		{8, 12, "licenses.weights: expected license (string or map), got integer 3"},
		{9, 9, "licenses.data: a license map needs an id or a name"},
		{11, 15, "use.commercial: expected boolean, got string yes (write true or false)"},
		{12, 13, "use.audience: \"everyone\" is not one of: internal, public"},
		{13, 10, "use.users: must not be negative"},
		{16, 13, "artifacts[0].sha256: \"abc123\" is not a sha256"},
		{20, 19, "dependencies[0].last_release: \"2024-13-01\" is not a date"},
		{19, 5, "dependencies[0].name: required key is missing"},
		{23, 11, "data_handling.retention.logs: \"forever\" is not a duration"},
		{25, 12, "operations.logging: an empty string is not a control"},
		{26, 15, "operations.monitoring: expected control (boolean or string), got integer"},
		{1, 1, "version: required key is missing"},
	};
	size_t nwant = sizeof(want) / sizeof(want[0]);
	av_doc *d = load("bad.aivet.yaml");
	av_diags dg;

	av_diags_init(&dg);
	int n = av_manifest_validate(av_doc_root(d), "bad.aivet.yaml", &dg);
	for (size_t i = 0; i < dg.n; i++)
		fprintf(stderr, "%d:%d: %s\n", dg.v[i].line, dg.v[i].column, dg.v[i].msg);
	ck_assert_int_eq(n, (int)nwant);
	ck_assert_uint_eq(dg.n, nwant);
	for (size_t i = 0; i < nwant; i++) {
		const av_error *e = &dg.v[i];
		ck_assert_msg(strstr(e->msg, want[i].text) != NULL, "#%zu: '%s' lacks '%s'", i,
		    e->msg, want[i].text);
		ck_assert_msg(e->line == want[i].line && e->column == want[i].column,
		    "#%zu '%s' at %d:%d, want %d:%d", i, e->msg, e->line, e->column, want[i].line,
		    want[i].column);
		ck_assert_int_eq(e->code, AV_ESCHEMA);
		ck_assert_str_eq(e->file, "bad.aivet.yaml");
	}

	/* check stops at the first. */
	av_error e;
	ck_assert_int_eq(av_manifest_check(av_doc_root(d), "bad.aivet.yaml", &e), AV_ESCHEMA);
	ck_assert_int_eq(e.line, 2);
	ck_assert_ptr_nonnull(strstr(e.msg, "kind"));
	ck_assert_int_eq(av_manifest_check(av_doc_root(d), "bad.aivet.yaml", NULL), AV_ESCHEMA);
	av_diags_fini(&dg);
	av_doc_destroy(d);
}
END_TEST

static void
expect_one(const char *text, int line, int column, const char *msg)
{
	av_doc *d = parse(text);
	av_diags dg;

	av_diags_init(&dg);
	int n = av_manifest_validate(av_doc_root(d), "m.yaml", &dg);
	ck_assert_msg(n == 1, "%d problems for:\n%s\nfirst: %s", n, text, n ? dg.v[0].msg : "");
	ck_assert_msg(strstr(dg.v[0].msg, msg) != NULL, "'%s' lacks '%s'", dg.v[0].msg, msg);
	ck_assert_int_eq(dg.v[0].line, line);
	ck_assert_int_eq(dg.v[0].column, column);
	av_diags_fini(&dg);
	av_doc_destroy(d);
}

#define HEAD "apiVersion: aivet/v1\nkind: model\nname: m\nversion: '1'\n"

START_TEST(did_you_mean)
{
	expect_one(HEAD "use:\n  comercial: true\n", 6, 3,
	    "use.comercial: unknown key (did you mean \"commercial\"?)");
	expect_one(HEAD "lic: {}\n", 5, 1, "did you mean \"licenses\"");
	expect_one(HEAD "operations:\n  rate_limit: true\n", 6, 3, "did you mean \"rate_limits\"");
	expect_one(HEAD "zzzzzz: 1\n", 5, 1, "zzzzzz: unknown key");
	expect_one(HEAD "Kind: model\n", 5, 1, "did you mean \"kind\"");
}
END_TEST

START_TEST(version_number_hint_and_types)
{
	expect_one("apiVersion: aivet/v1\nkind: model\nname: m\nversion: 1.0\n", 4, 10,
	    "version: expected string, got float 1.0 (put it in quotes");
	expect_one(HEAD "artifacts: {}\n", 5, 12, "artifacts: expected list, got map");
	expect_one(HEAD "evaluation:\n  metrics: {accuracy: high}\n", 6, 23,
	    "evaluation.metrics.accuracy: expected number, got string high");
	expect_one(HEAD "evaluation:\n  test_sets:\n    - covers: [edge_cases, vibes]\n", 7, 28,
	    "evaluation.test_sets[0].covers[1]: \"vibes\" is not one of");
	expect_one(HEAD "name2: x\n", 5, 1, "unknown key");
}
END_TEST

START_TEST(api_version_and_root)
{
	av_doc *d = load("wrong-api.aivet.yaml");
	av_diags dg;

	av_diags_init(&dg);
	ck_assert_int_eq(av_manifest_validate(av_doc_root(d), "w.yaml", &dg), 1);
	ck_assert_ptr_nonnull(strstr(dg.v[0].msg, "\"aivet/v2\" is not supported"));
	ck_assert_int_eq(dg.v[0].line, 1);
	ck_assert_int_eq(dg.v[0].column, 13);
	av_diags_fini(&dg);
	av_doc_destroy(d);

	expect_one("kind: model\nname: m\nversion: x\n", 1, 1, "apiVersion: required key is missing");
	expect_one("- a\n- b\n", 1, 1, "a manifest must be a map, got sequence");
	expect_one("", 1, 1, "a manifest must be a map, got null");
	expect_one("apiVersion: aivet/v1\nname: m\nversion: x\n", 1, 1,
	    "kind: required key is missing");
}
END_TEST

START_TEST(name_charset_and_length)
{
	char big[400];

	expect_one("apiVersion: aivet/v1\nkind: model\nname: ''\nversion: x\n", 3, 7,
	    "name: must be 1 to 200 characters");
	memset(big, 'a', sizeof(big));
	int n = snprintf(big, sizeof(big), "apiVersion: aivet/v1\nkind: model\nversion: x\nname: ");
	memset(big + n, 'a', 201);
	big[n + 201] = '\0';
	expect_one(big, 4, 7, "got 201");
	expect_one("apiVersion: aivet/v1\nkind: model\nname: a:b\nversion: x\n", 3, 7,
	    "character ':' is not allowed");
	av_doc *d = parse("apiVersion: aivet/v1\nkind: code\nname: Org/repo_name-1.2\nversion: x\n");
	ck_assert_int_eq(av_manifest_check(av_doc_root(d), "m", NULL), 0);
	av_doc_destroy(d);
}
END_TEST

START_TEST(normalise_licenses)
{
	av_doc *d = load("full.aivet.yaml");
	av_error e;
	const av_node *r = av_doc_root(d);

	ck_assert_int_eq(av_manifest_normalise(d, &e), 0);
	const av_node *code = av_node_at(r, "licenses.code");
	ck_assert_int_eq(code->type, AV_MAP);
	ck_assert_str_eq(av_map_str(code, "id"), "Apache-2.0");
	ck_assert_int_eq(code->line, 24);
	ck_assert_int_eq(code->column, 9);
	ck_assert_int_eq(code->key_line, 24);
	ck_assert_int_eq(code->key_column, 3);
	ck_assert_int_eq(av_map_get(code, "id")->line, 24);
	/* The map form is kept as it was, the order of keys too. */
	ck_assert_str_eq(av_node_at(r, "licenses.weights.name")->str, "Acme Model License 1.0");
	ck_assert_str_eq(av_node_at(r, "licenses.data.id")->str, "CC-BY-4.0 AND ODC-By-1.0");
	ck_assert_str_eq(av_node_at(r, "licenses")->first->key, "code");
	ck_assert_str_eq(av_node_at(r, "licenses")->last->key, "docs");
	ck_assert_uint_eq(av_node_at(r, "licenses")->count, 4);
	ck_assert_str_eq(av_node_at(r, "dependencies.0.license.id")->str, "BSD-3-Clause");
	ck_assert_str_eq(av_node_at(r, "dependencies.1.license.link")->str,
	    "https://www.apache.org/licenses/LICENSE-2.0");
	/* Other fields are untouched and the result is still valid. */
	ck_assert_str_eq(av_node_at(r, "dependencies.0.version")->str, "==2.1.0");
	ck_assert_int_eq(av_manifest_check(r, "full", &e), 0);
	/* Normalising twice changes nothing more. */
	char *j1 = av_node_to_json(r, NULL);
	ck_assert_int_eq(av_manifest_normalise(d, &e), 0);
	char *j2 = av_node_to_json(r, NULL);
	ck_assert_str_eq(j1, j2);
	ck_assert_ptr_nonnull(strstr(j1, "\"code\":{\"id\":\"Apache-2.0\"}"));
	free(j1);
	free(j2);
	av_doc_destroy(d);

	/* A wrong type is left for the validator. */
	d = parse(HEAD "licenses: {code: 3}\ndependencies: [x]\n");
	ck_assert_int_eq(av_manifest_normalise(d, &e), 0);
	ck_assert_int_eq(av_node_at(av_doc_root(d), "licenses.code")->type, AV_INT);
	av_doc_destroy(d);
	d = parse("[1]");
	ck_assert_int_eq(av_manifest_normalise(d, &e), 0);
	av_doc_destroy(d);
}
END_TEST

START_TEST(digest_same_for_yaml_and_json)
{
	av_doc *y = load("full.aivet.yaml"), *j = NULL, *other;
	char dy[65], dj[65], dz[65];
	av_error e;

	char *json = av_node_to_json(av_doc_root(y), NULL);
	ck_assert_int_eq(av_doc_parse(&j, json, strlen(json), AV_FMT_JSON, "j", NULL, &e), 0);
	av_manifest_digest(av_doc_root(y), dy);
	av_manifest_digest(av_doc_root(j), dj);
	ck_assert_uint_eq(strlen(dy), 64);
	ck_assert_str_eq(dy, dj);
	other = parse(HEAD);
	av_manifest_digest(av_doc_root(other), dz);
	ck_assert_str_ne(dy, dz);
	/* Comments and layout do not matter; values do. */
	av_doc *a = parse("a: 1\nb: [x, y]\n"), *b = parse("# c\na:   1\nb:\n  - x\n  - y\n");
	av_manifest_digest(av_doc_root(a), dy);
	av_manifest_digest(av_doc_root(b), dj);
	ck_assert_str_eq(dy, dj);
	free(json);
	av_doc_destroy(a);
	av_doc_destroy(b);
	av_doc_destroy(y);
	av_doc_destroy(j);
	av_doc_destroy(other);
}
END_TEST

/* The complete example in docs/manifest.md is valid: the page and the
 * table in manifest.c cannot drift apart unnoticed. */
START_TEST(docs_example_is_valid)
{
	char path[1024];
	const char *src = getenv("AIVET_SRCDIR");
	snprintf(path, sizeof(path), "%s/docs/manifest.md", src ? src : ".");
	FILE *f = fopen(path, "rb");
	ck_assert_msg(f != NULL, "cannot open %s", path);
	static char md[65536];
	size_t n = fread(md, 1, sizeof(md) - 1, f);
	fclose(f);
	md[n] = '\0';
	char *start = strstr(md, "## A complete example");
	ck_assert_ptr_nonnull(start);
	start = strstr(start, "```yaml\n");
	ck_assert_ptr_nonnull(start);
	start += 8;
	char *end = strstr(start, "```");
	ck_assert_ptr_nonnull(end);
	av_doc *d = NULL;
	av_error e;
	int rc = av_doc_parse(&d, start, (size_t)(end - start), AV_FMT_YAML, "docs", NULL, &e);
	ck_assert_msg(rc == 0, "%d:%d: %s", e.line, e.column, e.msg);
	rc = av_manifest_check(av_doc_root(d), "docs", &e);
	ck_assert_msg(rc == 0, "%d:%d: %s", e.line, e.column, e.msg);
	av_doc_destroy(d);
}
END_TEST

static Suite *
manifest_suite(void)
{
	Suite *s = suite_create("manifest");
	TCase *core = tcase_create("core");
	TCase *errors = tcase_create("errors");

	tcase_add_test(core, full_manifest_is_valid);
	tcase_add_test(core, normalise_licenses);
	tcase_add_test(core, digest_same_for_yaml_and_json);
	tcase_add_test(core, docs_example_is_valid);
	tcase_add_test(errors, every_problem_reported_in_place);
	tcase_add_test(errors, did_you_mean);
	tcase_add_test(errors, version_number_hint_and_types);
	tcase_add_test(errors, api_version_and_root);
	tcase_add_test(errors, name_charset_and_length);
	suite_add_tcase(s, core);
	suite_add_tcase(s, errors);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(manifest_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
