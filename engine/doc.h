/*
 * doc.h - a parsed YAML or JSON document as a tree of typed nodes that keep
 * their source positions.
 *
 * Every reader of structured input (manifests, profiles, the config file,
 * card front matter, importers) goes through this tree, so that every error
 * can name file, line and column, and every bound (bytes, depth, nodes,
 * aliases) is enforced in one place.  All nodes and strings of a document
 * live in one arena owned by the av_doc and are freed together.
 *
 * Scalars are typed with the YAML 1.2 core schema: null, ~ and the empty
 * plain scalar are null; true/false are booleans; plain decimal, 0x/0o
 * integers and floats (.inf, .nan included) are numbers; everything else,
 * and every quoted scalar, is a string.  (So "yes", "no", "on", "off" are
 * strings, unlike YAML 1.1.)  Map keys are always strings.  Duplicate map
 * keys are an error.  Anchors and aliases are followed, counted against
 * max_aliases and against max_nodes for every node they expand to.
 */
#ifndef ENGINE_DOC_H
#define ENGINE_DOC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "errors.h"

typedef enum av_ntype {
	AV_NULL = 0,
	AV_BOOL,
	AV_INT,
	AV_FLOAT,
	AV_STR,
	AV_SEQ,
	AV_MAP,
} av_ntype;

typedef struct av_node av_node;
struct av_node {
	av_ntype type;
	int line;      /* 1-based position of the value */
	int column;
	const char *key; /* when the parent is a map: this entry's key; else NULL */
	int key_line;    /* position of the key (for "unknown key" errors) */
	int key_column;
	/* Scalars.  str is NUL-terminated and also valid for numbers and
	 * booleans (their source text); len excludes the NUL. */
	const char *str;
	size_t len;
	int64_t i;
	double d;
	bool b;
	/* Collections: children in document order. */
	av_node *first;
	av_node *last;
	size_t count;
	av_node *next; /* next sibling */
};

typedef struct av_doc av_doc;

typedef struct av_limits {
	size_t max_bytes;   /* input size; default 1 MiB */
	size_t max_depth;   /* nesting of collections; default 64 */
	size_t max_nodes;   /* nodes after alias expansion; default 100000 */
	size_t max_aliases; /* alias references; default 64 */
} av_limits;

/* Fills l with the defaults above. */
void av_limits_default(av_limits *l);

typedef enum av_format {
	AV_FMT_AUTO = 0, /* JSON if the first non-blank byte is '{' or '[', else YAML */
	AV_FMT_YAML,
	AV_FMT_JSON,
} av_format;

/*
 * Parses buf (len bytes, need not be NUL-terminated) into a new document.
 * name is the file name used in errors (may be NULL: "<input>").  lim may
 * be NULL for the defaults.  An empty document yields a root of AV_NULL.
 * Invalid UTF-8, a multi-document YAML stream and any bound exceeded are
 * errors.  On success *out owns everything; on failure *out is NULL and err
 * (if not NULL) names what was wrong and where.
 */
int av_doc_parse(av_doc **out, const char *buf, size_t len, av_format fmt, const char *name,
    const av_limits *lim, av_error *err);

/* Frees a document and all its nodes.  NULL is fine. */
void av_doc_destroy(av_doc *doc);

av_node *av_doc_root(const av_doc *doc);
/* The name given at parse time ("<input>" if none); owned by the doc. */
const char *av_doc_name(const av_doc *doc);

/*
 * Building documents in code (importers, tests).  Nodes and strings are
 * allocated in doc's arena; all return NULL when out of memory.
 */
av_doc *av_doc_create(const char *name);
av_node *av_node_new(av_doc *doc, av_ntype type);
av_node *av_node_new_str(av_doc *doc, const char *s, size_t len);
av_node *av_node_new_cstr(av_doc *doc, const char *s);
av_node *av_node_new_int(av_doc *doc, int64_t i);
av_node *av_node_new_float(av_doc *doc, double d);
av_node *av_node_new_bool(av_doc *doc, bool b);
void av_doc_set_root(av_doc *doc, av_node *root);
/* Appends child to a sequence. */
void av_seq_append(av_node *seq, av_node *child);
/* Sets key in a map (replacing an existing entry of that key); key is
 * copied into the arena.  Returns child, or NULL when out of memory. */
av_node *av_map_set(av_doc *doc, av_node *map, const char *key, av_node *child);
/* Copies a string into the arena. */
char *av_doc_strdup(av_doc *doc, const char *s, size_t len);
/* Deep copy of a node (from any doc) into doc. */
av_node *av_node_copy(av_doc *doc, const av_node *n);

/* Lookups.  Return NULL when absent or when the node has the wrong type. */
const av_node *av_map_get(const av_node *map, const char *key);
/* A dotted path ("licenses.weights.id"); numeric parts index sequences. */
const av_node *av_node_at(const av_node *root, const char *path);
const char *av_map_str(const av_node *map, const char *key); /* AV_STR only */

/* Short type name for messages: "null", "boolean", "integer", ... */
const char *av_ntype_name(av_ntype t);

/*
 * Converts a JSON value into a new document (no positions: line/column 0).
 * Enforces the same node and depth bounds as av_doc_parse.  Returns 0,
 * AV_ELIMIT or AV_ENOMEM.
 */
struct cJSON;
int av_doc_from_json(av_doc **out, const struct cJSON *j, const char *name, const av_limits *lim,
    av_error *err);

/*
 * Serialises a node as JSON (compact) or YAML (block style, 2-space indent,
 * strings quoted where the YAML 1.2 core schema would retype them) into a
 * malloc'd NUL-terminated buffer the caller frees.  NULL when out of memory.
 */
char *av_node_to_json(const av_node *n, size_t *len);
char *av_node_to_yaml(const av_node *n, size_t *len);

#endif
