/*
 * fuzz_inspect.c - libFuzzer target for the artifact inspector over a
 * buffer: format probes, zip and safetensors parsing, the pickle walker.
 * The first byte picks the file name (for the ONNX extension check) and
 * small limits, so that limit paths are reached too.
 */
#include <stdint.h>
#include <stdlib.h>

#include "inspect.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const names[] = {"model.bin", "model.onnx", "a.pkl", NULL};
	av_inspect_limits lim;
	av_inspect r;
	av_error err;

	if (size < 1)
		return 0;
	av_inspect_limits_default(&lim);
	if (data[0] & 4) {
		lim.parse_max = 4096;
		lim.max_globals = 4;
		lim.max_entries = 8;
	}
	if (av_inspect_buffer(&r, names[data[0] & 3], data + 1, size - 1, &lim, &err) != 0)
		return 0;
	cJSON *j = av_inspect_to_json(&r);
	cJSON_Delete(j);
	av_inspect_fini(&r);
	return 0;
}
