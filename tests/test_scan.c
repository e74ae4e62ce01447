/*
 * test_scan.c - whole scans of folders the tests build: the walk and its
 * bounds, the Hugging Face cache layout and git HEAD, the hash cache, the
 * manifest made (valid, with the facts of each file and where they were
 * found), the YAML with its comments, scanner reports joined, and no
 * secret text anywhere in what a scan returns.
 */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "file.h"
#include "manifest.h"
#include "scan/revision.h"
#include "scan/scan.h"

#define TOKEN "hf_aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3z"
#define GHTOKEN "ghp_1234567890abcdefghijABCDEFGHIJ123456"

static char tmp[512];

static void
setup(void)
{
	snprintf(tmp, sizeof(tmp), "%s/aivet-scan.XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR")
	    : "/tmp");
	ck_assert_ptr_nonnull(mkdtemp(tmp));
}

static void
teardown(void)
{
	char cmd[PATH_MAX + 16];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmp);
	ck_assert_int_eq(system(cmd), 0);
}

static void
mkdirs(const char *path)
{
	char p[PATH_MAX];
	snprintf(p, sizeof(p), "%s", path);
	for (char *s = p + 1; *s; s++)
		if (*s == '/') {
			*s = '\0';
			mkdir(p, 0755);
			*s = '/';
		}
	mkdir(p, 0755);
}

/* Writes a file under the temporary folder, making its folders. */
static void
put(const char *rel, const char *fmt, ...)
{
	char path[PATH_MAX], dir[PATH_MAX];
	va_list ap;
	snprintf(path, sizeof(path), "%s/%s", tmp, rel);
	snprintf(dir, sizeof(dir), "%s", path);
	*strrchr(dir, '/') = '\0';
	mkdirs(dir);
	FILE *f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	va_start(ap, fmt);
	vfprintf(f, fmt, ap);
	va_end(ap);
	fclose(f);
}

static void
copy_fixture(const char *fixture, const char *rel)
{
	char src[PATH_MAX], *buf;
	size_t len;
	av_error err;
	snprintf(src, sizeof(src), "%s/tests/fixtures/%s", getenv("AIVET_SRCDIR"), fixture);
	ck_assert_int_eq(av_read_file(src, 1u << 20, &buf, &len, &err), 0);
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s/%s", tmp, rel);
	FILE *f = fopen(path, "wb");
	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fwrite(buf, 1, len, f), len);
	fclose(f);
	free(buf);
}

static char *
at(const char *rel)
{
	static char p[4][PATH_MAX];
	static int k;
	k = (k + 1) % 4;
	snprintf(p[k], sizeof(p[k]), "%s/%s", tmp, rel);
	return p[k];
}

static av_scan_opts
opts(void)
{
	static char ids[PATH_MAX];
	av_scan_opts o;
	av_scan_opts_default(&o);
	snprintf(ids, sizeof(ids), "%s/policies/data/license-ids.txt", getenv("AIVET_SRCDIR"));
	o.license_data = ids;
	return o;
}

static av_scan *
scan(const char *rel, const av_scan_opts *o, av_diags *d)
{
	av_scan *s = NULL;
	int rc = av_scan_dir(&s, at(rel), o, d);
	char line[1024];
	for (size_t i = 0; rc != 0 && i < d->n; i++)
		fprintf(stderr, "%s\n", av_error_format(&d->v[i], line, sizeof(line)));
	ck_assert_int_eq(rc, 0);
	return s;
}

static const char *
str(const av_scan *s, const char *path)
{
	const av_node *n = av_node_at(av_scan_manifest(s), path);
	return n && n->type == AV_STR ? n->str : NULL;
}

/* The folder of the issue: a card declaring Apache-2.0 beside a non-commercial
 * LICENSE, remote code, a download, a token in a notebook output, pinned and
 * unpinned requirements, a poetry.lock, weights. */
static void
build_repository(const char *root)
{
	char r[256];
#define P(rel) (snprintf(r, sizeof(r), "%s/%s", root, rel), r)
	put(P("README.md"), "---\nlicense: apache-2.0\nlibrary_name: transformers\n---\n"
	    "# Widget model\n\n## Intended uses\nSorting widgets in photos our staff take.\n"
	    "\nAsk for the key (it is " GHTOKEN ") on the wiki.\n");
	put(P("LICENSE"), "The weights in this repository are made available under the Creative "
	    "Commons Attribution-NonCommercial 4.0 International license.\n"
	    "https://creativecommons.org/licenses/by-nc/4.0/legalcode\n");
	put(P("config.json"), "{\n  \"model_type\": \"widget\",\n  \"auto_map\": {\n"
	    "    \"AutoModel\": \"modeling_widget.WidgetModel\"\n  }\n}\n");
	put(P("modeling_widget.py"), "import requests\nimport torch\n\n"
	    "def load():\n    blob = requests.get(\"https://weights.example/extra.bin\").content\n"
	    "    return torch.load(blob)\n");
	put(P("examples/demo.ipynb"), "{\n \"cells\": [\n  {\n   \"cell_type\": \"code\",\n"
	    "   \"source\": [\"print(token)\\n\"],\n   \"outputs\": [\n    {\"output_type\": \"stream\","
	    " \"text\": [\"" TOKEN "\\n\"]}\n   ]\n  }\n ],\n \"nbformat\": 4\n}\n");
	put(P("requirements.txt"), "torch>=2.0\ntransformers==4.44.2\n");
	put(P("poetry.lock"), "[[package]]\nname = \"jinja2\"\nversion = \"2.4.1\"\n"
	    "files = [{file = \"j.tar.gz\", hash = \"sha256:bb\"}]\n");
#undef P
}

START_TEST(the_issue_repository)
{
	av_diags d;
	av_diags_init(&d);
	build_repository("repo");
	copy_fixture("artifacts/tiny.safetensors", "repo/model.safetensors");
	av_scan_opts o = opts();
	av_scan *s = scan("repo", &o, &d);
	const av_node *m = av_scan_manifest(s);
	ck_assert_int_eq(av_manifest_check(m, "scan", NULL), 0);
	ck_assert_str_eq(str(s, "kind"), "model");
	ck_assert_str_eq(str(s, "version"), "unknown");
	ck_assert_str_eq(str(s, "licenses.weights"), "apache-2.0");
	ck_assert_str_eq(str(s, "licenses.files.0.path"), "LICENSE");
	ck_assert_str_eq(str(s, "licenses.files.0.id"), "CC-BY-NC-4.0");
	ck_assert(av_node_at(m, "runtime.remote_code")->b);
	ck_assert(av_node_at(m, "runtime.downloads_at_runtime")->b);
	ck_assert_str_eq(str(s, "runtime.downloads.0"), "https://weights.example/extra.bin");
	ck_assert_str_eq(str(s, "runtime.unsafe_calls.0.kind"), "torch_load");
	ck_assert_str_eq(str(s, "runtime.secrets.0.path"), "README.md");
	ck_assert_str_eq(str(s, "runtime.secrets.0.kind"), "github_token");
	ck_assert_str_eq(str(s, "runtime.secrets.1.path"), "examples/demo.ipynb");
	ck_assert_int_eq(av_node_at(m, "runtime.secrets.1.line")->i, 7);
	ck_assert_str_eq(str(s, "runtime.secrets.1.kind"), "huggingface_token");
	/* every file, hashed, with its real format */
	const av_node *arts = av_map_get(m, "artifacts");
	ck_assert_uint_eq(arts->count, 8);
	const av_node *st = NULL;
	for (const av_node *a = arts->first; a; a = a->next)
		if (strcmp(av_map_str(a, "path"), "model.safetensors") == 0)
			st = a;
	ck_assert_ptr_nonnull(st);
	ck_assert_str_eq(av_map_str(st, "format"), "safetensors");
	ck_assert_uint_eq(strlen(av_map_str(st, "sha256")), 64);
	/* dependencies, pinned or not */
	ck_assert_str_eq(str(s, "dependencies.0.name"), "jinja2");
	ck_assert(av_node_at(m, "dependencies.0.pinned")->b);
	ck_assert(av_node_at(m, "dependencies.0.hashed")->b);
	ck_assert_str_eq(str(s, "dependencies.1.name"), "torch");
	ck_assert(!av_node_at(m, "dependencies.1.pinned")->b);

	/* the YAML says where each fact was found, and reads back as the same manifest */
	size_t ylen, jlen;
	char *yaml = av_scan_yaml(s, &ylen), *json = av_scan_json(s, &jlen);
	ck_assert_ptr_nonnull(strstr(yaml, "weights: apache-2.0  # found in README.md:2\n"));
	ck_assert_ptr_nonnull(strstr(yaml, "id: CC-BY-NC-4.0  # found in LICENSE:1\n"));
	ck_assert_ptr_nonnull(strstr(yaml, "remote_code: true  # found in config.json:3, "
	    "modeling_widget.py\n"));
	ck_assert_ptr_nonnull(strstr(yaml, "- name: torch  # found in requirements.txt:1\n"));
	ck_assert_ptr_nonnull(strstr(yaml, "- path: examples/demo.ipynb  # found in "
	    "examples/demo.ipynb:7\n"));
	av_doc *back;
	av_error err;
	ck_assert_msg(av_doc_parse(&back, yaml, ylen, AV_FMT_YAML, "y", NULL, &err) == 0, "%s:%d: %s",
	    "y", err.line, err.msg);
	char d1[65], d2[65];
	av_manifest_digest(av_doc_root(back), d1);
	av_manifest_digest(m, d2);
	ck_assert_str_eq(d1, d2);
	av_doc_destroy(back);

	/* no secret text anywhere: manifest, YAML, JSON, messages */
	ck_assert_ptr_null(strstr(yaml, TOKEN));
	ck_assert_ptr_null(strstr(json, TOKEN));
	ck_assert_ptr_null(strstr(yaml, GHTOKEN));
	ck_assert_ptr_null(strstr(json, GHTOKEN));
	ck_assert_ptr_null(strstr(yaml, "hf_aB3dE5"));
	for (size_t i = 0; i < d.n; i++)
		ck_assert_ptr_null(strstr(d.v[i].msg, TOKEN));
	free(yaml);
	free(json);
	av_scan_destroy(s);
	av_diags_fini(&d);
}
END_TEST

START_TEST(parallel_scans_give_the_same_manifest)
{
	av_diags d;
	av_diags_init(&d);
	build_repository("repo");
	for (int i = 0; i < 40; i++) {
		char rel[64];
		snprintf(rel, sizeof(rel), "repo/data/part-%02d.py", i);
		put(rel, "import os\nos.system('echo %d')\n", i);
		snprintf(rel, sizeof(rel), "repo/data/notes-%02d.txt", i);
		put(rel, "note %d\n", i);
	}
	av_scan_opts o = opts();
	o.jobs = 1;
	av_scan *one = scan("repo", &o, &d);
	o.jobs = 8;
	av_scan *many = scan("repo", &o, &d);
	size_t a, b;
	char *y1 = av_scan_yaml(one, &a), *y2 = av_scan_yaml(many, &b);
	ck_assert_uint_eq(a, b);
	ck_assert_int_eq(memcmp(y1, y2, a), 0);
	free(y1);
	free(y2);
	av_scan_destroy(one);
	av_scan_destroy(many);
	av_diags_fini(&d);
}
END_TEST

START_TEST(the_hash_cache_spares_unchanged_files)
{
	av_diags d;
	av_diags_init(&d);
	put("repo/a.txt", "alpha\n");
	put("repo/b.bin", "%s", "not really weights");
	copy_fixture("artifacts/reduce_posix_system_p4.pkl", "repo/evil.pkl");
	av_scan_opts o = opts();
	char cache[PATH_MAX];
	snprintf(cache, sizeof(cache), "%s", at("cache.db"));
	o.cache = cache;
	av_scan_progress p;
	size_t cached;
	av_scan *s = scan("repo", &o, &d);
	av_scan_stats(s, &p, &cached);
	ck_assert_uint_eq(cached, 0);
	ck_assert_uint_gt(p.bytes_hashed, 0);
	size_t l1;
	char *y1 = av_scan_yaml(s, &l1);
	av_scan_destroy(s);

	s = scan("repo", &o, &d);
	av_scan_stats(s, &p, &cached);
	ck_assert_uint_eq(cached, 3);
	ck_assert_uint_eq(p.bytes_hashed, 0);
	size_t l2;
	char *y2 = av_scan_yaml(s, &l2);
	ck_assert_uint_eq(l1, l2); /* the cached inspection says the same, dangerous pickle too */
	ck_assert_int_eq(memcmp(y1, y2, l1), 0);
	ck_assert_ptr_nonnull(strstr(y2, "rating: dangerous"));
	av_scan_destroy(s);

	/* a changed file is hashed again, whatever its modification time says */
	struct stat st;
	ck_assert_int_eq(stat(at("repo/a.txt"), &st), 0);
	put("repo/a.txt", "omega\n");
	struct timespec times[2] = {st.st_atim, st.st_mtim};
	ck_assert_int_eq(utimensat(AT_FDCWD, at("repo/a.txt"), times, 0), 0);
	s = scan("repo", &o, &d);
	av_scan_stats(s, &p, &cached);
	ck_assert_uint_eq(cached, 2);
	ck_assert_uint_eq(p.bytes_hashed, 6);
	av_scan_destroy(s);
	free(y1);
	free(y2);
	av_diags_fini(&d);
}
END_TEST

START_TEST(symbolic_links_stay_inside_and_the_file_count_is_bounded)
{
	av_diags d;
	av_diags_init(&d);
	put("outside/secret.txt", "password = \"S3cretPassw0rdValue9\"\n");
	put("repo/inside.txt", "hello\n");
	ck_assert_int_eq(symlink("inside.txt", at("repo/link.txt")), 0);
	ck_assert_int_eq(symlink("../outside/secret.txt", at("repo/escape.txt")), 0);
	ck_assert_int_eq(symlink("/nonexistent/x", at("repo/broken")), 0);
	put("repo/.git/HEAD", "not a ref\n");
	av_scan_opts o = opts();
	av_scan *s = scan("repo", &o, &d);
	const av_node *arts = av_map_get(av_scan_manifest(s), "artifacts");
	ck_assert_uint_eq(arts->count, 2); /* inside.txt and link.txt; nothing from .git */
	ck_assert_str_eq(av_map_str(arts->first, "path"), "inside.txt");
	ck_assert_str_eq(av_map_str(arts->last, "path"), "link.txt");
	ck_assert_ptr_null(av_node_at(av_scan_manifest(s), "runtime"));
	bool said = false;
	for (size_t i = 0; i < d.n; i++)
		said |= d.v[i].code == AV_EIO && strstr(d.v[i].msg, "escape.txt") != NULL;
	ck_assert(said);
	av_scan_destroy(s);

	o.max_files = 1;
	s = NULL;
	ck_assert_int_eq(av_scan_dir(&s, at("repo"), &o, &d), AV_ELIMIT);
	ck_assert_ptr_null(s);
	av_diags_fini(&d);
}
END_TEST

/* A cache as huggingface_hub leaves it: blobs, two snapshots of links, refs/main. */
START_TEST(hugging_face_cache_layout)
{
	const char *old = "1111111111111111111111111111111111111111";
	const char *cur = "2222222222222222222222222222222222222222";
	char rel[256], target[256];
	put("hub/models--acme--widget/blobs/aaaa", "---\nlicense: mit\n---\n# Widget\n");
	put("hub/models--acme--widget/blobs/bbbb", "{\"auto_map\": {}}\n");
	put("hub/models--acme--widget/blobs/cccc", "---\nlicense: cc-by-nc-4.0\n---\n# Old\n");
	put("hub/models--acme--widget/refs/main", "%s", cur);
	snprintf(rel, sizeof(rel), "hub/models--acme--widget/snapshots/%s", cur);
	mkdirs(at(rel));
	snprintf(rel, sizeof(rel), "hub/models--acme--widget/snapshots/%s/README.md", cur);
	ck_assert_int_eq(symlink("../../blobs/aaaa", at(rel)), 0);
	snprintf(rel, sizeof(rel), "hub/models--acme--widget/snapshots/%s/config.json", cur);
	ck_assert_int_eq(symlink("../../blobs/bbbb", at(rel)), 0);
	snprintf(rel, sizeof(rel), "hub/models--acme--widget/snapshots/%s", old);
	mkdirs(at(rel));
	snprintf(rel, sizeof(rel), "hub/models--acme--widget/snapshots/%s/README.md", old);
	ck_assert_int_eq(symlink("../../blobs/cccc", at(rel)), 0);

	av_hf_snapshot snap;
	av_error err;
	char note[256];
	ck_assert_int_eq(av_hf_resolve(&snap, at("hub"), "acme/widget", note, sizeof(note), &err), 0);
	ck_assert_str_eq(snap.revision, cur);
	ck_assert_str_eq(snap.ref, "refs/main");
	ck_assert_str_eq(snap.repo_id, "acme/widget");
	ck_assert_str_eq(note, "");
	snprintf(target, sizeof(target), "acme/widget@%s", old);
	ck_assert_int_eq(av_hf_resolve(&snap, at("hub"), target, note, sizeof(note), &err), 0);
	ck_assert_str_eq(snap.revision, old);
	ck_assert_int_eq(av_hf_resolve(&snap, at("hub"), "acme/missing", note, sizeof(note), &err),
	    AV_ENOTFOUND);
	ck_assert_int_eq(av_hf_resolve(&snap, at("hub"), "not-an-id", note, sizeof(note), &err),
	    AV_EINVAL);
	ck_assert_int_eq(av_hf_resolve(&snap, at("hub"), "../etc/x", note, sizeof(note), &err),
	    AV_EINVAL);

	/* the scan of the current snapshot follows its links into blobs/ */
	ck_assert_int_eq(av_hf_resolve(&snap, at("hub"), "acme/widget", note, sizeof(note), &err), 0);
	av_diags d;
	av_diags_init(&d);
	av_scan_opts o = opts();
	av_scan *s = NULL;
	ck_assert_int_eq(av_scan_dir(&s, snap.dir, &o, &d), 0);
	ck_assert_str_eq(str(s, "name"), "acme/widget");
	ck_assert_str_eq(str(s, "version"), cur);
	ck_assert_str_eq(str(s, "source.revision"), cur);
	ck_assert_str_eq(str(s, "source.hub"), "huggingface");
	ck_assert_str_eq(str(s, "source.url"), "https://huggingface.co/acme/widget");
	ck_assert_str_eq(str(s, "licenses.weights"), "mit");
	ck_assert(av_node_at(av_scan_manifest(s), "runtime.remote_code")->b);
	size_t len;
	char *yaml = av_scan_yaml(s, &len);
	ck_assert_ptr_nonnull(strstr(yaml, "revision: \"2222222222222222222222222222222222222222\"  "
	    "# found in refs/main:1\n"));
	free(yaml);
	av_scan_destroy(s);

	/* without refs/main, the newest snapshot, said so */
	ck_assert_int_eq(unlink(at("hub/models--acme--widget/refs/main")), 0);
	ck_assert_int_eq(av_hf_resolve(&snap, at("hub"), "acme/widget", note, sizeof(note), &err), 0);
	ck_assert_str_ne(note, "");
	ck_assert_str_eq(snap.ref, "");
	av_diags_fini(&d);
}
END_TEST

START_TEST(git_head_through_refs_and_packed_refs)
{
	const char *sha = "0123456789abcdef0123456789abcdef01234567";
	av_git_head h;
	put("clone/.git/HEAD", "ref: refs/heads/main\n");
	put("clone/.git/refs/heads/main", "%s\n", sha);
	put("clone/.git/config", "[core]\n\tbare = false\n[remote \"origin\"]\n"
	    "\turl = https://user:" GHTOKEN "@github.com/acme/widget.git\n");
	ck_assert_int_eq(av_git_read_head(&h, at("clone")), 0);
	ck_assert_str_eq(h.revision, sha);
	ck_assert_str_eq(h.where, ".git/refs/heads/main");
	ck_assert_str_eq(h.branch, "main");
	ck_assert_str_eq(h.remote, "https://github.com/acme/widget.git");
	ck_assert_int_eq(h.remote_line, 4);
	unlink(at("clone/.git/refs/heads/main"));
	put("clone/.git/packed-refs", "# pack-refs with: peeled\nffffffffffffffffffffffffffffffffffffffff"
	    " refs/heads/other\n%s refs/heads/main\n", sha);
	ck_assert_int_eq(av_git_read_head(&h, at("clone")), 0);
	ck_assert_str_eq(h.where, ".git/packed-refs");
	ck_assert_int_eq(h.line, 3);
	put("clone/.git/HEAD", "%s\n", sha);
	ck_assert_int_eq(av_git_read_head(&h, at("clone")), 0);
	ck_assert_str_eq(h.branch, "");
	put("clone/.git/HEAD", "ref: refs/heads/unborn\n");
	ck_assert_int_eq(av_git_read_head(&h, at("clone")), AV_ENOTFOUND);

	/* a scan of the clone names it after its remote, and never prints the credentials */
	put("clone/.git/HEAD", "ref: refs/heads/main\n");
	put("clone/app.py", "print('hi')\n");
	av_diags d;
	av_diags_init(&d);
	av_scan_opts o = opts();
	av_scan *s = scan("clone", &o, &d);
	ck_assert_str_eq(str(s, "name"), "acme/widget");
	ck_assert_str_eq(str(s, "kind"), "code");
	ck_assert_str_eq(str(s, "source.revision"), sha);
	ck_assert_str_eq(str(s, "source.hub"), "github");
	size_t len;
	char *yaml = av_scan_yaml(s, &len);
	ck_assert_ptr_null(strstr(yaml, GHTOKEN));
	ck_assert_ptr_nonnull(strstr(yaml, "# found in .git/packed-refs:3"));
	free(yaml);
	av_scan_destroy(s);
	av_diags_fini(&d);
}
END_TEST

/* A clone made without git-lfs holds pointers where the weights should be. */
START_TEST(git_lfs_pointers_are_not_taken_for_the_weights)
{
	av_diags d;
	av_diags_init(&d);
	put("repo/model.safetensors", "version https://git-lfs.github.com/spec/v1\n"
	    "oid sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08\n"
	    "size 14483464192\n");
	av_scan_opts o = opts();
	av_scan *s = scan("repo", &o, &d);
	const av_node *a = av_node_at(av_scan_manifest(s), "artifacts.0");
	ck_assert_str_eq(av_map_str(a, "sha256"),
	    "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08");
	ck_assert_int_eq(av_map_get(a, "size")->i, 14483464192LL);
	ck_assert_ptr_null(av_map_get(a, "inspected"));
	ck_assert_ptr_null(av_map_get(a, "format"));
	bool said = false;
	for (size_t i = 0; i < d.n; i++)
		said |= d.v[i].code == AV_EIO && strstr(d.v[i].msg, "Git LFS pointer") != NULL;
	ck_assert(said);
	av_scan_destroy(s);
	av_diags_fini(&d);
}
END_TEST

START_TEST(scanner_reports_join_the_dependencies)
{
	av_diags d;
	av_diags_init(&d);
	put("repo/requirements.txt", "Jinja2==2.4.1\ntorch>=2\n");
	av_scan_opts o = opts();
	av_scan *s = scan("repo", &o, &d);
	const char *osv =
	    "{\"results\":[{\"packages\":[{\"package\":{\"name\":\"jinja2\",\"version\":\"2.4.1\","
	    "\"ecosystem\":\"PyPI\"},\"vulnerabilities\":[{\"id\":\"GHSA-1\",\"database_specific\":"
	    "{\"severity\":\"HIGH\"}}],\"groups\":[{\"ids\":[\"GHSA-1\"]}]}]}]}";
	const char *audit = "{\"dependencies\":[{\"name\":\"jinja2\",\"version\":\"2.4.1\",\"vulns\":["
	    "{\"id\":\"PYSEC-1\",\"fix_versions\":[\"2.10.1\"]},{\"id\":\"GHSA-1\"}]},"
	    "{\"name\":\"urllib3\",\"version\":\"1.26.0\",\"vulns\":[{\"id\":\"PYSEC-2\"}]}]}";
	ck_assert_int_eq(av_scan_add_vulns(s, osv, strlen(osv), "osv.json", &d), 0);
	ck_assert_int_eq(av_scan_add_vulns(s, audit, strlen(audit), "audit.json", &d), 0);
	const av_node *m = av_scan_manifest(s);
	ck_assert_int_eq(av_manifest_check(m, "scan", NULL), 0);
	ck_assert_str_eq(str(s, "dependencies.0.name"), "Jinja2");
	ck_assert_uint_eq(av_node_at(m, "dependencies.0.vulnerabilities")->count, 2);
	ck_assert_str_eq(str(s, "dependencies.0.vulnerabilities.0.severity"), "high");
	ck_assert_str_eq(str(s, "dependencies.0.vulnerabilities.1.id"), "PYSEC-1");
	ck_assert_ptr_null(av_node_at(m, "dependencies.0.vulnerabilities.1.severity"));
	ck_assert_ptr_null(av_node_at(m, "dependencies.1.vulnerabilities"));
	/* a package only the report names is added, and not pinned by the release */
	ck_assert_str_eq(str(s, "dependencies.2.name"), "urllib3");
	ck_assert_str_eq(str(s, "dependencies.2.version"), "==1.26.0");
	ck_assert(!av_node_at(m, "dependencies.2.pinned")->b);
	size_t len;
	char *yaml = av_scan_yaml(s, &len);
	ck_assert_ptr_nonnull(strstr(yaml, "- id: GHSA-1  # found in osv.json\n"));
	free(yaml);
	ck_assert_int_eq(av_scan_add_vulns(s, "{}", 2, "x.json", &d), AV_EPARSE);
	av_scan_destroy(s);
	av_diags_fini(&d);
}
END_TEST

static Suite *
scan_suite(void)
{
	Suite *s = suite_create("scan");
	TCase *tc = tcase_create("scan");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, the_issue_repository);
	tcase_add_test(tc, parallel_scans_give_the_same_manifest);
	tcase_add_test(tc, the_hash_cache_spares_unchanged_files);
	tcase_add_test(tc, symbolic_links_stay_inside_and_the_file_count_is_bounded);
	tcase_add_test(tc, scanner_reports_join_the_dependencies);
	tcase_add_test(tc, git_lfs_pointers_are_not_taken_for_the_weights);
	suite_add_tcase(s, tc);
	tc = tcase_create("revision");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, hugging_face_cache_layout);
	tcase_add_test(tc, git_head_through_refs_and_packed_refs);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(scan_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
