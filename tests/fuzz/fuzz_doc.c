/*
 * fuzz_doc.c - libFuzzer target for the document reader: the first byte
 * picks YAML or JSON mode and small bounds; a document that parses is
 * written out as JSON and YAML, and the JSON form must parse again.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "doc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* libyaml, which reads JSON too, takes no map key longer than 1024 bytes
 * ("simple keys"): such a document is refused, and that is all. */
static bool
long_key(const av_node *n)
{
	for (const av_node *c = n->first; c != NULL; c = c->next)
		if ((c->key != NULL && strlen(c->key) > 170) || long_key(c)) /* 6 bytes a char */
			return true;
	return false;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	av_limits lim;
	av_doc *doc, *again;
	av_error err;
	size_t len;

	if (size < 1)
		return 0;
	av_limits_default(&lim);
	if (data[0] & 2) {
		lim.max_depth = 8;
		lim.max_nodes = 64;
		lim.max_aliases = 4;
	}
	av_format fmt = (data[0] & 1) ? AV_FMT_JSON : AV_FMT_YAML;
	if (av_doc_parse(&doc, (const char *)data + 1, size - 1, fmt, "fuzz", &lim, &err) != 0)
		return 0;
	char *j = av_node_to_json(av_doc_root(doc), &len);
	char *y = av_node_to_yaml(av_doc_root(doc), &len);
	av_ntype rt = av_doc_root(doc)->type;
	if (j != NULL && (rt == AV_MAP || rt == AV_SEQ) && !long_key(av_doc_root(doc))) {
		/* Without bounds: alias expansion may have grown the tree. */
		av_limits big = {1u << 30, 1u << 20, 1u << 30, 1u << 20};
		if (av_doc_parse(&again, j, strlen(j), AV_FMT_JSON, "again", &big, &err) != 0) {
			char m[1024];
			fprintf(stderr, "%s\n%s\n", j, av_error_format(&err, m, sizeof(m)));
			abort(); /* our own JSON must read back */
		}
		av_doc_destroy(again);
	}
	free(j);
	free(y);
	av_doc_destroy(doc);
	return 0;
}
