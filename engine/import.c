/*
 * import.c - format detection, the av_import entry point, and the helpers
 * the importers share.  Each format's mapping lives in its own file
 * (import_hf.c, import_cdx.c, import_spdx3.c).
 */
#include "import.h"

#include <ctype.h>
#include <math.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "import_int.h"
#include "manifest.h"

/* ---- detection ---- */

static const char *
find_in(const char *buf, size_t len, const char *pat)
{
	size_t m = strlen(pat);
	return buf && m <= len ? memmem(buf, len, pat, m) : NULL;
}

/* Does a YAML text have a top-level "apiVersion: aivet/..." line? */
static bool
yaml_aivet(const char *buf, size_t len)
{
	const char *p = buf, *end = buf + len;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		if (n >= 11 && memcmp(p, "apiVersion:", 11) == 0 && find_in(p, n, "aivet/"))
			return true;
		p += n + 1;
	}
	return false;
}

static bool
ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);
	return n >= m && strcasecmp(s + n - m, suffix) == 0;
}

av_input
av_input_detect(const char *buf, size_t len, const char *filename)
{
	if (!buf || len == 0 || memchr(buf, '\0', len))
		return AV_INPUT_UNKNOWN;
	size_t i = 0;
	if (len >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0)
		i = 3;
	while (i < len && isspace((unsigned char)buf[i]))
		i++;
	if (i == len)
		return AV_INPUT_UNKNOWN;
	const char *s = buf + i;
	size_t n = len - i;
	if (*s == '{' || *s == '[') {
		if (find_in(s, n, "\"bomFormat\"") && find_in(s, n, "\"CycloneDX\""))
			return AV_INPUT_CYCLONEDX;
		if (find_in(s, n, "\"@context\"") && find_in(s, n, "\"@graph\"") &&
		    (find_in(s, n, "spdx") || find_in(s, n, "SPDX")))
			return AV_INPUT_SPDX;
		if (find_in(s, n, "\"apiVersion\"") && find_in(s, n, "aivet/"))
			return AV_INPUT_AIVET;
		return AV_INPUT_UNKNOWN;
	}
	/* A YAML manifest may open with "---" too; its apiVersion tells. */
	if (yaml_aivet(s, n) && !(filename && (ends_with(filename, ".md") ||
					      ends_with(filename, ".markdown"))))
		return AV_INPUT_AIVET;
	if (n >= 4 && memcmp(s, "---", 3) == 0 && (s[3] == '\n' || s[3] == '\r'))
		return AV_INPUT_HF;
	if (*s == '#')
		return AV_INPUT_HF;
	if (filename && (ends_with(filename, ".md") || ends_with(filename, ".markdown")))
		return AV_INPUT_HF;
	return AV_INPUT_UNKNOWN;
}

static const struct {
	const char *name;
	av_input fmt;
} input_names[] = {
	{"aivet", AV_INPUT_AIVET},
	{"hf", AV_INPUT_HF},
	{"cyclonedx", AV_INPUT_CYCLONEDX},
	{"spdx", AV_INPUT_SPDX},
	{"huggingface", AV_INPUT_HF},
	{"cdx", AV_INPUT_CYCLONEDX},
	{"spdx3", AV_INPUT_SPDX},
};

const char *
av_input_name(av_input fmt)
{
	for (size_t i = 0; i < sizeof(input_names) / sizeof(input_names[0]); i++)
		if (input_names[i].fmt == fmt)
			return input_names[i].name;
	return "unknown";
}

av_input
av_input_parse(const char *s)
{
	for (size_t i = 0; s && i < sizeof(input_names) / sizeof(input_names[0]); i++)
		if (strcmp(s, input_names[i].name) == 0)
			return input_names[i].fmt;
	return AV_INPUT_UNKNOWN;
}

/* ---- helpers ---- */

int
av_imp_diag(av_imp *im, int code, int line, int column, const char *fmt, ...)
{
	char msg[AV_ERR_MSG];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (im->d)
		av_diags_add(im->d, code, im->file, line, column, "%s", msg);
	return code;
}

int
av_imp_parse(av_imp *im, const char *buf, size_t len, av_format fmt, av_doc **out)
{
	av_limits lim;
	av_limits_default(&lim);
	lim.max_bytes = AV_IMPORT_MAX_BYTES;
	lim.max_nodes = 1000000;
	av_error err;
	av_error_clear(&err);
	int rc = av_doc_parse(out, buf, len, fmt, im->file, &lim, &err);
	if (rc)
		return av_imp_diag(im, rc, err.line, err.column, "%s", err.msg);
	return 0;
}

av_node *
av_imp_put(av_imp *im, av_node *map, const char *key, av_node *node)
{
	if (!map || !node) {
		im->oom = true;
		return NULL;
	}
	if (!av_map_set(im->doc, map, key, node)) {
		im->oom = true;
		return NULL;
	}
	return node;
}

av_node *
av_imp_put_str(av_imp *im, av_node *map, const char *key, const char *s, size_t len)
{
	return av_imp_put(im, map, key, av_node_new_str(im->doc, s, len));
}

av_node *
av_imp_put_cstr(av_imp *im, av_node *map, const char *key, const char *s)
{
	return av_imp_put(im, map, key, av_node_new_cstr(im->doc, s));
}

av_node *
av_imp_put_bool(av_imp *im, av_node *map, const char *key, bool b)
{
	return av_imp_put(im, map, key, av_node_new_bool(im->doc, b));
}

av_node *
av_imp_put_copy(av_imp *im, av_node *map, const char *key, const av_node *n)
{
	return av_imp_put(im, map, key, av_node_copy(im->doc, n));
}

av_node *
av_imp_new(av_imp *im, av_ntype type)
{
	av_node *n = av_node_new(im->doc, type);
	if (!n)
		im->oom = true;
	return n;
}

void
av_imp_append(av_imp *im, av_node *seq, av_node *child)
{
	if (!seq || !child) {
		im->oom = true;
		return;
	}
	av_seq_append(seq, child);
}

av_node *
av_imp_child(av_imp *im, av_node *map, const char *key)
{
	if (!map) {
		im->oom = true;
		return NULL;
	}
	const av_node *c = av_map_get(map, key);
	if (c && c->type == AV_MAP)
		return (av_node *)c; /* a node of our own document */
	return av_imp_put(im, map, key, av_node_new(im->doc, AV_MAP));
}

static bool
name_char(unsigned char c)
{
	return isalnum(c) || c == '.' || c == '_' || c == '/' || c == '-';
}

bool
av_imp_set_name(av_imp *im, const char *s, size_t len)
{
	char buf[201];
	size_t n = 0;
	for (size_t i = 0; i < len && n < sizeof(buf) - 1; i++) {
		unsigned char c = (unsigned char)s[i];
		char out = name_char(c) ? (char)c : '-';
		if (out == '-' && n > 0 && buf[n - 1] == '-')
			continue;
		buf[n++] = out;
	}
	while (n > 0 && (buf[n - 1] == '-' || buf[n - 1] == '/' || buf[n - 1] == '.'))
		n--;
	size_t a = 0;
	while (a < n && (buf[a] == '-' || buf[a] == '/' || buf[a] == '.'))
		a++;
	if (a == n)
		return false;
	av_imp_put_str(im, im->root, "name", buf + a, n - a);
	return true;
}

void
av_imp_append_text(av_imp *im, av_node *map, const char *key, const char *s, size_t len)
{
	if (!map)
		return;
	const av_node *old = av_map_get(map, key);
	if (!old || old->type != AV_STR) {
		av_imp_put_str(im, map, key, s, len);
		return;
	}
	size_t n = old->len + 1 + len;
	char *buf = malloc(n);
	if (!buf) {
		im->oom = true;
		return;
	}
	memcpy(buf, old->str, old->len);
	buf[old->len] = '\n';
	memcpy(buf + old->len + 1, s, len);
	av_imp_put_str(im, map, key, buf, n);
	free(buf);
}

const char *
av_imp_str(const av_node *map, const char *key)
{
	return map ? av_map_str(map, key) : NULL;
}

void
av_imp_metric(av_imp *im, const char *metric, const av_node *value, const char *task,
    const char *dataset, const char *source)
{
	if (!metric || !value)
		return;
	double num;
	bool numeric = false;
	if (value->type == AV_INT) {
		num = (double)value->i;
		numeric = true;
	} else if (value->type == AV_FLOAT) {
		num = value->d;
		numeric = true;
	} else if (value->type == AV_STR) {
		char *end;
		num = strtod(value->str, &end);
		numeric = end != value->str && *end == '\0';
	}
	if (numeric && isfinite(num)) {
		av_node *ev = av_imp_child(im, im->root, "evaluation");
		av_node *rs = (av_node *)av_map_get(ev, "results");
		av_node *r = av_node_new(im->doc, AV_MAP);
		if (rs == NULL) {
			rs = av_node_new(im->doc, AV_SEQ);
			if (rs != NULL)
				av_map_set(im->doc, ev, "results", rs);
		}
		if (rs != NULL && r != NULL) {
			if (task)
				av_imp_put_cstr(im, r, "task", task);
			if (dataset)
				av_imp_put_cstr(im, r, "dataset", dataset);
			av_imp_put_cstr(im, r, "metric", metric);
			av_map_set(im->doc, r, "value", av_node_new_float(im->doc, num));
			if (source)
				av_imp_put_cstr(im, r, "source", source);
			av_seq_append(rs, r);
		}
	}
	char lower[32];
	size_t n = 0;
	for (; metric[n] && n < sizeof(lower) - 1; n++)
		lower[n] = (char)tolower((unsigned char)metric[n]);
	lower[n] = '\0';
	if (strcmp(lower, "accuracy") != 0 && strcmp(lower, "acc") != 0)
		return;
	double v;
	if (value->type == AV_INT)
		v = (double)value->i;
	else if (value->type == AV_FLOAT)
		v = value->d;
	else if (value->type == AV_STR) {
		char *end;
		v = strtod(value->str, &end);
		if (end == value->str || *end != '\0')
			return;
	} else
		return;
	if (!(v >= 0.0 && v <= 1.0))
		return;
	im->n_accuracy++;
	im->accuracy = v;
}

/* Refuses binary content and invalid UTF-8, naming the line and column. */
static int
check_text(av_imp *im, const char *buf, size_t len)
{
	int line = 1, col = 1;
	for (size_t i = 0; i < len;) {
		unsigned char c = (unsigned char)buf[i];
		if (c == 0)
			return av_imp_diag(im, AV_EPARSE, line, col,
			    "binary data (a NUL byte), not a text document");
		size_t k = c < 0x80 ? 1 : (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3
		    : (c & 0xF8) == 0xF0 ? 4 : 0;
		if (k == 0 || (k == 2 && c < 0xC2) || i + k > len)
			return av_imp_diag(im, AV_EPARSE, line, col, "invalid UTF-8 (byte 0x%02x)", c);
		for (size_t j = 1; j < k; j++)
			if (((unsigned char)buf[i + j] & 0xC0) != 0x80)
				return av_imp_diag(im, AV_EPARSE, line, col, "invalid UTF-8 (byte 0x%02x)", c);
		if (c == '\n') {
			line++;
			col = 1;
		} else {
			col++;
		}
		i += k;
	}
	return 0;
}

static int
import_aivet(av_imp *im, const char *buf, size_t len)
{
	av_doc *src = NULL;
	int rc = av_imp_parse(im, buf, len, AV_FMT_AUTO, &src);
	if (rc)
		return rc;
	/* The manifest is read as it is: the document replaces the one being
	 * built. */
	av_doc_destroy(im->doc);
	im->doc = src;
	im->root = av_doc_root(src);
	return 0;
}

int
av_import(av_doc **out, const char *buf, size_t len, av_input fmt, const char *name,
    av_diags *d)
{
	*out = NULL;
	av_imp im = {.file = name ? name : "<input>", .d = d};
	if (!buf)
		return av_imp_diag(&im, AV_EINVAL, 0, 0, "no input");
	if (len > AV_IMPORT_MAX_BYTES)
		return av_imp_diag(&im, AV_ELIMIT, 0, 0,
		    "document of %zu bytes is over the import limit of %u bytes", len,
		    (unsigned)AV_IMPORT_MAX_BYTES);
	int rc = check_text(&im, buf, len);
	if (rc)
		return rc;
	if (fmt == AV_INPUT_UNKNOWN) {
		fmt = av_input_detect(buf, len, name);
		if (fmt == AV_INPUT_UNKNOWN)
			return av_imp_diag(&im, AV_EPARSE, 1, 1,
			    "not a recognised document: expected a Hugging Face card, a CycloneDX "
			    "or SPDX 3 JSON document, or an aivet/v1 manifest");
	}
	im.doc = av_doc_create(im.file);
	if (!im.doc)
		return av_imp_diag(&im, AV_ENOMEM, 0, 0, "out of memory");
	im.root = av_node_new(im.doc, AV_MAP);
	if (!im.root) {
		rc = av_imp_diag(&im, AV_ENOMEM, 0, 0, "out of memory");
		goto fail;
	}
	av_doc_set_root(im.doc, im.root);
	if (fmt != AV_INPUT_AIVET) {
		av_imp_put_cstr(&im, im.root, "apiVersion", "aivet/v1");
	}
	switch (fmt) {
	case AV_INPUT_AIVET:
		rc = import_aivet(&im, buf, len);
		break;
	case AV_INPUT_HF:
		rc = av_imp_hf(&im, buf, len);
		break;
	case AV_INPUT_CYCLONEDX:
		rc = av_imp_cdx(&im, buf, len);
		break;
	case AV_INPUT_SPDX:
		rc = av_imp_spdx3(&im, buf, len);
		break;
	default:
		rc = av_imp_diag(&im, AV_EINVAL, 0, 0, "unknown input format");
		break;
	}
	if (rc)
		goto fail;
	if (im.n_accuracy == 1) {
		av_node *ev = av_imp_child(&im, im.root, "evaluation");
		av_node *m = av_imp_child(&im, ev, "metrics");
		av_imp_put(&im, m, "accuracy", av_node_new_float(im.doc, im.accuracy));
	} else if (im.n_accuracy > 1) {
		av_imp_diag(&im, AV_OK, 0, 0,
		    "%d accuracy figures: evaluation.metrics.accuracy left unset, all of them are "
		    "under evaluation.results", im.n_accuracy);
	}
	if (im.oom) {
		rc = av_imp_diag(&im, AV_ENOMEM, 0, 0, "out of memory");
		goto fail;
	}
	size_t before = d ? d->n : 0;
	int nerr = av_manifest_validate(im.root, im.file, d);
	if (nerr > 0) {
		rc = AV_ESCHEMA;
		if (fmt != AV_INPUT_AIVET && d && d->n > before)
			av_imp_diag(&im, AV_ESCHEMA, 0, 0,
			    "the imported manifest does not validate (see above)");
		goto fail;
	}
	*out = im.doc;
	return 0;
fail:
	av_doc_destroy(im.doc);
	return rc;
}
