/*
 * import_hf.c - Hugging Face model and dataset cards: a README.md with
 * YAML front matter (the card metadata) and a Markdown body.
 *
 * The front matter gives the kind and the license; model-index a clear
 * accuracy figure.  The card goes to model_card.text unchanged:
 * av_card_normalise finds its sections and front matter facts when the
 * manifest is evaluated.
 */
#include <string.h>
#include <strings.h>

#include "card.h"
#include "import_int.h"

/* Keys only dataset cards use, and keys only model cards use. */
static const char *const dataset_keys[] = {
	"task_categories", "size_categories", "source_datasets", "annotations_creators",
	"language_creators", "multilinguality", "task_ids", "pretty_name", "dataset_info",
	"configs", "paperswithcode_id", NULL,
};
static const char *const model_keys[] = {
	"pipeline_tag", "library_name", "model-index", "base_model", "model_name", NULL,
};

static bool
has_any_key(const av_node *fm, const char *const *keys)
{
	for (; fm && *keys; keys++)
		if (av_map_get(fm, *keys))
			return true;
	return false;
}

/* The first level-1 ATX heading of the body, for the dataset test. */
static bool
titled_dataset_card(const char *body, size_t len)
{
	const char *p = body, *end = body + len;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		if (n > 2 && p[0] == '#' && p[1] == ' ')
			return n >= 14 && strncasecmp(p + 2, "Dataset Card", 12) == 0;
		p += n + 1;
	}
	return false;
}

/* The component name from a file name: "x/phi-2/README.md" -> "phi-2",
 * "squad.md" -> "squad". */
static bool
name_from_file(av_imp *im, const char *file)
{
	if (!file || strcmp(file, "<input>") == 0 || strcmp(file, "-") == 0)
		return false;
	const char *base = strrchr(file, '/');
	const char *dir_end = base;
	base = base ? base + 1 : file;
	size_t n = strlen(base);
	const char *dot = strrchr(base, '.');
	if (dot && (strcasecmp(dot, ".md") == 0 || strcasecmp(dot, ".markdown") == 0))
		n = (size_t)(dot - base);
	if (n == 6 && strncasecmp(base, "README", 6) == 0) {
		if (!dir_end)
			return false;
		const char *d = dir_end;
		while (d > file && d[-1] != '/')
			d--;
		return dir_end > d && av_imp_set_name(im, d, (size_t)(dir_end - d));
	}
	return av_imp_set_name(im, base, n);
}

static void
set_name(av_imp *im, const av_node *fm, bool dataset)
{
	const char *s = av_imp_str(fm, "model_name");
	if (s && av_imp_set_name(im, s, strlen(s)))
		return;
	const av_node *mi = fm ? av_node_at(fm, "model-index.0.name") : NULL;
	if (mi && mi->type == AV_STR && av_imp_set_name(im, mi->str, mi->len))
		return;
	if (name_from_file(im, im->file))
		return;
	s = dataset ? av_imp_str(fm, "pretty_name") : NULL;
	if (s && av_imp_set_name(im, s, strlen(s)))
		return;
	av_imp_put_cstr(im, im->root, "name", "unnamed");
	av_imp_diag(im, AV_OK, 0, 0, "the card names no model: name set to \"unnamed\"");
}

/* license (a string or a list), license_name, license_link -> a license
 * value: a plain id, an "A AND B" expression for a list, or {id, name,
 * link} when a name or link is given.  NULL when the card has none. */
static av_node *
license_value(av_imp *im, const av_node *fm)
{
	const av_node *lic = av_map_get(fm, "license");
	const char *lname = av_imp_str(fm, "license_name");
	const char *llink = av_imp_str(fm, "license_link");
	av_node *id = NULL;
	if (lic && lic->type == AV_STR && lic->len > 0) {
		id = av_node_new_str(im->doc, lic->str, lic->len);
	} else if (lic && lic->type == AV_SEQ) {
		char buf[1024];
		size_t n = 0;
		for (const av_node *e = lic->first; e; e = e->next) {
			if (e->type != AV_STR || e->len == 0) {
				av_imp_diag(im, AV_OK, e->line + 1, e->column,
				    "license list entry is not a license id: ignored");
				continue;
			}
			if (n + e->len + 6 >= sizeof(buf)) {
				av_imp_diag(im, AV_OK, e->line + 1, e->column,
				    "license list too long: the rest is ignored");
				break;
			}
			if (n > 0) {
				memcpy(buf + n, " AND ", 5);
				n += 5;
			}
			memcpy(buf + n, e->str, e->len);
			n += e->len;
		}
		if (n > 0)
			id = av_node_new_str(im->doc, buf, n);
	} else if (lic && lic->type != AV_NULL) {
		av_imp_diag(im, AV_OK, lic->line + 1, lic->column,
		    "license is a %s, not a license id: ignored", av_ntype_name(lic->type));
	}
	if (!id && !lname)
		return NULL;
	if (!lname && !llink)
		return id;
	av_node *m = av_imp_new(im, AV_MAP);
	if (id)
		av_imp_put(im, m, "id", id);
	else
		av_imp_put_cstr(im, m, "id", "other");
	if (lname)
		av_imp_put_cstr(im, m, "name", lname);
	if (llink)
		av_imp_put_cstr(im, m, "link", llink);
	return m;
}

/* model-index: every numeric result goes to evaluation.results (task,
 * dataset, metric, value); a clear accuracy figure also fills
 * evaluation.metrics.accuracy (see av_imp_metric). */
static void
model_index(av_imp *im, const av_node *mi)
{
	if (!mi || mi->type != AV_SEQ)
		return;
	int count = 0;
	for (const av_node *model = mi->first; model; model = model->next) {
		const av_node *rs = av_map_get(model, "results");
		for (const av_node *r = rs && rs->type == AV_SEQ ? rs->first : NULL; r; r = r->next) {
			const av_node *ms = av_map_get(r, "metrics");
			const av_node *t = av_map_get(r, "task"), *ds = av_map_get(r, "dataset");
			const char *task = av_imp_str(t, "type") ? av_imp_str(t, "type")
								 : av_imp_str(t, "name");
			const char *dataset = av_imp_str(ds, "name") ? av_imp_str(ds, "name")
								     : av_imp_str(ds, "type");
			for (const av_node *m = ms && ms->type == AV_SEQ ? ms->first : NULL; m;
			     m = m->next) {
				const char *mname = av_imp_str(m, "type");
				if (!mname)
					mname = av_imp_str(m, "name");
				const av_node *value = av_map_get(m, "value");
				if (!mname || !value)
					continue;
				count++;
				av_imp_metric(im, mname, value, task, dataset, "model-index");
			}
		}
	}
	if (count > 0)
		av_imp_diag(im, AV_OK, mi->line + 1, mi->column,
		    "model-index has %d evaluation result(s): numeric ones are under "
		    "evaluation.results, published figures, not the team's own evaluation", count);
}

int
av_imp_hf(av_imp *im, const char *buf, size_t len)
{
	const char *yaml;
	size_t ylen, body = 0;
	bool unclosed;
	av_doc *fmdoc = NULL;
	const av_node *fm = NULL;
	int rc = 0;

	if (av_card_front_matter(buf, len, &yaml, &ylen, &body, &unclosed)) {
		av_limits lim;
		av_limits_default(&lim);
		av_error err;
		av_error_clear(&err);
		rc = av_doc_parse(&fmdoc, yaml, ylen, AV_FMT_YAML, im->file, &lim, &err);
		if (rc)
			return av_imp_diag(im, rc, err.line ? err.line + 1 : 0, err.column,
			    "front matter: %s", err.msg);
		fm = av_doc_root(fmdoc);
		if (fm->type == AV_NULL) {
			fm = NULL;
		} else if (fm->type != AV_MAP) {
			rc = av_imp_diag(im, AV_EPARSE, fm->line + 1, fm->column,
			    "front matter is a %s, not a map of keys", av_ntype_name(fm->type));
			goto out;
		}
	} else if (unclosed) {
		return av_imp_diag(im, AV_EPARSE, 1, 1,
		    "front matter opened with '---' is never closed by a '---' line");
	} else {
		body = len >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;
		av_imp_diag(im, AV_OK, 1, 1,
		    "the card has no YAML front matter: no license, base model or datasets are "
		    "declared");
	}

	bool dataset = (has_any_key(fm, dataset_keys) && !has_any_key(fm, model_keys)) ||
	    (!fm && titled_dataset_card(buf + body, len - body));
	av_imp_put_cstr(im, im->root, "kind", dataset ? "dataset" : "model");
	set_name(im, fm, dataset);
	av_imp_put_cstr(im, im->root, "version", "unknown");
	av_imp_diag(im, AV_OK, 0, 0,
	    "a card does not say which revision it describes: version set to \"unknown\"");

	av_node *lic = fm ? license_value(im, fm) : NULL;
	if (lic) {
		av_node *ls = av_imp_child(im, im->root, "licenses");
		if (dataset) {
			av_imp_put(im, ls, "data", lic);
		} else {
			/* A model repository has one license for all its files. */
			av_imp_put(im, ls, "code", lic);
			av_imp_put(im, ls, "weights", av_node_copy(im->doc, lic));
		}
	} else if (fm) {
		av_imp_diag(im, AV_OK, 0, 0, "the card declares no license");
	}

	/* The whole card, front matter included: av_card_normalise reads the
	 * facts the plugins need (base_model, datasets, ...) from it into
	 * model_card.metadata when the manifest is evaluated. */
	av_node *mc = av_imp_child(im, im->root, "model_card");
	av_imp_put_str(im, mc, "text", buf, len);
	if (fm)
		model_index(im, av_map_get(fm, "model-index"));
out:
	av_doc_destroy(fmdoc);
	return rc;
}
