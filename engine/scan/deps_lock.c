/*
 * deps_lock.c - the structured dependency files: pyproject.toml and
 * Pipfile (TOML), poetry.lock and uv.lock (TOML lock files), Pipfile.lock
 * (JSON) and conda's environment.yml (YAML).  Each file is parsed into the
 * document tree first (toml.c, doc.c), so that every dependency keeps its
 * line; the tables each tool defines are then read as that tool documents
 * them.
 */
#include <stdio.h>
#include <string.h>

#include "deps_int.h"
#include "toml.h"
#include "util.h"

static void
limits(av_limits *l)
{
	av_limits_default(l);
	l->max_bytes = AV_DEPS_MAX_BYTES;
	l->max_nodes = 2000000;
}

static int
parse_toml(av_doc **doc, const char *buf, size_t len, const char *name, av_diags *d)
{
	av_limits lim;
	av_error err;

	limits(&lim);
	int rc = av_toml_parse(doc, buf, len, name, &lim, &err);
	if (rc != 0)
		av_diags_add(d, rc, name, err.line, err.column, "%s", err.msg);
	return rc == AV_ENOMEM ? rc : rc ? AV_EPARSE : 0;
}

static int
parse_doc(av_doc **doc, const char *buf, size_t len, av_format fmt, const char *name,
    av_diags *d)
{
	av_limits lim;
	av_error err;

	limits(&lim);
	int rc = av_doc_parse(doc, buf, len, fmt, name, &lim, &err);
	if (rc != 0)
		av_diags_add(d, rc, name, err.line, err.column, "%s", err.msg);
	return rc == AV_ENOMEM ? rc : rc ? AV_EPARSE : 0;
}

/* Each string of a sequence as a PEP 508 requirement. */
static int
pep508_list(av_deps *out, const av_node *seq, const char *name, av_diags *d)
{
	if (seq == NULL)
		return 0;
	if (seq->type != AV_SEQ) {
		av_diags_add(d, AV_EPARSE, name, seq->line, seq->column,
		    "expected a list of requirements, got %s", av_ntype_name(seq->type));
		return 0;
	}
	for (const av_node *e = seq->first; e != NULL; e = e->next) {
		if (e->type != AV_STR) {
			if (e->type != AV_MAP) /* {include-group = ...} refers to another group */
				av_diags_add(d, AV_EPARSE, name, e->line, e->column,
				    "expected a requirement string, got %s", av_ntype_name(e->type));
			continue;
		}
		int rc = av_deps_pep508(out, e->str, e->len, e->line, false);
		if (rc == AV_ENOMEM)
			return rc;
		if (rc != 0)
			av_diags_add(d, AV_EPARSE, name, e->line, e->column,
			    "not a requirement (PEP 508): %.100s", e->str);
	}
	return 0;
}

/* Poetry's and Pipenv's version constraints: pinned when "==V", "=V" or a
 * bare version with no operator or wildcard. */
static bool
constraint_pinned(const char *s)
{
	while (*s == ' ')
		s++;
	if (s[0] == '=' && s[1] == '=')
		s += 2;
	else if (s[0] == '=')
		s += 1;
	else if (!(s[0] >= '0' && s[0] <= '9'))
		return false;
	while (*s == ' ')
		s++;
	size_t n = strlen(s);
	while (n > 0 && s[n - 1] == ' ')
		n--;
	if (n == 0)
		return false;
	for (size_t i = 0; i < n; i++)
		if (strchr("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.+!-_", s[i]) ==
		    NULL || s[i] == '\0')
			return false;
	return true;
}

/* A git source pinned by a full commit: the spec names the URL and the ref. */
static int
git_dep(av_deps *out, const av_node *dep, const char *git, const char *ref, const char *ecosystem)
{
	char safe[400], spec[480];
	av_scan_safe_url(git, strlen(git), safe, sizeof(safe));
	snprintf(spec, sizeof(spec), "@ git+%s%s%s", safe, ref ? "@" : "", ref ? ref : "");
	bool pinned = ref != NULL && strlen(ref) == 40 && av_scan_hex(ref, 40);
	return av_deps_add(out, dep->key, strlen(dep->key), spec, strlen(spec), ecosystem, pinned,
	    false, dep->key_line ? dep->key_line : dep->line);
}

/* name = "constraint" | {version = ..., git = ..., rev/ref = ...} | [{...}, ...]
 * (Poetry's and Pipenv's tables of dependencies). */
static int
constraint_table(av_deps *out, const av_node *tbl, const char *name, av_diags *d)
{
	if (tbl == NULL)
		return 0;
	if (tbl->type != AV_MAP) {
		av_diags_add(d, AV_EPARSE, name, tbl->line, tbl->column,
		    "expected a table of dependencies, got %s", av_ntype_name(tbl->type));
		return 0;
	}
	for (const av_node *dep = tbl->first; dep != NULL; dep = dep->next) {
		int line = dep->key_line ? dep->key_line : dep->line, rc = 0;
		if (strcmp(dep->key, "python") == 0)
			continue;
		const av_node *v = dep;
		if (v->type == AV_SEQ) /* several constraints with markers: the first stands */
			v = v->first;
		if (v != NULL && v->type == AV_STR) {
			rc = av_deps_add(out, dep->key, strlen(dep->key),
			    strcmp(v->str, "*") == 0 ? NULL : v->str, v->len, "pypi",
			    constraint_pinned(v->str), false, line);
		} else if (v != NULL && v->type == AV_MAP) {
			const char *ver = av_map_str(v, "version"), *git = av_map_str(v, "git");
			const char *ref = av_map_str(v, "rev") ? av_map_str(v, "rev") : av_map_str(v, "ref");
			if (git != NULL) {
				rc = git_dep(out, dep, git, ref, "pypi");
			} else if (av_map_get(v, "path") != NULL || av_map_get(v, "file") != NULL) {
				av_diags_add(d, AV_OK, name, line, 0,
				    "%s is a local path: not a published dependency", dep->key);
			} else if (av_map_str(v, "url") != NULL) {
				char safe[400], spec[410];
				av_scan_safe_url(av_map_str(v, "url"), strlen(av_map_str(v, "url")), safe,
				    sizeof(safe));
				snprintf(spec, sizeof(spec), "@ %s", safe);
				rc = av_deps_add(out, dep->key, strlen(dep->key), spec, strlen(spec), "pypi",
				    false, false, line);
			} else {
				rc = av_deps_add(out, dep->key, strlen(dep->key),
				    ver && strcmp(ver, "*") != 0 ? ver : NULL, ver ? strlen(ver) : 0, "pypi",
				    ver != NULL && constraint_pinned(ver), false, line);
			}
		} else {
			av_diags_add(d, AV_EPARSE, name, line, 0,
			    "%s: expected a version string or a table", dep->key);
		}
		if (rc != 0)
			return rc;
	}
	return 0;
}

int
av_deps_pyproject(av_deps *out, const char *buf, size_t len, const char *name, av_diags *d)
{
	av_doc *doc;
	int rc = parse_toml(&doc, buf, len, name, d);

	if (rc != 0)
		return rc;
	const av_node *root = av_doc_root(doc);
	const av_node *proj = av_map_get(root, "project");
	if (proj != NULL) {
		rc = pep508_list(out, av_map_get(proj, "dependencies"), name, d);
		const av_node *opt = av_map_get(proj, "optional-dependencies");
		for (const av_node *g = opt && opt->type == AV_MAP ? opt->first : NULL; g && rc == 0;
		    g = g->next)
			rc = pep508_list(out, g, name, d);
		const av_node *dyn = av_map_get(proj, "dynamic");
		for (const av_node *e = dyn && dyn->type == AV_SEQ ? dyn->first : NULL; e; e = e->next)
			if (e->type == AV_STR && (strcmp(e->str, "dependencies") == 0 ||
			    strcmp(e->str, "optional-dependencies") == 0))
				av_diags_add(d, AV_OK, name, e->line, e->column,
				    "project.%s is dynamic: the build backend computes it", e->str);
	}
	const av_node *groups = av_map_get(root, "dependency-groups");
	for (const av_node *g = groups && groups->type == AV_MAP ? groups->first : NULL; g && rc == 0;
	    g = g->next)
		rc = pep508_list(out, g, name, d);
	const av_node *poetry = av_node_at(root, "tool.poetry");
	if (poetry != NULL && rc == 0) {
		rc = constraint_table(out, av_map_get(poetry, "dependencies"), name, d);
		if (rc == 0)
			rc = constraint_table(out, av_map_get(poetry, "dev-dependencies"), name, d);
		const av_node *pg = av_map_get(poetry, "group");
		for (const av_node *g = pg && pg->type == AV_MAP ? pg->first : NULL; g && rc == 0;
		    g = g->next)
			rc = constraint_table(out, av_map_get(g, "dependencies"), name, d);
	}
	av_doc_destroy(doc);
	return rc;
}

int
av_deps_pipfile(av_deps *out, const char *buf, size_t len, const char *name, av_diags *d)
{
	av_doc *doc;
	int rc = parse_toml(&doc, buf, len, name, d);

	if (rc != 0)
		return rc;
	rc = constraint_table(out, av_map_get(av_doc_root(doc), "packages"), name, d);
	if (rc == 0)
		rc = constraint_table(out, av_map_get(av_doc_root(doc), "dev-packages"), name, d);
	av_doc_destroy(doc);
	return rc;
}

int
av_deps_pipfile_lock(av_deps *out, const char *buf, size_t len, const char *name, av_diags *d)
{
	static const char *const sections[] = {"default", "develop"};
	av_doc *doc;
	int rc = parse_doc(&doc, buf, len, AV_FMT_JSON, name, d);

	if (rc != 0)
		return rc;
	for (size_t s = 0; s < 2 && rc == 0; s++) {
		const av_node *sec = av_map_get(av_doc_root(doc), sections[s]);
		for (const av_node *p = sec && sec->type == AV_MAP ? sec->first : NULL; p && rc == 0;
		    p = p->next) {
			const char *ver = av_map_str(p, "version"), *git = av_map_str(p, "git");
			const av_node *hashes = av_map_get(p, "hashes");
			bool hashed = hashes != NULL && hashes->type == AV_SEQ && hashes->count > 0;
			int line = p->key_line ? p->key_line : p->line;
			if (git != NULL)
				rc = git_dep(out, p, git, av_map_str(p, "ref"), "pypi");
			else if (ver != NULL)
				rc = av_deps_add(out, p->key, strlen(p->key), ver, strlen(ver), "pypi",
				    strncmp(ver, "==", 2) == 0 && av_deps_exact(ver + 2, strlen(ver + 2)),
				    hashed, line);
			else
				av_diags_add(d, AV_OK, name, line, 0,
				    "%s has no version (a local path?): not read", p->key);
		}
	}
	av_doc_destroy(doc);
	return rc;
}

/* A lock file's package: name and version, "==version" pinned. */
static int
locked(av_deps *out, const av_node *pkg, bool hashed, const char *name, av_diags *d)
{
	const av_node *n = av_map_get(pkg, "name"), *v = av_map_get(pkg, "version");
	char spec[160];

	if (n == NULL || n->type != AV_STR || n->len == 0) {
		av_diags_add(d, AV_EPARSE, name, pkg->line, pkg->column, "a package without a name");
		return 0;
	}
	if (v == NULL || v->type != AV_STR || v->len == 0 || v->len > 120) {
		av_diags_add(d, AV_OK, name, n->line, n->column, "%.100s has no version: not read",
		    n->str);
		return 0;
	}
	snprintf(spec, sizeof(spec), "==%s", v->str);
	return av_deps_add(out, n->str, n->len, spec, strlen(spec), "pypi", true, hashed, n->line);
}

static bool
has_hash(const av_node *files)
{
	for (const av_node *f = files && files->type == AV_SEQ ? files->first : NULL; f; f = f->next)
		if (av_map_str(f, "hash") != NULL)
			return true;
	return false;
}

int
av_deps_poetry_lock(av_deps *out, const char *buf, size_t len, const char *name, av_diags *d)
{
	av_doc *doc;
	int rc = parse_toml(&doc, buf, len, name, d);

	if (rc != 0)
		return rc;
	const av_node *root = av_doc_root(doc);
	const av_node *pkgs = av_map_get(root, "package");
	const av_node *meta_files = av_node_at(root, "metadata.files");
	for (const av_node *p = pkgs && pkgs->type == AV_SEQ ? pkgs->first : NULL; p && rc == 0;
	    p = p->next) {
		bool hashed = has_hash(av_map_get(p, "files"));
		const char *pn = av_map_str(p, "name");
		if (!hashed && pn != NULL && meta_files != NULL)
			hashed = has_hash(av_map_get(meta_files, pn));
		rc = locked(out, p, hashed, name, d);
	}
	av_doc_destroy(doc);
	return rc;
}

int
av_deps_uv_lock(av_deps *out, const char *buf, size_t len, const char *name, av_diags *d)
{
	av_doc *doc;
	int rc = parse_toml(&doc, buf, len, name, d);

	if (rc != 0)
		return rc;
	const av_node *pkgs = av_map_get(av_doc_root(doc), "package");
	for (const av_node *p = pkgs && pkgs->type == AV_SEQ ? pkgs->first : NULL; p && rc == 0;
	    p = p->next) {
		const av_node *src = av_map_get(p, "source");
		if (src != NULL && (av_map_get(src, "editable") || av_map_get(src, "virtual")))
			continue; /* the project itself, or a member of its workspace */
		const av_node *sd = av_map_get(p, "sdist");
		bool hashed = (sd != NULL && av_map_str(sd, "hash") != NULL) ||
		    has_hash(av_map_get(p, "wheels"));
		rc = locked(out, p, hashed, name, d);
	}
	av_doc_destroy(doc);
	return rc;
}

/* conda's MatchSpec: [channel::]name[ version[ build]] or name<op>version[=build]. */
static int
conda_spec(av_deps *out, const av_node *e, const char *name, av_diags *d)
{
	const char *s = e->str, *colons = strstr(s, "::");
	if (colons != NULL)
		s = colons + 2;
	while (*s == ' ')
		s++;
	size_t n = 0;
	while (s[n] && (strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-", s[n]) != NULL))
		n++;
	if (n == 0) {
		av_diags_add(d, AV_EPARSE, name, e->line, e->column,
		    "not a conda package spec: %.100s", e->str);
		return 0;
	}
	const char *spec = s + n;
	while (*spec == ' ')
		spec++;
	size_t sl = strlen(spec);
	while (sl > 0 && spec[sl - 1] == ' ')
		sl--;
	bool pinned = false;
	if (sl > 2 && spec[0] == '=' && spec[1] == '=') {
		pinned = av_deps_exact(spec + 2, sl - 2) && memchr(spec, ',', sl) == NULL &&
		    memchr(spec, '|', sl) == NULL;
	} else if (sl > 1 && spec[0] == '=') {
		/* "=V" is every V.*: pinned only with a build, "=V=B" */
		const char *b = memchr(spec + 1, '=', sl - 1);
		pinned = b != NULL && b > spec + 1 && b + 1 < spec + sl &&
		    av_deps_exact(spec + 1, (size_t)(b - spec - 1));
	} else if (sl > 0 && spec[0] >= '0' && spec[0] <= '9') {
		/* "V B": a version and a build */
		const char *b = memchr(spec, ' ', sl);
		pinned = b != NULL && av_deps_exact(spec, (size_t)(b - spec)) &&
		    strpbrk(spec, "<>!,|") == NULL;
	}
	return av_deps_add(out, s, n, sl ? spec : NULL, sl, "conda", pinned, false, e->line);
}

int
av_deps_conda_env(av_deps *out, const char *buf, size_t len, const char *name, av_diags *d)
{
	av_doc *doc;
	int rc = parse_doc(&doc, buf, len, AV_FMT_YAML, name, d);

	if (rc != 0)
		return rc;
	const av_node *deps = av_map_get(av_doc_root(doc), "dependencies");
	if (deps != NULL && deps->type != AV_SEQ)
		av_diags_add(d, AV_EPARSE, name, deps->line, deps->column,
		    "dependencies: expected a list");
	for (const av_node *e = deps && deps->type == AV_SEQ ? deps->first : NULL; e && rc == 0;
	    e = e->next) {
		if (e->type == AV_STR) {
			rc = conda_spec(out, e, name, d);
		} else if (e->type == AV_MAP && av_map_get(e, "pip") != NULL) {
			const av_node *pip = av_map_get(e, "pip");
			for (const av_node *r = pip->type == AV_SEQ ? pip->first : NULL; r && rc == 0;
			    r = r->next) {
				if (r->type != AV_STR)
					continue;
				if (r->str[0] == '-') {
					av_diags_add(d, AV_OK, name, r->line, r->column,
					    "pip option %.60s: read when the file it names is itself a "
					    "requirements file", r->str);
					continue;
				}
				rc = av_deps_pep508(out, r->str, r->len, r->line, false);
				if (rc == AV_EPARSE) {
					rc = 0;
					av_diags_add(d, AV_EPARSE, name, r->line, r->column,
					    "not a requirement (PEP 508): %.100s", r->str);
				}
			}
		} else {
			av_diags_add(d, AV_EPARSE, name, e->line, e->column,
			    "expected a package spec, got %s", av_ntype_name(e->type));
		}
	}
	av_doc_destroy(doc);
	return rc;
}
