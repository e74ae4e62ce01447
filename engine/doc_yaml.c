/*
 * doc_yaml.c - the reader: YAML (and JSON, read as the YAML it is) into a
 * document, with every node's line and column.
 *
 * The parser drives libyaml's event API and builds the tree with an
 * explicit stack (so nesting depth costs heap, not C stack), typing plain
 * scalars by the YAML 1.2 core schema (av_doc_type_plain in doc.c).  The
 * bounds in av_limits are checked as the tree grows, and aliases are
 * checked against them before they are expanded, so an alias bomb fails
 * before it costs anything.  In JSON mode only JSON's own scalars are
 * accepted, and surrogate pairs are rewritten first (libyaml refuses them).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "doc_int.h"

/* JSON's number grammar: -? (0 | [1-9][0-9]*) (\.[0-9]+)? ([eE][-+]?[0-9]+)? */
static bool
is_json_number(const char *s, size_t n)
{
	size_t i = 0;

	if (i < n && s[i] == '-')
		i++;
	if (i < n && s[i] == '0')
		i++;
	else if (i < n && s[i] >= '1' && s[i] <= '9')
		while (i < n && s[i] >= '0' && s[i] <= '9')
			i++;
	else
		return false;
	if (i < n && s[i] == '.') {
		size_t d = ++i;
		while (i < n && s[i] >= '0' && s[i] <= '9')
			i++;
		if (i == d)
			return false;
	}
	if (i < n && (s[i] == 'e' || s[i] == 'E')) {
		i++;
		if (i < n && (s[i] == '-' || s[i] == '+'))
			i++;
		size_t d = i;
		while (i < n && s[i] >= '0' && s[i] <= '9')
			i++;
		if (i == d)
			return false;
	}
	return i == n;
}

/* ---- The parser --------------------------------------------------------- */

struct frame {
	av_node *node;
	int anchor;          /* index into anchors, or -1 */
	size_t nodes_before; /* doc node count before this collection */
	size_t subdepth;     /* deepest nesting below this frame, itself included */
	/* Maps: the key waiting for its value. */
	bool have_key;
	const char *key;
	int key_line, key_column;
};

struct anchor {
	char *name; /* libyaml's copy, owned here */
	av_node *node;
	size_t nodes; /* nodes in the anchored subtree */
	size_t depth; /* its nesting depth (0 for a scalar) */
	bool open;    /* still being built: an alias to it would recurse */
};

struct keyent {
	const av_node *map;
	const char *key;
	size_t len;
	int line;
};

struct parser {
	av_doc *doc;
	const char *buf;
	size_t len;
	av_limits lim;
	bool json;
	av_error *err;
	size_t nodes;
	size_t aliases;
	int ndocs;
	struct frame *stack;
	size_t depth, stack_cap;
	struct anchor *anchors;
	size_t nanchors, anchors_cap;
	struct keyent *keys; /* open-addressing set of (map, key) seen */
	size_t keys_cap, nkeys;
};

static int
perr(struct parser *p, int code, const yaml_mark_t *m, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int
perr(struct parser *p, int code, const yaml_mark_t *m, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	av_error_vset(p->err, code, p->doc->name, m ? (int)m->line + 1 : 0,
	    m ? (int)m->column + 1 : 0, fmt, ap);
	va_end(ap);
	return code;
}

static int
oom(struct parser *p)
{
	return av_error_set(p->err, AV_ENOMEM, p->doc->name, 0, 0, "out of memory");
}

static uint64_t
hash_key(const av_node *map, const char *s, size_t n)
{
	uint64_t h = 1469598103934665603ULL ^ (uint64_t)(uintptr_t)map;

	for (size_t i = 0; i < n; i++) {
		h ^= (unsigned char)s[i];
		h *= 1099511628211ULL;
	}
	return h ^ (h >> 29);
}

static bool
keys_grow(struct parser *p)
{
	size_t cap = p->keys_cap ? p->keys_cap * 2 : 256;
	struct keyent *k = calloc(cap, sizeof(*k));

	if (k == NULL)
		return false;
	for (size_t i = 0; i < p->keys_cap; i++) {
		struct keyent *e = &p->keys[i];
		if (e->map == NULL)
			continue;
		size_t j = hash_key(e->map, e->key, e->len) & (cap - 1);
		while (k[j].map != NULL)
			j = (j + 1) & (cap - 1);
		k[j] = *e;
	}
	free(p->keys);
	p->keys = k;
	p->keys_cap = cap;
	return true;
}

/* Records key in map; returns the line of an earlier equal key, 0 if new,
 * -1 when out of memory. */
static int
keys_add(struct parser *p, const av_node *map, const char *key, size_t len, int line)
{
	if (2 * (p->nkeys + 1) > p->keys_cap && !keys_grow(p))
		return -1;
	size_t j = hash_key(map, key, len) & (p->keys_cap - 1);
	while (p->keys[j].map != NULL) {
		struct keyent *e = &p->keys[j];
		if (e->map == map && e->len == len && memcmp(e->key, key, len) == 0)
			return e->line;
		j = (j + 1) & (p->keys_cap - 1);
	}
	p->keys[j] = (struct keyent){map, key, len, line};
	p->nkeys++;
	return 0;
}

/* Counts one more node against the bound. */
static int
count_nodes(struct parser *p, size_t n, const yaml_mark_t *m)
{
	if (n > p->lim.max_nodes || p->nodes > p->lim.max_nodes - n)
		return perr(p, AV_ELIMIT, m,
		    "document has more than %zu nodes (aliases expanded)", p->lim.max_nodes);
	p->nodes += n;
	return 0;
}

/* Attaches a finished value to the collection on top of the stack (or
 * makes it the root). */
static int
attach(struct parser *p, av_node *n, size_t subdepth)
{
	if (p->depth == 0) {
		p->doc->root = n;
		return 0;
	}
	struct frame *f = &p->stack[p->depth - 1];
	if (f->subdepth < subdepth + 1)
		f->subdepth = subdepth + 1;
	if (f->node->type == AV_MAP) {
		n->key = f->key;
		n->key_line = f->key_line;
		n->key_column = f->key_column;
		f->have_key = false;
	} else {
		n->key = NULL;
		n->key_line = n->key_column = 0;
	}
	av_doc_link_child(f->node, n);
	return 0;
}

/* A scalar or alias in key position, or a collection where a key goes. */
static bool
want_key(struct parser *p)
{
	if (p->depth == 0)
		return false;
	struct frame *f = &p->stack[p->depth - 1];
	return f->node->type == AV_MAP && !f->have_key;
}

static int
set_key(struct parser *p, const char *s, size_t len, const yaml_mark_t *m)
{
	struct frame *f = &p->stack[p->depth - 1];
	int line = (int)m->line + 1;
	int prev = keys_add(p, f->node, s, len, line);

	if (prev < 0)
		return oom(p);
	if (prev > 0)
		return perr(p, AV_EPARSE, m, "duplicate key \"%s\" (first at line %d, again at line %d)",
		    s, prev, line);
	f->have_key = true;
	f->key = s;
	f->key_line = line;
	f->key_column = (int)m->column + 1;
	return 0;
}

static int
anchor_add(struct parser *p, yaml_char_t *name, av_node *n, bool open)
{
	if (p->nanchors == p->anchors_cap) {
		size_t cap = p->anchors_cap ? p->anchors_cap * 2 : 16;
		struct anchor *a = realloc(p->anchors, cap * sizeof(*a));
		if (a == NULL)
			return -1;
		p->anchors = a;
		p->anchors_cap = cap;
	}
	p->anchors[p->nanchors] = (struct anchor){(char *)name, n, 1, 0, open};
	return (int)p->nanchors++;
}

static bool
tagged_str(const yaml_char_t *tag)
{
	return tag != NULL && (strcmp((const char *)tag, YAML_STR_TAG) == 0 ||
	    strcmp((const char *)tag, "!") == 0);
}

static int
on_scalar(struct parser *p, yaml_event_t *ev)
{
	const yaml_mark_t *m = &ev->start_mark;
	const char *v = (const char *)ev->data.scalar.value;
	size_t len = ev->data.scalar.length;
	bool plain = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
	int rc;

	if (p->json) {
		if (ev->data.scalar.anchor != NULL || ev->data.scalar.tag != NULL)
			return perr(p, AV_EPARSE, m, "JSON has no anchors or tags");
		if (ev->data.scalar.style == YAML_SINGLE_QUOTED_SCALAR_STYLE ||
		    (plain && want_key(p)))
			return perr(p, AV_EPARSE, m, "JSON strings must be in double quotes");
		if (plain && !(is_json_number(v, len) || strcmp(v, "null") == 0 ||
		    strcmp(v, "true") == 0 || strcmp(v, "false") == 0))
			return perr(p, AV_EPARSE, m, "not a JSON value: '%s'", v);
	}
	char *s = av_doc_strdup(p->doc, v, len);
	if (s == NULL)
		return oom(p);
	if (want_key(p) && ev->data.scalar.anchor == NULL)
		return set_key(p, s, len, m);

	if ((rc = count_nodes(p, 1, m)) != 0)
		return rc;
	av_node *n = av_doc_node_alloc(p->doc);
	if (n == NULL)
		return oom(p);
	n->line = (int)m->line + 1;
	n->column = (int)m->column + 1;
	n->str = s;
	n->len = len;
	if (plain && !tagged_str(ev->data.scalar.tag))
		av_doc_type_plain(n, s, len);
	else
		n->type = AV_STR;
	if (ev->data.scalar.anchor != NULL) {
		if (anchor_add(p, ev->data.scalar.anchor, n, false) < 0)
			return oom(p);
		ev->data.scalar.anchor = NULL; /* now owned by the anchor table */
	}
	if (want_key(p)) /* an anchored key: the node exists only for its aliases */
		return set_key(p, s, len, m);
	return attach(p, n, 0);
}

static int
on_start(struct parser *p, yaml_event_t *ev, av_ntype type)
{
	const yaml_mark_t *m = &ev->start_mark;
	yaml_char_t **anchor = type == AV_MAP ? &ev->data.mapping_start.anchor :
	    &ev->data.sequence_start.anchor;
	int rc;

	if (want_key(p))
		return perr(p, AV_EPARSE, m, "a map key must be a string, not a %s",
		    av_ntype_name(type));
	if (p->json) {
		bool block = type == AV_MAP ?
		    ev->data.mapping_start.style == YAML_BLOCK_MAPPING_STYLE :
		    ev->data.sequence_start.style == YAML_BLOCK_SEQUENCE_STYLE;
		if (block || *anchor != NULL)
			return perr(p, AV_EPARSE, m, "not JSON: YAML block style, anchor or tag");
	}
	if (p->depth >= p->lim.max_depth)
		return perr(p, AV_ELIMIT, m, "document nests deeper than %zu levels",
		    p->lim.max_depth);
	if ((rc = count_nodes(p, 1, m)) != 0)
		return rc;
	av_node *n = av_doc_node_alloc(p->doc);
	if (n == NULL)
		return oom(p);
	n->type = type;
	n->line = (int)m->line + 1;
	n->column = (int)m->column + 1;
	n->str = "";
	if (p->depth == p->stack_cap) {
		size_t cap = p->stack_cap ? p->stack_cap * 2 : 32;
		struct frame *s = realloc(p->stack, cap * sizeof(*s));
		if (s == NULL)
			return oom(p);
		p->stack = s;
		p->stack_cap = cap;
	}
	int ai = -1;
	if (*anchor != NULL) {
		if ((ai = anchor_add(p, *anchor, n, true)) < 0)
			return oom(p);
		*anchor = NULL;
	}
	p->stack[p->depth++] = (struct frame){
		.node = n, .anchor = ai, .nodes_before = p->nodes - 1, .subdepth = 1};
	return 0;
}

static int
on_end(struct parser *p)
{
	struct frame f = p->stack[--p->depth];

	if (f.anchor >= 0) {
		struct anchor *a = &p->anchors[f.anchor];
		a->open = false;
		a->nodes = p->nodes - f.nodes_before;
		a->depth = f.subdepth;
	}
	return attach(p, f.node, f.subdepth);
}

static int
on_alias(struct parser *p, yaml_event_t *ev)
{
	const yaml_mark_t *m = &ev->start_mark;
	const char *name = (const char *)ev->data.alias.anchor;
	struct anchor *a = NULL;
	int rc;

	if (p->json)
		return perr(p, AV_EPARSE, m, "JSON has no aliases");
	for (size_t i = p->nanchors; i-- > 0;)
		if (strcmp(p->anchors[i].name, name) == 0) {
			a = &p->anchors[i];
			break;
		}
	if (a == NULL)
		return perr(p, AV_EPARSE, m, "alias *%s names no anchor defined before it", name);
	if (a->open)
		return perr(p, AV_EPARSE, m, "alias *%s refers to a node that contains it", name);
	if (++p->aliases > p->lim.max_aliases)
		return perr(p, AV_ELIMIT, m, "document uses more than %zu aliases",
		    p->lim.max_aliases);
	if (want_key(p)) {
		if (a->node->type == AV_SEQ || a->node->type == AV_MAP)
			return perr(p, AV_EPARSE, m, "a map key must be a string, not a %s",
			    av_ntype_name(a->node->type));
		return set_key(p, a->node->str, a->node->len, m);
	}
	if (p->depth + a->depth > p->lim.max_depth)
		return perr(p, AV_ELIMIT, m, "document nests deeper than %zu levels (alias *%s)",
		    p->lim.max_depth, name);
	if ((rc = count_nodes(p, a->nodes, m)) != 0)
		return rc;
	av_node *n = av_node_copy(p->doc, a->node);
	if (n == NULL)
		return oom(p);
	n->line = (int)m->line + 1;
	n->column = (int)m->column + 1;
	return attach(p, n, a->depth);
}

/* Turns libyaml's error into ours, with a position. */
static int
yaml_failure(struct parser *p, yaml_parser_t *y)
{
	if (y->error == YAML_MEMORY_ERROR)
		return oom(p);
	if (y->error == YAML_READER_ERROR) {
		/* The reader reports a byte offset; count lines up to it. */
		size_t off = y->problem_offset < p->len ? y->problem_offset : p->len;
		int line = 1, col = 1;
		for (size_t i = 0; i < off; i++) {
			if (p->buf[i] == '\n')
				line++, col = 1;
			else if (((unsigned char)p->buf[i] & 0xC0) != 0x80)
				col++;
		}
		return av_error_set(p->err, AV_EPARSE, p->doc->name, line, col,
		    "%s (byte 0x%02x at offset %zu)", y->problem ? y->problem : "invalid input",
		    (unsigned)y->problem_value & 0xff, y->problem_offset);
	}
	const char *problem = y->problem ? y->problem : "malformed input";
	if (y->context != NULL)
		return perr(p, AV_EPARSE, &y->problem_mark, "%s %s (line %d)", y->context, problem,
		    (int)y->context_mark.line + 1);
	return perr(p, AV_EPARSE, &y->problem_mark, "%s", problem);
}

static int
run(struct parser *p, yaml_parser_t *y)
{
	yaml_event_t ev;
	int rc = 0;

	for (;;) {
		if (!yaml_parser_parse(y, &ev))
			return yaml_failure(p, y);
		switch (ev.type) {
		case YAML_DOCUMENT_START_EVENT:
			if (++p->ndocs > 1)
				rc = perr(p, AV_EPARSE, &ev.start_mark,
				    "a second document starts here: give one document per input");
			break;
		case YAML_SCALAR_EVENT:
			rc = on_scalar(p, &ev);
			break;
		case YAML_SEQUENCE_START_EVENT:
			rc = on_start(p, &ev, AV_SEQ);
			break;
		case YAML_MAPPING_START_EVENT:
			rc = on_start(p, &ev, AV_MAP);
			break;
		case YAML_SEQUENCE_END_EVENT:
		case YAML_MAPPING_END_EVENT:
			rc = on_end(p);
			break;
		case YAML_ALIAS_EVENT:
			rc = on_alias(p, &ev);
			break;
		case YAML_STREAM_END_EVENT:
			yaml_event_delete(&ev);
			return 0;
		default:
			break;
		}
		yaml_event_delete(&ev);
		if (rc != 0)
			return rc;
	}
}

static int
hexval(const char *s, int n)
{
	int v = 0;
	for (int i = 0; i < n; i++) {
		char c = s[i];
		int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10
		    : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
		if (d < 0)
			return -1;
		v = v * 16 + d;
	}
	return v;
}

/*
 * JSON writes a character beyond U+FFFF as a pair of \u escapes (a UTF-16
 * surrogate pair), which the YAML parser under av_doc_parse refuses.  Each
 * pair is rewritten as the equivalent YAML escape \UXXXXXXXX (two bytes
 * shorter, so only later columns of that line move).  Returns a malloc'd
 * copy, or NULL when there is no pair (or no memory: *oom).
 */

/* Is there a surrogate pair escape at buf[i]?  Sets the code point. */
static bool
pair_at(const char *buf, size_t len, size_t i, unsigned *cp)
{
	if (i + 12 > len || buf[i + 1] != 'u' || buf[i + 6] != '\\' || buf[i + 7] != 'u')
		return false;
	int hi = hexval(buf + i + 2, 4), lo = hexval(buf + i + 8, 4);
	if (hi < 0xD800 || hi > 0xDBFF || lo < 0xDC00 || lo > 0xDFFF)
		return false;
	*cp = 0x10000u + (((unsigned)hi - 0xD800u) << 10) + ((unsigned)lo - 0xDC00u);
	return true;
}

static char *
join_surrogates(const char *buf, size_t len, size_t *outlen, bool *oom)
{
	*oom = false;
	char *out = NULL;
	for (int pass = 0; pass < 2; pass++) {
		size_t o = 0;
		bool found = false;
		for (size_t i = 0; i < len; i++) {
			unsigned cp;
			if (buf[i] == '\\' && pair_at(buf, len, i, &cp)) {
				found = true;
				if (out)
					o += (size_t)snprintf(out + o, 11, "\\U%08X", cp);
				i += 11;
				continue;
			}
			if (out)
				out[o] = buf[i];
			o++;
			if (buf[i] == '\\' && i + 1 < len) {
				/* An escaped backslash is kept whole. */
				i++;
				if (out)
					out[o] = buf[i];
				o++;
			}
		}
		if (!found)
			return NULL;
		if (out) {
			*outlen = o;
			return out;
		}
		if (!(out = malloc(len + 1))) {
			*oom = true;
			return NULL;
		}
	}
	return NULL;
}

int
av_doc_parse(av_doc **out, const char *buf, size_t len, av_format fmt, const char *name,
    const av_limits *lim, av_error *err)
{
	struct parser p = {0};
	yaml_parser_t y;
	int rc;

	*out = NULL;
	if (lim != NULL)
		p.lim = *lim;
	else
		av_limits_default(&p.lim);
	if (name == NULL)
		name = "<input>";
	if (len > p.lim.max_bytes)
		return av_error_set(err, AV_ELIMIT, name, 0, 0,
		    "input is %zu bytes, more than the limit of %zu", len, p.lim.max_bytes);
	size_t i = 0;
	while (i < len && (buf[i] == ' ' || buf[i] == '\t' || buf[i] == '\n' || buf[i] == '\r'))
		i++;
	if (fmt == AV_FMT_AUTO)
		fmt = i < len && (buf[i] == '{' || buf[i] == '[') ? AV_FMT_JSON : AV_FMT_YAML;
	p.json = fmt == AV_FMT_JSON;
	if (p.json && !(i < len && (buf[i] == '{' || buf[i] == '['))) {
		int line = 1, col = 1;
		for (size_t k = 0; k < i; k++)
			if (buf[k] == '\n')
				line++, col = 1;
			else
				col++;
		return av_error_set(err, AV_EPARSE, name, line, col,
		    "a JSON document must start with '{' or '['");
	}
	char *joined = NULL;
	if (p.json) {
		size_t jlen = 0;
		bool oom = false;
		if ((joined = join_surrogates(buf, len, &jlen, &oom)) != NULL) {
			buf = joined;
			len = jlen;
		} else if (oom) {
			return av_error_set(err, AV_ENOMEM, name, 0, 0, "out of memory");
		}
	}
	if ((p.doc = av_doc_create(name)) == NULL) {
		free(joined);
		return av_error_set(err, AV_ENOMEM, name, 0, 0, "out of memory");
	}
	p.buf = buf;
	p.len = len;
	p.err = err;
	if (!yaml_parser_initialize(&y)) {
		av_doc_destroy(p.doc);
		free(joined);
		return av_error_set(err, AV_ENOMEM, name, 0, 0, "out of memory");
	}
	yaml_parser_set_input_string(&y, (const unsigned char *)buf, len);
	rc = run(&p, &y);
	yaml_parser_delete(&y);
	free(joined); /* nodes hold copies of every string */
	for (size_t k = 0; k < p.nanchors; k++)
		free(p.anchors[k].name);
	free(p.anchors);
	free(p.stack);
	free(p.keys);
	if (rc != 0) {
		av_doc_destroy(p.doc);
		return rc;
	}
	if (p.doc->root == NULL) {
		p.doc->root = av_doc_node_alloc(p.doc);
		if (p.doc->root == NULL) {
			av_doc_destroy(p.doc);
			return av_error_set(err, AV_ENOMEM, name, 0, 0, "out of memory");
		}
		p.doc->root->type = AV_NULL;
		p.doc->root->str = "";
		p.doc->root->line = 1;
		p.doc->root->column = 1;
	}
	*out = p.doc;
	return 0;
}
