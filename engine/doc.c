/*
 * doc.c - YAML and JSON documents as trees of typed, positioned nodes.
 *
 * The parser drives libyaml's event API and builds the tree with an
 * explicit stack (so nesting depth costs heap, not C stack), typing scalars
 * by the YAML 1.2 core schema.  Every node and string lives in the
 * document's arena: a chain of large blocks freed together.  The bounds in
 * av_limits are checked as the tree grows, and aliases are checked against
 * them before they are expanded, so an alias bomb fails before it costs
 * anything.
 *
 * This module knows nothing about what a document means: schemas belong to
 * their readers (manifest.c, the profile and config readers, importers).
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdalign.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "doc.h"

/* ---- The arena ---------------------------------------------------------- */

#define ARENA_FIRST (16 * 1024)
#define ARENA_MAX_BLOCK (1024 * 1024)
#define ARENA_ALIGN (alignof(max_align_t))

struct block {
	struct block *prev;
	size_t size; /* usable bytes after the header */
	size_t used;
	alignas(max_align_t) unsigned char data[];
};

struct av_doc {
	struct block *blocks;
	size_t next_size;
	av_node *root;
	const char *name;
};

static void *
arena_alloc(av_doc *doc, size_t n)
{
	struct block *b = doc->blocks;

	n = (n + ARENA_ALIGN - 1) & ~(ARENA_ALIGN - 1);
	if (b == NULL || b->size - b->used < n) {
		size_t size = doc->next_size;
		if (size < n)
			size = n;
		b = malloc(sizeof(*b) + size);
		if (b == NULL)
			return NULL;
		b->prev = doc->blocks;
		b->size = size;
		b->used = 0;
		doc->blocks = b;
		if (doc->next_size < ARENA_MAX_BLOCK)
			doc->next_size *= 2;
	}
	void *p = b->data + b->used;
	b->used += n;
	return p;
}

/* Strings need no alignment: they are packed from the end of the current
 * block when they fit, so that nodes keep their alignment for free. */
char *
av_doc_strdup(av_doc *doc, const char *s, size_t len)
{
	struct block *b = doc->blocks;
	char *p;

	if (b != NULL && b->size - b->used >= len + 1) {
		b->size -= len + 1;
		p = (char *)b->data + b->size;
	} else {
		p = arena_alloc(doc, len + 1);
		if (p == NULL)
			return NULL;
	}
	if (len > 0)
		memcpy(p, s, len);
	p[len] = '\0';
	return p;
}

static av_doc *
doc_alloc(const char *name)
{
	av_doc *doc = calloc(1, sizeof(*doc));

	if (doc == NULL)
		return NULL;
	doc->next_size = ARENA_FIRST;
	if (name == NULL)
		name = "<input>";
	doc->name = av_doc_strdup(doc, name, strlen(name));
	if (doc->name == NULL) {
		av_doc_destroy(doc);
		return NULL;
	}
	return doc;
}

void
av_doc_destroy(av_doc *doc)
{
	if (doc == NULL)
		return;
	struct block *b = doc->blocks;
	while (b != NULL) {
		struct block *prev = b->prev;
		free(b);
		b = prev;
	}
	free(doc);
}

av_node *
av_doc_root(const av_doc *doc)
{
	return doc->root;
}

const char *
av_doc_name(const av_doc *doc)
{
	return doc->name;
}

void
av_limits_default(av_limits *l)
{
	l->max_bytes = 1024 * 1024;
	l->max_depth = 64;
	l->max_nodes = 100000;
	l->max_aliases = 64;
}

const char *
av_ntype_name(av_ntype t)
{
	switch (t) {
	case AV_NULL:
		return "null";
	case AV_BOOL:
		return "boolean";
	case AV_INT:
		return "integer";
	case AV_FLOAT:
		return "float";
	case AV_STR:
		return "string";
	case AV_SEQ:
		return "sequence";
	case AV_MAP:
		return "map";
	}
	return "unknown";
}

/* ---- Scalar typing: the YAML 1.2 core schema ----------------------------- */

static bool
is_digits(const char *s, size_t n, int base)
{
	if (n == 0)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (base == 8 && !(c >= '0' && c <= '7'))
			return false;
		if (base == 10 && !(c >= '0' && c <= '9'))
			return false;
		if (base == 16 && !((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
		    (c >= 'A' && c <= 'F')))
			return false;
	}
	return true;
}

/* [-+]? ( \. [0-9]+ | [0-9]+ ( \. [0-9]* )? ) ( [eE] [-+]? [0-9]+ )? */
static bool
is_core_float(const char *s, size_t n)
{
	size_t i = 0, d = 0;

	if (i < n && (s[i] == '-' || s[i] == '+'))
		i++;
	while (i < n && s[i] >= '0' && s[i] <= '9')
		i++, d++;
	if (i < n && s[i] == '.') {
		i++;
		while (i < n && s[i] >= '0' && s[i] <= '9')
			i++, d++;
	}
	if (d == 0)
		return false;
	if (i < n && (s[i] == 'e' || s[i] == 'E')) {
		i++;
		if (i < n && (s[i] == '-' || s[i] == '+'))
			i++;
		size_t e = 0;
		while (i < n && s[i] >= '0' && s[i] <= '9')
			i++, e++;
		if (e == 0)
			return false;
	}
	return i == n;
}

static bool
eq3(const char *s, size_t n, const char *a, const char *b, const char *c)
{
	size_t l = strlen(a);
	return n == l && (memcmp(s, a, n) == 0 || memcmp(s, b, n) == 0 || memcmp(s, c, n) == 0);
}

/*
 * Types a plain scalar s (NUL-terminated, n bytes) into node fields.
 * Everything the core schema does not recognise stays a string.
 */
static void
type_plain(av_node *nd, const char *s, size_t n)
{
	nd->type = AV_STR;
	if (n == 0 || (n == 1 && s[0] == '~') || eq3(s, n, "null", "Null", "NULL")) {
		nd->type = AV_NULL;
		return;
	}
	if (eq3(s, n, "true", "True", "TRUE")) {
		nd->type = AV_BOOL;
		nd->b = true;
		return;
	}
	if (eq3(s, n, "false", "False", "FALSE")) {
		nd->type = AV_BOOL;
		nd->b = false;
		return;
	}
	char c = s[0];
	if (!((c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.'))
		return;
	if (n > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'o')) {
		int base = s[1] == 'x' ? 16 : 8;
		if (!is_digits(s + 2, n - 2, base))
			return;
		errno = 0;
		unsigned long long v = strtoull(s + 2, NULL, base);
		if (errno == 0 && v <= INT64_MAX) {
			nd->type = AV_INT;
			nd->i = (int64_t)v;
		}
		return;
	}
	size_t sign = (c == '-' || c == '+') ? 1 : 0;
	if (is_digits(s + sign, n - sign, 10)) {
		errno = 0;
		long long v = strtoll(s, NULL, 10);
		if (errno == 0) {
			nd->type = AV_INT;
			nd->i = v;
		} else {
			nd->type = AV_FLOAT;
			nd->d = strtod(s, NULL);
		}
		return;
	}
	if (is_core_float(s, n)) {
		nd->type = AV_FLOAT;
		nd->d = strtod(s, NULL);
		return;
	}
	const char *t = s + sign;
	size_t tn = n - sign;
	if (eq3(t, tn, ".inf", ".Inf", ".INF")) {
		nd->type = AV_FLOAT;
		nd->d = c == '-' ? -INFINITY : INFINITY;
	} else if (sign == 0 && eq3(t, tn, ".nan", ".NaN", ".NAN")) {
		nd->type = AV_FLOAT;
		nd->d = NAN;
	}
}

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

static av_node *
node_alloc(av_doc *doc)
{
	av_node *n = arena_alloc(doc, sizeof(*n));

	if (n != NULL)
		memset(n, 0, sizeof(*n));
	return n;
}

static void
link_child(av_node *parent, av_node *child)
{
	child->next = NULL;
	if (parent->last != NULL)
		parent->last->next = child;
	else
		parent->first = child;
	parent->last = child;
	parent->count++;
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
	link_child(f->node, n);
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
	av_node *n = node_alloc(p->doc);
	if (n == NULL)
		return oom(p);
	n->line = (int)m->line + 1;
	n->column = (int)m->column + 1;
	n->str = s;
	n->len = len;
	if (plain && !tagged_str(ev->data.scalar.tag))
		type_plain(n, s, len);
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
	av_node *n = node_alloc(p->doc);
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
	if ((p.doc = doc_alloc(name)) == NULL) {
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
		p.doc->root = node_alloc(p.doc);
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

/* ---- Building ------------------------------------------------------------ */

av_doc *
av_doc_create(const char *name)
{
	return doc_alloc(name);
}

av_node *
av_node_new(av_doc *doc, av_ntype type)
{
	av_node *n = node_alloc(doc);

	if (n == NULL)
		return NULL;
	n->type = type;
	switch (type) {
	case AV_NULL:
		n->str = "null";
		n->len = 4;
		break;
	case AV_BOOL:
		n->str = "false";
		n->len = 5;
		break;
	case AV_INT:
	case AV_FLOAT:
		n->str = "0";
		n->len = 1;
		break;
	default:
		n->str = "";
		break;
	}
	return n;
}

av_node *
av_node_new_str(av_doc *doc, const char *s, size_t len)
{
	av_node *n = node_alloc(doc);

	if (n == NULL)
		return NULL;
	n->type = AV_STR;
	if ((n->str = av_doc_strdup(doc, s, len)) == NULL)
		return NULL;
	n->len = len;
	return n;
}

av_node *
av_node_new_cstr(av_doc *doc, const char *s)
{
	return av_node_new_str(doc, s, strlen(s));
}

static int fmt_double(char *buf, size_t len, double d);

av_node *
av_node_new_int(av_doc *doc, int64_t i)
{
	char buf[32];
	int l = snprintf(buf, sizeof(buf), "%" PRId64, i);
	av_node *n = av_node_new_str(doc, buf, (size_t)l);

	if (n != NULL) {
		n->type = AV_INT;
		n->i = i;
	}
	return n;
}

av_node *
av_node_new_float(av_doc *doc, double d)
{
	char buf[40];
	int l = fmt_double(buf, sizeof(buf), d);
	av_node *n = av_node_new_str(doc, buf, (size_t)l);

	if (n != NULL) {
		n->type = AV_FLOAT;
		n->d = d;
	}
	return n;
}

av_node *
av_node_new_bool(av_doc *doc, bool b)
{
	av_node *n = av_node_new(doc, AV_BOOL);

	if (n != NULL) {
		n->b = b;
		n->str = b ? "true" : "false";
		n->len = b ? 4 : 5;
	}
	return n;
}

void
av_doc_set_root(av_doc *doc, av_node *root)
{
	doc->root = root;
}

void
av_seq_append(av_node *seq, av_node *child)
{
	if (seq == NULL || child == NULL || seq->type != AV_SEQ)
		return;
	child->key = NULL;
	link_child(seq, child);
}

av_node *
av_map_set(av_doc *doc, av_node *map, const char *key, av_node *child)
{
	if (map == NULL || child == NULL || map->type != AV_MAP)
		return NULL;
	char *k = av_doc_strdup(doc, key, strlen(key));
	if (k == NULL)
		return NULL;
	child->key = k;
	av_node *prev = NULL;
	for (av_node *c = map->first; c != NULL; prev = c, c = c->next) {
		if (strcmp(c->key, key) != 0)
			continue;
		/* Replace in place, keeping the entry's place in the map. */
		child->key_line = c->key_line;
		child->key_column = c->key_column;
		child->next = c->next;
		if (prev != NULL)
			prev->next = child;
		else
			map->first = child;
		if (map->last == c)
			map->last = child;
		return child;
	}
	link_child(map, child);
	return child;
}

av_node *
av_node_copy(av_doc *doc, const av_node *n)
{
	av_node *c = node_alloc(doc);

	if (c == NULL)
		return NULL;
	*c = *n;
	c->first = c->last = c->next = NULL;
	c->count = 0;
	if (n->key != NULL && (c->key = av_doc_strdup(doc, n->key, strlen(n->key))) == NULL)
		return NULL;
	if (n->type != AV_SEQ && n->type != AV_MAP) {
		if (n->str == NULL)
			c->str = "";
		else if ((c->str = av_doc_strdup(doc, n->str, n->len)) == NULL)
			return NULL;
		return c;
	}
	c->str = "";
	for (const av_node *k = n->first; k != NULL; k = k->next) {
		av_node *kc = av_node_copy(doc, k);
		if (kc == NULL)
			return NULL;
		link_child(c, kc);
	}
	return c;
}

/* ---- Lookups ------------------------------------------------------------- */

static const av_node *
map_getn(const av_node *map, const char *key, size_t n)
{
	if (map == NULL || map->type != AV_MAP)
		return NULL;
	for (const av_node *c = map->first; c != NULL; c = c->next)
		if (strncmp(c->key, key, n) == 0 && c->key[n] == '\0')
			return c;
	return NULL;
}

const av_node *
av_map_get(const av_node *map, const char *key)
{
	return map_getn(map, key, strlen(key));
}

const av_node *
av_node_at(const av_node *root, const char *path)
{
	const av_node *n = root;
	const char *p = path;

	while (n != NULL && *p != '\0') {
		size_t l = strcspn(p, ".");
		if (n->type == AV_MAP) {
			n = map_getn(n, p, l);
		} else if (n->type == AV_SEQ && l > 0 && is_digits(p, l, 10)) {
			size_t idx = 0;
			for (size_t i = 0; i < l && idx < n->count; i++)
				idx = idx * 10 + (size_t)(p[i] - '0');
			const av_node *c = n->first;
			while (c != NULL && idx-- > 0)
				c = c->next;
			n = c;
		} else {
			return NULL;
		}
		p += l;
		if (*p == '.')
			p++;
	}
	return n;
}

const char *
av_map_str(const av_node *map, const char *key)
{
	const av_node *n = av_map_get(map, key);

	return n != NULL && n->type == AV_STR ? n->str : NULL;
}

/* ---- Output --------------------------------------------------------------- */

struct out {
	char *p;
	size_t len, cap;
	bool oom;
};

static void
out_put(struct out *o, const char *s, size_t n)
{
	if (o->oom)
		return;
	if (o->cap - o->len < n + 1) {
		size_t cap = o->cap ? o->cap : 256;
		while (cap - o->len < n + 1)
			cap *= 2;
		char *p = realloc(o->p, cap);
		if (p == NULL) {
			o->oom = true;
			return;
		}
		o->p = p;
		o->cap = cap;
	}
	memcpy(o->p + o->len, s, n);
	o->len += n;
	o->p[o->len] = '\0';
}

static void
out_str(struct out *o, const char *s)
{
	out_put(o, s, strlen(s));
}

static void
out_ch(struct out *o, char c)
{
	out_put(o, &c, 1);
}

static char *
out_done(struct out *o, size_t *len)
{
	if (!o->oom && o->p == NULL)
		out_put(o, "", 0);
	if (o->oom) {
		free(o->p);
		return NULL;
	}
	if (len != NULL)
		*len = o->len;
	return o->p;
}

/*
 * The shortest of %.15g..%.17g that reads back as the same double, with
 * ".0" added when it would otherwise read back as an integer.
 */
static int
fmt_double(char *buf, size_t len, double d)
{
	int l = 0;

	for (int prec = 15; prec <= 17; prec++) {
		l = snprintf(buf, len, "%.*g", prec, d);
		if (strtod(buf, NULL) == d)
			break;
	}
	if (strpbrk(buf, ".eEn") == NULL && (size_t)l + 2 < len) {
		memcpy(buf + l, ".0", 3);
		l += 2;
	}
	return l;
}

/* Decodes one UTF-8 sequence; returns its length, or 0 if invalid. */
static size_t
utf8_next(const unsigned char *s, size_t n, uint32_t *cp)
{
	unsigned c = s[0];
	size_t l;
	uint32_t v;

	if (c < 0x80) {
		*cp = c;
		return 1;
	} else if (c >= 0xC2 && c <= 0xDF) {
		l = 2, v = c & 0x1F;
	} else if (c >= 0xE0 && c <= 0xEF) {
		l = 3, v = c & 0x0F;
	} else if (c >= 0xF0 && c <= 0xF4) {
		l = 4, v = c & 0x07;
	} else {
		return 0;
	}
	if (n < l)
		return 0;
	for (size_t i = 1; i < l; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		v = (v << 6) | (s[i] & 0x3F);
	}
	if ((l == 3 && v < 0x800) || (l == 4 && (v < 0x10000 || v > 0x10FFFF)) ||
	    (v >= 0xD800 && v <= 0xDFFF))
		return 0;
	*cp = v;
	return l;
}

static void
json_string(struct out *o, const char *str, size_t n)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t run = 0; /* start of bytes copied verbatim */
	char esc[8];

	out_ch(o, '"');
	for (size_t i = 0; i < n;) {
		unsigned char c = s[i];
		const char *e = NULL;
		size_t l = 1;
		uint32_t cp;
		if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\') {
			i++; /* the common case: printable ASCII, copied verbatim */
			continue;
		}
		if (c == '"')
			e = "\\\"";
		else if (c == '\\')
			e = "\\\\";
		else if (c == '\n')
			e = "\\n";
		else if (c == '\t')
			e = "\\t";
		else if (c == '\r')
			e = "\\r";
		else if (c == '\b')
			e = "\\b";
		else if (c == '\f')
			e = "\\f";
		else if (c < 0x20) {
			snprintf(esc, sizeof(esc), "\\u%04x", c);
			e = esc;
		} else if (c >= 0x80 && (l = utf8_next(s + i, n - i, &cp)) == 0) {
			e = "\\ufffd"; /* not UTF-8: never emit invalid JSON */
			l = 1;
		} else if (c >= 0x80 && (cp == 0x85 || cp == 0x2028 || cp == 0x2029)) {
			/* Line breaks to a YAML reader (ours reads JSON with libyaml),
			 * which would fold them inside a quoted string. */
			snprintf(esc, sizeof(esc), "\\u%04x", (unsigned)cp);
			e = esc;
		}
		if (e != NULL) {
			out_put(o, str + run, i - run);
			out_str(o, e);
			run = i + l;
		}
		i += l;
	}
	out_put(o, str + run, n - run);
	out_ch(o, '"');
}

static void
json_node(struct out *o, const av_node *n)
{
	char buf[40];

	switch (n->type) {
	case AV_NULL:
		out_str(o, "null");
		break;
	case AV_BOOL:
		out_str(o, n->b ? "true" : "false");
		break;
	case AV_INT:
		snprintf(buf, sizeof(buf), "%" PRId64, n->i);
		out_str(o, buf);
		break;
	case AV_FLOAT:
		if (!isfinite(n->d)) {
			out_str(o, "null");
			break;
		}
		fmt_double(buf, sizeof(buf), n->d);
		out_str(o, buf);
		break;
	case AV_STR:
		json_string(o, n->str, n->len);
		break;
	case AV_SEQ:
		out_ch(o, '[');
		for (const av_node *c = n->first; c != NULL; c = c->next) {
			json_node(o, c);
			if (c->next != NULL)
				out_ch(o, ',');
		}
		out_ch(o, ']');
		break;
	case AV_MAP:
		out_ch(o, '{');
		for (const av_node *c = n->first; c != NULL; c = c->next) {
			json_string(o, c->key, strlen(c->key));
			out_ch(o, ':');
			json_node(o, c);
			if (c->next != NULL)
				out_ch(o, ',');
		}
		out_ch(o, '}');
		break;
	}
}

char *
av_node_to_json(const av_node *n, size_t *len)
{
	struct out o = {0};

	/* A manifest is a few KiB: one allocation instead of a doubling series. */
	if ((o.p = malloc(4096)) != NULL)
		o.cap = 4096;
	json_node(&o, n);
	return out_done(&o, len);
}

/* Could s be written as a plain YAML scalar and read back as this string? */
static bool
yaml_plain_ok(const char *s, size_t n)
{
	av_node t = {0};

	if (n == 0 || strchr("-?:,[]{}#&*!|>'\"%@` \t", s[0]) != NULL || s[n - 1] == ' ' ||
	    s[n - 1] == ':' || strncmp(s, "...", 3) == 0)
		return false;
	type_plain(&t, s, n);
	if (t.type != AV_STR)
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c < 0x20 || c >= 0x7F)
			return false;
		if ((c == ':' || c == ',') && i + 1 < n && s[i + 1] == ' ')
			return false;
		if (c == '#' && s[i - 1] == ' ')
			return false;
		if (c == ',' || c == '[' || c == ']' || c == '{' || c == '}')
			return false; /* would end a plain scalar inside flow context */
	}
	return true;
}

/* Characters a YAML reader accepts unescaped inside double quotes. */
static bool
yaml_printable(uint32_t cp)
{
	return (cp >= 0x20 && cp <= 0x7E) || cp == 0xA0 || (cp > 0xA0 && cp <= 0xD7FF) ||
	    (cp >= 0xE000 && cp <= 0xFFFD && cp != 0xFEFF) || (cp >= 0x10000 && cp <= 0x10FFFF);
}

static void
yaml_scalar_str(struct out *o, const char *str, size_t n)
{
	const unsigned char *s = (const unsigned char *)str;
	char esc[16];

	if (yaml_plain_ok(str, n)) {
		out_put(o, str, n);
		return;
	}
	out_ch(o, '"');
	for (size_t i = 0; i < n;) {
		uint32_t cp;
		size_t l = utf8_next(s + i, n - i, &cp);
		if (l == 0) {
			out_str(o, "\\uFFFD");
			i++;
			continue;
		}
		if (cp == '"')
			out_str(o, "\\\"");
		else if (cp == '\\')
			out_str(o, "\\\\");
		else if (cp == '\n')
			out_str(o, "\\n");
		else if (cp == '\t')
			out_str(o, "\\t");
		else if (yaml_printable(cp))
			out_put(o, str + i, l);
		else {
			if (cp <= 0xFF)
				snprintf(esc, sizeof(esc), "\\x%02X", (unsigned)cp);
			else if (cp <= 0xFFFF)
				snprintf(esc, sizeof(esc), "\\u%04X", (unsigned)cp);
			else
				snprintf(esc, sizeof(esc), "\\U%08X", (unsigned)cp);
			out_str(o, esc);
		}
		i += l;
	}
	out_ch(o, '"');
}

static void
yaml_scalar(struct out *o, const av_node *n)
{
	char buf[40];

	switch (n->type) {
	case AV_NULL:
		out_str(o, "null");
		break;
	case AV_BOOL:
		out_str(o, n->b ? "true" : "false");
		break;
	case AV_INT:
		snprintf(buf, sizeof(buf), "%" PRId64, n->i);
		out_str(o, buf);
		break;
	case AV_FLOAT:
		if (isnan(n->d))
			out_str(o, ".nan");
		else if (isinf(n->d))
			out_str(o, n->d < 0 ? "-.inf" : ".inf");
		else {
			fmt_double(buf, sizeof(buf), n->d);
			out_str(o, buf);
		}
		break;
	case AV_STR:
		yaml_scalar_str(o, n->str, n->len);
		break;
	case AV_SEQ:
		out_str(o, "[]");
		break;
	case AV_MAP:
		out_str(o, "{}");
		break;
	}
}

static void
indent(struct out *o, int n)
{
	static const char sp[] = "                                ";

	while (n > 0) {
		int k = n < 32 ? n : 32;
		out_put(o, sp, (size_t)k);
		n -= k;
	}
}

static bool
nonempty_coll(const av_node *n)
{
	return (n->type == AV_SEQ || n->type == AV_MAP) && n->count > 0;
}

/*
 * Can s (several lines) be written as a literal block scalar and read back
 * as this string?  Kept strict: printable characters and tabs only, no
 * carriage returns, no line that starts with a blank at the first line
 * (it would set the indentation), no blank-only lines, no blank at the
 * very end, and at most one final newline.
 */
static bool
yaml_block_ok(const char *s, size_t n)
{
	bool bol = true;
	uint32_t cp;

	if (n == 0 || memchr(s, '\n', n) == NULL || s[0] == ' ' || s[0] == '\t' || s[0] == '\n')
		return false;
	if (n >= 2 && s[n - 1] == '\n' && s[n - 2] == '\n')
		return false;
	for (size_t i = 0; i < n;) {
		size_t l = utf8_next((const unsigned char *)s + i, n - i, &cp);
		if (l == 0)
			return false;
		if (cp == '\n') {
			bol = true;
		} else {
			if (cp != '\t' && !yaml_printable(cp))
				return false;
			if (bol && (cp == ' ' || cp == '\t')) {
				/* a line of blanks only */
				size_t j = i;
				while (j < n && (s[j] == ' ' || s[j] == '\t'))
					j++;
				if (j == n || s[j] == '\n')
					return false;
			}
			bol = false;
		}
		i += l;
	}
	return s[n - 1] != ' ' && s[n - 1] != '\t';
}

static void
indent(struct out *o, int n);

/* A literal block: "|" (one final newline) or "|-" (none), lines indented. */
static void
yaml_block(struct out *o, const char *s, size_t n, int ind)
{
	bool final_nl = s[n - 1] == '\n';
	const char *end = s + (final_nl ? n - 1 : n);

	out_str(o, final_nl ? "|\n" : "|-\n");
	while (s <= end) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		size_t len = nl ? (size_t)(nl - s) : (size_t)(end - s);
		if (len > 0) {
			indent(o, ind);
			out_put(o, s, len);
		}
		out_ch(o, '\n');
		if (nl == NULL)
			break;
		s = nl + 1;
	}
}

static void yaml_coll(struct out *o, const av_node *n, int ind, bool inline_first);

static void
yaml_coll(struct out *o, const av_node *n, int ind, bool inline_first)
{
	bool first = true;

	for (const av_node *c = n->first; c != NULL; c = c->next) {
		if (!(first && inline_first))
			indent(o, ind);
		first = false;
		if (n->type == AV_SEQ) {
			out_ch(o, '-');
			if (nonempty_coll(c)) {
				out_ch(o, ' ');
				yaml_coll(o, c, ind + 2, true);
				continue;
			}
		} else {
			yaml_scalar_str(o, c->key, strlen(c->key));
			out_ch(o, ':');
			if (nonempty_coll(c)) {
				out_ch(o, '\n');
				yaml_coll(o, c, ind + 2, false);
				continue;
			}
		}
		out_ch(o, ' ');
		if (c->type == AV_STR && yaml_block_ok(c->str, c->len)) {
			yaml_block(o, c->str, c->len, ind + 2);
			continue;
		}
		yaml_scalar(o, c);
		out_ch(o, '\n');
	}
}

char *
av_node_to_yaml(const av_node *n, size_t *len)
{
	struct out o = {0};

	if (nonempty_coll(n)) {
		yaml_coll(&o, n, 0, false);
	} else {
		yaml_scalar(&o, n);
		out_ch(&o, '\n');
	}
	return out_done(&o, len);
}
