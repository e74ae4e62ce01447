/*
 * test_import.c - format detection, the Hugging Face, CycloneDX and SPDX 3
 * importers, and model card normalisation, over tests/fixtures/.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "card.h"
#include "import.h"

static char *
slurp(const char *rel, size_t *len)
{
	const char *src = getenv("AIVET_SRCDIR");
	char path[1024];
	snprintf(path, sizeof(path), "%s/tests/fixtures/%s", src ? src : ".", rel);
	FILE *f = fopen(path, "rb");
	ck_assert_msg(f != NULL, "cannot open %s", path);
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	rewind(f);
	char *b = malloc((size_t)n + 1);
	ck_assert_ptr_nonnull(b);
	ck_assert_uint_eq(fread(b, 1, (size_t)n, f), (size_t)n);
	b[n] = '\0';
	fclose(f);
	*len = (size_t)n;
	return b;
}

/* Imports a fixture; returns the code, the document in *out, the
 * diagnostics in d (initialised here). */
static int
import_fixture(const char *rel, av_doc **out, av_diags *d)
{
	size_t len;
	char *b = slurp(rel, &len);
	av_diags_init(d);
	int rc = av_import(out, b, len, AV_INPUT_UNKNOWN, rel, d);
	free(b);
	return rc;
}

static const char *
str_at(av_doc *doc, const char *path)
{
	const av_node *n = av_node_at(av_doc_root(doc), path);
	return n && n->type == AV_STR ? n->str : NULL;
}

static bool
bool_at(av_doc *doc, const char *path)
{
	const av_node *n = av_node_at(av_doc_root(doc), path);
	ck_assert_msg(n && n->type == AV_BOOL, "%s is not a boolean", path);
	return n->b;
}

static bool
diag_has(const av_diags *d, int code, const char *text)
{
	for (size_t i = 0; i < d->n; i++)
		if (d->v[i].code == code && strstr(d->v[i].msg, text))
			return true;
	return false;
}

static void
normalise(av_doc *doc)
{
	av_node *mc = (av_node *)av_map_get(av_doc_root(doc), "model_card");
	ck_assert_ptr_nonnull(mc);
	av_error err;
	av_error_clear(&err);
	ck_assert_int_eq(av_card_normalise(doc, mc, &err), 0);
}

/* ---- detection ---- */

START_TEST(detects_each_format_by_content)
{
	ck_assert_int_eq(av_input_detect("---\nlicense: mit\n---\n# x\n", 25, NULL), AV_INPUT_HF);
	ck_assert_int_eq(av_input_detect("# Title\ntext\n", 13, NULL), AV_INPUT_HF);
	ck_assert_int_eq(av_input_detect("plain words", 11, "README.md"), AV_INPUT_HF);
	ck_assert_int_eq(av_input_detect("plain words", 11, "notes.txt"), AV_INPUT_UNKNOWN);
	const char *cdx = "{\"bomFormat\": \"CycloneDX\", \"specVersion\": \"1.6\"}";
	ck_assert_int_eq(av_input_detect(cdx, strlen(cdx), NULL), AV_INPUT_CYCLONEDX);
	const char *spdx = "{\"@context\": \"https://spdx.org/rdf/3.0.1/spdx-context.jsonld\", "
			   "\"@graph\": []}";
	ck_assert_int_eq(av_input_detect(spdx, strlen(spdx), NULL), AV_INPUT_SPDX);
	const char *y = "---\napiVersion: aivet/v1\nkind: model\n";
	ck_assert_int_eq(av_input_detect(y, strlen(y), "c.yaml"), AV_INPUT_AIVET);
	const char *j = "{\"apiVersion\": \"aivet/v1\"}";
	ck_assert_int_eq(av_input_detect(j, strlen(j), NULL), AV_INPUT_AIVET);
	ck_assert_int_eq(av_input_detect("\0\x01\x02", 3, "x.md"), AV_INPUT_UNKNOWN);
	ck_assert_int_eq(av_input_detect("   \n", 4, NULL), AV_INPUT_UNKNOWN);
	ck_assert_int_eq(av_input_parse("cyclonedx"), AV_INPUT_CYCLONEDX);
	ck_assert_int_eq(av_input_parse("hf"), AV_INPUT_HF);
	ck_assert_int_eq(av_input_parse("yaml"), AV_INPUT_UNKNOWN);
	ck_assert_str_eq(av_input_name(AV_INPUT_SPDX), "spdx");
}
END_TEST

/* ---- Hugging Face ---- */

START_TEST(hf_model_card_maps_metadata_licenses_and_results)
{
	av_doc *doc = NULL;
	av_diags d;
	ck_assert_int_eq(import_fixture("cards/quill.md", &doc, &d), 0);
	ck_assert_str_eq(str_at(doc, "apiVersion"), "aivet/v1");
	ck_assert_str_eq(str_at(doc, "kind"), "model");
	ck_assert_str_eq(str_at(doc, "name"), "quill-7b");
	ck_assert_str_eq(str_at(doc, "version"), "unknown");
	ck_assert(diag_has(&d, AV_OK, "version set to \"unknown\""));
	ck_assert_str_eq(str_at(doc, "licenses.weights"), "apache-2.0");
	ck_assert_str_eq(str_at(doc, "licenses.code"), "apache-2.0");
	ck_assert_ptr_null(str_at(doc, "licenses.data"));
	const av_node *acc = av_node_at(av_doc_root(doc), "evaluation.metrics.accuracy");
	ck_assert(acc && acc->type == AV_FLOAT && acc->d > 0.81 && acc->d < 0.83);
	ck_assert(diag_has(&d, AV_OK, "model-index has 2 evaluation result(s)"));
	/* Every published result is kept, marked as the publisher's. */
	const av_node *res = av_node_at(av_doc_root(doc), "evaluation.results");
	ck_assert(res && res->type == AV_SEQ && res->count == 2);
	ck_assert_str_eq(str_at(doc, "evaluation.results.0.source"), "model-index");
	ck_assert_ptr_nonnull(str_at(doc, "evaluation.results.0.metric"));
	/* The whole card is the card text; its front matter facts reach
	 * model_card.metadata when the card is normalised. */
	const char *text = str_at(doc, "model_card.text");
	ck_assert(text && strncmp(text, "---\nlicense: apache-2.0\n", 24) == 0);
	ck_assert_ptr_null(av_node_at(av_doc_root(doc), "model_card.metadata"));
	normalise(doc);
	ck_assert_str_eq(str_at(doc, "model_card.metadata.base_model"), "example-org/quill-base");
	ck_assert_str_eq(str_at(doc, "model_card.metadata.datasets.0"), "example-org/support-threads");
	ck_assert_str_eq(str_at(doc, "model_card.metadata.language.1"), "fr");
	ck_assert_str_eq(str_at(doc, "model_card.metadata.pipeline_tag"), "text-generation");
	ck_assert_str_eq(str_at(doc, "model_card.metadata.library_name"), "transformers");
	/* Nothing the card cannot tell is made up. */
	ck_assert_ptr_null(av_node_at(av_doc_root(doc), "use"));
	ck_assert_ptr_null(av_node_at(av_doc_root(doc), "publisher"));
	av_doc_destroy(doc);
	av_diags_fini(&d);
}
END_TEST

START_TEST(hf_sections_present_absent_and_placeholders)
{
	av_doc *doc = NULL;
	av_diags d;
	ck_assert_int_eq(import_fixture("cards/quill.md", &doc, &d), 0);
	normalise(doc);
	ck_assert(bool_at(doc, "model_card.sections.intended_use.present"));
	ck_assert(bool_at(doc, "model_card.sections.intended_use.content"));
	ck_assert_str_eq(str_at(doc, "model_card.sections.intended_use.heading"), "Uses");
	ck_assert(bool_at(doc, "model_card.sections.out_of_scope.present"));
	ck_assert(!bool_at(doc, "model_card.sections.out_of_scope.content"));
	ck_assert(bool_at(doc, "model_card.sections.risks.present"));
	ck_assert(!bool_at(doc, "model_card.sections.risks.content"));
	ck_assert(bool_at(doc, "model_card.sections.training_data.content"));
	ck_assert(bool_at(doc, "model_card.sections.training_procedure.present"));
	ck_assert(bool_at(doc, "model_card.sections.evaluation.content"));
	ck_assert(!bool_at(doc, "model_card.sections.safety_testing.present"));
	ck_assert(!bool_at(doc, "model_card.sections.environmental_impact.present"));
	ck_assert_ptr_null(str_at(doc, "model_card.sections.languages.heading"));
	/* Normalising twice changes nothing. */
	size_t l1, l2;
	char *a = av_node_to_json(av_doc_root(doc), &l1);
	normalise(doc);
	char *b = av_node_to_json(av_doc_root(doc), &l2);
	ck_assert_str_eq(a, b);
	free(a);
	free(b);
	av_doc_destroy(doc);
	av_diags_fini(&d);
}
END_TEST

START_TEST(hf_custom_license_keeps_name_and_link)
{
	av_doc *doc = NULL;
	av_diags d;
	ck_assert_int_eq(import_fixture("cards/custom-license.md", &doc, &d), 0);
	ck_assert_str_eq(str_at(doc, "name"), "example-org/orca-mini");
	ck_assert_str_eq(str_at(doc, "licenses.weights.id"), "other");
	ck_assert_str_eq(str_at(doc, "licenses.weights.name"), "example-community-license");
	ck_assert_str_eq(str_at(doc, "licenses.weights.link"), "LICENSE.md");
	av_doc_destroy(doc);
	av_diags_fini(&d);
}
END_TEST

START_TEST(hf_dataset_card_joins_license_list)
{
	av_doc *doc = NULL;
	av_diags d;
	ck_assert_int_eq(import_fixture("cards/dataset.md", &doc, &d), 0);
	ck_assert_str_eq(str_at(doc, "kind"), "dataset");
	ck_assert_str_eq(str_at(doc, "licenses.data"), "cc-by-sa-3.0 AND gfdl");
	ck_assert_ptr_null(str_at(doc, "licenses.weights"));
	normalise(doc);
	ck_assert(bool_at(doc, "model_card.sections.languages.content"));
	ck_assert(bool_at(doc, "model_card.sections.bias.present"));
	ck_assert(!bool_at(doc, "model_card.sections.bias.content"));
	av_doc_destroy(doc);
	av_diags_fini(&d);
}
END_TEST

START_TEST(hf_card_without_front_matter_is_named_from_file_with_a_note)
{
	av_doc *doc = NULL;
	av_diags d;
	ck_assert_int_eq(import_fixture("cards/no-front-matter.md", &doc, &d), 0);
	ck_assert(diag_has(&d, AV_OK, "no YAML front matter"));
	ck_assert_str_eq(str_at(doc, "name"), "no-front-matter");
	ck_assert_ptr_null(av_node_at(av_doc_root(doc), "licenses"));
	normalise(doc);
	ck_assert(bool_at(doc, "model_card.sections.limitations.content"));
	av_doc_destroy(doc);
	av_diags_fini(&d);
}
END_TEST

START_TEST(hf_broken_front_matter_names_the_card_line)
{
	av_doc *doc = (av_doc *)1;
	av_diags d;
	ck_assert_int_eq(import_fixture("cards/bad-front-matter.md", &doc, &d), AV_EPARSE);
	ck_assert_ptr_null(doc);
	ck_assert_uint_ge(d.n, 1);
	av_error *e = &d.v[d.n - 1];
	ck_assert_str_eq(e->file, "cards/bad-front-matter.md");
	/* The YAML starts on line 2 of the card: the error is on line 3 or 4
	 * of the card (where the parser notices), never on a YAML-relative line. */
	ck_assert_int_ge(e->line, 3);
	ck_assert_int_le(e->line, 4);
	ck_assert_int_gt(e->column, 0);
	ck_assert_ptr_nonnull(strstr(e->msg, "front matter"));
	av_diags_fini(&d);

	ck_assert_int_eq(import_fixture("cards/unclosed-front-matter.md", &doc, &d), AV_EPARSE);
	ck_assert(diag_has(&d, AV_EPARSE, "never closed"));
	ck_assert_int_eq(d.v[0].line, 1);
	av_diags_fini(&d);
}
END_TEST

/* ---- CycloneDX ---- */

START_TEST(cdx_imports_the_first_model_and_says_so)
{
	av_doc *doc = NULL;
	av_diags d;
	ck_assert_int_eq(import_fixture("boms/model.cdx.json", &doc, &d), 0);
	ck_assert(diag_has(&d, AV_OK, "\"router-classifier\""));
	ck_assert(diag_has(&d, AV_OK, "first of several"));
	ck_assert_str_eq(str_at(doc, "name"), "example-org/router-classifier");
	ck_assert_str_eq(str_at(doc, "version"), "1.2.0");
	ck_assert_str_eq(str_at(doc, "publisher"), "Example Org");
	ck_assert_str_eq(str_at(doc, "licenses.weights"), "Apache-2.0");
	ck_assert_str_eq(str_at(doc, "source.repository"), "https://github.com/example-org/router");
	ck_assert_str_eq(str_at(doc, "source.hub"), "huggingface");
	ck_assert_str_eq(str_at(doc, "artifacts.0.sha256"),
	    "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08");
	ck_assert(diag_has(&d, AV_OK, "data component \"ticket-archive\""));
	ck_assert(diag_has(&d, AV_OK, "2 performance metric(s)"));
	ck_assert_str_eq(str_at(doc, "dependencies.0.name"), "torch");
	ck_assert_str_eq(str_at(doc, "dependencies.0.ecosystem"), "pypi");
	ck_assert_str_eq(str_at(doc, "dependencies.0.license"), "BSD-3-Clause");
	ck_assert_ptr_null(av_node_at(av_doc_root(doc), "dependencies.1"));
	const av_node *acc = av_node_at(av_doc_root(doc), "evaluation.metrics.accuracy");
	ck_assert(acc && acc->d > 0.92 && acc->d < 0.94);
	ck_assert_ptr_nonnull(strstr(str_at(doc, "model_card.sections.risks"), "automation bias"));
	normalise(doc);
	ck_assert(bool_at(doc, "model_card.sections.intended_use.content"));
	ck_assert(bool_at(doc, "model_card.sections.bias.content"));
	ck_assert(!bool_at(doc, "model_card.sections.out_of_scope.present"));
	av_doc_destroy(doc);
	av_diags_fini(&d);
}
END_TEST

START_TEST(cdx_without_components_or_models_is_a_clear_error)
{
	av_doc *doc = (av_doc *)1;
	av_diags d;
	ck_assert_int_eq(import_fixture("boms/empty.cdx.json", &doc, &d), AV_ESCHEMA);
	ck_assert_ptr_null(doc);
	ck_assert(diag_has(&d, AV_ESCHEMA, "no components"));
	av_diags_fini(&d);
	ck_assert_int_eq(import_fixture("boms/no-model.cdx.json", &doc, &d), AV_ESCHEMA);
	ck_assert(diag_has(&d, AV_ESCHEMA, "no machine-learning-model or data component"));
	av_diags_fini(&d);
	ck_assert_int_eq(import_fixture("boms/broken.cdx.json", &doc, &d), AV_EPARSE);
	ck_assert_int_eq(d.v[0].line, 5);
	av_diags_fini(&d);
}
END_TEST

/* ---- SPDX 3 ---- */

START_TEST(spdx_ai_package_fields)
{
	av_doc *doc = NULL;
	av_diags d;
	ck_assert_int_eq(import_fixture("boms/model.spdx3.json", &doc, &d), 0);
	ck_assert_str_eq(str_at(doc, "kind"), "model");
	ck_assert_str_eq(str_at(doc, "name"), "leaf-counter");
	ck_assert_str_eq(str_at(doc, "version"), "3.1");
	ck_assert_str_eq(str_at(doc, "publisher"), "Example Lab");
	/* Declared wins over concluded. */
	ck_assert_str_eq(str_at(doc, "licenses.weights"), "Apache-2.0 OR MIT");
	ck_assert(!bool_at(doc, "data_handling.personal_data"));
	ck_assert_str_eq(str_at(doc, "model_card.sections.domains"), "agriculture");
	ck_assert_ptr_nonnull(strstr(str_at(doc, "model_card.sections.safety_testing"), "low"));
	const av_node *acc = av_node_at(av_doc_root(doc), "evaluation.metrics.accuracy");
	ck_assert(acc && acc->d > 0.90 && acc->d < 0.92);
	ck_assert_str_eq(str_at(doc, "artifacts.0.sha256"),
	    "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824");
	normalise(doc);
	ck_assert(bool_at(doc, "model_card.sections.domains.content"));
	ck_assert(bool_at(doc, "model_card.sections.limitations.content"));
	av_doc_destroy(doc);
	av_diags_fini(&d);
}
END_TEST

START_TEST(spdx_dataset_package_and_missing_package)
{
	av_doc *doc = NULL;
	av_diags d;
	ck_assert_int_eq(import_fixture("boms/dataset.spdx3.json", &doc, &d), 0);
	ck_assert_str_eq(str_at(doc, "kind"), "dataset");
	ck_assert_str_eq(str_at(doc, "licenses.data"), "CC-BY-4.0");
	ck_assert(bool_at(doc, "data_handling.personal_data"));
	ck_assert(diag_has(&d, AV_OK, "no packageVersion"));
	av_doc_destroy(doc);
	av_diags_fini(&d);
	ck_assert_int_eq(import_fixture("boms/no-package.spdx3.json", &doc, &d), AV_ESCHEMA);
	ck_assert(diag_has(&d, AV_ESCHEMA, "no AIPackage or DatasetPackage"));
	av_diags_fini(&d);
}
END_TEST

/* ---- card normalisation ---- */

START_TEST(card_inline_sections_become_the_normal_form)
{
	av_doc *doc = av_doc_create("inline");
	av_node *mc = av_node_new(doc, AV_MAP);
	av_doc_set_root(doc, mc);
	av_node *s = av_node_new(doc, AV_MAP);
	av_map_set(doc, mc, "sections", s);
	av_map_set(doc, s, "intended_use", av_node_new_cstr(doc, "Internal search over policy documents."));
	av_map_set(doc, s, "Out-of-scope use", av_node_new_cstr(doc, "TBD"));
	av_error err;
	av_error_clear(&err);
	ck_assert_int_eq(av_card_normalise(doc, mc, &err), 0);
	ck_assert(bool_at(doc, "sections.intended_use.content"));
	ck_assert(bool_at(doc, "sections.out_of_scope.present"));
	ck_assert(!bool_at(doc, "sections.out_of_scope.content"));
	ck_assert(!bool_at(doc, "sections.evaluation.present"));
	ck_assert_ptr_null(av_map_get(av_map_get(mc, "sections"), "Out-of-scope use"));
	av_doc_destroy(doc);
}
END_TEST

START_TEST(card_text_with_front_matter_fills_metadata_and_reports_lines)
{
	av_doc *doc = av_doc_create("t");
	av_node *mc = av_node_new(doc, AV_MAP);
	av_doc_set_root(doc, mc);
	av_map_set(doc, mc, "text",
	    av_node_new_cstr(doc, "---\nlicense: mit\nlibrary_name: onnx\n---\n## Limitations\n"
				  "Fails on blurry images at night.\n"));
	av_error err;
	av_error_clear(&err);
	ck_assert_int_eq(av_card_normalise(doc, mc, &err), 0);
	ck_assert_str_eq(str_at(doc, "metadata.license"), "mit");
	ck_assert_str_eq(str_at(doc, "metadata.library_name"), "onnx");
	ck_assert(bool_at(doc, "sections.limitations.content"));
	av_doc_destroy(doc);

	doc = av_doc_create("t");
	mc = av_node_new(doc, AV_MAP);
	av_doc_set_root(doc, mc);
	av_map_set(doc, mc, "path", av_node_new_cstr(doc, "card.md"));
	av_map_set(doc, mc, "text", av_node_new_cstr(doc, "---\nlicense: mit\n  bad: [\n---\n# x\n"));
	ck_assert_int_eq(av_card_normalise(doc, mc, &err), AV_EPARSE);
	ck_assert_str_eq(err.file, "card.md");
	ck_assert_int_ge(err.line, 2);
	av_doc_destroy(doc);
}
END_TEST

START_TEST(card_without_text_or_sections_is_left_alone)
{
	av_doc *doc = av_doc_create("t");
	av_node *mc = av_node_new(doc, AV_MAP);
	av_doc_set_root(doc, mc);
	av_map_set(doc, mc, "url", av_node_new_cstr(doc, "https://example.org/card"));
	av_error err;
	ck_assert_int_eq(av_card_normalise(doc, mc, &err), 0);
	ck_assert_uint_eq(mc->count, 1);
	ck_assert_int_eq(av_card_normalise(doc, av_node_new(doc, AV_SEQ), &err), AV_EINVAL);
	av_doc_destroy(doc);
}
END_TEST

/* ---- limits and junk ---- */

START_TEST(huge_and_binary_input_are_refused_clearly)
{
	av_doc *doc = (av_doc *)1;
	av_diags d;
	av_diags_init(&d);
	size_t len = AV_IMPORT_MAX_BYTES + 1;
	char *big = malloc(len);
	ck_assert_ptr_nonnull(big);
	memset(big, 'a', len);
	ck_assert_int_eq(av_import(&doc, big, len, AV_INPUT_HF, "big.md", &d), AV_ELIMIT);
	ck_assert_ptr_null(doc);
	ck_assert(diag_has(&d, AV_ELIMIT, "over the import limit"));
	free(big);
	av_diags_fini(&d);

	av_diags_init(&d);
	const char junk[] = "\x7f" "ELF\x02\x01\x01\x00\x00\x00";
	ck_assert_int_eq(av_import(&doc, junk, sizeof(junk) - 1, AV_INPUT_UNKNOWN, "x.md", &d),
	    AV_EPARSE);
	ck_assert(diag_has(&d, AV_EPARSE, "binary"));
	av_diags_fini(&d);

	av_diags_init(&d);
	const char bad[] = "# Title\nok line\nbad \xC3\x28 byte\n";
	ck_assert_int_eq(av_import(&doc, bad, sizeof(bad) - 1, AV_INPUT_HF, "u.md", &d), AV_EPARSE);
	ck_assert_int_eq(d.v[0].line, 3);
	ck_assert_int_eq(d.v[0].column, 5);
	av_diags_fini(&d);

	av_diags_init(&d);
	ck_assert_int_eq(av_import(&doc, "just words", 10, AV_INPUT_UNKNOWN, "x.txt", &d), AV_EPARSE);
	ck_assert(diag_has(&d, AV_EPARSE, "not a recognised document"));
	av_diags_fini(&d);
}
END_TEST

START_TEST(json_surrogate_pairs_are_read)
{
	const char *bom = "{\"bomFormat\": \"CycloneDX\", \"specVersion\": \"1.6\", \"components\": "
			  "[{\"type\": \"machine-learning-model\", \"name\": \"hug\", \"version\": \"1\", "
			  "\"description\": \"a \\uD83E\\uDD17 face and a \\\\uD83E literal\"}]}";
	av_doc *doc = NULL;
	av_diags d;
	av_diags_init(&d);
	ck_assert_int_eq(av_import(&doc, bom, strlen(bom), AV_INPUT_UNKNOWN, "s.json", &d), 0);
	ck_assert_str_eq(str_at(doc, "description"), "a \xF0\x9F\xA4\x97 face and a \\uD83E literal");
	av_doc_destroy(doc);
	av_diags_fini(&d);
}
END_TEST

static Suite *
import_suite(void)
{
	Suite *s = suite_create("import");
	TCase *core = tcase_create("core");
	tcase_add_test(core, detects_each_format_by_content);
	tcase_add_test(core, hf_model_card_maps_metadata_licenses_and_results);
	tcase_add_test(core, hf_sections_present_absent_and_placeholders);
	tcase_add_test(core, hf_custom_license_keeps_name_and_link);
	tcase_add_test(core, hf_dataset_card_joins_license_list);
	tcase_add_test(core, hf_card_without_front_matter_is_named_from_file_with_a_note);
	tcase_add_test(core, cdx_imports_the_first_model_and_says_so);
	tcase_add_test(core, spdx_ai_package_fields);
	tcase_add_test(core, spdx_dataset_package_and_missing_package);
	tcase_add_test(core, json_surrogate_pairs_are_read);
	suite_add_tcase(s, core);
	TCase *card = tcase_create("card");
	tcase_add_test(card, card_inline_sections_become_the_normal_form);
	tcase_add_test(card, card_text_with_front_matter_fills_metadata_and_reports_lines);
	tcase_add_test(card, card_without_text_or_sections_is_left_alone);
	suite_add_tcase(s, card);
	TCase *errors = tcase_create("errors");
	tcase_add_test(errors, hf_broken_front_matter_names_the_card_line);
	tcase_add_test(errors, cdx_without_components_or_models_is_a_clear_error);
	suite_add_tcase(s, errors);
	TCase *limits = tcase_create("limits");
	tcase_add_test(limits, huge_and_binary_input_are_refused_clearly);
	suite_add_tcase(s, limits);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(import_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
