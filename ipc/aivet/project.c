/*
 * cli_project.c - the project file aivet.yaml and `aivet init`.
 *
 * A repository lists the AI components it depends on in aivet.yaml at its
 * root; `aivet check` with no arguments finds the file by searching upwards
 * from the working directory, as git finds .git, and checks every
 * component it lists.  Paths in the file are relative to the file.
 *
 *   apiVersion: aivet/v1
 *   kind: project
 *   profile: production            # optional; --profile wins
 *   components:
 *     - manifest: models/phi-2.yaml
 *     - card: vendor/whisper/README.md
 *       format: hf                  # hf, cyclonedx or spdx
 *
 * `aivet init` writes a starter file; with --from-card it also turns a
 * Hugging Face card into a starter manifest whose unfilled fields are
 * marked with "# TODO: fill in" comments (see docs/build-tools.md).
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "file.h"
#include "cli.h"
#include "doc.h"
#include "import.h"
#include "manifest.h"

#define PROJECT_FILE "aivet.yaml"

int
cli_project_find(char *out, size_t len)
{
	char dir[PATH_MAX];

	if (getcwd(dir, sizeof(dir)) == NULL)
		return -1;
	for (;;) {
		struct stat st;
		if ((size_t)snprintf(out, len, "%s/%s", strcmp(dir, "/") == 0 ? "" : dir,
			PROJECT_FILE) < len &&
		    stat(out, &st) == 0 && S_ISREG(st.st_mode))
			return 0;
		char *slash = strrchr(dir, '/');
		if (slash == NULL || strcmp(dir, "/") == 0)
			return -1;
		if (slash == dir)
			slash[1] = '\0';
		else
			*slash = '\0';
	}
}

static void
diag(av_diags *d, const char *file, const av_node *n, bool at_key, const char *fmt,
    const char *a)
{
	av_diags_add(d, AV_ESCHEMA, file, at_key ? n->key_line : n->line,
	    at_key ? n->key_column : n->column, fmt, a);
}

/* One entry of components: {manifest: path} or {card: path, format: F}. */
static void
component(cli_project *p, const av_node *e, const char *file, av_diags *d)
{
	const av_node *path = NULL;
	int fmt = -1;
	bool is_card = false;

	if (e->type != AV_MAP) {
		diag(d, file, e, false, "components: each entry must be a map with%s",
		    " 'manifest' or 'card'");
		return;
	}
	for (const av_node *n = e->first; n != NULL; n = n->next) {
		if (strcmp(n->key, "manifest") == 0 || strcmp(n->key, "card") == 0) {
			if (path != NULL) {
				diag(d, file, n, true, "'%s': an entry names one manifest or one card",
				    n->key);
				continue;
			}
			is_card = strcmp(n->key, "card") == 0;
			if (n->type != AV_STR || n->len == 0)
				diag(d, file, n, false, "'%s': expected a path", n->key);
			else
				path = n;
		} else if (strcmp(n->key, "format") == 0) {
			if (n->type != AV_STR ||
			    ((fmt = av_input_parse(n->str)) != AV_INPUT_HF && fmt != AV_INPUT_CYCLONEDX &&
				fmt != AV_INPUT_SPDX)) {
				diag(d, file, n, false, "'format': expected hf, cyclonedx or spdx, not '%s'",
				    n->type == AV_STR ? n->str : av_ntype_name(n->type));
				fmt = -2;
			}
		} else {
			diag(d, file, n, true,
			    "unknown key '%s' in a component (known: manifest, card, format)", n->key);
		}
	}
	if (path == NULL) {
		if (e->first != NULL)
			diag(d, file, e, false, "a component needs 'manifest' or 'card'%s", "");
		return;
	}
	if (!is_card && fmt != -1) {
		diag(d, file, av_map_get(e, "format"), true, "'format' belongs to a card, not a%s",
		    " manifest");
		return;
	}
	if (is_card && fmt == -1) {
		diag(d, file, path, true, "a card needs 'format' (hf, cyclonedx or spdx)%s", "");
		return;
	}
	if (fmt == -2)
		return;
	cli_component *v = realloc(p->v, (p->n + 1) * sizeof(*v));
	if (v == NULL)
		return;
	p->v = v;
	if (path->str[0] == '/' || strcmp(p->dir, ".") == 0) {
		v[p->n].path = strdup(path->str);
	} else {
		size_t need = strlen(p->dir) + path->len + 2;
		if ((v[p->n].path = malloc(need)) != NULL)
			snprintf(v[p->n].path, need, "%s/%s", p->dir, path->str);
	}
	v[p->n].card_fmt = is_card ? fmt : AV_INPUT_UNKNOWN;
	if (v[p->n].path != NULL)
		p->n++;
}

int
cli_project_load(const char *file, cli_project *p)
{
	char *buf = NULL, cwd[PATH_MAX];
	size_t len;
	av_doc *doc = NULL;
	av_error err;
	av_diags d;
	int ex = 0;

	memset(p, 0, sizeof(*p));
	snprintf(p->file, sizeof(p->file), "%s", file);
	/* Paths stay as short as the user wrote them when the file is here. */
	const char *slash = strrchr(file, '/');
	snprintf(p->dir, sizeof(p->dir), "%.*s", slash ? (int)(slash - file) : 1,
	    slash ? file : ".");
	if (slash == file)
		snprintf(p->dir, sizeof(p->dir), "/");
	if (getcwd(cwd, sizeof(cwd)) != NULL && strcmp(cwd, p->dir) == 0)
		snprintf(p->dir, sizeof(p->dir), ".");
	if (av_read_file(file, 1024 * 1024, &buf, &len, &err) != 0) {
		fprintf(stderr, "%s: %s\n", file, err.msg);
		return EX_DATA;
	}
	if (av_doc_parse(&doc, buf, len, AV_FMT_YAML, file, NULL, &err) != 0) {
		char line[AV_ERR_MSG + AV_ERR_FILE + 32];
		free(buf);
		fprintf(stderr, "%s\n", av_error_format(&err, line, sizeof(line)));
		return EX_DATA;
	}
	free(buf);
	av_diags_init(&d);
	const av_node *root = av_doc_root(doc);
	if (root->type != AV_MAP) {
		diag(&d, file, root, false, "a project file is a map with apiVersion, kind%s",
		    " and components");
		goto out;
	}
	const av_node *api = av_map_get(root, "apiVersion"), *kind = av_map_get(root, "kind");
	if (api == NULL || api->type != AV_STR || strcmp(api->str, "aivet/v1") != 0)
		diag(&d, file, api ? api : root, false, "'apiVersion' must be aivet/v1%s", "");
	if (kind == NULL || kind->type != AV_STR || strcmp(kind->str, "project") != 0)
		diag(&d, file, kind ? kind : root, false, "'kind' must be project%s", "");
	for (const av_node *n = root->first; n != NULL; n = n->next) {
		if (strcmp(n->key, "apiVersion") == 0 || strcmp(n->key, "kind") == 0)
			continue;
		if (strcmp(n->key, "profile") == 0) {
			if (n->type != AV_STR || n->len == 0 || n->len >= sizeof(p->profile))
				diag(&d, file, n, false, "'profile': expected a profile name%s", "");
			else
				memcpy(p->profile, n->str, n->len + 1);
		} else if (strcmp(n->key, "components") == 0) {
			if (n->type != AV_SEQ) {
				diag(&d, file, n, false, "'components': expected a list%s", "");
				continue;
			}
			for (const av_node *e = n->first; e != NULL; e = e->next)
				component(p, e, file, &d);
		} else {
			diag(&d, file, n, true,
			    "unknown key '%s' (known: apiVersion, kind, profile, components)", n->key);
		}
	}
	if (d.n == 0 && p->n == 0)
		av_diags_add(&d, AV_ESCHEMA, file, root->line, root->column,
		    "the project lists no components");
out:
	if (d.n > 0) {
		cli_print_diags(&d);
		cli_project_fini(p);
		ex = EX_DATA;
	}
	av_diags_fini(&d);
	av_doc_destroy(doc);
	return ex;
}

void
cli_project_fini(cli_project *p)
{
	for (size_t i = 0; i < p->n; i++)
		free(p->v[i].path);
	free(p->v);
	p->v = NULL;
	p->n = 0;
}

int
cli_load_card(const char *path, int fmt, av_doc **out)
{
	char *buf = NULL;
	size_t len;
	av_error err;
	av_diags d;
	int rc;

	*out = NULL;
	if (av_read_file(path, AV_IMPORT_MAX_BYTES, &buf, &len, &err) != 0) {
		fprintf(stderr, "%s: %s\n", path, err.msg);
		return EX_DATA;
	}
	av_diags_init(&d);
	rc = av_import(out, buf, len, (av_input)fmt, path, &d);
	free(buf);
	for (size_t i = 0; i < d.n; i++) {
		char line[AV_ERR_MSG + AV_ERR_FILE + 32];
		/* Notes only matter when the import failed. */
		if (rc != 0 || d.v[i].code != AV_OK)
			fprintf(stderr, "%s\n", av_error_format(&d.v[i], line, sizeof(line)));
	}
	av_diags_fini(&d);
	return rc == 0 ? 0 : EX_DATA;
}

/* ---- aivet init ---------------------------------------------------------- */

/*
 * The fields a reviewer needs and a card rarely says, in manifest order,
 * with what to write.  Those the import left absent are marked in the
 * starter manifest.
 */
static const struct {
	const char *section, *key, *hint;
} wanted[] = {
    {"publisher", NULL, "who publishes the component"},
    {"source", "url", "where it is downloaded from"},
    {"source", "revision", "the exact commit, tag or digest in use"},
    {"use", "purpose", "what the team will use it for"},
    {"use", "commercial", "true or false"},
    {"use", "audience", "internal or public"},
    {"use", "impact", "low, medium or high"},
    {"licenses", "code", "SPDX id of the code's license"},
    {"licenses", "weights", "SPDX id or {id, name, link} of the weights' license"},
    {"licenses", "data", "license of the training data, if known"},
    {"data_handling", "personal_data", "true or false"},
    {"evaluation", "test_sets", "- {name, size, source, covers}"},
    {"evaluation", "rubric", "how results are scored"},
    {"operations", "monitoring", "the controls in place (see docs/manifest.md)"},
    {"team", "ml_expertise", "none, low, medium or high"},
    {"team", "infra_capacity", "none, low, medium or high"},
    {"decisions", "owner", "the person or team who owns the decision"},
    {"decisions", "decision", "what was decided, for what use"},
    {"decisions", "review_by", "YYYY-MM-DD"},
    {"decisions", "assumptions", "- what must stay true for the decision to hold"},
};

/* Appends l bytes of s to the growing buffer *b. */
static int
catn(char **b, size_t *n, const char *s, size_t l)
{
	char *nb = realloc(*b, *n + l + 1);

	if (nb == NULL)
		return -1;
	memcpy(nb + *n, s, l);
	nb[*n + l] = '\0';
	*b = nb;
	*n += l;
	return 0;
}

static int
cat(char **b, size_t *n, const char *s)
{
	return catn(b, n, s, strlen(s));
}

/*
 * The manifest's YAML with TODO comments: inside a section that exists,
 * right under its key; sections that do not exist at all follow at the
 * end as commented-out blocks to fill in and uncomment.
 */
static char *
mark_todos(const av_node *root, const char *yaml)
{
	char *out = NULL, line[512];
	size_t n = 0;
	const char *p = yaml;

	if (cat(&out, &n, "# Starter manifest written by `aivet init --from-card`.\n"
			  "# Lines marked TODO are what the card could not tell: fill them in,\n"
			  "# then run `aivet validate` and `aivet check`.\n") != 0)
		return NULL;
	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t l = nl ? (size_t)(nl - p + 1) : strlen(p);
		if (catn(&out, &n, p, l) != 0)
			goto oom;
		/* What the importer wrote for lack of anything better. */
		if ((strncmp(p, "version: unknown\n", 17) == 0 &&
			cat(&out, &n, "# TODO: fill in version: the exact version or revision in use\n")) ||
		    (strncmp(p, "name: unnamed\n", 14) == 0 &&
			cat(&out, &n, "# TODO: fill in name: the component's name, e.g. org/model\n")))
			goto oom;
		for (size_t i = 0; i < sizeof(wanted) / sizeof(wanted[0]); i++) {
			size_t sl = strlen(wanted[i].section);
			const av_node *sec = av_map_get(root, wanted[i].section);
			if (wanted[i].key == NULL || sec == NULL || sec->type != AV_MAP ||
			    av_map_get(sec, wanted[i].key) != NULL)
				continue;
			if (strncmp(p, wanted[i].section, sl) == 0 && p[sl] == ':' &&
			    (p[sl + 1] == '\n' || p[sl + 1] == '\0')) {
				snprintf(line, sizeof(line), "  # TODO: fill in %s: %s\n", wanted[i].key,
				    wanted[i].hint);
				if (cat(&out, &n, line) != 0)
					goto oom;
			}
		}
		p += l;
	}
	const char *last = NULL;
	for (size_t i = 0; i < sizeof(wanted) / sizeof(wanted[0]); i++) {
		const av_node *sec = av_map_get(root, wanted[i].section);
		if (sec != NULL)
			continue;
		if (last == NULL && cat(&out, &n, "\n# TODO: fill in the sections below, then "
						  "uncomment them (docs/manifest.md).\n") != 0)
			goto oom;
		if (wanted[i].key == NULL) {
			snprintf(line, sizeof(line), "# %s:   # TODO: fill in: %s\n", wanted[i].section,
			    wanted[i].hint);
		} else {
			if (last == NULL || strcmp(last, wanted[i].section) != 0) {
				snprintf(line, sizeof(line), "# %s:\n", wanted[i].section);
				if (cat(&out, &n, line) != 0)
					goto oom;
			}
			snprintf(line, sizeof(line), "#   %s:   # TODO: fill in: %s\n", wanted[i].key,
			    wanted[i].hint);
		}
		last = wanted[i].section;
		if (cat(&out, &n, line) != 0)
			goto oom;
	}
	return out;
oom:
	free(out);
	return NULL;
}

/* Writes text to path unless it exists. */
static int
write_new(const char *path, const char *text)
{
	FILE *f;

	if (access(path, F_OK) == 0) {
		fprintf(stderr, "aivet init: %s already exists; not overwriting it\n", path);
		return EX_USAGE_;
	}
	if ((f = fopen(path, "wx")) == NULL || fputs(text, f) == EOF || fclose(f) != 0) {
		fprintf(stderr, "aivet init: cannot write %s: %s\n", path, strerror(errno));
		return EX_SOFT;
	}
	printf("wrote %s\n", path);
	return 0;
}

int
cli_cmd_init(int argc, char **argv, const char *from_card)
{
	char manifest[PATH_MAX], project[PATH_MAX * 2 + 512];
	const char *profile = cli.profile ? cli.profile : "default";
	int ex;

	if (argc != 0) {
		fprintf(stderr, "aivet init: takes no arguments (--from-card FILE, --profile NAME)\n");
		return EX_USAGE_;
	}
	if (access(PROJECT_FILE, F_OK) == 0) {
		fprintf(stderr, "aivet init: %s already exists; not overwriting it\n",
		    PROJECT_FILE);
		return EX_USAGE_;
	}
	if (from_card == NULL) {
		snprintf(project, sizeof(project),
		    "# The AI components this repository depends on; `aivet check` checks them all.\n"
		    "apiVersion: aivet/v1\n"
		    "kind: project\n"
		    "profile: %s\n"
		    "components: []\n"
		    "  # - manifest: models/my-model.yaml\n"
		    "  # - card: vendor/some-model/README.md\n"
		    "  #   format: hf\n",
		    profile);
		/* An empty list does not check anything, so the file says what to add. */
		return write_new(PROJECT_FILE, project);
	}
	av_doc *doc;
	if ((ex = cli_load_card(from_card, AV_INPUT_HF, &doc)) != 0)
		return ex;
	const av_node *root = av_doc_root(doc);
	const char *name = av_map_str(root, "name");
	const char *base = name && strrchr(name, '/') ? strrchr(name, '/') + 1 : name;
	char slug[128];
	size_t k = 0;
	for (const char *s = base ? base : "component"; *s && k + 1 < sizeof(slug); s++)
		slug[k++] = (char)((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
				(*s >= '0' && *s <= '9') || *s == '-' || *s == '.' || *s == '_'
			? *s
			: '-');
	slug[k] = '\0';
	snprintf(manifest, sizeof(manifest), "%s.aivet.yaml", slug);
	char *yaml = av_node_to_yaml(root, NULL);
	char *text = yaml ? mark_todos(root, yaml) : NULL;
	free(yaml);
	av_doc_destroy(doc);
	if (text == NULL) {
		fprintf(stderr, "aivet init: out of memory\n");
		return EX_SOFT;
	}
	ex = write_new(manifest, text);
	free(text);
	if (ex != 0)
		return ex;
	snprintf(project, sizeof(project),
	    "# The AI components this repository depends on; `aivet check` checks them all.\n"
	    "apiVersion: aivet/v1\n"
	    "kind: project\n"
	    "profile: %s\n"
	    "components:\n"
	    "  - manifest: %s\n",
	    profile, manifest);
	return write_new(PROJECT_FILE, project);
}
