/*
 * deps_pip.c - PEP 508 requirements, pip's requirements files and
 * setup.cfg; the list of dependencies and the choice of reader (see
 * deps.h).
 *
 * A requirements file is read as pip reads it: lines joined at a trailing
 * backslash, comments from " #", options (-r, -c, -e, --index-url,
 * --hash, ...), then each requirement by the PEP 508 grammar.  setup.cfg is
 * read as the INI file setuptools reads: install_requires and
 * extras_require values are lists, one requirement per line.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "deps_int.h"
#include "util.h"

/* ---- the list -------------------------------------------------------------- */

void
av_deps_init(av_deps *d)
{
	memset(d, 0, sizeof(*d));
}

void
av_deps_fini(av_deps *d)
{
	for (size_t i = 0; i < d->n; i++) {
		free(d->v[i].name);
		free(d->v[i].version);
	}
	free(d->v);
	memset(d, 0, sizeof(*d));
}

int
av_deps_add(av_deps *out, const char *name, size_t nlen, const char *version, size_t vlen,
    const char *ecosystem, bool pinned, bool hashed, int line)
{
	/* No package is named by nothing, or by control characters (a NUL in a
	 * JSON key, a wheel file name): such an entry names no dependency. */
	if (nlen == 0)
		return 0;
	for (size_t i = 0; i < nlen; i++)
		if ((unsigned char)name[i] < 0x20 || name[i] == 0x7F)
			return 0;
	if (out->n == out->cap) {
		size_t cap = out->cap ? out->cap * 2 : 16;
		av_dep *v = realloc(out->v, cap * sizeof(*v));
		if (v == NULL)
			return AV_ENOMEM;
		out->v = v;
		out->cap = cap;
	}
	av_dep *e = &out->v[out->n];
	memset(e, 0, sizeof(*e));
	if ((e->name = strndup(name, nlen)) == NULL)
		return AV_ENOMEM;
	if (version != NULL && vlen > 0 && (e->version = strndup(version, vlen)) == NULL) {
		free(e->name);
		return AV_ENOMEM;
	}
	e->ecosystem = ecosystem;
	e->pinned = pinned;
	e->hashed = hashed;
	e->line = line;
	out->n++;
	return 0;
}

void
av_deps_normalise_name(const char *name, char *out, size_t cap)
{
	size_t n = 0;
	bool sep = false;

	if (cap == 0)
		return;
	for (const char *p = name; *p && n + 1 < cap; p++) {
		char c = *p;
		if (c == '-' || c == '_' || c == '.') {
			sep = true;
			continue;
		}
		if (sep && n > 0 && n + 2 < cap)
			out[n++] = '-';
		sep = false;
		out[n++] = (char)(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
	}
	out[n] = '\0';
}

bool
av_deps_exact(const char *v, size_t n)
{
	return n > 0 && memchr(v, '*', n) == NULL;
}

/* ---- choosing a reader ------------------------------------------------------ */

av_depfile
av_depfile_of(const char *relpath)
{
	const char *base = av_scan_basename(relpath);

	if (strcasecmp(base, "pyproject.toml") == 0)
		return AV_DEPFILE_PYPROJECT;
	if (strcmp(base, "setup.cfg") == 0)
		return AV_DEPFILE_SETUP_CFG;
	if (strcmp(base, "setup.py") == 0)
		return AV_DEPFILE_SETUP_PY;
	if (strcmp(base, "Pipfile") == 0)
		return AV_DEPFILE_PIPFILE;
	if (strcmp(base, "Pipfile.lock") == 0)
		return AV_DEPFILE_PIPFILE_LOCK;
	if (strcmp(base, "poetry.lock") == 0)
		return AV_DEPFILE_POETRY_LOCK;
	if (strcmp(base, "uv.lock") == 0)
		return AV_DEPFILE_UV_LOCK;
	if (strcasecmp(base, "environment.yml") == 0 || strcasecmp(base, "environment.yaml") == 0 ||
	    strcasecmp(base, "conda.yml") == 0 || strcasecmp(base, "conda.yaml") == 0)
		return AV_DEPFILE_CONDA_ENV;
	if (av_scan_suffix(base, ".txt")) {
		size_t dl = (size_t)(base - relpath);
		if (strcasestr(base, "requirements") != NULL || av_scan_prefix(base, "constraints"))
			return AV_DEPFILE_REQUIREMENTS;
		if (dl >= 13 && strncasecmp(base - 13, "requirements/", 13) == 0 &&
		    (dl == 13 || base[-14] == '/'))
			return AV_DEPFILE_REQUIREMENTS;
	}
	return AV_DEPFILE_NONE;
}

const char *
av_depfile_name(av_depfile kind)
{
	static const char *const names[] = {"none", "requirements", "pyproject", "setup.cfg",
		"setup.py", "Pipfile", "Pipfile.lock", "poetry.lock", "uv.lock", "environment"};
	return (size_t)kind < sizeof(names) / sizeof(names[0]) ? names[kind] : "none";
}

int
av_deps_parse(av_deps *out, av_depfile kind, const char *buf, size_t len, const char *name,
    av_diags *d)
{
	if (len > AV_DEPS_MAX_BYTES) {
		av_diags_add(d, AV_ELIMIT, name, 0, 0, "larger than %u bytes: not read",
		    AV_DEPS_MAX_BYTES);
		return AV_EPARSE;
	}
	switch (kind) {
	case AV_DEPFILE_REQUIREMENTS: return av_deps_requirements(out, buf, len, name, d);
	case AV_DEPFILE_PYPROJECT: return av_deps_pyproject(out, buf, len, name, d);
	case AV_DEPFILE_SETUP_CFG: return av_deps_setup_cfg(out, buf, len, name, d);
	case AV_DEPFILE_SETUP_PY: return av_deps_setup_py(out, buf, len, name, d);
	case AV_DEPFILE_PIPFILE: return av_deps_pipfile(out, buf, len, name, d);
	case AV_DEPFILE_PIPFILE_LOCK: return av_deps_pipfile_lock(out, buf, len, name, d);
	case AV_DEPFILE_POETRY_LOCK: return av_deps_poetry_lock(out, buf, len, name, d);
	case AV_DEPFILE_UV_LOCK: return av_deps_uv_lock(out, buf, len, name, d);
	case AV_DEPFILE_CONDA_ENV: return av_deps_conda_env(out, buf, len, name, d);
	case AV_DEPFILE_NONE: break;
	}
	return 0;
}

/* ---- PEP 508 ----------------------------------------------------------------- */

static bool
alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

static bool
ws(char c)
{
	return c == ' ' || c == '\t';
}

static bool
version_char(char c)
{
	return alnum(c) || c == '_' || c == '.' || c == '*' || c == '+' || c == '!' || c == '-';
}

/* A direct reference is pinned when it names a commit or carries a hash. */
static bool
url_pinned(const char *u, size_t n, bool *hashed)
{
	const char *h = NULL;
	for (size_t i = 0; i + 7 < n; i++)
		if (memcmp(u + i, "sha256=", 7) == 0 || memcmp(u + i, "sha384=", 7) == 0 ||
		    memcmp(u + i, "sha512=", 7) == 0)
			h = u + i;
	if (h != NULL) {
		*hashed = true;
		return true;
	}
	/* git+...@<40 hex> (before any "#") */
	const char *frag = memchr(u, '#', n);
	size_t m = frag ? (size_t)(frag - u) : n;
	const char *at = NULL;
	for (size_t i = 0; i < m; i++)
		if (u[i] == '@')
			at = u + i;
	const char *slash = NULL;
	for (size_t i = 0; i < m; i++)
		if (u[i] == '/')
			slash = u + i;
	return at != NULL && slash != NULL && at > slash && (size_t)(u + m - at - 1) == 40 &&
	    av_scan_hex(at + 1, 40);
}

int
av_deps_pep508(av_deps *out, const char *s, size_t len, int line, bool hashed)
{
	size_t i = 0, nst, nend;
	char spec[512];
	size_t sn = 0;
	bool pinned = false;

	while (i < len && ws(s[i]))
		i++;
	while (len > i && (ws(s[len - 1]) || s[len - 1] == '\r'))
		len--;
	nst = i;
	if (i >= len || !alnum(s[i]))
		return AV_EPARSE;
	while (i < len && (alnum(s[i]) || s[i] == '.' || s[i] == '_' || s[i] == '-'))
		i++;
	nend = i;
	if (!alnum(s[nend - 1]))
		return AV_EPARSE;
	while (i < len && ws(s[i]))
		i++;
	if (i < len && s[i] == '[') {
		i++;
		while (i < len && s[i] != ']') {
			if (!(alnum(s[i]) || ws(s[i]) || strchr("._-,", s[i]) != NULL) || s[i] == '\0')
				return AV_EPARSE;
			i++;
		}
		if (i >= len)
			return AV_EPARSE;
		i++;
		while (i < len && ws(s[i]))
			i++;
	}
	if (i < len && s[i] == '@') {
		i++;
		while (i < len && ws(s[i]))
			i++;
		size_t ust = i;
		/* the URL ends at whitespace followed by ';', or at the end */
		while (i < len && !ws(s[i]))
			i++;
		if (i == ust)
			return AV_EPARSE;
		char safe[400];
		av_scan_safe_url(s + ust, i - ust, safe, sizeof(safe));
		snprintf(spec, sizeof(spec), "@ %s", safe);
		sn = strlen(spec);
		pinned = url_pinned(s + ust, i - ust, &hashed);
		while (i < len && ws(s[i]))
			i++;
	} else {
		bool paren = i < len && s[i] == '(';
		int clauses = 0;
		bool exact = false;
		if (paren)
			i++;
		for (;;) {
			while (i < len && ws(s[i]))
				i++;
			if (i >= len || s[i] == ';' || (paren && s[i] == ')'))
				break;
			static const char *const ops[] = {"===", "~=", "==", "!=", "<=", ">=", "<", ">"};
			const char *op = NULL;
			for (size_t k = 0; k < sizeof(ops) / sizeof(ops[0]); k++)
				if (len - i >= strlen(ops[k]) && memcmp(s + i, ops[k], strlen(ops[k])) == 0) {
					op = ops[k];
					break;
				}
			if (op == NULL)
				return AV_EPARSE;
			i += strlen(op);
			while (i < len && ws(s[i]))
				i++;
			size_t vst = i;
			while (i < len && version_char(s[i]))
				i++;
			if (i == vst)
				return AV_EPARSE;
			int k = snprintf(spec + sn, sizeof(spec) - sn, "%s%s%.*s", clauses ? "," : "", op,
			    (int)(i - vst), s + vst);
			if (k < 0 || (size_t)k >= sizeof(spec) - sn)
				return AV_EPARSE;
			sn += (size_t)k;
			clauses++;
			exact = (strcmp(op, "==") == 0 && av_deps_exact(s + vst, i - vst)) ||
			    strcmp(op, "===") == 0;
			while (i < len && ws(s[i]))
				i++;
			if (i < len && s[i] == ',') {
				i++;
				continue;
			}
		}
		if (paren) {
			if (i >= len || s[i] != ')')
				return AV_EPARSE;
			i++;
			while (i < len && ws(s[i]))
				i++;
		}
		pinned = clauses == 1 && exact;
	}
	if (i < len && s[i] == ';') {
		i++;
		while (i < len && ws(s[i]))
			i++;
		if (i >= len)
			return AV_EPARSE; /* an empty marker */
		i = len;
	}
	if (i != len)
		return AV_EPARSE;
	return av_deps_add(out, s + nst, nend - nst, sn ? spec : NULL, sn, "pypi", pinned, hashed,
	    line) == 0 ? 0 : AV_ENOMEM;
}

/* ---- requirements files ---------------------------------------------------------- */

struct words {
	const char *w[64];
	size_t l[64];
	size_t n;
};

static void
split_words(const char *s, size_t n, struct words *w)
{
	w->n = 0;
	for (size_t i = 0; i < n && w->n < 64;) {
		while (i < n && (ws(s[i]) || s[i] == '\r'))
			i++;
		if (i >= n)
			break;
		size_t st = i;
		while (i < n && !ws(s[i]) && s[i] != '\r')
			i++;
		w->w[w->n] = s + st;
		w->l[w->n++] = i - st;
	}
}

/* An option of the form "--name=value", "--name value", "-Xvalue" or "-X value":
 * returns true when word k is it, with the value's index (or the same word's
 * offset) in *vk / *voff. */
static bool
option(const struct words *w, size_t k, const char *lng, const char *shrt, size_t *vk,
    size_t *voff)
{
	size_t ll = strlen(lng);
	if (w->l[k] == ll && memcmp(w->w[k], lng, ll) == 0) {
		*vk = k + 1;
		*voff = 0;
		return true;
	}
	if (w->l[k] > ll && memcmp(w->w[k], lng, ll) == 0 && w->w[k][ll] == '=') {
		*vk = k;
		*voff = ll + 1;
		return true;
	}
	if (shrt != NULL && w->l[k] >= 2 && memcmp(w->w[k], shrt, 2) == 0) {
		if (w->l[k] == 2) {
			*vk = k + 1;
			*voff = 0;
		} else {
			*vk = k;
			*voff = 2;
		}
		return true;
	}
	return false;
}

/* The "#egg=NAME" of a URL, or NULL. */
static const char *
egg(const char *u, size_t n, size_t *elen)
{
	for (size_t i = 0; i + 5 <= n; i++)
		if (memcmp(u + i, "#egg=", 5) == 0 || (memcmp(u + i, "&egg=", 5) == 0)) {
			const char *e = u + i + 5;
			size_t k = 0;
			while (e + k < u + n && (alnum(e[k]) || strchr("._-", e[k]) != NULL) &&
			    e[k] != '\0')
				k++;
			*elen = k;
			return k ? e : NULL;
		}
	return NULL;
}

/* A requirement given as a URL or a path: named by #egg=, or by the file
 * name of a wheel or sdist. */
static int
url_requirement(av_deps *out, const char *u, size_t n, int line, bool hashed, const char *file,
    av_diags *d)
{
	size_t el;
	const char *e = egg(u, n, &el);
	char safe[400];
	char spec[420];

	av_scan_safe_url(u, n, safe, sizeof(safe));
	snprintf(spec, sizeof(spec), "@ %s", safe);
	bool pinned = url_pinned(u, n, &hashed);
	if (e != NULL)
		return av_deps_add(out, e, el, spec, strlen(spec), "pypi", pinned, hashed, line);
	/* name-version(-...).whl | .tar.gz | .zip */
	const char *q = u + n;
	for (const char *p = u; p < u + n; p++)
		if (*p == '#' || *p == '?') {
			q = p;
			break;
		}
	const char *base = q;
	while (base > u && base[-1] != '/')
		base--;
	size_t bl = (size_t)(q - base);
	const char *dash = memchr(base, '-', bl);
	bool archive = (bl > 4 && strncasecmp(q - 4, ".whl", 4) == 0) ||
	    (bl > 7 && strncasecmp(q - 7, ".tar.gz", 7) == 0) ||
	    (bl > 4 && strncasecmp(q - 4, ".zip", 4) == 0);
	if (archive && dash != NULL && dash > base)
		return av_deps_add(out, base, (size_t)(dash - base), spec, strlen(spec), "pypi",
		    pinned, hashed, line);
	av_diags_add(d, AV_EPARSE, file, line, 0,
	    "a requirement given as \"%.100s\" names no package (no #egg= and no wheel or sdist "
	    "file name)", safe);
	return 0;
}

static bool
looks_like_url(const char *s, size_t n)
{
	for (size_t i = 0; i + 3 <= n; i++)
		if (memcmp(s + i, "://", 3) == 0)
			return true;
	return n > 0 && (s[0] == '.' || s[0] == '/' || s[0] == '~' ||
	    (n > 4 && strncasecmp(s + n - 4, ".whl", 4) == 0) ||
	    (n > 7 && strncasecmp(s + n - 7, ".tar.gz", 7) == 0));
}

/* Options that take no requirement and are read only for their effect on
 * the install (indexes, build choices). */
static const char *const skip_opts[] = {"--index-url", "--extra-index-url", "--find-links",
	"--trusted-host", "--no-index", "--pre", "--prefer-binary", "--require-hashes",
	"--only-binary", "--no-binary", "--use-feature", "--no-deps", "--upgrade-strategy",
	"--use-pep517", "--no-build-isolation", NULL};

static int
requirement_line(av_deps *out, const char *s, size_t n, int line, const char *file,
    av_diags *d)
{
	struct words w;
	size_t vk, voff, first_opt;
	bool hashed = false;

	split_words(s, n, &w);
	if (w.n == 0)
		return 0;
	if (w.w[0][0] == '-') {
		if (option(&w, 0, "--requirement", "-r", &vk, &voff) ||
		    option(&w, 0, "--constraint", "-c", &vk, &voff)) {
			if (vk < w.n)
				av_diags_add(d, AV_OK, file, line, 0,
				    "includes %.*s: read when that file is itself a requirements file",
				    (int)(w.l[vk] - voff), w.w[vk] + voff);
			return 0;
		}
		if (option(&w, 0, "--editable", "-e", &vk, &voff)) {
			if (vk >= w.n) {
				av_diags_add(d, AV_EPARSE, file, line, 0, "-e without a path or URL");
				return 0;
			}
			const char *u = w.w[vk] + voff;
			size_t ul = w.l[vk] - voff, el;
			if (!memchr(u, ':', ul) && egg(u, ul, &el) == NULL) {
				av_diags_add(d, AV_OK, file, line, 0,
				    "-e %.*s installs a local folder (the project itself): not a "
				    "dependency", (int)(ul > 100 ? 100 : ul), u);
				return 0;
			}
			return url_requirement(out, u, ul, line, false, file, d);
		}
		for (size_t k = 0; skip_opts[k] != NULL; k++) {
			size_t l = strlen(skip_opts[k]);
			if ((w.l[0] == l || (w.l[0] > l && w.w[0][l] == '=')) &&
			    memcmp(w.w[0], skip_opts[k], l) == 0)
				return 0;
		}
		if ((w.l[0] == 2 && (memcmp(w.w[0], "-i", 2) == 0 || memcmp(w.w[0], "-f", 2) == 0)) ||
		    (w.l[0] > 2 && (memcmp(w.w[0], "-i", 2) == 0 || memcmp(w.w[0], "-f", 2) == 0)))
			return 0;
		av_diags_add(d, AV_EPARSE, file, line, 0, "unknown option %.*s",
		    (int)(w.l[0] > 60 ? 60 : w.l[0]), w.w[0]);
		return 0;
	}
	/* The requirement is everything before the first word starting with '-'. */
	for (first_opt = 0; first_opt < w.n && w.w[first_opt][0] != '-'; first_opt++)
		;
	for (size_t k = first_opt; k < w.n; k++) {
		if (option(&w, k, "--hash", NULL, &vk, &voff)) {
			if (vk < w.n && w.l[vk] > voff + 7 && memchr(w.w[vk] + voff, ':', w.l[vk] - voff))
				hashed = true;
			else
				av_diags_add(d, AV_EPARSE, file, line, 0, "--hash without a hash");
			k = vk;
		} else if (option(&w, k, "--global-option", NULL, &vk, &voff) ||
		    option(&w, k, "--install-option", NULL, &vk, &voff) ||
		    option(&w, k, "--config-settings", "-C", &vk, &voff)) {
			k = vk;
		} else {
			av_diags_add(d, AV_EPARSE, file, line, 0, "unknown option %.*s",
			    (int)(w.l[k] > 60 ? 60 : w.l[k]), w.w[k]);
		}
	}
	const char *rs = w.w[0];
	size_t rl = first_opt > 0 ? (size_t)(w.w[first_opt - 1] + w.l[first_opt - 1] - rs) : 0;
	if (first_opt == 1 && looks_like_url(rs, rl))
		return url_requirement(out, rs, rl, line, hashed, file, d);
	int rc = av_deps_pep508(out, rs, rl, line, hashed);
	if (rc == AV_EPARSE) {
		char safe[128];
		av_scan_safe_url(rs, rl > 120 ? 120 : rl, safe, sizeof(safe));
		av_diags_add(d, AV_EPARSE, file, line, 0, "not a requirement (PEP 508): %s", safe);
		return 0;
	}
	return rc;
}

int
av_deps_requirements(av_deps *out, const char *buf, size_t len, const char *name, av_diags *d)
{
	char *joined = malloc(len + 1);
	size_t jn = 0;
	int line = 1, start = 1, rc = 0;

	if (joined == NULL)
		return AV_ENOMEM;
	for (size_t i = 0; i <= len && rc == 0; i++) {
		bool eol = i == len || buf[i] == '\n';
		if (!eol) {
			joined[jn++] = buf[i];
			continue;
		}
		/* a backslash at the end joins the next line */
		size_t e = jn;
		while (e > 0 && (joined[e - 1] == '\r' || joined[e - 1] == ' '))
			e--;
		if (i < len && e > 0 && joined[e - 1] == '\\') {
			jn = e - 1;
			line++;
			continue;
		}
		/* comments: a '#' at the start or after whitespace */
		size_t end = jn;
		for (size_t k = 0; k < jn; k++)
			if (joined[k] == '#' && (k == 0 || ws(joined[k - 1]))) {
				end = k;
				break;
			}
		rc = requirement_line(out, joined, end, start, name, d);
		jn = 0;
		line++;
		start = line;
	}
	free(joined);
	return rc;
}

/* ---- setup.cfg ------------------------------------------------------------------ */

/* Reads each line of a list value as a requirement. */
static int
cfg_value(av_deps *out, const char *v, size_t n, int line, const char *file, av_diags *d)
{
	size_t i = 0;
	int rc = 0;

	while (i < n && rc == 0) {
		const char *nl = memchr(v + i, '\n', n - i);
		size_t e = nl ? (size_t)(nl - v) : n;
		size_t st = i;
		while (st < e && (ws(v[st]) || v[st] == '\r'))
			st++;
		size_t end = e;
		for (size_t k = st; k < e; k++)
			if (v[k] == '#' && (k == st || ws(v[k - 1]))) {
				end = k;
				break;
			}
		if (end > st) {
			if (end - st > 5 && strncmp(v + st, "file:", 5) == 0) {
				av_diags_add(d, AV_OK, file, line, 0,
				    "requirements read from %.*s: read when that file is itself a "
				    "requirements file", (int)(end - st - 5 > 100 ? 100 : end - st - 5),
				    v + st + 5);
			} else {
				rc = av_deps_pep508(out, v + st, end - st, line, false);
				if (rc == AV_EPARSE) {
					rc = 0;
					av_diags_add(d, AV_EPARSE, file, line, 0,
					    "not a requirement (PEP 508): %.*s",
					    (int)(end - st > 100 ? 100 : end - st), v + st);
				}
			}
		}
		line++;
		i = e + 1;
	}
	return rc;
}

int
av_deps_setup_cfg(av_deps *out, const char *buf, size_t len, const char *name, av_diags *d)
{
	char section[128] = "";
	int line = 0, rc = 0;
	size_t i = 0;

	while (i < len && rc == 0) {
		const char *nl = memchr(buf + i, '\n', len - i);
		size_t e = nl ? (size_t)(nl - buf) : len;
		line++;
		const char *s = buf + i;
		size_t n = e - i;
		i = e + 1;
		while (n > 0 && (s[n - 1] == '\r' || ws(s[n - 1])))
			n--;
		if (n == 0 || s[0] == '#' || s[0] == ';' || ws(s[0]))
			continue; /* continuation lines are read with their key */
		if (s[0] == '[') {
			const char *close = memchr(s, ']', n);
			if (close == NULL) {
				av_diags_add(d, AV_EPARSE, name, line, 1, "section header without ']'");
				continue;
			}
			snprintf(section, sizeof(section), "%.*s", (int)(close - s - 1), s + 1);
			continue;
		}
		size_t k = 0;
		while (k < n && s[k] != '=' && s[k] != ':')
			k++;
		if (k == n) {
			av_diags_add(d, AV_EPARSE, name, line, 1, "expected key = value");
			continue;
		}
		size_t kl = k;
		while (kl > 0 && ws(s[kl - 1]))
			kl--;
		bool want = (strcmp(section, "options") == 0 &&
		    ((kl == 16 && memcmp(s, "install_requires", 16) == 0) ||
			(kl == 14 && memcmp(s, "setup_requires", 14) == 0) ||
			(kl == 13 && memcmp(s, "tests_require", 13) == 0))) ||
		    strcmp(section, "options.extras_require") == 0;
		/* the value: the rest of this line and the indented lines after it */
		size_t vst = (size_t)(s + k + 1 - buf), vend = e;
		int vline = line;
		while (i < len) {
			const char *nl2 = memchr(buf + i, '\n', len - i);
			size_t e2 = nl2 ? (size_t)(nl2 - buf) : len;
			size_t t = i;
			while (t < e2 && (ws(buf[t]) || buf[t] == '\r'))
				t++;
			if (!(ws(buf[i]) || t == e2))
				break;
			vend = e2;
			line++;
			i = e2 + 1;
		}
		if (want)
			rc = cfg_value(out, buf + vst, vend - vst, vline, name, d);
	}
	return rc;
}
