/*
 * fuzz_manifest.c - libFuzzer target for the manifest schema and the
 * normaliser: a document (YAML or JSON, detected) is validated with every
 * problem collected, then prepared as the daemon prepares it (validate,
 * normalise licenses, analyse the model card text) and digested.
 */
#include <stdint.h>
#include <stdlib.h>

#include "component.h"
#include "manifest.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	av_doc *doc;
	av_diags d;
	av_error err;
	char digest[65];

	if (av_doc_parse(&doc, (const char *)data, size, AV_FMT_AUTO, "m.yaml", NULL, &err) != 0)
		return 0;
	av_diags_init(&d);
	int rc = av_manifest_validate(av_doc_root(doc), "m.yaml", &d);
	av_diags_fini(&d);
	if (av_component_prepare(doc, "m.yaml", &err) == 0) {
		if (rc != 0)
			abort(); /* prepare accepted what validate refused */
		av_manifest_digest(av_doc_root(doc), digest);
		size_t len;
		free(av_node_to_json(av_doc_root(doc), &len));
	}
	av_doc_destroy(doc);
	return 0;
}
