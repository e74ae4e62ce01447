/*
 * test_scan_deps.c - the dependency readers, one grammar each: PEP 508,
 * requirements files, setup.cfg, setup.py, pyproject.toml, Pipfile,
 * Pipfile.lock, poetry.lock, uv.lock, environment.yml; and the TOML reader
 * they stand on.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scan/deps.h"
#include "scan/toml.h"

struct got {
	av_deps deps;
	av_diags d;
	int rc;
};

static struct got
parse(av_depfile kind, const char *text)
{
	struct got g;
	av_deps_init(&g.deps);
	av_diags_init(&g.d);
	g.rc = av_deps_parse(&g.deps, kind, text, strlen(text), "f", &g.d);
	return g;
}

static void
done(struct got *g)
{
	av_deps_fini(&g->deps);
	av_diags_fini(&g->d);
}

static const av_dep *
dep(const struct got *g, const char *name)
{
	for (size_t i = 0; i < g->deps.n; i++)
		if (strcmp(g->deps.v[i].name, name) == 0)
			return &g->deps.v[i];
	ck_abort_msg("no dependency %s", name);
	return NULL;
}

static void
expect(const struct got *g, const char *name, const char *version, bool pinned, bool hashed,
    int line)
{
	const av_dep *d = dep(g, name);
	if (version == NULL)
		ck_assert_msg(d->version == NULL, "%s: version %s", name, d->version);
	else
		ck_assert_msg(d->version && strcmp(d->version, version) == 0, "%s: version %s, want %s",
		    name, d->version ? d->version : "(none)", version);
	ck_assert_msg(d->pinned == pinned, "%s: pinned %d", name, d->pinned);
	ck_assert_msg(d->hashed == hashed, "%s: hashed %d", name, d->hashed);
	ck_assert_msg(d->line == line, "%s: line %d, want %d", name, d->line, line);
}

static int
errors(const struct got *g)
{
	int n = 0;
	for (size_t i = 0; i < g->d.n; i++)
		n += g->d.v[i].code < 0;
	return n;
}

/* ---- PEP 508 ---- */

START_TEST(pep508_grammar)
{
	static const struct {
		const char *s, *name, *version;
		bool pinned;
	} ok[] = {
		{"torch", "torch", NULL, false},
		{"torch==2.1.0", "torch", "==2.1.0", true},
		{"torch == 2.1.0", "torch", "==2.1.0", true},
		{"torch==2.*", "torch", "==2.*", false},
		{"torch===2.1.0+cu118", "torch", "===2.1.0+cu118", true},
		{"numpy>=1.21,<2", "numpy", ">=1.21,<2", false},
		{"numpy (>=1.21, <2)", "numpy", ">=1.21,<2", false},
		{"requests[socks,security]~=2.31", "requests", "~=2.31", false},
		{"pywin32==306 ; sys_platform == 'win32'", "pywin32", "==306", true},
		{"pkg @ https://user:tok@example.com/pkg-1.0-py3-none-any.whl#sha256=abc", "pkg",
			"@ https://example.com/pkg-1.0-py3-none-any.whl#sha256=abc", true},
		{"lib @ git+https://github.com/o/lib@0123456789abcdef0123456789abcdef01234567", "lib",
			"@ git+https://github.com/o/lib@0123456789abcdef0123456789abcdef01234567", true},
		{"lib @ git+https://github.com/o/lib@main", "lib", "@ git+https://github.com/o/lib@main",
			false},
	};
	static const char *bad[] = {"", "==1.0", "-torch", "torch==", "torch >> 1", "torch[extra",
		"torch ; ", "torch 1.0", "torch.==1"};
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		av_deps d;
		av_deps_init(&d);
		ck_assert_msg(av_deps_pep508(&d, ok[i].s, strlen(ok[i].s), 1, false) == 0, "refused %s",
		    ok[i].s);
		ck_assert_str_eq(d.v[0].name, ok[i].name);
		if (ok[i].version)
			ck_assert_msg(d.v[0].version && strcmp(d.v[0].version, ok[i].version) == 0,
			    "%s: %s", ok[i].s, d.v[0].version);
		else
			ck_assert_ptr_null(d.v[0].version);
		ck_assert_msg(d.v[0].pinned == ok[i].pinned, "%s: pinned %d", ok[i].s, d.v[0].pinned);
		av_deps_fini(&d);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		av_deps d;
		av_deps_init(&d);
		ck_assert_msg(av_deps_pep508(&d, bad[i], strlen(bad[i]), 1, false) == AV_EPARSE,
		    "accepted %s", bad[i]);
		ck_assert_uint_eq(d.n, 0);
		av_deps_fini(&d);
	}
	char n[64];
	av_deps_normalise_name("Jinja2__Extra.Pkg", n, sizeof(n));
	ck_assert_str_eq(n, "jinja2-extra-pkg");
}
END_TEST

/* ---- requirements files ---- */

START_TEST(requirements_unpinned_pinned_and_hashed)
{
	struct got g = parse(AV_DEPFILE_REQUIREMENTS,
	    "# comment\n"
	    "--index-url https://pypi.org/simple\n"
	    "torch>=2.0   # at least\n"
	    "transformers==4.44.2 \\\n"
	    "    --hash=sha256:aaaa \\\n"
	    "    --hash=sha256:bbbb\n"
	    "numpy\n"
	    "-r other.txt\n"
	    "-e git+https://github.com/o/lib@0123456789abcdef0123456789abcdef01234567#egg=lib\n"
	    "-e .\n"
	    "https://example.com/wheels/tool-1.2-py3-none-any.whl\n"
	    "not a requirement!\n"
	    "--frobnicate\n"
	    "safetensors==0.4.2\n");
	ck_assert_int_eq(g.rc, 0);
	expect(&g, "torch", ">=2.0", false, false, 3);
	expect(&g, "transformers", "==4.44.2", true, true, 4);
	expect(&g, "numpy", NULL, false, false, 7);
	expect(&g, "lib", "@ git+https://github.com/o/lib@0123456789abcdef0123456789abcdef01234567"
	    "#egg=lib", true, false, 9);
	expect(&g, "tool", "@ https://example.com/wheels/tool-1.2-py3-none-any.whl", false, false, 11);
	expect(&g, "safetensors", "==0.4.2", true, false, 14);
	ck_assert_uint_eq(g.deps.n, 6);
	ck_assert_int_eq(errors(&g), 2); /* line 12 and the unknown option of line 13 */
	done(&g);
}
END_TEST

START_TEST(setup_cfg_lists)
{
	struct got g = parse(AV_DEPFILE_SETUP_CFG,
	    "[metadata]\nname = x\n\n"
	    "[options]\n"
	    "install_requires =\n"
	    "    requests>=2\n"
	    "    # a comment\n"
	    "    torch==2.1.0\n"
	    "python_requires = >=3.8\n"
	    "[options.extras_require]\n"
	    "dev = pytest==8.0.0\n");
	ck_assert_int_eq(g.rc, 0);
	expect(&g, "requests", ">=2", false, false, 6);
	expect(&g, "torch", "==2.1.0", true, false, 8);
	expect(&g, "pytest", "==8.0.0", true, false, 11);
	ck_assert_uint_eq(g.deps.n, 3);
	done(&g);
}
END_TEST

START_TEST(setup_py_is_read_statically)
{
	struct got g = parse(AV_DEPFILE_SETUP_PY,
	    "from setuptools import setup\n"
	    "REQS = [\n"
	    "    'requests>=2',  # http\n"
	    "    \"torch==2.1.0\",\n"
	    "]\n"
	    "setup(\n"
	    "    name='x',\n"
	    "    install_requires=REQS,\n"
	    "    extras_require={'dev': ['pytest==8.0.0', get_more()]},\n"
	    "    tests_require=read_requirements('t.txt'),\n"
	    ")\n");
	ck_assert_int_eq(g.rc, 0);
	expect(&g, "requests", ">=2", false, false, 3);
	expect(&g, "torch", "==2.1.0", true, false, 4);
	expect(&g, "pytest", "==8.0.0", true, false, 9);
	ck_assert_uint_eq(g.deps.n, 3);
	/* the computed parts are said to be unread, not guessed */
	int notes = 0;
	for (size_t i = 0; i < g.d.n; i++)
		notes += g.d.v[i].code == AV_OK && strstr(g.d.v[i].msg, "computed") != NULL;
	ck_assert_int_eq(notes, 2);
	done(&g);
}
END_TEST

/* ---- TOML-based files ---- */

START_TEST(pyproject_pep621_groups_and_poetry)
{
	struct got g = parse(AV_DEPFILE_PYPROJECT,
	    "[build-system]\nrequires = [\"setuptools>=61\"]\n\n"
	    "[project]\n"
	    "name = \"x\"\n"
	    "dependencies = [\n"
	    "  \"requests>=2\",\n"
	    "  'torch==2.1.0',\n"
	    "]\n"
	    "[project.optional-dependencies]\n"
	    "gpu = [\"triton==2.1.0\"]\n"
	    "[dependency-groups]\n"
	    "test = [\"pytest>=8\", {include-group = \"lint\"}]\n"
	    "[tool.poetry.dependencies]\n"
	    "python = \"^3.10\"\n"
	    "numpy = \"1.26.4\"\n"
	    "pandas = {version = \"^2.1\", optional = true}\n"
	    "lib = {git = \"https://github.com/o/lib.git\", rev = "
	    "\"0123456789abcdef0123456789abcdef01234567\"}\n"
	    "[tool.poetry.group.dev.dependencies]\n"
	    "black = \"*\"\n");
	ck_assert_int_eq(g.rc, 0);
	expect(&g, "requests", ">=2", false, false, 7);
	expect(&g, "torch", "==2.1.0", true, false, 8);
	expect(&g, "triton", "==2.1.0", true, false, 11);
	expect(&g, "pytest", ">=8", false, false, 13);
	expect(&g, "numpy", "1.26.4", true, false, 16);
	expect(&g, "pandas", "^2.1", false, false, 17);
	expect(&g, "lib", "@ git+https://github.com/o/lib.git@0123456789abcdef0123456789abcdef01234567",
	    true, false, 18);
	expect(&g, "black", NULL, false, false, 20);
	ck_assert_uint_eq(g.deps.n, 8); /* not setuptools (a build requirement), not python */
	done(&g);
}
END_TEST

START_TEST(poetry_and_uv_lock_files)
{
	struct got g = parse(AV_DEPFILE_POETRY_LOCK,
	    "[[package]]\nname = \"jinja2\"\nversion = \"2.4.1\"\n"
	    "files = [\n    {file = \"Jinja2-2.4.1.tar.gz\", hash = \"sha256:bbbb\"},\n]\n\n"
	    "[[package]]\nname = \"tqdm\"\nversion = \"4.66\"\n\n"
	    "[metadata]\nlock-version = \"1.1\"\n\n"
	    "[metadata.files]\ntqdm = [\n    {file = \"tqdm.whl\", hash = \"sha256:cccc\"},\n]\n");
	ck_assert_int_eq(g.rc, 0);
	expect(&g, "jinja2", "==2.4.1", true, true, 2);
	expect(&g, "tqdm", "==4.66", true, true, 9);
	done(&g);
	g = parse(AV_DEPFILE_UV_LOCK,
	    "version = 1\n"
	    "[[package]]\nname = \"me\"\nversion = \"0.1.0\"\nsource = { editable = \".\" }\n\n"
	    "[[package]]\nname = \"idna\"\nversion = \"3.7\"\n"
	    "source = { registry = \"https://pypi.org/simple\" }\n"
	    "sdist = { url = \"https://x/idna.tar.gz\", hash = \"sha256:dddd\", size = 1 }\n"
	    "wheels = [\n  { url = \"https://x/idna.whl\", hash = \"sha256:eeee\", size = 1 },\n]\n\n"
	    "[[package]]\nname = \"nohash\"\nversion = \"1.0\"\n");
	ck_assert_int_eq(g.rc, 0);
	expect(&g, "idna", "==3.7", true, true, 8);
	expect(&g, "nohash", "==1.0", true, false, 17);
	ck_assert_uint_eq(g.deps.n, 2); /* not the project itself */
	done(&g);
}
END_TEST

START_TEST(pipfile_and_its_lock)
{
	struct got g = parse(AV_DEPFILE_PIPFILE,
	    "[packages]\nrequests = \"*\"\ntorch = \"==2.1.0\"\n"
	    "lib = {git = \"https://github.com/o/lib.git\", ref = \"main\"}\n"
	    "[dev-packages]\npytest = {version = \">=8\"}\n");
	ck_assert_int_eq(g.rc, 0);
	expect(&g, "requests", NULL, false, false, 2);
	expect(&g, "torch", "==2.1.0", true, false, 3);
	expect(&g, "lib", "@ git+https://github.com/o/lib.git@main", false, false, 4);
	expect(&g, "pytest", ">=8", false, false, 6);
	done(&g);
	g = parse(AV_DEPFILE_PIPFILE_LOCK,
	    "{\n  \"_meta\": {\"hash\": {\"sha256\": \"x\"}},\n  \"default\": {\n"
	    "    \"requests\": {\"hashes\": [\"sha256:aa\"], \"version\": \"==2.31.0\"},\n"
	    "    \"local\": {\"path\": \".\"}\n  },\n  \"develop\": {\n"
	    "    \"pytest\": {\"hashes\": [], \"version\": \"==8.0.0\"}\n  }\n}\n");
	ck_assert_int_eq(g.rc, 0);
	expect(&g, "requests", "==2.31.0", true, true, 4);
	expect(&g, "pytest", "==8.0.0", true, false, 8);
	ck_assert_uint_eq(g.deps.n, 2);
	done(&g);
}
END_TEST

START_TEST(conda_environment)
{
	struct got g = parse(AV_DEPFILE_CONDA_ENV,
	    "name: env\nchannels: [conda-forge]\n"
	    "dependencies:\n"
	    "  - python=3.10\n"
	    "  - numpy==1.26.4\n"
	    "  - pytorch::pytorch=2.1.0=py3.10_cuda11.8_0\n"
	    "  - scipy >=1.11\n"
	    "  - cudatoolkit 11.8.0 h4ba93d1_12\n"
	    "  - pip\n"
	    "  - pip:\n"
	    "    - transformers==4.44.2\n"
	    "    - -r requirements.txt\n");
	ck_assert_int_eq(g.rc, 0);
	expect(&g, "python", "=3.10", false, false, 4);
	expect(&g, "numpy", "==1.26.4", true, false, 5);
	expect(&g, "pytorch", "=2.1.0=py3.10_cuda11.8_0", true, false, 6);
	expect(&g, "scipy", ">=1.11", false, false, 7);
	expect(&g, "cudatoolkit", "11.8.0 h4ba93d1_12", true, false, 8);
	expect(&g, "pip", NULL, false, false, 9);
	expect(&g, "transformers", "==4.44.2", true, false, 11);
	ck_assert_str_eq(dep(&g, "numpy")->ecosystem, "conda");
	ck_assert_str_eq(dep(&g, "transformers")->ecosystem, "pypi");
	done(&g);
}
END_TEST

START_TEST(broken_files_are_errors_with_lines)
{
	struct got g = parse(AV_DEPFILE_PYPROJECT, "[project]\ndependencies = [\"a\",\n  oops\n]\n");
	ck_assert_int_eq(g.rc, AV_EPARSE);
	ck_assert_int_eq(g.d.v[0].line, 3);
	done(&g);
	g = parse(AV_DEPFILE_PIPFILE_LOCK, "{\"default\": ");
	ck_assert_int_eq(g.rc, AV_EPARSE);
	done(&g);
	g = parse(AV_DEPFILE_CONDA_ENV, "dependencies: [a, b\n");
	ck_assert_int_eq(g.rc, AV_EPARSE);
	done(&g);
}
END_TEST

/* The fuzzer's find: a wheel file name or a JSON key holding a NUL made a
 * dependency with an empty name. */
START_TEST(nothing_is_not_a_package_name)
{
	static const char req[] = "https://x.example/\0abc-1.0-py3-none-any.whl\nok==1\n";
	struct got g;
	av_deps_init(&g.deps);
	av_diags_init(&g.d);
	g.rc = av_deps_parse(&g.deps, AV_DEPFILE_REQUIREMENTS, req, sizeof(req) - 1, "f", &g.d);
	ck_assert_int_eq(g.rc, 0);
	ck_assert_uint_eq(g.deps.n, 1);
	ck_assert_str_eq(g.deps.v[0].name, "ok");
	done(&g);
	g = parse(AV_DEPFILE_PIPFILE_LOCK, "{\"default\": {\"\": {\"version\": \"==1\"},"
	    " \"c\": {\"version\": \"==3\"}}}");
	ck_assert_int_eq(g.rc, 0);
	ck_assert_uint_eq(g.deps.n, 1);
	ck_assert_str_eq(g.deps.v[0].name, "c");
	done(&g);
}
END_TEST

START_TEST(which_reader_for_which_file)
{
	ck_assert_int_eq(av_depfile_of("requirements.txt"), AV_DEPFILE_REQUIREMENTS);
	ck_assert_int_eq(av_depfile_of("sub/requirements-dev.txt"), AV_DEPFILE_REQUIREMENTS);
	ck_assert_int_eq(av_depfile_of("dev-requirements.txt"), AV_DEPFILE_REQUIREMENTS);
	ck_assert_int_eq(av_depfile_of("requirements/base.txt"), AV_DEPFILE_REQUIREMENTS);
	ck_assert_int_eq(av_depfile_of("constraints.txt"), AV_DEPFILE_REQUIREMENTS);
	ck_assert_int_eq(av_depfile_of("notes.txt"), AV_DEPFILE_NONE);
	ck_assert_int_eq(av_depfile_of("pyproject.toml"), AV_DEPFILE_PYPROJECT);
	ck_assert_int_eq(av_depfile_of("a/setup.py"), AV_DEPFILE_SETUP_PY);
	ck_assert_int_eq(av_depfile_of("setup.cfg"), AV_DEPFILE_SETUP_CFG);
	ck_assert_int_eq(av_depfile_of("Pipfile"), AV_DEPFILE_PIPFILE);
	ck_assert_int_eq(av_depfile_of("Pipfile.lock"), AV_DEPFILE_PIPFILE_LOCK);
	ck_assert_int_eq(av_depfile_of("poetry.lock"), AV_DEPFILE_POETRY_LOCK);
	ck_assert_int_eq(av_depfile_of("uv.lock"), AV_DEPFILE_UV_LOCK);
	ck_assert_int_eq(av_depfile_of("environment.yml"), AV_DEPFILE_CONDA_ENV);
}
END_TEST

/* ---- TOML ---- */

static av_doc *
toml(const char *text, int want_rc, int want_line)
{
	av_doc *doc = NULL;
	av_error err = {0};
	int rc = av_toml_parse(&doc, text, strlen(text), "t.toml", NULL, &err);
	ck_assert_msg(rc == want_rc, "rc %d (%s) for: %s", rc, err.msg, text);
	if (rc != 0)
		ck_assert_msg(err.line == want_line, "line %d, want %d (%s)", err.line, want_line,
		    err.msg);
	return doc;
}

START_TEST(toml_values_and_tables)
{
	av_doc *doc = toml(
	    "# top\n"
	    "title = \"T\\u00e9st\\n\"\n"
	    "lit = 'C:\\path'\n"
	    "ml = \"\"\"\n  first \\\n  second\"\"\"\n"
	    "mll = '''\nraw \\n'''\n"
	    "num = 1_000\nhex = 0xff\nf = 6.5e2\nb = true\nd = 1979-05-27T07:32:00Z\n"
	    "a.b.\"c d\" = 1\n"
	    "arr = [ 1, [2, 3], { x = \"y\" }, ] # trailing comma\n"
	    "[t]\nk = 1\n"
	    "[[p]]\nname = \"one\"\n[[p]]\nname = \"two\"\n[p.sub]\nz = 1\n", 0, 0);
	const av_node *r = av_doc_root(doc);
	ck_assert_str_eq(av_map_str(r, "title"), "T\xC3\xA9st\n");
	ck_assert_str_eq(av_map_str(r, "lit"), "C:\\path");
	ck_assert_str_eq(av_map_str(r, "ml"), "  first second");
	ck_assert_str_eq(av_map_str(r, "mll"), "raw \\n");
	ck_assert_int_eq(av_map_get(r, "num")->i, 1000);
	ck_assert_int_eq(av_map_get(r, "hex")->i, 255);
	ck_assert(av_map_get(r, "f")->type == AV_FLOAT && av_map_get(r, "f")->d == 650.0);
	ck_assert(av_map_get(r, "b")->type == AV_BOOL && av_map_get(r, "b")->b);
	ck_assert_str_eq(av_map_str(r, "d"), "1979-05-27T07:32:00Z");
	ck_assert_int_eq(av_node_at(r, "a.b.c d")->i, 1);
	ck_assert_uint_eq(av_map_get(r, "arr")->count, 3);
	ck_assert_int_eq(av_node_at(r, "t.k")->i, 1);
	ck_assert_str_eq(av_map_str(av_node_at(r, "p.1"), "name"), "two");
	ck_assert_int_eq(av_node_at(r, "p.1.sub.z")->i, 1);
	ck_assert_int_eq(av_node_at(r, "p.1.sub.z")->line, 23);
	av_doc_destroy(doc);
}
END_TEST

START_TEST(toml_errors_name_their_line)
{
	toml("a = 1\na = 2\n", AV_EPARSE, 2);
	toml("[t]\nx = 1\n[t]\n", AV_EPARSE, 3);
	toml("a = 1\nb = \"unterminated\n", AV_EPARSE, 2);
	toml("a = [1, 2\n", AV_EPARSE, 2);
	toml("x = 1 y = 2\n", AV_EPARSE, 1);
	toml("a = 1\n\nb = \xFF\n", AV_EPARSE, 3);
	toml("a = 1\na.b = 2\n", AV_EPARSE, 2);
	toml("n = 1__0\n", AV_EPARSE, 1);
	/* a backslash as the last byte of the input: the message does not read past it */
	static const char tail[] = "s = \"x\\";
	char *exact = malloc(sizeof(tail) - 1);
	memcpy(exact, tail, sizeof(tail) - 1);
	av_doc *doc;
	av_error err;
	ck_assert_int_eq(av_toml_parse(&doc, exact, sizeof(tail) - 1, "t", NULL, &err), AV_EPARSE);
	free(exact);
	toml("s = \"\\q\"\n", AV_EPARSE, 1);
	/* nesting is bounded */
	char deep[400];
	size_t n = 0;
	n += (size_t)snprintf(deep, sizeof(deep), "a = ");
	for (int i = 0; i < 100; i++)
		deep[n++] = '[';
	deep[n] = '\0';
	toml(deep, AV_ELIMIT, 1);
}
END_TEST

static Suite *
scan_deps_suite(void)
{
	Suite *s = suite_create("scan_deps");
	TCase *tc = tcase_create("pip");
	tcase_add_test(tc, pep508_grammar);
	tcase_add_test(tc, requirements_unpinned_pinned_and_hashed);
	tcase_add_test(tc, setup_cfg_lists);
	tcase_add_test(tc, setup_py_is_read_statically);
	tcase_add_test(tc, which_reader_for_which_file);
	tcase_add_test(tc, nothing_is_not_a_package_name);
	suite_add_tcase(s, tc);
	tc = tcase_create("structured");
	tcase_add_test(tc, pyproject_pep621_groups_and_poetry);
	tcase_add_test(tc, poetry_and_uv_lock_files);
	tcase_add_test(tc, pipfile_and_its_lock);
	tcase_add_test(tc, conda_environment);
	tcase_add_test(tc, broken_files_are_errors_with_lines);
	suite_add_tcase(s, tc);
	tc = tcase_create("toml");
	tcase_add_test(tc, toml_values_and_tables);
	tcase_add_test(tc, toml_errors_name_their_line);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(scan_deps_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
