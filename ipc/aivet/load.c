/*
 * load.c - reading what `aivet check` and `aivet validate` are given: a
 * manifest, or a Hugging Face card, CycloneDX ML-BOM or SPDX 3 document
 * that becomes one; the documents a manifest references (its model card,
 * a BOM whose sections it lacks); and the artifact files it lists, whose
 * real format and digest are inspected here, on the client's side.  Files
 * referenced stay inside the manifest's folder unless --allow-outside.
 *
 * The result is one document, ready for the engine's pipeline in-process
 * (--local) or to be sent to the daemon.  Also `aivet import`.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cjson/cJSON.h>

#include "cli.h"
#include "doc.h"
#include "file.h"
#include "import.h"
#include "inspect.h"
#include "manifest.h"

/*
 * Resolves a path referenced by a manifest against the manifest's folder.
 * Unless --allow-outside, the result must stay inside that folder.
 */
static int
resolve_ref(const char *manifest, const char *ref, char *out, size_t len, char *why, size_t wlen)
{
	char dir[PATH_MAX], base[PATH_MAX], joined[PATH_MAX * 2];
	const char *slash = strrchr(manifest, '/');

	if (slash == NULL)
		snprintf(dir, sizeof(dir), ".");
	else
		snprintf(dir, sizeof(dir), "%.*s", (int)(slash - manifest), manifest);
	if (realpath(dir, base) == NULL) {
		snprintf(why, wlen, "%s: %s", dir, strerror(errno));
		return -1;
	}
	if (ref[0] == '/')
		snprintf(joined, sizeof(joined), "%s", ref);
	else
		snprintf(joined, sizeof(joined), "%s/%s", base, ref);
	if (realpath(joined, out) == NULL) {
		snprintf(why, wlen, "%s: %s", ref, strerror(errno));
		return -1;
	}
	size_t bl = strlen(base);
	if (!cli.allow_outside && (strncmp(out, base, bl) != 0 || (out[bl] != '/' && out[bl] != '\0'))) {
		snprintf(why, wlen, "'%s' is outside the manifest's folder (use --allow-outside)",
		    ref);
		return -1;
	}
	(void)len;
	return 0;
}

void
cli_print_diags(const av_diags *d)
{
	char line[AV_ERR_MSG + AV_ERR_FILE + 32];

	for (size_t i = 0; i < d->n; i++)
		fprintf(stderr, "%s\n", av_error_format(&d->v[i], line, sizeof(line)));
}

/* Notes from importers (code AV_OK) and problems, each on its own line. */
static void
print_import_diags(const av_diags *d)
{
	char line[AV_ERR_MSG + AV_ERR_FILE + 32];

	for (size_t i = 0; i < d->n; i++) {
		if (d->v[i].code == AV_OK && cli.quiet)
			continue;
		fprintf(stderr, "%s%s\n", d->v[i].code == AV_OK ? "note: " : "",
		    av_error_format(&d->v[i], line, sizeof(line)));
	}
}

/*
 * Reads a manifest, or a document of another format (Hugging Face card,
 * CycloneDX ML-BOM, SPDX 3 AI package) that becomes one.  The format is
 * --input, else detected from the content.
 */
static int
read_document(const char *path, av_doc **out)
{
	char *buf = NULL;
	size_t len;
	av_error err;
	av_input fmt;
	av_diags d;
	int rc;

	*out = NULL;
	if (av_read_file(path, MAX_MANIFEST, &buf, &len, &err) != 0) {
		fprintf(stderr, "%s: %s\n", path, err.msg);
		return EX_DATA;
	}
	fmt = cli.input ? av_input_parse(cli.input) : av_input_detect(buf, len, path);
	if (fmt == AV_INPUT_AIVET || fmt == AV_INPUT_UNKNOWN) {
		/* Unknown content is read as a manifest, whose reader says what is wrong. */
		rc = av_doc_parse(out, buf, len, AV_FMT_AUTO, path, NULL, &err);
		free(buf);
		if (rc != 0) {
			char line[AV_ERR_MSG + AV_ERR_FILE + 32];
			fprintf(stderr, "%s\n", av_error_format(&err, line, sizeof(line)));
			return EX_DATA;
		}
		return 0;
	}
	av_diags_init(&d);
	rc = av_import(out, buf, len, fmt, path, &d);
	free(buf);
	print_import_diags(&d);
	av_diags_fini(&d);
	return rc == 0 ? 0 : EX_DATA;
}

/*
 * Inspects the artifact files a manifest lists that exist beside it, and
 * records what was found under artifacts[i].inspected: the real format, the
 * sha256 (and whether it matches the declared one), and for pickle streams
 * the globals they import.  Nothing is loaded or executed.
 */
static int
inspect_artifacts(const char *path, av_doc *doc)
{
	av_node *arts = (av_node *)av_map_get(av_doc_root(doc), "artifacts");
	char ref[PATH_MAX], why[PATH_MAX + 128];

	if (arts == NULL || arts->type != AV_SEQ)
		return 0;
	for (av_node *a = arts->first; a != NULL; a = a->next) {
		const av_node *p = av_map_get(a, "path");
		const char *declared = av_map_str(a, "sha256");
		av_inspect r;
		av_error err;
		av_doc *facts;
		cJSON *j;

		if (p == NULL || p->type != AV_STR)
			continue;
		if (resolve_ref(path, p->str, ref, sizeof(ref), why, sizeof(why)) != 0) {
			if (strstr(why, "outside") != NULL) {
				fprintf(stderr, "%s:%d:%d: artifacts: %s\n", path, p->line, p->column,
				    why);
				return EX_DATA;
			}
			continue; /* not on disk here: the manifest's facts stand */
		}
		if (av_inspect_file(&r, ref, NULL, &err) != 0) {
			fprintf(stderr, "%s:%d:%d: artifact %s: %s\n", path, p->line, p->column,
			    p->str, err.msg);
			return EX_DATA;
		}
		j = av_inspect_to_json(&r);
		if (cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(j, "error")))
			cJSON_DeleteItemFromObjectCaseSensitive(j, "error");
		if (j != NULL && declared != NULL && r.sha256[0] != '\0')
			cJSON_AddBoolToObject(j, "sha256_match", strcasecmp(declared, r.sha256) == 0);
		av_inspect_fini(&r);
		if (j == NULL || av_doc_from_json(&facts, j, path, NULL, &err) != 0) {
			cJSON_Delete(j);
			fprintf(stderr, "%s: out of memory inspecting %s\n", path, p->str);
			return EX_SOFT;
		}
		cJSON_Delete(j);
		av_map_set(doc, a, "inspected", av_node_copy(doc, av_doc_root(facts)));
		av_doc_destroy(facts);
	}
	return 0;
}

/*
 * A manifest may name a CycloneDX ML-BOM or SPDX 3 document (bom.path):
 * the client reads and imports it, and every top-level section the
 * manifest leaves out is taken from it (licenses, artifacts with their
 * hashes, dependencies, model card facts).  What the manifest says wins.
 */
static int
merge_bom(const char *path, av_doc *doc)
{
	av_node *root = av_doc_root(doc);
	const av_node *bom = av_map_get(root, "bom");
	const av_node *bp = bom ? av_map_get(bom, "path") : NULL;
	const char *fmtname = bom ? av_map_str(bom, "format") : NULL;
	char ref[PATH_MAX], why[PATH_MAX + 128];
	char *buf;
	size_t len;
	av_doc *imp = NULL;
	av_error err;
	av_diags d;
	av_input fmt;
	int rc;

	if (bp == NULL || bp->type != AV_STR)
		return 0;
	why[0] = '\0';
	if (resolve_ref(path, bp->str, ref, sizeof(ref), why, sizeof(why)) != 0 ||
	    av_read_file(ref, MAX_MANIFEST, &buf, &len, &err) != 0) {
		fprintf(stderr, "%s:%d:%d: bom.path: %s\n", path, bp->line, bp->column,
		    why[0] ? why : err.msg);
		return EX_DATA;
	}
	fmt = fmtname ? av_input_parse(fmtname) : av_input_detect(buf, len, ref);
	if (fmt != AV_INPUT_CYCLONEDX && fmt != AV_INPUT_SPDX) {
		free(buf);
		fprintf(stderr, "%s:%d:%d: bom.path: %s is neither a CycloneDX BOM nor an SPDX 3 "
				"document\n", path, bp->line, bp->column, bp->str);
		return EX_DATA;
	}
	av_diags_init(&d);
	rc = av_import(&imp, buf, len, fmt, ref, &d);
	free(buf);
	print_import_diags(&d);
	av_diags_fini(&d);
	if (rc != 0)
		return EX_DATA;
	for (const av_node *n = av_doc_root(imp)->first; n != NULL; n = n->next) {
		if (strcmp(n->key, "apiVersion") == 0 || strcmp(n->key, "kind") == 0 ||
		    strcmp(n->key, "name") == 0 || strcmp(n->key, "version") == 0)
			continue;
		if (av_map_get(root, n->key) == NULL)
			av_map_set(doc, root, n->key, av_node_copy(doc, n));
	}
	av_doc_destroy(imp);
	return 0;
}

/*
 * Reads and validates one manifest and the documents it references,
 * returning the document ready to send.  Problems are printed with
 * file:line:column.  Returns 0 or EX_DATA.
 */
int
cli_load_manifest(const char *path, av_doc **out)
{
	char why[PATH_MAX + 128], ref[PATH_MAX];
	av_doc *doc = NULL;
	av_error err;
	av_diags d;
	int rc;

	*out = NULL;
	if ((rc = read_document(path, &doc)) != 0)
		return rc;
	av_diags_init(&d);
	if (av_manifest_validate(av_doc_root(doc), path, &d) != 0) {
		cli_print_diags(&d);
		av_diags_fini(&d);
		av_doc_destroy(doc);
		return EX_DATA;
	}
	av_diags_fini(&d);
	/* A model card given by path travels as text. */
	av_node *card = (av_node *)av_map_get(av_doc_root(doc), "model_card");
	const av_node *cpath = card ? av_map_get(card, "path") : NULL;
	if (cpath != NULL && cpath->type == AV_STR && av_map_get(card, "text") == NULL) {
		char *text;
		size_t tlen;
		why[0] = '\0';
		if (resolve_ref(path, cpath->str, ref, sizeof(ref), why, sizeof(why)) != 0 ||
		    av_read_file(ref, MAX_MANIFEST, &text, &tlen, &err) != 0) {
			if (why[0] == '\0')
				snprintf(why, sizeof(why), "%s", err.msg);
			fprintf(stderr, "%s:%d:%d: model_card.path: %s\n", path, cpath->line,
			    cpath->column, why);
			av_doc_destroy(doc);
			return EX_DATA;
		}
		av_map_set(doc, card, "text", av_node_new_str(doc, text, tlen));
		free(text);
	}
	if ((rc = merge_bom(path, doc)) != 0) {
		av_doc_destroy(doc);
		return rc;
	}
	if ((rc = inspect_artifacts(path, doc)) != 0) {
		av_doc_destroy(doc);
		return rc;
	}
	*out = doc;
	return 0;
}

int
cli_cmd_import(int argc, char **argv)
{
	av_input fmt;
	av_doc *doc;
	char *buf, *yaml;
	size_t len;
	av_error err;
	av_diags d;
	int rc;

	if (argc != 2 || ((fmt = av_input_parse(argv[0])) == AV_INPUT_UNKNOWN &&
			     strcmp(argv[0], "auto") != 0)) {
		fprintf(stderr, "aivet import: expected FORMAT FILE (FORMAT: hf, cyclonedx, spdx "
				"or auto)\n");
		return EX_USAGE_;
	}
	if (av_read_file(argv[1], MAX_MANIFEST, &buf, &len, &err) != 0) {
		fprintf(stderr, "%s: %s\n", argv[1], err.msg);
		return EX_DATA;
	}
	if (fmt == AV_INPUT_UNKNOWN)
		fmt = av_input_detect(buf, len, argv[1]);
	av_diags_init(&d);
	rc = av_import(&doc, buf, len, fmt, argv[1], &d);
	free(buf);
	print_import_diags(&d);
	av_diags_fini(&d);
	if (rc != 0)
		return EX_DATA;
	if ((yaml = av_node_to_yaml(av_doc_root(doc), &len)) == NULL) {
		av_doc_destroy(doc);
		return EX_SOFT;
	}
	printf("# Imported from %s (%s) by aivet import; fill in what the source could not tell.\n",
	    argv[1], av_input_name(fmt));
	fwrite(yaml, 1, len, stdout);
	free(yaml);
	av_doc_destroy(doc);
	return 0;
}

