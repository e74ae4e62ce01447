/*
 * vulns.c - scanner reports into one list of vulnerabilities (see
 * vulns.h).  One small reader per scanner's JSON, all through cJSON; the
 * shape of the document tells which scanner wrote it.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cjson/cJSON.h>

#include "vulns.h"

#define MAX_VULNS 200000

void
av_vulns_init(av_vulns *v)
{
	memset(v, 0, sizeof(*v));
}

void
av_vulns_fini(av_vulns *v)
{
	for (size_t i = 0; i < v->n; i++) {
		free(v->v[i].package);
		free(v->v[i].version);
		free(v->v[i].id);
		free(v->v[i].fixed_in);
		free(v->v[i].summary);
	}
	free(v->v);
	memset(v, 0, sizeof(*v));
}

static const char *
jstr(const cJSON *o, const char *k)
{
	const cJSON *x = cJSON_GetObjectItemCaseSensitive(o, k);
	return cJSON_IsString(x) && x->valuestring[0] != '\0' ? x->valuestring : NULL;
}

static char *
dup_trim(const char *s, size_t max)
{
	if (s == NULL)
		return NULL;
	size_t n = strlen(s);
	if (n > max) {
		/* cut on a UTF-8 boundary */
		n = max;
		while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
			n--;
	}
	char *d = strndup(s, n);
	if (d != NULL)
		for (char *p = d; *p; p++)
			if (*p == '\n' || *p == '\r' || *p == '\t')
				*p = ' ';
	return d;
}

struct rd {
	av_vulns *out;
	const char *name;
	av_diags *d;
	int rc;
};

static void
add(struct rd *r, const char *pkg, const char *version, const char *eco, const char *id,
    const char *severity, const char *fixed, const char *summary)
{
	if (r->rc != 0 || pkg == NULL || id == NULL)
		return;
	if (r->out->n >= MAX_VULNS) {
		r->rc = av_diags_add(r->d, AV_ELIMIT, r->name, 0, 0, "more than %d vulnerabilities",
		    MAX_VULNS);
		return;
	}
	for (size_t i = 0; i < r->out->n; i++) /* the same finding twice (several targets) */
		if (strcmp(r->out->v[i].id, id) == 0 && strcmp(r->out->v[i].package, pkg) == 0 &&
		    ((version == NULL && r->out->v[i].version == NULL) ||
			(version && r->out->v[i].version && strcmp(version, r->out->v[i].version) == 0)))
			return;
	if (r->out->n == r->out->cap) {
		size_t cap = r->out->cap ? r->out->cap * 2 : 32;
		av_vuln *v = realloc(r->out->v, cap * sizeof(*v));
		if (v == NULL) {
			r->rc = AV_ENOMEM;
			return;
		}
		r->out->v = v;
		r->out->cap = cap;
	}
	av_vuln *e = &r->out->v[r->out->n];
	memset(e, 0, sizeof(*e));
	e->package = dup_trim(pkg, 200);
	e->version = dup_trim(version, 100);
	e->ecosystem = eco;
	e->id = dup_trim(id, 100);
	e->severity = severity;
	e->fixed_in = dup_trim(fixed, 100);
	e->summary = dup_trim(summary, 300);
	if (e->package == NULL || e->id == NULL) {
		free(e->package);
		free(e->version);
		free(e->id);
		free(e->fixed_in);
		free(e->summary);
		r->rc = AV_ENOMEM;
		return;
	}
	r->out->n++;
}

/* ---- severities ----------------------------------------------------------------- */

static const char *
severity_of_score(double s)
{
	if (s >= 9.0)
		return "critical";
	if (s >= 7.0)
		return "high";
	if (s >= 4.0)
		return "medium";
	if (s > 0.0)
		return "low";
	return NULL;
}

/* A scanner's word for a severity, in the manifest's terms; NULL when
 * unknown. */
static const char *
severity_word(const char *w)
{
	if (w == NULL)
		return NULL;
	if (strcasecmp(w, "critical") == 0)
		return "critical";
	if (strcasecmp(w, "high") == 0 || strcasecmp(w, "important") == 0)
		return "high";
	if (strcasecmp(w, "medium") == 0 || strcasecmp(w, "moderate") == 0)
		return "medium";
	if (strcasecmp(w, "low") == 0 || strcasecmp(w, "negligible") == 0 ||
	    strcasecmp(w, "info") == 0)
		return "low";
	return NULL;
}

static int
rank(const char *s)
{
	return s == NULL ? 0 : strcmp(s, "low") == 0 ? 1 : strcmp(s, "medium") == 0 ? 2
	    : strcmp(s, "high") == 0 ? 3 : 4;
}

static double
roundup(double x)
{
	long i = lround(x * 100000.0);
	if (i % 10000 == 0)
		return (double)i / 100000.0;
	return (floor((double)i / 10000.0) + 1) / 10.0;
}

const char *
av_cvss3_severity(const char *vector, double *score)
{
	double av = -1, ac = -1, pr = -1, ui = -1, c = -1, in = -1, a = -1;
	int scope = -1; /* 0 unchanged, 1 changed */
	char pr_letter = 0;

	*score = 0;
	if (vector == NULL || strncmp(vector, "CVSS:3.", 7) != 0)
		return NULL;
	const char *p = strchr(vector, '/');
	while (p != NULL && p[1] != '\0') {
		p++;
		const char *colon = strchr(p, ':');
		if (colon == NULL || colon[1] == '\0')
			return NULL;
		char v = colon[1];
		size_t kl = (size_t)(colon - p);
		if (kl == 2 && strncmp(p, "AV", 2) == 0)
			av = v == 'N' ? 0.85 : v == 'A' ? 0.62 : v == 'L' ? 0.55 : v == 'P' ? 0.2 : -1;
		else if (kl == 2 && strncmp(p, "AC", 2) == 0)
			ac = v == 'L' ? 0.77 : v == 'H' ? 0.44 : -1;
		else if (kl == 2 && strncmp(p, "PR", 2) == 0)
			pr_letter = v;
		else if (kl == 2 && strncmp(p, "UI", 2) == 0)
			ui = v == 'N' ? 0.85 : v == 'R' ? 0.62 : -1;
		else if (kl == 1 && p[0] == 'S')
			scope = v == 'U' ? 0 : v == 'C' ? 1 : -1;
		else if (kl == 1 && (p[0] == 'C' || p[0] == 'I' || p[0] == 'A')) {
			double w = v == 'H' ? 0.56 : v == 'L' ? 0.22 : v == 'N' ? 0 : -1;
			if (p[0] == 'C')
				c = w;
			else if (p[0] == 'I')
				in = w;
			else
				a = w;
		}
		p = strchr(colon, '/');
	}
	if (pr_letter == 'N')
		pr = 0.85;
	else if (pr_letter == 'L')
		pr = scope == 1 ? 0.68 : 0.62;
	else if (pr_letter == 'H')
		pr = scope == 1 ? 0.5 : 0.27;
	if (av < 0 || ac < 0 || pr < 0 || ui < 0 || c < 0 || in < 0 || a < 0 || scope < 0)
		return NULL;
	double iss = 1 - (1 - c) * (1 - in) * (1 - a);
	double impact = scope ? 7.52 * (iss - 0.029) - 3.25 * pow(iss - 0.02, 15) : 6.42 * iss;
	double expl = 8.22 * av * ac * pr * ui;
	if (impact <= 0) {
		*score = 0;
		return NULL;
	}
	*score = scope ? roundup(fmin(1.08 * (impact + expl), 10)) : roundup(fmin(impact + expl, 10));
	return severity_of_score(*score);
}

/* ---- ecosystems ------------------------------------------------------------------ */

static const char *
ecosystem_word(const char *w)
{
	static const struct {
		const char *w, *e;
	} map[] = {
		{"pypi", "pypi"}, {"python", "pypi"}, {"pip", "pypi"}, {"pipenv", "pypi"},
		{"poetry", "pypi"}, {"uv", "pypi"}, {"python-pkg", "pypi"}, {"npm", "npm"},
		{"yarn", "npm"}, {"pnpm", "npm"}, {"node-pkg", "npm"}, {"crates.io", "cargo"},
		{"cargo", "cargo"}, {"rust-crate", "cargo"}, {"go", "go"}, {"gomod", "go"},
		{"go-module", "go"}, {"gobinary", "go"}, {"maven", "maven"}, {"java-archive", "maven"},
		{"jar", "maven"}, {"conda", "conda"}, {"conda-pkg", "conda"}, {"debian", "apt"},
		{"ubuntu", "apt"}, {"deb", "apt"},
	};
	if (w == NULL)
		return NULL;
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (strcasecmp(map[i].w, w) == 0)
			return map[i].e;
	return "other";
}

/* The ecosystem of a package URL ("pkg:pypi/jinja2@2.4.1"). */
static const char *
purl_ecosystem(const char *purl)
{
	char t[32];
	if (purl == NULL || strncmp(purl, "pkg:", 4) != 0)
		return NULL;
	const char *slash = strchr(purl + 4, '/');
	if (slash == NULL || (size_t)(slash - purl - 4) >= sizeof(t))
		return NULL;
	snprintf(t, sizeof(t), "%.*s", (int)(slash - purl - 4), purl + 4);
	return strcmp(t, "golang") == 0 ? "go" : ecosystem_word(t);
}

/* ---- the readers ------------------------------------------------------------------ */

/* The first "fixed" event of an OSV record's ranges for package pkg. */
static const char *
osv_fixed(const cJSON *vuln, const char *pkg)
{
	const cJSON *aff, *rng, *ev;
	cJSON_ArrayForEach(aff, cJSON_GetObjectItemCaseSensitive(vuln, "affected"))
	{
		const char *name = jstr(cJSON_GetObjectItemCaseSensitive(aff, "package"), "name");
		if (name != NULL && pkg != NULL && strcasecmp(name, pkg) != 0)
			continue;
		cJSON_ArrayForEach(rng, cJSON_GetObjectItemCaseSensitive(aff, "ranges"))
		{
			cJSON_ArrayForEach(ev, cJSON_GetObjectItemCaseSensitive(rng, "events"))
			{
				const char *f = jstr(ev, "fixed");
				if (f != NULL)
					return f;
			}
		}
	}
	return NULL;
}

/* An OSV record's own severity: database_specific.severity, else its CVSS
 * v3 vectors. */
static const char *
osv_severity(const cJSON *vuln)
{
	const char *s = severity_word(jstr(cJSON_GetObjectItemCaseSensitive(vuln,
	    "database_specific"), "severity"));
	const cJSON *sv;
	if (s != NULL)
		return s;
	cJSON_ArrayForEach(sv, cJSON_GetObjectItemCaseSensitive(vuln, "severity"))
	{
		double score;
		const char *t = av_cvss3_severity(jstr(sv, "score"), &score);
		if (rank(t) > rank(s))
			s = t;
	}
	return s;
}

static const cJSON *
osv_find(const cJSON *vulns, const char *id)
{
	const cJSON *v;
	cJSON_ArrayForEach(v, vulns)
	{
		const char *vid = jstr(v, "id");
		if (vid != NULL && strcmp(vid, id) == 0)
			return v;
	}
	return NULL;
}

static void
osv_scanner(struct rd *r, const cJSON *root)
{
	const cJSON *res, *pk;
	cJSON_ArrayForEach(res, cJSON_GetObjectItemCaseSensitive(root, "results"))
	{
		cJSON_ArrayForEach(pk, cJSON_GetObjectItemCaseSensitive(res, "packages"))
		{
			const cJSON *p = cJSON_GetObjectItemCaseSensitive(pk, "package");
			const char *name = jstr(p, "name"), *ver = jstr(p, "version");
			const char *eco = ecosystem_word(jstr(p, "ecosystem"));
			const cJSON *vulns = cJSON_GetObjectItemCaseSensitive(pk, "vulnerabilities");
			const cJSON *groups = cJSON_GetObjectItemCaseSensitive(pk, "groups"), *g, *v;
			if (cJSON_GetArraySize(groups) > 0) {
				/* one entry per group of aliases: the same flaw under several ids */
				cJSON_ArrayForEach(g, groups)
				{
					const cJSON *ids = cJSON_GetObjectItemCaseSensitive(g, "ids");
					const cJSON *first = cJSON_GetArrayItem(ids, 0);
					if (!cJSON_IsString(first))
						continue;
					const cJSON *rec = osv_find(vulns, first->valuestring);
					const char *ms = jstr(g, "max_severity");
					const char *sev = ms ? severity_of_score(strtod(ms, NULL)) : NULL;
					if (sev == NULL && rec != NULL)
						sev = osv_severity(rec);
					add(r, name, ver, eco, first->valuestring, sev,
					    rec ? osv_fixed(rec, name) : NULL, rec ? jstr(rec, "summary") : NULL);
				}
			} else {
				cJSON_ArrayForEach(v, vulns)
				{
					add(r, name, ver, eco, jstr(v, "id"), osv_severity(v), osv_fixed(v, name),
					    jstr(v, "summary"));
				}
			}
		}
	}
}

static void
pip_audit_dep(struct rd *r, const cJSON *dep)
{
	const cJSON *v;
	cJSON_ArrayForEach(v, cJSON_GetObjectItemCaseSensitive(dep, "vulns"))
	{
		const cJSON *fix = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(v, "fix_versions"), 0);
		add(r, jstr(dep, "name"), jstr(dep, "version"), "pypi", jstr(v, "id"), NULL,
		    cJSON_IsString(fix) ? fix->valuestring : NULL, jstr(v, "description"));
	}
}

static void
pip_audit(struct rd *r, const cJSON *root)
{
	const cJSON *deps = cJSON_IsArray(root) ? root
	    : cJSON_GetObjectItemCaseSensitive(root, "dependencies"), *dep;
	cJSON_ArrayForEach(dep, deps)
	{
		pip_audit_dep(r, dep);
	}
}

static void
grype(struct rd *r, const cJSON *root)
{
	const cJSON *m;
	cJSON_ArrayForEach(m, cJSON_GetObjectItemCaseSensitive(root, "matches"))
	{
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(m, "vulnerability");
		const cJSON *art = cJSON_GetObjectItemCaseSensitive(m, "artifact");
		const cJSON *fix = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(
		    cJSON_GetObjectItemCaseSensitive(v, "fix"), "versions"), 0);
		const char *eco = purl_ecosystem(jstr(art, "purl"));
		add(r, jstr(art, "name"), jstr(art, "version"), eco ? eco : ecosystem_word(jstr(art, "type")),
		    jstr(v, "id"), severity_word(jstr(v, "severity")),
		    cJSON_IsString(fix) ? fix->valuestring : NULL, jstr(v, "description"));
	}
}

static void
trivy(struct rd *r, const cJSON *root)
{
	const cJSON *res, *v;
	cJSON_ArrayForEach(res, cJSON_GetObjectItemCaseSensitive(root, "Results"))
	{
		const char *eco = ecosystem_word(jstr(res, "Type"));
		cJSON_ArrayForEach(v, cJSON_GetObjectItemCaseSensitive(res, "Vulnerabilities"))
		{
			const char *fixed = jstr(v, "FixedVersion");
			char first[128];
			if (fixed != NULL) { /* "2.10.1, 3.0.0": the first */
				snprintf(first, sizeof(first), "%.*s", (int)strcspn(fixed, ", "), fixed);
				fixed = first;
			}
			add(r, jstr(v, "PkgName"), jstr(v, "InstalledVersion"), eco,
			    jstr(v, "VulnerabilityID"), severity_word(jstr(v, "Severity")), fixed,
			    jstr(v, "Title") ? jstr(v, "Title") : jstr(v, "Description"));
		}
	}
}

/* The component of a BOM with bom-ref ref, searched in nested components. */
static const cJSON *
cdx_component(const cJSON *list, const char *ref, int depth)
{
	const cJSON *c;
	if (depth > 16)
		return NULL;
	cJSON_ArrayForEach(c, list)
	{
		const char *br = jstr(c, "bom-ref");
		if (br != NULL && strcmp(br, ref) == 0)
			return c;
		const cJSON *in = cdx_component(cJSON_GetObjectItemCaseSensitive(c, "components"), ref,
		    depth + 1);
		if (in != NULL)
			return in;
	}
	return NULL;
}

static void
cyclonedx(struct rd *r, const cJSON *root)
{
	const cJSON *comps = cJSON_GetObjectItemCaseSensitive(root, "components"), *v, *a, *rt;
	cJSON_ArrayForEach(v, cJSON_GetObjectItemCaseSensitive(root, "vulnerabilities"))
	{
		const char *sev = NULL;
		cJSON_ArrayForEach(rt, cJSON_GetObjectItemCaseSensitive(v, "ratings"))
		{
			const char *s = severity_word(jstr(rt, "severity"));
			if (s == NULL && jstr(rt, "vector") != NULL) {
				double score;
				s = av_cvss3_severity(jstr(rt, "vector"), &score);
			}
			if (rank(s) > rank(sev))
				sev = s;
		}
		cJSON_ArrayForEach(a, cJSON_GetObjectItemCaseSensitive(v, "affects"))
		{
			const char *ref = jstr(a, "ref");
			const cJSON *c = ref ? cdx_component(comps, ref, 0) : NULL;
			if (c == NULL) {
				av_diags_add(r->d, AV_OK, r->name, 0, 0,
				    "vulnerability %.60s affects \"%.60s\", which is not a component of the "
				    "BOM: not read", jstr(v, "id") ? jstr(v, "id") : "?", ref ? ref : "?");
				continue;
			}
			add(r, jstr(c, "name"), jstr(c, "version"), purl_ecosystem(jstr(c, "purl")),
			    jstr(v, "id"), sev, NULL,
			    jstr(v, "description") ? jstr(v, "description") : jstr(v, "detail"));
		}
	}
}

int
av_vulns_parse(av_vulns *out, const char *buf, size_t len, const char *name, av_diags *d)
{
	struct rd r = {.out = out, .name = name, .d = d};
	cJSON *root;

	if (len > AV_VULNS_MAX_BYTES)
		return av_diags_add(d, AV_ELIMIT, name, 0, 0, "report larger than %u bytes",
		    AV_VULNS_MAX_BYTES);
	if ((root = cJSON_ParseWithLength(buf, len)) == NULL)
		return av_diags_add(d, AV_EPARSE, name, 0, 0,
		    "not JSON: a report of osv-scanner, pip-audit, grype or trivy (JSON output), or a "
		    "CycloneDX BOM, is expected");
	const char *bf = jstr(root, "bomFormat");
	const cJSON *results = cJSON_GetObjectItemCaseSensitive(root, "results");
	if (bf != NULL && strcmp(bf, "CycloneDX") == 0) {
		out->format = "cyclonedx";
		cyclonedx(&r, root);
	} else if (cJSON_IsArray(results) &&
	    (cJSON_GetArraySize(results) == 0 ||
		cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(results, 0), "packages") != NULL)) {
		out->format = "osv-scanner";
		osv_scanner(&r, root);
	} else if (cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(root, "matches"))) {
		out->format = "grype";
		grype(&r, root);
	} else if (cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(root, "Results")) ||
	    cJSON_GetObjectItemCaseSensitive(root, "SchemaVersion") != NULL) {
		out->format = "trivy";
		trivy(&r, root);
	} else if (cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(root, "dependencies")) ||
	    (cJSON_IsArray(root) &&
		cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(root, 0), "vulns") != NULL)) {
		out->format = "pip-audit";
		pip_audit(&r, root);
	} else {
		cJSON_Delete(root);
		return av_diags_add(d, AV_EPARSE, name, 0, 0,
		    "not a report of osv-scanner, pip-audit, grype or trivy, nor a CycloneDX BOM");
	}
	cJSON_Delete(root);
	return r.rc;
}
