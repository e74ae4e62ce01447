/*
 * fuzz_bom.c - libFuzzer target for the CycloneDX and SPDX 3 importers:
 * the first byte picks the format (or detection), the rest is the
 * document; an imported manifest must be one that av_component_prepare
 * accepts.
 */
#include <stdint.h>
#include <stdlib.h>

#include "component.h"
#include "import.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const av_input fmts[] = {AV_INPUT_CYCLONEDX, AV_INPUT_SPDX, AV_INPUT_UNKNOWN,
	                                AV_INPUT_CYCLONEDX};
	av_diags d;
	av_doc *doc;
	av_error err;

	if (size < 1)
		return 0;
	av_diags_init(&d);
	if (av_import(&doc, (const char *)data + 1, size - 1, fmts[data[0] & 3], "bom.json", &d) ==
	    0) {
		if (av_component_prepare(doc, "bom.json", &err) != 0)
			abort(); /* the importer validated what prepare refuses */
		av_doc_destroy(doc);
	}
	av_diags_fini(&d);
	return 0;
}
