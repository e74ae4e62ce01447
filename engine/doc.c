/*
 * doc.c - the document core: the arena, nodes, maps and sequences, paths,
 * and what a plain scalar means under the YAML 1.2 core schema.
 *
 * Every node and string of a document lives in its arena: a chain of large
 * blocks freed together.  Reading text into a document is in doc_yaml.c
 * (YAML, and JSON read as YAML), converting a cJSON value in doc_json.c,
 * and writing a document out as JSON or YAML in doc_emit.c; what they
 * share with this file is in doc_int.h.
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

#include "doc_int.h"

/* ---- The arena ---------------------------------------------------------- */

#define ARENA_FIRST (16 * 1024)
#define ARENA_MAX_BLOCK (1024 * 1024)
#define ARENA_ALIGN (alignof(max_align_t))

static void *
arena_alloc(av_doc *doc, size_t n)
{
	struct av_block *b = doc->blocks;

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
	struct av_block *b = doc->blocks;
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
	struct av_block *b = doc->blocks;
	while (b != NULL) {
		struct av_block *prev = b->prev;
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
void
av_doc_type_plain(av_node *nd, const char *s, size_t n)
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

/* ---- Nodes -------------------------------------------------------------- */

/* Static, so that the builders below get it inlined; the reader calls it
 * through av_doc_node_alloc. */
static av_node *
node_alloc(av_doc *doc)
{
	av_node *n = arena_alloc(doc, sizeof(*n));

	if (n != NULL)
		memset(n, 0, sizeof(*n));
	return n;
}

av_node *
av_doc_node_alloc(av_doc *doc)
{
	return node_alloc(doc);
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
	int l = av_doc_fmt_double(buf, sizeof(buf), d);
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
	av_doc_link_child(seq, child);
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
	av_doc_link_child(map, child);
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
		av_doc_link_child(c, kc);
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

/* ---- Numbers as text ----------------------------------------------------- */

/*
 * The shortest of %.15g..%.17g that reads back as the same double, with
 * ".0" added when it would otherwise read back as an integer.
 */
int
av_doc_fmt_double(char *buf, size_t len, double d)
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
