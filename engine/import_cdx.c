/*
 * import_cdx.c - CycloneDX BOMs (JSON, spec 1.5 and 1.6; 1.7 read the same
 * way): one machine-learning-model or data component becomes the manifest.
 *
 * The primary component is metadata.component when it is a model or data,
 * else the first machine-learning-model (depth first), else the first data
 * component.  Its modelCard's considerations become inline model card
 * sections, a clear accuracy figure evaluation.metrics.accuracy, its SHA-256
 * hash an artifact, and the software components it depends on dependencies.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "import_int.h"

#define MAX_WALK 100000 /* components visited while searching */

typedef struct walk {
	const av_node *model, *data;
	size_t models, visited;
} walk;

static bool
is_type(const av_node *c, const char *type)
{
	const char *t = av_imp_str(c, "type");
	return t && strcmp(t, type) == 0;
}

static void
walk_components(walk *w, const av_node *list)
{
	for (const av_node *c = list && list->type == AV_SEQ ? list->first : NULL; c; c = c->next) {
		if (++w->visited > MAX_WALK)
			return;
		if (c->type != AV_MAP)
			continue;
		if (is_type(c, "machine-learning-model")) {
			if (!w->model)
				w->model = c;
			w->models++;
		} else if (is_type(c, "data") && !w->data) {
			w->data = c;
		}
		walk_components(w, av_map_get(c, "components"));
	}
}

/* Finds a component by bom-ref anywhere in the BOM. */
static const av_node *
find_ref(const av_node *list, const char *ref, size_t *budget)
{
	for (const av_node *c = list && list->type == AV_SEQ ? list->first : NULL; c; c = c->next) {
		if (*budget == 0)
			return NULL;
		(*budget)--;
		const char *r = av_imp_str(c, "bom-ref");
		if (r && strcmp(r, ref) == 0)
			return c;
		const av_node *f = find_ref(av_map_get(c, "components"), ref, budget);
		if (f)
			return f;
	}
	return NULL;
}

/* licenses: [{license: {id | name, url}} | {expression}] -> a license
 * value; several entries are joined with AND (all of them apply). */
static av_node *
license_value(av_imp *im, const av_node *lics)
{
	if (!lics || lics->type != AV_SEQ || lics->count == 0)
		return NULL;
	if (lics->count == 1) {
		const av_node *e = lics->first;
		const char *expr = av_imp_str(e, "expression");
		if (expr)
			return av_node_new_cstr(im->doc, expr);
		const av_node *l = av_map_get(e, "license");
		const char *id = av_imp_str(l, "id");
		const char *name = av_imp_str(l, "name");
		const char *url = av_imp_str(l, "url");
		if (id && !url)
			return av_node_new_cstr(im->doc, id);
		if (!id && !name)
			return NULL;
		av_node *m = av_imp_new(im, AV_MAP);
		if (id)
			av_imp_put_cstr(im, m, "id", id);
		if (name)
			av_imp_put_cstr(im, m, "name", name);
		if (url)
			av_imp_put_cstr(im, m, "link", url);
		return m;
	}
	char buf[2048];
	size_t n = 0;
	for (const av_node *e = lics->first; e; e = e->next) {
		const char *s = av_imp_str(e, "expression");
		if (!s)
			s = av_imp_str(av_map_get(e, "license"), "id");
		if (!s)
			s = av_imp_str(av_map_get(e, "license"), "name");
		if (!s)
			continue;
		bool compound = strchr(s, ' ') != NULL;
		int k = snprintf(buf + n, sizeof(buf) - n, "%s%s%s%s", n ? " AND " : "",
		    compound ? "(" : "", s, compound ? ")" : "");
		if (k < 0 || (size_t)k >= sizeof(buf) - n)
			break;
		n += (size_t)k;
	}
	return n ? av_node_new_str(im->doc, buf, n) : NULL;
}

/* Joins a list of strings (or objects' `field`s) into section text. */
static void
section_lines(av_imp *im, av_node *secs, const char *key, const av_node *list,
    const char *const *fields)
{
	for (const av_node *e = list && list->type == AV_SEQ ? list->first : NULL; e; e = e->next) {
		if (e->type == AV_STR) {
			av_imp_append_text(im, secs, key, e->str, e->len);
			continue;
		}
		for (const char *const *f = fields; f && *f; f++) {
			const char *s = av_imp_str(e, *f);
			if (s) {
				char line[1024];
				int k = snprintf(line, sizeof(line), "%s: %s", *f, s);
				if (k > 0)
					av_imp_append_text(im, secs, key, line,
					    (size_t)k < sizeof(line) ? (size_t)k : sizeof(line) - 1);
			}
		}
	}
}

static void
model_card(av_imp *im, const av_node *card)
{
	if (!card || card->type != AV_MAP)
		return;
	av_node *mc = av_imp_child(im, im->root, "model_card");
	/* modelParameters (task, datasets) has no field in the aivet/v1
	 * schema: a note says it was left out.  Performance metrics go to
	 * evaluation.results. */
	const av_node *params = av_map_get(card, "modelParameters");
	if (params && params->type == AV_MAP && params->count > 0)
		av_imp_diag(im, AV_OK, params->line, params->column,
		    "modelCard.modelParameters (task, datasets, architecture) is not kept: the "
		    "manifest has no field for it");
	const av_node *qa = av_map_get(card, "quantitativeAnalysis");
	const av_node *pm = av_map_get(qa, "performanceMetrics");
	int count = 0;
	for (const av_node *m = pm && pm->type == AV_SEQ ? pm->first : NULL; m; m = m->next) {
		const char *type = av_imp_str(m, "type");
		const av_node *value = av_map_get(m, "value");
		if (!type || !value)
			continue;
		count++;
		av_imp_metric(im, type, value, NULL, av_imp_str(m, "slice"), "cyclonedx");
	}
	if (count > 0)
		av_imp_diag(im, AV_OK, pm->line, pm->column,
		    "%d performance metric(s): numeric ones are under evaluation.results", count);

	const av_node *cons = av_map_get(card, "considerations");
	if (!cons || cons->type != AV_MAP || cons->count == 0)
		return;
	av_node *secs = av_imp_child(im, mc, "sections");
	static const char *const risk_fields[] = {"name", "mitigationStrategy", NULL};
	static const char *const fair_fields[] = {"groupAtRisk", "benefits", "harms",
		"mitigationStrategy", NULL};
	section_lines(im, secs, "users", av_map_get(cons, "users"), NULL);
	section_lines(im, secs, "intended_use", av_map_get(cons, "useCases"), NULL);
	section_lines(im, secs, "limitations", av_map_get(cons, "technicalLimitations"), NULL);
	section_lines(im, secs, "limitations", av_map_get(cons, "performanceTradeoffs"), NULL);
	section_lines(im, secs, "risks", av_map_get(cons, "ethicalConsiderations"), risk_fields);
	section_lines(im, secs, "bias", av_map_get(cons, "fairnessAssessments"), fair_fields);
	const av_node *env = av_map_get(cons, "environmentalConsiderations");
	if (env && env->type == AV_MAP && env->count > 0) {
		/* Energy figures and properties have no field of their own: the
		 * section records that they are reported, in their JSON form. */
		size_t jl;
		char *json = av_node_to_json(env, &jl);
		if (!json) {
			im->oom = true;
			return;
		}
		av_imp_append_text(im, secs, "environmental_impact", json, jl);
		free(json);
	}
	if (secs && secs->count == 0)
		av_imp_diag(im, AV_OK, cons->line, cons->column,
		    "modelCard.considerations has nothing this importer reads");
}

static const char *
ecosystem_of(const char *purl)
{
	static const struct {
		const char *type, *eco;
	} map[] = {{"pypi", "pypi"}, {"npm", "npm"}, {"cargo", "cargo"}, {"golang", "go"},
		{"maven", "maven"}, {"conda", "conda"}, {"deb", "apt"}};
	if (!purl || strncmp(purl, "pkg:", 4) != 0)
		return NULL;
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
		size_t n = strlen(map[i].type);
		if (strncmp(purl + 4, map[i].type, n) == 0 && purl[4 + n] == '/')
			return map[i].eco;
	}
	return "other";
}

static void
dependencies(av_imp *im, const av_node *bom, const av_node *primary)
{
	const char *ref = av_imp_str(primary, "bom-ref");
	const av_node *deps = av_map_get(bom, "dependencies");
	if (!ref || !deps || deps->type != AV_SEQ)
		return;
	const av_node *comps = av_map_get(bom, "components");
	av_node *list = NULL;
	for (const av_node *d = deps->first; d; d = d->next) {
		const char *from = av_imp_str(d, "ref");
		if (!from || strcmp(from, ref) != 0)
			continue;
		const av_node *on = av_map_get(d, "dependsOn");
		for (const av_node *t = on && on->type == AV_SEQ ? on->first : NULL; t; t = t->next) {
			if (t->type != AV_STR)
				continue;
			size_t budget = MAX_WALK;
			const av_node *c = find_ref(comps, t->str, &budget);
			const char *name = c ? av_imp_str(c, "name") : NULL;
			if (c && is_type(c, "data")) {
				/* Data the model was trained or tested on is not a
				 * software dependency. */
				av_imp_diag(im, AV_OK, t->line, t->column,
				    "depends on data component \"%s\": not a software dependency, "
				    "not kept", name ? name : t->str);
				continue;
			}
			if (!list)
				list = av_imp_put(im, im->root, "dependencies", av_imp_new(im, AV_SEQ));
			av_node *e = av_imp_new(im, AV_MAP);
			av_imp_put_cstr(im, e, "name", name ? name : t->str);
			const char *ver = av_imp_str(c, "version");
			if (ver)
				av_imp_put_cstr(im, e, "version", ver);
			const char *eco = ecosystem_of(av_imp_str(c, "purl"));
			if (eco)
				av_imp_put_cstr(im, e, "ecosystem", eco);
			av_node *lic = c ? license_value(im, av_map_get(c, "licenses")) : NULL;
			if (lic)
				av_imp_put(im, e, "license", lic);
			av_imp_append(im, list, e);
		}
	}
}

int
av_imp_cdx(av_imp *im, const char *buf, size_t len)
{
	av_doc *src = NULL;
	int rc = av_imp_parse(im, buf, len, AV_FMT_JSON, &src);
	if (rc)
		return rc;
	const av_node *bom = av_doc_root(src);
	const char *fmt = av_imp_str(bom, "bomFormat");
	if (bom->type != AV_MAP || !fmt || strcmp(fmt, "CycloneDX") != 0) {
		rc = av_imp_diag(im, AV_ESCHEMA, bom->line, bom->column,
		    "not a CycloneDX BOM: no \"bomFormat\": \"CycloneDX\"");
		goto out;
	}
	const char *spec = av_imp_str(bom, "specVersion");
	if (spec && strcmp(spec, "1.5") != 0 && strcmp(spec, "1.6") != 0 && strcmp(spec, "1.7") != 0)
		av_imp_diag(im, AV_OK, 0, 0,
		    "CycloneDX specVersion %s: read as 1.6 (machine-learning components need 1.5)",
		    spec);

	const av_node *comps = av_map_get(bom, "components");
	const av_node *meta_comp = av_node_at(bom, "metadata.component");
	walk w = {0};
	walk_components(&w, comps);
	const av_node *primary = NULL;
	const char *why = NULL;
	if (meta_comp && (is_type(meta_comp, "machine-learning-model") || is_type(meta_comp, "data"))) {
		primary = meta_comp;
		why = "the BOM's metadata.component";
	} else if (w.model) {
		primary = w.model;
		why = w.models > 1 ? "the first of several machine-learning models"
				   : "its only machine-learning model";
	} else if (w.data) {
		primary = w.data;
		why = "its first data component (it has no machine-learning model)";
	}
	if (!primary) {
		bool none = (!comps || comps->type != AV_SEQ || comps->count == 0) && !meta_comp;
		rc = av_imp_diag(im, AV_ESCHEMA, bom->line, bom->column,
		    none ? "the BOM has no components"
			 : "the BOM has no machine-learning-model or data component");
		goto out;
	}
	const char *name = av_imp_str(primary, "name");
	const char *group = av_imp_str(primary, "group");
	const char *ref = av_imp_str(primary, "bom-ref");
	av_imp_diag(im, AV_OK, primary->line, primary->column, "importing component \"%s\"%s%s%s: %s",
	    name ? name : "(unnamed)", ref ? " (bom-ref " : "", ref ? ref : "", ref ? ")" : "", why);

	bool data = is_type(primary, "data");
	av_imp_put_cstr(im, im->root, "kind", data ? "dataset" : "model");
	char full[512];
	if (group && name)
		snprintf(full, sizeof(full), "%s/%s", group, name);
	else
		snprintf(full, sizeof(full), "%s", name ? name : "");
	if (!av_imp_set_name(im, full, strlen(full))) {
		rc = av_imp_diag(im, AV_ESCHEMA, primary->line, primary->column,
		    "the component has no usable name");
		goto out;
	}
	const char *ver = av_imp_str(primary, "version");
	if (ver && *ver) {
		av_imp_put_cstr(im, im->root, "version", ver);
	} else {
		av_imp_put_cstr(im, im->root, "version", "unknown");
		av_imp_diag(im, AV_OK, primary->line, primary->column,
		    "the component has no version: version set to \"unknown\"");
	}
	const char *pub = av_imp_str(primary, "publisher");
	if (!pub)
		pub = av_imp_str(av_map_get(primary, "supplier"), "name");
	if (!pub)
		pub = av_imp_str(av_map_get(primary, "manufacturer"), "name");
	if (pub)
		av_imp_put_cstr(im, im->root, "publisher", pub);
	const char *desc = av_imp_str(primary, "description");
	if (desc)
		av_imp_put_cstr(im, im->root, "description", desc);

	/* External references: where it comes from, and its card. */
	const av_node *refs = av_map_get(primary, "externalReferences");
	const char *dist_url = NULL;
	for (const av_node *r = refs && refs->type == AV_SEQ ? refs->first : NULL; r; r = r->next) {
		const char *type = av_imp_str(r, "type");
		const char *url = av_imp_str(r, "url");
		if (!type || !url)
			continue;
		if (strcmp(type, "vcs") == 0) {
			av_imp_put_cstr(im, av_imp_child(im, im->root, "source"), "repository", url);
		} else if (strcmp(type, "website") == 0 || strcmp(type, "distribution") == 0) {
			av_node *src_map = av_imp_child(im, im->root, "source");
			if (!av_map_get(src_map, "url"))
				av_imp_put_cstr(im, src_map, "url", url);
			if (strstr(url, "huggingface.co/"))
				av_imp_put_cstr(im, src_map, "hub", "huggingface");
			else if (strstr(url, "github.com/"))
				av_imp_put_cstr(im, src_map, "hub", "github");
			if (strcmp(type, "distribution") == 0 && !dist_url)
				dist_url = url;
		} else if (strcmp(type, "model-card") == 0 || strcmp(type, "documentation") == 0) {
			av_node *mc = av_imp_child(im, im->root, "model_card");
			if (!av_map_get(mc, "url"))
				av_imp_put_cstr(im, mc, "url", url);
		}
	}

	av_node *lic = license_value(im, av_map_get(primary, "licenses"));
	if (lic)
		av_imp_put(im, av_imp_child(im, im->root, "licenses"), data ? "data" : "weights", lic);
	else
		av_imp_diag(im, AV_OK, primary->line, primary->column,
		    "the component declares no license");

	model_card(im, av_map_get(primary, "modelCard"));

	const av_node *hashes = av_map_get(primary, "hashes");
	for (const av_node *h = hashes && hashes->type == AV_SEQ ? hashes->first : NULL; h; h = h->next) {
		const char *alg = av_imp_str(h, "alg");
		const char *content = av_imp_str(h, "content");
		if (!alg || !content || strcasecmp(alg, "SHA-256") != 0)
			continue;
		av_node *arts = av_imp_put(im, im->root, "artifacts", av_imp_new(im, AV_SEQ));
		av_node *a = av_imp_new(im, AV_MAP);
		if (dist_url)
			av_imp_put_cstr(im, a, "url", dist_url);
		av_imp_put_cstr(im, a, "sha256", content);
		av_imp_append(im, arts, a);
		break;
	}
	dependencies(im, bom, primary);
out:
	av_doc_destroy(src);
	return rc;
}
