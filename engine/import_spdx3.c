/*
 * import_spdx3.c - SPDX 3 JSON-LD documents (@context, @graph): an
 * ai_AIPackage (AI profile) or a dataset_DatasetPackage (Dataset profile)
 * becomes the manifest.
 *
 * Elements refer to each other by spdxId (or @id), so the graph is indexed
 * once and looked up by binary search.  Licenses come from the package's
 * hasDeclaredLicense relationships (hasConcludedLicense when none is
 * declared), resolved to their simplelicensing_LicenseExpression.
 * Property names are read with their profile prefix ("ai_domain") and,
 * for documents written without the compact context, without ("domain").
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "import_int.h"

typedef struct ent {
	const char *id;
	const av_node *n;
} ent;

typedef struct graph {
	ent *v;
	size_t n;
} graph;

static int
ent_cmp(const void *a, const void *b)
{
	return strcmp(((const ent *)a)->id, ((const ent *)b)->id);
}

static const char *
elem_id(const av_node *e)
{
	const char *id = av_imp_str(e, "spdxId");
	return id ? id : av_imp_str(e, "@id");
}

static int
index_graph(graph *g, const av_node *list)
{
	g->v = calloc(list->count ? list->count : 1, sizeof(*g->v));
	if (!g->v)
		return AV_ENOMEM;
	for (const av_node *e = list->first; e; e = e->next) {
		const char *id = elem_id(e);
		if (id)
			g->v[g->n++] = (ent){id, e};
	}
	qsort(g->v, g->n, sizeof(*g->v), ent_cmp);
	return 0;
}

static const av_node *
lookup(const graph *g, const char *id)
{
	if (!id)
		return NULL;
	ent key = {id, NULL};
	ent *f = bsearch(&key, g->v, g->n, sizeof(*g->v), ent_cmp);
	return f ? f->n : NULL;
}

/* The type without a profile prefix: "ai_AIPackage" -> "AIPackage". */
static const char *
base_type(const av_node *e)
{
	const char *t = av_imp_str(e, "type");
	if (!t)
		t = av_imp_str(e, "@type");
	if (!t)
		return "";
	const char *u = strrchr(t, '_');
	const char *c = strrchr(t, ':');
	if (c && (!u || c > u))
		u = c;
	return u ? u + 1 : t;
}

/* A property, with or without its profile prefix. */
static const av_node *
prop(const av_node *e, const char *prefix, const char *name)
{
	char key[96];
	snprintf(key, sizeof(key), "%s_%s", prefix, name);
	const av_node *v = av_map_get(e, key);
	return v ? v : av_map_get(e, name);
}

static const char *
prop_str(const av_node *e, const char *prefix, const char *name)
{
	const av_node *v = prop(e, prefix, name);
	return v && v->type == AV_STR ? v->str : NULL;
}

/* A string or list of strings, as lines of a section. */
static void
text_prop(av_imp *im, av_node *secs, const char *key, const av_node *v)
{
	if (!v)
		return;
	if (v->type == AV_STR) {
		av_imp_append_text(im, secs, key, v->str, v->len);
		return;
	}
	for (const av_node *e = v->type == AV_SEQ ? v->first : NULL; e; e = e->next)
		if (e->type == AV_STR)
			av_imp_append_text(im, secs, key, e->str, e->len);
}

/* The license expression an element id stands for. */
static const char *
license_text(const graph *g, const char *id)
{
	const av_node *l = lookup(g, id);
	if (l) {
		const char *expr = av_imp_str(l, "simplelicensing_licenseExpression");
		if (!expr)
			expr = av_imp_str(l, "licenseExpression");
		if (expr)
			return expr;
		const char *name = av_imp_str(l, "name");
		if (name)
			return name;
	}
	/* An unresolved listed license: https://spdx.org/licenses/MIT */
	static const char listed[] = "https://spdx.org/licenses/";
	if (strncmp(id, listed, sizeof(listed) - 1) == 0 && id[sizeof(listed) - 1])
		return id + sizeof(listed) - 1;
	return NULL;
}

static av_node *
licenses_of(av_imp *im, const graph *g, const av_node *list, const char *pkg, const char *rel)
{
	char buf[2048];
	size_t n = 0;
	for (const av_node *e = list->first; e; e = e->next) {
		const char *rt = av_imp_str(e, "relationshipType");
		const char *from = av_imp_str(e, "from");
		if (!rt || !from || strcmp(rt, rel) != 0 || strcmp(from, pkg) != 0)
			continue;
		const av_node *to = av_map_get(e, "to");
		for (const av_node *t = to && to->type == AV_SEQ ? to->first : NULL; t; t = t->next) {
			const char *s = t->type == AV_STR ? license_text(g, t->str) : NULL;
			if (!s) {
				av_imp_diag(im, AV_OK, t->line, t->column,
				    "license %s is not in the document: ignored",
				    t->type == AV_STR ? t->str : "(not a string)");
				continue;
			}
			bool compound = strchr(s, ' ') != NULL;
			int k = snprintf(buf + n, sizeof(buf) - n, "%s%s%s%s", n ? " AND " : "",
			    compound ? "(" : "", s, compound ? ")" : "");
			if (k < 0 || (size_t)k >= sizeof(buf) - n)
				break;
			n += (size_t)k;
		}
	}
	if (n == 0)
		return NULL;
	/* One parenthesised expression needs no parentheses. */
	if (buf[0] == '(' && buf[n - 1] == ')' && !strstr(buf, ") AND ("))
		return av_node_new_str(im->doc, buf + 1, n - 2);
	return av_node_new_str(im->doc, buf, n);
}

/* yes / no / noAssertion -> a bool, or -1. */
static int
presence(const char *s)
{
	if (!s)
		return -1;
	if (strcmp(s, "yes") == 0)
		return 1;
	if (strcmp(s, "no") == 0)
		return 0;
	return -1;
}

static const char *
agent_name(const graph *g, const av_node *v)
{
	if (v && v->type == AV_SEQ)
		v = v->first;
	if (!v || v->type != AV_STR)
		return NULL;
	const av_node *a = lookup(g, v->str);
	const char *name = a ? av_imp_str(a, "name") : NULL;
	return name ? name : v->str;
}

/* ai_metric: numeric values go to evaluation.results. */
static void
metrics(av_imp *im, const av_node *list)
{
	int count = 0;
	for (const av_node *m = list && list->type == AV_SEQ ? list->first : NULL; m; m = m->next) {
		const char *key = av_imp_str(m, "key");
		const av_node *value = av_map_get(m, "value");
		if (!key || !value)
			continue;
		count++;
		av_imp_metric(im, key, value, NULL, NULL, "spdx");
	}
	if (count > 0)
		av_imp_diag(im, AV_OK, list->line, list->column,
		    "%d metric(s): numeric ones are under evaluation.results", count);
}

int
av_imp_spdx3(av_imp *im, const char *buf, size_t len)
{
	av_doc *src = NULL;
	graph g = {0};
	int rc = av_imp_parse(im, buf, len, AV_FMT_JSON, &src);
	if (rc)
		return rc;
	const av_node *root = av_doc_root(src);
	const av_node *list = av_map_get(root, "@graph");
	if (root->type != AV_MAP || !list || list->type != AV_SEQ) {
		rc = av_imp_diag(im, AV_ESCHEMA, root->line, root->column,
		    "not an SPDX 3 JSON-LD document: no \"@graph\" list");
		goto out;
	}
	if ((rc = index_graph(&g, list)) != 0) {
		rc = av_imp_diag(im, rc, 0, 0, "out of memory");
		goto out;
	}
	const av_node *pkg = NULL, *ds = NULL;
	size_t models = 0;
	for (const av_node *e = list->first; e; e = e->next) {
		const char *t = base_type(e);
		if (strcmp(t, "AIPackage") == 0) {
			if (!pkg)
				pkg = e;
			models++;
		} else if (strcmp(t, "DatasetPackage") == 0 && !ds) {
			ds = e;
		}
	}
	bool dataset = !pkg;
	if (dataset)
		pkg = ds;
	if (!pkg) {
		rc = av_imp_diag(im, AV_ESCHEMA, list->line, list->column,
		    "the SPDX document has no AIPackage or DatasetPackage element");
		goto out;
	}
	const char *pkg_id = elem_id(pkg);
	const char *name = av_imp_str(pkg, "name");
	av_imp_diag(im, AV_OK, pkg->line, pkg->column, "importing %s \"%s\"%s",
	    dataset ? "DatasetPackage" : "AIPackage", name ? name : "(unnamed)",
	    models > 1 ? ": the first of several AIPackages" : "");

	av_imp_put_cstr(im, im->root, "kind", dataset ? "dataset" : "model");
	if (!name || !av_imp_set_name(im, name, strlen(name))) {
		rc = av_imp_diag(im, AV_ESCHEMA, pkg->line, pkg->column,
		    "the package has no usable name");
		goto out;
	}
	const char *ver = prop_str(pkg, "software", "packageVersion");
	if (ver && *ver) {
		av_imp_put_cstr(im, im->root, "version", ver);
	} else {
		av_imp_put_cstr(im, im->root, "version", "unknown");
		av_imp_diag(im, AV_OK, pkg->line, pkg->column,
		    "the package has no packageVersion: version set to \"unknown\"");
	}
	const char *pub = agent_name(&g, av_map_get(pkg, "suppliedBy"));
	if (!pub)
		pub = agent_name(&g, av_map_get(pkg, "originatedBy"));
	if (pub)
		av_imp_put_cstr(im, im->root, "publisher", pub);
	const char *desc = av_imp_str(pkg, "description");
	if (!desc)
		desc = av_imp_str(pkg, "summary");
	if (!desc)
		desc = av_imp_str(pkg, "comment");
	if (desc)
		av_imp_put_cstr(im, im->root, "description", desc);
	const char *dl = prop_str(pkg, "software", "downloadLocation");
	if (dl) {
		av_node *s = av_imp_child(im, im->root, "source");
		av_imp_put_cstr(im, s, "url", dl);
		if (strstr(dl, "huggingface.co/"))
			av_imp_put_cstr(im, s, "hub", "huggingface");
		else if (strstr(dl, "github.com/"))
			av_imp_put_cstr(im, s, "hub", "github");
	}

	if (pkg_id) {
		av_node *lic = licenses_of(im, &g, list, pkg_id, "hasDeclaredLicense");
		if (!lic)
			lic = licenses_of(im, &g, list, pkg_id, "hasConcludedLicense");
		if (lic)
			av_imp_put(im, av_imp_child(im, im->root, "licenses"),
			    dataset ? "data" : "weights", lic);
		else
			av_imp_diag(im, AV_OK, pkg->line, pkg->column,
			    "no declared or concluded license for the package");
	}

	/* Attached below only when something was found. */
	av_node *mc = av_imp_new(im, AV_MAP);
	av_node *secs = av_imp_new(im, AV_MAP);
	const char *pfx = dataset ? "dataset" : "ai";
	if (dataset) {
		text_prop(im, secs, "intended_use", prop(pkg, pfx, "intendedUse"));
		text_prop(im, secs, "bias", prop(pkg, pfx, "knownBias"));
		text_prop(im, secs, "training_data", prop(pkg, pfx, "dataCollectionProcess"));
		text_prop(im, secs, "training_procedure", prop(pkg, pfx, "dataPreprocessing"));
		int pii = presence(prop_str(pkg, pfx, "hasSensitivePersonalInformation"));
		if (pii >= 0)
			av_imp_put_bool(im, av_imp_child(im, im->root, "data_handling"), "personal_data",
			    pii == 1);
	} else {
		text_prop(im, secs, "intended_use", prop(pkg, pfx, "informationAboutApplication"));
		text_prop(im, secs, "limitations", prop(pkg, pfx, "limitation"));
		text_prop(im, secs, "domains", prop(pkg, pfx, "domain"));
		text_prop(im, secs, "training_procedure", prop(pkg, pfx, "informationAboutTraining"));
		text_prop(im, secs, "training_procedure", prop(pkg, pfx, "modelDataPreprocessing"));
		const char *risk = prop_str(pkg, pfx, "safetyRiskAssessment");
		if (risk) {
			char line[160];
			snprintf(line, sizeof(line),
			    "Safety risk assessment (EU AI Act category): %s.", risk);
			av_imp_append_text(im, secs, "safety_testing", line, strlen(line));
		}
		const av_node *energy = prop(pkg, pfx, "energyConsumption");
		if (energy && energy->type == AV_MAP) {
			size_t jl;
			char *json = av_node_to_json(energy, &jl);
			if (json) {
				av_imp_append_text(im, secs, "environmental_impact", json, jl);
				free(json);
			} else {
				im->oom = true;
			}
		}
		metrics(im, prop(pkg, pfx, "metric"));
		int pii = presence(prop_str(pkg, pfx, "useSensitivePersonalInformation"));
		if (pii >= 0)
			av_imp_put_bool(im, av_imp_child(im, im->root, "data_handling"), "personal_data",
			    pii == 1);
		const char *autonomy = prop_str(pkg, pfx, "autonomyType");
		if (prop(pkg, pfx, "typeOfModel") || prop(pkg, pfx, "standardCompliance") || autonomy)
			av_imp_diag(im, AV_OK, pkg->line, pkg->column,
			    "typeOfModel, standardCompliance and autonomyType are not kept: the "
			    "manifest has no field for them");
	}
	if (secs && secs->count == 0)
		av_imp_diag(im, AV_OK, pkg->line, pkg->column,
		    "the package says nothing about use, limitations or training");
	else
		av_imp_put(im, mc, "sections", secs);
	if (mc && mc->count > 0)
		av_imp_put(im, im->root, "model_card", mc);

	const av_node *hashes = av_map_get(pkg, "verifiedUsing");
	for (const av_node *h = hashes && hashes->type == AV_SEQ ? hashes->first : NULL; h; h = h->next) {
		const char *alg = av_imp_str(h, "algorithm");
		const char *val = av_imp_str(h, "hashValue");
		if (!alg || !val || strcmp(alg, "sha256") != 0)
			continue;
		av_node *arts = av_imp_put(im, im->root, "artifacts", av_imp_new(im, AV_SEQ));
		av_node *a = av_imp_new(im, AV_MAP);
		if (dl)
			av_imp_put_cstr(im, a, "url", dl);
		av_imp_put_cstr(im, a, "sha256", val);
		av_imp_append(im, arts, a);
		break;
	}
out:
	free(g.v);
	av_doc_destroy(src);
	return rc;
}
