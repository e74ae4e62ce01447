/*
 * fuzz_config.c - libFuzzer target for aivetd's configuration reader
 * (av_config_load_buffer: the YAML file applied over the defaults).
 */
#include <stdint.h>
#include <stdlib.h>

#include "config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	av_config c;
	av_diags d;
	av_error err;

	setenv("HOME", "/nonexistent-home", 0);
	if (av_config_defaults(&c, &err) != 0)
		abort();
	av_diags_init(&d);
	(void)av_config_load_buffer(&c, (const char *)data, size, "aivetd.yaml", &d);
	av_diags_fini(&d);
	av_config_fini(&c);
	return 0;
}
