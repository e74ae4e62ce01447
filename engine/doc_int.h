/*
 * doc_int.h - what the document module's files (doc*.c) share; not for
 * other modules, which use doc.h.
 *
 * The reader (doc_yaml.c) fills a document's fields directly and builds
 * its nodes with the allocator below; the emitters (doc_emit.c) write
 * numbers and decide which strings may stay plain with the same rules the
 * core (doc.c) uses to read them back.
 */
#ifndef ENGINE_DOC_INT_H
#define ENGINE_DOC_INT_H

#include <stdalign.h>
#include <stdbool.h>
#include <stddef.h>

#include "doc.h"

/* One block of a document's arena: nodes from the front, strings packed
 * from the back. */
struct av_block {
	struct av_block *prev;
	size_t size; /* usable bytes after the header */
	size_t used;
	alignas(max_align_t) unsigned char data[];
};

struct av_doc {
	struct av_block *blocks;
	size_t next_size;
	av_node *root;
	const char *name; /* in the arena */
};

/* A zeroed node in doc's arena, or NULL when out of memory. */
av_node *av_doc_node_alloc(av_doc *doc);
/* Appends child to parent's children (a map's entry keeps its key). */
static inline void
av_doc_link_child(av_node *parent, av_node *child)
{
	child->next = NULL;
	if (parent->last != NULL)
		parent->last->next = child;
	else
		parent->first = child;
	parent->last = child;
	parent->count++;
}
/* Types a plain scalar s (NUL-terminated, n bytes) into nd's type, i, d
 * and b by the YAML 1.2 core schema; what it does not recognise is a
 * string. */
void av_doc_type_plain(av_node *nd, const char *s, size_t n);
/* Writes d into buf (len bytes; 40 is enough) as the shortest text that
 * reads back as the same double, with ".0" when it would otherwise read
 * back as an integer; returns its length. */
int av_doc_fmt_double(char *buf, size_t len, double d);

#endif
