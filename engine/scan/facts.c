/*
 * facts.c - the manifest of a scan, assembled from what each file held
 * (see scan_facts.h), and scanner reports joined to its dependencies.
 *
 * Every value set here records where it was found (av_evidence_add), and
 * nothing is set that was not found: a field no file establishes stays
 * out.  The three required fields are the exception and say how they were
 * chosen: kind from the card, the cache layout or the files; name from the
 * repository id or the folder; version from the revision, else "unknown".
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cjson/cJSON.h>

#include "card.h"
#include "import.h"
#include "manifest.h"
#include "markdown.h"
#include "scan_facts.h"
#include "util.h"
#include "vulns.h"

#define MAX_LISTED 500

struct b {
	av_doc *doc;
	av_evidence *ev;
	int rc;
};

static av_node *
str(struct b *b, const char *s)
{
	av_node *n = av_node_new_cstr(b->doc, s);
	if (n == NULL)
		b->rc = AV_ENOMEM;
	return n;
}

static av_node *
node(struct b *b, av_ntype t)
{
	av_node *n = av_node_new(b->doc, t);
	if (n == NULL)
		b->rc = AV_ENOMEM;
	return n;
}

static av_node *
boolean(struct b *b, bool v)
{
	av_node *n = av_node_new_bool(b->doc, v);
	if (n == NULL)
		b->rc = AV_ENOMEM;
	return n;
}

static av_node *
integer(struct b *b, int64_t v)
{
	av_node *n = av_node_new_int(b->doc, v);
	if (n == NULL)
		b->rc = AV_ENOMEM;
	return n;
}

static void
evidence(struct b *b, const av_node *n, const char *file, int line)
{
	if (n != NULL && file != NULL && av_evidence_add(b->ev, n, file, line) != 0)
		b->rc = AV_ENOMEM;
}

/* map[key] = v, found in file:line (file NULL: no evidence). */
static av_node *
set(struct b *b, av_node *map, const char *key, av_node *v, const char *file, int line)
{
	if (map == NULL || v == NULL)
		return NULL;
	if (av_map_set(b->doc, map, key, v) == NULL) {
		b->rc = AV_ENOMEM;
		return NULL;
	}
	evidence(b, v, file, line);
	return v;
}

static av_node *
child(struct b *b, av_node *map, const char *key, av_ntype t)
{
	av_node *c = (av_node *)av_map_get(map, key);
	if (c != NULL && c->type == t)
		return c;
	return set(b, map, key, node(b, t), NULL, 0);
}

/* ---- identity ---------------------------------------------------------------------- */

/* A manifest name from s: characters outside [A-Za-z0-9._/-] become '-'. */
static void
clean_name(char *out, size_t cap, const char *s)
{
	size_t n = 0;
	for (; *s && n + 1 < cap && n < 200; s++)
		out[n++] = (strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._/-",
		    *s) != NULL) ? *s : '-';
	out[n] = '\0';
	if (n == 0)
		snprintf(out, cap, "unnamed");
}

/* "org/name" from a remote URL on github.com or huggingface.co. */
static bool
remote_repo(const char *url, char *out, size_t cap, const char **hub)
{
	static const struct {
		const char *host, *hub;
	} hosts[] = {{"github.com/", "github"}, {"github.com:", "github"},
		{"huggingface.co/", "huggingface"}};
	for (size_t i = 0; i < 3; i++) {
		const char *p = strstr(url, hosts[i].host);
		if (p == NULL)
			continue;
		p += strlen(hosts[i].host);
		char tmp[256];
		snprintf(tmp, sizeof(tmp), "%s", p);
		size_t l = strlen(tmp);
		while (l > 0 && tmp[l - 1] == '/')
			tmp[--l] = '\0';
		if (l > 4 && strcmp(tmp + l - 4, ".git") == 0)
			tmp[l - 4] = '\0';
		const char *slash = strchr(tmp, '/');
		if (slash == NULL || strchr(slash + 1, '/') != NULL || slash[1] == '\0')
			return false;
		snprintf(out, cap, "%s", tmp);
		*hub = hosts[i].hub;
		return true;
	}
	return false;
}

/* The line of the front matter key `key` in a card (1-based, in the card). */
static int
front_matter_line(const char *card, size_t len, const char *key)
{
	const char *yaml;
	size_t ylen, body;
	bool unclosed;
	av_doc *fm;
	av_error err;
	int line = 0;

	if (!av_card_front_matter(card, len, &yaml, &ylen, &body, &unclosed))
		return 0;
	if (av_doc_parse(&fm, yaml, ylen, AV_FMT_YAML, "README.md", NULL, &err) != 0)
		return 0;
	const av_node *n = av_map_get(av_doc_root(fm), key);
	if (n != NULL)
		line = (n->key_line ? n->key_line : n->line) + 1;
	av_doc_destroy(fm);
	return line;
}

/* The manifest's format of an inspector format, or NULL when it has none. */
static const char *
manifest_format(const char *inspected, const char *path)
{
	static const struct {
		const char *in, *out;
	} map[] = {{"pytorch-zip", "pytorch"}, {"pickle", "pickle"}, {"keras", "keras"},
		{"hdf5", "h5"}, {"npy", "numpy"}, {"safetensors", "safetensors"}, {"gguf", "gguf"},
		{"onnx", "onnx"}};
	if (inspected == NULL)
		return NULL;
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (strcmp(map[i].in, inspected) == 0) {
			if (strcmp(map[i].out, "pickle") == 0 && av_scan_suffix(path, ".joblib"))
				return "joblib";
			return map[i].out;
		}
	return NULL;
}

static bool
weights_name(const char *path)
{
	static const char *const ext[] = {".bin", ".pt", ".pth", ".pkl", ".pickle", ".ckpt", ".h5",
		".keras", ".npy", ".npz", ".onnx", ".gguf", ".safetensors", ".joblib", ".msgpack",
		".tflite", ".pb", NULL};
	for (size_t i = 0; ext[i] != NULL; i++)
		if (av_scan_suffix(path, ext[i]))
			return true;
	return false;
}

static bool
data_name(const char *path)
{
	static const char *const ext[] = {".parquet", ".arrow", ".csv", ".tsv", ".jsonl",
		".jsonl.gz", ".tfrecord", NULL};
	for (size_t i = 0; ext[i] != NULL; i++)
		if (av_scan_suffix(path, ext[i]))
			return true;
	return false;
}

/* ---- artifacts ------------------------------------------------------------------------ */

static void
artifact(struct b *b, av_node *list, const av_scan_file *f, const struct av_scan_result *r,
    av_diags *d)
{
	av_node *a = node(b, AV_MAP);

	if (a == NULL)
		return;
	av_seq_append(list, a);
	evidence(b, a, f->rel, 0);
	set(b, a, "path", str(b, f->rel), NULL, 0);
	if (r->lfs) {
		/* what the pointer says the file is; its content was not here to inspect */
		av_diags_add(d, AV_EIO, f->rel, 0, 0,
		    "a Git LFS pointer: the file itself is not in this copy and was not inspected "
		    "(git lfs pull, or scan the Hugging Face cache)");
		set(b, a, "sha256", str(b, r->lfs_sha256), f->rel, 2);
		set(b, a, "size", integer(b, (int64_t)r->lfs_size), f->rel, 3);
		return;
	}
	cJSON *j = r->inspected ? cJSON_Parse(r->inspected) : NULL;
	if (j == NULL) {
		if (r->error[0] != '\0')
			av_diags_add(d, AV_EIO, f->rel, 0, 0, "not hashed nor inspected: %s", r->error);
		set(b, a, "size", integer(b, (int64_t)f->size), NULL, 0);
		return;
	}
	const char *sha = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(j, "sha256"));
	const char *fmt = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(j, "format"));
	const cJSON *globals = cJSON_GetObjectItemCaseSensitive(j, "globals");
	const char *error = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(j, "error"));
	const char *mf = manifest_format(fmt, f->rel);
	if (mf != NULL)
		set(b, a, "format", str(b, mf), NULL, 0);
	if (sha != NULL)
		set(b, a, "sha256", str(b, sha), NULL, 0);
	set(b, a, "size", integer(b, (int64_t)f->size), NULL, 0);
	bool worth = (fmt != NULL && strcmp(fmt, "unknown") != 0) || cJSON_GetArraySize(globals) > 0 ||
	    error != NULL || weights_name(f->rel);
	if (worth) {
		av_doc *ins;
		av_error err;
		if (av_doc_from_json(&ins, j, f->rel, NULL, &err) != 0) {
			b->rc = AV_ENOMEM;
		} else {
			av_node *copy = av_node_copy(b->doc, av_doc_root(ins));
			av_doc_destroy(ins);
			if (copy == NULL)
				b->rc = AV_ENOMEM;
			else
				set(b, a, "inspected", copy, NULL, 0);
		}
	}
	cJSON_Delete(j);
}

/* ---- licenses ------------------------------------------------------------------------- */

static double
rounded(double v)
{
	return round(v * 1000.0) / 1000.0;
}

static void
license_entry(struct b *b, av_node *files, const char *path, int line, const av_licmatch *m,
    bool have_db)
{
	av_node *e = node(b, AV_MAP);
	if (e == NULL)
		return;
	av_seq_append(files, e);
	set(b, e, "path", str(b, path), NULL, 0);
	if (line > 0)
		set(b, e, "line", integer(b, line), NULL, 0);
	if (!have_db)
		return;
	if (m->identified) {
		set(b, e, "id", str(b, m->id), path, line > 0 ? line : 1);
		set(b, e, "method", str(b, av_licid_method_name(m->method)), NULL, 0);
	} else if (m->id[0] != '\0') {
		set(b, e, "closest", str(b, m->id), NULL, 0);
	}
	av_node *sc = av_node_new_float(b->doc, rounded(m->score));
	if (sc == NULL)
		b->rc = AV_ENOMEM;
	set(b, e, "score", sc, NULL, 0);
}

/* A README's "License" sections holding a license text. */
static void
readme_licenses(struct b *b, av_node *files, const av_licdb *db, const char *text, size_t len)
{
	av_md_section *secs;
	size_t n;
	av_error err;

	if (db == NULL || av_md_split(text, len, &secs, &n, &err) != 0)
		return;
	for (size_t i = 0; i < n; i++) {
		char h[128];
		snprintf(h, sizeof(h), "%.*s", (int)(secs[i].heading_len < 127 ? secs[i].heading_len : 127),
		    secs[i].heading);
		if (strcasestr(h, "licen") == NULL)
			continue;
		av_licmatch m;
		if (av_license_identify(db, text + secs[i].body, secs[i].own_end - secs[i].body, &m) != 0) {
			b->rc = AV_ENOMEM;
			break;
		}
		if (m.identified && m.method == AV_LICID_TEXT)
			license_entry(b, files, "README.md", secs[i].line, &m, true);
	}
	free(secs);
}

/* ---- the card -------------------------------------------------------------------------- */

/* The card's facts: kind, licenses, model_card.text, published results. */
static const char *
card(struct b *b, av_node *root, const char *text, size_t len, av_diags *d)
{
	av_doc *imp = NULL;
	av_diags cd;
	const char *kind = NULL;

	av_diags_init(&cd);
	int rc = av_import(&imp, text, len, AV_INPUT_HF, "README.md", &cd);
	for (size_t i = 0; i < cd.n; i++)
		if (cd.v[i].code != AV_OK)
			av_diags_add(d, cd.v[i].code, "README.md", cd.v[i].line, cd.v[i].column, "%s",
			    cd.v[i].msg);
	av_diags_fini(&cd);
	if (rc != 0)
		return NULL;
	const av_node *ir = av_doc_root(imp);
	kind = av_map_str(ir, "kind");
	kind = kind && strcmp(kind, "dataset") == 0 ? "dataset" : "model";
	const av_node *lic = av_map_get(ir, "licenses");
	if (lic != NULL && lic->count > 0) {
		int line = front_matter_line(text, len, "license");
		if (line == 0)
			line = front_matter_line(text, len, "license_name");
		av_node *ls = child(b, root, "licenses", AV_MAP);
		for (const av_node *it = lic->first; it != NULL; it = it->next)
			set(b, ls, it->key, av_node_copy(b->doc, it), "README.md", line);
	}
	const av_node *ev = av_map_get(ir, "evaluation");
	if (ev != NULL)
		set(b, root, "evaluation", av_node_copy(b->doc, ev), "README.md",
		    front_matter_line(text, len, "model-index"));
	av_doc_destroy(imp);
	return kind;
}

/* ---- keeping secrets out of the output --------------------------------------------------- */

/*
 * A copy of text with every secret found in it overwritten by '*' (the
 * same length, so that lines and columns stay where they were); a private
 * key from its BEGIN line to its END line.  NULL when out of memory.
 */
static char *
redacted(const char *text, size_t len, const av_secrets *found)
{
	char *t = malloc(len + 1);
	if (t == NULL)
		return NULL;
	memcpy(t, text, len);
	t[len] = '\0';
	for (size_t k = 0; k < found->n; k++) {
		const av_secret *x = &found->v[k];
		size_t off = 0;
		for (int line = 1; line < x->line && off < len; off++)
			if (t[off] == '\n')
				line++;
		size_t st = off + (size_t)(x->column - 1), end = st + (size_t)x->length;
		if (strstr(x->kind, "private_key") != NULL || strstr(x->kind, "service_account") != NULL) {
			const char *e = strstr(t + st, "PRIVATE KEY-----");
			e = e ? strstr(e + 16, "PRIVATE KEY-----") : NULL;
			end = e ? (size_t)(e - t) + 16 : len;
		}
		for (size_t i = st; i < end && i < len; i++)
			if (t[i] != '\n')
				t[i] = '*';
	}
	return t;
}

/* A message that quotes a line holding a secret is not shown as it is. */
static void
add_diag(av_diags *d, const av_error *e)
{
	av_secrets s;
	av_secrets_init(&s);
	bool secret = av_secrets_scan(&s, e->msg, strlen(e->msg)) != 0 || s.n > 0;
	av_secrets_fini(&s);
	av_diags_add(d, e->code, e->file, e->line, e->column, "%s",
	    secret ? "a problem on this line, which holds a secret: not shown" : e->msg);
}

/* ---- assembly -------------------------------------------------------------------------- */

struct dedupe {
	char key[600];
};

int
av_scan_assemble(struct av_scan_run *run, av_scan **out, av_diags *d)
{
	av_scan *s = calloc(1, sizeof(*s));
	struct b b = {0};
	const struct av_scan_result *readme = NULL;
	size_t truncated = 0;
	char trunc_list[512] = "";

	*out = NULL;
	if (s == NULL || (s->doc = av_doc_create(run->root)) == NULL ||
	    (s->ev = av_evidence_create()) == NULL) {
		av_scan_destroy(s);
		return AV_ENOMEM;
	}
	snprintf(s->root, sizeof(s->root), "%s", run->root);
	b.doc = s->doc;
	b.ev = s->ev;
	av_node *root = node(&b, AV_MAP);
	av_doc_set_root(s->doc, root);

	/* What each file said, in order, for the messages. */
	for (size_t i = 0; i < run->files.n; i++) {
		const struct av_scan_result *r = &run->res[i];
		for (size_t k = 0; k < r->diags.n; k++)
			add_diag(d, &r->diags.v[k]);
		if (r->truncated) {
			size_t l = strlen(trunc_list);
			if (truncated < 5)
				snprintf(trunc_list + l, sizeof(trunc_list) - l, "%s%.80s", l ? ", " : "",
				    run->files.v[i].rel);
			truncated++;
		}
		if (r->readme != NULL)
			readme = r;
	}
	if (truncated > 0)
		av_diags_add(d, AV_OK, run->root, 0, 0,
		    "%zu text file(s) larger than %zu bytes were searched only that far: %s%s", truncated,
		    run->opts.max_text, trunc_list, truncated > 5 ? ", ..." : "");

	/* Identity. */
	char name[256] = "", remote_id[256] = "", rev_where[256] = "";
	const char *hub = NULL, *rev = NULL, *name_from = NULL;
	int name_line = 0, rev_line = 0;
	if (run->in_hf) {
		clean_name(name, sizeof(name), run->hf.repo_id);
		name_from = "the cache folder";
		rev = run->hf.revision;
		if (run->hf.ref[0] != '\0') {
			snprintf(rev_where, sizeof(rev_where), "%.200s", run->hf.ref);
			rev_line = 1;
		} else {
			snprintf(rev_where, sizeof(rev_where), "snapshots/%.64s", run->hf.revision);
		}
		hub = "huggingface";
	} else if (run->in_git) {
		rev = run->git.revision;
		snprintf(rev_where, sizeof(rev_where), "%.200s", run->git.where);
		rev_line = run->git.line;
		if (run->git.remote[0] != '\0' && remote_repo(run->git.remote, remote_id,
		    sizeof(remote_id), &hub)) {
			clean_name(name, sizeof(name), remote_id);
			name_from = ".git/config";
			name_line = run->git.remote_line;
		}
	}
	if (name[0] == '\0') {
		clean_name(name, sizeof(name), av_scan_basename(run->root));
		name_from = "the folder's name";
	}
	const char *kind = NULL;
	set(&b, root, "apiVersion", str(&b, "aivet/v1"), NULL, 0);
	av_node *kind_node = set(&b, root, "kind", str(&b, "model"), NULL, 0);
	set(&b, root, "name", str(&b, name), name_from, name_line);
	set(&b, root, "version", str(&b, rev ? rev : "unknown"), rev ? rev_where : NULL, rev_line);
	if (rev != NULL || hub != NULL || run->git.remote[0] != '\0') {
		av_node *src = child(&b, root, "source", AV_MAP);
		if (run->in_hf) {
			char url[512];
			snprintf(url, sizeof(url), "https://huggingface.co/%s%.300s",
			    run->hf.dataset ? "datasets/" : "", run->hf.repo_id);
			set(&b, src, "url", str(&b, url), "the cache folder", 0);
		} else if (run->git.remote[0] != '\0') {
			set(&b, src, "repository", str(&b, run->git.remote), ".git/config",
			    run->git.remote_line);
		}
		if (rev != NULL)
			set(&b, src, "revision", str(&b, rev), rev_where, rev_line);
		if (hub != NULL)
			set(&b, src, "hub", str(&b, hub), run->in_hf ? "the cache folder" : ".git/config",
			    run->in_hf ? 0 : run->git.remote_line);
	}

	/* The card, without the secrets it may hold. */
	char *card_text = NULL;
	if (readme != NULL) {
		if ((card_text = redacted(readme->readme, readme->readme_len, &readme->secrets)) == NULL)
			b.rc = AV_ENOMEM;
		else
			kind = card(&b, root, card_text, readme->readme_len, d);
	}

	/* License texts. */
	av_node *files = NULL;
	for (size_t i = 0; i < run->files.n && b.rc == 0; i++) {
		const struct av_scan_result *r = &run->res[i];
		bool notice = strncasecmp(av_scan_basename(run->files.v[i].rel), "notice", 6) == 0;
		if (!r->license_file || !r->text || (notice && !r->lic.identified))
			continue;
		if (files == NULL)
			files = child(&b, child(&b, root, "licenses", AV_MAP), "files", AV_SEQ);
		license_entry(&b, files, run->files.v[i].rel, 0, &r->lic, run->licdb != NULL);
	}
	if (card_text != NULL && run->licdb != NULL) {
		av_node *tmp = node(&b, AV_SEQ);
		readme_licenses(&b, tmp, run->licdb, card_text, readme->readme_len);
		if (tmp != NULL && tmp->count > 0) {
			if (files == NULL)
				files = child(&b, child(&b, root, "licenses", AV_MAP), "files", AV_SEQ);
			for (av_node *e = tmp->first, *next; e != NULL; e = next) {
				next = e->next;
				e->next = NULL;
				av_seq_append(files, e);
			}
		}
	}
	if (card_text != NULL) {
		av_node *mc = child(&b, root, "model_card", AV_MAP);
		av_node *t = av_node_new_str(b.doc, card_text, readme->readme_len);
		if (t == NULL)
			b.rc = AV_ENOMEM;
		set(&b, mc, "text", t, "README.md", 0);
	}
	free(card_text);

	/* Every file. */
	av_node *arts = run->files.n > 0 ? child(&b, root, "artifacts", AV_SEQ) : NULL;
	bool has_weights = false, has_data = false;
	const char *weights_file = NULL, *data_file = NULL;
	for (size_t i = 0; i < run->files.n && b.rc == 0; i++) {
		artifact(&b, arts, &run->files.v[i], &run->res[i], d);
		const av_node *a = arts->last;
		const char *fmt = av_map_str(a, "format");
		if (fmt != NULL && !has_weights) {
			has_weights = true;
			weights_file = run->files.v[i].rel;
		}
		if (data_name(run->files.v[i].rel) && !has_data) {
			has_data = true;
			data_file = run->files.v[i].rel;
		}
	}

	/* Dependencies. */
	av_node *deps = NULL;
	struct dedupe *seen = NULL;
	size_t nseen = 0, capseen = 0;
	for (size_t i = 0; i < run->files.n && b.rc == 0; i++) {
		const struct av_scan_result *r = &run->res[i];
		for (size_t k = 0; k < r->deps.n && b.rc == 0; k++) {
			const av_dep *dep = &r->deps.v[k];
			char norm[256], key[600];
			av_deps_normalise_name(dep->name, norm, sizeof(norm));
			snprintf(key, sizeof(key), "%s|%s|%.300s|%d|%d", norm, dep->ecosystem,
			    dep->version ? dep->version : "", dep->pinned, dep->hashed);
			size_t j = 0;
			while (j < nseen && strcmp(seen[j].key, key) != 0)
				j++;
			if (j < nseen) {
				/* the same dependency declared again: one more place */
				for (av_node *e = deps->first; e != NULL; e = e->next) {
					char n2[256];
					av_deps_normalise_name(av_map_str(e, "name"), n2, sizeof(n2));
					const char *v = av_map_str(e, "version");
					if (strcmp(n2, norm) == 0 && strcmp(v ? v : "", dep->version ? dep->version
					    : "") == 0)
						evidence(&b, e, run->files.v[i].rel, dep->line);
				}
				continue;
			}
			if (nseen == capseen) {
				capseen = capseen ? capseen * 2 : 64;
				struct dedupe *ns = realloc(seen, capseen * sizeof(*ns));
				if (ns == NULL) {
					b.rc = AV_ENOMEM;
					break;
				}
				seen = ns;
			}
			snprintf(seen[nseen++].key, sizeof(seen[0].key), "%s", key);
			if (deps == NULL)
				deps = child(&b, root, "dependencies", AV_SEQ);
			av_node *e = node(&b, AV_MAP);
			if (e == NULL)
				break;
			av_seq_append(deps, e);
			evidence(&b, e, run->files.v[i].rel, dep->line);
			set(&b, e, "name", str(&b, dep->name), NULL, 0);
			if (dep->version != NULL)
				set(&b, e, "version", str(&b, dep->version), NULL, 0);
			set(&b, e, "ecosystem", str(&b, dep->ecosystem), NULL, 0);
			set(&b, e, "pinned", boolean(&b, dep->pinned), NULL, 0);
			if (dep->hashed)
				set(&b, e, "hashed", boolean(&b, true), NULL, 0);
		}
	}
	free(seen);

	/* What runs: remote code, downloads, unsafe calls, secrets. */
	av_node *rt = NULL, *remote = NULL, *dl_flag = NULL, *dls = NULL, *unsafe = NULL;
	av_node *sec_flag = NULL, *secs = NULL;
	size_t nunsafe = 0, nsecrets = 0;
	for (size_t i = 0; i < run->files.n && b.rc == 0; i++) {
		const struct av_scan_result *r = &run->res[i];
		const char *rel = run->files.v[i].rel;
		bool any = r->auto_map_line > 0 || r->custom_code || r->code.n > 0 || r->secrets.n > 0;
		if (!any)
			continue;
		if (rt == NULL)
			rt = child(&b, root, "runtime", AV_MAP);
		if (r->auto_map_line > 0 || r->custom_code) {
			if (remote == NULL)
				remote = set(&b, rt, "remote_code", boolean(&b, true), NULL, 0);
			evidence(&b, remote, rel, r->auto_map_line);
		}
		for (size_t k = 0; k < r->code.n && b.rc == 0; k++) {
			const av_codefact *c = &r->code.v[k];
			if (c->kind == AV_CODE_REMOTE_CODE) {
				if (remote == NULL)
					remote = set(&b, rt, "remote_code", boolean(&b, true), NULL, 0);
				evidence(&b, remote, rel, c->line);
			} else if (c->kind == AV_CODE_DOWNLOAD) {
				char what[400];
				if (c->target[0] != '\0')
					snprintf(what, sizeof(what), "%s", c->target);
				else
					snprintf(what, sizeof(what), "%s(...)", c->call);
				if (dl_flag == NULL) {
					dl_flag = set(&b, rt, "downloads_at_runtime", boolean(&b, true), NULL, 0);
					dls = child(&b, rt, "downloads", AV_SEQ);
				}
				evidence(&b, dl_flag, rel, c->line);
				av_node *e = NULL;
				for (av_node *x = dls ? dls->first : NULL; x != NULL; x = x->next)
					if (strcmp(x->str, what) == 0)
						e = x;
				if (e == NULL && dls != NULL && dls->count < MAX_LISTED) {
					e = str(&b, what);
					if (e != NULL)
						av_seq_append(dls, e);
				}
				evidence(&b, e, rel, c->line);
			} else {
				if (nunsafe++ >= MAX_LISTED)
					continue;
				if (unsafe == NULL)
					unsafe = child(&b, rt, "unsafe_calls", AV_SEQ);
				av_node *e = node(&b, AV_MAP);
				if (e == NULL)
					break;
				av_seq_append(unsafe, e);
				evidence(&b, e, rel, c->line);
				set(&b, e, "path", str(&b, rel), NULL, 0);
				set(&b, e, "line", integer(&b, c->line), NULL, 0);
				set(&b, e, "kind", str(&b, av_code_kind_name(c->kind)), NULL, 0);
				set(&b, e, "call", str(&b, c->call), NULL, 0);
			}
		}
		for (size_t k = 0; k < r->secrets.n && b.rc == 0; k++) {
			const av_secret *x = &r->secrets.v[k];
			if (sec_flag == NULL) {
				sec_flag = set(&b, rt, "secrets_in_examples", boolean(&b, true), NULL, 0);
				secs = child(&b, rt, "secrets", AV_SEQ);
			}
			evidence(&b, sec_flag, rel, x->line);
			if (nsecrets++ >= MAX_LISTED)
				continue;
			av_node *e = node(&b, AV_MAP);
			if (e == NULL)
				break;
			av_seq_append(secs, e);
			evidence(&b, e, rel, x->line);
			set(&b, e, "path", str(&b, rel), NULL, 0);
			set(&b, e, "line", integer(&b, x->line), NULL, 0);
			set(&b, e, "kind", str(&b, x->kind), NULL, 0);
		}
	}
	if (nunsafe > MAX_LISTED)
		av_diags_add(d, AV_OK, run->root, 0, 0, "%zu calls that run code or load pickles: the "
		    "first %d are listed", nunsafe, MAX_LISTED);
	if (nsecrets > MAX_LISTED)
		av_diags_add(d, AV_OK, run->root, 0, 0, "%zu secrets: the first %d are listed",
		    nsecrets, MAX_LISTED);

	/* The kind: the card's, the cache's, or what the files are. */
	if (run->in_hf && run->hf.dataset) {
		kind = "dataset";
		evidence(&b, kind_node, "the cache folder", 0);
	} else if (kind != NULL) {
		evidence(&b, kind_node, "README.md", 0);
	} else if (has_weights) {
		kind = "model";
		evidence(&b, kind_node, weights_file, 0);
	} else if (has_data) {
		kind = "dataset";
		evidence(&b, kind_node, data_file, 0);
	} else {
		kind = "code";
	}
	if (kind_node != NULL) {
		kind_node->str = av_doc_strdup(b.doc, kind, strlen(kind));
		kind_node->len = strlen(kind);
	}

	if (b.rc != 0) {
		av_scan_destroy(s);
		return b.rc;
	}
	av_diags vd;
	av_diags_init(&vd);
	if (av_manifest_validate(av_doc_root(s->doc), "scan", &vd) != 0) {
		for (size_t i = 0; i < vd.n; i++)
			av_diags_add(d, AV_EINTERNAL, vd.v[i].file, vd.v[i].line, vd.v[i].column,
			    "the scan made an invalid manifest: %s", vd.v[i].msg);
		av_diags_fini(&vd);
		av_scan_destroy(s);
		return AV_EINTERNAL;
	}
	av_diags_fini(&vd);
	*out = s;
	return 0;
}

/* ---- scanner reports --------------------------------------------------------------------- */

static bool
same_ecosystem(const char *a, const char *b)
{
	return a == NULL || b == NULL || strcmp(a, b) == 0 ||
	    (strcmp(a, "conda") == 0 && strcmp(b, "pypi") == 0) ||
	    (strcmp(a, "pypi") == 0 && strcmp(b, "conda") == 0);
}

static void
attach(struct b *b, av_node *dep, const av_vuln *v, const char *report)
{
	av_node *list = child(b, dep, "vulnerabilities", AV_SEQ);
	for (const av_node *x = list ? list->first : NULL; x != NULL; x = x->next) {
		const char *id = av_map_str(x, "id");
		if (id != NULL && strcmp(id, v->id) == 0)
			return;
	}
	av_node *e = node(b, AV_MAP);
	if (e == NULL || list == NULL)
		return;
	av_seq_append(list, e);
	evidence(b, e, report, 0);
	set(b, e, "id", str(b, v->id), NULL, 0);
	if (v->severity != NULL)
		set(b, e, "severity", str(b, v->severity), NULL, 0);
	if (v->fixed_in != NULL)
		set(b, e, "fixed_in", str(b, v->fixed_in), NULL, 0);
	if (v->summary != NULL)
		set(b, e, "summary", str(b, v->summary), NULL, 0);
}

int
av_scan_add_vulns(av_scan *s, const char *buf, size_t len, const char *name, av_diags *d)
{
	av_vulns vs;
	struct b b = {.doc = s->doc, .ev = s->ev};
	int rc;

	av_vulns_init(&vs);
	if ((rc = av_vulns_parse(&vs, buf, len, name, d)) != 0) {
		av_vulns_fini(&vs);
		return rc;
	}
	av_node *root = av_doc_root(s->doc);
	for (size_t i = 0; i < vs.n && b.rc == 0; i++) {
		const av_vuln *v = &vs.v[i];
		char want[256];
		bool matched = false;
		av_deps_normalise_name(v->package, want, sizeof(want));
		av_node *deps = (av_node *)av_map_get(root, "dependencies");
		for (av_node *dep = deps ? deps->first : NULL; dep != NULL && b.rc == 0;
		    dep = dep->next) {
			char have[256];
			const char *dn = av_map_str(dep, "name");
			if (dn == NULL)
				continue;
			av_deps_normalise_name(dn, have, sizeof(have));
			if (strcmp(have, want) == 0 &&
			    same_ecosystem(av_map_str(dep, "ecosystem"), v->ecosystem)) {
				attach(&b, dep, v, name);
				matched = true;
			}
		}
		if (matched)
			continue;
		/* installed, reported, but declared by no file of the release */
		if (deps == NULL)
			deps = child(&b, root, "dependencies", AV_SEQ);
		av_node *e = node(&b, AV_MAP);
		if (e == NULL || deps == NULL)
			break;
		av_seq_append(deps, e);
		evidence(&b, e, name, 0);
		set(&b, e, "name", str(&b, v->package), NULL, 0);
		if (v->version != NULL) {
			char spec[160];
			snprintf(spec, sizeof(spec), "==%.120s", v->version);
			set(&b, e, "version", str(&b, spec), NULL, 0);
		}
		if (v->ecosystem != NULL)
			set(&b, e, "ecosystem", str(&b, v->ecosystem), NULL, 0);
		/* not pinned by any file of the release: only the report names it */
		set(&b, e, "pinned", boolean(&b, false), NULL, 0);
		attach(&b, e, v, name);
	}
	av_vulns_fini(&vs);
	if (b.rc != 0)
		return b.rc;
	av_diags vd;
	av_diags_init(&vd);
	if (av_manifest_validate(root, name, &vd) != 0) {
		for (size_t i = 0; i < vd.n; i++)
			av_diags_add(d, AV_EINTERNAL, vd.v[i].file, vd.v[i].line, vd.v[i].column,
			    "joining the report made an invalid manifest: %s", vd.v[i].msg);
		av_diags_fini(&vd);
		return AV_EINTERNAL;
	}
	av_diags_fini(&vd);
	return 0;
}
