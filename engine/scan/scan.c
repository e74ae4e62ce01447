/*
 * scan.c - a folder read into a manifest of facts (see scan.h).
 *
 * Three steps: the walk lists the files (walk.c); a pool of threads
 * inspects each file (the artifact inspector, or the hash cache when the
 * file has not changed) and reads text files for what they say (secrets,
 * code, dependencies, license texts); then this thread assembles the
 * manifest in the order of the files, recording where each fact was found
 * (facts.c).  The threads share nothing but the job counter: each writes
 * only its files' results.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "inspect.h"
#include "scan.h"
#include "scan_facts.h"
#include "util.h"

#define SNIFF_BYTES 8192
#define MAX_JOBS 64

void
av_scan_opts_default(av_scan_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->jobs = 2;
	o->max_files = 20000;
	o->max_text = 4u << 20;
}

void
av_scan_destroy(av_scan *s)
{
	if (s == NULL)
		return;
	av_doc_destroy(s->doc);
	av_evidence_destroy(s->ev);
	free(s);
}

const av_node *
av_scan_manifest(const av_scan *s)
{
	return av_doc_root(s->doc);
}

av_doc *
av_scan_copy(const av_scan *s)
{
	av_doc *d = av_doc_create(av_doc_name(s->doc));
	av_node *r;

	if (d == NULL)
		return NULL;
	if ((r = av_node_copy(d, av_doc_root(s->doc))) == NULL) {
		av_doc_destroy(d);
		return NULL;
	}
	av_doc_set_root(d, r);
	return d;
}

void
av_scan_stats(const av_scan *s, av_scan_progress *p, size_t *cached)
{
	*p = s->stats;
	if (cached != NULL)
		*cached = s->cached;
}

char *
av_scan_json(const av_scan *s, size_t *len)
{
	return av_node_to_json(av_doc_root(s->doc), len);
}

char *
av_scan_yaml(const av_scan *s, size_t *len)
{
	char header[AV_SCAN_PATH + 256];
	snprintf(header, sizeof(header),
	    "The facts aivet scan found in %.4000s: an aivet/v1 manifest.\n"
	    "Fields it could not establish are left out; add what you know (use, data handling,\n"
	    "operations, team, decisions) before relying on a verdict.", s->root);
	return av_evidence_yaml(av_doc_root(s->doc), s->ev, header, len);
}

/* ---- one file ------------------------------------------------------------------- */

static double
now_s(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* The format names of the inspector that are model or data formats: such
 * files are binary, never read as text. */
static bool
model_format(const char *f)
{
	return f != NULL && strcmp(f, "unknown") != 0 && strcmp(f, "zip") != 0;
}

/* Reads at most max bytes of the file; *truncated when there was more. */
static char *
read_head(const char *path, size_t max, size_t *len, bool *truncated)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	char *buf;
	size_t n = 0;

	*len = 0;
	*truncated = false;
	if (fd < 0)
		return NULL;
	if ((buf = malloc(max + 1)) == NULL) {
		close(fd);
		return NULL;
	}
	while (n < max) {
		ssize_t k = read(fd, buf + n, max - n);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			break;
		n += (size_t)k;
	}
	if (n == max) {
		char c;
		*truncated = read(fd, &c, 1) == 1;
	}
	close(fd);
	buf[n] = '\0';
	*len = n;
	return buf;
}

/* Text, judged from the first bytes: no NUL, and at most 1% other control
 * characters. */
static bool
looks_text(const char *b, size_t n)
{
	size_t ctl = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)b[i];
		if (c == 0)
			return false;
		if (c < 0x20 && c != '\n' && c != '\r' && c != '\t' && c != '\f')
			ctl++;
	}
	return ctl * 100 <= n;
}

/* Top-level files named like a license text; LICENSES/ holds one per
 * license (REUSE). */
static bool
license_name(const char *rel)
{
	const char *b = av_scan_basename(rel);
	if (b != rel && !(strncmp(rel, "LICENSES/", 9) == 0 && b == rel + 9))
		return false;
	if (b != rel)
		return true;
	static const char *const names[] = {"license", "licence", "copying", "notice", NULL};
	for (size_t i = 0; names[i] != NULL; i++) {
		size_t l = strlen(names[i]);
		if (strncasecmp(b, names[i], l) == 0 &&
		    (b[l] == '\0' || b[l] == '.' || b[l] == '-' || b[l] == '_'))
			return true;
	}
	return false;
}

/* Top-level Python files Transformers loads as custom code. */
static bool
custom_code_name(const char *rel)
{
	static const char *const prefixes[] = {"modeling_", "configuration_", "tokenization_",
		"processing_", "image_processing_", "feature_extraction_", NULL};
	if (strchr(rel, '/') != NULL || !av_scan_suffix(rel, ".py"))
		return false;
	for (size_t i = 0; prefixes[i] != NULL; i++)
		if (strncmp(rel, prefixes[i], strlen(prefixes[i])) == 0)
			return true;
	return false;
}

/* config.json and the *_config.json files beside it (tokenizer, processor):
 * the line of a top-level auto_map. */
static int
auto_map_line(const char *buf, size_t len, const char *name)
{
	av_doc *doc;
	av_limits lim;
	av_error err;
	int line = 0;

	av_limits_default(&lim);
	lim.max_bytes = len + 1;
	lim.max_nodes = 1000000;
	if (av_doc_parse(&doc, buf, len, AV_FMT_JSON, name, &lim, &err) != 0)
		return 0;
	const av_node *am = av_map_get(av_doc_root(doc), "auto_map");
	if (am != NULL)
		line = am->key_line ? am->key_line : am->line;
	av_doc_destroy(doc);
	return line;
}

/*
 * A Git LFS pointer ("version https://git-lfs.github.com/spec/v1", "oid
 * sha256:HEX", "size N"): a clone made without git-lfs holds these in place
 * of the weights.
 */
static bool
lfs_pointer(const char *buf, size_t len, char sha[65], uint64_t *size)
{
	static const char magic[] = "version https://git-lfs.github.com/spec/v1\n";
	if (len > 1024 || len < sizeof(magic) - 1 || memcmp(buf, magic, sizeof(magic) - 1) != 0)
		return false;
	const char *oid = strstr(buf, "\noid sha256:"), *sz = strstr(buf, "\nsize ");
	if (oid == NULL || sz == NULL || !av_scan_hex(oid + 12, 64))
		return false;
	memcpy(sha, oid + 12, 64);
	sha[64] = '\0';
	char *end;
	*size = strtoull(sz + 6, &end, 10);
	return end != sz + 6;
}

static void
read_text(struct av_scan_run *run, size_t i, const char *buf, size_t len)
{
	const av_scan_file *f = &run->files.v[i];
	struct av_scan_result *r = &run->res[i];
	const char *rel = f->rel;

	if (lfs_pointer(buf, len, r->lfs_sha256, &r->lfs_size)) {
		r->lfs = true;
		return;
	}

	if (av_secrets_scan(&r->secrets, buf, len) != 0)
		r->oom = true;
	if (av_scan_suffix(rel, ".py")) {
		if (av_pycode_scan(&r->code, buf, len, NULL, 0, run->repo_id[0] ? run->repo_id : NULL) !=
		    0)
			r->oom = true;
		r->custom_code = custom_code_name(rel);
	} else if (av_scan_suffix(rel, ".ipynb")) {
		if (av_notebook_scan(&r->code, buf, len, rel, run->repo_id[0] ? run->repo_id : NULL,
			&r->diags) == AV_ENOMEM)
			r->oom = true;
	} else if (av_text_remote_code(&r->code, buf, len) != 0) {
		r->oom = true;
	}
	av_depfile kind = av_depfile_of(rel);
	if (kind != AV_DEPFILE_NONE) {
		r->depfile = kind;
		if (r->truncated)
			av_diags_add(&r->diags, AV_ELIMIT, rel, 0, 0,
			    "larger than the text limit: its dependencies were not read");
		else if (av_deps_parse(&r->deps, kind, buf, len, rel, &r->diags) == AV_ENOMEM)
			r->oom = true;
	}
	if (license_name(rel)) {
		r->license_file = true;
		if (run->licdb != NULL && av_license_identify(run->licdb, buf, len, &r->lic) != 0)
			r->oom = true;
	}
	if (strchr(rel, '/') == NULL && (strcmp(rel, "config.json") == 0 ||
	    av_scan_suffix(rel, "_config.json")))
		r->auto_map_line = auto_map_line(buf, len, rel);
	if (strcasecmp(rel, "README.md") == 0 && (r->readme = malloc(len + 1)) != NULL) {
		memcpy(r->readme, buf, len + 1);
		r->readme_len = len;
	}
}

/* Extensions under which a pickle is expected, and trusted as one. */
static bool
pickle_name(const char *rel)
{
	static const char *const ext[] = {".pkl", ".pickle", ".bin", ".pt", ".pth", ".ckpt",
		".joblib", ".npy", ".npz", ".dat", ".data", ".model", NULL};
	for (size_t i = 0; ext[i] != NULL; i++)
		if (av_scan_suffix(rel, ext[i]))
			return true;
	return strchr(av_scan_basename(rel), '.') == NULL;
}

/*
 * A text file can read as a protocol 0 pickle for a few opcodes ("import x"
 * starts with INST): when such a file does not parse cleanly as a pickle
 * and its name does not say pickle, it is text, and its inspection says
 * only its hash and size.
 */
static void
not_a_pickle(const av_scan_file *f, cJSON *j)
{
	const cJSON *fj = cJSON_GetObjectItemCaseSensitive(j, "format");
	if (!cJSON_IsString(fj) || strcmp(fj->valuestring, "pickle") != 0 ||
	    cJSON_GetObjectItemCaseSensitive(j, "error") == NULL || pickle_name(f->rel))
		return;
	size_t len;
	bool truncated;
	char *head = read_head(f->path, SNIFF_BYTES, &len, &truncated);
	if (head != NULL && looks_text(head, len)) {
		cJSON_ReplaceItemInObjectCaseSensitive(j, "format", cJSON_CreateString("unknown"));
		cJSON_DeleteItemFromObjectCaseSensitive(j, "globals");
		cJSON_DeleteItemFromObjectCaseSensitive(j, "error");
		cJSON_AddItemToObject(j, "globals", cJSON_CreateArray());
	}
	free(head);
}

static void
process(struct av_scan_run *run, size_t i)
{
	const av_scan_file *f = &run->files.v[i];
	struct av_scan_result *r = &run->res[i];
	const char *format = NULL;
	cJSON *j = NULL;

	if (r->inspected != NULL) {
		j = cJSON_Parse(r->inspected);
	} else {
		av_inspect ins;
		av_inspect_limits lim;
		av_error err;
		av_inspect_limits_default(&lim);
		lim.parse_max = 16u << 20;
		if (av_inspect_file(&ins, f->path, &lim, &err) != 0) {
			snprintf(r->error, sizeof(r->error), "%s", err.msg);
			return;
		}
		j = av_inspect_to_json(&ins);
		r->hashed = ins.size;
		r->fresh = true;
		av_inspect_fini(&ins);
		if (j != NULL) {
			const cJSON *e = cJSON_GetObjectItemCaseSensitive(j, "error");
			size_t pl = strlen(f->path);
			if (cJSON_IsNull(e)) {
				cJSON_DeleteItemFromObjectCaseSensitive(j, "error");
			} else if (cJSON_IsString(e) && strncmp(e->valuestring, f->path, pl) == 0 &&
			    strncmp(e->valuestring + pl, ": ", 2) == 0) {
				/* the message names the file: the manifest says which already */
				char *m = strdup(e->valuestring + pl + 2);
				if (m != NULL) {
					cJSON_ReplaceItemInObjectCaseSensitive(j, "error", cJSON_CreateString(m));
					free(m);
				}
			}
			not_a_pickle(f, j);
			r->inspected = cJSON_PrintUnformatted(j);
		}
	}
	if (j == NULL || r->inspected == NULL) {
		cJSON_Delete(j);
		r->oom = true;
		return;
	}
	const cJSON *fj = cJSON_GetObjectItemCaseSensitive(j, "format");
	format = cJSON_IsString(fj) ? fj->valuestring : NULL;
	bool binary = model_format(format);
	cJSON_Delete(j);
	if (binary || f->size == 0)
		return;
	/* the first bytes say whether it is text; only then is the rest read */
	size_t len;
	bool truncated;
	char *buf = read_head(f->path, SNIFF_BYTES, &len, &truncated);
	if (buf == NULL || !looks_text(buf, len)) {
		free(buf);
		return;
	}
	if (truncated) {
		free(buf);
		if ((buf = read_head(f->path, run->opts.max_text, &len, &truncated)) == NULL)
			return;
	}
	r->text = true;
	r->truncated = truncated;
	read_text(run, i, buf, len);
	free(buf);
}

static void *
worker(void *arg)
{
	struct av_scan_run *run = arg;

	for (;;) {
		pthread_mutex_lock(&run->mu);
		size_t i = run->next++;
		pthread_mutex_unlock(&run->mu);
		if (i >= run->files.n)
			break;
		process(run, i);
		pthread_mutex_lock(&run->mu);
		run->done++;
		run->bytes_done += run->files.v[i].size;
		run->bytes_hashed += run->res[i].hashed;
		pthread_cond_signal(&run->cv);
		pthread_mutex_unlock(&run->mu);
	}
	return NULL;
}

static void
result_fini(struct av_scan_result *r)
{
	free(r->inspected);
	free(r->readme);
	av_secrets_fini(&r->secrets);
	av_codefacts_fini(&r->code);
	av_deps_fini(&r->deps);
	av_diags_fini(&r->diags);
}

/* Runs the pool over every file and reports progress meanwhile. */
static int
inspect_all(struct av_scan_run *run)
{
	pthread_t th[MAX_JOBS];
	unsigned n = run->opts.jobs == 0 ? 1 : run->opts.jobs > MAX_JOBS ? MAX_JOBS : run->opts.jobs;
	unsigned started = 0;

	if (n > run->files.n && run->files.n > 0)
		n = (unsigned)run->files.n;
	pthread_mutex_init(&run->mu, NULL);
	pthread_cond_init(&run->cv, NULL);
	for (unsigned k = 0; k < n; k++)
		if (pthread_create(&th[k], NULL, worker, run) == 0)
			started++;
	if (started == 0)
		worker(run); /* no thread could start: do the work here */
	pthread_mutex_lock(&run->mu);
	while (run->done < run->files.n) {
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_nsec += 200000000;
		if (ts.tv_nsec >= 1000000000) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000;
		}
		pthread_cond_timedwait(&run->cv, &run->mu, &ts);
		if (run->opts.progress != NULL) {
			av_scan_progress p = {.files = run->files.n, .files_done = run->done,
				.bytes = run->bytes_total, .bytes_done = run->bytes_done,
				.bytes_hashed = run->bytes_hashed, .seconds = now_s() - run->t0};
			pthread_mutex_unlock(&run->mu);
			run->opts.progress(&p, run->opts.progress_arg);
			pthread_mutex_lock(&run->mu);
		}
	}
	pthread_mutex_unlock(&run->mu);
	for (unsigned k = 0; k < started; k++)
		pthread_join(th[k], NULL);
	pthread_mutex_destroy(&run->mu);
	pthread_cond_destroy(&run->cv);
	return 0;
}

/* ---- the scan --------------------------------------------------------------------- */

int
av_scan_dir(av_scan **out, const char *dir, const av_scan_opts *opts, av_diags *d)
{
	struct av_scan_run *run = calloc(1, sizeof(*run));
	av_hashcache *cache = NULL;
	av_error err;
	char real[PATH_MAX], allowed[PATH_MAX];
	int rc = 0;

	*out = NULL;
	if (run == NULL)
		return AV_ENOMEM;
	if (opts != NULL)
		run->opts = *opts;
	else
		av_scan_opts_default(&run->opts);
	if (run->opts.max_files == 0)
		run->opts.max_files = 20000;
	if (run->opts.max_text == 0)
		run->opts.max_text = 4u << 20;
	run->t0 = now_s();
	if (realpath(dir, real) == NULL) {
		rc = av_diags_add(d, AV_EIO, dir, 0, 0, "cannot read: %s", strerror(errno));
		goto out;
	}
	snprintf(run->root, sizeof(run->root), "%s", real);
	/* Which release: the cache layout, else a clone's HEAD. */
	if (av_hf_from_path(&run->hf, real)) {
		run->in_hf = true;
		snprintf(run->repo_id, sizeof(run->repo_id), "%s", run->hf.repo_id);
	} else if (av_git_read_head(&run->git, real) == 0) {
		run->in_git = true;
	}
	if (run->opts.allowed != NULL && realpath(run->opts.allowed, allowed) != NULL)
		;
	else if (run->in_hf && realpath(run->hf.repo_root, allowed) != NULL)
		;
	else
		snprintf(allowed, sizeof(allowed), "%s", real);
	if (run->opts.license_data != NULL &&
	    av_licdb_load_file(&run->licdb, run->opts.license_data, &err) != 0)
		av_diags_add(d, AV_OK, err.file, err.line, 0,
		    "license identification data not loaded (%s): license files are listed, not "
		    "identified", err.msg);
	if ((rc = av_scan_walk(&run->files, real, allowed, run->opts.max_files, d)) != 0)
		goto out;
	if ((run->res = calloc(run->files.n ? run->files.n : 1, sizeof(*run->res))) == NULL) {
		rc = AV_ENOMEM;
		goto out;
	}
	if (run->opts.cache != NULL && av_hashcache_open(&cache, run->opts.cache, &err) != 0)
		av_diags_add(d, AV_OK, err.file, 0, 0, "%s: every file is hashed", err.msg);
	for (size_t i = 0; i < run->files.n; i++) {
		run->bytes_total += run->files.v[i].size;
		if ((run->res[i].inspected = av_hashcache_get(cache, &run->files.v[i])) != NULL)
			run->cached++;
	}
	inspect_all(run);
	av_hashcache_begin(cache);
	for (size_t i = 0; i < run->files.n; i++) {
		if (run->res[i].oom)
			rc = AV_ENOMEM;
		if (run->res[i].fresh && run->res[i].inspected != NULL)
			av_hashcache_put(cache, &run->files.v[i], run->res[i].inspected);
	}
	av_hashcache_commit(cache);
	if (rc != 0)
		goto out;
	rc = av_scan_assemble(run, out, d);
	if (*out != NULL) {
		(*out)->stats = (av_scan_progress){.files = run->files.n, .files_done = run->done,
			.bytes = run->bytes_total, .bytes_done = run->bytes_done,
			.bytes_hashed = run->bytes_hashed, .seconds = now_s() - run->t0};
		(*out)->cached = run->cached;
	}
out:
	av_hashcache_close(cache);
	for (size_t i = 0; run->res != NULL && i < run->files.n; i++)
		result_fini(&run->res[i]);
	free(run->res);
	av_scan_files_fini(&run->files);
	av_licdb_destroy(run->licdb);
	free(run);
	return rc;
}
