/*
 * profile.c - policy profiles (policies/ *.yaml) and the data files they
 * ship with (policies/data/ *.yaml): reading, validating with file:line:
 * column for every problem, resolving `extends` chains and merging the
 * license knowledge base.
 *
 * This file reads documents and builds the av_profile records, and checks
 * each profile's settings against the plugins' settings_schema (settings.c
 * knows what a schema allows); evaluation (runtime.c) only asks them for
 * intervals, remaps and settings.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "file.h"
#include "sha256.h"
#include "clock.h"
#include "plugin_int.h"

#define MAX_POLICY_FILE ((size_t)16 << 20)

static const char *const profile_keys[] = {"apiVersion", "kind", "name", "extends",
	"description", "review", "severity", "plugins", NULL};
static bool
in_list(const char *const *list, const char *s)
{
	for (; *list != NULL; list++)
		if (strcmp(*list, s) == 0)
			return true;
	return false;
}

static int
bad(av_diags *d, const char *file, const av_node *n, bool at_key, const char *fmt, const char *a,
    const char *b)
{
	char msg[AV_ERR_MSG];

	snprintf(msg, sizeof(msg), fmt, a, b);
	return av_diags_add(d, AV_ECONFIG, file, at_key ? n->key_line : n->line,
	    at_key ? n->key_column : n->column, "%s", msg);
}

static bool
check_keys(const av_node *map, const char *const *keys, const char *file, const char *what,
    av_diags *d)
{
	bool ok = true;

	for (const av_node *c = map->first; c != NULL; c = c->next)
		if (!in_list(keys, c->key)) {
			bad(d, file, c, true, "unknown key '%s' in %s", c->key, what);
			ok = false;
		}
	return ok;
}

static bool
want(const av_node *n, av_ntype t, const char *file, const char *what, av_diags *d)
{
	if (n->type == t)
		return true;
	bad(d, file, n, false, "%s must be a %s", what, av_ntype_name(t));
	return false;
}

static int
parse_file(const char *dir, const char *name, const char *label, av_sha256 *digest,
    av_doc **out, av_diags *d)
{
	char path[4096];
	char *buf = NULL;
	size_t len = 0;
	av_error err;
	av_limits lim;
	int rc;

	*out = NULL;
	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, name) >= sizeof(path))
		return av_diags_add(d, AV_ELIMIT, dir, 0, 0, "the path of %s is too long", name);
	av_error_clear(&err);
	rc = av_read_file(path, MAX_POLICY_FILE, &buf, &len, &err);
	if (rc != 0) {
		av_diags_add(d, rc, path, 0, 0, "%s", err.msg);
		return rc;
	}
	av_sha256_update(digest, label, strlen(label));
	av_sha256_update(digest, name, strlen(name) + 1);
	av_sha256_update(digest, buf, len);
	av_limits_default(&lim);
	lim.max_bytes = MAX_POLICY_FILE;
	lim.max_nodes = 1000000;
	rc = av_doc_parse(out, buf, len, AV_FMT_YAML, path, &lim, &err);
	free(buf);
	if (rc != 0)
		av_diags_add(d, rc, err.file[0] ? err.file : path, err.line, err.column, "%s",
		    err.msg);
	return rc;
}

/* Header fields every policy file has: apiVersion and kind. */
static bool
check_header(const av_node *root, const char *file, const char *kind, av_diags *d)
{
	const av_node *api = av_map_get(root, "apiVersion");
	const av_node *k = av_map_get(root, "kind");

	if (api == NULL || api->type != AV_STR || strcmp(api->str, "aivet/v1") != 0) {
		av_diags_add(d, AV_ECONFIG, file, api ? api->line : root->line,
		    api ? api->column : root->column, "apiVersion must be aivet/v1");
		return false;
	}
	if (k == NULL || k->type != AV_STR || strcmp(k->str, kind) != 0) {
		av_diags_add(d, AV_ECONFIG, file, k ? k->line : root->line,
		    k ? k->column : root->column, "kind must be %s", kind);
		return false;
	}
	return true;
}

static bool
check_duration(const av_node *n, const char *file, const char *what, av_diags *d)
{
	int64_t secs;

	if (n->type != AV_STR || av_duration_parse(n->str, &secs) != 0 || secs <= 0) {
		bad(d, file, n, false, "%s must be a duration such as 90d, 6mo or 1y%s", what, "");
		return false;
	}
	return true;
}

static bool
validate_profile(const av_node *root, const char *file, av_diags *d)
{
	size_t before = d->n;
	const av_node *n;

	if (root->type != AV_MAP) {
		av_diags_add(d, AV_ECONFIG, file, root->line, root->column,
		    "a profile must be a map");
		return false;
	}
	check_keys(root, profile_keys, file, "profile", d);
	if (!check_header(root, file, "profile", d))
		return false;
	n = av_map_get(root, "name");
	if (n == NULL)
		av_diags_add(d, AV_ECONFIG, file, root->line, root->column, "profile has no name");
	else if (want(n, AV_STR, file, "name", d) && n->len == 0)
		bad(d, file, n, false, "name must not be empty%s%s", "", "");
	if ((n = av_map_get(root, "extends")) != NULL && n->type != AV_NULL)
		want(n, AV_STR, file, "extends", d);
	if ((n = av_map_get(root, "description")) != NULL && n->type != AV_NULL)
		want(n, AV_STR, file, "description", d);
	if ((n = av_map_get(root, "review")) != NULL && want(n, AV_MAP, file, "review", d)) {
		static const char *const rk[] = {"intervals", "due_soon", NULL};
		static const char *const ik[] = {"low", "medium", "high", NULL};
		const av_node *iv;
		check_keys(n, rk, file, "review", d);
		if ((iv = av_map_get(n, "due_soon")) != NULL)
			check_duration(iv, file, "review.due_soon", d);
		if ((iv = av_map_get(n, "intervals")) != NULL &&
		    want(iv, AV_MAP, file, "review.intervals", d)) {
			check_keys(iv, ik, file, "review.intervals", d);
			for (const av_node *c = iv->first; c != NULL; c = c->next)
				if (in_list(ik, c->key))
					check_duration(c, file, "a review interval", d);
		}
	}
	if ((n = av_map_get(root, "severity")) != NULL && want(n, AV_MAP, file, "severity", d))
		for (const av_node *c = n->first; c != NULL; c = c->next) {
			if (c->type != AV_STR || av_severity_parse(c->str) < 0)
				bad(d, file, c, false,
				    "severity of '%s' must be info, warn, review or block%s", c->key,
				    "");
			if (strncmp(c->key, "engine.", 7) == 0)
				bad(d, file, c, true,
				    "'%s': engine findings cannot be remapped (plugin failures "
				    "always need review)%s", c->key, "");
		}
	if ((n = av_map_get(root, "plugins")) != NULL && want(n, AV_MAP, file, "plugins", d))
		for (const av_node *c = n->first; c != NULL; c = c->next) {
			const av_node *en;
			if (c->type == AV_NULL)
				continue;
			if (c->type != AV_MAP) {
				bad(d, file, c, false, "plugins.%s must be a map of settings%s",
				    c->key, "");
				continue;
			}
			if ((en = av_map_get(c, "enabled")) != NULL && en->type != AV_BOOL)
				bad(d, file, en, false, "plugins.%s.enabled must be true or false%s",
				    c->key, "");
		}
	return d->n == before;
}

static void
merge_into(av_doc *doc, av_node *dst, const av_node *src)
{
	for (const av_node *c = src->first; c != NULL; c = c->next) {
		av_node *cur = (av_node *)av_map_get(dst, c->key);
		if (cur != NULL && cur->type == AV_MAP && c->type == AV_MAP)
			merge_into(doc, cur, c);
		else
			av_map_set(doc, dst, c->key, av_node_copy(doc, c));
	}
}

void
av_profile_fini(av_profile *pr)
{
	free(pr->name);
	free(pr->file);
	free(pr->description);
	for (size_t i = 0; i < pr->nremap; i++)
		free(pr->remap[i].pattern);
	free(pr->remap);
	av_doc_destroy(pr->raw);
	av_doc_destroy(pr->doc);
	memset(pr, 0, sizeof(*pr));
}

static av_profile *
find_profile(av_profile *v, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(v[i].name, name) == 0)
			return &v[i];
	return NULL;
}

/* Resolves pr's extends chain into pr->doc and reads its settings. */
static int
resolve(av_policy *p, av_profile *pr, av_diags *d)
{
	const av_profile *chain[32];
	size_t n = 0;
	const av_profile *cur = pr;
	av_node *root;

	while (cur != NULL) {
		const char *ext = av_map_str(av_doc_root(cur->raw), "extends");
		for (size_t i = 0; i < n; i++)
			if (chain[i] == cur) {
				const av_node *e = av_map_get(av_doc_root(pr->raw), "extends");
				return av_diags_add(d, AV_ECONFIG, pr->file, e ? e->line : 1,
				    e ? e->column : 1, "profile '%s': extends forms a cycle through '%s'",
				    pr->name, cur->name);
			}
		if (n == sizeof(chain) / sizeof(chain[0]))
			return av_diags_add(d, AV_ECONFIG, pr->file, 1, 1,
			    "profile '%s': extends chain deeper than 32", pr->name);
		chain[n++] = cur;
		if (ext == NULL)
			break;
		const av_profile *next = find_profile(p->profiles, p->nprofiles, ext);
		if (next == NULL) {
			const av_node *e = av_map_get(av_doc_root(cur->raw), "extends");
			return av_diags_add(d, AV_ECONFIG, cur->file, e->line, e->column,
			    "profile '%s' extends unknown profile '%s'", cur->name, ext);
		}
		cur = next;
	}
	pr->doc = av_doc_create(pr->file);
	if (pr->doc == NULL)
		return AV_ENOMEM;
	root = av_node_copy(pr->doc, av_doc_root(chain[n - 1]->raw));
	if (root == NULL)
		return AV_ENOMEM;
	for (size_t i = n - 1; i-- > 0;)
		merge_into(pr->doc, root, av_doc_root(chain[i]->raw));
	av_doc_set_root(pr->doc, root);

	/* Review intervals, with the defaults for what no file in the chain says. */
	static const char *const tiers[] = {"low", "medium", "high"};
	static const int64_t defaults[] = {365 * 86400LL, 180 * 86400LL, 90 * 86400LL};
	for (int t = 0; t < 3; t++) {
		char path[64];
		const char *s;
		snprintf(path, sizeof(path), "review.intervals.%s", tiers[t]);
		const av_node *iv = av_node_at(root, path);
		s = iv != NULL && iv->type == AV_STR ? iv->str : NULL;
		if (s == NULL || av_duration_parse(s, &pr->interval[t]) != 0)
			pr->interval[t] = defaults[t];
	}
	const av_node *ds = av_node_at(root, "review.due_soon");
	if (ds == NULL || ds->type != AV_STR || av_duration_parse(ds->str, &pr->due_soon) != 0)
		pr->due_soon = 30 * 86400LL;
	const av_node *desc = av_map_get(root, "description");
	if (desc != NULL && desc->type == AV_STR && (pr->description = strdup(desc->str)) == NULL)
		return AV_ENOMEM;
	const av_node *sev = av_map_get(root, "severity");
	if (sev != NULL && sev->type == AV_MAP && sev->count > 0) {
		pr->remap = calloc(sev->count, sizeof(*pr->remap));
		if (pr->remap == NULL)
			return AV_ENOMEM;
		for (const av_node *c = sev->first; c != NULL; c = c->next) {
			av_remap *r = &pr->remap[pr->nremap];
			size_t kl = strlen(c->key);
			if ((r->pattern = strdup(c->key)) == NULL)
				return AV_ENOMEM;
			r->prefix = kl >= 2 && strcmp(c->key + kl - 2, ".*") == 0;
			r->plen = r->prefix ? kl - 1 : kl; /* a prefix keeps its dot */
			r->sev = (av_severity)av_severity_parse(c->str);
			pr->nremap++;
		}
	}
	const av_node *pl = av_map_get(root, "plugins");
	pr->plugins = pl != NULL && pl->type == AV_MAP ? pl : NULL;
	return 0;
}

/* Entries may carry fields beyond those aivet.licenses reads (a data file
 * can record what a plugin needs, such as a user threshold); those pass
 * through to plugins.  The lists it reads must be lists of strings. */
static bool
check_lists(const av_node *e, const char *file, av_diags *d)
{
	static const char *const lists[] = {"aliases", "conditions"};
	bool ok = true;

	for (size_t i = 0; i < 2; i++) {
		const av_node *l = av_map_get(e, lists[i]);
		if (l == NULL || l->type == AV_NULL)
			continue;
		if (l->type != AV_SEQ) {
			bad(d, file, l, false, "%s must be a list of strings%s", lists[i], "");
			ok = false;
			continue;
		}
		for (const av_node *c = l->first; c != NULL; c = c->next)
			if (c->type != AV_STR) {
				bad(d, file, c, false, "%s must be a list of strings%s", lists[i], "");
				ok = false;
			}
	}
	return ok;
}

/* Merges the entries of list (licenses or exceptions) into the knowledge
 * base's list of the same name, by id, field by field. */
static int
merge_entries(av_doc *kb, const char *listname, const av_node *list, const char *file,
    av_diags *d)
{
	av_node *root = av_doc_root(kb);
	av_node *dst = (av_node *)av_map_get(root, listname);

	if (list->type != AV_SEQ)
		return bad(d, file, list, false, "%s must be a list%s", listname, "");
	if (dst == NULL) {
		dst = av_map_set(kb, root, listname, av_node_new(kb, AV_SEQ));
		if (dst == NULL)
			return AV_ENOMEM;
	}
	for (const av_node *e = list->first; e != NULL; e = e->next) {
		const char *id;
		av_node *cur = NULL;
		if (e->type != AV_MAP) {
			bad(d, file, e, false, "each entry of %s must be a map%s", listname, "");
			continue;
		}
		if (!check_lists(e, file, d))
			continue;
		if ((id = av_map_str(e, "id")) == NULL || *id == '\0') {
			bad(d, file, e, false, "an entry of %s has no id%s", listname, "");
			continue;
		}
		for (av_node *c = dst->first; c != NULL; c = c->next)
			if (strcasecmp(av_map_str(c, "id"), id) == 0) {
				cur = c;
				break;
			}
		if (cur == NULL) {
			av_node *copy = av_node_copy(kb, e);
			if (copy == NULL)
				return AV_ENOMEM;
			av_seq_append(dst, copy);
		} else {
			for (const av_node *f = e->first; f != NULL; f = f->next)
				if (av_map_set(kb, cur, f->key, av_node_copy(kb, f)) == NULL)
					return AV_ENOMEM;
		}
	}
	return 0;
}

static int
load_data(av_policy *p, const char *dir, av_sha256 *digest, av_diags *d)
{
	char sub[4096];
	char **names = NULL;
	size_t n = 0;
	av_error err;
	int rc;

	snprintf(sub, sizeof(sub), "%s/data", dir);
	av_error_clear(&err);
	if ((rc = av_list_dir(sub, ".yaml", true, &names, &n, &err)) != 0)
		return av_diags_add(d, rc, sub, 0, 0, "%s", err.msg);
	for (size_t i = 0; i < n; i++) {
		av_doc *doc = NULL;
		char file[8200];
		snprintf(file, sizeof(file), "%s/%s", sub, names[i]);
		if (parse_file(sub, names[i], "data:", digest, &doc, d) != 0)
			continue;
		const av_node *root = av_doc_root(doc);
		static const char *const top[] = {"apiVersion", "kind", "spdx_list_version",
			"licenses", "exceptions", NULL};
		if (root->type != AV_MAP) {
			av_diags_add(d, AV_ECONFIG, file, root->line, root->column,
			    "a data file must be a map");
		} else if ((int)check_header(root, file, "licenses", d) &
		    (int)check_keys(root, top, file, "a licenses file", d)) {
			/* & rather than &&: both checks report their problems. */
			const av_node *v = av_map_get(root, "spdx_list_version");
			if (v != NULL) {
				if (v->type != AV_STR)
					bad(d, file, v, false, "spdx_list_version must be a string%s%s", "", "");
				else
					av_map_set(p->kb, av_doc_root(p->kb), "spdx_list_version",
					    av_node_copy(p->kb, v));
			}
			if ((v = av_map_get(root, "licenses")) != NULL)
				merge_entries(p->kb, "licenses", v, file, d);
			if ((v = av_map_get(root, "exceptions")) != NULL)
				merge_entries(p->kb, "exceptions", v, file, d);
		}
		av_doc_destroy(doc);
	}
	av_free_names(names, n);
	return 0;
}

int
av_profiles_load(av_policy *p, const av_policy_opts *o, av_sha256 *digest, av_diags *d)
{
	size_t before = d->n;
	av_node *kbroot;

	p->kb = av_doc_create("license data");
	if (p->kb == NULL || (kbroot = av_node_new(p->kb, AV_MAP)) == NULL)
		return AV_ENOMEM;
	av_doc_set_root(p->kb, kbroot);
	av_map_set(p->kb, kbroot, "licenses", av_node_new(p->kb, AV_SEQ));
	av_map_set(p->kb, kbroot, "exceptions", av_node_new(p->kb, AV_SEQ));

	for (size_t di = 0; di < o->npolicy_dirs; di++) {
		const char *dir = o->policy_dirs[di];
		char **names = NULL;
		size_t n = 0, first = p->nprofiles;
		av_error err;
		int rc;

		av_error_clear(&err);
		if ((rc = av_list_dir(dir, ".yaml", false, &names, &n, &err)) != 0) {
			av_diags_add(d, rc, dir, 0, 0, "%s", err.msg);
			continue;
		}
		for (size_t i = 0; i < n; i++) {
			av_doc *doc = NULL;
			char file[4096];
			snprintf(file, sizeof(file), "%s/%s", dir, names[i]);
			if (parse_file(dir, names[i], "profile:", digest, &doc, d) != 0)
				continue;
			if (!validate_profile(av_doc_root(doc), file, d)) {
				av_doc_destroy(doc);
				continue;
			}
			const av_node *nm = av_map_get(av_doc_root(doc), "name");
			av_profile *old = find_profile(p->profiles, p->nprofiles, nm->str);
			if (old != NULL && (size_t)(old - p->profiles) >= first) {
				av_diags_add(d, AV_ECONFIG, file, nm->line, nm->column,
				    "profile '%s' is also defined in %s", nm->str, old->file);
				av_doc_destroy(doc);
				continue;
			}
			if (old != NULL) {
				av_policy_log(p, AV_LOG_INFO, "profile '%s' from %s replaces %s",
				    nm->str, file, old->file);
				av_profile_fini(old);
			} else {
				av_profile *v = realloc(p->profiles, (p->nprofiles + 1) * sizeof(*v));
				if (v == NULL) {
					av_doc_destroy(doc);
					av_free_names(names, n);
					return AV_ENOMEM;
				}
				p->profiles = v;
				old = &v[p->nprofiles++];
				memset(old, 0, sizeof(*old));
			}
			old->raw = doc;
			old->name = strdup(nm->str);
			old->file = strdup(file);
			if (old->name == NULL || old->file == NULL) {
				av_free_names(names, n);
				return AV_ENOMEM;
			}
		}
		av_free_names(names, n);
		if ((rc = load_data(p, dir, digest, d)) == AV_ENOMEM)
			return rc;
	}
	for (size_t i = 0; i < p->nprofiles; i++)
		if (resolve(p, &p->profiles[i], d) == AV_ENOMEM)
			return AV_ENOMEM;
	return d->n == before ? 0 : AV_ECONFIG;
}

const av_profile *
av_policy_profile(const av_policy *p, const char *name)
{
	static const av_profile builtin = {
		.name = "default",
		.file = "(built-in)",
		.interval = {365 * 86400LL, 180 * 86400LL, 90 * 86400LL},
		.due_soon = 30 * 86400LL,
	};

	if (name == NULL)
		name = "default";
	for (size_t i = 0; i < p->nprofiles; i++)
		if (strcmp(p->profiles[i].name, name) == 0)
			return &p->profiles[i];
	/* With no default profile on disk the engine still runs, on the
	 * documented default intervals and the plugins' own defaults. */
	if (strcmp(name, "default") == 0)
		return &builtin;
	return NULL;
}

av_severity
av_profile_remap(const av_profile *pr, const char *id, av_severity sev)
{
	size_t best = 0;
	bool exact = false;

	if (strncmp(id, "engine.", 7) == 0)
		return sev;
	for (size_t i = 0; i < pr->nremap; i++) {
		const av_remap *r = &pr->remap[i];
		if (!r->prefix && strcmp(r->pattern, id) == 0) {
			sev = r->sev;
			exact = true;
		} else if (!exact && r->prefix && r->plen > best &&
		    strncmp(r->pattern, id, r->plen) == 0) {
			sev = r->sev;
			best = r->plen;
		}
	}
	return sev;
}

const av_node *
av_profile_settings(const av_profile *pr, const char *plugin)
{
	const av_node *n;

	if (pr->plugins == NULL || (n = av_map_get(pr->plugins, plugin)) == NULL)
		return NULL;
	return n->type == AV_MAP ? n : NULL;
}

bool
av_profile_enabled(const av_profile *pr, const char *plugin)
{
	const av_node *s = av_profile_settings(pr, plugin);
	const av_node *en = s != NULL ? av_map_get(s, "enabled") : NULL;

	return en == NULL || en->type != AV_BOOL || en->b;
}

int
av_profile_check_settings(const av_profile *pr, const av_plugin *pl, av_diags *d)
{
	const av_node *raw = pr->raw != NULL ? av_map_get(av_doc_root(pr->raw), "plugins") : NULL;
	const av_node *s = raw != NULL && raw->type == AV_MAP ? av_map_get(raw, pl->info.name) : NULL;
	int bad_n = 0;

	if (s == NULL || s->type != AV_MAP || pl->schema == NULL)
		return 0;
	for (const av_node *c = s->first; c != NULL; c = c->next) {
		const av_node *def, *where;
		char why[1200];
		if (strcmp(c->key, "enabled") == 0)
			continue;
		def = av_map_get(av_doc_root(pl->schema), c->key);
		if (def == NULL) {
			av_diags_add(d, AV_ECONFIG, pr->file, c->key_line, c->key_column,
			    "plugin %s has no setting '%s' (see its settings_schema)", pl->info.name,
			    c->key);
			bad_n++;
			continue;
		}
		if (av_schema_check(def, c, &where, why, sizeof(why)) != 0) {
			av_diags_add(d, AV_ECONFIG, pr->file, where->line, where->column,
			    "setting %s.%s %s", pl->info.name, c->key, why);
			bad_n++;
		}
	}
	return bad_n;
}
