/*
 * fuzz_spdx.c - libFuzzer target for the SPDX expression parser: parse,
 * print, re-parse the canonical form (which must parse to itself) and
 * evaluate against a small allowed set.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "spdx.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool
allow_short(const av_spdx_node *leaf, void *arg)
{
	(void)arg;
	return strlen(leaf->id) % 2 == 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	av_spdx *x, *y;
	av_error err;

	if (av_spdx_parse(&x, (const char *)data, size, &err) != 0)
		return 0;
	const char *c = av_spdx_canonical(x);
	if (av_spdx_parse(&y, c, strlen(c), &err) != 0 || strcmp(av_spdx_canonical(y), c) != 0)
		abort(); /* the canonical form must be a fixed point */
	av_spdx_destroy(y);
	size_t n = av_spdx_nleaves(x), nc;
	const av_spdx_node **chosen = malloc((n ? n : 1) * sizeof(*chosen));
	bool ok;
	if (chosen != NULL && av_spdx_eval(&ok, chosen, &nc, x, allow_short, NULL, n) != 0)
		abort();
	static const char *const allowed[] = {"MIT", "Apache-2.0", "GPL-2.0",
	                                      "Classpath-exception-2.0"};
	for (size_t i = 0; chosen != NULL && i < nc; i++)
		(void)av_spdx_allowed_in(chosen[i], allowed, 4);
	free(chosen);
	av_spdx_destroy(x);
	return 0;
}
