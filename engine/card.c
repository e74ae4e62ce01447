/*
 * card.c - turns a manifest's model card (Markdown text and/or inline
 * sections) into model_card.sections and model_card.metadata, the form the
 * plugins read.  Finding sections is markdown.c's job; this file only
 * decides what goes into the manifest.
 */
#include "card.h"

#include <stdbool.h>
#include <string.h>

#include "markdown.h"

/* Front matter keys copied to model_card.metadata. */
static const char *const meta_keys[] = {
	"license", "license_name", "license_link", "base_model", "datasets", "language",
	"pipeline_tag", "tags", "library_name", NULL,
};

static bool
line_is(const char *s, size_t n, const char *mark)
{
	if (n > 0 && s[n - 1] == '\r')
		n--;
	if (n < 3 || memcmp(s, mark, 3) != 0)
		return false;
	for (size_t i = 3; i < n; i++)
		if (s[i] != ' ' && s[i] != '\t')
			return false;
	return true;
}

bool
av_card_front_matter(const char *card, size_t len, const char **yaml, size_t *yaml_len,
    size_t *body, bool *unclosed)
{
	*unclosed = false;
	size_t off = 0;
	/* A UTF-8 byte order mark is not text. */
	if (len >= 3 && memcmp(card, "\xEF\xBB\xBF", 3) == 0)
		off = 3;
	const char *nl = memchr(card + off, '\n', len - off);
	if (!nl || !line_is(card + off, (size_t)(nl - card) - off, "---"))
		return false;
	size_t start = (size_t)(nl - card) + 1, pos = start;
	while (pos < len) {
		const char *e = memchr(card + pos, '\n', len - pos);
		size_t end = e ? (size_t)(e - card) : len;
		if (line_is(card + pos, end - pos, "---") || line_is(card + pos, end - pos, "...")) {
			*yaml = card + start;
			*yaml_len = pos - start;
			*body = e ? end + 1 : len;
			return true;
		}
		pos = end + 1;
	}
	*unclosed = true;
	return false;
}

/* {present, content, heading, words}; heading only when present. */
static av_node *
section_node(av_doc *doc, bool present, bool content, const char *heading, size_t hlen,
    size_t words)
{
	av_node *m = av_node_new(doc, AV_MAP);
	if (!m || !av_map_set(doc, m, "present", av_node_new_bool(doc, present)) ||
	    !av_map_set(doc, m, "content", av_node_new_bool(doc, content)))
		return NULL;
	if (present && heading && !av_map_set(doc, m, "heading", av_node_new_str(doc, heading, hlen)))
		return NULL;
	if (!av_map_set(doc, m, "words", av_node_new_int(doc, (int64_t)words)))
		return NULL;
	return m;
}

/* An entry already in the normalised form. */
static bool
normalised(const av_node *n)
{
	const av_node *p = av_map_get(n, "present");
	return n->type == AV_MAP && p && p->type == AV_BOOL;
}

static bool
content_of(const av_node *n)
{
	const av_node *c = av_map_get(n, "content");
	return c && c->type == AV_BOOL && c->b;
}

/* Parses the front matter and copies the metadata keys.  The YAML starts on
 * line 2 of the card, so error lines are shifted by one. */
static int
front_matter_meta(av_doc *doc, av_node *meta, const char *yaml, size_t ylen, const char *file,
    av_error *err)
{
	av_doc *fm = NULL;
	av_error perr;
	av_error_clear(&perr);
	int rc = av_doc_parse(&fm, yaml, ylen, AV_FMT_YAML, file, NULL, &perr);
	if (rc) {
		return av_error_set(err, rc, file, perr.line ? perr.line + 1 : 0, perr.column,
		    "front matter: %s", perr.msg);
	}
	const av_node *root = av_doc_root(fm);
	if (root->type == AV_MAP) {
		for (const char *const *k = meta_keys; *k; k++) {
			const av_node *v = av_map_get(root, *k);
			if (!v || v->type == AV_NULL || av_map_get(meta, *k))
				continue;
			if (!av_map_set(doc, meta, *k, av_node_copy(doc, v))) {
				av_doc_destroy(fm);
				return av_error_set(err, AV_ENOMEM, file, 0, 0, "out of memory");
			}
		}
	} else if (root->type != AV_NULL) {
		rc = av_error_set(err, AV_EPARSE, file, root->line + 1, root->column,
		    "front matter is a %s, not a map of keys", av_ntype_name(root->type));
	}
	av_doc_destroy(fm);
	return rc;
}

int
av_card_normalise(av_doc *doc, av_node *mc, av_error *err)
{
	if (!mc || mc->type != AV_MAP)
		return av_error_set(err, AV_EINVAL, NULL, mc ? mc->line : 0, mc ? mc->column : 0,
		    "model_card is not a map");
	const av_node *text = av_map_get(mc, "text");
	const av_node *inl = av_map_get(mc, "sections");
	if (text && text->type != AV_STR)
		text = NULL;
	if (inl && inl->type != AV_MAP)
		inl = NULL;
	if (!text && !inl)
		return 0;
	const char *file = av_map_str(mc, "path");
	if (!file)
		file = "model_card.text";

	av_md_canon c[AV_SEC_COUNT];
	memset(c, 0, sizeof(c));
	if (text) {
		const char *yaml;
		size_t ylen, body = 0;
		bool unclosed;
		if (av_card_front_matter(text->str, text->len, &yaml, &ylen, &body, &unclosed)) {
			av_node *meta = av_node_new(doc, AV_MAP);
			if (!meta)
				return av_error_set(err, AV_ENOMEM, file, 0, 0, "out of memory");
			const av_node *old = av_map_get(mc, "metadata");
			for (const av_node *e = old && old->type == AV_MAP ? old->first : NULL; e;
			     e = e->next)
				if (!av_map_set(doc, meta, e->key, av_node_copy(doc, e)))
					return av_error_set(err, AV_ENOMEM, file, 0, 0, "out of memory");
			int rc = front_matter_meta(doc, meta, yaml, ylen, file, err);
			if (rc)
				return rc;
			if (meta->count > 0 && !av_map_set(doc, mc, "metadata", meta))
				return av_error_set(err, AV_ENOMEM, file, 0, 0, "out of memory");
		} else if (unclosed) {
			return av_error_set(err, AV_EPARSE, file, 1, 1,
			    "front matter opened with '---' is never closed");
		}
		/* The canonical sections come from the whole text: the splitter
		 * skips the front matter itself, and keeping it keeps lines true. */
		av_error merr;
		av_error_clear(&merr);
		int rc = av_md_canonical(text->str, text->len, c, &merr);
		if (rc)
			return av_error_set(err, rc, file, merr.line, merr.column, "%s", merr.msg);
	}

	av_node *secs = av_node_new(doc, AV_MAP);
	if (!secs)
		return av_error_set(err, AV_ENOMEM, file, 0, 0, "out of memory");
	/* Inline entries first: keep normalised ones, convert strings. */
	bool inl_done[AV_SEC_COUNT] = {false};
	for (const av_node *e = inl ? inl->first : NULL; e; e = e->next) {
		int id = av_md_canonical_id(e->key);
		if (id < 0) {
			uint32_t m = av_md_classify(e->key, strlen(e->key));
			for (int i = 0; i < AV_SEC_COUNT && id < 0; i++)
				if (m & (1u << i))
					id = i;
		}
		const char *key = id >= 0 ? av_md_canonical_name(id) : e->key;
		av_node *v = NULL;
		if (normalised(e)) {
			v = av_node_copy(doc, e);
		} else if (e->type == AV_STR) {
			size_t w = av_md_content_words(e->str, e->len);
			v = section_node(doc, true, w >= (id >= 0 ? av_md_min_words(id) : AV_MD_MIN_WORDS), NULL, 0, w);
		} else {
			/* Anything else (a list, a bool) is left for the schema
			 * check to report. */
			v = av_node_copy(doc, e);
		}
		if (!v)
			return av_error_set(err, AV_ENOMEM, file, 0, 0, "out of memory");
		if (id >= 0) {
			/* Where the text has content and the inline entry has
			 * none, the text wins. */
			if (c[id].content && !content_of(v))
				continue;
			if (inl_done[id] && !content_of(v))
				continue;
			inl_done[id] = true;
		}
		if (!av_map_set(doc, secs, key, v))
			return av_error_set(err, AV_ENOMEM, file, 0, 0, "out of memory");
	}
	for (int i = 0; i < AV_SEC_COUNT; i++) {
		if (inl_done[i])
			continue;
		av_node *v = section_node(doc, c[i].present, c[i].content, c[i].heading,
		    c[i].heading_len, c[i].words);
		if (!v || !av_map_set(doc, secs, av_md_canonical_name(i), v))
			return av_error_set(err, AV_ENOMEM, file, 0, 0, "out of memory");
	}
	if (!av_map_set(doc, mc, "sections", secs))
		return av_error_set(err, AV_ENOMEM, file, 0, 0, "out of memory");
	return 0;
}
