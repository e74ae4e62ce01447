/*
 * doc_json.c - a document from a parsed JSON value (cJSON), under the same
 * bounds as the YAML reader: how a manifest sent as a JSON object, or one
 * stored as canonical JSON, becomes a document again without going through
 * text.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "doc.h"

typedef struct conv {
	av_doc *doc;
	const av_limits *lim;
	size_t nodes;
	av_error *err;
} conv;

/* cJSON does not check UTF-8; the YAML reader does, so JSON input must too. */
static bool
utf8_ok(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	while (*p) {
		int n;
		uint32_t cp;
		if (*p < 0x80) {
			p++;
			continue;
		} else if ((*p & 0xe0) == 0xc0) {
			n = 1;
			cp = *p & 0x1f;
		} else if ((*p & 0xf0) == 0xe0) {
			n = 2;
			cp = *p & 0x0f;
		} else if ((*p & 0xf8) == 0xf0) {
			n = 3;
			cp = *p & 0x07;
		} else {
			return false;
		}
		p++;
		for (int i = 0; i < n; i++, p++) {
			if ((*p & 0xc0) != 0x80)
				return false;
			cp = (cp << 6) | (*p & 0x3f);
		}
		if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) ||
		    cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return false;
	}
	return true;
}

static av_node *
convert(conv *c, const cJSON *j, size_t depth, int *rc)
{
	av_node *n = NULL;

	if (++c->nodes > c->lim->max_nodes) {
		*rc = av_error_set(c->err, AV_ELIMIT, av_doc_name(c->doc), 0, 0,
		    "more than %zu nodes", c->lim->max_nodes);
		return NULL;
	}
	if (depth > c->lim->max_depth) {
		*rc = av_error_set(c->err, AV_ELIMIT, av_doc_name(c->doc), 0, 0,
		    "nested deeper than %zu levels", c->lim->max_depth);
		return NULL;
	}
	if (cJSON_IsNull(j)) {
		n = av_node_new(c->doc, AV_NULL);
	} else if (cJSON_IsBool(j)) {
		n = av_node_new_bool(c->doc, cJSON_IsTrue(j));
	} else if (cJSON_IsNumber(j)) {
		double d = j->valuedouble;
		if (d >= -9007199254740992.0 && d <= 9007199254740992.0 && d == (double)(int64_t)d)
			n = av_node_new_int(c->doc, (int64_t)d);
		else
			n = av_node_new_float(c->doc, d);
	} else if (cJSON_IsString(j)) {
		if (!utf8_ok(j->valuestring)) {
			*rc = av_error_set(c->err, AV_EPARSE, av_doc_name(c->doc), 0, 0,
			    "invalid UTF-8 in a string");
			return NULL;
		}
		n = av_node_new_cstr(c->doc, j->valuestring);
	} else if (cJSON_IsArray(j)) {
		if ((n = av_node_new(c->doc, AV_SEQ)) == NULL)
			goto nomem;
		for (const cJSON *e = j->child; e != NULL; e = e->next) {
			av_node *k = convert(c, e, depth + 1, rc);
			if (k == NULL)
				return NULL;
			av_seq_append(n, k);
		}
	} else if (cJSON_IsObject(j)) {
		if ((n = av_node_new(c->doc, AV_MAP)) == NULL)
			goto nomem;
		for (const cJSON *e = j->child; e != NULL; e = e->next) {
			av_node *k;
			if (!utf8_ok(e->string)) {
				*rc = av_error_set(c->err, AV_EPARSE, av_doc_name(c->doc), 0, 0,
				    "invalid UTF-8 in a key");
				return NULL;
			}
			if (av_map_get(n, e->string) != NULL) {
				*rc = av_error_set(c->err, AV_EPARSE, av_doc_name(c->doc), 0, 0,
				    "duplicate key '%s'", e->string);
				return NULL;
			}
			if ((k = convert(c, e, depth + 1, rc)) == NULL)
				return NULL;
			if (av_map_set(c->doc, n, e->string, k) == NULL)
				goto nomem;
		}
	} else {
		*rc = av_error_set(c->err, AV_EPARSE, av_doc_name(c->doc), 0, 0,
		    "unsupported JSON value");
		return NULL;
	}
	if (n != NULL)
		return n;
nomem:
	*rc = av_error_set(c->err, AV_ENOMEM, NULL, 0, 0, "out of memory");
	return NULL;
}

int
av_doc_from_json(av_doc **out, const cJSON *j, const char *name, const av_limits *lim,
    av_error *err)
{
	av_limits def;
	av_doc *doc;
	av_node *root;
	int rc = 0;
	conv c;

	*out = NULL;
	if (lim == NULL) {
		av_limits_default(&def);
		lim = &def;
	}
	if ((doc = av_doc_create(name)) == NULL)
		return av_error_set(err, AV_ENOMEM, NULL, 0, 0, "out of memory");
	c = (conv){doc, lim, 0, err};
	if ((root = convert(&c, j, 1, &rc)) == NULL) {
		av_doc_destroy(doc);
		return rc;
	}
	av_doc_set_root(doc, root);
	*out = doc;
	return 0;
}

